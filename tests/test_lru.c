/* The LRU lists (src/mm/swap.c): where new pages go, Linux's promotion
 * rules of mark_page_accessed, activation and deactivation, isolation,
 * the unevictable list of mlocked pages, the counters behind meminfo's
 * Active/Inactive/Unevictable/Mlocked lines and /proc/vmstat's reclaim
 * items. */
#include "fault_test.h"

#include "mm/internal_vmscan.h"

static unsigned long lru_pages(struct machine *m, enum lru_list lru)
{
	return node_page_state(&m->node, NR_LRU_BASE + lru);
}

/* The zone counters sum to the node's, list by list. */
static void assert_lru_counters_agree(struct machine *m)
{
	for (int lru = 0; lru < NR_LRU_LISTS; lru++) {
		unsigned long sum = 0, listed = 0;

		for (int z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &m->node.node_zones[z];

			sum += zone_page_state(zone, NR_ZONE_LRU_BASE + lru);
			if (managed_zone(zone))
				listed += list_count(&zone->lruvec.lists[lru]);
		}
		assert_int_equal(sum, lru_pages(m, lru));
		assert_int_equal(listed, lru_pages(m, lru));
	}
}

/* A new anonymous page joins the head of the inactive anon list. */
static void test_new_anon_page_joins_inactive_anon(void **state)
{
	struct machine *m = vt_boot();
	unsigned long before = lru_pages(m, LRU_INACTIVE_ANON);
	unsigned long kb = meminfo_kb(m, "Inactive(anon):");
	struct page *page;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(2), RW), (long)AREA);
	poke(m, AREA, 'a');
	page = ft_page(m, AREA);
	assert_true(PageLRU(page));
	assert_false(PageActive(page));
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), before + 1);
	assert_int_equal(meminfo_kb(m, "Inactive(anon):"), kb + 4);
	assert_ptr_equal(list_first_entry(&page_zone(m, page)->lruvec.lists[LRU_INACTIVE_ANON],
					  struct page, lru), page);
	assert_lru_counters_agree(m);
	vt_done(m);
}

/* inactive,unreferenced -> referenced; inactive,referenced -> active
 * (PGACTIVATE, PG_referenced cleared); active,unreferenced -> referenced;
 * active,referenced stays. */
static void test_mark_page_accessed_promotion_rules(void **state)
{
	struct machine *m = vt_boot();
	unsigned long act = vm_event(m, PGACTIVATE), ia, aa;
	struct page *page;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	poke(m, AREA, 'a');
	page = ft_page(m, AREA);
	ia = lru_pages(m, LRU_INACTIVE_ANON);
	aa = lru_pages(m, LRU_ACTIVE_ANON);
	mark_page_accessed(m, page);
	assert_true(PageReferenced(page));
	assert_false(PageActive(page));
	mark_page_accessed(m, page);
	assert_true(PageActive(page));
	assert_false(PageReferenced(page));
	assert_int_equal(vm_event(m, PGACTIVATE), act + 1);
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), ia - 1);
	assert_int_equal(lru_pages(m, LRU_ACTIVE_ANON), aa + 1);
	mark_page_accessed(m, page);
	assert_true(PageActive(page));
	assert_true(PageReferenced(page));
	mark_page_accessed(m, page);
	assert_true(PageActive(page));
	assert_int_equal(vm_event(m, PGACTIVATE), act + 1);
	assert_lru_counters_agree(m);
	vt_done(m);
}

/* deactivate_page: active -> inactive head, references forgotten. */
static void test_deactivate_page_counts_pgdeactivate(void **state)
{
	struct machine *m = vt_boot();
	unsigned long deact = vm_event(m, PGDEACTIVATE);
	struct page *page;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	poke(m, AREA, 'a');
	page = ft_page(m, AREA);
	activate_page(m, page);
	assert_true(PageActive(page));
	SetPageReferenced(page);
	deactivate_page(m, page);
	assert_false(PageActive(page));
	assert_false(PageReferenced(page));
	assert_int_equal(vm_event(m, PGDEACTIVATE), deact + 1);
	assert_lru_counters_agree(m);
	vt_done(m);
}

/* Isolation takes the page off its list with a reference; putback
 * returns it and the reference. A page being isolated is not freed by
 * munmap: the isolator's reference keeps it. */
static void test_isolate_and_putback(void **state)
{
	struct machine *m = vt_boot();
	struct page *page;
	unsigned long ia;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	poke(m, AREA, 'a');
	page = ft_page(m, AREA);
	ia = lru_pages(m, LRU_INACTIVE_ANON);
	assert_int_equal(isolate_lru_page(m, page), 0);
	assert_false(PageLRU(page));
	assert_int_equal(page_count(page), 2);
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), ia - 1);
	assert_int_equal(isolate_lru_page(m, page), -EBUSY);
	putback_lru_page(m, page);
	assert_true(PageLRU(page));
	assert_int_equal(page_count(page), 1);
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), ia);
	assert_lru_counters_agree(m);
	vt_done(m);
}

/* The last reference takes the page off the LRU. */
static void test_freed_page_leaves_the_lru(void **state)
{
	struct machine *m = vt_boot();
	unsigned long ia = lru_pages(m, LRU_INACTIVE_ANON);

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	for (int i = 0; i < 4; i++)
		poke(m, AREA + PG(i), 'a');
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), ia + 4);
	assert_int_equal(sys_munmap(m, AREA, PG(4)), 0);
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), ia);
	assert_lru_counters_agree(m);
	vt_done(m);
}

/* mlock moves present pages to the unevictable list (Unevictable: and
 * Mlocked: in meminfo), munlock puts them back on the inactive list. */
static void test_mlock_moves_pages_to_unevictable_and_back(void **state)
{
	struct machine *m = vt_boot();
	unsigned long ia, unev = meminfo_kb(m, "Unevictable:");
	struct page *page;

	(void)state;
	vt_map_fixed(m, AREA, PG(3), RW);
	for (int i = 0; i < 3; i++)
		poke(m, AREA + PG(i), 'a');
	ia = lru_pages(m, LRU_INACTIVE_ANON);
	page = ft_page(m, AREA);
	assert_int_equal(sys_mlock(m, AREA, PG(3)), 0);
	assert_true(PageUnevictable(page));
	assert_true(PageMlocked(page));
	assert_false(page_evictable(m, page));
	assert_int_equal(meminfo_kb(m, "Unevictable:"), unev + 12);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 12);
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), ia - 3);
	assert_int_equal(sys_munlock(m, AREA, PG(3)), 0);
	assert_false(PageUnevictable(page));
	assert_true(page_evictable(m, page));
	assert_int_equal(meminfo_kb(m, "Unevictable:"), unev);
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), ia);
	assert_lru_counters_agree(m);
	vt_done(m);
}

/* A page faulted into a locked VMA goes straight to the unevictable list
 * (cf. folio_add_lru_vma -> mlock_new_folio). */
static void test_fault_in_locked_vma_is_unevictable(void **state)
{
	struct machine *m = vt_boot();
	unsigned long unev = lru_pages(m, LRU_UNEVICTABLE);

	(void)state;
	assert_int_equal(sys_mlockall(m, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT), 0);
	vt_map_fixed(m, AREA, PG(2), RW);
	poke(m, AREA + PG(1), 'x');
	assert_true(PageUnevictable(ft_page(m, AREA + PG(1))));
	assert_int_equal(lru_pages(m, LRU_UNEVICTABLE), unev + 1);
	assert_int_equal(sys_munlockall(m), 0);
	assert_false(PageUnevictable(ft_page(m, AREA + PG(1))));
	assert_int_equal(lru_pages(m, LRU_UNEVICTABLE), unev);
	assert_lru_counters_agree(m);
	vt_done(m);
}

/* Meminfo's LRU lines read the node counters: Active + Inactive equals
 * the four lists, and a page moved by activate_page moves between the
 * lines. */
static void test_meminfo_lru_lines_follow_the_lists(void **state)
{
	struct machine *m = vt_boot();
	unsigned long aa, ia;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	poke(m, AREA, 'a');
	aa = meminfo_kb(m, "Active(anon):");
	ia = meminfo_kb(m, "Inactive(anon):");
	activate_page(m, ft_page(m, AREA));
	assert_int_equal(meminfo_kb(m, "Active(anon):"), aa + 4);
	assert_int_equal(meminfo_kb(m, "Inactive(anon):"), ia - 4);
	assert_int_equal(meminfo_kb(m, "Active:"),
			 meminfo_kb(m, "Active(anon):") + meminfo_kb(m, "Active(file):"));
	assert_int_equal(meminfo_kb(m, "Inactive:"),
			 meminfo_kb(m, "Inactive(anon):") + meminfo_kb(m, "Inactive(file):"));
	vt_done(m);
}

/* /proc/vmstat prints the reclaim items in Linux 6.18's order. */
static void test_vmstat_reclaim_items_in_linux_order(void **state)
{
	static const char *const order[] = {
		"\npswpin ", "\npswpout ", "\nallocstall_dma ", "\nallocstall_normal ",
		"\npgactivate ", "\npgdeactivate ", "\npgrefill ", "\npgsteal_kswapd ",
		"\npgsteal_direct ", "\npgsteal_khugepaged ", "\npgsteal_proactive ",
		"\npgscan_kswapd ", "\npgscan_direct ", "\npgscan_khugepaged ",
		"\npgscan_proactive ", "\npgscan_direct_throttle ", "\npgscan_anon ",
		"\npgscan_file ", "\npgsteal_anon ", "\npgsteal_file ", "\npageoutrun ",
		"\npgrotated ", "\noom_kill ", "\nunevictable_pgs_culled ",
		"\nunevictable_pgs_stranded ",
	};
	struct machine *m = test_boot_default();
	char *text = test_proc(m, "/proc/vmstat");
	const char *at = text;

	(void)state;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *p = strstr(at, order[i]);

		if (!p)
			fprintf(stderr, "missing or out of order: %s\n", order[i] + 1);
		assert_non_null(p);
		at = p + 1;
	}
	free(text);
	mmkit_machine_destroy(m);
}

/* MADV_FREE moves the page to the head of the inactive file list,
 * unreferenced and no longer swap-backed (lru_lazyfree), counting
 * pglazyfree; the lists stay consistent (check_lru). */
static void test_madv_free_moves_the_page_to_the_file_list(void **state)
{
	struct machine *m = vt_boot();
	unsigned long anon0, file0;
	struct page *page;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	poke(m, AREA, 'a');
	page = ft_page(m, AREA);
	mark_page_accessed(m, page);
	anon0 = lru_pages(m, LRU_INACTIVE_ANON);
	file0 = lru_pages(m, LRU_INACTIVE_FILE);
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_FREE), 0);
	assert_false(PageSwapBacked(page));
	assert_false(PageReferenced(page));
	assert_int_equal(lru_pages(m, LRU_INACTIVE_ANON), anon0 - 1);
	assert_int_equal(lru_pages(m, LRU_INACTIVE_FILE), file0 + 1);
	assert_int_equal(vm_event(m, PGLAZYFREE), 1);
	assert_int_equal(check_lru(m), 0);
	vt_done(m);
}

/* Reclaim drops a MADV_FREE page that was not written since (its pte
 * goes, the next read sees zeroes, pglazyfreed counts it) and keeps one
 * written again (its data stays), without any swap: lazyfree pages are on
 * the file list (cf. shrink_folio_list / try_to_unmap_one). */
static void test_reclaim_drops_clean_lazyfree_pages_only(void **state)
{
	struct machine *m = vt_boot();
	struct scan_control sc = {
		.nr_to_reclaim = 1, .gfp_mask = GFP_HIGHUSER_MOVABLE, .priority = 0,
		.reclaim_idx = MAX_NR_ZONES - 1, .may_writepage = true, .may_unmap = true,
	};
	struct zone *zone;
	char c;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(2), RW), (long)AREA);
	poke(m, AREA, 'a');
	poke(m, AREA + PG(1), 'b');
	zone = page_zone(m, ft_page(m, AREA));
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_FREE), 0);
	poke(m, AREA + PG(1), 'c');	/* written again: must survive */
	for (int pass = 0; pass < 4; pass++)
		reclaim_lru_tail(m, zone, &sc, LRU_INACTIVE_FILE);
	assert_int_equal(pte_val(ft_pte(m, AREA)), 0);
	assert_int_equal(vm_event(m, PGLAZYFREED), 1);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 1);
	assert_int_equal(mmkit_read(m, AREA, &c, 1), 0);
	assert_int_equal(c, 0);
	assert_int_equal(mmkit_read(m, AREA + PG(1), &c, 1), 0);
	assert_int_equal(c, 'c');
	assert_int_equal(check_lru(m), 0);
	vt_done(m);
}

/* The LRU checker catches a page whose flags name another list, and a
 * counter that disagrees with its list. */
static void test_check_lru_reports_wrong_list_and_counter(void **state)
{
	struct machine *m = vt_boot();
	struct page *page;
	struct zone *zone;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	poke(m, AREA, 'a');
	page = ft_page(m, AREA);
	zone = page_zone(m, page);
	assert_int_equal(check_lru(m), 0);
	SetPageActive(page);	/* flags say active, the page is on the inactive list */
	assert_int_equal(check_lru(m), 1);
	assert_true(test_log_contains(m, "on inactive_anon of"));
	assert_true(test_log_contains(m, "is on the wrong list"));
	ClearPageActive(page);
	__mod_zone_page_state(zone, NR_ZONE_LRU_BASE + LRU_ACTIVE_FILE, 1);
	assert_int_equal(check_lru(m), 1);
	assert_true(test_log_contains(m, "active_file of"));
	__mod_zone_page_state(zone, NR_ZONE_LRU_BASE + LRU_ACTIVE_FILE, -1);
	assert_int_equal(check_lru(m), 0);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_anon_page_joins_inactive_anon),
		cmocka_unit_test(test_mark_page_accessed_promotion_rules),
		cmocka_unit_test(test_deactivate_page_counts_pgdeactivate),
		cmocka_unit_test(test_isolate_and_putback),
		cmocka_unit_test(test_freed_page_leaves_the_lru),
		cmocka_unit_test(test_mlock_moves_pages_to_unevictable_and_back),
		cmocka_unit_test(test_fault_in_locked_vma_is_unevictable),
		cmocka_unit_test(test_meminfo_lru_lines_follow_the_lists),
		cmocka_unit_test(test_madv_free_moves_the_page_to_the_file_list),
		cmocka_unit_test(test_reclaim_drops_clean_lazyfree_pages_only),
		cmocka_unit_test(test_check_lru_reports_wrong_list_and_counter),
		cmocka_unit_test(test_vmstat_reclaim_items_in_linux_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
