/* The LRU checker (cf. CONFIG_DEBUG_VM's VM_BUG_ON_FOLIO checks in
 * lruvec_add_folio/lruvec_del_folio and mm/vmscan.c): the invariants
 * src/mm/swap.c states, verified over every zone's lists and mem_map.
 *
 *  - every page on a list has PG_lru, lives in that zone, and is on the
 *    list page_lru() names (anon/file by PG_swapbacked, active by
 *    PG_active, unevictable by PG_unevictable); a page on a list is
 *    referenced (the LRU holds none: a free page must have left it);
 *  - PG_active never with PG_unevictable; under a one-list policy (clock,
 *    lru, fifo) no page is PG_active;
 *  - each list's length is the zone's NR_ZONE_INACTIVE_ANON + lru counter,
 *    and the lengths summed over zones are the node's NR_INACTIVE_ANON +
 *    lru counters;
 *  - the pages in use in mem_map with PG_lru are exactly the pages on the
 *    lists (one isolated by reclaim has PG_lru clear while it is off
 *    them; a free one with PG_lru was reported by bad_page and leaked).
 * Run by mmkit_check; the lists are walked under each zone's lru_lock. */
#include "mm/internal_vmscan.h"

static const char *const lru_names[NR_LRU_LISTS] = {
	"inactive_anon", "active_anon", "inactive_file", "active_file", "unevictable",
};

static int check_lru_page(struct machine *m, struct zone *zone, enum lru_list lru,
			  struct page *page, bool two_lists)
{
	const char *why = NULL;

	if (!PageLRU(page))
		why = "without PG_lru";
	else if (page_zone(m, page) != zone)
		why = "in another zone";
	else if (page_lru(page) != lru)
		why = "on the wrong list";
	else if (PageActive(page) && PageUnevictable(page))
		why = "both active and unevictable";
	else if (PageActive(page) && !two_lists)
		why = "active under a one-list policy";
	else if (page_count(page) <= 0)
		why = "free";
	if (!why)
		return 0;
	printk(m, KERN_ERR "check_lru: pfn %#lx on %s of %s is %s (flags %#lx, count %d)\n",
	       page_to_pfn(m, page), lru_names[lru], zone->name, why, page->flags,
	       page_count(page));
	return 1;
}

/**
 * check_lru() - verify the LRU lists against their pages and counters
 * @m: the machine
 *
 * Returns the number of violations found (each printed), 0 when clean.
 */
int check_lru(struct machine *m)
{
	unsigned long on_lists = 0, flagged = 0, node_len[NR_LRU_LISTS] = { 0 };
	bool two_lists = policy_two_lists(m);
	int bad = 0;

	if (!m->mem_map || !m->vm.ready)
		return 0;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->node.node_zones[z];

		if (!zone->lruvec.lists[0].next)	/* lists never set up */
			continue;
		spin_lock(&zone->lruvec.lru_lock);
		for (int l = 0; l < NR_LRU_LISTS; l++) {
			unsigned long len = 0;
			long want = zone_page_state(zone, NR_ZONE_LRU_BASE + l);
			struct page *page;

			list_for_each_entry(page, &zone->lruvec.lists[l], lru) {
				bad += check_lru_page(m, zone, (enum lru_list)l, page, two_lists);
				if (++len > m->max_pfn)
					break;	/* a cycle: reported below */
			}
			if ((long)len != want) {
				printk(m, KERN_ERR "check_lru: %s of %s holds %lu pages, counter %ld\n",
				       lru_names[l], zone->name, len, want);
				bad++;
			}
			node_len[l] += len;
			on_lists += len;
		}
		spin_unlock(&zone->lruvec.lru_lock);
	}
	for (int l = 0; l < NR_LRU_LISTS; l++) {
		long want = node_page_state(&m->node, NR_LRU_BASE + l);

		if ((long)node_len[l] != want) {
			printk(m, KERN_ERR "check_lru: %s lists hold %lu pages, node counter %ld\n",
			       lru_names[l], node_len[l], want);
			bad++;
		}
	}
	/* a free page with PG_lru was reported by bad_page and leaked, as
	 * Linux leaves it: only pages in use count */
	for (unsigned long pfn = 0; pfn < m->max_pfn; pfn++) {
		const struct page *page = pfn_to_page(m, pfn);

		flagged += PageLRU(page) && page_count(page) > 0;
	}
	if (flagged != on_lists) {
		printk(m, KERN_ERR "check_lru: %lu pages have PG_lru, %lu are on the lists\n",
		       flagged, on_lists);
		bad++;
	}
	return bad;
}
