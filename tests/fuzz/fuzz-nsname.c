// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz what names a namespace from untrusted host files: /proc/<pid>/cgroup
 * text, mountinfo lines, Docker config.v2.json and OCI config.json. Every
 * name must stay NUL-terminated within its field; labels within their buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netns/nsenum.h"
#include "netns/nsname.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct nsname *n)
{
	if (strnlen(n->id, sizeof(n->id)) == sizeof(n->id) || strnlen(n->name, sizeof(n->name)) == sizeof(n->name) ||
	    strnlen(n->pod_uid, sizeof(n->pod_uid)) == sizeof(n->pod_uid) ||
	    strnlen(n->pod_name, sizeof(n->pod_name)) == sizeof(n->pod_name) ||
	    strnlen(n->unit, sizeof(n->unit)) == sizeof(n->unit))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), mnt[64], label[128];
	struct nsname n;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&n, 0, sizeof(n));
	(void) nsname_parse_cgroup(s, &n);
	check(&n);
	(void) nsname_parse_docker_config(s, &n);
	(void) nsname_parse_oci_config(s, &n);
	check(&n);
	nsname_label(&n, label, sizeof(label));
	if (strnlen(label, sizeof(label)) == sizeof(label))
		abort();
	if (nsenum_parse_mountinfo_line(s, mnt, sizeof(mnt)) && (mnt[0] != '/' || strnlen(mnt, sizeof(mnt)) == sizeof(mnt)))
		abort();
	free(s);
	return 0;
}
