#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-stats: the JSON schema (every class and reason, numbers as numbers),
# the text layout, the interfaces and list sizes it reports.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

ifindex_of() {
	ip -n "$XG_NS" -j link show "$1" | jq '.[0].ifindex'
}

@test "extra argument" {
	xg_load_lab
	run -2 --separate-stderr xg-stats foo
	assert_equal "$stderr" "xg-stats: unexpected argument 'foo'; see --help"
	assert_equal "$output" ""
}

@test "unknown option" {
	run -2 --separate-stderr xg-stats --frobnicate
	assert_equal "$stderr" "xg-stats: unknown option '--frobnicate'; see --help"
	xg_assert_no_pins
}

@test "-j: top-level keys and fixed values" {
	xg_load_lab
	run -0 --separate-stderr xg-stats -j
	assert_equal "$stderr" ""
	local j=$output
	assert_equal "$(jq -c 'keys_unsorted' <<<"$j")" \
		'["version","abi","pin_dir","interfaces","lists","tracking","bans","config","counters","total"]'
	assert_equal "$(jq -r .version <<<"$j")" 0.1.0
	assert_equal "$(jq .abi <<<"$j")" 2
	assert_equal "$(jq -r .pin_dir <<<"$j")" "$XDPGUARD_PIN_DIR"
	assert_equal "$(jq -c .config <<<"$j")" '{"drop_malformed":false}'
	assert_equal "$(jq -c .tracking <<<"$j")" '{"sources":0,"max_sources":32768}'
	assert_equal "$(jq -c .bans <<<"$j")" 0
	assert_equal "$(jq -c .total <<<"$j")" '{"packets":0,"bytes":0}'
}

@test "-j: every class and every reason, packets and bytes as numbers" {
	xg_load_lab
	run -0 xg-stats -j
	local j=$output c r
	assert_equal "$(jq -c '.counters | keys_unsorted' <<<"$j")" \
		'["tcp","udp","icmp","other_ip","non_ip"]'
	for c in tcp udp icmp other_ip non_ip; do
		assert_equal "$(jq -c ".counters.$c | keys_unsorted" <<<"$j")" \
			'["pass","allowlisted","blocklisted","malformed","rate_syn","rate_udp","rate_icmp","rate_frag","syn_global","autoban"]'
		for r in pass allowlisted blocklisted malformed rate_syn rate_udp \
			 rate_icmp rate_frag syn_global autoban; do
			assert_equal "$(jq -c ".counters.$c.$r" <<<"$j")" \
				'{"packets":0,"bytes":0}'
		done
	done
	assert_equal "$(xg_counter icmp blocklisted)" 0
}

@test "-j: the interface in its namespace" {
	xg_load_lab
	run -0 xg-stats -j
	local j=$output
	assert_equal "$(jq '.interfaces | length' <<<"$j")" 1
	assert_equal "$(jq -c '.interfaces[0] | keys_unsorted' <<<"$j")" \
		'["ifname","netns","ifindex","mode","link_id"]'
	assert_equal "$(jq -r '.interfaces[0].ifname' <<<"$j")" "$XG_IF"
	assert_equal "$(jq -r '.interfaces[0].netns' <<<"$j")" "$XG_NS"
	assert_equal "$(jq -r '.interfaces[0].mode' <<<"$j")" native
	assert_equal "$(jq '.interfaces[0].ifindex' <<<"$j")" "$(ifindex_of "$XG_IF")"
	local id
	id=$(jq '.interfaces[0].link_id' <<<"$j")
	[[ $id =~ ^[1-9][0-9]*$ ]] || fail "link_id $id"
	# bpftool 7.1 shows no ifindex for XDP links: match the program id.
	assert_equal "$(bpftool link show id "$id" -j | jq -c '[.type, .prog_id]')" \
		"[\"xdp\",$(ip -n "$XG_NS" -j link show "$XG_IF" | jq '.[0].xdp.prog.id')]"
}

@test "-j: list sizes count hosts and prefixes per family" {
	xg_load_lab
	xg-block 198.18.0.5 198.18.0.6 198.18.4.0/24 2001:db8::5 2001:db8:4::/48 \
		2001:db8:5::/48 2001:db8:6::/48
	xg-allow 198.18.1.1
	run -0 xg-stats -j
	assert_equal "$(jq -c .lists.blocklist <<<"$output")" \
		'{"hosts_ipv4":2,"hosts_ipv6":1,"prefixes_ipv4":1,"prefixes_ipv6":3,"max_hosts":65536,"max_prefixes":16384}'
	assert_equal "$(jq -c .lists.allowlist <<<"$output")" \
		'{"hosts_ipv4":1,"hosts_ipv6":0,"prefixes_ipv4":0,"prefixes_ipv6":0,"max_hosts":4096,"max_prefixes":4096}'
}

@test "-j: two interfaces in the namespace" {
	xg_load_lab
	xg_make_ns "$XG_NS" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	xg-load -n "$XG_NS" xgq-"$XG_SHORT" --mode skb
	run -0 xg-stats -j
	assert_equal "$(jq -c '[.interfaces[] | [.ifname, .netns, .mode]] | sort' <<<"$output")" \
		"$(jq -cn --arg a "$XG_IF" --arg b "xgq-$XG_SHORT" --arg n "$XG_NS" \
			'[[$a, $n, "native"], [$b, $n, "skb"]] | sort')"
	assert_equal "$(jq '[.interfaces[].link_id] | unique | length' <<<"$output")" 2
}

@test "-j: no interfaces after xg-unload IFACE" {
	xg_load_lab
	xg-unload -n "$XG_NS" "$XG_IF"
	run -0 xg-stats -j
	assert_equal "$(jq -c .interfaces <<<"$output")" "[]"
}

@test "text: header, interface, lists, malformed policy, counters" {
	xg_load_lab
	xg-block 198.18.0.5 2001:db8::5 198.18.4.0/24
	local idx id
	idx=$(ifindex_of "$XG_IF")
	id=$(xg-stats -j | jq '.interfaces[0].link_id')
	run -0 --separate-stderr xg-stats
	assert_equal "$stderr" ""
	assert_equal "${lines[0]}" "xdpguard 0.1.0 (ABI 2), pins in $XDPGUARD_PIN_DIR"
	assert_equal "${lines[1]}" "interfaces:"
	assert_equal "${lines[2]}" "  $XG_IF in netns $XG_NS: native, ifindex $idx, link $id"
	assert_equal "${lines[3]}" "lists:"
	assert_equal "${lines[4]}" \
		"  blocklist: 2 hosts, 1 prefix (limits 65536 hosts, 16384 prefixes)"
	assert_equal "${lines[5]}" \
		"  allowlist: 0 hosts, 0 prefixes (limits 4096 hosts, 4096 prefixes)"
	assert_equal "${lines[6]}" "tracking: 0 sources (limit 32768), 0 automatic bans"
	assert_equal "${lines[7]}" "malformed packets: passed"
	assert_equal "${lines[8]}" "CLASS     REASON             PACKETS           BYTES"
	assert_equal "${lines[9]}" "total                              0               0"
	assert_equal "${#lines[@]}" 10
}

@test "text: no interfaces shows none" {
	xg_load_lab
	xg-unload -n "$XG_NS" "$XG_IF"
	run -0 xg-stats
	assert_equal "${lines[1]}" "interfaces:"
	assert_equal "${lines[2]}" "  none"
	assert_equal "${lines[3]}" "lists:"
}

@test "text: dropped malformed packets" {
	xg_load_lab --drop-malformed
	run -0 xg-stats
	assert_line "malformed packets: dropped"
	assert_equal "$(xg-stats -j | jq .config.drop_malformed)" true
}

@test "text: --max-entries shows in the limits" {
	xg_load_lab --max-entries 5000
	xg-block 198.18.4.0/24 198.18.5.0/24
	run -0 xg-stats
	assert_line "  blocklist: 0 hosts, 2 prefixes (limits 5000 hosts, 5000 prefixes)"
}

# put_entry MAP KEY_BYTES FLAGS: an entry written as the program would
# (hits 0, never expires), bypassing the tools.
put_entry() {
	bpftool map update pinned "$XDPGUARD_PIN_DIR/$1" key $2 \
		value 0 0 0 0 0 0 0 0  0 0 0 0 0 0 0 0  "$3" 0 0 0  0 0 0 0
}

@test "bans: blocklist entries flagged auto, live ones only" {
	xg_load_lab
	xg-block 198.18.0.5
	# 198.18.0.9 and 2001:db8:1::/64 banned by the program
	put_entry xg_block4 "198 18 0 9" 1
	put_entry xg_block6p "64 0 0 0 0x20 0x01 0x0d 0xb8 0 1 0 0 0 0 0 0 0 0 0 0" 1
	run -0 xg-stats -j
	assert_equal "$(jq .bans <<<"$output")" 2
	run -0 xg-stats
	assert_line "tracking: 0 sources (limit 32768), 2 automatic bans"
	assert_line "  blocklist: 2 hosts, 1 prefix (limits 65536 hosts, 16384 prefixes)"
	xg-block del 198.18.0.9
	assert_equal "$(xg-stats -j | jq .bans)" 1
	run -0 xg-stats
	assert_line "tracking: 0 sources (limit 32768), 1 automatic ban"
}

@test "tracking: max_sources follows xg-load --track" {
	xg_load_lab --track 4096
	assert_equal "$(xg-stats -j | jq -c .tracking)" '{"sources":0,"max_sources":4096}'
	run -0 xg-stats
	assert_line "tracking: 0 sources (limit 4096), 0 automatic bans"
}

@test "tracking: sources counts the keys of xg_track" {
	xg_load_lab
	local i
	for i in 1 2 3; do
		bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_track" \
			key 0 0 0 0 0 0 0 0 0 0 0xff 0xff 198 18 0 "$i" \
			value $(printf '0 %.0s' {1..64})
	done
	assert_equal "$(xg-stats -j | jq -c .tracking)" '{"sources":3,"max_sources":32768}'
	run -0 xg-stats
	assert_line "tracking: 3 sources (limit 32768), 0 automatic bans"
}

@test "text: reasons are spelled with dashes" {
	xg_load_lab
	# Counters written as the program would: bpftool puts the value in
	# every possible CPU's slot, so the sums are N packets, 60 N bytes.
	local slot n
	for slot in 4 24; do # tcp/rate_syn, udp/syn_global: class * 16 + reason
		bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_stats" \
			key "$slot" 0 0 0 value 1 0 0 0 0 0 0 0 60 0 0 0 0 0 0 0
	done
	n=$(xg_counter tcp rate_syn)
	((n >= 1)) || fail "tcp rate_syn is $n"
	assert_equal "$(xg_counter tcp rate_syn bytes)" "$((60 * n))"
	assert_equal "$(xg_counter udp syn_global)" "$n"
	run -0 xg-stats
	assert_line "$(printf '%-9s %-11s %14s %15s' tcp rate-syn "$n" "$((60 * n))")"
	assert_line "$(printf '%-9s %-11s %14s %15s' udp syn-global "$n" "$((60 * n))")"
	assert_line "$(printf '%-9s %-11s %14s %15s' total '' "$((2 * n))" "$((120 * n))")"
}
