#!/usr/bin/python3
# Slow-header clients for tests/httpd/test_parse_cost.sh and the attack mode of
# tests/bench/httpd.sh (standard library only). Traffic to 127.0.0.1 only,
# every loop bounded in count and time.
#
#   slow_headers.py load --port P --conns N --block BYTES --interval-ms MS
#                        (--bytes-per-conn K | --seconds S) [--pid PID]
#                        [--path-len L] [--server-segs]
#     opens N connections, sends each "GET /aaa... HTTP/1.1" (a path of L
#     bytes, default 1), a Host line and BYTES
#     of unfinished "a:b" header lines, waits until the server has read them
#     all, then sends one more byte of such lines on every connection every
#     MS ms (K bytes each, or for S seconds). With --pid, the server's CPU time
#     (schedstat, else utime + stime) is measured over the trickle only.
#     Prints "trickling" when the trickle starts, then
#     bytes=B seconds=S cpu_ms=C unread=U closed=N answered=A [hwm_kb=PEAK_RSS]
#     [server_segs=G]
#     (U: bytes the server had not read 2 s after the trickle ended; N:
#     connections the server closed during the trickle; A: connections with
#     a response from the server waiting (nginx answers a request of over
#     1000 header lines 400 at once, and then only drains its input); G: the
#     TCP segments the server's side of the connections sent during the
#     trickle, its ACKs, from ss's segs_out).
#
#   slow_headers.py trickle --port P --interval-ms MS
#     sends "GET / HTTP/1.1", a Host line, 20 "a:b" lines and the blank line
#     a byte at a time, MS ms apart, reads the response, then sends a second
#     GET / in one write on the same connection and reads that; prints
#     status=S reply_ms=R status2=S2 (R: from the last byte sent to the whole
#     first response read).
#
#   slow_headers.py probe --port P --count N --interval-ms MS
#     N times: a new connection, "GET / HTTP/1.1" with Connection: close, the
#     whole reply read; prints the latencies' median and maximum:
#     probes=N median_ms=M max_ms=X failed=F
import argparse
import os
import re
import resource
import socket
import subprocess
import sys
import time

LINE = b"a:b\r\n"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid):
    """The process's user plus system time so far, in ms: from
    /proc/PID/schedstat (ns; the server has one thread) where the kernel has
    it, as utime + stime of /proc/PID/stat count in 10 ms ticks."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e6
    except FileNotFoundError:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / CLK_TCK


def unread_bytes(port):
    """Bytes waiting in the receive queues of sockets on local port `port`,
    the server's side of every connection (/proc/net/tcp, rx_queue)."""
    total = 0
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for row in f:
                    cols = row.split()
                    if int(cols[1].rsplit(":", 1)[1], 16) == port and cols[3] == "01":
                        total += int(cols[4].split(":")[1], 16)
        except FileNotFoundError:
            pass
    return total


def wait_read(port, seconds=10):
    """Until the server has read everything sent (bounded); what is left."""
    deadline = time.monotonic() + seconds
    while unread_bytes(port) and time.monotonic() < deadline:
        time.sleep(0.01)
    return unread_bytes(port)


def peak_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(row.split()[1]) for row in f if row.startswith("VmHWM:"))


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(n + 64, hard), hard))


def server_segs(port):
    """segs_out summed over the established sockets on local port `port`."""
    out = subprocess.run(["ss", "-Htin", "state", "established", f"( sport = :{port} )"],
                         capture_output=True, text=True, check=True).stdout
    return sum(int(m) for m in re.findall(r"\bsegs_out:(\d+)", out))


def answered(conns):
    """Connections with bytes from the server waiting to be read."""
    n = 0
    for s in conns:
        try:
            n += bool(s.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
        except OSError:
            pass
    return n


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def load(a):
    block = (LINE * (a.block // len(LINE) + 1))[: a.block]
    head = b"GET /" + b"a" * (a.path_len - 1) + b" HTTP/1.1\r\nHost: x\r\n" + block
    raise_nofile(a.conns)
    conns = []
    for _ in range(a.conns):
        s = connect(a.port)
        s.sendall(head)
        s.setblocking(False)
        conns.append(s)
    if wait_read(a.port):
        sys.exit("slow_headers.py: the server did not read the header blocks in 10 s")
    rounds = a.bytes_per_conn if a.bytes_per_conn else int(a.seconds * 1000 / a.interval_ms)
    # The next byte of each connection continues its last unfinished line.
    at = len(block) % len(LINE)
    sent = 0
    print("trickling", flush=True)
    start_segs = server_segs(a.port) if a.server_segs else 0
    start_cpu = cpu_ms(a.pid) if a.pid else 0
    start = time.monotonic()
    closed = set()
    for r in range(rounds):
        byte = LINE[(at + r) % len(LINE) : (at + r) % len(LINE) + 1]
        for s in conns:
            try:
                sent += s.send(byte)
            except BlockingIOError:
                pass
            except ConnectionError:
                closed.add(s)
        delay = start + (r + 1) * a.interval_ms / 1000 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    # A server that falls behind gets 2 s to catch up; what it has not read
    # by then is reported (its CPU time is then a floor).
    unread = wait_read(a.port, 2)
    used = cpu_ms(a.pid) - start_cpu if a.pid else 0
    hwm = f" hwm_kb={peak_rss_kb(a.pid)}" if a.pid else ""
    segs = f" server_segs={server_segs(a.port) - start_segs}" if a.server_segs else ""
    print(f"bytes={sent} seconds={time.monotonic() - start:.2f} cpu_ms={used:.3f} "
          f"unread={unread} closed={len(closed)} answered={answered(conns)}{hwm}{segs}")
    for s in conns:
        s.close()


def read_response(s):
    """One response with a Content-Length body; its status code."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the head")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = int(re.search(rb"\r\ncontent-length: *(\d+)", head, re.I).group(1))
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed in the body")
        body += chunk
    return int(head.split()[1])


def trickle(a):
    request = b"GET / HTTP/1.1\r\nHost: x\r\n" + LINE * 20 + b"\r\n"
    with connect(a.port) as s:
        for i in range(len(request)):
            s.sendall(request[i : i + 1])
            time.sleep(a.interval_ms / 1000)
        last = time.monotonic()
        status = read_response(s)
        reply_ms = (time.monotonic() - last) * 1000
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        status2 = read_response(s)
    print(f"status={status} reply_ms={reply_ms:.1f} status2={status2}")


def probe_once(port):
    start = time.monotonic()
    with connect(port) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    if not reply.startswith(b"HTTP/1.1 200 "):
        raise ConnectionError("not a 200")
    return (time.monotonic() - start) * 1000


def probe(a):
    times, failed = [], 0
    for i in range(a.count):
        next_at = time.monotonic() + a.interval_ms / 1000
        try:
            times.append(probe_once(a.port))
        except OSError:
            failed += 1
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
    times.sort()
    median = times[len(times) // 2] if times else 0
    print(f"probes={len(times)} median_ms={median:.2f} "
          f"max_ms={times[-1] if times else 0:.2f} failed={failed}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    lo = sub.add_parser("load")
    lo.add_argument("--port", type=int, required=True)
    lo.add_argument("--conns", type=int, required=True)
    lo.add_argument("--block", type=int, required=True)
    lo.add_argument("--interval-ms", type=float, default=2)
    lo.add_argument("--bytes-per-conn", type=int, default=0)
    lo.add_argument("--seconds", type=float, default=0)
    lo.add_argument("--pid", type=int, default=0)
    lo.add_argument("--path-len", type=int, default=1)
    lo.add_argument("--server-segs", action="store_true")
    tr = sub.add_parser("trickle")
    tr.add_argument("--port", type=int, required=True)
    tr.add_argument("--interval-ms", type=float, default=2)
    pr = sub.add_parser("probe")
    pr.add_argument("--port", type=int, required=True)
    pr.add_argument("--count", type=int, default=200)
    pr.add_argument("--interval-ms", type=float, default=20)
    a = p.parse_args()
    if a.mode == "load":
        if not (a.bytes_per_conn or a.seconds) or a.conns < 1 or a.conns > 2000:
            p.error("load needs --bytes-per-conn or --seconds, and 1-2000 --conns")
        if a.seconds > 120 or a.bytes_per_conn > 100000:
            p.error("bounded: at most 120 s or 100000 bytes per connection")
        load(a)
    elif a.mode == "trickle":
        if not 0 < a.interval_ms <= 100:
            p.error("bounded: --interval-ms 0-100")
        trickle(a)
    else:
        if a.count > 100000:
            p.error("bounded: at most 100000 probes")
        probe(a)


if __name__ == "__main__":
    main()
