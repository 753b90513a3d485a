/* /proc/PID/maps: one line per VMA of a process (cf. fs/proc/task_mmu.c
 * show_map_vma, show_vma_header_prefix, get_vma_name).
 *
 *   start-end perms offset major:minor inode   [padding] name
 *
 * Addresses are at least 8 hex digits; perms are r/w/x and p (private) or
 * s (VM_MAYSHARE); offset (8 hex digits), device and inode are the file's,
 * zeros for anonymous memory. The header is padded to 25 + 6 *
 * sizeof(void *) - 1 columns (72 on x86_64, 48 on i386) before " name", so
 * on x86_64 a name starts at column 74; a line without a name ends in the
 * header's trailing space. Names: the file's path, else [heap] for a VMA
 * overlapping [start_brk, brk), [stack] for the one holding start_stack;
 * x86_64 adds the [vsyscall] gate page last. */
#include <stdio.h>

#include "mm/vma.h"
#include "proc/seq.h"

static const char *vma_name(const struct vm_area_struct *vma)
{
	const struct mm_struct *mm = vma->vm_mm;

	if (vma->vm_file)
		return vma->vm_file->f_path;
	if (vma->vm_ops && vma->vm_ops->name)
		return vma->vm_ops->name((struct vm_area_struct *)vma);
	if (vma->vm_start < mm->brk && vma->vm_end > mm->start_brk)
		return "[heap]";
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

static void show_map_line(struct seq_file *s, int width, unsigned long start, unsigned long end,
			  vm_flags_t flags, unsigned long long pgoff, u32 dev, unsigned long ino,
			  const char *name)
{
	char line[128];
	int n;

	n = snprintf(line, sizeof(line), "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu ", start, end,
		     flags & VM_READ ? 'r' : '-', flags & VM_WRITE ? 'w' : '-',
		     flags & VM_EXEC ? 'x' : '-', flags & VM_MAYSHARE ? 's' : 'p', pgoff,
		     MAJOR(dev), MINOR(dev), ino);
	seq_puts(s, line);
	if (name) {
		for (; n < width; n++)
			seq_putc(s, ' ');
		seq_putc(s, ' ');
		seq_puts(s, name);
	}
	seq_putc(s, '\n');
}

/**
 * pid_maps_show() - render /proc/PID/maps of @tsk
 * @s: the output
 * @m: the machine
 * @tsk: the task; a kernel thread (no mm) has an empty file
 */
int pid_maps_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	int width = 25 + (arch_is_64bit(m) ? 8 : 4) * 6 - 1;
	struct mm_struct *mm = tsk->mm;
	struct vm_area_struct *vma;

	if (!mm)
		return 0;
	mmap_read_lock(mm);
	for_each_vma(mm, vma) {
		bool file = vma->vm_file != NULL;

		show_map_line(s, width, vma->vm_start, vma->vm_end, vma->vm_flags,
			      file ? (unsigned long long)vma->vm_pgoff << PAGE_SHIFT : 0,
			      file ? vma->vm_file->f_dev : 0, file ? vma->vm_file->f_ino : 0,
			      vma_name(vma));
	}
	mmap_read_unlock(mm);
	if (arch_is_64bit(m))	/* the gate VMA, vsyscall=xonly */
		show_map_line(s, width, 0xffffffffff600000UL, 0xffffffffff601000UL, VM_EXEC, 0, 0,
			      0, "[vsyscall]");
	return 0;
}
