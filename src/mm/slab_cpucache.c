/* The per-CPU and shared arrays of free objects, and giving memory back
 * (cf. enable_cpucache, do_tune_cpucache, drain_cpu_caches, cache_reap and
 * __kmem_cache_shrink in mm/slab.c).
 *
 * Each cache has one array_cache per CPU (limit objects at most, moved to
 * and from the slabs batchcount at a time) and, on SMP, one shared array
 * per node of shared * batchcount objects. Invariants: avail <= limit;
 * an object in an array is free for the cache but counted in use by its
 * slab; arrays are replaced and drained only under the node lock, and a
 * CPU's array is touched without a lock only by that CPU. */
#include "mm/slab.h"

#define INT_MAX_SLABS 0x7fffffff

/* ---- per-CPU arrays: sizing and draining --------------------------------- */

static void drain_array_locked(struct machine *m, struct kmem_cache *c, struct array_cache *ac,
			       bool free_all, struct list_head *list)
{
	unsigned int tofree;

	if (!ac || !ac->avail)
		return;
	tofree = free_all ? ac->avail : (ac->limit + 4) / 5;
	if (tofree > ac->avail)
		tofree = (ac->avail + 1) / 2;
	free_block(m, c, ac->entry, tofree, list);
	ac->avail -= tofree;
	__builtin_memmove(ac->entry, &ac->entry[tofree], sizeof(void *) * ac->avail);
}

/* Empty every CPU's array and the shared array into the slabs
 * (cf. drain_cpu_caches). Linux runs the per-CPU part on each CPU by IPI;
 * here the other CPUs must not be inside this cache meanwhile. */
static void drain_cpu_caches(struct machine *m, struct kmem_cache *c)
{
	struct kmem_cache_node *n = &c->node[0];
	LIST_HEAD(list);

	for (unsigned int cpu = 0; cpu < m->slab.nr_cpu_ids; cpu++) {
		struct array_cache *ac = cpu_cache_get(c, cpu);

		if (!ac->limit || !ac->avail)
			continue;
		spin_lock(&n->list_lock);
		drain_array_locked(m, c, ac, true, &list);
		spin_unlock(&n->list_lock);
		slabs_destroy(m, c, &list);
	}
	spin_lock(&n->list_lock);
	drain_array_locked(m, c, n->shared, true, &list);
	spin_unlock(&n->list_lock);
	slabs_destroy(m, c, &list);
}

/* Give up to tofree free slabs back to the buddy allocator
 * (cf. drain_freelist). Returns how many went. */
static int drain_freelist(struct machine *m, struct kmem_cache *c, int tofree)
{
	struct kmem_cache_node *n = &c->node[0];
	int nr_freed = 0;

	while (nr_freed < tofree) {
		struct page *page;

		spin_lock(&n->list_lock);
		if (list_empty(&n->slabs_free)) {
			spin_unlock(&n->list_lock);
			break;
		}
		page = list_last_entry(&n->slabs_free, struct page, slab_list);
		list_del(&page->slab_list);
		n->free_slabs--;
		n->total_slabs--;
		n->free_objects -= c->num;
		spin_unlock(&n->list_lock);
		slab_destroy(m, c, page);
		__atomic_fetch_add(&c->reaped, 1, __ATOMIC_RELAXED);
		nr_freed++;
	}
	return nr_freed;
}

/**
 * __kmem_cache_shrink - drain the arrays and free every free slab
 * @m: the machine
 * @c: the cache
 *
 * Returns 0 when the cache holds no objects any more, 1 otherwise.
 */
int __kmem_cache_shrink(struct machine *m, struct kmem_cache *c)
{
	struct kmem_cache_node *n = &c->node[0];
	int busy;

	drain_cpu_caches(m, c);
	drain_freelist(m, c, INT_MAX_SLABS);
	spin_lock(&n->list_lock);
	busy = !list_empty(&n->slabs_full) || !list_empty(&n->slabs_partial);
	spin_unlock(&n->list_lock);
	return busy;
}

/* Replace the per-CPU arrays and the shared array (cf. do_tune_cpucache). */
static int do_tune_cpucache(struct machine *m, struct kmem_cache *c, unsigned int limit,
			    unsigned int batchcount, unsigned int shared, gfp_t gfp)
{
	struct kmem_cache_node *n = &c->node[0];
	unsigned int nr_cpus = m->slab.nr_cpu_ids;
	unsigned int stride = ALIGN((unsigned int)(sizeof(struct array_cache) +
						   limit * sizeof(void *)), L1_CACHE_BYTES);
	struct array_cache *new_shared = NULL, *old_shared;
	void *cpu_cache, *prev = c->cpu_cache;
	unsigned int prev_stride = c->cpu_stride;
	LIST_HEAD(list);

	cpu_cache = kmalloc(m, (size_t)stride * nr_cpus, gfp);
	if (!cpu_cache)
		return -ENOMEM;
	if (shared) {
		new_shared = kmalloc(m, sizeof(struct array_cache) +
					     sizeof(void *) * shared * batchcount, gfp);
		if (!new_shared) {
			kfree(m, cpu_cache);
			return -ENOMEM;
		}
		*new_shared = (struct array_cache){ .limit = shared * batchcount,
						    .batchcount = 0xbaadf00d };
	}
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++)
		*(struct array_cache *)((char *)cpu_cache + (size_t)cpu * stride) =
			(struct array_cache){ .limit = limit, .batchcount = batchcount };

	spin_lock(&n->list_lock);
	c->cpu_cache = cpu_cache;
	c->cpu_stride = stride;
	c->batchcount = batchcount;
	c->limit = limit;
	c->shared = shared;
	for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
		struct array_cache *ac = (struct array_cache *)((char *)prev + (size_t)cpu * prev_stride);

		free_block(m, c, ac->entry, ac->avail, &list);
	}
	old_shared = n->shared;
	drain_array_locked(m, c, old_shared, true, &list);
	n->shared = new_shared;
	n->free_limit = (1 + nr_cpus) * batchcount + c->num;
	spin_unlock(&n->list_lock);
	slabs_destroy(m, c, &list);
	if (prev != m->slab.boot_cpu_cache)
		kfree(m, prev);
	kfree(m, old_shared);
	return 0;
}

/**
 * enable_cpucache - size a cache's per-CPU arrays by its object size
 * @m: the machine
 * @c: the cache
 * @gfp: flags for the arrays' memory
 *
 * limit: 120 objects up to 256 bytes, 54 up to 1 KiB, 24 up to a page, 8
 * up to 128 KiB, else 1; batchcount (limit + 1) / 2; a shared array of
 * 8 * batchcount on SMP for objects up to a page (cf. enable_cpucache).
 * Returns 0 or -ENOMEM.
 */
int enable_cpucache(struct machine *m, struct kmem_cache *c, gfp_t gfp)
{
	unsigned int limit, shared = 0;
	int err;

	if (c->size > 131072)
		limit = 1;
	else if (c->size > PAGE_SIZE)
		limit = 8;
	else if (c->size > 1024)
		limit = 24;
	else if (c->size > 256)
		limit = 54;
	else
		limit = 120;
	if (c->size <= PAGE_SIZE && m->slab.nr_cpu_ids > 1)
		shared = 8;
	err = do_tune_cpucache(m, c, limit, (limit + 1) / 2, shared, gfp);
	if (err)
		pr_err(m, "enable_cpucache failed for %s, error %d\n", c->name, -err);
	return err;
}

/**
 * __kmem_cache_release - free a cache's arrays (its slabs are gone)
 * @m: the machine
 * @c: the cache
 */
void __kmem_cache_release(struct machine *m, struct kmem_cache *c)
{
	if (c->cpu_cache != m->slab.boot_cpu_cache)
		kfree(m, c->cpu_cache);
	kfree(m, c->node[0].shared);
	setup_boot_cpu_cache(m, c);
	c->node[0].shared = NULL;
}

/* ---- reaping ------------------------------------------------------------ */

static void drain_array(struct machine *m, struct kmem_cache *c, struct array_cache *ac)
{
	struct kmem_cache_node *n = &c->node[0];
	LIST_HEAD(list);

	if (!ac || !ac->limit || !ac->avail)
		return;
	if (ac->touched) {
		ac->touched = 0;
		return;
	}
	spin_lock(&n->list_lock);
	drain_array_locked(m, c, ac, false, &list);
	spin_unlock(&n->list_lock);
	slabs_destroy(m, c, &list);
}

/**
 * cache_reap - the periodic trim of every cache, for the calling CPU
 * @m: the machine
 *
 * Arrays untouched since the last reap give back a fifth of their limit;
 * a node whose free slabs were not used gives back about a fifth of
 * free_limit worth of slabs (cf. cache_reap, run every 2 s in Linux).
 */
void cache_reap(struct machine *m)
{
	unsigned int cpu = smp_processor_id(m);
	struct kmem_cache *c;

	if (m->slab.state < SLAB_FULL || !spin_trylock(&m->slab.slab_mutex))
		return;
	list_for_each_entry(c, &m->slab.slab_caches, list) {
		struct kmem_cache_node *n = &c->node[0];

		if (cpu < m->slab.nr_cpu_ids)
			drain_array(m, c, cpu_cache_get(c, cpu));
		drain_array(m, c, n->shared);
		if (n->free_touched)
			n->free_touched = 0;
		else
			drain_freelist(m, c, (int)((n->free_limit + 5 * c->num - 1) / (5 * c->num)));
	}
	spin_unlock(&m->slab.slab_mutex);
}

/**
 * slab_total_pages - pages held by slabs of every cache
 * @m: the machine
 */
unsigned long slab_total_pages(struct machine *m)
{
	return __atomic_load_n(&m->slab.nr_slab_reclaimable, __ATOMIC_RELAXED) +
	       __atomic_load_n(&m->slab.nr_slab_unreclaimable, __ATOMIC_RELAXED) -
	       __atomic_load_n(&m->slab.nr_kmalloc_large, __ATOMIC_RELAXED);
}

/**
 * shrink_slab_caches - give every free slab of every cache back
 * @m: the machine
 *
 * The hook for memory-pressure reclaim: drains all per-CPU and shared
 * arrays and frees all free slabs (the other CPUs must be outside the
 * slab allocator). Returns the number of pages given back.
 */
unsigned long shrink_slab_caches(struct machine *m)
{
	unsigned long before = slab_total_pages(m), after;
	struct kmem_cache *c;

	if (m->slab.state < SLAB_UP)
		return 0;
	spin_lock(&m->slab.slab_mutex);
	list_for_each_entry(c, &m->slab.slab_caches, list)
		__kmem_cache_shrink(m, c);
	spin_unlock(&m->slab.slab_mutex);
	after = slab_total_pages(m);
	return before > after ? before - after : 0;
}

