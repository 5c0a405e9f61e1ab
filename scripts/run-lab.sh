#!/bin/bash
# The lab in one command: the bundled server on PORT (8080 by default, or the
# next free port) serving www/, and the tracer on that port in the foreground.
# Extra arguments go to tcplife-http (e.g. --json, --summary).
set -eu
cd "$(dirname "$0")/.."

port=${PORT:-8080}
for ((tries = 0; tries < 100; tries++)); do
	ss -Htln "( sport = :$port )" | grep -q . || break
	port=$((port + 1))
done

./tcplife-httpd -p "$port" -r www &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null' EXIT

for ((i = 0; i < 250; i++)); do
	ss -Htln "( sport = :$port )" | grep -q . && break
	kill -0 "$server" 2>/dev/null || { echo "run-lab: the server did not start" >&2; exit 1; }
	sleep 0.02
done

echo "run-lab: browse http://127.0.0.1:$port/ (or http://[::1]:$port/); Ctrl-C stops both." >&2
./tcplife-http -p "$port" "$@"
