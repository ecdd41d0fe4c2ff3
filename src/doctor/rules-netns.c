// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The namespace rule of doctor: TIME_WAIT sysctls of a network namespace
 * that differ from the host's, and how to carry them into it. Pure: no I/O,
 * no printing.
 */
#include "doctor/advice-build.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

void rule_sysctl_drift(const struct tw_facts *f, struct advice_finding *x)
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
