#!/bin/bash
# Live test (root): resets, failed handshakes and a burst, in a network
# namespace of the test's own (its sysctls and its quiet lo).
#
# Every RST case against a dumpcap capture dissected by tshark, life by
# life: the lives the tracer reports (no made-up life after an RST, no RST
# split off into a life of its own), each one's segment count, who reset and
# the SYNs sent; stats.connections; the text's "reset by server" and
# "handshake failed: no SYN-ACK after N SYNs" (net.ipv4.tcp_syn_retries=2 in
# the namespace: it gives up after 7 s). Then, three times, a burst of 400 connections where the
# server closes first and the client's delayed ACK moves the server's orphan
# FIN_WAIT1 -> FIN_WAIT2 -> CLOSE in a softirq, while another process
# connects in a loop: every life has the server's close and its TIME_WAIT,
# or is marked incomplete with the loss counted, and there are exactly 400
# (a delayed ACK overtaken by the client's FIN, which the server's timewait
# socket answers and the closed client then resets, stays in its life: it
# once made a 401st). About 40 s.
# TL_TRACER=PATH runs another tracer binary (to show the checks fail on an
# older one); TL_KEEP=DIR keeps a failed burst's JSON and stderr.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1

T=test_resets
TRACER=${TL_TRACER:-$TL_ROOT/tcplife-http}
DRIVER=$TL_ROOT/tests/live/resets.py
NS=tlh-resets-$$
FAILED=0

# Counts failures for the exit status; one line per check as everywhere.
fail() {
	echo "$1: FAIL $2"
	FAILED=1
}

for tool in dumpcap tshark jq python3 ip; do
	command -v "$tool" >/dev/null || { fail "${T}_prerequisites" "$tool is not installed"; exit 1; }
done
[ -x "$TRACER" ] && [ -x ./tcplife-httpd ] || { fail "${T}_prerequisites" "run make"; exit 1; }

cleanup() {
	tl_cleanup
	ip netns del "$NS" 2>/dev/null
}
trap cleanup EXIT
ip netns add "$NS" || { fail "${T}_setup" "cannot create namespace $NS"; exit 1; }
ip -n "$NS" link set lo up
ip netns exec "$NS" sysctl -qw net.ipv4.tcp_syn_retries=2
# "ip netns exec" execs the command: a background one keeps its PID, which
# the stop helpers signal (a shell function in the background would not).
NSX=(ip netns exec "$NS")

# wait_conns FILE REGEX N SECONDS: until FILE has N conn lines whose server
# matches REGEX.
wait_conns() {
	local deadline=$((SECONDS + $4))
	while [ "$(jq -c --arg re "$2" 'select(.type == "conn" and (.server | test($re)))' "$1" \
		2>/dev/null | wc -l)" -lt "$3" ] && [ $SECONDS -lt $deadline ]; do
		sleep 0.05
	done
}

# ---- the RST cases and the failed handshake, one capture for all -------
dir=$TL_TMP/rst
mkdir -p "$dir"
start_bg "$dir/dumpcap.log" "${NSX[@]}" dumpcap -B 64 -i lo -f tcp -w "$dir/cap.pcapng"
dumpcap_pid=$TL_BG
wait_for_line "$dir/dumpcap.log" '^File:' 10 || { fail "${T}_setup" "dumpcap did not start"; exit 1; }
start_tracer "$dir/trace.json" "$dir/trace.err" "${NSX[@]}" "$TRACER" --json
json_pid=$TRACER_PID
start_tracer "$dir/trace.txt" "$dir/text.err" "${NSX[@]}" "$TRACER" --color never
text_pid=$TRACER_PID
wait_for_line "$dir/trace.json" '"type":"start"' 15 &&
	wait_for_line "$dir/text.err" '^Tracing TCP' 15 ||
	{ fail "${T}_setup" "tracer did not start: $(head -c 300 "$dir/trace.err")"; exit 1; }

# name port lives
SCENARIOS=("econnreset 8101 1" "unread 8102 1" "refused 8103 1" "backlog 8104 3")
for s in "${SCENARIOS[@]}"; do
	read -r name port _ <<<"$s"
	out=$("${NSX[@]}" python3 "$DRIVER" "$name" "$port" 2>&1)
	[ $? = 0 ] && pass "${name}_sockets" || fail "${name}_sockets" "$out"
done
wait_conns "$dir/trace.json" ':810[1-4]$' 6 15
sleep 1 # the held lives' 200 ms, and dumpcap's last packets
stop_bounded "$json_pid" 10
json_rc=$STOP_RC
stop_bounded "$text_pid" 10
stop_pid "$dumpcap_pid"
expect_eq tracer_exit "0 0" "$json_rc $STOP_RC"
capture_complete rst "$dir/dumpcap.log"

# One row per life, "server_port client_port segments reset_by syns":
# tshark's streams and the tracer's conn lines.
tshark -r "$dir/cap.pcapng" -T fields -e tcp.stream -e tcp.srcport -e tcp.dstport \
	-e tcp.flags.reset -e tcp.flags.syn -e tcp.flags.ack 2>/dev/null | awk '
	function on(v) { return v == "1" || v == "True" }
	{
		st = $1
		if (!(st in n)) { sp[st] = $2 >= 8101 && $2 <= 8104 ? $2 : $3
			cp[st] = sp[st] == $2 ? $3 : $2; rst[st] = "-"; syn[st] = 0 }
		n[st]++
		if (on($4) && rst[st] == "-") rst[st] = $2 == sp[st] ? "server" : "client"
		if (on($5) && !on($6)) syn[st]++
	}
	END { for (st in n) print sp[st], cp[st], n[st], rst[st], syn[st] }' | sort >"$dir/tshark.rows"
jq -r 'select(.type == "conn") | [(.server | sub(".*:"; "")), (.client | sub(".*:"; "")),
	.packets, (.reset_by // "-"), .syns] | join(" ")' "$dir/trace.json" | sort >"$dir/tracer.rows"

for s in "${SCENARIOS[@]}"; do
	read -r name port lives <<<"$s"
	want=$(grep "^$port " "$dir/tshark.rows" | tr '\n' '|')
	got=$(grep "^$port " "$dir/tracer.rows" | tr '\n' '|')
	expect_eq "${name}_lives_vs_tshark" "$want" "$got"
	expect_eq "${name}_lives" "$lives" "$(grep -c "^$port " "$dir/tracer.rows")"
	bad=$(jq -c "select(.type == \"conn\" and (.server | endswith(\":$port\")) and
		(.mid_stream or .open_at_exit or .incomplete or .closed_by != \"reset\" and .handshake != \"failed\"))
		| {client, closed_by, mid_stream, open_at_exit, incomplete}" "$dir/trace.json")
	expect_eq "${name}_each_life_reset_or_failed" "" "$bad"
done
expect_eq refused_handshake refused "$(jq -r 'select(.type == "conn" and (.server | endswith(":8103"))) | .handshake' "$dir/trace.json")"
expect_eq backlog_handshakes "complete complete failed" \
	"$(jq -r 'select(.type == "conn" and (.server | endswith(":8104"))) | .handshake' "$dir/trace.json" | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq stats_connections "$(wc -l <"$dir/tshark.rows") 0" \
	"$(jq -r 'select(.type == "stats") | "\(.connections) \(.lost)"' "$dir/trace.json")"
expect_eq text_reset_by_server 5 "$(grep -c '  reset by server' "$dir/trace.txt")"
# Linux retries a SYN at 1 s intervals first (tcp_syn_linear_timeouts), so
# the count comes from the capture: the one stream with no SYN-ACK.
syns=$(awk '$1 == 8104 && $4 == "-" {print $5}' "$dir/tshark.rows")
expect_eq text_handshake_failed 1 \
	"$(grep -c "handshake failed: no SYN-ACK after ${syns:-?} SYNs" "$dir/trace.txt")"
expect_eq text_no_made_up_life 0 "$(grep -c 'joined mid-stream\|still open at exit' "$dir/trace.txt")"

# ---- a burst where the server closes first, three times ---------------
mkdir -p "$TL_TMP/www"
echo hello >"$TL_TMP/www/index.html"
start_bg "$TL_TMP/httpd.log" "${NSX[@]}" ./tcplife-httpd -l 127.0.0.1 -p 8200 -r "$TL_TMP/www" -q
httpd_pid=$TL_BG
"${NSX[@]}" bash -c 'for i in $(seq 100); do ss -Htln "( sport = :8200 )" | grep -q . && exit 0; sleep 0.05; done; exit 1' ||
	{ fail burst_setup "tcplife-httpd did not listen"; exit 1; }
for run in 1 2 3; do
	json=$TL_TMP/burst$run.json
	start_tracer "$json" "$TL_TMP/burst$run.err" "${NSX[@]}" "$TRACER" --json -p 8200 -p 8201
	wait_for_line "$json" '"type":"start"' 15 || { fail "burst${run}_setup" "tracer did not start"; continue; }
	start_bg "$TL_TMP/stress$run.log" "${NSX[@]}" python3 "$DRIVER" stress 8201 4
	stress_pid=$TL_BG
	out=$("${NSX[@]}" python3 "$DRIVER" burst 8200 400 2>&1)
	[ $? = 0 ] && pass "burst${run}_sockets" || fail "burst${run}_sockets" "$out"
	wait_exit "$stress_pid" 10
	wait_conns "$json" ':8200$' 400 20
	sleep 0.5
	stop_bounded "$TRACER_PID" 10
	expect_eq "burst${run}_tracer_exit" 0 "$STOP_RC"
	# A life is right when it has the server's FIN_WAIT1 -> FIN_WAIT2 and
	# its TIME_WAIT; else it must be marked, with the loss counted.
	verdict=$(jq -s -r '
		(map(select(.type == "stats"))[0]) as $st
		| (map(select(.type == "state" and .side == "server" and .old == "FIN_WAIT1"
			and .new == "FIN_WAIT2") | .conn) | unique) as $fw2
		| [.[] | select(.type == "conn" and (.server | endswith(":8200")))] as $c
		| ($c | map(select(.time_wait == "server" and (.conn as $i | $fw2 | index($i)))) | length) as $ok
		| ($c | map(select(.incomplete)) | length) as $marked
		| "\($c | length) lives, \($ok) complete, \($marked) marked, open \($c | map(select(.open_at_exit)) | length), lost \($st.lost), states_missing \($st.states_missing // "none")"
		| if ($c | length) == 400 and ($ok + $marked) >= 400 and (. | test("open 0,"))
			and ($marked == 0 or $st.lost > 0 or ($st.states_missing // 0) > 0)
		  then "ok " + . else "bad " + . end' "$json")
	case $verdict in
	ok*) pass "burst${run}_every_life_complete_or_marked" ;;
	*)
		fail "burst${run}_every_life_complete_or_marked" "${verdict#bad }"
		if [ -n "${TL_KEEP:-}" ]; then
			mkdir -p "$TL_KEEP" && cp "$json" "$TL_TMP/burst$run.err" "$TL_KEEP/"
		fi
		;;
	esac
	echo "  burst $run: ${verdict#* }"
done
stop_pid "$httpd_pid"
exit $FAILED
