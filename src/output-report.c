// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTML report: a page a ticket or an email can carry on its own. No
 * external resource of any kind (no src/href to a URL, no script, inline
 * CSS); every string that came from the system or a file goes through
 * html_fputs(). Formats only; the command collects.
 */
#include "output-report.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "doctor/advice.h"
#include "doctor/facts.h"
#include "html.h"
#include "tcpstate.h"

static const char css[] =
	"body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;max-width:1100px}"
	"h1{font-size:22px;margin-bottom:2px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}"
	".meta{color:#555;font-size:13px}"
	"table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left;"
	"vertical-align:top}th{background:#f3f3f3}"
	"td.num{text-align:right;font-variant-numeric:tabular-nums}"
	"pre{background:#f8f8f8;border:1px solid #e3e3e3;padding:10px;font-size:12px;overflow-x:auto;"
	"white-space:pre}"
	".sev{font-weight:bold;padding:1px 6px;border-radius:3px;color:#fff}"
	".sev-critical{background:#d62728}.sev-warning{background:#e08a00}.sev-unknown{background:#7f7f7f}"
	".sev-info{background:#1f77b4}.sev-ok{background:#2ca02c}"
	".finding{margin:10px 0 16px 0}.finding h3{font-size:15px;margin:4px 0}"
	".graph svg{max-width:100%;height:auto;border:1px solid #eee}";

static void sev_badge(FILE *f, enum tw_sev s)
{
	const char *n = advice_sev_name(s);

	fprintf(f, "<span class=\"sev sev-%s\">%s</span>", n, n);
}

static void finding_html(FILE *f, const struct advice_finding *fd)
{
	fputs("<div class=\"finding\"><h3>", f);
	sev_badge(f, fd->sev);
	fputs(" ", f);
	html_fputs(f, fd->title);
	fputs(" <small>(", f);
	html_fputs(f, fd->id ? fd->id : "");
	fputs(")</small></h3>\n", f);
	if (fd->n_evidence) {
		fputs("<p><b>Evidence</b></p><ul>\n", f);
		for (size_t i = 0; i < fd->n_evidence; i++) {
			fputs("<li>", f);
			html_fputs(f, fd->evidence[i]);
			fputs("</li>\n", f);
		}
		fputs("</ul>\n", f);
	}
	if (fd->why[0]) {
		fputs("<p><b>Why it matters:</b> ", f);
		html_fputs(f, fd->why);
		fputs("</p>\n", f);
	}
	if (fd->n_fix) {
		fputs("<p><b>Fix</b></p><pre>", f);
		for (size_t i = 0; i < fd->n_fix; i++) {
			html_fputs(f, fd->fix[i]);
			fputs("\n", f);
		}
		fputs("</pre>\n", f);
	}
	if (fd->reference) {
		/* a path inside the documentation, shown as text, not a link */
		fputs("<p class=\"meta\">Reference: ", f);
		html_fputs(f, fd->reference);
		fputs("</p>\n", f);
	}
	fputs("</div>\n", f);
}

static void findings_html(FILE *f, const struct report_doc *d)
{
	const struct advice_report *r = d->rep;
	bool any = false;

	fputs("<h2 id=\"findings\">Findings</h2>\n<p>Overall: ", f);
	sev_badge(f, r->overall == TW_SEV_INFO ? TW_SEV_OK : r->overall);
	fprintf(f, " &mdash; %zu critical, %zu warning, %zu unknown, %zu info, %zu ok</p>\n",
		r->counts[TW_SEV_CRITICAL], r->counts[TW_SEV_WARNING], r->counts[TW_SEV_UNKNOWN],
		r->counts[TW_SEV_INFO], r->counts[TW_SEV_OK]);
	fputs("<table><tr><th>severity</th><th>finding</th><th>id</th></tr>\n", f);
	for (int s = TW_SEV_CRITICAL; s >= TW_SEV_OK; s--)
		for (size_t i = 0; i < ADV_RULE_MAX; i++) {
			const struct advice_finding *fd = &r->findings[i];

			if ((int)fd->sev != s)
				continue;
			fputs("<tr><td>", f);
			sev_badge(f, fd->sev);
			fputs("</td><td>", f);
			html_fputs(f, fd->title);
			fputs("</td><td>", f);
			html_fputs(f, fd->id ? fd->id : "");
			fputs("</td></tr>\n", f);
		}
	fputs("</table>\n", f);
	for (int s = TW_SEV_CRITICAL; s >= TW_SEV_INFO; s--)
		for (size_t i = 0; i < ADV_RULE_MAX; i++)
			if ((int)d->rep->findings[i].sev == s) {
				if (!any)
					fputs("<h2 id=\"details\">Details</h2>\n", f);
				any = true;
				finding_html(f, &d->rep->findings[i]);
			}
	if (d->doctor_text) {
		fputs("<h2 id=\"doctor\">The doctor's report as text</h2>\n<pre>", f);
		html_fputs(f, d->doctor_text);
		fputs("</pre>\n", f);
	}
}

/* Without a live census (--load): the states the bundle holds. */
static void census_from_facts(FILE *f, const struct tw_facts *facts)
{
	const struct facts_census *c = &facts->census;

	if (!c->have) {
		fputs("<p>The bundle holds no socket census.</p>\n", f);
		return;
	}
	fputs("<table><tr><th>state</th><th>sockets</th></tr>\n", f);
	for (unsigned int s = 0; s < 14; s++) {
		const char *n = tcpstate_name(s);

		if (!n || !c->states[s])
			continue;
		fputs("<tr><td>", f);
		html_fputs(f, n);
		fprintf(f, "</td><td class=\"num\">%llu</td></tr>\n", (unsigned long long)c->states[s]);
	}
	fprintf(f, "<tr><td>time_wait, we closed first (client side)</td><td class=\"num\">%llu</td></tr>\n"
		"<tr><td>time_wait, the peer closed first (server side)</td><td class=\"num\">%llu</td></tr>\n"
		"</table>\n", (unsigned long long)c->tw_client, (unsigned long long)c->tw_server);
}

void report_print_html(FILE *f, const struct report_doc *d)
{
	char when[64];
	time_t t = (time_t)d->generated;
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm))
		snprintf(when, sizeof(when), "%lld", (long long)d->generated);
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>twscope report: ", f);
	html_fputs(f, d->host);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>twscope report: ", css);
	html_fputs(f, d->host);
	fputs("</h1>\n<p class=\"meta\">", f);
	if (d->bundle) {
		fputs("From the saved bundle ", f);
		html_fputs(f, d->bundle);
		fputs(", rendered ", f);
	} else {
		fputs("Collected ", f);
	}
	fprintf(f, "%s by twscope %s", when, TW_VERSION);
	if (d->facts->kernel[0]) {
		fputs("; kernel ", f);
		html_fputs(f, d->facts->kernel);
	}
	if (d->netns && d->netns[0]) {
		fputs("; network namespace ", f);
		html_fputs(f, d->netns);
	}
	fputs(".</p>\n", f);
	fputs("<p class=\"meta\">Contents: findings, details and fixes, the socket census", f);
	if (d->history)
		fputs(", graphs of the recorded history", f);
	fputs(". Thresholds and rule ids: docs/findings.md (or <code>twscope explain ID</code>).</p>\n", f);
	findings_html(f, d);
	fputs("<h2 id=\"census\">Socket census</h2>\n", f);
	if (d->census_text) {
		fputs("<pre>", f);
		html_fputs(f, d->census_text);
		fputs("</pre>\n", f);
	} else {
		census_from_facts(f, d->facts);
	}
	if (d->history) {
		fputs("<h2 id=\"history\">History</h2>\n<p class=\"meta\">From ", f);
		html_fputs(f, d->history);
		fputs(". Times are UTC; findings are marked on the time axis.</p>\n", f);
		for (size_t i = 0; i < d->n_graphs; i++) {
			fputs("<h3>", f);
			html_fputs(f, d->graphs[i].title);
			fputs("</h3>\n", f);
			if (d->graphs[i].svg) {
				/* our own SVG from graph_render(): its text is escaped there */
				fputs("<div class=\"graph\">\n", f);
				fputs(d->graphs[i].svg, f);
				fputs("</div>\n", f);
			} else {
				fputs("<p>", f);
				html_fputs(f, d->graphs[i].note ? d->graphs[i].note : "no data");
				fputs("</p>\n", f);
			}
		}
	}
	fputs("</body>\n</html>\n", f);
}
