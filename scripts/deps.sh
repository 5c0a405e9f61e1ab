#!/bin/sh
# Installs the Debian packages a task needs, only those missing, so that the
# README's commands work on a fresh Debian 12 machine. Usage: deps.sh build|test|bench|browse
set -eu

build="make clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev libpcap-dev libjansson-dev libseccomp-dev pkg-config iproute2"
test="$build tshark tcpdump curl jq chromium fonts-wqy-microhei libclang-rt-14-dev procps wrk python3 python3-scapy librsvg2-bin libxml2-utils firefox-esr nftables man-db clang-format"
bench="$build wrk nginx-light tcpdump procps python3"
browse="chromium fonts-wqy-microhei jq curl iproute2"

case "${1:-}" in
build) want=$build ;;
test) want=$test ;;
bench) want=$bench ;;
browse) want=$browse ;;
*) echo "usage: $0 build|test|bench|browse" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root, or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
