#!/bin/bash
# Live test (root): the frame numbers a live trace prints are the -w file's.
# In a network namespace of our own, the tracer runs with --json -w and, a
# second time, as text with -w; curl makes two connections (three requests,
# IPv4 and IPv6) to tcplife-httpd. Each packet's `frame` and `stream` must
# be tshark's frame.number and tcp.stream for the same segment of the -w
# file (matched by raw seq, raw ack, flags and ports), every frame of the
# file must be reported once, and the text's No. column must hold the same
# numbers in the file's order.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=frame_numbers
rb_prereq "$T" tshark jq curl ip || exit 1
NS=tlh-frames-$$
PORT=8080 # our own namespace: nobody else listens
nsx() { ip netns exec "$NS" "$@"; }
if ! rb_netns "$NS"; then
	fail "${T}_setup" "no namespace $NS"
	exit 1
fi
start_bg "$TL_TMP/httpd.log" ip netns exec "$NS" "$TL_ROOT/tcplife-httpd" -q -p "$PORT" -r "$TL_ROOT/www"
for _ in $(seq 50); do nsx curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.1; done

# run NAME ARGS...: a traced run of the same traffic; NAME.out, NAME.pcapng.
run() {
	local name=$1
	shift
	start_tracer "$TL_TMP/$name.out" "$TL_TMP/$name.err" ip netns exec "$NS" "$TRACER" -p "$PORT" \
		-w "$TL_TMP/$name.pcapng" "$@"
	if ! wait_for_line "$TL_TMP/$name.err" 'Tracing TCP' 10 &&
		! wait_for_line "$TL_TMP/$name.out" '"type":"start"' 10; then
		fail "${T}_${name}_setup" "tracer did not start: $(head -c 300 "$TL_TMP/$name.err")"
		return 1
	fi
	nsx curl -s -o /dev/null -o /dev/null "http://127.0.0.1:$PORT/" "http://127.0.0.1:$PORT/missing"
	nsx curl -s -g -o /dev/null "http://[::1]:$PORT/index.html"
	# Both lives end (curl closes first) before the tracer is stopped.
	local deadline=$((SECONDS + 10))
	while [ "$(grep -c -e '"type":"conn"' -e '^  = ' "$TL_TMP/$name.out")" -lt 2 ] &&
		[ $SECONDS -lt $deadline ]; do sleep 0.05; done
	stop_bounded "$TRACER_PID" 10
	expect_eq "${T}_${name}_exit" 0 "$STOP_RC"
}

if run json --json; then
	tshark -r "$TL_TMP/json.pcapng" -T fields -e frame.number -e tcp.stream -e tcp.srcport \
		-e tcp.dstport -e tcp.seq_raw -e tcp.ack_raw 2>/dev/null | sort -n >"$TL_TMP/ts.rows"
	jq -r 'select(.type == "packet") | [.frame, .stream, .sport, .dport, .seq_raw, .ack_raw] | @tsv' \
		"$TL_TMP/json.out" | sort -n >"$TL_TMP/tr.rows"
	if [ -s "$TL_TMP/ts.rows" ] && cmp -s "$TL_TMP/ts.rows" "$TL_TMP/tr.rows"; then
		pass "${T}_json_frame_and_stream"
	else
		fail "${T}_json_frame_and_stream" "$(diff "$TL_TMP/ts.rows" "$TL_TMP/tr.rows" | head -n 4 | tr '\n' '|')"
	fi
	expect_eq "${T}_json_streams" "2" "$(cut -f2 "$TL_TMP/tr.rows" | sort -u | wc -l)"
fi

if run text; then
	tshark -r "$TL_TMP/text.pcapng" -T fields -e frame.number 2>/dev/null >"$TL_TMP/ts.no"
	awk '$1 ~ /^[0-9]+$/ && $2 ~ /^\+/ { print $1 }' "$TL_TMP/text.out" | sort -n >"$TL_TMP/tr.no"
	if [ -s "$TL_TMP/ts.no" ] && cmp -s "$TL_TMP/ts.no" "$TL_TMP/tr.no"; then
		pass "${T}_text_no_column"
	else
		fail "${T}_text_no_column" "$(diff "$TL_TMP/ts.no" "$TL_TMP/tr.no" | head -n 4 | tr '\n' '|')"
	fi
	check "${T}_text_header" grep -q '^  No\.     time' "$TL_TMP/text.out"
fi
