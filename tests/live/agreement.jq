# Compares a tshark dissection with tcplife-http's JSON events of the same
# traffic and prints one "name: PASS" / "name: FAIL detail" line per check.
# Used by test_tshark_agreement.sh:
#   jq -r -n --slurpfile ts TSHARK.json --slurpfile tr TRACER.ndjson \
#         --argjson meta '{"name":..,"nconn":..,"curl_pids":[..],
#                          "server_pid":..,"server_comm":..}' -f agreement.jq
# $ts[0] is tshark's -T json array (fields as arrays of strings), $tr the
# tracer's events. Connections are paired by 4-tuple (and by order among
# connections with the same tuple), tshark streams in stream order.

def one($k): (.[$k] // [null])[0];
def num: if . == null or . == "" then null else tonumber end;
def bit($n): (. / $n | floor) % 2 == 1;
def hex2int: ltrimstr("0x") | ascii_downcase | explode
	| reduce .[] as $c (0; . * 16 + (if $c >= 97 then $c - 87 else $c - 48 end));
def hex3: if . == null then null else
	. as $n | "0123456789abcdef" as $h
	| "0x" + ([($n / 256 | floor) % 16, ($n / 16 | floor) % 16, $n % 16]
		| map($h[.:(. + 1)]) | join("")) end;
# Wireshark's flag names, as the tracer prints them ("SYN, ACK"), to bits.
def names2int: if . == null then null else
	split(", ") | map({"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16, "URG": 32,
		"ECE": 64, "CWR": 128, "AE": 256, "NS": 256}[.] // 4096) | add end;
def ep($a; $p): if ($a | tostring | contains(":")) then "[\($a)]:\($p)" else "\($a):\($p)" end;
def u32: . % 4294967296;

def check($name; $ok; detail):
	if $ok then "\($name): PASS" else "\($name): FAIL \(detail)" end;
# First difference of two lists, tshark's first.
def firstdiff($want; $got):
	([range(0; [($want | length), ($got | length)] | max)] | map(select($want[.] != $got[.])) | .[0]) as $i
	| "first difference at #\($i) (tshark has \($want | length), tracer \($got | length)): tshark=\($want[$i] | tojson) tracer=\($got[$i] | tojson)";
# ...and what kind of difference: reordered, or rows missing / extra.
def listdiff($want; $got):
	if ($want | sort) == ($got | sort) then "same rows in another order; " + firstdiff($want; $got)
	else firstdiff($want; $got)
		+ (($want - $got) as $m | if ($m | length) > 0 then "; only in tshark (\($m | length)): \($m[0:3] | map(tojson) | join(" "))" else "" end)
		+ (($got - $want) as $x | if ($x | length) > 0 then "; only in tracer (\($x | length)): \($x[0:3] | map(tojson) | join(" "))" else "" end)
	end;
# The rows must be the same, every field; their order may differ only
# locally. When two CPUs transmit on one socket at once (a retransmission
# timer beside the sending task, an ACK from softirq), the TC hook and the
# capture point, a few instructions apart, can see them in either order.
def reorder_window: 4;
def locally_reordered($want; $got):
	($want | sort) == ($got | sort)
	and ([range(0; $want | length) as $i
		| $got[([$i - reorder_window, 0] | max):($i + reorder_window + 1)] | index([$want[$i]]) != null]
		| all);
def cmplist($name; $want; $got):
	check($name; $want == $got or locally_reordered($want; $got); listdiff($want; $got));

# ---- tshark side -------------------------------------------------------
def tsrows: $ts[0] | map(._source.layers | {
	stream: (one("tcp.stream") | num),
	src: (one("ip.src") // one("ipv6.src")), dst: (one("ip.dst") // one("ipv6.dst")),
	sport: (one("tcp.srcport") | num), dport: (one("tcp.dstport") | num),
	flags: (one("tcp.flags") | hex2int),
	seq: (one("tcp.seq") | num), seq_raw: (one("tcp.seq_raw") | num),
	ack: (one("tcp.ack") | num), ack_raw: (one("tcp.ack_raw") | num),
	len: (one("tcp.len") | num), win: (one("tcp.window_size_value") | num),
	win_scaled: (one("tcp.window_size") | num),
	mss: (one("tcp.options.mss_val") | num), wscale: (one("tcp.options.wscale.shift") | num),
	tsval: (one("tcp.options.timestamp.tsval") | num), tsecr: (one("tcp.options.timestamp.tsecr") | num),
	frame_len: (one("frame.len") | num),
	methods: (.["http.request.method"] // []), uris: (.["http.request.uri"] // []),
	codes: ((.["http.response.code"] // []) | map(tonumber))
});

# One object per stream: client = sender of the SYN (else of the first segment).
def streams: tsrows | group_by(.stream) | map(
	. as $rows
	| ([$rows[] | select((.flags | bit(2)) and (.flags | bit(16) | not))][0] // $rows[0]) as $syn
	| ep($syn.src; $syn.sport) as $client
	| {stream: $rows[0].stream, client: $client, server: ep($syn.dst; $syn.dport),
	   rows: ($rows | map(. + {dir: (if ep(.src; .sport) == $client then "c2s" else "s2c" end)}))}
	| .key = "\(.client)|\(.server)");

# ---- tracer side -------------------------------------------------------
def trconns: ($tr | map(select(.type == "packet"))) as $pk
	| ($pk | reduce .[].conn as $c ([]; if index([$c]) then . else . + [$c] end))
	| map(. as $id
		| ($pk | map(select(.conn == $id))) as $p
		| ([$tr[] | select(.type == "conn" and .conn == $id)][0]) as $sum
		| ([$p[] | select(.dir == "c2s")][0]) as $c
		| {id: $id, pk: $p, sum: $sum,
		   states: [$tr[] | select(.type == "state" and .conn == $id)],
		   http: [$tr[] | select(.type == "http" and .conn == $id)],
		   client: ($sum.client // (if $c then ep($c.src; $c.sport) else null end)),
		   server: ($sum.server // (if $c then ep($c.dst; $c.dport) else null end))}
		| .key = "\(.client)|\(.server)");

# Number each element among the earlier ones with the same key.
def occ: . as $l | [range(0; length) as $i
	| $l[$i] + {occ: ([$l[0:$i][] | select(.key == $l[$i].key)] | length)}];

# ---- expectations from tshark's view -----------------------------------
# Who ended the connection: the first FIN or RST in the capture.
def closeinfo: ([.rows[] | select((.flags | bit(1)) or (.flags | bit(4)))][0]) as $first
	| if $first == null then {closed_by: null, sim: false}
	  elif ($first.flags | bit(4)) then {closed_by: "reset", sim: false}
	  else ([.rows[] | select(.dir != $first.dir and (.flags | bit(1)))][0]) as $pf
		| {closed_by: (if $first.dir == "c2s" then "client" else "server" end),
		   sim: ($pf != null and ($pf.ack_raw != (($first.seq_raw + $first.len + 1) | u32)))}
	  end;
# Accepted state histories ("OLD>NEW", "*" when inferred) of one side.
def active_close($sim):
	(if $sim then "CLOSING" else "FIN_WAIT2" end) as $w
	| ["ESTABLISHED>FIN_WAIT1", "FIN_WAIT1>\($w)"] as $a
	| [$a + ["\($w)>CLOSE", "\($w)>TIME_WAIT*"], $a + ["\($w)>CLOSE", "CLOSE>TIME_WAIT*"],
	   $a + ["\($w)>TIME_WAIT*"]];
def passive_close: [["ESTABLISHED>CLOSE_WAIT", "CLOSE_WAIT>LAST_ACK", "LAST_ACK>CLOSE"]];
def expected_states($side; $ci; $established):
	(if $side == "client" then ["CLOSE>SYN_SENT", "SYN_SENT>ESTABLISHED"]
	 else ["LISTEN>SYN_RECV", "SYN_RECV>ESTABLISHED"] end) as $hs
	| if $ci.closed_by == "reset" and ($established | not) then
		(if $side == "client" then [["CLOSE>SYN_SENT", "SYN_SENT>CLOSE"]] else [[]] end)
	  elif $ci.closed_by == "client" or $ci.closed_by == "server" then
		(if $ci.sim or $ci.closed_by == $side then active_close($ci.sim) else passive_close end)
		| map($hs + .)
	  else [["(no FIN/RST in capture: no expectation)"]] end;

# ---- checks ------------------------------------------------------------
def conn_checks($p; $s; $t; $k):
	def segs($d): [.[] | select(.dir == $d)];
	($s.rows) as $R | ($t.pk) as $P
	| ($s | closeinfo) as $ci
	| ([$R[] | select(.flags | bit(2))] | length >= 2 and
	   ([$R[] | select(.dir == "c2s" and (.flags | bit(16)))] | length > 0)) as $established
	| (
	  ([$P[] | select((.dir == "c2s" and ep(.src; .sport) == $s.client and ep(.dst; .dport) == $s.server)
		or (.dir == "s2c" and ep(.src; .sport) == $s.server and ep(.dst; .dport) == $s.client) | not)
		| {dir, src, sport, dst, dport}]) as $badaddr
	  | check("\($p)_tuple";
		$t.sum != null and $t.sum.client == $s.client and $t.sum.server == $s.server and ($badaddr | length) == 0;
		"tshark client=\($s.client) server=\($s.server); tracer summary client=\($t.sum.client) server=\($t.sum.server); tracer packets whose addresses contradict dir: \($badaddr | length) \($badaddr[0:2] | tojson)"),
	  (("c2s", "s2c") as $d
		| cmplist("\($p)_segments_\($d)";
			[$R | segs($d)[] | [(.flags | hex3), .seq_raw, .ack_raw, .len, .win]];
			[$P | segs($d)[] | [(.flags | names2int | hex3), .seq_raw, .ack_raw, .len, .win]])),
	  (("c2s", "s2c") as $d
		| cmplist("\($p)_relative_seq_ack_\($d)";
			[$R | segs($d)[] | [.seq, .ack]]; [$P | segs($d)[] | [.seq, .ack]])),
	  cmplist("\($p)_window_scaled";
		[($R | segs("c2s")[]), ($R | segs("s2c")[]) | [.dir, .win_scaled]];
		[($P | segs("c2s")[]), ($P | segs("s2c")[]) | [.dir, .win_scaled]]),
	  cmplist("\($p)_syn_options";
		[$R[] | select(.flags | bit(2)) | [.dir, (.flags | hex3), .mss, .wscale]];
		[$P[] | select(.flags | names2int | bit(2)) | [.dir, (.flags | names2int | hex3), .mss, .wscale]]),
	  cmplist("\($p)_timestamps";
		[($R | segs("c2s")[]), ($R | segs("s2c")[]) | [.dir, .tsval, .tsecr]];
		[($P | segs("c2s")[]), ($P | segs("s2c")[]) | [.dir, .tsval, .tsecr]]),
	  cmplist("\($p)_frame_len";
		[($R | segs("c2s")[]), ($R | segs("s2c")[]) | [.dir, .frame_len]];
		[($P | segs("c2s")[]), ($P | segs("s2c")[]) | [.dir, .frame_len]]),
	  cmplist("\($p)_http_requests";
		[$R[] | . as $r | range(0; $r.methods | length) | [$r.methods[.], $r.uris[.], $r.seq]];
		[$t.http[] | select(.dir == "request") | [.method, .uri, .seq]]),
	  cmplist("\($p)_http_responses";
		[$R[] | . as $r | $r.codes[] | [., $r.seq]];
		[$t.http[] | select(.dir == "response") | [.status, .seq]]),
	  (("client", "server") as $side
		| expected_states($side; $ci; $established) as $want
		| [$t.states[] | select(.side == $side) | "\(.old)>\(.new)" + (if .inferred then "*" else "" end)] as $got
		| check("\($p)_states_\($side)"; ($want | index([$got])) != null;
			"tracer \($got | join(" ")) ; want \($want | map(join(" ")) | join(" | or "))")),
	  check("\($p)_closed_by"; $t.sum.closed_by == $ci.closed_by;
		"tshark's first FIN/RST says \($ci.closed_by | tojson), tracer closed_by=\($t.sum.closed_by | tojson)"),
	  ((if $ci.closed_by == "client" or $ci.closed_by == "server" then
		(if $ci.sim then [$t.sum.time_wait] - [null] | length == 1 else $t.sum.time_wait == $ci.closed_by end)
	    else $t.sum.time_wait == null end) as $ok
		| check("\($p)_time_wait"; $ok;
			"expected \(if $ci.closed_by == "reset" or $ci.closed_by == null then "null" else $ci.closed_by end), tracer time_wait=\($t.sum.time_wait | tojson)")),
	  ($meta.curl_pids[$k] // null) as $cpid
	  | ([$t.states[] | select(.pid != null or .comm != null)
		| select((.side == "client" and (.pid != $cpid or .comm != "curl"))
			or (.side == "server" and (.pid != $meta.server_pid or .comm != $meta.server_comm)))
		| "\(.side) \(.old)>\(.new) pid=\(.pid) comm=\(.comm)"]) as $badstates
	  | check("\($p)_processes";
		$t.sum.client_comm == "curl" and $t.sum.client_pid == $cpid
		and $t.sum.server_comm == $meta.server_comm and $t.sum.server_pid == $meta.server_pid
		and ($badstates | length) == 0;
		"want client curl/\($cpid) server \($meta.server_comm)/\($meta.server_pid); tracer client \($t.sum.client_comm)/\($t.sum.client_pid) server \($t.sum.server_comm)/\($t.sum.server_pid); state events attributed elsewhere: \($badstates | tojson)"),
	  ({packets: ($R | length), bytes_c2s: ([$R | segs("c2s")[].len] | add // 0),
	    bytes_s2c: ([$R | segs("s2c")[].len] | add // 0),
	    requests: ([$R[].methods[]] | length), responses: ([$R[].codes[]] | length),
	    open_at_exit: false} as $want
		| ($t.sum // {} | {packets, bytes_c2s, bytes_s2c, requests, responses, open_at_exit}) as $got
		| check("\($p)_summary_counts"; $want == $got; "tshark \($want | tojson) tracer \($got | tojson)"))
	);

$meta.name as $n
| (streams | occ) as $S
| (trconns | occ) as $T
| ([$tr[] | select(.type == "conn")] | length) as $nsum
| check("\($n)_stream_count"; ($S | length) == $meta.nconn and ($T | length) == $meta.nconn and $nsum == $meta.nconn;
	"expected \($meta.nconn) connections: tshark streams \($S | length), tracer connections with packets \($T | length), tracer conn summaries \($nsum)"),
  ([$S[] | . as $s | select([$T[] | select(.key == $s.key and .occ == $s.occ)] | length != 1) | "tshark stream \(.stream) \(.key)"]
	+ [$T[] | . as $t | select([$S[] | select(.key == $t.key and .occ == $t.occ)] | length != 1) | "tracer conn \(.id) \(.key)"]) as $unmatched
| check("\($n)_conn_mapping"; ($unmatched | length) == 0; "unpaired: \($unmatched | join(", "))"),
  (range(0; $S | length) as $k | $S[$k] as $s
	| [$T[] | select(.key == $s.key and .occ == $s.occ)][0] as $t
	| select($t != null)
	| conn_checks(if $meta.nconn == 1 then $n else "\($n)_conn\($k + 1)" end; $s; $t; $k))
