/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel <-> user ABI of twtrace.bpf.c: aggregation keys and values, the
 * ring-buffer event and the stable codes for event kinds and RST reasons.
 * Fixed layout, explicit padding, __u8..__u64 only; includes nothing.
 */
#ifndef TWSCOPE_TWTRACE_H
#define TWSCOPE_TWTRACE_H

#define TWT_COMM_LEN 16
#define TWT_AGG_MAX 10240	/* distinct aggregation keys per generation */
#define TWT_OWNER_MAX 10240	/* processes whose comm/cgroup are kept */
#define TWT_SLOTS_LOG2 6
#define TWT_SLOTS (1 << TWT_SLOTS_LOG2)	/* per-CPU cache slots per generation */

/* What happened. Values are ABI: never renumber. */
enum twt_kind {
	TWT_ACTIVE_CLOSE = 1,	/* ESTABLISHED -> FIN_WAIT1: this side closed first */
	TWT_PASSIVE_CLOSE = 2,	/* CLOSE_WAIT -> LAST_ACK: closed after the peer */
	TWT_CLOSE_WAIT = 3,	/* retired: CLOSE_WAIT sockets are listed, not counted */
	TWT_ABORT = 4,		/* RST sent by close()/disconnect (no TIME_WAIT) */
	TWT_CONNECT_FAIL = 5,	/* connect() failed for want of a local port (EADDRNOTAVAIL) */
	TWT_BIND_FAIL = 6,	/* bind() returned -EADDRINUSE */
	TWT_KIND_MAX,
};

/* Why an abortive close sent its RST (mapped from enum sk_rst_reason). */
enum twt_rst {
	TWT_RST_OTHER = 0,
	TWT_RST_UNREAD = 1,	/* close() with unread data: TCPAbortOnClose */
	TWT_RST_LINGER0 = 2,	/* SO_LINGER{1,0} close or disconnect: TCPAbortOnData */
	TWT_RST_LINGER2 = 3,	/* orphan in FIN_WAIT2 with TCP_LINGER2 < 0 */
	TWT_RST_MEMORY = 4,	/* orphan killed under memory pressure */
	TWT_RST_KEEPALIVE = 5,	/* keepalive timeout */
	TWT_RST_DATA = 6,	/* data arrived after close() */
	TWT_RST_MAX,
};

/* Key flags. */
#define TWT_F_SOFTIRQ 0x1	/* happened in interrupt context: no owner known */

/*
 * Key of the BPF aggregation maps: hashed and compared on every counted
 * event, so kept small (48 bytes, no padding). Of the two ports of a
 * connection only the lower one (the service port, in practice) is kept;
 * the other is 0, so ephemeral ports do not multiply the keys. The owner's
 * comm and cgroup are not part of it: they go to the owners map (by tgid)
 * when a key is new, and tracer.c joins them back into a struct twt_key.
 */
struct twt_akey {
	__u8 laddr[16];		/* v4 in the first 4 bytes */
	__u8 raddr[16];
	__u32 tgid;		/* 0 when TWT_F_SOFTIRQ */
	__u32 netns;		/* netns inode number */
	__u16 lport;		/* host byte order, 0 = folded/any */
	__u16 rport;
	__u8 kind;		/* enum twt_kind */
	__u8 reason;		/* enum twt_rst for TWT_ABORT, errno for *_FAIL */
	__u8 family;		/* AF_INET / AF_INET6 */
	__u8 flags;		/* TWT_F_* */
} __attribute__((aligned(8)));

/*
 * Keep only the service (lower) port of a connection, the other becomes 0:
 * ephemeral ports would multiply the keys. Shared by the BPF side and user
 * space so that CLOSE_WAIT groups fold like the counted events.
 */
static inline void twt_fold_ports(__u16 *lport, __u16 *rport)
{
	if (*lport && *rport) {
		if (*lport < *rport)
			*rport = 0;
		else
			*lport = 0;
	}
}

/* Value of the owners map (key: tgid): who that process was when last seen. */
struct twt_owner {
	__u64 cgroup;		/* cgroup v2 id of the task */
	__u8 comm[TWT_COMM_LEN];
};

/*
 * One aggregate as user space sees it: a struct twt_akey joined with its
 * struct twt_owner. Not used by the BPF side.
 */
struct twt_key {
	__u32 tgid;		/* 0 when TWT_F_SOFTIRQ */
	__u32 netns;		/* netns inode number */
	__u64 cgroup;		/* cgroup v2 id of the task, 0 when unknown */
	__u8 comm[TWT_COMM_LEN];
	__u16 kind;		/* enum twt_kind */
	__u16 reason;		/* enum twt_rst for TWT_ABORT, errno for *_FAIL */
	__u16 family;		/* AF_INET / AF_INET6 */
	__u16 flags;		/* TWT_F_* */
	__u16 lport;		/* host byte order, 0 = folded/any */
	__u16 rport;
	__u32 pad;
	__u8 laddr[16];		/* v4 in the first 4 bytes */
	__u8 raddr[16];
};

struct twt_val {
	__u64 count;
};

/*
 * A slot of the per-CPU cache in front of the aggregation hash: the first
 * key that hashes to it in a generation keeps it (count > 0) until user
 * space drains and zeroes the generation.
 */
struct twt_slot {
	struct twt_akey key;
	__u64 count;
};

/* One ring-buffer record per event (only with --events). */
struct twt_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 cgroup;
	__u32 tgid;
	__u32 pid;		/* thread id */
	__u32 netns;
	__u16 kind;
	__u16 reason;
	__u16 family;
	__u16 flags;
	__u16 lport;		/* host byte order, not folded */
	__u16 rport;
	__u8 comm[TWT_COMM_LEN];
	__u8 laddr[16];
	__u8 raddr[16];
};

/* idle_ms when the kernel's HZ is unknown. */
#define TWT_IDLE_UNKNOWN 0xffffffffU

/* A socket in CLOSE_WAIT and the process holding it (list_close_wait record). */
struct twt_cw {
	__u64 ino;		/* socket inode */
	__u32 tgid;		/* process holding it (one of them, if shared) */
	__u32 netns;		/* netns inode number */
	__u32 idle_ms;		/* since the peer's last ACK: its FIN, unless we sent since */
	__u16 family;		/* AF_INET / AF_INET6 */
	__u16 lport;		/* host byte order */
	__u16 rport;
	__u16 pad;
	__u8 comm[TWT_COMM_LEN];
	__u8 laddr[16];
	__u8 raddr[16];
};

/* Indexes of the counters array map. */
enum twt_counter {
	TWT_CNT_RB_LOST = 0,	/* ring buffer reserve failed */
	TWT_CNT_AGG_FULL = 1,	/* aggregation map full: event not counted */
	TWT_CNT_RETIRED = 2,	/* was: CLOSE_WAIT map full */
	TWT_CNT_MAX = 4,
};

#endif
