// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * top batch renderers: plain lines and NDJSON for `twscope top -b/--json`,
 * and the cell formatters the ncurses view shares. Renders the model only;
 * never collects.
 */
#include "top/batch.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "safetext.h"
#include "util.h"

#define STALE_NOTE " (from an earlier interval: the census runs as often as its cost allows)"

const char *top_fmt_duration(double s, char *buf, size_t len)
{
	uint64_t t;

	if (s < 0 || !isfinite(s)) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (s < 9.95) {
		snprintf(buf, len, "%.1fs", s);
		return buf;
	}
	t = (uint64_t)(s + 0.5);
	if (t < 60)
		snprintf(buf, len, "%" PRIu64 "s", t);
	else if (t < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", t / 60, t % 60);
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", t / 3600, t / 60 % 60);
	return buf;
}

const char *top_fmt_pct(double pct, char *buf, size_t len)
{
	if (pct < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", pct);
	return buf;
}

const char *top_trend_arrow(enum tw_trend t, bool utf8)
{
	switch (t) {
	case TW_TREND_GROWING:
		return utf8 ? "\u2191" : "^";
	case TW_TREND_STEADY:
		return utf8 ? "\u2192" : "=";
	case TW_TREND_DRAINING:
		return utf8 ? "\u2193" : "v";
	case TW_TREND_IDLE:
		break;
	}
	return utf8 ? "\u00b7" : ".";
}

const char *top_culprit_text(const struct top_row *r, unsigned int flags, char *buf, size_t len)
{
	char comm[CULPRIT_COMM_LEN * 4 + 1];

	if (!r->culprit_pid) {
		snprintf(buf, len, "-");
		return buf;
	}
	(void) safetext_term(comm, sizeof(comm), r->culprit_comm, CULPRIT_COMM_LEN, flags);
	snprintf(buf, len, "%s[%d]", comm, r->culprit_pid);
	return buf;
}

long top_visible_rows(const struct top_model *m, const struct top_view_conf *v, struct top_row **ret)
{
	struct top_row *rows = malloc((m->n_rows + 1) * sizeof(*rows));
	size_t n = 0;

	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_rows; i++)
		if (top_row_match(&m->rows[i], v->filter))
			rows[n++] = m->rows[i];
	top_rows_sort(rows, n, v->sort);
	if (v->max_rows && n > v->max_rows)
		n = v->max_rows;
	*ret = rows;
	return (long)n;
}

static void print_header(FILE *f, const struct top_model *m, const struct top_view_conf *v)
{
	const struct tw_sockstat *ss = &m->sockstat;
	const struct top_rates *rt = &m->rates;
	char when[32] = "", age[32], every[32];
	struct tm tm;

	if (localtime_r(&v->wall, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	fprintf(f, "twscope top - %s  interval %.1fs  sort %s", when, (double)m->conf.interval_ns / 1e9,
		top_sort_name(v->sort));
	if (m->have_census)
		fprintf(f, "  census %.1f ms, every %s, %s old%s", (double)m->census_cost_ns / 1e6,
			top_fmt_duration((double)top_model_census_every_ns(m) / 1e9, every, sizeof(every)),
			top_fmt_duration((double)top_model_census_age_ns(m) / 1e9, age, sizeof(age)),
			top_model_census_stale(m) ? STALE_NOTE : "");
	fputc('\n', f);
	if (m->culprits_partial)
		fprintf(f, "culprits: some processes could not be inspected (run as root to see them all)\n");
	if (m->census_err)
		fprintf(f, "census failed: %s%s\n", strerror(-m->census_err),
			m->have_census ? ", showing the last one" : "");
	if (m->conf.all_netns)
		fprintf(f, "namespaces %zu (%zu could not be entered)\n", m->n_netns, m->n_netns_skipped);
	fprintf(f, "TIME_WAIT %" PRIu64 " (client %" PRIu64 ", server %" PRIu64 ", unknown %" PRIu64
		   ")  ESTABLISHED %" PRIu64 "  CLOSE_WAIT %" PRIu64 "  FIN_WAIT2 orphans %" PRIu64 "\n",
		m->time_wait, m->tw_side[TW_SIDE_CLIENT], m->tw_side[TW_SIDE_SERVER],
		m->tw_side[TW_SIDE_UNKNOWN],
		m->established, m->close_wait, m->fw2_orphan);
	if (m->sockstat_err)
		fprintf(f, "sockstat: unreadable (%s)\n", strerror(-m->sockstat_err));
	else
		fprintf(f, "sockstat: inuse %" PRIu64 "  tw %" PRIu64 "  orphans %" PRIu64 "  alloc %" PRIu64
			   "  mem %" PRIu64 " pages\n", ss->tcp_inuse, ss->tcp_tw, ss->tcp_orphan, ss->tcp_alloc,
			ss->tcp_mem_pages);
	if (rt->valid)
		fprintf(f, "rates/s: TW %.1f  ActiveOpens %.1f  TCPTimeWaitOverflow %.1f  PAWS %.1f\n", rt->tw,
			rt->active_opens, rt->tw_overflow, rt->paws);
	else
		fprintf(f, "rates/s: TW -  ActiveOpens -  TCPTimeWaitOverflow -  PAWS - "
			   "(after the first interval)\n");
}

int top_batch_print(FILE *f, const struct top_model *m, const struct top_view_conf *v)
{
	unsigned int flags = out_text_flags(&v->style);
	_cleanup_free_ struct top_row *rows = NULL;
	char use[16], proj[16], ex[16], who[CULPRIT_COMM_LEN * 4 + 16];
	int wn = 4, ws = 6;
	long n;

	n = top_visible_rows(m, v, &rows);
	if (n < 0)
		return (int)n;
	print_header(f, m, v);
	for (long i = 0; i < n; i++) {
		int a = (int)safetext_term(NULL, 0, rows[i].name, SIZE_MAX, flags);
		int b = (int)safetext_term(NULL, 0, rows[i].src, SIZE_MAX, flags);

		wn = a > wn ? a : wn;
		ws = b > ws ? b : ws;
	}
	fprintf(f, "%-5s %-*s %-*s %8s %6s %6s %8s %8s %6s %8s %-8s %s\n", "KIND", wn, "NAME", ws, "SOURCE",
		"HELD", "USABLE", "USE%", "TW", "CLOSE/S", "PROJ%", "EXHAUST", "TREND", "CULPRIT");
	for (long i = 0; i < n; i++) {
		const struct top_row *r = &rows[i];
		char name[TOP_NAME_MAX * 4], src[TOP_NAME_MAX * 4], usable[16];

		(void) safetext_term(name, sizeof(name), r->name, SIZE_MAX, flags);
		(void) safetext_term(src, sizeof(src), r->src, SIZE_MAX, flags);
		if (r->usable)
			snprintf(usable, sizeof(usable), "%u", r->usable);
		else
			snprintf(usable, sizeof(usable), "-");
		fprintf(f, "%-5s %-*s %-*s %8" PRIu64 " %6s %6s %8" PRIu64 " %8.1f %6s %8s %-8s %s\n",
			top_kind_name(r->kind), wn, name, ws, *src ? src : "-", r->held, usable,
			top_fmt_pct(r->use_pct, use, sizeof(use)), r->time_wait, r->rate_per_sec,
			top_fmt_pct(r->proj_pct, proj, sizeof(proj)),
			top_fmt_duration(r->exhaust_sec, ex, sizeof(ex)), outlook_trend_name(r->trend),
			top_culprit_text(r, flags, who, sizeof(who)));
	}
	if (!n)
		fprintf(f, "(no rows%s)\n", m->have_census ? "" : ": no census yet");
	fputc('\n', f);
	return 0;
}

static struct json_object *pct_json(double v)
{
	return v < 0 ? NULL : out_json_double(v, 2);
}

static struct json_object *row_json(const struct top_row *r)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "kind", json_object_new_string(top_kind_name(r->kind)));
	json_object_object_add(o, "name", out_json_string(r->name, sizeof(r->name)));
	json_object_object_add(o, r->kind == TOP_ROW_NETNS ? "worst_destination" : "local",
			       *r->src ? out_json_string(r->src, sizeof(r->src)) : NULL);
	out_json_add_u64(o, "held", r->held);
	json_object_object_add(o, "usable", r->usable ? json_object_new_int64(r->usable) : NULL);
	json_object_object_add(o, "use_pct", pct_json(r->use_pct));
	out_json_add_u64(o, "time_wait", r->time_wait);
	json_object_object_add(o, "close_rate_per_sec", out_json_double(r->rate_per_sec, 2));
	json_object_object_add(o, "projected_use_pct", pct_json(r->proj_pct));
	json_object_object_add(o, "exhaust_in_sec",
			       r->exhaust_sec < 0 ? NULL : out_json_double(r->exhaust_sec, 1));
	json_object_object_add(o, "trend", json_object_new_string(outlook_trend_name(r->trend)));
	if (r->culprit_pid) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "pid", json_object_new_int(r->culprit_pid));
		json_object_object_add(c, "comm", out_json_string(r->culprit_comm, CULPRIT_COMM_LEN));
		json_object_object_add(o, "culprit", c);
	} else {
		json_object_object_add(o, "culprit", NULL);
	}
	return o;
}

static struct json_object *totals_json(const struct top_model *m)
{
	struct json_object *o = json_object_new_object();

	out_json_add_u64(o, "time_wait", m->time_wait);
	out_json_add_u64(o, "time_wait_client", m->tw_side[TW_SIDE_CLIENT]);
	out_json_add_u64(o, "time_wait_server", m->tw_side[TW_SIDE_SERVER]);
	out_json_add_u64(o, "time_wait_unknown", m->tw_side[TW_SIDE_UNKNOWN]);
	out_json_add_u64(o, "established", m->established);
	out_json_add_u64(o, "close_wait", m->close_wait);
	out_json_add_u64(o, "fin_wait2_orphans", m->fw2_orphan);
	return o;
}

static struct json_object *sockstat_json(const struct top_model *m)
{
	struct json_object *o;

	if (m->sockstat_err)
		return NULL;
	o = json_object_new_object();
	out_json_add_u64(o, "tcp_inuse", m->sockstat.tcp_inuse);
	out_json_add_u64(o, "tcp_tw", m->sockstat.tcp_tw);
	out_json_add_u64(o, "tcp_orphan", m->sockstat.tcp_orphan);
	out_json_add_u64(o, "tcp_alloc", m->sockstat.tcp_alloc);
	out_json_add_u64(o, "tcp_mem_pages", m->sockstat.tcp_mem_pages);
	return o;
}

static struct json_object *rates_json(const struct top_model *m)
{
	struct json_object *o;

	if (!m->rates.valid)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "tw", out_json_double(m->rates.tw, 2));
	json_object_object_add(o, "active_opens", out_json_double(m->rates.active_opens, 2));
	json_object_object_add(o, "tw_overflow", out_json_double(m->rates.tw_overflow, 2));
	json_object_object_add(o, "paws", out_json_double(m->rates.paws, 2));
	return o;
}

static struct json_object *census_json(const struct top_model *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "taken", json_object_new_boolean(m->have_census));
	json_object_object_add(o, "age_sec", out_json_double((double)top_model_census_age_ns(m) / 1e9, 3));
	json_object_object_add(o, "cost_ms", out_json_double((double)m->census_cost_ns / 1e6, 3));
	json_object_object_add(o, "every_sec", out_json_double((double)top_model_census_every_ns(m) / 1e9, 3));
	json_object_object_add(o, "stale", json_object_new_boolean(top_model_census_stale(m)));
	json_object_object_add(o, "error",
			       m->census_err ? json_object_new_string(strerror(-m->census_err)) : NULL);
	json_object_object_add(o, "culprits_partial", json_object_new_boolean(m->culprits_partial));
	return o;
}

struct json_object *top_batch_json(const struct top_model *m, const struct top_view_conf *v)
{
	_cleanup_free_ struct top_row *rows = NULL;
	struct json_object *o, *a;
	long n;

	n = top_visible_rows(m, v, &rows);
	if (n < 0)
		return NULL;
	o = json_object_new_object();
	a = json_object_new_array();
	if (!o || !a) {
		json_object_put(o);
		json_object_put(a);
		return NULL;
	}
	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "command", json_object_new_string("top"));
	out_json_add_u64(o, "sample", m->samples);
	json_object_object_add(o, "time", json_object_new_int64((int64_t)v->wall));
	json_object_object_add(o, "interval_sec", out_json_double((double)m->conf.interval_ns / 1e9, 3));
	json_object_object_add(o, "sort", json_object_new_string(top_sort_name(v->sort)));
	json_object_object_add(o, "census", census_json(m));
	json_object_object_add(o, "totals", totals_json(m));
	json_object_object_add(o, "sockstat", sockstat_json(m));
	json_object_object_add(o, "rates_per_sec", rates_json(m));
	if (m->conf.all_netns) {
		out_json_add_u64(o, "namespaces", m->n_netns);
		out_json_add_u64(o, "namespaces_skipped", m->n_netns_skipped);
	} else {
		json_object_object_add(o, "usable", m->have_census ? json_object_new_int64(m->usable) : NULL);
	}
	out_json_add_u64(o, "rows_total", m->n_rows);
	for (long i = 0; i < n; i++)
		json_object_array_add(a, row_json(&rows[i]));
	json_object_object_add(o, "rows", a);
	return o;
}
