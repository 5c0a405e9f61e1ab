#include "tracer/output/text_lang.h"

static const struct tl_text_lang english = {
    .side = {"client", "server"},
    .both = "both",
    .request = "%u request",
    .requests = "%u requests",
    .no_request = "no request",
    .preconnect = "no request (browser preconnect)",
    .closed_by = "closed by %s",
    .passive = "",
    .reset_by = "reset by %s",
    .hs_failed_one = "handshake failed: no SYN-ACK after %u SYN",
    .hs_failed = "handshake failed: no SYN-ACK after %u SYNs",
    .time_wait = "TIME_WAIT: %s",
    .open_at_exit = "(still open at exit)",
    .evicted = "(evicted: idle too long)",
    .lost_states = "(INCOMPLETE: its sockets' last states were lost)",
    .lost_events = "(INCOMPLETE: events lost)",
    .isn = "ISN (raw): ",
    .isn_rel = "  (Seq= and Ack= below are relative to them)",
    .wscale = "Window scale: ",
    .win_note = "  (Win= below is already multiplied)",
    .no_wscale = "Window scale: none (a SYN had no WS option): Win= is the header's value",
    .note_syn_recv = "Note: Linux records LISTEN -> SYN_RECV when the handshake's last ACK "
		     "creates the server's socket (the textbook: at the SYN)",
    .note_tw_handover = "Note: FIN_WAIT2 -> CLOSE is Linux handing the connection over to a "
			"timewait socket, which holds TIME_WAIT",
    .note_tw_60s = "Note: TIME_WAIT lasts 60 s on Linux (2MSL with MSL = 30 s)",
    .tw_handed_over = " (inferred: its socket handed over to a timewait socket)",
    .tw_from_packets = " (inferred from the packets: it acknowledged the peer's FIN after its own)",
    .tw_ended = "TIME_WAIT ended after %s",
    .tw_confirmed = {" (confirmed by the kernel)", " (confirmed by sock_diag)"},
    .tw_reused = ": a new connection reused the tuple",
    .why = "why: ",
    .cause =
	{
	    [TL_CAUSE_UNKNOWN] = "unknown (the segments seen do not tell)",
	    [TL_CAUSE_CONNECT] = "connect() called, SYN sent",
	    [TL_CAUSE_SYN] = "SYN received",
	    [TL_CAUSE_SYN_ACK] = "SYN-ACK received",
	    [TL_CAUSE_ACK_OF_SYN] = "ACK of our SYN received",
	    [TL_CAUSE_CLOSE] = "close() called, FIN to send",
	    [TL_CAUSE_FIN] = "FIN received",
	    [TL_CAUSE_ACK_OF_FIN] = "ACK of our FIN received",
	    [TL_CAUSE_RST] = "RST received",
	    [TL_CAUSE_TW_TIMER] = "timewait timer expired",
	    [TL_CAUSE_TW_REUSED] = "a new connection's SYN took the tuple over",
	},
    .head_cut = "… (only the first %zu bytes of this head were captured: the rest is not shown)",
};

/* The textbook's terms (谢希仁《计算机网络》): 主动关闭方/被动关闭方, 初始序号,
 * 窗口扩大因子, 2MSL. */
static const struct tl_text_lang chinese = {
    .side = {"客户端", "服务器"},
    .both = "双方",
    .request = "%u 个请求",
    .requests = "%u 个请求",
    .no_request = "无请求",
    .preconnect = "无请求 (浏览器预连接)",
    .closed_by = "四次挥手: 主动关闭方 %s",
    .passive = ", 被动关闭方 %s",
    .reset_by = "被 RST 复位, 发送方 %s",
    .hs_failed_one = "三次握手失败: %u 个 SYN 均无 SYN-ACK 应答",
    .hs_failed = "三次握手失败: %u 个 SYN 均无 SYN-ACK 应答",
    .time_wait = "TIME_WAIT (时间等待): %s",
    .open_at_exit = "(退出时连接仍未关闭)",
    .evicted = "(空闲过久, 已不再跟踪)",
    .lost_states = "(不完整: 套接字最后的状态丢失)",
    .lost_events = "(不完整: 有事件丢失)",
    .isn = "初始序号 ISN (原始值): ",
    .isn_rel = "  (下面的 Seq= 和 Ack= 是相对序号)",
    .wscale = "窗口扩大因子: ",
    .win_note = "  (下面的 Win= 已乘以该因子)",
    .no_wscale = "窗口扩大因子: 无 (有一方的 SYN 不带 WS 选项), Win= 即首部中的窗口值",
    .note_syn_recv = "注: Linux 在第三次握手的 ACK 创建服务器套接字时才记录 LISTEN -> SYN_RECV "
		     "(教科书: 收到 SYN 即进入)",
    .note_tw_handover = "注: FIN_WAIT2 -> CLOSE 是 Linux 把连接交给一个 timewait 套接字, "
			"由它停留在 TIME_WAIT",
    .note_tw_60s = "注: Linux 上 TIME_WAIT 持续 60 秒 (2MSL, MSL = 30 秒)",
    .tw_handed_over = " (推断: 其套接字已交给 timewait 套接字)",
    .tw_from_packets = " (据报文推断: 它发出本方 FIN 后又确认了对方的 FIN)",
    .tw_ended = "TIME_WAIT 结束, 历时 %s",
    .tw_confirmed = {" (已由内核确认)", " (已由 sock_diag 确认)"},
    .tw_reused = ": 新连接复用了该四元组",
    .why = "原因: ",
    .cause =
	{
	    [TL_CAUSE_UNKNOWN] = "未知 (所见的报文段无法判断)",
	    [TL_CAUSE_CONNECT] = "调用 connect(), 发送 SYN",
	    [TL_CAUSE_SYN] = "收到 SYN",
	    [TL_CAUSE_SYN_ACK] = "收到 SYN-ACK",
	    [TL_CAUSE_ACK_OF_SYN] = "收到对本方 SYN 的确认 (ACK)",
	    [TL_CAUSE_CLOSE] = "调用 close(), 将发送 FIN",
	    [TL_CAUSE_FIN] = "收到 FIN",
	    [TL_CAUSE_ACK_OF_FIN] = "收到对本方 FIN 的确认 (ACK)",
	    [TL_CAUSE_RST] = "收到 RST",
	    [TL_CAUSE_TW_TIMER] = "2MSL 计时器到期",
	    [TL_CAUSE_TW_REUSED] = "新连接的 SYN 复用了该四元组",
	},
    .head_cut = "… (此报文首部只捕获到前 %zu 字节, 其余部分未显示)",
};

const struct tl_text_lang *tl_text_lang(enum tl_lang lang)
{
	return lang == TL_LANG_ZH ? &chinese : &english;
}
