/* Scenario interpreter: runs a parsed scenario on a fresh machine, one
 * command at a time (no Linux counterpart; docs/scenarios.md).
 *
 * Each command's text goes into a buffer that is flushed after it ran:
 * as "> COMMAND" followed by its output (human form), or as one JSON
 * object (--json). A command's outcome (r->res) is ok, an errno or a
 * signal; anything but ok must be acknowledged by an `expect` on the next
 * line, or the run stops with FILE:LINE:COL and exit status 1.
 *
 * Invariants: nothing printed depends on the host (kernel addresses print
 * as the simulated CPU sees them, never as host pointers); after a stop
 * the machine is destroyed through its normal teardown, so a stopped run
 * leaks nothing; variables are read only after a successful assignment. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmu.h>

#include "sim/scenario_internal.h"

static void buf_add(struct scn_buf *b, const char *s, size_t len)
{
	if (b->len + len + 1 > b->size) {
		size_t size = b->size ? b->size : 1024;
		char *ns;

		while (size < b->len + len + 1)
			size *= 2;
		ns = realloc(b->s, size);
		if (!ns)
			return;		/* output is best effort; the run goes on */
		b->s = ns;
		b->size = size;
	}
	memcpy(b->s + b->len, s, len);
	b->len += len;
	b->s[b->len] = '\0';
}

/**
 * scn_write() - append @len bytes of @s to the running command's output
 * @r: the run
 * @s: the bytes
 * @len: how many
 */
void scn_write(struct scn_run *r, const char *s, size_t len)
{
	buf_add(&r->out, s, len);
}

/**
 * scn_printf() - append formatted text to the running command's output
 * @r: the run
 * @fmt: printf format
 */
void scn_printf(struct scn_run *r, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(small)) {
		scn_write(r, small, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);

		if (!big)
			return;
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		scn_write(r, big, (size_t)n);
		free(big);
	}
}

/**
 * scn_fail() - stop the run with "FILE:LINE:COL: reason"
 * @r: the run
 * @col: the column (0: the command's)
 * @fmt: printf format of the reason
 *
 * Returns -1, for `return scn_fail(...)`.
 */
int scn_fail(struct scn_run *r, int col, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	n = snprintf(msg, sizeof(msg), "%s:%d:%d: ", r->sc->filename, r->cmd->line,
		     col ? col : r->cmd->col);
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(r->opts.err, "%s\n", msg);
	if (r->opts.json) {
		scn_printf(r, "error: %s\n", msg);
	}
	r->failed = true;
	return -1;
}

/**
 * scn_var_of() - the variable an argument names, or NULL for a plain number
 * @r: the run
 * @a: an expression argument
 */
const struct scn_val *scn_var_of(struct scn_run *r, const struct scn_arg *a)
{
	if (a->kind != SCN_ARG_EXPR || a->e.var < 0)
		return NULL;
	return &r->vars[a->e.var];
}

/**
 * scn_eval() - the value of an expression argument
 * @r: the run
 * @a: the argument
 *
 * A variable holding a page counts as its pfn, kernel objects as their
 * kernel virtual address. The caller checks r->failed (an unset variable
 * stops the run).
 */
uint64_t scn_eval(struct scn_run *r, const struct scn_arg *a)
{
	const struct scn_val *v = scn_var_of(r, a);

	if (a->kind != SCN_ARG_EXPR) {
		scn_fail(r, a->col, "expected a number, got '%s'", a->text);
		return 0;
	}
	if (v && !v->set) {
		scn_fail(r, a->col, "$%s has no value (the command that sets it failed)",
			 r->sc->var_names[a->e.var]);
		return 0;
	}
	return (v ? v->num : 0) + (uint64_t)a->e.off;
}

/**
 * scn_set_value() - the value the running command returns (what `$x =` stores)
 * @r: the run
 * @kind: what it is
 * @num: its number (address, pfn, kernel virtual address)
 * @ptr: the host object behind it (pages, caches, kernel memory), or NULL
 */
void scn_set_value(struct scn_run *r, enum scn_val_kind kind, uint64_t num, void *ptr)
{
	r->res.has_value = true;
	r->res.value.kind = kind;
	r->res.value.num = num;
	r->res.value.ptr = ptr;
	r->res.value.set = true;
}

/**
 * scn_errno_result() - report a syscall's return value strace-style:
 *	"= 0xb7fe0000" or "= -1 ENOMEM (Cannot allocate memory)"
 * @r: the run
 * @what: unused by the output; names the syscall
 * @ret: the raw return value
 *
 * Returns 0 (the outcome is in r->res).
 */
int scn_errno_result(struct scn_run *r, const char *what, long ret)
{
	(void)what;
	if (MMKIT_IS_ERR_VALUE(ret)) {
		r->res.kind = SCN_RES_ERRNO;
		r->res.err = (int)-ret;
		scn_printf(r, "= -1 %s (%s)\n", scn_errno_name(r->res.err), strerror(r->res.err));
		return 0;
	}
	scn_set_value(r, SCN_VAL_NUM, (uint64_t)ret, NULL);
	return 0;
}

/**
 * scn_nr_fatal() - tasks killed by any signal so far
 * @r: the run
 */
unsigned long scn_nr_fatal(struct scn_run *r)
{
	unsigned long n = 0;

	for (int i = 0; i < MMKIT_NSIG; i++)
		n += r->m->signal.nr_fatal[i];
	return n;
}

static const char *si_code_name(int sig, int code)
{
	if (sig == SIGSEGV && code == SEGV_MAPERR)
		return "SEGV_MAPERR";
	if (sig == SIGSEGV && code == SEGV_ACCERR)
		return "SEGV_ACCERR";
	if (sig == SIGBUS && code == BUS_ADRERR)
		return "BUS_ADRERR";
	return code == SI_KERNEL ? "SI_KERNEL" : "?";
}

static void print_siginfo(struct scn_run *r, const struct mmkit_siginfo *si)
{
	scn_printf(r, "--- %s {si_signo=%s, si_code=%s, si_addr=0x%lx} ---\n",
		   scn_signal_name(si->signo), scn_signal_name(si->signo),
		   si_code_name(si->signo, si->code), si->addr);
}

/**
 * scn_user_access() - report the outcome of an access to user memory
 * @r: the run
 * @what: the access ("read", "write", ...), for other errors
 * @ret: what mmkit_read/mmkit_write/mmkit_fetch returned
 * @fatal_before: scn_nr_fatal() before the access
 * @handled_before: r->sig_handled before the access
 *
 * A fault the kernel could not resolve sends a signal: printed as strace
 * shows it, with "+++ killed by SIG +++" when the task died of it.
 * Returns 0.
 */
int scn_user_access(struct scn_run *r, const char *what, int ret, unsigned long fatal_before,
		    unsigned long handled_before)
{
	if (ret == 0)
		return 0;
	if (r->sig_handled != handled_before) {
		print_siginfo(r, &r->last_handled);
		scn_printf(r, "(caught by the handler; the %s failed with EFAULT)\n", what);
		r->res.kind = SCN_RES_SIGNAL;
		r->res.sig = r->last_handled.signo;
		return 0;
	}
	if (scn_nr_fatal(r) != fatal_before) {
		const struct mmkit_fatal_signal *f = mmkit_last_fatal_signal(r->m);

		print_siginfo(r, &f->info);
		scn_printf(r, "+++ %s (pid %d) killed by %s +++\n", f->comm, f->pid,
			   scn_signal_name(f->info.signo));
		r->res.kind = SCN_RES_SIGNAL;
		r->res.sig = f->info.signo;
		return 0;
	}
	r->res.kind = SCN_RES_ERRNO;
	r->res.err = -ret;
	scn_printf(r, "%s: %s (%s)\n", what, scn_errno_name(-ret), strerror(-ret));
	return 0;
}

/**
 * scn_find_proc() - the live task a scenario name refers to
 * @r: the run
 * @name: the name given to spawn/fork/clone
 *
 * Returns the task, or NULL (the name is unknown, or the process is gone).
 */
struct task_struct *scn_find_proc(struct scn_run *r, const char *name)
{
	for (int i = r->nr_procs - 1; i >= 0; i--)
		if (!strcmp(r->procs[i].name, name))
			return find_task_by_pid(r->m, r->procs[i].pid);
	return NULL;
}

/**
 * scn_add_proc() - give the process @pid the scenario name @name
 * @r: the run
 * @name: the name (a later one with the same name shadows this)
 * @pid: its pid
 * @col: the column to blame on error
 *
 * Returns 0, or -1 after scn_fail.
 */
int scn_add_proc(struct scn_run *r, const char *name, pid_t pid, int col)
{
	if (strlen(name) >= sizeof(r->procs[0].name))
		return scn_fail(r, col, "process name '%s' longer than %zu bytes", name,
				sizeof(r->procs[0].name) - 1);
	if (r->nr_procs == SCN_MAX_PROCS)
		return scn_fail(r, col, "too many processes (at most %d)", SCN_MAX_PROCS);
	snprintf(r->procs[r->nr_procs].name, sizeof(r->procs[0].name), "%s", name);
	r->procs[r->nr_procs++].pid = pid;
	return 0;
}

/* Boot the machine chosen so far (or the default). */
static int ensure_booted(struct scn_run *r)
{
	const char *arch;
	int ret;

	if (r->m)
		return 0;
	if (!r->machine_name[0]) {
		mmkit_desc_default(&r->desc);
		snprintf(r->machine_name, sizeof(r->machine_name), "%s", r->desc.name);
	}
	r->m = mmkit_machine_create(&r->desc);
	if (!r->m)
		return scn_fail(r, 0, "out of host memory");
	ret = mmkit_boot(r->m);
	if (ret) {
		fputs(mmkit_log_text(r->m, NULL), r->opts.err);
		return scn_fail(r, 0, "%s failed to boot: %s", r->machine_name, strerror(-ret));
	}
	r->log_mark = r->m->log.len;
	arch = r->desc.arch == MMKIT_ARCH_X86_64 ? "x86_64" :
	       r->desc.arch == MMKIT_ARCH_I386_PAE ? "i386-pae" : "i386";
	scn_printf(r, "booted %s: %s, %u CPU%s, MemTotal: %lu kB, HighTotal: %lu kB\n",
		   r->machine_name, arch, r->desc.nr_cpus, r->desc.nr_cpus == 1 ? "" : "s",
		   r->m->totalram_pages * 4, r->m->totalhigh_pages * 4);
	return 0;
}

/* Load a machine description named in the scenario or on the command line. */
static int load_machine(struct scn_run *r, const char *spec, int col)
{
	char path[4096], err[512];
	int ret;

	if (strchr(spec, '/') || strstr(spec, ".machine")) {
		const char *slash = strrchr(r->sc->filename, '/');

		snprintf(path, sizeof(path), "%s", spec);
		if (spec[0] != '/' && slash) {
			char rel[4096];
			FILE *f;

			snprintf(rel, sizeof(rel), "%.*s/%s", (int)(slash - r->sc->filename),
				 r->sc->filename, spec);
			f = fopen(rel, "r");
			if (f) {
				fclose(f);
				snprintf(path, sizeof(path), "%s", rel);
			}
		}
	} else {
		snprintf(path, sizeof(path), "%s/%s.machine",
			 r->opts.machines_dir ? r->opts.machines_dir : "examples/machines", spec);
	}
	ret = mmkit_desc_load(&r->desc, path, err, sizeof(err));
	if (ret == -ENOENT)
		return scn_fail(r, col, "no machine '%s' (a .machine file, or one of 'mmkit machines')",
				spec);
	if (ret)
		return scn_fail(r, col, "%s", err);
	snprintf(r->machine_name, sizeof(r->machine_name), "%s", spec);
	return 0;
}

int scn_cmd_machine(struct scn_run *r, const struct scn_cmd *c)
{
	if (r->m)
		return scn_fail(r, 0, "'machine' must come before the machine boots");
	if (r->opts.machine) {
		scn_printf(r, "(--machine %s replaces it)\n", r->opts.machine);
		return 0;
	}
	return load_machine(r, c->arg[0].text, c->arg[0].col);
}

int scn_cmd_boot(struct scn_run *r, const struct scn_cmd *c)
{
	if (r->m)
		return scn_fail(r, 0, "the machine is already booted");
	if (!r->machine_name[0]) {
		mmkit_desc_default(&r->desc);
		snprintf(r->machine_name, sizeof(r->machine_name), "%s", r->desc.name);
	}
	for (int i = 0; i < c->nargs; i++) {
		size_t len = strlen(r->desc.cmdline);

		if (len + 1 + c->arg[i].len >= sizeof(r->desc.cmdline))
			return scn_fail(r, c->arg[i].col, "kernel command line too long");
		if (len)
			r->desc.cmdline[len++] = ' ';
		memcpy(r->desc.cmdline + len, c->arg[i].text, c->arg[i].len + 1);
	}
	return ensure_booted(r);
}

int scn_cmd_echo(struct scn_run *r, const struct scn_cmd *c)
{
	if (c->nargs == 3 && c->arg[1].kind == SCN_ARG_WORD && !strcmp(c->arg[1].text, ">")) {
		if (ensure_booted(r))
			return -1;
		return scn_proc_write(r, c->arg[2].text, &c->arg[0], c->arg[2].col);
	}
	for (int i = 0; i < c->nargs; i++) {
		const struct scn_arg *a = &c->arg[i];

		if (i)
			scn_write(r, " ", 1);
		if (a->kind == SCN_ARG_EXPR) {
			uint64_t v = scn_eval(r, a);

			if (r->failed)
				return -1;
			scn_printf(r, "0x%" PRIx64, v);
		} else {
			scn_write(r, a->text, a->len);
		}
	}
	scn_write(r, "\n", 1);
	return 0;
}

int scn_cmd_expect(struct scn_run *r, const struct scn_cmd *c)
{
	(void)r;
	(void)c;
	return 0;	/* checked by check_expect() in the main loop */
}

static void describe_result(const struct scn_result *res, char *buf, size_t len)
{
	if (res->kind == SCN_RES_OK)
		snprintf(buf, len, "success");
	else if (res->kind == SCN_RES_ERRNO)
		snprintf(buf, len, "errno %s", scn_errno_name(res->err));
	else
		snprintf(buf, len, "signal %s", scn_signal_name(res->sig));
}

static int check_expect(struct scn_run *r, const struct scn_cmd *c, const struct scn_cmd *prev)
{
	const char *what = c->arg[0].text;
	struct scn_result want = { 0 };
	char got[64], exp[64];

	if (!prev || prev->op->run == scn_cmd_expect)
		return scn_fail(r, 0, "'expect' must follow the command it checks");
	if (!strcmp(what, "errno")) {
		want.kind = SCN_RES_ERRNO;
		want.err = (int)c->arg[1].flags;
	} else if (!strcmp(what, "signal")) {
		want.kind = SCN_RES_SIGNAL;
		want.sig = (int)c->arg[1].flags;
	}
	if (want.kind == r->res.kind && want.err == r->res.err && want.sig == r->res.sig)
		return 0;
	describe_result(&want, exp, sizeof(exp));
	describe_result(&r->res, got, sizeof(got));
	return scn_fail(r, 0, "expected %s from '%s' (line %d), got %s", exp, prev->op->name,
			prev->line, got);
}

static void print_value(struct scn_run *r, const struct scn_cmd *c)
{
	const struct scn_val *v = &r->res.value;

	if (c->assign >= 0)
		scn_printf(r, "$%s = ", r->sc->var_names[c->assign]);
	else
		scn_printf(r, "= ");
	switch (v->kind) {
	case SCN_VAL_NUM:
		if (r->res.decimal)
			scn_printf(r, "%" PRId64, (int64_t)v->num);
		else
			scn_printf(r, v->num < 4096 ? "%" PRIu64 : "0x%" PRIx64, v->num);
		break;
	case SCN_VAL_PAGE:
		scn_printf(r, "pfn 0x%" PRIx64, v->num);
		break;
	case SCN_VAL_CACHE:
		scn_printf(r, "kmem_cache %s", kmem_cache_name(v->ptr));
		break;
	default:
		scn_printf(r, "0x%" PRIx64, v->num);
		break;
	}
	if (r->res.note[0])
		scn_printf(r, " (%s)", r->res.note);
	scn_write(r, "\n", 1);
}

/**
 * scn_kernel_var() - the variable argument @a names, checked to hold a
 *	live kernel object of @kind
 * @r: the run
 * @a: the argument
 * @kind: what the command needs
 * @what: its name in errors ("a page from alloc_pages")
 *
 * Returns the variable, or NULL after scn_fail.
 */
struct scn_val *scn_kernel_var(struct scn_run *r, const struct scn_arg *a,
			       enum scn_val_kind kind, const char *what)
{
	struct scn_val *v;

	if (a->kind != SCN_ARG_EXPR || a->e.var < 0 || a->e.off) {
		scn_fail(r, a->col, "expected a $variable holding %s", what);
		return NULL;
	}
	v = &r->vars[a->e.var];
	if (!v->set || v->kind != kind) {
		scn_fail(r, a->col, "$%s does not hold %s", r->sc->var_names[a->e.var], what);
		return NULL;
	}
	if (v->freed_line) {
		scn_fail(r, a->col, "$%s was freed on line %d", r->sc->var_names[a->e.var],
			 v->freed_line);
		return NULL;
	}
	return v;
}

static void json_string(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Print the command's echo and output, or its JSON object. */
static void flush_command(struct scn_run *r, const struct scn_cmd *c)
{
	FILE *f = r->opts.out;

	if (!r->opts.json) {
		fprintf(f, "> %s\n", c->src);
		if (r->out.len)
			fwrite(r->out.s, 1, r->out.len, f);
	} else {
		const char *status = r->failed ? "error" : r->res.kind == SCN_RES_OK ? "ok" :
				     r->res.kind == SCN_RES_ERRNO ? "errno" : "signal";

		fprintf(f, "{\"line\":%d,\"command\":", c->line);
		json_string(f, c->src, strlen(c->src));
		fprintf(f, ",\"status\":\"%s\"", status);
		if (r->res.kind == SCN_RES_ERRNO)
			fprintf(f, ",\"errno\":\"%s\"", scn_errno_name(r->res.err));
		if (r->res.kind == SCN_RES_SIGNAL)
			fprintf(f, ",\"signal\":\"%s\"", scn_signal_name(r->res.sig));
		if (r->res.kind == SCN_RES_OK && r->res.has_value)
			fprintf(f, ",\"value\":%" PRIu64, r->res.value.num);
		fputs(",\"output\":", f);
		json_string(f, r->out.s ? r->out.s : "", r->out.len);
		fputs("}\n", f);
	}
	r->out.len = 0;
}

static int run_command(struct scn_run *r, const struct scn_cmd *c)
{
	if ((c->op->flags & SCN_BOOTED) && ensure_booted(r))
		return -1;
	if ((c->op->flags & SCN_CURRENT) && !get_current(r->m))
		return scn_fail(r, 0, "'%s' needs a current process (spawn or switch to one first)",
				c->op->name);
	if (c->op->run(r, c) || r->failed)
		return -1;
	if (r->res.kind == SCN_RES_OK && r->res.has_value)
		print_value(r, c);
	if (c->assign >= 0 && r->res.kind == SCN_RES_OK) {
		if (!r->res.has_value)
			return scn_fail(r, 0, "'%s' returned no value", c->op->name);
		r->vars[c->assign] = r->res.value;
	}
	return 0;
}

static int run_all(struct scn_run *r)
{
	struct mmkit_scenario *sc = r->sc;
	const struct scn_cmd *prev = NULL;

	for (int i = 0; i < sc->nr_cmds; i++) {
		const struct scn_cmd *c = &sc->cmds[i];
		bool next_expects = i + 1 < sc->nr_cmds && sc->cmds[i + 1].op->run == scn_cmd_expect;
		int ret;

		r->cmd = c;
		if (c->op->run == scn_cmd_expect) {
			ret = check_expect(r, c, prev);
			flush_command(r, c);
			if (ret)
				return -1;
			prev = c;
			continue;
		}
		memset(&r->res, 0, sizeof(r->res));
		ret = run_command(r, c);
		if (!ret && r->res.kind != SCN_RES_OK && !next_expects) {
			char got[64];

			describe_result(&r->res, got, sizeof(got));
			ret = scn_fail(r, 0, "'%s' failed with %s (add 'expect %s' on the next "
				       "line if that is intended)", c->op->name, got, got);
		}
		flush_command(r, c);
		if (!ret && r->m && r->opts.step)
			r->opts.step(r->m, i, c->src, r->opts.step_arg);
		if (ret)
			return -1;
		prev = c;
	}
	return 0;
}

int mmkit_scenario_run(struct mmkit_scenario *sc, const struct mmkit_scenario_opts *opts)
{
	struct scn_run *r = calloc(1, sizeof(*r));
	struct scn_cmd top = { .line = 0, .col = 0 };
	int ret;

	if (!r)
		return 1;
	r->sc = sc;
	if (opts)
		r->opts = *opts;
	if (!r->opts.out)
		r->opts.out = stdout;
	if (!r->opts.err)
		r->opts.err = stderr;
	r->cmd = &top;
	mmkit_set_cpu(0);
	ret = r->opts.machine ? load_machine(r, r->opts.machine, 0) : 0;
	if (!ret)
		ret = run_all(r);
	fflush(r->opts.out);
	if (r->m && r->opts.step)
		r->opts.step(r->m, -1, NULL, r->opts.step_arg);
	if (r->m)
		mmkit_machine_destroy(r->m);
	mmkit_set_cpu(0);
	free(r->out.s);
	free(r);
	return ret ? 1 : 0;
}
