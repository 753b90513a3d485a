/* The xarray (src/mm/xarray.c): random stores, erases and range scans
 * against a shadow array; nodes are freed when the array empties (the
 * "radix_tree_node" slab cache holds no objects afterwards) and a failed
 * node allocation leaves the array unchanged. */
#include "helpers.h"

#include <mmkit/xarray.h>
#include <stdlib.h>

#define NIDX 4096

/* Indices spread over small, medium and huge values so trees grow tall. */
static unsigned long pick_index(unsigned int r)
{
	switch (r % 4) {
	case 0: return r % 64;
	case 1: return r % 5000;
	case 2: return (unsigned long)(r % 97) << 20;
	default: return ~0UL - (r % 70);
	}
}

static int shadow_find(unsigned long *idx, void **val, unsigned long *keys, void **vals,
		       int n, unsigned long from, unsigned long max)
{
	int best = -1;

	for (int i = 0; i < n; i++)
		if (vals[i] && keys[i] >= from && keys[i] <= max &&
		    (best < 0 || keys[i] < keys[best]))
			best = i;
	if (best < 0)
		return 0;
	*idx = keys[best];
	*val = vals[best];
	return 1;
}

static int slot_of(unsigned long *keys, void **vals, int *n, unsigned long idx, bool add)
{
	for (int i = 0; i < *n; i++)
		if (keys[i] == idx)
			return i;
	if (!add)
		return -1;
	keys[*n] = idx;
	vals[*n] = NULL;
	return (*n)++;
}

static void test_xarray_matches_shadow(void **state)
{
	struct machine *m = test_boot_default();
	static unsigned long keys[NIDX];
	static void *vals[NIDX];
	struct xarray xa;
	unsigned int seed = 12345;
	int n = 0;

	(void)state;
	xa_init(&xa);
	for (int step = 0; step < 20000; step++) {
		unsigned int r = (unsigned int)rand_r(&seed);
		unsigned long idx = pick_index(r >> 3);
		int op = r % 8;

		if (op < 4 && n < NIDX - 1) {
			void *v = (r & 1) ? xa_mk_value(r >> 4) : (void *)(uintptr_t)((r | 4) & ~3u);
			int s = slot_of(keys, vals, &n, idx, true);
			void *old = xa_store(m, &xa, idx, v, GFP_KERNEL);

			assert_ptr_equal(old, vals[s]);
			vals[s] = v;
		} else if (op < 6) {
			int s = slot_of(keys, vals, &n, idx, false);

			assert_ptr_equal(xa_erase(m, &xa, idx), s < 0 ? NULL : vals[s]);
			if (s >= 0)
				vals[s] = NULL;
		} else if (op == 6) {
			int s = slot_of(keys, vals, &n, idx, false);

			assert_ptr_equal(xa_load(&xa, idx), s < 0 ? NULL : vals[s]);
		} else {
			unsigned long from = idx, max = idx + (r % 100000), got = from, want = 0;
			void *v, *wv = NULL;

			if (max < from)	/* wrapped */
				max = ~0UL;
			v = xa_find(&xa, &got, max);
			assert_int_equal(v != NULL,
					 shadow_find(&want, &wv, keys, vals, n, from, max));
			if (v) {
				assert_int_equal(got, want);
				assert_ptr_equal(v, wv);
			}
		}
		if (step % 1000 == 0)
			assert_int_equal(xa_check(m, &xa, "test"), 0);
	}
	/* a full scan visits the live entries in order */
	{
		unsigned long idx, last = 0, count = 0, live = 0;
		void *e;
		bool first = true;

		xa_for_each(&xa, idx, e) {
			assert_true(first || idx > last);
			first = false;
			last = idx;
			count++;
		}
		for (int i = 0; i < n; i++)
			live += vals[i] != NULL;
		assert_int_equal(count, live);
		assert_int_equal(xa.nr_entries, live);
	}
	for (int i = 0; i < n; i++)
		if (vals[i])
			assert_ptr_equal(xa_erase(m, &xa, keys[i]), vals[i]);
	assert_true(xa_empty(&xa));
	assert_int_equal(xa_check(m, &xa, "test"), 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Index 0 lives in the head; adding a far index grows a tree, erasing it
 * shrinks the tree back to the head entry. */
static void test_xarray_grow_and_shrink(void **state)
{
	struct machine *m = test_boot_default();
	struct xarray xa;
	int a, b;

	(void)state;
	xa_init(&xa);
	assert_null(xa_store(m, &xa, 0, &a, GFP_KERNEL));
	assert_ptr_equal(xa.xa_head, &a);
	assert_null(xa_store(m, &xa, 1UL << 40, &b, GFP_KERNEL));
	assert_ptr_not_equal(xa.xa_head, &a);
	assert_ptr_equal(xa_load(&xa, 1UL << 40), &b);
	assert_null(xa_load(&xa, 1UL << 39));
	assert_ptr_equal(xa_erase(m, &xa, 1UL << 40), &b);
	assert_ptr_equal(xa.xa_head, &a);
	assert_int_equal(xa_check(m, &xa, "test"), 0);
	xa_store(m, &xa, 5, &b, GFP_KERNEL);
	xa_destroy(m, &xa);
	assert_true(xa_empty(&xa));
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* The first store into an empty array at an index above 63 builds one
 * root tall enough, no empty leaf at slot 0: erasing everything frees
 * every node (an empty leaf was once left behind, one node leaked per
 * such array: found by tests/test_integrity.c, swapon after swapoff). */
static void test_xarray_far_first_store_leaves_no_empty_node(void **state)
{
	struct machine *m = test_boot_default();
	struct slabinfo si;
	struct xarray xa;
	int a, b;

	(void)state;
	xa_init(&xa);
	assert_null(xa_store(m, &xa, 224, &a, GFP_KERNEL));
	assert_int_equal(xa_check(m, &xa, "test"), 0);
	assert_null(xa_store(m, &xa, 62600, &b, GFP_KERNEL));
	assert_int_equal(xa_check(m, &xa, "test"), 0);
	assert_ptr_equal(xa_erase(m, &xa, 224), &a);
	assert_ptr_equal(xa_erase(m, &xa, 62600), &b);
	assert_true(xa_empty(&xa));
	kmem_cache_shrink(m, m->vm.radix_tree_node_cachep);
	get_slabinfo(m, m->vm.radix_tree_node_cachep, &si);
	assert_int_equal(si.active_objs, 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xarray_matches_shadow),
		cmocka_unit_test(test_xarray_grow_and_shrink),
		cmocka_unit_test(test_xarray_far_first_store_leaves_no_empty_node),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
