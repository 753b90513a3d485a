/* Seeded random stress of the slab allocator (kmalloc of mixed sizes,
 * caches with and without constructors and debugging) with the invariant
 * checker on, and two host threads as CPUs 0 and 1. After everything is
 * freed and the caches are shrunk, the buddy allocator's free counts are
 * what they were before. Every live block carries a pattern that is
 * checked before it is freed, so overlapping allocations would show. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mm/slab.h"

#define NSLOTS 2048

struct slot {
	u8 *p;
	size_t size;
	int kind;	/* 0: kmalloc, 1..3: a cache */
	u8 tag;
};

struct stress {
	struct machine *m;
	struct kmem_cache *caches[4];
	struct slot slots[NSLOTS];
	u64 rng;
	unsigned int cpu;
	unsigned long ops;
};

static u64 next_rand(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void ctor_pattern(void *obj)
{
	memset(obj, 0x3c, 48);
}

static size_t pick_size(u64 r)
{
	switch (r % 16) {
	case 0:
		return 8193 + r % 30000;	/* large: pages */
	case 1: case 2:
		return 1025 + r % 7167;		/* 1k .. 8k */
	default:
		return 1 + r % 512;
	}
}

static void fill(struct slot *s)
{
	size_t n = s->size < 64 ? s->size : 64;

	memset(s->p, s->tag, n);
	s->p[s->size - 1] = s->tag;
}

static void verify(struct slot *s)
{
	size_t n = s->size < 64 ? s->size : 64;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(s->p[i], s->tag);
	assert_int_equal(s->p[s->size - 1], s->tag);
}

static void release(struct stress *st, struct slot *s)
{
	verify(s);
	if (s->kind && st->caches[s->kind]->ctor)
		ctor_pattern(s->p);	/* objects go back in their constructed state */
	if (s->kind == 0)
		kfree(st->m, s->p);
	else
		kmem_cache_free(st->m, st->caches[s->kind], s->p);
	s->p = NULL;
}

static void one_op(struct stress *st)
{
	u64 r = next_rand(&st->rng);
	struct slot *s = &st->slots[r % NSLOTS];

	if (s->p) {
		release(st, s);
		return;
	}
	s->kind = (int)((r >> 12) % 4);
	s->tag = (u8)(r >> 20);
	if (s->kind == 0) {
		s->size = pick_size(r >> 24);
		s->p = (r >> 40) & 1 ? kzalloc(st->m, s->size, GFP_KERNEL)
				     : kmalloc(st->m, s->size, GFP_KERNEL);
	} else {
		struct kmem_cache *c = st->caches[s->kind];

		s->size = c->object_size;
		s->p = kmem_cache_alloc(st->m, c, GFP_KERNEL);
		if (c->ctor)
			assert_int_equal(s->p[0], 0x3c);	/* constructed, never re-run */
	}
	assert_non_null(s->p);
	fill(s);
	st->ops++;
}

static void free_all(struct stress *st)
{
	for (int i = 0; i < NSLOTS; i++)
		if (st->slots[i].p)
			release(st, &st->slots[i]);
}

/* After a shrink and a pcp drain: the free pages, and a fingerprint of
 * every zone's free_area counts (buddy merging is canonical, so the same
 * free pages give the same blocks). */
static unsigned long settled_free_pages(struct machine *m)
{
	unsigned long sum = 0;

	shrink_slab_caches(m);
	drain_all_pages(m);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			sum = sum * 31 + m->node.node_zones[z].free_area[o].nr_free;
	return nr_free_pages(m) ^ (sum << 20);
}

static void create_caches(struct stress *st)
{
	st->caches[1] = kmem_cache_create(st->m, "stress_plain", 72, 0, SLAB_HWCACHE_ALIGN, NULL);
	st->caches[2] = kmem_cache_create(st->m, "stress_ctor", 48, 0, 0, ctor_pattern);
	st->caches[3] = kmem_cache_create(st->m, "stress_debug", 200, 0, SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER, NULL);
	for (int i = 1; i < 4; i++)
		assert_non_null(st->caches[i]);
}

static void destroy_caches(struct stress *st)
{
	for (int i = 1; i < 4; i++)
		assert_int_equal(kmem_cache_destroy(st->m, st->caches[i]), 0);
}

static void test_random_stress_returns_every_page(void **state)
{
	struct stress *st = calloc(1, sizeof(*st));
	unsigned long before;

	(void)state;
	st->m = test_boot_default();
	st->rng = 0x9e3779b97f4a7c15ULL;
	before = settled_free_pages(st->m);
	create_caches(st);
	for (int round = 0; round < 8; round++) {
		for (int i = 0; i < 5000; i++)
			one_op(st);
		assert_int_equal(mmkit_check(st->m), 0);
		if (round == 4)
			shrink_slab_caches(st->m);	/* reclaim in the middle */
		cache_reap(st->m);
	}
	free_all(st);
	destroy_caches(st);
	assert_clean(st->m);
	assert_int_equal(st->m->slab.nr_debug_reports, 0);
	assert_int_equal(settled_free_pages(st->m), before);
	mmkit_machine_destroy(st->m);
	free(st);
}

static void *thread_main(void *arg)
{
	struct stress *st = arg;

	mmkit_set_cpu(st->cpu);
	for (int i = 0; i < 40000; i++) {
		u64 r = next_rand(&st->rng);
		struct slot *s = &st->slots[r % 256];

		if (s->p) {
			release(st, s);
			continue;
		}
		s->kind = (r >> 12) & 1;
		s->tag = (u8)(r >> 20);
		if (s->kind == 0) {
			s->size = 1 + (r >> 24) % 700;
			s->p = kmalloc(st->m, s->size, GFP_KERNEL);
		} else {
			s->size = st->caches[1]->object_size;
			s->p = kmem_cache_alloc(st->m, st->caches[1], GFP_KERNEL);
		}
		if (!s->p)
			return (void *)1;
		fill(s);
		st->ops++;
	}
	return NULL;
}

/* Two host threads as CPUs 0 and 1 allocate and free concurrently: the
 * per-CPU arrays need no lock, the slow path takes the node lock. Then
 * each frees the other's leftovers (cross-CPU frees via the shared array). */
static void test_two_cpus_allocate_concurrently(void **state)
{
	struct machine *m = test_boot_text("cpus 2\n");
	struct stress *st = calloc(2, sizeof(*st));
	unsigned long before = settled_free_pages(m);
	pthread_t t[2];
	void *ret;

	(void)state;
	st[0].m = m;
	create_caches(&st[0]);
	st[1].m = m;
	memcpy(st[1].caches, st[0].caches, sizeof(st[0].caches));
	st[0].rng = 12345;
	st[1].rng = 67890;
	st[0].cpu = 0;
	st[1].cpu = 1;
	m->debug_vm = 0;	/* the checkers assume the other CPU is quiet */
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_main, &st[i]), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
	m->debug_vm = 2;
	assert_int_equal(mmkit_check(m), 0);
	/* CPU 0 frees what CPU 1 allocated and the other way round */
	mmkit_set_cpu(0);
	free_all(&st[1]);
	mmkit_set_cpu(1);
	free_all(&st[0]);
	mmkit_set_cpu(0);
	assert_int_equal(mmkit_check(m), 0);
	assert_true(st[0].ops > 10000 && st[1].ops > 10000);
	destroy_caches(&st[0]);
	assert_int_equal(settled_free_pages(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_stress_returns_every_page),
		cmocka_unit_test(test_two_cpus_allocate_concurrently),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
