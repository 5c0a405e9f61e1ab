#!/bin/bash
# Live test (root): the ladder report (--html, --svg, `report`) in Chromium.
#
# One tracer run (`--json --html --svg`, dumpcap beside it) sees the traffic
# of the tshark-agreement scenarios in small: the page over IPv4 and IPv6, a
# keep-alive connection with two requests, a 206 range, a revalidation 304,
# a 404, a 3 MB download (folded), a refused connection (RST). Then:
# - the --html page is rewritten while the tracer runs, as lives end, at
#   most once a second (a second tracer watched through 40 connections);
# - headless Chromium loads it: one diagram per connection, one .seg per
#   packet of the JSON trace in order (folded ones too, counted through
#   data-count), each side's states in order, one .http per message, no
#   markup but the page's own; a screenshot is not blank, in Firefox's
#   headless mode too; printed, it is the table's page and one page per
#   connection;
# - in a page that frames the report, a fold unfolds on click (what is
#   below moves down by its height) and the table sorts on a click;
# - a report of 250 connections shows them 100 at a time: the third page,
#   stored deflated, unpacks in the browser to the last 50; a sort puts all
#   250 rows in the table, and an id's link shows the page of its diagram;
# - `report trace.json` gives the same page byte for byte; `report` of
#   dumpcap's capture draws the same segments and HTTP lines;
# - every --svg file renders with rsvg-convert;
# - a capture of hostile packets (scapy: <script> and quotes in a URI, a
#   reason and a Host, control bytes, invalid UTF-8) gives a valid page and
#   SVGs with nothing from the wire as markup.
# 17 to 33 s on the 2-core VM under other jobs. TL_KEEP=DIR keeps the files.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/live_lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/robust_lib.sh"
cd "$TL_ROOT" || exit 1

T=report
rb_prereq "$T" dumpcap chromium firefox-esr curl rsvg-convert xmllint /usr/bin/python3 || exit 1
if ! /usr/bin/python3 -c 'import scapy' 2>/dev/null; then
	fail "${T}_prerequisites" "python3-scapy is not installed"
	exit 1
fi
CHECK=$TL_ROOT/tests/live/report_check.py
D=$TL_TMP/report
mkdir -p "$D/www"
# A live tracer gives up root once attached and writes its report as the
# user it becomes (nobody under a root shell): it may reach and write $D.
chmod o+x "$TL_TMP"
chmod 1777 "$D"

# chromium_run ARGS...: headless Chromium with a profile of its own, bounded.
chromium_run() {
	local profile
	profile=$(mktemp -d "$TL_TMP/profile.XXXXXX")
	timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>>"$D/chromium.log"
}

# ---- traffic ----------------------------------------------------------------
cp www/index.html www/style.css www/intro.mp3 "$D/www/"
head -c 3000000 /dev/zero | tr '\0' 'x' >"$D/www/big.txt"
PORT=$(free_port)
CLOSED=$(free_port)
start_bg "$D/httpd.log" "$HTTPD" -p "$PORT" -r "$D/www" -q
if ! wait_for_port "$PORT" 5; then
	fail "${T}_setup" "tcplife-httpd did not listen: $(head -c 300 "$D/httpd.log")"
	exit 1
fi
start_bg "$D/dumpcap.log" dumpcap -B 64 -i lo -f "tcp port $PORT or tcp port $CLOSED" -w "$D/dumpcap.pcapng"
DUMPCAP_PID=$TL_BG
wait_for_line "$D/dumpcap.log" '^File:' 10 || { fail "${T}_setup" "dumpcap did not start"; exit 1; }
start_tracer "$D/trace.json" "$D/tracer.err" "$TRACER" --json -p "$PORT" -p "$CLOSED" \
	--html "$D/live.html" --svg "$D/svg"
wait_for_line "$D/trace.json" '"type":"start"' 10 || { fail "${T}_setup" "tracer did not start: $(head -c 300 "$D/tracer.err")"; exit 1; }

U=http://127.0.0.1:$PORT
c() { curl -s --max-time 10 -o /dev/null "$@"; }
c "$U/"
etag=$(curl -s --max-time 10 -D - -o /dev/null "$U/index.html" | tr -d '\r' | sed -n 's/^[Ee][Tt][Aa][Gg]: *//p')
c -H "If-None-Match: $etag" "$U/index.html"
c -r 0-999 "$U/intro.mp3"
c "$U/style.css" -o /dev/null "$U/no-such-file"
c "$U/big.txt"
c -g "http://[::1]:$PORT/"
c "http://127.0.0.1:$CLOSED/"
NCONN=8

# The page follows the lives as they end, while the tracer still runs.
drawn() { grep -o '<svg [^>]*data-conn=' "$D/live.html" 2>/dev/null | wc -l; }
deadline=$((SECONDS + 10))
while [ "$(drawn)" -lt $NCONN ] && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
expect_eq "${T}_html_rewritten_as_lives_end" "$NCONN diagrams" "$(drawn) diagrams"
stop_bounded "$TRACER_PID" 10
expect_eq "${T}_tracer_exit" 0 "$STOP_RC"
stop_pid "$DUMPCAP_PID"
capture_complete "$T" "$D/dumpcap.log"

# At most one rewrite a second: a second tracer on the same server, its
# --html watched (each rewrite is a new file renamed in: a new inode) while
# 40 connections end within about 2 s.
start_tracer /dev/null "$D/rate.err" "$TRACER" -p "$PORT" --summary --html "$D/rate.html"
RATE_PID=$TRACER_PID
deadline=$((SECONDS + 10))
while [ ! -e "$D/rate.html" ] && [ $SECONDS -lt $deadline ]; do sleep 0.02; done
sleep 0.5 # the tracer's hooks are attached once the file is there; its start line is not on stdout
inodes() { while kill -0 "$RATE_PID" 2>/dev/null; do stat -c %i "$D/rate.html" 2>/dev/null; sleep 0.01; done | uniq | wc -l; }
inodes >"$D/rate.count" &
WATCH_PID=$!
t0=$SECONDS
for i in $(seq 40); do c "$U/style.css"; done
sleep 1.5
elapsed=$((SECONDS - t0))
stop_bounded "$RATE_PID" 10
wait "$WATCH_PID"
writes=$(($(cat "$D/rate.count") - 1))
if [ "$writes" -ge 1 ] && [ "$writes" -le $((elapsed + 1)) ]; then
	pass "${T}_html_at_most_once_a_second"
else
	fail "${T}_html_at_most_once_a_second" "$writes rewrites in about $elapsed s"
fi

# ---- the page in Chromium ------------------------------------------------
chromium_run --dump-dom "file://$D/live.html" >"$D/live.dom"
"$CHECK" dom "$D/live.dom" "$D/trace.json" "${T}_live"
chromium_run --window-size=1200,1400 --screenshot="$D/live.png" "file://$D/live.html" >/dev/null
"$CHECK" colours "$D/live.png" "${T}_live"
# Firefox draws it too (its headless mode takes screenshots, not the DOM).
FF_PROFILE=$(mktemp -d "$TL_TMP/firefox.XXXXXX")
HOME=$FF_PROFILE timeout 90 firefox-esr --headless --no-remote --profile "$FF_PROFILE" --window-size=1200,1400 \
	--screenshot "$D/firefox.png" "file://$D/live.html" >"$D/firefox.log" 2>&1
"$CHECK" colours "$D/firefox.png" "${T}_firefox"

# Printed: the table, then one page per connection (each of these fits one).
chromium_run --no-pdf-header-footer --print-to-pdf="$D/live.pdf" "file://$D/live.html" >/dev/null
expect_eq "${T}_printed_a_page_each" "$((NCONN + 1)) pages" \
	"$(/usr/bin/python3 -c 'import re, sys; print(len(re.findall(rb"/Type\s*/Page[^s]", open(sys.argv[1], "rb").read())))' "$D/live.pdf") pages"

# Unfolding and sorting, driven by a page that frames the report (file
# URLs are one origin with --allow-file-access-from-files).
cat >"$D/drive.html" <<'HTML'
<!DOCTYPE html><iframe id="f" src="live.html" width="1200" height="800"></iframe><pre id="out"></pre>
<script>
f.onload = function () {
	var d = f.contentDocument, g = d.querySelector('g.fold'), svg = g.ownerSVGElement;
	var foot = svg.querySelector('g.foot'), h0 = +svg.getAttribute('height'), y0 = +foot.dataset.y;
	var grow = +g.dataset.h - 26; /* the folded row is TL_RP_FOLD_H high */
	g.querySelector('text').dispatchEvent(new MouseEvent('click', {bubbles: true}));
	var th = d.querySelectorAll('#conns th')[5];
	th.click();
	var durs = [].map.call(d.querySelectorAll('#conns tbody tr'), function (r) { return +r.cells[5].dataset.v; });
	out.textContent = JSON.stringify({
		body_shown: !g.querySelector('.fold-body').hasAttribute('display'),
		svg_grew: +svg.getAttribute('height') - h0 === grow,
		below_moved: +foot.dataset.y - y0 === grow,
		sorted: durs.every(function (v, i) { return i === 0 || durs[i - 1] <= v; }) && durs.length > 1
	});
};
</script>
HTML
chromium_run --allow-file-access-from-files --virtual-time-budget=5000 --dump-dom "file://$D/drive.html" >"$D/drive.dom"
expect_eq "${T}_unfold_and_sort" '{"body_shown":true,"svg_grew":true,"below_moved":true,"sorted":true}' \
	"$(sed -n 's|.*<pre id="out">\(.*\)</pre>.*|\1|p' "$D/drive.dom" | sed 's/&quot;/"/g')"

# Paging: a trace of 250 connections (this run's, repeated under new ids)
# shows 100 at a time; the third page, unpacked by the browser, holds the
# last 50 connections' rows and diagrams; sorting by id (twice: descending)
# lists all 250; the link of id 120 shows the second page.
/usr/bin/python3 - "$D/trace.json" "$D/t250.json" <<'PY'
import json, sys
lives = {}
for line in open(sys.argv[1]):
    o = json.loads(line)
    if "conn" in o:
        lives.setdefault(o["conn"], []).append(o)
with open(sys.argv[2], "w") as out:
    for n in range(1, 251):
        for o in lives[sorted(lives)[n % len(lives)]]:
            out.write(json.dumps(dict(o, conn=n, ts=o["ts"] + n)) + "\n")
PY
"$TRACER" report "$D/t250.json" -o "$D/t250.html" 2>>"$D/report.err"
cat >"$D/pages.html" <<'HTML'
<!DOCTYPE html><iframe id="f" src="t250.html" width="1200" height="800"></iframe><pre id="out"></pre>
<script>
f.onload = function () {
	var d = f.contentDocument, nav = d.getElementById('pager');
	nav.querySelectorAll('button')[2].click();
	var got = {}, th = d.querySelectorAll('#conns th')[0];
	// until(COND, THEN): THEN once COND holds (the page works asynchronously).
	function until(cond, then) { if (cond()) then(); else setTimeout(until, 20, cond, then); }
	until(function () { return nav.dataset.shown === '3'; }, function () {
		var svgs = d.querySelectorAll('svg.ladder');
		got.page3 = {buttons: nav.querySelectorAll('button').length,
			rows: d.querySelectorAll('#conns tbody tr').length, diagrams: svgs.length,
			first: svgs[0].dataset.conn, last: svgs[svgs.length - 1].dataset.conn};
		// Sorting takes every connection's row; then id 120's link shows page 2.
		th.click();
		until(function () { return th.dataset.dir === 'asc'; }, function () {
			th.click();
			var rows = d.querySelectorAll('#conns tbody tr');
			got.sorted = {rows: rows.length, first: rows[0].cells[0].textContent};
			d.querySelector('#conns a[href="#conn-120"]').click();
			until(function () { return d.getElementById('conn-120'); }, function () {
				got.link = {shown: nav.dataset.shown, rows: d.querySelectorAll('#conns tbody tr').length};
				out.textContent = JSON.stringify(got);
			});
		});
	});
};
</script>
HTML
chromium_run --allow-file-access-from-files --virtual-time-budget=10000 --dump-dom "file://$D/pages.html" >"$D/pages.dom"
expect_eq "${T}_stored_pages_sort_and_link" '{"page3":{"buttons":3,"rows":50,"diagrams":50,"first":"201","last":"250"},"sorted":{"rows":250,"first":"250"},"link":{"shown":"2","rows":250}}' \
	"$(sed -n 's|.*<pre id="out">\(.*\)</pre>.*|\1|p' "$D/pages.dom" | sed 's/&quot;/"/g')"

# ---- the same report from the trace and from dumpcap's capture ------------
"$TRACER" report "$D/trace.json" -o "$D/from-json.html" 2>"$D/report.err"
check "${T}_from_json_is_the_live_page" cmp -s "$D/live.html" "$D/from-json.html"
"$TRACER" report "$D/dumpcap.pcapng" -p "$PORT" -p "$CLOSED" -o "$D/from-pcap.html" 2>>"$D/report.err"
chromium_run --dump-dom "file://$D/from-pcap.html" >"$D/from-pcap.dom"
# --html beside another output and -r: the same page as report's.
(cd "$D" && "$TRACER" -r dumpcap.pcapng -p "$PORT" -p "$CLOSED" --summary --html r-summary.html >/dev/null 2>&1 &&
	"$TRACER" report dumpcap.pcapng -p "$PORT" -p "$CLOSED" -o report-r.html 2>/dev/null)
check "${T}_html_with_summary_and_r" cmp -s "$D/r-summary.html" "$D/report-r.html"
"$CHECK" same "$D/live.dom" "$D/from-pcap.dom" "${T}_pcap_vs_live"

# ---- bad input and unwritable paths: one line, an exit status -------------
# one_line NAME WANT-STATUS CMD...: the command fails with that status and
# says why in one line.
one_line() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >/dev/null 2>"$D/one_line.err"
	rc=$?
	expect_eq "$name" "exit $want, 1 line" "exit $rc, $(wc -l <"$D/one_line.err") line$( [ "$(wc -l <"$D/one_line.err")" = 1 ] || echo "s: $(head -c 200 "$D/one_line.err")")"
}
# A live run stops at its first write (-d bounds it if it did not).
one_line "${T}_unwritable_html_live" 1 "$TRACER" -p "$PORT" --json -d 10 --html /nonexistent-dir/x.html
one_line "${T}_unwritable_html_r" 1 "$TRACER" -r "$D/dumpcap.pcapng" --json --html /nonexistent-dir/x.html
head -c 300 "$D/trace.json" >"$D/cut.json"
one_line "${T}_cut_trace" 2 "$TRACER" report "$D/cut.json" -o "$D/cut.html"
one_line "${T}_not_a_capture" 2 "$TRACER" report "$D/www/style.css" -o "$D/x.html"
one_line "${T}_nothing_to_write" 2 "$TRACER" report "$D/trace.json"

# ---- the standalone SVGs ---------------------------------------------------
n=0 bad=
for f in "$D"/svg/conn-*.svg; do
	[ -e "$f" ] || continue
	n=$((n + 1))
	rsvg-convert "$f" -o "${f%.svg}.png" 2>>"$D/rsvg.err" || bad+=" $(basename "$f")"
done
expect_eq "${T}_svg_files_render" "$NCONN rendered" "$n rendered${bad:+, failed:$bad}"

# ---- hostile bytes from the wire -------------------------------------------
/usr/bin/python3 - "$D/hostile.pcap" <<'PY'
import sys
from scapy.all import IP, TCP, Raw, wrpcap
c, s, pkts, t = ("127.0.0.1", 40000), ("127.0.0.1", 8080), [], 1700000000.0
def seg(src, dst, flags, seq, ack, data=b""):
    global t
    t += 0.001
    p = IP(src=src[0], dst=dst[0]) / TCP(sport=src[1], dport=dst[1], flags=flags, seq=seq, ack=ack) / Raw(data)
    p.time = t
    pkts.append(p)
req = (b"GET /<script>alert(1)</script>?q=\"'><img/src=x/onerror=alert(2)>\xff\xfe HTTP/1.1\r\n"
       b"Host: <iframe src=//evil>\r\n\r\n")
rsp = b"HTTP/1.1 200 <svg onload=alert(3)></svg>&amp;\xc0\xaf\r\nContent-Length: 0\r\n\r\n"
seg(c, s, "S", 100, 0); seg(s, c, "SA", 500, 101); seg(c, s, "A", 101, 501)
seg(c, s, "PA", 101, 501, req); seg(s, c, "PA", 501, 101 + len(req), rsp)
seg(c, s, "FA", 101 + len(req), 501 + len(rsp)); seg(s, c, "FA", 501 + len(rsp), 102 + len(req))
seg(c, s, "A", 102 + len(req), 502 + len(rsp))
wrpcap(sys.argv[1], pkts)
PY
"$TRACER" report "$D/hostile.pcap" -o "$D/hostile.html" --svg "$D/hostile-svg" 2>>"$D/report.err"
"$TRACER" -r "$D/hostile.pcap" --json >"$D/hostile.json" 2>>"$D/report.err"
chromium_run --dump-dom "file://$D/hostile.html" >"$D/hostile.dom"
"$CHECK" dom "$D/hostile.dom" "$D/hostile.json" "${T}_hostile"
check "${T}_hostile_uri_shown_as_text" grep -qF '&lt;script&gt;alert(1)&lt;/script&gt;' "$D/hostile.dom"
check "${T}_hostile_svg_is_xml" xmllint --noout "$D/hostile-svg/conn-1.svg"
check "${T}_hostile_svg_renders" rsvg-convert "$D/hostile-svg/conn-1.svg" -o "$D/hostile.png"
if [ -n "${TL_KEEP:-}" ]; then
	mkdir -p "$TL_KEEP" && cp -r "$D" "$TL_KEEP/"
fi
