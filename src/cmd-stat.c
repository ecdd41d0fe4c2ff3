// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope stat: parse options, enter the namespace, run the census and hand
 * it to a renderer. The counting lives in census.c, the socket walk in
 * collect.c/sockdiag.c, the text in output-stat.c.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "addr.h"
#include "collect.h"
#include "conntrack/conntrack.h"
#include "log.h"
#include "netns/nsstat.h"
#include "output-allns.h"
#include "output-conntrack.h"
#include "output.h"
#include "output-prom.h"
#include "output-stat.h"
#include "serve/scrape.h"
#include "util.h"

#define STAT_FORMATS (OUT_FMT_BIT(OUT_FMT_TABLE) | OUT_FMT_BIT(OUT_FMT_JSON) | OUT_FMT_BIT(OUT_FMT_PROM))

struct stat_args {
	struct census_filter filter;
	enum out_format format;
	bool summary;
	const char *netns;
	const char *dump_raw;
	struct stat_view view;
	bool top_set;
	bool all_netns;
	size_t walk_max;
	bool conntrack;
	uint64_t interval_ns;
	bool interval_set;
};

static void help(void)
{
	printf("usage: twscope stat [options]\n\n"
	       "Census of the TCP sockets of a network namespace: counts per state, TIME_WAIT\n"
	       "split by who closed first, ephemeral-port use per destination against the\n"
	       "usable range, server ports, top peers and TIME_WAIT timers.\n\n"
	       "options:\n"
	       "  -4, --ipv4               IPv4 sockets only\n"
	       "  -6, --ipv6               IPv6 sockets only\n"
	       "  -s, --state STATE[,...]  only these states (repeatable): established, syn_sent,\n"
	       "                           syn_recv, new_syn_recv, fin_wait1, fin_wait2, time_wait,\n"
	       "                           close, close_wait, last_ack, listen, closing\n"
	       "  -p, --port PORT          sockets whose local or remote port is PORT\n"
	       "  -d, --dst ADDR[:PORT]    sockets to this remote address (IPv6: [ADDR]:PORT)\n"
	       "  -t, --top N              rows per table (default 10; 0 = all)\n"
	       "  -j, --json               one JSON document (schema 1, see docs/json-schema.md)\n"
	       "      --format FMT         table (default), json, or prom (Prometheus text for\n"
	       "                           node_exporter's textfile collector; --top N = top-N\n"
	       "                           destinations, default 20; see docs/serve.md)\n"
	       "      --summary            totals from /proc/net/sockstat only, without walking\n"
	       "                           sockets: constant time on hosts with millions of them\n"
	       "  -n, --netns NS           census of another network namespace: a name in\n"
	       "                           /run/netns, a path, or a PID (needs CAP_SYS_ADMIN)\n"
	       "  -A, --all-netns          every network namespace on the host, named after its\n"
	       "                           container or pod: a row each (TIME_WAIT by side,\n"
	       "                           worst destination, CLOSE_WAIT), worst first, then\n"
	       "                           the full report of the --top N worst (default 3;\n"
	       "                           0 = all). Entering needs CAP_SYS_ADMIN: the rest is\n"
	       "                           listed as skipped (docs/containers.md)\n"
	       "      --walk N             with -A: walk the sockets of the N busiest\n"
	       "                           namespaces (default 32; 0 = all) plus any whose\n"
	       "                           sockets reach half its ports; the others show\n"
	       "                           /proc/net/sockstat totals only\n"
	       "      --conntrack          the conntrack table instead of sockets: entries per\n"
	       "                           protocol and TCP state, SNAT'd entries per (NAT\n"
	       "                           source, destination, port) against the rule's port\n"
	       "                           pool, nf_conntrack_count/max/buckets and the per-CPU\n"
	       "                           statistics (docs/conntrack.md; entries need\n"
	       "                           CAP_NET_ADMIN)\n"
	       "  -i, --interval SEC       with --conntrack: sample the statistics twice, SEC\n"
	       "                           apart (0-60, default 0), and show their growth\n"
	       "  -H, --no-header          no column headers in tables\n"
	       "  -w, --wide               do not shorten columns\n"
	       "      --dump-raw FILE      also save the raw netlink replies to FILE (fixtures)\n"
	       "  -h, --help               this help\n\n"
	       "Sides: a TIME_WAIT socket is 'server' side when its local port has a listener\n"
	       "or is outside the ephemeral range while the peer's port is inside it, 'client'\n"
	       "side in the opposite case or when a loopback peer's port has a listener here.\n"
	       "Otherwise a local port facing 16+ distinct clients' ports is a server port,\n"
	       "and a remote port faced by 16+ local ports a service we are the client of;\n"
	       "else 'unknown' (docs/json-schema.md, 'Who closed first').\n"
	       "Usable ports = ip_local_port_range minus ip_local_reserved_ports minus ports\n"
	       "in the range held by listeners.\n"
	       "Utilization = sockets holding a local port toward one (local IP, remote IP,\n"
	       "remote port) / usable. CLOSE/S = closes in the last 10 s / 10, read off the\n"
	       "TIME_WAIT timers (a socket with R s left closed 60 - R s ago). PROJ = the use\n"
	       "that rate leads to once TIME_WAIT fills its 60 s (only a rate held through\n"
	       "both halves of the 10 s window counts, so bursts are not projected). TREND =\n"
	       "growing, steady, draining (no new TIME_WAIT for 5 s) or idle. CEILING/S =\n"
	       "usable / 60 s.\n\n"
	       "EXAMPLES\n"
	       "  twscope stat                         full report\n"
	       "  twscope stat --top 3 -d 10.0.0.5     ports used toward one backend\n"
	       "  twscope stat -s time-wait -p 443     TIME_WAIT on port 443 only\n"
	       "  twscope stat --json | jq .destinations[0]\n"
	       "  twscope stat --summary               cheap totals for huge hosts\n"
	       "  twscope stat --format prom > /var/lib/node_exporter/twscope.prom\n"
	       "  sudo twscope stat --netns web1       another namespace\n"
	       "  sudo twscope stat -A                 every container and pod on this host\n"
	       "  sudo twscope stat --conntrack -i 1   conntrack and SNAT ports of a NAT gateway\n");
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct stat_args *a)
{
	enum { OPT_FORMAT = 256, OPT_SUMMARY, OPT_DUMP_RAW, OPT_WALK, OPT_CONNTRACK };
	static const struct option opts[] = {
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "state", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "dst", required_argument, NULL, 'd' },
		{ "top", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "netns", required_argument, NULL, 'n' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "walk", required_argument, NULL, OPT_WALK },
		{ "conntrack", no_argument, NULL, OPT_CONNTRACK },
		{ "interval", required_argument, NULL, 'i' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "wide", no_argument, NULL, 'w' },
		{ "dump-raw", required_argument, NULL, OPT_DUMP_RAW },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct cmd_filter cf = { .f = &a->filter };
	bool filtered;
	uint32_t n32;
	char names[64], why[160];
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":46s:p:d:t:jn:AHwhi:", opts, NULL)) != -1) {
		r = cmd_filter_option(&cf, c, optarg, why, sizeof(why));
		if (r < 0)
			return tw_usage(ctx, "%s", why);
		if (r > 0)
			continue;
		switch (c) {
		case 't':
			if (safe_atou32(optarg, &n32) < 0 || n32 > 1000000)
				return tw_usage(ctx, "invalid --top '%s' (0-1000000)", optarg);
			a->view.top = n32;
			a->top_set = true;
			break;
		case 'j':
			a->format = OUT_FMT_JSON;
			break;
		case OPT_FORMAT:
			if (out_format_parse(optarg, STAT_FORMATS, &a->format, names, sizeof(names)) < 0)
				return tw_usage(ctx, "unknown format '%s' (%s)", optarg, names);
			break;
		case OPT_SUMMARY:
			a->summary = true;
			break;
		case 'n':
			if (a->netns)
				return tw_usage(ctx, "only one --netns at a time");
			a->netns = optarg;
			break;
		case 'A':
			a->all_netns = true;
			break;
		case OPT_WALK:
			if (safe_atou32(optarg, &n32) < 0 || n32 > NSENUM_MAX)
				return tw_usage(ctx, "invalid --walk '%s' (0-%u)", optarg, NSENUM_MAX);
			a->walk_max = n32;
			break;
		case OPT_CONNTRACK:
			a->conntrack = true;
			break;
		case 'i':
			if (safe_atou32(optarg, &n32) < 0 || n32 > 60)
				return tw_usage(ctx, "invalid --interval '%s' (0-60)", optarg);
			a->interval_ns = (uint64_t)n32 * 1000000000ull;
			a->interval_set = true;
			break;
		case 'H':
			a->view.no_header = true;
			break;
		case 'w':
			a->view.wide = true;
			break;
		case OPT_DUMP_RAW:
			a->dump_raw = optarg;
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
	filtered = cf.narrowed || cf.only4 || cf.only6;
	if (a->summary && filtered)
		return tw_usage(ctx, "--summary reads kernel totals and takes no filters");
	if (a->summary && a->format == OUT_FMT_PROM)
		return tw_usage(ctx, "--summary has no prom format");
	if (a->dump_raw && a->format == OUT_FMT_PROM)
		return tw_usage(ctx, "--dump-raw has no prom format");
	if (a->all_netns && a->netns)
		return tw_usage(ctx, "--all-netns and --netns exclude each other");
	if (a->all_netns && (a->summary || a->dump_raw || a->format == OUT_FMT_PROM))
		return tw_usage(ctx, "--all-netns takes no --summary, --dump-raw or prom format");
	if (a->interval_set && !a->conntrack)
		return tw_usage(ctx, "--interval goes with --conntrack");
	if (a->conntrack && (a->summary || a->all_netns || a->dump_raw || a->format == OUT_FMT_PROM ||
			     filtered))
		return tw_usage(ctx, "--conntrack takes no socket filters, --summary, --all-netns, "
				     "--dump-raw or prom format");
	return 0;
}

static int fail(const struct stat_args *a, const char *msg, int r)
{
	if (r)
		tw_err(r, "%s", msg);
	else
		tw_err(0, "%s", msg);
	if (a->format == OUT_FMT_JSON)
		out_json_error("stat", msg, TW_EXIT_FAIL);
	return TW_EXIT_FAIL;
}

static int run_summary(const struct tw_ctx *ctx, const struct stat_args *a)
{
	const struct out_style st = { .utf8 = ctx->utf8, .color = ctx->color, .cols = ctx->term_cols };
	struct tw_sockstat ss;
	int r;

	r = ksettings_sockstat(&ss);
	if (r < 0)
		return fail(a, "cannot read /proc/net/sockstat", r);
	if (a->format == OUT_FMT_JSON) {
		struct json_object *o = stat_summary_json(&ss, &a->view);

		r = out_json_print(o, stdout);
		json_object_put(o);
		return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
	}
	stat_print_summary(stdout, &st, &ss, &a->view);
	return TW_EXIT_OK;
}

static int run_census(const struct tw_ctx *ctx, const struct stat_args *a)
{
	const struct out_style st = { .utf8 = ctx->utf8, .color = ctx->color, .cols = ctx->term_cols };
	struct collect_result res;
	_cleanup_fclose_ FILE *raw = NULL;
	const char *why;
	int r;

	if (a->dump_raw) {
		raw = fopen(a->dump_raw, "we");
		if (!raw)
			return fail(a, "cannot create the --dump-raw file", -errno);
	}
	r = collect_census(&a->filter, raw, &res);
	if (r < 0) {
		why = cmd_collect_error(r);
		if (r == -EPERM || r == -EACCES)
			why = "sock_diag refused the dump: permission denied";
		return fail(a, why ? why : "cannot take the socket census", why ? 0 : r);
	}
	if (res.diag.dump_intr)
		tw_warn("the kernel flagged the socket dump as interrupted: counts are approximate");
	if (a->format == OUT_FMT_JSON) {
		struct json_object *o = stat_json(&res, &a->view);

		r = o ? out_json_print(o, stdout) : -ENOMEM;
		json_object_put(o);
	} else {
		stat_print_table(stdout, &st, &res, &a->view);
		r = 0;
	}
	collect_result_done(&res);
	if (raw && fflush(raw) != 0)
		return fail(a, "cannot write the --dump-raw file", -errno);
	return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
}

static int run_all(const struct tw_ctx *ctx, const struct stat_args *a)
{
	const struct out_style st = { .utf8 = ctx->utf8, .color = ctx->color, .cols = ctx->term_cols };
	const struct nsstat_conf conf = { .filter = a->filter, .walk_max = a->walk_max };
	size_t details = a->top_set ? a->view.top : 3;
	struct nsstat s;
	size_t denied = 0;
	int r;

	r = nsstat_collect(&conf, &s);
	if (r < 0) {
		const char *why = cmd_collect_error(r);

		return fail(a, why ? why : "cannot walk the network namespaces", why ? 0 : r);
	}
	for (size_t i = 0; i < s.n_skipped; i++)
		denied += s.skipped[i].skip_err == -EPERM;
	if (denied)
		tw_warn("entering network namespaces needs CAP_SYS_ADMIN (run as root): %zu skipped", denied);
	if (s.list.pids_denied)
		cmd_warn_hidden_pids(s.list.pids_denied);
	if (s.list.capped)
		tw_warn("more than %u network namespaces: the rest are not shown", NSENUM_MAX);
	if (s.list.timed_out)
		tw_warn("enumerating namespaces took too long: the list may be incomplete");
	if (a->format == OUT_FMT_JSON) {
		struct json_object *o = allns_json(&s, details, &a->view);

		r = o ? out_json_print(o, stdout) : -ENOMEM;
		json_object_put(o);
	} else {
		allns_print_table(stdout, &st, &s, details, &a->view);
		r = 0;
	}
	nsstat_done(&s);
	return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
}

static int run_conntrack(const struct tw_ctx *ctx, const struct stat_args *a)
{
	const struct out_style st = { .utf8 = ctx->utf8, .color = ctx->color, .cols = ctx->term_cols };
	struct ct_report rep;
	int r;

	r = ct_report_collect(&rep, a->interval_ns);
	if (r < 0) {
		ct_report_done(&rep);
		return fail(a, "cannot read the conntrack table", r);
	}
	if (rep.census_err && rep.settings.loaded)
		tw_warn("%s, skipping", ct_census_error(rep.census_err));
	if (a->format == OUT_FMT_JSON) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "schema", json_object_new_int(1));
		json_object_object_add(o, "command", json_object_new_string("stat"));
		json_object_object_add(o, "netns", a->netns ? out_json_string(a->netns, SIZE_MAX) : NULL);
		json_object_object_add(o, "partial", json_object_new_boolean(rep.census_err != 0));
		json_object_object_add(o, "conntrack", ct_json(&rep, &a->view));
		r = out_json_print(o, stdout);
		json_object_put(o);
	} else {
		ct_print_table(stdout, &st, &rep, &a->view);
		r = 0;
	}
	ct_report_done(&rep);
	return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
}

/* The same families as `twscope serve`, minus the scrape_* ones (docs/serve.md). */
static int run_prom(const struct stat_args *a)
{
	struct prom_opts o = {
		.version = TW_VERSION,
		.top_destinations = a->top_set ? (a->view.top ? a->view.top : SIZE_MAX)
					       : PROM_DEFAULT_TOP_DESTINATIONS,
	};
	struct scrape_result res;
	const char *why;
	int r;

	r = scrape_take(&a->filter, &res);
	if (r < 0) {
		scrape_result_done(&res);
		why = cmd_collect_error(r);
		return fail(a, why ? why : "cannot take the socket census", why ? 0 : r);
	}
	r = prom_render(stdout, &res, &o);
	scrape_result_done(&res);
	return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
}

int cmd_stat(struct tw_ctx *ctx, int argc, char **argv)
{
	struct stat_args a = {
		.filter = { .port = -1, .dst_port = -1 },
		.view = { .top = 10 },
		.walk_max = NSSTAT_WALK_DEFAULT,
	};
	int r;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;	/* --help */
	if (r)
		return r;
	a.view.netns = a.netns;
	if (a.all_netns)
		return run_all(ctx, &a);
	if (a.netns && cmd_enter_netns(a.netns) < 0) {
		if (a.format == OUT_FMT_JSON)
			out_json_error("stat", "cannot enter the network namespace", TW_EXIT_FAIL);
		return TW_EXIT_FAIL;
	}
	if (a.conntrack)
		return run_conntrack(ctx, &a);
	if (a.format == OUT_FMT_PROM)
		return run_prom(&a);
	return a.summary ? run_summary(ctx, &a) : run_census(ctx, &a);
}
