// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope record: keep the history of a network namespace in an SQLite
 * file until SIGINT/SIGTERM. The sampling, writing and housekeeping are
 * src/history/recorder.c; this file parses options, reports and stops.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "history/history.h"
#include "history/recorder.h"
#include "log.h"
#include "util.h"

struct record_args {
	const char *db;
	const char *netns;
	struct recorder_conf conf;
};

static void help(void)
{
	printf("usage: twscope record [options]\n\n"
	       "Record the history of this network namespace into an SQLite database until\n"
	       "SIGINT or SIGTERM: every second TIME_WAIT and orphans (sockstat), the rates\n"
	       "of TIME_WAIT entered, active opens, TIME_WAIT overflows and PAWS rejects,\n"
	       "and the conntrack count; every census interval the sockets per state, the\n"
	       "TIME_WAIT sides and the port use and close rate of the busiest destinations;\n"
	       "doctor's warning and critical findings as events when they appear or change.\n"
	       "Raw samples are kept 48 h, 1-minute min/avg/max 14 days, 1-hour a year.\n"
	       "Read it with 'twscope history'. Details: docs/history.md.\n\n"
	       "options:\n"
	       "      --db PATH              the database (default %s;\n"
	       "                             created when missing, WAL mode)\n"
	       "      --census-interval SEC  seconds between censuses (default %d, 1-3600)\n"
	       "      --findings-interval SEC  evaluate doctor's rules at most every SEC\n"
	       "                             seconds, on a census (default %d; 0 = no events)\n"
	       "      --top-destinations N   dest_* series for the N busiest destinations\n"
	       "                             (default %d, 0-%d)\n"
	       "      --max-size SIZE        cap on the database: over it the oldest raw rows\n"
	       "                             are dropped first (default 256M; K, M, G suffixes,\n"
	       "                             at least 1M)\n"
	       "  -n, --netns NS             record another namespace (name in /run/netns, path\n"
	       "                             or PID; needs CAP_SYS_ADMIN)\n"
	       "  -h, --help                 this help\n\n"
	       "A full disk or another write failure is reported once and retried every\n"
	       "second. Stops with exit status 0 on SIGINT or SIGTERM.\n\n"
	       "EXAMPLES\n"
	       "  sudo twscope record                          record into %s\n"
	       "  twscope record --db /tmp/tw.db               as any user\n"
	       "  twscope record --db tw.db --census-interval 2 --max-size 64M\n"
	       "  twscope serve --history /tmp/tw.db           the same inside serve\n",
	       HISTORY_DEFAULT_DB, RECORDER_DEFAULT_CENSUS_SEC, RECORDER_DEFAULT_FINDINGS_SEC,
	       RECORDER_DEFAULT_TOP, RECORDER_MAX_TOP, HISTORY_DEFAULT_DB);
}

/* "256M" -> bytes: a number with an optional K, M or G (powers of 1024). */
static int parse_size(const char *s, uint64_t *ret)
{
	char num[32];
	size_t n = strlen(s);
	unsigned int shift = 0;
	uint64_t v;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	default: break;
	}
	if (shift)
		num[n - 1] = '\0';
	if (safe_atou64(num, &v) < 0 || v > (UINT64_MAX >> 30))
		return -EINVAL;
	*ret = v << shift;
	return 0;
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct record_args *a)
{
	enum { OPT_DB = 256, OPT_CENSUS, OPT_FINDINGS, OPT_TOP, OPT_MAX_SIZE };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "census-interval", required_argument, NULL, OPT_CENSUS },
		{ "findings-interval", required_argument, NULL, OPT_FINDINGS },
		{ "top-destinations", required_argument, NULL, OPT_TOP },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			a->db = optarg;
			break;
		case OPT_CENSUS:
			if (safe_atou32(optarg, &a->conf.census_interval_sec) < 0 ||
			    a->conf.census_interval_sec < 1 || a->conf.census_interval_sec > 3600)
				return tw_usage(ctx, "invalid --census-interval '%s' (1-3600 seconds)", optarg);
			break;
		case OPT_FINDINGS:
			if (safe_atou32(optarg, &a->conf.findings_interval_sec) < 0 ||
			    a->conf.findings_interval_sec > 86400)
				return tw_usage(ctx, "invalid --findings-interval '%s' (0-86400 seconds)", optarg);
			break;
		case OPT_TOP:
			if (safe_atou32(optarg, &a->conf.top_destinations) < 0 ||
			    a->conf.top_destinations > RECORDER_MAX_TOP)
				return tw_usage(ctx, "invalid --top-destinations '%s' (0-%d)", optarg,
						RECORDER_MAX_TOP);
			break;
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &a->conf.max_size_bytes) < 0 ||
			    a->conf.max_size_bytes < RECORDER_MIN_MAX_SIZE)
				return tw_usage(ctx, "invalid --max-size '%s' (bytes or K, M, G; at least 1M)",
						optarg);
			break;
		case 'n':
			if (a->netns)
				return tw_usage(ctx, "only one --netns at a time");
			a->netns = optarg;
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
	return 0;
}

static void record_log(void *data, int err, const char *msg)
{
	(void) data;
	(void) tw_err(err, "%s", msg);
}


void record_conf_defaults(struct recorder_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->census_interval_sec = RECORDER_DEFAULT_CENSUS_SEC;
	conf->findings_interval_sec = RECORDER_DEFAULT_FINDINGS_SEC;
	conf->top_destinations = RECORDER_DEFAULT_TOP;
	conf->max_size_bytes = RECORDER_DEFAULT_MAX_SIZE;
	conf->keep_sec[HISTORY_TIER_RAW] = HISTORY_KEEP_RAW_SEC;
	conf->keep_sec[HISTORY_TIER_MIN] = HISTORY_KEEP_MIN_SEC;
	conf->keep_sec[HISTORY_TIER_HOUR] = HISTORY_KEEP_HOUR_SEC;
	conf->log = record_log;
}

/* record_open_error() - the one line for a recorder_open() error on path. Returns TW_EXIT_FAIL. */
int record_open_error(const char *path, int r)
{
	if (r == -EBADMSG)
		return tw_err(0, "'%s' is not a twscope history database", path), TW_EXIT_FAIL;
	if (r == -EBUSY)
		return tw_err(0, "another recorder is writing '%s'", path), TW_EXIT_FAIL;
	return tw_err(r, "cannot open '%s'", path), TW_EXIT_FAIL;
}

int cmd_record(struct tw_ctx *ctx, int argc, char **argv)
{
	struct record_args a = { .db = HISTORY_DEFAULT_DB };
	struct recorder *rec = NULL;
	sigset_t stop;
	int fd, r;

	record_conf_defaults(&a.conf);
	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;	/* --help */
	if (r)
		return r;
	if (a.netns && cmd_enter_netns(a.netns) < 0)
		return TW_EXIT_FAIL;
	a.conf.netns_label = a.netns ? a.netns : "host";
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	fd = signalfd(-1, &stop, SFD_CLOEXEC);
	if (fd < 0)
		return tw_err(-errno, "cannot watch for SIGINT/SIGTERM"), TW_EXIT_FAIL;
	r = recorder_open(a.db, &a.conf, &rec);
	if (r < 0) {
		(void) close(fd);
		return record_open_error(a.db, r);
	}
	fprintf(stderr, "twscope record: recording to %s every second, a census every %u s\n", a.db,
		a.conf.census_interval_sec);
	r = recorder_run(rec, fd);
	rec = recorder_close(rec);
	(void) close(fd);
	if (r == -ENOMEM)
		return tw_err(0, "out of memory"), TW_EXIT_FAIL;
	if (r < 0)
		return tw_err(r, "recording stopped"), TW_EXIT_FAIL;
	return TW_EXIT_OK;
}
