/* The --json contract: every member name a line may carry, each once, with
 * what it means (README's JSON table says which lines carry it). The
 * writer (output_json.c) names members only through TL_JM(), and compare
 * and report read them through it: a name that is not here does not
 * compile. tests/tree/test_json_contract.sh checks that README lists
 * exactly these and that a recorded run writes no other. Add, never rename
 * or drop: scripts read these names. */
#ifndef TL_JSON_CONTRACT_H
#define TL_JSON_CONTRACT_H

#define TL_JSON_MEMBERS(X)                                                                         \
	/* every line */                                                                           \
	X(type, "the event: start, packet, state, http, exchange, conn, ...")                      \
	X(ts, "when, seconds since the Unix epoch, microsecond precision")                         \
	X(conn, "the connection's id, stable within the run")                                      \
	/* start */                                                                                \
	X(interface, "the traced interface; null with -r")                                         \
	X(ports, "the -p ports, [] for all")                                                       \
	X(family, "any, ipv4 or ipv6 (-4/-6)")                                                     \
	X(attach, "how the kernel programs were attached")                                         \
	X(tc, "attach: tcx or clsact")                                                             \
	X(owner, "attach: the owner hook's kind, or none")                                         \
	X(facts_missing, "attach: the kernel-fact tracepoints not hooked")                         \
	X(both_directions, "ingress and egress hooked (not loopback)")                             \
	X(version, "start: the tracer's version; http: the message's HTTP version")                \
	X(file, "the -r file read")                                                                \
	X(privileges, "who the tracer runs as once set up")                                        \
	X(user, "privileges: the user's name, or uid")                                             \
	X(capabilities, "privileges: the capabilities kept")                                       \
	X(seccomp, "privileges: the system-call filter is on")                                     \
	/* packet */                                                                               \
	X(src, "the sender's address")                                                             \
	X(sport, "the sender's port")                                                              \
	X(dst, "the receiver's address")                                                           \
	X(dport, "the receiver's port")                                                            \
	X(dir, "packet: c2s or s2c; http: request or response")                                    \
	X(frame, "Wireshark's frame.number")                                                       \
	X(stream, "Wireshark's tcp.stream")                                                        \
	X(flags, "TCP flags as tshark writes them, e.g. \"SYN, ACK\"")                             \
	X(flags_raw, "the TCP flags as a number: FIN 1 ... AE 256")                                \
	X(seq, "relative sequence number")                                                         \
	X(ack, "relative acknowledgment number")                                                   \
	X(seq_raw, "the sequence number on the wire")                                              \
	X(ack_raw, "the acknowledgment number on the wire")                                        \
	X(len, "TCP payload bytes")                                                                \
	X(win, "the window field on the wire")                                                     \
	X(win_scaled, "the window with its scale applied")                                         \
	X(frame_len, "the frame's length")                                                         \
	X(mss, "packet: the MSS option; tcp_info: the socket's MSS")                               \
	X(wscale, "the window scale option's shift")                                               \
	X(sack_perm, "the SACK-permitted option")                                                  \
	X(tsval, "the timestamp option's value")                                                   \
	X(tsecr, "the timestamp option's echo reply")                                              \
	X(options, "the options as Wireshark's text")                                              \
	X(analysis, "tshark's tcp.analysis.* field names")                                         \
	X(dup_ack_num, "which duplicate ACK this is")                                              \
	X(dup_ack_of, "the packet it duplicates, from 1 in its connection")                        \
	X(dup_ack_of_frame, "the frame number of the packet it duplicates")                        \
	X(ack_rtt_ms, "the RTT to the segment it acknowledges")                                    \
	X(bytes_in_flight, "bytes sent and not yet acknowledged")                                  \
	/* drop, kernel_retransmit, reset */                                                       \
	X(side, "client or server: whose segment, socket or RST")                                  \
	X(reason, "http: the reason phrase; drop, reset: the kernel's reason")                     \
	X(before_capture, "dropped before a capture could see it")                                 \
	X(packet, "the retransmitted segment's number in its connection")                          \
	/* state */                                                                                \
	X(old, "the state left")                                                                   \
	X(new, "the state entered")                                                                \
	X(pid, "the process's pid")                                                                \
	X(comm, "the process's name")                                                              \
	X(inferred, "the state was inferred, not reported (TIME_WAIT)")                            \
	X(cause, "state, time_wait_end: the event that caused it")                                 \
	/* http, exchange */                                                                       \
	X(method, "the request's method")                                                          \
	X(uri, "the request's target")                                                             \
	X(uri_truncated, "the target was cut")                                                     \
	X(status, "the response's status code")                                                    \
	X(content_type, "Content-Type")                                                            \
	X(content_length, "Content-Length")                                                        \
	X(range, "http: the Range header; exchange: a 206")                                        \
	X(content_range, "Content-Range")                                                          \
	X(connection, "Connection")                                                                \
	X(transfer_encoding, "Transfer-Encoding")                                                  \
	X(headers, "the fields that explain the message, or all of them")                          \
	X(headers_truncated, "the bytes kept end before the head: fields missing")                 \
	X(request_method, "the method of the request a response answers")                          \
	X(request_uri, "the target of the request a response answers")                             \
	X(latency_ms, "request's first byte to response's first byte")                             \
	X(body_bytes, "body bytes seen, a chunked body decoded")                                   \
	X(first_byte_ms, "request to the response's first byte")                                   \
	X(last_byte_ms, "request to the response's last byte")                                     \
	X(complete, "the body's announced end was seen")                                           \
	X(revalidated, "a 304")                                                                    \
	X(chunked, "Transfer-Encoding: chunked")                                                   \
	/* conn */                                                                                 \
	X(client, "the client's addr:port; tcp_info, congestion: the client's")                    \
	X(server, "the server's addr:port; tcp_info, congestion: the server's")                    \
	X(client_pid, "the client process's pid")                                                  \
	X(client_comm, "the client process's name")                                                \
	X(server_pid, "the server process's pid")                                                  \
	X(server_comm, "the server process's name")                                                \
	X(start, "the life's first event")                                                         \
	X(end, "the life's last event")                                                            \
	X(duration_ms, "conn: the life's length; time_wait_end: the timewait socket's")            \
	X(bytes_c2s, "payload bytes the client sent")                                              \
	X(bytes_s2c, "payload bytes the server sent")                                              \
	X(packets, "segments seen")                                                                \
	X(requests, "HTTP requests seen")                                                          \
	X(responses, "HTTP responses seen")                                                        \
	X(closed_by, "client, server, reset, or null")                                             \
	X(reset_by, "the side that sent the RST")                                                  \
	X(handshake, "what became of the handshake")                                               \
	X(syns, "SYNs the client sent")                                                            \
	X(time_wait, "the side that entered TIME_WAIT")                                            \
	X(mid_stream, "joined after the handshake")                                                \
	X(roles_guessed, "no SYN seen: the server is guessed")                                     \
	X(incomplete, "events were lost while it lived")                                           \
	X(open_at_exit, "still open when tracing ended")                                           \
	X(evicted, "idle longer than the idle timeout")                                            \
	X(states_missing, "conn: its last socket states never came; stats: such lives")            \
	X(retransmissions, "segments Wireshark calls retransmissions")                             \
	X(dup_acks, "duplicate ACKs")                                                              \
	X(zero_windows, "segments advertising a zero window")                                      \
	X(preconnect, "no byte from the client, as a browser's spare connection")                  \
	X(tcp_info, "each side's TCP internals, as ss -ti shows them")                             \
	X(state, "tcp_info: the state it went to; attach: the state hook's kind")                  \
	X(srtt_ms, "smoothed RTT")                                                                 \
	X(rttvar_ms, "RTT variation")                                                              \
	X(bytes_acked, "tcp_info: the bytes the peer acknowledged, as tcplife's TX")               \
	X(bytes_received, "tcp_info: the bytes received in order, as tcplife's RX")                \
	X(rtt_measured, "tcp_info: the kernel took an RTT sample (else srtt_ms is 0)")             \
	X(cwnd, "congestion window, segments")                                                     \
	X(ssthresh, "slow-start threshold, null when never in loss")                               \
	X(retrans, "segments the socket retransmitted")                                            \
	X(delivery_rate, "bytes/s of the latest rate sample")                                      \
	X(drops, "the kernel's drops of its segments")                                             \
	X(kernel_retransmits, "TCP's own retransmissions")                                         \
	X(rcvqueue_full, "times sock_rcvqueue_full fired")                                         \
	X(buf_limit, "times sock_exceed_buf_limit fired")                                          \
	X(congestion, "how often each side entered each congestion state")                         \
	X(open, "congestion: entries to Open")                                                     \
	X(disorder, "congestion: entries to Disorder")                                             \
	X(cwr, "congestion: entries to CWR")                                                       \
	X(recovery, "congestion: entries to Recovery")                                             \
	X(loss, "congestion: entries to Loss")                                                     \
	/* time_wait_end */                                                                        \
	X(local, "the timewait socket's own addr:port")                                            \
	X(remote, "its peer's addr:port")                                                          \
	X(confirmed, "sock_diag saw the timewait socket")                                          \
	X(ended_by, "timer, reused or unknown")                                                    \
	/* loss, stats */                                                                          \
	X(lost, "records the kernel could not queue, so far")                                      \
	X(events, "records received")                                                              \
	X(connections, "connections seen")

enum tl_json_member {
#define TL_JM_ID(name, meaning) TL_JM_##name,
	TL_JSON_MEMBERS(TL_JM_ID)
#undef TL_JM_ID
	    TL_JM_COUNT
};

/* TL_JM(name): the member's name, a string constant (static initializers
 * take it too); a name the contract lacks is a compile error. */
#define TL_JM(name) (&#name[0 * TL_JM_##name])

#endif
