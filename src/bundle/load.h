/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load: what load.c calls in the other files of the loader: the JSON text
 * checks of scan.c and the census, close_wait and conntrack sections.
 * Internal to src/bundle/. No printing: messages go to j->err.
 */
#ifndef TWSCOPE_BUNDLE_LOAD_H
#define TWSCOPE_BUNDLE_LOAD_H

#include <stddef.h>

struct facts_census;
struct facts_close_wait;
struct facts_conntrack;
struct jload;
struct json_object;

/*
 * jload_skip_ws() - the offset of the first non-blank byte at or after off
 * (len if none); buf needs no NUL.
 */
size_t jload_skip_ws(const char *buf, size_t off, size_t len);

/*
 * jload_parse() - len bytes of buf as one strict JSON object, into *ret (the
 * caller puts it). 0; -EINVAL; -ENOMEM.
 */
int jload_parse(struct jload *j, const char *buf, size_t len, struct json_object **ret);

/*
 * jload_scan() - the literals json-c lets through (NaN, Infinity, single
 * quotes, numbers out of range) in text jload_parse() accepted. 0 or -EINVAL.
 */
int jload_scan(struct jload *j, const char *p, const char *end);

/*
 * jload_census(), jload_close_wait(), jload_conntrack() - one section of a
 * bundle, from its object o. 0 or -EINVAL.
 */
int jload_census(struct jload *j, struct json_object *o, struct facts_census *c);
int jload_close_wait(struct jload *j, struct json_object *o, struct facts_close_wait *cw);
int jload_conntrack(struct jload *j, struct json_object *o, struct facts_conntrack *ct);

#endif
