/* Per-CPU page lists (the seed's per-CPU page frame cache): batch and high
 * sized as Linux 6.x's zone_batchsize/zone_highsize, refill of batch pages
 * on an empty list, drain of batch pages when a free brings the list to
 * high, hot pages reused first, one list per CPU, and the drains. */
#include "test_page_alloc.h"

static struct per_cpu_pages *pcp_of(struct machine *m, int zid, unsigned int cpu)
{
	return &zone_of(m, zid)->pageset[cpu];
}

/* batch: b = min(managed >> 10, 256) / 4 (at least 1), then
 * rounddown_pow_of_two(b + b / 2) - 1, at least 1;
 * high_min: low watermark / CPUs, high_max: managed / 8 / CPUs, both at
 * least 4 * batch. */
static void assert_pcp_sizes(struct machine *m)
{
	unsigned long cpus = m->desc.nr_cpus;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = zone_of(m, z);
		unsigned long b = zone->managed_pages >> 10, x;
		long batch, high_min, high_max;

		if (!populated_zone(zone))
			continue;
		b = (b < 256 ? b : 256) / 4;
		b = b ? b : 1;
		x = b + b / 2;
		while (x & (x - 1))
			x &= x - 1;
		batch = (long)x - 1 > 1 ? (long)x - 1 : 1;
		high_min = (long)(low_wmark_pages(zone) / cpus);
		high_min = high_min > 4 * batch ? high_min : 4 * batch;
		high_max = (long)(zone->managed_pages / 8 / cpus);
		high_max = high_max > 4 * batch ? high_max : 4 * batch;
		for (unsigned int cpu = 0; cpu < cpus; cpu++) {
			assert_int_equal(pcp_of(m, z, cpu)->batch, batch);
			assert_int_equal(pcp_of(m, z, cpu)->high_min, high_min);
			assert_int_equal(pcp_of(m, z, cpu)->high_max, high_max);
			assert_int_equal(pcp_of(m, z, cpu)->high, high_min);
		}
	}
}

static void test_batch_and_high_follow_zone_size(void **state)
{
	struct machine *m = test_boot_default();
	struct machine *x = test_boot_text(X86_64_2CPU);

	(void)state;
	assert_pcp_sizes(m);
	assert_pcp_sizes(x);
	/* 1 GiB of Normal: 262144 >> 10 = 256 -> 64 -> 96 -> 64 - 1 */
	assert_int_equal(pcp_of(x, ZONE_NORMAL, 1)->batch, 63);
	assert_int_equal(pcp_of(m, ZONE_DMA, 0)->batch, 1);
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(x);
}

static void test_high_fraction_sets_high_min_and_max(void **state)
{
	struct machine *x = test_boot_text(X86_64_2CPU);
	struct zone *normal = zone_of(x, ZONE_NORMAL);

	(void)state;
	x->percpu_pagelist_high_fraction = 100;
	setup_per_zone_wmarks(x);
	assert_int_equal(pcp_of(x, ZONE_NORMAL, 0)->high_min, normal->managed_pages / 100 / 2);
	assert_int_equal(pcp_of(x, ZONE_NORMAL, 0)->high_max, normal->managed_pages / 100 / 2);
	mmkit_machine_destroy(x);
}

/* Empty list: one allocation moves batch pages from the buddy lists, hands
 * out one, keeps batch - 1. The kept pages count as allocated. */
static void test_alloc_refills_batch(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *normal = zone_of(m, ZONE_NORMAL);
	struct per_cpu_pages *pcp = pcp_of(m, ZONE_NORMAL, 0);
	unsigned long before;
	struct page *p;

	(void)state;
	drain_all_pages(m);
	before = zone_page_state(normal, NR_FREE_PAGES);
	p = alloc_page(m, GFP_KERNEL);
	assert_int_equal(page_zonenum(p), ZONE_NORMAL);
	assert_int_equal(pcp->count, pcp->batch - 1);
	assert_int_equal(zone_page_state(normal, NR_FREE_PAGES), before - (unsigned long)pcp->batch);
	__free_page(m, p);
	assert_int_equal(pcp->count, pcp->batch);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

/* A freed page goes to the head of the list and is the next one out. */
static void test_freed_page_is_reused_hot(void **state)
{
	struct machine *m = test_boot_default();
	struct page *a = alloc_page(m, GFP_KERNEL), *b = alloc_page(m, GFP_KERNEL);

	(void)state;
	__free_page(m, a);
	__free_page(m, b);
	assert_ptr_equal(alloc_page(m, GFP_KERNEL), b);
	assert_ptr_equal(alloc_page(m, GFP_KERNEL), a);
	mmkit_machine_destroy(m);
}

/* Freeing one by one: when the list reaches high, batch pages (the
 * coldest, at the tail) go back to the buddy lists: count never stays at
 * or above high. */
static void test_free_drains_batch_at_high(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *normal = zone_of(m, ZONE_NORMAL);
	struct per_cpu_pages *pcp = pcp_of(m, ZONE_NORMAL, 0);
	int n = pcp->high + 2 * pcp->batch, drains = 0;
	struct page **pages = calloc((size_t)n, sizeof(*pages));

	(void)state;
	for (int i = 0; i < n; i++)
		pages[i] = alloc_page(m, GFP_KERNEL);
	drain_all_pages(m);
	for (int i = 0; i < n; i++) {
		int before = pcp->count;
		unsigned long free_before = zone_page_state(normal, NR_FREE_PAGES);

		__free_page(m, pages[i]);
		if (before + 1 == pcp->high) {
			drains++;
			assert_int_equal(pcp->count, pcp->high - pcp->batch);
			assert_int_equal(zone_page_state(normal, NR_FREE_PAGES),
					 free_before + (unsigned long)pcp->batch);
		} else {
			assert_int_equal(pcp->count, before + 1);
			assert_int_equal(zone_page_state(normal, NR_FREE_PAGES), free_before);
		}
		assert_true(pcp->count < pcp->high);
	}
	assert_true(drains >= 1);
	test_assert_clean(m);
	free(pages);
	mmkit_machine_destroy(m);
}

static void test_drain_local_pages_empties_this_cpu(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *normal = zone_of(m, ZONE_NORMAL);
	unsigned long before;
	struct page *p;

	(void)state;
	drain_all_pages(m);
	before = zone_page_state(normal, NR_FREE_PAGES);
	p = alloc_page(m, GFP_KERNEL);
	__free_page(m, p);
	assert_true(pcp_of(m, ZONE_NORMAL, 0)->count > 0);
	drain_local_pages(m);
	assert_int_equal(pcp_of(m, ZONE_NORMAL, 0)->count, 0);
	assert_int_equal(zone_page_state(normal, NR_FREE_PAGES), before);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_each_cpu_has_its_own_list(void **state)
{
	struct machine *x = test_boot_text(X86_64_2CPU);
	struct page *a, *b;

	(void)state;
	drain_all_pages(x);
	a = alloc_page(x, GFP_KERNEL);
	__free_page(x, a);
	mmkit_set_cpu(1);
	b = alloc_page(x, GFP_KERNEL);
	assert_ptr_not_equal(a, b);	/* cpu 1 refilled its own list */
	assert_int_equal(pcp_of(x, ZONE_NORMAL, 1)->count, pcp_of(x, ZONE_NORMAL, 1)->batch - 1);
	__free_page(x, b);
	drain_local_pages(x);
	assert_int_equal(pcp_of(x, ZONE_NORMAL, 1)->count, 0);
	assert_int_equal(pcp_of(x, ZONE_NORMAL, 0)->count, pcp_of(x, ZONE_NORMAL, 0)->batch);
	mmkit_set_cpu(0);
	test_assert_clean(x);
	mmkit_machine_destroy(x);
}

static void test_drain_all_pages_empties_every_cpu(void **state)
{
	struct machine *x = test_boot_text(X86_64_2CPU);

	(void)state;
	for (unsigned int cpu = 0; cpu < 2; cpu++) {
		mmkit_set_cpu(cpu);
		__free_page(x, alloc_page(x, GFP_KERNEL));
		__free_page(x, alloc_page(x, GFP_KERNEL | __GFP_DMA32));
	}
	mmkit_set_cpu(0);
	drain_all_pages(x);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned int cpu = 0; cpu < 2; cpu++)
			assert_int_equal(pcp_of(x, z, cpu)->count, 0);
	test_assert_clean(x);
	mmkit_machine_destroy(x);
}

/* A failing request drains the lists before it gives up, so no page
 * stays parked on a per-CPU list when memory runs out. */
static void test_exhaustion_leaves_no_page_on_pcp(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	while (alloc_page(m, GFP_KERNEL | __GFP_NOWARN))
		;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		assert_int_equal(pcp_of(m, z, 0)->count, 0);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch_and_high_follow_zone_size),
		cmocka_unit_test(test_high_fraction_sets_high_min_and_max),
		cmocka_unit_test(test_alloc_refills_batch),
		cmocka_unit_test(test_freed_page_is_reused_hot),
		cmocka_unit_test(test_free_drains_batch_at_high),
		cmocka_unit_test(test_drain_local_pages_empties_this_cpu),
		cmocka_unit_test(test_each_cpu_has_its_own_list),
		cmocka_unit_test(test_drain_all_pages_empties_every_cpu),
		cmocka_unit_test(test_exhaustion_leaves_no_page_on_pcp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
