// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope serve: a Prometheus exporter. Opens the HTTP listener in the
 * current netns, then (with --netns) enters the measured namespace before
 * any census socket or HTTP thread exists, serves /metrics from a fresh
 * scrape shared by concurrent requests, and stops cleanly on SIGINT/SIGTERM.
 * The same scrape feeds the landing page's JSON API (/api/census, findings,
 * series from an in-memory ring sampled by a timer thread, history).
 * HTTP is httpd.c, TLS/auth configuration webconfig.c, the shared scrape
 * and the sampler thread serve/state.c, the JSON API serve/api.c, collection
 * scrape.c (and nsscrape.c for -A, from the HTTP thread), text output-prom.c,
 * the ring series.c, the page web/ (webassets.c).
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "history/recorder.h"
#include "serve/httpd.h"
#include "serve/nsscrape.h"
#include "ksettings.h"
#include "log.h"
#include "output-prom.h"
#include "serve/series.h"
#include "serve/state.h"
#include "util.h"
#include "serve/webconfig.h"

#define SERVE_DEFAULT_LISTEN "127.0.0.1:26060"
/*
 * Slow clients cost a few hundred bytes each on epoll threads, so many are
 * allowed; one address may hold only part of them, and a request must be
 * done within SERVE_REQUEST_TIMEOUT_SEC whatever its pace.
 */
#define SERVE_CONN_LIMIT 512
#define SERVE_PER_IP_LIMIT 64
#define SERVE_THREADS 4
#define SERVE_REQUEST_TIMEOUT_SEC 30
#define SERVE_SPARE_FDS 64
#define SERVE_CONN_TIMEOUT_SEC 10
#define SERVE_CONN_MEMORY_BYTES (16 * 1024)
#define SERVE_MAX_TOP 10000
#define SERVE_DEFAULT_FINDINGS_SEC 60
#define SERVE_DEFAULT_SAMPLE_SEC 10	/* the timer's census for /api/series */
#define SERVE_DEFAULT_SERIES_SAMPLES 360

struct serve_args {
	const char *listen;
	const char *netns;
	const char *web_config;
	const char *history;
	double min_interval_sec;
	double findings_interval_sec;
	uint32_t top;
	bool all_netns;
	uint32_t top_netns;
	uint32_t sample_interval_sec;
	uint32_t series_samples;
};

static void help(void)
{
	printf("usage: twscope serve [options]\n\n"
	       "Prometheus exporter: every scrape of /metrics takes a fresh census of the\n"
	       "network namespace (sockets per state, TIME_WAIT sides and timers, ephemeral\n"
	       "ports per destination), reads the kernel TCP counters and sysctls and\n"
	       "renders them in the text exposition format. Scrapes arriving together\n"
	       "share one census. Also serves /healthz, and at / a live page (census,\n"
	       "findings, charts) with its JSON API under /api/ (docs/serve.md).\n\n"
	       "options:\n"
	       "  -l, --listen ADDR:PORT     HTTP address (default " SERVE_DEFAULT_LISTEN "; localhost\n"
	       "                             means 127.0.0.1, no DNS);\n"
	       "                             IPv6 as [ADDR]:PORT; port 0 picks a free port\n"
	       "  -n, --netns NS             measure another network namespace (name in\n"
	       "                             /run/netns, path or PID; needs CAP_SYS_ADMIN). The\n"
	       "                             HTTP listener stays in the current namespace\n"
	       "  -A, --all-netns            also twscope_netns_* series for every network\n"
	       "                             namespace (containers, pods), labelled netns,\n"
	       "                             runtime, container, pod, pod_namespace; needs\n"
	       "                             CAP_SYS_ADMIN and CAP_SYS_PTRACE (root)\n"
	       "      --top-netns N          own series for the N worst namespaces, the rest\n"
	       "                             summed as netns=\"other\" (default %d, 1-%d)\n"
	       "      --min-interval SEC     serve the previous result to scrapes closer than\n"
	       "                             SEC seconds to it (default 0: always fresh)\n"
	       "      --top-destinations N   per-destination series for the N busiest\n"
	       "                             destinations only (default %d, 0-%d)\n"
	       "      --findings-interval SEC  re-evaluate doctor's findings (twscope_finding)\n"
	       "                             at most every SEC seconds (default %d; 0 = off)\n"
	       "      --sample-interval SEC  take a census every SEC seconds for the page's\n"
	       "                             charts (/api/series), also when nobody asks\n"
	       "                             (default %d; 0 = only when /metrics or /api/census\n"
	       "                             is requested)\n"
	       "      --series-samples N     samples the charts keep in memory (default %d,\n"
	       "                             1-%d)\n"
	       "      --web.config.file PATH  TLS and basic auth from a Prometheus\n"
	       "                             exporter-toolkit web config (YAML:\n"
	       "                             tls_server_config, basic_auth_users with bcrypt\n"
	       "                             hashes); alias --web-config-file\n"
	       "      --history PATH         also record history into the SQLite database\n"
	       "                             PATH, as 'twscope record --db PATH' does (a\n"
	       "                             thread of this process; docs/history.md), and\n"
	       "                             answer /api/history from it\n"
	       "  -h, --help                 this help\n\n"
	       "At most %d connections, %d per client address; a request must be received\n"
	       "and answered within %d s, idle connections close after %d s. Listening\n"
	       "beyond loopback without TLS and basic auth prints a warning.\n"
	       "Stops with exit status 0 on SIGINT or SIGTERM. Metrics: docs/serve.md.\n\n"
	       "EXAMPLES\n"
	       "  twscope serve                              http://127.0.0.1:26060/metrics\n"
	       "  twscope serve --listen 0.0.0.0:26060       reachable from the network (warns)\n"
	       "  twscope serve --listen '[::1]:26060'       IPv6 loopback\n"
	       "  sudo twscope serve --netns web1            measure namespace web1\n"
	       "  sudo twscope serve -A --listen 0.0.0.0:26060 --top-netns 50\n"
	       "                                             every container on the node\n"
	       "  twscope serve --listen 0.0.0.0:26060 --web.config.file /etc/twscope/web.yml\n"
	       "                                             HTTPS with basic auth\n"
	       "  twscope serve --min-interval 5 --top-destinations 50\n"
	       "  curl -s localhost:26060/metrics | grep twscope_time_wait\n"
	       "  curl -s localhost:26060/api/census | jq .time_wait\n",
	       NSSCRAPE_TOP_DEFAULT, NSSCRAPE_TOP_MAX,
	       PROM_DEFAULT_TOP_DESTINATIONS, SERVE_MAX_TOP, SERVE_DEFAULT_FINDINGS_SEC,
	       SERVE_DEFAULT_SAMPLE_SEC, SERVE_DEFAULT_SERIES_SAMPLES, SERIES_MAX_SAMPLES,
	       SERVE_CONN_LIMIT, SERVE_PER_IP_LIMIT, SERVE_REQUEST_TIMEOUT_SEC, SERVE_CONN_TIMEOUT_SEC);
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct serve_args *a)
{
	enum { OPT_MIN_INTERVAL = 256, OPT_TOP, OPT_FINDINGS, OPT_WEB_CONFIG, OPT_TOP_NETNS,
	       OPT_SAMPLE, OPT_SERIES, OPT_HISTORY };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "netns", required_argument, NULL, 'n' },
		{ "all-netns", no_argument, NULL, 'A' },
		{ "top-netns", required_argument, NULL, OPT_TOP_NETNS },
		{ "min-interval", required_argument, NULL, OPT_MIN_INTERVAL },
		{ "top-destinations", required_argument, NULL, OPT_TOP },
		{ "findings-interval", required_argument, NULL, OPT_FINDINGS },
		{ "sample-interval", required_argument, NULL, OPT_SAMPLE },
		{ "series-samples", required_argument, NULL, OPT_SERIES },
		{ "history", required_argument, NULL, OPT_HISTORY },
		{ "web.config.file", required_argument, NULL, OPT_WEB_CONFIG },
		{ "web-config-file", required_argument, NULL, OPT_WEB_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:n:Ah", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			a->listen = optarg;
			break;
		case 'n':
			if (a->netns)
				return tw_usage(ctx, "only one --netns at a time");
			a->netns = optarg;
			break;
		case 'A':
			a->all_netns = true;
			break;
		case OPT_TOP_NETNS:
			if (safe_atou32(optarg, &a->top_netns) < 0 || a->top_netns < 1 ||
			    a->top_netns > NSSCRAPE_TOP_MAX)
				return tw_usage(ctx, "invalid --top-netns '%s' (1-%d)", optarg,
						NSSCRAPE_TOP_MAX);
			break;
		case OPT_MIN_INTERVAL:
			if (safe_atod(optarg, &a->min_interval_sec) < 0 || a->min_interval_sec > 86400)
				return tw_usage(ctx, "invalid --min-interval '%s' (0-86400 seconds)", optarg);
			break;
		case OPT_TOP:
			if (safe_atou32(optarg, &a->top) < 0 || a->top > SERVE_MAX_TOP)
				return tw_usage(ctx, "invalid --top-destinations '%s' (0-%d)", optarg,
						SERVE_MAX_TOP);
			break;
		case OPT_FINDINGS:
			if (safe_atod(optarg, &a->findings_interval_sec) < 0 ||
			    a->findings_interval_sec > 86400)
				return tw_usage(ctx, "invalid --findings-interval '%s' (0-86400 seconds)",
						optarg);
			break;
		case OPT_WEB_CONFIG:
			a->web_config = optarg;
			break;
		case OPT_SAMPLE:
			if (safe_atou32(optarg, &a->sample_interval_sec) < 0 ||
			    a->sample_interval_sec > 86400)
				return tw_usage(ctx, "invalid --sample-interval '%s' (0-86400 whole seconds)",
						optarg);
			break;
		case OPT_SERIES:
			if (safe_atou32(optarg, &a->series_samples) < 0 || a->series_samples < 1 ||
			    a->series_samples > SERIES_MAX_SAMPLES)
				return tw_usage(ctx, "invalid --series-samples '%s' (1-%d)", optarg,
						SERIES_MAX_SAMPLES);
			break;
		case OPT_HISTORY:
			a->history = optarg;
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
	if (a->all_netns && a->netns)
		return tw_usage(ctx, "--all-netns and --netns exclude each other");
	return 0;
}


/*
 * listen_spec() - "localhost:PORT" as "127.0.0.1:PORT", without asking DNS
 * or /etc/hosts (the loopback name is fixed, and serve must not depend on a
 * resolver); anything else unchanged.
 */
static const char *listen_spec(const char *spec, char *buf, size_t len)
{
	static const char name[] = "localhost:";

	if (strncasecmp(spec, name, strlen(name)) != 0)
		return spec;
	if ((size_t)snprintf(buf, len, "127.0.0.1:%s", spec + strlen(name)) >= len)
		return spec;
	return buf;
}

static int open_listener(const char *spec, struct tw_addr *addr, int *ret_fd, uint16_t *ret_port)
{
	char resolved[TW_ENDPOINT_STRLEN + 16];
	int port = -1;
	int r;

	spec = listen_spec(spec, resolved, sizeof(resolved));

	if (addr_parse_endpoint(spec, addr, &port) < 0 || port < 0) {
		/* addr_parse_endpoint() rejects port 0; allow it for "pick a free port". */
		char host[TW_ENDPOINT_STRLEN];
		const char *colon = strrchr(spec, ':');
		size_t n = colon ? (size_t)(colon - spec) : 0;

		if (!colon || strcmp(colon, ":0") != 0 || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, spec, n);
		host[n] = 0;
		if (addr_parse_endpoint(host, addr, &port) < 0 || port >= 0)
			return -EINVAL;
		port = 0;
	}
	r = httpd_listen(addr, (uint16_t)port, ret_fd, ret_port);
	return r;
}

static bool is_loopback(const struct tw_addr *a)
{
	static const uint8_t v6_loopback[16] = { [15] = 1 };
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family == AF_INET)
		return a->bytes[0] == 127;
	return memcmp(a->bytes, v6_loopback, 16) == 0 ||
	       (memcmp(a->bytes, v4_mapped, 12) == 0 && a->bytes[12] == 127);
}

/* Lower ports need CAP_NET_BIND_SERVICE: say so instead of a bare EACCES. */
static int listen_error(int r, const char *spec)
{
	int64_t start = 1024;

	if (r != -EACCES)
		return tw_err(r, "cannot listen on %s", spec), TW_EXIT_FAIL;
	(void) ksettings_sysctl_i64("net.ipv4.ip_unprivileged_port_start", &start);
	return tw_err(r, "cannot listen on %s: ports below %lld need CAP_NET_BIND_SERVICE "
		      "(or root); pick a port >= %lld", spec, (long long)start, (long long)start),
	       TW_EXIT_FAIL;
}

static int load_web_config(const char *path, struct webconfig *wc)
{
	char err[WEBCONFIG_ERR_LEN];
	int r;

	r = webconfig_load(path, wc, err, sizeof(err));
	if (r == -ENOMEM)
		return tw_err(r, "cannot load --web.config.file '%s'", path), TW_EXIT_FAIL;
	if (r < 0)
		return tw_err(0, "--web.config.file '%s': %s", path, err),
		       r == -EINVAL ? TW_EXIT_USAGE : TW_EXIT_FAIL;
	if (wc->key_readable_by_others)
		tw_warn("key_file '%s' is readable by every user; chmod o-r it", wc->key_file);
	return 0;
}

/* Connections allowed by RLIMIT_NOFILE (raised to the hard limit when it is lower). */
static unsigned int conn_limit(void)
{
	struct rlimit rl;
	rlim_t want = SERVE_CONN_LIMIT + SERVE_SPARE_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return SERVE_CONN_LIMIT;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			return SERVE_CONN_LIMIT;
	}
	return rl.rlim_cur > 2 * SERVE_SPARE_FDS ? (unsigned int)(rl.rlim_cur - SERVE_SPARE_FDS)
						 : SERVE_SPARE_FDS;
}

/* serve --history: the recorder in a thread of its own, stopped through an eventfd. */
struct serve_recorder {
	struct recorder *rec;
	int stop_fd;
	pthread_t thread;
	bool running;
};

static void *recorder_thread(void *data)
{
	struct serve_recorder *sr = data;
	int r;

	r = recorder_run(sr->rec, sr->stop_fd);
	if (r < 0)
		tw_err(r, "history recording stopped");
	return NULL;
}

static int recorder_start(const struct serve_args *a, struct serve_recorder *sr)
{
	struct recorder_conf conf;
	int r;

	record_conf_defaults(&conf);
	/* fractions round up: 0.5 s still evaluates, every second */
	conf.findings_interval_sec = (uint32_t)(a->findings_interval_sec + 0.999);
	conf.netns_label = a->netns ? a->netns : "host";
	r = recorder_open(a->history, &conf, &sr->rec);
	if (r < 0)
		return record_open_error(a->history, r);
	sr->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (sr->stop_fd < 0 || pthread_create(&sr->thread, NULL, recorder_thread, sr) != 0) {
		if (sr->stop_fd >= 0)
			(void) close(sr->stop_fd);
		sr->rec = recorder_close(sr->rec);
		return tw_err(0, "cannot start the history recorder"), TW_EXIT_FAIL;
	}
	sr->running = true;
	return 0;
}

static void recorder_stop(struct serve_recorder *sr)
{
	uint64_t one = 1;

	if (!sr->running)
		return;
	if (write(sr->stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(sr->thread, NULL);
	(void) close(sr->stop_fd);
	sr->rec = recorder_close(sr->rec);
	sr->running = false;
}

static int run(const struct tw_ctx *ctx, struct serve_args *a)
{
	struct serve_recorder recorder = { .stop_fd = -EBADF };
	struct serve_state st = {
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.done = PTHREAD_COND_INITIALIZER,
		.min_interval_ns = (uint64_t)(a->min_interval_sec * NSEC_PER_SEC),
		.top = a->top,
		.all_netns = a->all_netns,
		.top_netns = a->top_netns,
		.filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 },
		.findings = { .interval_ns = (uint64_t)(a->findings_interval_sec * NSEC_PER_SEC) },
		.sample_sec = a->sample_interval_sec,
		.netns = a->netns ? a->netns : "host",
		.history = a->history,
	};
	struct httpd_conf conf = {
		.threads = SERVE_THREADS,
		.conn_limit = conn_limit(),
		.per_ip_limit = SERVE_PER_IP_LIMIT,
		.request_timeout_sec = SERVE_REQUEST_TIMEOUT_SEC,
		.conn_timeout_sec = SERVE_CONN_TIMEOUT_SEC,
		.conn_memory_limit = SERVE_CONN_MEMORY_BYTES,
		.metrics = serve_metrics,
		.api = serve_api,
		.data = &st,
	};
	char shown[TW_ENDPOINT_STRLEN];
	struct webconfig web = { 0 };
	struct httpd *h = NULL;
	struct tw_addr addr;
	sigset_t stop;
	uint16_t port;
	int fd = -EBADF, sig, r;

	if (gethostname(st.host, sizeof(st.host) - 1) < 0)
		snprintf(st.host, sizeof(st.host), "unknown");
	if (a->web_config) {
		r = load_web_config(a->web_config, &web);
		if (r) {
			webconfig_done(&web);
			return r;
		}
		conf.web = &web;
	}
	r = open_listener(a->listen, &addr, &fd, &port);
	if (r == -EINVAL) {
		webconfig_done(&web);
		return tw_usage(ctx, "invalid --listen '%s' (ADDR:PORT, [V6ADDR]:PORT or localhost:PORT)",
				a->listen);
	}
	if (r < 0) {
		webconfig_done(&web);
		return listen_error(r, a->listen);
	}
	conf.listen_fd = fd;
	conf.family = addr.family;
	/* After the listener exists: HTTP stays here, census sockets open in NS. */
	if (a->netns && cmd_enter_netns(a->netns) < 0) {
		(void) close(fd);
		webconfig_done(&web);
		return TW_EXIT_FAIL;
	}
	/* HTTP threads inherit this mask, so only sigwait() below sees the signals. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	(void) signal(SIGPIPE, SIG_IGN);

	r = series_init(&st.ring, a->series_samples);
	if (r < 0) {
		(void) close(fd);
		webconfig_done(&web);
		return tw_err(r, "cannot keep %u samples", a->series_samples), TW_EXIT_FAIL;
	}
	if (a->history) {
		r = recorder_start(a, &recorder);
		if (r) {
			(void) close(fd);
			webconfig_done(&web);
			series_done(&st.ring);
			return r;
		}
	}
	r = httpd_start(&conf, &h);
	if (r < 0) {
		recorder_stop(&recorder);
		webconfig_done(&web);
		series_done(&st.ring);
		if (r == -ENOTSUP)
			return tw_err(0, "this libmicrohttpd has no TLS support"), TW_EXIT_FAIL;
		return tw_err(r, "cannot start the HTTP server on %s", a->listen), TW_EXIT_FAIL;
	}
	/* from this thread, so the sampler measures the --netns namespace too */
	r = sampler_start(&st);
	if (r < 0) {
		h = httpd_stop(h);
		webconfig_done(&web);
		series_done(&st.ring);
		return tw_err(r, "cannot start the sampler thread"), TW_EXIT_FAIL;
	}
	addr_format_endpoint(&addr, port, shown, sizeof(shown));
	if (!is_loopback(&addr) && (!web.tls || !webconfig_has_auth(&web)))
		tw_warn("listening on %s without %s: anyone who can reach it reads this host's "
			"connection data (see --web.config.file)", shown,
			!web.tls && !webconfig_has_auth(&web) ? "TLS or basic auth" :
			!web.tls ? "TLS (passwords travel in clear text)" : "basic auth");
	fprintf(stderr, "twscope serve: listening on %s://%s/metrics\n", web.tls ? "https" : "http",
		shown);
	do
		r = sigwait(&stop, &sig);
	while (r == EINTR);
	h = httpd_stop(h);
	sampler_stop(&st);
	recorder_stop(&recorder);
	webconfig_done(&web);
	free(st.body);
	free(st.census_json);
	free(st.findings_json);
	free(st.findings.json);
	series_done(&st.ring);
	pthread_mutex_destroy(&st.lock);
	pthread_cond_destroy(&st.done);
	return TW_EXIT_OK;
}

int cmd_serve(struct tw_ctx *ctx, int argc, char **argv)
{
	struct serve_args a = {
		.listen = SERVE_DEFAULT_LISTEN,
		.top = PROM_DEFAULT_TOP_DESTINATIONS,
		.top_netns = NSSCRAPE_TOP_DEFAULT,
		.findings_interval_sec = SERVE_DEFAULT_FINDINGS_SEC,
		.sample_interval_sec = SERVE_DEFAULT_SAMPLE_SEC,
		.series_samples = SERVE_DEFAULT_SERIES_SAMPLES,
	};
	int r;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		return TW_EXIT_OK;	/* --help */
	if (r)
		return r;
	return run(ctx, &a);
}
