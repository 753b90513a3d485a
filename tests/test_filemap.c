/* The page-cache API that shmem, swap and reclaim build on: anonymous
 * inodes, add/find/delete with their counters and references, the page
 * lock, dirty accounting, and the checker catching a broken cache. */
#include "file_test.h"

static struct page *new_locked_page(struct machine *m)
{
	struct page *page = alloc_page(m, GFP_HIGHUSER_MOVABLE);

	assert_non_null(page);
	SetPageLocked(page);
	return page;
}

static void test_add_find_delete_count_and_reference(void **state)
{
	struct machine *m = test_boot_default();
	struct inode *inode = new_inode(m, NULL);
	struct address_space *mapping = inode->i_mapping;
	unsigned long files0 = node_page_state(&m->node, NR_FILE_PAGES);
	struct page *page = new_locked_page(m), *other = new_locked_page(m), *found;

	(void)state;
	assert_int_equal(add_to_page_cache_lru(m, page, mapping, 7, GFP_KERNEL), 0);
	assert_int_equal(page_count(page), 2);	/* ours and the cache's */
	assert_ptr_equal(page->mapping, mapping);
	assert_int_equal(page->index, 7);
	assert_int_equal(mapping->nrpages, 1);
	assert_int_equal(node_page_state(&m->node, NR_FILE_PAGES) - files0, 1);
	assert_int_equal(add_to_page_cache_lru(m, other, mapping, 7, GFP_KERNEL), -EEXIST);
	assert_int_equal(page_count(other), 1);
	assert_null(other->mapping);
	ClearPageLocked(other);
	put_page(m, other);
	SetPageUptodate(page);
	unlock_page(m, page);
	found = find_get_page(m, mapping, 7);
	assert_ptr_equal(found, page);
	assert_int_equal(page_count(page), 3);
	put_page(m, found);
	assert_null(find_get_page(m, mapping, 8));
	assert_int_equal(check_page_cache(m), 0);
	found = find_lock_page(m, mapping, 7);
	assert_true(PageLocked(found));
	assert_false(trylock_page(found));
	delete_from_page_cache(m, found);
	assert_null(found->mapping);
	assert_int_equal(mapping->nrpages, 0);
	assert_int_equal(node_page_state(&m->node, NR_FILE_PAGES), files0);
	unlock_page(m, found);
	assert_int_equal(page_count(found), 2);	/* ours from alloc, ours from find */
	put_page(m, found);
	put_page(m, found);
	iput(m, inode);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_value_entries_are_not_pages(void **state)
{
	struct machine *m = test_boot_default();
	struct inode *inode = new_inode(m, NULL);
	struct address_space *mapping = inode->i_mapping;
	struct page *page = new_locked_page(m);

	(void)state;
	xa_lock(&mapping->i_pages);
	xa_store(m, &mapping->i_pages, 3, xa_mk_value(0x1234), GFP_ATOMIC);
	xa_unlock(&mapping->i_pages);
	assert_null(find_get_page(m, mapping, 3));	/* a swap entry: no page */
	assert_int_equal(check_page_cache(m), 0);
	/* swap-in replaces it with the page */
	assert_int_equal(add_to_page_cache_lru(m, page, mapping, 3, GFP_KERNEL), 0);
	SetPageUptodate(page);
	unlock_page(m, page);
	assert_int_equal(mapping->nrpages, 1);
	put_page(m, page);
	iput(m, inode);	/* evicts: the cache's page goes */
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_dirty_accounting_and_cancel(void **state)
{
	struct machine *m = test_boot_default();
	struct inode *inode = new_inode(m, NULL);
	struct page *page = new_locked_page(m);
	unsigned long dirtied0 = node_page_state(&m->node, NR_DIRTIED);

	(void)state;
	assert_int_equal(add_to_page_cache_lru(m, page, inode->i_mapping, 0, GFP_KERNEL), 0);
	SetPageUptodate(page);
	assert_int_equal(set_page_dirty(m, page), 1);
	assert_int_equal(set_page_dirty(m, page), 0);
	assert_int_equal(node_page_state(&m->node, NR_FILE_DIRTY), 1);
	assert_int_equal(zone_page_state(page_zone(m, page), NR_ZONE_WRITE_PENDING), 1);
	assert_int_equal(node_page_state(&m->node, NR_DIRTIED) - dirtied0, 1);
	assert_int_equal(check_page_cache(m), 0);
	assert_int_equal(clear_page_dirty_for_io(m, page), 1);
	assert_int_equal(node_page_state(&m->node, NR_FILE_DIRTY), 0);
	set_page_dirty(m, page);
	delete_from_page_cache(m, page);	/* a dirty page dropped: unaccounted */
	assert_int_equal(node_page_state(&m->node, NR_FILE_DIRTY), 0);
	unlock_page(m, page);
	put_page(m, page);
	iput(m, inode);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_shmem_pages_are_not_accounted_dirty(void **state)
{
	struct machine *m = test_boot_default();
	struct inode *inode = new_inode(m, NULL);
	struct page *page = new_locked_page(m);
	unsigned long shmem0 = node_page_state(&m->node, NR_SHMEM);

	(void)state;
	SetPageSwapBacked(page);
	assert_int_equal(add_to_page_cache_lru(m, page, inode->i_mapping, 0, GFP_KERNEL), 0);
	assert_int_equal(node_page_state(&m->node, NR_SHMEM) - shmem0, 1);
	SetPageUptodate(page);
	set_page_dirty(m, page);
	assert_true(PageDirty(page));
	assert_int_equal(node_page_state(&m->node, NR_FILE_DIRTY), 0);
	ClearPageDirty(page);
	delete_from_page_cache(m, page);
	assert_int_equal(node_page_state(&m->node, NR_SHMEM), shmem0);
	unlock_page(m, page);
	put_page(m, page);	/* off the anon LRU list it joined as swap-backed */
	iput(m, inode);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_checker_reports_a_page_at_the_wrong_index(void **state)
{
	struct machine *m = test_boot_default();
	struct inode *inode = new_inode(m, NULL);
	struct page *page = new_locked_page(m);

	(void)state;
	assert_int_equal(add_to_page_cache_lru(m, page, inode->i_mapping, 5, GFP_KERNEL), 0);
	assert_int_equal(check_page_cache(m), 0);	/* locked, not uptodate: fine */
	unlock_page(m, page);
	assert_int_equal(check_page_cache(m), 1);	/* neither uptodate nor locked */
	SetPageUptodate(page);
	page->index = 6;
	assert_int_equal(check_page_cache(m), 1);
	assert_true(test_log_contains(m, "at index 5 has mapping"));
	page->index = 5;
	assert_int_equal(check_page_cache(m), 0);
	put_page(m, page);
	iput(m, inode);
	mmkit_machine_destroy(m);
}

static void test_highmem_file_pages_read_through_kmap(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct page *page;
	int fd, err = 0;
	void *k;

	(void)state;
	fl_host_create(&f, "h", 3000);
	fd = (int)sys_open(m, "h", O_RDONLY, 0);
	page = read_mapping_page(m, fl_mapping(m, fd), 0, NULL, &err);
	assert_non_null(page);
	assert_true(PageHighMem(m, page));
	assert_true(PageUptodate(page));
	k = kmap_atomic(m, page);
	for (int i = 0; i < 3000; i++)
		assert_int_equal(((unsigned char *)k)[i], fl_pattern((unsigned long)i));
	assert_int_equal(((unsigned char *)k)[3000], 0);	/* zero past EOF */
	kunmap_atomic(m, k);
	put_page(m, page);
	sys_close(m, fd);
	fl_done(m, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_delete_count_and_reference),
		cmocka_unit_test(test_value_entries_are_not_pages),
		cmocka_unit_test(test_dirty_accounting_and_cancel),
		cmocka_unit_test(test_shmem_pages_are_not_accounted_dirty),
		cmocka_unit_test(test_checker_reports_a_page_at_the_wrong_index),
		cmocka_unit_test(test_highmem_file_pages_read_through_kmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
