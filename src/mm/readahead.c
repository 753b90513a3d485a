/* Read-ahead: reading file pages before they are asked for (cf.
 * mm/readahead.c page_cache_sync_ra, page_cache_async_ra,
 * get_init_ra_size, get_next_ra_size; mm/filemap.c
 * do_sync_mmap_readahead, do_async_mmap_readahead).
 *
 * The window of a file (file->f_ra): pages [start, start + size) were
 * read; the page async_size before its end is the marker whose hit starts
 * the next window (Linux flags that page PG_readahead; mmkit keeps the
 * marker's index in the window itself: start + size - async_size). The
 * maximum window is ra_pages = read_ahead_kb (128 KiB) / PAGE_SIZE = 32.
 *
 *   read() miss at index 0, or sequential (index follows the last read),
 *   or larger than the maximum:   a new window at index sized
 *                                 get_init_ra_size(req, max): the request
 *                                 rounded up to a power of two, x4 when
 *                                 <= max/32, x2 when <= max/4, else max;
 *                                 async_size = size - req (or size/2)
 *   read() miss elsewhere:        the pages cached just before index show
 *                                 a stream (contig > req): a window of
 *                                 min(contig + req, max), async_size 1;
 *                                 else just the request (random read)
 *   marker hit:                   the next window follows: size x4 while
 *                                 < max/16, x2 while <= max/2, else max;
 *                                 async_size = size
 *   mmap fault miss:              read-around: ra_pages centred on the
 *                                 fault, async_size ra_pages/4, unless the
 *                                 file had > MMAP_LOTSAMISS (100) misses
 *                                 (each miss counts, each hit discounts)
 *
 * Reads are synchronous (the simulated disk answers at once) and stop at
 * EOF; pages already cached are skipped. */
#include "mm/filemap.h"

/**
 * file_ra_state_init() - a new open file's read-ahead state (cf.
 *	file_ra_state_init)
 * @m: the machine
 * @ra: the state
 */
void file_ra_state_init(struct machine *m, struct file_ra_state *ra)
{
	mm_memset(ra, 0, sizeof(*ra));
	ra->ra_pages = (unsigned int)(((unsigned long)m->fs.read_ahead_kb << 10) >> PAGE_SHIFT);
	ra->prev_pos = -1;
}

/**
 * ra_is_marker() - is @index the read-ahead marker of the window?
 * @ra: the file's state
 * @index: a page index
 */
bool ra_is_marker(const struct file_ra_state *ra, unsigned long index)
{
	return ra->size && ra->async_size && index == ra->start + ra->size - ra->async_size;
}

/* The first window (cf. get_init_ra_size). */
static unsigned long get_init_ra_size(unsigned long size, unsigned long max)
{
	unsigned long newsize = 1;

	while (newsize < size)
		newsize <<= 1;	/* roundup_pow_of_two */
	if (newsize <= max / 32)
		newsize *= 4;
	else if (newsize <= max / 4)
		newsize *= 2;
	else
		newsize = max;
	return newsize;
}

/* The window after the current one (cf. get_next_ra_size). */
static unsigned long get_next_ra_size(const struct file_ra_state *ra, unsigned long max)
{
	unsigned long cur = ra->size;

	if (cur < max / 16)
		return 4 * cur;
	if (cur <= max / 2)
		return 2 * cur;
	return max;
}

/**
 * do_page_cache_ra() - read the pages [@index, @index + @nr) not yet
 *	cached, up to EOF (cf. do_page_cache_ra, page_cache_ra_unbounded)
 * @m: the machine
 * @mapping: the page cache
 * @file: the open file (for readpage)
 * @index: first page
 * @nr: pages
 * @lookahead_size: where the marker is (kept in the window by the caller)
 *
 * Returns the pages read.
 */
unsigned long do_page_cache_ra(struct machine *m, struct address_space *mapping,
			       struct file *file, unsigned long index, unsigned long nr,
			       unsigned long lookahead_size)
{
	long long isize = mapping->host->i_size;
	unsigned long end_index, i, done = 0;

	(void)lookahead_size;
	if (isize <= 0)
		return 0;
	end_index = (unsigned long)((isize - 1) >> PAGE_SHIFT);
	if (index > end_index)
		return 0;
	if (nr > end_index - index + 1)
		nr = end_index - index + 1;
	for (i = 0; i < nr; i++) {
		struct page *page = find_get_page(m, mapping, index + i);

		if (page) {
			put_page(m, page);
			continue;
		}
		page = alloc_page(m, GFP_HIGHUSER_MOVABLE | __GFP_NORETRY | __GFP_NOWARN);
		if (!page)
			break;
		SetPageLocked(page);
		if (add_to_page_cache_lru(m, page, mapping, index + i, GFP_KERNEL)) {
			ClearPageLocked(page);
			put_page(m, page);
			continue;
		}
		if (!filemap_read_page(m, file, page))	/* unlocks */
			done++;
		put_page(m, page);	/* the cache keeps its reference */
	}
	return done;
}

/* The first page before @index (scanning at most @max_scan) that is not
 * cached; ULONG_MAX when the scan ran off the start of the file (cf.
 * page_cache_prev_miss). */
static unsigned long page_cache_prev_miss(struct machine *m, struct address_space *mapping,
					  unsigned long index, unsigned long max_scan)
{
	while (max_scan--) {
		struct page *page = find_get_page(m, mapping, index);

		if (!page)
			break;
		put_page(m, page);
		if (index == 0)
			return ~0UL;
		index--;
	}
	return index;
}

/* The first index from @index not cached, scanning @max_scan (cf.
 * page_cache_next_miss). */
static unsigned long page_cache_next_miss(struct machine *m, struct address_space *mapping,
					  unsigned long index, unsigned long max_scan)
{
	while (max_scan--) {
		struct page *page = find_get_page(m, mapping, index);

		if (!page)
			break;
		put_page(m, page);
		index++;
	}
	return index;
}

/**
 * page_cache_sync_readahead() - read-ahead for a read() that missed the
 *	cache at @index (cf. page_cache_sync_ra)
 * @m: the machine
 * @mapping: the page cache
 * @ra: the file's state
 * @file: the open file
 * @index: the missing page
 * @req_count: pages the read wants from @index
 */
void page_cache_sync_readahead(struct machine *m, struct address_space *mapping,
			       struct file_ra_state *ra, struct file *file, unsigned long index,
			       unsigned long req_count)
{
	unsigned long max_pages = ra->ra_pages, prev_index, miss, contig;

	if (!req_count)
		req_count = 1;
	if (!max_pages) {
		do_page_cache_ra(m, mapping, file, index, req_count, 0);
		return;
	}
	prev_index = (unsigned long)((unsigned long long)ra->prev_pos >> PAGE_SHIFT);
	if (!index || req_count > max_pages || index - prev_index <= 1UL) {
		ra->start = index;
		ra->size = (unsigned int)get_init_ra_size(req_count, max_pages);
		ra->async_size = ra->size > req_count ? ra->size - (unsigned int)req_count
						      : ra->size >> 1;
		goto readit;
	}
	miss = page_cache_prev_miss(m, mapping, index - 1, max_pages);
	contig = index - miss - 1;
	if (contig <= req_count) {	/* a small random read: just it */
		do_page_cache_ra(m, mapping, file, index, req_count, 0);
		return;
	}
	if (miss == ~0UL)	/* cached from the start: a long stream */
		contig *= 2;
	ra->start = index;
	ra->size = (unsigned int)min(contig + req_count, max_pages);
	ra->async_size = 1;
readit:
	do_page_cache_ra(m, mapping, file, ra->start, ra->size, ra->async_size);
}

/**
 * page_cache_async_readahead() - the read-ahead marker @page was reached:
 *	read the next window (cf. page_cache_async_ra)
 * @m: the machine
 * @mapping: the page cache
 * @ra: the file's state
 * @file: the open file
 * @page: the marker page (referenced)
 * @index: its index
 * @req_count: pages the reader wants
 */
void page_cache_async_readahead(struct machine *m, struct address_space *mapping,
				struct file_ra_state *ra, struct file *file, struct page *page,
				unsigned long index, unsigned long req_count)
{
	unsigned long max_pages = ra->ra_pages, start;

	if (!max_pages || PageWriteback(page))
		return;
	if (index == ra->start + ra->size - ra->async_size) {
		ra->start += ra->size;
		ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
		ra->async_size = ra->size;
	} else {
		start = page_cache_next_miss(m, mapping, index + 1, max_pages);
		if (start - index >= max_pages)
			return;
		ra->start = start;
		ra->size = (unsigned int)(start - index + req_count);
		ra->size = (unsigned int)get_next_ra_size(ra, max_pages);
		ra->async_size = ra->size;
	}
	do_page_cache_ra(m, mapping, file, ra->start, ra->size, ra->async_size);
}

/**
 * do_sync_mmap_readahead() - read-around for a fault that missed the
 *	cache (cf. do_sync_mmap_readahead)
 * @m: the machine
 * @vmf: the fault on a file VMA
 */
void do_sync_mmap_readahead(struct machine *m, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct file *file = vma->vm_file;
	struct file_ra_state *ra = &file->f_ra;

	if ((vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (vma->vm_flags & VM_SEQ_READ) {
		page_cache_sync_readahead(m, file->f_mapping, ra, file, vmf->pgoff, ra->ra_pages);
		return;
	}
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return;
	ra->start = vmf->pgoff > ra->ra_pages / 2 ? vmf->pgoff - ra->ra_pages / 2 : 0;
	ra->size = ra->ra_pages;
	ra->async_size = ra->ra_pages / 4;
	do_page_cache_ra(m, file->f_mapping, file, ra->start, ra->size, ra->async_size);
}

/**
 * do_async_mmap_readahead() - a fault found its page cached: count the
 *	hit, and start the next window at the marker (cf.
 *	do_async_mmap_readahead)
 * @m: the machine
 * @vmf: the fault
 * @page: the cached page (referenced)
 */
void do_async_mmap_readahead(struct machine *m, struct vm_fault *vmf, struct page *page)
{
	struct file *file = vmf->vma->vm_file;
	struct file_ra_state *ra = &file->f_ra;

	if ((vmf->vma->vm_flags & VM_RAND_READ) || !ra->ra_pages)
		return;
	if (ra->mmap_miss)
		ra->mmap_miss--;
	if (ra_is_marker(ra, vmf->pgoff))
		page_cache_async_readahead(m, file->f_mapping, ra, file, page, vmf->pgoff,
					   ra->ra_pages);
}
