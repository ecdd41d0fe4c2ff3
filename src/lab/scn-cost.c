// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario cost: what N TIME_WAIT sockets cost — slab object size times
 * count and the measured (global) slab delta, connect()+accept() latency
 * of new connections with and without them, and the census time.
 */
#include "lab/lab.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"
#include "util.h"

/*
 * 127.0.0.1:9000-9015: 16 x 64512 ports of room. The port search of
 * connect() gets slow as one destination's range fills up, so 200k sockets
 * are spread thin enough to be built well inside the 60 s TIME_WAIT life.
 */
#define DESTS 16
#define BUILD_MAX_S 45		/* after this, the first TIME_WAIT sockets would start to expire */
#define LAT_SAMPLES 300

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* connect()+accept() latency of n new connections to :9000 (client closes after). */
/* Entries of /proc/self/fd, the descriptors this process holds. */
static int64_t count_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int64_t n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the opendir() descriptor itself */
}

static int latency(const struct lab_env *env, int lfd, int n, double *ret_p50_us, double *ret_p99_us)
{
	uint64_t *lat;
	int got = 0, fd, afd, r = 0;

	lat = calloc((size_t)n, sizeof(*lat));
	if (!lat)
		return -ENOMEM;
	while (got < n && lab_time_left(env)) {
		uint64_t t0 = now_ns();

		r = labnet_connect(9000, NULL, &fd);
		if (r < 0)
			break;
		afd = labnet_accept(lfd, 2000);
		lat[got++] = now_ns() - t0;
		if (afd < 0) {
			(void) close(fd);
			r = afd;
			break;
		}
		(void) close(fd);
		(void) labnet_wait_eof(afd, 2000);
		(void) close(afd);
	}
	if (got) {
		qsort(lat, (size_t)got, sizeof(*lat), cmp_u64);
		*ret_p50_us = (double)lat[got / 2] / 1e3;
		*ret_p99_us = (double)lat[(size_t)got * 99 / 100] / 1e3;
	}
	free(lat);
	return r < 0 ? r : got;
}

static int64_t slab_objects(void)
{
	_cleanup_free_ char *buf = NULL;
	uint64_t v;

	if (read_small_file("/sys/kernel/slab/tw_sock_TCP/objects", 4096, &buf) < 0)
		return -1;
	buf[strcspn(buf, " \n")] = '\0';
	return safe_atou64(buf, &v) < 0 ? -1 : (int64_t)v;
}

static int64_t meminfo_slab_kb(void)
{
	_cleanup_free_ char *buf = NULL;
	unsigned long long kb;
	char *p;

	if (read_small_file("meminfo", 65536, &buf) < 0)
		return -1;
	p = strstr(buf, "\nSlab:");
	if (!p || sscanf(p + 6, "%llu", &kb) != 1)
		return -1;
	return (int64_t)kb;
}

static int run(struct lab_env *env, struct lab_result *res)
{
	uint64_t n = env->cost_n ? env->cost_n : (env->quick ? 20000 : 200000);
	int lat_n = env->quick ? 100 : LAT_SAMPLES;
	double p50_0 = 0, p99_0 = 0, p50_1 = 0, p99_1 = 0;
	int64_t obj0, obj1, slab0, slab1, base;
	uint64_t objsize = 0, made = 0, t0, build_ns;
	int lfd[DESTS], r, err = 0;
	struct collect_result cr;
	char buf[32];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(n * 2 + 10000));
	/* tcp_tw_reuse=0: the default (2) would recycle loopback TIME_WAIT after 1 s */
	if (lab_sysctl_set(env, res, "net.ipv4.ip_local_port_range", "1024 65535") < 0 ||
	    lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "0") < 0 ||
	    lab_sysctl_set(env, res, "net.ipv4.tcp_max_tw_buckets", buf) < 0)
		return lab_fail(res, -errno, "cannot set the sysctls");
	for (int d = 0; d < DESTS; d++) {
		lfd[d] = labnet_listen((uint16_t)(9000 + d), false, 4096);
		if (lfd[d] < 0)
			return lab_fail(res, lfd[d], "cannot listen on 127.0.0.1:%d", 9000 + d);
	}
	lab_setup_note(res, "client closes first toward 127.0.0.1:9000-9015 (round robin)");
	lab_obs_int(res, "n", (int64_t)n);
	if (ksettings_slab_objsize("tw_sock_TCP", &objsize) == 0)
		lab_obs_int(res, "slab_tw_sock_TCP_object_bytes", (int64_t)objsize);

	r = latency(env, lfd[0], lat_n, &p50_0, &p99_0);
	if (r < 0)
		return lab_fail(res, r, "baseline connections failed");
	base = r;
	obj0 = slab_objects();
	slab0 = meminfo_slab_kb();
	lab_log(env, "building %llu TIME_WAIT sockets", (unsigned long long)n);
	t0 = now_ns();
	while (made < n && lab_time_left(env) && now_ns() - t0 < BUILD_MAX_S * NSEC_PER_SEC) {
		int d = (int)(made % DESTS);

		r = labnet_cycle(lfd[d], (uint16_t)(9000 + d), NULL, LABNET_CLIENT_FIRST);
		if (r < 0) {
			err = r;
			break;
		}
		made++;
	}
	build_ns = now_ns() - t0;
	(void) lab_wait_tw(env, (int64_t)(made + (uint64_t)base), 2000);
	obj1 = slab_objects();
	slab1 = meminfo_slab_kb();
	lab_log(env, "built %llu in %.1f s", (unsigned long long)made, (double)build_ns / 1e9);
	r = lab_census(res, "census", &cr);
	if (r < 0)
		return lab_fail(res, r, "census failed");
	lab_obs_int(res, "built", (int64_t)made);
	lab_obs_str(res, "build_error", lab_errno_name(err));
	lab_obs_double(res, "build_s", (double)build_ns / 1e9, 2);
	lab_obs_double(res, "census_ms", (double)cr.duration_ns / 1e6, 1);
	lab_obs_double(res, "census_ns_per_socket", (double)cr.duration_ns / (double)(made + 1), 1);
	if (objsize) {
		lab_obs_int(res, "slab_bytes_computed", (int64_t)(objsize * made));
		lab_obs_double(res, "slab_mib_computed", (double)(objsize * made) / 1048576.0, 1);
	}
	/* both readings are global to the host: other namespaces add noise */
	lab_obs_str(res, "memory_scope", "global (whole host): /sys/kernel/slab/tw_sock_TCP/objects, /proc/meminfo Slab");
	if (obj0 >= 0 && obj1 >= 0) {
		lab_obs_int(res, "slab_objects_delta", obj1 - obj0);
		if (objsize)
			lab_obs_double(res, "slab_objects_delta_mib", (double)(obj1 - obj0) * (double)objsize / 1048576.0, 1);
	}
	if (slab0 >= 0 && slab1 >= 0) {
		lab_obs_int(res, "meminfo_slab_delta_kib", slab1 - slab0);
		if (made)
			lab_obs_double(res, "meminfo_slab_delta_bytes_per_tw", (double)(slab1 - slab0) * 1024.0 / (double)made, 0);
	}
	/* Every socket was close()d: a TIME_WAIT keeps no descriptor of the process (docs/kernel.md#tw-no-fd). */
	lab_obs_int(res, "open_fds_with_population", count_open_fds());
	lab_check_add(res, "open file descriptors while N TIME_WAIT exist", LAB_CMP_RANGE, 0,
		      DESTS + 16, count_open_fds());
	lab_expect_eq(res, "TIME_WAIT sockets built", (int64_t)n, (int64_t)made);
	lab_expect_eq(res, "census: TIME_WAIT", (int64_t)made + base, (int64_t)census_total(cr.census, TW_TIME_WAIT));
	lab_expect_eq(res, "sockstat tw", (int64_t)made + base, (int64_t)cr.sockstat.tcp_tw);
	if (objsize)
		lab_check_add(res, "tw_sock_TCP object size (bytes)", LAB_CMP_RANGE, 128, 512, (int64_t)objsize);
	collect_result_done(&cr);

	r = latency(env, lfd[0], lat_n, &p50_1, &p99_1);
	if (r < 0)
		return lab_fail(res, r, "connections with the population failed");
	lab_obs_double(res, "connect_accept_p50_us_without", p50_0, 1);
	lab_obs_double(res, "connect_accept_p99_us_without", p99_0, 1);
	lab_obs_double(res, "connect_accept_p50_us_with", p50_1, 1);
	lab_obs_double(res, "connect_accept_p99_us_with", p99_1, 1);
	lab_expect_eq(res, "new connections with the population", lat_n, r);
	for (int d = 0; d < DESTS; d++)
		(void) close(lfd[d]);
	return 0;
}

const struct lab_scenario lab_scn_cost = {
	.name = "cost",
	.question = "What do N TIME_WAIT sockets cost in memory, latency and census time?",
	.source = "docs/kernel.md#tw-memory, #tw-no-fd, #slabinfo-approx, #counting-cost",
	.expectation = "one tw_sock_TCP slab object (248 B, 256 with alignment, on 6.18) each, no fd, no full socket; "
		       "new connections still succeed",
	.timeout_s = 60,
	.timeout_full_s = 180,
	.run = run,
};
