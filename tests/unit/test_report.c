/* The report's pure parts: escaping of wire text into HTML/SVG, the model
 * read from --json lines, and the ladder's layout (handshake, close, folds,
 * TIME_WAIT), and that hostile text never becomes markup. Lives are given
 * as the JSON lines the tracer writes, built by hand from compact rows. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tracer/report/report_esc.h"
#include "tracer/report/report_html.h"
#include "tracer/report/report_pack.h"
#include "tracer/report/report_svg.h"
#include "unit.h"

#define FFFD "\xef\xbf\xbd"

static char *esc_str(const char *s, size_t n)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	tl_report_esc(f, s, n);
	fclose(f);
	return out;
}

static void test_escape(void)
{
	static const struct {
		int line;
		const char *in;
		size_t n;
		const char *want;
	} rows[] = {
	    {__LINE__, "GET /a?b=1 HTTP/1.1", 19, "GET /a?b=1 HTTP/1.1"},
	    {__LINE__, "<script>alert(1)</script>", 25, "&lt;script&gt;alert(1)&lt;/script&gt;"},
	    {__LINE__, "a&b\"c'd", 7, "a&amp;b&quot;c&#39;d"},
	    {__LINE__, "]]><!--", 7, "]]&gt;&lt;!--"},
	    {__LINE__, "tab\there\r\n", 10, "tab" FFFD "here" FFFD FFFD},
	    {__LINE__, "nul\0x", 5, "nul" FFFD "x"},
	    {__LINE__, "\x7f\xc2\x85", 3, FFFD FFFD}, /* DEL, C1 NEL */
	    {__LINE__, "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80", 14,
	     "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"},
	    {__LINE__, "\xff\xfe", 2, FFFD FFFD},
	    {__LINE__, "\xc0\xaf", 2, FFFD FFFD},		    /* overlong '/' */
	    {__LINE__, "\xed\xa0\x80", 3, FFFD FFFD FFFD},	    /* a surrogate */
	    {__LINE__, "\xef\xbf\xbe", 3, FFFD},		    /* U+FFFE: not an XML Char */
	    {__LINE__, "\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD}, /* past U+10FFFF */
	    {__LINE__, "\xe4\xb8", 2, FFFD FFFD},		    /* cut short */
	    {__LINE__, "\xe4\xb8<", 3, FFFD FFFD "&lt;"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *got = esc_str(rows[i].in, rows[i].n);

		UNIT_CHECK_AT(rows[i].line, !strcmp(got, rows[i].want), "escape row %zu gives '%s'",
			      i, got);
		free(got);
	}
}

/* One row of a life: 'S' a segment, 's' a state, 'H' an HTTP message. */
struct ev {
	char kind;
	int t_us;
	const char *side;  /* c2s/s2c, client/server, request/response */
	const char *flags; /* 'S'; 's': the new state; 'H': the request line's URI */
	unsigned seq, ack, len;
};

#define T0 1700000000
#define RAW_C 1000u /* client's ISN */
#define RAW_S 5000u

static int feed(struct tl_rp_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int feed(struct tl_rp_model *m, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	return tl_rp_model_line(m, line, n);
}

static int feed_ev(struct tl_rp_model *m, const struct ev *e)
{
	bool c2s = !strcmp(e->side, "c2s") || !strcmp(e->side, "request");

	switch (e->kind) {
	case 'S':
		return feed(m,
			    "{\"type\":\"packet\",\"ts\":%d.%06d,\"conn\":1,\"src\":\"127.0.0.1\","
			    "\"sport\":%d,\"dst\":\"127.0.0.1\",\"dport\":%d,\"dir\":\"%s\","
			    "\"flags\":\"%s\",\"seq\":%u,\"ack\":%u,\"seq_raw\":%u,\"ack_raw\":%u,"
			    "\"len\":%u,\"win\":512,\"win_scaled\":65536,\"frame_len\":66}",
			    T0, e->t_us, c2s ? 40000 : 8080, c2s ? 8080 : 40000, e->side, e->flags,
			    e->seq, e->ack, e->seq + (c2s ? RAW_C : RAW_S),
			    e->ack + (c2s ? RAW_S : RAW_C), e->len);
	case 's':
		return feed(m,
			    "{\"type\":\"state\",\"ts\":%d.%06d,\"conn\":1,\"side\":\"%s\","
			    "\"old\":\"CLOSE\",\"new\":\"%s\",\"inferred\":false}",
			    T0, e->t_us, e->side, e->flags);
	default:
		if (c2s)
			return feed(
			    m,
			    "{\"type\":\"http\",\"ts\":%d.%06d,\"conn\":1,\"dir\":\"request\","
			    "\"method\":\"GET\",\"uri\":\"%s\",\"version\":\"HTTP/1.1\","
			    "\"seq\":%u}",
			    T0, e->t_us, e->flags, e->seq);
		return feed(m,
			    "{\"type\":\"http\",\"ts\":%d.%06d,\"conn\":1,\"dir\":\"response\","
			    "\"version\":\"HTTP/1.1\",\"status\":206,\"reason\":\"%s\",\"seq\":%u,"
			    "\"latency_ms\":0.250}",
			    T0, e->t_us, e->flags, e->seq);
	}
}

static const char conn_line[] =
    "{\"type\":\"conn\",\"ts\":1700000000.900000,\"conn\":1,\"client\":\"127.0.0.1:40000\","
    "\"server\":\"127.0.0.1:8080\",\"client_pid\":7,\"client_comm\":\"%s\",\"server_pid\":null,"
    "\"server_comm\":null,\"start\":1700000000.000000,\"end\":1700000000.900000,"
    "\"duration_ms\":900.000,\"bytes_c2s\":10,\"bytes_s2c\":%u,\"packets\":9,\"requests\":1,"
    "\"responses\":1,\"closed_by\":\"client\",\"time_wait\":\"client\",\"mid_stream\":false,"
    "\"roles_guessed\":false,\"incomplete\":false,\"open_at_exit\":false,\"evicted\":false}";

/* The handshake, a request, `data` response segments, the close. */
static int build(struct tl_rp_model *m, unsigned data, bool three_way_close, const char *uri,
		 const char *comm)
{
	const struct ev head[] = {
	    {'s', 0, "client", "SYN_SENT", 0, 0, 0},
	    {'S', 1, "c2s", "SYN", 0, 0, 0},
	    {'S', 2, "s2c", "SYN, ACK", 0, 1, 0},
	    {'s', 3, "client", "ESTABLISHED", 0, 0, 0},
	    {'S', 4, "c2s", "ACK", 1, 1, 0},
	    {'S', 5, "c2s", "PSH, ACK", 1, 1, 10},
	    {'H', 5, "request", uri, 1, 0, 0},
	    {'S', 6, "s2c", "ACK", 1, 11, 0},
	    {'S', 7, "s2c", "PSH, ACK", 1, 11, 100},
	    {'H', 7, "response", "Partial Content", 1, 0, 0},
	};
	unsigned sseq = 101 + data * 1000;
	const struct ev close4[] = {
	    {'S', 900, "c2s", "FIN, ACK", 11, sseq, 0}, {'S', 901, "s2c", "ACK", sseq, 12, 0},
	    {'S', 902, "s2c", "FIN, ACK", sseq, 12, 0}, {'S', 903, "c2s", "ACK", 12, sseq + 1, 0},
	    {'s', 904, "client", "TIME_WAIT", 0, 0, 0},
	};
	int err = 0;

	for (size_t i = 0; i < sizeof(head) / sizeof(head[0]) && !err; i++)
		err = feed_ev(m, &head[i]);
	for (unsigned i = 0; i < data && !err; i++) {
		struct ev d = {'S', 10 + (int)i, "s2c", "ACK", 101 + i * 1000, 11, 1000};

		err = feed_ev(m, &d);
	}
	for (size_t i = 0; i < sizeof(close4) / sizeof(close4[0]) && !err; i++)
		if (!(three_way_close && i == 1))
			err = feed_ev(m, &close4[i]);
	return err ? err : feed(m, conn_line, comm, 100 + data * 1000);
}

static void test_layout(void)
{
	static const struct {
		int line;
		unsigned data;
		bool three;
		size_t folds, folded;
		const char *close;
	} rows[] = {
	    {__LINE__, 0, false, 0, 0, "four-way close"},
	    {__LINE__, TL_RP_FOLD_MIN - 1, false, 0, 0, "four-way close"},
	    {__LINE__, TL_RP_FOLD_MIN, false, 1, TL_RP_FOLD_MIN, "four-way close"},
	    {__LINE__, 118, true, 1, 118, "three-segment close (FIN+ACK)"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tl_rp_model m = {0};
		struct tl_rp_layout l;
		const struct tl_rp_conn *c;
		int err = build(&m, rows[i].data, rows[i].three, "/a", "curl"), prev = 0;
		bool rising = true;
		size_t folded = 0;

		UNIT_CHECK_AT(rows[i].line, !err && m.conns.n == 1, "row %zu: the lines read (%d)",
			      i, err);
		if (err || m.conns.n != 1 || tl_rp_layout(c = tl_rp_conn_at(&m, 0), &l)) {
			tl_rp_model_free(&m);
			continue;
		}
		for (size_t r = 0; r < c->nrows; r++) {
			if (l.fold[r] >= 0) {
				folded++;
				continue;
			}
			rising &= l.y[r] > prev;
			prev = l.y[r];
		}
		UNIT_CHECK_AT(rows[i].line, rising, "row %zu: rows go down the page", i);
		UNIT_CHECK_AT(rows[i].line, l.nfolds == rows[i].folds && folded == rows[i].folded,
			      "row %zu: %zu folds holding %zu rows", i, l.nfolds, folded);
		UNIT_CHECK_AT(rows[i].line,
			      l.handshake.present && l.handshake.first == 1 &&
				  l.handshake.last == 4 &&
				  !strcmp(l.handshake.label, "three-way handshake"),
			      "row %zu: the handshake is rows 1 to 4", i);
		UNIT_CHECK_AT(rows[i].line,
			      l.close.present && !strcmp(l.close.label, rows[i].close),
			      "row %zu: the close is a %s", i, l.close.label ? l.close.label : "-");
		UNIT_CHECK_AT(rows[i].line,
			      l.tw_y[0] > 0 && l.tw_y[1] < 0 && l.tw_y[0] < l.rows_end,
			      "row %zu: TIME_WAIT band on the client only", i);
		UNIT_CHECK_AT(rows[i].line, l.height == l.rows_end + TL_RP_FOOTER_H,
			      "row %zu: height", i);
		tl_rp_layout_free(&l);
		tl_rp_model_free(&m);
	}
}

/* A trace cut before its conn line: the ends come from the first segment
 * (here the server's), the conn line's replace them. */
static void test_cut_trace(void)
{
	const struct ev synack = {'S', 2, "s2c", "SYN, ACK", 0, 1, 0};
	struct tl_rp_model m = {0};
	int err = feed_ev(&m, &synack);
	const struct tl_rp_conn *c = m.conns.n ? tl_rp_conn_at(&m, 0) : NULL;

	UNIT_CHECK(!err && c && c->ep[0] && c->ep[1] && !strcmp(c->ep[0], "127.0.0.1:40000") &&
		       !strcmp(c->ep[1], "127.0.0.1:8080"),
		   "ends from a server's segment: %s, %s", c && c->ep[0] ? c->ep[0] : "-",
		   c && c->ep[1] ? c->ep[1] : "-");
	err = err ? err : feed(&m, conn_line, "curl", 0);
	UNIT_CHECK(!err && c && c->ended && !strcmp(c->ep[1], "127.0.0.1:8080"),
		   "the conn line's ends replace them (%d)", err);
	tl_rp_model_free(&m);
}

/* A reset is marked as the close; one in answer to the SYN as a refusal. */
static void test_resets(void)
{
	static const struct {
		int line;
		struct ev evs[3];
		size_t n;
		const char *label;
	} rows[] = {
	    {__LINE__,
	     {{'S', 1, "c2s", "SYN", 0, 0, 0}, {'S', 2, "s2c", "RST, ACK", 1, 1, 0}},
	     2,
	     "refused (reset)"},
	    {__LINE__,
	     {{'S', 1, "c2s", "SYN", 0, 0, 0},
	      {'S', 2, "s2c", "SYN, ACK", 0, 1, 0},
	      {'S', 3, "c2s", "RST", 1, 0, 0}},
	     3,
	     "reset"},
	    {__LINE__,
	     {{'S', 1, "c2s", "SYN", 0, 0, 0},
	      {'S', 2, "s2c", "SYN, ACK", 0, 1, 0},
	      {'S', 3, "s2c", "RST", 1, 0, 0}},
	     3,
	     "reset"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tl_rp_model m = {0};
		struct tl_rp_layout l = {0};
		int err = 0;

		for (size_t j = 0; j < rows[i].n && !err; j++)
			err = feed_ev(&m, &rows[i].evs[j]);
		err = err ? err : tl_rp_layout(tl_rp_conn_at(&m, 0), &l);
		UNIT_CHECK_AT(rows[i].line,
			      !err && l.close.present && !strcmp(l.close.label, rows[i].label) &&
				  l.close.last == rows[i].n - 1,
			      "row %zu: the close is \"%s\"", i,
			      l.close.label ? l.close.label : "-");
		tl_rp_layout_free(&l);
		tl_rp_model_free(&m);
	}
}

/* The table's start times, against Python's datetime. */
static void test_utc(void)
{
	static const struct {
		int line;
		int64_t us;
		const char *want;
	} rows[] = {
	    {__LINE__, 0, "1970-01-01 00:00:00.000000"},
	    {__LINE__, 951782400000000, "2000-02-29 00:00:00.000000"},
	    {__LINE__, 951868799999999, "2000-02-29 23:59:59.999999"},
	    {__LINE__, 4107542399999999, "2100-02-28 23:59:59.999999"},
	    {__LINE__, 1700000000123456, "2023-11-14 22:13:20.123456"},
	    {__LINE__, 253402300799999999, "9999-12-31 23:59:59.999999"},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		tl_rp_utc(f, rows[i].us);
		fclose(f);
		UNIT_CHECK_AT(rows[i].line, !strcmp(out, rows[i].want), "%lld us is %s",
			      (long long)rows[i].us, out);
		free(out);
	}
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The markup of a life whose URI and comm are hostile: nothing from them
 * opens an element, each segment is one .seg, the fold says how many. */
static void test_hostile_svg(void)
{
	struct tl_rp_model m = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int err =
	    build(&m, 20, false, "/<script>alert(1)</script>?\\\"onload=\\\"x", "\\\"><img src=x>");

	UNIT_CHECK(!err, "hostile life read (%d)", err);
	err = err ? err : tl_rp_html(f, &m, true);
	fclose(f);
	UNIT_CHECK(!err, "page written (%d)", err);
	UNIT_CHECK(!strstr(out, "<script>alert") && !strstr(out, "<img"),
		   "no markup from the wire");
	UNIT_CHECK(strstr(out, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
		   "the URI is shown escaped");
	UNIT_CHECK(count(out, "<script") == 1, "one script element (the page's own): %zu",
		   count(out, "<script"));
	UNIT_CHECK(count(out, "<g class=\"seg ") == tl_rp_conn_at(&m, 0)->nsegs,
		   "one .seg per segment: %zu of %zu", count(out, "<g class=\"seg "),
		   tl_rp_conn_at(&m, 0)->nsegs);
	UNIT_CHECK(strstr(out, "class=\"fold\" data-count=\"20\"") != NULL,
		   "the 20 data segments fold into one row");
	UNIT_CHECK(count(out, "<svg ") == 1 && strstr(out, "data-conn=\"1\""), "one diagram");
	free(out);
	/* closed_by comes from the trace file as it is: the summary escapes it. */
	free(tl_rp_conn_at(&m, 0)->closed_by);
	tl_rp_conn_at(&m, 0)->closed_by = strdup("x><img src=x>");
	f = open_memstream(&out, &len);
	tl_rp_svg(f, tl_rp_conn_at(&m, 0), true);
	fclose(f);
	UNIT_CHECK(!strstr(out, "<img") && strstr(out, "closed by the x&gt;&lt;img src=x&gt;"),
		   "a hostile closed_by is shown as text");
	free(out);
	tl_rp_model_free(&m);
}

static void test_bad_lines(void)
{
	static const struct {
		int line;
		const char *json;
		int want;
	} rows[] = {
	    {__LINE__, "not json", -EBADMSG},
	    {__LINE__, "[1,2]", -EBADMSG},
	    {__LINE__, "{\"type\":\"packet\",\"ts\":1.0,\"conn\":1}", -EINVAL},
	    {__LINE__, "{\"type\":\"state\",\"ts\":1.0,\"conn\":1,\"side\":\"x\"}", -EINVAL},
	    {__LINE__, "{\"type\":\"packet\",\"ts\":-1,\"conn\":1}", -EINVAL},
	    {__LINE__, "{\"type\":\"packet\",\"ts\":1,\"conn\":99999999999}", -EINVAL},
	    /* A time past int64 µs (found by fuzz_report): refused, not undefined. */
	    {__LINE__,
	     "{\"type\":\"packet\",\"ts\":1e300,\"conn\":1,\"dir\":\"c2s\",\"flags\":\"SYN\","
	     "\"seq\":0,\"ack\":0,\"seq_raw\":1,\"ack_raw\":0,\"len\":0,\"win_scaled\":1}",
	     -EINVAL},
	    {__LINE__,
	     "{\"type\":\"packet\",\"ts\":1e3,\"conn\":1,\"dir\":\"c2s\",\"flags\":\"SYN\","
	     "\"seq\":0,\"ack\":0,\"seq_raw\":1,\"ack_raw\":0,\"len\":0,\"win_scaled\":1}",
	     0},
	    /* Reserved bits (a hostile capture): drawn, not refused. */
	    {__LINE__,
	     "{\"type\":\"packet\",\"ts\":1e3,\"conn\":1,\"dir\":\"c2s\",\"flags\":\"SYN, "
	     "Reserved\",\"seq\":0,\"ack\":0,\"seq_raw\":1,\"ack_raw\":0,\"len\":0,\"win_scaled\":"
	     "1}",
	     0},
	    {__LINE__, "{\"type\":\"future_event\",\"x\":1}", 0},
	    {__LINE__, "{\"type\":\"stats\",\"ts\":1.0,\"lost\":3}", 0},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tl_rp_model m = {0};
		int got = tl_rp_model_line(&m, rows[i].json, strlen(rows[i].json));

		UNIT_CHECK_AT(rows[i].line, got == rows[i].want, "line %zu gives %d", i, got);
		tl_rp_model_free(&m);
	}
}

static size_t unbase64(const char *s, unsigned char *out)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t n = 0, bits = 0;
	unsigned v = 0;

	for (; *s && *s != '='; s++) {
		const char *d = strchr(digits, *s);

		if (!d)
			return 0;
		v = v << 6 | (unsigned)(d - digits);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = v >> bits & 0xff;
		}
	}
	return n;
}

/* What the browser does (atob, DecompressionStream "deflate") gives the
 * text back, for every length modulo 3. */
static void test_pack(void)
{
	for (size_t len = 0; len < 6; len++) {
		char text[4096], *b64 = NULL, back[4096];
		unsigned char z[4096];
		size_t n = 0, zlen;
		uLongf blen = sizeof(back);
		FILE *f = open_memstream(&b64, &n);
		int err;

		for (size_t i = 0; i < sizeof(text); i++)
			text[i] = "<svg class=\"seg\">\f"[i % 19];
		err = tl_rp_pack(f, text, sizeof(text) - len);
		fclose(f);
		zlen = unbase64(b64, z);
		UNIT_CHECK(!err &&
			       strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					   "0123456789+/=") == n &&
			       n % 4 == 0,
			   "packed %zu bytes into %zu of base64", sizeof(text) - len, n);
		UNIT_CHECK(uncompress((Bytef *)back, &blen, z, zlen) == Z_OK &&
			       blen == sizeof(text) - len && !memcmp(back, text, blen),
			   "unpacked %zu bytes as they were", sizeof(text) - len);
		free(b64);
	}
}

/* The conn line's time_wait: a side, both (a simultaneous close), or none. */
static void test_time_wait(void)
{
	static const struct {
		int line;
		const char *json;
		int want;
	} rows[] = {
	    {__LINE__, "\"client\"", 0},
	    {__LINE__, "\"server\"", 1},
	    {__LINE__, "\"both\"", 2},
	    {__LINE__, "null", -1},
	};

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char line[2048], *tw;
		struct tl_rp_model m = {0};
		int n = snprintf(line, sizeof(line), conn_line, "curl", 10u), err;

		tw = strstr(line, "\"client\",\"mid_stream\"");
		memmove(tw + strlen(rows[i].json), tw + strlen("\"client\""),
			(size_t)n - (size_t)(tw - line) - strlen("\"client\"") + 1);
		memcpy(tw, rows[i].json, strlen(rows[i].json));
		err = tl_rp_model_line(&m, line, strlen(line));
		UNIT_CHECK_AT(rows[i].line,
			      !err && m.conns.n && tl_rp_conn_at(&m, 0)->time_wait == rows[i].want,
			      "time_wait %s is %d (got %d)", rows[i].json, rows[i].want,
			      m.conns.n ? tl_rp_conn_at(&m, 0)->time_wait : -9);
		tl_rp_model_free(&m);
	}
}

int main(void)
{
	test_time_wait();
	test_pack();
	test_escape();
	test_layout();
	test_hostile_svg();
	test_cut_trace();
	test_resets();
	test_utc();
	test_bad_lines();
	return unit_done();
}
