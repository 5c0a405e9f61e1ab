#!/usr/bin/env python3
"""Both ends of one TCP connection on 127.0.0.1:PORT, for test_analysis.sh.

  slow PORT       the server sends 32 KB to a client with a 4 KB receive
                  buffer that reads 4 KB every 300 ms: zero windows, Linux's
                  zero-window probes, window full, window updates
  keepalive PORT  a client with SO_KEEPALIVE, 1 s idle and interval, stays
                  silent 3.5 s after one exchange: keep-alives and their ACKs
  halfclose PORT  the client shuts its side at once, then reads 20000 bytes
                  the server (in CLOSE_WAIT) sends: the client's pure ACKs
                  reach a socket in CLOSE_WAIT (the client closes first: no
                  TIME_WAIT on PORT)
  refused PORT    a connect to PORT, where nothing listens
  linger PORT     a client that closes with SO_LINGER {1, 0} after a request
  unread PORT     a server that closes with 100 bytes unread
  backlog PORT    a listener with backlog 1 that never accepts, 20 clients
  idle PORT FILE  the server sends 2 MB, then both ends wait (at most 10 s)
                  until FILE exists (the test samples ss), then the client
                  shuts its side down, the server after it, and both print
                  "info SIDE RTT_US CWND RETRANS", their tcp_info in CLOSE
  tail PORT FILE  the server reads a 100-byte request, then, with nftables
                  dropping every segment to PORT, sends 20000 bytes and shuts
                  down its side (FIN_WAIT1), and retransmits them until its
                  kernel counts 2 retransmissions; the rule goes, the next
                  retransmission is ACKed (FIN_WAIT2), prints "tail" and waits
                  (at most 10 s) until FILE exists (the test samples ss):
                  then the client shuts its side down (LAST_ACK), and both
                  print their "info" lines, as idle
  fetch PORT      a client of the HTTP server on PORT that asks for /big.bin
                  and reads nothing for 0.5 s, then everything (the test
                  charges its socket to a memory cgroup that cannot hold it);
                  prints its port after the bytes
  stalled PORT    a client of the HTTP server on PORT that asks for /big.bin
                  and reads nothing until its kernel has advertised a zero
                  window (at most 5 s), then everything: zero window, window
                  update
  reuse PORT      two connections from one client port, the server closing
                  each first: the second SYN finds the first's tuple in
                  TIME_WAIT on the server's side (port numbers reused)

Prints one line, "done BYTES", and exits 0 when the exchange went as planned.
Every wait is bounded."""
import os
import socket
import struct
import subprocess
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


def serve(port, target, *args):
    """A listener and a thread serving its one connection with target."""
    srv = listener(port)
    errors = []
    t = threading.Thread(target=target, args=(srv, errors) + args)
    t.start()
    return srv, errors, t


def client(port, *opts):
    """A connected client; opts are setsockopt triples set before connect."""
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    for level, name, value in opts:
        cli.setsockopt(level, name, value)
    cli.settimeout(10)
    cli.connect(("127.0.0.1", port))
    return cli


def read_all(sock, limit, pause=0.0):
    """Bytes read until the peer closes or limit bytes came, at most 20 s;
    with a pause, 4 KB at a time after each pause."""
    got = 0
    deadline = time.monotonic() + 20
    while got < limit and time.monotonic() < deadline:
        time.sleep(pause)
        chunk = sock.recv(4096 if pause else 65536)
        if not chunk:
            break
        got += len(chunk)
    return got


def serve_slow(srv, errors):
    try:
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(20)
            conn.sendall(b"x" * SLOW_BYTES)
    except OSError as e:
        errors.append(e)


def slow(port):
    srv, errors, t = serve(port, serve_slow)
    # Before connect: the window offered in the handshake follows it.
    cli = client(port, (socket.SOL_SOCKET, socket.SO_RCVBUF, 4096))
    got = read_all(cli, SLOW_BYTES, 0.3)
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
    srv, errors, t = serve(port, serve_echo)
    cli = client(port, (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
                 (socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1),
                 (socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1))
    cli.sendall(b"ping")
    got = len(cli.recv(16))
    time.sleep(3.5)
    cli.close()
    t.join(15)
    srv.close()
    return got == 4 and not errors, got


HALF_BYTES = 20000


def serve_halfclose(srv, errors):
    try:
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(10)
            if conn.recv(16) != b"":  # the client's FIN: CLOSE_WAIT
                errors.append("no FIN")
            conn.sendall(b"x" * HALF_BYTES)
    except OSError as e:
        errors.append(e)


def halfclose(port):
    srv, errors, t = serve(port, serve_halfclose)
    cli = client(port)
    cli.shutdown(socket.SHUT_WR)
    got = read_all(cli, HALF_BYTES + 1)  # up to the server's FIN
    cli.close()
    t.join(15)
    srv.close()
    return got == HALF_BYTES and not errors, got


def refused(port):
    cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    cli.settimeout(5)
    try:
        cli.connect(("127.0.0.1", port))
    except ConnectionRefusedError:
        return True, 0
    finally:
        cli.close()
    return False, 0


def serve_accept_close(srv, errors, read):
    try:
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(10)
            if read:
                conn.recv(100)
                conn.recv(100)  # the RST ends it
            else:
                time.sleep(0.2)  # the client's bytes arrive, unread
    except ConnectionResetError:
        pass
    except OSError as e:
        errors.append(e)


def closing(port, linger):
    srv, errors, t = serve(port, serve_accept_close, linger)
    cli = client(port)
    cli.sendall(b"x" * 100)
    if linger:
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        time.sleep(0.1)
    else:
        try:
            cli.recv(16)  # until the server's RST
        except ConnectionResetError:
            pass
    cli.close()
    t.join(10)
    srv.close()
    return not errors, 0


def backlog(port):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", port))
    srv.listen(1)
    clients = []
    for _ in range(20):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        c.connect_ex(("127.0.0.1", port))
        clients.append(c)
    time.sleep(3.5)  # SYNs retransmitted at 1 s and 3 s
    for c in clients:
        c.close()
    srv.close()
    return True, len(clients)


TCP_INFO_FMT = "B7x24I"  # tcpi_state .. tcpi_total_retrans of struct tcp_info
TCP_FIN_WAIT2, TCP_CLOSE = 5, 7
TAIL_TABLE = "inet tlh_tail"


def tcp_info(sock):
    """(state, rtt us, cwnd, total retransmissions) from a socket's tcp_info."""
    info = struct.unpack(
        TCP_INFO_FMT,
        sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, struct.calcsize(TCP_INFO_FMT)),
    )
    return info[0], info[16], info[19], info[24]


def wait_info(sock, ok):
    """Whether ok(tcp_info(sock)) became true within 10 s."""
    deadline = time.monotonic() + 10
    while not ok(tcp_info(sock)) and time.monotonic() < deadline:
        time.sleep(0.01)
    return ok(tcp_info(sock))


def wait_flag(flag):
    deadline = time.monotonic() + 10
    while not os.path.exists(flag) and time.monotonic() < deadline:
        time.sleep(0.02)


def shut_both(cli, conn, server_shut=False):
    """The client shuts its side down, then the server (unless it did
    already): both sockets stay open, in CLOSE once the last FIN is ACKed,
    when "info SIDE RTT_US CWND RETRANS" prints each one's tcp_info (what ss
    shows) at its last state change. Whether both got there."""
    cli.shutdown(socket.SHUT_WR)
    ok = conn.recv(1) == b""
    if not server_shut:
        conn.shutdown(socket.SHUT_WR)
    for side, sock in (("client", cli), ("server", conn)):
        ok = wait_info(sock, lambda i: i[0] == TCP_CLOSE) and ok
        print("info", side, *tcp_info(sock)[1:], flush=True)
    return ok


def accepted(port):
    """A listener on port, and both ends of one connection to it."""
    srv = listener(port)
    cli = client(port)
    conn, _ = srv.accept()
    conn.settimeout(10)
    return srv, cli, conn


def idle(port, flag):
    srv, cli, conn = accepted(port)
    t = threading.Thread(target=conn.sendall, args=(b"y" * 2000000,))
    t.start()
    got = read_all(cli, 2000000)
    t.join(10)
    print("idle", flush=True)
    wait_flag(flag)
    ok = shut_both(cli, conn)
    for sock in (cli, conn, srv):
        sock.close()
    return ok and got == 2000000, got


def nft(*args):
    return subprocess.run(("nft",) + args, check=False).returncode == 0


def tail(port, flag):
    srv, cli, conn = accepted(port)
    cli.sendall(b"r" * 100)
    ok = read_all(conn, 100) == 100 and nft("add table " + TAIL_TABLE)
    ok = ok and nft("add chain %s input { type filter hook input priority 0; }" % TAIL_TABLE)
    ok = ok and nft("add rule %s input tcp dport %d drop" % (TAIL_TABLE, port))
    conn.sendall(b"t" * 20000)
    conn.shutdown(socket.SHUT_WR)
    got = read_all(cli, 1 << 20)
    ok = ok and wait_info(conn, lambda i: i[3] >= 2)
    nft("delete table " + TAIL_TABLE)
    ok = ok and wait_info(conn, lambda i: i[0] == TCP_FIN_WAIT2)
    print("tail", flush=True)
    wait_flag(flag)
    ok = shut_both(cli, conn, True) and ok
    for sock in (cli, conn, srv):
        sock.close()
    return ok and got == 20000, got


def get_big(port):
    """A client that has asked the HTTP server on port for /big.bin."""
    cli = client(port)
    cli.sendall(b"GET /big.bin HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
    return cli


def tcp_ext(name):
    """The network namespace's TcpExt counter name (/proc/net/netstat)."""
    with open("/proc/net/netstat") as f:
        rows = [line.split() for line in f]
    for keys, values in zip(rows[::2], rows[1::2]):
        if keys[0] == "TcpExt:":
            return int(values[keys.index(name)])
    raise KeyError(name)


def stalled(port):
    before = tcp_ext("TCPToZeroWindowAdv")
    cli = get_big(port)
    # Unread, the data fills the receive buffer (it grows only as the
    # application reads) until the kernel advertises a zero window; the read
    # that empties it then sends a window update (the window more than
    # doubles), every time.
    deadline = time.monotonic() + 5
    while tcp_ext("TCPToZeroWindowAdv") == before and time.monotonic() < deadline:
        time.sleep(0.01)
    closed = tcp_ext("TCPToZeroWindowAdv") > before
    got = read_all(cli, 1 << 30)
    cli.close()
    return closed and got > 1000000, got


def fetch(port):
    cli = get_big(port)
    time.sleep(0.5)  # the receive queue fills up, past what its memory allows
    got = read_all(cli, 1 << 30)
    local = cli.getsockname()[1]
    cli.close()
    return got > 1000000, "%d %d" % (got, local)


def serve_twice(srv, errors):
    try:
        for _ in range(2):
            conn, _ = srv.accept()
            with conn:
                conn.sendall(b"hi")
    except OSError as e:
        errors.append(e)


def reuse(port):
    srv, errors, t = serve(port, serve_twice)
    local, got = 0, 0
    for _ in range(2):
        cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        cli.settimeout(10)
        cli.bind(("127.0.0.1", local))
        local = cli.getsockname()[1]
        cli.connect(("127.0.0.1", port))
        got += read_all(cli, 1 << 20)  # until the server's FIN
        cli.close()
        time.sleep(0.3)  # its LAST_ACK is answered: the port is free again
    t.join(10)
    srv.close()
    return got == 4 and not errors, local


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    modes = {
        "slow": slow,
        "keepalive": keepalive,
        "halfclose": halfclose,
        "refused": refused,
        "linger": lambda p: closing(p, True),
        "unread": lambda p: closing(p, False),
        "backlog": backlog,
        "idle": lambda p: idle(p, sys.argv[3]),
        "tail": lambda p: tail(p, sys.argv[3]),
        "fetch": fetch,
        "stalled": stalled,
        "reuse": reuse,
    }
    ok, got = modes[mode](port)
    print("done" if ok else "failed", got)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
