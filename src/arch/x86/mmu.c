/* The software MMU's page walk: what an x86 CPU does on a TLB miss (Intel
 * SDM vol. 3, 4.3-4.8; cf. the kernel's view of it in arch/x86/mm/fault.c
 * and asm/pgtable_types.h; seed 001: "movl %eax,%cr3 ... 开启分页机制").
 *
 * From CR3 the walk reads one entry per real level of the machine's format
 * (2-level 32-bit, PAE or 4-level; folded levels pass through as in
 * pgtable.h), stopping at a leaf: a pte or a PS entry (4 MiB, 2 MiB,
 * 1 GiB). Effective permissions are combined over the levels used: writable
 * only if every level has RW, user only if every level has US, executable
 * unless some level has NX (PAE and 4-level only; the PAE PDPTE has none of
 * these bits). Supervisor writes honour RW too (CR0.WP = 1, as Linux sets).
 * No SMEP/SMAP: supervisor code may read, write and fetch user pages.
 *
 * Hardware side effects, as the SDM gives them: the walk sets Accessed in
 * every paging-structure entry it uses (not in the PAE PDPTE, which has no
 * A bit) and, when the access is allowed, Accessed in the leaf and Dirty in
 * the leaf on a write; each update is a locked compare-and-exchange, so an
 * entry changed by another CPU meanwhile restarts the walk. A fault raises
 * the error code X86_PF_* (PROT when the leaf was present; RSVD for a
 * reserved bit; INSTR only where NX exists) and drops the TLB entries of
 * the faulting address (SDM 4.10.4.1).
 *
 * Invariant: the TLB entry a walk fills is invalidated again if a flush
 * reached this CPU (flush_gen moved) while the walk ran, so no shootdown
 * is ever lost to a concurrent fill. */
#include "arch/x86/mmu.h"

/* Bits lo..hi (inclusive) of an entry. */
static u64 entry_bits(unsigned int lo, unsigned int hi)
{
	return (~0ULL >> (63 - hi)) & ~((1ULL << lo) - 1);
}

/* Which bits must be zero in a present entry at each level (SDM tables
 * 4-4..4-20, MAXPHYADDR 52; 2-level without PSE-36). [l][1]: a PS leaf. */
static void mmu_init_reserved(struct machine *m)
{
	u64(*r)[2] = m->mmu.rsvd;
	const u64 pae_high = entry_bits(52, 62);
	int l;

	mm_memset(m->mmu.rsvd, 0, sizeof(m->mmu.rsvd));
	switch (pgt_fmt(m)->levels) {
	case 2:
		r[PT_PMD][1] = entry_bits(13, 21);	/* 4 MiB page: 21:13 */
		break;
	case 3:
		for (l = PT_PGD; l < NR_PT_LEVELS; l++)
			r[l][0] = r[l][1] = pae_high;
		/* the PDPTE: only P, PWT, PCD and the address; no NX */
		r[PT_PUD][0] = r[PT_PUD][1] = entry_bits(52, 63) | entry_bits(1, 2) |
					      entry_bits(5, 8);
		r[PT_PMD][1] |= entry_bits(13, 20);	/* 2 MiB page: 20:13 */
		break;
	default:
		r[PT_P4D][0] = r[PT_P4D][1] = _PAGE_PSE;	/* no PS in a PML4E */
		r[PT_PUD][1] = entry_bits(13, 29);	/* 1 GiB page: 29:13 */
		r[PT_PMD][1] = entry_bits(13, 20);
		break;
	}
}

/**
 * mmu_init() - power on the MMUs (idempotent; done on first use): compute
 *	the format's reserved bits and install the kernel TLB-flush hook
 * @m: a machine whose page-table format is chosen
 *
 * A CPU whose CR3 was never loaded translates with swapper_pg_dir
 * (init_mm, address-space id 0), as after head.S.
 */
void mmu_init(struct machine *m)
{
	if (__atomic_load_n(&m->mmu.ready, __ATOMIC_ACQUIRE) || !pgt_fmt(m))
		return;
	mmu_init_reserved(m);
	m->pgtables.tlb_flush = kernel_tlb_flush;
	__atomic_store_n(&m->mmu.ready, true, __ATOMIC_RELEASE);
}

/* The outcome of one walk. */
enum walk_result { WALK_OK, WALK_FAULT, WALK_RETRY };

struct mmu_walk {
	u64 va;
	unsigned int access;	/* X86_PF_USER | X86_PF_WRITE | X86_PF_INSTR */
	u32 perm;		/* TLB_PERM_* left after the levels so far */
	phys_addr_t pa;		/* the physical page (4 KiB piece of the leaf) */
	unsigned int shift;	/* leaf page size */
	unsigned int error_code;
};

static bool mmu_has_nx(const struct machine *m)
{
	return pgt_fmt(m)->levels > 2;	/* EFER.NXE with PAE and 4-level */
}

/* An address the format cannot translate: above 4 GiB on i386, not
 * canonical on x86_64 (hardware raises #GP there; mmkit reports a
 * not-present page fault, which ends the same way: SIGSEGV). */
static bool va_untranslatable(const struct machine *m, u64 va)
{
	if (pgt_fmt(m)->levels < 4)
		return (va >> 32) != 0;
	return (u64)((s64)(va << 16) >> 16) != va;
}

static enum walk_result walk_fault(const struct machine *m, struct mmu_walk *w, unsigned int why)
{
	unsigned int code = w->access & (X86_PF_WRITE | X86_PF_USER);

	if (mmu_has_nx(m))
		code |= w->access & X86_PF_INSTR;
	w->error_code = code | why;
	return WALK_FAULT;
}

/* The entry at slot, read once (another CPU may be changing it). */
static u64 pt_load(const struct machine *m, const void *slot)
{
	if (pgt_fmt(m)->entry_size == 4)
		return __atomic_load_n((const u32 *)slot, __ATOMIC_ACQUIRE);
	return __atomic_load_n((const u64 *)slot, __ATOMIC_ACQUIRE);
}

/* The CPU's locked update of A/D: set bits in the entry at slot if it still
 * holds old. False when the entry changed meanwhile. */
static bool pt_set_bits(const struct machine *m, void *slot, u64 old, u64 bits)
{
	if ((old & bits) == bits)
		return true;
	if (pgt_fmt(m)->entry_size == 4) {
		u32 o = (u32)old;

		return __atomic_compare_exchange_n((u32 *)slot, &o, (u32)(old | bits), false,
						   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
	}
	return __atomic_compare_exchange_n((u64 *)slot, &old, old | bits, false,
					   __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

/* Narrow the effective permissions by the entry v at level l. */
static void walk_perm(const struct machine *m, struct mmu_walk *w, enum pt_level l, u64 v)
{
	if (pgt_fmt(m)->levels == 3 && l == PT_PUD)
		return;	/* the PAE PDPTE has no RW, US or NX */
	if (!(v & _PAGE_RW))
		w->perm &= ~TLB_PERM_WRITE;
	if (!(v & _PAGE_USER))
		w->perm &= ~TLB_PERM_USER;
	if (mmu_has_nx(m) && (v & _PAGE_NX))
		w->perm &= ~TLB_PERM_EXEC;
}

/* The access against the effective permissions of the leaf. */
static bool walk_allowed(const struct mmu_walk *w)
{
	if ((w->access & X86_PF_USER) && !(w->perm & TLB_PERM_USER))
		return false;
	if ((w->access & X86_PF_WRITE) && !(w->perm & TLB_PERM_WRITE))
		return false;	/* CR0.WP = 1: supervisor writes too */
	return !((w->access & X86_PF_INSTR) && !(w->perm & TLB_PERM_EXEC));
}

/* The leaf v at level l (in slot) maps w->va: check, set A/D, describe it. */
static enum walk_result walk_leaf(struct machine *m, struct mmu_walk *w, enum pt_level l,
				  void *slot, u64 v)
{
	u64 bits = _PAGE_ACCESSED | ((w->access & X86_PF_WRITE) ? _PAGE_DIRTY : 0);
	u64 mask = pt_mask(m, l);

	if (!walk_allowed(w))
		return walk_fault(m, w, X86_PF_PROT);
	if (!pt_set_bits(m, slot, v, bits))
		return WALK_RETRY;
	v |= bits;
	if (!(v & _PAGE_DIRTY))
		w->perm &= ~TLB_PERM_WRITE;	/* a write must walk again to set D */
	if (v & _PAGE_GLOBAL)
		w->perm |= TLB_GLOBAL;
	if (l != PT_PTE)
		w->perm |= TLB_LARGE;
	w->shift = pt_shift(m, l);
	w->pa = (v & PTE_PFN_MASK & mask) + (w->va & ~mask & PAGE_MASK);
	if (w->pa + PAGE_SIZE > m->ram_bytes)
		return walk_fault(m, w, X86_PF_PROT | X86_PF_RSVD);	/* no RAM there */
	return WALK_OK;
}

/* Walk the tables rooted at cr3 for w->va (see the file comment). */
static enum walk_result mmu_walk(struct machine *m, phys_addr_t cr3, struct mmu_walk *w)
{
	bool pdpte;
	void *slot;
	enum pt_level l;
	u64 v;

	if (va_untranslatable(m, w->va) || !cr3 || cr3 + PAGE_SIZE > m->ram_bytes)
		return walk_fault(m, w, 0);
	slot = pgd_offset_pgd(m, cr3, w->va);
	for (l = PT_PGD; l <= PT_PTE; l++) {
		if (l < PT_PTE && pt_stub(m, l)) {
			slot = pt_lower_slot(m, l + 1, slot, w->va);	/* folded: same slot */
			continue;
		}
		v = pt_load(m, slot);
		if (!(v & _PAGE_PRESENT))
			return walk_fault(m, w, 0);
		if (v & m->mmu.rsvd[l][l < PT_PTE && pt_leaf(m, l, v)])
			return walk_fault(m, w, X86_PF_PROT | X86_PF_RSVD);
		walk_perm(m, w, l, v);
		if (l == PT_PTE || pt_leaf(m, l, v))
			return walk_leaf(m, w, l, slot, v);
		pdpte = pgt_fmt(m)->levels == 3 && l == PT_PUD;
		if (!pdpte && !pt_set_bits(m, slot, v, _PAGE_ACCESSED))
			return WALK_RETRY;
		if (pt_table_phys(v) + PAGE_SIZE > m->ram_bytes)
			return walk_fault(m, w, X86_PF_PROT | X86_PF_RSVD);
		slot = pt_lower_slot(m, l + 1, slot, w->va);
	}
	return walk_fault(m, w, 0);	/* not reached */
}

/* Mark this CPU as one that may hold TLB entries (kernel flushes reach it).
 * Done before the walk, so a flusher that misses the bit changed its page
 * tables before the walk read them. */
static void mmu_mark_active(struct machine *m, unsigned int cpu)
{
	u64 bit = 1ULL << cpu;

	if (!(__atomic_load_n(&m->mmu.active_cpus, __ATOMIC_RELAXED) & bit))
		__atomic_fetch_or(&m->mmu.active_cpus, bit, __ATOMIC_SEQ_CST);
}

/**
 * __mmu_translate_slow() - the TLB-miss path of mmu_translate(): walk the
 *	page tables from CR3 and fill the TLB, or raise a page fault
 * @m: the machine
 * @cpu: the calling thread's CPU id (out of range: a fault, with a warning)
 * @va: the virtual address
 * @access: X86_PF_USER | X86_PF_WRITE | X86_PF_INSTR, as for mmu_translate()
 * @phys: set to the physical address on success
 * @error_code: set to the page-fault error code on failure
 *
 * Return: 0, or -EFAULT with *error_code set (counted in nr_faults).
 */
int __mmu_translate_slow(struct machine *m, unsigned int cpu, u64 va, unsigned int access,
			 phys_addr_t *phys, unsigned int *error_code)
{
	struct mmu_walk w = { .va = va, .access = access };
	struct mmu_cpu *c;
	enum walk_result r;
	phys_addr_t cr3;
	u64 gen;

	if (VM_WARN_ON(m, cpu >= NR_CPUS)) {
		*error_code = access & (X86_PF_WRITE | X86_PF_USER);
		return -EFAULT;
	}
	c = &m->mmu.cpu[cpu];
	c->nr_tlb_misses++;
	if (unlikely(!m->mmu.ready))
		mmu_init(m);
	mmu_mark_active(m, cpu);
	cr3 = c->cr3 ? c->cr3 : m->pgtables.swapper_pg_dir;
	do {
		gen = __atomic_load_n(&c->flush_gen, __ATOMIC_SEQ_CST);
		w.perm = TLB_PERM_WRITE | TLB_PERM_USER | TLB_PERM_EXEC;
		c->nr_walks++;
		r = mmu_walk(m, cr3, &w);
	} while (r == WALK_RETRY);
	if (r == WALK_FAULT) {
		c->nr_faults++;
		tlb_invalidate_local(m, cpu, va, c->asid);
		*error_code = w.error_code;
		return -EFAULT;
	}
	tlb_fill(m, cpu, va, c->asid, w.pa, w.perm, w.shift);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&c->flush_gen, __ATOMIC_SEQ_CST) != gen)
		tlb_invalidate_local(m, cpu, va, c->asid);	/* a flush raced with the fill */
	*phys = w.pa | (va & ~PAGE_MASK);
	return 0;
}
