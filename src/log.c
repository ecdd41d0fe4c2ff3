// SPDX-License-Identifier: GPL-2.0-or-later
/* stderr messages in one format: "twscope <cmd>: <message>[: <strerror>]". */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char prog[64] = "twscope";
static bool verbose;

void log_set_prog(const char *cmd)
{
	if (cmd)
		snprintf(prog, sizeof(prog), "twscope %s", cmd);
	else
		snprintf(prog, sizeof(prog), "twscope");
}

void log_set_verbose(bool on)
{
	verbose = on;
}

bool log_is_verbose(void)
{
	return verbose;
}

int tw_err(int err, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err < 0 ? -err : err));
	fputc('\n', stderr);
	return err;
}

void tw_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void tw_dbg(const char *fmt, ...)
{
	va_list ap;

	if (!verbose)
		return;
	fprintf(stderr, "%s: debug: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
