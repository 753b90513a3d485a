/* Bad frees and broken invariants: each is reported (bad_page in Linux's
 * format, or a check_page_alloc line) and counted, and none corrupts the
 * free lists. Also page poisoning: freed pages hold 0xaa, and a write
 * after free is caught on the next allocation. */
#include "test_page_alloc.h"

static unsigned long pfn_of(struct machine *m, struct page *p)
{
	return page_to_pfn(m, p);
}

static void assert_bad_page_report(struct machine *m, struct page *p, const char *reason)
{
	char line[128];

	snprintf(line, sizeof(line), "BUG: Bad page state in process swapper/0  pfn:%05lx\n",
		 pfn_of(m, p));
	assert_true(test_log_contains(m, line));
	snprintf(line, sizeof(line), "page dumped because: %s\n", reason);
	assert_true(test_log_contains(m, line));
}

static void test_double_free_is_reported_and_ignored(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 2);
	unsigned long free_after_first;

	(void)state;
	__free_pages(m, p, 2);
	free_after_first = nr_free_pages(m);
	__free_pages(m, p, 2);
	assert_int_equal(m->nr_bad_pages, 1);
	assert_bad_page_report(m, p, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
	assert_int_equal(nr_free_pages(m), free_after_first);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

/* A page freed to the buddy lists that stays a block head prints its
 * page type, with mapcount 0, as Linux 6.x does for PageBuddy. */
static void test_double_free_of_buddy_head_shows_page_type(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER);
	char want[160];

	(void)state;
	__free_pages(m, p, MAX_PAGE_ORDER);
	assert_true(PageBuddy(p));
	__free_pages(m, p, MAX_PAGE_ORDER);
	snprintf(want, sizeof(want),
		 "page: refcount:0 mapcount:0 mapping:00000000 index:0x0 pfn:0x%lx\n", pfn_of(m, p));
	assert_true(test_log_contains(m, want));
	assert_true(test_log_contains(m, "page_type: f0(buddy)\n"));
	assert_true(PageBuddy(p));	/* left alone: it is still on its free list */
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_double_free_after_merge_is_caught(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_page(m, GFP_KERNEL);

	(void)state;
	__free_page(m, p);
	drain_all_pages(m);	/* p merges into a bigger block: not a head any more */
	__free_page(m, p);
	assert_int_equal(m->nr_bad_pages, 1);
	assert_bad_page_report(m, p, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

/* The kernel's first page: reserved, never the buddy allocator's. Linux
 * leaks a bad page; so does mmkit. */
static void test_free_reserved_page_is_reported(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = pfn_to_page(m, PFN_DOWN(m->kimage.text));
	unsigned long before = nr_free_pages(m);

	(void)state;
	__free_page(m, p);
	assert_int_equal(m->nr_bad_pages, 1);
	assert_bad_page_report(m, p, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
	assert_true(test_log_contains(m, "page: refcount:0 mapcount:0 mapping:00000000 index:0x0 "
					 "pfn:0x100\n"));
	assert_true(test_log_contains(m, "flags: 0x100(reserved|zone=0)\n"));
	assert_true(test_log_contains(m, "raw: 0000000000000100 "));
	assert_true(PageReserved(p));
	assert_int_equal(nr_free_pages(m), before);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

/* The order an allocation had is recorded; a free with another order is
 * refused and the block stays allocated, so the right free still works. */
static void test_wrong_order_free_is_refused(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 2);
	unsigned long before = nr_free_pages(m);

	(void)state;
	__free_pages(m, p, 0);
	__free_pages(m, p, 3);
	assert_int_equal(m->nr_bad_pages, 2);
	assert_bad_page_report(m, p, "freed with order 0, allocated with order 2");
	assert_true(test_log_contains(m, "freed with order 3, allocated with order 2"));
	assert_int_equal(page_count(p), 1);
	assert_int_equal(nr_free_pages(m), before);
	test_assert_clean(m);
	__free_pages(m, p, 2);
	assert_int_equal(m->nr_bad_pages, 2);
	assert_int_equal(page_count(p), 0);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_free_of_a_tail_page_is_caught(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 2);

	(void)state;
	__free_page(m, p + 1);	/* tail pages hold no reference */
	assert_int_equal(m->nr_bad_pages, 1);
	assert_bad_page_report(m, p + 1, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
	__free_pages(m, p, 2);
	assert_int_equal(m->nr_bad_pages, 1);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Flags a page must not carry to the free lists (PAGE_FLAGS_CHECK_AT_FREE:
 * locked, lru, active, reserved, ...); others, like dirty, are cleared. */
static void test_free_with_flag_set_is_reported(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_page(m, GFP_KERNEL);

	(void)state;
	SetPageLocked(p);
	__free_page(m, p);
	assert_bad_page_report(m, p, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
	assert_true(test_log_contains(m, "(locked|zone=1)\n"));	/* Normal is zone 1 on i386 */
	assert_true(PageLocked(p));	/* bad fields left for debugging */
	p = alloc_page(m, GFP_KERNEL);
	SetPageDirty(p);
	__free_page(m, p);
	assert_int_equal(m->nr_bad_pages, 1);
	assert_false(PageDirty(p));
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_free_of_mapped_page_is_reported(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_page(m, GFP_KERNEL);

	(void)state;
	p->_mapcount = 0;	/* mapped once */
	__free_page(m, p);
	assert_bad_page_report(m, p, "nonzero mapcount");
	assert_true(test_log_contains(m, "page: refcount:0 mapcount:1 "));
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_free_of_page_in_a_mapping_is_reported(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_page(m, GFP_KERNEL);

	(void)state;
	p->mapping = m;
	__free_page(m, p);
	assert_bad_page_report(m, p, "non-NULL mapping");
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

/* With CONFIG_DEBUG_VM every tail page of a block is checked too; the
 * whole block is then kept off the free lists. */
static void test_flag_on_a_tail_page_is_caught(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 2);
	unsigned long before = nr_free_pages(m);

	(void)state;
	SetPageLRU(p + 3);
	__free_pages(m, p, 2);
	assert_int_equal(m->nr_bad_pages, 1);
	assert_bad_page_report(m, p + 3, "PAGE_FLAGS_CHECK_AT_FREE flag(s) set");
	assert_int_equal(nr_free_pages(m), before);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_x86_64_flags_show_node_and_config_zone(void **state)
{
	struct machine *x = test_boot_text("arch x86_64\ne820 0 0x9fc00 usable\n"
					   "e820 0x100000 0x7f00000 usable\n"
					   "e820 0x100000000 0x4000000 usable\n");
	struct page *p = alloc_page(x, GFP_KERNEL);
	char want[96];

	(void)state;
	SetPageActive(p);
	SetPageReferenced(p);
	__free_page(x, p);
	snprintf(want, sizeof(want), "flags: 0x%lx(referenced|active|node=0|zone=2)\n", p->flags);
	assert_true(test_log_contains(x, want));
	assert_true(test_log_contains(x, "mapping:0000000000000000 "));
	mmkit_machine_destroy(x);
}

/* A burst of 60 reports, then quiet until a minute has passed. */
static void test_bad_page_reports_are_rate_limited(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_page(m, GFP_KERNEL);
	const char *log;
	int shown = 0;

	(void)state;
	__free_page(m, p);
	for (int i = 0; i < 61; i++)
		__free_page(m, p);
	assert_int_equal(m->nr_bad_pages, 61);
	m->clock_ns += 61ULL * 1000000000ULL;
	__free_page(m, p);
	for (log = mmkit_log_text(m, NULL); (log = strstr(log, "BUG: Bad page state in")); log++)
		shown++;
	assert_int_equal(shown, 61);
	assert_true(test_log_contains(m, "BUG: Bad page state: 1 messages suppressed\n"));
	mmkit_machine_destroy(m);
}

/* ---- poisoning ------------------------------------------------------ */

static void test_poisoning_fills_freed_pages(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 1);
	u8 *mem = page_address(m, p);

	(void)state;
	m->page_poisoning = true;
	__free_pages(m, p, 1);
	for (size_t i = 0; i < 2 * PAGE_SIZE; i++)
		assert_int_equal(mem[i], PAGE_POISON);
	assert_true(PagePoisoned(p) && PagePoisoned(p + 1));
	p = alloc_pages(m, GFP_KERNEL, 1);
	assert_false(PagePoisoned(p));
	assert_int_equal(m->nr_poison_errors, 0);
	__free_pages(m, p, 1);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_write_after_free_is_caught(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_page(m, GFP_KERNEL), *q;
	u8 *mem = page_address(m, p);

	(void)state;
	m->page_poisoning = true;
	__free_page(m, p);
	mem[100] ^= 0x01;	/* one flipped bit */
	q = alloc_page(m, GFP_KERNEL);
	assert_ptr_equal(q, p);
	assert_int_equal(m->nr_poison_errors, 1);
	assert_true(test_log_contains(m, "pagealloc: single bit error\n"));
	assert_true(test_log_contains(m, "page dumped because: pagealloc: corrupted page details\n"));
	__free_page(m, q);
	mem[7] = 0;
	mem[3000] = 0x42;
	assert_ptr_equal(alloc_page(m, GFP_KERNEL), p);
	assert_true(test_log_contains(m, "pagealloc: memory corruption\n"));
	mmkit_machine_destroy(m);
}

/* ---- the checker ---------------------------------------------------- */

struct broken {
	struct machine *m;
	struct zone *zone;
};

static int setup_machine(void **state)
{
	struct broken *b = calloc(1, sizeof(*b));

	b->m = test_boot_default();
	b->zone = &b->m->node.node_zones[ZONE_NORMAL];
	assert_int_equal(check_page_alloc(b->m), 0);
	*state = b;
	return 0;
}

static int teardown_machine(void **state)
{
	struct broken *b = *state;

	assert_int_equal(check_page_alloc(b->m), 0);
	mmkit_machine_destroy(b->m);
	free(b);
	return 0;
}

static struct page *first_free_block(struct zone *zone, unsigned int min_order, unsigned int *order)
{
	for (unsigned int o = min_order; o < NR_PAGE_ORDERS; o++)
		if (zone->free_area[o].nr_free) {
			*order = o;
			return list_first_entry(&zone->free_area[o].free_list, struct page, lru);
		}
	fail();
	return NULL;
}

static void test_checker_catches_nr_free_mismatch(void **state)
{
	struct broken *b = *state;
	unsigned int o = 0;

	(void)first_free_block(b->zone, 0, &o);
	b->zone->free_area[o].nr_free++;
	assert_true(check_page_alloc(b->m) > 0);
	assert_true(test_log_contains(b->m, "blocks on the list"));
	b->zone->free_area[o].nr_free--;
}

static void test_checker_catches_nr_free_pages_mismatch(void **state)
{
	struct broken *b = *state;

	b->zone->vm_stat[NR_FREE_PAGES] += 3;
	assert_true(check_page_alloc(b->m) > 0);
	assert_true(test_log_contains(b->m, "NR_FREE_PAGES"));
	b->zone->vm_stat[NR_FREE_PAGES] -= 3;
}

static void test_checker_catches_list_entry_without_buddy_flag(void **state)
{
	struct broken *b = *state;
	unsigned int o = 0;
	struct page *p = first_free_block(b->zone, 0, &o);

	ClearPageBuddy(p);
	assert_true(check_page_alloc(b->m) > 0);
	assert_true(test_log_contains(b->m, "not PageBuddy"));
	SetPageBuddy(p);
}

static void test_checker_catches_reserved_page_in_free_block(void **state)
{
	struct broken *b = *state;
	unsigned int o = 0;
	struct page *p = first_free_block(b->zone, 1, &o);

	SetPageReserved(p + 1);
	assert_true(check_page_alloc(b->m) > 0);
	assert_true(test_log_contains(b->m, "holds reserved pfn"));
	ClearPageReserved(p + 1);
}

static void test_checker_catches_misaligned_block(void **state)
{
	struct broken *b = *state;
	unsigned int o = 0;
	struct page *p = first_free_block(b->zone, 1, &o);

	/* claim the block is one order bigger than its alignment allows */
	p->private = o + 1;
	assert_true(check_page_alloc(b->m) > 0);
	p->private = o;
}

/* Two free order-9 halves of one order-10 block: a missed merge. */
static void test_checker_catches_unmerged_buddies(void **state)
{
	struct broken *b = *state;
	struct machine *m = b->m;
	struct page *blk = rmqueue_buddy(m, b->zone, MAX_PAGE_ORDER, 0);
	struct page *hi = blk + 512;

	set_page_count(blk, 0);
	set_buddy_order(blk, 9);
	set_buddy_order(hi, 9);
	list_add(&blk->lru, &b->zone->free_area[9].free_list);
	list_add(&hi->lru, &b->zone->free_area[9].free_list);
	b->zone->free_area[9].nr_free += 2;
	b->zone->vm_stat[NR_FREE_PAGES] += 1024;
	assert_true(check_page_alloc(m) > 0);
	assert_true(test_log_contains(m, "of order 9 both free"));
	assert_true(check_page_alloc_local(m, b->zone, page_to_pfn(m, hi), 9) > 0);
	/* undo by hand, then give the block back properly */
	list_del(&blk->lru);
	list_del(&hi->lru);
	ClearPageBuddy(blk);
	ClearPageBuddy(hi);
	blk->private = hi->private = 0;
	b->zone->free_area[9].nr_free -= 2;
	b->zone->vm_stat[NR_FREE_PAGES] -= 1024;
	set_page_count(blk, 1);
	__free_pages(m, blk, MAX_PAGE_ORDER);
}

static void test_checker_catches_pcp_count_mismatch(void **state)
{
	struct broken *b = *state;

	b->zone->pageset[0].count++;
	assert_true(check_page_alloc(b->m) > 0);
	assert_true(test_log_contains(b->m, "pcp count"));
	b->zone->pageset[0].count--;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_double_free_is_reported_and_ignored),
		cmocka_unit_test(test_double_free_of_buddy_head_shows_page_type),
		cmocka_unit_test(test_double_free_after_merge_is_caught),
		cmocka_unit_test(test_free_reserved_page_is_reported),
		cmocka_unit_test(test_wrong_order_free_is_refused),
		cmocka_unit_test(test_free_of_a_tail_page_is_caught),
		cmocka_unit_test(test_free_with_flag_set_is_reported),
		cmocka_unit_test(test_free_of_mapped_page_is_reported),
		cmocka_unit_test(test_free_of_page_in_a_mapping_is_reported),
		cmocka_unit_test(test_flag_on_a_tail_page_is_caught),
		cmocka_unit_test(test_x86_64_flags_show_node_and_config_zone),
		cmocka_unit_test(test_bad_page_reports_are_rate_limited),
		cmocka_unit_test(test_poisoning_fills_freed_pages),
		cmocka_unit_test(test_write_after_free_is_caught),
		cmocka_unit_test_setup_teardown(test_checker_catches_nr_free_mismatch,
						setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_nr_free_pages_mismatch,
						setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_list_entry_without_buddy_flag,
						setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_reserved_page_in_free_block,
						setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_misaligned_block,
						setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_unmerged_buddies,
						setup_machine, teardown_machine),
		cmocka_unit_test_setup_teardown(test_checker_catches_pcp_count_mismatch,
						setup_machine, teardown_machine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
