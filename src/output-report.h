/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderer for `twscope report --html`: one self-contained HTML page (inline
 * CSS, inline SVG, no script, nothing fetched) from what the command
 * collected: the doctor's findings, its text report, the census and the
 * history graphs. Every string from the system is HTML-escaped here.
 */
#ifndef TWSCOPE_OUTPUT_REPORT_H
#define TWSCOPE_OUTPUT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct advice_report;
struct tw_facts;

#define REPORT_MAX_GRAPHS 3

struct report_graph {
	const char *title;
	const char *svg;	/* inline SVG (graph_opts.id_prefix set), or NULL */
	const char *note;	/* why there is no picture, when svg is NULL */
};

struct report_doc {
	const char *host;
	const char *netns;		/* "" = the current one */
	const char *bundle;		/* --load path, or NULL for a live run */
	int64_t generated;		/* unix seconds */
	const struct advice_report *rep;
	const struct tw_facts *facts;
	const char *doctor_text;	/* doctor's table report, plain text */
	const char *census_text;	/* stat's table report, plain text, or NULL */
	const char *history;		/* --history path, or NULL */
	struct report_graph graphs[REPORT_MAX_GRAPHS];
	size_t n_graphs;
};

/* report_print_html() - the page for d to f. */
void report_print_html(FILE *f, const struct report_doc *d);

#endif
