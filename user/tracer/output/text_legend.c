#include "tracer/output/text_legend.h"

#include "tracer/proto/tcp_names.h"

unsigned tl_legend_note(int old_state, int new_state)
{
	if (old_state == TL_LISTEN && new_state == TL_SYN_RECV)
		return TL_NOTE_SYN_RECV;
	if (old_state == TL_FIN_WAIT2 && new_state == TL_CLOSE)
		return TL_NOTE_TW_HANDOVER;
	return new_state == TL_TIME_WAIT ? TL_NOTE_TW_60S : 0;
}

/* "ISN (raw): client 3512334411, server 1029384756": the sides whose SYN
 * was seen; a side joined mid-stream has no ISN to show. */
static void legend_isn(FILE *f, const struct tl_conn *c, const struct tl_text_lang *L)
{
	bool any = false;

	for (int s = TL_CLIENT; s <= TL_SERVER; s++) {
		if (!c->flow[s].syn_seen)
			continue;
		fprintf(f, "%s%s%s %u", any ? ", " : "  ", any ? "" : L->isn, L->side[s],
			c->flow[s].base);
		any = true;
	}
	if (any)
		fprintf(f, "%s\n", L->isn_rel);
}

/* "Window scale: client Win x128, server Win x1024": the multiplier each
 * side's Win= is shown with, in force once both SYNs carried WS. */
static void legend_wscale(FILE *f, const struct tl_conn *c, const struct tl_text_lang *L)
{
	if (tl_conn_handshake(c) != TL_HS_COMPLETE)
		return;
	if (!c->ws_scaling) {
		fprintf(f, "  %s\n", L->no_wscale);
		return;
	}
	fprintf(f, "  %s%s Win x%u, %s Win x%u%s\n", L->wscale, L->side[TL_CLIENT],
		1u << c->flow[TL_CLIENT].wscale, L->side[TL_SERVER],
		1u << c->flow[TL_SERVER].wscale, L->win_note);
}

void tl_text_legend(FILE *f, const struct tl_conn *c, unsigned notes, const struct tl_text_lang *L)
{
	legend_isn(f, c, L);
	legend_wscale(f, c, L);
	if (c->time_wait >= 0)
		notes |= TL_NOTE_TW_60S;
	if (notes & TL_NOTE_SYN_RECV)
		fprintf(f, "  %s\n", L->note_syn_recv);
	if (notes & TL_NOTE_TW_HANDOVER)
		fprintf(f, "  %s\n", L->note_tw_handover);
	if (notes & TL_NOTE_TW_60S)
		fprintf(f, "  %s\n", L->note_tw_60s);
}
