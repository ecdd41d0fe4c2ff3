/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * facts: everything doctor's rules look at, collected from the live system
 * (current netns) or loaded from a saved JSON bundle (bundle/bundle.h). Each piece
 * records whether it could be read, so a rule with missing input says
 * "unknown". Collection only: no rules, no printing.
 */
#ifndef TWSCOPE_FACTS_H
#define TWSCOPE_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "census.h"
#include "conntrack/ctproc.h"
#include "ksettings.h"
#include "doctor/recipes.h"
#include "doctor/sysctlconf.h"

#define FACTS_MAX_DESTS 50		/* worst destinations kept */
#define FACTS_MAX_SERVERS 50		/* largest server ports kept */
#define FACTS_MAX_CW_PORTS 32		/* CLOSE_WAIT local ports kept */
#define FACTS_MAX_LISTEN_SHOWN 16	/* listening ports in the range kept */
#define FACTS_MAX_OWNERS 16		/* CLOSE_WAIT owning processes kept */
#define FACTS_MAX_CW_INODES 8192	/* CLOSE_WAIT sockets mapped to processes */
#define FACTS_CW_STALE_MS 60000		/* CLOSE_WAIT this long without a segment from the peer */
#define FACTS_TW_OBJSIZE_FALLBACK 256	/* docs/kernel.md#tw-memory, slab unreadable */
#define FACTS_ADDR_LEN 46		/* INET6_ADDRSTRLEN */
#define FACTS_COMM_LEN 48		/* TASK_COMM_LEN, or 15 U+FFFD in a saved bundle */
#define FACTS_CGROUP_LEN 128		/* cgroup v2 path of a culprit, cut */
#define FACTS_MAX_CULPRITS 4		/* process groups kept per hot destination */
#define FACTS_MAX_CULPRIT_DESTS 4	/* hot destinations whose processes are looked up */
#define FACTS_CULPRIT_MIN_PCT 50.0	/* "hot": used or projected use at least this */
#define FACTS_MAX_LISTENER_PORTS 4	/* server ports with TIME_WAIT whose listener is named */

/* The sysctls doctor reads (per netns, docs/kernel.md#per-netns). */
#define FACTS_SYSCTLS(X)                                                     \
	X(TW_REUSE, "net.ipv4.tcp_tw_reuse")                                 \
	X(TW_REUSE_DELAY, "net.ipv4.tcp_tw_reuse_delay")                     \
	X(MAX_TW_BUCKETS, "net.ipv4.tcp_max_tw_buckets")                     \
	X(PORT_RANGE, "net.ipv4.ip_local_port_range")                        \
	X(RESERVED_PORTS, "net.ipv4.ip_local_reserved_ports")                \
	X(FIN_TIMEOUT, "net.ipv4.tcp_fin_timeout")                           \
	X(TIMESTAMPS, "net.ipv4.tcp_timestamps")                             \
	X(RFC1337, "net.ipv4.tcp_rfc1337")                                   \
	X(TW_RECYCLE, "net.ipv4.tcp_tw_recycle")                             \
	X(CT_TW_TIMEOUT, "net.netfilter.nf_conntrack_tcp_timeout_time_wait") \
	X(CT_COUNT, "net.netfilter.nf_conntrack_count")                      \
	X(CT_MAX, "net.netfilter.nf_conntrack_max")

#define FACTS_SYSCTL_ENUM(id, name) FS_##id,
enum facts_sysctl_id { FACTS_SYSCTLS(FACTS_SYSCTL_ENUM) FS_MAX };
#undef FACTS_SYSCTL_ENUM

/* The counters doctor reads ("TcpExt.X" from netstat, "Tcp.X" from snmp). */
#define FACTS_COUNTERS(X)                                  \
	X(TW, "TcpExt.TW")                                 \
	X(TW_RECYCLED, "TcpExt.TWRecycled")                \
	X(TW_KILLED, "TcpExt.TWKilled")                    \
	X(TW_OVERFLOW, "TcpExt.TCPTimeWaitOverflow")       \
	X(PAWS_TIMEWAIT, "TcpExt.PAWSTimewait")            \
	X(PAWS_ESTAB, "TcpExt.PAWSEstab")                  \
	X(PAWS_ACTIVE, "TcpExt.PAWSActive")                \
	X(PAWS_PASSIVE, "TcpExt.PAWSPassive")              \
	X(ABORT_ON_DATA, "TcpExt.TCPAbortOnData")          \
	X(ABORT_ON_CLOSE, "TcpExt.TCPAbortOnClose")        \
	X(ABORT_ON_LINGER, "TcpExt.TCPAbortOnLinger")      \
	X(SYN_RETRANS, "TcpExt.TCPSynRetrans")             \
	X(ACK_SKIPPED_TW, "TcpExt.TCPACKSkippedTimeWait")  \
	X(ACTIVE_OPENS, "Tcp.ActiveOpens")                 \
	X(PASSIVE_OPENS, "Tcp.PassiveOpens")               \
	X(ATTEMPT_FAILS, "Tcp.AttemptFails")               \
	X(ESTAB_RESETS, "Tcp.EstabResets")                 \
	X(OUT_RSTS, "Tcp.OutRsts")

#define FACTS_COUNTER_ENUM(id, name) FC_##id,
enum facts_counter_id { FACTS_COUNTERS(FACTS_COUNTER_ENUM) FC_MAX };
#undef FACTS_COUNTER_ENUM

struct facts_sysctl {
	bool present;		/* the kernel has it and it was read */
	bool error;		/* it exists but could not be read */
	char *value;		/* whitespace folded; NULL unless present */
};

struct facts_counter {
	bool have;		/* present in the (second) sample */
	uint64_t value;		/* since boot */
	bool have_delta;	/* present in both samples */
	uint64_t delta;		/* growth during the interval */
};

/* Processes with one comm and cgroup holding live sockets toward a destination. */
struct facts_culprit {
	int pid;			/* the lowest of the group */
	uint32_t pids;
	uint64_t sockets;
	enum tw_runtime runtime;
	char comm[FACTS_COMM_LEN];
	char cgroup[FACTS_CGROUP_LEN];	/* "" when unknown */
};

struct facts_dest {
	char local[FACTS_ADDR_LEN];
	char remote[FACTS_ADDR_LEN];
	uint16_t remote_port;
	uint64_t held;
	uint64_t time_wait;
	uint64_t established;
	double util_pct;
	bool have_closes;		/* close history known (bundles before it lack it) */
	struct census_closes closes;
	bool culprits_scanned;		/* hot: its live sockets were mapped to processes */
	bool culprits_partial;		/* some processes could not be inspected (rights) */
	uint64_t live;			/* sockets toward it not in TIME_WAIT, in that scan */
	uint64_t unowned;		/* of which no visible process holds */
	size_t n_culprits;
	struct facts_culprit culprits[FACTS_MAX_CULPRITS];
};

struct facts_server {
	uint16_t port;
	uint64_t time_wait;
	uint64_t close_wait;
	uint64_t established;
	uint64_t total;
	bool listener_scanned;		/* the busiest TIME_WAIT ports: who listens */
	bool listening;
	int listener_pid;		/* 0 = none visible */
	char listener_comm[FACTS_COMM_LEN];
};

struct facts_cw_port {
	uint16_t port;		/* local port of the CLOSE_WAIT sockets */
	uint64_t count;
};

struct facts_owner {
	int pid;
	char comm[FACTS_COMM_LEN];
	uint16_t port;		/* one local port it holds CLOSE_WAIT on */
	uint64_t sockets;	/* its CLOSE_WAIT sockets */
};

struct facts_census {
	bool have;
	uint64_t states[14];	/* TW_STATE_MAX, both families */
	uint64_t tw_client;
	uint64_t tw_server;
	uint64_t tw_unknown;
	uint64_t fw2_orphan;	/* FIN_WAIT2 mini-sockets */
	uint64_t fw2_live;
	uint32_t range_lo;
	uint32_t range_hi;
	uint32_t range_size;
	uint32_t reserved_in_range;
	uint32_t listeners_in_range;
	uint32_t usable;
	size_t n_listen_in_range;
	uint16_t listen_in_range[FACTS_MAX_LISTEN_SHOWN];	/* first listening ports in the range */
	uint64_t dests_total;
	size_t n_dests;
	struct facts_dest dests[FACTS_MAX_DESTS];
	uint64_t servers_total;
	size_t n_servers;
	struct facts_server servers[FACTS_MAX_SERVERS];
};

struct facts_close_wait {
	bool have;		/* the CLOSE_WAIT dump ran */
	uint64_t total;
	/*
	 * Idle = since the peer's last ACK (tcp_info), i.e. since its FIN
	 * unless we sent data since: how long the application has left them.
	 */
	bool have_idle;		/* tcp_info came with the sockets */
	uint64_t oldest_idle_ms;
	uint64_t stale;		/* idle for FACTS_CW_STALE_MS or more */
	size_t n_ports;
	struct facts_cw_port ports[FACTS_MAX_CW_PORTS];
	bool owners_scanned;	/* the /proc/<pid>/fd scan ran */
	bool owners_partial;	/* some processes could not be inspected (rights) */
	size_t n_owners;
	struct facts_owner owners[FACTS_MAX_OWNERS];
};

#define FACTS_MAX_SNAT 8		/* SNAT groups kept, most used first */
#define FACTS_NAT_NAME_LEN 32		/* nft table/chain name of a pool's rule, cut */

/* One SNAT group (translated source IP, destination IP, port, protocol) and its pool. */
struct facts_snat_group {
	char nat_src[FACTS_ADDR_LEN];
	char dst[FACTS_ADDR_LEN];
	uint16_t dport;
	uint8_t l4proto;		/* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint64_t held;			/* conntrack entries = translated ports held */
	uint64_t time_wait;		/* of which in conntrack TIME_WAIT */
	uint64_t established;
	uint16_t seen_lo;		/* lowest and highest translated port seen */
	uint16_t seen_hi;
	bool pool_known;		/* false: several ranges, none covers the ports */
	bool pool_default;		/* no range in the rule: the kernel's default */
	uint16_t pool_lo;
	uint16_t pool_hi;
	uint32_t pool_size;		/* pool_hi - pool_lo + 1; 0 when unknown */
	bool random_fully;
	bool have_rule;			/* the pool came from a rule (named below) */
	bool rule_iptables;		/* an iptables MASQUERADE/SNAT target */
	bool rule_legacy;		/* ... in legacy iptables, not iptables-nft */
	bool rule_masquerade;		/* masquerade, else snat */
	char rule_table[FACTS_NAT_NAME_LEN];
	char rule_chain[FACTS_NAT_NAME_LEN];
	double util_pct;		/* held / pool_size */
	bool have_growth;		/* held was also sampled interval_ns earlier */
	uint64_t held_before;
};

/*
 * The conntrack table of the namespace (src/conntrack/): its census, the
 * per-CPU statistics and the SNAT groups. count/max are the sysctls
 * FS_CT_COUNT/FS_CT_MAX.
 */
struct facts_conntrack {
	bool loaded;			/* conntrack exists in this namespace */
	bool have_buckets;
	uint64_t buckets;		/* nf_conntrack_buckets */
	uint64_t objsize;		/* nf_conntrack slab object; 0 = unknown */
	uint64_t mem_total_bytes;	/* RAM, for sizing max and buckets; 0 = unknown */
	bool have_stats;
	uint32_t cpus;
	bool stat_present[CT_STAT_MAX];
	uint64_t stat[CT_STAT_MAX];	/* summed over CPUs, since boot */
	bool have_delta;		/* over the facts' interval */
	uint64_t stat_delta[CT_STAT_MAX];
	int census_err;			/* 0, or the errno (positive) the dump failed with */
	bool have_census;
	uint64_t entries;
	uint64_t tcp_time_wait;		/* entries in conntrack TIME_WAIT */
	bool have_tw_local;		/* the split below is known */
	uint64_t tcp_time_wait_local;	/* of which with an end on this host (the rest: forwarded) */
	uint64_t tcp_established;
	uint64_t snat;			/* SNAT'd entries */
	uint64_t snat_time_wait;
	int rules_err;			/* 0, or the errno (positive) the ruleset read failed with */
	bool have_rules;
	uint32_t nat_rules;		/* source-NAT rules found */
	uint64_t groups_total;		/* SNAT groups in the census */
	size_t n_groups;
	struct facts_snat_group groups[FACTS_MAX_SNAT];	/* most used first */
};

struct census;

#define FACTS_NSREF_VALUE_LEN 64
#define FACTS_NSREF_ENTER_LEN 320

/*
 * doctor -A: the host namespace's sysctls (what sysctl-drift compares with)
 * and who this namespace belongs to, for the fix. Not saved in bundles.
 */
struct facts_nsref {
	bool have_host;				/* host values were read */
	bool is_host;				/* this is the host namespace */
	bool host_present[FS_MAX];
	char host_value[FS_MAX][FACTS_NSREF_VALUE_LEN];
	char runtime[16];			/* "docker", "containerd", ... or "" */
	bool kubernetes;			/* a pod */
	char enter[FACTS_NSREF_ENTER_LEN];	/* command prefix that runs inside it */
};

struct tw_facts {
	char kernel[65];		/* uname -r; "" when unknown */
	char netns[128];		/* what --netns named, or "" */
	uint64_t interval_ns;		/* between the two counter samples; 0 = one sample */
	struct facts_sysctl sysctl[FS_MAX];
	bool have_counters;
	struct facts_counter counter[FC_MAX];
	bool have_sockstat;
	struct tw_sockstat sockstat;
	bool tw_objsize_measured;	/* false: FACTS_TW_OBJSIZE_FALLBACK */
	uint64_t tw_objsize;
	struct facts_census census;
	struct facts_close_wait close_wait;
	struct facts_conntrack ct;
	bool have_sysconf;
	struct sysconf sysconf;
	struct facts_nsref nsref;
	int local_port_range_opt;	/* IP_LOCAL_PORT_RANGE probed: 1 works, -1 not, 0 not probed */
};

/* facts_dest_outlook() - where a destination's use is heading (outlook.h). */
struct tw_outlook;
void facts_dest_outlook(const struct facts_census *c, const struct facts_dest *d,
			struct tw_outlook *ret);

/* facts_runtime_name() / facts_runtime_parse() - "go" or "" and back; -EINVAL if unknown. */
const char *facts_runtime_name(enum tw_runtime r);
int facts_runtime_parse(const char *s, enum tw_runtime *ret);

/*
 * facts_ct_first() / facts_ct_collect() - the conntrack facts of the current
 * netns: the first call samples the statistics and SNAT groups at the start
 * of the interval (into an opaque snapshot), the second takes the census,
 * the ruleset and the deltas. Missing rights or no conntrack are recorded,
 * not returned. 0 or -ENOMEM.
 */
struct facts_ct_snapshot;
int facts_ct_first(struct facts_ct_snapshot **ret);
int facts_ct_collect(struct facts_conntrack *ct, struct facts_ct_snapshot *first);
void facts_ct_snapshot_free(struct facts_ct_snapshot *s);

/* facts_init() - empty facts (nothing known). */
void facts_init(struct tw_facts *f);

/* facts_done() - free what facts own; f may be reused after facts_init(). */
void facts_done(struct tw_facts *f);

/* facts_sysctl_name() / facts_counter_name() - "net.ipv4.tcp_tw_reuse", "TcpExt.TW". */
const char *facts_sysctl_name(enum facts_sysctl_id id);
const char *facts_counter_name(enum facts_counter_id id);

/* facts_sysctl_int() - a present sysctl as one integer. false when absent or not a number. */
bool facts_sysctl_int(const struct tw_facts *f, enum facts_sysctl_id id, int64_t *ret);

/* facts_set_sysctl() - set a sysctl value (tests, bundles). 0 or -ENOMEM. */
int facts_set_sysctl(struct tw_facts *f, enum facts_sysctl_id id, const char *value);

/* facts_set_counter() - set a counter; has_delta false = no interval sample. */
void facts_set_counter(struct tw_facts *f, enum facts_counter_id id, uint64_t value, bool has_delta,
		       uint64_t delta);

/*
 * facts_collect() - read the live system of the current netns: sysctls,
 * counters twice interval_ns apart (0 = once), sockstat, the tw_sock_TCP
 * slab size, the census, CLOSE_WAIT owners and sysctl config files.
 * Missing pieces are recorded as missing, not errors.
 * Returns 0; -ENOMEM; or, when the census itself failed, its -errno in
 * *ret_census_err with 0 returned (the rules then say unknown).
 */
int facts_collect(struct tw_facts *f, uint64_t interval_ns, int *ret_census_err);

/*
 * facts_collect_with() - facts_collect() that summarises a census the caller
 * already took (serve's scrape) instead of walking the sockets again;
 * census NULL takes one, as facts_collect() does.
 */
int facts_collect_with(struct tw_facts *f, uint64_t interval_ns, const struct census *census,
		       int *ret_census_err);

#endif
