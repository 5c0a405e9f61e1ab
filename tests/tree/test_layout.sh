#!/bin/bash
# The layout's rules, as a reader checks them with grep (README, Layout):
# user/tracer/proto/ includes nothing above it; engine/ never includes
# kernel/; only a program's main.c calls exit; no folder of user/ holds more
# than 16 .c files. Under a second.
. "$(dirname "$0")/../lib.sh"

T=layout
cd "$TL_ROOT" || exit 1

# includes DIR: every project include of DIR's files, as "file: header".
includes() {
	grep -HoE '^#include "[^"]+"' "$1"/*.[ch] | sed 's/#include "//; s/"$//'
}

# The record contract (bpf/*.h) and user/common are below every layer.
bad=$(includes user/tracer/proto | grep -vE ':(tracer/proto/|common/|tcplife_http\.h|http_start\.h|packet_rules\.h)')
expect_eq "$T/proto includes only proto, common and the record headers" "" "$bad"

bad=$(includes user/tracer/engine | grep -E ':tracer/(kernel|output|capture|compare)/')
expect_eq "$T/engine includes no kernel, output, capture or compare header" "" "$bad"

bad=$(grep -rnE '(^|[^_[:alnum:]])(_?exit|_Exit|quick_exit)[[:space:]]*\(' user --include='*.c' |
	grep -v '^user/[a-z]*/main\.c:' | grep -vE ':[0-9]+:[[:space:]]*(/\*|\*)')
expect_eq "$T/only main.c calls exit" "" "$bad"

big=$(find user -type d | while read -r d; do
	n=$(find "$d" -maxdepth 1 -name '*.c' | wc -l)
	[ "$n" -gt 16 ] && echo "$d: $n"
done)
expect_eq "$T/no folder of user/ holds more than 16 .c files" "" "$big"

# Every .c file of the tree is built: a folder the Makefile does not glob
# would leave a module out of the library.
unbuilt=$(make -s -n -B tcplife-http tcplife-httpd 2>/dev/null | grep -oE 'user/[^ ]+\.c' | sort -u |
	comm -13 - <(git ls-files 'user/*.c' | sort))
expect_eq "$T/every user/ .c file is built" "" "$unbuilt"
