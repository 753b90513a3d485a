/* The page cache: file pages indexed by (mapping, index), read and written
 * through read()/write() and mapped by file faults (cf. mm/filemap.c;
 * seed 003: "page cache ... 以 inode 和 offset 为键").
 *
 * mapping->i_pages (an xarray, include/mmkit/xarray.h) holds the pages of
 * a mapping by their offset in pages; xa_lock(&mapping->i_pages) guards
 * every change of it and of nrpages. A cached page has page->mapping ==
 * mapping and page->index == its slot, and the cache holds one reference
 * on it; each pte and each transient user (a reader, writeback) holds
 * another. PG_locked (lock_page) serialises reading a page in, writeback
 * and truncation: a page is added locked and not uptodate, readpage fills
 * it and unlocks it. Pages join the LRU (lru_cache_add) once cached.
 *
 * Faults: filemap_fault finds (or reads, with mmap read-around) the page
 * at vmf->pgoff and returns it referenced; past EOF it is SIGBUS. It
 * returns VM_FAULT_MAJOR when the page was not cached (mm_account_fault
 * counts PGMAJFAULT). filemap_map_pages maps the uptodate cached pages
 * around a read fault (fault-around, 64 KiB), skipping the read-ahead
 * marker so its fault starts the next window.
 *
 * Invariants (check_page_cache, src/mm/filemap_check.c): see fs.h. */
#include "mm/filemap.h"
#include "mm/internal_vmscan.h"

/**
 * trylock_page() - take PG_locked if it is free (cf. folio_trylock)
 * @page: the page
 */
bool trylock_page(struct page *page)
{
	unsigned long old = __atomic_fetch_or(&page->flags, 1UL << PG_locked, __ATOMIC_ACQUIRE);

	return !(old & (1UL << PG_locked));
}

/**
 * lock_page() - take PG_locked, spinning while another CPU holds it
 *	(cf. folio_lock; Linux sleeps)
 * @m: the machine
 * @page: a referenced page
 */
void lock_page(struct machine *m, struct page *page)
{
	(void)m;
	while (!trylock_page(page))
		__builtin_ia32_pause();
}

/**
 * unlock_page() - release PG_locked (cf. folio_unlock)
 * @m: the machine
 * @page: a page the caller locked
 */
void unlock_page(struct machine *m, struct page *page)
{
	VM_WARN_ON(m, !PageLocked(page));
	__atomic_fetch_and(&page->flags, ~(1UL << PG_locked), __ATOMIC_RELEASE);
}

/**
 * wait_on_page_writeback() - wait until the page's writeback ends (cf.
 *	folio_wait_writeback); writeback is synchronous in mmkit, so this
 *	only spins when another CPU writes the page
 * @m: the machine
 * @page: the page
 */
void wait_on_page_writeback(struct machine *m, struct page *page)
{
	(void)m;
	while (PageWriteback(page))
		__builtin_ia32_pause();
}

/**
 * find_get_page() - the page cached at @index, with a reference (cf.
 *	find_get_page / filemap_get_entry)
 * @m: the machine
 * @mapping: the page cache
 * @index: offset in pages
 *
 * Returns NULL when nothing (or a value entry: shmem's swap entry) is there.
 */
struct page *find_get_page(struct machine *m, struct address_space *mapping, unsigned long index)
{
	struct page *page;

	(void)m;
	xa_lock(&mapping->i_pages);
	page = xa_load(&mapping->i_pages, index);
	if (page && xa_is_value(page))
		page = NULL;
	if (page)
		get_page(page);
	xa_unlock(&mapping->i_pages);
	return page;
}

/**
 * find_get_page_matching() - the first page (not a value entry) at an
 *	index in [*@idx, @last] that @match accepts, referenced (cf. the
 *	filemap_get_folios_tag / find_lock_entries walks)
 * @mapping: the page cache
 * @idx: where to start; set to the page's index
 * @last: the last index to look at
 * @match: the test, under the cache lock; NULL takes any page
 *
 * Returns the page or NULL.
 */
struct page *find_get_page_matching(struct address_space *mapping, unsigned long *idx,
				    unsigned long last, bool (*match)(const struct page *))
{
	struct page *page;

	xa_lock(&mapping->i_pages);
	for (;;) {
		page = xa_find(&mapping->i_pages, idx, last);
		if (!page || (!xa_is_value(page) && (!match || match(page))))
			break;
		if (*idx >= last) {
			page = NULL;
			break;
		}
		(*idx)++;
	}
	if (page)
		get_page(page);
	xa_unlock(&mapping->i_pages);
	return page;
}

/**
 * find_lock_page() - find_get_page() and lock it, retrying when
 *	truncation removed it meanwhile (cf. find_lock_page)
 * @m: the machine
 * @mapping: the page cache
 * @index: offset in pages
 */
struct page *find_lock_page(struct machine *m, struct address_space *mapping,
			    unsigned long index)
{
	struct page *page;

	for (;;) {
		page = find_get_page(m, mapping, index);
		if (!page)
			return NULL;
		lock_page(m, page);
		if (page->mapping == mapping && page->index == index)
			return page;
		unlock_page(m, page);
		put_page(m, page);
	}
}

/**
 * add_to_page_cache_locked() - insert a new page at @index (cf.
 *	__filemap_add_folio)
 * @m: the machine
 * @page: a locked page nobody else knows
 * @mapping: the page cache
 * @index: offset in pages
 * @gfp: for the xarray's nodes (reclaim is masked out: the lock is held)
 *
 * The cache takes a reference; NR_FILE_PAGES (and NR_SHMEM for a
 * PageSwapBacked page) count it. A value entry in the slot (shmem's swap
 * entry) is replaced: its owner has dealt with it. Returns 0, -EEXIST
 * when a page is there, -ENOMEM.
 */
int add_to_page_cache_locked(struct machine *m, struct page *page,
			     struct address_space *mapping, unsigned long index, gfp_t gfp)
{
	void *old;

	VM_WARN_ON(m, !PageLocked(page));
	get_page(page);
	page->mapping = mapping;
	page->index = index;
	xa_lock(&mapping->i_pages);
	old = xa_load(&mapping->i_pages, index);
	if (old && !xa_is_value(old)) {
		xa_unlock(&mapping->i_pages);
		goto fail_eexist;
	}
	old = xa_store(m, &mapping->i_pages, index, page, gfp & ~(__GFP_DIRECT_RECLAIM | GFP_ZONEMASK));
	if (xa_is_err(old)) {
		xa_unlock(&mapping->i_pages);
		page->mapping = NULL;
		put_page(m, page);
		return -ENOMEM;
	}
	mapping->nrpages++;
	mod_node_stat(m, NR_FILE_PAGES, 1);
	if (PageSwapBacked(page))
		mod_node_stat(m, NR_SHMEM, 1);
	xa_unlock(&mapping->i_pages);
	return 0;
fail_eexist:
	page->mapping = NULL;
	put_page(m, page);
	return -EEXIST;
}

/**
 * add_to_page_cache_lru() - add_to_page_cache_locked(), then put the page
 *	on its LRU list (cf. filemap_add_folio)
 * @m: the machine
 * @page: a locked new page
 * @mapping: the page cache
 * @index: offset in pages
 * @gfp: allocation mask for the index
 */
int add_to_page_cache_lru(struct machine *m, struct page *page, struct address_space *mapping,
			  unsigned long index, gfp_t gfp)
{
	int err = add_to_page_cache_locked(m, page, mapping, index, gfp);

	if (!err)
		lru_cache_add(m, page);
	return err;
}

/**
 * __delete_from_page_cache() - take @page out of its mapping (cf.
 *	__filemap_remove_folio)
 * @m: the machine
 * @page: a locked page, unmapped
 * @shadow: left in the slot (NULL: erased)
 *
 * The caller holds mapping->i_pages.xa_lock and keeps the cache's
 * reference (to drop it after). A dirty page loses its dirty accounting.
 */
void __delete_from_page_cache(struct machine *m, struct page *page, void *shadow)
{
	struct address_space *mapping = page->mapping;

	VM_WARN_ON(m, page_mapcount(page) > 0);
	if (PageDirty(page))
		cancel_dirty_page(m, page);
	if (shadow)
		xa_store(m, &mapping->i_pages, page->index, shadow, GFP_ATOMIC);
	else
		xa_erase(m, &mapping->i_pages, page->index);
	mapping->nrpages--;
	mod_node_stat(m, NR_FILE_PAGES, -1);
	if (PageSwapBacked(page))
		mod_node_stat(m, NR_SHMEM, -1);
	page->mapping = NULL;
}

/**
 * delete_from_page_cache() - take a locked, unmapped page out of its
 *	mapping and drop the cache's reference (cf. filemap_remove_folio)
 * @m: the machine
 * @page: the page; the caller holds a reference of its own
 */
void delete_from_page_cache(struct machine *m, struct page *page)
{
	struct address_space *mapping = page->mapping;

	if (VM_WARN_ON(m, !mapping || PageAnon(page)))
		return;
	xa_lock(&mapping->i_pages);
	__delete_from_page_cache(m, page, NULL);
	xa_unlock(&mapping->i_pages);
	put_page(m, page);
}

/**
 * remove_mapping() - drop a clean page from the cache if only the caller
 *	and the cache hold it (cf. remove_mapping / __remove_mapping)
 * @m: the machine
 * @mapping: its mapping
 * @page: a locked page; the caller holds one reference, which it keeps
 *
 * Returns 1 when the page left the cache, 0 when it is dirty, mapped,
 * under writeback or held by someone else.
 */
int remove_mapping(struct machine *m, struct address_space *mapping, struct page *page)
{
	int ret = 0;

	xa_lock(&mapping->i_pages);
	if (page->mapping == mapping && !PageDirty(page) && !PageWriteback(page) &&
	    page_mapcount(page) == 0 && page_count(page) == 2) {
		__delete_from_page_cache(m, page, NULL);
		ret = 1;
	}
	xa_unlock(&mapping->i_pages);
	if (ret)
		put_page(m, page);	/* the cache's reference; the caller's remains */
	return ret;
}

/**
 * find_or_create_page() - the page at @index, locked and referenced; a new
 *	one (not uptodate) is added when none is cached (cf.
 *	__filemap_get_folio with FGP_LOCK | FGP_CREAT)
 * @m: the machine
 * @mapping: the page cache
 * @index: offset in pages
 * @gfp: for the new page
 */
struct page *find_or_create_page(struct machine *m, struct address_space *mapping,
				 unsigned long index, gfp_t gfp)
{
	struct page *page;
	int err;

	for (;;) {
		page = find_lock_page(m, mapping, index);
		if (page)
			return page;
		page = alloc_page(m, gfp);
		if (!page)
			return NULL;
		SetPageLocked(page);
		err = add_to_page_cache_lru(m, page, mapping, index, gfp);
		if (!err)
			return page;	/* ours and the cache's reference */
		ClearPageLocked(page);
		put_page(m, page);
		if (err != -EEXIST)
			return NULL;
	}
}

/**
 * filemap_read_page() - read a locked page with its mapping's readpage
 *	(cf. filemap_read_folio)
 * @m: the machine
 * @file: the open file, or NULL
 * @page: locked, in the cache, not uptodate; returned unlocked
 *
 * Returns 0 when the page is uptodate, -EIO (or readpage's error).
 */
int filemap_read_page(struct machine *m, struct file *file, struct page *page)
{
	struct address_space *mapping = page->mapping;
	int err;

	if (!mapping || !mapping->a_ops || !mapping->a_ops->readpage) {
		unlock_page(m, page);
		return -EIO;
	}
	err = mapping->a_ops->readpage(m, file, page);
	if (err)
		return err;
	return PageUptodate(page) ? 0 : -EIO;
}

/**
 * read_mapping_page() - the page at @index, uptodate and referenced (cf.
 *	read_mapping_page)
 * @m: the machine
 * @mapping: the page cache
 * @index: offset in pages
 * @file: passed to readpage (may be NULL)
 * @err: set to -errno when NULL is returned
 */
struct page *read_mapping_page(struct machine *m, struct address_space *mapping,
			       unsigned long index, struct file *file, int *err)
{
	struct page *page;

	for (;;) {
		page = find_get_page(m, mapping, index);
		if (!page) {
			page = find_or_create_page(m, mapping, index, GFP_HIGHUSER_MOVABLE);
			if (!page) {
				*err = -ENOMEM;
				return NULL;
			}
		} else {
			if (PageUptodate(page))
				return page;
			lock_page(m, page);
		}
		if (page->mapping != mapping) {	/* truncated meanwhile */
			unlock_page(m, page);
			put_page(m, page);
			continue;
		}
		if (PageUptodate(page)) {
			unlock_page(m, page);
			return page;
		}
		*err = filemap_read_page(m, file, page);
		if (!*err)
			return page;
		put_page(m, page);
		return NULL;
	}
}

/* The page at @index for a read() of pages up to @last_index, read-ahead
 * on the way; referenced and uptodate, or NULL with *err. */
static struct page *filemap_get_read_page(struct machine *m, struct file *file,
					  unsigned long index, unsigned long last_index, int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct file_ra_state *ra = &file->f_ra;
	struct page *page = find_get_page(m, mapping, index);

	if (!page) {
		page_cache_sync_readahead(m, mapping, ra, file, index, last_index - index);
	} else {
		if (ra_is_marker(ra, index))
			page_cache_async_readahead(m, mapping, ra, file, page, index,
						   last_index - index);
		if (PageUptodate(page))
			return page;
		put_page(m, page);
	}
	return read_mapping_page(m, mapping, index, file, err);
}

/**
 * filemap_read() - read() through the page cache (cf. filemap_read)
 * @m: the machine
 * @file: an open file readable
 * @buf: user address in the current task
 * @count: bytes
 * @ppos: the position, advanced
 *
 * Returns the bytes copied (0 at EOF), or -EFAULT / -EIO / -ENOMEM when
 * nothing was.
 */
long filemap_read(struct machine *m, struct file *file, unsigned long buf, unsigned long count,
		  long long *ppos)
{
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	long long pos = *ppos, prev_pos;
	unsigned long last_index, done = 0;
	int err = 0;

	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	if (!count || pos >= inode->i_size)
		return 0;
	last_index = (unsigned long)((pos + (long long)count + (long long)PAGE_SIZE - 1) >> PAGE_SHIFT);
	prev_pos = file->f_ra.prev_pos;
	while (count && pos < inode->i_size) {
		unsigned long index = (unsigned long)(pos >> PAGE_SHIFT);
		unsigned long offset = (unsigned long)pos & ~PAGE_MASK, nr, left;
		struct page *page = filemap_get_read_page(m, file, index, last_index, &err);
		void *kaddr;

		if (!page)
			break;
		nr = min(PAGE_SIZE - offset, count);
		if ((long long)nr > inode->i_size - pos)	/* i_size read after the page */
			nr = inode->i_size > pos ? (unsigned long)(inode->i_size - pos) : 0;
		kaddr = kmap_atomic(m, page);
		left = nr ? copy_to_user(m, buf, (char *)kaddr + offset, nr) : 0;
		kunmap_atomic(m, kaddr);
		/* a read of the page the last one ended in touches it once
		 * (cf. filemap_read's pos_same_folio check) */
		if (prev_pos <= 0 || (unsigned long)((prev_pos - 1) >> PAGE_SHIFT) != index)
			mark_page_accessed(m, page);
		prev_pos = -1;
		put_page(m, page);
		nr -= left;
		pos += (long long)nr;
		buf += nr;
		count -= nr;
		done += nr;
		if (left) {
			err = -EFAULT;
			break;
		}
		if (!nr)
			break;
	}
	file->f_ra.prev_pos = pos;
	*ppos = pos;
	return done ? (long)done : err;
}

/* Get the page for writing @bytes at @offset of page @index: locked,
 * uptodate unless the write covers it whole (cf. simple_write_begin). */
static struct page *write_begin(struct machine *m, struct file *file, unsigned long index,
				unsigned long offset, unsigned long bytes, int *err)
{
	struct address_space *mapping = file->f_mapping;
	struct page *page;
	void *kaddr;

	for (;;) {
		page = find_or_create_page(m, mapping, index, GFP_HIGHUSER_MOVABLE);
		if (!page) {
			*err = -ENOMEM;
			return NULL;
		}
		wait_on_page_writeback(m, page);
		if (PageUptodate(page) || bytes == PAGE_SIZE)
			return page;
		if ((long long)index << PAGE_SHIFT >= mapping->host->i_size) {
			/* wholly past EOF: nothing to read, the rest is zeroes */
			kaddr = kmap_atomic(m, page);
			mm_memset(kaddr, 0, PAGE_SIZE);
			kunmap_atomic(m, kaddr);
			SetPageUptodate(page);
			return page;
		}
		(void)offset;
		*err = filemap_read_page(m, file, page);	/* unlocks */
		put_page(m, page);
		if (*err)
			return NULL;
	}
}

/**
 * generic_perform_write() - write() through the page cache (cf.
 *	generic_perform_write)
 * @m: the machine
 * @file: an open file writable
 * @buf: user address in the current task
 * @count: bytes (already limited by the caller)
 * @ppos: the position, advanced
 *
 * The user's bytes are copied before the page is locked (a fault on a
 * mapping of the same page must not find it locked: cf.
 * fault_in_iov_iter_readable). Pages are dirtied; i_size grows.
 */
long generic_perform_write(struct machine *m, struct file *file, unsigned long buf,
			   unsigned long count, long long *ppos)
{
	struct inode *inode = file->f_mapping->host;
	long long pos = *ppos;
	unsigned long done = 0;
	int err = 0;
	char *bounce = kmalloc(m, PAGE_SIZE, GFP_KERNEL);

	if (!bounce)
		return -ENOMEM;
	while (count) {
		unsigned long offset = (unsigned long)pos & ~PAGE_MASK;
		unsigned long bytes = min(PAGE_SIZE - offset, count), left;
		struct page *page;
		void *kaddr;

		left = copy_from_user(m, bounce, buf, bytes);
		if (left == bytes) {
			err = -EFAULT;
			break;
		}
		bytes -= left;
		page = write_begin(m, file, (unsigned long)(pos >> PAGE_SHIFT), offset, bytes, &err);
		if (!page)
			break;
		kaddr = kmap_atomic(m, page);
		mm_memcpy((char *)kaddr + offset, bounce, bytes);
		kunmap_atomic(m, kaddr);
		if (!PageUptodate(page))
			SetPageUptodate(page);	/* written whole */
		set_page_dirty(m, page);
		spin_lock(&inode->i_lock);
		if (pos + (long long)bytes > inode->i_size)
			inode->i_size = pos + (long long)bytes;
		spin_unlock(&inode->i_lock);
		unlock_page(m, page);
		put_page(m, page);
		pos += (long long)bytes;
		buf += bytes;
		count -= bytes;
		done += bytes;
		if (left) {
			err = -EFAULT;
			break;
		}
	}
	kfree(m, bounce);
	*ppos = pos;
	return done ? (long)done : err;
}

/**
 * filemap_fault() - the page at vmf->pgoff of a file mapping (cf.
 *	filemap_fault)
 * @m: the machine
 * @vmf: the fault; vmf->page gets the page, referenced, uptodate
 *
 * Past EOF (the page holding i_size - 1 is the last) it is SIGBUS. A page
 * not cached is read with mmap read-around, and the fault is major.
 */
vm_fault_t filemap_fault(struct machine *m, struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	unsigned long index = vmf->pgoff;
	vm_fault_t ret = 0;
	struct page *page;
	int err = 0;

	if (index >= size_pages(inode->i_size))
		return VM_FAULT_SIGBUS;
	page = find_get_page(m, mapping, index);
	if (page) {
		do_async_mmap_readahead(m, vmf, page);
		if (!PageUptodate(page)) {
			put_page(m, page);
			page = NULL;
		}
	} else {
		ret = VM_FAULT_MAJOR;
		do_sync_mmap_readahead(m, vmf);
	}
	if (!page)
		page = read_mapping_page(m, mapping, index, file, &err);
	if (!page)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	if (index >= size_pages(inode->i_size)) {	/* truncated meanwhile */
		put_page(m, page);
		return VM_FAULT_SIGBUS;
	}
	vmf->page = page;
	return ret;
}

/* Map one cached page at @addr if its pte is empty; the page is locked
 * and referenced (the reference goes to the pte). True when mapped. */
static bool filemap_map_one(struct machine *m, struct vm_fault *vmf, struct page *page,
			    unsigned long addr)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	ptep_t *ptep = pte_offset_user(m, mm, addr);
	bool mapped = false;

	if (!ptep)
		return false;
	spin_lock(&mm->page_table_lock);
	if (pte_none(ptep_get(m, ptep))) {
		inc_mm_counter(mm, mm_counter(page));
		page_add_file_rmap(m, page, vma);
		set_pte(m, ptep, mk_pte(m, page, vma->vm_page_prot));
		mapped = true;
	}
	spin_unlock(&mm->page_table_lock);
	return mapped;
}

/**
 * filemap_map_pages() - fault-around: map the uptodate cached pages of
 *	[@start_pgoff, @end_pgoff] into empty ptes (cf. filemap_map_pages)
 * @m: the machine
 * @vmf: the read fault
 * @start_pgoff: first file page (inside the VMA and the fault's pte table)
 * @end_pgoff: last file page
 *
 * Pages locked, not uptodate, past EOF or carrying the read-ahead marker
 * are skipped (their fault does the work). Returns VM_FAULT_NOPAGE when
 * the faulting address got its page, else 0.
 */
vm_fault_t filemap_map_pages(struct machine *m, struct vm_fault *vmf, unsigned long start_pgoff,
			     unsigned long end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct file *file = vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	unsigned long max_idx = size_pages(mapping->host->i_size), idx, nr = 0;
	vm_fault_t ret = 0;

	if (end_pgoff >= max_idx)
		end_pgoff = max_idx - 1;
	for (idx = start_pgoff; max_idx && idx <= end_pgoff; idx++) {
		unsigned long addr = vma->vm_start + ((idx - vma->vm_pgoff) << PAGE_SHIFT);
		struct page *page = find_get_page(m, mapping, idx);

		if (!page)
			continue;
		if (!PageUptodate(page) || ra_is_marker(&file->f_ra, idx) || !trylock_page(page)) {
			put_page(m, page);
			continue;
		}
		if (page->mapping == mapping && PageUptodate(page) &&
		    filemap_map_one(m, vmf, page, addr)) {
			nr++;
			if (addr == vmf->address)
				ret = VM_FAULT_NOPAGE;
			unlock_page(m, page);
			continue;
		}
		unlock_page(m, page);
		put_page(m, page);
	}
	if (nr)
		flush_tlb_range(m, vma, vma->vm_start + ((start_pgoff - vma->vm_pgoff) << PAGE_SHIFT),
				vma->vm_start + ((end_pgoff + 1 - vma->vm_pgoff) << PAGE_SHIFT));
	file->f_ra.mmap_miss = file->f_ra.mmap_miss > nr ? file->f_ra.mmap_miss - (unsigned int)nr : 0;
	return ret;
}

/**
 * filemap_page_mkwrite() - the first write to a page of a shared file
 *	mapping (write-notify): dirty it (cf. filemap_page_mkwrite)
 * @m: the machine
 * @vmf: the fault; vmf->page is the page, referenced
 *
 * Returns 0, or VM_FAULT_NOPAGE when truncation took the page meanwhile
 * (the fault is retried and finds the truth).
 */
vm_fault_t filemap_page_mkwrite(struct machine *m, struct vm_fault *vmf)
{
	struct address_space *mapping = vmf->vma->vm_file->f_mapping;
	struct page *page = vmf->page;

	lock_page(m, page);
	if (page->mapping != mapping) {
		unlock_page(m, page);
		return VM_FAULT_NOPAGE;
	}
	set_page_dirty(m, page);
	wait_on_page_writeback(m, page);
	unlock_page(m, page);
	return 0;
}

const struct vm_operations_struct generic_file_vm_ops = {
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = filemap_page_mkwrite,
};
