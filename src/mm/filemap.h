/* Declarations shared by the files and page-cache code (src/mm/filemap.c,
 * readahead.c, page-writeback.c, truncate.c, fs.c); the public API is
 * include/mmkit/fs.h (cf. mm/internal.h's page-cache part). */
#ifndef MMKIT_MM_FILEMAP_H
#define MMKIT_MM_FILEMAP_H

#include <mmkit/fs.h>

#include "mm/memory.h"

#define MMAP_LOTSAMISS 100	/* mmap misses before mmap read-around stops */
#define MAX_RW_COUNT (0x7fffffffUL & PAGE_MASK)	/* INT_MAX & PAGE_MASK */

static inline void mod_node_stat(struct machine *m, enum node_stat_item item, long delta)
{
	__mod_node_page_state(&m->node, item, delta);
}

/* The page-cache mapping of a page (NULL for anonymous pages) (cf.
 * folio_mapping without the swap cache). */
static inline struct address_space *page_file_mapping(const struct page *page)
{
	return PageAnon(page) ? NULL : (struct address_space *)page->mapping;
}

/* Does the mapping account dirty pages and write them back (not shmem)?
 * (cf. mapping_can_writeback) */
static inline bool page_accounts_dirty(const struct page *page)
{
	return page->mapping && !PageAnon(page) && !PageSwapBacked(page);
}

/* The pages covering i_size bytes (cf. DIV_ROUND_UP(i_size, PAGE_SIZE)). */
static inline unsigned long size_pages(long long size)
{
	return (unsigned long)((size + (long long)PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* in mm/filemap.c */
/* Read @page (locked, not uptodate) with the mapping's readpage; returns
 * with the page unlocked; 0 when it is uptodate, -errno. */
int filemap_read_page(struct machine *m, struct file *file, struct page *page);
/* Read / write through the page cache at *@ppos (cf. filemap_read,
 * generic_perform_write): bytes done, or -errno. */
long filemap_read(struct machine *m, struct file *file, unsigned long buf, unsigned long count,
		  long long *ppos);
long generic_perform_write(struct machine *m, struct file *file, unsigned long buf,
			   unsigned long count, long long *ppos);

/* in mm/readahead.c: read [index, index + nr) (clamped at EOF), marking
 * the page lookahead_size before the end; the window's pages not yet
 * cached are read (cf. page_cache_ra_unbounded). Returns pages read. */
unsigned long do_page_cache_ra(struct machine *m, struct address_space *mapping,
			       struct file *file, unsigned long index, unsigned long nr,
			       unsigned long lookahead_size);
/* Is @index the async read-ahead marker of @ra (cf. PG_readahead)? */
bool ra_is_marker(const struct file_ra_state *ra, unsigned long index);
/* mmap read-around on a fault miss / marker hit (cf.
 * do_sync_mmap_readahead, do_async_mmap_readahead). */
void do_sync_mmap_readahead(struct machine *m, struct vm_fault *vmf);
void do_async_mmap_readahead(struct machine *m, struct vm_fault *vmf, struct page *page);

/* in mm/fdtable.c */
struct files_struct *current_files(struct machine *m);
int find_free_fd(struct machine *m, struct files_struct *files);

/* in mm/fs.c */
extern const struct address_space_operations hostfs_aops;
/* The open file for @fd, referenced (fput), with -EBADF when none. */
struct file *fget_err(struct machine *m, unsigned int fd, int *err);

#endif
