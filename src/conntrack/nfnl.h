/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nfnetlink dumps (ctnetlink, nf_tables) over libmnl, with the same checks
 * as sockdiag.c: the socket is connect()ed to the kernel, only the kernel's
 * datagrams are read, and every message and attribute length is checked
 * against the bytes received. Callers get one validated message at a time
 * and copy what they need; nothing here prints or aggregates.
 */
#ifndef TWSCOPE_CONNTRACK_NFNL_H
#define TWSCOPE_CONNTRACK_NFNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct nfnl;
struct nlattr;
struct nlmsghdr;

struct nfnl_stats {
	uint64_t messages;	/* data messages handed to the callback */
	uint64_t foreign;	/* datagrams from other senders, dropped */
	uint64_t dump_intr;	/* messages flagged NLM_F_DUMP_INTR */
	uint64_t redumps;	/* dumps repeated: they missed entries the count has */
};

/* A bounded attribute: payload and its length, both checked. */
struct nfnl_attr {
	const void *data;
	size_t len;
};

/*
 * One data message of a dump: msg_type without the subsystem byte, the
 * payload after struct nfgenmsg. Returns 0 to go on or -errno to stop.
 */
typedef int (*nfnl_msg_cb)(uint8_t msg_type, const void *payload, size_t len, void *data);

/*
 * nfnl_open() - a NETLINK_NETFILTER socket of the current netns, connected
 * to the kernel. Returns 0 or -errno.
 */
int nfnl_open(struct nfnl **ret);

/* nfnl_close() - NULL-safe; returns NULL. */
struct nfnl *nfnl_close(struct nfnl *nl);

/* nfnl_set_capture() - also write each datagram (le32 length + bytes) to f. */
void nfnl_set_capture(struct nfnl *nl, FILE *f);

/*
 * nfnl_dump() - send a dump request (subsys << 8 | msg_type, nfgen_family)
 * and feed every message of the answer to cb.
 * Returns 0, the kernel's -errno (-EPERM without CAP_NET_ADMIN, -ENOENT or
 * -EOPNOTSUPP when the subsystem is missing), -EBADMSG for a malformed
 * reply, -ETIMEDOUT, or what cb returned.
 */
int nfnl_dump(struct nfnl *nl, uint8_t subsys, uint8_t msg_type, uint8_t family, nfnl_msg_cb cb,
	      void *data, struct nfnl_stats *stats);

/*
 * nfnl_parse_buf() - parse one received datagram of a dump of subsys
 * (seq 0 = any). Returns 1 when more datagrams follow, 0 at NLMSG_DONE,
 * the kernel's -errno from NLMSG_ERROR, -EBADMSG for malformed input, or
 * what cb returned. buf must be 4-byte aligned (-EINVAL otherwise).
 */
int nfnl_parse_buf(const void *buf, size_t len, uint32_t seq, uint8_t subsys, nfnl_msg_cb cb,
		   void *data, struct nfnl_stats *stats);

/*
 * nfnl_payload_nlh() - the message whose payload nfnl handed to a
 * nfnl_msg_cb, checked as described there, for parsers that take the
 * whole message (libnftnl).
 */
const struct nlmsghdr *nfnl_payload_nlh(const void *payload);

/*
 * nfnl_attrs_parse() - index the attributes in buf[0..len) by type (nested
 * flag and byte-order flag masked off) into tb[0..max]; later duplicates win,
 * types above max are skipped. Returns 0 or -EBADMSG when one runs past len.
 */
int nfnl_attrs_parse(const void *buf, size_t len, struct nfnl_attr *tb, unsigned int max);

/* nfnl_attr_u8/be16/be32() - a payload of exactly that size (false otherwise). */
bool nfnl_attr_u8(const struct nfnl_attr *a, uint8_t *ret);
bool nfnl_attr_be16(const struct nfnl_attr *a, uint16_t *ret);
bool nfnl_attr_be32(const struct nfnl_attr *a, uint32_t *ret);

/* nfnl_attr_str() - a NUL-terminated string payload into buf (false if not one or too long). */
bool nfnl_attr_str(const struct nfnl_attr *a, char *buf, size_t size);

#endif
