#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-rule grammar: every bad input exits with the right status and one exact
# stderr line and changes nothing; add, del, list, flush and -f round-trip
# against a loaded program, and the compiled maps follow. Usage errors run
# with no lab; the rest share the file's lab (each test starts without rules).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

# Loaded, with two rules, and their listing to compare against.
seed() {
	xg_shared_lab || fail "xg-load failed"
	xg-rule add prio 10 proto tcp dport 22 drop &&
		xg-rule add prio 20 proto udp rate 100 ||
		fail "seeding the rules failed"
	XG_RSNAP=$(xg-rule list -j) || fail "cannot list the rules"
}

# bad CODE MESSAGE ARGS...: xg-rule ARGS exits CODE, prints exactly
# "xg-rule: MESSAGE" on stderr and nothing on stdout, and changes nothing:
# after seed the rules are as seeded; with no lab, no pin dir was created.
bad() {
	local code=$1 msg=$2
	shift 2
	run -"$code" --separate-stderr xg-rule "$@"
	assert_equal "$stderr" "xg-rule: $msg"
	assert_equal "$output" ""
	if [[ -n ${XG_RSNAP:-} ]]; then
		assert_equal "$(xg-rule list -j)" "$XG_RSNAP"
	else
		xg_assert_no_pins
	fi
}

# rule WORDS...: what `list` shows of the one rule added with WORDS.
rule_text() {
	xg-rule flush >/dev/null && xg-rule add "$@" >/dev/null &&
		xg-rule list | sed -n '2s/^ *[0-9]* *[0-9]* *[0-9]*  //p'
}

# ---- grammar, without a lab -------------------------------------------

@test "no command" { bad 2 "no command given; see --help"; }
@test "unknown command" { bad 2 "unknown command 'foo'; see --help" foo; }
@test "add without a rule" { bad 2 "no rule given; see --help" add; }
@test "unknown word" {
	bad 2 "unknown word 'frob'; see --help" add proto tcp frob drop
}
@test "no action" {
	bad 2 "no action (drop, pass, monitor or rate RATE)" add proto tcp
}
@test "words after the action" {
	bad 2 "unexpected 'x' after the action" add proto tcp drop x
}
@test "a match given twice" {
	bad 2 "'dport' given twice" add proto tcp dport 1 dport 2 drop
}
@test "a match without its value" { bad 2 "'dport' needs a value" add dport; }
@test "bad protocol" {
	bad 2 "invalid protocol 'x' (tcp, udp, icmp, icmpv6 or 0-255)" \
		add proto x drop
}
@test "protocol 256" {
	bad 2 "invalid protocol '256' (tcp, udp, icmp, icmpv6 or 0-255)" \
		add proto 256 drop
}
@test "reversed port range" {
	bad 2 "reversed range '90-80'" add proto tcp dport 90-80 drop
}
@test "port over 65535" {
	bad 2 "invalid port '65536' (N or MIN-MAX, 0-65535)" \
		add proto udp dport 65536 drop
}
@test "nine port ranges" {
	bad 2 "more than 8 port ranges in '1,2,3,4,5,6,7,8,9'" \
		add proto udp dport 1,2,3,4,5,6,7,8,9 drop
}
@test "empty item in a port list" {
	bad 2 "invalid port list '1,,2'" add proto udp dport 1,,2 drop
}
@test "sport takes one range" {
	bad 2 "sport takes one port or range, not '1,2'" \
		add proto tcp sport 1,2 drop
}
@test "dport without tcp or udp" {
	bad 2 "dport needs proto tcp or udp" add dport 22 drop
}
@test "sport with icmp" {
	bad 2 "sport needs proto tcp or udp" add proto icmp sport 1 drop
}
@test "flags without tcp" {
	bad 2 "flags needs proto tcp" add proto udp flags syn drop
}
@test "a flag both set and clear" {
	bad 2 "flags 'syn,!syn' cannot match: a flag is both set and clear" \
		add proto tcp flags syn,!syn drop
}
@test "a flag set outside the mask" {
	bad 2 "flags 'syn,ack/syn' cannot match: a flag set is not in the mask" \
		add proto tcp flags syn,ack/syn drop
}
@test "unknown flag" {
	bad 2 "invalid TCP flag 'foo' (fin, syn, rst, psh, ack, urg, ece, cwr)" \
		add proto tcp flags syn,foo drop
}
@test "icmp-type without icmp" {
	bad 2 "icmp-type needs proto icmp or icmpv6" add icmp-type 8 drop
}
@test "icmp type 256" {
	bad 2 "invalid ICMP type '256' (0-255)" add proto icmp icmp-type 256 drop
}
@test "ttl over 255" {
	bad 2 "invalid TTL '1-256' (N or MIN-MAX, 0-255)" add ttl 1-256 drop
}
@test "reversed length range" {
	bad 2 "reversed range '100-50'" add len 100-50 drop
}
@test "frag with a port" {
	bad 2 "frag cannot match: a later fragment has no ports, flags or ICMP type" \
		add proto tcp dport 80 frag drop
}
@test "frag and !frag" {
	bad 2 "'frag' and '!frag' cannot both match" add frag !frag drop
}
@test "IPv4 and IPv6 mixed" {
	bad 2 "a rule cannot mix IPv4 and IPv6 (addresses or icmp/icmpv6)" \
		add src 198.18.0.1 dst 2001:db8::1 drop
}
@test "icmp to an IPv6 address" {
	bad 2 "a rule cannot mix IPv4 and IPv6 (addresses or icmp/icmpv6)" \
		add proto icmp dst 2001:db8::1 drop
}
@test "bad address" {
	bad 2 "invalid address '198.18.0.300'" add dst 198.18.0.300 drop
}
@test "host bits set" {
	bad 2 "'198.18.0.1/24' has host bits set; did you mean 198.18.0.0/24?" \
		add dst 198.18.0.1/24 drop
}
@test "priority 0" { bad 2 "invalid priority '0' (1-65535)" add prio 0 drop; }
@test "prio after a match" {
	bad 2 "'prio' comes first" add proto tcp prio 5 drop
}
@test "rate 0" {
	bad 2 "invalid rate '0' (1-100000000 packets/s)" add proto udp rate 0
}
@test "rate with a bad burst" {
	bad 2 "invalid burst 'x' (1-1000000000)" add proto udp rate 10/x
}
@test "per-source after the ban" {
	bad 2 "unexpected 'per-source' after the action" \
		add proto udp rate 10 ban 60 per-source
}
@test "ban on a pass rule" {
	bad 2 "'ban' applies to drop and rate rules only" add pass ban 60
}
@test "ban on a monitor rule" {
	bad 2 "'ban' applies to drop and rate rules only" add monitor ban 60
}
@test "ban without its time" { bad 2 "'ban' needs a value" add drop ban; }
@test "ban 0" {
	bad 2 "invalid ban time '0' (1-31536000 seconds)" add drop ban 0
}
@test "ban over a year" {
	bad 2 "invalid ban time '31536001' (1-31536000 seconds)" \
		add proto udp rate 10 per-source ban 31536001
}
@test "words after the ban" {
	bad 2 "unexpected 'x' after the action" add drop ban 60 x
}
@test "del without an id" { bad 2 "del takes one ID, or prio N; see --help" del; }
@test "del with a bad id" { bad 2 "invalid rule id 'x'" del x; }
@test "list takes no argument" {
	bad 2 "unexpected argument 'x'; see --help" list x
}
@test "-f with a command" {
	bad 2 "option '--file' takes no other arguments; see --help" -f x add
}
@test "a file with one bad line names it, without a lab" {
	printf 'proto tcp dport 22 drop\n# ok\nproto tcp dport 99999 drop\n' >r.txt
	bad 2 "r.txt:3: invalid port '99999' (N or MIN-MAX, 0-65535)" -f r.txt
}
@test "a file line that is not a change" {
	printf 'list\n' >r.txt
	bad 2 "r.txt:1: 'list' is not a change" -f r.txt
}
@test "-j: a usage error is JSON too" {
	run -2 --separate-stderr xg-rule -j add bogus
	assert_equal "$output" '{"error":"unknown word '\''bogus'\''; see --help"}'
}

# ---- against a loaded program -------------------------------------------

@test "not loaded" {
	bad 1 "xdpguard is not loaded; run xg-load IFACE first" list
}

@test "duplicate priority: exit 2, nothing changed" {
	seed
	bad 2 "priority 10 is taken by rule 1" add prio 10 proto udp drop
}

@test "a file with a duplicate priority changes nothing" {
	seed
	printf 'prio 5 proto udp dport 1 drop\nprio 5 proto udp dport 2 drop\n' >r.txt
	bad 2 "r.txt:2: priority 5 is taken by rule 3" -f r.txt
}

@test "a file with one bad line changes nothing" {
	seed
	printf 'flush\nproto tcp dport 1 drop\nproto tcp dport 2-1 drop\n' >r.txt
	bad 2 "r.txt:3: reversed range '2-1'" -f r.txt
}

@test "del of a missing rule: exit 1, nothing changed" {
	seed
	bad 1 "no rule with id 9" del 9
	bad 1 "no rule with priority 99" del prio 99
}

@test "too many candidates: exit 1, nothing changed" {
	seed
	for i in $(seq 1 17); do echo "proto tcp dport 80 drop"; done >r.txt
	bad 1 "tcp port 80: more than 16 rules could match one packet" -f r.txt
}

@test "the rules round-trip through list" {
	xg_shared_lab || fail "xg-load failed"
	local r
	for r in "proto tcp dport 22,80,443 flags syn/syn,ack pass" \
		 "proto tcp flags syn,ack drop" \
		 "proto tcp dport !22,80,443 flags syn/syn,ack drop" \
		 "proto tcp sport 1024-65535 drop" \
		 "proto udp dport 0,1,65535 rate 10/20 total" \
		 "proto udp dport 53 rate 10/20 per-source ban 60" \
		 "proto tcp dport 23 drop ban 31536000" \
		 "proto udp rate 1/1 total ban 1" \
		 "proto icmp icmp-type 8 code 0 drop" \
		 "proto icmpv6 icmp-type 128 monitor" \
		 "proto 47 src 198.18.0.0/16 frag drop" \
		 "dst 2001:db8::/32 len 0-100 ttl 1-64 !frag drop" \
		 "src 198.18.0.7 pass" \
		 "any drop"; do
		[[ $r == "any drop" ]] && set -- drop || set -- $r
		run rule_text "$@"
		assert_output "$r"
	done
	# the default burst is 2 x RATE; 6 is tcp
	run rule_text proto 6 dport 9 rate 7
	assert_output "proto tcp dport 9 rate 7/14 total"
	run rule_text proto udp rate 7 per-source
	assert_output "proto udp rate 7/14 per-source"
	# the negation wherever proto stands
	run rule_text dport '!53' proto udp drop
	assert_output "proto udp dport !53 drop"
}

@test "list -j shows the rate's scope and the ban" {
	xg_shared_lab || fail "xg-load failed"
	xg-rule add proto udp dport 53 rate 10/20 per-source ban 60 &&
		xg-rule add proto tcp dport 23 drop ban 300 &&
		xg-rule add proto udp rate 5 || fail "adding the rules failed"
	run -0 xg-rule list -j
	assert_equal "$(jq -c '[.[] | [.match, .action, .rate, .ban]]' <<<"$output")" \
		'[["proto udp dport 53","rate",{"rate":10,"burst":20,"scope":"per-source"},60],["proto tcp dport 23","drop",null,300],["proto udp","rate",{"rate":5,"burst":10,"scope":"total"},null]]'
	# compiled: XG_RM_PER_SOURCE (8192) and ban_secs, in the bank in force
	run -0 bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_state"
	local bank
	bank=$(jq '.[0].formatted.value | .cfg[.cfg_slot % 2].rule_bank' <<<"$output")
	run -0 bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_rules"
	assert_equal "$(jq -c --argjson b "$bank" '[.[$b * 1024:][:3][].formatted.value | [(.match / 8192 | floor % 2), .ban_secs]]' <<<"$output")" \
		'[[1,60],[0,300],[0,0]]'
}

@test "add, list, del and flush, and the maps follow" {
	xg_shared_lab || fail "xg-load failed"
	run -0 xg-rule -j add proto tcp dport 22 drop
	assert_output '{"added":1,"ids":[1]}'
	run -0 xg-rule -j add prio 5 proto udp dport 53 pass
	assert_output '{"added":1,"ids":[2]}'
	run -0 xg-rule list -j
	assert_equal "$(jq -c '[.[] | [.id, .prio, .match, .action, .hits]]' <<<"$output")" \
		'[[1,1,"proto tcp dport 22","drop",0],[2,5,"proto udp dport 53","pass",0]]'
	run -0 xg-rule list
	assert_line -n 0 "    ID   PRIO         HITS  RULE"
	assert_line -n 1 "     1      1            0  proto tcp dport 22 drop"
	assert_line -n 2 "     2      5            0  proto udp dport 53 pass"
	# compiled in check order into the bank in force, each rule with its
	# own slot; the list bit (XG_L_RULES, 256) is set
	run -0 bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_state"
	assert_equal "$(jq '.[0].formatted.value.lists' <<<"$output")" 256
	local bank
	bank=$(jq '.[0].formatted.value | .cfg[.cfg_slot % 2].rule_bank' <<<"$output")
	run -0 bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_rules"
	assert_equal "$(jq -c --argjson b "$bank" '[.[$b * 1024:][:2][].formatted.value | [.id, .action, .prio, .slot]]' <<<"$output")" \
		'[[1,0,1,0],[2,1,5,1]]'
	run -0 xg-rule -j del prio 5
	assert_output '{"deleted":1}'
	run -0 xg-rule -j add proto udp drop
	assert_output '{"added":1,"ids":[2]}'
	run -0 xg-rule -j del 1
	run -0 xg-rule -j flush
	assert_output '{"flushed":1}'
	run -0 xg-rule list -j
	assert_output '[]'
	run -0 bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_state"
	assert_equal "$(jq '.[0].formatted.value.lists' <<<"$output")" 0
}

@test "-f applies a whole file in order" {
	seed
	printf '# replace\nflush\nprio 3 proto tcp dport 80 drop\n\nadd proto udp pass  # c\ndel prio 3\n' >r.txt
	run -0 xg-rule -j -f r.txt
	assert_output '{"added":2,"ids":[3,4],"deleted":3}'
	run -0 xg-rule list -j
	assert_equal "$(jq -c '[.[] | [.id, .prio, .match]]' <<<"$output")" \
		'[[4,4,"proto udp"]]'
	run -0 xg-rule -f - <<<"flush"
	assert_equal "$(xg-rule list -j)" "[]"
}

@test "1024 rules from a file, and no more" {
	xg_shared_lab || fail "xg-load failed"
	for i in $(seq 1000 2023); do echo "proto udp dport $i drop"; done >r.txt
	run -0 xg-rule -f r.txt
	assert_equal "$(xg-rule list -j | jq length)" 1024
	run -1 --separate-stderr xg-rule add proto udp dport 2 drop
	assert_equal "$stderr" "xg-rule: too many rules (at most 1024)"
	xg-rule flush
}

@test "a rule keeps its slot and its hits; each change flips the bank" {
	xg_shared_lab || fail "xg-load failed"
	local bank0 bank1 hits
	xg-rule add prio 10 proto tcp dport 22 drop || fail "add failed"
	bank0=$(bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_state" |
		jq '.[0].formatted.value | .cfg[.cfg_slot % 2].rule_bank')
	# 3 packets of 100 bytes on every CPU, on the rule's slot (0)
	bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_rhits" key 0 0 0 0 \
		value 3 0 0 0 0 0 0 0 100 0 0 0 0 0 0 0
	hits=$(xg-rule list -j | jq '.[0].hits')
	[[ $hits -gt 0 ]] || fail "no hits read: $hits"
	# added before it, deleted and added in one file: new slots (1, 2)
	printf 'prio 5 proto udp drop\nprio 7 proto udp dport 1 drop\ndel prio 7\nprio 7 proto udp dport 2 drop\n' >r.txt
	xg-rule -f r.txt || fail "-f failed"
	bank1=$(bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_state" |
		jq '.[0].formatted.value | .cfg[.cfg_slot % 2].rule_bank')
	assert_equal "$bank1" "$((1 - bank0))"
	run -0 xg-rule list -j
	assert_equal "$(jq -c '[.[] | [.prio, .hits]]' <<<"$output")" \
		"[[5,0],[7,0],[10,$hits]]"
	run -0 bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_rules"
	assert_equal "$(jq -c --argjson b "$bank1" '[.[$b * 1024:][:3][].formatted.value | [.prio, .slot]]' <<<"$output")" \
		'[[5,1],[7,3],[10,0]]'
}

@test "the rules survive xg-load --force and xg-unload IFACE + xg-load, and stay in force" {
	xg_load_lab
	xg-rule add proto tcp dport 22 drop
	xg-rule add proto udp dport 53 rate 10/20 per-source ban 60
	local want lists
	want=$(xg-rule list -j | jq -c 'map(del(.hits, .bytes))')
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force
	assert_equal "$(xg-rule list -j | jq -c 'map(del(.hits, .bytes))')" "$want"
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	assert_equal "$(xg-rule list -j | jq -c 'map(del(.hits, .bytes))')" "$want"
	run -0 xg-load -n "$XG_NS" "$XG_IF"
	assert_equal "$(xg-rule list -j | jq -c 'map(del(.hits, .bytes))')" "$want"
	# the program still sees them: the rules' list bit is set, and the
	# bank in force holds the two rules in their order
	local st bank
	st=$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j)
	lists=$(jq '.[0].formatted.value.lists' <<<"$st")
	((lists & 256)) || fail "XG_L_RULES is not set: lists $lists"
	bank=$(jq '.[0].formatted.value | .cfg[.cfg_slot].rule_bank' <<<"$st")
	run -0 bpftool -j map dump pinned "$XDPGUARD_PIN_DIR/xg_rules"
	assert_equal "$(jq -c --argjson b "$bank" \
		'[.[$b * 1024:][:2][].formatted.value.action]' <<<"$output")" \
		'[0,3]'
}
