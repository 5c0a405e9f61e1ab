/* --lang: the words of the text output's summary, legend and explanation
 * lines, one table per language. The segment lines keep Wireshark's
 * notation (Seq=, [SYN, ACK]) in every language, as Wireshark does. */
#ifndef TL_TEXT_LANG_H
#define TL_TEXT_LANG_H

#include "tracer/engine/state_cause.h"
#include "tracer/output/output.h"

struct tl_text_lang {
	const char *side[2];	   /* client, server */
	const char *both;	   /* both sides */
	const char *request;	   /* "%u request" ... */
	const char *requests;	   /* ... "%u requests" */
	const char *no_request;	   /* the handshake, then nothing from the client */
	const char *preconnect;	   /* ... a browser's: its preconnect */
	const char *closed_by;	   /* "closed by %s" (the active closer) */
	const char *passive;	   /* ", %s closed second" (the passive closer) */
	const char *reset_by;	   /* "reset by %s" */
	const char *hs_failed_one; /* "handshake failed: no SYN-ACK after %u SYN" */
	const char *hs_failed;	   /* ... "%u SYNs" */
	const char *time_wait;	   /* "TIME_WAIT: %s" */
	const char *open_at_exit, *evicted, *lost_states, *lost_events;
	/* The legend: ISNs, window scale, where Linux differs from the textbook. */
	const char *isn;      /* "ISN (raw): " then "client N, server N" */
	const char *isn_rel;  /* what the relative numbers below mean */
	const char *wscale;   /* "Window scale: " then "client Win x128, server Win x128" */
	const char *win_note; /* Win= is multiplied */
	const char *no_wscale;
	const char *note_syn_recv, *note_tw_handover, *note_tw_60s;
	/* TIME_WAIT, inferred (its socket handed over; or, from the packets,
	 * the peer's FIN acknowledged after its own), and its end. */
	const char *tw_handed_over, *tw_from_packets;
	const char *tw_ended;	     /* "TIME_WAIT ended after %s" */
	const char *tw_confirmed[2]; /* (by the kernel), with -v (by sock_diag) */
	const char *tw_reused;
	const char *why;		   /* before a cause: "why: " */
	const char *cause[TL_CAUSE_COUNT]; /* the RFC 9293 event, in words */
	const char *head_cut;		   /* "... (%zu bytes of the head captured)" */
	/* The end line's retransmissions where the kernel's are unknown (-r):
	 * "retrans %s (Wireshark's count)". */
	const char *ws_retrans;
};

/* tl_text_lang: the table of a language. */
const struct tl_text_lang *tl_text_lang(enum tl_lang lang);

#endif
