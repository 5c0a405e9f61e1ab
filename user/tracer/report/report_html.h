/* The report as files: one self-contained HTML page (a sortable table of
 * the connections, then each one's ladder), and with --svg one standalone
 * SVG per connection. Each file is written beside its final name and
 * renamed over it, so a reader never sees half of one. */
#ifndef TL_REPORT_HTML_H
#define TL_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "tracer/report/report_model.h"

/* The page shows this many connections (table rows and diagrams) at a
 * time: the first ones as they are, the others stored deflated and shown
 * by the page's buttons, so a report of thousands opens at once. */
#define TL_RP_PAGE 100

/* tl_rp_html: the page for m's connections (those ended, unless all). */
int tl_rp_html(FILE *f, const struct tl_rp_model *m, bool all);

/* tl_rp_write_html: tl_rp_html into path, atomically. Returns 0 or -errno. */
int tl_rp_write_html(const char *path, const struct tl_rp_model *m, bool all);

/* tl_rp_write_svgs: DIR/conn-N.svg for each connection (ended, unless all)
 * changed since the last call, creating dir. Returns 0 or -errno. */
int tl_rp_write_svgs(const char *dir, struct tl_rp_model *m, bool all);

/* tl_rp_utc: "2026-11-28 01:44:39.043480", us since the epoch (>= 0). */
void tl_rp_utc(FILE *f, int64_t us);

#endif
