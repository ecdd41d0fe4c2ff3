// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The port rules of doctor: ephemeral ports toward one destination running
 * out (with the rates, the program holding them and its recipe) and the
 * usable local port range. Pure: no I/O, no printing.
 */
#include "doctor/advice-build.h"

#include <inttypes.h>

#include "doctor/recipes.h"
#include "outlook.h"

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
		snprintf(buf, len, "up to 1 s (fixed on this kernel: the next whole second after its last "
			 "timestamp; the tcp_tw_reuse_delay sysctl came in %s)",
			 since(KCHANGE_TW_REUSE_DELAY, sn, sizeof(sn)));
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

void rule_port_exhaustion(const struct tw_facts *f, struct advice_finding *x)
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

void rule_port_range(const struct tw_facts *f, struct advice_finding *x)
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
