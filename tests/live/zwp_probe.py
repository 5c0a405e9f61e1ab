#!/usr/bin/python3
"""A zero window probe as Wireshark defines it, for test_analysis.sh (run it
in the test's own network namespace, as root):

  zwp_probe.py PORT

The server sends 32 KB (analysis_peer.py's slow server) to a client with a
4 KB receive buffer that reads nothing until its window is zero. Linux probes
a zero window with a segment one byte below the next seq (tshark 4.0 calls it
a keep-alive), never with one byte at the next seq, so that probe is written
here on lo with a packet socket, as the server: one byte at the server's next
seq. The client's TCP drops it (TCP_ZEROWINDOW) and ACKs with its window still
zero: Wireshark's zero window probe ACK, as long as the server's last segment
before it is the probe. Then the client reads everything and both close.

The server's kernel probes the zero window too, on its own timer (200 ms,
then 400, 800...). Under load one of its probes can land between ours and
the client's ACK: sent while ours waits to be processed, it is queued behind
ours and ahead of the ACK that ours then brings. Wireshark calls that ACK a
plain zero window: the server's last segment was a keep-alive. No delay
avoids that for certain, so the order is checked where the tracer and the
capture see it, and the probe sent again (at most PROBES times) until it
holds. This socket gets every frame twice: as it leaves (PACKET_OUTGOING,
on the sending CPU just after the TC hook, so in the hook's order) and as it
arrives (the capture's order). In both, the frame right after our probe must
be the client's zero-window ACK, and the client's frame before it a zero
window. The probe goes out through a socket of its own: a packet socket
does not get its own outgoing frames.

Prints "done BYTES PROBES_SENT" and exits 0 when a probe was answered in both
orders and all the bytes arrived. Every wait is bounded (socket timeouts, a
10 s deadline)."""
import socket
import struct
import sys
import time

from scapy.all import IP, TCP, Ether

from analysis_peer import SLOW_BYTES, client, read_all, serve, serve_slow

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
TH_ACK = 0x10
PROBES = 5


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


class Order:
    """One order of the connection's frames (as they leave, or as they
    arrive), and what it says of the probe last sent: None while undecided,
    then whether it got its zero window probe ACK there."""

    def __init__(self):
        self.client_closed = False  # the client's last frame: a zero window
        self.after_probe = False  # the frame before this one was our probe
        self.verdict = None

    def frame(self, from_server, seq, ack, flags, win, length, nxt):
        if self.after_probe:
            self.after_probe = False
            self.verdict = (not from_server and win == 0 and length == 0
                            and flags == TH_ACK and ack == nxt)
        if from_server and length == 1 and seq == nxt and self.verdict is None:
            self.after_probe = self.client_closed
            if not self.client_closed:
                self.verdict = False
        if not from_server:
            self.client_closed = win == 0 and ack == nxt


def main():
    port = int(sys.argv[1])
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sniff.bind(("lo", 0))
    sniff.settimeout(1)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind(("lo", 0))
    srv, errors, t = serve(port, serve_slow)
    cli = client(port, (socket.SOL_SOCKET, socket.SO_RCVBUF, 4096))
    cport = cli.getsockname()[1]

    # The server's next seq, ack and window from the arriving frames; a
    # probe whenever the client's window is zero and no probe is pending.
    nxt = ack = swin = None
    leaving, arriving = Order(), Order()
    sent = 0
    answered = False
    deadline = time.monotonic() + 10
    while not answered and time.monotonic() < deadline:
        try:
            frame, addr = sniff.recvfrom(70000)
        except socket.timeout:
            continue
        s = tcp_of(frame)
        if not s or (s[0], s[1]) not in ((port, cport), (cport, port)):
            continue
        sport, dport, seq, sack, flags, win, length = s
        from_server = sport == port
        if from_server and length > 1 and addr[2] != PACKET_OUTGOING:
            nxt, ack, swin = seq + length, sack, win
        if nxt is None:
            continue
        order = leaving if addr[2] == PACKET_OUTGOING else arriving
        order.frame(from_server, seq, sack, flags, win, length, nxt)
        pending = sent and (leaving.verdict is None or arriving.verdict is None)
        answered = sent and leaving.verdict and arriving.verdict
        if not (pending or answered) and arriving.client_closed and sent < PROBES:
            probe = (Ether(src="00:00:00:00:00:00", dst="00:00:00:00:00:00")
                     / IP(src="127.0.0.1", dst="127.0.0.1")
                     / TCP(sport=port, dport=cport, seq=nxt, ack=ack, flags="A",
                           window=swin) / b"z")
            leaving.verdict = arriving.verdict = None
            tx.send(bytes(probe))
            sent += 1
    got = read_all(cli, SLOW_BYTES)
    cli.close()
    t.join(20)
    srv.close()
    sniff.close()
    tx.close()
    ok = answered and got == SLOW_BYTES and not errors
    print("done" if ok else "failed", got, sent)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
