#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-events: the grammar, every usage message (exit 2, before anything is
# opened), the runtime errors, one reader at a time, the end on a signal
# with its summary, and the note when events are off. No traffic here:
# tests/e2e/events.bats sends the packets.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() {
	xg_setup_test
	EV_PID=
	EV_OUT=$BATS_TEST_TMPDIR/events.out
	EV_ERR=$BATS_TEST_TMPDIR/events.err
}
teardown() {
	[[ -n $EV_PID ]] && kill "$EV_PID" 2>/dev/null
	xg_teardown_test
}
teardown_file() { xg_remove_file_leftovers; }

REASONS="(blocklisted, autoban, malformed, rate_syn, rate_udp, rate_icmp, rate_frag, syn_global, udp_global, icmp_global, frag_global, rule_drop, rule_rate or cookie_bad)"

# bad MESSAGE ARGS...: exit 2, the exact line, nothing on stdout.
bad() {
	local msg=$1
	shift
	run -2 --separate-stderr xg-events "$@"
	assert_equal "$stderr" "xg-events: $msg"
	assert_equal "$output" ""
}

# A reader in the background, ended after 30 s at the latest; returns
# once it holds the reader lock. XG_EV_READER is its pid.
ev_start() {
	timeout -s INT 30 xg-events "$@" >"$EV_OUT" 2>"$EV_ERR" 3>&- &
	EV_PID=$!
	xg_ev_wait_reader || fail "xg-events did not start: $(cat "$EV_ERR")"
}

# ev_stop SIGNAL: EV_RC is the exit status.
ev_stop() {
	kill -"$1" "$XG_EV_READER"
	EV_RC=0
	wait "$EV_PID" || EV_RC=$?
	EV_PID=
}

# ---- usage errors ------------------------------------------------------

@test "invalid count" {
	local n
	for n in 0 x 1000000001 -1 5k ''; do
		bad "invalid count '$n' (1-1000000000)" -c "$n"
	done
	bad "invalid count '0' (1-1000000000)" --count 0
	bad "invalid count 'x' (1-1000000000)" --count=x
	xg_assert_no_pins
}

@test "invalid reason" {
	local r
	# cookie_sent is no drop: a SYN answered with a cookie makes no event
	for r in pass allowlisted cookie_sent cookie-sent foo '' RATE_SYN; do
		bad "invalid reason '$r' $REASONS" --reason "$r"
	done
	bad "invalid reason 'nope' $REASONS" --reason blocklisted,nope
	local w
	for w in blocklisted, ,blocklisted blocklisted,,autoban; do
		bad "invalid reason '$w' $REASONS" --reason "$w"
	done
	xg_assert_no_pins
}

@test "invalid interface and namespace" {
	bad "invalid interface ''" -i ''
	bad "invalid interface 'abcdefghijklmnop'" -i abcdefghijklmnop
	bad "invalid interface 'a/b'" --interface a/b
	bad "invalid interface 'veth0@'" -i veth0@
	bad "invalid interface '@ns'" -i @ns
	bad "invalid network namespace ''" -i veth0 --netns ''
	bad "invalid network namespace 'a/b'" -i veth0 --netns a/b
	bad "option '--netns' needs --interface" --netns ns
	bad "'veth0@a' names its namespace; --netns does not apply to it" \
		-i veth0@a --netns b
	local i args=()
	for ((i = 0; i < 33; i++)); do args+=(-i "v$i"); done
	bad "too many interfaces (at most 32)" "${args[@]}"
	xg_assert_no_pins
}

@test "extra arguments, unknown options, missing option values" {
	bad "unexpected argument 'foo'; see --help" foo
	bad "unexpected argument 'veth0'; see --help" -c 5 veth0
	bad "unknown option '--frobnicate'; see --help" --frobnicate
	bad "unknown option '-x'; see --help" -x
	bad "option '-c' needs a value" -c
	bad "option '-n' needs a value" -n
	bad "option '--count' needs a value" --count
	bad "option '--reason' needs a value" --reason
	bad "option '-i' needs a value" -i
	bad "option '--json' takes no value" --json=1
	# the first error is the one reported
	bad "invalid count 'x' (1-1000000000)" -c x --reason foo
	xg_assert_no_pins
}

@test "-n is the network namespace: a count given to it gets a hint" {
	local hint="-n is now the network namespace; use -c/--count for a count"
	bad "$hint" -n 5
	bad "$hint" -i veth0 -n 10
	bad "$hint" -n 5 --reason foo
	bad "invalid network namespace 'a/b'" -i veth0 -n a/b
	bad "option '--netns' needs --interface" -n lab
	run -2 --separate-stderr xg-events -n 3 -j
	assert_equal "$stderr" "xg-events: $hint"
	assert_equal "$(jq -r .error <<<"$output")" "$hint"
	xg_assert_no_pins
}

@test "usage errors come before the privilege check and need no pins" {
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-events" -c 0
	assert_equal "$stderr" "xg-events: invalid count '0' (1-1000000000)"
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-events" --reason pass
	assert_equal "$stderr" "xg-events: invalid reason 'pass' $REASONS"
	xg_assert_no_pins
}

@test "-j: a usage error is also JSON on stdout" {
	run -2 --separate-stderr xg-events -j --reason pass
	assert_equal "$stderr" "xg-events: invalid reason 'pass' $REASONS"
	assert_equal "$(jq -r .error <<<"$output")" "invalid reason 'pass' $REASONS"
	# -j counts even after the bad option
	run -2 --separate-stderr xg-events -c 0 -j
	assert_equal "$(jq -r .error <<<"$output")" "invalid count '0' (1-1000000000)"
}

# ---- runtime errors ----------------------------------------------------

@test "not loaded: exit 1, nothing created" {
	run -1 --separate-stderr xg-events
	assert_equal "$stderr" "xg-events: xdpguard is not loaded; run xg-load IFACE first"
	assert_equal "$output" ""
	run -1 --separate-stderr xg-events -j -c 1
	assert_equal "$(jq -r .error <<<"$output")" \
		"xdpguard is not loaded; run xg-load IFACE first"
	# every drop reason is a valid --reason, in either spelling
	run -1 --separate-stderr xg-events --reason blocklisted,autoban,malformed \
		--reason rate_syn,rate-udp,rate_icmp,rate_frag,syn_global,udp-global \
		--reason icmp_global,frag_global,rule_drop,rule-rate,cookie-bad
	assert_equal "$stderr" "xg-events: xdpguard is not loaded; run xg-load IFACE first"
	xg_assert_no_pins
}

@test "unprivileged: permission denied" {
	xg_shared_lab
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-events" -c 1
	assert_equal "$stderr" \
		"xg-events: permission denied; run as root (needs CAP_BPF and CAP_NET_ADMIN)"
	assert_equal "$output" ""
}

@test "-i names an interface that is not guarded" {
	xg_shared_lab
	run -1 --separate-stderr xg-events -i nosuch0
	assert_equal "$stderr" "xg-events: nosuch0 is not guarded"
	# guarded, but in a namespace: the message says how to name it
	run -1 --separate-stderr xg-events -i "$XG_IF"
	assert_equal "$stderr" \
		"xg-events: $XG_IF is not guarded; did you mean $XG_IF@$XG_NS?"
	run -1 --separate-stderr xg-events -i "$XG_IF" --netns other
	assert_equal "$stderr" \
		"xg-events: $XG_IF in network namespace 'other' is not guarded"
	run -1 --separate-stderr xg-events -j -i "$XG_IF@$XG_NS" -i "$XG_PEER@$XG_NS"
	assert_equal "$stderr" \
		"xg-events: $XG_PEER in network namespace '$XG_NS' is not guarded"
	assert_equal "$(jq -r .error <<<"$output")" \
		"$XG_PEER in network namespace '$XG_NS' is not guarded"
}

@test "one reader at a time; the next one may start once it ends" {
	xg_shared_lab
	ev_start -i "$XG_IF@$XG_NS"
	run -1 --separate-stderr xg-events
	assert_equal "$stderr" "xg-events: another xg-events is reading the events"
	assert_equal "$output" ""
	run -1 --separate-stderr xg-events -j
	assert_equal "$(jq -c . <<<"$output")" \
		'{"error":"another xg-events is reading the events"}'
	ev_stop INT
	assert_equal "$EV_RC" 0
	ev_start -j
	ev_stop TERM
	assert_equal "$EV_RC" 0
}

# ---- the end, and its summary ------------------------------------------

@test "SIGINT and SIGTERM end it with exit 0 and the summary (text)" {
	xg_shared_lab
	local sig
	for sig in INT TERM; do
		ev_start
		ev_stop "$sig"
		assert_equal "$EV_RC" 0
		assert_equal "$(cat "$EV_ERR")" ""
		assert_equal "$(cat "$EV_OUT")" \
			"# end: 0 drops reported, 0 not reported (over 100 events/s), 0 lost since start; 0 printed"
	done
}

@test "xg-unload --all ends a reader: the summary, then exit 1" {
	xg_load_lab
	local i
	ev_start -j
	xg-unload --all
	# the reader looks once a second
	for ((i = 0; i < 60; i++)); do
		kill -0 "$XG_EV_READER" 2>/dev/null || break
		sleep 0.05
	done
	EV_RC=0
	wait "$EV_PID" || EV_RC=$?
	EV_PID=
	assert_equal "$EV_RC" 1
	assert_equal "$(cat "$EV_ERR")" \
		"xg-events: xdpguard was unloaded; no more events"
	assert_equal "$(jq -c '[.type, .final, .sent]' "$EV_OUT" | head -1)" \
		'["summary",true,0]'
	assert_equal "$(tail -1 "$EV_OUT")" \
		'{"error":"xdpguard was unloaded; no more events"}'
}

@test "-j: the summary object, keys and types" {
	xg_shared_lab
	ev_start -j --pin-dir "$XDPGUARD_PIN_DIR"
	ev_stop INT
	assert_equal "$EV_RC" 0
	run -0 jq -c 'del(.time)' "$EV_OUT"
	assert_equal "$output" \
		'{"type":"summary","final":true,"rate":100,"burst":200,"sent":0,"sampled":0,"lost":0,"printed":0,"filtered":0}'
	assert_equal "$(jq -c 'keys_unsorted' "$EV_OUT")" \
		'["type","time","final","rate","burst","sent","sampled","lost","printed","filtered"]'
	jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$")' \
		"$EV_OUT" >/dev/null || fail "bad time: $(cat "$EV_OUT")"
}

@test "--pin-dir is honoured over XDPGUARD_PIN_DIR" {
	xg_shared_lab
	local dir=$XDPGUARD_PIN_DIR
	run -1 --separate-stderr env XDPGUARD_PIN_DIR=/sys/fs/bpf/xg-none \
		"$XG_BUILD/xg-events" --pin-dir /sys/fs/bpf/xg-none-either
	assert_equal "$stderr" "xg-events: xdpguard is not loaded; run xg-load IFACE first"
	timeout -s INT 30 env -u XDPGUARD_PIN_DIR "$XG_BUILD/xg-events" \
		--pin-dir "$dir" -j >"$EV_OUT" 2>"$EV_ERR" 3>&- &
	EV_PID=$!
	xg_ev_wait_reader || fail "xg-events did not start: $(cat "$EV_ERR")"
	ev_stop INT
	assert_equal "$EV_RC" 0
	assert_equal "$(jq -r .type "$EV_OUT")" summary
}

@test "events off: one note on stderr, and it keeps running" {
	xg_shared_lab
	xg-threshold events off
	ev_start
	sleep 0.3
	kill -0 "$XG_EV_READER" || fail "xg-events ended"
	ev_stop INT
	assert_equal "$EV_RC" 0
	assert_equal "$(cat "$EV_ERR")" \
		"xg-events: drop events are off; turn them on with xg-threshold events RATE"
	assert_equal "$(cat "$EV_OUT")" \
		"# end: 0 drops reported, 0 not reported (events off), 0 lost since start; 0 printed"
}

@test "-h lists every option; -V prints the version" {
	run -0 --separate-stderr xg-events -h
	assert_equal "$stderr" ""
	local w
	for w in --count --interface --netns --reason --pin-dir --json \
		 --verbose --version --help -c -n -i -j; do
		grep -qw -- "$w" <<<"$output" || fail "--help lacks $w"
	done
	for w in blocklisted autoban malformed rate_syn rate_udp rate_icmp \
		 rate_frag syn_global udp_global icmp_global frag_global \
		 rule_drop rule_rate cookie_bad; do
		grep -qw -- "$w" <<<"$output" || fail "--help lacks $w"
	done
	run -0 xg-events --version
	assert_regex "$output" '^xg-events \(xdpguard\) 0\.1\.0, libbpf [0-9]+\.[0-9]+$'
	xg_assert_no_pins
}
