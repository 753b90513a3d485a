/* The memory-management part of start_kernel (cf. init/main.c):
 * setup_arch -> free_area_init -> mem_init -> per-zone watermarks.
 * After it, the buddy allocator owns every free page and boot memory is gone. */
#include "internal.h"

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
	ret = free_area_init(m);
	if (ret)
		return ret;
	ret = mem_init(m);
	if (ret)
		return ret;
	setup_per_zone_wmarks(m);
	m->booted = true;
	if (m->debug_vm && mmkit_check(m))
		return -EUCLEAN;
	return 0;
}
