/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rendering helpers shared by every renderer: bar charts (Unicode blocks or
 * ASCII), human units, colour, locale-independent numbers and JSON printing
 * through json-c. Renderers never collect.
 */
#ifndef TWSCOPE_OUTPUT_H
#define TWSCOPE_OUTPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct tw_addr;

/* How the terminal wants its text. */
struct out_style {
	bool utf8;
	bool color;
	int cols;	/* 0 when not a terminal: never truncate */
};

/* Output formats a command may offer; each command allows a subset. */
enum out_format {
	OUT_FMT_TABLE,
	OUT_FMT_JSON,
	OUT_FMT_PROM,
	OUT_FMT_NAGIOS,
};

#define OUT_FMT_BIT(f) (1u << (f))

/*
 * out_format_parse() - "table", "json", "prom" or "nagios", if in allowed
 * (a mask of OUT_FMT_BIT()). 0 and *ret set, or -EINVAL; on -EINVAL the
 * accepted names, comma-separated, are written to names.
 */
int out_format_parse(const char *s, unsigned int allowed, enum out_format *ret, char *names, size_t len);

enum out_color {
	OUT_RESET,
	OUT_BOLD,
	OUT_DIM,
	OUT_GREEN,
	OUT_YELLOW,
	OUT_RED,
	OUT_MAGENTA,
};

/* out_color() - ANSI sequence for c, or "" when colour is off. */
const char *out_color(const struct out_style *st, enum out_color c);

/* out_bar() - a bar of frac (0..1) over width cells; eighth blocks in UTF-8, '#' otherwise. */
void out_bar(FILE *f, const struct out_style *st, double frac, int width);

/* out_human() - 950, 12.3K, 4.5M, 1.2G. */
const char *out_human(uint64_t n, char *buf, size_t len);

/* out_bytes() - 512 B, 24.4 MiB. */
const char *out_bytes(uint64_t n, char *buf, size_t len);

/* out_json_add_u64() - add key k with the unsigned integer v to object o. */
void out_json_add_u64(struct json_object *o, const char *k, uint64_t v);

/* out_json_double() - a JSON number rounded to decimals, printed in the C locale. */
struct json_object *out_json_double(double v, int decimals);

/* out_json_addr() - a JSON string of an address. */
struct json_object *out_json_addr(const struct tw_addr *a);

/*
 * Untrusted strings (comm, netns names, config paths and values, bundle
 * fields) go through these; the rules are in safetext.h and
 * docs/json-schema.md "Strings".
 */

/* out_text_flags() - safetext_term() flags for st: keep UTF-8 only on a UTF-8 terminal. */
unsigned int out_text_flags(const struct out_style *st);

/* out_safe() - s made terminal-safe into buf (cut at a character boundary when too long). */
const char *out_safe(char *buf, size_t len, const char *s, unsigned int flags);

/* out_text() - write s made terminal-safe (flags as safetext_term()) to f, never cut. */
void out_text(FILE *f, const char *s, unsigned int flags);

/* out_json_string() - a JSON string of s (at most n bytes) made valid UTF-8. NULL on OOM. */
struct json_object *out_json_string(const char *s, size_t n);

/*
 * out_json_make_valid() - replace every string value in o (recursively)
 * that is not valid UTF-8 by its safetext_json() form, so no document we
 * print can be invalid UTF-8 whoever built it. Object keys are ours.
 */
void out_json_make_valid(struct json_object *o);

/*
 * out_json_write() - o serialised with json-c flags (JSON_C_TO_STRING_*)
 * and a newline to f: valid UTF-8 (out_json_make_valid()), and C1 controls
 * and invisible format characters written as \uXXXX escapes, so the text
 * is safe on a terminal too. 0 or -EIO.
 */
int out_json_write(FILE *f, struct json_object *o, int flags);

/* out_json_print() - out_json_write() pretty-printed. 0 or -EIO. */
int out_json_print(struct json_object *o, FILE *f);

/* out_json_error() - {"schema":1,"error":msg,"code":code} on stdout (JSON mode fatal errors). */
void out_json_error(const char *command, const char *msg, int code);

#endif
