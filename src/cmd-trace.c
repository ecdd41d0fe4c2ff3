// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope trace: live attribution of TCP closes (active, passive, abortive)
 * and of EADDRNOTAVAIL/EADDRINUSE failures to processes, via eBPF. Collects
 * through tracer.c, aggregates here, renders a table, JSON or NDJSON.
 */
#include "twscope.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf/twtrace.h"
#include "log.h"
#include "map.h"
#include "netns.h"
#include "util.h"
#if TW_HAVE_BPF
#include "tracer.h"
#endif

#define DEFAULT_INTERVAL_NS (2 * NSEC_PER_SEC)
#define POLL_MS 100
#define MAX_NETNS_NAMES 256
#define MAX_CW_GROUPS 1024
#define MAX_ROWS_TTY_FALLBACK 40
#define ACC_MAX 65536

struct trace_args {
	uint32_t pid;
	const char *comm;
	uint16_t port;
	const char *netns;
	uint64_t interval_ns;
	uint64_t duration_ns;
	bool has_interval;
	bool json;
	bool events;
	bool no_header;
	bool wide;
};

static struct trace_args args;
static volatile sig_atomic_t stop_requested;

static void print_help(void)
{
	printf("usage: twscope trace [options]\n\n"
	       "Attribute TCP closes and port-exhaustion errors to processes, live (eBPF).\n\n"
	       "Counts, per process (pid, comm, cgroup), network namespace and endpoint:\n"
	       "  active_close           ESTABLISHED -> FIN_WAIT1: this side closes first\n"
	       "                         and will hold the TIME_WAIT socket\n"
	       "  passive_close          CLOSE_WAIT -> LAST_ACK: closed after the peer\n"
	       "  close_wait             the peer's FIN arrived (softirq: no owner);\n"
	       "                         sockets still in CLOSE_WAIT are listed apart\n"
	       "  abort                  RST sent on close: SO_LINGER{1,0} (linger0) or\n"
	       "                         unread data (unread); no TIME_WAIT is left\n"
	       "  connect_eaddrnotavail  connect() failed: no free local port\n"
	       "  bind_eaddrinuse        bind() failed: address in use\n"
	       "Events seen in softirq context are not blamed on the interrupted task:\n"
	       "they are shown with COMM '[softirq]' and PID '-'.\n\n"
	       "options:\n"
	       "  -p, --pid PID          only this process (thread group id)\n"
	       "  -c, --comm NAME        only tasks whose comm is exactly NAME\n"
	       "  -P, --port PORT        only connections with this local or remote port\n"
	       "  -n, --netns NS         only sockets in this netns (name, path or PID)\n"
	       "  -i, --interval SEC     table refresh interval (default 2)\n"
	       "  -d, --duration SEC     stop after SEC seconds and print a summary\n"
	       "  -j, --json             print one JSON document at the end (schema 1)\n"
	       "  -e, --events           stream every event as NDJSON on stdout, then a\n"
	       "                         summary line; lost events are counted\n"
	       "  -H, --no-header        no table header\n"
	       "  -w, --wide             do not shorten addresses\n"
	       "  -h, --help             this help\n\n"
	       "Without --duration the table is refreshed every interval until SIGINT or\n"
	       "SIGTERM; both stop cleanly and print the final summary. Needs root or\n"
	       "CAP_BPF+CAP_PERFMON, and kernel BTF.\n\n"
	       "EXAMPLES\n"
	       "  twscope trace                          live table, refreshed every 2 s\n"
	       "  twscope trace -d 10                    who closed first during 10 s\n"
	       "  twscope trace -d 30 -j -P 443          JSON summary for port 443\n"
	       "  twscope trace -c nginx -n web1         one program in netns 'web1'\n"
	       "  twscope trace -e -d 5 | jq .kind       every event as NDJSON\n");
}

static int parse_sec(const char *s, uint64_t *ret_ns)
{
	double d;

	if (safe_atod(s, &d) < 0 || d <= 0 || d > 86400.0 * 365)
		return -EINVAL;
	*ret_ns = (uint64_t)(d * (double)NSEC_PER_SEC);
	if (*ret_ns < NSEC_PER_MSEC)
		return -EINVAL;
	return 0;
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, bool *ret_help)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "comm", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'P' },
		{ "netns", required_argument, NULL, 'n' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "events", no_argument, NULL, 'e' },
		{ "no-header", no_argument, NULL, 'H' },
		{ "wide", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t u;
	int c;

	memset(&args, 0, sizeof(args));
	args.interval_ns = DEFAULT_INTERVAL_NS;
	*ret_help = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:c:P:n:i:d:jeHwh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (safe_atou32(optarg, &u) < 0 || u == 0)
				return tw_usage(ctx, "invalid pid '%s'", optarg);
			args.pid = u;
			break;
		case 'c':
			if (!*optarg || strlen(optarg) >= TWT_COMM_LEN)
				return tw_usage(ctx, "comm '%s' must be 1 to %d bytes", optarg,
						TWT_COMM_LEN - 1);
			args.comm = optarg;
			break;
		case 'P':
			if (safe_atou32(optarg, &u) < 0 || u == 0 || u > 65535)
				return tw_usage(ctx, "invalid port '%s'", optarg);
			args.port = (uint16_t)u;
			break;
		case 'n':
			if (args.netns)
				return tw_usage(ctx, "--netns may be given once for trace");
			args.netns = optarg;
			break;
		case 'i':
			if (parse_sec(optarg, &args.interval_ns) < 0)
				return tw_usage(ctx, "invalid interval '%s'", optarg);
			args.has_interval = true;
			break;
		case 'd':
			if (parse_sec(optarg, &args.duration_ns) < 0)
				return tw_usage(ctx, "invalid duration '%s'", optarg);
			break;
		case 'j':
			args.json = true;
			break;
		case 'e':
			args.events = true;
			break;
		case 'H':
			args.no_header = true;
			break;
		case 'w':
			args.wide = true;
			break;
		case 'h':
			*ret_help = true;
			return 0;
		case ':':
			return tw_usage(ctx, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return tw_usage(ctx, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return tw_usage(ctx, "unexpected argument '%s'", argv[optind]);
	return 0;
}

#if !TW_HAVE_BPF

int cmd_trace(struct tw_ctx *ctx, int argc, char **argv)
{
	bool help;
	int r;

	r = parse_args(ctx, argc, argv, &help);
	if (r)
		return r;
	if (help) {
		print_help();
		return TW_EXIT_OK;
	}
	if (args.json)
		printf("{\"error\":\"built without BPF support\",\"code\":%d}\n", TW_EXIT_FAIL);
	tw_err(0, "built without BPF support (rebuild with 'make BPF=1')");
	return TW_EXIT_FAIL;
}

#else

/* What user space keeps per aggregation key. */
struct acc {
	uint64_t total;
	uint64_t interval;	/* since the last refresh */
};

struct netns_name {
	uint64_t ino;
	char name[NAME_MAX + 1];
};

/* CLOSE_WAIT sockets grouped like the aggregates (service port kept). */
struct cw_group {
	uint32_t netns;
	uint16_t family;
	uint16_t lport;
	uint16_t rport;
	uint8_t laddr[16];
	uint8_t raddr[16];
	uint64_t count;
	uint64_t oldest_ns;
	uint64_t ino;		/* inode of the oldest socket, for its owner */
	uint32_t owner_pid;
	char owner_comm[TWT_COMM_LEN];
};

struct trace_state {
	struct tw_ctx *ctx;
	struct tw_map *acc;
	uint64_t acc_full;
	struct netns_name names[MAX_NETNS_NAMES];
	size_t n_names;
	uint64_t host_netns;
	struct cw_group cw[MAX_CW_GROUPS];
	size_t n_cw;
	uint64_t cw_untracked;
	uint64_t start_ns;
	uint64_t end_ns;		/* 0 while running */
	uint64_t last_refresh_ns;
	uint64_t n_events;
	struct tracer_info info;
};

static void on_signal(int sig)
{
	(void) sig;
	stop_requested = 1;
}

static void libbpf_line(const char *line)
{
	tw_dbg("%s", line);
}

static const char *kind_name(unsigned int kind)
{
	static const char *const names[TWT_KIND_MAX] = {
		[TWT_ACTIVE_CLOSE] = "active_close",
		[TWT_PASSIVE_CLOSE] = "passive_close",
		[TWT_CLOSE_WAIT] = "close_wait",
		[TWT_ABORT] = "abort",
		[TWT_CONNECT_FAIL] = "connect_eaddrnotavail",
		[TWT_BIND_FAIL] = "bind_eaddrinuse",
	};

	if (kind < TWT_KIND_MAX && names[kind])
		return names[kind];
	return "unknown";
}

static const char *rst_name(unsigned int reason)
{
	static const char *const names[TWT_RST_MAX] = {
		[TWT_RST_OTHER] = "other",
		[TWT_RST_UNREAD] = "unread",
		[TWT_RST_LINGER0] = "linger0",
		[TWT_RST_LINGER2] = "linger2",
		[TWT_RST_MEMORY] = "memory",
		[TWT_RST_KEEPALIVE] = "keepalive",
		[TWT_RST_DATA] = "data_after_close",
	};

	if (reason < TWT_RST_MAX)
		return names[reason];
	return "other";
}

static void comm_copy(char *dst, const uint8_t *src)
{
	memcpy(dst, src, TWT_COMM_LEN);
	dst[TWT_COMM_LEN - 1] = '\0';
}

static void addr_str(unsigned int family, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == 10 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static uint64_t path_ino(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

/* Safe to print inside a JSON string without escaping. */
static bool is_plain_name(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s >= 0x7f || *s == '"' || *s == '\\')
			return false;
	return true;
}

/* Names of /run/netns/<name> by inode, so tables show 'web1', not 4026532xyz. */
static void load_netns_names(struct trace_state *st)
{
	DIR *d = opendir("/run/netns");
	struct dirent *de;
	char path[PATH_MAX];

	st->host_netns = path_ino("/proc/1/ns/net");
	if (!d)
		return;
	while ((de = readdir(d)) && st->n_names < MAX_NETNS_NAMES) {
		uint64_t ino;

		if (de->d_name[0] == '.' || !is_plain_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/run/netns/%s", de->d_name);
		ino = path_ino(path);
		if (!ino)
			continue;
		st->names[st->n_names].ino = ino;
		snprintf(st->names[st->n_names].name, sizeof(st->names[0].name), "%s", de->d_name);
		st->n_names++;
	}
	closedir(d);
}

static const char *netns_name(const struct trace_state *st, uint64_t ino)
{
	for (size_t i = 0; i < st->n_names; i++)
		if (st->names[i].ino == ino)
			return st->names[i].name;
	if (ino && ino == st->host_netns)
		return "host";
	return NULL;
}

static void on_agg(const struct twt_key *k, const struct twt_val *v, void *data)
{
	struct trace_state *st = data;
	struct acc *a;

	if (tw_map_upsert(st->acc, k, (void **)&a) < 0) {
		st->acc_full += v->count;
		return;
	}
	a->total += v->count;
	a->interval += v->count;
}

static void on_cw(const struct twt_cw *cw, void *data)
{
	struct trace_state *st = data;
	uint16_t lport = cw->lport, rport = cw->rport;
	struct cw_group *g = NULL;

	if (lport && rport) {
		if (lport < rport)
			rport = 0;
		else
			lport = 0;
	}
	for (size_t i = 0; i < st->n_cw; i++) {
		struct cw_group *c = &st->cw[i];

		if (c->netns == cw->netns && c->family == cw->family && c->lport == lport &&
		    c->rport == rport && !memcmp(c->laddr, cw->laddr, 16) &&
		    !memcmp(c->raddr, cw->raddr, 16)) {
			g = c;
			break;
		}
	}
	if (!g) {
		if (st->n_cw >= MAX_CW_GROUPS) {
			st->cw_untracked++;
			return;
		}
		g = &st->cw[st->n_cw++];
		memset(g, 0, sizeof(*g));
		g->netns = cw->netns;
		g->family = cw->family;
		g->lport = lport;
		g->rport = rport;
		memcpy(g->laddr, cw->laddr, 16);
		memcpy(g->raddr, cw->raddr, 16);
	}
	g->count++;
	if (!g->oldest_ns || cw->since_ns < g->oldest_ns) {
		g->oldest_ns = cw->since_ns;
		if (cw->ino)
			g->ino = cw->ino;
	}
}

/*
 * Who holds the CLOSE_WAIT sockets: one /proc/<pid>/fd walk for all
 * groups, matching "socket:[ino]". Best effort; unknown stays pid 0.
 */
static void resolve_cw_owners(struct trace_state *st)
{
	char path[PATH_MAX], link[64], want[32];
	struct dirent *pe, *fe;
	DIR *proc, *fds;
	size_t left = 0;

	for (size_t i = 0; i < st->n_cw; i++)
		left += st->cw[i].ino != 0;
	if (!left)
		return;
	proc = opendir("/proc");
	if (!proc)
		return;
	while (left && (pe = readdir(proc))) {
		uint32_t pid;

		if (safe_atou32(pe->d_name, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while (left && (fe = readdir(fds))) {
			ssize_t n;

			if (fe->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/proc/%u/fd/%s", pid, fe->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n < 9 || strncmp(link, "socket:[", 8) != 0)
				continue;
			link[n] = '\0';
			for (size_t i = 0; i < st->n_cw; i++) {
				struct cw_group *g = &st->cw[i];
				_cleanup_free_ char *comm = NULL;

				if (!g->ino || g->owner_pid)
					continue;
				snprintf(want, sizeof(want), "socket:[%" PRIu64 "]", g->ino);
				if (strcmp(link, want) != 0)
					continue;
				g->owner_pid = pid;
				snprintf(path, sizeof(path), "/proc/%u/comm", pid);
				if (read_small_file(path, 64, &comm) == 0) {
					comm[strcspn(comm, "\n")] = '\0';
					snprintf(g->owner_comm, sizeof(g->owner_comm), "%s", comm);
				}
				left--;
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

static int collect_cw(struct tracer *t, struct trace_state *st)
{
	st->n_cw = 0;
	st->cw_untracked = 0;
	tracer_close_wait(t, on_cw, st);
	resolve_cw_owners(st);
	return 0;
}

struct row {
	const struct twt_key *k;
	const struct acc *a;
};

static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	if (a->a->total != b->a->total)
		return a->a->total < b->a->total ? 1 : -1;
	if (a->k->kind != b->k->kind)
		return a->k->kind < b->k->kind ? -1 : 1;
	if (a->k->tgid != b->k->tgid)
		return a->k->tgid < b->k->tgid ? -1 : 1;
	return memcmp(a->k, b->k, sizeof(*a->k));
}

/* Sorted view of the accumulated rows; caller frees. */
static int sorted_rows(const struct trace_state *st, struct row **ret, size_t *ret_n)
{
	size_t n = tw_map_count(st->acc), i = 0, iter = 0;
	const void *k;
	void *v;
	struct row *rows;

	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	while (i < n && tw_map_next(st->acc, &iter, &k, &v)) {
		rows[i].k = k;
		rows[i].a = v;
		i++;
	}
	qsort(rows, i, sizeof(*rows), row_cmp);
	*ret = rows;
	*ret_n = i;
	return 0;
}

static void endpoint_str(unsigned int family, const uint8_t *addr, uint16_t port, bool empty,
			 char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (empty) {
		snprintf(buf, len, "-");
		return;
	}
	addr_str(family, addr, a, sizeof(a));
	if (family == 10)
		snprintf(buf, len, port ? "[%s]:%u" : "[%s]:*", a, port);
	else
		snprintf(buf, len, port ? "%s:%u" : "%s:*", a, port);
}

static bool has_local(const struct twt_key *k)
{
	return k->kind != TWT_CONNECT_FAIL;
}

static bool has_remote(const struct twt_key *k)
{
	return k->kind != TWT_BIND_FAIL;
}

static void event_label(const struct twt_key *k, char *buf, size_t len)
{
	if (k->kind == TWT_ABORT)
		snprintf(buf, len, "abort:%s", rst_name(k->reason));
	else
		snprintf(buf, len, "%s", kind_name(k->kind));
}

static void print_table(struct trace_state *st, bool live, double interval_sec)
{
	_cleanup_free_ struct row *rows = NULL;
	int aw = args.wide ? 47 : 21;
	size_t n = 0, max = SIZE_MAX;

	if (sorted_rows(st, &rows, &n) < 0) {
		tw_err(-ENOMEM, "cannot sort results");
		return;
	}
	if (live && st->ctx->tty) {
		printf("\033[H\033[2J");
		max = MAX_ROWS_TTY_FALLBACK;
	}
	if (live)
		printf("twscope trace: %.0f s, %zu keys, lost events %" PRIu64 "\n",
		       (double)(now_ns() - st->start_ns) / (double)NSEC_PER_SEC, n,
		       st->n_events);
	if (!args.no_header) {
		printf("%-8s %-16s %-12s %-22s %-*s %-*s %10s", "PID", "COMM", "NETNS", "EVENT",
		       aw, "LOCAL", aw, "REMOTE", "COUNT");
		printf(live ? " %9s\n" : "\n", "RATE/s");
	}
	for (size_t i = 0; i < n && i < max; i++) {
		const struct twt_key *k = rows[i].k;
		char pid[16], comm[TWT_COMM_LEN + 2], ns[24], ev[32];
		char l[INET6_ADDRSTRLEN + 10], r[INET6_ADDRSTRLEN + 10];
		const char *nn = netns_name(st, k->netns);

		if (k->flags & TWT_F_SOFTIRQ) {
			snprintf(pid, sizeof(pid), "-");
			snprintf(comm, sizeof(comm), "[softirq]");
		} else {
			snprintf(pid, sizeof(pid), "%u", k->tgid);
			comm_copy(comm, k->comm);
		}
		if (nn)
			snprintf(ns, sizeof(ns), "%s", nn);
		else
			snprintf(ns, sizeof(ns), "%u", k->netns);
		event_label(k, ev, sizeof(ev));
		endpoint_str(k->family, k->laddr, k->lport, !has_local(k), l, sizeof(l));
		endpoint_str(k->family, k->raddr, k->rport, !has_remote(k), r, sizeof(r));
		printf("%-8s %-16s %-12s %-22s %-*s %-*s %10" PRIu64, pid, comm, ns, ev, aw, l,
		       aw, r, rows[i].a->total);
		if (live)
			printf(" %9.1f\n", (double)rows[i].a->interval / interval_sec);
		else
			printf("\n");
	}
	if (n > max)
		printf("... %zu more\n", n - max);
	if (st->n_cw) {
		printf("\n%-8s %-16s %-12s %-*s %-*s %10s %10s\n", "PID", "COMM", "NETNS", aw,
		       "LOCAL", aw, "REMOTE", "CLOSE_WAIT", "OLDEST_S");
		for (size_t i = 0; i < st->n_cw; i++) {
			const struct cw_group *g = &st->cw[i];
			char l[INET6_ADDRSTRLEN + 10], r[INET6_ADDRSTRLEN + 10], pid[16], ns[24];
			const char *nn = netns_name(st, g->netns);

			endpoint_str(g->family, g->laddr, g->lport, false, l, sizeof(l));
			endpoint_str(g->family, g->raddr, g->rport, false, r, sizeof(r));
			snprintf(pid, sizeof(pid), g->owner_pid ? "%u" : "-", g->owner_pid);
			if (nn)
				snprintf(ns, sizeof(ns), "%s", nn);
			else
				snprintf(ns, sizeof(ns), "%u", g->netns);
			printf("%-8s %-16s %-12s %-*s %-*s %10" PRIu64 " %10.1f\n", pid,
			       g->owner_pid ? g->owner_comm : "?", ns, aw, l, aw, r, g->count,
			       (double)(now_ns() - g->oldest_ns) / (double)NSEC_PER_SEC);
		}
	}
	fflush(stdout);
}

static struct json_object *json_endpoint(unsigned int family, const uint8_t *addr,
					 uint16_t port)
{
	struct json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN];

	addr_str(family, addr, a, sizeof(a));
	json_object_object_add(o, "addr", json_object_new_string(a));
	json_object_object_add(o, "port", json_object_new_int(port));
	return o;
}

static void json_netns(struct json_object *o, const struct trace_state *st, uint32_t ino)
{
	const char *nn = netns_name(st, ino);

	json_object_object_add(o, "netns", json_object_new_int64(ino));
	json_object_object_add(o, "netns_name", nn ? json_object_new_string(nn) : NULL);
}

static struct json_object *json_row(const struct trace_state *st, const struct twt_key *k,
				    uint64_t count)
{
	struct json_object *o = json_object_new_object();
	bool softirq = k->flags & TWT_F_SOFTIRQ;
	char comm[TWT_COMM_LEN];

	comm_copy(comm, k->comm);
	json_object_object_add(o, "kind", json_object_new_string(kind_name(k->kind)));
	if (k->kind == TWT_ABORT)
		json_object_object_add(o, "reason", json_object_new_string(rst_name(k->reason)));
	if (k->kind == TWT_CONNECT_FAIL || k->kind == TWT_BIND_FAIL)
		json_object_object_add(o, "errno", json_object_new_int(k->reason));
	json_object_object_add(o, "softirq", json_object_new_boolean(softirq));
	json_object_object_add(o, "pid", softirq ? NULL : json_object_new_int64(k->tgid));
	json_object_object_add(o, "comm", softirq ? NULL : json_object_new_string(comm));
	json_object_object_add(o, "cgroup_id", softirq ? NULL : json_object_new_uint64(k->cgroup));
	json_netns(o, st, k->netns);
	json_object_object_add(o, "family",
			       json_object_new_string(k->family == 10 ? "inet6" : "inet"));
	json_object_object_add(o, "local", has_local(k) ?
			       json_endpoint(k->family, k->laddr, k->lport) : NULL);
	json_object_object_add(o, "remote", has_remote(k) ?
			       json_endpoint(k->family, k->raddr, k->rport) : NULL);
	json_object_object_add(o, "count", json_object_new_uint64(count));
	return o;
}

static struct json_object *json_summary(struct trace_state *st, struct tracer *t,
					bool ndjson)
{
	struct json_object *doc = json_object_new_object(), *evs = json_object_new_array();
	struct json_object *cws = json_object_new_array(), *filt = json_object_new_object();
	struct json_object *hooks = json_object_new_object();
	_cleanup_free_ struct row *rows = NULL;
	size_t n = 0;

	if (ndjson)
		json_object_object_add(doc, "type", json_object_new_string("summary"));
	json_object_object_add(doc, "schema", json_object_new_int(1));
	json_object_object_add(doc, "command", json_object_new_string("trace"));
	json_object_object_add(doc, "duration_sec",
			       json_object_new_double((double)((st->end_ns ? st->end_ns : now_ns()) -
							st->start_ns) / (double)NSEC_PER_SEC));
	json_object_object_add(filt, "pid", args.pid ? json_object_new_int64(args.pid) : NULL);
	json_object_object_add(filt, "comm", args.comm ? json_object_new_string(args.comm) : NULL);
	json_object_object_add(filt, "port", args.port ? json_object_new_int(args.port) : NULL);
	json_object_object_add(filt, "netns", args.netns ? json_object_new_string(args.netns) : NULL);
	json_object_object_add(doc, "filters", filt);
	json_object_object_add(hooks, "abort", json_object_new_boolean(st->info.have_reset));
	json_object_object_add(hooks, "syscalls", json_object_new_string(tracer_sys_hook_name(st->info.sys_hook)));
	json_object_object_add(hooks, "softirq_detection", json_object_new_string("sock_owned_by_user"));
	json_object_object_add(doc, "hooks", hooks);
	if (sorted_rows(st, &rows, &n) == 0)
		for (size_t i = 0; i < n; i++)
			json_object_array_add(evs, json_row(st, rows[i].k, rows[i].a->total));
	json_object_object_add(doc, "events", evs);
	for (size_t i = 0; i < st->n_cw; i++) {
		const struct cw_group *g = &st->cw[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "pid", g->owner_pid ? json_object_new_int64(g->owner_pid) : NULL);
		json_object_object_add(o, "comm", g->owner_pid ?
				       json_object_new_string(g->owner_comm) : NULL);
		json_netns(o, st, g->netns);
		json_object_object_add(o, "local", json_endpoint(g->family, g->laddr, g->lport));
		json_object_object_add(o, "remote", json_endpoint(g->family, g->raddr, g->rport));
		json_object_object_add(o, "count", json_object_new_uint64(g->count));
		json_object_object_add(o, "oldest_sec", json_object_new_double(
				(double)(now_ns() - g->oldest_ns) / (double)NSEC_PER_SEC));
		json_object_array_add(cws, o);
	}
	json_object_object_add(doc, "close_wait", cws);
	json_object_object_add(doc, "lost_events",
			       json_object_new_uint64(tracer_counter(t, TWT_CNT_RB_LOST)));
	json_object_object_add(doc, "streamed_events", json_object_new_uint64(st->n_events));
	json_object_object_add(doc, "dropped_aggregates", json_object_new_uint64(
				tracer_counter(t, TWT_CNT_AGG_FULL) + st->acc_full));
	json_object_object_add(doc, "close_wait_untracked", json_object_new_uint64(
				tracer_counter(t, TWT_CNT_CW_FULL) + st->cw_untracked));
	return doc;
}

static void print_json_doc(struct json_object *doc, bool pretty)
{
	puts(json_object_to_json_string_ext(doc, pretty ? JSON_C_TO_STRING_PRETTY |
					    JSON_C_TO_STRING_SPACED : JSON_C_TO_STRING_PLAIN));
	json_object_put(doc);
}

/* A JSON string for a comm: quotes, backslashes and non-ASCII bytes escaped. */
static void put_json_comm(const uint8_t *comm)
{
	putchar('"');
	for (int i = 0; i < TWT_COMM_LEN && comm[i]; i++) {
		uint8_t c = comm[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void put_json_endpoint(const char *name, unsigned int family, const uint8_t *addr,
			      uint16_t port, bool present)
{
	char a[INET6_ADDRSTRLEN];

	if (!present) {
		printf(",\"%s\":null", name);
		return;
	}
	addr_str(family, addr, a, sizeof(a));
	printf(",\"%s\":{\"addr\":\"%s\",\"port\":%u}", name, a, port);
}

/*
 * One NDJSON line per event. Written by hand rather than through json-c:
 * at 100k events/s the allocations of a json-c tree per line cost more CPU
 * than the tracing itself. Only comm needs escaping; the rest is numbers
 * and fixed names.
 */
static int on_event(const struct twt_event *e, void *data)
{
	struct trace_state *st = data;
	bool softirq = e->flags & TWT_F_SOFTIRQ;
	const char *nn = netns_name(st, e->netns);

	st->n_events++;
	printf("{\"type\":\"event\",\"ts_ns\":%llu,\"kind\":\"%s\"",
	       (unsigned long long)e->ts_ns, kind_name(e->kind));
	if (e->kind == TWT_ABORT)
		printf(",\"reason\":\"%s\"", rst_name(e->reason));
	if (e->kind == TWT_CONNECT_FAIL || e->kind == TWT_BIND_FAIL)
		printf(",\"errno\":%u", e->reason);
	if (softirq) {
		printf(",\"softirq\":true,\"pid\":null,\"tid\":null,\"comm\":null,\"cgroup_id\":null");
	} else {
		printf(",\"softirq\":false,\"pid\":%u,\"tid\":%u,\"comm\":", e->tgid, e->pid);
		put_json_comm(e->comm);
		printf(",\"cgroup_id\":%llu", (unsigned long long)e->cgroup);
	}
	printf(",\"netns\":%u,\"netns_name\":", e->netns);
	if (nn)
		printf("\"%s\"", nn);	/* /run/netns names: checked by is_plain_name() */
	else
		printf("null");
	put_json_endpoint("local", e->family, e->laddr, e->lport, e->kind != TWT_CONNECT_FAIL);
	put_json_endpoint("remote", e->family, e->raddr, e->rport, e->kind != TWT_BIND_FAIL);
	printf("}\n");
	return 0;
}

static int fail(int err, const char *msg)
{
	if (args.json || args.events)
		printf("{\"error\":\"%s\",\"code\":%d}\n", msg, TW_EXIT_FAIL);
	return err;
}

static int open_tracer(struct trace_state *st, struct tracer **ret_t)
{
	struct tracer_opts o = { .tgid = args.pid, .port = args.port, .comm = args.comm };
	const char *missing = NULL;
	char step[128];
	int r;

	r = tracer_check_access(&missing);
	if (r < 0) {
		tw_err(0, "missing %s", missing ? missing : "privileges");
		return fail(r, "missing privileges or BTF");
	}
	if (args.netns) {
		char path[PATH_MAX];

		r = netns_resolve(args.netns, path, sizeof(path));
		if (r < 0) {
			tw_err(r, "invalid netns '%s'", args.netns);
			return fail(r, "invalid netns");
		}
		o.netns_ino = (uint32_t)path_ino(path);
		if (!o.netns_ino) {
			tw_err(-errno, "cannot open netns '%s'", args.netns);
			return fail(-ENOENT, "cannot open netns");
		}
	}
	if (args.events) {
		o.on_event = on_event;
		o.data = st;
	}
	tracer_set_log(libbpf_line);
	r = tracer_open(&o, &st->info, step, sizeof(step), ret_t);
	if (r == -EPERM || r == -EACCES) {
		tw_err(r, "cannot %s BPF programs: needs CAP_BPF and CAP_PERFMON (or root)", step);
		return fail(r, "missing privileges");
	}
	if (r == -ENOTSUP) {
		tw_err(0, "kernel lacks %s", step);
		return fail(r, "missing tracepoint");
	}
	if (r < 0) {
		tw_err(r, "cannot %s BPF programs (run 'twscope -v trace' for details)", step);
		return fail(r, "cannot load BPF programs");
	}
	if (!st->info.have_reset)
		tw_warn("tracepoint tcp/tcp_send_reset with a reason is missing, abortive closes are not counted");
	tw_dbg("syscall hooks: %s", tracer_sys_hook_name(st->info.sys_hook));
	return 0;
}

static void clear_interval(struct trace_state *st)
{
	size_t iter = 0;
	const void *k;
	void *v;

	while (tw_map_next(st->acc, &iter, &k, &v))
		((struct acc *)v)->interval = 0;
}

static int run(struct trace_state *st)
{
	_cleanup_(tracer_freep) struct tracer *t = NULL;
	bool live = !args.json && !args.events && (!args.duration_ns || args.has_interval);
	uint64_t deadline, next;
	struct sigaction sa = { .sa_handler = on_signal };
	int r;

	r = open_tracer(st, &t);
	if (r < 0)
		return TW_EXIT_FAIL;
	sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGINT, &sa, NULL);
	(void) sigaction(SIGTERM, &sa, NULL);
	/*
	 * NDJSON: block-buffered but flushed after every ring-buffer batch
	 * (at most POLL_MS late), instead of one write() per line.
	 */
	if (args.events)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	/* Progress goes to stderr; tests wait for this line before starting load. */
	fprintf(stderr, "twscope trace: tracing%s, %s\n",
		args.duration_ns ? "" : " until interrupted",
		args.duration_ns ? "summary at the end" : "Ctrl-C to stop");
	st->start_ns = now_ns();
	st->last_refresh_ns = st->start_ns;
	deadline = args.duration_ns ? st->start_ns + args.duration_ns : UINT64_MAX;
	next = st->start_ns + args.interval_ns;
	while (!stop_requested) {
		uint64_t now = now_ns();
		int ms = POLL_MS;

		if (now >= deadline)
			break;
		if (now >= next) {
			r = tracer_drain(t, on_agg, st);
			if (r < 0)
				return tw_err(r, "cannot read BPF maps"), fail(r, "map read"),
				       TW_EXIT_FAIL;
			if (live) {
				collect_cw(t, st);
				print_table(st, true, (double)(now - st->last_refresh_ns) /
					    (double)NSEC_PER_SEC);
			}
			clear_interval(st);
			st->last_refresh_ns = now;
			next += args.interval_ns;
			if (next <= now)
				next = now + args.interval_ns;
			continue;
		}
		if (deadline - now < (uint64_t)ms * NSEC_PER_MSEC)
			ms = (int)((deadline - now) / NSEC_PER_MSEC) + 1;
		r = tracer_poll(t, ms);
		if (args.events)
			fflush(stdout);
		if (r < 0 && r != -EINTR)
			return tw_err(r, "cannot poll events"), fail(r, "poll"), TW_EXIT_FAIL;
	}
	st->end_ns = now_ns();
	tracer_stop(t);
	/* Both generations hold data now: drain twice. */
	for (int i = 0; i < 2; i++) {
		r = tracer_drain(t, on_agg, st);
		if (r < 0)
			return tw_err(r, "cannot read BPF maps"), fail(r, "map read"), TW_EXIT_FAIL;
	}
	collect_cw(t, st);
	if (args.json || args.events)
		print_json_doc(json_summary(st, t, args.events), !args.events);
	else
		print_table(st, false, 1.0);
	if (tracer_counter(t, TWT_CNT_RB_LOST))
		tw_warn("%" PRIu64 " events lost (ring buffer full)",
			tracer_counter(t, TWT_CNT_RB_LOST));
	return TW_EXIT_OK;
}

int cmd_trace(struct tw_ctx *ctx, int argc, char **argv)
{
	_cleanup_free_ struct trace_state *st = NULL;
	bool help;
	int r;

	r = parse_args(ctx, argc, argv, &help);
	if (r)
		return r;
	if (help) {
		print_help();
		return TW_EXIT_OK;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return tw_err(-ENOMEM, "out of memory"), TW_EXIT_FAIL;
	st->ctx = ctx;
	st->acc = tw_map_new(sizeof(struct twt_key), sizeof(struct acc), ACC_MAX);
	if (!st->acc)
		return tw_err(-ENOMEM, "out of memory"), TW_EXIT_FAIL;
	load_netns_names(st);
	r = run(st);
	st->acc = tw_map_free(st->acc);
	return r;
}

#endif
