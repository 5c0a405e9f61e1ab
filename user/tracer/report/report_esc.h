/* Text from the wire into HTML and SVG: everything a report shows that a
 * packet could carry (URIs, reasons, headers, process names) goes through
 * here, so no byte of traffic ever becomes markup, and the SVG files stay
 * well-formed XML whatever was captured. */
#ifndef TL_REPORT_ESC_H
#define TL_REPORT_ESC_H

#include <stddef.h>
#include <stdio.h>

/* tl_report_esc: writes n bytes of s as XML character data that is also safe
 * in a quoted attribute: & < > " ' as entities; invalid UTF-8, control
 * characters and code points XML 1.0 forbids each as U+FFFD. */
void tl_report_esc(FILE *f, const char *s, size_t n);

/* tl_report_escs: the same for a NUL-terminated string. */
void tl_report_escs(FILE *f, const char *s);

/* tl_report_utf8_next: the code point starting s[0..n), n > 0; *len is its
 * byte length (1 for an invalid byte, which returns -1). Overlong forms,
 * surrogates and values past U+10FFFF are invalid. */
long tl_report_utf8_next(const unsigned char *s, size_t n, size_t *len);

#endif
