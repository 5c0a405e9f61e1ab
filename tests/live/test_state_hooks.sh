#!/bin/bash
# Live test (root): each way of hooking socket states gives the same life
# for one GET: tp_btf (the default here), raw_tp, and the classic tracepoint,
# which needs tracefs: unless the machine has it already (systemd mounts it
# on most installs), it is mounted in a private mount namespace, so the
# machine's own mounts do not change. (The kernel sometimes reports a
# socket moving to the state it is in, e.g. FIN_WAIT1 -> FIN_WAIT1: left out.)
source "$(dirname "$0")/../lib.sh"
cd "$TL_ROOT" || exit 1

port=$(free_port)
mkdir -p "$TL_TMP/www"
echo hello >"$TL_TMP/www/index.html"
start_bg "$TL_TMP/httpd.log" ./tcplife-httpd -p "$port" -r "$TL_TMP/www" -q
wait_for_port "$port" 10 || { fail state_hooks_setup "server did not listen"; exit 1; }

want_client="CLOSE>SYN_SENT SYN_SENT>ESTABLISHED ESTABLISHED>FIN_WAIT1 FIN_WAIT1>FIN_WAIT2 FIN_WAIT2>CLOSE FIN_WAIT2>TIME_WAIT"
want_server="LISTEN>SYN_RECV SYN_RECV>ESTABLISHED ESTABLISHED>CLOSE_WAIT CLOSE_WAIT>LAST_ACK LAST_ACK>CLOSE"

# trace_one HOOK [WRAPPER...]: one GET traced with --state-hook HOOK.
trace_one() {
	local hook=$1 out=$TL_TMP/$1.json
	shift
	"$@" ./tcplife-http --json -p "$port" --state-hook "$hook" >"$out" 2>"$TL_TMP/$hook.err" &
	local tracer=$!
	TL_PIDS+=("$tracer")
	if ! wait_for_line "$out" '"type":"start"' 15; then
		fail "state_hook_${hook}_start" "$(head -c 300 "$TL_TMP/$hook.err")"
		return
	fi
	expect_eq "state_hook_${hook}_used" "$hook" "$(head -1 "$out" | jq -r .attach.state)"
	curl -s -o /dev/null "http://127.0.0.1:$port/"
	wait_for_line "$out" '"type":"conn"' 15
	stop_pid "$tracer"
	expect_eq "state_hook_${hook}_client" "$want_client" \
		"$(jq -r 'select(.type == "state" and .side == "client" and .old != .new) | "\(.old)>\(.new)"' "$out" | xargs)"
	expect_eq "state_hook_${hook}_server" "$want_server" \
		"$(jq -r 'select(.type == "state" and .side == "server" and .old != .new) | "\(.old)>\(.new)"' "$out" | xargs)"
	expect_eq "state_hook_${hook}_processes" "curl tcplife-httpd" \
		"$(jq -r 'select(.type == "conn") | "\(.client_comm) \(.server_comm)"' "$out")"
}

trace_one tp_btf
trace_one raw_tp
trace_one tracepoint unshare -m sh -c \
	'{ mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; } && exec "$@"' sh
