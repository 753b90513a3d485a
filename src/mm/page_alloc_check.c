/* The invariant checker of the buddy allocator (cf. CONFIG_DEBUG_VM and
 * the VM_BUG_ONs of mm/page_alloc.c, gathered into one walker). It checks
 * what page_alloc.c promises at its top:
 * - every free block is on exactly one free list, at its order: PageBuddy
 *   head, order in page->private, aligned to its size, inside its zone;
 * - nr_free equals the list's length; NR_FREE_PAGES equals the sum of the
 *   lists and NR_FREE_PAGES_BLOCKS the part in pageblock-sized blocks;
 * - no free block holds a reserved, allocated or other PageBuddy page;
 * - two buddies of equal order (below MAX_PAGE_ORDER) are never both free;
 * - per-CPU lists: count equals the list, every page free (refcount 0),
 *   in the zone, not PageBuddy, not inside a free block.
 * check_page_alloc walks all of mem_map (O(max_pfn)): mmkit_check runs it.
 * With m->debug_vm >= 2 every allocation and free runs the O(MAX_ORDER)
 * check_page_alloc_local instead, so big machines stay usable. The checker
 * only reads; each violation is one line in the log. */
#include "mm/page_alloc.h"

#define MAX_REPORTS 32	/* lines printed per run; all are counted */

struct check_ctx {
	struct machine *m;
	int bad;
};

static void __attribute__((format(printf, 2, 3))) report(struct check_ctx *c, const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	if (c->bad++ >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	machine_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk(c->m, KERN_ERR "check_page_alloc: %s\n", buf);
}

/* Walk one free list: links consistent, entries well-formed, bounded so a
 * cycle cannot hang the checker. Returns the blocks counted. */
static unsigned long check_free_list(struct check_ctx *c, struct zone *zone, unsigned int order,
				     unsigned long *blocks_pages)
{
	struct machine *m = c->m;
	struct list_head *head = &zone->free_area[order].free_list, *pos;
	unsigned long n = 0, limit = zone->spanned_pages + 1;

	for (pos = head->next; pos != head; pos = pos->next) {
		struct page *page = list_entry(pos, struct page, lru);
		unsigned long pfn = page_to_pfn(m, page);

		if (!pos->next || pos->next->prev != pos || ++n > limit) {
			report(c, "zone %s order %u: free list corrupt after %lu entries", zone->name,
			       order, n);
			break;
		}
		if (pfn >= m->max_pfn || !zone_spans_pfn(zone, pfn) || pfn + (1UL << order) > zone_end_pfn(zone))
			report(c, "zone %s order %u: block at pfn %#lx outside the zone", zone->name,
			       order, pfn);
		else if (pfn & ((1UL << order) - 1))
			report(c, "zone %s order %u: block at pfn %#lx not aligned", zone->name, order,
			       pfn);
		else if (!PageBuddy(page) || buddy_order(page) != order)
			report(c, "zone %s order %u: pfn %#lx on the list but %s order %lu", zone->name,
			       order, pfn, PageBuddy(page) ? "PageBuddy" : "not PageBuddy",
			       page->private);
		else if (page_zonenum(page) != zone_idx(zone))
			report(c, "zone %s order %u: pfn %#lx belongs to zone %d", zone->name, order,
			       pfn, page_zonenum(page));
	}
	if (n != zone->free_area[order].nr_free)
		report(c, "zone %s order %u: nr_free %lu but %lu blocks on the list", zone->name,
		       order, zone->free_area[order].nr_free, n);
	if (order >= m->pageblock_order)
		*blocks_pages += n << order;
	return n << order;
}

/* A free block's pages: none reserved, allocated, or another block's head;
 * and its buddy of the same order is not free. */
static void check_free_block(struct check_ctx *c, struct zone *zone, unsigned long pfn,
			     unsigned int order)
{
	struct machine *m = c->m;
	struct page *page = pfn_to_page(m, pfn);

	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct page *p = page + i;

		if (PageReserved(p))
			report(c, "zone %s: free block %#lx order %u holds reserved pfn %#lx",
			       zone->name, pfn, order, pfn + i);
		else if (p->_refcount || (i && PageBuddy(p)))
			report(c, "zone %s: free block %#lx order %u holds %s pfn %#lx", zone->name,
			       pfn, order, p->_refcount ? "allocated" : "PageBuddy", pfn + i);
		else
			continue;
		return;
	}
	if (order < MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy = buddy_pfn < m->max_pfn ? pfn_to_page(m, buddy_pfn) : NULL;

		if (buddy && PageBuddy(buddy) && buddy_order(buddy) == order &&
		    page_zonenum(buddy) == page_zonenum(page))
			report(c, "zone %s: buddies %#lx and %#lx of order %u both free", zone->name,
			       pfn, buddy_pfn, order);
	}
}

/* Every PageBuddy head in the zone's span, counted per order: the counts
 * must equal nr_free, which ties the heads to the lists one to one. */
static void scan_zone(struct check_ctx *c, struct zone *zone)
{
	struct machine *m = c->m;
	unsigned long heads[NR_PAGE_ORDERS] = { 0 };
	unsigned long pfn = zone->zone_start_pfn, end = zone_end_pfn(zone);

	if (end > m->max_pfn)
		end = m->max_pfn;
	while (pfn < end) {
		struct page *page = pfn_to_page(m, pfn);
		unsigned long order = page->private;

		if (!PageBuddy(page)) {
			pfn++;
			continue;
		}
		if (order >= NR_PAGE_ORDERS || (pfn & ((1UL << order) - 1)) ||
		    pfn + (1UL << order) > end) {
			report(c, "zone %s: PageBuddy pfn %#lx has bad order %lu", zone->name, pfn,
			       order);
			pfn++;
			continue;
		}
		heads[order]++;
		check_free_block(c, zone, pfn, (unsigned int)order);
		pfn += 1UL << order;
	}
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		if (heads[o] != zone->free_area[o].nr_free)
			report(c, "zone %s order %u: %lu PageBuddy heads but nr_free %lu", zone->name,
			       o, heads[o], zone->free_area[o].nr_free);
}

/* Is pfn inside some free buddy block? Probe the head at each order. */
static bool pfn_in_free_block(struct machine *m, unsigned long pfn)
{
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1);
		struct page *page = pfn_to_page(m, head);

		if (PageBuddy(page) && buddy_order(page) >= o)
			return true;
	}
	return false;
}

static void check_pcp(struct check_ctx *c, struct zone *zone)
{
	struct machine *m = c->m;

	for (unsigned int cpu = 0; cpu < pcp_nr_cpus(m); cpu++) {
		struct per_cpu_pages *pcp = &zone->pageset[cpu];
		struct list_head *pos;
		long n = 0;

		for (pos = pcp->list.next; pos != &pcp->list; pos = pos->next) {
			struct page *page = list_entry(pos, struct page, lru);
			unsigned long pfn = page_to_pfn(m, page);

			if (!pos->next || pos->next->prev != pos || ++n > (long)zone->spanned_pages) {
				report(c, "zone %s cpu %u: pcp list corrupt", zone->name, cpu);
				break;
			}
			if (pfn >= m->max_pfn || !zone_spans_pfn(zone, pfn))
				report(c, "zone %s cpu %u: pcp page pfn %#lx outside the zone",
				       zone->name, cpu, pfn);
			else if (page->_refcount || PageBuddy(page) || PageReserved(page))
				report(c, "zone %s cpu %u: pcp page pfn %#lx is not free", zone->name,
				       cpu, pfn);
			else if (pfn_in_free_block(m, pfn))
				report(c, "zone %s cpu %u: pcp page pfn %#lx inside a free block",
				       zone->name, cpu, pfn);
		}
		if (n != pcp->count)
			report(c, "zone %s cpu %u: pcp count %d but %ld pages listed", zone->name, cpu,
			       pcp->count, n);
	}
}

static void check_zone(struct check_ctx *c, struct zone *zone)
{
	unsigned long sum = 0, blocks = 0;

	if (!zone->configured || !zone->spanned_pages) {
		if (zone_page_state(zone, NR_FREE_PAGES))
			report(c, "zone %s: empty zone has %lu free pages", zone->name ? zone->name : "?",
			       zone_page_state(zone, NR_FREE_PAGES));
		return;
	}
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		sum += check_free_list(c, zone, o, &blocks);
	if (sum != (unsigned long)zone->vm_stat[NR_FREE_PAGES])
		report(c, "zone %s: NR_FREE_PAGES %ld but the lists hold %lu", zone->name,
		       zone->vm_stat[NR_FREE_PAGES], sum);
	if (blocks != (unsigned long)zone->vm_stat[NR_FREE_PAGES_BLOCKS])
		report(c, "zone %s: NR_FREE_PAGES_BLOCKS %ld but %lu", zone->name,
		       zone->vm_stat[NR_FREE_PAGES_BLOCKS], blocks);
	scan_zone(c, zone);
	check_pcp(c, zone);
}

/**
 * check_page_alloc - the full walk of the buddy allocator's invariants
 * @m: the machine
 *
 * Returns the number of violations, each reported in the log.
 */
int check_page_alloc(struct machine *m)
{
	struct check_ctx c = { .m = m };

	if (!m->mem_map)
		return 0;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		check_zone(&c, &m->node.node_zones[z]);
	if (c.bad > MAX_REPORTS)
		printk(m, KERN_ERR "check_page_alloc: %d more not shown\n", c.bad - MAX_REPORTS);
	return c.bad;
}

/**
 * check_page_alloc_local - the O(MAX_ORDER) check after one operation
 * @m: the machine
 * @zone: the zone the operation touched
 * @pfn: the block's first pfn
 * @order: its order
 *
 * Checks the zone's counters against nr_free, and that no block containing
 * pfn is free together with its buddy of the same order (a missed merge).
 * Returns the number of violations, each reported in the log.
 */
int check_page_alloc_local(struct machine *m, struct zone *zone, unsigned long pfn,
			   unsigned int order)
{
	struct check_ctx c = { .m = m };
	unsigned long sum = 0;

	(void)order;
	for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++)
		sum += zone->free_area[o].nr_free << o;
	if (sum != (unsigned long)zone->vm_stat[NR_FREE_PAGES])
		report(&c, "zone %s: NR_FREE_PAGES %ld but nr_free adds up to %lu", zone->name,
		       zone->vm_stat[NR_FREE_PAGES], sum);
	for (unsigned int o = 0; o < MAX_PAGE_ORDER; o++) {
		unsigned long head = pfn & ~((1UL << o) - 1), buddy_pfn = head ^ (1UL << o);
		struct page *page = pfn_to_page(m, head), *buddy;

		if (buddy_pfn >= m->max_pfn || !PageBuddy(page) || buddy_order(page) != o)
			continue;
		buddy = pfn_to_page(m, buddy_pfn);
		if (PageBuddy(buddy) && buddy_order(buddy) == o &&
		    page_zonenum(buddy) == page_zonenum(page))
			report(&c, "zone %s: buddies %#lx and %#lx of order %u both free", zone->name,
			       head, buddy_pfn, o);
	}
	return c.bad;
}
