/* Page reclaim: aging the LRU lists and freeing pages from their tails,
 * kswapd and direct reclaim (cf. mm/vmscan.c, Linux 6.x: shrink_node,
 * shrink_lruvec, get_scan_count, shrink_active_list,
 * shrink_inactive_list, isolate_lru_folios, shrink_folio_list, pageout,
 * __remove_mapping, balance_pgdat, wakeup_kswapd, try_to_free_pages;
 * seed 003: active_list/inactive_list, the page's second chance).
 *
 * A pass scans each evictable list of each zone up to the request's
 * highest zone: (size >> priority) pages, split between anon and file by
 * vm.swappiness as Linux's fraction (anon 60 : file 140 by default;
 * anon only when swap has room). The active lists feed the inactive ones
 * (referenced executable file pages stay active); the inactive lists'
 * tails are isolated and each page gets the policy's verdict
 * (vmscan_policy.c): activate, keep, or reclaim. Reclaiming: an anon page
 * gets a swap slot (add_to_swap), is unmapped from every pte
 * (try_to_unmap: the ptes become its swap entry), written (swap_writepage,
 * synchronous in mmkit) and dropped from the swap cache; a dirty file
 * page is written with its mapping's writepage, then, clean, unmapped and
 * dropped from the page cache. A page is freed only when reclaim holds
 * the last references (isolation + the cache's), so nobody's page is
 * ever freed under them.
 *
 * kswapd is deterministic: wakeup_kswapd (from the allocator, below the
 * low watermark) only records the wish; kswapd_run_pending, at safe points
 * where no lock is held (the end of a page fault and of a user access),
 * runs balance_pgdat as the kernel thread "kswapd0" (PF_KSWAPD |
 * PF_MEMALLOC) until an eligible zone is above its high watermark or a
 * pass frees nothing. Direct reclaim runs in the allocating context
 * (ALLOCSTALL), never recursively (PF_MEMALLOC / reclaim depth).
 *
 * Invariants: an isolated page is on no list, has PG_lru clear and a
 * reference of the isolator's; NR_ISOLATED_* counts them; at the end of a
 * pass every isolated page is back on a list or freed. */
#include "mm/internal_vmscan.h"
#include "mm/page_alloc.h"
#include "mm/swap.h"

/**
 * vmscan_init() - empty LRU lists in every zone and the reclaim defaults:
 *	policy linux, vm.swappiness 60, vm.oom_dump_tasks 1 (cf.
 *	lruvec_init, kswapd_init)
 * @m: the machine
 */
void vmscan_init(struct machine *m)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct lruvec *lruvec = &m->node.node_zones[z].lruvec;

		spin_lock_init(&lruvec->lru_lock);
		for (int lru = 0; lru < NR_LRU_LISTS; lru++)
			INIT_LIST_HEAD(&lruvec->lists[lru]);
	}
	m->reclaim.sysctl_swappiness = 60;
	m->reclaim.sysctl_oom_dump_tasks = 1;
	m->reclaim.kswapd_highest_zoneidx = 0;	/* raised by each wakeup */
	/* the description's `reclaim POLICY` and `max_resident N` (checked by its parser) */
	if (m->desc.reclaim[0])
		mmkit_set_reclaim_policy(m, m->desc.reclaim);
	m->reclaim.max_resident = m->desc.max_resident;
}

/* ---- the reclaim context ---- */

static bool current_is_kswapd(struct machine *m)
{
	struct task_struct *cur = get_current(m);

	return cur && (cur->flags & PF_KSWAPD);
}

/**
 * can_reclaim_anon_pages() - is there swap space to move anon pages to?
 *	(cf. can_reclaim_anon_pages)
 * @m: the machine
 */
bool can_reclaim_anon_pages(struct machine *m)
{
	return get_nr_swap_pages(m) > 0;
}

/* ---- isolating and putting back ---- */

static void mod_isolated(struct machine *m, bool file, long nr)
{
	__mod_node_page_state(&m->node, file ? NR_ISOLATED_FILE : NR_ISOLATED_ANON, nr);
}

/* Take up to @nr_to_scan pages from the tail of @lru onto @dst, each with
 * a reference; pages being freed (count 0) are left (cf.
 * isolate_lru_folios). Returns the pages scanned. */
static unsigned long isolate_lru_pages(struct machine *m, struct lruvec *lruvec,
				       enum lru_list lru, unsigned long nr_to_scan,
				       struct list_head *dst, unsigned long *nr_taken)
{
	struct list_head *src = &lruvec->lists[lru];
	unsigned long scanned = 0;

	*nr_taken = 0;
	spin_lock(&lruvec->lru_lock);
	while (scanned < nr_to_scan && !list_empty(src)) {
		struct page *page = list_last_entry(src, struct page, lru);

		scanned++;
		if (!get_page_unless_zero(page)) {	/* being freed: skip it */
			list_move(&page->lru, src);
			continue;
		}
		ClearPageLRU(page);
		del_page_from_lru_list(m, page, lruvec, lru);
		list_add(&page->lru, dst);
		(*nr_taken)++;
	}
	spin_unlock(&lruvec->lru_lock);
	mod_isolated(m, is_file_lru(lru), (long)*nr_taken);
	return scanned;
}

/* Put every page of @list back on the LRU and drop the isolation's
 * reference (cf. move_folios_to_lru). */
static void putback_lru_pages(struct machine *m, struct list_head *list)
{
	while (!list_empty(list)) {
		struct page *page = list_first_entry(list, struct page, lru);

		list_del_init(&page->lru);
		mod_isolated(m, page_is_file_lru(page), -1);
		putback_lru_page(m, page);
	}
}

/* ---- shrinking the active list ---- */

/* Age up to @nr_to_scan pages of an active list: referenced executable
 * file pages stay active, the rest move to the inactive list with their
 * Accessed bits cleared (cf. shrink_active_list). */
static void shrink_active_list(struct machine *m, unsigned long nr_to_scan,
			       struct lruvec *lruvec, struct scan_control *sc, enum lru_list lru)
{
	struct list_head hold = LIST_HEAD_INIT(hold);
	unsigned long nr_taken, nr_deactivate = 0;
	bool file = is_file_lru(lru);

	isolate_lru_pages(m, lruvec, lru, nr_to_scan, &hold, &nr_taken);
	count_vm_events(m, PGREFILL, nr_taken);
	(void)sc;
	while (!list_empty(&hold)) {
		struct page *page = list_first_entry(&hold, struct page, lru);
		unsigned long vm_flags = 0;

		list_del_init(&page->lru);
		mod_isolated(m, file, -1);
		if (page_evictable(m, page) && page_mapcount(page) &&
		    page_referenced(m, page, 0, &vm_flags) && (vm_flags & VM_EXEC) && file) {
			putback_lru_page(m, page);	/* stays active: code is precious */
			continue;
		}
		if (page_evictable(m, page)) {
			ClearPageActive(page);
			SetPageWorkingset(page);
			nr_deactivate++;
		}
		putback_lru_page(m, page);
	}
	count_vm_events(m, PGDEACTIVATE, nr_deactivate);
}

/* ---- shrinking the inactive list ---- */

/* May the page be dropped now: only reclaim's reference and the cache's
 * are left (cf. __remove_mapping's refcount freeze at 2). */
static bool page_refs_only_ours(const struct page *page, int cache_refs)
{
	return page_count(page) == 1 + cache_refs && !page_mapcount(page);
}

/* Write a dirty, locked page out: a swap-cache page to its slot, a file
 * page with its mapping's writepage (cf. pageout). Returns true when the
 * page is clean and locked by us again; *locked tells whether we still
 * hold its lock either way. */
static bool pageout(struct machine *m, struct page *page, bool *locked)
{
	int err;

	if (PageSwapCache(page)) {
		struct writeback_control wbc = { .nr_to_write = 1, .sync_mode = WB_SYNC_NONE,
						 .for_reclaim = true };

		ClearPageDirty(page);
		err = swap_writepage(m, page, &wbc);
		if (!PageLocked(page))	/* a writepage that unlocks */
			*locked = trylock_page(page);
		if (err) {
			SetPageDirty(page);
			return false;
		}
	} else {
		err = writepage_for_reclaim(m, page);	/* unlocks unless -EAGAIN */
		if (err == -EAGAIN)
			return !PageDirty(page);	/* was clean: still locked */
		*locked = trylock_page(page);
		if (err)
			return false;
	}
	__mod_node_page_state(&m->node, NR_VMSCAN_WRITE, 1);
	return *locked && !PageDirty(page) && !PageWriteback(page);
}

/* Drop a clean, unmapped, locked page from its cache (cf.
 * __remove_mapping). True when the cache let it go. */
static bool remove_from_cache(struct machine *m, struct page *page)
{
	if (PageSwapCache(page)) {
		if (!page_refs_only_ours(page, 1))
			return false;
		delete_from_swap_cache(m, page);
		return true;
	}
	if (page->mapping && !PageAnon(page)) {
		if (!page_refs_only_ours(page, 1))
			return false;
		delete_from_page_cache(m, page);
		return true;
	}
	/* an anon page nobody maps any more: only our reference is left */
	return page_refs_only_ours(page, 0);
}

enum reclaim_verdict { PAGE_FREED, PAGE_KEEP, PAGE_ACTIVATE };

/* Try to free one locked, isolated page (the body of shrink_folio_list).
 * *locked: we still hold the page lock. */
static enum reclaim_verdict reclaim_one(struct machine *m, struct page *page,
					struct scan_control *sc, bool *locked)
{
	unsigned long vm_flags = 0;
	enum page_references ref;

	if (!page_evictable(m, page)) {
		count_vm_events(m, UNEVICTABLE_PGCULLED, 1);
		return PAGE_KEEP;	/* putback puts it on the unevictable list */
	}
	if (PageWriteback(page))
		return PAGE_KEEP;
	ref = policy_page_references(m, page, sc, &vm_flags);
	if (vm_flags & VM_LOCKED) {
		mlock_page(m, page);	/* found in a locked VMA: unevictable */
		return PAGE_KEEP;
	}
	if (ref == PAGEREF_ACTIVATE)
		return PAGE_ACTIVATE;
	if (ref == PAGEREF_KEEP)
		return PAGE_KEEP;
	if (PageAnon(page) && PageSwapBacked(page) && !PageSwapCache(page)) {
		if (!sc->may_swap || !can_reclaim_anon_pages(m) || add_to_swap(m, page))
			return PAGE_ACTIVATE;	/* no swap: the page stays */
	}
	if (page_mapcount(page) && (!sc->may_unmap || !try_to_unmap(m, page, 0)))
		return PAGE_ACTIVATE;
	if (PageDirty(page)) {
		if (!sc->may_writepage)
			return PAGE_KEEP;
		if (!pageout(m, page, locked))
			return PAGE_KEEP;
	}
	if (!remove_from_cache(m, page))
		return PAGE_KEEP;
	if (PageAnon(page) && !PageSwapBacked(page))
		count_vm_events(m, PGLAZYFREED, 1);	/* a MADV_FREE page dropped */
	return PAGE_FREED;
}

/**
 * shrink_page_list() - try to free each isolated page of @page_list (cf.
 *	shrink_folio_list)
 * @m: the machine
 * @page_list: isolated pages (each with reclaim's reference); the pages
 *	not freed are left on it, to be put back
 * @sc: the pass
 *
 * Returns the pages freed.
 */
unsigned long shrink_page_list(struct machine *m, struct list_head *page_list,
			       struct scan_control *sc)
{
	struct list_head ret_pages = LIST_HEAD_INIT(ret_pages);
	unsigned long nr_reclaimed = 0;

	while (!list_empty(page_list)) {
		struct page *page = list_first_entry(page_list, struct page, lru);
		enum reclaim_verdict v;
		bool file = page_is_file_lru(page), locked;

		list_del_init(&page->lru);
		if (!trylock_page(page)) {
			list_add(&page->lru, &ret_pages);
			continue;
		}
		locked = true;
		v = reclaim_one(m, page, sc, &locked);
		if (v == PAGE_FREED) {
			unlock_page(m, page);
			mod_isolated(m, file, -1);
			count_vm_events(m, file ? PGSTEAL_FILE : PGSTEAL_ANON, 1);
			put_page(m, page);	/* the last reference: freed */
			nr_reclaimed++;
			continue;
		}
		if (v == PAGE_ACTIVATE) {
			/* no use keeping a slot for a page that stays */
			if (locked && PageSwapCache(page) && (vm_swap_full(m) || PageMlocked(page)))
				try_to_free_swap(m, page);
			if (!PageMlocked(page) && policy_two_lists(m) && !PageActive(page)) {
				SetPageActive(page);
				count_vm_events(m, PGACTIVATE, 1);
			}
		}
		if (locked)
			unlock_page(m, page);
		list_add(&page->lru, &ret_pages);
	}
	list_splice_init(&ret_pages, page_list);
	return nr_reclaimed;
}

/* Reclaim from the tail of an inactive list (cf. shrink_inactive_list). */
static unsigned long shrink_inactive_list(struct machine *m, unsigned long nr_to_scan,
					  struct lruvec *lruvec, struct scan_control *sc,
					  enum lru_list lru)
{
	struct list_head page_list = LIST_HEAD_INIT(page_list);
	unsigned long nr_taken, nr_scanned, nr_reclaimed;
	bool kswapd = current_is_kswapd(m);

	nr_scanned = isolate_lru_pages(m, lruvec, lru, nr_to_scan, &page_list, &nr_taken);
	sc->nr_scanned += nr_scanned;
	count_vm_events(m, kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, nr_scanned);
	count_vm_events(m, is_file_lru(lru) ? PGSCAN_FILE : PGSCAN_ANON, nr_scanned);
	if (!nr_taken)
		return 0;
	nr_reclaimed = shrink_page_list(m, &page_list, sc);
	count_vm_events(m, kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, nr_reclaimed);
	putback_lru_pages(m, &page_list);
	sc->nr_reclaimed += nr_reclaimed;
	return nr_reclaimed;
}

/**
 * reclaim_lru_tail() - reclaim from the tail of one inactive list, one
 *	page at a time (the resident limit's exact order)
 * @m: the machine
 * @zone: the zone
 * @sc: the pass (nr_reclaimed grows)
 * @lru: an inactive list
 */
void reclaim_lru_tail(struct machine *m, struct zone *zone, struct scan_control *sc,
		      enum lru_list lru)
{
	shrink_inactive_list(m, 1, &zone->lruvec, sc, lru);
}

/**
 * age_active_list() - deactivate a batch from the tail of an active list
 * @m: the machine
 * @zone: the zone
 * @sc: the pass
 * @lru: an active list
 */
void age_active_list(struct machine *m, struct zone *zone, struct scan_control *sc,
		     enum lru_list lru)
{
	shrink_active_list(m, SWAP_CLUSTER_MAX, &zone->lruvec, sc, lru);
}

/**
 * inactive_is_low() - few inactive pages beside the active ones: time to
 *	deactivate (cf. inactive_is_low: inactive_ratio = sqrt(10 * GiB of
 *	the lists), 1 below 1 GiB)
 * @m: the machine
 * @zone: the zone
 * @file: the file lists, else the anon ones
 */
bool inactive_is_low(struct machine *m, struct zone *zone, bool file)
{
	enum lru_list inactive = file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	unsigned long i = zone_page_state(zone, NR_ZONE_LRU_BASE + inactive);
	unsigned long a = zone_page_state(zone, NR_ZONE_LRU_BASE + inactive + 1);
	unsigned long gb = (i + a) >> (30 - PAGE_SHIFT), ratio = 1;

	(void)m;
	if (gb) {
		unsigned long x = 10 * gb;

		ratio = 1;
		while ((ratio + 1) * (ratio + 1) <= x)
			ratio++;
	}
	return i * ratio < a;
}

/* ---- how much of each list to scan ---- */

/* The pages of each evictable list to scan this pass: size >> priority,
 * anon against file as vm.swappiness to 200 - swappiness (cf.
 * get_scan_count with no recorded costs: SCAN_FRACT; SCAN_FILE without
 * swap; SCAN_EQUAL at priority 0). */
static void get_scan_count(struct machine *m, struct zone *zone, struct scan_control *sc,
			   unsigned long nr[NR_LRU_LISTS])
{
	int swappiness = m->reclaim.sysctl_swappiness;
	unsigned long ap = (unsigned long)swappiness, fp = 200 - (unsigned long)swappiness;
	bool anon_ok = sc->may_swap && can_reclaim_anon_pages(m);

	for (int lru = LRU_INACTIVE_ANON; lru <= LRU_ACTIVE_FILE; lru++) {
		unsigned long size = zone_page_state(zone, NR_ZONE_LRU_BASE + lru);
		unsigned long scan = size >> sc->priority;
		bool file = is_file_lru(lru);

		if (!file && !anon_ok)
			scan = 0;	/* SCAN_FILE */
		else if (anon_ok && sc->priority && swappiness && policy_two_lists(m))
			scan = (scan * (file ? fp : ap) + (ap + fp) - 1) / (ap + fp);	/* SCAN_FRACT */
		else if (anon_ok && !swappiness && !file && sc->priority)
			scan = 0;
		nr[lru] = scan;
	}
}

/* Shrink one zone's lists (cf. shrink_lruvec). */
static void shrink_lruvec(struct machine *m, struct zone *zone, struct scan_control *sc)
{
	unsigned long nr[NR_LRU_LISTS] = { 0 };
	struct lruvec *lruvec = &zone->lruvec;

	get_scan_count(m, zone, sc, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (int lru = LRU_INACTIVE_ANON; lru <= LRU_ACTIVE_FILE; lru++) {
			unsigned long nr_to_scan = nr[lru] < SWAP_CLUSTER_MAX ? nr[lru] : SWAP_CLUSTER_MAX;

			if (!nr_to_scan)
				continue;
			nr[lru] -= nr_to_scan;
			if (is_active_lru(lru)) {
				if (inactive_is_low(m, zone, is_file_lru(lru)))
					shrink_active_list(m, nr_to_scan, lruvec, sc, lru);
			} else {
				shrink_inactive_list(m, nr_to_scan, lruvec, sc, lru);
			}
		}
		if (sc->nr_reclaimed >= sc->nr_to_reclaim && !sc->kswapd)
			break;
	}
	/* keep the anon lists balanced even when they were not scanned */
	if (can_reclaim_anon_pages(m) && policy_two_lists(m) && inactive_is_low(m, zone, false))
		shrink_active_list(m, SWAP_CLUSTER_MAX, lruvec, sc, LRU_ACTIVE_ANON);
}

/**
 * shrink_node() - one reclaim pass over the zones up to sc->reclaim_idx
 *	(cf. shrink_node)
 * @m: the machine
 * @sc: the pass; nr_reclaimed and nr_scanned grow
 */
void shrink_node(struct machine *m, struct scan_control *sc)
{
	unsigned long before = sc->nr_reclaimed;

	for (int z = sc->reclaim_idx; z >= 0; z--) {
		struct zone *zone = &m->node.node_zones[z];

		if (!managed_zone(zone))
			continue;
		shrink_lruvec(m, zone, sc);
		if (sc->nr_reclaimed >= sc->nr_to_reclaim && !sc->kswapd)
			break;
	}
	if (sc->nr_reclaimed > before)
		__atomic_store_n(&m->node.kswapd_failures, 0, __ATOMIC_RELAXED);
}

/* ---- direct reclaim ---- */

/* Reclaim depth: reclaim never recurses (an allocation made while
 * reclaiming takes no reclaim of its own; cf. PF_MEMALLOC). */
static bool reclaim_enter(struct machine *m)
{
	struct task_struct *cur = get_current(m);

	if (cur && (cur->flags & PF_MEMALLOC))
		return false;
	if (cur)
		cur->flags |= PF_MEMALLOC;
	return true;
}

static void reclaim_exit(struct machine *m)
{
	struct task_struct *cur = get_current(m);

	if (cur && !(cur->flags & PF_KSWAPD))
		cur->flags &= ~PF_MEMALLOC;
}

/**
 * try_to_free_pages() - direct reclaim for an allocation that failed the
 *	min watermark (cf. try_to_free_pages, do_try_to_free_pages)
 * @m: the machine
 * @order: the request's order
 * @gfp: its mask
 * @highest_zoneidx: the highest zone it may use
 *
 * Counts ALLOCSTALL for the zone; scans with falling priority until
 * SWAP_CLUSTER_MAX pages are freed. Returns the pages freed.
 */
unsigned long try_to_free_pages(struct machine *m, unsigned int order, gfp_t gfp,
				int highest_zoneidx)
{
	struct scan_control sc = {
		.nr_to_reclaim = SWAP_CLUSTER_MAX, .gfp_mask = gfp, .order = (int)order,
		.reclaim_idx = highest_zoneidx, .may_writepage = true, .may_unmap = true,
		.may_swap = true,
	};

	if (!reclaim_enter(m))
		return 0;
	count_vm_events(m, ALLOCSTALL + highest_zoneidx, 1);
	for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
		shrink_node(m, &sc);
		if (sc.nr_reclaimed >= sc.nr_to_reclaim)
			break;
	}
	reclaim_exit(m);
	return sc.nr_reclaimed;
}

/**
 * zone_reclaimable_pages() - what reclaim could free in @zone: the file
 *	lists, and the anon lists when swap has room (cf. zone_reclaimable_pages)
 * @m: the machine
 * @zone: the zone
 */
unsigned long zone_reclaimable_pages(struct machine *m, struct zone *zone)
{
	unsigned long nr = zone_page_state(zone, NR_ZONE_INACTIVE_FILE) +
			   zone_page_state(zone, NR_ZONE_ACTIVE_FILE);

	if (can_reclaim_anon_pages(m))
		nr += zone_page_state(zone, NR_ZONE_INACTIVE_ANON) +
		      zone_page_state(zone, NR_ZONE_ACTIVE_ANON);
	return nr;
}

/* ---- kswapd ---- */

/* Is some zone up to @highest_zoneidx above its high watermark for
 * @order? A node without an eligible zone needs no balancing (cf.
 * pgdat_balanced). */
static bool pgdat_balanced(struct machine *m, int order, int highest_zoneidx)
{
	bool any = false;

	for (int z = 0; z <= highest_zoneidx; z++) {
		struct zone *zone = &m->node.node_zones[z];

		if (!managed_zone(zone))
			continue;
		any = true;
		if (zone_watermark_ok(zone, (unsigned int)order, high_wmark_pages(zone),
				      highest_zoneidx, 0))
			return true;
	}
	return !any;
}

/**
 * wakeup_kswapd() - an allocation dipped below the low watermark of @zone:
 *	ask kswapd to balance the node (cf. wakeup_kswapd)
 * @m: the machine
 * @zone: the zone
 * @gfp: the request's mask
 * @order: its order
 * @highest_zoneidx: its highest zone
 *
 * kswapd runs at the next safe point (kswapd_run_pending).
 */
static void atomic_max_uint(unsigned int *p, unsigned int v)
{
	unsigned int old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (old < v && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

static void atomic_max_int(int *p, int v)
{
	int old = __atomic_load_n(p, __ATOMIC_RELAXED);

	while (old < v && !__atomic_compare_exchange_n(p, &old, v, true, __ATOMIC_RELAXED,
						       __ATOMIC_RELAXED))
		;
}

void wakeup_kswapd(struct machine *m, struct zone *zone, gfp_t gfp, unsigned int order,
		   int highest_zoneidx)
{
	struct reclaim_state *rs = &m->reclaim;

	(void)gfp;
	if (!managed_zone(zone))
		return;
	if (__atomic_load_n(&m->node.kswapd_failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES)
		return;	/* hopeless node: direct reclaim and the OOM killer take over */
	if (pgdat_balanced(m, (int)order, highest_zoneidx))
		return;
	/* the largest request since kswapd last took them (several CPUs may
	 * wake it at once: atomic maxima, cf. the READ_ONCE/WRITE_ONCE pair
	 * on pgdat->kswapd_order) */
	atomic_max_uint(&rs->kswapd_order, order);
	atomic_max_int(&rs->kswapd_highest_zoneidx, highest_zoneidx);
	__atomic_store_n(&rs->kswapd_wanted, true, __ATOMIC_RELEASE);
}

/* Reclaim until an eligible zone is balanced, or a pass frees nothing
 * at the lowest priority (cf. balance_pgdat). Returns the pages freed. */
static unsigned long balance_pgdat(struct machine *m, int order, int highest_zoneidx)
{
	struct scan_control sc = {
		.gfp_mask = GFP_KERNEL, .order = order, .reclaim_idx = highest_zoneidx,
		.may_writepage = true, .may_unmap = true, .may_swap = true, .kswapd = true,
	};
	unsigned long total = 0;

	count_vm_events(m, PAGEOUTRUN, 1);
	for (sc.priority = DEF_PRIORITY; sc.priority >= 1;) {
		if (pgdat_balanced(m, order, highest_zoneidx))
			break;
		sc.nr_to_reclaim = 0;
		for (int z = 0; z <= highest_zoneidx; z++) {
			struct zone *zone = &m->node.node_zones[z];

			if (managed_zone(zone))
				sc.nr_to_reclaim += high_wmark_pages(zone) > SWAP_CLUSTER_MAX ?
						    high_wmark_pages(zone) : SWAP_CLUSTER_MAX;
		}
		sc.nr_reclaimed = 0;
		shrink_node(m, &sc);
		total += sc.nr_reclaimed;
		if (sc.nr_reclaimed < sc.nr_to_reclaim)
			sc.priority--;	/* raise the pressure */
	}
	if (!total)
		__atomic_fetch_add(&m->node.kswapd_failures, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&m->reclaim.kswapd_runs, 1, __ATOMIC_RELAXED);
	return total;
}

/* The kernel thread kswapd runs as: not on the task list (it has no pid
 * a process could collide with), no mm. */
static struct task_struct *kswapd_task(struct machine *m)
{
	struct task_struct *k = m->reclaim.kswapd;

	if (!k) {
		k = &m->reclaim.kswapd_storage;
		mm_memset(k, 0, sizeof(*k));
		k->pid = 0;
		mm_memcpy(k->comm, "kswapd0", 8);
		k->flags = PF_KTHREAD | PF_KSWAPD | PF_MEMALLOC;
		k->state = TASK_RUNNING;
		k->cap_effective = ~0ULL;
		INIT_LIST_HEAD(&k->tasks);
		INIT_LIST_HEAD(&k->children);
		INIT_LIST_HEAD(&k->sibling);
		m->reclaim.kswapd = k;
	}
	return k;
}

/**
 * kswapd_run_pending() - the safe point: reap a pending OOM victim and run
 *	kswapd if an allocation woke it (see <mmkit/vmscan.h>)
 * @m: the machine
 */
bool kswapd_run_pending(struct machine *m)
{
	struct reclaim_state *rs = &m->reclaim;
	unsigned int cpu = smp_processor_id(m);
	struct task_struct *prev;
	bool ran = oom_reap_pending(m);
	unsigned int order;
	int zoneidx;

	if (!__atomic_load_n(&rs->kswapd_wanted, __ATOMIC_ACQUIRE) || cpu >= NR_CPUS)
		return ran;
	if (__atomic_exchange_n(&rs->kswapd_running, true, __ATOMIC_ACQUIRE))
		return ran;	/* another CPU (or an outer frame) runs it */
	__atomic_store_n(&rs->kswapd_wanted, false, __ATOMIC_RELAXED);
	/* take the request; wakeups from now on start afresh */
	order = __atomic_exchange_n(&rs->kswapd_order, 0, __ATOMIC_ACQ_REL);
	zoneidx = __atomic_exchange_n(&rs->kswapd_highest_zoneidx, 0, __ATOMIC_ACQ_REL);
	prev = cpu_curr(m, cpu);
	set_cpu_curr(m, cpu, kswapd_task(m));	/* context switch to kswapd0 */
	/* kswapd sleeps only once the node is balanced, or hopeless
	 * (cf. kswapd's loop around prepare_kswapd_sleep) */
	for (int passes = 0; passes < 4 * MAX_RECLAIM_RETRIES; passes++) {
		balance_pgdat(m, (int)order, zoneidx);
		if (pgdat_balanced(m, (int)order, zoneidx) ||
		    __atomic_load_n(&m->node.kswapd_failures, __ATOMIC_RELAXED) >= MAX_RECLAIM_RETRIES)
			break;
	}
	set_cpu_curr(m, cpu, prev);
	__atomic_store_n(&rs->kswapd_running, false, __ATOMIC_RELEASE);
	return true;
}
