#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# SYN cookies from XDP with real clients: an HTTP server in the protected
# namespace, xdpguard on its veth end with syn-cookies "on" for the
# server's port, and new clients (curl, each from an address the server
# has never seen) that must complete a handshake the program answered
# and fetch a file whose bytes are checked.
#
# The accounting is exact: the SYNs the clients' stack sent (an nftables
# counter on the client's output hook) are the cookies the program sent
# (tcp/cookie_sent, XDP_TX), the fetches are the valid cookie ACKs
# (acks_valid), a forged ACK is one tcp/cookie_bad, and a SYN to a port
# nobody listens on one no_listener.
#
# XDP_TX on a veth needs an XDP program on the peer: xg-gen's pass_sink
# on the client's end, for the whole file. The random-source flood draws
# from 198.18.128.0/17, off-link for the protected end: the program's
# SYN-ACKs to it go back over the veth, where pass_sink counts and drops
# them; the clients' own go through to their stack.

bats_require_minimum_version 1.5.0
load '../lib/common'

SRV_PORT=8080 # the HTTP server, cookies on
CLOSED_PORT=9 # cookies on, nobody listens
FORGE4=198.18.15.250 # source of the forged ACKs (raw frames only)
FORGE6=2001:db8:15::fa
RAND_NET=198.18.128.0/17
NEW4=60 # client addresses, each used for one connection
NEW6=10

setup_file() {
	xg_remove_stale
	xg_lab_up 15 || return 1
	XG_GEN_PIN=$XG_BPFFS/xgbe-$XG_RID-$XG_FTAG-gen
	export XG_GEN_PIN
	watchdog_start
	clients_add || return 1
	mkdir -p "$BATS_FILE_TMPDIR/www"
	head -c 65536 /dev/urandom >"$BATS_FILE_TMPDIR/www/small"
	head -c $((20 << 20)) /dev/urandom >"$BATS_FILE_TMPDIR/www/bulk"
	echo 0 >"$BATS_FILE_TMPDIR/next4"
	echo 0 >"$BATS_FILE_TMPDIR/next6"
	nft_setup || return 1
	server_start || return 1
	# the peer's XDP program, so that the veth takes the program's XDP_TX
	xg-gen --attach pass --drop-dst "$RAND_NET" -n "$XG_CNS" -d "$XG_CIF" \
		--pin-dir "$XG_GEN_PIN" || return 1
	xg-load -j -n "$XG_PNS" "$XG_PIF" --mode native \
		>"$BATS_FILE_TMPDIR/load.json" || return 1
	sc_mode on "$SRV_PORT" "$CLOSED_PORT" || return 1
	xg_lab_settle
}

teardown_file() {
	server_stop
	rm -rf "$XG_GEN_PIN"
	xg_lab_down
	xg_remove_file_leftovers
}

setup() {
	[[ $(jq .syn_cookies "$BATS_FILE_TMPDIR/load.json") == true ]] ||
		skip "this kernel has no SYN cookie helpers for XDP (5.3)"
	xg_lab_reset || fail "cannot reset the lab"
}

# ---- fixtures ----------------------------------------------------------------

# NEW4 IPv4 and NEW6 IPv6 client addresses on the client veth, with
# permanent neighbours both ways (no ARP or neighbour discovery in the
# counts): 198.18.15.100... and 2001:db8:15::100...
clients_add() {
	local cmac i a
	cmac=$(ip -n "$XG_CNS" -j link show "$XG_CIF" | jq -r '.[0].address')
	for ((i = 0; i < NEW4; i++)); do
		echo "addr add 198.18.15.$((100 + i))/24 dev $XG_CIF" >&4
		echo "neigh replace 198.18.15.$((100 + i)) lladdr $cmac" \
			"dev $XG_PIF nud permanent" >&5
	done 4>"$BATS_FILE_TMPDIR/c.batch" 5>"$BATS_FILE_TMPDIR/p.batch"
	for ((i = 0; i < NEW6; i++)); do
		a=$(printf '2001:db8:15::%x' $((0x100 + i)))
		echo "addr add $a/64 dev $XG_CIF nodad" >&4
		echo "neigh replace $a lladdr $cmac dev $XG_PIF nud permanent" >&5
	done 4>>"$BATS_FILE_TMPDIR/c.batch" 5>>"$BATS_FILE_TMPDIR/p.batch"
	ip -n "$XG_CNS" -batch "$BATS_FILE_TMPDIR/c.batch" &&
		ip -n "$XG_PNS" -batch "$BATS_FILE_TMPDIR/p.batch"
}

# new_addr 4|6: an address no connection has come from yet.
new_addr() {
	local f=$BATS_FILE_TMPDIR/next$1 n
	n=$(<"$f")
	echo $((n + 1)) >"$f"
	if [[ $1 == 4 ]]; then
		((n < NEW4)) || return 1
		echo "198.18.15.$((100 + n))"
	else
		((n < NEW6)) || return 1
		printf '2001:db8:15::%x\n' $((0x100 + n))
	fi
}

server_start() {
	# timeout: the server ends by itself even if this run is killed.
	ip netns exec "$XG_PNS" timeout 300 python3 \
		"$BATS_TEST_DIRNAME/../lib/http_server.py" "$BATS_FILE_TMPDIR/www" \
		"$SRV_PORT" "$XG_P4" "$XG_P6" </dev/null >/dev/null 2>&1 3>&- &
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

# If this file's bats process dies without teardown_file, a detached
# watchdog ends the server and removes the lab (as in flood.bats).
watchdog_start() {
	# shellcheck disable=SC2016 # expanded by the watchdog's shell
	setsid -f bash -c '
		while kill -0 "$1" 2>/dev/null; do sleep 1; done
		[[ -s $2 ]] && kill "$(cat "$2")" 2>/dev/null
		"$3" --all --pin-dir "$4" >/dev/null 2>&1
		rm -rf "$4" "$7"
		ip netns del "$5" 2>/dev/null
		ip netns del "$6" 2>/dev/null
	' xg-sc-watchdog "$BASHPID" "$BATS_FILE_TMPDIR/server.pid" \
		"$XG_BUILD/xg-unload" "$XDPGUARD_PIN_DIR" "$XG_CNS" "$XG_PNS" \
		"$XG_GEN_PIN" </dev/null >/dev/null 2>&1 3>&-
}

# sc_mode MODE PORT...: cookies in MODE for the ports (the command sets
# net.ipv4.tcp_syncookies in the protected namespace and says so).
sc_mode() {
	local IFS=,
	xg-threshold syn-cookies "$1" port "${*:2}" 2>/dev/null
}

# The cookie counters as one object {sent, bad, acks_valid, fallback,
# no_listener, unsupported}.
sc_counts() {
	xg-stats -j | jq -c '.syn_cookies | {sent, bad, acks_valid, fallback,
		no_listener, unsupported}'
}

# Counters outside xdpguard. On the client's output hook: what its stack
# sent out of the veth, and the SYNs among it; on its input hook, the
# RSTs from the closed port. On the protected veth after XDP: what of the
# forged ACKs' source reached the kernel.
nft_setup() {
	in_client nft -f - <<EOF || return 1
table inet xgsc {
	counter out {}
	counter syn_out {}
	counter syn_closed {}
	counter rst_closed {}
	chain output {
		type filter hook output priority 0; policy accept;
		oifname "$XG_CIF" counter name "out"
		oifname "$XG_CIF" tcp flags & (syn | ack) == syn counter name "syn_out"
		oifname "$XG_CIF" tcp dport $CLOSED_PORT tcp flags & (syn | ack) == syn counter name "syn_closed"
	}
	chain input {
		type filter hook input priority 0; policy accept;
		tcp sport $CLOSED_PORT tcp flags & rst == rst counter name "rst_closed"
	}
}
EOF
	in_protected nft -f - <<EOF
table netdev xgsc {
	counter forged {}
	chain ingress {
		type filter hook ingress device "$XG_PIF" priority 0; policy accept;
		ip saddr $FORGE4 counter name "forged"
		ip6 saddr $FORGE6 counter name "forged"
	}
}
EOF
}

# The protected namespace's own cookie counters: "k/sent" (SYN-ACKs with
# a cookie its stack sent) and "k/recv" (cookie ACKs it accepted: the
# connections made from the program's cookies).
kernel_cookies() {
	in_protected cat /proc/net/netstat | awk '
		$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		$1 == "TcpExt:" { for (i = 2; i <= NF; i++) v[k[i]] = $i }
		END { printf "{\"k/sent\":%d,\"k/recv\":%d}\n",
			v["SyncookiesSent"], v["SyncookiesRecv"] }'
}

nft_counters() {
	"$1" nft -j list counters table "$2" xgsc |
		jq -c '[.nftables[] | .counter? // empty
			| {("nft/" + .name): .packets}] | add'
}

# Everything a test compares, at one quiet moment.
snap() {
	local x s c p k g

	quiet
	x=$(xg-stats -j) &&
	s=$(sc_counts) &&
	c=$(nft_counters in_client inet) &&
	p=$(nft_counters in_protected netdev) &&
	k=$(kernel_cookies) &&
	g=$(xg-gen --read "$XG_GEN_PIN") || return 1
	jq -cn --argjson x "$x" --argjson s "$s" --argjson c "$c" \
		--argjson p "$p" --argjson k "$k" --argjson g "$g" \
		'{x: $x, s: $s, nft: ($c + $p + $k + {"sink": $g})}'
}

# delta BEFORE: D = the change since BEFORE, one flat object: "class/
# reason" (those that moved), "total", "sc/NAME", "nft/NAME", "k/NAME"
# and "sink" (the SYN-ACKs to the flood that came back to pass_sink).
delta() {
	local now
	now=$(snap) || fail "cannot read the counters"
	D=$(jq -cn --argjson a "$1" --argjson b "$now" '
		([$b.x.counters | to_entries[] | .key as $c | .value
		  | to_entries[]
		  | {key: "\($c)/\(.key)",
		     value: (.value.packets - $a.x.counters[$c][.key].packets)}
		  | select(.value != 0)] | from_entries)
		+ {total: ($b.x.total.packets - $a.x.total.packets)}
		+ ($b.s | with_entries(.key = "sc/" + .key
				       | .value -= $a.s[.key[3:]]))
		+ ($b.nft | with_entries(.value -= $a.nft[.key]))')
	echo "# delta: $D"
}

# fetch ADDR FILE: FILE from the server over IPv4 or IPv6 (as ADDR is),
# from ADDR, into $BATS_TEST_TMPDIR/ADDR; 0 when it is FILE's bytes.
fetch() {
	local url=http://$XG_P4:$SRV_PORT/$2 out=$BATS_TEST_TMPDIR/$1
	[[ $1 == *:* ]] && url=http://[$XG_P6]:$SRV_PORT/$2
	in_client curl -sS --noproxy '*' --interface "$1" --max-time 15 \
		-o "$out" "$url" || return 1
	cmp -s "$out" "$BATS_FILE_TMPDIR/www/$2"
}

# fetch_new FAMILY N FILE: N fetches of FILE at once, each from a new
# address; fails unless every one got FILE's bytes.
fetch_new() {
	local a pids=() p bad=0 i
	for ((i = 0; i < $2; i++)); do
		a=$(new_addr "$1") || fail "out of client addresses"
		fetch "$a" "$3" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
	echo "# $(($2 - bad)) of $2 fetches of $3 ok"
	((bad == 0))
}

# The cookie identities of N clients' connections: each SYN they sent was
# answered by a cookie, each connection completed with a valid cookie ACK
# that the kernel took (and its stack sent no SYN-ACK of its own).
assert_cookies() {
	assert_equal "$(d sc/sent)" "$(d nft/syn_out)"
	assert_equal "$(d sc/acks_valid)" "$1"
	assert_equal "$(d k/recv)" "$1"
	assert_equal "$(d k/sent)" 0
	assert_equal "$(d sc/bad)" 0
	assert_equal "$(d sc/fallback)" 0
	assert_equal "$(d sc/unsupported)" 0
}

# ---- tests -------------------------------------------------------------------

@test "IPv4: 5 new clients fetch a file; cookie_sent = their SYNs, acks_valid = 5" {
	local before
	before=$(snap)
	run -0 fetch_new 4 5 small
	delta "$before"
	assert_cookies 5
	assert_equal "$(d tcp/cookie_sent)" "$(d nft/syn_out)"
	assert_equal "$(d sc/no_listener)" 0
	# everything else the clients sent was passed, and nothing else came
	assert_equal "$(d total)" "$(d nft/out)"
	assert_equal "$(d tcp/pass)" $(($(d nft/out) - $(d nft/syn_out)))
}

@test "IPv6: 5 new clients fetch a file; cookie_sent = their SYNs, acks_valid = 5" {
	local before
	before=$(snap)
	run -0 fetch_new 6 5 small
	delta "$before"
	assert_cookies 5
	assert_equal "$(d sc/no_listener)" 0
	assert_equal "$(d total)" "$(d nft/out)"
	assert_equal "$(d tcp/pass)" $(($(d nft/out) - $(d nft/syn_out)))
}

@test "forged ACKs with a wrong cookie: dropped, counted cookie_bad exactly, none reaches the kernel" {
	local before pmac
	pmac=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq -r '.[0].address')
	before=$(snap)
	# ACK with seq 1, ack 0: the cookie is ack - 1, not one the kernel made
	run -0 in_client python3 "$BATS_TEST_DIRNAME/../lib/send_frames.py" \
		"$XG_CIF" "$pmac" "$FORGE4" "$XG_P4" "$FORGE6" "$XG_P6" \
		4,tcp,10,40001,$SRV_PORT,0,0 4,tcp,10,40002,$SRV_PORT,0,0 \
		4,tcp,10,40003,$SRV_PORT,0,0 6,tcp,10,40004,$SRV_PORT,0,0 \
		6,tcp,10,40005,$SRV_PORT,0,0
	delta "$before"
	assert_equal "$(d sc/bad)" 5
	assert_equal "$(d tcp/cookie_bad)" 5
	assert_equal "$(d total)" 5
	assert_equal "$(d nft/forged)" 0
	assert_equal "$(d sc/acks_valid)" 0
	assert_equal "$(d sc/sent)" 0
}

@test "SYN to a port nobody listens on: no_listener, passed, the kernel's RST" {
	local before a
	a=$(new_addr 4)
	before=$(snap)
	run -7 in_client curl -sS --noproxy '*' --interface "$a" --max-time 5 \
		"http://$XG_P4:$CLOSED_PORT/"
	a=$(new_addr 6)
	run -7 in_client curl -sS --noproxy '*' --interface "$a" --max-time 5 \
		"http://[$XG_P6]:$CLOSED_PORT/"
	delta "$before"
	assert_equal "$(d nft/syn_closed)" 2
	assert_equal "$(d sc/no_listener)" 2
	assert_equal "$(d tcp/pass)" 2
	assert_equal "$(d total)" 2
	assert_equal "$(d nft/rst_closed)" 2
	assert_equal "$(d sc/sent)" 0
}

@test "random-source SYN flood at 100,000/s: 10 of 10 new clients fetch; every SYN that arrived got a cookie" {
	local before pmac gen sent flood
	pmac=$(ip -n "$XG_PNS" -j link show "$XG_PIF" | jq -r '.[0].address')
	before=$(snap)
	xg-gen -n "$XG_CNS" -d "$XG_CIF" --dst-mac "$pmac" -p syn \
		--rand-src "$RAND_NET" -D "$XG_P4" --dport "$SRV_PORT" \
		--rate 100000 --count 300000 --time-limit 10 -j \
		>"$BATS_TEST_TMPDIR/gen.json" 2>&1 &
	gen=$!
	sleep 0.5
	run -0 fetch_new 4 10 small
	wait "$gen" || fail "xg-gen: $(cat "$BATS_TEST_TMPDIR/gen.json")"
	sent=$(jq .sent "$BATS_TEST_TMPDIR/gen.json")
	echo "# xg-gen: $(cat "$BATS_TEST_TMPDIR/gen.json")"
	delta "$before"
	# what the program saw besides the clients' packets is the flood
	flood=$(($(d total) - $(d nft/out)))
	echo "# flood SYNs that reached the program: $flood of $sent"
	assert_between $((sent / 2)) "$flood" "$sent"
	assert_equal "$(d sc/sent)" $((flood + $(d nft/syn_out)))
	# and every one of those SYN-ACKs went out and came back
	assert_equal "$(d sink)" "$flood"
	assert_equal "$(d sc/acks_valid)" 10
	assert_equal "$(d k/recv)" 10
	assert_equal "$(d k/sent)" 0
	assert_equal "$(d sc/bad)" 0
	assert_equal "$(d tcp/pass)" $(($(d nft/out) - $(d nft/syn_out)))
}

@test "bulk: 20 MB over a cookie connection, every byte right" {
	local before
	before=$(snap)
	run -0 fetch_new 4 1 bulk
	delta "$before"
	assert_cookies 1
}

@test "timestamps on: 74-byte SYN-ACKs (SACK, timestamp, window scale), the connection gets the listener's own scale, 20 MB right" {
	local before a ws info="" pid i x b0 n0 b1 n1
	run -0 xg-threshold syn-cookies timestamps on
	assert_output --partial "net.ipv4.tcp_timestamps"
	ws=$(xg-threshold -j | jq -r .syn_cookies.window_scale)
	[[ $ws =~ ^[0-9]+$ ]] || fail "window scale '$ws'"
	before=$(snap)
	a=$(new_addr 4) || fail "out of client addresses"
	# slow enough that the connection is there to be looked at
	in_client curl -sS --noproxy '*' --interface "$a" --limit-rate 8M \
		--max-time 15 -o "$BATS_TEST_TMPDIR/ts" \
		"http://$XG_P4:$SRV_PORT/bulk" &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -z $info ]] || break
		sleep 0.1
		info=$(in_protected ss -tinH state established \
			"( sport = :$SRV_PORT )")
	done
	wait "$pid" || fail "the fetch failed"
	cmp -s "$BATS_TEST_TMPDIR/ts" "$BATS_FILE_TMPDIR/www/bulk" ||
		fail "the bytes differ"
	echo "# server socket: $info" >&3
	[[ $info =~ wscale:[0-9]+,$ws ]] || fail "no window scale $ws: $info"
	delta "$before"
	assert_cookies 1
	# 74 bytes a SYN-ACK: Ethernet, IPv4, TCP with MSS, SACK permitted,
	# timestamp, NOP and window scale (ss shows neither ts nor sack here)
	x=$(xg-stats -j)
	b0=$(jq -r '.x.counters.tcp.cookie_sent.bytes // 0' <<<"$before")
	n0=$(jq -r '.x.counters.tcp.cookie_sent.packets // 0' <<<"$before")
	b1=$(jq -r '.counters.tcp.cookie_sent.bytes' <<<"$x")
	n1=$(jq -r '.counters.tcp.cookie_sent.packets' <<<"$x")
	assert_equal $(((b1 - b0) / (n1 - n0))) 74
	assert_equal $(((b1 - b0) % (n1 - n0))) 0
	run -0 xg-threshold syn-cookies timestamps off
}

@test "skb (generic) mode: new clients over IPv4 and IPv6 fetch a file through cookies" {
	local before
	xg-unload "$XG_PIF@$XG_PNS"
	xg-load -n "$XG_PNS" "$XG_PIF" --mode skb
	sc_mode on "$SRV_PORT" "$CLOSED_PORT"
	before=$(snap)
	run -0 fetch_new 4 3 small
	run -0 fetch_new 6 2 small
	delta "$before"
	assert_cookies 5
	# back to native for what follows
	xg-unload "$XG_PIF@$XG_PNS"
	xg-load -n "$XG_PNS" "$XG_PIF" --mode native
}
