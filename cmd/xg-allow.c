// SPDX-License-Identifier: GPL-2.0
/* xg-allow: add, remove and show allowlist entries (see common/listcmd.c). */
#include "xg.h"

int main(int argc, char **argv)
{
	xg_cli_init("xg-allow");
	return xg_exit(xg_listcmd_main(argc, argv, XG_LIST_ALLOW));
}
