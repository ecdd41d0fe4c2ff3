// SPDX-License-Identifier: GPL-2.0-or-later
/* twscope trace: not built yet; the command says so instead of pretending. */
#include "twscope.h"

#include "log.h"

int cmd_trace(struct tw_ctx *ctx, int argc, char **argv)
{
	(void) ctx;
	(void) argc;
	(void) argv;
	tw_err(0, "not implemented in this version");
	return TW_EXIT_FAIL;
}
