#!/bin/bash
# Benchmark (not a test): how big a ladder report gets and how fast Chromium
# opens it. A synthetic --json trace of N connections (default 10,000): nine
# in ten a page load (handshake, GET, 200 of 1.4 kB, four-way close, both
# sides' states, TIME_WAIT of 60 s), one in ten a 3 MB download of 100 data
# segments (one fold). Prints the trace's and the report's sizes, bytes per
# connection, the time `tcplife-http report` takes, and Chromium's time to
# load the page (a page framing it measures from navigation to the load
# event), the median of 3, with the target (< 3 s for 10,000) and the load
# average (a busy machine inflates it).
# Usage: tests/bench/report.sh [CONNECTIONS]. Needs chromium and python3; no root.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 1
N=${1:-10000}
D=$(mktemp -d /tmp/tcplife-bench-report.XXXXXX)
trap 'rm -rf "$D"' EXIT

/usr/bin/python3 - "$N" "$D/trace.json" <<'PY'
import json, sys
n, out = int(sys.argv[1]), open(sys.argv[2], "w")
def w(**o): out.write(json.dumps(o, separators=(",", ":")) + "\n")
for i in range(1, n + 1):
    t, big, port = 1700000000 + i * 0.01, i % 10 == 0, 10000 + i % 50000
    ts = lambda us: round(t + us / 1e6, 6)
    def pkt(us, d, flags, seq, ack, ln, opts=None):
        c2s = d == "c2s"
        o = dict(type="packet", ts=ts(us), conn=i, src="127.0.0.1", sport=port if c2s else 8080,
                 dst="127.0.0.1", dport=8080 if c2s else port, dir=d, flags=flags, seq=seq, ack=ack,
                 seq_raw=seq + (1000 if c2s else 5000), ack_raw=ack + (5000 if c2s else 1000), len=ln,
                 win=512, win_scaled=65536, frame_len=66 + ln, options=opts or "NOP NOP TSval=%d TSecr=%d" % (i, i))
        w(**o)
    def st(us, side, old, new): w(type="state", ts=ts(us), conn=i, side=side, old=old, new=new, inferred=False)
    size = 3000000 if big else 1400
    st(0, "client", "CLOSE", "SYN_SENT")
    pkt(10, "c2s", "SYN", 0, 0, 0, "MSS=65495 SACK_PERM TSval=1 TSecr=0 WS=1024")
    pkt(20, "s2c", "SYN, ACK", 0, 1, 0, "MSS=65495 SACK_PERM TSval=2 TSecr=1 WS=1024")
    st(25, "client", "SYN_SENT", "ESTABLISHED"); pkt(30, "c2s", "ACK", 1, 1, 0)
    st(35, "server", "NEW_SYN_RECV", "ESTABLISHED")
    pkt(40, "c2s", "PSH, ACK", 1, 1, 80)
    w(type="http", ts=ts(40), conn=i, dir="request", method="GET", uri="/big.bin" if big else "/", version="HTTP/1.1", seq=1)
    pkt(50, "s2c", "ACK", 1, 81, 0)
    seg = 30000 if big else size
    for k in range(size // seg):
        pkt(60 + k * 10, "s2c", "PSH, ACK", 1 + k * seg, 81, seg)
        if k == 0:
            w(type="http", ts=ts(60), conn=i, dir="response", version="HTTP/1.1", status=200, reason="OK", seq=1, latency_ms=0.02)
        if big:
            pkt(65 + k * 10, "c2s", "ACK", 81, 1 + (k + 1) * seg, 0)
    e = 100 + size // seg * 10
    w(type="exchange", ts=ts(e), conn=i, method="GET", uri="/", status=200, body_bytes=size, complete=True)
    st(e, "client", "ESTABLISHED", "FIN_WAIT1"); pkt(e + 1, "c2s", "FIN, ACK", 81, size + 1, 0)
    st(e + 2, "server", "ESTABLISHED", "CLOSE_WAIT"); pkt(e + 3, "s2c", "ACK", size + 1, 82, 0)
    st(e + 4, "server", "CLOSE_WAIT", "LAST_ACK"); pkt(e + 5, "s2c", "FIN, ACK", size + 1, 82, 0)
    st(e + 6, "client", "FIN_WAIT1", "FIN_WAIT2"); pkt(e + 7, "c2s", "ACK", 82, size + 2, 0)
    st(e + 8, "client", "FIN_WAIT2", "TIME_WAIT"); st(e + 9, "server", "LAST_ACK", "CLOSE")
    w(type="conn", ts=ts(e + 9), conn=i, client="127.0.0.1:%d" % port, server="127.0.0.1:8080",
      client_pid=100, client_comm="curl", server_pid=200, server_comm="tcplife-httpd",
      start=ts(0), end=ts(e + 9), duration_ms=e / 1000, bytes_c2s=80, bytes_s2c=size, packets=9,
      requests=1, responses=1, closed_by="client", time_wait="client", mid_stream=False,
      roles_guessed=False, incomplete=False, open_at_exit=False, evicted=False)
    w(type="time_wait_end", ts=ts(60e6), conn=i, side="client", local="127.0.0.1:%d" % port,
      remote="127.0.0.1:8080", duration_ms=60000.0, confirmed=True)
PY

t0=$(date +%s.%N)
./tcplife-http report "$D/trace.json" -o "$D/report.html" || exit 1
t1=$(date +%s.%N)
cat >"$D/time.html" <<'HTML'
<!DOCTYPE html><pre id="out">pending</pre><iframe id="f" width="1200" height="900"></iframe>
<script>
var t0 = performance.now();
f.onload = function () {
	var d = f.contentDocument;
	out.textContent = Math.round(performance.now() - t0) + ' ms, ' +
		d.querySelectorAll('svg.ladder').length + ' diagrams drawn';
};
f.src = 'report.html';
</script>
HTML
loads=()
for i in 1 2 3; do
	p=$(mktemp -d "$D/profile.XXXXXX")
	loads+=("$(timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$p" --allow-file-access-from-files --dump-dom "file://$D/time.html" 2>/dev/null |
		sed -n 's|.*<pre id="out">\([^<]*\)</pre>.*|\1|p')")
done
ms=$(printf '%s\n' "${loads[@]}" | sort -n | sed -n 2p)
tsize=$(stat -c %s "$D/trace.json")
rsize=$(stat -c %s "$D/report.html")
echo "connections:          $N"
echo "trace:                $tsize bytes"
echo "report:               $rsize bytes ($((rsize / N)) per connection)"
echo "tcplife-http report:  $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s"
echo "Chromium load:        ${ms:-failed} (median of 3: ${loads[*]})"
echo "target:               < 3000 ms for 10,000 connections: $([ "${ms%% *}" -lt 3000 ] 2>/dev/null && echo PASS || echo MISS)"
echo "load average:         $(cut -d' ' -f1-3 /proc/loadavg)"
