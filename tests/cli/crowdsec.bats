#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0
# contrib/crowdsec/xdpguard-bouncer: recorded decision lines as
# crowdsec-custom-bouncer writes them with feed_via_stdin (the decision's
# JSON plus "action"), and the same decisions as arguments; Ip and Range
# scopes, IPv4 and IPv6, add and del, origin crowdsec, other origins left
# alone; what is not a ban is skipped.

bats_require_minimum_version 1.5.0
load '../lib/common'

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
BOUNCER=$REPO/contrib/crowdsec/xdpguard-bouncer

setup_file() { xg_remove_stale; }
setup() {
	xg_setup_test
	xg_shared_lab || fail "xg-load failed"
	xg-block 198.18.7.7 || fail "seeding failed"
}
teardown() { xg_teardown_test; }
teardown_file() { xg_remove_file_leftovers; }

# dec ACTION SCOPE VALUE DURATION [TYPE]: one line as the bouncer sends it.
dec() {
	printf '{"duration":"%s","id":%d,"origin":"crowdsec","scenario":"crowdsecurity/ssh-bf","scope":"%s","type":"%s","uuid":"5b8b7d1e","value":"%s","action":"%s"}\n' \
		"$4" "$RANDOM" "$2" "${5:-ban}" "$3" "$1"
}

crowdsec_entries() {
	xg-block list --origin crowdsec -j |
		jq -c '[.[] | [.address, .origin, (.expires_in != null)]]'
}

@test "stdin: Ip and Range, IPv4 and IPv6, added with their durations" {
	{
		dec add Ip 198.18.0.66 3h59m58.5s
		dec add Range 198.18.64.0/18 4h
		dec add Ip 2001:db8::66 10m0s
		dec add Range 2001:db8:6600::/40 1h
	} >decisions
	run -0 --separate-stderr "$BOUNCER" <decisions
	assert_equal "$stderr" ""
	assert_equal "$(crowdsec_entries)" '[["198.18.0.66","crowdsec",true],["198.18.64.0/18","crowdsec",true],["2001:db8::66","crowdsec",true],["2001:db8:6600::/40","crowdsec",true]]'
	assert_equal "$(xg-block list --origin crowdsec -j | jq '.[0].expires_in')" 14399
}

@test "stdin: del removes the crowdsec entries only; a del of one gone is fine" {
	{
		dec add Ip 198.18.0.66 4h
		dec add Range 198.18.64.0/18 4h
	} | "$BOUNCER"
	{
		dec del Ip 198.18.0.66 -1.5s
		dec del Range 198.18.64.0/18 3h
		dec del Ip 198.18.0.67 1h
	} >decisions
	run -0 --separate-stderr "$BOUNCER" <decisions
	assert_equal "$stderr" ""
	assert_equal "$(crowdsec_entries)" '[]'
	assert_equal "$(xg_list_addrs xg-block)" 198.18.7.7
}

@test "stdin: not a ban, simulated, expired or not JSON: skipped with a note" {
	{
		dec add Ip 198.18.0.70 4h captcha
		echo '{"duration":"4h","scope":"Ip","type":"ban","value":"198.18.0.71","action":"add","simulated":true}'
		dec add Ip 198.18.0.72 -3s
		dec add Country FR 4h
		echo 'not json'
		dec add Ip 198.18.0.73 1h
	} >decisions
	run -0 --separate-stderr "$BOUNCER" <decisions
	assert_equal "$stderr" "$(printf '%s\n' \
		"xdpguard-bouncer: line 1: skipped: type 'captcha' (only ban is applied)" \
		"xdpguard-bouncer: line 2: skipped: a simulated decision" \
		"xdpguard-bouncer: line 3: skipped: 198.18.0.72 has expired already" \
		"xdpguard-bouncer: line 4: skipped: scope 'Country' value 'FR' is not an Ip or Range" \
		"xdpguard-bouncer: line 5: skipped: not a JSON decision (Expecting value: line 1 column 1 (char 0))")"
	assert_equal "$(crowdsec_entries)" '[["198.18.0.73","crowdsec",true]]'
}

@test "stdin: a refusal is reported and the stream goes on" {
	export SSH_CONNECTION="198.18.0.9 50022 198.18.0.1 22"
	{
		dec add Range 198.18.0.0/24 4h
		dec add Ip 198.18.0.74 4h
	} >decisions
	run -1 --separate-stderr "$BOUNCER" <decisions
	assert_equal "$stderr" "xdpguard-bouncer: line 1: xg-block: refusing to block 198.18.0.0/24: it covers 198.18.0.9, your SSH session's peer (--force overrides)"
	assert_equal "$(crowdsec_entries)" '[["198.18.0.74","crowdsec",true]]'
}

@test "arguments: add and del VALUE DURATION SCENARIO JSON" {
	run -0 "$BOUNCER" add 198.18.0.80 600 crowdsecurity/ssh-bf \
		'{"scope":"Ip","type":"ban","value":"198.18.0.80"}'
	run -0 "$BOUNCER" add 2001:db8:8000::/48 600 crowdsecurity/http-probing \
		'{"scope":"Range","type":"ban","value":"2001:db8:8000::/48"}'
	assert_equal "$(crowdsec_entries)" '[["198.18.0.80","crowdsec",true],["2001:db8:8000::/48","crowdsec",true]]'
	assert_equal "$(xg-block list --origin crowdsec -j | jq '.[0].expires_in > 590')" true
	run -0 "$BOUNCER" del 198.18.0.80 600 crowdsecurity/ssh-bf '{}'
	run -0 "$BOUNCER" del 2001:db8:8000::/48 0 crowdsecurity/http-probing
	assert_equal "$(crowdsec_entries)" '[]'
	run -2 --separate-stderr "$BOUNCER" add 198.18.0.81
	assert_equal "$stderr" "xdpguard-bouncer: usage: xdpguard-bouncer [add|del VALUE DURATION SCENARIO [JSON]]; see --help"
}
