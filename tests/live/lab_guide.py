#!/usr/bin/env python3
"""Runs a lab guide's command blocks and checks the output shapes it promises.

Usage: lab_guide.py NETNS WORKDIR PIDFILE GUIDE [GUIDE...]

The guides are Markdown. A ```sh block is a command a student types; the
HTML comments around it say how the test treats it:

  <!-- background: NAME; ready: REGEX[; ready-in: FILE] -->  (just before)
      the block runs in the background (a terminal of its own) until
      <!-- stop: NAME --> or the end; ready when REGEX shows in its output
      (or in FILE, relative to WORKDIR).
  <!-- no-test: WHY -->  (just before)  the suite does not run this block.
  <!-- expect: REGEX -->  the last foreground block's output matches.
  <!-- expect NAME: REGEX -->  background NAME's output (its FILE when it
      has ready-in) matches, within 75 s (the tracer prints a life when it ends, TIME_WAIT's end after
      a minute).

Every guide must hold the same steps (commands without comments, and the
same directives): the first guide's are run once, in NETNS, from WORKDIR,
and each check is reported once for all of them. One line per check,
"name: PASS" or "name: FAIL detail"; exit 1 when any failed.
"""
import os
import re
import signal
import subprocess
import sys
import time

DIRECTIVE = re.compile(r"<!--\s*(background|no-test|stop|expect)(?:\s+([\w-]+))?\s*:\s*(.*?)\s*-->")
FENCE = re.compile(r"^```(\w*)\s*$")
BG_WAIT = 75
FG_TIMEOUT = 60
failed = False


def result(name, ok, detail=""):
    global failed
    failed |= not ok
    print(f"{name}: PASS" if ok else f"{name}: FAIL {detail}", flush=True)


def strip_comments(block):
    """The commands of a block without comments (each language has its own)."""
    lines = []
    for line in block.splitlines():
        line = re.sub(r"\s{2,}#.*$", "", line).rstrip()
        if line and not line.lstrip().startswith("#"):
            lines.append(line)
    return "\n".join(lines)


def parse(path):
    """The guide's steps: (kind, name, text, line)."""
    steps, pending, fence, block, start = [], [], None, [], 0
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            m = FENCE.match(line)
            if fence is not None:
                if m and not m.group(1):
                    if fence == "sh":
                        steps.append(("run", pending, "".join(block), start))
                    pending, fence = [], None
                else:
                    block.append(line)
                continue
            if m:
                fence, block, start = m.group(1), [], no
                continue
            for d in DIRECTIVE.finditer(line):
                kind, name, arg = d.groups()
                if kind in ("background", "no-test"):
                    pending.append((kind, name, arg))
                else:
                    steps.append((kind, name, arg, no))
    return steps


def canonical(steps):
    out = []
    for kind, name, text, _ in steps:
        if kind == "run":
            out.append(("run", tuple(name), strip_comments(text)))
        else:
            out.append((kind, name, text))
    return out


class Runner:
    def __init__(self, ns, workdir, pidfile):
        self.ns, self.workdir, self.pidfile = ns, workdir, pidfile
        self.bg = {}  # name -> (Popen, log path)
        self.outputs = {}  # name -> where its output goes (its log or ready-in)
        self.last = ""

    def argv(self, text):
        return ["ip", "netns", "exec", self.ns, "bash", "-c", text]

    def foreground(self, text, line):
        try:
            p = subprocess.run(self.argv(text), cwd=self.workdir, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=FG_TIMEOUT)
            self.last = p.stdout.decode("utf-8", "replace")
            with open(os.path.join(self.workdir, f".line{line}.log"), "w") as f:
                f.write(self.last)
        except subprocess.TimeoutExpired as e:
            self.last = (e.stdout or b"").decode("utf-8", "replace")
            result(f"lab_guide_line{line}_ran", False, f"still running after {FG_TIMEOUT} s")

    def background(self, name, opts, text, line):
        log = os.path.join(self.workdir, f".{name}.log")
        with open(log, "wb") as out:
            p = subprocess.Popen(self.argv(text), cwd=self.workdir, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        with open(self.pidfile, "a") as f:
            f.write(f"{p.pid}\n")
        where = os.path.join(self.workdir, opts.get("ready-in", f".{name}.log"))
        self.bg[name] = (p, log)
        self.outputs[name] = where
        ok = wait_for(where, opts.get("ready", "."), 15)
        result(f"lab_guide_{name}_ready", ok, f"line {line}: no /{opts.get('ready')}/ in {where} "
               f"after 15 s: {tail(log)}")

    def stop(self, name):
        p, log = self.bg.pop(name)
        try:
            os.killpg(p.pid, signal.SIGINT)
            rc = p.wait(10)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            kill_group(p)
            rc = "timeout"
        result(f"lab_guide_{name}_stopped", rc == 0, f"exit {rc}: {tail(log)}")

    def expect(self, name, regex, line):
        label = f"lab_guide_line{line}" + (f"_{name}" if name else "")
        try:
            pattern = re.compile(regex, re.M)
        except re.error as e:
            result(label, False, f"bad pattern /{regex}/: {e}")
            return
        if name is None:
            ok, seen = pattern.search(self.last) is not None, self.last
        elif name in self.outputs:
            out = self.outputs[name]
            ok = wait_for(out, regex, BG_WAIT if name in self.bg else 0)
            seen = read(out)
        else:
            ok, seen = False, f"no background block named {name}"
        result(label, ok, f"/{regex}/ not in: {seen[-300:]!r}")

    def finish(self):
        for name in list(self.bg):
            self.stop(name)


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def tail(path):
    return read(path)[-200:].replace("\n", "|")


def wait_for(path, regex, seconds):
    deadline = time.monotonic() + seconds
    pattern = re.compile(regex, re.M)
    while True:
        if pattern.search(read(path)):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def kill_group(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    p.wait()


def main():
    ns, workdir, pidfile, guides = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    parsed = [parse(g) for g in guides]
    first = canonical(parsed[0])
    result("lab_guide_has_steps", sum(k == "run" for k, *_ in first) >= 5 and
           sum(k == "expect" for k, *_ in first) >= 10,
           f"{os.path.basename(guides[0])}: {len(first)} steps")
    for g, steps in zip(guides[1:], parsed[1:]):
        other = canonical(steps)
        diff = next((i for i, (a, b) in enumerate(zip(first, other)) if a != b), None)
        if diff is None and len(first) != len(other):
            diff = min(len(first), len(other))
        result(f"lab_guide_same_steps_{os.path.basename(g)}", diff is None,
               f"step {diff}: {first[diff] if diff is not None and diff < len(first) else None} vs "
               f"{other[diff] if diff is not None and diff < len(other) else None}")
    r = Runner(ns, workdir, pidfile)
    try:
        for kind, name, text, line in parsed[0]:
            if kind == "run":
                opts = {k: v for k, _, v in name}
                if "no-test" in opts:
                    continue
                if "background" in opts:
                    bg = dict(kv.strip().split(":", 1) for kv in opts["background"].split(";")[1:])
                    bg = {k.strip(): v.strip() for k, v in bg.items()}
                    r.background(opts["background"].split(";")[0].strip(), bg, text, line)
                else:
                    r.foreground(text, line)
            elif kind == "stop":
                if text in r.bg:
                    r.stop(text)
                else:
                    result(f"lab_guide_line{line}_stop", False, f"no background block {text}")
            elif kind == "expect":
                r.expect(name, text, line)
    finally:
        r.finish()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
