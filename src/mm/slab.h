/* Internals shared by the slab allocator's files (cf. mm/slab.h):
 * slab.c (caches, slabs, per-CPU arrays), slab_common.c (creation, kmalloc),
 * slab_debug.c (slub_debug checks and reports, the invariant checker).
 *
 * Vocabulary. A slab is 2^gfporder pages; its head page carries
 *   page->slab_cache  the cache, on every page of the slab;
 *   page->inuse       objects handed out (Linux SLAB: page->active);
 *   page->s_mem_off   byte offset of object 0 from the slab start (the colour);
 *   page->freelist    array of num freelist_idx_t: entries [inuse, num) are the
 *                     indexes of the free objects, next one first.
 * The freelist array lives at the end of the slab (on-slab), in a kmalloc
 * object (OFF_SLAB) or inside the free object handed out last
 * (OBJFREELIST_SLAB, NULL once the slab is full).
 * An object slot is `size` bytes; the caller's object starts obj_offset bytes
 * into it (the left red zone, 0 without SLAB_RED_ZONE). Per-CPU arrays hold
 * caller pointers; debug caches have no arrays (limit 0). */
#ifndef MMKIT_MM_SLAB_H
#define MMKIT_MM_SLAB_H

#include "internal.h"

/* The CPU number is read on every fast-path operation. As declared by the
 * seam, a PIC build reaches it with the general-dynamic TLS model: a call
 * (relaxed by the linker later, but the compiler already saved registers
 * for it). The initial-exec model is one %fs-relative load. */

#ifndef LIST_HEAD
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)
#endif

typedef u16 freelist_idx_t;
#define SLAB_OBJ_MAX_NUM ((1U << (8 * sizeof(freelist_idx_t))) - 1)

/* Internal cache flags (cf. CFLGS_* in mm/slab.c). */
#define CFLGS_OBJFREELIST_SLAB 0x40000000U
#define CFLGS_OFF_SLAB 0x80000000U
#define OBJFREELIST_SLAB(c) ((c)->flags & CFLGS_OBJFREELIST_SLAB)
#define OFF_SLAB(c) ((c)->flags & CFLGS_OFF_SLAB)

/* Refill at most this many objects into an array that was idle (cf. BATCHREFILL_LIMIT). */
#define BATCHREFILL_LIMIT 16
/* Sizes at or above this are divided, not multiplied by a reciprocal. */
#define SLAB_RECIPROCAL_MAX (1U << 18)
#define SLAB_HZ 250	/* jiffies per second for the debug tracks (CONFIG_HZ_250) */

/* A large kmalloc allocation's head page: _mapcount holds this page type
 * (cf. PGTY_large_kmalloc), page->private the order. */
#define PAGE_TYPE_LARGE_KMALLOC (-0x08000000)

/* The flags a caller may pass to kmem_cache_create(). */
#define SLAB_FLAGS_PERMITTED                                                      \
	(SLAB_DEBUG_FLAGS | SLAB_KMALLOC | SLAB_HWCACHE_ALIGN | SLAB_CACHE_DMA |  \
	 SLAB_CACHE_DMA32 | SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_TYPESAFE_BY_RCU | \
	 SLAB_TRACE | SLAB_NOLEAKTRACE | SLAB_ACCOUNT)

/* gfp bits a slab allocation must not carry (cf. GFP_SLAB_BUG_MASK). */
#define GFP_SLAB_BUG_MASK (__GFP_DMA32 | __GFP_HIGHMEM | ~((gfp_t)0xffffffu))
#define GFP_RECLAIM_MASK                                                          \
	(__GFP_RECLAIM | __GFP_HIGH | __GFP_IO | __GFP_FS | __GFP_NOWARN |        \
	 __GFP_RETRY_MAYFAIL | __GFP_NOFAIL | __GFP_NORETRY | __GFP_MEMALLOC |   \
	 __GFP_NOMEMALLOC)
#define GFP_CONSTRAINT_MASK (__GFP_HARDWALL | __GFP_THISNODE)

#define _RET_IP_ ((unsigned long)__builtin_return_address(0))

/* SLAB_STORE_USER: who last allocated and freed an object (cf. struct track). */
struct track {
	unsigned long addr;	/* caller (host code address) */
	unsigned int cpu;
	int pid;
	unsigned long when;	/* jiffies */
};
enum track_item { TRACK_ALLOC, TRACK_FREE };

static inline bool kmem_cache_debug(const struct kmem_cache *c)
{
	return c->flags & SLAB_DEBUG_FLAGS;
}

/* Free objects get poisoned: SLAB_POISON without a constructor (whose work
 * the poison would undo), as SLUB's __OBJECT_POISON. */
static inline bool slab_poisons(const struct kmem_cache *c)
{
	return (c->flags & SLAB_POISON) && !c->ctor && !(c->flags & SLAB_TYPESAFE_BY_RCU);
}

static inline unsigned long slab_jiffies(const struct machine *m)
{
	return (unsigned long)(m->clock_ns / (1000000000ULL / SLAB_HZ));
}

static inline struct array_cache *cpu_cache_get(const struct kmem_cache *c, unsigned int cpu)
{
	return (struct array_cache *)((char *)c->cpu_cache + (size_t)cpu * c->cpu_stride);
}

/* The first byte of a (lowmem) slab. */
static inline u8 *slab_address(const struct machine *m, const struct page *page)
{
	return m->ram + page_to_phys(m, page);
}

static inline u8 *slab_s_mem(const struct machine *m, const struct page *page)
{
	return slab_address(m, page) + page->s_mem_off;
}

/* The page holding x when x is a direct-map address in a slab page, else NULL. */
static __always_inline struct page *virt_to_slab_page(const struct machine *m, const void *x)
{
	uintptr_t off = (uintptr_t)x - (uintptr_t)m->ram;
	struct page *page;

	if (unlikely(off >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT)))
		return NULL;
	page = m->mem_map + (off >> PAGE_SHIFT);
	if (unlikely(!PageSlab(page)))
		return NULL;
	return page;
}

/* The head page of the slab page belongs to (buddy blocks are aligned:
 * the head of an order-o slab is pfn & ~(2^o - 1)). */
static __always_inline struct page *slab_head(const struct machine *m, const struct kmem_cache *c,
					      struct page *page)
{
	unsigned long mask = (1UL << c->gfporder) - 1;

	return page - (page_to_pfn(m, page) & mask);
}

/* Index of the slot off bytes after s_mem (off < num * size). */
static __always_inline unsigned int obj_off_to_index(const struct kmem_cache *c, uintptr_t off)
{
	if (likely(c->reciprocal_size))
		return (unsigned int)(((u64)off * c->reciprocal_size) >> 40);
	return (unsigned int)(off / c->size);
}

/* True when off bytes after s_mem is an object start: in range and a
 * multiple of size, by one multiply (Lemire's divisibility test). */
static __always_inline bool slab_off_valid(const struct kmem_cache *c, uintptr_t off)
{
	u64 q = (u64)off * c->size_inv;

	if (unlikely(off >= c->slab_span))
		return false;
	q = (q >> c->size_shift) | (q << ((64 - c->size_shift) & 63));
	return q <= c->size_lim;
}

/* True when x (a caller pointer) is exactly an object of the slab at head. */
static __always_inline bool slab_obj_valid(const struct machine *m, const struct kmem_cache *c,
					   const struct page *head, const void *x)
{
	return slab_off_valid(c, (uintptr_t)x - c->obj_offset - (uintptr_t)slab_s_mem(m, head));
}

/* The free fast path's check, from the address alone (no page_to_pfn,
 * which divides by sizeof(struct page)): x is a direct-map address in a
 * slab page; returns that page's cache when x is exactly one of its
 * objects and the cache is c (or c is NULL), else NULL. */
static __always_inline struct kmem_cache *slab_obj_cache(const struct machine *m,
							 const struct kmem_cache *c, const void *x)
{
	uintptr_t off = (uintptr_t)x - (uintptr_t)m->ram;
	unsigned long pfn = off >> PAGE_SHIFT, head = pfn;
	const struct page *page;
	struct kmem_cache *owner;

	if (unlikely(off >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT)))
		return NULL;
	page = m->mem_map + pfn;
	owner = page->slab_cache;
	if (unlikely(!PageSlab(page) || (c && owner != c)))
		return NULL;
	if (unlikely(owner->gfporder))
		head = pfn & ~((1UL << owner->gfporder) - 1);
	off -= (head << PAGE_SHIFT) + m->mem_map[head].s_mem_off + owner->obj_offset;
	if (unlikely(!slab_off_valid(owner, off)))
		return NULL;
	return owner;
}

static inline unsigned int obj_to_index(const struct machine *m, const struct kmem_cache *c,
					const struct page *head, const void *x)
{
	return obj_off_to_index(c, (uintptr_t)x - c->obj_offset - (uintptr_t)slab_s_mem(m, head));
}

/* The caller pointer of object idx. */
static inline void *index_to_obj(const struct machine *m, const struct kmem_cache *c,
				 const struct page *head, unsigned int idx)
{
	return slab_s_mem(m, head) + (size_t)c->size * idx + c->obj_offset;
}

static inline freelist_idx_t get_free_obj(const struct page *page, unsigned int idx)
{
	return ((freelist_idx_t *)page->freelist)[idx];
}

static inline void set_free_obj(struct page *page, unsigned int idx, freelist_idx_t val)
{
	((freelist_idx_t *)page->freelist)[idx] = val;
}

/* in mm/slab.c */
int __kmem_cache_create(struct machine *m, struct kmem_cache *c, slab_flags_t flags);
void *cache_alloc_refill(struct machine *m, struct kmem_cache *c, gfp_t flags, unsigned long caller);
void *slab_alloc_slow(struct machine *m, struct kmem_cache *c, gfp_t flags, unsigned long caller);
void cache_free_slow(struct machine *m, struct kmem_cache *c, void *objp, unsigned long caller);
void mark_slab_used(struct machine *m, struct kmem_cache *c, struct page *page);
void free_block(struct machine *m, struct kmem_cache *c, void **objpp, unsigned int nr,
		struct list_head *list);
void slab_destroy(struct machine *m, struct kmem_cache *c, struct page *page);
void slabs_destroy(struct machine *m, struct kmem_cache *c, struct list_head *list);
void setup_boot_cpu_cache(struct machine *m, struct kmem_cache *c);
gfp_t kmalloc_fix_flags(struct machine *m, gfp_t flags);

/* in mm/slab_cpucache.c */
int __kmem_cache_shrink(struct machine *m, struct kmem_cache *c);
void __kmem_cache_release(struct machine *m, struct kmem_cache *c);
int enable_cpucache(struct machine *m, struct kmem_cache *c, gfp_t gfp);
unsigned long slab_total_pages(struct machine *m);

/* in mm/slab_common.c */
bool should_failslab(struct machine *m);
unsigned int calculate_alignment(slab_flags_t flags, unsigned int align, unsigned int size);
void slab_account_pages(struct machine *m, slab_flags_t flags, long nr_pages);

/* in mm/slab_debug.c */
void slub_debug_setup(struct machine *m);
slab_flags_t kmem_cache_flags(struct machine *m, unsigned int size, slab_flags_t flags,
			      const char *name);
void slab_debug_init_obj(struct machine *m, struct kmem_cache *c, void *objp);
bool alloc_debug_processing(struct machine *m, struct kmem_cache *c, struct page *page,
			    void *objp, unsigned long caller);
bool free_debug_processing(struct machine *m, struct kmem_cache *c, struct page *page,
			   void *objp, unsigned long caller);
bool check_free_object(struct machine *m, struct kmem_cache *c, struct page *page, void *objp);
void slab_bad_free(struct machine *m, struct kmem_cache *c, const void *objp, const char *func);
void object_err(struct machine *m, struct kmem_cache *c, struct page *page, void *objp,
		const char *reason);
void slab_err(struct machine *m, struct kmem_cache *c, struct page *page, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void slab_fix(struct machine *m, struct kmem_cache *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void __slab_warn(struct machine *m, const char *file, int line, const char *func,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define slab_warn(m, ...) __slab_warn(m, __FILE__, __LINE__, __func__, __VA_ARGS__)
void slab_dump_stack(struct machine *m);
unsigned long long slab_kva(const struct machine *m, const void *p);
int slab_kva_width(const struct machine *m);

/* Inline fast paths (cf. ____cache_alloc and ___cache_free): the calling
 * CPU's array, no lock, no stack frame -- everything else is a tail call
 * to the slow paths in slab.c. Return caller pointers. */
static __always_inline void *slab_alloc(struct machine *m, struct kmem_cache *c, gfp_t flags,
					unsigned long caller)
{
	unsigned int cpu = smp_processor_id(m);

	if (likely(cpu < m->slab.fast_cpu_ids && !(flags & __GFP_ZERO))) {
		struct array_cache *ac = cpu_cache_get(c, cpu);

		if (likely(ac->avail)) {
			ac->touched = 1;
			return ac->entry[--ac->avail];
		}
	}
	return slab_alloc_slow(m, c, flags, caller);
}

/* objp must already be known to be an object of c. */
static __always_inline void slab_free(struct machine *m, struct kmem_cache *c, void *objp,
				      unsigned long caller)
{
	unsigned int cpu = smp_processor_id(m);

	if (likely(cpu < m->slab.nr_cpu_ids)) {
		struct array_cache *ac = cpu_cache_get(c, cpu);
		unsigned int avail = ac->avail;

		/* room, and not the trivial double free (cf. __free_one) */
		if (likely(avail < ac->limit && (!avail || ac->entry[avail - 1] != objp))) {
			ac->entry[avail] = objp;
			ac->avail = avail + 1;
			return;
		}
	}
	cache_free_slow(m, c, objp, caller);
}

#endif
