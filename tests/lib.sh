# Shared helpers for the shell test suites: checks, free ports, readiness
# waits, and cleanup of the processes a test started (by PID only).

TL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TL_PIDS=()
TL_TMP=$(mktemp -d /tmp/tcplife-test.XXXXXX)
TL_FAILED=

# stdout also goes to $TL_TMP/stdout, so that at exit the script can tell
# whether any check failed, however its line was printed (pass/fail, jq,
# a helper's own echo, a subshell).
exec {TL_STDOUT}>&1 > >(exec tee "$TL_TMP/stdout")
TL_TEE=$!

# tl_checks_failed: waits (5 s at most) until tee has copied every line the
# script wrote, then tells whether one of them is a failed check.
tl_checks_failed() {
	local deadline=$((SECONDS + 5))
	exec >&"$TL_STDOUT"
	while kill -0 "$TL_TEE" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.02; done
	grep -qE ': FAIL( |$)' "$TL_TMP/stdout"
}

# tl_alive PID: PID runs (a zombie, ended but not yet waited for, does not).
tl_alive() {
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) && [ "${st#Z}" = "$st" ]
}

tl_cleanup() {
	local p deadline=$((SECONDS + 3))
	for p in "${TL_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	# Bounded: once, in a fresh clone's run, a background child outlived
	# its SIGTERM and the wait held the test until the runner's timeout.
	for p in "${TL_PIDS[@]}"; do
		while tl_alive "$p" && [ $SECONDS -lt $deadline ]; do sleep 0.02; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	tl_checks_failed && TL_FAILED=1
	rm -rf "$TL_TMP"
}

# tl_exit CLEANUP: the EXIT trap. Runs CLEANUP (tl_cleanup, or a test's own
# function that calls it), then exits non-zero when the script did or when
# any of its checks failed.
tl_exit() {
	local rc=$?
	# A child forked for a background command and killed before it execs
	# runs this trap too: only the script itself cleans up and judges.
	[ "$BASHPID" = "$$" ] || exit "$rc"
	"$1"
	[ "$rc" -eq 0 ] && [ -n "$TL_FAILED" ] && rc=1
	exit "$rc"
}
trap 'tl_exit tl_cleanup' EXIT

# pass NAME / fail NAME DETAIL: one result line each.
pass() { echo "$1: PASS"; }
fail() { echo "$1: FAIL $2"; }

# check NAME CONDITION-COMMAND... : PASS when the command succeeds.
check() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail "$name" "($*)"; fi
}

# expect_eq NAME WANT GOT
expect_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1" "want '$2' got '$3'"; fi
}

# free_port: a TCP port nobody listens on, on 127.0.0.1 or ::1.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		ss -Htan "( sport = :$p or dport = :$p )" | grep -q . || { echo "$p"; return; }
	done
}

# wait_for_line FILE REGEX SECONDS: wait until FILE holds a line matching REGEX.
wait_for_line() {
	local file=$1 re=$2 deadline=$((SECONDS + $3))
	while [ $SECONDS -lt $deadline ]; do
		grep -qE "$re" "$file" 2>/dev/null && return 0
		sleep 0.02
	done
	return 1
}

# wait_for_port PORT SECONDS: wait until something listens on PORT.
wait_for_port() {
	local deadline=$((SECONDS + $2))
	while [ $SECONDS -lt $deadline ]; do
		ss -Htln "( sport = :$1 )" | grep -q . && return 0
		sleep 0.02
	done
	return 1
}

# proc_status PID: what PID runs as, from /proc/PID/status, on one line:
# "Uid: U CapPrm: X CapEff: X NoNewPrivs: N Seccomp: N".
proc_status() {
	awk '/^(Uid|CapEff|CapPrm|NoNewPrivs|Seccomp):/ {printf "%s%s %s", n++ ? " " : "", $1, $2}' \
		"/proc/$1/status"
}

# start_bg OUTFILE CMD...: run CMD in the background, remember its PID in TL_BG.
start_bg() {
	local out=$1
	shift
	"$@" >"$out" 2>&1 &
	TL_BG=$!
	TL_PIDS+=("$TL_BG")
}

# stop_pid PID: SIGINT a process this test started and wait for it.
stop_pid() {
	kill -INT "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}
