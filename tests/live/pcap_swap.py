#!/usr/bin/env python3
"""Two frames of a classic pcap trade places, as a reorder on the way to a
capture would show them, for test_kernel_facts.sh.

usage: pcap_swap.py IN.pcap OUT.pcap N

Frames N and N+1 (from 1) trade their packets; each timestamp stays where
it was, so the capture still runs forward in time. Exits 1 with a message
when IN is not a classic pcap or has no frame N+1.
"""
import struct
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.strip().splitlines()[2])
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    magic = data[:4]
    order = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
             b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if order is None or len(data) < 24:
        sys.exit(f"{sys.argv[1]}: not a classic pcap")
    stamps, packets, off = [], [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack(order + "I", data[off + 8:off + 12])[0]
        stamps.append(data[off:off + 8])
        packets.append(data[off + 8:off + 16 + caplen])
        off += 16 + caplen
    n = int(sys.argv[3]) - 1
    if n < 0 or n + 1 >= len(packets):
        sys.exit(f"{sys.argv[1]}: no frames {n + 1} and {n + 2}")
    packets[n], packets[n + 1] = packets[n + 1], packets[n]
    with open(sys.argv[2], "wb") as f:
        f.write(data[:24])
        for stamp, packet in zip(stamps, packets):
            f.write(stamp + packet)


if __name__ == "__main__":
    main()
