#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-features with real traffic: frames of known shape from the client
# (tests/lib/send_frames.py, xg-gen) reach the guarded veth end and come
# out as one NDJSON line each, every field right; the same through a Unix
# socket into contrib/ids/consumer.py run as is; a consumer that goes away
# and comes back; rotated files under load with no line split.
#
# Lab: 198.18.13.0/24 and 2001:db8:13::/64.

bats_require_minimum_version 1.5.0
load '../lib/common'

CONSUMER=$BATS_TEST_DIRNAME/../../contrib/ids/consumer.py
SEND=$BATS_TEST_DIRNAME/../lib/send_frames.py

setup_file() {
	xg_remove_stale
	xg_lab_up 13 || return 1
	xg-load -n "$XG_PNS" "$XG_PIF" --mode native
}

teardown_file() {
	xg_lab_down
	xg_remove_file_leftovers
}

setup() {
	xg_lab_reset || fail "cannot reset the lab"
	xg-threshold features 1000000 --burst 1000000 >/dev/null ||
		fail "cannot turn features on"
	xg-threshold features sample 1/1 >/dev/null
	FT_PID=
	CONS_PID=
	FT_OUT=$BATS_TEST_TMPDIR/features.out
	FT_ERR=$BATS_TEST_TMPDIR/features.err
	SOCK=$BATS_TEST_TMPDIR/ids.sock
	PMAC=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq -r '.[0].address')
	quiet
}

teardown() {
	[[ -n $FT_PID ]] && kill "$FT_PID" 2>/dev/null
	[[ -n $CONS_PID ]] && kill "$CONS_PID" 2>/dev/null
	xg-threshold features off >/dev/null 2>&1
	xg-rule flush >/dev/null 2>&1
	return 0
}

# ---- helpers -----------------------------------------------------------------

ft_start() {
	timeout -s INT 30 xg-features "$@" >"$FT_OUT" 2>"$FT_ERR" 3>&- &
	FT_PID=$!
	xg_ft_wait_reader || fail "xg-features did not start: $(cat "$FT_ERR")"
	sleep 0.1 # the baseline is read right after the lock is taken
}

ft_stop() {
	kill -INT "$XG_FT_READER" 2>/dev/null
	FT_RC=0
	wait "$FT_PID" || FT_RC=$?
	FT_PID=
}

# sum WORD: the number before WORD in the summary line ("12 read").
sum() {
	grep -oE "[0-9]+ $1" "$FT_ERR" | tail -1 | cut -d' ' -f1
}

# frames ROW...: send_frames.py rows from the client (FAMILY,PROTO,FLAGS,
# SPORT,DPORT,TOS,PAYLOAD).
frames() {
	in_client python3 "$SEND" "$XG_CIF" "$PMAC" "$XG_C4" "$XG_P4" \
		"$XG_C6" "$XG_P6" "$@" || fail "send_frames.py failed"
}

gen() {
	xg-gen --netns "$XG_CNS" --dev "$XG_CIF" --dst-mac "$PMAC" "$@" \
		>/dev/null || fail "xg-gen $* failed"
}

# cons_start FILE: contrib/ids/consumer.py on $SOCK, its lines into FILE.
cons_start() {
	python3 "$CONSUMER" "$SOCK" >"$1" 2>"$1.err" 3>&- &
	CONS_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S $SOCK ]] && return 0
		sleep 0.1
	done
	fail "the consumer did not listen: $(cat "$1.err")"
}

# wait_lines FILE N: until FILE holds N lines (at most 5 s).
wait_lines() {
	local i
	for ((i = 0; i < 50; i++)); do
		(($(wc -l <"$1") >= $2)) && return 0
		sleep 0.1
	done
	fail "$1 holds $(wc -l <"$1") lines, not $2"
}

# The expected line of a row, without timestamp_ns: derived here from the
# row, the IANA ranges and the header sizes, independently of the tool.
want() {
	jq -nc --arg r "$1" --arg i "$XG_PIF@$XG_PNS" \
		--arg s4 "$XG_C4" --arg d4 "$XG_P4" --arg s6 "$XG_C6" \
		--arg d6 "$XG_P6" '
		($r | split(",")) as [$f, $p, $fl, $sp, $dp, $tos, $pl]
		| ($fl | ascii_downcase | explode | map(if . >= 97 then . - 87
			else . - 48 end) | .[0] * 16 + .[1]) as $flags
		| ({tcp: 6, udp: 17, icmp: (if $f == "6" then 58 else 1 end),
		    gre: 47}[$p]) as $proto
		| ({tcp: 20, udp: 8, icmp: 8, gre: 0}[$p]) as $l4
		| ($p == "tcp" or $p == "udp") as $ports
		| def port($n): ($n | tonumber) as $v | if $ports then
			[$v, (if $v <= 1023 then 1 else 0 end),
			 (if $v >= 1024 and $v <= 49151 then 1 else 0 end),
			 (if $v >= 49152 then 1 else 0 end)] else [0, 0, 0, 0] end;
		  def bit($b): if $p == "tcp" and ($flags / $b | floor) % 2 == 1
			then 1 else 0 end;
		port($sp) as $s | port($dp) as $d
		| (14 + (if $f == "6" then 40 else 20 end) + $l4 + ($pl | tonumber))
		  as $len
		| {ip_version: ($f | tonumber), protocol: $proto,
		   pr_tcp: (if $p == "tcp" then 1 else 0 end),
		   pr_udp: (if $p == "udp" then 1 else 0 end),
		   pr_icmp: (if $p == "icmp" then 1 else 0 end),
		   pr_other: (if $p == "gre" then 1 else 0 end),
		   tcp_fin: bit(1), tcp_syn: bit(2), tcp_rst: bit(4),
		   tcp_psh: bit(8), tcp_ack: bit(16), tcp_urg: bit(32),
		   tcp_ece: bit(64), tcp_cwr: bit(128),
		   src_port: $s[0], src_port_low: $s[1], src_port_mid: $s[2],
		   src_port_high: $s[3],
		   dst_port: $d[0], dst_port_low: $d[1], dst_port_mid: $d[2],
		   dst_port_high: $d[3],
		   pkt_len: (if $len < 60 then 60 else $len end),
		   payload_len: ($pl | tonumber), tos: ($tos | tonumber),
		   interface: $i,
		   src: (if $f == "6" then $s6 else $s4 end),
		   dst: (if $f == "6" then $d6 else $d4 end),
		   rule: null, reason: "pass"}'
}

# Rows of every kind the schema tells apart: each TCP flag, ports on both
# sides of each IANA boundary, UDP, ICMP, ICMPv6, another protocol, TOS
# and traffic class values, payloads.
ROWS=(
	4,tcp,02,40000,80,0,0
	4,tcp,12,80,40000,16,0
	4,tcp,18,1023,1024,0,100
	4,tcp,11,49151,49152,0,7
	4,tcp,04,65535,0,0,0
	4,tcp,e0,1024,1023,184,1
	4,tcp,29,5000,443,4,300
	4,udp,00,5353,53,184,50
	4,udp,00,0,65535,0,0
	4,icmp,00,0,0,16,56
	4,gre,00,0,0,0,24
	6,tcp,10,50000,22,40,10
	6,udp,00,123,123,0,48
	6,icmp,00,0,0,0,8
)

# ---- tests -------------------------------------------------------------------

@test "frames of known shape: one line each, every field right, in order" {
	local i want got
	ft_start
	frames "${ROWS[@]}"
	sleep 0.3
	ft_stop
	assert_equal "$FT_RC" 0
	assert_equal "$(wc -l <"$FT_OUT")" "${#ROWS[@]}"
	for ((i = 0; i < ${#ROWS[@]}; i++)); do
		want=$(want "${ROWS[i]}")
		got=$(sed -n "$((i + 1))p" "$FT_OUT" | jq -c 'del(.timestamp_ns)')
		assert_equal "$got" "$want"
	done
	assert_equal "$(head -1 "$FT_OUT" | jq -c keys_unsorted)" "$XG_FT_KEYS"
	# wall-clock nanoseconds: within the last minute
	local t now
	t=$(head -1 "$FT_OUT" | jq '.timestamp_ns / 1e9 | floor')
	now=$(date +%s)
	((now - 60 <= t && t <= now + 1)) || fail "timestamp $t is not now ($now)"
	assert_equal "$(tail -1 "$FT_ERR")" \
		"xg-features: ${#ROWS[@]} read, ${#ROWS[@]} written, 0 undelivered (0 buffer full), 0 filtered; 0 connects, 0 files; kernel: ${#ROWS[@]} sent, 0 over budget, 0 lost (ring full) since start"
}

@test "sample off: only a monitor rule's matches, with the rule's id" {
	local id
	xg-threshold features sample off >/dev/null
	xg-rule add proto udp dport 53 monitor
	id=$(xg-rule list -j | jq '.[0].id')
	ft_start -c 5
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 5353 --dport 54 \
		--count 20
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 5353 --dport 53 \
		--count 5
	FT_RC=0
	wait "$FT_PID" || FT_RC=$?
	FT_PID=
	assert_equal "$FT_RC" 0
	assert_equal "$(jq -c '[.rule, .dst_port, .reason]' "$FT_OUT" | sort | uniq -c | sed 's/^ *//')" \
		"5 [$id,53,\"pass\"]"
}

@test "through the Unix socket: contrib/ids/consumer.py as is, every line parses with every field" {
	local n=500
	cons_start "$BATS_TEST_TMPDIR/cons.out"
	ft_start --unix-socket "$SOCK" --batch 64 --batch-secs 0.2
	frames "${ROWS[@]}"
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 40000 \
		--dport 9 --count "$n"
	wait_lines "$BATS_TEST_TMPDIR/cons.out" $((n + ${#ROWS[@]}))
	ft_stop
	assert_equal "$FT_RC" 0
	# the consumer printed each line it decoded: every one has every field
	assert_equal "$(jq -c keys_unsorted "$BATS_TEST_TMPDIR/cons.out" | sort -u)" \
		"$XG_FT_KEYS"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/cons.out")" $((n + ${#ROWS[@]}))
	assert_equal "$(head -${#ROWS[@]} "$BATS_TEST_TMPDIR/cons.out" | jq -c 'del(.timestamp_ns)' | head -1)" \
		"$(want "${ROWS[0]}")"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/cons.out.err")" ""
	assert_equal "$(sum written)" $((n + ${#ROWS[@]}))
	assert_equal "$(sum undelivered)" 0
	assert_equal "$(sum connects)" 1
}

@test "a consumer that goes away and comes back: lines continue, what could not wait is counted" {
	local a=$BATS_TEST_TMPDIR/a.out b=$BATS_TEST_TMPDIR/b.out
	cons_start "$a"
	# 64 KiB hold ~90 lines: the 400 sent while nobody listens overflow
	ft_start --unix-socket "$SOCK" --buffer-size 64k
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --count 100
	wait_lines "$a" 100
	kill "$CONS_PID"
	wait "$CONS_PID" 2>/dev/null || :
	CONS_PID=
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --count 400
	sleep 0.3
	cons_start "$b"
	sleep 1.5 # the backoff: the next try within 0.8 s of the last
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 41000 --count 50
	wait_lines "$b" 50
	sleep 0.3
	ft_stop
	assert_equal "$FT_RC" 0
	assert_equal "$(wc -l <"$a")" 100
	# the second consumer has what waited in the buffer, then the rest
	assert_equal "$(jq -r .src_port "$b" | tail -50 | sort -u)" 41000
	assert_equal "$(sum read)" 550
	(($(sum undelivered) > 0)) || fail "nothing undelivered: $(cat "$FT_ERR")"
	assert_equal "$(($(wc -l <"$a") + $(wc -l <"$b") + $(sum undelivered)))" 550
	assert_equal "$(sum written)" $(($(wc -l <"$a") + $(wc -l <"$b")))
	assert_equal "$(sum connects)" 2
	assert_equal "$(jq -c keys_unsorted "$b" | sort -u)" "$XG_FT_KEYS"
	grep -qx "xg-features: connected to $SOCK" "$FT_ERR" ||
		fail "no note of the reconnection: $(cat "$FT_ERR")"
}

@test "rotated files under load: no line split, every line of every file parses, counts add up" {
	local d=$BATS_TEST_TMPDIR/out f lines=0 n
	mkdir "$d"
	ft_start --out-dir "$d" --rotate-size 256k --batch 256
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --count 20000
	sleep 0.5
	ft_stop
	assert_equal "$FT_RC" 0
	assert_equal "$(ls -A "$d" | grep -c '\.part$')" 0
	(($(sum files) >= 10)) || fail "only $(sum files) files: $(cat "$FT_ERR")"
	assert_equal "$(ls "$d" | wc -l)" "$(sum files)"
	for f in "$d"/features-*.ndjson; do
		(($(stat -c %s "$f") <= 256 * 1024)) || fail "$f is too big"
		[[ $(tail -c 1 "$f" | od -An -c | tr -d ' ') == '\n' ]] ||
			fail "$f does not end with a newline"
		n=$(jq -c 'select(keys_unsorted == '"$XG_FT_KEYS"')' "$f" | wc -l)
		assert_equal "$n" "$(wc -l <"$f")"
		lines=$((lines + n))
	done
	assert_equal "$lines" "$(sum written)"
	assert_equal "$(($(sum read) - $(sum undelivered)))" "$lines"
	# what the kernel sent, the tool read (the ring may have lost some)
	assert_equal "$(sum read)" "$(sum sent)"
	assert_equal "$(($(sum sent) + $(sum lost)))" 20000
}

@test "SIGHUP closes the file and opens the next; --keep N keeps the newest N" {
	local d=$BATS_TEST_TMPDIR/out
	mkdir "$d"
	ft_start --out-dir "$d" --keep 2
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 1001 --count 10
	sleep 0.3
	kill -HUP "$XG_FT_READER"
	sleep 0.2
	assert_equal "$(ls "$d" | wc -l)" 1
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 1002 --count 20
	sleep 0.3
	kill -HUP "$XG_FT_READER"
	sleep 0.2
	gen --proto udp --src "$XG_C4" --dst "$XG_P4" --sport 1003 --count 30
	sleep 0.3
	ft_stop
	assert_equal "$FT_RC" 0
	# three closed, the oldest deleted
	assert_equal "$(sum files)" 3
	assert_equal "$(ls "$d" | wc -l)" 2
	assert_equal "$(cat "$d"/features-*.ndjson | jq -c .src_port | uniq -c | sed 's/^ *//')" \
		"20 1002
30 1003"
}
