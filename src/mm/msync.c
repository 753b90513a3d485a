/* msync(2): write a range of shared file mappings back (cf. mm/msync.c).
 *
 * Only MS_SYNC on a shared file mapping has work to do: the dirty
 * page-cache pages of the range are written to the file and the host file
 * is flushed (vfs_fsync_range; the ptes are already write-protected and
 * the pages dirty through write-notify). MS_ASYNC does nothing (Linux
 * since 2.6.19). The checks: unknown flags or MS_SYNC with MS_ASYNC, or an
 * unaligned start, give -EINVAL; MS_INVALIDATE on locked memory gives
 * -EBUSY; holes give -ENOMEM -- at once with plain MS_ASYNC, after the
 * walk otherwise.
 *
 * Invariant: msync never changes the VMAs. */
#include "mm/vma.h"

/* Walk [start, end) as msync does; returns its result. */
static int msync_walk(struct machine *m, struct mm_struct *mm, unsigned long start,
		      unsigned long end, int flags)
{
	struct vm_area_struct *vma = find_vma(m, mm, start);
	int unmapped_error = 0;

	for (;;) {
		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			if (flags == MS_ASYNC)
				return -ENOMEM;
			start = vma->vm_start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (vma->vm_flags & VM_LOCKED))
			return -EBUSY;
		if ((flags & MS_SYNC) && vma->vm_file && vma->vm_file->f_mapping &&
		    (vma->vm_flags & VM_SHARED)) {
			/* write the range's dirty pages to the file (vfs_fsync_range) */
			long long fstart = (long long)(start - vma->vm_start) +
					   ((long long)vma->vm_pgoff << PAGE_SHIFT);
			long long fend = fstart + (long long)(min(end, vma->vm_end) - start) - 1;
			int err = vfs_fsync_range(m, vma->vm_file, fstart, fend, 1);

			if (err)
				return err;
		}
		start = vma->vm_end;
		if (start >= end)
			return unmapped_error;
		vma = find_vma(m, mm, vma->vm_end);
	}
}

/**
 * sys_msync() - msync(2)
 * @m: the machine
 * @start: page-aligned start
 * @len: length, rounded up; 0 does nothing
 * @flags: MS_ASYNC or MS_SYNC, optionally MS_INVALIDATE
 *
 * Returns 0, -EINVAL, -ENOMEM (a hole, or the length wraps), -EBUSY.
 */
long sys_msync(struct machine *m, unsigned long start, unsigned long len, int flags)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long end;
	long ret;

	if (!mm)
		return -ESRCH;
	start = uword(m, start);
	len = uword(m, len);
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (offset_in_page(start))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = uword(m, (len + ~PAGE_MASK) & PAGE_MASK);
	end = uword(m, start + len);
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	mmap_read_lock(mm);
	ret = msync_walk(m, mm, start, end, flags);
	mmap_read_unlock(mm);
	return ret;
}
