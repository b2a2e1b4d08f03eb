#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-load: usage errors touch nothing, a bad interface leaves nothing behind,
# a guarded interface is refused without --force, the lists survive reloads.
# Every program is attached to a veth inside a namespace the test creates;
# the few tests of a refused load share the file's lab (xg_shared_lab).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

# bad CODE MESSAGE ARGS...: exit CODE, the exact line, nothing on stdout.
bad() {
	local code=$1 msg=$2
	shift 2
	run -"$code" --separate-stderr xg-load "$@"
	assert_equal "$stderr" "xg-load: $msg"
	assert_equal "$output" ""
}

# XDP attachment of an interface in the test namespace: "MODE NAME" where
# MODE is ip's number (1 native, 2 skb, 3 offload), or "none".
xdp_of() {
	ip -n "${2:-$XG_NS}" -j link show "$1" |
		jq -r '.[0].xdp // empty | "\(.mode) \(.prog.name)"' |
		grep . || echo none
}

link_id_of() {
	xg-stats -j | jq -r --arg i "$1" '.interfaces[] | select(.interface == $i) | .link_id'
}

# ---- usage errors: nothing is created ----------------------------------

@test "no interface given" {
	bad 2 "no interface given; see --help"
	xg_assert_no_pins
}

@test "no interface given, only options" {
	bad 2 "no interface given; see --help" --mode skb -n "$XG_NS"
	xg_assert_no_pins
}

@test "invalid mode" {
	xg_make_ns
	bad 2 "invalid mode 'turbo' (native, skb or offload)" -n "$XG_NS" "$XG_IF" --mode turbo
	xg_assert_no_pins
	assert_equal "$(xdp_of "$XG_IF")" none
}

@test "invalid mode is found before the interface is looked up" {
	bad 2 "invalid mode 'drv' (native, skb or offload)" -m drv nosuch0
	xg_assert_no_pins
}

@test "--max-entries 0" {
	xg_make_ns
	bad 2 "invalid max-entries '0' (1-16777216)" -n "$XG_NS" "$XG_IF" --max-entries 0
	xg_assert_no_pins
}

@test "--max-entries abc" {
	xg_make_ns
	bad 2 "invalid max-entries 'abc' (1-16777216)" -n "$XG_NS" "$XG_IF" --max-entries abc
	xg_assert_no_pins
}

@test "--max-entries above the limit" {
	xg_make_ns
	bad 2 "invalid max-entries '16777217' (1-16777216)" -n "$XG_NS" "$XG_IF" \
		--max-entries 16777217
	xg_assert_no_pins
}

@test "--max-entries with trailing garbage" {
	xg_make_ns
	bad 2 "invalid max-entries '100k' (1-16777216)" -n "$XG_NS" "$XG_IF" \
		--max-entries 100k
	xg_assert_no_pins
}

@test "--track: invalid values" {
	xg_make_ns
	local v
	for v in 0 1023 16777217 abc 32k ''; do
		bad 2 "invalid track '$v' (1024-16777216)" -n "$XG_NS" "$XG_IF" --track "$v"
		xg_assert_no_pins
	done
	bad 2 "option '--track' needs a value" "$XG_IF" --track
	xg_assert_no_pins
	assert_equal "$(xdp_of "$XG_IF")" none
}

@test "--feature-ring: invalid values" {
	xg_make_ns
	local v
	for v in 0 128k 100k 384k 512M 1G abc 1x ''; do
		bad 2 "invalid feature ring '$v' (256k-256M, a power of two)" \
			-n "$XG_NS" "$XG_IF" --feature-ring "$v"
		xg_assert_no_pins
	done
	bad 2 "option '--feature-ring' needs a value" "$XG_IF" --feature-ring
	xg_assert_no_pins
}

@test "--mode without a value" {
	bad 2 "option '--mode' needs a value" "$XG_IF" --mode
	xg_assert_no_pins
}

@test "-n without a value" {
	bad 2 "option '-n' needs a value" "$XG_IF" -n
	xg_assert_no_pins
}

@test "--max-entries without a value" {
	bad 2 "option '--max-entries' needs a value" "$XG_IF" --max-entries
	xg_assert_no_pins
}

@test "unknown option" {
	bad 2 "unknown option '--frobnicate'; see --help" --frobnicate "$XG_IF"
	xg_assert_no_pins
}

@test "unknown short option" {
	bad 2 "unknown option '-Z'; see --help" -Z "$XG_IF"
	xg_assert_no_pins
}

@test "two interfaces in one call" {
	xg_make_ns
	bad 2 "unexpected argument '$XG_PEER'; see --help" -n "$XG_NS" "$XG_IF" "$XG_PEER"
	xg_assert_no_pins
	assert_equal "$(xdp_of "$XG_IF")" none
}

@test "IFACE@NETNS: invalid names, and -n beside it" {
	bad 2 "invalid interface 'abcdefghijklmnop'" abcdefghijklmnop
	bad 2 "invalid interface 'a/b'" a/b
	bad 2 "invalid interface '$XG_IF@'" "$XG_IF@"
	bad 2 "invalid interface '@$XG_NS'" "@$XG_NS"
	bad 2 "invalid network namespace ''" -n '' "$XG_IF"
	bad 2 "invalid network namespace 'a/b'" --netns a/b "$XG_IF"
	bad 2 "'$XG_IF@$XG_NS' names its namespace; --netns does not apply to it" \
		-n "$XG_NS" "$XG_IF@$XG_NS"
	xg_assert_no_pins
}

@test "IFACE@NETNS: the same as -n NETNS IFACE" {
	xg_make_ns
	run -0 --separate-stderr xg-load -j "$XG_IF@$XG_NS"
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '[.interface, .netns, .slot, .replaced]' <<<"$output")" \
		"[\"$XG_IF\",\"$XG_NS\",1,false]"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	[[ -e $XDPGUARD_PIN_DIR/links/$XG_IF@$XG_NS ]] || fail "no link pin"
	bad 1 "$XG_IF is already guarded; use --force to replace the program" \
		-n "$XG_NS" "$XG_IF"
	run -0 xg-load "$XG_IF@$XG_NS" --force
	bad 1 "interface 'nosuch0' not found in network namespace '$XG_NS'" \
		"nosuch0@$XG_NS"
}

# ---- runtime errors before anything is created -------------------------

@test "interface not found in the host namespace" {
	local name=xgn-$XG_SHORT
	! ip link show "$name" 2>/dev/null || skip "$name exists"
	bad 1 "interface '$name' not found" "$name"
	xg_assert_no_pins
}

@test "interface not found in the network namespace" {
	xg_make_ns
	bad 1 "interface 'nosuch0' not found in network namespace '$XG_NS'" \
		-n "$XG_NS" nosuch0
	xg_assert_no_pins
}

@test "network namespace not found" {
	bad 1 "network namespace '$XG_NS-none' not found" --netns "$XG_NS-none" "$XG_IF"
	xg_assert_no_pins
}

@test "native mode unsupported: message, and the new pin dir is removed" {
	xg_make_ns
	ip -n "$XG_NS" link add "xgi-$XG_SHORT" type ifb
	ip -n "$XG_NS" link set "xgi-$XG_SHORT" up
	bad 1 "xgi-$XG_SHORT: driver does not support native XDP; try --mode skb" \
		-n "$XG_NS" "xgi-$XG_SHORT" --mode native
	xg_assert_no_pins
	assert_equal "$(xdp_of "xgi-$XG_SHORT")" none
}

@test "native mode unsupported on a second interface keeps the lists" {
	xg_load_lab
	xg-block 198.18.0.5
	xg_save_snapshot
	ip -n "$XG_NS" link add "xgi-$XG_SHORT" type ifb
	bad 1 "xgi-$XG_SHORT: driver does not support native XDP; try --mode skb" \
		-n "$XG_NS" "xgi-$XG_SHORT" --mode native
	xg_assert_unchanged
	assert_equal "$(xg-stats -j | jq '.interfaces | length')" 1
}

@test "skb mode works where native does not" {
	xg_make_ns
	ip -n "$XG_NS" link add "xgi-$XG_SHORT" type ifb
	run -0 --separate-stderr xg-load -n "$XG_NS" "xgi-$XG_SHORT" -m skb
	assert_equal "$output$stderr" ""
	assert_equal "$(xdp_of "xgi-$XG_SHORT")" "2 xdpguard"
	assert_equal "$(xg-stats -j | jq -r '.interfaces[0].mode')" skb
}

@test "offload on a veth fails and leaves nothing behind" {
	xg_make_ns
	run -1 --separate-stderr xg-load -n "$XG_NS" "$XG_IF" --mode offload
	assert_regex "$stderr" "^xg-load: [^"$'\n'"]+$"
	xg_assert_no_pins
	assert_equal "$(xdp_of "$XG_IF")" none
}

@test "an XDP program that is not xdpguard's is left alone" {
	xg_make_ns
	cat >foreign.c <<-'EOF'
	#include <linux/bpf.h>
	__attribute__((section("xdp"), used)) int foreign(struct xdp_md *c)
	{ return XDP_PASS; }
	char _license[] __attribute__((section("license"), used)) = "GPL";
	EOF
	clang -O2 -target bpf -I"/usr/include/$(cc -print-multiarch)" \
		-c foreign.c -o foreign.o
	ip -n "$XG_NS" link set "$XG_IF" xdpdrv obj foreign.o sec xdp
	bad 1 "$XG_IF already has an XDP program that is not xdpguard's; detach it first" \
		-n "$XG_NS" "$XG_IF"
	assert_equal "$(xdp_of "$XG_IF")" "1 foreign"
	xg_assert_no_pins
}

# ---- success -----------------------------------------------------------

@test "load: silent, native XDP attached, pins laid out with mode 0700" {
	xg_make_ns
	umask 000
	run -0 --separate-stderr xg-load -n "$XG_NS" "$XG_IF" --mode native
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	assert_equal "$(stat -c %a "$XDPGUARD_PIN_DIR")" 700
	assert_equal "$(stat -c %a "$XDPGUARD_PIN_DIR/links")" 700
	[[ -e $XDPGUARD_PIN_DIR/links/$XG_IF@$XG_NS ]] ||
		fail "no link pin: $(ls "$XDPGUARD_PIN_DIR/links")"
	local m
	for m in xg_allow4 xg_allow6 xg_allow4p xg_allow6p xg_block4 xg_block6 \
		 xg_block4p xg_block6p xg_stats xg_meta xg_ifaces \
		 xg_state xg_track xg_global xg_events xg_feats xg_evstats; do
		[[ -e $XDPGUARD_PIN_DIR/$m ]] || fail "map $m not pinned"
	done
}

@test "the default mode is native" {
	xg_make_ns
	run -0 xg-load -n "$XG_NS" "$XG_IF"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	assert_equal "$(xg-stats -j | jq -r '.interfaces[0].mode')" native
}

@test "--pin-dir wins over XDPGUARD_PIN_DIR" {
	xg_make_ns
	local dir=$XDPGUARD_PIN_DIR-o
	run -0 xg-load --pin-dir "$dir" -n "$XG_NS" "$XG_IF"
	xg_assert_no_pins
	[[ -d $dir/links ]] || fail "$dir not created"
	run -0 xg-block --pin-dir "$dir" 198.18.0.5
	run -0 xg-unload --all --pin-dir "$dir"
	[[ ! -e $dir ]] || { rm -rf "$dir"; fail "xg-unload --all left $dir"; }
}

@test "already guarded: refused without --force, nothing changes" {
	xg_shared_lab
	xg-block 198.18.0.5 2001:db8::/32
	xg_save_snapshot
	local id
	id=$(link_id_of "$XG_IF")
	bad 1 "$XG_IF is already guarded; use --force to replace the program" \
		-n "$XG_NS" "$XG_IF"
	xg_assert_unchanged
	assert_equal "$(link_id_of "$XG_IF")" "$id"
	assert_equal "$(xg-stats -j | jq '.interfaces | length')" 1
}

@test "--force replaces the program in place and keeps the lists" {
	xg_load_lab
	xg-block 198.18.0.5 2001:db8::/32
	xg-allow 198.18.1.1
	xg_save_snapshot
	local id
	id=$(link_id_of "$XG_IF")
	run -0 --separate-stderr xg-load -n "$XG_NS" "$XG_IF" --force
	assert_equal "$output$stderr" ""
	xg_assert_unchanged
	assert_equal "$(link_id_of "$XG_IF")" "$id"
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	run -0 xg-load -n "$XG_NS" "$XG_IF" -F
	xg_assert_unchanged
}

@test "xg-unload IFACE then xg-load IFACE keeps the lists" {
	xg_load_lab
	xg-block 198.18.0.5 198.18.4.0/24 2001:db8::5 -t 1h
	xg-allow 2001:db8:1::/48
	xg_save_snapshot
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	assert_equal "$(xdp_of "$XG_IF")" none
	run -0 xg-load -n "$XG_NS" "$XG_IF"
	xg_assert_unchanged
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "two interfaces share one set of lists" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 --separate-stderr xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	assert_equal "$output$stderr" ""
	xg-block 198.18.0.5
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	assert_equal "$(xdp_of xgq-"$XG_SHORT")" "1 xdpguard"
	assert_equal "$(xg-stats -j | jq -c '[.interfaces[].interface] | sort')" \
		"$(jq -cn --arg a "$XG_IF" --arg b "xgq-$XG_SHORT" '[$a, $b] | sort')"
	[[ -e $XDPGUARD_PIN_DIR/links/xgq-$XG_SHORT@$XG_NS ]] || fail "no second link pin"
	# The programs of both interfaces use the same pinned maps.
	local m p id
	for m in xg_block4 xg_allow6p xg_stats xg_state; do
		id=$(bpftool map show pinned "$XDPGUARD_PIN_DIR/$m" -j | jq .id)
		for p in "$XG_IF" "xgq-$XG_SHORT"; do
			bpftool prog show id "$(ip -n "$XG_NS" -j link show "$p" |
				jq '.[0].xdp.prog.id')" -j |
				jq -e --argjson m "$id" '.map_ids | index($m)' >/dev/null ||
				fail "the program on $p does not use pinned $m"
		done
	done
}

@test "network namespace names are escaped in the link pin" {
	local ns=$XG_NS-a.b
	xg_make_ns "$ns"
	run -0 xg-load -n "$ns" "$XG_IF"
	[[ -e $XDPGUARD_PIN_DIR/links/$XG_IF@${XG_NS}-a%2Eb ]] ||
		fail "link pins: $(ls "$XDPGUARD_PIN_DIR/links")"
	assert_equal "$(xg-stats -j | jq -r '.interfaces[0].netns')" "$ns"
	run -0 xg-unload -n "$ns" "$XG_IF"
	assert_equal "$(xdp_of "$XG_IF" "$ns")" none
}

@test "a link pin whose interface vanished is replaced silently" {
	xg_load_lab
	xg-block 198.18.0.5
	xg_save_snapshot
	ip -n "$XG_NS" link del "$XG_IF"
	xg_make_ns
	run -0 --separate-stderr xg-load -n "$XG_NS" "$XG_IF"
	assert_equal "$output$stderr" ""
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
	xg_assert_unchanged
	assert_equal "$(xg-stats -j | jq -c '[.interfaces[].interface]')" \
		"$(jq -cn --arg a "$XG_IF" '[$a]')"
}

@test "--max-entries sizes the blocklist and is adopted later" {
	xg_load_lab --max-entries 1000
	run -0 xg-stats -j
	assert_equal "$(jq -c '.lists.blocklist | [.max_hosts, .max_prefixes]' <<<"$output")" \
		'[1000,1000]'
	assert_equal "$(jq -c '.lists.allowlist | [.max_hosts, .max_prefixes]' <<<"$output")" \
		'[4096,4096]'
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force --max-entries 1000
	assert_equal "$(xg-stats -j | jq '.lists.blocklist.max_hosts')" 1000
}

@test "a different --max-entries is refused, lists kept" {
	xg_shared_lab
	xg-block 198.18.0.5
	xg_save_snapshot
	bad 1 "blocklist maps are pinned with 65536 entries; run xg-unload --all to resize (this empties the lists)" \
		-n "$XG_NS" "$XG_IF" --force --max-entries 1000
	xg_assert_unchanged
	assert_equal "$(xg-stats -j | jq '.lists.blocklist.max_hosts')" 65536
}

@test "default sizes" {
	xg_shared_lab
	run -0 xg-stats -j
	assert_equal "$(jq -c '.lists | [.blocklist.max_hosts, .blocklist.max_prefixes,
		.allowlist.max_hosts, .allowlist.max_prefixes]' <<<"$output")" \
		'[65536,16384,4096,4096]'
}

@test "--drop-malformed and --pass-malformed set the flag; neither keeps it" {
	xg_load_lab --drop-malformed
	assert_equal "$(xg-stats -j | jq .config.drop_malformed)" true
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force
	assert_equal "$(xg-stats -j | jq .config.drop_malformed)" true
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force --pass-malformed
	assert_equal "$(xg-stats -j | jq .config.drop_malformed)" false
}

@test "--track sizes the source tracker and is adopted later" {
	xg_load_lab --track 1024
	assert_equal "$(xg-stats -j | jq .tracking.max_sources)" 1024
	assert_equal "$(bpftool map show pinned "$XDPGUARD_PIN_DIR/xg_track" -j |
		jq -c '[.type, .max_entries]')" '["lru_hash",1024]'
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force --track 1024
	assert_equal "$(xg-stats -j | jq .tracking.max_sources)" 1024
}

@test "--feature-ring sizes the features' ring buffer; a different one is refused" {
	xg_load_lab --feature-ring 4M
	assert_equal "$(bpftool map show pinned "$XDPGUARD_PIN_DIR/xg_feats" -j |
		jq -c '[.type, .max_entries]')" '["ringbuf",4194304]'
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force --feature-ring 4194304
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force
	bad 1 "feature ring is pinned with 4194304 bytes; run xg-unload --all to resize (this empties the lists)" \
		-n "$XG_NS" "$XG_IF" --force --feature-ring 256k
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "a different --track is refused, lists and settings kept" {
	xg_load_lab
	xg-block 198.18.0.5
	xg-threshold syn 10
	xg_save_snapshot
	local cfg
	cfg=$(xg-threshold -j)
	bad 1 "source tracker is pinned with 32768 entries; run xg-unload --all to resize (this empties the lists)" \
		-n "$XG_NS" "$XG_IF" --force --track 4096
	xg_assert_unchanged
	assert_equal "$(xg-threshold -j)" "$cfg"
	assert_equal "$(xg-stats -j | jq .tracking.max_sources)" 32768
	assert_equal "$(xdp_of "$XG_IF")" "1 xdpguard"
}

@test "the first load writes the default flood settings and config slot 0" {
	xg_load_lab
	assert_equal "$(xg-threshold -j | jq -c '[.limits.syn.rate, .limits.udp.burst, .ban.seconds, .v6_prefix]')" \
		'[200,20000,300,64]'
	assert_equal "$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq -c '.[0].formatted.value | [.lists, .cfg_slot, (.cfg | length)]')" \
		'[0,0,2]'
	# with the buckets' constants the program runs on: 1 s / 200 a SYN
	# token, 399 of them ahead for a burst of 400
	assert_equal "$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq -c '.[0].formatted.value.cfg[0].limit[0]')" \
		'{"rate":200,"burst":400,"interval_ns":5000000,"tau_ns":1995000000}'
}

@test "--drop-malformed on a later load goes through the other config slot" {
	xg_load_lab
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force --drop-malformed
	assert_equal "$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq -c '.[0].formatted.value.cfg_slot')" 1
	assert_equal "$(xg-threshold -j | jq .drop_malformed)" true
	assert_equal "$(xg-threshold -j | jq .limits.syn.rate)" 200
}

# ---- -j on success ------------------------------------------------------

@test "-j: prints the attached interface, its link and its counter slot" {
	xg_make_ns
	run -0 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF"
	assert_equal "$stderr" ""
	local ifindex id
	ifindex=$(ip -n "$XG_NS" -j link show "$XG_IF" | jq '.[0].ifindex')
	id=$(ip -n "$XG_NS" -j link show "$XG_IF" | jq '.[0].xdp.prog.id')
	# BPF atomics from Linux 5.12 on
	local atomics=false
	printf '%s\n' 5.12 "$(uname -r | cut -d- -f1)" | sort -CV && atomics=true
	jq -e --arg i "$XG_IF" --arg n "$XG_NS" --argjson x "$ifindex" \
		--argjson a "$atomics" '
		keys_unsorted == ["interface","netns","ifindex","mode","link_id",
				  "slot","replaced","atomics","syn_cookies"] and
		.interface == $i and .netns == $n and .ifindex == $x and
		.mode == "native" and (.link_id | type) == "number" and
		.link_id > 0 and .slot == 1 and .replaced == false and
		.atomics == $a' <<<"$output" ||
		fail "unexpected: $output"
	assert_equal "$(jq .link_id <<<"$output")" "$(link_id_of "$XG_IF")"
	assert_equal "$(wc -l <<<"$output")" 1
}

@test "-j --force: replaced is true, same link and slot; a mode change too" {
	xg_load_lab
	local id
	id=$(link_id_of "$XG_IF")
	run -0 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF" --force
	assert_equal "$(jq -c '[.replaced, .link_id == '"$id"', .slot, .mode]' \
		<<<"$output")" '[true,true,1,"native"]'
	run -0 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF" --force -m skb
	assert_equal "$(jq -c '[.replaced, .link_id == '"$id"', .slot, .mode]' \
		<<<"$output")" '[true,false,1,"skb"]'
	assert_equal "$(jq .link_id <<<"$output")" "$(link_id_of "$XG_IF")"
}

@test "-j: a failure prints only the error object" {
	xg_shared_lab
	run -1 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF"
	assert_equal "$stderr" "xg-load: $XG_IF is already guarded; use --force to replace the program"
	assert_equal "$output" \
		'{"error":"'"$XG_IF"' is already guarded; use --force to replace the program"}'
}

# ---- counter slots ------------------------------------------------------

@test "slots: three interfaces get 1, 2, 3; a freed slot is reused" {
	ip netns add "$XG_NS"
	local n # not i: bats run clobbers it
	for n in 1 2 3 4; do
		ip -n "$XG_NS" link add "i$n-$XG_SHORT" type ifb
	done
	for n in 1 2 3; do
		run -0 --separate-stderr xg-load -j -n "$XG_NS" -m skb "i$n-$XG_SHORT"
		assert_equal "$(jq .slot <<<"$output")" "$n"
	done
	assert_equal "$(xg_ld_slots)" \
		"{\"i1-$XG_SHORT\":1,\"i2-$XG_SHORT\":2,\"i3-$XG_SHORT\":3}"
	run -0 xg-unload -n "$XG_NS" "i2-$XG_SHORT"
	run -0 --separate-stderr xg-load -j -n "$XG_NS" -m skb "i4-$XG_SHORT"
	assert_equal "$(jq .slot <<<"$output")" 2
	run -0 --separate-stderr xg-load -j -n "$XG_NS" -m skb "i2-$XG_SHORT"
	assert_equal "$(jq .slot <<<"$output")" 4
	assert_equal "$(xg_ld_slots)" \
		"{\"i1-$XG_SHORT\":1,\"i2-$XG_SHORT\":4,\"i3-$XG_SHORT\":3,\"i4-$XG_SHORT\":2}"
}

@test "slots: each program counts in its own slot" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	xg_ld_send "$XG_NS" "$XG_PEER" 3
	xg_ld_send "$XG_NS" xgr-"$XG_SHORT" 5
	assert_equal "$(xg_ld_slot_packets 1)" 3
	assert_equal "$(xg_ld_slot_packets 2)" 5
	assert_equal "$(xg_ld_slot_packets 0)" 0
	assert_equal "$(xg_counter non_ip pass)" 8
}

@test "slots: the 33rd interface is refused and nothing changes" {
	ip netns add "$XG_NS"
	local n
	for n in $(seq 1 33); do
		ip -n "$XG_NS" link add "i$n-$XG_SHORT" type ifb
	done
	for n in $(seq 1 32); do
		xg-load -n "$XG_NS" -m skb "i$n-$XG_SHORT" || fail "load $n failed"
	done
	xg-block 198.18.0.5
	xg_save_snapshot
	local slots
	slots=$(xg_ld_slots)
	assert_equal "$(jq -c '[.[]] | sort' <<<"$slots")" "$(seq -s, 1 32 | sed 's/.*/[&]/')"
	bad 1 "cannot guard more than 32 interfaces; unload one first" \
		-n "$XG_NS" -m skb "i33-$XG_SHORT"
	run -1 --separate-stderr xg-load -j -n "$XG_NS" -m skb "i33-$XG_SHORT"
	assert_equal "$output" '{"error":"cannot guard more than 32 interfaces; unload one first"}'
	assert_equal "$(xg_ld_slots)" "$slots"
	xg_assert_unchanged
	assert_equal "$(xdp_of "i33-$XG_SHORT")" none
	[[ ! -e $XDPGUARD_PIN_DIR/links/i33-$XG_SHORT@$XG_NS ]] || fail "link pinned"
	assert_equal "$(ls "$XDPGUARD_PIN_DIR/links" | wc -l)" 32
	# --force on a guarded one still works, and a freed slot is taken
	run -0 xg-load -n "$XG_NS" -m skb "i7-$XG_SHORT" --force
	run -0 xg-unload -n "$XG_NS" "i7-$XG_SHORT"
	run -0 --separate-stderr xg-load -j -n "$XG_NS" -m skb "i33-$XG_SHORT"
	assert_equal "$(jq .slot <<<"$output")" 7
}

@test "slots: --force keeps the slot and its counts, also when the mode changes" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	xg_ld_send "$XG_NS" xgr-"$XG_SHORT" 4
	run -0 --separate-stderr xg-load -j -n "$XG_NS" xgq-"$XG_SHORT" --force
	assert_equal "$(jq .slot <<<"$output")" 2
	assert_equal "$(xg_ld_slot_packets 2)" 4
	run -0 --separate-stderr xg-load -j -n "$XG_NS" xgq-"$XG_SHORT" --force -m skb
	assert_equal "$(jq .slot <<<"$output")" 2
	assert_equal "$(xg_ld_slot_packets 2)" 4
	xg_ld_send "$XG_NS" xgr-"$XG_SHORT" 2
	assert_equal "$(xg_ld_slot_packets 2)" 6
	assert_equal "$(xg_ld_slot_packets 0)" 0
	assert_equal "$(xg_ld_slots)" "{\"$XG_IF\":1,\"xgq-$XG_SHORT\":2}"
}

@test "slots: a vanished interface frees its slot, its counts kept as detached" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 xg-load -n "$XG_NS" xgq-"$XG_SHORT"
	xg_ld_send "$XG_NS" "$XG_PEER" 3
	xg_ld_send "$XG_NS" xgr-"$XG_SHORT" 5
	ip -n "$XG_NS" link del "$XG_IF"
	xg_make_ns "$XG_NS" xgs-"$XG_SHORT" xgt-"$XG_SHORT"
	run -0 --separate-stderr xg-load -j -n "$XG_NS" xgs-"$XG_SHORT"
	assert_equal "$(jq .slot <<<"$output")" 1
	[[ ! -e $XDPGUARD_PIN_DIR/links/$XG_IF@$XG_NS ]] || fail "stale pin left"
	assert_equal "$(xg_ld_slots)" "{\"xgq-$XG_SHORT\":2,\"xgs-$XG_SHORT\":1}"
	assert_equal "$(xg_ld_slot_packets 0)" 3
	assert_equal "$(xg_ld_slot_packets 1)" 0
	assert_equal "$(xg_ld_slot_packets 2)" 5
	assert_equal "$(xg_counter non_ip pass)" 8
}

@test "slots: the stale link of the same interface gives its slot back" {
	xg_load_lab
	xg_ld_send "$XG_NS" "$XG_PEER" 2
	ip -n "$XG_NS" link del "$XG_IF"
	xg_make_ns
	run -0 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF"
	assert_equal "$(jq -c '[.slot, .replaced]' <<<"$output")" '[1,false]'
	assert_equal "$(xg_ld_slot_packets 0)" 2
	assert_equal "$(xg_ld_slot_packets 1)" 0
	assert_equal "$(xg_ld_slots)" "{\"$XG_IF\":1}"
}

@test "slots: a new slot starts from zero; leftovers go to detached" {
	xg_load_lab
	# counts left in slot 2 as if an xg-unload had been interrupted
	bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_stats" key 64 1 0 0 \
		value 3 0 0 0 0 0 0 0 100 0 0 0 0 0 0 0
	local left
	left=$(xg_ld_slot_packets 2)
	((left > 0)) || fail "no leftover counts"
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	run -0 --separate-stderr xg-load -j -n "$XG_NS" xgq-"$XG_SHORT"
	assert_equal "$(jq .slot <<<"$output")" 2
	assert_equal "$(xg_ld_slot_packets 2)" 0
	assert_equal "$(xg_ld_slot_packets 0)" "$left"
}
