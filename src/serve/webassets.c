// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The URL table of the embedded landing page. The texts come from web/
 * through $(OUT)/gen/web-assets.c (scripts/embed-text); only web/ holds them.
 */
#include "serve/webassets.h"

#include <string.h>

extern const char web_index_html[];
extern const char web_app_js[];
extern const char web_app_css[];
extern const char web_favicon_svg[];
extern const char web_uplot_js[];
extern const char web_uplot_css[];
extern const char web_uplot_license[];

static const struct webasset assets[] = {
	{ "/", "text/html; charset=utf-8", web_index_html },
	{ "/index.html", "text/html; charset=utf-8", web_index_html },
	{ "/app.js", "text/javascript; charset=utf-8", web_app_js },
	{ "/app.css", "text/css; charset=utf-8", web_app_css },
	{ "/favicon.svg", "image/svg+xml", web_favicon_svg },
	{ "/vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8", web_uplot_js },
	{ "/vendor/uPlot.min.css", "text/css; charset=utf-8", web_uplot_css },
	{ "/vendor/uPlot.LICENSE", "text/plain; charset=utf-8", web_uplot_license },
};

const struct webasset *webasset_find(const char *path)
{
	for (size_t i = 0; i < sizeof(assets) / sizeof(assets[0]); i++)
		if (strcmp(assets[i].path, path) == 0)
			return &assets[i];
	return NULL;
}
