/* mlock(2), mlock2, munlock, mlockall, munlockall, and populating a range
 * (cf. mm/mlock.c, mm/gup.c __mm_populate; seed 002: "mlockall(MCL_CURRENT)
 * 时 ... def_flags设置为VM_LOCKED").
 *
 * Locking sets VM_LOCKED (VM_LOCKONFAULT too with MLOCK_ONFAULT/MCL_ONFAULT)
 * on the VMAs of the range, splitting and merging them like mprotect, and
 * counts their pages in locked_vm within RLIMIT_MEMLOCK (unless
 * CAP_IPC_LOCK). mlock then populates the range; populating memory that
 * cannot be accessed (PROT_NONE) fails, and mlock turns that into -ENOMEM
 * with the VMAs left locked, as Linux does. mlockall(MCL_FUTURE) puts
 * VM_LOCKED into mm->def_flags so later mappings are locked too.
 *
 * mlock_vma_pages_range() marks the pages already present PG_mlocked (the
 * input of the unevictable LRU, which comes with the reclaim issue);
 * munlock clears the flag only on a page this mapping alone maps. Linux
 * keeps an mlock_count per folio to know whether another VM_LOCKED VMA
 * still maps a shared page; mmkit keeps it simple: a page with other
 * mappers stays PG_mlocked until its last mapping goes (zap clears it then),
 * as a "stranded" mlocked page that reclaim re-checks in Linux too.
 *
 * Invariant: locked_vm is the page sum of the VM_LOCKED VMAs (check_vmas). */
#include "mm/pagewalk.h"

/**
 * __mm_populate() - fault in [@start, @start + @len) (cf. __mm_populate)
 * @m: the machine
 * @mm: the address space (not locked by the caller)
 * @start: page-aligned start
 * @len: length
 * @ignore_errors: skip VMAs that fail instead of stopping
 *
 * Holes and VM_IO/VM_PFNMAP VMAs are skipped. Returns 0 or the error of
 * the first VMA that failed (-EFAULT for one that cannot be accessed).
 */
int __mm_populate(struct machine *m, struct mm_struct *mm, unsigned long start,
		  unsigned long len, bool ignore_errors)
{
	unsigned long end = start + len, nstart, nend;
	struct vm_area_struct *vma = NULL;
	long ret = 0;

	mmap_read_lock(mm);
	for (nstart = start; nstart < end; nstart = nend) {
		vma = find_vma_intersection(m, mm, vma ? max(nstart, vma->vm_end) : nstart, end);
		if (!vma)
			break;
		nend = min(end, vma->vm_end);
		if (vma->vm_flags & (VM_IO | VM_PFNMAP))
			continue;
		if (nstart < vma->vm_start)
			nstart = vma->vm_start;
		ret = populate_vma_page_range(m, vma, nstart, nend);
		if (ret < 0) {
			if (ignore_errors) {
				ret = 0;
				continue;
			}
			break;
		}
		/* the pages just faulted in join the locked ones (the fault
		 * path's mlock_new_folio) */
		if (vma->vm_flags & VM_LOCKED)
			mlock_vma_pages_range(m, vma, nstart, nend, vma->vm_flags);
		ret = 0;
	}
	mmap_read_unlock(mm);
	return (int)ret;
}

/* Lock or unlock the page of one present pte (cf. mlock_pte_range). */
static int mlock_pte_entry(struct mm_walk *walk, ptep_t *ptep, unsigned long addr)
{
	bool lock = *(const bool *)walk->private;
	pte_t pte = ptep_get(walk->m, ptep);
	struct page *page;

	if (!pte_present(pte))
		return 0;
	page = vm_normal_page(walk->m, walk->vma, addr, pte);
	if (!page)
		return 0;
	if (lock)
		mlock_page(walk->m, page);	/* mlock_folio */
	else if (page_mapcount(page) <= 1)
		munlock_page(walk->m, page);	/* munlock_folio, last locker */
	return 0;
}

static const struct mm_walk_ops mlock_walk_ops = {
	.pte_entry = mlock_pte_entry,
};

/**
 * mlock_vma_pages_range() - mark the present pages of [@start, @end)
 *	mlocked or not, per @newflags (cf. mlock_vma_pages_range)
 * @m: the machine
 * @vma: the VMA, its vm_flags already @newflags
 * @start: start
 * @end: end
 * @newflags: the new flags: VM_LOCKED sets PG_mlocked, its absence clears
 *	it on pages no other mapping shares
 */
void mlock_vma_pages_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, vm_flags_t newflags)
{
	bool lock = newflags & VM_LOCKED;

	if (VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end || start > end))
		return;
	walk_page_range(m, vma->vm_mm, start, end, &mlock_walk_ops, vma, &lock, NULL);
}

/* mlock's view of populate errors (cf. __mlock_posix_error_return). */
static int mlock_posix_error(int err)
{
	if (err == -EFAULT)
		return -ENOMEM;
	if (err == -ENOMEM)
		return -EAGAIN;
	return err;
}

/* Give [start, end) of vma newflags' lock bits (cf. mlock_fixup). */
static int mlock_fixup(struct machine *m, struct vm_area_struct *vma,
		       struct vm_area_struct **prev, unsigned long start, unsigned long end,
		       vm_flags_t newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	vm_flags_t oldflags = vma->vm_flags;
	long nr_pages;

	if (newflags == oldflags || (oldflags & (VM_SPECIAL | VM_HUGETLB))) {
		*prev = vma;	/* don't set VM_LOCKED, don't count */
		return 0;
	}
	vma = vma_modify_flags(m, *prev, vma, start, end, newflags);
	if (IS_ERR(vma))
		return (int)PTR_ERR(vma);
	*prev = vma;
	nr_pages = (long)((end - start) >> PAGE_SHIFT);
	if (!(newflags & VM_LOCKED))
		nr_pages = -nr_pages;
	else if (oldflags & VM_LOCKED)
		nr_pages = 0;
	mm->locked_vm += nr_pages;
	vma->vm_flags = newflags;
	if (!((newflags & VM_LOCKED) && (oldflags & VM_LOCKED)))
		mlock_vma_pages_range(m, vma, start, end, newflags);
	return 0;
}

/* Set the lock bits flags on every VMA of [start, start + len), which must
 * be mapped without holes (cf. apply_vma_lock_flags). */
static int apply_vma_lock_flags(struct machine *m, struct mm_struct *mm, unsigned long start,
				unsigned long len, vm_flags_t flags)
{
	unsigned long nstart, end = uword(m, start + len), tmp;
	struct vm_area_struct *vma, *prev;
	int error;

	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vma = vma_lookup(m, mm, start);
	if (!vma)
		return -ENOMEM;
	prev = start > vma->vm_start ? vma : vma->vm_prev;
	nstart = start;
	tmp = vma->vm_start;
	for (; vma && vma->vm_start < end; vma = prev->vm_next) {
		vm_flags_t newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | flags;

		if (vma->vm_start != tmp)
			return -ENOMEM;
		tmp = min(vma->vm_end, end);
		error = mlock_fixup(m, vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		tmp = prev->vm_end;
		nstart = tmp;
		if (nstart >= end)
			return 0;
	}
	return tmp < end ? -ENOMEM : 0;
}

/* Pages of [start, start + len) already locked (cf. count_mm_mlocked_page_nr). */
static unsigned long count_mm_mlocked_page_nr(struct machine *m, struct mm_struct *mm,
					      unsigned long start, unsigned long len)
{
	unsigned long end = (~0UL - len < start) ? ~0UL : start + len, count = 0;
	struct vm_area_struct *vma;

	for (vma = find_vma(m, mm, start); vma && vma->vm_start < end; vma = vma->vm_next) {
		if (!(vma->vm_flags & VM_LOCKED))
			continue;
		if (start > vma->vm_start)
			count -= start - vma->vm_start;
		if (end < vma->vm_end) {
			count += end - vma->vm_start;
			break;
		}
		count += vma->vm_end - vma->vm_start;
	}
	return count >> PAGE_SHIFT;
}

static long do_mlock(struct machine *m, unsigned long start, unsigned long len, vm_flags_t flags)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long locked, lock_limit;
	int error = -ENOMEM;

	if (!mm)
		return -ESRCH;
	if (!can_do_mlock(m))
		return -EPERM;
	start = uword(m, start);
	len = uword(m, PAGE_ALIGN(uword(m, uword(m, len) + offset_in_page(start))));
	start &= PAGE_MASK;
	lock_limit = rlimit(m, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	locked = len >> PAGE_SHIFT;
	mmap_write_lock(mm);
	locked += mm->locked_vm;
	if (locked > lock_limit && !capable(m, CAP_IPC_LOCK))
		locked -= count_mm_mlocked_page_nr(m, mm, start, len);
	if (locked <= lock_limit || capable(m, CAP_IPC_LOCK))
		error = apply_vma_lock_flags(m, mm, start, len, flags);
	mmap_write_unlock(mm);
	if (!error) {
		error = __mm_populate(m, mm, start, len, false);
		if (error)
			error = mlock_posix_error(error);
	}
	if (m->debug_vm >= 2)
		check_vmas(m);
	return error;
}

/**
 * sys_mlock() - mlock(2)
 * @m: the machine
 * @start: start (rounded down to a page)
 * @len: length (rounded up, from the rounded start)
 *
 * Returns 0; -EPERM (RLIMIT_MEMLOCK 0, no CAP_IPC_LOCK); -ENOMEM (over
 * RLIMIT_MEMLOCK, a hole, or inaccessible memory); -EAGAIN; -EINVAL.
 */
long sys_mlock(struct machine *m, unsigned long start, unsigned long len)
{
	return do_mlock(m, start, len, VM_LOCKED);
}

/**
 * sys_mlock2() - mlock2(2)
 * @m: the machine
 * @start: start
 * @len: length
 * @flags: 0 or MLOCK_ONFAULT (lock pages as they are faulted in)
 */
long sys_mlock2(struct machine *m, unsigned long start, unsigned long len, int flags)
{
	vm_flags_t vm_flags = VM_LOCKED;

	if (flags & ~(int)MLOCK_ONFAULT)
		return -EINVAL;
	if (flags & MLOCK_ONFAULT)
		vm_flags |= VM_LOCKONFAULT;
	return do_mlock(m, start, len, vm_flags);
}

/**
 * sys_munlock() - munlock(2)
 * @m: the machine
 * @start: start (rounded down)
 * @len: length
 *
 * Returns 0, -ENOMEM (a hole), -EINVAL.
 */
long sys_munlock(struct machine *m, unsigned long start, unsigned long len)
{
	struct mm_struct *mm = current_mm(m);
	long ret;

	if (!mm)
		return -ESRCH;
	start = uword(m, start);
	len = uword(m, PAGE_ALIGN(uword(m, uword(m, len) + offset_in_page(start))));
	start &= PAGE_MASK;
	mmap_write_lock(mm);
	ret = apply_vma_lock_flags(m, mm, start, len, 0);
	mmap_write_unlock(mm);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return ret;
}

/* (Un)lock every VMA and set def_flags (cf. apply_mlockall_flags). */
static void apply_mlockall_flags(struct machine *m, struct mm_struct *mm, int flags)
{
	struct vm_area_struct *vma, *prev = NULL, *next;
	vm_flags_t to_add = 0;

	mm->def_flags &= ~VM_LOCKED_MASK;
	if (flags & MCL_FUTURE) {
		mm->def_flags |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			mm->def_flags |= VM_LOCKONFAULT;
		if (!(flags & MCL_CURRENT))
			return;
	}
	if (flags & MCL_CURRENT) {
		to_add |= VM_LOCKED;
		if (flags & MCL_ONFAULT)
			to_add |= VM_LOCKONFAULT;
	}
	for (vma = mm->mmap; vma; vma = next) {
		vm_flags_t newflags = (vma->vm_flags & ~VM_LOCKED_MASK) | to_add;

		/* Errors are ignored; prev is what the walk continues after. */
		if (mlock_fixup(m, vma, &prev, vma->vm_start, vma->vm_end, newflags))
			prev = vma;
		next = prev->vm_next;
	}
}

/**
 * sys_mlockall() - mlockall(2)
 * @m: the machine
 * @flags: MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT (not alone)
 *
 * Returns 0; -EINVAL (bad flags); -EPERM (no RLIMIT_MEMLOCK, no
 * CAP_IPC_LOCK); -ENOMEM (MCL_CURRENT with total_vm over RLIMIT_MEMLOCK).
 */
long sys_mlockall(struct machine *m, int flags)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long lock_limit;
	long ret = -ENOMEM;

	if (!mm)
		return -ESRCH;
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(m))
		return -EPERM;
	lock_limit = rlimit(m, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	mmap_write_lock(mm);
	if (!(flags & MCL_CURRENT) || mm->total_vm <= lock_limit || capable(m, CAP_IPC_LOCK)) {
		apply_mlockall_flags(m, mm, flags);
		ret = 0;
	}
	mmap_write_unlock(mm);
	if (!ret && (flags & MCL_CURRENT))
		__mm_populate(m, mm, 0, mm->task_size, true);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return ret;
}

/**
 * sys_munlockall() - munlockall(2): unlock everything, clear MCL_FUTURE
 * @m: the machine
 */
long sys_munlockall(struct machine *m)
{
	struct mm_struct *mm = current_mm(m);

	if (!mm)
		return -ESRCH;
	mmap_write_lock(mm);
	apply_mlockall_flags(m, mm, 0);
	mmap_write_unlock(mm);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return 0;
}
