#!/bin/bash
# Live test (root), in network namespaces of its own: TIME_WAIT, which the
# kernel never reports as a state event.
#
# - A peer whose socket states the tracer cannot see: two namespaces joined
#   by a veth pair, the server and the tracer (-i on its veth end) in one,
#   curl in the other. The client's TIME_WAIT (curl closes first) comes from
#   the packets, marked inferred, where `ss` in the client's namespace shows
#   it, and no time_wait_end is made up for a socket sock_diag cannot see.
# - One keep-alive GET that curl closes, on lo: TIME_WAIT for the client,
#   the timewait socket `ss` shows, and its end when the kernel's 60 s timer
#   drops it, confirmed through sock_diag.
# - A steady trickle, one connection a second for 75 s: every timewait
#   socket that `ss` (polled every 100 ms) stops listing within the run has
#   its time_wait_end within 1 s of that, whatever else is waiting.
# - A reused tuple: the server closes first, then the client connects again
#   from the same port; the server's TIME_WAIT ends at the new SYN
#   ("ended_by": "reused"), not when the new connection's socket goes.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
TW_FAILS=0
eval "$(declare -f fail | sed "1s/fail/tw_fail_line/")"
fail() { tw_fail_line "$@"; TW_FAILS=$((TW_FAILS + 1)); }
cd "$TL_ROOT" || exit 1

T=time_wait
rb_prereq "$T" curl jq ss python3 || exit 1
DOC=$TL_TMP/www
mkdir -p "$DOC"
echo hello >"$DOC/index.html"
PORT=8080

# wait_listening NS ADDR: until tcplife-httpd listens on ADDR:PORT in NS.
wait_listening() {
	for _ in $(seq 100); do
		ip netns exec "$1" ss -Htln "src $2:$PORT" | grep -q . && return 0
		sleep 0.05
	done
	fail "${T}_setup" "server did not listen in $1"
	return 1
}

# ---- a peer out of sight: a veth between two namespaces ----
SRV=tlh-twv-s-$$
CLI=tlh-twv-c-$$
IF=twv$$
SRV_ADDR=10.213.0.1
V=$TL_TMP/veth.json
if ! rb_netns "$SRV" || ! rb_netns "$CLI" ||
	! ip -n "$SRV" link add "$IF" type veth peer name "${IF}c" netns "$CLI" ||
	! ip -n "$SRV" addr add "$SRV_ADDR/24" dev "$IF" || ! ip -n "$SRV" link set "$IF" up ||
	! ip -n "$CLI" addr add 10.213.0.2/24 dev "${IF}c" || ! ip -n "$CLI" link set "${IF}c" up; then
	fail "${T}_setup" "cannot build two namespaces and their veth pair"
	exit 1
fi
start_bg "$TL_TMP/httpd_veth.log" ip netns exec "$SRV" "$HTTPD" -l "$SRV_ADDR" -p "$PORT" -r "$DOC" -q
wait_listening "$SRV" "$SRV_ADDR" || exit 1
# The same in text, from a second tracer beside the first.
VT=$TL_TMP/veth.txt
start_tracer "$VT" "$TL_TMP/veth_text.err" ip netns exec "$SRV" "$TRACER" -i "$IF" -p "$PORT"
TEXT_PID=$TRACER_PID
wait_for_line "$TL_TMP/veth_text.err" '^Tracing TCP' 15 || { fail "${T}_setup" "text tracer did not start"; exit 1; }
start_tracer "$V" "$TL_TMP/veth.err" ip netns exec "$SRV" "$TRACER" --json -i "$IF" -p "$PORT"
wait_for_line "$V" '"type":"start"' 15 || { fail "${T}_setup" "tracer did not start"; exit 1; }
ip netns exec "$CLI" curl -s -m 5 -o /dev/null "http://$SRV_ADDR:$PORT/"
wait_for_line "$V" '"type":"conn"' 15
conn=$(jq -c 'select(.type == "conn")' "$V" | head -1)
expect_eq "${T}_veth_closed_by" client "$(jq -r .closed_by <<<"$conn")"
expect_eq "${T}_veth_side" client "$(jq -r .time_wait <<<"$conn")"
check "${T}_veth_state_inferred" jq -e -s \
	'any(.[]; .type == "state" and .side == "client" and .new == "TIME_WAIT" and .inferred)' "$V"
check "${T}_veth_server_states_seen" jq -e -s \
	'any(.[]; .type == "state" and .side == "server" and .new == "CLOSE")' "$V"
expect_eq "${T}_veth_matches_ss" "$(jq -r .client <<<"$conn")" \
	"$(ip netns exec "$CLI" ss -Htan state time-wait "( dport = :$PORT )" | awk '{print $3}')"
# A watch would have asked sock_diag a second after TIME_WAIT began, found
# nothing (the socket is in the other namespace) and reported an end.
tw_ts=$(jq -r 'select(.type == "state" and .new == "TIME_WAIT") | .ts' "$V" | head -1)
while [ "$(jq -n --argjson t "${tw_ts:-0}" 'now - $t < 2')" = true ]; do sleep 0.1; done
check "${T}_veth_no_end_made_up" test -z "$(jq -c 'select(.type == "time_wait_end")' "$V")"
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_veth_exit" 0 "$STOP_RC"
wait_for_line "$VT" '^  = ' 5
check "${T}_veth_text" grep -qF "client FIN_WAIT2 -> TIME_WAIT (inferred from the packets: it acknowledged the peer's FIN after its own)" "$VT"
stop_bounded "$TEXT_PID" 10

# ---- lo in a namespace of its own ----
NS=tlh-tw-$$
rb_netns "$NS" || { fail "${T}_setup" "cannot create network namespace $NS"; exit 1; }
nsx() { ip netns exec "$NS" "$@"; }
# The namespace is ours: any port is free. The reusing client's port lies
# outside the ephemeral range, so no other connection takes it.
REUSE_PORT=61500
TRICKLE_S=75
J=$TL_TMP/trace.json
SS_LOG=$TL_TMP/ss.log

start_bg "$TL_TMP/httpd.log" ip netns exec "$NS" "$HTTPD" -l 127.0.0.1 -p "$PORT" -r "$DOC" -q
# tw_list: the timewait sockets of PORT, "LOCAL PEER" per line.
tw_list() { nsx ss -Htan state time-wait "( sport = :$PORT or dport = :$PORT )" | awk '{print $3, $4}'; }
wait_listening "$NS" 127.0.0.1 || exit 1
start_tracer "$J" "$TL_TMP/tracer.err" ip netns exec "$NS" "$TRACER" --json -p "$PORT"
wait_for_line "$J" '"type":"start"' 15 || { fail "${T}_setup" "tracer did not start"; exit 1; }

# poll_ss UNTIL: every 100 ms until SECONDS reaches UNTIL, "TIME LOCAL PEER"
# for each timewait socket listed, then "TIME -" closing the poll.
poll_ss() {
	local t
	while [ $SECONDS -lt "$1" ]; do
		t=$EPOCHREALTIME
		tw_list | sed "s/^/$t /"
		echo "$t -"
		sleep 0.1
	done >"$SS_LOG"
}
# trickle UNTIL: one curl a second (its own ephemeral port) until UNTIL.
trickle() {
	local n=0
	while [ $SECONDS -lt "$1" ] && [ $n -lt $((TRICKLE_S + 5)) ]; do
		nsx curl -s -m 2 -o /dev/null "http://127.0.0.1:$PORT/"
		n=$((n + 1))
		sleep 1
	done
}
END=$((SECONDS + TRICKLE_S))
poll_ss $((END + 1)) &
TL_PIDS+=($!)
POLL_PID=$!

# ---- one GET that curl closes (WIRESHARK-NOTES: it closes first) ----
nsx curl -s -m 2 -o /dev/null "http://127.0.0.1:$PORT/"
wait_for_line "$J" '"type":"conn"' 15
conn=$(jq -c 'select(.type == "conn")' "$J" | head -1)
client=$(jq -r .client <<<"$conn")
expect_eq "${T}_side" client "$(jq -r .time_wait <<<"$conn")"
expect_eq "${T}_closed_by" client "$(jq -r .closed_by <<<"$conn")"
check "${T}_state_inferred" jq -e -s \
	'any(.[]; .type == "state" and .side == "client" and .new == "TIME_WAIT" and .inferred)' "$J"
expect_eq "${T}_matches_ss" "$client" "$(tw_list | awk '{print $1}')"

trickle "$END" &
TL_PIDS+=($!)
TRICKLE_PID=$!

# ---- a reused tuple: the server's TIME_WAIT, taken over 2 s later ----
# get_close: a GET from REUSE_PORT (SO_REUSEADDR) read to the server's FIN
# before closing, so that the server closes first (curl may close on the
# last body byte, before the server's FIN).
get_close() {
	nsx timeout 5 python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.connect(("127.0.0.1", int(sys.argv[2])))
s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n\r\n")
while s.recv(65536):
	pass
s.close()' "$REUSE_PORT" "$PORT"
}
REUSED=127.0.0.1:$REUSE_PORT
get_close
wait_for_line "$J" "\"type\":\"conn\".*\"client\":\"$REUSED\"" 10
expect_eq "${T}_reuse_server_side" server \
	"$(jq -r --arg c "$REUSED" 'select(.type == "conn" and .client == $c) | .time_wait' "$J")"
check "${T}_reuse_ss_before" grep -q "^127.0.0.1:$PORT $REUSED\$" <(tw_list)
sleep 2 # the old timewait socket's age when the tuple is reused
get_close
wait_for_line "$J" "\"type\":\"time_wait_end\".*\"remote\":\"$REUSED\"" 5
syn=$(jq -r --arg c "$REUSED" 'select(.type == "packet" and .flags == "SYN" and
	"\(.src):\(.sport)" == $c) | .ts' "$J" | sed -n 2p)
twend=$(jq -c --arg c "$REUSED" 'select(.type == "time_wait_end" and .remote == $c)' "$J" | head -1)
expect_eq "${T}_reuse_ended_by" reused "$(jq -r .ended_by <<<"$twend")"
expect_eq "${T}_reuse_side" server "$(jq -r .side <<<"$twend")"
check "${T}_reuse_at_new_syn" jq -e -n --argjson syn "${syn:-null}" --argjson e "${twend:-null}" \
	'$e.ts - $syn | fabs < 0.002'

# ---- the trickle: every end the kernel made in the run ----
wait_exit "$TRICKLE_PID" $((TRICKLE_S + 15))
wait_exit "$POLL_PID" 15
# Each socket ss stopped listing: "GONE_TIME LOCAL PEER".
awk '$2 == "-" { if (prev != "") for (k in seen) if (seen[k] == prev) gone[k] = $1; prev = $1; next }
	{ seen[$2 " " $3] = $1 }
	END { for (k in gone) print gone[k], k }' "$SS_LOG" | sort -n >"$TL_TMP/gone"
jq -r 'select(.type == "time_wait_end") | "\(.ts) \(.local) \(.remote) \(.ended_by) \(.confirmed)"' \
	"$J" >"$TL_TMP/ends"
late=$(awk 'FILENAME == ARGV[1] { end[$2 " " $3] = $1; how[$2 " " $3] = $4 " " $5; next }
	{ k = $2 " " $3
	  if (!(k in end)) { print k, "no time_wait_end"; next }
	  d = end[k] - $1
	  if (d > 1 || d < -1) printf "%s ended %.3f s from ss\n", k, d
	  else if (how[k] != "timer true" && k !~ /:'"$REUSE_PORT"'$/) print k, how[k] }' \
	"$TL_TMP/ends" "$TL_TMP/gone")
ngone=$(grep -vc ":$REUSE_PORT\$" "$TL_TMP/gone")
awk 'FILENAME == ARGV[1] { end[$2 " " $3] = $1; next } ($2 " " $3) in end { print end[$2 " " $3] - $1 }' \
	"$TL_TMP/ends" "$TL_TMP/gone" | sort -n | awk '{ d[NR] = $1 } END {
	printf "  trickle: %d ends, time_wait_end minus ss no longer listing: %.3f to %.3f s\n", NR, d[1], d[NR] }'
check "${T}_trickle_ends_seen" test "$ngone" -ge 10
if [ -z "$late" ]; then pass "${T}_trickle_each_end_within_1s"; else fail "${T}_trickle_each_end_within_1s" "$(echo "$late" | head -5 | tr '\n' ';')"; fi

# The first connection's end: the kernel's 60 s timer, confirmed.
end=$(jq -c --arg c "$client" 'select(.type == "time_wait_end" and .local == $c)' "$J" | head -1)
expect_eq "${T}_end_side" client "$(jq -r .side <<<"$end")"
expect_eq "${T}_end_confirmed" true "$(jq -r .confirmed <<<"$end")"
check "${T}_end_after_60s" jq -e -n --argjson e "${end:-null}" \
	'$e.duration_ms >= 59000 and $e.duration_ms <= 64000'
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_exit" 0 "$STOP_RC"
# The run ended cleanly: start first, stats once and last, nothing lost
# (the file was read above, so that it parses says nothing by itself).
check "${T}_json_run" jq -e -s '(map(.type) | index("start") == 0 and index("stats") == length - 1)
	and .[-1].lost == 0' "$J"
exit $((TW_FAILS > 0))
