/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Renderers for `twscope stat -A`: one summary row per network namespace, then the worst in detail. */
#ifndef TWSCOPE_OUTPUT_ALLNS_H
#define TWSCOPE_OUTPUT_ALLNS_H

#include <stddef.h>
#include <stdio.h>

struct json_object;
struct nsenum_entry;
struct nsstat;
struct out_style;
struct stat_view;

/*
 * allns_json() - {"schema":1,"command":"stat","all_netns":true,
 * "namespaces":[...],"skipped":[...],...} with the full census of the
 * details worst ones under "detail" (docs/json-schema.md). NULL on OOM.
 */
struct json_object *allns_json(const struct nsstat *s, size_t details, const struct stat_view *v);

/* allns_json_netns() - who a namespace is: inode, label, name, container, pid (JSON). */
struct json_object *allns_json_netns(const struct nsenum_entry *e);

/* allns_print_table() - the summary table, the skipped list, then the details worst ones. */
void allns_print_table(FILE *f, const struct out_style *st, const struct nsstat *s, size_t details,
		       const struct stat_view *v);

#endif
