/* Copy-on-write after fork (src/mm/memory.c do_wp_page, src/mm/rmap.c,
 * with the fork of src/kernel/fork.c): parent and child each see their
 * own data after writes; a page only read costs no copy; the last mapper
 * of a page reuses it instead of copying; shared mappings stay shared.
 *
 *   before fork          after fork               child writes      parent writes
 *   P: pte rw -> A       P: pte ro -> A (2 refs)  C: rw -> B (new)  P: rw -> A (reused)
 *                        C: pte ro -> A                              no allocation */
#include "fault_test.h"

static struct task_struct *cow_fork(struct machine *m)
{
	struct task_struct *child = mmkit_fork(m, get_current(m));

	assert_non_null(child);
	return child;
}

static void test_parent_and_child_see_their_own_writes(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	unsigned long a0;
	struct page *shared;

	(void)state;
	poke(m, addr, 'P');
	shared = ft_page(m, addr);
	child = cow_fork(m);
	assert_false(pte_write(ft_pte(m, addr)));	/* write-protected in the parent */
	assert_int_equal(page_count(shared), 2);
	assert_int_equal(page_mapcount(shared), 2);

	mmkit_set_current(m, child);
	assert_false(pte_write(ft_pte(m, addr)));	/* and in the child */
	a0 = ft_allocs(m);
	poke(m, addr, 'C');
	assert_int_equal(ft_allocs(m) - a0, 1);		/* the child's copy */
	assert_ptr_not_equal(ft_page(m, addr), shared);
	assert_int_equal(peek(m, addr), 'C');
	assert_int_equal(page_count(shared), 1);
	assert_int_equal(page_mapcount(shared), 1);

	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, addr), 'P');
	a0 = ft_allocs(m);
	poke(m, addr, 'Q');				/* last mapper: reuse */
	assert_int_equal(ft_allocs(m), a0);
	assert_ptr_equal(ft_page(m, addr), shared);
	assert_true(pte_write(ft_pte(m, addr)));
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, addr), 'C');
	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, addr), 'Q');
	assert_clean(m);
	vt_done(m);
}

/* Reads after fork share the page: no allocation, same frame, two mappers. */
static void test_read_only_share_costs_no_copy(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	unsigned long a0, pfn;

	(void)state;
	poke(m, addr, 'R');
	pfn = pte_pfn(ft_pte(m, addr));
	child = cow_fork(m);
	a0 = ft_allocs(m);
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, addr), 'R');
	assert_int_equal(pte_pfn(ft_pte(m, addr)), pfn);
	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, addr), 'R');
	assert_int_equal(ft_allocs(m), a0);
	assert_int_equal(page_mapcount(pfn_to_page(m, pfn)), 2);
	assert_clean(m);
	vt_done(m);
}

/* The child exits: the parent, now the only mapper, writes in place. */
static void test_last_mapper_reuses_instead_of_copying(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	struct task_struct *child;
	unsigned long a0, pfn;
	int status;

	(void)state;
	poke(m, addr, 'A');
	pfn = pte_pfn(ft_pte(m, addr));
	child = cow_fork(m);
	mmkit_exit(m, child, 0);
	assert_true(mmkit_wait(m, -1, &status) > 0);
	assert_int_equal(page_count(pfn_to_page(m, pfn)), 1);
	a0 = ft_allocs(m);
	poke(m, addr, 'B');
	assert_int_equal(ft_allocs(m), a0);
	assert_int_equal(pte_pfn(ft_pte(m, addr)), pfn);
	assert_int_equal(peek(m, addr), 'B');
	vt_done(m);
}

/* MAP_SHARED|MAP_ANONYMOUS survives fork shared: a child's store is seen
 * by the parent, no copy is made. */
static void test_shared_anon_stays_shared_after_fork(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_SHARED);

	(void)state;
	poke(m, addr, 'x');
	child = cow_fork(m);
	mmkit_set_current(m, child);
	poke(m, addr, 'y');
	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, addr), 'y');
	assert_int_equal(page_mapcount(ft_page(m, addr)), 2);
	assert_clean(m);
	vt_done(m);
}

/* Fork gives the child VMA its own anon_vma under the parent's root; its
 * chain has two links, so it merges with no anon_vma-less neighbour. */
static void test_fork_gives_child_anon_vma_with_parent_root(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	struct anon_vma *pav;

	(void)state;
	poke(m, addr, 1);
	pav = vt_vma(m, addr)->anon_vma;
	child = cow_fork(m);
	mmkit_set_current(m, child);
	assert_non_null(vt_vma(m, addr)->anon_vma);
	assert_ptr_not_equal(vt_vma(m, addr)->anon_vma, pav);
	assert_ptr_equal(vt_vma(m, addr)->anon_vma->root, pav->root);
	assert_ptr_equal(vt_vma(m, addr)->anon_vma->parent, pav);
	assert_int_equal(list_count(&vt_vma(m, addr)->anon_vma_chain), 2);
	mmkit_set_current(m, parent);
	assert_int_equal(list_count(&vt_vma(m, addr)->anon_vma_chain), 1);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_and_child_see_their_own_writes),
		cmocka_unit_test(test_read_only_share_costs_no_copy),
		cmocka_unit_test(test_last_mapper_reuses_instead_of_copying),
		cmocka_unit_test(test_shared_anon_stays_shared_after_fork),
		cmocka_unit_test(test_fork_gives_child_anon_vma_with_parent_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
