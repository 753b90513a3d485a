/* kmalloc and friends: the size -> cache mapping (Linux's size_index table
 * and fls), large allocations from the buddy allocator, ZERO_SIZE_PTR,
 * kfree/ksize/krealloc/kzalloc/kcalloc and their error paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mm/slab.h"

static struct kmem_cache *cache_of(struct machine *m, const void *p)
{
	return virt_to_page(m, p)->slab_cache;
}

static unsigned long free_pages_now(struct machine *m)
{
	drain_all_pages(m);
	return nr_free_pages(m);
}

/* What Linux's kmalloc_slab() picks, written out independently. */
static const char *expected_cache(size_t size)
{
	static char name[32];
	size_t p = 8;

	if (size > 64 && size <= 96)
		return "kmalloc-96";
	if (size > 128 && size <= 192)
		return "kmalloc-192";
	while (p < size)
		p <<= 1;
	if (p >= 1024)
		snprintf(name, sizeof(name), "kmalloc-%zuk", p / 1024);
	else
		snprintf(name, sizeof(name), "kmalloc-%zu", p);
	return name;
}

static void test_every_size_maps_to_linux_cache(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	for (size_t size = 1; size <= KMALLOC_MAX_CACHE_SIZE; size++) {
		struct kmem_cache *c = kmalloc_slab(m, size, GFP_KERNEL);

		assert_non_null(c);
		if (strcmp(c->name, expected_cache(size))) {
			fprintf(stderr, "size %zu: %s, want %s\n", size, c->name, expected_cache(size));
			fail();
		}
		assert_true(c->object_size >= size);
	}
	assert_null(kmalloc_slab(m, KMALLOC_MAX_CACHE_SIZE + 1, GFP_KERNEL));
	mmkit_machine_destroy(m);
}

static void test_kmalloc_index_values(void **state)
{
	(void)state;
	assert_int_equal(kmalloc_index(0), 0);
	assert_int_equal(kmalloc_index(1), 3);
	assert_int_equal(kmalloc_index(8), 3);
	assert_int_equal(kmalloc_index(9), 4);
	assert_int_equal(kmalloc_index(65), 1);
	assert_int_equal(kmalloc_index(96), 1);
	assert_int_equal(kmalloc_index(97), 7);
	assert_int_equal(kmalloc_index(129), 2);
	assert_int_equal(kmalloc_index(193), 8);
	assert_int_equal(kmalloc_index(8192), 13);
}

static void test_kmalloc_objects_come_from_their_cache(void **state)
{
	struct machine *m = test_boot_default();
	static const size_t sizes[] = { 1, 8, 24, 72, 100, 150, 200, 1000, 3000, 8192 };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		void *p = kmalloc(m, sizes[i], GFP_KERNEL);

		assert_non_null(p);
		assert_string_equal(cache_of(m, p)->name, expected_cache(sizes[i]));
		assert_int_equal(ksize(m, p), cache_of(m, p)->object_size);
		memset(p, 0xab, sizes[i]);
		kfree(m, p);
	}
	assert_int_equal(ksize(m, kmalloc(m, 20, GFP_KERNEL)), 32);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_gfp_flags_pick_the_twin_caches(void **state)
{
	struct machine *m = test_boot_default();
	void *d = kmalloc(m, 100, GFP_KERNEL | GFP_DMA);
	void *r = kmalloc(m, 100, GFP_KERNEL | __GFP_RECLAIMABLE);
	void *a = kmalloc(m, 100, GFP_KERNEL_ACCOUNT);

	(void)state;
	assert_string_equal(cache_of(m, d)->name, "dma-kmalloc-128");
	assert_int_equal(page_zonenum(virt_to_page(m, d)), ZONE_DMA);
	assert_string_equal(cache_of(m, r)->name, "kmalloc-rcl-128");
	assert_true(m->slab.nr_slab_reclaimable > 0);
	assert_string_equal(cache_of(m, a)->name, "kmalloc-cg-128");
	kfree(m, d);
	kfree(m, r);
	kfree(m, a);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_zero_size_and_null(void **state)
{
	struct machine *m = test_boot_default();
	size_t len;

	(void)state;
	assert_ptr_equal(kmalloc(m, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	assert_ptr_equal(kzalloc(m, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	mmkit_log_text(m, &len);
	kfree(m, NULL);
	kfree(m, ZERO_SIZE_PTR);
	assert_int_equal(ksize(m, ZERO_SIZE_PTR), 0);
	assert_int_equal(ksize(m, NULL), 0);
	{
		size_t after;

		mmkit_log_text(m, &after);
		assert_int_equal(after, len);	/* nothing to say */
	}
	assert_int_equal(m->slab.nr_bad_frees, 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Above 8 KiB: 2^order pages straight from the buddy allocator. */
static void test_large_kmalloc_uses_pages(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long before = free_pages_now(m);
	u8 *p = kmalloc(m, 8193, GFP_KERNEL);

	(void)state;
	assert_non_null(p);
	assert_int_equal(kernel_va(m, p) % PAGE_SIZE, 0);
	assert_false(PageSlab(virt_to_page(m, p)));
	assert_int_equal(ksize(m, p), 16384);	/* get_order(8193) = 2 */
	assert_int_equal(free_pages_now(m), before - 4);
	assert_int_equal(m->slab.nr_kmalloc_large, 4);
	memset(p, 1, 16384);
	kfree(m, p);
	assert_int_equal(free_pages_now(m), before);
	assert_int_equal(m->slab.nr_kmalloc_large, 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_large_kmalloc_limits(void **state)
{
	struct machine *m = test_boot_default();
	void *p = kmalloc(m, KMALLOC_MAX_SIZE, GFP_KERNEL);

	(void)state;
	assert_non_null(p);
	assert_int_equal(ksize(m, p), KMALLOC_MAX_SIZE);
	kfree(m, p);
	assert_null(kmalloc(m, KMALLOC_MAX_SIZE + 1, GFP_KERNEL | __GFP_NOWARN));
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_kzalloc_and_kcalloc_zero(void **state)
{
	struct machine *m = test_boot_default();
	u8 *p = kmalloc(m, 256, GFP_KERNEL), *q;

	(void)state;
	memset(p, 0xcd, 256);
	kfree(m, p);
	q = kzalloc(m, 256, GFP_KERNEL);
	assert_ptr_equal(q, p);
	for (int i = 0; i < 256; i++)
		assert_int_equal(q[i], 0);
	memset(q, 0xcd, 256);
	kfree(m, q);
	q = kcalloc(m, 16, 16, GFP_KERNEL);
	assert_ptr_equal(q, p);
	for (int i = 0; i < 256; i++)
		assert_int_equal(q[i], 0);
	kfree(m, q);
	q = kzalloc(m, 20000, GFP_KERNEL);
	for (int i = 0; i < 20000; i++)
		assert_int_equal(q[i], 0);
	kfree(m, q);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_kcalloc_overflow_returns_null(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_null(kcalloc(m, SIZE_MAX / 2, 4, GFP_KERNEL));
	assert_null(kmalloc_array(m, (size_t)1 << 33, (size_t)1 << 33, GFP_KERNEL));
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_krealloc_grows_keeping_contents(void **state)
{
	struct machine *m = test_boot_default();
	u8 *p = kmalloc(m, 40, GFP_KERNEL), *q, *r;

	(void)state;
	for (int i = 0; i < 40; i++)
		p[i] = (u8)i;
	q = krealloc(m, p, 60, GFP_KERNEL);	/* still fits kmalloc-64 */
	assert_ptr_equal(q, p);
	r = krealloc(m, q, 5000, GFP_KERNEL);	/* kmalloc-8k */
	assert_ptr_not_equal(r, q);
	assert_string_equal(cache_of(m, r)->name, "kmalloc-8k");
	for (int i = 0; i < 40; i++)
		assert_int_equal(r[i], i);
	q = krealloc(m, r, 20000, GFP_KERNEL);	/* pages */
	for (int i = 0; i < 40; i++)
		assert_int_equal(q[i], i);
	r = krealloc(m, q, 100, GFP_KERNEL);	/* shrinking keeps the block */
	assert_ptr_equal(r, q);
	assert_ptr_equal(krealloc(m, r, 0, GFP_KERNEL), ZERO_SIZE_PTR);	/* frees */
	assert_int_equal(m->slab.nr_kmalloc_large, 0);
	p = krealloc(m, NULL, 30, GFP_KERNEL);	/* kmalloc */
	assert_string_equal(cache_of(m, p)->name, "kmalloc-32");
	kfree(m, p);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_kfree_of_bad_pointers_is_refused(void **state)
{
	struct machine *m = test_boot_default();
	u8 *small = kmalloc(m, 64, GFP_KERNEL);
	u8 *large = kmalloc(m, 3 * PAGE_SIZE, GFP_KERNEL);
	struct page *page = alloc_pages(m, GFP_KERNEL, 0);

	(void)state;
	kfree(m, small + 4);
	assert_true(test_log_contains(m, "Invalid object pointer"));
	kfree(m, large + PAGE_SIZE);
	assert_true(test_log_contains(m, "page dumped because: Not a kmalloc allocation"));
	kfree(m, page_address(m, page));
	assert_int_equal(m->slab.nr_bad_frees, 3);
	assert_int_equal(ksize(m, page_address(m, page)), 0);
	kfree(m, small);
	kfree(m, large);
	__free_pages(m, page, 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_allocation_failure_returns_null(void **state)
{
	struct machine *m = test_boot_default();
	u8 *p = kmalloc(m, 40, GFP_KERNEL);

	(void)state;
	memset(p, 0x5e, 40);
	failslab_set_nth(m, 1);
	assert_null(kmalloc(m, 64, GFP_KERNEL));
	failslab_set_nth(m, 1);
	assert_null(kmalloc(m, 20000, GFP_KERNEL));
	failslab_set_nth(m, 1);
	assert_null(krealloc(m, p, 5000, GFP_KERNEL));	/* p is left as it was */
	failslab_set_nth(m, 0);
	for (int i = 0; i < 40; i++)
		assert_int_equal(p[i], 0x5e);
	assert_int_equal(ksize(m, p), 64);
	kfree(m, p);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_kmalloc_size_roundup(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_int_equal(kmalloc_size_roundup(m, 0), 0);
	assert_int_equal(kmalloc_size_roundup(m, 1), 8);
	assert_int_equal(kmalloc_size_roundup(m, 65), 96);
	assert_int_equal(kmalloc_size_roundup(m, 8193), 16384);
	mmkit_machine_destroy(m);
}

static void test_kstrdup_copies(void **state)
{
	struct machine *m = test_boot_default();
	char *s = kstrdup(m, "hello, slab", GFP_KERNEL);

	(void)state;
	assert_string_equal(s, "hello, slab");
	assert_string_equal(cache_of(m, s)->name, "kmalloc-16");
	kfree(m, s);
	assert_null(kstrdup(m, NULL, GFP_KERNEL));
	mmkit_machine_destroy(m);
}

/* Slab pages count in SUnreclaim/SReclaimable, large kmalloc included. */
static void test_slab_pages_are_accounted(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long unrecl = m->slab.nr_slab_unreclaimable;
	void *p = kmalloc(m, 5 * PAGE_SIZE, GFP_KERNEL);

	(void)state;
	assert_true(unrecl > 0);
	assert_int_equal(m->slab.nr_slab_unreclaimable, unrecl + 8);
	kfree(m, p);
	assert_int_equal(m->slab.nr_slab_unreclaimable, unrecl);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_size_maps_to_linux_cache),
		cmocka_unit_test(test_kmalloc_index_values),
		cmocka_unit_test(test_kmalloc_objects_come_from_their_cache),
		cmocka_unit_test(test_gfp_flags_pick_the_twin_caches),
		cmocka_unit_test(test_zero_size_and_null),
		cmocka_unit_test(test_large_kmalloc_uses_pages),
		cmocka_unit_test(test_large_kmalloc_limits),
		cmocka_unit_test(test_kzalloc_and_kcalloc_zero),
		cmocka_unit_test(test_kcalloc_overflow_returns_null),
		cmocka_unit_test(test_krealloc_grows_keeping_contents),
		cmocka_unit_test(test_kfree_of_bad_pointers_is_refused),
		cmocka_unit_test(test_allocation_failure_returns_null),
		cmocka_unit_test(test_kmalloc_size_roundup),
		cmocka_unit_test(test_kstrdup_copies),
		cmocka_unit_test(test_slab_pages_are_accounted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
