// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz history's time arguments (--since, --until). Relative times land in
 * the century before now; an absolute time printed back as RFC 3339 in UTC
 * parses to the same second.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "history/history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const int64_t now = 1764250000;
	char *s = malloc(size + 1);
	int64_t t, back;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (history_parse_time(s, now, &t) == 0) {
		if (s[0] == '-' && (t > now || t < now - 100LL * 366 * 86400))
			abort();
		if (s[0] != '-' && strcmp(s, "now") != 0 && t >= 0 && t < 253402300800LL) {
			time_t tt = (time_t)t;
			char buf[64];
			struct tm tm;

			if (!gmtime_r(&tt, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
				abort();
			if (tm.tm_year + 1900 >= 1970 &&
			    (history_parse_time(buf, now, &back) != 0 || back != t))
				abort();
		}
	}
	free(s);
	return 0;
}
