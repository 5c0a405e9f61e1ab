#!/bin/bash
# --lab: the teachers' scenarios as a client sees them (their framing, the
# slow answer's delay, the abort's reset, the refused port), that they stay
# off without --lab, and that they cost the server nothing while waiting:
# slow answers and clients that reset during the wait do not stop others
# from being served, nor make the loop spin. About 3 s.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=lab

httpd_start -q || { fail "$T/start" "server did not start"; exit 1; }
expect_eq "$T/off without --lab: 404" 404 "$(curl_code "$HTTPD_URL/lab/slow")"
stop_pid "$HTTPD_PID"

httpd_start --lab || { fail "$T/start --lab" "server did not start"; exit 1; }
U=$HTTPD_URL
REFUSED=$(sed -n 's/.*refused port \([0-9]*\) .*/\1/p' "$HTTPD_OUT")
check "$T/the refused port is announced" test -n "$REFUSED"

expect_eq "$T/the index lists 6 scenarios" 6 "$(curl -s "$U/lab/" | grep -c '^/lab/')"

resp=$(printf 'GET /lab/connection-close HTTP/1.1\r\nHost: x\r\n\r\n' | raw 3)
expect_eq "$T/connection-close: Connection: close" close "$(header_of "$resp" Connection)"
expect_eq "$T/connection-close: no Content-Length" "" "$(header_of "$resp" Content-Length)"
check "$T/connection-close: the body, ended by the close" grep -q 'RFC 9112 section 6.3' <<<"$resp"

resp=$(printf 'GET /lab/server-close HTTP/1.1\r\nHost: x\r\n\r\n' | raw 3)
expect_eq "$T/server-close: Connection: close though the client keeps alive" close \
	"$(header_of "$resp" Connection)"

curl -s --raw -o "$TL_TMP/chunked" "$U/lab/chunked"
expect_eq "$T/chunked: three chunks and the last" "2f 22 25 0" \
	"$(grep -aE '^[0-9a-f]+'$'\r''$' "$TL_TMP/chunked" | tr -d '\r' | xargs)"
expect_eq "$T/chunked: decoded" 118 "$(curl -s "$U/lab/chunked" | wc -c)"

expect_eq "$T/large: 4 MiB" "200 4194304" \
	"$(curl -s -o /dev/null -w '%{http_code} %{size_download}' "$U/lab/large")"

curl -s -o /dev/null "$U/lab/abort"
expect_eq "$T/abort: curl reads a reset (56)" 56 "$?"
expect_eq "$T/abort: the filter allows its SO_LINGER, the server lives on" 200 "$(curl_code "$U/")"

curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$REFUSED/"
expect_eq "$T/refused port: connection refused (7)" 7 "$?"
expect_eq "$T/refused port: bound by nobody listening" "" "$(ss -Htln "( sport = :$REFUSED )")"

# The slow answer, alone and with a request pipelined behind it.
start=$EPOCHREALTIME
expect_eq "$T/slow: 200" 200 "$(curl_code "$U/lab/slow")"
elapsed=$(ms_since "$start")
check "$T/slow: after 500 ms (${elapsed} ms)" test "$elapsed" -ge 490 -a "$elapsed" -lt 3000
resp=$(printf 'GET /lab/slow HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw 3)
expect_eq "$T/slow: a pipelined request answered after it" "200 200" \
	"$(grep -a '^HTTP/1.1' <<<"$resp" | awk '{print $2}' | xargs)"

# 20 slow answers waiting and 5 clients that reset while waiting: the page
# is still served at once, and the server's CPU time over the wait stays
# that of a few requests (a loop spinning on the reset sockets would burn
# the whole 500 ms).
ticks() { awk '{print $14 + $15}' "/proc/$HTTPD_PID/stat"; }
before=$(ticks)
pids=()
for _ in $(seq 20); do
	curl -s -o /dev/null "$U/lab/slow" &
	pids+=($!)
done
python3 - "$HTTPD_PORT" <<'EOF'
import socket, struct, sys
for _ in range(5):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /lab/slow HTTP/1.1\r\nHost: x\r\n\r\n")
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
EOF
start=$EPOCHREALTIME
code=$(curl_code "$U/")
elapsed=$(ms_since "$start")
expect_eq "$T/while 25 wait: the page" 200 "$code"
check "$T/while 25 wait: the page at once (${elapsed} ms)" test "$elapsed" -lt 300
wait "${pids[@]}"
used=$(($(ticks) - before))
check "$T/waiting costs no CPU ($used ticks of $(getconf CLK_TCK)/s)" test "$used" -lt 6
check "$T/the 20 slow answers logged" test "$(grep -c '"GET /lab/slow HTTP/1.1" 200' "$HTTPD_OUT")" -ge 22
stop_pid "$HTTPD_PID"

# Every address, both families: the refused port's :: socket must be
# IPv6-only as the listeners are, or it collides with the one on 0.0.0.0.
if [ -e /proc/net/if_inet6 ]; then
	if httpd_start --lab -l 0.0.0.0 -l ::; then
		pass "$T/--lab on 0.0.0.0 and :: starts"
		REFUSED=$(sed -n 's/.*refused port \([0-9]*\) .*/\1/p' "$HTTPD_OUT")
		curl -s -o /dev/null --max-time 5 "http://[::1]:$REFUSED/"
		expect_eq "$T/0.0.0.0 and ::: refused port refuses on ::1 (7)" 7 "$?"
		stop_pid "$HTTPD_PID"
	else
		fail "$T/--lab on 0.0.0.0 and :: starts" "$(tail -1 "$HTTPD_OUT")"
	fi
fi
