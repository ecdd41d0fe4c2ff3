// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope explain: every rule and scenario explains itself from the docs the
 * binary embeds, the embedded copy is the docs/ of this tree, the references
 * in docs/findings.md and docs/lab.md are those of the tables, and the
 * Markdown comes out as plain text.
 */
#include "tw-test.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "doctor/advice.h"
#include "explain.h"
#include "lab/lab.h"
#include "util.h"

extern const char explain_findings_md[];
extern const char explain_lab_md[];
extern const char explain_kernel_md[];

/* The binary's text is docs/ as it is now (tests/run runs from the source tree). */
static void test_embedded_is_docs(void **state)
{
	static const struct {
		const char *path;
		const char *text;
	} docs[] = {
		{ "docs/findings.md", explain_findings_md },
		{ "docs/lab.md", explain_lab_md },
		{ "docs/kernel.md", explain_kernel_md },
	};

	(void) state;
	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		_cleanup_free_ char *disk = NULL;
		char path[4096], cwd[2048];

		assert_non_null(getcwd(cwd, sizeof(cwd)));
		snprintf(path, sizeof(path), "%s/%s", cwd, docs[i].path);
		assert_int_equal(read_small_file(path, 1 << 20, &disk), 0);
		if (strcmp(disk, docs[i].text) != 0)
			fail_msg("%s differs from the copy in the binary (rebuild)", docs[i].path);
	}
}

static const struct explain_item *item(const struct explain *e, const char *key)
{
	for (size_t i = 0; i < e->n_items; i++)
		if (strcmp(e->items[i].key, key) == 0)
			return &e->items[i];
	return NULL;
}

/* No Markdown left in what is printed. */
static void assert_plain(const char *where, const char *s)
{
	if (strstr(s, "**") || strstr(s, "](") || strchr(s, '`'))
		fail_msg("%s: Markdown left in '%s'", where, s);
}

static void assert_all_plain(const struct explain *e)
{
	assert_plain(e->id, e->title);
	for (size_t i = 0; i < e->n_items; i++) {
		if (e->items[i].label)
			assert_plain(e->id, e->items[i].label);
		if (!e->items[i].pre)
			assert_plain(e->id, e->items[i].text);
	}
	for (size_t i = 0; i < e->n_refs; i++) {
		if (!e->refs[i].title)
			fail_msg("%s: reference #%s has no heading in docs/kernel.md", e->id, e->refs[i].anchor);
		assert_plain(e->id, e->refs[i].title);
	}
}

/* anchors of a "docs/kernel.md#a, #b" reference, as "a,b," */
static void ref_anchors(const char *ref, char *out, size_t outsz)
{
	size_t k = 0;

	out[0] = '\0';
	for (const char *p = strchr(ref, '#'); p; p = strchr(p + 1, '#')) {
		size_t n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789-_");

		k += (size_t)snprintf(out + k, outsz - k, "%.*s,", (int)n, p + 1);
		assert_true(k < outsz);
	}
}

/* the anchors linked as "(kernel.md#x)" in [start, end), in order, as "a,b," */
static void linked_anchors(const char *start, const char *end, char *out, size_t outsz)
{
	size_t k = 0;

	out[0] = '\0';
	for (const char *p = strstr(start, "(kernel.md#"); p && p < end; p = strstr(p + 1, "(kernel.md#")) {
		size_t n = strspn(p + 11, "abcdefghijklmnopqrstuvwxyz0123456789-_");

		k += (size_t)snprintf(out + k, outsz - k, "%.*s,", (int)n, p + 11);
		assert_true(k < outsz);
	}
}

static void test_every_rule(void **state)
{
	(void) state;
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		const char *id = advice_rule_id(i);
		char want[512], got[512], heading[96];
		const char *sec, *ref, *eol;
		struct explain e;

		assert_int_equal(explain_lookup(id, &e), 0);
		assert_int_equal(e.kind, EXPLAIN_FINDING);
		assert_string_equal(e.title, advice_rule_title(i));
		if (!item(&e, "fires") || !item(&e, "fix") || !item(&e, "unknown"))
			fail_msg("%s: docs/findings.md lacks Fires, Fix or Unknown", id);
		assert_null(item(&e, "reference"));
		assert_all_plain(&e);
		/* the refs printed are the rule's, each with its heading */
		ref_anchors(advice_rule_reference(i), want, sizeof(want));
		got[0] = '\0';
		for (size_t j = 0; j < e.n_refs; j++) {
			strcat(got, e.refs[j].anchor);
			strcat(got, ",");
		}
		assert_string_equal(got, want);
		/* and the doc's own Reference line lists exactly those, in that order */
		snprintf(heading, sizeof(heading), "\n## `%s`\n", id);
		sec = strstr(explain_findings_md, heading);
		assert_non_null(sec);
		ref = strstr(sec, "\n- **Reference**: ");
		assert_non_null(ref);
		eol = strchr(ref + 1, '\n');
		linked_anchors(ref, eol ? eol : ref + strlen(ref), got, sizeof(got));
		if (strcmp(got, want) != 0)
			fail_msg("docs/findings.md %s: Reference lists '%s', rules.def '%s'", id, got, want);
		explain_done(&e);
	}
}

static void test_every_scenario(void **state)
{
	(void) state;
	for (size_t i = 0; i < lab_n_scenarios; i++) {
		const struct lab_scenario *s = lab_scenarios[i];
		char want[512], got[512], row[96];
		const char *p, *eol;
		struct explain e;

		assert_int_equal(explain_lookup(s->name, &e), 0);
		assert_int_equal(e.kind, EXPLAIN_SCENARIO);
		assert_string_equal(e.title, s->question);
		assert_ptr_equal(e.expectation, s->expectation);
		assert_non_null(item(&e, "settles"));
		/* at least one paragraph from the scenario's own section */
		assert_true(e.n_items >= 2);
		assert_null(e.items[1].label);
		assert_all_plain(&e);
		ref_anchors(s->source, want, sizeof(want));
		got[0] = '\0';
		for (size_t j = 0; j < e.n_refs; j++) {
			strcat(got, e.refs[j].anchor);
			strcat(got, ",");
		}
		assert_string_equal(got, want);
		/* lab.md's table row cites the same facts as the scenario */
		snprintf(row, sizeof(row), "\n| %s |", s->name);
		p = strstr(explain_lab_md, row);
		if (!p)
			fail_msg("docs/lab.md: no table row for %s", s->name);
		eol = strchr(p + 1, '\n');
		linked_anchors(p, eol, got, sizeof(got));
		if (strcmp(got, want) != 0)
			fail_msg("docs/lab.md %s: row cites '%s', the scenario '%s'", s->name, got, want);
		explain_done(&e);
	}
}

/* Each threshold row of findings.md names a rule; port-exhaustion has its two. */
static void test_thresholds(void **state)
{
	size_t rows = 0;
	struct explain e;

	(void) state;
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		assert_int_equal(explain_lookup(advice_rule_id(i), &e), 0);
		rows += e.n_thresholds;
		explain_done(&e);
	}
	/* the table has one row per constant group; none names an unknown rule */
	{
		const char *p = strstr(explain_findings_md, "| `ADV_");
		const char *end = strstr(explain_findings_md, "\n## ");
		size_t table = 0;

		for (; p && p < end; p = strstr(p + 1, "\n| `ADV_"))
			table++;
		assert_int_equal(rows, table);
	}
	assert_int_equal(explain_lookup("port-exhaustion", &e), 0);
	assert_int_equal(e.n_thresholds, 1);
	assert_string_equal(e.thresholds[0].name, "ADV_PORT_WARN_PCT / ADV_PORT_CRIT_PCT");
	assert_string_equal(e.thresholds[0].value, "50 % / 80 %");
	explain_done(&e);
}

static void test_facts_and_prefixes(void **state)
{
	struct explain e;

	(void) state;
	/* a finding and a kernel fact share the name: the finding wins, the prefix picks the fact */
	assert_int_equal(explain_lookup("tw-recycle", &e), 0);
	assert_int_equal(e.kind, EXPLAIN_FINDING);
	explain_done(&e);
	assert_int_equal(explain_lookup("kernel.md#tw-recycle", &e), 0);
	assert_int_equal(e.kind, EXPLAIN_FACT);
	assert_string_equal(e.id, "tw-recycle");
	assert_string_equal(e.doc, "docs/kernel.md#tw-recycle");
	assert_non_null(item(&e, "source"));
	assert_non_null(item(&e, "since"));
	assert_all_plain(&e);
	explain_done(&e);
	assert_int_equal(explain_lookup("docs/kernel.md#tw-reuse-delay", &e), 0);
	assert_int_equal(e.kind, EXPLAIN_FACT);
	explain_done(&e);
	assert_int_equal(explain_lookup("tw-reuse-delay", &e), 0);
	assert_int_equal(e.kind, EXPLAIN_FACT);
	explain_done(&e);
	/* a table in a fact stays a table */
	assert_int_equal(explain_lookup("counters", &e), 0);
	{
		bool pre = false;

		for (size_t i = 0; i < e.n_items; i++)
			pre |= e.items[i].pre && strstr(e.items[i].text, "| TcpExt.TW |");
		assert_true(pre);
	}
	explain_done(&e);
}

static void test_unknown(void **state)
{
	static const char *const bad[] = {
		"", "nope", "port-exhaustion ", "findings.md#port-exhaustion", "kernel.md#nope",
		"kernel.md#", "#", "docs/kernel.md#port-exhaustion", "kernel.md#tw-recycle\"",
		"../../etc/passwd", "kernel.md#<a id=",
	};
	char near[96];
	struct explain e;

	(void) state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (explain_lookup(bad[i], &e) != -ENOENT)
			fail_msg("'%s' was found", bad[i]);
		/* a failed lookup leaves nothing to free */
		assert_int_equal(e.n_items, 0);
		assert_null(e.title);
	}
	assert_true(explain_suggest("port-exhastion", near, sizeof(near)));
	assert_string_equal(near, "port-exhaustion");
	assert_true(explain_suggest("nat-timewiat", near, sizeof(near)));
	assert_string_equal(near, "nat-timewait");
	assert_true(explain_suggest("kernel.md#tw-reuse-dlay", near, sizeof(near)));
	assert_string_equal(near, "tw-reuse-delay");
	assert_false(explain_suggest("zzzzzzzzzz", near, sizeof(near)));
}

static void check_render(const char *md, bool keep, const char *want)
{
	_cleanup_free_ char *got = explain_render_md(md, strlen(md), "docs/kernel.md", keep);

	assert_non_null(got);
	assert_string_equal(got, want);
}

static void test_render(void **state)
{
	(void) state;
	check_render("**Fix**: `sysctl -w a=*b*`", false, "Fix: sysctl -w a=*b*");
	check_render("see [tw-duration](kernel.md#tw-duration).", false, "see docs/kernel.md#tw-duration.");
	check_render("[the bypass](kernel.md#bind-connect-bypass)", false,
		     "the bypass (docs/kernel.md#bind-connect-bypass)");
	check_render("[recipes.md](recipes.md)", false, "docs/recipes.md");
	check_render("[above](#tw-rst)", false, "above (docs/kernel.md#tw-rst)");
	check_render("[x](https://example.org/a)", false, "x (https://example.org/a)");
	check_render("one\n  two\n\nthree\n", false, "one two three");
	check_render("one\n  two", true, "one\n  two");
	check_render("*reuse on* [unclosed", false, "reuse on [unclosed");
	check_render("`unclosed [a](", false, "`unclosed [a](");
	check_render("", false, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_embedded_is_docs),
		cmocka_unit_test(test_every_rule),
		cmocka_unit_test(test_every_scenario),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_facts_and_prefixes),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
