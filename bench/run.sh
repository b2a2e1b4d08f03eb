#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: drop and pass rates of xdpguard beside a bare XDP program,
# a parse+hash reference, nftables, iptables and xdp-filter, per-packet cost
# of each verdict path (BPF_PROG_TEST_RUN), and the kernel memory of the
# pinned maps.
#
# Two namespaces joined by a veth pair; xg-gen sends from one end with
# BPF_PROG_TEST_RUN live frames, the filter under test runs natively on the
# other. Rates are what the receiver counted, divided by the sending time.
# Only 198.18.0.0/15 and 2001:db8::/32, only in namespaces made here and
# removed on every exit. Needs root. Not a test: nothing here fails on a
# slow number.
#
# Environment: XG_BUILD (set by make), XG_BENCH_RUNS (5), XG_BENCH_SECS (1),
# XG_BENCH_REPEAT (10000000), XG_BENCH_JSON ($XG_BUILD/bench.json).

set -u -o pipefail

B=${XG_BUILD:?run through make bench, or set XG_BUILD}
B=$(cd "$B" && pwd)
RUNS=${XG_BENCH_RUNS:-5}
SECS=${XG_BENCH_SECS:-1}
REPEAT=${XG_BENCH_REPEAT:-10000000}
JSON_OUT=${XG_BENCH_JSON:-$B/bench.json}
# Upper bound on the frames of one measurement, whatever the time limit.
MAX_FRAMES=200000000
# Test runs of 0.2 s: a live run's own fixed cost (~25 ms here, waiting)
# is then a tenth of the sending time, not most of it.
RUN_SECS=0.2
PATH="$B:$PATH"

die() {
	echo "bench: $*" >&2
	exit 1
}

[[ $(id -u) == 0 ]] || die "needs root (network namespaces, XDP); run sudo make bench"
for t in xg-gen xg-load xg-unload xg-block xg-allow xg-stats; do
	[[ -x $B/$t ]] || die "$B/$t is missing; run make"
done
for t in jq bpftool ip nsenter taskset; do
	command -v "$t" >/dev/null || die "$t is not installed"
done
HAVE_THRESHOLD=0
[[ -x $B/xg-threshold ]] && HAVE_THRESHOLD=1

ID=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
TX=xgb-tx-$ID
RX=xgb-rx-$ID
VTX=xgbt$ID
VRX=xgbr$ID
PIN=/sys/fs/bpf/xgb-$ID
TMP=$(mktemp -d /tmp/xgb-XXXXXX)
LINK_PIN="links/$VRX@$RX"
TX4=198.18.0.1
RX4=198.18.0.2
BAD4=198.18.0.66 # the blocklisted source in every list
ALLOW4=198.18.0.77
PFX4=198.18.1.0 # covered by a blocklisted prefix, not by a host entry
TX6=2001:db8::1
RX6=2001:db8::2
BAD6=2001:db8:1::5
FLOOD_NET=198.19.0.0 # random flood sources: /17 or /16 of it
# A million sources do not fit in 198.18.0.0/15: IPv6 ones, in a /44 of
# 2001:db8::/32; xdpguard tracks IPv6 sources per /64 (its default), so
# bits 44-63 make 2^20 of them.
FLOOD_NET6=2001:db8:ff00::
# The generator and the receiver's softirq share this CPU (see
# docs/BENCHMARKS.md); pinning keeps the pair from migrating mid-run.
CPU=$(($(nproc) - 1))
SOFTIRQD=$(pgrep -x "ksoftirqd/$CPU" | head -n1)
XDPF_OURS=0
XDP_DIR_OURS=0

cleanup() {
	local d

	trap - EXIT INT TERM
	for d in "$PIN"/l* "$PIN"/fl; do
		[[ -d $d ]] && xg-unload --all --pin-dir "$d" >/dev/null 2>&1
	done
	if ((XDPF_OURS)); then
		nsenter --net="/var/run/netns/$RX" xdp-filter unload "$VRX" \
			>/dev/null 2>&1
		rm -rf /sys/fs/bpf/xdp-filter
	fi
	((XDP_DIR_OURS)) && rmdir /sys/fs/bpf/xdp 2>/dev/null
	ip netns del "$TX" 2>/dev/null
	ip netns del "$RX" 2>/dev/null
	rm -rf "$PIN" "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- lab -------------------------------------------------------------------

lab_up() {
	local rmac tmac

	ip netns add "$TX" && ip netns add "$RX" || return 1
	ip link add "$VTX" netns "$TX" type veth peer name "$VRX" netns "$RX" ||
		return 1
	ip -n "$TX" addr add $TX4/24 dev "$VTX"
	ip -n "$RX" addr add $RX4/24 dev "$VRX"
	ip -n "$TX" addr add $TX6/64 dev "$VTX" nodad
	ip -n "$RX" addr add $RX6/64 dev "$VRX" nodad
	ip -n "$TX" link set lo up
	ip -n "$RX" link set lo up
	ip -n "$TX" link set "$VTX" up
	ip -n "$RX" link set "$VRX" up
	rmac=$(ip -n "$RX" -j link show "$VRX" | jq -r '.[0].address')
	tmac=$(ip -n "$TX" -j link show "$VTX" | jq -r '.[0].address')
	# Permanent entries: no ARP or ND in the counters.
	ip -n "$TX" neigh replace $RX4 lladdr "$rmac" dev "$VTX" nud permanent
	ip -n "$TX" neigh replace $RX6 lladdr "$rmac" dev "$VTX" nud permanent
	ip -n "$RX" neigh replace $TX4 lladdr "$tmac" dev "$VRX" nud permanent
	ip -n "$RX" neigh replace $TX6 lladdr "$tmac" dev "$VRX" nud permanent
	mkdir -p "$PIN"
}

# ---- blocklists ------------------------------------------------------------

# A list of H4 IPv4 hosts, P4 IPv4 prefixes (/28-/30), H6 IPv6 hosts and
# P6 IPv6 prefixes (/48, /64), all inside the benchmark ranges, with BAD4
# first. 198.18.0.0/24 (the lab) is left out but for BAD4.
make_list() {
	awk -v h4="$1" -v p4="$2" -v h6="$3" -v p6="$4" 'BEGIN {
		print "198.18.0.66"
		for (i = 1; i < h4; i++) {
			a = 256 + i
			printf "198.%d.%d.%d\n", 18 + int(a / 65536),
				int(a / 256) % 256, a % 256
		}
		for (i = 0; i < p4; i++) {
			a = 256 + 4 * i
			len = i % 4 == 0 ? 28 : i % 2 == 0 ? 29 : 30
			printf "198.%d.%d.%d/%d\n", 18 + int(a / 65536),
				int(a / 256) % 256, a % 256, len
		}
		for (i = 0; i < h6; i++)
			printf "2001:db8:1::%x:%x\n", int(i / 65536), i % 65536
		for (i = 0; i < p6; i++) {
			if (i % 2 == 0)
				printf "2001:db8:%x::/48\n", 256 + int(i / 2)
			else
				printf "2001:db8:2:%x::/64\n", int(i / 2)
		}
	}'
}

# pin dir name, entries file or "", xg-load options...
make_pins() {
	local d=$PIN/$1 file=$2

	shift 2
	xg-load --pin-dir "$d" -n "$RX" "$VRX" --mode native "$@" || return 1
	if [[ -n $file ]]; then
		xg-block --pin-dir "$d" -f "$file" || return 1
	fi
	xg-unload --pin-dir "$d" -n "$RX" "$VRX"
}

# ---- receivers: attach, count, detach --------------------------------------

xg_on() { xg-load --pin-dir "$PIN/$1" -n "$RX" "$VRX" --mode native; }
xg_off() { xg-unload --pin-dir "$PIN/$1" -n "$RX" "$VRX"; }
xg_count() { xg-stats --pin-dir "$PIN/$1" -j | jq '.total.packets'; }

# The flood rows' xdpguard, loaded afresh for every measurement: every
# setting at its default, an empty tracker, no attack under way, whatever
# an earlier row or round did (a source admitted by one flood would be a
# known client to the next, in every class).
fresh_on() {
	[[ -e $PIN/$1 ]] && xg-unload --all --pin-dir "$PIN/$1" >/dev/null 2>&1
	xg-load --pin-dir "$PIN/$1" -n "$RX" "$VRX" --mode native || return 1
	[[ -s $TMP/flood-settings.json ]] ||
		xg-threshold --pin-dir "$PIN/$1" -j >"$TMP/flood-settings.json"
}
fresh_off() { xg-unload --all --pin-dir "$PIN/$1"; }
fresh_count() { xg_count "$1"; }

bare_on() { xg-gen --attach "$1" -n "$RX" -d "$VRX" --pin-dir "$PIN/bare-$1"; }
# Removing the link pin detaches the program (nothing else holds the link).
bare_off() { rm -rf "$PIN/bare-$1"; }
bare_count() { xg-gen --read "$PIN/bare-$1"; }

# The parse+hash reference with N entries. Its list stays pinned in the
# directory between rounds (filled once, freed once, at the end); removing
# the link pin detaches the program.
ref_on() {
	xg-gen --attach ref --entries "$1" -s $BAD4 -n "$RX" -d "$VRX" \
		--pin-dir "$PIN/ref-$1"
}
ref_off() { rm -f "$PIN/ref-$1/link" "$PIN/ref-$1/count"; }
ref_count() { xg-gen --read "$PIN/ref-$1"; }

nft_on() {
	bare_on pass || return 1
	ip netns exec "$RX" nft -f - <<-EOF
		table netdev xgbench {
			chain ingress {
				type filter hook ingress device $VRX priority -500;
				ip saddr $BAD4 counter drop
			}
		}
	EOF
}
nft_off() {
	ip netns exec "$RX" nft delete table netdev xgbench
	bare_off pass
}
nft_count() {
	ip netns exec "$RX" nft -j list table netdev xgbench |
		jq '[.nftables[].rule.expr[]?.counter.packets // empty] | add'
}

ipt_on() {
	bare_on pass && ip netns exec "$RX" iptables -t raw -A PREROUTING \
		-s $BAD4 -j DROP
}
ipt_off() {
	ip netns exec "$RX" iptables -t raw -D PREROUTING -s $BAD4 -j DROP
	bare_off pass
}
ipt_count() {
	ip netns exec "$RX" iptables -t raw -L PREROUTING -v -x -n |
		awk '$3 == "DROP" { print $1; exit }'
}

# xdp-filter's own netns handling remounts /sys (ip netns exec), which hides
# bpffs; nsenter switches only the network namespace. Its pins are global
# (/sys/fs/bpf/xdp-filter), so a host that uses xdp-filter is left alone.
xdpf() { nsenter --net="/var/run/netns/$RX" xdp-filter "$@"; }
xdpf_on() {
	xdpf load -m native -p allow "$VRX" && xdpf ip $BAD4 -m src
}
xdpf_off() { xdpf unload "$VRX"; }
xdpf_count() { xdpf status | awk '$1 == "XDP_DROP" { print $2; exit }'; }

# ---- configurations --------------------------------------------------------

# id|label|reference|receiver kind|receiver arg|traffic
CONFIGS=(
	"bare_drop|bare XDP_DROP|bare_drop|bare|drop|drop"
	"bare_pass|bare XDP_PASS (to the stack)|bare_pass|bare|pass|pass"
	# The floods' traffic into the bare program: what drawing a random
	# source costs the generator, for the floods' second ratio.
	"bare_drop_rand4|bare XDP_DROP, random IPv4 sources|bare_drop|bare|drop|flood-udp-64k"
	"bare_drop_rand6|bare XDP_DROP, random IPv6 sources|bare_drop|bare|drop|flood-udp-1m"
	"xg_drop_1|xdpguard drop, 1 entry|bare_drop|xg|l1|drop"
	"xg_drop_10k|xdpguard drop, 10k entries|bare_drop|xg|l10k|drop"
	"xg_drop_1m|xdpguard drop, 1M entries|bare_drop|xg|l1m|drop"
	"ref_hash_1m|parse+hash reference, 1M entries|bare_drop|ref|1000000|drop"
	"xg_pass_1|xdpguard pass, 1 entry|bare_pass|xg|l1|pass"
	"xg_pass_10k|xdpguard pass, 10k entries|bare_pass|xg|l10k|pass"
	"xg_pass_1m|xdpguard pass, 1M entries|bare_pass|xg|l1m|pass"
	"xg_flood_32k|xdpguard SYN flood, 32k random sources|bare_drop|fresh|fl|flood-syn-32k"
	"xg_flood_64k|xdpguard SYN flood, 64k random sources|bare_drop|fresh|fl|flood-syn-64k"
	"xg_udpflood_64k|xdpguard UDP flood, 64k random sources|bare_drop|fresh|fl|flood-udp-64k"
	"xg_icmpflood_64k|xdpguard ICMP flood, 64k random sources|bare_drop|fresh|fl|flood-icmp-64k"
	"xg_fragflood_64k|xdpguard fragment flood, 64k random sources|bare_drop|fresh|fl|flood-frag-64k"
	"xg_synflood_1m|xdpguard SYN flood, 1M random IPv6 /64s|bare_drop|fresh|fl|flood-syn-1m"
	"xg_udpflood_1m|xdpguard UDP flood, 1M random IPv6 /64s|bare_drop|fresh|fl|flood-udp-1m"
	"xg_icmpflood_1m|xdpguard ICMPv6 flood, 1M random IPv6 /64s|bare_drop|fresh|fl|flood-icmp-1m"
	"xg_fragflood_1m|xdpguard fragment flood, 1M random IPv6 /64s|bare_drop|fresh|fl|flood-frag-1m"
	"nft_netdev|nftables netdev ingress drop|bare_drop|nft||drop"
	"ipt_raw|iptables raw PREROUTING drop|bare_drop|ipt||drop"
	"xdp_filter|xdp-filter deny (src)|bare_drop|xdpf||drop"
)

# Pairs of configurations compared round by round, beside the reference
# of each: a|b|title (the ratio is a's rate over b's).
COMPARE=(
	"xg_drop_1m|ref_hash_1m|xdpguard drop vs parse+hash reference, 1M entries"
	"xg_drop_1m|nft_netdev|xdpguard drop, 1M entries, vs nftables netdev drop"
)

declare -A SKIP # id -> why it was not measured

traffic_args() {
	case $1 in
	drop) echo "-p syn -s $BAD4 -D $RX4 --dport 80" ;;
	# Legitimate traffic that no rate limit applies to: TCP ACKs (the
	# receiver answers each with a RST, in every pass configuration).
	pass) echo "-p ack -s $TX4 -D $RX4 --dport 80" ;;
	# flood-CLASS-SOURCES: 32k is as many sources as the tracker holds by
	# default (32768), 64k twice as many, 1m 2^20 IPv6 /64s. icmp is
	# ICMPv6 echo over IPv6, frag a non-first fragment (an IPv6 fragment
	# header over IPv6) of a UDP datagram.
	flood-*-32k) flood_args "$1" $FLOOD_NET/17 $RX4 ;;
	flood-*-64k) flood_args "$1" $FLOOD_NET/16 $RX4 ;;
	flood-*-1m) flood_args "$1" $FLOOD_NET6/44 $RX6 ;;
	esac
}

# traffic, source prefix, destination; UDP to the discard port, SYNs to 80
flood_args() {
	local c

	c=$(flood_class "$1")
	echo "-p $c --rand-src $2 -D $3 --dport $([[ $c == udp ]] && echo 9 || echo 80)"
}

# flood-CLASS-SOURCES -> CLASS (syn, udp, icmp, frag) and source count
flood_class() {
	local t=${1#flood-}

	echo "${t%-*}"
}
flood_sources() {
	case $1 in
	*-32k) echo 32768 ;;
	*-64k) echo 65536 ;;
	*-1m) echo 1048576 ;;
	esac
}

# kind, arg: bare_on drop, xg_on l1m, ref_on 1000000, nft_on "" ...
recv_on() { "${1}_on" "$2"; }
recv_off() { "${1}_off" "$2"; }
recv_count() { "${1}_count" "$2"; }

# CPU time of the softirq thread of the generator's CPU, in ns: frames
# whose receive path the kernel defers to it are not in xg-gen's own time.
softirqd_ns() { cut -d' ' -f1 "/proc/$SOFTIRQD/schedstat" 2>/dev/null || echo 0; }

# One measurement: prints "received_pps sent_pps received_per_cpu_s
# softirqd_ms". The CPU time is xg-gen's thread's (the receiver runs in its
# softirq) plus what the softirq thread of that CPU ran meanwhile.
measure_once() {
	local kind=$1 arg=$2 traffic=$3 before after out k0 k1

	before=$(recv_count "$kind" "$arg") || return 1
	k0=$(softirqd_ns)
	# shellcheck disable=SC2046
	out=$(taskset -c $CPU xg-gen -n "$TX" -d "$VTX" -c $MAX_FRAMES \
		--time-limit "$SECS" --run-secs $RUN_SECS -j \
		$(traffic_args "$traffic")) || return 1
	k1=$(softirqd_ns)
	after=$(recv_count "$kind" "$arg") || return 1
	jq -r --argjson r $((after - before)) --argjson k $((k1 - k0)) '
		(.cpu_seconds + $k / 1e9) as $cpu
		| "\($r / .seconds | round) \(.sent / .seconds | round) \(
		   $r / $cpu | round) \($k / 1e6)"' <<<"$out"
}

run_rounds() {
	local r c id label ref kind arg traffic res

	for ((r = 1; r <= RUNS; r++)); do
		printf 'round %d/%d:' "$r" "$RUNS" >&2
		for c in "${CONFIGS[@]}"; do
			IFS='|' read -r id label ref kind arg traffic <<<"$c"
			[[ -n ${SKIP[$id]:-} ]] && continue
			if ! recv_on "$kind" "$arg" >"$TMP/err" 2>&1; then
				SKIP[$id]="did not load: $(head -n1 "$TMP/err")"
				recv_off "$kind" "$arg" >/dev/null 2>&1
				continue
			fi
			[[ $kind == fresh ]] &&
				xg-stats --pin-dir "$PIN/$arg" -j >"$TMP/fl-before"
			res=$(measure_once "$kind" "$arg" "$traffic")
			[[ $kind == fresh && -n $res ]] &&
				flood_add "$id" "$r" "$arg" "$(flood_class "$traffic")"
			recv_off "$kind" "$arg" >/dev/null 2>&1
			[[ -n $res ]] && echo "$r $res" >>"$TMP/rate-$id"
			printf ' %s' "$id" >&2
		done
		echo >&2
	done
}

# One flood measurement, from xg-stats before and after: its verdicts
# (class/reason -> packets), the packets seen and dropped, and the class's
# admissions: sources admitted into the tracker, packets refused by the
# budget (they met the ceiling: passed under it or dropped as
# CLASS_global). A line per round in flood-ID.jsonl.
flood_add() {
	xg-stats --pin-dir "$PIN/$3" -j >"$TMP/fl-after" || return 1
	jq -n -c --slurpfile b "$TMP/fl-before" --slurpfile a "$TMP/fl-after" \
		--argjson round "$2" --arg k "$4" '
		def v($s): [$s.counters | to_entries[] | .key as $c | .value
			| to_entries[]
			| {key: "\($c)/\(.key)", value: .value.packets}]
			| from_entries;
		def sum: map(.value) | add // 0;
		($a[0].config.drop_malformed) as $dm
		| (v($b[0])) as $was
		| (v($a[0]) | with_entries(.value -= ($was[.key] // 0))
		   | with_entries(select(.value > 0))) as $d
		| ($d | to_entries | map(select(.key | split("/")[1]
			| . != "pass" and . != "allowlisted"
			  and (. != "malformed" or $dm))) | sum) as $dropped
		| {round: $round, verdicts: $d, seen: ($d | to_entries | sum),
		   dropped: $dropped,
		   admitted: ($a[0].admission[$k].admitted
			      - $b[0].admission[$k].admitted),
		   refused: ($a[0].admission[$k].refused
			     - $b[0].admission[$k].refused),
		   ceiling_dropped: ($d | to_entries
			| map(select(.key | endswith("/\($k)_global"))) | sum)}
		' >>"$TMP/flood-$1.jsonl"
}

# All rounds of one flood row: the verdicts added up, and per round the
# share of the packets dropped, the packets passed and the packets the
# budget refused. (Which passed packets went under the ceiling cannot be
# told from the counters: sources on probation meet it too.)
flood_summary() {
	jq -s -c --arg k "$2" --argjson n "$3" --arg fam "$4" '
		def median: sort | .[length / 2 | floor];
		map(. + {share_dropped: (if .seen > 0 then .dropped / .seen
					  else null end),
			 passed: (.seen - .dropped)}) as $r
		| {verdicts: ($r | map(.verdicts | to_entries[])
			| group_by(.key)
			| map({key: .[0].key, value: (map(.value) | add)})
			| from_entries),
		   flood: {class: $k, sources: $n, family: $fam,
			   seen: ($r | map(.seen) | add),
			   dropped: ($r | map(.dropped) | add),
			   share_dropped: ($r | map(.share_dropped) | median),
			   admitted: ($r | map(.admitted) | median),
			   refused: ($r | map(.refused) | median),
			   passed: ($r | map(.passed) | median),
			   rounds: ($r | map(del(.verdicts)))}}' "$1"
}

# ---- per-packet cost (BPF_PROG_TEST_RUN, no live frames) -------------------

# id, label, target (bare-drop, bare-pass or a pinned link), frame options
cost() {
	local id=$1 label=$2 target=$3 out

	shift 3
	# shellcheck disable=SC2068
	out=$(taskset -c $CPU xg-gen --measure "$target" --repeat "$REPEAT" \
		-j $@) || {
		echo "bench: per-packet cost of '$label' failed" >&2
		return 0
	}
	jq -c --arg id "$id" --arg title "$label" \
		'{id: $id, title: $title, ns: .ns_per_packet, ns_min, ns_max,
		  verdict, repeat, runs}' <<<"$out" >>"$TMP/cost.jsonl"
}

run_costs() {
	local a

	cost bare_drop "bare XDP_DROP" bare-drop -p syn -s $BAD4 -D $RX4
	cost bare_pass "bare XDP_PASS" bare-pass -p ack -s $TX4 -D $RX4
	# The parse+hash reference, with the list of the ref_hash_1m row.
	if ref_on 1000000 >"$TMP/err" 2>&1; then
		a="$PIN/ref-1000000/link"
		cost ref_drop_1m "parse+hash reference: listed, 1M entries" \
			"$a" -p syn -s $BAD4 -D $RX4
		cost ref_pass_1m "parse+hash reference: not listed, 1M entries" \
			"$a" -p ack -s $TX4 -D $RX4
		ref_off 1000000
	else
		echo "bench: parse+hash reference not timed: $(head -n1 "$TMP/err")" >&2
	fi
	# The fixed cost: parsing, settings, counters, no list to look in.
	xg_on l0 || return 1
	cost pass_0 "pass, empty lists" "$PIN/l0/$LINK_PIN" -p ack -s $TX4 \
		-D $RX4
	xg_off l0
	xg_on l1m || return 1
	a="$PIN/l1m/$LINK_PIN"
	cost pass_1m "pass, 1M entries (IPv4 TCP ACK)" "$a" -p ack -s $TX4 -D $RX4
	cost drop_1m "blocklisted host, 1M entries" "$a" -p syn -s $BAD4 -D $RX4
	cost drop_pfx_1m "blocklisted by prefix (LPM), 1M entries" "$a" \
		-p syn -s $PFX4 -D $RX4
	cost pass6_1m "pass, 1M entries (IPv6 TCP ACK)" "$a" -p ack -s $TX6 \
		-D $RX6
	cost drop6_1m "blocklisted IPv6 host, 1M entries" "$a" -p syn -s $BAD6 \
		-D $RX6
	xg-allow --pin-dir "$PIN/l1m" $ALLOW4
	cost allow_1m "allowlisted, 1M entries" "$a" -p ack -s $ALLOW4 -D $RX4
	xg-allow --pin-dir "$PIN/l1m" del $ALLOW4
	xg_off l1m
	xg_on l1 || return 1
	a="$PIN/l1/$LINK_PIN"
	cost pass_1 "pass, 1 entry" "$a" -p ack -s $TX4 -D $RX4
	cost drop_1 "blocklisted host, 1 entry" "$a" -p syn -s $BAD4 -D $RX4
	if ((HAVE_THRESHOLD)); then
		export XDPGUARD_PIN_DIR=$PIN/l1
		# The row above has drop events on (the default budget: after
		# the first burst every drop is sampled out); this one has none.
		xg-threshold events off 2>/dev/null &&
			cost drop_1_noev "blocklisted host, 1 entry, events off" \
				"$a" -p syn -s $BAD4 -D $RX4 &&
			xg-threshold events 100 # XG_DEF_EVENTS_RATE
		xg-threshold ban 0 && xg-threshold syn-global off &&
			xg-threshold syn 100000000 --burst 1000000000 &&
			cost syn_pass "SYN within its limit (tracked, passed)" \
				"$a" -p syn -s $TX4 -D $RX4
		xg-threshold syn 1 --burst 1 &&
			cost rate_drop "rate-limited SYN (rate_syn drop)" "$a" \
				-p syn -s $TX4 -D $RX4
		unset XDPGUARD_PIN_DIR
	fi
	xg_off l1
}

# ---- memory ----------------------------------------------------------------

# name, pin dir: every pinned map with its kernel memory (bytes_memlock).
memory_of() {
	local m

	for m in "$PIN/$2"/xg_*; do
		bpftool map show pinned "$m" -j
	done | jq -s -c --arg set "$1" '{set: $set,
		total_bytes: (map(.bytes_memlock) | add),
		maps: map({name, type, max_entries,
			   bytes: .bytes_memlock})}' >>"$TMP/mem.jsonl"
}

# ---- report ----------------------------------------------------------------

# Per configuration: median, min and max of the received rate over the
# rounds; the ratio to the reference is the median of the ratios within
# each round, so that a change of load on the machine between rounds does
# not count as a difference between configurations.
summarise() {
	local c id label ref kind arg traffic

	for c in "${CONFIGS[@]}"; do
		IFS='|' read -r id label ref kind arg traffic <<<"$c"
		if [[ -n ${SKIP[$id]:-} || ! -s $TMP/rate-$id ]]; then
			jq -n -c --arg id "$id" --arg title "$label" \
				--arg why "${SKIP[$id]:-no result}" \
				'{id: $id, title: $title, status: $why}'
			continue
		fi
		jq -R -s -c --arg id "$id" --arg title "$label" --arg ref "$ref" \
			'split("\n") | map(select(length > 0) | split(" ")
				| map(tonumber)
				| {round: .[0], mpps: (.[1] / 1e6),
				   sent_mpps: (.[2] / 1e6),
				   cpu_mpps: (.[3] / 1e6), softirqd_ms: .[4]})
			| {id: $id, title: $title, ref: $ref, status: "ok",
			   runs: .}' "$TMP/rate-$id" |
			if [[ -s $TMP/flood-$id.jsonl ]]; then
				flood_summary "$TMP/flood-$id.jsonl" \
					"$(flood_class "$traffic")" \
					"$(flood_sources "$traffic")" \
					"$([[ $traffic == *-1m ]] && echo ipv6 || echo ipv4)" \
					>"$TMP/flood-$id.json"
				jq -c --slurpfile f "$TMP/flood-$id.json" '. + $f[0]'
			else
				cat
			fi
	done | jq -s -c '
		def median: sort | .[length / 2 | floor];
		(map({key: .id, value: .}) | from_entries) as $by
		| map(if .status == "ok" then
			(.runs | map(.mpps)) as $m
			| (.runs | map(.cpu_mpps)) as $u
			| ($by[.ref].runs // []) as $ref
			| [.runs[] as $x | $ref[] | select(.round == $x.round)
			   | {ratio: ($x.cpu_mpps / .cpu_mpps),
			      extra: (1e3 / $x.cpu_mpps - 1e3 / .cpu_mpps),
			      wall: ($x.mpps / .mpps)}] as $p
			| . + {mpps: ($m | median), mpps_min: ($m | min),
			       mpps_max: ($m | max),
			       sent_mpps: (.runs | map(.sent_mpps) | median),
			       cpu_mpps: ($u | median), cpu_mpps_min: ($u | min),
			       cpu_mpps_max: ($u | max),
			       ns_per_packet: (1e3 / ($u | median)),
			       wall_ns_per_packet: (1e3 / ($m | median))}
			| if ($p | length) > 0 then
				. + {ratio: ($p | map(.ratio) | median),
				     extra_ns: ($p | map(.extra) | median),
				     wall_ratio: ($p | map(.wall) | median)}
			  else . end
			| if .flood then
				($by[if .flood.family == "ipv6" then
					"bare_drop_rand6" else "bare_drop_rand4"
				     end].runs // []) as $same
				| [.runs[] as $x | $same[]
				   | select(.round == $x.round)
				   | $x.cpu_mpps / .cpu_mpps] as $q
				| if ($q | length) > 0 then
					.flood += {ratio_same_traffic:
						   ($q | median)}
				  else . end
			  else . end
		      else . end)'
}

# The COMPARE pairs: the median over the rounds of a's rate (per CPU
# second) over b's in the same round, and of the time per packet a adds
# over b.
compare() {
	local c a b title

	for c in "${COMPARE[@]}"; do
		IFS='|' read -r a b title <<<"$c"
		jq -n -c --slurpfile c "$TMP/configs.json" --arg a "$a" \
			--arg b "$b" --arg title "$title" '
			def median: sort | .[length / 2 | floor];
			($c[0] | map({key: .id, value: .}) | from_entries) as $by
			| [($by[$a].runs // [])[] as $x | ($by[$b].runs // [])[]
			   | select(.round == $x.round)
			   | {ratio: ($x.cpu_mpps / .cpu_mpps),
			      extra: (1e3 / $x.cpu_mpps - 1e3 / .cpu_mpps),
			      wall: ($x.mpps / .mpps)}] as $p
			| {id: "\($a)/\($b)", a: $a, b: $b, title: $title,
			   rounds: ($p | length)}
			+ if ($p | length) > 0 then
				{ratio: ($p | map(.ratio) | median),
				 extra_ns: ($p | map(.extra) | median),
				 wall_ratio: ($p | map(.wall) | median)}
			  else {} end'
	done | jq -s -c '.'
}

# xdpguard's time per packet over the parse+hash reference's, same frame.
cost_ratios() {
	jq -c 'map({key: .id, value: .}) | from_entries as $ns
		| [["drop_1m", "ref_drop_1m",
		    "listed IPv4 source, 1M entries"],
		   ["pass_1m", "ref_pass_1m",
		    "IPv4 source on no list, 1M entries"]][]
		| select($ns[.[0]].ns and $ns[.[1]].ns)
		| {a: .[0], b: .[1], title: .[2], a_ns: $ns[.[0]].ns,
		   b_ns: $ns[.[1]].ns, ratio: ($ns[.[0]].ns / $ns[.[1]].ns)}' \
		"$TMP/costs.json" | jq -s -c '.'
}

targets() {
	jq -n -c --slurpfile c "$TMP/configs.json" \
		--slurpfile k "$TMP/costs.json" --slurpfile m "$TMP/mems.json" \
		--slurpfile p "$TMP/compare.json" \
		--slurpfile r "$TMP/cost_ratios.json" '
		($c[0] | map({key: .id, value: .}) | from_entries) as $by
		| ($k[0] | map({key: .id, value: .}) | from_entries) as $ns
		| ($m[0] | map({key: .set, value: .}) | from_entries) as $mem
		| ($p[0] | map({key: .id, value: .}) | from_entries) as $cmp
		| ($r[0] | map({key: .a, value: .}) | from_entries) as $cr
		| ($c[0] | map(select(.flood))) as $fl
		| ($fl | map(select(.ratio)) | min_by(.ratio)) as $slow
		| ($fl | map(select(.flood.share_dropped))
		   | min_by(.flood.share_dropped)) as $leak
		| def t($name; $v; $op; $lim; $unit):
			{name: $name, value: $v, limit: $lim, op: $op,
			 unit: $unit,
			 met: (if $v == null then null
			       elif $op == ">=" then $v >= $lim
			       elif $op == "<=" then $v <= $lim
			       else $v < $lim end)};
		[t("drop path with 1M entries vs bare XDP_DROP";
		   $by.xg_drop_1m.ratio; ">="; 0.9; "share"),
		 t("drop path with 1M entries vs parse+hash reference";
		   $cmp["xg_drop_1m/ref_hash_1m"].ratio; ">="; 0.95; "share"),
		 t("drop path with 1M entries vs nftables netdev drop";
		   $cmp["xg_drop_1m/nft_netdev"].ratio; ">="; 5; "ratio"),
		 t("drop path per packet, 1M entries";
		   $ns.drop_1m.ns; "<"; 100; "ns"),
		 t("pass path per packet, 1M entries";
		   $ns.pass_1m.ns; "<"; 100; "ns"),
		 t("pass path per packet, 1M entries, vs parse+hash reference";
		   $cr.pass_1m.ratio; "<="; 1.5; "ratio"),
		 t("random-source flood vs bare XDP_DROP, lowest: \($slow.title // "-")";
		   $slow.ratio; ">="; 0.7; "share"),
		 t("flood packets dropped, lowest: \($leak.title // "-")";
		   $leak.flood.share_dropped; ">="; 0.99; "share"),
		 t("all maps at the defaults";
		   $mem.defaults.total_bytes; "<"; 10485760; "bytes")]'
}

print_table() {
	local j=$1

	jq -r '
		"xdpguard benchmark, kernel \(.host.kernel), \(.host.cpus) CPUs (\(.host.cpu)),",
		"\(.method.runs) runs of \(.method.seconds) s per configuration: median and min-max;",
		"Mpps/CPU-s: packets per second of CPU time of the generator and the receiver",
		"(one thread, the receiver in its softirq); wall: per second of wall-clock time",
		"load average before \(.host.loadavg_before), after \(.host.loadavg_after)",
		"",
		"configuration                           Mpps/CPU-s  min-max        ns/pkt   vs ref    +ns   wall Mpps  vs ref",
		(.configs[] | if .status == "ok" then
			"\(.title | .[0:44] + " " * (44 - length)) \(.cpu_mpps * 100 | round / 100 | tostring | " " * (6 - length) + .)  \("\(.cpu_mpps_min * 100 | round / 100)-\(.cpu_mpps_max * 100 | round / 100)" | . + " " * (12 - length)) \(.ns_per_packet * 10 | round / 10 | tostring | " " * (7 - length) + .)  \(if .ratio then (.ratio * 1000 | round / 10 | tostring + "%") else "-" end | " " * (7 - length) + .)  \(if .id == .ref then "ref" elif .extra_ns then (.extra_ns * 10 | round / 10 | tostring) else "-" end | " " * (6 - length) + .)  \(.mpps * 100 | round / 100 | tostring | " " * (8 - length) + .)  \(if .wall_ratio then (.wall_ratio * 1000 | round / 10 | tostring + "%") else "-" end | " " * (7 - length) + .)"
		  else "\(.title | .[0:44] + " " * (44 - length)) \(.status)" end),
		"(vs ref: rate per CPU second relative to bare XDP_PASS for pass rows, to",
		" bare XDP_DROP otherwise; +ns: CPU time per packet added over that",
		" reference; both are medians of the ratios within each round; the wall",
		" rates and their ratio are shown for comparison)",
		(.comparisons[] | select(.ratio) | "\(.title): \(.ratio * 1000 | round / 10)% of the rate, \(if .extra_ns >= 0 then "+" else "" end)\(.extra_ns * 10 | round / 10) ns per packet (medians of \(.rounds) rounds)"),
		"",
		"random-source floods, xdpguard at its defaults, loaded afresh for each",
		"measurement; medians per round: rate per CPU second vs bare XDP_DROP, and",
		"vs bare XDP_DROP fed the same random-source traffic (same), share of the",
		"flood dropped, sources admitted, packets refused by the budget and packets",
		"passed; wall Mpps: the rate of the flood, which meets the ceiling",
		"flood                                        vs drop    same  wall Mpps  dropped  admitted   refused    passed",
		(.configs[] | select(.flood) | "\(.title | .[0:44] + " " * (44 - length)) \(if .ratio then (.ratio * 1000 | round / 10 | tostring + "%") else "-" end | " " * (7 - length) + .)  \(if .flood.ratio_same_traffic then (.flood.ratio_same_traffic * 1000 | round / 10 | tostring + "%") else "-" end | " " * (6 - length) + .)  \(.mpps * 100 | round / 100 | tostring | " " * (9 - length) + .)  \(if .flood.share_dropped then (.flood.share_dropped * 10000 | round / 100 | tostring + "%") else "-" end | " " * (7 - length) + .)  \(.flood.admitted | tostring | " " * (8 - length) + .)  \(.flood.refused | tostring | " " * (8 - length) + .)  \(.flood.passed | tostring | " " * (8 - length) + .)"),
		(.configs[] | select(.verdicts) | "\(.title): verdicts over all rounds: \(.verdicts | to_entries | map("\(.key) \(.value)") | join(", "))"),
		"",
		"per-packet cost, BPF_PROG_TEST_RUN (\(.method.repeat) repeats, median of \(.costs[0].runs // 0) runs)",
		(.costs[] | "  \(.title | . + " " * (44 - length)) \(.ns | tostring | " " * (4 - length) + .) ns  (\(.ns_min)-\(.ns_max))  \(.verdict)"),
		(.cost_ratios[] | "  xdpguard vs parse+hash reference, \(.title): \(.a_ns) / \(.b_ns) ns = \(.ratio * 100 | round / 100)x"),
		"",
		"kernel memory of the pinned maps (bytes_memlock)",
		(.memory[] | "  \(.set | . + " " * (14 - length)) \(.total_bytes / 1048576 * 100 | round / 100) MiB:  \(.maps | map("\(.name) \(.bytes / 1024 | round)K") | join(", "))"),
		"",
		"targets",
		(.targets[] | "  \(if .met == true then "MET   " elif .met == false then "MISSED" else "n/a   " end) \(.name): \(if .value == null then "not measured" elif .unit == "ratio" then (.value * 100 | round / 100 | tostring) + "x" elif .unit == "share" then (.value * 1000 | round / 10 | tostring) + "%" elif .unit == "bytes" then (.value / 1048576 * 100 | round / 100 | tostring) + " MiB" else (.value | tostring) + " ns" end) (\(.op) \(if .unit == "ratio" then "\(.limit)x" elif .unit == "share" then "\(.limit * 100)%" elif .unit == "bytes" then "\(.limit / 1048576) MiB" else "\(.limit) ns" end))")
	' "$j"
}

# ---- main ------------------------------------------------------------------

T0=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
lab_up || die "cannot build the namespace lab"
echo "bench: lab $TX -> $RX ($VTX -> $VRX), pins in $PIN" >&2

make_list 5000 500 4000 500 >"$TMP/l10k.txt"
make_list 100000 20000 860000 20000 >"$TMP/l1m.txt"
echo "$BAD4" >"$TMP/l1.txt"
make_pins l0 "" || die "xg-load failed on $VRX"
make_pins l1 "$TMP/l1.txt" || die "cannot fill the 1-entry list"
make_pins l10k "$TMP/l10k.txt" || die "cannot fill the 10k list"
make_pins l1m "$TMP/l1m.txt" --max-entries 1000000 ||
	die "cannot fill the 1M list"
echo "bench: lists ready ($(wc -l <"$TMP/l1m.txt") entries in the largest)" >&2

if ((!HAVE_THRESHOLD)); then
	for c in "${CONFIGS[@]}"; do
		IFS='|' read -r id _ _ kind _ _ <<<"$c"
		[[ $kind == fresh ]] &&
			SKIP[$id]="skipped: xg-threshold (flood defence) is not built"
	done
fi
command -v nft >/dev/null || SKIP[nft_netdev]="skipped: nft is not installed"
command -v iptables >/dev/null || SKIP[ipt_raw]="skipped: iptables is not installed"
if ! command -v xdp-filter >/dev/null; then
	SKIP[xdp_filter]="skipped: xdp-filter (xdp-tools) is not installed"
elif [[ -e /sys/fs/bpf/xdp-filter ]]; then
	SKIP[xdp_filter]="skipped: xdp-filter is in use on this host (its pins in /sys/fs/bpf/xdp-filter are global)"
else
	XDPF_OURS=1
	[[ -e /sys/fs/bpf/xdp ]] || XDP_DIR_OURS=1
fi

run_rounds
echo "bench: per-packet cost (BPF_PROG_TEST_RUN, $REPEAT repeats)" >&2
: >"$TMP/cost.jsonl"
run_costs || echo "bench: per-packet cost of xdpguard not measured" >&2
: >"$TMP/mem.jsonl"
memory_of defaults l0
memory_of entries_10k l10k
memory_of entries_1m l1m

summarise >"$TMP/configs.json"
jq -s -c '.' "$TMP/cost.jsonl" >"$TMP/costs.json"
jq -s -c '.' "$TMP/mem.jsonl" >"$TMP/mems.json"
compare >"$TMP/compare.json"
[[ -s $TMP/flood-settings.json ]] || echo null >"$TMP/flood-settings.json"
cost_ratios >"$TMP/cost_ratios.json"
targets >"$TMP/targets.json"
jq -n \
	--arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
	--arg cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg load0 "$LOAD0" --arg load1 "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--argjson runs "$RUNS" --argjson secs "$SECS" \
	--argjson repeat "$REPEAT" --argjson took $(($(date +%s) - T0)) \
	--slurpfile c "$TMP/configs.json" --slurpfile k "$TMP/costs.json" \
	--slurpfile m "$TMP/mems.json" --slurpfile t "$TMP/targets.json" \
	--slurpfile p "$TMP/compare.json" \
	--slurpfile r "$TMP/cost_ratios.json" \
	--slurpfile fs "$TMP/flood-settings.json" \
	'{host: {kernel: $kernel, cpus: $cpus, cpu: $cpu,
	        loadavg_before: $load0, loadavg_after: $load1}, date: $date,
	  method: {runs: $runs, seconds: $secs, repeat: $repeat,
		   traffic: "xg-gen, BPF_PROG_TEST_RUN live frames over veth; generator and receiver share one CPU",
		   seconds_total: $took, flood_settings: $fs[0]},
	  configs: $c[0], comparisons: $p[0], costs: $k[0],
	  cost_ratios: $r[0],
	  memory: $m[0], targets: $t[0]}' >"$JSON_OUT" ||
	die "cannot write $JSON_OUT"
echo
print_table "$JSON_OUT"
echo
echo "JSON: $JSON_OUT ($(($(date +%s) - T0)) s)"
