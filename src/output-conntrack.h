/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderers for `twscope stat --conntrack`: the table and the "conntrack" JSON object. */
#ifndef TWSCOPE_OUTPUT_CONNTRACK_H
#define TWSCOPE_OUTPUT_CONNTRACK_H

#include <stddef.h>
#include <stdio.h>

struct ct_report;
struct json_object;
struct out_style;
struct stat_view;

/* ct_json() - the "conntrack" object (docs/json-schema.md). NULL on OOM. */
struct json_object *ct_json(const struct ct_report *rep, const struct stat_view *v);

/* ct_print_table() - the human report. */
void ct_print_table(FILE *f, const struct out_style *st, const struct ct_report *rep,
		    const struct stat_view *v);

/* ct_census_error() - one line on why the census is missing ("" when it is there). */
const char *ct_census_error(int err);

#endif
