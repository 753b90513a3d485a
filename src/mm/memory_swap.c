/* Faults on swap entries (cf. do_swap_page and should_try_to_free_swap in
 * mm/memory.c; seed 003: "当进程再次访问被换出的页时 ... 缺页异常 ...
 * 从交换区读回").
 *
 * The pte holds a swap entry. The page is looked up in the swap cache
 * first: a process sharing the slot (after fork) may have read it already,
 * or it may not have been freed since it was written. Otherwise it is read
 * from the area (a major fault: VM_FAULT_MAJOR, counted by
 * mm_account_fault). Then, under the page table lock and if the pte did
 * not change meanwhile, the page is mapped: MM_SWAPENTS becomes
 * MM_ANONPAGES, the slot loses this pte's reference (swap_free), and the
 * page leaves the swap cache when nothing else needs the slot and the
 * fault writes (or swap is getting full, or the VMA is locked) as Linux's
 * should_try_to_free_swap decides. A page nobody else holds any more is
 * exclusive: mapped writable (if the VMA allows it) and dirty for a write;
 * else it is mapped read-only and a write goes on to do_wp_page, which
 * copies or reuses it.
 *
 * Errors: a read that fails gives SIGBUS, no memory for the page OOM; an
 * entry naming no area is a bad page map (SIGBUS). A PTE marker is no
 * slot: handle_pte_marker answers it (a poisoned one, left by swapoff's
 * read error, is VM_FAULT_HWPOISON as in Linux 6.8+; 6.0-6.7 returned
 * VM_FAULT_SIGBUS for the then PTE_MARKER_SWAPIN_ERROR). */
#include "mm/swap.h"

static bool pte_same(pte_t a, pte_t b)
{
	return pte_val(a) == pte_val(b);
}

/* Should the page leave the swap cache now that it is mapped? (cf.
 * should_try_to_free_swap; @extra: the references the caller holds
 * besides the cache's) */
static bool should_try_to_free_swap(struct machine *m, struct page *page,
				    struct vm_area_struct *vma, unsigned int fault_flags)
{
	if (!PageSwapCache(page))
		return false;
	if (vm_swap_full(m) || (vma->vm_flags & VM_LOCKED) || PageMlocked(page))
		return true;
	/* the cache's reference and ours (which the pte takes) */
	return (fault_flags & FAULT_FLAG_WRITE) && page_count(page) == 2;
}

static vm_fault_t bad_swap_pte(struct machine *m, struct vm_fault *vmf)
{
	printk(m, KERN_ALERT "BUG: Bad page map in process %s  pte:%08llx\n", m->comm,
	       (unsigned long long)pte_val(vmf->orig_pte));
	return VM_FAULT_SIGBUS;
}

/* The page for @entry: from the swap cache or read now (cf. the first
 * half of do_swap_page). NULL with *ret set when there is none. */
static struct page *swapin_page(struct machine *m, struct vm_fault *vmf, swp_entry_t entry,
				vm_fault_t *ret)
{
	struct page *page = lookup_swap_cache(m, entry);
	bool new_page;
	int err;

	if (page)
		return page;
	page = read_swap_cache_async(m, entry, GFP_HIGHUSER_MOVABLE, &new_page, &err);
	if (page) {
		if (new_page)
			*ret |= VM_FAULT_MAJOR;
		return page;
	}
	if (err == -ENOMEM) {
		*ret = VM_FAULT_OOM;
	} else if (err == -ENOENT) {
		/* the slot was freed: the pte must have changed (a racing
		 * fault mapped it); else the entry was never valid */
		if (pte_same(ptep_get(m, vmf->pte), vmf->orig_pte))
			*ret = bad_swap_pte(m, vmf);
		else
			*ret = 0;
	} else {
		*ret = VM_FAULT_SIGBUS;
	}
	return NULL;
}

/* Map @page (locked, referenced) at the fault's pte; called with the page
 * table lock held, returns without it (cf. the second half of do_swap_page). */
static vm_fault_t map_swapped_page(struct machine *m, struct vm_fault *vmf, struct page *page,
				   swp_entry_t entry, vm_fault_t ret)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool exclusive;
	pte_t pte;

	inc_mm_counter(mm, MM_ANONPAGES);
	dec_mm_counter(mm, MM_SWAPENTS);
	pte = mk_pte(m, page, vma->vm_page_prot);
	swap_free(m, entry);
	if (should_try_to_free_swap(m, page, vma, vmf->flags))
		try_to_free_swap(m, page);
	/* nobody else holds it: neither the cache nor another mapping */
	exclusive = page_count(page) == 1 && page_mapcount(page) == 0;
	if (exclusive && (vma->vm_flags & VM_WRITE)) {
		pte = pte_mkwrite(pte);
		if (vmf->flags & FAULT_FLAG_WRITE) {
			pte = pte_mkdirty(pte);
			vmf->flags &= ~FAULT_FLAG_WRITE;
		}
	}
	if (!PageAnon(page))	/* read now: it becomes anonymous memory */
		page_add_new_anon_rmap_flags(m, page, vma, vmf->address,
					     exclusive ? RMAP_EXCLUSIVE : 0);
	else
		page_add_anon_rmap(m, page, vma, vmf->address);
	set_pte(m, vmf->pte, pte);
	vmf->orig_pte = pte;
	unlock_page(m, page);
	if (vmf->flags & FAULT_FLAG_WRITE)	/* shared with others: copy or reuse */
		return ret | do_wp_page(m, vmf);
	spin_unlock(&mm->page_table_lock);
	return ret;
}

/* A fault on a PTE marker (cf. handle_pte_marker): the data is gone
 * (POISONED: VM_FAULT_HWPOISON), a guard page (SIGSEGV); a marker with no
 * bit, or one mmkit never makes, kills the access with SIGBUS. */
static vm_fault_t handle_pte_marker(struct machine *m, struct vm_fault *vmf)
{
	pte_marker marker = pte_marker_get(pte_to_swp_entry(m, vmf->orig_pte));

	if (VM_WARN_ON(m, !marker))
		return VM_FAULT_SIGBUS;
	if (marker & PTE_MARKER_POISONED)
		return VM_FAULT_HWPOISON;
	if (marker & PTE_MARKER_GUARD)
		return VM_FAULT_SIGSEGV;
	return VM_FAULT_SIGBUS;
}

/**
 * do_swap_page() - bring in the page a swap pte names and map it (cf.
 *	do_swap_page)
 * @m: the machine
 * @vmf: the fault; vmf->orig_pte is the swap pte; no lock held
 *
 * Returns 0 (also when the pte changed meanwhile: the access is retried),
 * VM_FAULT_MAJOR when the page was read from swap, VM_FAULT_OOM,
 * VM_FAULT_SIGBUS for a read error or a bad entry, VM_FAULT_HWPOISON for
 * a poisoned PTE marker.
 */
vm_fault_t do_swap_page(struct machine *m, struct vm_fault *vmf)
{
	swp_entry_t entry = pte_to_swp_entry(m, vmf->orig_pte);
	struct swap_info_struct *si = swp_swap_info(m, entry);
	struct mm_struct *mm = vmf->vma->vm_mm;
	struct page *page;
	vm_fault_t ret = 0;

	if (non_swap_entry(entry)) {
		if (is_pte_marker_entry(entry))
			return handle_pte_marker(m, vmf);
		return bad_swap_pte(m, vmf);
	}
	if (!si || !(si->flags & SWP_USED) || !swp_offset(entry) || swp_offset(entry) >= si->max)
		return bad_swap_pte(m, vmf);
	page = swapin_page(m, vmf, entry, &ret);
	if (!page)
		return ret;
	lock_page(m, page);
	/* reclaim or swapoff may have taken it out of the cache meanwhile */
	if (!PageSwapCache(page) || page->private != entry.val || !PageUptodate(page)) {
		bool uptodate = PageUptodate(page);

		unlock_page(m, page);
		put_page(m, page);
		return uptodate ? 0 : VM_FAULT_SIGBUS;
	}
	if (anon_vma_prepare(m, vmf->vma)) {
		unlock_page(m, page);
		put_page(m, page);
		return VM_FAULT_OOM;
	}
	spin_lock(&mm->page_table_lock);
	if (!pte_same(ptep_get(m, vmf->pte), vmf->orig_pte)) {	/* out_nomap */
		spin_unlock(&mm->page_table_lock);
		unlock_page(m, page);
		put_page(m, page);
		return ret;
	}
	return map_swapped_page(m, vmf, page, entry, ret);
}
