// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope explain ID: a doctor finding's, a lab scenario's or a kernel fact's
 * explanation, thresholds, fix and references, offline. The words are those
 * of docs/ (embedded at build time); this file only lays them out.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "explain.h"
#include "log.h"
#include "output.h"
#include "twscope.h"

#define WRAP_COLS 78
/* split so that the anchor checker (test-kernel-refs) does not read "%s" as one */
#define KERNEL_REF "docs/kernel.md" "#%s"

static void help(void)
{
	printf("usage: twscope explain [-j] ID\n\n"
	       "Print the full explanation of ID offline: what makes it fire, its thresholds,\n"
	       "why it matters, the fix and the kernel facts behind it (with their headings).\n"
	       "ID is a doctor finding ('port-exhaustion'), a lab scenario ('nat-timewait') or a\n"
	       "section of docs/kernel.md ('tw-reuse-delay', or 'kernel.md#tw-recycle' when a\n"
	       "finding has the same name). The text is that of docs/findings.md, docs/lab.md\n"
	       "and docs/kernel.md, built into the binary.\n\n"
	       "options:\n"
	       "  -j, --json     one JSON document (schema 1)\n"
	       "  -h, --help     this help\n\n"
	       "Exit status: 0, or 2 for an unknown ID (with the closest known one).\n\n"
	       "EXAMPLES\n"
	       "  twscope explain port-exhaustion       the finding doctor printed\n"
	       "  twscope explain client-exhaustion     a lab scenario\n"
	       "  twscope explain kernel.md#tw-recycle  a reference of a finding\n"
	       "  twscope explain -j tw-bucket-overflow | jq -r .items.fix\n");
}

/* print_wrapped() - text after a prefix of width `indent`, wrapped at WRAP_COLS. */
static void print_wrapped(const char *text, size_t col, size_t indent)
{
	const char *p = text;
	bool first = true;

	while (*p) {
		size_t w = strcspn(p, " "), cols = 0;

		for (size_t k = 0; k < w; k++)	/* UTF-8: count characters, not bytes */
			cols += ((unsigned char)p[k] & 0xc0) != 0x80;

		if (!first && col + 1 + cols > WRAP_COLS) {
			printf("\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, p);
		first = false;
		col += cols;
		p += w;
		while (*p == ' ')
			p++;
	}
	putchar('\n');
}

static bool is_item(const struct explain_item *it)
{
	return it->label || it->bullet;
}

static void print_text(const struct explain *e)
{
	static const char *const kind_title[] = {
		[EXPLAIN_FINDING] = "doctor finding",
		[EXPLAIN_SCENARIO] = "lab scenario",
		[EXPLAIN_FACT] = "kernel fact",
	};

	printf("%s: %s\n", e->id, e->title);
	printf("(%s; the text of %s)\n\n", kind_title[e->kind], e->doc);
	if (e->expectation) {
		printf("Expected: ");
		print_wrapped(e->expectation, strlen("Expected: "), 2);
	}
	for (size_t i = 0; i < e->n_items; i++) {
		const struct explain_item *it = &e->items[i];

		/* paragraphs and tables stand apart; "Label: text" items run on */
		if ((i > 0 || e->expectation) && (!is_item(it) || (i > 0 && !is_item(&e->items[i - 1]))))
			putchar('\n');
		if (it->pre) {
			printf("%s\n", it->text);
		} else if (it->bullet) {
			printf("- ");
			print_wrapped(it->text, 2, 2);
		} else if (it->label) {
			printf("%s: ", it->label);
			print_wrapped(it->text, strlen(it->label) + 2, 2);
		} else {
			print_wrapped(it->text, 0, 0);
		}
	}
	if (e->n_thresholds) {
		printf("\nThresholds (src/doctor/advice.h):\n");
		for (size_t i = 0; i < e->n_thresholds; i++)
			printf("  %s = %s\n", e->thresholds[i].name, e->thresholds[i].value);
	}
	if (e->n_refs) {
		printf("\nReferences (sections of docs/kernel.md; 'twscope explain kernel.md" "#%s' prints the first):\n",
		       e->refs[0].anchor);
		for (size_t i = 0; i < e->n_refs; i++)
			printf("  " KERNEL_REF "%s%s\n", e->refs[i].anchor, e->refs[i].title ? ": " : "",
			       e->refs[i].title ? e->refs[i].title : "");
	}
}

static int print_json(const struct explain *e)
{
	struct json_object *doc = json_object_new_object();
	struct json_object *items = json_object_new_object();
	struct json_object *text = json_object_new_array();
	struct json_object *th = json_object_new_array();
	struct json_object *refs = json_object_new_array();
	int r;

	json_object_object_add(doc, "schema", json_object_new_int(1));
	json_object_object_add(doc, "id", json_object_new_string(e->id));
	json_object_object_add(doc, "kind", json_object_new_string(explain_kind_name(e->kind)));
	json_object_object_add(doc, "title", json_object_new_string(e->title));
	json_object_object_add(doc, "doc", json_object_new_string(e->doc));
	if (e->expectation)
		json_object_object_add(doc, "expectation", json_object_new_string(e->expectation));
	for (size_t i = 0; i < e->n_items; i++) {
		const struct explain_item *it = &e->items[i];

		/* named items by key; paragraphs and tables in order under "text" */
		if (it->label && it->key[0] && !json_object_object_get_ex(items, it->key, NULL))
			json_object_object_add(items, it->key, json_object_new_string(it->text));
		else
			json_object_array_add(text, json_object_new_string(it->text));
	}
	json_object_object_add(doc, "items", items);
	json_object_object_add(doc, "text", text);
	for (size_t i = 0; i < e->n_thresholds; i++) {
		struct json_object *t = json_object_new_object();

		json_object_object_add(t, "name", json_object_new_string(e->thresholds[i].name));
		json_object_object_add(t, "value", json_object_new_string(e->thresholds[i].value));
		json_object_array_add(th, t);
	}
	json_object_object_add(doc, "thresholds", th);
	for (size_t i = 0; i < e->n_refs; i++) {
		struct json_object *o = json_object_new_object();
		char ref[128];

		snprintf(ref, sizeof(ref), KERNEL_REF, e->refs[i].anchor);
		json_object_object_add(o, "ref", json_object_new_string(ref));
		json_object_object_add(o, "title",
				       e->refs[i].title ? json_object_new_string(e->refs[i].title) : NULL);
		json_object_array_add(refs, o);
	}
	json_object_object_add(doc, "references", refs);
	r = out_json_print(doc, stdout);
	json_object_put(doc);
	return r;
}

int cmd_explain(struct tw_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct explain e;
	bool json = false;
	char near[96];
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			help();
			return TW_EXIT_OK;
		default:
			return tw_bad_option(ctx, c, argv, opts);
		}
	}
	if (optind >= argc)
		return tw_usage(ctx, "which finding, scenario or kernel fact? (e.g. 'port-exhaustion')");
	if (argc - optind > 1)
		return tw_usage(ctx, "one ID at a time ('%s' is extra)", argv[optind + 1]);

	r = explain_lookup(argv[optind], &e);
	if (r == -ENOENT) {
		bool have = explain_suggest(argv[optind], near, sizeof(near));

		if (json)
			out_json_error(ctx->cmd, "unknown id", TW_EXIT_USAGE);
		fprintf(stderr, "twscope explain: unknown id '%s'%s%s%s\n", argv[optind],
			have ? "; did you mean '" : " (try 'twscope doctor --help' or 'twscope lab list')",
			have ? near : "", have ? "'?" : "");
		return TW_EXIT_USAGE;
	}
	if (r < 0) {
		tw_err(r, "cannot build the explanation");
		return TW_EXIT_FAIL;
	}
	if (json)
		r = print_json(&e);
	else
		print_text(&e);
	explain_done(&e);
	return r < 0 ? TW_EXIT_FAIL : TW_EXIT_OK;
}
