/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A NAT topology for lab scenarios, built over netlink (libmnl) from inside
 * the lab's private namespace: more namespaces held by fds, veth pairs
 * between them, addresses, a default route, and an nf_tables source-NAT
 * chain. No subprocess, no printing; everything dies with the namespaces.
 */
#ifndef TWSCOPE_LAB_LABNAT_H
#define TWSCOPE_LAB_LABNAT_H

#include <stdbool.h>
#include <stdint.h>

/*
 * labnat_netns_new() - a new network namespace (lo up), held by the fd in
 * *ret_fd; the caller stays in its own. 0 or -errno.
 */
int labnat_netns_new(int *ret_fd);

/*
 * labnat_enter() / labnat_leave() - run in ns_fd until labnat_leave(old).
 * labnat_enter() returns the fd of the namespace left (>= 0) or -errno.
 */
int labnat_enter(int ns_fd);
void labnat_leave(int old_fd);

/*
 * labnat_veth() - a veth pair: name_a in the current namespace with addr_a,
 * name_b in ns_b with addr_b (dotted IPv4, /24), both up. 0 or -errno.
 */
int labnat_veth(const char *name_a, const char *addr_a, int ns_b, const char *name_b, const char *addr_b);

/* labnat_addr_add() - one more IPv4 address (/24) on ifname of the current namespace. */
int labnat_addr_add(const char *ifname, const char *addr);

/* labnat_default_route() - a default route via gw in namespace ns. 0 or -errno. */
int labnat_default_route(int ns, const char *gw);

/* One source-NAT rule of the lab's chain. */
struct labnat_rule {
	const char *match_saddr;	/* only from this source, or NULL for every TCP flow */
	const char *to_addr;		/* snat to this address, or NULL: masquerade */
	uint16_t port_lo;		/* the pool: port_lo-port_hi */
	uint16_t port_hi;
	bool random_fully;
};

/*
 * labnat_snat() - replace table ip "twlab" (postrouting, srcnat priority)
 * of the current namespace by one holding the n rules, in one nf_tables
 * batch. 0 or -errno (-EPERM, -ENOENT: no nf_tables/nat here).
 */
int labnat_snat(const struct labnat_rule *rules, int n);

/* labnat_ct_flush() - empty the conntrack table of the current namespace. 0 or -errno. */
int labnat_ct_flush(void);

#endif
