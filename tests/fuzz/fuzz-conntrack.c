// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the conntrack readers on untrusted bytes: one datagram fed to the
 * ctnetlink census and to the nf_tables NAT rule parser, and the text
 * parser of /proc/net/stat/nf_conntrack. Counts must stay consistent.
 */
#include <assert.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sanitizer/lsan_interface.h>

#include "conntrack/conntrack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * libnftnl takes an attribute of the wrong type or size for a broken
 * kernel ABI and calls exit() (its abi_breakage()). twscope hands it only
 * the kernel's own replies (nlkernel checks the sender), so there that
 * takes a kernel bug; here any bytes come, so this exit() ends the input,
 * not the run. What libnftnl had allocated is left behind, outside the
 * leak check. Any other exit() is the real one.
 */
static jmp_buf nftnl_exit;
static volatile int nftnl_armed;

void exit(int status)
{
	void (*real)(int);

	if (nftnl_armed) {
		nftnl_armed = 0;
		longjmp(nftnl_exit, 1);
	}
	*(void **)&real = dlsym(RTLD_NEXT, "exit");
	if (real)
		real(status);
	_exit(status);
}

static void parse_rules(struct nat_rules *rules, const uint8_t *buf, size_t size)
{
	__lsan_disable();
	if (!setjmp(nftnl_exit)) {
		nftnl_armed = 1;
		(void)natpool_parse_buf(rules, buf, size);
	}
	nftnl_armed = 0;
	__lsan_enable();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* malloc'ed: aligned like the receive buffer, and ASan sees its end */
	uint8_t *buf = malloc(size ? size : 1);
	struct nat_rules *rules = calloc(1, sizeof(*rules));
	struct ct_census c;
	struct ct_stats st;
	char *text;

	if (!buf || !rules || ct_census_init(&c) < 0) {
		free(buf);
		free(rules);
		return 0;
	}
	memcpy(buf, data, size);
	(void)ct_census_parse_buf(&c, buf, size, NULL);
	assert(c.snat <= c.entries);
	assert(c.tcp[CT_TCP_TIME_WAIT] <= c.proto[CT_PROTO_TCP]);
	ct_census_done(&c);
	parse_rules(rules, buf, size);
	assert(rules->n <= NATPOOL_MAX_RULES);
	for (size_t i = 0; i < rules->n; i++)
		assert(!rules->rule[i].have_ports || rules->rule[i].port_lo <= rules->rule[i].port_hi);
	free(rules);
	free(buf);
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		(void)ct_stats_parse(text, &st);
		free(text);
	}
	return 0;
}
