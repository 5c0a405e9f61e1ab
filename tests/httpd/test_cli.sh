#!/bin/bash
# Command line: options, bad arguments (one line, exit 2), the startup line,
# the default docroot, listening addresses, -q, and a clean exit on signals.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=cli

# bad_args NAME ARGS...: exit status 2 and exactly one line on stderr.
bad_args() {
	local name=$1 rc
	shift
	"$HTTPD_BIN" "$@" >"$TL_TMP/out" 2>"$TL_TMP/err"
	rc=$?
	expect_eq "$T/$name: exit 2" 2 "$rc"
	expect_eq "$T/$name: one line of error" 1 "$(wc -l <"$TL_TMP/err")"
}
bad_args "unknown option" -x
bad_args "unknown long option" --frobnicate
bad_args "missing value" -p
bad_args "port not a number" -p http
bad_args "port too big" -p 70000
bad_args "negative port" -p -1
bad_args "timeout zero" -t 0
bad_args "timeout not a number" -t 5s
bad_args "extra argument" -p 0 extra
bad_args "connection limit zero" -c 0
bad_args "connection limit too big" -c 65537
bad_args "connection limit not a number" -c many
check "$T/--help exits 0 with usage" bash -c "'$HTTPD_BIN' --help | grep -q '^usage: tcplife-httpd'"
check "$T/--help tells -c and its default" bash -c "'$HTTPD_BIN' --help | grep -q '^  -c MAX .*(default 1024)'"
check "$T/-h exits 0" "$HTTPD_BIN" -h
expect_eq "$T/--version" "tcplife-httpd $(cat "$TL_ROOT/VERSION")" "$("$HTTPD_BIN" --version)"
"$HTTPD_BIN" -p 0 -r "$TL_TMP/does-not-exist" >/dev/null 2>"$TL_TMP/err"
expect_eq "$T/missing docroot: exit 1" 1 "$?"
check "$T/missing docroot: says which" grep -q "docroot $TL_TMP/does-not-exist" "$TL_TMP/err"
bad_args "not a numeric address" -l localhost -p 0
"$HTTPD_BIN" -l 192.0.2.1 -p 0 -r "$HTTPD_WWW" >/dev/null 2>"$TL_TMP/err"
expect_eq "$T/address not on this host: exit 1" 1 "$?"

# -p PORT on a free port, both default addresses, and the startup line.
port=$(free_port)
start_bg "$TL_TMP/fixed.out" "$HTTPD_BIN" -p "$port" -r "$HTTPD_WWW"
pid=$TL_BG
check "$T/-p $port: listening" wait_for_port "$port" 5
check "$T/startup line names the docroot and both URLs" wait_for_line "$TL_TMP/fixed.out" \
	"^tcplife-httpd: serving $HTTPD_WWW on http://127\.0\.0\.1:$port/ and http://\[::1\]:$port/$" 2
expect_eq "$T/-p: served on 127.0.0.1" 200 "$(curl_code "http://127.0.0.1:$port/")"
expect_eq "$T/-p: served on ::1" 200 "$(curl_code "http://[::1]:$port/")"
kill -TERM "$pid"
wait "$pid"
expect_eq "$T/SIGTERM: exit 0" 0 "$?"

# SIGINT with connections open, one of them mid-transfer.
httpd_start -r "$HTTPD_WWW" || fail "$T/start" "server did not start"
exec {c}<>"/dev/tcp/127.0.0.1/$HTTPD_PORT"
printf 'GET / HTTP/1.1\r\nHost: x\r\n' >&"$c"
kill -INT "$HTTPD_PID"
wait "$HTTPD_PID"
expect_eq "$T/SIGINT with an open connection: exit 0" 0 "$?"
exec {c}>&-

# -l: only the given address.
httpd_start -l ::1 -r "$HTTPD_WWW" || fail "$T/start -l" "server did not start"
check "$T/-l ::1: startup line" grep -q "on http://\[::1\]:$HTTPD_PORT/$" "$HTTPD_OUT"
expect_eq "$T/-l ::1: served on ::1" 200 "$(curl_code "http://[::1]:$HTTPD_PORT/")"
expect_eq "$T/-l ::1: nothing on 127.0.0.1" 000 "$(curl_code "http://127.0.0.1:$HTTPD_PORT/")"
stop_pid "$HTTPD_PID"
httpd_start -l 127.0.0.1 -l '[::1]' -r "$HTTPD_WWW" || fail "$T/start -l -l" "server did not start"
check "$T/-l twice: both listed" grep -q "on http://127.0.0.1:$HTTPD_PORT/ and http://\[::1\]:$HTTPD_PORT/$" "$HTTPD_OUT"
stop_pid "$HTTPD_PID"

# -q: no access log.
httpd_start -q -r "$HTTPD_WWW" || fail "$T/start -q" "server did not start"
curl -s -o /dev/null "$HTTPD_URL/"
stop_pid "$HTTPD_PID"
expect_eq "$T/-q: only the startup line" 1 "$(wc -l <"$HTTPD_OUT")"

# Default docroot: www next to the binary, whatever the cwd.
mkdir -p "$TL_TMP/bin/www" "$TL_TMP/cwd/www"
cp "$HTTPD_BIN" "$TL_TMP/bin/"
echo next-to-binary >"$TL_TMP/bin/www/index.html"
echo cwd >"$TL_TMP/cwd/www/index.html"
HTTPD_BIN=$TL_TMP/bin/tcplife-httpd
cd "$TL_TMP/cwd" || exit 1
httpd_start || fail "$T/start default docroot" "server did not start"
expect_eq "$T/default docroot: www next to the binary" next-to-binary "$(curl -s "$HTTPD_URL/")"
stop_pid "$HTTPD_PID"
rm -r "$TL_TMP/bin/www"
httpd_start || fail "$T/start cwd docroot" "server did not start"
expect_eq "$T/default docroot: else ./www" cwd "$(curl -s "$HTTPD_URL/")"
stop_pid "$HTTPD_PID"
