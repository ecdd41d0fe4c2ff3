/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers of twscope kill: what a plan would destroy, or what a run
 * destroyed and what failed, as a table or one JSON document. They only
 * format a struct sockkill_plan and its result; nothing here collects.
 */
#ifndef TWSCOPE_OUTPUT_KILL_H
#define TWSCOPE_OUTPUT_KILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct json_object;
struct sockkill_plan;
struct sockkill_result;

struct kill_view {
	const char *netns;	/* --netns, or NULL */
	size_t top;		/* rows per group in tables; 0 = all */
	bool no_header;
};

/*
 * kill_print_table() - the plan (res NULL: a dry run) or the outcome of
 * acting on it. Groups by state, destination and local port, largest first.
 */
void kill_print_table(FILE *f, const struct sockkill_plan *p, const struct sockkill_result *res,
		      const struct kill_view *v);

/*
 * kill_json() - the same as one JSON document (schema 1, command "kill",
 * docs/kill.md), with every selected socket. NULL on OOM.
 */
struct json_object *kill_json(const struct sockkill_plan *p, const struct sockkill_result *res,
			      const struct kill_view *v);

#endif
