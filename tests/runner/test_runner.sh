#!/bin/bash
# The runner itself (tests/run.sh, sourced): fake tests in a scratch
# directory that crash after a PASS, exit non-zero, hang (with a child in
# the background), print a FAIL yet exit 0, print nothing, or fail a check
# through lib.sh; each must get its own named FAIL line, the hang's whole
# process group must be killed, a suite with no test must fail, and the
# summary must count what failed. The fakes' output is compared, never
# shown: their own check lines are not this test's.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$TL_ROOT/tests/run.sh"

T=runner
F=$TL_TMP/fake
mkdir -p "$F" "$TL_TMP/empty"
ulimit -c 0 # the crash needs no core file

# fake NAME BODY: an executable bash script test_NAME.sh.
fake() {
	printf '#!/bin/bash\n%s\n' "$2" >"$F/test_$1.sh"
	chmod +x "$F/test_$1.sh"
}

# A unit binary (unit.h) that prints one PASS and then segfaults for real.
printf '%s\n' '#include "unit.h"' \
	'int main(void) { UNIT_CHECK(1, "crash_first"); return *(volatile int *)0 + unit_done(); }' \
	>"$TL_TMP/crash.c"
if ! cc -O0 -I"$TL_ROOT/tests/unit" -o "$F/test_crash" "$TL_TMP/crash.c" 2>"$TL_TMP/cc.err"; then
	fail "${T}_setup" "cc: $(head -c 300 "$TL_TMP/cc.err")"
	exit 1
fi
fake exit3 'echo "exit3_check: PASS"; exit 3'
fake good 'echo "good_check: PASS (detail)"'
fake hang "echo \"hang_check: PASS\"; sleep 300 & echo \$! >$TL_TMP/hang_child; sleep 300"
fake liar 'echo "liar_check: FAIL on purpose"'
fake silent 'echo "no check here"; echo "a PASS word is not a check"'
fake libfail ". $TL_ROOT/tests/lib.sh; pass lib_pass; jq -rn '\"lib_jq: FAIL printed by jq\"'"
fake unused 'echo "unused: PASS"'
chmod -x "$F/test_unused.sh"

start=$SECONDS
tl_run_each fake 2 "$F"/test_* >"$TL_TMP/out" 2>&1
took=$((SECONDS - start))
runner_lines=$(grep -E '^test_[a-z0-9]+: ' "$TL_TMP/out")
expect_eq "${T}_crash_named" "test_crash: FAIL exit 139 (SIGSEGV)" \
	"$(grep '^test_crash:' <<<"$runner_lines")"
expect_eq "${T}_nonzero_exit_named" "test_exit3: FAIL exit 3" \
	"$(grep '^test_exit3:' <<<"$runner_lines")"
expect_eq "${T}_timeout_named" "test_hang: FAIL timeout after 2 s (process group killed)" \
	"$(grep '^test_hang:' <<<"$runner_lines")"
# The hang's background child: dead (a zombie counts: here PID 1 may be
# slow to reap what it inherits).
child=$(cat "$TL_TMP/hang_child" 2>/dev/null)
check "${T}_hang_child_started" test -n "$child"
expect_eq "${T}_timeout_kills_the_group" "child dead" \
	"child $(awk '{print ($3 == "Z" ? "dead" : "alive " $3)}' "/proc/${child:-0}/stat" 2>/dev/null || echo dead)"
check "${T}_timeout_bounded" test "$took" -lt 20
expect_eq "${T}_fail_exit_0_named" "test_liar: FAIL exit 0 despite 1 failed check" \
	"$(grep '^test_liar:' <<<"$runner_lines")"
expect_eq "${T}_silent_named" "test_silent: FAIL printed no check" \
	"$(grep '^test_silent:' <<<"$runner_lines")"
expect_eq "${T}_lib_failed_check_exits_1" "test_libfail: FAIL exit 1" \
	"$(grep '^test_libfail:' <<<"$runner_lines")"
expect_eq "${T}_good_test_no_runner_line" "" "$(grep '^test_good:' <<<"$runner_lines")"
expect_eq "${T}_not_executable_skipped" "" "$(grep -E '^(test_)?unused:' "$TL_TMP/out")"
# unit.h flushes each line: the crash did not take its PASS along.
check "${T}_crashed_binary_output_kept" grep -q ' crash_first: PASS$' "$TL_TMP/out"

# lib.sh's exit status when the script ends right after starting a
# background command: its child, killed before it execs, runs the EXIT trap
# too, and once removed the record of the failed check before the script
# itself looked (exit 0, about 4 times in 5). Five runs, all must say 1.
printf '%s\n' ". $TL_ROOT/tests/lib.sh" 'sleep 100 & TL_PIDS+=($!)' 'fail lib_bg "on purpose"' \
	>"$TL_TMP/libbg.sh"
rcs=
for i in 1 2 3 4 5; do
	bash "$TL_TMP/libbg.sh" >/dev/null 2>&1
	rcs+="$? "
done
expect_eq "${T}_lib_exit_with_background_child" "1 1 1 1 1 " "$rcs"

# The summary: every FAIL line counted, the PASS lines apart, false.
if tl_summary "$TL_TMP/out" >"$TL_TMP/summary"; then rc=0; else rc=1; fi
expect_eq "${T}_summary" "5 passed, 8 failed; status 1" "$(tail -1 "$TL_TMP/summary"); status $rc"

# A suite with nothing to run fails, and so does a log with no check.
expect_eq "${T}_empty_suite" "fake: FAIL no test to run" "$(tl_run_each fake 2 "$TL_TMP/empty"/test_*)"
: >"$TL_TMP/nothing"
if tl_summary "$TL_TMP/nothing" >"$TL_TMP/summary"; then rc=0; else rc=1; fi
expect_eq "${T}_summary_of_nothing" "0 passed, 0 failed; status 1" "$(tail -1 "$TL_TMP/summary"); status $rc"
