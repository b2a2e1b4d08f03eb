#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-features: the grammar, every usage message (exit 2, before anything
# is opened), the runtime errors of its sinks (exit 1, nothing created),
# one reader at a time beside xg-events, the end on a signal with its
# summary, and the note when features are off. No traffic here:
# tests/e2e/features.bats sends the packets.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() {
	xg_setup_test
	FT_PID=
	FT_OUT=$BATS_TEST_TMPDIR/features.out
	FT_ERR=$BATS_TEST_TMPDIR/features.err
}
teardown() {
	[[ -n $FT_PID ]] && kill "$FT_PID" 2>/dev/null
	xg_teardown_test
}
teardown_file() { xg_remove_file_leftovers; }

# bad MESSAGE ARGS...: exit 2, the exact line, nothing on stdout.
bad() {
	local msg=$1
	shift
	run -2 --separate-stderr xg-features "$@"
	assert_equal "$stderr" "xg-features: $msg"
	assert_equal "$output" ""
}

# runtime_bad MESSAGE ARGS...: exit 1, the exact line, nothing on stdout,
# no reader lock made under the pins.
runtime_bad() {
	local msg=$1
	shift
	run -1 --separate-stderr xg-features "$@"
	assert_equal "$stderr" "xg-features: $msg"
	assert_equal "$output" ""
	[[ ! -e $XDPGUARD_PIN_DIR/features ]] || fail "the lock dir was made"
}

# A reader in the background, ended after 30 s at the latest; returns
# once it holds the reader lock. XG_FT_READER is its pid.
ft_start() {
	timeout -s INT 30 xg-features "$@" >"$FT_OUT" 2>"$FT_ERR" 3>&- &
	FT_PID=$!
	xg_ft_wait_reader || fail "xg-features did not start: $(cat "$FT_ERR")"
}

# ft_stop SIGNAL: FT_RC is the exit status.
ft_stop() {
	kill -"$1" "$XG_FT_READER"
	FT_RC=0
	wait "$FT_PID" || FT_RC=$?
	FT_PID=
}

SUMMARY0="xg-features: 0 read, 0 written, 0 undelivered (0 buffer full), 0 filtered; 0 connects, 0 files; kernel: 0 sent, 0 over budget, 0 lost (ring full) since start"

# ---- usage errors ------------------------------------------------------

@test "invalid count, batch, interval and buffer size" {
	local n
	for n in 0 x 1000000001 -1 5k ''; do
		bad "invalid count '$n' (1-1000000000)" -c "$n"
	done
	for n in 0 x 1000001 1k; do
		bad "invalid batch '$n' (1-1000000 lines)" --batch "$n"
	done
	for n in 0 x 0.01 3601 1s; do
		bad "invalid interval '$n' (0.1-3600 seconds)" --batch 10 \
			--batch-secs "$n"
	done
	bad "option '--batch-secs' needs --batch" --batch-secs 2
	for n in 0 1k 63k 2G x 4Mb M; do
		bad "invalid size '$n' (64k to 1G)" --buffer-size "$n"
	done
	xg_assert_no_pins
}

@test "the sinks: --rotate-size 0, bad sizes, durations and counts" {
	local n
	for n in 0 0k x 5T 1025G -1 k 1.5M ''; do
		bad "invalid size '$n' (1 to 1024G; k, M, G suffixes)" \
			--out-dir . --rotate-size "$n"
	done
	for n in 0 x 1w -5; do
		bad "invalid duration '$n' (N, Ns, Nm, Nh or Nd)" --out-dir . \
			--rotate-secs "$n"
	done
	for n in 0 x 1000001; do
		bad "invalid count '$n' (1-1000000)" --out-dir . --keep "$n"
	done
	xg_assert_no_pins
}

@test "the sinks: one at a time, file options need --out-dir, socket path length" {
	bad "options '--unix-socket' and '--out-dir' exclude each other" \
		--unix-socket s --out-dir .
	bad "options '--rotate-size', '--rotate-secs' and '--keep' need --out-dir" \
		--rotate-size 1M
	bad "options '--rotate-size', '--rotate-secs' and '--keep' need --out-dir" \
		--unix-socket s --keep 3
	bad "invalid socket path '' (1-107 bytes)" --unix-socket ''
	bad "invalid socket path '$(printf 'a%.0s' {1..108})' (1-107 bytes)" \
		--unix-socket "$(printf 'a%.0s' {1..108})"
	bad "invalid directory ''" --out-dir ''
	xg_assert_no_pins
}

@test "interfaces, extra arguments, unknown options, missing values" {
	bad "invalid interface 'a/b'" -i a/b
	bad "option '--netns' needs --interface" --netns x
	bad "invalid network namespace 'a/b'" -i veth0 -n a/b
	bad "unexpected argument 'x'; see --help" x
	bad "unknown option '--foo'; see --help" --foo
	bad "option '--unix-socket' needs a value" --unix-socket
	bad "option '--out-dir' needs a value" --out-dir
	xg_assert_no_pins
}

@test "usage errors come before the privilege check and need no pins; -j" {
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-features" \
		--out-dir . --rotate-size 0
	assert_equal "$stderr" \
		"xg-features: invalid size '0' (1 to 1024G; k, M, G suffixes)"
	run -2 --separate-stderr xg-features -j --unix-socket s --out-dir d
	assert_equal "$(jq -r .error <<<"$output")" \
		"options '--unix-socket' and '--out-dir' exclude each other"
	xg_assert_no_pins
}

# ---- runtime errors ----------------------------------------------------

@test "not loaded; unprivileged" {
	run -1 --separate-stderr xg-features
	assert_equal "$stderr" "xg-features: xdpguard is not loaded; run xg-load IFACE first"
	assert_equal "$output" ""
	xg_assert_no_pins
	xg_shared_lab
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-features" -c 1
	assert_equal "$stderr" \
		"xg-features: permission denied; run as root (needs CAP_BPF and CAP_NET_ADMIN)"
}

@test "a socket path that is not a socket: exit 1, nothing made" {
	xg_shared_lab
	: >plain
	mkdir adir
	runtime_bad "plain is not a socket" --unix-socket plain
	runtime_bad "adir is not a socket" --unix-socket adir
	assert_equal "$(stat -c %s plain)" 0
}

@test "a directory missing, not one, or not writable: exit 1, nothing made" {
	xg_shared_lab
	: >plain
	runtime_bad "cannot use nosuch: No such file or directory" --out-dir nosuch
	runtime_bad "plain is not a directory" --out-dir plain
	mkdir ro
	# root writes through any mode bits: a read-only mount it cannot
	run -1 --separate-stderr unshare --mount --propagation private sh -c \
		'mount -t tmpfs -o ro none ro && exec xg-features --out-dir ro'
	assert_equal "$stderr" "xg-features: cannot write to ro: Read-only file system"
	assert_equal "$output" ""
	[[ ! -e $XDPGUARD_PIN_DIR/features ]] || fail "the lock dir was made"
	assert_equal "$(ls -A ro)" ""
}

@test "-i names an interface that is not guarded" {
	xg_shared_lab
	run -1 --separate-stderr xg-features -i nosuch0
	assert_equal "$stderr" "xg-features: nosuch0 is not guarded"
	run -1 --separate-stderr xg-features -i "$XG_IF"
	assert_equal "$stderr" \
		"xg-features: $XG_IF is not guarded; did you mean $XG_IF@$XG_NS?"
}

# ---- readers -----------------------------------------------------------

@test "one reader at a time, beside an xg-events; the next one once it ends" {
	xg_shared_lab
	ft_start -i "$XG_IF@$XG_NS"
	run -1 --separate-stderr xg-features
	assert_equal "$stderr" "xg-features: another xg-features is reading the features"
	assert_equal "$output" ""
	# its own ring and lock: xg-events reads at the same time
	run -0 --separate-stderr timeout --preserve-status -s INT 0.5 xg-events
	kill -0 "$XG_FT_READER" || fail "xg-features ended"
	ft_stop INT
	assert_equal "$FT_RC" 0
	ft_start
	ft_stop TERM
	assert_equal "$FT_RC" 0
}

@test "SIGINT and SIGTERM: exit 0, nothing on stdout, the summary on stderr" {
	xg_shared_lab
	xg-threshold features 1000 >/dev/null
	local sig
	for sig in INT TERM; do
		ft_start
		ft_stop "$sig"
		assert_equal "$FT_RC" 0
		assert_equal "$(cat "$FT_OUT")" ""
		assert_equal "$(cat "$FT_ERR")" "$SUMMARY0"
	done
	xg-threshold features off >/dev/null
}

@test "features off: one note, and it keeps running; a consumer away: one note" {
	xg_shared_lab
	ft_start --unix-socket "$BATS_TEST_TMPDIR/ids.sock"
	sleep 0.3
	kill -0 "$XG_FT_READER" || fail "xg-features ended"
	ft_stop INT
	assert_equal "$FT_RC" 0
	assert_equal "$(cat "$FT_ERR")" \
		"xg-features: features are off; turn them on with xg-threshold features RATE
xg-features: waiting for a consumer on $BATS_TEST_TMPDIR/ids.sock
$SUMMARY0"
}

@test "xg-unload --all ends a reader (exit 1) and removes its lock dir" {
	xg_load_lab
	local i
	mkdir out
	ft_start --out-dir out
	[[ -d $XDPGUARD_PIN_DIR/features ]] || fail "no lock dir"
	xg-unload --all
	[[ ! -e $XDPGUARD_PIN_DIR ]] || fail "pins left: $(ls -A "$XDPGUARD_PIN_DIR")"
	for ((i = 0; i < 60; i++)); do
		kill -0 "$XG_FT_READER" 2>/dev/null || break
		sleep 0.05
	done
	FT_RC=0
	wait "$FT_PID" || FT_RC=$?
	FT_PID=
	assert_equal "$FT_RC" 1
	assert_equal "$(head -2 "$FT_ERR")" \
		"xg-features: features are off; turn them on with xg-threshold features RATE
xg-features: xdpguard was unloaded; no more features"
	# an empty file is removed, not closed under a name
	assert_equal "$(ls -A out)" ""
}

@test "-h lists every option; -V prints the version" {
	local w
	run -0 --separate-stderr xg-features -h
	assert_equal "$stderr" ""
	for w in --count --interface --netns --unix-socket --out-dir \
		 --rotate-size --rotate-secs --keep --batch --batch-secs \
		 --buffer-size --pin-dir --json --verbose --version --help; do
		grep -qw -- "$w" <<<"$output" || fail "--help lacks $w"
	done
	run -0 xg-features --version
	assert_regex "$output" '^xg-features \(xdpguard\) 0\.1\.0, libbpf [0-9]+\.[0-9]+$'
	xg_assert_no_pins
}
