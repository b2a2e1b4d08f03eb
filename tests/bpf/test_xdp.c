// SPDX-License-Identifier: GPL-2.0
/* Packet tests for the XDP program, through BPF_PROG_TEST_RUN on the
 * program's test clock (h_advance()), so nothing sleeps and the counts do
 * not depend on the machine's speed. One file per subject (check.h lists
 * them): the case tables and the truncations, then sequences of lists,
 * limits, admission and what the program reports; last the tables and
 * the cuts again with drop events on. Closes with "N passed, N failed".
 * The cost per packet is bench/bench-xdp.c's.
 */
#include <stdio.h>

#include "check.h"

static void run_tables(void)
{
	run_parse_cases();
	run_list_cases();
	run_limit_cases();
	run_truncations();
}

int main(int argc, char **argv)
{
	uint32_t insns, jited, verified;

	if (argc > 1) {
		fprintf(stderr, "test_xdp: takes no arguments (the benchmark "
				"is build/bench-xdp)\n");
		return 2;
	}
	if (h_open()) {
		h_close();
		printf("0 passed, 1 failed\n");
		return 1;
	}
	/* not asserted: the margin to the verifier's 1M limit, in the
	 * kernel guests' logs too
	 */
	if (!h_prog_size(&insns, &jited, &verified))
		printf("# program: %u instructions, %u verified\n", insns,
		       verified);
	run_tables();
	run_lists();
	run_limits();
	run_admission();
	run_observability();
	run_rules();
	run_portscan();
	run_syncookies();
	run_features();
	events_mode = 1;
	run_tables();
	events_mode = 0;
	h_close();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
