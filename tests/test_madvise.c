/* madvise(2) (src/mm/madvise.c): flag advice splits and merges VMAs like
 * mprotect; page advice only checks the VMAs (its page work is a hook
 * until pages exist); holes give -ENOMEM after the walk. */
#include "vma_test.h"

static void test_madvise_random_splits_and_normal_merges_back(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	assert_int_equal(sys_madvise(m, AREA + PG(1), PG(2), MADV_RANDOM), 0);
	assert_layout(m, AREA, AREA + PG(4),
		      "50000000-50001000 rw-p\n"
		      "50001000-50003000 rw-p\n"
		      "50003000-50004000 rw-p\n");
	assert_true(vt_vma(m, AREA + PG(1))->vm_flags & VM_RAND_READ);
	assert_int_equal(sys_madvise(m, AREA + PG(1), PG(2), MADV_NORMAL), 0);
	assert_layout(m, AREA, AREA + PG(4), "50000000-50004000 rw-p\n");
	vt_done(m);
}

static void test_madvise_sequential_replaces_random(void **state)
{
	struct machine *m = vt_boot();
	vm_flags_t f;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	sys_madvise(m, AREA, PG(1), MADV_RANDOM);
	sys_madvise(m, AREA, PG(1), MADV_SEQUENTIAL);
	f = vt_vma(m, AREA)->vm_flags;
	assert_true(f & VM_SEQ_READ);
	assert_false(f & VM_RAND_READ);
	vt_done(m);
}

static void test_madvise_dontfork_and_dofork(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_DONTFORK), 0);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_DONTCOPY);
	assert_false(vt_vma(m, AREA + PG(1))->vm_flags & VM_DONTCOPY);
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_DOFORK), 0);
	assert_layout(m, AREA, AREA + PG(2), "50000000-50002000 rw-p\n");
	vt_done(m);
}

static void test_madvise_wipeonfork_needs_private_anonymous(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map(m, AREA + PG(1), PG(1), RW, MAP_SHARED | MAP_FIXED);
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_WIPEONFORK), 0);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_WIPEONFORK);
	assert_int_equal(sys_madvise(m, AREA + PG(1), PG(1), MADV_WIPEONFORK), -EINVAL);
	vt_done(m);
}

static void test_madvise_errors(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	assert_int_equal(sys_madvise(m, AREA, PG(1), 77), -EINVAL);		/* unknown advice */
	assert_int_equal(sys_madvise(m, AREA + 1, PG(1), MADV_NORMAL), -EINVAL);
	assert_int_equal(sys_madvise(m, AREA, 0xffffffffUL, MADV_NORMAL), -EINVAL);	/* wraps */
	assert_int_equal(sys_madvise(m, AREA, 0, MADV_DONTNEED), 0);
	assert_int_equal(sys_madvise(m, AREA + PG(4), PG(1), MADV_NORMAL), -ENOMEM);
	/* i386 has no transparent huge pages */
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_HUGEPAGE), -EINVAL);
	vt_done(m);
}

static void test_madvise_over_hole_applies_then_enomem(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, AREA + PG(2), PG(1), RW);
	assert_int_equal(sys_madvise(m, AREA, PG(3), MADV_DONTDUMP), -ENOMEM);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_DONTDUMP);
	assert_true(vt_vma(m, AREA + PG(2))->vm_flags & VM_DONTDUMP);
	vt_done(m);
}

static void test_madvise_dontneed_on_locked_is_einval(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map(m, AREA, PG(2), RW, MAP_PRIVATE | MAP_FIXED | MAP_LOCKED);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_DONTNEED), -EINVAL);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_FREE), -EINVAL);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_COLD), -EINVAL);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_DONTNEED_LOCKED), 0);
	vt_done(m);
}

static void test_madvise_page_advice_succeeds_on_anonymous(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_DONTNEED), 0);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_FREE), 0);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_WILLNEED), 0);
	assert_int_equal(sys_madvise(m, AREA, PG(2), MADV_PAGEOUT), 0);
	assert_layout(m, AREA, AREA + PG(2), "50000000-50002000 rw-p\n");
	vt_done(m);
}

static void test_madvise_free_and_remove_need_the_right_object(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map(m, AREA, PG(1), RW, MAP_SHARED | MAP_FIXED);
	vt_map_fixed(m, AREA + PG(2), PG(1), RW);
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_FREE), -EINVAL);	/* shmem */
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_REMOVE), 0);
	assert_int_equal(sys_madvise(m, AREA + PG(2), PG(1), MADV_REMOVE), -EINVAL);
	vt_done(m);
}

static void test_madvise_populate_checks_permission(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), PROT_READ);
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_POPULATE_READ), 0);
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_POPULATE_WRITE), -EINVAL);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_madvise_random_splits_and_normal_merges_back),
		cmocka_unit_test(test_madvise_sequential_replaces_random),
		cmocka_unit_test(test_madvise_dontfork_and_dofork),
		cmocka_unit_test(test_madvise_wipeonfork_needs_private_anonymous),
		cmocka_unit_test(test_madvise_errors),
		cmocka_unit_test(test_madvise_over_hole_applies_then_enomem),
		cmocka_unit_test(test_madvise_dontneed_on_locked_is_einval),
		cmocka_unit_test(test_madvise_page_advice_succeeds_on_anonymous),
		cmocka_unit_test(test_madvise_free_and_remove_need_the_right_object),
		cmocka_unit_test(test_madvise_populate_checks_permission),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
