#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-stats --watch (text blocks and NDJSON on a non-terminal stdout, -c,
# SIGINT, -i) and xg-stats --prometheus (a strict check of the exposition
# format, and promtool's when it is installed), with the usage errors of
# both.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

# bump_counter SLOT PACKETS BYTES: write a counter as the program would
# (bpftool puts the value in every possible CPU's slot).
bump_counter() {
	bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_stats" \
		key "$1" 0 0 0 value "$2" 0 0 0 0 0 0 0 "$3" 0 0 0 0 0 0 0
}

# ---- usage errors -----------------------------------------------------------

# usage_err MESSAGE ARGS...: exit 2, exactly MESSAGE, nothing on stdout,
# nothing created.
usage_err() {
	local msg=$1
	shift
	run -2 --separate-stderr xg-stats "$@"
	assert_equal "$stderr" "xg-stats: $msg"
	assert_equal "$output" ""
	xg_assert_no_pins
}

@test "--watch: invalid intervals" {
	local v
	for v in 0 0.05 0.09 3601 3600.5 abc 1s .5 1. -- 1e2 0x10 ''; do
		[[ $v == -- ]] && continue
		usage_err "invalid interval '$v' (0.1-3600 seconds)" --watch="$v"
	done
	usage_err "invalid interval 'abc' (0.1-3600 seconds)" --watch abc
	usage_err "invalid interval '0' (0.1-3600 seconds)" --watch 0 -c 1
}

@test "--count: invalid counts" {
	local v
	for v in 0 1000001 abc -1 1.5 ''; do
		usage_err "invalid count '$v' (1-1000000)" --watch -c "$v"
	done
	usage_err "invalid count 'x' (1-1000000)" --watch --count=x
	usage_err "invalid count 'x' (1-1000000)" --watch 0.5 --count x
}

@test "--count without --watch" {
	usage_err "option '--count' needs --watch" -c 3
	usage_err "option '--count' needs --watch" --count 3
}

@test "-n is the network namespace: a count given to it gets a hint" {
	local hint="-n is now the network namespace; use -c/--count for a count"
	usage_err "$hint" --watch -n 3
	usage_err "$hint" --watch 0.5 -n 10 -i veth0
	usage_err "$hint" -n 1 --top x
	usage_err "option '--netns' needs --interface" --watch -n lab
	run -2 --separate-stderr xg-stats -j --watch -n 2
	assert_equal "$stderr" "xg-stats: $hint"
	assert_equal "$(jq -r .error <<<"$output")" "$hint"
}

@test "--prometheus with --json or --watch" {
	usage_err "--prometheus cannot be combined with --json or --watch" \
		--prometheus --watch
	usage_err "--prometheus cannot be combined with --json or --watch" \
		--watch 1 -c 1 --prometheus
	run -2 --separate-stderr xg-stats --prometheus -j
	assert_equal "$stderr" "xg-stats: --prometheus cannot be combined with --json or --watch"
	assert_equal "$(jq -r .error <<<"$output")" \
		"--prometheus cannot be combined with --json or --watch"
	xg_assert_no_pins
}

@test "--watch: an operand after the interval is still an error" {
	usage_err "unexpected argument 'foo'; see --help" --watch 1 foo
}

# ---- --watch ------------------------------------------------------------------

@test "--watch 0.2 -c 3: three blocks on a pipe, exit 0" {
	xg_load_lab
	bump_counter 0 7 42 # tcp/pass
	run -0 --separate-stderr xg-stats --watch 0.2 -c 3
	assert_equal "$stderr" ""
	# blocks separated by one blank line, no escape sequences
	assert_equal "$(grep -c '^$' <<<"$output")" 2
	assert_equal "$(grep -c '^xdpguard 0.1.0, pins in ' <<<"$output")" 3
	[[ $output != *$'\e'* ]] || fail "escape sequence on a pipe"
	local hdr
	hdr=$(printf '%-9s %-11s %14s %14s %15s' CLASS REASON PACKETS/S DROPS/S BYTES/S)
	assert_equal "$(grep -cxF "$hdr" <<<"$output")" 3
	# nothing moved: only the total row, at zero
	assert_equal "$(grep -cxF "$(printf '%-9s %-11s %14s %14s %15s' total '' 0.0 0.0 0.0)" \
		<<<"$output")" 3
	local n
	n=$(xg_total)
	assert_equal "$(grep -cxF "since load: $n packets, 0 dropped, $(xg_total bytes) bytes" \
		<<<"$output")" 3
	assert_equal "$(grep -cxF "attack: none" <<<"$output")" 3
	assert_equal "${#lines[@]}" 15 # bats drops the blank lines
}

@test "--watch: the default interval is one second" {
	xg_shared_lab
	local t0=$SECONDS
	run -0 xg-stats --watch -c 1
	assert_line --partial ", every 1s, "
	((SECONDS - t0 >= 1)) || fail "returned before one second"
}

@test "-j --watch 0.2 -c 2: two NDJSON lines with the documented keys" {
	xg_shared_lab
	run -0 --separate-stderr xg-stats -j --watch 0.2 -c 2
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	local l c
	for l in "${lines[@]}"; do
		assert_equal "$(jq -c 'keys_unsorted' <<<"$l")" \
			'["time","time_ns","elapsed","interface","netns","rates","rate_total","counters","total","admission"]'
		assert_equal "$(jq -c '[.interface, .netns]' <<<"$l")" '[null,null]'
		assert_equal "$(jq -c '.rates | keys_unsorted' <<<"$l")" \
			'["tcp","udp","icmp","other_ip","non_ip"]'
		assert_equal "$(jq -c '.counters | keys_unsorted' <<<"$l")" \
			'["tcp","udp","icmp","other_ip","non_ip"]'
		for c in tcp udp icmp other_ip non_ip; do
			assert_equal "$(jq -c ".rates.$c | keys_unsorted" <<<"$l")" \
				'["pass","allowlisted","blocklisted","malformed","rate_syn","rate_udp","rate_icmp","rate_frag","syn_global","udp_global","icmp_global","frag_global","autoban","rule_drop","rule_rate","cookie_sent","cookie_bad"]'
		done
		assert_equal "$(jq -c '.rate_total | keys_unsorted' <<<"$l")" \
			'["packets","bytes","drops"]'
		assert_equal "$(jq -c '.total | keys_unsorted' <<<"$l")" \
			'["packets","bytes","dropped"]'
		# every rate a non-negative number, the counters integers
		assert_equal "$(jq '[.rates[][][], .rate_total[]
			| select(type != "number" or . < 0)] | length' <<<"$l")" 0
		assert_equal "$(jq '[.counters[][][], .total[]
			| select(type != "number" or . != floor or . < 0)]
			| length' <<<"$l")" 0
		assert_equal "$(jq '.elapsed > 0.15 and .elapsed < 2' <<<"$l")" true
		assert_equal "$(jq '.time_ns > 1700000000000000000 and (.time_ns | . == floor)' <<<"$l")" true
		# RFC 3339 UTC, microseconds, the same instant as time_ns
		assert_equal "$(jq '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$")' <<<"$l")" true
		assert_equal "$(jq '(.time | sub("\\.[0-9]+Z$"; "Z") | fromdate) == (.time_ns / 1e9 | floor)' <<<"$l")" true
	done
	# same counters as xg-stats -j
	assert_equal "$(jq -c .counters <<<"${lines[1]}")" \
		"$(xg-stats -j | jq -c .counters)"
}

@test "-j --watch: rates times elapsed add up to the counted packets" {
	xg_load_lab
	local out=$BATS_TEST_TMPDIR/watch.out pid before n
	before=$(xg_counter udp rate_udp)
	xg-stats -j --watch 0.5 -c 3 >"$out" &
	pid=$!
	sleep 0.7
	bump_counter 37 5 200 # udp/rate_udp: 5 per possible CPU
	wait "$pid"
	n=$(( $(xg_counter udp rate_udp) - before ))
	((n >= 5)) || fail "counter did not move: $n"
	assert_equal "$(wc -l <"$out")" 3
	assert_equal "$(jq -s "map(.rates.udp.rate_udp.packets * .elapsed) | add
		| . - $n | fabs < 0.01" "$out")" true
	assert_equal "$(jq -s "map(.rate_total.drops * .elapsed) | add
		| . - $n | fabs < 0.01" "$out")" true
	assert_equal "$(jq -s "map(.rate_total.packets * .elapsed) | add
		| . - $n | fabs < 0.01" "$out")" true
	assert_equal "$(tail -n 1 "$out" | jq .total.dropped)" "$n"
}

@test "--watch: a text row for a reason that moved, drops for a drop reason" {
	xg_load_lab
	local out=$BATS_TEST_TMPDIR/watch.out pid
	xg-stats --watch 0.5 -c 2 >"$out" &
	pid=$!
	sleep 0.7
	bump_counter 2 4 240 # tcp/blocklisted
	wait "$pid"
	grep -qE '^tcp +blocklisted +[0-9]+\.[0-9] +[0-9]+\.[0-9] +[0-9]+\.[0-9]$' "$out" ||
		fail "no tcp blocklisted row: $(cat "$out")"
	# on that row, drops/s equals packets/s
	awk '$1 == "tcp" && $2 == "blocklisted" && $3 != $4 { exit 1 }' "$out" ||
		fail "drops/s differs from packets/s"
}

@test "--watch: SIGINT and SIGTERM end it with exit 0" {
	xg_shared_lab
	local sig pid rc
	for sig in INT TERM; do
		xg-stats --watch 0.2 >"$BATS_TEST_TMPDIR/w.out" 2>&1 &
		pid=$!
		sleep 0.5
		kill -s "$sig" "$pid"
		rc=0
		wait "$pid" || rc=$?
		assert_equal "$rc" 0
		grep -q '^since load: ' "$BATS_TEST_TMPDIR/w.out" ||
			fail "no screen before SIG$sig"
	done
}

@test "--watch: not loaded is a runtime failure" {
	run -1 --separate-stderr xg-stats --watch 0.2 -c 1
	assert_equal "$stderr" "xg-stats: xdpguard is not loaded; run xg-load IFACE first"
}

# ---- --prometheus -------------------------------------------------------------

# check_prom FILE: every sample line well formed, every metric with HELP and
# TYPE before its first sample.
check_prom() {
	awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / {
		if (!($3 in help)) { print "TYPE before HELP: " $0; bad = 1 }
		if ($4 != "counter" && $4 != "gauge") { print "type: " $0; bad = 1 }
		type[$3] = 1; next
	}
	/^#/ { print "comment: " $0; bad = 1; next }
	{
		if ($0 !~ /^xdpguard_[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9]+$/) {
			print "bad line: " $0; bad = 1
		}
		name = $0; sub(/[{ ].*/, "", name)
		if (!(name in help) || !(name in type)) {
			print "no HELP/TYPE before: " $0; bad = 1
		}
	}
	END { exit bad }' "$1"
}

@test "--prometheus: strict format, per interface, sums match -j" {
	xg_load_lab
	local n
	n=$(xg_st_ncpu)
	xg-block 198.18.0.5 198.18.4.0/24 2001:db8::5
	xg-allow 198.18.1.1
	xg_st_set 1 tcp pass 3 180
	xg_st_set 1 udp blocklisted 2 120
	run -0 --separate-stderr xg-stats --prometheus
	assert_equal "$stderr" ""
	local f=$BATS_TEST_TMPDIR/x.prom
	printf '%s\n' "$output" >"$f"
	check_prom "$f" || fail "format: $(check_prom "$f")"
	local j
	j=$(xg-stats -j)
	assert_equal "$(awk '/^xdpguard_packets_total\{/ { s += $2 } END { print s }' "$f")" \
		"$(jq .total.packets <<<"$j")"
	assert_equal "$(awk '/^xdpguard_bytes_total\{/ { s += $2 } END { print s }' "$f")" \
		"$(jq .total.bytes <<<"$j")"
	# every class x reason (5 x 17) of the one interface, zeros included; the
	# detached slot counted nothing, so it has no samples
	assert_equal "$(grep -c '^xdpguard_packets_total{' "$f")" 85
	assert_equal "$(grep -c '^xdpguard_bytes_total{' "$f")" 85
	refute_line --partial '(detached)'
	local l="interface=\"$XG_IF@$XG_NS\""
	assert_line "xdpguard_packets_total{$l,protocol=\"tcp\",reason=\"pass\"} $((3 * n))"
	assert_line "xdpguard_bytes_total{$l,protocol=\"tcp\",reason=\"pass\"} $((180 * n))"
	assert_line "xdpguard_packets_total{$l,protocol=\"udp\",reason=\"blocklisted\"} $((2 * n))"
	assert_line "xdpguard_packets_total{$l,protocol=\"non_ip\",reason=\"autoban\"} 0"
	assert_line "xdpguard_packets_total{$l,protocol=\"tcp\",reason=\"rule_drop\"} 0"
	assert_line "xdpguard_packets_total{$l,protocol=\"non_ip\",reason=\"rule_rate\"} 0"
	assert_line "xdpguard_packets_total{$l,protocol=\"tcp\",reason=\"cookie_sent\"} 0"
	assert_line "xdpguard_packets_total{$l,protocol=\"non_ip\",reason=\"cookie_bad\"} 0"
	assert_line '# TYPE xdpguard_packets_total counter'
	assert_line '# TYPE xdpguard_bytes_total counter'
	assert_line '# TYPE xdpguard_events_total counter'
	assert_line '# TYPE xdpguard_list_entries gauge'
	assert_line '# TYPE xdpguard_tracked_sources gauge'
	assert_line '# TYPE xdpguard_automatic_bans gauge'
	assert_line '# TYPE xdpguard_interface_info gauge'
	assert_line 'xdpguard_events_total{result="sent"} 0'
	assert_line 'xdpguard_events_total{result="sampled"} 0'
	assert_line 'xdpguard_events_total{result="lost"} 0'
	assert_equal "$(grep -c '^xdpguard_events_total{' "$f")" 3
	local m
	for m in xdpguard_monitor_events_total xdpguard_features_total; do
		assert_line "# TYPE $m counter"
		assert_line "$m{result=\"sent\"} 0"
		assert_line "$m{result=\"sampled\"} 0"
		assert_line "$m{result=\"lost\"} 0"
		assert_equal "$(grep -c "^$m{" "$f")" 3
	done
	assert_line 'xdpguard_list_entries{list="blocklist",family="ipv4",kind="host"} 1'
	assert_line 'xdpguard_list_entries{list="blocklist",family="ipv4",kind="prefix"} 1'
	assert_line 'xdpguard_list_entries{list="blocklist",family="ipv6",kind="host"} 1'
	assert_line 'xdpguard_list_entries{list="blocklist",family="ipv6",kind="prefix"} 0'
	assert_line 'xdpguard_list_entries{list="allowlist",family="ipv4",kind="host"} 1'
	assert_equal "$(grep -c '^xdpguard_list_entries{' "$f")" 8
	assert_line 'xdpguard_tracked_sources 0'
	assert_line 'xdpguard_automatic_bans 0'
	assert_line "xdpguard_interface_info{$l,ifname=\"$XG_IF\",netns=\"$XG_NS\",mode=\"native\"} 1"
	assert_equal "$(grep -c '^xdpguard_interface_info{' "$f")" 1
	assert_line '# TYPE xdpguard_rule_hits_total counter'
	assert_line '# TYPE xdpguard_rule_bytes_total counter'
	assert_equal "$(grep -c '^xdpguard_rule_[a-z]*_total{' "$f")" 0
}

@test "--prometheus: two interfaces and the detached slot" {
	xg_load_lab
	local n q=xgq-$XG_SHORT f=$BATS_TEST_TMPDIR/x.prom
	n=$(xg_st_ncpu)
	xg_make_ns "$XG_NS" "$q" xgr-"$XG_SHORT"
	xg-load -n "$XG_NS" "$q" --mode skb
	xg_st_set 2 icmp rate_icmp 4 400
	xg_st_set 0 udp pass 1 70
	xg-stats --prometheus >"$f"
	check_prom "$f" || fail "format: $(check_prom "$f")"
	assert_equal "$(grep -c '^xdpguard_packets_total{' "$f")" 255
	assert_equal "$(grep -c "^xdpguard_packets_total{interface=\"$q@$XG_NS\"," "$f")" 85
	assert_equal "$(grep -c '^xdpguard_packets_total{interface="(detached)",' "$f")" 85
	grep -qxF "xdpguard_packets_total{interface=\"$q@$XG_NS\",protocol=\"icmp\",reason=\"rate_icmp\"} $((4 * n))" "$f" ||
		fail "no icmp rate_icmp sample of $q"
	grep -qxF "xdpguard_bytes_total{interface=\"(detached)\",protocol=\"udp\",reason=\"pass\"} $((70 * n))" "$f" ||
		fail "no detached sample"
	assert_equal "$(awk '/^xdpguard_packets_total\{/ { s += $2 } END { print s }' "$f")" \
		"$(xg_total)"
	assert_equal "$(grep -c '^xdpguard_interface_info{' "$f")" 2
	if command -v promtool >/dev/null; then
		promtool check metrics <"$f" || fail "promtool: $(promtool check metrics <"$f" 2>&1)"
	fi
}

@test "--prometheus: one sample of hits and bytes per rule, by id and action" {
	xg_load_lab
	local n f=$BATS_TEST_TMPDIR/x.prom
	n=$(xg_st_ncpu)
	xg-rule add prio 10 proto tcp dport 22 drop
	xg-rule add prio 5 proto udp rate 100/200 total
	xg-rule add prio 7 proto tcp dport 80 monitor
	# the deleted rule's samples go; the rule added after it (id 3 again:
	# xg-rule gives the next id after the highest) starts from 0 on its
	# own slot, with its own action
	xg_st_rule_hits 3 9 900
	xg-rule del prio 7
	xg-rule add prio 8 proto icmp pass
	run -0 xg-stats --prometheus
	assert_line 'xdpguard_rule_hits_total{id="3",action="pass"} 0'
	refute_line --partial 'action="monitor"'
	xg_st_rule_hits 1 3 180
	xg_st_rule_hits 3 2 196
	run -0 --separate-stderr xg-stats --prometheus
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$f"
	check_prom "$f" || fail "format: $(check_prom "$f")"
	assert_equal "$(grep '^xdpguard_rule_' "$f")" \
"xdpguard_rule_hits_total{id=\"2\",action=\"rate\"} 0
xdpguard_rule_hits_total{id=\"3\",action=\"pass\"} $((2 * n))
xdpguard_rule_hits_total{id=\"1\",action=\"drop\"} $((3 * n))
xdpguard_rule_bytes_total{id=\"2\",action=\"rate\"} 0
xdpguard_rule_bytes_total{id=\"3\",action=\"pass\"} $((196 * n))
xdpguard_rule_bytes_total{id=\"1\",action=\"drop\"} $((180 * n))"
	assert_line '# TYPE xdpguard_rule_hits_total counter'
	assert_line '# TYPE xdpguard_rule_bytes_total counter'
	if command -v promtool >/dev/null; then
		promtool check metrics <"$f" || fail "promtool: $(promtool check metrics <"$f" 2>&1)"
	fi
}

@test "--prometheus: no interfaces still gives HELP and TYPE" {
	xg_load_lab
	xg-unload -n "$XG_NS" "$XG_IF"
	run -0 xg-stats --prometheus
	local f=$BATS_TEST_TMPDIR/x.prom
	printf '%s\n' "$output" >"$f"
	check_prom "$f" || fail "format: $(check_prom "$f")"
	assert_line '# TYPE xdpguard_interface_info gauge'
	refute_line --partial 'xdpguard_interface_info{'
	# and no rule: the rule metrics still have HELP and TYPE
	assert_line '# TYPE xdpguard_rule_hits_total counter'
	assert_line '# TYPE xdpguard_rule_bytes_total counter'
	refute_line --partial 'xdpguard_rule_hits_total{'
	refute_line --partial 'xdpguard_rule_bytes_total{'
}

@test "--prometheus: promtool accepts it, if installed" {
	command -v promtool >/dev/null || skip "promtool not installed"
	xg_load_lab
	xg-block 198.18.0.5
	xg_st_set 1 tcp pass 3 180
	xg_st_set 0 udp pass 1 70
	run -0 --separate-stderr promtool check metrics < <(xg-stats --prometheus)
	assert_equal "$stderr" ""
	# and with nothing guarded
	xg-unload -n "$XG_NS" "$XG_IF"
	xg-stats --prometheus | promtool check metrics
}

@test "--watch -i: the rates and counters of one interface" {
	xg_load_lab
	local n out=$BATS_TEST_TMPDIR/watch.out pid l
	n=$(xg_st_ncpu)
	xg_st_set 0 tcp pass 9 900 # another slot: not this interface's
	xg_st_set 1 udp pass 2 200
	xg-stats -j --watch 0.5 -c 2 -i "$XG_IF" -n "$XG_NS" >"$out" &
	pid=$!
	sleep 0.7
	xg_st_set 1 udp pass 5 500
	wait "$pid"
	assert_equal "$(wc -l <"$out")" 2
	for l in 1 2; do
		assert_equal "$(sed -n "${l}p" "$out" | jq -c '[.interface, .netns]')" \
			"[\"$XG_IF\",\"$XG_NS\"]"
	done
	assert_equal "$(tail -n 1 "$out" | jq -c .total)" \
		"{\"packets\":$((5 * n)),\"bytes\":$((500 * n)),\"dropped\":0}"
	# 3 more packets on each CPU between the two screens
	assert_equal "$(jq -s "map(.rates.udp.pass.packets * .elapsed) | add
		| . - $((3 * n)) | fabs < 0.01" "$out")" true
	assert_equal "$(jq -s 'map(.rates.tcp.pass.packets) | add' "$out")" 0
	run -0 xg-stats --watch 0.2 -c 1 -i "$XG_IF@$XG_NS"
	assert_line --index 0 --regexp "^xdpguard 0\.1\.0, pins in .*, interface $XG_IF@$XG_NS, every 0\.2s, "
	assert_line "since load: $((5 * n)) packets, 0 dropped, $((500 * n)) bytes"
}

@test "--watch -i: the interface unloaded meanwhile ends it" {
	xg_load_lab
	local out=$BATS_TEST_TMPDIR/watch.out rc=0
	xg-stats --watch 0.3 -i "$XG_IF" --netns "$XG_NS" >"$out" 2>&1 &
	local pid=$!
	sleep 0.5
	xg-unload -n "$XG_NS" "$XG_IF"
	wait "$pid" || rc=$?
	assert_equal "$rc" 1
	assert_equal "$(tail -n 1 "$out")" "xg-stats: $XG_IF@$XG_NS is not guarded"
}

@test "--watch: on a terminal each screen clears and redraws" {
	command -v script >/dev/null || skip "script(1) not installed"
	xg_load_lab
	run -0 script -qec "xg-stats --watch 0.2 -c 2" /dev/null
	assert_equal "$(grep -o $'\e\\[H\e\\[2J' <<<"$output" | wc -l)" 2
	assert_equal "$(grep -c 'since load: ' <<<"$output")" 2
}
