#!/bin/bash
# Live test (root): TCP Fast Open in the options text, as tshark writes it.
# In a network namespace of our own (net.ipv4.tcp_fastopen=3 there only), a
# client sends with MSG_FASTOPEN twice to a listener with TCP_FASTOPEN: the
# first SYN asks for a cookie (TFO=R) and the SYN-ACK brings one (TFO=C),
# the second SYN carries the cookie and its data. Every SYN's options in the
# tracer's JSON must equal the options in tshark's Info column for the same
# frame in a dumpcap capture, and the kernel must really have done Fast
# Open (TFO=R then TFO=C with 5 bytes on the client's SYNs).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=tfo
rb_prereq "$T" python3 dumpcap tshark jq ip || exit 1
NS=tlh-tfo-$$
PORT=5555 # our own namespace: nobody else listens; not a port tshark dissects
CAP=$TL_TMP/tfo.pcapng
J=$TL_TMP/tfo.json

# For commands run in the foreground only: a background one needs ip's own
# PID (ip netns exec execs the command), which a function would hide.
nsx() { ip netns exec "$NS" "$@"; }
if ! rb_netns "$NS" || ! nsx sysctl -qw net.ipv4.tcp_fastopen=3; then
	fail "${T}_setup" "no namespace $NS with net.ipv4.tcp_fastopen=3"
	exit 1
fi

# A listener that takes Fast Open (a queue of 5), answers each connection
# with "ok" and ends after two, or after 20 s.
start_bg "$TL_TMP/server.log" ip netns exec "$NS" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 5)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
s.settimeout(20)
for _ in range(2):
    c, _ = s.accept()
    c.recv(100)
    c.sendall(b"ok")
    c.close()
' "$PORT"
SERVER_PID=$TL_BG
deadline=$((SECONDS + 5))
until nsx ss -Htln "( sport = :$PORT )" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
start_bg "$TL_TMP/dumpcap.log" ip netns exec "$NS" dumpcap -B 64 -i lo -f "tcp port $PORT" -w "$CAP"
DUMPCAP_PID=$TL_BG
start_tracer "$J" "$TL_TMP/tracer.err" ip netns exec "$NS" "$TRACER" --json -p "$PORT"
if ! wait_for_line "$TL_TMP/dumpcap.log" '^File:' 10 || ! wait_for_line "$J" '"type":"start"' 10; then
	fail "${T}_setup" "dumpcap or the tracer did not start: $(head -c 300 "$TL_TMP/dumpcap.log" "$TL_TMP/tracer.err")"
	exit 1
fi

# Two connections, each data sent with the SYN (MSG_FASTOPEN): the first
# only asks for the cookie, the second uses it.
got=$(nsx timeout 10 python3 -c '
import socket, sys
for _ in range(2):
    c = socket.socket()
    c.sendto(b"hello", socket.MSG_FASTOPEN, ("127.0.0.1", int(sys.argv[1])))
    print(c.recv(100).decode(), end=" ")
    c.close()
' "$PORT" 2>&1)
expect_eq "${T}_client_answered" "ok ok " "$got"
deadline=$((SECONDS + 10))
while [ "$(grep -c '"type":"conn"' "$J")" -lt 2 ] && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
sleep 1 # dumpcap writes the last frames
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_tracer_exit" 0 "$STOP_RC"
stop_pid "$DUMPCAP_PID"
stop_pid "$SERVER_PID"
capture_complete "$T" "$TL_TMP/dumpcap.log"

# "SPORT FLAGS OPTIONS" for every segment with SYN, in order: tshark's
# options are its Info column after "Len=N".
tshark -r "$CAP" -Y 'tcp.flags.syn == 1' -T fields -E separator='|' -e tcp.srcport \
	-e tcp.len -e _ws.col.Info >"$TL_TMP/ts.txt" 2>"$TL_TMP/ts.err"
want=$(awk -F'|' '{ o = ""; if (match($3, / Len=[0-9]+ /)) o = substr($3, RSTART + RLENGTH)
	print $1, $2, o }' "$TL_TMP/ts.txt")
have=$(jq -r 'select(.type == "packet" and (.flags | test("SYN")))
	| "\(.sport) \(.len) \(.options // "")"' "$J")
expect_eq "${T}_syn_options_as_tshark" "$want" "$have"
# Fast Open happened: the client's SYNs asked, then carried the cookie and data.
expect_eq "${T}_client_syns" "0 TFO=R|5 TFO=C|" \
	"$(jq -r --argjson p "$PORT" 'select(.type == "packet" and .flags == "SYN" and .dport == $p)
		| "\(.len) \(.options | scan("TFO=[RC]"))"' "$J" | tr '\n' '|')"
