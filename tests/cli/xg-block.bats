#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-block grammar: every bad input exits with the right status and one exact
# stderr line and leaves both lists untouched; the good paths round-trip.
# Usage errors run with no lab; a test whose point is that a loaded program's
# lists stay as they were seeds the file's shared lab, as do the good paths
# (each starts from empty lists); one needs a lab of its own (--max-entries).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

# Loaded (the file's shared lab), with one entry of every kind on the
# blocklist and one on the allowlist, and a snapshot to compare against.
seed() {
	xg_shared_lab || fail "xg-load failed"
	xg-block 198.18.0.5 198.18.4.0/24 2001:db8::5 2001:db8:4::/48 ||
		fail "seeding the blocklist failed"
	xg-allow 198.18.1.1 || fail "seeding the allowlist failed"
	xg_save_snapshot
}

# bad CODE MESSAGE ARGS...: xg-block ARGS exits CODE, prints exactly
# "xg-block: MESSAGE" on stderr and nothing on stdout, and changes nothing:
# after seed, both lists are as seeded; with no lab (a usage error, found
# before any map is opened), not even the pin directory was created.
bad() {
	local code=$1 msg=$2
	shift 2
	run -"$code" --separate-stderr xg-block "$@"
	assert_equal "$stderr" "xg-block: $msg"
	assert_equal "$output" ""
	if [[ -n ${XG_SNAP:-} ]]; then
		xg_assert_unchanged
	else
		xg_assert_no_pins
	fi
}

# ---- bad addresses -----------------------------------------------------

@test "bad address: IPv4 octet out of range" {
	bad 2 "invalid address '10.0.0.300'" 10.0.0.300
}

@test "bad address: three IPv4 parts" {
	bad 2 "invalid address '1.2.3'" 1.2.3
}

@test "bad address: IPv6 with a non-hex digit" {
	bad 2 "invalid address '::g'" ::g
}

@test "bad address: empty string" {
	bad 2 "invalid address ''" ''
}

@test "bad address: trailing space" {
	bad 2 "invalid address '10.0.0.1 '" '10.0.0.1 '
}

@test "bad address: leading space" {
	bad 2 "invalid address ' 10.0.0.1'" ' 10.0.0.1'
}

@test "bad address: slash without length" {
	bad 2 "invalid prefix length in '10.0.0.1/' (IPv4: 0-32)" 10.0.0.1/
}

@test "bad address: length without address" {
	bad 2 "invalid address '/24'" /24
}

@test "bad address: IPv4 prefix length 33" {
	bad 2 "invalid prefix length in '10.0.0.0/33' (IPv4: 0-32)" 10.0.0.0/33
}

@test "bad address: negative prefix length" {
	bad 2 "invalid prefix length in '10.0.0.0/-1' (IPv4: 0-32)" 10.0.0.0/-1
}

@test "bad address: prefix length with trailing garbage" {
	bad 2 "invalid prefix length in '10.0.0.0/8x' (IPv4: 0-32)" 10.0.0.0/8x
}

@test "bad address: IPv6 prefix length 129" {
	bad 2 "invalid prefix length in '2001:db8::/129' (IPv6: 0-128)" \
		2001:db8::/129
}

@test "bad address: IPv4 host bits set" {
	bad 2 "'10.0.0.5/8' has host bits set; did you mean 10.0.0.0/8?" \
		10.0.0.5/8
}

@test "bad address: IPv6 host bits set" {
	bad 2 "'2001:db8::1/32' has host bits set; did you mean 2001:db8::/32?" \
		2001:db8::1/32
}

@test "bad address: a hostname is not an address" {
	bad 2 "invalid address 'localhost'" localhost
}

@test "misspelt word is taken as an address" {
	bad 2 "invalid address 'lsit'" lsit
}

@test "misspelt word after add is an address" {
	bad 2 "invalid address 'flsh'" add flsh
}

@test "one bad address among good ones adds nothing" {
	seed
	bad 2 "invalid address '10.0.0.300'" 198.18.0.7 198.18.0.8 10.0.0.300
	run xg_list_addrs xg-block
	refute_line 198.18.0.7
}

@test "bad address in del deletes nothing" {
	seed
	bad 2 "invalid address '198.18.0.300'" del 198.18.0.5 198.18.0.300
}

@test "host bits set in del deletes nothing" {
	seed
	bad 2 "'198.18.4.1/24' has host bits set; did you mean 198.18.4.0/24?" \
		del 198.18.4.1/24
}

@test "bad address with -j: error object on stdout" {
	run -2 --separate-stderr xg-block -j 10.0.0.300
	assert_equal "$stderr" "xg-block: invalid address '10.0.0.300'"
	assert_equal "$(jq -r .error <<<"$output")" "invalid address '10.0.0.300'"
	assert_equal "$(jq -c 'keys' <<<"$output")" '["error"]'
	xg_assert_no_pins
}

# ---- options -----------------------------------------------------------

@test "unknown long option" {
	bad 2 "unknown option '--frobnicate'; see --help" --frobnicate 198.18.0.9
}

@test "unknown short option" {
	bad 2 "unknown option '-Z'; see --help" 198.18.0.9 -Z
}

@test "--timeout without a value" {
	bad 2 "option '--timeout' needs a value" 198.18.0.9 --timeout
}

@test "-t without a value" {
	bad 2 "option '-t' needs a value" 198.18.0.9 -t
}

@test "--pin-dir without a value" {
	bad 2 "option '--pin-dir' needs a value" list --pin-dir
}

@test "-f without a value" {
	bad 2 "option '-f' needs a value" -f
}

@test "--file without a value" {
	bad 2 "option '--file' needs a value" add --file
}

# ---- bad timeouts ------------------------------------------------------

@test "timeout: not a number" {
	bad 2 "invalid timeout 'abc' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 --timeout abc
}

@test "timeout: zero" {
	bad 2 "invalid timeout '0' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 --timeout 0
}

@test "timeout: negative" {
	bad 2 "invalid timeout '-5' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 --timeout -5
}

@test "timeout: unknown unit" {
	bad 2 "invalid timeout '5x' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 -t 5x
}

@test "timeout: years are not a unit" {
	bad 2 "invalid timeout '11y' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 -t 11y
}

@test "timeout: longer than 10 years" {
	bad 2 "invalid timeout '3653d' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 -t 3653d
}

@test "timeout: empty" {
	bad 2 "invalid timeout '' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 --timeout ''
}

@test "timeout: fraction" {
	bad 2 "invalid timeout '1.5h' (seconds, or a number with s, m, h or d)" \
		198.18.0.9 -t 1.5h
}

@test "timeout: 10 years (3650d) is accepted" {
	seed
	run -0 --separate-stderr xg-block 198.18.0.9 -t 3650d
	assert_equal "$stderr" ""
	run -0 xg-block list -j
	assert_equal "$(jq '.[] | select(.address == "198.18.0.9")
		| .expires_in > 315359000' <<<"$output")" true
}

@test "an IPv4-mapped IPv6 address is its IPv4 address" {
	seed
	run -0 --separate-stderr xg-block ::ffff:198.18.0.9 ::ffff:198.18.6.0/120
	assert_equal "$stderr" ""
	run -0 xg-block list -j
	assert_equal "$(jq -c '[.[] | .address] | map(select(test("^198.18.(0.9|6.0)")))' <<<"$output")" \
		'["198.18.0.9","198.18.6.0/24"]'
	assert_equal "$(jq '[.[] | select(.address | test("ffff"))] | length' <<<"$output")" 0
	run -0 xg-block del ::ffff:198.18.0.9
	run -0 xg-block list -j
	assert_equal "$(jq '[.[] | select(.address == "198.18.0.9")] | length' <<<"$output")" 0
}

# ---- missing and extra words -------------------------------------------

@test "no arguments: no address given" {
	bad 2 "no address given; see --help"
}

@test "add without address" {
	bad 2 "no address given; see --help" add
}

@test "del without address" {
	bad 2 "no address given; see --help" del
}

@test "only a timeout: no address given" {
	bad 2 "no address given; see --help" -t 60
}

@test "list takes no argument" {
	bad 2 "unexpected argument 'foo'; see --help" list foo
}

@test "flush takes no argument" {
	seed
	bad 2 "unexpected argument '198.18.0.5'; see --help" flush 198.18.0.5
}

# ---- batch files -------------------------------------------------------

@test "batch: bad line 3 adds nothing from lines 1-2" {
	seed
	printf '198.18.0.7\n198.18.7.0/24\n198.18.0.300\n198.18.0.8\n' >hosts.txt
	bad 2 "hosts.txt:3: invalid address '198.18.0.300'" -f hosts.txt
	run xg_list_addrs xg-block
	refute_line 198.18.0.7
	refute_line 198.18.7.0/24
}

@test "batch: comments and blank lines count as lines" {
	seed
	printf '# blocked hosts\n\n198.18.0.7\nbad-host\n' >hosts.txt
	bad 2 "hosts.txt:4: invalid address 'bad-host'" --file hosts.txt
}

@test "batch: host bits set on line 2" {
	seed
	printf '198.18.0.7\n198.18.7.1/24\n' >hosts.txt
	bad 2 "hosts.txt:2: '198.18.7.1/24' has host bits set; did you mean 198.18.7.0/24?" \
		add -f hosts.txt
}

@test "batch: prefix length error in a file given by path" {
	mkdir -p sub
	printf '2001:db8::/129\n' >sub/list
	bad 2 "sub/list:1: invalid prefix length in '2001:db8::/129' (IPv6: 0-128)" \
		-f sub/list
}

@test "batch: bad line on stdin is reported as <stdin>" {
	seed
	printf '198.18.0.7\nnope\n' >in.txt
	run -2 --separate-stderr xg-block -f - <in.txt
	assert_equal "$stderr" "xg-block: <stdin>:2: invalid address 'nope'"
	assert_equal "$output" ""
	xg_assert_unchanged
}

@test "batch: nonexistent file" {
	seed
	bad 1 "cannot open 'nosuch.txt': No such file or directory" -f nosuch.txt
}

@test "batch: nonexistent file for del" {
	seed
	bad 1 "cannot open 'nosuch.txt': No such file or directory" del -f nosuch.txt
}

@test "batch: bad timeout with a good file adds nothing" {
	seed
	printf '198.18.0.7\n' >hosts.txt
	bad 2 "invalid timeout '5x' (seconds, or a number with s, m, h or d)" \
		-f hosts.txt -t 5x
}

# ---- del of absent entries ---------------------------------------------

@test "del: one absent entry among present ones deletes nothing" {
	seed
	bad 1 "198.18.0.9 is not on the blocklist" del 198.18.0.5 198.18.0.9 2001:db8::5
}

@test "del: absent prefix" {
	seed
	bad 1 "198.18.9.0/24 is not on the blocklist" del 198.18.9.0/24
}

@test "del: absent IPv6 host" {
	seed
	bad 1 "2001:db8::9 is not on the blocklist" del 2001:db8::5 2001:db8::9
}

@test "del: a host covered by a prefix is not an entry" {
	seed
	bad 1 "198.18.4.7 is not on the blocklist" del 198.18.4.7
}

@test "del: an allowlist entry is not on the blocklist" {
	seed
	bad 1 "198.18.1.1 is not on the blocklist" del 198.18.1.1
}

@test "del: batch with an absent entry deletes nothing" {
	seed
	printf '198.18.0.5\n198.18.0.9\n' >del.txt
	bad 1 "198.18.0.9 is not on the blocklist" del -f del.txt
}

@test "del: absent entry with -j prints the error object" {
	seed
	run -1 --separate-stderr xg-block -j del 198.18.0.9
	assert_equal "$stderr" "xg-block: 198.18.0.9 is not on the blocklist"
	assert_equal "$(jq -r .error <<<"$output")" \
		"198.18.0.9 is not on the blocklist"
	xg_assert_unchanged
}

# ---- good paths --------------------------------------------------------

@test "empty list: header only, and [] in JSON" {
	xg_shared_lab
	run -0 --separate-stderr xg-block list
	assert_equal "$output" "$(xg_list_header)"
	assert_equal "$stderr" ""
	run -0 --separate-stderr xg-block list -j
	assert_equal "$(jq -c . <<<"$output")" "[]"
}

@test "add is silent; list shows the entry exactly" {
	xg_shared_lab
	run -0 --separate-stderr xg-block 198.18.0.5
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	run -0 xg-block list
	assert_equal "$output" "$(xg_list_header; xg_list_row 198.18.0.5 0 never manual)"
}

@test "list order: IPv4 hosts, IPv4 prefixes, IPv6 hosts, IPv6 prefixes" {
	xg_shared_lab
	xg-block 2001:db8:4::/48 198.18.4.0/24 2001:db8::5
	xg-block add 198.18.0.5
	run -0 xg-block list
	assert_equal "$output" "$(xg_list_header
		xg_list_row 198.18.0.5 0 never manual
		xg_list_row 198.18.4.0/24 0 never manual
		xg_list_row 2001:db8::5 0 never manual
		xg_list_row 2001:db8:4::/48 0 never manual)"
}

@test "list -j: schema, key order and types" {
	xg_shared_lab
	xg-block 198.18.0.5 198.18.4.0/24 2001:db8::5 2001:db8:4::/48
	xg-block 198.18.0.6 -t 300
	run -0 --separate-stderr xg-block list -j
	assert_equal "$stderr" ""
	local j=$output
	assert_equal "$(jq length <<<"$j")" 5
	assert_equal "$(jq -c '[.[] | keys_unsorted] | unique' <<<"$j")" \
		'[["address","family","prefix_len","hits","expires_in","auto","origin"]]'
	assert_equal "$(jq -c '[.[] | [(.address|type), (.family|type),
		(.prefix_len|type), (.hits|type), (.auto|type)]] | unique' <<<"$j")" \
		'[["string","string","number","number","boolean"]]'
	assert_equal "$(jq -c 'map(select(.address == "198.18.4.0/24"))[0]' <<<"$j")" \
		'{"address":"198.18.4.0/24","family":"ipv4","prefix_len":24,"hits":0,"expires_in":null,"auto":false,"origin":"manual"}'
	assert_equal "$(jq -c 'map(select(.address == "198.18.0.5"))[0]' <<<"$j")" \
		'{"address":"198.18.0.5","family":"ipv4","prefix_len":32,"hits":0,"expires_in":null,"auto":false,"origin":"manual"}'
	assert_equal "$(jq -c 'map(select(.address == "2001:db8::5"))[0]' <<<"$j")" \
		'{"address":"2001:db8::5","family":"ipv6","prefix_len":128,"hits":0,"expires_in":null,"auto":false,"origin":"manual"}'
	assert_equal "$(jq -c 'map(select(.address == "2001:db8:4::/48"))[0]' <<<"$j")" \
		'{"address":"2001:db8:4::/48","family":"ipv6","prefix_len":48,"hits":0,"expires_in":null,"auto":false,"origin":"manual"}'
	assert_equal "$(jq '.[] | select(.address == "198.18.0.6")
		| (.expires_in | type == "number" and . > 295 and . <= 300)' <<<"$j")" true
}

@test "JSON results of add, del and flush" {
	xg_shared_lab
	run -0 --separate-stderr xg-block -j 198.18.0.5 198.18.0.6 198.18.4.0/24
	assert_equal "$(jq -c . <<<"$output")" '{"added":3}'
	run -0 --separate-stderr xg-block del -j 198.18.0.6
	assert_equal "$(jq -c . <<<"$output")" '{"deleted":1}'
	run -0 --separate-stderr xg-block flush --json
	assert_equal "$(jq -c . <<<"$output")" '{"flushed":2}'
	assert_equal "$stderr" ""
}

@test "add, del and flush round trip with IPv4 and IPv6" {
	xg_shared_lab
	xg-block add 198.18.0.5 198.18.4.0/24 2001:db8::5 2001:db8:4::/48
	run xg_list_addrs xg-block
	assert_output "$(printf '%s\n' 198.18.0.5 198.18.4.0/24 2001:db8:4::/48 \
		2001:db8::5 | sort)"
	run -0 --separate-stderr xg-block del 198.18.4.0/24 2001:db8::5
	assert_equal "$output" ""
	assert_equal "$stderr" ""
	run xg_list_addrs xg-block
	assert_output "$(printf '%s\n' 198.18.0.5 2001:db8:4::/48 | sort)"
	run -0 --separate-stderr xg-block flush
	assert_equal "$output" ""
	run -0 xg-block list -j
	assert_equal "$(jq -c . <<<"$output")" "[]"
}

@test "flush empties the blocklist only" {
	xg_shared_lab
	xg-block 198.18.0.5 2001:db8:4::/48
	xg-allow 198.18.1.1
	xg-block flush
	run -0 xg-block list -j
	assert_equal "$(jq length <<<"$output")" 0
	run -0 xg-allow list -j
	assert_equal "$(jq -c 'map(.address)' <<<"$output")" '["198.18.1.1"]'
}

@test "explicit /32 and /128 are hosts" {
	xg_shared_lab
	xg-block 198.18.0.5/32 2001:db8::5/128
	run -0 xg-block list -j
	assert_equal "$(jq -c 'map([.address, .prefix_len])' <<<"$output")" \
		'[["198.18.0.5",32],["2001:db8::5",128]]'
	xg-block del 198.18.0.5 2001:db8::5/128
	run -0 xg-block list -j
	assert_equal "$(jq length <<<"$output")" 0
}

@test "IPv6 addresses are shown in canonical form" {
	xg_shared_lab
	xg-block 2001:DB8:0:0::5 2001:0db8:0004:0000::/48
	run -0 xg-block list -j
	assert_equal "$(jq -c 'map(.address)' <<<"$output")" \
		'["2001:db8::5","2001:db8:4::/48"]'
	run -0 xg-block del 2001:db8::5 2001:db8:4::/48
}

@test "prefix length 0 is a valid prefix" {
	xg_shared_lab
	xg-block 0.0.0.0/0 ::/0
	run -0 xg-block list -j
	assert_equal "$(jq -c 'map([.address, .prefix_len])' <<<"$output")" \
		'[["0.0.0.0/0",0],["::/0",0]]'
}

@test "timeouts: seconds, s, m, h and d show in list" {
	xg_shared_lab
	xg-block 198.18.0.1 --timeout 45
	xg-block 198.18.0.2 --timeout 90s
	xg-block 198.18.0.3 -t 2m
	xg-block 198.18.0.4 -t 1h
	xg-block 198.18.0.5 -t 1d
	xg-block 198.18.0.6
	run -0 xg-block list -j
	local j=$output a want got
	for a in 1:45 2:90 3:120 4:3600 5:86400; do
		want=${a#*:}
		got=$(jq ".[] | select(.address == \"198.18.0.${a%%:*}\") | .expires_in" <<<"$j")
		((got <= want && got >= want - 5)) ||
			fail "198.18.0.${a%%:*}: expires_in $got, want about $want"
	done
	assert_equal "$(jq '.[] | select(.address == "198.18.0.6") | .expires_in' <<<"$j")" null
	run -0 xg-block list
	assert_line --regexp '^198\.18\.0\.1 +0 +(4[0-5])s  manual$'
	assert_line --regexp '^198\.18\.0\.4 +0 +(3[56][0-9][0-9])s  manual$'
	assert_line "$(xg_list_row 198.18.0.6 0 never manual)"
}

@test "re-adding changes the expiry both ways" {
	xg_shared_lab
	xg-block 198.18.0.5 -t 1h
	run -0 xg-block list -j
	assert_equal "$(jq '.[0].expires_in > 3590' <<<"$output")" true
	xg-block 198.18.0.5
	run -0 xg-block list -j
	assert_equal "$(jq '.[0].expires_in' <<<"$output")" null
	xg-block add 198.18.0.5 --timeout 10m
	run -0 xg-block list -j
	assert_equal "$(jq '.[0].expires_in | . > 590 and . <= 600' <<<"$output")" true
	assert_equal "$(jq length <<<"$output")" 1
}

@test "options may come before the words" {
	xg_shared_lab
	run -0 xg-block -t 60 add 198.18.0.5
	run -0 xg-block -j list
	assert_equal "$(jq '.[0].expires_in <= 60 and .[0].expires_in > 55' <<<"$output")" true
	run -0 xg-block --pin-dir "$XDPGUARD_PIN_DIR" -j del 198.18.0.5
	assert_equal "$(jq -c . <<<"$output")" '{"deleted":1}'
}

@test "batch: file with comments, blank lines and a timeout" {
	xg_shared_lab
	printf '# web scanners\n198.18.0.7\n\n198.18.7.0/24\n2001:db8:7::/48\n' >hosts.txt
	run -0 --separate-stderr xg-block -f hosts.txt -t 1h -j
	assert_equal "$(jq -c . <<<"$output")" '{"added":3}'
	run xg_list_addrs xg-block
	assert_output "$(printf '%s\n' 198.18.0.7 198.18.7.0/24 2001:db8:7::/48 | sort)"
	run -0 xg-block list -j
	assert_equal "$(jq '[.[].expires_in > 3590] | all' <<<"$output")" true
}

@test "batch: from stdin with -f -" {
	xg_shared_lab
	run -0 --separate-stderr xg-block add -f - < <(printf '198.18.0.7\n2001:db8::7\n')
	assert_equal "$stderr" ""
	run xg_list_addrs xg-block
	assert_output "$(printf '%s\n' 198.18.0.7 2001:db8::7 | sort)"
}

@test "batch: del -f removes every line" {
	xg_shared_lab
	xg-block 198.18.0.5 198.18.0.6 198.18.4.0/24
	printf '198.18.0.5\n# keep .6\n198.18.4.0/24\n' >del.txt
	run -0 --separate-stderr xg-block del -f del.txt
	assert_equal "$stderr" ""
	run xg_list_addrs xg-block
	assert_output 198.18.0.6
}

@test "list is full: exit 1 with the limit in the message" {
	xg_load_lab --max-entries 2
	xg-block 198.18.0.1 198.18.0.2
	run -1 --separate-stderr xg-block 198.18.0.3
	assert_regex "$stderr" "^xg-block: list is full \(2 entries\); run xg-load --max-entries"
	assert_equal "${#lines[@]}" 0
	run xg_list_addrs xg-block
	refute_line 198.18.0.3
}

@test "option forms: --timeout=N, -tN, --file=FILE" {
	xg_shared_lab
	printf '198.18.0.7\n' >hosts.txt
	run -0 xg-block 198.18.0.5 --timeout=120
	run -0 xg-block 198.18.0.6 -t2m
	run -0 xg-block --file=hosts.txt
	run -0 xg-block list -j
	assert_equal "$(jq -c 'map([.address, (.expires_in // 0 | . > 100)])
		| sort' <<<"$output")" \
		'[["198.18.0.5",true],["198.18.0.6",true],["198.18.0.7",false]]'
}

@test "batch: 1000 lines in one file" {
	xg_shared_lab
	local i
	for ((i = 0; i < 1000; i++)); do
		echo "198.19.$((i / 250)).$((i % 250 + 1))"
	done >big.txt
	run -0 --separate-stderr xg-block -j -f big.txt
	assert_equal "$(jq -c . <<<"$output")" '{"added":1000}'
	assert_equal "$(xg-stats -j | jq .lists.blocklist.hosts_ipv4)" 1000
	run -0 xg-block -j del -f big.txt
	assert_equal "$(jq -c . <<<"$output")" '{"deleted":1000}'
}

@test "concurrent writers all succeed (the pin dir lock)" {
	xg_shared_lab
	local i pids=()
	for ((i = 1; i <= 8; i++)); do
		xg-block "198.18.9.$i" 2>"err.$i" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i" || fail "a writer failed: $(cat err.*)"
	done
	assert_equal "$(xg-block list -j | jq length)" 8
}

@test "an expired entry is gone: list drops it, del does not find it" {
	xg_shared_lab
	xg-block 198.18.0.5 198.18.0.6 -t 1
	xg-block 198.18.0.7
	sleep 2.2
	run -1 --separate-stderr xg-block del 198.18.0.5
	assert_equal "$stderr" "xg-block: 198.18.0.5 is not on the blocklist"
	run -0 xg-block list -j
	assert_equal "$(jq -c 'map(.address)' <<<"$output")" '["198.18.0.7"]'
}

# ---- automatic bans ----------------------------------------------------

# An automatic ban as the program writes it: hits 0, flags XG_E_AUTO, the
# given expiry (ns on CLOCK_BOOTTIME, as 8 little-endian bytes).
put_auto() {
	local map=$1 key=$2 exp=$3 bytes i
	bytes=$(for ((i = 0; i < 8; i++)); do
		printf '%d ' $(((exp >> (8 * i)) & 255)); done)
	bpftool map update pinned "$XDPGUARD_PIN_DIR/$map" key $key \
		value 0 0 0 0 0 0 0 0 $bytes 1 0 0 0 0 0 0 0
}

# Now on CLOCK_BOOTTIME in ns, as far as /proc/uptime (1/100 s) tells.
boot_ns() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000000000 + 10#${up#*.} * 10000000))
}

@test "automatic bans: FLAGS auto, \"auto\":true, expiry counts down" {
	xg_shared_lab
	local exp=$(($(boot_ns) + 300 * 1000000000))
	put_auto xg_block4 "198 18 0 9" "$exp"
	put_auto xg_block6p "64 0 0 0 0x20 0x01 0x0d 0xb8 0 1 0 0 0 0 0 0 0 0 0 0" "$exp"
	xg-block 198.18.0.5
	run -0 xg-block list
	assert_equal "${lines[0]}" "$(xg_list_header)"
	assert_equal "${lines[1]}" "$(xg_list_row 198.18.0.5 0 never manual)"
	assert_regex "${lines[2]}" "^198\.18\.0\.9 +0 +(29[0-9]|300)s  auto\$"
	assert_regex "${lines[3]}" "^2001:db8:1::/64 +0 +(29[0-9]|300)s  auto\$"
	run -0 xg-block list -j
	assert_equal "$(jq -c '[.[] | [.address, .auto]]' <<<"$output")" \
		'[["198.18.0.5",false],["198.18.0.9",true],["2001:db8:1::/64",true]]'
}

@test "automatic bans: add makes an ordinary entry, del lifts one" {
	xg_shared_lab
	put_auto xg_block4 "198 18 0 9" 0
	put_auto xg_block6p "64 0 0 0 0x20 0x01 0x0d 0xb8 0 1 0 0 0 0 0 0 0 0 0 0" 0
	assert_equal "$(xg-stats -j | jq .bans)" 2
	xg-block 198.18.0.9 -t 1h
	run -0 xg-block list -j
	assert_equal "$(jq -c '.[] | select(.address == "198.18.0.9") | .auto' <<<"$output")" false
	assert_equal "$(xg-stats -j | jq .bans)" 1
	xg-block del 2001:db8:1::/64
	assert_equal "$(xg-stats -j | jq .bans)" 0
	assert_equal "$(xg_list_addrs xg-block)" 198.18.0.9
}

@test "automatic bans: an expired one is removed like any entry" {
	xg_shared_lab
	put_auto xg_block4 "198 18 0 9" $(($(boot_ns) - 1000000000))
	assert_equal "$(xg-stats -j | jq .bans)" 0
	run -0 xg-block list
	assert_equal "$output" "$(xg_list_header)"
	assert_equal "$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_block4" -j | jq length)" 0
}

@test "the lists bits of xg_state follow the maps" {
	xg_shared_lab
	local bits
	bits() {
		bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
			jq '.[0].formatted.value.lists'
	}
	assert_equal "$(bits)" 0
	xg-block 198.18.0.5 2001:db8::/32
	assert_equal "$(bits)" $((16 | 128))
	xg-allow 198.18.1.0/24
	assert_equal "$(bits)" $((16 | 128 | 4))
	xg-block del 198.18.0.5
	assert_equal "$(bits)" $((128 | 4))
	xg-block flush
	xg-allow flush
	assert_equal "$(bits)" 0
}

# pfx_bit N24: 1 if the xg_pfx bit of the IPv4 /24 number N24 (the
# address >> 8) is set: the bit is a hash of the /24 (xg_pfx4_bit() in
# xg_abi.h), read byte by byte from its 64-bit word.
pfx_bit() {
	local bit=$(((($1 * 0x9e3779b1) & 0xffffffff) >> 12)) byte
	byte=$(bpftool map lookup pinned "$XDPGUARD_PIN_DIR/xg_pfx" \
		key $(printf '%d %d %d %d' $((bit >> 6 & 255)) \
			$((bit >> 14 & 255)) 0 0) -j |
		jq -r ".value[$((bit >> 3 & 7))]")
	echo $(((byte >> (bit & 7)) & 1))
}

# pfx_bits N24...: the bits of those /24s, in a row.
pfx_bits() {
	local n out=

	for n in "$@"; do
		out+=$(pfx_bit "$n")
	done
	echo "$out"
}

@test "xg_pfx: the /24s of the prefixes of both lists, rebuilt on every change" {
	xg_shared_lab
	# 198.18.0-5.0/24 are /24s 0xc61200-0xc61205; their bits differ
	local n0=$((0xc61200)) n4=$((0xc61204)) n5=$((0xc61205))
	assert_equal "$(pfx_bits $n0 $((n0 + 1)) $((n0 + 2)) $((n0 + 3)) $n4 $n5)" 000000
	xg-block 198.18.4.0/24
	assert_equal "$(pfx_bits $n0 $((n0 + 1)) $((n0 + 2)) $((n0 + 3)) $n4 $n5)" 000010
	xg-allow 198.18.0.0/22
	assert_equal "$(pfx_bits $n0 $((n0 + 1)) $((n0 + 2)) $((n0 + 3)) $n4 $n5)" 111110
	# a host entry is no prefix: its /24 stays clear
	xg-block 198.18.5.1
	assert_equal "$(pfx_bits $n0 $((n0 + 1)) $((n0 + 2)) $((n0 + 3)) $n4 $n5)" 111110
	xg-block del 198.18.4.0/24
	assert_equal "$(pfx_bits $n0 $((n0 + 1)) $((n0 + 2)) $((n0 + 3)) $n4 $n5)" 111100
	# a /16 sets the bits of its 256 /24s
	xg-block 198.18.0.0/16
	assert_equal "$(pfx_bits $n4 $n5 $((n0 + 128)) $((n0 + 255)))" 1111
	xg-block flush
	xg-allow flush
	assert_equal "$(pfx_bits $n0 $n4 $n5 $((n0 + 255)))" 0000
}

@test "origins: --origin tags, list filters by it, auto and manual" {
	xg_shared_lab
	xg-block 198.18.0.5
	xg-block --origin f2b-sshd 198.18.0.9 2001:db8::9 -t 1h
	put_auto xg_block4 "198 18 0 7" 0
	run -0 xg-block list
	assert_equal "${lines[0]}" "$(xg_list_header)"
	assert_line "$(xg_list_row 198.18.0.5 0 never manual)"
	assert_line "$(xg_list_row 198.18.0.7 0 never auto)"
	assert_regex "$output" "198\.18\.0\.9 +0 +(359[0-9]|3600)s  f2b-sshd"
	assert_equal "$(xg-block list -j --origin f2b-sshd | jq -c '[.[] | [.address, .origin]]')" \
		'[["198.18.0.9","f2b-sshd"],["2001:db8::9","f2b-sshd"]]'
	assert_equal "$(xg-block list -j --origin manual | jq -c '[.[].address]')" '["198.18.0.5"]'
	assert_equal "$(xg-block list -j --origin auto | jq -c '[.[].address]')" '["198.18.0.7"]'
	assert_equal "$(xg-block list -j --origin nobody)" '[]'
	# a later add owns the entry
	xg-block --origin crowdsec 198.18.0.5
	assert_equal "$(xg-block list -j --origin crowdsec | jq -c '[.[].address]')" '["198.18.0.5"]'
	# del and flush --origin take that origin's entries only
	run -1 --separate-stderr xg-block del --origin f2b-sshd 198.18.0.5
	assert_equal "$stderr" "xg-block: 198.18.0.5 is not on the blocklist with origin f2b-sshd"
	run -0 xg-block del -j --origin f2b-sshd 2001:db8::9
	assert_equal "$output" '{"deleted":1}'
	run -0 xg-block flush -j --origin f2b-sshd
	assert_equal "$output" '{"flushed":1}'
	assert_equal "$(xg_list_addrs xg-block | tr '\n' ' ')" "198.18.0.5 198.18.0.7 "
	# the origin's name is in the pinned table
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_origins" -j | grep -q crowdsec ||
		fail "crowdsec not in xg_origins"
}

@test "origins: -f reads FireHOL netsets and Spamhaus DROP as they are; --sync replaces one origin" {
	xg_shared_lab
	local feed=$BATS_TEST_TMPDIR/feed
	xg-block 198.18.9.9
	xg-block --origin f2b-sshd 198.18.2.7
	printf '%s\n' '#' '# FireHOL netset' '#' '198.18.1.0/24' '198.18.2.7' \
		'198.18.3.3 ; SBL256894' '2001:db8:5::/48 ; SBL1' '' >"$feed"
	run -0 xg-block -j -f "$feed" --origin spamhaus --sync
	assert_equal "$output" '{"synced":3,"deleted":0,"other_origin":1}'
	assert_equal "$(xg-block list -j --origin spamhaus | jq -r '.[].address' | sort | tr '\n' ' ')" \
		"198.18.1.0/24 198.18.3.3 2001:db8:5::/48 "
	# 198.18.2.7 stays fail2ban's
	assert_equal "$(xg-block list -j --origin f2b-sshd | jq -c '[.[].address]')" '["198.18.2.7"]'
	# the next refresh: one gone, one new, CRLF line ends
	printf '198.18.1.0/24\r\n198.18.4.4 ; SBL9\r\n' >"$feed"
	run -0 xg-block -j -f "$feed" --origin spamhaus --sync
	assert_equal "$output" '{"synced":2,"deleted":2,"other_origin":0}'
	assert_equal "$(xg-block list -j --origin spamhaus | jq -r '.[].address' | sort | tr '\n' ' ')" \
		"198.18.1.0/24 198.18.4.4 "
	assert_equal "$(xg-block list -j | jq length)" 4
	# a bad line anywhere: nothing changes
	local before
	before=$(xg-block list -j)
	printf '198.18.7.7\n198.18.300.1 ; SBL2\n' >"$feed"
	run -2 --separate-stderr xg-block -f "$feed" --origin spamhaus --sync
	assert_regex "$stderr" "^xg-block: $feed:2: "
	assert_equal "$(xg-block list -j)" "$before"
	# an empty feed empties the origin
	: >"$feed"
	run -0 xg-block -j -f "$feed" --origin spamhaus --sync
	assert_equal "$output" '{"synced":0,"deleted":2,"other_origin":0}'
	assert_equal "$(xg-block list -j --origin spamhaus)" '[]'
}

@test "origins: bad names and --sync without its parts change nothing" {
	xg_shared_lab
	xg-block 198.18.0.5
	xg_save_snapshot
	local n
	for n in Bad -x "" "a b" f2b/ssh "$(printf 'a%.0s' {1..32})"; do
		run -2 --separate-stderr xg-block --origin "$n" 198.18.0.6
		assert_regex "$stderr" "^xg-block: invalid origin '"
	done
	run -2 --separate-stderr xg-block --origin auto 198.18.0.6
	assert_equal "$stderr" "xg-block: origin 'auto' is the program's own bans; name another"
	run -2 --separate-stderr xg-block --sync --origin x 198.18.0.6
	assert_equal "$stderr" "xg-block: option '--sync' needs -f FILE and --origin NAME, and no addresses besides"
	run -2 --separate-stderr xg-block --sync -f /dev/null
	assert_equal "$stderr" "xg-block: option '--sync' needs -f FILE and --origin NAME, and no addresses besides"
	run -2 --separate-stderr xg-block del --sync -f /dev/null --origin x
	assert_equal "$stderr" "xg-block: option '--sync' does not apply to del; see --help"
	xg_assert_unchanged
}
