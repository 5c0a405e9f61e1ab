#include "tracer/output/text_legend.h"

#include "common/fmt.h"
#include "tracer/proto/tcp_names.h"

unsigned tl_legend_note(int old_state, int new_state)
{
	if (old_state == TL_LISTEN && new_state == TL_SYN_RECV)
		return TL_NOTE_SYN_RECV;
	if (old_state == TL_FIN_WAIT2 && new_state == TL_CLOSE)
		return TL_NOTE_TW_HANDOVER;
	return new_state == TL_TIME_WAIT ? TL_NOTE_TW_60S : 0;
}

void tl_legend_packet(struct tl_legend *l, const struct tl_pkt_view *v)
{
	if (v->pkt->flags & TL_SYN) {
		l->isn[v->from] = v->pkt->seq;
		l->isn_seen[v->from] = true;
	}
	/* Known once both SYNs were seen: the multiplier, or -2 for none. */
	if (v->win_scale != -1)
		l->win_scale[v->from] = v->win_scale;
}

/* "ISN (raw): client 3512334411, server 1029384756": the sides whose SYN
 * was seen; a side joined mid-stream has no ISN to show. */
static void legend_isn(struct tl_fmt *f, const struct tl_legend *l, const struct tl_text_lang *L)
{
	bool any = false;

	for (int s = TL_CLIENT; s <= TL_SERVER; s++) {
		if (!l->isn_seen[s])
			continue;
		tl_fmt_str(f, any ? ", " : "  ");
		if (!any)
			tl_fmt_str(f, L->isn);
		tl_fmt_str(f, L->side[s]);
		tl_fmt_char(f, ' ');
		tl_fmt_uint(f, l->isn[s]);
		any = true;
	}
	if (any) {
		tl_fmt_str(f, L->isn_rel);
		tl_fmt_char(f, '\n');
	}
}

/* One line of the legend: "  " text "\n". */
static void legend_line(struct tl_fmt *f, const char *text)
{
	tl_fmt_str(f, "  ");
	tl_fmt_str(f, text);
	tl_fmt_char(f, '\n');
}

/* "client Win x128" */
static void legend_side_scale(struct tl_fmt *f, const char *side, int scale)
{
	tl_fmt_str(f, side);
	tl_fmt_str(f, " Win x");
	tl_fmt_uint(f, (unsigned)scale);
}

/* "Window scale: client Win x128, server Win x1024": the multiplier each
 * side's Win= is shown with, in force once both SYNs carried WS. */
static void legend_wscale(struct tl_fmt *f, const struct tl_conn *c, const struct tl_legend *l,
			  const struct tl_text_lang *L)
{
	if (tl_conn_handshake(c) != TL_HS_COMPLETE)
		return;
	if (l->win_scale[TL_CLIENT] == -2 || l->win_scale[TL_SERVER] == -2) {
		legend_line(f, L->no_wscale);
		return;
	}
	if (l->win_scale[TL_CLIENT] > 0 && l->win_scale[TL_SERVER] > 0) {
		tl_fmt_str(f, "  ");
		tl_fmt_str(f, L->wscale);
		legend_side_scale(f, L->side[TL_CLIENT], l->win_scale[TL_CLIENT]);
		tl_fmt_str(f, ", ");
		legend_side_scale(f, L->side[TL_SERVER], l->win_scale[TL_SERVER]);
		tl_fmt_str(f, L->win_note);
		tl_fmt_char(f, '\n');
	}
}

void tl_text_legend(struct tl_fmt *f, const struct tl_conn *c, const struct tl_legend *l,
		    const struct tl_text_lang *L)
{
	unsigned notes = l->notes;

	legend_isn(f, l, L);
	legend_wscale(f, c, l, L);
	if (c->time_wait >= 0)
		notes |= TL_NOTE_TW_60S;
	if (notes & TL_NOTE_SYN_RECV)
		legend_line(f, L->note_syn_recv);
	if (notes & TL_NOTE_TW_HANDOVER)
		legend_line(f, L->note_tw_handover);
	if (notes & TL_NOTE_TW_60S)
		legend_line(f, L->note_tw_60s);
}
