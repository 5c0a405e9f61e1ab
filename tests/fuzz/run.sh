#!/bin/bash
# Builds every libFuzzer target tests/fuzz/fuzz_*.c into .output/fuzz/ and runs
# it for FUZZ_SECONDS (default 12) from a scratch copy of its seed corpus
# tests/fuzz/corpus/<target>/, so that new inputs never land in the committed
# one. One line a target: "fuzz_x: PASS ..." or "fuzz_x: FAIL reason".
# Usage: tests/fuzz/run.sh [TARGET]...   (e.g. fuzz_httpd_request; default all)
#
# A target names what it links in its comment, files or whole folders:
#   fuzz-sources: user/tracer/proto/ user/common/fmt.c user/common/utf8.c
#   fuzz-libs: -ljansson
# Without fuzz-sources, fuzz_httpd_* link the server's request modules (user/httpd/ and its
# folders, but main.c and confine.c, which set up) with the text builder both programs
# share, and the others the tracer's pure modules (proto/: a new parser is fuzzed with
# the others, no list to keep).
set -u
cd "$(dirname "$0")/../.." || exit 1

OUT=.output/fuzz
SECONDS_EACH=${FUZZ_SECONDS:-12}
FUZZ_CFLAGS=(-g -O1 "-fsanitize=fuzzer,address,undefined" -fno-sanitize-recover=undefined
	-std=c11 -D_GNU_SOURCE -Ibpf -Iuser -I.output "-DTL_VERSION=\"$(cat VERSION)\"")
TRACER_PURE="user/tracer/proto/ user/common/fmt.c user/common/utf8.c"

tmp=$(mktemp -d /tmp/tcplife-fuzz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$OUT"

# fuzz_tag SRC TAG: the words after "fuzz-TAG:" in SRC's comments, up to the
# end of the line or of a one-line comment.
fuzz_tag() {
	sed -n "s|^[[:space:]/*]*fuzz-$2:||p" "$1" | sed 's|\*/.*||' | tr '\n' ' '
}

# fuzz_files WORD...: each file, and each folder (ending in /) as its .c files.
fuzz_files() {
	local w
	for w in "$@"; do
		if [[ $w == */ ]]; then
			echo "$w"*.c
		else
			echo "$w"
		fi
	done
}

fuzz_sources() {
	local src=$1 name=$2 tagged f
	tagged=$(fuzz_tag "$src" sources)
	if [ -n "$tagged" ]; then
		# shellcheck disable=SC2086 # a list of words
		fuzz_files $tagged
	elif [[ $name == fuzz_httpd_* ]]; then
		echo user/common/fmt.c
		for f in user/httpd/*.c user/httpd/*/*.c; do
			case $f in user/httpd/main.c | user/httpd/confine.c) ;; *) echo "$f" ;; esac
		done
	else
		# shellcheck disable=SC2086
		fuzz_files $TRACER_PURE
	fi
}

# fuzz_failure LOG: why libFuzzer stopped, and the input it saved.
fuzz_failure() {
	local why input
	why=$(grep -m1 -E 'ERROR: |runtime error|deadly signal|out-of-memory|timeout after' "$1" |
		sed 's/^==[0-9]*==//; s/^[[:space:]]*//')
	input=$(grep -m1 -o 'Test unit written to [^ ]*' "$1" | sed 's/Test unit written to //')
	echo "${why:-exit status $2, see $1}${input:+; input $input}"
}

fuzz_run() {
	local src=$1 name bin corpus log rc execs rate srcs libs
	name=$(basename "$src" .c)
	bin=$OUT/$name
	log=$OUT/$name.log
	# read -a splits the lists into words without globbing them.
	read -ra srcs <<<"$(fuzz_sources "$src" "$name" | tr '\n' ' ')"
	read -ra libs <<<"$(fuzz_tag "$src" libs)"
	if ! clang "${FUZZ_CFLAGS[@]}" "$src" "${srcs[@]}" "${libs[@]}" -o "$bin" >"$log" 2>&1; then
		echo "$name: FAIL build: $(grep -v 'linker command failed' "$log" |
			grep -m1 -E 'error:|undefined reference|cannot find')"
		return 1
	fi
	corpus=$tmp/$name
	mkdir -p "$corpus"
	[ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$corpus/"
	"$bin" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$OUT/$name-" "$corpus" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "$name: FAIL $(fuzz_failure "$log" $rc)"
		return 1
	fi
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	echo "$name: PASS ($execs runs, $rate/s)"
}

status=0
srcs=(tests/fuzz/fuzz_*.c)
[ $# -gt 0 ] && srcs=("${@/#/tests/fuzz/}") && srcs=("${srcs[@]/%/.c}")
for src in "${srcs[@]}"; do
	[ -e "$src" ] || { echo "$(basename "$src" .c): FAIL no such target"; status=1; continue; }
	fuzz_run "$src" || status=1
done
exit $status
