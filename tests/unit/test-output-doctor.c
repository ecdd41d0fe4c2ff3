// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * doctor renderers with hostile strings: a CLOSE_WAIT owner whose comm
 * retitles the terminal and clears it, a config file path with a colour
 * escape and a bidi override, a value with BEL, C1 CSI, '|' and a
 * surrogate, a netns name with '|' and a newline, and a kernel string with
 * an OSC. Table (ASCII and UTF-8 terminal), Nagios against golden files;
 * JSON must be valid UTF-8 and keep the text. Regenerate with
 * TW_UPDATE_GOLDEN=1.
 */
#include "tw-test.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "doctor/advice.h"
#include "doctor/facts.h"
#include "output.h"
#include "output-doctor.h"
#include "util.h"

#define EVIL_COMM "\x1b]0;pwned\x07\x1b[2J\xff"		/* 15 bytes, fits a comm */
#define EVIL_COMM_JSON "\x1b]0;pwned\x07\x1b[2J\xef\xbf\xbd"
#define EVIL_NETNS "ns\x1b[2J|x\ny"
#define EVIL_FILE "/etc/sysctl.d/\x1b[31mevil\xe2\x80\xae.conf"
#define EVIL_VALUE "1\x07\xc2\x9b|\xed\xa0\x80"

static struct advice_report rep;

static void hostile(struct tw_facts *f)
{
	facts_init(f);
	snprintf(f->kernel, sizeof(f->kernel), "6.1\x1b]0;kern\x07");
	snprintf(f->netns, sizeof(f->netns), "%s", EVIL_NETNS);
	facts_set_sysctl(f, FS_PORT_RANGE, "32768 60999");
	facts_set_sysctl(f, FS_FIN_TIMEOUT, "60");
	f->census.have = true;
	f->census.states[6] = 10;
	f->census.range_lo = 32768;
	f->census.range_hi = 60999;
	f->census.range_size = 28232;
	f->census.usable = 28232;
	f->close_wait.have = true;
	f->close_wait.owners_scanned = true;
	f->close_wait.total = ADV_CLOSE_WAIT_WARN;
	f->close_wait.n_ports = 1;
	f->close_wait.ports[0].port = 9000;
	f->close_wait.ports[0].count = ADV_CLOSE_WAIT_WARN;
	f->close_wait.n_owners = 1;
	f->close_wait.owners[0].pid = 4242;
	f->close_wait.owners[0].port = 9000;
	f->close_wait.owners[0].sockets = ADV_CLOSE_WAIT_WARN;
	memcpy(f->close_wait.owners[0].comm, EVIL_COMM, sizeof(EVIL_COMM));
	f->have_sysconf = true;
	assert_int_equal(sysconf_add(&f->sysconf, EVIL_FILE, 7, "net.ipv4.tcp_tw_recycle",
				     EVIL_VALUE), 0);
	advice_eval(f, &rep);
}

static char *render_table(const struct tw_facts *f, bool utf8)
{
	const struct out_style st = { .utf8 = utf8 };
	const struct doctor_view v = { .top = 5, .from_bundle = true, .bundle = "b\x1b[Kx.json" };
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	assert_non_null(mem);
	doctor_print_table(mem, &st, &rep, f, &v);
	assert_int_equal(fclose(mem), 0);
	return text;
}

static void test_table(void **state)
{
	struct tw_facts f;
	char *text;

	(void)state;
	hostile(&f);
	text = render_table(&f, false);
	golden_compare("tests/fixtures/golden/doctor-hostile.txt", text);
	assert_true(utf8_check(text, UTF8_NO_CONTROLS));
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "pid 4242 (\\x1b]0;pwned\\x07\\x1b[2J\\xff)"));
	assert_non_null(strstr(text, "netns ns\\x1b[2J|x\\x0ay"));
	free(text);
	/* A UTF-8 terminal keeps printable characters, never controls or bidi overrides. */
	text = render_table(&f, true);
	assert_true(utf8_check(text, UTF8_NO_CONTROLS));
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "evil\\xe2\\x80\\xae.conf"));
	free(text);
	facts_done(&f);
}

static void test_nagios(void **state)
{
	struct tw_facts f;
	char *text = NULL, *nl;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	hostile(&f);
	doctor_print_nagios(mem, &rep, &f);
	assert_int_equal(fclose(mem), 0);
	golden_compare("tests/fixtures/golden/doctor-hostile-nagios.txt", text);
	for (const char *p = text; *p; p++)
		assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
	/* One '|' (text | perfdata) on the first line, none after. */
	nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_non_null(strchr(text, '|'));
	assert_true(strchr(text, '|') == strrchr(text, '|'));
	assert_true(strchr(text, '|') < nl);
	free(text);
	facts_done(&f);
}

static const char *data_str(struct json_object *doc, const char *id, const char *key)
{
	struct json_object *arr = json_object_object_get(doc, "findings");

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *x = json_object_array_get_idx(arr, i);

		if (strcmp(json_object_get_string(json_object_object_get(x, "id")), id) == 0)
			return json_object_get_string(json_object_object_get(
				json_object_object_get(x, "data"), key));
	}
	return NULL;
}

static void test_json(void **state)
{
	const struct doctor_view v = { .top = 5 };
	struct json_object *doc, *back;
	struct tw_facts f;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	hostile(&f);
	doc = doctor_json(&rep, &f, &v);
	assert_non_null(doc);
	assert_int_equal(out_json_print(doc, mem), 0);
	assert_int_equal(fclose(mem), 0);
	json_object_put(doc);
	/* json-c escapes the controls; the document is valid UTF-8 and says what was there. */
	assert_true(utf8_check(text, UTF8_NO_CONTROLS));
	back = json_tokener_parse(text);
	assert_non_null(back);
	assert_string_equal(data_str(back, "close-wait-leak", "owner_comm"), EVIL_COMM_JSON);
	assert_string_equal(data_str(back, "tw-recycle", "config_file"), EVIL_FILE);
	assert_string_equal(data_str(back, "tw-recycle", "config_value"),
			    "1\x07\xc2\x9b|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	assert_string_equal(json_object_get_string(json_object_object_get(back, "netns")),
			    EVIL_NETNS);
	json_object_put(back);
	free(text);
	facts_done(&f);
}

/* Whoever builds a document, out_json_print() never writes invalid UTF-8. */
static void test_json_print_any(void **state)
{
	struct json_object *o = json_object_new_object(), *a = json_object_new_array(), *back;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	json_object_object_add(o, "s", json_object_new_string("x\xff\xc0\x80"));
	json_object_array_add(a, json_object_new_string("\xed\xa0\x80"));
	json_object_array_add(a, json_object_new_string_len("a\0\xff", 3));
	json_object_object_add(o, "a", a);
	assert_int_equal(out_json_print(o, mem), 0);
	assert_int_equal(fclose(mem), 0);
	assert_true(utf8_check(text, UTF8_NO_CONTROLS));
	back = json_tokener_parse(text);
	assert_non_null(back);
	assert_string_equal(json_object_get_string(json_object_object_get(back, "s")),
			    "x\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	json_object_put(back);
	json_object_put(o);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_nagios),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_print_any),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
