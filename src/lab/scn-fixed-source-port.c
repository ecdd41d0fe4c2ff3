// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario fixed-source-port: a client bound to a fixed local port
 * (cannot rebind it, cannot reach another server, reconnects when the server
 * closed first), and how TIME_WAIT left by bind() before
 * connect() pins a port for every destination while
 * IP_BIND_ADDRESS_NO_PORT restores per-destination sharing.
 */
#include "lab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "ksettings.h"
#include "lab/labnet.h"
#include "util.h"

#define MAX_TRIES 400

/* A fixed-port client that closes first; leaves client-side TIME_WAIT on bind_port. */
static int fixed_cycle(int lfd, uint16_t dport, uint16_t bind_port, bool reuse, enum labnet_closer who)
{
	struct lab_conn_opts o = { .bind = true, .bind_port = bind_port, .reuseaddr = reuse };

	return labnet_cycle(lfd, dport, &o, who);
}

/* Only try bind() (and connect when asked): returns 0 or the first error. */
static int try_fixed(int lfd, uint16_t dport, uint16_t bind_port, bool reuse)
{
	int r = fixed_cycle(lfd, dport, bind_port, reuse, LABNET_CLIENT_FIRST);

	return r < 0 ? r : 0;
}

static int cases_fixed(struct lab_env *env, struct lab_result *res, int l0, int l1)
{
	struct tw_counters *c0, *c1;
	int r;

	/* case 2: bound client (no SO_REUSEADDR) closes first, then reconnects */
	r = fixed_cycle(l0, 9000, 45000, false, LABNET_CLIENT_FIRST);
	if (r < 0)
		return lab_fail(res, r, "first fixed-port connection failed");
	r = try_fixed(l0, 9000, 45000, false);
	lab_obs_str(res, "case2_plain_rebind_same_dst", lab_errno_name(r));
	lab_expect_errno(res, "case 2: rebind 45000 (TIME_WAIT, no SO_REUSEADDR)", EADDRINUSE, r);
	r = try_fixed(l0, 9000, 45000, true);
	lab_obs_str(res, "case2_new_reuseaddr_only", lab_errno_name(r));
	lab_expect_errno(res, "case 2: rebind 45000 with SO_REUSEADDR on the new socket only", EADDRINUSE, r);
	/* case 3: the same port toward a brand new server */
	r = try_fixed(l1, 9001, 45000, false);
	lab_obs_str(res, "case3_plain_other_dst", lab_errno_name(r));
	lab_expect_errno(res, "case 3: bind 45000 to reach another server", EADDRINUSE, r);

	/* case 2 with SO_REUSEADDR on both sockets: the bind()+connect bypass (docs/kernel.md#bind-connect-bypass) */
	r = fixed_cycle(l0, 9000, 45001, true, LABNET_CLIENT_FIRST);
	if (r < 0)
		return lab_fail(res, r, "fixed-port connection with SO_REUSEADDR failed");
	c0 = lab_counters();
	r = try_fixed(l0, 9000, 45001, true);
	c1 = lab_counters();
	lab_obs_str(res, "case2_reuseaddr_both_same_dst", lab_errno_name(r));
	lab_expect_errno(res, "case 2: SO_REUSEADDR on both, same destination, tcp_tw_reuse=0", 0, r);
	lab_expect_eq(res, "case 2: TcpExt.TWRecycled delta (TIME_WAIT taken over)", 1,
		      lab_delta(c0, c1, "TcpExt.TWRecycled"));
	tw_counters_free(c0);
	tw_counters_free(c1);
	r = try_fixed(l1, 9001, 45001, true);
	lab_obs_str(res, "case3_reuseaddr_both_other_dst", lab_errno_name(r));
	lab_expect_errno(res, "case 3: SO_REUSEADDR on both, another server", 0, r);

	/* case 5: the server closes first; the bound client reconnects twice */
	for (int i = 0; i < 3; i++) {
		r = fixed_cycle(l0, 9000, 45002, false, LABNET_SERVER_FIRST);
		if (r < 0)
			break;
		lab_sleep_ms(env, 20);
	}
	r = r < 0 ? r : 0;
	lab_obs_str(res, "case5_server_closes_first_reconnects", lab_errno_name(r));
	lab_expect_errno(res, "case 5: server closed first, fixed port reconnects 3 times", 0, r);
	return 0;
}

static int pins(struct lab_env *env, struct lab_result *res, int l0, int l1)
{
	struct lab_conn_opts bind0 = { .bind = true };
	uint8_t bound[100] = {};
	int n_bound = 0, n_auto = 0, n_other = 0, overlap = 0, err = 0, r;

	lab_phase(res, "bind(0)+connect() and plain connect() pin ports");
	if (lab_sysctl_set(env, res, "net.ipv4.ip_local_port_range", "40000 40099") < 0)
		return lab_fail(res, -errno, "cannot set the port range");
	for (int i = 0; i < 50; i++) {
		r = labnet_cycle(l0, 9000, &bind0, LABNET_CLIENT_FIRST);
		if (r < 0)
			break;
		bound[r - 40000] = 1;
		n_bound++;
	}
	for (int i = 0; i < 50; i++) {
		if (labnet_cycle(l0, 9000, NULL, LABNET_CLIENT_FIRST) < 0)
			break;
		n_auto++;
	}
	while (n_other < MAX_TRIES && lab_time_left(env)) {
		r = labnet_cycle(l1, 9001, NULL, LABNET_CLIENT_FIRST);
		if (r < 0) {
			err = r;
			break;
		}
		if (r >= 40000 && r <= 40099 && bound[r - 40000])
			overlap++;
		n_other++;
	}
	lab_obs_int(res, "pin_bind_then_connect_tw", n_bound);
	lab_obs_int(res, "pin_plain_connect_tw", n_auto);
	lab_obs_int(res, "pin_other_dst_connects", n_other);
	lab_obs_int(res, "pin_other_dst_on_bind_ports", overlap);
	lab_expect_eq(res, "pins: setup TIME_WAIT (50 bind()+connect, 50 connect)", 100, n_bound + n_auto);
	lab_expect_eq(res, "pins: connects to another destination", 50, n_other);
	lab_expect_eq(res, "pins: of those, on ports with bind()+connect TIME_WAIT", 0, overlap);
	lab_expect_errno(res, "pins: then connect()", EADDRNOTAVAIL, err);
	return 0;
}

static int sharing(struct lab_env *env, struct lab_result *res, int l0, int l1, bool no_port)
{
	struct lab_conn_opts o = { .bind = true, .bind_no_port = no_port };
	int n[2] = { 0, 0 }, err = 0, r = 0;

	lab_phase(res, no_port ? "IP_BIND_ADDRESS_NO_PORT: ports per destination" :
				 "bind(0)+connect(): ports shared by destinations");
	if (lab_sysctl_set(env, res, "net.ipv4.ip_local_port_range", no_port ? "42000 42099" : "41000 41099") < 0)
		return lab_fail(res, -errno, "cannot set the port range");
	/* 100 to :9000 then 100 to :9001, stop at the first error */
	for (int d = 0; d < 2 && !err; d++) {
		for (int i = 0; i < 100 && lab_time_left(env); i++) {
			r = labnet_cycle(d ? l1 : l0, (uint16_t)(9000 + d), &o, LABNET_CLIENT_FIRST);
			if (r < 0) {
				err = r;
				break;
			}
			n[d]++;
		}
	}
	if (!err) {
		r = labnet_cycle(l1, 9001, &o, LABNET_CLIENT_FIRST);
		err = r < 0 ? r : 0;
	}
	if (no_port) {
		lab_obs_int(res, "no_port_total_connects", n[0] + n[1]);
		lab_obs_str(res, "no_port_then", lab_errno_name(err));
		lab_expect_eq(res, "IP_BIND_ADDRESS_NO_PORT: connects over 2 destinations, 100 ports", 200, n[0] + n[1]);
		lab_expect_errno(res, "IP_BIND_ADDRESS_NO_PORT: 201st connect()", EADDRNOTAVAIL, err);
	} else {
		lab_obs_int(res, "bind0_total_connects", n[0] + n[1]);
		lab_obs_str(res, "bind0_then", lab_errno_name(err));
		lab_expect_eq(res, "bind(0)+connect: connects over 2 destinations, 100 ports", 100, n[0] + n[1]);
		lab_expect_errno(res, "bind(0)+connect: then bind()", EADDRINUSE, err);
	}
	return 0;
}

static int run(struct lab_env *env, struct lab_result *res)
{
	int l0, l1, r;

	lab_phase(res, "fixed source port cases");
	if (lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "0") < 0)
		return lab_fail(res, -errno, "cannot set tcp_tw_reuse");
	l0 = labnet_listen(9000, false, 4096);
	l1 = labnet_listen(9001, false, 4096);
	if (l0 < 0 || l1 < 0)
		return lab_fail(res, l0 < 0 ? l0 : l1, "cannot listen on 127.0.0.1:9000-9001");
	lab_setup_note(res, "client bind(127.0.0.1:45000..45002) with and without SO_REUSEADDR");
	lab_setup_note(res, "bind(127.0.0.1:0) before connect(); IP_BIND_ADDRESS_NO_PORT");
	r = cases_fixed(env, res, l0, l1);
	if (r == 0)
		r = pins(env, res, l0, l1);
	if (r == 0)
		r = sharing(env, res, l0, l1, false);
	if (r == 0)
		r = sharing(env, res, l0, l1, true);
	(void) close(l0);
	(void) close(l1);
	return r;
}

const struct lab_scenario lab_scn_fixed_source_port = {
	.name = "fixed-source-port",
	.question = "Can a client bound to a fixed port reconnect, and do bind()-before-connect TIME_WAITs pin ports?",
	.source = "docs/kernel.md#bind-connect-bypass, #bind-before-connect, #ip-bind-address-no-port, "
		  "#reuseaddr-restart",
	.expectation = "a fixed port in client TIME_WAIT cannot be bound again (any destination) "
		       "unless both sockets set SO_REUSEADDR; after a server-side close it reconnects; "
		       "bind()+connect TIME_WAIT pins its port for every destination, "
		       "IP_BIND_ADDRESS_NO_PORT shares ports per destination",
	.timeout_s = 20,
	.timeout_full_s = 20,
	.run = run,
};
