// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the history reader (graph --input, report --history) and the
 * drawing of what it accepts: every view as SVG, and one as PNG, into
 * memory. A rejected input has a one-line error; an accepted one draws or
 * says there is nothing to draw, and its SVG is valid UTF-8 with no
 * control character, whatever the names and texts held.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../utf8-check.h"
#include "graph/render.h"
#include "graph/series.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * fontconfig (under cairo's toy font API) now and then drops a pattern it
 * built when cairo's font cache evicts a face: its leak, not ours.
 */
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graph_history h;
	char err[512];

	if (graph_history_parse((const char *)data, size, &h, err, sizeof(err)) < 0) {
		if (!err[0] || strchr(err, '\n'))
			abort();
		return 0;
	}
	for (int v = GRAPH_VIEW_OVERVIEW; v <= GRAPH_VIEW_RATES; v++) {
		struct graph_opts o = { .view = (enum graph_view)v, .format = GRAPH_FMT_SVG, .width = 480,
					.id_prefix = v == GRAPH_VIEW_DEST ? "g1-" : NULL };
		char *buf = NULL;
		size_t n = 0;
		int r = graph_render(&h, &o, &buf, &n, err, sizeof(err));

		if (r == -ENODATA || r == -EINVAL) {
			/* nothing to draw, or the panels need more height than the cap */
			if (!err[0] || strchr(err, '\n'))
				abort();
			continue;
		}
		if (r < 0)
			abort();
		if (strlen(buf) != n || !utf8_check(buf, UTF8_NO_CONTROLS))
			abort();
		free(buf);
		if (v == GRAPH_VIEW_OVERVIEW) {
			o.format = GRAPH_FMT_PNG;
			o.width = 320;
			o.height = 240 + (size & 0xff);
			buf = NULL;
			r = graph_render(&h, &o, &buf, &n, err, sizeof(err));
			if (r < 0 && r != -EINVAL)
				abort();
			free(buf);
		}
	}
	graph_history_done(&h);
	return 0;
}
