/* Helpers of the swap tests (test_swap*.c): make and enable a swap file,
 * and swap a process's page out by hand the way reclaim does it
 * (add_to_swap, try_to_unmap, swap_writepage, delete_from_swap_cache). */
#ifndef MMKIT_TESTS_SWAP_TEST_H
#define MMKIT_TESTS_SWAP_TEST_H

#include "fault_test.h"
#include "mm/swap.h"

/* mkswap + swapon of @pages pages at @path with @flags. */
static inline void st_swapon(struct machine *m, const char *path, unsigned long pages, int flags)
{
	assert_int_equal(mmkit_mkswap(m, path, pages * PAGE_SIZE), 0);
	assert_int_equal(sys_swapon(m, path, flags), 0);
}

/* Swap @page out of every process mapping it; returns its entry. The page
 * is freed (the caller holds no reference). */
static inline swp_entry_t st_swap_out_page(struct machine *m, struct page *page)
{
	swp_entry_t entry;

	get_page(page);
	lock_page(m, page);
	assert_int_equal(add_to_swap(m, page), 0);
	entry.val = page->private;
	assert_true(try_to_unmap(m, page, 0));
	assert_int_equal(swap_writepage(m, page, NULL), 0);	/* unlocks */
	lock_page(m, page);
	delete_from_swap_cache(m, page);
	unlock_page(m, page);
	put_page(m, page);
	return entry;
}

/* Swap out the page mapped at @addr in the current task. */
static inline swp_entry_t st_swap_out(struct machine *m, unsigned long addr)
{
	return st_swap_out_page(m, ft_page(m, addr));
}

static inline unsigned char st_map(struct machine *m, swp_entry_t e)
{
	return swp_swap_info(m, e)->swap_map[swp_offset(e)];
}

#endif
