// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope top: parse options, then loop: sample the top model every
 * interval and draw it full-screen (top/view.c) or print it as plain lines
 * or NDJSON (top/batch.c). Signals only set a flag; the loop leaves and the
 * terminal is given back on every path.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "addr.h"
#include "log.h"
#include "netns/nsenum.h"
#include "netns/nsstat.h"
#include "output.h"
#include "top/batch.h"
#include "top/model.h"
#include "top/view.h"
#include "util.h"

#define TOP_SLICE_NS 100000000ull	/* longest wait before looking at keys and signals */

struct top_args {
	struct top_conf conf;
	const char *netns;
	bool batch;
	bool json;
	uint64_t iterations;		/* 0 = until stopped */
	size_t rows;
	bool rows_set;
	enum top_sort sort;
	const char *filter;
};

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void help(void)
{
	printf("usage: twscope top [options]\n\n"
	       "A live view of TIME_WAIT and ephemeral-port use, refreshed every interval:\n"
	       "totals (TIME_WAIT by side, ESTABLISHED, CLOSE_WAIT, orphans, sockstat), the\n"
	       "key counters as rates, and a row per destination and per server port (per\n"
	       "namespace with -A) with ports held against usable, use %%, close rate,\n"
	       "projected use, time to exhaustion, trend and the process behind it.\n\n"
	       "options:\n"
	       "  -i, --interval SEC       refresh every SEC seconds (0.1-3600, default 1)\n"
	       "  -b, --batch              plain lines per interval instead of the full\n"
	       "                           screen, for logs and pipes (like top -b)\n"
	       "  -j, --json               one JSON object per interval (NDJSON; implies -b)\n"
	       "      --iterations N       stop after N intervals (default 0 = until q,\n"
	       "                           SIGINT or SIGTERM)\n"
	       "  -t, --top N              rows per interval in batch mode (default 20;\n"
	       "                           0 = all); the screen shows what fits\n"
	       "  -S, --sort KEY           initial order: use (default), rate, tw, name\n"
	       "  -f, --filter TEXT        rows whose name, source or culprit contains TEXT\n"
	       "  -4, --ipv4               IPv4 sockets only\n"
	       "  -6, --ipv6               IPv6 sockets only\n"
	       "  -p, --port PORT          sockets whose local or remote port is PORT\n"
	       "  -d, --dst ADDR[:PORT]    sockets to this remote address\n"
	       "  -n, --netns NS           watch another network namespace (name, path or PID;\n"
	       "                           needs CAP_SYS_ADMIN)\n"
	       "  -A, --all-netns          a row per network namespace (its worst destination)\n"
	       "      --walk N             with -A: walk the N busiest namespaces (default %u)\n"
	       "  -h, --help               this help\n\n"
	       "Keys: u/r/t/n sort by use %%, close rate, TIME_WAIT, name; / filter (Enter\n"
	       "applies, Esc cancels); space or p pause; ? help; q quit.\n\n"
	       "Cost: /proc/net/sockstat and the counters are read every interval; the\n"
	       "socket census (with the culprit lookup) only as often as it takes at most\n"
	       "%u%% of wall time: a census of 0.6 s (586k TIME_WAIT) runs every 6 s,\n"
	       "one of 1 s (about 1M) every 10 s. The header says when the census shown\n"
	       "is from an earlier interval (docs/top.md).\n\n"
	       "EXAMPLES\n"
	       "  twscope top                          full-screen view, every second\n"
	       "  twscope top -b --iterations 3        three intervals as plain lines\n"
	       "  twscope top --json -i 5 >> top.ndjson  a log, one object per 5 s\n"
	       "  sudo twscope top -A                  every container and pod\n"
	       "  sudo twscope top --netns web1 -p 5432  one namespace, one port\n",
	       NSSTAT_WALK_DEFAULT, TOP_BUDGET_PCT);
}

static int parse_sort(const char *s, enum top_sort *ret)
{
	static const struct {
		const char *name;
		enum top_sort key;
	} keys[] = {
		{ "use", TOP_SORT_USE }, { "rate", TOP_SORT_RATE }, { "tw", TOP_SORT_TW },
		{ "time_wait", TOP_SORT_TW }, { "name", TOP_SORT_NAME },
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(s, keys[i].name) == 0) {
			*ret = keys[i].key;
			return 0;
		}
	return -EINVAL;
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct top_args *a)
{
	enum { OPT_ITERATIONS = 256, OPT_WALK };
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "iterations", required_argument, NULL, OPT_ITERATIONS },
		{ "top", required_argument, NULL, 't' },
		{ "sort", required_argument, NULL, 'S' },
		{ "filter", required_argument, NULL, 'f' },
		{ "ipv4", no_argument, NULL, '4' },
		{ "ipv6", no_argument, NULL, '6' },
		{ "port", required_argument, NULL, 'p' },
		{ "dst", required_argument, NULL, 'd' },
		{ "netns", required_argument, NULL, 'n' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "walk", required_argument, NULL, OPT_WALK },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	bool only4 = false, only6 = false;
	struct census_filter *f = &a->conf.filter;
	uint32_t n32;
	uint64_t n64;
	uint16_t port;
	double sec;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:bjt:S:f:46p:d:n:Ah", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			if (safe_atod(optarg, &sec) < 0 || sec < 0.1 || sec > 3600)
				return tw_usage(ctx, "invalid --interval '%s' (0.1-3600 seconds)", optarg);
			a->conf.interval_ns = (uint64_t)(sec * 1e9 + 0.5);
			break;
		case 'b':
			a->batch = true;
			break;
		case 'j':
			a->json = true;
			a->batch = true;
			break;
		case OPT_ITERATIONS:
			if (safe_atou64(optarg, &n64) < 0)
				return tw_usage(ctx, "invalid --iterations '%s' (0 = until stopped)", optarg);
			a->iterations = n64;
			break;
		case 't':
			if (safe_atou32(optarg, &n32) < 0 || n32 > 1000000)
				return tw_usage(ctx, "invalid --top '%s' (0-1000000)", optarg);
			a->rows = n32;
			a->rows_set = true;
			break;
		case 'S':
			if (parse_sort(optarg, &a->sort) < 0)
				return tw_usage(ctx, "unknown sort key '%s' (use, rate, tw, name)", optarg);
			break;
		case 'f':
			a->filter = optarg;
			break;
		case '4':
			only4 = true;
			break;
		case '6':
			only6 = true;
			break;
		case 'p':
			if (addr_parse_port(optarg, &port) < 0)
				return tw_usage(ctx, "invalid port '%s' (1-65535)", optarg);
			f->port = port;
			break;
		case 'd':
			if (addr_parse_endpoint(optarg, &f->dst, &f->dst_port) < 0)
				return tw_usage(ctx, "invalid destination '%s' (ADDR, ADDR:PORT or [V6ADDR]:PORT)",
						optarg);
			f->have_dst = true;
			break;
		case 'n':
			if (a->netns)
				return tw_usage(ctx, "only one --netns at a time");
			a->netns = optarg;
			break;
		case 'A':
			a->conf.all_netns = true;
			break;
		case OPT_WALK:
			if (safe_atou32(optarg, &n32) < 0 || n32 > NSENUM_MAX)
				return tw_usage(ctx, "invalid --walk '%s' (0-%u)", optarg, NSENUM_MAX);
			a->conf.walk_max = n32;
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
	if (only4 && only6)
		return tw_usage(ctx, "-4 and -6 exclude each other");
	f->v4 = !only6;
	f->v6 = !only4;
	if (f->have_dst && f->dst.family == AF_INET6 && only4)
		return tw_usage(ctx, "--dst is an IPv6 address but -4 was given");
	if (a->conf.all_netns && a->netns)
		return tw_usage(ctx, "--all-netns and --netns exclude each other");
	if (a->iterations && !a->batch)
		return tw_usage(ctx, "--iterations goes with -b/--batch or --json");
	if (a->filter && strlen(a->filter) >= TOP_FILTER_MAX)
		return tw_usage(ctx, "--filter is longer than %d characters", TOP_FILTER_MAX - 1);
	return 0;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

/*
 * Before ncurses starts: it installs its own SIGINT/SIGTERM handlers only
 * where none is set, and ours must stay (the loop calls endwin()).
 */
static void catch_signals(struct sigaction old[ARRAY_SIZE(stop_signals)])
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* No SA_RESTART: a signal cuts the wait short and the loop sees the flag. */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		(void) sigaction(stop_signals[i], &sa, &old[i]);
}

static void restore_signals(const struct sigaction old[ARRAY_SIZE(stop_signals)])
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_signals); i++)
		(void) sigaction(stop_signals[i], &old[i], NULL);
}

static int fatal(const struct top_args *a, int r)
{
	const char *msg = r == -ENOMEM ? "out of memory" : "cannot come back to our network namespace";

	tw_err(r == -ENOMEM ? 0 : r, "%s", msg);
	if (a->json)
		out_json_error("top", msg, TW_EXIT_FAIL);
	return TW_EXIT_FAIL;
}

/* Sleep until monotonic time t, in slices, unless a signal asks us to stop. */
static void sleep_until(uint64_t t)
{
	for (uint64_t now = now_ns(); !stop_signal && now < t; now = now_ns()) {
		uint64_t d = t - now < TOP_SLICE_NS ? t - now : TOP_SLICE_NS;
		struct timespec ts = { .tv_sec = (time_t)(d / 1000000000ull),
				       .tv_nsec = (long)(d % 1000000000ull) };

		(void) nanosleep(&ts, NULL);
	}
}

static int run_batch(const struct tw_ctx *ctx, const struct top_args *a, struct top_model *m)
{
	struct top_view_conf v = {
		.max_rows = a->rows_set ? a->rows : 20, .sort = a->sort, .filter = a->filter,
		.style = { .utf8 = ctx->utf8, .color = false },
	};
	int r;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (uint64_t i = 0; !stop_signal; i++) {
		uint64_t t = now_ns();

		r = top_model_sample(m, t);
		if (r < 0)
			return fatal(a, r);
		v.wall = time(NULL);
		if (a->json) {
			struct json_object *o = top_batch_json(m, &v);

			if (!o)
				return fatal(a, -ENOMEM);
			r = out_json_write(stdout, o, JSON_C_TO_STRING_PLAIN);
			json_object_put(o);
		} else {
			r = top_batch_print(stdout, m, &v);
			if (r < 0)
				return fatal(a, r);
		}
		if (fflush(stdout) != 0 || ferror(stdout) || r < 0)
			return TW_EXIT_FAIL;	/* run_cmd() says why */
		if (a->iterations && i + 1 >= a->iterations)
			break;
		sleep_until(t + a->conf.interval_ns);
	}
	return TW_EXIT_OK;
}

static int run_screen(const struct tw_ctx *ctx, const struct top_args *a, struct top_model *m)
{
	struct top_view_conf v = { .style = { .utf8 = ctx->utf8, .color = ctx->color } };
	struct top_ui ui = { .sort = a->sort, .dirty = true };
	uint64_t next = 0;
	int r = 0;

	if (a->filter)
		snprintf(ui.filter, sizeof(ui.filter), "%s", a->filter);
	if (!ctx->tty || !isatty(STDIN_FILENO)) {
		tw_err(0, "needs a terminal; use -b/--batch or --json for pipes and logs");
		return TW_EXIT_FAIL;
	}
	if (top_view_open(ctx->color, ctx->utf8) < 0) {
		tw_err(0, "cannot drive this terminal (check TERM); -b/--batch needs none");
		return TW_EXIT_FAIL;
	}
	while (!stop_signal && !ui.quit) {
		uint64_t now = now_ns(), wait;

		if (!ui.paused && now >= next) {
			r = top_model_sample(m, now);
			if (r < 0)
				break;
			v.wall = time(NULL);
			next = now + a->conf.interval_ns;
			ui.dirty = true;
			now = now_ns();
		}
		if (ui.dirty) {
			top_view_draw(m, &v, &ui);
			ui.dirty = false;
		}
		wait = ui.paused || next <= now ? TOP_SLICE_NS : next - now;
		if (wait > TOP_SLICE_NS)
			wait = TOP_SLICE_NS;
		top_ui_key(&ui, top_view_key((int)(wait / 1000000) + 1));
	}
	top_view_close();
	return r < 0 ? fatal(a, r) : TW_EXIT_OK;
}

int cmd_top(struct tw_ctx *ctx, int argc, char **argv)
{
	struct top_args a = {
		.conf = {
			.filter = { .port = -1, .dst_port = -1 },
			.interval_ns = 1000000000ull,
			.walk_max = NSSTAT_WALK_DEFAULT,
		},
	};
	struct sigaction old[ARRAY_SIZE(stop_signals)];
	struct top_model m;
	int r;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;	/* --help */
	if (r)
		return r;
	if (a.netns && cmd_enter_netns(a.netns) < 0) {
		if (a.json)
			out_json_error("top", "cannot enter the network namespace", TW_EXIT_FAIL);
		return TW_EXIT_FAIL;
	}
	top_model_init(&m, &a.conf);
	stop_signal = 0;
	catch_signals(old);
	r = a.batch ? run_batch(ctx, &a, &m) : run_screen(ctx, &a, &m);
	restore_signals(old);
	top_model_done(&m);
	return r;
}
