#!/bin/bash
# A request trickling in a byte at a time is read in batches, a pause apart
# (README, "Concurrency"): the server's ACKs, one per read, number well
# under one per byte (reading each byte as it came: one each), and the
# request is still answered as soon as its last byte is read, with the
# connection kept alive for the next one. ~3 s.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=trickle
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
slow=$TL_ROOT/tests/httpd/slow_headers.py

# -t 3: a read the pacing lost would end in a 408 after 3 s.
httpd_start -r "$HTTPD_WWW" -q -t 3 || { fail "$T/start" "server did not start"; exit 0; }

# kv KEY LINE: the value of KEY=value in LINE.
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

out=$("$PY" "$slow" trickle --port "$HTTPD_PORT" --interval-ms 2 2>&1)
expect_eq "$T/a request sent a byte every 2 ms: 200" 200 "$(kv status "$out")"
check "$T/answered once its last byte is read, not at the timeout ($(kv reply_ms "$out") ms)" \
	awk -v r="$(kv reply_ms "$out")" 'BEGIN {exit !(r != "" && r < 1000)}'
expect_eq "$T/the next request on the connection: 200" 200 "$(kv status2 "$out")"

# One connection, 500 bytes a millisecond apart onto an unfinished block.
out=$("$PY" "$slow" load --port "$HTTPD_PORT" --conns 1 --block 200 --interval-ms 1 \
	--bytes-per-conn 500 --server-segs 2>&1 | tail -1)
segs=$(kv server_segs "$out")
bytes=$(kv bytes "$out")
check "$T/server segments per trickled byte under 0.5: $segs for $bytes B" \
	awk -v s="$segs" -v b="$bytes" 'BEGIN {exit !(s != "" && b >= 400 && s < b / 2)}'
expect_eq "$T/a normal request is served afterwards" 200 "$(curl_code "$HTTPD_URL/")"
stop_pid "$HTTPD_PID"
