/* --why and JSON "cause": each transition's RFC 9293 event, from the table,
 * and "unknown" where the segments seen do not prove one. */
#include "tracer/engine/state_cause.h"

#include <string.h>

#include "tracer/proto/tcp_names.h"
#include "unit.h"

#define FIN TL_FACT_PEER_FIN
#define ACKED TL_FACT_FIN_ACKED
#define RST TL_FACT_PEER_RST

static const struct {
	int line;
	int old_state, new_state;
	unsigned facts;
	const char *want;
} rows[] = {
    {__LINE__, TL_CLOSE, TL_SYN_SENT, 0, "connect_called"},
    {__LINE__, TL_SYN_SENT, TL_ESTABLISHED, 0, "syn_ack_received"},
    {__LINE__, TL_LISTEN, TL_SYN_RECV, 0, "syn_received"},
    {__LINE__, TL_SYN_SENT, TL_SYN_RECV, 0, "syn_received"},
    {__LINE__, TL_SYN_RECV, TL_ESTABLISHED, 0, "ack_of_syn_received"},
    {__LINE__, TL_ESTABLISHED, TL_FIN_WAIT1, 0, "close_called"},
    {__LINE__, TL_CLOSE_WAIT, TL_LAST_ACK, FIN, "close_called"},
    {__LINE__, TL_ESTABLISHED, TL_CLOSE_WAIT, FIN, "fin_received"},
    {__LINE__, TL_FIN_WAIT1, TL_FIN_WAIT2, ACKED, "ack_of_fin_received"},
    {__LINE__, TL_FIN_WAIT1, TL_CLOSING, FIN, "fin_received"},
    /* The handover to a timewait socket, and the TIME_WAIT inferred. */
    {__LINE__, TL_FIN_WAIT2, TL_CLOSE, FIN | ACKED, "fin_received"},
    {__LINE__, TL_FIN_WAIT2, TL_TIME_WAIT, FIN | ACKED, "fin_received"},
    /* An orphan handed over as soon as its FIN is acknowledged. */
    {__LINE__, TL_FIN_WAIT2, TL_CLOSE, ACKED, "ack_of_fin_received"},
    {__LINE__, TL_CLOSING, TL_TIME_WAIT, FIN | ACKED, "ack_of_fin_received"},
    {__LINE__, TL_LAST_ACK, TL_CLOSE, FIN | ACKED, "ack_of_fin_received"},
    /* A RST from the peer ends any state. */
    {__LINE__, TL_ESTABLISHED, TL_CLOSE, RST, "rst_received"},
    {__LINE__, TL_SYN_SENT, TL_CLOSE, RST, "rst_received"},
    {__LINE__, TL_LAST_ACK, TL_CLOSE, RST, "rst_received"},
    /* Not proven by a segment: a timeout, an abort, or events lost. */
    {__LINE__, TL_LAST_ACK, TL_CLOSE, FIN, "unknown"},
    {__LINE__, TL_FIN_WAIT2, TL_CLOSE, 0, "unknown"},
    {__LINE__, TL_ESTABLISHED, TL_CLOSE, 0, "unknown"},
    {__LINE__, TL_SYN_SENT, TL_CLOSE, 0, "unknown"},
    {__LINE__, TL_CLOSING, TL_CLOSE, FIN, "unknown"},
    {__LINE__, TL_ESTABLISHED, TL_LAST_ACK, 0, "unknown"},
};

int main(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *got = tl_state_cause_name(
		    tl_state_cause(rows[i].old_state, rows[i].new_state, rows[i].facts));

		UNIT_CHECK_AT(rows[i].line, !strcmp(got, rows[i].want), "%s -> %s: %s",
			      tl_tcp_state_name(rows[i].old_state),
			      tl_tcp_state_name(rows[i].new_state), got);
	}
	UNIT_CHECK(!strcmp(tl_state_cause_name(TL_CAUSE_COUNT), "unknown"),
		   "an out-of-range cause is unknown");
	return unit_done();
}
