// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the sysctl.d scanner: the input is one configuration file's text,
 * fed to sysconf_scan_text() (the code path sysconf_scan_root() runs on each
 * file) and, line by line, to sysconf_parse_line(). Every entry kept must be
 * a watched key with a trimmed value, found again on its own line.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/sysctlconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The nth (1-based) line of text as a C string in line (up to its first NUL). */
static bool nth_line(const char *text, size_t len, unsigned int n, char *line, size_t line_len)
{
	const char *p = text, *end = text + len, *nl;
	size_t l;

	for (unsigned int i = 1; i < n; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	l = (size_t)((nl ? nl : end) - p);
	if (l >= line_len)
		return false;
	memcpy(line, p, l);
	line[l] = '\0';
	return true;
}

static void check_entry(const struct sysconf_entry *e, const char *text, size_t len,
			unsigned int prev_line)
{
	char line[1024], key[128], value[512];
	size_t vl = strlen(e->value);

	if (isspace((unsigned char)e->key[0]) || strcmp(e->file, "/etc/sysctl.d/fuzz.conf") != 0 || e->line <= prev_line)
		abort();
	if (!sysconf_is_watched(e->key))
		abort();
	if (vl && (isspace((unsigned char)e->value[0]) || isspace((unsigned char)e->value[vl - 1])))
		abort();
	if (!nth_line(text, len, e->line, line, sizeof(line)))
		abort();
	if (sysconf_parse_line(line, key, sizeof(key), value, sizeof(value)) != 1 ||
	    strcmp(key, e->key) != 0 || strcmp(value, e->value) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char key[8], value[8];
	struct sysconf c = { 0 };
	unsigned int prev = 0;
	char *s;
	int r;

	r = sysconf_scan_text(&c, "/etc/sysctl.d/fuzz.conf", text, size);
	if (r != 0 && r != -ENOMEM)
		abort();
	if (c.n > SYSCONF_MAX_ENTRIES)
		abort();
	for (size_t i = 0; i < c.n; i++) {
		check_entry(&c.v[i], text, size, prev);
		prev = c.v[i].line;
	}
	sysconf_done(&c);

	/* the whole input as one line, into buffers too small for any watched key */
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	r = sysconf_parse_line(s, key, sizeof(key), value, sizeof(value));
	if (r != 0 && r != -EINVAL)
		abort();
	free(s);
	return 0;
}
