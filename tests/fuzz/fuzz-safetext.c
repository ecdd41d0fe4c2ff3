// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz safetext with arbitrary bytes (a comm, a netns name, a bundle
 * string): terminal output has no control byte and fits the documented
 * worst case, cut output is a prefix of the whole, JSON text is valid UTF-8
 * by a decoder written here, and a document printed by out_json_write()
 * parses back with json-c to the repaired string.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output.h"
#include "safetext.h"
#include "../utf8-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* strict: no control or hidden character at all (terminal text) */
static bool valid(const char *str, bool strict)
{
	return utf8_check(str, strict ? UTF8_NO_CONTROLS | UTF8_NO_NEWLINE | UTF8_NO_HIDDEN : 0);
}

static void check_term(const char *s, size_t n, unsigned int flags, size_t cut)
{
	size_t full_len = SAFETEXT_TERM_SIZE(n);
	char *full = malloc(full_len), *part = malloc(cut ? cut : 1);
	size_t need, need2;

	if (!full || !part)
		abort();
	need = safetext_term(full, full_len, s, n, flags);
	if (need != strlen(full) || need >= full_len || need > 4 * strnlen(s, n))
		abort();
	if (flags & SAFETEXT_UTF8) {
		if (!valid(full, true))
			abort();
	} else {
		for (const char *p = full; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort();
	}
	if ((flags & SAFETEXT_NAGIOS) && strchr(full, '|'))
		abort();
	/* A short buffer gets a prefix, NUL-terminated inside it, and the same answer. */
	need2 = safetext_term(part, cut, s, n, flags);
	if (need2 != need)
		abort();
	if (cut && (strlen(part) >= cut || strncmp(part, full, strlen(part)) != 0))
		abort();
	free(full);
	free(part);
}

static void check_json(const char *s, size_t n, size_t cut)
{
	size_t full_len = SAFETEXT_JSON_SIZE(n);
	char *full = malloc(full_len), *part = malloc(cut ? cut : 1);
	struct json_object *o, *back;
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (!full || !part)
		abort();
	if (safetext_json(full, full_len, s, n) != strlen(full) || !valid(full, false))
		abort();
	if (safetext_json(part, cut, s, n) != strlen(full))
		abort();
	if (cut && (strlen(part) >= cut || strncmp(part, full, strlen(part)) != 0))
		abort();
	if (safetext_is_utf8(s, n) != (strcmp(full, s) == 0 && strnlen(s, n) == strlen(full)))
		abort();
	/* The raw bytes, embedded NULs included, through the repair and the printer. */
	o = json_object_new_array();
	json_object_array_add(o, json_object_new_string_len(s, (int)n));
	json_object_array_add(o, out_json_string(s, n));
	mem = open_memstream(&text, &len);
	if (!o || !mem || out_json_write(mem, o, JSON_C_TO_STRING_PLAIN) != 0)
		abort();
	fclose(mem);
	if (!valid(text, false))
		abort();
	for (const char *p = text; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			abort();
	back = json_tokener_parse(text);
	if (!back || strcmp(json_object_get_string(json_object_array_get_idx(back, 1)), full) != 0)
		abort();
	json_object_put(back);
	json_object_put(o);
	free(text);
	free(full);
	free(part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cut = size ? data[0] % 24 : 0;
	char *s;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	for (unsigned int flags = 0; flags < 4; flags++)
		check_term(s, size, flags, cut);
	check_json(s, size, cut);
	free(s);
	return 0;
}
