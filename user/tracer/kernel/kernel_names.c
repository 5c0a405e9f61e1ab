#include "tracer/kernel/kernel_names.h"

#include "tcplife_http.h"

#include <bpf/btf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Names by value, without the enum's prefix. */
struct reason_table {
	char **names;
	__u32 n;
};

static struct reason_table drop_reasons, reset_reasons;

static void table_free(struct reason_table *t)
{
	for (__u32 i = 0; i < t->n; i++)
		free(t->names[i]);
	free(t->names);
	t->names = NULL;
	t->n = 0;
}

/* Fills t from the enum named enum_name; values past 4096 are skipped
 * (subsystem bits of skb_drop_reason: never a core TCP reason). */
static int table_load(const struct btf *btf, const char *enum_name, const char *prefix,
		      struct reason_table *t)
{
	__s32 id = btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM);
	const struct btf_type *type;
	const struct btf_enum *v;
	size_t plen = strlen(prefix);

	if (id < 0)
		return -ENOENT;
	type = btf__type_by_id(btf, id);
	v = btf_enum(type);
	t->n = 0;
	for (__u16 i = 0; i < btf_vlen(type); i++)
		if ((__u32)v[i].val < 4096 && (__u32)v[i].val >= t->n)
			t->n = (__u32)v[i].val + 1;
	t->names = calloc(t->n ? t->n : 1, sizeof(*t->names));
	if (!t->names)
		return -ENOMEM;
	for (__u16 i = 0; i < btf_vlen(type); i++) {
		const char *name = btf__name_by_offset(btf, v[i].name_off);

		if ((__u32)v[i].val >= t->n || !name)
			continue;
		if (!strncmp(name, prefix, plen))
			name += plen;
		t->names[v[i].val] = strdup(name);
	}
	return 0;
}

int tl_kernel_names_load(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int err;

	if (!btf)
		return -errno;
	err = table_load(btf, "skb_drop_reason", "SKB_DROP_REASON_", &drop_reasons);
	if (!err)
		err = table_load(btf, "sk_rst_reason", "SK_RST_REASON_", &reset_reasons);
	btf__free(btf);
	return err;
}

void tl_kernel_names_free(void)
{
	table_free(&drop_reasons);
	table_free(&reset_reasons);
}

static const char *table_name(const struct reason_table *t, __u32 v)
{
	return v < t->n ? t->names[v] : NULL;
}

const char *tl_drop_reason_name(__u32 reason) { return table_name(&drop_reasons, reason); }

const char *tl_reset_reason_name(__u32 reason) { return table_name(&reset_reasons, reason); }

const char *tl_kernel_reason_name(int type, __u32 reason)
{
	return type == TL_EV_DROP ? tl_drop_reason_name(reason) : tl_reset_reason_name(reason);
}
