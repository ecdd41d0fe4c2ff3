// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Terminal-safe and JSON-safe text from untrusted bytes (docs/json-schema.md
 * "Strings"). Pure: no I/O, no allocation; callers own the buffers.
 */
#include "safetext.h"

#include <string.h>

size_t safetext_utf8_len(const char *str, size_t n, uint32_t *ret_cp)
{
	const uint8_t *s = (const uint8_t *)str;
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;
	uint32_t cp;

	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		len = 1;
		cp = s[0];
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
		/* E0 would be overlong below A0; ED A0..BF are UTF-16 surrogates. */
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
		/* F0 would be overlong below 90; F4 90.. is above U+10FFFF. */
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		uint8_t min = i == 1 ? lo : 0x80, max = i == 1 ? hi : 0xbf;

		if (s[i] < min || s[i] > max)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (ret_cp)
		*ret_cp = cp;
	return len;
}

bool safetext_is_utf8(const char *s, size_t n)
{
	n = strnlen(s, n);
	for (size_t i = 0; i < n;) {
		size_t l = safetext_utf8_len(s + i, n - i, NULL);

		if (!l)
			return false;
		i += l;
	}
	return true;
}

bool safetext_is_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||		/* C1 controls (CSI is U+009B) */
	       cp == 0x061c ||				/* arabic letter mark */
	       cp == 0x180e ||				/* mongolian vowel separator */
	       (cp >= 0x200b && cp <= 0x200f) ||	/* zero-width, LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) ||	/* line/paragraph separators, bidi */
	       (cp >= 0x2060 && cp <= 0x206f) ||	/* word joiner, bidi isolates */
	       cp == 0xfeff ||				/* BOM, zero-width no-break space */
	       (cp >= 0xfff9 && cp <= 0xfffb);		/* interlinear annotation */
}

/* Append piece (k bytes) when it fits, with room for the NUL; count it either way. */
static void put(char *dst, size_t len, size_t *used, bool *full, const char *piece, size_t k)
{
	if (!*full && *used + k < len)
		memcpy(dst + *used, piece, k);
	else
		*full = true;
	*used += k;
}

static void put_hex(char *dst, size_t len, size_t *used, bool *full, const char *s, size_t k)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < k; i++) {
		uint8_t b = (uint8_t)s[i];
		char e[4] = { '\\', 'x', hex[b >> 4], hex[b & 0xf] };

		put(dst, len, used, full, e, sizeof(e));
	}
}

/* NUL-terminate at the last whole piece written. */
static void finish(char *dst, size_t len, size_t used, bool full, size_t written)
{
	if (len)
		dst[full ? written : used] = '\0';
}

size_t safetext_term(char *dst, size_t len, const char *s, size_t n, unsigned int flags)
{
	size_t used = 0, written = 0;
	bool full = false;

	n = strnlen(s, n);
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t l = safetext_utf8_len(s + i, n - i, &cp);

		if (l == 0) {
			l = 1;
			put_hex(dst, len, &used, &full, s + i, 1);
		} else if (cp < 0x20 || cp == 0x7f || safetext_is_hidden(cp)) {
			put_hex(dst, len, &used, &full, s + i, l);
		} else if (cp == '\\') {
			put(dst, len, &used, &full, "\\\\", 2);
		} else if (cp == '|' && (flags & SAFETEXT_NAGIOS)) {
			put_hex(dst, len, &used, &full, s + i, 1);
		} else if (cp >= 0x80 && !(flags & SAFETEXT_UTF8)) {
			put_hex(dst, len, &used, &full, s + i, l);
		} else {
			put(dst, len, &used, &full, s + i, l);
		}
		if (!full)
			written = used;
		i += l;
	}
	finish(dst, len, used, full, written);
	return used;
}

size_t safetext_json(char *dst, size_t len, const char *s, size_t n)
{
	size_t used = 0, written = 0;
	bool full = false;

	n = strnlen(s, n);
	for (size_t i = 0; i < n;) {
		size_t l = safetext_utf8_len(s + i, n - i, NULL);

		if (l == 0) {
			put(dst, len, &used, &full, "\xef\xbf\xbd", 3);
			l = 1;
		} else {
			put(dst, len, &used, &full, s + i, l);
		}
		if (!full)
			written = used;
		i += l;
	}
	finish(dst, len, used, full, written);
	return used;
}
