#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# SYN cookies from the command line (xg-threshold syn-cookies): the grammar
# and its errors (exit 2, nothing changed), the two-bit modes written into
# xg_scports and the XG_CFG_SYNCOOKIES flag, net.ipv4.tcp_syncookies set in
# the guarded namespaces (only the namespaces these tests create) or left
# alone with --no-sysctl, the refusal on a kernel without the helpers
# (XG_TEST_KFEAT), the xg-save lines and xg-restore, and the counters of
# xg-stats in text, JSON and Prometheus.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

SC_OFF='{"enabled":false,"on":"","auto":""}'

# sc_word N: word N of xg_scports as 16 hex digits, most significant first
# (jq would round the 64-bit number bpftool formats).
sc_word() {
	bpftool map lookup pinned "$XDPGUARD_PIN_DIR/xg_scports" \
		key $(xg_st_le 4 "$1") -j |
		jq -r '.value | reverse | map(ltrimstr("0x")) | join("")'
}

# The keys of the words that are not zero, as a JSON array.
sc_nonzero() {
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_scports" -j |
		jq -c '[.[] | select(.value | any(. != "0x00")) | .formatted.key]'
}

# xg_config.flags in force.
cfg_flags() {
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq '.[0].formatted.value | .cfg[.cfg_slot].flags'
}

# net.ipv4.tcp_syncookies in namespace $1 (default $XG_NS).
sc_sysctl() {
	ip netns exec "${1:-$XG_NS}" cat /proc/sys/net/ipv4/tcp_syncookies
}

sc_sysctl_set() {
	ip netns exec "${2:-$XG_NS}" sh -c \
		"echo $1 >/proc/sys/net/ipv4/tcp_syncookies"
}

# bad MESSAGE ARGS...: exit 2, the exact line, nothing on stdout, and the
# settings, the ports and the sysctl exactly as before.
bad() {
	local msg=$1 before words sysctl
	shift
	before=$(xg-threshold -j) || fail "xg-threshold -j failed"
	words=$(sc_nonzero)
	sysctl=$(sc_sysctl)
	run -2 --separate-stderr xg-threshold "$@"
	assert_equal "$stderr" "xg-threshold: $msg"
	assert_equal "$output" ""
	assert_equal "$(xg-threshold -j)" "$before"
	assert_equal "$(sc_nonzero)" "$words"
	assert_equal "$(sc_sysctl)" "$sysctl"
}

# The note xg-threshold prints for a sysctl it changed in namespace $3.
note() {
	if [[ $2 == 2 ]]; then
		echo "xg-threshold: note: net.ipv4.tcp_syncookies $1 -> 2 in namespace $3: the kernel too answers every SYN with a cookie, and those connections have no window scaling or SACK"
	else
		echo "xg-threshold: note: net.ipv4.tcp_syncookies $1 -> 1 in namespace $3: the kernel sends cookies when a listener's SYN queue overflows"
	fi
}

# ---- grammar ----------------------------------------------------------------

@test "usage errors: no pins needed, nothing created" {
	local w
	for w in "syn-cookies" "syn-cookies yes" "syn-cookies on port" \
		 "syn-cookies on ports 80" "syn-cookies on port 80 x" \
		 "syn-cookies on port 65536" "--no-sysctl" "syn 5 --no-sysctl"; do
		# shellcheck disable=SC2086 # the words of one call
		run -2 --separate-stderr xg-threshold $w
		[[ $stderr == "xg-threshold: "* ]] || fail "$w: $stderr"
	done
	xg_assert_no_pins
}

@test "usage errors: the exact lines, nothing changed" {
	xg_load_lab
	xg-threshold syn-cookies auto port 22 --no-sysctl
	bad "missing value for 'syn-cookies'; see --help" syn-cookies
	bad "invalid syn-cookies mode 'yes' (off, auto, on or timestamps)" syn-cookies yes
	bad "invalid syn-cookies mode 'ON' (off, auto, on or timestamps)" syn-cookies ON
	bad "missing value for 'syn-cookies timestamps'; see --help" syn-cookies timestamps
	bad "invalid timestamps 'yes' (on or off)" syn-cookies timestamps yes
	bad "unexpected argument 'port'; see --help" syn-cookies timestamps on port 80
	bad "option '--burst' does not apply to syn-cookies" syn-cookies timestamps on -b 2
	bad "unexpected argument 'ports'; see --help" syn-cookies on ports 80
	bad "missing value for 'port'; see --help" syn-cookies on port
	bad "unexpected argument 'x'; see --help" syn-cookies on port 80 x
	bad "invalid port '65536' (N or MIN-MAX, 0-65535)" syn-cookies on port 65536
	bad "invalid port 'http' (N or MIN-MAX, 0-65535)" syn-cookies on port 80,http
	bad "invalid port '80abc' (N or MIN-MAX, 0-65535)" syn-cookies on port 80abc
	bad "invalid port '1-2-3' (N or MIN-MAX, 0-65535)" syn-cookies on port 1-2-3
	bad "reversed range '90-80'" syn-cookies on port 90-80
	bad "invalid port list '80,'" syn-cookies on port 80,
	bad "invalid port list ',80'" syn-cookies on port ,80
	bad "invalid port list '80,,81'" syn-cookies on port 80,,81
	bad "option '--burst' does not apply to syn-cookies" syn-cookies on -b 5
	bad "option '--factor' does not apply to syn-cookies" syn-cookies on --factor 3
	bad "option '--no-sysctl' does not apply to syn" syn 5 --no-sysctl
	bad "option '--no-sysctl' does not apply to portscan" portscan off --no-sysctl
	bad "option '--no-sysctl' needs a setting; see --help" --no-sysctl
	assert_equal "$(xg-threshold -j | jq -c '.syn_cookies | {enabled, on, auto}')" \
		'{"enabled":true,"on":"","auto":"22"}'
}

# ---- the map and the flag -----------------------------------------------------

@test "the modes: two bits a port in xg_scports, the flag while one is not off" {
	xg_load_lab
	assert_equal "$(sc_nonzero)" "[]"
	assert_equal "$(cfg_flags)" 0
	run -0 --separate-stderr xg-threshold syn-cookies on port 80,443 --no-sysctl
	assert_equal "$output$stderr" ""
	# port 80: word 2, bits 32-33; port 443: word 13, bits 54-55; on = 2
	assert_equal "$(sc_word 2)" 0000000200000000
	assert_equal "$(sc_word 13)" 0080000000000000
	assert_equal "$(sc_nonzero)" "[2,13]"
	assert_equal "$(cfg_flags)" 2
	# auto = 1 on a range across two words; 443 stays on
	xg-threshold syn-cookies auto port 30-33,80 --no-sysctl
	assert_equal "$(sc_word 0)" 5000000000000000
	assert_equal "$(sc_word 1)" 0000000000000005
	assert_equal "$(sc_word 2)" 0000000100000000
	assert_equal "$(sc_word 13)" 0080000000000000
	assert_equal "$(xg-threshold -j | jq -c '.syn_cookies | {enabled, on, auto}')" \
		'{"enabled":true,"on":"443","auto":"30-33,80"}'
	run -0 xg-threshold
	assert_line "syn cookies: on 443; auto 30-33,80"
	# off for some ports keeps the flag; for the last ones clears it
	xg-threshold syn-cookies off port 0-100
	assert_equal "$(sc_nonzero)" "[13]"
	assert_equal "$(cfg_flags)" 2
	xg-threshold syn-cookies off port 443
	assert_equal "$(sc_nonzero)" "[]"
	assert_equal "$(cfg_flags)" 0
	assert_equal "$(xg-threshold -j | jq -c '.syn_cookies | {enabled, on, auto}')" "$SC_OFF"
	run -0 xg-threshold
	assert_line "syn cookies: off"
}

@test "no port: every port; off clears them all; other settings stay" {
	xg_load_lab --drop-malformed
	xg-threshold syn 77
	xg-threshold syn-cookies auto --no-sysctl
	local w
	for w in 0 1 1000 2047; do
		assert_equal "$(sc_word $w)" 5555555555555555
	done
	assert_equal "$(cfg_flags)" 3
	run -0 xg-threshold
	assert_line "syn cookies: auto every port"
	xg-threshold syn-cookies on port 22 --no-sysctl
	run -0 xg-threshold
	assert_line "syn cookies: on 22; auto 0-21,23-65535"
	xg-threshold syn-cookies on --no-sysctl
	assert_equal "$(xg-threshold -j | jq -c '.syn_cookies | {enabled, on, auto}')" \
		'{"enabled":true,"on":"0-65535","auto":""}'
	run -0 xg-threshold -j syn-cookies off
	assert_equal "$(jq -c '.syn_cookies | {enabled, on, auto}' <<<"$output")" "$SC_OFF"
	assert_equal "$(sc_nonzero)" "[]"
	assert_equal "$(cfg_flags)" 1
	assert_equal "$(xg-threshold -j | jq -c .limits.syn)" '{"rate":77,"burst":154}'
}

@test "a change of another setting keeps the flag and the ports" {
	xg_load_lab
	xg-threshold syn-cookies on port 443 --no-sysctl
	xg-threshold udp 5
	xg-threshold portscan 20/60s
	assert_equal "$(cfg_flags)" 2
	assert_equal "$(sc_nonzero)" "[13]"
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force
	assert_equal "$(cfg_flags)" 2
	assert_equal "$(xg-threshold -j | jq -c '.syn_cookies | {enabled, on, auto}')" \
		'{"enabled":true,"on":"443","auto":""}'
}

# ---- sysctl -------------------------------------------------------------------

@test "sysctl: auto sets 1 where it is 0, on sets 2, a note for each change" {
	xg_load_lab
	sc_sysctl_set 0
	run -0 --separate-stderr xg-threshold syn-cookies auto port 80
	assert_equal "$output" ""
	assert_equal "$stderr" "$(note 0 1 "$XG_NS")"
	assert_equal "$(sc_sysctl)" 1
	# nothing to change: no note
	run -0 --separate-stderr xg-threshold syn-cookies auto port 81
	assert_equal "$stderr" ""
	run -0 --separate-stderr xg-threshold syn-cookies on port 443
	assert_equal "$stderr" "$(note 1 2 "$XG_NS")"
	assert_equal "$(sc_sysctl)" 2
	# auto leaves 2 alone (443 is still on, and auto would too)
	xg-threshold syn-cookies off port 443
	run -0 --separate-stderr xg-threshold syn-cookies auto port 443
	assert_equal "$stderr" ""
	assert_equal "$(sc_sysctl)" 2
	# off changes no sysctl
	run -0 --separate-stderr xg-threshold syn-cookies off
	assert_equal "$stderr" ""
	assert_equal "$(sc_sysctl)" 2
}

@test "sysctl: every guarded namespace, each once" {
	xg_load_lab
	local ns2=$XG_NS-b
	xg_make_ns "$ns2" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	xg_make_ns "$XG_NS" xgs-"$XG_SHORT" xgt-"$XG_SHORT"
	xg-load -n "$ns2" xgq-"$XG_SHORT"
	xg-load -n "$XG_NS" xgs-"$XG_SHORT"
	sc_sysctl_set 1
	sc_sysctl_set 0 "$ns2"
	run -0 --separate-stderr xg-threshold syn-cookies on port 80
	assert_equal "$stderr" "$(note 1 2 "$XG_NS")
$(note 0 2 "$ns2")"
	assert_equal "$(sc_sysctl)" 2
	assert_equal "$(sc_sysctl "$ns2")" 2
}

@test "--no-sysctl: the sysctl stays, no note" {
	xg_load_lab
	sc_sysctl_set 0
	run -0 --separate-stderr xg-threshold syn-cookies on --no-sysctl
	assert_equal "$output$stderr" ""
	assert_equal "$(sc_sysctl)" 0
	assert_equal "$(cfg_flags)" 2
	run -0 --separate-stderr xg-threshold syn-cookies auto port 1-10 --no-sysctl
	assert_equal "$stderr" ""
	assert_equal "$(sc_sysctl)" 0
}

@test "xg-load into a namespace whose sysctl falls short: a note, nothing set" {
	xg_load_lab
	xg-threshold syn-cookies on port 80 --no-sysctl
	local ns2=$XG_NS-b
	xg_make_ns "$ns2" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	sc_sysctl_set 1 "$ns2"
	run -0 --separate-stderr xg-load -n "$ns2" xgq-"$XG_SHORT"
	assert_equal "$stderr" "xg-load: note: syn-cookies on need net.ipv4.tcp_syncookies 2, and it is 1 in namespace $ns2; run the xg-threshold syn-cookies command again to set it"
	assert_equal "$(sc_sysctl "$ns2")" 1
	xg-threshold syn-cookies auto port 80 --no-sysctl
	sc_sysctl_set 0 "$ns2"
	run -0 --separate-stderr xg-load -n "$ns2" xgq-"$XG_SHORT" --force
	assert_equal "$stderr" "xg-load: note: syn-cookies auto need net.ipv4.tcp_syncookies 1 or 2, and it is 0 in namespace $ns2; run the xg-threshold syn-cookies command again to set it"
	sc_sysctl_set 1 "$ns2"
	run -0 --separate-stderr xg-load -n "$ns2" xgq-"$XG_SHORT" --force
	assert_equal "$stderr" ""
	xg-threshold syn-cookies off
	sc_sysctl_set 0 "$ns2"
	run -0 --separate-stderr xg-load -n "$ns2" xgq-"$XG_SHORT" --force
	assert_equal "$stderr" ""
}

# ---- the timestamp mode -----------------------------------------------------------

# xg_config.sc_wscale in force: the window scale + 1, 0 when off.
cfg_wscale() {
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq '.[0].formatted.value | .cfg[.cfg_slot].sc_wscale'
}

sc_rmem() {
	ip netns exec "${2:-$XG_NS}" sh -c \
		"echo '4096 131072 $1' >/proc/sys/net/ipv4/tcp_rmem"
}

sc_ts() {
	ip netns exec "${1:-$XG_NS}" cat /proc/sys/net/ipv4/tcp_timestamps
}

@test "timestamps on: the listeners' window scale, tcp_timestamps 2 with a note; off" {
	# the window scale follows max(tcp_rmem[2], rmem_max): 2^25 gives 10
	(($(</proc/sys/net/core/rmem_max) < 33554432)) ||
		skip "net.core.rmem_max is 32 MB or more here"
	xg_load_lab
	sc_rmem 33554432
	ip netns exec "$XG_NS" sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_timestamps'
	run -0 --separate-stderr xg-threshold syn-cookies timestamps on
	assert_equal "$output" ""
	assert_equal "$stderr" "xg-threshold: note: net.ipv4.tcp_timestamps 1 -> 2 in namespace $XG_NS: TCP timestamps no longer start at a random offset per connection"
	assert_equal "$(sc_ts)" 2
	assert_equal "$(cfg_wscale)" 11
	assert_equal "$(xg-threshold -j | jq -c '.syn_cookies | [.timestamps, .window_scale]')" '[true,10]'
	run -0 xg-threshold
	assert_line "syn cookie options: mss, sack, timestamps, window scale 10"
	# worked out again at each command: 6 MB is 22.6 bits, scale 7
	sc_rmem 6291456
	run -0 --separate-stderr xg-threshold syn-cookies timestamps on
	assert_equal "$stderr" ""
	assert_equal "$(cfg_wscale)" 8
	# the ports are another matter
	xg-threshold syn-cookies on port 80 --no-sysctl
	assert_equal "$(cfg_wscale)" 8
	assert_equal "$(xg-save | grep '^threshold syn-cookies')" \
"threshold syn-cookies off
threshold syn-cookies on port 80
threshold syn-cookies timestamps on"
	xg-save >saved
	run -0 xg-threshold syn-cookies timestamps off
	assert_equal "$(cfg_wscale)" 0
	assert_equal "$(sc_ts)" 2
	run -0 xg-threshold
	assert_line "syn cookie options: mss only"
	sc_rmem 33554432
	run -0 --separate-stderr xg-restore --no-sysctl saved
	assert_equal "$stderr" ""
	assert_equal "$(cfg_wscale)" 11
	# --no-sysctl leaves tcp_timestamps alone
	xg-threshold syn-cookies timestamps off
	ip netns exec "$XG_NS" sh -c 'echo 1 >/proc/sys/net/ipv4/tcp_timestamps'
	run -0 --separate-stderr xg-threshold syn-cookies timestamps on --no-sysctl
	assert_equal "$stderr" ""
	assert_equal "$(sc_ts)" 1
}

@test "timestamps on: refused where namespaces give other window scales, or without the helpers" {
	(($(</proc/sys/net/core/rmem_max) < 33554432)) ||
		skip "net.core.rmem_max is 32 MB or more here"
	xg_load_lab
	local ns2=$XG_NS-b before
	xg_make_ns "$ns2" xgq-"$XG_SHORT" xgr-"$XG_SHORT"
	xg-load -n "$ns2" xgq-"$XG_SHORT"
	sc_rmem 33554432
	sc_rmem 33554432 "$ns2"
	xg-threshold syn-cookies timestamps on --no-sysctl
	assert_equal "$(cfg_wscale)" 11
	xg-threshold syn-cookies timestamps off
	sc_rmem 6291456 "$ns2"
	before=$(xg-threshold -j)
	run -1 --separate-stderr xg-threshold syn-cookies timestamps on --no-sysctl
	assert_equal "$stderr" "xg-threshold: syn-cookies timestamps: listeners get window scale 7 in namespace $ns2 but 10 in another guarded namespace; give net.ipv4.tcp_rmem the same maximum in each"
	assert_equal "$(xg-threshold -j)" "$before"
	assert_equal "$(cfg_wscale)" 0
	# the build for kernels before 5.12 reads the SYN options too: the
	# mode is taken
	xg-unload --all
	XG_TEST_KFEAT=4 xg-load -n "$XG_NS" "$XG_IF" 2>/dev/null
	sc_rmem 6291456
	run -0 --separate-stderr xg-threshold syn-cookies timestamps on --no-sysctl
	assert_equal "$(cfg_wscale)" 8
	# without the helpers it is refused
	xg-unload --all
	XG_TEST_KFEAT=0 xg-load -n "$XG_NS" "$XG_IF" 2>/dev/null
	run -1 --separate-stderr xg-threshold syn-cookies timestamps on
	assert_equal "$stderr" "xg-threshold: syn-cookies need the SYN cookie helpers of XDP (Linux 5.3), which this kernel lacks; only 'syn-cookies off' works here"
	assert_equal "$(cfg_wscale)" 0
	run -0 xg-threshold syn-cookies timestamps off
}

# ---- kernels without the helpers ----------------------------------------------

@test "a kernel without the helpers: auto and on refused, off works" {
	XG_TEST_KFEAT=0 xg_load_lab -j >"$BATS_TEST_TMPDIR/load"
	assert_equal "$(jq .syn_cookies "$BATS_TEST_TMPDIR/load")" false
	assert_equal "$(bpftool map lookup pinned "$XDPGUARD_PIN_DIR/xg_meta" \
		key 0 0 0 0 -j | jq .formatted.value.kfeat)" 0
	sc_sysctl_set 0
	local before mode msg="xg-threshold: syn-cookies need the SYN cookie helpers of XDP (Linux 5.3), which this kernel lacks; only 'syn-cookies off' works here"
	before=$(xg-threshold -j)
	for mode in on auto "auto port 80" "on port 1-65535"; do
		# shellcheck disable=SC2086 # the words of one mode
		run -1 --separate-stderr xg-threshold syn-cookies $mode
		assert_equal "$output" ""
		assert_equal "$stderr" "$msg"
	done
	run -1 --separate-stderr xg-threshold -j syn-cookies on --no-sysctl
	assert_equal "$(jq -r .error <<<"$output")" "${msg#xg-threshold: }"
	assert_equal "$(xg-threshold -j)" "$before"
	assert_equal "$(sc_nonzero)" "[]"
	assert_equal "$(cfg_flags)" 0
	assert_equal "$(sc_sysctl)" 0
	run -0 --separate-stderr xg-threshold syn-cookies off
	assert_equal "$stderr" ""
	run -0 --separate-stderr xg-threshold syn-cookies off port 80
	# xg-restore refuses such a file before it changes anything
	xg-save >saved
	sed -i 's/^threshold syn-cookies off$/&\nthreshold syn-cookies on port 80/' saved
	xg-threshold udp 9
	before=$(xg-threshold -j)
	run -1 --separate-stderr xg-restore saved
	assert_equal "$stderr" "xg-restore: ${msg#xg-threshold: }"
	assert_equal "$(xg-threshold -j)" "$before"
	assert_equal "$(sc_nonzero)" "[]"
}

# ---- xg-save, xg-restore --------------------------------------------------------

@test "xg-save writes one line a mode; xg-restore puts them back" {
	xg_load_lab
	xg-threshold syn-cookies on port 80,443,8000-8999 --no-sysctl
	xg-threshold syn-cookies auto port 22,65535 --no-sysctl
	run -0 xg-save
	assert_equal "$(grep '^threshold syn-cookies' <<<"$output")" \
"threshold syn-cookies off
threshold syn-cookies auto port 22,65535
threshold syn-cookies on port 80,443,8000-8999
threshold syn-cookies timestamps off"
	echo "$output" >saved
	local want words
	want=$(xg-threshold -j)
	words=$(sc_nonzero)
	xg-threshold syn-cookies on port 1000-2000 --no-sysctl
	sc_sysctl_set 0
	run -0 --separate-stderr xg-restore --no-sysctl saved
	assert_equal "$stderr" ""
	assert_equal "$(sc_sysctl)" 0
	assert_equal "$(xg-threshold -j)" "$want"
	assert_equal "$(sc_nonzero)" "$words"
	assert_equal "$(cfg_flags)" 2
	# without --no-sysctl: the note, as xg-threshold prints it
	xg-threshold syn-cookies off
	run -0 --separate-stderr xg-restore saved
	assert_equal "$stderr" "$(note 0 2 "$XG_NS" | sed 's/^xg-threshold/xg-restore/')"
	assert_equal "$(sc_sysctl)" 2
	assert_equal "$(xg-threshold -j)" "$want"
	# every port in a mode is a line without port; off everywhere is one line
	xg-threshold syn-cookies auto --no-sysctl
	assert_equal "$(xg-save | grep '^threshold syn-cookies')" \
"threshold syn-cookies off
threshold syn-cookies auto
threshold syn-cookies timestamps off"
	xg-threshold syn-cookies off
	assert_equal "$(xg-save | grep '^threshold syn-cookies')" \
		"threshold syn-cookies off
threshold syn-cookies timestamps off"
	xg-restore --no-sysctl saved
	assert_equal "$(xg-threshold -j)" "$want"
}

@test "xg-restore: a bad syn-cookies line is a usage error, nothing changed" {
	xg_load_lab
	xg-save >saved
	local before
	before=$(xg-threshold -j)
	sed -i 's/^threshold syn-cookies off$/threshold syn-cookies on port 90-80/' saved
	run -2 --separate-stderr xg-restore saved
	assert_regex "$stderr" "^xg-restore: saved:[0-9]+: reversed range '90-80'$"
	sed -i 's/^threshold syn-cookies .*/threshold syn-cookies on --no-sysctl/' saved
	run -2 --separate-stderr xg-restore saved
	assert_regex "$stderr" "^xg-restore: saved:[0-9]+: unknown option '--no-sysctl'$"
	assert_equal "$(xg-threshold -j)" "$before"
	assert_equal "$(sc_nonzero)" "[]"
}

# ---- xg-stats ---------------------------------------------------------------------

# sc_stats ACKS_VALID FALLBACK NO_LISTENER UNSUPPORTED LAST_SENT_NS: the
# per-CPU xg_scstats as the program would write it, on every possible CPU.
sc_stats() {
	bpftool map update pinned "$XDPGUARD_PIN_DIR/xg_scstats" key 0 0 0 0 \
		value $(xg_st_le 8 "$1") $(xg_st_le 8 "$2") $(xg_st_le 8 "$3") \
		$(xg_st_le 8 "$4") $(xg_st_le 8 "$5") $(xg_st_le 24 0)
}

@test "xg-stats: the counters in text, JSON and Prometheus" {
	xg_load_lab
	local n
	n=$(xg_st_ncpu)
	run -0 xg-stats -j
	assert_equal "$(jq -c .syn_cookies <<<"$output")" \
		'{"sent":0,"bad":0,"acks_valid":0,"fallback":0,"no_listener":0,"unsupported":0,"engaged":false}'
	assert_equal "$(jq -c .attack.syn_cookies <<<"$output")" false
	xg_st_set 1 tcp cookie_sent 7 420
	xg_st_set 1 tcp cookie_bad 3 180
	xg_st_set 1 udp cookie_bad 1 60 # summed over the classes
	# a cookie sent 10 s ago: counted, no longer engaged
	sc_stats 5 4 2 1 $(($(xg_st_limits_ns) - 10000000000))
	run -0 xg-stats -j
	assert_equal "$(jq -c .syn_cookies <<<"$output")" \
		"{\"sent\":$((7 * n)),\"bad\":$((4 * n)),\"acks_valid\":$((5 * n)),\"fallback\":$((4 * n)),\"no_listener\":$((2 * n)),\"unsupported\":$((1 * n)),\"engaged\":false}"
	assert_equal "$(jq -c .counters.tcp.cookie_sent <<<"$output")" \
		"{\"packets\":$((7 * n)),\"bytes\":$((420 * n))}"
	# a cookie sent drops nothing
	assert_equal "$(jq .total.dropped <<<"$output")" $((4 * n))
	run -0 xg-stats
	assert_line "syn cookies: off, $((7 * n)) sent, $((4 * n)) bad acks, $((5 * n)) valid acks, $((4 * n)) fallback, $((2 * n)) no listener, $((1 * n)) unsupported"
	assert_line --regexp "^tcp +cookie-sent +$((7 * n)) +$((420 * n))$"
	xg-threshold syn-cookies on --no-sysctl
	run -0 xg-stats
	assert_line --partial "syn cookies: idle, "
	run -0 xg-stats --prometheus
	assert_line "xdpguard_syncookies_total{kind=\"sent\"} $((7 * n))"
	assert_line "xdpguard_syncookies_total{kind=\"bad\"} $((4 * n))"
	assert_line "xdpguard_syncookies_total{kind=\"acks_valid\"} $((5 * n))"
	assert_line "xdpguard_syncookies_total{kind=\"fallback\"} $((4 * n))"
	assert_line "xdpguard_syncookies_total{kind=\"no_listener\"} $((2 * n))"
	assert_line "xdpguard_syncookies_total{kind=\"unsupported\"} $((1 * n))"
	assert_line "xdpguard_syncookies_engaged 0"
	assert_line '# TYPE xdpguard_syncookies_total counter'
	assert_line '# TYPE xdpguard_syncookies_engaged gauge'
	if command -v promtool >/dev/null; then
		xg-stats --prometheus | promtool check metrics ||
			fail "promtool check metrics"
	fi
}

@test "xg-stats: engaged while a cookie went out in the last 2 s" {
	xg_load_lab
	# "now" on the program's clock, read just before: the two seconds
	# are the attack state's quiet time, far longer than these commands
	sc_stats 0 0 0 0 "$(xg_st_limits_ns)"
	run -0 xg-stats -j
	assert_equal "$(jq -c '[.syn_cookies.engaged, .attack.syn_cookies]' <<<"$output")" \
		'[true,true]'
	run -0 xg-stats
	assert_line --partial "syn cookies: engaged, "
	sc_stats 0 0 0 0 "$(xg_st_limits_ns)"
	run -0 xg-stats --prometheus
	assert_line "xdpguard_syncookies_engaged 1"
}

# ---- xg-events ----------------------------------------------------------------------

@test "xg-events --reason: cookie_bad is a drop, cookie_sent is not" {
	run -1 --separate-stderr xg-events --reason cookie_bad,cookie-bad
	assert_equal "$stderr" "xg-events: xdpguard is not loaded; run xg-load IFACE first"
	run -2 --separate-stderr xg-events --reason cookie_sent
	assert_regex "$stderr" "^xg-events: invalid reason 'cookie_sent' \(.*, rule_rate or cookie_bad\)$"
	xg_assert_no_pins
}
