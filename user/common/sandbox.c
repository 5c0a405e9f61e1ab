#include "common/sandbox.h"

#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "common/fmt.h"
#include "common/util.h"

/* Names of the calls, looked up before the filter is loaded: the handler
 * may run inside malloc, so it must not call it (libseccomp's lookup does). */
#define TRAP_MAX_NR 1024

/* What libc does on its own in any program: malloc's memory, stdio's
 * first write asking whether a character device is a terminal (/dev/null
 * is one too), exit. Added to every table. */
static const struct sandbox_rule libc_rules[] = {
    {0, "brk", {}},
    {0, "mmap", {}},
    {0, "munmap", {}},
    {0, "mremap", {}},
    {0, "fstat", {}},
    {0, "newfstatat", {}},
    {0, "ioctl", {SANDBOX_ARG(1, TCGETS)}},
    {0, "exit_group", {}},
};

static const char *trap_prog;
static char *trap_names[TRAP_MAX_NR];

/* Async-signal-safe (tl_fmt only copies bytes): one write, then the exit. */
static void on_sigsys(int sig, siginfo_t *si, void *uctx)
{
	unsigned nr = (unsigned)si->si_syscall;
	const char *name = nr < TRAP_MAX_NR && trap_names[nr] ? trap_names[nr] : "?";
	char msg[256];
	struct tl_fmt f;
	ssize_t written;

	(void)sig;
	(void)uctx;
	tl_fmt_init(&f, msg, sizeof(msg));
	tl_fmt_str(&f, trap_prog);
	tl_fmt_str(&f, ": the sandbox stopped system call ");
	tl_fmt_str(&f, name);
	tl_fmt_str(&f, " (");
	tl_fmt_uint(&f, nr);
	tl_fmt_str(&f, "), a bug: please report it; --no-sandbox runs "
		       "without the filter\n");
	written = write(STDERR_FILENO, msg, f.len);
	(void)written;
	/* exit_group itself: a sanitizer's _exit would make calls of its own. */
	syscall(SYS_exit_group, 1);
}

static int trap_setup(const char *prog)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};

	trap_prog = prog;
	for (int nr = 0; nr < TRAP_MAX_NR; nr++)
		if (!trap_names[nr])
			trap_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	sigfillset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL) ? -errno : 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct sandbox_rule *r)
{
	struct scmp_arg_cmp cmp[3];
	unsigned n = 0;
	int nr = seccomp_syscall_resolve_name(r->call);

	/* A name no architecture knows is a typo in the table. */
	if (nr == __NR_SCMP_ERROR)
		return -EINVAL;
	for (int i = 0; i < 3; i++)
		if (r->args[i].used)
			cmp[n++] = SCMP_CMP(r->args[i].pos, SCMP_CMP_MASKED_EQ, 0xffffffffU,
					    r->args[i].value);
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

int sandbox_install(const char *prog, const struct sandbox_rule *rules, size_t n, unsigned tags)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_TRAP);
	int err;

	if (!ctx)
		return -ENOMEM;
	/* glibc reads /etc/localtime on the first time conversion, gmtime_r's
	 * too: done now, while files can still be opened. */
	tzset();
	/* A call through another ABI (int 0x80 on x86-64) has other numbers. */
	err = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; i < ARRAY_SIZE(libc_rules) && !err; i++)
		err = add_rule(ctx, &libc_rules[i]);
	for (size_t i = 0; i < n && !err; i++)
		if (!rules[i].tags || (rules[i].tags & tags))
			err = add_rule(ctx, &rules[i]);
	if (!err)
		err = trap_setup(prog);
	if (!err)
		err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}
