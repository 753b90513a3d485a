/* shmem objects (src/mm/shmem.c, shmem_swap.c): MAP_SHARED|MAP_ANONYMOUS
 * shared across fork, the page cache as their home (NR_SHMEM,
 * PageSwapBacked), madvise DONTNEED vs REMOVE, and swap: shmem_writepage
 * leaves a swap value entry in i_pages, a fault reads the page back (a
 * major fault), swapoff brings everything back through shmem_unuse, and
 * freeing an object frees its slots. */
#include <mmkit/fs.h>
#include <mmkit/shm.h>
#include <mmkit/swap.h>

#include "fault_test.h"
#include "mm/shmem_fs.h"
#include "mm/swap.h"

/* A child forked after the mapping sees the parent's writes and the
 * parent the child's: one object, one page. */
static void test_shared_anon_fork_sees_writes_both_ways(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_SHARED);

	(void)state;
	poke(m, addr, 'p');
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, addr), 'p');
	poke(m, addr + PG(1), 'c');
	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, addr + PG(1)), 'c');
	assert_ptr_equal(ft_page(m, addr + PG(1)), (mmkit_set_current(m, child), ft_page(m, addr + PG(1))));
	mmkit_set_current(m, parent);
	vt_done(m);
}

/* The object's pages live in its page cache: swap-backed, counted in
 * NR_SHMEM and NR_FILE_PAGES, page->mapping the object's address_space. */
static void test_pages_live_in_the_page_cache(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(3), RW, MAP_SHARED);
	long shmem0 = m->node.vm_stat[NR_SHMEM], file0 = m->node.vm_stat[NR_FILE_PAGES];
	struct address_space *mapping = vt_vma(m, addr)->vm_file->f_mapping;
	struct page *page;

	(void)state;
	poke(m, addr + PG(2), 1);
	page = ft_page(m, addr + PG(2));
	assert_true(PageSwapBacked(page));
	assert_ptr_equal(page->mapping, mapping);
	assert_int_equal(page->index, 2);
	assert_ptr_equal(xa_load(&mapping->i_pages, 2), page);
	assert_int_equal(mapping->nrpages, 1);
	assert_int_equal(m->node.vm_stat[NR_SHMEM] - shmem0, 1);
	assert_int_equal(m->node.vm_stat[NR_FILE_PAGES] - file0, 1);
	assert_true(shmem_mapping(mapping));
	vt_done(m);
}

/* MADV_DONTNEED only zaps the ptes: the data stays in the object.
 * MADV_REMOVE punches a hole: the pages go, later reads see zeroes, for
 * every mapper. */
static void test_madvise_dontneed_keeps_remove_punches(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_SHARED);
	long shmem0;

	(void)state;
	poke(m, addr, 'd');
	poke(m, addr + PG(1), 'r');
	child = mmkit_fork(m, parent);
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, addr + PG(1)), 'r');	/* the child maps it too */
	mmkit_set_current(m, parent);
	shmem0 = m->node.vm_stat[NR_SHMEM];
	assert_int_equal(sys_madvise(m, addr, PG(1), MADV_DONTNEED), 0);
	assert_false(pte_present(ft_pte(m, addr)));
	assert_int_equal(m->node.vm_stat[NR_SHMEM], shmem0);
	assert_int_equal(peek(m, addr), 'd');
	assert_int_equal(sys_madvise(m, addr + PG(1), PG(1), MADV_REMOVE), 0);
	assert_int_equal(m->node.vm_stat[NR_SHMEM], shmem0 - 1);
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, addr + PG(1)), 0);
	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, addr + PG(1)), 0);
	vt_done(m);
}

/* A machine with a 1 MiB swap file switched on. */
static struct machine *boot_with_swap(void)
{
	struct machine *m = vt_boot();

	assert_int_equal(mmkit_mkswap(m, "/swapfile", 1 << 20), 0);
	assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	return m;
}

/* Swap the object's page at @index out as reclaim would: lock, clean,
 * a_ops->writepage (pageout), then, once written, take it out of the swap
 * cache and free it (__remove_mapping); the page must not be mapped. */
static void swap_out(struct machine *m, struct address_space *mapping, unsigned long index)
{
	struct writeback_control wbc = { .nr_to_write = 1, .sync_mode = WB_SYNC_NONE,
					 .for_reclaim = true };
	struct page *page = find_get_page(m, mapping, index);

	assert_non_null(page);
	lock_page(m, page);
	ClearPageDirty(page);
	assert_int_equal(mapping->a_ops->writepage(m, page, &wbc), 0);
	wait_on_page_writeback(m, page);
	lock_page(m, page);
	if (PageSwapCache(page))
		delete_from_swap_cache(m, page);
	unlock_page(m, page);
	put_page(m, page);
}

/* shmem_writepage leaves a swap value entry in place of the page (one
 * swap_map reference, info->swapped 1, NR_SHMEM down); the next fault
 * reads it back as a major fault with the data intact and frees the slot. */
static void test_writepage_then_fault_reads_back(void **state)
{
	struct machine *m = boot_with_swap();
	long id = sys_shmget(m, IPC_PRIVATE, PG(2), 0600);
	long addr = sys_shmat(m, (int)id, 0, 0);
	struct address_space *mapping;
	long shmem0, free0 = get_nr_swap_pages(m);
	unsigned long majflt;
	struct file *file;
	void *entry;
	swp_entry_t swp;

	(void)state;
	poke(m, (unsigned long)addr + PG(1) + 7, 'S');
	file = vt_vma(m, (unsigned long)addr)->vm_file;
	mapping = file->f_mapping;
	assert_int_equal(sys_madvise(m, (unsigned long)addr, PG(2), MADV_DONTNEED), 0);
	shmem0 = m->node.vm_stat[NR_SHMEM];
	swap_out(m, mapping, 1);
	entry = xa_load(&mapping->i_pages, 1);
	assert_true(xa_is_value(entry));
	swp.val = xa_to_value(entry);
	assert_int_equal(__swap_count(m, swp), 1);
	assert_int_equal(shmem_swapped(file), 1);
	assert_int_equal(mapping->nrpages, 0);
	assert_int_equal(m->node.vm_stat[NR_SHMEM], shmem0 - 1);
	assert_int_equal(get_nr_swap_pages(m), free0 - 1);
	majflt = get_current(m)->maj_flt;
	assert_int_equal(peek(m, (unsigned long)addr + PG(1) + 7), 'S');
	assert_int_equal(get_current(m)->maj_flt, majflt + 1);
	assert_false(xa_is_value(xa_load(&mapping->i_pages, 1)));
	assert_int_equal(shmem_swapped(file), 0);
	assert_int_equal(m->node.vm_stat[NR_SHMEM], shmem0);
	assert_int_equal(get_nr_swap_pages(m), free0);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	assert_int_equal(sys_shmdt(m, (unsigned long)addr), 0);
	vt_done(m);
}

/* swapoff reads every swapped shmem page back (shmem_unuse): the value
 * entries become pages again with their data, and the area can go. */
static void test_swapoff_brings_shmem_back(void **state)
{
	struct machine *m = boot_with_swap();
	long id = sys_shmget(m, IPC_PRIVATE, PG(4), 0600);
	long addr = sys_shmat(m, (int)id, 0, 0);
	struct address_space *mapping;
	struct file *file;

	(void)state;
	for (int i = 0; i < 4; i++)
		poke(m, (unsigned long)addr + PG(i), (char)('a' + i));
	file = vt_vma(m, (unsigned long)addr)->vm_file;
	mapping = file->f_mapping;
	assert_int_equal(sys_madvise(m, (unsigned long)addr, PG(4), MADV_DONTNEED), 0);
	for (unsigned long i = 0; i < 4; i++)
		swap_out(m, mapping, i);
	assert_int_equal(shmem_swapped(file), 4);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_int_equal(shmem_swapped(file), 0);
	assert_int_equal(mapping->nrpages, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(peek(m, (unsigned long)addr + PG(i)), 'a' + i);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* Destroying an object with swapped pages gives their slots back. */
static void test_free_object_frees_swap_slots(void **state)
{
	struct machine *m = boot_with_swap();
	long free0 = get_nr_swap_pages(m);
	long id = sys_shmget(m, IPC_PRIVATE, PG(2), 0600);
	long addr = sys_shmat(m, (int)id, 0, 0);
	struct address_space *mapping;

	(void)state;
	poke(m, (unsigned long)addr, 1);
	poke(m, (unsigned long)addr + PG(1), 2);
	mapping = vt_vma(m, (unsigned long)addr)->vm_file->f_mapping;
	assert_int_equal(sys_shmdt(m, (unsigned long)addr), 0);
	swap_out(m, mapping, 0);
	swap_out(m, mapping, 1);
	assert_int_equal(get_nr_swap_pages(m), free0 - 2);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	assert_int_equal(get_nr_swap_pages(m), free0);
	vt_done(m);
}

/* Without swap (or SHM_LOCKed) writepage keeps the page: redirtied. */
static void test_writepage_without_swap_redirties(void **state)
{
	struct machine *m = vt_boot();
	long id = sys_shmget(m, IPC_PRIVATE, PG(1), 0600);
	long addr = sys_shmat(m, (int)id, 0, 0);
	struct address_space *mapping;
	struct page *page;

	(void)state;
	poke(m, (unsigned long)addr, 1);
	mapping = vt_vma(m, (unsigned long)addr)->vm_file->f_mapping;
	assert_int_equal(sys_shmdt(m, (unsigned long)addr), 0);
	swap_out(m, mapping, 0);
	page = xa_load(&mapping->i_pages, 0);
	assert_false(xa_is_value(page));
	assert_true(PageDirty(page));
	assert_false(PageLocked(page));
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shared_anon_fork_sees_writes_both_ways),
		cmocka_unit_test(test_pages_live_in_the_page_cache),
		cmocka_unit_test(test_madvise_dontneed_keeps_remove_punches),
		cmocka_unit_test(test_writepage_then_fault_reads_back),
		cmocka_unit_test(test_swapoff_brings_shmem_back),
		cmocka_unit_test(test_free_object_frees_swap_slots),
		cmocka_unit_test(test_writepage_without_swap_redirties),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
