// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nlfloor: the cheapest possible TCP socket count over NETLINK_SOCK_DIAG, the
 * floor that twscope stat is compared with. It sends the same dumps as stat
 * (LISTEN of IPv4 and IPv6, then 0x1bfe of both) and only counts messages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>

/* Same receive buffer as src/sockdiag.c, so the syscall count matches. */
#define BUF_SIZE	(64 * 1024)
#define MASK_LISTEN	(1U << 10)
/* States 1..12 except LISTEN; never bit 13 (TCP_BOUND_INACTIVE walks the bind table). */
#define MASK_OTHERS	0x1bfeU
#define MAX_MASKS	4

static char buf[BUF_SIZE];

/* Returns the number of SOCK_DIAG_BY_FAMILY messages, or -errno. */
static long long dump_count(struct mnl_socket *nl, uint32_t seq, int family, uint32_t states)
{
	struct inet_diag_req_v2 *req;
	struct nlmsghdr *nlh;
	long long count = 0;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = states;
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
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
				count++;
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return count;
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

				return e->error ? e->error : -EBADMSG;
			}
		}
		if (n == 0)
			return -EBADMSG;
	}
}

static int parse_mask(const char *s, uint32_t *ret)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v == 0 || v > 0xffffUL)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: nlfloor [-4] [-6] [-s MASK]... [-v]\n"
		"Counts TCP sockets with one sock_diag dump per family and state mask.\n"
		"Default: families IPv4 and IPv6, masks 0x400 (LISTEN) then 0x1bfe, as\n"
		"'twscope stat' does. -s replaces the masks (repeatable, up to %d).\n"
		"Prints the total count; -v adds one line per dump and the time to stderr.\n",
		MAX_MASKS);
}

int main(int argc, char **argv)
{
	uint32_t masks[MAX_MASKS] = { MASK_LISTEN, MASK_OTHERS };
	unsigned int nmasks = 2;
	bool user_masks = false;
	bool v4 = false;
	bool v6 = false;
	bool verbose = false;
	struct mnl_socket *nl;
	struct timespec t0;
	struct timespec t1;
	long long total = 0;
	uint32_t seq;
	int fams[2];
	int nfams = 0;
	unsigned int m;
	int c;
	int f;

	while ((c = getopt(argc, argv, "46s:vh")) != -1) {
		switch (c) {
		case '4':
			v4 = true;
			break;
		case '6':
			v6 = true;
			break;
		case 's':
			if (!user_masks) {
				nmasks = 0;
				user_masks = true;
			}
			if (nmasks == MAX_MASKS || parse_mask(optarg, &masks[nmasks]) < 0) {
				fprintf(stderr, "nlfloor: invalid or too many masks '%s'\n", optarg);
				return 2;
			}
			nmasks++;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (!v4 && !v6)
		v4 = v6 = true;
	if (v4)
		fams[nfams++] = AF_INET;
	if (v6)
		fams[nfams++] = AF_INET6;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlfloor: sock_diag socket");
		return 1;
	}
	seq = (uint32_t)time(NULL);
	/* Same order as stat (src/collect.c): LISTEN of both families, then the rest. */
	for (m = 0; m < nmasks; m++) {
		for (f = 0; f < nfams; f++) {
			long long n = dump_count(nl, ++seq, fams[f], masks[m]);

			if (n < 0) {
				fprintf(stderr, "nlfloor: dump failed: %s\n", strerror((int)-n));
				mnl_socket_close(nl);
				return 1;
			}
			if (verbose)
				fprintf(stderr, "nlfloor: %s states 0x%x: %lld\n",
					fams[f] == AF_INET ? "ipv4" : "ipv6", masks[m], n);
			total += n;
		}
	}
	mnl_socket_close(nl);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (verbose)
		fprintf(stderr, "nlfloor: %.3f ms\n",
			(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	printf("%lld\n", total);
	return 0;
}
