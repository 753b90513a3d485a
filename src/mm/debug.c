/* The invariant checkers (cf. CONFIG_DEBUG_VM): mmkit_check() runs every
 * subsystem's checker and adds up the violations each reports in the log.
 * A subsystem adds its checker to the table below. */
#include "internal.h"

#include "arch/x86/pgtable.h"
#include "mm/memory.h"
#include "mm/vma.h"

static const mmkit_checker_fn checkers[] = {
	check_page_alloc,
	check_slab,
	check_pgtables,
	check_vmalloc,
	check_highmem,
	check_vmas,
	check_user_memory,
	check_page_cache,
	check_lru,
};

int mmkit_check(struct machine *m)
{
	int bad = 0;

	if (!m->booted && !m->mem_map)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(checkers); i++)
		bad += checkers[i](m);
	return bad;
}
