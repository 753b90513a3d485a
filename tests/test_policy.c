/* Replacement policies (src/mm/vmscan_policy.c, src/sim/opt.c): the
 * textbook reference strings give the known fault counts, through the
 * kernel's own reclaim path (a process limited to N resident pages,
 * evicted pages swapped out and faulted back in) for FIFO, LRU and CLOCK,
 * and through the offline simulation for OPT; the simulation's FIFO, LRU
 * and CLOCK agree with the kernel path. */
#include "fault_test.h"

#include <mmkit/swap.h>

#include "mm/internal_vmscan.h"

static const unsigned long belady[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
static const unsigned long classic[] = { 7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1 };
#define NREFS(a) (sizeof(a) / sizeof((a)[0]))

/* The textbook figures (Silberschatz; Belady's anomaly for FIFO). */
static void test_oracle_gives_textbook_counts(void **state)
{
	(void)state;
	assert_int_equal(reclaim_simulate(RECLAIM_FIFO, belady, NREFS(belady), 3), 9);
	assert_int_equal(reclaim_simulate(RECLAIM_FIFO, belady, NREFS(belady), 4), 10);
	assert_int_equal(reclaim_simulate(RECLAIM_LRU, belady, NREFS(belady), 3), 10);
	assert_int_equal(reclaim_simulate(RECLAIM_LRU, belady, NREFS(belady), 4), 8);
	assert_int_equal(reclaim_simulate(RECLAIM_OPT, belady, NREFS(belady), 3), 7);
	assert_int_equal(reclaim_simulate(RECLAIM_OPT, belady, NREFS(belady), 4), 6);
	assert_int_equal(reclaim_simulate(RECLAIM_FIFO, classic, NREFS(classic), 3), 15);
	assert_int_equal(reclaim_simulate(RECLAIM_LRU, classic, NREFS(classic), 3), 12);
	assert_int_equal(reclaim_simulate(RECLAIM_OPT, classic, NREFS(classic), 3), 9);
}

/* OPT is a lower bound for every policy; enough frames: only cold misses. */
static void test_oracle_opt_is_a_lower_bound(void **state)
{
	unsigned long refs[2000];
	unsigned long x = 12345;

	(void)state;
	for (size_t i = 0; i < NREFS(refs); i++) {
		x = x * 6364136223846793005UL + 1442695040888963407UL;
		refs[i] = (x >> 33) % 40;
	}
	for (size_t frames = 1; frames <= 40; frames += 3) {
		long opt = reclaim_simulate(RECLAIM_OPT, refs, NREFS(refs), frames);

		for (int p = RECLAIM_CLOCK; p <= RECLAIM_FIFO; p++)
			assert_true(reclaim_simulate((enum reclaim_policy)p, refs, NREFS(refs),
						     frames) >= opt);
	}
	assert_int_equal(reclaim_simulate(RECLAIM_OPT, refs, NREFS(refs), 40), 40);
	assert_int_equal(reclaim_simulate(RECLAIM_LINUX, refs, NREFS(refs), 3), -EINVAL);
	assert_int_equal(reclaim_simulate(RECLAIM_FIFO, refs, NREFS(refs), 0), -EINVAL);
}

static void test_policy_names(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_int_equal(reclaim_policy_parse("fifo"), RECLAIM_FIFO);
	assert_int_equal(reclaim_policy_parse("CLOCK"), RECLAIM_CLOCK);
	assert_int_equal(reclaim_policy_parse("nope"), -EINVAL);
	assert_string_equal(reclaim_policy_name(RECLAIM_LRU), "lru");
	assert_int_equal(m->reclaim.policy, RECLAIM_LINUX);
	assert_int_equal(mmkit_set_reclaim_policy(m, "opt"), -EINVAL);	/* needs the future */
	assert_int_equal(mmkit_set_reclaim_policy(m, "lru"), 0);
	assert_true(m->reclaim.track_access);
	assert_int_equal(mmkit_set_reclaim_policy(m, "fifo"), 0);
	assert_false(m->reclaim.track_access);
	mmkit_machine_destroy(m);
}

/* A process on a machine with swap, its resident pages limited to
 * @frames, writes the pages of @refs in order; returns the page faults
 * it took (each one a page brought in). Every page reads back. */
static long kernel_faults(const char *policy, const unsigned long *refs, size_t n,
			  unsigned long frames)
{
	struct machine *m = test_boot_default();
	unsigned long before;
	long faults;

	assert_int_equal(mmkit_mkswap(m, "/swapfile", 4UL << 20), 0);
	assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	vt_spawn(m, true);
	/* what the process has resident so far stays out of the count */
	assert_int_equal(sys_mlockall(m, MCL_CURRENT), 0);
	assert_int_equal(vt_map_fixed(m, AREA, PG(8), RW), (long)AREA);
	assert_int_equal(mmkit_set_reclaim_policy(m, policy), 0);
	assert_int_equal(nr_evictable_lru_pages(m), 0);
	mmkit_set_max_resident(m, frames);
	before = vm_event(m, PGFAULT);
	for (size_t i = 0; i < n; i++) {
		poke(m, AREA + PG(refs[i]), (char)(refs[i] + 1));
		assert_true(nr_evictable_lru_pages(m) <= frames);
	}
	faults = (long)(vm_event(m, PGFAULT) - before);
	mmkit_set_max_resident(m, 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(peek(m, AREA + PG(refs[i])), (char)(refs[i] + 1));
	assert_true(vm_event(m, PSWPOUT) > 0);
	assert_clean(m);
	vt_done(m);
	return faults;
}

static void test_kernel_fifo_shows_beladys_anomaly(void **state)
{
	(void)state;
	assert_int_equal(kernel_faults("fifo", belady, NREFS(belady), 3), 9);
	assert_int_equal(kernel_faults("fifo", belady, NREFS(belady), 4), 10);
	assert_int_equal(kernel_faults("fifo", classic, NREFS(classic), 3), 15);
}

static void test_kernel_lru_textbook_counts(void **state)
{
	(void)state;
	assert_int_equal(kernel_faults("lru", belady, NREFS(belady), 3), 10);
	assert_int_equal(kernel_faults("lru", belady, NREFS(belady), 4), 8);
	assert_int_equal(kernel_faults("lru", classic, NREFS(classic), 3), 12);
}

/* CLOCK through the kernel (the Accessed bit as the reference bit)
 * matches the simulation's second-chance list. */
static void test_kernel_clock_matches_oracle(void **state)
{
	(void)state;
	for (unsigned long f = 3; f <= 4; f++)
		assert_int_equal(kernel_faults("clock", belady, NREFS(belady), f),
				 reclaim_simulate(RECLAIM_CLOCK, belady, NREFS(belady), f));
	assert_int_equal(kernel_faults("clock", classic, NREFS(classic), 3),
			 reclaim_simulate(RECLAIM_CLOCK, classic, NREFS(classic), 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oracle_gives_textbook_counts),
		cmocka_unit_test(test_oracle_opt_is_a_lower_bound),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_kernel_fifo_shows_beladys_anomaly),
		cmocka_unit_test(test_kernel_lru_textbook_counts),
		cmocka_unit_test(test_kernel_clock_matches_oracle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
