/* The object behind MAP_SHARED|MAP_ANONYMOUS: an unlinked shmem file
 * named "/dev/zero (deleted)" (cf. mm/shmem.c shmem_zero_setup,
 * shmem_kernel_file_setup).
 *
 * Each shared anonymous mmap() gets a file of its own, so its VMAs never
 * merge with other mappings, while the pieces of one mapping (after
 * mprotect, munmap, mremap) share it and merge back when their offsets
 * meet, exactly as in Linux.
 *
 * The object's pages: a minimal stand-in for the shmem page cache (the
 * page-cache issue replaces it). shmem_fault() returns the page at the
 * faulting offset, allocating a zeroed one on first touch, so every mapper
 * sees the same page; beyond the object's size (a mapping grown by mremap)
 * it is SIGBUS, as shmem_fault gives past i_size. The page table is two
 * levels of pointer arrays allocated on first use; the object holds one
 * reference on each page (each pte holds another) and drops them when the
 * last VMA goes (fput -> shmem_release). Pages are counted as NR_FILE_PAGES
 * and NR_SHMEM (meminfo's Cached and Shmem) and, mapped, as RssShmem.
 *
 * shmem charges the object's size to Committed_AS when it is created (not
 * with MAP_NORESERVE) and uncharges it when the last VMA goes.
 *
 * Invariants: the file's f_count is the number of VMAs that map it; a
 * page of the object has page->mapping == the file, page->index == its
 * offset, and _refcount == 1 + the ptes mapping it. */
#include "mm/memory.h"

#define SHMEM_CHUNK (PAGE_SIZE / sizeof(struct page *))	/* pages per leaf array */

/* The object's pages (file->private_data). */
struct shmem_anon_pages {
	spinlock_t lock;
	unsigned long nr_pages;		/* the object's size */
	unsigned long nr_chunks;
	struct page ***chunks;		/* NULL until the first fault */
};

static void mod_node_stat(struct machine *m, enum node_stat_item item, long delta)
{
	__atomic_fetch_add(&m->node.vm_stat[item], delta, __ATOMIC_RELAXED);
}

/* The slot for page @index, allocating the arrays on the way (NULL
 * without memory). Called with sp->lock held; allocation is GFP_ATOMIC. */
static struct page **shmem_slot(struct machine *m, struct shmem_anon_pages *sp,
				unsigned long index)
{
	unsigned long c = index / SHMEM_CHUNK;

	if (!sp->chunks) {
		sp->chunks = kcalloc(m, sp->nr_chunks, sizeof(*sp->chunks), GFP_ATOMIC);
		if (!sp->chunks)
			return NULL;
	}
	if (!sp->chunks[c]) {
		sp->chunks[c] = kzalloc(m, PAGE_SIZE, GFP_ATOMIC);
		if (!sp->chunks[c])
			return NULL;
	}
	return &sp->chunks[c][index % SHMEM_CHUNK];
}

/* A zeroed page for the object (cf. shmem_alloc_and_add_folio). */
static struct page *shmem_alloc_page(struct machine *m)
{
	struct page *page = alloc_page(m, GFP_HIGHUSER_MOVABLE);
	void *kaddr;

	if (!page)
		return NULL;
	kaddr = kmap_atomic(m, page);
	mm_memset(kaddr, 0, PAGE_SIZE);
	kunmap_atomic(m, kaddr);
	return page;
}

/* The object's page at vmf->pgoff, referenced for the caller's pte (cf.
 * shmem_fault, shmem_get_folio_gfp). */
static vm_fault_t shmem_fault(struct machine *m, struct vm_fault *vmf)
{
	struct file *file = vmf->vma->vm_file;
	struct shmem_anon_pages *sp = file->private_data;
	struct page *new, *page, **slot;

	if (vmf->pgoff >= sp->nr_pages)
		return VM_FAULT_SIGBUS;
	new = shmem_alloc_page(m);	/* before the lock; dropped if not needed */
	spin_lock(&sp->lock);
	slot = shmem_slot(m, sp, vmf->pgoff);
	if (!slot || (!*slot && !new)) {
		spin_unlock(&sp->lock);
		if (new)
			put_page(m, new);
		return VM_FAULT_OOM;
	}
	page = *slot;
	if (!page) {
		page = *slot = new;
		new = NULL;
		SetPageSwapBacked(page);
		SetPageUptodate(page);
		page->mapping = file;
		page->index = vmf->pgoff;
		mod_node_stat(m, NR_FILE_PAGES, 1);
		mod_node_stat(m, NR_SHMEM, 1);
	}
	get_page(page);
	vmf->page = page;
	spin_unlock(&sp->lock);
	if (new)
		put_page(m, new);
	return 0;
}

/* The last VMA went: the object's pages go (cf. shmem_evict_inode). */
static void shmem_release(struct machine *m, struct file *file)
{
	struct shmem_anon_pages *sp = file->private_data;

	for (unsigned long c = 0; sp->chunks && c < sp->nr_chunks; c++) {
		for (unsigned long i = 0; sp->chunks[c] && i < SHMEM_CHUNK; i++) {
			struct page *page = sp->chunks[c][i];

			if (!page)
				continue;
			VM_WARN_ON(m, page_mapcount(page) != 0);
			page->mapping = NULL;
			mod_node_stat(m, NR_FILE_PAGES, -1);
			mod_node_stat(m, NR_SHMEM, -1);
			put_page(m, page);
		}
		kfree(m, sp->chunks[c]);
	}
	kfree(m, sp->chunks);
	kfree(m, sp);
	file->private_data = NULL;
}

static const struct file_operations shmem_anon_file_ops = {
	.release = shmem_release,
};

/* shmem's anonymous-mapping operations (cf. shmem_anon_vm_ops): no open or
 * close, so the pieces may merge. */
static const struct vm_operations_struct shmem_anon_vm_ops = {
	.fault = shmem_fault,
};

/**
 * shmem_zero_setup() - give @vma a fresh shmem file of its size
 * @m: the machine
 * @vma: a VM_SHARED anonymous VMA being created
 *
 * Returns 0 or -ENOMEM.
 */
int shmem_zero_setup(struct machine *m, struct vm_area_struct *vma)
{
	unsigned long pages = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	struct file *file;

	/* shmem charges the whole object up front unless VM_NORESERVE
	 * (cf. shmem_acct_size) */
	if (!(vma->vm_flags & VM_NORESERVE) &&
	    security_vm_enough_memory_mm(m, vma->vm_mm, (long)pages))
		return -ENOMEM;
	file = kzalloc(m, sizeof(*file), GFP_KERNEL);
	if (file) {
		struct shmem_anon_pages *sp = kzalloc(m, sizeof(*sp), GFP_KERNEL);

		if (sp) {
			spin_lock_init(&sp->lock);
			sp->nr_pages = pages;
			sp->nr_chunks = (pages + SHMEM_CHUNK - 1) / SHMEM_CHUNK;
			file->private_data = sp;
			file->f_op = &shmem_anon_file_ops;
		} else {
			kfree(m, file);
			file = NULL;
		}
	}
	if (!file) {
		if (!(vma->vm_flags & VM_NORESERVE))
			vm_unacct_memory(m, (long)pages);
		return -ENOMEM;
	}
	if (!(vma->vm_flags & VM_NORESERVE))
		file->f_acct_pages = pages;
	file->f_count = 1;
	file->f_mode = FMODE_READ | FMODE_WRITE;
	file->f_ino = __atomic_add_fetch(&m->vm.next_shmem_ino, 1, __ATOMIC_RELAXED);
	file->f_dev = MKDEV(0, 1);	/* the shm_mnt tmpfs */
	file->f_size = vma->vm_end - vma->vm_start;
	mm_memcpy(file->f_path, "/dev/zero (deleted)", sizeof("/dev/zero (deleted)"));
	vma->vm_file = file;
	vma->vm_ops = &shmem_anon_vm_ops;
	return 0;
}
