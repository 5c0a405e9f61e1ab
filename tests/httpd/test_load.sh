#!/bin/bash
# Concurrency: hundreds of simultaneous transfers, all right to the byte,
# and a thousand idle connections held open while others are served.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=load

httpd_start -r "$HTTPD_WWW" -q -t 10 || { fail "$T/start" "server did not start"; exit 0; }

# 500 transfers, up to 300 at once, alternating a multi-segment PNG and the page.
mkdir -p "$TL_TMP/out"
for i in $(seq 500); do
	f=$([ $((i % 2)) = 0 ] && echo logo.png || echo index.html)
	printf 'url = "%s/%s?n=%d"\noutput = "%s/out/%d.%s"\n' "$HTTPD_URL" "$f" "$i" "$TL_TMP" "$i" "$f"
done >"$TL_TMP/urls"
start=$EPOCHREALTIME
curl -s --parallel --parallel-immediate --parallel-max 300 --max-time 60 -K "$TL_TMP/urls" \
	-w '%{http_code}\n' >"$TL_TMP/codes" 2>"$TL_TMP/curl.err"
took=$(ms_since "$start")
expect_eq "$T/500 parallel transfers: all 200 (${took} ms)" "500 200" "$(sort "$TL_TMP/codes" | uniq -c | xargs)"
bad=0
for f in "$TL_TMP"/out/*; do
	name=${f##*/}
	cmp -s "$f" "$HTTPD_WWW/${name#*.}" || bad=$((bad + 1))
done
expect_eq "$T/500 parallel transfers: every body exact" 0 "$bad"
expect_eq "$T/500 parallel transfers: 500 files" 500 "$(ls "$TL_TMP/out" | wc -l)"

# wait_for_established N: the server has N established connections (5 s).
wait_for_established() {
	local deadline=$((SECONDS + 5))
	while [ $SECONDS -lt $deadline ]; do
		[ "$(ss -Htn state established "( sport = :$HTTPD_PORT )" | wc -l)" -ge "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# 1000 idle connections (the shell's descriptor limit raised for them).
ulimit -n 4096 2>/dev/null
fds=()
for i in $(seq 1000); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$HTTPD_PORT" || break
	fds+=("$fd")
done
expect_eq "$T/1000 connections opened" 1000 "${#fds[@]}"
check "$T/server holds them all" wait_for_established 1000
start=$EPOCHREALTIME
expect_eq "$T/a request among 1000 idle connections" 200 "$(curl_code "$HTTPD_URL/logo.png")"
check "$T/answered without delay" test "$(ms_since "$start")" -lt 1000
check "$T/body exact" cmp "$TL_TMP/body" "$HTTPD_WWW/logo.png"
for fd in "${fds[@]}"; do exec {fd}>&-; done
stop_pid "$HTTPD_PID"

# Out of descriptors (limit 64): accepting pauses without spinning, and
# resumes once connections end.
out=$TL_TMP/nofile.out
start_bg "$out" bash -c 'ulimit -n 64 && exec "$0" "$@"' "$HTTPD_BIN" -p 0 -q -r "$HTTPD_WWW"
pid=$TL_BG
wait_for_line "$out" '^tcplife-httpd: serving' 5 || fail "$T/start at 64 fds" "$(tail -2 "$out")"
HTTPD_PORT=$(grep -m1 -oE ':[0-9]+/' "$out" | head -1 | tr -dc 0-9)
fds=()
for i in $(seq 100); do
	exec {fd}<>"/dev/tcp/127.0.0.1/$HTTPD_PORT" || break
	fds+=("$fd")
done
# CPU time in clock ticks (1/100 s): ps's whole seconds may not move in a
# second of spinning on a loaded machine.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sleep 0.5
cpu=$(cpu_ticks "$pid")
sleep 1
used=$(($(cpu_ticks "$pid") - cpu))
check "$T/out of fds: no busy loop ($used ticks of CPU in 1 s)" test "$used" -lt 10
for fd in "${fds[@]}"; do exec {fd}>&-; done
expect_eq "$T/out of fds: serving again once they close" 200 \
	"$(curl_code "http://127.0.0.1:$HTTPD_PORT/" --retry 3 --retry-connrefused)"
stop_pid "$pid"
