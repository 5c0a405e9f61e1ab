#include "tracer/report/report_html.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tracer/report/report_esc.h"
#include "tracer/report/report_pack.h"
#include "tracer/report/report_svg.h"
#include "common/util.h"

#define RP_STR_(x) #x
#define RP_STR(x) RP_STR_(x)

static const char rp_page_css[] =
    ":root{color-scheme:light dark}"
    "body{font:14px system-ui,sans-serif;margin:16px;background:#fff;color:#1a1a1a}"
    "a{color:#0060a0}"
    "table{border-collapse:collapse;font-size:12px;margin-bottom:24px}"
    "th,td{border:1px solid #9995;padding:2px 6px;text-align:left;white-space:nowrap}"
    "th{cursor:pointer;background:#ececec;position:sticky;top:0}"
    "th[data-dir=asc]::after{content:' \\25b4'}th[data-dir=desc]::after{content:' \\25be'}"
    "td.n{text-align:right}"
    "section.conn{margin:28px 0}section.conn h2{font-size:16px;margin:0 0 4px}"
    "p.sum{margin:0 0 8px}svg.ladder{max-width:100%;height:auto;display:block}"
    "div.lazy{max-width:100%;border:1px dashed #9995}"
    "@media (prefers-color-scheme:dark){body{background:#16181c;color:#e6e6e6}"
    "a{color:#56b4e9}th{background:#262a31}}"
    "@media print{body{background:#fff;color:#000;margin:0}th{position:static;background:#eee}"
    "section.conn{break-before:page;margin:0}svg.ladder{break-inside:avoid}}\n";

/* Unfolds a run (shifting what is below it), sorts the table, and shows a
 * stored page of connections. */
// clang-format off
static const char rp_page_js[] =
	"(function () {\n"
	"'use strict';\n"
	"function unfold(g) {\n"
	"  if (g.dataset.open) return;\n"
	"  g.dataset.open = '1';\n"
	"  var svg = g.ownerSVGElement, y = +g.dataset.y, d = +g.dataset.h - " RP_STR(TL_RP_FOLD_H) ";\n"
	"  g.querySelector('.fold-row').setAttribute('display', 'none');\n"
	"  g.querySelector('.fold-body').removeAttribute('display');\n"
	"  svg.querySelectorAll('[data-y]').forEach(function (e) {\n"
	"    var v = +e.dataset.y;\n"
	"    if (v > y) { v += d; e.dataset.y = v; e.setAttribute('transform', 'translate(0,' + v + ')'); }\n"
	"  });\n"
	"  svg.querySelectorAll('.ll').forEach(function (e) { e.setAttribute('y2', +e.getAttribute('y2') + d); });\n"
	"  var h = +svg.getAttribute('height') + d;\n"
	"  svg.setAttribute('height', h);\n"
	"  svg.setAttribute('viewBox', '0 0 ' + svg.getAttribute('width') + ' ' + h);\n"
	"}\n"
	"var nav = document.getElementById('pager'), tb = document.querySelector('#conns tbody'),\n"
	"  dg = document.getElementById('diagrams'), ths = document.querySelectorAll('#conns th'),\n"
	"  stored = document.querySelectorAll('script[type=\"text/x-tlh-page\"]'),\n"
	"  pages = [], cur = 0, whole = false;\n"
	"function decode(s) {\n"
	"  var b = atob(s.textContent), u = new Uint8Array(b.length);\n"
	"  for (var i = 0; i < b.length; i++) u[i] = b.charCodeAt(i);\n"
	"  return new Response(new Blob([u]).stream().pipeThrough(new DecompressionStream('deflate'))).text();\n"
	"}\n"
	"/* Page k: its table rows, a form feed, its sections (the first page taken\n"
	"   from the document before anything replaces it). */\n"
	"function page(k) {\n"
	"  if (!pages[0]) pages[0] = Promise.resolve(tb.innerHTML + '\\f' + dg.innerHTML);\n"
	"  if (!pages[k]) pages[k] = decode(stored[k - 1]);\n"
	"  return pages[k];\n"
	"}\n"
	"/* Page k's diagrams, and its rows unless the table holds every row. */\n"
	"function show(k, then) {\n"
	"  page(0);\n"
	"  cur = k;\n"
	"  page(k).then(function (t) {\n"
	"    if (cur !== k) return;\n"
	"    var p = t.split('\\f');\n"
	"    if (!whole) { tb.innerHTML = p[0]; ths.forEach(function (o) { delete o.dataset.dir; }); }\n"
	"    dg.innerHTML = p[1];\n"
	"    nav.querySelectorAll('button').forEach(function (b, j) {\n"
	"      if (j === k) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');\n"
	"    });\n"
	"    nav.dataset.shown = k + 1;\n"
	"    if (then) then();\n"
	"  });\n"
	"}\n"
	"function sortBy(i, th) {\n"
	"  var asc = th.dataset.dir !== 'asc', num = th.dataset.type === 'num', rows = [].slice.call(tb.rows);\n"
	"  ths.forEach(function (o) { delete o.dataset.dir; });\n"
	"  th.dataset.dir = asc ? 'asc' : 'desc';\n"
	"  rows.sort(function (a, b) {\n"
	"    var x = a.cells[i], z = b.cells[i];\n"
	"    x = num ? +x.dataset.v : x.textContent;\n"
	"    z = num ? +z.dataset.v : z.textContent;\n"
	"    return (x < z ? -1 : x > z ? 1 : 0) * (asc ? 1 : -1);\n"
	"  });\n"
	"  var fr = document.createDocumentFragment();\n"
	"  rows.forEach(function (r) { fr.appendChild(r); });\n"
	"  tb.appendChild(fr);\n"
	"}\n"
	"/* With stored pages, the first sort puts every connection's row in the table. */\n"
	"ths.forEach(function (th, i) {\n"
	"  th.addEventListener('click', function () {\n"
	"    if (!stored.length || whole) return sortBy(i, th);\n"
	"    var all = [];\n"
	"    for (var k = 0; k <= stored.length; k++) all.push(page(k));\n"
	"    Promise.all(all).then(function (ts) {\n"
	"      whole = true;\n"
	"      tb.innerHTML = ts.map(function (t) { return t.split('\\f')[0]; }).join('');\n"
	"      sortBy(i, th);\n"
	"    });\n"
	"  });\n"
	"});\n"
	"/* A click on a fold unfolds it; on an id whose diagram is on another page, shows it. */\n"
	"document.addEventListener('click', function (ev) {\n"
	"  var g = ev.target.closest && ev.target.closest('g.fold'), a;\n"
	"  if (g) return unfold(g);\n"
	"  a = ev.target.closest && ev.target.closest('#conns a');\n"
	"  if (!a || document.getElementById(a.hash.slice(1))) return;\n"
	"  ev.preventDefault();\n"
	"  show(+a.closest('tr').dataset.page, function () {\n"
	"    var s = document.getElementById(a.hash.slice(1));\n"
	"    if (s) s.scrollIntoView();\n"
	"  });\n"
	"});\n"
	"if (stored.length) {\n"
	"  var size = +nav.dataset.size, total = +nav.dataset.total;\n"
	"  nav.textContent = 'Connections: ';\n"
	"  for (var k = 0; k <= stored.length; k++) {\n"
	"    var b = document.createElement('button');\n"
	"    b.textContent = (k * size + 1) + '\\u2013' + Math.min(total, (k + 1) * size);\n"
	"    if (!k) b.setAttribute('aria-current', 'page');\n"
	"    b.addEventListener('click', show.bind(null, k, null));\n"
	"    nav.appendChild(b);\n"
	"  }\n"
	"  nav.dataset.shown = 1;\n"
	"}\n"
	"})();\n";
// clang-format on

static bool rp_shown(const struct tl_rp_conn *c, bool all) { return all || c->ended; }

/* UTC by arithmetic (days to the proleptic Gregorian date, as in Howard
 * Hinnant's civil_from_days): gmtime_r would read the zone file on first
 * use, which a live tracer, confined by then, may not open. us >= 0. */
void tl_rp_utc(FILE *f, int64_t us)
{
	int64_t secs = us / 1000000, z = secs / 86400 + 719468, era = z / 146097;
	int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2), tod = secs % 86400;

	fprintf(f,
		"%04" PRId64 "-%02" PRId64 "-%02" PRId64 " %02" PRId64 ":%02" PRId64 ":%02" PRId64
		".%06" PRId64,
		year, month, day, tod / 3600, tod / 60 % 60, tod % 60, us % 1000000);
}

/* The response statuses, in order. */
static void rp_statuses(FILE *f, const struct tl_rp_conn *c)
{
	const char *sep = "";

	for (size_t i = 0; i < c->nrows; i++) {
		const struct tl_rp_http *h = c->rows[i].http;

		if (h && !h->request) {
			fprintf(f, "%s%d", sep, h->status);
			sep = " ";
		}
	}
}

/* A row of the table; page: the page that holds its diagram, from 0. */
static void rp_table_row(FILE *f, const struct tl_rp_conn *c, size_t page)
{
	char b0[32], b1[32];

	fprintf(f,
		"<tr data-page=\"%zu\"><td class=\"n\" data-v=\"%" PRIu64
		"\"><a href=\"#conn-%" PRIu64 "\">%" PRIu64 "</a></td><td>",
		page, c->id, c->id, c->id);
	tl_report_escs(f, c->ep[0] ? c->ep[0] : "?");
	fputs("</td><td>", f);
	tl_report_escs(f, c->ep[1] ? c->ep[1] : "?");
	fputs("</td><td>", f);
	tl_rp_proc(f, &c->proc[0], "?");
	fputs(" \xe2\x86\x92 ", f);
	tl_rp_proc(f, &c->proc[1], "?");
	fprintf(f, "</td><td data-v=\"%" PRId64 "\">", c->start_us);
	tl_rp_utc(f, c->start_us);
	fprintf(f,
		"</td><td class=\"n\" data-v=\"%" PRId64 "\">%.3f ms</td>"
		"<td class=\"n\" data-v=\"%" PRIu64 "\">%s / %s</td>"
		"<td class=\"n\" data-v=\"%" PRIu32 "\">%" PRIu32 "</td><td>",
		c->end_us - c->start_us, (c->end_us - c->start_us) / 1e3, c->bytes[0] + c->bytes[1],
		tl_rp_bytes(b0, c->bytes[0]), tl_rp_bytes(b1, c->bytes[1]), c->requests,
		c->requests);
	rp_statuses(f, c);
	fputs("</td><td>", f);
	tl_report_escs(f, c->closed_by ? c->closed_by : "-");
	fputs("</td><td>", f);
	if (c->time_wait == 0 || c->time_wait == 1)
		fputs(c->time_wait ? "server" : "client", f);
	else
		fputs(c->time_wait == 2 ? "both" : "-", f);
	fputs("</td></tr>\n", f);
}

static void rp_table_head(FILE *f)
{
	static const char *const cols[][2] = {
	    {"id", "num"},
	    {"client", ""},
	    {"server", ""},
	    {"processes", ""},
	    {"start (UTC)", "num"},
	    {"duration", "num"},
	    {"bytes c\xe2\x86\x92s / s\xe2\x86\x92"
	     "c",
	     "num"},
	    {"requests", "num"},
	    {"statuses", ""},
	    {"closed by", ""},
	    {"TIME_WAIT", ""},
	};

	fputs("<table id=\"conns\"><thead><tr>", f);
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		fprintf(f, "<th%s>%s</th>", *cols[i][1] ? " data-type=\"num\"" : "", cols[i][0]);
	fputs("</tr></thead><tbody>\n", f);
}

static int rp_section(FILE *f, const struct tl_rp_conn *c)
{
	int err;

	fprintf(f, "<section class=\"conn\" id=\"conn-%" PRIu64 "\"><h2>", c->id);
	tl_rp_conn_name(f, c);
	fputs("</h2><p class=\"sum\">", f);
	tl_rp_summary(f, c);
	fputs("</p>\n", f);
	err = tl_rp_svg(f, c, false);
	fputs("</section>\n", f);
	return err;
}

/* Page k of TL_RP_PAGE connections from conns: its table rows, then (after a
 * form feed, which escaped text never holds) its sections. */
static int rp_page(FILE *f, struct tl_rp_conn *const *conns, size_t nconns, size_t k)
{
	size_t first = k * TL_RP_PAGE,
	       n = nconns - first < TL_RP_PAGE ? nconns - first : TL_RP_PAGE;
	int err = 0;

	conns += first;
	for (size_t i = 0; i < n; i++)
		rp_table_row(f, conns[i], k);
	if (k)
		fputc('\f', f);
	else
		fputs("</tbody></table>\n<div id=\"diagrams\">", f);
	for (size_t i = 0; i < n && !err; i++)
		err = rp_section(f, conns[i]);
	return err;
}

/* A page past the first, deflated into a script element the page's code
 * shows on demand (base64 holds no '<'). */
static int rp_stored_page(FILE *f, struct tl_rp_conn *const *conns, size_t nconns, size_t k)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int err;

	if (!mem)
		return -ENOMEM;
	err = rp_page(mem, conns, nconns, k);
	if (fclose(mem))
		err = err ? err : -ENOMEM;
	fputs("<script type=\"text/x-tlh-page\">", f);
	err = err ? err : tl_rp_pack(f, buf, len);
	fputs("</script>\n", f);
	free(buf);
	return err;
}

static void rp_intro(FILE *f, const struct tl_rp_model *m, size_t shown)
{
	fprintf(f, "<h1>tcplife-http: %zu connection%s</h1>\n<p>", shown, shown == 1 ? "" : "s");
	if (m->source) {
		fputs("From the capture ", f);
		tl_report_escs(f, m->source);
		fputs(". ", f);
	}
	if (m->lost)
		fprintf(f,
			"The kernel lost %" PRIu64
			" events: lives marked incomplete may miss some. ",
			m->lost);
	fputs("Click a column to sort, an id to see its diagram, a folded run to unfold it.", f);
	if (shown > TL_RP_PAGE)
		fprintf(f,
			" Connections are shown %d at a time; the others are stored in this file "
			"and shown by the buttons (with JavaScript), or drawn one a file by --svg.",
			TL_RP_PAGE);
	fprintf(f, "</p>\n<nav id=\"pager\" data-size=\"%d\" data-total=\"%zu\"></nav>\n",
		TL_RP_PAGE, shown);
}

int tl_rp_html(FILE *f, const struct tl_rp_model *m, bool all)
{
	struct tl_rp_conn **conns = malloc((m->conns.n + 1) * sizeof(*conns));
	size_t shown = 0;
	int err;

	if (!conns)
		return -ENOMEM;
	for (size_t i = 0; i < m->conns.n; i++)
		if (rp_shown(tl_rp_conn_at(m, i), all))
			conns[shown++] = tl_rp_conn_at(m, i);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">"
	      "<meta name=\"viewport\" content=\"width=device-width\">"
	      "<title>tcplife-http report</title><style>",
	      f);
	fputs(rp_page_css, f);
	tl_rp_svg_style(f);
	fputs("</style></head><body>\n", f);
	rp_intro(f, m, shown);
	rp_table_head(f);
	err = rp_page(f, conns, shown, 0);
	fputs("</div>\n", f);
	for (size_t k = 1; k * TL_RP_PAGE < shown && !err; k++)
		err = rp_stored_page(f, conns, shown, k);
	fprintf(f, "<script>%s</script>\n</body></html>\n", rp_page_js);
	free(conns);
	return err;
}

/* A new file beside path, named by a counter rather than by mkstemp,
 * whose randomness comes from /dev/urandom here, which a confined tracer
 * may not open. O_EXCL never follows a link or reuses a file; a name taken
 * (another writer's, or left by a killed run) is skipped. */
static int rp_create_beside(const char *path, char tmp[PATH_MAX])
{
	static unsigned counter;
	int fd = -1;

	for (int tries = 0; tries < 100 && fd < 0; tries++) {
		if (snprintf(tmp, PATH_MAX, "%s.%u.tmp", path, counter++ % 1000) >= PATH_MAX)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	return fd >= 0 ? fd : -EEXIST;
}

/* Writes through a temporary file beside path, renamed over it. */
static int rp_write_atomic(const char *path, int (*fill)(FILE *f, const void *arg), const void *arg)
{
	char tmp[PATH_MAX];
	int fd = rp_create_beside(path, tmp), err;
	FILE *f;

	if (fd < 0)
		return fd;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	err = fill(f, arg);
	if (fflush(f) || ferror(f))
		err = err ? err : -errno;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

struct rp_html_arg {
	const struct tl_rp_model *m;
	bool all;
};

static int rp_fill_html(FILE *f, const void *arg)
{
	const struct rp_html_arg *a = arg;

	return tl_rp_html(f, a->m, a->all);
}

int tl_rp_write_html(const char *path, const struct tl_rp_model *m, bool all)
{
	struct rp_html_arg a = {m, all};

	return rp_write_atomic(path, rp_fill_html, &a);
}

static int rp_fill_svg(FILE *f, const void *arg) { return tl_rp_svg(f, arg, true); }

int tl_rp_write_svgs(const char *dir, struct tl_rp_model *m, bool all)
{
	char path[PATH_MAX];
	int err;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	for (size_t i = 0; i < m->conns.n; i++) {
		struct tl_rp_conn *c = tl_rp_conn_at(m, i);

		if (!c->svg_stale || !rp_shown(c, all))
			continue;
		if (snprintf(path, sizeof(path), "%s/conn-%" PRIu64 ".svg", dir, c->id) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		err = rp_write_atomic(path, rp_fill_svg, c);
		if (err)
			return err;
		c->svg_stale = false;
	}
	return 0;
}
