/* CR3 loads and TLB management of the simulated CPUs (cf. arch/x86/mm/tlb.c
 * switch_mm_irqs_off, flush_tlb_mm_range, flush_tlb_kernel_range,
 * native_flush_tlb_one_user; asm/mmu_context.h destroy_context).
 *
 * Address spaces are tagged, as with PCID: switch_mm() gives an mm an id on
 * its first load (mm->context.ctx_id, never reused), loads CR3 and the id,
 * and flushes nothing; entries of other mms stay and simply do not match.
 * Global entries (kernel pages with G) match every id.
 *
 * Flushes of user addresses reach every CPU that ever loaded the mm
 * (mm->context.cpu_mask, which with tagged TLBs is never cleared): a
 * shootdown, counted in m->mmu.nr_tlb_remote_flush when it reaches a CPU
 * other than the caller's. As Linux does, a range of more than
 * tlb_single_page_flush_ceiling (33) pages flushes the whole mm instead
 * (all non-global entries of its id); the kernel flush hook
 * (m->pgtables.tlb_flush) drops kernel addresses on every active CPU, and
 * everything, global entries too, for flush_tlb_all or long ranges.
 *
 * Concurrency: only a CPU fills its own TLB; other CPUs invalidate its
 * entries by clearing tags, after bumping its flush_gen (see mmu.c).
 *
 * Invariant: after a flush of [start, end) for an mm returns, no CPU's TLB
 * holds a non-global entry of that mm's id for a page in the range. */
#include "arch/x86/mmu.h"

_Static_assert(NR_CPUS <= 64, "cpu masks are u64");

/* Linux's default tlb_single_page_flush_ceiling. */
#define TLB_SINGLE_PAGE_FLUSH_CEILING 33

/* What one flush drops on one CPU. */
struct tlb_flush_req {
	u64 start, end;		/* page-aligned; end exclusive (0: the top) */
	u64 asid;		/* user flushes: the mm's id */
	bool kernel;		/* kernel addresses: every id */
	bool full;		/* the whole mm (user) or everything (kernel) */
};

static void tlb_entry_clear(struct tlb_entry *e)
{
	__atomic_store_n(&e->tag, 0, __ATOMIC_RELAXED);
}

/**
 * tlb_fill() - cache a translation in this CPU's TLB (called by the CPU
 *	that owns it only, after a successful walk)
 * @m: the machine
 * @cpu: the calling CPU
 * @va: the virtual address translated
 * @asid: the address-space id it was translated in
 * @pa: the physical page
 * @perm: TLB_PERM_* | TLB_GLOBAL | TLB_LARGE
 * @shift: the leaf's page size
 *
 * Replaces an entry for the same page and id, else an invalid way, else the
 * set's next victim (round robin).
 */
void tlb_fill(struct machine *m, unsigned int cpu, u64 va, u64 asid, u64 pa, u32 perm,
	      unsigned int shift)
{
	struct mmu_cpu *c = &m->mmu.cpu[cpu];
	struct tlb_set *s = tlb_set_of(m, cpu, va);
	u64 tag = (va & PAGE_MASK) | 1;
	struct tlb_entry *e = NULL;
	unsigned int w;

	for (w = 0; w < TLB_WAYS && !e; w++)
		if (tlb_entry_match(&s->way[w], tag, asid))
			e = &s->way[w];
	for (w = 0; w < TLB_WAYS && !e; w++)
		if (!__atomic_load_n(&s->way[w].tag, __ATOMIC_RELAXED))
			e = &s->way[w];
	if (!e) {
		e = &s->way[s->way[0].victim];
		s->way[0].victim = (u8)((s->way[0].victim + 1) % TLB_WAYS);
	}
	if (perm & TLB_LARGE) {
		__atomic_store_n(&c->has_large, true, __ATOMIC_RELAXED);
		if (!(perm & TLB_GLOBAL))
			__atomic_store_n(&c->has_large_user, true, __ATOMIC_RELAXED);
	}
	tlb_entry_clear(e);
	__atomic_store_n(&e->asid, asid, __ATOMIC_RELAXED);
	__atomic_store_n(&e->perm, perm, __ATOMIC_RELAXED);
	__atomic_store_n(&e->shift, (u8)shift, __ATOMIC_RELAXED);
	e->pa = pa;
	__atomic_store_n(&e->tag, tag, __ATOMIC_RELEASE);
}

/**
 * tlb_invalidate_local() - drop this CPU's entries for the page of @va in
 *	address space @asid (global ones too), as a page fault does
 * @m: the machine
 * @cpu: the calling CPU
 * @va: the address
 * @asid: the address-space id
 */
void tlb_invalidate_local(struct machine *m, unsigned int cpu, u64 va, u64 asid)
{
	struct tlb_set *s = tlb_set_of(m, cpu, va);
	u64 tag = (va & PAGE_MASK) | 1;
	unsigned int w;

	for (w = 0; w < TLB_WAYS; w++)
		if (tlb_entry_match(&s->way[w], tag, asid))
			tlb_entry_clear(&s->way[w]);
}

/* Does the flush cover entry e (read racily: see the file comment)? */
static bool tlb_flush_hits(const struct tlb_entry *e, const struct tlb_flush_req *f)
{
	u64 tag = __atomic_load_n(&e->tag, __ATOMIC_RELAXED);
	u32 perm = __atomic_load_n(&e->perm, __ATOMIC_RELAXED);
	unsigned int shift = __atomic_load_n(&e->shift, __ATOMIC_RELAXED);
	u64 lo, hi;

	if (!tag)
		return false;
	if (!f->kernel && __atomic_load_n(&e->asid, __ATOMIC_RELAXED) != f->asid &&
	    !(perm & TLB_GLOBAL))
		return false;
	if (f->full)
		return f->kernel || !(perm & TLB_GLOBAL);
	/* a piece of a large page goes when any part of that page is flushed */
	lo = (tag & ~1ULL) & ~((1ULL << shift) - 1);
	hi = lo + (1ULL << shift) - 1;
	return lo <= f->end - 1 && hi >= f->start;
}

/* Drop what f covers from one CPU's TLB. */
static void tlb_flush_cpu(struct machine *m, unsigned int cpu, const struct tlb_flush_req *f)
{
	struct mmu_cpu *c = &m->mmu.cpu[cpu];
	struct tlb_set *tlb = m->mmu.tlb[cpu];
	bool scan = f->full || __atomic_load_n(f->kernel ? &c->has_large : &c->has_large_user,
					       __ATOMIC_RELAXED);
	unsigned int i, w;
	u64 va;

	__atomic_fetch_add(&c->flush_gen, 1, __ATOMIC_SEQ_CST);
	if (scan) {
		for (i = 0; i < TLB_SETS; i++)
			for (w = 0; w < TLB_WAYS; w++)
				if (tlb_flush_hits(&tlb[i].way[w], f))
					tlb_entry_clear(&tlb[i].way[w]);
		if (f->full && f->kernel) {
			__atomic_store_n(&c->has_large, false, __ATOMIC_RELAXED);
			__atomic_store_n(&c->has_large_user, false, __ATOMIC_RELAXED);
		}
		return;
	}
	for (va = f->start; va != f->end; va += PAGE_SIZE) {
		struct tlb_set *s = tlb_set_of(m, cpu, va);

		for (w = 0; w < TLB_WAYS; w++)
			if (tlb_flush_hits(&s->way[w], f))
				tlb_entry_clear(&s->way[w]);
	}
}

/* Run f on every CPU in cpus (a shootdown when others are among them). */
static void tlb_flush_cpus(struct machine *m, u64 cpus, const struct tlb_flush_req *f)
{
	unsigned int self = smp_processor_id(m), cpu;
	bool remote = false;

	for (cpu = 0; cpus; cpu++, cpus >>= 1) {
		struct mmu_cpu *c = &m->mmu.cpu[cpu];

		if (!(cpus & 1))
			continue;
		tlb_flush_cpu(m, cpu, f);
		if (cpu != self) {
			remote = true;
			__atomic_fetch_add(&c->nr_flush_received, 1, __ATOMIC_RELAXED);
		} else if (f->full) {
			c->nr_flush_all++;
		} else {
			c->nr_flush_one += (unsigned long)((f->end - f->start) >> PAGE_SHIFT);
		}
	}
	if (remote)
		__atomic_fetch_add(&m->mmu.nr_tlb_remote_flush, 1, __ATOMIC_RELAXED);
}

/* Page-align [start, end) into f; long ranges become full flushes. */
static void tlb_flush_req_range(struct tlb_flush_req *f, u64 start, u64 end)
{
	f->start = start & PAGE_MASK;
	f->end = (end + PAGE_SIZE - 1) & PAGE_MASK;
	if (end > ~0ULL - PAGE_SIZE + 1 || end <= start)
		f->full = true;	/* up to the top of the address space, or empty/wrapped */
	else if ((f->end - f->start) >> PAGE_SHIFT > TLB_SINGLE_PAGE_FLUSH_CEILING)
		f->full = true;
}

/* The mm's id if it has TLB entries anywhere, else 0. */
static u64 mm_ctx(const struct mm_struct *mm)
{
	if (!mm || !mm->context.ctx_id || mm->context.ctx_pgd != mm->pgd)
		return 0;
	return mm->context.ctx_id;
}

static void flush_tlb_mm_range(struct machine *m, struct mm_struct *mm, u64 start, u64 end,
			       bool full)
{
	struct tlb_flush_req f = { .asid = mm_ctx(mm), .full = full };

	if (!f.asid || end == start)
		return;
	if (!full)
		tlb_flush_req_range(&f, start, end);
	if (f.end == f.start && !f.full)
		return;
	tlb_flush_cpus(m, __atomic_load_n(&mm->context.cpu_mask, __ATOMIC_SEQ_CST), &f);
}

/**
 * flush_tlb_page() - drop the translations of one user page on every CPU
 *	that may cache them (cf. flush_tlb_page)
 * @m: the machine
 * @vma: the VMA holding @addr
 * @addr: the address whose PTE changed
 */
void flush_tlb_page(struct machine *m, struct vm_area_struct *vma, unsigned long addr)
{
	flush_tlb_mm_range(m, vma->vm_mm, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE, false);
}

/**
 * flush_tlb_range() - drop the translations of [@start, @end) in @vma's mm
 *	on every CPU that may cache them (cf. flush_tlb_range)
 * @m: the machine
 * @vma: the VMA
 * @start: first address
 * @end: end (exclusive)
 *
 * More than 33 pages flush the whole mm, as Linux's ceiling does.
 */
void flush_tlb_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		     unsigned long end)
{
	flush_tlb_mm_range(m, vma->vm_mm, start, end, false);
}

/**
 * flush_tlb_mm() - drop every non-global translation of @mm on every CPU
 *	that may cache them (cf. flush_tlb_mm)
 * @m: the machine
 * @mm: the address space
 */
void flush_tlb_mm(struct machine *m, struct mm_struct *mm)
{
	flush_tlb_mm_range(m, mm, 0, ~0ULL, true);
}

/**
 * kernel_tlb_flush() - the kernel's flush hook (m->pgtables.tlb_flush):
 *	drop kernel translations of [@start, @end), whatever id they carry
 * @m: the machine
 * @kind: TLB_FLUSH_ONE (this CPU only, as __flush_tlb_one_kernel),
 *	TLB_FLUSH_KERNEL_RANGE or TLB_FLUSH_ALL (every active CPU)
 * @start: first address
 * @end: end (exclusive); flush_tlb_all passes 0, ~0
 */
void kernel_tlb_flush(struct machine *m, enum tlb_flush_kind kind, u64 start, u64 end)
{
	struct tlb_flush_req f = { .kernel = true, .full = kind == TLB_FLUSH_ALL };
	unsigned int self = smp_processor_id(m);
	u64 cpus = __atomic_load_n(&m->mmu.active_cpus, __ATOMIC_SEQ_CST);

	if (!f.full)
		tlb_flush_req_range(&f, start, end);
	if (kind == TLB_FLUSH_ONE)
		cpus = self < NR_CPUS ? cpus & (1ULL << self) : 0;
	tlb_flush_cpus(m, cpus, &f);
}

/* Give mm an address-space id unless it has one for its current pgd (an
 * mm copied from another carries the other's id and must not share it). */
static u64 mm_ctx_get(struct machine *m, struct mm_struct *mm)
{
	u64 id = mm_ctx(mm);

	if (id)
		return id;
	spin_lock(&mm->page_table_lock);
	if (!mm_ctx(mm)) {
		mm->context.cpu_mask = 0;
		mm->context.ctx_pgd = mm->pgd;
		__atomic_store_n(&mm->context.ctx_id,
				 __atomic_add_fetch(&m->mmu.next_asid, 1, __ATOMIC_RELAXED),
				 __ATOMIC_RELEASE);
	}
	id = mm->context.ctx_id;
	spin_unlock(&mm->page_table_lock);
	return id;
}

/**
 * switch_mm() - make @next the address space this CPU translates with:
 *	load its pgd into CR3 and its id (cf. switch_mm_irqs_off with PCID)
 * @m: the machine
 * @prev: the address space switched from, or NULL (not dereferenced)
 * @next: the address space switched to; NULL idles the CPU on init_mm
 *	(swapper_pg_dir): mmkit keeps no lazy-TLB reference to an old mm
 *
 * Nothing is flushed: entries are tagged. The CPU joins @next's cpu_mask
 * before it can cache any of its translations.
 */
void switch_mm(struct machine *m, struct mm_struct *prev, struct mm_struct *next)
{
	unsigned int cpu = smp_processor_id(m);
	struct mmu_cpu *c;

	(void)prev;
	if (cpu >= NR_CPUS)
		return;
	c = &m->mmu.cpu[cpu];
	mmu_init(m);
	if (!next || !next->pgd) {
		c->asid = 0;
		c->cr3 = m->pgtables.swapper_pg_dir;
		__atomic_store_n(&c->loaded_mm, NULL, __ATOMIC_RELEASE);
	} else {
		c->asid = mm_ctx_get(m, next);
		__atomic_fetch_or(&next->context.cpu_mask, 1ULL << cpu, __ATOMIC_SEQ_CST);
		c->cr3 = next->pgd;
		__atomic_store_n(&c->loaded_mm, next, __ATOMIC_RELEASE);
	}
	c->nr_cr3_loads++;
}

/**
 * destroy_context() - an address space is going away: no CPU may keep it
 *	loaded (cf. destroy_context and the lazy-TLB shootdown of __mmdrop)
 * @m: the machine
 * @mm: the dying mm, before its pgd is freed
 *
 * CPUs that still have @mm in CR3 switch to init_mm; its entries are
 * dropped everywhere (its id is never given out again). Other CPUs'
 * loaded_mm is read atomically (they switch their own at any time); one
 * that still has @mm loaded runs no task of it, and its host thread must
 * be quiet (mmkit_exit of a task current elsewhere: docs/threads.md).
 */
void destroy_context(struct machine *m, struct mm_struct *mm)
{
	unsigned int cpu;

	for (cpu = 0; cpu < NR_CPUS; cpu++) {
		struct mmu_cpu *c = &m->mmu.cpu[cpu];

		if (__atomic_load_n(&c->loaded_mm, __ATOMIC_ACQUIRE) != mm)
			continue;
		c->asid = 0;
		c->cr3 = m->pgtables.swapper_pg_dir;
		__atomic_store_n(&c->loaded_mm, NULL, __ATOMIC_RELEASE);
	}
	flush_tlb_mm(m, mm);
	mm->context.ctx_id = 0;
	mm->context.cpu_mask = 0;
}
