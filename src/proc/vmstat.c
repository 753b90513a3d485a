/* /proc/vmstat and /proc/swaps (cf. vmstat_start()/vmstat_show() in
 * mm/vmstat.c and swap_show() in mm/swapfile.c, Linux 6.18).
 *
 * /proc/vmstat: "name value" lines in Linux's order: the zone counters
 * summed over zones, the NUMA event counters (with CONFIG_NUMA, x86_64 in
 * mmkit), the node counters, then the vm_event_item counters mmkit keeps
 * (include/mmkit/vmstat.h). Node items Linux keeps in bytes (the slab
 * pair) mmkit keeps in pages, which is what Linux prints for them too.
 * /proc/swaps: the header line only until swap exists (issue 5). */
#include "mm/page_alloc.h"
#include "proc/seq.h"

static const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
	[PGPGIN] = "pgpgin",
	[PGPGOUT] = "pgpgout",
	[PSWPIN] = "pswpin",
	[PSWPOUT] = "pswpout",
	[PGALLOC_DMA] = "pgalloc_dma",
	[PGALLOC_DMA32] = "pgalloc_dma32",
	[PGALLOC_NORMAL] = "pgalloc_normal",
	[PGALLOC_HIGH] = "pgalloc_high",
	[PGALLOC_MOVABLE] = "pgalloc_movable",
	[PGALLOC_DEVICE] = "pgalloc_device",
	[ALLOCSTALL] = "allocstall_normal",
	[PGFREE] = "pgfree",
	[PGACTIVATE] = "pgactivate",
	[PGDEACTIVATE] = "pgdeactivate",
	[PGFAULT] = "pgfault",
	[PGMAJFAULT] = "pgmajfault",
	[PGREFILL] = "pgrefill",
	[PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[PGSTEAL_DIRECT] = "pgsteal_direct",
	[PGSCAN_KSWAPD] = "pgscan_kswapd",
	[PGSCAN_DIRECT] = "pgscan_direct",
	[PGINODESTEAL] = "pginodesteal",
	[SLABS_SCANNED] = "slabs_scanned",
	[KSWAPD_INODESTEAL] = "kswapd_inodesteal",
	[KSWAPD_LOW_WMARK_HIT_QUICKLY] = "kswapd_low_wmark_hit_quickly",
	[KSWAPD_HIGH_WMARK_HIT_QUICKLY] = "kswapd_high_wmark_hit_quickly",
	[PAGEOUTRUN] = "pageoutrun",
	[PGROTATED] = "pgrotated",
	[OOM_KILL] = "oom_kill",
};

/**
 * vmstat_show - render /proc/vmstat
 * @s: the buffer
 * @m: the machine
 *
 * Returns 0, or -ENODEV before boot built the zones.
 */
int vmstat_show(struct seq_file *s, struct machine *m)
{
	if (!m->mem_map)
		return -ENODEV;
	for (int i = 0; i < NR_VM_ZONE_STAT_ITEMS; i++) {
		unsigned long sum = 0;

		for (int z = 0; z < MAX_NR_ZONES; z++)
			sum += zone_page_state(&m->node.node_zones[z], i);
		seq_printf(s, "%s %lu\n", zone_stat_name(i), sum);
	}
	if (m->arch.x86_64) {
		for (int i = 0; i < NR_VM_NUMA_EVENT_ITEMS; i++) {
			unsigned long sum = 0;

			for (int z = 0; z < MAX_NR_ZONES; z++)
				sum += zone_numa_event(&m->node.node_zones[z], i);
			seq_printf(s, "%s %lu\n", numa_stat_name(i), sum);
		}
	}
	for (int i = 0; i < NR_VM_NODE_STAT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", node_stat_name(i), node_page_state(&m->node, i));
	for (int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		seq_printf(s, "%s %lu\n", vm_event_names[i], vm_event(m, i));
	return 0;
}

/**
 * swaps_show - render /proc/swaps
 * @s: the buffer
 * @m: the machine
 *
 * Returns 0. Only the header until mmkit has swap areas.
 */
int swaps_show(struct seq_file *s, struct machine *m)
{
	seq_puts(s, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	return 0;
}
