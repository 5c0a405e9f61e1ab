#!/usr/bin/python3
# Reads a report as Chromium left it (--dump-dom) for tests/live/test_report.sh.
#
#   report_check.py dom DOM TRACE.json NAME
#       one diagram per connection of the trace; per diagram one .seg per
#       packet, in order, with the trace's raw numbers and flags; each
#       fold's data-count is the .seg it holds; each side's .state labels are
#       its state events in order; one .http per HTTP message; no element the
#       page does not make itself (script, img, iframe, object, a with href
#       outside the page).
#   report_check.py same DOM_A DOM_B NAME
#       the two reports draw the same connections (by client address), the
#       same segments each way and the same HTTP lines.
#   report_check.py colours PNG NAME
#       a screenshot is not blank: many colours, no one of them nearly all.
# Prints "NAME_check: PASS" or "NAME_check: FAIL detail" lines; exits 1 on a FAIL.
import collections
import html.parser
import json
import struct
import sys
import zlib

FAILED = False


def check(name, ok, detail=""):
    global FAILED
    print(f"{name}: PASS" if ok else f"{name}: FAIL {detail}"[:600])
    FAILED |= not ok


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.kids, self.text = tag, dict(attrs), parent, [], ""

    def classes(self):
        return self.attrs.get("class", "").split()

    def walk(self):
        yield self
        for k in self.kids:
            yield from k.walk()

    def all_text(self):
        return self.text + "".join(k.all_text() for k in self.kids if k.tag != "title")


VOID = {"meta", "br", "img", "input", "link", "hr", "col", "wbr"}


class Tree(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", [], None)
        self.cur = self.root

    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.kids.append(n)
        if tag not in VOID:
            self.cur = n

    def handle_startendtag(self, tag, attrs):
        self.cur.kids.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        n = self.cur
        while n is not self.root and n.tag != tag:
            n = n.parent
        if n is not self.root:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.text += data


def parse(path):
    t = Tree()
    with open(path, encoding="utf-8") as f:
        t.feed(f.read())
    return t.root


def diagrams(root):
    return {n.attrs["data-conn"]: n for n in root.walk() if n.tag == "svg" and "data-conn" in n.attrs}


def segs(svg):
    return [n for n in svg.walk() if n.tag == "g" and "seg" in n.classes()]


def seg_key(n):
    label = next(k for k in n.kids if "lbl" in k.classes()).all_text()
    return (n.attrs["data-seq-raw"], n.attrs["data-ack-raw"], n.attrs["data-len"], n.attrs["data-flags"], label)


def http_lines(svg):
    # The message line, without the timings (a capture's clock is not the kernel's).
    return [n.all_text().split(" \u2014 ")[0] for n in svg.walk() if "http" in n.classes()]


def trace_events(path):
    ev = collections.defaultdict(lambda: {"pkts": [], "states": {"client": [], "server": []}, "http": 0})
    with open(path) as f:
        for line in f:
            try:
                o = json.loads(line)
            except ValueError:
                continue
            if not isinstance(o, dict) or "conn" not in o:
                continue
            e = ev[str(o["conn"])]
            if o["type"] == "packet":
                e["pkts"].append((str(o["seq_raw"]), str(o["ack_raw"]), str(o["len"]), o["flags"]))
            elif o["type"] == "state":
                e["states"][o["side"]].append(o["new"])
            elif o["type"] == "http":
                e["http"] += 1
    return ev


def foreign_elements(root):
    bad = []
    for n in root.walk():
        if n.tag in ("img", "iframe", "object", "embed", "link", "form", "foreignobject"):
            bad.append(n.tag)
        if n.tag == "script" and not n.all_text().startswith("(function () {\n'use strict';"):
            bad.append("script")
        if any(k.startswith("on") for k in n.attrs):
            bad.append(n.tag + " with an on* attribute")
    return bad


def cmd_dom(dom, trace, name):
    root = parse(dom)
    svgs, ev = diagrams(root), trace_events(trace)
    check(f"{name}_one_diagram_per_connection", sorted(svgs) == sorted(ev),
          f"diagrams {sorted(svgs)} connections {sorted(ev)}")
    for cid in sorted(set(svgs) & set(ev), key=int):
        svg, e = svgs[cid], ev[cid]
        got = [seg_key(n)[:4] for n in segs(svg)]
        check(f"{name}_conn{cid}_segments", got == e["pkts"],
              f"{len(got)} .seg, {len(e['pkts'])} packets; first difference at "
              f"{next((i for i, (a, b) in enumerate(zip(got, e['pkts'])) if a != b), min(len(got), len(e['pkts'])))}")
        folds = [n for n in svg.walk() if "fold" in n.classes()]
        check(f"{name}_conn{cid}_folds_count", all(int(f.attrs["data-count"]) == len(segs(f)) for f in folds),
              str([(f.attrs["data-count"], len(segs(f))) for f in folds]))
        states = {"client": [], "server": []}
        for n in svg.walk():
            if "state" in n.classes():
                states[n.attrs["data-side"]].append(n.attrs["data-state"])
        check(f"{name}_conn{cid}_states_in_order", states == e["states"], f"{states} != {e['states']}")
        check(f"{name}_conn{cid}_http", len(http_lines(svg)) == e["http"],
              f"{len(http_lines(svg))} .http, {e['http']} messages")
    bad = foreign_elements(root)
    check(f"{name}_no_foreign_markup", not bad, str(bad[:5]))
    return root


def by_client(root):
    out = {}
    for cid, svg in diagrams(root).items():
        client = next(n.all_text() for n in svg.walk() if n.tag == "text" and n.all_text().startswith("client "))
        per_dir = {"c2s": [], "s2c": []}
        for n in segs(svg):
            per_dir["s2c" if "s2c" in n.classes() else "c2s"].append(seg_key(n))
        out[client] = ({d: sorted(v) for d, v in per_dir.items()}, http_lines(svg))
    return out


def cmd_same(a, b, name):
    x, y = by_client(parse(a)), by_client(parse(b))
    check(f"{name}_same_connections", sorted(x) == sorted(y), f"{sorted(x)} != {sorted(y)}")
    diff = [c for c in x if c in y and x[c] != y[c]]
    check(f"{name}_same_segments_and_http", not diff,
          f"differ: {diff[:3]} " + (str(x[diff[0]][1]) + " vs " + str(y[diff[0]][1]) if diff else ""))


def png_pixels(path):
    # 8-bit RGB or RGBA, not interlaced: what Chromium writes.
    data = open(path, "rb").read()
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in (2, 6) or interlace:
                raise ValueError(f"PNG depth {depth} colour type {ctype} interlace {interlace}")
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return [r[i:i + 3] for r in rows for i in range(0, stride, bpp)]


def cmd_colours(png, name):
    try:
        px = png_pixels(png)
    except (OSError, ValueError, zlib.error) as e:
        return check(f"{name}_screenshot_not_blank", False, f"no screenshot: {e}")
    counts = collections.Counter(px)
    top = counts.most_common(1)[0][1] / len(px)
    check(f"{name}_screenshot_not_blank", len(counts) >= 8 and top < 0.97,
          f"{len(counts)} colours, the commonest covers {top:.1%}")


if __name__ == "__main__":
    {"dom": cmd_dom, "same": cmd_same, "colours": cmd_colours}[sys.argv[1]](*sys.argv[2:])
    sys.exit(1 if FAILED else 0)
