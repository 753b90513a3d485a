/* Kernel-internal declarations of reclaim: the LRU lists (mm/swap.c),
 * shrinking and kswapd (mm/vmscan.c), the replacement policies
 * (mm/vmscan_policy.c) and the OOM killer (mm/oom_kill.c) (cf.
 * include/linux/swap.h, mm/internal.h, include/linux/oom.h). The public
 * half (policy names, the knobs) is <mmkit/vmscan.h>.
 *
 * Lock order: mm->page_table_lock -> zone->lruvec.lru_lock (the fault path
 * adds pages to the LRU under the pte lock); reclaim never takes a pte lock
 * with lru_lock held: it isolates pages onto a private list first. */
#ifndef MMKIT_MM_INTERNAL_VMSCAN_H
#define MMKIT_MM_INTERNAL_VMSCAN_H

#include <mmkit/sched.h>

#include "mm/memory.h"

/* ---- in mm/swap.c: the LRU lists ---- */

/* Pages of a file (not swap-backed) go to the file lists (cf. folio_is_file_lru). */
static inline bool page_is_file_lru(const struct page *page)
{
	return !PageSwapBacked(page);
}

/* The list a page on the LRU is on, from its flags (cf. folio_lru_list). */
static inline enum lru_list page_lru(const struct page *page)
{
	if (PageUnevictable(page))
		return LRU_UNEVICTABLE;
	return (page_is_file_lru(page) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON) +
	       (PageActive(page) ? 1 : 0);
}

static inline bool is_file_lru(enum lru_list lru)
{
	return lru == LRU_INACTIVE_FILE || lru == LRU_ACTIVE_FILE;
}

static inline bool is_active_lru(enum lru_list lru)
{
	return lru == LRU_ACTIVE_ANON || lru == LRU_ACTIVE_FILE;
}

/* Take a reference unless the count is already 0 (the page is being
 * freed) (cf. get_page_unless_zero / folio_try_get). */
static inline bool get_page_unless_zero(struct page *page)
{
	int c = __atomic_load_n(&page->_refcount, __ATOMIC_RELAXED);

	while (c > 0)
		if (__atomic_compare_exchange_n(&page->_refcount, &c, c + 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			return true;
	return false;
}

bool page_evictable(struct machine *m, struct page *page);
void mark_page_accessed(struct machine *m, struct page *page);
void mark_page_lazyfree(struct machine *m, struct page *page);
void activate_page(struct machine *m, struct page *page);
void deactivate_page(struct machine *m, struct page *page);
int isolate_lru_page(struct machine *m, struct page *page);
void putback_lru_page(struct machine *m, struct page *page);
void add_page_to_lru_list(struct machine *m, struct page *page, struct lruvec *lruvec,
			  enum lru_list lru);
void add_page_to_lru_list_tail(struct machine *m, struct page *page, struct lruvec *lruvec,
			       enum lru_list lru);
void del_page_from_lru_list(struct machine *m, struct page *page, struct lruvec *lruvec,
			    enum lru_list lru);
void lru_note_access(struct machine *m, phys_addr_t phys);
void lru_mlock_page(struct machine *m, struct page *page);
void lru_munlock_page(struct machine *m, struct page *page);
unsigned long lruvec_lru_size(struct machine *m, enum lru_list lru);
unsigned long nr_evictable_lru_pages(struct machine *m);

/* ---- in mm/vmscan.c ---- */

/* What one reclaim pass wants and did (cf. struct scan_control). */
struct scan_control {
	unsigned long nr_to_reclaim;
	gfp_t gfp_mask;
	int order;
	int priority;		/* scan (total >> priority) pages per list */
	int reclaim_idx;	/* highest zone to reclaim from */
	bool may_writepage;
	bool may_unmap;
	bool may_swap;
	bool kswapd;		/* count as kswapd (PGSCAN_KSWAPD...) */
	unsigned long nr_scanned;
	unsigned long nr_reclaimed;
};

#define DEF_PRIORITY 12
#define MAX_RECLAIM_RETRIES 16

/* What to do with one page at the end of the inactive list (cf. enum
 * folio_references). */
enum page_references {
	PAGEREF_RECLAIM,
	PAGEREF_RECLAIM_CLEAN,
	PAGEREF_KEEP,
	PAGEREF_ACTIVATE,
};

unsigned long shrink_page_list(struct machine *m, struct list_head *page_list,
			       struct scan_control *sc);
void shrink_node(struct machine *m, struct scan_control *sc);
void reclaim_lru_tail(struct machine *m, struct zone *zone, struct scan_control *sc,
		      enum lru_list lru);
bool inactive_is_low(struct machine *m, struct zone *zone, bool file);
void age_active_list(struct machine *m, struct zone *zone, struct scan_control *sc,
		     enum lru_list lru);
unsigned long try_to_free_pages(struct machine *m, unsigned int order, gfp_t gfp,
				int highest_zoneidx);
void wakeup_kswapd(struct machine *m, struct zone *zone, gfp_t gfp, unsigned int order,
		   int highest_zoneidx);
bool zone_reclaimable_pages_ok(struct machine *m);
unsigned long zone_reclaimable_pages(struct machine *m, struct zone *zone);
bool can_reclaim_anon_pages(struct machine *m);

/* ---- in mm/vmscan_policy.c ---- */

enum page_references policy_page_references(struct machine *m, struct page *page,
					    struct scan_control *sc, unsigned long *vm_flags);
bool policy_two_lists(const struct machine *m);
void reclaim_to_limit(struct machine *m);

/* ---- in mm/oom_kill.c ---- */

/* One OOM invocation (cf. struct oom_control). */
struct oom_control {
	gfp_t gfp_mask;
	int order;		/* -1: sysrq */
	unsigned long totalpages;
	struct task_struct *chosen;
	long chosen_points;
	bool kill_now;		/* no locks held: kill and reap at once */
};

bool out_of_memory(struct machine *m, struct oom_control *oc);
bool oom_reap_pending(struct machine *m);

#endif
