#!/bin/bash
# Live test (root): the screen is not silent while a life is open. A client
# holds a kept-alive connection to tcplife-httpd (-t 5: it announces
# Keep-Alive: timeout=5) for 3 s, then closes it.
# - --live into a file: the connection's segments and its GET line are there
#   while it is still open, each after its number, and its summary only once
#   it ended;
# - on a pseudo-terminal the status line names the connection and what it
#   waits for ("#1 open, waiting for close (server keep-alive 5 s)"), then,
#   its life reported, its client's timewait socket;
# - into files (a pipe's case: no terminal) no status line, on stdout nor
#   stderr.
# About 12 s.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
cd "$TL_ROOT" || exit 1
T=live_status

PORT=$(free_port)
start_bg "$TL_TMP/httpd.log" ./tcplife-httpd -p "$PORT" -r www -t 5 -q
wait_for_port "$PORT" 5 || { fail "${T}_setup" "the server did not listen"; exit 0; }
# hold SECONDS: one request on a connection kept open that long.
HOLD="import socket, sys, time
s = socket.create_connection(('127.0.0.1', $PORT))
s.sendall(b'GET / HTTP/1.1\r\nHost: lab\r\n\r\n')
s.recv(65536)
time.sleep(float(sys.argv[1]))"

# ---- --live, into a file --------------------------------------------------
start_tracer "$TL_TMP/live.out" "$TL_TMP/live.err" ./tcplife-http -p "$PORT" --live
wait_for_line "$TL_TMP/live.err" 'Tracing TCP' 10 || { fail "${T}_setup" "$(head -c 300 "$TL_TMP/live.err")"; exit 0; }
python3 -c "$HOLD" 3 &
CLIENT=$!
TL_PIDS+=("$CLIENT")
if wait_for_line "$TL_TMP/live.out" '^#1 +.*HTTP/1\.1 200 OK' 3 && kill -0 "$CLIENT" 2>/dev/null; then
	open_lines=$(cat "$TL_TMP/live.out")
	pass "${T}_live_lines_before_the_end"
else
	open_lines=$(cat "$TL_TMP/live.out")
	fail "${T}_live_lines_before_the_end" "$(head -c 300 "$TL_TMP/live.out")"
fi
check "${T}_live_syn_line" grep -qE '^#1 +\+0\.[0-9]{6} +[0-9]+ -> '"$PORT"' +\[SYN\] Seq=0' <<<"$open_lines"
check "${T}_live_get_line" grep -qE '^#1 +GET / HTTP/1\.1' <<<"$open_lines"
check "${T}_live_no_summary_while_open" bash -c "! grep -q '^  = ' <<<\"\$1\"" _ "$open_lines"
wait "$CLIENT"
wait_for_line "$TL_TMP/live.out" '^  = python3' 5
stop_bounded "$TRACER_PID" 10
check "${T}_live_summary_at_the_end" grep -qE '^  = python3\[[0-9]+\] -> tcplife-httpd' "$TL_TMP/live.out"

# ---- the status line: on a terminal, and not in files --------------------
HOLD_CODE=$HOLD python3 tests/live/pty_drive.py --log "$TL_TMP/pty.log" --timeout 30 --expect 'Tracing TCP' \
	--run "python3 -c \"\$HOLD_CODE\" 3 &" \
	--expect '#1 open, waiting for close \(server keep-alive 5 s\)' \
	--expect '= python3' --expect '#1 client in TIME_WAIT \(2MSL, 60 s on Linux\)' --send '\x03' -- ./tcplife-http -p "$PORT" \
	>"$TL_TMP/pty.err" 2>&1
expect_eq "${T}_status_line_on_a_terminal" 0 "$?$(sed 's/^/ /' "$TL_TMP/pty.err" | head -c 300)"
check "${T}_status_line_erased_before_the_block" grep -qaP '\r\033\[K\033\[1m#1 ' "$TL_TMP/pty.log"

start_tracer "$TL_TMP/pipe.out" "$TL_TMP/pipe.err" ./tcplife-http -p "$PORT"
wait_for_line "$TL_TMP/pipe.err" 'Tracing TCP' 10
python3 -c "$HOLD" 1.5
wait_for_line "$TL_TMP/pipe.out" '^  = python3' 5
stop_bounded "$TRACER_PID" 10
check "${T}_no_status_line_in_files" bash -c "! grep -qaE 'waiting for|\\[K' '$TL_TMP/pipe.out' '$TL_TMP/pipe.err'"
