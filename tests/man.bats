#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# The man pages: lint-clean under man --warnings, the sections the style
# guide asks for, every long option a tool's --help prints documented in its
# page, and the pin layout in xdpguard(7) in step with common/xg_abi.h.
# Needs no root and touches nothing outside the source tree.

bats_require_minimum_version 1.5.0

load '/usr/lib/bats/bats-support/load'
load '/usr/lib/bats/bats-assert/load'

REPO=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
MAN=$REPO/man
XG_BUILD=${XG_BUILD:-$REPO/build}

export LC_ALL=C.UTF-8 MANWIDTH=80

REQUIRED_SECTIONS=(NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS"
		   ENVIRONMENT FILES EXAMPLES "SEE ALSO")

# The page with roff escapes taken out, so that \fB\-\-mode\fR reads
# --mode: font changes removed first, then every remaining backslash.
plain_page() {
	sed -E 's/\\f(\[[^]]*\]|\(..|.)//g; s/\\//g' "$1"
}

# check_lint PAGE: man --warnings prints nothing, and man succeeds.
check_lint() {
	local page=$MAN/$1

	[[ -f $page ]] || fail "$page does not exist"
	run --separate-stderr man --warnings -E UTF-8 -l -Tutf8 -Z "$page"
	assert_success
	[[ -z $stderr ]] || fail "man --warnings on $1 printed:"$'\n'"$stderr"
}

# check_sections PAGE: every required .SH heading is there.
check_sections() {
	local page=$MAN/$1 have missing=() s

	[[ -f $page ]] || fail "$page does not exist"
	have=$(sed -n 's/^\.SH[[:space:]]\{1,\}//p' "$page" | tr -d '"')
	for s in "${REQUIRED_SECTIONS[@]}"; do
		grep -qxF -- "$s" <<<"$have" || missing+=("$s")
	done
	((${#missing[@]} == 0)) ||
		fail "$1 lacks section(s): ${missing[*]}"
}

# check_options TOOL: each --long-option of `TOOL --help` is in its page.
check_options() {
	local tool=$1 page=$MAN/$1.8 bin=$XG_BUILD/$1 text opts opt
	local missing=()

	[[ -x $bin ]] || fail "$bin not found; run make first"
	[[ -f $page ]] || fail "$page does not exist"
	run --separate-stderr "$bin" --help
	assert_success
	opts=$(grep -o -- '--[a-z][a-z-]*' <<<"$output" | sort -u)
	[[ -n $opts ]] || fail "$tool --help printed no long option"
	text=$(plain_page "$page")
	for opt in $opts; do
		grep -qE -- "(^|[^a-z-])$opt([^a-z-]|\$)" <<<"$text" ||
			missing+=("$opt")
	done
	((${#missing[@]} == 0)) ||
		fail "$tool --help has option(s) not in $tool.8: ${missing[*]}"
}

@test "xg-load.8: man --warnings is silent" { check_lint xg-load.8; }
@test "xg-unload.8: man --warnings is silent" { check_lint xg-unload.8; }
@test "xg-block.8: man --warnings is silent" { check_lint xg-block.8; }
@test "xg-allow.8: man --warnings is silent" { check_lint xg-allow.8; }
@test "xg-stats.8: man --warnings is silent" { check_lint xg-stats.8; }
@test "xg-threshold.8: man --warnings is silent" { check_lint xg-threshold.8; }
@test "xg-events.8: man --warnings is silent" { check_lint xg-events.8; }
@test "xg-rule.8: man --warnings is silent" { check_lint xg-rule.8; }
@test "xg-features.8: man --warnings is silent" { check_lint xg-features.8; }
@test "xg-save.8: man --warnings is silent" { check_lint xg-save.8; }
@test "xg-restore.8: man --warnings is silent" { check_lint xg-restore.8; }
@test "xdpguard.7: man --warnings is silent" { check_lint xdpguard.7; }

@test "xg-load.8: has the required sections" { check_sections xg-load.8; }
@test "xg-unload.8: has the required sections" { check_sections xg-unload.8; }
@test "xg-block.8: has the required sections" { check_sections xg-block.8; }
@test "xg-allow.8: has the required sections" { check_sections xg-allow.8; }
@test "xg-stats.8: has the required sections" { check_sections xg-stats.8; }
@test "xg-threshold.8: has the required sections" { check_sections xg-threshold.8; }
@test "xg-events.8: has the required sections" { check_sections xg-events.8; }
@test "xg-rule.8: has the required sections" { check_sections xg-rule.8; }
@test "xg-features.8: has the required sections" { check_sections xg-features.8; }
@test "xg-save.8: has the required sections" { check_sections xg-save.8; }
@test "xg-restore.8: has the required sections" { check_sections xg-restore.8; }
@test "xdpguard.7: has the required sections" { check_sections xdpguard.7; }

@test "xg-load.8: documents every option of xg-load --help" {
	check_options xg-load
}

@test "xg-unload.8: documents every option of xg-unload --help" {
	check_options xg-unload
}

@test "xg-block.8: documents every option of xg-block --help" {
	check_options xg-block
}

@test "xg-allow.8: documents every option of xg-allow --help" {
	check_options xg-allow
}

@test "xg-stats.8: documents every option of xg-stats --help" {
	check_options xg-stats
}

@test "xg-threshold.8: documents every option of xg-threshold --help" {
	check_options xg-threshold
}

@test "xg-events.8: documents every option of xg-events --help" {
	check_options xg-events
}

@test "xg-rule.8: documents every option of xg-rule --help" {
	check_options xg-rule
}

@test "xg-features.8: documents every option of xg-features --help" {
	check_options xg-features
}

@test "xg-save.8: documents every option of xg-save --help" {
	check_options xg-save
}

@test "xg-restore.8: documents every option of xg-restore --help" {
	check_options xg-restore
}

@test "xg-threshold.8: documents every setting and every usage message" {
	local text w missing=()

	text=$(plain_page "$MAN/xg-threshold.8")
	for w in syn udp icmp frag syn-new udp-new icmp-new frag-new syn-global udp-global icmp-global frag-global events ban v6-prefix off \
		 "unknown setting 'x'; see --help" \
		 "missing value for 'syn'; see --help" \
		 "invalid rate 'x' (1-100000000 packets/s, or off)" \
		 "invalid rate 'x' (1-100000000 sources/s, or off)" \
		 "invalid rate 'x' (1-1000000 events/s, or off)" \
		 "invalid burst 'x' (1-1000000000)" \
		 "invalid ban time 'x' (0-31536000 seconds)" \
		 "invalid factor 'x' (2-1000)" \
		 "invalid after 'x' (1-3600 seconds)" \
		 "invalid prefix length 'x' (32-128)" \
		 "option '--burst' does not apply to ban" \
		 syn-cookies timestamps --no-sysctl net.ipv4.tcp_syncookies \
		 net.ipv4.tcp_timestamps \
		 "invalid syn-cookies mode 'x' (off, auto, on or timestamps)" \
		 "invalid timestamps 'x' (on or off)" \
		 "invalid port 'x' (N or MIN-MAX, 0-65535)" \
		 "reversed range '90-80'" \
		 "syn-cookies need the SYN cookie helpers of XDP (Linux 5.3), which this kernel lacks; only 'syn-cookies off' works here"; do
		grep -qF -- "$w" <<<"$text" || missing+=("$w")
	done
	((${#missing[@]} == 0)) || fail "not in xg-threshold.8: ${missing[*]}"
}

@test "every tool in the Makefile has a page and every page a test" {
	local tools t missing=()

	tools=$(sed -nE 's/^TOOLS :?= *//p' "$REPO/Makefile")
	[[ -n $tools ]] || fail "no TOOLS in the Makefile"
	for t in $tools; do
		[[ -f $MAN/$t.8 ]] || missing+=("$t.8")
		grep -q "check_lint $t.8" "$BATS_TEST_FILENAME" ||
			missing+=("lint test of $t.8")
		grep -q "check_options $t\$" "$BATS_TEST_FILENAME" ||
			missing+=("options test of $t")
	done
	((${#missing[@]} == 0)) || fail "missing: ${missing[*]}"
}

@test "every page documents XDPGUARD_PIN_DIR and the common options" {
	local page opt missing=()

	for page in "$MAN"/xg-*.8 "$MAN"/xdpguard.7; do
		for opt in XDPGUARD_PIN_DIR --help --version --json --pin-dir \
			   --verbose; do
			plain_page "$page" | grep -qE -- "(^|[^a-z_-])$opt([^a-z_-]|\$)" ||
				missing+=("${page##*/}:$opt")
		done
	done
	((${#missing[@]} == 0)) || fail "missing: ${missing[*]}"
}

@test "xdpguard.7: the pin layout names every map of xg_abi.h" {
	local maps map missing=()

	maps=$(sed -nE 's/^#define XG_MAP_[A-Z0-9_]+[[:space:]]+(xg_[a-z0-9_]+).*/\1/p' \
		"$REPO/common/xg_abi.h")
	[[ -n $maps ]] || fail "no XG_MAP_* names found in common/xg_abi.h"
	for map in $maps; do
		grep -qw -- "$map" "$MAN/xdpguard.7" || missing+=("$map")
	done
	((${#missing[@]} == 0)) || fail "not in xdpguard.7: ${missing[*]}"
}

@test "cross references name pages that exist" {
	local refs ref missing=()

	refs=$(cat "$MAN"/*.[78] |
	       grep -oE '^\.BR (xg-[a-z]+|xdpguard) \(?[0-9]\)?' |
	       sed -E 's/^\.BR ([a-z-]+) \(?([0-9])\)?/\1.\2/' | sort -u)
	[[ -n $refs ]] || fail "no cross references found"
	for ref in $refs; do
		[[ -f $MAN/$ref ]] || missing+=("$ref")
	done
	((${#missing[@]} == 0)) || fail "no such page: ${missing[*]}"
}
