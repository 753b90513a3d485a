/* madvise(2): advice about a range (cf. mm/madvise.c).
 *
 * Two kinds of advice. Some set VMA flags -- MADV_NORMAL/RANDOM/SEQUENTIAL
 * (readahead), DONTFORK/DOFORK, WIPEONFORK/KEEPONFORK, DONTDUMP/DODUMP,
 * HUGEPAGE/NOHUGEPAGE, MERGEABLE/UNMERGEABLE -- and so split and merge
 * VMAs like mprotect. The others act on pages -- DONTNEED, FREE, WILLNEED,
 * COLD, PAGEOUT, POPULATE_READ/WRITE, REMOVE. DONTNEED (and REMOVE) zap
 * the range (zap_vma_range); FREE marks the exclusive anonymous pages
 * lazily freeable: their PTEs become clean and old, the pages lose
 * PG_dirty and PG_swapbacked (folio_mark_lazyfree), so reclaim (the next
 * issue) may drop them instead of swapping unless they are written again;
 * WILLNEED has nothing to read in for anonymous memory without swap; COLD
 * and PAGEOUT wait for reclaim.
 *
 * Holes in the range are skipped but make the call return -ENOMEM at the
 * end; an error from a VMA stops the walk (earlier VMAs keep the advice).
 *
 * Invariant: the mm stays consistent (check_vmas). */
#include "mm/pagewalk.h"
#include "mm/shmem_fs.h"
#include "mm/internal_vmscan.h"
#include "mm/swap.h"

static bool madvise_behavior_valid(const struct machine *m, int behavior)
{
	switch (behavior) {
	case MADV_DOFORK:
	case MADV_DONTFORK:
	case MADV_NORMAL:
	case MADV_SEQUENTIAL:
	case MADV_RANDOM:
	case MADV_REMOVE:
	case MADV_WILLNEED:
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
	case MADV_COLD:
	case MADV_PAGEOUT:
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE:
	case MADV_MERGEABLE:
	case MADV_UNMERGEABLE:
	case MADV_DONTDUMP:
	case MADV_DODUMP:
	case MADV_WIPEONFORK:
	case MADV_KEEPONFORK:
		return true;
	case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE:
	case MADV_COLLAPSE:
		return m->desc.arch != MMKIT_ARCH_I386;	/* CONFIG_TRANSPARENT_HUGEPAGE */
	default:
		return false;
	}
}

/* The flags advice gives vma; 0 and the flags unchanged for page advice.
 * Returns -EINVAL where the advice does not apply to this VMA. */
static int madvise_new_flags(const struct vm_area_struct *vma, int behavior,
			     vm_flags_t *new_flags)
{
	vm_flags_t f = vma->vm_flags;

	switch (behavior) {
	case MADV_NORMAL: f &= ~(VM_RAND_READ | VM_SEQ_READ); break;
	case MADV_SEQUENTIAL: f = (f & ~VM_RAND_READ) | VM_SEQ_READ; break;
	case MADV_RANDOM: f = (f & ~VM_SEQ_READ) | VM_RAND_READ; break;
	case MADV_DONTFORK: f |= VM_DONTCOPY; break;
	case MADV_DOFORK:
		if (f & VM_IO)
			return -EINVAL;
		f &= ~VM_DONTCOPY;
		break;
	case MADV_WIPEONFORK:
		if (vma->vm_file || (f & VM_SHARED))
			return -EINVAL;	/* private anonymous memory only */
		f |= VM_WIPEONFORK;
		break;
	case MADV_KEEPONFORK: f &= ~VM_WIPEONFORK; break;
	case MADV_DONTDUMP: f |= VM_DONTDUMP; break;
	case MADV_DODUMP:
		if (f & VM_SPECIAL)
			return -EINVAL;
		f &= ~VM_DONTDUMP;
		break;
	case MADV_HUGEPAGE: f = (f & ~VM_NOHUGEPAGE) | VM_HUGEPAGE; break;
	case MADV_NOHUGEPAGE: f = (f & ~VM_HUGEPAGE) | VM_NOHUGEPAGE; break;
	case MADV_MERGEABLE:	/* cf. ksm_madvise: not shared or special memory */
		if (!(f & (VM_SHARED | VM_MAYSHARE | VM_SPECIAL | VM_HUGETLB)))
			f |= VM_MERGEABLE;
		break;
	case MADV_UNMERGEABLE: f &= ~VM_MERGEABLE; break;
	default: break;
	}
	*new_flags = f;
	return 0;
}

static bool madvise_changes_flags(int behavior)
{
	switch (behavior) {
	case MADV_NORMAL: case MADV_SEQUENTIAL: case MADV_RANDOM:
	case MADV_DONTFORK: case MADV_DOFORK: case MADV_WIPEONFORK: case MADV_KEEPONFORK:
	case MADV_DONTDUMP: case MADV_DODUMP: case MADV_HUGEPAGE: case MADV_NOHUGEPAGE:
	case MADV_MERGEABLE: case MADV_UNMERGEABLE:
		return true;
	default:
		return false;
	}
}

/* MADV_FREE on one pte (cf. madvise_free_pte_range): only an anonymous
 * page this mapping alone maps; the pte turns old and clean. */
static int madvise_free_pte_entry(struct mm_walk *walk, ptep_t *ptep, unsigned long addr)
{
	bool *flush = walk->private;
	struct machine *m = walk->m;
	pte_t pte = ptep_get(m, ptep);
	struct page *page;

	if (is_pte_marker(m, pte)) {	/* poisoned: cleared, no slot, no counter */
		pte_clear(m, ptep);
		return 0;
	}
	if (is_swap_pte(pte)) {	/* the data may go: so may its slot */
		pte_clear(m, ptep);
		free_swap_and_cache(m, pte_to_swp_entry(m, pte));
		dec_mm_counter(walk->mm, MM_SWAPENTS);
		return 0;
	}
	if (!pte_present(pte))
		return 0;
	page = vm_normal_page(m, walk->vma, addr, pte);
	if (!page || !PageAnon(page) || page_mapcount(page) != 1)
		return 0;
	if (PageSwapCache(page))
		return 0;	/* its slot may hold older data: keep it (no folio_free_swap here) */
	ClearPageDirty(page);
	mark_page_lazyfree(m, page);
	if (pte_young(pte) || pte_dirty(pte)) {
		set_pte(m, ptep, pte_mkclean(pte_mkold(pte)));
		*flush = true;
	}
	return 0;
}

static const struct mm_walk_ops madvise_free_ops = {
	.pte_entry = madvise_free_pte_entry,
};

/**
 * madvise_free_pte_range() - MADV_FREE: mark the exclusive anonymous pages
 *	of the range lazily freeable (cf. madvise_free_single_vma)
 * @m: the machine
 * @vma: an anonymous VMA
 * @start: start within @vma
 * @end: end within @vma
 *
 * The pages stay mapped and counted; their PTEs lose Accessed and Dirty
 * (a later write sets Dirty again, which tells reclaim to keep the page).
 */
void madvise_free_pte_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	bool flush = false;

	if (VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end || start > end))
		return;
	walk_page_range(m, vma->vm_mm, start, end, &madvise_free_ops, vma, &flush, NULL);
	if (flush)
		flush_tlb_range(m, vma, start, end);
}

/**
 * madvise_willneed_range() - MADV_WILLNEED: start reading the range in
 *	(cf. madvise_willneed)
 * @m: the machine
 * @vma: the VMA
 * @start: start within @vma
 * @end: end within @vma
 *
 * Anonymous memory has nothing to read in until it can be swapped out (the
 * swap issue adds swap-in readahead here); file readahead comes with the
 * page cache. So this does nothing yet, as Linux does for anonymous memory
 * without swap entries.
 */
void madvise_willneed_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end)
{
	VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end);
}

/* Page advice on [start, end) of one VMA (cf. madvise_dontneed_free,
 * madvise_willneed, madvise_cold, madvise_pageout, madvise_remove). */
static int madvise_pages(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			 unsigned long end, int behavior)
{
	vm_flags_t f = vma->vm_flags;

	switch (behavior) {
	case MADV_DONTNEED:
	case MADV_DONTNEED_LOCKED:
	case MADV_FREE:
		if ((f & VM_PFNMAP) || (behavior != MADV_DONTNEED_LOCKED && (f & VM_LOCKED)))
			return -EINVAL;
		if (behavior == MADV_FREE) {
			if (!vma_is_anonymous(vma))
				return -EINVAL;
			madvise_free_pte_range(m, vma, start, end);
		} else {
			zap_vma_range(m, vma, start, end);
		}
		return 0;
	case MADV_WILLNEED:
		madvise_willneed_range(m, vma, start, end);	/* swap-in: swap issue */
		return 0;
	case MADV_COLD:
	case MADV_PAGEOUT:
		if (f & (VM_LOCKED | VM_PFNMAP | VM_HUGETLB))
			return -EINVAL;
		return 0;	/* deactivate / reclaim: reclaim issue */
	case MADV_REMOVE:
		if (f & VM_LOCKED)
			return -EINVAL;
		if (!vma->vm_file)
			return -EINVAL;
		if ((f & (VM_SHARED | VM_MAYWRITE)) != (VM_SHARED | VM_MAYWRITE))
			return -EACCES;
		zap_vma_range(m, vma, start, end);
		return shmem_punch_hole(m, vma, start, end);	/* vfs_fallocate(PUNCH_HOLE) */
	case MADV_POPULATE_READ:
	case MADV_POPULATE_WRITE: {
		/* read faults even on private writable memory (the zero page),
		 * write faults even on shared memory (cf. madvise_populate):
		 * -EINVAL incompatible mapping, -EFAULT SIGBUS/SIGSEGV,
		 * -ENOMEM out of memory */
		long ret = faultin_page_range(m, vma, start, end,
					      behavior == MADV_POPULATE_WRITE);

		return ret < 0 ? (int)ret : 0;
	}
	case MADV_COLLAPSE:
		return -EINVAL;	/* khugepaged: not built */
	default:
		return 0;
	}
}

/* Apply behavior to [start, end) of vma; *prev gets the VMA now covering
 * the range's end (cf. madvise_vma_behavior). */
static int madvise_vma_behavior(struct machine *m, struct vm_area_struct *vma,
				struct vm_area_struct **prev, unsigned long start,
				unsigned long end, int behavior)
{
	vm_flags_t new_flags;
	int err;

	if (!madvise_changes_flags(behavior)) {
		*prev = vma;
		return madvise_pages(m, vma, start, end, behavior);
	}
	err = madvise_new_flags(vma, behavior, &new_flags);
	if (err)
		return err;
	if (new_flags == vma->vm_flags) {
		*prev = vma;
		return 0;
	}
	vma = vma_modify_flags(m, *prev, vma, start, end, new_flags);
	if (IS_ERR(vma))
		return (int)PTR_ERR(vma);
	*prev = vma;
	vma->vm_flags = new_flags;
	return 0;
}

/* Visit the VMAs of [start, end) (cf. madvise_walk_vmas). */
static int madvise_walk_vmas(struct machine *m, struct mm_struct *mm, unsigned long start,
			     unsigned long end, int behavior)
{
	struct vm_area_struct *vma, *prev;
	int unmapped_error = 0, error;

	vma = find_vma_prev(m, mm, start, &prev);
	if (vma && start > vma->vm_start)
		prev = vma;
	for (;;) {
		unsigned long tmp;

		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			unmapped_error = -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				break;
		}
		tmp = min(vma->vm_end, end);
		error = madvise_vma_behavior(m, vma, &prev, start, tmp, behavior);
		if (error)
			return error;
		start = tmp;
		if (prev && start < prev->vm_end)
			start = prev->vm_end;
		if (start >= end)
			break;
		vma = prev ? find_vma(m, mm, prev->vm_end) : find_vma(m, mm, start);
	}
	return unmapped_error;
}

/**
 * sys_madvise() - madvise(2)
 * @m: the machine
 * @start: page-aligned start
 * @len: length, rounded up to pages; 0 does nothing
 * @behavior: MADV_*
 *
 * Returns 0; -EINVAL (unknown advice, unaligned start, length wraps,
 * advice a VMA cannot take, e.g. MADV_DONTNEED on locked memory);
 * -ENOMEM (part of the range unmapped); -EACCES (MADV_REMOVE on a mapping
 * not shared-writable). MADV_POPULATE_* without the permission is -EINVAL.
 */
long sys_madvise(struct machine *m, unsigned long start, unsigned long len, int behavior)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long end, len_aligned;
	long ret;

	if (!mm)
		return -ESRCH;
	start = uword(m, start);
	len = uword(m, len);
	if (!madvise_behavior_valid(m, behavior))
		return -EINVAL;
	if (!PAGE_ALIGNED(start))
		return -EINVAL;
	len_aligned = uword(m, PAGE_ALIGN(len));
	if (len && !len_aligned)
		return -EINVAL;
	end = uword(m, start + len_aligned);
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	mmap_write_lock(mm);
	ret = madvise_walk_vmas(m, mm, start, end, behavior);
	mmap_write_unlock(mm);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return ret;
}
