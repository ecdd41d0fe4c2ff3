// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel side of `twscope trace`: counts active/passive/abortive TCP closes
 * and EADDRNOTAVAIL/EADDRINUSE syscall failures per (process, netns, kind,
 * endpoint) in hash maps, tracks sockets sitting in CLOSE_WAIT, and
 * optionally streams each event through a ring buffer. No policy here.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "twtrace.h"

#define AF_INET 2
#define AF_INET6 10
#define IPPROTO_TCP 6
#define EADDRINUSE 98
#define EADDRNOTAVAIL 99

/* x86_64 syscall numbers, for the raw sys_enter/sys_exit fallback. */
#define NR_CONNECT 42
#define NR_BIND 49

/* Configuration, set by user space before load. */
const volatile __u32 targ_tgid;
const volatile __u32 targ_netns;
const volatile __u16 targ_port;
const volatile bool targ_has_comm;
const volatile bool emit_events;
const volatile __u8 targ_comm[TWT_COMM_LEN];

/* Which aggregation map is live; user space flips it and drains the other. */
volatile __u32 gen;

/*
 * Aggregates, per CPU: no cross-CPU cache-line traffic on the counters;
 * user space sums the CPUs when it drains a generation.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TWT_AGG_MAX);
	__type(key, struct twt_akey);
	__type(value, struct twt_val);
} agg0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, TWT_AGG_MAX);
	__type(key, struct twt_akey);
	__type(value, struct twt_val);
} agg1 SEC(".maps");

/* comm and cgroup of the processes in the aggregation keys, by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TWT_OWNER_MAX);
	__type(key, __u32);
	__type(value, struct twt_owner);
} owners SEC(".maps");

/* Sockets in CLOSE_WAIT, key = sk: written on entry, deleted on exit only. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, TWT_CW_MAX);
	__type(key, __u64);
	__type(value, struct twt_cw);
} cw_socks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TWT_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} events SEC(".maps");

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);

	if (v)
		__sync_fetch_and_add(v, 1);
}

static __always_inline bool comm_matches(const __u8 *comm)
{
	if (!targ_has_comm)
		return true;
	for (int i = 0; i < TWT_COMM_LEN; i++) {
		if (comm[i] != targ_comm[i])
			return false;
		if (!comm[i])
			break;
	}
	return true;
}

static __always_inline __u32 task_netns(void)
{
	struct task_struct *t = (struct task_struct *)bpf_get_current_task();

	return BPF_CORE_READ(t, nsproxy, net_ns, ns.inum);
}

/*
 * Fill the identity part of a key from the current task, or mark it as
 * softirq when the task is not the socket's owner (sk NULL: a syscall, the
 * caller is the owner). In softirq or timer context the current task merely
 * happened to run on this CPU (bcc #2304/#2305). TCP changes the state of a
 * socket that a task holds with lock_sock() only in that task's context
 * (softirqs defer to the backlog, which release_sock() runs in the owner's
 * context), so "owned" means "current is the owner"; the idle task never
 * is. (__preempt_count would need CONFIG_KALLSYMS_ALL.) Task fields are
 * direct BTF loads, not helper calls; comm is read only for the --comm
 * filter (record() stores it with the cgroup when a key is new). Returns
 * false when the pid/comm filters reject the event.
 */
static __always_inline bool fill_owner(struct twt_akey *k, const struct sock *sk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u32 tgid = task->tgid;

	if (sk && (!sk->sk_lock.owned || !tgid)) {
		k->flags |= TWT_F_SOFTIRQ;
		return !targ_tgid && !targ_has_comm;
	}
	if (targ_tgid && tgid != targ_tgid)
		return false;
	k->tgid = tgid;
	if (targ_has_comm) {
		__u8 comm[TWT_COMM_LEN];

		/* comm is NUL-padded by __set_task_comm(): same bytes as the helper's. */
		__builtin_memcpy(comm, task->comm, sizeof(comm));
		if (!comm_matches(comm))
			return false;
	}
	return true;
}

/* Remember who tgid (the current task) is: comm and cgroup, for user space. */
static __always_inline void note_owner(__u32 tgid)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct twt_owner o;

	o.cgroup = bpf_get_current_cgroup_id();
	__builtin_memcpy(o.comm, task->comm, sizeof(o.comm));
	bpf_map_update_elem(&owners, &tgid, &o, BPF_ANY);
}

static __always_inline void emit(const struct twt_akey *k)
{
	struct task_struct *task;
	struct twt_event *e;
	__u64 flags = BPF_RB_NO_WAKEUP;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(TWT_CNT_RB_LOST);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	if (k->flags & TWT_F_SOFTIRQ) {
		e->cgroup = 0;
		e->pid = 0;
		__builtin_memset(e->comm, 0, sizeof(e->comm));
	} else {
		task = bpf_get_current_task_btf();
		e->cgroup = bpf_get_current_cgroup_id();
		e->pid = (__u32)bpf_get_current_pid_tgid();
		__builtin_memcpy(e->comm, task->comm, sizeof(e->comm));
	}
	e->tgid = k->tgid;
	e->netns = k->netns;
	e->kind = k->kind;
	e->reason = k->reason;
	e->family = k->family;
	e->flags = k->flags;
	e->lport = k->lport;
	e->rport = k->rport;
	__builtin_memcpy(e->laddr, k->laddr, sizeof(e->laddr));
	__builtin_memcpy(e->raddr, k->raddr, sizeof(e->raddr));
	/* Wake the reader only when a batch is waiting: cheap at high rates. */
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= (256 << 10))
		flags = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(e, flags);
}

/* Count k (event already filtered); ports in k are not folded yet. */
static __always_inline void record(struct twt_akey *k)
{
	struct twt_val one = { .count = 1 }, *v;
	void *map = gen & 1 ? (void *)&agg1 : (void *)&agg0;

	if (emit_events)
		emit(k);
	/* Keep only the service (lower) port: ephemeral ports would explode the keys. */
	if (k->lport && k->rport) {
		if (k->lport < k->rport)
			k->rport = 0;
		else
			k->lport = 0;
	}
	v = bpf_map_lookup_elem(map, k);
	if (v) {
		/*
		 * This CPU's slot: no other CPU writes it, and a program
		 * never nests into itself on one CPU (prog->active), while
		 * other programs count other kinds, i.e. other keys.
		 */
		v->count++;
		return;
	}
	/* A new key (in this generation): say who its process is. */
	if (k->tgid)
		note_owner(k->tgid);
	/* -EEXIST: a nested program added it meanwhile; count again. -E2BIG: full. */
	if (bpf_map_update_elem(map, k, &one, BPF_NOEXIST) == 0)
		return;
	v = bpf_map_lookup_elem(map, k);
	if (v)
		v->count++;
	else
		count(TWT_CNT_AGG_FULL);
}

static __always_inline bool port_matches(__u16 a, __u16 b)
{
	return !targ_port || a == targ_port || b == targ_port;
}

/*
 * Endpoints of a full socket into k. sk is a BTF pointer (tp_btf): plain
 * CO-RE field loads, no bpf_probe_read_kernel() call per field.
 */
static __always_inline void sk_endpoints(const struct sock *sk, struct twt_akey *k)
{
	k->family = sk->__sk_common.skc_family;
	k->lport = sk->__sk_common.skc_num;
	k->rport = bpf_ntohs(sk->__sk_common.skc_dport);
	k->netns = sk->__sk_common.skc_net.net->ns.inum;
	if (k->family == AF_INET) {
		__builtin_memcpy(k->laddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(k->raddr, &sk->__sk_common.skc_daddr, 4);
	} else {
		__builtin_memcpy(k->laddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(k->raddr, &sk->__sk_common.skc_v6_daddr, 16);
	}
}

/*
 * Remember a socket entering CLOSE_WAIT: where and since when. Its inode
 * (to find the owner) is not read here but by fill_cw_ino() when user
 * space lists the map: three dependent cache misses per connection saved.
 */
static __always_inline void cw_enter(const struct sock *sk, const struct twt_akey *k)
{
	struct twt_cw cw;
	__u64 key = (__u64)sk;

	cw.since_ns = bpf_ktime_get_ns();
	cw.ino = 0;
	cw.netns = k->netns;
	cw.family = k->family;
	cw.lport = k->lport;
	cw.rport = k->rport;
	cw.pad[0] = cw.pad[1] = cw.pad[2] = 0;
	__builtin_memcpy(cw.laddr, k->laddr, sizeof(cw.laddr));
	__builtin_memcpy(cw.raddr, k->raddr, sizeof(cw.raddr));
	if (bpf_map_update_elem(&cw_socks, &key, &cw, BPF_ANY))
		count(TWT_CNT_CW_FULL);
}

/*
 * Iterator over cw_socks, run by user space before it reads the map:
 * fills in the socket inode. An entry's socket is alive (it is deleted on
 * the way out of CLOSE_WAIT, before the socket can be freed); the reads
 * are bpf_probe_read_kernel() all the same.
 */
SEC("iter/bpf_map_elem")
int fill_cw_ino(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *key = ctx->key;
	struct twt_cw *cw = ctx->value;
	struct socket *so;

	if (!key || !cw || cw->ino)
		return 0;
	so = BPF_CORE_READ((struct sock *)*key, sk_socket);
	if (so)
		cw->ino = BPF_CORE_READ(container_of(so, struct socket_alloc, socket),
					vfs_inode.i_ino);
	return 0;
}

/*
 * About ten state changes per connection reach this program; three are
 * kept. The others must return after looking at the two state arguments
 * only: no load from the socket, no map access, no helper call.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock *sk, int oldstate, int newstate)
{
	struct twt_akey k;
	__u16 kind;

	if (oldstate == TCP_ESTABLISHED) {
		if (newstate == TCP_FIN_WAIT1)
			kind = TWT_ACTIVE_CLOSE;
		else if (newstate == TCP_CLOSE_WAIT)
			kind = TWT_CLOSE_WAIT;
		else
			return 0;
	} else if (oldstate == TCP_CLOSE_WAIT) {
		kind = newstate == TCP_LAST_ACK ? TWT_PASSIVE_CLOSE : 0;
	} else {
		return 0;
	}
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	if (oldstate == TCP_CLOSE_WAIT) {
		__u64 skp = (__u64)sk;

		bpf_map_delete_elem(&cw_socks, &skp);
	}
	if (!kind)
		return 0;
	__builtin_memset(&k, 0, sizeof(k));
	k.kind = kind;
	sk_endpoints(sk, &k);
	if (targ_netns && k.netns != targ_netns)
		return 0;
	if (!port_matches(k.lport, k.rport))
		return 0;
	if (kind == TWT_CLOSE_WAIT) {
		/* The peer's FIN is processed in softirq (or by whoever holds the lock). */
		cw_enter(sk, &k);
		k.flags |= TWT_F_SOFTIRQ;
		if (targ_tgid || targ_has_comm)
			return 0;
		record(&k);
		return 0;
	}
	if (!fill_owner(&k, sk))
		return 0;
	record(&k);
	return 0;
}

static __always_inline __u16 rst_reason(int reason)
{
	if (bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_CLOSE) &&
	    reason == bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_CLOSE))
		return TWT_RST_UNREAD;
	if (bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_STATE) &&
	    reason == bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_STATE))
		return TWT_RST_LINGER0;
	if (bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_DISCONNECT_WITH_DATA) &&
	    reason == bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_DISCONNECT_WITH_DATA))
		return TWT_RST_LINGER0;
	if (bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_LINGER) &&
	    reason == bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_LINGER))
		return TWT_RST_LINGER2;
	if (bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_MEMORY) &&
	    reason == bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_MEMORY))
		return TWT_RST_MEMORY;
	if (bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_KEEPALIVE_TIMEOUT) &&
	    reason == bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_KEEPALIVE_TIMEOUT))
		return TWT_RST_KEEPALIVE;
	if (bpf_core_enum_value_exists(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_DATA) &&
	    reason == bpf_core_enum_value(enum sk_rst_reason, SK_RST_REASON_TCP_ABORT_ON_DATA))
		return TWT_RST_DATA;
	return TWT_RST_OTHER;
}

/*
 * tcp_send_active_reset() passes skb == NULL: that is a RST we originate
 * for one of our sockets (close with unread data, SO_LINGER{1,0}, ...),
 * as opposed to a reply to a stray segment. User space disables this
 * program when the kernel's tracepoint lacks the reason argument.
 */
SEC("tp_btf/tcp_send_reset")
int BPF_PROG(handle_send_reset, const struct sock *sk, const struct sk_buff *skb, int reason)
{
	struct twt_akey k = {};

	if (!sk || skb)
		return 0;
	if (BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return 0;
	k.kind = TWT_ABORT;
	k.reason = rst_reason(reason);
	sk_endpoints(sk, &k);
	if (targ_netns && k.netns != targ_netns)
		return 0;
	if (!port_matches(k.lport, k.rport))
		return 0;
	if (!fill_owner(&k, sk))
		return 0;
	record(&k);
	return 0;
}

/*
 * A connect()/bind() failed with the error we look for: read its sockaddr
 * now, from the arguments still saved in the task's user registers. Doing
 * it at exit (instead of remembering it at entry in a map keyed by
 * pid_tgid) keeps the cost of the successful calls to a compare.
 */
static __always_inline void sys_failed(__u16 kind, const void *uaddr, __u64 alen, long ret)
{
	struct twt_akey k = {};
	__u16 family;

	if (!uaddr || alen < 16)
		return;
	if (bpf_probe_read_user(&family, sizeof(family), uaddr))
		return;
	k.kind = kind;
	k.family = family;
	k.reason = -ret;
	if (family == AF_INET) {
		struct sockaddr_in sin;

		if (bpf_probe_read_user(&sin, sizeof(sin), uaddr))
			return;
		if (kind == TWT_CONNECT_FAIL) {
			k.rport = bpf_ntohs(sin.sin_port);
			__builtin_memcpy(k.raddr, &sin.sin_addr, 4);
		} else {
			k.lport = bpf_ntohs(sin.sin_port);
			__builtin_memcpy(k.laddr, &sin.sin_addr, 4);
		}
	} else if (family == AF_INET6 && alen >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		if (bpf_probe_read_user(&sin6, sizeof(sin6), uaddr))
			return;
		if (kind == TWT_CONNECT_FAIL) {
			k.rport = bpf_ntohs(sin6.sin6_port);
			__builtin_memcpy(k.raddr, &sin6.sin6_addr, 16);
		} else {
			k.lport = bpf_ntohs(sin6.sin6_port);
			__builtin_memcpy(k.laddr, &sin6.sin6_addr, 16);
		}
	} else {
		return;
	}
	if (!port_matches(k.lport, k.rport))
		return;
	k.netns = task_netns();
	if (targ_netns && k.netns != targ_netns)
		return;
	if (!fill_owner(&k, NULL))
		return;
	record(&k);
}

/* The sockaddr and its length from the syscall's saved user registers. */
static __always_inline void sys_failed_regs(__u16 kind, struct pt_regs *regs, long ret)
{
	sys_failed(kind, (const void *)BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx), ret);
}

/*
 * Preferred hooks: fexit on the two syscall bodies runs only for connect()
 * and bind(), while the syscall tracepoints (or raw sys_exit) put every
 * syscall of every task on the tracing slow path. Needs BTF for both
 * functions; user space falls back to the tracepoints below otherwise.
 */
SEC("fexit/__sys_connect")
int BPF_PROG(fexit_connect, int fd, void *uaddr, int addrlen, int ret)
{
	if (ret == -EADDRNOTAVAIL)
		sys_failed(TWT_CONNECT_FAIL, uaddr, (__u64)addrlen, ret);
	return 0;
}

SEC("fexit/__sys_bind")
int BPF_PROG(fexit_bind, int fd, void *uaddr, int addrlen, int ret)
{
	if (ret == -EADDRINUSE)
		sys_failed(TWT_BIND_FAIL, uaddr, (__u64)addrlen, ret);
	return 0;
}

static __always_inline struct pt_regs *user_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

SEC("tracepoint/syscalls/sys_exit_connect")
int tp_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret == -EADDRNOTAVAIL)
		sys_failed_regs(TWT_CONNECT_FAIL, user_regs(), ctx->ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int tp_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret == -EADDRINUSE)
		sys_failed_regs(TWT_BIND_FAIL, user_regs(), ctx->ret);
	return 0;
}

/*
 * Fallback when tracefs (and so the per-syscall events) is not available:
 * the BTF raw syscall-exit tracepoint, filtered by return value first.
 * x86_64 only (syscall numbers, registers).
 */
SEC("tp_btf/sys_exit")
int BPF_PROG(raw_sys_exit, struct pt_regs *regs, long ret)
{
	long id;

	if (ret != -EADDRNOTAVAIL && ret != -EADDRINUSE)
		return 0;
	id = regs->orig_ax;
	if (id == NR_CONNECT && ret == -EADDRNOTAVAIL)
		sys_failed_regs(TWT_CONNECT_FAIL, regs, ret);
	else if (id == NR_BIND && ret == -EADDRINUSE)
		sys_failed_regs(TWT_BIND_FAIL, regs, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
