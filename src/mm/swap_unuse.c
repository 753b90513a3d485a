/* swapoff's try_to_unuse: bring every page of an area back into memory
 * (cf. mm/swapfile.c try_to_unuse, unuse_mm, unuse_vma, unuse_pte_range,
 * unuse_pte; shmem's part is shmem_unuse, reached through the hook
 * m->swap.shmem_unuse that mm/shmem.c sets).
 *
 * Every live mm is walked (Linux walks the mmlist of mms that ever
 * swapped; m->vm.mm_list holds them all): each swap pte naming the area
 * gets its page (from the swap cache, or read now) mapped back, read-only
 * and old as unuse_pte maps it, the pte's slot reference dropped. Then the
 * pages only the swap cache still holds leave it. A page that cannot be
 * allocated ends the pass with -ENOMEM: what was brought in stays (each
 * step keeps the counters and the tables consistent) and the caller makes
 * the area writable again.
 *
 * A slot that cannot be read does not stop swapoff (Linux 6.x unuse_pte,
 * the !uptodate folio): each pte naming it becomes a poisoned PTE marker
 * (make_poisoned_swp_entry), MM_SWAPENTS drops and the slot reference goes
 * (swap_free); the process gets SIGBUS when it touches the address. Linux
 * keeps the failed folio in the swap cache, so every pte naming the slot
 * sees the same failure in that pass; mmkit's reads are synchronous and
 * the failed page leaves the cache, so the offsets that failed are kept in
 * an xarray for the call and their other ptes are poisoned without a new
 * read. (shmem's entries are shmem_unuse's: see docs/swap.md.)
 *
 * Invariant: on success no pte, shmem entry or cache page names the area
 * and its inuse_pages is 0. */
#include "mm/pagewalk.h"
#include "mm/swap.h"

struct unuse_walk {
	unsigned int type;
	struct xarray *lost;	/* offsets whose read failed in this call */
	int err;
};

static bool pte_same(pte_t a, pte_t b)
{
	return pte_val(a) == pte_val(b);
}

/* Map @page at @addr in place of the swap pte @orig (cf. unuse_pte). */
static void unuse_pte(struct machine *m, struct vm_area_struct *vma, ptep_t *ptep,
		      unsigned long addr, pte_t orig, swp_entry_t entry, struct page *page)
{
	struct mm_struct *mm = vma->vm_mm;

	spin_lock(&mm->page_table_lock);
	if (!pte_same(ptep_get(m, ptep), orig)) {
		spin_unlock(&mm->page_table_lock);
		return;
	}
	dec_mm_counter(mm, MM_SWAPENTS);
	inc_mm_counter(mm, MM_ANONPAGES);
	get_page(page);
	if (!PageAnon(page))
		page_add_new_anon_rmap_flags(m, page, vma, addr, 0);
	else
		page_add_anon_rmap(m, page, vma, addr);
	set_pte(m, ptep, pte_mkold(mk_pte(m, page, vma->vm_page_prot)));
	swap_free(m, entry);
	spin_unlock(&mm->page_table_lock);
}

/* The slot of @orig could not be read: a poisoned marker in its place,
 * the slot reference dropped (cf. unuse_pte's !folio_test_uptodate case). */
static void unuse_pte_poison(struct machine *m, struct vm_area_struct *vma, ptep_t *ptep,
			     pte_t orig, swp_entry_t entry)
{
	struct mm_struct *mm = vma->vm_mm;

	spin_lock(&mm->page_table_lock);
	if (pte_same(ptep_get(m, ptep), orig)) {
		dec_mm_counter(mm, MM_SWAPENTS);
		set_pte(m, ptep, make_pte_marker(m, PTE_MARKER_POISONED));
		swap_free(m, entry);
	}
	spin_unlock(&mm->page_table_lock);
}

/* A read of @entry failed: remember it for the other ptes naming it (no
 * memory for the note only means they read it again). */
static void unuse_note_lost(struct machine *m, struct unuse_walk *uw, swp_entry_t entry)
{
	xa_store(m, uw->lost, swp_offset(entry), xa_mk_value(1),
		 GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
}

static int unuse_pte_entry(struct mm_walk *walk, ptep_t *ptep, unsigned long addr)
{
	struct unuse_walk *uw = walk->private;
	struct machine *m = walk->m;
	pte_t pte = ptep_get(m, ptep);
	struct page *page;
	swp_entry_t entry;
	bool new_page;
	int err;

	if (!is_swap_pte(pte))
		return 0;
	entry = pte_to_swp_entry(m, pte);
	if (swp_type(entry) != uw->type)
		return 0;
	if (xa_load(uw->lost, swp_offset(entry))) {
		unuse_pte_poison(m, walk->vma, ptep, pte, entry);
		return 0;
	}
	if (anon_vma_prepare(m, walk->vma)) {
		uw->err = -ENOMEM;
		return 1;
	}
	page = read_swap_cache_async(m, entry, GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN,
				     &new_page, &err);
	if (!page) {
		if (err == -ENOENT)	/* the pte changed meanwhile */
			return 0;
		if (err == -EIO) {	/* the data is lost: poison the pte */
			unuse_note_lost(m, uw, entry);
			unuse_pte_poison(m, walk->vma, ptep, pte, entry);
			return 0;
		}
		uw->err = -ENOMEM;
		return 1;
	}
	lock_page(m, page);
	if (PageSwapCache(page) && page->private == entry.val)
		unuse_pte(m, walk->vma, ptep, addr, pte, entry, page);
	unlock_page(m, page);
	put_page(m, page);
	return 0;
}

static const struct mm_walk_ops unuse_walk_ops = {
	.pte_entry = unuse_pte_entry,
};

/* Every VMA of @mm (cf. unuse_mm). */
static int unuse_mm(struct machine *m, struct mm_struct *mm, unsigned int type,
		    struct xarray *lost)
{
	struct unuse_walk uw = { .type = type, .lost = lost };
	struct vm_area_struct *vma;

	down_read(&mm->mmap_lock);
	for (vma = mm->mmap; vma && !uw.err; vma = vma->vm_next)
		if (vma->anon_vma)	/* swap ptes only where anonymous pages were */
			walk_page_range(m, mm, vma->vm_start, vma->vm_end, &unuse_walk_ops, vma,
					&uw, NULL);
	up_read(&mm->mmap_lock);
	return uw.err;
}

/* Pages only the swap cache holds: out of it (their slots free). */
static void unuse_swap_cache(struct machine *m, struct swap_info_struct *si)
{
	for (unsigned long off = 1; off < si->max; off++) {
		struct page *page;

		if (si->swap_map[off] != SWAP_HAS_CACHE)
			continue;
		page = lookup_swap_cache(m, swp_entry(si->type, off));
		if (!page)
			continue;
		lock_page(m, page);
		try_to_free_swap(m, page);
		unlock_page(m, page);
		put_page(m, page);
	}
}

/**
 * try_to_unuse() - bring every page of area @type back in (cf.
 *	try_to_unuse)
 * @m: the machine
 * @type: an area no longer SWP_WRITEOK
 *
 * A slot that cannot be read leaves poisoned PTE markers in the ptes that
 * named it (see above). Returns 0, -ENOMEM when a page could not be
 * allocated, -EIO when a shmem page could not be read, -EBUSY when
 * references to the area remain that no pte or shmem entry explains (a
 * leak, reported).
 */
int try_to_unuse(struct machine *m, unsigned int type)
{
	struct swap_info_struct *si = m->swap.swap_info[type];
	struct mm_struct *mm;
	struct xarray lost;
	int err = 0;

	xa_init(&lost);
	for (int pass = 0; pass < 3 && si->inuse_pages && !err; pass++) {
		list_for_each_entry(mm, &m->vm.mm_list, mm_list) {
			err = unuse_mm(m, mm, type, &lost);
			if (err)
				break;
		}
		if (!err && m->swap.shmem_unuse)
			err = m->swap.shmem_unuse(m, type);
		if (!err)
			unuse_swap_cache(m, si);
	}
	xa_destroy(m, &lost);
	if (err)
		return err;
	if (si->inuse_pages) {
		pr_err(m, "swapoff: %u slots of swap area %u are still in use\n", si->inuse_pages,
		       type);
		return -EBUSY;
	}
	return 0;
}
