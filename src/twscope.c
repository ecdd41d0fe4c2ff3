// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main(): global options, the command table and dispatch. Each command lives
 * in its own cmd-<name>.c; this file knows only their names and entry points.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

struct tw_cmd {
	const char *name;
	int (*fn)(struct tw_ctx *ctx, int argc, char **argv);
	const char *summary;
};

static const struct tw_cmd commands[] = {
	/* in the order a user meets them: look, watch, act, keep, learn */
	{ "doctor", cmd_doctor, "audit TIME_WAIT health: findings, evidence and fixes" },
	{ "stat", cmd_stat, "census of TCP sockets, TIME_WAIT sides and ephemeral ports" },
	{ "top", cmd_top, "live view of TIME_WAIT and port use per destination" },
	{ "trace", cmd_trace, "eBPF: who closes first, who hits EADDRNOTAVAIL" },
	{ "kill", cmd_kill, "destroy TIME_WAIT (or other) sockets a filter selects, guarded" },
	{ "serve", cmd_serve, "Prometheus exporter for the census, counters and findings" },
	{ "record", cmd_record, "keep a history of the figures and findings in SQLite" },
	{ "history", cmd_history, "query what record kept: JSON, CSV or a table" },
	{ "graph", cmd_graph, "draw the recorded history as an SVG or PNG picture" },
	{ "report", cmd_report, "one self-contained HTML file: findings, census, graphs" },
	{ "lab", cmd_lab, "reproduce TIME_WAIT scenarios in private namespaces" },
	{ "explain", cmd_explain, "a finding, lab scenario or kernel fact explained, offline" },
};

static void print_main_help(FILE *f)
{
	fprintf(f, "usage: twscope [-v] [-V] [-h] <command> [options] [args]\n\n"
	       "Find, explain and fix TCP TIME_WAIT trouble on Linux.\n\n"
	       "commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-9s %s\n", "help", "show help for a command (same as '<command> --help')");
	fprintf(f, "\nglobal options:\n"
	       "  -v, --verbose   debug messages on stderr\n"
	       "  -V, --version   print the version and exit\n"
	       "  -h, --help      this help\n\n"
	       "EXAMPLES\n"
	       "  twscope doctor                 is TIME_WAIT a problem here, and what to do\n"
	       "  twscope stat --top 5           worst destinations by ephemeral-port use\n"
	       "  twscope stat --netns web1      census of the namespace 'web1'\n"
	       "  twscope explain port-exhaustion  what a finding means and how to fix it\n"
	       "  twscope help stat              options of 'stat'\n\n"
	       "See twscope(1) for details.\n");
}

static const struct tw_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "twscope: '%s' is not a twscope command. See 'twscope --help'.\n", name);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (str_distance(name, commands[i].name) <= 2) {
			fprintf(stderr, "\nThe most similar command is\n\t%s\n", commands[i].name);
			break;
		}
	return TW_EXIT_USAGE;
}

int tw_usage(const struct tw_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "twscope %s: ", ctx->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\ntry 'twscope %s --help'\n", ctx->cmd);
	return TW_EXIT_USAGE;
}

/*
 * closest_option() - the long option of opts nearest to arg ("--jsn",
 * "--top=3"), within edit distance 2, or NULL. Short options get none.
 */
static const char *closest_option(const char *arg, const struct option *opts)
{
	const char *best = NULL;
	size_t best_d = 3;
	char name[64];

	if (strncmp(arg, "--", 2) != 0 || !opts)
		return NULL;
	snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
	for (; opts->name; opts++) {
		size_t d = str_distance(name, opts->name);

		if (d < best_d) {
			best_d = d;
			best = opts->name;
		}
	}
	return best;
}

int tw_bad_option(const struct tw_ctx *ctx, int c, char **argv, const struct option *opts)
{
	const char *arg = argv[optind - 1], *near;

	if (c == ':')
		return tw_usage(ctx, "option '%s' needs a value", arg);
	near = closest_option(arg, opts);
	if (near)
		return tw_usage(ctx, "unknown option '%s'; did you mean '--%s'?", arg, near);
	return tw_usage(ctx, "unknown option '%s'", arg);
}

static void init_ctx(struct tw_ctx *ctx)
{
	const char *no_color = secure_getenv("NO_COLOR");
	const char *cs;
	struct winsize ws;

	memset(ctx, 0, sizeof(*ctx));
	ctx->tty = isatty(STDOUT_FILENO);
	/* The locale is consulted only to learn the charset; numbers stay in "C". */
	if (setlocale(LC_CTYPE, "")) {
		cs = nl_langinfo(CODESET);
		ctx->utf8 = ctx->tty && cs && strcmp(cs, "UTF-8") == 0;
	}
	setlocale(LC_CTYPE, "C");
	ctx->color = ctx->tty && !(no_color && *no_color);
	if (ctx->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		ctx->term_cols = ws.ws_col;
}

static int run_cmd(struct tw_ctx *ctx, const struct tw_cmd *cmd, int argc, char **argv)
{
	int rc;

	ctx->cmd = cmd->name;
	log_set_prog(cmd->name);
	optind = 0;
	rc = cmd->fn(ctx, argc, argv);
	/* A write error (ENOSPC, EPIPE) must not pass as success. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		tw_err(-errno, "cannot write output");
		if (rc == 0)
			rc = TW_EXIT_FAIL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{}
	};
	const struct tw_cmd *cmd;
	struct tw_ctx ctx;
	int c;

	init_ctx(&ctx);
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hVv", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			print_main_help(stdout);
			return TW_EXIT_OK;
		case 'V':
			printf("twscope %s\n", TW_VERSION);
			return TW_EXIT_OK;
		case 'v':
			log_set_verbose(true);
			break;
		default: {
			const char *near = closest_option(argv[optind - 1], opts);

			fprintf(stderr, "twscope: unknown option '%s'%s%s%s\ntry 'twscope --help'\n",
				argv[optind - 1], near ? "; did you mean '--" : "", near ? near : "",
				near ? "'?" : "");
			return TW_EXIT_USAGE;
		}
		}
	}
	if (optind >= argc) {
		/* no command is a usage error: the usage goes to stderr (data only on stdout) */
		print_main_help(stderr);
		return TW_EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	if (strcmp(argv[0], "help") == 0) {
		char *help_argv[] = { NULL, (char *)"--help", NULL };

		if (argc < 2) {
			print_main_help(stdout);
			return TW_EXIT_OK;
		}
		cmd = find_cmd(argv[1]);
		if (!cmd)
			return unknown_command(argv[1]);
		help_argv[0] = argv[1];
		return run_cmd(&ctx, cmd, 2, help_argv);
	}
	cmd = find_cmd(argv[0]);
	if (!cmd)
		return unknown_command(argv[0]);
	return run_cmd(&ctx, cmd, argc, argv);
}
