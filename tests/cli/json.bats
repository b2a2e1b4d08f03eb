#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# -j everywhere: every command's output parsed by jq in every state (nothing
# loaded, loaded with empty lists, with entries, after errors), with the keys
# and types that xdpguard(7), JSON OUTPUT, documents.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

NOT_LOADED="xdpguard is not loaded; run xg-load IFACE first"

# json_ok FILTER: $output is one line of JSON for which FILTER is true.
json_ok() {
	assert_equal "${#lines[@]}" 1
	jq -e "$1" <<<"$output" >/dev/null ||
		fail "jq -e '$1' is not true of: $output"
}

# json_err CODE MESSAGE CMD...: exit CODE, stdout exactly the error object,
# stderr the usual line.
json_err() {
	local code=$1 msg=$2
	shift 2
	run -"$code" --separate-stderr "$@"
	assert_equal "$stderr" "$1: $msg"
	assert_equal "$output" "$(jq -cn --arg m "$msg" '{error: $m}')"
	json_ok 'keys == ["error"] and (.error | type) == "string"'
}

# The schemas, as jq predicates.
LOAD_KEYS='keys_unsorted == ["interface","netns","ifindex","mode","link_id","slot","replaced","atomics","syn_cookies"]
	and (.interface | type) == "string"
	and (.netns | type | IN("string", "null"))
	and (.ifindex | type) == "number" and .ifindex > 0
	and (.mode | IN("native", "skb", "offload"))
	and (.link_id | type) == "number" and .link_id > 0
	and (.slot | type) == "number" and .slot >= 1 and .slot <= 32
	and (.replaced | type) == "boolean"
	and (.atomics | type) == "boolean"'
UNLOAD_KEYS='keys == ["detached"] and (.detached | type) == "array"
	and all(.detached[]; keys_unsorted == ["interface","netns"]
		and (.interface | type) == "string"
		and (.netns | type | IN("string", "null")))'
ENTRY_KEYS='type == "array" and all(.[];
	keys_unsorted == ["address","family","prefix_len","hits","expires_in","auto","origin"]
	and (.address | type) == "string"
	and (.family | IN("ipv4", "ipv6"))
	and (.prefix_len | type) == "number"
	and (.hits | type) == "number"
	and (.expires_in | type | IN("number", "null"))
	and (.auto | type) == "boolean")'
LIMIT='keys == ["burst","rate"] and ([.[] | type] | unique) == ["number"]'
THRESHOLD_KEYS='keys_unsorted == ["limits","events","monitor","features","ban","v6_prefix","portscan","drop_malformed","syn_cookies"]
	and (.limits | keys == ["frag","frag_global","frag_new","icmp","icmp_global","icmp_new","syn","syn_global","syn_new","udp","udp_global","udp_new"])
	and all(.limits[]; '"$LIMIT"')
	and (.events | '"$LIMIT"')
	and (.ban | keys == ["after","factor","seconds"]
		and ([.[] | type] | unique) == ["number"])
	and (.v6_prefix | type) == "number"
	and (.drop_malformed | type) == "boolean"
	and (.syn_cookies | keys_unsorted == ["enabled","on","auto",
		"timestamps","window_scale"]
		and ([.enabled, .timestamps] | map(type) | unique) == ["boolean"]
		and ([.on, .auto] | map(type) | unique) == ["string"]
		and (.window_scale | type) == "number")'
COUNTER='keys == ["bytes","packets"] and ([.[] | type] | unique) == ["number"]'
STATS_KEYS='(.version | type) == "string" and (.abi | type) == "number"
	and (.pin_dir | type) == "string"
	and (.interfaces | type) == "array"
	and all(.interfaces[]; (.interface | type) == "string"
		and (.netns | type | IN("string", "null"))
		and (.slot | type) == "number")
	and (.lists | keys == ["allowlist","blocklist"])
	and (.counters | keys == ["icmp","non_ip","other_ip","tcp","udp"])
	and all(.counters[][]; '"$COUNTER"')
	and (.total.packets | type) == "number"
	and (.syn_cookies | keys_unsorted == ["sent","bad","acks_valid",
		"fallback","no_listener","unsupported","engaged"])
	and (.attack.syn_cookies | type) == "boolean"'

# ---- nothing loaded ------------------------------------------------------

@test "nothing loaded: every command prints the error object" {
	local t
	for t in xg-block xg-allow; do
		json_err 1 "$NOT_LOADED" "$t" -j list
		json_err 1 "$NOT_LOADED" "$t" -j 198.18.0.5
		json_err 1 "$NOT_LOADED" "$t" add -j 2001:db8::5 -t 1h
		json_err 1 "$NOT_LOADED" "$t" del -j 198.18.0.5
		json_err 1 "$NOT_LOADED" "$t" flush --json
	done
	json_err 1 "$NOT_LOADED" xg-stats -j
	json_err 1 "$NOT_LOADED" xg-stats -j --top 5
	json_err 1 "$NOT_LOADED" xg-threshold -j
	json_err 1 "$NOT_LOADED" xg-threshold -j syn 100
	json_err 1 "$NOT_LOADED" xg-unload -j --all
	json_err 1 "$NOT_LOADED" xg-unload -j -n "$XG_NS" "$XG_IF"
	json_err 1 "$NOT_LOADED" xg-events -j -c 1
	json_err 1 "network namespace '$XG_NS-x' not found" \
		xg-load -j -n "$XG_NS-x" nosuch0
	xg_assert_no_pins
}

@test "usage errors: the error object and exit 2, before anything else" {
	json_err 2 "no interface given; see --help" xg-load -j
	json_err 2 "invalid mode 'turbo' (native, skb or offload)" \
		xg-load -j -m turbo "$XG_IF"
	json_err 2 "--all takes no interface" xg-unload --all -j "$XG_IF"
	json_err 2 "invalid address '10.0.0.300'" xg-block -j 10.0.0.300
	json_err 2 "no address given; see --help" xg-allow del -j
	json_err 2 "unexpected argument '198.18.0.5'; see --help" \
		xg-block list 198.18.0.5 -j
	json_err 2 "option '--timeout' does not apply to del; see --help" \
		xg-block del -t 5 198.18.0.5 -j
	json_err 2 "unknown setting 'x'; see --help" xg-threshold -j x 5
	json_err 2 "--prometheus cannot be combined with --json or --watch" \
		xg-stats -j --prometheus
	json_err 2 "unknown option '--frobnicate'; see --help" xg-events -j --frobnicate
	xg_assert_no_pins
}

@test "-V -j: every tool prints a version object" {
	local t ABI
	ABI=$(sed -nE 's/^#define XG_ABI_VERSION ([0-9]+).*/\1/p' \
		"$BATS_TEST_DIRNAME/../../common/xg_abi.h")
	[[ -n $ABI ]] || fail "no XG_ABI_VERSION in xg_abi.h"
	for t in xg-load xg-unload xg-block xg-allow xg-stats xg-threshold xg-events; do
		run -0 --separate-stderr "$t" -V -j
		assert_equal "$stderr" ""
		json_ok '. == {tool: "'"$t"'", version: "0.1.0", abi: '"$ABI"',
			       libbpf: .libbpf} and (.libbpf | test("^[0-9]+\\.[0-9]+$"))'
		run -0 "$t" --json --version
		json_ok '.tool == "'"$t"'"'
	done
}

# ---- xg-load and xg-unload ---------------------------------------------

@test "xg-load -j and xg-unload -j: documented keys and types" {
	xg_make_ns
	run -0 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF"
	json_ok "$LOAD_KEYS"' and .replaced == false and .slot == 1'
	run -0 --separate-stderr xg-load -j -n "$XG_NS" "$XG_IF" --force
	json_ok "$LOAD_KEYS"' and .replaced == true and .slot == 1'
	json_err 1 "$XG_IF is already guarded; use --force to replace the program" \
		xg-load -j -n "$XG_NS" "$XG_IF"
	run -0 --separate-stderr xg-unload -j -n "$XG_NS" "$XG_IF"
	json_ok "$UNLOAD_KEYS"' and .detached == [{interface: "'"$XG_IF"'",
		netns: "'"$XG_NS"'"}]'
	json_err 1 "$XG_IF is not guarded" xg-unload -j -n "$XG_NS" "$XG_IF"
	run -0 --separate-stderr xg-unload -j --all
	json_ok "$UNLOAD_KEYS"' and .detached == []'
}

@test "names that need escaping stay valid JSON" {
	local ns=$XG_NS-q\"b\\s-é-$'\xe9'
	xg_make_ns "$ns"
	run -0 --separate-stderr xg-load -j -n "$ns" "$XG_IF"
	json_ok "$LOAD_KEYS"
	# the byte that is not UTF-8 becomes U+FFFD, the rest is kept
	assert_equal "$(jq -r .netns <<<"$output")" "$XG_NS-q\"b\\s-é-"$'\uFFFD'
	run -0 xg-stats -j
	json_ok '.interfaces[0].netns == "'"$XG_NS"'-q\"b\\s-é-\ufffd"'
	run -0 --separate-stderr xg-unload -j --all
	json_ok "$UNLOAD_KEYS"' and .detached[0].netns == "'"$XG_NS"'-q\"b\\s-é-\ufffd"'
}

# ---- lists -------------------------------------------------------------

@test "lists, empty: list is [], counts are objects with a number" {
	xg_shared_lab
	local t
	for t in xg-block xg-allow; do
		run -0 --separate-stderr "$t" list -j
		assert_equal "$output$stderr" "[]"
		run -0 "$t" flush -j
		assert_equal "$output" '{"flushed":0}'
		json_ok 'keys == ["flushed"] and (.flushed | type) == "number"'
	done
}

@test "lists, with entries: add, list, del and flush objects" {
	xg_shared_lab
	local t
	for t in xg-block xg-allow; do
		run -0 --separate-stderr "$t" -j 198.18.0.5 198.18.4.0/24 198.18.0.5
		assert_equal "$output" '{"added":2}'
		run -0 "$t" add -j 2001:db8::5 2001:db8:1::/48 -t 1h
		assert_equal "$output" '{"added":2}'
		run -0 "$t" list -j
		json_ok "$ENTRY_KEYS"' and length == 4'
		json_ok '[.[] | [.address, .family, .prefix_len, .hits,
				(.expires_in | type), .auto]] ==
			[["198.18.0.5", "ipv4", 32, 0, "null", false],
			 ["198.18.4.0/24", "ipv4", 24, 0, "null", false],
			 ["2001:db8::5", "ipv6", 128, 0, "number", false],
			 ["2001:db8:1::/48", "ipv6", 48, 0, "number", false]]'
		json_ok '.[2].expires_in > 3500 and .[2].expires_in <= 3600'
		run -0 "$t" del -j 198.18.0.5 2001:db8::5
		assert_equal "$output" '{"deleted":2}'
		run -0 "$t" flush -j
		assert_equal "$output" '{"flushed":2}'
		run -0 "$t" list -j
		assert_equal "$output" "[]"
	done
}

@test "lists, after errors: the error object, then the list is unchanged" {
	xg_load_lab --max-entries 2
	run -0 xg-block -j 198.18.0.1 198.18.0.2
	json_err 1 "198.18.0.9 is not on the blocklist" xg-block del -j 198.18.0.1 198.18.0.9
	json_err 1 "list is full (2 entries); run xg-load --max-entries with a larger number" \
		xg-block -j 198.18.0.3
	printf '198.18.0.7\nnonsense\n' >batch.txt
	json_err 2 "batch.txt:2: invalid address 'nonsense'" xg-block -j -f batch.txt
	json_err 1 "cannot open 'nofile.txt': No such file or directory" \
		xg-allow -j -f nofile.txt
	run -0 xg-block list -j
	json_ok "$ENTRY_KEYS"' and ([.[].address] == ["198.18.0.1", "198.18.0.2"])'
}

# ---- xg-threshold and xg-stats -----------------------------------------

@test "xg-threshold -j: show and every change print the settings object" {
	xg_shared_lab
	run -0 --separate-stderr xg-threshold -j
	json_ok "$THRESHOLD_KEYS"
	run -0 xg-threshold -j syn 100 -b 150
	json_ok "$THRESHOLD_KEYS"' and .limits.syn == {rate: 100, burst: 150}'
	run -0 xg-threshold -j udp off
	json_ok "$THRESHOLD_KEYS"' and .limits.udp.rate == 0'
	run -0 xg-threshold -j events 50
	json_ok "$THRESHOLD_KEYS"' and .events == {rate: 50, burst: 100}'
	run -0 xg-threshold -j ban 60 --factor 3 --after 5
	json_ok "$THRESHOLD_KEYS"' and .ban == {seconds: 60, factor: 3, after: 5}'
	run -0 xg-threshold -j v6-prefix 48
	json_ok "$THRESHOLD_KEYS"' and .v6_prefix == 48'
	run -0 xg-threshold -j syn-cookies auto port 80,8000-8099 --no-sysctl
	json_ok "$THRESHOLD_KEYS"' and .syn_cookies == {enabled: true, on: "", auto: "80,8000-8099", timestamps: false, window_scale: 0}'
	run -0 xg-threshold -j syn-cookies off
	json_ok "$THRESHOLD_KEYS"' and .syn_cookies.enabled == false'
	json_err 2 "reversed range '9-8'" xg-threshold -j syn-cookies on port 9-8
	json_err 2 "invalid rate 'x' (1-100000000 packets/s, or off)" \
		xg-threshold -j syn x
	run -0 xg-threshold -j
	json_ok '.limits.syn.rate == 100'
}

@test "xg-stats -j: valid when guarded, with -i and --top, and with nothing guarded" {
	xg_load_lab
	run -0 --separate-stderr xg-stats -j
	json_ok "$STATS_KEYS"' and (.interfaces | length) == 1'
	run -0 xg-stats -j -i "$XG_IF" --netns "$XG_NS"
	json_ok "$STATS_KEYS"' and .interfaces[0].interface == "'"$XG_IF"'"'
	run -0 xg-stats -j --top 3
	json_ok "$STATS_KEYS"' and .top_sources == [] and .top_entries == []
		and .top_rules == []'
	json_err 1 "nosuch0 is not guarded" xg-stats -j -i nosuch0
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	run -0 xg-stats -j
	json_ok "$STATS_KEYS"' and .interfaces == []'
}
