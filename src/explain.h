/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * explain: the offline explanation of a doctor finding, a lab scenario or a
 * kernel fact. The words come from docs/findings.md, docs/lab.md and
 * docs/kernel.md, which the build embeds (scripts/embed-text), and the ids,
 * titles and references from rules.def and the lab table: the text exists
 * once. Pure: no I/O, no printing.
 */
#ifndef TWSCOPE_EXPLAIN_H
#define TWSCOPE_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

enum explain_kind {
	EXPLAIN_FINDING,	/* a doctor rule id (rules.def) */
	EXPLAIN_SCENARIO,	/* a lab scenario name */
	EXPLAIN_FACT,		/* an anchor of docs/kernel.md */
};

#define EXPLAIN_MAX_ITEMS 24
#define EXPLAIN_MAX_REFS 12
#define EXPLAIN_MAX_THRESHOLDS 6

/* One block of the section: a "- **Fires**: ..." item or a paragraph. */
struct explain_item {
	char key[32];		/* "fires", "fix", ... (JSON key); "" for a paragraph */
	char *label;		/* "Fix, best first"; NULL for a paragraph */
	char *text;		/* plain text, one line (preformatted: lines kept) */
	bool pre;		/* a table or code block: print as is */
	bool bullet;		/* a "- " item without a label */
};

struct explain_ref {
	char anchor[64];	/* "tw-recycle": docs/kernel.md#tw-recycle */
	char *title;		/* that section's heading, or NULL when it has none */
};

struct explain_threshold {
	char *name;		/* "ADV_PORT_WARN_PCT / ADV_PORT_CRIT_PCT" */
	char *value;		/* "50 % / 80 %" */
};

struct explain {
	enum explain_kind kind;
	const char *id;		/* the id as its table spells it */
	char *title;		/* rule title, scenario question or fact heading */
	const char *expectation; /* scenarios only, else NULL */
	char doc[96];		/* "docs/findings.md#port-exhaustion" */
	struct explain_item items[EXPLAIN_MAX_ITEMS];
	size_t n_items;
	struct explain_ref refs[EXPLAIN_MAX_REFS];
	size_t n_refs;
	struct explain_threshold thresholds[EXPLAIN_MAX_THRESHOLDS];
	size_t n_thresholds;
};

/*
 * explain_lookup() - fill *ret (free with explain_done()) for id: a rule id,
 * a scenario name or a kernel.md anchor, in that order; with a "kernel.md"
 * or "docs/kernel.md" prefix and '#' only the kernel fact (e.g.
 * "kernel.md#tw-recycle", not the finding). Returns 0, -ENOENT for an
 * unknown id (or one whose doc section is missing), -ENOMEM.
 */
int explain_lookup(const char *id, struct explain *ret);

/* explain_done() - free what explain_lookup() allocated; safe on a zeroed struct. */
void explain_done(struct explain *e);

/*
 * explain_suggest() - copy the known id closest to id (edit distance <= 3)
 * into buf; false when none is close.
 */
bool explain_suggest(const char *id, char *buf, size_t bufsz);

/*
 * explain_render_md() - Markdown inline text as plain text: emphasis and code
 * marks dropped, links as "text (docs/target)", lines joined by one space
 * (unless keep_lines). base is the document relative links start from
 * ("docs/kernel.md"). A new string, or NULL on OOM.
 */
char *explain_render_md(const char *md, size_t len, const char *base, bool keep_lines);

/* explain_kind_name() - "finding", "scenario" or "kernel-fact". */
const char *explain_kind_name(enum explain_kind kind);

#endif
