#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The rules of xg-rule (xg-rule(8)) with real traffic: a client namespace
# sends to a protected namespace whose veth end is guarded in native mode.
#
# The accounting is exact, as in flood.bats: the reasons add up to
# xg-stats' total, which is what the protected veth received; what xdpguard
# passed is what reached the kernel (an nftables ingress counter on the
# protected veth, after XDP); what a client sent is counted by nftables on
# its output hook (hping3 and the kernel's TCP) or by xg-gen itself; and
# each rule's hits (xg-rule list -j) are the packets that matched it.
#
# Addresses: the lab is 198.18.12.0/24; the known client and the banned
# source are extra addresses on the client veth (permanent neighbours, no
# ARP); the random-source flood draws from 198.19.0.0/16, for which the
# protected namespace has no route, so nothing is ever sent back to it.

bats_require_minimum_version 1.5.0
load '../lib/common'

OPEN_PORT=80 # listens, and new connections are let in
SHUT_PORT=8080 # listens, but new connections are dropped
OUT_PORT=5555 # a server in the client namespace (outgoing connections)
RATE_PORT=27015 # the UDP service under a rate rule (nothing listens)
KNOWN_PORT=7 # the known client's datagrams (nothing listens)
BAN_PORT=9999 # a drop ... ban rule's port

KNOWN=198.18.12.10 # the known client of the random-source flood
A_BAN=198.18.12.26 # the source the ban rule bans
RAND_NET16=198.19.0.0/16 # random sources: off-link for the protected end

setup_file() {
	xg_remove_stale
	xg_lab_up 12 || return 1
	watchdog_start
	local a cmac
	cmac=$(ip -n "$XG_CNS" -j link show "$XG_CIF" | jq -r '.[0].address')
	for a in "$KNOWN" "$A_BAN"; do
		ip -n "$XG_CNS" addr add "$a/24" dev "$XG_CIF" &&
		ip -n "$XG_PNS" neigh replace "$a" lladdr "$cmac" \
			dev "$XG_PIF" nud permanent || return 1
	done
	# The client's server answers a SYN with one SYN-ACK, never again:
	# the replies a test's rule drops do not go on into the next test.
	in_client sysctl -qw net.ipv4.tcp_synack_retries=0 || return 1
	nft_setup || return 1
	server_start protected "$XG_P4" "$OPEN_PORT" &&
	server_start protected "$XG_P4" "$SHUT_PORT" &&
	server_start client "$XG_C4" "$OUT_PORT" || return 1
	xg-load -n "$XG_PNS" "$XG_PIF" --mode native || return 1
	xg_lab_settle
}

teardown_file() {
	servers_stop
	xg_lab_down
	xg_remove_file_leftovers
}

setup() {
	xg_lab_reset || fail "cannot reset the lab"
}

teardown() {
	known_stop
}

# ---- fixtures ----------------------------------------------------------------

# server_start client|protected ADDR PORT: a TCP server in that namespace
# answering every connection with one line, "xg-ok". Its pid goes into
# servers.pid; timeout ends it even if this run is killed.
server_start() {
	local ns=$XG_CNS
	[[ $1 == protected ]] && ns=$XG_PNS
	ip netns exec "$ns" timeout 300 socat \
		"TCP-LISTEN:$3,bind=$2,fork,reuseaddr,backlog=64" \
		EXEC:"/bin/echo xg-ok" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >>"$BATS_FILE_TMPDIR/servers.pid"
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ip netns exec "$ns" ss -Hlnt "sport = :$3") ]] &&
			return 0
		sleep 0.1
	done
	return 1
}

servers_stop() {
	local f=$BATS_FILE_TMPDIR/servers.pid p

	[[ -s $f ]] || return 0
	for p in $(<"$f"); do
		kill "$p" 2>/dev/null
	done
	rm -f "$f"
	return 0
}

# If this file's bats process dies without running teardown_file, a
# detached watchdog ends the servers and removes the lab (see flood.bats).
watchdog_start() {
	# shellcheck disable=SC2016 # expanded by the watchdog's shell
	setsid -f bash -c '
		while kill -0 "$1" 2>/dev/null; do sleep 1; done
		[[ -s $2 ]] && kill $(cat "$2") 2>/dev/null
		"$3" --all --pin-dir "$4" >/dev/null 2>&1
		rm -rf "$4"
		ip netns del "$5" 2>/dev/null
		ip netns del "$6" 2>/dev/null
	' xg-rules-watchdog "$BASHPID" "$BATS_FILE_TMPDIR/servers.pid" \
		"$XG_BUILD/xg-unload" "$XDPGUARD_PIN_DIR" "$XG_CNS" "$XG_PNS" \
		</dev/null >/dev/null 2>&1 3>&-
}

# Counters outside xdpguard. On the protected veth at the netdev ingress
# hook (after XDP): every frame that reached the kernel, and the tests'
# frames by kind; on the client's output hook: what the client sent of
# the same kinds (xg-gen's frames bypass it: xg-gen counts them itself).
nft_setup() {
	in_protected nft -f - <<EOF || return 1
table netdev xgrules {
	counter passed {}
	counter open_syn {}
	counter shut_syn {}
	counter out_synack {}
	counter out_seg {}
	counter rate_udp {}
	counter known_udp {}
	counter ban_udp {}
	chain ingress {
		type filter hook ingress device "$XG_PIF" priority 0; policy accept;
		counter name "passed"
		tcp dport $OPEN_PORT tcp flags & (syn | ack) == syn counter name "open_syn"
		tcp dport $SHUT_PORT tcp flags & (syn | ack) == syn counter name "shut_syn"
		tcp sport $OUT_PORT tcp flags & (syn | ack) == syn | ack counter name "out_synack"
		tcp sport $OUT_PORT counter name "out_seg"
		udp dport $RATE_PORT counter name "rate_udp"
		ip saddr $KNOWN udp dport $KNOWN_PORT counter name "known_udp"
		ip saddr $A_BAN counter name "ban_udp"
	}
}
EOF
	in_client nft -f - <<EOF
table inet xgrules {
	counter open_syn_out {}
	counter shut_syn_out {}
	counter out_synack_out {}
	counter out_seg_out {}
	counter known_udp_out {}
	counter ban_udp_out {}
	chain output {
		type filter hook output priority 0; policy accept;
		tcp dport $OPEN_PORT tcp flags & (syn | ack) == syn counter name "open_syn_out"
		tcp dport $SHUT_PORT tcp flags & (syn | ack) == syn counter name "shut_syn_out"
		tcp sport $OUT_PORT tcp flags & (syn | ack) == syn | ack counter name "out_synack_out"
		tcp sport $OUT_PORT counter name "out_seg_out"
		ip saddr $KNOWN udp dport $KNOWN_PORT counter name "known_udp_out"
		ip saddr $A_BAN counter name "ban_udp_out"
	}
}
EOF
}

nft_counters() {
	"$1" nft -j list counters table "$2" xgrules |
		jq -c '[.nftables[] | .counter? // empty
			| {("nft/" + .name): .packets}] | add'
}

# ---- observation -------------------------------------------------------------



# Everything the accounting compares, at one quiet moment: xg-stats -j,
# the frames the protected veth received, the nft counters and the rules'
# hits by id.
snap() {
	local x rx p c r

	quiet
	x=$(xg-stats -j) &&
	rx=$(rx_packets) &&
	p=$(nft_counters in_protected netdev) &&
	c=$(nft_counters in_client inet) &&
	r=$(xg-rule list -j) || return 1
	jq -cn --argjson x "$x" --argjson rx "$rx" --argjson p "$p" \
		--argjson c "$c" --argjson r "$r" \
		'{x: $x, rx: $rx, nft: ($p + $c),
		  hits: ($r | map({("hits/\(.id)"): .hits}) | add // {})}'
}

# delta BEFORE: D = the change since BEFORE, one flat JSON object:
# "class/reason" (every one, zeros included), "total", "rx", "bans",
# "nft/NAME" and "hits/ID" (a rule added since BEFORE counts from 0).
delta() {
	local now
	now=$(snap) || fail "cannot read the counters"
	D=$(jq -cn --argjson a "$1" --argjson b "$now" '
		([$b.x.counters | to_entries[] | .key as $c | .value
		  | to_entries[]
		  | {key: "\($c)/\(.key)",
		     value: (.value.packets - $a.x.counters[$c][.key].packets)}]
		 | from_entries)
		+ {total: ($b.x.total.packets - $a.x.total.packets),
		   rx: ($b.rx - $a.rx), bans: $b.x.bans}
		+ ($b.nft | with_entries(.value -= $a.nft[.key]))
		+ ($b.hits | with_entries(.value -= ($a.hits[.key] // 0)))')
	echo "# delta: $D"
}


# The identities that hold for any traffic: the reasons add up to the
# total, the total is what the veth received, and what xdpguard passed is
# what reached the kernel.
assert_accounting() {
	local sum passed

	sum=$(jq '[to_entries[] | select(.key | test("^[a-z_]+/[a-z_]+$"))
		   | select(.key | test("^(nft|hits)/") | not) | .value]
		   | add' <<<"$D")
	assert_equal "$sum" "$(d total)"
	assert_equal "$(d total)" "$(d rx)"
	passed=$(jq '[to_entries[] | select(.key |
		     test("^[a-z_]+/(pass|allowlisted|malformed)$")) | .value]
		     | add' <<<"$D")
	assert_equal "$passed" "$(d nft/passed)"
}

# assert_drops JSON: the drop reasons that moved are exactly the keys of
# JSON, e.g. '{"tcp/rule_drop":1}' (the values are not looked at).
assert_drops() {
	local got
	got=$(jq -cS '[to_entries[] | select(.key | test("^[a-z_]+/[a-z_]+$"))
		| select(.key | test("^(nft|hits)/|/(pass|allowlisted|malformed)$")
		  | not)
		| select(.value != 0) | .key] | sort' <<<"$D")
	assert_equal "$got" "$(jq -cS 'keys' <<<"$1")"
}



# add_rule WORDS...: xg-rule add; RID = the new rule's id.
add_rule() {
	local out
	out=$(xg-rule add -j "$@") || fail "xg-rule add $* failed"
	RID=$(jq -er '.ids[0]' <<<"$out") || fail "xg-rule add: $out"
}

# connect NS_FROM ADDR PORT [TIMEOUT]: one TCP connection; 0 when the
# server's line "xg-ok" came back.
connect() {
	local ns=$XG_CNS out
	[[ $1 == protected ]] && ns=$XG_PNS
	out=$(timeout $((${4:-3} + 5)) ip netns exec "$ns" socat -T 3 -u \
		"TCP:$2:$3,connect-timeout=${4:-3}" - 2>/dev/null)
	[[ $out == xg-ok ]]
}

# gen ARGS...: xg-gen from the client veth to the protected end; SENT =
# the frames it sent, DUR_MS = its wall time (ms, rounded up: at least
# the time from its first frame to its last).
gen() {
	local pmac t0 out
	[[ -x $XG_BUILD/xg-gen ]] || fail "$XG_BUILD/xg-gen not built; run make"
	pmac=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq -r '.[0].address')
	t0=$(now_us)
	out=$(xg-gen --netns "$XG_CNS" --dev "$XG_CIF" --dst-mac "$pmac" \
		--dst "$XG_P4" -j "$@") || fail "xg-gen $*: $out"
	DUR_MS=$((($(now_us) - t0 + 999) / 1000))
	SENT=$(jq -er .sent <<<"$out") || fail "xg-gen $*: $out"
	echo "# xg-gen $*: $out, $DUR_MS ms wall"
}


# known_start PPS: the known client sends UDP to KNOWN_PORT, PPS datagrams
# a second, until known_stop (hping3 in the client namespace).
known_start() {
	in_client timeout 60 hping3 -q --udp -p "$KNOWN_PORT" -a "$KNOWN" \
		-i "u$((1000000 / $1))" "$XG_P4" </dev/null >/dev/null 2>&1 3>&- &
	KNOWN_PID=$!
}

known_stop() {
	[[ -n ${KNOWN_PID:-} ]] || return 0
	pkill -P "$KNOWN_PID" 2>/dev/null
	kill "$KNOWN_PID" 2>/dev/null
	wait "$KNOWN_PID" 2>/dev/null || true
	KNOWN_PID=
	return 0
}

# ---- the tests ---------------------------------------------------------------

@test "only 22, 80 and 443 accept new connections: another port's SYNs are dropped, one rule_drop per SYN; an outgoing connection still works" {
	local before drop_id
	# One rule, so that the SYNs to 22, 80 and 443 still meet the SYN
	# limits (a pass rule for them would skip the limits).
	add_rule proto tcp flags syn/syn,ack dport '!22,80,443' drop
	drop_id=$RID

	before=$(snap)
	# A new connection to a port among them works ...
	run -0 connect client "$XG_P4" "$OPEN_PORT"
	# ... one to another listening port does not: its SYN and every
	# retransmission of it are dropped (connect timeout 3 s: the SYN
	# and its retransmissions after 1 and 3 s).
	run -1 connect client "$XG_P4" "$SHUT_PORT" 3
	delta "$before"
	assert_accounting
	assert_drops '{"tcp/rule_drop":1}'
	assert_equal "$(d nft/open_syn)" "$(d nft/open_syn_out)"
	(($(d nft/shut_syn_out) >= 2)) ||
		fail "only $(d nft/shut_syn_out) SYNs to port $SHUT_PORT sent"
	assert_equal "$(d nft/shut_syn)" 0
	assert_equal "$(d tcp/rule_drop)" "$(d nft/shut_syn_out)"
	assert_equal "$(d "hits/$drop_id")" "$(d nft/shut_syn_out)"
	echo "# idiom: $(d nft/open_syn_out) SYN to $OPEN_PORT passed, $(d nft/shut_syn_out) SYNs to $SHUT_PORT dropped" >&3

	# An outgoing connection from the guarded end: its SYN-ACK (and
	# every other segment of the server's) matches neither rule.
	before=$(snap)
	run -0 connect protected "$XG_C4" "$OUT_PORT"
	delta "$before"
	assert_accounting
	assert_drops '{}'
	assert_equal "$(d nft/out_synack)" 1
	assert_equal "$(d nft/out_synack)" "$(d nft/out_synack_out)"
	assert_equal "$(d nft/out_seg)" "$(d nft/out_seg_out)"
	assert_equal "$(d tcp/pass)" "$(d nft/out_seg)"
	assert_equal "$(d "hits/$drop_id")" 0

	# The rule the idiom avoids, "all TCP to other ports", drops the
	# replies of that outgoing connection too.
	xg-rule flush >/dev/null
	add_rule proto tcp dport 22,80,443 pass
	add_rule proto tcp drop
	before=$(snap)
	run -1 connect protected "$XG_C4" "$OUT_PORT" 2
	sleep 1.2 # the client's last SYN-ACK timer runs out
	delta "$before"
	assert_drops '{"tcp/rule_drop":1}'
	(($(d nft/out_synack_out) >= 1)) || fail "no SYN-ACK was sent"
	assert_equal "$(d nft/out_synack)" 0
	assert_equal "$(d tcp/rule_drop)" "$(d nft/out_seg_out)"
}

@test "rate R total on UDP to one port: delivery capped at burst + R x time, the rest rule_rate, hits = sent" {
	local before rate=100 burst=200
	add_rule proto udp dport "$RATE_PORT" rate "$rate/$burst" total
	before=$(snap)
	gen --proto udp --src "$XG_C4" --dport "$RATE_PORT" --count 1000 \
		--rate 500
	delta "$before"
	assert_accounting
	assert_drops '{"udp/rule_rate":1}'
	assert_equal "$(d rx)" "$SENT"
	assert_equal "$(d "hits/$RID")" "$SENT"
	assert_between "$burst" "$(d nft/rate_udp)" "$(ceiling "$rate" "$burst")"
	assert_equal "$(d udp/rule_rate)" $((SENT - $(d nft/rate_udp)))
	assert_equal "$(d udp/pass)" "$(d nft/rate_udp)"
	echo "# rate $rate/$burst total: $SENT sent in $DUR_MS ms, $(d nft/rate_udp) delivered (at most $(ceiling "$rate" "$burst")), $(d udp/rule_rate) rule_rate" >&3
}

@test "a per-service total rate during a random-source UDP flood: the flood is capped, a known client to another port keeps 99%" {
	local before rate=1000 burst=1000 flood sent got
	add_rule proto udp dport "$RATE_PORT" rate "$rate/$burst" total
	before=$(snap)
	known_start 500
	sleep 1
	gen --proto udp --rand-src "$RAND_NET16" --dport "$RATE_PORT" \
		--count 200000 --rate 50000
	sleep 0.5
	known_stop
	delta "$before"
	assert_accounting
	assert_drops '{"udp/rule_rate":1}'
	sent=$(d nft/known_udp_out)
	got=$(d nft/known_udp)
	((sent > 500)) || fail "the known client sent only $sent datagrams"
	((got * 100 >= sent * 99)) ||
		fail "the known client got $got of $sent datagrams through"
	# Every flood frame that reached the program (the veth may drop some
	# before it: rx is the total) matched the rule, and was passed or
	# dropped by its rate; the rest of what arrived is the client's.
	flood=$(d "hits/$RID")
	assert_equal "$(d rx)" $((flood + got))
	assert_equal "$(d udp/rule_rate)" $((flood - $(d nft/rate_udp)))
	assert_between "$burst" "$(d nft/rate_udp)" "$(ceiling "$rate" "$burst")"
	assert_equal "$(d udp/pass)" $(($(d nft/rate_udp) + got))
	echo "# random-source flood: $SENT sent, $flood reached XDP, $(d nft/rate_udp) delivered in $DUR_MS ms, $(d udp/rule_rate) rule_rate; known client: $got of $sent" >&3
}

@test "drop ... ban 60: the first packet is a rule_drop, the others autoban; xg-block lists the source as auto" {
	local before e
	add_rule proto udp dport "$BAN_PORT" drop ban 60
	before=$(snap)
	in_client hping3 -q --udp -a "$A_BAN" -p "$BAN_PORT" -i u10000 -c 10 \
		"$XG_P4" >/dev/null 2>&1 || :
	delta "$before"
	assert_accounting
	assert_drops '{"udp/rule_drop":1,"udp/autoban":1}'
	assert_equal "$(d nft/ban_udp_out)" 10
	assert_equal "$(d nft/ban_udp)" 0
	assert_equal "$(d udp/rule_drop)" 1
	assert_equal "$(d udp/autoban)" 9
	assert_equal "$(d "hits/$RID")" 1
	assert_equal "$(d bans)" 1
	run -0 xg-block list -j
	e=$(jq -c --arg a "$A_BAN" '.[] | select(.address == $a)' <<<"$output")
	[[ -n $e ]] || fail "$A_BAN is not on the blocklist: $output"
	assert_equal "$(jq -c '[.auto, .family, .prefix_len, .hits]' <<<"$e")" \
		'[true,"ipv4",32,9]'
	assert_between 55 "$(jq .expires_in <<<"$e")" 60
	run -0 xg-block list
	assert_line --regexp "^${A_BAN//./\\.} +9 +(5[5-9]|60)s  auto\$"
	# Its later packets are dropped at step 2 of the decision order,
	# whatever the rules say: to a port no rule names, too.
	before=$(snap)
	in_client hping3 -q --udp -a "$A_BAN" -p "$KNOWN_PORT" -i u10000 -c 5 \
		"$XG_P4" >/dev/null 2>&1 || :
	delta "$before"
	assert_accounting
	assert_drops '{"udp/autoban":1}'
	assert_equal "$(d udp/autoban)" 5
	assert_equal "$(d "hits/$RID")" 0
	assert_equal "$(xg_hits xg-block "$A_BAN")" 14
}
