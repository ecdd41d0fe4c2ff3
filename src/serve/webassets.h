/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webassets: the files of serve's landing page (web/ in the source tree,
 * embedded at build time by scripts/embed-text), looked up by URL path.
 * Read-only data; nothing here does I/O.
 */
#ifndef TWSCOPE_SERVE_WEBASSETS_H
#define TWSCOPE_SERVE_WEBASSETS_H

#include <stddef.h>

struct webasset {
	const char *path;		/* URL path, "/" for the page */
	const char *type;		/* Content-Type */
	const char *body;		/* NUL-terminated text */
};

/* webasset_find() - the asset served at path (exact match), or NULL. */
const struct webasset *webasset_find(const char *path);

#endif
