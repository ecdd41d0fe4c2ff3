// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope report --html: the doctor's findings, the socket census and, when
 * a history is given, its graphs, in one self-contained HTML file to attach
 * to a ticket. Collects with the doctor's and stat's code (one census for
 * both), renders with their text renderers, output-report.c and
 * graph/render.c; only this file talks to the user.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bundle/bundle.h"
#include "collect.h"
#include "doctor/advice.h"
#include "doctor/facts.h"
#include "graph/render.h"
#include "graph/series.h"
#include "log.h"
#include "output.h"
#include "output-doctor.h"
#include "output-report.h"
#include "output-stat.h"
#include "safetext.h"
#include "util.h"

#define REPORT_MAX_INTERVAL 60.0

struct report_args {
	bool html;
	const char *out;
	const char *history;
	const char *load;
	const char *netns;
	double interval_sec;
	bool interval_set;
};

static void help(void)
{
	printf("usage: twscope report --html [options]\n\n"
	       "Write one self-contained HTML file to attach to a ticket or an email: the\n"
	       "doctor's findings with evidence and fixes, the socket census as 'twscope\n"
	       "stat' prints it, and, with --history, the graphs of 'twscope graph'. The\n"
	       "page loads nothing from anywhere (inline CSS and SVG, no script).\n\n"
	       "options:\n"
	       "      --html           HTML (the only format; may be left out)\n"
	       "  -o, --output FILE    write to FILE ('-' = stdout; default twscope-report.html)\n"
	       "      --history FILE   add the graphs of this history JSON ('twscope history\n"
	       "                       --json'; docs/graph.md)\n"
	       "      --load FILE      report on a bundle saved by 'twscope doctor --save'\n"
	       "                       instead of this system (excludes --netns, --interval)\n"
	       "  -n, --netns NS       report on another network namespace (needs\n"
	       "                       CAP_SYS_ADMIN)\n"
	       "  -i, --interval SEC   seconds between the two counter samples (default 1,\n"
	       "                       max 60; 0 = one sample, no rates)\n"
	       "  -h, --help           this help\n\n"
	       "Exit status: 0 when the file is written (whatever the findings), 1 when the\n"
	       "facts, the history or the file fail, 2 for a usage error.\n\n"
	       "EXAMPLES\n"
	       "  twscope report --html                      findings and census of this host\n"
	       "  twscope report --html --history h.json -o ticket-1234.html\n"
	       "  twscope report --html --load host.json     a bundle saved elsewhere\n");
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct report_args *a)
{
	enum { OPT_HTML = 256, OPT_HISTORY, OPT_LOAD };
	static const struct option opts[] = {
		{ "html", no_argument, NULL, OPT_HTML },
		{ "output", required_argument, NULL, 'o' },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "load", required_argument, NULL, OPT_LOAD },
		{ "netns", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:n:i:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HTML:
			a->html = true;
			break;
		case 'o':
			a->out = optarg;
			break;
		case OPT_HISTORY:
			a->history = optarg;
			break;
		case OPT_LOAD:
			a->load = optarg;
			break;
		case 'n':
			if (a->netns)
				return tw_usage(ctx, "only one --netns at a time%s", "");
			a->netns = optarg;
			break;
		case 'i':
			if (safe_atod(optarg, &a->interval_sec) < 0 || a->interval_sec > REPORT_MAX_INTERVAL)
				return tw_usage(ctx, "invalid --interval '%s' (0-60 seconds)", optarg);
			a->interval_set = true;
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
	if (a->load && (a->netns || a->interval_set))
		return tw_usage(ctx, "--load reports on a saved bundle: it excludes --netns and --interval%s", "");
	return 0;
}

/* What f's text renderer prints, as a string (plain: no colour, UTF-8 kept). */
static char *doctor_text(const struct advice_report *rep, const struct tw_facts *facts, const char *bundle)
{
	const struct out_style st = { .utf8 = true };
	const struct doctor_view v = { .top = 5, .from_bundle = bundle != NULL, .bundle = bundle };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	doctor_print_table(f, &st, rep, facts, &v);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *census_text(const struct collect_result *res, const char *netns)
{
	const struct out_style st = { .utf8 = true };
	const struct stat_view v = { .netns = netns, .top = 10 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	stat_print_table(f, &st, res, &v);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The live facts, and the census they were computed from in *res. */
static int collect_live(const struct report_args *a, struct tw_facts *facts, struct collect_result *res,
			bool *have_res)
{
	const struct census_filter filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 };
	double interval = a->interval_set ? a->interval_sec : 1.0;
	int r, census_err = 0;

	if (a->netns && cmd_enter_netns(a->netns) < 0)
		return -EINVAL;
	if (a->netns)
		snprintf(facts->netns, sizeof(facts->netns), "%s", a->netns);
	r = collect_census(&filter, NULL, res);
	if (r < 0) {
		const char *why = cmd_collect_error(r);

		tw_warn("socket census failed (%s): census rules are unknown", why ? why : strerror(-r));
	} else {
		*have_res = true;
	}
	r = facts_collect_with(facts, (uint64_t)(interval * NSEC_PER_SEC + 0.5), *have_res ? res->census : NULL,
			       &census_err);
	if (r < 0)
		return tw_err(r, "%s", r == -ENOMEM ? "out of memory" : "cannot collect the facts");
	if (!facts->have_counters)
		tw_warn("cannot read /proc/net/netstat or /proc/net/snmp: counter rules are unknown");
	return 0;
}

static const struct {
	enum graph_view view;
	const char *title;
} report_views[REPORT_MAX_GRAPHS] = {
	{ GRAPH_VIEW_OVERVIEW, "TIME_WAIT and ESTABLISHED over time" },
	{ GRAPH_VIEW_DEST, "Ports in use per destination" },
	{ GRAPH_VIEW_RATES, "TCP counter rates" },
};

/* The graphs of the history file into d (SVGs owned by svg[]). */
static int render_graphs(const char *path, struct report_doc *d, char **svg)
{
	struct graph_history h = { 0 };
	char err[512], safe[SAFETEXT_TERM_SIZE(600)], msg[600];
	size_t drawn = 0;
	int r;

	r = graph_history_load_file(path, &h, err, sizeof(err));
	if (r < 0) {
		snprintf(msg, sizeof(msg), "cannot read '%s': %s", path, err[0] ? err : strerror(-r));
		tw_err(0, "%s", out_safe(safe, sizeof(safe), msg, 0));
		return r;
	}
	for (size_t i = 0; i < REPORT_MAX_GRAPHS; i++) {
		static const char *const prefix[] = { "g0-", "g1-", "g2-" };
		struct graph_opts o = { .view = report_views[i].view, .format = GRAPH_FMT_SVG, .id_prefix = prefix[i] };
		struct report_graph *g = &d->graphs[d->n_graphs++];
		size_t n;

		g->title = report_views[i].title;
		r = graph_render(&h, &o, &svg[i], &n, err, sizeof(err));
		if (r == -ENODATA) {
			g->note = "The history holds no series for this graph.";
			continue;
		}
		if (r < 0) {
			graph_history_done(&h);
			graph_release_fonts();
			tw_err(0, "cannot draw the %s graph: %s", graph_view_name(o.view), err);
			return r;
		}
		g->svg = svg[i];
		drawn++;
	}
	graph_history_done(&h);
	graph_release_fonts();
	if (!drawn)
		tw_warn("the history '%s' holds no series to draw", out_safe(safe, sizeof(safe), path, 0));
	return 0;
}

static int write_report(const char *path, const struct report_doc *d)
{
	_cleanup_fclose_ FILE *f = NULL;
	FILE *out = stdout;

	if (strcmp(path, "-")) {
		f = fopen(path, "we");
		if (!f)
			return -errno;
		out = f;
	}
	report_print_html(out, d);
	if (fflush(out) != 0 || ferror(out)) {
		int r = errno ? -errno : -EIO;

		if (f)
			(void) unlink(path);
		return r;
	}
	return 0;
}

int cmd_report(struct tw_ctx *ctx, int argc, char **argv)
{
	struct report_args a = { .out = "twscope-report.html" };
	struct report_doc d = { 0 };
	struct collect_result res;
	struct tw_facts facts;
	_cleanup_free_ struct advice_report *rep = NULL;
	_cleanup_free_ char *dtext = NULL, *ctext = NULL;
	char *svg[REPORT_MAX_GRAPHS] = { NULL };
	char host[PATH_MAX + 16] = "", err[512], safe[SAFETEXT_TERM_SIZE(600)];
	bool have_res = false;
	int r, rc = TW_EXIT_FAIL;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;
	if (r)
		return r;
	rep = calloc(1, sizeof(*rep));
	if (!rep) {
		tw_err(0, "out of memory");
		return TW_EXIT_FAIL;
	}
	facts_init(&facts);
	if (a.load) {
		r = bundle_load_file(a.load, &facts, err, sizeof(err));
		if (r < 0) {
			char msg[PATH_MAX + sizeof(err) + 32];

			snprintf(msg, sizeof(msg), "cannot load '%s': %s", a.load, err[0] ? err : strerror(-r));
			tw_err(0, "%s", out_safe(safe, sizeof(safe), msg, 0));
			goto out;
		}
	} else if (collect_live(&a, &facts, &res, &have_res) < 0) {
		goto out;
	}
	advice_eval(&facts, rep);
	if (a.load)
		snprintf(host, sizeof(host), "bundle %s", a.load);
	else if (gethostname(host, sizeof(host) - 1) < 0 || !host[0])
		snprintf(host, sizeof(host), "unknown host");
	d.host = host;
	d.netns = a.load ? facts.netns : (a.netns ? a.netns : "");
	d.bundle = a.load;
	d.generated = (int64_t)time(NULL);
	d.rep = rep;
	d.facts = &facts;
	dtext = doctor_text(rep, &facts, a.load);
	ctext = have_res ? census_text(&res, a.netns) : NULL;
	if (!dtext || (have_res && !ctext)) {
		tw_err(0, "out of memory");
		goto out;
	}
	d.doctor_text = dtext;
	d.census_text = ctext;
	if (a.history) {
		d.history = a.history;
		if (render_graphs(a.history, &d, svg) < 0)
			goto out;
	}
	r = write_report(a.out, &d);
	if (r < 0) {
		tw_err(r, "cannot write '%s'", out_safe(safe, sizeof(safe), a.out, 0));
		goto out;
	}
	if (strcmp(a.out, "-"))
		fprintf(stderr, "twscope report: wrote %s (%s)\n", out_safe(safe, sizeof(safe), a.out, 0),
			advice_sev_name(rep->overall == TW_SEV_INFO ? TW_SEV_OK : rep->overall));
	rc = TW_EXIT_OK;
out:
	for (size_t i = 0; i < REPORT_MAX_GRAPHS; i++)
		free(svg[i]);
	if (have_res)
		collect_result_done(&res);
	facts_done(&facts);
	return rc;
}
