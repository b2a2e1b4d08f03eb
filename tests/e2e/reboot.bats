#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# A box reboots guarded, without packets: the state is saved by the
# commands of xdpguard@.service's ExecStop, bpffs is emptied (xg-unload
# --all: what a reboot leaves), and the commands of its ExecStart bring it
# back in a fresh pin dir; the saves before and after are the same. The
# units pass systemd-analyze verify.

bats_require_minimum_version 1.5.0
load '../lib/common'

UNITS=$BATS_TEST_DIRNAME/../../contrib/systemd

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

# The Exec$1= lines of xdpguard@.service for interface $2, with the tools
# on PATH and the state file $3.
unit_cmds() {
	sed -n "s/^Exec$1=//p" "$UNITS/xdpguard@.service" |
		sed -e "s|/usr/sbin/||g" -e "s|%i|$2|g" \
		    -e "s|/var/lib/xdpguard/state|$3|g" \
		    -e 's|\$XG_LOAD_OPTS|--mode skb|'
}

@test "a box reboots guarded: restore into a fresh pin dir, the same save" {
	local cmd iface="$XG_IF@$XG_NS" state=$BATS_TEST_TMPDIR/state
	xg_make_ns
	# first boot: no state file yet
	while read -r cmd; do bash -c "$cmd"; done < <(unit_cmds Start "$iface" "$state")
	[[ ! -e $state ]]
	xg-threshold syn 321 -b 9
	xg-rule add prio 10 proto tcp dport 22 rate 10/20 per-source ban 60
	xg-rule add src 198.18.0.0/16 pass
	xg-block add 198.18.1.0/24 2001:db8:1::/48 198.18.2.2
	xg-block add 198.18.3.3 -t 2h
	xg-allow add 198.18.4.4
	xg-save >before
	# shutdown
	while read -r cmd; do bash -c "$cmd"; done < <(unit_cmds Stop "$iface" "$state")
	assert_equal "$(tail -1 "$state")" "# end"
	run -0 xg-stats -j
	assert_equal "$(jq '.interfaces | length' <<<"$output")" 0
	# the reboot: bpffs is empty
	xg-unload --all
	xg_assert_no_pins
	# boot
	while read -r cmd; do bash -c "$cmd"; done < <(unit_cmds Start "$iface" "$state")
	xg-save >after
	diff <(sed -e 1d -e 's/ -t [0-9]*//' before) <(sed -e 1d -e 's/ -t [0-9]*//' after)
	assert_equal "$(xg-stats -j | jq -c '[.interfaces[] | [.interface, .mode]]')" \
		"[[\"$XG_IF\",\"skb\"]]"
	assert_equal "$(xg-block list -j | jq -r '.[] | select(.address == "198.18.3.3") | .expires_in > 7000')" true
}

@test "the units pass systemd-analyze verify" {
	command -v systemd-analyze >/dev/null ||
		skip "systemd-analyze not installed (Debian package systemd)"
	local d=$BATS_TEST_TMPDIR/inst
	make -s -C "$BATS_TEST_DIRNAME/../.." install PREFIX="$d" \
		BUILD="$XG_BUILD" >/dev/null
	run -0 --separate-stderr systemd-analyze verify --man=no \
		"$d/lib/systemd/system/xdpguard@lo.service" \
		"$d/lib/systemd/system/xdpguard-feed@spamhaus.service" \
		"$d/lib/systemd/system/xdpguard-feed@spamhaus.timer"
	assert_equal "$stderr" ""
}
