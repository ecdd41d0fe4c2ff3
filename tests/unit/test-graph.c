// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * graph: nice tick steps, value and time axis labels, the history JSON
 * validation (one clear error per kind of bad input), the views' panels,
 * downsampling with gaps, and rendering to memory (SVG prolog, id prefixes,
 * nothing to draw, sizes).
 */
#include "tw-test.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include "graph/axis.h"
#include "graph/panel.h"
#include "graph/render.h"
#include "graph/series.h"

#define S 1764250000LL

static void test_nice_step(void **state)
{
	(void)state;
	assert_true(axis_nice_step(3100, 8) == 500);
	assert_true(axis_nice_step(1, 5) == 0.2);
	assert_true(fabs(axis_nice_step(0.3, 3) - 0.1) < 1e-12);
	assert_true(axis_nice_step(100, 4) == 25);
	assert_true(axis_nice_step(7, 1) == 10);
	assert_true(axis_nice_step(1e6, 5) == 2e5);
	assert_true(axis_nice_step(0, 5) == 1);
	assert_true(axis_nice_step(-3, 5) == 1);
	assert_true(axis_nice_step(NAN, 5) == 1);
	assert_true(axis_nice_step(INFINITY, 5) == 1);
	assert_true(axis_nice_step(10, 0) == 10);
}

static void test_value_range(void **state)
{
	struct axis_value a;

	(void)state;
	axis_value_range(0, 3100, 8, 0, &a);
	assert_true(a.lo == 0 && a.hi == 3500 && a.step == 500);
	assert_int_equal(a.n, 8);
	/* exactly on a tick: no extra tick above */
	axis_value_range(0, 3000, 6, 0, &a);
	assert_true(a.hi == 3000 && a.step == 500);
	/* nothing or zeros: [0, 1] */
	axis_value_range(0, 0, 5, 0, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	axis_value_range(INFINITY, -INFINITY, 5, 0, &a);
	assert_true(a.lo == 0 && a.hi == 1);
	/* percent: up to 100 unless over it */
	axis_value_range(0, 90, 5, 100, &a);
	assert_true(a.hi == 100 && a.step == 20);
	axis_value_range(0, 150, 5, 100, &a);
	assert_true(a.hi == 150 && a.step == 50);
	/* negative values start below zero on a tick */
	axis_value_range(-5, 10, 5, 0, &a);
	assert_true(a.lo == -5 && a.hi == 10 && a.step == 5);
	/* ratios */
	axis_value_range(0, 2.3076923, 5, 0, &a);
	assert_true(a.hi == 2.5 && a.step == 0.5);
	assert_int_equal(a.n, 6);
}

static void test_value_labels(void **state)
{
	char b[AXIS_LABEL_LEN];

	(void)state;
	assert_string_equal(axis_value_label(0, 500, b, sizeof(b)), "0");
	assert_string_equal(axis_value_label(500, 500, b, sizeof(b)), "500");
	assert_string_equal(axis_value_label(1000, 500, b, sizeof(b)), "1.0k");
	assert_string_equal(axis_value_label(3500, 500, b, sizeof(b)), "3.5k");
	assert_string_equal(axis_value_label(20000, 5000, b, sizeof(b)), "20k");
	assert_string_equal(axis_value_label(0, 1000, b, sizeof(b)), "0");
	assert_string_equal(axis_value_label(0, 2e6, b, sizeof(b)), "0");
	assert_string_equal(axis_value_label(1e-6, 1000, b, sizeof(b)), "0");
	assert_string_equal(axis_value_label(2e6, 1e6, b, sizeof(b)), "2M");
	assert_string_equal(axis_value_label(2.5e6, 5e5, b, sizeof(b)), "2.5M");
	assert_string_equal(axis_value_label(0.25, 0.25, b, sizeof(b)), "0.25");
	assert_string_equal(axis_value_label(1.5, 0.5, b, sizeof(b)), "1.5");
	assert_string_equal(axis_value_label(40, 10, b, sizeof(b)), "40");
	assert_string_equal(axis_value_label(-5, 5, b, sizeof(b)), "-5");
	/* rounding noise near zero prints as 0 */
	assert_string_equal(axis_value_label(1e-17, 0.1, b, sizeof(b)), "0.0");
}

static void test_time_ticks(void **state)
{
	struct axis_time t;
	char b[AXIS_LABEL_LEN], span[64];

	(void)state;
	/* 5 minutes, room for 10: every minute on the minute, HH:MM */
	axis_time_ticks(S, S + 300, 10, &t);
	assert_int_equal(t.step_sec, 60);
	assert_int_equal(t.fmt, AXIS_TIME_HM);
	assert_int_equal(t.n, 5);
	assert_int_equal(t.t[0], S + 20);
	assert_string_equal(axis_time_label(t.t[0], t.fmt, b, sizeof(b)), "13:27");
	/* 40 seconds: seconds shown */
	axis_time_ticks(S, S + 40, 10, &t);
	assert_int_equal(t.step_sec, 5);
	assert_int_equal(t.fmt, AXIS_TIME_HMS);
	assert_string_equal(axis_time_label(t.t[0], t.fmt, b, sizeof(b)), "13:26:40");
	/* two days: 6 h steps at UTC 00/06/12/18, with the date */
	axis_time_ticks(S, S + 2 * 86400, 10, &t);
	assert_int_equal(t.step_sec, 21600);
	assert_int_equal(t.fmt, AXIS_TIME_DAY_HM);
	assert_int_equal(t.t[0] % 21600, 0);
	assert_string_equal(axis_time_label(t.t[0], t.fmt, b, sizeof(b)), "11-27 18:00");
	/* two months: weeks, dates */
	axis_time_ticks(S, S + 60 * 86400, 10, &t);
	assert_int_equal(t.step_sec, 7 * 86400);
	assert_int_equal(t.fmt, AXIS_TIME_DATE);
	assert_true(t.n <= 10);
	assert_string_equal(axis_time_label(S, AXIS_TIME_DATE, b, sizeof(b)), "2025-11-27");
	/* ten years in 3 ticks still fits */
	axis_time_ticks(S, S + 3650LL * 86400, 3, &t);
	assert_true(t.n >= 1 && t.n <= 3);
	/* a one-second range, and max_ticks past the array */
	axis_time_ticks(S, S + 1, 1000, &t);
	assert_int_equal(t.step_sec, 1);
	assert_int_equal(t.n, 2);
	assert_string_equal(axis_time_span(S, S + 300, span, sizeof(span)), "2025-11-27 13:26:40 - 13:31:40 UTC");
	assert_string_equal(axis_time_span(S, S + 86400, span, sizeof(span)),
			    "2025-11-27 13:26:40 - 2025-11-28 13:26:40 UTC");
}

static int parse(const char *json, struct graph_history *h, char *err, size_t len)
{
	return graph_history_parse(json, strlen(json), h, err, len);
}

#define HDR "\"version\":1,\"since\":1764250000,\"until\":1764250100,\"step_sec\":10"

static void bad(const char *json, int want, const char *msg)
{
	struct graph_history h = { 0 };
	char err[512];

	assert_int_equal(parse(json, &h, err, sizeof(err)), want);
	assert_string_equal(err, msg);
	assert_null(h.s);
}

static void test_parse_errors(void **state)
{
	(void)state;
	bad("", -EINVAL, "history is empty");
	bad(" \n", -EINVAL, "history is empty");
	bad("{", -EINVAL, "history is truncated: the JSON ends before the document does");
	bad("42", -EINVAL, "history must be a JSON object, not a number");
	bad("{\"version\":\"1\"}", -EINVAL, "history \"version\" must be 1");
	bad("{\"version\":1,\"since\":-1,\"until\":1,\"series\":[]}", -EINVAL,
	    "history \"since\" must be whole unix seconds");
	bad("{" HDR "}", -EINVAL, "history has no \"series\"");
	bad("{" HDR ",\"step_sec\":0,\"series\":[]}", -EINVAL,
	    "history \"step_sec\" must be whole seconds from 1 to 2678400");
	bad("{" HDR ",\"series\":[1]}", -EINVAL, "series 0 must be an object, not a number");
	bad("{" HDR ",\"series\":[{\"points\":[]}]}", -EINVAL, "series 0 has no \"name\"");
	bad("{" HDR ",\"series\":[{\"name\":\"\",\"points\":[]}]}", -EINVAL, "series 0 has an empty name");
	bad("{" HDR ",\"series\":[{\"name\":7,\"points\":[]}]}", -EINVAL,
	    "series 0: \"name\" must be a string, not a number");
	bad("{" HDR ",\"series\":[{\"name\":\"x\"}]}", -EINVAL, "series 'x' has no \"points\"");
	bad("{" HDR ",\"series\":[{\"name\":\"x\",\"points\":{}}]}", -EINVAL,
	    "series 'x': \"points\" must be an array, not an object");
	bad("{" HDR ",\"series\":[{\"name\":\"x\",\"points\":[[1764250000,1,2,null]]}]}", -EINVAL,
	    "series 'x': point 0: max must be a finite number within +-1e15");
	bad("{" HDR ",\"series\":[{\"name\":\"x\",\"points\":[[1764250000,-1e16,0,0]]}]}", -EINVAL,
	    "series 'x': point 0: min must be a finite number within +-1e15");
	bad("{" HDR ",\"series\":[{\"name\":\"x\",\"points\":[[1764250000,1,1,1],[1764249999,1,1,1]]}]}", -EINVAL,
	    "series 'x': point 1 is not later than the one before (points must be sorted by time, without "
	    "duplicates)");
	bad("{" HDR ",\"series\":[{\"name\":\"x\",\"points\":[]}],\"events\":[{\"t\":1,\"severity\":\"warning\"}]}",
	    -EINVAL, "event 0 has no \"id\"");
	bad("{" HDR ",\"series\":[{\"name\":\"x\",\"points\":[]}],\"events\":{}}", -EINVAL,
	    "history \"events\" must be an array, not an object");
	bad("{" HDR ",\"series\":[{\"name\":\"x\",\"unit\":\"\\u0007\",\"points\":[]}]}", -EINVAL,
	    "series 0: \"unit\" contains a control character");
	bad("{" HDR ",\"host\":\"\\u0000\",\"series\":[]}", -EINVAL, "history \"host\" is not valid UTF-8 text");
	bad("{\"a\":\"\xff\"}", -EINVAL, "history is not valid JSON: invalid utf-8 string at line 1 column 7");
}

static void test_parse_ok(void **state)
{
	static const char doc[] =
		"{" HDR ",\"host\":\"web1\",\"netns\":\"host\",\"extra\":[1,2],"
		"\"series\":[{\"name\":\"time_wait\",\"unit\":\"sockets\",\"points\":[[1764250000,1,2,3],"
		"[1764250010,4.5,4.5,4.5]]},{\"name\":\"established\",\"points\":[]}],"
		"\"events\":[{\"t\":1764250005,\"severity\":\"critical\",\"id\":\"port-exhaustion\",\"text\":\"92%\"}]}";
	struct graph_history h;
	const struct graph_series *s;
	char err[256];

	(void)state;
	assert_int_equal(parse(doc, &h, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(h.since, S);
	assert_int_equal(h.until, S + 100);
	assert_int_equal(h.step_sec, 10);
	assert_string_equal(h.host, "web1");
	assert_int_equal(h.n, 2);
	s = graph_history_find(&h, "time_wait");
	assert_non_null(s);
	assert_string_equal(s->unit, "sockets");
	assert_int_equal(s->n, 2);
	assert_int_equal(s->p[1].t, S + 10);
	assert_true(s->p[0].min == 1 && s->p[0].avg == 2 && s->p[0].max == 3 && s->p[1].avg == 4.5);
	assert_int_equal(graph_history_find(&h, "established")->n, 0);
	assert_null(graph_history_find(&h, "close_wait"));
	assert_int_equal(h.n_ev, 1);
	assert_int_equal(h.ev[0].sev, GRAPH_SEV_CRITICAL);
	assert_string_equal(h.ev[0].id, "port-exhaustion");
	assert_string_equal(h.ev[0].text, "92%");
	graph_history_done(&h);
	graph_history_done(&h);
}

/* n points of time_wait 10 s apart from S, a hole of hole_steps after the 5th */
static char *doc_points(size_t n, int hole_steps)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int64_t t = S;

	assert_non_null(f);
	fprintf(f, "{" HDR ",\"series\":[{\"name\":\"time_wait\",\"points\":[");
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s[%lld,%zu,%zu,%zu]", i ? "," : "", (long long)t, i, i, i);
		t += (i == 4 ? 1 + hole_steps : 1) * 10;
	}
	fprintf(f, "]},{\"name\":\"established\",\"points\":[[1764250000,0,0,0],[1764250010,4,4,4]]}]}");
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_panels_gaps(void **state)
{
	struct graph_history h;
	struct panel_set ps;
	char err[256], *doc;
	const struct panel_line *l;

	(void)state;
	/* a hole of 3 steps is joined, of 4 is not */
	for (int hole = 2; hole <= 3; hole++) {
		doc = doc_points(10, hole);
		assert_int_equal(parse(doc, &h, err, sizeof(err)), 0);
		free(doc);
		assert_int_equal(panel_set_build(&h, GRAPH_VIEW_OVERVIEW, &ps), 0);
		assert_int_equal(panel_set_sample(&ps, 800, h.step_sec), 0);
		/* sockets and ratio; no rates in this history */
		assert_int_equal(ps.n, 2);
		l = &ps.p[0].l[0];
		assert_string_equal(l->name, "time_wait");
		assert_int_equal(l->n, 10);
		assert_false(l->pt[4].gap_before);
		assert_int_equal(l->pt[5].gap_before, hole == 3);
		assert_true(l->vmax == 9 && l->last == 9);
		/* ratio only where ESTABLISHED > 0: 1 / 4 at S + 10 */
		l = &ps.p[1].l[0];
		assert_string_equal(l->name, "tw_estab_ratio");
		assert_int_equal(l->n, 1);
		assert_int_equal(l->pt[0].t, S + 10);
		assert_true(l->pt[0].avg == 0.25);
		assert_int_equal(ps.t0, S);
		assert_int_equal(ps.t1, S + (10 + hole) * 10 - 10);
		panel_set_done(&ps);
		graph_history_done(&h);
	}
}

static void test_downsample(void **state)
{
	struct graph_history h;
	struct panel_set ps;
	char err[256], *doc = doc_points(1000, 0);
	const struct panel_line *l;
	double sum = 0;

	(void)state;
	assert_int_equal(parse(doc, &h, err, sizeof(err)), 0);
	free(doc);
	assert_int_equal(panel_set_build(&h, GRAPH_VIEW_OVERVIEW, &ps), 0);
	assert_int_equal(panel_set_sample(&ps, 100, h.step_sec), 0);
	l = &ps.p[0].l[0];
	assert_int_equal(l->n, 100);
	/* columns keep min of mins and max of maxes, cover every point once */
	assert_true(l->pt[0].min == 0);
	assert_true(l->pt[99].max == 999);
	for (size_t i = 0; i < l->n; i++) {
		assert_true(l->pt[i].min <= l->pt[i].avg && l->pt[i].avg <= l->pt[i].max);
		assert_false(l->pt[i].gap_before);
		if (i)
			assert_true(l->pt[i].min == l->pt[i - 1].max + 1);
		sum += l->pt[i].max - l->pt[i].min + 1;
	}
	assert_true(sum == 1000);
	panel_set_done(&ps);
	/* the dest view has nothing here */
	assert_int_equal(panel_set_build(&h, GRAPH_VIEW_DEST, &ps), -ENODATA);
	graph_history_done(&h);
}

/* A destination has one colour in both dest panels, whatever its rank. */
static void test_dest_colors(void **state)
{
	static const char doc[] = "{" HDR ",\"series\":["
		"{\"name\":\"dest_use_pct:10.0.0.1:80\",\"points\":[[1764250000,90,90,90]]},"
		"{\"name\":\"dest_use_pct:10.0.0.2:80\",\"points\":[[1764250000,10,10,10]]},"
		"{\"name\":\"dest_close_rate:10.0.0.2:80\",\"points\":[[1764250000,50,50,50]]},"
		"{\"name\":\"dest_close_rate:10.0.0.3:80\",\"points\":[[1764250000,20,20,20]]},"
		"{\"name\":\"dest_close_rate:10.0.0.1:80\",\"points\":[[1764250000,5,5,5]]}]}";
	struct graph_history h;
	struct panel_set ps;
	char err[256];

	(void)state;
	assert_int_equal(parse(doc, &h, err, sizeof(err)), 0);
	assert_int_equal(panel_set_build(&h, GRAPH_VIEW_DEST, &ps), 0);
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.p[0].l[0].label, "10.0.0.1:80");
	assert_string_equal(ps.p[0].l[1].label, "10.0.0.2:80");
	assert_string_equal(ps.p[1].l[0].label, "10.0.0.2:80");
	assert_string_equal(ps.p[1].l[1].label, "10.0.0.3:80");
	assert_string_equal(ps.p[1].l[2].label, "10.0.0.1:80");
	assert_int_equal(ps.p[1].l[0].rgb, ps.p[0].l[1].rgb);
	assert_int_equal(ps.p[1].l[2].rgb, ps.p[0].l[0].rgb);
	/* the newcomer gets a colour neither panel uses */
	assert_int_not_equal(ps.p[1].l[1].rgb, ps.p[0].l[0].rgb);
	assert_int_not_equal(ps.p[1].l[1].rgb, ps.p[0].l[1].rgb);
	panel_set_done(&ps);
	graph_history_done(&h);
}

static void test_render(void **state)
{
	struct graph_history h;
	struct graph_opts o = { .view = GRAPH_VIEW_OVERVIEW, .format = GRAPH_FMT_SVG };
	char err[256], *doc = doc_points(20, 5), *buf = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(parse(doc, &h, err, sizeof(err)), 0);
	free(doc);
	assert_int_equal(graph_render(&h, &o, &buf, &n, err, sizeof(err)), 0);
	assert_int_equal(strlen(buf), n);
	assert_memory_equal(buf, "<?xml", 5);
	assert_non_null(strstr(buf, "<g id=\"series-time_wait\" data-name=\"time_wait\""));
	assert_string_equal(buf + n - 7, "</svg>\n");
	free(buf);
	/* for HTML: no prolog, every id prefixed */
	o.id_prefix = "g1-";
	assert_int_equal(graph_render(&h, &o, &buf, &n, err, sizeof(err)), 0);
	assert_memory_equal(buf, "<svg", 4);
	assert_non_null(strstr(buf, "id=\"g1-series-time_wait\""));
	assert_null(strstr(buf, " id=\"glyph"));
	assert_null(strstr(buf, "href=\"#glyph"));
	free(buf);
	/* PNG */
	o.format = GRAPH_FMT_PNG;
	o.width = 400;
	o.height = 300;
	assert_int_equal(graph_render(&h, &o, &buf, &n, err, sizeof(err)), 0);
	assert_memory_equal(buf, "\x89PNG", 4);
	free(buf);
	buf = NULL;
	/* nothing to draw, sizes out of range */
	o.view = GRAPH_VIEW_RATES;
	assert_int_equal(graph_render(&h, &o, &buf, &n, err, sizeof(err)), -ENODATA);
	assert_string_equal(err, "the history holds no points for the rates graph");
	o.view = GRAPH_VIEW_OVERVIEW;
	o.width = 100;
	assert_int_equal(graph_render(&h, &o, &buf, &n, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "the size must be 320-8000 by 240-8000 pixels");
	assert_null(buf);
	graph_history_done(&h);
}

static void test_view_names(void **state)
{
	enum graph_view v;

	(void)state;
	assert_int_equal(graph_view_parse("dest", &v), 0);
	assert_int_equal(v, GRAPH_VIEW_DEST);
	assert_string_equal(graph_view_name(v), "dest");
	assert_int_equal(graph_view_parse("Dest", &v), -EINVAL);
	assert_int_equal(graph_view_parse("", &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_step),
		cmocka_unit_test(test_value_range),
		cmocka_unit_test(test_value_labels),
		cmocka_unit_test(test_time_ticks),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_panels_gaps),
		cmocka_unit_test(test_downsample),
		cmocka_unit_test(test_dest_colors),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_view_names),
	};

	int r = cmocka_run_group_tests(tests, NULL, NULL);

	graph_release_fonts();
	return r;
}
