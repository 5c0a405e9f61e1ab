#!/bin/bash
# The walkthrough's browsing, without a screen (make browse): headless
# Chromium, driven over its DevTools protocol (scripts/cdp_lib.sh), loads
# the lab page over ::1 (http://localhost:PORT/) and over 127.0.0.1,
# reloads it as F5 does (the page revalidated: 304), plays the audio (a
# range request: 206), then stays idle until the server has closed every
# idle connection (its keep-alive timeout) and the browser has closed its
# side; then the curl set: 200, 304, 206, 404. Run it while `make run` (or
# tcplife-http -p PORT) traces the port.
#
# Usage: scripts/browse.sh [PORT]   (default: $PORT, else the port a running
# tcplife-httpd listens on, else 8080). Exits 1 when a step fails.
set -u
cd "$(dirname "$0")/.."
. scripts/cdp_lib.sh

port=${1:-${PORT:-}}
if [ -z "$port" ]; then
	port=$(ss -Htlnp 2>/dev/null | awk '/"tcplife-httpd"/ { n = split($4, a, ":"); print a[n]; exit }')
	port=${port:-8080}
fi
case $port in '' | *[!0-9]*) echo "browse: invalid port '$port'" >&2; exit 2 ;; esac
if ! ss -Htln "( sport = :$port )" | grep -q .; then
	echo "browse: nothing listens on port $port: start make run first" >&2
	exit 1
fi
for tool in chromium jq curl; do
	command -v "$tool" >/dev/null || { echo "browse: $tool is missing (scripts/deps.sh test)" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/tcplife-browse.XXXXXX)
CHROME_PID=
finish() {
	[ -n "$CHROME_PID" ] && kill "$CHROME_PID" 2>/dev/null && wait "$CHROME_PID" 2>/dev/null
	rm -rf "$dir"
}
trap finish EXIT

say() { echo "browse: $*"; }
die() {
	echo "browse: $1 failed: ${CDP_ERR:0:300}" >&2
	tail -3 "$dir/chromium.log" >&2
	exit 1
}

# open_conns: the page's connections to the port that are not yet closed
# on both sides (TIME_WAIT and the listener left out).
open_conns() {
	ss -Htan "( sport = :$port or dport = :$port )" | awk '$1 != "LISTEN" && $1 != "TIME-WAIT"' | wc -l
}

cdp_start "$dir" --autoplay-policy=no-user-gesture-required
cdp_attach || die "attaching to a page"
cdp_load "http://localhost:$port/" || die "loading http://localhost:$port/"
say "loaded http://localhost:$port/ (::1)"
cdp_load "http://127.0.0.1:$port/" || die "loading http://127.0.0.1:$port/"
say "loaded http://127.0.0.1:$port/"
cdp_load reload || die "reloading"
say "reloaded it (F5: the page is revalidated, 304)"
played=$(cdp_eval 'document.querySelector("audio").play().then(() => "playing")') || die "playing the audio"
say "played the audio ($played: a range request, 206)"
idle_from=$SECONDS
while [ "$(open_conns)" != 0 ] && [ $((SECONDS - idle_from)) -lt 60 ]; do sleep 0.2; done
left=$(open_conns)
[ "$left" = 0 ] || { echo "browse: $left connection(s) still open after 60 s idle" >&2; exit 1; }
say "idle $((SECONDS - idle_from)) s: the server closed the idle connections (keep-alive), the browser its side"
cdp_stop
CHROME_PID=

url=http://127.0.0.1:$port
# run CMD...: shows the command as one would type it, then runs it.
run() {
	local a line=\$
	for a in "$@"; do
		case $a in *[!-A-Za-z0-9_./:=]*) line+=" '$a'" ;; *) line+=" $a" ;; esac
	done
	echo "$line"
	"$@" || { echo "browse: curl failed" >&2; exit 1; }
}
run curl -s -o /dev/null -o /dev/null -w '%{http_code} ' "$url/" "$url/style.css"
echo
run curl -s -o /dev/null -w '%{http_code}\n' -z www/index.html "$url/"
run curl -s -o /dev/null -w '%{http_code}\n' -r 0-1023 "$url/intro.mp3"
run curl -s -o /dev/null -w '%{http_code}\n' "$url/nope.html"
