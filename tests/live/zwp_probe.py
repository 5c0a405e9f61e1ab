#!/usr/bin/python3
"""A zero window probe as Wireshark defines it, for test_analysis.sh (run it
in the test's own network namespace, as root):

  zwp_probe.py PORT

The server sends 32 KB (analysis_peer.py's slow server) to a client with a 4 KB receive buffer that reads
nothing until its window is zero. Linux probes a zero window with a segment
one byte below the next seq (tshark 4.0 calls it a keep-alive), never with
one byte at the next seq, so that probe is written here on lo with a packet
socket, as the server: one byte at the server's next seq. The client's TCP
drops it (TCP_ZEROWINDOW) and ACKs with its window still zero: Wireshark's
zero window probe ACK. Then the client reads everything and both close.

Prints "done BYTES" and exits 0 when the probe was answered and all the
bytes arrived. Every wait is bounded (socket timeouts, a 10 s deadline)."""
import socket
import struct
import sys
import time

from scapy.all import IP, TCP, Ether

from analysis_peer import SLOW_BYTES, client, read_all, serve, serve_slow

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4


def tcp_of(frame):
    """(sport, dport, seq, ack, flags, window, payload length) of an IPv4
    TCP frame on lo, or None."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0F) * 4
    tot = struct.unpack("!H", frame[16:18])[0]
    t = 14 + ihl
    sport, dport, seq, ack, off, flags, win = struct.unpack("!HHIIBBH", frame[t:t + 16])
    return sport, dport, seq, ack, flags, win, tot - ihl - (off >> 4) * 4


def main():
    port = int(sys.argv[1])
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniff.bind(("lo", 0))
    sniff.settimeout(1)
    srv, errors, t = serve(port, serve_slow)
    cli = client(port, (socket.SOL_SOCKET, socket.SO_RCVBUF, 4096))
    cport = cli.getsockname()[1]

    # The server's next seq and ack, until the client's window is zero;
    # then the probe, and the client's answer to it.
    nxt = ack = swin = None
    probed = answered = False
    deadline = time.monotonic() + 10
    while not answered and time.monotonic() < deadline:
        try:
            frame, addr = sniff.recvfrom(70000)
        except socket.timeout:
            continue
        s = tcp_of(frame)
        if addr[2] == PACKET_OUTGOING or not s:
            continue
        sport, dport, seq, sack, flags, win, length = s
        if (sport, dport) == (port, cport) and length > 1:
            nxt, ack, swin = seq + length, sack, win
        elif (sport, dport) == (cport, port) and win == 0 and nxt is not None:
            if probed:
                answered = True
            elif sack == nxt:
                probe = (Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00")
                         / IP(src="127.0.0.1", dst="127.0.0.1")
                         / TCP(sport=port, dport=cport, seq=nxt, ack=ack, flags="A",
                               window=swin) / b"z")
                sniff.send(bytes(probe))
                probed = True
    got = read_all(cli, SLOW_BYTES)
    cli.close()
    t.join(20)
    srv.close()
    sniff.close()
    ok = answered and got == SLOW_BYTES and not errors
    print("done" if ok else "failed", got)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
