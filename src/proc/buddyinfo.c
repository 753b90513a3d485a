/* /proc/buddyinfo (cf. frag_show_print() in mm/vmstat.c): one line per
 * populated zone, the number of free blocks of each order 0..10, in Linux
 * 6.18's format: "Node 0, zone %8s " then "%6lu " per order. */
#include "proc/seq.h"

/**
 * buddyinfo_show - render /proc/buddyinfo
 * @s: the buffer
 * @m: the machine
 *
 * Returns 0, or -ENODEV before boot built the zones.
 */
int buddyinfo_show(struct seq_file *s, struct machine *m)
{
	if (!m->mem_map)
		return -ENODEV;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &m->node.node_zones[z];

		if (!zone->configured || !populated_zone(zone))
			continue;
		seq_printf(s, "Node %d, zone %8s ", m->node.node_id, zone->name);
		for (int order = 0; order < NR_PAGE_ORDERS; order++)
			seq_printf(s, "%6lu ", zone->free_area[order].nr_free);
		seq_putc(s, '\n');
	}
	return 0;
}
