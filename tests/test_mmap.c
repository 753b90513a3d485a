/* mmap(2) and munmap(2) of a simulated process (src/mm/mmap.c,
 * mmap_layout.c, vma.c): placement, merging, MAP_* flags, accounting and
 * every errno of /work/shared/reference/mm-syscall-errors.md. The default
 * machine is i386: TASK_SIZE 0xc0000000, mmap_base 0xb8000000 (128 MiB
 * below the 8 MiB-stack's top), vm.mmap_min_addr 65536. */
#include "vma_test.h"

#define MMAP_BASE 0xb8000000UL

static void test_mmap_places_top_down_below_mmap_base(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	assert_int_equal(vt_mm(m)->mmap_base, MMAP_BASE);
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_PRIVATE), MMAP_BASE - PG(1));
	assert_int_equal(vt_map(m, 0, PG(2), RW, MAP_PRIVATE), MMAP_BASE - PG(3));
	/* Same flags, contiguous: one VMA. */
	assert_layout(m, MMAP_BASE - PG(16), MMAP_BASE, "b7ffd000-b8000000 rw-p\n");
	vt_done(m);
}

static void test_mmap_different_prot_does_not_merge(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	vt_map(m, 0, PG(1), PROT_READ, MAP_PRIVATE);
	assert_layout(m, MMAP_BASE - PG(16), MMAP_BASE,
		      "b7ffe000-b7fff000 r--p\n"
		      "b7fff000-b8000000 rw-p\n");
	vt_done(m);
}

static void test_mmap_uses_free_hint_rounded_down(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	assert_int_equal(vt_map(m, AREA + 123, PG(2), RW, MAP_PRIVATE), AREA);
	/* Occupied: placed top-down instead. */
	assert_int_equal(vt_map(m, AREA, PG(1), RW, MAP_PRIVATE), MMAP_BASE - PG(1));
	vt_done(m);
}

static void test_mmap_hint_below_mmap_min_addr_rounds_up(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	assert_int_equal(vt_map(m, 0x1000, PG(1), RW, MAP_PRIVATE), 0x10000);
	vt_done(m);
}

static void test_mmap_fixed_replaces_silently(void **state)
{
	struct machine *m = vt_boot();
	unsigned long total = vt_mm(m)->total_vm;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(4), RW), AREA);
	assert_int_equal(vt_map_fixed(m, AREA + PG(1), PG(1), PROT_READ), AREA + PG(1));
	assert_layout(m, AREA, AREA + PG(4),
		      "50000000-50001000 rw-p\n"
		      "50001000-50002000 r--p\n"
		      "50002000-50004000 rw-p\n");
	assert_int_equal(vt_mm(m)->total_vm, total + 4);
	/* Mapping rw-p back merges all three again. */
	assert_int_equal(vt_map_fixed(m, AREA + PG(1), PG(1), RW), AREA + PG(1));
	assert_layout(m, AREA, AREA + PG(4), "50000000-50004000 rw-p\n");
	vt_done(m);
}

static void test_mmap_fixed_noreplace_refuses_overlap(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, AREA + PG(3), PG(1), RW);
	assert_int_equal(vt_map(m, AREA + PG(1), PG(3), RW, MAP_PRIVATE | MAP_FIXED_NOREPLACE),
			 -EEXIST);
	/* Exactly filling the hole works, and merges with both sides. */
	assert_int_equal(vt_map(m, AREA + PG(1), PG(2), RW, MAP_PRIVATE | MAP_FIXED_NOREPLACE),
			 AREA + PG(1));
	assert_layout(m, AREA, AREA + PG(8), "50000000-50004000 rw-p\n");
	vt_done(m);
}

static void test_mmap_errors(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	assert_int_equal(vt_map(m, 0, 0, RW, MAP_PRIVATE), -EINVAL);		/* len 0 */
	assert_int_equal(vt_map(m, AREA + 1, PG(1), RW, MAP_PRIVATE | MAP_FIXED), -EINVAL);
	assert_int_equal(sys_mmap(m, 0, PG(1), RW, MAP_PRIVATE | MAP_ANONYMOUS, -1, 100), -EINVAL);
	assert_int_equal(vt_map(m, 0, 0xffffffffUL, RW, MAP_PRIVATE), -ENOMEM);	/* rounds to 0 */
	assert_int_equal(vt_map(m, 0, 0xc0001000UL, RW, MAP_PRIVATE), -ENOMEM);	/* > TASK_SIZE */
	assert_int_equal(sys_mmap_pgoff(m, 0, PG(2), RW, MAP_PRIVATE | MAP_ANONYMOUS, -1,
					0xffffffffUL), -EOVERFLOW);
	assert_int_equal(vt_map(m, 0, PG(1), RW, 0), -EINVAL);		/* no map type */
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_SHARED_VALIDATE), -EINVAL);
	assert_int_equal(sys_mmap(m, 0, PG(1), RW, MAP_PRIVATE, 3, 0), -EBADF);	/* no files */
	assert_int_equal(vt_map(m, 0xbffff000UL, PG(2), RW, MAP_PRIVATE | MAP_FIXED), -ENOMEM);
	assert_int_equal(vt_map(m, 0x1000, PG(1), RW, MAP_PRIVATE | MAP_FIXED), -EPERM);
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_SHARED | MAP_GROWSDOWN), -EINVAL);
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_PRIVATE | MAP_HUGETLB), -EINVAL);
	vt_done(m);
}

static void test_mmap_below_mmap_min_addr_allowed_with_cap_sys_rawio(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	vt_spawn(m, true);
	assert_int_equal(vt_map(m, 0x1000, PG(1), RW, MAP_PRIVATE | MAP_FIXED), 0x1000);
	vt_done(m);
}

static void test_mmap_max_map_count(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	int i;

	(void)state;
	m->vm.sysctl_max_map_count = mm->map_count + 10;
	/* Alternating protections never merge; do_mmap refuses only once
	 * map_count is above the limit, so the count ends one past it. */
	for (i = 0; i < 20; i++)
		if (vt_map(m, 0, PG(1), i % 2 ? RW : PROT_READ, MAP_PRIVATE) < 0)
			break;
	assert_int_equal(i, 11);
	assert_int_equal(mm->map_count, m->vm.sysctl_max_map_count + 1);
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_PRIVATE), -ENOMEM);
	vt_done(m);
}

static void test_mmap_shared_anonymous_is_dev_zero(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_SHARED);
	unsigned long b = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_SHARED);
	char *maps = test_proc(m, "/proc/self/maps");

	(void)state;
	assert_int_equal(a, MMAP_BASE - PG(2));
	assert_int_equal(b, MMAP_BASE - PG(4));
	/* Two objects: two VMAs even though they touch. */
	assert_non_null(strstr(maps, "b7ffc000-b7ffe000 rw-s 00000000 00:01 2          /dev/zero (deleted)\n"));
	assert_non_null(strstr(maps, "b7ffe000-b8000000 rw-s 00000000 00:01 1          /dev/zero (deleted)\n"));
	free(maps);
	/* Pieces of one object merge back when their offsets meet again. */
	assert_int_equal(sys_mprotect(m, a, PG(1), PROT_READ), 0);
	assert_non_null(strstr(maps = test_proc(m, "/proc/self/maps"),
			       "b7fff000-b8000000 rw-s 00001000 00:01 1"));
	free(maps);
	assert_int_equal(sys_mprotect(m, a, PG(1), RW), 0);
	assert_layout(m, a, a + PG(2), "b7ffe000-b8000000 rw-s\n");
	vt_done(m);
}

static void test_mmap_noreserve_does_not_merge_with_accounted(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map(m, AREA + PG(1), PG(1), RW, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE);
	vt_map(m, AREA + PG(2), PG(1), RW, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE);
	assert_layout(m, AREA, AREA + PG(3),
		      "50000000-50001000 rw-p\n"
		      "50001000-50003000 rw-p\n");
	assert_true(vt_vma(m, AREA)->vm_flags & VM_ACCOUNT);
	assert_true(vt_vma(m, AREA + PG(1))->vm_flags & VM_NORESERVE);
	vt_done(m);
}

static void test_mmap_private_writable_is_charged(void **state)
{
	struct machine *m = vt_boot();
	long before = m->vm.vm_committed_as;

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	assert_int_equal(m->vm.vm_committed_as, before + 4);
	vt_map_fixed(m, AREA + PG(8), PG(4), PROT_READ);	/* read-only: free */
	vt_map(m, AREA + PG(16), PG(4), RW, MAP_PRIVATE | MAP_FIXED | MAP_NORESERVE);
	assert_int_equal(m->vm.vm_committed_as, before + 4);
	vt_map(m, AREA + PG(24), PG(4), PROT_READ, MAP_SHARED | MAP_FIXED);	/* shmem */
	assert_int_equal(m->vm.vm_committed_as, before + 8);
	/* MAP_FIXED over a charged mapping moves the charge, not doubles it. */
	vt_map_fixed(m, AREA, PG(4), RW);
	assert_int_equal(m->vm.vm_committed_as, before + 8);
	assert_int_equal(sys_munmap(m, AREA, PG(32)), 0);
	assert_int_equal(m->vm.vm_committed_as, before);
	vt_done(m);
}

static void test_mmap_overcommit_never_refuses_past_commit_limit(void **state)
{
	struct machine *m = vt_boot();
	unsigned long limit;

	(void)state;
	m->vm.sysctl_overcommit_memory = OVERCOMMIT_NEVER;
	limit = vm_commit_limit(m);
	assert_int_equal(vt_map(m, 0, PG(limit), RW, MAP_PRIVATE), -ENOMEM);
	assert_true(test_log_contains(m, "not enough memory for the allocation"));
	/* Read-only mappings are not charged. */
	assert_true(vt_map(m, 0, PG(limit), PROT_READ, MAP_PRIVATE) > 0);
	vt_done(m);
}

static void test_mmap_growsdown_keeps_guard_gap_free(void **state)
{
	struct machine *m = vt_boot();
	unsigned long gap = m->vm.stack_guard_gap;

	(void)state;
	assert_int_equal(gap, PG(256));
	vt_map(m, AREA, PG(1), RW, MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_GROWSDOWN);
	/* A hint inside the guard gap is not taken ... */
	assert_int_equal(vt_map(m, AREA - PG(1), PG(1), RW, MAP_PRIVATE), MMAP_BASE - PG(1));
	/* ... one below it is. MAP_FIXED may still map into the gap. */
	assert_int_equal(vt_map(m, AREA - gap - PG(1), PG(1), RW, MAP_PRIVATE), AREA - gap - PG(1));
	assert_int_equal(vt_map_fixed(m, AREA - PG(1), PG(1), RW), AREA - PG(1));
	vt_done(m);
}

static void test_mmap_locked_counts_and_honours_rlimit_memlock(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);

	(void)state;
	assert_int_equal(vt_map(m, AREA, PG(4), RW, MAP_PRIVATE | MAP_FIXED | MAP_LOCKED), AREA);
	assert_int_equal(vt_mm(m)->locked_vm, 4);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_LOCKED);
	/* 8 MiB RLIMIT_MEMLOCK: 2048 pages in all. */
	assert_int_equal(vt_map(m, 0, PG(2045), RW, MAP_PRIVATE | MAP_LOCKED), -EAGAIN);
	tsk->rlim[RLIMIT_MEMLOCK].rlim_cur = 0;
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_PRIVATE | MAP_LOCKED), -EPERM);
	vt_done(m);
}

static void test_mmap_honours_rlimit_as_and_data(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	struct mm_struct *mm = vt_mm(m);

	(void)state;
	tsk->rlim[RLIMIT_AS].rlim_cur = PG(mm->total_vm + 4);
	assert_int_equal(vt_map(m, 0, PG(5), PROT_READ, MAP_PRIVATE), -ENOMEM);
	assert_true(vt_map(m, 0, PG(4), PROT_READ, MAP_PRIVATE) > 0);
	tsk->rlim[RLIMIT_AS].rlim_cur = RLIM_INFINITY;
	tsk->rlim[RLIMIT_DATA].rlim_cur = PG(mm->data_vm + 2);
	assert_int_equal(vt_map(m, 0, PG(3), RW, MAP_PRIVATE), -ENOMEM);
	assert_true(test_log_contains(m, "exceed data ulimit"));
	assert_true(vt_map(m, 0, PG(3), PROT_READ, MAP_PRIVATE) > 0);	/* not data */
	assert_true(vt_map(m, 0, PG(3), RW, MAP_SHARED) > 0);		/* not data */
	vt_done(m);
}

static void test_mmap_legacy_layout_is_bottom_up(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	mmap_init(m);
	m->vm.sysctl_legacy_va_layout = 1;
	vt_spawn(m, false);
	assert_int_equal(vt_mm(m)->mmap_base, 0x40000000UL);	/* TASK_SIZE / 3 */
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_PRIVATE), 0x40000000UL);
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_PRIVATE), 0x40001000UL);
	vt_done(m);
}

static void test_mmap_thp_aligns_2m_multiples_on_x86_64(void **state)
{
	struct machine *m = test_boot_text(vt_x86_64_machine);
	long a;

	(void)state;
	vt_spawn(m, false);
	vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	a = vt_map(m, 0, 2UL << 20, RW, MAP_PRIVATE);
	assert_true(a > 0);
	assert_int_equal(a & ((2UL << 20) - 1), 0);
	vt_done(m);
}

static void test_munmap_errors(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	assert_int_equal(sys_munmap(m, AREA + 1, PG(1)), -EINVAL);
	assert_int_equal(sys_munmap(m, AREA, 0), -EINVAL);
	assert_int_equal(sys_munmap(m, 0xbffff000UL, PG(2)), -EINVAL);	/* past TASK_SIZE */
	assert_int_equal(sys_munmap(m, AREA, PG(16)), 0);		/* nothing there */
	vt_done(m);
}

static void test_munmap_middle_splits_and_uncounts(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	unsigned long total = mm->total_vm, data = mm->data_vm;
	int count = mm->map_count;

	(void)state;
	vt_map_fixed(m, AREA, PG(5), RW);
	assert_int_equal(sys_munmap(m, AREA + PG(1), PG(2) - 100), 0);	/* len rounds up */
	assert_layout(m, AREA, AREA + PG(5),
		      "50000000-50001000 rw-p\n"
		      "50003000-50005000 rw-p\n");
	assert_int_equal(mm->map_count, count + 2);
	assert_int_equal(mm->total_vm, total + 3);
	assert_int_equal(mm->data_vm, data + 3);
	/* One munmap across several VMAs and the holes between them. */
	assert_int_equal(sys_munmap(m, AREA, PG(5)), 0);
	assert_int_equal(mm->map_count, count);
	vt_done(m);
}

static void test_munmap_split_over_max_map_count_fails(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);

	(void)state;
	vt_map_fixed(m, AREA, PG(3), RW);
	m->vm.sysctl_max_map_count = mm->map_count;
	assert_int_equal(sys_munmap(m, AREA + PG(1), PG(1)), -ENOMEM);
	/* Trimming an end needs no new VMA. */
	assert_int_equal(sys_munmap(m, AREA, PG(1)), 0);
	vt_done(m);
}

static void test_syscalls_without_current_task_fail_esrch(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	mmkit_set_current(m, NULL);
	assert_int_equal(vt_map(m, 0, PG(1), RW, MAP_PRIVATE), -ESRCH);
	assert_int_equal(sys_munmap(m, AREA, PG(1)), -ESRCH);
	assert_int_equal(sys_brk(m, 0), -ESRCH);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmap_places_top_down_below_mmap_base),
		cmocka_unit_test(test_mmap_different_prot_does_not_merge),
		cmocka_unit_test(test_mmap_uses_free_hint_rounded_down),
		cmocka_unit_test(test_mmap_hint_below_mmap_min_addr_rounds_up),
		cmocka_unit_test(test_mmap_fixed_replaces_silently),
		cmocka_unit_test(test_mmap_fixed_noreplace_refuses_overlap),
		cmocka_unit_test(test_mmap_errors),
		cmocka_unit_test(test_mmap_below_mmap_min_addr_allowed_with_cap_sys_rawio),
		cmocka_unit_test(test_mmap_max_map_count),
		cmocka_unit_test(test_mmap_shared_anonymous_is_dev_zero),
		cmocka_unit_test(test_mmap_noreserve_does_not_merge_with_accounted),
		cmocka_unit_test(test_mmap_private_writable_is_charged),
		cmocka_unit_test(test_mmap_overcommit_never_refuses_past_commit_limit),
		cmocka_unit_test(test_mmap_growsdown_keeps_guard_gap_free),
		cmocka_unit_test(test_mmap_locked_counts_and_honours_rlimit_memlock),
		cmocka_unit_test(test_mmap_honours_rlimit_as_and_data),
		cmocka_unit_test(test_mmap_legacy_layout_is_bottom_up),
		cmocka_unit_test(test_mmap_thp_aligns_2m_multiples_on_x86_64),
		cmocka_unit_test(test_munmap_errors),
		cmocka_unit_test(test_munmap_middle_splits_and_uncounts),
		cmocka_unit_test(test_munmap_split_over_max_map_count_fails),
		cmocka_unit_test(test_syscalls_without_current_task_fail_esrch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
