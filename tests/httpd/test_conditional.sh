#!/bin/bash
# Conditional requests (304 by ETag and by date) and byte ranges (206, 416).
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=conditional

httpd_start -r "$HTTPD_WWW" || { fail "$T/start" "server did not start"; exit 0; }
logo=$HTTPD_WWW/logo.png
size=$(stat -c %s "$logo")
head=$(curl -s -D - -o /dev/null "$HTTPD_URL/logo.png")
etag=$(header_of "$head" ETag)
lm=$(header_of "$head" Last-Modified)
mtime=$(stat -c %Y "$logo")
gmt() { TZ=GMT LC_ALL=C date -d "@$1" "$2"; }

# 304.
rm -f "$TL_TMP/b"
resp=$(curl -s -D - -o "$TL_TMP/b" -H "If-None-Match: $etag" "$HTTPD_URL/logo.png")
expect_eq "$T/If-None-Match same ETag: 304" 304 "$(status_of "$resp")"
check "$T/304 has no body" test ! -s "$TL_TMP/b"
expect_eq "$T/304 repeats the ETag" "$etag" "$(header_of "$resp" ETag)"
expect_eq "$T/If-None-Match in a list: 304" 304 \
	"$(curl_code "$HTTPD_URL/logo.png" -H "If-None-Match: \"x\", W/$etag")"
expect_eq "$T/If-None-Match *: 304" 304 "$(curl_code "$HTTPD_URL/logo.png" -H 'If-None-Match: *')"
expect_eq "$T/If-None-Match other ETag: 200" 200 \
	"$(curl_code "$HTTPD_URL/logo.png" -H 'If-None-Match: "other"')"
expect_eq "$T/If-None-Match takes precedence over a matching date: 200" 200 \
	"$(curl_code "$HTTPD_URL/logo.png" -H 'If-None-Match: "other"' -H "If-Modified-Since: $lm")"
expect_eq "$T/If-Modified-Since = Last-Modified: 304" 304 \
	"$(curl_code "$HTTPD_URL/logo.png" -H "If-Modified-Since: $lm")"
expect_eq "$T/If-Modified-Since one second earlier: 200" 200 \
	"$(curl_code "$HTTPD_URL/logo.png" -H "If-Modified-Since: $(gmt $((mtime - 1)) '+%a, %d %b %Y %H:%M:%S GMT')")"
check "$T/200 after a stale date has the full body" cmp "$TL_TMP/body" "$logo"
# Later than the file, not later than now (a future date is ignored).
later=$(($(date +%s) - 1))
[ "$later" -lt "$mtime" ] && later=$mtime
expect_eq "$T/If-Modified-Since later, RFC 850 form: 304 (a time, not a string)" 304 \
	"$(curl_code "$HTTPD_URL/logo.png" -H "If-Modified-Since: $(gmt "$later" '+%A, %d-%b-%y %H:%M:%S GMT')")"
expect_eq "$T/If-Modified-Since in the future: ignored, 200 (RFC 9110 13.1.3)" 200 \
	"$(curl_code "$HTTPD_URL/logo.png" -H "If-Modified-Since: $(gmt $(($(date +%s) + 86400)) '+%a, %d %b %Y %H:%M:%S GMT')")"
check "$T/200 after a future date has the full body" cmp "$TL_TMP/body" "$logo"
expect_eq "$T/If-Modified-Since asctime form: 304" 304 \
	"$(curl_code "$HTTPD_URL/logo.png" -H "If-Modified-Since: $(gmt "$mtime" '+%a %b %e %H:%M:%S %Y')")"
expect_eq "$T/If-Modified-Since unparseable: 200" 200 \
	"$(curl_code "$HTTPD_URL/logo.png" -H 'If-Modified-Since: yesterday')"
expect_eq "$T/curl -z (conditional on the file's date): 304" 304 \
	"$(curl_code "$HTTPD_URL/logo.png" -z "$logo")"

# 206: each range form, with Content-Range and the exact bytes.
range_case() { # NAME RANGE FIRST LAST
	local resp
	resp=$(curl -s -D - -o "$TL_TMP/part" -H "Range: $2" "$HTTPD_URL/logo.png")
	expect_eq "$T/$1: 206" 206 "$(status_of "$resp")"
	expect_eq "$T/$1: Content-Range" "bytes $3-$4/$size" "$(header_of "$resp" Content-Range)"
	expect_eq "$T/$1: Content-Length" $(($4 - $3 + 1)) "$(header_of "$resp" Content-Length)"
	tail -c +$(($3 + 1)) "$logo" | head -c $(($4 - $3 + 1)) >"$TL_TMP/want"
	check "$T/$1: bytes" cmp "$TL_TMP/part" "$TL_TMP/want"
}
range_case "first-last" "bytes=100-1099" 100 1099
range_case "last past the end is clamped" "bytes=$((size - 10))-$((size + 1000))" $((size - 10)) $((size - 1))
range_case "open-ended" "bytes=70000-" 70000 $((size - 1))
range_case "suffix" "bytes=-500" $((size - 500)) $((size - 1))
range_case "suffix larger than the file" "bytes=-$((size * 2))" 0 $((size - 1))
range_case "single byte" "bytes=0-0" 0 0

# 416, ignored ranges and If-Range.
resp=$(curl -s -D - -o /dev/null -H "Range: bytes=$size-" "$HTTPD_URL/logo.png")
expect_eq "$T/range at the end: 416" 416 "$(status_of "$resp")"
expect_eq "$T/416 Content-Range" "bytes */$size" "$(header_of "$resp" Content-Range)"
expect_eq "$T/suffix of zero: 416" 416 "$(curl_code "$HTTPD_URL/logo.png" -H 'Range: bytes=-0')"
expect_eq "$T/several ranges: 200 whole file" 200 "$(curl_code "$HTTPD_URL/logo.png" -H 'Range: bytes=0-1,5-6')"
check "$T/several ranges: whole body" cmp "$TL_TMP/body" "$logo"
expect_eq "$T/malformed range: 200" 200 "$(curl_code "$HTTPD_URL/logo.png" -H 'Range: bytes=9-3')"
expect_eq "$T/other unit: 200" 200 "$(curl_code "$HTTPD_URL/logo.png" -H 'Range: lines=1-2')"
expect_eq "$T/HEAD ignores Range" 200 "$(curl_code "$HTTPD_URL/logo.png" -I -H 'Range: bytes=0-1')"
expect_eq "$T/If-Range current ETag: 206" 206 \
	"$(curl_code "$HTTPD_URL/logo.png" -H 'Range: bytes=0-9' -H "If-Range: $etag")"
expect_eq "$T/If-Range old ETag: 200" 200 \
	"$(curl_code "$HTTPD_URL/logo.png" -H 'Range: bytes=0-9' -H 'If-Range: "old"')"
expect_eq "$T/If-Range Last-Modified: 206" 206 \
	"$(curl_code "$HTTPD_URL/logo.png" -H 'Range: bytes=0-9' -H "If-Range: $lm")"
expect_eq "$T/If-None-Match wins over Range: 304" 304 \
	"$(curl_code "$HTTPD_URL/logo.png" -H 'Range: bytes=0-9' -H "If-None-Match: $etag")"
check "$T/access log of a 206 counts the bytes sent" log_has '"GET /logo.png HTTP/1.1" 206 1000$'
stop_pid "$HTTPD_PID"
