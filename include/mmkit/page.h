/* struct page and its flags (cf. include/linux/mm_types.h,
 * include/linux/page-flags.h). One struct page per page frame lives in
 * mem_map, which boot places in simulated RAM with the boot allocator.
 * Invariant: sizeof(struct page) <= 64. */
#ifndef MMKIT_PAGE_H
#define MMKIT_PAGE_H

#include <mmkit/list.h>
#include <mmkit/types.h>

struct kmem_cache;

enum pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_slab,
	PG_reserved,
	PG_private,
	PG_writeback,
	PG_head,
	PG_swapcache,
	PG_swapbacked,
	PG_unevictable,
	PG_mlocked,
	PG_buddy,	/* heads a free block in a free_area list (page_type in 6.x) */
	PG_table,	/* page-table page */
	PG_poisoned,	/* debug: contents filled with PAGE_POISON since free */
	__NR_PAGEFLAGS,
};

/* The zone index lives in the top bits of page->flags (ZONES_PGSHIFT). */
#define ZONES_WIDTH 3
#define ZONES_PGSHIFT (64 - ZONES_WIDTH)
#define ZONES_MASK ((1UL << ZONES_WIDTH) - 1)

/* mmkit only: the order a block was allocated with, kept in spare bits of
 * the head page's flags below the zone (order + 1; 0 = not allocated by the
 * buddy allocator), so a free with the wrong order is caught (bad_page). */
#define ALLOC_ORDER_WIDTH 4
#define ALLOC_ORDER_PGSHIFT (ZONES_PGSHIFT - ALLOC_ORDER_WIDTH)
#define ALLOC_ORDER_MASK ((1UL << ALLOC_ORDER_WIDTH) - 1)

/* Freed pages are filled with this when page poisoning is on
 * (cf. PAGE_POISON in include/linux/poison.h). */
#define PAGE_POISON 0xaa

struct page {
	unsigned long flags;
	union {
		struct {	/* page cache, anonymous pages and free (buddy) pages */
			struct list_head lru;	/* free_area list, pcp list, LRU list */
			void *mapping;		/* address_space, or anon_vma | 1 */
			unsigned long index;	/* offset within mapping */
			unsigned long private;	/* buddy: order; swap: entry */
		};
		struct {	/* slab pages */
			struct list_head slab_list;
			struct kmem_cache *slab_cache;
			void *freelist;
			unsigned int inuse;
			union {
				unsigned int objects;
				unsigned int s_mem_off;	/* SLAB: first object's offset (colour) */
			};
		};
	};
	int _mapcount;	/* -1 when no page table maps it */
	int _refcount;	/* 0 when free */
};

_Static_assert(sizeof(struct page) <= 64, "struct page must stay within 64 bytes");

/* Page flags, as Linux's: tests are READ_ONCE-like loads, SetPage/ClearPage
 * atomic bit operations (set_bit/clear_bit), since another CPU may look at
 * or change a page's flags while its owner does (the buddy allocator
 * checks a neighbour's PG_buddy under zone->lock while the CPU that
 * allocated it changes its flags). */
static inline unsigned long page_flags(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}

/* The owner's non-atomic rewrite of its page's flags (one store, cf. the
 * __SetPage/__ClearPage variants): no other CPU may change them meanwhile. */
static inline void set_page_flags(struct page *page, unsigned long flags)
{
	__atomic_store_n(&page->flags, flags, __ATOMIC_RELAXED);
}

#define PAGEFLAG(uname, lname)                                                       \
	static inline bool Page##uname(const struct page *page)                      \
	{ return (page_flags(page) >> PG_##lname) & 1; }                             \
	static inline void SetPage##uname(struct page *page)                         \
	{ __atomic_fetch_or(&page->flags, 1UL << PG_##lname, __ATOMIC_RELAXED); }    \
	static inline void ClearPage##uname(struct page *page)                       \
	{ __atomic_fetch_and(&page->flags, ~(1UL << PG_##lname), __ATOMIC_RELAXED); }

PAGEFLAG(Locked, locked)
PAGEFLAG(Referenced, referenced)
PAGEFLAG(Uptodate, uptodate)
PAGEFLAG(Dirty, dirty)
PAGEFLAG(LRU, lru)
PAGEFLAG(Active, active)
PAGEFLAG(Workingset, workingset)
PAGEFLAG(Slab, slab)
PAGEFLAG(Reserved, reserved)
PAGEFLAG(Private, private)
PAGEFLAG(Writeback, writeback)
PAGEFLAG(Head, head)
PAGEFLAG(SwapCache, swapcache)
PAGEFLAG(SwapBacked, swapbacked)
PAGEFLAG(Unevictable, unevictable)
PAGEFLAG(Mlocked, mlocked)
PAGEFLAG(Buddy, buddy)
PAGEFLAG(Table, table)
PAGEFLAG(Poisoned, poisoned)
#undef PAGEFLAG

/* PG_buddy changes only under zone->lock, on a page nobody else owns
 * (Linux's __SetPageBuddy/__ClearPageBuddy on page_type): one store. */
static inline void __SetPageBuddy(struct page *page)
{
	set_page_flags(page, page->flags | 1UL << PG_buddy);
}
static inline void __ClearPageBuddy(struct page *page)
{
	set_page_flags(page, page->flags & ~(1UL << PG_buddy));
}

/* Flags that must be clear on a page handed to, or taken from, the buddy
 * allocator (cf. PAGE_FLAGS_CHECK_AT_FREE / _AT_PREP). */
#define PAGE_FLAGS_CHECK_AT_FREE                                              \
	((1UL << PG_lru) | (1UL << PG_locked) | (1UL << PG_private) |         \
	 (1UL << PG_writeback) | (1UL << PG_reserved) | (1UL << PG_slab) |     \
	 (1UL << PG_active) | (1UL << PG_unevictable) | (1UL << PG_mlocked) |  \
	 (1UL << PG_swapcache) | (1UL << PG_buddy) | (1UL << PG_table))
#define PAGE_FLAGS_CHECK_AT_PREP (((1UL << __NR_PAGEFLAGS) - 1) & ~(1UL << PG_poisoned))

static inline int page_zonenum(const struct page *page)
{
	return (int)((page_flags(page) >> ZONES_PGSHIFT) & ZONES_MASK);
}

static inline void set_page_zone(struct page *page, int zone)
{
	page->flags &= ~(ZONES_MASK << ZONES_PGSHIFT);
	page->flags |= ((unsigned long)zone & ZONES_MASK) << ZONES_PGSHIFT;
}

/* The order the block headed by page was allocated with, or -1 when the
 * page was not handed out by the buddy allocator. */
static inline int page_alloc_order(const struct page *page)
{
	return (int)((page_flags(page) >> ALLOC_ORDER_PGSHIFT) & ALLOC_ORDER_MASK) - 1;
}

static inline void set_page_alloc_order(struct page *page, unsigned int order)
{
	set_page_flags(page, (page->flags & ~(ALLOC_ORDER_MASK << ALLOC_ORDER_PGSHIFT)) |
				     ((unsigned long)order + 1) << ALLOC_ORDER_PGSHIFT);
}

static inline void clear_page_alloc_order(struct page *page)
{
	set_page_flags(page, page->flags & ~(ALLOC_ORDER_MASK << ALLOC_ORDER_PGSHIFT));
}

/* A free block's head: PageBuddy, its order in page->private
 * (cf. buddy_order(), set_buddy_order()). */
static inline unsigned int buddy_order(const struct page *page)
{
	return (unsigned int)page->private;
}

static inline void set_buddy_order(struct page *page, unsigned int order)
{
	page->private = order;
	__SetPageBuddy(page);
}

/* The reference count is atomic (Linux's page->_refcount is atomic_t):
 * CPUs sharing a page (a copy-on-write page, a page of a thread group's
 * mm) take and drop references at once. */
static inline int page_count(const struct page *page)
{
	return __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);
}
static inline void set_page_count(struct page *page, int v)
{
	__atomic_store_n(&page->_refcount, v, __ATOMIC_RELAXED);
}
static inline void init_page_count(struct page *page) { set_page_count(page, 1); }
static inline void get_page(struct page *page)
{
	__atomic_fetch_add(&page->_refcount, 1, __ATOMIC_RELAXED);
}
/* Drop a reference; true when it was the last one (page_ref_dec_and_test:
 * acq_rel, so the freeing CPU sees every other user's writes). */
static inline bool put_page_testzero(struct page *page)
{
	return __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL) == 0;
}
static inline int page_mapcount(const struct page *page) { return page->_mapcount + 1; }
static inline void reset_page_mapcount(struct page *page) { page->_mapcount = -1; }

#endif
