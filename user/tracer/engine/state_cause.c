#include "tracer/engine/state_cause.h"

#include <stddef.h>

#include "common/util.h"
#include "tracer/proto/tcp_names.h"

#define ANY_STATE 0

/* One table of causes: the first row whose transition matches and whose
 * facts all hold wins. Transitions that only one event can make (RFC 9293
 * 3.10) need no fact; those another event could make too (a timeout, an
 * abort) need the segment that proves theirs. Linux records LISTEN ->
 * SYN_RECV when the handshake's last ACK creates the child socket, but the
 * event that began it is the SYN; FIN_WAIT2 -> CLOSE is the handover to a
 * timewait socket, made by the peer's FIN, or, for a socket the application
 * has closed already (an orphan), by the ACK of its own FIN: Linux hands
 * it over then, still in FIN_WAIT2 (tcp_rcv_state_process, with the
 * default tcp_fin_timeout), and the peer's FIN finds the timewait socket. */
static const struct {
	int old_state, new_state;
	unsigned facts;
	enum tl_state_cause cause;
} causes[] = {
    {ANY_STATE, TL_CLOSE, TL_FACT_PEER_RST, TL_CAUSE_RST},
    {TL_CLOSE, TL_SYN_SENT, 0, TL_CAUSE_CONNECT},
    {TL_SYN_SENT, TL_ESTABLISHED, 0, TL_CAUSE_SYN_ACK},
    {TL_SYN_SENT, TL_SYN_RECV, 0, TL_CAUSE_SYN},
    {TL_LISTEN, TL_SYN_RECV, 0, TL_CAUSE_SYN},
    {TL_SYN_RECV, TL_ESTABLISHED, 0, TL_CAUSE_ACK_OF_SYN},
    {TL_SYN_RECV, TL_FIN_WAIT1, 0, TL_CAUSE_CLOSE},
    {TL_ESTABLISHED, TL_FIN_WAIT1, 0, TL_CAUSE_CLOSE},
    {TL_CLOSE_WAIT, TL_LAST_ACK, 0, TL_CAUSE_CLOSE},
    {TL_ESTABLISHED, TL_CLOSE_WAIT, 0, TL_CAUSE_FIN},
    {TL_FIN_WAIT1, TL_FIN_WAIT2, 0, TL_CAUSE_ACK_OF_FIN},
    {TL_FIN_WAIT1, TL_CLOSING, 0, TL_CAUSE_FIN},
    {TL_FIN_WAIT2, TL_CLOSE, TL_FACT_PEER_FIN, TL_CAUSE_FIN},
    {TL_FIN_WAIT2, TL_CLOSE, TL_FACT_FIN_ACKED, TL_CAUSE_ACK_OF_FIN},
    {TL_FIN_WAIT2, TL_TIME_WAIT, TL_FACT_PEER_FIN, TL_CAUSE_FIN},
    {TL_CLOSING, TL_CLOSE, TL_FACT_FIN_ACKED, TL_CAUSE_ACK_OF_FIN},
    {TL_CLOSING, TL_TIME_WAIT, TL_FACT_FIN_ACKED, TL_CAUSE_ACK_OF_FIN},
    {TL_LAST_ACK, TL_CLOSE, TL_FACT_FIN_ACKED, TL_CAUSE_ACK_OF_FIN},
};

enum tl_state_cause tl_state_cause(int old_state, int new_state, unsigned facts)
{
	for (size_t i = 0; i < ARRAY_SIZE(causes); i++) {
		if (causes[i].new_state != new_state ||
		    (causes[i].old_state != ANY_STATE && causes[i].old_state != old_state))
			continue;
		if ((facts & causes[i].facts) == causes[i].facts)
			return causes[i].cause;
	}
	return TL_CAUSE_UNKNOWN;
}

const char *tl_state_cause_name(enum tl_state_cause c)
{
	static const char *const names[TL_CAUSE_COUNT] = {
	    [TL_CAUSE_UNKNOWN] = "unknown",
	    [TL_CAUSE_CONNECT] = "connect_called",
	    [TL_CAUSE_SYN] = "syn_received",
	    [TL_CAUSE_SYN_ACK] = "syn_ack_received",
	    [TL_CAUSE_ACK_OF_SYN] = "ack_of_syn_received",
	    [TL_CAUSE_CLOSE] = "close_called",
	    [TL_CAUSE_FIN] = "fin_received",
	    [TL_CAUSE_ACK_OF_FIN] = "ack_of_fin_received",
	    [TL_CAUSE_RST] = "rst_received",
	    [TL_CAUSE_TW_TIMER] = "timewait_timer_expired",
	    [TL_CAUSE_TW_REUSED] = "tuple_reused_by_syn",
	};

	return (unsigned)c < TL_CAUSE_COUNT ? names[c] : names[TL_CAUSE_UNKNOWN];
}
