# Helpers shared by the robustness tests (test_faults.sh, test_hostile.sh,
# test_loss.sh), sourced after tests/lib.sh and tests/live/live_lib.sh
# (stop_bounded): waiting for an exit, the tracer's own BPF objects and
# whether they are gone, JSON-lines validation, network namespaces that are
# deleted on every exit path.

TRACER=$TL_ROOT/tcplife-http
HTTPD=$TL_ROOT/tcplife-httpd
RB_NETNS=()

rb_cleanup() {
	local ns
	tl_cleanup
	for ns in "${RB_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'tl_exit rb_cleanup' EXIT

# rb_netns NAME: creates a network namespace with lo up, deleted at exit.
rb_netns() {
	ip netns add "$1" || return 1
	RB_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# rb_prereq TEST TOOL...: a FAIL line and non-zero when something is missing.
rb_prereq() {
	local t=$1 tool
	shift
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			fail "${t}_prerequisites" "$tool is not installed"
			return 1
		fi
	done
	if [ ! -x "$TRACER" ] || [ ! -x "$HTTPD" ]; then
		fail "${t}_prerequisites" "no ./tcplife-http or ./tcplife-httpd: run make"
		return 1
	fi
}

# check_hooks_gone NAME IDS: PASS when the links and programs in IDS (from
# bpf_ids while the tracer ran) are gone within 5 s.
check_hooks_gone() {
	local left ids
	ids=$(grep -E '^(link|prog) ' <<<"$2")
	if [ -z "$ids" ]; then
		fail "$1" "no BPF link or program was recorded for the tracer"
	elif left=$(wait_ids_gone "$ids" 5); then
		pass "$1"
	else
		fail "$1" "still loaded 5 s after the tracer ended: $left"
	fi
}

# json_lines_ok FILE: every line is a JSON object (jq -e on each line, and
# jq -s on the whole), the first is "start", the last "stats"; else says why.
json_lines_ok() {
	local bad n
	n=$(wc -l <"$1")
	[ "$n" -gt 0 ] || { echo "no output"; return 1; }
	# One jq over the lines, each parsed alone: the first line that is not
	# a JSON object, with its number.
	bad=$(jq -R -r 'try (fromjson | if type == "object" then empty else "\(input_line_number) is not an object" end) catch "\(input_line_number) does not parse"' "$1" 2>&1 | head -n 1)
	if [ -n "$bad" ]; then
		echo "line $bad: $(sed -n "${bad%% *}p" "$1" 2>/dev/null | head -c 200)"
		return 1
	fi
	# jq -e on lines one by one too: every line when few, else 200 spread
	# over the file (one jq per line is slow; the pass above read them all).
	while IFS= read -r l; do
		jq -e . >/dev/null 2>&1 <<<"$l" || { echo "jq -e fails on: ${l:0:200}"; return 1; }
	done < <(awk -v k=$((n / 200 + 1)) 'NR % k == 1 || NR == 2' "$1")
	# Once each: a second start or stats would be a second run's, or a bug.
	jq -s -e 'map(.type) | (indices("start") | length) == 1 and (indices("stats") | length) == 1' \
		"$1" >/dev/null 2>&1 || { echo "start or stats not exactly once"; return 1; }
	[ "$(head -n 1 "$1" | jq -r .type 2>/dev/null)" = start ] || { echo "first line is not start"; return 1; }
	[ "$(tail -n 1 "$1" | jq -r .type 2>/dev/null)" = stats ] || { echo "last line is not stats: $(tail -n 1 "$1" | head -c 200)"; return 1; }
	# Valid UTF-8 throughout (jq replaces invalid bytes silently).
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || { echo "not valid UTF-8"; return 1; }
}

# start_httpd PORT DOCROOT [ARGS...]: the bundled server; SERVER_PID;
# non-zero when it does not listen within 5 s.
start_httpd() {
	local port=$1 doc=$2
	shift 2
	start_bg "$TL_TMP/httpd.$port.$RANDOM.log" "$HTTPD" -p "$port" -r "$doc" -q "$@"
	SERVER_PID=$TL_BG
	wait_for_port "$port" 5
}
