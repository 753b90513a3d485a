/* shmem: the memory objects behind MAP_SHARED|MAP_ANONYMOUS ("/dev/zero
 * (deleted)", cf. shmem_zero_setup) and SysV shm segments ("/SYSV%08x
 * (deleted)", cf. shmem_kernel_file_setup) (cf. mm/shmem.c). Swap-out,
 * swap-in and swapoff are mm/shmem_swap.c; the interface is mm/shmem_fs.h.
 *
 * An object is an anonymous inode from new_inode() with shmem_aops; its
 * pages are in its page cache, PageSwapBacked, so the LRU puts them on
 * the anon lists and the page cache counts them in NR_FILE_PAGES and
 * NR_SHMEM (meminfo's Cached and Shmem); mapped, they count as
 * MM_SHMEMPAGES (RssShmem). shmem_fault() allocates a zeroed page on
 * first touch (a read too), so every mapper sees the same page; past
 * i_size it is SIGBUS (a mapping grown by mremap). PG_dirty on a shmem
 * page only means "must go to swap before it is dropped" (cf.
 * noop_dirty_folio): no writeback accounting.
 *
 * Each shared anonymous mmap() gets an object of its own, so its VMAs
 * never merge with other mappings, while the pieces of one mapping (after
 * mprotect, munmap, mremap) share it and merge back when their offsets
 * meet, exactly as in Linux. The object's size is charged to Committed_AS
 * when it is created (not with VM_NORESERVE: file->f_acct_pages) and
 * uncharged when its file goes (fput).
 *
 * Invariants: a page in i_pages has ->mapping == &inode->i_data,
 * ->index == its slot and PageSwapBacked; info->swapped equals the value
 * entries in i_pages; every live object is on m->ipc.shmem_inodes. */
#include "mm/internal_vmscan.h"
#include "mm/shmem_fs.h"

static const struct file_operations shmem_file_operations;

/**
 * shmem_init() - set up shmem's object list and the SysV shm limits
 *	(cf. shmem_init, shm_init_ns)
 * @m: the machine
 *
 * Called once by mmap_init(); idempotent.
 */
void shmem_init(struct machine *m)
{
	struct ipc_state *ipc = &m->ipc;
	/* SHMMAX and SHMALL are ULONG_MAX - 2^24 of the machine's word */
	unsigned long lim = m->desc.arch == MMKIT_ARCH_X86_64 ? ~0UL - (1UL << 24)
							       : 0xffffffffUL - (1UL << 24);

	if (ipc->ready)
		return;
	spin_lock_init(&ipc->shm_lock);
	INIT_LIST_HEAD(&ipc->shm_segments);
	ipc->shm_last_idx = -1;
	ipc->shm_ctlmax = lim;
	ipc->shm_ctlall = lim;
	ipc->shm_ctlmni = MMKIT_SHMMNI;
	spin_lock_init(&ipc->shmem_lock);
	INIT_LIST_HEAD(&ipc->shmem_inodes);
	m->swap.shmem_unuse = shmem_unuse;
	ipc->ready = true;
}

/**
 * shmem_mapping() - is @mapping a shmem object's page cache?
 * @mapping: the mapping (may be NULL)
 */
bool shmem_mapping(const struct address_space *mapping)
{
	return mapping && mapping->a_ops == &shmem_aops;
}

/* A zeroed page ready for the object at @index: locked, swap-backed. */
static struct page *shmem_alloc_page(struct machine *m)
{
	struct page *page = alloc_page(m, GFP_HIGHUSER_MOVABLE);
	void *kaddr;

	if (!page)
		return NULL;
	kaddr = kmap_atomic(m, page);
	mm_memset(kaddr, 0, PAGE_SIZE);
	kunmap_atomic(m, kaddr);
	SetPageLocked(page);
	SetPageSwapBacked(page);
	return page;
}

static unsigned long shmem_size_pages(const struct inode *inode)
{
	return (unsigned long)((inode->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

/* Add a new zeroed page at @index (cf. shmem_alloc_and_add_folio):
 * 0 with *pagep referenced, -EEXIST when the slot filled meanwhile. */
static int shmem_add_new_page(struct machine *m, struct inode *inode, unsigned long index,
			      struct page **pagep)
{
	struct page *page = shmem_alloc_page(m);
	int err;

	if (!page)
		return -ENOMEM;
	err = add_to_page_cache_lru(m, page, inode->i_mapping, index, GFP_KERNEL);
	if (err) {
		ClearPageLocked(page);
		ClearPageSwapBacked(page);
		put_page(m, page);
		return err;
	}
	SetPageUptodate(page);
	unlock_page(m, page);
	*pagep = page;
	return 0;
}

/**
 * shmem_get_page() - the object's page at @index (cf. shmem_get_folio_gfp)
 * @m: the machine
 * @inode: the object
 * @index: page offset
 * @pagep: set to the page, referenced and unlocked
 * @major: set when the page was read back from swap
 *
 * Returns 0, -EINVAL past i_size, -ENOMEM, -EIO.
 */
int shmem_get_page(struct machine *m, struct inode *inode, unsigned long index,
		   struct page **pagep, bool *major)
{
	struct address_space *mapping = inode->i_mapping;
	int err;

	*major = false;
	for (;;) {
		void *entry;

		if (index >= shmem_size_pages(inode))
			return -EINVAL;
		xa_lock(&mapping->i_pages);
		entry = xa_load(&mapping->i_pages, index);
		if (entry && !xa_is_value(entry))
			get_page(entry);
		xa_unlock(&mapping->i_pages);
		if (entry && xa_is_value(entry)) {
			err = shmem_swapin_page(m, inode, index, entry, pagep, major);
			if (err == -EEXIST)
				continue;
			return err;
		}
		if (entry) {
			struct page *page = entry;

			if (page->mapping == mapping && page->index == index) {
				*pagep = page;
				return 0;
			}
			put_page(m, page);	/* truncated or swapped meanwhile */
			continue;
		}
		err = shmem_add_new_page(m, inode, index, pagep);
		if (err != -EEXIST)
			return err;
	}
}

/**
 * shmem_fault() - vm_ops->fault of shmem objects (cf. shmem_fault)
 * @m: the machine
 * @vmf: the fault; vmf->page gets the object's page, referenced
 *
 * Returns 0, VM_FAULT_MAJOR (read back from swap), VM_FAULT_SIGBUS past
 * the object's size or on a read error, VM_FAULT_OOM.
 */
vm_fault_t shmem_fault(struct machine *m, struct vm_fault *vmf)
{
	struct inode *inode = vmf->vma->vm_file->f_inode;
	bool major;
	int err = shmem_get_page(m, inode, vmf->pgoff, &vmf->page, &major);

	if (err == -ENOMEM)
		return VM_FAULT_OOM;
	if (err)
		return VM_FAULT_SIGBUS;
	return major ? VM_FAULT_MAJOR : 0;
}

/* Take one page of the object out (cf. shmem_undo_range's folio part):
 * unmapped from every VMA first, then deleted from the cache. */
static void shmem_drop_page(struct machine *m, struct address_space *mapping,
			    struct page *page)
{
	lock_page(m, page);
	if (page->mapping != mapping) {	/* swapped out meanwhile */
		unlock_page(m, page);
		return;
	}
	if ((page_mapcount(page) > 0))
		unmap_mapping_range(m, mapping, (long long)page->index << PAGE_SHIFT,
				    PAGE_SIZE, 0);
	wait_on_page_writeback(m, page);
	ClearPageDirty(page);	/* shmem dirt is not accounted */
	delete_from_page_cache(m, page);
	unlock_page(m, page);
}

/**
 * shmem_truncate_range() - free the object's pages [@start, @end] (cf.
 *	shmem_undo_range)
 * @m: the machine
 * @inode: the object
 * @start: first page offset
 * @end: last page offset (~0UL: to the end)
 *
 * Pages go (unmapped first), swap entries give their slots back.
 */
void shmem_truncate_range(struct machine *m, struct inode *inode, unsigned long start,
			  unsigned long end)
{
	struct address_space *mapping = inode->i_mapping;
	struct shmem_inode_info *info = SHMEM_I(inode);
	unsigned long index = start;

	while (index <= end) {
		void *entry;

		xa_lock(&mapping->i_pages);
		entry = xa_find(&mapping->i_pages, &index, end);
		if (!entry) {
			xa_unlock(&mapping->i_pages);
			break;
		}
		if (xa_is_value(entry)) {
			xa_erase(m, &mapping->i_pages, index);
			spin_lock(&info->lock);
			info->swapped--;
			spin_unlock(&info->lock);
			xa_unlock(&mapping->i_pages);
			shmem_free_swap(m, entry);
		} else {
			get_page(entry);
			xa_unlock(&mapping->i_pages);
			shmem_drop_page(m, mapping, entry);
			put_page(m, entry);
		}
		if (index == end)
			break;
		index++;
	}
}

/**
 * shmem_free_info() - free a released object: its pages, swap entries and
 *	the reference on its inode (cf. shmem_evict_inode)
 * @m: the machine
 * @info: the object, off m->ipc.shmem_inodes
 */
void shmem_free_info(struct machine *m, struct shmem_inode_info *info)
{
	struct inode *inode = info->inode;

	shmem_truncate_range(m, inode, 0, ~0UL);
	VM_WARN_ON(m, info->swapped != 0);
	VM_WARN_ON(m, inode->i_mapping->nrpages != 0);
	inode->i_private = NULL;
	kfree(m, info);
	iput(m, inode);
}

/* The object's file went (cf. shmem_evict_inode). While swapoff works on
 * it, shmem_unuse frees it when done. */
static void shmem_release(struct machine *m, struct file *file)
{
	struct shmem_inode_info *info = SHMEM_I(file->f_inode);
	bool pinned;

	spin_lock(&m->ipc.shmem_lock);
	list_del_init(&info->swaplist);
	pinned = info->pinned;
	spin_unlock(&m->ipc.shmem_lock);
	if (!pinned)
		shmem_free_info(m, info);
}

static const struct vm_operations_struct shmem_vm_ops;

/* f_op->mmap of shmem files (cf. shmem_mmap): faults come to shmem_fault. */
static int shmem_mmap(struct machine *m, struct file *file, struct vm_area_struct *vma)
{
	(void)m;
	(void)file;
	vma->vm_ops = &shmem_vm_ops;
	return 0;
}

static const struct file_operations shmem_file_operations = {
	.release = shmem_release,
	.mmap = shmem_mmap,
};

const struct address_space_operations shmem_aops = {
	.writepage = shmem_writepage,
};

/* A new object of @size bytes (cf. shmem_get_inode + alloc_file_pseudo). */
static struct file *shmem_file_create(struct machine *m, const char *name, unsigned long size)
{
	struct shmem_inode_info *info = kzalloc(m, sizeof(*info), GFP_KERNEL);
	struct inode *inode;
	struct file *file;

	if (!info)
		return NULL;
	inode = new_inode(m, &shmem_aops);
	if (!inode) {
		kfree(m, info);
		return NULL;
	}
	spin_lock_init(&info->lock);
	info->inode = inode;
	inode->i_private = info;
	inode->i_size = (long long)size;
	inode->i_mode = MMKIT_S_IFREG | 0777;
	inode->i_dev = MKDEV(0, 1);	/* the shm_mnt tmpfs */
	/* the object keeps new_inode's reference (dropped by
	 * shmem_free_info); the file takes its own */
	file = alloc_file(m, inode, name, O_RDWR, &shmem_file_operations);
	if (!file) {
		iput(m, inode);
		kfree(m, info);
		return NULL;
	}
	spin_lock(&m->ipc.shmem_lock);
	list_add_tail(&info->swaplist, &m->ipc.shmem_inodes);
	spin_unlock(&m->ipc.shmem_lock);
	file->f_mode = FMODE_READ | FMODE_WRITE;
	file->f_dev = MKDEV(0, 1);
	file->f_size = size;
	return file;
}

/**
 * shmem_kernel_file_setup() - a new shmem object behind a file (cf.
 *	shmem_kernel_file_setup, __shmem_file_setup)
 * @m: the machine
 * @name: the path /proc/PID/maps shows
 * @size: bytes
 * @flags: VM_NORESERVE: no Committed_AS charge
 * @err: set to -errno when NULL is returned
 *
 * The file has f_count 1 and its own inode number (the caller may change
 * f_ino and i_ino, as SysV shm sets them to the shmid).
 */
struct file *shmem_kernel_file_setup(struct machine *m, const char *name, unsigned long size,
				     vm_flags_t flags, int *err)
{
	unsigned long pages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct task_struct *tsk = get_current(m);
	struct file *file;

	/* shmem charges the whole object up front (cf. shmem_acct_size) */
	if (!(flags & VM_NORESERVE) &&
	    security_vm_enough_memory_mm(m, tsk ? tsk->mm : NULL, (long)pages)) {
		*err = -ENOMEM;
		return NULL;
	}
	file = shmem_file_create(m, name, size);
	if (!file) {
		if (!(flags & VM_NORESERVE))
			vm_unacct_memory(m, (long)pages);
		*err = -ENOMEM;
		return NULL;
	}
	if (!(flags & VM_NORESERVE))
		file->f_acct_pages = pages;
	file->f_ino = file->f_inode->i_ino =
		__atomic_add_fetch(&m->vm.next_shmem_ino, 1, __ATOMIC_RELAXED);
	*err = 0;
	return file;
}

/* shmem's anonymous-mapping operations (cf. shmem_anon_vm_ops): no open or
 * close, so the pieces may merge. */
static const struct vm_operations_struct shmem_anon_vm_ops = {
	.fault = shmem_fault,
};

/* shmem's file-mapping operations (cf. shmem_vm_ops). */
static const struct vm_operations_struct shmem_vm_ops = {
	.fault = shmem_fault,
};

/**
 * shmem_zero_setup() - give @vma a fresh shmem object of its size (cf.
 *	shmem_zero_setup)
 * @m: the machine
 * @vma: a VM_SHARED anonymous VMA being created
 *
 * Returns 0 or -ENOMEM.
 */
int shmem_zero_setup(struct machine *m, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct file *file;
	int err;

	file = shmem_kernel_file_setup(m, "/dev/zero (deleted)", size,
				       vma->vm_flags & VM_NORESERVE, &err);
	if (!file)
		return err;
	vma->vm_file = file;
	vma->vm_ops = &shmem_anon_vm_ops;
	return 0;
}

/**
 * shmem_punch_hole() - MADV_REMOVE: free the object's pages behind
 *	[@start, @end) of @vma (cf. shmem_fallocate with
 *	FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
 * @m: the machine
 * @vma: a shared VMA of a shmem object
 * @start: page-aligned start in @vma
 * @end: page-aligned end
 *
 * Every mapper's ptes of the range go; later faults see zeroes.
 * Returns 0, or -EOPNOTSUPP when @vma's file is not shmem.
 */
int shmem_punch_hole(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		     unsigned long end)
{
	struct file *file = vma->vm_file;
	unsigned long first, last;

	if (!file || !shmem_mapping(file->f_mapping))
		return -EOPNOTSUPP;
	if (end <= start)
		return 0;
	first = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT);
	last = first + ((end - start) >> PAGE_SHIFT) - 1;
	unmap_mapping_range(m, file->f_mapping, (long long)first << PAGE_SHIFT,
			    (long long)(last - first + 1) << PAGE_SHIFT, 0);
	shmem_truncate_range(m, file->f_inode, first, last);
	return 0;
}

/* SHM_UNLOCK: the pages reclaim parked on the unevictable list go back
 * to the anon lists (cf. shmem_unlock_mapping,
 * check_move_unevictable_folios). */
static void shmem_unlock_mapping(struct machine *m, struct address_space *mapping)
{
	unsigned long index = 0;

	for (;;) {
		struct page *page;

		xa_lock(&mapping->i_pages);
		page = xa_find(&mapping->i_pages, &index, ~0UL);
		while (page && xa_is_value(page)) {
			if (index == ~0UL) {
				page = NULL;
				break;
			}
			index++;
			page = xa_find(&mapping->i_pages, &index, ~0UL);
		}
		if (page)
			get_page(page);
		xa_unlock(&mapping->i_pages);
		if (!page)
			return;
		if (PageUnevictable(page) && isolate_lru_page(m, page) == 0)
			putback_lru_page(m, page);
		put_page(m, page);
		if (index == ~0UL)
			return;
		index++;
	}
}

/**
 * shmem_lock() - SHM_LOCK / SHM_UNLOCK: keep the object's pages off
 *	reclaim (cf. shmem_lock, user_shm_lock)
 * @m: the machine
 * @file: the object's file
 * @lock: 1 lock, 0 unlock
 *
 * Returns 0, or -ENOMEM when locking would pass RLIMIT_MEMLOCK without
 * CAP_IPC_LOCK. Unlocking puts the pages back on the evictable lists.
 */
int shmem_lock(struct machine *m, struct file *file, int lock)
{
	struct inode *inode = file->f_inode;
	struct shmem_inode_info *info = SHMEM_I(inode);
	unsigned long pages = shmem_size_pages(inode);

	if (lock && !(info->flags & VM_LOCKED)) {
		if (!capable(m, CAP_IPC_LOCK) &&
		    pages > (rlimit(m, RLIMIT_MEMLOCK) >> PAGE_SHIFT))
			return -ENOMEM;
		info->flags |= VM_LOCKED;
		__atomic_fetch_or(&inode->i_mapping->flags, 1UL << AS_UNEVICTABLE,
				  __ATOMIC_RELAXED);
	} else if (!lock && (info->flags & VM_LOCKED)) {
		info->flags &= ~VM_LOCKED;
		__atomic_fetch_and(&inode->i_mapping->flags, ~(1UL << AS_UNEVICTABLE),
				   __ATOMIC_RELAXED);
		shmem_unlock_mapping(m, inode->i_mapping);
	}
	return 0;
}

/**
 * shmem_nrpages() - resident pages of the object behind @file
 * @file: a shmem file
 */
unsigned long shmem_nrpages(const struct file *file)
{
	return file->f_mapping->nrpages;
}

/**
 * shmem_swapped() - swapped-out pages of the object behind @file
 * @file: a shmem file
 */
unsigned long shmem_swapped(const struct file *file)
{
	return SHMEM_I(file->f_inode)->swapped;
}
