// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Renderers for twscope doctor: human report, JSON and Nagios. Input is an
 * advice_report plus the facts it was computed from; nothing is collected
 * or decided here.
 */
#include "output-doctor.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "doctor/advice.h"
#include "doctor/facts.h"
#include "output.h"
#include "safetext.h"
#include "tcpstate.h"
#include "util.h"

#define WRAP_COLS 100
#define SAFE_LEN SAFETEXT_TERM_SIZE(ADV_TEXT_LEN)

int doctor_exit_code(const struct advice_report *r)
{
	switch (r->overall) {
	case TW_SEV_CRITICAL:
		return 2;
	case TW_SEV_WARNING:
		return 1;
	case TW_SEV_UNKNOWN:
		return 3;
	default:
		return 0;
	}
}

const char *doctor_state_name(const struct advice_report *r)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

	return names[doctor_exit_code(r)];
}

static enum out_color sev_color(enum tw_sev s)
{
	switch (s) {
	case TW_SEV_CRITICAL:
		return OUT_RED;
	case TW_SEV_WARNING:
		return OUT_YELLOW;
	case TW_SEV_UNKNOWN:
		return OUT_MAGENTA;
	case TW_SEV_INFO:
		return OUT_BOLD;
	default:
		return OUT_GREEN;
	}
}

/* Word-wrap text at width, first line after prefix1, the rest after prefix2. */
static void wrap(FILE *f, const char *prefix1, const char *prefix2, const char *text, int width)
{
	const char *p = text;
	const char *prefix = prefix1;

	while (*p) {
		int avail = width - (int)strlen(prefix);
		size_t len = strlen(p), cut = len;

		if (avail < 30)
			avail = 30;
		if (len > (size_t)avail) {
			cut = (size_t)avail;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (cut == 0) {	/* one long word: do not break it */
				cut = strcspn(p, " ");
			}
		}
		fprintf(f, "%s%.*s\n", prefix, (int)cut, p);
		p += cut;
		while (*p == ' ')
			p++;
		prefix = prefix2;
	}
}

/*
 * Finding texts carry untrusted strings (comm, config paths and values,
 * bundle fields): they are made terminal-safe here, at render time, so a
 * loaded bundle is as safe as a live run.
 */
static void print_finding(FILE *f, const struct out_style *st, const struct advice_finding *x,
			  bool brief, int width)
{
	unsigned int fl = out_text_flags(st);
	char num[32], t[SAFE_LEN];

	fprintf(f, "%s%-8s%s %s%s%s\n", out_color(st, sev_color(x->sev)), advice_sev_name(x->sev),
		out_color(st, OUT_RESET), out_color(st, OUT_BOLD), x->id, out_color(st, OUT_RESET));
	wrap(f, "  ", "  ", out_safe(t, sizeof(t), x->title, fl), width);
	for (size_t i = 0; i < x->n_evidence && (!brief || i < 3); i++)
		wrap(f, "    - ", "      ", out_safe(t, sizeof(t), x->evidence[i], fl), width);
	if (!brief && x->why[0])
		wrap(f, "  why: ", "       ", out_safe(t, sizeof(t), x->why, fl), width);
	for (size_t i = 0; i < x->n_fix && (!brief || i < 1); i++) {
		snprintf(num, sizeof(num), "  fix %zu: ", i + 1);
		wrap(f, num, "         ", out_safe(t, sizeof(t), x->fix[i], fl), width);
	}
	if (!brief) {
		fprintf(f, "  %sref: %s%s\n", out_color(st, OUT_DIM), x->reference, out_color(st, OUT_RESET));
		/* the whole explanation, offline (src/explain.c) */
		fprintf(f, "  %smore: twscope explain %s%s\n", out_color(st, OUT_DIM), x->id,
			out_color(st, OUT_RESET));
	}
	fputc('\n', f);
}

void doctor_print_table(FILE *f, const struct out_style *st, const struct advice_report *r,
			const struct tw_facts *facts, const struct doctor_view *v)
{
	static const enum tw_sev order[] = { TW_SEV_CRITICAL, TW_SEV_WARNING, TW_SEV_UNKNOWN, TW_SEV_INFO };
	int width = st->cols > 0 && st->cols < WRAP_COLS ? st->cols : WRAP_COLS;
	const struct facts_census *c = &facts->census;
	int code = doctor_exit_code(r);
	static const enum tw_sev state_sev[] = { TW_SEV_OK, TW_SEV_WARNING, TW_SEV_CRITICAL, TW_SEV_UNKNOWN };

	fprintf(f, "%stwscope doctor%s  kernel ", out_color(st, OUT_BOLD),
		out_color(st, OUT_RESET));
	out_text(f, facts->kernel[0] ? facts->kernel : "?", out_text_flags(st));
	if (facts->netns[0]) {
		fprintf(f, "  netns ");
		out_text(f, facts->netns, out_text_flags(st));
	}
	if (v->from_bundle) {
		fprintf(f, "  (from bundle ");
		out_text(f, v->bundle, out_text_flags(st));
		fputc(')', f);
	}
	if (facts->interval_ns)
		fprintf(f, "  counters sampled over %.1f s", (double)facts->interval_ns / NSEC_PER_SEC);
	else
		fprintf(f, "  one counter sample (no rates)");
	fputc('\n', f);
	if (c->have) {
		fprintf(f, "TIME_WAIT %" PRIu64 " (client %" PRIu64 ", server %" PRIu64,
			c->states[TW_TIME_WAIT], c->tw_client, c->tw_server);
		/* Sides not told (no listener left, no range match): say so, the sum must add up. */
		if (c->tw_unknown)
			fprintf(f, ", unknown %" PRIu64, c->tw_unknown);
		fprintf(f, ")  ESTABLISHED %" PRIu64 "  CLOSE_WAIT %" PRIu64 "  FIN_WAIT2 %" PRIu64
			   "  usable ports %u\n",
			c->states[TW_ESTABLISHED], c->states[TW_CLOSE_WAIT], c->states[TW_FIN_WAIT2],
			c->usable);
	}
	fprintf(f, "Overall: %s%s%s  (%zu critical, %zu warning, %zu unknown, %zu info, %zu ok)\n\n",
		out_color(st, sev_color(state_sev[code])), doctor_state_name(r), out_color(st, OUT_RESET),
		r->counts[TW_SEV_CRITICAL], r->counts[TW_SEV_WARNING], r->counts[TW_SEV_UNKNOWN],
		r->counts[TW_SEV_INFO], r->counts[TW_SEV_OK]);
	for (size_t o = 0; o < ARRAY_SIZE(order); o++)
		for (size_t i = 0; i < ADV_RULE_MAX; i++)
			if (r->findings[i].sev == order[o])
				print_finding(f, st, &r->findings[i], order[o] == TW_SEV_INFO && v->top < 10,
					      width);
	if (r->counts[TW_SEV_OK]) {
		char ids[ADV_RULE_MAX * 32] = "";
		size_t len = 0;

		for (size_t i = 0; i < ADV_RULE_MAX; i++)
			if (r->findings[i].sev == TW_SEV_OK)
				len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%s", len ? ", " : "",
							r->findings[i].id);
		fprintf(f, "%s", out_color(st, OUT_GREEN));
		wrap(f, "ok       ", "         ", ids, width);
		fprintf(f, "%s", out_color(st, OUT_RESET));
	}
}

/*
 * A whole number as a JSON integer, anything else with 2 decimals. Casting a
 * double outside int64/uint64 is undefined, so the range is checked first.
 */
static struct json_object *num_json(double v)
{
	if (v >= -0x1p63 && v < 0x1p63 && v == (double)(int64_t)v)
		return json_object_new_int64((int64_t)v);
	if (v >= 0 && v < 0x1p64 && v == (double)(uint64_t)v)
		return json_object_new_uint64((uint64_t)v);
	if (fabs(v) >= 0x1p64)
		return isfinite(v) ? json_object_new_double(v) : NULL;
	return out_json_double(v, 2);
}

static struct json_object *finding_json(const struct advice_finding *x)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ev = json_object_new_array();
	struct json_object *data = json_object_new_object();
	struct json_object *fx = json_object_new_array();

	json_object_object_add(o, "id", json_object_new_string(x->id));
	json_object_object_add(o, "severity", json_object_new_string(advice_sev_name(x->sev)));
	json_object_object_add(o, "title", out_json_string(x->title, sizeof(x->title)));
	for (size_t i = 0; i < x->n_evidence; i++)
		json_object_array_add(ev, out_json_string(x->evidence[i], ADV_TEXT_LEN));
	json_object_object_add(o, "evidence", ev);
	for (size_t i = 0; i < x->n_kv; i++) {
		const struct advice_kv *k = &x->kv[i];

		if (!k->is_num)
			json_object_object_add(data, k->key,
					       out_json_string(k->str, sizeof(k->str)));
		else
			json_object_object_add(data, k->key, num_json(k->num));
	}
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "why", x->why[0] ? out_json_string(x->why, ADV_TEXT_LEN) : NULL);
	for (size_t i = 0; i < x->n_fix; i++)
		json_object_array_add(fx, out_json_string(x->fix[i], ADV_TEXT_LEN));
	json_object_object_add(o, "fix", fx);
	json_object_object_add(o, "reference", json_object_new_string(x->reference));
	return o;
}

struct json_object *doctor_json(const struct advice_report *r, const struct tw_facts *facts,
				const struct doctor_view *v)
{
	static const enum tw_sev order[] = { TW_SEV_CRITICAL, TW_SEV_WARNING, TW_SEV_UNKNOWN,
					     TW_SEV_INFO, TW_SEV_OK };
	struct json_object *o = json_object_new_object();
	struct json_object *sum, *arr;

	if (!o)
		return NULL;
	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "command", json_object_new_string("doctor"));
	json_object_object_add(o, "overall", json_object_new_string(advice_sev_name(r->overall)));
	json_object_object_add(o, "state", json_object_new_string(doctor_state_name(r)));
	json_object_object_add(o, "exit_code", json_object_new_int(doctor_exit_code(r)));
	json_object_object_add(o, "kernel", out_json_string(facts->kernel, sizeof(facts->kernel)));
	json_object_object_add(o, "netns", facts->netns[0] ?
			       out_json_string(facts->netns, sizeof(facts->netns)) : NULL);
	json_object_object_add(o, "source", json_object_new_string(v->from_bundle ? "bundle" : "live"));
	json_object_object_add(o, "interval_sec", out_json_double((double)facts->interval_ns / NSEC_PER_SEC, 3));
	sum = json_object_new_object();
	for (int s = TW_SEV_CRITICAL; s >= TW_SEV_OK; s--)
		json_object_object_add(sum, advice_sev_name((enum tw_sev)s),
				       json_object_new_uint64(r->counts[s]));
	json_object_object_add(o, "counts", sum);
	arr = json_object_new_array();
	for (size_t k = 0; k < ARRAY_SIZE(order); k++)
		for (size_t i = 0; i < ADV_RULE_MAX; i++)
			if (r->findings[i].sev == order[k])
				json_object_array_add(arr, finding_json(&r->findings[i]));
	json_object_object_add(o, "findings", arr);
	return o;
}

/*
 * Nagios reads the first line up to '|' as text and the rest as perfdata,
 * and later lines as long output: finding texts are printable ASCII here,
 * without '|' or newlines, whatever a comm or a bundle put in them.
 */
void doctor_print_nagios(FILE *f, const struct advice_report *r, const struct tw_facts *facts)
{
	const unsigned int fl = SAFETEXT_NAGIOS;
	static const enum tw_sev order[] = { TW_SEV_CRITICAL, TW_SEV_WARNING, TW_SEV_UNKNOWN };
	const struct facts_census *c = &facts->census;
	const struct advice_finding *worst = NULL;
	size_t problems = r->counts[TW_SEV_CRITICAL] + r->counts[TW_SEV_WARNING] + r->counts[TW_SEV_UNKNOWN];

	for (size_t k = 0; k < ARRAY_SIZE(order) && !worst; k++)
		for (size_t i = 0; i < ADV_RULE_MAX && !worst; i++)
			if (r->findings[i].sev == order[k])
				worst = &r->findings[i];
	fprintf(f, "TWSCOPE %s - ", doctor_state_name(r));
	if (worst) {
		fprintf(f, "%s: ", worst->id);
		out_text(f, worst->title, fl);
		if (problems > 1)
			fprintf(f, " (+%zu more)", problems - 1);
	} else {
		fprintf(f, "no TIME_WAIT problems (%zu rules ok, %zu info)", r->counts[TW_SEV_OK],
			r->counts[TW_SEV_INFO]);
	}
	fprintf(f, " |");
	if (c->have) {
		double util = 0;

		for (size_t i = 0; i < c->n_dests; i++)
			if (c->dests[i].util_pct > util)
				util = c->dests[i].util_pct;
		fprintf(f, " time_wait=%" PRIu64 ";;;0 established=%" PRIu64 ";;;0 close_wait=%" PRIu64
			   ";;;0 fin_wait2=%" PRIu64 ";;;0 worst_port_util=%.1f%%;%.0f;%.0f;0;100",
			c->states[TW_TIME_WAIT], c->states[TW_ESTABLISHED], c->states[TW_CLOSE_WAIT],
			c->states[TW_FIN_WAIT2], util, ADV_PORT_WARN_PCT, ADV_PORT_CRIT_PCT);
	}
	if (facts->have_sockstat)
		fprintf(f, " sockstat_tw=%" PRIu64 ";;;0", facts->sockstat.tcp_tw);
	if (facts->have_counters && facts->interval_ns && facts->counter[FC_TW_OVERFLOW].have_delta)
		fprintf(f, " tw_overflow_rate=%.2f;;;0",
			facts->counter[FC_TW_OVERFLOW].delta / ((double)facts->interval_ns / NSEC_PER_SEC));
	if (facts->have_counters && facts->counter[FC_TW_OVERFLOW].have)
		fprintf(f, " tw_overflow=%" PRIu64 "c;;;0", facts->counter[FC_TW_OVERFLOW].value);
	fputc('\n', f);
	for (size_t k = 0; k < ARRAY_SIZE(order); k++)
		for (size_t i = 0; i < ADV_RULE_MAX; i++)
			if (r->findings[i].sev == order[k]) {
				fprintf(f, "%s %s: ", advice_sev_name(r->findings[i].sev),
					r->findings[i].id);
				out_text(f, r->findings[i].title, fl);
				fputc('\n', f);
			}
}
