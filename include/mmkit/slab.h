/* The slab allocator and kmalloc (src/mm/slab.c, slab_common.c,
 * slab_debug.c; cf. include/linux/slab.h and include/linux/slab_def.h).
 *
 * A kmem_cache hands out objects of one size. It keeps slabs -- blocks of
 * 2^gfporder pages from the buddy allocator, each cut into `num` objects --
 * on three lists: full, partial and free (seed 000: "kmem_cache ... 三个指针
 * 指向三种slab,分别是满.部分满和空闲slab"). Objects come from partial slabs
 * first. In front of the lists sit per-CPU arrays of free objects (the SLAB
 * design: array_cache with limit/batchcount), so the common alloc and free
 * take no lock.
 *
 * Every function takes the machine first; objects are kernel (direct-map)
 * addresses, i.e. host pointers into m->ram. */
#ifndef MMKIT_SLAB_H
#define MMKIT_SLAB_H

#include <mmkit/gfp.h>
#include <mmkit/list.h>
#include <mmkit/mmzone.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

struct machine;
struct page;

typedef unsigned int slab_flags_t;

/* kmem_cache_create() flags (Linux values, include/linux/slab.h). */
#define SLAB_CONSISTENCY_CHECKS 0x00000100U	/* slub_debug F: check pointers and state on free */
#define SLAB_RED_ZONE 0x00000400U		/* slub_debug Z: red zones around objects */
#define SLAB_POISON 0x00000800U			/* slub_debug P: fill free objects with 0x6b..0xa5 */
#define SLAB_KMALLOC 0x00001000U		/* a kmalloc-* cache */
#define SLAB_HWCACHE_ALIGN 0x00002000U		/* align objects to cache lines */
#define SLAB_CACHE_DMA 0x00004000U		/* slabs from ZONE_DMA */
#define SLAB_CACHE_DMA32 0x00008000U		/* slabs from ZONE_DMA32 */
#define SLAB_STORE_USER 0x00010000U		/* slub_debug U: remember who allocated and freed */
#define SLAB_RECLAIM_ACCOUNT 0x00020000U	/* slabs count as SReclaimable */
#define SLAB_PANIC 0x00040000U			/* creation failure is a bug (reported, not fatal here) */
#define SLAB_TYPESAFE_BY_RCU 0x00080000U
#define SLAB_TRACE 0x00200000U
#define SLAB_NOLEAKTRACE 0x00800000U
#define SLAB_ACCOUNT 0x04000000U
/* The flags slub_debug switches on. */
#define SLAB_DEBUG_FLAGS (SLAB_CONSISTENCY_CHECKS | SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER)

/* Poison values (include/linux/poison.h). */
#define POISON_INUSE 0x5a	/* padding never handed out */
#define POISON_FREE 0x6b	/* a free object's bytes */
#define POISON_END 0xa5		/* a free object's last byte */
#define SLUB_RED_INACTIVE 0xbb	/* red zone of a free object */
#define SLUB_RED_ACTIVE 0xcc	/* red zone of an allocated object */

/* kmalloc(0) returns this: not NULL, but any access faults. */
#define ZERO_SIZE_PTR ((void *)16)
#define ZERO_OR_NULL_PTR(x) ((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

/* kmalloc geometry: caches kmalloc-8 .. kmalloc-8k (plus -96 and -192);
 * larger requests go to the page allocator, up to one MAX_PAGE_ORDER block. */
#define KMALLOC_SHIFT_LOW 3
#define KMALLOC_SHIFT_HIGH (PAGE_SHIFT + 1)
#define KMALLOC_SHIFT_MAX (MAX_PAGE_ORDER + PAGE_SHIFT)
#define KMALLOC_MIN_SIZE (1UL << KMALLOC_SHIFT_LOW)
#define KMALLOC_MAX_CACHE_SIZE (1UL << KMALLOC_SHIFT_HIGH)
#define KMALLOC_MAX_SIZE (1UL << KMALLOC_SHIFT_MAX)
#define KMALLOC_MAX_ORDER (KMALLOC_SHIFT_MAX - PAGE_SHIFT)
#define ARCH_KMALLOC_MINALIGN 8
#define L1_CACHE_BYTES 64

/* Which family of kmalloc caches a gfp mask picks (cf. kmalloc_type()). */
enum kmalloc_cache_type {
	KMALLOC_NORMAL,		/* kmalloc-N */
	KMALLOC_RECLAIM,	/* kmalloc-rcl-N: __GFP_RECLAIMABLE */
	KMALLOC_DMA,		/* dma-kmalloc-N: __GFP_DMA */
	KMALLOC_CGROUP,		/* kmalloc-cg-N: __GFP_ACCOUNT */
	NR_KMALLOC_TYPES
};

/* A per-CPU (or the per-node shared) stack of free objects (cf. mm/slab.c).
 * entry[0..avail-1] are free objects of the cache, most recently freed last. */
struct array_cache {
	unsigned int avail;
	unsigned int limit;	/* flush when a free finds avail == limit */
	unsigned int batchcount;	/* objects moved per refill / flush */
	unsigned int touched;	/* used since the last cache_reap() */
	void *entry[];
};

/* The slab lists of one NUMA node (mmkit has node 0 only). */
struct kmem_cache_node {
	spinlock_t list_lock;	/* the lists, counters and the shared array */
	struct list_head slabs_partial;	/* 0 < inuse < num; allocations come from here first */
	struct list_head slabs_full;	/* inuse == num */
	struct list_head slabs_free;	/* inuse == 0 */
	unsigned long total_slabs;
	unsigned long free_slabs;	/* slabs on slabs_free */
	unsigned long free_objects;	/* free objects in the slabs (not in arrays) */
	unsigned int free_limit;	/* free objects above this send free slabs to the buddy allocator */
	unsigned int colour_next;	/* colour of the next slab */
	struct array_cache *shared;	/* objects passed between CPUs; NULL on 1 CPU */
	int free_touched;
};

/* A cache of objects of one size (cf. struct kmem_cache in slab_def.h). */
struct kmem_cache {
	/* the fast paths read only these: one cache line */
	void *cpu_cache;		/* nr_cpu_ids array_caches, cpu_stride bytes apart */
	unsigned int cpu_stride;
	unsigned int obj_offset;	/* the object starts this far into its slot (left red zone) */
	unsigned int gfporder;		/* a slab is 2^gfporder pages */
	unsigned int size;		/* bytes per object slot, debug metadata included */
	u64 size_inv;			/* size = d * 2^size_shift, d odd: d * size_inv = 1 mod 2^64 */
	u64 size_lim;			/* off is a multiple of size iff */
	unsigned int size_shift;	/*   rotr(off * size_inv, size_shift) <= size_lim */
	unsigned int slab_span;		/* num * size: the objects' bytes in a slab */
	unsigned int object_size;	/* what the creator asked for */
	slab_flags_t flags;
	u64 reciprocal_size;		/* ceil(2^40 / size): index = off * it >> 40; 0: divide */

	/* per-CPU array tunables */
	unsigned int batchcount;
	unsigned int limit;
	unsigned int shared;		/* shared array holds shared * batchcount objects */
	unsigned int num;		/* objects per slab */

	/* growing and shrinking */
	gfp_t allocflags;		/* added to every page allocation (GFP_DMA, ...) */
	unsigned int colour;		/* number of colours: left-over bytes / colour_off */
	unsigned int colour_off;	/* colour step: cache_line_size(), at least align */
	unsigned int freelist_size;	/* num * sizeof(freelist_idx_t) */
	struct kmem_cache *freelist_cache;	/* off-slab freelists come from here */
	void (*ctor)(void *obj);

	/* identity and layout */
	const char *name;
	struct list_head list;		/* on slab_state.slab_caches, newest first */
	int refcount;
	unsigned int align;
	unsigned int inuse;		/* object_size + right red zone */
	unsigned int track_offset;	/* SLAB_STORE_USER: alloc/free tracks, from the object */
	bool name_allocated;		/* name was kstrdup'ed */

	/* statistics */
	unsigned long errors;		/* slub_debug reports against this cache */
	unsigned long grown;		/* slabs allocated */
	unsigned long reaped;		/* slabs given back */

	struct kmem_cache_node node[MAX_NUMNODES];
};

/* What /proc/slabinfo prints for a cache (cf. struct slabinfo). */
struct slabinfo {
	unsigned long active_objs;
	unsigned long num_objs;
	unsigned long active_slabs;
	unsigned long num_slabs;
	unsigned long shared_avail;
	unsigned int limit;
	unsigned int batchcount;
	unsigned int shared;
	unsigned int objects_per_slab;
	unsigned int cache_order;
};

/* Bootstrap progress (cf. enum slab_state in mm/slab.h). */
enum slab_boot_state {
	SLAB_DOWN,	/* nothing yet */
	SLAB_PARTIAL,	/* the kmem_cache cache works */
	SLAB_UP,	/* kmalloc caches exist; per-CPU arrays are not sized yet */
	SLAB_FULL,	/* everything works */
};

/* The slab allocator's state in struct machine (m->slab). */
struct slab_state {
	enum slab_boot_state state;
	spinlock_t slab_mutex;		/* slab_caches */
	struct list_head slab_caches;
	struct kmem_cache *kmem_cache;	/* the cache holding every other struct kmem_cache */
	struct kmem_cache *kmalloc_caches[NR_KMALLOC_TYPES][KMALLOC_SHIFT_HIGH + 1];
	u8 size_index[24];		/* kmalloc index for sizes 8..192, in steps of 8 */
	unsigned int nr_cpu_ids;
	unsigned int fast_cpu_ids;	/* nr_cpu_ids; 0 while failslab is armed (all slow path) */
	int slab_max_order;		/* slab_max_order=, or 1 above 32 MiB of RAM */

	/* fault injection (cf. failslab): the fail_nth-th allocation from now fails */
	unsigned long fail_nth;
	unsigned long nr_failslab_calls;

	/* debugging (slub_debug=) */
	slab_flags_t slub_debug;	/* debug flags new caches get; may be set before boot */
	char slub_debug_slabs[128];	/* "name,name*": only these caches; empty: all */
	unsigned long nr_debug_reports;	/* BUG reports: corruption, double and bad frees */
	unsigned long nr_bad_frees;	/* frees refused: bad pointer, double free, wrong cache */
	bool tainted;			/* TAINT_BAD_PAGE once a BUG was reported */

	/* accounting (meminfo Slab / SReclaimable / SUnreclaim, in pages) */
	unsigned long nr_slab_reclaimable;
	unsigned long nr_slab_unreclaimable;
	unsigned long nr_kmalloc_large;	/* pages held by kmalloc() > KMALLOC_MAX_CACHE_SIZE */

	/* per-CPU arrays with limit 0, used before enable_cpucache() and by
	 * debug caches: every operation takes the slow path */
	struct array_cache boot_cpu_cache[NR_CPUS];
	struct kmem_cache kmem_cache_boot;	/* the "kmem_cache" cache itself */
};

/* in mm/slab_common.c */
struct kmem_cache *kmem_cache_create(struct machine *m, const char *name, unsigned int size,
				     unsigned int align, slab_flags_t flags, void (*ctor)(void *obj));
int kmem_cache_destroy(struct machine *m, struct kmem_cache *s);
int kmem_cache_shrink(struct machine *m, struct kmem_cache *s);
void *kmalloc(struct machine *m, size_t size, gfp_t flags);
void *kzalloc(struct machine *m, size_t size, gfp_t flags);
void *kmalloc_array(struct machine *m, size_t n, size_t size, gfp_t flags);
void *kcalloc(struct machine *m, size_t n, size_t size, gfp_t flags);
void *krealloc(struct machine *m, const void *p, size_t new_size, gfp_t flags);
void kfree(struct machine *m, const void *objp);
size_t ksize(struct machine *m, const void *objp);
size_t kmalloc_size_roundup(struct machine *m, size_t size);
char *kstrdup(struct machine *m, const char *s, gfp_t gfp);
struct kmem_cache *kmalloc_slab(struct machine *m, size_t size, gfp_t flags);
unsigned int kmalloc_index(size_t size);
void get_slabinfo(struct machine *m, struct kmem_cache *s, struct slabinfo *sinfo);
int kmem_cache_init(struct machine *m);
void failslab_set_nth(struct machine *m, unsigned long nth);

/* in mm/slab.c */
void *kmem_cache_alloc(struct machine *m, struct kmem_cache *s, gfp_t flags);
void *kmem_cache_zalloc(struct machine *m, struct kmem_cache *s, gfp_t flags);
void kmem_cache_free(struct machine *m, struct kmem_cache *s, void *objp);
const char *kmem_cache_name(const struct kmem_cache *s);
unsigned int kmem_cache_size(const struct kmem_cache *s);
void cache_reap(struct machine *m);
unsigned long shrink_slab_caches(struct machine *m);
int check_slab(struct machine *m);

#endif
