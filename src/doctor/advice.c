// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * advice: the rules of twscope doctor. Each rule reads struct tw_facts and
 * fills one finding: severity, evidence (text and key/values), why and the
 * fix, best option first. A rule whose input is missing says "unknown",
 * never a guess. Pure: no I/O, no printing.
 */
#include "doctor/advice.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doctor/advice-build.h"
#include "doctor/facts.h"
#include "doctor/kver.h"
#include "outlook.h"
#include "doctor/recipes.h"
#include "output.h"
#include "tcpstate.h"
#include "util.h"

#define RULE(fn, id, title, ref) { id, title, ref },
static const struct {
	const char *id;
	const char *title;
	const char *ref;
} rules[] = {
#include "doctor/rules.def"
};
#undef RULE

const char *advice_rule_id(size_t i)
{
	return i < ADV_RULE_MAX ? rules[i].id : NULL;
}

const char *advice_rule_title(size_t i)
{
	return i < ADV_RULE_MAX ? rules[i].title : NULL;
}

const char *advice_rule_reference(size_t i)
{
	return i < ADV_RULE_MAX ? rules[i].ref : NULL;
}

const char *advice_sev_name(enum tw_sev s)
{
	static const char *const names[] = { "ok", "info", "unknown", "warning", "critical" };

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

/* --- fact helpers -------------------------------------------------------- */

/* kernel_has() - does the facts' kernel (uname -r, or the bundle's) have a change? */
static enum kver_has kernel_has(const struct tw_facts *f, enum kchange_id id)
{
	return kver_has(f->kernel, id);
}

/* kernel_name() - "Linux 4.9" for the facts' kernel, or "this kernel" when unknown. */
static const char *kernel_name(const struct tw_facts *f, char *buf, size_t len)
{
	struct kver k;

	if (kver_parse(f->kernel, &k) < 0)
		return "this kernel";
	snprintf(buf, len, "Linux %u.%u", k.major, k.minor);
	return buf;
}

/* since() - "Linux 6.3" for a change of the table. */
static const char *since(enum kchange_id id, char *buf, size_t len)
{
	snprintf(buf, len, "Linux %u.%u", kchange_major(id), kchange_minor(id));
	return buf;
}

static uint64_t census_tw(const struct tw_facts *f)
{
	return f->census.states[TW_TIME_WAIT];
}

static const struct sysconf_entry *conf_line(const struct tw_facts *f, const char *key, size_t *iter)
{
	for (; f->have_sysconf && *iter < f->sysconf.n; (*iter)++)
		if (strcmp(f->sysconf.v[*iter].key, key) == 0)
			return &f->sysconf.v[(*iter)++];
	return NULL;
}

/* --- the rules ----------------------------------------------------------- */

/*
 * How hot a destination is: its use now, or where its sustained close rate
 * leads when that is higher. A draining one is heading down: only now counts.
 */
static double dest_heat(const struct facts_census *c, const struct facts_dest *d, struct tw_outlook *ol)
{
	facts_dest_outlook(c, d, ol);
	if (ol->trend == TW_TREND_DRAINING || ol->projected_util_pct <= d->util_pct)
		return d->util_pct;
	return ol->projected_util_pct;
}

/* The rates, the projection and the trend of the worst destination. */
static void port_dynamics(const struct tw_facts *f, const struct facts_dest *w,
			  const struct tw_outlook *ol, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;
	uint64_t tw = 0, opens = 0;

	if (!w->have_closes)
		return;
	kv_num(x, "close_rate_per_sec", ol->rate_per_sec);
	kv_num(x, "close_rate_minute_per_sec", ol->minute_rate_per_sec);
	kv_num(x, "projected_utilization_pct", ol->projected_util_pct);
	kv_str(x, "trend", outlook_trend_name(ol->trend));
	kv_num(x, "clears_in_sec", ol->clears_ms / 1000.0);
	ev(x, "closing %.1f/s over the last %u s (%.1f/s averaged over the minute), read off the "
	   "TIME_WAIT timers", ol->rate_per_sec, ol->window_sec, ol->minute_rate_per_sec);
	if (ol->trend == TW_TREND_DRAINING) {
		ev(x, "draining: no new TIME_WAIT for %.0f s; the last of them expires in %.0f s%s",
		   ol->quiet_ms / 1000.0, ol->clears_ms / 1000.0,
		   w->held >= c->usable ? " (unless connect() fails now: every port is held)" : "");
	} else if (ol->sustained_per_sec > 0) {
		ev(x, "at the %.1f/s held through the last %u s it settles at %.0f of %u ports (%.0f%%), "
		   "trend %s", ol->sustained_per_sec, ol->window_sec, ol->projected_held, c->usable,
		   ol->projected_util_pct, outlook_trend_name(ol->trend));
	}
	if (ol->exhaust_in_sec >= 0) {
		kv_num(x, "exhaustion_in_sec", ol->exhaust_in_sec);
		ev(x, "at that rate the last usable port goes in %.0f s; then connect() fails with "
		   "EADDRNOTAVAIL", ol->exhaust_in_sec);
	}
	if (delta_of(f, FC_TW, &tw) && delta_of(f, FC_ACTIVE_OPENS, &opens))
		ev(x, "kernel counters, all destinations, over %.1f s: %.1f TIME_WAIT entered/s "
		   "(TcpExt.TW), %.1f connect()s/s (Tcp.ActiveOpens)", interval_sec(f),
		   tw / interval_sec(f), opens / interval_sec(f));
}

/* Who holds the live sockets toward it; TIME_WAIT sockets have no owner. */
static const struct facts_culprit *port_culprits(const struct facts_dest *w, struct advice_finding *x)
{
	if (!w->culprits_scanned)
		return NULL;
	for (size_t i = 0; i < w->n_culprits && i < 2; i++) {
		const struct facts_culprit *k = &w->culprits[i];
		char more[32] = "";

		if (k->pids > 1)
			snprintf(more, sizeof(more), " and %u more", k->pids - 1);
		ev(x, "held by %s (pid %d%s, %" PRIu64 " of the %" PRIu64 " live sockets toward it%s%s%s)", k->comm,
		   k->pid, more, k->sockets, w->live, k->cgroup[0] ? ", cgroup " : "", k->cgroup,
		   k->runtime == TW_RUNTIME_GO ? ", a Go program" : "");
	}
	if (w->n_culprits) {
		kv_num(x, "culprit_pid", w->culprits[0].pid);
		kv_str(x, "culprit_comm", w->culprits[0].comm);
		return &w->culprits[0];
	}
	ev(x, "no process could be named: %" PRIu64 " live sockets toward it%s; its TIME_WAIT "
	   "sockets have no owner (the program already closed them)", w->live,
	   w->culprits_partial ? ", and some processes could not be inspected (run as root)" : "");
	return NULL;
}

/* The fix for the program at hand (docs/recipes.md), before the generic ones. */
static bool port_recipe(const struct facts_dest *w, const struct facts_culprit *k,
			struct advice_finding *x)
{
	const struct tw_recipe *r = recipe_match(k ? k->comm : NULL,
						 k ? k->runtime : TW_RUNTIME_UNKNOWN, w->remote_port);

	if (!r)
		return false;
	kv_str(x, "recipe", r->id);
	for (const char *const *step = r->steps; *step; step++)
		fix(x, "%s: %s", r->program, *step);
	if (r->trap)
		fix(x, "Not the half-fix: %s", r->trap);
	fix(x, "Details and the %s documentation for each setting: docs/recipes.md#%s", r->program, r->id);
	return true;
}

/*
 * reuse_delay_text() - how old a TIME_WAIT must be before tcp_tw_reuse takes
 * it: the sysctl where the kernel has it (probed), else the fixed second.
 */
static const char *reuse_delay_text(const struct tw_facts *f, char *buf, size_t len)
{
	char sn[32];
	int64_t ms;

	if (facts_sysctl_int(f, FS_TW_REUSE_DELAY, &ms))
		snprintf(buf, len, "tcp_tw_reuse_delay (%" PRId64 " ms here)", ms);
	else if (f->sysctl[FS_TW_REUSE_DELAY].error || kernel_has(f, KCHANGE_TW_REUSE_DELAY) == KVER_YES)
		snprintf(buf, len, "tcp_tw_reuse_delay (default 1000 ms)");
	else
		snprintf(buf, len, "about 1 s (fixed on this kernel, counted in whole seconds; the "
			 "tcp_tw_reuse_delay sysctl came in %s)", since(KCHANGE_TW_REUSE_DELAY, sn, sizeof(sn)));
	return buf;
}

/*
 * local_port_range_text() - the IP_LOCAL_PORT_RANGE alternative where the
 * kernel has it: probed on the live host, by release for a bundle.
 */
static const char *local_port_range_text(const struct tw_facts *f, char *buf, size_t len)
{
	enum kver_has has = f->local_port_range_opt > 0 ? KVER_YES :
			    f->local_port_range_opt < 0 ? KVER_NO :
			    kernel_has(f, KCHANGE_IP_LOCAL_PORT_RANGE_OPT);
	char kn[32], sn[32];

	since(KCHANGE_IP_LOCAL_PORT_RANGE_OPT, sn, sizeof(sn));
	if (has == KVER_YES)
		snprintf(buf, len, ", or give the socket a range with IP_LOCAL_PORT_RANGE instead of "
			 "binding to a chosen port");
	else if (has == KVER_NO)
		snprintf(buf, len, "; IP_LOCAL_PORT_RANGE, the other way, needs %s, and this is %s", sn,
			 kernel_name(f, kn, sizeof(kn)));
	else
		snprintf(buf, len, ", or use IP_LOCAL_PORT_RANGE (%s+) instead of binding to a "
			 "chosen port", sn);
	return buf;
}

static void rule_port_exhaustion(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;
	const struct facts_dest *w = NULL;
	const struct facts_culprit *culprit;
	struct tw_outlook ol, wol;
	double heat, worst = -1;
	size_t over = 0;
	int64_t reuse = -1, ts = -1;
	char delay[192], opt[192];
	bool projected;

	if (!c->have)
		return unknown(x, "socket census");
	for (size_t i = 0; i < c->n_dests; i++) {
		heat = dest_heat(c, &c->dests[i], &ol);
		if (heat > worst) {
			worst = heat;
			w = &c->dests[i];
			wol = ol;
		}
		if (heat >= ADV_PORT_WARN_PCT)
			over++;
	}
	kv_num(x, "usable", c->usable);
	kv_num(x, "destinations", (double)c->dests_total);
	kv_num(x, "destinations_over_warning", (double)over);
	if (!w) {
		title(x, "No outgoing connections hold ephemeral ports");
		ev(x, "usable ephemeral ports per destination: %u", c->usable);
		kv_num(x, "worst_utilization_pct", 0);
		return;
	}
	kv_str(x, "worst_local", w->local);
	kv_str(x, "worst_remote", w->remote);
	kv_num(x, "worst_remote_port", w->remote_port);
	kv_num(x, "held", (double)w->held);
	kv_num(x, "time_wait", (double)w->time_wait);
	kv_num(x, "established", (double)w->established);
	kv_num(x, "worst_utilization_pct", w->util_pct);
	ev(x, "%s -> %s port %u: %" PRIu64 " of %u usable ports held (%.1f%%): %" PRIu64
	   " TIME_WAIT, %" PRIu64 " ESTABLISHED",
	   w->local, w->remote, w->remote_port, w->held, c->usable, w->util_pct, w->time_wait,
	   w->established);
	port_dynamics(f, w, &wol, x);
	if (worst < ADV_PORT_WARN_PCT) {
		title(x, "Ephemeral ports fine: worst destination at %.1f%%", w->util_pct);
		return;
	}
	x->sev = worst >= ADV_PORT_CRIT_PCT ? TW_SEV_CRITICAL : TW_SEV_WARNING;
	projected = worst > w->util_pct;
	if (projected)
		title(x, "Projected: the ports toward %s:%u settle at %.0f%% at %.0f closes/s (%.0f%% now)",
		      w->remote, w->remote_port, wol.projected_util_pct, wol.sustained_per_sec, w->util_pct);
	else if (wol.trend == TW_TREND_DRAINING && w->have_closes)
		title(x, "%.0f%% of the ephemeral ports toward %s:%u are in use, draining: clears in %.0f s",
		      w->util_pct, w->remote, w->remote_port, wol.clears_ms / 1000.0);
	else
		title(x, "%.0f%% of the ephemeral ports toward %s:%u are in use", w->util_pct, w->remote,
		      w->remote_port);
	kv_str(x, "basis", projected ? "projection" : "current");
	ev(x, "usable = range %u-%u (%u) - %u reserved - %u listening = %u; it sustains %.1f new "
	   "connections/s (TIME_WAIT lasts 60 s)", c->range_lo, c->range_hi, c->range_size,
	   c->reserved_in_range, c->listeners_in_range, c->usable, c->usable / 60.0);
	ev(x, "past half use connect() walks every used port of one parity before it finds a free "
	   "one: it slows down long before it fails ('twscope lab run connect-latency' measures it)");
	if (over > 1)
		ev(x, "%zu destinations are at or above %.0f%% (now or projected)", over, ADV_PORT_WARN_PCT);
	culprit = port_culprits(w, x);
	why(x, "Each (source IP, destination IP, destination port) has its own budget of %u local "
	       "ports, and a port stays taken for the 60 s of TIME_WAIT after the close; when it is "
	       "used up, connect() fails with EADDRNOTAVAIL (no counter records it).", c->usable);
	if (!port_recipe(w, culprit, x))
		fix(x, "Reuse connections: HTTP keep-alive or a connection pool toward %s:%u, so "
		       "requests stop opening (and TIME_WAIT-ing) a new connection each.",
		    w->remote, w->remote_port);
	if (!projected && wol.trend == TW_TREND_DRAINING && w->have_closes)
		fix(x, "Once the cause is fixed and the ports are needed before the %.0f s drain: "
		       "'twscope kill --dst %s:%u --yes' destroys their TIME_WAIT once (docs/kill.md); "
		       "never as a routine.", wol.clears_ms / 1000.0, w->remote, w->remote_port);
	fix(x, "Spread the 4-tuples: more destination IPs or ports behind the service, or more "
	       "source IPs on this host (each gets its own %u ports per destination).", c->usable);
	fix(x, "Widen the range: sysctl -w net.ipv4.ip_local_port_range=\"10000 65535\" and persist "
	       "it with the line 'net.ipv4.ip_local_port_range = 10000 65535' in "
	       "/etc/sysctl.d/90-twscope.conf (per namespace: set it inside the container; reserve "
	       "listening ports with net.ipv4.ip_local_reserved_ports).");
	(void) facts_sysctl_int(f, FS_TW_REUSE, &reuse);
	(void) facts_sysctl_int(f, FS_TIMESTAMPS, &ts);
	fix(x, "sysctl -w net.ipv4.tcp_tw_reuse=1 (and 'net.ipv4.tcp_tw_reuse = 1' in "
	       "/etc/sysctl.d/90-twscope.conf): connect() may take over a TIME_WAIT 4-tuple older "
	       "than %s; outgoing connections only, and only with TCP timestamps on both ends%s%s.",
	    reuse_delay_text(f, delay, sizeof(delay)),
	    reuse == 1 ? " (already 1 here)" : reuse == 2 ? " (now 2: loopback only)" : "",
	    ts == 0 ? "; tcp_timestamps is 0 here, so it cannot work" : "");
	fix(x, "Code that bind()s before connect() pins its port for every destination, TIME_WAIT "
	       "included: set IP_BIND_ADDRESS_NO_PORT (setsockopt(fd, IPPROTO_IP, "
	       "IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one)) before bind())%s.",
	    local_port_range_text(f, opt, sizeof(opt)));
}

static void rule_tw_bucket_overflow(const struct tw_facts *f, struct advice_finding *x)
{
	bool per_netns = kernel_has(f, KCHANGE_TW_BUCKETS_PER_NETNS) != KVER_NO;
	char kn[32], sn[32];
	int64_t max = -1;
	uint64_t d = 0, total = 0, tw = 0, want;
	bool have_max = facts_sysctl_int(f, FS_MAX_TW_BUCKETS, &max);
	bool have_total = value_of(f, FC_TW_OVERFLOW, &total);
	bool have_delta = delta_of(f, FC_TW_OVERFLOW, &d);
	double pct = -1;
	char wb[48];

	if (!have_max)
		return unknown(x, "net.ipv4.tcp_max_tw_buckets");
	kv_num(x, "tcp_max_tw_buckets", (double)max);
	if (f->have_sockstat) {
		tw = f->sockstat.tcp_tw;
		pct = max > 0 ? 100.0 * (double)tw / (double)max : 100.0;
		kv_num(x, "tw", (double)tw);
		kv_num(x, "tw_pct_of_max", pct);
		ev(x, "timewait sockets (TIME_WAIT + FIN_WAIT2 mini-sockets): %" PRIu64 " of "
		      "tcp_max_tw_buckets %" PRId64 " (%.0f%%)", tw, max, pct);
	}
	if (have_total) {
		kv_num(x, "overflow_total", (double)total);
		if (have_delta) {
			kv_num(x, "overflow_delta", (double)d);
			kv_num(x, "overflow_per_sec", d / interval_sec(f));
			ev(x, "TCPTimeWaitOverflow: +%" PRIu64 " %s (%" PRIu64 " since boot)", d,
			   window(f, wb, sizeof(wb)), total);
		} else {
			ev(x, "TCPTimeWaitOverflow: %" PRIu64 " since boot", total);
		}
	}
	if (have_delta && d > 0)
		x->sev = TW_SEV_CRITICAL;
	else if ((have_total && total > 0) || pct >= ADV_TW_BUCKETS_WARN_PCT)
		x->sev = TW_SEV_WARNING;
	else if (!have_total && !f->have_sockstat)
		return unknown(x, "TcpExt.TCPTimeWaitOverflow and /proc/net/sockstat");
	else if (!have_total)
		return unknown(x, "TcpExt.TCPTimeWaitOverflow");
	if (x->sev == TW_SEV_OK) {
		title(x, "TIME_WAIT well below tcp_max_tw_buckets (%" PRId64 "), no overflow", max);
		return;
	}
	if (x->sev == TW_SEV_CRITICAL)
		title(x, "Closes are skipping TIME_WAIT now: %" PRIu64 " overflows %s", d, window(f, wb, sizeof(wb)));
	else if (total > 0)
		title(x, "TIME_WAIT overflowed tcp_max_tw_buckets %" PRIu64 " times since boot", total);
	else
		title(x, "TIME_WAIT count is at %.0f%% of tcp_max_tw_buckets", pct);
	/* twice the peak, at least 262144, at most what the int sysctl holds */
	want = sat_mul(tw, 2);
	want = want < 262144 ? 262144 : want > INT32_MAX ? INT32_MAX : want;
	why(x, "At tcp_max_tw_buckets (%s) a closing connection gets no TIME_WAIT at all: "
	       "it is destroyed and counted in TCPTimeWaitOverflow, with no log line on modern "
	       "kernels. Late segments then meet RSTs, and old duplicates can reach a new connection "
	       "on the same 4-tuple.", per_netns ? "per namespace" : "host-wide on this kernel");
	fix(x, "Raise the limit well above the peak (peak TIME_WAIT = closes/s x 60): sysctl -w "
	       "net.ipv4.tcp_max_tw_buckets=%" PRIu64 " and 'net.ipv4.tcp_max_tw_buckets = %" PRIu64
	       "' in /etc/sysctl.d/90-twscope.conf; the default is half the TCP ehash size (dmesg: "
	       "'TCP established hash table entries').",
	    want, want);
	if (per_netns)
		fix(x, "It is per network namespace: set it inside each container's namespace; a "
		       "host-wide value does not reach them.");
	else
		fix(x, "On %s it is one host-wide limit shared by every namespace (per namespace from "
		       "%s): set it on the host, counting the containers' TIME_WAIT too.",
		    kernel_name(f, kn, sizeof(kn)), since(KCHANGE_TW_BUCKETS_PER_NETNS, sn, sizeof(sn)));
	fix(x, "Produce fewer TIME_WAIT sockets: keep-alive or pooling, and let clients close first.");
	fix(x, "Never lower it to 'clean up' TIME_WAIT: that trades the 60 s protection for silent "
	       "aborts.");
}

static void rule_tw_reuse_ineffective(const struct tw_facts *f, struct advice_finding *x)
{
	int64_t reuse, ts, delay;

	if (!facts_sysctl_int(f, FS_TW_REUSE, &reuse))
		return unknown(x, "net.ipv4.tcp_tw_reuse");
	if (!facts_sysctl_int(f, FS_TIMESTAMPS, &ts))
		return unknown(x, "net.ipv4.tcp_timestamps");
	kv_num(x, "tcp_tw_reuse", (double)reuse);
	kv_num(x, "tcp_timestamps", (double)ts);
	ev(x, "tcp_tw_reuse = %" PRId64 " (%s), tcp_timestamps = %" PRId64, reuse,
	   reuse == 0 ? "off" : reuse == 1 ? "all outgoing connections" : "loopback only", ts);
	if (facts_sysctl_int(f, FS_TW_REUSE_DELAY, &delay)) {
		kv_num(x, "tcp_tw_reuse_delay_ms", (double)delay);
		ev(x, "tcp_tw_reuse_delay = %" PRId64 " ms", delay);
	}
	if (reuse != 0 && ts == 0) {
		x->sev = reuse == 1 ? TW_SEV_WARNING : TW_SEV_INFO;
		title(x, "tcp_tw_reuse=%" PRId64 " does nothing: TCP timestamps are off", reuse);
		why(x, "connect() may take over a TIME_WAIT 4-tuple only when the old connection used "
		       "TCP timestamps (PAWS protects the new one); with tcp_timestamps=0 every reuse "
		       "attempt fails and connect() still returns EADDRNOTAVAIL.");
		fix(x, "sysctl -w net.ipv4.tcp_timestamps=1 (and 'net.ipv4.tcp_timestamps = 1' in "
		       "/etc/sysctl.d/90-twscope.conf; remove the line that sets it to 0).");
		fix(x, "Or stop relying on reuse: keep-alive/pooling, more source IPs or destination ports.");
		return;
	}
	if (reuse == 1 && f->census.have && f->census.tw_client == 0 &&
	    f->census.tw_server >= ADV_REUSE_SERVER_TW_MIN) {
		x->sev = TW_SEV_INFO;
		kv_num(x, "tw_server", (double)f->census.tw_server);
		title(x, "tcp_tw_reuse=1 cannot touch these %" PRIu64 " server-side TIME_WAIT sockets",
		      f->census.tw_server);
		ev(x, "TIME_WAIT: %" PRIu64 " server side, 0 client side", f->census.tw_server);
		why(x, "tcp_tw_reuse is consulted only by outgoing connect(); a server's TIME_WAIT "
		       "sockets are never reused by it (incoming SYNs follow their own rules).");
		fix(x, "Nothing to change for the server's sake; see server-side-timewait for moving "
		       "TIME_WAIT to the clients.");
		return;
	}
	title(x, "tcp_tw_reuse is consistent with the timestamps setting");
}

/*
 * recycle_not_recorded() - a kernel older than 4.12 (by its release) whose
 * tcp_tw_recycle value was not recorded (an older bundle): the config lines
 * are live there, so judge them, or say what is missing.
 */
static void recycle_not_recorded(const struct tw_facts *f, struct advice_finding *x, size_t n_conf)
{
	const struct sysconf_entry *e, *on = NULL;
	size_t it = 0;
	char kn[32];

	kernel_name(f, kn, sizeof(kn));
	if (n_conf == 0)
		return unknown(x, "net.ipv4.tcp_tw_recycle (this kernel has it; its value is missing)");
	while ((e = conf_line(f, "net.ipv4.tcp_tw_recycle", &it)))
		if (strcmp(e->value, "0") != 0)
			on = e;
	if (!on) {
		title(x, "Config keeps tcp_tw_recycle off");
		return;
	}
	x->sev = TW_SEV_WARNING;
	title(x, "Config sets tcp_tw_recycle = %s, which %s still has: it drops SYNs from clients "
		 "behind NAT", on->value, kn);
	why(x, "tw_recycle remembers the last timestamp per peer IP and drops SYNs with a lower "
	       "one; hosts behind one NAT address have unrelated clocks, so some of them randomly "
	       "cannot connect. Linux 4.12 removed it for this reason; %s still has it.", kn);
	fix(x, "sysctl -w net.ipv4.tcp_tw_recycle=0 and delete the line(s) above.");
	fix(x, "For client-side port pressure use net.ipv4.tcp_tw_reuse=1 (outgoing only) or "
	       "connection pooling instead.");
}

static void rule_tw_recycle(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_sysctl *s = &f->sysctl[FS_TW_RECYCLE];
	const struct sysconf_entry *e;
	size_t it = 0, n_conf = 0;
	int64_t v;
	uint64_t pp = 0;

	if (s->error)
		return unknown(x, "net.ipv4.tcp_tw_recycle");
	while ((e = conf_line(f, "net.ipv4.tcp_tw_recycle", &it))) {
		ev(x, "%s:%u sets net.ipv4.tcp_tw_recycle = %s", e->file, e->line, e->value);
		if (n_conf++ == 0) {
			kv_str(x, "config_file", e->file);
			kv_num(x, "config_line", e->line);
			kv_str(x, "config_value", e->value);
		}
	}
	kv_num(x, "config_lines", (double)n_conf);
	kv_num(x, "sysctl_present", s->present);
	if (s->present && facts_sysctl_int(f, FS_TW_RECYCLE, &v)) {
		kv_num(x, "tcp_tw_recycle", (double)v);
		ev(x, "tcp_tw_recycle = %" PRId64 " (this kernel is older than 4.12)", v);
		if (v == 0) {
			title(x, "tcp_tw_recycle is off");
			return;
		}
		(void) value_of(f, FC_PAWS_PASSIVE, &pp);
		kv_num(x, "paws_passive", (double)pp);
		if (pp)
			ev(x, "PAWSPassive: %" PRIu64 " SYNs dropped by the per-host timestamp check", pp);
		x->sev = pp ? TW_SEV_CRITICAL : TW_SEV_WARNING;
		title(x, "tcp_tw_recycle=1 drops SYNs from clients behind NAT%s", pp ? " (it already did)" : "");
		why(x, "tw_recycle remembers the last timestamp per peer IP and drops SYNs with a lower "
		       "one; hosts behind one NAT address have unrelated clocks, so some of them randomly "
		       "cannot connect. Linux 4.12 removed it for this reason; this kernel still has it.");
		fix(x, "sysctl -w net.ipv4.tcp_tw_recycle=0 and delete every config line that sets it.");
		fix(x, "For client-side port pressure use net.ipv4.tcp_tw_reuse=1 (outgoing only) or "
		       "connection pooling instead.");
		return;
	}
	if (!s->present && kernel_has(f, KCHANGE_TW_RECYCLE_REMOVED) == KVER_NO)
		return recycle_not_recorded(f, x, n_conf);
	if (!s->present && !f->have_sysconf)
		return unknown(x, "sysctl configuration files");
	if (n_conf == 0) {
		title(x, "tcp_tw_recycle is gone (Linux 4.12+) and no config file sets it");
		return;
	}
	x->sev = TW_SEV_WARNING;
	title(x, "Config sets tcp_tw_recycle, which this kernel no longer has");
	why(x, "tcp_tw_recycle was removed in Linux 4.12 (it broke clients behind NAT); the line is "
	       "dead, 'sysctl --system' reports an unknown key for it, and whoever added it expected "
	       "an effect that does not exist.");
	fix(x, "Delete the line(s) above; if they were meant to relieve client-side port pressure, "
	       "use net.ipv4.tcp_tw_reuse=1 (outgoing only, needs timestamps) or connection pooling.");
}

static void rule_fin_timeout_myth(const struct tw_facts *f, struct advice_finding *x)
{
	const struct sysconf_entry *e;
	size_t it = 0, lowered_conf = 0;
	int64_t v;

	if (!facts_sysctl_int(f, FS_FIN_TIMEOUT, &v))
		return unknown(x, "net.ipv4.tcp_fin_timeout");
	kv_num(x, "tcp_fin_timeout", (double)v);
	ev(x, "tcp_fin_timeout = %" PRId64 " s (default 60)", v);
	while ((e = conf_line(f, "net.ipv4.tcp_fin_timeout", &it))) {
		uint32_t cv;

		ev(x, "%s:%u sets net.ipv4.tcp_fin_timeout = %s", e->file, e->line, e->value);
		if (safe_atou32(e->value, &cv) == 0 && cv != 60 && lowered_conf++ == 0) {
			kv_str(x, "config_file", e->file);
			kv_num(x, "config_line", e->line);
		}
	}
	if (f->census.have) {
		kv_num(x, "fin_wait2_orphans", (double)f->census.fw2_orphan);
		kv_num(x, "time_wait", (double)census_tw(f));
		ev(x, "now: %" PRIu64 " TIME_WAIT, %" PRIu64 " orphaned FIN_WAIT2", census_tw(f),
		   f->census.fw2_orphan);
	}
	if (v > 60) {
		x->sev = TW_SEV_WARNING;
		title(x, "tcp_fin_timeout=%" PRId64 " keeps orphaned full sockets alive longer", v);
		why(x, "Above 60 s an orphaned FIN_WAIT2 connection stays a full socket (about 2.3 KB "
		       "plus buffers) for tcp_fin_timeout - 60 s before becoming a mini-socket; it never "
		       "affected TIME_WAIT, which is fixed at 60 s.");
		fix(x, "sysctl -w net.ipv4.tcp_fin_timeout=60 and remove the config line that raised it.");
		return;
	}
	if (v == 60 && lowered_conf == 0) {
		title(x, "tcp_fin_timeout at its default (it never affects TIME_WAIT)");
		return;
	}
	x->sev = TW_SEV_INFO;
	if (v == 60)
		title(x, "A config file lowers tcp_fin_timeout; it does not shorten TIME_WAIT (live value "
			 "here: 60, the file is not applied to this namespace)");
	else
		title(x, "tcp_fin_timeout=%" PRId64 " does not shorten TIME_WAIT", v);
	why(x, "TIME_WAIT lasts TCP_TIMEWAIT_LEN = 60 s, a compile-time constant; tcp_fin_timeout only "
	       "bounds orphaned FIN_WAIT2 connections (the peer never sent its FIN).");
	fix(x, "If it was set to fight TIME_WAIT, remove it (the default is 60) and use the fixes of "
	       "port-exhaustion / tw-bucket-overflow instead; keep it only to expire FIN_WAIT2 "
	       "orphans faster.");
}

static void rule_paws_rejects(const struct tw_facts *f, struct advice_finding *x)
{
	enum facts_counter_id id = FC_PAWS_TIMEWAIT;
	uint64_t total = 0, d = 0, retr = 0;
	int64_t rfc1337 = 0;
	bool have_delta, rfc_known, server_tw;
	char wb[48];

	if (!value_of(f, id, &total)) {
		id = FC_PAWS_ESTAB;	/* compat: before 6.16 TIME_WAIT rejects counted here */
		if (!value_of(f, id, &total))
			return unknown(x, "TcpExt.PAWSTimewait / PAWSEstab");
	}
	have_delta = delta_of(f, id, &d);
	rfc_known = facts_sysctl_int(f, FS_RFC1337, &rfc1337);
	server_tw = !f->census.have || f->census.tw_server > 0;
	kv_str(x, "counter", facts_counter_name(id));
	kv_num(x, "paws_total", (double)total);
	if (have_delta) {
		kv_num(x, "paws_delta", (double)d);
		ev(x, "%s: +%" PRIu64 " %s (%" PRIu64 " since boot)", facts_counter_name(id), d,
		   window(f, wb, sizeof(wb)), total);
	} else {
		ev(x, "%s: %" PRIu64 " since boot", facts_counter_name(id), total);
	}
	if (delta_of(f, FC_SYN_RETRANS, &retr))
		ev(x, "TCPSynRetrans: +%" PRIu64 " %s", retr, window(f, wb, sizeof(wb)));
	if (rfc_known) {
		kv_num(x, "tcp_rfc1337", (double)rfc1337);
		ev(x, "tcp_rfc1337 = %" PRId64, rfc1337);
	}
	if (f->census.have) {
		kv_num(x, "tw_server", (double)f->census.tw_server);
		ev(x, "server-side TIME_WAIT: %" PRIu64, f->census.tw_server);
	}
	if (have_delta && d > 0 && server_tw) {
		x->sev = rfc1337 == 1 ? TW_SEV_CRITICAL : TW_SEV_WARNING;
		title(x, "Clients are hitting server-side TIME_WAIT with old timestamps%s",
		      rfc1337 == 1 ? ", and tcp_rfc1337=1 makes them fail" : "");
	} else if (rfc1337 == 1 && f->census.have && f->census.tw_server > 0) {
		x->sev = TW_SEV_INFO;
		title(x, "tcp_rfc1337=1 with server-side TIME_WAIT: NAT'd clients would fail to connect");
	} else if (total > 0 || (have_delta && d > 0)) {
		x->sev = TW_SEV_INFO;
		title(x, "PAWS rejects seen (%" PRIu64 " since boot), none hitting TIME_WAIT now", total);
		why(x, "PAWS drops segments whose timestamp is older than the last one seen; a few are "
		       "normal (reordering, retransmits, NAT); they matter when they keep rising while "
		       "this host holds server-side TIME_WAIT.");
		return;
	} else {
		title(x, "No PAWS rejects");
		return;
	}
	why(x, "Behind NAT, clients share an IP but not a timestamp clock; a new SYN on a 4-tuple "
	       "still in this server's TIME_WAIT may carry an older timestamp and is rejected. With "
	       "tcp_rfc1337=0 the client's RST clears it in ~10 ms; with tcp_rfc1337=1 the RST is "
	       "ignored and the connect() times out.");
	if (rfc1337 == 1)
		fix(x, "sysctl -w net.ipv4.tcp_rfc1337=0 and remove 'net.ipv4.tcp_rfc1337 = 1' from the "
		       "sysctl config (hardening guides recommend it; it turns these rejects into failed "
		       "connections).");
	fix(x, "Let the clients close first, so the TIME_WAIT sits on their side (HTTP keep-alive with "
	       "client-initiated close; no server-side close after each response).");
	fix(x, "Do not turn timestamps off to 'fix' this: tcp_timestamps=0 removes PAWS protection "
	       "and disables tcp_tw_reuse.");
	fix(x, "If this host itself SNATs/masquerades, the per-connection timestamp offset is computed "
	       "before NAT: prefer fewer rewritten source ports, or pooling.");
}

static void rule_close_wait_leak(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_close_wait *cw = &f->close_wait;
	uint64_t total, stale;

	if (cw->have)
		total = cw->total;
	else if (f->census.have)
		total = f->census.states[TW_CLOSE_WAIT];
	else
		return unknown(x, "socket census");
	kv_num(x, "close_wait", (double)total);
	ev(x, "CLOSE_WAIT sockets: %" PRIu64, total);
	for (size_t i = 0; i < cw->n_ports && i < 5; i++) {
		char k[32];

		ev(x, "  local port %u: %" PRIu64, cw->ports[i].port, cw->ports[i].count);
		snprintf(k, sizeof(k), "port_%zu", i);
		kv_num(x, k, cw->ports[i].port);
		snprintf(k, sizeof(k), "port_%zu_count", i);
		kv_num(x, k, (double)cw->ports[i].count);
	}
	if (cw->have_idle && total) {
		kv_num(x, "stale", (double)cw->stale);
		kv_num(x, "oldest_idle_sec", (double)cw->oldest_idle_ms / 1000.0);
		ev(x, "idle for %d s or more (no segment from the peer since): %" PRIu64
		      "; the oldest for %.0f s", FACTS_CW_STALE_MS / 1000, cw->stale,
		   (double)cw->oldest_idle_ms / 1000.0);
	}
	/* Many at once, or a few left for minutes: both mean nobody closes them. */
	stale = cw->have_idle ? cw->stale : 0;
	if (total < ADV_CLOSE_WAIT_WARN && stale < ADV_CLOSE_WAIT_STALE_WARN) {
		title(x, total ? "A few CLOSE_WAIT sockets (%" PRIu64 "), below the leak threshold"
			       : "No CLOSE_WAIT sockets", total);
		return;
	}
	for (size_t i = 0; i < cw->n_owners && i < 5; i++)
		ev(x, "  pid %d (%s) holds %" PRIu64 " of them (port %u)", cw->owners[i].pid,
		   cw->owners[i].comm, cw->owners[i].sockets, cw->owners[i].port);
	if (cw->n_owners) {
		kv_num(x, "owner_pid", cw->owners[0].pid);
		kv_str(x, "owner_comm", cw->owners[0].comm);
	}
	if (!cw->owners_scanned || (cw->n_owners == 0 && cw->owners_partial))
		ev(x, "owning processes not visible without root (or the same user)");
	else if (cw->owners_partial)
		ev(x, "some processes could not be inspected (run as root to see all owners)");
	x->sev = total >= ADV_CLOSE_WAIT_CRIT || stale >= ADV_CLOSE_WAIT_STALE_CRIT ?
		 TW_SEV_CRITICAL : TW_SEV_WARNING;
	title(x, "%" PRIu64 " CLOSE_WAIT sockets: an application is not closing its connections", total);
	why(x, "CLOSE_WAIT means the peer closed and the local application has not called close(); "
	       "it has no timeout, and each one keeps a file descriptor and a full socket until the "
	       "process closes it or exits. This is an application bug, not a TIME_WAIT problem.");
	if (cw->n_owners)
		fix(x, "Look at pid %d (%s): ls -l /proc/%d/fd | grep -c socket; ss -tanp state "
		       "close-wait shows the connections.", cw->owners[0].pid, cw->owners[0].comm,
		    cw->owners[0].pid);
	fix(x, "In the code: when read()/recv() returns 0 (EOF) the connection must be close()d; check "
	       "error paths and connection pools that keep dead connections.");
	fix(x, "Stopgap: restarting the owning process releases them; no sysctl does.");
}

static void rule_fin_wait2_orphans(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;
	uint64_t total;
	int64_t fto = -1;

	if (!c->have)
		return unknown(x, "socket census");
	total = sat_add(c->fw2_orphan, c->fw2_live);
	kv_num(x, "fin_wait2", (double)total);
	kv_num(x, "orphan", (double)c->fw2_orphan);
	kv_num(x, "live", (double)c->fw2_live);
	ev(x, "FIN_WAIT2: %" PRIu64 " (%" PRIu64 " orphaned mini-sockets, %" PRIu64
	      " live sockets still owned by a process)", total, c->fw2_orphan, c->fw2_live);
	if (total < ADV_FIN_WAIT2_WARN) {
		title(x, total ? "A few FIN_WAIT2 sockets (%" PRIu64 ")" : "No FIN_WAIT2 sockets", total);
		return;
	}
	x->sev = TW_SEV_WARNING;
	title(x, "%" PRIu64 " FIN_WAIT2 sockets: peers are not closing their side", total);
	(void) facts_sysctl_int(f, FS_FIN_TIMEOUT, &fto);
	why(x, "This host sent its FIN and the peer ACKed it but never sent its own. Orphans (the "
	       "application already closed) expire after tcp_fin_timeout (%" PRId64 " s here); live "
	       "ones (shutdown(SHUT_WR) with the fd kept) wait forever.", fto);
	fix(x, "Find the peers (ss -tan state fin-wait-2) and fix them to close after EOF.");
	if (c->fw2_orphan)
		fix(x, "For orphans: sysctl -w net.ipv4.tcp_fin_timeout=30 shortens how long they stay "
		       "(this is the one thing tcp_fin_timeout does; it does not touch TIME_WAIT).");
	if (c->fw2_live)
		fix(x, "For live sockets: close() the fd after shutdown(), or set TCP_LINGER2 on it.");
}

static void rule_server_side_timewait(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;
	uint64_t bytes;
	bool huge;
	char size[48];
	const struct facts_server *top = NULL;

	if (!c->have)
		return unknown(x, "socket census");
	huge = __builtin_mul_overflow(c->tw_server, f->tw_objsize, &bytes);
	if (huge)
		bytes = UINT64_MAX;
	kv_num(x, "tw_server", (double)c->tw_server);
	kv_num(x, "tw_client", (double)c->tw_client);
	kv_num(x, "objsize_bytes", (double)f->tw_objsize);
	kv_num(x, "memory_bytes", (double)c->tw_server * (double)f->tw_objsize);
	ev(x, "TIME_WAIT: %" PRIu64 " server side, %" PRIu64 " client side, %" PRIu64 " unknown",
	   c->tw_server, c->tw_client, c->tw_unknown);
	if (c->tw_server == 0) {
		title(x, "No server-side TIME_WAIT");
		return;
	}
	for (size_t i = 0; i < c->n_servers; i++)
		if (!top || c->servers[i].time_wait > top->time_wait)
			top = &c->servers[i];
	if (top && top->time_wait) {
		kv_num(x, "top_port", top->port);
		ev(x, "most on local port %u: %" PRIu64, top->port, top->time_wait);
		if (top->listener_scanned && top->listener_pid) {
			kv_num(x, "listener_pid", top->listener_pid);
			kv_str(x, "listener_comm", top->listener_comm);
			ev(x, "port %u is served by %s (pid %d): it closes first", top->port,
			   top->listener_comm, top->listener_pid);
		} else if (top->listener_scanned && !top->listening) {
			ev(x, "nothing listens on port %u now: the server stopped or restarted",
			   top->port);
		} else if (top->listener_scanned) {
			ev(x, "the process listening on port %u could not be seen (run as root)",
			   top->port);
		}
	}
	out_bytes(bytes, size + huge * 5, sizeof(size) - huge * 5);
	if (huge)
		memcpy(size, "over ", 5);
	ev(x, "memory: %" PRIu64 " x %" PRIu64 " B (tw_sock_TCP%s) = %s, no file descriptors",
	   c->tw_server, f->tw_objsize, f->tw_objsize_measured ? "" : ", assumed: slab not readable", size);
	x->sev = TW_SEV_INFO;
	title(x, "%" PRIu64 " server-side TIME_WAIT cost about %s: harmless", c->tw_server, size);
	why(x, "The side that closes first keeps TIME_WAIT for 60 s. On a server it holds no port a "
	       "client needs and no file descriptor; it matters only near tcp_max_tw_buckets.");
	fix(x, "Nothing is required. To move TIME_WAIT to the clients, let them close first "
	       "(keep-alive; the server waits for the client's FIN instead of closing after the reply).");
	fix(x, "To restart a listener over these sockets, set SO_REUSEADDR on the listener in the old "
	       "AND the new process (TIME_WAIT inherits it from the old one).");
	if (top && top->time_wait && top->listener_scanned && !top->listening)
		fix(x, "If the restart on port %u already fails with EADDRINUSE: 'twscope kill --port %u "
		       "--yes' destroys its TIME_WAIT once (docs/kill.md); not a routine, set the flag.",
		    top->port, top->port);
	fix(x, "Do not use SO_LINGER{1,0} to avoid them: it resets connections (see abortive-closes).");
}

static void rule_unknown_side(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;
	uint64_t tw = census_tw(f);

	if (!c->have)
		return unknown(x, "socket census");
	kv_num(x, "tw_unknown", (double)c->tw_unknown);
	kv_num(x, "time_wait", (double)tw);
	if (c->tw_unknown == 0) {
		title(x, "Every TIME_WAIT has a known side");
		return;
	}
	x->sev = TW_SEV_INFO;
	title(x, "%" PRIu64 " TIME_WAIT whose side cannot be told (%.0f%% of %" PRIu64 ")", c->tw_unknown,
	      tw ? 100.0 * (double)c->tw_unknown / (double)tw : 100.0, tw);
	ev(x, "TIME_WAIT: %" PRIu64 " client side, %" PRIu64 " server side, %" PRIu64 " unknown",
	   c->tw_client, c->tw_server, c->tw_unknown);
	ev(x, "ephemeral range %u-%u: both ports of these sockets lie on the same side of it, no "
	   "listener holds their local port, and neither port faces 16 distinct peer ports",
	   c->range_lo, c->range_hi);
	why(x, "The side that closed first keeps the TIME_WAIT. twscope tells it by listeners, by "
	       "which port looks ephemeral, and by how many peer ports a port faces; these match none "
	       "(a short-lived server on a high port, peer-to-peer traffic, a few clients of a "
	       "service inside the range). Each costs about %" PRIu64 " B and no file descriptor: "
	       "harmless unless they are clients' and their destination runs out of ports.",
	    f->tw_objsize);
	fix(x, "See them: ss -tan state time-wait; 'twscope trace' names the process that closes "
	       "them first.");
	fix(x, "If a server listens inside the ephemeral range, reserve its port "
	       "(net.ipv4.ip_local_reserved_ports) so connect() never takes it and its sides are "
	       "told by its listener.");
}

static void rule_port_range(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;

	if (!c->have)
		return unknown(x, "socket census (port range)");
	kv_num(x, "range_lo", c->range_lo);
	kv_num(x, "range_hi", c->range_hi);
	kv_num(x, "size", c->range_size);
	kv_num(x, "reserved", c->reserved_in_range);
	kv_num(x, "listening", c->listeners_in_range);
	kv_num(x, "usable", c->usable);
	ev(x, "ip_local_port_range %u-%u: %u ports, %u reserved, %u with a listener, %u usable "
	      "(about %.0f new connections/s per destination)", c->range_lo, c->range_hi, c->range_size,
	   c->reserved_in_range, c->listeners_in_range, c->usable, c->usable / 60.0);
	if (c->usable < ADV_PORT_RANGE_SMALL) {
		x->sev = TW_SEV_WARNING;
		title(x, "Only %u usable ephemeral ports", c->usable);
	} else if (c->listeners_in_range) {
		char ports[128] = "";
		size_t len = 0;

		for (size_t i = 0; i < c->n_listen_in_range && len < sizeof(ports) - 8; i++)
			len += (size_t)snprintf(ports + len, sizeof(ports) - len, "%s%u", i ? "," : "",
						c->listen_in_range[i]);
		x->sev = TW_SEV_INFO;
		kv_str(x, "listening_ports", ports);
		title(x, "%u listening port(s) inside the ephemeral range: %s", c->listeners_in_range, ports);
	} else if (c->range_size && (c->range_lo & 1) == (c->range_hi & 1)) {
		x->sev = TW_SEV_INFO;
		title(x, "ip_local_port_range ends have the same parity");
		why(x, "connect() prefers ports of one parity and bind(0) the other; the kernel asks "
		       "for ends of different parity (the default is 32768 60999).");
		/* one end moves by one, inside 1..65535 and keeping lo < hi */
		if (c->range_hi > c->range_lo)
			fix(x, "sysctl -w net.ipv4.ip_local_port_range=\"%u %u\"", c->range_lo,
			    c->range_hi - 1);
		else if (c->range_hi < 65535)
			fix(x, "sysctl -w net.ipv4.ip_local_port_range=\"%u %u\"", c->range_lo,
			    c->range_hi + 1);
		return;
	} else {
		title(x, "Ephemeral range %u-%u: %u usable ports", c->range_lo, c->range_hi, c->usable);
		return;
	}
	why(x, "Every (source IP, destination IP, destination port) can have at most the usable ports "
	       "open or in TIME_WAIT at once; a listener on an ephemeral port takes it from "
	       "connect() and can fail to bind after a restart.");
	if (c->usable < ADV_PORT_RANGE_SMALL)
		fix(x, "sysctl -w net.ipv4.ip_local_port_range=\"10000 65535\" and 'net.ipv4.ip_local_port_range "
		       "= 10000 65535' in /etc/sysctl.d/90-twscope.conf (per namespace).");
	if (c->listeners_in_range)
		fix(x, "Move services out of %u-%u, or reserve their ports so connect() never takes "
		       "them: sysctl -w net.ipv4.ip_local_reserved_ports=%s (and the same line in "
		       "/etc/sysctl.d/90-twscope.conf).", c->range_lo, c->range_hi,
		    x->kv[x->n_kv - 1].str);
}

static void rule_abortive_closes(const struct tw_facts *f, struct advice_finding *x)
{
	uint64_t total = 0, d = 0, oc = 0, ocd = 0, rst = 0;
	double rate = 0;
	char wb[48];

	if (!value_of(f, FC_ABORT_ON_DATA, &total))
		return unknown(x, "TcpExt.TCPAbortOnData");
	kv_num(x, "abort_on_data_total", (double)total);
	if (delta_of(f, FC_ABORT_ON_DATA, &d)) {
		rate = d / interval_sec(f);
		kv_num(x, "abort_on_data_delta", (double)d);
		kv_num(x, "abort_on_data_per_sec", rate);
		ev(x, "TCPAbortOnData: +%" PRIu64 " %s (%.1f/s; %" PRIu64 " since boot)", d,
		   window(f, wb, sizeof(wb)), rate, total);
	} else {
		ev(x, "TCPAbortOnData: %" PRIu64 " since boot", total);
	}
	if (value_of(f, FC_ABORT_ON_CLOSE, &oc)) {
		kv_num(x, "abort_on_close_total", (double)oc);
		if (delta_of(f, FC_ABORT_ON_CLOSE, &ocd))
			ev(x, "TCPAbortOnClose (closed with unread data): +%" PRIu64 " %s", ocd,
			   window(f, wb, sizeof(wb)));
		else
			ev(x, "TCPAbortOnClose (closed with unread data): %" PRIu64 " since boot", oc);
	}
	if (delta_of(f, FC_OUT_RSTS, &rst))
		ev(x, "RSTs sent: +%" PRIu64 " %s", rst, window(f, wb, sizeof(wb)));
	if (d > 0 && rate >= ADV_ABORT_WARN_PER_SEC)
		x->sev = TW_SEV_WARNING;
	else if (d > 0 || (total > 0 && !f->interval_ns))
		x->sev = TW_SEV_INFO;
	if (x->sev == TW_SEV_OK) {
		title(x, "No abortive closes");
		return;
	}
	title(x, d > 0 ? "Connections are being reset on close (%.1f/s)"
		       : "Abortive closes happened since boot (none now)", rate);
	why(x, "SO_LINGER {1, 0} (often used to 'avoid TIME_WAIT') makes close() send a RST: no "
	       "TIME_WAIT on either side, but the peer sees 'connection reset' and in-flight data is "
	       "lost. TCPAbortOnData counts it (not TCPAbortOnLinger).");
	fix(x, "Remove SO_LINGER {l_onoff=1, l_linger=0} from the code and close normally; if "
	       "TIME_WAIT is the worry, let the client close first or pool connections.");
	fix(x, "For TCPAbortOnClose: read the request to EOF (or shutdown(SHUT_WR) and drain) before "
	       "close().");
}

static void rule_tw_count_mismatch(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;
	uint64_t ss, tw, fw2;

	if (!c->have)
		return unknown(x, "socket census");
	if (!f->have_sockstat)
		return unknown(x, "/proc/net/sockstat");
	ss = f->sockstat.tcp_tw;
	tw = census_tw(f);
	fw2 = c->fw2_orphan;
	kv_num(x, "sockstat_tw", (double)ss);
	kv_num(x, "time_wait", (double)tw);
	kv_num(x, "fin_wait2_mini", (double)fw2);
	ev(x, "sockstat tw %" PRIu64 "; census: %" PRIu64 " TIME_WAIT + %" PRIu64
	      " FIN_WAIT2 mini-sockets = %" PRIu64, ss, tw, fw2, sat_add(tw, fw2));
	if (ss == tw) {
		title(x, "sockstat, ss and the census agree (%" PRIu64 " TIME_WAIT)", tw);
		return;
	}
	x->sev = TW_SEV_INFO;
	if (ss == sat_add(tw, fw2))
		title(x, "sockstat says %" PRIu64 ", ss state time-wait says %" PRIu64 ": the %" PRIu64
			 " extra are FIN_WAIT2 mini-sockets", ss, tw, fw2);
	else
		title(x, "sockstat tw (%" PRIu64 ") and the census (%" PRIu64 ") differ: sockets changed "
			 "during the dump", ss, sat_add(tw, fw2));
	why(x, "sockstat 'tw' counts timewait mini-sockets of this namespace, FIN_WAIT2 orphans "
	       "included; 'ss state time-wait' and netstat list true TIME_WAIT only, each in the "
	       "namespace it runs in; /proc/slabinfo tw_sock_TCP is global and approximate.");
	fix(x, "Compare like with like: ss -tan state time-wait state fin-wait-2 in the same namespace "
	       "(ip netns exec NAME ...), or twscope stat --netns NAME.");
}

/* One sysctl of the namespace against the host: both present, as integers. */
static bool drift_pair(const struct tw_facts *f, enum facts_sysctl_id id, int64_t *ret_ns, int64_t *ret_host)
{
	const struct facts_nsref *h = &f->nsref;
	char *end;

	if (!h->host_present[id] || !facts_sysctl_int(f, id, ret_ns))
		return false;
	errno = 0;
	*ret_host = strtoll(h->host_value[id], &end, 10);
	return errno == 0 && end != h->host_value[id] && *end == '\0';
}

static bool drift_range(const struct tw_facts *f, uint32_t *ret_ns, uint32_t *ret_host)
{
	const struct facts_nsref *h = &f->nsref;
	const struct facts_sysctl *s = &f->sysctl[FS_PORT_RANGE];
	unsigned int a, b, c, d;

	if (!h->host_present[FS_PORT_RANGE] || !s->present ||
	    sscanf(s->value, "%u %u", &a, &b) != 2 || sscanf(h->host_value[FS_PORT_RANGE], "%u %u", &c, &d) != 2 ||
	    b < a || d < c)
		return false;
	*ret_ns = b - a + 1;
	*ret_host = d - c + 1;
	return true;
}

/* The same sysctl=value settings, said the way this namespace's runtime takes them. */
static void drift_fix(const struct tw_facts *f, struct advice_finding *x, const char *settings)
{
	const struct facts_nsref *h = &f->nsref;

	if (h->kubernetes) {
		fix(x, "In the pod spec: securityContext.sysctls with %s (ip_local_port_range is a safe "
		       "sysctl; the others must be allowed first with kubelet --allowed-unsafe-sysctls=NAME,...).",
		    settings);
	} else if (strcmp(h->runtime, "docker") == 0) {
		fix(x, "Recreate the container with docker run --sysctl for each of %s (compose: sysctls:).",
		    settings);
	} else if (strcmp(h->runtime, "podman") == 0) {
		fix(x, "Recreate the container with podman run --sysctl for each of %s.", settings);
	} else if (strcmp(h->runtime, "containerd") == 0 || strcmp(h->runtime, "cri-o") == 0) {
		fix(x, "Set %s in the container's OCI spec (linux.sysctl) through whatever creates it.", settings);
	}
	if (h->enter[0])
		fix(x, "Now, until it is recreated: %s sysctl -w for each of %s (lost when the namespace goes).",
		    h->enter, settings);
}

static void rule_sysctl_drift(const struct tw_facts *f, struct advice_finding *x)
{
	const struct facts_census *c = &f->census;
	char settings[ADV_TEXT_LEN] = "";
	size_t len = 0;
	uint32_t ns_range, host_range;
	int64_t ns, host;
	bool client = c->have && (c->tw_client > 0 || c->n_dests > 0);

	if (!f->nsref.have_host) {
		title(x, "Compared with the host's sysctls only by doctor -A");
		return;
	}
	if (f->nsref.is_host) {
		title(x, "The host namespace: the reference for the others");
		return;
	}
#define DRIFT_SET(...) \
	(len += (size_t)snprintf(settings + len, len < sizeof(settings) ? sizeof(settings) - len : 0, \
				 __VA_ARGS__), len = len < sizeof(settings) ? len : sizeof(settings) - 1)
	if (drift_range(f, &ns_range, &host_range) && ns_range < host_range) {
		kv_num(x, "port_range_size", ns_range);
		kv_num(x, "host_port_range_size", host_range);
		ev(x, "ip_local_port_range here \"%s\" (%u ports), on the host \"%s\" (%u ports)",
		   f->sysctl[FS_PORT_RANGE].value, ns_range, f->nsref.host_value[FS_PORT_RANGE], host_range);
		if (client)
			x->sev = TW_SEV_WARNING;
		DRIFT_SET("%snet.ipv4.ip_local_port_range=\"%s\"", len ? ", " : "", f->nsref.host_value[FS_PORT_RANGE]);
	}
	if (drift_pair(f, FS_TW_REUSE, &ns, &host) && host == 1 && ns != 1) {
		kv_num(x, "tcp_tw_reuse", (double)ns);
		kv_num(x, "host_tcp_tw_reuse", (double)host);
		ev(x, "tcp_tw_reuse here %" PRId64 ", on the host %" PRId64 "%s", ns, host,
		   ns == 2 ? " (2 = loopback only, the kernel default)" : "");
		if (c->have && c->tw_client > 0)
			x->sev = TW_SEV_WARNING;
		DRIFT_SET("%snet.ipv4.tcp_tw_reuse=1", len ? ", " : "");
	}
	if (drift_pair(f, FS_TIMESTAMPS, &ns, &host) && host != 0 && ns == 0) {
		kv_num(x, "tcp_timestamps", (double)ns);
		kv_num(x, "host_tcp_timestamps", (double)host);
		ev(x, "tcp_timestamps here 0, on the host %" PRId64 ": tcp_tw_reuse cannot work here", host);
		if (c->have && c->tw_client > 0)
			x->sev = TW_SEV_WARNING;
		DRIFT_SET("%snet.ipv4.tcp_timestamps=%" PRId64, len ? ", " : "", host);
	}
	if (drift_pair(f, FS_MAX_TW_BUCKETS, &ns, &host) && ns < host) {
		kv_num(x, "tcp_max_tw_buckets", (double)ns);
		kv_num(x, "host_tcp_max_tw_buckets", (double)host);
		ev(x, "tcp_max_tw_buckets here %" PRId64 ", on the host %" PRId64, ns, host);
		if (f->have_sockstat && ns > 0 && f->sockstat.tcp_tw * 2 >= (uint64_t)ns)
			x->sev = TW_SEV_WARNING;
		DRIFT_SET("%snet.ipv4.tcp_max_tw_buckets=%" PRId64, len ? ", " : "", host);
	}
#undef DRIFT_SET
	if (!x->n_evidence) {
		title(x, "Same TIME_WAIT sysctls as the host (or better)");
		return;
	}
	if (x->sev == TW_SEV_OK)
		x->sev = TW_SEV_INFO;
	kv_str(x, "runtime", f->nsref.runtime[0] ? f->nsref.runtime : "none");
	title(x, "%zu TIME_WAIT sysctl(s) here are not the host's%s", x->n_evidence,
	      x->sev == TW_SEV_WARNING ? " and this namespace needs them" : "");
	why(x, "A new network namespace starts from the kernel's defaults, not from the host's values "
	       "or /etc/sysctl.conf: what was tuned on the host does not reach containers and pods.");
	drift_fix(f, x, settings);
}

typedef void (*rule_fn)(const struct tw_facts *f, struct advice_finding *x);

#define RULE(fn, id, title, ref) rule_##fn,
static const rule_fn rule_fns[] = {
#include "doctor/rules.def"
};
#undef RULE

enum tw_sev advice_overall(const struct advice_report *r)
{
	enum tw_sev worst = TW_SEV_OK;

	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		if (r->findings[i].sev > worst)
			worst = r->findings[i].sev;
	return worst == TW_SEV_INFO ? TW_SEV_OK : worst;
}

void advice_eval(const struct tw_facts *f, struct advice_report *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		struct advice_finding *x = &ret->findings[i];

		x->id = rules[i].id;
		x->reference = rules[i].ref;
		x->sev = TW_SEV_OK;
		snprintf(x->title, sizeof(x->title), "%s", rules[i].title);
		rule_fns[i](f, x);
		ret->counts[x->sev]++;
	}
	ret->overall = advice_overall(ret);
}

const struct advice_finding *advice_find(const struct advice_report *r, const char *id)
{
	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			return &r->findings[i];
	return NULL;
}
