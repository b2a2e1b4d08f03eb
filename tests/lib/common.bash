# SPDX-License-Identifier: GPL-2.0
# Loaded by tests/cli/*.bats and tests/e2e/*.bats: the tools on PATH, a
# scratch pin directory per test, network-namespace labs with names unique
# to this run, counter and list helpers, and cleanup that also runs when a
# test fails.
#
# Three kinds of command test, cheapest first (a lab is a namespace, a veth
# and a program the verifier checks: most of a test's time):
#   no lab        usage errors found before any map is opened: nothing is
#                 loaded, and the test asserts that no pin dir was created
#                 (a tool that opened a map first would fail "not loaded");
#   xg_shared_lab one loaded program per file, for tests that only need
#                 "loaded, empty lists, no rules, default settings";
#   xg_load_lab   a lab of the test's own, for tests that load, unload,
#                 change settings or write counters.
# tests/e2e/*.bats have one lab per file (xg_lab_up in setup_file).
#
# Names: RID is the random suffix of this bats run's temporary directory, so
# two runs (or a crashed earlier run) never share a name. Per-test objects are
# named xgbt-RID-FILE-N (namespaces) and /sys/fs/bpf/xgbt-RID-FILE-N (pins);
# per-file labs xgbe-RID-FILE-{c,p} and /sys/fs/bpf/xgbe-RID-FILE, the shared
# CLI lab xgbe-RID-FILE-s (namespace and pins).
# Only 198.18.0.0/15 and 2001:db8::/32 are used, inside namespaces we create.

bats_require_minimum_version 1.5.0

# bats-support and bats-assert, their files sourced directly: each
# library's load.bash forks a dirname(1) per file, about 50 ms a test, and
# bats loads this file once for every test. The files only define functions.
for _xg_f in /usr/lib/bats/bats-support/src/*.bash \
	     /usr/lib/bats/bats-assert/src/*.bash; do
	# shellcheck disable=SC1090 # the libraries' own files
	source "$_xg_f" || return 1
done
unset _xg_f

XG_BUILD=${XG_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
export XG_BUILD
PATH="$XG_BUILD:$PATH"
export PATH

# The lockout guard (common/guard.c) reads this host's SSH sessions,
# routes and nameservers: every test starts with none of them (an empty
# /proc/net view, no resolv.conf, no SSH session), so that a rule without
# src does not meet the gateway of the machine that runs the tests. The
# guard's own tests (tests/cli/guard.bats) point these at fixtures.
XG_PROC_NET=$BATS_RUN_TMPDIR/xg-no-peers
mkdir -p "$XG_PROC_NET"
export XG_PROC_NET XG_RESOLV_CONF=/dev/null
unset SSH_CONNECTION SSH_CLIENT

XG_BPFFS=/sys/fs/bpf
XG_RID=${BATS_RUN_TMPDIR##*-}
XG_RID=${XG_RID//[^a-zA-Z0-9]/}
XG_FTAG=$(basename "$BATS_TEST_FILENAME" .bats)
XG_FTAG=${XG_FTAG//[^a-zA-Z0-9-]/}
# Interface names must fit in 15 characters: a 3-letter role + '-' + RID.
XG_SHORT=${XG_RID:0:6}

# The unprivileged identity for the permission tests.
xg_as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all -- "$@"
}

# ---- cleanup ---------------------------------------------------------------

# Removes every namespace and pin directory whose name matches the extended
# regex $1 (anchored at the start of the name).
_xg_remove_matching() {
	local re=$1 ns d

	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns =~ ^$re ]] && ip netns del "$ns" 2>/dev/null
	done
	for d in "$XG_BPFFS"/*; do
		[[ -d $d ]] || continue
		[[ ${d##*/} =~ ^$re ]] || continue
		xg-unload --all --pin-dir "$d" >/dev/null 2>&1
		rm -rf "$d" 2>/dev/null
	done
	return 0
}

# Leftovers of runs that are no longer alive (their BATS_RUN_TMPDIR is
# gone): names carry the run id, so a live concurrent run is never touched.
xg_remove_stale() {
	local base=${BATS_RUN_TMPDIR%-*} name rid

	for name in $(ip netns list 2>/dev/null | awk '{print $1}') \
		    $(ls "$XG_BPFFS" 2>/dev/null); do
		[[ $name =~ ^xgb[te]-([a-zA-Z0-9]{6})- ]] || continue
		rid=${BASH_REMATCH[1]}
		[[ $rid == "$XG_RID" || -d $base-$rid ]] && continue
		_xg_remove_matching "xgb[te]-$rid-"
	done
	return 0
}

# Everything this test file created, whatever state a failed test left.
xg_remove_file_leftovers() {
	_xg_remove_matching "xgb[te]-$XG_RID-$XG_FTAG-"
}

# ---- per-test pin directory ------------------------------------------------

# Call from setup(): a fresh, not yet existing pin directory for this test.
# XG_TEST_PIN_DIR and XG_TEST_NS keep the test's own names for teardown,
# whatever XDPGUARD_PIN_DIR and XG_NS point at later (xg_shared_lab).
xg_setup_test() {
	XG_TN=$BATS_SUITE_TEST_NUMBER
	XG_TEST_NS=xgbt-$XG_RID-$XG_FTAG-$XG_TN
	XG_TEST_PIN_DIR=$XG_BPFFS/$XG_TEST_NS
	export XDPGUARD_PIN_DIR=$XG_TEST_PIN_DIR
	XG_NS=$XG_TEST_NS
	XG_IF=xgp-$XG_SHORT
	XG_PEER=xgc-$XG_SHORT
	export XG_NS XG_IF XG_PEER
	rm -rf "$XDPGUARD_PIN_DIR"
	cd "$BATS_TEST_TMPDIR" || return 1
}

# Call from teardown(): unload, remove the test's pins and namespaces. The
# shared lab stays for the next test (teardown_file removes it).
xg_teardown_test() {
	if [[ -n ${XG_TEST_PIN_DIR:-} && -e $XG_TEST_PIN_DIR ]]; then
		xg-unload --all --pin-dir "$XG_TEST_PIN_DIR" >/dev/null 2>&1
		rm -rf "$XG_TEST_PIN_DIR"
	fi
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		[[ $ns == "${XG_TEST_NS:-none}" || $ns == "${XG_TEST_NS:-none}"-* ]] &&
			ip netns del "$ns"
	done
	return 0
}

# A namespace $XG_NS (or $1) holding a veth pair $XG_IF <-> $XG_PEER (or
# $2 <-> $3), both up. No addresses and IPv6 off, so not even an MLD report
# crosses the pair: grammar tests see all-zero counters.
# shellcheck disable=SC2120 # the .bats files pass arguments
xg_make_ns() {
	local ns=${1:-$XG_NS} a=${2:-$XG_IF} b=${3:-$XG_PEER}

	if ! ip netns list | awk '{print $1}' | grep -qx -- "$ns"; then
		ip netns add "$ns" || return 1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	fi
	ip -n "$ns" link add "$a" type veth peer name "$b" || return 1
	ip -n "$ns" link set "$a" up && ip -n "$ns" link set "$b" up
}

# The usual CLI fixture: namespace + veth, xdpguard loaded on $XG_IF.
xg_load_lab() {
	xg_make_ns "$XG_NS" || return 1
	xg-load -n "$XG_NS" "$XG_IF" --mode native "$@"
}

# What a test sees of a loaded xdpguard with empty lists, as one string: the
# interfaces, list sizes, tracker, bans, events, counters and settings.
_xg_lab_state() {
	xg-stats -j | jq -c '[[.interfaces[] | [.interface, .netns, .mode,
		.slot]], .lists, .tracking, .bans, .config, .events, .total,
		.detached.total]' && xg-threshold -j
}

# xg_set_settings JSON: every setting of an `xg-threshold -j` document
# written back with xg-threshold, one call a setting (drop_malformed is
# xg-load's and is left alone).
xg_set_settings() {
	local words

	jq -r '((.limits | to_entries[] | [(.key | sub("_"; "-")), .value]),
		["events", .events], ["monitor", .monitor] | .[0] + " " + (.[1] | if .rate == 0
		then "off" else "\(.rate) --burst \(.burst)" end)),
		"ban \(.ban.seconds) --factor \(.ban.factor) --after \(.ban.after)",
		"v6-prefix \(.v6_prefix)",
		"portscan \(.portscan | if .ports == 0 then "off" else
		"\(.ports)/\(.window_s)s" + (if .ban > 0 then " ban \(.ban)"
		else "" end) end)",
		"syn-cookies off",
		"syn-cookies timestamps \(if .syn_cookies.timestamps then "on" else "off" end) --no-sysctl",
		(.syn_cookies | (select(.auto != "") | "syn-cookies auto port \(.auto) --no-sysctl"),
		 (select(.on != "") | "syn-cookies on port \(.on) --no-sysctl"))' <<<"$1" |
		while read -r words; do
			# shellcheck disable=SC2086 # the words of one setting
			xg-threshold $words >/dev/null || return 1
		done
}

# The file's shared CLI fixture, for tests that need nothing but a loaded
# xdpguard (default options) with empty lists and the default settings: it
# points XG_NS and XDPGUARD_PIN_DIR at namespace and pins xgbe-RID-FILE-s,
# flushes both lists and puts back any setting an earlier test changed.
# Loaded by the first test that asks; a later test gets it as that first
# test found it, or else a new one: when the state a test can see
# (_xg_lab_state) still differs from a fresh load's, because a test wrote
# a counter, unloaded or loaded with other options, the lab is loaded again.
xg_shared_lab() {
	local fresh=$BATS_FILE_TMPDIR/xg-shared-lab.state
	local settings=$BATS_FILE_TMPDIR/xg-shared-lab.settings

	XG_NS=xgbe-$XG_RID-$XG_FTAG-s
	export XG_NS XDPGUARD_PIN_DIR=$XG_BPFFS/$XG_NS
	if [[ -e $fresh ]] && xg-block flush >/dev/null 2>&1 &&
		xg-allow flush >/dev/null 2>&1 &&
		xg-rule flush >/dev/null 2>&1; then
		if [[ $(xg-threshold -j 2>/dev/null) != "$(<"$settings")" ]]; then
			xg_set_settings "$(<"$settings")" || :
		fi
		[[ $(_xg_lab_state 2>/dev/null) == "$(<"$fresh")" ]] && return 0
	fi
	xg-unload --all >/dev/null 2>&1 || :
	rm -rf "$XDPGUARD_PIN_DIR"
	ip netns del "$XG_NS" 2>/dev/null || :
	xg_load_lab && _xg_lab_state >"$fresh" && xg-threshold -j >"$settings"
}

# ---- observation helpers ---------------------------------------------------

# xg_counter CLASS REASON [packets|bytes]
xg_counter() {
	xg-stats -j | jq -er ".counters.\"$1\".\"$2\".${3:-packets}"
}

xg_total() {
	xg-stats -j | jq -er ".total.${1:-packets}"
}

# Both lists as one normalised JSON document (sorted; expires_in reduced to
# "has an expiry" so that a ticking clock is not a change).
xg_snapshot() {
	local b a
	b=$(xg-block list -j) || return 1
	a=$(xg-allow list -j) || return 1
	jq -cn --argjson b "$b" --argjson a "$a" \
		'def n: map(.expires_in |= (. != null)) | sort_by(.address);
		 {block: ($b | n), allow: ($a | n)}'
}

# Remember the lists now; xg_assert_unchanged later proves nothing moved.
xg_save_snapshot() {
	XG_SNAP=$(xg_snapshot) || fail "cannot snapshot the lists"
}

xg_assert_unchanged() {
	local now
	now=$(xg_snapshot) || fail "cannot snapshot the lists"
	assert_equal "$now" "$XG_SNAP"
}

# The pin directory was not created (a usage error touches nothing).
xg_assert_no_pins() {
	[[ ! -e $XDPGUARD_PIN_DIR ]] ||
		fail "pin dir $XDPGUARD_PIN_DIR exists: $(ls -la "$XDPGUARD_PIN_DIR")"
}

# Addresses of one list, sorted, one per line ("address" already carries
# /LEN for prefixes).
xg_list_addrs() {
	"$1" list -j | jq -r '.[].address' | sort
}

# One row of `list` text, exactly as the spec's printf prints it.
xg_list_row() {
	printf '%-40s %10s %8s  %s\n' "$1" "$2" "$3" "$4"
}

xg_list_header() {
	xg_list_row ADDRESS HITS EXPIRES ORIGIN
}

# ---- the end-to-end lab ----------------------------------------------------

# xg_lab_up OCTET: client namespace $XG_CNS and protected namespace $XG_PNS
# joined by veth $XG_CIF <-> $XG_PIF; 198.18.OCTET.1/.2 and
# 2001:db8:OCTET::1/::2, permanent neighbours both ways, no link-local
# addresses, no default route. Waits until the MLD reports that follow
# address setup have passed, so counters see only the tests' traffic.
xg_lab_up() {
	local n=$1 cmac pmac
	XG_CNS=xgbe-$XG_RID-$XG_FTAG-c
	XG_PNS=xgbe-$XG_RID-$XG_FTAG-p
	XG_CIF=xgc-$XG_SHORT
	XG_PIF=xgp-$XG_SHORT
	XG_C4=198.18.$n.1
	XG_P4=198.18.$n.2
	XG_NET4=198.18.$n.0/24
	XG_C6=2001:db8:$n::1
	XG_P6=2001:db8:$n::2
	XG_NET6=2001:db8:$n::/64
	export XDPGUARD_PIN_DIR=$XG_BPFFS/xgbe-$XG_RID-$XG_FTAG
	export XG_CNS XG_PNS XG_CIF XG_PIF XG_C4 XG_P4 XG_NET4 XG_C6 XG_P6 \
		XG_NET6

	xg_lab_down
	{
		ip netns add "$XG_CNS" && ip netns add "$XG_PNS" &&
		ip -n "$XG_CNS" link add "$XG_CIF" type veth peer \
			name "$XG_PIF" netns "$XG_PNS" &&
		ip -n "$XG_CNS" link set "$XG_CIF" addrgenmode none &&
		ip -n "$XG_PNS" link set "$XG_PIF" addrgenmode none &&
		ip -n "$XG_CNS" addr add "$XG_C4/24" dev "$XG_CIF" &&
		ip -n "$XG_CNS" addr add "$XG_C6/64" dev "$XG_CIF" nodad &&
		ip -n "$XG_PNS" addr add "$XG_P4/24" dev "$XG_PIF" &&
		ip -n "$XG_PNS" addr add "$XG_P6/64" dev "$XG_PIF" nodad &&
		ip -n "$XG_CNS" link set lo up && ip -n "$XG_PNS" link set lo up &&
		ip -n "$XG_CNS" link set "$XG_CIF" up &&
		ip -n "$XG_PNS" link set "$XG_PIF" up &&
		cmac=$(ip -n "$XG_CNS" -j link show "$XG_CIF" |
		       jq -r '.[0].address') &&
		pmac=$(ip -n "$XG_PNS" -j link show "$XG_PIF" |
		       jq -r '.[0].address') &&
		ip -n "$XG_CNS" neigh replace "$XG_P4" lladdr "$pmac" \
			dev "$XG_CIF" nud permanent &&
		ip -n "$XG_CNS" neigh replace "$XG_P6" lladdr "$pmac" \
			dev "$XG_CIF" nud permanent &&
		ip -n "$XG_PNS" neigh replace "$XG_C4" lladdr "$cmac" \
			dev "$XG_PIF" nud permanent &&
		ip -n "$XG_PNS" neigh replace "$XG_C6" lladdr "$cmac" \
			dev "$XG_PIF" nud permanent &&
		xg_lab_settle
	} || { echo "# lab setup failed" >&3; xg_lab_down; return 1; }
}

# Wait (at most 6 s) until the protected end has received nothing for 1.5 s.
xg_lab_settle() {
	local last=-1 now stable=0 i

	for ((i = 0; i < 24; i++)); do
		now=$(ip -n "$XG_PNS" -s -j link show "$XG_PIF" |
		      jq '.[0].stats64.rx.packets')
		if [[ $now == "$last" ]]; then
			((++stable >= 6)) && return 0
		else
			stable=0
			last=$now
		fi
		sleep 0.25
	done
	return 0
}

xg_lab_down() {
	if [[ -n ${XDPGUARD_PIN_DIR:-} ]]; then
		xg-unload --all --pin-dir "$XDPGUARD_PIN_DIR" >/dev/null 2>&1
		rm -rf "$XDPGUARD_PIN_DIR"
	fi
	[[ -n ${XG_CNS:-} ]] && ip netns del "$XG_CNS" 2>/dev/null
	[[ -n ${XG_PNS:-} ]] && ip netns del "$XG_PNS" 2>/dev/null
	return 0
}

# Run a command in the client or protected namespace.
in_client() { ip netns exec "$XG_CNS" "$@"; }
in_protected() { ip netns exec "$XG_PNS" "$@"; }

# Wait until something in the protected namespace listens on PROTO PORT.
xg_wait_listen() {
	local proto=$1 port=$2 i

	for ((i = 0; i < 50; i++)); do
		[[ -n $(in_protected ss -Hln"${proto:0:1}" "sport = :$port") ]] &&
			return 0
		sleep 0.1
	done
	return 1
}

# xg_delta BEFORE AFTER: the counters that moved between two `xg-stats -j`
# documents, as sorted compact JSON {"class/reason": packets, ...}. Comparing
# it whole proves that nothing else was counted.
xg_delta() {
	jq -cnS --argjson a "$1" --argjson b "$2" '
		[$b.counters | to_entries[] | .key as $c | .value | to_entries[]
		 | {key: "\($c)/\(.key)",
		    value: (.value.packets - $a.counters[$c][.key].packets)}
		 | select(.value != 0)] | from_entries'
}

# assert_delta BEFORE EXPECTED_JSON: compare the counters now with BEFORE.
assert_delta() {
	local now got want
	now=$(xg-stats -j) || fail "xg-stats -j failed"
	got=$(xg_delta "$1" "$now")
	want=$(jq -cS . <<<"$2")
	assert_equal "$got" "$want"
}

# An independent count of what reached the guarded end: the frames and
# bytes the client's veth end has sent ("PACKETS BYTES"). veth delivers
# every one to its peer, where XDP sees it before anything else. With an
# XDP program on the peer, veth counts a frame's bytes after taking off
# its 14-byte Ethernet header; xdpguard counts the whole frame, so the
# header is added back here.
xg_client_tx() {
	ip -n "$XG_CNS" -s -j link show "$XG_CIF" |
		jq -er '.[0].stats64.tx | "\(.packets) \(.bytes + 14 * .packets)"'
}

# The packets and bytes of the guarded interface's own counters, summed
# over every class and reason ("PACKETS BYTES").
xg_iface_sum() {
	xg-stats -j | jq -er --arg i "$XG_PIF" '.interfaces[]
		| select(.interface == $i) | [.counters[][]]
		| "\(map(.packets) | add) \(map(.bytes) | add)"'
}

# assert_counts_tx TX_BEFORE SUM_BEFORE: the guarded interface counted
# exactly the frames and bytes the client sent since. NAPI may still hold
# the last frames for a moment: read again for up to a second.
assert_counts_tx() {
	local tx sum i dt ds
	for ((i = 0; i < 10; i++)); do
		tx=$(xg_client_tx) && sum=$(xg_iface_sum) ||
			fail "cannot read the counters"
		dt=$(awk -v a="$1" -v b="$tx" 'BEGIN { split(a, x, " ");
			split(b, y, " "); print y[1] - x[1], y[2] - x[2] }')
		ds=$(awk -v a="$2" -v b="$sum" 'BEGIN { split(a, x, " ");
			split(b, y, " "); print y[1] - x[1], y[2] - x[2] }')
		[[ $dt == "$ds" ]] && break
		sleep 0.1
	done
	[[ $dt != "0 0" ]] || fail "the client sent nothing"
	assert_equal "counted $ds" "counted $dt"
}

# Hits of one list entry: xg_hits xg-block ADDRESS (as list -j shows it).
xg_hits() {
	"$1" list -j | jq -er --arg a "$2" '.[] | select(.address == $a) | .hits'
}

# xg_tcp_send ADDR PORT: a listener in the protected namespace, one line sent
# from the client; returns 0 when the line arrived. Connect times out in 2 s;
# a client that never connected sent nothing, so then the line is looked for
# for 0.3 s, not the 2 s a connected one gets.
xg_tcp_send() {
	local addr=$1 port=$2 out=$BATS_TEST_TMPDIR/tcp-$2.out pid i n=20

	: >"$out"
	ip netns exec "$XG_PNS" timeout 6 nc -l "$addr" "$port" \
		>"$out" 2>/dev/null </dev/null &
	pid=$!
	xg_wait_listen tcp "$port" || { kill "$pid"; return 2; }
	echo "xg-line-$port" |
		ip netns exec "$XG_CNS" nc -N -w 2 "$addr" "$port" >/dev/null 2>&1 ||
		n=3
	for ((i = 0; i < n; i++)); do
		grep -qx "xg-line-$port" "$out" && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -qx "xg-line-$port" "$out"
}

# xg_udp_send ADDR PORT: one datagram from the client; 0 when it arrived.
xg_udp_send() {
	local addr=$1 port=$2 out=$BATS_TEST_TMPDIR/udp-$2.out pid i

	: >"$out"
	ip netns exec "$XG_PNS" timeout 5 nc -u -l "$addr" "$port" \
		>"$out" 2>/dev/null </dev/null &
	pid=$!
	xg_wait_listen udp "$port" || { kill "$pid"; return 2; }
	echo "xg-dgram-$port" |
		ip netns exec "$XG_CNS" nc -u -w 1 "$addr" "$port" >/dev/null 2>&1
	for ((i = 0; i < 10; i++)); do
		grep -qx "xg-dgram-$port" "$out" && break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	grep -qx "xg-dgram-$port" "$out"
}

# Called from setup() of e2e files: empty lists, no rules, the program
# attached.
xg_lab_reset() {
	xg-block flush >/dev/null && xg-allow flush >/dev/null &&
		xg-rule flush >/dev/null || return 1
	if [[ $(xg-stats -j | jq '.interfaces | length') == 0 ]]; then
		xg-load -n "$XG_PNS" "$XG_PIF" --mode native || return 1
	fi
}

# ---- load/unload slot helpers (xg_ld_*) -------------------------------------

# xg_ld_send NS DEV N: N non-IP frames (60 bytes, ethertype 0x88b5) sent out
# of DEV in NS, so that its veth peer counts exactly N non_ip/pass packets.
xg_ld_send() {
	ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
f = b"\xff" * 6 + b"\x02\x00\x00\x00\x00\x01" + b"\x88\xb5" + bytes(46)
for _ in range(int(sys.argv[2])):
    s.send(f)
' "$2" "$3"
}

# xg_ld_slot_packets SLOT: packets counted in one interface slot (every
# class and reason, all CPUs), read straight from the pinned map.
xg_ld_slot_packets() {
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_stats" -j |
		jq --argjson s "$1" '[.[].formatted
			| select(.key >= $s * 160 and .key < ($s + 1) * 160)
			| .values[].value.packets] | add'
}

# xg_ld_slots: {"IFACE": slot, ...} of the guarded interfaces, from the
# pinned xg_ifaces map, keys sorted.
xg_ld_slots() {
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_ifaces" -j |
		jq -cS '[.[].formatted.value | {(.ifname): .slot}] | add // {}'
}

# ---- xg-stats helpers (xg_st_*) ---------------------------------------------

# xg_st_key SLOT CLASS REASON: the xg_stats key of one counter, names as in
# `xg-stats -j` (XG_STATS_KEY of common/xg_abi.h).
xg_st_key() {
	local classes=(tcp udp icmp other_ip non_ip) i c= r=
	local reasons=(pass allowlisted blocklisted malformed rate_syn rate_udp
		       rate_icmp rate_frag syn_global udp_global icmp_global
		       frag_global autoban rule_drop rule_rate cookie_sent
		       cookie_bad)

	for i in "${!classes[@]}"; do [[ ${classes[i]} == "$2" ]] && c=$i; done
	for i in "${!reasons[@]}"; do [[ ${reasons[i]} == "$3" ]] && r=$i; done
	[[ -n $c && -n $r ]] || return 1
	echo $((($1 * 5 + c) * 32 + r))
}

# xg_st_le BYTES N: N as BYTES little-endian bytes, for bpftool.
xg_st_le() {
	local n=$2 i out=()

	for ((i = 0; i < $1; i++)); do
		out+=($((n & 255)))
		n=$((n >> 8))
	done
	echo "${out[*]}"
}

# Possible CPUs: bpftool writes a per-CPU value into every one of them.
xg_st_ncpu() {
	local p
	p=$(</sys/devices/system/cpu/possible)
	echo $((${p##*-} + 1))
}

# xg_st_set SLOT CLASS REASON PACKETS BYTES: one counter written as the
# program would; every possible CPU gets the value, so `xg-stats` shows
# PACKETS x $(xg_st_ncpu).
xg_st_set() {
	local key
	key=$(xg_st_key "$1" "$2" "$3") || return 1
	bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_stats" \
		key $(xg_st_le 4 "$key") \
		value $(xg_st_le 8 "$4") $(xg_st_le 8 "$5")
}

# xg_st_rule_hits ID PACKETS BYTES: the hits of rule ID, on the slot
# xg_rulesrc gives it, written as the program would on every possible CPU.
xg_st_rule_hits() {
	local slot
	slot=$(bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_rulesrc" |
		jq -e --argjson id "$1" \
			'first(.[].formatted.value.r | select(.id == $id)).slot') ||
		return 1
	bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_rhits" \
		key $(xg_st_le 4 "$slot") value $(xg_st_le 8 "$2") $(xg_st_le 8 "$3")
}

# Now on CLOCK_BOOTTIME (the clock of the program's timestamps), in ns.
xg_st_boot_ns() {
	awk '{ printf "%.0f\n", $1 * 1e9 }' /proc/uptime
}

# xg_st_limits_ns: now on the clock of the program's limits (xg_meta's
# limits_clock): CLOCK_MONOTONIC, which /proc/timer_list gives, on kernels
# with bpf_ktime_get_coarse_ns(); else the boot clock.
xg_st_limits_ns() {
	local c
	c=$(bpftool map lookup pinned "$XDPGUARD_PIN_DIR/xg_meta" key 0 0 0 0 -j |
		jq '.formatted.value.limits_clock')
	if [[ $c == 1 ]]; then
		awk '/^now at/ { print $3; exit }' /proc/timer_list
	else
		xg_st_boot_ns
	fi
}

# xg_st_track NOW_NS ADDR4 WIN_AGE_MS OVER_SYN OVER_UDP OVER_ICMP OVER_FRAG
#            LAST_OVER: prints the bpftool batch command that writes a
# tracked IPv4 source (or, if ADDR4 holds spaces, the 16 key bytes it
# lists) whose rate-limit window started WIN_AGE_MS before
# NOW_NS (xg_st_limits_ns), as the program would. Run the lines with
# `bpftool batch file FILE`: one process, so the ages stay what they say.
# No subshell per byte: on a busy machine forks take long enough to age
# the windows.
xg_st_track() {
	local a=$2 win=$(($1 - $3 * 1000000)) out=() f i key

	key="0 0 0 0 0 0 0 0 0 0 0xff 0xff ${a//./ }"
	[[ $a == *" "* ]] && key=$a

	# tat[4], win_start, over[4], strikes, last_over, admitted_ns,
	# ps_bits, ps_start
	for f in 32:0 "8:$win" "4:$4" "4:$5" "4:$6" "4:$7" 4:0 "4:$8" 8:0 \
		 8:0 8:0; do
		for ((i = 0; i < ${f%%:*}; i++)); do
			out+=($(((${f#*:} >> (8 * i)) & 255)))
		done
	done
	echo "map update pinned $XDPGUARD_PIN_DIR/xg_track" \
		"key $key value ${out[*]}"
}

# ---- e2e accounting helpers (flood.bats, rules.bats) ------------------------

rx_packets() {
	ip -n "$XG_PNS" -s -j link show "$XG_PIF" | jq '.[0].stats64.rx.packets'
}

# Wait (at most 3 s) until the protected end has received nothing for
# 0.3 s: a test's counters are read one after the other, so they only
# agree when no packet arrives in between.
quiet() {
	local last=-1 now stable=0 i

	for ((i = 0; i < 30; i++)); do
		now=$(rx_packets)
		if [[ $now == "$last" ]]; then
			((++stable >= 3)) && return 0
		else
			stable=0
			last=$now
		fi
		sleep 0.1
	done
	return 0
}

# assert_between LOW VALUE HIGH
assert_between() {
	((${1} <= ${2} && ${2} <= ${3})) ||
		fail "expected $1 <= $2 <= $3"
}

now_us() {
	echo "${EPOCHREALTIME/./}"
}

# ceiling RATE BURST: the most packets a bucket can pass in DUR_MS (which,
# for hping3, includes its wait for late replies after the last packet: the
# bound is generous, never too tight).
ceiling() {
	echo $(($2 + ($1 * DUR_MS + 999) / 1000 + 1))
}

# d KEY: the value of KEY in $D, the change a test's delta() worked out.
d() {
	jq -er --arg k "$1" '.[$k]' <<<"$D"
}

# ---- xg-events helpers (xg_ev_*) ---------------------------------------------

# The pid of the xg-events that reads the events of $XDPGUARD_PIN_DIR (it
# holds an flock on PIN_DIR/links), or nothing (xg_flock_pid).
xg_ev_reader_pid() {
	xg_flock_pid "$XDPGUARD_PIN_DIR/links"
}

# xg_ev_wait_reader: wait (at most 5 s) until an xg-events holds the reader
# lock; XG_EV_READER is its pid.
xg_ev_wait_reader() {
	local i
	for ((i = 0; i < 100; i++)); do
		XG_EV_READER=$(xg_ev_reader_pid)
		[[ -n $XG_EV_READER ]] && return 0
		sleep 0.05
	done
	return 1
}

# ---- xg-features helpers (xg_ft_*) -------------------------------------------

# The pid of the process that holds an flock on directory $1, or nothing.
# Read from /proc/locks: a probe with flock(1) would take the lock itself
# and race the reader.
xg_flock_pid() {
	local id
	id=$(stat -c '%Hd %Ld %i' "$1" 2>/dev/null) || return 0
	# shellcheck disable=SC2086 # three numbers
	id=$(printf '%02x:%02x:%s' $id)
	awk -v id="$id" '$2 == "FLOCK" && $4 == "WRITE" && $6 == id {
		print $5 }' /proc/locks
}

# xg_ft_wait_reader: wait (at most 5 s) until an xg-features holds its
# reader lock (PIN_DIR/features); XG_FT_READER is its pid.
xg_ft_wait_reader() {
	local i
	for ((i = 0; i < 100; i++)); do
		XG_FT_READER=$(xg_flock_pid "$XDPGUARD_PIN_DIR/features")
		[[ -n $XG_FT_READER ]] && return 0
		sleep 0.05
	done
	return 1
}

# The fields of every line of xg-features, in order (xg-features(8)).
XG_FT_KEYS='["timestamp_ns","ip_version","protocol","pr_tcp","pr_udp","pr_icmp","pr_other","tcp_fin","tcp_syn","tcp_rst","tcp_psh","tcp_ack","tcp_urg","tcp_ece","tcp_cwr","src_port","src_port_low","src_port_mid","src_port_high","dst_port","dst_port_low","dst_port_mid","dst_port_high","pkt_len","payload_len","tos","interface","src","dst","rule","reason"]'
