/* mlock(2), mlock2, munlock, mlockall, munlockall (src/mm/mlock.c) and
 * msync(2) (src/mm/msync.c): VM_LOCKED on VMAs, locked_vm within
 * RLIMIT_MEMLOCK, def_flags for MCL_FUTURE, and the errno cases. */
#include <mmkit/mmu.h>

#include "vma_test.h"

static void test_mlock_splits_and_counts_locked_vm(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	assert_int_equal(sys_mlock(m, AREA + PG(1), PG(2)), 0);
	assert_layout(m, AREA, AREA + PG(4),
		      "50000000-50001000 rw-p\n"
		      "50001000-50003000 rw-p\n"
		      "50003000-50004000 rw-p\n");
	assert_true(vt_vma(m, AREA + PG(1))->vm_flags & VM_LOCKED);
	assert_int_equal(vt_mm(m)->locked_vm, 2);
	assert_int_equal(sys_munlock(m, AREA, PG(4)), 0);
	assert_layout(m, AREA, AREA + PG(4), "50000000-50004000 rw-p\n");
	assert_int_equal(vt_mm(m)->locked_vm, 0);
	vt_done(m);
}

/* mlock faults the range in and the pages count in meminfo's Mlocked;
 * munlock and the pages' freeing at munmap give the count back. */
static void test_mlocked_pages_show_in_meminfo(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 0);
	assert_int_equal(sys_mlock(m, AREA, PG(3)), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 12);
	assert_int_equal(sys_munlock(m, AREA, PG(1)), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 8);
	assert_int_equal(sys_munmap(m, AREA, PG(4)), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 0);
	vt_done(m);
}

/* A page faulted into a VM_LOCKED VMA later (MCL_FUTURE with
 * MCL_ONFAULT: nothing populated up front) is mlocked by the fault. */
static void test_fault_in_locked_vma_mlocks_the_page(void **state)
{
	struct machine *m = vt_boot();
	char byte = 1;

	(void)state;
	assert_int_equal(sys_mlockall(m, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT), 0);
	vt_map_fixed(m, AREA, PG(4), RW);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 0);
	assert_int_equal(mmkit_write(m, AREA + PG(2), &byte, 1), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 4);
	assert_int_equal(sys_munlockall(m), 0);
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 0);
	vt_done(m);
}

static void test_mlock_unaligned_start_is_rounded_down(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	/* [AREA + 0x800, AREA + 0x1800) touches pages 0 and 1 */
	assert_int_equal(sys_mlock(m, AREA + 0x800, 0x1000), 0);
	assert_int_equal(vt_mm(m)->locked_vm, 2);
	assert_int_equal(vt_vma(m, AREA)->vm_end, AREA + PG(2));
	vt_done(m);
}

static void test_mlock_unmapped_is_enomem(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, AREA + PG(2), PG(1), RW);
	assert_int_equal(sys_mlock(m, AREA + PG(8), PG(1)), -ENOMEM);
	/* A hole after the first VMA: that one ends up locked anyway. */
	assert_int_equal(sys_mlock(m, AREA, PG(3)), -ENOMEM);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_LOCKED);
	assert_false(vt_vma(m, AREA + PG(2))->vm_flags & VM_LOCKED);
	vt_done(m);
}

static void test_mlock_prot_none_locks_but_fails_enomem(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), PROT_NONE);
	/* Populating inaccessible memory fails; Linux reports ENOMEM but keeps the lock. */
	assert_int_equal(sys_mlock(m, AREA, PG(2)), -ENOMEM);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_LOCKED);
	assert_int_equal(vt_mm(m)->locked_vm, 2);
	vt_done(m);
}

static void test_mlock_honours_rlimit_memlock(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);

	(void)state;
	vt_map_fixed(m, AREA, PG(8), RW);
	tsk->rlim[RLIMIT_MEMLOCK].rlim_cur = PG(4);
	assert_int_equal(sys_mlock(m, AREA, PG(5)), -ENOMEM);
	assert_int_equal(sys_mlock(m, AREA, PG(4)), 0);
	/* Pages already locked are not counted twice. */
	assert_int_equal(sys_mlock(m, AREA, PG(4)), 0);
	assert_int_equal(sys_mlock(m, AREA + PG(2), PG(3)), -ENOMEM);
	tsk->rlim[RLIMIT_MEMLOCK].rlim_cur = 0;
	assert_int_equal(sys_mlock(m, AREA, PG(1)), -EPERM);
	/* munlock needs no limit. */
	assert_int_equal(sys_munlock(m, AREA, PG(8)), 0);
	vt_done(m);
}

static void test_mlock_with_cap_ipc_lock_ignores_limit(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	vt_spawn(m, true);
	get_current(m)->rlim[RLIMIT_MEMLOCK].rlim_cur = 0;
	vt_map_fixed(m, AREA, PG(8), RW);
	assert_int_equal(sys_mlock(m, AREA, PG(8)), 0);
	assert_int_equal(vt_mm(m)->locked_vm, 8);
	vt_done(m);
}

static void test_mlock2_flags(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	assert_int_equal(sys_mlock2(m, AREA, PG(1), 2), -EINVAL);
	assert_int_equal(sys_mlock2(m, AREA, PG(1), MLOCK_ONFAULT), 0);
	assert_int_equal(vt_vma(m, AREA)->vm_flags & VM_LOCKED_MASK, VM_LOCKED | VM_LOCKONFAULT);
	vt_done(m);
}

static void test_mlockall_current_and_future(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	struct vm_area_struct *v;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	assert_int_equal(sys_mlockall(m, MCL_CURRENT | MCL_FUTURE), 0);
	for_each_vma(mm, v)
		assert_true(v->vm_flags & VM_LOCKED);
	assert_int_equal(mm->locked_vm, mm->total_vm);
	assert_int_equal(mm->def_flags, VM_LOCKED);
	/* New mappings come locked (seed 002: def_flags). */
	vt_map_fixed(m, AREA + PG(8), PG(1), RW);
	assert_true(vt_vma(m, AREA + PG(8))->vm_flags & VM_LOCKED);
	assert_int_equal(sys_munlockall(m), 0);
	assert_int_equal(mm->locked_vm, 0);
	assert_int_equal(mm->def_flags, 0);
	vt_done(m);
}

static void test_mlockall_errors(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);

	(void)state;
	assert_int_equal(sys_mlockall(m, 0), -EINVAL);
	assert_int_equal(sys_mlockall(m, MCL_ONFAULT), -EINVAL);
	assert_int_equal(sys_mlockall(m, 8), -EINVAL);
	tsk->rlim[RLIMIT_MEMLOCK].rlim_cur = PG(vt_mm(m)->total_vm - 1);
	assert_int_equal(sys_mlockall(m, MCL_CURRENT), -ENOMEM);
	assert_int_equal(sys_mlockall(m, MCL_FUTURE), 0);	/* only current counts */
	tsk->rlim[RLIMIT_MEMLOCK].rlim_cur = 0;
	assert_int_equal(sys_mlockall(m, MCL_FUTURE), -EPERM);
	vt_done(m);
}

static void test_msync_checks(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map(m, AREA, PG(2), RW, MAP_SHARED | MAP_FIXED);
	vt_map(m, AREA + PG(3), PG(1), RW, MAP_PRIVATE | MAP_FIXED | MAP_LOCKED);
	assert_int_equal(sys_msync(m, AREA, PG(2), MS_SYNC), 0);
	assert_int_equal(sys_msync(m, AREA, PG(2), MS_SYNC | MS_ASYNC), -EINVAL);
	assert_int_equal(sys_msync(m, AREA + 1, PG(2), MS_SYNC), -EINVAL);
	assert_int_equal(sys_msync(m, AREA, PG(2), 8), -EINVAL);
	assert_int_equal(sys_msync(m, AREA, 0, MS_SYNC), 0);
	assert_int_equal(sys_msync(m, AREA + PG(8), PG(1), MS_SYNC), -ENOMEM);
	/* A hole: plain MS_ASYNC gives up at once, MS_SYNC walks on. */
	assert_int_equal(sys_msync(m, AREA, PG(4), MS_ASYNC), -ENOMEM);
	assert_int_equal(sys_msync(m, AREA, PG(4), MS_SYNC), -ENOMEM);
	assert_int_equal(sys_msync(m, AREA + PG(3), PG(1), MS_INVALIDATE), -EBUSY);
	assert_int_equal(sys_msync(m, AREA, PG(4), MS_SYNC | MS_INVALIDATE), -EBUSY);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mlock_splits_and_counts_locked_vm),
		cmocka_unit_test(test_mlocked_pages_show_in_meminfo),
		cmocka_unit_test(test_fault_in_locked_vma_mlocks_the_page),
		cmocka_unit_test(test_mlock_unaligned_start_is_rounded_down),
		cmocka_unit_test(test_mlock_unmapped_is_enomem),
		cmocka_unit_test(test_mlock_prot_none_locks_but_fails_enomem),
		cmocka_unit_test(test_mlock_honours_rlimit_memlock),
		cmocka_unit_test(test_mlock_with_cap_ipc_lock_ignores_limit),
		cmocka_unit_test(test_mlock2_flags),
		cmocka_unit_test(test_mlockall_current_and_future),
		cmocka_unit_test(test_mlockall_errors),
		cmocka_unit_test(test_msync_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
