#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-unload: detach one interface (lists stay) or everything (pins go).
# The usage errors that must leave a loaded program attached share the
# file's lab (xg_shared_lab); the tests that unload load their own.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

bad() {
	local code=$1 msg=$2
	shift 2
	run -"$code" --separate-stderr xg-unload "$@"
	assert_equal "$stderr" "xg-unload: $msg"
	assert_equal "$output" ""
}

xdp_of() {
	ip -n "$XG_NS" -j link show "$1" |
		jq -r '.[0].xdp // empty | "\(.mode) \(.prog.name)"' |
		grep . || echo none
}

@test "no interface given" {
	bad 2 "no interface given; see --help"
	xg_assert_no_pins
}

@test "no interface given, with a netns" {
	xg_shared_lab
	bad 2 "no interface given; see --help" -n "$XG_NS"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "--all takes no interface" {
	xg_shared_lab
	bad 2 "--all takes no interface" --all "$XG_IF"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	[[ -d $XDPGUARD_PIN_DIR ]] || fail "pin dir removed"
}

@test "--all takes no interface, interface first" {
	xg_shared_lab
	bad 2 "--all takes no interface" -n "$XG_NS" "$XG_IF" --all
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "unknown option" {
	xg_shared_lab
	bad 2 "unknown option '--everything'; see --help" --everything
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "-n without a value" {
	bad 2 "option '-n' needs a value" "$XG_IF" -n
}

@test "two interfaces in one call" {
	xg_shared_lab
	bad 2 "unexpected argument '$XG_PEER'; see --help" -n "$XG_NS" "$XG_IF" "$XG_PEER"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "an interface that is not guarded" {
	xg_shared_lab
	xg-block 198.18.0.5
	xg_save_snapshot
	bad 1 "$XG_PEER is not guarded" -n "$XG_NS" "$XG_PEER"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	xg_assert_unchanged
}

@test "an interface in another namespace is not guarded" {
	xg_load_lab
	xg_make_ns "$XG_NS-2"
	bad 1 "$XG_IF is not guarded" -n "$XG_NS-2" "$XG_IF"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "unload IFACE: silent, detached, lists and pins stay" {
	xg_load_lab
	xg-block 198.18.0.5 198.18.4.0/24
	xg_save_snapshot
	run -0 --separate-stderr xg-unload -n "$XG_NS" "$XG_IF"
	assert_equal "$output$stderr" ""
	assert_equal "$(xdp_of "$XG_IF")" none
	[[ ! -e $XDPGUARD_PIN_DIR/links/$XG_IF@$XG_NS ]] || fail "link pin left"
	[[ -d $XDPGUARD_PIN_DIR/links ]] || fail "links/ removed"
	xg_assert_unchanged
	assert_equal "$(xg-stats -j | jq -c .interfaces)" "[]"
}

@test "unload IFACE@NETNS: the same as -n NETNS IFACE" {
	xg_load_lab
	bad 2 "invalid interface '$XG_IF@'" "$XG_IF@"
	bad 2 "invalid network namespace ''" -n '' "$XG_IF"
	bad 2 "'$XG_IF@$XG_NS' names its namespace; --netns does not apply to it" \
		-n "$XG_NS" "$XG_IF@$XG_NS"
	bad 2 "--all takes no interface" --all -n "$XG_NS"
	bad 1 "$XG_IF is not guarded" "$XG_IF@$XG_NS-2"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	run -0 --separate-stderr xg-unload -j "$XG_IF@$XG_NS"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c .detached <<<"$output")" \
		"[{\"interface\":\"$XG_IF\",\"netns\":\"$XG_NS\"}]"
	assert_equal "$(xdp_of "$XG_IF")" none
	[[ ! -e $XDPGUARD_PIN_DIR/links/$XG_IF@$XG_NS ]] || fail "link pin left"
}

@test "unload IFACE twice: the second time it is not guarded" {
	xg_load_lab
	run -0 xg-unload --netns "$XG_NS" "$XG_IF"
	bad 1 "$XG_IF is not guarded" --netns "$XG_NS" "$XG_IF"
}

@test "unload one of two interfaces keeps the other" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	assert_equal "$(xdp_of "$XG_IF")" none
	assert_equal "$(xdp_of xgq-"$XG_SHORT")" "1 xdpguard"
	assert_equal "$(xg-stats -j | jq -r '[.interfaces[].interface] | join(",")')" \
		"xgq-$XG_SHORT"
}

@test "--all: detaches everything and removes the pin dir" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	xg-load -n "$XG_NS" xgq-"$XG_SHORT" --mode skb
	xg-block 198.18.0.5
	run -0 --separate-stderr xg-unload --all
	assert_equal "$output$stderr" ""
	xg_assert_no_pins
	assert_equal "$(xdp_of "$XG_IF")" none
	assert_equal "$(xdp_of xgq-"$XG_SHORT")" none
	run -1 --separate-stderr xg-block list
	assert_equal "$stderr" "xg-block: xdpguard is not loaded; run xg-load IFACE first"
}

@test "--all empties the lists for the next load" {
	xg_load_lab
	xg-block 198.18.0.5
	run -0 xg-unload --all
	run -0 xg-load -n "$XG_NS" "$XG_IF"
	run -0 xg-block list -j
	assert_equal "$(jq -c . <<<"$output")" "[]"
}

@test "--all after every interface was unloaded one by one" {
	xg_load_lab
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	run -0 --separate-stderr xg-unload --all
	assert_equal "$output$stderr" ""
	xg_assert_no_pins
}

# ---- counter slots ------------------------------------------------------

@test "unload IFACE retires its slot: totals kept, counts in detached" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	xg_ld_send "$XG_NS" "$XG_PEER" 3
	xg_ld_send "$XG_NS" xgr-"$XG_SHORT" 5
	assert_equal "$(xg_counter non_ip pass)" 8
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	assert_equal "$(xg_counter non_ip pass)" 8
	assert_equal "$(xg_counter non_ip pass bytes)" 480
	assert_equal "$(xg_ld_slot_packets 0)" 3
	assert_equal "$(xg_ld_slot_packets 1)" 0
	assert_equal "$(xg_ld_slot_packets 2)" 5
	assert_equal "$(xg_ld_slots)" "{\"xgq-$XG_SHORT\":2}"
	# the freed slot is the next one given out, from zero
	run -0 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF"
	assert_equal "$(jq .slot <<<"$output")" 1
	xg_ld_send "$XG_NS" "$XG_PEER" 1
	assert_equal "$(xg_ld_slot_packets 1)" 1
	assert_equal "$(xg_counter non_ip pass)" 9
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	run -0 xg-unload -n "$XG_NS" xgq-"$XG_SHORT"
	assert_equal "$(xg_ld_slot_packets 0)" 9
	assert_equal "$(xg_ld_slots)" "{}"
	assert_equal "$(xg_counter non_ip pass)" 9
}

@test "unload of an interface that vanished retires its slot too" {
	xg_load_lab
	xg_ld_send "$XG_NS" "$XG_PEER" 2
	ip -n "$XG_NS" link del "$XG_IF"
	run -0 --separate-stderr xg-unload -j -n "$XG_NS" "$XG_IF"
	assert_equal "$output" "{\"detached\":[{\"interface\":\"$XG_IF\",\"netns\":\"$XG_NS\"}]}"
	assert_equal "$(xg_ld_slot_packets 0)" 2
	assert_equal "$(xg_ld_slots)" "{}"
}

# ---- -j on success ------------------------------------------------------

@test "-j: unload IFACE prints the interface detached" {
	xg_load_lab
	run -0 --separate-stderr xg-unload -j -n "$XG_NS" "$XG_IF"
	assert_equal "$stderr" ""
	assert_equal "$output" "{\"detached\":[{\"interface\":\"$XG_IF\",\"netns\":\"$XG_NS\"}]}"
	assert_equal "$(xdp_of "$XG_IF")" none
}

@test "-j --all: every interface detached, sorted by name" {
	xg_load_lab
	xg_make_ns "$XG_NS" xga-"$XG_SHORT" xgb-"$XG_SHORT"
	xg_make_ns "$XG_NS-2"
	run -0 xg-load -n "$XG_NS" xga-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS-2" "$XG_IF"
	run -0 --separate-stderr xg-unload -j --all
	assert_equal "$stderr" ""
	assert_equal "$output" "$(jq -cn --arg a "xga-$XG_SHORT" --arg p "$XG_IF" \
		--arg n "$XG_NS" --arg m "$XG_NS-2" \
		'{detached: [{interface: $a, netns: $n}, {interface: $p, netns: $n},
			     {interface: $p, netns: $m}]}')"
	xg_assert_no_pins
}

@test "-j --all with no interface guarded: an empty list" {
	xg_load_lab
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	run -0 --separate-stderr xg-unload -j --all
	assert_equal "$output$stderr" '{"detached":[]}'
	xg_assert_no_pins
}

@test "-j: failures print only the error object" {
	run -1 --separate-stderr xg-unload -j --all
	assert_equal "$output" '{"error":"xdpguard is not loaded; run xg-load IFACE first"}'
	xg_load_lab
	run -1 --separate-stderr xg-unload -j -n "$XG_NS" "$XG_PEER"
	assert_equal "$stderr" "xg-unload: $XG_PEER is not guarded"
	assert_equal "$output" "{\"error\":\"$XG_PEER is not guarded\"}"
	run -2 --separate-stderr xg-unload -j --all "$XG_IF"
	assert_equal "$output" '{"error":"--all takes no interface"}'
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}
