/* What the VMA layer asks of the page tables and of the pages: the seam
 * between address-space bookkeeping (VMAs) and translation (PTEs)
 * (cf. mm/memory.c unmap_vmas/free_pgtables, mm/mprotect.c
 * change_protection, mm/mremap.c move_page_tables, mm/gup.c
 * populate_vma_page_range, mm/mlock.c mlock_vma_pages_range,
 * arch/x86/mm/pgtable.c pgd_alloc, switch_mm).
 *
 * HOOKS, NOT YET IMPLEMENTED: no user page table has an entry before the
 * page-table and page-fault issues land, so each function below does only
 * the VMA-level part of its job and leaves the page-table part to them.
 * Every VMA operation already calls these exactly where Linux does the
 * page work:
 *   zap_vma_range      munmap, MAP_FIXED over a mapping, brk shrink,
 *                      mremap source, MADV_DONTNEED/REMOVE, exit_mmap
 *   free_pgtables      after every unmap, between the neighbouring VMAs
 *   change_protection  mprotect, after vm_page_prot changes
 *   move_page_tables   mremap moves (returns how much it moved)
 * *   mlock_vma_pages_range  mlock/munlock of present pages
 * Invariant: none of them changes a VMA. */
#include "mm/vma.h"

/**
 * zap_vma_range() - remove the PTEs of [@start, @end) within @vma (cf.
 *	zap_page_range_single / unmap_vmas); rss and page counts drop
 * @m: the machine
 * @vma: the VMA
 * @start: page-aligned start, within @vma
 * @end: page-aligned end, within @vma
 *
 * HOOK: no user PTE exists yet; the page-fault issue fills this in.
 */
void zap_vma_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		   unsigned long end)
{
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end || start > end);
}

/**
 * free_pgtables() - free the page-table pages that only covered unmapped
 *	space in [@floor, @ceiling) (0 ceiling: the top) (cf. free_pgtables)
 * @m: the machine
 * @mm: the address space
 * @floor: the end of the VMA below, or 0
 * @ceiling: the start of the VMA above, or 0 for none
 *
 * HOOK: user page tables come with the page-table issue.
 */
void free_pgtables(struct machine *m, struct mm_struct *mm, unsigned long floor,
		   unsigned long ceiling)
{
	(void)m;
	(void)mm;
	(void)floor;
	(void)ceiling;
}

/**
 * change_protection() - rewrite the present PTEs of [@start, @end) with
 *	@vma's new vm_page_prot, flushing the TLB (cf. change_protection)
 * @m: the machine
 * @vma: the VMA, vm_page_prot already updated
 * @start: start within @vma
 * @end: end within @vma
 *
 * HOOK: the page-fault issue fills this in.
 */
void change_protection(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		       unsigned long end)
{
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end);
}

/**
 * move_page_tables() - move the PTEs of [@old_addr, @old_addr + @len) to
 *	@new_addr (cf. move_page_tables)
 * @m: the machine
 * @vma: the source VMA
 * @old_addr: source start
 * @new_vma: the destination VMA
 * @new_addr: destination start
 * @len: bytes
 *
 * Returns the bytes moved; all of them while there is nothing to move.
 * HOOK: the page-fault issue fills this in.
 */
unsigned long move_page_tables(struct machine *m, struct vm_area_struct *vma,
			       unsigned long old_addr, struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len)
{
	(void)m;
	(void)vma;
	(void)old_addr;
	(void)new_vma;
	(void)new_addr;
	return len;
}

/**
 * mlock_vma_pages_range() - mark the present pages of [@start, @end)
 *	mlocked or not, per @newflags (cf. mlock_vma_pages_range)
 * @m: the machine
 * @vma: the VMA, its vm_flags already @newflags
 * @start: start
 * @end: end
 * @newflags: the new flags
 *
 * HOOK: PG_mlocked and the unevictable list come with the reclaim issue.
 */
void mlock_vma_pages_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, vm_flags_t newflags)
{
	(void)newflags;
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end);
}

/**
 * madvise_free_pte_range() - MADV_FREE: mark the anonymous pages of the
 *	range lazily freeable (cf. madvise_free_single_vma)
 * @m: the machine
 * @vma: an anonymous VMA
 * @start: start
 * @end: end
 *
 * HOOK: the reclaim issue fills this in.
 */
void madvise_free_pte_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end);
}

/**
 * madvise_willneed_range() - MADV_WILLNEED: start reading the range in
 *	(swap-in for anonymous memory, readahead for files)
 * @m: the machine
 * @vma: the VMA
 * @start: start
 * @end: end
 *
 * HOOK: the swap and page-cache issues fill this in.
 */
void madvise_willneed_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end);
}
