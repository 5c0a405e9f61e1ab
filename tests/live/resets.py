#!/usr/bin/env python3
"""Traffic for test_resets.sh, on 127.0.0.1 in the test's own namespace.

  resets.py econnreset PORT   the server aborts (SO_LINGER 0) after reading the
                              request; the client's recv() then gets ECONNRESET
  resets.py unread PORT       the client sends a request and closes; once its
                              orphan is in FIN_WAIT2 the server closes unread
                              (CLOSE, then the RST)
  resets.py refused PORT      a connect to a port nobody listens on
  resets.py backlog PORT      a listener with backlog 1 that never accepts: two
                              clients get in and send a request, a third one's
                              SYNs go unanswered until connect() gives up; then
                              the listener closes, aborting the two unaccepted
                              children, whose clients' recv() get ECONNRESET
  resets.py burst PORT N      N connections, 50 at a time, each asking with
                              Connection: close (the server closes first) and
                              closing 50 ms after the end of the response, so
                              the server's FIN is acknowledged by a delayed ACK
  resets.py stress PORT SECS  connects to a closed port for SECS seconds: state
                              changes in process context on every CPU

Each prints one line saying what the sockets saw; the exit status is 0 when
the sockets behaved as the scenario intends, 1 otherwise.
"""
import errno
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
REQ = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def listener(port, backlog=8):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(backlog)
    return s


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def recv_error(s, timeout=5):
    """What recv() ends with: an errno name, or EOF."""
    s.settimeout(timeout)
    try:
        while s.recv(4096):
            pass
        return "EOF"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))


def tcp_state(local_port):
    """The kernel's state (hex, as /proc/net/tcp) of the socket bound to local_port."""
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if int(fields[1].split(":")[1], 16) == local_port:
                return fields[3]
    return None


def wait_until(cond, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return True
        time.sleep(0.005)
    return False


def econnreset(port):
    srv = listener(port)
    c = socket.create_connection((HOST, port))
    a, _ = srv.accept()
    c.sendall(REQ)
    a.recv(4096)
    abort(a)
    got = recv_error(c)
    c.close()
    srv.close()
    print("client recv:", got)
    return got == "ECONNRESET"


def unread(port):
    srv = listener(port)
    c = socket.create_connection((HOST, port))
    a, _ = srv.accept()
    cport = c.getsockname()[1]
    c.sendall(REQ)
    c.close()
    # 05: FIN_WAIT2, the timewait socket that took over the orphan.
    ok = wait_until(lambda: tcp_state(cport) == "05")
    a.close()
    srv.close()
    print("client orphan in FIN_WAIT2 before the server's close:", ok)
    return ok


def refused(port):
    c = socket.socket()
    try:
        c.connect((HOST, port))
        got = "connected"
    except OSError as e:
        got = errno.errorcode.get(e.errno, str(e))
    c.close()
    print("connect:", got)
    return got == "ECONNREFUSED"


def backlog(port):
    srv = listener(port, 1)
    inside = []
    for _ in range(2):
        c = socket.create_connection((HOST, port))
        c.sendall(REQ)
        inside.append(c)
    late = socket.socket()
    late.settimeout(60)
    try:
        late.connect((HOST, port))
        got = "connected"
    except OSError as e:
        got = errno.errorcode.get(e.errno, str(e)) if e.errno else "timeout"
    late.close()
    srv.close()
    errs = [recv_error(c) for c in inside]
    for c in inside:
        c.close()
    print("third connect:", got, "unaccepted clients' recv:", " ".join(errs))
    return got == "ETIMEDOUT" and errs == ["ECONNRESET", "ECONNRESET"]


def burst(port, n):
    req = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    done = []
    lock = threading.Lock()

    def worker(k):
        for _ in range(k):
            s = socket.create_connection((HOST, port), timeout=10)
            s.sendall(req)
            got = recv_error(s, 10)
            time.sleep(0.05)
            s.close()
            with lock:
                done.append(got)

    par = 50
    ts = [threading.Thread(target=worker, args=(n // par,)) for _ in range(par)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("responses read to EOF:", done.count("EOF"), "of", n)
    return done.count("EOF") == n


def stress(port, secs):
    end = time.time() + secs
    while time.time() < end:
        s = socket.socket()
        try:
            s.connect((HOST, port))
        except OSError:
            pass
        s.close()
        time.sleep(0.001)
    return True


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    runs = {
        "econnreset": lambda: econnreset(port),
        "unread": lambda: unread(port),
        "refused": lambda: refused(port),
        "backlog": lambda: backlog(port),
        "burst": lambda: burst(port, int(sys.argv[3])),
        "stress": lambda: stress(port, float(sys.argv[3])),
    }
    return 0 if runs[cmd]() else 1


if __name__ == "__main__":
    sys.exit(main())
