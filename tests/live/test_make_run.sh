#!/bin/bash
# Live test (root): `make run` as a student runs it, on a pseudo-terminal.
# It names its run folder at the start and at the end; curl fetches the page
# and the audio (a frame past 1024 bytes); Ctrl-C typed at the terminal ends
# it with status 0 and no "make: ***" line; the folder then holds the JSON
# trace (every line valid, the last the stats line), a capture that tshark
# reads with every frame whole (no "Packet size limited") and as many frames
# as the trace has segments, the HTML report and the server's log; the
# server is gone. Without a terminal, SIGTERM to scripts/run-lab.sh ends a
# run the same way. About 3 s.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1
T=make_run

for tool in tshark jq curl python3; do
	command -v "$tool" >/dev/null || { fail "${T}_prerequisites" "missing $tool"; exit 0; }
done
runs_existed=false
[ -d runs ] && runs_existed=true
RUN_DIR=
cleanup() {
	[ -n "$RUN_DIR" ] && rm -rf "$RUN_DIR"
	$runs_existed || rmdir runs 2>/dev/null
	tl_cleanup
}
trap 'tl_exit cleanup' EXIT

PORT=$(free_port)
LOG=$TL_TMP/pty.log
PORT=$PORT python3 tests/live/pty_drive.py --log "$LOG" --timeout 120 \
	--expect 'run folder runs/[0-9]{8}-[0-9]{6}[-0-9]*/' --expect 'Tracing TCP' \
	--run "curl -s -o /dev/null -o /dev/null http://127.0.0.1:$PORT/ http://127.0.0.1:$PORT/intro.mp3" \
	--expect '= curl' --send '\x03' -- make run
rc=$?
RUN_DIR=$(grep -aoE 'run folder runs/[0-9]{8}-[0-9]{6}[-0-9]*' "$LOG" | head -1 | cut -d' ' -f3)
expect_eq "${T}_exit_status" 0 "$rc"
check "${T}_no_make_error" bash -c "! grep -a 'make: \*\*\*' '$LOG'"
check "${T}_folder_named_at_start" test -n "$RUN_DIR"
check "${T}_folder_named_at_end" grep -aqF "the run is in $RUN_DIR/" "$LOG"
for f in trace.json capture.pcapng report.html httpd.log; do
	check "${T}_has_$f" test -s "$RUN_DIR/$f"
done

J=$RUN_DIR/trace.json
check "${T}_json_every_line_valid" jq -e . "$J"
expect_eq "${T}_json_last_line_stats" stats "$(tail -1 "$J" | jq -r .type 2>/dev/null)"
expect_eq "${T}_json_two_requests" "GET / GET /intro.mp3" \
	"$(jq -r 'select(.type == "http" and .method) | "\(.method) \(.uri)"' "$J" | sort | tr '\n' ' ' | sed 's/ $//')"

C=$RUN_DIR/capture.pcapng
frames=$(tshark -r "$C" -T fields -e frame.cap_len -e frame.len 2>"$TL_TMP/tshark.err")
trc=$?
expect_eq "${T}_tshark_reads_capture" "0 " "$trc $(grep -v 'Running as user' "$TL_TMP/tshark.err" | head -2)"
expect_eq "${T}_every_frame_whole" 0 "$(awk '$1 != $2' <<<"$frames" | wc -l)"
check "${T}_a_frame_past_1024" awk '$1 > 1024 { found = 1 } END { exit !found }' <<<"$frames"
expect_eq "${T}_capture_frames_equal_segments" "$(jq -c 'select(.type == "packet")' "$J" | wc -l)" \
	"$(grep -c . <<<"$frames")"
check "${T}_report_has_a_ladder" grep -q '<svg' "$RUN_DIR/report.html"
check "${T}_server_stopped" bash -c "! ss -Htln '( sport = :$PORT )' | grep -q ."

# Without a terminal: SIGTERM to the script ends the run the same way.
PORT2=$(free_port)
PORT=$PORT2 scripts/run-lab.sh </dev/null >"$TL_TMP/bg.out" 2>"$TL_TMP/bg.err" &
LAB_PID=$!
TL_PIDS+=("$LAB_PID")
if wait_for_line "$TL_TMP/bg.err" 'Tracing TCP' 30; then
	kill -TERM "$LAB_PID"
	wait_exit "$LAB_PID" 15
	expect_eq "${T}_sigterm_without_terminal" 0 "$EXIT_RC"
else
	fail "${T}_sigterm_without_terminal" "no start: $(head -c 300 "$TL_TMP/bg.err")"
fi
BG_DIR=$(grep -aoE 'run folder runs/[0-9]{8}-[0-9]{6}[-0-9]*' "$TL_TMP/bg.err" | head -1 | cut -d' ' -f3)
expect_eq "${T}_sigterm_json_complete" stats "$(tail -1 "$BG_DIR/trace.json" 2>/dev/null | jq -r .type 2>/dev/null)"
[ -n "$BG_DIR" ] && rm -rf "$BG_DIR"
