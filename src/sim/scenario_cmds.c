/* Scenario commands for processes, their memory syscalls and their user
 * memory (cf. kernel/fork.c, mm/mmap.c & co. through <mmkit/sched.h>,
 * <mmkit/mman.h>, <mmkit/mmu.h>, <mmkit/umalloc.h>). Each command runs as
 * the simulated program would: syscalls act on the current task of the
 * scenario's CPU, and memory is read and written through the MMU, so
 * faults, COW, stack growth and signals happen as in Linux.
 *
 * Invariant: a command reports its outcome in r->res and prints only
 * simulated values (user addresses, pids, counts). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mman.h>
#include <mmkit/mmu.h>
#include <mmkit/umalloc.h>

#include "machine/machine.h"
#include "sim/scenario_internal.h"

#define SCN_MAX_IO (64UL << 20)	/* read/write/fill/touch at most 64 MiB at once */

static struct task_struct *need_proc(struct scn_run *r, const struct scn_arg *a)
{
	struct task_struct *t = scn_find_proc(r, a->text);

	if (!t)
		scn_fail(r, a->col, "no process '%s'%s", a->text,
			 r->nr_procs ? " (never spawned, or it has gone)" : " (spawn one first)");
	return t;
}

static void layout_from_args(const struct scn_cmd *c, struct mmkit_exec_layout *l)
{
	memset(l, 0, sizeof(*l));
	for (int i = 1; i < c->nargs; i++) {
		const char *t = c->arg[i].text, *eq = strchr(t, '=');
		uint64_t v = 0;

		if (!strcmp(t, "root")) {
			l->privileged = true;
			continue;
		}
		scn_parse_number(eq + 1, &v);	/* checked at parse time */
		if (!strncmp(t, "text=", 5)) l->text_size = v;
		else if (!strncmp(t, "data=", 5)) l->data_size = v;
		else if (!strncmp(t, "bss=", 4)) l->bss_size = v;
		else if (!strncmp(t, "stack=", 6)) l->rlimit_stack = v;
		else if (!strncmp(t, "args=", 5)) l->arg_size = v;
		else if (!strncmp(t, "text_start=", 11)) l->text_start = v;
		else if (!strncmp(t, "data_start=", 11)) l->data_start = v;
		else if (!strncmp(t, "stack_top=", 10)) l->stack_top = v;
	}
}

int scn_cmd_spawn(struct scn_run *r, const struct scn_cmd *c)
{
	struct mmkit_exec_layout l;
	struct task_struct *t;

	layout_from_args(c, &l);
	t = mmkit_spawn(r->m, c->arg[0].text, &l);
	if (!t)
		return scn_errno_result(r, "spawn", -ENOMEM);
	if (scn_add_proc(r, c->arg[0].text, t->pid, c->arg[0].col))
		return -1;
	mmkit_set_current(r->m, t);
	scn_printf(r, "%s: pid %d, current on CPU %u\n", c->arg[0].text, t->pid, mmkit_current_cpu);
	return 0;
}

int scn_cmd_switch(struct scn_run *r, const struct scn_cmd *c)
{
	struct task_struct *t = need_proc(r, &c->arg[0]);

	if (!t)
		return -1;
	if (t->exit_state)
		return scn_fail(r, c->arg[0].col, "'%s' has exited (a zombie cannot run)",
				c->arg[0].text);
	mmkit_set_current(r->m, t);
	scn_printf(r, "CPU %u: %s (pid %d)\n", mmkit_current_cpu, c->arg[0].text, t->pid);
	return 0;
}

int scn_cmd_fork(struct scn_run *r, const struct scn_cmd *c)
{
	struct task_struct *p = need_proc(r, &c->arg[0]), *t;

	if (!p)
		return -1;
	t = mmkit_fork(r->m, p);
	if (!t)
		return scn_errno_result(r, "fork", -ENOMEM);
	if (scn_add_proc(r, c->arg[1].text, t->pid, c->arg[1].col))
		return -1;
	scn_printf(r, "%s: pid %d, child of %s (pid %d)\n", c->arg[1].text, t->pid,
		   c->arg[0].text, p->pid);
	return 0;
}

int scn_cmd_clone(struct scn_run *r, const struct scn_cmd *c)
{
	struct task_struct *p = need_proc(r, &c->arg[0]);
	long pid;

	if (!p)
		return -1;
	pid = kernel_clone(r->m, p, c->arg[2].flags | ((c->arg[2].flags & CLONE_THREAD) ? 0 : SIGCHLD));
	if (pid < 0)
		return scn_errno_result(r, "clone", pid);
	if (scn_add_proc(r, c->arg[1].text, (pid_t)pid, c->arg[1].col))
		return -1;
	scn_printf(r, "%s: pid %ld, cloned from %s (pid %d)\n", c->arg[1].text, pid,
		   c->arg[0].text, p->pid);
	return 0;
}

int scn_cmd_exec(struct scn_run *r, const struct scn_cmd *c)
{
	struct task_struct *t = need_proc(r, &c->arg[0]);
	struct mmkit_exec_layout l;
	int ret;

	if (!t)
		return -1;
	layout_from_args(c, &l);
	ret = mmkit_exec(r->m, t, NULL, &l);
	if (ret)
		return scn_errno_result(r, "exec", ret);
	scn_printf(r, "%s (pid %d): new address space\n", c->arg[0].text, t->pid);
	return 0;
}

int scn_cmd_exit(struct scn_run *r, const struct scn_cmd *c)
{
	struct task_struct *t = need_proc(r, &c->arg[0]);
	int code = 0;
	pid_t pid;

	if (!t)
		return -1;
	if (c->nargs > 1) {
		code = (int)scn_eval(r, &c->arg[1]);
		if (r->failed)
			return -1;
	}
	if (t->exit_state)
		return scn_fail(r, c->arg[0].col, "'%s' has exited already", c->arg[0].text);
	pid = t->pid;
	mmkit_exit(r->m, t, code);
	scn_printf(r, "%s (pid %d) exited with code %d%s\n", c->arg[0].text, pid, code & 0xff,
		   find_task_by_pid(r->m, pid) ? ": a zombie until its parent waits" : "");
	return 0;
}

int scn_cmd_wait(struct scn_run *r, const struct scn_cmd *c)
{
	pid_t pid = -1;
	int status = 0;
	long ret;

	for (int i = r->nr_procs - 1; i >= 0; i--)
		if (!strcmp(r->procs[i].name, c->arg[0].text)) {
			pid = r->procs[i].pid;
			break;
		}
	if (pid < 0)
		return scn_fail(r, c->arg[0].col, "no process '%s'", c->arg[0].text);
	ret = mmkit_wait(r->m, pid, &status);
	if (ret < 0)
		return scn_errno_result(r, "wait", ret);
	if (ret == 0) {
		scn_printf(r, "%s (pid %d) has not exited\n", c->arg[0].text, pid);
		return 0;
	}
	if ((status & 0x7f) == 0)
		scn_printf(r, "%s (pid %d) reaped: exited with status %d\n", c->arg[0].text, pid,
			   (status >> 8) & 0xff);
	else
		scn_printf(r, "%s (pid %d) reaped: killed by %s\n", c->arg[0].text, pid,
			   scn_signal_name(status & 0x7f));
	return 0;
}

static void scn_on_signal(struct machine *m, struct task_struct *tsk,
			  const struct mmkit_siginfo *info, void *arg)
{
	struct scn_run *r = arg;

	(void)m;
	(void)tsk;
	r->sig_handled++;
	r->last_handled = *info;
}

int scn_cmd_sighandler(struct scn_run *r, const struct scn_cmd *c)
{
	struct task_struct *t = need_proc(r, &c->arg[0]);
	bool on = !strcmp(c->arg[2].text, "on");
	int ret;

	if (!t)
		return -1;
	ret = mmkit_sigaction(r->m, t, (int)c->arg[1].flags, on ? scn_on_signal : NULL, r);
	if (ret)
		return scn_errno_result(r, "sigaction", ret);
	scn_printf(r, "%s (pid %d): %s %s\n", c->arg[0].text, t->pid,
		   scn_signal_name((int)c->arg[1].flags), on ? "handled" : "default action");
	return 0;
}

/* Evaluate arguments [0, n) into v; 0 or -1 after scn_fail. */
static int eval_args(struct scn_run *r, const struct scn_cmd *c, int n, uint64_t *v)
{
	for (int i = 0; i < n; i++) {
		v[i] = i < c->nargs && c->arg[i].kind == SCN_ARG_EXPR ? scn_eval(r, &c->arg[i]) : 0;
		if (r->failed)
			return -1;
	}
	return 0;
}

int scn_cmd_mmap(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[6];

	if (eval_args(r, c, 6, v))
		return -1;
	if (c->nargs < 5)
		v[4] = (uint64_t)-1;	/* fd -1 */
	return scn_errno_result(r, "mmap", sys_mmap(r->m, v[0], v[1], c->arg[2].flags,
						    c->arg[3].flags, v[4], v[5]));
}

int scn_cmd_munmap(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_args(r, c, 2, v))
		return -1;
	return scn_errno_result(r, "munmap", sys_munmap(r->m, v[0], v[1]));
}

int scn_cmd_mprotect(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_args(r, c, 2, v))
		return -1;
	return scn_errno_result(r, "mprotect", sys_mprotect(r->m, v[0], v[1], c->arg[2].flags));
}

int scn_cmd_mremap(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[5];

	if (eval_args(r, c, 5, v))
		return -1;
	return scn_errno_result(r, "mremap", sys_mremap(r->m, v[0], v[1], v[2],
							c->nargs > 3 ? c->arg[3].flags : 0, v[4]));
}

int scn_cmd_brk(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[1];

	if (eval_args(r, c, 1, v))
		return -1;
	return scn_errno_result(r, "brk", sys_brk(r->m, v[0]));
}

int scn_cmd_madvise(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_args(r, c, 2, v))
		return -1;
	return scn_errno_result(r, "madvise", sys_madvise(r->m, v[0], v[1], (int)c->arg[2].flags));
}

int scn_cmd_mlock(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_args(r, c, 2, v))
		return -1;
	if (c->nargs > 2)
		return scn_errno_result(r, "mlock2",
					sys_mlock2(r->m, v[0], v[1], (int)c->arg[2].flags));
	return scn_errno_result(r, "mlock", sys_mlock(r->m, v[0], v[1]));
}

int scn_cmd_munlock(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_args(r, c, 2, v))
		return -1;
	return scn_errno_result(r, "munlock", sys_munlock(r->m, v[0], v[1]));
}

int scn_cmd_mlockall(struct scn_run *r, const struct scn_cmd *c)
{
	return scn_errno_result(r, "mlockall", sys_mlockall(r->m, (int)c->arg[0].flags));
}

int scn_cmd_munlockall(struct scn_run *r, const struct scn_cmd *c)
{
	(void)c;
	return scn_errno_result(r, "munlockall", sys_munlockall(r->m));
}

int scn_cmd_msync(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[2];

	if (eval_args(r, c, 2, v))
		return -1;
	return scn_errno_result(r, "msync", sys_msync(r->m, v[0], v[1], (int)c->arg[2].flags));
}

/* splitmix64: the byte stream of `random SEED` */
static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void random_bytes(uint64_t *state, uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t x = splitmix64(state);

		for (size_t j = 0; j < 8 && i + j < len; j++)
			buf[i + j] = (uint8_t)(x >> (8 * j));
	}
}

/* What one access did: the page faults it took. */
static void print_faults(struct scn_run *r, const char *verb, uint64_t len, uint64_t addr,
			 unsigned long faults_before)
{
	unsigned long n = vm_event(r->m, PGFAULT) - faults_before;

	scn_printf(r, "%s %" PRIu64 " byte%s at 0x%" PRIx64 ": %lu page fault%s\n", verb, len,
		   len == 1 ? "" : "s", addr, n, n == 1 ? "" : "s");
}

enum io_kind { IO_TEXT, IO_PATTERN, IO_RANDOM, IO_FILL };

/* Write len bytes at addr made by kind, in 4 KiB pieces. */
static int do_write(struct scn_run *r, uint64_t addr, uint64_t len, enum io_kind kind,
		    const struct scn_arg *src, uint64_t seed_or_byte)
{
	unsigned long fatal = scn_nr_fatal(r), handled = r->sig_handled;
	unsigned long faults = vm_event(r->m, PGFAULT);
	uint8_t buf[4096];
	uint64_t done = 0, state = seed_or_byte;
	int ret = 0;

	if (len > SCN_MAX_IO)
		return scn_fail(r, 0, "at most %lu bytes at once", SCN_MAX_IO);
	while (done < len && !ret) {
		size_t n = len - done < sizeof(buf) ? (size_t)(len - done) : sizeof(buf);

		if (kind == IO_TEXT) {
			ret = mmkit_write(r->m, addr, src->text, src->len);
			done = len;
			break;
		}
		if (kind == IO_RANDOM)
			random_bytes(&state, buf, n);
		else if (kind == IO_FILL)
			memset(buf, (int)seed_or_byte, n);
		else
			for (size_t i = 0; i < n; i++)
				buf[i] = (uint8_t)src->text[(done + i) % src->len];
		ret = mmkit_write(r->m, addr + done, buf, n);
		done += n;
	}
	if (ret)
		return scn_user_access(r, "write", ret, fatal, handled);
	print_faults(r, "wrote", len, addr, faults);
	return 0;
}

int scn_cmd_write(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t addr = scn_eval(r, &c->arg[0]), len, seed;

	if (r->failed)
		return -1;
	if (c->nargs == 2)
		return do_write(r, addr, c->arg[1].len, IO_TEXT, &c->arg[1], 0);
	if (c->arg[1].kind == SCN_ARG_WORD) {	/* pattern "BYTES" LEN */
		len = scn_eval(r, &c->arg[3]);
		return r->failed ? -1 : do_write(r, addr, len, IO_PATTERN, &c->arg[2], 0);
	}
	len = scn_eval(r, &c->arg[1]);
	seed = scn_eval(r, &c->arg[3]);
	return r->failed ? -1 : do_write(r, addr, len, IO_RANDOM, NULL, seed);
}

int scn_cmd_fill(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t v[3];

	if (eval_args(r, c, 3, v))
		return -1;
	if (v[2] > 0xff)
		return scn_fail(r, c->arg[2].col, "a byte is 0 to 255");
	return do_write(r, v[0], v[1], IO_FILL, NULL, v[2]);
}

/* "text\0" as C would write it, for short reads. */
static void print_escaped(struct scn_run *r, const uint8_t *b, size_t len)
{
	scn_write(r, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (b[i] == '"' || b[i] == '\\')
			scn_printf(r, "\\%c", b[i]);
		else if (b[i] == '\n')
			scn_write(r, "\\n", 2);
		else if (b[i] == 0)
			scn_write(r, "\\0", 2);
		else if (b[i] < 0x20 || b[i] >= 0x7f)
			scn_printf(r, "\\x%02x", b[i]);
		else
			scn_write(r, (const char *)&b[i], 1);
	}
	scn_write(r, "\"\n", 2);
}

/* Compare what was read with the read's `expect` clause. */
static int check_read(struct scn_run *r, const struct scn_cmd *c, const uint8_t *b,
		      uint64_t len, uint64_t addr)
{
	uint64_t state = 0;
	uint8_t want[4096];
	const char *how = c->arg[3].text;

	if (c->arg[3].kind == SCN_ARG_STRING && c->arg[3].len != len)
		return scn_fail(r, c->arg[3].col, "expected %zu bytes, read %" PRIu64,
				c->arg[3].len, len);
	if (c->nargs == 5) {
		state = scn_eval(r, &c->arg[4]);
		if (r->failed)
			return -1;
	}
	for (uint64_t i = 0; i < len; i++) {
		uint8_t w;

		if (c->arg[3].kind == SCN_ARG_STRING) {
			w = (uint8_t)how[i];
		} else if (c->nargs == 5) {
			if (i % sizeof(want) == 0)
				random_bytes(&state, want, sizeof(want));
			w = want[i % sizeof(want)];
		} else {
			w = 0;
		}
		if (b[i] != w)
			return scn_fail(r, c->arg[3].col,
					"read at 0x%" PRIx64 ": byte %" PRIu64 " is 0x%02x, expected 0x%02x",
					addr, i, b[i], w);
	}
	scn_printf(r, "as expected\n");
	return 0;
}

int scn_cmd_read(struct scn_run *r, const struct scn_cmd *c)
{
	unsigned long fatal, handled, faults;
	uint64_t v[2], hash = 0xcbf29ce484222325ULL, zeros = 0;
	uint8_t *b;
	int ret;

	if (eval_args(r, c, 2, v))
		return -1;
	if (v[1] > SCN_MAX_IO)
		return scn_fail(r, c->arg[1].col, "at most %lu bytes at once", SCN_MAX_IO);
	b = malloc(v[1] ? v[1] : 1);
	if (!b)
		return scn_fail(r, 0, "out of host memory");
	fatal = scn_nr_fatal(r);
	handled = r->sig_handled;
	faults = vm_event(r->m, PGFAULT);
	ret = mmkit_read(r->m, v[0], b, v[1]);
	if (ret) {
		free(b);
		return scn_user_access(r, "read", ret, fatal, handled);
	}
	print_faults(r, "read", v[1], v[0], faults);
	if (v[1] <= 64) {
		print_escaped(r, b, v[1]);
	} else {
		for (uint64_t i = 0; i < v[1]; i++) {
			hash = (hash ^ b[i]) * 0x100000001b3ULL;
			zeros += !b[i];
		}
		scn_printf(r, "fnv1a64 0x%016" PRIx64 ", %" PRIu64 " zero bytes\n", hash, zeros);
	}
	ret = c->nargs > 2 ? check_read(r, c, b, v[1], v[0]) : 0;
	free(b);
	return ret;
}

int scn_cmd_touch(struct scn_run *r, const struct scn_cmd *c)
{
	bool write = c->nargs < 3 || !strcmp(c->arg[2].text, "write");
	unsigned long fatal = scn_nr_fatal(r), handled = r->sig_handled;
	unsigned long faults = vm_event(r->m, PGFAULT), pages = 0, n;
	uint64_t v[2], a, end;
	int ret = 0;

	if (eval_args(r, c, 2, v))
		return -1;
	if (v[1] > SCN_MAX_IO * 16)
		return scn_fail(r, c->arg[1].col, "at most %lu bytes at once", SCN_MAX_IO * 16);
	end = v[0] + v[1];
	for (a = v[0]; a < end && !ret; a = (a | 4095) + 1, pages++) {
		uint8_t byte = 0;

		ret = write ? mmkit_write(r->m, a, &byte, 1) : mmkit_read(r->m, a, &byte, 1);
	}
	if (ret)
		return scn_user_access(r, write ? "touch" : "touch", ret, fatal, handled);
	n = vm_event(r->m, PGFAULT) - faults;
	scn_printf(r, "touched %lu page%s (%s): %lu page fault%s\n", pages, pages == 1 ? "" : "s",
		   write ? "write" : "read", n, n == 1 ? "" : "s");
	return 0;
}

int scn_cmd_fetch(struct scn_run *r, const struct scn_cmd *c)
{
	unsigned long fatal = scn_nr_fatal(r), handled = r->sig_handled;
	unsigned long faults = vm_event(r->m, PGFAULT);
	uint64_t v[2];
	uint8_t *b;
	int ret;

	if (eval_args(r, c, 2, v))
		return -1;
	if (v[1] > SCN_MAX_IO)
		return scn_fail(r, c->arg[1].col, "at most %lu bytes at once", SCN_MAX_IO);
	b = malloc(v[1] ? v[1] : 1);
	if (!b)
		return scn_fail(r, 0, "out of host memory");
	ret = mmkit_fetch(r->m, v[0], b, v[1]);
	free(b);
	if (ret)
		return scn_user_access(r, "fetch", ret, fatal, handled);
	print_faults(r, "fetched", v[1], v[0], faults);
	return 0;
}

int scn_cmd_umalloc(struct scn_run *r, const struct scn_cmd *c)
{
	struct umalloc_stats before = { 0 }, after = { 0 };
	unsigned long fatal = scn_nr_fatal(r);
	uint64_t size = scn_eval(r, &c->arg[0]);
	unsigned long addr;

	if (r->failed)
		return -1;
	umalloc_stats(r->m, &before);
	addr = umalloc(r->m, size);
	if (!addr) {
		if (scn_nr_fatal(r) != fatal)
			return scn_user_access(r, "umalloc", -EFAULT, fatal, r->sig_handled);
		return scn_errno_result(r, "umalloc", -ENOMEM);
	}
	umalloc_stats(r->m, &after);
	scn_set_value(r, SCN_VAL_NUM, addr, NULL);
	if (after.mmap_calls != before.mmap_calls)
		snprintf(r->res.note, sizeof(r->res.note), "its own mmap: %lu mmap call%s",
			 after.mmap_calls - before.mmap_calls,
			 after.mmap_calls - before.mmap_calls == 1 ? "" : "s");
	else
		snprintf(r->res.note, sizeof(r->res.note), "from the brk heap: %lu brk call%s",
			 after.brk_calls - before.brk_calls,
			 after.brk_calls - before.brk_calls == 1 ? "" : "s");
	return 0;
}

int scn_cmd_ufree(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t addr = scn_eval(r, &c->arg[0]);

	if (r->failed)
		return -1;
	return scn_errno_result(r, "ufree", ufree(r->m, addr));
}
