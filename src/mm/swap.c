/* The LRU lists: adding pages, moving them between lists, taking them off
 * (cf. mm/swap.c: folio_add_lru, folio_mark_accessed, folio_activate,
 * folio_deactivate, __page_cache_release, folio_isolate_lru,
 * folio_putback_lru; mm/mlock.c's LRU moves).
 *
 * Each zone has five lists (zone->lruvec, lock lru_lock): inactive and
 * active anon, inactive and active file, unevictable. A user page is on
 * one of them (PG_lru) from the moment it is mapped or cached until its
 * last reference goes, except while reclaim or migration has it isolated.
 * The LRU holds no reference: isolation takes one (unless the count is
 * already 0, a page being freed), and the last put_page takes the page
 * off its list (__page_cache_release). New pages go to the head; reclaim
 * takes from the tail. mmkit updates the lists at once, without Linux's
 * per-CPU folio batches.
 *
 * Invariants: a page with PG_lru is on exactly the list page_lru() names,
 * in the zone page_zone() names; the zone's NR_ZONE_INACTIVE_ANON + lru
 * and the node's NR_INACTIVE_ANON + lru count each list's pages;
 * PG_unevictable only on the unevictable list (or isolated from it);
 * PG_active never with PG_unevictable. */
#include "mm/internal_vmscan.h"

static struct lruvec *page_lruvec(struct machine *m, const struct page *page)
{
	return &page_zone(m, page)->lruvec;
}

static void update_lru_size(struct machine *m, struct page *page, enum lru_list lru, long nr)
{
	__mod_zone_page_state(page_zone(m, page), NR_ZONE_LRU_BASE + lru, nr);
	__mod_node_page_state(&m->node, NR_LRU_BASE + lru, nr);
}

/**
 * add_page_to_lru_list() - put @page at the head of list @lru (lru_lock
 *	held; cf. lruvec_add_folio)
 * @m: the machine
 * @page: the page
 * @lruvec: its zone's lists
 * @lru: page_lru(page)
 */
void add_page_to_lru_list(struct machine *m, struct page *page, struct lruvec *lruvec,
			  enum lru_list lru)
{
	list_add(&page->lru, &lruvec->lists[lru]);
	update_lru_size(m, page, lru, 1);
}

/**
 * add_page_to_lru_list_tail() - put @page at the tail of list @lru, where
 *	reclaim looks first (lru_lock held; cf. lruvec_add_folio_tail)
 * @m: the machine
 * @page: the page
 * @lruvec: its zone's lists
 * @lru: page_lru(page)
 */
void add_page_to_lru_list_tail(struct machine *m, struct page *page, struct lruvec *lruvec,
			       enum lru_list lru)
{
	list_add_tail(&page->lru, &lruvec->lists[lru]);
	update_lru_size(m, page, lru, 1);
}

/**
 * del_page_from_lru_list() - take @page off list @lru (lru_lock held; cf.
 *	lruvec_del_folio)
 * @m: the machine
 * @page: the page
 * @lruvec: its zone's lists
 * @lru: page_lru(page)
 */
void del_page_from_lru_list(struct machine *m, struct page *page, struct lruvec *lruvec,
			    enum lru_list lru)
{
	list_del_init(&page->lru);
	update_lru_size(m, page, lru, -1);
}

/**
 * page_evictable() - may reclaim take @page? Not when it is mlocked or
 *	its mapping is (SHM_LOCK: AS_UNEVICTABLE) (cf. folio_evictable)
 * @m: the machine
 * @page: the page
 */
bool page_evictable(struct machine *m, struct page *page)
{
	struct address_space *mapping = page->mapping;

	(void)m;
	if (PageMlocked(page))
		return false;
	if (mapping && !PageAnon(page) && ((mapping->flags >> AS_UNEVICTABLE) & 1))
		return false;
	return true;
}

/* Join the LRU: the unevictable list when the page cannot be reclaimed,
 * else the inactive list of its kind (the active one if PG_active was set
 * by the caller, as folio_putback_lru after activation). */
static void __lru_cache_add(struct machine *m, struct page *page)
{
	struct lruvec *lruvec = page_lruvec(m, page);

	if (!page_evictable(m, page)) {
		ClearPageActive(page);
		SetPageUnevictable(page);
	} else {
		ClearPageUnevictable(page);
		if (m->reclaim.policy != RECLAIM_LINUX)
			ClearPageActive(page);	/* one list */
	}
	spin_lock(&lruvec->lru_lock);
	SetPageLRU(page);
	add_page_to_lru_list(m, page, lruvec, page_lru(page));
	spin_unlock(&lruvec->lru_lock);
}

/**
 * lru_cache_add() - a page joins its inactive (or unevictable) LRU list
 *	(cf. folio_add_lru)
 * @m: the machine
 * @page: a page not on the LRU
 */
void lru_cache_add(struct machine *m, struct page *page)
{
	if (VM_WARN_ON(m, PageLRU(page)))
		return;
	__lru_cache_add(m, page);
}

/**
 * lru_cache_add_inactive_or_unevictable() - a new anonymous page joins the
 *	LRU: the unevictable list when @vma is locked (cf. folio_add_lru_vma)
 * @m: the machine
 * @page: the page
 * @vma: the VMA it was mapped in
 */
void lru_cache_add_inactive_or_unevictable(struct machine *m, struct page *page,
					   struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_LOCKED | VM_SPECIAL)) == VM_LOCKED)
		mlock_page(m, page);	/* mlock_new_folio */
	lru_cache_add(m, page);
}

/* Move a page on the LRU from one list to another under lru_lock:
 * @set/@clear are the flag changes that decide the new list. Returns
 * true when the page moved. */
static bool lru_move(struct machine *m, struct page *page, unsigned long set,
		     unsigned long clear, bool tail)
{
	struct lruvec *lruvec = page_lruvec(m, page);
	bool moved = false;

	spin_lock(&lruvec->lru_lock);
	if (PageLRU(page)) {
		del_page_from_lru_list(m, page, lruvec, page_lru(page));
		__atomic_fetch_and(&page->flags, ~clear, __ATOMIC_RELAXED);
		__atomic_fetch_or(&page->flags, set, __ATOMIC_RELAXED);
		if (tail)
			add_page_to_lru_list_tail(m, page, lruvec, page_lru(page));
		else
			add_page_to_lru_list(m, page, lruvec, page_lru(page));
		moved = true;
	}
	spin_unlock(&lruvec->lru_lock);
	return moved;
}

/**
 * activate_page() - move an inactive page to its active list, counting
 *	PGACTIVATE (cf. folio_activate)
 * @m: the machine
 * @page: the page
 *
 * Only the Linux policy has active lists; the others keep one list.
 */
void activate_page(struct machine *m, struct page *page)
{
	if (m->reclaim.policy != RECLAIM_LINUX)
		return;
	if (!PageLRU(page) || PageActive(page) || PageUnevictable(page))
		return;
	if (lru_move(m, page, 1UL << PG_active, 0, false))
		count_vm_events(m, PGACTIVATE, 1);
}

/**
 * deactivate_page() - move an active page to the head of its inactive
 *	list, forgetting its references, counting PGDEACTIVATE (cf.
 *	folio_deactivate)
 * @m: the machine
 * @page: the page
 */
void deactivate_page(struct machine *m, struct page *page)
{
	if (!PageLRU(page) || !PageActive(page) || PageUnevictable(page))
		return;
	if (lru_move(m, page, 0, 1UL << PG_active | 1UL << PG_referenced, false))
		count_vm_events(m, PGDEACTIVATE, 1);
}

/**
 * mark_page_lazyfree() - MADV_FREE: an anonymous page whose data may be
 *	dropped becomes "file-like" (no PG_swapbacked) and moves, unreferenced
 *	and inactive, to the head of the inactive file list (cf.
 *	folio_mark_lazyfree, lru_lazyfree), counting PGLAZYFREE
 * @m: the machine
 * @page: an anonymous page on the LRU
 *
 * Pages in the swap cache or unevictable, and pages off the LRU (isolated
 * by reclaim), are left alone, as the batch Linux queues them on skips them.
 */
void mark_page_lazyfree(struct machine *m, struct page *page)
{
	if (!PageAnon(page) || !PageSwapBacked(page) || PageSwapCache(page) ||
	    PageUnevictable(page))
		return;
	if (lru_move(m, page, 0,
		     1UL << PG_active | 1UL << PG_referenced | 1UL << PG_swapbacked, false))
		count_vm_events(m, PGLAZYFREE, 1);
}

/**
 * mark_page_accessed() - a page was used (read(), a lookup): inactive and
 *	unreferenced -> referenced; inactive and referenced -> active (and
 *	unreferenced); active and unreferenced -> referenced (cf.
 *	folio_mark_accessed)
 * @m: the machine
 * @page: the page
 *
 * Under CLOCK only PG_referenced is set (the second chance); FIFO ignores
 * accesses; LRU moves the page to the head of its list (most recent).
 */
void mark_page_accessed(struct machine *m, struct page *page)
{
	switch (m->reclaim.policy) {
	case RECLAIM_FIFO:
		return;
	case RECLAIM_CLOCK:
		SetPageReferenced(page);
		return;
	case RECLAIM_LRU:
		if (PageLRU(page) && !PageUnevictable(page))
			lru_move(m, page, 0, 0, false);
		return;
	default:
		break;
	}
	if (!PageReferenced(page)) {
		SetPageReferenced(page);
	} else if (PageUnevictable(page)) {
		/* unevictable pages are never activated */
	} else if (!PageActive(page)) {
		if (PageLRU(page))
			activate_page(m, page);
		else
			SetPageActive(page);	/* isolated: joins the active list on putback */
		ClearPageReferenced(page);
	}
}

/**
 * lru_note_access() - the MMU's report of one user access to @phys, when
 *	the policy tracks accesses (m->reclaim.track_access): LRU moves the
 *	page to the head of its list, CLOCK sets its reference bit
 * @m: the machine
 * @phys: the physical address accessed
 */
void lru_note_access(struct machine *m, phys_addr_t phys)
{
	unsigned long pfn = (unsigned long)(phys >> PAGE_SHIFT);
	struct page *page;

	if (!pfn_valid(m, pfn))
		return;
	page = pfn_to_page(m, pfn);
	if (!PageLRU(page) || PageUnevictable(page))
		return;
	if (m->reclaim.policy == RECLAIM_LRU)
		lru_move(m, page, 0, 0, false);
	else if (m->reclaim.policy == RECLAIM_CLOCK)
		SetPageReferenced(page);
}

/**
 * isolate_lru_page() - take @page off its LRU list for the caller, with a
 *	reference (cf. folio_isolate_lru)
 * @m: the machine
 * @page: the page
 *
 * Returns 0, or -EBUSY when the page is not on the LRU (isolated by
 * someone else) or is being freed.
 */
int isolate_lru_page(struct machine *m, struct page *page)
{
	struct lruvec *lruvec = page_lruvec(m, page);
	int ret = -EBUSY;

	if (!get_page_unless_zero(page))
		return -EBUSY;
	spin_lock(&lruvec->lru_lock);
	if (PageLRU(page)) {
		ClearPageLRU(page);
		del_page_from_lru_list(m, page, lruvec, page_lru(page));
		ret = 0;
	}
	spin_unlock(&lruvec->lru_lock);
	if (ret)
		put_page(m, page);
	return ret;
}

/**
 * putback_lru_page() - return an isolated page to the LRU (the list its
 *	flags and evictability name) and drop the isolation's reference (cf.
 *	folio_putback_lru)
 * @m: the machine
 * @page: the page
 */
void putback_lru_page(struct machine *m, struct page *page)
{
	__lru_cache_add(m, page);
	put_page(m, page);
}

/**
 * lru_mlock_page() - @page became PG_mlocked: move it to the unevictable
 *	list if it is on an evictable one (cf. mlock_folio, __mlock_folio)
 * @m: the machine
 * @page: the page (PG_mlocked already set)
 */
void lru_mlock_page(struct machine *m, struct page *page)
{
	if (PageLRU(page) && !PageUnevictable(page))
		lru_move(m, page, 1UL << PG_unevictable, 1UL << PG_active, false);
}

/**
 * lru_munlock_page() - @page lost PG_mlocked: back from the unevictable
 *	list to its inactive list when nothing else keeps it unevictable
 *	(cf. __munlock_folio)
 * @m: the machine
 * @page: the page (PG_mlocked already clear)
 */
void lru_munlock_page(struct machine *m, struct page *page)
{
	if (PageLRU(page) && PageUnevictable(page) && page_evictable(m, page))
		lru_move(m, page, 0, 1UL << PG_unevictable, false);
}

/**
 * __page_cache_release() - the last reference is going: off the LRU,
 *	lru flags cleared, never mlocked (cf. __page_cache_release)
 * @m: the machine
 * @page: the page
 */
void __page_cache_release(struct machine *m, struct page *page)
{
	if (PageLRU(page)) {
		struct lruvec *lruvec = page_lruvec(m, page);

		spin_lock(&lruvec->lru_lock);
		if (PageLRU(page)) {
			del_page_from_lru_list(m, page, lruvec, page_lru(page));
			ClearPageLRU(page);
		}
		spin_unlock(&lruvec->lru_lock);
	}
	/* __folio_clear_lru_flags */
	ClearPageActive(page);
	ClearPageUnevictable(page);
	ClearPageReferenced(page);
	if (PageMlocked(page)) {
		ClearPageMlocked(page);
		__mod_zone_page_state(page_zone(m, page), NR_MLOCK, -1);
	}
}

/**
 * lruvec_lru_size() - pages on list @lru in every zone (cf. lruvec_lru_size)
 * @m: the machine
 * @lru: the list
 */
unsigned long lruvec_lru_size(struct machine *m, enum lru_list lru)
{
	return node_page_state(&m->node, NR_LRU_BASE + lru);
}

/**
 * nr_evictable_lru_pages() - pages on the evictable lists of every zone
 *	(the resident user pages max_resident limits)
 * @m: the machine
 */
unsigned long nr_evictable_lru_pages(struct machine *m)
{
	unsigned long n = 0;

	for (int lru = LRU_INACTIVE_ANON; lru <= LRU_ACTIVE_FILE; lru++)
		n += lruvec_lru_size(m, lru);
	return n;
}
