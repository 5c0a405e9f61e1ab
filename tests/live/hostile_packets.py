#!/usr/bin/python3
# Hostile traffic for tests/live/test_hostile.sh (run it inside the test's own
# network namespace, as root).
#
#   hostile_packets.py crafted --port P --closed-port Q --manifest FILE
#       Ethernet frames written on lo with a packet socket (so nothing in the
#       kernel fixes their headers up): bad TCP data offsets, truncated TCP
#       and IP headers, IPv4 options, IPv6 extension headers and fragments,
#       TCP options of every length and malformed ones, odd flags, zero-length,
#       60 KB and binary payloads. Each case has a source port of its own
#       (1000 + i); FILE gets one JSON line per case: name, sport, family.
#       Destination P has a listener, Q has none.
#
#   hostile_packets.py http --port P --host ADDR [--hostile-comm]
#       Real TCP connections to the HTTP server on ADDR:P carrying hostile
#       bytes: control characters and invalid UTF-8 in the request line, a
#       100 KB line without a newline, a binary request, a 60 KB single write,
#       a response-like client payload. Prints one line per connection.
#
# Built with scapy (Debian's python3-scapy); sent with a plain AF_PACKET
# socket. Bounded: a fixed list of frames, socket timeouts of a few seconds.
import argparse
import json
import socket
import struct
import sys
import time

from scapy.all import (IP, TCP, Ether, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, PadN, Raw)

V4_SRC = V4_DST = "127.0.0.1"
V6_SRC = V6_DST = "::1"


def eth():
    # What lo carries: Ethernet with zero MACs.
    return Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00")


def opts_raw(b):
    """TCP options as raw bytes, NOP-padded to a multiple of 4 (at most 40)."""
    b = bytes(b)
    b += b"\x01" * (-len(b) % 4)
    assert len(b) <= 40, len(b)
    return b


def tcp_with_raw_options(sport, dport, seq, ack, flags, options, payload=b"", win=8192):
    """A TCP header (with valid checksum later) whose options are raw bytes."""
    o = opts_raw(options)
    t = TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, window=win,
            dataofs=5 + len(o) // 4)
    # scapy would parse/rewrite options; put them in as raw bytes after the
    # fixed header instead, and let scapy compute the checksum over all of it.
    return t, o + payload


class Builder:
    def __init__(self, port, closed):
        self.port, self.closed = port, closed
        self.cases = []

    def add(self, name, family, frame):
        sport = 1000 + len(self.cases)
        self.cases.append({"name": name, "sport": sport, "family": family,
                           "frame": frame(sport)})

    # ---- helpers producing frame(sport) closures -------------------------
    def v4(self, name, flags="S", payload=b"", dport=None, seq=None, ack=0, ip_kw=None,
           tcp_kw=None, post=None):
        def f(sport):
            p = (eth() / IP(src=V4_SRC, dst=V4_DST, **(ip_kw or {})) /
                 TCP(sport=sport, dport=dport or self.port,
                     seq=seq if seq is not None else sport * 1000003 % 2**32,
                     ack=ack, flags=flags, window=8192, **(tcp_kw or {})))
            if payload:
                p = p / Raw(payload)
            b = bytes(p)
            return post(b) if post else b
        self.add(name, "ipv4", f)

    def v6(self, name, exts=(), flags="S", payload=b"", dport=None, seq=None, ack=0, post=None):
        def f(sport):
            p = eth() / IPv6(src=V6_SRC, dst=V6_DST)
            for e in exts:
                p = p / e.copy()
            p = p / TCP(sport=sport, dport=dport or self.port,
                        seq=seq if seq is not None else sport * 1000003 % 2**32,
                        ack=ack, flags=flags, window=8192)
            if payload:
                p = p / Raw(payload)
            b = bytes(p)
            return post(b) if post else b
        self.add(name, "ipv6", f)

    def v4_rawopts(self, name, options, flags="S", payload=b"", dport=None):
        def f(sport):
            t, rest = tcp_with_raw_options(sport, dport or self.port, sport * 7919, 0, flags,
                                           options, payload)
            return bytes(eth() / IP(src=V4_SRC, dst=V4_DST) / t / Raw(rest))
        self.add(name, "ipv4", f)


def set_doff(b, l4, doff):
    """Rewrites the TCP data offset of frame b (TCP header at l4); checksum
    left as is (the kernel drops these anyway; tshark does not check it)."""
    b = bytearray(b)
    b[l4 + 12] = (doff << 4) | (b[l4 + 12] & 0x0f)
    return bytes(b)


def v4_fix(b, tot=None, ihl=None):
    """Rewrites IPv4 total length / IHL and recomputes the IP checksum."""
    b = bytearray(b)
    ip = 14
    if ihl is not None:
        b[ip] = 0x40 | ihl
    if tot is not None:
        b[ip + 2:ip + 4] = struct.pack("!H", tot)
    b[ip + 10:ip + 12] = b"\0\0"
    n = (b[ip] & 0x0f) * 4
    hdr = bytes(b[ip:ip + max(n, 20)])
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    b[ip + 10:ip + 12] = struct.pack("!H", ~s & 0xffff)
    return bytes(b)


def crafted(port, closed):
    B = Builder(port, closed)
    L4 = 14 + 20          # TCP offset in a plain IPv4 frame
    L6 = 14 + 40          # ... in a plain IPv6 frame

    # Plain, valid references.
    B.v4("v4_syn_listener", "S")
    B.v4("v4_syn_closed_port", "S", dport=closed)
    B.v6("v6_syn_listener", (), "S")
    B.v6("v6_syn_closed_port", (), "S", dport=closed)

    # TCP data offset out of range, truncated TCP header.
    for doff in (0, 1, 4):
        B.v4("v4_doff_%d" % doff, "A", post=lambda b, d=doff: set_doff(b, L4, d))
        B.v6("v6_doff_%d" % doff, (), "A", post=lambda b, d=doff: set_doff(b, L6, d))
    B.v4("v4_doff_15_no_options", "A", post=lambda b: set_doff(b, L4, 15))
    B.v4("v4_doff_6_past_segment_end", "A", post=lambda b: set_doff(b, L4, 6))
    B.v4("v4_doff_15_payload_8", "PA", payload=b"12345678", post=lambda b: set_doff(b, L4, 15))
    B.v6("v6_doff_15_no_options", (), "A", post=lambda b: set_doff(b, L6, 15))
    for n in (0, 1, 10, 19):
        B.v4("v4_tcp_header_truncated_%d" % n, "S",
             post=lambda b, n=n: v4_fix(b[:L4 + n], tot=20 + n))
    B.v6("v6_tcp_header_truncated_12", (), "S",
         post=lambda b: b[:14 + 4] + struct.pack("!H", 12) + b[14 + 6:L6 + 12])
    # IP header problems.
    B.v4("v4_ip_header_truncated_12", "S", post=lambda b: b[:14 + 12])
    B.v4("v4_ihl_3", "S", post=lambda b: v4_fix(b, ihl=3))
    B.v4("v4_ihl_15_past_frame", "S", post=lambda b: v4_fix(b, ihl=15))
    B.v4("v4_total_length_10", "S", post=lambda b: v4_fix(b, tot=10))
    B.v4("v4_total_length_past_frame", "PA", payload=b"x" * 20,
         post=lambda b: v4_fix(b, tot=len(b) - 14 + 100))
    B.v4("v4_ethernet_trailer_30", "PA", payload=b"y" * 10, post=lambda b: b + b"\xee" * 30)
    B.v6("v6_ip_header_truncated_30", (), "S", post=lambda b: b[:14 + 30])
    B.v6("v6_payload_length_past_frame", (), "PA", payload=b"z" * 20,
         post=lambda b: b[:18] + struct.pack("!H", len(b) - 54 + 100) + b[20:])
    # IPv4 options: NOPs, record route, timestamp, a malformed one.
    B.v4("v4_ip_options_nop_rr", "S", ip_kw={"options": b"\x01\x07\x07\x04\x00\x00\x00\x00"})
    B.v4("v4_ip_options_timestamp", "S",
         ip_kw={"options": b"\x44\x0c\x05\x00" + b"\x00" * 8})
    B.v4("v4_ip_options_40_bytes", "PA", payload=b"GET /ipopts HTTP/1.1\r\n\r\n",
         ip_kw={"options": b"\x01" * 39 + b"\x00"})
    B.v4("v4_ip_option_length_0", "S", ip_kw={"options": b"\x07\x00\x00\x00"})
    # IPv4 fragments: a first fragment alone (MF, offset 0), a later one alone.
    B.v4("v4_fragment_first_alone", "PA", payload=b"F" * 64, ip_kw={"flags": "MF", "id": 4242})
    B.v4("v4_fragment_later_alone", "PA", payload=b"G" * 64, ip_kw={"frag": 3, "id": 4343})

    # IPv6 extension headers.
    B.v6("v6_hop_by_hop", [IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0\0\0\0")])], "S")
    B.v6("v6_destination_options", [IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 12)])], "S")
    B.v6("v6_routing_type0", [IPv6ExtHdrRouting(addresses=["::1"])], "S")
    B.v6("v6_hop_dest_routing_dest", [IPv6ExtHdrHopByHop(), IPv6ExtHdrDestOpt(),
                                      IPv6ExtHdrRouting(addresses=["::1"]), IPv6ExtHdrDestOpt()],
         "PA", payload=b"GET /ext HTTP/1.1\r\n\r\n")
    B.v6("v6_fragment_atomic", [IPv6ExtHdrFragment(offset=0, m=0, id=77)], "S")
    B.v6("v6_fragment_first_alone", [IPv6ExtHdrFragment(offset=0, m=1, id=78)], "PA",
         payload=b"H" * 64)
    B.v6("v6_fragment_later_alone", [IPv6ExtHdrFragment(offset=8, m=0, id=79)], "PA",
         payload=b"I" * 64)
    B.v6("v6_6_destination_options", [IPv6ExtHdrDestOpt() for _ in range(6)], "S")
    B.v6("v6_7_destination_options", [IPv6ExtHdrDestOpt() for _ in range(7)], "S")
    B.v6("v6_11_destination_options", [IPv6ExtHdrDestOpt() for _ in range(11)], "S")
    B.v6("v6_hop_by_hop_and_20_destination_options",
         [IPv6ExtHdrHopByHop()] + [IPv6ExtHdrDestOpt() for _ in range(20)], "S")
    B.v6("v6_hop_by_hop_length_past_packet", [IPv6ExtHdrHopByHop()], "S",
         post=lambda b: b[:L6 + 1] + b"\xff" + b[L6 + 2:])
    B.v6("v6_unknown_next_header_253", [IPv6ExtHdrDestOpt()], "S",
         post=lambda b: b[:20] + b"\xfd" + b[21:])

    # TCP options: every length of an unknown kind, then malformed ones.
    for n in range(2, 41):
        B.v4_rawopts("opt_kind253_len%d" % n, bytes([253, n]) + bytes(range(n - 2)))
    for doff_words in range(0, 11):
        B.v4_rawopts("opt_nops_%d_bytes" % (doff_words * 4), b"\x01" * (doff_words * 4))
    B.v4_rawopts("opt_len0", b"\x63\x00\x01\x01")
    B.v4_rawopts("opt_len1", b"\x63\x01\x01\x01")
    B.v4_rawopts("opt_mss_len0", b"\x02\x00\x05\xb4")
    B.v4_rawopts("opt_mss_len3", b"\x02\x03\x05\x01")
    B.v4_rawopts("opt_mss_len10_past_header", b"\x01\x01\x02\x0a")
    B.v4_rawopts("opt_len255_past_header", b"\xfe\xff\x00\x00")
    B.v4_rawopts("opt_ws_len4_shift_200", b"\x03\x04\xc8\x00")
    B.v4_rawopts("opt_ws_shift_15", b"\x03\x03\x0f\x01")
    B.v4_rawopts("opt_sackperm_len3", b"\x04\x03\x00\x01")
    B.v4_rawopts("opt_ts_len8", b"\x08\x08" + b"\x11" * 6)
    B.v4_rawopts("opt_ts_len12_past_header", b"\x01\x01\x08\x0c" + b"\x22" * 8)
    B.v4_rawopts("opt_two_mss_two_ts", b"\x02\x04\x05\xb4\x02\x04\x00\x10"
                 + b"\x08\x0a" + b"\x01" * 8 + b"\x08\x0a" + b"\x02" * 8, flags="A")
    B.v4_rawopts("opt_sack_odd_len", b"\x05\x0b" + b"\x33" * 9 + b"\x00", flags="A")
    B.v4_rawopts("opt_sack_4_blocks", b"\x01\x01\x05\x22" + b"\x44" * 32, flags="A")
    B.v4_rawopts("opt_eol_first_then_mss", b"\x00\x02\x04\x05\xb4\x00\x00\x00")
    B.v4_rawopts("opt_eol_then_garbage", b"\x01\x00\xff\xff\x13\x12\x11\x10")
    B.v4_rawopts("opt_unknown_kinds", b"\x1e\x04\x00\x00\xff\x02\x10\x02\x22\x03\x00\x01")
    B.v4_rawopts("opt_md5_len18", b"\x13\x12" + b"\x55" * 16, flags="A")
    B.v4_rawopts("opt_all_control_bytes", bytes([0x1b, 6, 0x1b, 0x5b, 0x32, 0x4a]), flags="A")

    # Flags, lengths and payloads.
    B.v4("flags_none", "", dport=closed)
    B.v4("flags_all_nine", "FSRPAUECN", tcp_kw={"urgptr": 7})
    B.v4("flags_syn_fin", "SF")
    B.v4("flags_syn_rst", "SR", dport=closed)
    B.v4("flags_urg_payload", "UA", payload=b"urgent!", tcp_kw={"urgptr": 3})
    B.v4("zero_length_ack", "A", ack=12345)
    B.v4("payload_binary_256", "PA", payload=bytes(range(256)) * 4)
    B.v4("payload_nul_bytes", "PA", payload=b"\0" * 1000)
    B.v4("payload_http_request_ctrl", "PA",
         payload=b"GET /\x1b[2J\x1b]0;pwned\x07\x00\x7f\x9b HTTP/1.1\r\nHost: \x1b[31m\r\n\r\n")
    B.v4("payload_http_request_bad_utf8", "PA",
         payload=b"GET /\xff\xfe\xc3\x28\xe2\x82\xf0\x28\x8c\x28 HTTP/1.1\r\n\r\n")
    B.v4("payload_http_response_ctrl", "PA", dport=closed,
         payload=b"HTTP/1.1 200 \x1b[5mOK\x08\x08\r\nContent-Type: \xff\x1b\r\n\r\n")
    B.v4("payload_http_method_only", "PA", payload=b"GET ")
    B.v4("payload_http_no_crlf_1000", "PA", payload=b"POST /" + b"\xc0" * 1000)
    B.v4("payload_60k", "PA", payload=bytes((i * 7) & 0xff for i in range(60000)))
    B.v6("v6_payload_60k", (), "PA", payload=bytes((i * 13) & 0xff for i in range(60000)))
    B.v4("seq_ack_max", "PA", seq=0xffffffff, ack=0xffffffff, payload=b"wrap")
    return B.cases


def send_frames(cases, iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    sent = 0
    for c in cases:
        try:
            s.send(c["frame"])
            c["sent"] = True
            sent += 1
        except OSError as e:
            c["sent"] = False
            c["error"] = str(e)
        time.sleep(0.002)
    s.close()
    return sent


# ESC [1m X BEL, two bytes of invalid UTF-8, SOH: what a tracer must escape
# when it names the process.
HOSTILE_COMM = b"\x1b[1mX\x07\xff\xfe\x01"


def set_comm(name):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    PR_SET_NAME = 15
    if libc.prctl(PR_SET_NAME, ctypes.c_char_p(name), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NAME)")


def http_cases(port, host):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    big = b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 61440\r\n\r\n"
    cases = [
        ("request_line_control_chars",
         b"GET /a\x01\x07\x1b[31mred\x1b[0m\x7f\x9b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        ("request_line_invalid_utf8",
         b"GET /\xff\xfe\xc3\x28\xe2\x82\xf0\x28\x8c\x28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        ("line_100k_no_newline", b"GET /" + b"A" * 100000),
        ("binary_request", bytes((i * 31 + 7) & 0xff for i in range(4096))),
        ("single_write_60k", big + bytes((i * 3) & 0xff for i in range(61440 - len(big)))),
        ("client_sends_response", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
        ("nul_in_request_line", b"GET /\x00nul HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    ]
    for name, data in cases:
        got = 0
        try:
            with socket.socket(fam, socket.SOCK_STREAM) as s:
                s.settimeout(3)
                s.connect((host, port))
                s.sendall(data)
                try:
                    s.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                deadline = time.monotonic() + 3
                while time.monotonic() < deadline:
                    b = s.recv(65536)
                    if not b:
                        break
                    got += len(b)
            print("%s: sent %d, received %d" % (name, len(data), got))
        except OSError as e:
            print("%s: sent %d, received %d, %s" % (name, len(data), got, e))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("crafted")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--closed-port", type=int, required=True)
    c.add_argument("--manifest", required=True)
    c.add_argument("--iface", default="lo")
    h = sub.add_parser("http")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--host", default="127.0.0.1")
    h.add_argument("--hostile-comm", action="store_true",
                   help="first set this process's name to control characters and invalid UTF-8")
    a = ap.parse_args()
    if a.cmd == "crafted":
        cases = crafted(a.port, a.closed_port)
        n = send_frames(cases, a.iface)
        with open(a.manifest, "w") as f:
            for cs in cases:
                f.write(json.dumps({k: v for k, v in cs.items() if k != "frame"}
                                   | {"frame_len": len(cs["frame"])}) + "\n")
        print("sent %d of %d crafted frames" % (n, len(cases)))
        return 0 if n == len(cases) else 1
    if a.hostile_comm:
        set_comm(HOSTILE_COMM)
    http_cases(a.port, a.host)
    return 0


if __name__ == "__main__":
    sys.exit(main())
