// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope kill: parse the filter, enter the namespace, show what the
 * filter selects and, only with --yes, destroy it through sock_diag. The
 * selection and destruction live in sockkill.c, the text in output-kill.c.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "census.h"
#include "log.h"
#include "output.h"
#include "output-kill.h"
#include "sockkill.h"
#include "tcpstate.h"
#include "util.h"

struct kill_args {
	struct census_filter filter;
	bool narrowed;
	bool yes;
	bool dry_run;
	bool json;
	size_t max;
	const char *netns;
	struct kill_view view;
};

static void help(void)
{
	printf("usage: twscope kill FILTER... [--dry-run | --yes] [options]\n\n"
	       "Destroy TCP sockets of a network namespace with SOCK_DESTROY (like ss -K), by\n"
	       "default the TIME_WAIT sockets the filter selects. Without --yes it only shows\n"
	       "what it would destroy. TIME_WAIT protects a new connection on the same 4-tuple\n"
	       "from late segments of the old one: destroy it to restart a server that fails\n"
	       "with EADDRINUSE or to free the ports of a destination after the fix, never as a\n"
	       "routine. The lasting fix is what 'twscope doctor' says (docs/kill.md).\n\n"
	       "filters (at least one of --state, --port, --dst, --src):\n"
	       "  -s, --state STATE[,...]  these states instead of time_wait (repeatable): LISTEN\n"
	       "                           sockets only when listen is named; destroying live\n"
	       "                           connections (established, ...) resets them at the peer\n"
	       "  -p, --port PORT          sockets whose local or remote port is PORT\n"
	       "  -d, --dst ADDR[:PORT]    sockets to this remote address (IPv6: [ADDR]:PORT)\n"
	       "      --src ADDR           sockets on this local address\n"
	       "  -4, --ipv4               IPv4 sockets only\n"
	       "  -6, --ipv6               IPv6 sockets only\n\n"
	       "options:\n"
	       "      --dry-run            show what would be destroyed (the default)\n"
	       "  -y, --yes                destroy them (needs CAP_NET_ADMIN; TIME_WAIT needs\n"
	       "                           Linux 6.0+ with CONFIG_INET_DIAG_DESTROY)\n"
	       "  -m, --max N              destroy at most N sockets per run (default %u,\n"
	       "                           1-%u); says when more matched\n"
	       "  -n, --netns NS           another network namespace: a name in /run/netns, a\n"
	       "                           path, or a PID (needs CAP_SYS_ADMIN)\n"
	       "  -t, --top N              rows per table (default 10; 0 = all)\n"
	       "  -j, --json               one JSON document with every socket (docs/kill.md)\n"
	       "  -H, --no-header          no column headers in tables\n"
	       "  -h, --help               this help\n\n"
	       "EXAMPLES\n"
	       "  twscope kill --port 8080                  TIME_WAIT on port 8080: a dry run\n"
	       "  sudo twscope kill --port 8080 --yes       ... destroyed, so the server restarts\n"
	       "  sudo twscope kill -d 10.0.0.5:443 --yes   free the ports toward one backend\n"
	       "  sudo twscope kill -s established -d 10.0.0.5 --yes   reset live connections\n",
	       SOCKKILL_MAX_DEFAULT, SOCKKILL_MAX_LIMIT);
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct kill_args *a)
{
	enum { OPT_DRY_RUN = 256 };
	static const struct option opts[] = {
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "state", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "dst", required_argument, NULL, 'd' },
		{ "src", required_argument, NULL, CMD_OPT_SRC },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "yes", no_argument, NULL, 'y' },
		{ "max", required_argument, NULL, 'm' },
		{ "netns", required_argument, NULL, 'n' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cmd_filter cf = { .f = &a->filter };
	uint32_t n32;
	char why[160];
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":46s:p:d:ym:n:t:jHh", opts, NULL)) != -1) {
		r = cmd_filter_option(&cf, c, optarg, why, sizeof(why));
		if (r < 0)
			return tw_usage(ctx, "%s", why);
		if (r > 0)
			continue;
		switch (c) {
		case OPT_DRY_RUN:
			a->dry_run = true;
			break;
		case 'y':
			a->yes = true;
			break;
		case 'm':
			if (safe_atou32(optarg, &n32) < 0 || n32 < 1 || n32 > SOCKKILL_MAX_LIMIT)
				return tw_usage(ctx, "invalid --max '%s' (1-%u)", optarg, SOCKKILL_MAX_LIMIT);
			a->max = n32;
			break;
		case 'n':
			if (a->netns)
				return tw_usage(ctx, "only one --netns at a time");
			a->netns = optarg;
			break;
		case 't':
			if (safe_atou32(optarg, &n32) < 0 || n32 > 1000000)
				return tw_usage(ctx, "invalid --top '%s' (0-1000000)", optarg);
			a->view.top = n32;
			break;
		case 'j':
			a->json = true;
			break;
		case 'H':
			a->view.no_header = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return tw_bad_option(ctx, c, argv, opts);
		}
	}
	if (optind < argc)
		return tw_usage(ctx, "unexpected argument '%s'", argv[optind]);
	if (cmd_filter_finish(&cf, why, sizeof(why)) < 0)
		return tw_usage(ctx, "%s", why);
	if (!cf.narrowed)
		return tw_usage(ctx, "refusing to destroy without a filter: "
				     "give --state, --port, --dst or --src");
	if (a->yes && a->dry_run)
		return tw_usage(ctx, "--dry-run and --yes exclude each other");
	return 0;
}

static int fail(const struct kill_args *a, const char *msg, int r)
{
	tw_err(r, "%s", msg);
	if (a->json)
		out_json_error("kill", msg, TW_EXIT_FAIL);
	return TW_EXIT_FAIL;
}

/* What destroying these sockets does beyond freeing a port, said before it is done. */
static void warn_live(const struct sockkill_plan *p, bool act)
{
	uint64_t listen = p->by_state[TW_LISTEN];
	uint64_t live = 0;

	for (unsigned int s = 1; s < TW_STATE_MAX; s++)
		if (s != TW_TIME_WAIT && s != TW_LISTEN && s != TW_CLOSE && s != TW_NEW_SYN_RECV)
			live += p->by_state[s];
	if (live)
		tw_warn("%s %" PRIu64 " live connection%s (established or closing): the peer%s a reset",
			act ? "destroying" : "--yes would destroy", live, live == 1 ? "" : "s",
			act ? " sees" : " would see");
	if (listen)
		tw_warn("%s %" PRIu64 " listening socket%s: %s accepting connections on %s port%s",
			act ? "destroying" : "--yes would destroy", listen, listen == 1 ? "" : "s",
			act ? "the servers stop" : "the servers would stop", listen == 1 ? "its" : "their",
			listen == 1 ? "" : "s");
}

static int emit(const struct kill_args *a, const struct sockkill_plan *p, const struct sockkill_result *res)
{
	int r = 0;

	if (a->json) {
		struct json_object *o = kill_json(p, res, &a->view);

		r = o ? out_json_print(o, stdout) : -ENOMEM;
		json_object_put(o);
	} else {
		kill_print_table(stdout, p, res, &a->view);
	}
	return r;
}

static int run(const struct kill_args *a)
{
	struct sockkill_plan p;
	struct sockkill_result res;
	const char *why;
	char buf[160];
	int r;

	r = sockkill_plan_collect(&a->filter, a->max, &p);
	if (r < 0) {
		why = cmd_collect_error(r);
		return fail(a, why ? why : "cannot dump the sockets", why ? 0 : r);
	}
	if (p.matched > p.n)
		tw_warn("capped at --max %zu: %" PRIu64 " more matching socket%s left alone "
			"(run again or raise --max)", p.max, p.matched - p.n, p.matched - p.n == 1 ? "" : "s");
	warn_live(&p, a->yes);
	if (!a->yes || !p.n) {
		r = emit(a, &p, a->yes ? &(struct sockkill_result){ 0 } : NULL);
		sockkill_plan_done(&p);
		return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
	}
	r = sockkill_destroy(&p, &res);
	if (r < 0) {
		sockkill_plan_done(&p);
		return fail(a, "cannot open a sock_diag socket", r);
	}
	why = sockkill_stop_text(&res, buf, sizeof(buf));
	if (why && !res.destroyed) {
		sockkill_plan_done(&p);
		return fail(a, why, 0);
	}
	if (why)
		tw_warn("%s, stopped", why);
	r = emit(a, &p, &res);
	sockkill_plan_done(&p);
	if (r < 0 || res.failed)
		return TW_EXIT_FAIL;
	return TW_EXIT_OK;
}

int cmd_kill(struct tw_ctx *ctx, int argc, char **argv)
{
	struct kill_args a = {
		.filter = { .port = -1, .dst_port = -1 },
		.max = SOCKKILL_MAX_DEFAULT,
		.view = { .top = 10 },
	};
	int r;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;	/* --help */
	if (r)
		return r;
	a.view.netns = a.netns;
	if (a.netns && cmd_enter_netns(a.netns) < 0) {
		if (a.json)
			out_json_error("kill", "cannot enter the network namespace", TW_EXIT_FAIL);
		return TW_EXIT_FAIL;
	}
	if (!a.json && !a.yes)
		tw_warn("TIME_WAIT guards a new connection on the same 4-tuple against late segments of "
			"the old one; the lasting fix is in 'twscope doctor' (docs/kill.md)");
	return run(&a);
}
