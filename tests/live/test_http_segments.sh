#!/bin/bash
# Live test (root): HTTP that is more than one message at the start of one
# segment, checked against tshark's own dissection (with its reassembly on,
# as Wireshark shows it), never against the tracer's parser:
# - chunked responses of 5 x 700 bytes, on a kept-alive connection and on
#   one the server closes 0.5 s after the last chunk: the exchange ends at
#   the last chunk (last_byte_ms as tshark's http.time), with the decoded
#   length (tshark's chunk sizes), complete;
# - a request line cut in two segments ("GE" + "T /index.html ...") and a
#   header block cut in two (Range in the second): the requests, where they
#   begin, their Range, and the responses paired with them;
# - a request line with NUL, control bytes and a byte that is not UTF-8:
#   still a request, escaped in valid JSON, answered by the 400;
# - a response head cut after a header line, its empty line sent with the
#   body: one response at the first byte, its body whole.
# The traffic comes from tests/live/http_segments.py; each part of a request
# is sent once the previous one was acknowledged, so it is its own segment.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1

T=http_segments
TRACER=$TL_ROOT/tcplife-http
HTTPD=$TL_ROOT/tcplife-httpd
PY=$TL_ROOT/tests/live/http_segments.py
D=$TL_TMP/segments
FAILED=0
fail() {
	echo "$1: FAIL $2"
	FAILED=1
}

for tool in dumpcap tshark python3 jq; do
	command -v "$tool" >/dev/null || { fail "${T}_prerequisites" "$tool is not installed"; exit 1; }
done
[ -x "$TRACER" ] && [ -x "$HTTPD" ] || { fail "${T}_prerequisites" "run make first"; exit 1; }
mkdir -p "$D/www"
printf '<!DOCTYPE html>\n<title>segments</title>\n<p>hello, segments</p>\n' >"$D/www/index.html"

CPORT=$(free_port) # the chunked server
HPORT=$(free_port) # tcplife-httpd
start_bg "$D/chunked.log" python3 "$PY" serve-chunked "$CPORT"
start_bg "$D/httpd.log" "$HTTPD" -p "$HPORT" -r "$D/www" -q
if ! wait_for_port "$CPORT" 5 || ! wait_for_port "$HPORT" 5; then
	fail "${T}_setup" "servers did not listen: $(head -c 300 "$D/chunked.log" "$D/httpd.log")"
	exit 1
fi
start_bg "$D/dumpcap.log" dumpcap -B 64 -i lo -f "tcp port $CPORT or tcp port $HPORT" -w "$D/cap.pcapng"
DUMPCAP=$TL_BG
wait_for_line "$D/dumpcap.log" '^File:' 10 || { fail "${T}_setup" "dumpcap did not start"; exit 1; }
start_tracer "$D/trace.json" "$D/trace.err" "$TRACER" --json -p "$CPORT" -p "$HPORT"
if ! wait_for_line "$D/trace.json" '"type":"start"' 10; then
	fail "${T}_setup" "tracer did not start: $(head -c 300 "$D/trace.err")"
	exit 1
fi

# Each client prints what it received: the servers' side of the check.
expect_eq "${T}_chunked_keepalive_client" "HTTP/1.1 200 OK 3500|HTTP/1.1 200 OK" \
	"$(timeout 20 python3 "$PY" chunked "$CPORT" keepalive 2>&1)"
expect_eq "${T}_chunked_close_client" "HTTP/1.1 200 OK 3500" \
	"$(timeout 20 python3 "$PY" chunked "$CPORT" close 2>&1)"
expect_eq "${T}_split_client" "HTTP/1.1 200 OK|HTTP/1.1 206 Partial Content" \
	"$(timeout 20 python3 "$PY" split "$HPORT" 2>&1)"
expect_eq "${T}_control_client" "HTTP/1.1 400 Bad Request" \
	"$(timeout 20 python3 "$PY" control "$HPORT" 2>&1)"
expect_eq "${T}_cut_response_client" "HTTP/1.1 200 OK hello" \
	"$(timeout 20 python3 "$PY" cut-response "$CPORT" 2>&1)"

# Every life reported, then a second for dumpcap's last packets.
deadline=$((SECONDS + 15))
while [ "$(grep -c '"type":"conn"' "$D/trace.json")" -lt 5 ] && [ $SECONDS -lt $deadline ]; do
	sleep 0.05
done
sleep 1
stop_bounded "$TRACER_PID" 10
stop_pid "$DUMPCAP"
last=$(tail -n 1 "$D/trace.json" | jq -c '{type, lost}' 2>/dev/null)
if [ "$STOP_RC" = 0 ] && [ "$last" = '{"type":"stats","lost":0}' ] &&
	jq -e . "$D/trace.json" >/dev/null 2>&1 && iconv -f UTF-8 -t UTF-8 "$D/trace.json" >/dev/null; then
	pass "${T}_tracer_run"
else
	fail "${T}_tracer_run" "exit=$STOP_RC last=$last (valid JSON lines and UTF-8 expected)"
fi
capture_complete "$T" "$D/dumpcap.log"

# tshark with its defaults (TCP reassembly on): HTTP fields on the segment
# that completes each message, as Wireshark's packet list shows them.
if ! tshark -r "$D/cap.pcapng" -d "tcp.port==$CPORT,http" -d "tcp.port==$HPORT,http" -T json \
	-e tcp.srcport -e tcp.dstport -e tcp.seq -e tcp.len -e tcp.reassembled.length \
	-e http.request.method -e http.request.uri -e http.request.line -e http.response.code \
	-e http.time -e http.chunk_size -Y http >"$D/tshark.json" 2>"$D/tshark.err"; then
	fail "${T}_tshark" "$(grep -v 'Running as' "$D/tshark.err" | head -c 300)"
	exit 1
fi

# One check line per scenario and field, from both dissections.
jq -r -n --slurpfile ts "$D/tshark.json" --slurpfile tr "$D/trace.json" \
	--argjson cport "$CPORT" --argjson hport "$HPORT" -f /dev/stdin <<'JQ' >"$D/checks" 2>"$D/jq.err"
def one($k): (.[$k] // [null])[0];
def num: if . == null then null else tonumber end;
def check($name; $want; $got):
	if $want == $got then "\($name): PASS"
	else "\($name): FAIL tshark=\($want | tojson) tracer=\($got | tojson)" end;
# tshark: HTTP messages with the client port of their connection, and the
# relative seq of their first byte (the reassembled message's, not the
# last segment's).
($ts[0] | map(._source.layers | (one("tcp.srcport") | num) as $sp | {
	client: (if $sp == $cport or $sp == $hport then one("tcp.dstport") | num else $sp end),
	first_seq: ((one("tcp.seq") | num) - ((one("tcp.reassembled.length") | num // 0)
		- (one("tcp.len") | num)) * (if .["tcp.reassembled.length"] then 1 else 0 end)),
	method: one("http.request.method"), uri: one("http.request.uri"),
	lines: (.["http.request.line"] // []), code: (one("http.response.code") | num),
	time_ms: ((one("http.time") // "0") | tonumber * 1000),
	body: ((.["http.chunk_size"] // []) | map(tonumber) | add)})) as $tsm
# The tracer's connections by client port, in order.
# (A life made up from a late RST, issue 8's "resets" part, is left out.)
| [$tr[] | select(.type == "conn" and (.mid_stream | not))] as $conns
| def client($c): $c.client | split(":") | last | tonumber;
  def tr($c; $type): [$tr[] | select(.type == $type and .conn == $c.id)];
  def tsreq($c): [$tsm[] | select(.client == client($c) and .method != null)];
  def tsrsp($c): [$tsm[] | select(.client == client($c) and .code != null)];
  ($conns | map(. + {id: .conn})) as $cs
| (if ($cs | length) != 5 then "segments_connections: FAIL tracer reported \($cs | length) of 5" else "segments_connections: PASS" end),
  # The chunked ones: the connection with two requests, then the closing one.
  ([$cs[] | select(.server | endswith(":\($cport)"))] | sort_by(.start)) as $ch
| ($ch[0] as $c | tsrsp($c) as $t | tr($c; "exchange") as $x |
	check("segments_chunked_keepalive_exchanges";
		[[200, $t[0].body, true, true], [200, 5, true, false]];
		$x | map([.status, .body_bytes, .complete, .chunked])),
	check("segments_chunked_keepalive_last_byte_ms";
		"within 2 ms of \($t[0].time_ms | floor)";
		if ($x[0].last_byte_ms - $t[0].time_ms | fabs) < 2 then "within 2 ms of \($t[0].time_ms | floor)"
		else $x[0].last_byte_ms end)),
  ($ch[1] as $c | tsrsp($c) as $t | tr($c; "exchange") as $x |
	check("segments_chunked_close_exchanges"; [[200, $t[0].body, true, true]];
		$x | map([.status, .body_bytes, .complete, .chunked])),
	check("segments_chunked_close_last_byte_ms";
		"within 2 ms of \($t[0].time_ms | floor)";
		if ($x[0].last_byte_ms - $t[0].time_ms | fabs) < 2 then "within 2 ms of \($t[0].time_ms | floor)"
		else $x[0].last_byte_ms end)),
  # A response head cut after a header line: complete, its body counted.
  ($ch[2] as $c | tsrsp($c) as $t |
	check("segments_cut_response"; $t | map([.code, .first_seq, 5, true]);
		tr($c; "http") | map(select(.dir == "response")) as $h | tr($c; "exchange")
		| [range(length) as $i | [.[$i].status, $h[$i].seq, .[$i].body_bytes, .[$i].complete]])),
  # tcplife-httpd's: the split requests (the connection with two), then the control bytes.
  ([$cs[] | select(.server | endswith(":\($hport)"))] | sort_by(.start)) as $hc
| ($hc[0] as $c |
	check("segments_split_requests"; tsreq($c) | map([.method, .uri, .first_seq]);
		tr($c; "http") | map(select(.dir == "request") | [.method, .uri, .seq])),
	check("segments_split_header_range";
		[tsreq($c)[1].lines[] | select(startswith("Range: ")) | ltrimstr("Range: ") | rtrimstr("\r\n")];
		[tr($c; "http")[] | select(.dir == "request" and .range) | .range]),
	check("segments_split_responses"; tsrsp($c) | map(.code);
		tr($c; "exchange") | map(select(.complete) | .status)),
	check("segments_split_requests_count"; tsreq($c) | length; $c.requests)),
  ($hc[1] as $c | tr($c; "http") as $h |
	# tshark's URI field ends at the NUL; the tracer's holds all of it, escaped.
	check("segments_control_request"; tsreq($c) | map([.method, .uri, .first_seq]);
		$h | map(select(.dir == "request") | [.method, (.uri | split("\u0000")[0]), .seq])),
	check("segments_control_uri_escaped"; "/\u0000\u0001\ufffd\u001b[2J";
		$h | map(select(.dir == "request") | .uri)[0]),
	check("segments_control_answered"; [[tsrsp($c)[0].code, "/\u0000\u0001\ufffd\u001b[2J"]];
		tr($c; "exchange") | map([.status, .uri])))
JQ
if [ -s "$D/jq.err" ] || [ ! -s "$D/checks" ]; then
	fail "${T}_compare" "jq: $(head -c 300 "$D/jq.err")"
fi
cat "$D/checks"
grep -q ': FAIL' "$D/checks" && FAILED=1
if [ -n "${TL_KEEP:-}" ]; then
	mkdir -p "$TL_KEEP" && cp -r "$D" "$TL_KEEP/"
fi
exit "$FAILED"
