#!/bin/bash
# Runs the test suites and ends with the line "N passed, N failed".
# Every test prints one line per check, "name: PASS" or "name: FAIL detail".
# The runner adds a FAIL line of its own, named after the test, when a test
# crashes, exits non-zero, runs past its suite's time limit (then its whole
# process group is killed), exits 0 after a failed check or prints no check
# at all, and when a suite has no test to run.
# Usage: tests/run.sh [tree|unit|fuzz|asan|httpd|install|live|runner]...   (default: all)
set -u

# Seconds one test may take, per suite: three to five times what it takes
# on the 2-core development machine, so that only a hang reaches it.
declare -A TL_LIMIT=([tree]=120 [unit]=120 [fuzz]=900 [asan]=900 [httpd]=300 [install]=300 [live]=600 [runner]=120)

# The test being run (its timeout's PID) and its output file, for an
# interrupted run.
TL_RUNNING=
TL_OUT=

# tl_count VERDICT FILE: the number of FILE's check lines with VERDICT.
tl_count() {
	if [ "$1" = FAIL ]; then
		grep -cE ': FAIL( |$)' "$2"
	else
		grep -E ': PASS( |$)' "$2" | grep -cvE ': FAIL( |$)'
	fi
}

# tl_status_problem RC SECONDS LIMIT PASSED FAILED: what is wrong with a test
# that ended with status RC after SECONDS, of at most LIMIT, having printed
# PASSED and FAILED check lines; nothing when nothing is.
tl_status_problem() {
	local rc=$1 secs=$2 limit=$3 passed=$4 failed=$5 why= sig
	if [ "$rc" -eq 124 ] || { [ "$rc" -eq 137 ] && [ "$secs" -ge "$limit" ]; }; then
		why="timeout after $limit s (process group killed)"
	elif [ "$rc" -gt 128 ]; then
		sig=$(kill -l $((rc - 128)) 2>/dev/null)
		why="exit $rc${sig:+ (SIG$sig)}"
	elif [ "$rc" -ne 0 ]; then
		why="exit $rc"
	elif [ "$failed" -gt 0 ]; then
		why="exit 0 despite $failed failed check$([ "$failed" -eq 1 ] || echo s)"
	fi
	if [ $((passed + failed)) -eq 0 ]; then
		why="${why:+$why, }printed no check"
	fi
	echo "$why"
}

# tl_run_test NAME LIMIT CMD...: runs CMD (stdin /dev/null) under timeout,
# which gives it a process group of its own and kills that group after
# LIMIT seconds (SIGTERM, SIGKILL 10 s later). Its output is shown as it
# comes, from a file, so that a process it leaves behind cannot hold the run
# up; then a FAIL line named NAME if its status says it failed.
tl_run_test() {
	local name=$1 limit=$2 out rc start why
	shift 2
	out=$(mktemp /tmp/tcplife-run.XXXXXX)
	TL_OUT=$out
	start=$SECONDS
	# Here, not only in main: a suite runs in a subshell (its pipe to tee),
	# which does not inherit main's traps.
	trap tl_interrupted INT TERM
	timeout -k 10 "$limit" "$@" </dev/null >"$out" 2>&1 &
	TL_RUNNING=$!
	tail -n +1 -s 0.1 -f --pid="$TL_RUNNING" "$out"
	wait "$TL_RUNNING"
	rc=$?
	TL_RUNNING=
	why=$(tl_status_problem "$rc" $((SECONDS - start)) "$limit" \
		"$(tl_count PASS "$out")" "$(tl_count FAIL "$out")")
	rm -f "$out"
	TL_OUT=
	[ -z "$why" ] || echo "$name: FAIL $why"
}

# tl_run_each SUITE LIMIT FILE...: tl_run_test on each executable FILE, named
# by its file name without .sh; a FAIL line for SUITE when there is none.
tl_run_each() {
	local suite=$1 limit=$2 f n=0
	shift 2
	for f in "$@"; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		n=$((n + 1))
		tl_run_test "$(basename "$f" .sh)" "$limit" "$f"
	done
	[ $n -gt 0 ] || echo "$suite: FAIL no test to run"
}

run_suite() {
	local s=$1 limit=${TL_LIMIT[$1]:-} f bins=()
	case $s in
	unit)
		for f in .output/tests/test_*; do
			[ "${f%.d}" = "$f" ] && bins+=("$f")
		done
		tl_run_each unit "$limit" "${bins[@]}" ;;
	fuzz | asan)
		tl_run_test "$s" "$limit" "tests/$s/run.sh" ;;
	runner | tree | install)
		tl_run_each "$s" "$limit" tests/"$s"/test_*.sh ;;
	httpd | live)
		if [ "$s" = live ] && [ "$(id -u)" != 0 ]; then
			echo "live: FAIL needs root (run: sudo make test)"
			return
		fi
		tl_run_each "$s" "$limit" tests/"$s"/test_*.sh ;;
	*)
		echo "run.sh: unknown suite '$s'" >&2
		return 2 ;;
	esac
}

# tl_summary LOG: the failed checks again, and "N passed, N failed"; true
# when nothing failed and something passed.
tl_summary() {
	local pass fail
	pass=$(tl_count PASS "$1")
	fail=$(tl_count FAIL "$1")
	if [ "$fail" -gt 0 ]; then
		echo "failed checks:"
		grep -E ': FAIL( |$)' "$1" | sed 's/^/  /'
	fi
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
}

# An interrupted run stops the test it was running (by its timeout's PID,
# which passes the signal on to the test's group: a test in the background
# of a script ignores the terminal's SIGINT).
tl_interrupted() {
	[ -n "$TL_RUNNING" ] && kill -TERM "$TL_RUNNING" 2>/dev/null
	[ -n "$TL_OUT" ] && rm -f "$TL_OUT"
	exit 130
}

main() {
	local suites=("$@") s start t0
	cd "$(dirname "$0")/.." || exit 1
	[ ${#suites[@]} -eq 0 ] && suites=(runner tree unit fuzz asan httpd install live)
	for s in "${suites[@]}"; do
		[ -n "${TL_LIMIT[$s]:-}" ] || { echo "run.sh: unknown suite '$s'" >&2; exit 2; }
	done
	TL_LOG=$(mktemp /tmp/tcplife-run.XXXXXX)
	trap 'rm -f "$TL_LOG"' EXIT
	trap tl_interrupted INT TERM
	start=$SECONDS
	for s in "${suites[@]}"; do
		echo "== $s"
		t0=$SECONDS
		run_suite "$s" 2>&1 | tee -a "$TL_LOG"
		echo "== $s: $((SECONDS - t0)) s"
	done
	echo "== $((SECONDS - start)) s"
	tl_summary "$TL_LOG"
}

# Sourced (by tests/runner/), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
