/* A swap read error during swapoff (src/mm/swap_unuse.c, memory_swap.c;
 * cf. Linux 6.x unuse_pte, make_poisoned_swp_entry, handle_pte_marker):
 * swapoff succeeds, the pte becomes a poisoned PTE marker naming no slot,
 * and touching the address is SIGBUS (VM_FAULT_HWPOISON; mmkit's x86
 * do_sigbus gives BUS_ADRERR, Linux's without CONFIG_MEMORY_FAILURE).
 * fork copies the marker, zap/MADV_FREE clear it, mprotect leaves it,
 * mremap moves it, smaps and status do not count it as swap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "swap_test.h"

static char get_byte(struct machine *m, struct task_struct *tsk, unsigned long addr)
{
	mmkit_set_current(m, tsk);
	return peek(m, addr);
}

/* Three pages 'a' 'b' 'c' swapped out, then swapoff with the first read
 * failing (unuse walks the VMA upwards: the page at @addr). */
static unsigned long poisoned_setup(struct machine *m)
{
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(3), RW, MAP_PRIVATE);

	st_swapon(m, "/swapfile", 64, 0);
	for (int i = 0; i < 3; i++) {
		poke(m, addr + PG(i), (char)('a' + i));
		st_swap_out(m, addr + PG(i));
	}
	m->swap.fail_read_nth = 1;
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	return addr;
}

/* The value in kB of @field ("Swap:") in the /proc file @path. */
static long proc_kb(struct machine *m, const char *path, const char *field)
{
	char *text = test_proc(m, path), *p;
	long kb;

	assert_non_null(text);
	p = strstr(text, field);
	assert_non_null(p);
	kb = strtol(p + strlen(field), NULL, 10);
	free(text);
	return kb;
}

static void test_swapoff_read_error_succeeds_and_poisons_the_pte(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr;
	char *swaps;

	(void)state;
	addr = poisoned_setup(m);
	assert_log_has(m, "Read-error on swap-device");
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	assert_int_equal(pte_marker_get(pte_to_swp_entry(m, ft_pte(m, addr))), PTE_MARKER_POISONED);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 0);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 2);
	assert_int_equal(meminfo_kb(m, "SwapTotal:"), 0);
	assert_int_equal(m->swap.total_swap_pages, 0);
	swaps = test_proc(m, "/proc/swaps");
	assert_null(strstr(swaps, "/swapfile"));
	free(swaps);
	assert_int_equal(peek(m, addr + PG(1)), 'b');
	assert_int_equal(peek(m, addr + PG(2)), 'c');
	vt_done(m);
}

/* The marker's bits: swap type SWP_PTE_MARKER (31), offset POISONED, in
 * the swap pte layout of the machine (2-level: type at bit 1, offset from
 * bit 9: 31 << 1 | 2 << 9 = 0x43e). */
static void test_poisoned_marker_encoding(void **state)
{
	struct machine *m = vt_boot();
	pte_t pte = make_pte_marker(m, PTE_MARKER_POISONED);
	swp_entry_t e = pte_to_swp_entry(m, pte);

	(void)state;
	assert_int_equal(MAX_SWAPFILES, 31);
	assert_int_equal(SWP_PTE_MARKER, 31);
	assert_false(pte_present(pte));
	assert_false(pte_none(pte));
	assert_true(is_pte_marker(m, pte));
	assert_true(non_swap_entry(e));
	assert_true(is_poisoned_swp_entry(e));
	assert_int_equal(swp_type(e), 31);
	if (pgt_fmt(m)->levels == 2)
		assert_int_equal(pte_val(pte), 0x43e);
	assert_null(swp_swap_info(m, e));
	vt_done(m);
}

static void test_touching_the_poisoned_page_is_sigbus(void **state)
{
	struct machine *m = vt_boot();
	struct ft_caught caught = { 0 };
	unsigned long addr;
	char c = 'z';

	(void)state;
	addr = poisoned_setup(m);
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGBUS, ft_handler, &caught), 0);
	assert_int_not_equal(mmkit_read(m, addr + 5, &c, 1), 0);
	assert_int_equal(caught.calls, 1);
	assert_int_equal(caught.info.signo, SIGBUS);
	assert_int_equal(caught.info.code, BUS_ADRERR);
	assert_int_equal(caught.info.addr, addr + 5);
	assert_int_not_equal(mmkit_write(m, addr, &c, 1), 0);	/* a write too */
	assert_int_equal(caught.calls, 2);
	assert_true(is_pte_marker(m, ft_pte(m, addr)));	/* it stays */
	/* the rest of the process's memory works */
	poke(m, addr + PG(1), 'B');
	assert_int_equal(peek(m, addr + PG(1)), 'B');
	assert_int_equal(peek(m, addr + PG(2)), 'c');
	assert_clean(m);
	vt_done(m);
}

/* Without a handler the SIGBUS kills the task (the default action). */
static void test_poisoned_page_kills_without_a_handler(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr;
	char c;

	(void)state;
	addr = poisoned_setup(m);
	assert_int_not_equal(mmkit_read(m, addr, &c, 1), 0);
	assert_int_equal(m->signal.last_fatal.info.signo, SIGBUS);
	assert_int_equal(m->signal.last_fatal.info.addr, addr);
	vt_done(m);
}

/* fork copies the marker (copy_pte_marker): the child gets SIGBUS there
 * too, and reads its other pages. */
static void test_fork_copies_the_poisoned_marker(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	struct ft_caught caught = { 0 };
	unsigned long addr;
	char c;

	(void)state;
	addr = poisoned_setup(m);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	assert_int_equal(get_mm_counter(child->mm, MM_SWAPENTS), 0);
	assert_int_equal(mmkit_sigaction(m, child, SIGBUS, ft_handler, &caught), 0);
	assert_int_not_equal(mmkit_read(m, addr, &c, 1), 0);
	assert_int_equal(caught.calls, 1);
	assert_ptr_equal(caught.tsk, child);
	assert_int_equal(get_byte(m, child, addr + PG(2)), 'c');
	assert_clean(m);
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	assert_clean(m);
	vt_done(m);
}

/* A slot two processes share (fork before swap-out) poisons both ptes:
 * Linux's failed folio stays in the swap cache for the whole pass. */
static void test_shared_slot_read_error_poisons_every_pte(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_PRIVATE);

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	poke(m, addr, 's');
	poke(m, addr + PG(1), 't');
	child = mmkit_fork(m, parent);
	mmkit_set_current(m, parent);
	st_swap_out_page(m, pte_page(m, ft_pte(m, addr)));
	st_swap_out_page(m, pte_page(m, ft_pte(m, addr + PG(1))));
	m->swap.fail_read_nth = 1;
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_int_equal(count_in_log(m, "Read-error on swap-device"), 1);
	mmkit_set_current(m, child);
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	mmkit_set_current(m, parent);
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	assert_int_equal(get_mm_counter(parent->mm, MM_SWAPENTS), 0);
	assert_int_equal(get_mm_counter(child->mm, MM_SWAPENTS), 0);
	assert_int_equal(get_byte(m, child, addr + PG(1)), 't');
	assert_int_equal(get_byte(m, parent, addr + PG(1)), 't');
	mmkit_set_current(m, parent);
	vt_done(m);
}

/* munmap clears the marker: no counter moves, nothing leaks. */
static void test_munmap_clears_the_marker(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr;

	(void)state;
	addr = poisoned_setup(m);
	assert_int_equal(sys_munmap(m, addr, PG(3)), 0);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 0);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 0);
	assert_clean(m);
	vt_done(m);
}

/* MADV_DONTNEED and MADV_FREE clear it: the next touch is a new zero
 * page (madvise_free_pte_range's poisoned branch). */
static void test_madvise_clears_the_marker(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr;

	(void)state;
	addr = poisoned_setup(m);
	assert_int_equal(sys_madvise(m, addr, PAGE_SIZE, MADV_FREE), 0);
	assert_true(pte_none(ft_pte(m, addr)));
	assert_int_equal(peek(m, addr), 0);
	assert_clean(m);
	vt_done(m);

	m = vt_boot();
	addr = poisoned_setup(m);
	assert_int_equal(sys_madvise(m, addr, PAGE_SIZE, MADV_DONTNEED), 0);
	assert_true(pte_none(ft_pte(m, addr)));
	assert_int_equal(peek(m, addr), 0);
	vt_done(m);
}

/* mprotect leaves the marker; mremap moves it with the range. */
static void test_mprotect_and_mremap_keep_the_marker(void **state)
{
	struct machine *m = vt_boot();
	struct ft_caught caught = { 0 };
	unsigned long addr;
	long moved;
	char c;

	(void)state;
	addr = poisoned_setup(m);
	assert_int_equal(sys_mprotect(m, addr, PG(3), PROT_READ), 0);
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	assert_int_equal(sys_mprotect(m, addr, PG(3), RW), 0);
	/* a neighbour that keeps it from growing in place */
	assert_int_equal(vt_map_fixed(m, addr + PG(3), PG(1), PROT_READ),
			 (long)(addr + PG(3)));
	moved = sys_mremap(m, addr, PG(3), PG(6), MREMAP_MAYMOVE, 0);
	assert_true(moved > 0 && (unsigned long)moved != addr);
	assert_true(is_pte_marker(m, ft_pte(m, (unsigned long)moved)));
	assert_int_equal(peek(m, (unsigned long)moved + PG(1)), 'b');
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGBUS, ft_handler, &caught), 0);
	assert_int_not_equal(mmkit_read(m, (unsigned long)moved, &c, 1), 0);
	assert_int_equal(caught.calls, 1);
	assert_int_equal(caught.info.addr, (unsigned long)moved);
	assert_clean(m);
	vt_done(m);
}

/* smaps and status count no swap for it (!non_swap_entry). */
static void test_marker_is_not_swap_in_smaps_or_status(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	poisoned_setup(m);
	assert_int_equal(proc_kb(m, "/proc/self/smaps_rollup", "\nSwap:"), 0);
	assert_int_equal(proc_kb(m, "/proc/self/smaps_rollup", "\nSwapPss:"), 0);
	assert_int_equal(proc_kb(m, "/proc/self/status", "\nVmSwap:"), 0);
	vt_done(m);
}

/* A new area after the poisoned one works, and its slots never collide
 * with the marker (type 31 is no area). */
static void test_swapon_again_after_a_poisoned_swapoff(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr;

	(void)state;
	addr = poisoned_setup(m);
	st_swapon(m, "/swap2", 64, 0);
	st_swap_out(m, addr + PG(2));
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 1);
	assert_clean(m);
	assert_int_equal(peek(m, addr + PG(2)), 'c');
	assert_true(is_pte_marker(m, ft_pte(m, addr)));
	assert_int_equal(sys_swapoff(m, "/swap2"), 0);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swapoff_read_error_succeeds_and_poisons_the_pte),
		cmocka_unit_test(test_poisoned_marker_encoding),
		cmocka_unit_test(test_touching_the_poisoned_page_is_sigbus),
		cmocka_unit_test(test_poisoned_page_kills_without_a_handler),
		cmocka_unit_test(test_fork_copies_the_poisoned_marker),
		cmocka_unit_test(test_shared_slot_read_error_poisons_every_pte),
		cmocka_unit_test(test_munmap_clears_the_marker),
		cmocka_unit_test(test_madvise_clears_the_marker),
		cmocka_unit_test(test_mprotect_and_mremap_keep_the_marker),
		cmocka_unit_test(test_marker_is_not_swap_in_smaps_or_status),
		cmocka_unit_test(test_swapon_again_after_a_poisoned_swapoff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
