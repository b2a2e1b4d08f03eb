#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Real IPv6 traffic through the guarded veth: the same decisions as IPv4,
# fragments through the fragment extension header, and the two families
# kept apart (an IPv4 entry never matches IPv6 traffic of the same client).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() {
	xg_remove_stale
	xg_lab_up 2 || return 1
	xg-load -n "$XG_PNS" "$XG_PIF" --mode native
}

teardown_file() {
	xg_lab_down
	xg_remove_file_leftovers
}

setup() {
	xg_lab_reset || fail "cannot reset the lab"
}

# ping6 [COUNT [PING OPTIONS]]: COUNT echo requests 50 ms apart (root
# may go below ping's 200 ms; 20/s is far below the ICMP limit's burst),
# then at most 1 s for the last reply.
ping6() {
	in_client ping -6 -q -c "${1:-5}" -i 0.05 -W 1 "${@:2}" "$XG_P6"
}

@test "ping -6: 5 echo requests count as icmp/pass, 118 bytes each" {
	local before
	before=$(xg-stats -j)
	run -0 ping6 5
	assert_delta "$before" '{"icmp/pass":5}'
	assert_equal $(($(xg_counter icmp pass bytes) - \
		$(jq '.counters.icmp.pass.bytes' <<<"$before"))) 590
}

@test "TCP over IPv6: a line reaches the protected end" {
	local before
	before=$(xg-stats -j)
	run -0 xg_tcp_send "$XG_P6" 6001
	run -0 xg_delta "$before" "$(xg-stats -j)"
	assert_equal "$(jq -c keys <<<"$output")" '["tcp/pass"]'
}

@test "UDP over IPv6: a datagram arrives" {
	local before
	before=$(xg-stats -j)
	run -0 xg_udp_send "$XG_P6" 6002
	assert_delta "$before" '{"udp/pass":1}'
}

@test "blocked IPv6 host: ping fails, exactly 5 icmp/blocklisted" {
	xg-block "$XG_C6"
	local before
	before=$(xg-stats -j)
	run -1 ping6 5
	assert_delta "$before" '{"icmp/blocklisted":5}'
	assert_equal "$(xg_hits xg-block "$XG_C6")" 5
}

@test "blocked IPv6 host: TCP connect times out, UDP is dropped" {
	xg-block "$XG_C6"
	local before
	before=$(xg-stats -j)
	run -1 xg_tcp_send "$XG_P6" 6003
	run -0 xg_delta "$before" "$(xg-stats -j)"
	assert_equal "$(jq -c keys <<<"$output")" '["tcp/blocklisted"]'
	before=$(xg-stats -j)
	run -1 xg_udp_send "$XG_P6" 6004
	assert_delta "$before" '{"udp/blocklisted":1}'
}

@test "del of the IPv6 host, then the covering /64 drops again" {
	xg-block "$XG_C6"
	run -1 ping6 1
	run -0 xg-block del "$XG_C6"
	run -0 ping6 1
	xg-block "$XG_NET6"
	local before
	before=$(xg-stats -j)
	run -1 ping6 5
	assert_delta "$before" '{"icmp/blocklisted":5}'
	assert_equal "$(xg_hits xg-block "$XG_NET6")" 5
}

@test "a /32 prefix covers the client too" {
	xg-block 2001:db8::/32
	run -1 ping6 2
	assert_equal "$(xg_hits xg-block 2001:db8::/32)" 2
}

@test "allowlisted IPv6 host passes although it is blocked" {
	xg-block "$XG_NET6"
	xg-allow "$XG_C6"
	local before
	before=$(xg-stats -j)
	run -0 ping6 5
	assert_delta "$before" '{"icmp/allowlisted":5}'
	assert_equal "$(xg_hits xg-allow "$XG_C6")" 5
	assert_equal "$(xg_hits xg-block "$XG_NET6")" 0
	run -0 xg_tcp_send "$XG_P6" 6005
}

@test "an IPv6 ban with --timeout 2 lifts itself" {
	xg-block "$XG_C6" -t 2s
	run -1 ping6 1
	sleep 3
	local before
	before=$(xg-stats -j)
	run -0 ping6 1
	assert_delta "$before" '{"icmp/pass":1}'
}

@test "families are apart: an IPv4 ban leaves IPv6 traffic alone" {
	xg-block "$XG_C4"
	local before
	before=$(xg-stats -j)
	run -0 ping6 3
	run -1 in_client ping -q -c 2 -i 0.05 -W 1 "$XG_P4"
	assert_delta "$before" '{"icmp/pass":3,"icmp/blocklisted":2}'
}

@test "families are apart: an IPv6 ban leaves IPv4 traffic alone" {
	xg-block "$XG_NET6"
	local before
	before=$(xg-stats -j)
	run -0 in_client ping -q -c 3 -i 0.05 -W 1 "$XG_P4"
	run -1 ping6 2
	assert_delta "$before" '{"icmp/pass":3,"icmp/blocklisted":2}'
}

@test "IPv6 fragments: every fragment of a blocked source is dropped" {
	xg-block "$XG_C6"
	local before
	before=$(xg-stats -j)
	# 3000 bytes of ICMPv6 payload at MTU 1500: 3 fragments per request.
	run -1 ping6 2 -s 3000
	assert_delta "$before" '{"icmp/blocklisted":6}'
	assert_equal "$(xg_hits xg-block "$XG_C6")" 6
}

@test "IPv6 fragments of an unlisted source pass and reassemble" {
	local before
	before=$(xg-stats -j)
	run -0 ping6 2 -s 3000
	assert_delta "$before" '{"icmp/pass":6}'
}

@test "IPv6: every frame the client sent is counted once" {
	local tx0 sum0
	tx0=$(xg_client_tx) && sum0=$(xg_iface_sum) || fail "no counters"
	xg-block "$XG_C6"
	run -1 ping6 2 -s 2000
	xg-allow "$XG_C6"
	run -0 ping6 2
	# against the client's own count of what it sent
	assert_counts_tx "$tx0" "$sum0"
}
