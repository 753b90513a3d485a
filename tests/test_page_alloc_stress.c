/* Random alloc/free stress over many orders, zones, gfp masks and CPUs,
 * with the full invariant checker after every step. Each live block
 * carries a tag in every page, checked when it is freed, so two live
 * blocks that overlap are caught too. At the end everything is freed and
 * /proc/buddyinfo must equal the one after boot.
 * The seed is printed; MMKIT_SEED=N repeats a run. */
#include <time.h>

#include "test_page_alloc.h"

static unsigned long long rng_state, the_seed;

static unsigned long long rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned long long stress_seed(void)
{
	const char *env = getenv("MMKIT_SEED");
	unsigned long long seed = env ? strtoull(env, NULL, 0) : (unsigned long long)time(NULL);

	printf("stress seed=%llu (rerun with MMKIT_SEED=%llu)\n", seed, seed);
	fflush(stdout);
	return seed ? seed : 1;
}

struct live {
	struct page *page;
	unsigned int order;
	u64 tag;
};

static unsigned int random_order(void)
{
	unsigned int r = (unsigned int)(rnd() % 100);

	if (r < 60)
		return 0;
	if (r < 85)
		return 1 + (unsigned int)(rnd() % 3);
	return 4 + (unsigned int)(rnd() % 7);
}

static gfp_t random_gfp(void)
{
	static const gfp_t masks[] = {
		GFP_KERNEL, GFP_ATOMIC, GFP_USER, GFP_HIGHUSER, GFP_HIGHUSER_MOVABLE,
		GFP_KERNEL | __GFP_DMA, GFP_KERNEL | __GFP_DMA32, GFP_KERNEL | __GFP_ZERO,
		GFP_NOWAIT, GFP_ATOMIC | __GFP_DMA,
	};

	return masks[rnd() % ARRAY_SIZE(masks)] | ((rnd() & 1) ? __GFP_NOWARN : 0);
}

static u64 *page_tag(struct machine *m, struct page *p)
{
	return phys_to_host(m, page_to_phys(m, p));
}

static void tag_block(struct machine *m, struct live *l)
{
	for (unsigned long i = 0; i < (1UL << l->order); i++)
		*page_tag(m, l->page + i) = l->tag;
}

static void check_tag(struct machine *m, const struct live *l, unsigned long step)
{
	for (unsigned long i = 0; i < (1UL << l->order); i++)
		if (*page_tag(m, l->page + i) != l->tag)
			fail_msg("step %lu: pfn %#lx of a live block was overwritten", step,
				 page_to_pfn(m, l->page + i));
}

static void stress_step(struct machine *m, struct live *live, size_t *nr, size_t cap,
			unsigned long step)
{
	if (rnd() % 64 == 0)
		mmkit_set_cpu((unsigned int)(rnd() % m->desc.nr_cpus));
	if (rnd() % 128 == 0)
		drain_all_pages(m);
	if (*nr < cap && (rnd() % 100 < 55 || !*nr)) {
		struct live l = { .order = random_order(), .tag = rnd() };
		gfp_t gfp = random_gfp();

		l.page = alloc_pages(m, gfp, l.order);
		if (!l.page)
			return;
		assert_int_equal(page_count(l.page), 1);
		assert_int_equal(page_alloc_order(l.page), l.order);
		assert_int_equal(page_to_pfn(m, l.page) & ((1UL << l.order) - 1), 0);
		if (gfp & __GFP_ZERO)
			assert_int_equal(*page_tag(m, l.page), 0);
		tag_block(m, &l);
		live[(*nr)++] = l;
	} else {
		size_t i = rnd() % *nr;

		check_tag(m, &live[i], step);
		__free_pages(m, live[i].page, live[i].order);
		live[i] = live[--*nr];
	}
}

static void stress_machine(struct machine *m, unsigned long steps, size_t cap)
{
	struct live *live = calloc(cap, sizeof(*live));
	char *before, *after;
	size_t nr = 0;

	drain_all_pages(m);
	before = test_proc(m, "/proc/buddyinfo");
	for (unsigned long step = 0; step < steps; step++) {
		stress_step(m, live, &nr, cap, step);
		if (check_page_alloc(m)) {
			test_assert_clean(m);
			fail_msg("seed %llu: check_page_alloc failed after step %lu", the_seed, step);
		}
	}
	while (nr) {
		check_tag(m, &live[nr - 1], steps);
		__free_pages(m, live[nr - 1].page, live[nr - 1].order);
		nr--;
	}
	mmkit_set_cpu(0);
	drain_all_pages(m);
	after = test_proc(m, "/proc/buddyinfo");
	assert_string_equal(after, before);
	assert_int_equal(m->nr_bad_pages, 0);
	test_assert_clean(m);
	free(before);
	free(after);
	free(live);
}

static void test_stress_i386_default(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	stress_machine(m, 4000, 4096);
	mmkit_machine_destroy(m);
}

/* DMA, Normal and 128 MiB of HighMem, two CPUs, page poisoning on. */
static void test_stress_i386_highmem_poisoned(void **state)
{
	struct machine *m = test_boot_text("arch i386\nhighmem yes\ncpus 2\n"
					   "e820 0 0x9f000 usable\n"
					   "e820 0x100000 0x3ff00000 usable\n");

	(void)state;
	m->page_poisoning = true;
	stress_machine(m, 3000, 4096);
	assert_int_equal(m->nr_poison_errors, 0);
	mmkit_machine_destroy(m);
}

/* x86_64 with DMA and DMA32 only (256 MiB). */
static void test_stress_x86_64_dma32(void **state)
{
	struct machine *m = test_boot_text("arch x86_64\ncpus 2\n"
					   "e820 0 0x9fc00 usable\n"
					   "e820 0x100000 0xff00000 usable\n");

	(void)state;
	stress_machine(m, 3000, 4096);
	mmkit_machine_destroy(m);
}

/* x86_64 with Normal above 4 GiB: DMA32 spans the 4 GiB hole, so the
 * full walk is long; fewer steps. (mem_map is flat over the hole: 59 MB,
 * which must fit in the RAM below it.) */
static void test_stress_x86_64_three_zones(void **state)
{
	struct machine *m = test_boot_text("arch x86_64\ncpus 2\n"
					   "e820 0 0x9fc00 usable\n"
					   "e820 0x100000 0x7f00000 usable\n"
					   "e820 0x100000000 0x2000000 usable\n");

	(void)state;
	stress_machine(m, 300, 1024);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_i386_default),
		cmocka_unit_test(test_stress_i386_highmem_poisoned),
		cmocka_unit_test(test_stress_x86_64_dma32),
		cmocka_unit_test(test_stress_x86_64_three_zones),
	};

	rng_state = the_seed = stress_seed();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
