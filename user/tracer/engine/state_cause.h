/* Why a side's TCP state changed: the RFC 9293 event behind it, read off the
 * transition and the segments the engine saw before it. */
#ifndef TL_STATE_CAUSE_H
#define TL_STATE_CAUSE_H

enum tl_state_cause {
	TL_CAUSE_UNKNOWN = 0, /* the segments seen do not tell */
	TL_CAUSE_CONNECT,     /* connect() called: the SYN goes out */
	TL_CAUSE_SYN,	      /* SYN received */
	TL_CAUSE_SYN_ACK,     /* SYN-ACK received */
	TL_CAUSE_ACK_OF_SYN,  /* ACK of our SYN received */
	TL_CAUSE_CLOSE,	      /* close() (or shutdown()) called: our FIN goes out */
	TL_CAUSE_FIN,	      /* FIN received */
	TL_CAUSE_ACK_OF_FIN,  /* ACK of our FIN received */
	TL_CAUSE_RST,	      /* RST received */
	TL_CAUSE_TW_TIMER,    /* the timewait timer expired (2MSL) */
	TL_CAUSE_TW_REUSED,   /* a new connection's SYN took the tuple over */
	TL_CAUSE_COUNT,
};

/* What the segments seen so far say about one side. */
enum tl_cause_fact {
	TL_FACT_PEER_FIN = 0x1,	 /* the peer's FIN was seen */
	TL_FACT_FIN_ACKED = 0x2, /* the peer acknowledged this side's FIN */
	TL_FACT_PEER_RST = 0x4,	 /* the peer sent a RST */
};

/* tl_state_cause: the cause of old -> new given the facts (a mask of enum
 * tl_cause_fact); TL_CAUSE_UNKNOWN where neither the transition nor the
 * facts settle it (e.g. ESTABLISHED -> CLOSE with no RST from the peer:
 * an abort by this side, or a timeout). */
enum tl_state_cause tl_state_cause(int old_state, int new_state, unsigned facts);

/* tl_state_cause_name: the cause's JSON token ("fin_received"). */
const char *tl_state_cause_name(enum tl_state_cause c);

#endif
