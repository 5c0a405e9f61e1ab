#!/bin/bash
# The --json contract has one definition, user/tracer/output/json_contract.h:
# README's JSON table lists exactly its members, the writer names every
# member through it (and no key by hand), compare and report read through it,
# and a recorded run (-r of the test captures) writes no member it lacks.
# README's table names a member in backquotes; a value is in parentheses, or
# after a backquoted name and a colon (`tc`: `tcx`/`clsact`). About a second.
. "$(dirname "$0")/../lib.sh"

T=json_contract
cd "$TL_ROOT" || exit 1
CONTRACT=user/tracer/output/json_contract.h
WRITER=user/tracer/output/output_json.c

# words: one sorted, unique word a line.
words() { tr ' ' '\n' | sed '/^$/d' | sort -u; }

contract=$(sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\),.*/\1/p' "$CONTRACT" | sort)
n=$(wc -l <<<"$contract")
expect_eq "$T/each member once ($n)" "" "$(uniq -d <<<"$contract" | tr '\n' ' ')"
contract=$(sort -u <<<"$contract")

# The members README's JSON section names: its table's members column, with
# values left out, and the names its introduction gives every line.
readme=$(python3 - README.md <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
sec = text[text.index('### JSON (`--json`)'):]
sec = sec[:sec.index('```sh')]
intro, table = sec.split('\n| `type` |', 1)
names = {'type'}
names |= {t for t in re.findall(r'`([^`]+)`', intro) if re.fullmatch(r'[a-z][a-z0-9_]*', t)}
for row in table.splitlines():
    if not row.startswith('| `'):
        continue
    members, depth = '', 0
    for ch in row.split(' | ')[2]:
        depth += ch == '('
        if not depth:
            members += ch
        depth -= ch == ')' and depth > 0
    prev_value = False
    for m in re.finditer(r'(: |/)?`([^`]+)`', members):
        sep, tok = m.group(1), m.group(2)
        after_name = members[m.start() - 1:m.start()] == '`'
        value = (sep == ': ' and after_name) or (sep == '/' and prev_value)
        prev_value = value
        if not value and re.fullmatch(r'[a-z][a-z0-9_]*', tok):
            names.add(tok)
print(' '.join(sorted(names)))
EOF
)
readme=$(words <<<"$readme")
expect_eq "$T/README lists no member the contract lacks" "" \
	"$(comm -13 <(echo "$contract") <(echo "$readme") | tr '\n' ' ')"
expect_eq "$T/README lists every member of the contract" "" \
	"$(comm -23 <(echo "$contract") <(echo "$readme") | tr '\n' ' ')"

written=$(grep -oE 'TL_JM\([a-z0-9_]+\)' "$WRITER" | sed 's/TL_JM(//; s/)//' | sort -u)
expect_eq "$T/the writer writes every member of the contract" "" \
	"$(comm -23 <(echo "$contract") <(echo "$written") | tr '\n' ' ')"
bad=$(grep -nE '(tl_json_[a-z0-9_]+|json_(proc|addr_port|endpoint))\([^,]+, "' "$WRITER")
expect_eq "$T/the writer names no key by hand" "" "$bad"
bad=$(grep -rnE '(json_object_get|tl_json_member_uint|json_uint|jstr|jus|ju32|jms)\(o, "' \
	user/tracer)
expect_eq "$T/compare and report read no key by hand" "" "$bad"

# A recorded run: every object's keys, at any depth, but for those of an
# http line's "headers", which are the message's own field names.
if [ ! -x ./tcplife-http ] || ! command -v jq >/dev/null; then
	fail "$T/recorded run" "needs ./tcplife-http (make) and jq (scripts/deps.sh test)"
	exit 1
fi
keys=$(for c in tests/captures/lo.pcapng tests/captures/retransmit.pcap; do
	./tcplife-http -r "$c" --json 2>/dev/null | jq -r 'del(.headers) | .. | objects | keys[]'
done | sort -u)
types=$(for c in tests/captures/lo.pcapng tests/captures/retransmit.pcap; do
	./tcplife-http -r "$c" --json 2>/dev/null | jq -r .type
done | sort -u | tr '\n' ' ')
expect_eq "$T/a recorded run writes only contract members ($types)" "" \
	"$(comm -13 <(echo "$contract") <(echo "$keys") | tr '\n' ' ')"
