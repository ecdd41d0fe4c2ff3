// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prometheus text exposition (format 0.0.4) of a scrape: one # HELP / # TYPE
 * per family with all its samples together, base units, _total counters,
 * escaped label values and bounded cardinality (top-K destinations only).
 * Renders only: the numbers come from scrape.c.
 */
#include "output-prom.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"
#include "census.h"
#include "conntrack/conntrack.h"
#include "ksettings.h"
#include "outlook.h"
#include "safetext.h"
#include "serve/nsscrape.h"
#include "serve/scrape.h"

/* Kernel counter -> metric name (docs/serve.md lists the mapping). */
static const struct {
	const char *kernel;
	const char *metric;
	const char *help;
} counter_map[] = {
	{ "TcpExt.TW", "twscope_tcpext_tw_total",
	  "TIME_WAIT and FIN_WAIT2 mini-sockets scheduled with a timeout over 4 s (TcpExt.TW)" },
	{ "TcpExt.TWKilled", "twscope_tcpext_tw_killed_total",
	  "mini-sockets scheduled with a timeout of 4 s or less (TcpExt.TWKilled)" },
	{ "TcpExt.TWRecycled", "twscope_tcpext_tw_recycled_total",
	  "connect() calls that took over a TIME_WAIT 4-tuple (TcpExt.TWRecycled)" },
	{ "TcpExt.TCPTimeWaitOverflow", "twscope_tcpext_tcp_timewait_overflow_total",
	  "connections closed without TIME_WAIT because tcp_max_tw_buckets was reached (TcpExt.TCPTimeWaitOverflow)" },
	{ "TcpExt.PAWSActive", "twscope_tcpext_paws_active_total",
	  "SYN-ACKs rejected by PAWS (TcpExt.PAWSActive)" },
	{ "TcpExt.PAWSEstab", "twscope_tcpext_paws_estab_total",
	  "segments rejected by PAWS on established sockets (TcpExt.PAWSEstab)" },
	{ "TcpExt.PAWSTimewait", "twscope_tcpext_paws_timewait_total",
	  "segments to TIME_WAIT sockets rejected by PAWS (TcpExt.PAWSTimewait, Linux 6.16+)" },
	{ "TcpExt.TCPACKSkippedTimeWait", "twscope_tcpext_tcp_ack_skipped_timewait_total",
	  "TIME_WAIT duplicate ACKs suppressed by tcp_invalid_ratelimit (TcpExt.TCPACKSkippedTimeWait)" },
	{ "TcpExt.TCPAbortOnData", "twscope_tcpext_tcp_abort_on_data_total",
	  "connections reset on close with linger 0 or data after close (TcpExt.TCPAbortOnData)" },
	{ "TcpExt.TCPAbortOnClose", "twscope_tcpext_tcp_abort_on_close_total",
	  "connections reset by close() with unread data (TcpExt.TCPAbortOnClose)" },
	{ "TcpExt.TCPAbortOnMemory", "twscope_tcpext_tcp_abort_on_memory_total",
	  "connections reset under orphan or memory pressure (TcpExt.TCPAbortOnMemory)" },
	{ "TcpExt.TCPAbortOnTimeout", "twscope_tcpext_tcp_abort_on_timeout_total",
	  "connections reset after retransmission timeouts (TcpExt.TCPAbortOnTimeout)" },
	{ "TcpExt.TCPAbortOnLinger", "twscope_tcpext_tcp_abort_on_linger_total",
	  "connections reset in FIN_WAIT2 with TCP_LINGER2 < 0 (TcpExt.TCPAbortOnLinger)" },
	{ "TcpExt.TCPSynRetrans", "twscope_tcpext_tcp_syn_retrans_total",
	  "SYN retransmissions (TcpExt.TCPSynRetrans)" },
	{ "Tcp.ActiveOpens", "twscope_tcp_active_opens_total",
	  "connect() calls that sent a SYN (Tcp.ActiveOpens)" },
	{ "Tcp.PassiveOpens", "twscope_tcp_passive_opens_total",
	  "connections accepted by listeners (Tcp.PassiveOpens)" },
	{ "Tcp.AttemptFails", "twscope_tcp_attempt_fails_total",
	  "failed connection attempts (Tcp.AttemptFails)" },
	{ "Tcp.EstabResets", "twscope_tcp_estab_resets_total",
	  "resets received in ESTABLISHED or CLOSE_WAIT (Tcp.EstabResets)" },
	{ "Tcp.OutRsts", "twscope_tcp_out_rsts_total",
	  "RST segments sent (Tcp.OutRsts)" },
};

static const char *const fam_names[TW_FAM_MAX] = { "ipv4", "ipv6" };

/* Label values are UTF-8 (format 0.0.4): a byte that is not becomes U+FFFD. */
void prom_escape_label(FILE *f, const char *v)
{
	size_t n = strlen(v);

	for (size_t i = 0; i < n;) {
		size_t l = safetext_utf8_len(v + i, n - i, NULL);

		if (l == 0) {
			fputs("\xef\xbf\xbd", f);
			l = 1;
		} else if (v[i] == '\\') {
			fputs("\\\\", f);
		} else if (v[i] == '"') {
			fputs("\\\"", f);
		} else if (v[i] == '\n') {
			fputs("\\n", f);
		} else {
			fwrite(v + i, 1, l, f);
		}
		i += l;
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A float in the C locale; integral values without an exponent. */
static void put_double(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (v == floor(v) && fabs(v) < 9007199254740992.0)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.9g", v);
}

static void gauge_u64(FILE *f, const char *name, const char *help, uint64_t v)
{
	family(f, name, "gauge", help);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void render_sockets(FILE *f, const struct census *c)
{
	static const char *const sides[TW_SIDE_MAX] = { "client", "server", "unknown" };

	family(f, "twscope_sockets", "gauge", "TCP sockets by state and address family");
	for (unsigned int st = TW_ESTABLISHED; st < TW_BOUND_INACTIVE; st++)
		for (int fam = 0; fam < TW_FAM_MAX; fam++)
			fprintf(f, "twscope_sockets{state=\"%s\",family=\"%s\"} %" PRIu64 "\n",
				tcpstate_name(st), fam_names[fam], c->states[fam][st]);
	family(f, "twscope_time_wait_sockets", "gauge",
	       "TIME_WAIT sockets by the side that closed first (client: ephemeral local port)");
	for (int s = 0; s < TW_SIDE_MAX; s++)
		fprintf(f, "twscope_time_wait_sockets{side=\"%s\"} %" PRIu64 "\n", sides[s], c->tw_side[s]);
	gauge_u64(f, "twscope_fin_wait2_orphans",
		  "orphaned FIN_WAIT2 mini-sockets (closed by the application, counted in sockstat tw)",
		  c->fw2_orphan);
}

static void render_timer_histogram(FILE *f, const struct census *c)
{
	const char *n = "twscope_time_wait_remaining_seconds";
	uint64_t cum = 0;
	double sum = 0;

	family(f, n, "histogram",
	       "remaining TIME_WAIT time of each socket in 5 s buckets; _sum is approximate (bucket midpoints)");
	for (int i = 0; i < TW_TIMER_BUCKETS; i++) {
		cum += c->tw_timer[i];
		sum += (double)c->tw_timer[i] * ((i + 0.5) * TW_TIMER_BUCKET_MS / 1000.0);
		fprintf(f, "%s_bucket{le=\"%d\"} %" PRIu64 "\n", n, (i + 1) * TW_TIMER_BUCKET_MS / 1000, cum);
	}
	fprintf(f, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n%s_sum ", n, cum, n);
	put_double(f, sum);
	fprintf(f, "\n%s_count %" PRIu64 "\n", n, cum);
}

static void render_ports(FILE *f, const struct census *c)
{
	family(f, "twscope_ephemeral_ports", "gauge",
	       "ephemeral ports: range size, reserved and listening inside it, usable for connect()");
	fprintf(f, "twscope_ephemeral_ports{kind=\"range\"} %" PRIu32 "\n", c->range_size);
	fprintf(f, "twscope_ephemeral_ports{kind=\"reserved\"} %" PRIu32 "\n", c->reserved_in_range);
	fprintf(f, "twscope_ephemeral_ports{kind=\"listening\"} %" PRIu32 "\n", c->listeners_in_range);
	fprintf(f, "twscope_ephemeral_ports{kind=\"usable\"} %" PRIu32 "\n", c->usable);
	gauge_u64(f, "twscope_destinations",
		  "distinct (local IP, remote IP, remote port) destinations holding local ports",
		  c->n_dests);
	gauge_u64(f, "twscope_census_truncated",
		  "1 when a census table hit its size cap and counts are incomplete", c->truncated);
}

static void dest_labels(FILE *f, const char *name, const struct census_dest *d)
{
	char l[INET6_ADDRSTRLEN], r[INET6_ADDRSTRLEN];

	fprintf(f, "%s{local=\"", name);
	prom_escape_label(f, addr_format(&d->local, l, sizeof(l)));
	fputs("\",remote=\"", f);
	prom_escape_label(f, addr_format(&d->remote, r, sizeof(r)));
	fprintf(f, "\",remote_port=\"%u\"} ", d->remote_port);
}

static void render_destinations(FILE *f, const struct census *c, size_t top)
{
	size_t n = c->n_dests < top ? c->n_dests : top;

	if (!n)
		return;
	family(f, "twscope_destination_ports_used", "gauge",
	       "local ports held toward a destination (any state holding a port), busiest destinations only");
	for (size_t i = 0; i < n; i++) {
		dest_labels(f, "twscope_destination_ports_used", &c->dests[i]);
		fprintf(f, "%" PRIu64 "\n", c->dests[i].held);
	}
	family(f, "twscope_destination_time_wait_sockets", "gauge",
	       "TIME_WAIT sockets toward a destination, busiest destinations only");
	for (size_t i = 0; i < n; i++) {
		dest_labels(f, "twscope_destination_time_wait_sockets", &c->dests[i]);
		fprintf(f, "%" PRIu64 "\n", c->dests[i].time_wait);
	}
	family(f, "twscope_destination_ports_usable", "gauge",
	       "ephemeral ports usable toward a destination (range - reserved - listening)");
	for (size_t i = 0; i < n; i++) {
		dest_labels(f, "twscope_destination_ports_usable", &c->dests[i]);
		fprintf(f, "%" PRIu32 "\n", c->usable);
	}
	family(f, "twscope_destination_port_utilization_ratio", "gauge",
	       "ports used / ports usable toward a destination (1 = exhausted)");
	for (size_t i = 0; i < n; i++) {
		dest_labels(f, "twscope_destination_port_utilization_ratio", &c->dests[i]);
		put_double(f, c->usable ? (double)c->dests[i].held / c->usable : 1.0);
		fputc('\n', f);
	}
	family(f, "twscope_destination_close_rate", "gauge",
	       "closes per second toward a destination over the last 10 s, read off the TIME_WAIT timers");
	for (size_t i = 0; i < n; i++) {
		dest_labels(f, "twscope_destination_close_rate", &c->dests[i]);
		put_double(f, census_close_rate(&c->dests[i].closes, TW_CLOSE_RECENT));
		fputc('\n', f);
	}
	family(f, "twscope_destination_projected_utilization_ratio", "gauge",
	       "ports used / usable once TIME_WAIT fills at the rate sustained over the last 10 s");
	for (size_t i = 0; i < n; i++) {
		const struct census_dest *d = &c->dests[i];
		struct tw_outlook ol;

		outlook_compute(&d->closes, d->held, d->time_wait, c->usable, &ol);
		dest_labels(f, "twscope_destination_projected_utilization_ratio", d);
		put_double(f, c->usable ? ol.projected_util_pct / 100.0 : 1.0);
		fputc('\n', f);
	}
}

static void render_sockstat(FILE *f, const struct tw_sockstat *ss)
{
	if (ss->have_tcp) {
		gauge_u64(f, "twscope_sockstat_tcp_inuse",
			  "TCP sockets in use, TIME_WAIT excluded (sockstat, per netns)", ss->tcp_inuse);
		gauge_u64(f, "twscope_sockstat_tcp_tw",
			  "TIME_WAIT plus FIN_WAIT2 mini-sockets (sockstat tw, per netns)", ss->tcp_tw);
		gauge_u64(f, "twscope_sockstat_tcp_orphan", "orphaned TCP sockets (sockstat, host-wide)",
			  ss->tcp_orphan);
		gauge_u64(f, "twscope_sockstat_tcp_alloc", "allocated TCP sockets (sockstat, host-wide)",
			  ss->tcp_alloc);
		gauge_u64(f, "twscope_sockstat_tcp_mem_pages",
			  "pages used by TCP buffers (sockstat mem, host-wide)", ss->tcp_mem_pages);
	}
	if (ss->have_tcp6)
		gauge_u64(f, "twscope_sockstat_tcp6_inuse", "TCPv6 sockets in use (sockstat6, per netns)",
			  ss->tcp6_inuse);
}

static void render_counters(FILE *f, const struct tw_counters *cs)
{
	for (size_t i = 0; i < sizeof(counter_map) / sizeof(counter_map[0]); i++) {
		uint64_t v;

		if (!tw_counters_get(cs, counter_map[i].kernel, &v))
			continue;
		family(f, counter_map[i].metric, "counter", counter_map[i].help);
		fprintf(f, "%s %" PRIu64 "\n", counter_map[i].metric, v);
	}
}

static void render_sysctls(FILE *f, const struct scrape_result *s)
{
	if (!s->n_sysctls)
		return;
	family(f, "twscope_sysctl", "gauge", "TIME_WAIT-related sysctls of the measured network namespace");
	for (size_t i = 0; i < s->n_sysctls; i++) {
		fputs("twscope_sysctl{name=\"", f);
		prom_escape_label(f, s->sysctls[i].name);
		fprintf(f, "\"} %" PRId64 "\n", s->sysctls[i].value);
	}
}

static const char *ct_proto_label(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : p == IPPROTO_SCTP ? "sctp" : "other";
}

static void snat_labels(FILE *f, const char *name, const struct ct_group_view *v)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];

	fprintf(f, "%s{nat_source=\"%s\",destination=\"%s\",destination_port=\"%u\",protocol=\"%s\"} ",
		name, addr_format(&v->g.key.nat_src, src, sizeof(src)),
		addr_format(&v->g.key.dst, dst, sizeof(dst)), v->g.key.dport, ct_proto_label(v->g.key.l4proto));
}

/* The SNAT groups: the busiest top (most used first), like destinations. */
static void render_snat_groups(FILE *f, const struct ct_report *r, size_t top)
{
	size_t n = r->n_groups < top ? r->n_groups : top;

	gauge_u64(f, "twscope_conntrack_snat_groups",
		  "distinct SNAT groups (translated source IP, destination IP, port, protocol) in conntrack",
		  r->n_groups);
	if (!n)
		return;
	family(f, "twscope_conntrack_snat_ports_used", "gauge",
	       "conntrack entries (= translated source ports) held by a SNAT group, busiest groups only");
	for (size_t i = 0; i < n; i++) {
		snat_labels(f, "twscope_conntrack_snat_ports_used", &r->groups[i]);
		fprintf(f, "%" PRIu64 "\n", r->groups[i].g.held);
	}
	family(f, "twscope_conntrack_snat_time_wait_entries", "gauge",
	       "entries of a SNAT group in conntrack TIME_WAIT, busiest groups only");
	for (size_t i = 0; i < n; i++) {
		snat_labels(f, "twscope_conntrack_snat_time_wait_entries", &r->groups[i]);
		fprintf(f, "%" PRIu64 "\n", r->groups[i].g.time_wait);
	}
	family(f, "twscope_conntrack_snat_pool_ports", "gauge",
	       "ports in a SNAT group's pool (the rule's range or the kernel's default; absent when unknown)");
	for (size_t i = 0; i < n; i++) {
		if (!r->groups[i].pool.size)
			continue;
		snat_labels(f, "twscope_conntrack_snat_pool_ports", &r->groups[i]);
		fprintf(f, "%" PRIu32 "\n", r->groups[i].pool.size);
	}
	family(f, "twscope_conntrack_snat_pool_utilization_ratio", "gauge",
	       "ports used / ports in the pool of a SNAT group (1 = exhausted)");
	for (size_t i = 0; i < n; i++) {
		if (!r->groups[i].pool.size)
			continue;
		snat_labels(f, "twscope_conntrack_snat_pool_utilization_ratio", &r->groups[i]);
		put_double(f, r->groups[i].util_pct / 100.0);
		fputc('\n', f);
	}
}

/* conntrack of the netns: size, entries per TCP state and protocol, per-CPU statistics, SNAT groups. */
static void render_conntrack(FILE *f, const struct ct_report *r, size_t top)
{
	const struct ct_settings *st = &r->settings;

	if (st->loaded)
		gauge_u64(f, "twscope_conntrack_entries", "conntrack entries (nf_conntrack_count, per netns)",
			  st->count);
	if (st->have_max)
		gauge_u64(f, "twscope_conntrack_max", "conntrack table limit (nf_conntrack_max)", st->max);
	if (st->have_buckets)
		gauge_u64(f, "twscope_conntrack_buckets", "conntrack hash buckets (nf_conntrack_buckets)",
			  st->buckets);
	if (r->stats.have) {
		family(f, "twscope_conntrack_stat_total", "counter",
		       "conntrack per-CPU statistics summed over CPUs (/proc/net/stat/nf_conntrack)");
		for (size_t i = 0; i < CT_STAT_MAX; i++)
			if (r->stats.present[i])
				fprintf(f, "twscope_conntrack_stat_total{stat=\"%s\"} %" PRIu64 "\n",
					ct_stat_name((enum ct_stat_id)i), r->stats.value[i]);
	}
	gauge_u64(f, "twscope_conntrack_dump_success",
		  "1 when the conntrack entries could be dumped (needs CAP_NET_ADMIN)", r->have_census);
	if (!r->have_census)
		return;
	family(f, "twscope_conntrack_tcp_entries", "gauge", "TCP conntrack entries per conntrack TCP state");
	for (size_t i = CT_TCP_SYN_SENT; i < CT_TCP_MAX; i++)
		fprintf(f, "twscope_conntrack_tcp_entries{state=\"%s\"} %" PRIu64 "\n",
			ct_tcp_state_name((enum ct_tcp_state)i), r->census.tcp[i]);
	family(f, "twscope_conntrack_protocol_entries", "gauge", "conntrack entries per protocol");
	for (size_t i = 0; i < CT_PROTO_MAX; i++)
		fprintf(f, "twscope_conntrack_protocol_entries{protocol=\"%s\"} %" PRIu64 "\n",
			ct_proto_name((enum ct_proto)i), r->census.proto[i]);
	render_snat_groups(f, r, top);
}

int prom_render(FILE *f, const struct scrape_result *s, const struct prom_opts *o)
{
	const struct census *c = s->census.census;

	family(f, "twscope_build_info", "gauge", "twscope version; the value is always 1");
	fputs("twscope_build_info{version=\"", f);
	prom_escape_label(f, o->version ? o->version : "unknown");
	fputs("\"} 1\n", f);
	if (c) {
		render_sockets(f, c);
		render_timer_histogram(f, c);
		render_ports(f, c);
		render_destinations(f, c, o->top_destinations);
		if (!s->census.sockstat_err)
			render_sockstat(f, &s->census.sockstat);
	}
	if (s->counters)
		render_counters(f, s->counters);
	render_sysctls(f, s);
	if (s->ct)
		render_conntrack(f, s->ct, o->top_destinations);
	if (o->serve) {
		gauge_u64(f, "twscope_scrape_success", "1 when this scrape's census succeeded", c != NULL);
		family(f, "twscope_scrape_duration_seconds", "gauge",
		       "time taken to collect the census, counters and sysctls of this scrape");
		fputs("twscope_scrape_duration_seconds ", f);
		put_double(f, o->scrape_duration_sec);
		fputc('\n', f);
		family(f, "twscope_scrape_errors_total", "counter", "scrapes whose census failed since start");
		fprintf(f, "twscope_scrape_errors_total %" PRIu64 "\n", o->scrape_errors);
	}
	return ferror(f) ? -EIO : 0;
}

int prom_render_findings(FILE *f, const struct prom_finding *findings, size_t n)
{
	if (!n)
		return 0;
	family(f, "twscope_finding", "gauge", "doctor findings that are not ok; value is always 1");
	for (size_t i = 0; i < n; i++) {
		fputs("twscope_finding{id=\"", f);
		prom_escape_label(f, findings[i].id);
		fputs("\",severity=\"", f);
		prom_escape_label(f, findings[i].severity);
		fputs("\"} 1\n", f);
	}
	return ferror(f) ? -EIO : 0;
}

static void netns_sample(FILE *f, const char *name, const struct nsscrape_labels *l)
{
	fprintf(f, "%s{netns=\"", name);
	prom_escape_label(f, l->netns);
	fputs("\",inode=\"", f);
	prom_escape_label(f, l->inode);
	fputs("\",runtime=\"", f);
	prom_escape_label(f, l->runtime);
	fputs("\",container=\"", f);
	prom_escape_label(f, l->container);
	fputs("\",pod=\"", f);
	prom_escape_label(f, l->pod);
	fputs("\",pod_namespace=\"", f);
	prom_escape_label(f, l->pod_namespace);
	fputs("\"} ", f);
}

enum netns_metric { NM_SOCKETS, NM_TIME_WAIT, NM_CLOSE_WAIT, NM_USABLE, NM_UTIL };

/* One family: the rows, then other, each only where it has the value. */
static void netns_family(FILE *f, const struct nsscrape *s, const char *name, const char *help,
			 enum netns_metric what)
{
	size_t n = s->n_rows + s->have_other;
	bool any = false;

	for (size_t i = 0; i < n; i++) {
		const struct nsscrape_row *r = i < s->n_rows ? &s->rows[i] : &s->other;
		bool other = i >= s->n_rows;

		if ((what == NM_CLOSE_WAIT && (other || !r->walked)) || (what == NM_USABLE && other) ||
		    (what == NM_UTIL && !r->have_util))
			continue;
		if (!any)
			family(f, name, "gauge", help);
		any = true;
		netns_sample(f, name, &r->labels);
		switch (what) {
		case NM_SOCKETS:
			fprintf(f, "%" PRIu64 "\n", r->sockets);
			break;
		case NM_TIME_WAIT:
			fprintf(f, "%" PRIu64 "\n", r->time_wait);
			break;
		case NM_CLOSE_WAIT:
			fprintf(f, "%" PRIu64 "\n", r->close_wait);
			break;
		case NM_USABLE:
			fprintf(f, "%" PRIu32 "\n", r->usable);
			break;
		default:
			put_double(f, r->worst_util);
			fputc('\n', f);
		}
	}
}

int prom_render_netns(FILE *f, const struct nsscrape *s)
{
	netns_family(f, s, "twscope_netns_sockets",
		     "TCP sockets per network namespace (census, or sockstat inuse + tw when not walked); "
		     "netns=\"other\" sums the namespaces beyond the top K", NM_SOCKETS);
	netns_family(f, s, "twscope_netns_time_wait_sockets",
		     "TIME_WAIT sockets per network namespace (census, or sockstat tw when not walked)", NM_TIME_WAIT);
	netns_family(f, s, "twscope_netns_close_wait_sockets",
		     "CLOSE_WAIT sockets per walked network namespace", NM_CLOSE_WAIT);
	netns_family(f, s, "twscope_netns_ephemeral_ports_usable",
		     "usable ephemeral ports per network namespace (range - reserved - listening)", NM_USABLE);
	netns_family(f, s, "twscope_netns_destination_port_utilization_ratio",
		     "ports used / usable toward the busiest destination of a walked namespace "
		     "(other: the highest of the rest)", NM_UTIL);
	family(f, "twscope_netns_namespaces", "gauge",
	       "network namespaces: found, walked (census taken), skipped (not enterable), other (aggregated)");
	fprintf(f, "twscope_netns_namespaces{kind=\"found\"} %zu\n", s->n_seen);
	fprintf(f, "twscope_netns_namespaces{kind=\"walked\"} %zu\n", s->n_walked);
	fprintf(f, "twscope_netns_namespaces{kind=\"skipped\"} %zu\n", s->n_skipped);
	fprintf(f, "twscope_netns_namespaces{kind=\"other\"} %zu\n", s->n_other);
	gauge_u64(f, "twscope_netns_enumeration_capped",
		  "1 when the namespace enumeration hit its count or time limit", s->capped);
	return ferror(f) ? -EIO : 0;
}
