#include "tracer/report/report_svg.h"

#include <errno.h>
#include <inttypes.h>
#include <linux/types.h>
#include <stdlib.h>
#include <string.h>

#include "tcplife_http.h"
#include "tracer/report/report_esc.h"

#define RP_LABEL_MAX 100 /* code points of an HTTP line shown; all of it in its <title> */

/* Okabe and Ito's palette: told apart with any colour vision, and by line
 * style too (control segments thick, resets dashed) so grey print works.
 * Colours are written out, not CSS variables: rsvg-convert and other SVG
 * tools draw the standalone files too. */
struct rp_palette {
	const char *fg, *bg, *ll, *c2s, *s2c, *http, *state, *tw, *phase, *fold;
};

static const struct rp_palette rp_light = {"#1a1a1a", "#ffffff", "#767676", "#0072b2", "#d55e00",
					   "#00734f", "#8a3d6b", "#f0e442", "#ececec", "#f4f4f4"};
static const struct rp_palette rp_dark = {"#e6e6e6", "#16181c", "#8a8a8a", "#56b4e9", "#e69f00",
					  "#3fd0a0", "#e09ac4", "#6d6420", "#262a31", "#23262c"};

static void rp_css_colours(FILE *f, const struct rp_palette *p)
{
	fprintf(f,
		"svg.ladder{background:%s}svg.ladder text{fill:%s}svg.ladder .bg{fill:%s}"
		"svg.ladder .ll{stroke:%s}"
		"svg.ladder .c2s{stroke:%s;fill:%s}svg.ladder .s2c{stroke:%s;fill:%s}"
		"svg.ladder .seg text.lbl{fill:%s}svg.ladder text.http{fill:%s}"
		"svg.ladder .state rect{fill:%s;stroke:%s}svg.ladder .state text{fill:%s}"
		"svg.ladder .tw rect{fill:%s;stroke:%s}svg.ladder .phase rect{fill:%s}"
		"svg.ladder .fold-row rect{fill:%s;stroke:%s}svg.ladder text.time{fill:%s}\n",
		p->bg, p->fg, p->bg, p->ll, p->c2s, p->c2s, p->s2c, p->s2c, p->fg, p->http, p->bg,
		p->state, p->state, p->tw, p->fg, p->phase, p->fold, p->ll, p->ll);
}

void tl_rp_svg_style(FILE *f)
{
	fputs("svg.ladder{font:11px ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace}"
	      "svg.ladder .ll{stroke-width:1.5}svg.ladder .seg path{stroke-width:1.2}"
	      "svg.ladder .ctl path{stroke-width:2.6}svg.ladder .rst path{stroke-dasharray:6 3}"
	      "svg.ladder .seg text{stroke:none}svg.ladder text.http{font-weight:bold}"
	      "svg.ladder .tw rect{stroke-width:.5}svg.ladder .phase text{font-style:italic}"
	      "svg.ladder .fold-row rect{stroke-dasharray:3 2}svg.ladder .fold{cursor:pointer}"
	      "svg.ladder .sum{font-weight:bold}\n",
	      f);
	rp_css_colours(f, &rp_light);
	fputs("@media (prefers-color-scheme:dark){", f);
	rp_css_colours(f, &rp_dark);
	fputs("}\n@media print{", f);
	rp_css_colours(f, &rp_light);
	fputs("}\n", f);
}

const char *tl_rp_bytes(char buf[32], uint64_t n)
{
	if (n < 1000)
		snprintf(buf, 32, "%" PRIu64 " B", n);
	else if (n < 1000000)
		snprintf(buf, 32, "%.1f kB", n / 1e3);
	else
		snprintf(buf, 32, "%.1f MB", n / 1e6);
	return buf;
}

/* --- layout --- */

static bool rp_is_seg(const struct tl_rp_row *r, __u16 bits)
{
	return r->kind == TL_RP_SEG && (r->flag_bits & bits);
}

/* SYN, SYN-ACK, and the client's first ACK after them. */
static void rp_find_handshake(const struct tl_rp_conn *c, struct tl_rp_phase *p)
{
	size_t i = 0, synack;

	while (i < c->nrows && !(rp_is_seg(&c->rows[i], TL_SYN) && c->rows[i].side == 0))
		i++;
	for (synack = i; synack < c->nrows; synack++)
		if (rp_is_seg(&c->rows[synack], TL_SYN) && c->rows[synack].side == 1)
			break;
	if (synack >= c->nrows)
		return;
	*p = (struct tl_rp_phase){
	    .present = true, .first = i, .last = synack, .label = "three-way handshake"};
	for (size_t j = synack + 1; j < c->nrows; j++) {
		const struct tl_rp_row *r = &c->rows[j];

		if (r->kind == TL_RP_SEG && r->side == 0 && (r->flag_bits & TL_ACK)) {
			p->last = j;
			return;
		}
	}
	p->label = "handshake (no final ACK seen)";
}

static const char *rp_close_label(const struct tl_rp_conn *c, const struct tl_rp_phase *p,
				  bool both)
{
	size_t segs = 0;

	for (size_t i = p->first; i <= p->last; i++)
		segs += c->rows[i].kind == TL_RP_SEG;
	if (!both)
		return "close (one FIN)";
	if (segs == 4)
		return "four-way close";
	return segs == 3 ? "three-segment close (FIN+ACK)" : "close";
}

/* Whether side sent a segment before row end. */
static bool rp_sent_before(const struct tl_rp_conn *c, int side, size_t end)
{
	for (size_t i = 0; i < end; i++)
		if (c->rows[i].kind == TL_RP_SEG && c->rows[i].side == side)
			return true;
	return false;
}

/* From the first FIN (or reset) to the ACK of the second FIN. */
static void rp_find_close(const struct tl_rp_conn *c, struct tl_rp_phase *p)
{
	uint32_t fin_end[2] = {0, 0};
	bool fin[2] = {false, false};
	int second = -1; /* the side whose FIN came second */

	for (size_t i = 0; i < c->nrows; i++) {
		const struct tl_rp_row *r = &c->rows[i];

		if (r->kind != TL_RP_SEG)
			continue;
		if (!p->present && (r->flag_bits & (TL_FIN | TL_RST)))
			*p = (struct tl_rp_phase){.present = true, .first = i};
		if (!p->present)
			continue;
		p->last = i;
		if (r->flag_bits & TL_RST) {
			/* A reset that is the server's first word refused the SYN. */
			p->label =
			    r->side == 1 && !rp_sent_before(c, 1, i) ? "refused (reset)" : "reset";
			return;
		}
		if (second >= 0 && r->side != second && (r->flag_bits & TL_ACK) &&
		    r->ack == fin_end[second])
			break;
		if ((r->flag_bits & TL_FIN) && !fin[r->side]) {
			fin[r->side] = true;
			fin_end[r->side] = r->seq + r->len + 1;
			if (fin[!r->side])
				second = r->side;
		}
	}
	if (p->present)
		p->label = rp_close_label(c, p, second >= 0);
}

static bool rp_in_phase(const struct tl_rp_phase *p, size_t i)
{
	return p->present && i >= p->first && i <= p->last;
}

/* A row a fold may hide: data or a bare ACK, no HTTP message, nothing marked. */
static bool rp_foldable(const struct tl_rp_conn *c, const struct tl_rp_layout *l, size_t i,
			size_t tw_row)
{
	const struct tl_rp_row *r = &c->rows[i];

	return r->kind == TL_RP_SEG && !r->http && !(r->flag_bits & (TL_SYN | TL_FIN | TL_RST)) &&
	       !rp_in_phase(&l->handshake, i) && !rp_in_phase(&l->close, i) && i < tw_row;
}

static int rp_row_h(const struct tl_rp_row *r)
{
	if (r->kind == TL_RP_STATE)
		return TL_RP_STATE_H;
	return TL_RP_SEG_H + (r->http ? TL_RP_HTTP_H : 0);
}

/* The first TIME_WAIT row of any side: nothing after it folds. */
static size_t rp_tw_row(const struct tl_rp_conn *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].kind == TL_RP_STATE && !strcmp(c->rows[i].state_new, "TIME_WAIT"))
			return i;
	return c->nrows;
}

static void rp_add_fold(const struct tl_rp_conn *c, struct tl_rp_layout *l, size_t first,
			size_t last, int *y)
{
	struct tl_rp_fold *f = &l->folds[l->nfolds];
	int h = 0;

	*f = (struct tl_rp_fold){.first = first,
				 .last = last,
				 .y = *y,
				 .span_us = c->rows[last].t_us - c->rows[first].t_us};
	for (size_t i = first; i <= last; i++) {
		l->y[i] = h;
		l->fold[i] = l->nfolds;
		h += rp_row_h(&c->rows[i]);
		f->bytes += c->rows[i].len;
	}
	f->open_h = h;
	l->nfolds++;
	*y += TL_RP_FOLD_H;
}

static void rp_place_rows(const struct tl_rp_conn *c, struct tl_rp_layout *l)
{
	size_t tw_row = rp_tw_row(c), i = 0;
	int y = TL_RP_HEADER_H;

	while (i < c->nrows) {
		size_t j = i;

		while (j < c->nrows && rp_foldable(c, l, j, tw_row))
			j++;
		if (j - i >= TL_RP_FOLD_MIN) {
			rp_add_fold(c, l, i, j - 1, &y);
			i = j;
			continue;
		}
		l->fold[i] = -1;
		l->y[i] = y;
		y += rp_row_h(&c->rows[i]);
		i++;
	}
	l->rows_end = y;
}

/* Where each TIME_WAIT band starts: its state row, or after the last row
 * when only the conn line says who held it (a capture has no states). */
static void rp_place_tw(const struct tl_rp_conn *c, struct tl_rp_layout *l)
{
	l->tw_y[0] = l->tw_y[1] = -1;
	for (size_t i = 0; i < c->nrows; i++) {
		const struct tl_rp_row *r = &c->rows[i];

		if (r->kind == TL_RP_STATE && !strcmp(r->state_new, "TIME_WAIT") &&
		    l->tw_y[r->side] < 0 && l->fold[i] < 0)
			l->tw_y[r->side] = l->y[i];
	}
	for (int s = 0; s < 2; s++)
		if ((c->time_wait == s || c->time_wait == 2) && l->tw_y[s] < 0)
			l->tw_y[s] = l->rows_end;
}

int tl_rp_layout(const struct tl_rp_conn *c, struct tl_rp_layout *l)
{
	size_t n = c->nrows ? c->nrows : 1;

	memset(l, 0, sizeof(*l));
	l->y = calloc(n, sizeof(*l->y));
	l->fold = calloc(n, sizeof(*l->fold));
	l->folds = calloc(n / TL_RP_FOLD_MIN + 1, sizeof(*l->folds));
	if (!l->y || !l->fold || !l->folds) {
		tl_rp_layout_free(l);
		return -ENOMEM;
	}
	rp_find_handshake(c, &l->handshake);
	rp_find_close(c, &l->close);
	rp_place_rows(c, l);
	rp_place_tw(c, l);
	l->height = l->rows_end + TL_RP_FOOTER_H;
	return 0;
}

void tl_rp_layout_free(struct tl_rp_layout *l)
{
	free(l->y);
	free(l->fold);
	free(l->folds);
	memset(l, 0, sizeof(*l));
}

/* --- drawing --- */

#define RP_MID ((TL_RP_X_CLIENT + TL_RP_X_SERVER) / 2)
#define RP_CHAR_W 6.7 /* 11px monospace */

static const char *const rp_side_names[] = {"client", "server"};

static void rp_time(FILE *f, const struct tl_rp_conn *c, int64_t t_us, int y)
{
	int64_t d = t_us - c->start_us;

	fprintf(f, "<text class=\"time\" x=\"8\" y=\"%d\">%" PRId64 ".%06" PRId64 "</text>", y,
		d / 1000000, d % 1000000);
}

/* Text cut to RP_LABEL_MAX code points; when cut, the whole of it in a
 * tooltip. */
static void rp_text_cut(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, len;
	int cps = 0;

	while (i < n && cps < RP_LABEL_MAX) {
		tl_report_utf8_next(u + i, n - i, &len);
		i += len;
		cps++;
	}
	tl_report_esc(f, s, i);
	if (i == n)
		return;
	fputs("\xe2\x80\xa6<title>", f);
	tl_report_escs(f, s);
	fputs("</title>", f);
}

/* Code points in s, as a monospace font lays them out. */
static size_t rp_width(const char *s)
{
	size_t n = strlen(s), len, cps = 0;

	for (size_t i = 0; i < n; i += len, cps++)
		tl_report_utf8_next((const unsigned char *)s + i, n - i, &len);
	return cps;
}

/* The segment in Wireshark's Info notation, squeezed (never cut) to fit
 * between the lifelines when its options make it long. */
static void rp_seg_label(FILE *f, const struct tl_rp_row *r)
{
	const int room = TL_RP_X_SERVER - TL_RP_X_CLIENT - 24;
	char ack[24] = "", label[1024];

	if (r->flag_bits & TL_ACK)
		snprintf(ack, sizeof(ack), " Ack=%" PRIu32, r->ack);
	snprintf(label, sizeof(label), "[%s] Seq=%" PRIu32 "%s Win=%" PRIu64 " Len=%" PRIu32 "%s%s",
		 r->flags, r->seq, ack, r->win_scaled, r->len, r->options ? " " : "",
		 r->options ? r->options : "");
	fprintf(f, "<text class=\"lbl\" x=\"%d\" y=\"14\" text-anchor=\"middle\"", RP_MID);
	if (rp_width(label) * RP_CHAR_W > room)
		fprintf(f, " textLength=\"%d\" lengthAdjust=\"spacingAndGlyphs\"", room);
	fputc('>', f);
	tl_report_escs(f, label);
	fputs("</text>", f);
}

/* The status line, and what the exchange measured. */
static void rp_http_note(FILE *f, const struct tl_rp_http *h)
{
	char b[32];

	rp_text_cut(f, h->line);
	if (h->request)
		return;
	if (h->latency_ms >= 0)
		fprintf(f, " \xe2\x80\x94 first byte %.3f ms", h->latency_ms);
	if (h->last_byte_ms >= 0)
		fprintf(f, ", last %.3f ms, %s%s", h->last_byte_ms, tl_rp_bytes(b, h->body_bytes),
			h->complete ? "" : " (incomplete)");
}

/* One segment at the row's own origin; y_attr adds the data-y the page's
 * unfolding shifts (rows inside a fold have none). */
static void rp_seg(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_row *r, int y,
		   bool y_attr)
{
	int from = r->side ? TL_RP_X_SERVER : TL_RP_X_CLIENT;
	int to = r->side ? TL_RP_X_CLIENT : TL_RP_X_SERVER, dir = to > from ? 1 : -1;

	fprintf(f,
		"<g class=\"seg %s%s%s\" data-seq-raw=\"%" PRIu32 "\" data-ack-raw=\"%" PRIu32
		"\" data-len=\"%" PRIu32 "\" data-flags=\"",
		r->side ? "s2c" : "c2s", r->flag_bits & (TL_SYN | TL_FIN | TL_RST) ? " ctl" : "",
		r->flag_bits & TL_RST ? " rst" : "", r->seq_raw, r->ack_raw, r->len);
	tl_report_escs(f, r->flags);
	if (y_attr)
		fprintf(f, "\" data-y=\"%d", y);
	fprintf(f, "\" transform=\"translate(0,%d)\">", y);
	rp_time(f, c, r->t_us, 23);
	fprintf(f, "<path d=\"M%d 20H%d\"/><path d=\"M%d 20l%d -4.5v9z\"/>", from, to - dir * 8, to,
		-dir * 9);
	rp_seg_label(f, r);
	if (r->http) {
		fprintf(f, "<text class=\"http\" x=\"%d\" y=\"36\" text-anchor=\"middle\">",
			RP_MID);
		rp_http_note(f, r->http);
		fputs("</text>", f);
	}
	fputs("</g>\n", f);
}

static void rp_state(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_row *r, int y)
{
	const char *note = r->inferred ? " (inferred)" : "";
	int w = (int)((strlen(r->state_new) + strlen(note)) * RP_CHAR_W) + 10;
	int x = r->side ? TL_RP_X_SERVER + 6 : TL_RP_X_CLIENT - 6 - w;

	fprintf(f,
		"<g class=\"state\" data-side=\"%s\" data-state=\"%s\" data-y=\"%d\" "
		"transform=\"translate(0,%d)\">",
		rp_side_names[r->side], r->state_new, y, y);
	rp_time(f, c, r->t_us, 14);
	fprintf(f,
		"<rect x=\"%d\" y=\"3\" width=\"%d\" height=\"15\" rx=\"3\"/>"
		"<text x=\"%d\" y=\"14\">%s%s</text></g>\n",
		x, w, x + 5, r->state_new, note);
}

static void rp_fold(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_layout *l,
		    const struct tl_rp_fold *fd)
{
	size_t n = fd->last - fd->first + 1;
	char b[32];

	fprintf(f,
		"<g class=\"fold\" data-count=\"%zu\" data-y=\"%d\" data-h=\"%d\" "
		"transform=\"translate(0,%d)\"><g class=\"fold-row\">",
		n, fd->y, fd->open_h, fd->y);
	rp_time(f, c, c->rows[fd->first].t_us, 17);
	fprintf(f,
		"<rect x=\"%d\" y=\"3\" width=\"%d\" height=\"20\" rx=\"4\"/>"
		"<text x=\"%d\" y=\"17\" text-anchor=\"middle\">\xe2\x80\xa6 %zu segments, %s, "
		"%.3f ms (click to unfold) \xe2\x80\xa6</text></g><g class=\"fold-body\" "
		"display=\"none\">\n",
		TL_RP_X_CLIENT, TL_RP_X_SERVER - TL_RP_X_CLIENT, RP_MID, n,
		tl_rp_bytes(b, fd->bytes), fd->span_us / 1e3);
	for (size_t i = fd->first; i <= fd->last; i++)
		rp_seg(f, c, &c->rows[i], l->y[i], false);
	fputs("</g></g>\n", f);
}

static void rp_phase(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_layout *l,
		     const struct tl_rp_phase *p)
{
	int y0, y1;

	if (!p->present)
		return;
	y0 = l->y[p->first];
	y1 = l->y[p->last] + rp_row_h(&c->rows[p->last]);
	fprintf(f,
		"<g class=\"phase\" data-y=\"%d\" transform=\"translate(0,%d)\">"
		"<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\"/>"
		"<text x=\"%d\" y=\"13\" text-anchor=\"end\">%s</text></g>\n",
		y0, y0, TL_RP_WIDTH, y1 - y0, TL_RP_WIDTH - 8, p->label);
}

void tl_rp_proc(FILE *f, const struct tl_rp_proc *p, const char *unknown)
{
	if (!p->pid) {
		fputs(unknown, f);
		return;
	}
	tl_report_escs(f, p->comm);
	fprintf(f, "[%" PRIu32 "]", p->pid);
}

static void rp_header(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_layout *l)
{
	fprintf(f, "<text class=\"sum\" x=\"8\" y=\"16\">Connection %" PRIu64 "%s%s%s</text>\n",
		c->id, c->mid_stream ? " (joined mid-stream)" : "",
		c->roles_guessed ? " (roles guessed)" : "",
		c->incomplete ? " (incomplete: events were lost)" : "");
	for (int s = 0; s < 2; s++) {
		int x = s ? TL_RP_X_SERVER : TL_RP_X_CLIENT;

		fprintf(f, "<text x=\"%d\" y=\"34\" text-anchor=\"middle\">%s ", x,
			rp_side_names[s]);
		tl_report_escs(f, c->ep[s] ? c->ep[s] : "?");
		fprintf(f, "</text><text x=\"%d\" y=\"50\" text-anchor=\"middle\">", x);
		tl_rp_proc(f, &c->proc[s], "process unknown");
		fprintf(f, "</text><line class=\"ll\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
			x, TL_RP_HEADER_H - 8, x, l->rows_end + 26);
	}
}

static void rp_tw_band(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_layout *l, int s)
{
	int x = s ? TL_RP_X_SERVER : TL_RP_X_CLIENT, y = l->tw_y[s];

	if (y < 0)
		return;
	fprintf(f,
		"<g class=\"tw\" data-side=\"%s\" data-y=\"%d\" transform=\"translate(0,%d)\">"
		"<rect x=\"%d\" y=\"0\" width=\"12\" height=\"%d\"/><text x=\"%d\" y=\"%d\"%s>",
		rp_side_names[s], y, y, x - 6, l->rows_end + 26 - y, s ? x + 12 : x - 12,
		l->rows_end + 20 - y, s ? "" : " text-anchor=\"end\"");
	if (c->tw_ms[s] >= 0)
		fprintf(f, "TIME_WAIT %.1f s%s", c->tw_ms[s] / 1e3,
			c->tw_confirmed[s] ? "" : " (not confirmed by the kernel)");
	else
		fputs("TIME_WAIT (its end not seen)", f);
	fputs("</text></g>\n", f);
}

static const char *rp_tw_holder(const struct tl_rp_conn *c)
{
	static const char *const names[] = {"client", "server", "both sides"};

	return c->time_wait >= 0 && c->time_wait <= 2 ? names[c->time_wait] : NULL;
}

void tl_rp_conn_name(FILE *f, const struct tl_rp_conn *c)
{
	fprintf(f, "Connection %" PRIu64 ": ", c->id);
	tl_report_escs(f, c->ep[0] ? c->ep[0] : "?");
	fputs(" \xe2\x86\x92 ", f);
	tl_report_escs(f, c->ep[1] ? c->ep[1] : "?");
}

/* Duration, bytes each way, requests, who closed, who held TIME_WAIT. */
void tl_rp_summary(FILE *f, const struct tl_rp_conn *c)
{
	char b0[32], b1[32];

	fprintf(f,
		"duration %.3f ms, client\xe2\x86\x92server %s, server\xe2\x86\x92"
		"client %s, "
		"%" PRIu32 " request%s, %" PRIu32 " response%s, ",
		(c->end_us - c->start_us) / 1e3, tl_rp_bytes(b0, c->bytes[0]),
		tl_rp_bytes(b1, c->bytes[1]), c->requests, c->requests == 1 ? "" : "s",
		c->responses, c->responses == 1 ? "" : "s");
	if (c->closed_by && !strcmp(c->closed_by, "reset"))
		fputs("reset", f);
	else if (c->closed_by) {
		/* From the trace file, which anyone can write: text, never markup. */
		fputs("closed by the ", f);
		tl_report_escs(f, c->closed_by);
	} else
		fputs(c->open_at_exit ? "open when tracing ended" : "not closed", f);
	if (rp_tw_holder(c))
		fprintf(f, ", TIME_WAIT on the %s", rp_tw_holder(c));
}

static void rp_footer(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_layout *l)
{
	fprintf(f,
		"<g class=\"foot\" data-y=\"%d\" transform=\"translate(0,%d)\">"
		"<text class=\"sum\" x=\"8\" y=\"%d\">",
		l->rows_end, l->rows_end, TL_RP_FOOTER_H - 8);
	tl_rp_summary(f, c);
	fputs("</text></g>\n", f);
	rp_tw_band(f, c, l, 0);
	rp_tw_band(f, c, l, 1);
}

static void rp_rows(FILE *f, const struct tl_rp_conn *c, const struct tl_rp_layout *l)
{
	for (size_t i = 0; i < c->nrows; i++) {
		const struct tl_rp_row *r = &c->rows[i];

		if (l->fold[i] >= 0) {
			const struct tl_rp_fold *fd = &l->folds[l->fold[i]];

			rp_fold(f, c, l, fd);
			i = fd->last;
		} else if (r->kind == TL_RP_SEG) {
			rp_seg(f, c, r, l->y[i], true);
		} else {
			rp_state(f, c, r, l->y[i]);
		}
	}
}

int tl_rp_svg(FILE *f, const struct tl_rp_conn *c, bool standalone)
{
	struct tl_rp_layout l;

	if (tl_rp_layout(c, &l))
		return -ENOMEM;
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" data-conn=\"%" PRIu64
		"\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		c->id, TL_RP_WIDTH, l.height, TL_RP_WIDTH, l.height);
	if (standalone) {
		fputs("<style>", f);
		tl_rp_svg_style(f);
		fputs("</style>\n", f);
	}
	/* Its name for screen readers and the SVG's own viewers. */
	fputs("<title>", f);
	tl_rp_conn_name(f, c);
	fputs("</title>\n", f);
	fputs("<rect class=\"bg\" width=\"100%\" height=\"100%\"/>\n", f);
	rp_phase(f, c, &l, &l.handshake);
	rp_phase(f, c, &l, &l.close);
	rp_header(f, c, &l);
	rp_rows(f, c, &l);
	rp_footer(f, c, &l);
	fputs("</svg>\n", f);
	tl_rp_layout_free(&l);
	return 0;
}
