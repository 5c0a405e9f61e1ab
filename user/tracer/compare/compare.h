/* `tcplife-http compare TRACE.json CAPTURE`: whether a live trace (--json)
 * and a capture of the same traffic agree, connection by connection and
 * segment by segment, with every mismatch said in plain words. */
#ifndef TL_COMPARE_H
#define TL_COMPARE_H

/* tl_compare_main: argv[0] is "compare". Prints the report to stdout.
 * Returns 0 when they agree, 1 when they do not, 2 on bad input. */
int tl_compare_main(int argc, char **argv);

#endif
