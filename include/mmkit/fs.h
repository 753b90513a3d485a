/* Files, inodes and the page cache (cf. include/linux/fs.h,
 * include/linux/pagemap.h, include/linux/fdtable.h; seed 003: "page cache
 * ... 以 inode 和 offset 为键"). Owned by src/mm/filemap.c (page cache,
 * read/write, file faults), src/mm/readahead.c, src/mm/page-writeback.c
 * (dirty pages, writeback), src/mm/truncate.c and src/mm/fs.c (the
 * simulated file system over a host directory, open-file tables); the host
 * side is src/machine/hostfile.c. docs/files.md describes it.
 *
 * A file page: page->mapping == its address_space, page->index its offset
 * in pages, a reference held by the page cache (and one per PTE and per
 * transient user), PG_uptodate once read, PG_dirty until written back,
 * PG_writeback while being written, PG_locked while I/O or truncation
 * owns it. Anonymous pages have PAGE_MAPPING_ANON in page->mapping;
 * swap-cache pages have PG_swapcache and their swp_entry_t in page->private
 * (include/mmkit/swap.h).
 *
 * Invariants (check_page_cache): every page in a mapping's i_pages has
 * ->mapping and ->index matching its slot; nrpages is the number of page
 * entries (value entries, shmem's swap entries, are not pages); a cached
 * page is uptodate unless locked; _refcount >= 1 + mapcount. */
#ifndef MMKIT_FS_H
#define MMKIT_FS_H

#include <mmkit/list.h>
#include <mmkit/mm_types.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>
#include <mmkit/xarray.h>

struct machine;
struct page;
struct task_struct;
struct vm_fault;

/* open(2) flags, x86 values (cf. include/uapi/asm-generic/fcntl.h). A
 * host program may include <fcntl.h> too, but before this header (as for
 * <sys/mman.h> and <mmkit/mman.h>): the values are the same. */
#ifndef O_ACCMODE
#define O_ACCMODE 00000003
#define O_RDONLY 00000000
#define O_WRONLY 00000001
#define O_RDWR 00000002
#define O_CREAT 00000100
#define O_EXCL 00000200
#define O_NOCTTY 00000400
#define O_TRUNC 00001000
#define O_APPEND 00002000
#define O_NONBLOCK 00004000
#define O_DSYNC 00010000
#define O_DIRECT 00040000
#define O_LARGEFILE 00100000
#define O_DIRECTORY 00200000
#define O_NOFOLLOW 00400000
#define O_NOATIME 01000000
#define O_CLOEXEC 02000000
#define O_SYNC 04010000
#define O_PATH 010000000
#define O_TMPFILE 020200000
#endif
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
#endif

/* i_mode file types (cf. include/uapi/linux/stat.h). */
#define MMKIT_S_IFMT 0170000
#define MMKIT_S_IFDIR 0040000
#define MMKIT_S_IFREG 0100000
#define MMKIT_S_IFBLK 0060000
#define MMKIT_S_ISBLK(mode) (((mode) & MMKIT_S_IFMT) == MMKIT_S_IFBLK)
#define VIRTBLK_MAJOR 254	/* virtio_blk's (dynamic) major on a typical 6.x guest */

#define MAX_LFS_FILESIZE ((long long)0x7fffffffffffffffLL)
#define NR_OPEN_DEFAULT 64	/* fds a files_struct starts with (BITS_PER_LONG) */
#define FS_PATH_MAX 200		/* longest path the simulated fs takes */

/* How much a writeback pass writes (cf. struct writeback_control). */
enum writeback_sync_modes { WB_SYNC_NONE, WB_SYNC_ALL };
struct writeback_control {
	long nr_to_write;		/* pages left to write; decremented */
	long long range_start, range_end;	/* bytes, inclusive */
	enum writeback_sync_modes sync_mode;
	bool for_reclaim;		/* from vmscan's pageout */
};

/* What a mapping's owner does with its pages (cf. struct
 * address_space_operations). */
struct address_space_operations {
	/* fill @page (locked, in the cache, not uptodate) from the backing
	 * store; set PG_uptodate on success; unlock it. 0 or -errno. */
	int (*readpage)(struct machine *m, struct file *file, struct page *page);
	/* write @page (locked, dirty bit already cleared by the caller) to
	 * the backing store: set PG_writeback, write, end_page_writeback,
	 * unlock the page (as Linux's writepage unlocks it). 0 or -errno
	 * (the page is redirtied or marked with an error then). */
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
	unsigned long nrdirty;		/* mmkit: dirty pages in the mapping */
};

#define AS_EIO 0
#define AS_ENOSPC 1
#define AS_UNEVICTABLE 2

/* An inode of the simulated file system, or an anonymous one (shmem,
 * new_inode) (cf. struct inode). */
struct inode {
	unsigned long i_ino;
	u32 i_dev;			/* the superblock's device (MKDEV) */
	unsigned int i_mode;		/* MMKIT_S_IFREG, _IFDIR, _IFBLK | permission bits */
	u32 i_rdev;			/* a block device's MKDEV(major, minor) */
	long long i_size;		/* bytes (loff_t) */
	unsigned int i_nlink;		/* names; 0: unlinked (or anonymous) */
	int i_count;			/* references: open files, lookups (iput drops) */
	struct address_space *i_mapping;	/* &i_data */
	struct address_space i_data;
	int i_host;			/* host file handle (hostfile.c), -1: none */
	spinlock_t i_lock;		/* i_size, i_count changes */
	unsigned long i_state;		/* I_FREEING */
	void *i_private;		/* the owner's state (shmem) */
	/* the owner's part of freeing the inode, before its pages go
	 * (shmem: its swap entries); may be NULL (cf. ->evict_inode) */
	void (*i_evict)(struct machine *m, struct inode *inode);
	struct list_head i_list;	/* on m->fs.inodes */
	struct list_head i_files;	/* open files of it (file->f_ilist) */
	char i_path[FS_PATH_MAX];	/* absolute path in the simulated fs, "" anonymous */
};

#define I_FREEING 0x1UL

/* A process's open-file table (cf. struct files_struct, struct fdtable). */
struct files_struct {
	int count;			/* tasks sharing it (CLONE_FILES, threads) */
	spinlock_t file_lock;
	unsigned int max_fds;		/* slots in fd[] */
	struct file **fd;
	unsigned long *close_on_exec;	/* bitmap, max_fds bits */
	unsigned int next_fd;		/* lowest possibly free fd */
};

/* The size sys_fstat reports (a subset of struct stat). */
struct mmkit_stat {
	unsigned long st_dev;
	unsigned long st_ino;
	unsigned int st_mode;
	unsigned int st_nlink;
	long long st_size;		/* 0 for a block device, as stat(2) on a device node */
	unsigned long st_rdev;		/* a block device's number */
	long st_blksize;
	long long st_blocks;		/* 512-byte blocks of the host file */
};

/* The simulated file system's state (m->fs); filled by src/mm/fs.c. */
struct fs_state {
	char root[256];			/* host directory holding the files ("" before boot) */
	bool root_is_temp;		/* created by mmkit: removed at destroy */
	bool ready;			/* vfs_caches_init ran */
	spinlock_t inode_lock;		/* inodes */
	struct list_head inodes;	/* every inode in memory */
	unsigned long next_ino;		/* anonymous inodes' numbers */
	unsigned long nr_inodes;
	unsigned int read_ahead_kb;	/* bdi read_ahead_kb: 128 */
	unsigned long fault_around_bytes;	/* 65536 (debugfs fault_around_bytes) */
	u32 s_dev;			/* device of the simulated disk: 8:1 */
	struct kmem_cache *inode_cachep;	/* "inode_cache" */
	struct kmem_cache *filp_cachep;	/* "filp" */
};

/* ---- the page cache (src/mm/filemap.c) ---- */

/* The page at @index, referenced, or NULL (cf. find_get_page). */
struct page *find_get_page(struct machine *m, struct address_space *mapping, unsigned long index);
/* The first page in [*idx, last] that match accepts (NULL: any), referenced. */
struct page *find_get_page_matching(struct address_space *mapping, unsigned long *idx,
				    unsigned long last, bool (*match)(const struct page *));
/* The same, locked (cf. find_lock_page); retries when truncation took it. */
struct page *find_lock_page(struct machine *m, struct address_space *mapping,
			    unsigned long index);
/* The page at @index locked and referenced, a new one added (not
 * uptodate) if none, NULL without memory (cf. find_or_create_page). */
struct page *find_or_create_page(struct machine *m, struct address_space *mapping,
				 unsigned long index, gfp_t gfp);
/* Insert a locked, new @page at @index: takes a reference for the cache,
 * counts NR_FILE_PAGES (and NR_SHMEM for PageSwapBacked). -EEXIST when the
 * slot holds something, -ENOMEM (cf. __filemap_add_folio). */
int add_to_page_cache_locked(struct machine *m, struct page *page,
			     struct address_space *mapping, unsigned long index, gfp_t gfp);
/* The same, then the page joins the LRU (lru_cache_add) (cf.
 * filemap_add_folio). */
int add_to_page_cache_lru(struct machine *m, struct page *page, struct address_space *mapping,
			  unsigned long index, gfp_t gfp);
/* Take a locked, unmapped page out of its mapping without dropping the
 * cache's reference; the caller holds mapping->i_pages.xa_lock (cf.
 * __filemap_remove_folio). @shadow: what to leave in the slot (NULL). */
void __delete_from_page_cache(struct machine *m, struct page *page, void *shadow);
/* Take a locked, unmapped page out and drop the cache's reference (cf.
 * filemap_remove_folio + folio_put). */
void delete_from_page_cache(struct machine *m, struct page *page);
/* Drop a clean, unmapped, unlocked page nobody else holds (reclaim,
 * invalidation): 1 done, 0 busy (cf. remove_mapping). The caller holds
 * one reference, which this keeps. */
int remove_mapping(struct machine *m, struct address_space *mapping, struct page *page);

/* PG_locked: the page's I/O and truncation lock (cf. folio_lock). */
bool trylock_page(struct page *page);
void lock_page(struct machine *m, struct page *page);
void unlock_page(struct machine *m, struct page *page);
/* Wait until PG_writeback clears (cf. folio_wait_writeback). */
void wait_on_page_writeback(struct machine *m, struct page *page);

/* The page at @index read in (uptodate), referenced; NULL with *@err
 * set to -errno (cf. read_mapping_page). */
struct page *read_mapping_page(struct machine *m, struct address_space *mapping,
			       unsigned long index, struct file *file, int *err);

/* vm_ops->fault of file mappings (cf. filemap_fault): readahead, a major
 * fault when it had to read, SIGBUS past EOF. */
vm_fault_t filemap_fault(struct machine *m, struct vm_fault *vmf);
/* Map the uptodate cached pages around a read fault (cf.
 * filemap_map_pages, do_fault_around); VM_FAULT_NOPAGE when the faulting
 * address got its page. */
vm_fault_t filemap_map_pages(struct machine *m, struct vm_fault *vmf, unsigned long start_pgoff,
			     unsigned long end_pgoff);
/* vm_ops->page_mkwrite (cf. filemap_page_mkwrite): dirty the page. */
vm_fault_t filemap_page_mkwrite(struct machine *m, struct vm_fault *vmf);
/* The file VMA operations (filemap_fault, filemap_page_mkwrite). */
extern const struct vm_operations_struct generic_file_vm_ops;

/* ---- read-ahead (src/mm/readahead.c) ---- */

/* Read-ahead on a cache miss at @index for a read of @req_count pages
 * (cf. page_cache_sync_ra). */
void page_cache_sync_readahead(struct machine *m, struct address_space *mapping,
			       struct file_ra_state *ra, struct file *file, unsigned long index,
			       unsigned long req_count);
/* A PG_readahead marker page was hit: start the next window (cf.
 * page_cache_async_ra). */
void page_cache_async_readahead(struct machine *m, struct address_space *mapping,
				struct file_ra_state *ra, struct file *file, struct page *page,
				unsigned long index, unsigned long req_count);
/* Set ra->ra_pages from the machine's read_ahead_kb (cf. file_ra_state_init). */
void file_ra_state_init(struct machine *m, struct file_ra_state *ra);

/* ---- dirty pages and writeback (src/mm/page-writeback.c) ---- */

/* Mark a page of a mapping dirty: 1 if it was clean (counts NR_FILE_DIRTY,
 * NR_DIRTIED, zone NR_ZONE_WRITE_PENDING) (cf. folio_mark_dirty). */
int set_page_dirty(struct machine *m, struct page *page);
/* Before writing a locked page: write-protect and clean its ptes
 * (page_mkclean), clear PG_dirty; 1 if it was dirty (cf.
 * folio_clear_dirty_for_io). */
int clear_page_dirty_for_io(struct machine *m, struct page *page);
/* Drop a page's dirty state without writing it (truncation; cf.
 * folio_cancel_dirty / account_page_cleaned). */
void cancel_dirty_page(struct machine *m, struct page *page);
/* PG_writeback on (counts NR_WRITEBACK, zone NR_ZONE_WRITE_PENDING) /
 * off (NR_WRITTEN) (cf. folio_start_writeback, folio_end_writeback). */
void set_page_writeback(struct machine *m, struct page *page);
void end_page_writeback(struct machine *m, struct page *page);
/* Reclaim's pageout of a locked dirty page: clear_page_dirty_for_io +
 * a_ops->writepage; returns with the page unlocked, 0 when written,
 * -EAGAIN when it was not dirty (still locked then), -errno. */
int writepage_for_reclaim(struct machine *m, struct page *page);
/* Write the dirty pages of a range (cf. write_cache_pages). */
int write_cache_pages(struct machine *m, struct address_space *mapping,
		      struct writeback_control *wbc);
/* Write [lstart, lend] back and wait (cf. filemap_write_and_wait_range);
 * 0 or the mapping's error (-EIO, -ENOSPC), reported once. */
int filemap_write_and_wait_range(struct machine *m, struct address_space *mapping,
				 long long lstart, long long lend);
/* Write back every dirty page of every inode (cf. sync(2)). */
void sync_filesystems(struct machine *m);

/* ---- truncation (src/mm/truncate.c) ---- */

/* Unmap the pages of [holebegin, holebegin + holelen) (bytes; holelen 0:
 * to the end) from every VMA of the mapping; with @even_cows also the
 * private COW copies (cf. unmap_mapping_range). */
void unmap_mapping_range(struct machine *m, struct address_space *mapping,
			 long long holebegin, long long holelen, int even_cows);
/* Remove the cached pages of bytes [lstart, lend] (lend -1: to the end),
 * zeroing the partial page at lstart (cf. truncate_inode_pages_range). */
void truncate_inode_pages_range(struct machine *m, struct address_space *mapping,
				long long lstart, long long lend);
void truncate_inode_pages(struct machine *m, struct address_space *mapping, long long lstart);
/* i_size changed to @newsize: unmap and drop what lies past it (cf.
 * truncate_pagecache). */
void truncate_pagecache(struct machine *m, struct inode *inode, long long newsize);
/* Drop the clean, unmapped pages of a mapping (cf.
 * invalidate_mapping_pages); returns how many went. */
unsigned long invalidate_mapping_pages(struct machine *m, struct address_space *mapping,
				       unsigned long start, unsigned long end);

/* ---- inodes, files and the fd table (src/mm/fs.c) ---- */

/* Set up m->fs (caches, the host directory); called at boot. 0 or -errno. */
int vfs_caches_init(struct machine *m);
/* An anonymous inode with an empty page cache and no host file (shmem):
 * i_count 1, i_nlink 0, the given a_ops (cf. new_inode). NULL without memory. */
struct inode *new_inode(struct machine *m, const struct address_space_operations *a_ops);
/* Initialise an address_space owned by @host (cf. address_space_init_once). */
void inode_init_mapping(struct address_space *mapping, struct inode *host,
			const struct address_space_operations *a_ops);
void ihold(struct inode *inode);
/* Drop a reference; the last one on an unlinked or anonymous inode frees
 * its pages and the inode (cf. iput, evict). */
void iput(struct machine *m, struct inode *inode);
/* A struct file for @inode (referencing it), f_count 1 (cf.
 * alloc_file_pseudo). @name: what /proc/PID/maps shows. */
struct file *alloc_file(struct machine *m, struct inode *inode, const char *name,
			unsigned int flags, const struct file_operations *fops);
/* The open file behind @fd of the current task, referenced (fput), or
 * NULL (cf. fget). */
struct file *fget(struct machine *m, unsigned int fd);
/* Drop what fget() took. */
void fput_fd(struct machine *m, struct file *file);
/* Give @file an fd in the current task (cf. get_unused_fd_flags +
 * fd_install): the fd, or -EMFILE. The table takes @file's reference. */
int fd_install_new(struct machine *m, struct file *file, unsigned int flags);
/* The last fput of a file with an inode: unlist it, iput (called by fput). */
void file_release_inode(struct machine *m, struct file *file);
/* Write bytes [start, end] of @file back and flush the host file (cf.
 * vfs_fsync_range). 0 or -errno. */
int vfs_fsync_range(struct machine *m, struct file *file, long long start, long long end,
		    int datasync);
/* The mmap operation of a file (cf. f_op->mmap, generic_file_mmap). */
int generic_file_mmap(struct machine *m, struct file *file, struct vm_area_struct *vma);

/* files_struct lifecycle: fork copies or shares, exit puts. */
struct files_struct *dup_fd(struct machine *m, struct files_struct *oldf, int *errorp);
int copy_files(struct machine *m, unsigned long clone_flags, struct task_struct *parent,
	       struct task_struct *tsk);
void exit_files(struct machine *m, struct task_struct *tsk);
/* exec: a table of its own, then the O_CLOEXEC fds closed. */
int unshare_files(struct machine *m, struct task_struct *tsk);
void do_close_on_exec(struct machine *m, struct files_struct *files);

/* i_mmap: link / unlink a VMA with a page-cache file (vma->shared). */
void vma_link_file(struct machine *m, struct vm_area_struct *vma);
void vma_unlink_file(struct machine *m, struct vm_area_struct *vma);

/* The syscalls (0 / a count / an fd, or -errno as Linux's). Buffers are
 * user addresses of the current task. */
long sys_open(struct machine *m, const char *path, int flags, unsigned int mode);
long sys_close(struct machine *m, unsigned int fd);
long sys_read(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count);
long sys_write(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count);
long sys_pread64(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count,
		 long long pos);
long sys_pwrite64(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count,
		  long long pos);
long long sys_lseek(struct machine *m, unsigned int fd, long long offset, unsigned int whence);
long sys_ftruncate(struct machine *m, unsigned int fd, long long length);
long sys_truncate(struct machine *m, const char *path, long long length);
long sys_fsync(struct machine *m, unsigned int fd);
long sys_fdatasync(struct machine *m, unsigned int fd);
long sys_unlink(struct machine *m, const char *path);
long sys_fstat(struct machine *m, unsigned int fd, struct mmkit_stat *st);

/* Block devices (src/mm/block_dev.c): /dev/NAME of the description's
 * `disk NAME SIZE`, backed by the host file ROOT/dev/NAME. */
int bdev_index(const struct machine *m, const char *path);
void bdev_setup_inode(struct machine *m, struct inode *inode, int index);
unsigned long nr_blockdev_pages(struct machine *m);
long sys_dup(struct machine *m, unsigned int fd);
long sys_sync(struct machine *m);
/* i_size of the file behind @fd, or -EBADF. */
long long mmkit_fsize(struct machine *m, unsigned int fd);

/* Flush and close everything at machine destroy (dirty pages reach the
 * host files). */
void fs_shutdown(struct machine *m);

/* The page-cache checker (run by mmkit_check): 0 or violations. */
int check_page_cache(struct machine *m);

#endif
