#!/bin/bash
# Remakes the corpus's own captures (root: a network namespace of its own).
# Not part of the suite: the files are committed, and the suite reads them.
#   tests/captures/make.sh   (from the repository, after make)
# lo.pcapng: tcplife-httpd and curl on a namespace's lo, captured by dumpcap:
# IPv4 and IPv6, keep-alive, 200/304/206/404, a 3000-byte URI, Connection:
# close, the server's keep-alive timeout closing idle connections, and one
# client port used twice (Wireshark's "port numbers reused", a new stream).
# The rest derive from it (derive.py), plus gzip and snaplen variants.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NS=tlh-corpus-$$
TMP=$(mktemp -d)
HP= DP=
cleanup() {
	[ -n "$HP" ] && kill "$HP" 2>/dev/null
	[ -n "$DP" ] && kill "$DP" 2>/dev/null
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
# Not for background jobs: $! would be the function's subshell, not the process.
ex() { ip netns exec "$NS" "$@"; }
# wait_for FILE PATTERN: up to 5 s.
wait_for() { for _ in $(seq 50); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

ip netns add "$NS"
ex ip link set lo up
ip netns exec "$NS" dumpcap -B 64 -i lo -f 'tcp port 8080' -w "$TMP/lo.pcapng" 2>"$TMP/dumpcap.err" &
DP=$!
wait_for "$TMP/dumpcap.err" '^File:'
ip netns exec "$NS" "$ROOT/tcplife-httpd" -q -p 8080 -r "$ROOT/www" -t 1 &
HP=$!
for _ in $(seq 50); do ex curl -s -o /dev/null http://127.0.0.1:8080/ && break; sleep 0.1; done
ex curl -s -o /dev/null -o /dev/null http://127.0.0.1:8080/index.html http://127.0.0.1:8080/missing
ETAG=$(ex curl -s -g -D - -o /dev/null 'http://[::1]:8080/index.html' | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')
ex curl -s -g -o /dev/null -H "If-None-Match: $ETAG" 'http://[::1]:8080/index.html'
ex curl -s -o /dev/null -r 0-99 http://127.0.0.1:8080/index.html
ex curl -s -o /dev/null "http://127.0.0.1:8080/search?q=$(head -c 3000 /dev/zero | tr '\0' a)"
ex curl -s -o /dev/null -H 'Connection: close' http://127.0.0.1:8080/
ex curl -s -o /dev/null --local-port 40001 -H 'Connection: close' http://127.0.0.1:8080/missing
ex curl -s -o /dev/null --local-port 40001 -H 'Connection: close' http://127.0.0.1:8080/missing
# The server's 1 s keep-alive timeout closes what curl left open; then a
# second for dumpcap to write the last packets.
sleep 2.5
kill -INT "$DP"
wait "$DP" || true
DP=
grep -q 'dropped.*: [0-9]*/0 ' "$TMP/dumpcap.err" || { cat "$TMP/dumpcap.err" >&2; exit 1; }

cd "$HERE"
cp "$TMP/lo.pcapng" lo.pcapng
editcap -F nsecpcap lo.pcapng "$TMP/lo.pcap"
./derive.py "$TMP/lo.pcap" .
gzip -9n <lo.pcapng >lo.pcapng.gz
gzip -9n <sll2.pcap >sll2.pcap.gz && rm sll2.pcap
editcap -s 200 lo.pcapng snap200.pcapng
ls -l "$HERE"
