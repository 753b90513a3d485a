/* What the VMA operations do to present PTEs: mprotect's change_protection
 * (src/mm/mprotect.c), mremap's move_page_tables (src/mm/mremap.c) and
 * mlock's PG_mlocked (src/mm/mlock.c). Pages are written through the
 * software MMU first, so the PTEs are real. */
#include "fault_test.h"

static void touch(struct machine *m, unsigned long addr, unsigned long len, char c)
{
	for (unsigned long a = addr; a < addr + len; a += PAGE_SIZE)
		assert_int_equal(mmkit_write(m, a, &c, 1), 0);
}

/* RW -> RO -> RW on a written page: the frame, Accessed and Dirty stay;
 * RW comes back at once because the page is this mapping's alone. */
static void test_mprotect_rw_ro_rw_rewrites_the_pte(void **state)
{
	struct machine *m = vt_boot();
	pte_t before, ro, rw;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	touch(m, AREA, PG(2), 'w');
	before = ft_pte(m, AREA);
	assert_true(pte_write(before));
	assert_int_equal(sys_mprotect(m, AREA, PG(2), PROT_READ), 0);
	ro = ft_pte(m, AREA);
	assert_false(pte_write(ro));
	assert_true(pte_val(ro) & _PAGE_PRESENT);
	assert_true(pte_dirty(ro));
	assert_true(pte_young(ro));
	assert_int_equal(pte_pfn(ro), pte_pfn(before));
	assert_int_equal(sys_mprotect(m, AREA, PG(2), RW), 0);
	rw = ft_pte(m, AREA);
	assert_true(pte_write(rw));
	assert_int_equal(pte_val(rw), pte_val(before));
	vt_done(m);
}

/* PROT_NONE keeps the page behind a _PAGE_PROTNONE entry, not present to
 * the MMU; the page stays counted and comes back with PROT_READ. */
static void test_mprotect_none_keeps_a_protnone_entry(void **state)
{
	struct machine *m = vt_boot();
	unsigned long pfn;
	pte_t pte;
	char c = 0;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	touch(m, AREA, PG(1), 'n');
	pfn = pte_pfn(ft_pte(m, AREA));
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_NONE), 0);
	pte = ft_pte(m, AREA);
	assert_false(pte_val(pte) & _PAGE_PRESENT);
	assert_true(pte_val(pte) & _PAGE_PROTNONE);
	assert_true(pte_present(pte));
	assert_int_equal(pte_pfn(pte), pfn);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 1);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_READ), 0);
	assert_int_equal(mmkit_read(m, AREA, &c, 1), 0);
	assert_int_equal(c, 'n');
	vt_done(m);
}

/* After fork the page is shared: mprotect(RW) must not make it writable
 * (the write fault copies it instead). */
static void test_mprotect_never_makes_a_cow_shared_page_writable(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;

	(void)state;
	vt_map_fixed(m, AREA, PG(1), RW);
	touch(m, AREA, PG(1), 'p');
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_READ), 0);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), RW), 0);
	assert_false(pte_write(ft_pte(m, AREA)));
	assert_int_equal(page_mapcount(ft_page(m, AREA)), 2);
	vt_done(m);
}

/* mremap moving 4 written pages: the data is at the new address, the old
 * ptes are gone, rss and the pages themselves unchanged. */
static void test_mremap_move_carries_the_ptes(void **state)
{
	struct machine *m = vt_boot();
	unsigned long dst = AREA + (64UL << 20), pfns[4];
	char c;

	(void)state;
	vt_map_fixed(m, AREA, PG(4), RW);
	for (int i = 0; i < 4; i++) {
		c = (char)('a' + i);
		assert_int_equal(mmkit_write(m, AREA + PG(i), &c, 1), 0);
		pfns[i] = pte_pfn(ft_pte(m, AREA + PG(i)));
	}
	assert_int_equal(sys_mremap(m, AREA, PG(4), PG(4), MREMAP_MAYMOVE | MREMAP_FIXED, dst),
			 (long)dst);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pte_val(ft_pte(m, AREA + PG(i))), 0);
		assert_int_equal(pte_pfn(ft_pte(m, dst + PG(i))), pfns[i]);
		assert_int_equal(mmkit_read(m, dst + PG(i), &c, 1), 0);
		assert_int_equal(c, 'a' + i);
	}
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 4);
	assert_null(pte_offset_user(m, vt_mm(m), AREA));	/* the old table went with the range */
	vt_done(m);
}

/* Growing a mapping that cannot grow in place moves it, data and all. */
static void test_mremap_grow_by_moving_keeps_data(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr;
	long new;
	char c = 'g';

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	vt_map_fixed(m, AREA + PG(2), PG(1), PROT_READ);	/* blocks growth in place */
	assert_int_equal(mmkit_write(m, AREA + PG(1), &c, 1), 0);
	new = sys_mremap(m, AREA, PG(2), PG(8), MREMAP_MAYMOVE, 0);
	assert_false(IS_ERR_VALUE(new));
	addr = (unsigned long)new;
	assert_int_not_equal(addr, AREA);
	c = 0;
	assert_int_equal(mmkit_read(m, addr + PG(1), &c, 1), 0);
	assert_int_equal(c, 'g');
	vt_done(m);
}

/* mlock marks the present pages PG_mlocked; munlock clears it. */
static void test_mlock_marks_present_pages_mlocked(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	touch(m, AREA, PG(2), 'l');
	assert_int_equal(sys_mlock(m, AREA, PG(2)), 0);
	assert_true(PageMlocked(ft_page(m, AREA)));
	assert_true(PageMlocked(ft_page(m, AREA + PG(1))));
	assert_int_equal(sys_munlock(m, AREA, PG(1)), 0);
	assert_false(PageMlocked(ft_page(m, AREA)));
	assert_true(PageMlocked(ft_page(m, AREA + PG(1))));
	vt_done(m);	/* exit frees the still mlocked page cleanly */
}

/* Pages mlock() faults in are mlocked too. */
static void test_mlock_populates_mlocked_pages(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	vt_map_fixed(m, AREA, PG(3), RW);
	assert_int_equal(sys_mlock(m, AREA, PG(3)), 0);
	for (int i = 0; i < 3; i++)
		assert_true(PageMlocked(ft_page(m, AREA + PG(i))));
	assert_int_equal(sys_munmap(m, AREA, PG(3)), 0);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mprotect_rw_ro_rw_rewrites_the_pte),
		cmocka_unit_test(test_mprotect_none_keeps_a_protnone_entry),
		cmocka_unit_test(test_mprotect_never_makes_a_cow_shared_page_writable),
		cmocka_unit_test(test_mremap_move_carries_the_ptes),
		cmocka_unit_test(test_mremap_grow_by_moving_keeps_data),
		cmocka_unit_test(test_mlock_marks_present_pages_mlocked),
		cmocka_unit_test(test_mlock_populates_mlocked_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
