#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The baseline of issue 15: at what rate of random-source SYNs do the
# kernel's own SYN cookies (tcp_syncookies=1) stop serving new clients?
# Not part of make test or make bench; run it by hand (root):
#
#   XG_BUILD=build bench/syncookies.sh
#
# Lab: namespaces xgs-c-ID (clients and flood) and xgs-s-ID (server),
# one veth pair, 198.18.0.1 <-> 198.18.0.2. The server runs
# python3 -m http.server (listen backlog 5) on port 8080 with a 1 MB file.
# One xg-gen per CPU sends SYNs from random sources in 198.19.128.0/17 to
# it; the server's SYN-ACKs to them leave through a veth whose peer is
# down (the "internet": built and sent, then dropped).
# New clients are curl processes, each from its own never-used address in
# 198.19.0.0/17 (secondary addresses on the client veth). Per flood step:
# offered SYN/s (xg-gen's count over its sending time), fetches that
# returned 200 with the whole file within --max-time, their median time,
# softirq and total CPU from /proc/stat from the first fetch to the end of
# the flood, the server namespace's SYN cookie counters and, when loaded,
# xdpguard's TCP counters.
#
# Modes: "kernel" (a bare XDP_PASS program on the server veth, needed so
# the veth accepts XDP_TX frames, the kernel's cookies do the work),
# "ceiling" (xg-load on the server veth at its defaults) and "xdp"
# (xg-load, syn-cookies on for the port, tcp_syncookies=2: the program
# answers every SYN to the port with XDP_TX; the answers to the flood come
# back over the veth, where xg-gen's pass_sink drops them and lets the
# clients' through). Only 198.18.0.0/15, only in namespaces made here,
# removed by a trap.
#
# Environment: XG_BUILD (build), XG_SC_RATES ("0 25000 50000 100000
# 200000 400000 800000 max"), XG_SC_MODES ("kernel ceiling xdp"), XG_SC_FETCHES (40),
# XG_SC_PAR (10 curls at a time), XG_SC_JSON ($XG_BUILD/syncookies.json),
# XG_SC_NAPI (inline or threaded; see below), XG_SC_BULK (20: 1 MB fetches
# over cookie and over normal connections after the last xdp step; 0: none).
#
# NAPI: "inline" is how the veth delivers XDP_TX frames by default: in the
# generator's own softirq, on its CPU, batch by batch. The generator then
# never sends faster than the server's stack takes the SYNs, and nothing
# is ever dropped before the stack: a flood that paces itself. "threaded"
# (echo 1 > /sys/class/net/DEV/threaded on the server veth) moves the
# receive into NAPI kernel threads: the generators fill the veth's rings
# (256 frames a queue) as fast as they can, and what does not fit is
# dropped there, the clients' packets among the flood's, as at a NIC
# whose ring the stack cannot drain.

set -u -o pipefail

B=${XG_BUILD:-build}
B=$(cd "$B" && pwd) || exit 1
RATES=${XG_SC_RATES:-0 25000 50000 100000 200000 400000 800000 max}
MODES=${XG_SC_MODES:-kernel ceiling xdp}
FETCHES=${XG_SC_FETCHES:-40}
PAR=${XG_SC_PAR:-10}
NAPI=${XG_SC_NAPI:-inline}
JSON_OUT=${XG_SC_JSON:-$B/syncookies.json}
PATH="$B:$PATH"
PORT=8080
PORT2=8081 # the same server without cookies (bulk comparison, mode xdp)
MAXT=3 # curl --max-time, seconds
BULK=${XG_SC_BULK:-20} # fetches of each kind in the bulk comparison
C4=198.18.0.1
S4=198.18.0.2
FLOOD=198.19.128.0/17
# The flood runs this long before the first fetch, and long enough that
# every batch of fetches (at most MAXT s each) is under it.
LEAD=1

die() {
	echo "syncookies: $*" >&2
	exit 1
}

[[ $(id -u) == 0 ]] || die "needs root (network namespaces, XDP)"
for t in xg-gen xg-load xg-unload xg-stats xg-threshold; do
	[[ -x $B/$t ]] || die "$B/$t is missing; run make"
done
for t in jq ip curl python3 taskset bpftool; do
	command -v "$t" >/dev/null || die "$t is not installed"
done

ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
CNS=xgs-c-$ID
SNS=xgs-s-$ID
VC=xgsc$ID
VS=xgss$ID
PIN=/sys/fs/bpf/xgs-$ID
TMP=$(mktemp -d /tmp/xgs-XXXXXX)
NCPU=$(nproc)
SRV_PID=
SRV2_PID=
GEN_PIDS=()

cleanup() {
	trap - EXIT INT TERM
	local p

	for p in "${GEN_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[[ -n $SRV_PID ]] && kill "$SRV_PID" 2>/dev/null
	[[ -n $SRV2_PID ]] && kill "$SRV2_PID" 2>/dev/null
	[[ -d $PIN/xg ]] && xg-unload --all --pin-dir "$PIN/xg" >/dev/null 2>&1
	ip netns del "$CNS" 2>/dev/null
	ip netns del "$SNS" 2>/dev/null
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_up() {
	local smac cmac

	ip netns add "$CNS" && ip netns add "$SNS" || return 1
	# a queue per CPU, so that each generator's frames have their own
	# receive queue and NAPI on the generator's CPU
	ip link add "$VC" netns "$CNS" numtxqueues "$NCPU" numrxqueues "$NCPU" \
		type veth peer name "$VS" netns "$SNS" numtxqueues "$NCPU" \
		numrxqueues "$NCPU" || return 1
	ip -n "$CNS" addr add $C4/24 dev "$VC"
	ip -n "$SNS" addr add $S4/24 dev "$VS"
	ip -n "$CNS" link set lo up
	ip -n "$SNS" link set lo up
	ip -n "$CNS" link set "$VC" up
	ip -n "$SNS" link set "$VS" up
	smac=$(ip -n "$SNS" -j link show "$VS" | jq -r '.[0].address')
	cmac=$(ip -n "$CNS" -j link show "$VC" | jq -r '.[0].address')
	ip -n "$CNS" neigh replace $S4 lladdr "$smac" dev "$VC" nud permanent
	ip -n "$SNS" neigh replace $C4 lladdr "$cmac" dev "$VS" nud permanent
	# clients' addresses back through the veth, the flood's into a dummy
	ip -n "$SNS" route add 198.19.0.0/17 via $C4 dev "$VS" || return 1
	# (no dummy module here: a veth whose peer stays down; a permanent
	# neighbour for the gateway, so no ARP per flood source)
	ip -n "$SNS" link add xgsk type veth peer name xgsk-peer || return 1
	ip -n "$SNS" addr add 198.18.9.1/24 dev xgsk
	ip -n "$SNS" link set xgsk up
	ip -n "$SNS" neigh replace 198.18.9.9 lladdr 02:00:00:00:00:09 \
		dev xgsk nud permanent
	ip -n "$SNS" route add $FLOOD via 198.18.9.9 dev xgsk onlink ||
		return 1
	ip netns exec "$SNS" sysctl -qw net.ipv4.tcp_syncookies=1 \
		net.core.somaxconn=64 || return 1
	mkdir -p "$PIN"
	head -c 1048576 /dev/urandom >"$TMP/f"
	(cd "$TMP" && exec ip netns exec "$SNS" python3 -m http.server \
		--bind $S4 $PORT >/dev/null 2>&1) &
	SRV_PID=$!
	# the same files on a port without cookies, for the bulk comparison
	(cd "$TMP" && exec ip netns exec "$SNS" python3 -m http.server \
		--bind $S4 $PORT2 >/dev/null 2>&1) &
	SRV2_PID=$!
	for _ in $(seq 50); do
		ip netns exec "$CNS" curl -s -o /dev/null --max-time 1 \
			"http://$S4:$PORT/f" && return 0
		sleep 0.1
	done
	return 1
}

# Client address number N (0-based): 198.19.(N/250).(N%250+1), each used
# for one fetch only.
NEXT_ADDR=0
client_addrs() {
	local n=$1 i a

	CLIENTS=()
	for ((i = 0; i < n; i++)); do
		a=198.19.$((NEXT_ADDR / 250)).$((NEXT_ADDR % 250 + 1))
		NEXT_ADDR=$((NEXT_ADDR + 1))
		CLIENTS+=("$a")
		echo "addr add $a/32 dev $VC"
	done >"$TMP/addrs"
	ip -n "$CNS" -batch "$TMP/addrs"
}

# softirq and busy ticks summed over all CPUs
cpu_ticks() {
	awk '$1 == "cpu" { print $8, $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# server namespace's TcpExt counters, as a JSON object
tcpext() {
	ip netns exec "$SNS" cat /proc/net/netstat | awk '
		$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		$1 == "TcpExt:" { for (i = 2; i <= NF; i++) v[k[i]] = $i }
		END {
			printf "{\"cookies_sent\":%d,\"cookies_recv\":%d,", \
				v["SyncookiesSent"], v["SyncookiesRecv"]
			printf "\"cookies_failed\":%d,\"listen_overflows\":%d,", \
				v["SyncookiesFailed"], v["ListenOverflows"]
			printf "\"listen_drops\":%d}\n", v["ListenDrops"]
		}'
}

fetch() {
	ip netns exec "$CNS" curl -s -o /dev/null --interface "$1" \
		--max-time $MAXT -w '%{http_code} %{size_download} %{time_total}\n' \
		"http://$S4:${2:-$PORT}/f" 2>/dev/null || echo "000 0 $MAXT"
}

# After the xdp steps, with syn-cookies still on for PORT: BULK fetches
# of the 1 MB file one at a time, each from a new address, alternately
# over a cookie connection (PORT: the program's SYN-ACK, MSS option only,
# so no window scaling and a window of at most 64 KB) and over a normal
# one (PORT2: the kernel's SYN-ACK with window scale, SACK, timestamps).
# Prints {"cookie": {ok, median_s, min_s, max_s}, "normal": {...},
# "server": the server namespace's cookie counters meanwhile}.
bulk() {
	local i n0 n1
	client_addrs $((2 * BULK)) || return 1
	: >"$TMP/bulk"
	# tcp_syncookies=2 would have the kernel answer PORT2 with its own
	# cookies too: 1 for the normal fetches (the listener's queue never
	# fills one at a time), 2 again for the program's
	n0=$(tcpext)
	for ((i = 0; i < BULK; i++)); do
		echo "cookie $(fetch "${CLIENTS[2 * i]}" $PORT)" >>"$TMP/bulk"
		ip netns exec "$SNS" sysctl -qw net.ipv4.tcp_syncookies=1
		echo "normal $(fetch "${CLIENTS[2 * i + 1]}" $PORT2)" >>"$TMP/bulk"
		ip netns exec "$SNS" sysctl -qw net.ipv4.tcp_syncookies=2
	done
	n1=$(tcpext)
	jq -Rsc --argjson want $((1 << 20)) --argjson n0 "$n0" --argjson n1 "$n1" '
		split("\n") | map(select(length > 0) | split(" "))
		| group_by(.[0]) | map({key: .[0][0], value: (
			map(select(.[1] == "200" and (.[2] | tonumber) == $want)
			    | .[3] | tonumber) | sort
			| {ok: length, median_s: .[length / 2 | floor],
			   min_s: .[0], max_s: .[-1]})}) | from_entries
		| . + {server: ($n1 | with_entries(.value -= $n0[.key]))}' "$TMP/bulk"
}

# Cookies on for the port; the command sets tcp_syncookies=2 in the
# server namespace. XG_SC_TS=1: the timestamp mode too.
sc_on() {
	xg-threshold syn-cookies on port "$1" --pin-dir "$PIN/xg" 2>/dev/null &&
		{ [[ ${XG_SC_TS:-0} != 1 ]] ||
			xg-threshold syn-cookies timestamps on \
				--pin-dir "$PIN/xg" 2>/dev/null; }
}

# The veth has NAPI instances only while an XDP program is attached: the
# threaded switch goes after the attach.
mode_on() {
	case $1 in
	kernel) xg-gen --attach pass -n "$SNS" -d "$VS" --pin-dir "$PIN/bare" ;;
	ceiling) xg-load --pin-dir "$PIN/xg" -n "$SNS" "$VS" --mode native ;;
	xdp)
		xg-gen --attach pass --drop-dst $FLOOD -n "$CNS" -d "$VC" \
			--pin-dir "$PIN/sink" &&
			xg-load --pin-dir "$PIN/xg" -n "$SNS" "$VS" --mode native \
				>/dev/null && sc_on $PORT
		;;
	esac || return 1
	[[ $NAPI == threaded ]] || return 0
	ip netns exec "$SNS" sh -c "echo 1 >/sys/class/net/$VS/threaded"
}
mode_off() {
	case $1 in
	kernel) rm -rf "$PIN/bare" ;;
	ceiling) xg-unload --all --pin-dir "$PIN/xg" >/dev/null ;;
	xdp)
		xg-unload --all --pin-dir "$PIN/xg" >/dev/null
		rm -rf "$PIN/sink"
		ip netns exec "$SNS" sysctl -qw net.ipv4.tcp_syncookies=1
		;;
	esac
}

# mode rate: one step; prints a JSON object
step() {
	local mode=$1 rate=$2 secs i a p x0 x1 s0 s1 t0 t1 n0 n1 w0 w1 k0 k1
	local gen='null'

	client_addrs "$FETCHES" || return 1
	# whole batches of fetches, each at most MAXT s
	secs=$((LEAD + ((FETCHES + PAR - 1) / PAR) * MAXT + 1))
	# One generator per CPU, each pinned and sending its share: the veth
	# delivers a generator's frames in its own softirq, so one generator
	# floods one CPU only, as one receive queue would (RSS).
	if [[ $rate != 0 ]]; then
		local c pace=(--count 100000000)
		[[ $rate != max ]] &&
			pace=(--rate $((rate / NCPU)) --count $((rate * secs / NCPU)))
		for ((c = 0; c < NCPU; c++)); do
			taskset -c "$c" xg-gen -n "$CNS" -d "$VC" -p syn \
				--rand-src $FLOOD -D $S4 --dport $PORT "${pace[@]}" \
				--time-limit "$secs" -j >"$TMP/gen.$c" \
				2>"$TMP/gen.err" &
			GEN_PIDS+=($!)
		done
		sleep $LEAD
	fi
	n0=$(tcpext)
	x0=$(xg_counts)
	k0=$(sink_count)
	read -r s0 t0 < <(cpu_ticks)
	w0=$(date +%s%N)
	: >"$TMP/fetches"
	for ((i = 0; i < FETCHES; i++)); do
		a=${CLIENTS[i]}
		fetch "$a" >>"$TMP/fetches" &
		(((i + 1) % PAR == 0)) && wait_fetches
	done
	wait_fetches
	# The CPU window is the rest of the flood (at least 3 s without one):
	# /proc/stat counts in ticks.
	if ((${#GEN_PIDS[@]})); then
		for p in "${GEN_PIDS[@]}"; do
			wait "$p" || die "xg-gen: $(cat "$TMP/gen.err")"
		done
		GEN_PIDS=()
		# all generators as one: frames, longest sending time, CPU
		gen=$(jq -cs '{sent: (map(.sent) | add),
			       seconds: (map(.seconds) | max),
			       cpu_seconds: (map(.cpu_seconds) | add),
			       per_cpu: map({sent, seconds, cpu_seconds})}' "$TMP"/gen.*)
	else
		sleep 3
	fi
	w1=$(date +%s%N)
	read -r s1 t1 < <(cpu_ticks)
	n1=$(tcpext)
	x1=$(xg_counts)
	k1=$(sink_count)
	jq -cn --arg mode "$mode" --arg rate "$rate" --argjson gen "$gen" \
		--argjson n0 "$n0" --argjson n1 "$n1" \
		--argjson x0 "$x0" --argjson x1 "$x1" \
		--argjson k0 "$k0" --argjson k1 "$k1" \
		--argjson hz "$(getconf CLK_TCK)" --argjson want $((1 << 20)) \
		--argjson sirq $((s1 - s0)) --argjson busy $((t1 - t0)) \
		--argjson wall "$(((w1 - w0) / 1000000))" \
		--rawfile f "$TMP/fetches" '
		($f | split("\n") | map(select(length > 0) | split(" "))) as $r
		| ($r | map(select(.[0] == "200" and (.[1] | tonumber) == $want)
			    | .[2] | tonumber) | sort) as $ok
		| {mode: $mode, rate: $rate,
		   offered_pps: (if $gen == null then 0
				 else ($gen.sent / $gen.seconds | round) end),
		   fetches: ($r | length), ok: ($ok | length),
		   median_s: (if ($ok | length) == 0 then null
			      else $ok[($ok | length) / 2 | floor] end),
		   window_s: ($wall / 1000),
		   softirq_cpu: (($sirq / $hz) / ($wall / 1000) * 1000 | round / 1000),
		   softirq_ns_per_syn: (if $gen == null then null
				else ($sirq / $hz * 1e9 / ($gen.sent / $gen.seconds)
				      / ($wall / 1000) | round) end),
		   gen_ns_per_syn: (if $gen == null then null
				else ($gen.cpu_seconds * 1e9 / $gen.sent | round) end),
		   busy_cpu: (($busy / $hz) / ($wall / 1000) * 1000 | round / 1000),
		   gen_cpu_s: (if $gen == null then 0 else $gen.cpu_seconds end),
		   generators: (if $gen == null then [] else $gen.per_cpu end),
		   server: ($n1 | with_entries(.value -= $n0[.key])),
		   xdpguard: (if $x1 == null then null
			      else $x1 | with_entries(.value -= $x0[.key])
				   | with_entries(select(.value > 0)) end),
		   sink_drops: (if $k1 == null then null else $k1 - $k0 end)}'
}

# SYN-ACKs to the flood that came back to the generator's end and were
# dropped there (mode xdp), or null
sink_count() {
	[[ -d $PIN/sink ]] && xg-gen --read "$PIN/sink" || echo null
}

# xdpguard's packet counters by reason (TCP) and its SYN cookie counters
# (sc_*, xg_scstats summed over the CPUs), or null when not loaded
xg_counts() {
	[[ -d $PIN/xg ]] || {
		echo null
		return
	}
	jq -cn --argjson x "$(xg-stats -j --pin-dir "$PIN/xg")" \
		--argjson s "$(bpftool -j map dump pinned "$PIN/xg/xg_scstats")" '
		($x.counters.tcp | with_entries(.value = .value.packets))
		+ ([$s[].formatted.values[].value] as $v
		   | ["acks_valid", "fallback", "no_listener", "unsupported"]
		   | map({key: "sc_\(.)", value: (. as $k | $v | map(.[$k]) | add)})
		   | from_entries)'
}

# waits for the fetches in the background (not xg-gen)
wait_fetches() {
	local p g

	for p in $(jobs -p); do
		[[ $p == "$SRV_PID" || $p == "$SRV2_PID" ]] && continue
		for g in "${GEN_PIDS[@]}"; do [[ $p == "$g" ]] && continue 2; done
		wait "$p"
	done
}

lab_up || die "lab setup failed"
: >"$TMP/rows"
# Attached afresh for every step: xdpguard's source tracker and admission
# budget start empty, so one step's flood sources are not the next one's
# known sources (a /17 fits the default tracker of 32768).
BULK_JSON=null
for mode in $MODES; do
	for rate in $RATES; do
		mode_on "$mode" || die "cannot attach ($mode)"
		step "$mode" "$rate" >>"$TMP/rows" || die "step $mode $rate failed"
		if [[ $mode == xdp && $rate == "${RATES##* }" ]] && ((BULK)); then
			BULK_JSON=$(bulk) || die "bulk comparison failed"
			echo "bulk: $BULK_JSON" >&2
		fi
		mode_off "$mode"
		tail -n1 "$TMP/rows" >&2
	done
done

jq -s --arg k "$(uname -r)" --argjson cpus "$(nproc)" --arg napi "$NAPI" \
	--argjson bulk "$BULK_JSON" \
	'{kernel: $k, cpus: $cpus, napi: $napi, fetches_per_step: '"$FETCHES"',
	  max_time_s: '"$MAXT"', steps: ., bulk_1mb: $bulk}' "$TMP/rows" >"$JSON_OUT"
printf '%-8s %10s %8s %4s %9s %8s %6s %8s %8s %10s %10s %6s\n' mode \
	offered/s ok/n ok% median_s softirq busy sirq_ns gen_ns k_cookies \
	xdp_cookies ovfl
jq -r '.steps[] | [.mode, .offered_pps, "\(.ok)/\(.fetches)",
	(100 * .ok / .fetches | floor), (.median_s // "-"), .softirq_cpu,
	.busy_cpu, (.softirq_ns_per_syn // "-"), (.gen_ns_per_syn // "-"),
	.server.cookies_sent, (.xdpguard.cookie_sent // "-"),
	.server.listen_overflows] | @tsv' \
	"$JSON_OUT" | while IFS=$'\t' read -r m o n p md si bu sn gn cs xc ov; do
	printf '%-8s %10s %8s %4s %9s %8s %6s %8s %8s %10s %10s %6s\n' \
		"$m" "$o" "$n" "$p" "$md" "$si" "$bu" "$sn" "$gn" "$cs" "$xc" "$ov"
done
[[ $BULK_JSON != null ]] && echo "1 MB, one at a time: $BULK_JSON"
echo "JSON: $JSON_OUT"
