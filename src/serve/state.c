// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * serve state: the scrapes of twscope serve. One census at a time renders
 * /metrics and the landing page's census, re-evaluates doctor's findings
 * at most once per interval and feeds the series ring; the sampler thread
 * takes one every sample interval. No printing here.
 */
#include "serve/state.h"

#include <errno.h>
#include <math.h>
#include <time.h>

#include "output.h"
#include "output-doctor.h"
#include "output-stat.h"
#include "serve/nsscrape.h"
#include "serve/scrape.h"
#include "util.h"

#define SERVE_API_TOP 10		/* destinations in /api/census */

/* What one scrape produces besides the /metrics body. */
struct serve_output {
	char *census_json;
	char *findings_json;
	bool have_sample;
	struct series_sample sample;
};

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
void serve_update(struct serve_state *st)
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

int serve_metrics(void *data, char **ret_body, size_t *ret_len)
{
	struct serve_state *st = data;
	int r;

	serve_update(st);
	r = copy_body(st, ret_body, ret_len);
	pthread_mutex_unlock(&st->lock);
	return r;
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

int sampler_start(struct serve_state *st)
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

void sampler_stop(struct serve_state *st)
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
