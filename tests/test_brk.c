/* brk(2) (src/mm/brk.c), the raw syscall: it returns the new break, or the
 * old one whenever it refuses. The heap starts at the page-rounded end of
 * the bss (default i386 image: text 0x08048000-0x08050000, data
 * 0x08050000-0x08051000). */
#include "vma_test.h"

#define START_BRK 0x08051000UL

static void test_brk_starts_page_rounded_after_bss(void **state)
{
	struct machine *m = test_boot_default();
	struct mmkit_exec_layout l = { .bss_size = 0x1800 };
	struct task_struct *tsk = mmkit_spawn(m, "bss", &l);

	(void)state;
	assert_non_null(tsk);
	mmkit_set_current(m, tsk);
	/* data ends at 0x08051000, the bss at 0x08052800: the break is at 0x08053000 */
	assert_int_equal(sys_brk(m, 0), 0x08053000UL);
	assert_int_equal(tsk->mm->start_brk, 0x08053000UL);
	/* The bss is anonymous like the (file-less) data: one VMA. */
	assert_layout(m, 0x08050000UL, 0x08060000UL, "8050000-8053000 rw-p\n");
	vt_done(m);
}

static void test_brk_grows_heap_vma_and_stores_unaligned_value(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	char *maps;

	(void)state;
	assert_int_equal(sys_brk(m, 0), START_BRK);
	assert_int_equal(sys_brk(m, START_BRK + 0x1234), START_BRK + 0x1234);
	assert_int_equal(mm->brk, START_BRK + 0x1234);
	assert_layout(m, START_BRK, START_BRK + PG(16), "8051000-8053000 rw-p\n");
	assert_int_equal(sys_brk(m, START_BRK + PG(5)), START_BRK + PG(5));
	assert_layout(m, START_BRK, START_BRK + PG(16), "8051000-8056000 rw-p\n");
	maps = test_proc(m, "/proc/self/maps");
	assert_non_null(strstr(maps, "08051000-08056000 rw-p 00000000 00:00 0          [heap]\n"));
	free(maps);
	vt_done(m);
}

static void test_brk_heap_does_not_merge_with_bss(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	/* The data VMA ends exactly at start_brk, but only a VMA of the heap
	 * itself is grown (brkvma is searched above start_brk). */
	sys_brk(m, START_BRK + PG(1));
	assert_layout(m, 0x08050000UL, START_BRK + PG(2),
		      "8050000-8051000 rw-p\n"
		      "8051000-8052000 rw-p\n");
	vt_done(m);
}

static void test_brk_shrink_unmaps(void **state)
{
	struct machine *m = vt_boot();
	unsigned long total = vt_mm(m)->total_vm;

	(void)state;
	sys_brk(m, START_BRK + PG(4));
	assert_int_equal(sys_brk(m, START_BRK + PG(1) + 8), START_BRK + PG(1) + 8);
	assert_layout(m, START_BRK, START_BRK + PG(8), "8051000-8053000 rw-p\n");
	assert_int_equal(sys_brk(m, START_BRK), START_BRK);
	assert_null(vt_vma(m, START_BRK));
	assert_int_equal(vt_mm(m)->total_vm, total);
	vt_done(m);
}

static void test_brk_below_start_returns_old_break(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	sys_brk(m, START_BRK + PG(1));
	assert_int_equal(sys_brk(m, START_BRK - 1), START_BRK + PG(1));
	assert_int_equal(sys_brk(m, 0), START_BRK + PG(1));
	vt_done(m);
}

static void test_brk_over_rlimit_data_returns_old_break(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);

	(void)state;
	/* check_data_rlimit: (brk - start_brk) + (end_data - start_data) */
	get_current(m)->rlim[RLIMIT_DATA].rlim_cur = PG(3);
	assert_int_equal(sys_brk(m, START_BRK + PG(2)), START_BRK + PG(2));
	assert_int_equal(sys_brk(m, START_BRK + PG(2) + 1), START_BRK + PG(2));
	assert_int_equal(mm->brk, START_BRK + PG(2));
	vt_done(m);
}

static void test_brk_keeps_a_page_before_next_mapping(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, START_BRK + PG(8), PG(1), RW);
	assert_int_equal(sys_brk(m, START_BRK + PG(7)), START_BRK + PG(7));
	/* Ending a page below the mapping is too close. */
	assert_int_equal(sys_brk(m, START_BRK + PG(8)), START_BRK + PG(7));
	vt_done(m);
}

static void test_brk_keeps_stack_guard_gap(void **state)
{
	struct machine *m = vt_boot();
	unsigned long stack = START_BRK + PG(300);

	(void)state;
	vt_map(m, stack, PG(1), RW, MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	/* The guard gap below a stack is 256 pages; a page more must stay free. */
	assert_int_equal(sys_brk(m, stack - PG(257)), stack - PG(257));
	assert_int_equal(sys_brk(m, stack - PG(256)), stack - PG(257));
	vt_done(m);
}

static void test_brk_with_mlockall_future_locks_heap(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	vt_spawn(m, true);
	assert_int_equal(sys_mlockall(m, MCL_FUTURE), 0);
	sys_brk(m, START_BRK + PG(2));
	assert_true(vt_vma(m, START_BRK)->vm_flags & VM_LOCKED);
	assert_int_equal(vt_mm(m)->locked_vm, 2);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_brk_starts_page_rounded_after_bss),
		cmocka_unit_test(test_brk_grows_heap_vma_and_stores_unaligned_value),
		cmocka_unit_test(test_brk_heap_does_not_merge_with_bss),
		cmocka_unit_test(test_brk_shrink_unmaps),
		cmocka_unit_test(test_brk_below_start_returns_old_break),
		cmocka_unit_test(test_brk_over_rlimit_data_returns_old_break),
		cmocka_unit_test(test_brk_keeps_a_page_before_next_mapping),
		cmocka_unit_test(test_brk_keeps_stack_guard_gap),
		cmocka_unit_test(test_brk_with_mlockall_future_locks_heap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
