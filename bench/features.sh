#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench, the feature stream: a passing flood (TCP ACKs, which no limit
# touches) from xg-gen through a veth lab, features on for every packet
# (budget above the flood, sample 1/1), streamed by xg-features into
# contrib/ids/consumer.py over a Unix socket, into a consumer that only
# reads (socat), and into --out-dir files.
# Reports features/s delivered and the losses on both sides: the kernel's
# (ring full) and xg-features' own (undelivered).
#
# Only 198.18.0.0/15, only in namespaces made here and removed on every
# exit. Needs root. Not a test: nothing here fails on a slow number.
#
# Environment: XG_BUILD (set by make), XG_FEAT_PPS (120000 frames/s),
# XG_FEAT_SECS (3), XG_FEAT_JSON ($XG_BUILD/bench-features.json),
# XG_FEAT_RING (xg-load --feature-ring: 4M, for a stream of this rate;
# 256k is the default of xg-load).

set -u -o pipefail

B=${XG_BUILD:?run through make bench, or set XG_BUILD}
B=$(cd "$B" && pwd)
REPO=$(cd "$(dirname "$0")/.." && pwd)
PPS=${XG_FEAT_PPS:-120000}
SECS=${XG_FEAT_SECS:-3}
RING=${XG_FEAT_RING:-4M}
JSON_OUT=${XG_FEAT_JSON:-$B/bench-features.json}
# The budget: above any rate the veth lab carries here, so that only the
# ring and the reader can lose features.
BUDGET=5000000
PATH="$B:$PATH"

die() {
	echo "bench-features: $*" >&2
	exit 1
}

[[ $(id -u) == 0 ]] || die "needs root"
for t in xg-gen xg-load xg-unload xg-threshold xg-features; do
	[[ -x $B/$t ]] || die "$B/$t is missing; run make"
done

ID=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
TX=xgf-tx-$ID
RX=xgf-rx-$ID
VTX=xgft$ID
VRX=xgfr$ID
export XDPGUARD_PIN_DIR=/sys/fs/bpf/xgf-$ID
TMP=$(mktemp -d /tmp/xgf-XXXXXX)
CPU=$(($(nproc) - 1))

cleanup() {
	trap - EXIT INT TERM
	[[ -n ${CONS:-} ]] && kill "$CONS" 2>/dev/null
	xg-unload --all >/dev/null 2>&1
	ip netns del "$TX" 2>/dev/null
	ip netns del "$RX" 2>/dev/null
	rm -rf "$TMP" "$XDPGUARD_PIN_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lab_up() {
	local rmac

	ip netns add "$TX" && ip netns add "$RX" &&
		ip link add "$VTX" netns "$TX" type veth peer name "$VRX" \
			netns "$RX" || return 1
	ip -n "$TX" addr add 198.18.0.1/24 dev "$VTX"
	ip -n "$RX" addr add 198.18.0.2/24 dev "$VRX"
	ip -n "$TX" link set "$VTX" up
	ip -n "$RX" link set "$VRX" up
	rmac=$(ip -n "$RX" -j link show "$VRX" | jq -r '.[0].address')
	ip -n "$TX" neigh replace 198.18.0.2 lladdr "$rmac" dev "$VTX" \
		nud permanent
	xg-load -n "$RX" "$VRX" --mode native --feature-ring "$RING" \
		>/dev/null &&
		xg-threshold features "$BUDGET" --burst "$BUDGET" >/dev/null &&
		xg-threshold features sample 1/1 >/dev/null
}

# sum WORD FILE: the number before WORD in xg-features' summary line.
sum() { grep -oE "[0-9]+ $1" "$2" | tail -1 | cut -d' ' -f1; }

# run NAME PPS XG-FEATURES-ARGS...: one measurement; a JSON line.
run() {
	local name=$1 pps=$2 err=$TMP/$1.err out t0 t1 pid rate
	shift 2

	xg-features "$@" >/dev/null 2>"$err" &
	pid=$!
	sleep 0.5
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	out=$(taskset -c $CPU xg-gen -n "$TX" -d "$VTX" -p ack -s 198.18.0.1 \
		-D 198.18.0.2 --dport 80 -j --time-limit "$SECS" \
		$( ((pps)) && echo "-r $pps -c $((pps * ${SECS%.*}))" ||
			echo "-c 200000000")) || return 1
	sleep 1
	kill -INT $pid
	wait $pid
	t1=$(date +%s.%N)
	jq -nc --arg name "$name" --argjson gen "$out" \
		--argjson read "$(sum read "$err")" \
		--argjson written "$(sum written "$err")" \
		--argjson undelivered "$(sum undelivered "$err")" \
		--argjson sent "$(sum sent "$err")" \
		--argjson budget "$(sum 'over budget' "$err" | cut -d' ' -f1)" \
		--argjson lost "$(sum lost "$err")" \
		'{name: $name, frames: $gen.sent, seconds: $gen.seconds,
		  offered_pps: ($gen.sent / $gen.seconds | round),
		  features_per_s: ($written / $gen.seconds | round),
		  read: $read, written: $written, undelivered: $undelivered,
		  kernel_sent: $sent, kernel_over_budget: $budget,
		  kernel_lost: $lost}'
}

lab_up || die "cannot build the lab"
echo "bench-features: lab $TX -> $RX, $PPS frames/s for $SECS s each, feature ring $RING" >&2
python3 "$REPO/contrib/ids/consumer.py" "$TMP/ids.sock" >/dev/null 2>&1 &
CONS=$!
sleep 0.5
mkdir "$TMP/out"
{
	run socket "$PPS" --unix-socket "$TMP/ids.sock" --batch 256 \
		--batch-secs 0.1
	# the same stream into a consumer that only reads (socat): what
	# the socket path carries when the consumer is not the limit
	socat -u "UNIX-LISTEN:$TMP/raw.sock,fork" /dev/null &
	RAW=$!
	sleep 0.3
	run socket_raw "$PPS" --unix-socket "$TMP/raw.sock" --batch 256 \
		--batch-secs 0.1
	kill $RAW 2>/dev/null
	run files "$PPS" --out-dir "$TMP/out" --rotate-size 64M --keep 4 \
		--batch 1024
	run files_unpaced 0 --out-dir "$TMP/out" --rotate-size 64M --keep 4 \
		--batch 1024
} >"$TMP/rows.jsonl" || die "a measurement failed"
jq -s --arg kernel "$(uname -r)" --argjson cpus "$(nproc)" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	'{host: {kernel: $kernel, cpus: $cpus}, date: $date, runs: .}' \
	"$TMP/rows.jsonl" >"$JSON_OUT" || die "cannot write $JSON_OUT"
echo
echo "feature stream (xg-features), a passing flood of TCP ACKs, every packet a feature:"
echo "sink            offered/s   features/s   written  undelivered  kernel lost  over budget"
jq -r '.runs[] | "\(.name | . + " " * (14 - length)) \(.offered_pps | tostring | " " * (10 - length) + .)  \(.features_per_s | tostring | " " * (11 - length) + .)  \(.written | tostring | " " * (8 - length) + .)  \(.undelivered | tostring | " " * (11 - length) + .)  \(.kernel_lost | tostring | " " * (11 - length) + .)  \(.kernel_over_budget | tostring | " " * (11 - length) + .)"' "$JSON_OUT"
echo "JSON: $JSON_OUT"
