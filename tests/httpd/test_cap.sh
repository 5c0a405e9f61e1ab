#!/bin/bash
# The connection cap (-c): accepting stops at MAX open connections, the listen
# backlog holds the rest, accepting resumes below the cap; and memory at the
# default cap of 1024, every connection holding a full request buffer, stays
# within what README promises.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=cap
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
MAX_RSS_KB=$((44 * 1024)) # README: at most 1024 connections, at most 44 MiB

mkdir -p "$TL_TMP/root"
echo AAAA >"$TL_TMP/root/a.txt"
httpd_start -r "$TL_TMP/root" -l 127.0.0.1 -c 50 -t 30 ||
	{ fail "$T/start" "server did not start"; exit 0; }

# server_sockets: the server's open sockets (one listener plus connections).
server_sockets() { find "/proc/$HTTPD_PID/fd" -lname 'socket:*' | wc -l; }
# wait_count CMD WANT: until CMD prints WANT (5 s).
wait_count() {
	local deadline=$((SECONDS + 5))
	while [ $SECONDS -lt $deadline ]; do
		[ "$($1)" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}
client_conns() { ss -Htn state established "( dport = :$HTTPD_PORT )" | wc -l; }

fds=()
for i in $(seq 60); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$HTTPD_PORT" || break
	fds+=("$fd")
done
check "$T/60 connections established by the kernel" wait_count client_conns 60
# A request answered on the first connection means the server has run its
# loop since all 60 were queued: had it no cap, it would hold them all.
printf 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n' >&"${fds[0]}"
expect_eq "$T/a request on an accepted connection is answered" 200 \
	"$(timeout 5 head -1 <&"${fds[0]}" | awk '{print $2}')"
expect_eq "$T/at the cap: 50 connections accepted, not 60" 51 "$(server_sockets)"
printf 'GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n' >&"${fds[59]}"
for i in $(seq 0 9); do exec {fds[i]}>&-; done
expect_eq "$T/below the cap again: a queued connection is served" 200 \
	"$(timeout 5 head -1 <&"${fds[59]}" | awk '{print $2}')"
check "$T/below the cap again: back to 50 accepted" wait_count server_sockets 51
for i in $(seq 10 59); do exec {fds[i]}>&-; done
check "$T/all closed: none held" wait_count server_sockets 1
stop_pid "$HTTPD_PID"

# The default cap, each connection with a request line of 8000 bytes and
# 16300 bytes of unfinished headers (its whole receive buffer): peak RSS.
httpd_start -r "$TL_TMP/root" -l 127.0.0.1 -q -t 30 ||
	{ fail "$T/start" "server did not start"; exit 0; }
out=$("$PY" "$TL_ROOT/tests/httpd/slow_headers.py" load --port "$HTTPD_PORT" --conns 1024 \
	--block 16300 --path-len 8000 --bytes-per-conn 1 --pid "$HTTPD_PID")
hwm=$(grep -o 'hwm_kb=[0-9]*' <<<"$out" | cut -d= -f2)
# The bound is the release build's; a sanitizer build (HTTPD_BIN) has
# shadow memory on top, so only the figure is required of it.
bound=$MAX_RSS_KB
[ "$HTTPD_BIN" = "$TL_ROOT/tcplife-httpd" ] || bound=$((4 * MAX_RSS_KB))
check "$T/1024 full connections: peak RSS ${hwm:-?} KiB <= $bound KiB" test "${hwm:-999999999}" -le "$bound"
check "$T/1024 full connections: all closed after" wait_count server_sockets 1
expect_eq "$T/serving after" 200 "$(curl_code "$HTTPD_URL/a.txt")"
stop_pid "$HTTPD_PID"
