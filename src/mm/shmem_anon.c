/* The object behind MAP_SHARED|MAP_ANONYMOUS: an unlinked shmem file
 * named "/dev/zero (deleted)" (cf. mm/shmem.c shmem_zero_setup,
 * shmem_kernel_file_setup).
 *
 * Each shared anonymous mmap() gets a file of its own, so its VMAs never
 * merge with other mappings, while the pieces of one mapping (after
 * mprotect, munmap, mremap) share it and merge back when their offsets
 * meet, exactly as in Linux. The pages themselves (the shmem page cache)
 * come with the page-cache issue; until then the file has no fault
 * handler.
 *
 * shmem charges the object's size to Committed_AS when it is created (not
 * with MAP_NORESERVE) and uncharges it when the last VMA goes.
 *
 * Invariant: the file's f_count is the number of VMAs that map it. */
#include "mm/vma.h"

/* shmem's anonymous-mapping operations (cf. shmem_anon_vm_ops): no open or
 * close, so the pieces may merge; fault comes with the page cache. */
static const struct vm_operations_struct shmem_anon_vm_ops = {
	.fault = NULL,
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
