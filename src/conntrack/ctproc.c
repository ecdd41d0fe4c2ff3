// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Readers for conntrack's sysctls and /proc/net/stat/nf_conntrack of the
 * current netns (both are per namespace). Parsing is separate and pure;
 * nothing here prints.
 */
#include "conntrack/ctproc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ksettings.h"
#include "util.h"

#define CT_STAT_FILE_MAX (1024 * 1024)	/* 4096 CPUs of ~200 bytes */
#define CT_STAT_COLS_MAX 64

static const char *const stat_names[CT_STAT_MAX] = {
#define CT_STAT_NAME(id, name, col) name,
	CT_STATS(CT_STAT_NAME)
#undef CT_STAT_NAME
};

static const char *const stat_cols[CT_STAT_MAX] = {
#define CT_STAT_COL(id, name, col) col,
	CT_STATS(CT_STAT_COL)
#undef CT_STAT_COL
};

const char *ct_stat_name(enum ct_stat_id id)
{
	return id < CT_STAT_MAX ? stat_names[id] : "?";
}

static int col_id(const char *tok, size_t n)
{
	for (int i = 0; i < CT_STAT_MAX; i++)
		if (strlen(stat_cols[i]) == n && !memcmp(stat_cols[i], tok, n))
			return i;
	return -1;
}

/* One whitespace-separated token from *p (advanced); NULL at the end of the line. */
static const char *next_tok(const char **p, size_t *ret_n)
{
	const char *s = *p;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '\n') {
		*p = s;
		return NULL;
	}
	*ret_n = strcspn(s, " \t\n");
	*p = s + *ret_n;
	return s;
}

static int parse_hex(const char *s, size_t n, uint64_t *ret)
{
	uint64_t v = 0;

	if (n == 0 || n > 16)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EBADMSG;
		v = v << 4 | (uint64_t)d;
	}
	*ret = v;
	return 0;
}

int ct_stats_parse(const char *text, struct ct_stats *ret)
{
	int cols[CT_STAT_COLS_MAX];
	struct ct_stats s;
	const char *p = text, *tok;
	size_t ncols = 0, n;

	memset(&s, 0, sizeof(s));
	while ((tok = next_tok(&p, &n))) {
		if (ncols == CT_STAT_COLS_MAX)
			return -EBADMSG;
		cols[ncols] = col_id(tok, n);
		if (cols[ncols] >= 0)
			s.present[cols[ncols]] = true;
		ncols++;
	}
	if (!ncols || *p != '\n')
		return -EBADMSG;
	p++;
	while (*p) {
		size_t i = 0;

		while ((tok = next_tok(&p, &n))) {
			uint64_t v;

			if (i == ncols || parse_hex(tok, n, &v) < 0)
				return -EBADMSG;
			if (cols[i] >= 0)
				s.value[cols[i]] += v;
			i++;
		}
		if (i != ncols)
			return -EBADMSG;
		s.cpus++;
		if (*p == '\n')
			p++;
	}
	if (!s.cpus)
		return -EBADMSG;
	s.have = true;
	*ret = s;
	return 0;
}

int ct_stats_read(struct ct_stats *ret)
{
	_cleanup_free_ char *text = NULL;
	int r;

	r = read_small_file("net/stat/nf_conntrack", CT_STAT_FILE_MAX, &text);
	if (r < 0)
		return r;
	return ct_stats_parse(text, ret);
}

void ct_stats_delta(const struct ct_stats *a, const struct ct_stats *b, struct ct_stats *ret)
{
	struct ct_stats d;

	memset(&d, 0, sizeof(d));
	d.have = a->have && b->have;
	d.cpus = b->cpus;
	for (int i = 0; i < CT_STAT_MAX; i++) {
		d.present[i] = a->present[i] && b->present[i];
		if (d.present[i] && b->value[i] > a->value[i])
			d.value[i] = b->value[i] - a->value[i];
	}
	*ret = d;
}

static int read_u64(const char *name, bool *have, uint64_t *ret)
{
	int64_t v;
	int r = ksettings_sysctl_i64(name, &v);

	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (v < 0)
		return -EINVAL;
	*ret = (uint64_t)v;
	*have = true;
	return 0;
}

int ct_settings_read(struct ct_settings *ret)
{
	struct ct_settings s;
	int r;

	memset(&s, 0, sizeof(s));
	r = read_u64("net.netfilter.nf_conntrack_count", &s.loaded, &s.count);
	if (r < 0)
		return r;
	if (!s.loaded) {
		*ret = s;
		return 0;
	}
	r = read_u64("net.netfilter.nf_conntrack_max", &s.have_max, &s.max);
	if (r >= 0)
		r = read_u64("net.netfilter.nf_conntrack_buckets", &s.have_buckets, &s.buckets);
	if (r >= 0)
		r = read_u64("net.netfilter.nf_conntrack_tcp_timeout_time_wait", &s.have_tw_timeout,
			     &s.tw_timeout_s);
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}
