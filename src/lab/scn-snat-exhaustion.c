// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario snat-exhaustion: the lab namespace is a NAT gateway that
 * masquerades two client namespaces to a server namespace with a pool of
 * POOL ports. The server closes first, so the clients keep no socket at
 * all, while conntrack keeps every closed flow in its TIME_WAIT
 * (nf_conntrack_tcp_timeout_time_wait, 120 s) holding its SNAT port: the
 * pool fills; past it a new connection takes over the port of a TIME_WAIT
 * entry (recent kernels, when its sequence moved on) or its SYN is dropped
 * and retried a second later. A second SNAT address for one client gives
 * it a fresh pool at once.
 */
#include "lab/lab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "conntrack/conntrack.h"
#include "lab/labnat.h"
#include "lab/labnet.h"
#include "util.h"

#define SRV_ADDR "10.77.0.2"
#define SRV_PORT 8080
#define NAT_ADDR "10.77.0.1"
#define NAT_ADDR2 "10.77.0.3"
#define POOL_LO 40000
#define POOL_QUICK 100
#define POOL_FULL 500
#define BEYOND 20		/* connections tried past the pool's size */
#define SECOND_N 40		/* connections through the second address */
#define CONNECT_MS 1000		/* connect() wait: a dropped SYN is retransmitted after 1 s */
#define SLOW_MS 900
#define MAX_STALLS 4		/* stop the fill after this many failed or slow connects */

struct topo {
	int srv;		/* namespace fds */
	int cli[2];
	int lfd;		/* the server's listener, in srv */
};

struct fill {
	int ok;
	int stalled;		/* failed, or took SLOW_MS or more */
	int first_err;
	double max_ms;
};

/* A TCP socket of namespace ns (sockets stay in the namespace they were made in). */
static int socket_in(int ns)
{
	int old = labnat_enter(ns), fd;

	if (old < 0)
		return old;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		fd = -errno;
	labnat_leave(old);
	return fd;
}

/* connect() within CONNECT_MS: the connected fd or -errno (-ETIMEDOUT). */
static int connect_timed(int ns, double *ret_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(SRV_PORT) };
	struct pollfd p = { .events = POLLOUT };
	uint64_t t0 = now_ns();
	socklen_t len = sizeof(int);
	int fd = socket_in(ns), err = 0, r;

	*ret_ms = 0;
	if (fd < 0)
		return fd;
	(void) inet_pton(AF_INET, SRV_ADDR, &sa.sin_addr);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno != EINPROGRESS) {
		err = -errno;
	} else if (r < 0) {
		p.fd = fd;
		r = poll(&p, 1, CONNECT_MS);
		if (r == 0)
			err = -ETIMEDOUT;
		else if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &r, &len) < 0)
			err = -errno;
		else if (r)
			err = -r;
	}
	*ret_ms = (double)(now_ns() - t0) / 1e6;
	if (err) {
		(void) close(fd);
		return err;
	}
	(void) fcntl(fd, F_SETFL, 0);
	return fd;
}

/* n connections alternating over the clients in mask (bit i = cli[i]); the server closes first. */
static int fill(struct lab_env *env, const struct topo *t, int n, unsigned int mask, struct fill *ret)
{
	int i, fd, r;
	double ms;

	memset(ret, 0, sizeof(*ret));
	for (i = 0; i < n && ret->stalled < MAX_STALLS && lab_time_left(env); i++) {
		int c = mask == 3 ? i % 2 : mask == 2;

		fd = connect_timed(t->cli[c], &ms);
		if (ms > ret->max_ms)
			ret->max_ms = ms;
		if (fd < 0) {
			ret->stalled++;
			if (!ret->first_err)
				ret->first_err = fd;
			lab_log(env, "connection %d: %s after %.0f ms", i, lab_errno_name(fd), ms);
			continue;
		}
		if (ms >= SLOW_MS)
			ret->stalled++;
		r = labnet_finish(t->lfd, fd, LABNET_SERVER_FIRST);
		if (r < 0)
			return r;
		ret->ok++;
	}
	return 0;
}

static int build(struct lab_env *env, struct lab_result *res, struct topo *t)
{
	static const char *const gw_if[2] = { "g1", "g2" }, *const gw_ip[2] = { "10.77.1.1", "10.77.2.1" };
	static const char *const c_if[2] = { "c1", "c2" }, *const c_ip[2] = { "10.77.1.2", "10.77.2.2" };
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(SRV_PORT) };
	int r, old;

	r = labnat_netns_new(&t->srv);
	for (int i = 0; r == 0 && i < 2; i++)
		r = labnat_netns_new(&t->cli[i]);
	if (r < 0)
		return lab_fail(res, r, "cannot create the server and client namespaces");
	r = labnat_veth("gs", NAT_ADDR, t->srv, "sv", SRV_ADDR);
	for (int i = 0; r == 0 && i < 2; i++) {
		r = labnat_veth(gw_if[i], gw_ip[i], t->cli[i], c_if[i], c_ip[i]);
		if (r == 0)
			r = labnat_default_route(t->cli[i], gw_ip[i]);
	}
	if (r < 0)
		return lab_fail(res, r, "cannot build the veth topology (rtnetlink)");
	if (lab_sysctl_set(env, res, "net.ipv4.ip_forward", "1") < 0)
		return lab_fail(res, -errno, "cannot enable forwarding");
	old = labnat_enter(t->srv);
	if (old < 0)
		return lab_fail(res, old, "cannot enter the server namespace");
	t->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void) inet_pton(AF_INET, SRV_ADDR, &sa.sin_addr);
	r = t->lfd < 0 || bind(t->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(t->lfd, 512) < 0 ?
	    -errno : 0;
	labnat_leave(old);
	if (r < 0)
		return lab_fail(res, r, "cannot listen on " SRV_ADDR ":%d", SRV_PORT);
	lab_setup_note(res, "namespaces: gateway (this one), server " SRV_ADDR ", clients 10.77.1.2 and "
			    "10.77.2.2 routed through the gateway over veth pairs");
	lab_setup_note(res, "the server closes first: the clients keep no socket (no TIME_WAIT) after "
			    "each connection; only conntrack remembers the flow");
	return 0;
}

/* The SNAT group of nat_src toward the server in the gateway's conntrack. */
static void observe_group(struct lab_result *res, const char *key, const char *nat_src,
			  struct ct_group_view *ret)
{
	struct ct_report rep;
	struct tw_addr want;
	char k[64];

	memset(ret, 0, sizeof(*ret));
	if (ct_report_collect(&rep, 0) < 0 || !rep.have_census) {
		ct_report_done(&rep);
		return;
	}
	(void) addr_parse(nat_src, &want);
	for (size_t i = 0; i < rep.n_groups; i++)
		if (!memcmp(rep.groups[i].g.key.nat_src.bytes, want.bytes, 4) &&
		    rep.groups[i].g.key.dport == SRV_PORT)
			*ret = rep.groups[i];
	snprintf(k, sizeof(k), "%s_held", key);
	lab_obs_int(res, k, (int64_t)ret->g.held);
	snprintf(k, sizeof(k), "%s_conntrack_time_wait", key);
	lab_obs_int(res, k, (int64_t)ret->g.time_wait);
	snprintf(k, sizeof(k), "%s_pool", key);
	lab_obs_int(res, k, ret->pool.size);
	ct_report_done(&rep);
}

static int64_t sockstat_tw_in(int ns)
{
	int old = labnat_enter(ns);
	int64_t tw;

	if (old < 0)
		return old;
	tw = lab_sockstat_tw();
	labnat_leave(old);
	return tw;
}

static int64_t insert_failed(void)
{
	struct ct_stats s;

	if (ct_stats_read(&s) < 0 || !s.present[CT_STAT_INSERT_FAILED])
		return -1;
	return (int64_t)s.value[CT_STAT_INSERT_FAILED];
}

static void obs_fill(struct lab_result *res, const char *key, const struct fill *f)
{
	char k[64];

	snprintf(k, sizeof(k), "%s_connected", key);
	lab_obs_int(res, k, f->ok);
	snprintf(k, sizeof(k), "%s_stalled", key);
	lab_obs_int(res, k, f->stalled);
	snprintf(k, sizeof(k), "%s_first_error", key);
	lab_obs_str(res, k, f->first_err ? lab_errno_name(f->first_err) : "none");
	snprintf(k, sizeof(k), "%s_max_connect_ms", key);
	lab_obs_double(res, k, f->max_ms, 1);
}

static int run(struct lab_env *env, struct lab_result *res)
{
	int pool = env->quick ? POOL_QUICK : POOL_FULL;
	struct labnat_rule masq = { .port_lo = POOL_LO, .port_hi = (uint16_t)(POOL_LO + pool - 1) };
	struct labnat_rule two[2];
	struct topo t = { .srv = -1, .cli = { -1, -1 }, .lfd = -1 };
	struct ct_group_view g1, g2;
	struct fill f1, f2;
	int64_t if0, if1;
	char buf[160];
	int r, evicted;

	lab_phase(res, "1. masquerade to one address, a small pool");
	r = build(env, res, &t);
	if (r < 0)
		goto out;
	r = labnat_snat(&masq, 1);
	if (r == -ENOENT || r == -EOPNOTSUPP || r == -EAFNOSUPPORT) {
		r = lab_skip(res, "no nf_tables NAT in this kernel (%s)", lab_errno_name(r));
		goto out;
	}
	if (r < 0) {
		r = lab_fail(res, r, "cannot load the masquerade rule");
		goto out;
	}
	snprintf(buf, sizeof(buf), "nft: meta l4proto tcp masquerade to :%u-%u (pool %d ports)", masq.port_lo,
		 masq.port_hi, pool);
	lab_setup_note(res, buf);
	if (!lab_sysctl_has("net.netfilter.nf_conntrack_tcp_timeout_time_wait")) {
		r = lab_skip(res, "conntrack has no tcp_timeout_time_wait here");
		goto out;
	}
	/* per namespace: the default, recorded so the report shows what holds the ports */
	(void) lab_sysctl_set(env, res, "net.netfilter.nf_conntrack_tcp_timeout_time_wait", "120");
	if0 = insert_failed();
	r = fill(env, &t, pool + BEYOND, 3, &f1);
	if (r < 0) {
		r = lab_fail(res, r, "a connection through the gateway failed to close");
		goto out;
	}
	if1 = insert_failed();
	obs_fill(res, "fill", &f1);
	lab_obs_int(res, "insert_failed_delta", if0 >= 0 && if1 >= 0 ? if1 - if0 : -1);
	observe_group(res, "pool", NAT_ADDR, &g1);
	lab_obs_int(res, "client_time_wait_sockets", sockstat_tw_in(t.cli[0]) + sockstat_tw_in(t.cli[1]));
	lab_obs_int(res, "server_time_wait_sockets", sockstat_tw_in(t.srv));
	lab_expect_eq(res, "pool size read from the rule", pool, g1.pool.size);
	lab_check_add(res, "pool ports held by conntrack entries", LAB_CMP_RANGE, pool * 9 / 10, pool,
		      (int64_t)g1.g.held);
	lab_check_add(res, "of them in conntrack TIME_WAIT", LAB_CMP_RANGE, pool * 9 / 10, pool,
		      (int64_t)g1.g.time_wait);
	lab_expect_eq(res, "client sockets in TIME_WAIT (both clients)", 0,
		      sockstat_tw_in(t.cli[0]) + sockstat_tw_in(t.cli[1]));
	/*
	 * Past the pool every connection needs a held port: recent kernels let
	 * a new SYN take one from a TIME_WAIT entry whose sequence moved on
	 * (the entry disappears: connected - held), else its SYN is dropped.
	 */
	evicted = f1.ok > (int)g1.g.held ? f1.ok - (int)g1.g.held : 0;
	lab_obs_int(res, "time_wait_entries_evicted", evicted);
	lab_expect_ge(res, "connections past the pool: evicted a TIME_WAIT entry or stalled",
		      MAX_STALLS, evicted + f1.stalled);

	lab_phase(res, "2. a second SNAT address for client 2");
	r = labnat_addr_add("gs", NAT_ADDR2);
	memset(two, 0, sizeof(two));
	two[0] = masq;
	two[0].match_saddr = "10.77.2.2";
	two[0].to_addr = NAT_ADDR2;
	two[1] = masq;
	if (r == 0)
		r = labnat_snat(two, 2);
	if (r == -ENOENT || r == -EOPNOTSUPP) {
		/* masquerade is its own expression (nft_masq); snat needs nft_nat */
		r = lab_skip(res, "no nf_tables snat expression in this kernel (module nft_nat: %s)",
			     lab_errno_name(r));
		goto out;
	}
	if (r < 0) {
		r = lab_fail(res, r, "cannot add the second SNAT address");
		goto out;
	}
	snprintf(buf, sizeof(buf), "nft: ip saddr 10.77.2.2 snat to " NAT_ADDR2 ":%u-%u, before the masquerade",
		 masq.port_lo, masq.port_hi);
	lab_setup_note(res, buf);
	r = fill(env, &t, SECOND_N, 2, &f2);
	if (r < 0) {
		r = lab_fail(res, r, "a connection through the second address failed to close");
		goto out;
	}
	obs_fill(res, "second_address", &f2);
	observe_group(res, "second_pool", NAT_ADDR2, &g2);
	lab_expect_eq(res, "client 2 through the second address: connected", SECOND_N, f2.ok);
	lab_expect_eq(res, "client 2 through the second address: stalled", 0, f2.stalled);
	lab_expect_eq(res, "entries of the second address's group", SECOND_N, (int64_t)g2.g.held);
	lab_expect_eq(res, "its pool, read from its own rule", pool, g2.pool.size);
	r = 0;
out:
	if (t.lfd >= 0)
		(void) close(t.lfd);
	for (int i = 0; i < 2; i++)
		if (t.cli[i] >= 0)
			(void) close(t.cli[i]);
	if (t.srv >= 0)
		(void) close(t.srv);
	return r;
}

const struct lab_scenario lab_scn_snat_exhaustion = {
	.name = "snat-exhaustion",
	.question = "What happens when a NAT gateway's SNAT pool is held by conntrack TIME_WAIT entries?",
	.source = "docs/kernel.md#snat-default-range, #conntrack-timewait, #conntrack-stats",
	.expectation = "the pool fills with conntrack TIME_WAIT entries (120 s each) although the "
		       "clients hold no socket; past it each new connection evicts a TIME_WAIT entry "
		       "(recent kernels, when its sequence moved on) or stalls (SYN dropped, "
		       "retransmitted after 1 s); a second SNAT address gives a client a fresh pool "
		       "at once",
	.timeout_s = 60,
	.timeout_full_s = 120,
	.run = run,
};
