#!/bin/bash
# Regenerates the page's binary media from the sources next to it:
#   logo.svg    -> logo.png     (Chromium headless screenshot, transparent)
#   favicon.svg -> favicon.ico  (32x32 PNG inside an ICO container)
#   the text below -> intro.mp3 (espeak-ng, then lame)
# Needs: chromium espeak-ng lame (Debian packages of the same names).
set -euo pipefail
cd "$(dirname "$0")"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# render SVG WIDTH HEIGHT OUT.png
render() {
	chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$tmp/profile" --hide-scrollbars \
		--default-background-color=00000000 --window-size="$2,$3" \
		--screenshot="$4" "file://$PWD/$1" >/dev/null 2>&1
}

# le16/le32 VALUE: little-endian bytes, as the ICO header wants them.
le16() { printf "\\x$(printf %02x $(($1 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))"; }
le32() { le16 $(($1 & 65535)); le16 $(($1 >> 16)); }

# ico PNG SIZE OUT.ico: one image entry whose data is the PNG itself.
ico() {
	local bytes
	bytes=$(stat -c %s "$1")
	{
		le16 0; le16 1; le16 1
		printf "\\x$(printf %02x "$2")\\x$(printf %02x "$2")\\x00\\x00"
		le16 1; le16 32; le32 "$bytes"; le32 22
		cat "$1"
	} >"$3"
}

render logo.svg 360 360 logo.png
render favicon.svg 32 32 "$tmp/favicon.png"
ico "$tmp/favicon.png" 32 favicon.ico

espeak-ng -v cmn -s 150 -w "$tmp/intro.wav" \
	"你好，我是示例学生。 Hello, this is my lab page."
lame --quiet -m m -b 32 --resample 22.05 \
	--tt "Self-introduction" --ta "Sample Student" "$tmp/intro.wav" intro.mp3
