/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a graph view shows: its panels, the lines in each (series picked
 * from the history, or the TIME_WAIT:ESTABLISHED ratio computed here) and
 * their points downsampled to the plot width with gaps kept. Pure data, no
 * drawing; render.c draws it.
 */
#ifndef TWSCOPE_GRAPH_PANEL_H
#define TWSCOPE_GRAPH_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/render.h"
#include "graph/series.h"

#define PANEL_MAX_LINES 8
#define PANEL_MAX 4
#define PANEL_LABEL_LEN 160

struct panel_point {
	int64_t t;		/* first time in the column */
	double min;
	double avg;
	double max;
	bool gap_before;	/* more than 3 steps since the point before: not joined */
};

struct panel_line {
	char name[GRAPH_NAME_LEN];	/* series name (or "tw_estab_ratio") */
	char label[PANEL_LABEL_LEN];	/* legend text */
	uint32_t rgb;			/* 0xRRGGBB */
	const struct graph_point *src;	/* the series' points */
	size_t n_src;
	struct graph_point *own;	/* computed points (ratio), owned */
	struct panel_point *pt;		/* drawn points, owned */
	size_t n;
	double vmin, vmax;		/* over every point in the time range */
	double last;			/* avg of the last point */
};

struct panel {
	char title[96];
	char unit[40];
	double fixed_hi;	/* 100 for percent, else 0 */
	double weight;		/* share of the height */
	struct panel_line l[PANEL_MAX_LINES];
	size_t n;
};

struct panel_set {
	struct panel p[PANEL_MAX];
	size_t n;
	int64_t t0, t1;		/* the time axis */
};

/*
 * panel_set_build() - the panels of view v over h, lines without points
 * left out, panels without lines too. -ENODATA when nothing is left,
 * -ENOMEM.
 */
int panel_set_build(const struct graph_history *h, enum graph_view v, struct panel_set *ret);

/*
 * panel_set_sample() - each line's points reduced to at most one per pixel
 * column of a plot width_px wide (min of mins, mean of avgs, max of
 * maxes), a gap marked where more than 3 steps pass without a point.
 * 0 or -ENOMEM.
 */
int panel_set_sample(struct panel_set *ps, unsigned int width_px, int64_t step_sec);

/* panel_set_done() - free what ps owns. */
void panel_set_done(struct panel_set *ps);

#endif
