#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-save: usage errors, the layout of the file (header, load lines, every
# setting, rules with ids in check order, both lists with the time left,
# the end line), lines that the tools themselves take, and -o: atomic,
# mode 0600, nothing left behind on a failure.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

bad() {
	local code=$1 msg=$2
	shift 2
	run -"$code" --separate-stderr xg-save "$@"
	assert_equal "$stderr" "xg-save: $msg"
	assert_equal "$output" ""
}

@test "usage errors touch nothing" {
	bad 2 "unexpected argument 'x'; see --help" x
	bad 2 "no file given to --output" -o ''
	bad 2 "unknown option '--frob'; see --help" --frob
	xg_assert_no_pins
}

@test "not loaded" {
	bad 1 "xdpguard is not loaded; run xg-load IFACE first"
}

@test "the defaults: header, the load line, every setting, the end line" {
	xg_shared_lab
	run -0 xg-save
	assert_line -n 0 --regexp "^# xdpguard-save 1 abi [0-9]+ [0-9T:.-]+Z$"
	assert_line -n 1 "load $XG_IF@$XG_NS --mode native --max-entries 65536 --track 32768 --feature-ring 262144 --pass-malformed"
	assert_equal "$(grep -c '^threshold ' <<<"$output")" 21
	assert_line -n 2 "threshold syn 200 --burst 400"
	assert_line "threshold features off"
	assert_line "threshold features sample 1/1"
	assert_line "threshold ban 300 --factor 4 --after 10"
	assert_line "threshold v6-prefix 64"
	assert_line "threshold portscan off"
	assert_line -n 21 "threshold syn-cookies off"
	assert_line -n 22 "threshold syn-cookies timestamps off"
	assert_equal "${lines[-1]}" "# end"
	assert_equal "${#lines[@]}" 24
}

@test "rules in check order with their ids, entries with the time left" {
	xg_shared_lab
	xg-rule add prio 20 proto udp dport 53 rate 100/200 per-source ban 60
	xg-rule add prio 10 proto tcp dport 22,80 flags syn drop
	xg-rule add prio 30 drop
	xg-rule del 1
	xg-rule add prio 40 src 198.18.0.0/16 pass
	xg-block add 198.18.0.7 2001:db8::/48
	xg-block add 198.18.4.0/24 -t 1h
	xg-allow add 198.18.9.9 -t 90
	xg-block add 198.18.5.5 --origin spamhaus
	xg-block add 198.18.6.6 -t 60 --origin f2b-sshd
	run -0 xg-save
	assert_equal "$(sed -n '/^rule\|^allow\|^block/p' <<<"$output")" \
"rule add id 2 prio 10 proto tcp dport 22,80 flags syn drop
rule add id 3 prio 30 drop
rule add id 4 prio 40 src 198.18.0.0/16 pass
allow add 198.18.9.9 -t 90
block add 198.18.0.7
block add 198.18.5.5 --origin spamhaus
block add 198.18.6.6 -t 60 --origin f2b-sshd
block add 198.18.4.0/24 -t 3600
block add 2001:db8::/48"
}

@test "threshold, allow and block lines are the tools' own commands" {
	xg_shared_lab
	xg-threshold syn 123 -b 7
	xg-threshold portscan 20/60s ban 30
	xg-threshold features 500/900
	xg-threshold features sample 1/8
	xg-threshold syn-cookies on port 80,443 --no-sysctl
	xg-threshold syn-cookies auto port 8000-8099,9000 --no-sysctl
	xg-block add 198.18.0.0/24 -t 1h
	xg-allow add 198.18.1.1
	xg-save >saved
	before=$(xg-threshold -j)
	xg-threshold syn 5
	xg-threshold portscan off
	xg-threshold features off
	xg-threshold features sample off
	xg-threshold syn-cookies off
	xg-block flush
	xg-allow flush
	while read -r tool words; do
		# shellcheck disable=SC2086 # the words of one command
		"xg-$tool" $words >/dev/null
	done < <(grep -E '^(threshold|allow|block) ' saved | sed 's/^threshold syn-cookies .*/& --no-sysctl/')
	assert_equal "$(xg-threshold -j)" "$before"
	assert_equal "$(xg-save | sed 1d)" "$(sed 1d saved)"
}

@test "-o writes atomically, mode 0600, and replaces the file" {
	xg_shared_lab
	echo old >state
	ino=$(stat -c %i state)
	run -0 xg-save -o state
	assert_output ""
	[[ $(stat -c %i state) != "$ino" ]] || fail "not renamed over"
	assert_equal "$(stat -c %a state)" 600
	assert_equal "$(tail -1 state)" "# end"
	assert_equal "$(ls)" state
	xg-save -o - | sed 1d | diff - <(sed 1d state)
}

@test "-o into a directory that is not there" {
	xg_shared_lab
	bad 1 "cannot write nodir/state: No such file or directory" -o nodir/state
}
