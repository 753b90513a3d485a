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
 * get_user_pages/pin_user_pages (below) hand the kernel references on
 * user pages: COW is never resolved by reusing a page with such a
 * reference (do_wp_page copies unless the refcount is 1), and a FOLL_FORCE
 * write to a read-only private mapping goes to a private copy only.
 *
 * Invariant: populate/faultin callers hold the mm's mmap lock for reading;
 * no VMA changes here. GUP references are recorded in m->gup. */
#include "mm/gup.h"

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

/* ---- get_user_pages / pin_user_pages (cf. __get_user_pages,
 * check_vma_flags, follow_page_pte, can_follow_write_pte, try_grab_folio,
 * unpin_user_page). The mmap lock is taken here (as
 * get_user_pages_unlocked does) and dropped around every fault's retry,
 * as VM_FAULT_RETRY drops it in Linux: the VMA is looked up again after.
 * Each reference handed out is recorded in m->gup until it is put back. */

/* Record @delta references of @page in m->gup (cf. nothing in Linux: the
 * checker's bookkeeping). */
static void gup_account(struct machine *m, struct page *page, long delta)
{
	unsigned long pfn = page_to_pfn(m, page);
	int i;

	for (i = 0; i < m->gup.nr; i++)
		if (m->gup.ref[i].pfn == pfn)
			break;
	if (i == m->gup.nr) {
		if (VM_WARN_ON(m, delta < 0 || i == (int)ARRAY_SIZE(m->gup.ref)))
			return;
		m->gup.ref[m->gup.nr].pfn = pfn;
		m->gup.ref[m->gup.nr++].refs = 0;
	}
	m->gup.ref[i].refs += delta;
	VM_WARN_ON(m, m->gup.ref[i].refs < 0);
	if (m->gup.ref[i].refs <= 0)
		m->gup.ref[i] = m->gup.ref[--m->gup.nr];
}

/**
 * gup_refs() - references get_user_pages/pin_user_pages hold on @page
 * @m: the machine
 * @page: the page
 *
 * Return: the count (GUP_PIN_COUNTING_BIAS per pin, 1 per get).
 */
long gup_refs(const struct machine *m, const struct page *page)
{
	unsigned long pfn = page_to_pfn(m, page);

	for (int i = 0; i < m->gup.nr; i++)
		if (m->gup.ref[i].pfn == pfn)
			return m->gup.ref[i].refs;
	return 0;
}

/**
 * page_maybe_dma_pinned() - may @page be pinned? (cf. folio_maybe_dma_pinned:
 *	a refcount of GUP_PIN_COUNTING_BIAS or more)
 * @page: the page
 *
 * Return: true when it may be.
 */
bool page_maybe_dma_pinned(const struct page *page)
{
	return page_count(page) >= GUP_PIN_COUNTING_BIAS;
}

/* May GUP touch @vma this way? (cf. check_vma_flags) */
static long check_vma_flags(struct vm_area_struct *vma, unsigned int gup_flags)
{
	vm_flags_t f = vma->vm_flags;

	if (f & (VM_IO | VM_PFNMAP))
		return -EFAULT;
	if (gup_flags & FOLL_WRITE) {
		if (!(f & VM_WRITE)) {
			if (!(gup_flags & FOLL_FORCE))
				return -EFAULT;
			/* FOLL_FORCE writes only where COW can happen */
			if ((f & (VM_SHARED | VM_MAYWRITE)) != VM_MAYWRITE)
				return -EFAULT;
		}
	} else if (!(f & VM_READ)) {
		if (!(gup_flags & FOLL_FORCE) || !(f & VM_MAYREAD))
			return -EFAULT;
	}
	return 0;
}

/* May a FOLL_WRITE follow this read-only pte? Only a FOLL_FORCE write
 * to a private COW mapping whose page is already ours alone: the COW was
 * broken by the fault before (cf. can_follow_write_pte, which asks
 * PageAnonExclusive; the Dirty COW fix). */
static bool can_follow_write_pte(struct machine *m, pte_t pte, struct page *page,
				 struct vm_area_struct *vma, unsigned int gup_flags)
{
	if (pte_write(pte))
		return true;
	if (!(gup_flags & FOLL_FORCE) || (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) ||
	    !(vma->vm_flags & VM_MAYWRITE) || (vma->vm_flags & VM_WRITE))
		return false;
	return page && PageAnon(page) && page_mapcount(page) == 1 &&
	       page_count(page) == 1 + gup_refs(m, page);
}

/* The page mapped at @addr for this access, or NULL when a fault is
 * needed first (cf. follow_page_pte). */
static struct page *follow_page_pte(struct machine *m, struct vm_area_struct *vma,
				    unsigned long addr, unsigned int gup_flags)
{
	ptep_t *ptep = pte_offset_user(m, vma->vm_mm, addr);
	struct page *page;
	pte_t pte;

	if (!ptep)
		return NULL;
	pte = ptep_get(m, ptep);
	if (!pte_present(pte))
		return NULL;
	page = vm_normal_page(m, vma, addr, pte);
	if ((gup_flags & FOLL_WRITE) && !can_follow_write_pte(m, pte, page, vma, gup_flags))
		return NULL;
	if (!page)	/* the zero page, read */
		return is_zero_pfn(m, pte_pfn(pte)) ? pfn_to_page(m, pte_pfn(pte)) : NULL;
	return page;
}

/* Take the references GUP hands out (cf. try_grab_folio). */
static void gup_grab(struct machine *m, struct page *page, unsigned int gup_flags)
{
	long n = (gup_flags & FOLL_PIN) ? GUP_PIN_COUNTING_BIAS : 1;

	__atomic_fetch_add(&page->_refcount, (int)n, __ATOMIC_ACQ_REL);
	gup_account(m, page, n);
}

/* Fault @addr in for GUP with the lock held; drops it, runs the test
 * hook, and retakes it (the VM_FAULT_RETRY dance). */
static long gup_fault(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
		      unsigned long addr, unsigned int gup_flags)
{
	unsigned int flags = (gup_flags & FOLL_WRITE) ? FAULT_FLAG_WRITE : 0;
	long err;

	if (gup_flags & FOLL_REMOTE)
		flags |= FAULT_FLAG_REMOTE;
	err = vm_fault_to_errno(handle_mm_fault(m, vma, addr, flags));
	mmap_read_unlock(mm);
	if (m->test_hook)
		m->test_hook(m, MMKIT_HOOK_GUP_RETRY, m->test_hook_arg);
	mmap_read_lock(mm);
	return err;
}

/**
 * get_user_pages_remote() - take references on @nr_pages user pages of @mm
 *	from @start (cf. get_user_pages_remote, __get_user_pages)
 * @m: the machine
 * @mm: the address space
 * @start: page-aligned user address
 * @nr_pages: how many pages
 * @gup_flags: FOLL_WRITE (the pages will be written: break COW first),
 *	FOLL_FORCE (ignore VM_READ/VM_WRITE, as ptrace does: a write to a
 *	read-only private mapping COWs into a private page, never writes the
 *	original), FOLL_PIN (pin: GUP_PIN_COUNTING_BIAS references), else
 *	FOLL_GET (one reference)
 * @pages: receives the pages (each with its references)
 *
 * Faults pages in as needed; never expands a stack. The mmap lock is
 * taken here and dropped around each fault's retry.
 * Return: the pages taken (fewer than asked when one failed), or -EFAULT
 * (no VMA, or it forbids the access), -ENOMEM, -EINVAL (unaligned start,
 * FOLL_GET with FOLL_PIN).
 */
long get_user_pages_remote(struct machine *m, struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags, struct page **pages)
{
	unsigned long i;
	long err = 0;

	if ((start & ~PAGE_MASK) || !pages ||
	    (gup_flags & (FOLL_GET | FOLL_PIN)) == (FOLL_GET | FOLL_PIN))
		return -EINVAL;
	if (!(gup_flags & FOLL_PIN))
		gup_flags |= FOLL_GET;
	mmap_read_lock(mm);
	for (i = 0; i < nr_pages && !err; i++) {
		unsigned long addr = start + i * PAGE_SIZE;
		int tries = 0;

		for (;;) {
			struct vm_area_struct *vma = vma_lookup(m, mm, addr);
			struct page *page;

			if (!vma) {
				err = -EFAULT;
				break;
			}
			err = check_vma_flags(vma, gup_flags);
			if (err)
				break;
			page = follow_page_pte(m, vma, addr, gup_flags);
			if (page) {
				gup_grab(m, page, gup_flags);
				pages[i] = page;
				break;
			}
			if (++tries > 16) {	/* Linux loops; a test hook could starve us */
				err = -EAGAIN;
				break;
			}
			err = gup_fault(m, mm, vma, addr, gup_flags);
			if (err)
				break;
		}
	}
	mmap_read_unlock(mm);
	if (err)
		i--;
	return i ? (long)i : err;
}

/**
 * get_user_pages() - get_user_pages_remote() on the current task's mm
 * @m: the machine
 * @start: page-aligned user address
 * @nr_pages: how many pages
 * @gup_flags: FOLL_WRITE, FOLL_FORCE
 * @pages: receives the pages; put each back with put_user_page_ref()
 *
 * Return: as get_user_pages_remote(), or -ESRCH with no current task.
 */
long get_user_pages(struct machine *m, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	struct task_struct *tsk = get_current(m);

	if (!tsk || !tsk->mm)
		return -ESRCH;
	return get_user_pages_remote(m, tsk->mm, start, nr_pages, gup_flags & ~FOLL_PIN, pages);
}

/**
 * pin_user_pages() - pin pages of the current task (cf. pin_user_pages):
 *	as get_user_pages() with FOLL_PIN
 * @m: the machine
 * @start: page-aligned user address
 * @nr_pages: how many pages
 * @gup_flags: FOLL_WRITE, FOLL_FORCE (FOLL_GET is refused)
 * @pages: receives the pages; unpin with unpin_user_page(s)()
 *
 * Return: as get_user_pages().
 */
long pin_user_pages(struct machine *m, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages)
{
	struct task_struct *tsk = get_current(m);

	if (gup_flags & FOLL_GET)
		return -EINVAL;
	if (!tsk || !tsk->mm)
		return -ESRCH;
	return get_user_pages_remote(m, tsk->mm, start, nr_pages, gup_flags | FOLL_PIN, pages);
}

/* Drop n GUP references; the last reference of all frees the page. */
static void gup_put(struct machine *m, struct page *page, long n)
{
	if (VM_WARN_ON(m, gup_refs(m, page) < n))
		return;
	gup_account(m, page, -n);
	if (is_zero_pfn(m, page_to_pfn(m, page))) {
		__atomic_fetch_sub(&page->_refcount, (int)n, __ATOMIC_ACQ_REL);
		return;
	}
	__atomic_fetch_sub(&page->_refcount, (int)(n - 1), __ATOMIC_ACQ_REL);
	put_page(m, page);
}

/**
 * put_user_page_ref() - drop the reference get_user_pages() took (put_page)
 * @m: the machine
 * @page: the page
 */
void put_user_page_ref(struct machine *m, struct page *page)
{
	gup_put(m, page, 1);
}

/**
 * unpin_user_page() - drop a pin (cf. unpin_user_page)
 * @m: the machine
 * @page: a page pin_user_pages() returned
 */
void unpin_user_page(struct machine *m, struct page *page)
{
	gup_put(m, page, GUP_PIN_COUNTING_BIAS);
}

/**
 * unpin_user_pages() - unpin_user_page() on each of @npages pages
 * @m: the machine
 * @pages: the pages
 * @npages: how many
 */
void unpin_user_pages(struct machine *m, struct page **pages, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++)
		unpin_user_page(m, pages[i]);
}
