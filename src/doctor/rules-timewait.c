// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TIME_WAIT rules of doctor: the bucket limit, what tcp_tw_reuse,
 * tcp_tw_recycle and tcp_fin_timeout can and cannot do, PAWS rejects, which
 * side holds the TIME_WAIT and why tools count them differently.
 */
#include "doctor/advice-build.h"

#include <inttypes.h>
#include <string.h>

#include "output.h"
#include "tcpstate.h"

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


void rule_tw_bucket_overflow(const struct tw_facts *f, struct advice_finding *x)
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

void rule_tw_reuse_ineffective(const struct tw_facts *f, struct advice_finding *x)
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

void rule_tw_recycle(const struct tw_facts *f, struct advice_finding *x)
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

void rule_fin_timeout_myth(const struct tw_facts *f, struct advice_finding *x)
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

void rule_paws_rejects(const struct tw_facts *f, struct advice_finding *x)
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

void rule_server_side_timewait(const struct tw_facts *f, struct advice_finding *x)
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

void rule_unknown_side(const struct tw_facts *f, struct advice_finding *x)
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

void rule_tw_count_mismatch(const struct tw_facts *f, struct advice_finding *x)
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
