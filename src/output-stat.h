/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderers for `twscope stat`: the human report and the JSON document (docs/json-schema.md). */
#ifndef TWSCOPE_OUTPUT_STAT_H
#define TWSCOPE_OUTPUT_STAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct census;
struct census_dest;
struct collect_result;
struct json_object;
struct out_style;
struct tw_sockstat;

struct stat_view {
	const char *netns;	/* as given by the user, or NULL for the current one */
	size_t top;		/* rows per table; 0 = all */
	bool wide;		/* -w: never shorten address columns */
	bool no_header;		/* -H */
};

/* stat_json() - the full census document (schema 1). NULL on OOM. */
struct json_object *stat_json(const struct collect_result *res, const struct stat_view *v);

/* stat_json_dest() - one destination row of the census c (as in "destinations"). */
struct json_object *stat_json_dest(const struct census *c, const struct census_dest *d);

/* stat_summary_json() - the sockstat-only document for --summary. */
struct json_object *stat_summary_json(const struct tw_sockstat *st, const struct stat_view *v);

/* stat_print_table() - the human report. */
void stat_print_table(FILE *f, const struct out_style *st, const struct collect_result *res,
		      const struct stat_view *v);

/* stat_print_summary() - the human --summary lines. */
void stat_print_summary(FILE *f, const struct out_style *st, const struct tw_sockstat *ss,
			const struct stat_view *v);

#endif
