/* The memory-management part of start_kernel (cf. init/main.c):
 * setup_arch -> paging_init -> free_area_init -> mem_init ->
 * kmem_cache_init -> vmalloc_init -> per-zone watermarks -> mmap_init.
 * After it, the buddy allocator owns every free page and boot memory is gone. */
#include "internal.h"

#include "arch/x86/pgtable.h"
#include "mm/vma.h"

/**
 * mmkit_boot - boot a powered-off machine (see include/mmkit/mmkit.h)
 * @m: a machine from mmkit_machine_create(), not booted before
 *
 * Returns 0; -EBUSY when m was booted already; the errno of the step that
 * failed, whose reason is in the kernel log; or -EUCLEAN when the invariant
 * checker (m->debug_vm) finds the booted machine inconsistent.
 */
int mmkit_boot(struct machine *m)
{
	int ret;

	if (m->booted || m->ram)
		return -EBUSY;
	pr_notice(m, "Linux version 6.18.0-mmkit (mmkit@localhost) #1 SMP\n");
	pr_notice(m, "Command line: %s\n", m->desc.cmdline);
	ret = setup_arch(m);
	if (ret)
		return ret;
	/* kernel page tables from bootmem, as setup_arch's paging_init does */
	ret = paging_init(m);
	if (ret)
		return ret;
	ret = free_area_init(m);
	if (ret)
		return ret;
	ret = mem_init(m);
	if (ret)
		return ret;
	ret = kmem_cache_init(m);
	if (ret)
		return ret;
	print_kernel_vm_layout(m);
	ret = vmalloc_init(m);
	if (ret)
		return ret;
	setup_per_zone_wmarks(m);
	mmap_init(m);
	ret = vfs_caches_init(m);	/* the simulated file system (src/mm/fs.c) */
	if (ret)
		return ret;
	m->booted = true;
	if (m->debug_vm && mmkit_check(m))
		return -EUCLEAN;
	return 0;
}
