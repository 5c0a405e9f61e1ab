/* Which TC filters sit on an interface's clsact qdisc, as `tc filter show`
 * lists them (an RTM_GETTFILTER dump): enough to know whether a qdisc this
 * tool created now carries someone else's filter too. */
#ifndef TL_TC_FILTERS_H
#define TL_TC_FILTERS_H

#include <linux/types.h>

/* tl_tc_foreign_filters: how many filters on ifindex's clsact ingress and
 * egress are not at (handle, priority); -errno when the dump fails, which
 * callers must treat as "there may be some". */
int tl_tc_foreign_filters(int ifindex, __u32 handle, __u16 priority);

#endif
