/* mprotect(2) (src/mm/mprotect.c): splitting and merging VMAs, the commit
 * charge as private memory becomes writable, PROT_GROWSDOWN, and every
 * errno of the reference table. */
#include "vma_test.h"

static void test_mprotect_middle_splits_in_three(void **state)
{
	struct machine *m = vt_boot();
	int count = vt_mm(m)->map_count;

	(void)state;
	vt_map_fixed(m, AREA, PG(3), RW);
	assert_int_equal(sys_mprotect(m, AREA + PG(1), PG(1), PROT_READ), 0);
	assert_layout(m, AREA, AREA + PG(3),
		      "50000000-50001000 rw-p\n"
		      "50001000-50002000 r--p\n"
		      "50002000-50003000 rw-p\n");
	assert_int_equal(vt_mm(m)->map_count, count + 3);
	vt_done(m);
}

static void test_mprotect_back_merges_all_three(void **state)
{
	struct machine *m = vt_boot();
	int count = vt_mm(m)->map_count;

	(void)state;
	vt_map_fixed(m, AREA, PG(3), RW);
	sys_mprotect(m, AREA + PG(1), PG(1), PROT_READ);
	assert_int_equal(sys_mprotect(m, AREA + PG(1), PG(1), RW), 0);
	assert_layout(m, AREA, AREA + PG(3), "50000000-50003000 rw-p\n");
	assert_int_equal(vt_mm(m)->map_count, count + 1);
	vt_done(m);
}

static void test_mprotect_edge_merges_into_neighbour(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), PROT_READ);
	vt_map_fixed(m, AREA + PG(2), PG(4), RW);
	/*   r r | w w w w   ->   r r r | w w w   (prev grows, vma shrinks) */
	assert_int_equal(sys_mprotect(m, AREA + PG(2), PG(1), PROT_READ), 0);
	assert_layout(m, AREA, AREA + PG(6),
		      "50000000-50003000 r--p\n"
		      "50003000-50006000 rw-p\n");
	/*   r r r | w w w   ->   r r | w w w w   (next grows, vma shrinks) */
	assert_int_equal(sys_mprotect(m, AREA + PG(2), PG(1), RW), 0);
	assert_layout(m, AREA, AREA + PG(6),
		      "50000000-50002000 r--p\n"
		      "50002000-50006000 rw-p\n");
	vt_done(m);
}

static void test_mprotect_across_vmas_and_holes(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(2), PG(2), PROT_EXEC);
	vt_map_fixed(m, AREA + PG(5), PG(1), RW);
	/* Fully mapped: the three VMAs become one. */
	assert_int_equal(sys_mprotect(m, AREA, PG(4), PROT_READ), 0);
	assert_layout(m, AREA, AREA + PG(4), "50000000-50004000 r--p\n");
	/* With a hole: -ENOMEM, but what came before the hole is changed. */
	assert_int_equal(sys_mprotect(m, AREA + PG(2), PG(4), PROT_NONE), -ENOMEM);
	assert_layout(m, AREA, AREA + PG(6),
		      "50000000-50002000 r--p\n"
		      "50002000-50004000 ---p\n"
		      "50005000-50006000 rw-p\n");
	/* Starting in a hole: -ENOMEM, nothing changes. */
	assert_int_equal(sys_mprotect(m, AREA + PG(4), PG(2), PROT_READ), -ENOMEM);
	assert_layout(m, AREA + PG(5), AREA + PG(6), "50005000-50006000 rw-p\n");
	vt_done(m);
}

static void test_mprotect_errors(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	assert_int_equal(sys_mprotect(m, AREA + 12, PG(1), PROT_READ), -EINVAL);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_READ | 0x10), -EINVAL);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP),
			 -EINVAL);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_READ | PROT_GROWSUP), -EINVAL);
	assert_int_equal(sys_mprotect(m, AREA, 0xffffffffUL, PROT_READ), -ENOMEM);	/* wraps */
	assert_int_equal(sys_mprotect(m, AREA + PG(8), PG(1), PROT_READ), -ENOMEM);
	assert_int_equal(sys_mprotect(m, AREA, 0, PROT_READ), 0);
	/* PROT_SEM is accepted and ignored. */
	assert_int_equal(sys_mprotect(m, AREA, PG(2), RW | PROT_SEM), 0);
	vt_done(m);
}

static void test_mprotect_without_may_flag_is_eacces(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	/* As a MAP_SHARED mapping of a read-only file would be: VM_MAYWRITE off. */
	vt_map(m, AREA, PG(1), PROT_READ, MAP_SHARED | MAP_FIXED);
	vt_vma(m, AREA)->vm_flags &= ~VM_MAYWRITE;
	assert_int_equal(sys_mprotect(m, AREA, PG(1), RW), -EACCES);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_READ | PROT_EXEC), 0);
	vt_done(m);
}

static void test_mprotect_write_charges_commit_and_read_only_uncharges(void **state)
{
	struct machine *m = vt_boot();
	long before = m->vm.vm_committed_as;

	(void)state;
	vt_map_fixed(m, AREA, PG(4), PROT_READ);
	assert_int_equal(m->vm.vm_committed_as, before);
	assert_int_equal(sys_mprotect(m, AREA, PG(4), RW), 0);
	assert_int_equal(m->vm.vm_committed_as, before + 4);
	assert_true(vt_vma(m, AREA)->vm_flags & VM_ACCOUNT);
	/* Never written (no anon_vma): the charge goes away again. */
	assert_int_equal(sys_mprotect(m, AREA, PG(4), PROT_READ), 0);
	assert_int_equal(m->vm.vm_committed_as, before);
	assert_false(vt_vma(m, AREA)->vm_flags & VM_ACCOUNT);
	vt_done(m);
}

static void test_mprotect_data_counts_follow(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	unsigned long data = mm->data_vm, exec = mm->exec_vm;

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	assert_int_equal(mm->data_vm, data + 4);
	sys_mprotect(m, AREA, PG(3), PROT_READ | PROT_EXEC);
	assert_int_equal(mm->data_vm, data + 1);
	assert_int_equal(mm->exec_vm, exec + 3);
	vt_done(m);
}

static void test_mprotect_growsdown_extends_to_stack_start(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map(m, AREA, PG(4), RW, MAP_PRIVATE | MAP_FIXED | MAP_GROWSDOWN);
	assert_int_equal(sys_mprotect(m, AREA + PG(2), PG(1), PROT_READ | PROT_GROWSDOWN), 0);
	assert_layout(m, AREA, AREA + PG(4),
		      "50000000-50003000 r--p\n"
		      "50003000-50004000 rw-p\n");
	/* Not a stack: -EINVAL. */
	vt_map_fixed(m, AREA + PG(8), PG(1), RW);
	assert_int_equal(sys_mprotect(m, AREA + PG(8), PG(1), PROT_READ | PROT_GROWSDOWN), -EINVAL);
	vt_done(m);
}

static void test_mprotect_split_over_max_map_count_fails(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(3), RW);
	m->vm.sysctl_max_map_count = vt_mm(m)->map_count;
	assert_int_equal(sys_mprotect(m, AREA + PG(1), PG(1), PROT_READ), -ENOMEM);
	assert_layout(m, AREA, AREA + PG(3), "50000000-50003000 rw-p\n");
	vt_done(m);
}

static void test_mprotect_updates_vm_page_prot(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	/* Private writable pages start read-only: COW (PAGE_COPY). */
	assert_int_equal(pgprot_val(vt_vma(m, AREA)->vm_page_prot),
			 _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED);
	sys_mprotect(m, AREA, PG(1), PROT_NONE);
	assert_int_equal(pgprot_val(vt_vma(m, AREA)->vm_page_prot), _PAGE_PROTNONE | _PAGE_ACCESSED);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mprotect_middle_splits_in_three),
		cmocka_unit_test(test_mprotect_back_merges_all_three),
		cmocka_unit_test(test_mprotect_edge_merges_into_neighbour),
		cmocka_unit_test(test_mprotect_across_vmas_and_holes),
		cmocka_unit_test(test_mprotect_errors),
		cmocka_unit_test(test_mprotect_without_may_flag_is_eacces),
		cmocka_unit_test(test_mprotect_write_charges_commit_and_read_only_uncharges),
		cmocka_unit_test(test_mprotect_data_counts_follow),
		cmocka_unit_test(test_mprotect_growsdown_extends_to_stack_start),
		cmocka_unit_test(test_mprotect_split_over_max_map_count_fails),
		cmocka_unit_test(test_mprotect_updates_vm_page_prot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
