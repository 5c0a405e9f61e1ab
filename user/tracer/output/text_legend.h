/* The legend under a text block's header: each side's ISN, the window
 * scale in force, and, once per block, the notes where Linux's view of the
 * states differs from the textbook's. */
#ifndef TL_TEXT_LEGEND_H
#define TL_TEXT_LEGEND_H

#include <stdio.h>

#include "tracer/output/text_lang.h"

enum tl_legend_note {
	TL_NOTE_SYN_RECV = 0x1,	   /* LISTEN -> SYN_RECV at the last ACK */
	TL_NOTE_TW_HANDOVER = 0x2, /* FIN_WAIT2 -> CLOSE: a timewait socket takes over */
	TL_NOTE_TW_60S = 0x4,	   /* TIME_WAIT's length on Linux */
};

/* tl_legend_note: the note a state line calls for, 0 for none. */
unsigned tl_legend_note(int old_state, int new_state);

/* tl_text_legend: writes the legend of c, with the notes its state lines
 * called for (a mask of enum tl_legend_note). */
void tl_text_legend(FILE *f, const struct tl_conn *c, unsigned notes, const struct tl_text_lang *L);

#endif
