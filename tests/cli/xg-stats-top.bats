#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-stats --top N: the tracked sources ranked by their rate-limit drops in
# the last second, the list entries ranked by hits and the rules ranked by
# hits. The tracker, list entries and rule hits are written into the pinned
# maps as the program would, with windows of known age, so every number is
# exact (the packet tests cover the program's own counting).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

src_row() { printf '  %-40s %12s  %s' "$@"; }
entry_row() { printf '  %-9s %-40s %10s %8s  %s' "$@"; }
rule_row() { printf '  %6s %6s %12s %15s  %s' "$@"; }

# table_line TITLE: the index in $lines of the line that starts TITLE's table.
table_line() {
	local i
	for i in "${!lines[@]}"; do
		[[ ${lines[i]} == "$1"* ]] && echo "$i" && return 0
	done
	return 1
}

# put_entry MAP KEY_BYTES HITS EXPIRES_NS FLAGS
put_entry() {
	bpftool map update pinned "$XDPGUARD_PIN_DIR/$1" key $2 \
		value $(xg_st_le 8 "$3") $(xg_st_le 8 "$4") $(xg_st_le 4 "$5") 0 0 0 0
}

@test "--top: empty tables" {
	xg_load_lab
	run -0 xg-stats --top 5
	assert_line "top sources (rate-limit drops in the last second):"
	assert_line "top entries (list hits):"
	assert_line "top rules (hits):"
	assert_equal "${lines[-6]}" "top sources (rate-limit drops in the last second):"
	assert_equal "${lines[-5]}" "  none"
	assert_equal "${lines[-4]}" "top entries (list hits):"
	assert_equal "${lines[-3]}" "  none"
	assert_equal "${lines[-2]}" "top rules (hits):"
	assert_equal "${lines[-1]}" "  none"
	run -0 xg-stats -j --top 5
	assert_equal "$(jq -c '[.top_sources, .top_entries, .top_rules]' <<<"$output")" '[[],[],[]]'
	# entries without a hit are not listed
	xg-block 198.18.0.5 198.18.4.0/24
	xg-allow 198.18.1.1
	run -0 xg-stats -j --top 5
	assert_equal "$(jq -c .top_entries <<<"$output")" '[]'
	# rules are, with 0 hits, in check order
	xg-rule add prio 20 proto udp drop
	xg-rule add prio 10 proto tcp dport 22 monitor
	run -0 xg-stats -j --top 5
	assert_equal "$(jq -c .top_rules <<<"$output")" \
		'[{"id":2,"prio":10,"action":"monitor","hits":0,"bytes":0},{"id":1,"prio":20,"action":"drop","hits":0,"bytes":0}]'
	run -0 xg-stats --top 5
	assert_equal "${lines[-4]}" "top rules (hits):"
	assert_equal "${lines[-3]}" "$(rule_row ID PRIO HITS BYTES RULE)"
	assert_equal "${lines[-2]}" "$(rule_row 2 10 0 0 'proto tcp dport 22 monitor')"
	assert_equal "${lines[-1]}" "$(rule_row 1 20 0 0 'proto udp drop')"
}

@test "--top: sources by drops in the last second, and their limits" {
	xg_load_lab
	xg-threshold v6-prefix 56
	# The ages hold if xg-stats reads within 0.9 s of writing: on a
	# machine too busy for that, try again.
	local now f=$BATS_TEST_TMPDIR/track.batch try j t j2
	for try in 1 2 3; do
		now=$(xg_st_limits_ns)
		{
			# NOW ADDR AGE_MS over[syn udp icmp frag] last_over
			xg_st_track "$now" 198.18.9.1 0 0 40 0 0 900    # young
			xg_st_track "$now" 198.18.9.2 1050 0 300 7 0 50 # 1-2 s
			xg_st_track "$now" 198.18.9.3 2500 0 300 0 0 5000 # gone
			xg_st_track "$now" 198.18.9.4 0 5 0 0 0 0       # just now
			xg_st_track "$now" 198.18.9.5 0 0 0 0 0 0       # no drop
			xg_st_track "$now" 198.18.9.6 0 0 0 0 0 307     # ties .2
			# an IPv6 /56, keyed as the program keys it
			xg_st_track "$now" "0x20 0x01 0x0d 0xb8 0 7 0xab 0 0 0 0 0 0 0 0 0" \
				0 0 0 0 30 450
		} >"$f"
		bpftool batch file "$f" >/dev/null || fail "bpftool batch failed"
		j=$(xg-stats -j --top 10) && t=$(xg-stats --top 10) &&
			j2=$(xg-stats -j --top 2) || fail "xg-stats failed"
		(($(xg_st_limits_ns) - now < 900000000)) && break
	done
	assert_equal "$(jq .tracking.sources <<<"$j")" 7
	assert_equal "$(jq -c '.top_sources[]' <<<"$j")" \
'{"address":"198.18.9.1","family":"ipv4","prefix_len":32,"drops_last_s":900,"limits":["udp"]}
{"address":"2001:db8:7:ab00::/56","family":"ipv6","prefix_len":56,"drops_last_s":450,"limits":["frag"]}
{"address":"198.18.9.2","family":"ipv4","prefix_len":32,"drops_last_s":307,"limits":["udp","icmp"]}
{"address":"198.18.9.6","family":"ipv4","prefix_len":32,"drops_last_s":307,"limits":[]}
{"address":"198.18.9.4","family":"ipv4","prefix_len":32,"drops_last_s":0,"limits":["syn"]}'
	run -0 echo "$t"
	local i
	i=$(table_line "top sources") || fail "no top sources table"
	assert_equal "${lines[i + 1]}" "$(src_row SOURCE DROPS/S LIMITS)"
	assert_equal "${lines[i + 2]}" "$(src_row 198.18.9.1 900 udp)"
	assert_equal "${lines[i + 3]}" "$(src_row 2001:db8:7:ab00::/56 450 frag)"
	assert_equal "${lines[i + 4]}" "$(src_row 198.18.9.2 307 udp,icmp)"
	assert_equal "${lines[i + 5]}" "$(src_row 198.18.9.6 307 -)"
	assert_equal "${lines[i + 6]}" "$(src_row 198.18.9.4 0 syn)"
	assert_equal "${lines[i + 7]}" "top entries (list hits):"
	# --top N keeps the first N
	assert_equal "$(jq -c '[.top_sources[].address]' <<<"$j2")" \
		'["198.18.9.1","2001:db8:7:ab00::/56"]'
}

@test "--top: list entries by hits, both lists" {
	xg_load_lab
	local exp=$(($(xg_st_boot_ns) + 100000000000)) # 100 s from now
	put_entry xg_block4 "198 18 9 5" 412 "$exp" 1       # an automatic ban
	put_entry xg_block4p "24 0 0 0 198 18 10 0" 81234 0 0
	put_entry xg_allow4 "198 18 1 1" 17 0 0
	put_entry xg_block6 "0x20 0x01 0x0d 0xb8 0 0 0 0 0 0 0 0 0 0 0 5" 17 0 0
	put_entry xg_block4 "198 18 9 6" 0 0 0               # no hit: not listed
	run -0 --separate-stderr xg-stats -j --top 1000
	assert_equal "$stderr" ""
	# whole seconds left, rounded up: 100 unless a second went by
	local left
	left=$(jq '.top_entries[1].expires_in' <<<"$output")
	((left == 99 || left == 100)) || fail "expires_in $left"
	assert_equal "$(jq -c '.top_entries[] | .expires_in |= if . then 99 else . end' <<<"$output")" \
'{"list":"blocklist","address":"198.18.10.0/24","family":"ipv4","prefix_len":24,"hits":81234,"expires_in":null,"auto":false,"origin":"manual"}
{"list":"blocklist","address":"198.18.9.5","family":"ipv4","prefix_len":32,"hits":412,"expires_in":99,"auto":true,"origin":"auto"}
{"list":"blocklist","address":"2001:db8::5","family":"ipv6","prefix_len":128,"hits":17,"expires_in":null,"auto":false,"origin":"manual"}
{"list":"allowlist","address":"198.18.1.1","family":"ipv4","prefix_len":32,"hits":17,"expires_in":null,"auto":false,"origin":"manual"}'
	# the same keys as xg-block list -j, after "list"
	assert_equal "$(jq -c '.top_entries[0] | keys_unsorted | .[1:]' <<<"$output")" \
		"$(xg-block list -j | jq -c '.[0] | keys_unsorted')"
	run -0 xg-stats --top 3
	local i
	i=$(table_line "top entries") || fail "no top entries table"
	assert_equal "${lines[i + 1]}" "$(entry_row LIST ADDRESS HITS EXPIRES ORIGIN)"
	assert_equal "${lines[i + 2]}" "$(entry_row blocklist 198.18.10.0/24 81234 never manual)"
	assert_line --index $((i + 3)) --regexp \
		"^$(entry_row blocklist 198.18.9.5 412 '' | sed 's/ *$//') +(99|100)s  auto\$"
	assert_equal "${lines[i + 4]}" "$(entry_row blocklist 2001:db8::5 17 never manual)"
	assert_equal "${lines[i + 5]}" "top rules (hits):"
	assert_equal "${lines[i + 6]}" "  none"
	assert_equal "${#lines[@]}" $((i + 7))
}

@test "--top: rules by hits summed over the CPUs, ties by prio" {
	xg_load_lab
	local n
	n=$(xg_st_ncpu)
	xg-rule -f - <<-EOF || fail "xg-rule -f failed"
		prio 10 proto tcp dport 22 drop
		prio 20 proto udp dport 53 rate 100/200 total
		prio 5 src 198.18.0.0/16 monitor
		prio 30 proto icmp pass
		prio 40 dst 2001:db8::/32 rate 10/20 per-source ban 60
	EOF
	xg_st_rule_hits 1 7 700
	xg_st_rule_hits 2 40 2400
	xg_st_rule_hits 3 7 420
	xg_st_rule_hits 5 1 90
	run -0 --separate-stderr xg-stats -j --top 1000
	assert_equal "$stderr" ""
	assert_equal "$(jq -c '.top_rules[]' <<<"$output")" \
"{\"id\":2,\"prio\":20,\"action\":\"rate\",\"hits\":$((40 * n)),\"bytes\":$((2400 * n))}
{\"id\":3,\"prio\":5,\"action\":\"monitor\",\"hits\":$((7 * n)),\"bytes\":$((420 * n))}
{\"id\":1,\"prio\":10,\"action\":\"drop\",\"hits\":$((7 * n)),\"bytes\":$((700 * n))}
{\"id\":5,\"prio\":40,\"action\":\"rate\",\"hits\":$n,\"bytes\":$((90 * n))}
{\"id\":4,\"prio\":30,\"action\":\"pass\",\"hits\":0,\"bytes\":0}"
	# the hits are xg-rule list's
	assert_equal "$(jq -c '[.top_rules[] | [.id, .hits, .bytes]] | sort' <<<"$output")" \
		"$(xg-rule list -j | jq -c '[.[] | [.id, .hits, .bytes]] | sort')"
	# --top N keeps the first N
	run -0 xg-stats -j --top 2
	assert_equal "$(jq -c '[.top_rules[].id]' <<<"$output")" '[2,3]'
	run -0 xg-stats --top 3
	local i
	i=$(table_line "top rules") || fail "no top rules table"
	assert_equal "${lines[i]}" "top rules (hits):"
	assert_equal "${lines[i + 1]}" "$(rule_row ID PRIO HITS BYTES RULE)"
	assert_equal "${lines[i + 2]}" \
		"$(rule_row 2 20 $((40 * n)) $((2400 * n)) 'proto udp dport 53 rate 100/200 total')"
	assert_equal "${lines[i + 3]}" \
		"$(rule_row 3 5 $((7 * n)) $((420 * n)) 'src 198.18.0.0/16 monitor')"
	assert_equal "${lines[i + 4]}" \
		"$(rule_row 1 10 $((7 * n)) $((700 * n)) 'proto tcp dport 22 drop')"
	assert_equal "${#lines[@]}" $((i + 5))
	# without --top, no table
	run -0 xg-stats
	refute_line "top rules (hits):"
	run -0 xg-stats -j
	assert_equal "$(jq -c .top_rules <<<"$output")" null
}

@test "--top with -i: the interface's counters, the top of everything" {
	xg_load_lab
	xg_st_track "$(xg_st_limits_ns)" 198.18.9.1 0 0 40 0 0 900 >"$BATS_TEST_TMPDIR/b"
	bpftool batch file "$BATS_TEST_TMPDIR/b" >/dev/null
	run -0 xg-stats -j --top 3 -i "$XG_IF" --netns "$XG_NS"
	assert_equal "$(jq -c '[(.interfaces | length), .top_sources[0].address]' <<<"$output")" \
		'[1,"198.18.9.1"]'
}
