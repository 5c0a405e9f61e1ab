#!/bin/bash
# Live test (root): the lab guides say what really happens.
# docs/lab-guide.zh-CN.md and docs/lab-guide.md hold the same command blocks
# (```sh) and the same output patterns (<!-- expect: REGEX -->, see
# lab_guide.py). In a network namespace of our own (so the guides' port 8080
# and their curl traffic meet no one else's), from a folder holding the two
# programs and www/ as a student's clone does, the blocks run in order: the
# server and the three tracers in the background, as in their own terminals,
# the curl requests, ss, jq, -r, report, compare, tshark on the capture,
# make run's script (scripts/run-lab.sh, its run folder), the --lab scenarios
# and grade. Each pattern is checked against the output it is written under.
# The guides wait for the first connection's TIME_WAIT to end, so this takes
# about 75 s.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=lab_guide
rb_prereq "$T" python3 curl jq ss ip tshark || exit 1
NS=tlh-labguide-$$
PIDFILE=$TL_TMP/bg.pids
W=$TL_TMP/lab
mkdir -p "$W/.bin"
ln -s "$TL_ROOT/tcplife-http" "$TL_ROOT/tcplife-httpd" "$TL_ROOT/www" "$TL_ROOT/scripts" "$W/"
# The guides write "sudo" as a student types it; root without sudo installed
# runs the command as it is.
if ! command -v sudo >/dev/null; then
	printf '#!/bin/sh\nexec "$@"\n' >"$W/.bin/sudo"
	chmod +x "$W/.bin/sudo"
fi

# Background blocks run in sessions of their own: stop what is left of them
# (by the PIDs the runner wrote) before the namespace goes.
lab_cleanup() {
	local p
	if [ -f "$PIDFILE" ]; then
		while read -r p; do kill -KILL -- "-$p" 2>/dev/null; done <"$PIDFILE"
	fi
	rb_cleanup
}
trap 'tl_exit lab_cleanup' EXIT

if ! rb_netns "$NS"; then
	fail "${T}_setup" "no namespace $NS"
	exit 1
fi
PATH=$W/.bin:$PATH python3 "$TL_ROOT/tests/live/lab_guide.py" "$NS" "$W" "$PIDFILE" \
	"$TL_ROOT/docs/lab-guide.zh-CN.md" "$TL_ROOT/docs/lab-guide.md"
[ -n "${TL_KEEP:-}" ] && cp -r "$W" "$TL_KEEP"
exit 0
