/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reader: how every part of the bundle loader reads JSON. struct jload keeps
 * the path of the value being read, so each refusal names its field; the
 * getters check type and range. Internal to src/bundle/. No printing.
 */
#ifndef TWSCOPE_BUNDLE_READER_H
#define TWSCOPE_BUNDLE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct jload {
	char *err;
	size_t err_len;
	char path[256];		/* of the object being read: "census.destinations[3]" */
	size_t plen;
};

/* TRY() - return the error of x, if it failed. */
#define TRY(x)                     \
	do {                       \
		int _r = (x);      \
		if (_r < 0)        \
			return _r; \
	} while (0)

enum str_rule {
	STR_TEXT,	/* printable: no control characters */
	STR_RAW,	/* text from the world (comm, netns, paths, kernel): any character but
			 * NUL; renderers make it safe (src/safetext.h) */
};

/*
 * jload_enter() / jload_enter_idx() - descend into member key / element i;
 * jload_leave() with what they returned.
 */
size_t jload_enter(struct jload *j, const char *key);
size_t jload_enter_idx(struct jload *j, size_t i);
void jload_leave(struct jload *j, size_t old);

/* jload_fail() - the message into j->err, as one line. Returns -EINVAL. */
int jload_fail(struct jload *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * jload_bad() - "bundle field 'PATH.key': <why>" (key NULL: the current path
 * itself). Returns -EINVAL.
 */
int jload_bad(struct jload *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* jload_type_word() - "an integer", "a string", ... for messages. */
const char *jload_type_word(enum json_type t);

/*
 * The getters read member key of o (or, for jload_int_in() and jload_str_ok(),
 * the value v) and fail with jload_bad(): they return 1 found, 0 absent or null
 * and not required, -EINVAL.
 */

/* jload_get() - member key of type t (an integer also counts as a number). */
int jload_get(struct jload *j, struct json_object *o, const char *key, enum json_type t, bool required,
	      struct json_object **ret);

/*
 * jload_int_in() - an integer element or member value v in min..max (the
 * literal was range-checked by jload_scan()).
 */
int jload_int_in(struct jload *j, const char *key, struct json_object *v, uint64_t min, uint64_t max,
		 uint64_t *ret);

int jload_get_u64(struct jload *j, struct json_object *o, const char *key, bool required, uint64_t min,
		  uint64_t max, uint64_t *ret);
int jload_get_u32(struct jload *j, struct json_object *o, const char *key, uint32_t min, uint32_t max,
		  uint32_t *ret);
int jload_get_port(struct jload *j, struct json_object *o, const char *key, uint16_t min,
		   uint16_t *ret);
int jload_get_double(struct jload *j, struct json_object *o, const char *key, double min, double max,
		     double *ret);
int jload_get_bool(struct jload *j, struct json_object *o, const char *key, bool *ret);

/* jload_str_ok() - the string value v, at most max_len bytes, checked by rule. 0 or -EINVAL. */
int jload_str_ok(struct jload *j, const char *key, struct json_object *v, size_t max_len,
		 enum str_rule rule);

/* jload_get_str() - a string member copied into buf, checked by rule. */
int jload_get_str(struct jload *j, struct json_object *o, const char *key, bool required, char *buf,
		  size_t size, enum str_rule rule);

/* jload_get_arr() - an array member with at most max elements; *ret_n its length. */
int jload_get_arr(struct jload *j, struct json_object *o, const char *key, bool required, size_t max,
		  struct json_object **ret, size_t *ret_n);

/* jload_elem_obj() - element i of an array of objects. 0 or -EINVAL. */
int jload_elem_obj(struct jload *j, struct json_object *arr, size_t i, struct json_object **ret);

#endif
