// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The three graph views as panels of lines, and the downsampling of each
 * line to the plot's pixel columns. Pure: no drawing, no I/O.
 */
#include "graph/panel.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define C_TW 0xe6550d
#define C_ESTAB 0x3182bd
#define C_CW 0x756bb1
#define C_RATIO 0x31a354
#define C_DROP 0xd62728
#define C_PAWS 0x8c564b
#define C_GREY 0x636363
#define C_CT 0x17becf

static const uint32_t palette[] = { 0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2,
				    0x7f7f7f };

static struct panel *panel_add(struct panel_set *ps, const char *title, const char *unit, double weight,
			       double fixed_hi)
{
	struct panel *p = &ps->p[ps->n++];

	memset(p, 0, sizeof(*p));
	snprintf(p->title, sizeof(p->title), "%s", title);
	snprintf(p->unit, sizeof(p->unit), "%s", unit);
	p->weight = weight;
	p->fixed_hi = fixed_hi;
	return p;
}

static void line_add(struct panel *p, const char *name, const char *label, uint32_t rgb,
		     const struct graph_point *pt, size_t n)
{
	struct panel_line *l;

	if (!n || p->n >= PANEL_MAX_LINES)
		return;
	l = &p->l[p->n++];
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->label, sizeof(l->label), "%s", label);
	l->rgb = rgb;
	l->src = pt;
	l->n_src = n;
}

static void series_add(const struct graph_history *h, struct panel *p, const char *name, const char *label,
		       uint32_t rgb)
{
	const struct graph_series *s = graph_history_find(h, name);

	if (s)
		line_add(p, s->name, label, rgb, s->p, s->n);
}

/* TIME_WAIT / ESTABLISHED at the times both have a point and ESTABLISHED > 0. */
static int ratio_add(const struct graph_history *h, struct panel *p)
{
	const struct graph_series *tw = graph_history_find(h, "time_wait"),
				  *est = graph_history_find(h, "established");
	struct graph_point *out;
	size_t i = 0, k = 0, n = 0;

	if (!tw || !est || !tw->n || !est->n)
		return 0;
	out = calloc(tw->n < est->n ? tw->n : est->n, sizeof(*out));
	if (!out)
		return -ENOMEM;
	while (i < tw->n && k < est->n) {
		if (tw->p[i].t < est->p[k].t) {
			i++;
		} else if (tw->p[i].t > est->p[k].t) {
			k++;
		} else {
			if (est->p[k].avg > 0) {
				double r = tw->p[i].avg / est->p[k].avg;

				out[n++] = (struct graph_point){ .t = tw->p[i].t, .min = r, .avg = r, .max = r };
			}
			i++;
			k++;
		}
	}
	if (!n) {
		free(out);
		return 0;
	}
	line_add(p, "tw_estab_ratio", "TIME_WAIT per ESTABLISHED", C_RATIO, out, n);
	p->l[p->n - 1].own = out;
	return 0;
}

static double series_peak(const struct graph_series *s)
{
	double m = -INFINITY;

	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].max > m)
			m = s->p[i].max;
	return m;
}

/*
 * A destination's colour: the one it has in panel same (its label there),
 * else the first palette colour no line of p or same uses.
 */
static uint32_t dest_color(const struct panel *p, const struct panel *same, const char *label)
{
	for (size_t i = 0; same && i < same->n; i++)
		if (!strcmp(same->l[i].label, label))
			return same->l[i].rgb;
	for (size_t k = 0; k < ARRAY_SIZE(palette); k++) {
		bool used = false;

		for (size_t i = 0; i < p->n; i++)
			used |= p->l[i].rgb == palette[k];
		for (size_t i = 0; same && i < same->n; i++)
			used |= same->l[i].rgb == palette[k];
		if (!used)
			return palette[k];
	}
	return palette[p->n % ARRAY_SIZE(palette)];
}

/*
 * The top GRAPH_TOP_DESTS series named prefix<addr>:<port> by their peak,
 * ties by name; a destination keeps its colour of panel same.
 */
static void dests_add(const struct graph_history *h, struct panel *p, const char *prefix,
		      const struct panel *same)
{
	size_t plen = strlen(prefix);
	bool used[GRAPH_MAX_SERIES] = { false };

	for (size_t k = 0; k < GRAPH_TOP_DESTS && k < PANEL_MAX_LINES; k++) {
		const struct graph_series *best = NULL;
		size_t bi = 0;
		double bp = 0;

		for (size_t i = 0; i < h->n; i++) {
			const struct graph_series *s = &h->s[i];
			double pk;

			if (used[i] || !s->n || strncmp(s->name, prefix, plen) || !s->name[plen])
				continue;
			pk = series_peak(s);
			if (!best || pk > bp || (pk == bp && strcmp(s->name, best->name) < 0)) {
				best = s;
				bi = i;
				bp = pk;
			}
		}
		if (!best)
			break;
		used[bi] = true;
		line_add(p, best->name, best->name + plen, dest_color(p, same, best->name + plen), best->p, best->n);
	}
}

static void drop_empty(struct panel_set *ps)
{
	size_t k = 0;

	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].n)
			ps->p[k++] = ps->p[i];
	ps->n = k;
}

int panel_set_build(const struct graph_history *h, enum graph_view v, struct panel_set *ret)
{
	struct panel_set *ps = ret;
	struct panel *p;
	int64_t t0 = h->since, t1 = h->until;
	int r;

	memset(ps, 0, sizeof(*ps));
	switch (v) {
	case GRAPH_VIEW_OVERVIEW:
		p = panel_add(ps, "TCP sockets by state", "sockets", 3, 0);
		series_add(h, p, "time_wait", "TIME_WAIT", C_TW);
		series_add(h, p, "established", "ESTABLISHED", C_ESTAB);
		series_add(h, p, "close_wait", "CLOSE_WAIT", C_CW);
		p = panel_add(ps, "TIME_WAIT per ESTABLISHED socket", "ratio", 1.4, 0);
		r = ratio_add(h, p);
		if (r < 0)
			goto fail;
		p = panel_add(ps, "Connections closed and opened", "per second", 1.6, 0);
		series_add(h, p, "tw_rate", "closes (entered TIME_WAIT)", C_TW);
		series_add(h, p, "active_opens_rate", "connections opened (active)", C_ESTAB);
		break;
	case GRAPH_VIEW_DEST:
		p = panel_add(ps, "Local ports in use per destination", "% of usable ports", 2, 100);
		dests_add(h, p, "dest_use_pct:", NULL);
		p = panel_add(ps, "Closes per destination", "per second", 1.6, 0);
		dests_add(h, p, "dest_close_rate:", &ps->p[0]);
		break;
	case GRAPH_VIEW_RATES:
		p = panel_add(ps, "Connections closed and opened", "per second", 2, 0);
		series_add(h, p, "tw_rate", "closes (entered TIME_WAIT)", C_TW);
		series_add(h, p, "active_opens_rate", "connections opened (active)", C_ESTAB);
		p = panel_add(ps, "Trouble counters", "per second", 1.6, 0);
		series_add(h, p, "tw_overflow_rate", "TIME_WAIT overflow (tw_buckets full)", C_DROP);
		series_add(h, p, "paws_rate", "PAWS rejects", C_PAWS);
		p = panel_add(ps, "Orphans and conntrack", "entries", 1.6, 0);
		series_add(h, p, "orphans", "orphan sockets", C_GREY);
		series_add(h, p, "conntrack_count", "conntrack entries", C_CT);
		break;
	}
	drop_empty(ps);
	if (!ps->n)
		return -ENODATA;
	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ps->p[i].n; k++) {
			const struct panel_line *l = &ps->p[i].l[k];

			if (l->src[0].t < t0)
				t0 = l->src[0].t;
			if (l->src[l->n_src - 1].t > t1)
				t1 = l->src[l->n_src - 1].t;
		}
	if (t1 <= t0)
		t1 = t0 + (h->step_sec > 0 ? h->step_sec : 1);
	ps->t0 = t0;
	ps->t1 = t1;
	return 0;
fail:
	panel_set_done(ps);
	return r;
}

static int line_sample(struct panel_line *l, unsigned int w, int64_t t0, int64_t t1, int64_t gap_sec)
{
	double span = (double)(t1 - t0);
	size_t n = 0;
	long col_prev = -1;
	int64_t t_prev = 0;
	size_t cnt = 0;
	double sum = 0;

	l->pt = calloc(l->n_src < w ? l->n_src : w, sizeof(*l->pt));
	if (!l->pt)
		return -ENOMEM;
	l->vmin = INFINITY;
	l->vmax = -INFINITY;
	for (size_t i = 0; i < l->n_src; i++) {
		const struct graph_point *s = &l->src[i];
		long col = l->n_src <= w ? (long)i : (long)floor((double)(s->t - t0) / span * (w - 1));
		bool gap = i > 0 && s->t - t_prev > gap_sec;

		if (s->min < l->vmin)
			l->vmin = s->min;
		if (s->max > l->vmax)
			l->vmax = s->max;
		/* a gap within one pixel column cannot be seen: columns only */
		if (col != col_prev) {
			if (n && cnt)
				l->pt[n - 1].avg = sum / (double)cnt;
			l->pt[n++] = (struct panel_point){ .t = s->t, .min = s->min, .max = s->max,
							   .gap_before = gap };
			cnt = 0;
			sum = 0;
			col_prev = col;
		}
		if (s->min < l->pt[n - 1].min)
			l->pt[n - 1].min = s->min;
		if (s->max > l->pt[n - 1].max)
			l->pt[n - 1].max = s->max;
		sum += s->avg;
		cnt++;
		t_prev = s->t;
	}
	if (n && cnt)
		l->pt[n - 1].avg = sum / (double)cnt;
	l->n = n;
	l->last = l->n_src ? l->src[l->n_src - 1].avg : 0;
	return 0;
}

int panel_set_sample(struct panel_set *ps, unsigned int width_px, int64_t step_sec)
{
	int64_t gap = 3 * (step_sec > 0 ? step_sec : 1);

	if (width_px < 2)
		width_px = 2;
	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ps->p[i].n; k++) {
			struct panel_line *l = &ps->p[i].l[k];
			int r;

			free(l->pt);
			l->pt = NULL;
			r = line_sample(l, width_px, ps->t0, ps->t1, gap);
			if (r < 0)
				return r;
		}
	return 0;
}

void panel_set_done(struct panel_set *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		for (size_t k = 0; k < ps->p[i].n; k++) {
			free(ps->p[i].l[k].own);
			free(ps->p[i].l[k].pt);
			ps->p[i].l[k].own = NULL;
			ps->p[i].l[k].pt = NULL;
		}
	ps->n = 0;
}
