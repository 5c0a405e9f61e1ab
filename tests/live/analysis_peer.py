#!/usr/bin/env python3
"""Both ends of one TCP connection on 127.0.0.1:PORT, for test_analysis.sh.

  slow PORT       the server sends 32 KB to a client with a 4 KB receive
                  buffer that reads 4 KB every 300 ms: zero windows, Linux's
                  zero-window probes, window full, window updates
  keepalive PORT  a client with SO_KEEPALIVE, 1 s idle and interval, stays
                  silent 3.5 s after one exchange: keep-alives and their ACKs

Prints one line, "done BYTES", and exits 0 when the exchange went as planned.
Every wait is bounded."""
import socket
import sys
import threading
import time

SLOW_BYTES = 32 * 1024


def listener(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    srv.settimeout(10)
    return srv


def serve_slow(srv, errors):
    try:
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(20)
            conn.sendall(b"x" * SLOW_BYTES)
    except OSError as e:
        errors.append(e)


def slow(port):
    srv = listener(port)
    errors = []
    t = threading.Thread(target=serve_slow, args=(srv, errors))
    t.start()
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Before connect: the window offered in the handshake follows it.
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    cli.settimeout(10)
    cli.connect(("127.0.0.1", port))
    got = 0
    deadline = time.monotonic() + 20
    while got < SLOW_BYTES and time.monotonic() < deadline:
        time.sleep(0.3)
        chunk = cli.recv(4096)
        if not chunk:
            break
        got += len(chunk)
    cli.close()
    t.join(20)
    srv.close()
    return got == SLOW_BYTES and not errors, got


def serve_echo(srv, errors):
    try:
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(10)
            conn.sendall(conn.recv(16))
            conn.recv(16)  # the client's close
    except OSError as e:
        errors.append(e)


def keepalive(port):
    srv = listener(port)
    errors = []
    t = threading.Thread(target=serve_echo, args=(srv, errors))
    t.start()
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cli.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    cli.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    cli.settimeout(10)
    cli.connect(("127.0.0.1", port))
    cli.sendall(b"ping")
    got = len(cli.recv(16))
    time.sleep(3.5)
    cli.close()
    t.join(15)
    srv.close()
    return got == 4 and not errors, got


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    ok, got = {"slow": slow, "keepalive": keepalive}[mode](port)
    print("done" if ok else "failed", got)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
