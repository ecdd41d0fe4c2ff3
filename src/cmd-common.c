// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What several commands say the same way: entering a netns and its errors,
 * and the socket filter options of stat and kill.
 */
#include "twscope.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "addr.h"
#include "census.h"
#include "log.h"
#include "netns.h"
#include "tcpstate.h"

/* has_cap_sys_admin() - is CAP_SYS_ADMIN in the effective set (of our user namespace)? */
static bool has_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
}

const char *cmd_netns_error_text(const char *spec, int r, bool is_root, bool cap_sys_admin, char *buf,
				 size_t len)
{
	switch (r) {
	case -ENOENT:
		snprintf(buf, len, "network namespace '%s' not found", spec);
		break;
	case -EPERM:
		if (cap_sys_admin)
			snprintf(buf, len, "entering network namespace '%s' was refused although "
				 "CAP_SYS_ADMIN is effective: it belongs to a user namespace this one does "
				 "not own (a container), or a security module forbids setns()", spec);
		else if (is_root)
			snprintf(buf, len, "entering network namespace '%s' needs CAP_SYS_ADMIN, which this "
				 "root process lacks (dropped from its capabilities)", spec);
		else
			snprintf(buf, len, "entering network namespace '%s' needs CAP_SYS_ADMIN (run as root)",
				 spec);
		break;
	case -EACCES:
		if (is_root)
			snprintf(buf, len, "cannot open network namespace '%s': permission denied although "
				 "running as root: its process belongs to a user namespace this one does not "
				 "own (a container), or a security module refuses access", spec);
		else
			snprintf(buf, len, "cannot open network namespace '%s': permission denied (needs root)",
				 spec);
		break;
	case -EINVAL:
		snprintf(buf, len, "'%s' is not a network namespace", spec);
		break;
	default:
		snprintf(buf, len, "cannot enter network namespace '%s': %s", spec, strerror(-r));
		break;
	}
	return buf;
}

void cmd_warn_hidden_pids(unsigned int n)
{
	tw_warn("the network namespace%s of %u process%s %s hidden from us (needs CAP_SYS_PTRACE or "
		"root), skipping", n == 1 ? "" : "s", n, n == 1 ? "" : "es", n == 1 ? "is" : "are");
}

int cmd_netns_error(const char *spec, int r)
{
	char buf[512];

	return tw_err(0, "%s", cmd_netns_error_text(spec, r, geteuid() == 0, has_cap_sys_admin(), buf,
						     sizeof(buf))), r;
}

int cmd_enter_netns(const char *spec)
{
	int r = netns_enter(spec, NULL);

	return r < 0 ? cmd_netns_error(spec, r) : 0;
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

static int parse_states(const char *list, uint32_t *mask, char *err, size_t len)
{
	uint32_t m;
	size_t bad, n;

	if (tcpstate_parse_list(list, &m, &bad) == 0) {
		*mask |= m;
		return 0;
	}
	n = strcspn(list + bad, ",");
	if (!*list)
		snprintf(err, len, "empty --state list");
	else if (n == 0)
		snprintf(err, len, "empty state in --state '%s'", list);
	else
		snprintf(err, len, "unknown state '%.*s'", (int)n, list + bad);
	return -EINVAL;
}

int cmd_filter_option(struct cmd_filter *cf, int c, const char *arg, char *err, size_t len)
{
	struct census_filter *f = cf->f;
	uint16_t port;

	switch (c) {
	case '4':
		cf->only4 = true;
		return 1;
	case '6':
		cf->only6 = true;
		return 1;
	case 's':
		if (parse_states(arg, &f->states, err, len) < 0)
			return -EINVAL;
		break;
	case 'p':
		if (addr_parse_port(arg, &port) < 0) {
			snprintf(err, len, "invalid port '%s' (1-65535)", arg);
			return -EINVAL;
		}
		f->port = port;
		break;
	case 'd':
		if (addr_parse_endpoint(arg, &f->dst, &f->dst_port) < 0) {
			snprintf(err, len, "invalid destination '%s' (ADDR, ADDR:PORT or [V6ADDR]:PORT)", arg);
			return -EINVAL;
		}
		f->have_dst = true;
		break;
	case CMD_OPT_SRC:
		if (addr_parse(arg, &f->src) < 0) {
			snprintf(err, len, "invalid source address '%s'", arg);
			return -EINVAL;
		}
		f->have_src = true;
		break;
	default:
		return 0;
	}
	cf->narrowed = true;
	return 1;
}

int cmd_filter_finish(struct cmd_filter *cf, char *err, size_t len)
{
	struct census_filter *f = cf->f;

	if (cf->only4 && cf->only6) {
		snprintf(err, len, "-4 and -6 exclude each other");
		return -EINVAL;
	}
	f->v4 = !cf->only6;
	f->v6 = !cf->only4;
	/* An IPv4 address also matches its IPv4-mapped form on an IPv6 socket: -6 may go with it. */
	if ((f->have_dst && f->dst.family == AF_INET6 && cf->only4) ||
	    (f->have_src && f->src.family == AF_INET6 && cf->only4)) {
		snprintf(err, len, "--%s is an IPv6 address but -4 was given", f->have_dst &&
			 f->dst.family == AF_INET6 ? "dst" : "src");
		return -EINVAL;
	}
	return 0;
}
