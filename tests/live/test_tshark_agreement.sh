#!/bin/bash
# Live test (root): tcplife-http must agree packet for packet with tshark.
#
# Each scenario gets its own port, server, dumpcap capture and tracer run:
# dumpcap on lo (filter "tcp port P") and `tcplife-http --json -p P` see the
# same curl traffic; tshark dissects the capture and agreement.jq compares,
# connection by connection (paired by 4-tuple) and direction by direction,
# the segments (flags, raw seq/ack, length, raw window), relative seq/ack,
# scaled windows, SYN options, timestamps, frame lengths, HTTP request and
# status lines, both sides' state histories, who closed, TIME_WAIT, the
# processes and the summary's counters. Every field must be equal; the order
# of a direction's segments may differ only within 4 places, where two CPUs
# sent on one socket at once and the hook and the capture point saw them in
# either order (see agreement.jq).
# TL_KEEP=DIR keeps each scenario's capture, tracer JSON and tshark JSON.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1

T=test_tshark_agreement
TRACER=$TL_ROOT/tcplife-http
HTTPD=$TL_ROOT/tcplife-httpd
JQPROG=$TL_ROOT/tests/live/agreement.jq

for tool in dumpcap tshark curl jq; do
	if ! command -v "$tool" >/dev/null; then
		fail "${T}_prerequisites" "$tool is not installed"
		exit 0
	fi
done
if [ ! -x "$TRACER" ]; then
	fail "${T}_prerequisites" "no ./tcplife-http: run make tcplife-http"
	exit 0
fi

# The docroot: a small page and a 100 KB binary whose response spans several
# segments. Deterministic bytes, so a body segment never looks like HTTP.
DOC=$TL_TMP/www
mkdir -p "$DOC"
printf '<!DOCTYPE html>\n<title>tcplife-http test</title>\n<p>hello</p>\n' >"$DOC/index.html"
for i in $(seq 0 255); do printf "\\x$(printf %02x "$i")"; done >"$TL_TMP/256"
for i in $(seq 400); do cat "$TL_TMP/256"; done >"$DOC/big.bin"
for i in $(seq 40); do cat "$DOC/big.bin"; done >"$DOC/huge.bin"
INDEX_SIZE=$(stat -c %s "$DOC/index.html")

# The server: the project's own, or python3's while it is missing (which has
# no keep-alive, Range nor ETag: those scenarios then fail, saying so).
SERVER=tcplife-httpd
if [ ! -x "$HTTPD" ]; then
	SERVER=python3
	fail "${T}_server" "no ./tcplife-httpd (make tcplife-httpd); using python3 -m http.server"
fi

# start_server PORT: sets SERVER_PID; returns non-zero when it does not listen.
start_server() {
	if [ "$SERVER" = tcplife-httpd ]; then
		start_bg "$TL_TMP/httpd.$1.log" "$HTTPD" -p "$1" -r "$DOC" -q
	else
		start_bg "$TL_TMP/httpd.$1.log" python3 -m http.server "$1" --bind :: --directory "$DOC"
	fi
	SERVER_PID=$TL_BG
	wait_for_port "$1" 5
}

# run_curl OUT ARGS...: curl in the background so that its PID is known
# (the tracer must name it); waits for it. Appends to CURL_PIDS, sets CURL_RC.
run_curl() {
	local out=$1 p
	shift
	curl -s --max-time 10 "$@" >"$out" 2>"$out.err" &
	p=$!
	CURL_PIDS+=("$p")
	wait "$p"
	CURL_RC=$?
}

# count_conns FILE: the tracer's conn summaries so far.
count_conns() { grep -c '"type":"conn"' "$1" 2>/dev/null; }

# ---- scenario drivers: traffic to 127.0.0.1/::1 PORT, plus curl's own checks
drive_get_ipv4() {
	run_curl "$TL_TMP/c1" -o /dev/null -w '%{http_code} %{num_connects} %{size_download}' "http://127.0.0.1:$1/"
	expect_eq get_ipv4_curl "200 1 $INDEX_SIZE" "$(cat "$TL_TMP/c1")"
}
drive_keepalive() {
	run_curl "$TL_TMP/c1" -o /dev/null -o /dev/null -o /dev/null \
		-w '%{http_code} %{num_connects} %{size_download}\n' \
		"http://127.0.0.1:$1/" "http://127.0.0.1:$1/big.bin" "http://127.0.0.1:$1/index.html"
	expect_eq keepalive_curl "200 1 $INDEX_SIZE|200 0 102400|200 0 $INDEX_SIZE|" "$(tr '\n' '|' <"$TL_TMP/c1")"
}
drive_range() {
	run_curl "$TL_TMP/c1" -o /dev/null -r 0-99 -w '%{http_code} %{num_connects} %{size_download}' "http://127.0.0.1:$1/big.bin"
	expect_eq range_curl "206 1 100" "$(cat "$TL_TMP/c1")"
}
drive_not_found() {
	run_curl "$TL_TMP/c1" -o /dev/null -w '%{http_code} %{num_connects}' "http://127.0.0.1:$1/no-such-file"
	expect_eq not_found_curl "404 1" "$(cat "$TL_TMP/c1")"
}
drive_conn_close() {
	# The server closes after the response; curl, reading slowly, after it.
	run_curl "$TL_TMP/c1" -o /dev/null -H 'Connection: close' --limit-rate 200k \
		-w '%{http_code} %{num_connects} %{size_download}' "http://127.0.0.1:$1/big.bin"
	expect_eq conn_close_curl "200 1 102400" "$(cat "$TL_TMP/c1")"
}
drive_huge() {
	# 3 x 4 MB on one connection: many full-size segments, window updates,
	# scaled windows, and the GSO skbs of more than 64 KB that TCP builds
	# on loopback when data queues up.
	run_curl "$TL_TMP/c1" -o /dev/null -o /dev/null -o /dev/null \
		-w '%{http_code} %{num_connects} %{size_download}\n' \
		"http://127.0.0.1:$1/huge.bin" "http://127.0.0.1:$1/huge.bin?2" "http://127.0.0.1:$1/huge.bin?3"
	expect_eq huge_curl "200 1 4096000|200 0 4096000|200 0 4096000|" "$(tr '\n' '|' <"$TL_TMP/c1")"
}
drive_parallel() {
	# Four connections at once from one curl: events of several sockets
	# interleave (and run on both CPUs).
	local i urls=()
	for i in 1 2 3 4; do urls+=(-o /dev/null "http://127.0.0.1:$1/big.bin?$i"); done
	run_curl "$TL_TMP/c1" -Z --parallel-immediate --parallel-max 4 -w '%{http_code} %{num_connects}\n' "${urls[@]}"
	CURL_PIDS=("${CURL_PIDS[0]}" "${CURL_PIDS[0]}" "${CURL_PIDS[0]}" "${CURL_PIDS[0]}")
	expect_eq parallel_curl "200 1|200 1|200 1|200 1|" "$(sort "$TL_TMP/c1" | tr '\n' '|')"
}
drive_rst() {
	run_curl "$TL_TMP/c1" -o /dev/null "http://127.0.0.1:$1/"
	expect_eq rst_curl "curl exit 7" "curl exit $CURL_RC"
}
drive_get_ipv6() {
	run_curl "$TL_TMP/c1" -g -o /dev/null -w '%{http_code} %{num_connects} %{size_download}' "http://[::1]:$1/"
	expect_eq get_ipv6_curl "200 1 $INDEX_SIZE" "$(cat "$TL_TMP/c1")"
}
drive_etag_304() {
	local etag
	run_curl "$TL_TMP/c1" -D "$TL_TMP/h1" -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/index.html"
	etag=$(tr -d '\r' <"$TL_TMP/h1" | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')
	run_curl "$TL_TMP/c2" -o /dev/null -H "If-None-Match: $etag" -w '%{http_code} %{num_connects}' "http://127.0.0.1:$1/index.html"
	expect_eq etag_304_curl "200 etag 304 1" "$(cat "$TL_TMP/c1") ${etag:+etag} $(cat "$TL_TMP/c2")"
}

# scenario NAME CONNECTIONS DRIVER [noserver]
scenario() {
	local name=$1 nconn=$2 driver=$3 mode=${4:-server}
	local port dir cap json err ts spid=null scomm=null deadline dumpcap_pid
	port=$(free_port)
	dir=$TL_TMP/$name
	mkdir -p "$dir"
	cap=$dir/cap.pcapng json=$dir/tracer.json err=$dir/tracer.err ts=$dir/tshark.json
	CURL_PIDS=()

	if [ "$mode" = server ]; then
		if ! start_server "$port"; then
			fail "${name}_setup" "$SERVER did not listen on $port: $(head -c 300 "$TL_TMP/httpd.$port.log")"
			return
		fi
		spid=$SERVER_PID scomm="\"$SERVER\""
	fi
	# A 64 MiB buffer: 4 MB on loopback arrive within milliseconds.
	start_bg "$dir/dumpcap.log" dumpcap -B 64 -i lo -f "tcp port $port" -w "$cap"
	dumpcap_pid=$TL_BG
	if ! wait_for_line "$dir/dumpcap.log" '^File:' 10; then
		fail "${name}_setup" "dumpcap did not start: $(head -c 300 "$dir/dumpcap.log")"
		return
	fi
	start_tracer "$json" "$err" "$TRACER" --json -p "$port"
	if ! wait_for_line "$json" '"type":"start"' 10; then
		fail "${name}_setup" "tracer did not print its start line: $(head -c 300 "$err")"
		stop_bounded "$TRACER_PID" 5
		stop_pid "$dumpcap_pid"
		return
	fi

	"$driver" "$port"

	# Ready when the tracer has reported every connection's end; then a
	# second more so that dumpcap writes the last packets before SIGINT.
	deadline=$((SECONDS + 15))
	while [ "$(count_conns "$json")" -lt "$nconn" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
	sleep 1
	stop_bounded "$TRACER_PID" 10
	stop_pid "$dumpcap_pid"
	[ "$mode" = server ] && stop_pid "$spid"

	# The tracer's run: exit status 0 on SIGINT, every line JSON, stats last.
	local bad last
	bad=$(while IFS= read -r l; do jq -e . >/dev/null 2>&1 <<<"$l" || { echo "$l"; break; }; done <"$json")
	last=$(tail -n 1 "$json" | jq -c '{type, lost}' 2>/dev/null)
	if [ "$STOP_RC" = 0 ] && [ -z "$bad" ] && [ "$last" = '{"type":"stats","lost":0}' ]; then
		pass "${name}_tracer_run"
	else
		fail "${name}_tracer_run" "exit=$STOP_RC last=$last unparsable='${bad:0:200}' stderr='$(head -c 200 "$err")'"
	fi

	capture_complete "$name" "$dir/dumpcap.log"
	if ! tshark_fields "$cap" "$port" "$ts" "$dir/tshark.err"; then
		fail "${name}_tshark" "tshark failed: $(grep -v 'Running as user' "$dir/tshark.err" | head -c 300)"
		return
	fi
	# Keep only complete JSON lines for the comparison (tracer_run judged them).
	local meta pids
	pids=$(printf '%s\n' "${CURL_PIDS[@]}" | jq -sc 'map(tonumber)')
	meta=$(jq -nc --arg name "$name" --argjson nconn "$nconn" --argjson pids "$pids" \
		--argjson spid "$spid" --argjson scomm "$scomm" \
		'{name: $name, nconn: $nconn, curl_pids: $pids, server_pid: $spid, server_comm: $scomm}')
	jq -R 'fromjson? // empty' "$json" >"$dir/tracer.clean.json"
	if ! jq -r -n --slurpfile ts "$ts" --slurpfile tr "$dir/tracer.clean.json" \
		--argjson meta "$meta" -f "$JQPROG" 2>"$dir/jq.err"; then
		fail "${name}_compare" "jq failed: $(head -c 300 "$dir/jq.err")"
	fi
	# Keep the evidence (TL_KEEP=DIR).
	if [ -n "${TL_KEEP:-}" ]; then
		mkdir -p "$TL_KEEP" && cp -r "$dir" "$TL_KEEP/"
	fi
}

scenario get_ipv4 1 drive_get_ipv4
scenario keepalive 1 drive_keepalive
scenario range 1 drive_range
scenario not_found 1 drive_not_found
scenario conn_close 1 drive_conn_close
scenario huge 1 drive_huge
scenario parallel 4 drive_parallel
scenario rst 1 drive_rst noserver
scenario get_ipv6 1 drive_get_ipv6
scenario etag_304 2 drive_etag_304
