#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-restore: usage errors, every bad input (exit 2, FILE:LINE: why, and
# nothing changed), the round trip through xg-unload --all, --flush,
# --dry-run, --load, a conflict with the state and a failure half-way
# (the state before comes back).

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

ABI=$(sed -n 's/^#define XG_ABI_VERSION \([0-9]*\)$/\1/p' \
	"$BATS_TEST_DIRNAME/../../common/xg_abi.h")
HDR="# xdpguard-save 1 abi $ABI 2026-01-01T00:00:00.000000Z"

# The state without the header's date, and the seconds left as "T".
state() {
	xg-save | sed -e 1d -e 's/ -t [0-9]*/ -t T/'
}

# bad LINE MESSAGE TEXT: a file of TEXT is refused with exit 2, "f:LINE:
# MESSAGE", and the state does not change.
bad() {
	local line=$1 msg=$2 before
	printf '%s' "$3" >f
	before=$(state)
	run -2 --separate-stderr xg-restore f
	assert_equal "$stderr" "xg-restore: f:$line: $msg"
	assert_equal "$output" ""
	assert_equal "$(state)" "$before"
}

# Some of everything.
fill() {
	xg-threshold syn 123 -b 7
	xg-threshold ban 60 --factor 8 --after 3
	xg-threshold portscan 20/60s ban 30
	xg-threshold features sample 1/4
	xg-rule add prio 10 proto tcp dport 22,80 drop
	xg-rule add prio 20 proto udp rate 100/200 per-source ban 60
	xg-rule add drop
	xg-rule del 2
	xg-block add 198.18.0.0/24 198.18.1.1 2001:db8::/48
	xg-block add 198.18.2.2 -t 1h
	xg-allow add 198.18.3.3 -t 90
	xg-block add 198.18.5.5 198.18.6.0/24 --origin spamhaus
	xg-block add 198.18.7.7 -t 1h --origin f2b-sshd
}

@test "usage errors touch nothing" {
	run -2 --separate-stderr xg-restore
	assert_equal "$stderr" "xg-restore: no file given; see --help"
	run -2 --separate-stderr xg-restore a b
	assert_equal "$stderr" "xg-restore: unexpected argument 'b'; see --help"
	run -2 --separate-stderr xg-restore --frob a
	assert_equal "$stderr" "xg-restore: unknown option '--frob'; see --help"
	run -1 --separate-stderr xg-restore nofile
	assert_equal "$stderr" "xg-restore: cannot open 'nofile': No such file or directory"
	xg_assert_no_pins
}

@test "a bad file is refused whole, with its line, and changes nothing" {
	xg_shared_lab
	fill
	bad 1 "empty file" ""
	bad 1 "not a file of xg-save (no '# xdpguard-save' line)" \
		$'block add 198.18.0.1\n# end\n'
	bad 1 "file format 2; this xg-restore reads format 1" \
		$'# xdpguard-save 2 abi '"$ABI"$' x\n# end\n'
	bad 1 "saved by xdpguard ABI $((ABI + 1)); this xg-restore is ABI $ABI (save it again with that version's xg-save)" \
		$'# xdpguard-save 1 abi '"$((ABI + 1))"$' x\n# end\n'
	bad 1 "saved by xdpguard ABI $((ABI - 1)); this xg-restore is ABI $ABI (save it again with that version's xg-save)" \
		$'# xdpguard-save 1 abi '"$((ABI - 1))"$' x\n# end\n'
	bad 3 "unknown keyword 'iptables'" \
		"$HDR"$'\nblock add 198.18.7.7\niptables -A INPUT -j DROP\n# end\n'
	bad 2 "invalid address '198.18.0.300'" \
		"$HDR"$'\nblock add 198.18.0.300\n# end\n'
	bad 2 "'198.18.0.5/24' has host bits set; did you mean 198.18.0.0/24?" \
		"$HDR"$'\nallow add 198.18.0.5/24\n# end\n'
	bad 2 "invalid timeout '5x'" "$HDR"$'\nblock add 198.18.0.1 -t 5x\n# end\n'
	bad 2 "invalid origin 'Bad'" "$HDR"$'\nblock add 198.18.0.1 --origin Bad\n# end\n'
	bad 2 "expected 'block add'" "$HDR"$'\nblock del 198.18.0.1\n# end\n'
	bad 2 "unknown setting 'foo'; see --help" "$HDR"$'\nthreshold foo 5\n# end\n'
	bad 2 "invalid rate '0' (1-100000000 packets/s, or off)" \
		"$HDR"$'\nthreshold syn 0\n# end\n'
	bad 2 "unknown option '--frob'" "$HDR"$'\nthreshold syn 5 --frob 1\n# end\n'
	bad 2 "unknown option '--frob'" "$HDR"$'\nload veth0 --frob\n# end\n'
	bad 2 "invalid mode 'fast' (native, skb or offload)" \
		"$HDR"$'\nload veth0 --mode fast\n# end\n'
	bad 2 "expected 'rule add'" "$HDR"$'\nrule del 1\n# end\n'
	bad 2 "invalid rule id 'x'" "$HDR"$'\nrule add id x drop\n# end\n'
	bad 3 "reversed range '90-80'" \
		"$HDR"$'\n\nrule add proto tcp dport 90-80 drop\n# end\n'
	bad 3 "the file ends before its '# end' line: truncated" \
		"$HDR"$'\nthreshold syn 5\nblock add 198.18.0.1\n'
	bad 3 "a line after '# end'" "$HDR"$'\n# end\nblock add 198.18.0.1\n'
	# a cut in the middle of a line
	xg-save >whole
	head -c 400 whole >f
	run -2 --separate-stderr xg-restore f
	assert_output ""
}

@test "round trip: save, xg-unload --all, xg-load, restore, save" {
	xg_load_lab --mode skb --max-entries 1000
	fill
	xg-save -o saved
	xg-unload --all
	xg_assert_no_pins
	xg-load -n "$XG_NS" "$XG_IF" --mode skb --max-entries 1000
	run -0 xg-restore saved
	assert_output ""
	assert_equal "$(state)" "$(sed -e 1d -e 's/ -t [0-9]*/ -t T/' saved)"
	# the time left went on from the save, it did not start again
	left=$(xg-block list -j | jq '.[] | select(.address == "198.18.2.2") | .expires_in')
	((left <= 3600 && left >= 3590))
	assert_equal "$(xg-block list --origin f2b-sshd -j | jq -r '.[].address')" 198.18.7.7
	# restoring again changes nothing
	xg-restore saved
	assert_equal "$(state)" "$(sed -e 1d -e 's/ -t [0-9]*/ -t T/' saved)"
}

@test "without --flush the file adds; with --flush the state is the file" {
	xg_shared_lab
	fill
	xg-save -o saved
	xg-block add 198.18.50.50
	xg-allow add 198.18.51.51
	xg-rule add prio 99 proto icmp drop
	xg-threshold syn 999
	xg-restore saved
	run -0 state
	assert_line "block add 198.18.50.50"
	assert_line "allow add 198.18.51.51"
	assert_line --regexp "^rule add id [0-9]+ prio 99 proto icmp drop$"
	assert_line "threshold syn 123 --burst 7"
	xg-restore --flush saved
	assert_equal "$(state)" "$(sed -e 1d -e 's/ -t [0-9]*/ -t T/' saved)"
}

@test "--dry-run checks and changes nothing; -j counts" {
	xg_shared_lab
	fill
	xg-save -o saved
	xg-block flush
	before=$(state)
	run -0 xg-restore --dry-run -j saved
	assert_output '{"applied":false,"interfaces":1,"settings":21,"rules":2,"allow":1,"block":7}'
	assert_equal "$(state)" "$before"
	run -0 xg-restore -j - <saved
	assert_output '{"applied":true,"interfaces":1,"settings":21,"rules":2,"allow":1,"block":7}'
}

@test "a priority taken by another rule: exit 2, nothing changed" {
	xg_shared_lab
	printf '%s\n' "$HDR" "threshold syn 77" "block add 198.18.0.1" \
		"rule add id 5 prio 10 proto tcp drop" "# end" >f
	xg-rule add prio 10 proto udp drop
	before=$(state)
	run -2 --separate-stderr xg-restore f
	assert_equal "$stderr" "xg-restore: f:4: priority 10 is taken by rule 1"
	assert_equal "$(state)" "$before"
	run -0 xg-restore --flush f
	assert_equal "$(xg-rule list -j | jq -c '[.[] | [.id, .prio, .match]]')" '[[5,10,"proto tcp"]]'
}

@test "a failure half-way puts the state before back" {
	xg_load_lab --max-entries 4
	fill
	before=$(state)
	{
		echo "$HDR"
		echo "threshold syn 5"
		echo "rule add id 9 prio 50 proto icmp drop"
		for i in 1 2 3 4 5 6; do echo "block add 198.18.9.$i"; done
		echo "# end"
	} >f
	run -1 --separate-stderr xg-restore f
	assert_equal "$stderr" "xg-restore: list is full (4 entries); run xg-load --max-entries with a larger number
xg-restore: nothing changed: the state before is back"
	assert_equal "$(state)" "$before"
}

@test "--load guards the file's interfaces in a fresh pin dir" {
	xg_load_lab --mode skb
	fill
	xg-save -o saved
	xg-unload --all
	run -1 --separate-stderr xg-restore saved
	assert_equal "$stderr" "xg-restore: xdpguard is not loaded; run xg-load IFACE first"
	run -0 xg-restore --load saved
	assert_equal "$(xg-stats -j | jq -c '[.interfaces[] | [.interface, .netns, .mode]]')" \
		"[[\"$XG_IF\",\"$XG_NS\",\"skb\"]]"
	assert_equal "$(state)" "$(sed -e 1d -e 's/ -t [0-9]*/ -t T/' saved)"
}

@test "the lockout guard: a file that would drop the SSH peer is refused whole; --force restores it" {
	xg_shared_lab
	xg-block add 198.18.0.9 198.18.8.8
	xg-rule add prio 5 proto udp dport 53 drop
	xg-save -o saved
	xg-block flush
	xg-rule flush
	local before
	before=$(state)
	export SSH_CONNECTION="198.18.0.9 50022 198.18.0.1 22"
	run -1 --separate-stderr xg-restore saved
	assert_regex "$stderr" "^xg-restore: refusing to block 198\.18\.0\.9: it is your SSH session's peer \(--force overrides\)$"
	assert_equal "$(state)" "$before"
	run -0 xg-restore --force saved
	assert_equal "$(xg_list_addrs xg-block | tr '\n' ' ')" "198.18.0.9 198.18.8.8 "
	unset SSH_CONNECTION
}
