/* shmem and swap: a shmem page leaves for a swap slot and comes back on
 * fault or at swapoff (cf. mm/shmem.c shmem_writeout, shmem_swapin_folio,
 * shmem_unuse, shmem_free_swap). The objects themselves are mm/shmem.c.
 *
 * Swap-out (a_ops->writepage, from reclaim's pageout, the page locked
 * and unmapped): the page gets a slot (get_swap_page), joins the swap
 * cache, and its page-cache slot is replaced by xa_mk_value(entry.val);
 * the entry holds one swap_map reference (swap_duplicate) and
 * info->swapped counts it; then swap_writepage writes it and reclaim
 * frees it from the swap cache later.
 *
 * Swap-in (a fault or read on the value entry, or swapoff): the page is
 * taken from the swap cache or read into it, put back in the page cache
 * in place of the value (nrpages, NR_FILE_PAGES, NR_SHMEM counted as the
 * page cache counts them), marked dirty (its only copy is now in memory),
 * taken out of the swap cache and the entry's slot reference dropped.
 *
 * Invariant: a value entry's slot has a nonzero swap count; a page never
 * sits in an object's page cache and the swap cache at once outside these
 * two functions. */
#include "mm/shmem_fs.h"
#include "mm/swap.h"

static void shmem_recalc_swapped(struct inode *inode, long delta)
{
	struct shmem_inode_info *info = SHMEM_I(inode);

	spin_lock(&info->lock);
	info->swapped += delta;
	spin_unlock(&info->lock);
}

/* The page-cache counters of one shmem page (cf. __filemap_add_folio's
 * and filemap_unaccount_folio's __lruvec_stat_mod_folio). */
static void shmem_account_page(struct machine *m, long nr)
{
	__atomic_fetch_add(&m->node.vm_stat[NR_FILE_PAGES], nr, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->node.vm_stat[NR_SHMEM], nr, __ATOMIC_RELAXED);
}

/**
 * shmem_writepage() - a_ops->writepage of shmem: move @page to swap (cf.
 *	shmem_writepage / shmem_writeout)
 * @m: the machine
 * @page: a locked, unmapped page of a shmem object, dirty bit cleared
 * @wbc: the writeback control
 *
 * Outside reclaim (@wbc->for_reclaim false: sync, msync), with the object
 * SHM_LOCKed, no swap, or no free slot the page is redirtied and unlocked
 * (it stays). Returns 0, or what
 * swap_writepage returns.
 */
int shmem_writepage(struct machine *m, struct page *page, struct writeback_control *wbc)
{
	struct address_space *mapping = page->mapping;
	struct inode *inode = mapping->host;
	struct shmem_inode_info *info = SHMEM_I(inode);
	swp_entry_t entry;

	/* only memory pressure sends shmem to swap: never sync/msync writeback */
	if (!wbc || !wbc->for_reclaim)
		goto redirty;
	if (VM_WARN_ON(m, (page_mapcount(page) > 0)) || (info->flags & VM_LOCKED) ||
	    !get_nr_swap_pages(m))
		goto redirty;
	entry = get_swap_page(m, page);
	if (!entry.val)
		goto redirty;
	if (add_to_swap_cache(m, page, entry, GFP_ATOMIC)) {
		put_swap_page(m, page, entry);
		goto redirty;
	}
	swap_duplicate(m, entry);	/* the value entry's reference */
	shmem_recalc_swapped(inode, 1);
	xa_lock(&mapping->i_pages);
	__delete_from_page_cache(m, page, xa_mk_value(entry.val));
	xa_unlock(&mapping->i_pages);
	put_page(m, page);	/* the page cache's reference; the swap cache holds one */
	SetPageDirty(page);	/* for swap_writepage's accounting */
	return swap_writepage(m, page, wbc);
redirty:
	SetPageDirty(page);
	unlock_page(m, page);
	return 0;
}

/* Put the swap-cache @page back at @index in place of @expected (cf.
 * shmem_add_to_page_cache with an expected swap entry). -EEXIST when the
 * slot no longer holds it. */
static int shmem_replace_value(struct machine *m, struct address_space *mapping,
			       unsigned long index, void *expected, struct page *page)
{
	void *old;

	xa_lock(&mapping->i_pages);
	if (xa_load(&mapping->i_pages, index) != expected) {
		xa_unlock(&mapping->i_pages);
		return -EEXIST;
	}
	old = xa_store(m, &mapping->i_pages, index, page, GFP_ATOMIC);
	if (xa_is_err(old)) {
		xa_unlock(&mapping->i_pages);
		return -ENOMEM;
	}
	get_page(page);	/* the page cache's reference */
	page->mapping = mapping;
	page->index = index;
	mapping->nrpages++;
	shmem_account_page(m, 1);
	xa_unlock(&mapping->i_pages);
	return 0;
}

/**
 * shmem_swapin_page() - read the swapped page at @index back (cf.
 *	shmem_swapin_folio)
 * @m: the machine
 * @inode: the object
 * @index: page offset
 * @entry: the value entry found there
 * @pagep: set to the page, referenced and unlocked
 * @major: set when it had to be read (not found in the swap cache)
 *
 * Returns 0, -EEXIST when the slot changed meanwhile (the caller looks
 * again), -ENOMEM, -EIO.
 */
int shmem_swapin_page(struct machine *m, struct inode *inode, unsigned long index,
		      void *entry, struct page **pagep, bool *major)
{
	struct address_space *mapping = inode->i_mapping;
	swp_entry_t swap = { xa_to_value(entry) };
	struct page *page;
	bool new_page;
	int err = 0;

	*major = false;
	page = lookup_swap_cache(m, swap);
	if (!page) {
		*major = true;
		page = read_swap_cache_async(m, swap, GFP_HIGHUSER_MOVABLE, &new_page, &err);
		if (!page) {
			if (err == -ENOENT)	/* the slot went: truncated meanwhile */
				return xa_load(&mapping->i_pages, index) == entry ? -EIO : -EEXIST;
			return err ? err : -ENOMEM;
		}
	}
	lock_page(m, page);
	if (!PageSwapCache(page) || page->private != swap.val) {
		err = -EEXIST;	/* swapped in by someone else */
		goto out_unlock;
	}
	if (!PageUptodate(page)) {
		err = -EIO;
		goto out_unlock;
	}
	wait_on_page_writeback(m, page);
	err = shmem_replace_value(m, mapping, index, entry, page);
	if (err)
		goto out_unlock;
	shmem_recalc_swapped(inode, -1);
	SetPageDirty(page);	/* its only copy: swap it out again if reclaimed */
	delete_from_swap_cache(m, page);
	swap_free(m, swap);
	unlock_page(m, page);
	*pagep = page;
	return 0;
out_unlock:
	unlock_page(m, page);
	put_page(m, page);
	return err;
}

/**
 * shmem_free_swap() - a value entry left an object: its slot reference
 *	goes, and the swap cache's page with it when unused (cf.
 *	shmem_free_swap)
 * @m: the machine
 * @entry: the value entry
 */
void shmem_free_swap(struct machine *m, void *entry)
{
	swp_entry_t swap = { xa_to_value(entry) };

	free_swap_and_cache(m, swap);
}

/* Bring back every value entry of @inode naming area @type. */
static int shmem_unuse_inode(struct machine *m, struct inode *inode, unsigned int type)
{
	struct address_space *mapping = inode->i_mapping;
	unsigned long index = 0;

	for (;;) {
		struct page *page;
		bool major;
		void *entry;
		int err;

		xa_lock(&mapping->i_pages);
		for (entry = xa_find(&mapping->i_pages, &index, ~0UL); entry;
		     entry = index == ~0UL ? NULL : (index++, xa_find(&mapping->i_pages, &index, ~0UL)))
			if (xa_is_value(entry) &&
			    swp_type((swp_entry_t){ xa_to_value(entry) }) == type)
				break;
		xa_unlock(&mapping->i_pages);
		if (!entry)
			return 0;
		err = shmem_swapin_page(m, inode, index, entry, &page, &major);
		if (err == -EEXIST)
			continue;	/* look at the same index again */
		if (err)
			return err == -EIO ? -EIO : -ENOMEM;
		put_page(m, page);
	}
}

/**
 * shmem_unuse() - swapoff: read back every page shmem objects hold in
 *	area @type (cf. shmem_unuse)
 * @m: the machine
 * @type: the swap area being turned off
 *
 * Called by try_to_unuse (through m->swap.shmem_unuse). Returns 0, or
 * -ENOMEM when a page could not be brought in (the area stays on).
 */
int shmem_unuse(struct machine *m, unsigned int type)
{
	struct list_head *pos;
	int err = 0;

	spin_lock(&m->ipc.shmem_lock);
	pos = m->ipc.shmem_inodes.next;
	while (!err && pos != &m->ipc.shmem_inodes) {
		struct shmem_inode_info *info = list_entry(pos, struct shmem_inode_info, swaplist);
		bool released;

		if (!info->swapped) {
			pos = pos->next;
			continue;
		}
		info->pinned++;	/* shmem_release leaves the info to us meanwhile */
		spin_unlock(&m->ipc.shmem_lock);
		err = shmem_unuse_inode(m, info->inode, type);
		spin_lock(&m->ipc.shmem_lock);
		info->pinned--;
		released = list_empty(&info->swaplist);
		pos = released ? m->ipc.shmem_inodes.next : pos->next;
		if (released && !info->pinned) {
			spin_unlock(&m->ipc.shmem_lock);
			shmem_free_info(m, info);
			spin_lock(&m->ipc.shmem_lock);
		}
	}
	spin_unlock(&m->ipc.shmem_lock);
	return err;
}
