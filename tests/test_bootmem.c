/* The bootmem allocator: init/reserve/free rounding, double reserve,
 * first-fit allocation with alignment and goal, merging of small
 * allocations, zeroing, exhaustion, and its end in free_all_bootmem().
 *
 * Most tests use a bare 16 MiB machine (no setup_arch):
 *
 *   pfn 0x000-0x00f  "kernel"    reserved
 *   pfn 0x010        the bitmap  reserved (0x1000 pages -> 0x200 bytes)
 *   pfn 0x011-0xfff  free
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define NR_PAGES 0x1000UL
#define MAP_PFN 0x10UL
#define FIRST_FREE 0x11UL

static struct machine *bare_machine(void)
{
	struct machine *m = test_machine_new(MMKIT_ARCH_I386, false, NULL, 0, NULL);

	assert_int_equal(machine_ram_reserve(m, PFN_PHYS(NR_PAGES)), 0);
	return m;
}

/* The layout in the file comment. */
static struct machine *bootmem_machine(void)
{
	struct machine *m = bare_machine();

	assert_int_equal(init_bootmem(m, MAP_PFN, NR_PAGES), NR_PAGES / 8);
	free_bootmem(m, 0, PFN_PHYS(NR_PAGES));
	assert_int_equal(reserve_bootmem(m, 0, PFN_PHYS(FIRST_FREE)), 0);
	return m;
}

static phys_addr_t phys_of(struct machine *m, void *p)
{
	assert_non_null(p);
	return (phys_addr_t)((u8 *)p - m->ram);
}

static bool log_has(struct machine *m, const char *s)
{
	return strstr(mmkit_log_text(m, NULL), s) != NULL;
}

/* ---- init, free, reserve ---- */

static void test_bootmap_pages_round_to_longs_and_pages(void **state)
{
	(void)state;
	assert_int_equal(bootmem_bootmap_pages(1), 1);
	assert_int_equal(bootmem_bootmap_pages(0x8000), 1);	/* 4096 bytes */
	assert_int_equal(bootmem_bootmap_pages(0x8001), 2);
	assert_int_equal(bootmem_bootmap_pages(0x38000), 7);	/* 896 MiB */
}

static void test_init_bootmem_starts_all_reserved(void **state)
{
	struct machine *m = bare_machine();

	(void)state;
	/* 100 pages: 13 bytes, rounded to a long: 16 */
	assert_int_equal(init_bootmem(m, MAP_PFN, 100), 16);
	assert_int_equal(m->bdata.bitmap_phys, PFN_PHYS(MAP_PFN));
	assert_int_equal(m->min_low_pfn, MAP_PFN);
	assert_int_equal(m->max_low_pfn, 100);
	for (unsigned long pfn = 0; pfn < 100; pfn++)
		assert_true(bootmem_page_reserved(m, pfn));
	assert_false(bootmem_page_reserved(m, 100));	/* not covered */
	mmkit_machine_destroy(m);
}

static void test_init_bootmem_refuses_a_bitmap_outside_ram(void **state)
{
	struct machine *m = bare_machine();

	(void)state;
	assert_int_equal(init_bootmem(m, NR_PAGES, NR_PAGES), 0);
	assert_false(m->bdata.active);
	mmkit_machine_destroy(m);
}

/* free_bootmem frees only whole pages: [0x1800, 0x4800) frees 2 and 3. */
static void test_free_bootmem_rounds_inward(void **state)
{
	struct machine *m = bare_machine();

	(void)state;
	init_bootmem(m, MAP_PFN, NR_PAGES);
	free_bootmem(m, 0x1800, 0x3000);
	assert_true(bootmem_page_reserved(m, 1));
	assert_false(bootmem_page_reserved(m, 2));
	assert_false(bootmem_page_reserved(m, 3));
	assert_true(bootmem_page_reserved(m, 4));
	mmkit_machine_destroy(m);
}

/* reserve_bootmem takes every page touched: [0x5800, 0x6800) is 5 and 6. */
static void test_reserve_bootmem_rounds_outward(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(reserve_bootmem(m, 0x5800 + PFN_PHYS(0x100), 0x1000), 0);
	assert_false(bootmem_page_reserved(m, 0x104));
	assert_true(bootmem_page_reserved(m, 0x105));
	assert_true(bootmem_page_reserved(m, 0x106));
	assert_false(bootmem_page_reserved(m, 0x107));
	mmkit_machine_destroy(m);
}

static void test_reserving_a_page_twice_is_reported(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(reserve_bootmem(m, 0x205000, 0x2000), 0);
	assert_false(log_has(m, "reserved twice"));
	assert_int_equal(reserve_bootmem(m, 0x206000, 0x2000), 0);
	assert_true(log_has(m, "] hm, page 00206000 reserved twice.\n"));
	assert_false(log_has(m, "page 00207000 reserved twice"));
	assert_true(bootmem_page_reserved(m, 0x207));
	mmkit_machine_destroy(m);
}

static void test_freeing_a_free_page_is_reported(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	free_bootmem(m, 0x300000, 0x1000);
	assert_true(log_has(m, "bootmem: freeing free page 0x300000 (PFN 300)\n"));
	assert_false(bootmem_page_reserved(m, 0x300));
	mmkit_machine_destroy(m);
}

static void test_ranges_beyond_low_memory_are_refused(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(reserve_bootmem(m, PFN_PHYS(NR_PAGES - 1), 0x2000), -EINVAL);
	assert_false(bootmem_page_reserved(m, NR_PAGES - 1));
	assert_true(log_has(m, "bootmem: reserve of [mem 0x00fff000-0x01000fff] outside low memory"));
	free_bootmem(m, 0, PFN_PHYS(NR_PAGES + 1));
	assert_true(bootmem_page_reserved(m, 0));
	assert_int_equal(reserve_bootmem(m, 0x1000, 0), -EINVAL);
	mmkit_machine_destroy(m);
}

/* ---- allocation ---- */

static void test_alloc_is_first_fit_from_the_start(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(phys_of(m, alloc_bootmem_low_pages(m, PAGE_SIZE)), PFN_PHYS(FIRST_FREE));
	assert_int_equal(phys_of(m, alloc_bootmem_low_pages(m, 3 * PAGE_SIZE)),
			 PFN_PHYS(FIRST_FREE + 1));
	assert_int_equal(phys_of(m, alloc_bootmem_low_pages(m, PAGE_SIZE)),
			 PFN_PHYS(FIRST_FREE + 4));
	for (unsigned long pfn = FIRST_FREE; pfn < FIRST_FREE + 5; pfn++)
		assert_true(bootmem_page_reserved(m, pfn));
	assert_false(bootmem_page_reserved(m, FIRST_FREE + 5));
	mmkit_machine_destroy(m);
}

/* A hole left by a reserved page in the middle is skipped, not split. */
static void test_alloc_skips_runs_too_short(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	reserve_bootmem(m, PFN_PHYS(FIRST_FREE + 2), PAGE_SIZE);
	assert_int_equal(phys_of(m, alloc_bootmem_low_pages(m, 3 * PAGE_SIZE)),
			 PFN_PHYS(FIRST_FREE + 3));
	mmkit_machine_destroy(m);
}

static void test_alloc_starts_at_the_goal(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0x800000)), 0x800000);
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0x800000)), 0x801000);
	mmkit_machine_destroy(m);
}

/* The search starts where the last allocation ended when that is further
 * than the goal (bdata->hint_idx): after an allocation at 8M, a request
 * without a goal lands at 8M + 4K, not in the free pages at 0x11000. */
static void test_alloc_continues_after_the_last_allocation(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0x800000)), 0x800000);
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0)), 0x801000);
	/* freeing below the hint moves it back to the freed page */
	free_bootmem(m, 0x800000, PAGE_SIZE);
	assert_int_equal(m->bdata.hint_idx, 0x800);
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0)), 0x800000);
	mmkit_machine_destroy(m);
}

/* Nothing fits above the goal: search again from the start of memory. */
static void test_alloc_falls_back_below_the_goal(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	reserve_bootmem(m, 0xf00000, 0x100000);	/* 15M-16M taken */
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0xf00000)),
			 PFN_PHYS(FIRST_FREE));
	/* a goal beyond low memory is ignored the same way */
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0x40000000)),
			 PFN_PHYS(FIRST_FREE + 1));
	mmkit_machine_destroy(m);
}

static void test_alloc_honours_alignment(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	/* First 64K boundary at or above pfn 0x11 is 0x20000. */
	assert_int_equal(phys_of(m, __alloc_bootmem(m, PAGE_SIZE, 0x10000, 0)), 0x20000);
	assert_int_equal(phys_of(m, __alloc_bootmem(m, 100, 0x200000, 0)), 0x200000);
	assert_int_equal(phys_of(m, __alloc_bootmem(m, 0x10000, 0x400000, 0x500000)), 0x800000);
	mmkit_machine_destroy(m);
}

/* Small allocations share a page: 100 bytes at 0x11000, the next 100 at
 * ALIGN(0x11064, 64) = 0x11080, then 4000 bytes at 0x11100 running into
 * page 0x12, which only now becomes reserved. */
static void test_small_allocations_share_a_page(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(phys_of(m, __alloc_bootmem(m, 100, 64, 0)), 0x11000);
	assert_false(bootmem_page_reserved(m, 0x12));
	assert_int_equal(phys_of(m, __alloc_bootmem(m, 100, 64, 0)), 0x11080);
	assert_false(bootmem_page_reserved(m, 0x12));
	assert_int_equal(phys_of(m, __alloc_bootmem(m, 4000, 64, 0)), 0x11100);
	assert_true(bootmem_page_reserved(m, 0x12));
	assert_false(bootmem_page_reserved(m, 0x13));
	/* a page-aligned request starts on a fresh page */
	assert_int_equal(phys_of(m, __alloc_bootmem(m, 100, PAGE_SIZE, 0)), 0x13000);
	assert_false(log_has(m, "WARNING"));	/* no page was taken twice */
	mmkit_machine_destroy(m);
}

static void test_alloc_returns_zeroed_memory(void **state)
{
	struct machine *m = bootmem_machine();
	u8 *p;

	(void)state;
	memset(m->ram + PFN_PHYS(FIRST_FREE), 0xa5, 3 * PAGE_SIZE);
	p = __alloc_bootmem(m, 2 * PAGE_SIZE + 10, PAGE_SIZE, 0);
	assert_int_equal(phys_of(m, p), PFN_PHYS(FIRST_FREE));
	for (size_t i = 0; i < 2 * PAGE_SIZE + 10; i++)
		assert_int_equal(p[i], 0);
	assert_int_equal(p[2 * PAGE_SIZE + 10], 0xa5);	/* only size bytes */
	mmkit_machine_destroy(m);
}

static void test_alloc_until_exhausted(void **state)
{
	struct machine *m = bootmem_machine();
	unsigned long n = 0;

	(void)state;
	while (__alloc_bootmem_nopanic(m, PAGE_SIZE, PAGE_SIZE, 0))
		n++;
	assert_int_equal(n, NR_PAGES - FIRST_FREE);
	assert_false(log_has(m, "failed"));	/* the nopanic variant is silent */
	assert_null(__alloc_bootmem(m, PAGE_SIZE, PAGE_SIZE, 0));
	assert_true(log_has(m, "] bootmem alloc of 4096 bytes failed!\n"));
	mmkit_machine_destroy(m);
}

static void test_alloc_larger_than_any_free_run_fails(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	reserve_bootmem(m, 0x800000, PAGE_SIZE);
	assert_null(__alloc_bootmem(m, 0x900000, PAGE_SIZE, 0));
	assert_true(log_has(m, "bootmem alloc of 9437184 bytes failed!\n"));
	assert_non_null(__alloc_bootmem(m, 0x7e0000, PAGE_SIZE, 0));
	/* sizes whose page count would wrap must fail, not succeed empty */
	assert_null(__alloc_bootmem_nopanic(m, ~0UL, PAGE_SIZE, 0));
	assert_null(__alloc_bootmem_nopanic(m, ~0UL - PAGE_SIZE + 2, 8, 0));
	mmkit_machine_destroy(m);
}

static void test_bad_alloc_requests_are_refused(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_null(__alloc_bootmem_nopanic(m, 0, PAGE_SIZE, 0));
	assert_null(__alloc_bootmem_nopanic(m, 64, 48, 0));
	assert_true(log_has(m, "bootmem: bad allocation request (size 64, align 0x30)\n"));
	mmkit_machine_destroy(m);
}

/* ---- the end of bootmem ---- */

static void test_free_all_bootmem_needs_mem_map(void **state)
{
	struct machine *m = bootmem_machine();

	(void)state;
	assert_int_equal(free_all_bootmem(m), 0);
	assert_true(m->bdata.active);
	assert_true(log_has(m, "WARNING:"));
	mmkit_machine_destroy(m);
}

static void test_bootmem_refuses_calls_before_init(void **state)
{
	struct machine *m = bare_machine();

	(void)state;
	assert_null(__alloc_bootmem(m, 64, 64, 0));
	assert_int_equal(reserve_bootmem(m, 0, PAGE_SIZE), -EINVAL);
	assert_int_equal(free_all_bootmem(m), 0);
	assert_true(log_has(m, "bootmem: __alloc_bootmem() called while the boot allocator is not active\n"));
	assert_false(log_has(m, "failed!"));
	mmkit_machine_destroy(m);
}

/* A full boot, once the page allocator can take the pages. */
static struct machine *booted_64m(void)
{
	struct machine *m;
	int ret = test_try_boot("name t\narch i386\n"
				"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
				"BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
				"BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n"
				"BIOS-e820: [mem 0x0000000000100000-0x0000000003fdffff] usable\n",
				&m);

	if (ret == -ENOSYS) {	/* zones and mem_map not there yet */
		mmkit_machine_destroy(m);
		skip();
	}
	assert_int_equal(ret, 0);
	return m;
}

static void test_after_boot_bootmem_is_gone(void **state)
{
	struct machine *m = booted_64m();

	(void)state;
	assert_false(m->bdata.active);
	assert_null(__alloc_bootmem(m, 64, 64, 0));
	assert_true(log_has(m, "bootmem: __alloc_bootmem() called while the boot allocator is not active\n"));
	mmkit_machine_destroy(m);
}

/* free_all_bootmem hands free pages and the bitmap over; the kernel image
 * and page 0 stay PageReserved. */
static void test_after_boot_reserved_pages_stay_reserved(void **state)
{
	struct machine *m = booted_64m();
	unsigned long map_pfn = PFN_DOWN(m->bdata.bitmap_phys);

	(void)state;
	assert_true(PageReserved(pfn_to_page(m, 0)));
	for (unsigned long pfn = PFN_DOWN(m->kimage.text); pfn < m->start_pfn; pfn++)
		assert_true(PageReserved(pfn_to_page(m, pfn)));
	assert_false(PageReserved(pfn_to_page(m, map_pfn)));	/* the bitmap was freed */
	assert_false(PageReserved(pfn_to_page(m, m->max_low_pfn - 1)));
	assert_true(bootmem_page_reserved(m, 0));
	assert_false(bootmem_page_reserved(m, map_pfn));
	assert_clean(m);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bootmap_pages_round_to_longs_and_pages),
		cmocka_unit_test(test_init_bootmem_starts_all_reserved),
		cmocka_unit_test(test_init_bootmem_refuses_a_bitmap_outside_ram),
		cmocka_unit_test(test_free_bootmem_rounds_inward),
		cmocka_unit_test(test_reserve_bootmem_rounds_outward),
		cmocka_unit_test(test_reserving_a_page_twice_is_reported),
		cmocka_unit_test(test_freeing_a_free_page_is_reported),
		cmocka_unit_test(test_ranges_beyond_low_memory_are_refused),
		cmocka_unit_test(test_alloc_is_first_fit_from_the_start),
		cmocka_unit_test(test_alloc_skips_runs_too_short),
		cmocka_unit_test(test_alloc_starts_at_the_goal),
		cmocka_unit_test(test_alloc_continues_after_the_last_allocation),
		cmocka_unit_test(test_alloc_falls_back_below_the_goal),
		cmocka_unit_test(test_alloc_honours_alignment),
		cmocka_unit_test(test_small_allocations_share_a_page),
		cmocka_unit_test(test_alloc_returns_zeroed_memory),
		cmocka_unit_test(test_alloc_until_exhausted),
		cmocka_unit_test(test_alloc_larger_than_any_free_run_fails),
		cmocka_unit_test(test_bad_alloc_requests_are_refused),
		cmocka_unit_test(test_free_all_bootmem_needs_mem_map),
		cmocka_unit_test(test_bootmem_refuses_calls_before_init),
		cmocka_unit_test(test_after_boot_bootmem_is_gone),
		cmocka_unit_test(test_after_boot_reserved_pages_stay_reserved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
