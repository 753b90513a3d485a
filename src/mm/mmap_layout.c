/* Where mappings go: the user address-space layout and the search for a
 * free range (cf. arch/x86/mm/mmap.c, arch/x86/kernel/sys_x86_64.c,
 * mm/mmap.c __get_unmapped_area, mm/huge_memory.c thp_get_unmapped_area).
 *
 * Layout (no randomization, as with `setarch -R`): user space ends at
 * TASK_SIZE (i386: PAGE_OFFSET, 0xC0000000 for the 3G/1G split; x86_64:
 * 2^47 - 4 KiB). The stack sits at the top; mmap_base is below it by the
 * stack rlimit plus stack_guard_gap, at least 128 MiB and at most 5/6 of
 * TASK_SIZE, and mappings are placed top-down from there. The legacy
 * layout (vm.legacy_va_layout or ADDR_COMPAT_LAYOUT) places them bottom-up
 * from TASK_UNMAPPED_BASE = TASK_SIZE / 3.
 *
 * Invariant: an address this file hands out is page-aligned, at or above
 * vm.mmap_min_addr (or the caller may map there), and [addr, addr + len)
 * lies below TASK_SIZE and outside every VMA and stack guard gap. */
#include "mm/vma.h"

/**
 * arch_is_64bit() - does the machine run a 64-bit (x86_64) kernel?
 * @m: the machine
 */
bool arch_is_64bit(const struct machine *m)
{
	return m->desc.arch == MMKIT_ARCH_X86_64;
}

/**
 * arch_task_size() - TASK_SIZE: the end of user space
 * @m: the machine
 */
unsigned long arch_task_size(const struct machine *m)
{
	if (arch_is_64bit(m))
		return (1UL << 47) - PAGE_SIZE;
	return m->arch.page_offset ? (unsigned long)m->arch.page_offset : 0xC0000000UL;
}

/**
 * arch_default_map_window() - DEFAULT_MAP_WINDOW: the top of the 47-bit
 *	(4-level) address space on x86_64; TASK_SIZE on i386
 * @m: the machine
 */
unsigned long arch_default_map_window(const struct machine *m)
{
	return arch_task_size(m);
}

/* CONFIG_TRANSPARENT_HUGEPAGE: x86 offers it with 64-bit or PAE tables. */
static bool thp_configured(const struct machine *m)
{
	return m->desc.arch != MMKIT_ARCH_I386;
}

static bool mmap_is_legacy(struct machine *m)
{
	struct task_struct *tsk = get_current(m);

	if (tsk && (tsk->personality & ADDR_COMPAT_LAYOUT))
		return true;
	return m->vm.sysctl_legacy_va_layout;
}

/* The top of the top-down area: below the stack's reserve (cf. mmap_base). */
static unsigned long mmap_base(struct machine *m, unsigned long task_size,
			       const struct rlimit *rlim_stack)
{
	unsigned long gap = rlim_stack->rlim_cur;
	unsigned long pad = m->vm.stack_guard_gap;	/* + stack_maxrandom_size: 0 */
	unsigned long gap_min = SIZE_128M, gap_max = task_size / 6 * 5;

	if (gap + pad > gap)
		gap += pad;
	if (gap < gap_min)
		gap = gap_min;
	else if (gap > gap_max)
		gap = gap_max;
	return PAGE_ALIGN(task_size - gap);
}

/**
 * arch_pick_mmap_layout() - choose top-down or legacy placement for @mm
 * @m: the machine
 * @mm: a new address space
 * @rlim_stack: the stack rlimit the new program runs with
 */
void arch_pick_mmap_layout(struct machine *m, struct mm_struct *mm, const struct rlimit *rlim_stack)
{
	unsigned long task_size = mm->task_size;

	mm->mmap_legacy_base = PAGE_ALIGN(task_size / 3);	/* TASK_UNMAPPED_BASE */
	if (mmap_is_legacy(m)) {
		mm->flags &= ~(1UL << MMF_TOPDOWN);
		mm->mmap_base = mm->mmap_legacy_base;
	} else {
		mm->flags |= 1UL << MMF_TOPDOWN;
		mm->mmap_base = mmap_base(m, task_size, rlim_stack);
	}
}

/* Is a hint usable: inside user space, not straddling the 47-bit window? */
static bool mmap_address_hint_valid(struct machine *m, struct mm_struct *mm,
				    unsigned long addr, unsigned long len)
{
	unsigned long window = arch_default_map_window(m);

	if (mm->task_size - len < addr)
		return false;
	return (addr > window) == (addr + len > window);
}

/* Bottom-up placement (cf. x86 arch_get_unmapped_area, find_start_end). */
static unsigned long arch_get_unmapped_area(struct machine *m, struct mm_struct *mm,
					    unsigned long addr, unsigned long len,
					    unsigned long flags)
{
	struct vm_unmapped_area_info info = { 0 };
	struct vm_area_struct *vma;
	unsigned long begin, end;

	if (flags & MAP_FIXED)
		return addr;
	if (arch_is_64bit(m) && (flags & MAP_32BIT)) {
		begin = 0x40000000;
		end = 0x80000000;
	} else {
		begin = mm->mmap_legacy_base;
		end = mm->task_size;
	}
	if (len > end)
		return -ENOMEM;
	if (addr) {
		addr = PAGE_ALIGN(addr);
		vma = find_vma(m, mm, addr);
		if (end - len >= addr && (!vma || addr + len <= vm_start_gap(m, vma)))
			return addr;
	}
	info.length = len;
	info.low_limit = begin;
	info.high_limit = end;
	return vm_unmapped_area(m, mm, &info);
}

/* Top-down placement with the bottom-up fallback (cf. x86
 * arch_get_unmapped_area_topdown). */
static unsigned long arch_get_unmapped_area_topdown(struct machine *m, struct mm_struct *mm,
						    unsigned long addr0, unsigned long len,
						    unsigned long flags)
{
	struct vm_unmapped_area_info info = { 0 };
	struct vm_area_struct *vma;
	unsigned long addr = addr0;

	if (len > mm->task_size)
		return -ENOMEM;
	if (flags & MAP_FIXED)
		return addr;
	if (arch_is_64bit(m) && (flags & MAP_32BIT))
		goto bottomup;
	if (addr) {
		addr &= PAGE_MASK;
		if (mmap_address_hint_valid(m, mm, addr, len)) {
			vma = find_vma(m, mm, addr);
			if (!vma || addr + len <= vm_start_gap(m, vma))
				return addr;
		}
	}
	info.flags = VM_UNMAPPED_AREA_TOPDOWN;
	info.length = len;
	info.low_limit = PAGE_SIZE;
	info.high_limit = mm->mmap_base;
	addr = vm_unmapped_area(m, mm, &info);
	if (!offset_in_page(addr))
		return addr;
bottomup:
	/* A failed mmap() very likely kills the program: try bottom-up. */
	return arch_get_unmapped_area(m, mm, addr0, len, flags);
}

static unsigned long mm_get_unmapped_area(struct machine *m, struct mm_struct *mm,
					  unsigned long addr, unsigned long len,
					  unsigned long flags)
{
	if (mm->flags & (1UL << MMF_TOPDOWN))
		return arch_get_unmapped_area_topdown(m, mm, addr, len, flags);
	return arch_get_unmapped_area(m, mm, addr, len, flags);
}

/* Anonymous mappings of a multiple of 2 MiB get a 2 MiB-aligned address on
 * 64-bit kernels, for transparent huge pages (cf. __thp_get_unmapped_area;
 * the file offset is 0 for anonymous memory). Returns 0 to fall back. */
static unsigned long thp_get_unmapped_area(struct machine *m, struct mm_struct *mm,
					   unsigned long addr, unsigned long len,
					   unsigned long flags)
{
	const unsigned long size = PMD_SIZE_THP;
	unsigned long len_pad = len + size, ret, off_sub;

	if (!arch_is_64bit(m) || len < size)
		return 0;
	if (len_pad < len)
		return 0;
	ret = mm_get_unmapped_area(m, mm, addr, len_pad, flags);
	if (IS_ERR_VALUE(ret))
		return 0;
	if (ret == addr)
		return addr;
	off_sub = (0 - ret) & (size - 1);
	if ((mm->flags & (1UL << MMF_TOPDOWN)) && !off_sub)
		return ret + size;
	return ret + off_sub;
}

/**
 * get_unmapped_area() - where a mapping of @len bytes may go
 * @m: the machine
 * @mm: the address space
 * @file: the file to map, or NULL
 * @addr: the hint (the address itself with MAP_FIXED)
 * @len: page-aligned length
 * @pgoff: file offset in pages (ignored for anonymous memory)
 * @flags: MAP_* flags; MAP_FIXED takes @addr as it is
 * @vm_flags: the mapping's vm_flags
 *
 * Returns the address, or -ENOMEM when nothing fits or the range passes
 * TASK_SIZE, -EINVAL for an unaligned MAP_FIXED address, -EPERM below
 * vm.mmap_min_addr without CAP_SYS_RAWIO.
 */
unsigned long get_unmapped_area(struct machine *m, struct mm_struct *mm, struct file *file,
				unsigned long addr, unsigned long len, unsigned long pgoff,
				unsigned long flags, vm_flags_t vm_flags)
{
	(void)pgoff;
	(void)vm_flags;
	if (len > mm->task_size)
		return -ENOMEM;
	if (!file && !(flags & MAP_SHARED) && thp_configured(m) && !addr &&
	    IS_ALIGNED(len, PMD_SIZE_THP)) {
		unsigned long ret = thp_get_unmapped_area(m, mm, addr, len, flags);

		addr = ret ? ret : mm_get_unmapped_area(m, mm, addr, len, flags);
	} else {
		/* files and shmem (MAP_SHARED) have no placement of their own yet */
		addr = mm_get_unmapped_area(m, mm, addr, len, flags);
	}
	if (IS_ERR_VALUE(addr))
		return addr;
	if (addr > mm->task_size - len)
		return -ENOMEM;
	if (offset_in_page(addr))
		return -EINVAL;
	if (addr < m->vm.mmap_min_addr && !capable(m, CAP_SYS_RAWIO))
		return -EPERM;	/* security_mmap_addr: cap_mmap_addr */
	return addr;
}
