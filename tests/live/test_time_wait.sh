#!/bin/bash
# Live test (root): TIME_WAIT, which the kernel never reports as a state
# event, is reported for the side that closed first, matches the timewait
# socket `ss` shows, and its end comes when the kernel drops the socket
# (60 s on Linux), confirmed through sock_diag.
source "$(dirname "$0")/../lib.sh"
cd "$TL_ROOT" || exit 1

port=$(free_port)
docroot=$TL_TMP/www
mkdir -p "$docroot"
echo hello >"$docroot/index.html"

start_bg "$TL_TMP/httpd.log" ./tcplife-httpd -p "$port" -r "$docroot" -q
wait_for_port "$port" 10 || { fail time_wait_setup "server did not listen"; exit 1; }
start_bg "$TL_TMP/trace.json" ./tcplife-http --json -p "$port"
tracer=$TL_BG
wait_for_line "$TL_TMP/trace.json" '"type":"start"' 15 || { fail time_wait_setup "tracer did not start"; exit 1; }

# curl closes first after a keep-alive 200 (WIRESHARK-NOTES).
curl -s -o /dev/null "http://127.0.0.1:$port/"
wait_for_line "$TL_TMP/trace.json" '"type":"conn"' 15
conn=$(jq -c 'select(.type == "conn")' "$TL_TMP/trace.json" | head -1)
client=$(jq -r .client <<<"$conn")
expect_eq time_wait_side client "$(jq -r .time_wait <<<"$conn")"
expect_eq time_wait_closed_by client "$(jq -r .closed_by <<<"$conn")"
check time_wait_state_inferred jq -e -s \
	'any(.[]; .type == "state" and .side == "client" and .new == "TIME_WAIT" and .inferred)' \
	"$TL_TMP/trace.json"

# The kernel's view: a timewait socket whose local end is the client's.
tw=$(ss -Htan state time-wait "( sport = :$port or dport = :$port )" | awk '{print $3}')
expect_eq time_wait_matches_ss "$client" "$tw"

# Its end: the timer is 60 s; wait for it, bounded.
if wait_for_line "$TL_TMP/trace.json" '"type":"time_wait_end"' 75; then
	end=$(jq -c 'select(.type == "time_wait_end")' "$TL_TMP/trace.json" | head -1)
	expect_eq time_wait_end_side client "$(jq -r .side <<<"$end")"
	expect_eq time_wait_end_confirmed true "$(jq -r .confirmed <<<"$end")"
	ms=$(jq -r '.duration_ms | floor' <<<"$end")
	check time_wait_end_after_60s test "$ms" -ge 59000 -a "$ms" -le 64000
	check time_wait_gone_from_ss test -z "$(ss -Htan state time-wait "( sport = :$port or dport = :$port )")"
else
	fail time_wait_end "no time_wait_end within 75 s"
fi
stop_pid "$tracer"
# The run ended cleanly: start first, stats once and last, nothing lost
# (the file was read above, so that it parses says nothing by itself).
check time_wait_json_run jq -e -s '(map(.type) | index("start") == 0 and index("stats") == length - 1)
	and .[-1].lost == 0' "$TL_TMP/trace.json"
