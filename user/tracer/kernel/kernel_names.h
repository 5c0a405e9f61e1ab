/* The kernel's names for its drop and reset reasons (enum skb_drop_reason,
 * enum sk_rst_reason), read from its BTF once at start, since their numbers
 * change between kernel versions. */
#ifndef TL_KERNEL_NAMES_H
#define TL_KERNEL_NAMES_H

#include <linux/types.h>

/* tl_kernel_names_load: reads both enums from /sys/kernel/btf/vmlinux.
 * Returns 0 or -errno; without them, reasons are named by number. */
int tl_kernel_names_load(void);
void tl_kernel_names_free(void);

/* "QDISC_DROP", "NO_SOCKET"; NULL when the number has no name. */
const char *tl_drop_reason_name(__u32 reason);
const char *tl_reset_reason_name(__u32 reason);
/* Either, by the record's type (TL_EV_DROP, else a reset): the engine's
 * tl_engine_config.reason_name. */
const char *tl_kernel_reason_name(int type, __u32 reason);

#endif
