#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# Flood defence with real floods: an attacker namespace floods a TCP server
# in a protected namespace whose veth end is guarded in native mode, while
# legitimate clients keep opening connections to that server.
#
# Every flood is bounded in packets and time, and the accounting is exact:
#   - the reasons add up to xg-stats' total, and that total equals the
#     frames the protected veth received (its rx counter counts every frame
#     the XDP program saw, dropped or passed);
#   - the packets xdpguard says it passed are the packets that reached the
#     kernel (an nftables ingress counter on the protected veth);
#   - for each flood, dropped + arrived = sent, per source and class.
#
# Addresses: the lab is 198.18.3.0/24 and 2001:db8:3::/64; the legitimate
# clients and the single-source attackers are extra addresses on the client
# veth (with permanent neighbours, so no ARP); the random-source flood draws
# from 198.18.128.0/17, for which the protected namespace has no route (and
# no default route), so not even a SYN-ACK to a spoofed source is sent.

bats_require_minimum_version 1.5.0
load '../lib/common'

SRV_PORT=8080 # the TCP server in the protected namespace
CLOSED_PORT=9 # nothing listens here
KNOWN_PORT=7 # the known UDP client's datagrams (nothing listens)
EST_PORT=8081 # one established connection through a flood (est_start)

L1=198.18.3.10 # legitimate client
L2=198.18.3.11 # legitimate client on the allowlist (random-source test)
A_SYN=198.18.3.21 # one attacker per test: its buckets start full
A_UDP=198.18.3.22
A_ICMP=198.18.3.23
A_FRAG=198.18.3.24
A_ALLOW=198.18.3.25
A_BAN=198.18.3.26
A_OFF=198.18.3.27
A6_B=2001:db8:3::a # a second IPv6 source in the client's /64
A6_C=2001:db8:3::b
RAND_NET=198.18.128.0/17 # random sources: off-link for the protected end
RAND_NET16=198.19.0.0/16 # more of them, just as off-link

setup_file() {
	xg_remove_stale
	xg_lab_up 3 || return 1
	watchdog_start
	local a cmac
	cmac=$(ip -n "$XG_CNS" -j link show "$XG_CIF" | jq -r '.[0].address')
	for a in "$L1" "$L2" "$A_SYN" "$A_UDP" "$A_ICMP" "$A_FRAG" \
		 "$A_ALLOW" "$A_BAN" "$A_OFF"; do
		ip -n "$XG_CNS" addr add "$a/24" dev "$XG_CIF" &&
		ip -n "$XG_PNS" neigh replace "$a" lladdr "$cmac" \
			dev "$XG_PIF" nud permanent || return 1
	done
	for a in "$A6_B" "$A6_C"; do
		ip -n "$XG_CNS" addr add "$a/64" dev "$XG_CIF" nodad &&
		ip -n "$XG_PNS" neigh replace "$a" lladdr "$cmac" \
			dev "$XG_PIF" nud permanent || return 1
	done
	nft_setup || return 1
	server_start || return 1
	xg-load -n "$XG_PNS" "$XG_PIF" --mode native || return 1
	# The MLD reports of the new IPv6 addresses must be over before any
	# count starts.
	xg_lab_settle
}

teardown_file() {
	server_stop
	xg_lab_down
	xg_remove_file_leftovers
}

setup() {
	xg_lab_reset || fail "cannot reset the lab"
	baseline || fail "cannot restore the default thresholds"
	XG_LEGIT=()
}

teardown() {
	legit_stop_all
	known_stop
	est_stop
}

# ---- fixtures ----------------------------------------------------------------

# The defaults of common/xg_abi.h (XG_DEF_*), with automatic bans off so
# that only the ban test bans; each test then sets what it needs.
baseline() {
	xg-threshold syn 200 --burst 400 &&
	xg-threshold udp 10000 --burst 20000 &&
	xg-threshold icmp 50 --burst 100 &&
	xg-threshold frag 1000 --burst 2000 &&
	xg-threshold syn-new 2000 --burst 4000 &&
	xg-threshold udp-new 2000 --burst 4000 &&
	xg-threshold icmp-new 200 --burst 400 &&
	xg-threshold frag-new 200 --burst 400 &&
	xg-threshold syn-global 50000 --burst 100000 &&
	xg-threshold udp-global 50000 --burst 100000 &&
	xg-threshold icmp-global 1000 --burst 2000 &&
	xg-threshold frag-global 5000 --burst 10000 &&
	xg-threshold v6-prefix 64 &&
	xg-threshold ban 0
}

# The TCP server: answers every connection with one line, "xg-ok".
server_start() {
	# timeout: the server ends by itself even if this run is killed.
	ip netns exec "$XG_PNS" timeout 300 socat \
		"TCP-LISTEN:$SRV_PORT,bind=$XG_P4,fork,reuseaddr,backlog=4096" \
		EXEC:"/bin/echo xg-ok" </dev/null >/dev/null 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/server.pid"
	xg_wait_listen tcp "$SRV_PORT"
}

server_stop() {
	local f=$BATS_FILE_TMPDIR/server.pid

	[[ -s $f ]] || return 0
	kill "$(cat "$f")" 2>/dev/null
	rm -f "$f"
	return 0
}

# If this file's bats process dies without running teardown_file (Ctrl-C,
# kill), a detached watchdog ends the server and removes the lab. setup_file
# runs in that process ($BASHPID), which lives until teardown_file is done;
# on a normal end the watchdog finds everything gone already.
watchdog_start() {
	# shellcheck disable=SC2016 # expanded by the watchdog's shell
	setsid -f bash -c '
		while kill -0 "$1" 2>/dev/null; do sleep 1; done
		[[ -s $2 ]] && kill "$(cat "$2")" 2>/dev/null
		"$3" --all --pin-dir "$4" >/dev/null 2>&1
		rm -rf "$4"
		ip netns del "$5" 2>/dev/null
		ip netns del "$6" 2>/dev/null
	' xg-flood-watchdog "$BASHPID" "$BATS_FILE_TMPDIR/server.pid" \
		"$XG_BUILD/xg-unload" "$XDPGUARD_PIN_DIR" "$XG_CNS" "$XG_PNS" \
		</dev/null >/dev/null 2>&1 3>&-
}

# Counters outside xdpguard. On the protected veth, at the netdev ingress
# hook (after XDP): every frame that reached the kernel, and the flood's
# frames by kind (everything not from a legitimate client); on the client's
# output hook: the SYNs the non-allowlisted legitimate client sent.
nft_setup() {
	in_protected nft -f - <<EOF || return 1
table netdev xgflood {
	counter passed {}
	counter f_syn {}
	counter f_udp {}
	counter f_frag {}
	counter f_icmp {}
	counter f6_echo {}
	counter l1_syn {}
	counter l1_udp {}
	counter l1_est {}
	counter l1_icmp {}
	counter l1_frag {}
	chain legit {
		ip saddr $L1 tcp flags & (syn | ack) == syn counter name "l1_syn"
		ip saddr $L1 udp dport $KNOWN_PORT counter name "l1_udp"
		ip saddr $L1 tcp dport $EST_PORT counter name "l1_est"
		ip saddr $L1 icmp type echo-request counter name "l1_icmp"
		ip saddr $L1 ip frag-off & 0x1fff != 0 counter name "l1_frag"
	}
	chain ingress {
		type filter hook ingress device "$XG_PIF" priority 0; policy accept;
		counter name "passed"
		ip saddr { $L1, $L2 } goto legit
		tcp flags & (syn | ack) == syn counter name "f_syn"
		ip protocol udp counter name "f_udp"
		ip frag-off & 0x1fff != 0 counter name "f_frag"
		ip protocol icmp counter name "f_icmp"
		icmpv6 type echo-request counter name "f6_echo"
	}
}
EOF
	in_client nft -f - <<EOF
table inet xgflood {
	counter l1_syn_out {}
	counter l1_udp_out {}
	counter l1_est_out {}
	counter l1_icmp_out {}
	counter l1_frag_out {}
	chain output {
		type filter hook output priority 0; policy accept;
		ip saddr $L1 tcp flags & (syn | ack) == syn counter name "l1_syn_out"
		ip saddr $L1 udp dport $KNOWN_PORT counter name "l1_udp_out"
		ip saddr $L1 tcp dport $EST_PORT counter name "l1_est_out"
		ip saddr $L1 icmp type echo-request counter name "l1_icmp_out"
		ip saddr $L1 ip frag-off & 0x1fff != 0 counter name "l1_frag_out"
	}
}
EOF
}

nft_counters() {
	"$1" nft -j list counters table "$2" xgflood |
		jq -c '[.nftables[] | .counter? // empty
			| {("nft/" + .name): .packets}] | add'
}

# ---- observation -------------------------------------------------------------



# Everything the accounting compares, at one quiet moment.
snap() {
	local x rx p c

	quiet
	x=$(xg-stats -j) &&
	rx=$(rx_packets) &&
	p=$(nft_counters in_protected netdev) &&
	c=$(nft_counters in_client inet) || return 1
	jq -cn --argjson x "$x" --argjson rx "$rx" --argjson p "$p" \
		--argjson c "$c" '{x: $x, rx: $rx, nft: ($p + $c)}'
}

# delta BEFORE: sets D to the change since BEFORE as one flat JSON object:
# "class/reason" (every one, zeros included), "total", "rx" (frames the
# protected veth received), "bans", "sources" and "nft/NAME".
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
		   rx: ($b.rx - $a.rx),
		   bans: $b.x.bans,
		   sources: $b.x.tracking.sources,
		   max_sources: $b.x.tracking.max_sources}
		+ ($b.nft | with_entries(.value -= $a.nft[.key]))')
	echo "# delta: $D"
}


# The identities that hold for any traffic: the reasons add up to the
# total, the total is what the veth received, and what xdpguard passed is
# what reached the kernel.
assert_accounting() {
	local sum passed

	sum=$(jq '[to_entries[] | select(.key | test("^[a-z_]+/[a-z_]+$"))
		   | select(.key | startswith("nft/") | not) | .value] | add' \
		<<<"$D")
	assert_equal "$sum" "$(d total)"
	assert_equal "$(d total)" "$(d rx)"
	passed=$(jq '[to_entries[] | select(.key |
		     test("^[a-z_]+/(pass|allowlisted|malformed)$")) | .value]
		     | add' <<<"$D")
	assert_equal "$passed" "$(d nft/passed)"
}

# assert_drops JSON: the drop reasons that moved are exactly the keys of
# JSON, e.g. '{"tcp/rate_syn":1}' (the values are not looked at).
assert_drops() {
	local got
	got=$(jq -cS '[to_entries[] | select(.key |
		test("/(blocklisted|rate_[a-z]+|[a-z]+_global|autoban|rule_[a-z]+)$"))
		| select(.value != 0) | .key] | sort' <<<"$D")
	assert_equal "$got" "$(jq -cS 'keys' <<<"$1")"
}



# hping ARGS...: hping3 in the client namespace; SENT = the packets it
# says it transmitted, DUR_MS = how long it ran (milliseconds, rounded up).
hping() {
	local err t0
	t0=$(now_us)
	err=$(in_client hping3 -q "$@" 2>&1 >/dev/null)
	DUR_MS=$((($(now_us) - t0 + 999) / 1000))
	SENT=$(sed -n 's/^\([0-9][0-9]*\) packets transmitted.*/\1/p' <<<"$err")
	[[ -n $SENT ]] || fail "hping3 $*: no statistics: $err"
	echo "# hping3 $*: $SENT sent in $DUR_MS ms"
}


# ---- legitimate clients ------------------------------------------------------

# legit_start NAME ADDR TIMEOUT: from ADDR, open a TCP connection to the
# server every 0.2 s until legit_stop_all; each attempt appends "ok MS" or
# "fail MS" (time to the server's line) to $BATS_TEST_TMPDIR/NAME.log.
# TIMEOUT is the connect timeout: the kernel retransmits an unanswered SYN
# after 1 s, 3 s, 7 s... as for any real client.
legit_start() {
	local name=$1 addr=$2 to=$3 dir=$BATS_TEST_TMPDIR

	: >"$dir/$name.log"
	rm -f "$dir/$name.stop"
	(
		while [[ ! -e $dir/$name.stop ]]; do
			t0=$(now_us)
			out=$(timeout $((to + 5)) ip netns exec "$XG_CNS" \
				socat -T 5 -u "TCP:$XG_P4:$SRV_PORT,bind=$addr,connect-timeout=$to" \
				- 2>/dev/null)
			[[ $out == xg-ok ]] && r=ok || r=fail
			echo "$r $((($(now_us) - t0) / 1000))" >>"$dir/$name.log"
			sleep 0.2
		done
	) </dev/null >/dev/null 2>&1 3>&- &
	XG_LEGIT+=("$name:$!")
	# A first connection before the flood starts.
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -s $dir/$name.log ]] && return 0
		sleep 0.1
	done
	fail "legitimate client $name made no connection in 5 s"
}

# est_start ADDR: one TCP connection from ADDR to EST_PORT, opened now,
# that sends a numbered line every 20 ms until est_stop; the protected end
# writes what arrives to est.out. The nft counters l1_est_out (segments
# sent) and l1_est (arrived) count its packets.
est_start() {
	local dir=$BATS_TEST_TMPDIR i

	: >"$dir/est.out"
	rm -f "$dir/est.stop"
	ip netns exec "$XG_PNS" timeout 60 socat -u \
		"TCP-LISTEN:$EST_PORT,bind=$XG_P4,reuseaddr" \
		"OPEN:$dir/est.out,append" </dev/null >/dev/null 2>&1 3>&- &
	EST_SRV=$!
	xg_wait_listen tcp "$EST_PORT"
	(
		i=0
		while [[ ! -e $dir/est.stop ]]; do
			echo "line $((++i))"
			sleep 0.02
		done
		echo "$i" >"$dir/est.sent"
	) | timeout 60 ip netns exec "$XG_CNS" socat -u - \
		"TCP:$XG_P4:$EST_PORT,bind=$1" >/dev/null 2>&1 3>&- &
	EST_PID=$!
	for ((i = 0; i < 50; i++)); do
		[[ -s $dir/est.out ]] && return 0
		sleep 0.1
	done
	fail "the established connection sent nothing in 5 s"
}

# Ends the connection; EST_SENT and EST_GOT are the lines sent and
# arrived.
est_stop() {
	local dir=$BATS_TEST_TMPDIR

	[[ -n ${EST_PID:-} ]] || return 0
	touch "$dir/est.stop"
	wait "$EST_PID" 2>/dev/null
	wait "$EST_SRV" 2>/dev/null
	EST_PID=
	EST_SENT=$(cat "$dir/est.sent" 2>/dev/null)
	EST_GOT=$(wc -l <"$dir/est.out")
	return 0
}

legit_stop_all() {
	local e

	for e in "${XG_LEGIT[@]}"; do
		touch "$BATS_TEST_TMPDIR/${e%%:*}.stop"
	done
	for e in "${XG_LEGIT[@]}"; do
		wait "${e##*:}" 2>/dev/null
	done
	XG_LEGIT=()
}

# assert_legit NAME MIN [MAX_MS]: at least MIN attempts, every one
# succeeded (each within MAX_MS if given).
assert_legit() {
	local log=$BATS_TEST_TMPDIR/$1.log n bad slow

	n=$(grep -c . "$log") || true
	bad=$(grep -c '^fail' "$log") || true
	echo "# $1: $n connections, $bad failed, times (ms): $(awk '{print $2}' "$log" | tr '\n' ' ')"
	((bad == 0)) || fail "$1: $bad of $n legitimate connections failed"
	((n >= $2)) || fail "$1: only $n connections, expected at least $2"
	if [[ -n ${3:-} ]]; then
		slow=$(awk -v m="$3" '$2 > m' "$log" | grep -c .) || true
		((slow == 0)) ||
			fail "$1: $slow connections took longer than $3 ms"
	fi
	return 0
}

# ---- the floods ----------------------------------------------------------------

@test "SYN flood from one source is held to burst + rate x time; legitimate connections succeed" {
	xg-threshold syn 100 --burst 100
	local before
	before=$(snap)
	legit_start l1 "$L1" 3
	hping -S -a "$A_SYN" -p "$SRV_PORT" -i u500 -c 3000 "$XG_P4"
	legit_stop_all
	delta "$before"
	assert_accounting
	assert_drops '{"tcp/rate_syn":1}'
	# Every SYN either reached the server or was dropped for its rate.
	assert_equal $(($(d tcp/rate_syn) + $(d nft/f_syn))) "$SENT"
	assert_between 100 "$(d nft/f_syn)" "$(ceiling 100 100)"
	# The legitimate client has its own bucket: none of its SYNs was
	# lost, so no connection waited for a retransmission.
	assert_equal "$(d nft/l1_syn)" "$(d nft/l1_syn_out)"
	assert_legit l1 3 900
	echo "# SYN flood: $SENT sent, $(d tcp/rate_syn) rate_syn, $(d nft/f_syn) passed" >&3
	run -0 xg-stats
	assert_line --regexp '^tcp +rate-syn +[1-9][0-9]* +[1-9][0-9]*$'
}

# admitted CLASS: the sources admitted into the tracker in CLASS so far.
admitted() {
	xg-stats -j | jq -e ".admission.$1.admitted"
}

@test "random-source SYN flood: the budget admits few, the ceiling drops the rest; a known client loses no SYN, its established connection no segment" {
	[[ -x $XG_BUILD/xg-gen ]] || fail "$XG_BUILD/xg-gen not built; run make"
	local pmac before count=20000 a0 t0
	pmac=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq -r '.[0].address')
	xg-threshold syn-new 10 --burst 10
	xg-threshold syn-global 100 --burst 100
	before=$(snap)
	a0=$(admitted syn)
	# L1's first connection, before the flood, has its source admitted:
	# from then on its SYNs meet only its own limit, never the ceiling.
	# Known means tracked for longer than the budget's burst takes to
	# refill (1 s here) when the flood begins: else it is on probation.
	legit_start l1 "$L1" 10
	est_start "$L1"
	sleep 1.5
	t0=$(now_us)
	run -0 xg-gen --netns "$XG_CNS" --dev "$XG_CIF" --dst-mac "$pmac" \
		--proto syn --src "$XG_C4" --rand-src "$RAND_NET" \
		--dst "$XG_P4" --dport "$SRV_PORT" --count "$count" --rate 10000
	echo "# xg-gen: $output"
	# under attack while the budget refuses, whichever way it is asked
	run -0 xg-stats -j
	assert_equal "$(jq -c '[.attack.engaged, .attack.classes, .admission.syn.attack]' \
		<<<"$output")" '[true,["syn"],true]'
	run -0 xg-stats
	assert_line --regexp '^syn +attack [0-9]+ s +[0-9]+ +[0-9]+ +[0-9]+ +[1-9][0-9]*$'
	run -0 xg-stats --prometheus
	assert_line 'xdpguard_under_attack{class="syn"} 1'
	assert_line 'xdpguard_under_attack{class="udp"} 0'
	legit_stop_all
	est_stop
	DUR_MS=$((($(now_us) - t0 + 999) / 1000))
	delta "$before"
	assert_accounting
	assert_drops '{"tcp/syn_global":1}'
	# L1's established connection lost no segment (none was sent
	# again), and every line it sent arrived.
	assert_equal "$(d nft/l1_est)" "$(d nft/l1_est_out)"
	assert_equal "$EST_GOT" "$EST_SENT"
	((EST_SENT > 0)) || fail "the established connection sent no line"
	# None of L1's SYNs was dropped: every connection made it at the
	# first try, however many the flood's SYNs the ceiling dropped.
	assert_equal "$(d nft/l1_syn)" "$(d nft/l1_syn_out)"
	assert_legit l1 3 900
	# Every generated SYN arrived, and was passed (admitted, or under
	# the ceiling) or dropped by the ceiling.
	assert_equal $(($(d tcp/syn_global) + $(d nft/f_syn))) "$count"
	# The budget admitted L1 and at most burst + rate x time of the
	# flood's sources; the tracker grew by exactly what it admitted.
	local adm=$(($(admitted syn) - a0))
	assert_between 1 "$adm" "$(ceiling 10 10)"
	local tracked=$(($(d sources) - $(jq '.x.tracking.sources' <<<"$before")))
	assert_equal "$tracked" "$adm"
	# The flood's passed SYNs: the admitted sources' and the ceiling's.
	assert_between 100 "$(d nft/f_syn)" $(($(ceiling 100 100) + adm))
	echo "# random-source SYN flood: $count sent, $(d tcp/syn_global) syn_global, $(d nft/f_syn) passed, $adm admitted; L1: $(d nft/l1_syn) SYNs, none lost; its connection: $EST_SENT lines, $(d nft/l1_est) segments, none lost" >&3
}

# known_start CLASS ADDR PPS: a known client, ADDR, sends CLASS (udp,
# icmp or frag) to the protected end, PPS packets (for frag: datagrams of
# three fragments) a second, until known_stop (hping3 in the client
# namespace). The nft counters l1_CLASS_out (sent) and l1_CLASS (arrived)
# count them: for udp the datagrams to KNOWN_PORT (where nothing
# listens), for icmp the echo requests, for frag the non-first fragments.
known_start() {
	local -A args=([udp]="--udp -p $KNOWN_PORT" [icmp]="--icmp"
		       [frag]="--udp -p $KNOWN_PORT -f -d 40")

	# shellcheck disable=SC2086 # the arguments are words
	in_client timeout 60 hping3 -q ${args[$1]} -a "$2" \
		-i "u$((1000000 / $3))" "$XG_P4" </dev/null >/dev/null 2>&1 3>&- &
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

# flood_known CLASS: a known client sends CLASS at 500 a second, tracked
# for longer than the budget's burst takes to refill (1 s), then a flood
# of CLASS from random sources runs at full generator rate. The budget
# admits at most burst + rate x time of the flood's sources, the ceiling
# drops 99% of the flood, the client keeps 99% of the packets of its that
# reached the program, and every packet is accounted for. A monitor rule
# on the client's address counts those: at full generator rate the veth
# drops some 15% of what is sent before XDP sees it, the client's packets
# among them, and that loss is the lab's, not the filter's.
flood_known() {
	local cls=$1 reason=$1_global pass=$1 fc=f_$1 pmac before a0 sent got
	local count=2000000 own rid seen

	[[ -x $XG_BUILD/xg-gen ]] || fail "$XG_BUILD/xg-gen not built; run make"
	# Fragments count in the class of their IP protocol (UDP here); the
	# client's own fragments: the first ones (l1_udp), the others.
	[[ $cls == frag ]] && reason=frag_global pass=udp
	# The flood's fragments that pass wait in the protected end's
	# reassembly queues for ipfrag_time (30 s) and fill its memory, and
	# the next test's datagrams could not be reassembled: queues of 1 s.
	[[ $cls == frag ]] && in_protected sysctl -qw net.ipv4.ipfrag_time=1
	pmac=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq -r '.[0].address')
	xg-threshold "$cls" 5000 --burst 5000
	xg-threshold "$cls-new" 20 --burst 20
	xg-threshold "$cls-global" 1000 --burst 1000
	before=$(snap)
	a0=$(admitted "$cls")
	rid=$(xg-rule add -j src "$L1" monitor | jq -er '.ids[0]') ||
		fail "cannot add the monitor rule"
	known_start "$cls" "$L1" 500
	sleep 1.5
	run -0 xg-gen --netns "$XG_CNS" --dev "$XG_CIF" --dst-mac "$pmac" \
		--proto "$cls" --src "$XG_C4" --rand-src "$RAND_NET16" \
		--dst "$XG_P4" --dport "$CLOSED_PORT" --count "$count"
	echo "# xg-gen: $output"
	sleep 0.5
	run -0 xg-stats -j
	assert_equal "$(jq -c ".admission.$cls.attack" <<<"$output")" true
	known_stop
	delta "$before"
	assert_accounting
	assert_drops "{\"$pass/$reason\":1}"
	sent=$(d "nft/l1_${cls}_out")
	got=$(d "nft/l1_$cls")
	((sent > 200)) || fail "the known client sent only $sent packets"
	# The rule sees all of the client's packets: for fragments the first
	# ones too, which the kernel counts as l1_udp.
	seen=$(xg-rule list -j | jq -er ".[] | select(.id == $rid) | .hits")
	own=$got all=$sent
	[[ $cls == frag ]] && own=$((got + $(d nft/l1_udp))) &&
		all=$((sent + $(d nft/l1_udp_out)))
	((seen <= all)) || fail "the rule saw $seen of the $all sent"
	((own * 100 >= seen * 99)) ||
		fail "the known client got $own of the $seen packets XDP saw through ($all sent)"
	# Every flood packet that reached the program was passed or dropped
	# by the ceiling (the veth may drop some before the program: its rx
	# counter is the total of assert_accounting); the rest of what
	# passed is the client's.
	local flood=$(($(d "$pass/$reason") + $(d "nft/$fc")))
	assert_equal $(($(d "$pass/pass") - $(d "nft/$fc"))) "$own"
	local adm=$(($(admitted "$cls") - a0))
	assert_between 1 "$adm" $((20 + 20 * 10))
	local pml=$(($(d "$pass/$reason") * 1000 / flood))
	echo "# random-source $cls flood: $flood of $count reached XDP, $(d "$pass/$reason") $reason (${pml}‰), $(d "nft/$fc") passed, $adm admitted; known client: $own of $seen seen by XDP, $all sent" >&3
	# the budget and the ceiling let through less than 1%
	((pml >= 990)) || fail "only ${pml}‰ of the flood dropped"
	if [[ $cls == frag ]]; then
		sleep 1.5 # the queues' second runs out
		in_protected sysctl -qw net.ipv4.ipfrag_time=30
	fi
}

@test "random-source UDP flood at full rate: a known client keeps 99% of its datagrams" {
	flood_known udp
}

@test "random-source ICMP flood at full rate: a known client keeps 99% of its echo requests" {
	flood_known icmp
}

@test "random-source fragment flood at full rate: a known client keeps 99% of its fragments" {
	flood_known frag
}

@test "UDP flood from one source: rate_udp" {
	xg-threshold udp 100 --burst 100
	local before
	before=$(snap)
	legit_start l1 "$L1" 3
	hping --udp -a "$A_UDP" -p "$CLOSED_PORT" -i u500 -c 3000 "$XG_P4"
	legit_stop_all
	delta "$before"
	assert_accounting
	assert_drops '{"udp/rate_udp":1}'
	assert_equal $(($(d udp/rate_udp) + $(d nft/f_udp))) "$SENT"
	assert_between 100 "$(d nft/f_udp)" "$(ceiling 100 100)"
	assert_legit l1 3 900
	echo "# UDP flood: $SENT sent, $(d udp/rate_udp) rate_udp, $(d nft/f_udp) passed" >&3
}

@test "ICMP flood from one source: rate_icmp" {
	xg-threshold icmp 100 --burst 100
	local before
	before=$(snap)
	legit_start l1 "$L1" 3
	hping --icmp -a "$A_ICMP" -i u500 -c 3000 "$XG_P4"
	legit_stop_all
	delta "$before"
	assert_accounting
	assert_drops '{"icmp/rate_icmp":1}'
	assert_equal $(($(d icmp/rate_icmp) + $(d nft/f_icmp))) "$SENT"
	assert_between 100 "$(d nft/f_icmp)" "$(ceiling 100 100)"
	assert_legit l1 3 900
	echo "# ICMP flood: $SENT sent, $(d icmp/rate_icmp) rate_icmp, $(d nft/f_icmp) passed" >&3
}

@test "fragment flood: non-first fragments are limited as their own class" {
	# UDP is unlimited here, so the first fragments (they carry the UDP
	# header) all pass; the fragments after them have no L4 header and
	# meet the fragment limit.
	xg-threshold udp off
	xg-threshold frag 100 --burst 100
	local before
	before=$(snap)
	legit_start l1 "$L1" 3
	# 40 bytes of data + the UDP header in 16-byte fragments: 3 per
	# datagram, the first and two more.
	hping --udp -f -d 40 -a "$A_FRAG" -p "$CLOSED_PORT" -i u1000 -c 1000 \
		"$XG_P4"
	legit_stop_all
	delta "$before"
	assert_accounting
	assert_drops '{"udp/rate_frag":1}'
	assert_equal $(($(d udp/rate_frag) + $(d nft/f_frag))) $((2 * SENT))
	assert_equal $(($(d nft/f_udp) - $(d nft/f_frag))) "$SENT"
	assert_between 100 "$(d nft/f_frag)" "$(ceiling 100 100)"
	assert_legit l1 3 900
	echo "# fragment flood: $((3 * SENT)) fragments, $(d udp/rate_frag) rate_frag, $(d nft/f_frag) non-first passed" >&3
}

@test "an allowlisted source that floods is never limited or banned" {
	xg-allow "$A_ALLOW"
	xg-threshold syn 100 --burst 100
	xg-threshold udp 100 --burst 100
	xg-threshold icmp 100 --burst 100
	xg-threshold syn-global 100 --burst 100
	xg-threshold ban 60 --factor 2 --after 1
	local before total=0
	before=$(xg-stats -j)
	hping --udp -a "$A_ALLOW" -p "$CLOSED_PORT" -i u500 -c 5000 "$XG_P4"
	total=$((total + SENT))
	local udp=$SENT
	hping --icmp -a "$A_ALLOW" -i u500 -c 1000 "$XG_P4"
	total=$((total + SENT))
	local icmp=$SENT
	hping -S -a "$A_ALLOW" -p "$CLOSED_PORT" -i u500 -c 1000 "$XG_P4"
	total=$((total + SENT))
	assert_delta "$before" "{\"udp/allowlisted\":$udp,\"icmp/allowlisted\":$icmp,\"tcp/allowlisted\":$SENT}"
	assert_equal "$(xg_hits xg-allow "$A_ALLOW")" "$total"
	run -0 xg-block list -j
	assert_output '[]'
	assert_equal "$(xg-stats -j | jq .bans)" 0
}

@test "a source that keeps flooding is banned automatically, then the ban expires" {
	xg-threshold udp 100 --burst 100
	# Banned for 8 s when over 2x the limit for 1 s.
	xg-threshold ban 8 --factor 2 --after 1
	local before
	before=$(snap)
	hping --udp -a "$A_BAN" -p "$CLOSED_PORT" -i u500 -c 3000 "$XG_P4"
	delta "$before"
	assert_accounting
	assert_drops '{"udp/rate_udp":1,"udp/autoban":1}'
	assert_equal $(($(d udp/rate_udp) + $(d udp/autoban) + $(d nft/f_udp))) \
		"$SENT"
	assert_equal "$(d bans)" 1
	run -0 xg-block list -j
	local e
	e=$(jq -c --arg a "$A_BAN" '.[] | select(.address == $a)' <<<"$output")
	[[ -n $e ]] || fail "$A_BAN is not on the blocklist: $output"
	assert_equal "$(jq -c '[.auto, .family, .prefix_len]' <<<"$e")" \
		'[true,"ipv4",32]'
	assert_between 1 "$(jq .expires_in <<<"$e")" 8
	# Every packet after the ban hit the entry.
	assert_equal "$(jq .hits <<<"$e")" "$(d udp/autoban)"
	run -0 xg-block list
	assert_line --regexp "^${A_BAN//./\\.} +[0-9]+ +[1-8]s  auto\$"
	run -0 xg-stats
	assert_line --regexp '^udp +autoban +[1-9][0-9]* +[1-9][0-9]*$'
	echo "# ban: $SENT sent, $(d udp/rate_udp) rate_udp, $(d udp/autoban) autoban, $(d nft/f_udp) passed; expires in $(jq .expires_in <<<"$e") s" >&3

	# The ban lifts itself: the program ignores the expired entry, the
	# tools delete it, and the source's traffic passes again.
	sleep "$(($(jq .expires_in <<<"$e") + 1))"
	before=$(xg-stats -j)
	hping --udp -a "$A_BAN" -p "$CLOSED_PORT" -i u100000 -c 5 "$XG_P4"
	assert_delta "$before" "{\"udp/pass\":$SENT}"
	run -0 xg-block list -j
	assert_output '[]'
	assert_equal "$(xg-stats -j | jq .bans)" 0
}

@test "xg-threshold syn off: the same SYN flood passes whole" {
	xg-threshold syn off
	local before
	before=$(xg-stats -j)
	hping -S -a "$A_OFF" -p "$CLOSED_PORT" -i u500 -c 2000 "$XG_P4"
	assert_delta "$before" "{\"tcp/pass\":$SENT}"
}

# ping6 SRC COUNT: echo requests from SRC, every 2 ms, in the background.
ping6_from() {
	in_client ping -6 -q -I "$1" -i 0.002 -W 1 -c "$2" "$XG_P6" \
		>"$BATS_TEST_TMPDIR/ping-$1.out" 2>&1 3>&-
}

ping6_sent() {
	sed -n 's/^\([0-9][0-9]*\) packets transmitted.*/\1/p' \
		"$BATS_TEST_TMPDIR/ping-$1.out"
}

@test "IPv6: sources in one /64 share one bucket; v6-prefix 128 separates them" {
	xg-threshold icmp 100 --burst 100
	local before t0 p1 p2 sent
	before=$(snap)
	t0=$(now_us)
	ping6_from "$XG_C6" 500 & p1=$!
	ping6_from "$A6_B" 500 & p2=$!
	wait "$p1" "$p2"
	DUR_MS=$((($(now_us) - t0 + 999) / 1000))
	sent=$(($(ping6_sent "$XG_C6") + $(ping6_sent "$A6_B")))
	delta "$before"
	assert_accounting
	assert_drops '{"icmp/rate_icmp":1}'
	assert_equal $(($(d icmp/rate_icmp) + $(d nft/f6_echo))) "$sent"
	# One bucket for both: at most one burst plus one rate.
	assert_between 100 "$(d nft/f6_echo)" "$(ceiling 100 100)"
	echo "# /64: $sent echo requests from 2 sources in $DUR_MS ms, $(d nft/f6_echo) passed" >&3

	# Per /128, two new keys: each source has its own burst.
	xg-threshold v6-prefix 128
	before=$(snap)
	ping6_from "$XG_C6" 150 & p1=$!
	ping6_from "$A6_C" 150 & p2=$!
	wait "$p1" "$p2"
	sent=$(($(ping6_sent "$XG_C6") + $(ping6_sent "$A6_C")))
	delta "$before"
	assert_accounting
	assert_equal $(($(d icmp/rate_icmp) + $(d nft/f6_echo))) "$sent"
	(($(d nft/f6_echo) >= 200)) ||
		fail "per /128 each source has a burst of 100: $(d nft/f6_echo) passed"
}
