#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# What every tool shares: --help, --version, unknown options, "not loaded",
# JSON errors, the privilege check and its place after usage checks.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

TOOLS=(xg-load xg-unload xg-block xg-allow xg-stats xg-threshold xg-events)
NOT_LOADED="xdpguard is not loaded; run xg-load IFACE first"
DENIED="permission denied; run as root (needs CAP_BPF and CAP_NET_ADMIN)"

@test "every tool: -h and --help print usage on stdout and exit 0" {
	local t o
	for t in "${TOOLS[@]}"; do
		for o in -h --help; do
			run -0 --separate-stderr "$t" "$o"
			assert_equal "$stderr" ""
			assert_output --partial "$t"
			assert_output --regexp '[Uu]sage'
			((${#lines[@]} >= 3)) || fail "$t $o: short usage: $output"
		done
	done
	xg_assert_no_pins
}

@test "every tool: --help lists the common options" {
	local t o
	for t in "${TOOLS[@]}"; do
		run -0 "$t" --help
		for o in --help --version --json --pin-dir --verbose; do
			assert_output --partial -- "$o"
		done
	done
}

@test "every tool: -V and --version print the version" {
	local t o
	for t in "${TOOLS[@]}"; do
		for o in -V --version; do
			run -0 --separate-stderr "$t" "$o"
			assert_equal "$stderr" ""
			assert_regex "$output" "^$t \(xdpguard\) 0\.1\.0, libbpf [0-9]+\.[0-9]+$"
		done
	done
	xg_assert_no_pins
}

@test "every tool: unknown long option" {
	local t
	for t in "${TOOLS[@]}"; do
		run -2 --separate-stderr "$t" --frobnicate
		assert_equal "$stderr" "$t: unknown option '--frobnicate'; see --help"
		assert_equal "$output" ""
	done
	xg_assert_no_pins
}

@test "every tool: unknown short option" {
	local t
	for t in "${TOOLS[@]}"; do
		run -2 --separate-stderr "$t" -Z
		assert_equal "$stderr" "$t: unknown option '-Z'; see --help"
	done
	xg_assert_no_pins
}

@test "every tool: unknown option with -j prints an error object" {
	local t
	for t in "${TOOLS[@]}"; do
		run -2 --separate-stderr "$t" -j --frobnicate
		assert_equal "$stderr" "$t: unknown option '--frobnicate'; see --help"
		assert_equal "$(jq -c . <<<"$output")" \
			'{"error":"unknown option '\''--frobnicate'\''; see --help"}'
	done
}

@test "every tool: --pin-dir needs a value" {
	local t
	for t in "${TOOLS[@]}"; do
		run -2 --separate-stderr "$t" --pin-dir
		assert_equal "$stderr" "$t: option '--pin-dir' needs a value"
	done
}

@test "not loaded: xg-block list" {
	run -1 --separate-stderr xg-block list
	assert_equal "$stderr" "xg-block: $NOT_LOADED"
	assert_equal "$output" ""
	xg_assert_no_pins
}

@test "not loaded: xg-block add" {
	run -1 --separate-stderr xg-block 198.18.0.5
	assert_equal "$stderr" "xg-block: $NOT_LOADED"
	xg_assert_no_pins
}

@test "not loaded: xg-block del" {
	run -1 --separate-stderr xg-block del 198.18.0.5
	assert_equal "$stderr" "xg-block: $NOT_LOADED"
	xg_assert_no_pins
}

@test "not loaded: xg-block flush" {
	run -1 --separate-stderr xg-block flush
	assert_equal "$stderr" "xg-block: $NOT_LOADED"
	xg_assert_no_pins
}

@test "not loaded: xg-allow list and add" {
	run -1 --separate-stderr xg-allow list
	assert_equal "$stderr" "xg-allow: $NOT_LOADED"
	run -1 --separate-stderr xg-allow 2001:db8::1
	assert_equal "$stderr" "xg-allow: $NOT_LOADED"
	xg_assert_no_pins
}

@test "not loaded: xg-stats" {
	run -1 --separate-stderr xg-stats
	assert_equal "$stderr" "xg-stats: $NOT_LOADED"
	assert_equal "$output" ""
	xg_assert_no_pins
}

@test "not loaded: xg-unload --all" {
	run -1 --separate-stderr xg-unload --all
	assert_equal "$stderr" "xg-unload: $NOT_LOADED"
	xg_assert_no_pins
}

@test "not loaded: xg-unload IFACE" {
	run -1 --separate-stderr xg-unload -n xg-nowhere veth0
	assert_equal "$stderr" "xg-unload: $NOT_LOADED"
	assert_equal "$output" ""
	xg_assert_no_pins
}

@test "not loaded, -j: error object that jq parses" {
	run -1 --separate-stderr xg-stats -j
	assert_equal "$stderr" "xg-stats: $NOT_LOADED"
	assert_equal "$(jq -r .error <<<"$output")" "$NOT_LOADED"
	run -1 --separate-stderr xg-block list -j
	assert_equal "$stderr" "xg-block: $NOT_LOADED"
	assert_equal "$(jq -c . <<<"$output")" "{\"error\":\"$NOT_LOADED\"}"
	run -1 --separate-stderr xg-allow --json list
	assert_equal "$(jq -r .error <<<"$output")" "$NOT_LOADED"
	xg_assert_no_pins
}

@test "not loaded: usage errors still win" {
	run -2 --separate-stderr xg-block 10.0.0.300
	assert_equal "$stderr" "xg-block: invalid address '10.0.0.300'"
	run -2 --separate-stderr xg-allow -t 0 198.18.0.1
	assert_equal "$stderr" \
		"xg-allow: invalid timeout '0' (seconds, or a number with s, m, h or d)"
	xg_assert_no_pins
}

@test "--pin-dir points the tools at another directory" {
	xg_shared_lab
	xg-block 198.18.0.5
	local dir=$XDPGUARD_PIN_DIR
	export XDPGUARD_PIN_DIR=$dir-elsewhere
	run -1 --separate-stderr xg-block list
	assert_equal "$stderr" "xg-block: $NOT_LOADED"
	run -0 xg-block --pin-dir "$dir" list -j
	assert_equal "$(jq -r '.[0].address' <<<"$output")" 198.18.0.5
	run -0 xg-stats --pin-dir "$dir" -j
	assert_equal "$(jq -r .pin_dir <<<"$output")" "$dir"
	[[ ! -e $dir-elsewhere ]] || fail "$dir-elsewhere was created"
	export XDPGUARD_PIN_DIR=$dir
}

@test "-v is accepted" {
	xg_shared_lab
	run -0 --separate-stderr xg-block -v 198.18.0.5
	run -0 --separate-stderr xg-block --verbose list -j
	assert_equal "$(jq -r '.[0].address' <<<"$output")" 198.18.0.5
}

# ---- privileges --------------------------------------------------------

@test "not root: xg-block and xg-allow are refused, lists unchanged" {
	xg_shared_lab
	xg-block 198.18.0.5
	xg_save_snapshot
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-block" 198.18.0.9
	assert_equal "$stderr" "xg-block: $DENIED"
	assert_equal "$output" ""
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-block" list
	assert_equal "$stderr" "xg-block: $DENIED"
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-allow" flush
	assert_equal "$stderr" "xg-allow: $DENIED"
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-block" del 198.18.0.5
	assert_equal "$stderr" "xg-block: $DENIED"
	xg_assert_unchanged
}

@test "not root: xg-stats is refused; -j gives the error object" {
	xg_shared_lab
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-stats"
	assert_equal "$stderr" "xg-stats: $DENIED"
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-stats" -j
	assert_equal "$stderr" "xg-stats: $DENIED"
	assert_equal "$(jq -r .error <<<"$output")" "$DENIED"
}

@test "not root: xg-load creates nothing" {
	xg_make_ns
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-load" -n "$XG_NS" "$XG_IF"
	assert_equal "$stderr" "xg-load: $DENIED"
	xg_assert_no_pins
	assert_equal "$(ip -n "$XG_NS" -j link show "$XG_IF" | jq -c '.[0].xdp')" null
}

@test "not root: xg-unload detaches nothing" {
	xg_shared_lab
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-unload" -n "$XG_NS" "$XG_IF"
	assert_equal "$stderr" "xg-unload: $DENIED"
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-unload" --all
	assert_equal "$stderr" "xg-unload: $DENIED"
	assert_equal "$(ip -n "$XG_NS" -j link show "$XG_IF" | jq -r '.[0].xdp.prog.name')" xdpguard
	[[ -d $XDPGUARD_PIN_DIR ]] || fail "pin dir removed"
}

@test "not root: usage errors come first (exit 2)" {
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-block" 10.0.0.300
	assert_equal "$stderr" "xg-block: invalid address '10.0.0.300'"
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-load"
	assert_equal "$stderr" "xg-load: no interface given; see --help"
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-unload" --all "$XG_IF"
	assert_equal "$stderr" "xg-unload: --all takes no interface"
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-stats" --frobnicate
	assert_equal "$stderr" "xg-stats: unknown option '--frobnicate'; see --help"
	xg_assert_no_pins
}

@test "not root: --help and --version work" {
	local t
	for t in "${TOOLS[@]}"; do
		run -0 xg_as_nobody "$XG_BUILD/$t" --help
		run -0 xg_as_nobody "$XG_BUILD/$t" -V
	done
}

@test "not loaded: xg-threshold and xg-events" {
	run -1 --separate-stderr xg-threshold
	assert_equal "$stderr" "xg-threshold: $NOT_LOADED"
	assert_equal "$output" ""
	run -1 --separate-stderr xg-events -c 1
	assert_equal "$stderr" "xg-events: $NOT_LOADED"
	assert_equal "$output" ""
	xg_assert_no_pins
}
