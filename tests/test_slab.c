/* Slab caches: bootstrap, layout (order, colour, alignment), the full /
 * partial / free lists, constructors, per-CPU arrays, shrink and destroy,
 * /proc/slabinfo. Expected numbers come from Linux SLAB's formulas
 * (calculate_slab_order, cache_estimate, enable_cpucache). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mm/slab.h"

static struct kmem_cache_node *node(struct kmem_cache *c)
{
	return &c->node[0];
}

static struct page *obj_slab(struct machine *m, struct kmem_cache *c, void *p)
{
	return slab_head(m, c, virt_to_page(m, p));
}

static bool on_list(struct list_head *head, struct page *page)
{
	struct page *p;

	list_for_each_entry(p, head, slab_list)
		if (p == page)
			return true;
	return false;
}

static unsigned long free_pages_now(struct machine *m)
{
	drain_all_pages(m);
	return nr_free_pages(m);
}

/* Shrink every cache and drain the page allocator's per-CPU lists. */
static unsigned long settled_free_pages(struct machine *m)
{
	shrink_slab_caches(m);
	return free_pages_now(m);
}

static void test_boot_brings_up_kmem_cache_and_kmalloc_caches(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_int_equal(m->slab.state, SLAB_FULL);
	assert_ptr_equal(m->slab.kmem_cache, &m->slab.kmem_cache_boot);
	assert_string_equal(m->slab.kmem_cache->name, "kmem_cache");
	assert_string_equal(m->slab.kmalloc_caches[KMALLOC_NORMAL][6]->name, "kmalloc-64");
	assert_string_equal(m->slab.kmalloc_caches[KMALLOC_NORMAL][1]->name, "kmalloc-96");
	assert_string_equal(m->slab.kmalloc_caches[KMALLOC_NORMAL][13]->name, "kmalloc-8k");
	assert_string_equal(m->slab.kmalloc_caches[KMALLOC_DMA][3]->name, "dma-kmalloc-8");
	assert_string_equal(m->slab.kmalloc_caches[KMALLOC_RECLAIM][10]->name, "kmalloc-rcl-1k");
	assert_string_equal(m->slab.kmalloc_caches[KMALLOC_CGROUP][2]->name, "kmalloc-cg-192");
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_cache_descriptor_is_a_slab_object_in_simulated_ram(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_desc", 100, 0, 0, NULL);
	struct page *page;

	(void)state;
	assert_non_null(c);
	assert_true((u8 *)c >= m->ram && (u8 *)c < m->ram + m->ram_bytes);
	page = virt_to_page(m, c);
	assert_true(PageSlab(page));
	assert_ptr_equal(page->slab_cache, m->slab.kmem_cache);
	/* the kmalloc caches' descriptors too */
	page = virt_to_page(m, m->slab.kmalloc_caches[KMALLOC_NORMAL][3]);
	assert_ptr_equal(page->slab_cache, m->slab.kmem_cache);
	assert_string_equal(kmem_cache_name(c), "test_desc");
	assert_int_equal(kmem_cache_size(c), 100);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Order and objects per slab by calculate_slab_order: 1100-byte objects
 * waste 796 of a page (> 1/8), so order 1 (slab_max_order is 1 above
 * 32 MiB): 8192 / 1100 = 7 objects. */
static void test_slab_order_bounds_waste(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_order", 1100, 0, 0, NULL);

	(void)state;
	assert_int_equal(m->slab.slab_max_order, 1);
	assert_int_equal(c->gfporder, 1);
	assert_int_equal(c->num, 7);
	assert_true(OBJFREELIST_SLAB(c));
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	mmkit_machine_destroy(m);
}

static void test_slab_max_order_cmdline_keeps_order_0(void **state)
{
	struct machine *m = test_boot_text("cmdline slab_max_order=0\n");
	struct kmem_cache *c = kmem_cache_create(m, "test_order0", 1100, 0, 0, NULL);

	(void)state;
	assert_int_equal(c->gfporder, 0);
	assert_int_equal(c->num, 3);	/* 4096 / 1100 */
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	mmkit_machine_destroy(m);
}

/* A constructor forbids the freelist inside objects: the freelist is on
 * the slab, one u16 per object. Sizes are rounded to a word (304):
 * 4096 / (304 + 2) = 13, left 118. */
static int ctor_calls;
static void ctor_fill(void *obj)
{
	ctor_calls++;
	memset(obj, 0x5c, 300);
}

static void test_on_slab_freelist_layout_with_ctor(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_onslab", 300, 0, 0, ctor_fill);

	(void)state;
	assert_false(OBJFREELIST_SLAB(c));
	assert_false(OFF_SLAB(c));
	assert_int_equal(c->num, 13);
	assert_int_equal(c->size, 304);
	assert_int_equal(c->colour, 118 / 64);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	mmkit_machine_destroy(m);
}

/* 2048-byte objects with a constructor: on-slab the freelist would cost
 * an object (4096 / 2050 = 1), off-slab two u16 come from kmalloc-8 and a
 * page holds 2 objects with nothing left over (cf. set_off_slab_cache). */
static int big_ctor_calls;
static void ctor_big(void *obj)
{
	big_ctor_calls++;
	*(u32 *)obj = 0xfeedf00d;
}

static void test_off_slab_freelist_for_big_objects_with_ctor(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long before = settled_free_pages(m);
	struct kmem_cache *c = kmem_cache_create(m, "test_offslab", 2048, 0, 0, ctor_big);
	struct kmem_cache *k8 = m->slab.kmalloc_caches[KMALLOC_NORMAL][3];
	void *objs[10];
	struct page *slab;

	(void)state;
	assert_true(OFF_SLAB(c));
	assert_int_equal(c->num, 2);
	assert_int_equal(c->gfporder, 0);
	assert_ptr_equal(c->freelist_cache, k8);
	for (int i = 0; i < 10; i++) {
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
		assert_int_equal(*(u32 *)objs[i], 0xfeedf00d);
	}
	slab = obj_slab(m, c, objs[0]);
	assert_ptr_equal(virt_to_page(m, slab->freelist)->slab_cache, k8);
	assert_clean(m);
	for (int i = 0; i < 10; i++)
		kmem_cache_free(m, c, objs[i]);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	assert_int_equal(settled_free_pages(m), before);	/* freelists went back too */
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_ctor_runs_once_per_object_when_slab_is_created(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_ctor", 300, 0, 0, ctor_fill);
	u8 *p, *q;

	(void)state;
	ctor_calls = 0;
	p = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_non_null(p);
	assert_int_equal(ctor_calls, c->num);	/* the whole slab, at once */
	assert_int_equal(p[0], 0x5c);
	assert_int_equal(p[299], 0x5c);
	kmem_cache_free(m, c, p);
	q = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_ptr_equal(q, p);			/* LIFO per-CPU array */
	assert_int_equal(ctor_calls, c->num);	/* not constructed again */
	for (unsigned int i = 1; i < c->num; i++)
		assert_non_null(kmem_cache_alloc(m, c, GFP_KERNEL));
	assert_int_equal(ctor_calls, c->num);
	assert_non_null(kmem_cache_alloc(m, c, GFP_KERNEL));	/* a second slab */
	assert_int_equal(ctor_calls, 2 * c->num);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Colouring: 296-byte objects, 13 per page (objfreelist), 248 bytes left:
 * colour = 248 / 64 = 3. cache_grow increments colour_next before use, so
 * successive slabs start at 64, 128, 0, 64, ... */
static void test_colour_offsets_of_successive_slabs(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_colour", 296, 0, 0, NULL);
	static const unsigned int expect[] = { 64, 128, 0, 64, 128 };
	unsigned int seen = 0;
	unsigned long grown = c->grown;

	(void)state;
	assert_int_equal(c->num, 13);
	assert_int_equal(c->colour, 3);
	assert_int_equal(c->colour_off, 64);
	while (seen < ARRAY_SIZE(expect)) {
		u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL);
		struct page *slab;

		assert_non_null(p);
		if (c->grown == grown)
			continue;
		grown = c->grown;
		slab = obj_slab(m, c, p);
		assert_int_equal(slab->s_mem_off, expect[seen]);
		assert_int_equal((size_t)(p - (u8 *)page_address(m, slab) - expect[seen]) % c->size, 0);
		seen++;
	}
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* SLAB_HWCACHE_ALIGN: the cache line, halved while the object fits in half. */
static void test_hwcache_align_follows_linux_rule(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *a = kmem_cache_create(m, "test_hw20", 20, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *b = kmem_cache_create(m, "test_hw100", 100, 0, SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *d = kmem_cache_create(m, "test_al128", 24, 128, 0, NULL);
	void *p;

	(void)state;
	assert_int_equal(a->align, 32);
	assert_int_equal(a->size, 32);
	assert_int_equal(b->align, 64);
	assert_int_equal(b->size, 128);
	assert_int_equal(d->align, 128);
	assert_int_equal(d->colour_off, 128);
	p = kmem_cache_alloc(m, b, GFP_KERNEL);
	assert_int_equal(kernel_va(m, p) % 64, 0);
	kmem_cache_free(m, b, p);
	p = kmem_cache_alloc(m, d, GFP_KERNEL);
	assert_int_equal(kernel_va(m, p) % 128, 0);
	kmem_cache_free(m, d, p);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* enable_cpucache: limit by object size, batchcount (limit + 1) / 2. */
static void test_per_cpu_array_sizes_follow_enable_cpucache(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c64 = m->slab.kmalloc_caches[KMALLOC_NORMAL][6];
	struct kmem_cache *c512 = m->slab.kmalloc_caches[KMALLOC_NORMAL][9];
	struct kmem_cache *c2k = m->slab.kmalloc_caches[KMALLOC_NORMAL][11];
	struct kmem_cache *c8k = m->slab.kmalloc_caches[KMALLOC_NORMAL][13];

	(void)state;
	assert_int_equal(c64->limit, 120);
	assert_int_equal(c64->batchcount, 60);
	assert_int_equal(c512->limit, 54);
	assert_int_equal(c512->batchcount, 27);
	assert_int_equal(c2k->limit, 24);
	assert_int_equal(c8k->limit, 8);
	assert_int_equal(c8k->batchcount, 4);
	assert_int_equal(c64->shared, 0);	/* one CPU: no shared array */
	assert_null(node(c64)->shared);
	mmkit_machine_destroy(m);
}

static void test_shared_array_on_two_cpus(void **state)
{
	struct machine *m = test_boot_text("cpus 2\n");
	struct kmem_cache *c64 = m->slab.kmalloc_caches[KMALLOC_NORMAL][6];

	(void)state;
	assert_int_equal(m->slab.nr_cpu_ids, 2);
	assert_int_equal(c64->shared, 8);
	assert_non_null(node(c64)->shared);
	assert_int_equal(node(c64)->shared->limit, 8 * 60);
	/* free_limit = (1 + nr_cpus) * batchcount + num */
	assert_int_equal(node(c64)->free_limit, 3 * 60 + c64->num);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Without per-CPU arrays (a debug cache), list moves are exact:
 * partial first, then free; a slab moves as it fills and empties. */
static void test_objects_come_from_partial_slab_first(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_lists", 256, 0,
						 SLAB_CONSISTENCY_CHECKS, NULL);
	void *objs[64], *x, *y;
	struct page *s1, *s2;
	unsigned int num = c->num;

	(void)state;
	assert_int_equal(c->limit, 0);
	assert_true(num < 64);
	for (unsigned int i = 0; i < num; i++)
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
	s1 = obj_slab(m, c, objs[0]);
	assert_true(on_list(&node(c)->slabs_full, s1));
	y = kmem_cache_alloc(m, c, GFP_KERNEL);
	s2 = obj_slab(m, c, y);
	assert_ptr_not_equal(s1, s2);
	assert_true(on_list(&node(c)->slabs_partial, s2));
	kmem_cache_free(m, c, y);
	assert_true(on_list(&node(c)->slabs_free, s2));
	assert_int_equal(node(c)->free_slabs, 1);
	x = objs[3];
	kmem_cache_free(m, c, x);
	assert_true(on_list(&node(c)->slabs_partial, s1));
	/* partial s1 before free s2 */
	assert_ptr_equal(kmem_cache_alloc(m, c, GFP_KERNEL), x);
	assert_true(on_list(&node(c)->slabs_full, s1));
	assert_true(on_list(&node(c)->slabs_free, s2));
	for (unsigned int i = 0; i < num; i++)
		kmem_cache_free(m, c, objs[i]);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Free slabs beyond free_limit go back to the buddy allocator. Without
 * arrays free_limit is num + 1 + nr_cpus: one free slab stays. */
static void test_free_slabs_beyond_limit_return_to_buddy(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_limit", 512, 0,
						 SLAB_CONSISTENCY_CHECKS, NULL);
	unsigned int n = 4 * c->num;
	void **objs = calloc(n, sizeof(void *));
	unsigned long before;

	(void)state;
	before = free_pages_now(m);
	for (unsigned int i = 0; i < n; i++)
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_int_equal(node(c)->total_slabs, 4);
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(m, c, objs[i]);
	assert_int_equal(node(c)->total_slabs, 1);
	assert_int_equal(node(c)->free_slabs, 1);
	assert_int_equal(free_pages_now(m), before - (1UL << c->gfporder));
	assert_int_equal(kmem_cache_shrink(m, c), 0);
	assert_int_equal(node(c)->total_slabs, 0);
	assert_int_equal(free_pages_now(m), before);
	free(objs);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_per_cpu_array_is_lifo_and_lockless(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_lifo", 64, 0, 0, NULL);
	struct array_cache *ac;
	void *a, *b;

	(void)state;
	a = kmem_cache_alloc(m, c, GFP_KERNEL);
	b = kmem_cache_alloc(m, c, GFP_KERNEL);
	ac = cpu_cache_get(c, 0);
	/* the first refill of an untouched array takes BATCHREFILL_LIMIT */
	assert_int_equal(ac->avail, BATCHREFILL_LIMIT - 2);
	kmem_cache_free(m, c, a);
	kmem_cache_free(m, c, b);
	assert_int_equal(ac->avail, BATCHREFILL_LIMIT);
	assert_ptr_equal(kmem_cache_alloc(m, c, GFP_KERNEL), b);
	assert_ptr_equal(kmem_cache_alloc(m, c, GFP_KERNEL), a);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* A full array flushes batchcount objects back to the slabs. */
static void test_full_array_flushes_a_batch(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_flush", 64, 0, 0, NULL);
	unsigned int n = c->limit + 1;
	void **objs = calloc(n, sizeof(void *));
	struct array_cache *ac = NULL;

	(void)state;
	for (unsigned int i = 0; i < n; i++)
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
	kmem_cache_shrink(m, c);	/* empty the array: refills left objects there */
	ac = cpu_cache_get(c, 0);
	assert_int_equal(ac->avail, 0);
	for (unsigned int i = 0; i < c->limit; i++)
		kmem_cache_free(m, c, objs[i]);
	ac = cpu_cache_get(c, 0);
	assert_int_equal(ac->avail, c->limit);
	kmem_cache_free(m, c, objs[c->limit]);
	assert_int_equal(ac->avail, c->limit - c->batchcount + 1);
	/* the oldest batch went back: the array keeps the newest */
	assert_ptr_equal(ac->entry[ac->avail - 1], objs[c->limit]);
	free(objs);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_shrink_frees_free_slabs_and_reports_busy(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long before = settled_free_pages(m);
	struct kmem_cache *c = kmem_cache_create(m, "test_shrink", 128, 0, 0, NULL);
	void *objs[200];

	(void)state;
	for (int i = 0; i < 200; i++)
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
	for (int i = 1; i < 200; i++)
		kmem_cache_free(m, c, objs[i]);
	assert_int_equal(kmem_cache_shrink(m, c), 1);
	assert_int_equal(node(c)->total_slabs, 1);
	assert_int_equal(cpu_cache_get(c, 0)->avail, 0);
	kmem_cache_free(m, c, objs[0]);
	assert_int_equal(kmem_cache_shrink(m, c), 0);
	assert_int_equal(node(c)->total_slabs, 0);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	assert_int_equal(settled_free_pages(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_destroy_with_live_objects_refuses(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_busy", 64, 0, 0, NULL);
	void *p = kmem_cache_alloc(m, c, GFP_KERNEL), *q;
	char *info;

	(void)state;
	assert_int_equal(kmem_cache_destroy(m, c), -EBUSY);
	assert_true(test_log_contains(m, "kmem_cache_destroy test_busy: Slab cache still has objects"));
	assert_true(test_log_contains(m, "------------[ cut here ]------------"));
	assert_true(test_log_contains(m, "WARNING: CPU: 0 PID: 0 at mm/slab_common.c:"));
	/* still usable and still listed */
	q = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_non_null(q);
	info = test_proc(m, "/proc/slabinfo");
	assert_non_null(strstr(info, "\ntest_busy "));
	free(info);
	kmem_cache_free(m, c, p);
	kmem_cache_free(m, c, q);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	info = test_proc(m, "/proc/slabinfo");
	assert_null(strstr(info, "\ntest_busy "));
	free(info);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_destroy_returns_every_page(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long before = settled_free_pages(m);
	struct kmem_cache *c = kmem_cache_create(m, "test_gone", 2000, 0, SLAB_HWCACHE_ALIGN, NULL);
	void *objs[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(m, c, objs[i]);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	assert_int_equal(settled_free_pages(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_create_rejects_bad_arguments(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_null(kmem_cache_create(m, NULL, 64, 0, 0, NULL));
	assert_null(kmem_cache_create(m, "test_tiny", 4, 0, 0, NULL));
	assert_true(test_log_contains(m, "kmem_cache_create(test_tiny) integrity check failed"));
	assert_true(test_log_contains(m, "kmem_cache_create(test_tiny) failed with error -22"));
	assert_null(kmem_cache_create(m, "test_huge", KMALLOC_MAX_SIZE + 1, 0, 0, NULL));
	assert_null(kmem_cache_create(m, "test_align", 64, 24, 0, NULL));
	assert_null(kmem_cache_create(m, "test_flags", 64, 0, 0x1, NULL));
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Fail the 1st, 2nd, ... allocation from kmem_cache_create on (the name,
 * the descriptor, the per-CPU and shared arrays, then the objects): each
 * failure is clean -- NULL with the kernel's message -- and nothing leaks. */
static void test_create_under_failslab_leaks_nothing(void **state)
{
	struct machine *m = test_boot_text("cpus 2\n");
	unsigned long before = settled_free_pages(m);
	int create_failed = 0, alloc_failed = 0;

	(void)state;
	for (unsigned long n = 1; n <= 12; n++) {
		struct kmem_cache *c;
		void *objs[40];

		failslab_set_nth(m, n);
		c = kmem_cache_create(m, "test_fail", 500, 0, 0, NULL);
		if (!c) {
			create_failed++;
		} else {
			for (int i = 0; i < 40; i++) {
				objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
				alloc_failed += !objs[i];
			}
			for (int i = 0; i < 40; i++)
				kmem_cache_free(m, c, objs[i]);
			assert_int_equal(kmem_cache_destroy(m, c), 0);
		}
		failslab_set_nth(m, 0);
		assert_int_equal(settled_free_pages(m), before);
		assert_clean(m);
	}
	assert_int_equal(create_failed, 4);	/* name, descriptor, arrays, shared array */
	assert_int_equal(alloc_failed, 12 - 4);
	assert_true(test_log_contains(m, "kmem_cache_create(test_fail) failed with error -12"));
	assert_true(test_log_contains(m, "enable_cpucache failed for test_fail, error 12"));
	mmkit_machine_destroy(m);
}

static void test_zalloc_zeroes(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_zero", 200, 0, 0, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL);

	(void)state;
	memset(p, 0xee, 200);
	kmem_cache_free(m, c, p);
	p = kmem_cache_zalloc(m, c, GFP_KERNEL);
	for (int i = 0; i < 200; i++)
		assert_int_equal(p[i], 0);
	kmem_cache_free(m, c, p);
	mmkit_machine_destroy(m);
}

/* A row as Linux prints it: the cache's own numbers. 300-byte objects
 * take 304-byte slots (word aligned): 13 per page, limit 54 (> 256
 * bytes), batchcount 27; the first refill moves the whole new slab into
 * the array, and array objects count active. */
static void test_slabinfo_row_for_new_cache(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_obj", 300, 0, 0, NULL);
	char *info, want[256];

	(void)state;
	assert_non_null(kmem_cache_alloc(m, c, GFP_KERNEL));
	info = test_proc(m, "/proc/slabinfo");
	snprintf(want, sizeof(want), "\n%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : "
		 "slabdata %6lu %6lu %6lu\n", "test_obj", 13UL, 13UL, 304U, 13U, 1, 54U, 27U, 0U,
		 1UL, 1UL, 0UL);
	assert_non_null(strstr(info, want));
	free(info);
	mmkit_machine_destroy(m);
}

/* Header, row format and order (newest first, kmem_cache last), as the
 * reference file from Linux 6.18 has them. */
struct row {
	char name[64];
	unsigned int objsize, perslab, limit;
};

static void test_slabinfo_matches_linux_format(void **state)
{
	struct machine *m = test_boot_default();
	char *info = test_proc(m, "/proc/slabinfo");
	char *ref = test_read_file(MMKIT_REFERENCE_DIR "/proc/slabinfo");
	char *line, *save = NULL, *ref_hdr_end;
	static struct row rows[256];
	int n = 0, cg = -1, k96 = -1;

	(void)state;
	assert_non_null(ref);
	ref_hdr_end = strchr(strchr(ref, '\n') + 1, '\n');
	assert_int_equal(strncmp(info, ref, (size_t)(ref_hdr_end - ref + 1)), 0);
	for (line = strtok_r(strchr(strchr(info, '\n') + 1, '\n') + 1, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char again[256];
		unsigned long ao, no, as, ns, sa;
		unsigned int bc, sh;
		int pps;
		struct row *r = &rows[n++];

		assert_int_equal(sscanf(line, "%63s %lu %lu %u %u %d : tunables %u %u %u : slabdata %lu %lu %lu",
					r->name, &ao, &no, &r->objsize, &r->perslab, &pps, &r->limit,
					&bc, &sh, &as, &ns, &sa), 12);
		snprintf(again, sizeof(again),
			 "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu",
			 r->name, ao, no, r->objsize, r->perslab, pps, r->limit, bc, sh, as, ns, sa);
		assert_string_equal(line, again);
		if (!strcmp(r->name, "kmalloc-cg-8k"))
			cg = n - 1;
		if (!strcmp(r->name, "kmalloc-96"))
			k96 = n - 1;
	}
	assert_string_equal(rows[n - 1].name, "kmem_cache");
	/* creation order per type: 96, 192, 8, 16, ..., 8k; types normal,
	 * rcl, dma, cg -- listed newest first */
	assert_true(cg >= 0 && cg + 52 == n - 1);
	assert_string_equal(rows[cg + 11].name, "kmalloc-cg-192");
	assert_string_equal(rows[cg + 12].name, "kmalloc-cg-96");
	assert_string_equal(rows[cg + 13].name, "dma-kmalloc-8k");
	assert_string_equal(rows[cg + 26].name, "kmalloc-rcl-8k");
	assert_string_equal(rows[cg + 39].name, "kmalloc-8k");
	assert_string_equal(rows[cg + 49].name, "kmalloc-8");
	/* SLAB aligns kmalloc caches to the cache line: kmalloc-96 slots are 128 */
	assert_true(k96 >= 0);
	assert_int_equal(rows[k96].objsize, 128);
	assert_int_equal(rows[k96].perslab, 32);
	assert_int_equal(rows[k96].limit, 120);
	free(ref);
	free(info);
	mmkit_machine_destroy(m);
}

static void test_cache_reap_trims_idle_arrays(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "test_reap", 64, 0, 0, NULL);
	struct array_cache *ac;
	void *objs[100];

	(void)state;
	for (int i = 0; i < 100; i++)
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
	kmem_cache_shrink(m, c);
	for (int i = 0; i < 100; i++)
		kmem_cache_free(m, c, objs[i]);
	ac = cpu_cache_get(c, 0);
	assert_int_equal(ac->avail, 100);
	cache_reap(m);		/* touched: only clears the mark */
	assert_int_equal(ac->avail, 100);
	cache_reap(m);		/* idle: gives back (limit + 4) / 5 */
	assert_int_equal(ac->avail, 100 - (120 + 4) / 5);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_brings_up_kmem_cache_and_kmalloc_caches),
		cmocka_unit_test(test_cache_descriptor_is_a_slab_object_in_simulated_ram),
		cmocka_unit_test(test_slab_order_bounds_waste),
		cmocka_unit_test(test_slab_max_order_cmdline_keeps_order_0),
		cmocka_unit_test(test_on_slab_freelist_layout_with_ctor),
		cmocka_unit_test(test_off_slab_freelist_for_big_objects_with_ctor),
		cmocka_unit_test(test_ctor_runs_once_per_object_when_slab_is_created),
		cmocka_unit_test(test_colour_offsets_of_successive_slabs),
		cmocka_unit_test(test_hwcache_align_follows_linux_rule),
		cmocka_unit_test(test_per_cpu_array_sizes_follow_enable_cpucache),
		cmocka_unit_test(test_shared_array_on_two_cpus),
		cmocka_unit_test(test_objects_come_from_partial_slab_first),
		cmocka_unit_test(test_free_slabs_beyond_limit_return_to_buddy),
		cmocka_unit_test(test_per_cpu_array_is_lifo_and_lockless),
		cmocka_unit_test(test_full_array_flushes_a_batch),
		cmocka_unit_test(test_shrink_frees_free_slabs_and_reports_busy),
		cmocka_unit_test(test_destroy_with_live_objects_refuses),
		cmocka_unit_test(test_destroy_returns_every_page),
		cmocka_unit_test(test_create_rejects_bad_arguments),
		cmocka_unit_test(test_create_under_failslab_leaks_nothing),
		cmocka_unit_test(test_zalloc_zeroes),
		cmocka_unit_test(test_slabinfo_row_for_new_cache),
		cmocka_unit_test(test_slabinfo_matches_linux_format),
		cmocka_unit_test(test_cache_reap_trims_idle_arrays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
