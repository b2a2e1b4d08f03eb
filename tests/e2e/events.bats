#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-events with real traffic: frames crafted by xg-gen from a blocklisted
# client reach the guarded veth end; every drop is either reported (sent),
# left out by the budget (sampled) or lost on a full ring buffer, and
# xg-events prints exactly the reported ones, with their fields.
#
# Lab: 198.18.7.0/24 and 2001:db8:7::/64.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() {
	xg_remove_stale
	xg_lab_up 7 || return 1
	# xg_lab_up waited for the lab to fall silent; loading sends nothing.
	xg-load -n "$XG_PNS" "$XG_PIF" --mode native
}

teardown_file() {
	xg_lab_down
	xg_remove_file_leftovers
}

setup() {
	xg_lab_reset || fail "cannot reset the lab"
	xg-threshold events 100 --burst 200 || fail "cannot reset the budget"
	xg-block "$XG_C4" "$XG_C6"
	EV_PID=
	EV_OUT=$BATS_TEST_TMPDIR/events.out
	EV_ERR=$BATS_TEST_TMPDIR/events.err
	PMAC=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq -r '.[0].address')
	PIFINDEX=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq '.[0].ifindex')
}

teardown() {
	[[ -n $EV_PID ]] && kill "$EV_PID" 2>/dev/null
	xg-rule flush >/dev/null 2>&1
	return 0
}

# ---- helpers -----------------------------------------------------------------

# ev_start ARGS...: xg-events in the background (ended after 30 s at the
# latest); returns once it holds the reader lock and has read its baseline.
# EV_PID is the timeout(1) around it, XG_EV_READER xg-events itself.
ev_start() {
	timeout -s INT 30 xg-events "$@" >"$EV_OUT" 2>"$EV_ERR" 3>&- &
	EV_PID=$!
	xg_ev_wait_reader || fail "xg-events did not start: $(cat "$EV_ERR")"
	# the baseline is read right after the lock is taken
	sleep 0.1
}

# ev_stop: SIGINT (Ctrl-C), then EV_RC is its exit status.
ev_stop() {
	kill -INT "$XG_EV_READER" 2>/dev/null
	ev_wait
}

# ev_wait: the exit of a reader that stops by itself (-c).
ev_wait() {
	EV_RC=0
	wait "$EV_PID" || EV_RC=$?
	EV_PID=
}

# gen ARGS...: frames from the client to the protected end.
gen() {
	xg-gen --netns "$XG_CNS" --dev "$XG_CIF" --dst-mac "$PMAC" "$@" \
		>/dev/null || fail "xg-gen $* failed"
}

# The drop records / the final summary of a -j run.
drops() { jq -c 'select(.type == "drop")' "$EV_OUT"; }
final() { jq -c 'select(.type == "summary" and .final)' "$EV_OUT"; }

# Packets dropped so far, every class and reason (malformed ones pass).
dropped_total() {
	xg-stats -j | jq '[.counters[] | to_entries[] |
		select(.key | IN("pass", "allowlisted", "malformed") | not) |
		.value.packets] | add'
}

# ---- tests -------------------------------------------------------------------

@test "a blocklisted client sends N SYNs: exactly N events, every field right" {
	local n=25 want
	ev_start -j
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --sport 40000 \
		--dport 80 --count "$n"
	sleep 0.3
	ev_stop
	assert_equal "$EV_RC" 0
	assert_equal "$(cat "$EV_ERR")" ""
	assert_equal "$(drops | wc -l)" "$n"
	# Every record is the same but for its time.
	want=$(jq -nc --arg i "$XG_PIF" --arg ns "$XG_PNS" \
		--argjson x "$PIFINDEX" --arg s "$XG_C4" --arg d "$XG_P4" \
		'{type: "drop", interface: $i, netns: $ns, ifindex: $x,
		  reason: "blocklisted", protocol: "tcp", family: "ipv4",
		  src: $s, dst: $d, ip_proto: 6, sport: 40000, dport: 80,
		  icmp_type: null, icmp_code: null, tcp_flags: ["SYN"],
		  fragment: false, len: 60}')
	assert_equal "$(drops | jq -c 'del(.time, .ts_ns)' | sort -u)" "$want"
	assert_equal "$(drops | head -1 | jq -c 'keys_unsorted')" \
		'["type","time","ts_ns","interface","netns","ifindex","reason","protocol","family","src","dst","ip_proto","sport","dport","icmp_type","icmp_code","tcp_flags","fragment","len"]'
	# Times: RFC 3339 UTC, within the last minute.
	drops | jq -e '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}Z$")' >/dev/null
	local t now
	t=$(drops | head -1 | jq -r '.time | sub("\\.[0-9]+Z$"; "Z") | fromdate')
	now=$(date +%s)
	((now - 60 <= t && t <= now + 1)) || fail "time $t is not now ($now)"
	assert_equal "$(final | jq -c '{sent, sampled, lost, printed, filtered, rate, burst}')" \
		"{\"sent\":$n,\"sampled\":0,\"lost\":0,\"printed\":$n,\"filtered\":0,\"rate\":100,\"burst\":200}"
	assert_equal "$(xg_counter tcp blocklisted)" "$n"
}

@test "a monitor rule: one monitor event per matching packet, the rule's id, the packet passed" {
	local n=7 id
	xg-block flush
	xg-rule add proto udp dport 53 monitor
	id=$(xg-rule list -j | jq '.[0].id')
	ev_start -j
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 5353 --dport 53 \
		--count "$n"
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 5353 --dport 54 \
		--count 3
	sleep 0.3
	ev_stop
	assert_equal "$EV_RC" 0
	assert_equal "$(jq -c 'select(.type == "monitor")' "$EV_OUT" | wc -l)" "$n"
	assert_equal "$(drops | wc -l)" 0
	assert_equal "$(jq -c 'select(.type == "monitor") | del(.time, .ts_ns)' "$EV_OUT" | sort -u)" \
		"$(jq -nc --arg i "$XG_PIF" --arg ns "$XG_PNS" \
			--argjson x "$PIFINDEX" --arg s "$XG_C4" --arg d "$XG_P4" \
			--argjson id "$id" \
			'{type: "monitor", rule: $id, interface: $i, netns: $ns,
			  ifindex: $x, reason: "pass", protocol: "udp",
			  family: "ipv4", src: $s, dst: $d, ip_proto: 17,
			  sport: 5353, dport: 53, icmp_type: null,
			  icmp_code: null, tcp_flags: null, fragment: false,
			  len: 60}')"
	assert_equal "$(xg-rule list -j | jq '.[0].hits')" "$n"
	assert_equal "$(xg_counter udp pass)" $((n + 3))
}

@test "a monitor rule on TCP 22: exactly one event for each packet of a connection to it" {
	local p0 p1 n id
	xg-block flush
	xg-rule add proto tcp dport 22 monitor
	id=$(xg-rule list -j | jq '.[0].id')
	ip netns exec "$XG_PNS" timeout 10 socat -u \
		"TCP-LISTEN:22,bind=$XG_P4,reuseaddr" /dev/null \
		</dev/null >/dev/null 2>&1 3>&- &
	xg_wait_listen tcp 22 || fail "nothing listens on 22"
	p0=$(xg_counter tcp pass)
	ev_start -j
	echo "hello over ssh's port" |
		ip netns exec "$XG_CNS" timeout 5 socat -u - "TCP:$XG_P4:22"
	sleep 0.5 # the FIN's ACK, and the event reader
	ev_stop
	wait
	p1=$(xg_counter tcp pass)
	n=$((p1 - p0))
	((n >= 4)) || fail "the connection made only $n packets"
	# every packet of the client's side of the connection, and only
	# those, is a monitor event of the rule, passed
	assert_equal "$(jq -c 'select(.type == "monitor")' "$EV_OUT" | wc -l)" "$n"
	assert_equal "$(jq -c 'select(.type == "monitor") | [.rule, .reason, .dport, .dst]' "$EV_OUT" | sort -u)" \
		"[$id,\"pass\",22,\"$XG_P4\"]"
	assert_equal "$(jq -c 'select(.type == "monitor") | .tcp_flags | index("SYN") != null' "$EV_OUT" | grep -c true)" 1
	assert_equal "$(xg-rule list -j | jq '.[0].hits')" "$n"
}

@test "text lines: TCP, UDP, ICMP, a fragment, IPv6 TCP and ICMPv6" {
	ev_start
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --sport 40001 --dport 443 -c 1
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 5353 --dport 53 -c 1
	gen --proto icmp --src "$XG_C4" --dst "$XG_P4" -c 1
	gen --proto frag --src "$XG_C4" --dst "$XG_P4" --size 200 -c 1
	gen --proto ack --src "$XG_C6" --dst "$XG_P6" --sport 40002 --dport 22 -c 1
	gen --proto icmp --src "$XG_C6" --dst "$XG_P6" -c 1
	sleep 0.3
	ev_stop
	assert_equal "$EV_RC" 0
	local ts='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z'
	local at="$XG_PIF@$XG_PNS blocklisted"
	run -0 cat "$EV_OUT"
	assert_equal "${#lines[@]}" 7
	assert_regex "${lines[0]}" "^$ts $at tcp $XG_C4:40001 -> $XG_P4:443 \\[S\\] len 60\$"
	assert_regex "${lines[1]}" "^$ts $at udp $XG_C4:5353 -> $XG_P4:53 len 60\$"
	assert_regex "${lines[2]}" "^$ts $at icmp $XG_C4 -> $XG_P4 type 8 code 0 len 60\$"
	assert_regex "${lines[3]}" "^$ts $at udp $XG_C4 -> $XG_P4 frag len 200\$"
	assert_regex "${lines[4]}" "^$ts $at tcp \\[$XG_C6\\]:40002 -> \\[$XG_P6\\]:22 \\[\\.\\] len 74\$"
	assert_regex "${lines[5]}" "^$ts $at icmp $XG_C6 -> $XG_P6 type 128 code 0 len 62\$"
	assert_equal "${lines[6]}" \
		"# end: 6 drops reported, 0 not reported (over 100 events/s), 0 lost since start; 6 printed"
}

@test "-c COUNT: exits by itself after COUNT events, with the summary" {
	ev_start -j -c 3
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --count 10
	ev_wait
	assert_equal "$EV_RC" 0
	assert_equal "$(drops | wc -l)" 3
	assert_equal "$(final | jq .printed)" 3
	# The summary is the last line.
	assert_equal "$(tail -1 "$EV_OUT" | jq -c '[.type, .final]')" '["summary",true]'
	ev_start -c 2
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --count 5
	ev_wait
	assert_equal "$EV_RC" 0
	run -0 cat "$EV_OUT"
	assert_equal "${#lines[@]}" 3
	assert_regex "${lines[2]}" '^# end: [0-9]+ drops reported, 0 not reported \(over 100 events/s\), 0 lost since start; 2 printed$'
}

@test "events from before the start are skipped; the next reader starts fresh" {
	# Nobody reads: these stay in the ring buffer.
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 1111 --count 5
	ev_start -j
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 2222 --count 4
	sleep 0.3
	ev_stop
	assert_equal "$(drops | jq -c .sport | sort | uniq -c | awk '{print $1 "x" $2}')" "4x2222"
	assert_equal "$(final | jq -c '[.sent, .printed]')" '[4,4]'
}

@test "--reason and -i pick events; the rest are counted as filtered" {
	ev_start -j --reason rate_syn,syn-global
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --count 5
	sleep 0.3
	ev_stop
	assert_equal "$(drops | wc -l)" 0
	assert_equal "$(final | jq -c '[.sent, .printed, .filtered]')" '[5,0,5]'

	ev_start -j -i "$XG_PIF@$XG_PNS" --reason blocklisted,autoban
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --count 5
	sleep 0.3
	ev_stop
	assert_equal "$(drops | wc -l)" 5
	assert_equal "$(final | jq -c '[.sent, .printed, .filtered]')" '[5,5,0]'

	ev_start -j -i "$XG_PIF" --netns "$XG_PNS" --reason blocklisted
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --count 2
	sleep 0.3
	ev_stop
	assert_equal "$(drops | wc -l)" 2
}

@test "drops by rules are events: rule_drop and rule_rate, picked by --reason" {
	xg-block flush
	xg-rule add prio 1 proto udp dport 9999 drop
	xg-rule add prio 2 proto udp dport 9997 rate 1/1 total
	ev_start -j --reason rule-drop,rule_rate
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 4000 --dport 9999 -c 5
	# one token: the first passes, the next four are over the rate
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 4000 --dport 9997 -c 5
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 4000 --dport 9998 -c 3
	sleep 0.3
	ev_stop
	assert_equal "$EV_RC" 0
	assert_equal "$(drops | jq -c '[.reason, .protocol, .src, .sport, .dport]' |
		sort | uniq -c | awk '{print $1 "x" $2}')" \
"5x[\"rule_drop\",\"udp\",\"$XG_C4\",4000,9999]
4x[\"rule_rate\",\"udp\",\"$XG_C4\",4000,9997]"
	assert_equal "$(final | jq -c '[.sent, .printed, .filtered]')" '[9,9,0]'
	assert_equal "$(xg_counter udp rule_drop)" 5
	assert_equal "$(xg_counter udp rule_rate)" 4
	# every packet a rule matched counts as its hit (a tie: prio 1 first)
	assert_equal "$(xg-stats -j --top 5 | jq -c '[.top_rules[] | [.id, .action, .hits]]')" \
		'[[1,"drop",5],[2,"rate",5]]'
	# --reason leaves them out like any other reason
	ev_start -j --reason rule_rate
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 4000 --dport 9999 -c 2
	sleep 0.3
	ev_stop
	assert_equal "$(drops | wc -l)" 0
	assert_equal "$(final | jq -c '[.sent, .printed, .filtered]')" '[2,0,2]'
	# and the text line names the reason
	ev_start -c 1
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 4000 --dport 9999 -c 1
	ev_wait
	assert_equal "$EV_RC" 0
	assert_regex "$(head -1 "$EV_OUT")" \
		" $XG_PIF@$XG_PNS rule_drop udp $XG_C4:4000 -> $XG_P4:9999 len 60\$"
}

@test "flood with events 50 -b 50: at most 50/s + 50 reported, the rest counted" {
	xg-threshold events 50 --burst 50
	local before after t0 t1 secs count=20000
	before=$(dropped_total)
	t0=$(date +%s%N)
	ev_start -j
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --count "$count" \
		--rate 10000
	sleep 0.3
	ev_stop
	t1=$(date +%s%N)
	after=$(dropped_total)
	assert_equal "$EV_RC" 0
	assert_equal $((after - before)) "$count"
	local sent sampled lost printed
	read -r sent sampled lost printed < <(final |
		jq -r '"\(.sent) \(.sampled) \(.lost) \(.printed)"')
	# Every drop counted once; every reported one printed.
	assert_equal $((sent + sampled + lost)) "$count"
	assert_equal "$lost" 0
	assert_equal "$printed" "$sent"
	assert_equal "$(drops | wc -l)" "$sent"
	# The budget: burst 50, then 50 a second for as long as it ran.
	secs=$(((t1 - t0 + 999999999) / 1000000000))
	echo "# $sent events in at most $secs s, $sampled sampled"
	((sent >= 50 && sent <= 50 * secs + 50)) ||
		fail "$sent events in $secs s (budget 50/s, burst 50)"
	# Exactly: no more than the burst plus 50/s between the first event
	# and the last.
	local span_ms
	span_ms=$(drops | jq -s '(.[-1].ts_ns - .[0].ts_ns) / 1e6 | floor')
	((sent <= 50 + 50 * span_ms / 1000 + 1)) ||
		fail "$sent events in $span_ms ms (budget 50/s, burst 50)"
	# A status record came every second the sampled count moved.
	jq -se 'map(select(.type == "summary" and (.final | not))) |
		length > 0' "$EV_OUT" >/dev/null ||
		fail "no status record during the flood"
	assert_equal "$(final | jq -c '[.rate, .burst]')" '[50,50]'
}

@test "a reader that stops reading: the full ring buffer loses events, counted" {
	xg-threshold events 1000000 --burst 1000000
	local count=6000 sent lost printed re
	ev_start
	kill -STOP "$XG_EV_READER"
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --count "$count"
	kill -CONT "$XG_EV_READER"
	# past the first status tick, one second after the start
	sleep 1.1
	ev_stop
	assert_equal "$EV_RC" 0
	# Text: the status line of the second the losses showed, then the end.
	run -0 grep '^#' "$EV_OUT"
	assert_equal "${#lines[@]}" 2
	re='^# ([0-9]+) drops reported, 0 not reported \(over 1000000 events/s\), ([0-9]+) lost since start'
	assert_regex "${lines[0]}" "$re\$"
	assert_regex "${lines[1]}" "^# end: ${re#^# }; ([0-9]+) printed\$"
	[[ ${lines[1]} =~ ([0-9]+)\ drops.*\ ([0-9]+)\ lost.*\ ([0-9]+)\ printed ]]
	sent=${BASH_REMATCH[1]} lost=${BASH_REMATCH[2]} printed=${BASH_REMATCH[3]}
	echo "# sent $sent, lost $lost"
	assert_equal $((sent + lost)) "$count"
	((lost > 0 && sent > 1000)) || fail "sent $sent, lost $lost"
	assert_equal "$printed" "$sent"
	assert_equal "$(grep -vc '^#' "$EV_OUT")" "$sent"
}

@test "events off: a note, nothing counted; turned on later, events flow" {
	xg-threshold events off
	ev_start -j
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --count 5
	sleep 0.3
	xg-threshold events 100
	gen --proto syn --src "$XG_C4" --dst "$XG_P4" --count 3
	sleep 0.3
	ev_stop
	assert_equal "$EV_RC" 0
	assert_equal "$(cat "$EV_ERR")" \
		"xg-events: drop events are off; turn them on with xg-threshold events RATE"
	assert_equal "$(drops | wc -l)" 3
	assert_equal "$(final | jq -c '[.sent, .sampled, .lost, .rate, .burst]')" \
		'[3,0,0,100,200]'
}
