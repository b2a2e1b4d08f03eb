#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make test`: run each test layer, then close with one line that counts
# them all ("N passed, N failed"), so CI and people read the same total.
set -u
cd "$(dirname "$0")/.."
export XG_BUILD=${XG_BUILD:-$PWD/build}

log=$(mktemp)
trap 'rm -f "$log"' EXIT
passed=0
failed=0
skipped=0

# layer NAME CMD...: runs CMD, adds its counts; a runner that dies without
# reporting a failure still counts as one failure.
layer() {
	local name=$1 rc p f k=0
	shift
	printf '\n== %s\n' "$name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	if grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$log"; then
		p=$(sed -nE 's/^([0-9]+) passed, [0-9]+ failed$/\1/p' "$log" | tail -1)
		f=$(sed -nE 's/^[0-9]+ passed, ([0-9]+) failed$/\1/p' "$log" | tail -1)
	else
		k=$(grep -cE '^ok .* # skip' "$log")
		p=$(($(grep -cE '^ok ' "$log") - k))
		f=$(grep -cE '^not ok ' "$log")
	fi
	# bats skips a test it cannot run (a file that does not parse past
	# some line) with only this warning, and may still exit 0.
	if grep -q '^# bats warning: Executed' "$log"; then
		echo "$name: bats did not run every test"
		f=$((f + 1))
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "$name: runner exited $rc without reporting a failure"
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + k))
}

layer "packet tests (BPF_PROG_TEST_RUN)" "$XG_BUILD/tests/test_xdp"
layer "packet fuzzer (short)" "$XG_BUILD/tests/fuzz" --frames 50000
layer "command tests" bats --tap tests/cli
layer "man pages" bats --tap tests/man.bats
layer "end to end" bats --tap tests/e2e

echo
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
