/* Replay of a recorded trace (docs/trace-replay.md): a fresh process,
 * the recorded initial mappings and memory syscalls through the sys_* API
 * at their recorded addresses (MAP_FIXED), and every reference through the
 * software MMU: the inline TLB fast path (mmu_translate), the page-fault
 * handler on a miss that faults. No Linux counterpart: the kernel runs the
 * program itself.
 *
 * Invariants: the replaying task is current on this CPU for the whole run;
 * a reference outside every VMA or against its protection is counted and
 * skipped (never raises a signal, so the task survives); the output
 * depends only on the trace and the machine. File mappings are replayed as
 * private anonymous ones. Under the LRU policy (m->reclaim.track_access)
 * every reference is reported to the LRU lists (lru_note_access), TLB hits
 * included, as mmu_copy does for mmkit_read/write. With record_pages the
 * page reference string is kept for the OPT oracle (reclaim_simulate). */
#include <stdlib.h>
#include <string.h>

#include <mmkit/mman.h>
#include <mmkit/mmkit.h>
#include <mmkit/sched.h>

#include "arch/x86/mmu.h"
#include "internal.h"
#include "mm/internal_vmscan.h"
#include "mm/memory.h"
#include "mm/vma.h"
#include "sim/trace_internal.h"

#define REPLAY_BATCH 1024
#define REPLAY_WINDOW_DEFAULT 100000
#define REPLAY_PROGRESS_EVERY 65536	/* references between progress calls */

/* Distinct pages: open addressing, vpn + 1 as key, window stamp as value. */
struct ws_table {
	uint64_t *key, *stamp;
	size_t mask, used;
};

struct replay {
	struct machine *m;
	struct task_struct *tsk;
	struct mmkit_replay_stats *st;
	struct ws_table ws;
	uint64_t window_pages, window_faults0, in_window, stamp;
	/* the counters at the current window's start */
	uint64_t win_maj0, win_swpin0, win_swpout0, win_hits0, win_misses0;
	unsigned int cpu;
	uint64_t progress_next;	/* st->refs at which to call o->progress */
	size_t windows_cap;
	uint64_t brk;		/* the break the trace's program saw */
	bool brk_known;
	bool infer_maps;	/* MMKIT_TRACE_MAPS_INFERRED */
	bool skipped;		/* replay_fault skipped the reference (unmapped, denied) */
	bool record;		/* keep the reference string (opts.record_pages) */
	size_t pages_cap;	/* room in st->pages */
	char *err;
	size_t errlen;
};

static int ws_grow(struct ws_table *t)
{
	size_t n = t->mask ? 2 * (t->mask + 1) : 4096;
	uint64_t *key = calloc(n, sizeof(*key)), *stamp = calloc(n, sizeof(*stamp));

	if (!key || !stamp) {
		free(key);
		free(stamp);
		return -1;
	}
	for (size_t i = 0; t->mask && i <= t->mask; i++) {
		size_t j;

		if (!t->key[i])
			continue;
		for (j = (t->key[i] * 0x9e3779b97f4a7c15ULL) >> 20 & (n - 1); key[j];
		     j = (j + 1) & (n - 1))
			;
		key[j] = t->key[i];
		stamp[j] = t->stamp[i];
	}
	free(t->key);
	free(t->stamp);
	t->key = key;
	t->stamp = stamp;
	t->mask = n - 1;
	return 0;
}

/* Note that page vpn was touched in the current window. */
static int ws_touch(struct replay *rp, uint64_t vpn)
{
	struct ws_table *t = &rp->ws;
	uint64_t k = vpn + 1;
	size_t j;

	if (2 * (t->used + 1) > t->mask + 1 && ws_grow(t))
		return -1;
	for (j = (k * 0x9e3779b97f4a7c15ULL) >> 20 & t->mask; t->key[j]; j = (j + 1) & t->mask) {
		if (t->key[j] == k) {
			if (t->stamp[j] != rp->stamp) {
				t->stamp[j] = rp->stamp;
				rp->window_pages++;
			}
			return 0;
		}
	}
	t->key[j] = k;
	t->stamp[j] = rp->stamp;
	t->used++;
	rp->window_pages++;
	rp->st->pages_touched++;
	return 0;
}

/* Start counting a window's swap traffic, major faults and TLB lookups. */
static void window_mark(struct replay *rp)
{
	const struct machine *m = rp->m;

	rp->win_maj0 = rp->tsk->maj_flt;
	rp->win_swpin0 = vm_event(m, PSWPIN);
	rp->win_swpout0 = vm_event(m, PSWPOUT);
	rp->win_hits0 = m->mmu.cpu[rp->cpu].nr_tlb_hits;
	rp->win_misses0 = m->mmu.cpu[rp->cpu].nr_tlb_misses;
}

static int close_window(struct replay *rp)
{
	struct mmkit_replay_stats *st = rp->st;
	const struct machine *m = rp->m;
	uint64_t faults = rp->tsk->min_flt + rp->tsk->maj_flt;

	if (!rp->in_window)
		return 0;
	if (st->nr_windows == rp->windows_cap) {
		size_t cap = rp->windows_cap ? 2 * rp->windows_cap : 64;
		void *p = realloc(st->windows, cap * sizeof(*st->windows));

		if (!p)
			return -1;
		st->windows = p;
		rp->windows_cap = cap;
	}
	st->windows[st->nr_windows++] = (struct mmkit_replay_window){
		.pages = rp->window_pages, .faults = faults - rp->window_faults0,
		.majflt = rp->tsk->maj_flt - rp->win_maj0,
		.pswpin = vm_event(m, PSWPIN) - rp->win_swpin0,
		.pswpout = vm_event(m, PSWPOUT) - rp->win_swpout0,
		.tlb_hits = m->mmu.cpu[rp->cpu].nr_tlb_hits - rp->win_hits0,
		.tlb_misses = m->mmu.cpu[rp->cpu].nr_tlb_misses - rp->win_misses0,
		.rss = rp->tsk->mm ? get_mm_rss(rp->tsk->mm) : 0 };
	window_mark(rp);
	rp->window_faults0 = faults;
	rp->window_pages = 0;
	rp->in_window = 0;
	rp->stamp++;
	return 0;
}

/* Does vma allow access (X86_PF_* bits)? */
static bool vma_allows(const struct vm_area_struct *vma, unsigned int access)
{
	if (access & X86_PF_WRITE)
		return vma->vm_flags & VM_WRITE;
	if (access & X86_PF_INSTR)
		return vma->vm_flags & VM_EXEC;
	return vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC);
}

/* The slow path: a TLB miss that faults. Resolve the fault as the CPU
 * would, unless no VMA allows the access (then count, skip and set
 * rp->skipped); *phys is the address the access reached. */
static __attribute__((noinline)) int replay_fault(struct replay *rp, uint64_t va, unsigned int access,
						  phys_addr_t *phys)
{
	struct machine *m = rp->m;
	struct mm_struct *mm = rp->tsk->mm;
	struct vm_area_struct *vma;
	unsigned int ec;
	bool ok;

	if (get_current(m) != rp->tsk || !mm)
		return -ESRCH;
	mmap_read_lock(mm);
	vma = find_vma(m, mm, va);
	ok = vma && (vma->vm_start <= va || (vma->vm_flags & VM_GROWSDOWN));
	if (ok && !vma_allows(vma, access)) {
		mmap_read_unlock(mm);
		rp->st->denied++;
		rp->skipped = true;
		return 0;
	}
	mmap_read_unlock(mm);
	if (!ok && rp->infer_maps) {
		/* no recorded initial mappings: the first touch maps the page */
		ok = !MMKIT_IS_ERR_VALUE(sys_mmap(m, va & PAGE_MASK, PAGE_SIZE,
						  PROT_READ | PROT_WRITE | PROT_EXEC,
						  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1UL, 0));
		rp->st->maps += ok;
	}
	if (!ok) {
		rp->st->unmapped++;
		rp->skipped = true;
		return 0;
	}
	for (int tries = 0; tries < 4; tries++) {
		if (!mmu_translate(m, va, access, phys, &ec))
			return 0;
		if (do_page_fault(m, va, ec))
			break;
	}
	/* SIGSEGV/SIGBUS reach replay_signal() and the process lives on; a
	 * kill it cannot handle (the fault path's out-of-memory kill) ends it */
	if (get_current(m) != rp->tsk) {
		rp->tsk = NULL;
		return -ESRCH;
	}
	rp->st->denied++;
	rp->skipped = true;
	return 0;
}

/* Append page vpn to the reference string unless it repeats the last one
 * (no policy's faults change when a page is referenced twice in a row). */
static int pages_note(struct replay *rp, uint64_t vpn)
{
	struct mmkit_replay_stats *st = rp->st;

	if (st->nr_pages && st->pages[st->nr_pages - 1] == vpn)
		return 0;
	if (st->nr_pages == rp->pages_cap) {
		size_t cap = rp->pages_cap ? 2 * rp->pages_cap : 65536;
		void *p = realloc(st->pages, cap * sizeof(*st->pages));

		if (!p)
			return -1;
		st->pages = p;
		rp->pages_cap = cap;
	}
	st->pages[st->nr_pages++] = vpn;
	return 0;
}

/* The slow part of a reference, off the hot loop: the reference string,
 * a skipped reference (then the next one on the page is looked at again). */
static __attribute__((noinline)) int replay_note(struct replay *rp, uint64_t vpn,
						 uint64_t end_vpn, uint64_t *lvpn)
{
	if (rp->skipped) {
		rp->skipped = false;
		*lvpn = ~0ULL;
		return 0;
	}
	if (pages_note(rp, vpn) || (end_vpn != vpn && pages_note(rp, end_vpn)))
		return -1;
	return 0;
}

static const unsigned int kind_access[4] = {
	[MMKIT_TRACE_FETCH] = X86_PF_USER | X86_PF_INSTR,
	[MMKIT_TRACE_LOAD] = X86_PF_USER,
	[MMKIT_TRACE_STORE] = X86_PF_USER | X86_PF_WRITE,
	[MMKIT_TRACE_MODIFY] = X86_PF_USER | X86_PF_WRITE,
};

/* Count what replay_refs() kept in registers. */
static void refs_account(struct replay *rp, const uint64_t by_kind[4], uint64_t in_window)
{
	for (int k = 0; k < 4; k++)
		rp->st->by_kind[k] += by_kind[k];
	rp->in_window = in_window;
}

/* The hot loop: n references through the MMU. Counters stay local (the
 * MMU's own writes through m would otherwise force them to memory). */
static int replay_refs(struct replay *rp, const struct mmkit_trace_ref *refs, size_t n,
		       uint64_t *last_vpn, uint64_t window)
{
	struct machine *m = rp->m;
	uint64_t by_kind[4] = { 0 }, in_window = rp->in_window, lvpn = *last_vpn;
	const bool track = __atomic_load_n(&m->reclaim.track_access, __ATOMIC_RELAXED);
	const bool record = rp->record;
	phys_addr_t phys;
	unsigned int ec;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t va = refs[i].addr, vpn = va >> PAGE_SHIFT, end_vpn = vpn;
		unsigned int kind = refs[i].kind & 3, access = kind_access[kind];
		bool mapped = true;

		if (unlikely(mmu_translate(m, va, access, &phys, &ec))) {
			if ((ret = replay_fault(rp, va, access, &phys)))
				break;
			mapped = !rp->skipped;
		}
		if (unlikely(track) && mapped)
			lru_note_access(m, phys);	/* exact recency: TLB hits too */
		if (unlikely(((va & ~PAGE_MASK) + refs[i].size) > PAGE_SIZE)) {
			uint64_t end = va + refs[i].size - 1;

			end_vpn = end >> PAGE_SHIFT;
			mapped = true;
			if (mmu_translate(m, end, access, &phys, &ec)) {
				if ((ret = replay_fault(rp, end, access, &phys)))
					break;
				mapped = !rp->skipped;
			}
			if (unlikely(track) && mapped)
				lru_note_access(m, phys);
			if ((ret = ws_touch(rp, end_vpn)))
				break;
			lvpn = ~0ULL;	/* note both pages */
		}
		if (vpn != lvpn || unlikely(rp->skipped)) {
			lvpn = vpn;
			if ((ret = ws_touch(rp, vpn)))
				break;
			if (unlikely(record || rp->skipped) &&
			    (ret = replay_note(rp, vpn, end_vpn, &lvpn)))
				break;
		}
		by_kind[kind]++;
		if (unlikely(++in_window == window)) {
			refs_account(rp, by_kind, in_window);
			mm_memset(by_kind, 0, sizeof(by_kind));
			if ((ret = close_window(rp)))
				break;
			in_window = 0;
			lvpn = ~0ULL;
		}
	}
	refs_account(rp, by_kind, in_window);
	*last_vpn = lvpn;
	rp->st->refs += n;
	return ret;
}

/* Private anonymous flags for a recorded mapping at a fixed address. */
static unsigned long fixed_flags(uint64_t flags)
{
	unsigned long keep = flags & (MAP_NORESERVE | MAP_GROWSDOWN | MAP_STACK);

	if ((flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) == MAP_SHARED)
		keep |= MAP_SHARED;
	else
		keep |= MAP_PRIVATE;
	return keep | MAP_ANONYMOUS | MAP_FIXED;
}

/* Emulate a break move the kernel's brk would not make here (valgrind
 * keeps its own brk segment): map or unmap the difference. */
static long brk_emulate(struct replay *rp, uint64_t newbrk)
{
	struct machine *m = rp->m;
	uint64_t old = PAGE_ALIGN(rp->brk), new = PAGE_ALIGN(newbrk);
	long ret = 0;

	if (new > old)
		ret = sys_mmap(m, old, new - old, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1UL, 0);
	else if (new < old)
		ret = sys_munmap(m, new, old - new);
	return MMKIT_IS_ERR_VALUE(ret) ? ret : (long)newbrk;
}

static long replay_brk(struct replay *rp, const struct mmkit_trace_call *c)
{
	struct mm_struct *mm = rp->tsk->mm;
	long ret;

	if (!rp->brk_known) {
		/* the first brk tells where the program's heap starts */
		rp->brk_known = true;
		rp->brk = (uint64_t)c->result;
		if (mm->brk == mm->start_brk)
			mm->start_brk = mm->brk = rp->brk;
	}
	if (!c->args[0] || (uint64_t)c->result == rp->brk)
		return c->result;
	ret = sys_brk(rp->m, c->args[0]);
	if (ret != c->result)
		ret = brk_emulate(rp, (uint64_t)c->result);
	rp->brk = (uint64_t)c->result;
	return ret;
}

static long replay_syscall(struct replay *rp, const struct mmkit_trace_call *c)
{
	struct machine *m = rp->m;
	const uint64_t *a = c->args;
	unsigned long res = (unsigned long)c->result, flags;

	switch (c->nr) {
	case MMKIT_NR_MMAP:
		return sys_mmap(m, res, a[1], a[2], fixed_flags(a[3]), -1UL, 0);
	case MMKIT_NR_MUNMAP:
		return sys_munmap(m, a[0], a[1]);
	case MMKIT_NR_MPROTECT:
		return sys_mprotect(m, a[0], a[1], a[2]);
	case MMKIT_NR_MREMAP:
		flags = a[3];
		if (res != a[0])
			flags |= MREMAP_MAYMOVE | MREMAP_FIXED;
		return sys_mremap(m, a[0], a[1], a[2], flags, res);
	case MMKIT_NR_BRK:
		return replay_brk(rp, c);
	}
	return c->result;	/* not a memory syscall: nothing to do */
}

/* Arguments a recorded syscall needs to be replayed. */
static unsigned int min_args(unsigned int nr)
{
	switch (nr) {
	case MMKIT_NR_BRK: return 1;
	case MMKIT_NR_MUNMAP: return 2;
	case MMKIT_NR_MPROTECT: return 3;
	case MMKIT_NR_MREMAP: return 4;	/* new_addr only with MREMAP_FIXED */
	case MMKIT_NR_MMAP: return 6;
	}
	return 0;
}

static void replay_call(struct replay *rp, const struct mmkit_trace_call *c)
{
	struct mmkit_replay_stats *st = rp->st;
	long ret;

	if (c->kind == MMKIT_TRACE_MAP) {
		st->maps++;
		ret = sys_mmap(rp->m, c->args[0], c->args[1], c->args[2],
			       fixed_flags(c->args[3]), -1UL, 0);
		if (MMKIT_IS_ERR_VALUE(ret) || (uint64_t)ret != c->args[0])
			st->maps_failed++;
		return;
	}
	st->syscalls++;
	if (c->nargs < min_args(c->nr) || MMKIT_IS_ERR_VALUE(c->result)) {
		st->syscalls_failed++;	/* failed on the host: nothing changed */
		return;
	}
	ret = replay_syscall(rp, c);
	if (ret != c->result && !(c->nr == MMKIT_NR_MMAP && (uint64_t)ret == (uint64_t)c->result))
		st->syscalls_differ++;
}

static int replay_fail(struct replay *rp, const char *msg)
{
	snprintf(rp->err, rp->errlen, "%s", msg);
	return -1;
}

/* A fault the replay cannot satisfy: the process survives it, as a
 * program with a handler does; the reference is counted as denied. */
static void replay_signal(struct machine *m, struct task_struct *tsk,
			  const struct mmkit_siginfo *info, void *arg)
{
	(void)m, (void)tsk, (void)info, (void)arg;
}

static int replay_start(struct replay *rp)
{
	struct machine *m = rp->m;
	struct mmkit_exec_layout layout = { .privileged = true };

	rp->tsk = mmkit_spawn(m, "replay", &layout);
	if (!rp->tsk)
		return replay_fail(rp, "replay: cannot spawn the process (see the kernel log)");
	mmkit_set_current(m, rp->tsk);
	mmkit_sigaction(m, rp->tsk, SIGSEGV, replay_signal, NULL);
	mmkit_sigaction(m, rp->tsk, SIGBUS, replay_signal, NULL);
	/* an empty address space: the trace's own mappings replace the image */
	if (sys_munmap(m, 0, arch_task_size(m)))
		return replay_fail(rp, "replay: cannot empty the address space");
	return 0;
}

static void replay_finish(struct replay *rp)
{
	struct machine *m = rp->m;
	struct mmkit_replay_stats *st = rp->st;
	char *text;
	size_t len;

	if (rp->tsk) {
		st->minflt = rp->tsk->min_flt;
		st->majflt = rp->tsk->maj_flt;
	}
	if (!mmkit_proc_read(m, "/proc/meminfo", &text, &len)) {
		snprintf(st->meminfo, sizeof(st->meminfo), "%.*s", (int)len, text);
		free(text);
	}
	if (rp->tsk)
		mmkit_exit(m, rp->tsk, 0);
}

/**
 * mmkit_replay() - replay a trace (see include/mmkit/trace.h)
 * @m: the machine
 * @r: the trace
 * @o: options (NULL: defaults)
 * @st: results
 * @err: reason on failure
 * @errlen: its size
 * Return: 0 or -1.
 */
int mmkit_replay(struct machine *m, struct mmkit_trace_reader *r,
		 const struct mmkit_replay_opts *o, struct mmkit_replay_stats *st, char *err,
		 size_t errlen)
{
	struct replay rp = { .m = m, .st = st, .err = err, .errlen = errlen };
	const struct mmkit_trace_header *h = mmkit_trace_get_header(r);
	struct mmkit_trace_ref *refs = malloc(REPLAY_BATCH * sizeof(*refs));
	struct mmkit_trace_call call;
	uint64_t last_vpn = ~0ULL, window, h0, m0, sw_in = 0, sw_out = 0;
	unsigned int cpu = smp_processor_id(m);
	int ended, ret = -1, e;
	long n;

	memset(st, 0, sizeof(*st));
	rp.record = o && o->record_pages;
	rp.infer_maps = h->flags & MMKIT_TRACE_MAPS_INFERRED;
	window = o && o->window ? o->window : REPLAY_WINDOW_DEFAULT;
	st->window = window;
	if (!refs)
		return replay_fail(&rp, "replay: out of memory");
	if ((h->arch == MMKIT_TRACE_ARCH_X86_64) != m->arch.x86_64) {
		free(refs);
		return replay_fail(&rp, h->arch == MMKIT_TRACE_ARCH_X86_64
				   ? "replay: an x86_64 trace needs an x86_64 machine"
				   : "replay: an i386 trace needs an i386 machine");
	}
	if (replay_start(&rp)) {
		free(refs);
		return -1;
	}
	mmu_sync_current(m);	/* load the process's CR3 */
	rp.cpu = cpu;
	window_mark(&rp);
	rp.progress_next = REPLAY_PROGRESS_EVERY;
	sw_in = vm_event(m, PSWPIN);
	sw_out = vm_event(m, PSWPOUT);
	h0 = m->mmu.cpu[cpu].nr_tlb_hits;
	m0 = m->mmu.cpu[cpu].nr_tlb_misses;
	for (;;) {
		n = mmkit_trace_read(r, refs, REPLAY_BATCH, &call, &ended);
		if (n < 0) {
			replay_fail(&rp, mmkit_trace_error(r));
			goto out;
		}
		if (n && (e = replay_refs(&rp, refs, (size_t)n, &last_vpn, window))) {
			replay_fail(&rp, e == -ESRCH ? "replay: the process was killed (see the kernel log)"
						     : "replay: out of host memory");
			goto out;
		}
		if (o && o->progress && st->refs >= rp.progress_next) {
			o->progress(o->progress_arg, st->refs);
			rp.progress_next = st->refs + REPLAY_PROGRESS_EVERY;
		}
		if (ended) {
			replay_call(&rp, &call);
			mmu_sync_current(m);	/* as a return to user mode would */
			last_vpn = ~0ULL;	/* mappings changed */
		} else if (!n) {
			break;
		}
	}
	if (close_window(&rp)) {
		replay_fail(&rp, "replay: out of host memory");
		goto out;
	}
	ret = 0;
out:
	st->tlb_hits = m->mmu.cpu[cpu].nr_tlb_hits - h0;
	st->tlb_misses = m->mmu.cpu[cpu].nr_tlb_misses - m0;
	st->pswpin = vm_event(m, PSWPIN) - sw_in;
	st->pswpout = vm_event(m, PSWPOUT) - sw_out;
	replay_finish(&rp);
	free(rp.ws.key);
	free(rp.ws.stamp);
	free(refs);
	return ret;
}

/**
 * mmkit_replay_free() - free what mmkit_replay() allocated
 * @st: the results
 */
void mmkit_replay_free(struct mmkit_replay_stats *st)
{
	free(st->windows);
	st->windows = NULL;
	st->nr_windows = 0;
	free(st->pages);
	st->pages = NULL;
	st->nr_pages = 0;
}
