#!/bin/bash
# Live test (root): scripts/browse.sh, headless, against the bundled server
# (-t 2: idle connections close after 2 s) while the tracer traces the port
# in JSON. The script must end with status 0 having printed the curl set's
# statuses (200 200, 304, 206, 404), and the trace must hold what the
# walkthrough teaches: a 304 (the reload), a 206 (the audio), a connection
# over ::1 (localhost), and one the server closed (its keep-alive timeout).
# About 15 s.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1
T=browse

for tool in chromium jq curl; do
	command -v "$tool" >/dev/null || { fail "${T}_prerequisites" "missing $tool"; exit 0; }
done
PORT=$(free_port)
start_bg "$TL_TMP/httpd.log" ./tcplife-httpd -p "$PORT" -r www -t 2 -q
HTTPD_PID=$TL_BG
wait_for_port "$PORT" 5 || { fail "${T}_setup" "the server did not listen"; exit 0; }
start_tracer "$TL_TMP/trace.json" "$TL_TMP/tracer.err" ./tcplife-http --json -p "$PORT"
wait_for_line "$TL_TMP/trace.json" '"type":"start"' 10 ||
	{ fail "${T}_setup" "no start line: $(head -c 300 "$TL_TMP/tracer.err")"; exit 0; }

timeout 120 scripts/browse.sh "$PORT" >"$TL_TMP/browse.out" 2>"$TL_TMP/browse.err"
rc=$?
expect_eq "${T}_exit_status" 0 "$rc$(head -c 300 "$TL_TMP/browse.err" | sed 's/^/ /')"
expect_eq "${T}_curl_statuses" "200 200 | 304 | 206 | 404" \
	"$(grep -vE '^(\$|browse:)' "$TL_TMP/browse.out" | sed 's/ *$//' | paste -sd'|' | sed 's/|/ | /g')"

# Every connection's conn line is written once both ends closed.
conns_open() {
	jq -s '([.[] | select(.type == "packet") | .conn] | unique) - ([.[] | select(.type == "conn") | .conn])
		| length' "$TL_TMP/trace.json" 2>/dev/null
}
deadline=$((SECONDS + 10))
while [ "$(conns_open)" != 0 ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
stop_bounded "$TRACER_PID" 10
stop_pid "$HTTPD_PID"
J=$TL_TMP/trace.json
statuses=$(jq -r 'select(.type == "http" and .status) | .status' "$J" | sort -u | tr '\n' ' ')
check "${T}_trace_has_304" grep -qw 304 <<<"$statuses"
check "${T}_trace_has_206" grep -qw 206 <<<"$statuses"
check "${T}_trace_has_404" grep -qw 404 <<<"$statuses"
check "${T}_a_connection_over_ipv6" jq -se 'any(.[]; .type == "conn" and (.client | startswith("[::1]")))' "$J"
check "${T}_a_server_side_close" jq -se 'any(.[]; .type == "conn" and .closed_by == "server")' "$J"
