/* Zones: which exist per kernel config, their spans and sizes, the boot log
 * of free_area_init and mem_init, mem_map's initial state, the zonelists'
 * fallback order and where each gfp zone modifier places pages. */
#include "test_page_alloc.h"

#define X86_64_SMALL                                                     \
	"arch x86_64\ncpus 2\n"                                          \
	"e820 0 0x9fc00 usable\n"                                        \
	"e820 0x9fc00 0x60400 reserved\n"                                \
	"e820 0x100000 0x7ef0000 usable\n"                               \
	"e820 0x100000000 0x4000000 usable\n"

static void test_i386_configures_dma_normal_highmem_movable(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_true(zone_of(m, ZONE_DMA)->configured);
	assert_false(zone_of(m, ZONE_DMA32)->configured);
	assert_true(zone_of(m, ZONE_NORMAL)->configured);
	assert_true(zone_of(m, ZONE_HIGHMEM)->configured);
	assert_true(zone_of(m, ZONE_MOVABLE)->configured);
	assert_false(zone_of(m, ZONE_DEVICE)->configured);
	assert_int_equal(zone_config_idx(m, ZONE_HIGHMEM), 2);
	assert_int_equal(zone_config_idx(m, ZONE_MOVABLE), 3);
	mmkit_machine_destroy(m);
}

static void test_i386_without_highmem_has_no_highmem_zone(void **state)
{
	struct machine *m = test_boot_example("pc-i386-64m");
	struct machine *n = test_boot_text("arch i386\nhighmem no\n"
					   "e820 0 0x9f000 usable\ne820 0x100000 0x3f00000 usable\n");

	(void)state;
	assert_true(zone_of(m, ZONE_HIGHMEM)->configured);
	assert_false(zone_of(n, ZONE_HIGHMEM)->configured);
	assert_int_equal(zone_config_idx(n, ZONE_MOVABLE), 2);
	assert_false(test_log_contains(n, "HighMem"));
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(n);
}

/* The default PC: RAM 0-0x9f (pfns), 0x100-0x7fe0. DMA spans [0, 0x1000)
 * with the 0x9f-0x100 hole (97 pages); Normal [0x1000, 0x7fe0). */
static void test_default_zone_spans_and_present_pages(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *dma = zone_of(m, ZONE_DMA), *normal = zone_of(m, ZONE_NORMAL);

	(void)state;
	assert_int_equal(dma->zone_start_pfn, 0);
	assert_int_equal(dma->spanned_pages, 0x1000);
	assert_int_equal(dma->present_pages, 0x1000 - 97);
	assert_int_equal(normal->zone_start_pfn, 0x1000);
	assert_int_equal(normal->spanned_pages, 0x7fe0 - 0x1000);
	assert_int_equal(normal->present_pages, 0x7fe0 - 0x1000);
	assert_int_equal(zone_of(m, ZONE_HIGHMEM)->spanned_pages, 0);
	assert_int_equal(m->node.node_present_pages, dma->present_pages + normal->present_pages);
	for (unsigned long pfn = 0; pfn < m->max_pfn; pfn++)
		assert_int_equal(page_is_ram(m, pfn), pfn < 0x9f || pfn >= 0x100);
	mmkit_machine_destroy(m);
}

static void test_i386_boot_log_zone_ranges(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_true(test_log_contains(m,
		"] Zone ranges:\n"
		"[    0.000000]   DMA      [mem 0x0000000000000000-0x0000000000ffffff]\n"
		"[    0.000000]   Normal   [mem 0x0000000001000000-0x0000000007fdffff]\n"
		"[    0.000000]   HighMem  empty\n"
		"[    0.000000] Movable zone start for each node\n"
		"[    0.000000] Early memory node ranges\n"
		"[    0.000000]   node   0: [mem 0x0000000000000000-0x000000000009efff]\n"
		"[    0.000000]   node   0: [mem 0x0000000000100000-0x0000000007fdffff]\n"
		"[    0.000000] Initmem setup node 0 [mem 0x0000000000000000-0x0000000007fdffff]\n"
		"[    0.000000] On node 0, zone DMA: 97 pages in unavailable ranges\n"));
	mmkit_machine_destroy(m);
}

/* x86_64: Device is printed (empty), Movable is not. SPARSEMEM counts
 * only holes inside 128 MiB sections that hold RAM: of 0x7ff0-0x100000
 * (charged to Normal, the zone of the RAM after it) the 16 pages of
 * section 0; then the rest of the last section, 0x104000-0x108000. */
static void test_x86_64_boot_log_zone_ranges(void **state)
{
	struct machine *m = test_boot_text(X86_64_SMALL);

	(void)state;
	assert_true(test_log_contains(m,
		"] Zone ranges:\n"
		"[    0.000000]   DMA      [mem 0x0000000000000000-0x0000000000ffffff]\n"
		"[    0.000000]   DMA32    [mem 0x0000000001000000-0x00000000ffffffff]\n"
		"[    0.000000]   Normal   [mem 0x0000000100000000-0x0000000103ffffff]\n"
		"[    0.000000]   Device   empty\n"
		"[    0.000000] Movable zone start for each node\n"
		"[    0.000000] Early memory node ranges\n"
		"[    0.000000]   node   0: [mem 0x0000000000000000-0x000000000009efff]\n"
		"[    0.000000]   node   0: [mem 0x0000000000100000-0x0000000007feffff]\n"
		"[    0.000000]   node   0: [mem 0x0000000100000000-0x0000000103ffffff]\n"
		"[    0.000000] Initmem setup node 0 [mem 0x0000000000000000-0x0000000103ffffff]\n"
		"[    0.000000] On node 0, zone DMA: 97 pages in unavailable ranges\n"
		"[    0.000000] On node 0, zone Normal: 16 pages in unavailable ranges\n"
		"[    0.000000] On node 0, zone Normal: 16384 pages in unavailable ranges\n"));
	assert_int_equal(zone_of(m, ZONE_DMA32)->spanned_pages, 0x100000 - 0x1000);
	assert_int_equal(zone_of(m, ZONE_DMA32)->present_pages, 0x7ff0 - 0x1000);
	assert_int_equal(zone_of(m, ZONE_NORMAL)->zone_start_pfn, 0x100000);
	assert_int_equal(zone_of(m, ZONE_NORMAL)->present_pages, 0x4000);
	assert_true(zone_of(m, ZONE_DEVICE)->configured);
	assert_false(zone_of(m, ZONE_HIGHMEM)->configured);
	mmkit_machine_destroy(m);
}

/* 2 GiB i386: HighMem from max_low_pfn (896 MiB = 0x38000) to max_pfn. */
static void test_highmem_zone_above_max_low_pfn(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct zone *high = zone_of(m, ZONE_HIGHMEM);

	(void)state;
	assert_int_equal(m->max_low_pfn, 0x38000);
	assert_int_equal(high->zone_start_pfn, 0x38000);
	assert_int_equal(zone_end_pfn(high), m->max_pfn);
	assert_int_equal(high->managed_pages, high->present_pages);
	assert_int_equal(m->totalhigh_pages, high->managed_pages);
	assert_true(test_log_contains(m, "  HighMem  [mem 0x0000000038000000-0x000000007ffdffff]\n"));
	mmkit_machine_destroy(m);
}

static void test_pae_hole_is_an_unavailable_highmem_range(void **state)
{
	struct machine *m = test_boot_example("pc-i386-pae-8g");
	struct zone *high = zone_of(m, ZONE_HIGHMEM);

	(void)state;
	assert_int_equal(high->spanned_pages, 0x240000 - 0x38000);
	assert_int_equal(high->present_pages, high->spanned_pages - (0x100000 - 0xbffe0));
	assert_true(test_log_contains(m, "On node 0, zone HighMem: 262176 pages in unavailable "
					 "ranges\n"));
	mmkit_machine_destroy(m);
}

/* Memory: free/present, the image's sections from m->kimage, reserved =
 * present - totalram, and highmem only with CONFIG_HIGHMEM. */
static void test_memory_line_from_live_counts(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct machine *x = test_boot_text(X86_64_SMALL);
	const char *line = strstr(mmkit_log_text(m, NULL), "Memory: ");
	unsigned long avail, phys, reserved, high;
	char want[256];

	(void)state;
	assert_non_null(line);
	assert_int_equal(sscanf(line, "Memory: %luK/%luK available", &avail, &phys), 2);
	/* free pages when mem_init printed: all managed pages, bar none yet */
	assert_int_equal(avail, m->totalram_pages * 4);
	assert_int_equal(phys, m->node.node_present_pages * 4);
	reserved = (m->node.node_present_pages - m->totalram_pages) * 4;
	high = m->totalhigh_pages * 4;
	snprintf(want, sizeof(want),
		 " available (2048K kernel code, 512K rwdata, 512K rodata, 0K init, 256K bss, "
		 "%luK reserved, 0K cma-reserved, %luK highmem)\n", reserved, high);
	assert_memory_equal(strstr(line, " available"), want, strlen(want));
	assert_int_equal(m->reserved_pages, m->node.node_present_pages - m->totalram_pages);
	/* x86_64 has no CONFIG_HIGHMEM: the line ends at cma-reserved */
	assert_true(test_log_contains(x, "K cma-reserved)\n"));
	assert_false(test_log_contains(x, "highmem)"));
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(x);
}

static void test_totalram_is_the_sum_of_managed(void **state)
{
	struct machine *m = test_boot_example("pc-i386-pae-8g");
	unsigned long sum = 0;

	(void)state;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		sum += zone_of(m, z)->managed_pages;
		assert_true(zone_of(m, z)->managed_pages <= zone_of(m, z)->present_pages);
	}
	assert_int_equal(m->totalram_pages, sum);
	mmkit_machine_destroy(m);
}

/* Holes, the kernel image and mem_map itself stay reserved, refcount 1;
 * every page knows its zone. */
static void test_mem_map_initial_state(void **state)
{
	struct machine *m = test_boot_default();
	struct page *hole = pfn_to_page(m, 0xa0), *text = pfn_to_page(m, PFN_DOWN(m->kimage.text));
	struct page *map = pfn_to_page(m, PFN_DOWN(m->mem_map_phys));

	(void)state;
	assert_true(PageReserved(hole) && page_count(hole) == 1 && page_mapcount(hole) == 0);
	assert_true(PageReserved(text) && PageReserved(map));
	assert_int_equal(page_zonenum(hole), ZONE_DMA);
	assert_int_equal(page_zonenum(pfn_to_page(m, 0x1000)), ZONE_NORMAL);
	assert_true(m->mem_map_phys >= SZ_16M);	/* placed above ZONE_DMA */
	for (unsigned long pfn = 0; pfn < m->max_pfn; pfn++) {
		struct page *p = pfn_to_page(m, pfn);

		if (!PageReserved(p) && !PageBuddy(p) && page_count(p) == 0)
			assert_true(zone_spans_pfn(page_zone(m, p), pfn));
	}
	mmkit_machine_destroy(m);
}

static void assert_zonelist(struct machine *m, int hz, const int *want, int n)
{
	struct zone *const *z = m->node.node_zonelists[hz].zones;

	for (int i = 0; i < n; i++)
		assert_ptr_equal(z[i], zone_of(m, want[i]));
	assert_null(z[n]);
}

static void test_zonelists_fall_back_highmem_normal_dma32_dma(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct machine *x = test_boot_text(X86_64_SMALL);

	(void)state;
	assert_zonelist(m, ZONE_HIGHMEM, (const int[]){ ZONE_HIGHMEM, ZONE_NORMAL, ZONE_DMA }, 3);
	assert_zonelist(m, ZONE_MOVABLE, (const int[]){ ZONE_HIGHMEM, ZONE_NORMAL, ZONE_DMA }, 3);
	assert_zonelist(m, ZONE_NORMAL, (const int[]){ ZONE_NORMAL, ZONE_DMA }, 2);
	assert_zonelist(m, ZONE_DMA, (const int[]){ ZONE_DMA }, 1);
	assert_zonelist(x, ZONE_NORMAL, (const int[]){ ZONE_NORMAL, ZONE_DMA32, ZONE_DMA }, 3);
	assert_zonelist(x, ZONE_DMA32, (const int[]){ ZONE_DMA32, ZONE_DMA }, 2);
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(x);
}

static void test_gfp_zone_per_config(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct machine *x = test_boot_text(X86_64_SMALL);

	(void)state;
	assert_int_equal(gfp_zone(m, GFP_KERNEL), ZONE_NORMAL);
	assert_int_equal(gfp_zone(m, GFP_DMA), ZONE_DMA);
	assert_int_equal(gfp_zone(m, GFP_HIGHUSER), ZONE_HIGHMEM);
	assert_int_equal(gfp_zone(m, GFP_HIGHUSER_MOVABLE), ZONE_MOVABLE);
	assert_int_equal(gfp_zone(m, GFP_KERNEL | __GFP_DMA32), ZONE_NORMAL);
	assert_int_equal(gfp_zone(x, GFP_KERNEL | __GFP_DMA32), ZONE_DMA32);
	assert_int_equal(gfp_zone(x, GFP_HIGHUSER), ZONE_NORMAL);
	assert_int_equal(gfp_zone(x, __GFP_MOVABLE | __GFP_DMA32), ZONE_DMA32);
	assert_int_equal(gfp_zone(m, __GFP_DMA | __GFP_HIGHMEM), -EINVAL);
	assert_int_equal(gfp_zone(m, __GFP_DMA | __GFP_DMA32), -EINVAL);
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(x);
}

static void test_placement_by_zone_modifier(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct machine *x = test_boot_text(X86_64_SMALL);
	struct page *dma = alloc_page(m, GFP_KERNEL | __GFP_DMA);
	struct page *high = alloc_page(m, GFP_HIGHUSER);
	struct page *low = alloc_page(m, GFP_KERNEL);
	struct page *d32 = alloc_pages(x, GFP_KERNEL | __GFP_DMA32, 2);
	struct page *norm = alloc_page(x, GFP_KERNEL);

	(void)state;
	assert_true(page_to_pfn(m, dma) < 0x1000);
	assert_int_equal(page_zonenum(high), ZONE_HIGHMEM);
	assert_null(page_address(m, high));
	assert_int_equal(page_zonenum(low), ZONE_NORMAL);
	assert_true(page_to_pfn(m, low) < m->max_low_pfn);
	assert_int_equal(page_zonenum(d32), ZONE_DMA32);
	assert_true(page_to_pfn(x, d32) < (1UL << 20));
	assert_int_equal(page_zonenum(norm), ZONE_NORMAL);
	assert_true(page_to_pfn(x, norm) >= (1UL << 20));
	assert_int_equal(vm_event(m, PGALLOC_DMA), 1);
	assert_int_equal(vm_event(m, PGALLOC_HIGH), 1);
	__free_page(m, dma);
	__free_page(m, high);
	__free_page(m, low);
	__free_pages(x, d32, 2);
	__free_page(x, norm);
	test_assert_clean(m);
	test_assert_clean(x);
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(x);
}

/* With ZONE_NORMAL empty, GFP_KERNEL falls back to ZONE_DMA; __GFP_DMA
 * never goes up to Normal. */
static void test_fallback_to_dma_when_normal_is_empty(void **state)
{
	struct machine *m = test_boot_default();
	struct held_blocks h = { 0 };
	struct page *p;

	(void)state;
	zone_isolate(m, zone_of(m, ZONE_NORMAL), &h);
	p = alloc_page(m, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(page_zonenum(p), ZONE_DMA);
	__free_page(m, p);
	held_release(m, &h);
	zone_isolate(m, zone_of(m, ZONE_DMA), &h);
	assert_null(alloc_page(m, GFP_KERNEL | __GFP_DMA | __GFP_NOWARN));
	held_release(m, &h);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_highuser_falls_back_below_highmem(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct held_blocks h = { 0 };
	struct page *p;

	(void)state;
	zone_isolate(m, zone_of(m, ZONE_HIGHMEM), &h);
	p = alloc_page(m, GFP_HIGHUSER);
	assert_int_equal(page_zonenum(p), ZONE_NORMAL);
	__free_page(m, p);
	held_release(m, &h);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i386_configures_dma_normal_highmem_movable),
		cmocka_unit_test(test_i386_without_highmem_has_no_highmem_zone),
		cmocka_unit_test(test_default_zone_spans_and_present_pages),
		cmocka_unit_test(test_i386_boot_log_zone_ranges),
		cmocka_unit_test(test_x86_64_boot_log_zone_ranges),
		cmocka_unit_test(test_highmem_zone_above_max_low_pfn),
		cmocka_unit_test(test_pae_hole_is_an_unavailable_highmem_range),
		cmocka_unit_test(test_memory_line_from_live_counts),
		cmocka_unit_test(test_totalram_is_the_sum_of_managed),
		cmocka_unit_test(test_mem_map_initial_state),
		cmocka_unit_test(test_zonelists_fall_back_highmem_normal_dma32_dma),
		cmocka_unit_test(test_gfp_zone_per_config),
		cmocka_unit_test(test_placement_by_zone_modifier),
		cmocka_unit_test(test_fallback_to_dma_when_normal_is_empty),
		cmocka_unit_test(test_highuser_falls_back_below_highmem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
