// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * HTML/XML escaping of untrusted text: markup characters become entities,
 * what XML cannot carry (controls, broken UTF-8) becomes U+FFFD. No
 * allocation; html_fputs()/html_fwrite() only write to the given stream.
 */
#include "html.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "safetext.h"

#define REPLACEMENT "\xef\xbf\xbd"

/* The replacement of the character at s (clen bytes, code point cp), or NULL to copy it. */
static const char *subst(const char *s, size_t clen, uint32_t cp)
{
	if (clen == 0)
		return REPLACEMENT;
	switch (s[0]) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\t':
	case '\n':
		return NULL;
	}
	if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0xfffe || cp == 0xffff)
		return REPLACEMENT;
	return NULL;
}

size_t html_escape(char *dst, size_t len, const char *s, size_t n)
{
	size_t need = 0, end = 0, i = 0;
	bool cut = false;

	while (i < n && s[i]) {
		uint32_t cp = 0;
		size_t clen = safetext_utf8_len(s + i, n - i, &cp);
		const char *rep = subst(s + i, clen, cp);
		const char *out = rep ? rep : s + i;
		size_t olen = rep ? strlen(rep) : clen;

		if (!cut && need + olen < len) {
			memcpy(dst + need, out, olen);
			end = need + olen;
		} else {
			cut = true;
		}
		need += olen;
		i += clen ? clen : 1;
	}
	if (len)
		dst[end] = '\0';
	return need;
}

void html_fwrite(FILE *f, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i]) {
		uint32_t cp = 0;
		size_t clen = safetext_utf8_len(s + i, n - i, &cp);
		const char *rep = subst(s + i, clen, cp);

		if (rep)
			fputs(rep, f);
		else
			fwrite(s + i, 1, clen, f);
		i += clen ? clen : 1;
	}
}

void html_fputs(FILE *f, const char *s)
{
	html_fwrite(f, s, SIZE_MAX);
}
