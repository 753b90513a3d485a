/* Replacement policies: what reclaim does with the page at the tail of an
 * inactive list, and the resident-page limit that lets one process run
 * with exactly N frames (cf. mm/vmscan.c folio_check_references; the
 * textbook policies of seed 003's "页面置换").
 *
 *  linux  Linux's two lists: new pages inactive; a page referenced twice
 *         (PG_referenced + a pte's Accessed bit, or two ptes) is activated,
 *         once is kept for another trip; shrink_active_list deactivates.
 *  clock  One list per kind (anon, file) and zone; the tail is the clock
 *         hand: a page whose Accessed bit (page_referenced clears it, with
 *         a TLB flush, so the next access sets it again) or PG_referenced
 *         is set gets a second chance (to the head, bits cleared); the
 *         first without is evicted.
 *  lru    One list in exact recency order: the software MMU reports every
 *         user access (m->reclaim.track_access; lru_note_access moves the
 *         page to the head, TLB hits included), so the tail is the least
 *         recently used page. Costs a lru_lock per access while selected.
 *  fifo   One list in load order: the tail is evicted, references ignored.
 *  opt    Belady's: needs the future, so only the offline simulation
 *         (reclaim_simulate in src/sim/opt.c) runs it.
 *
 * The limit (m->reclaim.max_resident, memory.max-like): a not-present user
 * fault first reclaims one page by the policy while the evictable LRU
 * pages are at the limit, so a process touching a reference string gets
 * exactly N frames and the fault counts are the policy's.
 *
 * Invariant: under a one-list policy no page is PG_active (switching
 * policy moves the active pages to the inactive lists). */
#include "mm/internal_vmscan.h"

static const char *const policy_names[NR_RECLAIM_POLICIES] = {
	[RECLAIM_LINUX] = "linux",
	[RECLAIM_CLOCK] = "clock",
	[RECLAIM_LRU] = "lru",
	[RECLAIM_FIFO] = "fifo",
	[RECLAIM_OPT] = "opt",
};

/**
 * reclaim_policy_name() - a policy's name
 * @policy: the policy
 */
const char *reclaim_policy_name(enum reclaim_policy policy)
{
	return (unsigned int)policy < NR_RECLAIM_POLICIES ? policy_names[policy] : "?";
}

static bool name_eq(const char *a, const char *b)
{
	while (*a && *b) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;

		if (x != *b)
			return false;
		a++, b++;
	}
	return !*a && !*b;
}

/**
 * reclaim_policy_parse() - the policy named @name (case-insensitive), or
 *	-EINVAL
 * @name: "linux", "clock", "lru", "fifo" or "opt"
 */
int reclaim_policy_parse(const char *name)
{
	if (!name)
		return -EINVAL;
	for (int p = 0; p < NR_RECLAIM_POLICIES; p++)
		if (name_eq(name, policy_names[p]))
			return p;
	return -EINVAL;
}

/**
 * policy_two_lists() - does the policy use active lists (Linux's only)?
 * @m: the machine
 */
bool policy_two_lists(const struct machine *m)
{
	return m->reclaim.policy == RECLAIM_LINUX;
}

static bool test_clear_page_referenced(struct page *page)
{
	return (__atomic_fetch_and(&page->flags, ~(1UL << PG_referenced), __ATOMIC_RELAXED) >>
		PG_referenced) & 1;
}

/* Linux's verdict (cf. folio_check_references). */
static enum page_references linux_references(struct machine *m, struct page *page,
					     unsigned long *vm_flags)
{
	int referenced_ptes = page_mapcount(page) ? page_referenced(m, page, 1, vm_flags) : 0;
	bool referenced_page = test_clear_page_referenced(page);

	if (*vm_flags & VM_LOCKED)
		return PAGEREF_ACTIVATE;
	if (referenced_ptes) {
		/* mapped pages start with the fault's reference: look twice */
		SetPageReferenced(page);
		if (referenced_page || referenced_ptes > 1)
			return PAGEREF_ACTIVATE;
		if ((*vm_flags & VM_EXEC) && page_is_file_lru(page))
			return PAGEREF_ACTIVATE;	/* executable code, after first use */
		return PAGEREF_KEEP;
	}
	if (referenced_page && page_is_file_lru(page))
		return PAGEREF_RECLAIM_CLEAN;
	return PAGEREF_RECLAIM;
}

/**
 * policy_page_references() - what to do with an isolated, locked page from
 *	the tail of an inactive list, per the machine's policy
 * @m: the machine
 * @page: the page
 * @sc: the pass
 * @vm_flags: gets VM_LOCKED when a locked VMA maps the page
 */
enum page_references policy_page_references(struct machine *m, struct page *page,
					    struct scan_control *sc, unsigned long *vm_flags)
{
	(void)sc;
	switch (m->reclaim.policy) {
	case RECLAIM_CLOCK: {
		int ptes = page_mapcount(page) ? page_referenced(m, page, 1, vm_flags) : 0;
		bool ref = test_clear_page_referenced(page);

		return ptes || ref ? PAGEREF_KEEP : PAGEREF_RECLAIM;	/* second chance */
	}
	case RECLAIM_LRU:
	case RECLAIM_FIFO:
		return PAGEREF_RECLAIM;	/* the list order is the whole policy */
	default:
		return linux_references(m, page, vm_flags);
	}
}

/* Under a one-list policy, every active page joins its inactive list. */
static void deactivate_all(struct machine *m)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct lruvec *lruvec = &m->node.node_zones[z].lruvec;

		spin_lock(&lruvec->lru_lock);
		for (int lru = LRU_ACTIVE_ANON; lru <= LRU_ACTIVE_FILE; lru += 2) {
			while (!list_empty(&lruvec->lists[lru])) {
				struct page *page = list_last_entry(&lruvec->lists[lru], struct page, lru);

				del_page_from_lru_list(m, page, lruvec, (enum lru_list)lru);
				ClearPageActive(page);
				add_page_to_lru_list(m, page, lruvec, (enum lru_list)(lru - 1));
			}
		}
		spin_unlock(&lruvec->lru_lock);
	}
}

/**
 * mmkit_set_reclaim_policy() - select the replacement policy (see
 *	<mmkit/vmscan.h>)
 * @m: the machine
 * @name: the policy's name
 */
int mmkit_set_reclaim_policy(struct machine *m, const char *name)
{
	int p = reclaim_policy_parse(name);

	if (p < 0 || p == RECLAIM_OPT)
		return -EINVAL;
	m->reclaim.policy = (enum reclaim_policy)p;
	__atomic_store_n(&m->reclaim.track_access, p == RECLAIM_LRU, __ATOMIC_RELEASE);
	if (p != RECLAIM_LINUX && m->vm.ready)
		deactivate_all(m);
	return 0;
}

/**
 * mmkit_set_max_resident() - the evictable user pages allowed resident
 *	(0: no limit)
 * @m: the machine
 * @pages: the limit
 */
int mmkit_set_max_resident(struct machine *m, unsigned long pages)
{
	m->reclaim.max_resident = pages;
	return 0;
}

/* The list the limit takes its page from: the first zone (highest first)
 * with pages on a list that can be reclaimed; file before anon. */
static struct zone *limit_victim_list(struct machine *m, enum lru_list *lru)
{
	bool anon_ok = can_reclaim_anon_pages(m);

	for (int z = MAX_NR_ZONES - 1; z >= 0; z--) {
		struct zone *zone = &m->node.node_zones[z];

		if (!managed_zone(zone))
			continue;
		for (int l = LRU_INACTIVE_FILE; l >= LRU_INACTIVE_ANON; l -= 2) {
			if (l == LRU_INACTIVE_ANON && !anon_ok)
				continue;
			/* two lists: refill the inactive one when it is low
			 * beside the active one, as shrink_lruvec does */
			if (policy_two_lists(m) && zone_page_state(zone, NR_ZONE_LRU_BASE + l + 1) &&
			    (!zone_page_state(zone, NR_ZONE_LRU_BASE + l) ||
			     inactive_is_low(m, zone, l == LRU_INACTIVE_FILE)))
				*lru = (enum lru_list)(l + 1);
			else if (zone_page_state(zone, NR_ZONE_LRU_BASE + l))
				*lru = (enum lru_list)l;
			else
				continue;
			return zone;
		}
	}
	return NULL;
}

/**
 * reclaim_to_limit() - before a not-present user fault maps a page: while
 *	the evictable LRU pages are at m->reclaim.max_resident, reclaim one
 *	by the policy (one page at a time from the tail, so the order is
 *	exact). No lock may be held.
 * @m: the machine
 */
void reclaim_to_limit(struct machine *m)
{
	unsigned long max = m->reclaim.max_resident, tries;
	struct scan_control sc = {
		.nr_to_reclaim = 1, .gfp_mask = GFP_HIGHUSER_MOVABLE, .priority = 0,
		.reclaim_idx = MAX_NR_ZONES - 1, .may_writepage = true, .may_unmap = true,
		.may_swap = true,
	};
	struct task_struct *cur = get_current(m);

	if (!max || nr_evictable_lru_pages(m) < max || (cur && (cur->flags & PF_MEMALLOC)))
		return;
	if (cur)
		cur->flags |= PF_MEMALLOC;
	/* every page may get a second chance once, then one must go */
	tries = 2 * nr_evictable_lru_pages(m) + 2;
	while (nr_evictable_lru_pages(m) >= max && tries--) {
		enum lru_list lru;
		struct zone *zone = limit_victim_list(m, &lru);

		if (!zone)
			break;
		if (is_active_lru(lru))
			age_active_list(m, zone, &sc, lru);
		else
			reclaim_lru_tail(m, zone, &sc, lru);
	}
	if (cur)
		cur->flags &= ~PF_MEMALLOC;
}
