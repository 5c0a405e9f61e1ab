# A small client of Chromium's DevTools protocol over --remote-debugging-pipe
# (no websocket needed): Chromium reads commands on fd 3 and writes replies
# and events on fd 4, each a JSON text ended by NUL. Sourced by bash
# scripts (scripts/browse.sh, tests/live/test_browser.sh); needs jq.

# cdp_start DIR [CHROMIUM-ARGS...]: headless Chromium with a new profile and
# the pipe's FIFOs in DIR, its output in DIR/chromium.log, bounded to 120 s;
# sets CHROME_PID. Extra arguments go to Chromium.
cdp_start() {
	local dir=$1
	shift
	mkfifo "$dir/cdp.in" "$dir/cdp.out" || return 1
	mkdir -p "$dir/profile"
	trap '' PIPE # a dead Chromium makes writes fail, not end the script
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$dir/profile" --window-size=1000,900 --remote-debugging-pipe "$@" \
		about:blank 3<"$dir/cdp.in" 4>"$dir/cdp.out" >"$dir/chromium.log" 2>&1 &
	CHROME_PID=$!
	exec {CDP_W}>"$dir/cdp.in" {CDP_R}<"$dir/cdp.out"
	CDP_ID=0 CDP_SESSION='' CDP_MSG='' CDP_ERR=''
}

# cdp METHOD [PARAMS-JSON]: send a command (in the attached page's session
# once there is one); sets CDP_ID.
cdp() {
	local params=${2:-}
	CDP_ID=$((CDP_ID + 1))
	if ! jq -cjn --argjson id "$CDP_ID" --arg m "$1" --argjson p "${params:-null}" --arg s "$CDP_SESSION" \
		'{id: $id, method: $m, params: ($p // {})} + (if $s == "" then {} else {sessionId: $s} end)' \
		1>&"$CDP_W" 2>/dev/null || ! printf '\0' 1>&"$CDP_W" 2>/dev/null; then
		CDP_ERR="could not send $1: Chromium is not reading its pipe"
		return 1
	fi
}
# cdp_wait JQ-CONDITION SECONDS: read messages until one satisfies the
# condition; it is left in CDP_MSG. Fails on a timeout, end of file, or a
# reply to the last command that is an error.
cdp_wait() {
	local m left end=$((SECONDS + $2))
	while left=$((end - SECONDS)) && [ $left -gt 0 ]; do
		IFS= read -r -d '' -t "$left" m <&"$CDP_R" || break
		if jq -e --argjson id "$CDP_ID" '.id == $id and has("error")' >/dev/null <<<"$m"; then
			CDP_ERR=$m
			return 1
		fi
		if jq -e "$1" >/dev/null 2>&1 <<<"$m"; then
			CDP_MSG=$m
			return 0
		fi
	done
	CDP_ERR="no reply within $2 s (or end of file)"
	return 1
}
# cdp_call METHOD [PARAMS]: a command and its reply (in CDP_MSG).
cdp_call() { cdp "$@" && cdp_wait ".id == $CDP_ID" 20; }
# cdp_attach: a new page, attached (flat session) with page events on.
cdp_attach() {
	local target
	cdp_call Target.createTarget '{"url":"about:blank"}' &&
		target=$(jq -r .result.targetId <<<"$CDP_MSG") &&
		cdp_call Target.attachToTarget "{\"targetId\":\"$target\",\"flatten\":true}" &&
		CDP_SESSION=$(jq -r .result.sessionId <<<"$CDP_MSG") &&
		cdp_call Page.enable
}
# cdp_load URL|reload: navigate (or reload, as F5 does) and wait for the
# load event.
cdp_load() {
	if [ "$1" = reload ]; then cdp Page.reload; else cdp Page.navigate "{\"url\":\"$1\"}"; fi &&
		cdp_wait '.method == "Page.loadEventFired"' 30
}
# cdp_eval EXPRESSION: its value, as JSON text (in CDP_MSG's result); a
# promise is awaited.
cdp_eval() {
	cdp_call Runtime.evaluate "$(jq -cn --arg e "$1" '{expression: $e, returnByValue: true, awaitPromise: true}')" &&
		jq -c '.result.result.value' <<<"$CDP_MSG"
}
# cdp_stop: closes the browser, waits for it (10 s at most), then kills it.
cdp_stop() {
	local deadline=$((SECONDS + 10))
	cdp Browser.close 2>/dev/null
	while kill -0 "$CHROME_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
	kill "$CHROME_PID" 2>/dev/null
	wait "$CHROME_PID" 2>/dev/null
}
