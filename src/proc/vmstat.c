/* /proc/vmstat (cf. vmstat_start()/vmstat_show() in mm/vmstat.c, Linux
 * 6.18; /proc/swaps is proc/swaps.c).
 *
 * /proc/vmstat: "name value" lines in Linux's order: the zone counters
 * summed over zones, the NUMA event counters (with CONFIG_NUMA, x86_64 in
 * mmkit), the node counters, then the vm_event_item counters mmkit keeps
 * (include/mmkit/vmstat.h). Node items Linux keeps in bytes (the slab
 * pair) mmkit keeps in pages, which is what Linux prints for them too. */
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
	[ALLOCSTALL_DMA] = "allocstall_dma",
	[ALLOCSTALL_DMA32] = "allocstall_dma32",
	[ALLOCSTALL_NORMAL] = "allocstall_normal",
	[ALLOCSTALL_HIGH] = "allocstall_high",
	[ALLOCSTALL_MOVABLE] = "allocstall_movable",
	[ALLOCSTALL_DEVICE] = "allocstall_device",
	[PGFREE] = "pgfree",
	[PGACTIVATE] = "pgactivate",
	[PGDEACTIVATE] = "pgdeactivate",
	[PGFAULT] = "pgfault",
	[PGMAJFAULT] = "pgmajfault",
	[PGREFILL] = "pgrefill",
	[PGSTEAL_KSWAPD] = "pgsteal_kswapd",
	[PGSTEAL_DIRECT] = "pgsteal_direct",
	[PGSTEAL_KHUGEPAGED] = "pgsteal_khugepaged",
	[PGSTEAL_PROACTIVE] = "pgsteal_proactive",
	[PGSCAN_KSWAPD] = "pgscan_kswapd",
	[PGSCAN_DIRECT] = "pgscan_direct",
	[PGSCAN_KHUGEPAGED] = "pgscan_khugepaged",
	[PGSCAN_PROACTIVE] = "pgscan_proactive",
	[PGSCAN_DIRECT_THROTTLE] = "pgscan_direct_throttle",
	[PGSCAN_ANON] = "pgscan_anon",
	[PGSCAN_FILE] = "pgscan_file",
	[PGSTEAL_ANON] = "pgsteal_anon",
	[PGSTEAL_FILE] = "pgsteal_file",
	[PGINODESTEAL] = "pginodesteal",
	[SLABS_SCANNED] = "slabs_scanned",
	[KSWAPD_INODESTEAL] = "kswapd_inodesteal",
	[KSWAPD_LOW_WMARK_HIT_QUICKLY] = "kswapd_low_wmark_hit_quickly",
	[KSWAPD_HIGH_WMARK_HIT_QUICKLY] = "kswapd_high_wmark_hit_quickly",
	[PAGEOUTRUN] = "pageoutrun",
	[PGROTATED] = "pgrotated",
	[OOM_KILL] = "oom_kill",
	[UNEVICTABLE_PGCULLED] = "unevictable_pgs_culled",
	[UNEVICTABLE_PGSCANNED] = "unevictable_pgs_scanned",
	[UNEVICTABLE_PGRESCUED] = "unevictable_pgs_rescued",
	[UNEVICTABLE_PGMLOCKED] = "unevictable_pgs_mlocked",
	[UNEVICTABLE_PGMUNLOCKED] = "unevictable_pgs_munlocked",
	[UNEVICTABLE_PGCLEARED] = "unevictable_pgs_cleared",
	[UNEVICTABLE_PGSTRANDED] = "unevictable_pgs_stranded",
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
