/* mprotect(2): change the protection of a range, splitting and merging
 * VMAs as Linux does (cf. mm/mprotect.c do_mprotect_pkey, mprotect_fixup).
 *
 * The range must be fully mapped; it is walked VMA by VMA, and a change
 * already made to earlier VMAs stays when a later one fails (a hole gives
 * -ENOMEM, a permission the mapping may not have gives -EACCES). Making a
 * private mapping writable charges it to the commit limit (VM_ACCOUNT);
 * making an anonymous one that was never written to read-only again
 * uncharges it. PROT_GROWSDOWN extends the change down to the start of a
 * VM_GROWSDOWN VMA.
 *
 * change_protection() then rewrites the present PTEs of the range with the
 * VMA's new vm_page_prot (pte_modify: frame, Accessed and Dirty kept). A
 * private writable mapping's protection is read-only (COW), so its PTEs
 * stay read-only except where the page is exclusively this mapping's
 * anonymous page, which Linux upgrades at once (can_change_pte_writable);
 * a page shared after fork is left to the write fault. PROT_NONE leaves a
 * _PAGE_PROTNONE entry that still maps the page (not present to the MMU).
 *
 * Invariant: as for every VMA operation, the mm stays consistent
 * (check_vmas), and vm_page_prot always matches vm_flags; no PTE of a
 * private mapping is writable while its page has another mapper. */
#include "mm/pagewalk.h"

/* May a pte of a private writable VMA become writable without a fault?
 * Only for an exclusive anonymous page (cf. can_change_pte_writable; mmkit
 * has no PageAnonExclusive: one mapper and one reference stand for it). For
 * a shared mapping, only a dirty pte (a clean one may want the fs's write
 * notification). */
static bool can_change_pte_writable(struct machine *m, struct vm_area_struct *vma,
				    unsigned long addr, pte_t pte)
{
	struct page *page;

	if (!(vma->vm_flags & VM_WRITE) || !(pte_val(pte) & _PAGE_PRESENT))
		return false;
	if (vma->vm_flags & VM_SHARED)
		return pte_dirty(pte);
	page = vm_normal_page(m, vma, addr, pte);
	return page && PageAnon(page) && page_mapcount(page) == 1 && page_count(page) == 1;
}

/* x86's pte_modify: the frame, PCD/PWT, special, Accessed and Dirty stay;
 * P, RW, US, PROTNONE and NX come from the new protection (_PAGE_CHG_MASK). */
#define _PAGE_CHG_MASK (PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | _PAGE_ACCESSED | \
			_PAGE_DIRTY)

static pte_t pte_modify(const struct machine *m, pte_t pte, pgprot_t newprot)
{
	return __pte((pte_val(pte) & _PAGE_CHG_MASK) |
		     (pgprot_massage(m, newprot) & ~_PAGE_CHG_MASK));
}

struct change_prot {
	bool try_writable;	/* MM_CP_TRY_CHANGE_WRITABLE */
	unsigned long pages;	/* ptes changed */
};

/* Rewrite one pte (cf. change_pte_range). */
static int change_pte_entry(struct mm_walk *walk, ptep_t *ptep, unsigned long addr)
{
	struct change_prot *cp = walk->private;
	struct machine *m = walk->m;
	pte_t old = ptep_get(m, ptep), pte;

	if (!pte_present(old))	/* none, a swap entry or a PTE marker: left alone */
		return 0;
	pte = pte_modify(m, old, walk->vma->vm_page_prot);
	if (cp->try_writable && !pte_write(pte) && can_change_pte_writable(m, walk->vma, addr, pte))
		pte = pte_mkwrite(pte);
	if (pte_val(pte) != pte_val(old)) {
		set_pte(m, ptep, pte);
		cp->pages++;
	}
	return 0;
}

static const struct mm_walk_ops change_prot_ops = {
	.pte_entry = change_pte_entry,
};

/**
 * change_protection() - rewrite the present PTEs of [@start, @end) with
 *	@vma's new vm_page_prot, flushing the TLB (cf. change_protection)
 * @m: the machine
 * @vma: the VMA, vm_flags and vm_page_prot already updated
 * @start: start within @vma
 * @end: end within @vma
 *
 * Returns the number of PTEs changed. A private writable VMA gets write
 * access back only on exclusive anonymous pages (see can_change_pte_writable).
 */
long change_protection(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		       unsigned long end)
{
	struct change_prot cp = { .pages = 0 };

	if (VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end || start > end))
		return 0;
	/* vma_wants_manual_pte_write_upgrade: private writable mappings
	 * (shared ones have PAGE_SHARED already unless they want writenotify) */
	cp.try_writable = (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE;
	walk_page_range(m, vma->vm_mm, start, end, &change_prot_ops, vma, &cp, NULL);
	if (cp.pages)
		flush_tlb_range(m, vma, start, end);
	return (long)cp.pages;
}

/* Commit-charge and limit changes for a VMA getting newflags; returns the
 * pages charged or -ENOMEM, and may add or drop VM_ACCOUNT in *newflags. */
static long mprotect_charge(struct machine *m, struct vm_area_struct *vma, vm_flags_t oldflags,
			    vm_flags_t *newflags, unsigned long nrpages)
{
	struct mm_struct *mm = vma->vm_mm;

	if (*newflags & VM_WRITE) {
		/* Check space limits when the area turns into data. */
		if (!may_expand_vm(m, mm, *newflags, nrpages) &&
		    may_expand_vm(m, mm, oldflags, nrpages))
			return -ENOMEM;
		if (!(oldflags & (VM_ACCOUNT | VM_WRITE | VM_HUGETLB | VM_SHARED | VM_NORESERVE))) {
			if (security_vm_enough_memory_mm(m, mm, (long)nrpages))
				return -ENOMEM;
			*newflags |= VM_ACCOUNT;
			return (long)nrpages;
		}
	} else if ((oldflags & VM_ACCOUNT) && vma_is_anonymous(vma) && !vma->anon_vma) {
		*newflags &= ~VM_ACCOUNT;
	}
	return 0;
}

/* Apply newflags to [start, end) of vma (cf. mprotect_fixup). */
static int mprotect_fixup(struct machine *m, struct vm_area_struct *vma,
			  struct vm_area_struct **pprev, unsigned long start, unsigned long end,
			  vm_flags_t newflags)
{
	struct mm_struct *mm = vma->vm_mm;
	vm_flags_t oldflags = vma->vm_flags;
	unsigned long nrpages = (end - start) >> PAGE_SHIFT;
	long charged;

	if (newflags == oldflags) {
		*pprev = vma;
		return 0;
	}
	charged = mprotect_charge(m, vma, oldflags, &newflags, nrpages);
	if (charged < 0)
		return (int)charged;
	vma = vma_modify_flags(m, *pprev, vma, start, end, newflags);
	if (IS_ERR(vma)) {
		vm_unacct_memory(m, charged);
		return (int)PTR_ERR(vma);
	}
	*pprev = vma;
	vma->vm_flags = newflags;
	vma_set_page_prot(m, vma);
	change_protection(m, vma, start, end);
	if ((oldflags & VM_ACCOUNT) && !(newflags & VM_ACCOUNT))
		vm_unacct_memory(m, (long)nrpages);
	/* A private locked mapping turning writable: break COW now. */
	if ((oldflags & (VM_WRITE | VM_SHARED | VM_LOCKED)) == VM_LOCKED && (newflags & VM_WRITE))
		populate_vma_page_range(m, vma, start, end);
	vm_stat_account(mm, oldflags, -(long)nrpages);
	vm_stat_account(mm, newflags, (long)nrpages);
	return 0;
}

/* newflags for vma under prot: r/w/x replaced, the rest kept. -EACCES if
 * the mapping may not have them (VM_MAY* missing). */
static int mprotect_newflags(const struct vm_area_struct *vma, unsigned long prot,
			     vm_flags_t *newflags)
{
	vm_flags_t flags = (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
			   (prot & PROT_EXEC ? VM_EXEC : 0);

	flags |= vma->vm_flags & ~VM_ACCESS_FLAGS;
	/* newflags >> 4 shifts VM_MAY* onto VM_* */
	if ((flags & ~(flags >> 4)) & VM_ACCESS_FLAGS)
		return -EACCES;
	*newflags = flags;
	return 0;
}

/* Walk [start, end) from vma applying prot (the loop of do_mprotect_pkey). */
static int mprotect_range(struct machine *m, struct vm_area_struct *vma,
			  struct vm_area_struct *prev, unsigned long start, unsigned long end,
			  unsigned long prot, bool rier)
{
	unsigned long nstart = start, tmp = vma->vm_start;
	int error = 0;

	for (; vma && vma->vm_start < end; vma = prev->vm_next) {
		unsigned long vprot = prot;
		vm_flags_t newflags;

		if (vma->vm_start != tmp)
			return -ENOMEM;
		if (rier && (vma->vm_flags & VM_MAYEXEC))
			vprot |= PROT_EXEC;
		error = mprotect_newflags(vma, vprot, &newflags);
		if (error)
			return error;
		tmp = min(vma->vm_end, end);
		error = mprotect_fixup(m, vma, &prev, nstart, tmp, newflags);
		if (error)
			return error;
		tmp = prev->vm_end;
		nstart = tmp;
		if (nstart >= end)
			return 0;
	}
	return tmp < end ? -ENOMEM : 0;
}

/**
 * do_mprotect() - mprotect() on @mm (cf. do_mprotect_pkey)
 * @m: the machine
 * @mm: the address space
 * @start: page-aligned start
 * @len: length, rounded up to pages
 * @prot: PROT_READ | PROT_WRITE | PROT_EXEC (PROT_SEM is accepted), or
 *	with PROT_GROWSDOWN
 *
 * Returns 0; -EINVAL (unaligned start, unknown bits, GROWSUP, both
 * GROWSDOWN and GROWSUP, GROWSDOWN on a non-stack); -ENOMEM (length wraps,
 * part of the range unmapped, limits); -EACCES (a permission the mapping
 * lacks the VM_MAY* for).
 */
static long do_mprotect(struct machine *m, struct mm_struct *mm, unsigned long start,
			unsigned long len, unsigned long prot)
{
	const unsigned long grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
	struct task_struct *tsk = get_current(m);
	bool rier = tsk && (tsk->personality & READ_IMPLIES_EXEC) && (prot & PROT_READ);
	struct vm_area_struct *vma, *prev;
	unsigned long end;
	int error;

	start = uword(m, start);
	len = uword(m, len);
	prot = uword(m, prot);
	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	if (grows == (PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = uword(m, PAGE_ALIGN(len));
	end = uword(m, start + len);
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;	/* arch_validate_prot */

	mmap_write_lock(mm);
	error = -ENOMEM;
	vma = find_vma_intersection(m, mm, start, end);
	if (!vma)
		goto out;
	if (grows & PROT_GROWSDOWN) {
		start = vma->vm_start;
		error = -EINVAL;
		if (!(vma->vm_flags & VM_GROWSDOWN))
			goto out;
	} else {
		if (vma->vm_start > start)
			goto out;
		if (grows & PROT_GROWSUP) {
			error = -EINVAL;	/* x86 has no VM_GROWSUP */
			goto out;
		}
	}
	prev = start > vma->vm_start ? vma : vma->vm_prev;
	error = mprotect_range(m, vma, prev, start, end, prot, rier);
out:
	mmap_write_unlock(mm);
	return error;
}

/**
 * sys_mprotect() - mprotect(2)
 * @m: the machine
 * @start: page-aligned start
 * @len: length
 * @prot: new protection
 *
 * See do_mprotect() for the errors.
 */
long sys_mprotect(struct machine *m, unsigned long start, unsigned long len,
		  unsigned long prot)
{
	struct mm_struct *mm = current_mm(m);
	long ret;

	if (!mm)
		return -ESRCH;
	ret = do_mprotect(m, mm, start, len, prot);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return ret;
}
