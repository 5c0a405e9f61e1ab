# Helpers shared by the tcplife-httpd suites; sourced after tests/lib.sh.

# HTTPD_BIN may name another build, e.g. one with sanitizers.
HTTPD_BIN=${HTTPD_BIN:-$TL_ROOT/tcplife-httpd}
HTTPD_WWW=$TL_ROOT/www

# httpd_start [ARGS...]: start the server on a port the kernel picks and wait
# for its "serving" line. Sets HTTPD_PID, HTTPD_PORT, HTTPD_OUT (stdout and
# the access log) and HTTPD_URL. Returns 1 if it did not come up in 5 s.
httpd_start() {
	HTTPD_OUT=$(mktemp "$TL_TMP/httpd.XXXXXX")
	start_bg "$HTTPD_OUT" "$HTTPD_BIN" -p 0 "$@"
	HTTPD_PID=$TL_BG
	if ! wait_for_line "$HTTPD_OUT" '^tcplife-httpd: serving .* on http' 5; then
		echo "httpd_start: server did not start: $(tail -3 "$HTTPD_OUT")" >&2
		return 1
	fi
	HTTPD_PORT=$(grep -m1 -oE ':[0-9]+/' "$HTTPD_OUT" | head -1 | tr -dc 0-9)
	HTTPD_URL=http://127.0.0.1:$HTTPD_PORT
}

# raw [SECONDS]: send stdin in one write to the server over bash's /dev/tcp
# and print what comes back until the server closes (at most SECONDS, 5).
raw() {
	local fd
	exec {fd}<>"/dev/tcp/127.0.0.1/$HTTPD_PORT" || return 1
	cat >&"$fd"
	timeout "${1:-5}" cat <&"$fd"
	exec {fd}>&-
}

# status_of RESPONSE: the status code of the first status line.
status_of() {
	printf '%s' "$1" | head -1 | awk '{print $2}'
}

# header_of RESPONSE NAME: the value of the first header NAME (any case).
header_of() {
	printf '%s' "$1" | tr -d '\r' | awk -v n="$2" 'NR>1 && /^$/ {exit}
		tolower($0) ~ "^" tolower(n) ":" {sub(/^[^:]*: */, ""); print; exit}'
}

# log_has REGEX: the access log shows a matching line within 2 s (the log is
# written once per event-loop pass).
log_has() {
	wait_for_line "$HTTPD_OUT" "$1" 2
}

# curl_code URL [CURL ARGS...]: the status code, body to $TL_TMP/body.
curl_code() {
	local url=$1
	shift
	curl -s -o "$TL_TMP/body" -w '%{http_code}' --max-time 10 "$@" "$url"
}

# ms_since START: milliseconds elapsed since START, a copy of $EPOCHREALTIME.
ms_since() {
	local now=${EPOCHREALTIME/./} then=${1/./}
	echo $(((now - then) / 1000))
}
