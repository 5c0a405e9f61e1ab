#!/usr/bin/env python3
"""Traffic for test_http_segments.sh that curl and tcplife-httpd do not make:
a chunked response (5 chunks of 700 bytes, one send each), requests written
in two parts that leave as two segments, and a request line holding control
bytes, NUL and bytes that are not UTF-8.

  http_segments.py serve-chunked PORT    answers every request on PORT chunked
  http_segments.py chunked PORT MODE     keepalive: two requests, one connection;
                                         close: one request with Connection: close
  http_segments.py split PORT            request line, then header block, cut in two
  http_segments.py cut-response PORT     a response whose head is cut after a line
  http_segments.py control PORT          GET /<NUL, controls, 0xfe> HTTP/1.1

Each client prints one line of what it received; every wait is bounded."""
import select
import socket
import struct
import sys
import time

CHUNK = b"x" * 700
TIMEOUT = 5.0
# The gap between two requests on one connection, and between the last
# chunk and the close: long enough that an exchange ended by the next
# response or by the FIN would be off by far more than any clock skew.
GAP = 0.5


def recv_head(sock, buf):
    """Bytes up to the end of a message head; returns (head, rest)."""
    deadline = time.monotonic() + TIMEOUT
    while b"\r\n\r\n" not in buf:
        if time.monotonic() > deadline:
            raise TimeoutError("no message head")
        data = sock.recv(65536)
        if not data:
            raise EOFError("closed before a head")
        buf += data
    head, rest = buf.split(b"\r\n\r\n", 1)
    return head, rest


def serve_conn(conn):
    conn.settimeout(TIMEOUT)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    buf = b""
    while True:
        try:
            head, buf = recv_head(conn, buf)
        except EOFError:
            return
        close = b"connection: close" in head.lower()
        if head.split(b" ")[1].startswith(b"/small"):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nsmall")
            continue
        if head.split(b" ")[1].startswith(b"/cut"):
            # The head cut after a header line, its empty line with the body.
            send_acked(conn, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n")
            conn.sendall(b"\r\nhello")
            continue
        # Each part once the previous one was acknowledged: its own segment,
        # whatever autocorking would do (the tracer follows chunk-size lines
        # in the first 1 KB of each segment, README says).
        send_acked(conn, b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                   b"Transfer-Encoding: chunked\r\n"
                   + (b"Connection: close\r\n" if close else b"") + b"\r\n")
        for _ in range(5):
            send_acked(conn, b"2bc\r\n" + CHUNK + b"\r\n")
        conn.sendall(b"0\r\n\r\n")
        if close:
            time.sleep(GAP)
            return


def serve_chunked(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", port))
    srv.listen(8)
    while True:
        conn, _ = srv.accept()
        try:
            serve_conn(conn)
        except (OSError, TimeoutError, EOFError) as err:
            print("serve:", err, file=sys.stderr)
        conn.close()


def connect(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_chunked(sock, buf):
    """The decoded body of a chunked response after its head; returns (body, rest)."""
    body = b""
    deadline = time.monotonic() + TIMEOUT
    while True:
        while b"\r\n" not in buf:
            buf += recv_some(sock, deadline)
        line, buf = buf.split(b"\r\n", 1)
        size = int(line.split(b";")[0], 16)
        while len(buf) < size + 2:
            buf += recv_some(sock, deadline)
        body += buf[:size]
        buf = buf[size + 2:]
        if size == 0:
            return body, buf


def recv_some(sock, deadline):
    if time.monotonic() > deadline:
        raise TimeoutError("response not complete")
    data = sock.recv(65536)
    if not data:
        raise EOFError("closed early")
    return data


def client_chunked(port, mode):
    sock = connect(port)
    out = []
    if mode == "keepalive":
        sock.sendall(b"GET /chunked HTTP/1.1\r\nHost: x\r\n\r\n")
        head, rest = recv_head(sock, b"")
        body, rest = read_chunked(sock, rest)
        out.append("%s %d" % (head.split(b"\r\n")[0].decode(), len(body)))
        time.sleep(GAP)
        sock.sendall(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
        head, rest = recv_head(sock, rest)
        out.append(head.split(b"\r\n")[0].decode())
    else:
        sock.sendall(b"GET /chunked HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        head, rest = recv_head(sock, b"")
        body, rest = read_chunked(sock, rest)
        out.append("%s %d" % (head.split(b"\r\n")[0].decode(), len(body)))
        # Until the server's FIN.
        deadline = time.monotonic() + TIMEOUT
        while sock.recv(65536):
            if time.monotonic() > deadline:
                raise TimeoutError("no FIN")
    sock.close()
    print("|".join(out))


# struct tcp_info: tcpi_unacked is the 5th u32 after 8 u8s (linux/tcp.h).
TCPI_UNACKED = 8 + 4 * 4


def wait_acked(sock):
    """Until the peer acknowledged everything sent: the next send cannot join
    the previous segment then, whatever Nagle or autocork would do."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
        if struct.unpack_from("I", info, TCPI_UNACKED)[0] == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError("first part never acknowledged")
        select.select([], [], [], 0.002)


def send_acked(sock, data):
    sock.sendall(data)
    wait_acked(sock)


def send_in_two(sock, first, second):
    send_acked(sock, first)
    sock.sendall(second)


def client_split(port):
    sock = connect(port)
    out = []
    send_in_two(sock, b"GE", b"T /index.html HTTP/1.1\r\nHost: x\r\n\r\n")
    head, rest = recv_head(sock, b"")
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0]
                 .split(b":")[1])
    deadline = time.monotonic() + TIMEOUT
    while len(rest) < length:
        rest += recv_some(sock, deadline)
    rest = rest[length:]
    out.append(head.split(b"\r\n")[0].decode())
    send_in_two(sock, b"GET /index.html HTTP/1.1\r\nHost: x\r\n",
                b"Range: bytes=0-9\r\n\r\n")
    head, rest = recv_head(sock, rest)
    out.append(head.split(b"\r\n")[0].decode())
    sock.close()
    print("|".join(out))


def client_cut_response(port):
    sock = connect(port)
    sock.sendall(b"GET /cut HTTP/1.1\r\nHost: x\r\n\r\n")
    head, rest = recv_head(sock, b"")
    deadline = time.monotonic() + TIMEOUT
    while len(rest) < 5:
        rest += recv_some(sock, deadline)
    print("%s %s" % (head.split(b"\r\n")[0].decode(), rest.decode()))
    sock.close()


def client_control(port):
    sock = connect(port)
    sock.sendall(b"GET /\x00\x01\xfe\x1b[2J HTTP/1.1\r\nHost: x\r\n\r\n")
    head, _ = recv_head(sock, b"")
    print(head.split(b"\r\n")[0].decode())
    sock.close()


def main():
    cmd, port = sys.argv[1], int(sys.argv[2])
    if cmd == "serve-chunked":
        serve_chunked(port)
    elif cmd == "chunked":
        client_chunked(port, sys.argv[3])
    elif cmd == "split":
        client_split(port)
    elif cmd == "control":
        client_control(port)
    elif cmd == "cut-response":
        client_cut_response(port)
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
