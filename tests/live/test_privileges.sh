#!/bin/bash
# Live test (root): tcplife-http gives up root once set up, in a network
# namespace of its own. Read from /proc/PID/status while it runs:
# - tcx, run "through sudo" (SUDO_UID/SUDO_GID set): that uid, no
#   capability at all, NoNewPrivs 1, Seccomp 2 (filter mode); the start
#   record says so; a GET is still traced; exit 0; the -w file belongs to
#   SUDO_UID.
# - clsact: CAP_NET_ADMIN alone (bit 12), and at exit the filter, the qdisc
#   and the marker's content are gone all the same.
# - No SUDO_UID: nobody. -Z root: uid 0 but no capability. --no-sandbox:
#   Seccomp 0, still not root. -Z of an unknown user: one line, exit 1.
# - Text output to /dev/null (stdio asks the device whether it is a
#   terminal) is no forbidden call.
# kill -9 and the next run's sweep of a clsact filter, with the drop on, are
# test_cli.sh's and test_faults.sh's. ~10 s.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=privileges
# Exits non-zero when a check failed.
FAILED=0
fail() { FAILED=1; echo "$1: FAIL $2"; }
rb_prereq "$T" curl jq tc ip || exit 0
NS=tl-priv-$$
PORT=8080 # our own namespace: nobody else listens there
SUID=4242 # a uid no user has: the tracer must not need one in /etc/passwd
NOBODY=$(id -u nobody)
DOC=$TL_TMP/www
mkdir -p "$DOC"
echo hello >"$DOC/index.html"
rb_netns "$NS" || { fail "${T}_netns" "cannot create network namespace $NS"; exit 1; }
start_bg "$TL_TMP/httpd.log" ip netns exec "$NS" "$HTTPD" -p "$PORT" -r "$DOC" -q
deadline=$((SECONDS + 5))
until ip netns exec "$NS" ss -Htln "( sport = :$PORT )" | grep -q . || [ $SECONDS -ge $deadline ]; do
	sleep 0.05
done

# traced NAME WANT-STATUS [ENV=VALUE...] -- ARGS...: a tracer in NS with
# that environment and arguments; checks /proc/PID/status once it started,
# one GET traced, then exit 0 on SIGINT. Leaves OUT, ERR, and MARKER: the
# clsact marker naming the tracer while it ran, if any.
traced() {
	local name=$1 want=$2 envs=()
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	OUT=$TL_TMP/$name.json ERR=$TL_TMP/$name.err
	start_tracer "$OUT" "$ERR" ip netns exec "$NS" env -u SUDO_UID -u SUDO_GID "${envs[@]}" \
		"$TRACER" --json -p "$PORT" "$@"
	if ! wait_for_line "$OUT" '"type":"start"' 10; then
		fail "${T}_${name}_status" "no start line: $(head -c 300 "$ERR")"
		stop_bounded "$TRACER_PID" 5
		return 1
	fi
	expect_eq "${T}_${name}_status" "$want" "$(proc_status "$TRACER_PID")"
	MARKER=$(grep -l "^$TRACER_PID " /run/tcplife-http/clsact-* 2>/dev/null)
	ip netns exec "$NS" curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/"
	wait_for_line "$OUT" '"type":"conn"' 5
	stop_bounded "$TRACER_PID" 10
	expect_eq "${T}_${name}_traces_and_exits" "exit 0, 1 conn" \
		"exit $STOP_RC, $(grep -c '"type":"conn"' "$OUT") conn"
}

# ---- tcx, through sudo: SUDO_UID, nothing kept, the -w file theirs ----
CAP0=0000000000000000
if traced sudo_tcx "Uid: $SUID CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 2" \
	SUDO_UID=$SUID SUDO_GID=$SUID -- --tc tcx -w "$TL_TMP/lab.pcapng"; then
	expect_eq "${T}_sudo_tcx_start_record" '{"user":"4242","capabilities":[],"seccomp":true}' \
		"$(head -1 "$OUT" | jq -c .privileges)"
	expect_eq "${T}_sudo_tcx_w_file_owner" "$SUID:$SUID" "$(stat -c %u:%g "$TL_TMP/lab.pcapng")"
fi

# ---- clsact: CAP_NET_ADMIN alone, and a clean exit still cleans up ----
if traced clsact "Uid: $NOBODY CapPrm: 0000000000001000 CapEff: 0000000000001000 NoNewPrivs: 1 Seccomp: 2" \
	-- --tc clsact; then
	expect_eq "${T}_clsact_start_record" '["CAP_NET_ADMIN"]' "$(head -1 "$OUT" | jq -c .privileges.capabilities)"
	left=$(ip netns exec "$NS" tc filter show dev lo egress; ip netns exec "$NS" tc qdisc show dev lo | grep clsact)
	expect_eq "${T}_clsact_nothing_left" "filters: '' marker while running: yes, after: empty" \
		"filters: '$left' marker while running: $([ -n "$MARKER" ] && echo yes || echo no), after: $([ -s "$MARKER" ] && echo "$(cat "$MARKER")" || echo empty)"
fi

# ---- the other choices ----
traced default_nobody "Uid: $NOBODY CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 2" -- --tc tcx
traced z_root "Uid: 0 CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 2" -- --tc tcx -Z root
traced no_sandbox "Uid: $NOBODY CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 0" -- --tc tcx --no-sandbox
expect_eq "${T}_no_sandbox_start_record" false "$(head -1 "$OUT" | jq .privileges.seccomp)"

# Text on /dev/null: stdio's first write asks whether that character device
# is a terminal (ioctl TCGETS), after the filter is on.
start_tracer /dev/null "$TL_TMP/null.err" ip netns exec "$NS" "$TRACER" -p "$PORT"
if wait_for_line "$TL_TMP/null.err" '^Tracing TCP' 10; then
	ip netns exec "$NS" curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$PORT/"
	stop_bounded "$TRACER_PID" 10
	expect_eq "${T}_text_to_dev_null" "exit 0, 1 connection" \
		"exit $STOP_RC, $(grep -oE '[0-9]+ connections?\b' "$TL_TMP/null.err")"
else
	fail "${T}_text_to_dev_null" "no start line: $(head -c 300 "$TL_TMP/null.err")"
fi

start_tracer "$TL_TMP/z.out" "$TL_TMP/z.err" "$TRACER" --json -p "$PORT" -Z no-such-user-tlh
wait_exit "$TRACER_PID" 10
expect_eq "${T}_unknown_user" "exit 1, 1 line naming it" \
	"exit $EXIT_RC, $(wc -l <"$TL_TMP/z.err") line $(grep -q no-such-user-tlh "$TL_TMP/z.err" && echo naming it)"
exit $FAILED
