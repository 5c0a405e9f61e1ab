#!/bin/bash
# Live test (root): tcplife-http under faults. What test_cli.sh covers (bad
# options, signals, kill -9 on the root lo, the plain clsact stale-filter
# cycle) is not repeated here.
#
# - kill -9 of a tcx tracer inside a network namespace, under traffic: its
#   links and programs go; a new tracer there works.
# - clsact next to a qdisc and a filter that are not ours: a kill -9, then
#   the next run removes only our stale filter (and says so) and leaves the
#   other qdisc and filter; a filter someone adds to a clsact qdisc we
#   created survives our exit (and a later run removes the qdisc once that
#   filter is gone); a stale marker of a killed tracer whose
#   namespace is gone does not make a later tracer, in a new namespace that
#   got the same inode number, delete that namespace's own clsact qdisc.
# - Two tracers at once: with tcx both see the same segments; with clsact in
#   one namespace the second refuses (one line naming the first's pid,
#   non-zero exit) and the first keeps working and cleans up.
# - The server restarting on the same port mid-trace; a connection refused
#   while it is down.
# - The traced interface (a veth between two namespaces of ours) deleted:
#   "interface ... disappeared", non-zero exit within seconds, no hook left.
# - -w on a full disk (64 KiB tmpfs in a private mount namespace): one line
#   about writing the file, non-zero exit, no hang, no hook left.
# - A soak (~60 s of short connections): fds and BPF maps do not grow at
#   all, RSS grows by less than RSS_SLACK_KB (2 MiB) between 30 s and the end.
# Every namespace is deleted, and every process stopped by PID, on exit.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=faults
rb_prereq "$T" curl jq bpftool tc ip unshare wrk || exit 0

DOC=$TL_TMP/www
mkdir -p "$DOC"
printf '<!DOCTYPE html>\n<title>faults</title>\n<p>hello</p>\n' >"$DOC/index.html"
NSP=tlf$$
NSPORT=8080 # inside our own namespaces nobody else listens

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
# ours_on NS DIR: our filters (tl_tc_*) on the namespace's lo in DIR.
ours_on() { nsx "$1" tc filter show dev lo "$2" 2>/dev/null | grep -o 'tl_tc_[a-z]*' | sort -u | tr '\n' ' '; }
has_clsact() { nsx "$1" tc qdisc show dev lo 2>/dev/null | grep -q clsact; }
# A filter that is not ours: classic BPF through cls_bpf, at priority 1.
add_foreign_filter() { nsx "$1" tc filter add dev lo egress prio 1 handle 1 bpf bytecode '1,6 0 0 0,'; }
has_foreign_filter() { nsx "$1" tc filter show dev lo egress 2>/dev/null | grep -q "bytecode '1,6 0 0 0'"; }

# ns_httpd NS: tcplife-httpd on NSPORT inside NS; SERVER_PID.
ns_httpd() {
	start_bg "$TL_TMP/httpd.$1.log" ip netns exec "$1" "$HTTPD" -p "$NSPORT" -r "$DOC" -q "${@:2}"
	SERVER_PID=$TL_BG
	local deadline=$((SECONDS + 5))
	until nsx "$1" ss -Htln "( sport = :$NSPORT )" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
}
# ns_curl NS [ADDR]: one GET inside NS; prints the status.
ns_curl() { nsx "$1" curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://${2:-127.0.0.1}:$NSPORT/"; }
# conns FILE: the number of conn lines so far.
conns() { grep -c '"type":"conn"' "$1" 2>/dev/null; }
# wait_conns FILE N SECONDS
wait_conns() {
	local deadline=$((SECONDS + $3))
	while [ "$(conns "$1")" -lt "$2" ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
	[ "$(conns "$1")" -ge "$2" ]
}

# ---- kill -9, tcx, inside a namespace, with traffic in flight ----
NS=${NSP}k
if rb_netns "$NS"; then
	ns_httpd "$NS"
	start_tracer "$TL_TMP/k.json" "$TL_TMP/k.err" ip netns exec "$NS" "$TRACER" --json --tc tcx -p "$NSPORT"
	if wait_for_line "$TL_TMP/k.json" '"type":"start"' 10; then
		IDS=$(bpf_ids "$TRACER_PID")
		# Bounded background traffic: 100 GETs at most, 10 s at most.
		(for i in $(seq 100); do ns_curl "$NS" >/dev/null; done) &
		LOAD_PID=$!
		TL_PIDS+=("$LOAD_PID")
		wait_conns "$TL_TMP/k.json" 3 10
		kill -KILL "$TRACER_PID"
		wait "$TRACER_PID" 2>/dev/null
		check_hooks_gone "${T}_kill9_tcx_netns_no_hook_left" "$IDS"
		grep -q '^tcx ' <<<"$IDS" || fail "${T}_kill9_tcx_netns_was_tcx" "no tcx link among its fds: $(echo "$IDS" | tr '\n' ' ')"
		start_tracer "$TL_TMP/k2.json" "$TL_TMP/k2.err" ip netns exec "$NS" "$TRACER" --json --tc tcx -p "$NSPORT"
		if wait_for_line "$TL_TMP/k2.json" '"type":"start"' 10; then
			IDS=$(bpf_ids "$TRACER_PID")
			wait_conns "$TL_TMP/k2.json" 1 10
			stop_bounded "$TRACER_PID" 10
			expect_eq "${T}_kill9_tcx_netns_next_run_works" "exit 0, sees connections yes" \
				"exit $STOP_RC, sees connections $([ "$(conns "$TL_TMP/k2.json")" -ge 1 ] && echo yes || echo no)"
			check_hooks_gone "${T}_kill9_tcx_netns_next_run_no_hook_left" "$IDS"
		else
			fail "${T}_kill9_tcx_netns_next_run_works" "no start line: $(head -c 300 "$TL_TMP/k2.err")"
		fi
		kill "$LOAD_PID" 2>/dev/null
		wait "$LOAD_PID" 2>/dev/null
	else
		fail "${T}_kill9_tcx_netns_no_hook_left" "no start line: $(head -c 300 "$TL_TMP/k.err")"
	fi
	stop_pid "$SERVER_PID"
else
	fail "${T}_netns" "cannot create network namespace $NS"
fi

# ---- clsact beside a qdisc and a filter that are not ours ----
NS=${NSP}f
if rb_netns "$NS" && nsx "$NS" tc qdisc add dev lo clsact && add_foreign_filter "$NS"; then
	ns_httpd "$NS"
	start_tracer "$TL_TMP/f1.json" "$TL_TMP/f1.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
	if wait_for_line "$TL_TMP/f1.json" '"type":"start"' 10; then
		IDS=$(bpf_ids "$TRACER_PID")
		kill -KILL "$TRACER_PID"
		wait "$TRACER_PID" 2>/dev/null
		start_tracer "$TL_TMP/f2.json" "$TL_TMP/f2.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
		if wait_for_line "$TL_TMP/f2.json" '"type":"start"' 10; then
			if grep -qiE 'removed 1 TC filter.*crashed' "$TL_TMP/f2.err"; then pass "${T}_clsact_foreign_qdisc_stale_reported"; else
				fail "${T}_clsact_foreign_qdisc_stale_reported" "stderr: $(head -c 300 "$TL_TMP/f2.err" | tr '\n' '|')"; fi
			status=$(ns_curl "$NS")
			wait_conns "$TL_TMP/f2.json" 1 10
			stop_bounded "$TRACER_PID" 10
			expect_eq "${T}_clsact_foreign_qdisc_next_run_works" "200, exit 0, 1 conn" \
				"$status, exit $STOP_RC, $(conns "$TL_TMP/f2.json") conn"
			got="ours: '$(ours_on "$NS" egress)$(ours_on "$NS" ingress)' clsact: $(has_clsact "$NS" && echo kept || echo deleted) foreign filter: $(has_foreign_filter "$NS" && echo kept || echo deleted)"
			expect_eq "${T}_clsact_foreign_qdisc_and_filter_kept" "ours: '' clsact: kept foreign filter: kept" "$got"
			check_hooks_gone "${T}_clsact_kill9_prog_freed" "$IDS"
		else
			fail "${T}_clsact_foreign_qdisc_stale_reported" "no start line after kill -9: $(head -c 300 "$TL_TMP/f2.err")"
		fi
	else
		fail "${T}_clsact_foreign_qdisc_stale_reported" "no start line: $(head -c 300 "$TL_TMP/f1.err")"
	fi
	stop_pid "$SERVER_PID"
else
	fail "${T}_clsact_foreign_setup" "cannot set up namespace $NS with a clsact qdisc and a cBPF filter"
fi

# A filter added (by someone else) to the clsact qdisc the tracer created
# must survive the tracer's clean exit.
NS=${NSP}a
if rb_netns "$NS"; then
	start_tracer "$TL_TMP/a.json" "$TL_TMP/a.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
	if wait_for_line "$TL_TMP/a.json" '"type":"start"' 10; then
		if add_foreign_filter "$NS"; then
			stop_bounded "$TRACER_PID" 10
			got="exit $STOP_RC, ours: '$(ours_on "$NS" egress)$(ours_on "$NS" ingress)', foreign filter: $(has_foreign_filter "$NS" && echo kept || echo deleted)"
			expect_eq "${T}_clsact_foreign_filter_survives_exit" "exit 0, ours: '', foreign filter: kept" "$got"
			# Once that filter is gone, the next run removes the qdisc a
			# tracer created (and its marker, which no run would clean
			# after this namespace is deleted).
			nsx "$NS" tc filter del dev lo egress prio 1 2>/dev/null
			start_tracer "$TL_TMP/a2.json" "$TL_TMP/a2.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT" -d 1
			wait_exit "$TRACER_PID" 15
			expect_eq "${T}_clsact_later_run_removes_our_qdisc" "exit 0, clsact: gone" \
				"exit $EXIT_RC, clsact: $(has_clsact "$NS" && echo left || echo gone)"
		else
			fail "${T}_clsact_foreign_filter_survives_exit" "cannot add a cBPF filter beside the tracer's"
			stop_bounded "$TRACER_PID" 10
		fi
	else
		fail "${T}_clsact_foreign_filter_survives_exit" "no start line: $(head -c 300 "$TL_TMP/a.err")"
	fi
fi

# A killed clsact tracer's marker (under /run/tcplife-http, keyed by the
# namespace's inode number) outlives its namespace when that is deleted.
# Namespace inode numbers are reused: a new namespace that gets the same
# number, with a clsact qdisc of its own, must keep it after a tracer ran.
NS=${NSP}m
if rb_netns "$NS"; then
	INO=$(stat -L -c %i "/run/netns/$NS")
	start_tracer "$TL_TMP/m.json" "$TL_TMP/m.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
	if wait_for_line "$TL_TMP/m.json" '"type":"start"' 10; then
		KILLED=$TRACER_PID
		kill -KILL "$TRACER_PID"
		wait "$TRACER_PID" 2>/dev/null
		ip netns del "$NS"
		REUSED=""
		for i in $(seq 20); do
			rb_netns "${NSP}r$i" || break
			if [ "$(stat -L -c %i "/run/netns/${NSP}r$i")" = "$INO" ]; then REUSED=${NSP}r$i; break; fi
			ip netns del "${NSP}r$i"
		done
		if [ -n "$REUSED" ] && nsx "$REUSED" tc qdisc add dev lo clsact && add_foreign_filter "$REUSED"; then
			start_tracer "$TL_TMP/m2.json" "$TL_TMP/m2.err" ip netns exec "$REUSED" "$TRACER" --json --tc clsact -p "$NSPORT" -d 1
			wait_exit "$TRACER_PID" 15
			got="exit $EXIT_RC, clsact: $(has_clsact "$REUSED" && echo kept || echo deleted), foreign filter: $(has_foreign_filter "$REUSED" && echo kept || echo deleted)"
			expect_eq "${T}_clsact_reused_netns_inode_qdisc_kept" "exit 0, clsact: kept, foreign filter: kept" "$got"
		else
			echo "# ${T}_clsact_reused_netns_inode_qdisc_kept: not exercised (no namespace got inode $INO again in 20 tries)"
		fi
		# The killed tracer's marker stays: its namespace went before any
		# later run there could remove it. Ours to tidy (it names our pid).
		for f in /run/tcplife-http/clsact-*; do
			[ -f "$f" ] && [ "$(cut -d' ' -f1 "$f" 2>/dev/null)" = "$KILLED" ] && { echo "# removed the killed tracer's stranded marker $f"; rm -f "$f"; }
		done
	else
		fail "${T}_clsact_reused_netns_inode_qdisc_kept" "no start line: $(head -c 300 "$TL_TMP/m.err")"
	fi
fi

# ---- two tracers at once, tcx: both see the same segments ----
PORT=$(free_port)
if start_httpd "$PORT" "$DOC"; then
	SPID=$SERVER_PID
	start_tracer "$TL_TMP/t1.json" "$TL_TMP/t1.err" "$TRACER" --json --tc tcx -p "$PORT"
	P1=$TRACER_PID
	start_tracer "$TL_TMP/t2.json" "$TL_TMP/t2.err" "$TRACER" --json --tc tcx -p "$PORT"
	P2=$TRACER_PID
	if wait_for_line "$TL_TMP/t1.json" '"type":"start"' 10 && wait_for_line "$TL_TMP/t2.json" '"type":"start"' 10; then
		IDS=$(bpf_ids "$P1"; bpf_ids "$P2")
		status=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
		wait_conns "$TL_TMP/t1.json" 1 10
		wait_conns "$TL_TMP/t2.json" 1 10
		stop_bounded "$P1" 10
		rc1=$STOP_RC
		stop_bounded "$P2" 10
		rc2=$STOP_RC
		seg() { jq -R -c 'fromjson? | select(.type == "packet") | [.flags, .seq_raw, .ack_raw, .len]' "$1" | sort; }
		n1=$(seg "$TL_TMP/t1.json" | wc -l)
		if [ "$status" = 200 ] && [ "$n1" -gt 0 ] && [ "$(seg "$TL_TMP/t1.json")" = "$(seg "$TL_TMP/t2.json")" ]; then
			pass "${T}_two_tcx_tracers_same_segments"
		else
			fail "${T}_two_tcx_tracers_same_segments" "curl $status; first saw $n1 segments, second $(seg "$TL_TMP/t2.json" | wc -l): $(diff <(seg "$TL_TMP/t1.json") <(seg "$TL_TMP/t2.json") | head -n 4 | tr '\n' ' ')"
		fi
		expect_eq "${T}_two_tcx_tracers_exit" "0 0" "$rc1 $rc2"
		check_hooks_gone "${T}_two_tcx_tracers_no_hook_left" "$IDS"
	else
		fail "${T}_two_tcx_tracers_same_segments" "no start lines: $(head -c 200 "$TL_TMP/t1.err") / $(head -c 200 "$TL_TMP/t2.err")"
	fi
	stop_pid "$SPID"
else
	fail "${T}_setup" "tcplife-httpd did not listen on $PORT"
fi

# ---- two tracers at once, clsact, one namespace: the second refuses ----
NS=${NSP}c
if rb_netns "$NS"; then
	ns_httpd "$NS"
	start_tracer "$TL_TMP/c1.json" "$TL_TMP/c1.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
	C1=$TRACER_PID
	if wait_for_line "$TL_TMP/c1.json" '"type":"start"' 10; then
		IDS=$(bpf_ids "$C1")
		start_tracer "$TL_TMP/c2.out" "$TL_TMP/c2.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
		wait_exit "$TRACER_PID" 10
		lines=$(wc -l <"$TL_TMP/c2.err")
		if [ "$EXIT_RC" != 0 ] && [ "$EXIT_RC" != timeout ] && [ "$lines" = 1 ] &&
			grep -q "pid $C1\b" "$TL_TMP/c2.err" && [ ! -s "$TL_TMP/c2.out" ]; then
			pass "${T}_clsact_second_tracer_refused"
		else
			fail "${T}_clsact_second_tracer_refused" "exit $EXIT_RC, $lines stderr lines ($(head -c 300 "$TL_TMP/c2.err" | tr '\n' '|')), stdout $(wc -c <"$TL_TMP/c2.out") bytes; first is pid $C1"
		fi
		status=$(ns_curl "$NS")
		wait_conns "$TL_TMP/c1.json" 1 10
		alive=$(kill -0 "$C1" 2>/dev/null && echo alive || echo dead)
		onlo="$(ours_on "$NS" egress)"
		expect_eq "${T}_clsact_first_keeps_working" "200 alive 1 conn, filter tl_tc_egress " \
			"$status $alive $(conns "$TL_TMP/c1.json") conn, filter $onlo"
		stop_bounded "$C1" 10
		got="exit $STOP_RC, ours: '$(ours_on "$NS" egress)$(ours_on "$NS" ingress)', clsact: $(has_clsact "$NS" && echo left || echo gone)"
		expect_eq "${T}_clsact_first_exit_clean" "exit 0, ours: '', clsact: gone" "$got"
		check_hooks_gone "${T}_clsact_first_no_prog_left" "$IDS"
	else
		fail "${T}_clsact_second_tracer_refused" "first tracer did not start: $(head -c 300 "$TL_TMP/c1.err")"
	fi
	stop_pid "$SERVER_PID"
fi

# ---- the server restarts on the same port mid-trace ----
PORT=$(free_port)
start_tracer "$TL_TMP/r.json" "$TL_TMP/r.err" "$TRACER" --json -p "$PORT"
if wait_for_line "$TL_TMP/r.json" '"type":"start"' 10; then
	IDS=$(bpf_ids "$TRACER_PID")
	s1=none s2=none s3=none
	start_httpd "$PORT" "$DOC" && { S1=$SERVER_PID; s1=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/"); }
	stop_pid "${S1:-0}"
	# Down: the connection is refused (a SYN answered by RST).
	s2=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")
	start_httpd "$PORT" "$DOC" && { S2=$SERVER_PID; s3=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/"); }
	expect_eq "${T}_server_restart_curls" "200 000 200" "$s1 $s2 $s3"
	wait_conns "$TL_TMP/r.json" 3 10
	sleep 0.5
	alive=$(kill -0 "$TRACER_PID" 2>/dev/null && echo alive || echo dead)
	stop_bounded "$TRACER_PID" 10
	expect_eq "${T}_server_restart_tracer_alive_exit_0" "alive 0" "$alive $STOP_RC"
	got=$(jq -R -r --argjson s1 "${S1:-0}" --argjson s2 "${S2:-0}" 'fromjson? | select(.type == "conn")
		| "\(if .server_pid == $s1 then "first" elif .server_pid == $s2 then "second" else .server_pid end)/\(.responses)/\(.closed_by)/\(.incomplete)"' "$TL_TMP/r.json" | sort | tr '\n' ' ')
	# Sorted: lives are reported as they end, and one closed into TIME_WAIT
	# waits 30 ms for what its timewait socket answers, so the refused
	# connection can be reported before the first one.
	expect_eq "${T}_server_restart_conns_reported" "first/1/client/false null/0/reset/false second/1/client/false " "$got"
	if why=$(json_lines_ok "$TL_TMP/r.json"); then pass "${T}_server_restart_json_valid"; else fail "${T}_server_restart_json_valid" "$why"; fi
	check_hooks_gone "${T}_server_restart_no_hook_left" "$IDS"
	stop_pid "${S2:-0}"
else
	fail "${T}_server_restart_tracer_alive_exit_0" "no start line: $(head -c 300 "$TL_TMP/r.err")"
fi

# ---- the traced interface disappears ----
NA=${NSP}va NB=${NSP}vb
if rb_netns "$NA" && rb_netns "$NB" &&
	ip -n "$NA" link add tlfv0 type veth peer name tlfv1 netns "$NB" &&
	ip -n "$NA" addr add 10.250.$(($$ % 250)).1/24 dev tlfv0 &&
	ip -n "$NB" addr add 10.250.$(($$ % 250)).2/24 dev tlfv1 &&
	ip -n "$NA" link set tlfv0 up && ip -n "$NB" link set tlfv1 up; then
	ADDR=10.250.$(($$ % 250)).2
	ns_httpd "$NB" -l "$ADDR"
	start_tracer "$TL_TMP/v.json" "$TL_TMP/v.err" ip netns exec "$NA" "$TRACER" --json -i tlfv0 -p "$NSPORT"
	if wait_for_line "$TL_TMP/v.json" '"type":"start"' 10; then
		IDS=$(bpf_ids "$TRACER_PID")
		status=$(ns_curl "$NA" "$ADDR")
		wait_for_line "$TL_TMP/v.json" '"type":"packet".*"flags":"FIN, ACK"' 5
		pk=$(grep -c '"type":"packet"' "$TL_TMP/v.json")
		check "${T}_veth_traced" test "$status" = 200 -a "$pk" -ge 8
		# Only the client's socket is in this namespace (as with a remote
		# peer on a real interface): its close and the FIN exchange must end
		# the connection's life, not the tracer's exit or --idle-timeout.
		wait_conns "$TL_TMP/v.json" 1 5
		expect_eq "${T}_veth_conn_ends_without_peer_socket" "1 conn within 5 s of its close" "$(conns "$TL_TMP/v.json") conn within 5 s of its close"
		ip -n "$NA" link del tlfv0
		t0=$SECONDS
		wait_exit "$TRACER_PID" 10
		took=$((SECONDS - t0))
		if [ "$EXIT_RC" != 0 ] && [ "$EXIT_RC" != timeout ] && grep -q 'interface tlfv0 disappeared' "$TL_TMP/v.err"; then
			pass "${T}_interface_disappeared"
		else
			fail "${T}_interface_disappeared" "exit $EXIT_RC after ${took}s, stderr: $(head -c 300 "$TL_TMP/v.err" | tr '\n' '|')"
		fi
		check "${T}_interface_disappeared_within_5s" test "$took" -le 5
		if why=$(json_lines_ok "$TL_TMP/v.json"); then pass "${T}_interface_disappeared_json_valid"; else
			fail "${T}_interface_disappeared_json_valid" "$why"; fi
		check_hooks_gone "${T}_interface_disappeared_no_hook_left" "$IDS"
	else
		fail "${T}_interface_disappeared" "no start line: $(head -c 300 "$TL_TMP/v.err")"
	fi
	stop_pid "$SERVER_PID"
else
	fail "${T}_veth_setup" "cannot create namespaces $NA/$NB with a veth pair"
fi

# ---- -w on a full disk ----
PORT=$(free_port)
FULL=$TL_TMP/full
mkdir -p "$FULL"
if start_httpd "$PORT" "$DOC"; then
	SPID=$SERVER_PID
	# The tmpfs exists only in the tracer's private mount namespace: it goes
	# when the tracer does, on every exit path.
	start_tracer "$TL_TMP/w.json" "$TL_TMP/w.err" unshare -m --propagation private \
		sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" && exec "$2" --json -p "$3" -w "$1/x.pcapng"' sh \
		"$FULL" "$TRACER" "$PORT"
	if wait_for_line "$TL_TMP/w.json" '"type":"start"' 10; then
		IDS=$(bpf_ids "$TRACER_PID")
		t0=$SECONDS
		n=0
		# 64 KiB hold ~50 short connections' frames; 500 GETs at most, 30 s at most.
		while kill -0 "$TRACER_PID" 2>/dev/null && [ $n -lt 500 ] && [ $((SECONDS - t0)) -lt 30 ]; do
			curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/"
			n=$((n + 1))
		done
		wait_exit "$TRACER_PID" 10
		took=$((SECONDS - t0))
		lines=$(grep -c . "$TL_TMP/w.err")
		if [ "$EXIT_RC" != 0 ] && [ "$EXIT_RC" != timeout ] && [ "$lines" = 1 ] &&
			grep -q "writing $FULL/x.pcapng: No space left on device" "$TL_TMP/w.err"; then
			pass "${T}_full_disk_one_line_nonzero_exit"
		else
			fail "${T}_full_disk_one_line_nonzero_exit" "exit $EXIT_RC after $n GETs/${took}s, $lines stderr lines: $(head -c 300 "$TL_TMP/w.err" | tr '\n' '|')"
		fi
		check "${T}_full_disk_bounded_time" test "$took" -le 40
		if why=$(json_lines_ok "$TL_TMP/w.json"); then pass "${T}_full_disk_json_valid"; else fail "${T}_full_disk_json_valid" "$why"; fi
		check_hooks_gone "${T}_full_disk_no_hook_left" "$IDS"
		check "${T}_full_disk_tmpfs_not_in_our_namespace" sh -c "! grep -q ' $FULL ' /proc/mounts"
	else
		fail "${T}_full_disk_one_line_nonzero_exit" "no start line: $(head -c 300 "$TL_TMP/w.err")"
	fi
	stop_pid "$SPID"
fi

# ---- soak: ~60 s of short connections ----
# wrk with Connection: close and a 2 ms pause per request on 4 connections:
# ~1700 connections/s (~100,000 in all), a rate the tracer keeps up with
# (lost 0). At wrk's full speed (~14,000/s) it drops events, and its RSS
# follows the loss (+23 MB in one burst, then back), which says nothing
# about leaks. Measured at this rate, 6 runs of 100 s: RSS ~21 MB from 5 s
# on and flat to the kilobyte between 30 s and the end. 2 MiB of slack
# leaves room for allocator noise and still catches a leak of ~40 bytes per
# connection (~50,000 connections between the samples); make bench's soak
# runs 100,000 more. fds and BPF maps must not change at all. 60 s, not
# the 100 s it was, keeps the suite under 15 minutes.
RSS_SLACK_KB=${RSS_SLACK_KB:-2048}
SOAK_S=${SOAK_S:-60}
PORT=$(free_port)
if start_httpd "$PORT" "$DOC"; then
	SPID=$SERVER_PID
	mkfifo "$TL_TMP/soak.fifo"
	# The JSON (~1 GB over the soak) goes through head (the start line, the
	# readiness) and tail (the last lines), not to a file.
	start_bg "$TL_TMP/soak.pipe.log" sh -c 'exec <"$3"; head -n 1 >"$1"; exec tail -n 2 >"$2"' sh \
		"$TL_TMP/soak.first" "$TL_TMP/soak.tail" "$TL_TMP/soak.fifo"
	TAIL_PID=$TL_BG
	start_tracer "$TL_TMP/soak.fifo" "$TL_TMP/soak.err" "$TRACER" --json -p "$PORT"
	SOAK_PID=$TRACER_PID
	if wait_for_line "$TL_TMP/soak.first" '"type":"start"' 10; then
		printf 'function delay()\n\treturn 2\nend\n' >"$TL_TMP/delay.lua"
		start_bg "$TL_TMP/soak.wrk" timeout -s KILL $((SOAK_S + 20)) wrk -t1 -c4 -d"${SOAK_S}s" -s "$TL_TMP/delay.lua" \
			-H 'Connection: close' "http://127.0.0.1:$PORT/"
		WRK_PID=$TL_BG
		sample() { # RSS_KB FDS MAPS
			echo "$(awk '/^VmRSS/ {print $2}' "/proc/$SOAK_PID/status" 2>/dev/null) $(ls "/proc/$SOAK_PID/fd" 2>/dev/null | wc -l) $(grep -l '^map_id' /proc/"$SOAK_PID"/fdinfo/* 2>/dev/null | wc -l)"
		}
		t0=$SECONDS
		first="" warm="" last="" trail=""
		while kill -0 "$WRK_PID" 2>/dev/null && [ $((SECONDS - t0)) -lt $((SOAK_S + 25)) ]; do
			s=$(sample)
			[ -z "$first" ] && [ $((SECONDS - t0)) -ge 20 ] && first=$s
			[ -z "$warm" ] && [ $((SECONDS - t0)) -ge 30 ] && warm=$s
			[ -n "$s" ] && last=$s
			trail+="$((SECONDS - t0))s:${s// /\/} "
			sleep 5
		done
		wait "$WRK_PID" 2>/dev/null
		last=$(sample)
		alive=$(kill -0 "$SOAK_PID" 2>/dev/null && echo alive || echo dead)
		stop_bounded "$SOAK_PID" 20
		wait "$TAIL_PID" 2>/dev/null
		echo "# soak samples (s:RSS KB/fds/maps): $trail end:${last// /\/}"
		echo "# soak: $(grep -E 'requests in' "$TL_TMP/soak.wrk" | sed 's/^ *//'); $(tail -n 1 "$TL_TMP/soak.tail" | head -c 200)"
		expect_eq "${T}_soak_alive_exit_0" "alive 0" "$alive $STOP_RC"
		read -r r20 f20 m20 <<<"$first"
		read -r r30 f30 m30 <<<"$warm"
		read -r rE fE mE <<<"$last"
		expect_eq "${T}_soak_fds_flat" "${f20:-?}" "${fE:-?}"
		expect_eq "${T}_soak_maps_flat" "${m20:-?}" "${mE:-?}"
		if [ -n "${r30:-}" ] && [ -n "${rE:-}" ] && [ $((rE - r30)) -lt "$RSS_SLACK_KB" ]; then
			pass "${T}_soak_rss_flat"
		else
			fail "${T}_soak_rss_flat" "RSS ${r30:-?} KB at 30 s, ${rE:-?} KB at the end: grew by $((${rE:-0} - ${r30:-0})) KB (limit $RSS_SLACK_KB)"
		fi
		check "${T}_soak_stats_last" grep -q '"type":"stats"' <(tail -n 1 "$TL_TMP/soak.tail")
	else
		fail "${T}_soak_alive_exit_0" "the tracer did not start: $(head -c 300 "$TL_TMP/soak.err")"
	fi
	stop_pid "$SPID"
fi
