/* The swap cache (cf. mm/swap_state.c: add_to_swap_cache,
 * __delete_from_swap_cache, delete_from_swap_cache, swap_cache_get_folio,
 * read_swap_cache_async / __read_swap_cache_async, mm/vmscan.c
 * add_to_swap / folio_alloc_swap).
 *
 * Each area has its own cache (si->swap_cache, Linux's swapper_spaces):
 * an xarray from slot offset to the page holding that slot's data. A page
 * enters it when it gets a slot to be written to (add_to_swap) or when it
 * is read from a slot (read_swap_cache_async), and stays while anyone may
 * still fault on the slot, so processes sharing a slot after fork find the
 * same page and the slot is read once (seed 003: "swap cache ... 避免
 * 重复读"). A swap-cache page has PG_swapcache, its entry in
 * page->private, one reference held by the cache, and counts in
 * NR_SWAPCACHE (and NR_FILE_PAGES, as Linux's: meminfo's Cached subtracts
 * it again).
 *
 * Invariant: a page is in its area's cache at offset swp_offset(private)
 * iff PG_swapcache, and then its slot has SWAP_HAS_CACHE. */
#include "mm/swap.h"

static void mod_node_stat(struct machine *m, enum node_stat_item item, long delta)
{
	__mod_node_page_state(&m->node, item, delta);
}

/**
 * swap_address_space() - the swap cache of @entry's area (cf.
 *	swap_address_space)
 * @m: the machine
 * @entry: a swap entry of an area in use
 */
struct address_space *swap_address_space(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(m, entry);

	return si ? &si->swap_cache : NULL;
}

int add_to_swap_cache(struct machine *m, struct page *page, swp_entry_t entry, gfp_t gfp)
{
	struct address_space *as = swap_address_space(m, entry);
	void *old;

	if (VM_WARN_ON(m, !as || PageSwapCache(page)))
		return -EINVAL;
	xa_lock(&as->i_pages);
	old = xa_load(&as->i_pages, swp_offset(entry));
	if (old) {
		xa_unlock(&as->i_pages);
		return -EEXIST;
	}
	old = xa_store(m, &as->i_pages, swp_offset(entry), page, gfp & ~(__GFP_DIRECT_RECLAIM | GFP_ZONEMASK));
	if (xa_is_err(old)) {
		xa_unlock(&as->i_pages);
		return -ENOMEM;
	}
	get_page(page);
	page->private = entry.val;
	SetPageSwapCache(page);
	as->nrpages++;
	xa_unlock(&as->i_pages);
	mod_node_stat(m, NR_FILE_PAGES, 1);
	mod_node_stat(m, NR_SWAPCACHE, 1);
	return 0;
}

void __delete_from_swap_cache(struct machine *m, struct page *page, swp_entry_t entry)
{
	struct address_space *as = swap_address_space(m, entry);
	void *old;

	if (VM_WARN_ON(m, !as || !PageSwapCache(page)))
		return;
	xa_lock(&as->i_pages);
	old = xa_erase(m, &as->i_pages, swp_offset(entry));
	VM_WARN_ON(m, old != page);
	as->nrpages--;
	ClearPageSwapCache(page);
	page->private = 0;
	xa_unlock(&as->i_pages);
	mod_node_stat(m, NR_FILE_PAGES, -1);
	mod_node_stat(m, NR_SWAPCACHE, -1);
}

/**
 * delete_from_swap_cache() - take @page out of the swap cache: its slot
 *	loses SWAP_HAS_CACHE (and is freed if no pte names it) and the cache
 *	drops its reference (cf. delete_from_swap_cache)
 * @m: the machine
 * @page: a swap-cache page, locked; the caller holds a reference too
 */
void delete_from_swap_cache(struct machine *m, struct page *page)
{
	swp_entry_t entry = { page->private };

	__delete_from_swap_cache(m, page, entry);
	put_swap_page(m, page, entry);
	put_page(m, page);
}

/**
 * lookup_swap_cache() - the page caching @entry, referenced, or NULL (cf.
 *	swap_cache_get_folio)
 * @m: the machine
 * @entry: a swap entry
 */
struct page *lookup_swap_cache(struct machine *m, swp_entry_t entry)
{
	struct address_space *as = swap_address_space(m, entry);
	struct page *page;

	if (!as)
		return NULL;
	xa_lock(&as->i_pages);
	page = xa_load(&as->i_pages, swp_offset(entry));
	if (page)
		get_page(page);
	xa_unlock(&as->i_pages);
	return page;
}

/**
 * read_swap_cache_async() - the page for @entry from the swap cache, or a
 *	new page read from the slot and added there (cf.
 *	read_swap_cache_async, __read_swap_cache_async, swap_read_folio)
 * @m: the machine
 * @entry: a slot some pte or shmem entry names
 * @gfp: for the new page
 * @new_page: set when the page was read now (a major fault)
 * @err: 0, -ENOMEM (no page), -ENOENT (the slot was freed meanwhile: the
 *	caller's pte changed), -EIO (the read failed)
 *
 * Returns the page with a reference (uptodate), or NULL with *@err set.
 * The read is synchronous: the page is returned unlocked.
 */
struct page *read_swap_cache_async(struct machine *m, swp_entry_t entry, gfp_t gfp,
				   bool *new_page, int *err)
{
	struct page *page;
	int ret;

	*new_page = false;
	*err = 0;
	for (;;) {
		page = lookup_swap_cache(m, entry);
		if (page)
			return page;
		ret = swapcache_prepare(m, entry);
		if (ret == -EEXIST)	/* another CPU is adding it: look again */
			continue;
		if (ret) {
			*err = -ENOENT;
			return NULL;
		}
		break;
	}
	page = alloc_page(m, gfp);
	if (!page) {
		swapcache_clear(m, entry);
		*err = -ENOMEM;
		return NULL;
	}
	SetPageLocked(page);
	SetPageSwapBacked(page);
	if (add_to_swap_cache(m, page, entry, gfp)) {
		ClearPageLocked(page);
		swapcache_clear(m, entry);
		put_page(m, page);
		*err = -ENOMEM;
		return NULL;
	}
	lru_cache_add(m, page);
	ret = swap_readpage(m, page);	/* unlocks it */
	if (ret) {	/* keep nobody's bad copy: out of the cache again */
		lock_page(m, page);
		delete_from_swap_cache(m, page);
		unlock_page(m, page);
		put_page(m, page);
		*err = ret;
		return NULL;
	}
	*new_page = true;
	return page;
}

/**
 * add_to_swap() - give the anonymous @page a slot and put it in the swap
 *	cache, dirty so reclaim writes it (cf. add_to_swap / folio_alloc_swap)
 * @m: the machine
 * @page: a locked anonymous page, not yet in the swap cache, with a
 *	reference held by the caller
 *
 * Returns 0, or -ENOMEM when no area has a free slot or the cache cannot
 * grow.
 */
int add_to_swap(struct machine *m, struct page *page)
{
	swp_entry_t entry;
	int err;

	VM_WARN_ON(m, !PageLocked(page));
	VM_WARN_ON(m, PageSwapCache(page));
	entry = get_swap_page(m, page);
	if (!entry.val)
		return -ENOMEM;
	err = add_to_swap_cache(m, page, entry, __GFP_HIGH | __GFP_NOMEMALLOC | __GFP_NOWARN);
	if (err) {
		put_swap_page(m, page, entry);
		return -ENOMEM;
	}
	/* the page must be written: until then the slot holds nothing */
	SetPageDirty(page);
	return 0;
}

/**
 * total_swapcache_pages() - pages in every swap cache (cf.
 *	total_swapcache_pages)
 * @m: the machine
 */
unsigned long total_swapcache_pages(struct machine *m)
{
	unsigned long n = 0;

	for (int t = 0; t < m->swap.nr_swapfiles; t++)
		if (m->swap.swap_info[t])
			n += m->swap.swap_info[t]->swap_cache.nrpages;
	return n;
}
