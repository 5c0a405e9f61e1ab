#!/bin/bash
# Runs the test suites and ends with the line "N passed, N failed".
# Every suite prints one line per check, "name: PASS" or "name: FAIL detail".
# Usage: tests/run.sh [unit|fuzz|asan|httpd|live]...   (default: all of them)
set -u
cd "$(dirname "$0")/.."

suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit fuzz asan httpd live)

log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_suite() {
	local s=$1 f
	case $s in
	unit)
		for f in .output/tests/test_*; do
			[ -x "$f" ] && [ "${f%.d}" = "$f" ] && "$f"
		done ;;
	fuzz | asan)
		tests/$s/run.sh ;;
	httpd | live)
		for f in tests/$s/test_*.sh; do
			[ -x "$f" ] || continue
			if [ "$s" = live ] && [ "$(id -u)" != 0 ]; then
				echo "$(basename "$f" .sh): FAIL needs root (run: sudo make test)"
				continue
			fi
			"$f"
		done ;;
	*)
		echo "run.sh: unknown suite '$s'" >&2; return 2 ;;
	esac
}

start=$(date +%s)
for s in "${suites[@]}"; do
	echo "== $s"
	run_suite "$s" 2>&1 | tee -a "$log"
done

pass=$(grep -c ': PASS' "$log")
fail=$(grep -c ': FAIL' "$log")
echo "== $(($(date +%s) - start)) s"
if [ "$fail" -gt 0 ]; then
	echo "failed checks:"
	grep ': FAIL' "$log" | sed 's/^/  /'
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
