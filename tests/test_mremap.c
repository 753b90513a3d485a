/* mremap(2) (src/mm/mremap.c): growing and shrinking in place, moving
 * (MAYMOVE, FIXED, DONTUNMAP, several VMAs at once), the merges Linux
 * makes on the way, the accounting, and every errno of the reference
 * table. */
#include "vma_test.h"

#define MMAP_BASE 0xb8000000UL

static void test_mremap_grows_in_place(void **state)
{
	struct machine *m = vt_boot();
	unsigned long total = vt_mm(m)->total_vm;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(5), 0, 0), AREA);
	assert_layout(m, AREA, AREA + PG(8), "50000000-50005000 rw-p\n");
	assert_int_equal(vt_mm(m)->total_vm, total + 5);
	vt_done(m);
}

static void test_mremap_grow_merges_with_next(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(4), PG(2), RW);
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(4), 0, 0), AREA);
	assert_layout(m, AREA, AREA + PG(8), "50000000-50006000 rw-p\n");
	vt_done(m);
}

static void test_mremap_cannot_grow_in_place_without_maymove(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(2), PG(1), PROT_READ);
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(3), 0, 0), -ENOMEM);
	/* With MREMAP_MAYMOVE it moves top-down, and the old range is gone. */
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(3), MREMAP_MAYMOVE, 0), MMAP_BASE - PG(3));
	assert_null(vt_vma(m, AREA));
	assert_layout(m, MMAP_BASE - PG(3), MMAP_BASE, "b7ffd000-b8000000 rw-p\n");
	vt_done(m);
}

static void test_mremap_shrink_unmaps_tail_across_vmas(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(2), PG(2), PROT_READ);
	assert_int_equal(sys_mremap(m, AREA, PG(4), PG(1), 0, 0), AREA);
	assert_layout(m, AREA, AREA + PG(4), "50000000-50001000 rw-p\n");
	vt_done(m);
}

static void test_mremap_fixed_replaces_destination(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(8), PG(4), PROT_READ);
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(2), MREMAP_MAYMOVE | MREMAP_FIXED,
				    AREA + PG(9)), AREA + PG(9));
	assert_layout(m, AREA, AREA + PG(12),
		      "50008000-50009000 r--p\n"
		      "50009000-5000b000 rw-p\n"
		      "5000b000-5000c000 r--p\n");
	vt_done(m);
}

static void test_mremap_moved_untouched_vma_merges_at_destination(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(8), PG(2), RW);
	/* Never written: its pgoff follows it, so it joins the VMA it lands next to. */
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(2), MREMAP_MAYMOVE | MREMAP_FIXED,
				    AREA + PG(10)), AREA + PG(10));
	assert_layout(m, AREA, AREA + PG(16), "50008000-5000c000 rw-p\n");
	assert_int_equal(vt_vma(m, AREA + PG(8))->vm_pgoff, (AREA + PG(8)) >> PAGE_SHIFT);
	vt_done(m);
}

static void test_mremap_dontunmap_keeps_empty_source(void **state)
{
	struct machine *m = vt_boot();
	long before;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	before = m->vm.vm_committed_as;
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(2),
				    MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP, AREA + PG(4)),
			 AREA + PG(4));
	assert_layout(m, AREA, AREA + PG(8),
		      "50000000-50002000 rw-p\n"
		      "50004000-50006000 rw-p\n");
	/* Both stay charged (Linux 6.18 keeps VM_ACCOUNT on the source). */
	assert_int_equal(m->vm.vm_committed_as, before + 2);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_ACCOUNT);
	vt_done(m);
}

static void test_mremap_moves_several_vmas_keeping_gaps(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(3), PG(1), PROT_READ);
	/* A pure move (FIXED, same length) may span VMAs and the gaps between. */
	assert_int_equal(sys_mremap(m, AREA, PG(4), PG(4), MREMAP_MAYMOVE | MREMAP_FIXED,
				    AREA + PG(16)), AREA + PG(16));
	assert_layout(m, AREA, AREA + PG(32),
		      "50010000-50012000 rw-p\n"
		      "50013000-50014000 r--p\n");
	/* A gap at the start is not allowed. */
	assert_int_equal(sys_mremap(m, AREA + PG(15), PG(4), PG(4), MREMAP_MAYMOVE | MREMAP_FIXED,
				    AREA), -EFAULT);
	vt_done(m);
}

static void test_mremap_errors(void **state)
{
	struct machine *m = vt_boot();
	const unsigned long mv = MREMAP_MAYMOVE;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(2), PG(2), PROT_READ);
	assert_int_equal(sys_mremap(m, AREA, PG(1), PG(1), 8, 0), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA + 1, PG(1), PG(1), 0, 0), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, PG(1), 0, 0, 0), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, PG(1), PG(1), MREMAP_FIXED, AREA + PG(8)), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, PG(1), PG(1), MREMAP_DONTUNMAP, AREA + PG(8)), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, PG(1), PG(2), mv | MREMAP_DONTUNMAP, 0), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(2), mv | MREMAP_FIXED, AREA + PG(1)), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, PG(1), PG(1), mv | MREMAP_FIXED, AREA + PG(8) + 1),
			 -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, 0, PG(1), mv, 0), -EINVAL);	/* private */
	assert_true(test_log_contains(m, "attempted to duplicate a private mapping with mremap"));
	assert_int_equal(sys_mremap(m, AREA + PG(8), PG(1), PG(2), mv, 0), -EFAULT);
	assert_int_equal(sys_mremap(m, AREA, PG(3), PG(5), mv, 0), -EFAULT);	/* two VMAs */
	vt_done(m);
}

static void test_mremap_locked_growth_over_rlimit_memlock_is_eagain(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map(m, AREA, PG(2), RW, MAP_PRIVATE | MAP_FIXED | MAP_LOCKED);
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(2049), MREMAP_MAYMOVE, 0), -EAGAIN);
	assert_int_equal(sys_mremap(m, AREA, PG(2), PG(4), 0, 0), AREA);
	assert_int_equal(vt_mm(m)->locked_vm, 4);
	vt_done(m);
}

static void test_mremap_zero_old_len_duplicates_shared(void **state)
{
	struct machine *m = vt_boot();
	long dup;

	(void)state;
	vt_map(m, AREA, PG(2), RW, MAP_SHARED | MAP_FIXED);
	dup = sys_mremap(m, AREA, 0, PG(2), MREMAP_MAYMOVE, 0);
	assert_int_equal(dup, MMAP_BASE - PG(2));
	assert_ptr_equal(vt_vma(m, AREA)->vm_file, vt_vma(m, (unsigned long)dup)->vm_file);
	assert_int_equal(vt_vma(m, AREA)->vm_file->f_count, 2);
	vt_done(m);
}

static void test_mremap_shrink_and_move_leaks_commit_like_linux(void **state)
{
	struct machine *m = vt_boot();
	long before;

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	before = m->vm.vm_committed_as;
	assert_int_equal(sys_mremap(m, AREA, PG(4), PG(1), MREMAP_MAYMOVE | MREMAP_FIXED,
				    AREA + PG(8)), AREA + PG(8));
	/* Linux 6.18 charges the 3 shrunk pages again and never returns them. */
	assert_int_equal(m->vm.vm_committed_as, before);
	assert_int_equal(m->vm.vm_committed_leaked, 3);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mremap_grows_in_place),
		cmocka_unit_test(test_mremap_grow_merges_with_next),
		cmocka_unit_test(test_mremap_cannot_grow_in_place_without_maymove),
		cmocka_unit_test(test_mremap_shrink_unmaps_tail_across_vmas),
		cmocka_unit_test(test_mremap_fixed_replaces_destination),
		cmocka_unit_test(test_mremap_moved_untouched_vma_merges_at_destination),
		cmocka_unit_test(test_mremap_dontunmap_keeps_empty_source),
		cmocka_unit_test(test_mremap_moves_several_vmas_keeping_gaps),
		cmocka_unit_test(test_mremap_errors),
		cmocka_unit_test(test_mremap_locked_growth_over_rlimit_memlock_is_eagain),
		cmocka_unit_test(test_mremap_zero_old_len_duplicates_shared),
		cmocka_unit_test(test_mremap_shrink_and_move_leaks_commit_like_linux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
