#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The lockout guard (common/guard.c, xdpguard(7) LOCKOUT GUARD): xg-block
# and xg-rule refuse, with one line and exit 1, a change that would drop
# the SSH peer ($SSH_CONNECTION, $SSH_CLIENT, /proc/net/tcp{,6}), a default
# gateway (/proc/net/route, ipv6_route) or a nameserver (resolv.conf), and
# change nothing; --force and the allowlist let it through; xg-load
# --allow-self allowlists the SSH peer. The peers come from fixtures
# (XG_PROC_NET, XG_RESOLV_CONF); the routes from a namespace whose default
# routes point at the lab peer.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() {
	xg_setup_test
	FIX=$BATS_TEST_TMPDIR/net
	mkdir -p "$FIX"
	export XG_PROC_NET=$FIX
}
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

SSH_PEER=198.18.0.9
ssh_session() { export SSH_CONNECTION="$SSH_PEER 50022 198.18.0.1 22"; }

seed() {
	xg_shared_lab || fail "xg-load failed"
	xg-block 198.18.3.3 || fail "seeding the blocklist failed"
	xg_save_snapshot
	XG_RSNAP=$(xg-rule list -j) || fail "cannot list the rules"
}

# refused TOOL MESSAGE ARGS...: TOOL ARGS exits 1 with exactly "TOOL:
# MESSAGE" on stderr, and neither the lists nor the rules changed.
refused() {
	local tool=$1 msg=$2
	shift 2
	run -1 --separate-stderr "$tool" "$@"
	assert_equal "$stderr" "$tool: $msg"
	assert_equal "$output" ""
	xg_assert_unchanged
	assert_equal "$(xg-rule list -j)" "$XG_RSNAP"
}

# tcp_fixture FILE LINE...: a /proc/net/tcp-shaped file.
tcp_fixture() {
	local f=$1
	shift
	echo "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode" >"$FIX/$f"
	printf '%s\n' "$@" >>"$FIX/$f"
}

# A namespace whose default routes go through the lab peer 198.18.0.1 and
# 2001:db8::1; its /proc/net/route and ipv6_route become the fixture.
gateway_fixture() {
	ip netns add "$XG_TEST_NS"
	ip -n "$XG_TEST_NS" link add "$XG_IF" type veth peer name "$XG_PEER"
	ip -n "$XG_TEST_NS" link set "$XG_IF" up
	ip -n "$XG_TEST_NS" addr add 198.18.0.2/24 dev "$XG_IF"
	ip -n "$XG_TEST_NS" addr add 2001:db8::2/64 dev "$XG_IF" nodad
	ip -n "$XG_TEST_NS" route add default via 198.18.0.1
	ip -n "$XG_TEST_NS" -6 route add default via 2001:db8::1
	ip netns exec "$XG_TEST_NS" cat /proc/net/route >"$FIX/route"
	ip netns exec "$XG_TEST_NS" cat /proc/net/ipv6_route >"$FIX/ipv6_route"
}

# ---- usage ---------------------------------------------------------------

@test "xg-allow takes no --force" {
	run -2 --separate-stderr xg-allow --force 198.18.0.9
	assert_equal "$stderr" "xg-allow: unknown option '--force'; see --help"
	xg_assert_no_pins
}

@test "--force applies to add only" {
	run -2 --separate-stderr xg-block del --force 198.18.0.9
	assert_equal "$stderr" \
		"xg-block: option '--force' does not apply to del; see --help"
	run -2 --separate-stderr xg-rule list --force
	assert_equal "$stderr" \
		"xg-rule: option '--force' does not apply to list; see --help"
	xg_assert_no_pins
}

@test "xg-load --allow-self: a bad duration" {
	run -2 --separate-stderr xg-load --allow-self=5x
	assert_equal "$stderr" "xg-load: invalid duration '5x' (seconds, or a number with s, m, h or d)"
	xg_assert_no_pins
}

# ---- the SSH peer ----------------------------------------------------------

@test "blocking the SSH peer is refused, --force adds it" {
	seed
	ssh_session
	refused xg-block "refusing to block 198.18.0.9: it is your SSH session's peer (--force overrides)" 198.18.0.9
	refused xg-block "refusing to block 198.18.0.0/24: it covers 198.18.0.9, your SSH session's peer (--force overrides)" 198.18.5.5 198.18.0.0/24
	run -0 xg-block --force 198.18.0.0/24
	assert_equal "$(xg_list_addrs xg-block)" "$(printf '198.18.0.0/24\n198.18.3.3')"
}

@test "SSH_CLIENT names the peer too; -j carries the refusal" {
	seed
	export SSH_CLIENT="2001:db8::9 50022 22"
	run -1 --separate-stderr xg-block -j 2001:db8::/64
	assert_equal "$stderr" "xg-block: refusing to block 2001:db8::/64: it covers 2001:db8::9, your SSH session's peer (--force overrides)"
	assert_equal "$(jq -r .error <<<"$output")" "${stderr#xg-block: }"
	xg_assert_unchanged
}

@test "an address not the peer's, and del, pass" {
	seed
	ssh_session
	run -0 xg-block 198.18.0.10 2001:db8::9
	run -0 xg-block del 198.18.0.10
}

@test "established sessions to port 22 in /proc/net/tcp and tcp6" {
	seed
	# 198.18.0.7:40000 -> :22 established; :8080 and a listener are not
	tcp_fixture tcp \
		"   0: 020012C6:0016 070012C6:9C40 01 00000000:00000000 00:00000000 00000000     0        0 1" \
		"   1: 020012C6:1F90 080012C6:9C41 01 00000000:00000000 00:00000000 00000000     0        0 2" \
		"   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3"
	# 2001:db8::7 and ::ffff:198.18.0.6 -> :22
	tcp_fixture tcp6 \
		"   0: B80D0120000000000000000002000000:0016 B80D0120000000000000000007000000:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4" \
		"   1: 0000000000000000FFFF0000020012C6:0016 0000000000000000FFFF0000060012C6:9C42 01 00000000:00000000 00:00000000 00000000     0        0 5"
	refused xg-block "refusing to block 198.18.0.7: it is the peer of an SSH session to this host (--force overrides)" 198.18.0.7
	refused xg-block "refusing to block 2001:db8::7: it is the peer of an SSH session to this host (--force overrides)" 2001:db8::7
	refused xg-block "refusing to block 198.18.0.6: it is the peer of an SSH session to this host (--force overrides)" 198.18.0.6
	refused xg-rule "refusing rule 'proto tcp src 198.18.0.0/29 dport 22 drop': it would drop 198.18.0.7, the peer of an SSH session to this host (--force overrides)" add src 198.18.0.0/29 proto tcp dport 22 drop
	run -0 xg-rule add src 198.18.0.0/29 proto tcp dport 8080 drop
	run -0 xg-block 198.18.0.8
}

# ---- rules -------------------------------------------------------------------

@test "rules that could drop the SSH session are refused" {
	seed
	ssh_session
	local why="it would drop 198.18.0.9, your SSH session's peer (--force overrides)"
	refused xg-rule "refusing rule 'any drop': $why" add drop
	refused xg-rule "refusing rule 'proto tcp dport 22 drop': $why" add proto tcp dport 22 drop
	refused xg-rule "refusing rule 'proto tcp dport 22 rate 10/20 total': $why" add proto tcp dport 22 rate 10
	refused xg-rule "refusing rule 'proto tcp dport !80 drop': $why" add proto tcp dport '!80' drop
	refused xg-rule "refusing rule 'src 198.18.0.0/16 drop': $why" add src 198.18.0.0/16 drop
	refused xg-rule "refusing rule 'proto tcp sport 50000-50100 drop': $why" add proto tcp sport 50000-50100 drop
}

@test "rules that cannot drop the SSH session pass" {
	seed
	ssh_session
	run -0 xg-rule add proto tcp dport 80,443 drop
	run -0 xg-rule add proto tcp dport '!22' drop
	run -0 xg-rule add proto udp dport 53 drop
	run -0 xg-rule add proto tcp dport 22 monitor
	run -0 xg-rule add src 198.18.1.0/24 drop
	run -0 xg-rule add src 2001:db8::/32 drop
	run -0 xg-rule add proto tcp sport 1-1023 drop
	run -0 xg-rule add proto tcp dport 22 pass
}

@test "xg-rule -f names the line; --force lets it through" {
	seed
	ssh_session
	printf 'proto tcp dport 80 drop\nproto tcp dport 20-30 drop\n' >rules
	refused xg-rule "rules:2: refusing rule 'proto tcp dport 20-30 drop': it would drop 198.18.0.9, your SSH session's peer (--force overrides)" -f rules
	run -0 xg-rule --force -f rules
	assert_equal "$(xg-rule list -j | jq length)" 2
}

# ---- the gateway and the nameservers ----------------------------------------

@test "the default gateways of a namespace's routes" {
	seed
	gateway_fixture
	refused xg-block "refusing to block 198.18.0.1: it is your default gateway (--force overrides)" 198.18.0.1
	refused xg-block "refusing to block 2001:db8::/48: it covers 2001:db8::1, your default gateway (--force overrides)" 2001:db8::/48
	refused xg-rule "refusing rule 'proto icmp drop': it would drop 198.18.0.1, your default gateway (--force overrides)" add proto icmp drop
	refused xg-rule "refusing rule 'proto icmpv6 icmp-type 135 drop': it would drop 2001:db8::1, your default gateway (--force overrides)" add proto icmpv6 icmp-type 135 drop
	run -0 xg-rule add proto icmp icmp-type 8 drop
	run -0 xg-rule add proto tcp dport 22 drop
	run -0 xg-block 198.18.0.2
}

@test "the nameservers of resolv.conf" {
	seed
	printf '# fixture\nsearch example.org\nnameserver 198.18.0.53\nnameserver 2001:db8::53%%eth0\noptions edns0\n' >resolv
	export XG_RESOLV_CONF=$PWD/resolv
	refused xg-block "refusing to block 198.18.0.53: it is a nameserver in $PWD/resolv (--force overrides)" 198.18.0.53
	refused xg-block "refusing to block 2001:db8::53: it is a nameserver in $PWD/resolv (--force overrides)" 2001:db8::53
	refused xg-rule "refusing rule 'proto udp drop': it would drop 198.18.0.53, a nameserver in $PWD/resolv (--force overrides)" add proto udp drop
	refused xg-rule "refusing rule 'proto tcp sport 53 drop': it would drop 198.18.0.53, a nameserver in $PWD/resolv (--force overrides)" add proto tcp sport 53 drop
	run -0 xg-rule add proto udp dport 53 drop
	run -0 xg-rule add proto udp sport 123 drop
}

# ---- the allowlist, xg-load --allow-self ------------------------------------

@test "a peer on the allowlist is not guarded" {
	seed
	ssh_session
	xg-allow 198.18.0.0/28
	run -0 xg-block 198.18.0.0/24
	run -0 xg-rule add drop
}

@test "xg-load --allow-self without an SSH session: a note" {
	xg_shared_lab || fail "xg-load failed"
	run -0 --separate-stderr xg-load --allow-self
	assert_equal "$stderr" "xg-load: note: --allow-self: no SSH session (SSH_CONNECTION is not set); nothing allowlisted"
	assert_equal "$(xg-allow list -j)" "[]"
}

@test "xg-load --allow-self DURATION allowlists the SSH peer" {
	xg_shared_lab || fail "xg-load failed"
	ssh_session
	run -0 --separate-stderr xg-load --allow-self 10m -j
	assert_equal "$stderr" "xg-load: note: allowlisted 198.18.0.9, your SSH session's peer, for 10m"
	assert_equal "$output" '{"allowed_self":"198.18.0.9","timeout":600}'
	run -0 xg-allow list -j
	assert_equal "$(jq -c '[.[] | .address, .origin, (.expires_in > 590)]' <<<"$output")" '["198.18.0.9","allow-self",true]'
	run -0 xg-block 198.18.0.0/24
}

@test "xg-load IFACE --allow-self: default 1h" {
	xg_make_ns
	ssh_session
	run -0 --separate-stderr xg-load -j --allow-self "$XG_IF@$XG_NS"
	assert_equal "$stderr" "xg-load: note: allowlisted 198.18.0.9, your SSH session's peer, for 1h"
	assert_equal "$(jq -r .allowed_self <<<"$output")" 198.18.0.9
	run -0 xg-allow list -j
	assert_equal "$(jq -c '[.[] | .address, (.expires_in > 3590)]' <<<"$output")" '["198.18.0.9",true]'
}
