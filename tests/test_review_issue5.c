/* Regression tests from the review of issue 5 (page cache, swap, rmap,
 * reclaim, shmem): error paths and reference counts of the swap paths
 * that the per-subsystem tests do not reach. */
#include <fcntl.h>
#include <unistd.h>

#include "mm/shmem_fs.h"
#include "swap_test.h"

/* Make the next writes to the area of @e fail: its host handle becomes a
 * read-only one. Returns the real handle, to be put back. */
static int st_break_writes(struct machine *m, swp_entry_t e)
{
	struct swap_info_struct *si = swp_swap_info(m, e);
	int real = si->file;

	si->file = open("/dev/null", O_RDONLY);
	assert_true(si->file >= 0);
	return real;
}

static void st_mend_writes(struct machine *m, swp_entry_t e, int real)
{
	struct swap_info_struct *si = swp_swap_info(m, e);

	close(si->file);
	si->file = real;
}

/* A failed swap write (reclaim's order: add_to_swap, try_to_unmap,
 * swap_writepage) leaves the page in the swap cache, dirty, with the pte a
 * swap pte: the next fault finds the data there, and exit frees it all. */
static void test_swap_write_error_keeps_the_page_in_the_cache(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	struct page *page;
	swp_entry_t e;
	int real;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 'w');
	page = ft_page(m, addr);
	get_page(page);
	lock_page(m, page);
	assert_int_equal(add_to_swap(m, page), 0);
	e.val = page->private;
	assert_true(try_to_unmap(m, page, 0));
	real = st_break_writes(m, e);
	assert_int_equal(swap_writepage(m, page, NULL), -EIO);	/* unlocks */
	st_mend_writes(m, e, real);
	assert_log_has(m, "Write-error on swap-device");
	assert_true(PageDirty(page));
	assert_true(PageSwapCache(page));
	assert_false(PageLocked(page));
	put_page(m, page);
	assert_clean(m);
	assert_int_equal(peek(m, addr), 'w');
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

/* A read error during swapoff no longer ends it (Linux 6.x unuse_pte):
 * the unreadable page's pte becomes a poisoned PTE marker, the other
 * page comes back, the area goes, nothing leaks (tests/test_swap_poison.c
 * has the rest). */
static void test_swapoff_read_error_poisons_the_pte(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_PRIVATE);

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 'a');
	poke(m, addr + PAGE_SIZE, 'b');
	st_swap_out(m, addr);
	st_swap_out(m, addr + PAGE_SIZE);
	m->swap.fail_read_nth = 1;
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_clean(m);
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	assert_int_equal(peek(m, addr + PAGE_SIZE), 'b');
	assert_int_equal(meminfo_kb(m, "SwapTotal:"), 0);
	vt_done(m);
}

/* MADV_DONTNEED and MADV_FREE on swap ptes give their slots back. */
static void test_madvise_on_swap_ptes_frees_the_slots(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_PRIVATE);
	swp_entry_t e0, e1;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 'a');
	poke(m, addr + PAGE_SIZE, 'b');
	e0 = st_swap_out(m, addr);
	e1 = st_swap_out(m, addr + PAGE_SIZE);
	assert_int_equal(sys_madvise(m, addr, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_int_equal(sys_madvise(m, addr + PAGE_SIZE, PAGE_SIZE, MADV_FREE), 0);
	assert_int_equal(st_map(m, e0), 0);
	assert_int_equal(st_map(m, e1), 0);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 0);
	assert_int_equal(meminfo_kb(m, "SwapFree:"), 63 * 4);
	assert_clean(m);
	assert_int_equal(peek(m, addr), 0);
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

/* A page read back by a read fault stays in the swap cache (the slot is
 * kept); munmap then gives slot and cache page back. */
static void test_munmap_of_a_swapcache_page_frees_the_slot(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	swp_entry_t e;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 'r');
	e = st_swap_out(m, addr);
	assert_int_equal(peek(m, addr), 'r');	/* read: stays in the cache */
	assert_true(PageSwapCache(ft_page(m, addr)));
	assert_int_equal(sys_munmap(m, addr, PAGE_SIZE), 0);
	assert_int_equal(st_map(m, e), 0);
	assert_int_equal(meminfo_kb(m, "SwapFree:"), 63 * 4);
	assert_int_equal(meminfo_kb(m, "SwapCached:"), 0);
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

/* Fork after a read fault left the page in the swap cache mapped
 * read-only: the child's write copies, the parent's write reuses, and
 * the slot goes once nobody needs it. */
static void test_fork_of_a_swapcache_page_then_writes(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	swp_entry_t e;

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 'p');
	e = st_swap_out(m, addr);
	assert_int_equal(peek(m, addr), 'p');
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	poke(m, addr, 'c');
	mmkit_set_current(m, parent);
	poke(m, addr, 'q');
	assert_int_equal(peek(m, addr), 'q');
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, addr), 'c');
	mmkit_set_current(m, parent);
	assert_int_equal(st_map(m, e), 0);
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

/* The swap checker catches a slot holding a reference that no swap pte
 * and no shmem entry explains (a swap_map leak), also with shmem's hook
 * registered; and still accepts shmem's own entries. */
static void test_swap_checker_reports_a_leaked_slot_reference(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	unsigned long shm = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_SHARED | MAP_ANONYMOUS);
	struct page *page;
	swp_entry_t e;

	(void)state;
	assert_non_null(m->swap.shmem_unuse);
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, shm, 's');
	page = ft_page(m, shm);
	get_page(page);
	assert_true(try_to_unmap(m, page, 0));
	lock_page(m, page);
	assert_int_equal(clear_page_dirty_for_io(m, page), 1);
	{
		struct writeback_control wbc = { .nr_to_write = 1, .for_reclaim = true };

		assert_int_equal(shmem_writepage(m, page, &wbc), 0);	/* to swap */
	}
	put_page(m, page);
	assert_int_equal(check_user_memory(m), 0);	/* the shmem entry's reference */
	poke(m, addr, 'x');
	e = st_swap_out(m, addr);
	assert_int_equal(check_user_memory(m), 0);
	assert_int_equal(swap_duplicate(m, e), 0);	/* leaked */
	assert_int_not_equal(check_user_memory(m), 0);
	assert_log_has(m, "count 2 but 1 swap ptes");
	swap_free(m, e);
	assert_int_equal(check_user_memory(m), 0);
	assert_int_equal(peek(m, shm), 's');
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_write_error_keeps_the_page_in_the_cache),
		cmocka_unit_test(test_swapoff_read_error_poisons_the_pte),
		cmocka_unit_test(test_madvise_on_swap_ptes_frees_the_slots),
		cmocka_unit_test(test_munmap_of_a_swapcache_page_frees_the_slot),
		cmocka_unit_test(test_fork_of_a_swapcache_page_then_writes),
		cmocka_unit_test(test_swap_checker_reports_a_leaked_slot_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
