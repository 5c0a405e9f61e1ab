#!/bin/bash
# Benchmark (not a test): tcplife-httpd against Debian's nginx serving the
# same www/, in two parts (env MODES, default both):
# - throughput: wrk, keep-alive and Connection: close, alternating servers,
#   ROUNDS rounds of SECS seconds each; prints medians and the ratio.
# - attack: slow headers. ATTACK_CONNS connections each send ATTACK_BLOCK
#   bytes of unfinished "a:b" header lines, then one more byte every 2 ms
#   for ATTACK_SECS seconds, while a probe client GETs / on a new connection
#   every 20 ms; prints each server's CPU over the attack and the probe's
#   median and maximum latency, loaded and unloaded, then the ratios of
#   tcplife-httpd's CPU and CPU per byte to nginx's. nginx answers 400 to a
#   request of about 1000 header lines and only drains it after that; to
#   have it parse throughout, keep ATTACK_BLOCK + 500 * ATTACK_SECS under
#   4900 bytes (e.g. ATTACK_BLOCK=2000 ATTACK_SECS=4).
# Usage: tests/bench/httpd.sh [URL-PATH]   (default /; env ROUNDS=3 SECS=5
#        CONNS=50 MODES="throughput attack" ATTACK_CONNS=100 ATTACK_SECS=10
#        ATTACK_BLOCK=8192)
set -u
cd "$(dirname "$0")/../.."
ROOT=$PWD
path=${1:-/}
rounds=${ROUNDS:-3}
secs=${SECS:-5}
conns=${CONNS:-50}
modes=${MODES:-throughput attack}
attack_conns=${ATTACK_CONNS:-100}
attack_secs=${ATTACK_SECS:-10}
attack_block=${ATTACK_BLOCK:-8192}
tmp=$(mktemp -d /tmp/tcplife-bench.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

for tool in wrk nginx taskset curl python3; do
	command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] ||
		{ echo "httpd.sh: $tool missing (make bench-httpd installs it)" >&2; exit 1; }
done

# free_port: a port nobody listens on.
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		ss -Htan "( sport = :$p )" | grep -q . || { echo "$p"; return; }
	done
	return 1
}

# wait_http PORT: until the server answers (10 s).
wait_http() {
	for _ in $(seq 200); do
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$path")" = 200 ] && return 0
		sleep 0.05
	done
	echo "httpd.sh: no 200 from port $1" >&2
	return 1
}

# Both servers on CPU 0, wrk on CPU 1 (when there are two).
server_cpu=0
wrk_cpu=$(($(nproc) > 1 ? 1 : 0))

ours_port=$(free_port)
taskset -c "$server_cpu" "$ROOT/tcplife-httpd" -q -p "$ours_port" -l 127.0.0.1 -r "$ROOT/www" \
	>"$tmp/ours.log" 2>&1 &
pids+=($!)
# The attack's own instance: nginx's 60 s client_header_timeout, so neither
# server drops the slow clients during the run.
attack_port=$(free_port)
taskset -c "$server_cpu" "$ROOT/tcplife-httpd" -q -p "$attack_port" -l 127.0.0.1 -r "$ROOT/www" \
	-t 60 >"$tmp/attack.log" 2>&1 &
attack_pid=$!
pids+=($attack_pid)

# nginx: one worker, no access log, sendfile, the same keep-alive limits as
# ours (5 s, 100 requests), everything under $tmp.
nginx_port=$(free_port)
mkdir -p "$tmp/nginx/logs"
cat >"$tmp/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log;
events { worker_connections 4096; }
http {
	include /etc/nginx/mime.types;
	access_log off;
	sendfile on;
	tcp_nopush on;
	tcp_nodelay on;
	keepalive_timeout 5;
	keepalive_requests 100;
	client_body_temp_path $tmp/nginx/body;
	proxy_temp_path $tmp/nginx/proxy;
	fastcgi_temp_path $tmp/nginx/fastcgi;
	uwsgi_temp_path $tmp/nginx/uwsgi;
	scgi_temp_path $tmp/nginx/scgi;
	client_header_timeout 60s;
	server {
		listen 127.0.0.1:$nginx_port;
		root $ROOT/www;
		index index.html;
	}
}
CONF
taskset -c "$server_cpu" /usr/sbin/nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" \
	-g 'daemon off; user root;' >"$tmp/nginx.out" 2>&1 &
nginx_pid=$!
pids+=($nginx_pid)

wait_http "$ours_port" && wait_http "$nginx_port" && wait_http "$attack_port" || exit 1

# run PORT [WRK ARGS...]: requests/s of one wrk run; errors go to stderr.
run() {
	local port=$1 out
	shift
	out=$(taskset -c "$wrk_cpu" wrk -t1 -c"$conns" -d"${secs}s" "$@" "http://127.0.0.1:$port$path")
	grep -E 'Non-2xx|Socket errors' <<<"$out" >&2
	awk '/^Requests\/sec:/ {print $2}' <<<"$out"
}

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

throughput() {
	echo "tcplife-httpd vs nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/.*\///'): GET $path," \
		"wrk -t1 -c$conns -d${secs}s, $rounds rounds, servers on CPU $server_cpu, wrk on CPU $wrk_cpu"
	for mode in keep-alive close; do
		args=()
		[ "$mode" = close ] && args=(-H 'Connection: close')
		ours=() theirs=()
		for r in $(seq "$rounds"); do
			ours+=("$(run "$ours_port" "${args[@]}")")
			theirs+=("$(run "$nginx_port" "${args[@]}")")
		done
		o=$(median "${ours[@]}")
		n=$(median "${theirs[@]}")
		printf '%-10s tcplife-httpd %10.0f req/s   nginx %10.0f req/s   ratio %.2f   (rounds: %s | %s)\n' \
			"$mode" "$o" "$n" "$(awk -v a="$o" -v b="$n" 'BEGIN {print (b > 0 ? a / b : 0)}')" \
			"${ours[*]}" "${theirs[*]}"
	done
}

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
slow=$ROOT/tests/httpd/slow_headers.py

# kv KEY LINE: the value of KEY=value in LINE.
kv() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }

# probe PORT COUNT: "median max failed" of COUNT GETs, one every 20 ms. Not
# pinned: sharing CPU 1 with the busy load client, it measured its own wait
# for that CPU (a capture showed the server answering in 77 us, the probe
# seeing 1.3 ms).
probe() {
	local out
	out=$("$PY" "$slow" probe --port "$1" --count "$2" --interval-ms 20)
	echo "$(kv median_ms "$out") $(kv max_ms "$out") $(kv failed "$out")"
}

# attack_one NAME PORT PID: one server under the slow-header load; sets
# CPU and RATE (its CPU per byte read).
attack_one() {
	local name=$1 port=$2 pid=$3 idle loaded out
	read -r -a idle <<<"$(probe "$port" 100)"
	taskset -c "$wrk_cpu" "$PY" "$slow" load --port "$port" --conns "$attack_conns" --block "$attack_block" \
		--interval-ms 2 --seconds "$attack_secs" --pid "$pid" >"$tmp/load.out" &
	local load=$!
	for _ in $(seq 200); do
		grep -q trickling "$tmp/load.out" && break
		sleep 0.05
	done
	# Probes for all but the last second of the trickle.
	read -r -a loaded <<<"$(probe "$port" $(((attack_secs - 1) * 50)))"
	wait "$load"
	out=$(tail -1 "$tmp/load.out")
	# CPU as a share of one CPU, and per byte the server read.
	CPU= RATE=
	read -r CPU RATE <<<"$(awk -v c="$(kv cpu_ms "$out")" -v s="$(kv seconds "$out")" \
		-v b="$(kv bytes "$out")" -v u="$(kv unread "$out")" \
		'BEGIN {if (s > 0 && b > u) printf "%.1f %.2f", c / s / 10, c * 1000 / (b - u)}')"
	printf '%-14s CPU %5s%% (%s us/B of %s B, %s closed, %s answered)   probe median %6.2f ms  max %7.2f ms  (failed %s)   unloaded median %5.2f ms  max %6.2f ms\n' \
		"$name" "${CPU:-?}" "${RATE:-?}" "$(kv bytes "$out")" "$(kv closed "$out")" \
		"$(kv answered "$out")" "${loaded[0]:-0}" "${loaded[1]:-0}" \
		"${loaded[2]:-?}" "${idle[0]:-0}" "${idle[1]:-0}"
	# A server that answered the attack's requests (nginx refuses about
	# 1000 header lines, and 8 KB of a:b is 1638) then only drains their
	# input, which is cheaper than parsing it.
	[ "$(kv answered "$out")" = 0 ] ||
		echo "               ($name answered $(kv answered "$out") of the attack's unfinished requests" \
			"and from then on only drained their input: its figures are not all parsing)"
}

# ratio A B: A / B to two places, "?" without both.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a != "" && b > 0) printf "%.2f", a / b; else print "?"}'; }

attack() {
	local worker
	# nginx serves from its worker, the master's only child.
	worker=$(cat "/proc/$nginx_pid/task/$nginx_pid/children" | awk '{print $1}')
	echo "attack: $attack_conns connections holding $attack_block B of unfinished a:b header lines, a byte" \
		"each every 2 ms for ${attack_secs} s; probe: GET / on a new connection every 20 ms;" \
		"servers on CPU $server_cpu, load client on CPU $wrk_cpu; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
	attack_one tcplife-httpd "$attack_port" "$attack_pid"
	local ours_cpu=$CPU ours_rate=$RATE
	attack_one nginx "$nginx_port" "$worker"
	echo "attack ratio tcplife-httpd / nginx: CPU $(ratio "$ours_cpu" "$CPU")," \
		"CPU per byte $(ratio "$ours_rate" "$RATE") (goal: at most 1)"
}

for m in $modes; do
	case $m in
	throughput) throughput ;;
	attack) attack ;;
	*) echo "httpd.sh: unknown mode '$m' (throughput, attack)" >&2; exit 2 ;;
	esac
done
