/* The slab allocator's caches, slabs and per-CPU arrays (cf. mm/slab.c, the
 * classic SLAB of Linux up to 6.7).
 *
 * Owns: the layout of a cache (object slot, slab order, colouring, where the
 * freelist lives), growing a cache by one slab from the buddy allocator and
 * giving free slabs back, the allocation and free paths (per-CPU array fast
 * path, node-locked slow path), draining, shrinking and reaping.
 *
 * Invariants (checked by check_slab() in slab_debug.c), for each cache c
 * and its node n:
 *   - a slab on slabs_full has inuse == num, on slabs_partial
 *     0 < inuse < num, on slabs_free inuse == 0;
 *   - n->total_slabs, n->free_slabs and n->free_objects count exactly the
 *     slabs on the lists, those on slabs_free, and sum(num - inuse);
 *   - freelist entries [inuse, num) of a slab are distinct indexes < num;
 *   - every pointer in a per-CPU or shared array is an object of c that its
 *     slab counts as in use (it is free only from the array's point of view);
 *   - the node lock is never held while calling the page allocator or
 *     kmalloc, so an invariant checker they run sees consistent lists.
 * Constructors run once per object, when its slab is created (seed 000:
 * "通过在kmem_cache里面设定的初始化函数一次初始化所有对象"), never on reuse. */
#include "mm/page_alloc.h"
#include "mm/slab.h"

/* ---- layout ---------------------------------------------------------- */

/* How many objects of buffer_size fit in an order-gfporder slab, and the
 * bytes left over (cf. cache_estimate). On-slab, each object also costs
 * one freelist_idx_t at the slab's end. */
static unsigned int cache_estimate(unsigned int gfporder, size_t buffer_size, slab_flags_t flags,
				   size_t *left_over)
{
	size_t slab_size = PAGE_SIZE << gfporder;
	size_t per = buffer_size;

	if (!(flags & (CFLGS_OBJFREELIST_SLAB | CFLGS_OFF_SLAB)))
		per += sizeof(freelist_idx_t);
	*left_over = slab_size % per;
	return (unsigned int)(slab_size / per);
}

/* Pick the slab order (cf. calculate_slab_order): the smallest order that
 * holds an object, growing while the slab wastes more than 1/8 and the
 * order is below slab_max_order. Sets c->num and c->gfporder; returns the
 * left-over bytes (the room for colouring). */
static size_t calculate_slab_order(struct machine *m, struct kmem_cache *c, size_t size,
				   slab_flags_t flags)
{
	size_t left_over = 0;

	for (unsigned int order = 0; order <= KMALLOC_MAX_ORDER; order++) {
		size_t remainder;
		unsigned int num = cache_estimate(order, size, flags, &remainder);

		if (!num)
			continue;
		if (num > SLAB_OBJ_MAX_NUM)
			break;
		if (flags & CFLGS_OFF_SLAB) {
			struct kmem_cache *fc =
				kmalloc_slab(m, num * sizeof(freelist_idx_t), 0);

			/* the freelist cache must exist, be on-slab itself
			 * (no recursion in cache_grow) and be worth it */
			if (!fc || OFF_SLAB(fc) || fc->size > size / 2)
				continue;
		}
		c->num = num;
		c->gfporder = order;
		left_over = remainder;
		if (flags & SLAB_RECLAIM_ACCOUNT)
			break;
		if ((int)order >= m->slab.slab_max_order)
			break;
		if (left_over * 8 <= (PAGE_SIZE << order))
			break;
	}
	return left_over;
}

/* The freelist inside a free object: no constructor to preserve, and the
 * index array fits in the object. Debug caches keep their freelist outside
 * the objects so poison stays checkable. */
static bool set_objfreelist_slab_cache(struct machine *m, struct kmem_cache *c, size_t size,
				       slab_flags_t flags)
{
	size_t left;

	c->num = 0;
	if (c->ctor || (flags & (SLAB_TYPESAFE_BY_RCU | SLAB_DEBUG_FLAGS)))
		return false;
	left = calculate_slab_order(m, c, size, flags | CFLGS_OBJFREELIST_SLAB);
	if (!c->num || c->num * sizeof(freelist_idx_t) > c->object_size)
		return false;
	c->colour = (unsigned int)(left / c->colour_off);
	return true;
}

static bool set_off_slab_cache(struct machine *m, struct kmem_cache *c, size_t size,
			       slab_flags_t flags)
{
	size_t left;

	c->num = 0;
	if (flags & SLAB_NOLEAKTRACE)
		return false;
	left = calculate_slab_order(m, c, size, flags | CFLGS_OFF_SLAB);
	if (!c->num)
		return false;
	/* enough room left to keep the freelist on the slab after all */
	if (left >= c->num * sizeof(freelist_idx_t))
		return false;
	c->colour = (unsigned int)(left / c->colour_off);
	return true;
}

static bool set_on_slab_cache(struct machine *m, struct kmem_cache *c, size_t size,
			      slab_flags_t flags)
{
	size_t left;

	c->num = 0;
	left = calculate_slab_order(m, c, size, flags);
	if (!c->num)
		return false;
	c->colour = (unsigned int)(left / c->colour_off);
	return true;
}

/* The object slot (cf. SLUB's calculate_sizes): the object, a right red
 * zone of at least one word up to `inuse`, the alloc/free tracks, and in
 * front of the object a left red zone of obj_offset bytes. */
static unsigned int slab_slot_layout(struct kmem_cache *c, slab_flags_t flags)
{
	unsigned int size = ALIGN(c->object_size, (unsigned int)sizeof(void *));

	c->obj_offset = 0;
	c->track_offset = 0;
	if ((flags & SLAB_RED_ZONE) && size == c->object_size)
		size += sizeof(void *);
	c->inuse = (flags & SLAB_RED_ZONE) ? size : c->object_size;
	if (flags & SLAB_STORE_USER) {
		c->track_offset = size;
		size += 2 * sizeof(struct track);
	}
	if (flags & SLAB_RED_ZONE) {
		c->obj_offset = ALIGN((unsigned int)sizeof(void *), c->align);
		size += c->obj_offset;
	}
	return ALIGN(size, c->align);
}

/* Give the cache the no-array (limit 0) per-CPU caches: every operation
 * takes the node lock. Bootstrap and debug caches stay like this. Free
 * slabs are kept up to free_limit as if batchcount were 1, Linux's boot
 * value: one free slab and a little slack. */
void setup_boot_cpu_cache(struct machine *m, struct kmem_cache *c)
{
	c->cpu_cache = m->slab.boot_cpu_cache;
	c->cpu_stride = sizeof(struct array_cache);
	c->limit = 0;
	c->batchcount = 0;
	c->shared = 0;
	c->node[0].free_limit = (1 + m->slab.nr_cpu_ids) + c->num;
}

static void kmem_cache_node_init(struct kmem_cache_node *n)
{
	spin_lock_init(&n->list_lock);
	INIT_LIST_HEAD(&n->slabs_partial);
	INIT_LIST_HEAD(&n->slabs_full);
	INIT_LIST_HEAD(&n->slabs_free);
	n->total_slabs = 0;
	n->free_slabs = 0;
	n->free_objects = 0;
	n->colour_next = 0;
	n->shared = NULL;
	n->free_touched = 0;
}

/* The constants of slab_off_valid(): size = d * 2^k with d odd; d's
 * inverse mod 2^64 by Newton's iteration (each step doubles the correct
 * low bits: 3, 6, 12, 24, 48, 96). */
static void slab_divisibility_setup(struct kmem_cache *c)
{
	unsigned int k = (unsigned int)__builtin_ctz(c->size);
	u64 d = c->size >> k, inv = d;

	for (int i = 0; i < 5; i++)
		inv *= 2 - d * inv;
	c->size_inv = inv;
	c->size_shift = k;
	c->size_lim = ~0ULL / c->size;
	c->slab_span = c->num * c->size;
}

/**
 * __kmem_cache_create - lay out a cache whose name, object_size, align and
 * ctor are set (cf. __kmem_cache_create in mm/slab.c)
 * @m: the machine
 * @c: the cache
 * @flags: creation flags, slub_debug flags already merged
 *
 * Chooses the slot size, slab order, colouring and freelist placement, and
 * gives the cache its per-CPU arrays (sized by enable_cpucache() once the
 * kmalloc caches are up). Returns 0, or -E2BIG when no slab can hold an object.
 */
int __kmem_cache_create(struct machine *m, struct kmem_cache *c, slab_flags_t flags)
{
	unsigned int size = slab_slot_layout(c, flags);

	c->colour_off = L1_CACHE_BYTES;	/* cache_line_size() */
	if (c->colour_off < c->align)
		c->colour_off = c->align;
	if (set_objfreelist_slab_cache(m, c, size, flags))
		flags |= CFLGS_OBJFREELIST_SLAB;
	else if (set_off_slab_cache(m, c, size, flags))
		flags |= CFLGS_OFF_SLAB;
	else if (!set_on_slab_cache(m, c, size, flags))
		return -E2BIG;

	c->freelist_size = c->num * (unsigned int)sizeof(freelist_idx_t);
	c->flags = flags;
	c->allocflags = 0;
	if (flags & SLAB_CACHE_DMA)
		c->allocflags |= GFP_DMA;
	if (flags & SLAB_CACHE_DMA32)
		c->allocflags |= GFP_DMA32;
	if (flags & SLAB_RECLAIM_ACCOUNT)
		c->allocflags |= __GFP_RECLAIMABLE;
	c->size = size;
	c->reciprocal_size = size < SLAB_RECIPROCAL_MAX ? ((1ULL << 40) + size - 1) / size : 0;
	slab_divisibility_setup(c);
	c->freelist_cache = OFF_SLAB(c) ? kmalloc_slab(m, c->freelist_size, 0) : NULL;
	kmem_cache_node_init(&c->node[0]);
	setup_boot_cpu_cache(m, c);
	if (m->slab.state >= SLAB_FULL && !kmem_cache_debug(c))
		return enable_cpucache(m, c, GFP_KERNEL);
	return 0;
}

/* ---- slabs: grow and destroy ----------------------------------------- */

static void kmem_freepages(struct machine *m, struct kmem_cache *c, struct page *page)
{
	unsigned int nr = 1U << c->gfporder;

	for (unsigned int i = 0; i < nr; i++) {
		ClearPageSlab(&page[i]);
		/* in union with mapping, index, private: the page allocator wants them clear */
		page[i].slab_cache = NULL;
		page[i].freelist = NULL;
		page[i].inuse = 0;
		page[i].s_mem_off = 0;
	}
	slab_account_pages(m, c->flags, -(long)nr);
	__free_pages(m, page, c->gfporder);
}

void slab_destroy(struct machine *m, struct kmem_cache *c, struct page *page)
{
	void *freelist = page->freelist;

	kmem_freepages(m, c, page);
	if (OFF_SLAB(c))
		kmem_cache_free(m, c->freelist_cache, freelist);
}

/* Free the slabs on list, which are off the cache's lists and uncounted
 * (cf. slabs_destroy). Called without the node lock. */
void slabs_destroy(struct machine *m, struct kmem_cache *c, struct list_head *list)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, list, slab_list) {
		list_del(&page->slab_list);
		slab_destroy(m, c, page);
		__atomic_fetch_add(&c->reaped, 1, __ATOMIC_RELAXED);
	}
}

/* Initialise a new slab's objects: debug red zones and poison, the
 * constructor -- once per object, here and never again -- and the freelist
 * 0, 1, ..., num-1 (cf. cache_init_objs). */
static void cache_init_objs(struct machine *m, struct kmem_cache *c, struct page *page)
{
	if (OBJFREELIST_SLAB(c))
		page->freelist = index_to_obj(m, c, page, c->num - 1);
	for (unsigned int i = 0; i < c->num; i++) {
		void *objp = index_to_obj(m, c, page, i);

		if (kmem_cache_debug(c))
			slab_debug_init_obj(m, c, objp);
		if (c->ctor)
			c->ctor(objp);
	}
	/* after the constructors: an OBJFREELIST array lives in object num-1 */
	for (unsigned int i = 0; i < c->num; i++)
		set_free_obj(page, i, (freelist_idx_t)i);
}

static void slab_out_of_memory(struct machine *m, struct kmem_cache *c, gfp_t gfp)
{
	struct kmem_cache_node *n = &c->node[0];

	if (gfp & __GFP_NOWARN)
		return;
	pr_warn(m, "SLAB: Unable to allocate memory on node 0, gfp=%#x\n", gfp);
	pr_warn(m, "  cache: %s, object size: %u, order: %u\n", c->name, c->size, c->gfporder);
	pr_warn(m, "  node 0: slabs: %ld/%ld, objs: %ld/%ld\n",
		(long)(n->total_slabs - n->free_slabs), (long)n->total_slabs,
		(long)(n->total_slabs * c->num - n->free_objects), (long)(n->total_slabs * c->num));
}

/**
 * kmalloc_fix_flags - drop the gfp bits a slab or kmalloc allocation must
 * not carry, with the kernel's complaint (cf. kmalloc_fix_flags)
 * @m: the machine
 * @flags: gfp flags with some of GFP_SLAB_BUG_MASK set
 *
 * Prints the offending bits and the fixed mask, each with its flag names
 * as %pGg renders them, and a stack dump. Returns the fixed mask.
 */
gfp_t kmalloc_fix_flags(struct machine *m, gfp_t flags)
{
	gfp_t invalid = flags & GFP_SLAB_BUG_MASK;
	char bad[160], fixed[160];

	flags &= ~GFP_SLAB_BUG_MASK;
	format_gfp_flags(bad, sizeof(bad), invalid);
	format_gfp_flags(fixed, sizeof(fixed), flags);
	pr_warn(m, "Unexpected gfp: %#x (%s). Fixing up to gfp: %#x (%s). Fix your code!\n",
		invalid, bad, flags, fixed);
	slab_dump_stack(m);
	return flags;
}

/* Get the pages and build one new slab, not yet on any list
 * (cf. cache_grow_begin). Takes no lock while allocating. */
static struct page *cache_grow_begin(struct machine *m, struct kmem_cache *c, gfp_t flags)
{
	struct kmem_cache_node *n = &c->node[0];
	unsigned int nr = 1U << c->gfporder, offset;
	void *freelist = NULL;
	struct page *page;
	gfp_t local;

	if (unlikely(flags & GFP_SLAB_BUG_MASK))
		flags = kmalloc_fix_flags(m, flags);
	local = (flags & (GFP_RECLAIM_MASK | GFP_CONSTRAINT_MASK)) | c->allocflags;
	page = alloc_pages(m, local, c->gfporder);
	if (!page) {
		slab_out_of_memory(m, c, local);
		return NULL;
	}
	/* colour: 1, 2, ..., colour-1, 0, 1, ... steps of colour_off */
	spin_lock(&n->list_lock);
	if (++n->colour_next >= c->colour)
		n->colour_next = 0;
	offset = n->colour_next * c->colour_off;
	c->grown++;
	spin_unlock(&n->list_lock);

	if (OFF_SLAB(c)) {
		freelist = kmem_cache_alloc(m, c->freelist_cache, local & ~GFP_CONSTRAINT_MASK);
		if (!freelist) {
			__free_pages(m, page, c->gfporder);
			return NULL;
		}
	} else if (!OBJFREELIST_SLAB(c)) {
		freelist = slab_address(m, page) + (PAGE_SIZE << c->gfporder) - c->freelist_size;
	}
	for (unsigned int i = 0; i < nr; i++) {
		SetPageSlab(&page[i]);
		page[i].slab_cache = c;
	}
	INIT_LIST_HEAD(&page->slab_list);
	page->freelist = freelist;
	page->inuse = 0;
	page->s_mem_off = offset;
	cache_init_objs(m, c, page);
	slab_account_pages(m, c->flags, (long)nr);
	return page;
}

/* Put a slab on the list its fill level says (cf. fixup_slab_list). */
static void fixup_slab_list(struct kmem_cache *c, struct kmem_cache_node *n, struct page *page)
{
	list_del(&page->slab_list);
	if (page->inuse == c->num) {
		list_add(&page->slab_list, &n->slabs_full);
		if (OBJFREELIST_SLAB(c))
			page->freelist = NULL;	/* its holder was handed out last */
	} else {
		list_add(&page->slab_list, &n->slabs_partial);
	}
}

/* Link a slab from cache_grow_begin() into the lists (cf. cache_grow_end). */
static void cache_grow_end(struct kmem_cache *c, struct page *page)
{
	struct kmem_cache_node *n = &c->node[0];

	if (!page)
		return;
	spin_lock(&n->list_lock);
	n->total_slabs++;
	if (!page->inuse) {
		list_add_tail(&page->slab_list, &n->slabs_free);
		n->free_slabs++;
	} else {
		fixup_slab_list(c, n, page);
	}
	n->free_objects += c->num - page->inuse;
	spin_unlock(&n->list_lock);
}

/* ---- objects in slabs -------------------------------------------------- */

static void *slab_get_obj(struct machine *m, struct kmem_cache *c, struct page *page)
{
	void *objp = index_to_obj(m, c, page, get_free_obj(page, page->inuse));

	page->inuse++;
	return objp;
}

static void slab_put_obj(struct machine *m, struct kmem_cache *c, struct page *page, void *objp)
{
	unsigned int objnr = obj_to_index(m, c, page, objp);

	page->inuse--;
	if (!page->freelist)
		page->freelist = objp;	/* OBJFREELIST: this object holds the array now */
	set_free_obj(page, page->inuse, (freelist_idx_t)objnr);
}

/* The slab to allocate from: partial first, then free (cf. get_first_slab). */
static struct page *get_first_slab(struct kmem_cache_node *n)
{
	struct page *page;

	if (!list_empty(&n->slabs_partial))
		return list_first_entry(&n->slabs_partial, struct page, slab_list);
	n->free_touched = 1;
	if (list_empty(&n->slabs_free))
		return NULL;
	page = list_first_entry(&n->slabs_free, struct page, slab_list);
	n->free_slabs--;
	return page;
}

/**
 * mark_slab_used - take every free object of a slab out of circulation
 * @m: the machine
 * @c: the cache
 * @page: the slab's head page; the node lock is held and the slab is not
 *	  counted in free_slabs (the caller took it off that count)
 *
 * slub_debug found a free object corrupted: no object of this slab that is
 * free now is handed out again (cf. "Marking all objects used"). The slab
 * moves to slabs_full; objects allocated before can still be freed.
 */
void mark_slab_used(struct machine *m, struct kmem_cache *c, struct page *page)
{
	struct kmem_cache_node *n = &c->node[0];

	slab_fix(m, c, "Marking all objects used");
	n->free_objects -= c->num - page->inuse;
	page->inuse = c->num;
	fixup_slab_list(c, n, page);
}

/* Return nr objects to their slabs; the node lock is held. Free slabs
 * beyond free_limit move to list for the caller to destroy (cf. free_block). */
void free_block(struct machine *m, struct kmem_cache *c, void **objpp, unsigned int nr,
		struct list_head *list)
{
	struct kmem_cache_node *n = &c->node[0];
	struct page *page;

	for (unsigned int i = 0; i < nr; i++) {
		void *objp = objpp[i];

		page = slab_head(m, c, virt_to_slab_page(m, objp));
		if (unlikely(!page->inuse)) {
			/* every object of this slab is free already */
			object_err(m, c, page, objp, "Object already free");
			m->slab.nr_bad_frees++;
			continue;
		}
		n->free_objects++;
		list_del(&page->slab_list);
		slab_put_obj(m, c, page, objp);
		if (!page->inuse) {
			list_add(&page->slab_list, &n->slabs_free);
			n->free_slabs++;
		} else {
			/* to the tail: time for its other objects to come back too */
			list_add_tail(&page->slab_list, &n->slabs_partial);
		}
	}
	while (n->free_objects > n->free_limit && !list_empty(&n->slabs_free)) {
		n->free_objects -= c->num;
		page = list_last_entry(&n->slabs_free, struct page, slab_list);
		list_move(&page->slab_list, list);
		n->free_slabs--;
		n->total_slabs--;
	}
}

/* ---- allocation slow paths --------------------------------------------- */

/* One object straight from the slab lists, for caches without per-CPU
 * arrays (bootstrap, debug) and CPUs beyond nr_cpu_ids
 * (cf. ____cache_alloc_node). Debug caches check the object here. */
static void *cache_alloc_direct(struct machine *m, struct kmem_cache *c, gfp_t flags,
				unsigned long caller)
{
	struct kmem_cache_node *n = &c->node[0];
	struct page *page;
	void *objp;

	for (;;) {
		spin_lock(&n->list_lock);
		page = get_first_slab(n);
		if (page) {
			objp = slab_get_obj(m, c, page);
			n->free_objects--;
			if (unlikely(kmem_cache_debug(c)) &&
			    !alloc_debug_processing(m, c, page, objp, caller)) {
				mark_slab_used(m, c, page);
				spin_unlock(&n->list_lock);
				continue;
			}
			fixup_slab_list(c, n, page);
			spin_unlock(&n->list_lock);
			return objp;
		}
		spin_unlock(&n->list_lock);
		page = cache_grow_begin(m, c, flags);
		if (!page)
			return NULL;
		cache_grow_end(c, page);
	}
}

/* Move up to max objects from one array to another (cf. transfer_objects). */
static unsigned int transfer_objects(struct array_cache *to, struct array_cache *from,
				     unsigned int max)
{
	unsigned int nr = min(min(from->avail, max), to->limit - to->avail);

	if (!nr)
		return 0;
	mm_memcpy(to->entry + to->avail, from->entry + from->avail - nr, sizeof(void *) * nr);
	from->avail -= nr;
	to->avail += nr;
	return nr;
}

/* Take up to batchcount objects of one slab into the array (cf. alloc_block). */
static int alloc_block(struct machine *m, struct kmem_cache *c, struct array_cache *ac,
		       struct page *page, int batchcount)
{
	while (page->inuse < c->num && batchcount--)
		ac->entry[ac->avail++] = slab_get_obj(m, c, page);
	return batchcount;
}

/**
 * cache_alloc_refill - the allocation slow path (cf. cache_alloc_refill)
 * @m: the machine
 * @c: the cache
 * @flags: gfp flags for a new slab
 * @caller: the allocating code, for SLAB_STORE_USER
 *
 * The CPU's array is empty: refill it with batchcount objects from the
 * shared array, else from partial and free slabs under the node lock, else
 * from a new slab. Returns an object, or NULL when no memory is left.
 */
void *cache_alloc_refill(struct machine *m, struct kmem_cache *c, gfp_t flags,
			 unsigned long caller)
{
	unsigned int cpu = smp_processor_id(m);
	struct kmem_cache_node *n = &c->node[0];
	struct array_cache *ac, *shared;
	struct page *page;
	int batchcount;

	if (cpu >= m->slab.nr_cpu_ids || !cpu_cache_get(c, cpu)->limit)
		return cache_alloc_direct(m, c, flags, caller);
	ac = cpu_cache_get(c, cpu);
	batchcount = (int)ac->batchcount;
	if (!ac->touched && batchcount > BATCHREFILL_LIMIT)
		batchcount = BATCHREFILL_LIMIT;	/* idle lately: a partial refill */
	spin_lock(&n->list_lock);
	shared = n->shared;
	if (shared && transfer_objects(ac, shared, (unsigned int)batchcount)) {
		shared->touched = 1;
		goto alloc_done;
	}
	while (batchcount > 0) {
		page = get_first_slab(n);
		if (!page)
			break;
		batchcount = alloc_block(m, c, ac, page, batchcount);
		fixup_slab_list(c, n, page);
	}
	n->free_objects -= ac->avail;
alloc_done:
	spin_unlock(&n->list_lock);

	if (unlikely(!ac->avail)) {
		page = cache_grow_begin(m, c, flags);
		if (page)
			alloc_block(m, c, ac, page, batchcount > 0 ? batchcount : 1);
		cache_grow_end(c, page);
		if (!ac->avail)
			return NULL;
	}
	ac->touched = 1;
	return ac->entry[--ac->avail];
}

/**
 * slab_alloc_slow - everything slab_alloc() does not do inline
 * @m: the machine
 * @c: the cache
 * @flags: gfp flags (__GFP_ZERO is handled here)
 * @caller: the allocating code
 *
 * Returns an object or NULL.
 */
void *slab_alloc_slow(struct machine *m, struct kmem_cache *c, gfp_t flags, unsigned long caller)
{
	unsigned int cpu = smp_processor_id(m);
	struct array_cache *ac = cpu < m->slab.nr_cpu_ids ? cpu_cache_get(c, cpu) : NULL;
	void *objp;

	if (unlikely(m->slab.fail_nth) && should_failslab(m))
		return NULL;
	if (ac && ac->avail) {
		ac->touched = 1;
		objp = ac->entry[--ac->avail];
	} else {
		objp = cache_alloc_refill(m, c, flags, caller);
	}
	if ((flags & __GFP_ZERO) && objp) {
		if (c->ctor)
			slab_warn(m, "%s: __GFP_ZERO on a cache with a constructor\n", c->name);
		mm_memset(objp, 0, c->object_size);
	}
	return objp;
}

/**
 * kmem_cache_alloc - allocate an object
 * @m: the machine
 * @c: the cache
 * @flags: gfp flags; they matter only when the cache must grow (and
 *	   __GFP_ZERO zeroes the object)
 *
 * Returns an object -- constructed once when its slab was made, not now --
 * or NULL when no memory is left.
 */
void *kmem_cache_alloc(struct machine *m, struct kmem_cache *c, gfp_t flags)
{
	return slab_alloc(m, c, flags, _RET_IP_);
}

/**
 * kmem_cache_zalloc - allocate a zeroed object
 * @m: the machine
 * @c: the cache (without a constructor)
 * @flags: gfp flags
 *
 * Returns the object, or NULL.
 */
void *kmem_cache_zalloc(struct machine *m, struct kmem_cache *c, gfp_t flags)
{
	return slab_alloc(m, c, flags | __GFP_ZERO, _RET_IP_);
}

/* ---- free slow paths ----------------------------------------------------- */

/* The array is full: move batchcount of its oldest objects to the shared
 * array, else back to their slabs (cf. cache_flusharray). */
static void cache_flusharray(struct machine *m, struct kmem_cache *c, struct array_cache *ac)
{
	struct kmem_cache_node *n = &c->node[0];
	unsigned int batchcount = ac->batchcount;
	LIST_HEAD(list);

	spin_lock(&n->list_lock);
	if (n->shared) {
		struct array_cache *shared = n->shared;
		unsigned int max = shared->limit - shared->avail;

		if (max) {
			if (batchcount > max)
				batchcount = max;
			mm_memcpy(&shared->entry[shared->avail], ac->entry,
				  sizeof(void *) * batchcount);
			shared->avail += batchcount;
			goto free_done;
		}
	}
	free_block(m, c, ac->entry, batchcount, &list);
free_done:
	spin_unlock(&n->list_lock);
	ac->avail -= batchcount;
	__builtin_memmove(ac->entry, &ac->entry[batchcount], sizeof(void *) * ac->avail);
	slabs_destroy(m, c, &list);
}

static void cache_free_direct(struct machine *m, struct kmem_cache *c, void *objp,
			      unsigned long caller)
{
	struct kmem_cache_node *n = &c->node[0];
	struct page *page = slab_head(m, c, virt_to_slab_page(m, objp));
	LIST_HEAD(list);

	spin_lock(&n->list_lock);
	if (unlikely(kmem_cache_debug(c)) &&
	    !free_debug_processing(m, c, page, objp, caller)) {
		spin_unlock(&n->list_lock);
		slab_fix(m, c, "Object at 0x%0*llx not freed", slab_kva_width(m),
			 slab_kva(m, objp));
		m->slab.nr_bad_frees++;
		return;
	}
	free_block(m, c, &objp, 1, &list);
	spin_unlock(&n->list_lock);
	slabs_destroy(m, c, &list);
}

/**
 * cache_free_slow - the free slow path
 * @m: the machine
 * @c: the cache
 * @objp: an object of c
 * @caller: the freeing code, for SLAB_STORE_USER
 *
 * The CPU's array is full (flush a batch, then keep objp), or the cache
 * has no arrays (free straight to the slab, with the debug checks), or
 * objp is the object freed last (a double free, reported and ignored).
 */
void cache_free_slow(struct machine *m, struct kmem_cache *c, void *objp, unsigned long caller)
{
	unsigned int cpu = smp_processor_id(m);
	struct array_cache *ac;

	if (cpu >= m->slab.nr_cpu_ids || !cpu_cache_get(c, cpu)->limit) {
		cache_free_direct(m, c, objp, caller);
		return;
	}
	ac = cpu_cache_get(c, cpu);
	if (ac->avail && ac->entry[ac->avail - 1] == objp) {
		slab_bad_free(m, c, objp, "double");
		return;
	}
	cache_flusharray(m, c, ac);
	ac->entry[ac->avail++] = objp;
}

/**
 * kmem_cache_free - free an object
 * @m: the machine
 * @c: the cache it came from
 * @objp: the object; NULL is ignored
 *
 * A pointer that is not an object of c (another cache's, not a slab
 * object, not an object start) is reported and not freed.
 */
void kmem_cache_free(struct machine *m, struct kmem_cache *c, void *objp)
{
	if (unlikely(!objp))
		return;
	if (unlikely(!slab_obj_cache(m, c, objp))) {
		slab_bad_free(m, c, objp, "kmem_cache_free");
		return;
	}
	slab_free(m, c, objp, _RET_IP_);
}

/**
 * kmem_cache_name - the cache's name
 * @s: the cache
 */
const char *kmem_cache_name(const struct kmem_cache *s)
{
	return s->name;
}

/**
 * kmem_cache_size - the object size the cache was created with
 * @s: the cache
 */
unsigned int kmem_cache_size(const struct kmem_cache *s)
{
	return s->object_size;
}
