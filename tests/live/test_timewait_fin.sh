#!/bin/bash
# Live test (root): a FIN that a timewait socket answers is not a drop.
# The server closes an idle keep-alive connection first; its socket is
# orphaned in FIN_WAIT2 and handed over to a timewait socket at once. When
# the client closes later, its FIN reaches that timewait socket, which ACKs
# it and then frees the segment through the kernel's drop path with no
# reason (NOT_SPECIFIED). The tracer once reported that FIN as "dropped in
# the kernel"; it must report no drop, while the FIN and its ACK are there.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=timewait_fin
rb_prereq "$T" python3 jq ip || exit 1
NS=tlh-twfin-$$
PORT=8080 # our own namespace: nobody else listens
J=$TL_TMP/twfin.json

nsx() { ip netns exec "$NS" "$@"; }
if ! rb_netns "$NS"; then
	fail "${T}_setup" "no namespace $NS"
	exit 1
fi
start_bg "$TL_TMP/httpd.log" ip netns exec "$NS" "$HTTPD" -p "$PORT" -r "$TL_ROOT/www" -t 1 -q
SERVER_PID=$TL_BG
deadline=$((SECONDS + 5))
until nsx ss -Htln "( sport = :$PORT )" | grep -q . || [ $SECONDS -ge $deadline ]; do sleep 0.05; done
start_tracer "$J" "$TL_TMP/tracer.err" ip netns exec "$NS" "$TRACER" --json -p "$PORT"
if ! wait_for_line "$J" '"type":"start"' 10; then
	fail "${T}_setup" "the tracer did not start: $(head -c 300 "$TL_TMP/tracer.err")"
	exit 1
fi

# One request on a keep-alive connection; read until the server's idle
# timeout closes it (EOF), and close only once the server's side is a
# timewait socket (ss lists it as FIN-WAIT-2): closing sooner sends the FIN
# with the delayed ACK of the server's, to the server's own socket.
got=$(nsx timeout 10 python3 -c '
import socket, subprocess, sys, time
port = sys.argv[1]
s = socket.create_connection(("127.0.0.1", int(port)))
s.sendall(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
ss = ["ss", "-Htn", "state", "fin-wait-2", "( sport = :%s )" % port]
end = time.monotonic() + 5
while not subprocess.run(ss, capture_output=True).stdout and time.monotonic() < end:
    time.sleep(0.02)
print(data.split(b"\r\n", 1)[0].decode(), "handed over" if time.monotonic() < end else "")
s.close()
' "$PORT" 2>&1)
expect_eq "${T}_response" "HTTP/1.1 200 OK handed over" "$got"

# The client's FIN (the second FIN of the life) and the timewait socket's
# ACK of it are the last two segments.
fins() { jq -c 'select(.type == "packet" and (.flags | test("FIN")))' "$J" | wc -l; }
last_ack() {
	jq -r 'select(.type == "packet") | "\(.sport) \(.flags)"' "$J" | tail -1
}
deadline=$((SECONDS + 10))
until [ "$(fins)" -ge 2 ] && [ "$(last_ack)" = "$PORT ACK" ] || [ $SECONDS -ge $deadline ]; do
	sleep 0.05
done
expect_eq "${T}_two_fins" 2 "$(fins)"
expect_eq "${T}_server_acks_last_fin" "$PORT ACK" "$(last_ack)"
expect_eq "${T}_server_closed_first" "$PORT" \
	"$(jq -r 'select(.type == "packet" and (.flags | test("FIN"))) | .sport' "$J" | head -1)"
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_tracer_exit" 0 "$STOP_RC"
stop_pid "$SERVER_PID"
expect_eq "${T}_no_drop" "" "$(jq -c 'select(.type == "drop")' "$J")"
