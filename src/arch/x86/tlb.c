/* TLB management of the simulated CPUs: switch_mm (CR3 loads) and the
 * flushes of user addresses (cf. arch/x86/mm/tlb.c). STUB until the
 * software MMU lands. */
#include "mm/memory.h"

/**
 * switch_mm() - make @next the address space this CPU translates with
 *	(load its pgd into CR3, flush or retag the TLB) (cf. switch_mm)
 * @m: the machine
 * @prev: the address space switched from, or NULL
 * @next: the address space switched to, or NULL (kernel thread: keep prev)
 *
 * HOOK: the software MMU issue gives CPUs a CR3 and a TLB.
 */
void switch_mm(struct machine *m, struct mm_struct *prev, struct mm_struct *next)
{
	(void)m;
	(void)prev;
	(void)next;
}

void flush_tlb_page(struct machine *m, struct vm_area_struct *vma, unsigned long addr)
{
	(void)m;
	(void)vma;
	(void)addr;
}

void flush_tlb_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		     unsigned long end)
{
	(void)m;
	(void)vma;
	(void)start;
	(void)end;
}

void flush_tlb_mm(struct machine *m, struct mm_struct *mm)
{
	(void)m;
	(void)mm;
}
