#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-allow shares xg-block's grammar (xg_listcmd_main); these tests check
# that it says "allowlist", writes the allowlist and never the blocklist.
# Usage errors run with no lab; the rest share the file's lab (xg_shared_lab).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

seed() {
	xg_shared_lab || fail "xg-load failed"
	xg-allow 198.18.1.1 198.18.2.0/24 2001:db8:1::1 2001:db8:2::/48 ||
		fail "seeding the allowlist failed"
	xg-block 198.18.0.5 || fail "seeding the blocklist failed"
	xg_save_snapshot
}

# bad CODE MESSAGE ARGS...: exit CODE, the exact line, nothing on stdout,
# nothing changed: after seed, the lists as seeded; with no lab, no pin dir.
bad() {
	local code=$1 msg=$2
	shift 2
	run -"$code" --separate-stderr xg-allow "$@"
	assert_equal "$stderr" "xg-allow: $msg"
	assert_equal "$output" ""
	if [[ -n ${XG_SNAP:-} ]]; then
		xg_assert_unchanged
	else
		xg_assert_no_pins
	fi
}

@test "bad address" {
	bad 2 "invalid address '198.18.1.256'" 198.18.1.256
}

@test "bad IPv6 address" {
	bad 2 "invalid address '2001:db8:::1'" 2001:db8:::1
}

@test "IPv4 prefix length 33" {
	bad 2 "invalid prefix length in '198.18.0.0/33' (IPv4: 0-32)" 198.18.0.0/33
}

@test "host bits set" {
	bad 2 "'198.18.2.9/24' has host bits set; did you mean 198.18.2.0/24?" \
		198.18.2.9/24
}

@test "IPv6 host bits set" {
	bad 2 "'2001:db8:2::1/48' has host bits set; did you mean 2001:db8:2::/48?" \
		2001:db8:2::1/48
}

@test "misspelt word is an address" {
	bad 2 "invalid address 'lst'" lst
}

@test "bad timeout" {
	bad 2 "invalid timeout '5x' (seconds, or a number with s, m, h or d)" \
		198.18.1.9 -t 5x
}

@test "unknown option" {
	bad 2 "unknown option '--frobnicate'; see --help" list --frobnicate
}

@test "no address given" {
	bad 2 "no address given; see --help" add
}

@test "del of an absent entry says allowlist and deletes nothing" {
	seed
	bad 1 "198.18.1.9 is not on the allowlist" del 198.18.1.1 198.18.1.9
}

@test "del of a blocklist entry is not on the allowlist" {
	seed
	bad 1 "198.18.0.5 is not on the allowlist" del 198.18.0.5
}

@test "batch: bad line 3 adds nothing" {
	seed
	printf '198.18.1.7\n198.18.1.8\n198.18.1.x\n' >allow.txt
	bad 2 "allow.txt:3: invalid address '198.18.1.x'" -f allow.txt
}

@test "batch: bad line on stdin" {
	run -2 --separate-stderr xg-allow -f - < <(printf '\n\n::1/200\n')
	assert_equal "$stderr" \
		"xg-allow: <stdin>:3: invalid prefix length in '::1/200' (IPv6: 0-128)"
	xg_assert_no_pins
}

@test "batch: nonexistent file" {
	seed
	bad 1 "cannot open 'nosuch.txt': No such file or directory" -f nosuch.txt
}

@test "round trip, separate from the blocklist" {
	xg_shared_lab
	xg-block 198.18.0.5
	run -0 --separate-stderr xg-allow 198.18.1.1 198.18.2.0/24 2001:db8:1::1 \
		2001:db8:2::/48 --timeout 1h
	assert_equal "$output$stderr" ""
	run xg_list_addrs xg-allow
	assert_output "$(printf '%s\n' 198.18.1.1 198.18.2.0/24 2001:db8:1::1 \
		2001:db8:2::/48 | sort)"
	run xg_list_addrs xg-block
	assert_output 198.18.0.5
	run -0 xg-allow list -j
	assert_equal "$(jq -c '[.[] | keys_unsorted] | unique' <<<"$output")" \
		'[["address","family","prefix_len","hits","expires_in","auto","origin"]]'
	assert_equal "$(jq '[.[].expires_in > 3590] | all' <<<"$output")" true
	run -0 --separate-stderr xg-allow -j del 198.18.2.0/24
	assert_equal "$(jq -c . <<<"$output")" '{"deleted":1}'
	run -0 --separate-stderr xg-allow -j flush
	assert_equal "$(jq -c . <<<"$output")" '{"flushed":3}'
	run xg_list_addrs xg-block
	assert_output 198.18.0.5
}

@test "list text" {
	xg_shared_lab
	xg-allow 2001:db8:2::/48 198.18.1.1
	run -0 xg-allow list
	assert_equal "$output" "$(xg_list_header
		xg_list_row 198.18.1.1 0 never manual
		xg_list_row 2001:db8:2::/48 0 never manual)"
}

@test "the same address may be on both lists" {
	xg_shared_lab
	xg-block 198.18.0.5
	run -0 xg-allow 198.18.0.5
	run xg_list_addrs xg-allow
	assert_output 198.18.0.5
	run xg_list_addrs xg-block
	assert_output 198.18.0.5
}
