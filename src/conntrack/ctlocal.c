// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The addresses of the current netns (one RTM_GETADDR dump over libmnl),
 * so the conntrack census can tell entries with an end on this host from
 * forwarded ones. Bounded to CT_MAX_LOCAL addresses; no printing.
 */
#include "conntrack/ct.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

struct addr_walk {
	struct tw_addr *v;
	size_t n;
};

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *local = NULL, *addr = NULL;
	struct addr_walk *w = data;
	struct tw_addr *t;
	size_t len;

	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa))
		return MNL_CB_OK;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return MNL_CB_OK;
	len = ifa->ifa_family == AF_INET ? 4 : 16;
	mnl_attr_for_each(a, nlh, sizeof(*ifa)) {
		if (mnl_attr_get_type(a) == IFA_LOCAL && mnl_attr_get_payload_len(a) == len)
			local = a;
		else if (mnl_attr_get_type(a) == IFA_ADDRESS && mnl_attr_get_payload_len(a) == len)
			addr = a;
	}
	/* IPv4: IFA_LOCAL is ours (IFA_ADDRESS is the peer on point-to-point links) */
	if (!local)
		local = addr;
	if (!local || w->n >= CT_MAX_LOCAL)
		return MNL_CB_OK;
	t = &w->v[w->n++];
	memset(t, 0, sizeof(*t));
	t->family = ifa->ifa_family;
	memcpy(t->bytes, mnl_attr_get_payload(local), len);
	return MNL_CB_OK;
}

int ct_local_addrs(struct tw_addr **ret, size_t *ret_n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	struct addr_walk w = { .v = calloc(CT_MAX_LOCAL, sizeof(struct tw_addr)) };
	struct nlmsghdr *nlh;
	struct rtgenmsg *g;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int r = 0;

	if (!w.v || !nl) {
		r = !w.v ? -ENOMEM : -errno;
		goto out;
	}
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			r = -errno;
			break;
		}
		r = mnl_cb_run(buf, (size_t)n, seq, portid, addr_cb, &w);
		if (r <= 0) {
			r = r < 0 ? -errno : 0;
			break;
		}
	}
out:
	if (nl)
		mnl_socket_close(nl);
	if (r < 0) {
		free(w.v);
		return r;
	}
	*ret = w.v;
	*ret_n = w.n;
	return 0;
}
