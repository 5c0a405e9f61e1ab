/* `tcplife-http report INPUT -o FILE.html [--svg DIR]`: the ladder report
 * of a --json trace or of a pcap/pcapng capture (run through the engine,
 * as -r does). */
#ifndef TL_REPORT_CMD_H
#define TL_REPORT_CMD_H

/* tl_report_main: argv[0] is "report". Returns 0, 1 when a file could not
 * be written, 2 on bad input. */
int tl_report_main(int argc, char **argv);

#endif
