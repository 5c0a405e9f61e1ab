/* Numbers from the command line and the environment, strictly: the whole
 * string, digits only (no sign, no leading space), within [min, max]. Both
 * programs read their options through these. */
#ifndef TL_PARSE_NUM_H
#define TL_PARSE_NUM_H

int tl_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* A duration in seconds: a positive decimal, at most max. */
int tl_parse_seconds(const char *s, double max, double *out);

#endif
