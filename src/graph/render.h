/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Drawing the history with cairo: panels of series over a shared UTC time
 * axis, a legend, findings marked on the time axis, as SVG or PNG into a
 * memory buffer. The SVG also carries the drawn numbers (per series, the
 * points after downsampling to the plot width, and each panel's axis
 * mapping) and its text as real <text> so it can be searched and checked.
 */
#ifndef TWSCOPE_GRAPH_RENDER_H
#define TWSCOPE_GRAPH_RENDER_H

#include <stddef.h>

struct graph_history;

enum graph_view {
	GRAPH_VIEW_OVERVIEW,	/* sockets by state, TW:ESTAB ratio, close rate */
	GRAPH_VIEW_DEST,	/* port use % and close rate per destination */
	GRAPH_VIEW_RATES,	/* the counter rates */
};

enum graph_format {
	GRAPH_FMT_SVG,
	GRAPH_FMT_PNG,
};

#define GRAPH_MIN_WIDTH 320
#define GRAPH_MAX_WIDTH 8000
#define GRAPH_MIN_HEIGHT 240
#define GRAPH_MAX_HEIGHT 8000
#define GRAPH_DEFAULT_WIDTH 1000
#define GRAPH_TOP_DESTS 6		/* destinations drawn in the dest view */

struct graph_opts {
	enum graph_view view;
	enum graph_format format;
	unsigned int width;	/* pixels; 0 = GRAPH_DEFAULT_WIDTH */
	unsigned int height;	/* pixels; 0 = as the panels need */
	/*
	 * SVG to inline in HTML: no XML prolog, and every id (and reference
	 * to one) starts with this prefix so several graphs share a page.
	 */
	const char *id_prefix;
};

/* graph_view_parse() - "overview", "dest", "rates". 0 or -EINVAL. */
int graph_view_parse(const char *s, enum graph_view *ret);

/* graph_view_name() - the name graph_view_parse() takes. */
const char *graph_view_name(enum graph_view v);

/*
 * graph_render() - draw view o->view of h as o->format into a new buffer
 * (*ret_buf, *ret_len; the caller frees it). On error err holds one
 * lowercase sentence: nothing to draw (no points in any series of the
 * view), a size out of range, or a cairo failure.
 * Returns 0, -ENODATA (nothing to draw), -EINVAL (size), -ENOMEM or -EIO.
 */
int graph_render(const struct graph_history *h, const struct graph_opts *o, char **ret_buf, size_t *ret_len,
		 char *err, size_t len);

/*
 * graph_release_fonts() - free the font caches cairo and fontconfig keep
 * for the life of the process (call once no graph is drawn any more; they
 * are rebuilt if one is). Keeps leak checkers quiet.
 */
void graph_release_fonts(void);

#endif
