// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * trace renderers against golden files: a synthetic report (every kind,
 * IPv4 and IPv6, softirq rows, a CLOSE_WAIT group, a hostile comm) as
 * table, JSON document and NDJSON events. Regenerate with TW_UPDATE_GOLDEN=1.
 */
#include "tw-test.h"

#include <arpa/inet.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bpf/twtrace.h"
#include "output.h"
#include "output-trace.h"

/* Quote, backslash, control byte, invalid UTF-8 and a slash: 15 bytes. */
#define HOSTILE_COMM "a\"b\\c\x01\xff/x\ty\n"
#define HOSTILE_DECODED "a\"b\\c\x01\xef\xbf\xbd/x\ty\n"

static struct twt_key keys[6];
static struct trace_row rows[6];
static struct trace_cw_row cw[1];
static struct trace_netns_name names[1] = { { .ino = 4026532177, .name = "web1" } };

static void v4(uint8_t *dst, const char *s)
{
	assert_int_equal(inet_pton(AF_INET, s, dst), 1);
}

static void v6(uint8_t *dst, const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, dst), 1);
}

static void key(struct twt_key *k, unsigned int kind, uint32_t tgid, const char *comm)
{
	memset(k, 0, sizeof(*k));
	k->kind = (__u16)kind;
	k->tgid = tgid;
	k->family = AF_INET;
	k->netns = 4026532177;
	k->cgroup = tgid ? 7 : 0;
	if (comm)
		memcpy(k->comm, comm, strlen(comm));
	else
		k->flags = TWT_F_SOFTIRQ;
}

static void build(struct trace_report *r)
{
	key(&keys[0], TWT_ACTIVE_CLOSE, 4242, "twt-closer");
	v4(keys[0].laddr, "127.0.0.1");
	v4(keys[0].raddr, "10.0.0.5");
	keys[0].rport = 443;
	key(&keys[1], TWT_ABORT, 0, NULL);
	keys[1].reason = TWT_RST_KEEPALIVE;
	v4(keys[1].laddr, "127.0.0.1");
	v4(keys[1].raddr, "127.0.0.1");
	keys[1].lport = 9100;
	key(&keys[2], TWT_ABORT, 4243, HOSTILE_COMM);
	keys[2].reason = TWT_RST_LINGER0;
	keys[2].netns = 4026531840;
	v4(keys[2].laddr, "127.0.0.1");
	v4(keys[2].raddr, "127.0.0.1");
	keys[2].rport = 9100;
	key(&keys[3], TWT_CONNECT_FAIL, 4244, "client");
	keys[3].reason = 99;
	v4(keys[3].raddr, "192.0.2.1");
	keys[3].rport = 80;
	key(&keys[4], TWT_BIND_FAIL, 4245, "server");
	keys[4].reason = 98;
	keys[4].family = AF_INET6;
	v6(keys[4].laddr, "2001:db8::1");
	keys[4].lport = 8080;
	key(&keys[5], TWT_PASSIVE_CLOSE, 4246, "twt-peer");
	keys[5].family = AF_INET6;
	v6(keys[5].laddr, "::1");
	v6(keys[5].raddr, "::1");
	keys[5].lport = 9100;
	for (size_t i = 0; i < 6; i++)
		rows[i] = (struct trace_row){ .key = &keys[i], .total = 20 - i, .interval = 4, .pids = 1 };
	memset(cw, 0, sizeof(cw));
	cw[0].netns = 4026532177;
	cw[0].family = AF_INET;
	v4(cw[0].laddr, "127.0.0.1");
	v4(cw[0].raddr, "127.0.0.1");
	cw[0].lport = 9100;
	cw[0].count = 3;
	cw[0].oldest_age_ns = 12500000000ULL;
	cw[0].owner_pid = 4246;
	snprintf(cw[0].owner_comm, sizeof(cw[0].owner_comm), "app");
	*r = (struct trace_report){
		.rows = rows, .n_rows = 6, .cw = cw, .n_cw = 1, .names = names, .n_names = 1,
		.host_netns = 4026531840, .by = TRACE_BY_PID, .filter_port = 9100, .filter_netns = "web1",
		.have_reset = true, .sys_hook = "fexit", .duration_ns = 10000000000ULL,
		.lost_events = 1, .streamed_events = 2, .dropped_aggregates = 3,
		.close_wait_untracked = 4,
	};
}

static void test_json(void **state)
{
	struct trace_report r;
	struct json_object *doc, *back, *row;
	const char *text;

	(void)state;
	build(&r);
	doc = trace_json(&r, false);
	assert_non_null(doc);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
					      JSON_C_TO_STRING_SPACED);
	golden_compare("tests/fixtures/golden/trace-report.json", text);
	/* The hostile comm survives a parse, escaped, with U+FFFD for the bad byte. */
	back = json_tokener_parse(text);
	assert_non_null(back);
	row = json_object_array_get_idx(json_object_object_get(back, "events"), 2);
	assert_string_equal(json_object_get_string(json_object_object_get(row, "comm")),
			    HOSTILE_DECODED);
	assert_string_equal(json_object_get_string(json_object_object_get(row, "reason")),
			    "linger0");
	assert_null(json_object_object_get(json_object_array_get_idx(
			json_object_object_get(back, "events"), 1), "pid"));
	json_object_put(back);
	json_object_put(doc);
}

static void test_table(void **state)
{
	struct trace_table_opts o = { .no_header = false };
	struct trace_report r;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	build(&r);
	trace_print_table(mem, &r, &o);
	o.live = true;
	o.wide = true;
	o.interval_sec = 2.0;
	trace_print_table(mem, &r, &o);
	fclose(mem);
	golden_compare("tests/fixtures/golden/trace-report.txt", text);
	/* The table never carries raw control bytes from a comm. */
	assert_null(strchr(text, '\x01'));
	free(text);
}

static void test_events(void **state)
{
	struct twt_event e = { .ts_ns = 123456789, .cgroup = 7, .tgid = 4243, .pid = 4250,
			       .netns = 4026532177, .kind = TWT_ABORT, .reason = TWT_RST_UNREAD,
			       .family = AF_INET, .lport = 40000, .rport = 9100 };
	char *text = NULL, *nl;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct json_object *o;

	(void)state;
	memcpy(e.comm, HOSTILE_COMM, sizeof(HOSTILE_COMM) - 1);
	v4(e.laddr, "127.0.0.1");
	v4(e.raddr, "127.0.0.2");
	assert_int_equal(trace_print_event(mem, &e, "web1"), 0);
	memset(e.comm, 0, sizeof(e.comm));
	e.flags = TWT_F_SOFTIRQ;
	e.kind = TWT_ABORT;
	e.reason = TWT_RST_KEEPALIVE;
	assert_int_equal(trace_print_event(mem, &e, NULL), 0);
	e.flags = 0;
	e.kind = TWT_CONNECT_FAIL;
	e.reason = 99;
	e.family = AF_INET6;
	v6(e.raddr, "2001:db8::2");
	memcpy(e.comm, "client", 6);
	assert_int_equal(trace_print_event(mem, &e, NULL), 0);
	fclose(mem);
	golden_compare("tests/fixtures/golden/trace-events.ndjson", text);
	/* Each line is one complete JSON object. */
	nl = strchr(text, '\n');
	assert_non_null(nl);
	*nl = '\0';
	o = json_tokener_parse(text);
	assert_non_null(o);
	assert_string_equal(json_object_get_string(json_object_object_get(o, "comm")),
			    HOSTILE_DECODED);
	assert_int_equal(json_object_get_int(json_object_object_get(o, "tid")), 4250);
	json_object_put(o);
	free(text);
}

/*
 * Comms the old filter let through as "UTF-8" (overlong, surrogate) and
 * C1/bidi characters: every renderer's text is well-formed and has no
 * control or bidi character in it, in a UTF-8 table too.
 */
/* --by comm: forked workers are one row; --by cgroup: one row per cgroup. */
static void test_group(void **state)
{
	static const struct { uint32_t tgid; const char *comm; uint64_t cgroup; } procs[] = {
		{ 300, "postgres", 7 }, { 100, "postgres", 7 }, { 200, "postgres", 8 },
		{ 100, "postgres", 7 }, { 400, "pgbench", 8 },
	};
	struct twt_key k[5], gk[5];
	struct trace_row rw[5];
	size_t n;

	(void) state;
	for (size_t i = 0; i < 5; i++) {
		key(&k[i], TWT_ACTIVE_CLOSE, procs[i].tgid, procs[i].comm);
		k[i].cgroup = procs[i].cgroup;
		/* the 4th is pid 100 again, toward another port: a row of its own by pid */
		k[i].rport = i == 3 ? 6432 : 5432;
		rw[i] = (struct trace_row){ .key = &k[i], .total = 10 * (i + 1), .pids = 1 };
	}
	assert_int_equal(trace_rows_group(rw, 5, gk, TRACE_BY_PID), 5);
	n = trace_rows_group(rw, 5, gk, TRACE_BY_COMM);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		if (strcmp((const char *)rw[i].key->comm, "pgbench") == 0) {
			assert_int_equal(rw[i].pids, 1);
			assert_int_equal(rw[i].total, 50);
		} else if (rw[i].key->rport == 5432) {
			assert_int_equal(rw[i].pids, 3);
			assert_int_equal(rw[i].key->tgid, 100);
			assert_int_equal(rw[i].total, 10 + 20 + 30);
			assert_int_equal(rw[i].key->cgroup, 0);
		} else {
			assert_int_equal(rw[i].pids, 1);
			assert_int_equal(rw[i].total, 40);
		}
	}
	for (size_t i = 0; i < 5; i++)
		rw[i] = (struct trace_row){ .key = &k[i], .total = 10 * (i + 1), .pids = 1 };
	n = trace_rows_group(rw, 5, gk, TRACE_BY_CGROUP);
	/* cgroup 7 toward 5432 (pids 300, 100), 7 toward 6432, 8 toward 5432 (200, 400) */
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		if (rw[i].key->cgroup == 8)
			assert_int_equal(rw[i].pids, 2);
}

static void test_hostile_comm(void **state)
{
	static const char evil[] = "\xed\xa0\x80\xe0\x80\xaf\x1b\x07\xc2\x9b\xe2\x80\xae";
	struct twt_event e = { .tgid = 1, .pid = 1, .kind = TWT_ACTIVE_CLOSE, .family = AF_INET };
	struct trace_table_opts o = { .utf8 = true };
	struct trace_report r;
	struct json_object *doc, *back;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	(void)state;
	memcpy(e.comm, evil, sizeof(evil) - 1);
	assert_int_equal(trace_print_event(mem, &e, "n\x1b[2J\xff"), 0);
	build(&r);
	memcpy(keys[0].comm, evil, sizeof(evil) - 1);
	memcpy(cw[0].owner_comm, evil, sizeof(evil) - 1);
	trace_print_table(mem, &r, &o);
	doc = trace_json(&r, true);
	assert_int_equal(out_json_write(mem, doc, JSON_C_TO_STRING_PLAIN), 0);
	json_object_put(doc);
	assert_int_equal(fclose(mem), 0);
	assert_true(utf8_check(text, UTF8_NO_CONTROLS));
	back = json_tokener_parse(text);
	assert_non_null(back);
	assert_string_equal(json_object_get_string(json_object_object_get(back, "comm")),
			    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
			    "\xef\xbf\xbd\x1b\x07\xc2\x9b\xe2\x80\xae");
	json_object_put(back);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_hostile_comm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
