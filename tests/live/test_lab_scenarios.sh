#!/bin/bash
# Live test (root), in a network namespace of its own: every lab scenario of
# tcplife-httpd --lab, traced, graded against its golden shape
# (scenarios/NAME.json: PASS, exit 0) and against the same shape with one
# fact changed (that check FAILs, exit 1); one scenario graded from a
# dumpcap capture (classic pcap) and from the tracer's -w pcapng, both read
# as -r reads them; bad input to grade: one line, exit 2. About 7 s (most
# of it dumpcap writing its last block out).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=lab
rb_prereq "$T" curl jq dumpcap tshark || exit 1
NS=tlh-h14teach-$$
if ! rb_netns "$NS"; then
	fail "${T}_netns" "cannot create network namespace $NS"
	exit 1
fi

# The server on a port the kernel picks; its refused port too.
start_bg "$TL_TMP/httpd.out" ip netns exec "$NS" "$HTTPD" --lab -p 0 -q
HTTPD_PID=$TL_BG
if ! wait_for_line "$TL_TMP/httpd.out" '^tcplife-httpd: serving .* on http' 5; then
	fail "${T}_server" "did not start: $(tail -2 "$TL_TMP/httpd.out")"
	exit 1
fi
PORT=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$TL_TMP/httpd.out")
REFUSED=$(sed -n 's/.*refused port \([0-9]*\) .*/\1/p' "$TL_TMP/httpd.out")
URL=http://127.0.0.1:$PORT

TRACE=$TL_TMP/trace.json
CAP=$TL_TMP/trace.pcapng
PCAP=$TL_TMP/dumpcap.pcap
start_bg "$TL_TMP/dumpcap.log" ip netns exec "$NS" dumpcap -B 64 -P -i lo -w "$PCAP"
DUMPCAP_PID=$TL_BG
start_tracer "$TRACE" "$TL_TMP/tracer.err" ip netns exec "$NS" "$TRACER" --json -p "$PORT" -p "$REFUSED" -w "$CAP"
if ! wait_for_line "$TRACE" '"type":"start"' 10; then
	fail "${T}_tracer" "did not start: $(tail -2 "$TL_TMP/tracer.err")"
	exit 1
fi
if ! wait_for_line "$TL_TMP/dumpcap.log" '^File: ' 10; then
	fail "${T}_dumpcap" "did not start: $(tail -2 "$TL_TMP/dumpcap.log")"
	exit 1
fi

# What each scenario's client sees, beside the trace.
lab_curl() { in_ns curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }
expect_eq "${T}_server-close: curl" 200 "$(lab_curl "$URL/lab/server-close")"
expect_eq "${T}_connection-close: curl" 200 "$(lab_curl "$URL/lab/connection-close")"
expect_eq "${T}_slow: curl" 200 "$(lab_curl "$URL/lab/slow")"
expect_eq "${T}_chunked: curl" 200 "$(lab_curl "$URL/lab/chunked")"
expect_eq "${T}_large: curl" 200 "$(lab_curl "$URL/lab/large")"
lab_curl "$URL/lab/abort" >/dev/null
expect_eq "${T}_abort: curl reads a reset (56)" 56 "$?"
lab_curl "http://127.0.0.1:$REFUSED/" >/dev/null
expect_eq "${T}_refused: curl cannot connect (7)" 7 "$?"
expect_eq "${T}_client-close: curl" 200 "$(lab_curl "$URL/")"

# Every life ended (8 conn lines), then the tracer stops.
for _ in $(seq 100); do
	[ "$(grep -c '"type":"conn"' "$TRACE")" -ge 8 ] && break
	sleep 0.05
done
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_tracer_exit" 0 "$STOP_RC"
# dumpcap writes a block of packets out when it fills or times out: wait
# until the file holds every segment the tracer saw before stopping it.
want=$(grep -c '"type":"packet"' "$TRACE")
deadline=$((SECONDS + 5))
while [ "$(tshark -r "$PCAP" 2>/dev/null | wc -l)" -lt "$want" ] && [ $SECONDS -lt $deadline ]; do
	sleep 0.1
done
stop_bounded "$DUMPCAP_PID" 10
capture_complete "${T}_dumpcap" "$TL_TMP/dumpcap.log"

# grade_expect NAME SHAPE INPUT RC [REGEX]: grade exits RC, and when given
# a line matches REGEX; grade's own lines stay in a file (its FAIL lines
# are the expected outcome of the wrong shapes, not this test's).
grade_expect() {
	local out=$TL_TMP/grade.$1 rc
	"$TRACER" grade "$2" "$3" >"$out" 2>"$out.err"
	rc=$?
	if [ "$rc" != "$4" ]; then
		fail "$1" "exit $rc, want $4: $(grep -m1 FAIL "$out") $(head -c 200 "$out.err")"
	elif [ -n "${5:-}" ] && ! grep -qE "$5" "$out"; then
		fail "$1" "no line matches '$5': $(tr '\n' '|' <"$out" | head -c 400)"
	else
		pass "$1"
	fi
}

# One fact of each golden shape changed, and the check that must then fail.
declare -A WRONG=(
	[server-close]='.closed_by = "client"|^closed by: FAIL expected client, saw server$'
	[connection-close]='.framing = "length"|^framing: FAIL expected length, saw close$'
	[slow]='.min_latency_ms = 5000|^latency: FAIL expected at least 5000 ms'
	[chunked]='.framing = "length"|^framing: FAIL expected length, saw chunked$'
	[large]='.min_data_segments = 100000|^data segments: FAIL'
	[abort]='.time_wait = "server"|^time_wait: FAIL expected server, saw none$'
	[refused]='.handshake = "complete"|^handshake: FAIL expected complete, saw refused$'
	[client-close]='.states.client = ["SYN_SENT", "CLOSE_WAIT"]|^states client: FAIL'
)
for s in server-close connection-close slow chunked large abort refused client-close; do
	grade_expect "${T}_${s}: grade PASS" "$s" "$TRACE" 0 '^time_wait: PASS'
	jq "${WRONG[$s]%%|*}" "scenarios/$s.json" >"$TL_TMP/wrong-$s.json"
	grade_expect "${T}_${s}: a wrong shape, exit 1 and its FAIL line" "$TL_TMP/wrong-$s.json" "$TRACE" 1 \
		"${WRONG[$s]#*|}"
done

# A student's capture: packets only, so the states are skipped and the
# rest still holds; dumpcap's pcap, and the tracer's own -w pcapng.
grade_expect "${T}_dumpcap pcap: grade PASS, states skipped" server-close "$PCAP" 0 \
	'^states server: SKIP '
grade_expect "${T}_dumpcap pcap: closed by the server" server-close "$PCAP" 0 \
	'^closed by: PASS expected server, saw server$'
grade_expect "${T}_dumpcap pcap: the abort" abort "$PCAP" 0 '^reset by: PASS expected server'
grade_expect "${T}_-w pcapng: grade PASS" server-close "$CAP" 0 '^time_wait: PASS'

# Bad input: one line on stderr, exit 2.
bad_input() {
	local name=$1 rc lines
	shift
	"$TRACER" grade "$@" >"$TL_TMP/bad.out" 2>"$TL_TMP/bad.err"
	rc=$?
	lines=$(wc -l <"$TL_TMP/bad.err")
	if [ "$rc" = 2 ] && [ "$lines" = 1 ] && [ ! -s "$TL_TMP/bad.out" ]; then
		pass "${T}_bad input: $name"
	else
		fail "${T}_bad input: $name" "exit $rc, $lines stderr lines: $(head -c 200 "$TL_TMP/bad.err")"
	fi
}
printf '{"type":"start"}\n{"type":"conn","conn":1\n' >"$TL_TMP/cut.json"
head -c 4096 /dev/urandom | tr -d '{' >"$TL_TMP/noise"
echo '{"scenario":"x","closed_by":"nobody"}' >"$TL_TMP/badvalue.json"
echo '{"scenario":"x","close_by":"server"}' >"$TL_TMP/typo.json"
bad_input "no such scenario" no-such-scenario "$TRACE"
bad_input "a trace cut in a line" server-close "$TL_TMP/cut.json"
bad_input "neither JSON nor a capture" server-close "$TL_TMP/noise"
bad_input "no such input" server-close "$TL_TMP/missing.json"
bad_input "a shape's value it cannot have" "$TL_TMP/badvalue.json" "$TRACE"
bad_input "a shape's unknown member" "$TL_TMP/typo.json" "$TRACE"
bad_input "one argument" server-close
stop_pid "$HTTPD_PID"
