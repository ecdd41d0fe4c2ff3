// SPDX-License-Identifier: GPL-2.0-or-later
/* top: row order and filter, the cell formatters, the keys, and the batch renderers on a built model. */
#include "tw-test.h"

#include <curses.h>
#include <string.h>

#include <json-c/json.h>

#include "top/batch.h"
#include "top/model.h"
#include "top/view.h"

static struct top_row row(enum top_kind kind, const char *name, const char *src, uint64_t held, double use,
			  uint64_t tw, double rate)
{
	struct top_row r = { .kind = kind, .held = held, .use_pct = use, .time_wait = tw,
			     .rate_per_sec = rate, .proj_pct = -1, .exhaust_sec = -1 };

	snprintf(r.name, sizeof(r.name), "%s", name);
	snprintf(r.src, sizeof(r.src), "%s", src);
	return r;
}

static void names(const struct top_row *r, size_t n, char *buf, size_t len)
{
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		strncat(buf, r[i].name, len - strlen(buf) - 1);
		if (i + 1 < n)
			strncat(buf, " ", len - strlen(buf) - 1);
	}
}

static void test_sort_keys(void **state)
{
	struct top_row r[] = {
		row(TOP_ROW_DEST, "10.0.0.2:80", "10.0.0.1", 50, 50.0, 40, 1.0),
		row(TOP_ROW_PORT, ":8080", "", 90, -1, 90, 9.0),
		row(TOP_ROW_DEST, "10.0.0.3:80", "10.0.0.1", 80, 80.0, 10, 0.5),
		row(TOP_ROW_DEST, "10.0.0.1:80", "10.0.0.1", 50, 50.0, 45, 1.0),
	};
	char buf[256];

	(void) state;
	top_rows_sort(r, 4, TOP_SORT_USE);
	names(r, 4, buf, sizeof(buf));
	/* Equal use: more TIME_WAIT first; not applicable (-1) last. */
	assert_string_equal(buf, "10.0.0.3:80 10.0.0.1:80 10.0.0.2:80 :8080");
	top_rows_sort(r, 4, TOP_SORT_RATE);
	names(r, 4, buf, sizeof(buf));
	assert_string_equal(buf, ":8080 10.0.0.1:80 10.0.0.2:80 10.0.0.3:80");
	top_rows_sort(r, 4, TOP_SORT_TW);
	names(r, 4, buf, sizeof(buf));
	assert_string_equal(buf, ":8080 10.0.0.1:80 10.0.0.2:80 10.0.0.3:80");
	top_rows_sort(r, 4, TOP_SORT_NAME);
	names(r, 4, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.1:80 10.0.0.2:80 10.0.0.3:80 :8080");
	assert_string_equal(top_sort_name(TOP_SORT_TW), "time_wait");
}

static void test_filter(void **state)
{
	struct top_row r = row(TOP_ROW_DEST, "10.0.0.2:80", "192.168.1.5", 1, 1, 1, 0);

	(void) state;
	assert_true(top_row_match(&r, NULL));
	assert_true(top_row_match(&r, ""));
	assert_true(top_row_match(&r, "0.2:8"));
	assert_true(top_row_match(&r, "192.168"));
	assert_false(top_row_match(&r, "nginx"));
	r.culprit_pid = 42;
	snprintf(r.culprit_comm, sizeof(r.culprit_comm), "nginx");
	assert_true(top_row_match(&r, "ngi"));
}

static void test_formatters(void **state)
{
	struct top_row r = row(TOP_ROW_DEST, "x", "", 1, 1, 1, 0);
	char buf[64];

	(void) state;
	assert_string_equal(top_fmt_duration(-1, buf, sizeof(buf)), "-");
	assert_string_equal(top_fmt_duration(0.26, buf, sizeof(buf)), "0.3s");
	assert_string_equal(top_fmt_duration(9.96, buf, sizeof(buf)), "10s");
	assert_string_equal(top_fmt_duration(44.6, buf, sizeof(buf)), "45s");
	assert_string_equal(top_fmt_duration(725, buf, sizeof(buf)), "12m05s");
	assert_string_equal(top_fmt_duration(12000, buf, sizeof(buf)), "3h20m");
	assert_string_equal(top_fmt_pct(-1, buf, sizeof(buf)), "-");
	assert_string_equal(top_fmt_pct(43.82, buf, sizeof(buf)), "43.8");
	assert_string_equal(top_trend_arrow(TW_TREND_GROWING, false), "^");
	assert_string_equal(top_trend_arrow(TW_TREND_DRAINING, true), "\u2193");
	assert_string_equal(top_culprit_text(&r, 0, buf, sizeof(buf)), "-");
	/* A hostile comm cannot reach the terminal raw. */
	r.culprit_pid = 7;
	memcpy(r.culprit_comm, "ev\x1b[2Jil", 9);
	assert_string_equal(top_culprit_text(&r, 0, buf, sizeof(buf)), "ev\\x1b[2Jil[7]");
}

static void test_keys(void **state)
{
	struct top_ui ui = { .sort = TOP_SORT_USE };

	(void) state;
	top_ui_key(&ui, 'r');
	assert_int_equal(ui.sort, TOP_SORT_RATE);
	top_ui_key(&ui, 'n');
	assert_int_equal(ui.sort, TOP_SORT_NAME);
	top_ui_key(&ui, 't');
	assert_int_equal(ui.sort, TOP_SORT_TW);
	top_ui_key(&ui, 'u');
	assert_int_equal(ui.sort, TOP_SORT_USE);
	/* The prompt takes every key, q included, until Enter. */
	top_ui_key(&ui, '/');
	assert_true(ui.editing);
	top_ui_key(&ui, 'q');
	top_ui_key(&ui, 'x');
	top_ui_key(&ui, KEY_BACKSPACE);
	top_ui_key(&ui, '8');
	assert_false(ui.quit);
	assert_string_equal(ui.filter, "");
	top_ui_key(&ui, '\r');
	assert_false(ui.editing);
	assert_string_equal(ui.filter, "q8");
	/* Esc cancels an edit and keeps the old filter. */
	top_ui_key(&ui, '/');
	top_ui_key(&ui, 'z');
	top_ui_key(&ui, 27);
	assert_string_equal(ui.filter, "q8");
	/* The filter is bounded. */
	top_ui_key(&ui, '/');
	for (int i = 0; i < 200; i++)
		top_ui_key(&ui, 'a');
	assert_int_equal(strlen(ui.edit), TOP_FILTER_MAX - 1);
	top_ui_key(&ui, 27);
	top_ui_key(&ui, ' ');
	assert_true(ui.paused);
	top_ui_key(&ui, 'p');
	assert_false(ui.paused);
	/* Any key closes the help without acting, except q. */
	top_ui_key(&ui, '?');
	assert_true(ui.help);
	top_ui_key(&ui, 'n');
	assert_false(ui.help);
	assert_int_equal(ui.sort, TOP_SORT_USE);
	ui.dirty = false;
	top_ui_key(&ui, -1);
	assert_false(ui.dirty);
	top_ui_key(&ui, KEY_RESIZE);
	assert_true(ui.dirty);
	top_ui_key(&ui, 'q');
	assert_true(ui.quit);
}

static void build_model(struct top_model *m)
{
	const struct top_conf conf = { .interval_ns = 1000000000ull };
	struct top_row *r = calloc(2, sizeof(*r));

	assert_non_null(r);
	top_model_init(m, &conf);
	r[0] = row(TOP_ROW_DEST, "127.0.0.1:9000", "127.0.0.1", 36, 36.0, 30, 3.0);
	r[0].usable = 100;
	r[0].proj_pct = 6;
	r[0].exhaust_sec = 125;
	r[0].trend = TW_TREND_GROWING;
	r[0].culprit_pid = 99;
	snprintf(r[0].culprit_comm, sizeof(r[0].culprit_comm), "curl");
	r[1] = row(TOP_ROW_PORT, ":8080", "", 7, -1, 7, 0.7);
	r[1].trend = TW_TREND_DRAINING;
	m->rows = r;
	m->n_rows = 2;
	m->samples = 2;
	m->have_census = true;
	m->sampled_ns = 5000000000ull;
	m->census_at_ns = 3000000000ull;
	m->census_cost_ns = 2500000;
	m->time_wait = 37;
	m->tw_side[TW_SIDE_CLIENT] = 30;
	m->tw_side[TW_SIDE_SERVER] = 7;
	m->established = 8;
	m->close_wait = 2;
	m->fw2_orphan = 2;
	m->usable = 100;
	m->sockstat = (struct tw_sockstat){ .have_tcp = true, .tcp_inuse = 13, .tcp_tw = 39, .tcp_alloc = 20,
					    .tcp_mem_pages = 1 };
	m->rates = (struct top_rates){ .valid = true, .tw = 1.5, .active_opens = 2 };
}

static void test_batch_print(void **state)
{
	struct top_view_conf v = { .sort = TOP_SORT_USE, .wall = 0 };
	struct top_model m;
	char *text = NULL, *body;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void) state;
	build_model(&m);
	assert_non_null(f);
	assert_int_equal(top_batch_print(f, &m, &v), 0);
	fclose(f);
	body = strchr(text, '\n') + 1;	/* the first line has the local time */
	assert_string_equal(body,
		"TIME_WAIT 37 (client 30, server 7, unknown 0)  ESTABLISHED 8  CLOSE_WAIT 2  FIN_WAIT2 orphans 2\n"
		"sockstat: inuse 13  tw 39  orphans 0  alloc 20  mem 1 pages\n"
		"rates/s: TW 1.5  ActiveOpens 2.0  TCPTimeWaitOverflow 0.0  PAWS 0.0\n"
		"KIND  NAME           SOURCE        HELD USABLE   USE%       TW  CLOSE/S  PROJ%  EXHAUST TREND    CULPRIT\n"
		"dest  127.0.0.1:9000 127.0.0.1       36    100   36.0       30      3.0    6.0    2m05s growing  curl[99]\n"
		"port  :8080          -                7      -      -        7      0.7      -        - draining -\n"
		"\n");
	/* The census is 2 s old: from an earlier interval. */
	assert_non_null(strstr(text, "census 2.5 ms, every 1.0s, 2.0s old (from an earlier interval"));
	assert_null(strstr(text, "culprits:"));
	free(text);
	m.culprits_partial = true;
	f = open_memstream(&text, &len);
	assert_int_equal(top_batch_print(f, &m, &v), 0);
	fclose(f);
	assert_non_null(strstr(text, "\nculprits: some processes could not be inspected (run as root"));
	free(text);
	top_model_done(&m);
}

static void test_batch_json(void **state)
{
	struct top_view_conf v = { .sort = TOP_SORT_NAME, .max_rows = 1, .wall = 1700000000 };
	struct top_model m;
	struct json_object *o, *r, *x;

	(void) state;
	build_model(&m);
	o = top_batch_json(&m, &v);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "rows_total", &x));
	assert_int_equal(json_object_get_int(x), 2);
	assert_true(json_object_object_get_ex(o, "rows", &x));
	assert_int_equal(json_object_array_length(x), 1);
	r = json_object_array_get_idx(x, 0);
	assert_string_equal(json_object_to_json_string_ext(r, JSON_C_TO_STRING_PLAIN),
		"{\"kind\":\"dest\",\"name\":\"127.0.0.1:9000\",\"local\":\"127.0.0.1\",\"held\":36,"
		"\"usable\":100,\"use_pct\":36.00,\"time_wait\":30,\"close_rate_per_sec\":3.00,"
		"\"projected_use_pct\":6.00,\"exhaust_in_sec\":125.0,\"trend\":\"growing\","
		"\"culprit\":{\"pid\":99,\"comm\":\"curl\"}}");
	assert_true(json_object_object_get_ex(o, "census", &x));
	assert_string_equal(json_object_to_json_string_ext(x, JSON_C_TO_STRING_PLAIN),
		"{\"taken\":true,\"age_sec\":2.000,\"cost_ms\":2.500,\"every_sec\":1.000,\"stale\":true,\"error\":null,"
		"\"culprits_partial\":false}");
	json_object_put(o);
	/* Before two samples there are no rates. */
	m.rates.valid = false;
	o = top_batch_json(&m, &v);
	assert_true(json_object_object_get_ex(o, "rates_per_sec", &x));
	assert_null(x);
	json_object_put(o);
	top_model_done(&m);
}

/* The census waits max(interval, cost x 100 / budget %) after it started. */
static void test_census_schedule(void **state)
{
	const struct top_conf conf = { .interval_ns = 1000000000ull };
	struct top_model m;

	(void) state;
	top_model_init(&m, &conf);
	assert_int_equal(m.conf.budget_pct, TOP_BUDGET_PCT);
	m.census_cost_ns = 50000000;		/* 50 ms: every interval */
	assert_int_equal(top_model_census_every_ns(&m), 1000000000ull);
	m.census_cost_ns = 150000000;		/* 150 ms: every 1.5 s */
	assert_int_equal(top_model_census_every_ns(&m), 1500000000ull);
	m.census_cost_ns = 600000000;		/* 600 ms: every 6 s */
	assert_int_equal(top_model_census_every_ns(&m), 6000000000ull);
	assert_false(top_model_census_stale(&m));	/* no census yet */
	top_model_done(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sort_keys),
		cmocka_unit_test(test_filter),
		cmocka_unit_test(test_formatters),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_batch_print),
		cmocka_unit_test(test_batch_json),
		cmocka_unit_test(test_census_schedule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
