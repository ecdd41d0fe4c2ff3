// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every kernel reference twscope prints (doctor rule references, lab scenario
 * sources, notes in the code) names an anchor that exists in docs/kernel.md,
 * docs/findings.md links the sections each rule cites, and no source, doc or
 * man page points at files outside the repository.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "doctor/advice.h"
#include "lab/lab.h"
#include "util.h"

#define REF_PREFIX "docs/kernel.md#"
#define ANCHOR_CHARS "abcdefghijklmnopqrstuvwxyz0123456789-_"

static char root[2048];
static char *kernel_doc;

/* tests/run runs from the source tree */
static int setup(void **state)
{
	char path[4096];

	(void) state;
	if (!getcwd(root, sizeof(root)))
		return -1;
	snprintf(path, sizeof(path), "%s/docs/kernel.md", root);
	return read_small_file(path, 1 << 20, &kernel_doc);
}

static int teardown(void **state)
{
	(void) state;
	free(kernel_doc);
	kernel_doc = NULL;
	return 0;
}

/* has_anchor() - docs/kernel.md has a line '<a id="NAME"></a>'. */
static bool has_anchor(const char *name, size_t len)
{
	char needle[160];

	if (len > 100)
		return false;
	snprintf(needle, sizeof(needle), "\n<a id=\"%.*s\"></a>\n", (int)len, name);
	return strstr(kernel_doc, needle) != NULL;
}

/*
 * check_refs() - every "kernel.md#a" (and each ", #b" right after it) in text
 * names an anchor of docs/kernel.md; fails the test naming where otherwise.
 * Returns the number of anchors checked.
 */
static size_t check_refs(const char *where, const char *text)
{
	const char *p = text;
	size_t n = 0;

	while ((p = strstr(p, "kernel.md#"))) {
		p += strlen("kernel.md#");
		for (;;) {
			size_t len = strspn(p, ANCHOR_CHARS);

			if (len == 0)
				fail_msg("%s: empty anchor after 'kernel.md#'", where);
			if (!has_anchor(p, len))
				fail_msg("%s: '#%.*s' is not an anchor of docs/kernel.md", where, (int)len, p);
			n++;
			p += len;
			if (strncmp(p, ", #", 3) != 0)
				break;
			p += 3;
		}
	}
	return n;
}

static size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* check_printed() - a printed reference: starts with the prefix, every '#' resolves. */
static void check_printed(const char *where, const char *ref)
{
	assert_non_null(ref);
	if (strncmp(ref, REF_PREFIX, strlen(REF_PREFIX)) != 0)
		fail_msg("%s: reference '%s' does not start with '%s'", where, ref, REF_PREFIX);
	/* every '#' was parsed as an anchor: no stray "; #x" or "§" forms */
	if (check_refs(where, ref) != count_char(ref, '#'))
		fail_msg("%s: malformed reference '%s' (want \"%sa, #b\")", where, ref, REF_PREFIX);
}

static void test_anchors_unique(void **state)
{
	size_t n = 0;

	(void) state;
	for (const char *p = kernel_doc; (p = strstr(p, "\n<a id=\"")); p++) {
		const char *name = p + strlen("\n<a id=\"");
		size_t len = strspn(name, ANCHOR_CHARS);
		char needle[160];
		const char *first;

		assert_true(len > 0 && len <= 100);
		if (strncmp(name + len, "\"></a>\n", 7) != 0)
			fail_msg("docs/kernel.md: malformed anchor line near '%.20s'", name);
		snprintf(needle, sizeof(needle), "\n<a id=\"%.*s\"></a>\n", (int)len, name);
		first = strstr(kernel_doc, needle);
		if (first != p)
			fail_msg("docs/kernel.md: anchor '%.*s' defined twice", (int)len, name);
		n++;
	}
	assert_true(n >= 30);
}

static void test_rule_refs(void **state)
{
	(void) state;
	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		check_printed(advice_rule_id(i), advice_rule_reference(i));
}

static void test_lab_sources(void **state)
{
	(void) state;
	assert_true(lab_n_scenarios > 0);
	for (size_t i = 0; i < lab_n_scenarios; i++)
		check_printed(lab_scenarios[i]->name, lab_scenarios[i]->source);
}

/* docs/findings.md links, in each rule's section, every section its reference names. */
static void test_findings_doc_links(void **state)
{
	_cleanup_free_ char *doc = NULL;
	char path[4096];

	(void) state;
	snprintf(path, sizeof(path), "%s/docs/findings.md", root);
	assert_int_equal(read_small_file(path, 1 << 20, &doc), 0);
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		const char *ref = advice_rule_reference(i);
		char h[96];
		const char *sec, *end;

		snprintf(h, sizeof(h), "\n## `%s`\n", advice_rule_id(i));
		sec = strstr(doc, h);
		if (!sec) {
			fail_msg("docs/findings.md lacks the section of %s", advice_rule_id(i));
			return;
		}
		end = strstr(sec + 1, "\n## `");
		if (!end)
			end = sec + strlen(sec);
		for (const char *p = ref; (p = strchr(p, '#')); p++) {
			size_t len = strspn(p + 1, ANCHOR_CHARS);
			char link[160];
			const char *l;

			snprintf(link, sizeof(link), "(kernel.md#%.*s)", (int)len, p + 1);
			l = strstr(sec, link);
			if (!l || l > end)
				fail_msg("docs/findings.md, %s: no link %s", advice_rule_id(i), link);
		}
	}
}

/* Links inside docs/kernel.md itself: "](#name)". */
static void test_self_links(void **state)
{
	(void) state;
	for (const char *p = kernel_doc; (p = strstr(p, "](#")); p++) {
		const char *name = p + 3;
		size_t len = strspn(name, ANCHOR_CHARS);

		if (name[len] != ')' || !has_anchor(name, len))
			fail_msg("docs/kernel.md: link to '#%.*s' has no anchor", (int)len, name);
	}
}

static const char *const forbidden[] = {
	"../shared", "shared/knowledge", "kernel-facts", "seed-claims", "seeds/", "performance.md",
};

/* check_file() - the file's references resolve and it names nothing outside the repo. */
static void check_file(const char *rel)
{
	_cleanup_free_ char *text = NULL;
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	r = read_small_file(path, 8 << 20, &text);
	if (r < 0)
		fail_msg("cannot read %s: %s", rel, strerror(-r));
	check_refs(rel, text);
	for (size_t i = 0; i < ARRAY_SIZE(forbidden); i++)
		if (strcasestr(text, forbidden[i]))
			fail_msg("%s mentions '%s' (outside the repository)", rel, forbidden[i]);
	/* "seed 004", "seeds 000/001": research threads by number */
	for (const char *p = text; (p = strcasestr(p, "seed")); p += 4) {
		const char *q = p + 4;

		if (*q == 's' || *q == 'S')
			q++;
		if (*q == ' ' && q[1] >= '0' && q[1] <= '9')
			fail_msg("%s cites a seed by number: '%.12s'", rel, p);
	}
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* check_dir() - check_file() on the files of dir (not recursive) with one of the suffixes. */
static size_t check_dir(const char *dir, const char *const *suffixes, size_t n_suffixes)
{
	char path[4096];
	struct dirent *de;
	size_t n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", root, dir);
	d = opendir(path);
	if (!d)
		fail_msg("cannot open %s", dir);
	while ((de = readdir(d))) {
		char rel[1024];

		for (size_t i = 0; i < n_suffixes; i++) {
			if (!has_suffix(de->d_name, suffixes[i]))
				continue;
			snprintf(rel, sizeof(rel), "%s/%s", dir, de->d_name);
			check_file(rel);
			n++;
			break;
		}
	}
	closedir(d);
	return n;
}

static void test_tree(void **state)
{
	static const char *const code[] = { ".c", ".h", ".def" };
	static const char *const md[] = { ".md" };

	(void) state;
	/* src/bpf/vmlinux/ (generated) is below these and not scanned */
	assert_true(check_dir("src", code, ARRAY_SIZE(code)) > 10);
	assert_true(check_dir("src/lab", code, ARRAY_SIZE(code)) > 5);
	check_dir("src/bpf", code, ARRAY_SIZE(code));
	assert_true(check_dir("src/doctor", code, ARRAY_SIZE(code)) > 5);
	assert_true(check_dir("src/serve", code, ARRAY_SIZE(code)) > 2);
	assert_true(check_dir("docs", md, ARRAY_SIZE(md)) > 3);
	check_file("README.md");
	check_file("BENCHMARKS.md");
	check_file("doc/twscope.1");
}

/* The checker itself: a bogus anchor and an old-style reference are caught. */
static void test_checker_catches(void **state)
{
	(void) state;
	assert_true(has_anchor("tw-duration", strlen("tw-duration")));
	assert_false(has_anchor("no-such-fact", strlen("no-such-fact")));
	assert_false(has_anchor("tw-dur", strlen("tw-dur")));
	assert_int_equal(count_char(REF_PREFIX "tw-duration, #fin-timeout", '#'), 2);
	assert_int_equal(check_refs("self-test", REF_PREFIX "tw-duration, #fin-timeout"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anchors_unique),
		cmocka_unit_test(test_rule_refs),
		cmocka_unit_test(test_lab_sources),
		cmocka_unit_test(test_findings_doc_links),
		cmocka_unit_test(test_self_links),
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_checker_catches),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
