#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make demo`: xdpguard in a throwaway lab of two network namespaces joined
# by a veth pair. The client pings the protected end while xdpguard blocks
# and unblocks it; then an attacker floods a TCP server on the protected end
# with SYNs, the per-source limit cuts the flood, and a legitimate client
# still connects. xg-events reports the drops one by one, and xg-stats keeps
# the counts of the interface after it is detached. Every expected outcome
# is checked, so the demo doubles as a smoke test: the exit status is
# non-zero when one did not happen.
#
# Only 198.18.0.0/15 and 2001:db8::/32, only inside the namespaces created
# here, and a pin directory of its own; all of it is removed on exit, also
# after a failure or Ctrl-C.

set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XG_BUILD=${XG_BUILD:-$REPO/build}
export XDPGUARD_PIN_DIR=/sys/fs/bpf/xdpguard-demo

NS_C=xg-demo-c # the client
NS_P=xg-demo-p # the protected end
IF_C=xgd-c
IF_P=xgd-p
MAC_C=02:78:67:00:00:01 # locally administered
MAC_P=02:78:67:00:00:02
C4=198.18.0.1
P4=198.18.0.2
C6=2001:db8:d::1
P6=2001:db8:d::2
ATT=198.18.0.66 # the attacker: a second address of the client namespace
PORT=8080 # the TCP server on the protected end
FLOOD=3000 # SYNs in the flood, 2000 a second
server_pid=

failures=0

if [[ -t 1 ]]; then
	BOLD=$'\e[1m' GREEN=$'\e[32m' RED=$'\e[31m' RESET=$'\e[0m'
else
	BOLD='' GREEN='' RED='' RESET=''
fi

die() {
	echo "demo.sh: $*" >&2
	exit 1
}

step() {
	printf '\n%s== %s%s\n' "$BOLD" "$*" "$RESET"
}

# Show a command, then run it.
show() {
	printf '%s$ %s%s\n' "$BOLD" "$*" "$RESET"
	"$@"
}

ok() {
	printf '%s   ok: %s%s\n' "$GREEN" "$*" "$RESET"
}

bad() {
	printf '%s   UNEXPECTED: %s%s\n' "$RED" "$*" "$RESET"
	failures=$((failures + 1))
}

# The tools by their names, as a user would type them.
xg-load() { "$XG_BUILD/xg-load" "$@"; }
xg-unload() { "$XG_BUILD/xg-unload" "$@"; }
xg-block() { "$XG_BUILD/xg-block" "$@"; }
# shellcheck disable=SC2120 # called with and without arguments
xg-stats() { "$XG_BUILD/xg-stats" "$@"; }
# shellcheck disable=SC2120
xg-threshold() { "$XG_BUILD/xg-threshold" "$@"; }
xg-events() { "$XG_BUILD/xg-events" "$@"; }

# ping_expect all|none: 5 pings from the client to the protected end, and
# whether all or none of them must be answered. A failed ping is an
# outcome to check, not a reason to stop.
ping_expect() {
	local want=$1 out got

	printf '%s$ ping -c 5 -W 1 -i 0.2 %s%s   (from %s)\n' \
		"$BOLD" "$P4" "$RESET" "$NS_C"
	out=$(ip netns exec "$NS_C" ping -c 5 -W 1 -i 0.2 "$P4" 2>&1)
	printf '%s\n' "$out" | sed -n '/packets transmitted/p'
	got=$(printf '%s\n' "$out" |
	      sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p')
	got=${got:-0}
	case $want in
	all)
		if [[ $got == 5 ]]; then
			ok "5 of 5 answered"
		else
			bad "$got of 5 answered, expected all 5"
		fi
		;;
	none)
		if [[ $got == 0 ]]; then
			ok "all 5 lost: dropped by xdpguard"
		else
			bad "$got of 5 answered, expected none"
		fi
		;;
	esac
}

# counter CLASS REASON: packets counted so far, all interfaces together,
# from the JSON of xg-stats (the text table is for people).
counter() {
	xg-stats -j | jq --arg c "$1" --arg r "$2" '.counters[$c][$r].packets'
}

# expect_list_rows N: xg-block list shows N entries (header excluded).
expect_list_rows() {
	local n

	n=$(xg-block list | tail -n +2 | grep -c .)
	if [[ $n == "$1" ]]; then
		ok "the blocklist has $1 entr$([[ $1 == 1 ]] && echo y || echo ies)"
	else
		bad "the blocklist has $n entries, expected $1"
	fi
}

# connect_expect: the legitimate client (C4) opens a TCP connection to the
# server and must read its greeting.
connect_expect() {
	local out

	printf '%s$ socat -u TCP:%s:%s,bind=%s,connect-timeout=3 -%s   (from %s)\n' \
		"$BOLD" "$P4" "$PORT" "$C4" "$RESET" "$NS_C"
	out=$(ip netns exec "$NS_C" socat -u \
		"TCP:$P4:$PORT,bind=$C4,connect-timeout=3" - 2>&1)
	if [[ $out == xg-ok ]]; then
		ok "connected; the server said xg-ok"
	else
		bad "the legitimate client could not connect: ${out:-no answer}"
	fi
}

cleanup() {
	local rc=$?

	trap - EXIT INT TERM
	step "Cleaning up"
	[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
	if [[ -e $XDPGUARD_PIN_DIR ]]; then
		xg-unload --all 2>/dev/null || rm -rf "$XDPGUARD_PIN_DIR"
	fi
	ip netns del "$NS_C" 2>/dev/null
	ip netns del "$NS_P" 2>/dev/null # takes the veth pair with it
	echo "removed $NS_C, $NS_P and $XDPGUARD_PIN_DIR"
	if ((rc == 0 && failures > 0)); then
		rc=1
	fi
	if ((rc == 0)); then
		printf '\n%sdemo passed%s\n' "$GREEN" "$RESET"
	elif ((failures > 0)); then
		printf '\n%sdemo FAILED: %d expected outcome(s) did not happen%s\n' \
			"$RED" "$failures" "$RESET" >&2
	else
		printf '\n%sdemo FAILED (exit %d)%s\n' "$RED" "$rc" "$RESET" >&2
	fi
	exit "$rc"
}

# ---- preflight: nothing is created before these pass ----------------------

[[ $(id -u) == 0 ]] ||
	die "must run as root: it creates network namespaces and loads an XDP" \
	    "program; try: sudo make demo"
for t in xg-load xg-unload xg-block xg-stats xg-threshold xg-events; do
	[[ -x $XG_BUILD/$t ]] || die "$XG_BUILD/$t not found; run make first"
done
for c in ip ping awk hping3 socat jq; do
	command -v "$c" >/dev/null ||
		die "'$c' is needed (iproute2, iputils-ping, hping3, socat, jq)"
done
for ns in "$NS_C" "$NS_P"; do
	[[ ! -e /var/run/netns/$ns ]] ||
		die "network namespace $ns exists (an earlier demo?);" \
		    "remove it with: ip netns del $ns"
done
[[ ! -e $XDPGUARD_PIN_DIR ]] ||
	die "$XDPGUARD_PIN_DIR exists (an earlier demo?); remove it with:" \
	    "XDPGUARD_PIN_DIR=$XDPGUARD_PIN_DIR $XG_BUILD/xg-unload --all"

trap cleanup EXIT INT TERM

# ---- the lab -------------------------------------------------------------

step "Building the lab: $NS_C ($C4) <-> $NS_P ($P4), veth $IF_C <-> $IF_P"
{
	ip netns add "$NS_C" &&
	ip netns add "$NS_P" &&
	ip -n "$NS_C" link add "$IF_C" address "$MAC_C" type veth \
		peer name "$IF_P" address "$MAC_P" netns "$NS_P" &&
	# No link-local addresses: no IPv6 chatter in the counters.
	ip -n "$NS_C" link set "$IF_C" addrgenmode none &&
	ip -n "$NS_P" link set "$IF_P" addrgenmode none &&
	ip -n "$NS_C" addr add "$C4/24" dev "$IF_C" &&
	ip -n "$NS_C" addr add "$C6/64" dev "$IF_C" nodad &&
	ip -n "$NS_P" addr add "$P4/24" dev "$IF_P" &&
	ip -n "$NS_P" addr add "$P6/64" dev "$IF_P" nodad &&
	ip -n "$NS_C" link set lo up &&
	ip -n "$NS_P" link set lo up &&
	ip -n "$NS_C" link set "$IF_C" up &&
	ip -n "$NS_P" link set "$IF_P" up &&
	# Permanent neighbours: no ARP or neighbour discovery either.
	ip -n "$NS_C" neigh replace "$P4" lladdr "$MAC_P" dev "$IF_C" \
		nud permanent &&
	ip -n "$NS_C" neigh replace "$P6" lladdr "$MAC_P" dev "$IF_C" \
		nud permanent &&
	ip -n "$NS_P" neigh replace "$C4" lladdr "$MAC_C" dev "$IF_P" \
		nud permanent &&
	ip -n "$NS_P" neigh replace "$C6" lladdr "$MAC_C" dev "$IF_P" \
		nud permanent &&
	ip -n "$NS_C" addr add "$ATT/24" dev "$IF_C" &&
	ip -n "$NS_P" neigh replace "$ATT" lladdr "$MAC_C" dev "$IF_P" \
		nud permanent
} || die "could not build the lab"
echo "pins in $XDPGUARD_PIN_DIR; the protected end has no default route"

# ---- the story -----------------------------------------------------------

step "1. Guard the protected end"
show xg-load -n "$NS_P" "$IF_P" || die "xg-load failed"

step "2. Ping the protected end: nothing is blocked, so it passes"
ping_expect all

step "3. What xdpguard saw"
show xg-stats

step "4. Block the client"
show xg-block "$C4" || die "xg-block failed"
before=$(counter icmp blocklisted)

step "5. Ping again: dropped in the driver of $IF_P, each drop reported"
events=$(mktemp)
printf '%s$ xg-events -c 5 &%s\n' "$BOLD" "$RESET"
timeout 10 "$XG_BUILD/xg-events" -c 5 >"$events" &
events_pid=$!
sleep 0.5 # xg-events reports only what happens after it started
ping_expect none
wait "$events_pid"
cat "$events"
n=$(grep -c " blocklisted .*$C4" "$events")
if [[ $n == 5 ]]; then
	ok "xg-events reported the 5 drops: blocklisted, from $C4"
else
	bad "xg-events reported $n blocklisted drops from $C4, expected 5"
fi
rm -f "$events"

step "6. The counters and the blocklist"
show xg-stats
dropped=$(($(counter icmp blocklisted) - before))
if [[ $dropped == 5 ]]; then
	ok "icmp blocklisted counted 5 packets"
else
	bad "icmp blocklisted counted $dropped packets, expected 5"
fi
show xg-block list
expect_list_rows 1

step "7. Unblock the client: the ping passes again"
show xg-block del "$C4" || die "xg-block del failed"
ping_expect all

step "8. Block the whole /24 for 3 seconds"
show xg-block "${C4%.*}.0/24" --timeout 3 || die "xg-block failed"
show xg-block list
ping_expect none

step "9. Wait 4 seconds: the entry expires by itself"
show sleep 4
ping_expect all
show xg-block list
expect_list_rows 0

step "10. Flood defence: at most 50 SYNs a second from any one source"
show xg-threshold syn 50 --burst 50 || die "xg-threshold failed"
show xg-threshold

step "11. A TCP server on the protected end; the client connects"
ip netns exec "$NS_P" socat "TCP-LISTEN:$PORT,bind=$P4,fork,reuseaddr" \
	EXEC:"/bin/echo xg-ok" </dev/null >/dev/null 2>&1 &
server_pid=$!
for _ in $(seq 50); do
	[[ -n $(ip netns exec "$NS_P" ss -Hlnt "sport = :$PORT") ]] && break
	sleep 0.1
done
echo "socat listens on $P4:$PORT"
connect_expect

step "12. $ATT floods the server with $FLOOD SYNs; the client connects meanwhile"
before=$(counter tcp rate_syn)
printf '%s$ hping3 -q -S -a %s -p %s -i u500 -c %s %s &%s   (from %s)\n' \
	"$BOLD" "$ATT" "$PORT" "$FLOOD" "$P4" "$RESET" "$NS_C"
ip netns exec "$NS_C" hping3 -q -S -a "$ATT" -p "$PORT" -i u500 \
	-c "$FLOOD" "$P4" >/dev/null 2>&1 &
flood_pid=$!
start=$(date +%s%N)
sleep 0.3
connect_expect
sleep 0.3
connect_expect
wait "$flood_pid"
ms=$((($(date +%s%N) - start) / 1000000))

step "13. The flood was cut in the driver"
show xg-stats
dropped=$(($(counter tcp rate_syn) - before))
# A bucket of 50/s and 50 back to back passes at most 50 + 50 x seconds.
most=$((50 + 50 * (ms + 999) / 1000 + 1))
if ((dropped >= FLOOD - most && dropped <= FLOOD - 50)); then
	ok "tcp rate-syn dropped $dropped of $FLOOD SYNs;" \
	   "$((FLOOD - dropped)) reached the server"
else
	bad "tcp rate-syn dropped $dropped of $FLOOD SYNs, expected" \
	    "$((FLOOD - most)) to $((FLOOD - 50))"
fi

step "14. After the flood the client still connects"
connect_expect

step "15. The same counters for Prometheus, per interface"
printf '%s$ xg-stats --prometheus | grep ^xdpguard_packets_total | grep -v " 0$"%s\n' \
	"$BOLD" "$RESET"
xg-stats --prometheus | grep '^xdpguard_packets_total' | grep -v ' 0$'

step "16. Detach: the interface's counts stay in the totals, as (detached)"
total=$(xg-stats -j | jq .total.packets)
show xg-unload -j -n "$NS_P" "$IF_P" || die "xg-unload failed"
show xg-stats
# late packets of the flood may still have been counted before the detach
read -r all det < <(xg-stats -j | jq -r '"\(.total.packets) \(.detached.total.packets)"')
if ((all == det && all >= total)); then
	ok "all $all packets kept, now under (detached)"
else
	bad "total $all, detached $det: expected both the same, at least $total"
fi
