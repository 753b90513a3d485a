/* Scenario internals shared by the parser (scenario_parse.c), the
 * interpreter (scenario_run.c) and the commands (scenario_cmds.c,
 * scenario_kcmds.c). Public API: <mmkit/scenario.h>.
 *
 * A parsed scenario is an array of commands; each command has its op
 * (an entry of scn_ops[]), an optional variable it assigns, and typed
 * arguments checked at parse time. Variables are numbered at parse time;
 * their values live in the run state. */
#ifndef MMKIT_SIM_SCENARIO_INTERNAL_H
#define MMKIT_SIM_SCENARIO_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include <mmkit/mmkit.h>
#include <mmkit/scenario.h>
#include <mmkit/sched.h>

#define SCN_MAX_ARGS 16
#define SCN_MAX_VARS 256
#define SCN_MAX_PROCS 64
#define SCN_MAX_LINE 4096

/* What an argument token was parsed as. */
enum scn_arg_kind {
	SCN_ARG_WORD,	/* a bare word: names, keywords, /proc paths */
	SCN_ARG_STRING,	/* "quoted", escapes decoded into str/len */
	SCN_ARG_EXPR,	/* NUMBER, $var, $var+NUMBER, $var-NUMBER */
};

/* value = (var >= 0 ? vars[var] : 0) + off */
struct scn_expr {
	int var;
	int64_t off;
};

struct scn_arg {
	enum scn_arg_kind kind;
	int col;		/* 1-based column of the token */
	char *text;		/* the token as written (strings: decoded) */
	size_t len;		/* bytes in text (strings may hold NULs) */
	struct scn_expr e;	/* SCN_ARG_EXPR */
	unsigned long flags;	/* set by an op's parse hook: prot, map flags, ... */
};

struct scn_run;
struct scn_cmd;

/* Op flags. */
#define SCN_VALUE 0x1	/* may be assigned: $x = op ... */
#define SCN_BOOTED 0x2	/* needs the machine booted (boots it if not yet) */
#define SCN_CURRENT 0x4	/* needs a current process */

struct scn_op {
	const char *name;
	int min_args, max_args;
	unsigned int flags;
	const char *spec;	/* one letter per argument (see scenario_parse.c); the
				 * last letter repeats for further arguments */
	const char *usage;
	/* optional: check and convert arguments; return 0 or report with scn_parse_error */
	int (*parse)(struct scn_cmd *c, char *err, size_t errlen, const char *file);
	/* run the command; return 0 (result in r->res), or -1 after scn_fail() */
	int (*run)(struct scn_run *r, const struct scn_cmd *c);
};

struct scn_cmd {
	int line, col;
	const struct scn_op *op;
	int assign;		/* variable index, or -1 */
	int nargs;
	struct scn_arg arg[SCN_MAX_ARGS];
	char *src;		/* the command as written, comment stripped */
};

struct mmkit_scenario {
	char *filename;
	int nr_cmds;
	struct scn_cmd *cmds;
	int nr_vars;
	char *var_names[SCN_MAX_VARS];
};

/* What a variable holds. */
enum scn_val_kind {
	SCN_VAL_NUM,		/* a number or user address */
	SCN_VAL_PAGE,		/* alloc_pages: ptr is the struct page, num the pfn */
	SCN_VAL_KOBJ,		/* kmalloc / kmem_cache_alloc: ptr host, num kernel va */
	SCN_VAL_CACHE,		/* kmem_cache_create: ptr is the cache */
	SCN_VAL_VMALLOC,	/* vmalloc: ptr host, num kernel va */
	SCN_VAL_KMAP,		/* kmap: ptr host, num kernel va */
};

struct scn_val {
	enum scn_val_kind kind;
	bool set;
	uint64_t num;
	void *ptr;
	unsigned int order;	/* SCN_VAL_PAGE */
	int freed_line;		/* nonzero: freed by the command on this line */
};

/* The outcome of the last command, which `expect` checks. */
enum scn_res_kind { SCN_RES_OK, SCN_RES_ERRNO, SCN_RES_SIGNAL };

struct scn_result {
	enum scn_res_kind kind;
	int err;		/* positive errno */
	int sig;
	bool has_value;
	bool decimal;		/* print the value in decimal (counts, fds, ids) */
	struct scn_val value;	/* what an assignment stores */
	char note[128];		/* printed after the value: "(order 2, zone Normal)" */
};

/* A process the scenario named. */
struct scn_proc {
	char name[32];
	pid_t pid;
};

/* Growing output buffer for one command's text. */
struct scn_buf {
	char *s;
	size_t len, size;
};

struct scn_run {
	struct mmkit_scenario *sc;
	struct mmkit_scenario_opts opts;
	struct machine_desc desc;
	char machine_name[256];
	struct machine *m;
	const struct scn_cmd *cmd;	/* running now */
	struct scn_result res;
	struct scn_buf out;
	struct scn_val vars[SCN_MAX_VARS];
	struct scn_proc procs[SCN_MAX_PROCS];
	int nr_procs;
	size_t log_mark;		/* `show log` prints the kernel log from here */
	unsigned long sig_handled;	/* signals the scenario's handlers received */
	struct mmkit_siginfo last_handled;
	bool said_drop_caches;		/* the kernel's drop_caches line is printed once */
	bool failed;
};

/* in scenario_parse.c */
int scn_parse_error(char *err, size_t errlen, const char *file, int line, int col,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int scn_parse_number(const char *s, uint64_t *out);
int scn_lookup_op(const char *name, const struct scn_op **op);

/* in scenario_flags.c */
int scn_parse_prot(const char *s, unsigned long *out);
int scn_parse_mapflags(const char *s, unsigned long *out);
int scn_parse_madvise(const char *s, unsigned long *out);
int scn_parse_gfp(const char *s, unsigned long *out);
int scn_parse_simple_flags(const char *s, const char *what, unsigned long *out);
int scn_parse_list(const char *s, size_t *count);
const char *scn_errno_name(int err);
int scn_errno_value(const char *name);
const char *scn_signal_name(int sig);
int scn_signal_value(const char *name);

/* in scenario_ops.c: the command table */
extern const struct scn_op scn_ops[];
extern const int scn_nr_ops;

/* in scenario_run.c */
void scn_printf(struct scn_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void scn_write(struct scn_run *r, const char *s, size_t len);
int scn_fail(struct scn_run *r, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
uint64_t scn_eval(struct scn_run *r, const struct scn_arg *a);
const struct scn_val *scn_var_of(struct scn_run *r, const struct scn_arg *a);
struct task_struct *scn_find_proc(struct scn_run *r, const char *name);
int scn_add_proc(struct scn_run *r, const char *name, pid_t pid, int col);
void scn_set_value(struct scn_run *r, enum scn_val_kind kind, uint64_t num, void *ptr);
int scn_errno_result(struct scn_run *r, const char *what, long ret);
int scn_user_access(struct scn_run *r, const char *what, int ret, unsigned long sig_before,
		    unsigned long handled_before);
unsigned long scn_nr_fatal(struct scn_run *r);
struct scn_val *scn_kernel_var(struct scn_run *r, const struct scn_arg *a,
			       enum scn_val_kind kind, const char *what);

/* in scenario_fcmds.c */
int scn_proc_write(struct scn_run *r, const char *file, const struct scn_arg *value, int col);

/**
 * scn_cmd_NAME() - run the scenario command NAME (one per entry of scn_ops[])
 * @r: the run, with the machine booted when the op has SCN_BOOTED and a
 *	current task when it has SCN_CURRENT
 * @c: the parsed command, its arguments checked against the op's spec
 *
 * Prints the command's output with scn_printf(), sets r->res (and the
 * value with scn_set_value()). Returns 0, or -1 after scn_fail() stopped
 * the run. Defined in scenario_run.c (machine, boot, echo, expect),
 * scenario_cmds.c (processes, syscalls, user memory), scenario_kcmds.c
 * (kernel allocators, cpu, show, check), scenario_fcmds.c (files, /proc
 * writes) and scenario_rcmds.c (swap, reclaim, OOM, SysV shm);
 * docs/scenarios.md describes each.
 */
int scn_cmd_machine(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_boot(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_cpu(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_spawn(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_switch(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_fork(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_clone(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_exec(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_exit(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_wait(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_sighandler(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_mmap(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_munmap(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_mprotect(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_mremap(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_brk(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_madvise(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_mlock(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_munlock(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_mlockall(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_munlockall(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_msync(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_write(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_read(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_fill(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_touch(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_fetch(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_umalloc(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_ufree(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_alloc_pages(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_free_pages(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_kmalloc(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_kfree(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_cache_create(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_cache_alloc(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_cache_free(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_cache_destroy(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_vmalloc(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_vfree(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_kmap(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_kunmap(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_show(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_check(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_echo(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_expect(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_open(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_close(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_sysread(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_syswrite(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_pread(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_pwrite(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_lseek(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_ftruncate(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_truncate(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_fsync(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_unlink(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_mkfile(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_sysctl(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_mkswap(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_swapon(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_swapoff(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_policy(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_max_resident(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_reclaim(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_oom_score_adj(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_oom_kill(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_refs(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_shmget(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_shmat(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_shmdt(struct scn_run *r, const struct scn_cmd *c);
int scn_cmd_shmctl(struct scn_run *r, const struct scn_cmd *c);

#endif
