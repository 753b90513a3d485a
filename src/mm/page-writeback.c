/* Dirty page-cache pages and writing them back (cf. mm/page-writeback.c
 * folio_mark_dirty, folio_clear_dirty_for_io, folio_account_cleaned,
 * write_cache_pages, __folio_start_writeback, __folio_end_writeback;
 * mm/filemap.c filemap_write_and_wait_range, filemap_check_errors;
 * the ptes are cleaned by page_mkclean, src/mm/rmap_walk.c).
 *
 * A page of a file mapping becomes dirty through write() or the first
 * store through a shared mapping (write-notify: such ptes start read-only,
 * the write fault calls page_mkwrite -> set_page_dirty), and when zap
 * finds a dirty pte. Dirty pages count NR_FILE_DIRTY ("Dirty:"), the zone's
 * NR_ZONE_WRITE_PENDING and, once, NR_DIRTIED. Writeback (fsync, msync
 * MS_SYNC, sync, machine destroy, reclaim's pageout) first write-protects
 * and cleans every pte of the page (so the next store faults and dirties
 * it again), clears PG_dirty, then writepage sets PG_writeback (NR_WRITEBACK,
 * "Writeback:"), writes the host file and ends it (NR_WRITTEN). shmem pages
 * (PageSwapBacked) are never accounted dirty: their mapping cannot write
 * back (cf. mapping_can_writeback), as in Linux.
 *
 * Invariant: NR_FILE_DIRTY is the number of accountable pages with
 * PG_dirty that are in a page cache; mapping->nrdirty the same per mapping. */
#include "mm/filemap.h"

static void account_dirty(struct machine *m, struct page *page, long delta)
{
	struct address_space *mapping = page->mapping;

	mod_node_stat(m, NR_FILE_DIRTY, delta);
	__mod_zone_page_state(page_zone(m, page), NR_ZONE_WRITE_PENDING, delta);
	__atomic_fetch_add(&mapping->nrdirty, (unsigned long)delta, __ATOMIC_RELAXED);
	if (delta > 0)
		mod_node_stat(m, NR_DIRTIED, delta);
}

/**
 * set_page_dirty() - mark a page dirty (cf. folio_mark_dirty,
 *	filemap_dirty_folio)
 * @m: the machine
 * @page: a page, usually of a page cache
 *
 * Returns 1 when the page was clean. Only pages of mappings that write
 * back (not anonymous, not shmem) are accounted.
 */
int set_page_dirty(struct machine *m, struct page *page)
{
	unsigned long old = __atomic_fetch_or(&page->flags, 1UL << PG_dirty, __ATOMIC_RELAXED);

	if (old & (1UL << PG_dirty))
		return 0;
	if (page_accounts_dirty(page))
		account_dirty(m, page, 1);
	return 1;
}

/* Clear PG_dirty; 1 if it was set (and unaccount it). */
static int test_clear_page_dirty(struct machine *m, struct page *page)
{
	unsigned long old = __atomic_fetch_and(&page->flags, ~(1UL << PG_dirty), __ATOMIC_RELAXED);

	if (!(old & (1UL << PG_dirty)))
		return 0;
	if (page_accounts_dirty(page))
		account_dirty(m, page, -1);
	return 1;
}

/**
 * cancel_dirty_page() - forget a page's dirty state without writing it
 *	(truncation; cf. folio_cancel_dirty)
 * @m: the machine
 * @page: a locked page of a page cache
 */
void cancel_dirty_page(struct machine *m, struct page *page)
{
	test_clear_page_dirty(m, page);
}

/**
 * clear_page_dirty_for_io() - before writing a locked page: clean and
 *	write-protect its ptes, then clear PG_dirty (cf.
 *	folio_clear_dirty_for_io)
 * @m: the machine
 * @page: a locked page of a page cache
 *
 * Returns 1 when the page was dirty (it must be written now).
 */
int clear_page_dirty_for_io(struct machine *m, struct page *page)
{
	VM_WARN_ON(m, !PageLocked(page));
	if (page->mapping && !PageAnon(page) && page_mkclean(m, page))
		set_page_dirty(m, page);	/* a dirty pte's data is in the page */
	return test_clear_page_dirty(m, page);
}

/**
 * set_page_writeback() - the page's write starts (cf. folio_start_writeback)
 * @m: the machine
 * @page: a locked page
 */
void set_page_writeback(struct machine *m, struct page *page)
{
	SetPageWriteback(page);
	mod_node_stat(m, NR_WRITEBACK, 1);
	__mod_zone_page_state(page_zone(m, page), NR_ZONE_WRITE_PENDING, 1);
}

/**
 * end_page_writeback() - the page's write completed (cf. folio_end_writeback)
 * @m: the machine
 * @page: a page under writeback
 */
void end_page_writeback(struct machine *m, struct page *page)
{
	if (VM_WARN_ON(m, !PageWriteback(page)))
		return;
	ClearPageWriteback(page);
	mod_node_stat(m, NR_WRITEBACK, -1);
	__mod_zone_page_state(page_zone(m, page), NR_ZONE_WRITE_PENDING, -1);
	mod_node_stat(m, NR_WRITTEN, 1);
}

/**
 * writepage_for_reclaim() - reclaim's pageout of a dirty page (cf. pageout)
 * @m: the machine
 * @page: a locked page of a page cache, referenced by the caller
 *
 * Returns 0 when the page was written (and is unlocked, clean), -EAGAIN
 * when it was not dirty after all (still locked), or writepage's -errno
 * (unlocked).
 */
int writepage_for_reclaim(struct machine *m, struct page *page)
{
	struct address_space *mapping = page->mapping;
	struct writeback_control wbc = {
		.nr_to_write = 1, .range_start = 0, .range_end = MAX_LFS_FILESIZE,
		.sync_mode = WB_SYNC_NONE, .for_reclaim = true,
	};

	if (!mapping || !mapping->a_ops || !mapping->a_ops->writepage)
		return -EINVAL;
	if (!clear_page_dirty_for_io(m, page))
		return -EAGAIN;
	return mapping->a_ops->writepage(m, page, &wbc);
}

static bool page_is_dirty(const struct page *page)
{
	return PageDirty(page);
}

/**
 * write_cache_pages() - write the dirty pages of a mapping's range (cf.
 *	write_cache_pages)
 * @m: the machine
 * @mapping: the page cache
 * @wbc: the range, how many, and whether to wait for pages in flight
 *
 * Returns 0 or the first writepage error.
 */
int write_cache_pages(struct machine *m, struct address_space *mapping,
		      struct writeback_control *wbc)
{
	unsigned long idx = (unsigned long)(wbc->range_start >> PAGE_SHIFT);
	unsigned long end = (unsigned long)(wbc->range_end >> PAGE_SHIFT);
	struct page *page;
	int ret = 0, err;

	if (!mapping->a_ops || !mapping->a_ops->writepage)
		return 0;
	while (__atomic_load_n(&mapping->nrdirty, __ATOMIC_RELAXED) &&
	       (page = find_get_page_matching(mapping, &idx, end, page_is_dirty))) {
		lock_page(m, page);
		if (PageWriteback(page) && wbc->sync_mode == WB_SYNC_ALL)
			wait_on_page_writeback(m, page);
		if (page->mapping != mapping || PageWriteback(page) ||
		    !clear_page_dirty_for_io(m, page)) {
			unlock_page(m, page);
		} else {
			err = mapping->a_ops->writepage(m, page, wbc);	/* unlocks */
			if (err && !ret)
				ret = err;
			wbc->nr_to_write--;
		}
		put_page(m, page);
		if ((wbc->nr_to_write <= 0 && wbc->sync_mode == WB_SYNC_NONE) || idx >= end)
			break;
		idx++;
	}
	return ret;
}

/* The mapping's recorded write error, once (cf. filemap_check_errors). */
static int filemap_check_errors(struct address_space *mapping)
{
	unsigned long old;

	old = __atomic_fetch_and(&mapping->flags, ~(1UL << AS_ENOSPC), __ATOMIC_RELAXED);
	if (old & (1UL << AS_ENOSPC))
		return -ENOSPC;
	old = __atomic_fetch_and(&mapping->flags, ~(1UL << AS_EIO), __ATOMIC_RELAXED);
	if (old & (1UL << AS_EIO))
		return -EIO;
	return 0;
}

/**
 * filemap_write_and_wait_range() - write the dirty pages of bytes
 *	[@lstart, @lend] and wait for them (cf. filemap_write_and_wait_range)
 * @m: the machine
 * @mapping: the page cache
 * @lstart: first byte
 * @lend: last byte (inclusive); MAX_LFS_FILESIZE for all
 *
 * Returns 0, or the error writeback met (-EIO, -ENOSPC), reported once.
 */
int filemap_write_and_wait_range(struct machine *m, struct address_space *mapping,
				 long long lstart, long long lend)
{
	struct writeback_control wbc = {
		.nr_to_write = 0x7fffffffL, .range_start = lstart, .range_end = lend,
		.sync_mode = WB_SYNC_ALL,
	};
	int err = 0, err2;

	if (lend < lstart)
		return 0;
	if (mapping->nrpages)
		err = write_cache_pages(m, mapping, &wbc);
	err2 = filemap_check_errors(mapping);
	return err ? err : err2;
}

/**
 * sync_filesystems() - write back every dirty page of every inode (cf.
 *	ksys_sync's writeback of all superblocks)
 * @m: the machine
 */
void sync_filesystems(struct machine *m)
{
	struct inode *inode, *prev = NULL;

	if (!m->fs.ready)
		return;
	/* as wait_sb_inodes: hold the inode, drop the list lock for the I/O
	 * (writeback may drop the last reference of another inode, whose
	 * evict takes inode_lock); the held inode keeps our place */
	spin_lock(&m->fs.inode_lock);
	list_for_each_entry(inode, &m->fs.inodes, i_list) {
		if (inode->i_host < 0 || !inode->i_data.nrdirty || (inode->i_state & I_FREEING))
			continue;
		ihold(inode);
		spin_unlock(&m->fs.inode_lock);
		if (prev)
			iput(m, prev);
		prev = inode;
		filemap_write_and_wait_range(m, &inode->i_data, 0, MAX_LFS_FILESIZE);
		spin_lock(&m->fs.inode_lock);
	}
	spin_unlock(&m->fs.inode_lock);
	if (prev)
		iput(m, prev);
}
