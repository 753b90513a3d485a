/* Reclaim (src/mm/vmscan.c): kswapd woken below the low watermark and
 * balancing to the high one, direct reclaim counted (allocstall, pgscan/
 * pgsteal_direct), anonymous pages swapped out and back intact, mlocked
 * pages never reclaimed, and without swap no anonymous page is scanned. */
#include "fault_test.h"

#include <mmkit/swap.h>

#include "mm/internal_vmscan.h"
#include "mm/page_alloc.h"

/* 32 MiB, i386: ZONE_DMA and 16 MiB of ZONE_NORMAL. */
static const char small_machine[] =
	"name vmscan-32m\n"
	"arch i386\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000001ffffff] usable\n";

#define BIG_AREA 0x10000000UL

static struct machine *boot_with_swap(unsigned long swap_mb)
{
	struct machine *m = test_boot_text(small_machine);

	if (swap_mb) {
		assert_int_equal(mmkit_mkswap(m, "/swapfile", swap_mb << 20), 0);
		assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	}
	vt_spawn(m, true);
	return m;
}

static unsigned long zone_free(struct machine *m, int z)
{
	return zone_page_state(&m->node.node_zones[z], NR_FREE_PAGES);
}

/* A pattern per page and offset. */
static unsigned char pat(unsigned long i)
{
	return (unsigned char)(i * 7 + 3);
}

/* Some zone a user allocation may use is above its high watermark, the
 * lowmem reserve for such a request included (cf. pgdat_balanced). */
static bool node_balanced(struct machine *m)
{
	int hz = gfp_zone(m, GFP_HIGHUSER_MOVABLE);

	for (int z = 0; z <= hz; z++) {
		struct zone *zone = &m->node.node_zones[z];

		if (managed_zone(zone) && zone_watermark_ok(zone, 0, high_wmark_pages(zone), hz, 0))
			return true;
	}
	return false;
}

/* kswapd runs only after an allocation took ZONE_NORMAL below its low
 * watermark, and each run leaves the node balanced: an eligible zone
 * above its high watermark (Linux's pgdat_balanced). */
static void test_kswapd_wakes_below_low_and_stops_at_high(void **state)
{
	struct machine *m = boot_with_swap(32);
	struct zone *normal = &m->node.node_zones[ZONE_NORMAL];
	unsigned long pages = 3 * m->totalram_pages / 2, runs = 0, min_free = ~0UL;

	(void)state;
	assert_int_equal(vt_map_fixed(m, BIG_AREA, PG(pages), RW), (long)BIG_AREA);
	for (unsigned long i = 0; i < pages; i++) {
		unsigned long before = m->reclaim.kswapd_runs;

		if (zone_free(m, ZONE_NORMAL) < min_free)
			min_free = zone_free(m, ZONE_NORMAL);
		poke(m, BIG_AREA + PG(i), (char)pat(i));
		if (m->reclaim.kswapd_runs != before) {
			if (!runs++)	/* first run: free had dipped below low */
				assert_true(min_free <= low_wmark_pages(normal));
			assert_true(node_balanced(m));
		}
	}
	assert_true(runs > 0);
	assert_true(vm_event(m, PAGEOUTRUN) >= runs);	/* a run may take several passes */
	assert_true(vm_event(m, PGSCAN_KSWAPD) > 0);
	assert_true(vm_event(m, PGSTEAL_KSWAPD) > 0);
	assert_true(vm_event(m, PGSTEAL_ANON) > 0);
	assert_true(vm_event(m, PSWPOUT) > 0);
	assert_true(node_page_state(&m->node, NR_VMSCAN_WRITE) > 0);
	assert_int_equal(vm_event(m, PGSTEAL_KSWAPD) + vm_event(m, PGSTEAL_DIRECT),
			 vm_event(m, PGSTEAL_ANON) + vm_event(m, PGSTEAL_FILE));
	assert_int_equal(vm_event(m, PGSCAN_KSWAPD) + vm_event(m, PGSCAN_DIRECT),
			 vm_event(m, PGSCAN_ANON) + vm_event(m, PGSCAN_FILE));
	assert_clean(m);
	vt_done(m);
}

/* Half again as much anonymous memory as RAM: every byte reads back after
 * the pages went to swap and came back (major faults). */
static void test_anon_pages_swap_out_and_back_intact(void **state)
{
	struct machine *m = boot_with_swap(32);
	unsigned long pages = 3 * m->totalram_pages / 2;
	unsigned long majflt = vm_event(m, PGMAJFAULT);

	(void)state;
	assert_int_equal(vt_map_fixed(m, BIG_AREA, PG(pages), RW), (long)BIG_AREA);
	for (unsigned long i = 0; i < pages; i++) {
		unsigned char buf[16];

		mm_memset(buf, pat(i), sizeof(buf));
		assert_int_equal(mmkit_write(m, BIG_AREA + PG(i) + 100, buf, sizeof(buf)), 0);
	}
	for (unsigned long i = 0; i < pages; i++) {
		unsigned char buf[16];

		assert_int_equal(mmkit_read(m, BIG_AREA + PG(i) + 100, buf, sizeof(buf)), 0);
		for (size_t k = 0; k < sizeof(buf); k++)
			assert_int_equal(buf[k], pat(i));
	}
	assert_true(vm_event(m, PSWPIN) > 0);
	assert_true(vm_event(m, PGMAJFAULT) > majflt);
	assert_clean(m);
	vt_done(m);
}

/* Allocations that do not return to a safe point (no kswapd run) fall
 * below the min watermark and reclaim directly. */
static void test_direct_reclaim_is_counted(void **state)
{
	struct machine *m = boot_with_swap(32);
	unsigned long pages = m->totalram_pages, n = 0, stalls = 0;
	struct page **held;

	(void)state;
	assert_int_equal(vt_map_fixed(m, BIG_AREA, PG(pages), RW), (long)BIG_AREA);
	for (unsigned long i = 0; i < pages * 3 / 4; i++)
		poke(m, BIG_AREA + PG(i), (char)pat(i));
	held = calloc(pages, sizeof(*held));
	assert_non_null(held);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		stalls += vm_event(m, ALLOCSTALL + z);
	while (n < pages / 2) {
		held[n] = alloc_pages(m, GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, 0);
		if (!held[n])
			break;
		n++;
	}
	for (int z = 0; z < MAX_NR_ZONES; z++)
		stalls -= vm_event(m, ALLOCSTALL + z);
	assert_true((long)stalls < 0);	/* some allocstall_* grew */
	assert_true(vm_event(m, PGSCAN_DIRECT) > 0);
	assert_true(vm_event(m, PGSTEAL_DIRECT) > 0);
	for (unsigned long i = 0; i < n; i++)
		__free_page(m, held[i]);
	free(held);
	for (unsigned long i = 0; i < pages * 3 / 4; i++)
		assert_int_equal(peek(m, BIG_AREA + PG(i)), (char)pat(i));
	assert_clean(m);
	vt_done(m);
}

/* Mlocked pages stay on the unevictable list and in place through heavy
 * swapping: same frames, same bytes, Mlocked unchanged. */
static void test_mlocked_pages_survive_pressure(void **state)
{
	struct machine *m = boot_with_swap(32);
	unsigned long pages = 3 * m->totalram_pages / 2, pfn[64];
	const unsigned long locked = 0x20000000UL;

	(void)state;
	assert_int_equal(vt_map_fixed(m, locked, PG(64), RW), (long)locked);
	assert_int_equal(sys_mlock(m, locked, PG(64)), 0);
	for (int i = 0; i < 64; i++) {
		poke(m, locked + PG(i), (char)(i + 1));
		pfn[i] = page_to_pfn(m, ft_page(m, locked + PG(i)));
	}
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 256);
	assert_int_equal(vt_map_fixed(m, BIG_AREA, PG(pages), RW), (long)BIG_AREA);
	for (unsigned long i = 0; i < pages; i++)
		poke(m, BIG_AREA + PG(i), (char)pat(i));
	assert_true(vm_event(m, PSWPOUT) > 0);
	for (int i = 0; i < 64; i++) {
		struct page *page = ft_page(m, locked + PG(i));

		assert_int_equal(page_to_pfn(m, page), pfn[i]);
		assert_true(PageUnevictable(page));
		assert_int_equal(peek(m, locked + PG(i)), (char)(i + 1));
	}
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 256);
	assert_clean(m);
	vt_done(m);
}

/* Without swap, anonymous pages are not even scanned: none is written
 * anywhere, and running out ends in the OOM killer. */
static void test_no_swap_leaves_anon_alone(void **state)
{
	struct machine *m = boot_with_swap(0);
	unsigned long pages = m->totalram_pages / 2;

	(void)state;
	assert_int_equal(vt_map_fixed(m, BIG_AREA, PG(pages), RW), (long)BIG_AREA);
	for (unsigned long i = 0; i < pages; i++)
		poke(m, BIG_AREA + PG(i), (char)pat(i));
	assert_int_equal(vm_event(m, PGSCAN_ANON), 0);
	assert_int_equal(vm_event(m, PSWPOUT), 0);
	for (unsigned long i = 0; i < pages; i++)
		assert_int_equal(peek(m, BIG_AREA + PG(i)), (char)pat(i));
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kswapd_wakes_below_low_and_stops_at_high),
		cmocka_unit_test(test_anon_pages_swap_out_and_back_intact),
		cmocka_unit_test(test_direct_reclaim_is_counted),
		cmocka_unit_test(test_mlocked_pages_survive_pressure),
		cmocka_unit_test(test_no_swap_leaves_anon_alone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
