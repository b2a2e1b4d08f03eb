#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# contrib/fail2ban/action.d/xdpguard.conf under a real fail2ban-server: a
# jail on a log file the test writes failed logins into bans the source
# into the blocklist with origin f2b-JAIL and the jail's ban time; unban
# removes it; stopping the jail (actionflush) removes only its entries.
# IPv4 and IPv6. The server runs with a config dir, socket and pid file of
# the test's own, in the foreground of a background job.

bats_require_minimum_version 1.5.0
load '../lib/common'

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup_file() { xg_remove_stale; }
setup() {
	command -v fail2ban-server >/dev/null ||
		skip "fail2ban-server not installed (Debian package fail2ban)"
	xg_setup_test
	xg_shared_lab || fail "xg-load failed"
	F2B=$BATS_TEST_TMPDIR/f2b
	mkdir -p "$F2B/action.d" "$F2B/filter.d"
	cp "$REPO/contrib/fail2ban/action.d/xdpguard.conf" "$F2B/action.d/"
	cat >"$F2B/fail2ban.conf" <<-CONF
		[Definition]
		loglevel = INFO
		logtarget = $F2B/server.log
		socket = $F2B/sock
		pidfile = $F2B/pid
		dbfile = :memory:
	CONF
	cat >"$F2B/filter.d/xgtest.conf" <<-CONF
		[Definition]
		failregex = ^Failed login from <HOST>$
		datepattern = {NONE}
	CONF
	cat >"$F2B/jail.conf" <<-CONF
		[xgtest]
		enabled = true
		filter = xgtest
		logpath = $F2B/auth.log
		backend = polling
		maxretry = 2
		findtime = 600
		bantime = 600
		action = xdpguard[xg_block="$XG_BUILD/xg-block"]
	CONF
	: >"$F2B/auth.log"
	fail2ban-server -c "$F2B" -s "$F2B/sock" -p "$F2B/pid" -x -f \
		>"$F2B/stdout" 2>&1 3>&- &
	F2B_PID=$!
	local i
	for i in $(seq 100); do
		f2b ping >/dev/null 2>&1 && f2b status xgtest >/dev/null 2>&1 &&
			return 0
		sleep 0.1
	done
	fail "fail2ban-server did not start: $(cat "$F2B/stdout" "$F2B/server.log" 2>/dev/null)"
}
teardown() {
	if [[ -n ${F2B_PID:-} ]]; then
		f2b stop >/dev/null 2>&1 || kill "$F2B_PID" 2>/dev/null
		wait "$F2B_PID" 2>/dev/null || :
	fi
	xg_teardown_test
}
teardown_file() { xg_remove_file_leftovers; }

f2b() { fail2ban-client -c "$F2B" -s "$F2B/sock" "$@"; }

# fail_login ADDR: two failed logins, enough for maxretry 2.
fail_login() {
	printf 'Failed login from %s\n' "$1" "$1" >>"$F2B/auth.log"
}

# wait_list N: the jail's entries in xg-block list are N, within 10 s.
wait_list() {
	local i
	for i in $(seq 100); do
		[[ $(xg-block list --origin f2b-xgtest -j | jq length) == "$1" ]] &&
			return 0
		sleep 0.1
	done
	fail "expected $1 f2b-xgtest entries: $(xg-block list) $(tail -5 "$F2B/server.log")"
}

@test "a ban is a blocklist entry of origin f2b-JAIL with the ban time; unban removes it" {
	xg-block 198.18.7.7
	fail_login 198.18.0.77
	wait_list 1
	run -0 xg-block list --origin f2b-xgtest -j
	assert_equal "$(jq -c '[.[] | .address, .origin, (.expires_in > 590 and .expires_in <= 600)]' <<<"$output")" \
		'["198.18.0.77","f2b-xgtest",true]'
	f2b set xgtest unbanip 198.18.0.77
	wait_list 0
	assert_equal "$(xg_list_addrs xg-block)" 198.18.7.7
}

@test "IPv6 bans and unbans the same way" {
	fail_login 2001:db8::77
	wait_list 1
	assert_equal "$(xg-block list --origin f2b-xgtest -j | jq -r '.[0].address')" 2001:db8::77
	f2b set xgtest unbanip 2001:db8::77
	wait_list 0
}

@test "stopping the jail flushes its entries only" {
	xg-block 198.18.7.7
	fail_login 198.18.0.78
	fail_login 2001:db8::78
	wait_list 2
	f2b stop >/dev/null
	wait "$F2B_PID" 2>/dev/null || :
	F2B_PID=
	wait_list 0
	assert_equal "$(xg_list_addrs xg-block)" 198.18.7.7
}

@test "an unban after the entry expired is not an error" {
	fail_login 198.18.0.79
	wait_list 1
	xg-block del 198.18.0.79 --origin f2b-xgtest
	f2b set xgtest unbanip 198.18.0.79
	sleep 0.5
	run ! grep -E "ERROR.*(xdpguard|198\.18\.0\.79)" "$F2B/server.log"
}
