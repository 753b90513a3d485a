/* Swapping a process's pages out and faulting them back (src/mm/rmap_walk.c
 * try_to_unmap, swap_state.c, page_io.c, memory_swap.c do_swap_page,
 * swap_unuse.c): swap ptes, rss counters, major faults, the swap cache
 * shared after fork, swap_map after exit, swapoff. Pages are swapped out
 * by hand as reclaim does it (tests/swap_test.h). */
#include "swap_test.h"

static void put_byte(struct machine *m, struct task_struct *tsk, unsigned long addr, char c)
{
	mmkit_set_current(m, tsk);
	poke(m, addr, c);
}

static char get_byte(struct machine *m, struct task_struct *tsk, unsigned long addr)
{
	mmkit_set_current(m, tsk);
	return peek(m, addr);
}

/* Out: the pte holds the entry, MM_ANONPAGES -> MM_SWAPENTS, PSWPOUT.
 * In: the data is back, a major fault, PSWPIN, the slot freed on write. */
static void test_swap_out_and_fault_back_keeps_data(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_PRIVATE);
	unsigned long majflt, pswpin = vm_event(m, PSWPIN), pswpout = vm_event(m, PSWPOUT);
	swp_entry_t e;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 'x');
	poke(m, addr + PAGE_SIZE - 1, 'y');
	e = st_swap_out(m, addr);
	assert_true(is_swap_pte(ft_pte(m, addr)));
	assert_int_equal(pte_to_swp_entry(m, ft_pte(m, addr)).val, e.val);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 0);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 1);
	assert_int_equal(st_map(m, e), 1);
	assert_int_equal(vm_event(m, PSWPOUT), pswpout + 1);
	assert_int_equal(meminfo_kb(m, "SwapFree:"), 62 * 4);
	assert_clean(m);
	majflt = get_current(m)->maj_flt;
	assert_int_equal(peek(m, addr), 'x');
	assert_int_equal(get_current(m)->maj_flt, majflt + 1);
	assert_int_equal(vm_event(m, PSWPIN), pswpin + 1);
	assert_int_equal(peek(m, addr + PAGE_SIZE - 1), 'y');
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 1);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 0);
	assert_clean(m);
	poke(m, addr, 'z');	/* the slot is no longer needed: freed */
	assert_int_equal(st_map(m, e), 0);
	assert_false(PageSwapCache(ft_page(m, addr)));
	assert_int_equal(meminfo_kb(m, "SwapFree:"), 63 * 4);
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

/* After fork both processes name the slot; the first fault reads it into
 * the swap cache, the second finds it there: one read, one page. */
static void test_swap_shared_after_fork_is_read_once(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	unsigned long pswpin;
	swp_entry_t e;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	put_byte(m, parent, addr, 'p');
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	e = st_swap_out_page(m, pte_page(m, ft_pte(m, addr)));	/* both ptes */
	assert_int_equal(st_map(m, e), 2);
	assert_int_equal(get_mm_counter(child->mm, MM_SWAPENTS), 1);
	assert_clean(m);
	pswpin = vm_event(m, PSWPIN);
	assert_int_equal(get_byte(m, child, addr), 'p');
	assert_int_equal(get_byte(m, parent, addr), 'p');
	assert_int_equal(vm_event(m, PSWPIN), pswpin + 1);
	mmkit_set_current(m, parent);
	assert_int_equal(pte_pfn(ft_pte(m, addr)), pte_pfn(ptep_get(m, pte_offset_user(m, child->mm, addr))));
	assert_clean(m);
	put_byte(m, child, addr, 'c');	/* COW: each its own again */
	assert_int_equal(get_byte(m, parent, addr), 'p');
	assert_clean(m);
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

/* Exit of every process naming slots leaves swap_map all zero. */
static void test_swap_map_is_zero_after_fork_and_exit(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(8), RW, MAP_PRIVATE);
	struct swap_info_struct *si;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	si = m->swap.swap_info[0];
	for (int i = 0; i < 8; i++)
		poke(m, addr + PG(i), (char)i);
	for (int i = 0; i < 4; i++)
		st_swap_out(m, addr + PG(i));
	child = mmkit_fork(m, parent);
	for (int i = 4; i < 8; i++)
		st_swap_out_page(m, pte_page(m, ft_pte(m, addr + PG(i))));
	assert_int_equal(si->inuse_pages, 8);
	assert_clean(m);
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	assert_clean(m);
	assert_int_equal(si->inuse_pages, 8);
	assert_int_equal(get_byte(m, parent, addr + PG(5)), 5);
	sys_munmap(m, addr, PG(8));
	assert_int_equal(si->inuse_pages, 0);
	for (unsigned long off = 1; off < si->max; off++)
		assert_int_equal(si->swap_map[off], 0);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

/* swapoff brings every page back, in every process, data intact. */
static void test_swapoff_brings_everything_back(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(8), RW, MAP_PRIVATE);

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	for (int i = 0; i < 8; i++)
		poke(m, addr + PG(i), (char)('a' + i));
	child = mmkit_fork(m, parent);
	mmkit_set_current(m, parent);
	for (int i = 0; i < 8; i++)
		st_swap_out_page(m, pte_page(m, ft_pte(m, addr + PG(i))));
	assert_int_equal(get_mm_counter(parent->mm, MM_SWAPENTS), 8);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_int_equal(get_mm_counter(parent->mm, MM_SWAPENTS), 0);
	assert_int_equal(get_mm_counter(child->mm, MM_SWAPENTS), 0);
	assert_int_equal(get_mm_counter(child->mm, MM_ANONPAGES), 8);
	assert_int_equal(m->swap.total_swap_pages, 0);
	assert_clean(m);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(get_byte(m, child, addr + PG(i)), 'a' + i);
		assert_int_equal(get_byte(m, parent, addr + PG(i)), 'a' + i);
	}
	mmkit_set_current(m, parent);
	vt_done(m);
}

/* A read error: SIGBUS, nothing mapped, the swap pte stays. */
static void test_swap_read_error_is_sigbus(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	struct ft_caught caught = { 0 };
	char c;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 'x');
	st_swap_out(m, addr);
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGBUS, ft_handler, &caught), 0);
	m->swap.fail_read_nth = 1;
	assert_int_not_equal(mmkit_read(m, addr, &c, 1), 0);
	assert_int_equal(caught.calls, 1);
	assert_int_equal(caught.info.signo, SIGBUS);
	assert_log_has(m, "Read-error on swap-device");
	assert_true(is_swap_pte(ft_pte(m, addr)));
	assert_int_equal(peek(m, addr), 'x');	/* the next read works */
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_out_and_fault_back_keeps_data),
		cmocka_unit_test(test_swap_shared_after_fork_is_read_once),
		cmocka_unit_test(test_swap_map_is_zero_after_fork_and_exit),
		cmocka_unit_test(test_swapoff_brings_everything_back),
		cmocka_unit_test(test_swap_read_error_is_sigbus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
