/* The software MMU's internal interface: address translation with the TLB
 * fast path inline, and the CR3/TLB management of src/arch/x86/tlb.c (cf.
 * arch/x86/include/asm/tlbflush.h, asm/mmu_context.h).
 *
 * mmu_translate() is what a simulated CPU does for every memory access: a
 * TLB hit costs one indexed load and two compares; a miss walks the page
 * tables from CR3 (__mmu_translate_slow in mmu.c).
 *
 * Invariant: a TLB hit returns what a walk returned when the entry was
 * filled; the entry stays until a flush (or a page fault at that address)
 * drops it, whatever happens to the page tables meanwhile. */
#ifndef MMKIT_ARCH_X86_MMU_H
#define MMKIT_ARCH_X86_MMU_H

#include "mm/memory.h"

/* ---- in arch/x86/mmu.c ---- */

void mmu_init(struct machine *m);
int __mmu_translate_slow(struct machine *m, unsigned int cpu, u64 va, unsigned int access,
			 phys_addr_t *phys, unsigned int *error_code);

/* The set of cpu's TLB holding va's translation. */
static inline struct tlb_set *tlb_set_of(struct machine *m, unsigned int cpu, u64 va)
{
	return &m->mmu.tlb[cpu][(va >> PAGE_SHIFT) & (TLB_SETS - 1)];
}

/* Does entry e translate the page with tag in address space asid? */
static inline bool tlb_entry_match(const struct tlb_entry *e, u64 tag, u64 asid)
{
	return __atomic_load_n(&e->tag, __ATOMIC_RELAXED) == tag &&
	       (e->asid == asid || (e->perm & TLB_GLOBAL));
}

/* Does e translate tag in address space asid and allow access? One
 * branch: the tests are combined bitwise. */
static inline bool tlb_hit(const struct tlb_entry *e, u64 tag, u64 asid, unsigned int access)
{
	u32 perm = e->perm;

	return ((__atomic_load_n(&e->tag, __ATOMIC_RELAXED) == tag) &
		((e->asid == asid) | ((perm & TLB_GLOBAL) != 0)) &
		((access & ~perm & TLB_PERM_NEED) == 0)) != 0;
}

/**
 * mmu_translate() - translate @va as the calling thread's CPU would
 * @m: the machine
 * @va: the virtual address
 * @access: X86_PF_USER (user mode, else supervisor) | X86_PF_WRITE (a
 *	write) | X86_PF_INSTR (an instruction fetch); 0 is a supervisor read
 * @phys: set to the physical address on success
 * @error_code: set to the X86_PF_* error code on failure
 *
 * Looks up the CPU's TLB; on a miss (or an entry that does not allow the
 * access) walks the page tables from CR3, setting Accessed and Dirty
 * bits, and caches the result. Does not call the fault handler.
 * Return: 0, or -EFAULT when the access raises a page fault.
 */
static inline int mmu_translate(struct machine *m, u64 va, unsigned int access,
				phys_addr_t *phys, unsigned int *error_code)
{
	unsigned int cpu = smp_processor_id(m);
	u64 tag = (va & PAGE_MASK) | 1;
	const struct tlb_entry *e;
	struct mmu_cpu *c;
	unsigned int w;

	if (likely(cpu < NR_CPUS)) {
		c = &m->mmu.cpu[cpu];
		e = tlb_set_of(m, cpu, va)->way;
		for (w = 0; w < TLB_WAYS; w++, e++) {
			if (likely(tlb_hit(e, tag, c->asid, access))) {
				c->nr_tlb_hits++;
				*phys = e->pa | (va & ~PAGE_MASK);
				return 0;
			}
		}
	}
	return __mmu_translate_slow(m, cpu, va, access, phys, error_code);
}

/* ---- in arch/x86/tlb.c ---- */

void switch_mm(struct machine *m, struct mm_struct *prev, struct mm_struct *next);
void destroy_context(struct machine *m, struct mm_struct *mm);
void kernel_tlb_flush(struct machine *m, enum tlb_flush_kind kind, u64 start, u64 end);
void tlb_fill(struct machine *m, unsigned int cpu, u64 va, u64 asid, u64 pa, u32 perm,
	      unsigned int shift);
void tlb_invalidate_local(struct machine *m, unsigned int cpu, u64 va, u64 asid);

/* ---- in arch/x86/uaccess.c ---- */

void mmu_sync_current(struct machine *m);

#endif
