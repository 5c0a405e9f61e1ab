#!/bin/bash
# Live test (root): the lab page in a real browser, traced end to end.
#
# tcplife-httpd serves www/ (-t 2: idle connections close after 2 s); dumpcap
# captures the port on lo; `tcplife-http --json -p PORT -w tracer.pcapng`
# traces it. One headless Chromium session (one profile, driven over
# --remote-debugging-pipe by the small CDP client below) loads
# http://localhost:PORT/ (::1 here), then http://127.0.0.1:PORT/, then reloads
# it: what Chromium really does is 200s for the page and its resources, 206 for
# intro.mp3 (Chromium asks for media with "Range: bytes=0-"), and 304 for the
# reloaded page (a reload revalidates the main document with If-None-Match /
# If-Modified-Since; a plain second visit would take everything from the cache,
# fresh by Last-Modified's heuristic).
#
# Then: every connection and segment agrees with tshark (agreement.jq, as
# test_tshark_agreement.sh runs it; its curl-only process check is replaced by
# a Chromium one here), every HTTP request/response pair, the 304 and the 206,
# TIME_WAIT on the side that sent the first FIN; the -w pcapng opens in tshark
# and holds the same segments as dumpcap's capture; `compare` says AGREE for
# both files and DIFFER, naming the segment, for a capture missing one; `-r`
# on dumpcap's capture rebuilds the same connections, segments and messages;
# the --html report of the session has a diagram per connection, a .seg per
# packet, the states in order, and the 304 and the 206.
# TL_KEEP=DIR keeps the captures, JSON and the screenshot.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=browser
rb_prereq "$T" dumpcap tshark editcap chromium jq || exit 1
JQPROG=$TL_ROOT/tests/live/agreement.jq
D=$TL_TMP/browser
mkdir -p "$D"
# The tracer writes its --html report as the user it becomes once attached
# (nobody under a root shell): it may reach and write $D.
chmod o+x "$TL_TMP"
chmod 1777 "$D"


keep() {
	if [ -n "${TL_KEEP:-}" ]; then
		mkdir -p "$TL_KEEP" && cp -r "$D" "$TL_KEEP/"
	fi
}

# ---- the server, the capture, the tracer --------------------------------
PORT=$(free_port)
start_bg "$D/httpd.log" "$HTTPD" -p "$PORT" -r "$TL_ROOT/www" -t 2 -q
HTTPD_PID=$TL_BG
if ! wait_for_port "$PORT" 5; then
	fail "${T}_setup" "tcplife-httpd did not listen on $PORT: $(head -c 300 "$D/httpd.log")"
	exit 0
fi
start_bg "$D/dumpcap.log" dumpcap -B 64 -i lo -f "tcp port $PORT" -w "$D/dumpcap.pcapng"
DUMPCAP_PID=$TL_BG
if ! wait_for_line "$D/dumpcap.log" '^File:' 10; then
	fail "${T}_setup" "dumpcap did not start: $(head -c 300 "$D/dumpcap.log")"
	exit 0
fi
"$TRACER" --json -p "$PORT" -w "$D/tracer.pcapng" --html "$D/report.html" >"$D/trace.json" 2>"$D/tracer.err" &
TRACER_PID=$!
TL_PIDS+=("$TRACER_PID")
if ! wait_for_line "$D/trace.json" '"type":"start"' 10; then
	fail "${T}_setup" "tracer did not print its start line: $(head -c 300 "$D/tracer.err")"
	exit 0
fi

# ---- Chromium, driven over its DevTools pipe (scripts/cdp_lib.sh) --------
. "$TL_ROOT/scripts/cdp_lib.sh"
cdp_start "$D"
TL_PIDS+=("$CHROME_PID")

# descendants PID: PID and every process below it.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '{ parent[$1] = $2 }
		END { for (p in parent) { q = p; while (q != "" && q != root && q > 1) q = parent[q];
			if (q == root) print p } }'
}

step=start
session_ok=false
if cdp_attach &&
	step="load localhost" && cdp_load "http://localhost:$PORT/" &&
	step="load 127.0.0.1" && cdp_load "http://127.0.0.1:$PORT/" &&
	step=reload && cdp_load reload &&
	step=screenshot && cdp_call Page.captureScreenshot '{"format":"png"}'; then
	jq -r .result.data <<<"$CDP_MSG" | base64 -d >"$D/page.png"
	session_ok=true
fi
if $session_ok && [ "$(head -c 8 "$D/page.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
	pass "${T}_chromium_session"
else
	fail "${T}_chromium_session" "at step '$step': ${CDP_ERR:0:200}; chromium stderr: $(grep -v -e dbus -e 'Fontconfig' "$D/chromium.log" | tail -3 | tr '\n' ' ' | cut -c1-600)"
	exit 0 # nothing to trace; the cleanup stops what was started
fi
# What a person sees: the student's data, the logo drawn, the audio control.
page=$(cdp_eval 'JSON.stringify({url: location.href, title: document.title,
	id: document.getElementById("student-id") && document.getElementById("student-id").textContent,
	logo: document.images.length > 0 && document.images[0].complete && document.images[0].naturalWidth > 0,
	audio: !!document.querySelector("audio[controls][src=\"intro.mp3\"]"),
	css: getComputedStyle(document.body).fontFamily !== ""})' 2>/dev/null | jq -r . 2>/dev/null)
expect_eq "${T}_page_rendered" \
	"{\"url\":\"http://127.0.0.1:$PORT/\",\"title\":\"个人主页 / Personal page\",\"id\":\"2026123456\",\"logo\":true,\"audio\":true,\"css\":true}" \
	"$page"

# Chromium's network service (a utility process below the browser) opens
# the connections: its PID and its threads' names, for the process check.
# Then wait until the server has closed every idle connection and the tracer
# reported each end: every connection with a packet has its conn line
# (bounded; Chromium acknowledges the server's FIN at once but sends its own
# only when it notices the idle socket closed, seen here 5 to 9 s later).
NETSVC_PID=$(for p in $(descendants "$CHROME_PID"); do
	tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q 'utility-sub-type=network.mojom.NetworkService' && echo "$p"
done | head -1)
NETSVC_COMMS=$(cat /proc/"${NETSVC_PID:-0}"/task/*/comm 2>/dev/null | sort -u)
conns_open() {
	jq -R 'fromjson? // empty' "$D/trace.json" | jq -s '
		([.[] | select(.type == "packet") | .conn] | unique) as $seen
		| ([.[] | select(.type == "conn") | .conn] | unique) as $done
		| if ($seen | length) == 0 then -1 else ($seen - $done | length) end'
}
deadline=$((SECONDS + 20))
while [ "$(conns_open)" != 0 ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
open=$(conns_open)
expect_eq "${T}_all_connections_ended" "0 still open" "$open still open"
cdp_stop
exec {CDP_W}>&- {CDP_R}<&-
trap - PIPE
sleep 1
stop_bounded "$TRACER_PID" 10
TRACER_RC=$STOP_RC
stop_pid "$DUMPCAP_PID"
stop_pid "$HTTPD_PID"

# ---- the tracer's run and the reference capture -------------------------
bad=$(while IFS= read -r l; do jq -e . >/dev/null 2>&1 <<<"$l" || { echo "$l"; break; }; done <"$D/trace.json")
last=$(tail -n 1 "$D/trace.json" | jq -c '{type, lost}' 2>/dev/null)
if [ "$TRACER_RC" = 0 ] && [ -z "$bad" ] && [ "$last" = '{"type":"stats","lost":0}' ]; then
	pass "${T}_tracer_run"
else
	fail "${T}_tracer_run" "exit=$TRACER_RC last=$last unparsable='${bad:0:200}' stderr='$(head -c 200 "$D/tracer.err")'"
fi
capture_complete "$T" "$D/dumpcap.log"
jq -R 'fromjson? // empty' "$D/trace.json" >"$D/trace.clean.json"

TSHARK_OPTS=(-o tcp.desegment_tcp_streams:FALSE -d "tcp.port==$PORT,http")
if ! tshark_fields "$D/dumpcap.pcapng" "$PORT" "$D/tshark.json" "$D/tshark.err"; then
	fail "${T}_tshark" "tshark failed: $(grep -v 'Running as user' "$D/tshark.err" | head -c 300)"
	keep
	exit 0
fi

# ---- every connection and segment against tshark (agreement.jq) ---------
# nconn is tshark's stream count, so stream_count checks that the tracer has
# exactly as many connections with packets and conn summaries. agreement.jq's
# _processes check expects curl as the client; it is replaced below.
NSTREAMS=$(jq '[.[]._source.layers["tcp.stream"][0]] | unique | length' "$D/tshark.json")
meta=$(jq -nc --arg name "$T" --argjson nconn "$NSTREAMS" --argjson spid "$HTTPD_PID" \
	'{name: $name, nconn: $nconn, curl_pids: [], server_pid: $spid, server_comm: "tcplife-httpd"}')
if ! jq -r -n --slurpfile ts "$D/tshark.json" --slurpfile tr "$D/trace.clean.json" \
	--argjson meta "$meta" -f "$JQPROG" >"$D/agreement.out" 2>"$D/jq.err"; then
	fail "${T}_compare" "jq failed: $(head -c 300 "$D/jq.err")"
fi
grep -v '_processes: ' "$D/agreement.out"

# Processes: the client of every connection is Chromium's network service,
# named by one of its threads (the one that called connect()); the server is
# tcplife-httpd; state events name the same. (agreement.jq's _processes
# check wants curl as the client, so it is left out above.)
procs=$(jq -r -n --slurpfile tr "$D/trace.clean.json" --argjson cpid "${NETSVC_PID:-null}" \
	--arg comms "$NETSVC_COMMS" --argjson spid "$HTTPD_PID" '
	($comms | split("\n")) as $C
	| $tr[] | select(.type == "conn" or (.type == "state" and (.pid != null or .comm != null)))
	| if .type == "conn" then
		select(.client_pid != $cpid or (.client_comm as $c | $C | index([$c]) | not)
			or .server_pid != $spid or .server_comm != "tcplife-httpd")
		| "conn \(.conn): client \(.client_comm)/\(.client_pid) server \(.server_comm)/\(.server_pid)"
	  elif .side == "client" then
		select(.pid != $cpid or (.comm as $c | $C | index([$c]) | not))
		| "conn \(.conn) client \(.old)>\(.new) \(.comm)/\(.pid)"
	  else select(.pid != $spid or .comm != "tcplife-httpd")
		| "conn \(.conn) server \(.old)>\(.new) \(.comm)/\(.pid)" end' 2>&1)
if [ -n "$NETSVC_PID" ] && [ -z "$procs" ]; then
	pass "${T}_processes"
else
	fail "${T}_processes" "want client chromium network service ${NETSVC_PID:-(not found)} (threads: $(tr '\n' ',' <<<"$NETSVC_COMMS" | cut -c1-200)), server tcplife-httpd/$HTTPD_PID; wrong: $(head -5 <<<"$procs" | tr '\n' ';')"
fi

# Every HTTP exchange: tshark's requests paired in order with its responses,
# stream by stream, against the tracer's exchange events.
ts_ex=$(jq -r '[.[]._source.layers] | group_by(.["tcp.stream"][0] | tonumber)[]
	| [.[]["http.request.method"] // [] | .[]] as $m | [.[]["http.request.uri"] // [] | .[]] as $u
	| [.[]["http.response.code"] // [] | .[]] as $c
	| range(0; [($m | length), ($c | length)] | max) | "\($m[.]) \($u[.]) \($c[.])"' "$D/tshark.json" | sort)
tr_ex=$(jq -r 'select(.type == "exchange") | "\(.method) \(.uri) \(.status)"' "$D/trace.clean.json" | sort)
if [ -n "$ts_ex" ] && [ "$ts_ex" = "$tr_ex" ]; then
	pass "${T}_http_exchanges"
else
	fail "${T}_http_exchanges" "tshark: $(tr '\n' ',' <<<"$ts_ex") tracer: $(tr '\n' ',' <<<"$tr_ex")"
fi
# jq_check NAME DETAIL JQ: PASS when JQ holds for the tracer's events (an array).
jq_check() {
	if jq -se "$3" "$D/trace.clean.json" >/dev/null 2>&1; then pass "$1"; else fail "$1" "$2"; fi
}
# What the browser really did: the page from ::1 and from 127.0.0.1 (200),
# the reload revalidated (304), the audio by range (206), no error status.
expect_eq "${T}_page_loads" "GET / 200|GET / 200|GET / 304|" "$(grep '^GET / ' <<<"$tr_ex" | tr '\n' '|')"
expect_eq "${T}_tshark_304_206" "304 206" \
	"$(grep -c ' 304$' <<<"$ts_ex" | sed 's/^0$/no/;s/^[1-9].*/304/') $(grep -c '^GET /intro.mp3 206$' <<<"$ts_ex" | sed 's/^0$/no/;s/^[1-9].*/206/')"
ex=$(jq -c 'select(.type == "exchange") | [.method, .uri, .status, .range, .revalidated]' "$D/trace.clean.json" | tr '\n' ' ')
jq_check "${T}_tracer_304_revalidated" "want GET / 304 revalidated once; exchanges: $ex" \
	'[.[] | select(.type == "exchange" and .status == 304)] | length == 1 and
		(.[0] | .method == "GET" and .uri == "/" and .revalidated == true)'
jq_check "${T}_tracer_206_range" "want GET /intro.mp3 206 range; exchanges: $ex" \
	'[.[] | select(.type == "exchange" and .status == 206)] | length >= 1 and
		all(.method == "GET" and .uri == "/intro.mp3" and .range == true and .body_bytes > 0)'
jq_check "${T}_tracer_206_response" "$(jq -c 'select(.type == "http" and .status == 206)' "$D/trace.clean.json" | head -1 | cut -c1-300)" \
	'[.[] | select(.type == "http" and .dir == "response" and .status == 206)] | length >= 1 and
		all(.request_uri == "/intro.mp3" and .content_type == "audio/mpeg"
			and (.latency_ms | type) == "number" and .content_range != null)'
jq_check "${T}_no_error_status" "exchanges: $ex" \
	'[.[] | select(.type == "exchange" and .status >= 400)] | length == 0'
jq_check "${T}_both_families" "servers: $(jq -r 'select(.type == "conn") | .server' "$D/trace.clean.json" | sort -u | tr '\n' ' ')" \
	'[.[] | select(.type == "conn") | .server] as $s
		| ($s | any(startswith("[::1]:"))) and ($s | any(startswith("127.0.0.1:")))'
# Every connection closed (none open at exit), and the TIME_WAIT side named
# (agreement.jq checked each against tshark's first FIN).
jq_check "${T}_time_wait_named" "$(jq -c 'select(.type == "conn") | [.conn, .closed_by, .time_wait, .open_at_exit]' "$D/trace.clean.json" | tr '\n' ' ')" \
	'[.[] | select(.type == "conn")] | length > 0 and
		all(.open_at_exit == false and .closed_by != null
			and (if .closed_by == "reset" then .time_wait == null else .time_wait != null end))'

# ---- the -w pcapng ------------------------------------------------------
tshark -r "$D/tracer.pcapng" >"$D/wpcap.txt" 2>"$D/wpcap.err"
rc=$?
if [ $rc = 0 ] && [ -s "$D/wpcap.txt" ] && ! grep -qiE 'damaged|cut short|corrupt|malformed' "$D/wpcap.err" "$D/wpcap.txt"; then
	pass "${T}_wpcap_opens"
else
	fail "${T}_wpcap_opens" "tshark exit $rc: $(grep -v 'Running as user' "$D/wpcap.err" | head -c 300)"
fi
for f in tracer dumpcap; do
	"$TRACER" compare "$D/trace.json" "$D/$f.pcapng" >"$D/compare.$f.txt" 2>&1
	rc=$?
	if [ $rc = 0 ] && [ "$(tail -n 1 "$D/compare.$f.txt")" = AGREE ]; then
		pass "${T}_compare_trace_${f}_pcapng"
	else
		fail "${T}_compare_trace_${f}_pcapng" "exit $rc: $(grep -v ': agree (' "$D/compare.$f.txt" | head -5 | tr '\n' ';' | cut -c1-500)"
	fi
done
# The same segments in both files, direction by direction (a stable sort
# by stream and ports keeps each direction's order).
fields() {
	tshark -r "$1" "${TSHARK_OPTS[@]}" -T fields -E separator=' ' -e tcp.stream -e tcp.srcport \
		-e tcp.dstport -e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.window_size_value \
		2>/dev/null | sort -s -n -k1,1 -k2,2 -k3,3
}
fields "$D/dumpcap.pcapng" >"$D/fields.dumpcap"
fields "$D/tracer.pcapng" >"$D/fields.tracer"
if [ -s "$D/fields.dumpcap" ] && cmp -s "$D/fields.dumpcap" "$D/fields.tracer"; then
	pass "${T}_wpcap_segments_equal_dumpcap"
else
	fail "${T}_wpcap_segments_equal_dumpcap" "dumpcap $(wc -l <"$D/fields.dumpcap") rows, tracer.pcapng $(wc -l <"$D/fields.tracer"); first difference: $(diff "$D/fields.dumpcap" "$D/fields.tracer" | head -4 | tr '\n' ';')"
fi

# ---- -r: the capture rebuilt offline equals the live trace --------------
"$TRACER" -r "$D/dumpcap.pcapng" --json -p "$PORT" >"$D/replay.json" 2>"$D/replay.err"
rc=$?
expect_eq "${T}_read_exit" 0 "$rc"
# Per connection (4-tuple, then order among equal tuples): each direction's
# segments, and the HTTP messages in order.
lives() {
	jq -s -c '
		def ep($a; $p): if ($a | tostring | contains(":")) then "[\($a)]:\($p)" else "\($a):\($p)" end;
		(map(select(.type == "conn")) | map({key: .conn | tostring, value: "\(.client)|\(.server)"})
			| from_entries) as $tuple
		| [.[] | select(.type == "packet" or .type == "http")] | group_by(.conn)
		| map({key: $tuple[.[0].conn | tostring],
			c2s: [.[] | select(.type == "packet" and .dir == "c2s") | [.flags, .seq_raw, .ack_raw, .len, .win, .seq, .ack, .win_scaled]],
			s2c: [.[] | select(.type == "packet" and .dir == "s2c") | [.flags, .seq_raw, .ack_raw, .len, .win, .seq, .ack, .win_scaled]],
			http: [.[] | select(.type == "http") | [.dir, .method, .uri, .status]]})
		| sort_by(.key, .c2s[0][1])[]' "$1"
}
lives "$D/trace.clean.json" >"$D/lives.trace"
lives "$D/replay.json" >"$D/lives.replay" 2>"$D/lives.err"
# Two empty lists would be equal too: there must be lives to compare.
traced=$(cut -d, -f1 "$D/lives.trace" | tr '\n' ' ')
expect_eq "${T}_read_connections" "${traced:-(no life traced)}" "$(cut -d, -f1 "$D/lives.replay" | tr '\n' ' ')"
if [ -s "$D/lives.trace" ] && cmp -s <(jq -c '[.key, .c2s, .s2c]' "$D/lives.trace") <(jq -c '[.key, .c2s, .s2c]' "$D/lives.replay"); then
	pass "${T}_read_segments"
else
	fail "${T}_read_segments" "$(diff <(jq -c '.c2s[], .s2c[]' "$D/lives.trace") <(jq -c '.c2s[], .s2c[]' "$D/lives.replay") | head -4 | tr '\n' ';' | cut -c1-400)"
fi
if [ -s "$D/lives.trace" ] && cmp -s <(jq -c '[.key, .http]' "$D/lives.trace") <(jq -c '[.key, .http]' "$D/lives.replay"); then
	pass "${T}_read_http"
else
	fail "${T}_read_http" "$(diff <(jq -c '.http' "$D/lives.trace") <(jq -c '.http' "$D/lives.replay") | head -4 | tr '\n' ';' | cut -c1-400)"
fi

# ---- the session's ladder report (tests/live/test_report.sh tests the rest)
# One diagram per connection, one .seg per packet, states in order, and the
# 304 and the 206 drawn on their arrows.
REPORT_PROFILE=$(mktemp -d "$TL_TMP/profile.XXXXXX")
timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
	--disable-component-update --disable-sync --user-data-dir="$REPORT_PROFILE" \
	--dump-dom "file://$D/report.html" >"$D/report.dom" 2>/dev/null
"$TL_ROOT/tests/live/report_check.py" dom "$D/report.dom" "$D/trace.json" "${T}_report"
check "${T}_report_304" grep -q 'class="http"[^>]*>HTTP/1.1 304 Not Modified' "$D/report.dom"
check "${T}_report_206" grep -q 'class="http"[^>]*>HTTP/1.1 206 Partial Content' "$D/report.dom"

# ---- a planted difference: one server data segment removed --------------
# The middle data segment sent by the server (a logo.png segment, say).
victim=$(tshark -r "$D/dumpcap.pcapng" -Y "tcp.srcport == $PORT && tcp.len > 0" -T fields \
	-e frame.number -e tcp.seq_raw 2>/dev/null | awk '{ r[NR] = $1 " " $2 } END { print r[int((NR + 1) / 2)] }')
vframe=${victim%% *} vseq=${victim##* }
if [ -n "$vframe" ] && editcap "$D/dumpcap.pcapng" "$D/planted.pcapng" "$vframe" >/dev/null 2>&1; then
	"$TRACER" compare "$D/trace.json" "$D/planted.pcapng" >"$D/compare.planted.txt" 2>&1
	rc=$?
	expect_eq "${T}_planted_exit" 1 "$rc"
	expect_eq "${T}_planted_verdict" DIFFER "$(tail -n 1 "$D/compare.planted.txt")"
	check "${T}_planted_names_segment" grep -qE "trace has a segment the capture lacks: server->client .* seq $vseq " "$D/compare.planted.txt"
else
	fail "${T}_planted" "no server data segment found, or editcap failed (victim '$victim')"
fi
keep
