// SPDX-License-Identifier: GPL-2.0-or-later
/* TCP state names and parsing; pure table code. */
#include "tcpstate.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "util.h"

static const char *const names[TW_STATE_MAX] = {
	[TW_ESTABLISHED] = "established", [TW_SYN_SENT] = "syn_sent",
	[TW_SYN_RECV] = "syn_recv",	  [TW_FIN_WAIT1] = "fin_wait1",
	[TW_FIN_WAIT2] = "fin_wait2",	  [TW_TIME_WAIT] = "time_wait",
	[TW_CLOSE] = "close",		  [TW_CLOSE_WAIT] = "close_wait",
	[TW_LAST_ACK] = "last_ack",	  [TW_LISTEN] = "listen",
	[TW_CLOSING] = "closing",	  [TW_NEW_SYN_RECV] = "new_syn_recv",
	[TW_BOUND_INACTIVE] = "bound_inactive",
};

const char *tcpstate_name(unsigned int state)
{
	return state < TW_STATE_MAX ? names[state] : NULL;
}

int tcpstate_parse(const char *s)
{
	char norm[32];
	size_t i;

	for (i = 0; s[i] && i < sizeof(norm) - 1; i++)
		norm[i] = s[i] == '-' ? '_' : (char)tolower((unsigned char)s[i]);
	if (s[i])
		return -EINVAL;
	norm[i] = '\0';
	if (strcmp(norm, "tw") == 0)
		return TW_TIME_WAIT;
	if (strcmp(norm, "estab") == 0)
		return TW_ESTABLISHED;
	if (strcmp(norm, "fin_wait_1") == 0)
		return TW_FIN_WAIT1;
	if (strcmp(norm, "fin_wait_2") == 0)
		return TW_FIN_WAIT2;
	for (unsigned int st = 1; st < TW_STATE_MAX; st++)
		if (strcmp(norm, names[st]) == 0)
			return (int)st;
	return -EINVAL;
}

int tcpstate_parse_list(const char *list, uint32_t *ret_mask, size_t *ret_bad_at)
{
	uint32_t mask = 0;
	size_t at = 0;

	for (;;) {
		size_t n = strcspn(list + at, ",");
		char item[32];
		int st;

		if (n == 0 || n >= sizeof(item)) {
			*ret_bad_at = at;
			return -EINVAL;
		}
		memcpy(item, list + at, n);
		item[n] = '\0';
		st = tcpstate_parse(item);
		if (st < 0 || st == TW_BOUND_INACTIVE) {
			*ret_bad_at = at;
			return -EINVAL;
		}
		mask |= TW_STATE_BIT(st);
		at += n;
		if (!list[at])
			break;
		at++;	/* the comma */
	}
	*ret_mask = mask;
	return 0;
}
