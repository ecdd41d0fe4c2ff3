/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top batch renderers: one interval of the top model as plain lines (like
 * `top -b`) or as one NDJSON object, plus the cell formatters the
 * full-screen view shares. Renders only; never collects.
 */
#ifndef TWSCOPE_TOP_BATCH_H
#define TWSCOPE_TOP_BATCH_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "output.h"
#include "top/model.h"

struct json_object;

struct top_view_conf {
	size_t max_rows;		/* 0 = all */
	enum top_sort sort;
	const char *filter;		/* substring of name, source or culprit; NULL = all */
	time_t wall;			/* wall-clock time of the sample */
	struct out_style style;
};

/* top_fmt_duration() - "-" (s < 0), "0.5s", "45s", "12m05s", "3h20m" into buf. */
const char *top_fmt_duration(double s, char *buf, size_t len);

/* top_fmt_pct() - "43.8" or "-" for a negative value. */
const char *top_fmt_pct(double pct, char *buf, size_t len);

/* top_trend_arrow() - one cell for a trend: arrows in UTF-8, else ^ = v . */
const char *top_trend_arrow(enum tw_trend t, bool utf8);

/* top_culprit_text() - "comm[pid]" made terminal-safe, or "-". */
const char *top_culprit_text(const struct top_row *r, unsigned int flags, char *buf, size_t len);

/*
 * top_visible_rows() - sort m's rows by v->sort and return in *ret (an
 * array the caller frees) those matching v->filter, at most v->max_rows.
 * Returns the count, or -ENOMEM.
 */
long top_visible_rows(const struct top_model *m, const struct top_view_conf *v, struct top_row **ret);

/* top_batch_print() - the header lines and rows of one interval, then a blank line. 0 or -ENOMEM. */
int top_batch_print(FILE *f, const struct top_model *m, const struct top_view_conf *v);

/* top_batch_json() - one interval as a JSON object (NDJSON line). NULL on OOM. */
struct json_object *top_batch_json(const struct top_model *m, const struct top_view_conf *v);

#endif
