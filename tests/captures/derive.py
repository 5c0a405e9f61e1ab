#!/usr/bin/env python3
"""Derives the corpus's other link types from one Ethernet capture.

usage: derive.py SOURCE.pcap OUTDIR

SOURCE is a classic pcap of Ethernet frames (dumpcap on lo, then
`editcap -F pcap`). Each output holds the same packets, in the same order,
with the same timestamps, behind another link-layer header, so that
Wireshark numbers their frames and streams alike:
  vlan.pcap      Ethernet with an 802.1Q tag (VLAN 100)
  null.pcap      BSD loopback, host byte order (as Npcap's loopback adapter
                 writes: AF_INET 2, AF_INET6 24)
  loop.pcap      OpenBSD loopback, network byte order
  raw.pcap       raw IP (LINKTYPE_RAW)
  sll.pcap       Linux cooked v1
  sll2.pcap      Linux cooked v2
  retransmit.pcap  the first connection alone, Ethernet, its first response
                 segment sent again right after itself (a retransmission)
  late_fin.pcap  the first connection alone, Ethernet, its last FIN sent
                 again 0.2, 0.6 and 1.4 s after the last ACK, each answered
                 by that ACK again (as when the ACK is lost after the
                 capture point and the FIN's retransmission timer doubles)
"""
import os
import struct
import sys

DLT = {"ether": 1, "null": 0, "loop": 108, "raw": 101, "sll": 113, "sll2": 276}


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        sys.exit(f"{path}: not a little-endian classic pcap")
    linktype = struct.unpack("<I", data[20:24])[0]
    if linktype != DLT["ether"]:
        sys.exit(f"{path}: link type {linktype}, not Ethernet")
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, caplen, wirelen = struct.unpack("<IIII", data[off:off + 16])
        recs.append([sec, frac, wirelen - caplen, data[off + 16:off + 16 + caplen]])
        off += 16 + caplen
    return magic, recs


def write_pcap(path, magic, linktype, recs):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, 65535, linktype))
        for sec, frac, cut, frame in recs:
            f.write(struct.pack("<IIII", sec, frac, len(frame), len(frame) + cut))
            f.write(frame)


def ethertype(frame):
    return struct.unpack(">H", frame[12:14])[0]


def family(frame):
    return 24 if ethertype(frame) == 0x86DD else 2


def relink(frame, kind):
    ip = frame[14:]
    if kind == "vlan":
        return frame[:12] + b"\x81\x00\x00\x64" + frame[12:]
    if kind == "null":
        return struct.pack("<I", family(frame)) + ip
    if kind == "loop":
        return struct.pack(">I", family(frame)) + ip
    if kind == "raw":
        return ip
    if kind == "sll":  # packet type 0 (to us), ARPHRD_LOOPBACK, 6-byte address
        return struct.pack(">HHH8sH", 0, 772, 6, b"", ethertype(frame)) + ip
    if kind == "sll2":  # protocol, reserved, ifindex 1, ARPHRD_LOOPBACK, to us
        return struct.pack(">HHIHBB8s", ethertype(frame), 0, 1, 772, 0, 6, b"") + ip
    raise ValueError(kind)


def tcp_of(frame):
    """(sport, dport, payload length) of an Ethernet/IPv4 or IPv6 TCP frame."""
    if ethertype(frame) == 0x0800:
        ihl = (frame[14] & 0xF) * 4
        total = struct.unpack(">H", frame[16:18])[0]
        tcp = 14 + ihl
        plen = total - ihl
    else:
        tcp = 14 + 40
        plen = struct.unpack(">H", frame[18:20])[0]
    sport, dport = struct.unpack(">HH", frame[tcp:tcp + 4])
    return sport, dport, plen - (frame[tcp + 12] >> 4) * 4


def first_connection(recs):
    sport, dport, _ = tcp_of(recs[0][3])
    ports = {sport, dport}
    return [r for r in recs if set(tcp_of(r[3])[:2]) == ports]


def retransmit(recs, server_port=8080):
    recs = first_connection(recs)
    for i, r in enumerate(recs):
        sport, _, plen = tcp_of(r[3])
        if sport == server_port and plen > 0:
            break
    else:
        sys.exit("no response segment in the first connection")
    again = list(r)
    nxt = recs[i + 1] if i + 1 < len(recs) else r
    # Halfway to the next packet, in the timestamp's own unit.
    t0, t1 = r[0] * 10**9 + r[1], nxt[0] * 10**9 + nxt[1]
    t = (t0 + t1) // 2
    again[0], again[1] = divmod(t, 10**9)
    return recs[:i + 1] + [again] + recs[i + 1:]


def at(rec, ns):
    """rec's copy, stamped ns nanoseconds after rec."""
    again = list(rec)
    again[0], again[1] = divmod(rec[0] * 10**9 + rec[1] + ns, 10**9)
    return again


def late_fin(recs):
    recs = first_connection(recs)
    fins = [r for r in recs if r[3][14 + (r[3][14] & 0xF) * 4 + 13] & 1]
    if ethertype(recs[0][3]) != 0x0800 or len(fins) != 2:
        sys.exit("the first connection is not IPv4 with two FINs")
    fin, last = fins[-1], recs[-1]
    out = list(recs)
    for ms in (200, 600, 1400):
        resent = at(last, ms * 10**6)
        resent[3] = fin[3]
        out += [resent, at(resent, 20000)]
        out[-1][3] = last[3]
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    magic, recs = read_pcap(sys.argv[1])
    if magic != 0xA1B23C4D:
        sys.exit("the source must have nanosecond timestamps (editcap -F nsecpcap)")
    out = sys.argv[2]
    for kind in ("vlan", "null", "loop", "raw", "sll", "sll2"):
        lt = DLT["ether"] if kind == "vlan" else DLT[kind]
        write_pcap(os.path.join(out, kind + ".pcap"), magic, lt,
                   [[s, f, c, relink(fr, kind)] for s, f, c, fr in recs])
    write_pcap(os.path.join(out, "retransmit.pcap"), magic, DLT["ether"], retransmit(recs))
    write_pcap(os.path.join(out, "late_fin.pcap"), magic, DLT["ether"], late_fin(recs))


if __name__ == "__main__":
    main()
