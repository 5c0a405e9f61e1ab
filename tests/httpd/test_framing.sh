#!/bin/bash
# Framing and header rules of RFC 9112: Host syntax, userinfo, transfer
# codings, versions, bare CR, each with the status nginx gives.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=framing

root=$TL_TMP/root
mkdir -p "$root"
echo AAAA >"$root/a.txt"
httpd_start -r "$root" -t 5 || { fail "$T/start" "server did not start"; exit 0; }

# want NAME STATUS REQUEST-HEAD: the request (CRLF line ends added, then an
# empty line) gets STATUS.
want() {
	local resp
	resp=$(printf '%s\r\n' "$3" "Connection: close" "" | raw 3)
	expect_eq "$T/$1: $2" "$2" "$(status_of "$resp")"
}
want "Host name and port" 200 $'GET /a.txt HTTP/1.1\r\nHost: example.org:8080'
want "Host IPv6 literal and port" 200 $'GET /a.txt HTTP/1.1\r\nHost: [::1]:80'
want "Host IPv4 address" 200 $'GET /a.txt HTTP/1.1\r\nHost: 127.0.0.1'
want "Host with a space" 400 $'GET /a.txt HTTP/1.1\r\nHost: a b'
want "Host with a slash" 400 $'GET /a.txt HTTP/1.1\r\nHost: a/b'
want "Host with userinfo" 400 $'GET /a.txt HTTP/1.1\r\nHost: user:pass@a'
want "Host port over 65535" 400 $'GET /a.txt HTTP/1.1\r\nHost: a:65536'
want "Host port not digits" 400 $'GET /a.txt HTTP/1.1\r\nHost: a:http'
want "Host bad IPv6 literal" 400 $'GET /a.txt HTTP/1.1\r\nHost: [1::2::3]'
want "Host with a quote" 400 $'GET /a.txt HTTP/1.1\r\nHost: a"b'
want "absolute-form" 200 $'GET http://a:1/a.txt HTTP/1.1\r\nHost: a:1'
want "absolute-form with userinfo" 400 $'GET http://user:pass@a/a.txt HTTP/1.1\r\nHost: a'
want "absolute-form with an empty host" 400 $'GET http:///a.txt HTTP/1.1\r\nHost: a'
want "Transfer-Encoding gzip" 501 $'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip'
want "Transfer-Encoding gzip, chunked" 501 $'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked'
want "Transfer-Encoding chunked, as before" 411 $'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked'
want "HTTP/10.0" 505 $'GET /a.txt HTTP/10.0'
want "HTTP/2.0" 505 $'GET /a.txt HTTP/2.0\r\nHost: a'
want "HTTP/1.0" 200 $'GET /a.txt HTTP/1.0'
want "HTTP/1.x" 200 $'GET /a.txt HTTP/1.2\r\nHost: a'

# Lines ended by CR alone: refused once the byte after the CR shows it, not
# left waiting for an LF until the 5 s timeout.
start=$EPOCHREALTIME
resp=$(printf 'GET /a.txt HTTP/1.1\rHost: a\r\r' | raw 4)
elapsed=$(ms_since "$start")
expect_eq "$T/request line ending in a bare CR: 400" 400 "$(status_of "$resp")"
check "$T/bare CR: answered at once, not at the timeout (${elapsed} ms)" test "$elapsed" -lt 2500
resp=$(printf 'GET /a.txt HTTP/1.1\r\nHost: a\rX: b\r\n\r\n' | raw 3)
expect_eq "$T/header line ending in a bare CR: 400" 400 "$(status_of "$resp")"
resp=$(printf 'GET /a.txt HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n' | raw 3)
expect_eq "$T/501 closes the connection" close "$(header_of "$resp" Connection)"
check "$T/501 logged" log_has '"GET /a.txt HTTP/1.1" 501 [0-9]+$'
stop_pid "$HTTPD_PID"
