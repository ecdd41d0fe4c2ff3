/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP state numbers as the kernel reports them (include/net/tcp_states.h), and their names. */
#ifndef TWSCOPE_TCPSTATE_H
#define TWSCOPE_TCPSTATE_H

#include <stddef.h>
#include <stdint.h>

enum tw_tcp_state {
	TW_ESTABLISHED = 1,
	TW_SYN_SENT = 2,
	TW_SYN_RECV = 3,
	TW_FIN_WAIT1 = 4,
	TW_FIN_WAIT2 = 5,
	TW_TIME_WAIT = 6,
	TW_CLOSE = 7,
	TW_CLOSE_WAIT = 8,
	TW_LAST_ACK = 9,
	TW_LISTEN = 10,
	TW_CLOSING = 11,
	TW_NEW_SYN_RECV = 12,
	TW_BOUND_INACTIVE = 13,
	TW_STATE_MAX = 14,
};

/* Every state a dump may ask for except LISTEN and BOUND_INACTIVE (bit 13 walks the bind table). */
#define TW_STATES_CONNECTED 0x1bfeu
#define TW_STATE_BIT(s) (1u << (s))

/* tcpstate_name() - "time_wait" style name, or NULL for an unknown number. */
const char *tcpstate_name(unsigned int state);

/* tcpstate_parse() - accept "time-wait", "time_wait", "TIME_WAIT", "tw"... Returns state or -EINVAL. */
int tcpstate_parse(const char *s);

/*
 * tcpstate_parse_list() - "time_wait,estab" as a mask of TW_STATE_BIT()s.
 * Every comma-separated item must be a state a filter can ask for (not
 * bound_inactive); an empty list or an empty item is an error, never "all".
 * Returns 0, or -EINVAL with *ret_bad_at the offset of the bad item in list.
 */
int tcpstate_parse_list(const char *list, uint32_t *ret_mask, size_t *ret_bad_at);

/* tcpstate_holds_port() - the states in which a client socket owns its local port. */
static inline int tcpstate_holds_port(unsigned int s)
{
	return s == TW_SYN_SENT || s == TW_ESTABLISHED || s == TW_FIN_WAIT1 ||
	       s == TW_FIN_WAIT2 || s == TW_CLOSE_WAIT || s == TW_LAST_ACK ||
	       s == TW_CLOSING || s == TW_TIME_WAIT;
}

#endif
