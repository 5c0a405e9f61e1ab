#!/bin/bash
# clang-format (the repo's .clang-format) finds nothing to change in any C
# file of the tree, so formatting is never a review comment.
. "$(dirname "$0")/../lib.sh"

T=format
cd "$TL_ROOT" || exit 1
if ! command -v clang-format >/dev/null; then
	fail "$T/clang-format" "not installed (scripts/deps.sh test)"
	exit 1
fi
files=$(git ls-files '*.c' '*.h' | grep -v '^vmlinux/')
bad=$(for f in $files; do
	clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"
done)
expect_eq "$T/every C file formatted ($(wc -w <<<"$files") files)" "" "$(echo $bad)"
