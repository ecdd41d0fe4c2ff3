/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * safetext: render untrusted strings (process comm, netns names, sysctl.d
 * paths and values, bundle fields) so they cannot drive a terminal and so
 * JSON stays valid UTF-8. One implementation for every renderer. Pure: no
 * I/O, no allocation.
 */
#ifndef TWSCOPE_SAFETEXT_H
#define TWSCOPE_SAFETEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* safetext_term() flags. */
#define SAFETEXT_UTF8 0x1u	/* keep printable non-ASCII UTF-8 (stdout is a UTF-8 terminal) */
#define SAFETEXT_NAGIOS 0x2u	/* also escape '|', the Nagios perfdata separator */

/* Worst-case output for n input bytes, terminating NUL included. */
#define SAFETEXT_TERM_SIZE(n) (4 * (n) + 1)
#define SAFETEXT_JSON_SIZE(n) (3 * (n) + 1)

/*
 * safetext_utf8_len() - length of the well-formed UTF-8 sequence at s (at
 * most n bytes; RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF), with its code point in *ret_cp when ret_cp is not NULL.
 * Returns 1..4, or 0 when s does not start a valid sequence (or n is 0).
 */
size_t safetext_utf8_len(const char *s, size_t n, uint32_t *ret_cp);

/*
 * safetext_is_hidden() - is cp a C1 control (U+0080..U+009F) or an
 * invisible format character that reorders or hides text (bidi overrides
 * and isolates, zero-width characters, line/paragraph separators, BOM)?
 */
bool safetext_is_hidden(uint32_t cp);

/* safetext_is_utf8() - are the first n bytes of s (up to a NUL) valid UTF-8? */
bool safetext_is_utf8(const char *s, size_t n);

/*
 * safetext_term() - s (up to n bytes or its NUL) for a terminal, a table
 * or a Nagios line. Every byte of a control character (C0, DEL, the C1
 * range U+0080..U+009F), of an invalid or overlong sequence, and of an
 * invisible format character (bidi overrides, zero-width, line separators,
 * BOM) becomes "\xNN"; a backslash becomes "\\"; with SAFETEXT_NAGIOS a
 * '|' becomes "\x7c". Other non-ASCII characters are kept only with
 * SAFETEXT_UTF8, else escaped byte by byte, so without it the output is
 * printable ASCII.
 * Writes at most len bytes including a NUL (when len > 0), never cutting
 * an escape or a character. Returns the length the whole result needs,
 * NUL excluded, like snprintf(): the output was cut when it is >= len.
 */
size_t safetext_term(char *dst, size_t len, const char *s, size_t n, unsigned int flags);

/*
 * safetext_json() - s (up to n bytes or its NUL) as valid UTF-8 for a JSON
 * string: well-formed characters are copied, control characters included
 * (the JSON encoder escapes them); each byte that does not start a valid
 * sequence becomes U+FFFD. Same buffer contract and return as
 * safetext_term().
 */
size_t safetext_json(char *dst, size_t len, const char *s, size_t n);

#endif
