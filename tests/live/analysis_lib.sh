# Shared by the tests that check the tracer's TCP analysis against tshark's
# (sourced; needs tshark).

# analysis_fields CAPTURE OUT: tshark's analysis of CAPTURE as analysis.jq
# reads it (-T json, one object per frame).
analysis_fields() {
	local a args=()
	for a in retransmission fast_retransmission spurious_retransmission out_of_order \
		lost_segment ack_lost_segment duplicate_ack zero_window zero_window_probe \
		zero_window_probe_ack window_full window_update keep_alive keep_alive_ack \
		reused_ports duplicate_ack_num duplicate_ack_frame ack_rtt bytes_in_flight; do
		args+=(-e "tcp.analysis.$a")
	done
	tshark -r "$1" -T json -e frame.number -e tcp.stream -e tcp.srcport -e tcp.dstport \
		-e tcp.seq_raw -e tcp.ack_raw -e tcp.len -e tcp.flags "${args[@]}" >"$2" 2>"$2.err"
}

# text_labels NAME CAPTURE DIR: the text of -r CAPTURE shows on each
# segment's line Wireshark's Info column labels, in its order, a Dup ACK
# naming the frame it repeats (the lines' No. column holds frame numbers);
# DIR gets ts.labels and tr.labels, "FRAME LABELS" lines. Wants a label.
text_labels() {
	tshark -r "$2" -Y tcp.analysis.flags -T fields -e frame.number -e _ws.col.Info 2>/dev/null |
		sed -n 's/^\([0-9]*\)\t\(\(\[TCP[^]]*\] \)\+\).*/\1 \2/p' >"$3/ts.labels"
	"$TL_ROOT/tcplife-http" -r "$2" 2>/dev/null |
		sed -n 's/^  \([0-9]\+\) .*  \(\(\[TCP[^]]*\] \)\+\).*/\1 \2/p' | sort -n >"$3/tr.labels"
	if cmp -s "$3/ts.labels" "$3/tr.labels" && [ -s "$3/ts.labels" ]; then
		pass "$1"
	else
		fail "$1" "$(diff "$3/ts.labels" "$3/tr.labels" | head -4 | tr '\n' ' ')"
	fi
}
