/* /proc/buddyinfo, /proc/zoneinfo and /proc/meminfo: the structure line by
 * line against the Linux 6.18 reference files (labels, widths, order) and
 * the values against the live allocator state. The reference comes from
 * an x86_64 guest with 2 CPUs, so the x86_64 machine here has 2 CPUs and
 * the same zones; the i386 views differ only where Linux's config does. */
#include "test_page_alloc.h"

/* The text of a view from "Node 0, zone %8s" of zone name to the next zone. */
static char *zone_block(const char *text, const char *name)
{
	char head[64];
	const char *start, *end;
	char *out;

	snprintf(head, sizeof(head), "Node 0, zone %8s\n", name);
	start = strstr(text, head);
	assert_non_null(start);
	end = strstr(start + 1, "Node 0, zone");
	if (!end)
		end = start + strlen(start);
	out = strndup(start, (size_t)(end - start));
	assert_non_null(out);
	return out;
}

/* Remove the lines containing needle. */
static void drop_lines(char *text, const char *needle)
{
	char *p;

	while ((p = strstr(text, needle)) != NULL) {
		char *bol = p, *eol = strchr(p, '\n');

		while (bol > text && bol[-1] != '\n')
			bol--;
		memmove(bol, eol + 1, strlen(eol + 1) + 1);
	}
}

/* ---- buddyinfo ------------------------------------------------------ */

static void test_buddyinfo_matches_reference_format(void **state)
{
	struct machine *x = test_boot_text(X86_64_2CPU);
	char *ours = test_proc(x, "/proc/buddyinfo"), *ref = reference_file("buddyinfo");
	char *a = shape_rjust(ours), *b = shape_rjust(ref);

	(void)state;
	assert_string_equal(a, b);
	free(ours), free(ref), free(a), free(b);
	mmkit_machine_destroy(x);
}

static void test_buddyinfo_values_are_the_free_lists(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 5);
	char *text = test_proc(m, "/proc/buddyinfo");
	const char *line = text;

	(void)state;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = zone_of(m, z);
		char head[64];
		char *end;

		if (!populated_zone(zone))
			continue;
		snprintf(head, sizeof(head), "Node 0, zone %8s ", zone->name);
		assert_memory_equal(line, head, strlen(head));
		line += strlen(head);
		for (int o = 0; o < NR_PAGE_ORDERS; o++) {
			assert_int_equal(strtoul(line, &end, 10), zone->free_area[o].nr_free);
			assert_int_equal(end - line, 6);
			line = end + 1;
		}
		assert_int_equal(*line++, '\n');
	}
	assert_int_equal(*line, '\0');	/* HighMem is empty: not listed */
	__free_pages(m, p, 5);
	free(text);
	mmkit_machine_destroy(m);
}

/* ---- zoneinfo ------------------------------------------------------- */

static void test_zoneinfo_matches_reference_structure(void **state)
{
	struct machine *x = test_boot_text(X86_64_2CPU);
	char *ours = test_proc(x, "/proc/zoneinfo"), *ref = reference_file("zoneinfo");
	char *a = shape_digits(ours), *b = shape_digits(ref);

	(void)state;
	assert_string_equal(a, b);
	free(ours), free(ref), free(a), free(b);
	mmkit_machine_destroy(x);
}

/* i386 without CONFIG_NUMA: the same blocks minus the numa_* and
 * pgpromote_* lines; zones DMA, Normal, HighMem, Movable, so four
 * protection entries; one CPU. */
static void test_zoneinfo_i386_structure(void **state)
{
	struct machine *m = test_boot_default();
	char *ours = test_proc(m, "/proc/zoneinfo"), *ref = reference_file("zoneinfo");
	char *dma = zone_block(ours, "DMA"), *ref_dma = zone_block(ref, "DMA");
	char *movable = zone_block(ours, "Movable"), *ref_movable = zone_block(ref, "Movable");
	char *a, *b;

	(void)state;
	drop_lines(ref_dma, "numa_");
	drop_lines(ref_dma, "pgpromote_");
	*strstr(ref_dma, "    cpu: 1") = '\0';	/* one CPU */
	a = shape_digits(dma);
	b = shape_digits(ref_dma);
	/* 4 protection entries instead of 5 */
	assert_non_null(strstr(a, "protection: (N, N, N, N)\n"));
	drop_lines(a, "protection:");
	drop_lines(b, "protection:");
	assert_memory_equal(a, b, strlen(b));
	free(a), free(b);
	a = shape_digits(movable);
	b = shape_digits(ref_movable);
	drop_lines(a, "protection:");
	drop_lines(b, "protection:");
	assert_string_equal(a, b);
	assert_non_null(strstr(ours, "Node 0, zone  HighMem\n  pages free     0\n"));
	assert_null(strstr(ours, "DMA32"));
	assert_null(strstr(ours, "numa_hit"));
	free(a), free(b), free(ours), free(ref), free(dma), free(ref_dma), free(movable),
		free(ref_movable);
	mmkit_machine_destroy(m);
}

static void test_zoneinfo_values_are_live(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *normal = zone_of(m, ZONE_NORMAL);
	struct page *p = alloc_page(m, GFP_KERNEL);
	char *text = test_proc(m, "/proc/zoneinfo");
	char *blk = zone_block(text, "Normal"), want[64];

	(void)state;
	assert_int_equal(view_value(blk, "pages free"), zone_page_state(normal, NR_FREE_PAGES));
	assert_int_equal(view_value(blk, "\n        min"), min_wmark_pages(normal));
	assert_int_equal(view_value(blk, "\n        low"), low_wmark_pages(normal));
	assert_int_equal(view_value(blk, "\n        high"), high_wmark_pages(normal));
	assert_int_equal(view_value(blk, "\n        promo"), promo_wmark_pages(normal));
	assert_int_equal(view_value(blk, "spanned"), normal->spanned_pages);
	assert_int_equal(view_value(blk, "present"), normal->present_pages);
	assert_int_equal(view_value(blk, "managed"), normal->managed_pages);
	assert_int_equal(view_value(blk, "nr_free_pages"), zone_page_state(normal, NR_FREE_PAGES));
	assert_int_equal(view_value(blk, "count:"), normal->pageset[0].count);
	assert_int_equal(view_value(blk, "batch:"), normal->pageset[0].batch);
	assert_int_equal(view_value(blk, "start_pfn:"), normal->zone_start_pfn);
	snprintf(want, sizeof(want), "protection: (0, 0, %ld, %ld)",
		 normal->lowmem_reserve[ZONE_HIGHMEM], normal->lowmem_reserve[ZONE_MOVABLE]);
	assert_non_null(strstr(blk, want));
	free(blk);
	blk = zone_block(text, "DMA");
	snprintf(want, sizeof(want), "protection: (0, %ld, %ld, %ld)",
		 zone_of(m, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL],
		 zone_of(m, ZONE_DMA)->lowmem_reserve[ZONE_HIGHMEM],
		 zone_of(m, ZONE_DMA)->lowmem_reserve[ZONE_MOVABLE]);
	assert_non_null(strstr(blk, want));
	assert_non_null(strstr(blk, "  per-node stats\n"));	/* the first populated zone */
	assert_int_equal(view_value(blk, "vm stats threshold:"), 2);	/* 2*fls(1)*(1+fls(0)) */
	__free_page(m, p);
	free(blk);
	free(text);
	mmkit_machine_destroy(m);
}

static void test_zoneinfo_numa_counters_count_allocations(void **state)
{
	struct machine *x = test_boot_text(X86_64_2CPU);
	unsigned long hit = zone_numa_event(zone_of(x, ZONE_DMA32), NUMA_HIT);
	struct page *p = alloc_pages(x, GFP_KERNEL | __GFP_DMA32, 1);
	char *text = test_proc(x, "/proc/zoneinfo"), *blk = zone_block(text, "DMA32");

	(void)state;
	assert_int_equal(view_value(blk, "numa_hit"), hit + 1);
	assert_int_equal(view_value(blk, "numa_local"), hit + 1);
	__free_pages(x, p, 1);
	free(blk);
	free(text);
	mmkit_machine_destroy(x);
}

/* ---- meminfo -------------------------------------------------------- */

static void test_meminfo_matches_reference_format(void **state)
{
	struct machine *x = test_boot_text(X86_64_2CPU);
	char *ours = test_proc(x, "/proc/meminfo"), *ref = reference_file("meminfo");
	char *a = shape_rjust(ours), *b = shape_rjust(ref);

	(void)state;
	assert_string_equal(a, b);
	free(ours), free(ref), free(a), free(b);
	mmkit_machine_destroy(x);
}

/* CONFIG_HIGHMEM adds HighTotal, HighFree, LowTotal, LowFree after
 * Mlocked; non-PAE i386 maps with 4 MiB pages (DirectMap4M, 4096 kB huge
 * pages). VmallocTotal's value belongs to the vmalloc layout. */
static void test_meminfo_i386_lines(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct machine *p = test_boot_example("pc-i386-pae-8g");
	char *ours = test_proc(m, "/proc/meminfo"), *pae = test_proc(p, "/proc/meminfo");
	char *ref = reference_file("meminfo"), *a, *b, *dm;

	(void)state;
	assert_non_null(strstr(ours, "Mlocked:               0 kB\nHighTotal:      "));
	assert_non_null(strstr(ours, "\nLowFree:        "));
	assert_non_null(strstr(ours, " kB\nSwapTotal:      "));
	assert_non_null(strstr(ours, "Hugepagesize:       4096 kB\n"));
	assert_non_null(strstr(pae, "Hugepagesize:       2048 kB\n"));
	assert_non_null(strstr(pae, "DirectMap2M:    "));
	dm = strstr(ours, "DirectMap4M:");
	assert_non_null(dm);
	memcpy(dm, "DirectMap2M:", 12);
	for (const char *l = "HighTotal:\0HighFree:\0LowTotal:\0LowFree:\0Hugepagesize:\0VmallocTotal:\0";
	     *l; l += strlen(l) + 1) {
		drop_lines(ours, l);
		drop_lines(ref, l);
	}
	a = shape_rjust(ours);
	b = shape_rjust(ref);
	assert_string_equal(a, b);
	free(a), free(b), free(ours), free(pae), free(ref);
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(p);
}

static void test_meminfo_values_are_live(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct page *hp = alloc_pages(m, GFP_HIGHUSER, 4), *lp = alloc_pages(m, GFP_KERNEL, 3);
	char *text = test_proc(m, "/proc/meminfo");
	unsigned long freehigh = zone_page_state(zone_of(m, ZONE_HIGHMEM), NR_FREE_PAGES);
	unsigned long wmark_low = 0;
	long avail;

	(void)state;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		wmark_low += low_wmark_pages(zone_of(m, z));
	avail = (long)nr_free_pages(m) - (long)m->node.totalreserve_pages;
	{
		unsigned long slab = node_page_state(&m->node, NR_SLAB_RECLAIMABLE_B);	/* pages */

		avail += (long)(slab - (slab / 2 < wmark_low ? slab / 2 : wmark_low));
	}
	assert_int_equal(view_value(text, "MemTotal:"), m->totalram_pages * 4);
	assert_int_equal(view_value(text, "MemFree:"), nr_free_pages(m) * 4);
	assert_int_equal(view_value(text, "MemAvailable:"), avail * 4);
	assert_int_equal(view_value(text, "HighTotal:"), m->totalhigh_pages * 4);
	assert_int_equal(view_value(text, "HighFree:"), freehigh * 4);
	assert_int_equal(view_value(text, "LowTotal:"), (m->totalram_pages - m->totalhigh_pages) * 4);
	assert_int_equal(view_value(text, "LowFree:"), (nr_free_pages(m) - freehigh) * 4);
	assert_int_equal(view_value(text, "CommitLimit:"), m->totalram_pages * 50 / 100 * 4);
	__free_pages(m, hp, 4);
	__free_pages(m, lp, 3);
	free(text);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buddyinfo_matches_reference_format),
		cmocka_unit_test(test_buddyinfo_values_are_the_free_lists),
		cmocka_unit_test(test_zoneinfo_matches_reference_structure),
		cmocka_unit_test(test_zoneinfo_i386_structure),
		cmocka_unit_test(test_zoneinfo_values_are_live),
		cmocka_unit_test(test_zoneinfo_numa_counters_count_allocations),
		cmocka_unit_test(test_meminfo_matches_reference_format),
		cmocka_unit_test(test_meminfo_i386_lines),
		cmocka_unit_test(test_meminfo_values_are_live),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
