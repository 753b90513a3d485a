/* The heap: brk(2) and the anonymous areas it and the ELF loader's bss
 * make (cf. mm/mmap.c SYSCALL_DEFINE1(brk), do_brk_flags, vm_brk_flags;
 * seed 000: malloc grows the heap with brk below 128 KiB).
 *
 * The heap lives in [start_brk, brk): start_brk is the page-rounded end of
 * the bss, fixed at exec; brk is stored exactly as asked, the mapping
 * covers [start_brk, PAGE_ALIGN(brk)). The raw syscall returns the new
 * break, or the old one whenever it refuses (below start_brk, over
 * RLIMIT_DATA, into the next mapping or its stack guard gap, no memory):
 * the C library turns that into ENOMEM. Shrinking always works and unmaps.
 *
 * Invariant: the heap VMA, if any, is [start_brk, PAGE_ALIGN(brk)) unless
 * the program itself mapped or unmapped parts of it. */
#include "mm/vma.h"

/**
 * do_brk_flags() - map [@addr, @addr + @len) as heap: grow @brkvma when it
 *	ends at @addr and matches, else make a new anonymous VMA
 * @m: the machine
 * @mm: the address space, write-locked
 * @brkvma: the VMA just below @addr (above start_brk), or NULL
 * @addr: page-aligned start; the range must be free
 * @len: page-aligned length
 * @flags: 0 or VM_EXEC
 *
 * Returns 0 or -ENOMEM (RLIMIT_AS/RLIMIT_DATA, vm.max_map_count, commit).
 */
int do_brk_flags(struct machine *m, struct mm_struct *mm, struct vm_area_struct *brkvma,
		 unsigned long addr, unsigned long len, vm_flags_t flags)
{
	struct vm_area_struct *vma;

	flags |= VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT | mm->def_flags;
	if (!may_expand_vm(m, mm, flags, len >> PAGE_SHIFT))
		return -ENOMEM;
	if (mm->map_count > m->vm.sysctl_max_map_count)
		return -ENOMEM;
	if (security_vm_enough_memory_mm(m, mm, (long)(len >> PAGE_SHIFT)))
		return -ENOMEM;
	if (brkvma && brkvma->vm_end == addr) {
		struct vma_merge_struct vmg = {
			.mm = mm, .prev = brkvma, .next = brkvma->vm_next,
			.start = addr, .end = addr + len, .pgoff = addr >> PAGE_SHIFT,
			.flags = flags, .just_expand = true,
		};

		vma = vma_merge_new_range(m, &vmg);
		if (vma)
			goto out;
	}
	vma = vm_area_alloc(m, mm);
	if (!vma) {
		vm_unacct_memory(m, (long)(len >> PAGE_SHIFT));
		return -ENOMEM;
	}
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_pgoff = addr >> PAGE_SHIFT;
	vma->vm_flags = flags;
	vma->vm_page_prot = vm_get_page_prot(m, flags);
	vma_link(m, mm, vma);
out:
	mm->total_vm += len >> PAGE_SHIFT;
	mm->data_vm += len >> PAGE_SHIFT;
	if (flags & VM_LOCKED)
		mm->locked_vm += len >> PAGE_SHIFT;
	return 0;
}

/* Can [addr, addr + len) be mapped, and locked if def_flags says so? */
static int check_brk_limits(struct machine *m, struct mm_struct *mm, unsigned long addr,
			    unsigned long len)
{
	unsigned long mapped = get_unmapped_area(m, mm, NULL, addr, len, 0, MAP_FIXED, 0);

	if (IS_ERR_VALUE(mapped))
		return (int)mapped;
	return mlock_future_ok(m, mm, mm->def_flags, len) ? 0 : -EAGAIN;
}

/**
 * vm_brk_flags() - map anonymous memory at a fixed place, replacing what
 *	is there (the ELF loader's bss; cf. vm_brk_flags)
 * @m: the machine
 * @mm: the address space (not locked by the caller)
 * @addr: page-aligned start
 * @request: bytes, rounded up to pages
 * @flags: 0 or VM_EXEC
 *
 * Returns 0 or -errno.
 */
int vm_brk_flags(struct machine *m, struct mm_struct *mm, unsigned long addr,
		 unsigned long request, vm_flags_t flags)
{
	unsigned long len = PAGE_ALIGN(request);
	struct vm_area_struct *prev;
	int ret;

	if (len < request)
		return -ENOMEM;
	if (!len)
		return 0;
	if (flags & ~VM_EXEC)
		return -EINVAL;
	mmap_write_lock(mm);
	ret = check_brk_limits(m, mm, addr, len);
	if (!ret)
		ret = do_munmap(m, mm, addr, len);
	if (!ret) {
		find_vma_prev(m, mm, addr, &prev);
		ret = do_brk_flags(m, mm, prev, addr, len, flags);
	}
	mmap_write_unlock(mm);
	if (!ret && (mm->def_flags & VM_LOCKED))
		__mm_populate(m, mm, addr, len, true);
	return ret;
}

/* brk() shrinking: unmap [newbrk, oldbrk). Returns 0 or -errno. */
static int brk_shrink(struct machine *m, struct mm_struct *mm, unsigned long newbrk,
		      unsigned long oldbrk)
{
	struct vm_area_struct *brkvma = find_vma(m, mm, newbrk);

	if (!brkvma || brkvma->vm_start >= oldbrk)
		return -ENOMEM;	/* the range holds no mapping at all */
	return do_vmi_align_munmap(m, mm, brkvma, newbrk, oldbrk);
}

/* brk() growing: map [oldbrk, newbrk). Returns 0 or -errno. */
static int brk_grow(struct machine *m, struct mm_struct *mm, unsigned long oldbrk,
		    unsigned long newbrk)
{
	struct vm_area_struct *next, *prev;

	if (check_brk_limits(m, mm, oldbrk, newbrk - oldbrk))
		return -ENOMEM;
	/* Keep a page and any stack's guard gap free above the new break. */
	next = find_vma_intersection(m, mm, oldbrk, newbrk + PAGE_SIZE + m->vm.stack_guard_gap);
	if (next && newbrk + PAGE_SIZE > vm_start_gap(m, next))
		return -ENOMEM;
	next = find_vma_prev(m, mm, oldbrk, &prev);
	if (prev && prev->vm_end <= mm->start_brk)
		prev = NULL;	/* only a VMA of the heap itself may grow */
	return do_brk_flags(m, mm, prev, oldbrk, newbrk - oldbrk, 0);
}

/**
 * sys_brk() - the raw brk(2) syscall
 * @m: the machine
 * @brk: the requested break; 0 (or anything below start_brk) just asks
 *
 * Returns the new break on success and the old one on any failure. With
 * mlockall(MCL_FUTURE) in force the new heap pages are populated.
 */
long sys_brk(struct machine *m, unsigned long brk)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long newbrk, oldbrk, origbrk, rlim;
	bool populate = false;
	int err;

	if (!mm)
		return -ESRCH;
	brk = uword(m, brk);
	mmap_write_lock(mm);
	origbrk = mm->brk;
	if (brk < mm->start_brk)
		goto out;
	rlim = rlimit(m, RLIMIT_DATA);	/* check_data_rlimit */
	if (rlim < RLIM_INFINITY &&
	    (brk - mm->start_brk) + (mm->end_data - mm->start_data) > rlim)
		goto out;
	newbrk = PAGE_ALIGN(brk);
	oldbrk = PAGE_ALIGN(mm->brk);
	if (oldbrk == newbrk) {
		mm->brk = brk;
		goto success;
	}
	if (brk <= mm->brk) {
		mm->brk = brk;
		err = brk_shrink(m, mm, newbrk, oldbrk);
	} else {
		err = brk_grow(m, mm, oldbrk, newbrk);
		populate = !err && (mm->def_flags & VM_LOCKED);
	}
	if (err)
		goto out;
	mm->brk = brk;
success:
	mmap_write_unlock(mm);
	if (populate)
		__mm_populate(m, mm, oldbrk, newbrk - oldbrk, true);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return (long)brk;
out:
	mm->brk = origbrk;
	mmap_write_unlock(mm);
	return (long)origbrk;
}
