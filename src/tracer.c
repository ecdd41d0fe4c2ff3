// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Loads twtrace.bpf.c through its skeleton (the only file that includes a
 * *.skel.h), probes what the kernel offers, and moves aggregates and
 * events to the caller. No printing: errors are returned as -errno.
 */
#include "tracer.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/types.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "bpf/twtrace.h"
#include "util.h"
#include "twtrace.skel.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

/* Iterator output read per CLOSE_WAIT listing, at most (about 1.2M sockets). */
#define CW_READ_MAX (128u << 20)
#define DRAIN_BATCH 512

struct tracer {
	struct twtrace_bpf *skel;
	struct ring_buffer *rb;
	tracer_event_fn on_event;
	void *data;
	int ncpus;
	struct twt_akey *keys;	/* DRAIN_BATCH keys */
	struct twt_val *vals;	/* DRAIN_BATCH x ncpus per-CPU values */
	struct twt_slot *slots;	/* ncpus values of one cache slot */
	struct twt_slot *zeros;	/* ncpus empty slots, to reset one */
};

static void (*log_fn)(const char *line);

/* libbpf hands over whole verifier logs at once: pass them on line by line. */
static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;

	(void) level;
	if (!log_fn || vasprintf(&text, fmt, ap) < 0)
		return 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_fn(line);
	return 0;
}

void tracer_set_log(void (*fn)(const char *line))
{
	log_fn = fn;
	libbpf_set_print(libbpf_log);
}

static bool has_cap(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

int tracer_check_access(const char **ret_missing)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};
	bool bpf, perfmon;

	if (syscall(SYS_capget, &hdr, d) < 0)
		return -errno;
	/* CAP_SYS_ADMIN covers both (and is what kernels before 5.8 want). */
	if (!has_cap(d, CAP_SYS_ADMIN)) {
		bpf = has_cap(d, CAP_BPF);
		perfmon = has_cap(d, CAP_PERFMON);
		if (!bpf || !perfmon) {
			*ret_missing = !bpf && !perfmon ? "CAP_BPF and CAP_PERFMON (or root)" :
				       !bpf ? "CAP_BPF (or root)" : "CAP_PERFMON (or root)";
			return -EPERM;
		}
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK) < 0) {
		*ret_missing = "kernel BTF (/sys/kernel/btf/vmlinux)";
		return -ENOENT;
	}
	return 0;
}

/* Number of arguments of the BTF-typed tracepoint, or -ENOENT. */
static int tp_btf_nargs(const struct btf *btf, const char *tp)
{
	char name[128];
	const struct btf_type *t;
	int id;

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -ENOENT;
	/* typedef -> pointer -> func_proto(void *ctx, args...) */
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_ptr(t))
		return -ENOENT;
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_func_proto(t))
		return -ENOENT;
	return btf_vlen(t) - 1;
}

/* Number of parameters of kernel function fn (BTF FUNC), or -ENOENT. */
static int func_nargs(const struct btf *btf, const char *fn)
{
	const struct btf_type *t;
	int id;

	id = btf__find_by_name_kind(btf, fn, BTF_KIND_FUNC);
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, btf__type_by_id(btf, id)->type);
	if (!t || !btf_is_func_proto(t))
		return -ENOENT;
	return btf_vlen(t);
}

const char *tracer_sys_hook_name(enum tracer_sys_hook h)
{
	switch (h) {
	case TRACER_SYS_FEXIT:
		return "fexit";
	case TRACER_SYS_TP:
		return "syscalls_tracepoints";
	case TRACER_SYS_RAW:
		return "raw_syscalls";
	case TRACER_SYS_NONE:
		return "none";
	}
	return "unknown";
}

/* Mirrors libbpf 1.1: debugfs' tracing dir wins when it exists. */
static bool has_syscall_tracepoints(void)
{
	const char *root = access("/sys/kernel/debug/tracing", F_OK) == 0 ?
			   "/sys/kernel/debug/tracing" : "/sys/kernel/tracing";
	static const char *const evs[] = { "sys_exit_bind" };
	char path[256];

	for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", root, evs[i]);
		if (access(path, R_OK) < 0)
			return false;
	}
	return true;
}

static int handle_event(void *ctx, void *data, size_t len)
{
	struct tracer *t = ctx;

	if (len < sizeof(struct twt_event))
		return 0;
	return t->on_event((const struct twt_event *)data, t->data);
}

static int probe(struct tracer *t, const struct tracer_opts *o, struct tracer_info *info,
		 bool no_fexit, char *errbuf, size_t errlen)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct twtrace_bpf *s = t->skel;
	int n, r = 0;

	if (!btf) {
		snprintf(errbuf, errlen, "read kernel BTF");
		return -errno;
	}
	if (tp_btf_nargs(btf, "inet_sock_set_state") < 3) {
		snprintf(errbuf, errlen, "tracepoint sock/inet_sock_set_state");
		r = -ENOTSUP;
		goto out;
	}
	n = tp_btf_nargs(btf, "tcp_send_reset");
	info->have_reset = n >= 3;
	if (!info->have_reset)
		bpf_program__set_autoload(s->progs.handle_send_reset, false);
	if (!no_fexit && func_nargs(btf, "__sys_bind") == 3)
		info->sys_hook = TRACER_SYS_FEXIT;
	else if (!o->bind_syscalls)
		info->sys_hook = TRACER_SYS_NONE;
	else if (has_syscall_tracepoints())
		info->sys_hook = TRACER_SYS_TP;
	else if (tp_btf_nargs(btf, "sys_exit") >= 2)
		info->sys_hook = TRACER_SYS_RAW;
	else {
		snprintf(errbuf, errlen, "tracepoints syscalls/sys_exit_bind or raw_syscalls");
		r = -ENOTSUP;
		goto out;
	}
	bpf_program__set_autoload(s->progs.fexit_bind, info->sys_hook == TRACER_SYS_FEXIT);
	bpf_program__set_autoload(s->progs.tp_exit_bind, info->sys_hook == TRACER_SYS_TP);
	bpf_program__set_autoload(s->progs.raw_sys_exit, info->sys_hook == TRACER_SYS_RAW);
out:
	btf__free(btf);
	return r;
}

/*
 * Whether libbpf finds the kernel config where it looks for it (libbpf 1.1:
 * /boot/config-RELEASE, then /proc/config.gz). Without it libbpf refuses to
 * load any object with a __kconfig extern, even a __weak one: a Debian kernel
 * in a container or an initramfs (no /boot, no CONFIG_IKCONFIG_PROC) would
 * lose all of trace for the CLOSE_WAIT idle time alone.
 */
static bool kconfig_readable(void)
{
	struct utsname u;
	char path[sizeof(u.release) + 16];

	if (access("/proc/config.gz", R_OK) == 0)
		return true;
	if (uname(&u) < 0)
		return false;
	snprintf(path, sizeof(path), "/boot/config-%s", u.release);
	return access(path, R_OK) == 0;
}

/* Open the skeleton, probe the kernel, configure and load it. */
static int open_load(struct tracer *t, const struct tracer_opts *o, struct tracer_info *info,
		     bool no_fexit, char *errbuf, size_t errlen)
{
	/*
	 * Otherwise every extern must be given here (libbpf reads the file for
	 * any left unset): CONFIG_HZ 0, so idle times are unknown.
	 */
	LIBBPF_OPTS(bpf_object_open_opts, oo, .kconfig = kconfig_readable() ? NULL : "CONFIG_HZ=0\n");
	int r;

	snprintf(errbuf, errlen, "open");
	t->skel = twtrace_bpf__open_opts(&oo);
	if (!t->skel)
		return -errno;
	r = probe(t, o, info, no_fexit, errbuf, errlen);
	if (r < 0)
		return r;
	t->skel->rodata->targ_tgid = o->tgid;
	t->skel->rodata->targ_netns = o->netns_ino;
	t->skel->rodata->targ_port = o->port;
	if (o->comm) {
		t->skel->rodata->targ_has_comm = true;
		strncpy((char *)t->skel->rodata->targ_comm, o->comm, TWT_COMM_LEN - 1);
	}
	t->skel->rodata->emit_events = o->on_event != NULL;
	/* Without --events the ring buffer is never written: keep it minimal. */
	if (!o->on_event)
		bpf_map__set_max_entries(t->skel->maps.events, (__u32)getpagesize());
	/* Run on demand by tracer_close_wait(), never attached here. */
	bpf_program__set_autoattach(t->skel->progs.list_close_wait, false);
	snprintf(errbuf, errlen, "load");
	return twtrace_bpf__load(t->skel);
}

int tracer_open(const struct tracer_opts *o, struct tracer_info *ret_info,
		char *errbuf, size_t errlen, struct tracer **ret_t)
{
	struct tracer_info info = {};
	struct tracer *t;
	int r;

	snprintf(errbuf, errlen, "open");
	t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->ncpus = libbpf_num_possible_cpus();
	if (t->ncpus <= 0) {
		r = t->ncpus < 0 ? t->ncpus : -EINVAL;
		goto fail;
	}
	t->keys = calloc(DRAIN_BATCH, sizeof(*t->keys));
	t->vals = calloc((size_t)DRAIN_BATCH * (size_t)t->ncpus, sizeof(*t->vals));
	t->slots = calloc((size_t)t->ncpus, sizeof(*t->slots));
	t->zeros = calloc((size_t)t->ncpus, sizeof(*t->zeros));
	if (!t->keys || !t->vals || !t->slots || !t->zeros) {
		r = -ENOMEM;
		goto fail;
	}
	r = open_load(t, o, &info, false, errbuf, errlen);
	/* No BPF trampolines (e.g. CONFIG_FUNCTION_TRACER=n): syscall tracepoints. */
	if (r < 0 && r != -ENOTSUP && info.sys_hook == TRACER_SYS_FEXIT) {
		twtrace_bpf__destroy(t->skel);
		t->skel = NULL;
		r = open_load(t, o, &info, true, errbuf, errlen);
	}
	if (r < 0)
		goto fail;
	snprintf(errbuf, errlen, "attach");
	r = twtrace_bpf__attach(t->skel);
	if (r < 0)
		goto fail;
	if (o->on_event) {
		t->on_event = o->on_event;
		t->data = o->data;
		snprintf(errbuf, errlen, "ring buffer");
		t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), handle_event, t, NULL);
		if (!t->rb) {
			r = -errno;
			goto fail;
		}
	}
	*ret_info = info;
	*ret_t = t;
	return 0;
fail:
	tracer_free(t);
	return r;
}

int tracer_poll(struct tracer *t, int timeout_ms)
{
	struct timespec ts = { timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L };
	int n, m;

	if (!t->rb) {
		if (nanosleep(&ts, NULL) < 0)
			return -errno;
		return 0;
	}
	n = ring_buffer__poll(t->rb, timeout_ms);
	if (n < 0)
		return n;
	/* The programs wake us only per batch: collect what is below the mark. */
	m = ring_buffer__consume(t->rb);
	if (m < 0)
		return m;
	return n + m;
}

/* Sum the per-CPU values of one key (an array of ncpus values). */
static struct twt_val sum_cpus(const struct twt_val *v, int ncpus)
{
	struct twt_val s = {};

	for (int c = 0; c < ncpus; c++)
		s.count += v[c].count;
	return s;
}

/* Last owner looked up while draining: keys of one process come together. */
struct owner_cache {
	__u32 tgid;
	bool valid;
	struct twt_owner o;
};

/* Join a BPF key with its process's comm and cgroup into the user-space key. */
static void expand_key(struct tracer *t, const struct twt_akey *a, struct owner_cache *oc,
		       struct twt_key *k)
{
	memset(k, 0, sizeof(*k));
	k->tgid = a->tgid;
	k->netns = a->netns;
	k->kind = a->kind;
	k->reason = a->reason;
	k->family = a->family;
	k->flags = a->flags;
	k->lport = a->lport;
	k->rport = a->rport;
	memcpy(k->laddr, a->laddr, sizeof(k->laddr));
	memcpy(k->raddr, a->raddr, sizeof(k->raddr));
	if (!a->tgid)
		return;
	if (!oc->valid || oc->tgid != a->tgid) {
		oc->tgid = a->tgid;
		oc->valid = true;
		/* Evicted (more live processes than TWT_OWNER_MAX): comm stays empty. */
		if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.owners), &a->tgid, &oc->o) < 0)
			memset(&oc->o, 0, sizeof(oc->o));
	}
	k->cgroup = oc->o.cgroup;
	memcpy(k->comm, oc->o.comm, sizeof(k->comm));
}

/* Remove every entry of the per-CPU map fd, handing its sum to fn. */
static int drain_map(struct tracer *t, int fd, tracer_agg_fn fn, void *data)
{
	struct twt_akey *keys = t->keys, akey;
	struct twt_val *vals = t->vals, sum;
	struct owner_cache oc = { .valid = false };
	struct twt_key key;
	__u64 batch;
	bool first = true;
	int total = 0, r;

	for (;;) {
		__u32 n = DRAIN_BATCH;

		r = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &batch, &batch,
						    keys, vals, &n, NULL);
		if (r < 0 && r != -ENOENT) {
			if (first && (r == -EINVAL || r == -ENOTSUP || r == -EOPNOTSUPP))
				break;	/* compat: no batch ops, walk below */
			return r;
		}
		for (__u32 i = 0; i < n; i++) {
			sum = sum_cpus(&vals[(size_t)i * t->ncpus], t->ncpus);
			expand_key(t, &keys[i], &oc, &key);
			fn(&key, &sum, data);
		}
		total += (int)n;
		first = false;
		if (r == -ENOENT)
			return total;
	}
	/* compat: remove when minimum kernel >= 5.6 (batch ops) */
	while (bpf_map_get_next_key(fd, NULL, &akey) == 0) {
		r = bpf_map_lookup_elem(fd, &akey, vals);
		(void) bpf_map_delete_elem(fd, &akey);
		if (r < 0)
			continue;
		sum = sum_cpus(vals, t->ncpus);
		expand_key(t, &akey, &oc, &key);
		fn(&key, &sum, data);
		total++;
	}
	return total;
}

/* Hand every used slot of the per-CPU cache fd to fn, then empty it. */
static int drain_slots(struct tracer *t, int fd, tracer_agg_fn fn, void *data)
{
	struct owner_cache oc = { .valid = false };
	struct twt_key key;
	int total = 0;

	for (__u32 i = 0; i < TWT_SLOTS; i++) {
		bool used = false;

		if (bpf_map_lookup_elem(fd, &i, t->slots) < 0)
			return -errno;
		for (int c = 0; c < t->ncpus; c++) {
			struct twt_val v = { .count = t->slots[c].count };

			if (!v.count)
				continue;
			used = true;
			expand_key(t, &t->slots[c].key, &oc, &key);
			fn(&key, &v, data);
			total++;
		}
		if (used && bpf_map_update_elem(fd, &i, t->zeros, BPF_ANY) < 0)
			return -errno;
	}
	return total;
}

int tracer_drain(struct tracer *t, tracer_agg_fn fn, void *data)
{
	struct timespec settle = { 0, 2 * 1000000L };
	__u32 old = t->skel->bss->gen & 1;
	struct bpf_map *m = old ? t->skel->maps.agg1 : t->skel->maps.agg0;
	struct bpf_map *sl = old ? t->skel->maps.slots1 : t->skel->maps.slots0;
	int n, r;

	__atomic_store_n(&t->skel->bss->gen, old ^ 1, __ATOMIC_SEQ_CST);
	/* Let programs that already picked the old generation finish their update. */
	(void) nanosleep(&settle, NULL);
	n = drain_slots(t, bpf_map__fd(sl), fn, data);
	if (n < 0)
		return n;
	r = drain_map(t, bpf_map__fd(m), fn, data);
	return r < 0 ? r : n + r;
}

void tracer_stop(struct tracer *t)
{
	struct timespec settle = { 0, 2 * 1000000L };
	struct twtrace_bpf *s = t->skel;

	twtrace_bpf__detach(s);
	(void) nanosleep(&settle, NULL);
	/* After this both maps must be drained: the next drain takes the live one. */
	if (t->rb)
		(void) ring_buffer__consume(t->rb);
}

int tracer_close_wait(struct tracer *t, tracer_cw_fn fn, void *data)
{
	_cleanup_free_ char *buf = NULL;
	const struct twt_cw *cws;
	struct bpf_link *link;
	size_t len = 0, n;
	int fd, r;

	link = bpf_program__attach_iter(t->skel->progs.list_close_wait, NULL);
	if (!link)
		return -errno;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		r = -errno;
	} else {
		r = read_fd_all(fd, CW_READ_MAX, &buf, &len);
		close(fd);
	}
	bpf_link__destroy(link);
	if (r < 0)
		return r;
	/* A whole number of records, or the program and this file disagree. */
	if (len % sizeof(struct twt_cw))
		return -EBADMSG;
	/* malloc'ed: aligned for any record. */
	cws = (const struct twt_cw *)(void *)buf;
	n = len / sizeof(struct twt_cw);
	for (size_t i = 0; i < n; i++)
		fn(&cws[i], data);
	return (int)n;
}

uint64_t tracer_missed(struct tracer *t)
{
	struct bpf_program *p;
	uint64_t sum = 0;

	bpf_object__for_each_program(p, t->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(p);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) < 0)
			continue;
		sum += info.recursion_misses;
	}
	return sum;
}

uint64_t tracer_counter(struct tracer *t, unsigned int idx)
{
	__u64 v = 0;
	__u32 k = idx;

	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.counters), &k, &v) < 0)
		return 0;
	return v;
}

struct tracer *tracer_free(struct tracer *t)
{
	if (!t)
		return NULL;
	ring_buffer__free(t->rb);
	twtrace_bpf__destroy(t->skel);
	free(t->keys);
	free(t->vals);
	free(t->slots);
	free(t->zeros);
	free(t);
	return NULL;
}
