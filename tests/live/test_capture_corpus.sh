#!/bin/bash
# -r on every capture of tests/captures/ (see its README) against tshark:
# every TCP segment (frame number, tcp.stream, flags, relative seq and ack,
# length, scaled window), Wireshark's analysis of each segment (tshark's
# tcp.analysis.*, exactly: analysis.jq) and its Info column labels in the
# text, one life per tcp.stream, the HTTP request and
# status lines (frame, method, URI, code), the -t r and -t d columns, gzip
# read as the plain file, and the count grammar of the last line. Needs no
# root and no network: the files are the input.
#
# tshark quirks noted rather than copied: with a snaplen cutting a request
# line (snap200.pcapng, frame 56) tshark dissects no HTTP at all; the tracer
# keeps the request with its URI cut and uri_truncated, which is checked on
# its own.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/analysis_lib.sh"
cd "$TL_ROOT" || exit 1

T=test_capture_corpus
TRACER=$TL_ROOT/tcplife-http
DIR=$TL_ROOT/tests/captures
PORT=8080 # the corpus's server port; tshark must be told it is HTTP

for tool in tshark jq; do
	command -v "$tool" >/dev/null || { fail "${T}_prerequisites" "$tool is not installed"; exit 0; }
done
[ -x "$TRACER" ] || { fail "${T}_prerequisites" "no ./tcplife-http: run make"; exit 0; }

# Wireshark's flag names, as the tracer prints them, to tcp.flags' bits.
FLAGS2INT='def f2i: split(", ") | map({"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16,
	"URG": 32, "ECE": 64, "CWR": 128, "AE": 256, "NS": 256}[.] // 4096) | add;'
HEX2INT='def h2i: ltrimstr("0x") | ascii_downcase | explode
	| reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));'

# tshark_json FILE OUT FIELD...: one JSON row per TCP frame.
tshark_json() {
	local file=$1 out=$2
	shift 2
	local args=() f
	for f in "$@"; do args+=(-e "$f"); done
	tshark -r "$file" -o tcp.desegment_tcp_streams:FALSE -d "tcp.port==$PORT,http" -Y tcp \
		-T json "${args[@]}" >"$out" 2>"$out.err"
}

# diffcheck NAME WANT GOT: PASS when the two files are equal.
diffcheck() {
	if cmp -s "$2" "$3"; then
		pass "$1"
	else
		fail "$1" "tshark/tracer differ: $(diff "$2" "$3" | head -n 4 | tr '\n' '|')"
	fi
}

corpus_file() {
	local file=$1 name
	name=${T}_$(basename "$file" | tr '.-' '__')
	local d=$TL_TMP/$name
	mkdir -p "$d"

	"$TRACER" -r "$file" --json >"$d/tracer.json" 2>"$d/tracer.err"
	local rc=$?
	if [ "$rc" != 0 ]; then
		fail "${name}_read" "exit $rc: $(head -c 300 "$d/tracer.err")"
		return
	fi
	pass "${name}_read"
	if ! tshark_json "$file" "$d/ts.json" frame.number tcp.stream tcp.flags tcp.seq tcp.ack \
		tcp.len tcp.window_size http.request.method http.request.uri http.response.code; then
		fail "${name}_tshark" "$(head -c 300 "$d/ts.json.err")"
		return
	fi

	# Segments: frame, stream, flags, seq, ack (0 without ACK), len, window.
	jq -r "$HEX2INT"'.[]._source.layers | [(.["frame.number"][0] | tonumber),
		(.["tcp.stream"][0] | tonumber), (.["tcp.flags"][0] | h2i)] as [$n, $s, $fl]
		| [$n, $s, $fl, (.["tcp.seq"][0] | tonumber),
		   (if ($fl / 16 | floor) % 2 == 1 then .["tcp.ack"][0] | tonumber else 0 end),
		   (.["tcp.len"][0] | tonumber), (.["tcp.window_size"][0] | tonumber)] | @tsv' \
		"$d/ts.json" >"$d/ts.seg"
	jq -r "$FLAGS2INT"'select(.type == "packet")
		| [.frame, .stream, (.flags | f2i), .seq, .ack, .len, .win_scaled] | @tsv' \
		"$d/tracer.json" | sort -n >"$d/tr.seg"
	diffcheck "${name}_segments" "$d/ts.seg" "$d/tr.seg"

	# Wireshark's analysis of every segment, exactly (analysis.jq): labels,
	# Dup ACK numbers and frames, ACK RTT, bytes in flight.
	if analysis_fields "$file" "$d/ts.ana.json"; then
		jq -R 'fromjson? // empty' "$d/tracer.json" >"$d/tracer.ndjson"
		jq -r -n --slurpfile ts "$d/ts.ana.json" --slurpfile tr "$d/tracer.ndjson" \
			--arg name "${name}_analysis" --argjson exact true --argjson want '[]' \
			-f "$TL_ROOT/tests/live/analysis.jq" 2>"$d/ana.err" ||
			fail "${name}_analysis" "jq failed: $(head -c 300 "$d/ana.err")"
	else
		fail "${name}_analysis" "tshark failed: $(head -c 300 "$d/ts.ana.json.err")"
	fi
	text_labels "${name}_text_labels" "$file" "$d"

	# Lives: one per tcp.stream, and each stream's segments in one life.
	local lives
	lives=$(jq -rs '[.[] | select(.type == "packet")] as $p
		| [($p | map(.stream) | unique | length),
		   ($p | map(.conn) | unique | length),
		   ($p | group_by(.stream) | map(map(.conn) | unique | length) | max),
		   ([.[] | select(.type == "conn")] | length)] | @tsv' "$d/tracer.json")
	local streams
	streams=$(cut -f2 "$d/ts.seg" | sort -u | wc -l)
	expect_eq "${name}_lives_per_stream" "$streams	$streams	1	$streams" "$lives"

	# HTTP lines at the frame that begins them. A request the bytes cut
	# (uri_truncated) tshark does not dissect: checked apart, below.
	jq -r '.[]._source.layers | select(.["http.request.method"] or .["http.response.code"])
		| [(.["frame.number"][0] | tonumber),
		   (.["http.request.method"][0] // .["http.response.code"][0]),
		   (.["http.request.uri"][0] // "")] | @tsv' "$d/ts.json" >"$d/ts.http"
	jq -r 'select(.type == "http" and (.uri_truncated | not))
		| [.frame, (.method // (.status | tostring)), (.uri // "")] | @tsv' \
		"$d/tracer.json" >"$d/tr.http"
	# The tracer keeps 511 bytes of a URI (marked): compare that much.
	jq -r 'select(.type == "http" and .uri_truncated) | [.frame, .method, .uri] | @tsv' \
		"$d/tracer.json" >"$d/tr.http.cut"
	local f m u
	while IFS=$'\t' read -r f m u; do
		if grep -q "^$f	" "$d/ts.http"; then
			awk -F'\t' -v f="$f" -v n="${#u}" '$1 == f { print $1 "\t" $2 "\t" substr($3, 1, n) }' \
				"$d/ts.http" >>"$d/ts.http.cut"
			printf '%s\t%s\t%s\n' "$f" "$m" "$u" >>"$d/tr.http.cmp"
		fi
	done <"$d/tr.http.cut"
	awk -F'\t' -v cutfile="$d/tr.http.cut" \
		'BEGIN { while ((getline l < cutfile) > 0) { split(l, a, "\t"); cut[a[1]] = 1 } }
		!($1 in cut)' "$d/ts.http" >"$d/ts.http.whole"
	diffcheck "${name}_http_lines" "$d/ts.http.whole" "$d/tr.http"
	if [ -s "$d/tr.http.cmp" ]; then
		diffcheck "${name}_http_cut_uri_prefix" "$d/ts.http.cut" "$d/tr.http.cmp"
	fi
}

for file in "$DIR"/*.pcap "$DIR"/*.pcapng "$DIR"/*.gz; do
	corpus_file "$file"
done

# A snaplen of 200 cuts the 3000-byte URI of frame 56: still a request.
expect_eq "${T}_snaplen_cut_request" 'GET true /search?q=aaa' \
	"$("$TRACER" -r "$DIR/snap200.pcapng" --json 2>/dev/null | jq -r 'select(.type == "http"
		and .frame == 56) | "\(.method) \(.uri_truncated) \(.uri[0:13])"')"

# gzip: the same events as the plain file (the start and stats lines carry
# the time of the run).
events() { "$TRACER" -r "$1" --json 2>&1 | jq -c 'select(.type != "start" and .type != "stats")'; }
if cmp -s <(events "$DIR/lo.pcapng") <(events "$DIR/lo.pcapng.gz") &&
	[ "$(events "$DIR/lo.pcapng" | wc -l)" -gt 90 ]; then
	pass "${T}_gzip_same_as_plain"
else
	fail "${T}_gzip_same_as_plain" "-r lo.pcapng.gz differs from -r lo.pcapng"
fi

# -t r and -t d: tshark's frame.time_relative and frame.time_delta, to the
# microsecond the text shows (every frame of the file is a TCP segment).
for fmt in r:frame.time_relative d:frame.time_delta; do
	tshark -r "$DIR/lo.pcapng" -T fields -e frame.number -e "${fmt#*:}" 2>/dev/null |
		awk '{ printf "%s %.6f\n", $1, int($2 * 1e6 + 1e-3) / 1e6 }' >"$TL_TMP/t.$fmt.ts"
	"$TRACER" -r "$DIR/lo.pcapng" -t "${fmt%%:*}" 2>/dev/null |
		awk '$1 ~ /^[0-9]+$/ && $2 ~ /^[0-9.]+$/ { print $1, $2 }' | sort -n >"$TL_TMP/t.$fmt.tr"
	if [ -s "$TL_TMP/t.$fmt.tr" ] && cmp -s "$TL_TMP/t.$fmt.ts" "$TL_TMP/t.$fmt.tr"; then
		pass "${T}_time_${fmt%%:*}"
	else
		fail "${T}_time_${fmt%%:*}" "$(diff "$TL_TMP/t.$fmt.ts" "$TL_TMP/t.$fmt.tr" | head -n 4 | tr '\n' '|')"
	fi
done

# Counts in words: one connection is "1 connection".
expect_eq "${T}_one_connection_grammar" "11 events, 0 lost, 1 connection" \
	"$("$TRACER" -r "$DIR/retransmit.pcap" 2>&1 >/dev/null | tail -n 1)"

# Damaged gzip: one line saying so, exit 1, never a crash or a hang.
printf '\037\213not deflate data' >"$TL_TMP/bad.gz"
head -c 2000 "$DIR/lo.pcapng.gz" >"$TL_TMP/cut.gz"
for bad in bad cut; do
	timeout 10 "$TRACER" -r "$TL_TMP/$bad.gz" >/dev/null 2>"$TL_TMP/$bad.err"
	rc=$?
	expect_eq "${T}_damaged_gzip_${bad}" "exit 1, 1 error line" \
		"exit $rc, $(grep -c '^tcplife-http: ' "$TL_TMP/$bad.err") error line"
done

# With -6 the IPv4 conversations are left out, yet still counted: each
# IPv6 segment keeps tshark's frame number and tcp.stream of the whole file.
tshark -r "$DIR/lo.pcapng" -Y 'ipv6 && tcp' -T fields -e frame.number -e tcp.stream 2>/dev/null \
	>"$TL_TMP/v6.ts"
"$TRACER" -r "$DIR/lo.pcapng" -6 --json 2>/dev/null |
	jq -r 'select(.type == "packet") | [.frame, .stream] | @tsv' | sort -n >"$TL_TMP/v6.tr"
if [ -s "$TL_TMP/v6.ts" ] && cmp -s "$TL_TMP/v6.ts" "$TL_TMP/v6.tr" &&
	[ "$(cut -f2 "$TL_TMP/v6.tr" | sort -u | head -n 1)" != 0 ]; then
	pass "${T}_filtered_keeps_numbers"
else
	fail "${T}_filtered_keeps_numbers" "$(diff "$TL_TMP/v6.ts" "$TL_TMP/v6.tr" | head -n 4 | tr '\n' '|')"
fi
