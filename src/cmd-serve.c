// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope serve: a Prometheus exporter. Opens the HTTP listener in the
 * current netns, then (with --netns) enters the measured namespace before
 * any census socket or HTTP thread exists, serves /metrics from a fresh
 * scrape shared by concurrent requests, and stops cleanly on SIGINT/SIGTERM.
 * The same scrape feeds the landing page's JSON API (/api/census, findings,
 * series from an in-memory ring sampled by a timer thread, history).
 * HTTP is httpd.c, TLS/auth configuration webconfig.c, collection scrape.c
 * (and nsscrape.c for -A, from the HTTP thread), text output-prom.c, the
 * ring series.c, the page web/ (webassets.c).
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
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

#include <json-c/json.h>

#include "addr.h"
#include "doctor/advice.h"
#include "census.h"
#include "doctor/facts.h"
#include "history/recorder.h"
#include "serve/httpd.h"
#include "serve/nsscrape.h"
#include "ksettings.h"
#include "log.h"
#include "output.h"
#include "output-doctor.h"
#include "output-prom.h"
#include "output-stat.h"
#include "serve/scrape.h"
#include "serve/series.h"
#include "util.h"
#include "serve/webconfig.h"
#include "history/history.h"	/* history_query_json() */

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
#define SERVE_API_TOP 10		/* destinations in /api/census */
#define SERVE_HISTORY_DEFAULT_SEC 3600	/* /api/history without since= */

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

/*
 * Doctor findings, re-evaluated at most once per --findings-interval (a
 * facts collection is a second census plus a /proc walk). Touched only by
 * the thread that owns the census in flight, so it needs no lock.
 */
struct serve_findings {
	uint64_t interval_ns;		/* 0 = findings off */
	uint64_t at_ns;			/* last evaluation, 0 = never */
	size_t n;
	struct prom_finding list[ADV_RULE_MAX];
	bool have_prev;			/* counters of the previous evaluation, for deltas */
	uint64_t prev_ns;
	bool prev_have[FC_MAX];
	uint64_t prev[FC_MAX];
	char *json;			/* doctor_json() of the last evaluation, or NULL */
};

/* The last scrape and the one in flight, shared by the HTTP threads. */
struct serve_state {
	pthread_mutex_t lock;
	pthread_cond_t done;
	bool in_flight;
	uint64_t generation;	/* bumped each time a scrape completes */
	char *body;		/* last rendered /metrics, or NULL */
	size_t len;
	int err;		/* 0, or -errno when the last render failed */
	uint64_t at_ns;		/* when body was taken */
	uint64_t errors;	/* scrapes whose census failed */
	uint64_t min_interval_ns;
	size_t top;
	bool all_netns;			/* add the twscope_netns_* families (-A) */
	size_t top_netns;
	struct census_filter filter;
	struct serve_findings findings;

	/* the landing page's API, under lock like body */
	char *census_json;	/* /api/census of the last scrape, NULL when its census failed */
	char *findings_json;	/* /api/findings, NULL before the first evaluation */
	struct series_ring ring;
	unsigned int sample_sec;	/* the timer's period, 0 = no timer */
	char host[256];
	const char *netns;		/* "host" or the --netns argument */
	const char *history;		/* --history PATH, or NULL */
	/* touched only by the thread that owns the scrape in flight */
	bool have_tw_prev;
	uint64_t tw_prev;
	uint64_t tw_prev_ns;

	pthread_t sampler;
	bool have_sampler;
	bool stopping;			/* under lock; wakes the sampler through .wake */
	pthread_cond_t wake;		/* CLOCK_MONOTONIC */
};

/* What one scrape produces besides the /metrics body. */
struct serve_output {
	char *census_json;
	char *findings_json;
	bool have_sample;
	struct series_sample sample;
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

/* Counter deltas since the previous evaluation, so rate rules see an interval. */
static void findings_deltas(struct serve_findings *sf, struct tw_facts *f, uint64_t now)
{
	for (int id = 0; id < FC_MAX; id++) {
		const struct facts_counter *c = &f->counter[id];

		if (sf->have_prev && c->have && sf->prev_have[id] && c->value >= sf->prev[id])
			facts_set_counter(f, id, c->value, true, c->value - sf->prev[id]);
		sf->prev_have[id] = c->have;
		sf->prev[id] = c->value;
	}
	if (sf->have_prev)
		f->interval_ns = now - sf->prev_ns;
	sf->have_prev = true;
	sf->prev_ns = now;
}

/* The page's copy of the evaluation: doctor --json's document plus its time. */
static void findings_json(struct serve_findings *sf, const struct advice_report *rep,
			  const struct tw_facts *f)
{
	const struct doctor_view view = { .top = 10 };
	struct json_object *o = doctor_json(rep, f, &view);
	const char *text;

	if (!o)
		return;		/* out of memory: keep the previous one */
	json_object_object_add(o, "evaluated_at", json_object_new_int64(time(NULL)));
	json_object_object_add(o, "findings_interval_sec",
			       out_json_double((double)sf->interval_ns / NSEC_PER_SEC, 3));
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (text) {
		char *p = strdup(text);

		if (p) {
			free(sf->json);
			sf->json = p;
		}
	}
	json_object_put(o);
}

/*
 * serve_findings() - doctor's findings (advice_eval() on facts collected
 * around the scrape's own census, so sockets are walked once) that are not
 * ok, as twscope_finding series; cached for the findings interval. A failed
 * collection keeps the previous list.
 */
static size_t serve_findings(struct serve_findings *sf, const struct census *census,
			     const struct prom_finding **ret)
{
	struct advice_report *rep = NULL;
	struct tw_facts *f = NULL;
	uint64_t now = now_ns();
	int census_err;

	*ret = sf->list;
	if (!sf->interval_ns || (sf->at_ns && now - sf->at_ns < sf->interval_ns))
		return sf->n;
	f = malloc(sizeof(*f));
	rep = malloc(sizeof(*rep));
	if (!f || !rep)
		goto out;
	facts_init(f);
	if (facts_collect_with(f, 0, census, &census_err) < 0) {
		facts_done(f);
		goto out;
	}
	findings_deltas(sf, f, now);
	advice_eval(f, rep);
	findings_json(sf, rep, f);
	facts_done(f);
	sf->n = 0;
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		if (rep->findings[i].sev == TW_SEV_OK)
			continue;
		sf->list[sf->n].id = advice_rule_id(i);
		sf->list[sf->n].severity = advice_sev_name(rep->findings[i].sev);
		sf->n++;
	}
	sf->at_ns = now;
out:
	free(f);
	free(rep);
	return sf->n;
}

static char *json_text(struct json_object *o)
{
	const char *t = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;

	return t ? strdup(t) : NULL;
}

static double json_num(struct json_object *o, const char *path)
{
	struct json_object *v = NULL;
	char key[64];
	const char *p = path;

	/* a dotted path of object keys */
	while (o && *p) {
		size_t n = strcspn(p, ".");

		if (n >= sizeof(key))
			return NAN;
		memcpy(key, p, n);
		key[n] = 0;
		if (!json_object_object_get_ex(o, key, &v))
			return NAN;
		o = v;
		p += n + (p[n] == '.');
	}
	return o && (json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double))
	       ? json_object_get_double(o) : NAN;
}

/*
 * The charted figures of one scrape, read off its /api/census document (so
 * the charts and the census table never disagree) and the TW counter.
 */
static void serve_sample(struct serve_state *st, struct json_object *census,
			 const struct scrape_result *res, struct series_sample *s)
{
	struct json_object *dests = NULL;
	uint64_t tw, now = now_ns();

	memset(s, 0, sizeof(*s));
	s->t = time(NULL);
	s->time_wait = json_num(census, "time_wait.total");
	s->established = json_num(census, "states.total.established");
	s->close_wait = json_num(census, "states.total.close_wait");
	s->tw_rate = NAN;
	if (res->counters && tw_counters_get(res->counters, "TcpExt.TW", &tw)) {
		if (st->have_tw_prev && tw >= st->tw_prev && now > st->tw_prev_ns)
			s->tw_rate = (double)(tw - st->tw_prev) * NSEC_PER_SEC / (double)(now - st->tw_prev_ns);
		st->have_tw_prev = true;
		st->tw_prev = tw;
		st->tw_prev_ns = now;
	}
	if (!census || !json_object_object_get_ex(census, "destinations", &dests))
		return;
	for (size_t i = 0; i < json_object_array_length(dests) && s->n_dests < SERIES_MAX_DESTS; i++) {
		struct json_object *d = json_object_array_get_idx(dests, i), *ra;
		const char *remote;
		double port = json_num(d, "remote_port");

		if (!json_object_object_get_ex(d, "remote", &ra) || isnan(port))
			continue;
		remote = json_object_get_string(ra);
		snprintf(s->dests[s->n_dests].key, sizeof(s->dests[0].key),
			 strchr(remote, ':') ? "[%s]:%.0f" : "%s:%.0f", remote, port);
		s->dests[s->n_dests].use_pct = json_num(d, "utilization_pct");
		s->n_dests++;
	}
}

/* /api/census and the sample, from the scrape's census (nothing when it failed). */
static void serve_page_data(struct serve_state *st, const struct scrape_result *res,
			    struct serve_output *out)
{
	const struct stat_view view = { .netns = st->netns, .top = SERVE_API_TOP };
	struct json_object *o;

	if (res->census_err)
		return;
	o = stat_json(&res->census, &view);
	if (!o)
		return;
	json_object_object_add(o, "at", json_object_new_int64(time(NULL)));
	serve_sample(st, o, res, &out->sample);
	out->have_sample = true;
	out->census_json = json_text(o);
	json_object_put(o);
}

/*
 * Take a scrape and render it; returns 0 or -errno, the body in *ret_body,
 * and fills *out (also on failure) with what the page's API needs.
 */
static int serve_produce(struct serve_state *st, char **ret_body, size_t *ret_len,
			 struct serve_output *out)
{
	const struct prom_finding *findings;
	struct scrape_result res;
	struct prom_opts o = { .version = TW_VERSION, .top_destinations = st->top, .serve = true };
	struct nsscrape ns = { 0 };
	char *body = NULL;
	size_t len = 0, n;
	uint64_t start = now_ns();
	int ns_err = -ENOENT;
	FILE *f;
	int r;

	r = scrape_take(&st->filter, &res);
	/* every namespace, from this HTTP thread; nsscrape comes back to ours */
	if (st->all_netns) {
		ns_err = nsscrape_take(st->top_netns, &ns);
		if (ns_err < 0 && r == 0)
			r = ns_err;
	}
	if (r < 0) {
		pthread_mutex_lock(&st->lock);
		st->errors++;
		pthread_mutex_unlock(&st->lock);
	}
	o.scrape_duration_sec = (double)(now_ns() - start) / NSEC_PER_SEC;
	pthread_mutex_lock(&st->lock);
	o.scrape_errors = st->errors;
	pthread_mutex_unlock(&st->lock);
	f = open_memstream(&body, &len);
	if (!f) {
		scrape_result_done(&res);
		if (ns_err == 0)
			nsscrape_done(&ns);
		return -ENOMEM;
	}
	r = prom_render(f, &res, &o);
	if (r == 0 && ns_err == 0)
		r = prom_render_netns(f, &ns);
	if (ns_err == 0)
		nsscrape_done(&ns);
	n = serve_findings(&st->findings, res.census_err ? NULL : res.census.census, &findings);
	if (r == 0)
		r = prom_render_findings(f, findings, n);
	serve_page_data(st, &res, out);
	if (st->findings.json)
		out->findings_json = strdup(st->findings.json);
	scrape_result_done(&res);
	if (fclose(f) != 0 && r == 0)
		r = -ENOMEM;
	if (r < 0) {
		free(body);
		return r;
	}
	*ret_body = body;
	*ret_len = len;
	return 0;
}

static int copy_body(const struct serve_state *st, char **ret_body, size_t *ret_len)
{
	char *p;

	if (st->err < 0 || !st->body)
		return st->err < 0 ? st->err : -EIO;
	p = malloc(st->len ? st->len : 1);
	if (!p)
		return -ENOMEM;
	memcpy(p, st->body, st->len);
	*ret_body = p;
	*ret_len = st->len;
	return 0;
}

/*
 * One census at a time: the first request collects, requests arriving while
 * it runs wait for its result; with --min-interval a recent result is reused.
 * Returns with st->lock held, the newest result in st.
 */
static void serve_update(struct serve_state *st)
{
	struct serve_output out = { 0 };
	char *body = NULL;
	size_t len = 0;
	int r;

	pthread_mutex_lock(&st->lock);
	if (st->body && st->min_interval_ns && now_ns() - st->at_ns < st->min_interval_ns)
		return;
	if (st->in_flight) {
		uint64_t gen = st->generation;

		while (st->generation == gen)
			pthread_cond_wait(&st->done, &st->lock);
		return;
	}
	st->in_flight = true;
	pthread_mutex_unlock(&st->lock);

	r = serve_produce(st, &body, &len, &out);

	pthread_mutex_lock(&st->lock);
	free(st->body);
	st->body = r < 0 ? NULL : body;
	st->len = r < 0 ? 0 : len;
	st->err = r;
	free(st->census_json);
	st->census_json = out.census_json;
	if (out.findings_json) {
		free(st->findings_json);
		st->findings_json = out.findings_json;
	}
	if (out.have_sample)
		series_add(&st->ring, &out.sample);
	st->at_ns = now_ns();
	st->generation++;
	st->in_flight = false;
	pthread_cond_broadcast(&st->done);
}

static int serve_metrics(void *data, char **ret_body, size_t *ret_len)
{
	struct serve_state *st = data;
	int r;

	serve_update(st);
	r = copy_body(st, ret_body, ret_len);
	pthread_mutex_unlock(&st->lock);
	return r;
}

/* A JSON answer for the API: the text of o (which is consumed). */
static int api_json(struct json_object *o, unsigned int status, unsigned int *ret_status,
		    char **ret_body, size_t *ret_len)
{
	char *t = json_text(o);

	json_object_put(o);
	if (!t)
		return -ENOMEM;
	*ret_status = status;
	*ret_len = strlen(t);
	*ret_body = t;
	return 0;
}

static int api_error(unsigned int status, const char *msg, unsigned int *ret_status,
		     char **ret_body, size_t *ret_len)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "error", json_object_new_string(msg));
	return api_json(o, status, ret_status, ret_body, ret_len);
}

/* A copy of one of st's documents (under st->lock); text NULL: 503 with why. */
static int api_copy(const char *text, const char *why, unsigned int *ret_status,
		    char **ret_body, size_t *ret_len)
{
	char *p;

	if (!text)
		return api_error(503, why, ret_status, ret_body, ret_len);
	p = strdup(text);
	if (!p)
		return -ENOMEM;
	*ret_status = 200;
	*ret_len = strlen(p);
	*ret_body = p;
	return 0;
}

/* A query parameter in unix seconds; absent: def. -EINVAL when malformed. */
static int api_time_arg(const struct httpd_api_req *req, const char *key, int64_t def,
			int64_t *ret)
{
	const char *v = httpd_api_arg(req, key);
	uint64_t u;

	if (!v || !*v) {
		*ret = def;
		return 0;
	}
	if (safe_atou64(v, &u) < 0 || u > (uint64_t)INT64_MAX / 2)
		return -EINVAL;
	*ret = (int64_t)u;
	return 0;
}

/*
 * /api/history: the recorder's database through history_query_json().
 */
static int api_history(struct serve_state *st, const struct httpd_api_req *req,
		       unsigned int *ret_status, char **ret_body, size_t *ret_len)
{
	int64_t now = time(NULL), since, until;

	if (api_time_arg(req, "until", now, &until) < 0 ||
	    api_time_arg(req, "since", until - SERVE_HISTORY_DEFAULT_SEC, &since) < 0 || since > until)
		return api_error(400, "since and until are unix seconds, since <= until", ret_status,
				 ret_body, ret_len);
	if (st->history) {
		struct json_object *o = NULL;
		int r = history_query_json(st->history, since, until, &o);

		if (r < 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "history: %s", strerror(-r));
			return api_error(500, msg, ret_status, ret_body, ret_len);
		}
		return api_json(o, 200, ret_status, ret_body, ret_len);
	}
	return api_error(404, "no history: serve runs without --history", ret_status, ret_body,
			 ret_len);
}

/* /api/info: what the page needs to know about this server before asking more. */
static int api_info(const struct serve_state *st, unsigned int *ret_status, char **ret_body,
		    size_t *ret_len)
{
	struct json_object *o = json_object_new_object();
	bool history = st->history != NULL;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "version", json_object_new_string(TW_VERSION));
	json_object_object_add(o, "host", out_json_string(st->host, strlen(st->host)));
	json_object_object_add(o, "netns", out_json_string(st->netns, strlen(st->netns)));
	json_object_object_add(o, "findings", json_object_new_boolean(st->findings.interval_ns != 0));
	json_object_object_add(o, "findings_interval_sec",
			       out_json_double((double)st->findings.interval_ns / NSEC_PER_SEC, 3));
	json_object_object_add(o, "sample_interval_sec", json_object_new_int64(st->sample_sec));
	json_object_object_add(o, "series_samples", json_object_new_uint64(st->ring.cap));
	json_object_object_add(o, "history", json_object_new_boolean(history));
	return api_json(o, 200, ret_status, ret_body, ret_len);
}

/* Everything under /api/ (docs/serve.md). */
static int serve_api(void *data, const struct httpd_api_req *req, unsigned int *ret_status,
		     char **ret_body, size_t *ret_len)
{
	struct serve_state *st = data;
	struct json_object *o;
	int64_t since;
	int r;

	if (strcmp(req->path, "census") == 0) {
		serve_update(st);
		r = api_copy(st->census_json, "census failed", ret_status, ret_body, ret_len);
		pthread_mutex_unlock(&st->lock);
		return r;
	}
	if (strcmp(req->path, "findings") == 0) {
		if (!st->findings.interval_ns)
			return api_error(404, "findings are off (--findings-interval 0)", ret_status,
					 ret_body, ret_len);
		pthread_mutex_lock(&st->lock);
		if (!st->findings_json) {
			/* nothing evaluated yet (no timer): take the first scrape now */
			pthread_mutex_unlock(&st->lock);
			serve_update(st);
		}
		r = api_copy(st->findings_json, "findings not evaluated yet", ret_status, ret_body,
			     ret_len);
		pthread_mutex_unlock(&st->lock);
		return r;
	}
	if (strcmp(req->path, "series") == 0) {
		if (api_time_arg(req, "since", 0, &since) < 0)
			return api_error(400, "since is unix seconds", ret_status, ret_body, ret_len);
		pthread_mutex_lock(&st->lock);
		o = series_json(&st->ring, since, time(NULL), st->sample_sec, st->host, st->netns);
		pthread_mutex_unlock(&st->lock);
		if (!o)
			return -ENOMEM;
		return api_json(o, 200, ret_status, ret_body, ret_len);
	}
	if (strcmp(req->path, "history") == 0)
		return api_history(st, req, ret_status, ret_body, ret_len);
	if (strcmp(req->path, "info") == 0)
		return api_info(st, ret_status, ret_body, ret_len);
	return api_error(404, "not found", ret_status, ret_body, ret_len);
}

/* The timer behind /api/series: a scrape every sample_sec, the first at once. */
static void *sampler_main(void *arg)
{
	struct serve_state *st = arg;
	struct timespec ts;

	for (;;) {
		serve_update(st);	/* returns locked */
		if (st->stopping)
			break;
		(void) clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += st->sample_sec;
		while (!st->stopping &&
		       pthread_cond_timedwait(&st->wake, &st->lock, &ts) != ETIMEDOUT)
			;
		if (st->stopping)
			break;
		pthread_mutex_unlock(&st->lock);
	}
	pthread_mutex_unlock(&st->lock);
	return NULL;
}

static int sampler_start(struct serve_state *st)
{
	pthread_condattr_t ca;
	int r;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (!st->sample_sec)
		return 0;
	r = -pthread_create(&st->sampler, NULL, sampler_main, st);
	if (r < 0)
		pthread_cond_destroy(&st->wake);
	st->have_sampler = r == 0;
	return r;
}

static void sampler_stop(struct serve_state *st)
{
	pthread_mutex_lock(&st->lock);
	st->stopping = true;
	pthread_cond_broadcast(&st->wake);
	pthread_mutex_unlock(&st->lock);
	if (st->have_sampler)
		(void) pthread_join(st->sampler, NULL);
	st->have_sampler = false;
	pthread_cond_destroy(&st->wake);
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
