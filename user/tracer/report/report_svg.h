/* A connection's ladder: its layout (where each row goes, which runs of
 * data segments fold, where the handshake, the close and TIME_WAIT are)
 * and the SVG drawn from it, the same inline in the HTML report and
 * standalone for --svg. */
#ifndef TL_REPORT_SVG_H
#define TL_REPORT_SVG_H

#include <stdbool.h>
#include <stdio.h>

#include "tracer/report/report_model.h"

/* A run of plain data segments drawn as one row until clicked. */
struct tl_rp_fold {
	size_t first, last; /* row indices */
	int y;		    /* of its row */
	int open_h;	    /* height of the run unfolded */
	uint64_t bytes;
	int64_t span_us;
};

/* A marked stretch of rows: the handshake or the close. */
struct tl_rp_phase {
	bool present;
	size_t first, last;
	const char *label;
};

struct tl_rp_layout {
	int *y;	   /* per row: its y, inside its fold's body when folded */
	int *fold; /* per row: the fold holding it, or -1 */
	struct tl_rp_fold *folds;
	size_t nfolds;
	struct tl_rp_phase handshake, close;
	int tw_y[2];  /* where each side's TIME_WAIT band begins, -1 none */
	int rows_end; /* below the last row */
	int height;
};

/* The arithmetic of the drawing, for the HTML report and tests. */
#define TL_RP_WIDTH 1160
#define TL_RP_X_CLIENT 250
#define TL_RP_X_SERVER 820
#define TL_RP_HEADER_H 64
#define TL_RP_SEG_H 30
#define TL_RP_HTTP_H 16
#define TL_RP_STATE_H 20
#define TL_RP_FOLD_H 26
#define TL_RP_FOLD_MIN 8 /* a run this long folds */
#define TL_RP_FOOTER_H 52

/* tl_rp_layout: lays c out. Returns 0 or -ENOMEM. */
int tl_rp_layout(const struct tl_rp_conn *c, struct tl_rp_layout *l);
void tl_rp_layout_free(struct tl_rp_layout *l);

/* tl_rp_svg: draws c as one <svg data-conn="ID">. standalone: an XML
 * document of its own with its style sheet inside; otherwise the element
 * for an HTML page that holds tl_rp_svg_style. Returns 0 or
 * -ENOMEM. */
int tl_rp_svg(FILE *f, const struct tl_rp_conn *c, bool standalone);

/* tl_rp_svg_style: the diagrams' style sheet: light, dark (following
 * prefers-color-scheme) and print (light). */
void tl_rp_svg_style(FILE *f);

/* tl_rp_conn_name: "Connection 7: 127.0.0.1:5555 → 127.0.0.1:8080". */
void tl_rp_conn_name(FILE *f, const struct tl_rp_conn *c);

/* tl_rp_summary: the life in one line: duration, bytes each way, requests,
 * who closed, who held TIME_WAIT. */
void tl_rp_summary(FILE *f, const struct tl_rp_conn *c);

/* tl_rp_proc: "curl[3320]", or unknown when the kernel never named it. */
void tl_rp_proc(FILE *f, const struct tl_rp_proc *p, const char *unknown);

/* tl_rp_bytes: "512 B", "3.0 kB", "3.1 MB" (SI units, as Wireshark's). */
const char *tl_rp_bytes(char buf[32], uint64_t n);

#endif
