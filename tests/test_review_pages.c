/* Review regressions for the page-level address-space code (issue 4):
 * each test fails without the fix named in its comment. */
#include "fault_test.h"

/* mremap of a faulted VMA next to an unfaulted one with contiguous pgoff:
 * Linux merges them (vma_merge_copied_range) and the merged VMA takes the
 * moved pages' anon_vma (vma_expand's dup_anon_vma of copied_from), so a
 * fork copies the pages. */
static void test_mremap_merge_into_unfaulted_prev_takes_anon_vma(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long y = AREA + PG(64);
	struct vm_area_struct *vma;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), PROT_READ), (long)AREA);
	assert_int_equal(vt_map_fixed(m, AREA + PG(1), PG(1), RW), (long)(AREA + PG(1)));
	poke(m, AREA + PG(1), 'X');
	assert_int_equal(sys_mremap(m, AREA + PG(1), PG(1), PG(1), MREMAP_MAYMOVE | MREMAP_FIXED, y),
			 (long)y);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), RW), 0);
	assert_null(vt_vma(m, AREA)->anon_vma);
	assert_int_equal(sys_mremap(m, y, PG(1), PG(1), MREMAP_MAYMOVE | MREMAP_FIXED, AREA + PG(1)),
			 (long)(AREA + PG(1)));
	assert_layout(m, AREA, AREA + PG(2), "50000000-50002000 rw-p\n");
	vma = vt_vma(m, AREA);
	assert_non_null(vma->anon_vma);
	assert_ptr_equal((void *)((unsigned long)ft_page(m, AREA + PG(1))->mapping & ~1UL),
			 vma->anon_vma);
	assert_clean(m);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, AREA + PG(1)), 'X');
	mmkit_set_current(m, parent);
	assert_clean(m);
	vt_done(m);
}

/* A fork child's VMA moved next to an unfaulted VMA does not merge with it
 * (is_mergeable_anon_vma: vma_is_fork_child(copied_from)). */
static void test_mremap_of_fork_child_vma_does_not_merge(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long y = AREA + PG(64);

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), PROT_READ), (long)AREA);
	assert_int_equal(vt_map_fixed(m, AREA + PG(1), PG(1), RW), (long)(AREA + PG(1)));
	poke(m, AREA + PG(1), 'X');
	assert_int_equal(sys_mremap(m, AREA + PG(1), PG(1), PG(1), MREMAP_MAYMOVE | MREMAP_FIXED, y),
			 (long)y);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), RW), 0);
	assert_int_equal(sys_mremap(m, y, PG(1), PG(1), MREMAP_MAYMOVE | MREMAP_FIXED, AREA + PG(1)),
			 (long)(AREA + PG(1)));
	assert_layout(m, AREA, AREA + PG(2), "50000000-50001000 rw-p\n50001000-50002000 rw-p\n");
	assert_int_equal(peek(m, AREA + PG(1)), 'X');
	mmkit_set_current(m, parent);
	assert_clean(m);
	vt_done(m);
}

/* mprotect merging a faulted VMA into an unfaulted neighbour must give the
 * neighbour the anon_vma (dup_anon_vma); when that allocation fails, Linux
 * fails the merge with -ENOMEM (vma_modify: vmg_nomem) and changes nothing,
 * rather than leaving the pages in a VMA not linked to their anon_vma. */
static void test_mprotect_merge_failing_dup_anon_vma_is_enomem(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	long ret;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA + PG(1), PG(1), RW), (long)(AREA + PG(1)));
	poke(m, AREA + PG(1), 'X');
	assert_int_equal(sys_mprotect(m, AREA + PG(1), PG(1), PROT_READ), 0);
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);	/* unfaulted */
	assert_null(vt_vma(m, AREA)->anon_vma);
	failslab_set_nth(m, 1);		/* the anon_vma_chain of the dup */
	ret = sys_mprotect(m, AREA + PG(1), PG(1), RW);
	failslab_set_nth(m, 0);
	assert_int_equal(ret, -ENOMEM);
	assert_layout(m, AREA, AREA + PG(2), "50000000-50001000 rw-p\n50001000-50002000 r--p\n");
	assert_clean(m);
	assert_int_equal(sys_mprotect(m, AREA + PG(1), PG(1), RW), 0);
	assert_layout(m, AREA, AREA + PG(2), "50000000-50002000 rw-p\n");
	assert_non_null(vt_vma(m, AREA)->anon_vma);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, AREA + PG(1)), 'X');
	mmkit_set_current(m, parent);
	assert_clean(m);
	vt_done(m);
}

/* What a failed fork must leave as it was. */
struct fork_snap {
	unsigned long vmas, anon_vmas, pagetables, anon_mapped, committed, tasks;
	long rss;
};

static struct fork_snap fork_snap(struct machine *m)
{
	return (struct fork_snap){
		.vmas = m->vm.nr_vmas,
		.anon_vmas = m->vm.nr_anon_vmas,
		.pagetables = node_page_state(&m->node, NR_PAGETABLE),
		.anon_mapped = node_page_state(&m->node, NR_ANON_MAPPED),
		.committed = (unsigned long)m->vm.vm_committed_as,
		.tasks = m->sched.nr_tasks,
		.rss = (long)get_mm_rss(vt_mm(m)),
	};
}

static void assert_fork_snap(struct machine *m, const struct fork_snap *a)
{
	struct fork_snap b = fork_snap(m);

	assert_int_equal(b.vmas, a->vmas);
	assert_int_equal(b.anon_vmas, a->anon_vmas);
	assert_int_equal(b.pagetables, a->pagetables);
	assert_int_equal(b.anon_mapped, a->anon_mapped);
	assert_int_equal(b.committed, a->committed);
	assert_int_equal(b.tasks, a->tasks);
	assert_int_equal(b.rss, a->rss);
}

/* A parent with private pages in two page tables, a zero-page read, shared
 * anonymous memory and a wipe-on-fork area; returns the private area. */
static unsigned long fork_parent_setup(struct machine *m)
{
	unsigned long priv = AREA, shared = AREA + 0x800000, wipe = AREA + 0xc00000;

	assert_int_equal(vt_map_fixed(m, priv, 0x401000, RW), (long)priv);
	poke(m, priv, 'a');
	poke(m, priv + 0x400000, 'b');
	assert_int_equal(peek(m, priv + PG(1)), 0);	/* the zero page */
	assert_int_equal(sys_mmap(m, shared, PG(1), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
				  (unsigned long)-1, 0), (long)shared);
	poke(m, shared, 's');
	assert_int_equal(vt_map_fixed(m, wipe, PG(1), RW), (long)wipe);
	poke(m, wipe, 'w');
	assert_int_equal(sys_madvise(m, wipe, PG(1), MADV_WIPEONFORK), 0);
	return priv;
}

/* After the fork that finally worked: COW on both sides, then exit. */
static void fork_check_child(struct machine *m, struct task_struct *parent,
			     struct task_struct *child, unsigned long priv)
{
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, priv), 'a');
	assert_int_equal(peek(m, priv + 0x400000), 'b');
	assert_int_equal(peek(m, priv + 0x800000), 's');
	assert_int_equal(peek(m, priv + 0xc00000), 0);
	poke(m, priv, 'C');
	mmkit_set_current(m, parent);
	poke(m, priv, 'P');
	poke(m, priv + 0x800000, 'S');
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, priv), 'C');
	assert_int_equal(peek(m, priv + 0x800000), 'S');
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	assert_int_equal(mmkit_wait(m, -1, NULL) > 0, true);
	assert_clean(m);
}

/* Each allocation of fork failing in turn (slab: mm, VMAs, anon_vmas and
 * their chains): fork returns NULL and the parent is as it was, its pages
 * still usable (a write-protected pte reuses its page: one reference). */
static void test_fork_failing_at_each_slab_allocation_leaves_parent_intact(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child = NULL;
	unsigned long priv = fork_parent_setup(m);
	struct fork_snap snap = fork_snap(m);
	unsigned long n, a0;

	(void)state;
	for (n = 1; !child; n++) {
		assert_true(n < 200);
		failslab_set_nth(m, n);
		child = mmkit_fork(m, parent);
		failslab_set_nth(m, 0);
		if (child)
			break;
		assert_clean(m);
		assert_fork_snap(m, &snap);
		assert_int_equal(peek(m, priv), 'a');
		a0 = ft_allocs(m);
		poke(m, priv + 0x400000, 'b');	/* maybe write-protected: reused */
		assert_int_equal(ft_allocs(m), a0);
		assert_true(pte_write(ft_pte(m, priv + 0x400000)));
	}
	assert_true(n > 3);
	fork_check_child(m, parent, child, priv);
	vt_done(m);
}

/* The same with each page-table allocation failing (m->pgtables.fail_nth:
 * the child's pgd, then its pte tables). */
static void test_fork_failing_at_each_page_table_leaves_parent_intact(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child = NULL;
	unsigned long priv = fork_parent_setup(m);
	struct fork_snap snap = fork_snap(m);
	unsigned long n;

	(void)state;
	for (n = 1; !child; n++) {
		assert_true(n < 50);
		m->pgtables.nr_allocs = 0;
		m->pgtables.fail_nth = n;
		child = mmkit_fork(m, parent);
		m->pgtables.fail_nth = 0;
		if (child)
			break;
		assert_clean(m);
		assert_fork_snap(m, &snap);
		assert_int_equal(peek(m, priv + 0x400000), 'b');
	}
	assert_true(n > 3);	/* the pgd and at least three pte tables */
	fork_check_child(m, parent, child, priv);
	vt_done(m);
}

/* A write fault whose anon_vma or page table cannot be allocated is
 * VM_FAULT_OOM: the task is killed (pagefault_out_of_memory), every page
 * it had goes back, and the machine stays consistent. */
static void test_fault_out_of_memory_kills_task_and_frees_everything(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *victim;
	unsigned long base_tables = node_page_state(&m->node, NR_PAGETABLE);
	char c = 1;

	(void)state;
	mmkit_exit(m, get_current(m), 0);
	for (int how = 0; how < 2; how++) {
		victim = vt_spawn(m, false);
		assert_int_equal(vt_map_fixed(m, AREA, PG(2), RW), (long)AREA);
		poke(m, AREA + PG(1), 'x');
		if (how == 0) {	/* the anon_vma of a fresh VMA */
			assert_int_equal(vt_map_fixed(m, AREA + 0x800000, PG(1), RW),
					 (long)(AREA + 0x800000));
			failslab_set_nth(m, 1);
		} else {	/* the pte table of a new 4 MiB region */
			assert_int_equal(vt_map_fixed(m, AREA + 0x800000, PG(1), RW),
					 (long)(AREA + 0x800000));
			m->pgtables.nr_allocs = 0;
			m->pgtables.fail_nth = 1;
		}
		assert_int_equal(mmkit_write(m, AREA + 0x800000, &c, 1), -EFAULT);
		failslab_set_nth(m, 0);
		m->pgtables.fail_nth = 0;
		assert_null(get_current(m));	/* killed and gone */
		assert_int_equal(mmkit_last_fatal_signal(m)->info.signo, SIGKILL);
		assert_int_equal(vm_event(m, OOM_KILL), (unsigned long)how + 1);
		assert_int_equal(m->sched.nr_tasks, 0);
		assert_true(list_empty(&m->vm.mm_list));
		assert_int_equal(node_page_state(&m->node, NR_PAGETABLE), base_tables);
		assert_int_equal(node_page_state(&m->node, NR_ANON_MAPPED), 0);
		assert_clean(m);
		(void)victim;
	}
	assert_log_has(m, "Out of memory: Killed process");
	mmkit_machine_destroy(m);
}

/* MADV_POPULATE_READ faults readable, "just as if manually reading": on
 * private anonymous memory that maps the zero page and allocates nothing
 * (faultin_page_range without FOLL_WRITE). */
static void test_madv_populate_read_maps_the_zero_page(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a0;

	(void)state;
	ft_warm_caches(m);
	assert_int_equal(vt_map_fixed(m, AREA, PG(3), RW), (long)AREA);
	a0 = ft_allocs(m);
	assert_int_equal(sys_madvise(m, AREA, PG(3), MADV_POPULATE_READ), 0);
	for (int i = 0; i < 3; i++) {
		pte_t pte = ft_pte(m, AREA + PG(i));

		assert_true(pte_val(pte) & _PAGE_PRESENT);
		assert_true(is_zero_pfn(m, pte_pfn(pte)));
		assert_false(pte_write(pte));
	}
	assert_int_equal(ft_allocs(m) - a0, 1);	/* the page table only */
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 1);	/* the warm-up page */
	assert_clean(m);
	vt_done(m);
}

/* MADV_POPULATE_WRITE write-faults shared memory too: the pte is dirty
 * (and writable), as after a store. */
static void test_madv_populate_write_dirties_shared_memory(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_SHARED);

	(void)state;
	assert_int_equal(sys_madvise(m, addr, PG(2), MADV_POPULATE_WRITE), 0);
	for (int i = 0; i < 2; i++) {
		pte_t pte = ft_pte(m, addr + PG(i));

		assert_true(pte_val(pte) & _PAGE_PRESENT);
		assert_true(pte_dirty(pte));
		assert_true(pte_write(pte));
	}
	assert_clean(m);
	vt_done(m);
}

/* A page the object cannot supply (VM_FAULT_SIGBUS) makes MADV_POPULATE_*
 * fail with -EFAULT, not -ENOMEM, and no signal is sent. */
static void test_madv_populate_sigbus_is_efault(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_SHARED);
	struct ft_caught caught = { 0 };
	long grown;

	(void)state;
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGBUS, ft_handler, &caught), 0);
	grown = sys_mremap(m, addr, PG(1), PG(2), MREMAP_MAYMOVE, 0);
	assert_false(IS_ERR_VALUE(grown));
	assert_int_equal(sys_madvise(m, (unsigned long)grown, PG(2), MADV_POPULATE_READ), -EFAULT);
	assert_int_equal(sys_madvise(m, (unsigned long)grown, PG(2), MADV_POPULATE_WRITE), -EFAULT);
	assert_int_equal(caught.calls, 0);
	assert_clean(m);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mremap_merge_into_unfaulted_prev_takes_anon_vma),
		cmocka_unit_test(test_mremap_of_fork_child_vma_does_not_merge),
		cmocka_unit_test(test_mprotect_merge_failing_dup_anon_vma_is_enomem),
		cmocka_unit_test(test_fork_failing_at_each_slab_allocation_leaves_parent_intact),
		cmocka_unit_test(test_fork_failing_at_each_page_table_leaves_parent_intact),
		cmocka_unit_test(test_fault_out_of_memory_kills_task_and_frees_everything),
		cmocka_unit_test(test_madv_populate_read_maps_the_zero_page),
		cmocka_unit_test(test_madv_populate_write_dirties_shared_memory),
		cmocka_unit_test(test_madv_populate_sigbus_is_efault),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
