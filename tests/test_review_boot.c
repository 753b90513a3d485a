/* Regression tests from the review of boot, the page allocator and its
 * /proc views: MemAvailable counts reclaimable slab in pages (as Linux's
 * si_mem_available does), and the per-CPU page lists stay within the
 * machine's CPUs even for a machine_desc built in C with no CPU count or
 * more CPUs than NR_CPUS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mm/page_alloc.h"

/* si_mem_available(): free - totalreserve + pagecache' + reclaimable', where
 * reclaimable = SReclaimable pages + misc, less min(half of it, sum of the
 * low watermarks). mmkit keeps SReclaimable in pages, as /proc/meminfo
 * prints it. */
static void test_mem_available_counts_reclaimable_slab_pages(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "review_rec", 1024, 0, SLAB_RECLAIM_ACCOUNT, NULL);
	unsigned long wmark_low = 0, slab;
	void *objs[64];
	long avail;

	(void)state;
	assert_non_null(c);
	for (int i = 0; i < 64; i++)
		assert_non_null(objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL));
	slab = node_page_state(&m->node, NR_SLAB_RECLAIMABLE_B);
	assert_true(slab >= 16);	/* 64 KiB of objects */
	assert_int_equal(meminfo_kb(m, "SReclaimable:"), slab * 4);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		wmark_low += low_wmark_pages(&m->node.node_zones[z]);
	avail = (long)nr_free_pages(m) - (long)m->node.totalreserve_pages;
	avail += (long)(slab - (slab / 2 < wmark_low ? slab / 2 : wmark_low));
	assert_int_equal(si_mem_available(m), avail);
	assert_int_equal(meminfo_kb(m, "MemAvailable:"), avail * 4);
	for (int i = 0; i < 64; i++)
		kmem_cache_free(m, c, objs[i]);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static struct machine *boot_with_cpus(unsigned int nr_cpus)
{
	struct machine *m = test_machine_new(MMKIT_ARCH_I386, true, qemu_128m, QEMU_128M_ENTRIES, NULL);

	m->desc.nr_cpus = nr_cpus;
	assert_int_equal(mmkit_boot(m), 0);
	return m;
}

static void assert_pcp_empty(struct machine *m)
{
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
			assert_int_equal(m->node.node_zones[z].pageset[cpu].count, 0);
}

/* With desc.nr_cpus 0 the pages still go through CPU 0's list, so
 * drain_all_pages must drain that list. */
static void test_drain_all_pages_drains_cpu0_when_nr_cpus_is_zero(void **state)
{
	struct machine *m = boot_with_cpus(0);
	unsigned long free0;
	struct page *page;

	(void)state;
	drain_all_pages(m);
	assert_pcp_empty(m);
	free0 = nr_free_pages(m);
	page = alloc_pages(m, GFP_KERNEL, 0);
	assert_non_null(page);
	__free_pages(m, page, 0);
	drain_all_pages(m);
	assert_pcp_empty(m);
	assert_int_equal(nr_free_pages(m), free0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* More CPUs than zone->pageset has: a CPU past NR_CPUS uses CPU 0's list,
 * drain_all_pages drains every list, /proc/zoneinfo shows NR_CPUS lists. */
static void test_pcp_lists_stop_at_nr_cpus_limit(void **state)
{
	struct machine *m = boot_with_cpus(NR_CPUS + 8);
	unsigned long free0;
	struct page *page;
	char *text, last[32], past[32];

	(void)state;
	drain_all_pages(m);
	free0 = nr_free_pages(m);
	mmkit_set_cpu(NR_CPUS + 4);
	page = alloc_pages(m, GFP_KERNEL, 0);
	assert_non_null(page);
	__free_pages(m, page, 0);
	assert_true(m->node.node_zones[page_zonenum(page)].pageset[0].count > 0);
	mmkit_set_cpu(0);
	drain_all_pages(m);
	assert_pcp_empty(m);
	assert_int_equal(nr_free_pages(m), free0);
	text = test_proc(m, "/proc/zoneinfo");
	snprintf(last, sizeof(last), "cpu: %d\n", NR_CPUS - 1);
	snprintf(past, sizeof(past), "cpu: %d\n", NR_CPUS);
	assert_non_null(strstr(text, last));
	assert_null(strstr(text, past));
	free(text);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mem_available_counts_reclaimable_slab_pages),
		cmocka_unit_test(test_drain_all_pages_drains_cpu0_when_nr_cpus_is_zero),
		cmocka_unit_test(test_pcp_lists_stop_at_nr_cpus_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
