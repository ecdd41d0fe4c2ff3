// SPDX-License-Identifier: GPL-2.0-or-later
/* What several commands say the same way: entering a netns, and its errors. */
#include "twscope.h"

#include <errno.h>

#include "log.h"
#include "netns.h"

int cmd_enter_netns(const char *spec)
{
	int r = netns_enter(spec, NULL);

	switch (r) {
	case 0:
		return 0;
	case -ENOENT:
		return tw_err(0, "network namespace '%s' not found", spec), r;
	case -EPERM:
		return tw_err(0, "entering network namespace '%s' needs CAP_SYS_ADMIN (run as root)", spec), r;
	case -EACCES:
		return tw_err(0, "cannot open network namespace '%s': permission denied (needs root)", spec), r;
	case -EINVAL:
		return tw_err(0, "'%s' is not a network namespace", spec), r;
	default:
		return tw_err(r, "cannot enter network namespace '%s'", spec);
	}
}

const char *cmd_collect_error(int r)
{
	switch (r) {
	case -EPROTONOSUPPORT:
	case -ENOENT:
		return "the kernel has no TCP sock_diag (inet_diag/tcp_diag module)";
	case -ENOBUFS:
		return "the kernel dropped part of the socket dump (receive buffer overrun); try again";
	case -EBADMSG:
		return "malformed or truncated netlink reply from the kernel";
	case -EMSGSIZE:
		return "a netlink reply from the kernel did not fit the receive buffer";
	case -ETIMEDOUT:
		return "no complete socket dump from the kernel in time (netlink socket flooded?)";
	case -ENOMEM:
		return "out of memory";
	default:
		return NULL;
	}
}
