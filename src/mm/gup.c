/* Faulting user pages in on behalf of the kernel (cf. mm/gup.c
 * populate_vma_page_range, __get_user_pages, follow_page_pte,
 * faultin_page, check_vma_flags, faultin_page_range): MAP_POPULATE,
 * MAP_LOCKED, mlock, brk under mlockall(MCL_FUTURE) and mremap of locked
 * memory call populate_vma_page_range(); MADV_POPULATE_READ/WRITE call
 * faultin_page_range(), which faults as the advice says, not as the
 * mapping suggests.
 *
 * Each page of the range is looked up in the page tables first (a page
 * already mapped with the access needed costs nothing); otherwise it is
 * faulted in with handle_mm_fault, as the CPU would, but in kernel mode
 * (no FAULT_FLAG_USER) and with no signal on failure. Private writable
 * memory is faulted for writing, to break COW and replace the zero page
 * now rather than on the first store; everything else for reading (a
 * read-only private mapping gets the zero page, as in Linux).
 *
 * Invariant: the caller holds the mm's mmap lock for reading; no VMA
 * changes here. */
#include "mm/memory.h"

/* Is the page at @addr already there for this access? (cf. follow_page_pte) */
static bool page_present_for(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			     bool write)
{
	ptep_t *ptep = pte_offset_user(m, vma->vm_mm, addr);
	pte_t pte;

	if (!ptep)
		return false;
	pte = ptep_get(m, ptep);
	if (!(pte_val(pte) & _PAGE_PRESENT))
		return false;
	return !write || pte_write(pte);
}

/* The errno a failed fault means to GUP (cf. vm_fault_to_errno). */
static long vm_fault_to_errno(vm_fault_t ret)
{
	if (ret & VM_FAULT_OOM)
		return -ENOMEM;
	if (ret & (VM_FAULT_HWPOISON | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV))
		return -EFAULT;
	return 0;
}

/* Fault in [start, end) of vma for reading or writing, as the CPU would
 * (cf. __get_user_pages' loop). Returns the pages or the errno. */
static long faultin_vma_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			      unsigned long end, bool write)
{
	unsigned int flags = write ? FAULT_FLAG_WRITE : 0;
	unsigned long addr;

	if (get_current(m) && get_current(m)->mm != vma->vm_mm)
		flags |= FAULT_FLAG_REMOTE;
	for (addr = start; addr < end; addr += PAGE_SIZE) {
		vm_fault_t ret;
		long err;

		if (page_present_for(m, vma, addr, write))
			continue;
		ret = handle_mm_fault(m, vma, addr, flags);
		err = vm_fault_to_errno(ret);
		if (err)
			return err;
	}
	return (long)((end - start) >> PAGE_SHIFT);
}

/**
 * populate_vma_page_range() - fault in [@start, @end) of @vma (cf.
 *	populate_vma_page_range): write faults for private writable memory
 *	(to break COW), read faults otherwise
 * @m: the machine
 * @vma: the VMA (its mm's mmap lock held for reading)
 * @start: page-aligned start within @vma
 * @end: page-aligned end within @vma
 *
 * Returns the pages in the range (VM_LOCKONFAULT ranges are left to fault
 * on touch, yet counted, as Linux does), -EFAULT for a VMA that allows no access
 * at all (get_user_pages refuses PROT_NONE) or for VM_IO/VM_PFNMAP, or
 * -ENOMEM when memory ran out (pages faulted before stay).
 */
long populate_vma_page_range(struct machine *m, struct vm_area_struct *vma,
			     unsigned long start, unsigned long end)
{
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end);
	if (vma->vm_flags & VM_LOCKONFAULT)
		return (long)((end - start) >> PAGE_SHIFT);
	if (!vma_is_accessible(vma) || (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return -EFAULT;
	return faultin_vma_range(m, vma, start, end,
				 (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE);
}

/**
 * faultin_page_range() - fault in [@start, @end) of @vma readable or
 *	writable as the caller asks, whatever the mapping (cf.
 *	faultin_page_range, for MADV_POPULATE_READ/WRITE)
 * @m: the machine
 * @vma: the VMA (its mm's mmap lock held)
 * @start: page-aligned start within @vma
 * @end: page-aligned end within @vma
 * @write: write faults (break COW, dirty shared pages); else read faults,
 *	which map the zero page on private anonymous memory
 *
 * No FOLL_FORCE: the VMA must allow the access. Returns the pages, -EINVAL
 * for an incompatible mapping (VM_IO/VM_PFNMAP, or a permission missing),
 * -EFAULT when a fault fails with SIGBUS/SIGSEGV, -ENOMEM without memory.
 */
long faultin_page_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			unsigned long end, bool write)
{
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end);
	if ((vma->vm_flags & (VM_IO | VM_PFNMAP)) ||
	    !(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		return -EINVAL;	/* check_vma_flags, as FOLL_MADV_POPULATE reports it */
	return faultin_vma_range(m, vma, start, end, write);
}
