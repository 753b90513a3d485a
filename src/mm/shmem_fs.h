/* shmem, the internal interface (cf. include/linux/shmem_fs.h): the
 * objects behind MAP_SHARED|MAP_ANONYMOUS and SysV shm segments. Defined
 * in mm/shmem.c (objects, faults, the page cache part) and
 * mm/shmem_swap.c (swap-out, swap-in, swapoff); used by mm/shm.c, the
 * madvise/mmap call sites and /proc.
 *
 * A shmem object is an anonymous inode (new_inode, i_nlink 0) whose pages
 * live in its page cache (inode->i_data.i_pages), PageSwapBacked, on the
 * anon LRU lists; a page swapped out leaves its slot holding
 * xa_mk_value(swp_entry.val) instead (each such entry owns one swap_map
 * reference). info->swapped counts those value entries. */
#ifndef MMKIT_MM_SHMEM_FS_H
#define MMKIT_MM_SHMEM_FS_H

#include <mmkit/fs.h>
#include <mmkit/shm.h>
#include <mmkit/swap.h>

#include "mm/memory.h"

/* The shmem part of an inode (inode->i_private) (cf. struct
 * shmem_inode_info). */
struct shmem_inode_info {
	spinlock_t lock;		/* swapped */
	unsigned long flags;		/* VM_LOCKED: SHM_LOCK */
	unsigned long swapped;		/* value (swap) entries in i_pages */
	struct list_head swaplist;	/* on m->ipc.shmem_inodes; empty once released */
	int pinned;			/* shmem_unuse works on it (under shmem_lock) */
	struct inode *inode;
};

static inline struct shmem_inode_info *SHMEM_I(const struct inode *inode)
{
	return inode->i_private;
}

/* ---- in mm/shmem.c ---- */

extern const struct address_space_operations shmem_aops;

/* Set up m->ipc (shmem's object list, the SysV limits); called by mmap_init. */
void shmem_init(struct machine *m);
/* Is @mapping a shmem object's page cache? */
bool shmem_mapping(const struct address_space *mapping);
/* A new shmem object of @size bytes behind a file named @name in
 * /proc/PID/maps, f_count 1; charged to Committed_AS unless @flags has
 * VM_NORESERVE (cf. shmem_kernel_file_setup). ERR_PTR-free: NULL and
 * *@err = -ENOMEM / -EINVAL. */
struct file *shmem_kernel_file_setup(struct machine *m, const char *name, unsigned long size,
				     vm_flags_t flags, int *err);
/* vm_ops->fault of shmem objects (cf. shmem_fault). */
vm_fault_t shmem_fault(struct machine *m, struct vm_fault *vmf);
/* The page at @index, allocated (zeroed) on first use, read back from
 * swap if it is out; referenced, unlocked. 0, -ENOMEM, -EIO, -EINVAL past
 * i_size. *@major: it had to read from swap (cf. shmem_get_folio_gfp). */
int shmem_get_page(struct machine *m, struct inode *inode, unsigned long index,
		   struct page **pagep, bool *major);
/* Free the pages and swap entries of pages [start, end] (cf.
 * shmem_undo_range); mapped pages are unmapped first. */
void shmem_truncate_range(struct machine *m, struct inode *inode, unsigned long start,
			  unsigned long end);
/* MADV_REMOVE over [start, end) of @vma: punch the hole in the object
 * (cf. shmem_fallocate(FALLOC_FL_PUNCH_HOLE)). 0 or -EOPNOTSUPP for
 * non-shmem files. */
int shmem_punch_hole(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		     unsigned long end);
/* SHM_LOCK / SHM_UNLOCK: the object's pages become (un)evictable (cf.
 * shmem_lock). 0 or -ENOMEM over RLIMIT_MEMLOCK. */
int shmem_lock(struct machine *m, struct file *file, int lock);
/* Free a released object's remains: its swap entries, pages, inode. */
void shmem_free_info(struct machine *m, struct shmem_inode_info *info);
/* Pages resident and swapped of the object behind @file. */
unsigned long shmem_nrpages(const struct file *file);
unsigned long shmem_swapped(const struct file *file);

/* ---- in mm/shmem_swap.c ---- */

/* a_ops->writepage: move a locked, unmapped shmem page to swap (cf.
 * shmem_writepage). Returns 0 (written, or redirtied and unlocked). */
int shmem_writepage(struct machine *m, struct page *page, struct writeback_control *wbc);
/* Read the swap value @entry at @index back into the page cache (cf.
 * shmem_swapin_folio): 0 with *@pagep referenced (*@major: read from the
 * area, not found in the swap cache), -EEXIST when the slot
 * changed meanwhile (retry), -ENOMEM, -EIO. */
int shmem_swapin_page(struct machine *m, struct inode *inode, unsigned long index,
		      void *entry, struct page **pagep, bool *major);
/* Drop a swap value entry's slot reference (cf. shmem_free_swap). */
void shmem_free_swap(struct machine *m, void *entry);
/* swapoff: read every page of area @type that a shmem object holds back
 * into its object (cf. shmem_unuse). 0 or -ENOMEM. */
int shmem_unuse(struct machine *m, unsigned int type);

/* ---- in mm/shm.c ---- */

/* Pages SysV segments charged to Committed_AS (for the checker). */
unsigned long shm_committed_pages(struct machine *m);

/* One line of /proc/sysvipc/shm. */
struct shm_proc_info {
	struct mmkit_shmid_ds ds;
	int id;
	unsigned long rss, swap;	/* pages */
};
int shm_proc_entry(struct machine *m, int pos, struct shm_proc_info *e);

#endif
