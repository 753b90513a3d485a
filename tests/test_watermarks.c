/* Watermarks and reserves, checked against Linux 6.x's formulas worked out
 * independently here: min_free_kbytes = sqrt(16 * lowmem KiB) clamped to
 * [128, 262144]; a lowmem zone's min is its managed share of it, highmem's
 * clamp(managed / 1024, 32, 128); each further mark adds
 * max(share / 4, managed * watermark_scale_factor / 10000); lowmem_reserve
 * is the managed pages above a zone over its ratio (256, 256, 32). Then
 * the allocator's obedience: the fast path stops at low, the slow path at
 * min, atomic requests dip to min - min/2 - min/8, fallback leaves
 * lowmem_reserve behind, and a high order needs a block of that order. */
#include <math.h>

#include "test_page_alloc.h"

#define X86_64_SMALL                                                     \
	"arch x86_64\ncpus 2\n"                                          \
	"e820 0 0x9fc00 usable\n"                                        \
	"e820 0x100000 0x7ef0000 usable\n"                               \
	"e820 0x100000000 0x4000000 usable\n"

static unsigned long lowmem_managed(struct machine *m)
{
	unsigned long sum = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (z != ZONE_HIGHMEM && z != ZONE_MOVABLE)
			sum += zone_of(m, z)->managed_pages;
	return sum;
}

static void test_min_free_kbytes_is_sqrt_of_16x_lowmem(void **state)
{
	const char *machines[] = { "pc-i386-64m", "pc-i386-2g", "pc-i386-pae-8g" };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
		struct machine *m = test_boot_example(machines[i]);
		unsigned long kb = lowmem_managed(m) * 4;
		long want = (long)floor(sqrt((double)kb * 16));

		want = want < 128 ? 128 : want > 262144 ? 262144 : want;
		assert_int_equal(m->min_free_kbytes, want);
		mmkit_machine_destroy(m);
	}
}

/* Expected marks of one zone, from the formulas above. */
static void expect_marks(struct machine *m, int zid, unsigned long want[NR_WMARK])
{
	struct zone *zone = zone_of(m, zid);
	unsigned long pages_min = (unsigned long)m->min_free_kbytes / 4;
	unsigned long managed = zone->managed_pages;
	unsigned long share = pages_min * managed / lowmem_managed(m);
	unsigned long scale = managed * (unsigned long)m->watermark_scale_factor / 10000;
	unsigned long gap = share / 4 > scale ? share / 4 : scale;

	if (zid == ZONE_HIGHMEM || zid == ZONE_MOVABLE) {
		want[WMARK_MIN] = managed / 1024;
		want[WMARK_MIN] = want[WMARK_MIN] < 32 ? 32 : want[WMARK_MIN] > 128 ? 128 : want[WMARK_MIN];
	} else {
		want[WMARK_MIN] = share;
	}
	want[WMARK_LOW] = want[WMARK_MIN] + gap;
	want[WMARK_HIGH] = want[WMARK_LOW] + gap;
	want[WMARK_PROMO] = want[WMARK_HIGH] + gap;
}

static void assert_marks(struct machine *m)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		unsigned long want[NR_WMARK];

		if (!zone_of(m, z)->configured || z == ZONE_DEVICE)
			continue;
		expect_marks(m, z, want);
		for (int w = 0; w < NR_WMARK; w++)
			assert_int_equal(zone_of(m, z)->_watermark[w], want[w]);
	}
}

static void test_watermarks_follow_linux_formulas(void **state)
{
	struct machine *a = test_boot_default();
	struct machine *b = test_boot_example("pc-i386-2g");
	struct machine *c = test_boot_text(X86_64_SMALL);

	(void)state;
	assert_marks(a);
	assert_marks(b);
	assert_marks(c);
	/* default PC, worked by hand: lowmem 31353 pages -> min_free_kbytes
	 * 1416, pages_min 354; DMA 354 * 3161 / 31353 = 35, low 35 + 8 */
	assert_int_equal(zone_of(a, ZONE_DMA)->managed_pages, 3161);
	assert_int_equal(a->min_free_kbytes, 1416);
	assert_int_equal(min_wmark_pages(zone_of(a, ZONE_DMA)), 35);
	assert_int_equal(low_wmark_pages(zone_of(a, ZONE_DMA)), 43);
	mmkit_machine_destroy(a);
	mmkit_machine_destroy(b);
	mmkit_machine_destroy(c);
}

static void test_highmem_min_is_clamped(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct zone *high = zone_of(m, ZONE_HIGHMEM);

	(void)state;
	assert_int_equal(min_wmark_pages(high), 128);	/* 294880 / 1024 = 287 -> 128 */
	assert_int_equal(min_wmark_pages(zone_of(m, ZONE_MOVABLE)), 32);
	assert_int_equal(low_wmark_pages(zone_of(m, ZONE_MOVABLE)), 32);
	assert_int_equal(promo_wmark_pages(zone_of(m, ZONE_MOVABLE)), 32);
	mmkit_machine_destroy(m);
}

static void test_scale_factor_widens_the_gaps(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *normal = zone_of(m, ZONE_NORMAL);

	(void)state;
	m->watermark_scale_factor = 1000;	/* 10% of the zone */
	setup_per_zone_wmarks(m);
	assert_int_equal(low_wmark_pages(normal) - min_wmark_pages(normal),
			 normal->managed_pages * 1000 / 10000);
	assert_marks(m);
	mmkit_machine_destroy(m);
}

static void test_lowmem_reserve_defaults(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	struct machine *x = test_boot_text(X86_64_SMALL);
	unsigned long n = zone_of(m, ZONE_NORMAL)->managed_pages;
	unsigned long h = zone_of(m, ZONE_HIGHMEM)->managed_pages;
	unsigned long d32 = zone_of(x, ZONE_DMA32)->managed_pages;
	unsigned long xn = zone_of(x, ZONE_NORMAL)->managed_pages;

	(void)state;
	assert_int_equal(zone_of(m, ZONE_DMA)->lowmem_reserve[ZONE_DMA], 0);
	assert_int_equal(zone_of(m, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL], n / 256);
	assert_int_equal(zone_of(m, ZONE_DMA)->lowmem_reserve[ZONE_HIGHMEM], (n + h) / 256);
	assert_int_equal(zone_of(m, ZONE_DMA)->lowmem_reserve[ZONE_MOVABLE], (n + h) / 256);
	assert_int_equal(zone_of(m, ZONE_NORMAL)->lowmem_reserve[ZONE_HIGHMEM], h / 32);
	assert_int_equal(zone_of(m, ZONE_HIGHMEM)->lowmem_reserve[ZONE_MOVABLE], 0);
	assert_int_equal(zone_of(x, ZONE_DMA)->lowmem_reserve[ZONE_DMA32], d32 / 256);
	assert_int_equal(zone_of(x, ZONE_DMA)->lowmem_reserve[ZONE_NORMAL], (d32 + xn) / 256);
	assert_int_equal(zone_of(x, ZONE_DMA32)->lowmem_reserve[ZONE_NORMAL], xn / 256);
	assert_int_equal(zone_of(x, ZONE_NORMAL)->lowmem_reserve[ZONE_MOVABLE], 0);
	mmkit_machine_destroy(m);
	mmkit_machine_destroy(x);
}

/* totalreserve: per zone, its largest reserve plus its high mark, capped
 * at its managed pages. */
static void test_totalreserve_pages(void **state)
{
	struct machine *m = test_boot_example("pc-i386-2g");
	unsigned long want = 0;

	(void)state;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = zone_of(m, z);
		long max = 0;

		for (int j = z; j < MAX_NR_ZONES; j++)
			max = zone->lowmem_reserve[j] > max ? zone->lowmem_reserve[j] : max;
		max += (long)high_wmark_pages(zone);
		want += (unsigned long)max < zone->managed_pages ? (unsigned long)max : zone->managed_pages;
	}
	assert_int_equal(m->node.totalreserve_pages, want);
	mmkit_machine_destroy(m);
}

/* __GFP_DMA allocations may use ZONE_DMA only: GFP_KERNEL stops with
 * exactly min free pages left (the DMA per-CPU batch is 1), GFP_ATOMIC
 * goes on to min - min/2 - (min - min/2)/4. */
static void test_dma_exhaustion_stops_at_min_then_atomic_reserve(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *dma = zone_of(m, ZONE_DMA);
	unsigned long min = min_wmark_pages(dma), atomic_min = min - min / 2;

	(void)state;
	atomic_min -= atomic_min / 4;
	assert_int_equal(dma->pageset[0].batch, 1);
	while (alloc_page(m, GFP_KERNEL | __GFP_DMA | __GFP_NOWARN))
		;
	assert_int_equal(zone_page_state(dma, NR_FREE_PAGES), min);
	while (alloc_page(m, GFP_ATOMIC | __GFP_DMA | __GFP_NOWARN))
		;
	assert_int_equal(zone_page_state(dma, NR_FREE_PAGES), atomic_min);
	/* __GFP_HIGH without ALLOC_NON_BLOCK: half the min reserve, no more */
	assert_null(alloc_page(m, GFP_KERNEL | __GFP_HIGH | __GFP_DMA | __GFP_NOWARN));
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

/* A Normal request falling back to DMA leaves min + lowmem_reserve[NORMAL]
 * pages in DMA. */
static void test_lowmem_reserve_protects_dma_from_fallback(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *dma = zone_of(m, ZONE_DMA), *normal = zone_of(m, ZONE_NORMAL);
	long reserve = dma->lowmem_reserve[ZONE_NORMAL];

	(void)state;
	assert_true(reserve > 0);
	while (alloc_page(m, GFP_KERNEL | __GFP_NOWARN))
		;
	assert_int_equal(zone_page_state(dma, NR_FREE_PAGES),
			 min_wmark_pages(dma) + (unsigned long)reserve);
	assert_true(zone_page_state(normal, NR_FREE_PAGES) <= min_wmark_pages(normal));
	/* the DMA pages held back are still there for __GFP_DMA */
	assert_non_null(alloc_page(m, GFP_KERNEL | __GFP_DMA));
	mmkit_machine_destroy(m);
}

/* Normal's free count between min and low: the fast path (low) skips it
 * and takes DMA; with DMA gone the slow path (min) takes Normal. */
static void test_fast_path_low_slow_path_min(void **state)
{
	struct machine *m = test_boot_default();
	struct zone *normal = zone_of(m, ZONE_NORMAL);
	struct held_blocks h = { 0 };
	unsigned long f;
	struct page *p;

	(void)state;
	drain_all_pages(m);
	f = zone_page_state(normal, NR_FREE_PAGES);
	normal->_watermark[WMARK_MIN] = f - 100;
	normal->_watermark[WMARK_LOW] = f + 100;
	p = alloc_page(m, GFP_KERNEL);
	assert_int_equal(page_zonenum(p), ZONE_DMA);
	__free_page(m, p);
	zone_isolate(m, zone_of(m, ZONE_DMA), &h);
	p = alloc_page(m, GFP_KERNEL);
	assert_int_equal(page_zonenum(p), ZONE_NORMAL);
	__free_page(m, p);
	held_release(m, &h);
	test_assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_high_order_needs_a_free_block(void **state)
{
	struct zone z;

	(void)state;
	memset(&z, 0, sizeof(z));
	z.vm_stat[NR_FREE_PAGES] = 1000;
	z.free_area[0].nr_free = 1000;
	assert_true(__zone_watermark_ok(&z, 0, 10, ZONE_NORMAL, ALLOC_WMARK_LOW, 1000));
	assert_false(__zone_watermark_ok(&z, 3, 10, ZONE_NORMAL, ALLOC_WMARK_LOW, 1000));
	z.free_area[5].nr_free = 1;
	assert_true(__zone_watermark_ok(&z, 3, 10, ZONE_NORMAL, ALLOC_WMARK_LOW, 1000));
	/* free - (2^order - 1) must stay above mark + lowmem_reserve */
	z.lowmem_reserve[ZONE_HIGHMEM] = 983;
	assert_false(__zone_watermark_ok(&z, 3, 10, ZONE_HIGHMEM, ALLOC_WMARK_LOW, 1000));
	z.lowmem_reserve[ZONE_HIGHMEM] = 982;
	assert_true(__zone_watermark_ok(&z, 3, 10, ZONE_HIGHMEM, ALLOC_WMARK_LOW, 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_min_free_kbytes_is_sqrt_of_16x_lowmem),
		cmocka_unit_test(test_watermarks_follow_linux_formulas),
		cmocka_unit_test(test_highmem_min_is_clamped),
		cmocka_unit_test(test_scale_factor_widens_the_gaps),
		cmocka_unit_test(test_lowmem_reserve_defaults),
		cmocka_unit_test(test_totalreserve_pages),
		cmocka_unit_test(test_dma_exhaustion_stops_at_min_then_atomic_reserve),
		cmocka_unit_test(test_lowmem_reserve_protects_dma_from_fallback),
		cmocka_unit_test(test_fast_path_low_slow_path_min),
		cmocka_unit_test(test_high_order_needs_a_free_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
