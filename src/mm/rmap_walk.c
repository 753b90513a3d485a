/* Reverse mapping, the page side: from a page to every pte that maps it
 * (cf. mm/rmap.c rmap_walk, rmap_walk_anon, rmap_walk_file,
 * folio_referenced, try_to_unmap, folio_mkclean, page_vma_mapped_walk;
 * seed 003: "反向映射 ... 找到映射这个页面的所有页表项").
 *
 * An anonymous page's mapping is its anon_vma (| PAGE_MAPPING_ANON) and its
 * index the linear page index, the same in every VMA of the fork tree that
 * may map it; the anon_vma's head lists a chain entry for each such VMA
 * (mm/rmap.c keeps it). A file (or shmem) page's mapping is its
 * address_space, whose i_mmap lists the VMAs mapping the object (vma->shared,
 * kept by mm/fs.c's vma_link_file). Either way the page's address in a
 * VMA is vm_start + ((index - vm_pgoff) << PAGE_SHIFT), if the VMA covers
 * that index; the pte there maps the page or something else (a COW copy,
 * a swap entry), which page_vma_mapped_pte() tells apart.
 *
 * Locks: the walk holds the anon_vma root's lock (or i_mmap_lock), and
 * each visit takes the VMA's mm->page_table_lock: root lock -> page table
 * lock, the order anon_vma_prepare also takes them in.
 *
 * Invariant: try_to_unmap() changes a pte and the counters it feeds
 * (rss, _mapcount, _refcount, the slot's swap count) together, under the
 * page table lock. */
#include "mm/swap.h"

/**
 * page_anon_vma() - the anon_vma of an anonymous page, or NULL
 * @page: the page
 */
struct anon_vma *page_anon_vma(const struct page *page)
{
	if (!PageAnon(page))
		return NULL;
	return (struct anon_vma *)((unsigned long)page->mapping & ~PAGE_MAPPING_ANON);
}

/**
 * vma_address() - the address of @page in @vma, or -EFAULT when @vma does
 *	not cover the page's index (cf. vma_address)
 * @page: an anonymous or file page
 * @vma: a VMA of its anon_vma or mapping
 */
unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma)
{
	unsigned long pgoff = page->index, pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;

	if (pgoff < vma->vm_pgoff || pgoff - vma->vm_pgoff >= pages)
		return (unsigned long)-EFAULT;
	return vma->vm_start + ((pgoff - vma->vm_pgoff) << PAGE_SHIFT);
}

/**
 * page_vma_mapped_pte() - the pte of @vma at @address if it maps @page
 *	(cf. page_vma_mapped_walk for a small page); the caller holds the
 *	page table lock
 * @m: the machine
 * @page: the page
 * @vma: the VMA
 * @address: the address vma_address() gave
 */
ptep_t *page_vma_mapped_pte(struct machine *m, struct page *page, struct vm_area_struct *vma,
			    unsigned long address)
{
	ptep_t *ptep = pte_offset_user(m, vma->vm_mm, address);
	pte_t pte;

	if (!ptep)
		return NULL;
	pte = ptep_get(m, ptep);
	if (!(pte_val(pte) & _PAGE_PRESENT) && !pte_present(pte))
		return NULL;
	return pte_pfn(pte) == page_to_pfn(m, page) ? ptep : NULL;
}

/* Visit one VMA; false when the walk must stop. */
static bool rmap_visit(struct machine *m, struct page *page, struct vm_area_struct *vma,
		       struct rmap_walk_control *rwc)
{
	unsigned long address = vma_address(page, vma);

	if (address == (unsigned long)-EFAULT)
		return true;
	if (rwc->invalid_vma && rwc->invalid_vma(vma, rwc->arg))
		return true;
	if (!rwc->rmap_one(m, page, vma, address, rwc->arg))
		return false;
	return !(rwc->done && rwc->done(m, page, rwc->arg));
}

/* The VMAs of the page's anon_vma (cf. rmap_walk_anon). An unmapped page's
 * anon_vma may be gone (its processes exited): nothing to walk then, as
 * folio_lock_anon_vma_read's folio_mapped() check. */
static void rmap_walk_anon(struct machine *m, struct page *page, struct rmap_walk_control *rwc)
{
	struct anon_vma *anon_vma = page_anon_vma(page);
	struct anon_vma_chain *avc;
	struct anon_vma *root;

	if (!anon_vma || page_mapcount(page) <= 0)
		return;
	root = anon_vma->root;
	spin_lock(&root->lock);
	list_for_each_entry(avc, &anon_vma->head, same_anon_vma)
		if (!rmap_visit(m, page, avc->vma, rwc))
			break;
	spin_unlock(&root->lock);
}

/* The VMAs mapping the page's file (cf. rmap_walk_file). */
static void rmap_walk_file(struct machine *m, struct page *page, struct rmap_walk_control *rwc)
{
	struct address_space *mapping = page->mapping;
	struct vm_area_struct *vma;

	if (!mapping)
		return;
	spin_lock(&mapping->i_mmap_lock);
	list_for_each_entry(vma, &mapping->i_mmap, shared)
		if (!rmap_visit(m, page, vma, rwc))
			break;
	spin_unlock(&mapping->i_mmap_lock);
}

/**
 * rmap_walk() - call @rwc->rmap_one for every VMA that may map @page (cf.
 *	rmap_walk)
 * @m: the machine
 * @page: an anonymous, file or shmem page (locked by the caller, or
 *	otherwise kept from changing its mapping)
 * @rwc: what to do
 */
void rmap_walk(struct machine *m, struct page *page, struct rmap_walk_control *rwc)
{
	if (PageAnon(page))
		rmap_walk_anon(m, page, rwc);
	else
		rmap_walk_file(m, page, rwc);
}

/* ---- page_referenced ---- */

struct referenced_arg {
	int referenced;
	int mapcount;			/* ptes left to find */
	unsigned long vm_flags;
};

static bool page_referenced_one(struct machine *m, struct page *page,
				struct vm_area_struct *vma, unsigned long address, void *arg)
{
	struct referenced_arg *pra = arg;
	struct mm_struct *mm = vma->vm_mm;
	ptep_t *ptep;
	pte_t pte;

	spin_lock(&mm->page_table_lock);
	ptep = page_vma_mapped_pte(m, page, vma, address);
	if (!ptep) {
		spin_unlock(&mm->page_table_lock);
		return true;
	}
	if (vma->vm_flags & VM_LOCKED) {
		spin_unlock(&mm->page_table_lock);
		pra->vm_flags |= VM_LOCKED;
		return false;	/* to break the loop */
	}
	pte = ptep_get(m, ptep);
	if (pte_young(pte)) {	/* ptep_clear_flush_young */
		set_pte(m, ptep, pte_mkold(pte));
		flush_tlb_page(m, vma, address);
		pra->referenced++;
		pra->vm_flags |= vma->vm_flags & ~VM_LOCKED;
	}
	spin_unlock(&mm->page_table_lock);
	pra->mapcount--;
	return true;
}

static bool page_referenced_done(struct machine *m, struct page *page, void *arg)
{
	(void)m;
	(void)page;
	return ((struct referenced_arg *)arg)->mapcount <= 0;
}

/**
 * page_referenced() - test and clear the Accessed bit of every pte mapping
 *	@page (cf. folio_referenced)
 * @m: the machine
 * @page: the page
 * @is_locked: the caller holds the page lock (kept for Linux's signature)
 * @vm_flags: gets the union of the flags of the VMAs that referenced it,
 *	and VM_LOCKED when a locked VMA maps it (the walk stops there)
 *
 * Returns the number of ptes that had the Accessed bit; each is cleared
 * and its TLB entry flushed, so the next access sets it again.
 */
int page_referenced(struct machine *m, struct page *page, int is_locked,
		    unsigned long *vm_flags)
{
	struct referenced_arg pra = { .mapcount = page_mapcount(page) };
	struct rmap_walk_control rwc = {
		.arg = &pra,
		.rmap_one = page_referenced_one,
		.done = page_referenced_done,
	};

	(void)is_locked;
	*vm_flags = 0;
	if (pra.mapcount <= 0)
		return 0;
	rmap_walk(m, page, &rwc);
	*vm_flags = pra.vm_flags;
	return pra.referenced;
}

/* ---- try_to_unmap ---- */

struct unmap_arg {
	unsigned int flags;
	bool failed;
};

/* Replace the pte of an anonymous page by its swap entry (the part of
 * try_to_unmap_one for a swap-backed anonymous page). False when the slot
 * cannot take another reference. */
static bool unmap_anon_pte(struct machine *m, struct page *page, struct vm_area_struct *vma,
			   ptep_t *ptep)
{
	swp_entry_t entry = { page->private };

	if (!PageSwapCache(page) || swap_duplicate(m, entry))
		return false;
	set_pte(m, ptep, swp_entry_to_pte(m, entry));
	dec_mm_counter(vma->vm_mm, MM_ANONPAGES);
	inc_mm_counter(vma->vm_mm, MM_SWAPENTS);
	return true;
}

static bool try_to_unmap_one(struct machine *m, struct page *page, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	struct unmap_arg *ua = arg;
	struct mm_struct *mm = vma->vm_mm;
	ptep_t *ptep;
	pte_t pteval;

	spin_lock(&mm->page_table_lock);
	ptep = page_vma_mapped_pte(m, page, vma, address);
	if (!ptep) {
		spin_unlock(&mm->page_table_lock);
		return true;
	}
	if ((vma->vm_flags & VM_LOCKED) && !(ua->flags & TTU_IGNORE_MLOCK)) {
		spin_unlock(&mm->page_table_lock);
		mlock_page(m, page);	/* reclaim found it: onto the unevictable list */
		ua->failed = true;
		return false;
	}
	pteval = ptep_get(m, ptep);
	pte_clear(m, ptep);	/* ptep_clear_flush */
	flush_tlb_page(m, vma, address);
	if (PageAnon(page) && !PageSwapBacked(page) && !PageSwapCache(page)) {
		/* MADV_FREE'd (lazyfree): dropped unless written since, when
		 * it is anonymous memory again (cf. try_to_unmap_one) */
		if (pte_dirty(pteval) || PageDirty(page)) {
			set_pte(m, ptep, pteval);
			SetPageSwapBacked(page);
			spin_unlock(&mm->page_table_lock);
			ua->failed = true;
			return false;
		}
		dec_mm_counter(mm, MM_ANONPAGES);
	} else if (PageAnon(page)) {
		if (!unmap_anon_pte(m, page, vma, ptep)) {
			set_pte(m, ptep, pteval);
			spin_unlock(&mm->page_table_lock);
			ua->failed = true;
			return false;
		}
	} else {
		dec_mm_counter(mm, mm_counter(page));
	}
	if (pte_dirty(pteval)) {	/* the data must reach the file or the slot */
		if (PageAnon(page))
			SetPageDirty(page);
		else
			set_page_dirty(m, page);
	}
	page_remove_rmap(m, page, vma);
	spin_unlock(&mm->page_table_lock);
	put_page(m, page);	/* the pte's reference; the caller holds one */
	return true;
}

static bool page_not_mapped(struct machine *m, struct page *page, void *arg)
{
	(void)m;
	(void)arg;
	return page_mapcount(page) <= 0;
}

/**
 * try_to_unmap() - remove every pte mapping @page (cf. try_to_unmap)
 * @m: the machine
 * @page: the page, locked, with a reference held by the caller
 * @flags: TTU_* (TTU_IGNORE_MLOCK: unmap from locked VMAs too)
 *
 * A lazyfree page (MADV_FREE: anonymous, not swap-backed) just loses its
 * clean ptes; a pte written since makes it swap-backed again and stops
 * the walk. Any other anonymous page must be in the swap cache: each of its ptes becomes
 * the swap pte of page->private's entry, which gains a reference per pte
 * (swap_duplicate), and the mm's MM_ANONPAGES turns into MM_SWAPENTS. A
 * file or shmem page's ptes are cleared. A dirty pte dirties the page
 * (the data must be written before the page goes). A VM_LOCKED VMA stops
 * the walk and marks the page PG_mlocked. Returns true when no pte maps
 * @page any more.
 */
bool try_to_unmap(struct machine *m, struct page *page, unsigned int flags)
{
	struct unmap_arg ua = { .flags = flags };
	struct rmap_walk_control rwc = {
		.arg = &ua,
		.rmap_one = try_to_unmap_one,
		.done = page_not_mapped,
	};

	if (page_mapcount(page) > 0)
		rmap_walk(m, page, &rwc);
	return page_mapcount(page) <= 0;
}

/* ---- page_mkclean ---- */

static bool page_mkclean_one(struct machine *m, struct page *page, struct vm_area_struct *vma,
			     unsigned long address, void *arg)
{
	struct mm_struct *mm = vma->vm_mm;
	int *cleaned = arg;
	ptep_t *ptep;
	pte_t pte;

	spin_lock(&mm->page_table_lock);
	ptep = page_vma_mapped_pte(m, page, vma, address);
	if (ptep) {
		pte = ptep_get(m, ptep);
		if (pte_dirty(pte) || pte_write(pte)) {
			pte_clear(m, ptep);	/* ptep_clear_flush, then the clean pte */
			flush_tlb_page(m, vma, address);
			set_pte(m, ptep, pte_wrprotect(pte_mkclean(pte)));
			(*cleaned)++;
		}
	}
	spin_unlock(&mm->page_table_lock);
	return true;
}

static bool invalid_mkclean_vma(struct vm_area_struct *vma, void *arg)
{
	(void)arg;
	return !(vma->vm_flags & VM_SHARED);
}

/**
 * page_mkclean() - write-protect and clean every pte of a shared mapping
 *	that maps the file @page, so the next write faults and dirties it
 *	again (cf. folio_mkclean)
 * @m: the machine
 * @page: a locked page of a page cache
 *
 * Returns the number of ptes that were dirty or writable.
 */
int page_mkclean(struct machine *m, struct page *page)
{
	int cleaned = 0;
	struct rmap_walk_control rwc = {
		.arg = &cleaned,
		.rmap_one = page_mkclean_one,
		.invalid_vma = invalid_mkclean_vma,
	};

	if (PageAnon(page) || !page->mapping || page_mapcount(page) <= 0)
		return 0;
	rmap_walk(m, page, &rwc);
	return cleaned;
}
