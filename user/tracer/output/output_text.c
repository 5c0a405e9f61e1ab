/* The default output: a timeline per connection, in the words a student
 * following a Wireshark capture knows (Seq=, Ack=, Win=, [SYN, ACK]), with
 * the kernel's socket states and the HTTP messages between the segments.
 * Events of many connections interleave, so each connection's lines are
 * kept per connection and printed as one block when its life ends. */
#include "tracer/output/output.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "common/fmt.h"
#include "common/swar.h"
#include "common/vec.h"
#include "common/utf8.h"
#include "common/util.h"
#include "tracer/output/text_legend.h"
#include "tracer/output/conn_map.h"
#include "tracer/proto/tcp_names.h"

#define TEXT_BOLD "\033[1m"
#define TEXT_RED "\033[1;31m"
#define TEXT_YELLOW "\033[33m"
#define TEXT_CYAN "\033[36m"
#define TEXT_RESET "\033[0m"

/* Columns: "  +0.000000   52334 -> 8080   [SYN] Seq=0 ...", after the
 * frame number ("No.") when there is a file to cite it in. */
#define TEXT_NO_COLS 8
#define TEXT_TIME_COLS 14
#define TEXT_DIR_COLS 16
#define TEXT_SEGMENT_COL (TEXT_TIME_COLS + TEXT_DIR_COLS)
/* Bytes from the wire may be any length: their lines stop here, with "…". */
#define TEXT_LINE_COLS 200
/* A long connection's timeline keeps its first TEXT_HEAD_MAX bytes and its
 * last one to two TEXT_TAIL_HALF, so that one bulk transfer cannot take the
 * tracer's memory and the end of the life (the last exchange, the FIN,
 * TIME_WAIT) is still there; the events between are only counted. */
#define TEXT_HEAD_MAX ((size_t)2 << 20)
#define TEXT_TAIL_HALF ((size_t)1 << 20)

/* The text of one code point, or of a 4-byte sequence as \xNN each. */
#define TEXT_UNIT_MAX 17
/* A number from text_num: room for tl_fmt_fixed's longest, which it then
 * writes in place rather than through a copy. */
#define TEXT_NUM_MAX 48
/* The longest a line of wire text can be: TEXT_LINE_COLS columns of at
 * most 4 bytes each (a code point, or \xNN for a byte), the indent, the
 * colour codes and the pieces written past the columns (an exchange's
 * numbers). */
#define TEXT_LINE_MAX 2048
/* The segment, kernel and state lines: built in a fixed room, cut (never
 * overrun) past it. */
#define TEXT_SEG_LINE_MAX 512
#define TEXT_STATE_LINE_MAX 256
/* A part's first buffer: a short life's whole timeline. */
#define TEXT_PART_MIN ((size_t)4096)
/* "65535 -> 65535" */
#define TEXT_PORTS_MAX 16
/* The header (with its legend) and the summary of a block. */
#define TEXT_FRAME_MAX 4096

/* Lines of a timeline, and the events (segments, the kernel's state
 * changes) they show. Each line is built in place at its end: the stdio
 * memory stream this replaces cost a fifth of the reader's CPU (an 8 KB
 * zeroed buffer per connection, a locked call per piece of a line). */
struct text_part {
	char *buf;
	size_t len, cap;
	unsigned long long events;
	bool oom; /* a line found no memory: the events after it are left out */
};

/* One connection's timeline so far (text_output.conns). Past TEXT_HEAD_MAX, lines
 * go to tail[cur]; when that one is full the older half is emptied and
 * written over, so the tail is always the latest lines. */
struct text_block {
	struct text_part head, tail[2];
	int cur;
	bool in_tail;
	unsigned long long elided; /* events dropped between head and tail */
	struct tl_legend legend;
	/* "52334 -> 8080" of each direction, with the ports it was made of:
	 * the same two numbers on every segment's line. */
	__u16 ports_of[2][2];
	__u8 ports_len[2]; /* 0: not made yet */
	char ports[2][TEXT_PORTS_MAX];
};

struct text_output {
	struct tl_output out; /* first: the callbacks get &out back */
	FILE *f;
	bool color;
	__u64 next_loss_warning_ns;
	int no_cols; /* TEXT_NO_COLS with -r or -w, else 0 */
	int seg_col; /* where the segment column begins */
	enum tl_time_format time_format;
	__u64 first_ns, prev_ns; /* the trace's first and latest segment (-t r, -t d) */
	bool verbose;		 /* -v: TSval/TSecr, how the kernel was asked */
	bool why;		 /* --why */
	enum tl_headers_mode headers;
	const struct tl_text_lang *lang;
	struct tl_conn_map conns;   /* struct text_block, by connection id */
	bool live;		    /* --live: lines go out as they come, not in blocks */
	struct text_part live_line; /* --live: the line being built */
	char titles[64];	    /* the column titles under a block's header */
};

/* Colour codes only when asked for: a pipe or a file gets plain text. */
static void text_color(const struct text_output *t, struct tl_fmt *f, const char *code)
{
	if (t->color)
		tl_fmt_str(f, code);
}

/* Code points that steer a terminal or reorder what it shows: C0 and C1
 * controls (C1 U+009B is CSI on some terminals), DEL, the line separators
 * and the bidirectional marks, embeddings and isolates. */
static bool text_cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* text_unit: how the code point or invalid byte at u is shown: itself, or
 * \xNN for each of its bytes when it is invalid or unsafe; a backslash is
 * doubled so that \xNN is never ambiguous. Sets *n to the bytes it takes
 * from u and *cols to its width; returns the length written to out. */
static int text_unit(const unsigned char *u, size_t len, char out[TEXT_UNIT_MAX], size_t *n,
		     int *cols)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t cp;
	int k = 0;

	*n = tl_utf8_seq(u, len, &cp);
	if (*n && cp == '\\') {
		*cols = 2;
		memcpy(out, "\\\\", 2);
		return 2;
	}
	if (*n && !text_cp_unsafe(cp)) {
		memcpy(out, u, *n);
		*cols = 1;
		return (int)*n;
	}
	if (!*n)
		*n = 1;
	for (size_t i = 0; i < *n; i++, k += 4) {
		memcpy(out + k, "\\x", 2);
		out[k + 2] = hex[u[i] >> 4];
		out[k + 3] = hex[u[i] & 0xf];
	}
	*cols = k;
	return k;
}

/* text_plain_copy: copies to out the bytes from u that stand for
 * themselves, one column each (printable ASCII but the backslash), at most
 * max of them; returns how many. They are nearly all the text, so they are
 * copied as they are checked, not checked and then copied. */
static size_t text_plain_copy(char *out, const unsigned char *u, size_t max)
{
	size_t n = 0;
	uint64_t w;

	/* Eight at a time while none of them is a control, DEL or above, or
	 * a backslash (adding one carries 0x7f into its top bit). */
	for (; max - n >= sizeof(w); n += sizeof(w)) {
		memcpy(&w, u + n, sizeof(w));
		if (tl_swar_below(w, 0x20) | tl_swar_high(w | (w + TL_SWAR_ONES)) |
		    tl_swar_eq(w, '\\'))
			break;
		memcpy(out + n, &w, sizeof(w));
	}
	while (n < max && u[n] >= 0x20 && u[n] < 0x7f && u[n] != '\\') {
		out[n] = (char)u[n];
		n++;
	}
	return n;
}

/* text_safe: writes len bytes from the wire (or a task's chosen name),
 * escaped, spending one column of *cols per character. When they would run
 * out, "…" ends the text and *cols drops to 0, which stops every later
 * text_safe on the same line. */
static void text_safe(struct tl_fmt *f, const char *s, size_t len, int *cols)
{
	const unsigned char *u = (const unsigned char *)s;
	char out[TEXT_UNIT_MAX];
	size_t n, max, room;
	int k, w;

	for (size_t i = 0; *cols > 0 && i < len; i += n) {
		/* A run as long as the columns left is cut, "…" in its last. */
		room = f->size - 1 - f->len;
		max = len - i < (size_t)*cols ? len - i : (size_t)*cols;
		n = text_plain_copy(f->buf + f->len, u + i, max < room ? max : room);
		if (n == room && n < max) {
			f->len += n;
			f->buf[f->len] = '\0';
			f->cut = true;
			*cols = 0;
			return;
		}
		if (n) {
			k = n < (size_t)*cols ? (int)n : *cols - 1;
			f->len += k;
			f->buf[f->len] = '\0';
			*cols -= k;
			if (k < (int)n)
				goto cut;
			continue;
		}
		k = text_unit(u + i, len - i, out, &n, &w);
		if (w > *cols - 1)
			goto cut;
		tl_fmt_mem(f, out, k);
		*cols -= w;
	}
	return;
cut:
	tl_fmt_str(f, "…");
	*cols = 0;
}

static void text_str(struct tl_fmt *f, const char *s, int *cols)
{
	text_safe(f, s, strlen(s), cols);
}

/* text_plain: n bytes of the program's own plain ASCII (a separator, a
 * label, a number), in text_safe's columns and with its cut, without its
 * check of every byte: most of an HTTP line is these. */
static inline void text_plain(struct tl_fmt *f, const char *s, size_t n, int *cols)
{
	if (*cols <= 0)
		return;
	if (n < (size_t)*cols) {
		tl_fmt_mem(f, s, n);
		*cols -= (int)n;
		return;
	}
	tl_fmt_mem(f, s, (size_t)*cols - 1);
	tl_fmt_str(f, "…");
	*cols = 0;
}

/* text_plain of a string, mostly a literal (its length folds). */
static inline void text_plain_str(struct tl_fmt *f, const char *s, int *cols)
{
	text_plain(f, s, strlen(s), cols);
}

/* text_item: starts one more item of a parenthesised list: "  (a" then
 * ", b"; the caller writes the item. */
static void text_item(struct tl_fmt *f, int *cols, bool *open)
{
	text_plain(f, *open ? ", " : "  (", *open ? 2 : 3, cols);
	*open = true;
}

/* text_fill: tmpl, one of --lang's words, with its one conversion ("%s",
 * "%u", "%zu") replaced by arg, formatted by the caller; the words are
 * this program's own, so no printf is needed to read them. */
static void text_fill(struct tl_fmt *f, const char *tmpl, const char *arg)
{
	const char *pct = strchr(tmpl, '%');

	if (!pct) {
		tl_fmt_str(f, tmpl);
		return;
	}
	tl_fmt_mem(f, tmpl, (size_t)(pct - tmpl));
	tl_fmt_str(f, arg);
	tl_fmt_str(f, pct + strspn(pct + 1, "lz") + 2);
}

/* text_fill with a number. */
static void text_fill_uint(struct tl_fmt *f, const char *tmpl, uint64_t v)
{
	char num[TEXT_NUM_MAX];
	struct tl_fmt n;

	tl_fmt_init(&n, num, sizeof(num));
	tl_fmt_uint(&n, v);
	text_fill(f, tmpl, num);
}

/* text_num: v / unit with three decimals, cut rather than rounded so that
 * a time never shows later than it was: "5.001". */
static void text_num(struct tl_fmt *f, uint64_t v, uint64_t unit)
{
	tl_fmt_fixed(f, v / unit, v % unit / (unit / 1000), 3);
}

/* text_duration: "5.001 s", or "0.834 ms" for what a second would show as
 * 0.000: loopback lives are often that short. */
static void text_duration(struct tl_fmt *f, uint64_t ns)
{
	const bool secs = ns >= NS_PER_S;

	text_num(f, ns, secs ? NS_PER_S : NS_PER_MS);
	tl_fmt_str(f, secs ? " s" : " ms");
}

/* "curl[4242]", or "?" when the kernel never named the process. A comm is
 * whatever the task chose, so it is escaped like wire bytes. */
static void text_proc(struct tl_fmt *f, const struct tl_proc *p)
{
	int cols = 4 * TL_COMM_LEN + 1; /* room for every byte escaped */

	if (!p->pid) {
		tl_fmt_char(f, '?');
		return;
	}
	text_safe(f, p->comm, strnlen(p->comm, sizeof(p->comm)), &cols);
	tl_fmt_char(f, '[');
	tl_fmt_uint(f, p->pid);
	tl_fmt_char(f, ']');
}

/* text_part_grow: room for n more bytes in p, by doubling; false (and the
 * part marked) when there is no memory. */
static bool text_part_grow(struct text_part *p, size_t n)
{
	p->oom = vec_grow_bytes(&p->buf, &p->cap, p->len, n, TEXT_PART_MIN) != 0;
	return !p->oom;
}

/* text_line: starts a line of at most size - 1 bytes at the end of p, in
 * room made first; false when there is none. Inline: once per line. */
static inline bool text_line(struct text_part *p, struct tl_fmt *f, size_t size)
{
	if (p->oom || (size > p->cap - p->len && !text_part_grow(p, size)))
		return false;
	tl_fmt_init(f, p->buf + p->len, size);
	return true;
}

/* text_line_end: keeps the line text_line started; with --live, writes it
 * at once, after the connection's number. */
static void text_line_end(struct text_output *t, struct text_part *p, struct tl_fmt *f)
{
	p->len += f->len;
	if (p != &t->live_line)
		return;
	fwrite_unlocked(p->buf, 1, p->len, t->f);
	p->len = 0;
}

/* Appends a finished line to the connection's timeline. */
static void text_put_line(struct text_output *t, struct text_part *p, struct tl_fmt *f)
{
	tl_fmt_char(f, '\n');
	text_line_end(t, p, f);
}

static void text_part_free(struct text_part *p)
{
	free(p->buf);
	*p = (struct text_part){0};
}

/* text_tail_part: where the lines of the tail go; on an event's first line
 * (starts), a full half makes way by emptying the older one. */
static struct text_part *text_tail_part(struct text_block *blk, bool starts)
{
	struct text_part *p = &blk->tail[blk->cur], *older = &blk->tail[!blk->cur];

	if (!starts || p->len < TEXT_TAIL_HALF)
		return p;
	blk->elided += older->events;
	older->len = 0;
	older->events = 0;
	older->oom = false;
	blk->cur = !blk->cur;
	return older;
}

/* The block of connection id, made on its first event; NULL when there is
 * no memory for it. */
static struct text_block *text_block_get(struct text_output *t, __u64 id)
{
	struct text_block *blk;

	blk = tl_conn_map_get(&t->conns, id);
	if (!blk) {
		blk = calloc(1, sizeof(*blk));
		if (!blk)
			return NULL;
		if (tl_conn_map_put(&t->conns, id, blk)) {
			free(blk);
			return NULL;
		}
	}
	return blk;
}

/* text_block_for: the part of c's timeline to add a line to; starts: the
 * line begins an event (a segment's line or a state's, the HTTP lines
 * under a segment do not). NULL when the line cannot be added (out of
 * memory: then its event is counted as left out). *block: the block,
 * from the same lookup (NULL when there is none). */
static struct text_part *text_block_for(struct text_output *t, const struct tl_conn *c, bool starts,
					struct text_block **block)
{
	struct text_block *blk = text_block_get(t, c->id);
	struct text_part *p;

	*block = blk;
	if (!blk)
		return NULL;
	if (!blk->in_tail && starts && blk->head.len >= TEXT_HEAD_MAX)
		blk->in_tail = true;
	p = blk->in_tail ? text_tail_part(blk, starts) : &blk->head;
	if (p->oom) {
		blk->elided += starts;
		return NULL;
	}
	p->events += starts;
	return p;
}

/* Where an event's lines go: the connection's block, or with --live out
 * at once, after the connection's number in a column of its own. block
 * (may be NULL): set to the block, NULL if there is none. */
static struct text_part *text_target(struct text_output *t, const struct tl_conn *c, bool starts,
				     struct text_block **block)
{
	struct text_block *unused;
	/* Live, the block only holds the legend's facts for the header. */
	struct text_part *blk = text_block_for(t, c, starts && !t->live, block ? block : &unused);
	struct tl_fmt f;

	if (!t->live)
		return blk;
	/* Each event's lines start afresh: a line that found no memory left
	 * its number behind and must not stop the ones after it. */
	t->live_line.len = 0;
	t->live_line.oom = false;
	if (text_line(&t->live_line, &f, TEXT_NUM_MAX)) {
		tl_fmt_char(&f, '#');
		tl_fmt_uint(&f, c->id);
		tl_fmt_pad(&f, 6);
		t->live_line.len += f.len;
	}
	return &t->live_line;
}

/* The frame number, with -r or -w (0: none, as on a state line), and the
 * time column: since the connection's first event, or as tshark's -t r
 * (since the first segment) and -t d (since the previous one). */
static void text_time_col(struct text_output *t, struct tl_fmt *f, const struct tl_conn *c,
			  __u64 ts_ns, __u64 frame_no)
{
	__u64 since = c->start_ns;

	if (frame_no && !t->first_ns)
		t->first_ns = t->prev_ns = ts_ns;
	if (t->time_format == TL_TIME_RELATIVE)
		since = t->first_ns ? t->first_ns : ts_ns;
	else if (t->time_format == TL_TIME_DELTA)
		since = t->prev_ns ? t->prev_ns : ts_ns;
	if (frame_no)
		t->prev_ns = ts_ns;
	ts_ns = ts_ns > since ? ts_ns - since : 0;
	if (t->no_cols) {
		tl_fmt_str(f, "  ");
		if (frame_no)
			tl_fmt_uint(f, frame_no);
		tl_fmt_pad(f, t->no_cols);
	}
	tl_fmt_str(f, t->time_format == TL_TIME_CONN ? "  +" : "   ");
	tl_fmt_fixed(f, ts_ns / NS_PER_S, ts_ns % NS_PER_S / 1000, 6);
	tl_fmt_pad(f, t->no_cols + TEXT_TIME_COLS);
}

/* "52334 -> 8080", made once per direction of a block (d) and copied
 * after; without a block (no memory), made each time. */
static void text_seg_ports(struct tl_fmt *f, struct text_block *blk, int d, __u16 sport,
			   __u16 dport)
{
	struct tl_fmt p;

	if (blk && blk->ports_len[d] && blk->ports_of[d][0] == sport &&
	    blk->ports_of[d][1] == dport) {
		if (f->size - 1 - f->len < TEXT_PORTS_MAX) {
			tl_fmt_mem(f, blk->ports[d], blk->ports_len[d]);
			return;
		}
		/* The whole array, a fixed copy; the bytes past the text are
		 * written over. */
		memcpy(f->buf + f->len, blk->ports[d], TEXT_PORTS_MAX);
		f->len += blk->ports_len[d];
		f->buf[f->len] = '\0';
		return;
	}
	if (!blk) {
		tl_fmt_uint(f, sport);
		tl_fmt_str(f, " -> ");
		tl_fmt_uint(f, dport);
		return;
	}
	tl_fmt_init(&p, blk->ports[d], sizeof(blk->ports[d]));
	tl_fmt_uint(&p, sport);
	tl_fmt_str(&p, " -> ");
	tl_fmt_uint(&p, dport);
	blk->ports_of[d][0] = sport;
	blk->ports_of[d][1] = dport;
	blk->ports_len[d] = (__u8)p.len;
	tl_fmt_mem(f, p.buf, p.len);
}

/* "SYN, ACK", written in place when the line has the room. */
static void text_flags(struct tl_fmt *f, __u16 flags)
{
	char buf[TL_TCP_FLAGS_ROOM];

	if (f->size - 1 - f->len < TL_TCP_FLAGS_ROOM) {
		tl_fmt_mem(f, buf, tl_tcp_flags_write(flags, buf));
		return;
	}
	f->len += tl_tcp_flags_write(flags, f->buf + f->len);
}

static void text_on_packet(void *ctx, const struct tl_conn *c, const struct tl_pkt_view *v)
{
	struct text_output *t = ctx;
	struct text_block *block;
	struct text_part *blk = text_target(t, c, true, &block);
	const struct tl_packet *p = v->pkt;
	struct tl_fmt f;

	if (block)
		tl_legend_packet(&block->legend, v);
	/* Built by hand: this runs for every segment, and printf dominated. */
	if (!blk || !text_line(blk, &f, TEXT_SEG_LINE_MAX))
		return;
	text_time_col(t, &f, c, v->ts_ns, v->frame_no);
	text_seg_ports(&f, block, v->from == TL_CLIENT ? 0 : 1, p->sport, p->dport);
	tl_fmt_pad(&f, t->seg_col);
	if (v->analysis && v->analysis->flags) {
		char labels[256];

		text_color(t, &f, TEXT_YELLOW);
		/* A Dup ACK names a frame where the lines show frame numbers. */
		tl_fmt_str(&f, tl_analysis_labels_str(v->analysis, t->no_cols != 0, labels,
						      sizeof(labels)));
		text_color(t, &f, TEXT_RESET);
	}
	if (t->color)
		tl_fmt_str(&f, p->flags & TL_RST ? TEXT_RED : TEXT_BOLD);
	tl_fmt_char(&f, '[');
	text_flags(&f, p->flags);
	tl_fmt_char(&f, ']');
	if (t->color)
		tl_fmt_str(&f, TEXT_RESET);
	tl_fmt_str(&f, " Seq=");
	tl_fmt_uint(&f, v->seq);
	/* Wireshark shows Ack= only when the ACK flag makes it meaningful. */
	if (p->flags & TL_ACK) {
		tl_fmt_str(&f, " Ack=");
		tl_fmt_uint(&f, v->ack);
	}
	tl_fmt_str(&f, " Win=");
	tl_fmt_uint(&f, v->win_scaled);
	tl_fmt_str(&f, " Len=");
	tl_fmt_uint(&f, p->payload_len);
	/* TSval/TSecr only with -v: they are what makes a line too wide. */
	if (v->opts->nkinds && f.len + 2 < f.size) {
		size_t n = tl_tcp_options_fmt(v->opts, v->sack_base, t->verbose, f.buf + f.len + 1,
					      f.size - f.len - 2);

		f.buf[f.len] = ' ';
		f.len += n ? n + 1 : 0;
	}
	text_put_line(t, blk, &f);
}

/* What only the kernel knows, under the segment it concerns. */
static void text_on_kernel(void *ctx, const struct tl_conn *c, const struct tl_kernel_view *v)
{
	struct text_output *t = ctx;
	struct text_part *blk = text_target(t, c, true, NULL);
	struct tl_fmt f;

	if (!blk || !text_line(blk, &f, TEXT_STATE_LINE_MAX))
		return;
	text_time_col(t, &f, c, v->ts_ns, 0);
	tl_fmt_uint(&f, c->ep[v->side].port);
	tl_fmt_str(&f, " -> ");
	tl_fmt_uint(&f, c->ep[TL_OTHER(v->side)].port);
	tl_fmt_pad(&f, t->seg_col);
	text_color(t, &f, TEXT_CYAN);
	if (v->type == TL_EV_RESET) {
		tl_fmt_str(&f, "the kernel sent a RST: ");
		tl_fmt_str(&f, v->reason);
	} else {
		tl_fmt_str(&f, v->type == TL_EV_DROP ? "dropped in the kernel: "
						     : "retransmitted by the kernel: ");
		if (v->reason) {
			tl_fmt_str(&f, v->reason);
			tl_fmt_str(&f, v->before_capture
					   ? " (the capture will not show this segment) "
					   : " (after the capture point) ");
		}
		tl_fmt_char(&f, '[');
		text_flags(&f, v->flags);
		tl_fmt_str(&f, "] Seq=");
		tl_fmt_uint(&f, v->seq);
		tl_fmt_str(&f, " Len=");
		tl_fmt_uint(&f, v->len);
	}
	text_color(t, &f, TEXT_RESET);
	text_put_line(t, blk, &f);
}

/* The kernel's states, between the segments that moved them, at the time
 * the kernel changed them. */
static void text_on_state(void *ctx, const struct tl_conn *c, const struct tl_state_view *v)
{
	struct text_output *t = ctx;
	struct text_block *block;
	struct text_part *blk = text_target(t, c, !v->inferred, &block);
	struct tl_fmt f;

	if (!blk || !text_line(blk, &f, TEXT_STATE_LINE_MAX))
		return;
	text_time_col(t, &f, c, v->ts_ns, 0);
	tl_fmt_pad(&f, t->seg_col);
	text_color(t, &f, TEXT_YELLOW);
	tl_fmt_str(&f, tl_side_name(v->side));
	tl_fmt_char(&f, ' ');
	tl_fmt_str(&f, tl_tcp_state_name(v->old_state));
	tl_fmt_str(&f, " -> ");
	tl_fmt_str(&f, tl_tcp_state_name(v->new_state));
	/* Live, the socket's CLOSE came first; in a capture, or for a side out
	 * of sight, only the packets tell. */
	if (v->inferred)
		tl_fmt_str(&f,
			   !v->from_packets ? t->lang->tw_handed_over : t->lang->tw_from_packets);
	if (t->why) {
		tl_fmt_str(&f, "  (");
		tl_fmt_str(&f, t->lang->why);
		tl_fmt_str(&f, t->lang->cause[v->cause]);
		tl_fmt_char(&f, ')');
	}
	if (block)
		block->legend.notes |= tl_legend_note(v->old_state, v->new_state);
	text_color(t, &f, TEXT_RESET);
	text_put_line(t, blk, &f);
}

/* "  (text/html, 1100 bytes, 0.220 ms after GET /index.html)" */
static void text_http_details(struct tl_fmt *f, int *cols, const struct tl_http_view *v)
{
	const struct tl_http_msg *m = v->msg;
	const bool req = m->kind == TL_HTTP_REQUEST;
	bool open = false;
	char ms[TEXT_NUM_MAX], bytes[TEXT_NUM_MAX];
	struct tl_fmt num;

	if (*m->content_type) {
		text_item(f, cols, &open);
		text_str(f, m->content_type, cols);
	}
	if (m->content_length >= 0) {
		text_item(f, cols, &open);
		tl_fmt_init(&num, bytes, sizeof(bytes));
		tl_fmt_uint(&num, (uint64_t)m->content_length);
		tl_fmt_str(&num, " byte");
		tl_fmt_str(&num, tl_plural((uint64_t)m->content_length));
		text_plain(f, bytes, num.len, cols);
	}
	if (req && *m->range) {
		text_item(f, cols, &open);
		text_plain_str(f, "Range: ", cols);
		text_str(f, m->range, cols);
	}
	if (!req && *m->content_range) {
		text_item(f, cols, &open);
		text_plain_str(f, "Content-Range: ", cols);
		text_str(f, m->content_range, cols);
	}
	if (*m->connection) {
		text_item(f, cols, &open);
		text_plain_str(f, "Connection: ", cols);
		text_str(f, m->connection, cols);
	}
	if (m->chunked) {
		text_item(f, cols, &open);
		text_plain_str(f, "chunked", cols);
	} else if (*m->transfer_encoding) {
		text_item(f, cols, &open);
		text_plain_str(f, "Transfer-Encoding: ", cols);
		text_str(f, m->transfer_encoding, cols);
	}
	if (v->request) {
		text_item(f, cols, &open);
		tl_fmt_init(&num, ms, sizeof(ms));
		text_num(&num, v->latency_ns, NS_PER_MS);
		text_plain(f, ms, num.len, cols);
		text_plain_str(f, " ms after ", cols);
		text_str(f, v->request->method, cols);
		text_plain_str(f, " ", cols);
		text_safe(f, v->request->uri, v->request->uri_len, cols);
	}
	if (open)
		text_plain_str(f, ")", cols);
}

/* --headers: the fields under the message's line, as sent; where the bytes
 * kept end before the head does, a line says so instead of a guess. */
static void text_http_fields(struct text_output *t, struct text_part *p,
			     const struct tl_http_view *v)
{
	static struct tl_http_headers h; /* 18 KB; one thread */
	struct tl_fmt f;

	tl_http_headers_collect(v->head, v->head_len, t->headers, false, &h);
	for (int i = 0; i < h.n && text_line(p, &f, TEXT_LINE_MAX); i++) {
		int cols = TEXT_LINE_COLS - t->seg_col - 2;

		tl_fmt_pad(&f, t->seg_col + 2);
		text_safe(&f, (const char *)h.f[i].name, h.f[i].name_len, &cols);
		text_plain_str(&f, ": ", &cols);
		text_safe(&f, (const char *)h.f[i].value, h.f[i].value_len, &cols);
		text_put_line(t, p, &f);
	}
	if (h.truncated && text_line(p, &f, TEXT_LINE_MAX)) {
		tl_fmt_pad(&f, t->seg_col + 2);
		text_fill_uint(&f, t->lang->head_cut, v->head_len);
		text_put_line(t, p, &f);
	}
}

/* The start line, under the segment that begins the message. */
static void text_on_http(void *ctx, const struct tl_conn *c, const struct tl_http_view *v)
{
	struct text_output *t = ctx;
	struct text_part *p = text_target(t, c, false, NULL);
	const struct tl_http_msg *m = v->msg;
	int cols = TEXT_LINE_COLS - t->seg_col;
	char status[TEXT_NUM_MAX];
	struct tl_fmt f, num;

	if (!p || !text_line(p, &f, TEXT_LINE_MAX))
		return;
	tl_fmt_pad(&f, t->seg_col);
	text_color(t, &f, TEXT_CYAN);
	if (m->kind == TL_HTTP_REQUEST) {
		text_str(&f, m->method, &cols);
		text_plain_str(&f, " ", &cols);
		/* The target may hold NUL: by its length, not as a string. */
		text_safe(&f, m->uri, m->uri_len, &cols);
		if (m->uri_truncated)
			text_str(&f, "…", &cols);
		if (*m->version) {
			text_plain_str(&f, " ", &cols);
			text_str(&f, m->version, &cols);
		}
	} else {
		tl_fmt_init(&num, status, sizeof(status));
		tl_fmt_char(&num, ' ');
		tl_fmt_uint(&num, m->status < 0 ? 0 : (uint64_t)m->status);
		text_str(&f, m->version, &cols);
		text_plain(&f, status, num.len, &cols);
		if (*m->reason) {
			text_plain_str(&f, " ", &cols);
			text_str(&f, m->reason, &cols);
		}
	}
	text_http_details(&f, &cols, v);
	text_color(t, &f, TEXT_RESET);
	text_put_line(t, p, &f);
	if (t->headers)
		text_http_fields(t, p, v);
}

/* After a response's last segment: what the exchange took, from the
 * request's first byte. */
static void text_on_exchange(void *ctx, const struct tl_conn *c, const struct tl_exchange_view *v)
{
	struct text_output *t = ctx;
	struct text_part *p = text_target(t, c, false, NULL);
	int cols = TEXT_LINE_COLS - t->seg_col;
	struct tl_fmt f;

	if (!p || !text_line(p, &f, TEXT_LINE_MAX))
		return;
	tl_fmt_pad(&f, t->seg_col);
	text_color(t, &f, TEXT_CYAN);
	tl_fmt_str(&f, "= ");
	if (v->request) {
		text_safe(&f, v->request->method, strlen(v->request->method), &cols);
		tl_fmt_char(&f, ' ');
		text_safe(&f, v->request->uri, v->request->uri_len, &cols);
		tl_fmt_char(&f, ' ');
	}
	tl_fmt_str(&f, "-> ");
	tl_fmt_uint(&f, v->status < 0 ? 0 : (uint64_t)v->status);
	tl_fmt_str(&f, ", ");
	tl_fmt_uint(&f, v->body_bytes);
	tl_fmt_str(&f, " body byte");
	tl_fmt_str(&f, tl_plural(v->body_bytes));
	if (!v->complete)
		tl_fmt_str(&f, " (incomplete)");
	if (v->chunked)
		tl_fmt_str(&f, ", chunked");
	if (v->request) {
		tl_fmt_str(&f, ", first byte ");
		text_duration(&f, v->first_byte_ns - v->request->ts_ns);
		tl_fmt_str(&f, ", last byte ");
		text_duration(&f, v->last_byte_ns - v->request->ts_ns);
		tl_fmt_str(&f, " after the request");
	}
	text_color(t, &f, TEXT_RESET);
	text_put_line(t, p, &f);
}

/* "#3 127.0.0.1:52334 -> 127.0.0.1:8080   client curl[4242]   server ..."
 * and the column titles. */
static void text_header(struct text_output *t, struct tl_fmt *f, const struct tl_conn *c,
			const struct tl_legend *legend)
{
	char ep[TL_ENDPOINT_STRLEN];

	text_color(t, f, TEXT_BOLD);
	tl_fmt_char(f, '#');
	tl_fmt_uint(f, c->id);
	tl_fmt_char(f, ' ');
	tl_fmt_str(f, tl_endpoint_str(&c->ep[TL_CLIENT], ep));
	tl_fmt_str(f, " -> ");
	tl_fmt_str(f, tl_endpoint_str(&c->ep[TL_SERVER], ep));
	text_color(t, f, TEXT_RESET);
	tl_fmt_str(f, "   client ");
	text_proc(f, &c->proc[TL_CLIENT]);
	tl_fmt_str(f, "   server ");
	text_proc(f, &c->proc[TL_SERVER]);
	if (c->mid_stream)
		tl_fmt_str(f, "  (joined mid-stream)");
	if (c->roles_guessed)
		tl_fmt_str(f, "  (roles guessed: no SYN seen)");
	tl_fmt_char(f, '\n');
	tl_text_legend(f, c, legend, t->lang);
	tl_fmt_str(f, t->titles);
}

/* "  srtt C 0.031 ms S 0.029 ms  retrans C 0 S 3  cwnd C 10 S 27": each
 * side's TCP internals at its end, when the kernel told them; a side's
 * srtt is "-" when the kernel never measured an RTT (as ss leaves it out). */
static void text_tcp_info(struct tl_fmt *f, const struct tl_conn *c)
{
	static const char *const what[] = {"  srtt", "  retrans", "  cwnd"};
	const struct tl_tcp_info *ti = c->tcp_info;

	if (!ti[TL_CLIENT].valid && !ti[TL_SERVER].valid)
		return;
	for (int k = 0; k < 3; k++) {
		tl_fmt_str(f, what[k]);
		for (int s = TL_CLIENT; s <= TL_SERVER; s++) {
			tl_fmt_str(f, s == TL_CLIENT ? " C " : " S ");
			if (!ti[s].valid) {
				tl_fmt_char(f, '?');
			} else if (k == 0 && !ti[s].rtt_measured) {
				tl_fmt_char(f, '-');
			} else if (k == 0) {
				tl_fmt_fixed(f, ti[s].srtt_us / 1000, ti[s].srtt_us % 1000, 3);
				tl_fmt_str(f, " ms");
			} else {
				tl_fmt_uint(f, k == 1 ? ti[s].retrans : ti[s].cwnd);
			}
		}
	}
}

/* "  closed by client", "  reset by server", ...: how the life ended, in
 * the words of --lang. */
static void text_ending(struct tl_fmt *f, const struct tl_conn *c, const struct tl_text_lang *L)
{
	if (c->closed_by == TL_CLOSED_CLIENT || c->closed_by == TL_CLOSED_SERVER) {
		const enum tl_side active =
		    c->closed_by == TL_CLOSED_CLIENT ? TL_CLIENT : TL_SERVER;

		tl_fmt_str(f, "  ");
		text_fill(f, L->closed_by, L->side[active]);
		text_fill(f, L->passive, L->side[TL_OTHER(active)]);
	} else if (c->closed_by == TL_CLOSED_RESET) {
		tl_fmt_str(f, "  ");
		text_fill(f, L->reset_by, L->side[c->reset_by]);
	}
	if (tl_conn_handshake(c) == TL_HS_FAILED) {
		tl_fmt_str(f, "  ");
		text_fill_uint(f, c->client_syns == 1 ? L->hs_failed_one : L->hs_failed,
			       c->client_syns);
	}
	if (c->time_wait >= 0) {
		tl_fmt_str(f, "  ");
		text_fill(f, L->time_wait,
			  c->time_wait == TL_TW_BOTH ? L->both : L->side[c->time_wait]);
	}
}

/* Where neither side's kernel said how often it retransmitted (-r, or a
 * kernel without the tracepoint), Wireshark's count of the segments it
 * labels a retransmission, when there were any, worded apart from the
 * kernel's "retrans C n S n". */
static void text_ws_retrans(struct tl_fmt *f, const struct tl_conn *c, const struct tl_text_lang *L)
{
	if (c->tcp_info[TL_CLIENT].valid || c->tcp_info[TL_SERVER].valid || !c->retransmissions)
		return;
	tl_fmt_str(f, "  ");
	text_fill_uint(f, L->ws_retrans, c->retransmissions);
}

/* A browser's process, by the comm of the thread that connected: Chromium
 * and its kin (the browser's own, or its network service's IO thread,
 * Chrome_ChildIOThread), Firefox (its Socket Thread). Only a browser's
 * unused connection is a preconnect; another client's is just unused. */
static bool comm_is_browser(const struct tl_proc *p)
{
	static const char *const prefixes[] = {"chrom",	 "Chrome_", "firefox", "Socket Thread",
					       "msedge", "brave",   "opera",   "vivaldi"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(p->comm, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

/* "  = curl[4242] -> tcplife-httpd[4100]  5.001 s  C>S 77 B ...", in the
 * words of --lang. */
static void text_summary(struct text_output *t, struct tl_fmt *f, const struct tl_conn *c)
{
	const struct tl_text_lang *L = t->lang;

	text_color(t, f, TEXT_BOLD);
	tl_fmt_str(f, "  = ");
	text_proc(f, &c->proc[TL_CLIENT]);
	tl_fmt_str(f, " -> ");
	text_proc(f, &c->proc[TL_SERVER]);
	tl_fmt_str(f, "  ");
	text_duration(f, c->last_ns - c->start_ns);
	tl_fmt_str(f, "  C>S ");
	tl_fmt_uint(f, c->flow[TL_CLIENT].bytes);
	tl_fmt_str(f, " B  S>C ");
	tl_fmt_uint(f, c->flow[TL_SERVER].bytes);
	tl_fmt_str(f, " B  ");
	if (tl_conn_preconnect(c))
		tl_fmt_str(f, comm_is_browser(&c->proc[TL_CLIENT]) ? L->preconnect : L->no_request);
	else
		text_fill_uint(f, c->requests == 1 ? L->request : L->requests, c->requests);
	text_ending(f, c, L);
	text_tcp_info(f, c);
	text_ws_retrans(f, c, L);
	if (c->open_at_exit) {
		tl_fmt_str(f, "  ");
		tl_fmt_str(f, L->open_at_exit);
	}
	if (c->evicted) {
		tl_fmt_str(f, "  ");
		tl_fmt_str(f, L->evicted);
	}
	if (c->incomplete) {
		tl_fmt_str(f, "  ");
		tl_fmt_str(f, c->states_missing ? L->lost_states : L->lost_events);
	}
	text_color(t, f, TEXT_RESET);
	tl_fmt_str(f, "\n\n");
}

static void text_block_free(void *v)
{
	struct text_block *blk = v;

	text_part_free(&blk->head);
	text_part_free(&blk->tail[0]);
	text_part_free(&blk->tail[1]);
	free(blk);
}

static void text_part_write(struct text_output *t, const struct text_part *p)
{
	if (p->len)
		fwrite_unlocked(p->buf, 1, p->len, t->f);
}

static void text_on_conn_end(void *ctx, const struct tl_conn *c)
{
	struct text_output *t = ctx;
	struct text_block *blk = tl_conn_map_take(&t->conns, c->id);
	char frame[TEXT_FRAME_MAX];
	struct tl_fmt f;

	tl_fmt_init(&f, frame, sizeof(frame));
	text_header(t, &f, c, blk ? &blk->legend : &(struct tl_legend){0});
	fwrite_unlocked(f.buf, 1, f.len, t->f);
	if (blk) {
		text_part_write(t, &blk->head);
		if (blk->elided) {
			tl_fmt_init(&f, frame, sizeof(frame));
			tl_fmt_str(&f, "  ... ");
			tl_fmt_uint(&f, blk->elided);
			tl_fmt_str(&f, " event");
			tl_fmt_str(&f, tl_plural(blk->elided));
			tl_fmt_str(&f, " left out (a long timeline: its start and its end are "
				       "shown)\n");
			fwrite_unlocked(f.buf, 1, f.len, t->f);
		}
		text_part_write(t, &blk->tail[!blk->cur]);
		text_part_write(t, &blk->tail[blk->cur]);
		text_block_free(blk);
	}
	tl_fmt_init(&f, frame, sizeof(frame));
	text_summary(t, &f, c);
	fwrite_unlocked(f.buf, 1, f.len, t->f);
}

/* Printed when it happens: the connection's block was printed long ago. */
static void text_on_tw_end(void *ctx, const struct tl_tw_view *v)
{
	struct text_output *t = ctx;
	char secs[TEXT_NUM_MAX], local[TL_ENDPOINT_STRLEN], line[TEXT_FRAME_MAX];
	struct tl_fmt f, d;

	tl_fmt_init(&d, secs, sizeof(secs));
	text_duration(&d, v->end_ns - v->start_ns);
	tl_fmt_init(&f, line, sizeof(line));
	text_color(t, &f, TEXT_YELLOW);
	tl_fmt_char(&f, '#');
	tl_fmt_uint(&f, v->conn_id);
	tl_fmt_char(&f, ' ');
	tl_fmt_str(&f, tl_side_name(v->side));
	tl_fmt_char(&f, ' ');
	text_fill(&f, t->lang->tw_ended, secs);
	tl_fmt_str(&f, " (");
	tl_fmt_str(&f, tl_endpoint_str(&v->local, local));
	tl_fmt_char(&f, ')');
	if (v->confirmed)
		tl_fmt_str(&f, t->lang->tw_confirmed[t->verbose]);
	if (v->ended_by == TL_TW_ENDED_REUSED)
		tl_fmt_str(&f, t->lang->tw_reused);
	if (t->why) {
		tl_fmt_str(&f, "  (");
		tl_fmt_str(&f, t->lang->why);
		tl_fmt_str(&f, t->lang->cause[v->cause]);
		tl_fmt_char(&f, ')');
	}
	text_color(t, &f, TEXT_RESET);
	tl_fmt_char(&f, '\n');
	fwrite_unlocked(f.buf, 1, f.len, t->f);
}

/* "ports 80, 8080" or "all ports". */
static void text_ports(char *buf, size_t size, const struct tl_start_info *info)
{
	size_t k;

	if (!info->nports) {
		snprintf(buf, size, "all ports");
		return;
	}
	k = snprintf(buf, size, "ports");
	for (int i = 0; i < info->nports && k < size; i++)
		k += snprintf(buf + k, size - k, "%s %u", i ? "," : "", info->ports[i]);
}

static const char *text_family(int family)
{
	if (family == AF_INET)
		return ", IPv4 only";
	return family == AF_INET6 ? ", IPv6 only" : "";
}

/* The frame number's column (no_cols wide, 0 for none), and so where the
 * segment column begins, and the titles over them. */
static void text_columns(struct text_output *t, int no_cols)
{
	t->no_cols = no_cols;
	t->seg_col = no_cols + TEXT_SEGMENT_COL;
	snprintf(t->titles, sizeof(t->titles), "  %s%-*s%-*ssegment\n", no_cols ? "No.     " : "",
		 TEXT_TIME_COLS - 2, "time", TEXT_DIR_COLS, "dir");
}

/* The status lines go to stderr, so that stdout holds only timelines. */
static void text_start(struct tl_output *o, const struct tl_start_info *info)
{
	struct text_output *t = (struct text_output *)o;
	const char *family = text_family(info->family);
	char ports[16 + 8 * TL_MAX_PORTS];
	bool owner_differs;

	t->time_format = info->time_format;
	t->verbose = info->verbose;
	t->why = info->why;
	t->headers = info->headers;
	t->lang = tl_text_lang(info->lang);
	t->live = info->live;
	text_columns(t, info->source_file || info->write_file ? TEXT_NO_COLS : 0);
	text_ports(ports, sizeof(ports), info);
	/* A capture file has no attach points. */
	if (info->source_file) {
		fprintf(stderr, "Reading %s (%s%s)...\n", info->source_file, ports, family);
		return;
	}
	/* How the kernel was hooked is for -v: a student needs none of it. */
	if (!t->verbose) {
		fprintf(stderr, "Tracing TCP on %s (%s%s)... Ctrl-C to end.\n", info->ifname, ports,
			family);
		if (info->facts_missing && *info->facts_missing)
			fprintf(stderr, "This kernel does not report some facts (-v says which)\n");
		return;
	}
	owner_differs = strcmp(info->owner_attach, info->state_attach) != 0;
	fprintf(stderr, "Tracing TCP on %s (%s%s; %s, %s%s%s)... Ctrl-C to end.\n", info->ifname,
		ports, family, info->tc_attach, info->state_attach, owner_differs ? ", owner " : "",
		owner_differs ? info->owner_attach : "");
	if (info->facts_missing && *info->facts_missing)
		fprintf(stderr,
			"Without these kernel tracepoints (not on this kernel, or no tp_btf): "
			"%s\n",
			info->facts_missing);
}

/* At most one warning a second: under overload the count grows on every
 * poll, and the exit line gives the total anyway. */
static void text_loss(struct tl_output *o, __u64 ts_ns, __u64 total)
{
	struct text_output *t = (struct text_output *)o;

	if (ts_ns < t->next_loss_warning_ns)
		return;
	t->next_loss_warning_ns = ts_ns + NS_PER_S;
	fprintf(stderr,
		"tcplife-http: warning: %llu event%s lost (ring buffer full); "
		"affected connections are marked INCOMPLETE\n",
		(unsigned long long)total, tl_plural(total));
}

static void text_stats(struct tl_output *o, const struct tl_stats_info *info)
{
	(void)o;
	if (info->states_missing)
		fprintf(stderr,
			"tcplife-http: %llu connection%s ended without their sockets' last states "
			"(marked INCOMPLETE)\n",
			(unsigned long long)info->states_missing, tl_plural(info->states_missing));
	fprintf(stderr, "%llu event%s, %llu lost, %llu connection%s\n",
		(unsigned long long)info->events, tl_plural(info->events),
		(unsigned long long)info->lost, (unsigned long long)info->conns,
		tl_plural(info->conns));
}

/* Blocks of the connections that ended in this drain, in one write. */
static void text_flush(struct tl_output *o) { fflush(((struct text_output *)o)->f); }

static void text_free(struct tl_output *o)
{
	struct text_output *t = (struct text_output *)o;

	/* Timelines never printed: their lives had not ended. */
	tl_conn_map_free(&t->conns, text_block_free);
	text_part_free(&t->live_line);
	free(t);
}

struct tl_output *tl_output_text_new(FILE *f, bool color)
{
	struct text_output *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->f = f;
	t->color = color;
	text_columns(t, 0);
	t->lang = tl_text_lang(TL_LANG_EN);
	t->out = (struct tl_output){
	    .sink = {.ctx = t,
		     .on_packet = text_on_packet,
		     .on_state = text_on_state,
		     .on_http = text_on_http,
		     .on_exchange = text_on_exchange,
		     .on_conn_end = text_on_conn_end,
		     .on_tw_end = text_on_tw_end,
		     .on_kernel = text_on_kernel},
	    .start = text_start,
	    .loss = text_loss,
	    .stats = text_stats,
	    .flush = text_flush,
	    .free = text_free,
	};
	return &t->out;
}
