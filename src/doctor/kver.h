/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kver: kernel release strings ("6.1.0-27-amd64") and the table of releases
 * where behaviour doctor advises on changed (kchanges.def). Doctor probes
 * the running kernel first; these answer only what probing cannot tell,
 * such as the kernel a loaded bundle came from. Pure: no I/O.
 */
#ifndef TWSCOPE_KVER_H
#define TWSCOPE_KVER_H

#include <stdbool.h>

struct kver {
	unsigned int major;
	unsigned int minor;
	unsigned int patch;	/* 0 when the release has none */
};

enum kchange_id {
#define KCHANGE(id, major, minor, ref, what) KCHANGE_##id,
#include "doctor/kchanges.def"
#undef KCHANGE
	KCHANGE_MAX
};

/* Does a kernel have a change? */
enum kver_has {
	KVER_UNKNOWN,		/* no release, or one that does not parse */
	KVER_NO,
	KVER_YES,
};

/*
 * kver_parse() - "MAJOR.MINOR[.PATCH]" at the start of a uname -r string,
 * followed by nothing or by one of "-+_~." ("4.9.0-0.bpo.12-amd64",
 * "6.18.44-fc-v769"). Returns 0, or -EINVAL for anything else (empty,
 * "6", "6.x", "v6.1", numbers above 65535); *ret is set only on success.
 */
int kver_parse(const char *release, struct kver *ret);

/* kver_cmp() - <0, 0, >0 as a is older than, the same as, newer than major.minor. */
int kver_cmp(const struct kver *a, unsigned int major, unsigned int minor);

/* kver_has() - whether the kernel `release` has change id (KVER_UNKNOWN when it does not parse). */
enum kver_has kver_has(const char *release, enum kchange_id id);

/* kchange_major() / _minor() / _ref() / _what() - the table row. */
unsigned int kchange_major(enum kchange_id id);
unsigned int kchange_minor(enum kchange_id id);
const char *kchange_ref(enum kchange_id id);
const char *kchange_what(enum kchange_id id);

#endif
