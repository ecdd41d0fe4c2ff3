// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * top model: samples the O(1) figures every interval and the census only
 * when its measured cost fits TOP_BUDGET_PCT of wall time, then turns the
 * census (collect.c), outlook (outlook.c) and culprit lookup
 * (doctor/culprit.c) into rows. Reuses those engines; counts nothing itself.
 * No printing.
 */
#include "top/model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "collect.h"
#include "netns/nsenum.h"
#include "netns/nsstat.h"
#include "util.h"

static const char *const rate_names[4][4] = {
	{ "TcpExt.TW" },
	{ "Tcp.ActiveOpens" },
	{ "TcpExt.TCPTimeWaitOverflow" },
	{ "TcpExt.PAWSEstab", "TcpExt.PAWSActive", "TcpExt.PAWSTimewait", "TcpExt.PAWSPassive" },
};

void top_model_init(struct top_model *m, const struct top_conf *conf)
{
	*m = (struct top_model){ .conf = *conf };
	if (!m->conf.budget_pct)
		m->conf.budget_pct = TOP_BUDGET_PCT;
}

void top_model_done(struct top_model *m)
{
	free(m->rows);
	m->rows = NULL;
	m->n_rows = 0;
}

static void sample_counters(struct top_model *m, uint64_t now)
{
	struct tw_counters *c = NULL;
	uint64_t cur[4] = { 0 };
	bool has[4] = { false };
	double dt, *out[4] = { &m->rates.tw, &m->rates.active_opens, &m->rates.tw_overflow,
			       &m->rates.paws };

	m->counters_err = ksettings_counters(&c);
	if (m->counters_err < 0) {
		m->rates.valid = false;
		m->have_prev = false;
		return;
	}
	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4 && rate_names[i][j]; j++) {
			uint64_t v;

			if (tw_counters_get(c, rate_names[i][j], &v)) {
				cur[i] += v;
				has[i] = true;
			}
		}
	}
	tw_counters_free(c);
	dt = (double)(now - m->prev_ns) / 1e9;
	m->rates.valid = m->have_prev && dt > 0;
	for (size_t i = 0; i < 4; i++) {
		/* A counter that went down (reset, wrap) counts as no events. */
		if (m->rates.valid && has[i] && m->prev_has[i] && cur[i] >= m->prev[i])
			*out[i] = (double)(cur[i] - m->prev[i]) / dt;
		else
			*out[i] = 0;
		m->prev[i] = cur[i];
		m->prev_has[i] = has[i];
	}
	m->prev_ns = now;
	m->have_prev = true;
}

static void fill_outlook(struct top_row *row, const struct census_closes *h, uint64_t held,
			 uint64_t time_wait, uint32_t usable)
{
	struct tw_outlook ol;

	outlook_compute(h, held, time_wait, usable, &ol);
	row->rate_per_sec = ol.rate_per_sec;
	row->trend = ol.trend;
	row->proj_pct = usable ? ol.projected_util_pct : -1;
	row->exhaust_sec = usable ? ol.exhaust_in_sec : -1;
}

static void dest_row(struct top_row *row, const struct census_dest *d, uint32_t usable)
{
	*row = (struct top_row){ .kind = TOP_ROW_DEST, .held = d->held, .usable = usable,
				 .use_pct = usable ? d->util_pct : -1, .time_wait = d->time_wait };
	addr_format_endpoint(&d->remote, d->remote_port, row->name, sizeof(row->name));
	addr_format(&d->local, row->src, sizeof(row->src));
	fill_outlook(row, &d->closes, d->held, d->time_wait, usable);
}

static void port_row(struct top_row *row, const struct census_server_port *s)
{
	*row = (struct top_row){ .kind = TOP_ROW_PORT, .held = s->total, .use_pct = -1,
				 .time_wait = s->states[TW_TIME_WAIT] };
	snprintf(row->name, sizeof(row->name), ":%u", s->port);
	fill_outlook(row, &s->closes, s->total, s->states[TW_TIME_WAIT], 0);
}

/* The processes behind the worst destinations and the busiest server ports. */
static int find_culprits(struct top_model *m, struct top_row *rows, size_t n_dest, size_t n_port,
			 const struct census *c)
{
	struct culprit_dest cd[CULPRIT_MAX_DESTS];
	struct culprit_listener cl[TOP_CULPRIT_PORTS];
	size_t row_of[CULPRIT_MAX_DESTS];
	size_t nd = 0, np = n_port < TOP_CULPRIT_PORTS ? n_port : TOP_CULPRIT_PORTS;
	bool partial = false, p2 = false;
	int r;

	/*
	 * Only live sockets name a process (TIME_WAIT has no owner), and the
	 * dump walks the whole established hash: skip it when the worst
	 * destinations hold nothing but TIME_WAIT.
	 */
	for (size_t i = 0; i < n_dest && nd < CULPRIT_MAX_DESTS; i++) {
		if (c->dests[i].held == c->dests[i].time_wait)
			continue;
		row_of[nd] = i;
		cd[nd++] = (struct culprit_dest){ .local = c->dests[i].local, .remote = c->dests[i].remote,
						  .remote_port = c->dests[i].remote_port };
	}
	r = nd ? culprit_scan(cd, nd, &partial) : 0;
	if (r == -ENOMEM)
		return r;
	for (size_t i = 0; r == 0 && i < nd; i++) {
		struct top_row *row = &rows[row_of[i]];

		if (!cd[i].n_owners)
			continue;
		row->culprit_pid = cd[i].owners[0].pid;
		memcpy(row->culprit_comm, cd[i].owners[0].comm, CULPRIT_COMM_LEN);
		row->culprit_comm[CULPRIT_COMM_LEN - 1] = 0;
	}
	for (size_t i = 0; i < np; i++)
		cl[i] = (struct culprit_listener){ .port = c->servers[i].port };
	r = np ? culprit_listeners(cl, np, &p2) : 0;
	if (r == -ENOMEM)
		return r;
	for (size_t i = 0; r == 0 && i < np; i++) {
		struct top_row *row = &rows[n_dest + i];

		if (!cl[i].pid)
			continue;
		row->culprit_pid = cl[i].pid;
		memcpy(row->culprit_comm, cl[i].comm, CULPRIT_COMM_LEN);
		row->culprit_comm[CULPRIT_COMM_LEN - 1] = 0;
	}
	m->culprits_partial = partial || p2;
	return 0;
}

static int census_here(struct top_model *m)
{
	struct collect_result res;
	struct top_row *rows;
	const struct census *c;
	size_t nd, np;
	int r;

	r = collect_census(&m->conf.filter, NULL, &res);
	if (r < 0)
		return r;
	c = res.census;
	nd = c->n_dests < TOP_ROWS_MAX ? c->n_dests : TOP_ROWS_MAX;
	np = c->n_servers < TOP_ROWS_MAX ? c->n_servers : TOP_ROWS_MAX;
	rows = calloc(nd + np + 1, sizeof(*rows));
	if (!rows) {
		collect_result_done(&res);
		return -ENOMEM;
	}
	for (size_t i = 0; i < nd; i++)
		dest_row(&rows[i], &c->dests[i], c->usable);
	for (size_t i = 0; i < np; i++)
		port_row(&rows[nd + i], &c->servers[i]);
	r = find_culprits(m, rows, nd, np, c);
	if (r < 0) {
		free(rows);
		collect_result_done(&res);
		return r;
	}
	memcpy(m->tw_side, c->tw_side, sizeof(m->tw_side));
	m->time_wait = census_total(c, TW_TIME_WAIT);
	m->established = census_total(c, TW_ESTABLISHED);
	m->close_wait = census_total(c, TW_CLOSE_WAIT);
	m->fw2_orphan = c->fw2_orphan;
	m->usable = c->usable;
	free(m->rows);
	m->rows = rows;
	m->n_rows = nd + np;
	collect_result_done(&res);
	return 0;
}

static void netns_row(struct top_row *row, const struct nsstat *s, const struct nsstat_row *r)
{
	const struct census_dest *w = r->worst;
	uint32_t usable = w ? r->res.census->usable : 0;

	*row = (struct top_row){ .kind = TOP_ROW_NETNS, .held = w ? w->held : r->sockets, .usable = usable,
				 .use_pct = w ? r->worst_pct : -1, .time_wait = r->time_wait,
				 .proj_pct = -1, .exhaust_sec = -1,
				 .trend = r->time_wait ? TW_TREND_STEADY : TW_TREND_IDLE };
	nsenum_label(&s->list.v[r->entry], row->name, sizeof(row->name));
	if (w) {
		addr_format_endpoint(&w->remote, w->remote_port, row->src, sizeof(row->src));
		fill_outlook(row, &w->closes, w->held, w->time_wait, usable);
	}
}

static int census_all(struct top_model *m)
{
	const struct nsstat_conf conf = { .filter = m->conf.filter, .walk_max = m->conf.walk_max };
	struct top_row *rows;
	struct nsstat s;
	size_t n;
	int r;

	r = nsstat_collect(&conf, &s);
	if (r < 0)
		return r;
	n = s.n_rows < TOP_ROWS_MAX ? s.n_rows : TOP_ROWS_MAX;
	rows = calloc(n + 1, sizeof(*rows));
	if (!rows) {
		nsstat_done(&s);
		return -ENOMEM;
	}
	memset(m->tw_side, 0, sizeof(m->tw_side));
	m->time_wait = m->established = m->close_wait = m->fw2_orphan = 0;
	for (size_t i = 0; i < s.n_rows; i++) {
		const struct nsstat_row *nr = &s.rows[i];

		if (i < n)
			netns_row(&rows[i], &s, nr);
		m->time_wait += nr->time_wait;
		if (!nr->walked)
			continue;
		for (size_t k = 0; k < TW_SIDE_MAX; k++)
			m->tw_side[k] += nr->res.census->tw_side[k];
		m->established += census_total(nr->res.census, TW_ESTABLISHED);
		m->close_wait += census_total(nr->res.census, TW_CLOSE_WAIT);
		m->fw2_orphan += nr->res.census->fw2_orphan;
	}
	m->n_netns = s.n_rows;
	m->n_netns_skipped = s.n_skipped;
	m->usable = 0;
	m->culprits_partial = false;
	free(m->rows);
	m->rows = rows;
	m->n_rows = n;
	nsstat_done(&s);
	return 0;
}

static uint64_t census_gap_ns(const struct top_model *m)
{
	uint64_t by_cost = m->census_cost_ns * 100 / m->conf.budget_pct;

	return by_cost > m->conf.interval_ns ? by_cost : m->conf.interval_ns;
}

int top_model_sample(struct top_model *m, uint64_t now)
{
	uint64_t start, end;
	int r;

	m->samples++;
	m->sampled_ns = now;
	m->sockstat_err = ksettings_sockstat(&m->sockstat);
	sample_counters(m, now);
	if (m->have_census && now < m->next_census_ns)
		return 0;
	start = now_ns();
	r = m->conf.all_netns ? census_all(m) : census_here(m);
	end = now_ns();
	m->census_cost_ns = end - start;
	/* The gap is counted from the start, so the census takes at most budget_pct of wall time. */
	m->next_census_ns = now + census_gap_ns(m);
	/* -A: nsstat fails only on OOM or when it cannot come back to our namespace. */
	if (r == -ENOMEM || (m->conf.all_netns && r < 0))
		return r;
	m->census_err = r < 0 ? r : 0;
	if (r < 0)
		return 0;
	m->have_census = true;
	m->census_at_ns = now;
	return 1;
}

uint64_t top_model_census_age_ns(const struct top_model *m)
{
	return m->have_census && m->sampled_ns > m->census_at_ns ? m->sampled_ns - m->census_at_ns : 0;
}

uint64_t top_model_census_every_ns(const struct top_model *m)
{
	return census_gap_ns(m);
}

bool top_model_census_stale(const struct top_model *m)
{
	return m->have_census && m->census_at_ns != m->sampled_ns;
}

static int cmp_name(const struct top_row *a, const struct top_row *b)
{
	int r = strcmp(a->name, b->name);

	if (r)
		return r;
	r = strcmp(a->src, b->src);
	if (r)
		return r;
	return (int)a->kind - (int)b->kind;
}

static int cmp_double(double a, double b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a > b ? -1 : a < b ? 1 : 0;
}

#define DEFINE_CMP(key, expr)                                              \
	static int cmp_key_##key(const void *pa, const void *pb)               \
	{                                                                  \
		const struct top_row *a = pa, *b = pb;                     \
		int r = (expr);                                            \
		return r ? r : cmp_name(a, b);                             \
	}

DEFINE_CMP(use, cmp_double(a->use_pct, b->use_pct) ?: cmp_u64(a->time_wait, b->time_wait))
DEFINE_CMP(rate, cmp_double(a->rate_per_sec, b->rate_per_sec) ?: cmp_u64(a->time_wait, b->time_wait))
DEFINE_CMP(tw, cmp_u64(a->time_wait, b->time_wait) ?: cmp_u64(a->held, b->held))
DEFINE_CMP(name, 0)

void top_rows_sort(struct top_row *rows, size_t n, enum top_sort key)
{
	static int (*const fn[])(const void *, const void *) = {
		[TOP_SORT_USE] = cmp_key_use, [TOP_SORT_RATE] = cmp_key_rate,
		[TOP_SORT_TW] = cmp_key_tw, [TOP_SORT_NAME] = cmp_key_name,
	};

	if (n > 1 && (unsigned int)key < sizeof(fn) / sizeof(fn[0]))
		qsort(rows, n, sizeof(*rows), fn[key]);
}

bool top_row_match(const struct top_row *r, const char *filter)
{
	if (!filter || !*filter)
		return true;
	return strstr(r->name, filter) || strstr(r->src, filter) ||
	       (r->culprit_pid && strstr(r->culprit_comm, filter));
}

const char *top_sort_name(enum top_sort key)
{
	switch (key) {
	case TOP_SORT_USE:
		return "use";
	case TOP_SORT_RATE:
		return "rate";
	case TOP_SORT_TW:
		return "time_wait";
	case TOP_SORT_NAME:
		return "name";
	}
	return "?";
}

const char *top_kind_name(enum top_kind kind)
{
	switch (kind) {
	case TOP_ROW_DEST:
		return "dest";
	case TOP_ROW_PORT:
		return "port";
	case TOP_ROW_NETNS:
		return "netns";
	}
	return "?";
}
