#!/bin/bash
# Builds the unit tests with AddressSanitizer and UBSan into .output-asan/ and
# runs them. Each check line is the unit test's own, prefixed "asan:"; a
# binary that fails to build, exits non-zero, prints no check or draws a
# sanitizer report adds a FAIL line of its own, and the script exits 1.
set -u
cd "$(dirname "$0")/../.." || exit 1

OUT=.output-asan
ASAN_CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
-fno-sanitize-recover=undefined"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

bins=()
for src in tests/unit/test_*.c; do
	[ -e "$src" ] && bins+=("$OUT/tests/$(basename "$src" .c)")
done
if [ ${#bins[@]} -eq 0 ]; then
	echo "asan: FAIL no unit test in tests/unit/"
	exit 1
fi

# CFLAGS goes through the environment: on make's command line it would replace
# the Makefile's own flags (-std, -I...) instead of coming before them. The
# Makefile links with $(CFLAGS), so the sanitizers reach the link too. -k
# builds every test it can when one does not build.
mkdir -p "$OUT"
CFLAGS=$ASAN_CFLAGS make -s -k OUTPUT=$OUT "${bins[@]}" >"$OUT/build.log" 2>&1

# asan_run BIN: its check lines, then a FAIL line (and false) if the binary
# itself failed.
asan_run() {
	local bin=$1 name rc report
	name=$(basename "$bin")
	if [ ! -x "$bin" ]; then
		echo "asan:$name: FAIL build failed, see $OUT/build.log"
		return 1
	fi
	"$bin" 2>"$bin.stderr" | sed 's/^/asan:/' | tee "$bin.stdout"
	rc=${PIPESTATUS[0]}
	report=$(grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$bin.stderr" |
		sed 's/^==[0-9]*==//')
	if [ -n "$report" ]; then
		echo "asan:$name: FAIL $report (see $bin.stderr)"
	elif [ "$rc" -ne 0 ]; then
		echo "asan:$name: FAIL exit status $rc (see $bin.stderr)"
	elif ! grep -qE ': (PASS|FAIL)( |$)' "$bin.stdout"; then
		echo "asan:$name: FAIL printed no check"
	else
		return 0
	fi
	return 1
}

status=0
for bin in "${bins[@]}"; do
	asan_run "$bin" || status=1
done
exit $status
