/* mremap(2): grow, shrink or move a mapping (cf. mm/mremap.c, Linux 6.17+
 * with its vma_remap_struct and multi-VMA moves).
 *
 * Shrinking unmaps the tail (and may cross into following VMAs). Growing
 * works in place when [addr, addr + old_len) reaches the VMA's end and the
 * space after it is free; the grown VMA then merges with the next one if
 * they meet and match. Otherwise, with MREMAP_MAYMOVE, the range moves to
 * a new place found like mmap's (or to new_addr with MREMAP_FIXED, which
 * unmaps what is there first): the VMA is copied there (merging with
 * neighbours; an anonymous VMA never written to takes the pgoff of its new
 * address, so it can), its page tables move, and the source is unmapped,
 * unless MREMAP_DONTUNMAP keeps it (empty, unlocked). A pure move with
 * MREMAP_FIXED and equal lengths may span several VMAs and the gaps
 * between them, which it keeps.
 *
 * move_page_tables() carries the PTEs over one by one (cf. move_ptes;
 * Linux's whole-pmd move is an optimisation left out): the destination
 * tables are allocated as needed, the source entries cleared and the old
 * range flushed from the TLB. Pages, mapcounts and rss stay as they were.
 *
 * Invariant: accounting (total_vm, locked_vm, the commit charge) follows
 * the pages as they move, so the mm stays consistent (check_vmas). */
#include "mm/pagewalk.h"

enum mremap_type {
	MREMAP_INVALID,
	MREMAP_NO_RESIZE,
	MREMAP_SHRINK,
	MREMAP_EXPAND,
};

/* One mremap operation (cf. struct vma_remap_struct). */
struct vma_remap_struct {
	struct machine *m;
	struct mm_struct *mm;
	unsigned long addr, old_len, new_len, flags, new_addr;
	struct vm_area_struct *vma;
	unsigned long delta;
	enum mremap_type remap_type;
	bool populate_expand;	/* mlocked and grown: fault the new part in */
	unsigned long charged;
};

static bool vrm_implies_new_addr(const struct vma_remap_struct *vrm)
{
	return vrm->flags & (MREMAP_FIXED | MREMAP_DONTUNMAP);
}

static bool vrm_overlaps(const struct vma_remap_struct *vrm)
{
	unsigned long end_old = vrm->addr + vrm->old_len, end_new = vrm->new_addr + vrm->new_len;

	return end_old > vrm->new_addr && end_new > vrm->addr;
}

static void vrm_set_delta(struct vma_remap_struct *vrm)
{
	vrm->delta = vrm->old_len > vrm->new_len ? vrm->old_len - vrm->new_len
						 : vrm->new_len - vrm->old_len;
	if (!vrm->delta)
		vrm->remap_type = MREMAP_NO_RESIZE;
	else if (vrm->old_len > vrm->new_len)
		vrm->remap_type = MREMAP_SHRINK;
	else
		vrm->remap_type = MREMAP_EXPAND;
}

/* Syscall-level checks, before the lock (cf. check_mremap_params). */
static long check_mremap_params(struct vma_remap_struct *vrm)
{
	unsigned long task_size = vrm->mm->task_size;

	if (vrm->flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP))
		return -EINVAL;
	if (offset_in_page(vrm->addr))
		return -EINVAL;
	if (!vrm->new_len || vrm->new_len > task_size)
		return -EINVAL;
	if (!vrm_implies_new_addr(vrm))
		return 0;
	if (vrm->new_addr > task_size - vrm->new_len)
		return -EINVAL;
	if (offset_in_page(vrm->new_addr))
		return -EINVAL;
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((vrm->flags & MREMAP_DONTUNMAP) && vrm->old_len != vrm->new_len)
		return -EINVAL;
	if (vrm_overlaps(vrm))
		return -EINVAL;
	return 0;
}

/* Can vrm->vma be resized or moved as asked? (cf. check_prep_vma) */
static long check_prep_vma(struct vma_remap_struct *vrm)
{
	struct machine *m = vrm->m;
	struct vm_area_struct *vma = vrm->vma;
	unsigned long old_len, new_len, pgoff;

	if (!vma)
		return -EFAULT;
	vrm_set_delta(vrm);
	if (!vrm_implies_new_addr(vrm))
		vrm->new_addr = vrm->addr;
	if (vrm->remap_type != MREMAP_EXPAND && !vrm_implies_new_addr(vrm))
		return 0;	/* shrink or no-op in place */
	old_len = vrm->old_len;
	new_len = vrm->new_len;
	if (!old_len && !(vma->vm_flags & (VM_SHARED | VM_MAYSHARE))) {
		struct task_struct *tsk = get_current(m);

		if (!m->vm.warned_mremap_dup) {
			m->vm.warned_mremap_dup = true;
			pr_warn(m, "%s (%d): attempted to duplicate a private mapping with mremap.  This is not supported.\n",
				tsk ? tsk->comm : "", tsk ? tsk->pid : 0);
		}
		return -EINVAL;
	}
	if ((vrm->flags & MREMAP_DONTUNMAP) && (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP)))
		return -EINVAL;
	if (vrm->remap_type == MREMAP_SHRINK)
		old_len = new_len;	/* the tail may cross VMAs: it is unmapped */
	if (old_len > vma->vm_end - vrm->addr)
		return -EFAULT;
	if (new_len == old_len)
		return 0;
	if (vma->vm_flags & VM_LOCKED)
		vrm->populate_expand = true;
	pgoff = ((vrm->addr - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
	if (pgoff + (new_len >> PAGE_SHIFT) < pgoff)
		return -EINVAL;
	if (vma->vm_flags & (VM_DONTEXPAND | VM_PFNMAP))
		return -EFAULT;
	if (!mlock_future_ok(m, vrm->mm, vma->vm_flags & VM_LOCKED, vrm->delta))
		return -EAGAIN;
	if (!may_expand_vm(m, vrm->mm, vma->vm_flags, vrm->delta >> PAGE_SHIFT))
		return -ENOMEM;
	return 0;
}

/* Room for the worst case of splits: two for unmapping the destination
 * or the shrunk tail (if before_unmaps), two for copy + unmap of the
 * source (cf. __check_map_count_against_split). */
static bool map_count_ok(const struct vma_remap_struct *vrm, bool before_unmaps)
{
	int count = vrm->mm->map_count + (before_unmaps ? 2 : 0);

	return count + 2 <= vrm->m->vm.sysctl_max_map_count;
}

/* Unmap the tail [addr + new_len, addr + old_len); reload the VMA. */
static long shrink_vma(struct vma_remap_struct *vrm)
{
	long err = do_munmap(vrm->m, vrm->mm, vrm->addr + vrm->new_len, vrm->delta);

	vrm->vma = NULL;
	if (err)
		return err;
	vrm->vma = vma_lookup(vrm->m, vrm->mm, vrm->addr);
	return vrm->vma ? 0 : -EFAULT;
}

/* Pick the destination (cf. vrm_set_new_addr): new_addr with
 * MREMAP_FIXED, a hint with only MREMAP_DONTUNMAP, else anywhere. */
static long vrm_set_new_addr(struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	unsigned long pgoff = vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> PAGE_SHIFT);
	unsigned long hint = vrm_implies_new_addr(vrm) ? vrm->new_addr : 0;
	unsigned long map_flags = 0, res;

	if (vrm->flags & MREMAP_FIXED)
		map_flags |= MAP_FIXED;
	if (vma->vm_flags & VM_MAYSHARE)
		map_flags |= MAP_SHARED;
	res = get_unmapped_area(vrm->m, vrm->mm, vma->vm_file, hint, vrm->new_len, pgoff,
				map_flags, 0);
	if (IS_ERR_VALUE(res))
		return (long)res;
	vrm->new_addr = res;
	return 0;
}

static bool vrm_calc_charge(struct vma_remap_struct *vrm)
{
	unsigned long charged;

	if (!(vrm->vma->vm_flags & VM_ACCOUNT))
		return true;
	/* Keeping the old mapping charges the whole new one. */
	charged = (vrm->flags & MREMAP_DONTUNMAP ? vrm->new_len : vrm->delta) >> PAGE_SHIFT;
	if (security_vm_enough_memory_mm(vrm->m, vrm->mm, (long)charged))
		return false;
	vrm->charged = charged;
	return true;
}

static void vrm_uncharge(struct vma_remap_struct *vrm)
{
	if (vrm->vma->vm_flags & VM_ACCOUNT)
		vm_unacct_memory(vrm->m, (long)vrm->charged);
	vrm->charged = 0;
}

static void vrm_stat_account(struct vma_remap_struct *vrm, unsigned long bytes)
{
	unsigned long pages = bytes >> PAGE_SHIFT;

	vm_stat_account(vrm->mm, vrm->vma->vm_flags, (long)pages);
	if (vrm->vma->vm_flags & VM_LOCKED)
		vrm->mm->locked_vm += pages;
}

/* Turn the copy into a move: unmap the source without uncharging what the
 * destination now holds (cf. unmap_source_vma). */
static void unmap_source_vma(struct vma_remap_struct *vrm)
{
	struct machine *m = vrm->m;
	unsigned long addr = vrm->addr, len = vrm->old_len, end = addr + len;
	struct vm_area_struct *vma = vrm->vma, *piece;
	bool accountable_move = (vma->vm_flags & VM_ACCOUNT) && !(vrm->flags & MREMAP_DONTUNMAP);
	unsigned long vm_start = vma->vm_start, vm_end = vma->vm_end;

	if (accountable_move)
		vma->vm_flags &= ~VM_ACCOUNT;
	vrm->vma = NULL;
	if (do_munmap(m, vrm->mm, addr, len)) {
		/* Out of memory splitting: both copies stay. Linux adds len
		 * to the charge unconditionally and leaves the source without
		 * VM_ACCOUNT, so the charge never comes back; mmkit gives the
		 * source its VM_ACCOUNT back and charges only an accountable
		 * move, which keeps Committed_AS equal to the mappings. */
		if (accountable_move) {
			for (piece = find_vma(m, vrm->mm, vm_start); piece && piece->vm_start < vm_end;
			     piece = piece->vm_next)
				piece->vm_flags |= VM_ACCOUNT;
			vm_acct_memory(m, (long)(len >> PAGE_SHIFT));
		}
		return;
	}
	if (!accountable_move)
		return;
	if (vm_start < addr) {
		find_vma_prev(m, vrm->mm, addr, &piece);
		piece->vm_flags |= VM_ACCOUNT;
	}
	if (vm_end > end) {
		piece = find_vma(m, vrm->mm, addr);
		piece->vm_flags |= VM_ACCOUNT;
	}
}

struct move_ptes {
	unsigned long old_addr, new_addr;
	unsigned long failed_at;	/* the first address not moved, on -ENOMEM */
	bool flush;			/* a present pte left the old range */
};

/* Move one pte to its new place (cf. move_ptes). */
static int move_pte_entry(struct mm_walk *walk, ptep_t *ptep, unsigned long addr)
{
	struct move_ptes *mp = walk->private;
	struct machine *m = walk->m;
	pte_t pte = ptep_get(m, ptep);
	ptep_t *dst;

	if (pte_none(pte))
		return 0;
	dst = pte_alloc_user(m, walk->mm, mp->new_addr + (addr - mp->old_addr));
	if (!dst) {
		mp->failed_at = addr;
		return -ENOMEM;
	}
	VM_WARN_ON(m, !pte_none(ptep_get(m, dst)));
	pte_clear(m, ptep);
	if (pte_present(pte))
		mp->flush = true;
	set_pte(m, dst, pte);
	return 0;
}

static const struct mm_walk_ops move_ptes_ops = {
	.pte_entry = move_pte_entry,
};

/**
 * move_page_tables() - move the PTEs of [@old_addr, @old_addr + @len) to
 *	@new_addr (cf. move_page_tables)
 * @m: the machine
 * @vma: the source VMA
 * @old_addr: source start
 * @new_vma: the destination VMA, already covering the destination
 * @new_addr: destination start
 * @len: bytes
 *
 * Returns the bytes moved: @len, or less when a destination page table
 * could not be allocated (everything below old_addr + the return value has
 * moved; the caller moves it back). The old range is flushed from the TLB.
 */
unsigned long move_page_tables(struct machine *m, struct vm_area_struct *vma,
			       unsigned long old_addr, struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len)
{
	struct move_ptes mp = { .old_addr = old_addr, .new_addr = new_addr };
	unsigned long moved = len;

	if (!len)
		return 0;
	VM_WARN_ON(m, new_vma->vm_mm != vma->vm_mm);
	if (walk_page_range(m, vma->vm_mm, old_addr, old_addr + len, &move_ptes_ops, vma, &mp,
			    NULL))
		moved = mp.failed_at - old_addr;
	if (mp.flush)
		flush_tlb_range(m, vma, old_addr, old_addr + len);
	return moved;
}

/* Copy the VMA to new_addr and move its page tables; on failure move them
 * back and set vrm up to unmap the copy instead (cf. copy_vma_and_data). */
static int copy_vma_and_data(struct vma_remap_struct *vrm, struct vm_area_struct **new_vma_ptr)
{
	struct machine *m = vrm->m;
	struct vm_area_struct *vma = vrm->vma, *new_vma;
	unsigned long new_pgoff = vma->vm_pgoff + ((vrm->addr - vma->vm_start) >> PAGE_SHIFT);
	unsigned long moved_len;
	int err = 0;

	new_vma = copy_vma(m, &vma, vrm->new_addr, vrm->new_len, new_pgoff);
	if (!new_vma) {
		vrm_uncharge(vrm);
		*new_vma_ptr = NULL;
		return -ENOMEM;
	}
	vrm->vma = vma;
	moved_len = move_page_tables(m, vma, vrm->addr, new_vma, vrm->new_addr, vrm->old_len);
	if (moved_len < vrm->old_len)
		err = -ENOMEM;
	else if (vma->vm_ops && vma->vm_ops->mremap)
		err = vma->vm_ops->mremap(m, new_vma);
	if (err) {
		move_page_tables(m, new_vma, vrm->new_addr, vma, vrm->addr, moved_len);
		vrm->vma = new_vma;
		vrm->old_len = vrm->new_len;
		vrm->addr = vrm->new_addr;
	}
	*new_vma_ptr = new_vma;
	return err;
}

/* Move vrm's range to vrm->new_addr (cf. move_vma). */
static long move_vma(struct vma_remap_struct *vrm)
{
	struct mm_struct *mm = vrm->mm;
	struct vm_area_struct *new_vma;
	unsigned long hiwater_vm;
	int err;

	if (!map_count_ok(vrm, false))
		return -ENOMEM;
	if (vrm->vma->vm_ops && vrm->vma->vm_ops->may_split) {
		struct vm_area_struct *vma = vrm->vma;

		err = 0;
		if (vma->vm_start != vrm->addr)
			err = vma->vm_ops->may_split(vrm->m, vma, vrm->addr);
		if (!err && vma->vm_end != vrm->addr + vrm->old_len)
			err = vma->vm_ops->may_split(vrm->m, vma, vrm->addr + vrm->old_len);
		if (err)
			return err;
	}
	if (!vrm_calc_charge(vrm))
		return -ENOMEM;
	err = copy_vma_and_data(vrm, &new_vma);
	if (err && !new_vma)
		return err;
	hiwater_vm = mm->hiwater_vm;
	vrm_stat_account(vrm, vrm->new_len);
	if (!err && (vrm->flags & MREMAP_DONTUNMAP)) {
		/* The emptied source stays, unlocked; it keeps its charge.
		 * Linux leaves locked_vm counting the source's pages here;
		 * mmkit uncounts them so locked_vm stays the sum over
		 * VM_LOCKED VMAs (docs/address-space.md). */
		if (vrm->vma->vm_flags & VM_LOCKED)
			mm->locked_vm -= vma_pages(vrm->vma);
		vrm->vma->vm_flags &= ~VM_LOCKED_MASK;
	} else {
		unmap_source_vma(vrm);
	}
	mm->hiwater_vm = hiwater_vm;
	return err ? err : (long)vrm->new_addr;
}

/* Move (and resize) to a destination that must change (cf. mremap_to). */
static long mremap_to(struct vma_remap_struct *vrm)
{
	long err;

	if (vrm->flags & MREMAP_FIXED) {
		err = do_munmap(vrm->m, vrm->mm, vrm->new_addr, vrm->new_len);
		vrm->vma = NULL;
		if (err)
			return err;
		vrm->vma = vma_lookup(vrm->m, vrm->mm, vrm->addr);
		if (!vrm->vma)
			return -EFAULT;
	}
	if (vrm->remap_type == MREMAP_SHRINK) {
		err = shrink_vma(vrm);
		if (err)
			return err;
		vrm->old_len = vrm->new_len;
	}
	if ((vrm->flags & MREMAP_DONTUNMAP) &&
	    !may_expand_vm(vrm->m, vrm->mm, vrm->vma->vm_flags, vrm->old_len >> PAGE_SHIFT))
		return -ENOMEM;
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	err = move_vma(vrm);
	/* As in Linux 6.18, delta still holds the shrink: move_vma charged
	 * those pages a second time, and no mapping will ever uncharge them
	 * (the host shows Committed_AS growing by the shrink on every such
	 * call). Keep the books so check_vmas can tell it from a bug. */
	if (!IS_ERR_VALUE(err) && vrm->remap_type == MREMAP_SHRINK && vrm->charged)
		vrm->m->vm.vm_committed_leaked += (long)vrm->charged;
	return err;
}

/* Is [vm_end, vm_end + delta) free and valid to map? (cf. vma_expandable) */
static bool vma_expandable(struct vma_remap_struct *vrm, struct vm_area_struct *vma,
			   unsigned long delta)
{
	unsigned long end = vma->vm_end + delta;

	if (end < vma->vm_end)
		return false;
	if (find_vma_intersection(vrm->m, vrm->mm, vma->vm_end, end))
		return false;
	if (get_unmapped_area(vrm->m, vrm->mm, NULL, vma->vm_start, end - vma->vm_start, 0,
			      MAP_FIXED, 0) & ~PAGE_MASK)
		return false;
	return true;
}

/* Grow in place if the range reaches the VMA's end, else move (cf. expand_vma). */
static long expand_vma(struct vma_remap_struct *vrm)
{
	struct vm_area_struct *vma = vrm->vma;
	long err;

	if (vma->vm_end - vrm->addr == vrm->old_len && vma_expandable(vrm, vma, vrm->delta)) {
		if (!vrm_calc_charge(vrm))
			return -ENOMEM;
		vma = vma_merge_extend(vrm->m, vma, vrm->delta);
		if (!vma) {
			vrm_uncharge(vrm);
			return -ENOMEM;
		}
		vrm->vma = vma;
		vrm_stat_account(vrm, vrm->delta);
		return (long)vrm->addr;
	}
	if (!(vrm->flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	err = vrm_set_new_addr(vrm);
	if (err)
		return err;
	return move_vma(vrm);
}

/* Resize without a forced destination (cf. mremap_at). */
static long mremap_at(struct vma_remap_struct *vrm)
{
	long err;

	switch (vrm->remap_type) {
	case MREMAP_NO_RESIZE:
		return (long)vrm->addr;
	case MREMAP_SHRINK:
		err = shrink_vma(vrm);
		return err ? err : (long)vrm->addr;
	case MREMAP_EXPAND:
		return expand_vma(vrm);
	case MREMAP_INVALID:
		break;
	}
	VM_WARN_ON(vrm->m, 1);
	return -EINVAL;
}

/* A pure move (MREMAP_FIXED, equal lengths) of every VMA in the range,
 * keeping the gaps between them (cf. remap_move). */
static long remap_move(struct vma_remap_struct *vrm)
{
	unsigned long start = vrm->addr, end = vrm->addr + vrm->old_len, cur = start;
	unsigned long target_addr = vrm->new_addr, last_end = 0;
	long res = -EFAULT;
	bool seen_vma = false;

	while (cur < end) {
		struct vm_area_struct *vma = find_vma(vrm->m, vrm->mm, cur);
		unsigned long addr, len, offset;
		long res_vma;

		if (!vma || vma->vm_start >= end)
			break;
		if (!seen_vma && start < vma->vm_start)
			return -EFAULT;	/* no gap at the start */
		addr = max(vma->vm_start, start);
		len = min(end, vma->vm_end) - addr;
		offset = seen_vma ? vma->vm_start - last_end : 0;
		last_end = vma->vm_end;
		vrm->vma = vma;
		vrm->addr = addr;
		vrm->new_addr = target_addr + offset;
		vrm->old_len = vrm->new_len = len;
		res_vma = check_prep_vma(vrm);
		if (!res_vma)
			res_vma = mremap_to(vrm);
		if (IS_ERR_VALUE(res_vma))
			return res_vma;
		if (!seen_vma)
			res = res_vma;
		seen_vma = true;
		target_addr = (unsigned long)res_vma + len;
		cur = addr + len;
	}
	return res;
}

static long do_mremap(struct vma_remap_struct *vrm)
{
	struct mm_struct *mm = vrm->mm;
	long res;

	vrm->addr = uword(vrm->m, vrm->addr);
	vrm->new_addr = uword(vrm->m, vrm->new_addr);
	vrm->flags = uword(vrm->m, vrm->flags);
	vrm->old_len = uword(vrm->m, PAGE_ALIGN(uword(vrm->m, vrm->old_len)));
	vrm->new_len = uword(vrm->m, PAGE_ALIGN(uword(vrm->m, vrm->new_len)));
	res = check_mremap_params(vrm);
	if (res)
		return res;
	mmap_write_lock(mm);
	if (!map_count_ok(vrm, true)) {
		mmap_write_unlock(mm);
		return -ENOMEM;
	}
	if ((vrm->flags & MREMAP_FIXED) && vrm->old_len == vrm->new_len) {
		res = remap_move(vrm);
	} else {
		vrm->vma = vma_lookup(vrm->m, mm, vrm->addr);
		res = check_prep_vma(vrm);
		if (!res)
			res = vrm_implies_new_addr(vrm) ? mremap_to(vrm) : mremap_at(vrm);
	}
	mmap_write_unlock(mm);
	if (!IS_ERR_VALUE(res) && vrm->populate_expand)
		__mm_populate(vrm->m, mm, vrm->new_addr + vrm->old_len, vrm->delta, true);
	return res;
}

/**
 * sys_mremap() - mremap(2)
 * @m: the machine
 * @addr: page-aligned start of the old range
 * @old_len: its length (0 duplicates a shared mapping)
 * @new_len: the new length
 * @flags: MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP
 * @new_addr: the destination with MREMAP_FIXED (a hint with only DONTUNMAP)
 *
 * Returns the (new) address, or -EINVAL (bad flags or alignment, zero or
 * huge new_len, FIXED/DONTUNMAP without MAYMOVE, DONTUNMAP resizing,
 * overlapping ranges, old_len 0 on a private mapping), -EFAULT (old range
 * not mapped, or growing across VMAs), -ENOMEM (cannot grow in place
 * without MAYMOVE, no room, limits, vm.max_map_count), -EAGAIN (a locked
 * mapping would pass RLIMIT_MEMLOCK).
 */
long sys_mremap(struct machine *m, unsigned long addr, unsigned long old_len,
		unsigned long new_len, unsigned long flags, unsigned long new_addr)
{
	struct vma_remap_struct vrm = {
		.m = m, .mm = current_mm(m), .addr = addr, .old_len = old_len,
		.new_len = new_len, .flags = flags, .new_addr = new_addr,
	};
	long res;

	if (!vrm.mm)
		return -ESRCH;
	res = do_mremap(&vrm);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return res;
}
