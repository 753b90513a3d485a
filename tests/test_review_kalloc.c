/* Review fixes in the slab/kmalloc and kernel-window code: the gfp fix-up
 * message of kmalloc_fix_flags (Linux: the offending bits and the fixed
 * mask, each with its %pGg names, then a stack dump) on both the slab and
 * the large-kmalloc path, and the range checks of the host window. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "arch/x86/pgtable.h"
#include "machine/machine.h"
#include "mm/slab.h"

static void destroy(struct machine *m)
{
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Large kmalloc with __GFP_HIGHMEM: Linux prints the bad bits (0x2), not
 * the whole mask, and the fixed mask with their names. */
static void test_kmalloc_large_bad_gfp_message(void **state)
{
	struct machine *m = test_boot_default();
	void *p;

	(void)state;
	p = kmalloc(m, 3 * PAGE_SIZE, GFP_KERNEL | __GFP_HIGHMEM);
	assert_non_null(p);
	assert_log_has(m, "Unexpected gfp: 0x2 (__GFP_HIGHMEM). Fixing up to gfp: 0xcc0 "
			  "(GFP_KERNEL). Fix your code!");
	assert_int_equal(count_in_log(m, "Unexpected gfp:"), 1);
	assert_log_has(m, "CPU: 0 PID: 0 Comm:");
	/* the fixed mask gave a lowmem block kfree takes back */
	assert_non_null(virt_to_page(m, p));
	kfree(m, p);
	destroy(m);
}

/* A cache growing with __GFP_DMA32 goes through the same helper. */
static void test_slab_grow_bad_gfp_message(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "review_gfp", 64, 0, 0, NULL);
	void *p;

	(void)state;
	assert_non_null(c);
	p = kmem_cache_alloc(m, c, GFP_KERNEL | __GFP_DMA32);
	assert_non_null(p);
	assert_log_has(m, "Unexpected gfp: 0x4 (GFP_DMA32). Fixing up to gfp: 0xcc0 "
			  "(GFP_KERNEL). Fix your code!");
	assert_int_equal(count_in_log(m, "Unexpected gfp:"), 1);
	kmem_cache_free(m, c, p);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	destroy(m);
}

/* An address past the window's end is not inside it (the old check
 * underflowed window_end - va and said yes), and kwindow_sync refuses it
 * instead of remapping host memory outside the reservation. */
static void test_kwindow_contains_rejects_past_end(void **state)
{
	struct machine *m = test_boot_default();
	u64 end = m->pgtables.window_end;

	(void)state;
	assert_true(kwindow_contains(m, end - PAGE_SIZE, PAGE_SIZE));
	assert_false(kwindow_contains(m, end - PAGE_SIZE, 2 * PAGE_SIZE));
	assert_false(kwindow_contains(m, end + PAGE_SIZE, PAGE_SIZE));
	assert_false(kwindow_contains(m, end + 16 * PAGE_SIZE, 0));
	assert_int_equal(kwindow_sync(m, end + PAGE_SIZE, end + 2 * PAGE_SIZE), -EINVAL);
	destroy(m);
}

/* phys + len wrapping past 2^64 is an invalid range, not a host mmap try. */
static void test_window_map_rejects_wrapping_range(void **state)
{
	struct machine *m = test_boot_default();
	void *host = m->pgtables.window;

	(void)state;
	assert_non_null(host);
	assert_int_equal(machine_window_map(m, host, ~(phys_addr_t)0 & ~(phys_addr_t)(PAGE_SIZE - 1),
					    2 * PAGE_SIZE),
			 -EINVAL);
	assert_int_equal(machine_window_map(m, host, 0, m->ram_bytes + PAGE_SIZE), -EINVAL);
	/* the window page stays inaccessible */
	assert_int_equal(machine_window_probe(m, host, 0), -EFAULT);
	destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmalloc_large_bad_gfp_message),
		cmocka_unit_test(test_slab_grow_bad_gfp_message),
		cmocka_unit_test(test_kwindow_contains_rejects_past_end),
		cmocka_unit_test(test_window_map_rejects_wrapping_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
