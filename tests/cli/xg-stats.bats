#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-stats: the JSON schema (every class and reason, numbers as numbers),
# the text layout, the interfaces and list sizes it reports, the counters
# per interface slot (-i, the detached slot), and valid JSON in every
# state. Counters are written into the pinned map as the program would.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

ifindex_of() {
	ip -n "$XG_NS" -j link show "$1" | jq '.[0].ifindex'
}

ABI=$(sed -nE 's/^#define XG_ABI_VERSION ([0-9]+).*/\1/p' \
	"$BATS_TEST_DIRNAME/../../common/xg_abi.h")
NCPU=$(xg_st_ncpu)

# Every class x reason pair's packets of one counters object, compact.
nonzero() {
	jq -c '[.counters | to_entries[] | .key as $c | .value | to_entries[]
		| select(.value.packets != 0)
		| {key: "\($c)/\(.key)", value: .value.packets}] | from_entries'
}

@test "extra argument" {
	xg_shared_lab
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
	xg_shared_lab
	run -0 --separate-stderr xg-stats -j
	assert_equal "$stderr" ""
	local j=$output
	assert_equal "$(jq -c 'keys_unsorted' <<<"$j")" \
		'["version","abi","pin_dir","interfaces","lists","tracking","bans","attack","admission","syn_cookies","config","events","monitor","features","counters","total","detached","top_sources","top_entries","top_rules"]'
	assert_equal "$(jq -r .version <<<"$j")" 0.1.0
	assert_equal "$(jq .abi <<<"$j")" "$ABI"
	assert_equal "$(jq -r .pin_dir <<<"$j")" "$XDPGUARD_PIN_DIR"
	assert_equal "$(jq -c .config <<<"$j")" '{"drop_malformed":false}'
	assert_equal "$(jq -c .tracking <<<"$j")" '{"sources":0,"max_sources":32768}'
	assert_equal "$(jq -c .bans <<<"$j")" 0
	assert_equal "$(jq -c .total <<<"$j")" '{"packets":0,"bytes":0,"dropped":0}'
	assert_equal "$(jq -c .events <<<"$j")" \
		'{"rate":100,"burst":200,"sent":0,"sampled":0,"lost":0}'
	assert_equal "$(jq -c .monitor <<<"$j")" \
		'{"rate":100,"burst":200,"sent":0,"sampled":0,"lost":0}'
	assert_equal "$(jq -c .features <<<"$j")" \
		'{"rate":0,"burst":0,"sent":0,"sampled":0,"lost":0,"sample":1}'
	xg-threshold features 5000
	xg-threshold features sample 1/10
	assert_equal "$(xg-stats -j | jq -c .features)" \
		'{"rate":5000,"burst":10000,"sent":0,"sampled":0,"lost":0,"sample":10}'
	run -0 xg-stats
	assert_line "features: 5000/s, burst 10000, sample 1/10; 0 sent, 0 sampled out, 0 lost"
	xg-threshold features sample off
	run -0 xg-stats
	assert_line "features: 5000/s, burst 10000, monitor rules only; 0 sent, 0 sampled out, 0 lost"
	xg-threshold features off
	xg-threshold features sample 1/1
	assert_equal "$(jq -c '.detached | keys_unsorted' <<<"$j")" '["counters","total"]'
	assert_equal "$(jq -c .detached.total <<<"$j")" '{"packets":0,"bytes":0,"dropped":0}'
	assert_equal "$(jq -c '[.top_sources, .top_entries, .top_rules]' <<<"$j")" '[null,null,null]'
}

@test "-j: every class and every reason, packets and bytes as numbers" {
	xg_shared_lab
	run -0 xg-stats -j
	local j=$output c r
	assert_equal "$(jq -c '.counters | keys_unsorted' <<<"$j")" \
		'["tcp","udp","icmp","other_ip","non_ip"]'
	for c in tcp udp icmp other_ip non_ip; do
		assert_equal "$(jq -c ".counters.$c | keys_unsorted" <<<"$j")" \
			'["pass","allowlisted","blocklisted","malformed","rate_syn","rate_udp","rate_icmp","rate_frag","syn_global","udp_global","icmp_global","frag_global","autoban","rule_drop","rule_rate","cookie_sent","cookie_bad"]'
		for r in pass allowlisted blocklisted malformed rate_syn rate_udp \
			 rate_icmp rate_frag syn_global udp_global icmp_global \
			 frag_global autoban rule_drop rule_rate cookie_sent \
			 cookie_bad; do
			assert_equal "$(jq -c ".counters.$c.$r" <<<"$j")" \
				'{"packets":0,"bytes":0}'
		done
	done
	assert_equal "$(xg_counter icmp blocklisted)" 0
}

@test "-j: the interface in its namespace" {
	xg_shared_lab
	run -0 xg-stats -j
	local j=$output
	assert_equal "$(jq '.interfaces | length' <<<"$j")" 1
	assert_equal "$(jq -c '.interfaces[0] | keys_unsorted' <<<"$j")" \
		'["interface","netns","ifindex","mode","link_id","slot","counters","total"]'
	assert_equal "$(jq '.interfaces[0].slot' <<<"$j")" 1
	assert_equal "$(jq -c '.interfaces[0].total' <<<"$j")" \
		'{"packets":0,"bytes":0,"dropped":0}'
	assert_equal "$(jq -c '.interfaces[0].counters' <<<"$j")" "$(jq -c .counters <<<"$j")"
	assert_equal "$(jq -r '.interfaces[0].interface' <<<"$j")" "$XG_IF"
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
	xg_shared_lab
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
	assert_equal "$(jq -c '[.interfaces[] | [.interface, .netns, .mode]] | sort' <<<"$output")" \
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
	xg_shared_lab
	xg-block 198.18.0.5 2001:db8::5 198.18.4.0/24
	local idx id
	idx=$(ifindex_of "$XG_IF")
	id=$(xg-stats -j | jq '.interfaces[0].link_id')
	run -0 --separate-stderr xg-stats
	assert_equal "$stderr" ""
	assert_equal "${lines[0]}" "xdpguard 0.1.0 (ABI $ABI), pins in $XDPGUARD_PIN_DIR"
	assert_equal "${lines[1]}" "interfaces:"
	assert_equal "${lines[2]}" "  $XG_IF@$XG_NS: native, ifindex $idx, link $id, slot 1"
	assert_equal "${lines[3]}" "lists:"
	assert_equal "${lines[4]}" \
		"  blocklist: 2 hosts, 1 prefix (limits 65536 hosts, 16384 prefixes)"
	assert_equal "${lines[5]}" \
		"  allowlist: 0 hosts, 0 prefixes (limits 4096 hosts, 4096 prefixes)"
	assert_equal "${lines[6]}" "tracking: 0 sources (limit 32768), 0 automatic bans"
	assert_equal "${lines[7]}" "malformed packets: passed"
	assert_equal "${lines[8]}" "events: 100/s, burst 200; 0 sent, 0 sampled out, 0 lost"
	assert_equal "${lines[9]}" "monitor: 100/s, burst 200; 0 sent, 0 sampled out, 0 lost"
	assert_equal "${lines[10]}" "features: off; 0 sent, 0 sampled out, 0 lost"
	assert_equal "${lines[11]}" "$(printf '%-9s %-14s %11s %11s %12s %12s' new state admitted/s refused/s admitted refused)"
	local k i=12
	for k in syn udp icmp frag; do
		assert_equal "${lines[i++]}" "$(printf '%-9s %-14s %11s %11s %12s %12s' $k calm 0 0 0 0)"
	done
	assert_equal "${lines[16]}" "syn cookies: off, 0 sent, 0 bad acks, 0 valid acks, 0 fallback, 0 no listener, 0 unsupported"
	assert_equal "${lines[17]}" "CLASS     REASON             PACKETS           BYTES"
	assert_equal "${lines[18]}" "total                              0               0"
	assert_equal "${lines[19]}" "$(printf '%-32s %14s %14s %14s' INTERFACE PACKETS PASSED DROPPED)"
	assert_equal "${lines[20]}" "$(printf '%-32s %14s %14s %14s' "$XG_IF@$XG_NS" 0 0 0)"
	assert_equal "${#lines[@]}" 21
}

@test "text: no interfaces shows none" {
	xg_load_lab
	xg-unload -n "$XG_NS" "$XG_IF"
	run -0 xg-stats
	assert_equal "${lines[1]}" "interfaces:"
	assert_equal "${lines[2]}" "  none"
	assert_equal "${lines[3]}" "lists:"
	# nothing was counted: no interface table at all
	assert_equal "${lines[-1]}" "total                              0               0"
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
	xg_shared_lab
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
			value $(printf '0 %.0s' {1..88})
	done
	assert_equal "$(xg-stats -j | jq -c .tracking)" '{"sources":3,"max_sources":32768}'
	run -0 xg-stats
	assert_line "tracking: 3 sources (limit 32768), 0 automatic bans"
}

@test "text: reasons are spelled with dashes" {
	xg_load_lab
	xg_st_set 1 tcp rate_syn 1 60
	xg_st_set 1 udp syn_global 1 60
	local n=$NCPU
	assert_equal "$(xg_counter tcp rate_syn)" "$n"
	assert_equal "$(xg_counter tcp rate_syn bytes)" "$((60 * n))"
	assert_equal "$(xg_counter udp syn_global)" "$n"
	run -0 xg-stats
	assert_line "$(printf '%-9s %-11s %14s %15s' tcp rate-syn "$n" "$((60 * n))")"
	assert_line "$(printf '%-9s %-11s %14s %15s' udp syn-global "$n" "$((60 * n))")"
	assert_line "$(printf '%-9s %-11s %14s %15s' total '' "$((2 * n))" "$((120 * n))")"
}

# ---- -i, --netns, --top: usage errors -----------------------------------------

# usage_err MESSAGE ARGS...: exit 2, exactly MESSAGE, nothing on stdout,
# nothing created.
usage_err() {
	local msg=$1
	shift
	run -2 --separate-stderr xg-stats "$@"
	assert_equal "$stderr" "xg-stats: $msg"
	assert_equal "$output" ""
	xg_assert_no_pins
}

@test "-i, --netns, --top: usage errors" {
	local v
	usage_err "option '--netns' needs --interface" --netns foo
	usage_err "option '--interface' may be given once" -i a -i b
	usage_err "option '--interface' may be given once" -i a --interface=a
	usage_err "option '-i' needs a value" -i
	usage_err "option '--netns' needs a value" -i a --netns
	usage_err "invalid interface ''" -i ''
	usage_err "invalid interface 'abcdefghijklmnop'" -i abcdefghijklmnop
	usage_err "invalid interface 'a/b'" -i a/b
	usage_err "invalid interface 'a@'" -i a@
	usage_err "invalid network namespace ''" -i a --netns ''
	usage_err "invalid network namespace 'a/b'" -i a -n a/b
	usage_err "'a@b' names its namespace; --netns does not apply to it" \
		-i a@b -n c
	for v in 0 1001 abc -1 1.5 ''; do
		usage_err "invalid --top '$v' (1-1000)" --top "$v"
	done
	usage_err "option '--top' needs a value" --top
	usage_err "--prometheus cannot be combined with --interface or --top" \
		--prometheus -i a
	usage_err "--prometheus cannot be combined with --interface or --top" \
		--top 3 --prometheus
	usage_err "--top cannot be combined with --watch" --top 3 --watch 1
	run -2 --separate-stderr xg-stats -j --top x
	assert_equal "$(jq -r .error <<<"$output")" "invalid --top 'x' (1-1000)"
}

@test "-i: an interface that is not guarded" {
	xg_shared_lab
	run -1 --separate-stderr xg-stats -i nosuch0
	assert_equal "$stderr" "xg-stats: nosuch0 is not guarded"
	assert_equal "$output" ""
	# in the pins' namespace it is not: it lives in $XG_NS
	run -1 --separate-stderr xg-stats -i "$XG_IF"
	assert_equal "$stderr" "xg-stats: $XG_IF is not guarded"
	run -1 --separate-stderr xg-stats -i "$XG_IF" --netns other
	assert_equal "$stderr" "xg-stats: $XG_IF@other is not guarded"
	run -1 --separate-stderr xg-stats -j -i "$XG_IF@other"
	assert_equal "$stderr" "xg-stats: $XG_IF@other is not guarded"
	assert_equal "$(jq -r .error <<<"$output")" "$XG_IF@other is not guarded"
	run -1 --separate-stderr xg-stats --watch 0.1 -c 1 -i nosuch0
	assert_equal "$stderr" "xg-stats: nosuch0 is not guarded"
}

# ---- per-interface counters ---------------------------------------------------

# Two interfaces in $XG_NS (slots 1 and 2), and counts in slots 1, 2 and
# the detached slot 0: slot 1 3 tcp/pass, slot 2 2 udp/blocklisted, slot 0
# 1 icmp/rate_icmp (each x NCPU, 60 bytes a packet).
two_ifaces() {
	xg_load_lab
	XG_IF2=xgq-$XG_SHORT
	xg_make_ns "$XG_NS" "$XG_IF2" xgr-"$XG_SHORT"
	xg-load -n "$XG_NS" "$XG_IF2" --mode skb
	xg_st_set 1 tcp pass 3 180
	xg_st_set 2 udp blocklisted 2 120
	xg_st_set 0 icmp rate_icmp 1 60
}

@test "-j: each interface has the counters of its slot, totals add up" {
	two_ifaces
	local n=$NCPU j
	run -0 xg-stats -j
	j=$output
	assert_equal "$(jq -c '[.interfaces[] | [.interface, .slot]] | sort' <<<"$j")" \
		"$(jq -cn --arg a "$XG_IF" --arg b "$XG_IF2" '[[$a, 1], [$b, 2]] | sort')"
	assert_equal "$(jq --arg i "$XG_IF" '.interfaces[] | select(.interface == $i)' <<<"$j" | nonzero)" \
		"{\"tcp/pass\":$((3 * n))}"
	assert_equal "$(jq --arg i "$XG_IF2" '.interfaces[] | select(.interface == $i)' <<<"$j" | nonzero)" \
		"{\"udp/blocklisted\":$((2 * n))}"
	assert_equal "$(jq .detached <<<"$j" | nonzero)" "{\"icmp/rate_icmp\":$n}"
	assert_equal "$(nonzero <<<"$j" | jq -cS .)" \
		"$(jq -cnS "{\"tcp/pass\":$((3 * n)),\"udp/blocklisted\":$((2 * n)),\"icmp/rate_icmp\":$n}")"
	assert_equal "$(jq --arg i "$XG_IF2" -c '.interfaces[] | select(.interface == $i) | .total' <<<"$j")" \
		"{\"packets\":$((2 * n)),\"bytes\":$((120 * n)),\"dropped\":$((2 * n))}"
	assert_equal "$(jq -c .detached.total <<<"$j")" \
		"{\"packets\":$n,\"bytes\":$((60 * n)),\"dropped\":$n}"
	assert_equal "$(jq -c .total <<<"$j")" \
		"{\"packets\":$((6 * n)),\"bytes\":$((360 * n)),\"dropped\":$((3 * n))}"
	# the parts add up to the totals
	assert_equal "$(jq '[.interfaces[].total.packets, .detached.total.packets] | add' <<<"$j")" \
		"$(jq .total.packets <<<"$j")"
}

@test "text: the interface table, (detached) when it counted" {
	two_ifaces
	local n=$NCPU
	run -0 xg-stats
	assert_line "  $XG_IF@$XG_NS: native, ifindex $(ifindex_of "$XG_IF"), link $(xg-stats -j |
		jq --arg i "$XG_IF" '.interfaces[] | select(.interface == $i) | .link_id'), slot 1"
	assert_line --regexp "^  $XG_IF2@$XG_NS: skb, ifindex [0-9]+, link [0-9]+, slot 2\$"
	assert_line "$(printf '%-9s %-11s %14s %15s' total '' $((6 * n)) $((360 * n)))"
	# the table follows the total line, interfaces sorted by name
	local i
	for i in "${!lines[@]}"; do
		[[ ${lines[i]} == INTERFACE* ]] && break
	done
	assert_equal "${lines[i]}" "$(printf '%-32s %14s %14s %14s' INTERFACE PACKETS PASSED DROPPED)"
	assert_equal "${lines[i + 1]}" "$(printf '%-32s %14s %14s %14s' "$XG_IF@$XG_NS" $((3 * n)) $((3 * n)) 0)"
	assert_equal "${lines[i + 2]}" "$(printf '%-32s %14s %14s %14s' "$XG_IF2@$XG_NS" $((2 * n)) 0 $((2 * n)))"
	assert_equal "${lines[i + 3]}" "$(printf '%-32s %14s %14s %14s' "(detached)" "$n" 0 "$n")"
	assert_equal "${#lines[@]}" $((i + 4))
}

@test "-i IFACE --netns NS: that interface's counters only" {
	two_ifaces
	local n=$NCPU j
	run -0 --separate-stderr xg-stats -j -i "$XG_IF2" --netns "$XG_NS"
	assert_equal "$stderr" ""
	j=$output
	assert_equal "$(jq -c 'keys_unsorted' <<<"$j")" \
		'["version","abi","pin_dir","interfaces","lists","tracking","bans","attack","admission","syn_cookies","config","events","monitor","features","counters","total","detached","top_sources","top_entries","top_rules"]'
	assert_equal "$(jq -c '[.interfaces[] | [.interface, .netns, .slot, .mode]]' <<<"$j")" \
		"[[\"$XG_IF2\",\"$XG_NS\",2,\"skb\"]]"
	assert_equal "$(nonzero <<<"$j")" "{\"udp/blocklisted\":$((2 * n))}"
	assert_equal "$(jq -c .total <<<"$j")" \
		"{\"packets\":$((2 * n)),\"bytes\":$((120 * n)),\"dropped\":$((2 * n))}"
	assert_equal "$(jq -c .detached <<<"$j")" null
	# IFACE@NS names the same interface
	assert_equal "$(xg-stats -j -i "$XG_IF2@$XG_NS")" "$j"
	run -0 xg-stats -i "$XG_IF@$XG_NS"
	assert_equal "${lines[1]}" "interfaces:"
	assert_line --index 2 --regexp "^  $XG_IF@$XG_NS: native, ifindex [0-9]+, link [0-9]+, slot 1\$"
	assert_equal "${lines[3]}" "lists:"
	assert_equal "${lines[-2]}" "$(printf '%-9s %-11s %14s %15s' tcp pass $((3 * n)) $((180 * n)))"
	assert_equal "${lines[-1]}" "$(printf '%-9s %-11s %14s %15s' total '' $((3 * n)) $((180 * n)))"
	refute_line --partial "INTERFACE"
}

@test "-j: valid JSON in every state" {
	# nothing loaded: the error object, exit 1
	run -1 --separate-stderr xg-stats -j
	assert_equal "$(jq -r .error <<<"$output")" \
		"xdpguard is not loaded; run xg-load IFACE first"
	run -1 --separate-stderr xg-stats -j --top 5 -i foo
	jq -e .error <<<"$output" >/dev/null
	# loaded, nothing guarded, empty lists, nothing tracked
	xg_load_lab
	xg-unload -n "$XG_NS" "$XG_IF"
	run -0 xg-stats -j --top 5
	assert_equal "$(jq -c '[.interfaces, .top_sources, .top_entries, .top_rules]' <<<"$output")" '[[],[],[],[]]'
	assert_equal "$(jq -c '.detached.total' <<<"$output")" '{"packets":0,"bytes":0,"dropped":0}'
	# every counter an integer >= 0, everywhere
	assert_equal "$(jq '[.. | numbers | select(. < 0 or . != floor)] | length' <<<"$output")" 0
	run -0 xg-stats -j --watch 0.1 -c 1
	jq -e . <<<"$output" >/dev/null
}
