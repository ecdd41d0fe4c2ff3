/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * User side of the twtrace BPF programs: probe the kernel, load and attach
 * the skeleton, drain the aggregation maps and the event ring buffer.
 * Returns -errno; never prints (libbpf messages go to a caller's hook).
 */
#ifndef TWSCOPE_TRACER_H
#define TWSCOPE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tracer;
struct twt_key;
struct twt_val;
struct twt_event;
struct twt_cw;

/* Called for each ring-buffer event; return non-zero to stop polling. */
typedef int (*tracer_event_fn)(const struct twt_event *e, void *data);
/* Called for each drained aggregate. */
typedef void (*tracer_agg_fn)(const struct twt_key *k, const struct twt_val *v, void *data);
/* Called for each socket currently in CLOSE_WAIT. */
typedef void (*tracer_cw_fn)(const struct twt_cw *cw, void *data);

struct tracer_opts {
	uint32_t tgid;		/* 0 = any */
	uint32_t netns_ino;	/* 0 = any */
	uint16_t port;		/* 0 = any; local or remote */
	const char *comm;	/* NULL = any; exact match, at most 15 bytes */
	/*
	 * Where bind() can only be watched through a syscall tracepoint (no
	 * BPF trampolines), which slows every system call of every task:
	 * attach it anyway. Otherwise bind() failures go untraced there.
	 */
	bool bind_syscalls;
	tracer_event_fn on_event; /* non-NULL enables the ring buffer */
	void *data;
};

/* What the running kernel let us attach (filled by tracer_open()). */
struct tracer_info {
	bool have_reset;	/* tcp_send_reset with reason: abortive closes */
	enum tracer_sys_hook {
		TRACER_SYS_FEXIT,	/* fexit on __sys_bind */
		TRACER_SYS_TP,		/* syscalls/sys_exit_bind */
		TRACER_SYS_RAW,		/* raw sys_exit (BTF, x86_64) */
		TRACER_SYS_NONE,	/* bind() not traced (see bind_syscalls) */
	} sys_hook;
};

/* tracer_sys_hook_name() - "fexit", "syscalls_tracepoints", "raw_syscalls" or "none". */
const char *tracer_sys_hook_name(enum tracer_sys_hook h);

/*
 * tracer_check_access() - can this process load tracing BPF programs here?
 * Returns 0; -EPERM with *ret_missing naming the missing capabilities; or
 * -ENOENT with *ret_missing = "BTF (/sys/kernel/btf/vmlinux)".
 */
int tracer_check_access(const char **ret_missing);

/* tracer_set_log() - receive libbpf's messages (one line each, no newline). */
void tracer_set_log(void (*fn)(const char *line));

/*
 * tracer_open() - probe, open, configure, load and attach the programs.
 * On failure errbuf names the step ("load", "attach tcp_send_reset", ...).
 * Returns 0 and *ret_t, -EPERM (missing privilege), -ENOTSUP (a required
 * tracepoint is missing; errbuf names it), -ENOMEM or another -errno.
 */
int tracer_open(const struct tracer_opts *o, struct tracer_info *ret_info,
		char *errbuf, size_t errlen, struct tracer **ret_t);

/*
 * tracer_poll() - wait up to timeout_ms for ring-buffer events and hand
 * them to on_event. Without --events it only sleeps. Returns the number of
 * events, -EINTR when a signal arrived, or -errno.
 */
int tracer_poll(struct tracer *t, int timeout_ms);

/*
 * tracer_drain() - switch the programs to the other aggregation map and
 * hand every entry of the previous one to fn, removing it. Returns the
 * number of entries or -errno.
 */
int tracer_drain(struct tracer *t, tracer_agg_fn fn, void *data);

/* tracer_stop() - detach all programs (no new events); drain afterwards. */
void tracer_stop(struct tracer *t);

/* tracer_close_wait() - walk the sockets currently in CLOSE_WAIT. Returns the count or -errno. */
int tracer_close_wait(struct tracer *t, tracer_cw_fn fn, void *data);

/*
 * tracer_missed() - tracepoint runs the kernel did not hand to a program
 * because it was already running on that CPU (a softirq interrupting it:
 * the programs' recursion_misses), summed. Most are state changes that
 * would not have been counted; it bounds how short the counts may be.
 */
uint64_t tracer_missed(struct tracer *t);

/* tracer_counter() - value of a TWT_CNT_* counter (summed), 0 on error. */
uint64_t tracer_counter(struct tracer *t, unsigned int idx);

/* tracer_free() - detach, destroy the skeleton. Accepts NULL; returns NULL. */
struct tracer *tracer_free(struct tracer *t);

static inline void tracer_freep(struct tracer **t)
{
	*t = tracer_free(*t);
}

#endif
