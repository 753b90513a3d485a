/* Faulting user pages in on behalf of the kernel (cf. mm/gup.c):
 * MAP_POPULATE, MAP_LOCKED, mlock and MADV_POPULATE_* call
 * populate_vma_page_range(). STUB until the page-fault work lands. */
#include "mm/memory.h"

/**
 * populate_vma_page_range() - fault in [@start, @end) of @vma (cf.
 *	populate_vma_page_range): write faults for private writable memory
 *	(to break COW), read faults otherwise
 * @m: the machine
 * @vma: the VMA
 * @start: start within @vma
 * @end: end within @vma
 *
 * Returns the pages populated, or -EFAULT for a VMA that allows no access
 * at all (get_user_pages refuses PROT_NONE). VM_LOCKONFAULT ranges are not
 * faulted in. HOOK: the faults themselves come with the page-fault issue.
 */
long populate_vma_page_range(struct machine *m, struct vm_area_struct *vma,
			     unsigned long start, unsigned long end)
{
	long nr_pages = (long)((end - start) >> PAGE_SHIFT);

	(void)m;
	if (vma->vm_flags & VM_LOCKONFAULT)
		return nr_pages;
	if (!vma_is_accessible(vma))
		return -EFAULT;
	return nr_pages;
}

