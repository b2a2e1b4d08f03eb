#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real IPv4 traffic from a client namespace to a protected namespace whose
# veth end is guarded in native mode. Counters are compared exactly: the lab
# has permanent neighbours and no link-local addresses, so only the tests'
# own packets reach the protected end.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() {
	xg_remove_stale
	xg_lab_up 1 || return 1
	xg-load -n "$XG_PNS" "$XG_PIF" --mode native
}

teardown_file() {
	xg_lab_down
	xg_remove_file_leftovers
}

setup() {
	xg_lab_reset || fail "cannot reset the lab"
}

# ping4 [COUNT [PING OPTIONS]]: COUNT echo requests 50 ms apart (root
# may go below ping's 200 ms; 20/s is far below the ICMP limit's burst),
# then at most 1 s for the last reply.
ping4() {
	in_client ping -q -c "${1:-5}" -i 0.05 -W 1 "${@:2}" "$XG_P4"
}

@test "ping: 5 echo requests count as icmp/pass, 98 bytes each" {
	local before
	before=$(xg-stats -j)
	run -0 ping4 5
	assert_delta "$before" '{"icmp/pass":5}'
	assert_equal $(($(xg_counter icmp pass bytes) - \
		$(jq '.counters.icmp.pass.bytes' <<<"$before"))) 490
}

@test "TCP: a line reaches the protected end" {
	local before
	before=$(xg-stats -j)
	run -0 xg_tcp_send "$XG_P4" 5001
	run -0 xg_delta "$before" "$(xg-stats -j)"
	assert_equal "$(jq -c keys <<<"$output")" '["tcp/pass"]'
	assert_equal "$(jq '."tcp/pass" >= 3' <<<"$output")" true
}

@test "UDP: a datagram arrives" {
	local before
	before=$(xg-stats -j)
	run -0 xg_udp_send "$XG_P4" 5002
	assert_delta "$before" '{"udp/pass":1}'
}

@test "blocked host: ping fails, exactly 5 icmp/blocklisted, 5 hits" {
	xg-block "$XG_C4"
	local before
	before=$(xg-stats -j)
	run -1 ping4 5
	assert_delta "$before" '{"icmp/blocklisted":5}'
	assert_equal "$(xg_hits xg-block "$XG_C4")" 5
	run -0 xg-block list
	assert_line "$(xg_list_row "$XG_C4" 5 never manual)"
}

@test "blocked host: TCP connect times out" {
	xg-block "$XG_C4"
	local before
	before=$(xg-stats -j)
	run -1 xg_tcp_send "$XG_P4" 5003
	run -0 xg_delta "$before" "$(xg-stats -j)"
	assert_equal "$(jq -c keys <<<"$output")" '["tcp/blocklisted"]'
}

@test "blocked host: exactly 3 TCP SYNs from hping3 are dropped" {
	xg-block "$XG_C4"
	local before
	before=$(xg-stats -j)
	in_client hping3 -q -S -p 5004 -c 3 -i u100000 "$XG_P4" >/dev/null 2>&1 || true
	assert_delta "$before" '{"tcp/blocklisted":3}'
	assert_equal "$(xg_hits xg-block "$XG_C4")" 3
}

@test "blocked host: UDP datagram is not received" {
	xg-block "$XG_C4"
	local before
	before=$(xg-stats -j)
	run -1 xg_udp_send "$XG_P4" 5005
	assert_delta "$before" '{"udp/blocklisted":1}'
}

@test "del of the host, then a covering prefix drops again" {
	xg-block "$XG_C4"
	run -1 ping4 2
	run -0 xg-block del "$XG_C4"
	run -0 ping4 2
	xg-block "$XG_NET4"
	local before
	before=$(xg-stats -j)
	run -1 ping4 5
	assert_delta "$before" '{"icmp/blocklisted":5}'
	assert_equal "$(xg_hits xg-block "$XG_NET4")" 5
	run -1 xg_tcp_send "$XG_P4" 5006
}

@test "allowlisted host passes although it is blocked" {
	xg-block "$XG_C4"
	xg-allow "$XG_C4"
	local before
	before=$(xg-stats -j)
	run -0 ping4 5
	assert_delta "$before" '{"icmp/allowlisted":5}'
	assert_equal "$(xg_hits xg-allow "$XG_C4")" 5
	assert_equal "$(xg_hits xg-block "$XG_C4")" 0
	run -0 xg_tcp_send "$XG_P4" 5007
	run -0 xg-allow del "$XG_C4"
	run -1 ping4 1
}

@test "allowlisted prefix wins over a blocked host" {
	xg-block "$XG_C4"
	xg-allow "$XG_NET4"
	local before
	before=$(xg-stats -j)
	run -0 ping4 3
	assert_delta "$before" '{"icmp/allowlisted":3}'
	assert_equal "$(xg_hits xg-allow "$XG_NET4")" 3
}

@test "an unrelated entry changes nothing" {
	xg-block 198.18.200.1 198.18.201.0/24
	xg-allow 198.18.202.1
	local before
	before=$(xg-stats -j)
	run -0 ping4 3
	assert_delta "$before" '{"icmp/pass":3}'
	assert_equal "$(xg_hits xg-block 198.18.200.1)" 0
}

@test "re-adding keeps the hits and sets the new expiry" {
	xg-block "$XG_C4"
	run -1 ping4 3
	assert_equal "$(xg_hits xg-block "$XG_C4")" 3
	xg-block "$XG_C4" --timeout 1h
	run -0 xg-block list -j
	assert_equal "$(jq -c --arg a "$XG_C4" '.[] | select(.address == $a)
		| [.hits, .expires_in > 3590]' <<<"$output")" '[3,true]'
	run -1 ping4 2
	assert_equal "$(xg_hits xg-block "$XG_C4")" 5
}

@test "a ban with --timeout 2 lifts itself" {
	xg-block "$XG_C4" --timeout 2
	local before
	before=$(xg-stats -j)
	run -1 ping4 1
	assert_delta "$before" '{"icmp/blocklisted":1}'
	sleep 3
	before=$(xg-stats -j)
	run -0 ping4 1
	assert_delta "$before" '{"icmp/pass":1}'
	run -0 xg-block list -j
	assert_equal "$(jq -c . <<<"$output")" "[]"
}

@test "fragments: every fragment of a blocked source is dropped" {
	xg-block "$XG_C4"
	local before
	before=$(xg-stats -j)
	# 3000 bytes of ICMP payload at MTU 1500: 3 fragments per request.
	run -1 ping4 2 -s 3000
	assert_delta "$before" '{"icmp/blocklisted":6}'
	assert_equal "$(xg_hits xg-block "$XG_C4")" 6
}

@test "fragments: a blocked prefix drops the non-first fragments too" {
	xg-block "$XG_NET4"
	local before
	before=$(xg-stats -j)
	run -1 ping4 2 -s 3000
	assert_delta "$before" '{"icmp/blocklisted":6}'
}

@test "fragments of an unlisted source pass and reassemble" {
	local before
	before=$(xg-stats -j)
	run -0 ping4 2 -s 3000
	assert_delta "$before" '{"icmp/pass":6}'
}

@test "hping3: exactly 3 UDP datagrams count as udp/pass" {
	local before
	before=$(xg-stats -j)
	in_client hping3 -q --udp -p 5010 -c 3 -i u100000 "$XG_P4" >/dev/null 2>&1 || true
	assert_delta "$before" '{"udp/pass":3}'
}

@test "hping3: another IP protocol counts as other_ip" {
	local before
	before=$(xg-stats -j)
	in_client hping3 -q --rawip -H 47 -c 3 -i u100000 "$XG_P4" >/dev/null 2>&1 || true
	assert_delta "$before" '{"other_ip/pass":3}'
	xg-block "$XG_C4"
	before=$(xg-stats -j)
	in_client hping3 -q --rawip -H 47 -c 2 -i u100000 "$XG_P4" >/dev/null 2>&1 || true
	assert_delta "$before" '{"other_ip/blocklisted":2}'
}

@test "hping3: a TCP data offset below 5 counts as tcp/malformed" {
	local before
	before=$(xg-stats -j)
	in_client hping3 -q -S -O 2 -p 5011 -c 3 -i u100000 "$XG_P4" >/dev/null 2>&1 || true
	assert_delta "$before" '{"tcp/malformed":3}'
	run -0 xg-load -n "$XG_PNS" "$XG_PIF" --force --drop-malformed
	before=$(xg-stats -j)
	in_client hping3 -q -S -O 2 -p 5011 -c 2 -i u100000 "$XG_P4" >/dev/null 2>&1 || true
	run -0 xg-load -n "$XG_PNS" "$XG_PIF" --force --pass-malformed
	assert_delta "$before" '{"tcp/malformed":2}'
}

@test "a blocked source is blocklisted before its L4 header is parsed" {
	xg-block "$XG_C4"
	local before
	before=$(xg-stats -j)
	in_client hping3 -q -S -O 2 -p 5012 -c 3 -i u100000 "$XG_P4" >/dev/null 2>&1 || true
	assert_delta "$before" '{"tcp/blocklisted":3}'
}

@test "every packet is counted under exactly one reason" {
	local tx0 sum0
	tx0=$(xg_client_tx) && sum0=$(xg_iface_sum) || fail "no counters"
	xg-block "$XG_C4" --timeout 60
	run -1 ping4 2
	run -1 xg_udp_send "$XG_P4" 5008
	xg-block del "$XG_C4"
	run -0 ping4 2 -s 2000
	run -0 xg_tcp_send "$XG_P4" 5009
	# against the client's own count of what it sent, not against a sum
	# of the same counters
	assert_counts_tx "$tx0" "$sum0"
}

@test "xg-stats text shows the non-zero rows and the total" {
	xg-block "$XG_C4"
	run -1 ping4 2
	run -0 xg-stats -j
	local j=$output p b
	p=$(jq .counters.icmp.blocklisted.packets <<<"$j")
	b=$(jq .counters.icmp.blocklisted.bytes <<<"$j")
	run -0 xg-stats
	assert_line --regexp "^icmp +blocklisted +$p +$b\$"
	refute_line --regexp '^udp +allowlisted '
	p=$(jq .total.packets <<<"$j")
	b=$(jq .total.bytes <<<"$j")
	assert_line --regexp "^total +$p +$b\$"
}

@test "unguarded interface: traffic passes uncounted, reload drops again" {
	xg-block "$XG_C4"
	run -0 xg-unload -n "$XG_PNS" "$XG_PIF"
	local before
	before=$(xg-stats -j)
	run -0 ping4 2
	assert_delta "$before" '{}'
	run -0 xg-load -n "$XG_PNS" "$XG_PIF" --mode native
	run -1 ping4 2
	assert_delta "$before" '{"icmp/blocklisted":2}'
}
