#!/bin/bash
# The lab in one command: the bundled server on PORT (8080 by default, or the
# next free port) serving www/, and the tracer on that port in the
# foreground, its timeline on the screen. Everything the run saw is kept in a
# run folder, runs/YYYYmmdd-HHMMSS/: trace.json (--json-file), capture.pcapng
# (-w, whole frames), report.html (--html) and the server's httpd.log. Extra arguments go to
# tcplife-http (e.g. --live, -t r).
#
# Ctrl-C stops the tracer, then the server, and the script exits with the
# tracer's status (0); without a terminal, SIGTERM to the script does the
# same (and SIGINT, unless it was ignored when the script started, as for a
# background job of a shell, which bash then cannot trap). On a terminal the tracer runs in a process group of
# its own, given the terminal (job control, set -m): Ctrl-C reaches it alone,
# so neither this script nor make sees SIGINT and make prints no error.
set -eu
cd "$(dirname "$0")/.."
[ -t 0 ] && set -m

if [ "$(id -u)" != 0 ]; then
	echo "run-lab: tracing needs root: sudo make run (or, already root, make run)" >&2
	exit 1
fi

# The tracer writes report.html as the user it becomes once attached (the
# user who ran sudo, else nobody), so the folder is theirs while it runs;
# in the end every file is the sudo user's (or root's).
owner=${SUDO_UID:-0}:${SUDO_GID:-0}
runner=${SUDO_UID:-$(id -u nobody)}
stamp=$(date +%Y%m%d-%H%M%S)
dir=runs/$stamp
for ((n = 2; n < 100; n++)); do
	mkdir -p runs
	mkdir "$dir" 2>/dev/null && break
	dir=runs/$stamp-$n
done
[ -d "$dir" ] || { echo "run-lab: cannot make a run folder under runs/" >&2; exit 1; }
chown "$owner" runs
chown "$runner" "$dir"

port=${PORT:-8080}
for ((tries = 0; tries < 100; tries++)); do
	ss -Htln "( sport = :$port )" | grep -q . || break
	port=$((port + 1))
done

# The server's access log goes to the run folder: on the terminal its lines
# would land on the tracer's status line.
./tcplife-httpd -p "$port" -r www 2>"$dir/httpd.log" &
server=$!
# A SIGINT to the whole process group (kill -INT -PGID, a supervisor) has
# stopped the server already: set -e must not end the trap before the chown.
finish() {
	kill "$server" 2>/dev/null || true
	wait "$server" 2>/dev/null || true
	chown -R "$owner" "$dir"
	echo "run-lab: the run is in $dir/: trace.json, capture.pcapng, report.html, httpd.log" >&2
}
trap finish EXIT

for ((i = 0; i < 250; i++)); do
	ss -Htln "( sport = :$port )" | grep -q . && break
	if ! kill -0 "$server" 2>/dev/null; then
		echo "run-lab: the server did not start: $(tail -1 "$dir/httpd.log")" >&2
		exit 1
	fi
	sleep 0.02
done

echo "run-lab: run folder $dir/" >&2
echo "run-lab: browse http://127.0.0.1:$port/ (or http://[::1]:$port/), or run make browse;" \
	"Ctrl-C stops both." >&2
tracer=(./tcplife-http -p "$port" --json-file "$dir/trace.json" -w "$dir/capture.pcapng"
	--snaplen 0 --ringbuf-size $((32 << 20)) --html "$dir/report.html" "$@")
status=0
if [ -t 0 ]; then
	"${tracer[@]}" || status=$?
else
	# No terminal (a script, a service): SIGINT or SIGTERM to this script
	# is handed to the tracer, which ends as it does on Ctrl-C.
	"${tracer[@]}" &
	pid=$!
	trap 'kill -INT "$pid" 2>/dev/null' INT TERM
	while :; do
		wait "$pid" && status=0 || status=$?
		kill -0 "$pid" 2>/dev/null || break
	done
fi
exit "$status"
