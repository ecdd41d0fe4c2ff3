/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * html: untrusted text (process names, findings, hostnames, series names)
 * made safe inside HTML or XML (SVG) text and attribute values. Pure
 * escaping, one implementation for the report and the graphs.
 */
#ifndef TWSCOPE_HTML_H
#define TWSCOPE_HTML_H

#include <stddef.h>
#include <stdio.h>

/*
 * html_escape() - s (up to n bytes or its NUL) for HTML/XML text or a
 * quoted attribute value: & < > " ' become &amp; &lt; &gt; &quot; &#39;;
 * each byte of an invalid UTF-8 sequence, every C0 control character but
 * tab and newline, DEL and U+0080..U+009F (C1) become U+FFFD, so the
 * result is valid UTF-8 and valid XML 1.0 text. Writes at most len bytes
 * including a NUL (when len > 0), never cutting an entity or a character.
 * Returns the length the whole result needs, NUL excluded (like
 * snprintf()): the output was cut when it is >= len.
 */
size_t html_escape(char *dst, size_t len, const char *s, size_t n);

/* html_fputs() - html_escape() of the string s written to f. */
void html_fputs(FILE *f, const char *s);

/* html_fwrite() - html_escape() of n bytes at s (or up to a NUL) written to f. */
void html_fwrite(FILE *f, const char *s, size_t n);

#endif
