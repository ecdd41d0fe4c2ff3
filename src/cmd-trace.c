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
#include "netns/nscache.h"
#include "output.h"
#include "output-trace.h"
#include "util.h"
#if TW_HAVE_BPF
#include "tracer.h"
#endif

#define DEFAULT_INTERVAL_NS (2 * NSEC_PER_SEC)
#define POLL_MS 100
#define MAX_NETNS_NAMES NSCACHE_MAX
#define NETNS_REFRESH_NS (5 * NSEC_PER_SEC)	/* fewest ns between re-enumerations */
#define MAX_CW_GROUPS 1024
#define CW_SEEN_MAX (1u << 22)	/* CLOSE_WAIT sockets told apart per listing */
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
	bool bind;
	enum trace_by by;
};

static struct trace_args args;

static void print_help(void)
{
	printf("usage: twscope trace [options]\n\n"
	       "Attribute TCP closes and port-exhaustion errors to processes, live (eBPF).\n\n"
	       "Counts, per process (pid, comm, cgroup), network namespace and endpoint:\n"
	       "  active_close           ESTABLISHED -> FIN_WAIT1: this side closes first\n"
	       "                         and will hold the TIME_WAIT socket\n"
	       "  passive_close          CLOSE_WAIT -> LAST_ACK: closed after the peer\n"

	       "  abort                  RST sent on close: SO_LINGER{1,0} (linger0) or\n"
	       "                         unread data (unread); no TIME_WAIT is left\n"
	       "  connect_eaddrnotavail  connect() failed: no free local port\n"
	       "  bind_eaddrinuse        bind() failed: address in use (see --bind)\n"
	       "Events seen in softirq context are not blamed on the interrupted task:\n"
	       "they are shown with COMM '[softirq]' and PID '-'. Sockets sitting in\n"
	       "CLOSE_WAIT are listed apart, with the process holding each.\n\n"
	       "options:\n"
	       "      --by WHAT          one row per comm (default: forked workers are one\n"
	       "                         row, with their number of processes), pid or cgroup\n"
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
	       "  -b, --bind             trace bind() failures even on a kernel without BPF\n"
	       "                         trampolines, where that takes a syscall tracepoint\n"
	       "                         costing every system call about 40 ns\n"
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
		{ "bind", no_argument, NULL, 'b' },
		{ "by", required_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	uint32_t u;
	int c;

	memset(&args, 0, sizeof(args));
	args.interval_ns = DEFAULT_INTERVAL_NS;
	*ret_help = false;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:c:P:n:i:d:jeHwbh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			/* pid_t is an int: 4294967295 would be kill(-1, ...) below. */
			if (safe_atou32(optarg, &u) < 0 || u == 0 || u > INT_MAX)
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
		case 'b':
			args.bind = true;
			break;
		case 'B':
			if (strcmp(optarg, "comm") == 0)
				args.by = TRACE_BY_COMM;
			else if (strcmp(optarg, "pid") == 0)
				args.by = TRACE_BY_PID;
			else if (strcmp(optarg, "cgroup") == 0)
				args.by = TRACE_BY_CGROUP;
			else
				return tw_usage(ctx, "--by takes comm, pid or cgroup, not '%s'", optarg);
			break;
		case 'h':
			*ret_help = true;
			return 0;
		default:
			return tw_bad_option(ctx, c, argv, opts);
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
		out_json_error("trace", "built without BPF support", TW_EXIT_FAIL);
	tw_err(0, "built without BPF support (rebuild with 'make BPF=1')");
	return TW_EXIT_FAIL;
}

#else

static volatile sig_atomic_t stop_requested;

/*
 * -p names a process that exists now: a typo would otherwise trace nothing
 * for as long as it runs. EPERM from kill(pid, 0) means it exists.
 */
static int check_pid(uint32_t pid)
{
	_cleanup_fclose_ FILE *f = NULL;
	char path[64], line[128];
	unsigned int tgid = pid;

	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return tw_err(0, "no process with pid %u", pid), TW_EXIT_USAGE;
	/* A thread id passes kill() too, but the filter matches thread group ids. */
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Tgid: %u", &tgid) == 1)
			break;
	if (tgid != pid)
		return tw_err(0, "pid %u is a thread of process %u: --pid takes a process id",
			      pid, tgid), TW_EXIT_USAGE;
	return 0;
}

/* What user space keeps per aggregation key. */
struct acc {
	uint64_t total;
	uint64_t interval;	/* since the last refresh */
};

/*
 * Names of network namespaces by inode (container or pod, /run/netns name,
 * host) from the nscache, copied into the report's array after each
 * re-enumeration, so tables and events show 'docker web1', not 4026532xyz.
 */
struct trace_names {
	struct nscache cache;
	unsigned int synced;		/* cache.refreshes copied into v */
	size_t n;
	struct trace_netns_name v[MAX_NETNS_NAMES];
};

struct trace_state {
	struct tw_ctx *ctx;
	struct tw_map *acc;
	uint64_t acc_full;
	struct trace_names *names;	/* written by lookups during const reports */
	uint64_t host_netns;
	struct trace_cw_row cw[MAX_CW_GROUPS];
	size_t n_cw;
	uint64_t cw_untracked;
	struct tw_map *cw_seen;		/* socket inodes listed in this pass */
	bool cw_failed;
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

static uint64_t path_ino(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

static void names_sync(struct trace_names *nm)
{
	nm->n = 0;
	for (size_t i = 0; i < nm->cache.n && nm->n < MAX_NETNS_NAMES; i++) {
		_Static_assert(sizeof(nm->v[0].name) == sizeof(nm->cache.v[0].name), "name sizes");
		nm->v[nm->n].ino = nm->cache.v[i].ino;
		memcpy(nm->v[nm->n].name, nm->cache.v[i].name, sizeof(nm->v[0].name));
		nm->n++;
	}
	nm->synced = nm->cache.refreshes;
}

/* The name of a netns seen in an event; a new one re-enumerates (rate-limited). */
static const char *names_want(struct trace_names *nm, uint64_t ino)
{
	const char *n = nscache_lookup(&nm->cache, ino, now_ns());

	if (nm->synced != nm->cache.refreshes)
		names_sync(nm);
	return n;
}

static void load_netns_names(struct trace_state *st)
{
	st->host_netns = path_ino("/proc/1/ns/net");
	nscache_init(&st->names->cache, NULL, NETNS_REFRESH_NS);
	(void) nscache_refresh(&st->names->cache, 0, now_ns());
	names_sync(st->names);
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

/* Group one CLOSE_WAIT socket by where it is; the holder of the oldest is shown. */
static void on_cw(const struct twt_cw *cw, void *data)
{
	struct trace_state *st = data;
	uint16_t lport = cw->lport, rport = cw->rport;
	struct trace_cw_row *g = NULL;
	uint64_t age = cw->idle_ms == TWT_IDLE_UNKNOWN ? 0 : cw->idle_ms * NSEC_PER_MSEC;
	void *seen;

	/* A socket shared by several processes (fork) is listed once per holder. */
	if (tw_map_upsert(st->cw_seen, &cw->ino, &seen) < 0) {
		st->cw_untracked++;
		return;
	}
	if (*(uint8_t *)seen)
		return;
	*(uint8_t *)seen = 1;
	twt_fold_ports(&lport, &rport);
	for (size_t i = 0; i < st->n_cw; i++) {
		struct trace_cw_row *c = &st->cw[i];

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
	if (g->count == 1 || age > g->oldest_age_ns) {
		g->oldest_age_ns = age;
		g->ino = cw->ino;
		g->owner_pid = cw->tgid;
		memcpy(g->owner_comm, cw->comm, sizeof(g->owner_comm) - 1);
		g->owner_comm[sizeof(g->owner_comm) - 1] = '\0';
	}
}

/* The sockets in CLOSE_WAIT now, grouped; a failure leaves the list empty, said once. */
static void collect_cw(struct tracer *t, struct trace_state *st)
{
	int r;

	st->n_cw = 0;
	st->cw_untracked = 0;
	st->cw_seen = tw_map_free(st->cw_seen);
	st->cw_seen = tw_map_new(sizeof(uint64_t), 1, CW_SEEN_MAX);
	if (!st->cw_seen) {
		r = -ENOMEM;
	} else {
		r = tracer_close_wait(t, on_cw, st);
		if (r >= 0)
			return;
	}
	if (!st->cw_failed)
		tw_warn("cannot list CLOSE_WAIT sockets: %s", strerror(-r));
	st->cw_failed = true;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct trace_row *a = pa, *b = pb;

	if (a->total != b->total)
		return a->total < b->total ? 1 : -1;
	if (a->key->kind != b->key->kind)
		return a->key->kind < b->key->kind ? -1 : 1;
	if (a->key->tgid != b->key->tgid)
		return a->key->tgid < b->key->tgid ? -1 : 1;
	return memcmp(a->key, b->key, sizeof(*a->key));
}

/* The report the renderers get: sorted rows, CLOSE_WAIT groups, counters. */
static int build_report(const struct trace_state *st, struct tracer *t,
			struct trace_report *rep, struct trace_row **ret_rows)
{
	size_t n = tw_map_count(st->acc), i = 0, iter = 0;
	struct trace_row *rows;
	struct twt_key *keys;
	const void *k;
	void *v;

	/* one block: the rows, then the group keys they point to */
	rows = calloc(n ? n : 1, sizeof(*rows) + sizeof(*keys));
	if (!rows)
		return -ENOMEM;
	keys = (struct twt_key *)(rows + (n ? n : 1));
	while (i < n && tw_map_next(st->acc, &iter, &k, &v)) {
		rows[i].key = k;
		rows[i].total = ((const struct acc *)v)->total;
		rows[i].interval = ((const struct acc *)v)->interval;
		rows[i].pids = 1;
		i++;
	}
	if (args.by != TRACE_BY_PID)
		i = trace_rows_group(rows, i, keys, args.by);
	qsort(rows, i, sizeof(*rows), row_cmp);
	for (size_t j = 0; j < i; j++)
		(void) names_want(st->names, rows[j].key->netns);
	for (size_t j = 0; j < st->n_cw; j++)
		(void) names_want(st->names, st->cw[j].netns);
	*rep = (struct trace_report){
		.rows = rows,
		.n_rows = i,
		.cw = st->cw,
		.n_cw = st->n_cw,
		.names = st->names->v,
		.n_names = st->names->n,
		.host_netns = st->host_netns,
		.by = args.by,
		.filter_pid = args.pid,
		.filter_comm = args.comm,
		.filter_port = args.port,
		.filter_netns = args.netns,
		.have_reset = st->info.have_reset,
		.sys_hook = tracer_sys_hook_name(st->info.sys_hook),
		.duration_ns = (st->end_ns ? st->end_ns : now_ns()) - st->start_ns,
		.lost_events = tracer_counter(t, TWT_CNT_RB_LOST),
		.missed_events = tracer_missed(t),
		.streamed_events = st->n_events,
		.dropped_aggregates = tracer_counter(t, TWT_CNT_AGG_FULL) + st->acc_full,
		.close_wait_untracked = st->cw_untracked,
	};
	*ret_rows = rows;
	return 0;
}

static int show_table(const struct trace_state *st, struct tracer *t, bool live,
		      double interval_sec)
{
	_cleanup_free_ struct trace_row *rows = NULL;
	struct trace_table_opts o = {
		.live = live,
		.clear = live && st->ctx->tty,
		.max_rows = live && st->ctx->tty ? MAX_ROWS_TTY_FALLBACK : 0,
		.no_header = args.no_header,
		.wide = args.wide,
		.interval_sec = interval_sec,
		.utf8 = st->ctx->utf8,
	};
	struct trace_report rep;
	int r;

	r = build_report(st, t, &rep, &rows);
	if (r < 0)
		return r;
	trace_print_table(stdout, &rep, &o);
	return 0;
}

static int show_json(const struct trace_state *st, struct tracer *t, bool ndjson)
{
	_cleanup_free_ struct trace_row *rows = NULL;
	struct trace_report rep;
	struct json_object *doc;
	int r;

	r = build_report(st, t, &rep, &rows);
	if (r < 0)
		return r;
	doc = trace_json(&rep, ndjson);
	if (!doc)
		return -ENOMEM;
	r = out_json_write(stdout, doc, ndjson ? JSON_C_TO_STRING_PLAIN :
			   JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
	json_object_put(doc);
	return r;
}

/*
 * One NDJSON line per event, formatted by json-c into the fully buffered
 * stdout; run() flushes after every ring-buffer batch.
 */
static int on_event(const struct twt_event *e, void *data)
{
	struct trace_state *st = data;
	struct trace_report names = { .host_netns = st->host_netns };

	(void) names_want(st->names, e->netns);
	names.names = st->names->v;
	names.n_names = st->names->n;
	st->n_events++;
	return trace_print_event(stdout, e, trace_netns_name(&names, e->netns)) < 0;
}

static int fail(int err, const char *msg)
{
	if (args.json || args.events)
		out_json_error("trace", msg, TW_EXIT_FAIL);
	return err;
}

static int open_tracer(struct trace_state *st, struct tracer **ret_t)
{
	struct tracer_opts o = {
		.tgid = args.pid, .port = args.port, .comm = args.comm, .bind_syscalls = args.bind,
	};
	const char *missing = NULL;
	char step[128];
	int r;

	r = tracer_check_access(&missing);
	if (r < 0) {
		tw_err(0, "missing %s", missing ? missing : "privileges");
		return fail(r, "missing privileges or BTF");
	}
	if (args.netns) {
		uint64_t ino;

		r = netns_ino(args.netns, &ino);
		if (r < 0) {
			/* the same line as stat, doctor and serve */
			(void) cmd_netns_error(args.netns, r);
			return fail(r, r == -EINVAL ? "not a network namespace" : "cannot open netns");
		}
		o.netns_ino = (uint32_t)ino;
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
	if (st->info.sys_hook == TRACER_SYS_NONE)
		tw_warn("bind() failures are not traced (no BPF trampolines in this kernel); "
			"--bind traces them at a cost to every system call");
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
	uint64_t deadline, next, lost, missed;
	struct sigaction sa = { .sa_handler = on_signal };
	int r;

	r = open_tracer(st, &t);
	if (r < 0)
		return TW_EXIT_FAIL;
	sigemptyset(&sa.sa_mask);
	(void) sigaction(SIGINT, &sa, NULL);
	(void) sigaction(SIGTERM, &sa, NULL);
	/*
	 * NDJSON: fully buffered but flushed after every ring-buffer batch
	 * (at most POLL_MS late), instead of one write() per line.
	 */
	if (args.events)
		setvbuf(stdout, NULL, _IOFBF, 1 << 20);
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
				(void) show_table(st, t, true, (double)(now - st->last_refresh_ns) /
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
		r = show_json(st, t, args.events);
	else
		r = show_table(st, t, false, 1.0);
	if (r == -EIO)
		return tw_err(r, "cannot write the report"), TW_EXIT_FAIL;
	if (r < 0)
		return tw_err(r, "out of memory"), fail(r, "out of memory"), TW_EXIT_FAIL;
	lost = tracer_counter(t, TWT_CNT_RB_LOST);
	if (lost)
		tw_warn("%" PRIu64 " events lost (ring buffer full)", lost);
	missed = tracer_missed(t);
	if (missed)
		tw_warn("%" PRIu64 " tracepoint runs skipped (a softirq on a CPU where trace's "
			"program was running): counts may be short by as much", missed);
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
	if (args.pid) {
		r = check_pid(args.pid);
		if (r)
			return r;
	}
	st = calloc(1, sizeof(*st));
	if (!st)
		return tw_err(-ENOMEM, "out of memory"), TW_EXIT_FAIL;
	st->ctx = ctx;
	st->acc = tw_map_new(sizeof(struct twt_key), sizeof(struct acc), ACC_MAX);
	if (!st->acc)
		return tw_err(-ENOMEM, "out of memory"), TW_EXIT_FAIL;
	st->names = calloc(1, sizeof(*st->names));
	if (!st->names)
		return tw_err(-ENOMEM, "out of memory"), TW_EXIT_FAIL;
	load_netns_names(st);
	r = run(st);
	free(st->names);
	st->acc = tw_map_free(st->acc);
	st->cw_seen = tw_map_free(st->cw_seen);
	return r;
}

#endif
