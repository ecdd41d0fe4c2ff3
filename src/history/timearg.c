// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Time arguments of twscope history: unix seconds, RFC 3339 and times
 * relative to now. Pure parsing; no I/O.
 */
#include "history/history.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#define TIMEARG_MAX_SEC (100LL * 366 * 86400)	/* relative times: at most a century */

static int digits(const char **p, int n, int *ret)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*ret = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -EINVAL;
	(*p)++;
	return 0;
}

static int parse_relative(const char *s, int64_t now, int64_t *ret)
{
	int64_t total = 0;

	if (!*s)
		return -EINVAL;
	while (*s) {
		int64_t n = 0, unit;

		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		while (isdigit((unsigned char)*s)) {
			n = n * 10 + (*s++ - '0');
			if (n > TIMEARG_MAX_SEC)
				return -EINVAL;
		}
		switch (*s++) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 86400;
			break;
		case 'w':
			unit = 7 * 86400;
			break;
		default:
			return -EINVAL;
		}
		total += n * unit;
		if (total > TIMEARG_MAX_SEC)
			return -EINVAL;
	}
	*ret = now - total;
	return 0;
}

static int parse_rfc3339(const char *s, int64_t *ret)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
	time_t t;

	if (digits(&s, 4, &y) < 0 || expect(&s, '-') < 0 || digits(&s, 2, &mo) < 0 ||
	    expect(&s, '-') < 0 || digits(&s, 2, &d) < 0)
		return -EINVAL;
	if (*s) {
		if (*s != 'T' && *s != 't' && *s != ' ')
			return -EINVAL;
		s++;
		if (digits(&s, 2, &h) < 0 || expect(&s, ':') < 0 || digits(&s, 2, &mi) < 0 ||
		    expect(&s, ':') < 0 || digits(&s, 2, &sec) < 0)
			return -EINVAL;
		if (*s == '.') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -EINVAL;
			while (isdigit((unsigned char)*s))
				s++;
		}
		if (*s == 'Z' || *s == 'z') {
			s++;
		} else if (*s == '+' || *s == '-') {
			sign = *s++ == '-' ? -1 : 1;
			if (digits(&s, 2, &oh) < 0 || expect(&s, ':') < 0 || digits(&s, 2, &om) < 0)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		if (*s)
			return -EINVAL;
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || oh > 23 ||
	    om > 59 || y < 1970)
		return -EINVAL;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm() normalises 31 February into March: refuse what moved. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -EINVAL;
	*ret = (int64_t)t - sign * (oh * 3600 + om * 60);
	return 0;
}

int history_parse_time(const char *s, int64_t now, int64_t *ret)
{
	size_t n;

	if (!s)
		return -EINVAL;
	n = strlen(s);
	if (strcmp(s, "now") == 0) {
		*ret = now;
		return 0;
	}
	if (s[0] == '-')
		return parse_relative(s + 1, now, ret);
	if (n > 0 && n <= 12 && strspn(s, "0123456789") == n) {
		int64_t v = 0;

		for (size_t i = 0; i < n; i++)
			v = v * 10 + (s[i] - '0');
		*ret = v;
		return 0;
	}
	return parse_rfc3339(s, ret);
}

int history_parse_range(const char *since, const char *until, int64_t now, int64_t default_span,
			int64_t *ret_since, int64_t *ret_until, const char **ret_bad)
{
	int64_t s, u = now;

	*ret_bad = NULL;
	if (until && history_parse_time(until, now, &u) < 0) {
		*ret_bad = "--until";
		return -EINVAL;
	}
	s = u - default_span;
	if (since && history_parse_time(since, now, &s) < 0) {
		*ret_bad = "--since";
		return -EINVAL;
	}
	if (s >= u)
		return -ERANGE;
	*ret_since = s;
	*ret_until = u;
	return 0;
}
