// SPDX-License-Identifier: GPL-2.0-or-later
/* stub */
#include "twscope.h"
int cmd_report(struct tw_ctx *ctx, int argc, char **argv)
{
	(void) ctx; (void) argc; (void) argv;
	return 1;
}
