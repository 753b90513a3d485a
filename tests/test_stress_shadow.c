/* Random-operation stress with a shadow model (issue 7).
 *
 * Several simulated processes (spawned, forked, cloned with CLONE_VM, exited,
 * killed by SIGSEGV) run random memory syscalls (mmap, munmap, mprotect,
 * mremap, brk, madvise(MADV_DONTNEED), mlock, munlock) and random reads and
 * writes through the MMU (mmkit_read/mmkit_write), while the kernel side
 * allocates and frees random pages, kmalloc objects and vmalloc areas.
 *
 * The shadow model is host-side and knows nothing of mmkit's internals: per
 * address space, a map of page -> {mapped, protection, locked, shared, the
 * expected bytes}, copied on fork (private pages copy-on-write, shared pages
 * shared), shared with CLONE_VM. It predicts every read's bytes, every
 * syscall's return value or errno (Linux's rules, reference/
 * mm-syscall-errors.md: partial mprotect/mlock up to a hole then ENOMEM,
 * MADV_DONTNEED on a locked VMA EINVAL, mremap that cannot grow in place
 * ENOMEM, ...), and every SIGSEGV with its si_code and address. A process
 * with a handler survives its fault; one without is killed and reaped
 * with WTERMSIG == SIGSEGV. Kernel allocations carry a byte pattern that
 * must be intact when they are freed (no user write reaches kernel memory).
 *
 * Every CHECK_EVERY operations mmkit_check() must find nothing; at the end
 * every process exits and the free page count returns to its start.
 *
 * Machines: i386 with HIGHMEM (1 GiB: user pages come from ZONE_HIGHMEM),
 * i386 PAE with RAM above 4 GiB, x86_64.
 *
 * Environment: MMKIT_STRESS_SEED (replay one seed), MMKIT_STRESS_OPS
 * (operations per machine, default 30000), MMKIT_STRESS_SECONDS (run rounds
 * of fresh seeds for that long instead; the check-stress target). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "fault_test.h"
#include "stress_common.h"

#define W_BASE 0x50000000UL	/* the window the syscalls work in */
#define W_PAGES 64
#define H_PAGES 32		/* heap pages above start_brk */
#define NSLOTS (W_PAGES + H_PAGES)
#define MAX_PROCS 6
#define CHECK_EVERY 64

/* ---- the shadow model ---- */

/* The bytes of one page (NULL data: zeros), shared by copy-on-write. */
struct sobj {
	int refs;
	u8 *data;
};

struct slot {
	bool mapped, locked, shared;
	int prot;
	struct sobj *obj;
};

struct smm {
	int refs;			/* processes using it (CLONE_VM) */
	unsigned long start_brk, brk;	/* as the kernel started them */
	struct slot s[NSLOTS];
};

struct sproc {
	struct task_struct *tsk;
	pid_t pid;
	int parent;			/* index, -1: init's child */
	bool alive, handler;
	struct smm *sm;
	struct ft_caught caught;
};

struct stress {
	struct machine *m;
	struct rng r;
	const char *mname;
	u64 seed;
	unsigned long op;
	char last[16][128];		/* the last operations, for a failure report */
	struct sproc p[MAX_PROCS];
	struct kpool kp;		/* the kernel side's allocations */
	unsigned long stats[16];
};

enum { ST_READ, ST_WRITE, ST_SEGV, ST_KILL, ST_MMAP, ST_MUNMAP, ST_MPROTECT, ST_MREMAP,
       ST_BRK, ST_MADV, ST_MLOCK, ST_FORK, ST_CLONE, ST_EXIT, ST_KERNEL, ST_ERRNO };

static void note(struct stress *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct stress *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->last[st->op % 16], sizeof(st->last[0]), fmt, ap);
	va_end(ap);
}

static void fail_report(struct stress *st, const char *what)
{
	fprintf(stderr, "stress FAILED on %s seed %#llx at op %lu: %s\n", st->mname,
		(unsigned long long)st->seed, st->op, what);
	for (unsigned long i = st->op > 15 ? st->op - 15 : 0; i <= st->op; i++)
		fprintf(stderr, "  op %lu: %s\n", i, st->last[i % 16]);
	fprintf(stderr, "replay: MMKIT_STRESS_SEED=%#llx\n", (unsigned long long)st->seed);
	fail();
}

#define SCHECK(st, cond, ...)                                                      \
	do {                                                                       \
		if (!(cond)) {                                                     \
			char __b[256];                                             \
			snprintf(__b, sizeof(__b), __VA_ARGS__);                   \
			fail_report(st, __b);                                      \
		}                                                                  \
	} while (0)

static void sobj_put(struct sobj *o)
{
	if (o && --o->refs == 0) {
		free(o->data);
		free(o);
	}
}

static struct sobj *sobj_new(void)
{
	struct sobj *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	o->refs = 1;
	return o;
}

static void slot_clear(struct slot *sl)
{
	sobj_put(sl->obj);
	memset(sl, 0, sizeof(*sl));
}

static void slot_map(struct slot *sl, int prot, bool shared)
{
	slot_clear(sl);
	sl->mapped = true;
	sl->prot = prot;
	sl->shared = shared;
	sl->obj = sobj_new();
}

/* The page's bytes for writing: a private page shared by fork is copied. */
static u8 *slot_data_w(struct slot *sl)
{
	struct sobj *o = sl->obj;

	if (!sl->shared && o->refs > 1) {
		struct sobj *n = sobj_new();

		if (o->data) {
			n->data = malloc(PAGE_SIZE);
			assert_non_null(n->data);
			memcpy(n->data, o->data, PAGE_SIZE);
		}
		o->refs--;
		sl->obj = o = n;
	}
	if (!o->data) {
		o->data = calloc(1, PAGE_SIZE);
		assert_non_null(o->data);
	}
	return o->data;
}

static struct smm *smm_new(struct task_struct *tsk)
{
	struct smm *sm = calloc(1, sizeof(*sm));

	assert_non_null(sm);
	sm->refs = 1;
	sm->start_brk = tsk->mm->start_brk;
	sm->brk = tsk->mm->brk;
	return sm;
}

static struct smm *smm_fork(const struct smm *old)
{
	struct smm *sm = malloc(sizeof(*sm));

	assert_non_null(sm);
	*sm = *old;
	sm->refs = 1;
	for (int i = 0; i < NSLOTS; i++) {
		if (sm->s[i].obj)
			sm->s[i].obj->refs++;
		sm->s[i].locked = false;	/* fork does not inherit VM_LOCKED */
	}
	return sm;
}

static void smm_put(struct smm *sm)
{
	if (--sm->refs)
		return;
	for (int i = 0; i < NSLOTS; i++)
		slot_clear(&sm->s[i]);
	free(sm);
}

static unsigned long heap_base(const struct smm *sm)
{
	return PAGE_ALIGN(sm->start_brk);
}

/* The slot of user address a (NULL outside the window and the heap area). */
static struct slot *slot_of(struct smm *sm, unsigned long a)
{
	if (a >= W_BASE && a < W_BASE + PG(W_PAGES))
		return &sm->s[(a - W_BASE) >> PAGE_SHIFT];
	if (a >= heap_base(sm) && a < heap_base(sm) + PG(H_PAGES))
		return &sm->s[W_PAGES + ((a - heap_base(sm)) >> PAGE_SHIFT)];
	return NULL;
}

static struct slot *wslot(struct sproc *p, unsigned long i)
{
	return &p->sm->s[i];
}

/* ---- processes ---- */

static void handler(struct machine *m, struct task_struct *tsk, const struct mmkit_siginfo *info,
		    void *arg)
{
	ft_handler(m, tsk, info, arg);
}

static void proc_setup(struct stress *st, int i, struct task_struct *tsk, int parent,
		       struct smm *sm)
{
	struct sproc *p = &st->p[i];

	memset(p, 0, sizeof(*p));
	p->tsk = tsk;
	p->pid = tsk->pid;
	p->parent = parent;
	p->alive = true;
	p->sm = sm;
	/* most processes catch SIGSEGV; some die of it */
	p->handler = rn(&st->r, 4) != 0;
	assert_int_equal(mmkit_sigaction(st->m, tsk, SIGSEGV, p->handler ? handler : NULL,
					 p->handler ? &p->caught : NULL), 0);
}

static int free_proc(struct stress *st)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (!st->p[i].alive)
			return i;
	return -1;
}

static int nr_alive(struct stress *st)
{
	int n = 0;

	for (int i = 0; i < MAX_PROCS; i++)
		n += st->p[i].alive;
	return n;
}

static void spawn(struct stress *st)
{
	int i = free_proc(st);
	struct task_struct *tsk;

	if (i < 0)
		return;
	tsk = mmkit_spawn(st->m, "stress", NULL);
	SCHECK(st, tsk != NULL, "spawn failed");
	proc_setup(st, i, tsk, -1, smm_new(tsk));
}

/* p has ended with wait status code (the task may be gone): reap it from
 * its parent when it has one, and drop its shadow. */
static void proc_ended(struct stress *st, int i, int code)
{
	struct sproc *p = &st->p[i];
	int status = -1;

	p->alive = false;
	for (int j = 0; j < MAX_PROCS; j++)
		if (st->p[j].alive && st->p[j].parent == i)
			st->p[j].parent = -1;	/* orphans go to init */
	if (p->parent >= 0) {
		mmkit_set_current(st->m, st->p[p->parent].tsk);
		SCHECK(st, mmkit_wait(st->m, p->pid, &status) == p->pid, "wait for %d", p->pid);
		SCHECK(st, status == code, "pid %d wait status %#x, expected %#x", p->pid, status,
		       code);
	}
	SCHECK(st, find_task_by_pid(st->m, p->pid) == NULL, "pid %d still there", p->pid);
	smm_put(p->sm);
	p->sm = NULL;
	p->tsk = NULL;
}

static void do_fork(struct stress *st, int pi, bool vm)
{
	int i = free_proc(st);
	struct task_struct *tsk;

	if (i < 0)
		return;
	note(st, "%s of pid %d", vm ? "clone(CLONE_VM)" : "fork", st->p[pi].pid);
	tsk = vm ? mmkit_clone(st->m, st->p[pi].tsk, CLONE_VM | SIGCHLD)
		 : mmkit_fork(st->m, st->p[pi].tsk);
	SCHECK(st, tsk != NULL, "fork/clone failed");
	if (vm)
		st->p[pi].sm->refs++;
	proc_setup(st, i, tsk, pi, vm ? st->p[pi].sm : smm_fork(st->p[pi].sm));
	st->stats[vm ? ST_CLONE : ST_FORK]++;
}

static void do_exit_proc(struct stress *st, int pi)
{
	int code = (int)rn(&st->r, 256);

	note(st, "exit pid %d code %d", st->p[pi].pid, code);
	mmkit_exit(st->m, st->p[pi].tsk, code);
	proc_ended(st, pi, code << 8);
	st->stats[ST_EXIT]++;
}

/* ---- user accesses ---- */

/* A fault is expected at fa with si_code code: check how the process got
 * it. Returns false when the process died. */
static bool expect_segv(struct stress *st, int pi, int ret, unsigned long fa, int code,
			int calls_before)
{
	struct sproc *p = &st->p[pi];

	SCHECK(st, ret == -EFAULT, "access returned %d, expected -EFAULT (fault at %#lx)", ret, fa);
	st->stats[ST_SEGV]++;
	if (p->handler) {
		SCHECK(st, p->caught.calls == calls_before + 1, "handler calls %d", p->caught.calls);
		SCHECK(st, p->caught.info.signo == SIGSEGV && p->caught.info.code == code &&
				   p->caught.info.addr == fa,
		       "siginfo %d/%d/%#lx, expected SIGSEGV/%d/%#lx", p->caught.info.signo,
		       p->caught.info.code, p->caught.info.addr, code, fa);
		return true;
	}
	SCHECK(st, mmkit_last_fatal_signal(st->m)->pid == p->pid &&
			   mmkit_last_fatal_signal(st->m)->info.addr == fa,
	       "no fatal SIGSEGV recorded for pid %d at %#lx", p->pid, fa);
	st->stats[ST_KILL]++;
	proc_ended(st, pi, SIGSEGV);
	return false;
}

/* A random address for an access: the window or the heap area. */
static unsigned long rand_uaddr1(struct stress *st, struct smm *sm, size_t len)
{
	unsigned long base = rn(&st->r, 3) ? W_BASE : heap_base(sm);
	unsigned long span = PG(rn(&st->r, 3) ? W_PAGES : H_PAGES);

	if (base == heap_base(sm))
		span = PG(H_PAGES);
	return base + rn(&st->r, span - len + 1);
}

/* Mostly an address whose first page is mapped: faults stay the minority. */
static unsigned long rand_uaddr(struct stress *st, struct smm *sm, size_t len)
{
	unsigned long a = rand_uaddr1(st, sm, len);

	for (int tries = 0; tries < 4 && !slot_of(sm, a)->mapped; tries++)
		a = rand_uaddr1(st, sm, len);
	return a;
}

static void do_access(struct stress *st, int pi, bool write)
{
	struct sproc *p = &st->p[pi];
	size_t len = 1 + rn(&st->r, rn(&st->r, 4) ? 64 : 2 * PAGE_SIZE);
	unsigned long addr = rand_uaddr(st, p->sm, len), a = addr, fa = 0;
	u8 *buf = malloc(len), *exp = malloc(len);
	int code = 0, calls = p->caught.calls, ret;
	size_t done = 0;

	assert_non_null(buf);
	assert_non_null(exp);
	/* the prediction: byte by byte until the first page that refuses */
	while (done < len) {
		struct slot *sl = slot_of(p->sm, a);
		size_t chunk = min(len - done, PAGE_SIZE - (a & ~PAGE_MASK));

		if (!sl->mapped || sl->prot == PROT_NONE || (write && !(sl->prot & PROT_WRITE))) {
			fa = a;
			code = sl->mapped ? SEGV_ACCERR : SEGV_MAPERR;
			break;
		}
		if (write) {
			for (size_t i = 0; i < chunk; i++)
				exp[done + i] = (u8)rnd(&st->r);
		} else if (sl->obj->data) {
			memcpy(exp + done, sl->obj->data + (a & ~PAGE_MASK), chunk);
		} else {
			memset(exp + done, 0, chunk);
		}
		done += chunk;
		a += chunk;
	}
	note(st, "pid %d %s %#lx+%zu (expect %s)", p->pid, write ? "write" : "read", addr, len,
	     code ? "SIGSEGV" : "ok");
	if (write) {
		memcpy(buf, exp, done);
		memset(buf + done, 0xee, len - done);
		ret = mmkit_write(st->m, addr, buf, len);
	} else {
		ret = mmkit_read(st->m, addr, buf, len);
	}
	/* the bytes that went through, whatever happened after them */
	if (write) {
		for (size_t off = 0; off < done;) {
			struct slot *sl = slot_of(p->sm, addr + off);
			size_t chunk = min(done - off, PAGE_SIZE - ((addr + off) & ~PAGE_MASK));

			memcpy(slot_data_w(sl) + ((addr + off) & ~PAGE_MASK), exp + off, chunk);
			off += chunk;
		}
	} else if (!code || p->handler) {
		for (size_t i = 0; i < done; i++)
			SCHECK(st, buf[i] == exp[i], "read %#lx: byte %#x, expected %#x",
			       addr + i, buf[i], exp[i]);
	}
	st->stats[write ? ST_WRITE : ST_READ]++;
	if (code)
		expect_segv(st, pi, ret, fa, code, calls);
	else
		SCHECK(st, ret == 0, "access returned %d", ret);
	free(buf);
	free(exp);
}

/* ---- syscalls ---- */

static void expect_ret(struct stress *st, long ret, long want, const char *call)
{
	SCHECK(st, ret == want, "%s returned %ld, expected %ld", call, ret, want);
	if (want < 0)
		st->stats[ST_ERRNO]++;
}

/* A random page range [*first, *first + *n) of the window. */
static void rand_range(struct stress *st, unsigned long *first, unsigned long *n)
{
	*first = rn(&st->r, W_PAGES);
	*n = 1 + rn(&st->r, min(12UL, W_PAGES - *first));
}

static void st_mmap(struct stress *st, int pi)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_WRITE };
	struct sproc *p = &st->p[pi];
	unsigned long f, n, flags;
	int prot = prots[rn(&st->r, 5)];
	bool shared = rn(&st->r, 6) == 0;
	long ret;

	rand_range(st, &f, &n);
	flags = (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED | MAP_ANONYMOUS;
	if (rn(&st->r, 8) == 0)
		flags |= MAP_POPULATE;
	switch (rn(&st->r, 12)) {
	case 0:	/* length 0 */
		note(st, "pid %d mmap len 0", p->pid);
		expect_ret(st, sys_mmap(st->m, W_BASE, 0, PROT_READ, flags, -1UL, 0), -EINVAL, "mmap");
		return;
	case 1:	/* MAP_FIXED unaligned */
		note(st, "pid %d mmap unaligned", p->pid);
		expect_ret(st, sys_mmap(st->m, W_BASE + 1, PAGE_SIZE, PROT_READ, flags, -1UL, 0),
			   -EINVAL, "mmap");
		return;
	case 2:	/* neither shared nor private */
		note(st, "pid %d mmap no type", p->pid);
		expect_ret(st, sys_mmap(st->m, W_BASE, PAGE_SIZE, PROT_READ,
					MAP_FIXED | MAP_ANONYMOUS, -1UL, 0), -EINVAL, "mmap");
		return;
	case 3:	/* a length that rounds up to 0 */
		note(st, "pid %d mmap len ~0", p->pid);
		expect_ret(st, sys_mmap(st->m, 0, -1UL, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1UL, 0),
			   -ENOMEM, "mmap");
		return;
	case 4:	/* MAP_FIXED_NOREPLACE over the window */
		if (!slot_of(p->sm, W_BASE + PG(f))->mapped)
			break;
		note(st, "pid %d mmap noreplace over %#lx", p->pid, W_BASE + PG(f));
		expect_ret(st, sys_mmap(st->m, W_BASE + PG(f), PG(n), PROT_READ,
					MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1UL, 0),
			   -EEXIST, "mmap");
		return;
	}
	note(st, "pid %d mmap %#lx+%lu pages prot %d %s", p->pid, W_BASE + PG(f), n, prot,
	     shared ? "shared" : "private");
	ret = sys_mmap(st->m, W_BASE + PG(f), PG(n), (unsigned long)prot, flags, -1UL, 0);
	expect_ret(st, ret, (long)(W_BASE + PG(f)), "mmap");
	for (unsigned long i = f; i < f + n; i++)
		slot_map(wslot(p, i), prot, shared);
	st->stats[ST_MMAP]++;
}

static void st_munmap(struct stress *st, int pi)
{
	struct sproc *p = &st->p[pi];
	unsigned long f, n;

	rand_range(st, &f, &n);
	if (rn(&st->r, 10) == 0) {
		note(st, "pid %d munmap bad", p->pid);
		expect_ret(st, sys_munmap(st->m, W_BASE + PG(f) + 8, PG(n)), -EINVAL, "munmap");
		expect_ret(st, sys_munmap(st->m, W_BASE + PG(f), 0), -EINVAL, "munmap");
		return;
	}
	note(st, "pid %d munmap %#lx+%lu pages", p->pid, W_BASE + PG(f), n);
	expect_ret(st, sys_munmap(st->m, W_BASE + PG(f), PG(n)), 0, "munmap");
	for (unsigned long i = f; i < f + n; i++)
		slot_clear(wslot(p, i));
	st->stats[ST_MUNMAP]++;
}

static void do_mprotect(struct stress *st, int pi)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE };
	struct sproc *p = &st->p[pi];
	int prot = prots[rn(&st->r, 4)];
	unsigned long f, n, i;
	long want = 0;

	rand_range(st, &f, &n);
	if (rn(&st->r, 12) == 0) {
		note(st, "pid %d mprotect bad", p->pid);
		expect_ret(st, sys_mprotect(st->m, W_BASE + PG(f) + 1, PG(n), PROT_READ), -EINVAL,
			   "mprotect");
		expect_ret(st, sys_mprotect(st->m, W_BASE + PG(f), PG(n), 0x80), -EINVAL, "mprotect");
		expect_ret(st, sys_mprotect(st->m, W_BASE + PG(f), PG(n),
					    PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), -EINVAL,
			   "mprotect");
		return;
	}
	note(st, "pid %d mprotect %#lx+%lu pages %d", p->pid, W_BASE + PG(f), n, prot);
	/* Linux: applied VMA by VMA up to the first hole, which gives ENOMEM */
	for (i = f; i < f + n; i++) {
		if (!wslot(p, i)->mapped) {
			want = -ENOMEM;
			break;
		}
		wslot(p, i)->prot = prot;
	}
	expect_ret(st, sys_mprotect(st->m, W_BASE + PG(f), PG(n), (unsigned long)prot), want,
		   "mprotect");
	st->stats[ST_MPROTECT]++;
}

/* The kernel's VMA around window page i, clipped to the window (operands
 * for mremap are picked from real VMAs; the outcome is predicted). */
static bool st_vma_pages(struct stress *st, unsigned long i, unsigned long *vf, unsigned long *vn)
{
	struct vm_area_struct *vma = vma_lookup(st->m, get_current(st->m)->mm, W_BASE + PG(i));

	if (!vma || vma->vm_start < W_BASE || vma->vm_end > W_BASE + PG(W_PAGES))
		return false;
	*vf = (vma->vm_start - W_BASE) >> PAGE_SHIFT;
	*vn = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	return true;
}

static void do_mremap(struct stress *st, int pi)
{
	struct sproc *p = &st->p[pi];
	unsigned long i = rn(&st->r, W_PAGES), vf, vn, of, on, nn, nf;
	struct slot moved[W_PAGES];
	bool locked;
	long ret;

	if (rn(&st->r, 10) == 0) {
		note(st, "pid %d mremap bad", p->pid);
		expect_ret(st, sys_mremap(st->m, W_BASE + 1, PAGE_SIZE, PAGE_SIZE, 0, 0), -EINVAL,
			   "mremap");
		expect_ret(st, sys_mremap(st->m, W_BASE, PAGE_SIZE, 0, 0, 0), -EINVAL, "mremap");
		expect_ret(st, sys_mremap(st->m, W_BASE, PAGE_SIZE, PAGE_SIZE, MREMAP_FIXED,
					  W_BASE + PG(8)), -EINVAL, "mremap");
		expect_ret(st, sys_mremap(st->m, W_BASE, PAGE_SIZE, PAGE_SIZE, 0x80, 0), -EINVAL,
			   "mremap");
		if (!wslot(p, i)->mapped)
			expect_ret(st, sys_mremap(st->m, W_BASE + PG(i), PAGE_SIZE, PG(2), 0, 0),
				   -EFAULT, "mremap");
		return;
	}
	if (!wslot(p, i)->mapped || !st_vma_pages(st, i, &vf, &vn))
		return;
	for (unsigned long j = vf; j < vf + vn; j++)
		if (wslot(p, j)->shared)
			return;	/* growing shared anonymous memory is SIGBUS land */
	of = vf + rn(&st->r, vn);
	on = 1 + rn(&st->r, vf + vn - of);
	nn = 1 + rn(&st->r, 8);
	locked = wslot(p, of)->locked;
	if (rn(&st->r, 2)) {
		/* in place: shrink, or grow when the range ends the VMA and the
		 * pages after it are free */
		long want = (long)(W_BASE + PG(of));

		if (nn > on) {
			if (of + on != vf + vn || of + nn > W_PAGES)
				return;
			for (unsigned long j = of + on; j < of + nn; j++)
				if (wslot(p, j)->mapped)
					want = -ENOMEM;
		}
		note(st, "pid %d mremap %#lx %lu -> %lu pages in place", p->pid, W_BASE + PG(of), on,
		     nn);
		ret = sys_mremap(st->m, W_BASE + PG(of), PG(on), PG(nn), 0, 0);
		expect_ret(st, ret, want, "mremap");
		if (want < 0)
			return;
		for (unsigned long j = of + nn; j < of + on; j++)
			slot_clear(wslot(p, j));
		for (unsigned long j = of + on; j < of + nn; j++) {
			slot_map(wslot(p, j), wslot(p, of)->prot, false);
			wslot(p, j)->locked = locked;
		}
		st->stats[ST_MREMAP]++;
		return;
	}
	nf = rn(&st->r, W_PAGES - nn + 1);
	note(st, "pid %d mremap %#lx %lu -> %#lx %lu pages", p->pid, W_BASE + PG(of), on,
	     W_BASE + PG(nf), nn);
	ret = sys_mremap(st->m, W_BASE + PG(of), PG(on), PG(nn), MREMAP_MAYMOVE | MREMAP_FIXED,
			 W_BASE + PG(nf));
	if (nf < of + on && of < nf + nn) {
		expect_ret(st, ret, -EINVAL, "mremap (overlap)");
		return;
	}
	expect_ret(st, ret, (long)(W_BASE + PG(nf)), "mremap");
	memset(moved, 0, sizeof(moved));
	for (unsigned long j = 0; j < nn; j++) {
		if (j < on) {
			moved[j] = *wslot(p, of + j);
			memset(wslot(p, of + j), 0, sizeof(struct slot));
		} else {
			moved[j].mapped = true;
			moved[j].prot = moved[0].prot;
			moved[j].obj = sobj_new();
		}
		moved[j].locked = locked;
	}
	for (unsigned long j = of + nn; j < of + on; j++)
		slot_clear(wslot(p, j));
	for (unsigned long j = 0; j < nn; j++) {
		slot_clear(wslot(p, nf + j));
		*wslot(p, nf + j) = moved[j];
	}
	st->stats[ST_MREMAP]++;
}

static void do_brk(struct stress *st, int pi)
{
	struct sproc *p = &st->p[pi];
	struct smm *sm = p->sm;
	unsigned long nb = sm->start_brk + rn(&st->r, PG(H_PAGES - 1));
	unsigned long ob = sm->brk;
	long want;

	if (rn(&st->r, 3))
		nb &= PAGE_MASK;
	if (nb < sm->start_brk)
		nb = sm->start_brk;
	if (rn(&st->r, 16) == 0)
		nb = sm->start_brk - PAGE_SIZE;	/* below the start: refused */
	want = nb < sm->start_brk ? (long)ob : (long)nb;
	note(st, "pid %d brk %#lx -> %#lx", p->pid, ob, nb);
	expect_ret(st, sys_brk(st->m, nb), want, "brk");
	if (nb < sm->start_brk)
		return;
	for (unsigned long a = PAGE_ALIGN(nb); a < PAGE_ALIGN(ob); a += PAGE_SIZE)
		slot_clear(slot_of(sm, a));
	for (unsigned long a = PAGE_ALIGN(ob); a < PAGE_ALIGN(nb); a += PAGE_SIZE)
		slot_map(slot_of(sm, a), PROT_READ | PROT_WRITE, false);
	sm->brk = nb;
	st->stats[ST_BRK]++;
}

static void do_madvise(struct stress *st, int pi)
{
	struct sproc *p = &st->p[pi];
	unsigned long f, n, i;
	long want = 0;

	rand_range(st, &f, &n);
	if (rn(&st->r, 12) == 0) {
		note(st, "pid %d madvise bad", p->pid);
		expect_ret(st, sys_madvise(st->m, W_BASE + 3, PAGE_SIZE, MADV_DONTNEED), -EINVAL,
			   "madvise");
		expect_ret(st, sys_madvise(st->m, W_BASE, PAGE_SIZE, 999), -EINVAL, "madvise");
		expect_ret(st, sys_madvise(st->m, W_BASE, 0, MADV_DONTNEED), 0, "madvise");
		return;
	}
	note(st, "pid %d madvise DONTNEED %#lx+%lu pages", p->pid, W_BASE + PG(f), n);
	/* holes: ENOMEM at the end; a locked VMA: EINVAL at once */
	for (i = f; i < f + n; i++) {
		struct slot *sl = wslot(p, i);

		if (!sl->mapped) {
			want = -ENOMEM;
			continue;
		}
		if (sl->locked) {
			want = -EINVAL;
			break;
		}
		if (!sl->shared) {	/* private: zero-fill on the next touch */
			sobj_put(sl->obj);
			sl->obj = sobj_new();
		}
	}
	expect_ret(st, sys_madvise(st->m, W_BASE + PG(f), PG(n), MADV_DONTNEED), want, "madvise");
	st->stats[ST_MADV]++;
}

static void do_mlock(struct stress *st, int pi)
{
	struct sproc *p = &st->p[pi];
	bool lock = rn(&st->r, 3) != 0;
	unsigned long f, n, i, off = rn(&st->r, 2) ? rn(&st->r, PAGE_SIZE) : 0;
	long want = 0;

	rand_range(st, &f, &n);
	note(st, "pid %d %s %#lx+%lu pages", p->pid, lock ? "mlock" : "munlock",
	     W_BASE + PG(f) + off, n);
	/* the start is rounded down; flags change up to a hole (ENOMEM) */
	for (i = f; i < f + n; i++) {
		if (!wslot(p, i)->mapped) {
			want = -ENOMEM;
			break;
		}
		wslot(p, i)->locked = lock;
	}
	/* populating PROT_NONE memory fails: mlock reports ENOMEM */
	if (lock && !want)
		for (i = f; i < f + n; i++)
			if (wslot(p, i)->prot == PROT_NONE)
				want = -ENOMEM;
	expect_ret(st, lock ? sys_mlock(st->m, W_BASE + PG(f) + off, PG(n) - off)
			    : sys_munlock(st->m, W_BASE + PG(f) + off, PG(n) - off),
		   want, lock ? "mlock" : "munlock");
	st->stats[ST_MLOCK]++;
}

/* ---- the kernel side ---- */

static void kobj_free(struct stress *st, int idx)
{
	int type = st->kp.k[idx].type;
	long bad = kpool_free(st->m, &st->kp, idx);

	SCHECK(st, bad < 0, "kernel object %d type %d: byte %ld changed", idx, type, bad);
}

static void do_kernel(struct stress *st)
{
	struct kobj draw = kpool_draw(&st->r), *k;

	st->stats[ST_KERNEL]++;
	if (kpool_pick_free(&st->kp, &st->r)) {
		note(st, "kernel free %d", st->kp.n);
		kobj_free(st, (int)rn(&st->r, (unsigned long)st->kp.n));
		return;
	}
	k = kpool_alloc(st->m, &st->kp, &st->r, draw);
	if (k)
		note(st, "kernel alloc type %d, %lu bytes", k->type, k->size);
	else
		note(st, "kernel alloc failed");
}

/* ---- the run ---- */

static int rand_proc(struct stress *st)
{
	int i;

	do
		i = (int)rn(&st->r, MAX_PROCS);
	while (!st->p[i].alive);
	return i;
}

static void one_op(struct stress *st)
{
	unsigned long dice = rn(&st->r, 100);
	int pi;

	if (!nr_alive(st))
		spawn(st);
	if (dice < 8) {
		do_kernel(st);
		return;
	}
	pi = rand_proc(st);
	mmkit_set_current(st->m, st->p[pi].tsk);
	if (dice < 38)
		do_access(st, pi, false);
	else if (dice < 60)
		do_access(st, pi, true);
	else if (dice < 70)
		st_mmap(st, pi);
	else if (dice < 74)
		st_munmap(st, pi);
	else if (dice < 79)
		do_mprotect(st, pi);
	else if (dice < 84)
		do_mremap(st, pi);
	else if (dice < 88)
		do_brk(st, pi);
	else if (dice < 92)
		do_madvise(st, pi);
	else if (dice < 95)
		do_mlock(st, pi);
	else if (dice < 97)
		do_fork(st, pi, rn(&st->r, 3) == 0);
	else if (dice < 98 && nr_alive(st) > 1)
		do_exit_proc(st, pi);
	else if (dice < 99)
		spawn(st);
	else
		note(st, "nothing");
}

static unsigned long free_pages_settled(struct machine *m)
{
	shrink_slab_caches(m);
	drain_all_pages(m);
	return nr_free_pages(m);
}

static const char *const machines[][2] = {
	{ "i386-highmem-1g",
	  "name stress-i386\narch i386\nhighmem yes\n"
	  "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	  "BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable\n" },
	{ "i386-pae",
	  "name stress-pae\narch i386-pae\n"
	  "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	  "BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable\n"
	  "BIOS-e820: [mem 0x0000000100000000-0x000000010fffffff] usable\n" },
	{ "x86_64",
	  "name stress-x86_64\narch x86_64\n"
	  "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	  "BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable\n" },
};

/* One run of nops operations on machine mi from seed; returns the ops done. */
static unsigned long stress_run(int mi, u64 seed, unsigned long nops)
{
	struct stress *st = calloc(1, sizeof(*st));
	unsigned long free0, kt0, ops;

	assert_non_null(st);
	st->mname = machines[mi][0];
	st->seed = seed;
	st->r.s = seed ? seed : 1;
	printf("stress: %s seed %#llx ops %lu\n", st->mname, (unsigned long long)seed, nops);
	fflush(stdout);
	st->m = test_boot_text(machines[mi][1]);
	st->kp = (struct kpool){ .max = KPOOL_MAX, .orders = 4, .vmalloc_max = 65536,
				 .page_gfp = { GFP_HIGHUSER, GFP_KERNEL },
				 .kmalloc_gfp = GFP_KERNEL };
	st->m->debug_vm = 1;	/* cheap checks always; the full checker every CHECK_EVERY */
	free0 = free_pages_settled(st->m);
	kt0 = st->m->pgtables.nr_kernel_tables;
	for (st->op = 0; st->op < nops; st->op++) {
		one_op(st);
		if (st->op % CHECK_EVERY == CHECK_EVERY - 1) {
			int bad = mmkit_check(st->m);

			if (bad)
				fail_report(st, "mmkit_check() found violations (see the kernel log)");
		}
	}
	/* everyone exits (children reaped by their parents), the kernel frees all */
	for (int i = MAX_PROCS - 1; i >= 0; i--)
		if (st->p[i].alive)
			do_exit_proc(st, i);
	while (st->kp.n)
		kobj_free(st, st->kp.n - 1);
	SCHECK(st, st->m->sched.nr_tasks == 0, "%d tasks left", st->m->sched.nr_tasks);
	SCHECK(st, mmkit_check(st->m) == 0, "checker after the run");
	/* kernel page tables (vmalloc's) stay, as Linux keeps them */
	kt0 = st->m->pgtables.nr_kernel_tables - kt0;
	SCHECK(st, free_pages_settled(st->m) + kt0 == free0,
	       "free pages %lu + %lu new kernel page tables, at the start %lu",
	       nr_free_pages(st->m), kt0, free0);
	printf("stress: %s ok: %lu reads %lu writes %lu SIGSEGV (%lu fatal) %lu mmap %lu munmap "
	       "%lu mprotect %lu mremap %lu brk %lu madvise %lu mlock %lu fork %lu clone %lu exit "
	       "%lu kernel %lu errno\n",
	       st->mname, st->stats[ST_READ], st->stats[ST_WRITE], st->stats[ST_SEGV],
	       st->stats[ST_KILL], st->stats[ST_MMAP], st->stats[ST_MUNMAP],
	       st->stats[ST_MPROTECT], st->stats[ST_MREMAP], st->stats[ST_BRK], st->stats[ST_MADV],
	       st->stats[ST_MLOCK], st->stats[ST_FORK], st->stats[ST_CLONE], st->stats[ST_EXIT],
	       st->stats[ST_KERNEL], st->stats[ST_ERRNO]);
	mmkit_machine_destroy(st->m);
	ops = st->op;
	free(st);
	return ops;
}

static u64 env_u64(const char *name, u64 dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

static void stress_machine(int mi)
{
	u64 seed = env_u64("MMKIT_STRESS_SEED", 0);
	unsigned long nops = (unsigned long)env_u64("MMKIT_STRESS_OPS", 30000);
	u64 secs = env_u64("MMKIT_STRESS_SECONDS", 0);
	unsigned long total = 0, runs = 0;
	time_t end;

	if (!seed)
		seed = ((u64)time(NULL) << 16) ^ (u64)(mi + 1) * 0x9e3779b97f4a7c15ULL;
	if (!secs || getenv("MMKIT_STRESS_SEED")) {
		total = stress_run(mi, seed, nops);
		printf("stress: %s %lu operations\n", machines[mi][0], total);
		return;
	}
	/* a third of the time for each machine, fresh seeds run after run */
	end = time(NULL) + (time_t)(secs / 3 ? secs / 3 : 1);
	while (time(NULL) < end) {
		total += stress_run(mi, seed, nops);
		runs++;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	printf("stress: %s %lu operations in %lu runs\n", machines[mi][0], total, runs);
}

static void test_stress_i386_highmem(void **state)
{
	(void)state;
	stress_machine(0);
}

static void test_stress_i386_pae(void **state)
{
	(void)state;
	stress_machine(1);
}

static void test_stress_x86_64(void **state)
{
	(void)state;
	stress_machine(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_i386_highmem),
		cmocka_unit_test(test_stress_i386_pae),
		cmocka_unit_test(test_stress_x86_64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
