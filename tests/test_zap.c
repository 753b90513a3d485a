/* Tearing mappings down (src/mm/memory_unmap.c) and the user-memory
 * checker (src/mm/memory_check.c): munmap gives every page and page table
 * back, a page table shared with a neighbouring VMA stays (free_pgd_range's
 * floor/ceiling), the zero page is never counted, MADV_DONTNEED zaps and
 * MADV_FREE cleans; the checker catches broken rss, mapcount and
 * pgtables_bytes. */
#include "fault_test.h"

static void touch(struct machine *m, unsigned long addr, unsigned long len, char c)
{
	for (unsigned long a = addr; a < addr + len; a += PAGE_SIZE)
		assert_int_equal(mmkit_write(m, a, &c, 1), 0);
}

static unsigned long free_now(struct machine *m)
{
	drain_all_pages(m);
	return nr_free_pages(m);
}

static unsigned long pagetables(struct machine *m)
{
	return node_page_state(&m->node, NR_PAGETABLE);
}

/* Map 16 pages far from everything, write them, unmap: the free page count
 * and NR_PAGETABLE return to where they were (a first round warms the slab
 * caches the round allocates from). */
static void test_munmap_returns_every_page_and_table(void **state)
{
	struct machine *m = vt_boot();
	unsigned long f0, t0;

	(void)state;
	for (int round = 0; round < 2; round++) {
		f0 = free_now(m);
		t0 = pagetables(m);
		assert_int_equal(vt_map_fixed(m, AREA, PG(16), RW), (long)AREA);
		touch(m, AREA, PG(16), 'a');
		assert_int_equal(ft_rss(m, MM_ANONPAGES), 16);
		assert_int_equal(pagetables(m), t0 + 1);	/* one pte table (i386: 4 MiB each) */
		assert_int_equal(sys_munmap(m, AREA, PG(16)), 0);
		assert_int_equal(ft_rss(m, MM_ANONPAGES), 0);
		assert_int_equal(pagetables(m), t0);
	}
	assert_int_equal(free_now(m), f0);
	vt_done(m);
}

/* Unmapping the middle page of a written range: its pte goes, the table
 * stays for the neighbours, which keep their data.
 *   before  [a][b][c][d]   one pte table
 *   after   [a]   [c][d]   the same table */
static void test_partial_munmap_keeps_the_neighbours_table(void **state)
{
	struct machine *m = vt_boot();
	unsigned long tables;
	char c = 0;

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	touch(m, AREA, PG(4), 'n');
	tables = ft_table_pages(m);
	assert_int_equal(sys_munmap(m, AREA + PG(1), PG(1)), 0);
	assert_int_equal(ft_table_pages(m), tables);
	assert_int_equal(pte_val(ft_pte(m, AREA + PG(1))), 0);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 3);
	assert_int_equal(mmkit_read(m, AREA + PG(3), &c, 1), 0);
	assert_int_equal(c, 'n');
	vt_done(m);
}

/* Two VMAs 8 MiB apart use two pte tables (i386: 4 MiB each); unmapping
 * one frees its table only. */
static void test_munmap_frees_a_table_no_neighbour_shares(void **state)
{
	struct machine *m = vt_boot();
	unsigned long far = AREA + (8UL << 20), tables;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, far, PG(1), RW);
	touch(m, AREA, PG(1), 'x');
	touch(m, far, PG(1), 'y');
	tables = ft_table_pages(m);
	assert_int_equal(sys_munmap(m, far, PG(1)), 0);
	assert_int_equal(ft_table_pages(m), tables - 1);
	assert_null(pte_offset_user(m, vt_mm(m), far));
	assert_non_null(pte_offset_user(m, vt_mm(m), AREA));
	vt_done(m);
}

/* A table shared by two VMAs in the same 4 MiB region survives the unmap
 * of either one while the other is there. */
static void test_munmap_keeps_a_table_the_next_vma_shares(void **state)
{
	struct machine *m = vt_boot();
	unsigned long tables;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, AREA + PG(8), PG(1), PROT_READ);	/* another VMA, same table */
	touch(m, AREA, PG(1), 'x');
	tables = ft_table_pages(m);
	assert_int_equal(sys_munmap(m, AREA, PG(1)), 0);
	assert_int_equal(ft_table_pages(m), tables);
	assert_int_equal(sys_munmap(m, AREA + PG(8), PG(1)), 0);
	assert_int_equal(ft_table_pages(m), tables - 1);
	vt_done(m);
}

/* x86_64: a page alone in its 512 GiB region needs a pud, a pmd and a pte
 * table; unmapping it frees all three (free_pud_range/free_pmd_range). */
static void test_munmap_frees_upper_tables_on_x86_64(void **state)
{
	struct machine *m = test_boot_text(vt_x86_64_machine);
	unsigned long far = 0x40000000000UL, tables;

	(void)state;
	vt_spawn(m, false);
	tables = ft_table_pages(m);
	assert_int_equal(vt_map_fixed(m, far, PG(1), RW), (long)far);
	touch(m, far, PG(1), 'u');
	assert_int_equal(ft_table_pages(m), tables + 3);
	assert_int_equal(sys_munmap(m, far, PG(1)), 0);
	assert_int_equal(ft_table_pages(m), tables);
	vt_done(m);
}

/* Read faults map the zero page; zapping them touches no counts. */
static void test_zap_of_zero_page_changes_no_counts(void **state)
{
	struct machine *m = vt_boot();
	struct page *zp = pfn_to_page(m, zero_pfn(m));
	int ref = page_count(zp), map = zp->_mapcount;
	char c;

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	for (int i = 0; i < 4; i++)
		assert_int_equal(mmkit_read(m, AREA + PG(i), &c, 1), 0);
	assert_int_equal(pte_pfn(ft_pte(m, AREA)), zero_pfn(m));
	assert_int_equal(sys_munmap(m, AREA, PG(4)), 0);
	assert_int_equal(page_count(zp), ref);
	assert_int_equal(zp->_mapcount, map);
	assert_int_equal(get_mm_rss(vt_mm(m)), 0);
	vt_done(m);
}

/* MADV_DONTNEED drops the pages: the next read sees zeroes. */
static void test_madv_dontneed_zaps_and_the_next_read_is_zero(void **state)
{
	struct machine *m = vt_boot();
	unsigned long f0;
	char c = 1;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	touch(m, AREA, PG(2), 'd');
	f0 = free_now(m);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_DONTNEED), 0);
	assert_int_equal(free_now(m), f0 + 2);
	assert_int_equal(pte_val(ft_pte(m, AREA)), 0);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 0);
	assert_int_equal(mmkit_read(m, AREA, &c, 1), 0);
	assert_int_equal(c, 0);
	vt_done(m);
}

/* MADV_FREE keeps the page mapped but clean and old, and lazily freeable
 * (not PG_dirty, not PG_swapbacked) for reclaim. */
static void test_madv_free_leaves_pages_clean_old_and_lazyfree(void **state)
{
	struct machine *m = vt_boot();
	struct page *page;
	pte_t pte;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	touch(m, AREA, PG(1), 'f');
	assert_true(pte_dirty(ft_pte(m, AREA)));
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_FREE), 0);
	pte = ft_pte(m, AREA);
	assert_true(pte_val(pte) & _PAGE_PRESENT);
	assert_false(pte_dirty(pte));
	assert_false(pte_young(pte));
	page = pte_page(m, pte);
	assert_false(PageDirty(page));
	assert_false(PageSwapBacked(page));
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 1);
	vt_done(m);
}

/* The checker reports a counter that disagrees with the ptes. */
static void test_checker_reports_bad_rss_counter(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	touch(m, AREA, PG(1), 'r');
	inc_mm_counter(vt_mm(m), MM_ANONPAGES);
	assert_int_equal(check_user_memory(m), 1);
	assert_log_has(m, "BUG: Bad rss-counter state mm:");
	assert_log_has(m, "type:MM_ANONPAGES val:2 ptes:1");
	dec_mm_counter(vt_mm(m), MM_ANONPAGES);
	assert_int_equal(check_user_memory(m), 0);
	vt_done(m);
}

/* ... a mapcount no pte accounts for, and restores every mapcount. */
static void test_checker_reports_mapcount_mismatch_and_restores_it(void **state)
{
	struct machine *m = vt_boot();
	struct page *page;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	touch(m, AREA, PG(1), 'r');
	page = ft_page(m, AREA);
	page->_mapcount++;
	assert_true(check_user_memory(m) >= 1);
	assert_log_has(m, "its page's mapcount differs from the ptes mapping it");
	assert_int_equal(page_mapcount(page), 2);	/* put back as it was */
	page->_mapcount--;
	assert_int_equal(check_user_memory(m), 0);
	assert_int_equal(page_mapcount(page), 1);
	vt_done(m);
}

/* ... and page-table bytes that do not match the tables. */
static void test_checker_reports_pgtables_bytes_mismatch(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	touch(m, AREA, PG(1), 'r');
	vt_mm(m)->pgtables_bytes += PAGE_SIZE;
	assert_int_equal(check_user_memory(m), 1);
	assert_log_has(m, "pgtables_bytes");
	vt_mm(m)->pgtables_bytes -= PAGE_SIZE;
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_munmap_returns_every_page_and_table),
		cmocka_unit_test(test_partial_munmap_keeps_the_neighbours_table),
		cmocka_unit_test(test_munmap_frees_a_table_no_neighbour_shares),
		cmocka_unit_test(test_munmap_keeps_a_table_the_next_vma_shares),
		cmocka_unit_test(test_munmap_frees_upper_tables_on_x86_64),
		cmocka_unit_test(test_zap_of_zero_page_changes_no_counts),
		cmocka_unit_test(test_madv_dontneed_zaps_and_the_next_read_is_zero),
		cmocka_unit_test(test_madv_free_leaves_pages_clean_old_and_lazyfree),
		cmocka_unit_test(test_checker_reports_bad_rss_counter),
		cmocka_unit_test(test_checker_reports_mapcount_mismatch_and_restores_it),
		cmocka_unit_test(test_checker_reports_pgtables_bytes_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
