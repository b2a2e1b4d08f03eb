#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# xg-threshold: the grammar, every usage message (exit 2, nothing changed),
# the defaults, round trips of every setting (the drop-event budget too),
# the text and JSON layouts, and the double-buffered config slot. Most tests
# share the file's lab (xg_shared_lab puts the settings back between them);
# the ones about a fresh load, the config slot or xg-load load their own.

bats_require_minimum_version 1.5.0
load '../lib/common'

setup_file() { xg_remove_stale; }
setup() { xg_setup_test; }
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

DEFAULTS='{"limits":{"syn":{"rate":200,"burst":400},"udp":{"rate":10000,"burst":20000},"icmp":{"rate":50,"burst":100},"frag":{"rate":1000,"burst":2000},"syn_new":{"rate":2000,"burst":4000},"udp_new":{"rate":2000,"burst":4000},"icmp_new":{"rate":200,"burst":400},"frag_new":{"rate":200,"burst":400},"syn_global":{"rate":50000,"burst":100000},"udp_global":{"rate":50000,"burst":100000},"icmp_global":{"rate":1000,"burst":2000},"frag_global":{"rate":5000,"burst":10000}},"events":{"rate":100,"burst":200},"monitor":{"rate":100,"burst":200},"features":{"rate":0,"burst":0,"sample":1},"ban":{"seconds":300,"factor":4,"after":10},"v6_prefix":64,"portscan":{"ports":0,"window_s":0,"ban":0},"drop_malformed":false,"syn_cookies":{"enabled":false,"on":"","auto":"","timestamps":false,"window_scale":0}}'

# bad MESSAGE ARGS...: exit 2, the exact line, nothing on stdout, and the
# settings exactly as before.
bad() {
	local msg=$1 before
	shift
	before=$(xg-threshold -j) || fail "xg-threshold -j failed"
	run -2 --separate-stderr xg-threshold "$@"
	assert_equal "$stderr" "xg-threshold: $msg"
	assert_equal "$output" ""
	assert_equal "$(xg-threshold -j)" "$before"
}

# The settings with one jq edit applied to the defaults.
defaults_with() {
	jq -c "$1" <<<"$DEFAULTS"
}

# The value of xg_state: "LISTS CFG_SLOT".
state_of() {
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq -r '.[0].formatted.value | "\(.lists) \(.cfg_slot)"'
}

# ---- usage errors ------------------------------------------------------

@test "unknown setting" {
	xg_shared_lab
	bad "unknown setting 'foo'; see --help" foo 5
	bad "unknown setting 'SYN'; see --help" SYN 5
	bad "unknown setting 'syn_global'; see --help" syn_global 5
	bad "unknown setting 'udp_new'; see --help" udp_new 5
	bad "unknown setting 'tcp-new'; see --help" tcp-new 5
}

@test "missing value" {
	xg_shared_lab
	bad "missing value for 'syn'; see --help" syn
	bad "missing value for 'syn-global'; see --help" syn-global
	bad "missing value for 'ban'; see --help" ban
	bad "missing value for 'v6-prefix'; see --help" v6-prefix
	bad "missing value for 'udp'; see --help" udp --burst 5
}

@test "invalid rate" {
	xg_shared_lab
	local r
	for r in 0 abc 100000001 5x ' 5' '' 1.5 OFF; do
		bad "invalid rate '$r' (1-100000000 packets/s, or off)" syn "$r"
	done
	bad "invalid rate '0' (1-100000000 packets/s, or off)" syn-global 0
	bad "invalid rate '0' (1-100000000 packets/s, or off)" frag-global 0
	bad "invalid rate '0' (1-100000000 sources/s, or off)" udp-new 0
	bad "invalid rate 'x' (1-100000000 packets/s, or off)" frag x
}

@test "invalid burst" {
	xg_shared_lab
	local b
	for b in 0 1000000001 abc 5k ''; do
		bad "invalid burst '$b' (1-1000000000)" udp 100 --burst "$b"
	done
	bad "invalid burst '0' (1-1000000000)" icmp 10 -b 0
	bad "invalid burst 'x' (1-1000000000)" syn 10 --burst=x
}

@test "invalid ban time" {
	xg_shared_lab
	local t
	for t in x 31536001 5m ''; do
		bad "invalid ban time '$t' (0-31536000 seconds)" ban "$t"
	done
}

@test "invalid factor" {
	xg_shared_lab
	local f
	for f in 1 0 1001 x 2.5; do
		bad "invalid factor '$f' (2-1000)" ban 300 --factor "$f"
	done
}

@test "invalid after" {
	xg_shared_lab
	local a
	for a in 0 3601 x 10s; do
		bad "invalid after '$a' (1-3600 seconds)" ban 300 --after "$a"
	done
}

@test "invalid prefix length" {
	xg_shared_lab
	local p
	for p in 31 129 0 64x /64 ''; do
		bad "invalid prefix length '$p' (32-128)" v6-prefix "$p"
	done
}

@test "--burst does not apply to ban" {
	xg_shared_lab
	bad "option '--burst' does not apply to ban" ban 300 --burst 5
	bad "option '--burst' does not apply to ban" -b 5 ban 300
}

@test "options given to a setting they do not belong to" {
	xg_shared_lab
	bad "option '--burst' does not apply to off" syn off --burst 5
	bad "option '--factor' does not apply to syn" syn 100 --factor 3
	bad "option '--after' does not apply to udp" udp 100 --after 3
	bad "option '--burst' does not apply to v6-prefix" v6-prefix 64 -b 3
	bad "option '--factor' does not apply to v6-prefix" v6-prefix 64 --factor 3
	bad "option '--burst' needs a setting; see --help" --burst 5
	bad "option '--after' needs a setting; see --help" --after 5
}

@test "extra arguments, unknown options, missing option values" {
	xg_shared_lab
	bad "unexpected argument 'extra'; see --help" syn 100 extra
	bad "unexpected argument '60'; see --help" ban 300 60 5
	bad "unknown option '--frobnicate'; see --help" syn 100 --frobnicate
	bad "unknown option '-Z'; see --help" -Z
	bad "option '--burst' needs a value" syn 100 --burst
	bad "option '--factor' needs a value" ban 300 --factor
}

@test "usage errors come before the privilege check and need no pins" {
	run -2 --separate-stderr xg_as_nobody "$XG_BUILD/xg-threshold" syn 0
	assert_equal "$stderr" \
		"xg-threshold: invalid rate '0' (1-100000000 packets/s, or off)"
	run -2 --separate-stderr xg-threshold ban 300 --burst 5
	assert_equal "$stderr" "xg-threshold: option '--burst' does not apply to ban"
	run -2 --separate-stderr xg-threshold nonsense 1
	assert_equal "$stderr" "xg-threshold: unknown setting 'nonsense'; see --help"
	xg_assert_no_pins
}

@test "-j: a usage error is also JSON on stdout" {
	xg_shared_lab
	run -2 --separate-stderr xg-threshold -j udp 0
	assert_equal "$stderr" \
		"xg-threshold: invalid rate '0' (1-100000000 packets/s, or off)"
	assert_equal "$(jq -r .error <<<"$output")" \
		"invalid rate '0' (1-100000000 packets/s, or off)"
}

@test "events: invalid rate and burst, options that do not apply" {
	xg_shared_lab
	local r
	for r in 0 abc 1000001 5x '' OFF; do
		bad "invalid rate '$r' (1-1000000 events/s, or off)" events "$r"
	done
	bad "invalid burst '0' (1-1000000000)" events 10 --burst 0
	bad "invalid burst 'x' (1-1000000000)" events 10 -b x
	bad "option '--burst' does not apply to off" events off --burst 5
	bad "option '--factor' does not apply to events" events 10 --factor 3
	bad "option '--after' does not apply to events" events 10 --after 3
	bad "missing value for 'events'; see --help" events
	bad "unexpected argument '5'; see --help" events 10 5
}

# ---- runtime errors ----------------------------------------------------

@test "not loaded: printing and changing both fail, nothing is created" {
	run -1 --separate-stderr xg-threshold
	assert_equal "$stderr" "xg-threshold: xdpguard is not loaded; run xg-load IFACE first"
	assert_equal "$output" ""
	run -1 --separate-stderr xg-threshold syn 100
	assert_equal "$stderr" "xg-threshold: xdpguard is not loaded; run xg-load IFACE first"
	run -1 --separate-stderr xg-threshold -j
	assert_equal "$(jq -r .error <<<"$output")" \
		"xdpguard is not loaded; run xg-load IFACE first"
	xg_assert_no_pins
}

@test "unprivileged: permission denied, nothing changed" {
	xg_shared_lab
	local before
	before=$(xg-threshold -j)
	run -1 --separate-stderr xg_as_nobody "$XG_BUILD/xg-threshold" syn 5
	assert_equal "$stderr" \
		"xg-threshold: permission denied; run as root (needs CAP_BPF and CAP_NET_ADMIN)"
	assert_equal "$(xg-threshold -j)" "$before"
}

# ---- output ------------------------------------------------------------

@test "the defaults of a fresh load, as text" {
	xg_load_lab
	run -0 --separate-stderr xg-threshold
	assert_equal "$stderr" ""
	assert_equal "$output" "$(cat <<-'EOF'
	limit          rate/s       burst
	syn               200         400
	udp             10000       20000
	icmp               50         100
	frag             1000        2000
	syn-new          2000        4000
	udp-new          2000        4000
	icmp-new          200         400
	frag-new          200         400
	syn-global      50000      100000
	udp-global      50000      100000
	icmp-global      1000        2000
	frag-global      5000       10000
	events            100         200
	monitor           100         200
	features          off           -
	ban: 300 s when a source sends 4x a limit for 10 s
	ipv6 sources tracked per /64
	port scans: off
	features sample: 1/1 of passing packets
	malformed packets: passed
	syn cookies: off
	syn cookie options: mss only
	EOF
	)"
}

@test "the defaults of a fresh load, as JSON" {
	xg_load_lab
	run -0 --separate-stderr xg-threshold -j
	assert_equal "$stderr" ""
	assert_equal "$output" "$DEFAULTS"
	assert_equal "$(jq -c 'keys_unsorted' <<<"$output")" \
		'["limits","events","monitor","features","ban","v6_prefix","portscan","drop_malformed","syn_cookies"]'
	assert_equal "$(jq -c '.syn_cookies | keys_unsorted' <<<"$output")" \
		'["enabled","on","auto","timestamps","window_scale"]'
	assert_equal "$(jq -c '.events | keys_unsorted' <<<"$output")" \
		'["rate","burst"]'
	assert_equal "$(jq -c '.limits | keys_unsorted' <<<"$output")" \
		'["syn","udp","icmp","frag","syn_new","udp_new","icmp_new","frag_new","syn_global","udp_global","icmp_global","frag_global"]'
	assert_equal "$(jq -c '[.limits[] | keys_unsorted] | unique' <<<"$output")" \
		'[["rate","burst"]]'
	assert_equal "$(jq -c '.ban | keys_unsorted' <<<"$output")" \
		'["seconds","factor","after"]'
	assert_equal "$(jq -c '[.. | scalars | type] | unique' <<<"$output")" \
		'["boolean","number","string"]'
}

@test "--json is -j; --pin-dir is honoured" {
	xg_shared_lab
	run -0 xg-threshold --json
	assert_equal "$output" "$DEFAULTS"
	local dir=$XDPGUARD_PIN_DIR
	run -0 env -u XDPGUARD_PIN_DIR "$XG_BUILD/xg-threshold" --pin-dir "$dir" -j
	assert_equal "$output" "$DEFAULTS"
}

@test "text: a limit that is off, bans off, another prefix, malformed dropped" {
	xg_load_lab --drop-malformed
	xg-threshold udp off
	xg-threshold ban 0
	xg-threshold v6-prefix 128
	xg-threshold syn-global 100000000
	xg-threshold udp-new 10 --burst 1
	xg-threshold udp-global off
	xg-threshold events off
	run -0 xg-threshold
	assert_equal "$output" "$(cat <<-'EOF'
	limit          rate/s       burst
	syn               200         400
	udp               off           -
	icmp               50         100
	frag             1000        2000
	syn-new          2000        4000
	udp-new            10           1
	icmp-new          200         400
	frag-new          200         400
	syn-global  100000000   200000000
	udp-global        off           -
	icmp-global      1000        2000
	frag-global      5000       10000
	events            off           -
	monitor           100         200
	features          off           -
	ban: off
	ipv6 sources tracked per /128
	port scans: off
	features sample: 1/1 of passing packets
	malformed packets: dropped
	syn cookies: off
	syn cookie options: mss only
	EOF
	)"
}

# ---- round trips -------------------------------------------------------

@test "each limit: RATE sets burst to twice the rate; text is silent" {
	xg_shared_lab
	local w k
	for w in syn udp icmp frag {syn,udp,icmp,frag}-{new,global}; do
		k=${w/-/_}
		run -0 --separate-stderr xg-threshold "$w" 7
		assert_equal "$output$stderr" ""
		assert_equal "$(xg-threshold -j | jq -c ".limits.$k")" \
			'{"rate":7,"burst":14}'
	done
	assert_equal "$(xg-threshold -j | jq -c '[.limits[]] | unique')" \
		'[{"rate":7,"burst":14}]'
}

@test "each limit: --burst and -b set the burst" {
	xg_shared_lab
	xg-threshold syn 10 --burst 1
	xg-threshold udp 1000 -b 1000000000
	xg-threshold icmp 1 --burst=3
	xg-threshold -b 99 frag 5
	xg-threshold syn-global 100000000 --burst 5
	xg-threshold icmp-new 3 --burst 1
	xg-threshold frag-global 9 -b 2
	assert_equal "$(xg-threshold -j)" "$(defaults_with '
		.limits.icmp_new = {rate: 3, burst: 1} |
		.limits.frag_global = {rate: 9, burst: 2} |
		.limits.syn = {rate: 10, burst: 1} |
		.limits.udp = {rate: 1000, burst: 1000000000} |
		.limits.icmp = {rate: 1, burst: 3} |
		.limits.frag = {rate: 5, burst: 99} |
		.limits.syn_global = {rate: 100000000, burst: 5}')"
}

@test "a new rate without --burst takes the default burst again" {
	xg_shared_lab
	xg-threshold udp 100 --burst 5000
	xg-threshold udp 300
	assert_equal "$(xg-threshold -j | jq -c .limits.udp)" '{"rate":300,"burst":600}'
}

@test "off disables one limit and leaves the others" {
	xg_shared_lab
	local w k
	for w in syn udp icmp frag {syn,udp,icmp,frag}-{new,global}; do
		k=${w/-/_}
		xg-threshold "$w" off
		assert_equal "$(xg-threshold -j | jq -c ".limits.$k")" \
			'{"rate":0,"burst":0}'
	done
	xg-threshold icmp 50
	assert_equal "$(xg-threshold -j | jq -c .limits.icmp)" '{"rate":50,"burst":100}'
	assert_equal "$(xg-threshold -j | jq -c .limits.syn)" '{"rate":0,"burst":0}'
}

@test "events: RATE, --burst, off, and the bounds; nothing else moves" {
	xg_shared_lab
	run -0 --separate-stderr xg-threshold events 50
	assert_equal "$output$stderr" ""
	assert_equal "$(xg-threshold -j)" \
		"$(defaults_with '.events = {rate: 50, burst: 100}')"
	xg-threshold events 50 -b 50
	assert_equal "$(xg-threshold -j | jq -c .events)" '{"rate":50,"burst":50}'
	xg-threshold --burst=1 events 1
	assert_equal "$(xg-threshold -j | jq -c .events)" '{"rate":1,"burst":1}'
	xg-threshold events 1000000
	assert_equal "$(xg-threshold -j | jq -c .events)" '{"rate":1000000,"burst":2000000}'
	run -0 xg-threshold
	assert_line "events        1000000     2000000"
	xg-threshold events off
	assert_equal "$(xg-threshold -j)" \
		"$(defaults_with '.events = {rate: 0, burst: 0}')"
	# the program reads the budget (limit[XG_LIM_EVENTS]) from the
	# config slot in force
	assert_equal "$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq -c '.[0].formatted.value | .cfg[.cfg_slot].limit[12]')" \
		'{"rate":0,"burst":0,"interval_ns":0,"tau_ns":0}'
	xg-threshold events 100
	assert_equal "$(xg-threshold -j)" "$DEFAULTS"
}

@test "ban: seconds, --factor, --after; unchanged ones are kept" {
	xg_shared_lab
	xg-threshold ban 3600 --factor 10 --after 5
	assert_equal "$(xg-threshold -j | jq -c .ban)" \
		'{"seconds":3600,"factor":10,"after":5}'
	xg-threshold ban 60
	assert_equal "$(xg-threshold -j | jq -c .ban)" \
		'{"seconds":60,"factor":10,"after":5}'
	xg-threshold ban 31536000 --after 3600
	assert_equal "$(xg-threshold -j | jq -c .ban)" \
		'{"seconds":31536000,"factor":10,"after":3600}'
	xg-threshold --factor 2 --after 1 ban 1
	assert_equal "$(xg-threshold -j | jq -c .ban)" \
		'{"seconds":1,"factor":2,"after":1}'
	xg-threshold ban 5 --factor 1000
	assert_equal "$(xg-threshold -j | jq -c .ban)" \
		'{"seconds":5,"factor":1000,"after":1}'
	run -0 xg-threshold
	assert_line "ban: 5 s when a source sends 1000x a limit for 1 s"
}

@test "ban 0 turns automatic bans off; the limits stay" {
	xg_shared_lab
	xg-threshold ban 0
	assert_equal "$(xg-threshold -j)" "$(defaults_with '.ban.seconds = 0')"
	run -0 xg-threshold
	assert_line "ban: off"
	assert_line "syn               200         400"
	xg-threshold ban 120
	assert_equal "$(xg-threshold -j)" "$(defaults_with '.ban.seconds = 120')"
}

@test "v6-prefix: the bounds and a value between" {
	xg_shared_lab
	local p
	for p in 32 56 128 64; do
		xg-threshold v6-prefix "$p"
		assert_equal "$(xg-threshold -j | jq .v6_prefix)" "$p"
	done
	run -0 xg-threshold
	assert_line "ipv6 sources tracked per /64"
}

@test "a change touches only its setting" {
	xg_shared_lab
	xg-threshold syn 50
	assert_equal "$(xg-threshold -j)" \
		"$(defaults_with '.limits.syn = {rate: 50, burst: 100}')"
	xg-threshold v6-prefix 48
	assert_equal "$(xg-threshold -j)" \
		"$(defaults_with '.limits.syn = {rate: 50, burst: 100} | .v6_prefix = 48')"
}

@test "-j after a change prints the new settings" {
	xg_shared_lab
	run -0 --separate-stderr xg-threshold -j udp 1000 --burst 3000
	assert_equal "$stderr" ""
	assert_equal "$output" \
		"$(defaults_with '.limits.udp = {rate: 1000, burst: 3000}')"
	assert_equal "$(xg-threshold -j)" "$output"
}

@test "every change flips the config slot; the lists bits stay" {
	xg_load_lab
	assert_equal "$(state_of)" "0 0"
	xg-block 198.18.0.5
	assert_equal "$(state_of)" "16 0"
	xg-threshold syn 10
	assert_equal "$(state_of)" "16 1"
	xg-threshold syn 20
	assert_equal "$(state_of)" "16 0"
	# The slot not in force still holds the settings before the change,
	# with the bucket's constants user space worked out: 1 s / 10 a token,
	# 19 of them ahead for a burst of 20.
	assert_equal "$(bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j |
		jq -c '.[0].formatted.value.cfg[1].limit[0]')" \
		'{"rate":10,"burst":20,"interval_ns":100000000,"tau_ns":1900000000}'
	assert_equal "$(xg-threshold -j | jq -c .limits.syn)" '{"rate":20,"burst":40}'
	# A usage error does not write.
	run -2 xg-threshold syn 0
	assert_equal "$(state_of)" "16 0"
}

@test "settings survive xg-load --force and xg-unload IFACE + xg-load" {
	xg_load_lab
	xg-threshold icmp 5 --burst 9
	xg-threshold ban 0
	local want
	want=$(xg-threshold -j)
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force
	assert_equal "$(xg-threshold -j)" "$want"
	run -0 xg-unload -n "$XG_NS" "$XG_IF"
	assert_equal "$(xg-threshold -j)" "$want"
	run -0 xg-load -n "$XG_NS" "$XG_IF"
	assert_equal "$(xg-threshold -j)" "$want"
}

@test "xg-load --drop-malformed and --pass-malformed keep the limits" {
	xg_load_lab
	xg-threshold syn 33
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force --drop-malformed
	assert_equal "$(xg-threshold -j)" \
		"$(defaults_with '.limits.syn = {rate: 33, burst: 66} | .drop_malformed = true')"
	run -0 xg-load -n "$XG_NS" "$XG_IF" --force --pass-malformed
	assert_equal "$(xg-threshold -j)" \
		"$(defaults_with '.limits.syn = {rate: 33, burst: 66}')"
	assert_equal "$(xg-stats -j | jq .config.drop_malformed)" false
}

@test "-h lists every setting and long option; -V prints the version" {
	run -0 --separate-stderr xg-threshold -h
	assert_equal "$stderr" ""
	local w
	for w in syn udp icmp frag CLASS-new CLASS-global events ban v6-prefix off --burst \
		 --factor --after syn-cookies auto on port --no-sysctl --pin-dir --json \
		 --verbose --version --help; do
		grep -qw -- "$w" <<<"$output" || fail "--help lacks $w"
	done
	run -0 xg-threshold --version
	assert_regex "$output" '^xg-threshold \(xdpguard\) 0\.1\.0, libbpf [0-9]+\.[0-9]+$'
	xg_assert_no_pins
}

@test "monitor: RATE, --burst and off, beside the events budget" {
	xg_shared_lab
	xg-threshold monitor 50 -b 60
	assert_equal "$(xg-threshold -j | jq -c '[.monitor, .events]')" \
		'[{"rate":50,"burst":60},{"rate":100,"burst":200}]'
	run -0 xg-threshold
	assert_line "monitor            50          60"
	xg-threshold monitor off
	assert_equal "$(xg-threshold -j | jq -c .monitor)" '{"rate":0,"burst":0}'
	run -2 xg-threshold monitor 0
	assert_output --partial "xg-threshold: invalid rate '0'"
	xg-threshold monitor 100
	assert_equal "$(xg-threshold -j)" "$DEFAULTS"
}

@test "features: RATE, RATE/BURST, --burst, sample 1/N and off; bad values change nothing" {
	xg_shared_lab
	xg-threshold features 100000
	assert_equal "$(xg-threshold -j | jq -c .features)" '{"rate":100000,"burst":200000,"sample":1}'
	xg-threshold features 5000/50
	assert_equal "$(xg-threshold -j | jq -c .features)" '{"rate":5000,"burst":50,"sample":1}'
	xg-threshold features 7000 -b 70
	assert_equal "$(xg-threshold -j | jq -c .features)" '{"rate":7000,"burst":70,"sample":1}'
	xg-threshold features sample 1/1000
	assert_equal "$(xg-threshold -j | jq -c .features)" '{"rate":7000,"burst":70,"sample":1000}'
	run -0 xg-threshold
	assert_line "features         7000          70"
	assert_line "features sample: 1/1000 of passing packets"
	xg-threshold features sample off
	run -0 xg-threshold
	assert_line "features sample: off (monitor rules only)"
	assert_equal "$(xg-threshold -j | jq -c .features)" '{"rate":7000,"burst":70,"sample":0}'
	# the sample's multiplier, as the program reads it
	xg-threshold features sample 1/3
	bpftool map dump pinned "$XDPGUARD_PIN_DIR/xg_state" -j >"$BATS_TEST_TMPDIR/st"
	assert_equal "$(jq -r '.[0].formatted.value | .cfg[.cfg_slot].feat_n' "$BATS_TEST_TMPDIR/st")" 3
	# (jq reads numbers as doubles: the 64-bit value as bpftool wrote it)
	grep -q '"feat_mul":6148914691236517206' "$BATS_TEST_TMPDIR/st" ||
		fail "feat_mul of 1/3 is not 2^64/3 + 1"
	bad "invalid rate '0' (1-10000000 features/s, or off)" features 0
	bad "invalid rate '10000001' (1-10000000 features/s, or off)" features 10000001
	bad "invalid burst '0' (1-1000000000)" features 100/0
	bad "the burst is given twice, in '100/5' and --burst" features 100/5 -b 6
	bad "invalid sample '1/0' (1/N with N 1-1000000000, or off)" features sample 1/0
	bad "invalid sample '2/3' (1/N with N 1-1000000000, or off)" features sample 2/3
	bad "invalid sample '1000' (1/N with N 1-1000000000, or off)" features sample 1000
	bad "missing value for 'features sample'; see --help" features sample
	bad "unexpected argument 'now'; see --help" features sample off now
	bad "unexpected argument 'now'; see --help" features off now
	bad "option '--burst' does not apply to features sample" features sample 1/2 -b 3
	bad "option '--factor' does not apply to features" features 100 --factor 3
	xg-threshold features off
	xg-threshold features sample 1/1
	assert_equal "$(xg-threshold -j)" "$DEFAULTS"
}

@test "portscan: PORTS/SECONDSs [ban SECONDS] and off; bad values change nothing" {
	xg_shared_lab
	xg-threshold portscan 20/60s
	assert_equal "$(xg-threshold -j | jq -c .portscan)" '{"ports":20,"window_s":60,"ban":0}'
	run -0 xg-threshold
	assert_line "port scans: 20 ports in 60 s, reported"
	xg-threshold portscan 30/10 ban 600
	assert_equal "$(xg-threshold -j | jq -c .portscan)" '{"ports":30,"window_s":10,"ban":600}'
	run -0 xg-threshold
	assert_line "port scans: 30 ports in 10 s, banned 600 s"
	local w
	for w in "1/60s" "101/60s" "20" "20/0s" "20/3601s" "x/60s" \
		 "20/60s ban" "20/60s ban 0" "20/60s kick 5" "off now"; do
		# shellcheck disable=SC2086 # the words of one setting
		run -2 --separate-stderr xg-threshold portscan $w
		assert_output ""
		[[ $stderr == "xg-threshold: "* ]] || fail "portscan $w: $stderr"
	done
	run -2 --separate-stderr xg-threshold portscan 20/60s --burst 5
	assert_equal "$stderr" "xg-threshold: option '--burst' does not apply to portscan"
	assert_equal "$(xg-threshold -j | jq -c .portscan)" '{"ports":30,"window_s":10,"ban":600}'
	xg-threshold portscan off
	assert_equal "$(xg-threshold -j)" "$DEFAULTS"
}
