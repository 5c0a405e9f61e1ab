#!/bin/bash
# Live test (root): events lost in the kernel are visible, never wrong.
#
# A 4 KiB ring buffer (--ringbuf-size 4096) and wrk's load (keep-alive, then
# Connection: close) on a port of our own make the kernel drop records.
# JSON: "loss" events with a growing total, the final "stats" with the same
# lost > 0, every line valid JSON, connections open while records were lost
# flagged "incomplete" (checked for those whose life spans a loss report by
# more than 50 ms on both sides, so the tracer's own timing cannot matter),
# and no connection without that flag has a made-up life: its state
# histories are chains of legal TCP transitions starting at CLOSE->SYN_SENT /
# LISTEN->SYN_RECV, its first segment is the client's SYN, its packet and byte
# counters equal its packet events, and neither direction's sequence numbers
# jump (a segment missing). After the load, one curl on a second port must
# agree exactly with tshark (agreement.jq): the tracer recovers. Text mode:
# the warning on stderr and "N events, M lost, K connections" (M > 0) at
# exit, INCOMPLETE on stdout. SIGINT ends both with 0; no hook is left.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=loss
rb_prereq "$T" wrk curl jq dumpcap tshark bpftool || exit 0

DOC=$TL_TMP/www
mkdir -p "$DOC"
printf '<!DOCTYPE html>\n<title>loss</title>\n<p>hello</p>\n' >"$DOC/index.html"
PORT=$(free_port)
PORT2=$(free_port)
while [ "$PORT2" = "$PORT" ]; do PORT2=$(free_port); done
start_httpd "$PORT" "$DOC" || { fail "${T}_setup" "tcplife-httpd did not listen on $PORT"; exit 0; }
SERVER1_PID=$SERVER_PID
start_httpd "$PORT2" "$DOC" || { fail "${T}_setup" "tcplife-httpd did not listen on $PORT2"; exit 0; }
SERVER2_PID=$SERVER_PID

# bounded_wrk SECONDS ARGS...: wrk on PORT, killed if it overruns by 15 s.
bounded_wrk() {
	local d=$1
	shift
	timeout -s KILL $((d + 15)) wrk -t1 -c20 -d"${d}s" "$@" "http://127.0.0.1:$PORT/index.html" >>"$TL_TMP/wrk.log" 2>&1
}

# ---- JSON ----
J=$TL_TMP/loss.json
start_bg "$TL_TMP/dumpcap.log" dumpcap -B 16 -i lo -f "tcp port $PORT2" -w "$TL_TMP/after.pcapng"
DUMPCAP_PID=$TL_BG
if ! wait_for_line "$TL_TMP/dumpcap.log" '^File:' 10; then
	fail "${T}_setup" "dumpcap did not start: $(head -c 300 "$TL_TMP/dumpcap.log")"
	exit 0
fi
start_tracer "$J" "$TL_TMP/loss.err" "$TRACER" --json --ringbuf-size 4096 -p "$PORT" -p "$PORT2"
if ! wait_for_line "$J" '"type":"start"' 10; then
	fail "${T}_json_start" "no start line: $(head -c 300 "$TL_TMP/loss.err")"
	exit 0
fi
IDS=$(bpf_ids "$TRACER_PID")
bounded_wrk 1
bounded_wrk 1 -H 'Connection: close'
# The load is over: one connection on the second port, with the capture.
sleep 1
curl -s --max-time 10 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT2/" >"$TL_TMP/curl.out" &
CURL_PID=$!
wait "$CURL_PID"
expect_eq "${T}_after_load_curl" 200 "$(cat "$TL_TMP/curl.out")"
wait_for_line "$J" "\"type\":\"conn\".*\"server\":\"127\\.0\\.0\\.1:$PORT2\"" 10
sleep 1
ALIVE=no
kill -0 "$TRACER_PID" 2>/dev/null && ALIVE=yes
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_json_survives_and_exits_0" "alive yes, exit 0" "alive $ALIVE, exit $STOP_RC"
stop_pid "$DUMPCAP_PID"
check_hooks_gone "${T}_json_no_hook_left" "$IDS"
grep -h 'requests in' "$TL_TMP/wrk.log" | sed 's/^ */# wrk: /'

if why=$(json_lines_ok "$J"); then pass "${T}_json_valid"; else fail "${T}_json_valid" "$why"; fi
# One streaming pass keeps what the checks below need (the full file is
# ~100 MB; several jq -s over it would take minutes).
jq -R -c 'fromjson? // empty | select(.type != "http" and .type != "exchange")
	| if .type == "packet" then {type, conn, dir, flags, seq, len} else . end' "$J" >"$TL_TMP/small.json"

# loss events: some, growing totals, the last equal to stats.lost > 0.
jq -s -r '(map(select(.type == "loss") | .lost)) as $l
	| ([.[] | select(.type == "stats")][0]) as $st
	| ([.[] | select(.type == "loss") | .ts] | sort) as $L
	| [.[] | select(.type == "conn")] as $C
	# Connections whose life spans a loss report by 50 ms on both sides were
	# open in the tracer when it learnt of the loss: all must be incomplete.
	| [$C[] | . as $c | ($L | bsearch($c.start + 0.05)) as $i | (if $i < 0 then -1 - $i else $i end) as $i
		| select($i < ($L | length) and $L[$i] < $c.end - 0.05)] as $span
	| "loss events \($l | length > 0), growing \($l == ($l | sort) and ($l | unique | length) == ($l | length)), last = stats \(($l | last) == $st.lost), stats lost > 0 \($st.lost > 0)",
	  ([$C[] | select(.incomplete == true)] | length),
	  ($C | length),
	  ($span | length),
	  ([$span[] | select(.incomplete != true) | .conn] | .[0:5] | join(",")),
	  ($st | tojson)' "$TL_TMP/small.json" >"$TL_TMP/summary.txt"
{ read -r got; read -r n_incomplete; read -r n_conns; read -r n_span; read -r unflagged; read -r stats; } <"$TL_TMP/summary.txt"
expect_eq "${T}_json_loss_reported" "loss events true, growing true, last = stats true, stats lost > 0 true" "${got:-}"
echo "# stats: ${stats:-}"
echo "# ${n_incomplete:-?} of ${n_conns:-?} connections flagged incomplete"
check "${T}_json_incomplete_flagged" test "${n_incomplete:-0}" -gt 0
if [ "${n_span:-0}" -gt 0 ] && [ -z "${unflagged:-}" ]; then
	pass "${T}_json_open_during_loss_incomplete"
else
	fail "${T}_json_open_during_loss_incomplete" "${n_span:-?} connections span a loss report by 50 ms; not flagged incomplete: '${unflagged:-}'"
fi

# No made-up life among the connections not flagged incomplete.
cat >"$TL_TMP/valid.jq" <<'EOF'
def legal: ["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED", "SYN_SENT>CLOSE", "LISTEN>SYN_RECV",
	"SYN_RECV>ESTABLISHED", "SYN_RECV>CLOSE", "SYN_RECV>FIN_WAIT1", "ESTABLISHED>FIN_WAIT1",
	"ESTABLISHED>CLOSE_WAIT", "ESTABLISHED>CLOSE", "FIN_WAIT1>FIN_WAIT2", "FIN_WAIT1>CLOSING",
	"FIN_WAIT1>CLOSE", "FIN_WAIT2>CLOSE", "CLOSING>CLOSE", "CLOSE_WAIT>LAST_ACK",
	"CLOSE_WAIT>CLOSE", "LAST_ACK>CLOSE"];
def has($f): (.flags // "") | split(", ") | index([$f]) != null;
. as $ev
| ($ev | map(select(.type == "state" or .type == "packet")) | group_by(.conn)
	| map({key: (.[0].conn | tostring), value: .}) | from_entries) as $by
| $ev[] | select(.type == "conn" and .incomplete == false) | . as $c
| ($by[$c.conn | tostring] // []) as $e
| (("client", "server") as $side
	| [$e[] | select(.type == "state" and .side == $side and (.inferred | not))] as $s
	| ($s[] | select(("\(.old)>\(.new)" | IN(legal[])) | not)
		| "conn \($c.conn) \($side): illegal \(.old)>\(.new)"),
	  (range(1; $s | length) as $i | select($s[$i].old != $s[$i - 1].new)
		| "conn \($c.conn) \($side): \($s[$i - 1].old)>\($s[$i - 1].new) then \($s[$i].old)>\($s[$i].new)"),
	  (select(($c.mid_stream | not) and ($s | length) > 0)
		| select(($s[0] | "\(.old)>\(.new)") != (if $side == "client" then "CLOSE>SYN_SENT" else "LISTEN>SYN_RECV" end))
		| "conn \($c.conn) \($side): starts with \($s[0].old)>\($s[0].new)")),
  ([$e[] | select(.type == "packet")] as $p
	| (select(($p | length) != $c.packets) | "conn \($c.conn): packets=\($c.packets) but \($p | length) packet events"),
	  (("c2s", "s2c") as $d | ([$p[] | select(.dir == $d) | .len] | add // 0) as $b
		| select($b != $c["bytes_\($d)"]) | "conn \($c.conn): bytes_\($d)=\($c["bytes_\($d)"]) but its segments carry \($b)"),
	  (select(($c.mid_stream | not) and ($p | length) > 0
		and ($p[0] | .dir == "c2s" and has("SYN") and (has("ACK") | not)) == false)
		| "conn \($c.conn): first segment \($p[0].dir) [\($p[0].flags)], not the client's SYN"),
	  (("c2s", "s2c") as $d
		| reduce ($p[] | select(.dir == $d and (has("RST") | not))) as $x ({next: null, gap: null};
			if .gap != null then .
			elif .next != null and $x.seq > .next then .gap = "seq \($x.seq) after \(.next)"
			else .next = ([.next // 0, $x.seq + $x.len + (if $x | has("SYN") then 1 else 0 end)
				+ (if $x | has("FIN") then 1 else 0 end)] | max) end)
		| select(.gap != null) | "conn \($c.conn) \($d): a segment is missing (\(.gap))"))
EOF
jq -s -r -f "$TL_TMP/valid.jq" "$TL_TMP/small.json" >"$TL_TMP/madeup.txt" 2>&1
n_complete=$((n_conns - n_incomplete))
if [ ! -s "$TL_TMP/madeup.txt" ] && [ "$n_complete" -gt 0 ]; then
	pass "${T}_json_no_made_up_life"
else
	bad=$(cut -d: -f1 "$TL_TMP/madeup.txt" | awk '{print $2}' | sort -u | wc -l)
	fail "${T}_json_no_made_up_life" "$bad of $n_complete connections not flagged incomplete have an impossible history: $(head -n 4 "$TL_TMP/madeup.txt" | tr '\n' ';')"
	[ -n "${TL_KEEP:-}" ] && mkdir -p "$TL_KEEP" && cp "$J" "$TL_TMP/madeup.txt" "$TL_KEEP/"
fi

# After the load: the second port's connection is complete and agrees
# with tshark exactly.
ids=$(grep -E "\"(sport|dport)\":$PORT2[,}]" "$J" | grep -oE '"conn":[0-9]+' | sort -u | cut -d: -f2 | paste -sd'|')
grep -E "\"conn\":(${ids:-none})[,}]" "$J" | jq -R -c 'fromjson? // empty' >"$TL_TMP/after.tracer.json"
got=$(jq -s -r '[.[] | select(.type == "conn")] | "\(length) conn(s), incomplete \(map(.incomplete) | unique)"' "$TL_TMP/after.tracer.json")
expect_eq "${T}_after_load_complete" "1 conn(s), incomplete [false]" "$got"
capture_complete "${T}_after_load" "$TL_TMP/dumpcap.log"
if tshark_fields "$TL_TMP/after.pcapng" "$PORT2" "$TL_TMP/after.tshark.json" "$TL_TMP/tshark.err"; then
	meta=$(jq -nc --argjson cpid "$CURL_PID" --argjson spid "$SERVER2_PID" \
		'{name: "loss_after_load", nconn: 1, curl_pids: [$cpid], server_pid: $spid, server_comm: "tcplife-httpd"}')
	jq -r -n --slurpfile ts "$TL_TMP/after.tshark.json" --slurpfile tr "$TL_TMP/after.tracer.json" \
		--argjson meta "$meta" -f "$TL_ROOT/tests/live/agreement.jq" 2>"$TL_TMP/jq.err" ||
		fail "${T}_after_load_compare" "jq failed: $(head -c 300 "$TL_TMP/jq.err")"
else
	fail "${T}_after_load_tshark" "tshark failed: $(grep -v 'Running as user' "$TL_TMP/tshark.err" | head -c 300)"
fi

# ---- text mode ----
X=$TL_TMP/loss.txt
start_tracer "$X" "$TL_TMP/loss_text.err" "$TRACER" --color never --ringbuf-size 4096 -p "$PORT"
if wait_for_line "$TL_TMP/loss_text.err" 'Tracing TCP' 10; then
	IDS=$(bpf_ids "$TRACER_PID")
	bounded_wrk 1 -H 'Connection: close'
	sleep 0.5
	stop_bounded "$TRACER_PID" 10
	expect_eq "${T}_text_exit" 0 "$STOP_RC"
	check_hooks_gone "${T}_text_no_hook_left" "$IDS"
	if grep -qE '^tcplife-http: warning: [1-9][0-9]* events lost \(ring buffer full\)' "$TL_TMP/loss_text.err"; then
		pass "${T}_text_warning"
	else
		fail "${T}_text_warning" "stderr: $(head -c 300 "$TL_TMP/loss_text.err" | tr '\n' '|')"
	fi
	last=$(tail -n 1 "$TL_TMP/loss_text.err")
	if [[ $last =~ ^[0-9]+\ events?,\ [1-9][0-9]*\ lost,\ [0-9]+\ connections?$ ]]; then
		pass "${T}_text_count_at_exit"
	else
		fail "${T}_text_count_at_exit" "last stderr line: '${last:0:200}'"
	fi
	check "${T}_text_incomplete_shown" grep -q 'INCOMPLETE' "$X"
	echo "# text mode: $(grep -c 'warning: .* events lost' "$TL_TMP/loss_text.err") warning lines; $last"
else
	fail "${T}_text_start" "no 'Tracing TCP' line: $(head -c 300 "$TL_TMP/loss_text.err")"
	stop_bounded "$TRACER_PID" 5
fi
stop_pid "$SERVER1_PID"
stop_pid "$SERVER2_PID"
