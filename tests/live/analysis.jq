# Compares Wireshark's TCP analysis (tshark's tcp.analysis.* fields) with
# the tracer's `analysis`, `dup_ack_num`, `dup_ack_of`, `dup_ack_of_frame`,
# `ack_rtt_ms` and `bytes_in_flight`, segment by segment, and prints one "name: PASS" /
# "name: FAIL detail" line per check. Used by test_analysis.sh:
#   jq -r -n --slurpfile ts TSHARK.json --slurpfile tr TRACER.ndjson \
#         --arg name NAME --argjson exact true|false \
#         --argjson want '["retransmission", ...]' -f analysis.jq
# ($want: labels tshark must show, so that the scenario made its conditions)
# $ts[0] is tshark's -T json array (fields from analysis_fields in
# test_analysis.sh), $tr the tracer's events. Connections pair by their
# ports, in order. With exact (the tracer read the same capture with -r),
# every field must be equal, the order too, dup_ack_of, dup_ack_of_frame
# and ack_rtt_ms included. Live, the hook and the capture point stamp each segment a few
# microseconds apart and may see two segments sent at once from two CPUs in
# either order: the rows must be the same, reordered only locally, without
# the RTT's value and the frame a Dup ACK refers to (its number stays).

def one($k): (.[$k] // [null])[0];
def num: if . == null or . == "" then null else tonumber end;
def names: ["retransmission", "fast_retransmission", "spurious_retransmission",
	"out_of_order", "lost_segment", "ack_lost_segment", "duplicate_ack", "zero_window",
	"zero_window_probe", "zero_window_probe_ack", "window_full", "window_update",
	"keep_alive", "keep_alive_ack", "reused_ports"];
def check($n; $ok; detail): if $ok then "\($n): PASS" else "\($n): FAIL \(detail)" end;
def pairkey: [.sport, .dport] | sort | map(tostring) | join("-");

# Out-of-order or retransmission: Wireshark decides by comparing the time
# since the highest segment with the handshake's RTT. On loopback both are
# tens of microseconds, and the hook stamps a segment up to 20 us before the
# capture does: live, the two may fall on either side, so they are one.
def timed($exact): if $exact then . else
	map(if . == "out_of_order" or . == "retransmission" then "retransmission|out_of_order"
	    else . end) | unique end;
# A row: the segment, and what the analysis says of it. rtt in ns.
def row($exact):
	"\(.dir) seq=\(.seq_raw) ack=\(.ack_raw) len=\(.len) flags=\(.flags)"
	+ " [\(.a | timed($exact) | join(","))]"
	+ (if .dn != null then " dup=\(.dn)"
		+ (if $exact then " of=\(.df) frame=\(.dfr)" else "" end) else "" end)
	+ (if .bif != null then " bif=\(.bif)" else "" end)
	+ (if .rtt != null then (if $exact then " rtt=\(.rtt)" else " rtt" end) else "" end);

def tsconns: $ts[0] | map(._source.layers as $l | {
	stream: ($l | one("tcp.stream") | num),
	frame: ($l | one("frame.number") | num),
	sport: ($l | one("tcp.srcport") | num), dport: ($l | one("tcp.dstport") | num),
	seq_raw: ($l | one("tcp.seq_raw") | num), ack_raw: ($l | one("tcp.ack_raw") | num),
	len: ($l | one("tcp.len") | num),
	flags: ($l | one("tcp.flags") | ascii_downcase | .[-3:]),
	a: [names[] as $n | select($l["tcp.analysis." + $n] != null) | $n],
	dn: ($l | one("tcp.analysis.duplicate_ack_num") | num),
	dframe: ($l | one("tcp.analysis.duplicate_ack_frame") | num),
	bif: ($l | one("tcp.analysis.bytes_in_flight") | num),
	rtt: ($l | one("tcp.analysis.ack_rtt")
		| if . == null then null else (split(".") | (.[0] | tonumber) * 1000000000
			+ ((.[1] + "000000000")[0:9] | tonumber)) end)
	})
	| group_by(.stream) | map(
		(.[0].sport) as $client_port_guess
		| (map(select(.flags == "002")) | .[0].sport // $client_port_guess) as $cport
		| (reduce .[] as $r ({}; .[$r.frame | tostring] = (length + 1))) as $idx
		| {key: (.[0] | pairkey),
		   rows: map(. + {dir: (if .sport == $cport then "c2s" else "s2c" end),
				  df: (if .dframe then $idx[.dframe | tostring] else null end),
				  dfr: .dframe})});

def hex3: . as $n | "0123456789abcdef" as $h
	| [($n / 256 | floor) % 16, ($n / 16 | floor) % 16, $n % 16] | map($h[.:(. + 1)]) | join("");
def flagbits: split(", ") | map({"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16, "URG": 32,
	"ECE": 64, "CWR": 128, "AE": 256}[.] // 0) | add // 0;

def trconns: $tr | map(select(.type == "packet")) | group_by(.conn) | map({
	key: (.[0] | pairkey),
	rows: map({dir, seq_raw, ack_raw, len, flags: (.flags | flagbits | hex3),
		   a: (.analysis // []), dn: .dup_ack_num, df: .dup_ack_of,
		   dfr: .dup_ack_of_frame,
		   bif: .bytes_in_flight,
		   rtt: (if .ack_rtt_ms == null then null else
			(.ack_rtt_ms | tostring | split(".") | (.[0] | tonumber) * 1000000
				+ (((.[1] // "") + "000000")[0:6] | tonumber)) end)})});

def locally_reordered($want; $got):
	($want | sort) == ($got | sort)
	and ([range(0; $want | length) as $i
		| $got[([$i - 4, 0] | max):($i + 5)] | index([$want[$i]]) != null] | all);
def firstdiff($want; $got):
	([range(0; [($want | length), ($got | length)] | max)] | map(select($want[.] != $got[.])) | .[0]) as $i
	| "at segment #\($i + 1) of \($want | length)/\($got | length): tshark=\($want[$i] | tojson) tracer=\($got[$i] | tojson)";

# The live rows leave out the RTT's value: round it away on both sides.
[tsconns, trconns] as [$t, $r]
| check("\($name)_connections"; ($t | map(.key)) == ($r | map(.key));
	"tshark \($t | map(.key)) tracer \($r | map(.key))"),
  (range(0; [$t, $r] | map(length) | min) as $i
   | ($t[$i].rows | map(row($exact))) as $want | ($r[$i].rows | map(row($exact))) as $got
   | check("\($name)_conn\($i + 1)_analysis";
	$want == $got or ($exact | not) and locally_reordered($want; $got);
	firstdiff($want; $got))),
  ([$t[].rows[].a[]] | unique) as $seen
  | check("\($name)_conditions"; ($want - $seen) == [];
	"tshark labelled \($seen), the scenario is to make \($want)")
