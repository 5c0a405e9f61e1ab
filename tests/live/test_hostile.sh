#!/bin/bash
# Live test (root): hostile traffic. In a network namespace of our own (its
# own lo: nothing else is on the wire, so the capture needs no filter), with
# dumpcap capturing and three tracers at once (--json -p P -p Q, text
# without a port filter, --summary -p P -p Q), hostile_packets.py writes
# crafted frames on lo with a packet socket (bad TCP data offsets, truncated
# TCP and IP headers, IPv4 options, IPv6 extension headers and fragments,
# TCP options of every length and malformed ones, odd flags, zero-length,
# 60 KB and binary payloads; P has a listener, Q none), then opens real
# connections to tcplife-httpd with control characters and invalid UTF-8
# in the request line, a 100 KB line without a newline, a binary request
# and a 60 KB single write.
#
# Checked: every tracer is still alive afterwards and SIGINT ends it with 0
# within 10 s, leaving no hook; every JSON line parses (each line, and jq -s
# on the whole) and the file is valid UTF-8; hostile bytes come out as JSON
# escapes / U+FFFD, and the text and summary outputs carry no control
# character (a peer cannot drive the terminal). Agreement with tshark (run
# without IP reassembly, so that each frame is judged as the hook sees it):
# for every frame that tshark dissects as TCP with a valid header, the JSON
# tracer has a packet with the same addresses, ports, flags, seq_raw,
# ack_raw, len and raw window; one check per crafted case, one for the real
# connections. Frames tshark marks malformed or with a bogus header length
# may be absent from the tracer (the kernel-side parser drops a segment
# whose IP or TCP header length is out of range, as it cannot say where
# the payload is); they are listed, and the tracer must not invent packets
# that are in no frame at all.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=hostile
rb_prereq "$T" jq dumpcap tshark curl iconv || exit 0
# Debian's python3 (python3-scapy); a python3 earlier on PATH may lack it.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if ! "$PY" -c 'import scapy.all' 2>/dev/null; then
	fail "${T}_prerequisites" "$PY cannot import scapy (apt-get install python3-scapy)"
	exit 0
fi
GEN=$TL_ROOT/tests/live/hostile_packets.py

DOC=$TL_TMP/www
mkdir -p "$DOC"
printf '<!DOCTYPE html>\n<title>hostile</title>\n<p>hello</p>\n' >"$DOC/index.html"
NS=tlh$$
P=8080 Q=8081
if ! rb_netns "$NS"; then
	fail "${T}_netns" "cannot create network namespace $NS"
	exit 0
fi
nsx() { ip netns exec "$NS" "$@"; }

start_bg "$TL_TMP/httpd.log" ip netns exec "$NS" "$HTTPD" -p "$P" -r "$DOC" -q
SERVER_PID=$TL_BG
deadline=$((SECONDS + 5))
until nsx ss -Htln "( sport = :$P )" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.05; done

CAP=$TL_TMP/cap.pcapng
start_bg "$TL_TMP/dumpcap.log" ip netns exec "$NS" dumpcap -B 64 -i lo -w "$CAP"
DUMPCAP_PID=$TL_BG
if ! wait_for_line "$TL_TMP/dumpcap.log" '^File:' 10; then
	fail "${T}_setup" "dumpcap did not start: $(head -c 300 "$TL_TMP/dumpcap.log")"
	exit 0
fi

J=$TL_TMP/t.json X=$TL_TMP/t.txt S=$TL_TMP/t.summary
start_tracer "$J" "$TL_TMP/j.err" ip netns exec "$NS" "$TRACER" --json -p "$P" -p "$Q"
JPID=$TRACER_PID
start_tracer "$X" "$TL_TMP/x.err" ip netns exec "$NS" "$TRACER" --color never
XPID=$TRACER_PID
start_tracer "$S" "$TL_TMP/s.err" ip netns exec "$NS" "$TRACER" --summary -p "$P" -p "$Q"
SPID=$TRACER_PID
if ! wait_for_line "$J" '"type":"start"' 10 || ! wait_for_line "$TL_TMP/x.err" '^Tracing TCP' 10 ||
	! wait_for_line "$S" '^PID +COMM' 10; then
	fail "${T}_setup" "a tracer did not start: json '$(head -c 200 "$TL_TMP/j.err")' text '$(head -c 200 "$TL_TMP/x.err")' summary '$(head -c 200 "$TL_TMP/s.err")'"
	exit 0
fi
IDS=$(bpf_ids "$JPID"; bpf_ids "$XPID"; bpf_ids "$SPID")

# ---- the traffic ----
if nsx timeout 60 "$PY" "$GEN" crafted --port "$P" --closed-port "$Q" --manifest "$TL_TMP/manifest.json" >"$TL_TMP/gen.log" 2>&1; then
	pass "${T}_crafted_sent"
else
	fail "${T}_crafted_sent" "$(tail -c 300 "$TL_TMP/gen.log")"
fi
nsx timeout 90 "$PY" "$GEN" http --port "$P" --host 127.0.0.1 --hostile-comm >"$TL_TMP/http.log" 2>&1
nsx timeout 30 "$PY" "$GEN" http --port "$P" --host ::1 >>"$TL_TMP/http.log" 2>&1
sed 's/^/# http: /' "$TL_TMP/http.log"
nreal=$(grep -c ': sent' "$TL_TMP/http.log")
check "${T}_http_connections_made" test "$nreal" -eq 14
# Plain requests afterwards: the tracers still follow ordinary traffic.
after=$(nsx curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$P/")
wait_for_line "$J" '"type":"conn".*"client_comm":"curl"' 10
sleep 1.5

# ---- the tracers survived, and end cleanly ----
for t in "json $JPID" "text $XPID" "summary $SPID"; do
	read -r name pid <<<"$t"
	alive=$(kill -0 "$pid" 2>/dev/null && echo alive || echo dead)
	stop_bounded "$pid" 10
	expect_eq "${T}_${name}_alive_exit_0" "alive, exit 0" "$alive, exit $STOP_RC"
done
stop_pid "$DUMPCAP_PID"
check_hooks_gone "${T}_no_hook_left" "$IDS"
expect_eq "${T}_after_curl" 200 "$after"

# ---- outputs ----
if why=$(json_lines_ok "$J"); then pass "${T}_json_valid"; else fail "${T}_json_valid" "$why"; fi
check "${T}_json_sees_after_curl" grep -q '"type":"conn".*"client_comm":"curl"' "$J"
# Control characters (other than tab and newline) in the human outputs.
ctl() { LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$1"; }
for f in "text $X" "summary $S"; do
	read -r name file <<<"$f"
	n=$(ctl "$file")
	nul=$(tr -cd '\0' <"$file" | wc -c)
	if [ "$n" = 0 ] && [ "$nul" = 0 ] && [ -s "$file" ]; then pass "${T}_${name}_no_control_chars"; else
		fail "${T}_${name}_no_control_chars" "$n lines with control characters, $nul NULs, $(wc -c <"$file") bytes: $(LC_ALL=C grep -m 1 $'[\x01-\x08\x0b-\x1f\x7f]' "$file" | od -c | head -n 3 | tr -s ' ' | tr '\n' ' ')"; fi
done
check "${T}_text_shows_connections" grep -q 'curl\[' "$X"
bad=""
for f in "$TL_TMP/x.err" "$TL_TMP/j.err" "$TL_TMP/s.err"; do
	[ "$(ctl "$f")" = 0 ] || bad+="$(basename "$f"): $(head -c 200 "$f" | od -c | head -n 2 | tr '\n' ' ') "
done
expect_eq "${T}_stderr_no_control_chars" "" "$bad"

# Hostile bytes in what the JSON carries: a request-target of invalid UTF-8
# (each bad byte one U+FFFD) and a client whose process name holds control
# characters and invalid UTF-8 (hostile_packets.py http --hostile-comm).
# Request lines with control characters or NUL are still requests, as tshark
# dissects them (issue 8): reported, every byte escaped.
# (jq 1.6: -e looks at the last input only, and any()/first() break out
# through fromjson?'s try: count the matches instead.)
has_json() { jq -R -n -e --argjson w "$2" "[inputs | fromjson? | select($1 == \$w)] | length > 0" "$J" >/dev/null 2>&1; }
if has_json '.type == "http" and .uri' '"/\ufffd\ufffd\ufffd(\ufffd\ufffd\ufffd(\ufffd("' ; then pass "${T}_json_uri_invalid_utf8"; else
	fail "${T}_json_uri_invalid_utf8" "no request with uri \"/\\ufffd\\ufffd\\ufffd(...\"; requests: $(jq -R -c 'fromjson? | select(.type == "http" and .dir == "request") | .uri' "$J" | head -n 5 | tr '\n' ' ')"; fi
if has_json '.type == "conn" and .client_comm' '"\u001b[1mX\u0007\ufffd\ufffd\u0001"'; then pass "${T}_json_comm_control_chars"; else
	fail "${T}_json_comm_control_chars" "no conn with client_comm \"\\u001b[1mX\\u0007\\ufffd\\ufffd\\u0001\"; client_comms: $(jq -R -c 'fromjson? | select(.type == "conn") | .client_comm' "$J" | sort -u | head -n 5 | tr '\n' ' ')"; fi
for want in '"/a\u0001\u0007\u001b[31mred\u001b[0m\u007f\ufffd"' '"/\u0000nul"'; do
	name=$([ "${want:2:1}" = a ] && echo control_char || echo nul)
	if has_json '.type == "http" and .dir == "request" and .uri' "$want"; then
		pass "${T}_json_${name}_request_line_reported"
	else
		fail "${T}_json_${name}_request_line_reported" "no request with uri $want; requests: $(jq -R -c 'fromjson? | select(.type == "http" and .dir == "request") | .uri' "$J" | head -n 8 | tr '\n' ' ')"
	fi
done

# ---- agreement with tshark ----
if ! tshark -r "$CAP" -o ip.defragment:FALSE -o ipv6.defragment:FALSE -o tcp.desegment_tcp_streams:FALSE \
	-T json -e frame.number -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst -e tcp.srcport -e tcp.dstport \
	-e tcp.flags -e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.window_size_value -e tcp.hdr_len \
	-e _ws.malformed -e _ws.expert.message -e icmp.type -e icmpv6.type >"$TL_TMP/tshark.json" 2>"$TL_TMP/tshark.err"; then
	fail "${T}_tshark" "tshark failed: $(grep -v 'Running as user' "$TL_TMP/tshark.err" | head -c 300)"
	exit 0
fi
jq -R -c 'fromjson? | select(.type == "packet")' "$J" >"$TL_TMP/packets.json"
jq -s -c . "$TL_TMP/manifest.json" >"$TL_TMP/manifest.all.json" 2>/dev/null || echo '[]' >"$TL_TMP/manifest.all.json"
jq -r -n --slurpfile ts "$TL_TMP/tshark.json" --slurpfile tr "$TL_TMP/packets.json" \
	--slurpfile man "$TL_TMP/manifest.all.json" --argjson P "$P" --argjson Q "$Q" --arg T "$T" '
def one($k): (.[$k] // [null])[0];
def num: if . == null or . == "" then null else tonumber end;
def hex2int: ltrimstr("0x") | ascii_downcase | explode
	| reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
def names2int: if . == "" or . == "<None>" then 0 else split(", ") | map({"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16,
	"URG": 32, "ECE": 64, "CWR": 128, "AE": 256, "NS": 256}[.] // 4096) | add end;
($man[0] | map({key: (.sport | tostring), value: .name}) | from_entries) as $names
# ICMP errors quote the packet that caused them: no TCP segment of their own.
| ($ts[0] | map(._source.layers | select(.["icmp.type"] == null and .["icmpv6.type"] == null) | {
	frame: (one("frame.number") | num),
	src: (one("ip.src") // one("ipv6.src")), dst: (one("ip.dst") // one("ipv6.dst")),
	sport: (one("tcp.srcport") | num), dport: (one("tcp.dstport") | num),
	flags: (one("tcp.flags") | if . then hex2int else null end),
	seq_raw: (one("tcp.seq_raw") | num), ack_raw: (one("tcp.ack_raw") | num),
	len: (one("tcp.len") | num), win: (one("tcp.window_size_value") | num),
	bad: ((.["_ws.malformed"] != null)
		or ((.["_ws.expert.message"] // []) | any(test("[Bb]ogus|[Mm]alformed|[Ii]nvalid"))))})
	| map(. + {valid: ((.bad | not) and .sport != null and .seq_raw != null and .len != null and .flags != null)})
	| map(. + {key: [.src, .dst, .sport, .dport, .flags, .seq_raw, .ack_raw, .len, .win]})
	# The case a frame belongs to: its crafted port (either end), else a real connection.
	| map(. + {case: ($names[(.sport // -1) | tostring] // $names[(.dport // -1) | tostring] // "real_connections")})
  ) as $F
| ($tr | map(. + {key: [.src, .dst, .sport, .dport, (.flags | names2int), .seq_raw, .ack_raw, .len, .win],
	case: ($names[.sport | tostring] // $names[.dport | tostring] // "real_connections")})) as $K
# Multiset difference of keys.
| def minus($a; $b): reduce $b[] as $x ($a; (index([$x])) as $i | if $i == null then . else del(.[$i]) end);
  ([$F[] | select(.valid) | .case] | unique) as $cases
| ($cases[] as $c
	| [$F[] | select(.valid and .case == $c) | .key] as $want
	| [$K[] | select(.case == $c) | .key] as $got
	| minus($want; $got) as $missing
	| if ($missing | length) == 0 then "\($T)_agree_\($c): PASS"
	  else "\($T)_agree_\($c): FAIL tshark has \($want | length) valid TCP frames, the tracer lacks \($missing | length): \($missing[0:2] | map(tojson) | join(" ")); tracer has: \($got[0:2] | map(tojson) | join(" "))" end),
  # Packets that are in no frame at all: every tracer packet must equal a
  # captured frame, all fields, or on the TCP header fields alone where
  # tshark gives no length (an IP fragment).
  ([$F[] | .key]) as $full
  | ([$F[] | select(.len == null) | [.src, .dst, .sport, .dport, .flags, .seq_raw, .ack_raw]]) as $nolen
  | [$K[] | select((.key as $k | $full | index([$k])) == null
		and (.key[0:7] as $k | $nolen | index([$k])) == null) | .key] as $phantom
  | (if ($phantom | length) == 0 then "\($T)_no_invented_packets: PASS"
     else "\($T)_no_invented_packets: FAIL \($phantom | length) tracer packets equal no captured frame: \($phantom[0:3] | map(tojson) | join(" "))" end),
  ([$F[] | select(.valid | not) | select(.case != "real_connections") | .case] | unique) as $badcases
  | "# frames tshark marks malformed/bogus or does not dissect as TCP (\($badcases | length) cases): "
	+ ($badcases | map(. as $c | "\($c)\(if any($K[]; .case == $c) then "(tracer shows it)" else "" end)") | join(" "))
' >"$TL_TMP/agree.txt" 2>"$TL_TMP/agree.err" || fail "${T}_compare" "jq failed: $(head -c 300 "$TL_TMP/agree.err")"
cat "$TL_TMP/agree.txt"
# Every crafted case tshark dissects as valid TCP got its own check above;
# make sure that was most of them (the generator and tshark both working).
nagree=$(grep -c "^${T}_agree_" "$TL_TMP/agree.txt")
check "${T}_agree_case_count" test "$nagree" -ge 90
[ -n "${TL_KEEP:-}" ] && mkdir -p "$TL_KEEP" && cp "$CAP" "$J" "$X" "$S" "$TL_TMP/manifest.json" "$TL_KEEP/"
stop_pid "$SERVER_PID"
