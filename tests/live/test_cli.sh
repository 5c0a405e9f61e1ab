#!/bin/bash
# Live test (root): tcplife-http's command line, exit paths and cleanup.
#
# Bad options: one line on stderr, exit 2. --help/--version: exit 0. -d ends
# the run by itself; SIGINT/SIGTERM end it with 0; every --json line parses and
# the last is "stats". No hook outlives the tracer: the BPF links and programs
# the running tracer holds (read from its /proc/PID/fdinfo, so other tracers
# on the machine do not matter) are gone after it exits, also after kill -9
# in tcx mode. clsact mode runs in a network namespace of its own (its own lo,
# so nobody else's filters or qdiscs interfere): the filter shows up, a clean
# exit removes filter and qdisc, a filter left by kill -9 is removed (and said
# so) by the next run, which then leaves nothing. Non-root: a clear line.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1

TRACER=$TL_ROOT/tcplife-http
if [ ! -x "$TRACER" ]; then
	fail cli_prerequisites "no ./tcplife-http: run make tcplife-http"
	exit 0
fi

NS=tl-cli-$$
cli_cleanup() {
	tl_cleanup
	ip netns del "$NS" 2>/dev/null
}
trap 'tl_exit cli_cleanup' EXIT

# run_bounded SECONDS OUT ERR CMD...: run CMD, kill it after SECONDS;
# sets RUN_RC (its exit status, or "timeout").
run_bounded() {
	local secs=$1
	shift
	start_tracer "$@"
	wait_exit "$TRACER_PID" "$secs"
	RUN_RC=$EXIT_RC
}

# ---- bad options: exit 2 (non-zero for -i), exactly one line on stderr ----
bad_option() {
	local name=$1 want=$2
	shift 2
	run_bounded 10 "$TL_TMP/bad.out" "$TL_TMP/bad.err" "$TRACER" "$@"
	local lines out
	lines=$(wc -l <"$TL_TMP/bad.err")
	out=$(wc -c <"$TL_TMP/bad.out")
	if { [ "$want" = nonzero ] && [ "$RUN_RC" != timeout ] && [ "$RUN_RC" != 0 ] || [ "$RUN_RC" = "$want" ]; } &&
		[ "$lines" = 1 ] && [ "$out" = 0 ]; then
		pass "$name"
	else
		fail "$name" "args '$*': want exit $want, 1 stderr line, no stdout; got exit $RUN_RC, $lines stderr lines ($(head -c 300 "$TL_TMP/bad.err" | tr '\n' '|')), $out bytes stdout"
	fi
}
bad_option cli_bad_port_zero 2 -p 0 -d 1
bad_option cli_bad_port_70000 2 -p 70000 -d 1
bad_option cli_bad_port_abc 2 -p abc -d 1
bad_option cli_bad_duration_negative 2 -d -1
bad_option cli_unknown_option 2 --no-such-option -d 1
bad_option cli_bad_tc_mode 2 --tc=nosuch -d 1
bad_option cli_ipv4_and_ipv6 2 -4 -6 -d 1
bad_option cli_snaplen_without_w 2 --snaplen 0 -d 1
bad_option cli_bad_snaplen 2 -w "$TL_TMP/x.pcapng" --snaplen 10 -d 1
bad_option cli_live_with_json 2 --live --json -d 1
bad_option cli_json_file_unwritable 1 --json-file /nonexistent/dir/trace.json -d 1
bad_option cli_bad_interface nonzero -i nosuchif -d 1
check cli_bad_interface_names_it grep -q nosuchif "$TL_TMP/bad.err"

# ---- --help, --version ----
run_bounded 10 "$TL_TMP/help.out" "$TL_TMP/help.err" "$TRACER" --help
if [ "$RUN_RC" = 0 ] && grep -q -- '--json' "$TL_TMP/help.out"; then pass cli_help; else
	fail cli_help "exit $RUN_RC, stdout $(head -c 100 "$TL_TMP/help.out")"; fi
run_bounded 10 "$TL_TMP/ver.out" "$TL_TMP/ver.err" "$TRACER" --version
expect_eq cli_version "0 tcplife-http $(cat VERSION)" "$RUN_RC $(cat "$TL_TMP/ver.out")"

# ---- -d: ends by itself, with traffic to trace; JSON lines; no hook left ----
PORT=$(free_port)
DOC=$TL_TMP/www
mkdir -p "$DOC"
echo hello >"$DOC/index.html"
HAVE_SERVER=0
if [ -x "$TL_ROOT/tcplife-httpd" ]; then
	start_bg "$TL_TMP/httpd.log" "$TL_ROOT/tcplife-httpd" -p "$PORT" -r "$DOC" -q
else
	start_bg "$TL_TMP/httpd.log" python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$DOC"
fi
SERVER_PID=$TL_BG
wait_for_port "$PORT" 5 && HAVE_SERVER=1

# json_ok FILE: every line is a JSON object, the first "start", the last "stats".
json_ok() {
	local l n=0
	while IFS= read -r l; do
		n=$((n + 1))
		jq -e 'type == "object"' >/dev/null 2>&1 <<<"$l" || { echo "line $n does not parse: ${l:0:200}"; return 1; }
	done <"$1"
	[ "$(head -n 1 "$1" | jq -r .type 2>/dev/null)" = start ] || { echo "first line is not start"; return 1; }
	[ "$(tail -n 1 "$1" | jq -r .type 2>/dev/null)" = stats ] || { echo "last line is not stats: $(tail -n 1 "$1" | head -c 200)"; return 1; }
}

start_tracer "$TL_TMP/d.json" "$TL_TMP/d.err" "$TRACER" --json -p "$PORT" -d 2
D_PID=$TRACER_PID
D_START=$SECONDS
if wait_for_line "$TL_TMP/d.json" '"type":"start"' 10; then
	IDS=$(bpf_ids "$D_PID")
	[ "$HAVE_SERVER" = 1 ] && curl -s --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/"
	wait_exit "$D_PID" 15
	expect_eq cli_duration_exits_by_itself "0" "$EXIT_RC"
	# -d 2: not before 2 s, not long after.
	check cli_duration_timing test $((SECONDS - D_START)) -ge 2 -a $((SECONDS - D_START)) -le 6
	if why=$(json_ok "$TL_TMP/d.json"); then pass cli_json_lines_parse; else fail cli_json_lines_parse "$why"; fi
	# The traffic shows every kind of event (others may come too).
	missing=$(jq -rs '["start", "state", "packet", "http", "conn", "stats"] - map(.type) | join(" ")' "$TL_TMP/d.json" 2>/dev/null) || missing="(not JSON)"
	expect_eq cli_json_event_types "" "$missing"
	if grep -q '^tcx ' <<<"$IDS"; then pass cli_tcx_link_while_running; else
		fail cli_tcx_link_while_running "no tcx link among the tracer's fds: $(echo "$IDS" | tr '\n' ' ')"; fi
	if left=$(wait_ids_gone "$(grep -E '^(link|prog) ' <<<"$IDS")" 5); then pass cli_duration_no_hook_left; else
		fail cli_duration_no_hook_left "still loaded 5 s after exit: $left"; fi
	tcprogs=$(awk '$1 == "tcprog" {print $2}' <<<"$IDS")
	leftover=""
	for p in $tcprogs; do
		tc filter show dev lo egress | grep -q "id $p " && leftover+="egress:$p "
		tc filter show dev lo ingress | grep -q "id $p " && leftover+="ingress:$p "
	done
	expect_eq cli_duration_no_tc_filter_left "" "$leftover"
else
	fail cli_duration_exits_by_itself "no start line: $(head -c 300 "$TL_TMP/d.err")"
	stop_pid "$D_PID"
fi
stop_pid "$SERVER_PID"

# ---- SIGTERM and SIGINT: exit 0, stats last, hooks gone ----
for sig in TERM INT; do
	name=cli_sig${sig,,}
	start_tracer "$TL_TMP/s.json" "$TL_TMP/s.err" "$TRACER" --json -p "$(free_port)"
	if ! wait_for_line "$TL_TMP/s.json" '"type":"start"' 10; then
		fail "$name" "no start line: $(head -c 300 "$TL_TMP/s.err")"
		stop_pid "$TRACER_PID"
		continue
	fi
	IDS=$(bpf_ids "$TRACER_PID")
	kill -"$sig" "$TRACER_PID"
	wait_exit "$TRACER_PID" 10
	last=$(tail -n 1 "$TL_TMP/s.json" | jq -r .type 2>/dev/null)
	expect_eq "${name}_exit" "exit 0, last stats" "exit $EXIT_RC, last $last"
	if left=$(wait_ids_gone "$(grep -E '^(link|prog) ' <<<"$IDS")" 5); then pass "${name}_no_hook_left"; else
		fail "${name}_no_hook_left" "still loaded 5 s after exit: $left"; fi
done

# ---- kill -9 in tcx mode: the kernel drops the link with the process ----
start_tracer "$TL_TMP/k.json" "$TL_TMP/k.err" "$TRACER" --json --tc tcx -p "$(free_port)"
if wait_for_line "$TL_TMP/k.json" '"type":"start"' 10; then
	IDS=$(bpf_ids "$TRACER_PID")
	if grep -q '^tcx ' <<<"$IDS"; then
		kill -KILL "$TRACER_PID"
		wait "$TRACER_PID" 2>/dev/null
		if left=$(wait_ids_gone "$(grep -E '^(link|prog) ' <<<"$IDS")" 5); then pass cli_kill9_tcx_no_hook_left; else
			fail cli_kill9_tcx_no_hook_left "still loaded 5 s after kill -9: $left"; fi
	else
		fail cli_kill9_tcx_no_hook_left "--tc tcx run holds no tcx link: $(echo "$IDS" | tr '\n' ' ')"
		stop_pid "$TRACER_PID"
	fi
else
	fail cli_kill9_tcx_no_hook_left "no start line with --tc tcx: $(head -c 300 "$TL_TMP/k.err")"
	stop_pid "$TRACER_PID"
fi

# ---- clsact, in a namespace of our own ----
nstc() { ip netns exec "$NS" tc "$@"; }
ours_on_lo() { # prints what of ours is on the namespace's lo
	nstc filter show dev lo egress | grep -o 'tl_tc_[a-z]*' | sed 's/^/egress /'
	nstc filter show dev lo ingress | grep -o 'tl_tc_[a-z]*' | sed 's/^/ingress /'
	nstc qdisc show dev lo | grep -o 'clsact'
}
if ! ip netns add "$NS" || ! ip -n "$NS" link set lo up; then
	fail cli_clsact_netns "cannot create network namespace $NS"
	exit 0
fi
NSPORT=$(free_port)

start_tracer "$TL_TMP/c1.json" "$TL_TMP/c1.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
if wait_for_line "$TL_TMP/c1.json" '"type":"start"' 10; then
	attach=$(head -n 1 "$TL_TMP/c1.json" | jq -r .attach.tc)
	onlo=$(ours_on_lo | tr '\n' ' ')
	if [ "$attach" = clsact ] && grep -q 'egress tl_tc_egress' <<<"$onlo"; then pass cli_clsact_attach; else
		fail cli_clsact_attach "start says tc=$attach; on lo: $onlo"; fi
	IDS=$(bpf_ids "$TRACER_PID")
	kill -INT "$TRACER_PID"
	wait_exit "$TRACER_PID" 10
	expect_eq cli_clsact_exit "0" "$EXIT_RC"
	expect_eq cli_clsact_clean_exit_leaves_nothing "" "$(ours_on_lo | tr '\n' ' ')"
	if left=$(wait_ids_gone "$(grep -E '^(link|prog) ' <<<"$IDS")" 5); then pass cli_clsact_no_prog_left; else
		fail cli_clsact_no_prog_left "still loaded 5 s after exit: $left"; fi
else
	fail cli_clsact_attach "no start line: $(head -c 300 "$TL_TMP/c1.err")"
	stop_pid "$TRACER_PID"
fi

# kill -9 leaves the filter (the kernel keeps clsact filters); the next run
# says it removed it and leaves nothing behind at its own exit.
start_tracer "$TL_TMP/c2.json" "$TL_TMP/c2.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT"
if wait_for_line "$TL_TMP/c2.json" '"type":"start"' 10; then
	IDS=$(bpf_ids "$TRACER_PID")
	kill -KILL "$TRACER_PID"
	wait "$TRACER_PID" 2>/dev/null
	onlo=$(ours_on_lo | tr '\n' ' ')
	if grep -q 'egress tl_tc_egress' <<<"$onlo"; then pass cli_clsact_kill9_leaves_stale_filter; else
		fail cli_clsact_kill9_leaves_stale_filter "expected the killed run's filter on lo, found: '$onlo'"; fi
	run_bounded 15 "$TL_TMP/c3.json" "$TL_TMP/c3.err" ip netns exec "$NS" "$TRACER" --json --tc clsact -p "$NSPORT" -d 1
	expect_eq cli_clsact_after_kill9_exit "0" "$RUN_RC"
	if grep -qiE 'removed .*(stale|left|crash)' "$TL_TMP/c3.err"; then pass cli_clsact_stale_filter_reported; else
		fail cli_clsact_stale_filter_reported "stderr: $(head -c 300 "$TL_TMP/c3.err" | tr '\n' '|')"; fi
	expect_eq cli_clsact_after_kill9_leaves_nothing "" "$(ours_on_lo | tr '\n' ' ')"
	if left=$(wait_ids_gone "$(grep -E '^(link|prog) ' <<<"$IDS")" 5); then pass cli_clsact_kill9_prog_freed; else
		fail cli_clsact_kill9_prog_freed "killed run's objects still loaded: $left"; fi
else
	fail cli_clsact_kill9_leaves_stale_filter "no start line: $(head -c 300 "$TL_TMP/c2.err")"
	stop_pid "$TRACER_PID"
fi

# ---- not root: one clear line about permissions, non-zero exit ----
run_bounded 15 "$TL_TMP/nr.out" "$TL_TMP/nr.err" setpriv --reuid=65534 --regid=65534 --clear-groups "$TRACER" -d 1
lines=$(wc -l <"$TL_TMP/nr.err")
if [ "$RUN_RC" != 0 ] && [ "$RUN_RC" != timeout ] && [ "$lines" = 1 ] && grep -qiE 'permission|root|privilege' "$TL_TMP/nr.err"; then
	pass cli_non_root
else
	fail cli_non_root "exit $RUN_RC, $lines stderr lines: $(head -c 300 "$TL_TMP/nr.err" | tr '\n' '|')"
fi
