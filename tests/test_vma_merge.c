/* VMA merging and splitting (src/mm/vma.c) exactly as Linux decides:
 * flags, file and pgoff contiguity, anon_vma compatibility (including the
 * forked-chain rule), vm_ops->close, VM_SPECIAL, vm.max_map_count; and
 * the fail-Nth-allocation loop over a mix of operations, which must leave
 * a consistent address space and leak no VMA. */
#include "vma_test.h"

/*   prev |new| next   ->  one VMA */
static void test_new_range_merges_with_prev_and_next(void **state)
{
	struct machine *m = vt_boot();
	int count = vt_mm(m)->map_count;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, AREA + PG(2), PG(1), RW);
	assert_int_equal(vt_mm(m)->map_count, count + 2);
	vt_map_fixed(m, AREA + PG(1), PG(1), RW);
	assert_layout(m, AREA, AREA + PG(3), "50000000-50003000 rw-p\n");
	assert_int_equal(vt_mm(m)->map_count, count + 1);
	vt_done(m);
}

/* An anon_vma on one side (no fork: singular chain) does not stop a merge. */
static void test_anon_vma_on_one_side_merges(void **state)
{
	struct machine *m = vt_boot();
	struct anon_vma av = { .root = &av, .refcount = 1 };
	struct list_head avc;
	struct vm_area_struct *prev;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	prev = vt_vma(m, AREA);
	prev->anon_vma = &av;
	list_add(&avc, &prev->anon_vma_chain);
	vt_map_fixed(m, AREA + PG(1), PG(1), RW);
	assert_layout(m, AREA, AREA + PG(2), "50000000-50002000 rw-p\n");
	assert_ptr_equal(vt_vma(m, AREA + PG(1))->anon_vma, &av);
	list_del(&avc);
	INIT_LIST_HEAD(&vt_vma(m, AREA)->anon_vma_chain);
	vt_vma(m, AREA)->anon_vma = NULL;
	vt_done(m);
}

/* A VMA cloned by fork (chain of two) keeps new ranges out. */
static void test_forked_anon_vma_chain_blocks_merge(void **state)
{
	struct machine *m = vt_boot();
	struct anon_vma av = { .root = &av, .refcount = 1 };
	struct list_head avc1, avc2;
	struct vm_area_struct *prev;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	prev = vt_vma(m, AREA);
	prev->anon_vma = &av;
	list_add(&avc1, &prev->anon_vma_chain);
	list_add(&avc2, &prev->anon_vma_chain);
	vt_map_fixed(m, AREA + PG(1), PG(1), RW);
	assert_layout(m, AREA, AREA + PG(2),
		      "50000000-50001000 rw-p\n"
		      "50001000-50002000 rw-p\n");
	INIT_LIST_HEAD(&prev->anon_vma_chain);
	prev->anon_vma = NULL;
	vt_done(m);
}

/* prev and next with different anon_vmas: the middle joins prev only. */
static void test_incompatible_anon_vmas_merge_one_side(void **state)
{
	struct machine *m = vt_boot();
	struct anon_vma a = { .root = &a }, b = { .root = &b };
	struct list_head ca, cb;
	struct vm_area_struct *prev, *next;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, AREA + PG(2), PG(1), RW);
	prev = vt_vma(m, AREA);
	next = vt_vma(m, AREA + PG(2));
	prev->anon_vma = &a;
	next->anon_vma = &b;
	list_add(&ca, &prev->anon_vma_chain);
	list_add(&cb, &next->anon_vma_chain);
	vt_map_fixed(m, AREA + PG(1), PG(1), RW);
	assert_layout(m, AREA, AREA + PG(3),
		      "50000000-50002000 rw-p\n"
		      "50002000-50003000 rw-p\n");
	INIT_LIST_HEAD(&prev->anon_vma_chain);
	INIT_LIST_HEAD(&next->anon_vma_chain);
	prev->anon_vma = next->anon_vma = NULL;
	vt_done(m);
}

static int nr_closes;

static void count_close(struct machine *m, struct vm_area_struct *vma)
{
	(void)m;
	(void)vma;
	nr_closes++;
}

static const struct vm_operations_struct closing_ops = { .close = count_close };

/* A VMA with vm_ops->close is never merged away. */
static void test_vma_with_close_is_not_merged_away(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_map_fixed(m, AREA + PG(1), PG(1), PROT_READ);
	vt_vma(m, AREA + PG(1))->vm_ops = &closing_ops;
	/* Its flags would now match prev's, but prev may not swallow it. */
	assert_int_equal(sys_mprotect(m, AREA + PG(1), PG(1), RW), 0);
	assert_layout(m, AREA, AREA + PG(2),
		      "50000000-50001000 rw-p\n"
		      "50001000-50002000 rw-p\n");
	nr_closes = 0;
	assert_int_equal(sys_munmap(m, AREA, PG(2)), 0);
	assert_int_equal(nr_closes, 1);
	vt_done(m);
}

static void test_special_vma_never_merges(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	vt_vma(m, AREA)->vm_flags |= VM_IO;
	vt_map_fixed(m, AREA + PG(1), PG(1), RW);
	assert_layout(m, AREA, AREA + PG(2),
		      "50000000-50001000 rw-p\n"
		      "50001000-50002000 rw-p\n");
	vt_vma(m, AREA)->vm_flags &= ~VM_IO;
	vt_done(m);
}

static void test_split_vma_respects_max_map_count(void **state)
{
	struct machine *m = vt_boot();
	struct vm_area_struct *vma;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vma = vt_vma(m, AREA);
	m->vm.sysctl_max_map_count = vt_mm(m)->map_count;
	assert_int_equal(split_vma(m, vma, AREA + PG(1), 0), -ENOMEM);
	assert_int_equal(__split_vma(m, vma, AREA + PG(1), 0), 0);
	assert_int_equal(vma->vm_end, AREA + PG(1));
	assert_int_equal(vt_vma(m, AREA + PG(1))->vm_pgoff, (AREA + PG(1)) >> PAGE_SHIFT);
	m->vm.sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	vt_done(m);
}

/* A mix of calls that allocate VMAs; every allocation may fail. */
static void mixed_calls(struct machine *m)
{
	vt_map_fixed(m, AREA, PG(8), RW);
	vt_map(m, AREA + PG(8), PG(4), RW, MAP_SHARED | MAP_FIXED);
	sys_mprotect(m, AREA + PG(2), PG(2), PROT_READ);
	sys_mlock(m, AREA + PG(5), PG(1));
	sys_mremap(m, AREA + PG(2), PG(2), PG(2), MREMAP_MAYMOVE | MREMAP_FIXED, AREA + PG(20));
	sys_mremap(m, AREA + PG(9), PG(2), PG(6), MREMAP_MAYMOVE, 0);
	vt_map_fixed(m, AREA + PG(1), PG(1), PROT_EXEC);
	sys_munmap(m, AREA + PG(6), PG(1));
	sys_madvise(m, AREA + PG(4), PG(1), MADV_RANDOM);
	sys_brk(m, sys_brk(m, 0) + PG(3));
}

static void test_fail_nth_vma_allocation_leaves_consistent_state(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long total = 0;

	(void)state;
	for (unsigned long n = 1; n < 200; n++) {
		struct task_struct *tsk = vt_spawn(m, false);
		unsigned long start = m->vm.nr_vm_area_allocs;

		m->vm.fail_nth_vma_alloc = start + n;
		mixed_calls(m);
		m->vm.fail_nth_vma_alloc = 0;
		if (check_vmas(m)) {
			size_t len;
			const char *log = mmkit_log_text(m, &len);

			fprintf(stderr, "failing allocation %lu:\n%s\n", n,
				len > 1500 ? log + len - 1500 : log);
			fail();
		}
		total = m->vm.nr_vm_area_allocs - start;
		mmkit_exit(m, tsk, 0);
		assert_int_equal(m->vm.nr_vmas, 0);
		assert_int_equal(m->vm.vm_committed_as, m->vm.vm_committed_leaked);
		if (n > total)
			break;	/* the last run needed fewer allocations: none failed */
	}
	assert_true(total > 5);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_range_merges_with_prev_and_next),
		cmocka_unit_test(test_anon_vma_on_one_side_merges),
		cmocka_unit_test(test_forked_anon_vma_chain_blocks_merge),
		cmocka_unit_test(test_incompatible_anon_vmas_merge_one_side),
		cmocka_unit_test(test_vma_with_close_is_not_merged_away),
		cmocka_unit_test(test_special_vma_never_merges),
		cmocka_unit_test(test_split_vma_respects_max_map_count),
		cmocka_unit_test(test_fail_nth_vma_allocation_leaves_consistent_state),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
