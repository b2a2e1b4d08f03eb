#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# contrib/bash-completion/xdpguard: sourced here and driven as bash drives
# it (COMP_WORDS, COMP_CWORD, COMP_LINE), for each tool's words, option
# values and live state (interfaces, namespaces, guarded interfaces, list
# entries, rule ids); and kept in step with --help: the long options a tool
# prints are exactly the ones its completion offers.

bats_require_minimum_version 1.5.0
load '../lib/common'

COMPLETION=$BATS_TEST_DIRNAME/../../contrib/bash-completion/xdpguard
# shellcheck source=../../contrib/bash-completion/xdpguard
source "$COMPLETION"

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

# comp WORD...: completes the last WORD (may be ''), as bash would after
# typing the line; prints COMPREPLY, one per line.
comp() {
	local spec f
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	# as bash: the spec of the command as typed, else of its basename
	spec=$(complete -p "$1" 2>/dev/null || complete -p "${1##*/}") ||
		return 1
	f=${spec#*-F }
	f=${f%% *}
	COMPREPLY=()
	"$f" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	printf '%s\n' "${COMPREPLY[@]}"
}

# expect "WORD..." LINE...: completing LINE offers exactly WORDs (any order).
expect() {
	local want=$1 got
	shift
	got=$(comp "$@" | sort | xargs)
	assert_equal "$got" "$(printf '%s\n' $want | sort | xargs)"
}

# The long options offered after '--' in each context (words before it).
offered() {
	local tool=$1 ctx
	shift
	for ctx in "$@"; do
		# shellcheck disable=SC2086 # the context's words
		comp "$tool" $ctx --
	done | sort -u
}

# check_help TOOL CONTEXT...: the long options of TOOL --help and those its
# completion offers are the same set.
check_help() {
	local tool=$1 help comp_opts
	shift
	[[ -x $XG_BUILD/$tool ]] || skip "$tool is not built"
	run --separate-stderr "$XG_BUILD/$tool" --help
	assert_success
	help=$(grep -o -- '--[a-z][a-z0-9-]*' <<<"$output" | sort -u | xargs)
	comp_opts=$(offered "$tool" "$@" | xargs)
	[[ -n $help ]] || fail "$tool --help printed no long option"
	assert_equal "$comp_opts" "$help"
}

@test "every tool has a completion" {
	local t
	for t in xg-load xg-unload xg-block xg-allow xg-stats xg-threshold \
		xg-events xg-rule xg-features xg-save xg-restore; do
		complete -p "$t" >/dev/null || fail "no completion for $t"
	done
	# and every tool make builds
	for t in "$XG_BUILD"/xg-*; do
		[[ ${t##*/} == xg-gen ]] && continue
		complete -p "${t##*/}" >/dev/null ||
			fail "no completion for ${t##*/}"
	done
}

@test "--help and completion: xg-load" { check_help xg-load ""; }
@test "--help and completion: xg-unload" { check_help xg-unload ""; }
@test "--help and completion: xg-block" {
	check_help xg-block "" add del list flush
}
@test "--help and completion: xg-allow" {
	check_help xg-allow "" add del list flush
}
@test "--help and completion: xg-stats" { check_help xg-stats ""; }
@test "--help and completion: xg-threshold" { check_help xg-threshold ""; }
@test "--help and completion: xg-events" { check_help xg-events ""; }
@test "--help and completion: xg-features" { check_help xg-features ""; }
@test "--help and completion: xg-rule" {
	check_help xg-rule "" add del list flush
}
@test "--help and completion: xg-save" { check_help xg-save ""; }
@test "--help and completion: xg-restore" { check_help xg-restore ""; }

@test "an option the installed tool does not print is not offered" {
	mkdir bin
	printf '#!/bin/sh\necho "  -j, --json  JSON"; echo "  -h, --help"\n' >bin/xg-stats
	chmod +x bin/xg-stats
	expect "--json --help" "$PWD/bin/xg-stats" --
	# a tool that prints no help: every option
	printf '#!/bin/sh\nexit 1\n' >bin/xg-stats
	expect "--prometheus" "$PWD/bin/xg-stats" --pr
}

@test "xg-events --reason: the reasons of --help" {
	local help
	help=$("$XG_BUILD/xg-events" --help | tr '\n' ' ' |
		sed 's/.*only these reasons (repeatable)://; s/--pin-dir.*//' |
		tr -d ',' | xargs)
	[[ -n $help ]] || fail "no reasons in xg-events --help"
	expect "$help" xg-events --reason ''
	expect "rule_drop rule_rate" xg-events --reason rul
	expect "malformed,rule_drop malformed,rule_rate" \
		xg-events --reason malformed,rule_
	# a reason given is not offered again
	expect "rate_syn,rate_udp rate_syn,rate_icmp rate_syn,rate_frag" \
		xg-events --reason rate_syn,rate
	expect "--reason=rule_drop --reason=rule_rate" xg-events --reason=rul
}

@test "xg-load: modes, options, --opt=value" {
	expect "native skb offload" xg-load --mode ''
	expect "skb" xg-load -m s
	expect "skb" xg-load --mode = s
	expect "native skb offload" xg-load --mode =
	expect "--max-entries" xg-load --max
	expect "--drop-malformed" xg-load --dr
	expect "" xg-load --track ''
}

@test "xg-load: the host's interfaces, namespaces after @ and with -n" {
	local ifs
	ifs=$(ls /sys/class/net | xargs)
	expect "$ifs" xg-load ''
	expect "$ifs" xg-load --mode skb ''
	expect "lo" xg-load l
	# one operand only
	expect "" xg-load lo ''
	xg_make_ns "$XG_NS"
	expect "$XG_IF@$XG_NS" xg-load "$XG_IF@${XG_NS:0:${#XG_NS}-2}"
	expect "lo $XG_IF $XG_PEER" xg-load -n "$XG_NS" ''
	expect "$XG_NS" xg-load --netns "${XG_NS:0:${#XG_NS}-1}"
}

@test "xg-unload, xg-stats -i, xg-events -i: the guarded interfaces" {
	xg_shared_lab
	expect "$XG_IF@$XG_NS" xg-unload ''
	expect "$XG_IF" xg-unload -n "$XG_NS" ''
	expect "$XG_IF" xg-unload --netns = "$XG_NS" ''
	expect "" xg-unload --all ''
	expect "--all" xg-unload --a
	# xg-stats -i takes the namespace from -n only
	expect "" xg-stats -i ''
	expect "$XG_IF" xg-stats -n "$XG_NS" -i ''
	expect "$XG_IF@$XG_NS" xg-events -i ''
	expect "$XG_IF@$XG_NS" xg-features --interface ''
	# --pin-dir on the line is the one asked
	local pins=$XDPGUARD_PIN_DIR
	unset XDPGUARD_PIN_DIR
	expect "" xg-unload ''
	expect "$XG_IF@$XG_NS" xg-unload --pin-dir "$pins" ''
	expect "$XG_IF@$XG_NS" xg-unload --pin-dir = "$pins" ''
}

@test "xg-unload: nothing loaded, nothing offered" {
	expect "" xg-unload ''
	xg_assert_no_pins
}

@test "xg-block, xg-allow: words, options per word, files" {
	local t
	for t in xg-block xg-allow; do
		expect "add del list flush" $t ''
		expect "" $t flush ''
		expect "--file" $t del --f
		expect "--json" $t list --j
		expect "--timeout" $t add --t
		expect "--sync" $t --s
		expect "60s 10m 1h 1d" $t 198.18.0.1 -t ''
	done
	touch feed.netset feed.txt
	expect "feed.netset feed.txt" xg-block -f fe
	expect "-" xg-block -f -
	expect "feed.netset" xg-block --origin spamhaus --sync --file = feed.n
	expect "- feed.netset feed.txt" xg-block --file =
	# the same where COMP_WORDBREAKS has no '='
	expect "--file=feed.netset" xg-block --origin spamhaus --file=feed.n
	expect "--mode=skb" xg-load --mode=s
	expect "manual" xg-block --origin man
	expect "spamhaus" xg-block list --origin sp
}

@test "xg-block del, xg-allow del: the entries of the list" {
	xg_shared_lab
	xg-block 198.18.0.0/24 198.18.5.5 2001:db8::/48
	xg-allow 198.19.1.1
	expect "198.18.0.0/24 198.18.5.5 2001:db8::/48" xg-block del ''
	expect "198.18.5.5" xg-block del 198.18.5
	expect "198.19.1.1" xg-allow del ''
	# bash's word starts after the last ':' of an IPv6 address
	COMP_WORDBREAKS=$' \t\n"\'><=;|&(:'
	local words=(xg-block del 2001 : db8 :)
	COMP_WORDS=("${words[@]}")
	COMP_CWORD=5
	COMP_LINE="xg-block del 2001:db8:"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_xg_list xg-block : :
	assert_equal "${COMPREPLY[*]}" ":/48"
	COMP_LINE="xg-block del 2001:d"
	COMP_POINT=${#COMP_LINE}
	COMP_WORDS=(xg-block del 2001 : d)
	COMP_CWORD=4
	COMPREPLY=()
	_xg_list xg-block d :
	assert_equal "${COMPREPLY[*]}" "db8::/48"
}

@test "xg-threshold: settings, off, sample, ban's options" {
	expect "syn syn-new syn-global udp udp-new udp-global icmp icmp-new
		icmp-global frag frag-new frag-global events monitor features
		ban v6-prefix portscan syn-cookies" xg-threshold ''
	expect "syn syn-new syn-global syn-cookies" xg-threshold sy
	expect "off auto on timestamps" xg-threshold syn-cookies ''
	expect "on off" xg-threshold syn-cookies timestamps ''
	expect "port" xg-threshold syn-cookies on ''
	expect "" xg-threshold syn-cookies on port ''
	expect "--no-sysctl" xg-threshold syn-cookies auto --no
	expect "" xg-threshold syn-cookies auto --b
	expect "off" xg-threshold syn-global ''
	expect "off sample" xg-threshold features ''
	expect "off" xg-threshold features sample ''
	expect "ban" xg-threshold portscan 20/5s ''
	expect "" xg-threshold portscan off ''
	expect "" xg-threshold ban ''
	expect "--factor" xg-threshold ban 600 --f
	expect "--burst" xg-threshold udp 100 --b
	expect "" xg-threshold udp 100 --f
}

@test "xg-rule: words, matches, values, actions" {
	expect "add del list flush" xg-rule ''
	expect "prio proto dst src dport sport flags icmp-type len ttl frag
		!frag drop pass monitor rate" xg-rule add ''
	expect "tcp udp icmp icmpv6" xg-rule add proto ''
	expect "" xg-rule add prio ''
	expect "proto" xg-rule add prio 5 pro
	# a match given is not offered again; the protocol rules some out
	expect "dst src sport flags len ttl frag !frag drop pass monitor rate" \
		xg-rule add proto tcp dport 22 ''
	expect "code dst src len ttl frag !frag drop pass monitor rate" \
		xg-rule add proto icmp icmp-type 8 ''
	expect "dst src dport sport len ttl drop pass monitor rate" \
		xg-rule add proto udp frag ''
	expect "syn,ack" xg-rule add proto tcp flags syn,a
	expect "total per-source ban" xg-rule add proto tcp rate 100/200 ''
	expect "ban" xg-rule add proto tcp rate 100 per-source ''
	expect "ban" xg-rule add src 198.18.0.0/15 drop ''
	expect "" xg-rule add pass ''
	expect "" xg-rule add drop ban 60 ''
	expect "drop" xg-rule add dr
	touch rules.txt
	expect "rules.txt" xg-rule -f ru
	expect "--json --pin-dir --verbose --version --help" xg-rule list --
}

@test "xg-rule del: the rule ids and priorities" {
	xg_shared_lab
	xg-rule add prio 7 proto tcp dport 22 drop >/dev/null
	xg-rule add prio 9 proto udp drop >/dev/null
	local ids
	ids=$(xg-rule list -j | jq -r '.[].id' | xargs)
	expect "prio $ids" xg-rule del ''
	expect "7 9" xg-rule del prio ''
	expect "" xg-rule del 1 ''
}

@test "xg-stats, xg-features: options and their values" {
	expect "--prometheus" xg-stats --pr
	expect "--watch" xg-stats --wa
	mkdir out.d
	expect "out.d" xg-features --out-dir ou
	touch sock
	expect "sock" xg-features --unix-socket so
	expect "" xg-features --keep ''
}

@test "xg-save, xg-restore: files" {
	touch state state.old
	expect "state state.old" xg-restore st
	expect "- state state.old" xg-restore ''
	expect "" xg-restore state ''
	expect "--flush" xg-restore --fl
	expect "--no-sysctl" xg-restore --no
	expect "state state.old" xg-save --output st
}

@test "--pin-dir completes directories" {
	mkdir pins.d
	local t
	for t in xg-load xg-unload xg-block xg-stats xg-threshold xg-events \
		xg-rule xg-features xg-restore; do
		expect "pins.d" $t --pin-dir pi
	done
}
