/* The buddy allocator: splitting and merging with exact free-list shapes,
 * the entry points (alloc_pages, __get_free_pages, get_zeroed_page,
 * free_pages), __GFP_ZERO, allocation failure and its warn_alloc report,
 * and allocation until exhaustion and back. Shapes are drawn as
 * "free_area[order]: pfns, head first", P being an order-10 aligned pfn. */
#include "test_page_alloc.h"

struct fixture {
	struct machine *m;
	struct zone *zone;
	struct held_blocks held;
	unsigned long P;	/* the one order-10 block left free in the zone */
};

/* Default machine, ZONE_NORMAL emptied but for one order-10 block at P:
 *	free_area[10]: P		free_area[0..9]: empty */
static int setup_one_block(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct page *block;

	f->m = test_boot_default();
	f->zone = &f->m->node.node_zones[ZONE_NORMAL];
	zone_isolate(f->m, f->zone, &f->held);
	block = held_take(&f->held, MAX_PAGE_ORDER);
	f->P = page_to_pfn(f->m, block);
	buddy_free(f->m, block, MAX_PAGE_ORDER);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	held_release(f->m, &f->held);
	test_assert_clean(f->m);
	assert_int_equal(f->m->nr_bad_pages, 0);
	mmkit_machine_destroy(f->m);
	free(f);
	return 0;
}

static void test_isolated_zone_has_one_order10_block(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->P & (MAX_ORDER_NR_PAGES - 1), 0);
	assert_free_list(f->m, f->zone, 10, f->P);
	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++)
		assert_free_list_empty(f->m, f->zone, o);
	assert_int_equal(zone_page_state(f->zone, NR_FREE_PAGES), 1024);
	assert_int_equal(check_page_alloc(f->m), 0);
}

/*	take order 0 from [10]: P
 *	-> P is returned; the upper halves go back:
 *	   [9]: P+512 [8]: P+256 [7]: P+128 ... [1]: P+2 [0]: P+1 */
static void test_order0_split_leaves_one_block_per_lower_order(void **state)
{
	struct fixture *f = *state;
	struct page *p = rmqueue_buddy(f->m, f->zone, 0, 0);

	assert_int_equal(page_to_pfn(f->m, p), f->P);
	assert_free_list_empty(f->m, f->zone, 10);
	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++)
		assert_free_list(f->m, f->zone, o, f->P + (1UL << o));
	assert_int_equal(zone_page_state(f->zone, NR_FREE_PAGES), 1023);
	assert_int_equal(page_count(p), 1);
	assert_int_equal(page_alloc_order(p), 0);
	assert_false(PageBuddy(p));
	buddy_free(f->m, p, 0);
}

/*	take order 3 from [10]: P -> P..P+7 returned;
 *	[9]: P+512 ... [4]: P+16 [3]: P+8; [2], [1], [0] empty */
static void test_order3_split_stops_at_order3(void **state)
{
	struct fixture *f = *state;
	struct page *p = rmqueue_buddy(f->m, f->zone, 3, 0);

	assert_int_equal(page_to_pfn(f->m, p), f->P);
	for (unsigned int o = 0; o < 3; o++)
		assert_free_list_empty(f->m, f->zone, o);
	for (unsigned int o = 3; o < MAX_PAGE_ORDER; o++)
		assert_free_list(f->m, f->zone, o, f->P + (1UL << o));
	assert_int_equal(page_alloc_order(p), 3);
	buddy_free(f->m, p, 3);
	assert_free_list(f->m, f->zone, 10, f->P);
}

/*	free P (order 0) after the split above: P ^ 1 = P+1 free at order 0,
 *	P ^ 2 = P+2 free at order 1, ... every step merges:
 *	-> [10]: P, all lower lists empty */
static void test_free_merges_all_the_way_back(void **state)
{
	struct fixture *f = *state;
	struct page *p = rmqueue_buddy(f->m, f->zone, 0, 0);

	buddy_free(f->m, p, 0);
	assert_free_list(f->m, f->zone, 10, f->P);
	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++)
		assert_free_list_empty(f->m, f->zone, o);
	assert_int_equal(zone_page_state(f->zone, NR_FREE_PAGES), 1024);
	assert_int_equal(zone_page_state(f->zone, NR_FREE_PAGES_BLOCKS), 1024);
}

/*	a = P, b = P+1 (both order 0); free a:
 *	P ^ 1 = P+1 is allocated -> no merge: [0]: P
 *	free b: merges with P, then P+2 (order 1), ... -> [10]: P */
static void test_merge_stops_at_allocated_buddy(void **state)
{
	struct fixture *f = *state;
	struct page *a = rmqueue_buddy(f->m, f->zone, 0, 0);
	struct page *b = rmqueue_buddy(f->m, f->zone, 0, 0);

	assert_int_equal(page_to_pfn(f->m, b), f->P + 1);
	assert_free_list_empty(f->m, f->zone, 0);
	buddy_free(f->m, a, 0);
	assert_free_list(f->m, f->zone, 0, f->P);
	assert_free_list(f->m, f->zone, 1, f->P + 2);
	buddy_free(f->m, b, 0);
	assert_free_list_empty(f->m, f->zone, 0);
	assert_free_list(f->m, f->zone, 10, f->P);
}

/*	pages P, P+1, P+2, P+3 allocated; [2]: P+4 [3]: P+8 ...
 *	free P+2 -> [0]: P+2
 *	free P   -> [0]: P, P+2          (new blocks go to the head)
 *	free P+3 -> P+3 ^ 1 = P+2 free: [0]: P   [1]: P+2
 *	free P+1 -> P, then P+2 at order 1, then P+4 at order 2 ... [10]: P */
static void test_merge_in_any_free_order(void **state)
{
	struct fixture *f = *state;
	struct page *p[4];

	for (int i = 0; i < 4; i++) {
		p[i] = rmqueue_buddy(f->m, f->zone, 0, 0);
		assert_int_equal(page_to_pfn(f->m, p[i]), f->P + (unsigned long)i);
	}
	assert_free_list(f->m, f->zone, 2, f->P + 4);
	buddy_free(f->m, p[2], 0);
	assert_free_list(f->m, f->zone, 0, f->P + 2);
	buddy_free(f->m, p[0], 0);
	assert_free_list(f->m, f->zone, 0, f->P, f->P + 2);
	buddy_free(f->m, p[3], 0);
	assert_free_list(f->m, f->zone, 0, f->P);
	assert_free_list(f->m, f->zone, 1, f->P + 2);
	assert_int_equal(check_page_alloc(f->m), 0);
	buddy_free(f->m, p[1], 0);
	assert_free_list(f->m, f->zone, 10, f->P);
	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++)
		assert_free_list_empty(f->m, f->zone, o);
}

/*	take order 10 (the whole block), then order 0 finds nothing:
 *	the zone is empty and rmqueue_buddy returns NULL */
static void test_empty_zone_gives_null(void **state)
{
	struct fixture *f = *state;
	struct page *p = rmqueue_buddy(f->m, f->zone, 10, 0);

	assert_non_null(p);
	assert_null(rmqueue_buddy(f->m, f->zone, 0, 0));
	assert_int_equal(zone_page_state(f->zone, NR_FREE_PAGES), 0);
	buddy_free(f->m, p, 10);
}

/* ---- the entry points on a whole machine ---------------------------- */

static void test_alloc_pages_gives_referenced_block(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 2);

	(void)state;
	assert_non_null(p);
	assert_int_equal(page_count(p), 1);
	assert_int_equal(page_mapcount(p), 0);
	assert_int_equal(page_alloc_order(p), 2);
	assert_int_equal(page_to_pfn(m, p) & 3, 0);
	assert_false(PageReserved(p) || PageBuddy(p));
	__free_pages(m, p, 2);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_gfp_zero_clears_a_reused_page(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_page(m, GFP_KERNEL), *q;
	u8 *mem = page_address(m, p);

	(void)state;
	memset(mem, 0x5a, PAGE_SIZE);
	__free_page(m, p);
	q = alloc_page(m, GFP_KERNEL | __GFP_ZERO);
	assert_ptr_equal(q, p);	/* the hot page comes back from the per-CPU list */
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(mem[i], 0);
	__free_page(m, q);
	mmkit_machine_destroy(m);
}

static void test_gfp_zero_clears_every_page_of_a_block(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p = alloc_pages(m, GFP_KERNEL, 3);

	(void)state;
	memset(page_address(m, p), 0x77, 8 * PAGE_SIZE);
	__free_pages(m, p, 3);
	p = alloc_pages(m, GFP_KERNEL | __GFP_ZERO, 3);
	for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
		assert_int_equal(((u8 *)page_address(m, p))[i], 0);
	__free_pages(m, p, 3);
	mmkit_machine_destroy(m);
}

static void test_get_free_pages_returns_the_direct_map_address(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long addr = __get_free_pages(m, GFP_KERNEL, 1);
	struct page *p;

	(void)state;
	assert_int_not_equal(addr, 0);
	p = virt_to_page(m, (void *)addr);
	assert_ptr_equal(page_address(m, p), (void *)addr);
	assert_int_equal(page_alloc_order(p), 1);
	assert_true(page_to_pfn(m, p) < m->max_low_pfn);
	free_pages(m, addr, 1);
	assert_int_equal(page_count(p), 0);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_get_free_pages_ignores_gfp_highmem(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	unsigned long addr = __get_free_page(m, GFP_HIGHUSER);

	(void)state;
	assert_int_not_equal(addr, 0);
	assert_int_not_equal(page_zonenum(virt_to_page(m, (void *)addr)), ZONE_HIGHMEM);
	free_page(m, addr);
	mmkit_machine_destroy(m);
}

static void test_get_zeroed_page_is_zero(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long addr = __get_free_page(m, GFP_KERNEL);

	(void)state;
	memset((void *)addr, 0xff, PAGE_SIZE);
	free_page(m, addr);
	addr = get_zeroed_page(m, GFP_KERNEL);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(((u8 *)addr)[i], 0);
	free_page(m, addr);
	mmkit_machine_destroy(m);
}

static void test_free_pages_of_bad_address_warns(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long before = nr_free_pages(m);

	(void)state;
	free_pages(m, (unsigned long)(uintptr_t)m, 0);	/* not a direct-map address */
	free_pages(m, 0, 0);				/* ignored, as in Linux */
	assert_true(test_log_contains(m, "WARNING: CPU: 0 at"));
	assert_int_equal(nr_free_pages(m), before);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_order_above_max_fails_with_warning(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_null(alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, MAX_ORDER));
	assert_false(test_log_contains(m, "WARNING:"));
	assert_null(alloc_pages(m, GFP_KERNEL, MAX_ORDER));
	assert_true(test_log_contains(m, "WARNING: CPU: 0 at"));
	mmkit_machine_destroy(m);
}

static void test_invalid_zone_modifiers_fail(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_null(alloc_pages(m, GFP_KERNEL | __GFP_DMA | __GFP_HIGHMEM, 0));
	assert_true(test_log_contains(m, "swapper/0: page allocation failure: order:0, "
					 "mode:0xcc3(GFP_KERNEL|GFP_DMA|__GFP_HIGHMEM)"));
	assert_int_equal(m->nr_alloc_failures, 1);
	mmkit_machine_destroy(m);
}

static void test_gfp_flag_names_render_as_linux(void **state)
{
	static const struct {
		gfp_t gfp;
		const char *text;
	} cases[] = {
		{ GFP_KERNEL, "GFP_KERNEL" },
		{ GFP_ATOMIC, "GFP_ATOMIC" },
		{ GFP_USER, "GFP_USER" },
		{ GFP_HIGHUSER, "GFP_HIGHUSER" },
		{ GFP_HIGHUSER_MOVABLE | __GFP_COMP, "GFP_HIGHUSER_MOVABLE|__GFP_COMP" },
		{ GFP_KERNEL | __GFP_ZERO, "GFP_KERNEL|__GFP_ZERO" },
		{ GFP_ATOMIC | __GFP_NOWARN, "GFP_ATOMIC|__GFP_NOWARN" },
		{ GFP_NOWAIT, "GFP_NOWAIT" },
		{ GFP_KERNEL | __GFP_DMA32, "GFP_KERNEL|GFP_DMA32" },
		{ __GFP_HIGH, "__GFP_HIGH" },
		{ 0x200, "0x200" },
		{ __GFP_IO | 0x200, "__GFP_IO|0x200" },
		{ 0, "" },
	};
	char buf[256];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		format_gfp_flags(buf, sizeof(buf), cases[i].gfp);
		assert_string_equal(buf, cases[i].text);
	}
}

/* ---- exhaustion and back -------------------------------------------- */

static void exhaust_and_return(struct machine *m, gfp_t gfp, unsigned int order,
			       const char *failure_line)
{
	char *before = test_proc(m, "/proc/buddyinfo"), *after;
	unsigned long free_before = nr_free_pages(m), n = 0, cap = 1 << 18;
	struct page **pages = malloc(cap * sizeof(*pages));
	struct page *p;

	while ((p = alloc_pages(m, gfp, order)) != NULL) {
		assert_true(n < cap);
		pages[n++] = p;
	}
	assert_true(n > 0);
	assert_true(test_log_contains(m, failure_line));
	assert_int_equal(m->nr_alloc_failures, 1);
	test_assert_clean(m);
	for (unsigned long i = 0; i < n; i++)
		__free_pages(m, pages[i], order);
	drain_all_pages(m);
	after = test_proc(m, "/proc/buddyinfo");
	assert_string_equal(after, before);
	assert_int_equal(nr_free_pages(m), free_before);
	test_assert_clean(m);
	free(pages);
	free(before);
	free(after);
}

static void test_order0_exhaustion_and_back(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	drain_all_pages(m);
	exhaust_and_return(m, GFP_KERNEL, 0,
			   "swapper/0: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), "
			   "nodemask=(null),cpuset=/,mems_allowed=0\n");
	assert_true(test_log_contains(m, "Mem-Info:\n"));
	mmkit_machine_destroy(m);
}

static void test_order3_exhaustion_and_back(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	drain_all_pages(m);
	exhaust_and_return(m, GFP_KERNEL | __GFP_ZERO, 3,
			   "page allocation failure: order:3, mode:0xdc0(GFP_KERNEL|__GFP_ZERO)");
	mmkit_machine_destroy(m);
}

static void test_highmem_exhaustion_and_back(void **state)
{
	struct machine *m = test_boot_text("arch i386\nhighmem yes\ncpus 2\n"
					   "e820 0 0x9f000 usable\n"
					   "e820 0x100000 0x3ff00000 usable\n");

	(void)state;
	drain_all_pages(m);
	exhaust_and_return(m, GFP_HIGHUSER, 1, "page allocation failure: order:1, "
					       "mode:0x100cc2(GFP_HIGHUSER)");
	mmkit_machine_destroy(m);
}

static void test_nowarn_failure_is_silent(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p;
	unsigned long n = 0;

	(void)state;
	while ((p = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, MAX_PAGE_ORDER)) != NULL)
		n++;	/* leaked on purpose: the machine is destroyed */
	assert_true(n > 0);
	assert_false(test_log_contains(m, "page allocation failure"));
	assert_int_equal(m->nr_alloc_failures, 1);
	mmkit_machine_destroy(m);
}

static void test_warn_alloc_is_rate_limited(void **state)
{
	struct machine *m = test_boot_default();
	const char *log;
	int reports = 0;

	(void)state;
	while (alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER))
		;
	assert_null(alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER));	/* suppressed */
	m->clock_ns += 11ULL * 1000000000ULL;
	assert_null(alloc_pages(m, GFP_KERNEL, MAX_PAGE_ORDER));	/* a new window */
	for (log = mmkit_log_text(m, NULL); (log = strstr(log, "page allocation failure")); log++)
		reports++;
	assert_int_equal(reports, 2);
	assert_true(test_log_contains(m, "warn_alloc: 1 callbacks suppressed"));
	assert_int_equal(m->nr_alloc_failures, 3);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_isolated_zone_has_one_order10_block,
						setup_one_block, teardown),
		cmocka_unit_test_setup_teardown(test_order0_split_leaves_one_block_per_lower_order,
						setup_one_block, teardown),
		cmocka_unit_test_setup_teardown(test_order3_split_stops_at_order3, setup_one_block,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_merges_all_the_way_back, setup_one_block,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_stops_at_allocated_buddy,
						setup_one_block, teardown),
		cmocka_unit_test_setup_teardown(test_merge_in_any_free_order, setup_one_block,
						teardown),
		cmocka_unit_test_setup_teardown(test_empty_zone_gives_null, setup_one_block,
						teardown),
		cmocka_unit_test(test_alloc_pages_gives_referenced_block),
		cmocka_unit_test(test_gfp_zero_clears_a_reused_page),
		cmocka_unit_test(test_gfp_zero_clears_every_page_of_a_block),
		cmocka_unit_test(test_get_free_pages_returns_the_direct_map_address),
		cmocka_unit_test(test_get_free_pages_ignores_gfp_highmem),
		cmocka_unit_test(test_get_zeroed_page_is_zero),
		cmocka_unit_test(test_free_pages_of_bad_address_warns),
		cmocka_unit_test(test_order_above_max_fails_with_warning),
		cmocka_unit_test(test_invalid_zone_modifiers_fail),
		cmocka_unit_test(test_gfp_flag_names_render_as_linux),
		cmocka_unit_test(test_order0_exhaustion_and_back),
		cmocka_unit_test(test_order3_exhaustion_and_back),
		cmocka_unit_test(test_highmem_exhaustion_and_back),
		cmocka_unit_test(test_nowarn_failure_is_silent),
		cmocka_unit_test(test_warn_alloc_is_rate_limited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
