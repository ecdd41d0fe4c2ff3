// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctfloor: the cheapest possible conntrack count over ctnetlink, the floor
 * that `twscope stat --conntrack` is compared with: one IPCTNL_MSG_CT_GET
 * dump (AF_UNSPEC, the same request and 64 KiB buffer as
 * src/conntrack/nfnl.c) that only counts messages. Prints the count.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <libmnl/libmnl.h>

#define BUF_SIZE (64 * 1024)

static char buf[BUF_SIZE] __attribute__((aligned(8)));

/* Returns the number of conntrack entries, or -errno. */
static long long dump_count(struct mnl_socket *nl)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;
	long long count = 0;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = (uint32_t)time(NULL);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = AF_UNSPEC;
	g->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EBADMSG;
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type == NLMSG_DONE)
				return count;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				return e->error ? e->error : -EBADMSG;
			}
			count++;
		}
	}
}

int main(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	long long n;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fprintf(stderr, "ctfloor: netlink: %s\n", strerror(errno));
		return 1;
	}
	n = dump_count(nl);
	mnl_socket_close(nl);
	if (n < 0) {
		fprintf(stderr, "ctfloor: dump: %s\n", strerror((int)-n));
		return 1;
	}
	printf("%lld\n", n);
	return 0;
}
