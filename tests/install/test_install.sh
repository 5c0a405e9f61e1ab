#!/bin/bash
# make install as a packager runs it (DESTDIR, PREFIX=/usr) from a copy of
# this tree, then the installed programs, man pages and completions, then
# make uninstall. The copy keeps the tree's own build (its server's compiled
# docroot) untouched. About 30 s, most of it the build.
. "$(dirname "$0")/../lib.sh"
. "$TL_ROOT/tests/httpd/httpd_lib.sh"

T=install
SRC=$TL_TMP/src
D=$TL_TMP/dest
mkdir -p "$SRC" "$D"
(cd "$TL_ROOT" && git ls-files -co --exclude-standard -z | grep -zv '^tests/' |
	tar --null -T - -cf -) | tar -C "$SRC" -xf - || { fail "$T/copy" "cannot copy the tree"; exit 1; }

if ! make -C "$SRC" -j2 -s install DESTDIR="$D" PREFIX=/usr >"$TL_TMP/make.log" 2>&1; then
	fail "$T/make install" "$(tail -3 "$TL_TMP/make.log")"
	exit 1
fi
pass "$T/make install"

# What a packager expects, and nothing else.
want="usr/bin/tcplife-httpd
usr/sbin/tcplife-http
usr/share/bash-completion/completions/tcplife-http
usr/share/bash-completion/completions/tcplife-httpd
usr/share/man/man1/tcplife-httpd.1
usr/share/man/man8/tcplife-http.8
$(cd "$TL_ROOT" && ls www | grep -vxE 'README.md|make-media.sh' | sed 's|^|usr/share/tcplife-http/www/|')
$(cd "$TL_ROOT" && ls scenarios | sed 's|^|usr/share/tcplife-http/scenarios/|')"
expect_eq "$T/the files installed" "$(sort <<<"$want")" "$(cd "$D" && find . -type f | sed 's|^\./||' | sort)"

# The programs.
"$D/usr/sbin/tcplife-http" --help >"$TL_TMP/help" 2>&1
check "$T/tcplife-http --help" grep -q 'USAGE: tcplife-http' "$TL_TMP/help"
"$D/usr/bin/tcplife-httpd" --help >"$TL_TMP/help" 2>&1
check "$T/tcplife-httpd --help names the installed docroot" \
	grep -q '/usr/share/tcplife-http/www' "$TL_TMP/help"
"$D/usr/sbin/tcplife-http" -r "$TL_ROOT/tests/install/style_css.pcapng" >"$TL_TMP/r" 2>&1
check "$T/tcplife-http -r: the exchange" grep -q '= GET /style.css -> 200, 870 body bytes' "$TL_TMP/r"
check "$T/tcplife-http -r: the count" grep -q '^10 events, 0 lost, 1 connection$' "$TL_TMP/r"
"$D/usr/sbin/tcplife-http" -r "$TL_ROOT/tests/install/style_css.pcapng" -p 9 >"$TL_TMP/r" 2>&1
check "$T/tcplife-http -r -p 9: the frames skipped, and why" \
	grep -q '^tcplife-http: skipped 10 of 10 frames: 0 not a whole TCP segment .*, 10 of other ports or family$' "$TL_TMP/r"

# The server started without -r serves /usr/share/tcplife-http/www: in a
# mount namespace of its own /usr/share is the installed one (a user
# namespace too when not root).
userns=
[ "$(id -u)" = 0 ] || userns=-r
cat >"$TL_TMP/httpd" <<EOS
#!/bin/sh
exec unshare $userns -m sh -c 'mount --bind "\$0" /usr/share && exec "\$@"' "$D/usr/share" \
	"$D/usr/bin/tcplife-httpd" "\$@"
EOS
chmod +x "$TL_TMP/httpd"
HTTPD_BIN=$TL_TMP/httpd
if httpd_start -q; then
	check "$T/server: serves the installed docroot" \
		grep -q 'serving /usr/share/tcplife-http/www on' "$HTTPD_OUT"
	expect_eq "$T/server: the installed page" 200 "$(curl_code "$HTTPD_URL/")"
	check "$T/server: the page's bytes" cmp -s "$TL_TMP/body" "$D/usr/share/tcplife-http/www/index.html"
	stop_pid "$HTTPD_PID"
	# grade finds the installed shape by its name: the capture is not that
	# scenario's, so a check fails (1), not the input (2).
	sed -i 's|/usr/bin/tcplife-httpd|/usr/sbin/tcplife-http|' "$TL_TMP/httpd"
	"$TL_TMP/httpd" grade server-close "$TL_ROOT/tests/install/style_css.pcapng" >"$TL_TMP/grade" 2>&1
	expect_eq "$T/tcplife-http grade: the installed shape, by name" "1 grade server-close:" \
		"$? $(head -1 "$TL_TMP/grade" | cut -d' ' -f1-2)"
else
	fail "$T/server" "did not start: $(tail -2 "$HTTPD_OUT")"
fi

# The man pages render, without a warning.
for page in man8/tcplife-http.8 man1/tcplife-httpd.1; do
	MANWIDTH=80 man --warnings -l "$D/usr/share/man/$page" >"$TL_TMP/man" 2>"$TL_TMP/man.err"
	check "$T/man $page: renders" grep -q '^EXIT STATUS' "$TL_TMP/man"
	expect_eq "$T/man $page: no warning" "" "$(cat "$TL_TMP/man.err")"
done

# The completions load, and complete. compopt only works inside a real
# completion, so it is a no-op here.
comp() {
	bash -c 'compopt() { :; }; . "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		"$(complete -p "$1" | awk "{print \$3}")"; echo "${COMPREPLY[*]}"' _ "$@" 2>&1
}
C=$D/usr/share/bash-completion/completions
expect_eq "$T/completion: tcplife-http --state-hook=" "auto tp_btf raw_tp tracepoint" \
	"$(comp "$C/tcplife-http" tcplife-http --state-hook =)"
expect_eq "$T/completion: tcplife-http --t" "--tc=" "$(comp "$C/tcplife-http" tcplife-http --t)"
expect_eq "$T/completion: tcplife-http c" "compare" "$(comp "$C/tcplife-http" tcplife-http c)"
expect_eq "$T/completion: tcplife-http grade s" "server-close slow" \
	"$(comp "$C/tcplife-http" tcplife-http grade s)"
expect_eq "$T/completion: tcplife-http --h" "--html= --help --headers --headers=all" \
	"$(comp "$C/tcplife-http" tcplife-http --h)"
expect_eq "$T/completion: tcplife-http --lang=" "en zh" "$(comp "$C/tcplife-http" tcplife-http --lang =)"
expect_eq "$T/completion: tcplife-httpd --" "--lab --no-sandbox --help --version" \
	"$(comp "$C/tcplife-httpd" tcplife-httpd --)"

if make -C "$SRC" -s uninstall DESTDIR="$D" PREFIX=/usr >"$TL_TMP/make.log" 2>&1; then
	expect_eq "$T/make uninstall: no file left" "" "$(find "$D" ! -type d)"
	expect_eq "$T/make uninstall: no folder of ours left" "" \
		"$(find "$D" -name 'tcplife-http*')"
else
	fail "$T/make uninstall" "$(tail -3 "$TL_TMP/make.log")"
fi
