// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz what `twscope explain ID` does with a user's ID (lookup, suggestion),
 * the Markdown renderer on arbitrary text, and the kernel release parser
 * (bundles carry any string): a parsed release prints and parses back the same.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/kver.h"
#include "explain.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), near[96], back[64];
	struct explain e;
	struct kver k, k2;
	char *md;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (explain_lookup(s, &e) == 0)
		explain_done(&e);
	(void) explain_suggest(s, near, sizeof(near));
	/* the renderer reads exactly size bytes: no NUL needed */
	md = explain_render_md((const char *)data, size, "docs/kernel.md", size & 1);
	free(md);
	if (kver_parse(s, &k) == 0) {
		snprintf(back, sizeof(back), "%u.%u.%u", k.major, k.minor, k.patch);
		if (kver_parse(back, &k2) != 0 || k2.major != k.major || k2.minor != k.minor ||
		    k2.patch != k.patch)
			abort();
	}
	free(s);
	return 0;
}
