#!/bin/bash
# tcplife-httpd gives up root once its sockets and docroot are open. As
# root: run "through sudo" (SUDO_UID set) it serves as that uid with no
# capability, NoNewPrivs 1 and Seccomp 2, serves the page, and answers 403,
# never the bytes, for a root-owned 0600 file inside the docroot; without
# SUDO_UID it is nobody; only -u root keeps uid 0 (with a warning, still no
# capability); --no-sandbox leaves Seccomp 0; stdout on /dev/null is no
# forbidden call. Not root: -u is refused in one line, and the server still
# confines itself. ~2 s.
source "$(dirname "$0")/../lib.sh"
source "$(dirname "$0")/httpd_lib.sh"
T=privileges
# Exits non-zero when a check failed.
FAILED=0
fail() { FAILED=1; echo "$1: FAIL $2"; }

root=$TL_TMP/root
mkdir -p "$root"
chmod 755 "$root"
echo public >"$root/index.html"
echo TOPSECRET >"$root/secret.txt"
chmod 600 "$root/secret.txt"
unset SUDO_UID SUDO_GID # the test says who ran sudo, not its caller
SUID=4242
NOBODY=$(id -u nobody)
CAP0=0000000000000000

# served NAME WANT-STATUS [ENV=VALUE...] -- ARGS...: the server with that
# environment and arguments; its /proc status, then the page.
served() {
	local name=$1 want=$2 started
	shift 2
	while [ "$1" != -- ]; do export "${1?}"; shift; done
	shift
	httpd_start -r "$root" "$@"
	started=$?
	unset SUDO_UID SUDO_GID
	if [ $started != 0 ]; then
		fail "$T/$name: status" "did not start: $(head -c 300 "$HTTPD_OUT")"
		return 1
	fi
	expect_eq "$T/$name: status" "$want" "$(proc_status "$HTTPD_PID")"
	expect_eq "$T/$name: serves the page" "200 public" "$(curl_code "$HTTPD_URL/") $(cat "$TL_TMP/body")"
}

if [ "$(id -u)" != 0 ]; then
	out=$("$HTTPD_BIN" -p 0 -r "$root" -u nobody 2>&1)
	expect_eq "$T/not root: -u refused in one line" "1 line, only root" \
		"$(wc -l <<<"$out") line, $(grep -o 'only root' <<<"$out")"
	if served not_root "Uid: $(id -u) CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 2" --; then
		stop_pid "$HTTPD_PID"
	fi
	exit $FAILED
fi

if served sudo "Uid: $SUID CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 2" \
	SUDO_UID=$SUID SUDO_GID=$SUID --; then
	resp=$(printf 'GET /secret.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | raw)
	expect_eq "$T/sudo: root's 0600 file in the docroot: 403" 403 "$(status_of "$resp")"
	if grep -q TOPSECRET <<<"$resp"; then fail "$T/sudo: secret leaked" "the reply carries the file's bytes"; fi
	stop_pid "$HTTPD_PID"
fi
if served default "Uid: $NOBODY CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 2" --; then
	stop_pid "$HTTPD_PID"
fi
if served u_root "Uid: 0 CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 2" -- -u root; then
	check "$T/u_root: says so" grep -q 'warning: serving as root' "$HTTPD_OUT"
	stop_pid "$HTTPD_PID"
fi
if served no_sandbox "Uid: $NOBODY CapPrm: $CAP0 CapEff: $CAP0 NoNewPrivs: 1 Seccomp: 0" -- --no-sandbox; then
	stop_pid "$HTTPD_PID"
fi
# stdout on /dev/null: stdio's first write (the "serving" line) asks that
# character device whether it is a terminal, after the filter is on.
port=$(free_port)
"$HTTPD_BIN" -p "$port" -l 127.0.0.1 -r "$root" -q >/dev/null 2>"$TL_TMP/null.err" &
pid=$!
TL_PIDS+=("$pid")
wait_for_port "$port" 5
expect_eq "$T/stdout on /dev/null: serves" "200, running, ''" \
	"$(curl_code "http://127.0.0.1:$port/"), $(kill -0 "$pid" 2>/dev/null && echo running || echo dead), '$(head -c 200 "$TL_TMP/null.err")'"
stop_pid "$pid"

out=$("$HTTPD_BIN" -p 0 -r "$root" -u no-such-user-tlh 2>&1)
expect_eq "$T/unknown user: one line naming it" "1 no-such-user-tlh" \
	"$(wc -l <<<"$out") $(grep -o no-such-user-tlh <<<"$out" | head -1)"
exit $FAILED
