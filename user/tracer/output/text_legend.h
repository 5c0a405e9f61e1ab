/* The legend under a text block's header: each side's ISN, the window
 * scale in force, and, once per block, the notes where Linux's view of the
 * states differs from the textbook's. */
#ifndef TL_TEXT_LEGEND_H
#define TL_TEXT_LEGEND_H

#include "common/fmt.h"
#include "tracer/engine/conn.h"
#include "tracer/output/text_lang.h"

enum tl_legend_note {
	TL_NOTE_SYN_RECV = 0x1,	   /* LISTEN -> SYN_RECV at the last ACK */
	TL_NOTE_TW_HANDOVER = 0x2, /* FIN_WAIT2 -> CLOSE: a timewait socket takes over */
	TL_NOTE_TW_60S = 0x4,	   /* TIME_WAIT's length on Linux */
};

/* What a block's legend says, gathered from its lines as they come: the
 * output's own, since the engine's bookkeeping is not the outputs' to read. */
struct tl_legend {
	unsigned notes; /* the notes its state lines call for (enum tl_legend_note) */
	bool isn_seen[2];
	__u32 isn[2];	  /* raw, by side, from its SYN */
	int win_scale[2]; /* a side's tcp.window_size_scalefactor: 0 not yet known */
};

/* tl_legend_note: the note a state line calls for, 0 for none. */
unsigned tl_legend_note(int old_state, int new_state);

/* tl_legend_packet: what segment v tells the legend. */
void tl_legend_packet(struct tl_legend *l, const struct tl_pkt_view *v);

/* tl_text_legend: appends the legend of c to f. */
void tl_text_legend(struct tl_fmt *f, const struct tl_conn *c, const struct tl_legend *l,
		    const struct tl_text_lang *L);

#endif
