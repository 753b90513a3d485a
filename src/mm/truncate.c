/* Taking pages out of the page cache: truncation, and unmapping a file
 * range from every process that maps it (cf. mm/truncate.c
 * truncate_inode_pages_range, truncate_pagecache,
 * invalidate_mapping_pages; mm/memory.c unmap_mapping_range).
 *
 * Shrinking a file (ftruncate, O_TRUNC) unmaps the pages past the new
 * size from every VMA on mapping->i_mmap -- private COW copies too
 * (even_cows), as Linux does, since they hold data past EOF -- then
 * removes them from the cache (dirty ones are dropped unwritten), zeroes
 * the tail of the partial page at the new EOF, and unmaps once more for
 * pages a racing fault mapped meanwhile. Faults past EOF then get SIGBUS.
 *
 * Invariant: after truncate_pagecache(newsize) no page at an index >=
 * DIV_ROUND_UP(newsize, PAGE_SIZE) is cached or mapped. */
#include "mm/filemap.h"

/* Unmap the page-cache pages of [start, end) of a private @vma, leaving
 * its anonymous COW copies (cf. zap_pte_range with !even_cows). */
static void zap_file_ptes(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			  unsigned long end)
{
	struct mm_struct *mm = vma->vm_mm;

	for (unsigned long addr = start; addr < end; addr += PAGE_SIZE) {
		ptep_t *ptep = pte_offset_user(m, mm, addr);
		struct page *page;
		pte_t pte;

		if (!ptep)
			continue;
		spin_lock(&mm->page_table_lock);
		pte = ptep_get(m, ptep);
		page = pte_present(pte) ? vm_normal_page(m, vma, addr, pte) : NULL;
		if (!page || PageAnon(page)) {
			spin_unlock(&mm->page_table_lock);
			continue;
		}
		pte_clear(m, ptep);
		flush_tlb_page(m, vma, addr);
		if (pte_dirty(pte))
			set_page_dirty(m, page);
		dec_mm_counter(mm, mm_counter(page));
		page_remove_rmap(m, page, vma);
		if (!page_mapcount(page))
			munlock_page(m, page);
		spin_unlock(&mm->page_table_lock);
		put_page(m, page);
	}
}

/**
 * unmap_mapping_range() - unmap a file range from every VMA mapping it
 *	(cf. unmap_mapping_range)
 * @m: the machine
 * @mapping: the page cache
 * @holebegin: first byte (rounded down to a page)
 * @holelen: bytes (rounded up); 0 means to the end of the file
 * @even_cows: also zap the private COW copies of private mappings
 */
void unmap_mapping_range(struct machine *m, struct address_space *mapping,
			 long long holebegin, long long holelen, int even_cows)
{
	unsigned long first = (unsigned long)(holebegin >> PAGE_SHIFT), last = ~0UL;
	struct vm_area_struct *vma;

	if (holelen) {
		unsigned long hlen = (unsigned long)((holelen + (long long)PAGE_SIZE - 1) >> PAGE_SHIFT);

		if (first + hlen > first)
			last = first + hlen - 1;
	}
	spin_lock(&mapping->i_mmap_lock);
	list_for_each_entry(vma, &mapping->i_mmap, shared) {
		unsigned long vstart = vma->vm_pgoff, vend = vstart + vma_pages(vma) - 1;
		unsigned long zs, ze, start, end;

		if (vend < first || vstart > last)
			continue;
		zs = max(first, vstart);
		ze = min(last, vend);
		start = vma->vm_start + ((zs - vstart) << PAGE_SHIFT);
		end = vma->vm_start + ((ze - vstart + 1) << PAGE_SHIFT);
		if (even_cows || (vma->vm_flags & VM_SHARED))
			zap_vma_range(m, vma, start, end);
		else
			zap_file_ptes(m, vma, start, end);
	}
	spin_unlock(&mapping->i_mmap_lock);
}

/* Zero bytes [from, to) of a cached page, if it is cached (cf.
 * truncate_inode_partial_folio). */
static void zero_partial_page(struct machine *m, struct address_space *mapping,
			      unsigned long index, unsigned long from, unsigned long to)
{
	struct page *page = find_lock_page(m, mapping, index);
	void *kaddr;

	if (!page)
		return;
	wait_on_page_writeback(m, page);
	if (PageUptodate(page)) {
		kaddr = kmap_atomic(m, page);
		mm_memset((char *)kaddr + from, 0, to - from);
		kunmap_atomic(m, kaddr);
	}
	unlock_page(m, page);
	put_page(m, page);
}

/* The next page (not a value entry) at or after *idx below @end,
 * referenced, or NULL. */
static struct page *next_page(struct address_space *mapping, unsigned long *idx,
			      unsigned long end)
{
	if (*idx >= end)
		return NULL;
	return find_get_page_matching(mapping, idx, end - 1, NULL);
}

/**
 * truncate_inode_pages_range() - remove the cached pages of bytes
 *	[@lstart, @lend] (cf. truncate_inode_pages_range)
 * @m: the machine
 * @mapping: the page cache
 * @lstart: first byte; the partial page holding it keeps its head, the
 *	rest is zeroed
 * @lend: last byte, inclusive; -1 for the end of the file
 *
 * Pages still mapped are unmapped first; dirty pages are dropped unwritten.
 * Value entries (shmem's swap entries) are left to the owner.
 */
void truncate_inode_pages_range(struct machine *m, struct address_space *mapping,
				long long lstart, long long lend)
{
	unsigned long start = (unsigned long)((lstart + (long long)PAGE_SIZE - 1) >> PAGE_SHIFT);
	unsigned long partial_start = (unsigned long)lstart & ~PAGE_MASK, end, idx;
	unsigned long partial_end = 0;
	struct page *page;

	if (lend == -1) {
		end = ~0UL;
	} else {
		end = (unsigned long)((lend + 1) >> PAGE_SHIFT);
		partial_end = (unsigned long)(lend + 1) & ~PAGE_MASK;
	}
	if (!mapping->nrpages)
		return;
	idx = start;
	while ((page = next_page(mapping, &idx, end))) {
		lock_page(m, page);
		wait_on_page_writeback(m, page);
		if (page->mapping == mapping) {
			if (page_mapcount(page))
				unmap_mapping_range(m, mapping, (long long)page->index << PAGE_SHIFT,
						    PAGE_SIZE, 0);
			delete_from_page_cache(m, page);
		}
		unlock_page(m, page);
		put_page(m, page);
		if (idx == ~0UL)
			break;
		idx++;
	}
	if (partial_start) {
		unsigned long to = PAGE_SIZE;

		if (lend != -1 && start - 1 == end && partial_end)
			to = partial_end;	/* the range is inside one page */
		zero_partial_page(m, mapping, start - 1, partial_start, to);
	}
	if (partial_end && !(partial_start && start - 1 == end))
		zero_partial_page(m, mapping, end, 0, partial_end);
}

/**
 * truncate_inode_pages() - remove the cached pages from byte @lstart on
 * @m: the machine
 * @mapping: the page cache
 * @lstart: first byte
 */
void truncate_inode_pages(struct machine *m, struct address_space *mapping, long long lstart)
{
	truncate_inode_pages_range(m, mapping, lstart, -1);
}

/**
 * truncate_pagecache() - the file is now @newsize bytes: unmap and drop
 *	what lies past it (cf. truncate_pagecache)
 * @m: the machine
 * @inode: the inode (i_size already set)
 * @newsize: the new size
 */
void truncate_pagecache(struct machine *m, struct inode *inode, long long newsize)
{
	struct address_space *mapping = inode->i_mapping;
	long long holebegin = (newsize + (long long)PAGE_SIZE - 1) & ~(long long)(PAGE_SIZE - 1);

	unmap_mapping_range(m, mapping, holebegin, 0, 1);
	truncate_inode_pages(m, mapping, newsize);
	unmap_mapping_range(m, mapping, holebegin, 0, 1);
}

/**
 * invalidate_mapping_pages() - drop the clean, unmapped, unused pages of
 *	indexes [@start, @end] (cf. invalidate_mapping_pages, drop_caches)
 * @m: the machine
 * @mapping: the page cache
 * @start: first index
 * @end: last index
 *
 * Returns how many pages left the cache.
 */
unsigned long invalidate_mapping_pages(struct machine *m, struct address_space *mapping,
				       unsigned long start, unsigned long end)
{
	unsigned long idx = start, count = 0;
	struct page *page;

	while (end >= idx && (page = next_page(mapping, &idx, end == ~0UL ? end : end + 1))) {
		if (trylock_page(page)) {
			count += (unsigned long)remove_mapping(m, mapping, page);
			unlock_page(m, page);
		}
		put_page(m, page);
		if (idx == ~0UL)
			break;
		idx++;
	}
	return count;
}
