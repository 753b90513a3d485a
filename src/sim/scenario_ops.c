/* The scenario commands: their names, argument counts and kinds, usage
 * lines, and the parse-time checks of commands whose arguments are more
 * than one kind (write, read, touch, spawn, clone, expect, show, ...).
 * The commands themselves run in scenario_cmds.c, scenario_kcmds.c,
 * scenario_fcmds.c and scenario_rcmds.c.
 * Invariant: every command is documented in docs/scenarios.md under the
 * same usage line. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <mmkit/sched.h>

#include "sim/scenario_internal.h"

#define ERR(c, a, ...) scn_parse_error(err, errlen, file, (c)->line, (a)->col, __VA_ARGS__)

static bool is_plain_number(const struct scn_arg *a)
{
	return a->kind == SCN_ARG_EXPR && a->e.var < 0;
}

/* spawn/exec options: text=SIZE data=SIZE bss=SIZE stack=SIZE args=SIZE
 * text_start=ADDR stack_top=ADDR root */
static int parse_layout(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	static const char *const keys[] = { "text", "data", "bss", "stack", "args",
					    "text_start", "data_start", "stack_top", NULL };

	for (int i = 1; i < c->nargs; i++) {
		struct scn_arg *a = &c->arg[i];
		const char *eq = strchr(a->text, '=');
		uint64_t v;
		bool ok = false;

		if (a->kind == SCN_ARG_WORD && !strcmp(a->text, "root"))
			continue;
		if (a->kind != SCN_ARG_WORD || !eq)
			return ERR(c, a, "bad option '%s' (text= data= bss= stack= args= "
				   "text_start= data_start= stack_top= root)", a->text);
		for (int k = 0; keys[k]; k++)
			if (strlen(keys[k]) == (size_t)(eq - a->text) &&
			    !strncmp(keys[k], a->text, (size_t)(eq - a->text)))
				ok = true;
		if (!ok)
			return ERR(c, a, "unknown option '%.*s'", (int)(eq - a->text), a->text);
		if (scn_parse_number(eq + 1, &v))
			return ERR(c, a, "bad number '%s'", eq + 1);
	}
	return 0;
}

static int parse_clone(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	static const struct { const char *name; unsigned long flag; } f[] = {
		{ "vm", CLONE_VM }, { "fs", CLONE_FS }, { "files", CLONE_FILES },
		{ "sighand", CLONE_SIGHAND }, { "thread", CLONE_THREAD },
		{ "parent", CLONE_PARENT }, { "vfork", CLONE_VFORK },
	};
	struct scn_arg *a = &c->arg[2];
	const char *s = a->text;

	if (a->kind != SCN_ARG_WORD)
		return ERR(c, a, "expected clone flags (vm,sighand,thread,...)");
	a->flags = 0;
	for (;;) {
		size_t len = strcspn(s, ",|");
		bool ok = false;

		if (len > 6 && !strncasecmp(s, "CLONE_", 6)) {
			s += 6;
			len -= 6;
		}
		for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
			if (strlen(f[i].name) == len && !strncasecmp(f[i].name, s, len)) {
				a->flags |= f[i].flag;
				ok = true;
			}
		if (!ok)
			return ERR(c, a, "bad clone flags '%s' (vm fs files sighand thread parent vfork)",
				   a->text);
		s += len;
		if (!*s)
			return 0;
		s++;
	}
}

static int parse_sighandler(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	int sig = c->arg[1].kind == SCN_ARG_WORD ? scn_signal_value(c->arg[1].text) : 0;

	if (sig != SIGSEGV && sig != SIGBUS)
		return ERR(c, &c->arg[1], "a handler can be installed for SEGV or BUS only");
	c->arg[1].flags = (unsigned long)sig;
	if (strcmp(c->arg[2].text, "on") && strcmp(c->arg[2].text, "off"))
		return ERR(c, &c->arg[2], "expected 'on' or 'off'");
	return 0;
}

/* write ADDR "text" | ADDR pattern "text" LEN | ADDR LEN random SEED */
static int parse_write(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	struct scn_arg *a = &c->arg[1];

	if (c->nargs == 2 && a->kind == SCN_ARG_STRING)
		return 0;
	if (c->nargs == 4 && a->kind == SCN_ARG_WORD && !strcmp(a->text, "pattern")) {
		if (c->arg[2].kind != SCN_ARG_STRING || !c->arg[2].len)
			return ERR(c, &c->arg[2], "expected a non-empty \"pattern\"");
		if (c->arg[3].kind != SCN_ARG_EXPR)
			return ERR(c, &c->arg[3], "expected a length");
		return 0;
	}
	if (c->nargs == 4 && a->kind == SCN_ARG_EXPR && c->arg[2].kind == SCN_ARG_WORD &&
	    !strcmp(c->arg[2].text, "random")) {
		if (c->arg[3].kind != SCN_ARG_EXPR)
			return ERR(c, &c->arg[3], "expected a seed");
		return 0;
	}
	return ERR(c, a, "usage: %s", c->op->usage);
}

/* read ADDR LEN [expect "text" | expect random SEED | expect zero] */
static int parse_read(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	struct scn_arg *a = &c->arg[2];

	if (c->nargs == 2)
		return 0;
	if (a->kind != SCN_ARG_WORD || strcmp(a->text, "expect"))
		return ERR(c, a, "expected 'expect' after the length");
	if (c->nargs == 4 && c->arg[3].kind == SCN_ARG_STRING)
		return 0;
	if (c->nargs == 4 && c->arg[3].kind == SCN_ARG_WORD && !strcmp(c->arg[3].text, "zero"))
		return 0;
	if (c->nargs == 5 && c->arg[3].kind == SCN_ARG_WORD &&
	    !strcmp(c->arg[3].text, "random") && c->arg[4].kind == SCN_ARG_EXPR)
		return 0;
	return ERR(c, a, "usage: %s", c->op->usage);
}

static int parse_touch(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	if (c->nargs == 3 && strcmp(c->arg[2].text, "read") && strcmp(c->arg[2].text, "write"))
		return ERR(c, &c->arg[2], "expected 'read' or 'write'");
	return 0;
}

static int parse_cache_create(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	for (int i = 2; i < c->nargs; i++) {
		struct scn_arg *a = &c->arg[i];
		uint64_t v;

		if (a->kind == SCN_ARG_WORD && (!strcmp(a->text, "ctor") ||
						!strcmp(a->text, "hwcache_align")))
			continue;
		if (a->kind == SCN_ARG_WORD && !strncmp(a->text, "align=", 6) &&
		    !scn_parse_number(a->text + 6, &v))
			continue;
		return ERR(c, a, "bad option '%s' (ctor, hwcache_align, align=N)", a->text);
	}
	return 0;
}

static int parse_show(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	const char *what = c->arg[0].text;

	if (!strncmp(what, "/proc/", 6))
		return 0;	/* further words filter the lines */
	if (!strcmp(what, "log") || !strcmp(what, "dmesg")) {
		if (c->nargs > 1)
			return ERR(c, &c->arg[1], "'show %s' takes no more arguments", what);
		return 0;
	}
	if (!strcmp(what, "counters")) {
		for (int i = 1; i < c->nargs; i++)
			if (c->arg[i].kind != SCN_ARG_WORD)
				return ERR(c, &c->arg[i], "expected a counter name");
		return 0;
	}
	return ERR(c, &c->arg[0], "show what? (/proc/FILE, log, dmesg, counters [NAME...])");
}

static int parse_expect(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	const char *what = c->arg[0].text;

	if (!strcmp(what, "ok")) {
		if (c->nargs != 1)
			return ERR(c, &c->arg[1], "'expect ok' takes no more arguments");
		return 0;
	}
	if (c->nargs != 2)
		return ERR(c, &c->arg[0], "usage: %s", c->op->usage);
	if (!strcmp(what, "errno")) {
		c->arg[1].flags = (unsigned long)scn_errno_value(c->arg[1].text);
		if (!c->arg[1].flags)
			return ERR(c, &c->arg[1], "unknown errno name '%s'", c->arg[1].text);
		return 0;
	}
	if (!strcmp(what, "signal")) {
		c->arg[1].flags = (unsigned long)scn_signal_value(c->arg[1].text);
		if (!c->arg[1].flags)
			return ERR(c, &c->arg[1], "unknown signal name '%s'", c->arg[1].text);
		return 0;
	}
	return ERR(c, &c->arg[0], "expect what? (ok, errno NAME, signal NAME)");
}

static int parse_cpu(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	if (!is_plain_number(&c->arg[0]) || c->arg[0].e.off < 0 || c->arg[0].e.off >= NR_CPUS)
		return ERR(c, &c->arg[0], "cpu must be a number from 0 to %d", NR_CPUS - 1);
	return 0;
}

/* mkfile PATH SIZE [zero | random SEED | pattern "BYTES"] */
static int parse_mkfile(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	struct scn_arg *a = &c->arg[2];

	if (c->nargs == 2 || (c->nargs == 3 && a->kind == SCN_ARG_WORD && !strcmp(a->text, "zero")))
		return 0;
	if (c->nargs == 4 && a->kind == SCN_ARG_WORD && !strcmp(a->text, "random") &&
	    c->arg[3].kind == SCN_ARG_EXPR)
		return 0;
	if (c->nargs == 4 && a->kind == SCN_ARG_WORD && !strcmp(a->text, "pattern") &&
	    c->arg[3].kind == SCN_ARG_STRING && c->arg[3].len)
		return 0;
	return ERR(c, a, "usage: %s", c->op->usage);
}

/* A number written in a NAME=VALUE word: an expression argument. */
static int split_value(struct scn_cmd *c, struct scn_arg *a, const char *v, char *err,
		       size_t errlen, const char *file)
{
	int neg = *v == '-';
	uint64_t n;

	if (scn_parse_number(v + neg, &n) || n > INT64_MAX)
		return ERR(c, a, "bad number '%s'", v);
	a->kind = SCN_ARG_EXPR;
	a->e.var = -1;
	a->e.off = neg ? -(int64_t)n : (int64_t)n;
	return 0;
}

/* sysctl vm.NAME=VALUE | sysctl vm.NAME VALUE: the value moves to arg[1]. */
static int parse_sysctl(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	struct scn_arg *a = &c->arg[0];
	char *eq = strchr(a->text, '=');

	if (c->nargs == 2) {
		if (eq)
			return ERR(c, a, "usage: %s", c->op->usage);
		return 0;
	}
	if (!eq || eq == a->text || !eq[1])
		return ERR(c, a, "usage: %s", c->op->usage);
	*eq = '\0';
	c->nargs = 2;
	memset(&c->arg[1], 0, sizeof(c->arg[1]));
	c->arg[1].col = a->col + (int)(eq - a->text) + 1;
	c->arg[1].text = strdup(eq + 1);
	if (!c->arg[1].text)
		return ERR(c, a, "out of memory");
	c->arg[1].len = strlen(eq + 1);
	c->arg[1].kind = SCN_ARG_WORD;
	if ((eq[1] >= '0' && eq[1] <= '9') || eq[1] == '-')
		return split_value(c, &c->arg[1], c->arg[1].text, err, errlen, file);
	return 0;
}

/* echo VALUE > /proc/FILE: a write to /proc; '>' appears only so. */
static int parse_echo(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	for (int i = 0; i < c->nargs; i++) {
		struct scn_arg *a = &c->arg[i];

		if (a->kind != SCN_ARG_WORD || strcmp(a->text, ">"))
			continue;
		if (i != 1 || c->nargs != 3)
			return ERR(c, a, "only 'echo VALUE > /proc/FILE' writes a file");
		if (c->arg[2].kind != SCN_ARG_WORD || strncmp(c->arg[2].text, "/proc/", 6))
			return ERR(c, &c->arg[2], "echo writes /proc files only");
		if (c->arg[0].kind == SCN_ARG_STRING)
			return ERR(c, &c->arg[0], "expected a number or a word");
	}
	return 0;
}

static int parse_reclaim(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	if (strcmp(c->arg[0].text, "kswapd") && strcmp(c->arg[0].text, "direct"))
		return ERR(c, &c->arg[0], "expected 'kswapd' or 'direct'");
	return 0;
}

/* shmget KEY|IPC_PRIVATE SIZE [FLAGS [MODE]] */
static int parse_shmget(struct scn_cmd *c, char *err, size_t errlen, const char *file)
{
	struct scn_arg *a = &c->arg[0];

	if (a->kind == SCN_ARG_WORD && strcasecmp(a->text, "IPC_PRIVATE") &&
	    strcasecmp(a->text, "private"))
		return ERR(c, a, "expected a key or IPC_PRIVATE");
	if (a->kind == SCN_ARG_STRING)
		return ERR(c, a, "expected a key or IPC_PRIVATE");
	return 0;
}

#define B SCN_BOOTED
#define C (SCN_BOOTED | SCN_CURRENT)
#define V SCN_VALUE

const struct scn_op scn_ops[] = {
	/* the machine */
	{ "machine", 1, 1, 0, "w", "machine NAME|PATH", NULL, scn_cmd_machine },
	{ "boot", 0, SCN_MAX_ARGS, 0, "x", "boot [CMDLINE-OPTION...]", NULL, scn_cmd_boot },
	{ "cpu", 1, 1, B, "e", "cpu N", parse_cpu, scn_cmd_cpu },
	/* processes */
	{ "spawn", 1, 9, B, "wx", "spawn NAME [text=SIZE data=SIZE bss=SIZE stack=SIZE ... root]",
	  parse_layout, scn_cmd_spawn },
	{ "switch", 1, 1, B, "w", "switch NAME", NULL, scn_cmd_switch },
	{ "fork", 2, 2, B, "ww", "fork PARENT CHILD", NULL, scn_cmd_fork },
	{ "clone", 3, 3, B, "wwx", "clone PARENT CHILD vm[,sighand,thread,...]", parse_clone,
	  scn_cmd_clone },
	{ "exec", 1, 9, B, "wx", "exec NAME [text=SIZE data=SIZE bss=SIZE stack=SIZE ...]",
	  parse_layout, scn_cmd_exec },
	{ "exit", 1, 2, B, "we", "exit NAME [CODE]", NULL, scn_cmd_exit },
	{ "wait", 1, 1, C, "w", "wait NAME", NULL, scn_cmd_wait },
	{ "signal-handler", 3, 3, B, "wxw", "signal-handler NAME SEGV|BUS on|off",
	  parse_sighandler, scn_cmd_sighandler },
	/* syscalls of the current process */
	{ "mmap", 4, 6, V | C, "eepmee", "mmap ADDR LEN PROT FLAGS [FD OFFSET]", NULL,
	  scn_cmd_mmap },
	{ "munmap", 2, 2, V | C, "ee", "munmap ADDR LEN", NULL, scn_cmd_munmap },
	{ "mprotect", 3, 3, V | C, "eep", "mprotect ADDR LEN PROT", NULL, scn_cmd_mprotect },
	{ "mremap", 3, 5, V | C, "eeere", "mremap ADDR OLD_LEN NEW_LEN [FLAGS [NEW_ADDR]]", NULL,
	  scn_cmd_mremap },
	{ "brk", 1, 1, V | C, "e", "brk ADDR", NULL, scn_cmd_brk },
	{ "madvise", 3, 3, V | C, "eea", "madvise ADDR LEN ADVICE", NULL, scn_cmd_madvise },
	{ "mlock", 2, 3, V | C, "eeo", "mlock ADDR LEN [onfault]", NULL, scn_cmd_mlock },
	{ "munlock", 2, 2, V | C, "ee", "munlock ADDR LEN", NULL, scn_cmd_munlock },
	{ "mlockall", 1, 1, V | C, "c", "mlockall current,future[,onfault]", NULL,
	  scn_cmd_mlockall },
	{ "munlockall", 0, 0, V | C, "", "munlockall", NULL, scn_cmd_munlockall },
	{ "msync", 3, 3, V | C, "eey", "msync ADDR LEN sync|async[,invalidate]", NULL,
	  scn_cmd_msync },
	/* files (the current process's fd table) */
	{ "open", 2, 3, V | C, "fOe", "open PATH FLAGS [MODE]", NULL, scn_cmd_open },
	{ "close", 1, 1, V | C, "e", "close FD", NULL, scn_cmd_close },
	{ "sysread", 3, 3, V | C, "eee", "sysread FD BUF COUNT", NULL, scn_cmd_sysread },
	{ "syswrite", 3, 3, V | C, "eee", "syswrite FD BUF COUNT", NULL, scn_cmd_syswrite },
	{ "pread", 4, 4, V | C, "eeee", "pread FD BUF COUNT OFFSET", NULL, scn_cmd_pread },
	{ "pwrite", 4, 4, V | C, "eeee", "pwrite FD BUF COUNT OFFSET", NULL, scn_cmd_pwrite },
	{ "lseek", 3, 3, V | C, "eeW", "lseek FD OFFSET set|cur|end", NULL, scn_cmd_lseek },
	{ "ftruncate", 2, 2, V | C, "ee", "ftruncate FD LENGTH", NULL, scn_cmd_ftruncate },
	{ "truncate", 2, 2, V | C, "fe", "truncate PATH LENGTH", NULL, scn_cmd_truncate },
	{ "fsync", 1, 1, V | C, "e", "fsync FD", NULL, scn_cmd_fsync },
	{ "fdatasync", 1, 1, V | C, "e", "fdatasync FD", NULL, scn_cmd_fsync },
	{ "unlink", 1, 1, V | C, "f", "unlink PATH", NULL, scn_cmd_unlink },
	{ "mkfile", 2, 4, B, "fexx", "mkfile PATH SIZE [zero | random SEED | pattern \"BYTES\"]",
	  parse_mkfile, scn_cmd_mkfile },
	/* SysV shared memory */
	{ "shmget", 2, 4, V | C, "xeIe", "shmget KEY|IPC_PRIVATE SIZE [FLAGS [MODE]]",
	  parse_shmget, scn_cmd_shmget },
	{ "shmat", 1, 3, V | C, "eeI", "shmat SHMID [ADDR [FLAGS]]", NULL, scn_cmd_shmat },
	{ "shmdt", 1, 1, V | C, "e", "shmdt ADDR", NULL, scn_cmd_shmdt },
	{ "shmctl", 2, 2, V | C, "eS", "shmctl SHMID IPC_RMID|IPC_STAT|SHM_LOCK|SHM_UNLOCK", NULL,
	  scn_cmd_shmctl },
	/* swap, reclaim, the OOM killer */
	{ "mkswap", 2, 2, B, "fe", "mkswap PATH SIZE", NULL, scn_cmd_mkswap },
	{ "swapon", 1, 2, B, "fe", "swapon PATH [PRIO]", NULL, scn_cmd_swapon },
	{ "swapoff", 1, 1, B, "f", "swapoff PATH", NULL, scn_cmd_swapoff },
	{ "policy", 1, 1, B, "w", "policy linux|clock|lru|fifo", NULL, scn_cmd_policy },
	{ "max_resident", 1, 1, B, "e", "max_resident PAGES", NULL, scn_cmd_max_resident },
	{ "reclaim", 1, 1, B, "w", "reclaim kswapd|direct", parse_reclaim, scn_cmd_reclaim },
	{ "refs", 2, 3, C, "elw", "refs ADDR N,N,... [read|write]", parse_touch, scn_cmd_refs },
	{ "oom_score_adj", 2, 2, B, "we", "oom_score_adj NAME ADJ", NULL, scn_cmd_oom_score_adj },
	{ "oom_kill", 0, 0, B, "", "oom_kill", NULL, scn_cmd_oom_kill },
	{ "sysctl", 1, 2, B, "wx", "sysctl vm.NAME=VALUE", parse_sysctl, scn_cmd_sysctl },
	/* user memory of the current process */
	{ "write", 2, 4, C, "ex",
	  "write ADDR \"TEXT\" | write ADDR pattern \"BYTES\" LEN | write ADDR LEN random SEED",
	  parse_write, scn_cmd_write },
	{ "read", 2, 5, C, "eex", "read ADDR LEN [expect \"TEXT\" | expect zero | expect random SEED]",
	  parse_read, scn_cmd_read },
	{ "fill", 3, 3, C, "eee", "fill ADDR LEN BYTE", NULL, scn_cmd_fill },
	{ "touch", 2, 3, C, "eew", "touch ADDR LEN [read|write]", parse_touch, scn_cmd_touch },
	{ "fetch", 2, 2, C, "ee", "fetch ADDR LEN", NULL, scn_cmd_fetch },
	{ "umalloc", 1, 1, V | C, "e", "umalloc SIZE", NULL, scn_cmd_umalloc },
	{ "ufree", 1, 1, C, "e", "ufree ADDR", NULL, scn_cmd_ufree },
	/* the kernel's allocators */
	{ "alloc_pages", 1, 2, V | B, "eg", "alloc_pages ORDER [GFP]", NULL, scn_cmd_alloc_pages },
	{ "free_pages", 1, 2, B, "ee", "free_pages $PAGE [ORDER]", NULL, scn_cmd_free_pages },
	{ "kmalloc", 1, 2, V | B, "eg", "kmalloc SIZE [GFP]", NULL, scn_cmd_kmalloc },
	{ "kfree", 1, 1, B, "e", "kfree $OBJ", NULL, scn_cmd_kfree },
	{ "kmem_cache_create", 2, 5, V | B, "wex",
	  "kmem_cache_create NAME SIZE [ctor] [hwcache_align] [align=N]", parse_cache_create,
	  scn_cmd_cache_create },
	{ "kmem_cache_alloc", 1, 1, V | B, "e", "kmem_cache_alloc $CACHE", NULL,
	  scn_cmd_cache_alloc },
	{ "kmem_cache_free", 2, 2, B, "ee", "kmem_cache_free $CACHE $OBJ", NULL,
	  scn_cmd_cache_free },
	{ "kmem_cache_destroy", 1, 1, B, "e", "kmem_cache_destroy $CACHE", NULL,
	  scn_cmd_cache_destroy },
	{ "vmalloc", 1, 1, V | B, "e", "vmalloc SIZE", NULL, scn_cmd_vmalloc },
	{ "vfree", 1, 1, B, "e", "vfree $AREA", NULL, scn_cmd_vfree },
	{ "kmap", 1, 1, V | B, "e", "kmap $PAGE", NULL, scn_cmd_kmap },
	{ "kunmap", 1, 1, B, "e", "kunmap $PAGE", NULL, scn_cmd_kunmap },
	/* looking */
	{ "show", 1, SCN_MAX_ARGS, B, "w", "show /proc/FILE [WORD...] | show log | show dmesg | "
	  "show counters [NAME...]", parse_show, scn_cmd_show },
	{ "check", 0, 0, B, "", "check", NULL, scn_cmd_check },
	{ "echo", 0, SCN_MAX_ARGS, 0, "x", "echo [TEXT...] | echo VALUE > /proc/FILE", parse_echo,
	  scn_cmd_echo },
	{ "expect", 1, 2, 0, "ww", "expect ok | expect errno NAME | expect signal NAME",
	  parse_expect, scn_cmd_expect },
};

const int scn_nr_ops = (int)(sizeof(scn_ops) / sizeof(scn_ops[0]));

const char *mmkit_scenario_usage(int i)
{
	return i >= 0 && i < scn_nr_ops ? scn_ops[i].usage : NULL;
}
