/* Cache creation and destruction, the kmalloc family, and the bootstrap
 * (cf. mm/slab_common.c and kmem_cache_init in mm/slab.c).
 *
 * kmalloc(size) picks a general cache: kmalloc-8 ... kmalloc-8k, with
 * kmalloc-96 and kmalloc-192 between the powers of two, through Linux's
 * size_index table for sizes up to 192 and fls(size - 1) above; a gfp mask
 * with __GFP_RECLAIMABLE, __GFP_DMA or __GFP_ACCOUNT picks the kmalloc-rcl-,
 * dma-kmalloc- or kmalloc-cg- twin. Larger requests are pages from the buddy
 * allocator, marked as a large kmalloc so kfree() and ksize() know them.
 *
 * Invariants: m->slab.slab_caches lists every cache, newest first (the
 * /proc/slabinfo order); every struct kmem_cache except "kmem_cache"'s own
 * (m->slab.kmem_cache_boot, as kmem_cache_boot in Linux) is an object of
 * the "kmem_cache" cache, in simulated RAM. */
#include "mm/slab.h"

/* kmalloc cache names by index (cf. kmalloc_info[]). */
static const struct {
	const char *name[NR_KMALLOC_TYPES];
	unsigned int size;
} kmalloc_info[KMALLOC_SHIFT_HIGH + 1] = {
#define INIT_KMALLOC_INFO(__size, __short)                                                    \
	{ { "kmalloc-" #__short, "kmalloc-rcl-" #__short, "dma-kmalloc-" #__short,            \
	    "kmalloc-cg-" #__short }, __size }
	[0] = { { NULL }, 0 },
	[1] = INIT_KMALLOC_INFO(96, 96),
	[2] = INIT_KMALLOC_INFO(192, 192),
	[3] = INIT_KMALLOC_INFO(8, 8),
	[4] = INIT_KMALLOC_INFO(16, 16),
	[5] = INIT_KMALLOC_INFO(32, 32),
	[6] = INIT_KMALLOC_INFO(64, 64),
	[7] = INIT_KMALLOC_INFO(128, 128),
	[8] = INIT_KMALLOC_INFO(256, 256),
	[9] = INIT_KMALLOC_INFO(512, 512),
	[10] = INIT_KMALLOC_INFO(1024, 1k),
	[11] = INIT_KMALLOC_INFO(2048, 2k),
	[12] = INIT_KMALLOC_INFO(4096, 4k),
	[13] = INIT_KMALLOC_INFO(8192, 8k),
#undef INIT_KMALLOC_INFO
};

/* kmalloc index for sizes 1..192 in steps of 8: (size - 1) / 8 (cf. kmalloc_size_index). */
static const u8 kmalloc_size_index[24] = {
	3, 4, 5, 5, 6, 6, 6, 6,	/* 8 16 24 32 40 48 56 64 */
	1, 1, 1, 1,		/* 72 80 88 96 -> kmalloc-96 */
	7, 7, 7, 7,		/* 104 .. 128 */
	2, 2, 2, 2, 2, 2, 2, 2,	/* 136 .. 192 -> kmalloc-192 */
};

/* Cache flags of each kmalloc type. */
static const slab_flags_t kmalloc_type_flags[NR_KMALLOC_TYPES] = {
	[KMALLOC_NORMAL] = 0,
	[KMALLOC_RECLAIM] = SLAB_RECLAIM_ACCOUNT,
	[KMALLOC_DMA] = SLAB_CACHE_DMA,
	[KMALLOC_CGROUP] = SLAB_ACCOUNT,
};

static int fls_u64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static unsigned int get_order(size_t size)
{
	int order = fls_u64((u64)(size - 1)) - PAGE_SHIFT;

	return order > 0 ? (unsigned int)order : 0;
}

/**
 * calculate_alignment - the alignment of a cache's objects
 * @flags: SLAB_HWCACHE_ALIGN aligns to the cache line, halved while the
 *	   object fits in half of it (a 20-byte object gets 32)
 * @align: what the creator asked for
 * @size: the object size
 *
 * At least the word size (cf. calculate_alignment in mm/slab_common.c).
 */
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned int ralign = L1_CACHE_BYTES;

		while (size <= ralign / 2)
			ralign /= 2;
		align = max(align, ralign);
	}
	align = max(align, (unsigned int)ARCH_KMALLOC_MINALIGN);
	return ALIGN(align, (unsigned int)sizeof(void *));
}

/**
 * slab_account_pages - count pages that slabs take or give back
 * @m: the machine
 * @flags: the cache's flags (SLAB_RECLAIM_ACCOUNT: SReclaimable)
 * @nr_pages: pages added (negative: removed)
 */
void slab_account_pages(struct machine *m, slab_flags_t flags, long nr_pages)
{
	unsigned long *ctr = (flags & SLAB_RECLAIM_ACCOUNT) ? &m->slab.nr_slab_reclaimable
							    : &m->slab.nr_slab_unreclaimable;

	__atomic_fetch_add(ctr, (unsigned long)nr_pages, __ATOMIC_RELAXED);
	/* the node counters /proc/meminfo, zoneinfo and vmstat read (in pages) */
	__atomic_fetch_add(&m->node.vm_stat[(flags & SLAB_RECLAIM_ACCOUNT) ? NR_SLAB_RECLAIMABLE_B
									   : NR_SLAB_UNRECLAIMABLE_B],
			   nr_pages, __ATOMIC_RELAXED);
}

/* ---- kmalloc cache lookup ------------------------------------------------ */

/**
 * kmalloc_index - the kmalloc cache index for size (cf. __kmalloc_index)
 * @size: bytes, at most KMALLOC_MAX_CACHE_SIZE
 *
 * 0 for size 0, 1 for kmalloc-96, 2 for kmalloc-192, else log2 of the
 * power of two that holds size (3 for 1..8, ..., 13 for 4097..8192).
 */
unsigned int kmalloc_index(size_t size)
{
	if (!size)
		return 0;
	if (size <= KMALLOC_MIN_SIZE)
		return KMALLOC_SHIFT_LOW;
	if (size > 64 && size <= 96)
		return 1;
	if (size > 128 && size <= 192)
		return 2;
	return (unsigned int)fls_u64((u64)(size - 1));
}

static __always_inline enum kmalloc_cache_type kmalloc_type(gfp_t flags)
{
	if (likely(!(flags & (__GFP_RECLAIMABLE | __GFP_DMA | __GFP_ACCOUNT))))
		return KMALLOC_NORMAL;
	if (flags & __GFP_DMA)
		return KMALLOC_DMA;
	if (flags & __GFP_RECLAIMABLE)
		return KMALLOC_RECLAIM;
	return KMALLOC_CGROUP;
}

static __always_inline struct kmem_cache *__kmalloc_slab(struct machine *m, size_t size,
							 gfp_t flags)
{
	unsigned int index;

	if (size <= 192)
		index = m->slab.size_index[(size - 1) / 8];
	else
		index = (unsigned int)fls_u64((u64)(size - 1));
	return m->slab.kmalloc_caches[kmalloc_type(flags)][index];
}

/**
 * kmalloc_slab - the general cache kmalloc(size, flags) uses
 * @m: the machine
 * @size: bytes, 1 .. KMALLOC_MAX_CACHE_SIZE
 * @flags: gfp flags (they pick the rcl/dma/cg twins)
 *
 * Returns the cache, or NULL for a size outside that range or before the
 * cache exists.
 */
struct kmem_cache *kmalloc_slab(struct machine *m, size_t size, gfp_t flags)
{
	if (!size || size > KMALLOC_MAX_CACHE_SIZE || m->slab.state < SLAB_PARTIAL)
		return NULL;
	return __kmalloc_slab(m, size, flags);
}

/* ---- fault injection ------------------------------------------------------ */

/**
 * failslab_set_nth - make the nth slab or kmalloc allocation from now fail
 * @m: the machine
 * @nth: 1 for the next one; 0 disarms
 *
 * For the fail-Nth-allocation tests (cf. failslab): while armed, every
 * allocation takes the slow path, where the count is kept.
 */
void failslab_set_nth(struct machine *m, unsigned long nth)
{
	m->slab.fail_nth = nth;
	m->slab.nr_failslab_calls = 0;
	m->slab.fast_cpu_ids = nth ? 0 : m->slab.nr_cpu_ids;
}

/**
 * should_failslab - count an allocation; true when it is the one to fail
 * @m: the machine (failslab armed)
 */
bool should_failslab(struct machine *m)
{
	return ++m->slab.nr_failslab_calls == m->slab.fail_nth;
}

/* ---- creating caches ------------------------------------------------------ */

static int create_cache_common(struct machine *m, struct kmem_cache *c, const char *name,
			       unsigned int size, unsigned int align, slab_flags_t flags,
			       void (*ctor)(void *obj))
{
	c->name = name;
	c->object_size = size;
	c->ctor = ctor;
	c->refcount = 1;
	c->align = calculate_alignment(flags, align, size);
	flags = kmem_cache_flags(m, size, flags, name);
	return __kmem_cache_create(m, c, flags);
}

static void add_cache(struct machine *m, struct kmem_cache *c)
{
	spin_lock(&m->slab.slab_mutex);
	list_add(&c->list, &m->slab.slab_caches);
	spin_unlock(&m->slab.slab_mutex);
}

/* A kmalloc cache: power-of-two sizes naturally aligned (cf. create_kmalloc_cache). */
static struct kmem_cache *create_kmalloc_cache(struct machine *m, const char *name,
					       unsigned int size, slab_flags_t flags)
{
	struct kmem_cache *c = kmem_cache_zalloc(m, m->slab.kmem_cache, GFP_KERNEL);
	unsigned int align = ARCH_KMALLOC_MINALIGN;

	if (!c)
		return NULL;
	if (!(size & (size - 1)))
		align = max(align, size);
	if (create_cache_common(m, c, name, size, align, flags | SLAB_KMALLOC, NULL)) {
		kmem_cache_free(m, m->slab.kmem_cache, c);
		return NULL;
	}
	add_cache(m, c);
	return c;
}

static int new_kmalloc_cache(struct machine *m, unsigned int idx, enum kmalloc_cache_type type)
{
	/* ARCH_KMALLOC_FLAGS is SLAB_HWCACHE_ALIGN for SLAB */
	slab_flags_t flags = SLAB_HWCACHE_ALIGN | kmalloc_type_flags[type];
	struct kmem_cache *c;

	c = create_kmalloc_cache(m, kmalloc_info[idx].name[type], kmalloc_info[idx].size, flags);
	if (!c) {
		pr_err(m, "kmem_cache_init: cannot create %s\n", kmalloc_info[idx].name[type]);
		return -ENOMEM;
	}
	m->slab.kmalloc_caches[type][idx] = c;
	return 0;
}

/* kmalloc-96 and -192 right after the powers of two below them would go,
 * then 8 .. 8k, for each type (cf. create_kmalloc_caches). */
static int create_kmalloc_caches(struct machine *m)
{
	for (int type = KMALLOC_NORMAL; type < NR_KMALLOC_TYPES; type++) {
		int err = new_kmalloc_cache(m, 1, type);

		if (!err)
			err = new_kmalloc_cache(m, 2, type);
		for (unsigned int i = KMALLOC_SHIFT_LOW; !err && i <= KMALLOC_SHIFT_HIGH; i++)
			err = new_kmalloc_cache(m, i, type);
		if (err)
			return err;
	}
	return 0;
}

/**
 * kmem_cache_init - bring the slab allocator up (after mem_init)
 * @m: the machine
 *
 * 1) the "kmem_cache" cache, whose own descriptor is m->slab.kmem_cache_boot;
 * 2) the kmalloc caches, their descriptors allocated from it; 3) the
 * per-CPU arrays of every cache, allocated with kmalloc (cf. kmem_cache_init
 * and kmem_cache_init_late). Until 3) every cache works without arrays.
 * Reads slub_debug= and slab_max_order= from the command line.
 * Returns 0 or -ENOMEM.
 */
int kmem_cache_init(struct machine *m)
{
	struct slab_state *ss = &m->slab;
	struct kmem_cache *c;
	int err;

	ss->nr_cpu_ids = clamp(m->desc.nr_cpus, 1U, (unsigned int)NR_CPUS);
	ss->fast_cpu_ids = ss->fail_nth ? 0 : ss->nr_cpu_ids;
	spin_lock_init(&ss->slab_mutex);
	INIT_LIST_HEAD(&ss->slab_caches);
	mm_memcpy(ss->size_index, kmalloc_size_index, sizeof(ss->size_index));
	ss->slab_max_order = -1;
	slub_debug_setup(m);
	if (ss->slab_max_order < 0)	/* fragmentation resistance on small machines */
		ss->slab_max_order = m->totalram_pages > ((32UL << 20) >> PAGE_SHIFT) ? 1 : 0;

	c = &ss->kmem_cache_boot;
	err = create_cache_common(m, c, "kmem_cache", sizeof(struct kmem_cache), 0,
				  SLAB_HWCACHE_ALIGN, NULL);
	if (err)
		return err;
	ss->kmem_cache = c;
	add_cache(m, c);
	ss->state = SLAB_PARTIAL;

	err = create_kmalloc_caches(m);
	if (err)
		return err;
	ss->state = SLAB_UP;

	list_for_each_entry(c, &ss->slab_caches, list) {
		if (!kmem_cache_debug(c) && enable_cpucache(m, c, GFP_KERNEL))
			return -ENOMEM;
	}
	ss->state = SLAB_FULL;
	return 0;
}

static int kmem_cache_sanity_check(struct machine *m, const char *name, unsigned int size,
				   unsigned int align, slab_flags_t flags)
{
	if (!name || size < sizeof(void *) || size > KMALLOC_MAX_SIZE || (align & (align - 1)) ||
	    (flags & ~SLAB_FLAGS_PERMITTED) || m->slab.state < SLAB_FULL) {
		pr_err(m, "kmem_cache_create(%s) integrity check failed\n", name ? name : "(null)");
		return -EINVAL;
	}
	if (__builtin_strchr(name, ' '))	/* it confuses parsers */
		slab_warn(m, "kmem_cache_create: cache name \"%s\" contains a space\n", name);
	return 0;
}

/**
 * kmem_cache_create - create a cache of objects
 * @m: the machine
 * @name: shown in /proc/slabinfo and in slub_debug reports (copied)
 * @size: object size, 8 bytes .. KMALLOC_MAX_SIZE
 * @align: required alignment (a power of two, or 0)
 * @flags: SLAB_HWCACHE_ALIGN, SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER,
 *	   SLAB_CONSISTENCY_CHECKS, SLAB_CACHE_DMA, SLAB_RECLAIM_ACCOUNT, ...
 * @ctor: run on each object once, when its slab is created; may be NULL
 *
 * Returns the cache, or NULL with the kernel's message in the log.
 */
struct kmem_cache *kmem_cache_create(struct machine *m, const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags, void (*ctor)(void *obj))
{
	struct kmem_cache *c = NULL;
	char *cname = NULL;
	int err;

	err = kmem_cache_sanity_check(m, name, size, align, flags);
	if (err)
		goto out;
	err = -ENOMEM;
	cname = kstrdup(m, name, GFP_KERNEL);
	c = kmem_cache_zalloc(m, m->slab.kmem_cache, GFP_KERNEL);
	if (!cname || !c)
		goto out;
	c->name_allocated = true;
	err = create_cache_common(m, c, cname, size, align, flags, ctor);
	if (err)
		goto out;
	add_cache(m, c);
	return c;
out:
	if (c) {
		__kmem_cache_release(m, c);
		kmem_cache_free(m, m->slab.kmem_cache, c);
	}
	kfree(m, cname);
	if (flags & SLAB_PANIC)
		pr_emerg(m, "Kernel panic - not syncing: kmem_cache_create: Failed to create slab '%s'. Error %d\n",
			 name ? name : "(null)", err);
	else
		pr_warn(m, "kmem_cache_create(%s) failed with error %d\n", name ? name : "(null)",
			err);
	slab_dump_stack(m);
	return NULL;
}

/**
 * kmem_cache_shrink - drain the per-CPU arrays and free all free slabs
 * @m: the machine
 * @s: the cache
 *
 * Returns 0 when the cache holds no objects any more, 1 otherwise.
 */
int kmem_cache_shrink(struct machine *m, struct kmem_cache *s)
{
	return __kmem_cache_shrink(m, s);
}

/**
 * kmem_cache_destroy - destroy a cache that holds no objects
 * @m: the machine
 * @s: the cache; NULL is ignored
 *
 * A cache with objects still allocated is not destroyed: the kernel's
 * "Slab cache still has objects" warning goes to the log, -EBUSY is
 * returned and the cache stays usable. The kmalloc caches cannot be
 * destroyed (-EINVAL). Returns 0 when the cache is gone.
 */
int kmem_cache_destroy(struct machine *m, struct kmem_cache *s)
{
	if (!s)
		return 0;
	if ((s->flags & SLAB_KMALLOC) || s == m->slab.kmem_cache) {
		slab_warn(m, "kmem_cache_destroy: %s is a boot cache\n", s->name);
		return -EINVAL;
	}
	spin_lock(&m->slab.slab_mutex);
	if (--s->refcount) {
		spin_unlock(&m->slab.slab_mutex);
		return 0;
	}
	spin_unlock(&m->slab.slab_mutex);
	if (__kmem_cache_shrink(m, s)) {
		s->refcount++;
		slab_warn(m, "kmem_cache_destroy %s: Slab cache still has objects when called from 0x%lx\n",
			  s->name, _RET_IP_);
		return -EBUSY;
	}
	spin_lock(&m->slab.slab_mutex);
	list_del(&s->list);
	spin_unlock(&m->slab.slab_mutex);
	__kmem_cache_release(m, s);
	if (s->name_allocated)
		kfree(m, s->name);
	kmem_cache_free(m, m->slab.kmem_cache, s);
	return 0;
}

/* ---- kmalloc -------------------------------------------------------------- */

static __attribute__((noinline)) void *kmalloc_large(struct machine *m, size_t size, gfp_t flags)
{
	unsigned int order = get_order(size);
	struct page *page;
	void *ptr;

	if (unlikely(m->slab.fail_nth) && should_failslab(m))
		return NULL;

	if (order > MAX_PAGE_ORDER) {
		if (!(flags & __GFP_NOWARN))
			slab_warn(m, "kmalloc: %zu bytes is more than KMALLOC_MAX_SIZE\n", size);
		return NULL;
	}
	if (unlikely(flags & GFP_SLAB_BUG_MASK))
		flags = kmalloc_fix_flags(m, flags);
	page = alloc_pages(m, flags & ~__GFP_ZERO, order);
	if (!page)
		return NULL;
	ptr = page_address(m, page);
	if (flags & __GFP_ZERO)
		mm_memset(ptr, 0, PAGE_SIZE << order);
	page->_mapcount = PAGE_TYPE_LARGE_KMALLOC;
	page->private = order;
	__atomic_fetch_add(&m->slab.nr_kmalloc_large, 1UL << order, __ATOMIC_RELAXED);
	slab_account_pages(m, 0, 1L << order);
	return ptr;
}

/* The head page of a large kmalloc allocation at exactly p, else NULL. */
static struct page *large_kmalloc_page(struct machine *m, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)m->ram;
	struct page *page;

	if (off >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT) || (off & (PAGE_SIZE - 1)))
		return NULL;
	page = m->mem_map + (off >> PAGE_SHIFT);
	return page->_mapcount == PAGE_TYPE_LARGE_KMALLOC ? page : NULL;
}

static void free_large_kmalloc(struct machine *m, struct page *page)
{
	unsigned int order = (unsigned int)page->private;

	page->_mapcount = -1;
	page->private = 0;
	__atomic_fetch_sub(&m->slab.nr_kmalloc_large, 1UL << order, __ATOMIC_RELAXED);
	slab_account_pages(m, 0, -(1L << order));
	__free_pages(m, page, order);
}

/**
 * kmalloc - allocate memory
 * @m: the machine
 * @size: bytes; 0 gives ZERO_SIZE_PTR
 * @flags: gfp flags (__GFP_ZERO zeroes; __GFP_DMA, __GFP_RECLAIMABLE and
 *	   __GFP_ACCOUNT pick the dma-/rcl-/cg- caches)
 *
 * Up to 8 KiB from the kmalloc caches, above from the buddy allocator.
 * Returns a kernel address, or NULL.
 */
void *kmalloc(struct machine *m, size_t size, gfp_t flags)
{
	if (likely(size - 1 < KMALLOC_MAX_CACHE_SIZE)) {
		struct kmem_cache *c = __kmalloc_slab(m, size, flags);

		return slab_alloc(m, c, flags, _RET_IP_);
	}
	if (!size)
		return ZERO_SIZE_PTR;
	return kmalloc_large(m, size, flags);
}

/**
 * kzalloc - allocate zeroed memory
 * @m: the machine
 * @size: bytes
 * @flags: gfp flags
 */
void *kzalloc(struct machine *m, size_t size, gfp_t flags)
{
	return kmalloc(m, size, flags | __GFP_ZERO);
}

/**
 * kmalloc_array - allocate n * size bytes
 * @m: the machine
 * @n: elements
 * @size: bytes each
 * @flags: gfp flags
 *
 * Returns NULL when n * size overflows.
 */
void *kmalloc_array(struct machine *m, size_t n, size_t size, gfp_t flags)
{
	size_t bytes;

	if (unlikely(__builtin_mul_overflow(n, size, &bytes)))
		return NULL;
	return kmalloc(m, bytes, flags);
}

/**
 * kcalloc - allocate a zeroed array
 * @m: the machine
 * @n: elements
 * @size: bytes each
 * @flags: gfp flags
 *
 * Returns NULL when n * size overflows.
 */
void *kcalloc(struct machine *m, size_t n, size_t size, gfp_t flags)
{
	return kmalloc_array(m, n, size, flags | __GFP_ZERO);
}

/* kfree() of what is not a slab object: a large kmalloc block, or a bad pointer. */
static __attribute__((noinline)) void kfree_slow(struct machine *m, const void *objp)
{
	struct page *page = virt_to_slab_page(m, objp);

	if (page) {
		slab_bad_free(m, page->slab_cache, objp, "kfree");
		return;
	}
	page = large_kmalloc_page(m, objp);
	if (page) {
		free_large_kmalloc(m, page);
		return;
	}
	if ((uintptr_t)objp - (uintptr_t)m->ram < ((uintptr_t)m->max_low_pfn << PAGE_SHIFT)) {
		page = m->mem_map + (((uintptr_t)objp - (uintptr_t)m->ram) >> PAGE_SHIFT);
		m->slab.nr_bad_frees++;
		slab_warn(m, "kfree: object pointer: 0x%0*llx\n", slab_kva_width(m), slab_kva(m, objp));
		pr_warn(m, "page: refcount:%d mapcount:%d mapping:%p index:%#lx pfn:%#lx\n",
			page_count(page), page_mapcount(page), page->mapping, page->index,
			page_to_pfn(m, page));
		pr_warn(m, "flags: %#lx\n", page->flags);
		pr_warn(m, "page dumped because: Not a kmalloc allocation\n");
		return;
	}
	slab_bad_free(m, NULL, objp, "kfree");
}

/**
 * kfree - free memory from kmalloc
 * @m: the machine
 * @objp: the pointer; NULL and ZERO_SIZE_PTR are ignored
 *
 * A pointer kmalloc did not return is reported and ignored.
 */
void kfree(struct machine *m, const void *objp)
{
	struct kmem_cache *c;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return;
	c = slab_obj_cache(m, NULL, objp);
	if (likely(c)) {
		slab_free(m, c, (void *)objp, _RET_IP_);
		return;
	}
	kfree_slow(m, objp);
}

/**
 * ksize - the usable size of a kmalloc'ed block
 * @m: the machine
 * @objp: the pointer
 *
 * The object size of its cache (kmalloc(20) gives 32), or the pages of a
 * large allocation. 0 for NULL, ZERO_SIZE_PTR and pointers kmalloc did
 * not return.
 */
size_t ksize(struct machine *m, const void *objp)
{
	struct page *page;

	if (unlikely(ZERO_OR_NULL_PTR(objp)))
		return 0;
	page = virt_to_slab_page(m, objp);
	if (page)
		return page->slab_cache->object_size;
	page = large_kmalloc_page(m, objp);
	if (page)
		return PAGE_SIZE << page->private;
	slab_warn(m, "ksize: 0x%0*llx is not a kmalloc allocation\n", slab_kva_width(m),
		  slab_kva(m, objp));
	return 0;
}

/**
 * krealloc - resize a kmalloc'ed block, keeping its contents
 * @m: the machine
 * @p: the block, or NULL (then it is kmalloc)
 * @new_size: bytes; 0 frees p and returns ZERO_SIZE_PTR
 * @flags: gfp flags
 *
 * When the block's ksize() still holds new_size it is returned as it is;
 * otherwise a new block gets the old contents and the old one is freed.
 * Returns NULL (p untouched) when no memory is left.
 */
void *krealloc(struct machine *m, const void *p, size_t new_size, gfp_t flags)
{
	size_t ks = 0;
	void *ret;

	if (unlikely(!new_size)) {
		kfree(m, p);
		return ZERO_SIZE_PTR;
	}
	if (!ZERO_OR_NULL_PTR(p))
		ks = ksize(m, p);
	if (ks >= new_size)
		return (void *)p;
	ret = kmalloc(m, new_size, flags);
	if (ret && ks) {
		mm_memcpy(ret, p, ks);
		kfree(m, p);
	}
	return ret;
}

/**
 * kmalloc_size_roundup - the size kmalloc(size) really provides
 * @m: the machine
 * @size: bytes
 */
size_t kmalloc_size_roundup(struct machine *m, size_t size)
{
	if (size && size <= KMALLOC_MAX_CACHE_SIZE) {
		struct kmem_cache *c = kmalloc_slab(m, size, GFP_KERNEL);

		return c ? c->object_size : 0;
	}
	if (size && size <= KMALLOC_MAX_SIZE)
		return PAGE_SIZE << get_order(size);
	return size;
}

/**
 * kstrdup - copy a string into kmalloc'ed memory
 * @m: the machine
 * @s: the string, or NULL
 * @gfp: gfp flags
 */
char *kstrdup(struct machine *m, const char *s, gfp_t gfp)
{
	size_t len;
	char *buf;

	if (!s)
		return NULL;
	len = mm_strlen(s) + 1;
	buf = kmalloc(m, len, gfp);
	if (buf)
		mm_memcpy(buf, s, len);
	return buf;
}

/**
 * get_slabinfo - a cache's /proc/slabinfo numbers (cf. get_slabinfo)
 * @m: the machine
 * @s: the cache
 * @sinfo: filled in
 *
 * Objects in per-CPU and shared arrays count as active, as in Linux.
 */
void get_slabinfo(struct machine *m, struct kmem_cache *s, struct slabinfo *sinfo)
{
	struct kmem_cache_node *n = &s->node[0];
	unsigned long total_slabs, free_slabs, free_objs, shared_avail = 0;

	spin_lock(&n->list_lock);
	total_slabs = n->total_slabs;
	free_slabs = n->free_slabs;
	free_objs = n->free_objects;
	if (n->shared)
		shared_avail = n->shared->avail;
	spin_unlock(&n->list_lock);

	sinfo->num_objs = total_slabs * s->num;
	sinfo->active_objs = sinfo->num_objs - free_objs;
	sinfo->active_slabs = total_slabs - free_slabs;
	sinfo->num_slabs = total_slabs;
	sinfo->shared_avail = shared_avail;
	sinfo->limit = s->limit;
	sinfo->batchcount = s->batchcount;
	sinfo->shared = s->shared;
	sinfo->objects_per_slab = s->num;
	sinfo->cache_order = s->gfporder;
}
