// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel side of `twscope trace`: counts active/passive/abortive TCP closes
 * and EADDRNOTAVAIL/EADDRINUSE failures per (process, netns, kind,
 * endpoint) in hash maps, lists sockets sitting in CLOSE_WAIT on demand,
 * and optionally streams each event through a ring buffer. No policy here.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "twtrace.h"

#define AF_INET 2
#define AF_INET6 10
#define AF_UNSPEC 0
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

/*
 * A small per-CPU cache in front of agg0/agg1, used by handle_set_state
 * only: a slot is picked by a cheap hash of the key and compared in a few
 * instructions, where the hash map runs jhash over 48 bytes. It is drained
 * with its generation. Only one program writes it, and a program never
 * nests into itself on one CPU (prog->active), so a slot has one writer.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TWT_SLOTS);
	__type(key, __u32);
	__type(value, struct twt_slot);
} slots0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, TWT_SLOTS);
	__type(key, __u32);
	__type(value, struct twt_slot);
} slots1 SEC(".maps");

/* comm and cgroup of the processes in the aggregation keys, by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TWT_OWNER_MAX);
	__type(key, __u32);
	__type(value, struct twt_owner);
} owners SEC(".maps");

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

/* A key new in this generation: say who its process is, then add it. */
static __noinline void record_new(void *map, struct twt_akey *k)
{
	struct twt_val one = { .count = 1 }, *v;

	if (k->tgid)
		note_owner(k->tgid);
	/* -EEXIST: a nested program added it meanwhile; count again. -E2BIG: full. */
	if (bpf_map_update_elem(map, k, &one, BPF_NOEXIST) == 0)
		return;
	v = bpf_map_lookup_elem(map, k);
	if (v)
		__sync_fetch_and_add(&v->count, 1);
	else
		count(TWT_CNT_AGG_FULL);
}

/* Count k, ports folded, in the live generation's hash map. */
static __always_inline void count_key(struct twt_akey *k, bool odd)
{
	struct twt_val *v;

	/*
	 * One constant map per branch, so that the verifier inlines each
	 * lookup; the barrier keeps clang from merging the two calls into
	 * one on a map pointer chosen at run time (a real helper call).
	 */
	if (odd) {
		v = bpf_map_lookup_elem(&agg1, k);
		barrier_var(v);
	} else {
		v = bpf_map_lookup_elem(&agg0, k);
		asm volatile("" ::: "memory");
	}
	if (v) {
		/*
		 * This CPU's slot: no other CPU writes it, and a program
		 * never nests into itself on one CPU (prog->active), while
		 * other programs count other kinds, i.e. other keys.
		 */
		v->count++;
		return;
	}
	record_new(odd ? (void *)&agg1 : (void *)&agg0, k);
}

/* Count k (event already filtered); ports in k are not folded yet. */
static __always_inline void record(struct twt_akey *k)
{
	if (emit_events)
		emit(k);
	twt_fold_ports(&k->lport, &k->rport);
	count_key(k, gen & 1);
}

static __always_inline bool same_key(const struct twt_akey *a, const struct twt_akey *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3] &&
	       x[4] == y[4] && x[5] == y[5];
}

/* record() through the per-CPU slot cache; handle_set_state only (see slots0). */
static __always_inline void record_cached(struct twt_akey *k)
{
	const __u64 *w = (const __u64 *)k;
	bool odd = gen & 1;
	struct twt_slot *s;
	__u32 idx;

	if (emit_events)
		emit(k);
	twt_fold_ports(&k->lport, &k->rport);
	idx = (__u32)(((w[0] ^ w[1] ^ w[2] ^ w[3] ^ w[4] ^ w[5]) * 0x9e3779b97f4a7c15ULL) >>
		      (64 - TWT_SLOTS_LOG2));
	if (odd) {
		s = bpf_map_lookup_elem(&slots1, &idx);
		barrier_var(s);
	} else {
		s = bpf_map_lookup_elem(&slots0, &idx);
		asm volatile("" ::: "memory");
	}
	if (s) {
		if (s->count && same_key(&s->key, k)) {
			s->count++;
			return;
		}
		if (!s->count) {
			if (k->tgid)
				note_owner(k->tgid);
			__builtin_memcpy(&s->key, k, sizeof(s->key));
			s->count = 1;
			return;
		}
	}
	count_key(k, odd);
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

/* Kernel HZ, for the idle time of CLOSE_WAIT sockets (0: config unknown). */
extern const unsigned int CONFIG_HZ __kconfig __weak;

/*
 * Sockets sitting in CLOSE_WAIT, with the process holding each: an
 * iterator over every open file of every process, run by user space when
 * it shows the list. Nothing is tracked per connection for this. A socket
 * in CLOSE_WAIT has an owner by definition (closing it leaves the state),
 * except in a listener's accept queue, which is not listed.
 */
SEC("iter/task_file")
int list_close_wait(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct twt_cw cw = {};
	struct socket *so;
	struct sock *sk;
	__u32 now, last;

	if (!task || !file)
		return 0;
	so = bpf_sock_from_file(file);
	if (!so)
		return 0;
	sk = so->sk;
	if (!sk || sk->__sk_common.skc_state != TCP_CLOSE_WAIT ||
	    sk->sk_protocol != IPPROTO_TCP)
		return 0;
	cw.family = sk->__sk_common.skc_family;
	if (cw.family != AF_INET && cw.family != AF_INET6)
		return 0;
	cw.tgid = task->tgid;
	if (targ_tgid && cw.tgid != targ_tgid)
		return 0;
	__builtin_memcpy(cw.comm, task->comm, sizeof(cw.comm));
	if (!comm_matches(cw.comm))
		return 0;
	cw.netns = sk->__sk_common.skc_net.net->ns.inum;
	if (targ_netns && cw.netns != targ_netns)
		return 0;
	cw.lport = sk->__sk_common.skc_num;
	cw.rport = bpf_ntohs(sk->__sk_common.skc_dport);
	if (!port_matches(cw.lport, cw.rport))
		return 0;
	if (cw.family == AF_INET) {
		__builtin_memcpy(cw.laddr, &sk->__sk_common.skc_rcv_saddr, 4);
		__builtin_memcpy(cw.raddr, &sk->__sk_common.skc_daddr, 4);
	} else {
		__builtin_memcpy(cw.laddr, &sk->__sk_common.skc_v6_rcv_saddr, 16);
		__builtin_memcpy(cw.raddr, &sk->__sk_common.skc_v6_daddr, 16);
	}
	cw.ino = file->f_inode->i_ino;
	/* rcv_tstamp: jiffies of the peer's last ACK, i.e. its FIN unless we sent since. */
	cw.idle_ms = TWT_IDLE_UNKNOWN;
	if (CONFIG_HZ) {
		now = (__u32)bpf_jiffies64();
		last = BPF_CORE_READ((struct tcp_sock *)sk, rcv_tstamp);
		cw.idle_ms = (__u32)((__u64)(now - last) * 1000 / CONFIG_HZ);
	}
	bpf_seq_write(ctx->meta->seq, &cw, sizeof(cw));
	return 0;
}

/*
 * SYN_SENT -> CLOSE in the connect() call of the task that holds the
 * socket, with no socket error: tcp_v4_connect()/tcp_v6_connect() gave up
 * between entering SYN_SENT and sending the SYN. Linux 6.18 gets there
 * when inet_hash_connect() finds no usable local port or 4-tuple
 * (-EADDRNOTAVAIL), and otherwise only when out of memory (-ENOMEM,
 * -ENOBUFS) or when a route by source port fails. A refused or timed-out
 * SYN sets sk_err before its SYN_SENT -> CLOSE; connect(AF_UNSPEC) on a
 * connecting socket (tcp_disconnect) is told apart by the caller's
 * address family. This replaces a syscall-exit hook, which on kernels
 * without BPF trampolines slows every system call of every task.
 */
static __always_inline void connect_failed(const struct sock *sk)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct twt_akey k = {};
	struct pt_regs *regs;
	__u16 ufamily = 0;

	if (!sk->sk_lock.owned || !task->tgid || sk->sk_err)
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs || regs->orig_ax != NR_CONNECT)
		return;
	if (bpf_probe_read_user(&ufamily, sizeof(ufamily), (const void *)regs->si) ||
	    ufamily == AF_UNSPEC)
		return;
	k.kind = TWT_CONNECT_FAIL;
	k.reason = EADDRNOTAVAIL;
	sk_endpoints(sk, &k);
	/* The port, if any, was already given back: only the destination counts. */
	k.lport = 0;
	if (targ_netns && k.netns != targ_netns)
		return;
	if (!port_matches(k.lport, k.rport))
		return;
	if (!fill_owner(&k, NULL))
		return;
	record(&k);
}

/*
 * About ten state changes per connection reach this program, which is
 * most of what tracing costs: the ones not wanted must return after
 * looking at the two state arguments only, and the wanted ones touch one
 * map each. Sockets sitting in CLOSE_WAIT are listed by list_close_wait()
 * on demand, not tracked here.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(handle_set_state, const struct sock *sk, int oldstate, int newstate)
{
	struct twt_akey k;

	if (oldstate == TCP_ESTABLISHED && newstate == TCP_FIN_WAIT1) {
		__builtin_memset(&k, 0, sizeof(k));
		k.kind = TWT_ACTIVE_CLOSE;
	} else if (oldstate == TCP_CLOSE_WAIT && newstate == TCP_LAST_ACK) {
		__builtin_memset(&k, 0, sizeof(k));
		k.kind = TWT_PASSIVE_CLOSE;
	} else {
		if (oldstate == TCP_SYN_SENT && newstate == TCP_CLOSE &&
		    sk->sk_protocol == IPPROTO_TCP)
			connect_failed(sk);
		return 0;
	}
	if (sk->sk_protocol != IPPROTO_TCP)
		return 0;
	sk_endpoints(sk, &k);
	if (targ_netns && k.netns != targ_netns)
		return 0;
	if (!port_matches(k.lport, k.rport))
		return 0;
	if (!fill_owner(&k, sk))
		return 0;
	record_cached(&k);
	return 0;
}

/* reason is the kernel's name (CO-RE: an enum value this kernel may lack). */
#define RST_IS(name) \
	(bpf_core_enum_value_exists(enum sk_rst_reason, name) && \
	 reason == bpf_core_enum_value(enum sk_rst_reason, name))

static __always_inline __u16 rst_reason(int reason)
{
	if (RST_IS(SK_RST_REASON_TCP_ABORT_ON_CLOSE))
		return TWT_RST_UNREAD;
	if (RST_IS(SK_RST_REASON_TCP_STATE) || RST_IS(SK_RST_REASON_TCP_DISCONNECT_WITH_DATA))
		return TWT_RST_LINGER0;
	if (RST_IS(SK_RST_REASON_TCP_ABORT_ON_LINGER))
		return TWT_RST_LINGER2;
	if (RST_IS(SK_RST_REASON_TCP_ABORT_ON_MEMORY))
		return TWT_RST_MEMORY;
	if (RST_IS(SK_RST_REASON_TCP_KEEPALIVE_TIMEOUT))
		return TWT_RST_KEEPALIVE;
	if (RST_IS(SK_RST_REASON_TCP_ABORT_ON_DATA))
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
 * A bind() failed with -EADDRINUSE: read its sockaddr now, from the
 * arguments still saved in the task's user registers. Doing it at exit
 * (instead of remembering it at entry in a map keyed by pid_tgid) keeps
 * the cost of the successful calls to a compare.
 */
static __always_inline void bind_failed(const void *uaddr, __u64 alen, long ret)
{
	struct twt_akey k = {};
	__u16 family;

	if (!uaddr || alen < 16)
		return;
	if (bpf_probe_read_user(&family, sizeof(family), uaddr))
		return;
	k.kind = TWT_BIND_FAIL;
	k.family = family;
	k.reason = -ret;
	if (family == AF_INET) {
		struct sockaddr_in sin;

		if (bpf_probe_read_user(&sin, sizeof(sin), uaddr))
			return;
		k.lport = bpf_ntohs(sin.sin_port);
		__builtin_memcpy(k.laddr, &sin.sin_addr, 4);
	} else if (family == AF_INET6 && alen >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		if (bpf_probe_read_user(&sin6, sizeof(sin6), uaddr))
			return;
		k.lport = bpf_ntohs(sin6.sin6_port);
		__builtin_memcpy(k.laddr, &sin6.sin6_addr, 16);
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
static __always_inline void bind_failed_regs(struct pt_regs *regs, long ret)
{
	bind_failed((const void *)BPF_CORE_READ(regs, si), BPF_CORE_READ(regs, dx), ret);
}

/*
 * Preferred hook: fexit on the syscall body runs only for bind(), while
 * the syscall tracepoints (or raw sys_exit) put every syscall of every
 * task on the tracing slow path. Needs BPF trampolines and BTF for the
 * function; user space falls back to the tracepoints below otherwise.
 */
SEC("fexit/__sys_bind")
int BPF_PROG(fexit_bind, int fd, void *uaddr, int addrlen, int ret)
{
	if (ret == -EADDRINUSE)
		bind_failed(uaddr, (__u64)addrlen, ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_bind")
int tp_exit_bind(struct trace_event_raw_sys_exit *ctx)
{
	if (ctx->ret == -EADDRINUSE)
		bind_failed_regs((struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf()),
				 ctx->ret);
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
	if (ret == -EADDRINUSE && regs->orig_ax == NR_BIND)
		bind_failed_regs(regs, ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
