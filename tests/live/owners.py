#!/usr/bin/env python3
"""Client traffic for test_owners.sh: many lives on one server, so that the
kernel reuses sockets' memory for new sockets of the same processes, many
sockets open at once, and sockets handed from one process to another.

usage: owners.py PORT CLOSED KEPT
Prints "pid PID" (its own), then "handover PORT PID" for each handed-over
connection: its client port and the process that used it last."""
import os
import socket
import sys

REQ = b"GET /index.html HTTP/1.1\r\nHost: t\r\n%s\r\n"


def exchange(s, close=False):
    s.sendall(REQ % (b"Connection: close\r\n" if close else b""))
    got = b""
    while b"</p>" not in got:
        chunk = s.recv(4096)
        if not chunk:
            break
        got += chunk
    if not got.startswith(b"HTTP/1.1 200"):
        sys.exit("bad response: %r" % got[:60])


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def handover(port, back):
    """The parent connects and asks; a child asks on the same socket; with
    back, the parent asks once more after it. The last one to ask owns it."""
    s = connect(port)
    exchange(s)
    child = os.fork()
    if child == 0:
        exchange(s)
        os._exit(0)
    os.waitpid(child, 0)
    last = child
    if back:
        exchange(s)
        last = os.getpid()
    print("handover %d %d" % (s.getsockname()[1], last), flush=True)
    s.close()


def main():
    port, closed, kept = (int(a) for a in sys.argv[1:4])
    print("pid %d" % os.getpid(), flush=True)
    for _ in range(closed):
        s = connect(port)
        exchange(s, close=True)
        s.close()
    socks = [connect(port) for _ in range(kept)]
    for _ in range(3):
        for s in socks:
            exchange(s)
    for s in socks:
        s.close()
    handover(port, False)
    handover(port, True)


main()
