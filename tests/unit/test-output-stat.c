// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stat renderers against golden files: the census of the captured netlink
 * fixture (tests/fixtures/nl/small.bin) rendered as JSON and as a table, in
 * UTF-8 and ASCII. Regenerate with TW_UPDATE_GOLDEN=1 after a deliberate change.
 */
#include "tw-test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collect.h"
#include "output.h"
#include "output-stat.h"
#include "sockdiag.h"

static int route(const struct tw_sock *sk, void *data)
{
	return sk->state == TW_LISTEN ? census_add_listener(data, sk) : census_add(data, sk);
}

static void load_fixture(struct collect_result *res)
{
	struct census_conf conf = { .range_lo = 40000, .range_hi = 40099,
				    .filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 } };
	static unsigned char buf[1 << 16];
	FILE *f = fopen("tests/fixtures/nl/small.bin", "rb");
	size_t len, off = 0;

	assert_non_null(f);
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	memset(res, 0, sizeof(*res));
	res->census = census_new(&conf);
	while (off + 4 <= len) {
		uint32_t n;

		memcpy(&n, buf + off, 4);
		off += 4;
		assert_true(sockdiag_parse_buf(buf + off, n, 0, route, res->census, &res->diag) >= 0);
		off += n;
	}
	assert_int_equal(census_finish(res->census), 0);
	res->sockstat = (struct tw_sockstat){ .have_tcp = true, .tcp_inuse = 8, .tcp_tw = 6,
					      .have_tcp6 = true, .tcp6_inuse = 3 };
	res->kernel_states = 0x1bfe;
	res->duration_ns = 1500000;
}

static void test_json(void **state)
{
	struct stat_view v = { .top = 10 };
	struct collect_result res;
	struct json_object *o;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	load_fixture(&res);
	o = stat_json(&res, &v);
	assert_int_equal(out_json_print(o, mem), 0);
	fclose(mem);
	golden_compare("tests/fixtures/golden/stat-small.json", text);
	json_object_put(o);
	free(text);
	collect_result_done(&res);
}

static void render_table(const struct out_style *st, const char *golden)
{
	struct stat_view v = { .top = 10 };
	struct collect_result res;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	load_fixture(&res);
	stat_print_table(mem, st, &res, &v);
	fclose(mem);
	golden_compare(golden, text);
	free(text);
	collect_result_done(&res);
}

static void test_table_ascii(void **state)
{
	const struct out_style st = { .utf8 = false };

	(void)state;
	render_table(&st, "tests/fixtures/golden/stat-small.txt");
}

static void test_table_utf8(void **state)
{
	const struct out_style st = { .utf8 = true };

	(void)state;
	render_table(&st, "tests/fixtures/golden/stat-small-utf8.txt");
}

/* Counts are exact in the table, however large (no "14.1K"), and columns name their units. */
static void test_table_exact_counts(void **state)
{
	const struct out_style st = { .utf8 = false };
	struct stat_view v = { .top = 10 };
	struct collect_result res;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	load_fixture(&res);
	res.census->states[TW_FAM_V4][TW_TIME_WAIT] = 14123;
	res.census->states[TW_FAM_V6][TW_TIME_WAIT] = 1000000;
	stat_print_table(mem, &st, &res, &v);
	fclose(mem);
	assert_non_null(strstr(text, "  time_wait             14123      1000000      1014123\n"));
	assert_null(strstr(text, "14.1K"));
	assert_null(strstr(text, "1.0M"));
	assert_non_null(strstr(text, "IPV4 SOCKETS"));
	assert_non_null(strstr(text, "PORTS HELD"));
	assert_non_null(strstr(text, "MAX CONN/S"));
	free(text);
	collect_result_done(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table_ascii),
		cmocka_unit_test(test_table_utf8),
		cmocka_unit_test(test_table_exact_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
