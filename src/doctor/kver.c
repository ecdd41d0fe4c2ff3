// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kver: parses kernel release strings and answers "does this release have
 * change X" from kchanges.def. No I/O; it never looks at the running kernel.
 */
#include "doctor/kver.h"

#include <errno.h>
#include <string.h>

static const struct {
	unsigned int major, minor;
	const char *ref, *what;
} changes[] = {
#define KCHANGE(id, ma, mi, r, w) [KCHANGE_##id] = { ma, mi, r, w },
#include "doctor/kchanges.def"
#undef KCHANGE
};

/* One decimal number of at most 5 digits (<= 65535) at *p; advances *p. */
static bool parse_num(const char **p, unsigned int *ret)
{
	unsigned int v = 0;
	size_t n = 0;

	while (**p >= '0' && **p <= '9') {
		if (++n > 5)
			return false;
		v = v * 10 + (unsigned int)(**p - '0');
		(*p)++;
	}
	if (n == 0 || v > 65535)
		return false;
	*ret = v;
	return true;
}

int kver_parse(const char *release, struct kver *ret)
{
	struct kver k = {};
	const char *p = release;

	if (!p || !parse_num(&p, &k.major) || *p != '.')
		return -EINVAL;
	p++;
	if (!parse_num(&p, &k.minor))
		return -EINVAL;
	if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
		p++;
		if (!parse_num(&p, &k.patch))
			return -EINVAL;
	}
	if (*p && !strchr("-+_~.", *p))
		return -EINVAL;
	*ret = k;
	return 0;
}

int kver_cmp(const struct kver *a, unsigned int major, unsigned int minor)
{
	if (a->major != major)
		return a->major < major ? -1 : 1;
	if (a->minor != minor)
		return a->minor < minor ? -1 : 1;
	return 0;
}

enum kver_has kver_has(const char *release, enum kchange_id id)
{
	struct kver k;

	if (id >= KCHANGE_MAX || kver_parse(release, &k) < 0)
		return KVER_UNKNOWN;
	return kver_cmp(&k, changes[id].major, changes[id].minor) >= 0 ? KVER_YES : KVER_NO;
}

unsigned int kchange_major(enum kchange_id id)
{
	return id < KCHANGE_MAX ? changes[id].major : 0;
}

unsigned int kchange_minor(enum kchange_id id)
{
	return id < KCHANGE_MAX ? changes[id].minor : 0;
}

const char *kchange_ref(enum kchange_id id)
{
	return id < KCHANGE_MAX ? changes[id].ref : NULL;
}

const char *kchange_what(enum kchange_id id)
{
	return id < KCHANGE_MAX ? changes[id].what : NULL;
}
