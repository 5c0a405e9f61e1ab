#!/bin/bash
# Nothing outside the document root is served: "..", percent-encoded
# traversal, %00, symlinks leading out, hidden files.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=security

root=$TL_TMP/root
mkdir -p "$root/sub" "$root/\\evil"
echo public >"$root/index.html"
echo inner >"$root/sub/inner.txt"
echo TOPSECRET >"$TL_TMP/secret.txt"
echo hidden >"$root/.htpasswd"
ln -s ../secret.txt "$root/out-rel"
ln -s "$TL_TMP/secret.txt" "$root/out-abs"
ln -s "$TL_TMP" "$root/out-dir"
ln -s sub/inner.txt "$root/in-link"
mkfifo "$root/fifo"

httpd_start -r "$root" || { fail "$T/start" "server did not start"; exit 0; }

# get NAME WANT-STATUS TARGET: raw request (curl would normalise the path),
# status checked, and the secret never in the reply.
get() {
	local resp
	resp=$(printf 'GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$3" | raw)
	expect_eq "$T/$1: $2" "$2" "$(status_of "$resp")"
	if grep -q TOPSECRET <<<"$resp"; then fail "$T/$1: secret leaked" "$3"; fi
}
get "plain ../" 400 "/../secret.txt"
get "nested ../ climbing out" 400 "/sub/../../secret.txt"
get "../ staying inside is refused too" 400 "/sub/../index.html"
get "%2e%2e/" 400 "/%2e%2e/secret.txt"
get "%2E%2E%2F" 400 "/%2E%2E%2Fsecret.txt"
get "..%2f" 400 "/..%2fsecret.txt"
get "%2f..%2f in a segment" 400 "/sub%2f..%2f..%2fsecret.txt"
get "double encoding stays literal" 404 "/%252e%252e/secret.txt"
get "%00" 400 "/index.html%00.png"
get "backslash is just a character" 404 '/..\secret.txt'
get "absolute-form with ../" 400 "http://x/../secret.txt"
get "relative symlink out" 403 "/out-rel"
get "absolute symlink out" 403 "/out-abs"
get "through a directory symlink out" 403 "/out-dir/secret.txt"
get "hidden file" 404 "/.htpasswd"
get "fifo" 403 "/fifo"
expect_eq "$T/symlink inside is followed" inner "$(curl -s "$HTTPD_URL/in-link")"
expect_eq "$T/%2f decodes to a slash inside the root" inner "$(curl -s "$HTTPD_URL/sub%2finner.txt")"
expect_eq "$T/curl --path-as-is ../" 400 "$(curl_code "$HTTPD_URL/../secret.txt" --path-as-is)"
# The directory redirect never becomes a network-path reference ("//sub/"
# is the host "sub" to a browser): leading slashes collapse, as in nginx.
# location NAME WANT TARGET: the Location of the 301 to TARGET.
location() {
	local resp
	resp=$(printf 'GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' "$3" | raw)
	expect_eq "$T/redirect $1: Location $2" "301 $2" "$(status_of "$resp") $(header_of "$resp" Location)"
}
location "/sub" /sub/ /sub
location "//sub" /sub/ //sub
location "///sub?q=1" "/sub/?q=1" "///sub?q=1"
location "absolute-form //sub" /sub/ http://x//sub
location "/\\evil (a browser reads \\ as /)" /evil/ '/\evil'
check "$T/server still serves after the attempts" test "$(curl -s "$HTTPD_URL/")" = public
stop_pid "$HTTPD_PID"
