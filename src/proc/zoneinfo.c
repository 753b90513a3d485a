/* /proc/zoneinfo (cf. zoneinfo_show_print() in mm/vmstat.c, Linux 6.18):
 * every zone of the kernel config in order; the node's counters under the
 * first populated zone; an empty zone stops after its protection line.
 * numa_* counters appear with CONFIG_NUMA (x86_64 in mmkit). pcp "high"
 * is high_min: mmkit does not auto-tune it. */
#include "mm/page_alloc.h"
#include "proc/seq.h"

static void zoneinfo_node_stats(struct seq_file *s, struct machine *m)
{
	seq_printf(s, "\n  per-node stats");
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		if (node_stat_shown(m, i))
			seq_printf(s, "\n      %-12s %lu", node_stat_name(i),
				   node_page_state(&m->node, i));
}

static void zoneinfo_pagesets(struct seq_file *s, struct machine *m, const struct zone *zone)
{
	seq_printf(s, "\n  pagesets");
	for (unsigned int cpu = 0; cpu < pcp_nr_cpus(m); cpu++) {
		const struct per_cpu_pages *pcp = &zone->pageset[cpu];

		seq_printf(s,
			   "\n    cpu: %u"
			   "\n              count:    %i"
			   "\n              high:     %i"
			   "\n              batch:    %i"
			   "\n              high_min: %i"
			   "\n              high_max: %i",
			   cpu, pcp->count, pcp->high, pcp->batch, pcp->high_min, pcp->high_max);
		seq_printf(s, "\n  vm stats threshold: %d", zone->stat_threshold);
	}
}

static void zoneinfo_show_print(struct seq_file *s, struct machine *m, const struct zone *zone,
				bool first_populated)
{
	const char *sep = "";

	seq_printf(s, "Node %d, zone %8s", m->node.node_id, zone->name);
	if (first_populated)
		zoneinfo_node_stats(s, m);
	seq_printf(s,
		   "\n  pages free     %lu"
		   "\n        boost    %lu"
		   "\n        min      %lu"
		   "\n        low      %lu"
		   "\n        high     %lu"
		   "\n        promo    %lu"
		   "\n        spanned  %lu"
		   "\n        present  %lu"
		   "\n        managed  %lu"
		   "\n        cma      %lu",
		   zone_page_state(zone, NR_FREE_PAGES), zone->watermark_boost,
		   min_wmark_pages(zone), low_wmark_pages(zone), high_wmark_pages(zone),
		   promo_wmark_pages(zone), zone->spanned_pages, zone->present_pages,
		   zone->managed_pages, 0UL);
	seq_printf(s, "\n        protection: (");
	for (int j = 0; j < MAX_NR_ZONES; j++) {
		if (!m->node.node_zones[j].configured)
			continue;
		seq_printf(s, "%s%ld", sep, zone->lowmem_reserve[j]);
		sep = ", ";
	}
	seq_putc(s, ')');
	if (!populated_zone(zone)) {
		seq_putc(s, '\n');
		return;
	}
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++)
		seq_printf(s, "\n      %-12s %lu", zone_stat_name(i), zone_page_state(zone, i));
	if (config_numa(m))
		for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++)
			seq_printf(s, "\n      %-12s %lu", numa_stat_name(i), zone_numa_event(zone, i));
	zoneinfo_pagesets(s, m, zone);
	seq_printf(s,
		   "\n  node_unreclaimable:  %u"
		   "\n  start_pfn:           %lu",
		   m->node.kswapd_failures >= 16, zone->zone_start_pfn);
	seq_putc(s, '\n');
}

/**
 * zoneinfo_show - render /proc/zoneinfo
 * @s: the buffer
 * @m: the machine
 *
 * Returns 0, or -ENODEV before boot built the zones.
 */
int zoneinfo_show(struct seq_file *s, struct machine *m)
{
	bool seen_populated = false;

	if (!m->mem_map)
		return -ENODEV;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &m->node.node_zones[z];
		bool first = !seen_populated && populated_zone(zone);

		if (!zone->configured)
			continue;
		seen_populated |= first;
		zoneinfo_show_print(s, m, zone, first);
	}
	return 0;
}
