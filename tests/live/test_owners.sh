#!/bin/bash
# Live test (root): every life names both its processes, however the kernel
# reuses sockets. The kernel side keeps each socket's reported owner in a
# table by socket address, cleared when the socket closes; a stale entry
# would hide the owner of a new socket at the same address used by the same
# process (the server's accepted sockets, one after another), and an entry
# that is not replaced would hide a socket handed to another process.
# tests/live/owners.py makes the traffic from one process: 600 connections
# one after another (Connection: close), 60 kept open at once (3 requests
# each), and two sockets used by a forked child after their parent (one
# goes back to the parent). Takes about 5 s.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1

T=owners
TRACER=$TL_ROOT/tcplife-http
HTTPD=$TL_ROOT/tcplife-httpd
CLOSED=600
KEPT=60
LIVES=$((CLOSED + KEPT + 2))
D=$TL_TMP/owners

for tool in python3 jq; do
	command -v "$tool" >/dev/null || { fail "${T}_prerequisites" "$tool is not installed"; exit 1; }
done
[ -x "$TRACER" ] && [ -x "$HTTPD" ] || { fail "${T}_prerequisites" "run make first"; exit 1; }
mkdir -p "$D/www"
printf '<!DOCTYPE html>\n<title>owners</title>\n<p>owners</p>\n' >"$D/www/index.html"

PORT=$(free_port)
start_bg "$D/httpd.log" "$HTTPD" -p "$PORT" -l 127.0.0.1 -r "$D/www" -q
HTTPD_PID=$TL_BG
wait_for_port "$PORT" 5 || { fail "${T}_setup" "the server did not listen"; exit 1; }
start_tracer "$D/trace.json" "$D/trace.err" "$TRACER" --json -p "$PORT"
if ! wait_for_line "$D/trace.json" '"type":"start"' 10; then
	fail "${T}_setup" "tracer did not start: $(head -c 300 "$D/trace.err")"
	exit 1
fi

timeout 60 python3 "$TL_ROOT/tests/live/owners.py" "$PORT" "$CLOSED" "$KEPT" >"$D/client.out" 2>&1 &
wait $!
expect_eq "${T}_client" "0 2" "$? $(grep -c '^handover ' "$D/client.out")"
CLIENT_PID=$(awk '$1 == "pid" {print $2}' "$D/client.out")

deadline=$((SECONDS + 15))
while [ "$(grep -c '"type":"conn"' "$D/trace.json")" -lt "$LIVES" ] && [ $SECONDS -lt $deadline ]; do
	sleep 0.05
done
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_tracer_exit" 0 "$STOP_RC"
expect_eq "${T}_no_loss" '{"type":"stats","lost":0}' \
	"$(tail -n 1 "$D/trace.json" | jq -c '{type, lost}' 2>/dev/null)"

jq -c 'select(.type == "conn") | [(.client | sub(".*:"; "") | tonumber), .client_pid, .client_comm,
	.server_pid, .server_comm]' "$D/trace.json" >"$D/conns" 2>/dev/null
expect_eq "${T}_lives" "$LIVES" "$(wc -l <"$D/conns")"
# The server: tcplife-httpd in every life.
expect_eq "${T}_server_named" "" \
	"$(jq -r --argjson p "$HTTPD_PID" 'select(.[3] != $p or .[4] != "tcplife-httpd") | tostring' "$D/conns" | head -3)"
# The client: the script, but for a handed-over socket, the last to use it.
handed=$(awk '$1 == "handover" {printf "%s%s:%s", sep, $2, $3; sep = ","}' "$D/client.out")
expect_eq "${T}_client_named" "" \
	"$(jq -r --argjson p "${CLIENT_PID:-0}" --arg h "$handed" '
		($h | split(",") | map(split(":") | {key: .[0], value: (.[1] | tonumber)}) | from_entries) as $last
		| select(.[1] != ($last[.[0] | tostring] // $p) or .[2] != "python3") | tostring' "$D/conns" | head -3)"
expect_eq "${T}_handed_over" 2 \
	"$(awk '$1 == "handover" {print $2}' "$D/client.out" | while read -r p; do grep -c "^\[$p," "$D/conns"; done | awk '{n += $1} END {print n + 0}')"
