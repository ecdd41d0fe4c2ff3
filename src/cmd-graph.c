// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope graph: draw the recorded history (TIME_WAIT against ESTABLISHED,
 * port use per destination, counter rates) as an SVG or PNG file for a
 * ticket or an email. Reading and checking the history is graph/series.c,
 * the picture graph/render.c; this file parses options and writes files.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "graph/render.h"
#include "graph/series.h"
#include "history/history.h"
#include "log.h"
#include "output.h"
#include "safetext.h"
#include "util.h"

#define GRAPH_DB_SPAN_SEC 86400

struct graph_args {
	const char *input;
	const char *db;
	int64_t since;		/* --db: the range, unix seconds */
	int64_t until;
	const char *out;
	bool format_set;
	struct graph_opts g;
};

static void help(void)
{
	printf("usage: twscope graph (--input HISTORY.json | --db PATH) [options]\n\n"
	       "Draw the recorded TCP history as a picture a person can read without docs:\n"
	       "TIME_WAIT, ESTABLISHED and CLOSE_WAIT over time with the TIME_WAIT per\n"
	       "ESTABLISHED ratio and the close rate (overview), the local ports in use and\n"
	       "the close rate per destination (dest), or the TCP counter rates (rates).\n"
	       "Findings recorded in the history are marked on the time axis in their\n"
	       "severity's colour and listed under the plot. Times are UTC.\n\n"
	       "options:\n"
	       "      --input FILE     the history as JSON ('twscope history --json'; '-' =\n"
	       "                       stdin; docs/graph.md)\n"
	       "      --db PATH        read the recorder's database (twscope record)\n"
	       "      --since T        with --db: start (default -24h; unix seconds, RFC 3339\n"
	       "                       or relative: -1h, -30m, -2d)\n"
	       "      --until T        with --db: end (default now)\n"
	       "  -o, --output FILE    write the picture to FILE ('-' = stdout; default\n"
	       "                       twscope-VIEW.svg or .png in the current directory)\n"
	       "      --format FMT     svg (default) or png; a FILE ending in .png means png\n"
	       "      --what VIEW      overview (default), dest or rates\n"
	       "      --width W        picture width in pixels (%d-%d, default %d)\n"
	       "      --height H       picture height in pixels (%d-%d, default: what the\n"
	       "                       panels need)\n"
	       "  -h, --help           this help\n\n"
	       "Exit status: 0, 1 when the history cannot be read or holds nothing to draw,\n"
	       "2 for a usage error.\n\n"
	       "EXAMPLES\n"
	       "  twscope history --json > h.json && twscope graph --input h.json\n"
	       "  twscope graph --input h.json --what dest -o dest.png\n"
	       "  twscope history --json | twscope graph --input - -o tw.png\n"
	       "  twscope graph --db history.db --what rates\n"
	       "  twscope graph --db history.db --since -2h -o last-2h.png\n",
	       GRAPH_MIN_WIDTH, GRAPH_MAX_WIDTH, GRAPH_DEFAULT_WIDTH, GRAPH_MIN_HEIGHT, GRAPH_MAX_HEIGHT);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcasecmp(s + n - k, suffix);
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct graph_args *a)
{
	enum { OPT_INPUT = 256, OPT_DB, OPT_FORMAT, OPT_WHAT, OPT_WIDTH, OPT_HEIGHT, OPT_SINCE, OPT_UNTIL };
	static const struct option opts[] = {
		{ "input", required_argument, NULL, OPT_INPUT },
		{ "db", required_argument, NULL, OPT_DB },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "what", required_argument, NULL, OPT_WHAT },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "height", required_argument, NULL, OPT_HEIGHT },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const char *since = NULL, *until = NULL, *bad;
	int64_t now = (int64_t)time(NULL);
	uint32_t n;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_INPUT:
			a->input = optarg;
			break;
		case OPT_DB:
			a->db = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "svg"))
				a->g.format = GRAPH_FMT_SVG;
			else if (!strcmp(optarg, "png"))
				a->g.format = GRAPH_FMT_PNG;
			else
				return tw_usage(ctx, "unknown format '%s' (svg, png)", optarg);
			a->format_set = true;
			break;
		case OPT_WHAT:
			if (graph_view_parse(optarg, &a->g.view) < 0)
				return tw_usage(ctx, "unknown view '%s' (overview, dest, rates)", optarg);
			break;
		case OPT_WIDTH:
			if (safe_atou32(optarg, &n) < 0 || n < GRAPH_MIN_WIDTH || n > GRAPH_MAX_WIDTH)
				return tw_usage(ctx, "invalid --width '%s' (%d-%d pixels)", optarg, GRAPH_MIN_WIDTH,
						GRAPH_MAX_WIDTH);
			a->g.width = n;
			break;
		case OPT_HEIGHT:
			if (safe_atou32(optarg, &n) < 0 || n < GRAPH_MIN_HEIGHT || n > GRAPH_MAX_HEIGHT)
				return tw_usage(ctx, "invalid --height '%s' (%d-%d pixels)", optarg, GRAPH_MIN_HEIGHT,
						GRAPH_MAX_HEIGHT);
			a->g.height = n;
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
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
	if (!a->input == !a->db)
		return tw_usage(ctx, "give the history with --input FILE or --db PATH (one of them)%s", "");
	if ((since || until) && !a->db)
		return tw_usage(ctx, "--since and --until go with --db (an --input file holds its own range)%s", "");
	r = history_parse_range(since, until, now, GRAPH_DB_SPAN_SEC, &a->since, &a->until, &bad);
	if (r == -EINVAL)
		return tw_usage(ctx, "invalid %s '%s' (" HISTORY_TIME_FORMS ")", bad,
				!strcmp(bad, "--since") ? since : until);
	if (r < 0)
		return tw_usage(ctx, "--since must be before --until%s", "");
	if (!a->format_set && a->out && ends_with(a->out, ".png"))
		a->g.format = GRAPH_FMT_PNG;
	return 0;
}

/* The history in the recorder's database at path, through its query (src/history/). */
static int load_db(const char *path, int64_t since, int64_t until, struct graph_history *ret, char *err,
		   size_t len)
{
	struct json_object *o = NULL;
	int r;

	r = history_query_json(path, since, until, &o);
	if (r < 0) {
		snprintf(err, len, "%s", strerror(-r));
		return r;
	}
	r = graph_history_from_json(o, ret, err, len);
	json_object_put(o);
	return r;
}

static int write_all(const char *path, const char *buf, size_t n)
{
	_cleanup_fclose_ FILE *f = NULL;

	if (!strcmp(path, "-")) {
		if (fwrite(buf, 1, n, stdout) != n || fflush(stdout) != 0)
			return -errno ? -errno : -EIO;
		return 0;
	}
	f = fopen(path, "we");
	if (!f)
		return -errno;
	if (fwrite(buf, 1, n, f) != n || fflush(f) != 0) {
		int r = errno ? -errno : -EIO;

		(void) unlink(path);
		return r;
	}
	return 0;
}

int cmd_graph(struct tw_ctx *ctx, int argc, char **argv)
{
	struct graph_args a = { .g = { .view = GRAPH_VIEW_OVERVIEW, .format = GRAPH_FMT_SVG } };
	struct graph_history h = { 0 };
	_cleanup_free_ char *buf = NULL;
	char err[512], defname[64], safe[SAFETEXT_TERM_SIZE(600)];
	const char *src;
	size_t n = 0;
	int r;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;
	if (r)
		return r;
	src = a.input ? a.input : a.db;
	r = a.input ? graph_history_load_file(a.input, &h, err, sizeof(err)) : load_db(a.db, a.since, a.until, &h, err, sizeof(err));
	if (r < 0) {
		char msg[600];

		snprintf(msg, sizeof(msg), "cannot read '%s': %s", src, err[0] ? err : strerror(-r));
		tw_err(0, "%s", out_safe(safe, sizeof(safe), msg, 0));
		return TW_EXIT_FAIL;
	}
	r = graph_render(&h, &a.g, &buf, &n, err, sizeof(err));
	graph_history_done(&h);
	graph_release_fonts();
	if (r < 0) {
		char msg[600];

		snprintf(msg, sizeof(msg), "cannot draw '%s': %s", src, err[0] ? err : strerror(-r));
		tw_err(0, "%s", out_safe(safe, sizeof(safe), msg, 0));
		return TW_EXIT_FAIL;
	}
	if (!a.out) {
		snprintf(defname, sizeof(defname), "twscope-%s.%s", graph_view_name(a.g.view),
			 a.g.format == GRAPH_FMT_PNG ? "png" : "svg");
		a.out = defname;
	}
	r = write_all(a.out, buf, n);
	if (r < 0) {
		tw_err(r, "cannot write '%s'", out_safe(safe, sizeof(safe), a.out, 0));
		return TW_EXIT_FAIL;
	}
	if (strcmp(a.out, "-"))
		fprintf(stderr, "twscope graph: wrote %s (%s, %zu bytes)\n", out_safe(safe, sizeof(safe), a.out, 0),
			a.g.format == GRAPH_FMT_PNG ? "PNG" : "SVG", n);
	return TW_EXIT_OK;
}
