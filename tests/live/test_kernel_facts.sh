#!/bin/bash
# Live test (root): what only the kernel knows, checked against the
# kernel's own counters and ss, in a network namespace of the test's own.
#  - tbf qdisc, two downloads on a connection over 127.0.0.1 and two over
#    [::1] (whose GSO packets past 64 KB are jumbograms behind a Hop-by-Hop
#    header):
#    every segment the capture lacks is a drop event with a QDISC_* reason
#    (compare AGREEs, excusing exactly those, or the pieces the hook saw of
#    a dropped GSO packet past 64 KB), and there are as many as the qdisc's
#    own "dropped" count, each excused segment commented in -w's file; the
#    sender went to CWR; with two adjacent server segments of
#    that capture swapped (a reorder on the way to it), compare still
#    AGREEs, counting 2 segments in a different order;
#  - --summary: TX_KB and RX_KB are the client socket's bytes_acked and
#    bytes_received (live) or the payload (-r of the capture and of -w's
#    file), each byte once, on a clean 1 MB download and on one through
#    tbf, which drops;
#  - RSTs with the kernel's reason: a connect to a closed port (NO_SOCKET,
#    and no RTT measured: rtt_measured false), an SO_LINGER {1,0} close, a
#    server closing with unread data;
#  - no drop events for what TCP answered, then freed through the drop
#    path: keep-alives (TCP_OLD_SEQUENCE), pure ACKs to a socket in
#    CLOSE_WAIT (no reason);
#  - a listener with backlog 1 that never accepts and 20 clients: the SYNs
#    it never answers are nstat's TcpExtListenOverflows (the kernel frees
#    them without a drop reason), and each SYN retransmission the analysis
#    labels is one TcpExtTCPSynRetrans counts, and the kernel marks each
#    of them with a retransmission event naming it, with its Len= (0);
#  - tcp_info at the close: each side's as the socket itself says in CLOSE
#    (tcp_get_info, what ss reads; the peers shut down, not close, to keep
#    it), exact; after a server shut its side down first and retransmitted
#    its tail in FIN_WAIT1, also as `ss -tiH` shows the server in FIN_WAIT2
#    (srtt within 20%, cwnd and retransmissions exact), its retransmissions
#    all the kernel made (nstat, the tracer's events);
#  - receive memory: a client whose socket is charged to a memory cgroup
#    (v1, memory.kmem.tcp.limit_in_bytes 64 KB) reads nothing for 0.5 s of
#    a 1 MB download: sock_exceed_buf_limit fires on that connection only
#    (not on a second download outside the cgroup), the segments TCP then
#    drops are PROTO_MEM drop events, as many as nstat's TcpExtTCPRcvQDrop
#    plus TcpExtTCPOFODrop, and sock_rcvqueue_full never fires (TCP does not
#    queue through sock_queue_rcv_skb; UDP and raw sockets do).
# The tbf, backlog and receive memory sections run once more when this
# kernel's tracepoint gap (see the backlog section) lost some of their
# events; the second run must be exact. Takes about 40 s with other tests
# running (4 s of it the keep-alives; 5-8 s more for each second run).
# TL_KEEP=DIR keeps the files.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=test_kernel_facts
PEER=$TL_ROOT/tests/live/analysis_peer.py
SWAP=$TL_ROOT/tests/live/pcap_swap.py
PORT=18080

rb_prereq "$T" dumpcap tshark editcap jq python3 curl nstat ss tc || exit 1
NS=tlh-kfacts-$$
CGROUP=/sys/fs/cgroup/memory/tlh-kfacts-$$
kfacts_cleanup() {
	rb_cleanup
	[ -d "$CGROUP" ] && rmdir "$CGROUP"
}
trap 'tl_exit kfacts_cleanup' EXIT
if ! rb_netns "$NS"; then
	fail "${T}_netns" "cannot create network namespace $NS"
	exit 1
fi

# trace_start NAME [--summary]: starts the tracer (and dumpcap) in the
# namespace, its JSON into $D/trace.json (with --summary, its stdout into
# $D/summary.txt and the JSON through --json-file).
trace_start() {
	local out=(--json) stdout
	D=$TL_TMP/$1
	mkdir -p "$D"
	stdout=$D/trace.json
	if [ "${2:-}" = --summary ]; then
		out=(--summary --json-file "$D/trace.json")
		stdout=$D/summary.txt
	fi
	start_bg "$D/dumpcap.log" ip netns exec "$NS" dumpcap -B 64 -i lo -f "tcp port $PORT" \
		-w "$D/cap.pcapng"
	DUMPCAP_PID=$TL_BG
	start_tracer "$stdout" "$D/trace.err" ip netns exec "$NS" "$TRACER" "${out[@]}" \
		-p "$PORT" -w "$D/trace.pcapng"
	if ! wait_for_line "$D/dumpcap.log" '^File:' 10 ||
		! wait_for_line "$D/trace.json" '"type":"start"' 10; then
		fail "$1_setup" "dumpcap or tracer did not start: $(head -c 300 "$D/trace.err")"
		return 1
	fi
	expect_eq "$1_all_tracepoints" '[]' "$(head -n 1 "$D/trace.json" | jq -c .attach.facts_missing)"
}
trace_stop() {
	sleep 1 # dumpcap writes its last packets
	stop_bounded "$TRACER_PID" 10
	stop_pid "$DUMPCAP_PID"
	jq -c 'select(.type)' "$D/trace.json" >"$D/events.json" 2>/dev/null
	if [ -n "${TL_KEEP:-}" ]; then
		mkdir -p "$TL_KEEP" && cp -r "$D" "$TL_KEEP/"
	fi
}
count() { jq -s "map(select($1)) | length" "$D/events.json"; }
# nstat_sum COUNTER...: their total in the namespace now. Absolute values
# (-a), and no history file written (-s): that file is per user, shared
# with every other nstat on the machine.
nstat_sum() { in_ns nstat -asz "$@" | awk '{ n += $2 } END { print n + 0 }'; }

# --- tbf: drops before the capture point --------------------------------
DOC=$TL_TMP/www
mkdir -p "$DOC"
head -c 1000000 /dev/urandom >"$DOC/big.bin"
start_bg "$TL_TMP/httpd.log" ip netns exec "$NS" "$HTTPD" -p "$PORT" -r "$DOC" -q
HTTPD_PID=$TL_BG
# tbf_run NAME: four 1 MB downloads through a fresh tbf qdisc, two over
# IPv4 and two over IPv6, traced as NAME; sets ok, qdisc_drops and events
# (the tracer's QDISC_* drops).
tbf_run() {
	in_ns tc qdisc add dev lo root tbf rate 100mbit burst 70kb latency 5ms
	if ! trace_start "$1"; then
		in_ns tc qdisc del dev lo root
		return 1
	fi
	# Two on each connection: by the second its window has grown past
	# 64 KB, and some of its GSO packets are too (IPv6 jumbograms on ::1).
	for host in 127.0.0.1 '[::1]'; do
		in_ns curl -s --max-time 20 -o /dev/null -o /dev/null -w '%{http_code}\n' \
			"http://$host:$PORT/big.bin" "http://$host:$PORT/big.bin"
	done >"$D/curl.out"
	ok=$(grep -c '^200$' "$D/curl.out")
	trace_stop
	qdisc_drops=$(in_ns tc -s qdisc show dev lo | sed -n 's/.*dropped \([0-9]*\),.*/\1/p' | head -1)
	events=$(count '.type == "drop" and (.reason | startswith("QDISC"))')
	in_ns tc qdisc del dev lo root
	return 0
}
# A connection's first window follows the ssthresh its destination's last
# one left (tcp_metrics): after a run's drops, a second run's would never
# grow past 64 KB and drop no GSO packet that long.
in_ns sysctl -qw net.ipv4.tcp_no_metrics_save=1
# Fewer events than drops is what this kernel's tracepoint gap (see the
# backlog section below, and README) does now and then (1 run in 5 here,
# under load): then the downloads once more, and that run must be exact.
if tbf_run tbf && { [ "$events" -ge "$qdisc_drops" ] || {
	echo "note: $((qdisc_drops - events)) of the qdisc's $qdisc_drops drops came without a drop event (the kernel's tracepoint gap); once more"
	tbf_run tbf_again
}; }; then
	expect_eq tbf_downloads 4 "$ok"
	expect_eq tbf_drop_events_are_the_qdisc_drops "$qdisc_drops" "$events"
	check tbf_some_drops test "$events" -gt 0
	# A local qdisc's drop tells TCP at once: it reduces its window (CWR).
	check tbf_sender_entered_cwr test "$(jq -s 'map(select(.type == "conn")
		| .congestion.server.cwr) | add' "$D/events.json")" -gt 0
	capture_complete tbf "$D/dumpcap.log"
	# compare_tbf CAPTURE OUT: compare's last line, its excused drops and
	# its reorder count, as "AGREE, 27 excused, 0 reordered".
	compare_tbf() {
		"$TRACER" compare "$D/trace.json" "$1" >"$2" 2>&1
		echo "$(tail -n 1 "$2"), $(sed -n 's/.*; \([0-9]*\) segments dropped in the kernel.*/\1/p' "$2" |
			awk '{ n += $1 } END { print n + 0 }') excused, $(sed -n \
			's/^\([0-9]*\) segments\{0,1\} in a different order (.*/\1/p' "$2" | grep . || echo 0) reordered"
	}
	got=$(compare_tbf "$D/cap.pcapng" "$D/compare.txt")
	expect_eq tbf_compare AGREE "${got%%,*}"
	# Each drop excuses its segment, or each piece of its GSO packet.
	excused=$(echo "$got" | sed -n 's/^[A-Z]*, \([0-9]*\) excused.*/\1/p')
	check tbf_compare_excuses_every_drop test "${excused:-0}" -ge "$events"
	check tbf_ipv6_drops test "$(jq -s 'map(select(.type == "conn") | select(.client
		| startswith("["))) | map(.drops) | add' "$D/events.json")" -gt 0
	# The length the IP header cannot say: the skb's (the hook's rule).
	check tbf_drops_past_64k test "$(count '.type == "drop" and .len > 65535 and .len < 262144')" -gt 0
	# A reorder on the way to the capture: the first two adjacent server
	# segments with data trade places in a copy of it.
	frame=$(tshark -r "$D/cap.pcapng" -T fields -e frame.number -e tcp.srcport -e tcp.len \
		-e tcp.stream 2>/dev/null | awk -v p="$PORT" '$2 == p && $3 > 0 {
			if (prev == $1 - 1 && stream == $4) { print prev; exit }
			prev = $1; stream = $4 }')
	if [ -n "$frame" ] && editcap -F pcap "$D/cap.pcapng" "$D/cap.pcap" 2>/dev/null &&
		python3 "$SWAP" "$D/cap.pcap" "$D/swapped.pcap" "$frame"; then
		expect_eq tbf_compare_reordered "AGREE, $excused excused, 2 reordered" \
			"$(compare_tbf "$D/swapped.pcap" "$D/compare.swapped.txt")"
	else
		fail tbf_compare_reordered "no two adjacent server segments to swap (frame '$frame')"
	fi
	[ -z "${TL_KEEP:-}" ] || cp "$D"/compare*.txt "$TL_KEEP/$(basename "$D")/"
	# -w: each of those segments is there, its comment saying so.
	expect_eq tbf_write_comments "$excused" "$(tshark -r "$D/trace.pcapng" -T fields -e frame.comment \
		2>/dev/null | grep -c 'dropped in the kernel: QDISC_DROP (a capture does not have it)')"
fi
in_ns sysctl -qw net.ipv4.tcp_no_metrics_save=0

# --- --summary's TX_KB and RX_KB ---------------------------------------------
# As libbpf-tools tcplife: the client socket's bytes_acked and
# bytes_received at its close (its SYN and FIN count one each, the server's
# FIN one), in KB; -r, without the kernel's word: the payload up to the
# highest seq each way. Retransmitted and qdisc-dropped bytes count once:
# a clean 1 MB download, then one through the tbf qdisc, which drops.
# summary_kb FILE LPORT: "TX_KB RX_KB" of the client port's line.
summary_kb() { awk -v p="$2" '$4 == p { print $7, $8 }' "$1"; }
if trace_start summary --summary; then
	declare -A got
	for i in clean tbf; do
		[ $i = tbf ] && in_ns tc qdisc add dev lo root tbf rate 100mbit burst 70kb latency 5ms
		got[$i]=$(in_ns curl -s --max-time 20 -o /dev/null -w \
			'%{http_code} %{size_request} %{size_header} %{size_download} %{local_port}' \
			"http://127.0.0.1:$PORT/big.bin?$i")
	done
	qdisc_drops=$(in_ns tc -s qdisc show dev lo | sed -n 's/.*dropped \([0-9]*\),.*/\1/p' | head -1)
	in_ns tc qdisc del dev lo root
	trace_stop
	check summary_tbf_dropped test "${qdisc_drops:-0}" -gt 0
	# -r of the capture, and of -w's file, which holds the dropped copies.
	"$TRACER" -r "$D/cap.pcapng" --summary -p "$PORT" >"$D/summary.r.txt" 2>/dev/null
	"$TRACER" -r "$D/trace.pcapng" --summary -p "$PORT" >"$D/summary.w.txt" 2>/dev/null
	for i in clean tbf; do
		read -r code req head body lport <<<"${got[$i]}"
		name=summary_$i
		expect_eq "${name}_download" 200 "$code"
		expect_eq "${name}_live_kb_are_the_sockets" \
			"$(((req + 2) / 1024)) $(((head + body + 1) / 1024))" "$(summary_kb "$D/summary.txt" "$lport")"
		expect_eq "${name}_r_kb_are_the_payload" \
			"$((req / 1024)) $(((head + body) / 1024)) $((req / 1024)) $(((head + body) / 1024))" \
			"$(summary_kb "$D/summary.r.txt" "$lport") $(summary_kb "$D/summary.w.txt" "$lport")"
	done
fi

stop_pid "$HTTPD_PID"

# --- RSTs with their reasons ---------------------------------------------
if trace_start resets; then
	for m in refused linger unread; do
		expect_eq "resets_${m}_peer" done "$(in_ns python3 "$PEER" "$m" "$PORT" | cut -d' ' -f1)"
	done
	trace_stop
	got=$(jq -rs 'map(select(.type == "reset")) | map("\(.conn):\(.side):\(.reason)") | join(" ")' \
		"$D/events.json")
	expect_eq resets_reasons "1:server:NO_SOCKET 2:client:TCP_STATE 3:server:TCP_ABORT_ON_CLOSE" "$got"
	got=$(jq -rs 'map(select(.type == "conn")) | map("\(.conn):\(.closed_by)") | join(" ")' \
		"$D/events.json")
	expect_eq resets_conns "1:reset 2:reset 3:reset" "$got"
	# The refused client never had an RTT sample (srtt_us 0: ss leaves
	# rtt: out); the others did.
	got=$(jq -rs 'map(select(.type == "conn")) | map("\(.conn):\(.tcp_info.client.rtt_measured)")
		| join(" ")' "$D/events.json")
	expect_eq resets_rtt_measured "1:false 2:true 3:true" "$got"
fi

# --- segments TCP answered, then freed: not drops ----------------------------
# The kernel frees keep-alives (TCP_OLD_SEQUENCE, answered by an ACK) and
# the pure ACKs a socket in CLOSE_WAIT takes (no reason) through its drop
# path: neither is a drop event.
if trace_start answered; then
	for m in keepalive halfclose; do
		expect_eq "answered_${m}_peer" done "$(in_ns python3 "$PEER" "$m" "$PORT" | cut -d' ' -f1)"
	done
	trace_stop
	check answered_keep_alives test "$(count '.type == "packet" and .conn == 1
		and any(.analysis[]?; . == "keep_alive")')" -gt 0
	check answered_acks_in_close_wait test "$(jq -s 'def server(f): map(select(.type == "state"
		and .conn == 2 and .side == "server" and f)) | .[0].ts;
		server(.new == "CLOSE_WAIT") as $from | server(.old == "CLOSE_WAIT") as $to
		| map(select(.type == "packet" and .conn == 2 and .dir == "c2s" and .flags == "ACK"
		and .len == 0 and .ts > $from and .ts < $to)) | length' "$D/events.json")" -gt 0
	expect_eq answered_no_drops "" "$(jq -rs 'map(select(.type == "drop"))
		| map("\(.conn):\(.reason)") | join(" ")' "$D/events.json")"
fi

# --- a full accept queue ---------------------------------------------------
# backlog_run NAME: 20 clients of a listener with backlog 1 that never
# accepts, traced as NAME; sets peer, overflows and syn_retrans (nstat's
# deltas) and kernel (the tracer's kernel_retransmit SYNs).
backlog_run() {
	trace_start "$1" || return 1
	overflows=$(nstat_sum TcpExtListenOverflows)
	syn_retrans=$(nstat_sum TcpExtTCPSynRetrans)
	peer=$(in_ns python3 "$PEER" backlog "$PORT" | cut -d' ' -f1)
	overflows=$(($(nstat_sum TcpExtListenOverflows) - overflows))
	syn_retrans=$(($(nstat_sum TcpExtTCPSynRetrans) - syn_retrans))
	trace_stop
	kernel=$(count '.type == "kernel_retransmit" and .flags == "SYN"')
	return 0
}
# Fewer kernel marks than nstat's SYN retransmissions, by a property of
# this kernel (6.18), not of the tracer: now and then, on a loaded machine,
# no program on any tracepoint runs on the CPU that expires one batch of
# TCP retransmission timers, for as long as the batch lasts. The SYNs go
# out and nstat counts them, yet this tracer's tcp_retransmit_skb and
# tcp_cong_state_set programs, a second process's raw_tp and tp_btf
# programs on the same tracepoints and its programs on
# timer:timer_expire_entry, net:net_dev_queue and irq:softirq_entry (which
# nothing else hooks: no attach or detach touched them) all miss it, and
# count no recursion miss, while that process's TC program sees each SYN
# and the other CPU's tracepoint programs run. kernel.timer_migration=0
# changes nothing. With 400 staggered clients of such a listener: 13
# batches lost in about 2,800 (250 of 53,785 retransmissions); this section
# lost some in 3 runs of about 350, and in 4 of 262 here. So the kernel's
# marks are a lower bound, and a run short of them runs once more: that
# run must be exact.
if backlog_run backlog && { [ "$kernel" -ge "$syn_retrans" ] || {
	echo "note: $((syn_retrans - kernel)) of nstat's $syn_retrans SYN retransmissions came without the kernel's mark (the kernel's tracepoint gap); once more"
	backlog_run backlog_again
}; }; then
	expect_eq backlog_peer done "$peer"
	unanswered=$(($(count '.type == "packet" and .flags == "SYN"') - $(count '.type == "packet" and .flags == "SYN, ACK"')))
	expect_eq backlog_listen_overflows "$overflows" "$unanswered"
	# Every SYN the hook saw sent again is one the kernel counted, and
	# Wireshark labels it a retransmission.
	labelled=$(jq -rs '[.[] | select(.type == "packet" and .flags == "SYN"
		and ((.analysis // []) | index("retransmission")))] | length' "$D/events.json")
	expect_eq backlog_syn_retransmissions_labelled "$syn_retrans" "$labelled"
	# Each of the kernel's own events names its segment: a SYN of its
	# connection that Wireshark labels a retransmission.
	marked=$(jq -s "$JQ_SEGMENTS"' by_conn as $p
		| map(select(.type == "kernel_retransmit")
			| seg_of($p) // {}
			| select(.flags == "SYN" and ((.analysis // []) | index("retransmission"))))
		| length' "$D/events.json")
	check backlog_kernel_marks_labelled_syns test "$kernel" -ge 1 -a "$marked" = "$kernel"
	# And says the segment's Len=, its payload: 0 for a SYN, as the packet.
	len_off=$(jq -s "$JQ_SEGMENTS"' by_conn as $p
		| map(select(.type == "kernel_retransmit")
			| select(.len != (seg_of($p).len // -1)))
		| length' "$D/events.json")
	expect_eq backlog_kernel_marks_len_as_packet 0 "$len_off"
	expect_eq backlog_kernel_syn_retransmits_counted "$syn_retrans" "$kernel"
fi

# --- tcp_info against ss ---------------------------------------------------
# tracer_info SIDE: "SRTT_MS CWND RETRANS" of the side's tcp_info in the
# run's conn.
tracer_info() {
	jq -rs --arg s "$1" 'map(select(.type == "conn")) | .[0].tcp_info[$s]
		| "\(.srtt_ms) \(.cwnd) \(.retrans)"' "$D/events.json"
}
# kernel_agrees NAME SIDE: the side's tcp_info against what the socket
# itself said in CLOSE (the peer's "info" line: tcp_get_info, what ss
# reads), after its last state change: all exact.
kernel_agrees() {
	expect_eq "$1_$2_is_the_kernels_at_close" \
		"$(awk -v s="$2" '$1 == "info" && $2 == s { printf "%.3f %s %s", $3 / 1000, $4, $5 }' \
			"$D/peer.out")" "$(tracer_info "$2" | awk '{ printf "%.3f %s %s", $1, $2, $3 }')"
}
# run_peer NAME MODE [STATE...]: the peer's MODE traced as NAME; ss
# samples its connection's sockets in the STATEs (ss's filter), when the
# peer says it waits, into $D/ss.txt.
run_peer() {
	local flag=$TL_TMP/$1.flag name=$1 mode=$2 peer
	shift 2
	in_ns python3 "$PEER" "$mode" "$PORT" "$flag" >"$D/peer.out" &
	peer=$!
	TL_PIDS+=("$peer")
	if wait_for_line "$D/peer.out" "^$mode" 15; then
		[ $# -eq 0 ] || in_ns ss -tiHn "$@" "( sport = :$PORT or dport = :$PORT )" >"$D/ss.txt"
	fi
	touch "$flag"
	wait_exit "$peer" 15
	expect_eq "${name}_peer" "0 done" "$EXIT_RC $(tail -n 1 "$D/peer.out" | cut -d' ' -f1)"
}
# The client shuts its side down first after a 2 MB download.
if trace_start tcp_info; then
	run_peer tcp_info idle
	trace_stop
	kernel_agrees tcp_info client
	kernel_agrees tcp_info server
fi

# The server shuts its side down first and retransmits its tail in
# FIN_WAIT1 (nftables drops the client's ACKs until the kernel counted 2
# retransmissions): the end's tcp_info is the socket's at its last state
# change, not as it left ESTABLISHED: as ss shows it in FIN_WAIT2 (the
# server; srtt within 20%, cwnd and retrans exact) and as the socket says
# in CLOSE, and the server's retrans are all the kernel made (nstat, the
# tracer's own events).
if trace_start tcp_info_tail; then
	retrans_before=$(nstat_sum TcpRetransSegs)
	run_peer tcp_info_tail tail state fin-wait-2
	retrans=$(($(nstat_sum TcpRetransSegs) - retrans_before))
	trace_stop
	kernel_agrees tcp_info_tail client
	kernel_agrees tcp_info_tail server
	ss_rtt=$(sed -n 's/.* rtt:\([0-9.]*\)\/.*/\1/p' "$D/ss.txt")
	ss_cwnd=$(sed -n 's/.* cwnd:\([0-9]*\).*/\1/p' "$D/ss.txt")
	ss_retrans=$(sed -n 's/.* retrans:[0-9]*\/\([0-9]*\).*/\1/p' "$D/ss.txt")
	read -r tr_rtt tr_cwnd tr_retrans <<<"$(tracer_info server)"
	if [ -n "$ss_rtt" ] &&
		awk -v a="$ss_rtt" -v b="$tr_rtt" 'BEGIN { exit !(b >= a * 0.8 && b <= a * 1.2) }' &&
		[ "$ss_cwnd $ss_retrans" = "$tr_cwnd $tr_retrans" ]; then
		pass tcp_info_tail_server_agrees_with_ss
	else
		fail tcp_info_tail_server_agrees_with_ss \
			"ss rtt=${ss_rtt:-?} cwnd=${ss_cwnd:-?} retrans=${ss_retrans:-?}; tracer $tr_rtt $tr_cwnd $tr_retrans"
	fi
	check tcp_info_tail_server_retransmitted test "$retrans" -ge 2
	expect_eq tcp_info_tail_retrans_are_the_kernels "$retrans $retrans" \
		"$(count '.type == "kernel_retransmit" and .side == "server"') $tr_retrans"
fi

# --- receive memory ---------------------------------------------------------
# nsenter, not ip netns exec: that one mounts a sysfs of its own, without
# the cgroup file system. The socket is charged to the cgroup of the task
# that creates it.
mem_fetch() {
	nsenter --net="/run/netns/$NS" sh -c "${1:+echo \$\$ >$CGROUP/cgroup.procs && }exec python3 $PEER fetch $PORT"
}
# mem_run NAME: one download charged to the cgroup and one not, traced as
# NAME; sets m_status, m_port, c_status, c_port, kernel_drops (nstat's
# receive drops) and events (the tracer's PROTO_MEM drops).
mem_run() {
	trace_start "$1" || return 1
	local before
	before=$(nstat_sum TcpExtTCPRcvQDrop TcpExtTCPOFODrop)
	read -r m_status _ m_port <<<"$(mem_fetch cgroup)"
	read -r c_status _ c_port <<<"$(mem_fetch)"
	kernel_drops=$(($(nstat_sum TcpExtTCPRcvQDrop TcpExtTCPOFODrop) - before))
	trace_stop
	events=$(count '.type == "drop" and .reason == "PROTO_MEM"')
}
start_bg "$TL_TMP/httpd-mem.log" ip netns exec "$NS" "$HTTPD" -p "$PORT" -r "$DOC" -q
HTTPD_PID=$TL_BG
if ! mkdir "$CGROUP" || ! echo 65536 >"$CGROUP/memory.kmem.tcp.limit_in_bytes"; then
	fail mem_cgroup "cannot make a memory cgroup with a TCP limit (cgroup v1 memory.kmem.tcp)"
elif mem_run mem && { [ "$events" -ge "$kernel_drops" ] || {
	echo "note: $((kernel_drops - events)) of nstat's $kernel_drops receive drops came without a drop event (the kernel's tracepoint gap); once more"
	mem_run mem_again
}; }; then
	expect_eq mem_downloads "done done" "$m_status $c_status"
	# conn_of PORT: the life of the client on PORT, as "conn buf_limit rcvqueue_full".
	conn_of() {
		jq -rs --arg c "127.0.0.1:$1" 'map(select(.type == "conn" and .client == $c)) | .[0]
			| "\(.conn) \(.buf_limit) \(.rcvqueue_full)"' "$D/events.json"
	}
	read -r m_conn m_limit m_rcvq <<<"$(conn_of "$m_port")"
	read -r _ c_limit c_rcvq <<<"$(conn_of "$c_port")"
	check mem_buf_limit_on_its_connection test "$m_limit" -gt 0 -a "$c_limit" = 0
	expect_eq mem_drops_are_nstat "$kernel_drops" "$events"
	check mem_drops_on_its_connection test "$kernel_drops" -gt 0 -a \
		"$(count ".type == \"drop\" and .reason == \"PROTO_MEM\" and .conn != $m_conn")" = 0
	expect_eq mem_rcvqueue_full_not_for_tcp "0 0" "$m_rcvq $c_rcvq"
fi
stop_pid "$HTTPD_PID"
