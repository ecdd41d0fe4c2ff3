// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The graph pictures, drawn with cairo onto an SVG or an image (PNG)
 * surface that writes into memory: title, panels with value axes, lines
 * (average) over a min-max band, a shared UTC time axis, legends, and the
 * findings as coloured marks on the time axis listed under the plot. For
 * SVG the drawn text and numbers are added as <text> and <metadata>.
 * Never prints; errors go back as a sentence in err.
 */
#include "graph/render.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <cairo-svg.h>
#include <fontconfig/fontconfig.h>

#include "graph/axis.h"
#include "graph/panel.h"
#include "graph/series.h"
#include "html.h"
#include "util.h"

#define FONT "DejaVu Sans"
#define MARGIN_L 74.0
#define MARGIN_R 24.0
#define TITLE_H 56.0
#define AXIS_H 40.0
#define PANEL_GAP 18.0
#define HEAD_LINE 16.0
#define LEGEND_LINE 15.0
#define EVENT_LINE 15.0
#define MAX_EVENT_LINES 8
#define MIN_PLOT_H 36.0

static const char *const view_names[] = {
	[GRAPH_VIEW_OVERVIEW] = "overview",
	[GRAPH_VIEW_DEST] = "dest",
	[GRAPH_VIEW_RATES] = "rates",
};

int graph_view_parse(const char *s, enum graph_view *ret)
{
	for (size_t i = 0; i < ARRAY_SIZE(view_names); i++)
		if (!strcmp(s, view_names[i])) {
			*ret = (enum graph_view)i;
			return 0;
		}
	return -EINVAL;
}

const char *graph_view_name(enum graph_view v)
{
	return (size_t)v < ARRAY_SIZE(view_names) ? view_names[v] : "?";
}

/* One string drawn, kept for the SVG's text layer. */
struct text_rec {
	double x, y, size;
	int anchor;	/* 0 start, 1 middle, 2 end */
	bool bold;
	char *s;
};

struct mem {
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
};

struct ctx {
	const struct graph_history *h;
	const struct graph_opts *o;
	struct panel_set ps;
	cairo_t *cr;
	double w, h_px;
	double x0, x1;			/* plot left/right */
	double py0[PANEL_MAX];		/* plot top per panel */
	double py1[PANEL_MAX];		/* plot bottom per panel */
	double head_h[PANEL_MAX];
	struct axis_value ax[PANEL_MAX];
	size_t n_ev;			/* events in the time range */
	size_t ev_lines;
	struct text_rec *txt;
	size_t n_txt, cap_txt;
	bool oom;
	char title[400];
	char span[96];
};

static cairo_status_t mem_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct mem *m = closure;

	if (m->oom)
		return CAIRO_STATUS_NO_MEMORY;
	if (m->len + len + 1 > m->cap) {
		size_t cap = (m->cap ? m->cap * 2 : 65536);
		char *b;

		while (cap < m->len + len + 1)
			cap *= 2;
		b = realloc(m->buf, cap);
		if (!b) {
			m->oom = true;
			return CAIRO_STATUS_NO_MEMORY;
		}
		m->buf = b;
		m->cap = cap;
	}
	memcpy(m->buf + m->len, data, len);
	m->len += len;
	m->buf[m->len] = '\0';
	return CAIRO_STATUS_SUCCESS;
}

static void set_rgb(cairo_t *cr, uint32_t rgb, double alpha)
{
	cairo_set_source_rgba(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0, (rgb & 0xff) / 255.0,
			      alpha);
}

static uint32_t sev_rgb(enum graph_sev s)
{
	return s == GRAPH_SEV_CRITICAL ? 0xd62728 : s == GRAPH_SEV_WARNING ? 0xf0a30a : 0x1f77b4;
}

/*
 * Unhinted metrics on every surface: text is measured the same when laying
 * out (on a scratch image) and when drawing SVG or PNG, so both pictures
 * have the same geometry.
 */
static cairo_t *ctx_cairo(cairo_surface_t *sf)
{
	cairo_t *cr = cairo_create(sf);
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
	return cr;
}

static void font(struct ctx *c, double size, bool bold)
{
	cairo_select_font_face(c->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(c->cr, size);
}

static double text_w(struct ctx *c, const char *s, double size, bool bold)
{
	cairo_text_extents_t e;

	font(c, size, bold);
	cairo_text_extents(c->cr, s, &e);
	return e.x_advance;
}

/* Draw s with its baseline at y, anchored at x; remember it for the SVG. */
static void text(struct ctx *c, double x, double y, double size, bool bold, int anchor, uint32_t rgb,
		 const char *s)
{
	double w = text_w(c, s, size, bold);
	double left = anchor == 0 ? x : anchor == 1 ? x - w / 2 : x - w;
	struct text_rec *t;

	set_rgb(c->cr, rgb, 1);
	cairo_move_to(c->cr, left, y);
	cairo_show_text(c->cr, s);
	if (c->n_txt == c->cap_txt) {
		size_t cap = c->cap_txt ? c->cap_txt * 2 : 64;
		struct text_rec *v = realloc(c->txt, cap * sizeof(*v));

		if (!v) {
			c->oom = true;
			return;
		}
		c->txt = v;
		c->cap_txt = cap;
	}
	t = &c->txt[c->n_txt];
	*t = (struct text_rec){ .x = x, .y = y, .size = size, .anchor = anchor, .bold = bold, .s = strdup(s) };
	if (!t->s)
		c->oom = true;
	else
		c->n_txt++;
}

static double tx(const struct ctx *c, int64_t t)
{
	return c->x0 + (double)(t - c->ps.t0) / (double)(c->ps.t1 - c->ps.t0) * (c->x1 - c->x0);
}

static double vy(const struct ctx *c, size_t i, double v)
{
	const struct axis_value *a = &c->ax[i];

	return c->py1[i] - (v - a->lo) / (a->hi - a->lo) * (c->py1[i] - c->py0[i]);
}

/* "1.2k", "950", "0.25", "3.4M" for a legend. */
static const char *human(double v, char *buf, size_t len)
{
	double a = fabs(v);

	if (a >= 1e6)
		snprintf(buf, len, "%.3gM", v / 1e6);
	else if (a >= 1e4)
		snprintf(buf, len, "%.3gk", v / 1e3);
	else if (a >= 100 || a == floor(a))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

static void legend_item(const struct panel_line *l, char *buf, size_t len)
{
	char a[32], b[32];

	snprintf(buf, len, "%s (max %s, last %s)", l->label, human(l->vmax, a, sizeof(a)),
		 human(l->last, b, sizeof(b)));
}

/* Rows the legend of panel p takes at the plot's width (items flow left to right). */
static size_t legend_rows(struct ctx *c, const struct panel *p, bool draw, double y)
{
	double x = c->x0, avail = c->x1 - c->x0;
	size_t rows = p->n ? 1 : 0;

	for (size_t k = 0; k < p->n; k++) {
		char item[PANEL_LABEL_LEN + 64];
		double w;

		legend_item(&p->l[k], item, sizeof(item));
		w = 22 + text_w(c, item, 11, false) + 16;
		if (x > c->x0 && x + w > c->x0 + avail) {
			rows++;
			x = c->x0;
		}
		if (draw) {
			double ly = y + (double)(rows - 1) * LEGEND_LINE;

			set_rgb(c->cr, p->l[k].rgb, 1);
			cairo_set_line_width(c->cr, 3);
			cairo_move_to(c->cr, x, ly - 4);
			cairo_line_to(c->cr, x + 16, ly - 4);
			cairo_stroke(c->cr);
			text(c, x + 22, ly, 11, false, 0, 0x222222, item);
		}
		x += w;
	}
	return rows;
}

static size_t events_in_range(const struct ctx *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->h->n_ev; i++)
		if (c->h->ev[i].t >= c->ps.t0 && c->h->ev[i].t <= c->ps.t1)
			n++;
	return n;
}

static int layout(struct ctx *c, char *err, size_t len)
{
	double total_w = 0, fixed = TITLE_H + AXIS_H, avail, y;

	c->x0 = MARGIN_L;
	c->x1 = c->w - MARGIN_R;
	c->n_ev = events_in_range(c);
	c->ev_lines = c->n_ev > MAX_EVENT_LINES ? MAX_EVENT_LINES + 1 : c->n_ev;
	if (c->ev_lines)
		fixed += 8 + (double)(c->ev_lines + 1) * EVENT_LINE;
	for (size_t i = 0; i < c->ps.n; i++) {
		c->head_h[i] = HEAD_LINE + 4 + (double)legend_rows(c, &c->ps.p[i], false, 0) * LEGEND_LINE;
		fixed += c->head_h[i] + (i ? PANEL_GAP : 0);
		total_w += c->ps.p[i].weight;
	}
	if (!c->h_px)
		c->h_px = ceil(fixed + total_w * 95);
	if (c->h_px > GRAPH_MAX_HEIGHT)
		c->h_px = GRAPH_MAX_HEIGHT;
	avail = c->h_px - fixed;
	if (avail < MIN_PLOT_H * (double)c->ps.n) {
		snprintf(err, len, "a height of %.0f pixels is too small for this graph (at least %.0f)", c->h_px,
			 ceil(fixed + MIN_PLOT_H * (double)c->ps.n));
		return -EINVAL;
	}
	y = TITLE_H;
	for (size_t i = 0; i < c->ps.n; i++) {
		const struct panel *p = &c->ps.p[i];
		double vmin = INFINITY, vmax = -INFINITY, ph = avail * p->weight / total_w;
		unsigned int ticks = ph > 200 ? 8 : ph > 100 ? 5 : 3;

		if (i)
			y += PANEL_GAP;
		y += c->head_h[i];
		c->py0[i] = y;
		c->py1[i] = y + ph;
		y += ph;
		for (size_t k = 0; k < p->n; k++) {
			if (p->l[k].vmin < vmin)
				vmin = p->l[k].vmin;
			if (p->l[k].vmax > vmax)
				vmax = p->l[k].vmax;
		}
		axis_value_range(vmin, vmax, ticks, p->fixed_hi, &c->ax[i]);
	}
	return 0;
}

static void draw_title(struct ctx *c)
{
	text(c, c->x0, 22, 16, true, 0, 0x111111, c->title);
	text(c, c->x0, 40, 12, false, 0, 0x444444, c->span);
}

static void draw_value_axis(struct ctx *c, size_t i)
{
	const struct panel *p = &c->ps.p[i];
	const struct axis_value *a = &c->ax[i];
	char lab[AXIS_LABEL_LEN], head[200];

	snprintf(head, sizeof(head), "%s (%s)", p->title, p->unit);
	text(c, c->x0, c->py0[i] - c->head_h[i] + HEAD_LINE - 2, 13, true, 0, 0x111111, head);
	(void) legend_rows(c, p, true, c->py0[i] - c->head_h[i] + HEAD_LINE + LEGEND_LINE - 2);
	cairo_set_line_width(c->cr, 1);
	for (size_t k = 0; k < a->n && k < 64; k++) {
		double v = a->lo + (double)k * a->step, y = round(vy(c, i, v)) + 0.5;

		set_rgb(c->cr, k == 0 ? 0x888888 : 0xe3e3e3, 1);
		cairo_move_to(c->cr, c->x0, y);
		cairo_line_to(c->cr, c->x1, y);
		cairo_stroke(c->cr);
		text(c, c->x0 - 6, y + 4, 11, false, 2, 0x333333, axis_value_label(v, a->step, lab, sizeof(lab)));
	}
	/* the unit along the axis, for a reader who only sees this panel */
	cairo_save(c->cr);
	font(c, 11, false);
	set_rgb(c->cr, 0x555555, 1);
	{
		double w = text_w(c, p->unit, 11, false), cy = (c->py0[i] + c->py1[i]) / 2;

		cairo_move_to(c->cr, 14, cy + w / 2);
		cairo_rotate(c->cr, -M_PI / 2);
		cairo_show_text(c->cr, p->unit);
	}
	cairo_restore(c->cr);
	set_rgb(c->cr, 0x888888, 1);
	cairo_rectangle(c->cr, c->x0 + 0.5, c->py0[i] + 0.5, c->x1 - c->x0 - 1, c->py1[i] - c->py0[i] - 1);
	cairo_stroke(c->cr);
}

static void draw_time_axis(struct ctx *c)
{
	struct axis_time at;
	char lab[AXIS_LABEL_LEN];
	unsigned int max_ticks = (unsigned int)((c->x1 - c->x0) / 90);
	double yb = c->py1[c->ps.n - 1];

	axis_time_ticks(c->ps.t0, c->ps.t1, max_ticks ? max_ticks : 1, &at);
	cairo_set_line_width(c->cr, 1);
	for (size_t k = 0; k < at.n; k++) {
		double x = round(tx(c, at.t[k])) + 0.5;

		for (size_t i = 0; i < c->ps.n; i++) {
			set_rgb(c->cr, 0xeeeeee, 1);
			cairo_move_to(c->cr, x, c->py0[i] + 1);
			cairo_line_to(c->cr, x, c->py1[i] - 1);
			cairo_stroke(c->cr);
			set_rgb(c->cr, 0x888888, 1);
			cairo_move_to(c->cr, x, c->py1[i]);
			cairo_line_to(c->cr, x, c->py1[i] + 4);
			cairo_stroke(c->cr);
		}
		text(c, x, yb + 16, 11, false, 1, 0x333333, axis_time_label(at.t[k], at.fmt, lab, sizeof(lab)));
	}
	text(c, (c->x0 + c->x1) / 2, yb + 32, 11, false, 1, 0x555555, "time (UTC)");
}

static void draw_line(struct ctx *c, size_t i, const struct panel_line *l)
{
	cairo_t *cr = c->cr;
	size_t s = 0;

	cairo_save(cr);
	cairo_rectangle(cr, c->x0, c->py0[i], c->x1 - c->x0, c->py1[i] - c->py0[i]);
	cairo_clip(cr);
	/* min-max band per segment, where the samples were aggregated */
	while (s < l->n) {
		size_t e = s + 1;
		bool band = l->pt[s].min < l->pt[s].max;

		while (e < l->n && !l->pt[e].gap_before) {
			band |= l->pt[e].min < l->pt[e].max;
			e++;
		}
		if (band && e - s > 1) {
			for (size_t k = s; k < e; k++)
				cairo_line_to(cr, tx(c, l->pt[k].t), vy(c, i, l->pt[k].max));
			for (size_t k = e; k-- > s;)
				cairo_line_to(cr, tx(c, l->pt[k].t), vy(c, i, l->pt[k].min));
			cairo_close_path(cr);
			set_rgb(cr, l->rgb, 0.18);
			cairo_fill(cr);
		}
		s = e;
	}
	/* the average: one subpath per run of points, a dot for a lone point */
	set_rgb(cr, l->rgb, 1);
	cairo_set_line_width(cr, 1.8);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (size_t k = 0; k < l->n; k++) {
		double x = tx(c, l->pt[k].t), y = vy(c, i, l->pt[k].avg);

		if (k == 0 || l->pt[k].gap_before)
			cairo_move_to(cr, x, y);
		else
			cairo_line_to(cr, x, y);
	}
	cairo_stroke(cr);
	for (size_t k = 0; k < l->n; k++) {
		bool alone = (k == 0 || l->pt[k].gap_before) && (k + 1 == l->n || l->pt[k + 1].gap_before);

		if (alone) {
			cairo_arc(cr, tx(c, l->pt[k].t), vy(c, i, l->pt[k].avg), 2.2, 0, 2 * M_PI);
			cairo_fill(cr);
		}
	}
	cairo_restore(cr);
}

static void short_text(const char *s, size_t max, char *buf, size_t len)
{
	size_t n = strlen(s);

	if (n <= max) {
		snprintf(buf, len, "%s", s);
		return;
	}
	/* cut on a UTF-8 character boundary, then mark the cut */
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	snprintf(buf, len, "%.*s...", (int)n, s);
}

static void draw_events(struct ctx *c)
{
	double top = c->py0[0], bottom = c->py1[c->ps.n - 1], label_end[3] = { -1e9, -1e9, -1e9 };
	double y = bottom + AXIS_H + 8;
	size_t shown = 0, num = 0;
	char lab[AXIS_LABEL_LEN], line[GRAPH_EVENT_TEXT_LEN + 160], idtxt[40];

	if (!c->n_ev)
		return;
	text(c, c->x0, y + EVENT_LINE - 3, 12, true, 0, 0x111111, "Findings (marked on the time axis)");
	for (size_t i = 0; i < c->h->n_ev; i++) {
		const struct graph_event *ev = &c->h->ev[i];
		double x, w;

		if (ev->t < c->ps.t0 || ev->t > c->ps.t1)
			continue;
		num++;
		x = round(tx(c, ev->t)) + 0.5;
		set_rgb(c->cr, sev_rgb(ev->sev), 0.85);
		cairo_set_line_width(c->cr, 1.2);
		{
			static const double dash[] = { 4, 3 };

			cairo_set_dash(c->cr, dash, 2, 0);
		}
		for (size_t k = 0; k < c->ps.n; k++) {
			cairo_move_to(c->cr, x, c->py0[k]);
			cairo_line_to(c->cr, x, c->py1[k]);
		}
		cairo_stroke(c->cr);
		cairo_set_dash(c->cr, NULL, 0, 0);
		/* a triangle on the time axis */
		set_rgb(c->cr, sev_rgb(ev->sev), 1);
		cairo_move_to(c->cr, x, bottom - 1);
		cairo_line_to(c->cr, x - 5, bottom + 8);
		cairo_line_to(c->cr, x + 5, bottom + 8);
		cairo_close_path(c->cr);
		cairo_fill(c->cr);
		/*
		 * Number and id at the top of the first panel, in the first of
		 * three rows with room for them, else the number alone; crowded
		 * marks go without (the list below has them all).
		 */
		short_text(ev->id, 24, idtxt, sizeof(idtxt));
		snprintf(line, sizeof(line), "%zu %s", num, idtxt);
		w = text_w(c, line, 10, true);
		for (size_t row = 0; row < ARRAY_SIZE(label_end); row++) {
			double ly = top + 11 + (double)row * 12;

			if (x + 3 <= label_end[row] + 4)
				continue;
			if (x + 3 + w <= c->x1) {
				text(c, x + 3, ly, 10, true, 0, sev_rgb(ev->sev), line);
				label_end[row] = x + 3 + w;
			} else {
				snprintf(line, sizeof(line), "%zu", num);
				text(c, x - 3, ly, 10, true, 2, sev_rgb(ev->sev), line);
				label_end[row] = x;
			}
			break;
		}
		if (shown < MAX_EVENT_LINES) {
			char sev[16], txt[140];
			size_t k;

			snprintf(sev, sizeof(sev), "%s", graph_sev_name(ev->sev));
			for (k = 0; sev[k]; k++)
				sev[k] = (char)(sev[k] - ('a' <= sev[k] && sev[k] <= 'z' ? 32 : 0));
			short_text(ev->text, 110, txt, sizeof(txt));
			snprintf(line, sizeof(line), "%zu  %s  %s  %s%s%s", num,
				 axis_time_label(ev->t, c->ps.t1 - c->ps.t0 > 86400 ? AXIS_TIME_DAY_HM : AXIS_TIME_HMS,
						 lab, sizeof(lab)), sev, ev->id, txt[0] ? ": " : "", txt);
			shown++;
			set_rgb(c->cr, sev_rgb(ev->sev), 1);
			cairo_rectangle(c->cr, c->x0, y + (double)shown * EVENT_LINE + 2, 8, 8);
			cairo_fill(c->cr);
			text(c, c->x0 + 14, y + (double)shown * EVENT_LINE + 10, 11, false, 0, 0x222222, line);
		}
	}
	if (c->n_ev > MAX_EVENT_LINES) {
		snprintf(line, sizeof(line), "... and %zu more", c->n_ev - MAX_EVENT_LINES);
		text(c, c->x0 + 14, y + (double)(shown + 1) * EVENT_LINE + 10, 11, false, 0, 0x222222, line);
	}
}

static void draw(struct ctx *c)
{
	cairo_set_source_rgb(c->cr, 1, 1, 1);
	cairo_paint(c->cr);
	draw_title(c);
	for (size_t i = 0; i < c->ps.n; i++)
		draw_value_axis(c, i);
	draw_time_axis(c);
	for (size_t i = 0; i < c->ps.n; i++)
		for (size_t k = 0; k < c->ps.p[i].n; k++)
			draw_line(c, i, &c->ps.p[i].l[k]);
	draw_events(c);
}

/* --- the SVG's text and data layers ------------------------------------- */

static void id_safe(FILE *f, const char *prefix, const char *what, const char *name)
{
	fprintf(f, "%s%s", prefix, what);
	for (const char *s = name; *s; s++)
		fputc(strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", *s) ? *s : '_',
		      f);
}

static void write_layers(struct ctx *c, FILE *f, const char *pfx)
{
	fprintf(f, "<g id=\"%stext\" style=\"fill:none;stroke:none\" font-family=\"DejaVu Sans, sans-serif\">\n",
		pfx);
	for (size_t i = 0; i < c->n_txt; i++) {
		const struct text_rec *t = &c->txt[i];

		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.0f\"%s%s>", t->x, t->y, t->size,
			t->anchor == 1 ? " text-anchor=\"middle\"" : t->anchor == 2 ? " text-anchor=\"end\"" : "",
			t->bold ? " font-weight=\"bold\"" : "");
		html_fputs(f, t->s);
		fputs("</text>\n", f);
	}
	fputs("</g>\n", f);
	fprintf(f, "<metadata id=\"%sdata\" data-host=\"", pfx);
	html_fputs(f, c->h->host);
	fprintf(f, "\" data-view=\"%s\" data-t0=\"%lld\" data-t1=\"%lld\" data-step=\"%lld\">\n",
		graph_view_name(c->o->view), (long long)c->ps.t0, (long long)c->ps.t1, (long long)c->h->step_sec);
	for (size_t i = 0; i < c->ps.n; i++) {
		const struct panel *p = &c->ps.p[i];

		fprintf(f, "<g id=\"%spanel-%zu\" data-title=\"", pfx, i);
		html_fputs(f, p->title);
		fputs("\" data-unit=\"", f);
		html_fputs(f, p->unit);
		fprintf(f, "\" data-x0=\"%.3f\" data-x1=\"%.3f\" data-y-top=\"%.3f\" data-y-bottom=\"%.3f\" "
			"data-v-top=\"%.17g\" data-v-bottom=\"%.17g\">\n", c->x0, c->x1, c->py0[i], c->py1[i],
			c->ax[i].hi, c->ax[i].lo);
		for (size_t k = 0; k < p->n; k++) {
			const struct panel_line *l = &p->l[k];

			fputs("<g id=\"", f);
			id_safe(f, pfx, "series-", l->name);
			fputs("\" data-name=\"", f);
			html_fputs(f, l->name);
			fputs("\" data-label=\"", f);
			html_fputs(f, l->label);
			fprintf(f, "\" data-color=\"#%06x\" data-source-points=\"%zu\" data-points=\"", l->rgb,
				l->n_src);
			for (size_t j = 0; j < l->n; j++)
				fprintf(f, "%s%s%lld %.17g %.17g %.17g", j ? ";" : "", l->pt[j].gap_before ? "gap " : "",
					(long long)l->pt[j].t, l->pt[j].min, l->pt[j].avg, l->pt[j].max);
			fputs("\"><title>", f);
			html_fputs(f, l->label);
			fputs("</title></g>\n", f);
		}
		fputs("</g>\n", f);
	}
	for (size_t i = 0; i < c->h->n_ev; i++) {
		const struct graph_event *ev = &c->h->ev[i];

		if (ev->t < c->ps.t0 || ev->t > c->ps.t1)
			continue;
		fprintf(f, "<g class=\"event\" data-t=\"%lld\" data-severity=\"%s\" data-id=\"", (long long)ev->t,
			graph_sev_name(ev->sev));
		html_fputs(f, ev->id);
		fputs("\"><title>", f);
		html_fputs(f, ev->text);
		fputs("</title></g>\n", f);
	}
	fputs("</metadata>\n", f);
}

/* Copy cairo's SVG s (n bytes) to f with every id and reference to one prefixed. */
static void copy_prefixed(FILE *f, const char *s, size_t n, const char *pfx)
{
	static const char *const pats[] = { "id=\"", "href=\"#", "url(#" };
	size_t i = 0;

	while (i < n) {
		bool hit = false;

		for (size_t k = 0; *pfx && k < ARRAY_SIZE(pats); k++) {
			size_t pl = strlen(pats[k]);

			if (n - i >= pl && !memcmp(s + i, pats[k], pl)) {
				fwrite(s + i, 1, pl, f);
				fputs(pfx, f);
				i += pl;
				hit = true;
				break;
			}
		}
		if (!hit)
			fputc(s[i++], f);
	}
}

static int svg_finish(struct ctx *c, const struct mem *m, char **ret_buf, size_t *ret_len)
{
	const char *pfx = c->o->id_prefix ? c->o->id_prefix : "";
	const char *open = strstr(m->buf, "<svg"), *open_end, *close;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (!open)
		return -EIO;
	open_end = strchr(open, '>');
	close = open_end ? strstr(open_end, "</svg>") : NULL;
	if (!close)
		return -EIO;
	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;
	if (!c->o->id_prefix)
		fwrite(m->buf, 1, (size_t)(open - m->buf), f);
	copy_prefixed(f, open, (size_t)(open_end - open), pfx);
	fprintf(f, " role=\"img\" aria-labelledby=\"%stitle\">\n<title id=\"%stitle\">", pfx, pfx);
	html_fputs(f, c->title);
	fputs("</title>\n<desc>", f);
	html_fputs(f, c->span);
	fputs("</desc>\n", f);
	copy_prefixed(f, open_end + 1, (size_t)(close - open_end - 1), pfx);
	write_layers(c, f, pfx);
	fputs("</svg>\n", f);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

static void ctx_done(struct ctx *c)
{
	if (c->cr)
		cairo_destroy(c->cr);
	for (size_t i = 0; i < c->n_txt; i++)
		free(c->txt[i].s);
	free(c->txt);
	panel_set_done(&c->ps);
}

void graph_release_fonts(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}

static const char *view_title(enum graph_view v)
{
	switch (v) {
	case GRAPH_VIEW_DEST:
		return "ports in use per destination";
	case GRAPH_VIEW_RATES:
		return "TCP counter rates";
	default:
		return "TIME_WAIT and ESTABLISHED";
	}
}

int graph_render(const struct graph_history *h, const struct graph_opts *o, char **ret_buf, size_t *ret_len,
		 char *err, size_t len)
{
	struct ctx c = { .h = h, .o = o };
	struct mem m = { 0 };
	cairo_surface_t *sf = NULL, *probe;
	int r;

	if (len)
		err[0] = '\0';
	c.w = o->width ? o->width : GRAPH_DEFAULT_WIDTH;
	c.h_px = o->height;
	if (c.w < GRAPH_MIN_WIDTH || c.w > GRAPH_MAX_WIDTH ||
	    (o->height && (o->height < GRAPH_MIN_HEIGHT || o->height > GRAPH_MAX_HEIGHT))) {
		snprintf(err, len, "the size must be %d-%d by %d-%d pixels", GRAPH_MIN_WIDTH, GRAPH_MAX_WIDTH,
			 GRAPH_MIN_HEIGHT, GRAPH_MAX_HEIGHT);
		return -EINVAL;
	}
	r = panel_set_build(h, o->view, &c.ps);
	if (r == -ENODATA) {
		snprintf(err, len, "the history holds no points for the %s graph", graph_view_name(o->view));
		return r;
	}
	if (r < 0)
		goto out;
	r = panel_set_sample(&c.ps, (unsigned int)(c.w - MARGIN_L - MARGIN_R), h->step_sec);
	if (r < 0)
		goto out;
	if (h->netns[0] && strcmp(h->netns, "host"))
		snprintf(c.title, sizeof(c.title), "%.200s (netns %.80s): %s", h->host[0] ? h->host : "unknown host",
			 h->netns, view_title(o->view));
	else
		snprintf(c.title, sizeof(c.title), "%.200s: %s", h->host[0] ? h->host : "unknown host",
			 view_title(o->view));
	(void) axis_time_span(c.ps.t0, c.ps.t1, c.span, sizeof(c.span));
	/* measure on a scratch surface, then draw on the real one */
	probe = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
	c.cr = ctx_cairo(probe);
	cairo_surface_destroy(probe);
	r = layout(&c, err, len);
	cairo_destroy(c.cr);
	c.cr = NULL;
	if (r < 0)
		goto out;
	if (o->format == GRAPH_FMT_SVG) {
		sf = cairo_svg_surface_create_for_stream(mem_write, &m, c.w, c.h_px);
		cairo_svg_surface_set_document_unit(sf, CAIRO_SVG_UNIT_PX);
	} else {
		sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)c.w, (int)c.h_px);
	}
	c.cr = ctx_cairo(sf);
	draw(&c);
	r = c.oom ? -ENOMEM : 0;
	if (!r && cairo_status(c.cr) != CAIRO_STATUS_SUCCESS)
		r = cairo_status(c.cr) == CAIRO_STATUS_NO_MEMORY ? -ENOMEM : -EIO;
	cairo_destroy(c.cr);
	c.cr = NULL;
	if (!r && o->format == GRAPH_FMT_PNG && cairo_surface_write_to_png_stream(sf, mem_write, &m))
		r = m.oom ? -ENOMEM : -EIO;
	cairo_surface_finish(sf);
	if (!r && cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS)
		r = m.oom ? -ENOMEM : -EIO;
	cairo_surface_destroy(sf);
	if (!r && !m.buf)
		r = -EIO;
	if (!r && o->format == GRAPH_FMT_SVG)
		r = svg_finish(&c, &m, ret_buf, ret_len);
	else if (!r) {
		*ret_buf = TAKE_PTR(m.buf);
		*ret_len = m.len;
	}
out:
	if (r < 0 && len && !err[0])
		snprintf(err, len, "%s", r == -ENOMEM ? "out of memory" : "cairo could not draw the graph");
	free(m.buf);
	ctx_done(&c);
	return r;
}
