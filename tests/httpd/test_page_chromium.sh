#!/bin/bash
# The lab page in headless Chromium: every resource fetched and served with
# 200 (206 for media ranges), the text and the audio element in the DOM, and
# a PNG screenshot. Chromium failing to start is a failure, never a skip.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=chromium

httpd_start -r "$HTTPD_WWW" || { fail "$T/start" "server did not start"; exit 0; }

# chrome OUTFILE ARGS...: one headless run, bounded to 60 s.
chrome() {
	local out=$1
	shift
	timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$TL_TMP/profile.XXXXXX")" "$@" >"$out" 2>"$out.err"
}

shot=$TL_TMP/page.png
chrome "$TL_TMP/shot.out" --screenshot="$shot" --window-size=1000,900 "$HTTPD_URL/"
rc=$?
if [ $rc != 0 ] || [ ! -s "$shot" ]; then
	fail "$T/screenshot run" "chromium exit $rc: $(tail -3 "$TL_TMP/shot.out.err" | tr '\n' ' ')"
else
	pass "$T/screenshot run"
fi
expect_eq "$T/screenshot is a PNG" "89504e470d0a1a0a" "$(head -c 8 "$shot" 2>/dev/null | od -An -tx1 | tr -d ' \n')"
check "$T/log: GET / 200" log_has '"GET / HTTP/1\.1" 200 [0-9]+$'
check "$T/log: GET /style.css 200" log_has '"GET /style\.css HTTP/1\.1" 200 [0-9]+$'
check "$T/log: GET /logo.png 200, whole file" log_has "\"GET /logo\\.png HTTP/1\\.1\" 200 $(stat -c %s "$HTTPD_WWW/logo.png")$"
check "$T/log: GET /favicon.ico 200" log_has '"GET /favicon\.ico HTTP/1\.1" 200 [0-9]+$'
# Chromium asks for media with "Range: bytes=0-", hence 206.
check "$T/log: GET /intro.mp3 200 or 206" log_has '"GET /intro\.mp3 HTTP/1\.1" 20[06] [0-9]+$'
check "$T/log: no error status" bash -c "! grep -E '\" [45][0-9][0-9] ' '$HTTPD_OUT'"

chrome "$TL_TMP/dom.html" --dump-dom "$HTTPD_URL/"
rc=$?
[ $rc = 0 ] && pass "$T/dump-dom run" ||
	fail "$T/dump-dom run" "chromium exit $rc: $(tail -3 "$TL_TMP/dom.html.err" | tr '\n' ' ')"
for text in 个人主页 'Personal page' 专业 学号 姓名 'Network Engineering' 2026123456 张三 \
	'<audio controls=""' 'src="intro.mp3"' 'src="logo.png"'; do
	check "$T/DOM has $text" grep -qF "$text" "$TL_TMP/dom.html"
done
stop_pid "$HTTPD_PID"
