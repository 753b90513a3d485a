/* The zoned buddy allocator (cf. mm/page_alloc.c): free lists, splitting
 * (expand) and merging, the per-CPU page lists, and the entry points
 * alloc_pages/__free_pages and friends. In the seed's terms this is the
 * zoned page frame allocator (分区页框分配器): the zone allocator walks the
 * zonelist and checks each zone's watermarks, the buddy system (伙伴系统)
 * of that zone hands out 2^order blocks from free_area[order], and order-0
 * requests go through the per-CPU page frame cache (per-CPU页框高速缓存).
 *
 * Invariants (checked by check_page_alloc in page_alloc_check.c):
 * - a PageBuddy page heads a free block of 1 << buddy_order(page) pages,
 *   aligned to its size, inside its zone, on free_area[order].free_list;
 * - the buddy of the block of order o at pfn P is the block at P ^ (1 << o);
 *   two buddies of equal order are never both free (they merge), except at
 *   MAX_PAGE_ORDER, where merging stops;
 * - NR_FREE_PAGES == sum(nr_free << o); pages on a per-CPU list count as
 *   allocated, have refcount 0 and are not PageBuddy;
 * - an allocated block's head has refcount >= 1 and its order recorded in
 *   page->flags (page_alloc_order), which __free_pages checks.
 * Locking: zone->lock around every change of the buddy lists; a per-CPU
 * list's own lock (pcp->lock, uncontended but for drain_all_pages, which
 * empties other CPUs' lists) around every use of it, taken before
 * zone->lock, as Linux 6.x does. */
#include "mm/internal_vmscan.h"
#include "mm/page_alloc.h"

_Static_assert(PGALLOC_DEVICE - PGALLOC_DMA == ZONE_DEVICE, "pgalloc events follow the zones");

/* ---- free lists ---------------------------------------------------- */

/* A counter only changed under zone->lock (NR_FREE_PAGES,
 * NR_FREE_PAGES_BLOCKS): one load and one store, no locked add; readers
 * outside the lock see either value (Linux's per-CPU diff folding keeps the
 * lock-free update cheap the same way). */
static inline void __mod_zone_locked_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	__atomic_store_n(&zone->vm_stat[item], zone->vm_stat[item] + delta, __ATOMIC_RELAXED);
}

static inline void account_freepages(struct zone *zone, long nr_pages)
{
	__mod_zone_locked_state(zone, NR_FREE_PAGES, nr_pages);
}

static inline void add_to_free_list(struct machine *m, struct page *page, struct zone *zone,
				    unsigned int order, bool tail)
{
	struct free_area *area = &zone->free_area[order];

	if (tail)
		list_add_tail(&page->lru, &area->free_list);
	else
		list_add(&page->lru, &area->free_list);
	__atomic_store_n(&area->nr_free, area->nr_free + 1, __ATOMIC_RELAXED);	/* WRITE_ONCE */
	if (order >= m->pageblock_order)
		__mod_zone_locked_state(zone, NR_FREE_PAGES_BLOCKS, 1L << order);
}

static inline void del_page_from_free_list(struct machine *m, struct page *page,
					   struct zone *zone, unsigned int order)
{
	list_del(&page->lru);
	__ClearPageBuddy(page);
	page->private = 0;
	__atomic_store_n(&zone->free_area[order].nr_free, zone->free_area[order].nr_free - 1,
			 __ATOMIC_RELAXED);	/* WRITE_ONCE: the watermark check reads it unlocked */
	if (order >= m->pageblock_order)
		__mod_zone_locked_state(zone, NR_FREE_PAGES_BLOCKS, -(1L << order));
}

/* Is the page at buddy_pfn the head of a free block of exactly this order
 * in page's zone, so the two can merge? (cf. page_is_buddy()). */
static inline struct page *find_buddy_page_pfn(struct machine *m, const struct page *page,
					       unsigned long pfn, unsigned int order)
{
	unsigned long buddy_pfn = pfn ^ (1UL << order);
	struct page *buddy;

	if (buddy_pfn >= m->max_pfn)
		return NULL;
	buddy = pfn_to_page(m, buddy_pfn);
	if (!PageBuddy(buddy) || buddy_order(buddy) != order)
		return NULL;
	if ((page_flags(buddy) ^ page_flags(page)) >> ZONES_PGSHIFT)
		return NULL;
	return buddy;
}

/* Freeing a block whose buddy at the next order up is free: the two are
 * likely to merge soon, so keep it at the tail where it is picked last
 * (cf. buddy_merge_likely()). */
static bool buddy_merge_likely(struct machine *m, unsigned long pfn, struct page *page,
			       unsigned int order)
{
	unsigned long higher_pfn;

	if (order >= MAX_PAGE_ORDER - 1)
		return false;
	higher_pfn = (pfn ^ (1UL << order)) & pfn;
	return find_buddy_page_pfn(m, page - (pfn - higher_pfn), higher_pfn, order + 1) != NULL;
}

/*
 * Give the block of 2^order pages at pfn back to the zone's free lists,
 * merging it with its buddy for as long as the buddy is free:
 *
 *	free pfn 5, order 0; 4 is free at order 0, 6-7 at order 1:
 *	  5 ^ 1 = 4 free -> merge, block 4-5, order 1
 *	  4 ^ 2 = 6 free -> merge, block 4-7, order 2
 *	  4 ^ 4 = 0 not free (or other order) -> stop: 4-7 goes on free_area[2]
 *
 * Caller holds zone->lock (cf. __free_one_page()).
 */
static void __free_one_page(struct machine *m, struct page *page, unsigned long pfn,
			    struct zone *zone, unsigned int order, unsigned int fpi)
{
	struct page *buddy;
	bool to_tail;

	account_freepages(zone, 1L << order);
	while (order < MAX_PAGE_ORDER) {
		unsigned long combined_pfn;

		buddy = find_buddy_page_pfn(m, page, pfn, order);
		if (!buddy)
			break;
		del_page_from_free_list(m, buddy, zone, order);
		combined_pfn = pfn & ~(1UL << order);
		page -= pfn - combined_pfn;	/* the lower buddy heads the merged block */
		pfn = combined_pfn;
		order++;
	}
	set_buddy_order(page, order);
	if (fpi & FPI_TO_TAIL)
		to_tail = true;
	else
		to_tail = buddy_merge_likely(m, pfn, page, order);
	add_to_free_list(m, page, zone, order, to_tail);
}

/*
 * Split a block of order high down to order low, giving the upper halves
 * back to the free lists; the lower 2^low pages stay with the caller:
 *
 *	order-3 block at 0, want order 0:
 *	  4-7 -> free_area[2], 2-3 -> free_area[1], 1 -> free_area[0]; keep 0
 *
 * Returns the pages given back. Caller holds zone->lock (cf. expand()).
 */
static unsigned long expand(struct machine *m, struct zone *zone, struct page *page,
			    unsigned int low, unsigned int high)
{
	unsigned long size = 1UL << high, nr_added = 0;

	while (high > low) {
		high--;
		size >>= 1;
		set_buddy_order(&page[size], high);
		add_to_free_list(m, &page[size], zone, high, false);
		nr_added += size;
	}
	return nr_added;
}

/* Take the first block of the smallest order >= order that is free, and
 * split it (cf. __rmqueue_smallest()). Caller holds zone->lock. */
static struct page *__rmqueue_smallest(struct machine *m, struct zone *zone, unsigned int order)
{
	for (unsigned int current_order = order; current_order < NR_PAGE_ORDERS; current_order++) {
		struct free_area *area = &zone->free_area[current_order];
		struct page *page;
		long nr_pages;

		if (list_empty(&area->free_list))
			continue;
		page = list_first_entry(&area->free_list, struct page, lru);
		del_page_from_free_list(m, page, zone, current_order);
		nr_pages = (1L << current_order) - (long)expand(m, zone, page, order, current_order);
		account_freepages(zone, -nr_pages);
		return page;
	}
	return NULL;
}

static void free_one_page(struct machine *m, struct zone *zone, struct page *page,
			  unsigned long pfn, unsigned int order, unsigned int fpi)
{
	spin_lock(&zone->lock);
	__free_one_page(m, page, pfn, zone, order, fpi);
	spin_unlock(&zone->lock);
}

/* ---- checks on the way in and out ----------------------------------- */

/* The slow half of free_pages_prepare: say what is wrong. A page with bad
 * state is leaked as Linux does; a free with the wrong order is refused and
 * the page stays allocated (its reference is given back). */
static __attribute__((cold, noinline)) bool free_pages_prepare_bad(struct machine *m,
								  struct page *page,
								  unsigned int order)
{
	const char *reason = page_bad_reason(page, PAGE_FLAGS_CHECK_AT_FREE);
	char buf[96];
	int alloc_order;

	if (reason) {
		bad_page(m, page, reason);
		return false;
	}
	alloc_order = page_alloc_order(page);
	if (alloc_order < 0)
		machine_snprintf(buf, sizeof(buf),
				 "freed with order %u, not allocated by the page allocator", order);
	else
		machine_snprintf(buf, sizeof(buf), "freed with order %u, allocated with order %d",
				 order, alloc_order);
	bad_page(m, page, buf);
	set_page_count(page, 1);
	return false;
}

/* The tail pages of a high-order block must be clean too (checked only
 * with CONFIG_DEBUG_VM, as Linux checks them only when check_pages is on). */
static bool free_tail_pages_check(struct machine *m, struct page *page, unsigned int order)
{
	unsigned long nr = 1UL << order;
	int bad = 0;

	for (unsigned long i = 1; i < nr; i++) {
		const char *reason = page_bad_reason(page + i, PAGE_FLAGS_CHECK_AT_FREE);

		if (reason) {
			bad_page(m, page + i, reason);
			bad++;
			continue;
		}
		page[i].flags &= ~PAGE_FLAGS_CHECK_AT_PREP;
	}
	return bad == 0;
}

/* Check a block whose last reference just went and clear it for the free
 * lists; false when it must not be freed (cf. free_pages_prepare()). */
static inline bool free_pages_prepare(struct machine *m, struct page *page, unsigned int order)
{
	if (unlikely(page_alloc_order(page) != (int)order ||
		     (page->flags & PAGE_FLAGS_CHECK_AT_FREE) || page->_mapcount != -1 ||
		     page->mapping))
		return free_pages_prepare_bad(m, page, order);
	if (order && m->debug_vm && !free_tail_pages_check(m, page, order))
		return false;
	set_page_flags(page, page->flags & ~(PAGE_FLAGS_CHECK_AT_PREP |
					     (ALLOC_ORDER_MASK << ALLOC_ORDER_PGSHIFT)));
	page->private = 0;
	if (unlikely(m->page_poisoning))
		kernel_poison_pages(m, page, 1U << order);
	return true;
}

/* A page fresh off a free list must look free: refcount 0, no mapping, no
 * flags (cf. check_new_pages()). The head is always checked, the tails with
 * CONFIG_DEBUG_VM. */
static bool check_new_pages(struct machine *m, struct page *page, unsigned int order)
{
	unsigned long nr = (order && m->debug_vm) ? 1UL << order : 1;

	for (unsigned long i = 0; i < nr; i++) {
		struct page *p = page + i;

		if (unlikely(p->_refcount || p->_mapcount != -1 || p->mapping ||
			     (p->flags & PAGE_FLAGS_CHECK_AT_PREP))) {
			bad_page(m, p, page_bad_reason(p, PAGE_FLAGS_CHECK_AT_PREP));
			return true;
		}
	}
	return false;
}

static void clear_pages(struct machine *m, struct page *page, unsigned int nr)
{
	mm_memset(phys_to_host(m, page_to_phys(m, page)), 0, (size_t)nr << PAGE_SHIFT);
}

/* Make a block taken off a free list ready for its caller: checked,
 * poison verified, refcount 1, order recorded, zeroed for __GFP_ZERO.
 * false when the block is bad and was leaked (cf. prep_new_page()). */

/* A local hit, counted on this CPU's row (cf. zone_statistics). */
static inline void zone_numa_event_inc(struct machine *m, struct zone *zone)
{
	unsigned int cpu = smp_processor_id(m);
	unsigned long *ev = zone->pageset[cpu < NR_CPUS ? cpu : 0].vm_numa_event;

	__atomic_store_n(&ev[NUMA_HIT], __atomic_load_n(&ev[NUMA_HIT], __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&ev[NUMA_LOCAL], __atomic_load_n(&ev[NUMA_LOCAL], __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELAXED);
}

static inline bool prep_new_page(struct machine *m, struct zone *zone, struct page *page,
				 unsigned int order, gfp_t gfp)
{
	if (unlikely(check_new_pages(m, page, order)))
		return false;
	if (unlikely(m->page_poisoning || PagePoisoned(page)))
		check_poison_pages(m, page, 1U << order);
	set_page_count(page, 1);
	set_page_alloc_order(page, order);
	if (gfp & __GFP_ZERO)
		clear_pages(m, page, 1U << order);
	count_vm_events(m, PGALLOC_DMA + zone_idx(zone), 1UL << order);
	zone_numa_event_inc(m, zone);
	return true;
}

/* ---- per-CPU lists -------------------------------------------------- */

/* Move up to count order-0 pages from the buddy lists to the tail of the
 * per-CPU list; returns how many (cf. rmqueue_bulk()). */
static int rmqueue_bulk(struct machine *m, struct zone *zone, int count,
			struct per_cpu_pages *pcp)
{
	int i;

	spin_lock(&zone->lock);
	for (i = 0; i < count; i++) {
		struct page *page = __rmqueue_smallest(m, zone, 0);

		if (unlikely(!page))
			break;
		list_add_tail(&page->lru, &pcp->list);
	}
	spin_unlock(&zone->lock);
	pcp->count += i;
	return i;
}

/**
 * free_pcppages_bulk - give pages from a per-CPU list back to the buddy lists
 * @m: the machine
 * @zone: the zone the list belongs to
 * @count: how many pages, coldest (list tail) first
 * @pcp: the per-CPU list; the caller holds pcp->lock
 */
void free_pcppages_bulk(struct machine *m, struct zone *zone, int count,
			struct per_cpu_pages *pcp)
{
	spin_lock(&zone->lock);
	while (count-- > 0 && !list_empty(&pcp->list)) {
		struct page *page = list_last_entry(&pcp->list, struct page, lru);

		list_del(&page->lru);
		pcp->count--;
		__free_one_page(m, page, page_to_pfn(m, page), zone, 0, FPI_NONE);
	}
	spin_unlock(&zone->lock);
}

static inline struct per_cpu_pages *this_cpu_pcp(struct machine *m, struct zone *zone)
{
	return &zone->pageset[pcp_this_cpu(m)];
}

/* Order 0 from this CPU's list, refilled by batch pages when empty
 * (cf. rmqueue_pcplist()). */
static inline struct page *rmqueue_pcplist(struct machine *m, struct zone *zone)
{
	struct per_cpu_pages *pcp = this_cpu_pcp(m, zone);
	struct page *page = NULL;

	spin_lock(&pcp->lock);	/* pcp_spin_lock */
	if (likely(!list_empty(&pcp->list)) || rmqueue_bulk(m, zone, pcp->batch, pcp)) {
		page = list_first_entry(&pcp->list, struct page, lru);
		list_del(&page->lru);
		pcp->count--;
	}
	spin_unlock(&pcp->lock);
	return page;
}

/* An order-0 page goes to the head of this CPU's list (hot); when the list
 * reaches high, batch pages from its tail go back to the buddy lists
 * (cf. free_frozen_page_commit()). */
static inline void free_unref_page_commit(struct machine *m, struct zone *zone, struct page *page)
{
	struct per_cpu_pages *pcp = this_cpu_pcp(m, zone);

	spin_lock(&pcp->lock);	/* pcp_spin_lock */
	list_add(&page->lru, &pcp->list);
	if (unlikely(++pcp->count >= pcp->high))
		free_pcppages_bulk(m, zone, pcp->batch, pcp);
	spin_unlock(&pcp->lock);
}

static void drain_pages_zone(struct machine *m, unsigned int cpu, struct zone *zone)
{
	struct per_cpu_pages *pcp = &zone->pageset[cpu];

	spin_lock(&pcp->lock);	/* another CPU's list: its pcp->lock */
	if (pcp->count)
		free_pcppages_bulk(m, zone, pcp->count, pcp);
	spin_unlock(&pcp->lock);
}

/**
 * drain_local_pages - empty this CPU's per-CPU lists into the buddy lists
 * @m: the machine
 */
void drain_local_pages(struct machine *m)
{
	unsigned int cpu = pcp_this_cpu(m);

	for (int z = 0; z < MAX_NR_ZONES; z++)
		drain_pages_zone(m, cpu, &m->node.node_zones[z]);
}

/**
 * drain_all_pages - empty every CPU's per-CPU lists into the buddy lists
 * @m: the machine
 *
 * Called when an allocation fails, so pages parked on per-CPU lists are not
 * mistaken for used memory. Takes each list's pcp->lock, so the other CPUs
 * may allocate and free meanwhile.
 */
void drain_all_pages(struct machine *m)
{
	for (unsigned int cpu = 0; cpu < pcp_nr_cpus(m); cpu++)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			drain_pages_zone(m, cpu, &m->node.node_zones[z]);
}

/* ---- watermarks (the checks themselves: page_alloc_wmark.c) -------- */

/* Order 0 passes on one comparison; the rest take the full check
 * (cf. zone_watermark_fast()). */
static inline bool zone_watermark_fast(struct zone *z, unsigned int order, unsigned long mark,
				       int highest_zoneidx, unsigned int alloc_flags)
{
	long free_pages = __atomic_load_n(&z->vm_stat[NR_FREE_PAGES], __ATOMIC_RELAXED);

	if (!order && free_pages > (long)mark + z->lowmem_reserve[highest_zoneidx])
		return true;
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags, free_pages);
}

/* ---- allocation ----------------------------------------------------- */

/* Take 2^order pages from one zone: order 0 through the per-CPU list,
 * larger orders from the buddy lists (cf. rmqueue()). */
static inline struct page *rmqueue(struct machine *m, struct zone *zone, unsigned int order)
{
	struct page *page;

	if (likely(order == 0))
		return rmqueue_pcplist(m, zone);
	spin_lock(&zone->lock);
	page = __rmqueue_smallest(m, zone, order);
	spin_unlock(&zone->lock);
	return page;
}

/* Walk the zonelist from the highest zone the mask allows down, and take
 * the pages from the first zone above its watermark
 * (cf. get_page_from_freelist()). */
static struct page *get_page_from_freelist(struct machine *m, gfp_t gfp, unsigned int order,
					   unsigned int alloc_flags, int highest_zoneidx)
{
	struct zone *const *zp = m->node.node_zonelists[highest_zoneidx].zones;
	struct zone *zone;

	for (; (zone = *zp) != NULL; zp++) {
		struct page *page;

		if (!(alloc_flags & ALLOC_NO_WATERMARKS)) {
			unsigned long mark = zone->_watermark[alloc_flags & ALLOC_WMARK_MASK] +
					     zone->watermark_boost;

			if (!zone_watermark_fast(zone, order, mark, highest_zoneidx, alloc_flags))
				continue;
		}
		/* A block that fails its checks is leaked; try the next one. */
		while ((page = rmqueue(m, zone, order)) != NULL)
			if (likely(prep_new_page(m, zone, page, order, gfp)))
				return page;
	}
	return NULL;
}

/* What the slow path may do for this mask (cf. gfp_to_alloc_flags()). */
static unsigned int gfp_to_alloc_flags(gfp_t gfp, unsigned int order)
{
	unsigned int alloc_flags = ALLOC_WMARK_MIN | ALLOC_CPUSET;

	alloc_flags |= gfp & (__GFP_HIGH | __GFP_KSWAPD_RECLAIM);
	if (!(gfp & __GFP_DIRECT_RECLAIM)) {
		if (!(gfp & __GFP_NOMEMALLOC)) {
			alloc_flags |= ALLOC_NON_BLOCK;
			if (order > 0 && (alloc_flags & ALLOC_MIN_RESERVE))
				alloc_flags |= ALLOC_HIGHATOMIC;
		}
		if (alloc_flags & ALLOC_MIN_RESERVE)
			alloc_flags &= ~ALLOC_CPUSET;
	}
	return alloc_flags;
}

/*
 * Reclaim hooks (owned by the reclaim code, mm/vmscan.c): kswapd is woken
 * when an allocation fails the low watermark, direct reclaim runs for a
 * request that may block, and the OOM killer when reclaim made no
 * progress after MAX_RECLAIM_RETRIES tries (cf. wake_all_kswapds,
 * __perform_reclaim, should_reclaim_retry, __alloc_pages_may_oom).
 */
#define PAGE_ALLOC_COSTLY_ORDER 3

static void wake_all_kswapds(struct machine *m, unsigned int order, gfp_t gfp,
			     int highest_zoneidx)
{
	struct zone *const *zp = m->node.node_zonelists[highest_zoneidx].zones;

	if (*zp)	/* one node: one kswapd, woken once */
		wakeup_kswapd(m, *zp, gfp, order, highest_zoneidx);
}

static unsigned long __perform_reclaim(struct machine *m, gfp_t gfp, unsigned int order,
				       int highest_zoneidx)
{
	return try_to_free_pages(m, order, gfp, highest_zoneidx);
}

/* Reclaim, then retry; if that fails, pages may be parked on per-CPU
 * lists: drain them and retry once more (cf.
 * __alloc_pages_direct_reclaim()). */
static struct page *__alloc_pages_direct_reclaim(struct machine *m, gfp_t gfp,
						 unsigned int order, unsigned int alloc_flags,
						 int highest_zoneidx, unsigned long *progress)
{
	struct page *page;

	*progress = __perform_reclaim(m, gfp, order, highest_zoneidx);
	page = get_page_from_freelist(m, gfp, order, alloc_flags, highest_zoneidx);
	if (!page) {
		drain_all_pages(m);
		page = get_page_from_freelist(m, gfp, order, alloc_flags, highest_zoneidx);
	}
	return page;
}

/* Is another reclaim round worth it? Only while some zone could reach its
 * min watermark with what reclaim could still free, counting failed
 * rounds down (cf. should_reclaim_retry). */
static bool should_reclaim_retry(struct machine *m, unsigned int order, unsigned int alloc_flags,
				 int highest_zoneidx, unsigned long progress,
				 int *no_progress_loops)
{
	struct zone *const *zp = m->node.node_zonelists[highest_zoneidx].zones;
	struct zone *zone;

	if (progress && order <= PAGE_ALLOC_COSTLY_ORDER)
		*no_progress_loops = 0;
	else
		(*no_progress_loops)++;
	if (*no_progress_loops > MAX_RECLAIM_RETRIES)
		return false;
	for (; (zone = *zp) != NULL; zp++) {
		unsigned long available = zone_reclaimable_pages(m, zone) +
					  zone_page_state(zone, NR_FREE_PAGES);

		available -= ((unsigned long)*no_progress_loops * available +
			      MAX_RECLAIM_RETRIES - 1) / MAX_RECLAIM_RETRIES;
		if (__zone_watermark_ok(zone, order, min_wmark_pages(zone), highest_zoneidx,
					alloc_flags, (long)available))
			return true;
	}
	return false;
}

/* Reclaim failed: the OOM killer picks a victim. Inside an allocation
 * its caller may hold locks the victim's exit needs, so the victim dies at
 * the next safe point (pagefault_out_of_memory, kswapd_run_pending) and
 * this allocation fails (cf. __alloc_pages_may_oom). */
static bool __alloc_pages_may_oom(struct machine *m, gfp_t gfp, unsigned int order)
{
	struct oom_control oc = { .gfp_mask = gfp, .order = (int)order };

	if (gfp & (__GFP_NORETRY | __GFP_RETRY_MAYFAIL))
		return false;	/* the caller copes with failure */
	if (order > PAGE_ALLOC_COSTLY_ORDER)
		return false;	/* the OOM killer cannot make contiguous memory */
	return out_of_memory(m, &oc) && m->reclaim.oom_victim_pid;
}

/* The fast path failed at the low watermark: wake kswapd, retry at the min
 * watermark with the reserves the mask allows; a request that may block
 * reclaims directly, retrying while reclaim can still help, then invokes
 * the OOM killer (whose victim dies at the next safe point: this request
 * fails quietly); otherwise fail with warn_alloc (cf.
 * __alloc_pages_slowpath()). __GFP_NOFAIL cannot loop forever here and
 * fails like any other request once the OOM killer was invoked. */
static struct page *__alloc_pages_slowpath(struct machine *m, gfp_t gfp, unsigned int order,
					   int highest_zoneidx)
{
	unsigned int alloc_flags = gfp_to_alloc_flags(gfp, order);
	struct task_struct *cur = get_current(m);
	int no_progress_loops = 0;
	unsigned long progress;
	struct page *page;

	if (alloc_flags & ALLOC_KSWAPD)
		wake_all_kswapds(m, order, gfp, highest_zoneidx);
	page = get_page_from_freelist(m, gfp, order, alloc_flags, highest_zoneidx);
	if (page)
		return page;
	if (((gfp & __GFP_MEMALLOC) && !(gfp & __GFP_NOMEMALLOC)) ||
	    (cur && (cur->flags & PF_MEMALLOC))) {	/* reclaim's own allocations */
		page = get_page_from_freelist(m, gfp, order, ALLOC_NO_WATERMARKS, highest_zoneidx);
		if (page)
			return page;
	}
	if (!(gfp & __GFP_DIRECT_RECLAIM) || (cur && (cur->flags & PF_MEMALLOC)))
		goto nopage;
	for (int rounds = 0; rounds < 4 * MAX_RECLAIM_RETRIES; rounds++) {
		page = __alloc_pages_direct_reclaim(m, gfp, order, alloc_flags, highest_zoneidx,
						    &progress);
		if (page)
			return page;
		if (gfp & __GFP_NORETRY)
			break;
		if (!should_reclaim_retry(m, order, alloc_flags, highest_zoneidx, progress,
					  &no_progress_loops))
			break;
	}
	if (__alloc_pages_may_oom(m, gfp, order)) {
		/* a victim dies at the next safe point; the caller retries
		 * then (Linux retries at once: its victim dies meanwhile) */
		__atomic_fetch_add(&m->nr_alloc_failures, 1, __ATOMIC_RELAXED);
		return NULL;
	}
nopage:
	__atomic_fetch_add(&m->nr_alloc_failures, 1, __ATOMIC_RELAXED);
	warn_alloc(m, gfp, order);
	return NULL;
}

/**
 * gfp_zone - the highest zone a gfp mask may allocate from
 * @m: the machine (its kernel config decides HIGHMEM and DMA32)
 * @flags: the gfp mask
 *
 * Returns ZONE_*, or -EINVAL for a zone-modifier combination Linux rejects.
 */
int gfp_zone(struct machine *m, gfp_t flags)
{
	return m->node.gfp_zone_table[flags & GFP_ZONEMASK];
}

/**
 * __alloc_pages - allocate 2^order contiguous pages
 * @m: the machine
 * @gfp: GFP_KERNEL, GFP_ATOMIC, GFP_USER, GFP_HIGHUSER, ... with zone
 *       modifiers (__GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM) and action
 *       modifiers (__GFP_ZERO, __GFP_NOWARN, __GFP_HIGH, ...)
 * @order: 0..MAX_PAGE_ORDER
 *
 * The fast path takes pages from the first zone of the zonelist above its
 * low watermark; the slow path lowers the mark to min (less for __GFP_HIGH
 * and atomic requests), drains the per-CPU lists and gives up.
 * Returns the head page with refcount 1, or NULL (with "page allocation
 * failure" in the log unless __GFP_NOWARN). Never crashes on a bad request.
 */
struct page *__alloc_pages(struct machine *m, gfp_t gfp, unsigned int order)
{
	struct page *page;
	int highest_zoneidx;

	if (unlikely(order > MAX_PAGE_ORDER)) {
		if (!(gfp & __GFP_NOWARN))
			VM_WARN_ON(m, order > MAX_PAGE_ORDER);
		return NULL;
	}
	highest_zoneidx = gfp_zone(m, gfp);
	if (unlikely(highest_zoneidx < 0)) {
		__atomic_fetch_add(&m->nr_alloc_failures, 1, __ATOMIC_RELAXED);
		warn_alloc(m, gfp, order);
		return NULL;
	}
	page = get_page_from_freelist(m, gfp, order, ALLOC_WMARK_LOW, highest_zoneidx);
	if (unlikely(!page))
		page = __alloc_pages_slowpath(m, gfp, order, highest_zoneidx);
	if (unlikely(m->debug_vm >= 2) && page)
		check_page_alloc_local(m, page_zone(m, page), page_to_pfn(m, page), order);
	return page;
}

/**
 * alloc_pages - allocate 2^order contiguous pages (see __alloc_pages)
 * @m: the machine
 * @gfp: the gfp mask
 * @order: 0..MAX_PAGE_ORDER
 */
struct page *alloc_pages(struct machine *m, gfp_t gfp, unsigned int order)
{
	return __alloc_pages(m, gfp, order);
}

/**
 * __get_free_pages - allocate 2^order pages and return their kernel address
 * @m: the machine
 * @gfp: the gfp mask; __GFP_HIGHMEM is ignored (the pages need an address)
 * @order: 0..MAX_PAGE_ORDER
 *
 * Returns the kernel (direct-map) address, which in mmkit is the host
 * pointer m->ram + phys, or 0 on failure.
 */
unsigned long __get_free_pages(struct machine *m, gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(m, gfp & ~__GFP_HIGHMEM, order);

	if (!page)
		return 0;
	return (unsigned long)(uintptr_t)page_address(m, page);
}

/**
 * get_zeroed_page - allocate one zero-filled page and return its address
 * @m: the machine
 * @gfp: the gfp mask
 *
 * Returns the kernel address, or 0 on failure.
 */
unsigned long get_zeroed_page(struct machine *m, gfp_t gfp)
{
	return __get_free_pages(m, gfp | __GFP_ZERO, 0);
}

/**
 * rmqueue_buddy - take 2^order pages straight from one zone's buddy lists
 * @m: the machine
 * @zone: the zone
 * @order: 0..MAX_PAGE_ORDER
 * @gfp: for __GFP_ZERO
 *
 * Bypasses the zonelist, the watermarks and the per-CPU lists (tests and
 * the benchmark use it). Returns the prepared head page, or NULL.
 */
struct page *rmqueue_buddy(struct machine *m, struct zone *zone, unsigned int order, gfp_t gfp)
{
	struct page *page;

	do {
		spin_lock(&zone->lock);
		page = __rmqueue_smallest(m, zone, order);
		spin_unlock(&zone->lock);
	} while (page && !prep_new_page(m, zone, page, order, gfp));
	return page;
}

/* ---- freeing -------------------------------------------------------- */

static inline void free_the_page(struct machine *m, struct page *page, unsigned int order)
{
	struct zone *zone;

	if (unlikely(!free_pages_prepare(m, page, order)))
		return;
	zone = page_zone(m, page);
	if (likely(order == 0))
		free_unref_page_commit(m, zone, page);
	else
		free_one_page(m, zone, page, page_to_pfn(m, page), order, FPI_NONE);
	count_vm_events(m, PGFREE, 1UL << order);
	if (unlikely(m->debug_vm >= 2))
		check_page_alloc_local(m, zone, page_to_pfn(m, page), order);
}

/**
 * __free_pages_ok - give a block whose refcount reached 0 straight to the
 *                   buddy lists, bypassing the per-CPU lists
 * @m: the machine
 * @page: the head page (refcount 0)
 * @order: the order it was allocated with
 */
void __free_pages_ok(struct machine *m, struct page *page, unsigned int order)
{
	if (unlikely(!free_pages_prepare(m, page, order)))
		return;
	free_one_page(m, page_zone(m, page), page, page_to_pfn(m, page), order, FPI_NONE);
	count_vm_events(m, PGFREE, 1UL << order);
}

/**
 * __free_pages - drop a reference to a block; free it when it was the last
 * @m: the machine
 * @page: the head page, as alloc_pages returned it
 * @order: the order it was allocated with
 *
 * A bad free (a page already free, a reserved page, the wrong order, a page
 * still flagged, mapped or in a mapping) is reported by bad_page and
 * leaves the free lists untouched.
 */
void __free_pages(struct machine *m, struct page *page, unsigned int order)
{
	uintptr_t off = (uintptr_t)page - (uintptr_t)m->mem_map;

	if (VM_WARN_ON(m, !m->mem_map || off >= m->max_pfn * sizeof(struct page)))
		return;	/* not a struct page of this machine */
	if (unlikely(page_count(page) <= 0)) {
		bad_page(m, page, "VM_BUG_ON_PAGE(page_ref_count(page) == 0)");
		return;
	}
	if (put_page_testzero(page))
		free_the_page(m, page, order);
}

/**
 * free_pages - free 2^order pages by their kernel address
 * @m: the machine
 * @addr: what __get_free_pages returned (0 is ignored)
 * @order: the order it was allocated with
 */
void free_pages(struct machine *m, unsigned long addr, unsigned int order)
{
	uintptr_t base = (uintptr_t)m->ram;

	if (!addr)
		return;
	if (VM_WARN_ON(m, addr < base || addr - base >= PFN_PHYS(lowmem_end_pfn(m))))
		return;
	__free_pages(m, virt_to_page(m, (void *)(uintptr_t)addr), order);
}

/* Release one boot page to the buddy allocator: it must still be reserved. */
static void free_boot_page(struct machine *m, struct page *page)
{
	struct zone *zone = page_zone(m, page);

	if (VM_WARN_ON(m, !PageReserved(page) || !zone->configured ||
			      !zone_spans_pfn(zone, page_to_pfn(m, page))))
		return;
	ClearPageReserved(page);
	set_page_count(page, 0);
	zone->managed_pages++;
	free_one_page(m, zone, page, page_to_pfn(m, page), 0, FPI_TO_TAIL);
	count_vm_events(m, PGFREE, 1);
}

/**
 * __free_pages_bootmem - hand a block of boot memory to the buddy allocator
 * @m: the machine
 * @page: the first page; every page of the block must be PageReserved
 * @order: the block is 2^order pages
 *
 * Clears PG_reserved, counts the pages as managed by their zone and frees
 * the block to the tail of its free list (cf. __free_pages_core()). A block
 * that is misaligned, too big, or spans zones is freed page by page.
 */
void __free_pages_bootmem(struct machine *m, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(m, page), nr = 1UL << order;
	struct zone *zone = page_zone(m, page);
	bool whole = order <= MAX_PAGE_ORDER && !(pfn & (nr - 1)) && pfn + nr <= m->max_pfn &&
		     zone->configured && pfn >= zone->zone_start_pfn && pfn + nr <= zone_end_pfn(zone);

	for (unsigned long i = 0; whole && i < nr; i++)
		whole = PageReserved(page + i) && page_zonenum(page + i) == zone_idx(zone);
	if (!whole) {
		for (unsigned long i = 0; i < nr && pfn + i < m->max_pfn; i++)
			free_boot_page(m, page + i);
		return;
	}
	for (unsigned long i = 0; i < nr; i++) {
		ClearPageReserved(page + i);
		set_page_count(page + i, 0);
	}
	zone->managed_pages += nr;
	free_one_page(m, zone, page, pfn, order, FPI_TO_TAIL);
	count_vm_events(m, PGFREE, nr);
}
