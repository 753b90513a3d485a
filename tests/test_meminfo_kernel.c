/* /proc/meminfo's kernel-memory lines follow the live allocators: Slab,
 * SReclaimable and SUnreclaim the slab pages, VmallocTotal/VmallocUsed the
 * vmalloc area, DirectMap* the page sizes paging_init mapped low memory with. */
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static void test_slab_lines_follow_slab_pages(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long unrec0 = meminfo_kb(m, "SUnreclaim:"), rec0 = meminfo_kb(m, "SReclaimable:");
	struct kmem_cache *c = kmem_cache_create(m, "meminfo_test", 1024, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	void *objs[64];

	(void)state;
	assert_non_null(c);
	assert_true(unrec0 > 0);	/* the boot caches (kmem_cache, kmalloc-*) */
	for (int i = 0; i < 64; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL));
	/* 64 objects of 1 KiB need at least 16 pages of slabs */
	assert_true(meminfo_kb(m, "SReclaimable:") >= rec0 + 64);
	assert_int_equal(meminfo_kb(m, "SUnreclaim:"), unrec0);
	assert_int_equal(meminfo_kb(m, "Slab:"),
			 meminfo_kb(m, "SReclaimable:") + meminfo_kb(m, "SUnreclaim:"));
	for (int i = 0; i < 64; i++)
		kmem_cache_free(m, c, objs[i]);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	assert_int_equal(meminfo_kb(m, "SReclaimable:"), rec0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_vmalloc_lines_follow_vmalloc(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long used0 = meminfo_kb(m, "VmallocUsed:");
	void *p;

	(void)state;
	assert_int_equal(meminfo_kb(m, "VmallocTotal:"),
			 (m->pgtables.vmalloc_end - m->pgtables.vmalloc_start) >> 10);
	p = vmalloc(m, 40 * PAGE_SIZE);
	assert_non_null(p);
	assert_int_equal(meminfo_kb(m, "VmallocUsed:"), used0 + 40 * 4);
	vfree(m, p);
	assert_int_equal(meminfo_kb(m, "VmallocUsed:"), used0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_direct_map_covers_low_memory(void **state)
{
	/* i386 2 GiB: the direct map is all of lowmem, 896 MiB; the first 4 MiB
	 * in 4 KiB pages, the rest in 4 MiB pages. */
	struct machine *m = test_boot_example("pc-i386-2g");

	(void)state;
	assert_int_equal(meminfo_kb(m, "DirectMap4k:"), 4096);
	assert_int_equal(meminfo_kb(m, "DirectMap4M:"), 896 * 1024 - 4096);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slab_lines_follow_slab_pages),
		cmocka_unit_test(test_vmalloc_lines_follow_vmalloc),
		cmocka_unit_test(test_direct_map_covers_low_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
