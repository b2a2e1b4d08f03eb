#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-stats --top N: the tracked sources ranked by their rate-limit drops in
# the last second, and the list entries ranked by hits. The tracker and
# list entries are written into the pinned maps as the program would, with
# windows of known age, so every number is exact.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

src_row() { printf '  %-40s %12s  %s' "$@"; }
entry_row() { printf '  %-9s %-40s %10s %8s  %s' "$@"; }

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
	assert_equal "${lines[-4]}" "top sources (rate-limit drops in the last second):"
	assert_equal "${lines[-3]}" "  none"
	assert_equal "${lines[-1]}" "  none"
	run -0 xg-stats -j --top 5
	assert_equal "$(jq -c '[.top_sources, .top_entries]' <<<"$output")" '[[],[]]'
	# entries without a hit are not listed
	xg-block 198.18.0.5 198.18.4.0/24
	xg-allow 198.18.1.1
	run -0 xg-stats -j --top 5
	assert_equal "$(jq -c .top_entries <<<"$output")" '[]'
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
	for i in "${!lines[@]}"; do
		[[ ${lines[i]} == "top sources"* ]] && break
	done
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
'{"list":"blocklist","address":"198.18.10.0/24","family":"ipv4","prefix_len":24,"hits":81234,"expires_in":null,"auto":false}
{"list":"blocklist","address":"198.18.9.5","family":"ipv4","prefix_len":32,"hits":412,"expires_in":99,"auto":true}
{"list":"blocklist","address":"2001:db8::5","family":"ipv6","prefix_len":128,"hits":17,"expires_in":null,"auto":false}
{"list":"allowlist","address":"198.18.1.1","family":"ipv4","prefix_len":32,"hits":17,"expires_in":null,"auto":false}'
	# the same keys as xg-block list -j, after "list"
	assert_equal "$(jq -c '.top_entries[0] | keys_unsorted | .[1:]' <<<"$output")" \
		"$(xg-block list -j | jq -c '.[0] | keys_unsorted')"
	run -0 xg-stats --top 3
	local i
	for i in "${!lines[@]}"; do
		[[ ${lines[i]} == "top entries"* ]] && break
	done
	assert_equal "${lines[i + 1]}" "$(entry_row LIST ADDRESS HITS EXPIRES FLAGS)"
	assert_equal "${lines[i + 2]}" "$(entry_row blocklist 198.18.10.0/24 81234 never -)"
	assert_line --index $((i + 3)) --regexp \
		"^$(entry_row blocklist 198.18.9.5 412 '' | sed 's/ *$//') +(99|100)s  auto\$"
	assert_equal "${lines[i + 4]}" "$(entry_row blocklist 2001:db8::5 17 never -)"
	assert_equal "${#lines[@]}" $((i + 5))
}

@test "--top with -i: the interface's counters, the top of everything" {
	xg_load_lab
	xg_st_track "$(xg_st_limits_ns)" 198.18.9.1 0 0 40 0 0 900 >"$BATS_TEST_TMPDIR/b"
	bpftool batch file "$BATS_TEST_TMPDIR/b" >/dev/null
	run -0 xg-stats -j --top 3 -i "$XG_IF" --netns "$XG_NS"
	assert_equal "$(jq -c '[(.interfaces | length), .top_sources[0].address]' <<<"$output")" \
		'[1,"198.18.9.1"]'
}
