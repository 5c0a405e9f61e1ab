#!/bin/bash
# Live test (root): the lab view against tshark, live and with -r.
# In a network namespace of our own, dumpcap (full frames) and two tracers
# at once (--json --headers=all; text --headers --why) see curl make the
# lab's answers (200, 304 by If-None-Match, 206 by Range, 404 by
# If-Modified-Since), a request whose head is longer than the 1024 bytes
# the kernel copies (a long Cookie before If-None-Match), and a connection
# opened and closed with no request (a preconnect). Checks:
# - every header field the tracer reports is one tshark dissects
#   (http.request.line / http.response.line) on the same message, and all
#   of them when the head was not cut; the long head is marked cut live
#   (nothing invented) and whole with -r on dumpcap's capture;
# - the text shows the headers that explain each answer under its line;
#   segment lines fit 120 columns, without TSval and eBPF jargon;
# - every state event has a cause, the close's are the RFC's events;
# - the unused connection is named (no request, python3 being no browser); -r --lang zh gives the legend in Chinese with
#   tshark's raw ISNs and window scale factor.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=lab_view
rb_prereq "$T" tshark dumpcap jq curl ip python3 || exit 1
NS=tlh-labview-$$
PORT=8080 # our own namespace: nobody else listens
U=http://127.0.0.1:$PORT
if ! rb_netns "$NS"; then
	fail "${T}_setup" "no namespace $NS"
	exit 1
fi
start_bg "$TL_TMP/httpd.log" ip netns exec "$NS" "$HTTPD" -q -p "$PORT" -r "$TL_ROOT/www"
for _ in $(seq 50); do in_ns curl -s -o /dev/null "$U/" && break; sleep 0.1; done

start_bg "$TL_TMP/dumpcap.log" ip netns exec "$NS" dumpcap -B 64 -i lo -f "tcp port $PORT" \
	-w "$TL_TMP/cap.pcapng"
DUMPCAP=$TL_BG
start_tracer "$TL_TMP/j.out" "$TL_TMP/j.err" ip netns exec "$NS" "$TRACER" -p "$PORT" --json \
	--headers=all
JPID=$TRACER_PID
start_tracer "$TL_TMP/t.out" "$TL_TMP/t.err" ip netns exec "$NS" "$TRACER" -p "$PORT" \
	--headers --why
TPID=$TRACER_PID
if ! wait_for_line "$TL_TMP/dumpcap.log" '^File:' 10 ||
	! wait_for_line "$TL_TMP/j.out" '"type":"start"' 10 ||
	! wait_for_line "$TL_TMP/t.err" '^Tracing TCP' 10; then
	fail "${T}_setup" "not started: $(head -c 300 "$TL_TMP/dumpcap.log" "$TL_TMP/j.err" "$TL_TMP/t.err")"
	exit 1
fi

ETAG=$(in_ns curl -sI "$U/index.html" | tr -d '\r' | awk -F': ' 'tolower($1) == "etag" { print $2 }')
COOKIE="Cookie: lab=$(head -c 1500 /dev/zero | tr '\0' 'x')"
in_ns curl -s -o /dev/null -o /dev/null -o /dev/null "$U/" -H "If-None-Match: $ETAG" "$U/index.html" \
	-H 'Range: bytes=0-99' "$U/intro.mp3"
in_ns curl -s -o /dev/null -H 'If-Modified-Since: Sat, 28 Nov 2026 04:33:45 GMT' "$U/missing"
in_ns curl -s -o /dev/null -H "$COOKIE" -H "If-None-Match: $ETAG" "$U/index.html"
in_ns python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT)).close()"
# Five lives, each ended (the clients close first), before the tracers stop.
for f in j t; do
	deadline=$((SECONDS + 10))
	while [ "$(grep -c -e '"type":"conn"' -e '^  = ' "$TL_TMP/$f.out")" -lt 5 ] &&
		[ $SECONDS -lt $deadline ]; do sleep 0.05; done
done
stop_bounded "$JPID" 10
expect_eq "${T}_json_exit" 0 "$STOP_RC"
stop_bounded "$TPID" 10
expect_eq "${T}_text_exit" 0 "$STOP_RC"
stop_pid "$DUMPCAP"
capture_complete "$T" "$TL_TMP/dumpcap.log"

# tshark's header lines of each message, keyed "clientport dir relseq".
tshark -r "$TL_TMP/cap.pcapng" -o tcp.desegment_tcp_streams:FALSE -d "tcp.port==$PORT,http" \
	-Y http -T json -e tcp.srcport -e tcp.dstport -e tcp.seq -e frame.number \
	-e http.request.line -e http.response.line 2>/dev/null |
	jq -c --argjson p "$PORT" '.[]._source.layers
		| (.["tcp.dstport"][0] | tonumber) as $d
		| {key: "\(if $d == $p then .["tcp.srcport"][0] else .["tcp.dstport"][0] end) \(if $d == $p then "request" else "response" end) \(.["tcp.seq"][0])",
		   frame: (.["frame.number"][0] | tonumber),
		   lines: [(.["http.request.line"] // .["http.response.line"] // [])[]
			| sub("\r\n$"; "") | capture("^(?<n>[^:]+):[ \t]*(?<v>.*?)[ \t]*$") | "\(.n | ascii_downcase): \(.v)"] | sort}' \
	>"$TL_TMP/ts.rows"
expect_eq "${T}_tshark_messages" 12 "$(wc -l <"$TL_TMP/ts.rows")"

# ours TRACE: the same rows from a --json trace, with "cut".
ours() {
	jq -c -s '(map(select(.type == "conn") | {key: (.conn | tostring), value: (.client | sub(".*:"; ""))})
		| from_entries) as $cp
		| .[] | select(.type == "http")
		| {key: "\($cp[.conn | tostring]) \(.dir) \(.seq)", frame,
		   lines: [.headers | to_entries[] | "\(.key): \(.value)"] | sort,
		   cut: (.headers_truncated // false)}' "$1"
}
# agree NAME TRACE: each message's fields are tshark's, all of them unless cut.
agree() {
	local bad
	bad=$(jq -n -r --slurpfile ts "$TL_TMP/ts.rows" --slurpfile us <(ours "$2") '
		($ts | map({key, value: .}) | from_entries) as $T
		| ($us | length | if . != ($ts | length) then "messages: \(.) vs tshark \($ts | length)" else empty end),
		  ($us[] | . as $u | $T[$u.key] as $t
			| if $t == null then "\($u.key): not in tshark"
			  elif ($u.lines - $t.lines) != [] then "\($u.key): not in tshark: \($u.lines - $t.lines)"
			  elif ($u.cut | not) and $u.lines != $t.lines then "\($u.key): missing \($t.lines - $u.lines)"
			  else empty end)' | head -n 3)
	if [ -z "$bad" ]; then pass "${T}_$1"; else fail "${T}_$1" "$(tr '\n' '|' <<<"$bad")"; fi
}
agree live_headers_are_tshark "$TL_TMP/j.out"
# The long head, live: cut after the Cookie, so If-None-Match is not there.
LONG=$(ours "$TL_TMP/j.out" | jq -s -c 'map(select(.lines | any(startswith("cookie: ")) | not)
	| select(.cut)) | length')
expect_eq "${T}_live_long_head_only_cut" 1 "$LONG"
check "${T}_live_cut_head_no_if_none_match" \
	jq -e -s 'map(select(.type == "http" and .headers_truncated == true))
		| length == 1 and (.[0].headers | has("if-none-match") | not)' "$TL_TMP/j.out"

"$TRACER" -r "$TL_TMP/cap.pcapng" -p "$PORT" --json --headers=all >"$TL_TMP/r.out" 2>"$TL_TMP/r.err"
agree r_headers_are_tshark "$TL_TMP/r.out"
check "${T}_r_nothing_cut" jq -e -s 'map(select(.headers_truncated)) | length == 0' "$TL_TMP/r.out"
# -r: the message's frame is tshark's.
expect_eq "${T}_r_frames" "$(jq -r .frame "$TL_TMP/ts.rows" | sort -n | tr '\n' ' ')" \
	"$(jq -r 'select(.type == "http") | .frame' "$TL_TMP/r.out" | sort -n | tr '\n' ' ')"

# The text: the headers that explain each answer, under its line.
want_after() { # NAME MESSAGE-REGEX HEADER-REGEX: HEADER within the lines under MESSAGE
	if awk -v m="$2" -v h="$3" '$0 ~ m { n = 12 } n-- > 0 && $0 ~ ("^      +" h) { found = 1 }
		END { exit !found }' "$TL_TMP/t.out"; then pass "${T}_$1"; else fail "${T}_$1" "no '$3' under '$2'"; fi
}
want_after text_304_if_none_match 'GET /index.html HTTP/1.1' 'If-None-Match: "'
want_after text_304_etag 'HTTP/1.1 304 ' 'ETag: "'
want_after text_206_range 'GET /intro.mp3 HTTP/1.1' 'Range: bytes=0-99'
want_after text_206_content_range 'HTTP/1.1 206 ' 'Content-Range: bytes 0-99/'
want_after text_404_if_modified_since 'GET /missing HTTP/1.1' 'If-Modified-Since: Sat, 28 Nov'
want_after text_keep_alive 'HTTP/1.1 200 ' 'Keep-Alive: timeout='
want_after text_cut_head 'GET /index.html HTTP/1.1' '… \(only the first 1024 bytes'
check "${T}_text_no_user_agent" bash -c "! grep -q '^ *User-Agent:' '$TL_TMP/t.out'"
# wide FILE REGEX: the lines matching REGEX (segment lines) past 120 columns
# (ASCII: bytes are columns). grep -E, since mawk has no {n}.
wide() { grep -E "$2" "$1" | awk 'length($0) > 120' | head -n 2; }
WIDE=$(wide "$TL_TMP/t.out" '^  +\+[0-9]+\.[0-9]{6}   [0-9]+ -> [0-9]+ ')
expect_eq "${T}_segment_lines_fit_120" "" "$WIDE"
check "${T}_segment_lines_counted" grep -qE '^  +\+[0-9.]+   [0-9]+ -> [0-9]+   \[SYN\]' "$TL_TMP/t.out"
expect_eq "${T}_no_tsval_in_text" "" "$(grep -m1 'TSval' "$TL_TMP/t.out")"
expect_eq "${T}_no_ebpf_jargon" "" "$(grep -h -m1 -E 'tcx|tp_btf|sock_diag|raw_tp' "$TL_TMP/t.out" "$TL_TMP/t.err")"
check "${T}_text_why" grep -q 'server ESTABLISHED -> CLOSE_WAIT  (why: FIN received)' "$TL_TMP/t.out"
check "${T}_text_legend_note" grep -q '^  Note: TIME_WAIT lasts 60 s on Linux' "$TL_TMP/t.out"
# python3 is no browser: its unused connection is not called a preconnect.
check "${T}_text_preconnect" grep -q ' S>C 0 B  no request  closed by client' "$TL_TMP/t.out"

# Causes: on every state event; the close as RFC 9293 names it.
check "${T}_json_cause_everywhere" jq -e -s 'map(select(.type == "state")) | length > 0 and all(has("cause"))' "$TL_TMP/j.out"
# The handover of an orphaned client socket comes at the ACK of its FIN, or
# at the server's FIN when that was first: both are the RFC's events.
ALLOWED='client ESTABLISHED FIN_WAIT1 close_called
client FIN_WAIT1 FIN_WAIT2 ack_of_fin_received
client FIN_WAIT2 CLOSE fin_received
client FIN_WAIT2 CLOSE ack_of_fin_received
client FIN_WAIT2 TIME_WAIT fin_received
server CLOSE_WAIT LAST_ACK close_called
server ESTABLISHED CLOSE_WAIT fin_received
server LAST_ACK CLOSE ack_of_fin_received'
expect_eq "${T}_json_close_causes" "" \
	"$(jq -r 'select(.type == "state" and .old != "CLOSE" and .old != "LISTEN" and .old != "SYN_SENT" and .old != "SYN_RECV")
		| "\(.side) \(.old) \(.new) \(.cause)"' "$TL_TMP/j.out" | sort -u | grep -vxF "$ALLOWED" | tr '\n' '|')"
expect_eq "${T}_json_close_causes_count" 35 \
	"$(jq -r 'select(.type == "state" and .old != "CLOSE" and .old != "LISTEN" and .old != "SYN_SENT" and .old != "SYN_RECV") | .cause' "$TL_TMP/j.out" | wc -l)"
expect_eq "${T}_json_preconnect" "true false false false false" \
	"$(jq -r -s 'map(select(.type == "conn")) | sort_by(.requests) | map(.preconnect) | join(" ")' "$TL_TMP/j.out")"

# -r --lang zh: the legend in Chinese, its numbers tshark's.
"$TRACER" -r "$TL_TMP/cap.pcapng" -p "$PORT" --lang zh >"$TL_TMP/zh.out" 2>"$TL_TMP/zh.err"
ISN=$(tshark -r "$TL_TMP/cap.pcapng" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 0' -T fields \
	-e tcp.seq_raw 2>/dev/null | head -n 1)
SISN=$(tshark -r "$TL_TMP/cap.pcapng" -Y 'tcp.flags.syn == 1 && tcp.flags.ack == 1' -T fields \
	-e tcp.seq_raw 2>/dev/null | head -n 1)
WS=$(tshark -r "$TL_TMP/cap.pcapng" -Y 'tcp.flags.syn == 0' -T fields \
	-e tcp.window_size_scalefactor 2>/dev/null | head -n 1)
check "${T}_zh_isn_is_tshark" grep -q "^  初始序号 ISN (原始值): 客户端 $ISN, 服务器 $SISN " "$TL_TMP/zh.out"
check "${T}_zh_wscale_is_tshark" grep -q "^  窗口扩大因子: 客户端 Win x$WS, 服务器 Win x$WS " "$TL_TMP/zh.out"
check "${T}_zh_summary" grep -q '四次挥手: 主动关闭方 客户端, 被动关闭方 服务器' "$TL_TMP/zh.out"
# With the No. column too.
expect_eq "${T}_r_segment_lines_fit_120" "" \
	"$(wide "$TL_TMP/zh.out" '^  [0-9]+ +\+[0-9]+\.[0-9]{6}   [0-9]+ -> [0-9]+ ')"
check "${T}_r_segment_lines_counted" grep -qE '^  [0-9]+ +\+[0-9.]+   [0-9]+ -> [0-9]+ +\[SYN, ACK\]' "$TL_TMP/zh.out"
check "${T}_zh_segments_stay_wireshark" grep -qE '\[SYN, ACK\] Seq=0 Ack=1 Win=' "$TL_TMP/zh.out"
