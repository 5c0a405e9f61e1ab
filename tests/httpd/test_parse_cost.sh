#!/bin/bash
# Parsing cost is linear in the bytes received: the server's CPU time per
# byte, while connections trickle header bytes onto an unfinished block,
# stays flat as that block grows from 1 KB to 15 KB (a parser that re-reads
# the block after every read costs ~6-10x more per byte at 15 KB). CPU time
# is the server's own (/proc/PID/schedstat), not wall clock; each size is
# measured 3 times, interleaved, and the least kept, so that load from other
# processes (which only adds time) does not decide the ratio.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=parse_cost
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
BOUND=2.5

httpd_start -r "$HTTPD_WWW" -q -t 30 || { fail "$T/start" "server did not start"; exit 0; }

# cost BLOCK: microseconds of server CPU per byte it read, 10 connections
# holding BLOCK bytes of unfinished a:b lines, a byte each every 4 ms, 200
# bytes each.
cost() {
	local out
	out=$("$PY" "$TL_ROOT/tests/httpd/slow_headers.py" load --port "$HTTPD_PORT" --conns 10 \
		--block "$1" --interval-ms 4 --bytes-per-conn 200 --pid "$HTTPD_PID") || return 1
	awk '{for (i = 1; i <= NF; i++) {split($i, kv, "="); v[kv[1]] = kv[2]}}
		END {n = v["bytes"] - v["unread"]; if (n > 0) printf "%.2f\n", v["cpu_ms"] * 1000 / n}' <<<"$out"
}

small=() big=()
for _ in 1 2 3; do
	small+=("$(cost 1024)")
	big+=("$(cost 15360)")
done
least() { printf '%s\n' "$@" | sort -g | head -1; }
s=$(least "${small[@]}")
b=$(least "${big[@]}")
if [ -z "$s" ] || [ -z "$b" ]; then
	fail "$T/trickle runs" "no figures (1 KB: ${small[*]}; 15 KB: ${big[*]})"
else
	ratio=$(awk -v s="$s" -v b="$b" 'BEGIN {printf "%.2f", (s > 0 ? b / s : 99)}')
	check "$T/CPU per byte flat from 1 KB to 15 KB unfinished: $s -> $b us/B, ratio $ratio (bound $BOUND; runs ${small[*]} | ${big[*]})" \
		awk -v r="$ratio" -v m="$BOUND" 'BEGIN {exit !(r <= m)}'
fi
expect_eq "$T/a normal request is served afterwards" 200 "$(curl_code "$HTTPD_URL/")"
stop_pid "$HTTPD_PID"
