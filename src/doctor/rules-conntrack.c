// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The conntrack rules of doctor: SNAT port pools of a NAT gateway, the
 * table's size, failing inserts, and conntrack TIME_WAIT entries against
 * this host's TIME_WAIT sockets (docs/findings.md). They read struct
 * facts_conntrack and the conntrack sysctls. Pure: no I/O, no printing.
 */
#include "doctor/advice-build.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include "tcpstate.h"

/* Conntrack exists in the namespace: its sysctls, or collected facts. */
static bool ct_present(const struct tw_facts *f)
{
	return f->sysctl[FS_CT_COUNT].present || f->ct.loaded;
}

static void not_loaded(struct advice_finding *x)
{
	title(x, "conntrack is not loaded in this namespace");
	kv_num(x, "loaded", 0);
}

/* Why the entries are not known, for unknown(). */
static const char *census_missing(const struct facts_conntrack *ct)
{
	if (ct->census_err == EPERM || ct->census_err == EACCES)
		return "conntrack entries (reading them needs CAP_NET_ADMIN: run as root)";
	if (ct->census_err)
		return "conntrack entries (the ctnetlink dump failed)";
	return "conntrack entries (not collected)";
}

/*
 * The entries could not be read. Without CAP_NET_ADMIN that is the normal
 * case for a user, not a broken check: info, so an unprivileged doctor (or a
 * Nagios check run as its own user) is not UNKNOWN on every host with
 * conntrack loaded; it says what was not checked and how to check it.
 */
static void no_census(struct advice_finding *x, const struct facts_conntrack *ct)
{
	if (ct->census_err != EPERM && ct->census_err != EACCES)
		return unknown(x, census_missing(ct));
	x->sev = TW_SEV_INFO;
	title(x, "Not checked: reading conntrack entries needs CAP_NET_ADMIN");
	ev(x, "not evaluated: %s", census_missing(ct));
	kv_str(x, "missing", census_missing(ct));
	fix(x, "Run it as root: sudo twscope doctor");
}

static const char *proto_word(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : p == IPPROTO_SCTP ? "sctp" : "other";
}

static int64_t tw_timeout(const struct tw_facts *f)
{
	int64_t t;

	return facts_sysctl_int(f, FS_CT_TW_TIMEOUT, &t) ? t : -1;
}

/* The first group whose pool is known (groups are sorted by use). */
static const struct facts_snat_group *worst_group(const struct facts_conntrack *ct)
{
	for (size_t i = 0; i < ct->n_groups; i++)
		if (ct->groups[i].pool_known)
			return &ct->groups[i];
	return NULL;
}

/* Is a SNAT pool under pressure (snat-port-exhaustion at least warning)? */
static bool snat_pressure(const struct tw_facts *f)
{
	const struct facts_snat_group *w = f->ct.have_census ? worst_group(&f->ct) : NULL;

	return w && w->util_pct >= ADV_SNAT_WARN_PCT;
}

static void pool_evidence(const struct facts_snat_group *w, struct advice_finding *x)
{
	if (w->have_rule)
		ev(x, "pool %u-%u (%u ports) from the %s rule in table '%s' chain '%s' (%s)%s", w->pool_lo,
		   w->pool_hi, w->pool_size, w->rule_legacy ? "iptables-legacy" : w->rule_iptables ? "iptables-nft" : "nftables",
		   w->rule_table, w->rule_chain, w->rule_masquerade ? "masquerade" : "snat",
		   w->pool_default ? ": it gives no port range, so the kernel's default applies" : "");
	else
		ev(x, "pool %u-%u (%u ports): the kernel's default for a rule without a port range",
		   w->pool_lo, w->pool_hi, w->pool_size);
	ev(x, "random-fully: %s", w->random_fully ? "set" : "not set");
}

/* Growth of the worst group over the interval, and where it leads. */
static void snat_growth(const struct tw_facts *f, const struct facts_snat_group *w,
			struct advice_finding *x)
{
	double sec = interval_sec(f), rate;

	if (!w->have_growth || sec <= 0)
		return;
	rate = ((double)w->held - (double)w->held_before) / sec;
	kv_num(x, "held_growth_per_sec", rate);
	ev(x, "held %" PRIu64 " -> %" PRIu64 " in the last %.1f s (%+.1f/s)", w->held_before, w->held,
	   sec, rate);
	if (rate > 0 && w->held < w->pool_size) {
		double left = (double)(w->pool_size - w->held) / rate;

		kv_num(x, "full_in_sec", left);
		ev(x, "at that rate the pool is full in %.0f s; then new connections toward it fail", left);
	}
}

void rule_snat_port_exhaustion(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_conntrack *ct = &f->ct;
	const struct facts_snat_group *w;
	int64_t tmo = tw_timeout(f);
	size_t over = 0;
	uint64_t ifd;

	if (!ct_present(f))
		return not_loaded(x);
	if (!ct->have_census)
		return no_census(x, ct);
	kv_num(x, "snat_groups", (double)ct->groups_total);
	kv_num(x, "snat_entries", (double)ct->snat);
	if (!ct->n_groups) {
		title(x, "No SNAT'd connections in conntrack");
		kv_num(x, "worst_utilization_pct", 0);
		return;
	}
	w = worst_group(ct);
	if (!w) {
		title(x, "SNAT'd connections, but their port pool cannot be told");
		ev(x, "%" PRIu64 " SNAT groups; several source-NAT rules give port ranges and none covers "
		   "the translated ports of the busiest (%s -> %s port %u, ports %u-%u seen)",
		   ct->groups_total, ct->groups[0].nat_src, ct->groups[0].dst, ct->groups[0].dport,
		   ct->groups[0].seen_lo, ct->groups[0].seen_hi);
		kv_num(x, "worst_utilization_pct", 0);
		return;
	}
	for (size_t i = 0; i < ct->n_groups; i++)
		if (ct->groups[i].pool_known && ct->groups[i].util_pct >= ADV_SNAT_WARN_PCT)
			over++;
	kv_str(x, "worst_nat_src", w->nat_src);
	kv_str(x, "worst_dst", w->dst);
	kv_num(x, "worst_dst_port", w->dport);
	kv_str(x, "protocol", proto_word(w->l4proto));
	kv_num(x, "held", (double)w->held);
	kv_num(x, "time_wait", (double)w->time_wait);
	kv_num(x, "established", (double)w->established);
	kv_num(x, "pool_lo", w->pool_lo);
	kv_num(x, "pool_hi", w->pool_hi);
	kv_num(x, "pool_size", w->pool_size);
	kv_str(x, "pool_source", w->pool_default ? "kernel_default" : "rule");
	kv_num(x, "random_fully", w->random_fully);
	kv_num(x, "worst_utilization_pct", w->util_pct);
	kv_num(x, "groups_over_warning", (double)over);
	ev(x, "%s -> %s port %u (%s): %" PRIu64 " of %u SNAT ports held (%.1f%%): %" PRIu64
	   " in conntrack TIME_WAIT, %" PRIu64 " ESTABLISHED", w->nat_src, w->dst, w->dport,
	   proto_word(w->l4proto), w->held, w->pool_size, w->util_pct, w->time_wait, w->established);
	pool_evidence(w, x);
	snat_growth(f, w, x);
	if (w->util_pct < ADV_SNAT_WARN_PCT) {
		title(x, "SNAT ports fine: busiest group at %.1f%%", w->util_pct);
		return;
	}
	x->sev = w->util_pct >= ADV_SNAT_CRIT_PCT ? TW_SEV_CRITICAL : TW_SEV_WARNING;
	title(x, "%.0f%% of the SNAT ports from %s toward %s:%u are held", w->util_pct, w->nat_src, w->dst,
	      w->dport);
	if (tmo > 0)
		ev(x, "an entry in conntrack TIME_WAIT keeps its port for nf_conntrack_tcp_timeout_time_wait "
		   "= %" PRId64 " s, after the clients' own sockets are gone (TCP's TIME_WAIT is 60 s): the "
		   "pool sustains %.1f new connections/s toward this destination", tmo,
		   (double)w->pool_size / (double)tmo);
	if (over > 1)
		ev(x, "%zu SNAT groups are at or above %.0f%%", over, ADV_SNAT_WARN_PCT);
	if (ct->have_delta && ct->stat_present[CT_STAT_INSERT_FAILED]) {
		ifd = ct->stat_delta[CT_STAT_INSERT_FAILED];
		kv_num(x, "insert_failed_delta", (double)ifd);
		if (ifd)
			ev(x, "insert_failed +%" PRIu64 " in the last %.1f s: new connections are being dropped "
			   "(their SYN is lost, the client retries after 1 s, 3 s, ... and then times out)",
			   ifd, interval_sec(f));
	}
	why(x, "Each (translated source IP, destination IP, destination port) has its own pool of %u "
	       "ports, and an entry holds its port until conntrack forgets it. In a full pool the port "
	       "search fails: recent kernels then take over a TIME_WAIT entry whose sequence moved on, "
	       "else the packet is dropped (insert_failed) and the client's connect() stalls for a SYN "
	       "retransmit or times out, while its own ports look free.", w->pool_size);
	fix(x, "Add SNAT addresses: 'snat to A1-A2' (nft) or '-j SNAT --to-source A1-A2' (iptables); "
	       "each address brings its own %u ports toward %s:%u. The kernel picks the address by a "
	       "hash of (client IP, destination IP), so this spreads many clients over the pools; "
	       "one busy client keeps one address (and one pool) per destination.",
	    w->pool_size, w->dst, w->dport);
	if (!w->pool_default && w->pool_size < 64512)
		fix(x, "Widen the rule's range (%u-%u now) up to 1024-65535 (':1024-65535', "
		       "'--to-ports 1024-65535').", w->pool_lo, w->pool_hi);
	if (!w->random_fully)
		fix(x, "Set random-fully on the rule ('masquerade to :%u-%u random-fully' in nft, "
		       "'--random-fully' in iptables): the port search starts at a random offset, so it "
		       "clashes less and finds the free ports of a nearly full pool (it does not enlarge "
		       "the pool).", w->pool_lo, w->pool_hi);
	fix(x, "Keep connections open at the clients (HTTP keep-alive, a connection pool toward "
	       "%s:%u): every new connection holds a SNAT port for the conntrack TIME_WAIT after it "
	       "closes.", w->dst, w->dport);
	fix(x, "Only as a stopgap, with its trade-off: sysctl -w "
	       "net.netfilter.nf_conntrack_tcp_timeout_time_wait=60 (per namespace; now %" PRId64 " s) "
	       "frees the ports twice as fast, but a late retransmission of the old connection then "
	       "finds no entry and is dropped as INVALID or, if the port was reused, lands on the new "
	       "connection.", tmo);
}

/* max, buckets and their memory for a table of n entries (docs/kernel.md#conntrack-sizing). */
static void sizing_fix(const struct tw_facts *f, int64_t m, struct advice_finding *x)
{
	const struct facts_conntrack *ct = &f->ct;
	uint64_t obj = ct->objsize ? ct->objsize : ADV_CT_OBJSIZE_FALLBACK;
	int64_t target;
	double entries_mib, buckets_mib, ram_pct = -1;

	/* the kernel's nf_conntrack_max is an int: doubling may not fit */
	if (__builtin_mul_overflow(m, 2, &target) || target > INT32_MAX) {
		fix(x, "nf_conntrack_max (%" PRId64 ") cannot be doubled (the kernel's limit is "
		       "2147483647): shorten the conntrack timeouts or track less traffic instead.", m);
		return;
	}
	if (target < 1024)
		target = 1024;
	entries_mib = (double)target * (double)obj / 1048576.0;
	buckets_mib = (double)target * 8.0 / 1048576.0;
	if (ct->mem_total_bytes)
		ram_pct = 100.0 * (double)target * (double)(obj + 8) / (double)ct->mem_total_bytes;
	kv_num(x, "suggested_max", (double)target);
	kv_num(x, "entry_bytes", (double)obj);
	fix(x, "sysctl -w net.netfilter.nf_conntrack_max=%" PRId64 " (and in /etc/sysctl.d/), with as "
	       "many buckets: echo %" PRId64 " > /sys/module/nf_conntrack/parameters/hashsize (host "
	       "namespace only; one bucket per entry keeps the chains at 2, each entry is hashed twice). "
	       "Memory when full: %" PRId64 " x %" PRIu64 " B%s = %.0f MiB of entries + %" PRId64
	       " x 8 B = %.1f MiB of buckets.", target, target, target, obj,
	    ct->objsize ? " (nf_conntrack slab)" : " (estimated; /proc/slabinfo unreadable)",
	    entries_mib, target, buckets_mib);
	if (ram_pct >= 0)
		ev(x, "a table of %" PRId64 " entries would take %.2f%% of the %.1f GiB of RAM", target,
		   ram_pct, (double)ct->mem_total_bytes / 1073741824.0);
}

void rule_conntrack_table_full(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_sysctl *cnt = &f->sysctl[FS_CT_COUNT], *mx = &f->sysctl[FS_CT_MAX];
	const struct facts_conntrack *ct = &f->ct;
	uint64_t drop = 0, early = 0;
	bool rising;
	int64_t n, m;
	double pct;

	if (cnt->error || mx->error)
		return unknown(x, "net.netfilter.nf_conntrack_count/max");
	if (!cnt->present || !mx->present)
		return not_loaded(x);
	if (!facts_sysctl_int(f, FS_CT_COUNT, &n) || !facts_sysctl_int(f, FS_CT_MAX, &m))
		return unknown(x, "net.netfilter.nf_conntrack_count/max (malformed)");
	pct = m > 0 ? 100.0 * (double)n / (double)m : 0;
	kv_num(x, "loaded", 1);
	kv_num(x, "count", (double)n);
	kv_num(x, "max", (double)m);
	kv_num(x, "pct", pct);
	ev(x, "conntrack entries: %" PRId64 " of nf_conntrack_max %" PRId64 " (%.0f%%)", n, m, pct);
	if (ct->have_buckets) {
		kv_num(x, "buckets", (double)ct->buckets);
		ev(x, "nf_conntrack_buckets = %" PRIu64, ct->buckets);
	}
	if (ct->have_delta) {
		drop = ct->stat_delta[CT_STAT_DROP];
		early = ct->stat_delta[CT_STAT_EARLY_DROP];
		kv_num(x, "drop_delta", (double)drop);
		kv_num(x, "early_drop_delta", (double)early);
		ev(x, "drop +%" PRIu64 ", early_drop +%" PRIu64 " in the last %.1f s", drop, early,
		   interval_sec(f));
	} else if (ct->have_stats) {
		ev(x, "drop %" PRIu64 ", early_drop %" PRIu64 " since boot", ct->stat[CT_STAT_DROP],
		   ct->stat[CT_STAT_EARLY_DROP]);
	}
	rising = drop || early;
	if (pct < ADV_CT_FULL_WARN_PCT && !rising) {
		title(x, "conntrack table at %.0f%%", pct);
		return;
	}
	x->sev = pct >= ADV_CT_FULL_CRIT_PCT || drop ? TW_SEV_CRITICAL : TW_SEV_WARNING;
	if (rising)
		title(x, "conntrack table %.0f%% full and dropping (%s)", pct,
		      drop ? "new flows dropped" : "entries evicted early");
	else
		title(x, "conntrack table %.0f%% full", pct);
	why(x, "When nf_conntrack_count reaches nf_conntrack_max, a new flow first evicts an entry "
	       "that never saw a reply (early_drop); when there is none, its packet is dropped (drop; "
	       "'nf_conntrack: table full, dropping packet' in dmesg). Closed TCP flows stay %" PRId64
	       " s in conntrack TIME_WAIT.", tw_timeout(f));
	sizing_fix(f, m, x);
	fix(x, "Shorten what fills it: net.netfilter.nf_conntrack_tcp_timeout_established (5 days by "
	       "default) for idle flows, nf_conntrack_tcp_timeout_time_wait on NAT gateways (see "
	       "snat-port-exhaustion for its trade-off).");
	fix(x, "Exempt local service traffic from tracking (nft: 'notrack' in a raw-priority chain).");
}

void rule_conntrack_insert_failed(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_conntrack *ct = &f->ct;
	const struct facts_snat_group *w;
	uint64_t ifd, crd = 0;
	double rate;

	if (!ct_present(f))
		return not_loaded(x);
	if (!ct->have_stats || !ct->stat_present[CT_STAT_INSERT_FAILED])
		return unknown(x, "/proc/net/stat/nf_conntrack insert_failed");
	kv_num(x, "insert_failed_total", (double)ct->stat[CT_STAT_INSERT_FAILED]);
	if (!ct->have_delta || interval_sec(f) <= 0) {
		ev(x, "insert_failed %" PRIu64 " since boot (no interval sample)",
		   ct->stat[CT_STAT_INSERT_FAILED]);
		if (ct->stat[CT_STAT_INSERT_FAILED]) {
			x->sev = TW_SEV_INFO;
			title(x, "conntrack inserts failed since boot (run with --interval to see if now)");
		}
		return;
	}
	ifd = ct->stat_delta[CT_STAT_INSERT_FAILED];
	rate = (double)ifd / interval_sec(f);
	kv_num(x, "insert_failed_delta", (double)ifd);
	kv_num(x, "insert_failed_per_sec", rate);
	ev(x, "insert_failed +%" PRIu64 " in the last %.1f s (%.1f/s; %" PRIu64 " since boot)", ifd,
	   interval_sec(f), rate, ct->stat[CT_STAT_INSERT_FAILED]);
	if (ct->stat_present[CT_STAT_CLASH_RESOLVE]) {
		crd = ct->stat_delta[CT_STAT_CLASH_RESOLVE];
		kv_num(x, "clash_resolve_delta", (double)crd);
		ev(x, "clash_resolve +%" PRIu64 " (clashes the kernel resolved by merging or moving the "
		   "entry)", crd);
	}
	if (!ifd) {
		if (crd) {
			x->sev = TW_SEV_INFO;
			title(x, "conntrack insert clashes, all resolved");
		} else {
			title(x, "No failed conntrack inserts");
		}
		return;
	}
	x->sev = rate >= ADV_CT_INSERT_FAILED_CRIT_PER_SEC ? TW_SEV_CRITICAL : TW_SEV_WARNING;
	title(x, "conntrack inserts failing: %.1f/s (packets of new flows dropped)", rate);
	w = ct->have_census ? worst_group(ct) : NULL;
	if (w) {
		ev(x, "busiest SNAT group %s -> %s port %u: %" PRIu64 " of %u ports held (%.0f%%), "
		   "random-fully %s", w->nat_src, w->dst, w->dport, w->held, w->pool_size, w->util_pct,
		   w->random_fully ? "set" : "not set");
		kv_num(x, "random_fully", w->random_fully);
	}
	why(x, "An entry is inserted when a flow's first packet leaves; it fails when another entry "
	       "took the same reply tuple meanwhile: two flows translated to the same SNAT port "
	       "(the port search picks a port before the insert and may pick the same one on two "
	       "CPUs, more often as the pool fills), or a clash the kernel could not resolve. The "
	       "packet is dropped and the client retransmits (a SYN after 1 s).");
	if (!w || !w->random_fully)
		fix(x, "Set random-fully on the masquerade/SNAT rule ('random-fully' in nft, "
		       "'--random-fully' in iptables): each connection starts the port search at its own "
		       "random offset, so parallel connections stop picking the same port.");
	fix(x, "Give the pool room: more SNAT addresses or a wider port range (see "
	       "snat-port-exhaustion); clashes grow as the pool fills.");
}

void rule_conntrack_timewait(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_sysctl *cnt = &f->sysctl[FS_CT_COUNT];
	const struct facts_conntrack *ct = &f->ct;
	int64_t tmo = tw_timeout(f);
	uint64_t sk_tw, no_sock;

	if (cnt->error)
		return unknown(x, "net.netfilter.nf_conntrack_count");
	if (!ct_present(f))
		return not_loaded(x);
	kv_num(x, "loaded", 1);
	if (tmo >= 0) {
		kv_num(x, "timeout_time_wait", (double)tmo);
		ev(x, "nf_conntrack_tcp_timeout_time_wait = %" PRId64 " s (TCP's own TIME_WAIT: 60 s)", tmo);
	}
	if (!ct->have_census)
		return no_census(x, ct);
	if (!f->census.have)
		return unknown(x, "socket census");
	sk_tw = f->census.states[TW_TIME_WAIT];
	kv_num(x, "conntrack_time_wait", (double)ct->tcp_time_wait);
	kv_num(x, "socket_time_wait", (double)sk_tw);
	kv_num(x, "snat_time_wait", (double)ct->snat_time_wait);
	ev(x, "conntrack entries in TIME_WAIT: %" PRIu64 " (%" PRIu64 " of them SNAT'd); TIME_WAIT "
	   "sockets in this namespace: %" PRIu64, ct->tcp_time_wait, ct->snat_time_wait, sk_tw);
	if (ct->have_tw_local) {
		uint64_t local = ct->tcp_time_wait_local, fwd = ct->tcp_time_wait - local;

		/* a local entry whose socket is gone: it left TIME_WAIT (60 s) or the peer closed first */
		no_sock = fwd + (local > sk_tw ? local - sk_tw : 0);
		kv_num(x, "forwarded_time_wait", (double)fwd);
		kv_num(x, "local_time_wait", (double)local);
		if (ct->tcp_time_wait)
			ev(x, "%" PRIu64 " have no end on this host (forwarded or NAT'd traffic: no socket "
			   "here ever); %" PRIu64 " have one, against %" PRIu64 " TIME_WAIT sockets", fwd,
			   local, sk_tw);
	} else {
		no_sock = ct->tcp_time_wait > sk_tw ? ct->tcp_time_wait - sk_tw : 0;
	}
	kv_num(x, "without_socket_min", (double)no_sock);
	if (!ct->tcp_time_wait) {
		title(x, "No conntrack entries in TIME_WAIT");
		return;
	}
	ev(x, "at least %" PRIu64 " entries have no socket behind them on this host: forwarded or "
	   "NAT'd traffic, or flows whose sockets left TIME_WAIT after 60 s while conntrack keeps "
	   "them %" PRId64 " s", no_sock, tmo);
	x->sev = TW_SEV_INFO;
	title(x, "%" PRIu64 " conntrack entries in TIME_WAIT, %" PRIu64 " TIME_WAIT sockets here",
	      ct->tcp_time_wait, sk_tw);
	why(x, "Conntrack keeps a closed TCP flow for nf_conntrack_tcp_timeout_time_wait, apart from "
	       "any socket: on a NAT gateway such an entry still owns its SNAT port, so the SNAT "
	       "budget per destination is set by this timer, not by TCP's 60 s. A new SYN on the "
	       "same tuple is not blocked (the entry is replaced).");
	if (snat_pressure(f))
		fix(x, "SNAT ports are running out here (snat-port-exhaustion): add SNAT addresses or "
		       "keep-alive first; shortening net.netfilter.nf_conntrack_tcp_timeout_time_wait to "
		       "60 frees ports twice as fast, at the cost that late packets of old flows are "
		       "dropped as INVALID.");
	else if (ct->snat_time_wait)
		fix(x, "Nothing to do while the SNAT pools have room (snat-port-exhaustion is quiet); "
		       "these entries cost memory only (see conntrack-table-full).");
	else
		fix(x, "Nothing to do: no SNAT'd entries, so these hold no ports; they count against "
		       "nf_conntrack_max (see conntrack-table-full).");
}
