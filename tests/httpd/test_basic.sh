#!/bin/bash
# GET and HEAD of the page's files: status, headers and bytes; the error
# replies (404, 405, 400, 414, 431, 301, 505) and the access log.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=basic

httpd_start -r "$HTTPD_WWW" || { fail "$T/start" "server did not start"; exit 0; }

# Every file of the page: 200, its exact bytes, its type and length.
for f in index.html:text/html style.css:text/css logo.png:image/png favicon.ico:image/x-icon \
	intro.mp3:audio/mpeg logo.svg:image/svg+xml README.md:text/markdown; do
	name=${f%%:*} type=${f#*:}
	out=$(curl -s -D "$TL_TMP/h" -o "$TL_TMP/b" -w '%{http_code} %{content_type}' "$HTTPD_URL/$name")
	expect_eq "$T/GET $name status" 200 "${out%% *}"
	check "$T/GET $name content type $type" grep -q "^$type" <<<"${out#* }"
	check "$T/GET $name bytes" cmp "$TL_TMP/b" "$HTTPD_WWW/$name"
	expect_eq "$T/GET $name Content-Length" "$(stat -c %s "$HTTPD_WWW/$name")" \
		"$(header_of "$(cat "$TL_TMP/h")" Content-Length)"
done
check "$T/html has charset utf-8" grep -q 'text/html; charset=utf-8' <<<"$(curl -sI "$HTTPD_URL/")"

# Directory index, and the common headers.
resp=$(curl -s -D - -o "$TL_TMP/b" "$HTTPD_URL/")
expect_eq "$T/GET / status" 200 "$(status_of "$resp")"
check "$T/GET / is index.html" cmp "$TL_TMP/b" "$HTTPD_WWW/index.html"
check "$T/Date is an IMF-fixdate" grep -qE '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$' \
	<<<"$(header_of "$resp" Date)"
expect_eq "$T/Server" tcplife-httpd "$(header_of "$resp" Server)"
expect_eq "$T/Accept-Ranges" bytes "$(header_of "$resp" Accept-Ranges)"
st=$(stat -c '%s %.9Y' "$HTTPD_WWW/index.html")
read -r size mtime_frac <<<"$st"
mtime=${mtime_frac%.*}
# As nginx: modification time and size, never the inode number.
expect_eq "$T/ETag is strong mtime_ns-size, in hex" \
	"\"$(printf %x $((mtime * 1000000000 + 10#${mtime_frac#*.})))-$(printf %x "$size")\"" \
	"$(header_of "$resp" ETag)"
expect_eq "$T/Last-Modified" "$(TZ=GMT LC_ALL=C date -d "@$mtime" '+%a, %d %b %Y %H:%M:%S GMT')" \
	"$(header_of "$resp" Last-Modified)"
expect_eq "$T/Keep-Alive announced" "timeout=5, max=99" "$(header_of "$resp" Keep-Alive)"

# HEAD: the GET head, no body.
head=$(printf 'HEAD /logo.png HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw)
expect_eq "$T/HEAD status" 200 "$(status_of "$head")"
expect_eq "$T/HEAD Content-Length" "$(stat -c %s "$HTTPD_WWW/logo.png")" "$(header_of "$head" Content-Length)"
expect_eq "$T/HEAD has no body" "" "$(printf '%s' "$head" | sed '1,/^\r$/d')"
head=$(printf 'HEAD /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw)
expect_eq "$T/HEAD 404 has no body" "404:" "$(status_of "$head"):$(printf '%s' "$head" | sed '1,/^\r$/d')"

# Errors.
expect_eq "$T/404" 404 "$(curl_code "$HTTPD_URL/no-such-file.html")"
check "$T/404 page is tiny HTML" grep -q '<title>404 Not Found</title>' "$TL_TMP/body"
code=$(curl_code "$HTTPD_URL/%3Cscript%3Ealert(1)%3C/script%3E")
check "$T/error page never echoes the path" bash -c "[ $code = 404 ] && ! grep -qi script '$TL_TMP/body'"
resp=$(curl -s -D - -o /dev/null -X POST -d 'a=1' "$HTTPD_URL/")
expect_eq "$T/POST 405" 405 "$(status_of "$resp")"
expect_eq "$T/405 Allow" "GET, HEAD" "$(header_of "$resp" Allow)"
for m in PUT DELETE OPTIONS PATCH; do
	expect_eq "$T/$m 405" 405 "$(curl_code "$HTTPD_URL/" -X "$m")"
done
resp=$(printf 'GET /\r\n\r\n' | raw)
expect_eq "$T/HTTP/0.9 request line: 400" 400 "$(status_of "$resp")"
expect_eq "$T/400 closes" close "$(header_of "$resp" Connection)"
resp=$(printf 'GET / HTTP/1.1\r\n\r\n' | raw)
expect_eq "$T/HTTP/1.1 without Host: 400" 400 "$(status_of "$resp")"
resp=$(printf 'GET / HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n' | raw)
expect_eq "$T/space in header name: 400" 400 "$(status_of "$resp")"
resp=$(printf 'GET / HTTP/2.0\r\nHost: x\r\n\r\n' | raw)
expect_eq "$T/HTTP/2.0 request line: 505" 505 "$(status_of "$resp")"
long=$(printf '%*s' 9000 '' | tr ' ' a)
expect_eq "$T/9000-byte URL: 414" 414 "$(curl_code "$HTTPD_URL/$long")"
resp=$( (printf 'GET /%s HTTP/1.1\r\nHost: x\r\n\r\n' "$long") | raw)
expect_eq "$T/9000-byte request line raw: 414" 414 "$(status_of "$resp")"
big=$(printf '%*s' 17000 '' | tr ' ' b)
expect_eq "$T/17000-byte header: 431" 431 "$(curl_code "$HTTPD_URL/" -H "X-Big: $big")"
expect_eq "$T/headers just under the limit: 200" 200 \
	"$(curl_code "$HTTPD_URL/" -H "X-Big: ${big:0:15000}")"

check "$T/access log of a HEAD shows '-' bytes" log_has '"HEAD /logo.png HTTP/1.1" 200 -$'
check "$T/access log of an unreadable request" log_has '"-" 400 '

# A directory without its slash is redirected, keeping the query.
mkdir -p "$TL_TMP/root/sub"
echo sub >"$TL_TMP/root/sub/index.html"
echo top >"$TL_TMP/root/index.html"
mkdir -p "$TL_TMP/root/empty"
stop_pid "$HTTPD_PID"
httpd_start -r "$TL_TMP/root" || { fail "$T/restart" "server did not start"; exit 0; }
resp=$(curl -s -D - -o /dev/null "$HTTPD_URL/sub?x=1")
expect_eq "$T/directory without slash: 301" 301 "$(status_of "$resp")"
expect_eq "$T/301 Location" "/sub/?x=1" "$(header_of "$resp" Location)"
expect_eq "$T/301 followed" "sub" "$(curl -sL "$HTTPD_URL/sub")"
expect_eq "$T/directory without index.html: 404" 404 "$(curl_code "$HTTPD_URL/empty/")"

# The access log: one Common Log Format line per request.
curl -s -o /dev/null "$HTTPD_URL/sub/"
check "$T/access log line in Common Log Format" log_has \
	'^127\.0\.0\.1 - - \[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} \+0000\] "GET /sub/ HTTP/1\.1" 200 4$'
stop_pid "$HTTPD_PID"
