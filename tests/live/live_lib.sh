# Shared by the tracer's live tests (sourced after tests/lib.sh): stopping a
# process within a bound, the capture's reference dissection, and its check.

# stop_bounded PID SECONDS: SIGINT, wait at most SECONDS, then SIGKILL.
# Sets STOP_RC (the exit status, or "timeout").
stop_bounded() {
	kill -INT "$1" 2>/dev/null
	wait_exit "$1" "$2"
	STOP_RC=$EXIT_RC
}

# capture_complete NAME DUMPCAP_LOG: the capture is the reference, so it
# must have dropped nothing.
capture_complete() {
	local drops
	drops=$(sed -n 's|.*received/dropped on interface.*: [0-9]*/\([0-9]*\) .*|\1|p' "$2")
	expect_eq "$1_capture_complete" "dropped 0" "dropped ${drops:-?}"
}

# tshark_fields CAPTURE PORT OUT ERR: tshark's dissection of the capture as
# agreement.jq reads it (HTTP on PORT, fields on the segment that begins
# each message). Returns tshark's status.
tshark_fields() {
	tshark -r "$1" -o tcp.desegment_tcp_streams:FALSE -d "tcp.port==$2,http" -T json \
		-e frame.len -e tcp.stream -e ip.src -e ip.dst -e ipv6.src -e ipv6.dst \
		-e tcp.srcport -e tcp.dstport -e tcp.flags -e tcp.seq -e tcp.seq_raw -e tcp.ack \
		-e tcp.ack_raw -e tcp.len -e tcp.window_size_value -e tcp.window_size \
		-e tcp.options.mss_val -e tcp.options.wscale.shift \
		-e tcp.options.timestamp.tsval -e tcp.options.timestamp.tsecr \
		-e http.request.method -e http.request.uri -e http.response.code \
		>"$3" 2>"$4"
}

# start_tracer OUT ERR CMD...: the tracer command (possibly behind "ip netns
# exec NS" or "unshare ... exec", which keep the PID) in the background,
# stdout and stderr apart; TRACER_PID.
start_tracer() {
	local out=$1 err=$2
	shift 2
	"$@" >"$out" 2>"$err" &
	TRACER_PID=$!
	TL_PIDS+=("$TRACER_PID")
}

# wait_exit PID SECONDS: waits for PID to end by itself; EXIT_RC is its
# status, or "timeout" (then it is killed).
wait_exit() {
	local pid=$1 deadline=$((SECONDS + $2))
	while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		EXIT_RC=timeout
	else
		wait "$pid"
		EXIT_RC=$?
	fi
}

# bpf_ids PID: the BPF objects PID holds, one per line: "link N", "prog N",
# "map N", "tcx N" (a tcx link) and "tcprog N" (a sched_cls program, the TC
# hook). By id, since other tracers may run on the machine.
bpf_ids() {
	local f
	for f in /proc/"$1"/fdinfo/*; do
		awk '/^link_type:/ {lt = $2} /^link_id:/ {l = $2} /^prog_type:/ {pt = $2}
		/^prog_id:/ {p = $2} /^map_id:/ {m = $2}
		END {
			if (l != "") { print "link " l; if (lt == "tcx") print "tcx " l }
			else if (p != "") { print "prog " p; if (pt == 3) print "tcprog " p }
			else if (m != "") print "map " m
		}' "$f" 2>/dev/null
	done | sort -u
}

# ids_alive IDS: those of IDS ("link N"/"prog N" lines) the kernel still has.
ids_alive() {
	local links progs
	links=$(bpftool link show -j 2>/dev/null | jq -r '.[].id')
	progs=$(bpftool prog show -j 2>/dev/null | jq -r '.[].id')
	while read -r kind id; do
		case $kind in
		link) grep -qx "$id" <<<"$links" && echo "link $id" ;;
		prog) grep -qx "$id" <<<"$progs" && echo "prog $id" ;;
		esac
	done <<<"$1"
}

# wait_ids_gone IDS SECONDS: until none of IDS is alive; prints what is left.
wait_ids_gone() {
	local deadline=$((SECONDS + $2)) left
	while :; do
		left=$(ids_alive "$1")
		[ -z "$left" ] && return 0
		[ $SECONDS -ge $deadline ] && { echo "$left" | tr '\n' ' '; return 1; }
		sleep 0.1
	done
}

# in_ns CMD...: CMD in the test's own network namespace, $NS.
in_ns() { ip netns exec "$NS" "$@"; }

# jq definitions: by_conn, each connection's packet events by conn id (a
# JSON trace read with -s); seg_of($p), the packet an event names by its
# number in its connection (.packet), null when it names none (an index
# of -1 would be the connection's last packet).
JQ_SEGMENTS='def by_conn: map(select(.type == "packet")) | group_by(.conn)
	| map({key: (.[0].conn | tostring), value: .}) | from_entries;
def seg_of($p): if (.packet // 0) >= 1 then $p[.conn | tostring][.packet - 1] else null end;'
