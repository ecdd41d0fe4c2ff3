// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rules of doctor about how sockets close: CLOSE_WAIT the application
 * never closes, orphaned FIN_WAIT2 and abortive closes (RST instead of FIN).
 * Pure: no I/O, no printing.
 */
#include "doctor/advice-build.h"

#include <inttypes.h>

#include "tcpstate.h"

void rule_close_wait_leak(const struct tw_facts *f, struct advice_finding *x)
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

void rule_fin_wait2_orphans(const struct tw_facts *f, struct advice_finding *x)
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

void rule_abortive_closes(const struct tw_facts *f, struct advice_finding *x)
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
