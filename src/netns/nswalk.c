// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Visit namespaces with setns() from this process: enter, call back,
 * return to the namespace we started in (kept open as one fd). Sockets a
 * callback opens stay bound to the namespace they were made in. No printing.
 */
#include "netns/nswalk.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "netns.h"
#include "netns/nsenum.h"
#include "util.h"

int nswalk_each(const struct nsenum_list *l, const size_t *idx, size_t n, nswalk_fn fn, void *data)
{
	_cleanup_close_ int orig = -EBADF;
	int r;

	/* this thread's netns: serve -A walks from an HTTP thread */
	orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (orig < 0)
		return -errno;
	for (size_t k = 0; k < n; k++) {
		size_t i = idx ? idx[k] : k;
		const struct nsenum_entry *e = &l->v[i];
		int err = 0;

		if (i >= l->n)
			return -EINVAL;
		if (!e->self) {
			err = e->path ? netns_enter_ino(e->path, e->dev, e->ino) : -ENOENT;
			if (err == -ESRCH || err == -ESTALE)
				err = -ENOENT;
		}
		r = fn(i, err, data);
		if (!e->self && !err) {
			int back = netns_switch_fd(orig);

			if (back < 0)
				return back;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

const char *nswalk_skip_reason(int enter_err)
{
	switch (enter_err) {
	case -EPERM:
		return "entering it needs CAP_SYS_ADMIN";
	case -EACCES:
		return "permission denied (needs CAP_SYS_PTRACE or root)";
	case -ENOENT:
		return "gone during the walk";
	case -EINVAL:
		return "not a network namespace";
	default:
		return strerror(-enter_err);
	}
}
