/* Files, inodes and the page cache (cf. include/linux/fs.h,
 * include/linux/pagemap.h; seed 003: "page cache ... 以 inode 和 offset
 * 为键"). Owned by src/mm/filemap.c (page cache, read/write, file faults),
 * src/mm/page-writeback.c (dirty pages, writeback), src/mm/truncate.c and
 * src/mm/fs.c (the simulated file system over a host directory, open-file
 * tables); the host side is src/machine/hostfile.c.
 *
 * A file page: page->mapping == its address_space, page->index its offset
 * in pages, a reference held by the page cache (and one per PTE and per
 * transient user), PG_uptodate once read, PG_dirty until written back,
 * PG_writeback while being written, PG_locked while I/O or truncation
 * owns it. Anonymous pages have PAGE_MAPPING_ANON in page->mapping;
 * swap-cache pages have PG_swapcache and their swp_entry_t in page->private
 * (include/mmkit/swap.h). */
#ifndef MMKIT_FS_H
#define MMKIT_FS_H

#include <mmkit/list.h>
#include <mmkit/mm_types.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>
#include <mmkit/xarray.h>

struct machine;
struct page;
struct writeback_control;

/* What a mapping's owner does with its pages (cf. struct
 * address_space_operations). */
struct address_space_operations {
	/* fill @page (locked, in the cache, not uptodate) from the backing
	 * store; set PG_uptodate on success; unlock it. 0 or -errno. */
	int (*readpage)(struct machine *m, struct file *file, struct page *page);
	/* write @page (locked, dirty bit already cleared by the caller,
	 * PG_writeback set by the callee) to the backing store. 0 or -errno. */
	int (*writepage)(struct machine *m, struct page *page, struct writeback_control *wbc);
};

/* A page cache (cf. struct address_space). */
struct address_space {
	struct inode *host;
	struct xarray i_pages;		/* index -> struct page * (shmem: or a swap value entry) */
	unsigned long nrpages;		/* pages in i_pages */
	spinlock_t i_mmap_lock;		/* guards i_mmap */
	struct list_head i_mmap;	/* VMAs mapping it (vma->shared) */
	unsigned long i_mmap_writable;	/* VM_SHARED writable mappings */
	const struct address_space_operations *a_ops;
	unsigned long flags;		/* AS_EIO, AS_ENOSPC, AS_UNEVICTABLE (SHM_LOCK) */
	unsigned long writeback_index;	/* where writeback resumes */
};

#define AS_EIO 0
#define AS_ENOSPC 1
#define AS_UNEVICTABLE 2

/* The simulated file system's state (m->fs); filled by src/mm/fs.c. */
struct fs_state {
	char root[256];			/* host directory holding the files ("" before boot) */
	bool root_is_temp;		/* created by mmkit: removed at destroy */
	spinlock_t inode_lock;		/* inodes */
	struct list_head inodes;	/* every inode in memory */
	unsigned long next_ino;
};

#endif
