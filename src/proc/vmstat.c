/* /proc/vmstat (cf. vmstat_start()/vmstat_show() in mm/vmstat.c, Linux
 * 6.18; /proc/swaps is proc/swaps.c).
 *
 * /proc/vmstat: "name value" lines in Linux's order: the zone counters
 * summed over zones, the NUMA event counters (with CONFIG_NUMA, x86_64 in
 * mmkit), the node counters, then the vm_event_item counters mmkit keeps
 * (include/mmkit/vmstat.h) under Linux 6.18's full list of names (what
 * mmkit has no mechanism for reads 0), the writeback limits and memmap
 * items in between, and nr_unstable last, as Linux prints them. Node
 * items Linux keeps in bytes (the slab pair) mmkit keeps in pages, which
 * is what Linux prints for them too. */
#include "mm/page_alloc.h"
#include "proc/seq.h"

/* Linux 6.18's vm_event_item names in order (include/linux/vm_event_item.h
 * as vmstat_text lists them), each with the mmkit item counting it or
 * NONE: an event mmkit has no mechanism for reads 0. ZONES expands to one
 * item per zone of the kernel's config (_dma, _dma32 on x86_64, _normal,
 * _high on HIGHMEM kernels, _movable, _device); NUMA_ONLY items exist with
 * CONFIG_NUMA (mmkit's x86_64). */
#define NONE (-1)
#define ZONES 0x1
#define NUMA_ONLY 0x2

struct vm_event_name {
	const char *name;
	int item;		/* ZONES: the _dma item; NONE: not kept */
	unsigned int flags;
};

static const struct vm_event_name vm_events[] = {
	{ "pgpgin", PGPGIN, 0 }, { "pgpgout", PGPGOUT, 0 }, { "pswpin", PSWPIN, 0 },
	{ "pswpout", PSWPOUT, 0 }, { "pgalloc", PGALLOC_DMA, ZONES },
	{ "allocstall", ALLOCSTALL_DMA, ZONES }, { "pgskip", NONE, ZONES },
	{ "pgfree", PGFREE, 0 }, { "pgactivate", PGACTIVATE, 0 },
	{ "pgdeactivate", PGDEACTIVATE, 0 }, { "pglazyfree", PGLAZYFREE, 0 },
	{ "pgfault", PGFAULT, 0 }, { "pgmajfault", PGMAJFAULT, 0 }, { "pglazyfreed", PGLAZYFREED, 0 },
	{ "pgrefill", PGREFILL, 0 }, { "pgreuse", NONE, 0 },
	{ "pgsteal_kswapd", PGSTEAL_KSWAPD, 0 }, { "pgsteal_direct", PGSTEAL_DIRECT, 0 },
	{ "pgsteal_khugepaged", PGSTEAL_KHUGEPAGED, 0 },
	{ "pgsteal_proactive", PGSTEAL_PROACTIVE, 0 },
	{ "pgscan_kswapd", PGSCAN_KSWAPD, 0 }, { "pgscan_direct", PGSCAN_DIRECT, 0 },
	{ "pgscan_khugepaged", PGSCAN_KHUGEPAGED, 0 },
	{ "pgscan_proactive", PGSCAN_PROACTIVE, 0 },
	{ "pgscan_direct_throttle", PGSCAN_DIRECT_THROTTLE, 0 },
	{ "pgscan_anon", PGSCAN_ANON, 0 }, { "pgscan_file", PGSCAN_FILE, 0 },
	{ "pgsteal_anon", PGSTEAL_ANON, 0 }, { "pgsteal_file", PGSTEAL_FILE, 0 },
	{ "zone_reclaim_success", NONE, NUMA_ONLY }, { "zone_reclaim_failed", NONE, NUMA_ONLY },
	{ "pginodesteal", PGINODESTEAL, 0 }, { "slabs_scanned", SLABS_SCANNED, 0 },
	{ "kswapd_inodesteal", KSWAPD_INODESTEAL, 0 },
	{ "kswapd_low_wmark_hit_quickly", KSWAPD_LOW_WMARK_HIT_QUICKLY, 0 },
	{ "kswapd_high_wmark_hit_quickly", KSWAPD_HIGH_WMARK_HIT_QUICKLY, 0 },
	{ "pageoutrun", PAGEOUTRUN, 0 }, { "pgrotated", PGROTATED, 0 },
	{ "drop_pagecache", DROP_PAGECACHE, 0 }, { "drop_slab", DROP_SLAB, 0 },
	{ "oom_kill", OOM_KILL, 0 },
	{ "numa_pte_updates", NONE, NUMA_ONLY }, { "numa_huge_pte_updates", NONE, NUMA_ONLY },
	{ "numa_hint_faults", NONE, NUMA_ONLY }, { "numa_hint_faults_local", NONE, NUMA_ONLY },
	{ "numa_pages_migrated", NONE, NUMA_ONLY },
	{ "pgmigrate_success", NONE, 0 }, { "pgmigrate_fail", NONE, 0 },
	{ "thp_migration_success", NONE, 0 }, { "thp_migration_fail", NONE, 0 },
	{ "thp_migration_split", NONE, 0 },
	{ "compact_migrate_scanned", NONE, 0 }, { "compact_free_scanned", NONE, 0 },
	{ "compact_isolated", NONE, 0 }, { "compact_stall", NONE, 0 },
	{ "compact_fail", NONE, 0 }, { "compact_success", NONE, 0 },
	{ "compact_daemon_wake", NONE, 0 }, { "compact_daemon_migrate_scanned", NONE, 0 },
	{ "compact_daemon_free_scanned", NONE, 0 },
	{ "htlb_buddy_alloc_success", NONE, 0 }, { "htlb_buddy_alloc_fail", NONE, 0 },
	{ "unevictable_pgs_culled", UNEVICTABLE_PGCULLED, 0 },
	{ "unevictable_pgs_scanned", UNEVICTABLE_PGSCANNED, 0 },
	{ "unevictable_pgs_rescued", UNEVICTABLE_PGRESCUED, 0 },
	{ "unevictable_pgs_mlocked", UNEVICTABLE_PGMLOCKED, 0 },
	{ "unevictable_pgs_munlocked", UNEVICTABLE_PGMUNLOCKED, 0 },
	{ "unevictable_pgs_cleared", UNEVICTABLE_PGCLEARED, 0 },
	{ "unevictable_pgs_stranded", UNEVICTABLE_PGSTRANDED, 0 },
	{ "thp_fault_alloc", NONE, 0 }, { "thp_fault_fallback", NONE, 0 },
	{ "thp_fault_fallback_charge", NONE, 0 }, { "thp_collapse_alloc", NONE, 0 },
	{ "thp_collapse_alloc_failed", NONE, 0 }, { "thp_file_alloc", NONE, 0 },
	{ "thp_file_fallback", NONE, 0 }, { "thp_file_fallback_charge", NONE, 0 },
	{ "thp_file_mapped", NONE, 0 }, { "thp_split_page", NONE, 0 },
	{ "thp_split_page_failed", NONE, 0 }, { "thp_deferred_split_page", NONE, 0 },
	{ "thp_underused_split_page", NONE, 0 }, { "thp_split_pmd", NONE, 0 },
	{ "thp_scan_exceed_none_pte", NONE, 0 }, { "thp_scan_exceed_swap_pte", NONE, 0 },
	{ "thp_scan_exceed_share_pte", NONE, 0 }, { "thp_split_pud", NONE, 0 },
	{ "thp_zero_page_alloc", NONE, 0 }, { "thp_zero_page_alloc_failed", NONE, 0 },
	{ "thp_swpout", NONE, 0 }, { "thp_swpout_fallback", NONE, 0 },
	{ "balloon_inflate", NONE, 0 }, { "balloon_deflate", NONE, 0 },
	{ "balloon_migrate", NONE, 0 }, { "swap_ra", NONE, 0 }, { "swap_ra_hit", NONE, 0 },
	{ "swpin_zero", NONE, 0 }, { "swpout_zero", NONE, 0 }, { "ksm_swpin_copy", NONE, 0 },
	{ "cow_ksm", NONE, 0 }, { "zswpin", NONE, 0 }, { "zswpout", NONE, 0 },
	{ "zswpwb", NONE, 0 }, { "direct_map_level2_splits", NONE, 0 },
	{ "direct_map_level3_splits", NONE, 0 }, { "direct_map_level2_collapses", NONE, 0 },
	{ "direct_map_level3_collapses", NONE, 0 },
};

/* The zone suffixes of the kernel's config, with their offset from the
 * _dma item (the enum has one item per zone of the widest config). */
static void show_zone_events(struct seq_file *s, struct machine *m, const struct vm_event_name *e)
{
	static const char *const sfx[] = { "dma", "dma32", "normal", "high", "movable", "device" };

	for (int z = 0; z < 6; z++) {
		if ((z == 1 && !m->arch.x86_64) ||
		    (z == 3 && !m->node.node_zones[ZONE_HIGHMEM].configured))
			continue;
		seq_printf(s, "%s_%s %lu\n", e->name, sfx[z],
			   e->item == NONE ? 0UL : vm_event(m, e->item + z));
	}
}

/* Pages the page cache may dirty: free pages above the reserves plus the
 * file LRU, highmem's share left out (vm_highmem_is_dirtyable 0) (cf.
 * global_dirtyable_memory, highmem_dirtyable_memory). */
static unsigned long global_dirtyable_memory(struct machine *m)
{
	unsigned long x = 0, high = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		x += zone_page_state(&m->node.node_zones[z], NR_FREE_PAGES);
	x -= x < m->node.totalreserve_pages ? x : m->node.totalreserve_pages;
	x += node_page_state(&m->node, NR_INACTIVE_FILE) + node_page_state(&m->node, NR_ACTIVE_FILE);
	if (m->node.node_zones[ZONE_HIGHMEM].configured) {
		struct zone *z = &m->node.node_zones[ZONE_HIGHMEM];
		unsigned long nr = zone_page_state(z, NR_FREE_PAGES);

		nr -= nr < high_wmark_pages(z) ? nr : high_wmark_pages(z);
		high = nr + zone_page_state(z, NR_ZONE_INACTIVE_FILE) +
		       zone_page_state(z, NR_ZONE_ACTIVE_FILE);
		x -= high < x ? high : x;
	}
	return x + 1;	/* never 0 */
}

/* nr_dirty_threshold and nr_dirty_background_threshold: vm.dirty_ratio
 * 20 and vm.dirty_background_ratio 10 of the dirtyable memory (cf.
 * domain_dirty_limits; the background limit is at most half the limit). */
static void show_dirty_limits(struct seq_file *s, struct machine *m)
{
	unsigned long avail = global_dirtyable_memory(m);
	unsigned long thresh = (20 * PAGE_SIZE / 100) * avail / PAGE_SIZE;
	unsigned long bg = (10 * PAGE_SIZE / 100) * avail / PAGE_SIZE;

	if (bg >= thresh)
		bg = thresh / 2;
	seq_printf(s, "nr_dirty_threshold %lu\n", thresh);
	seq_printf(s, "nr_dirty_background_threshold %lu\n", bg);
}

/* nr_memmap_pages / nr_memmap_boot_pages: mmkit's mem_map is allocated
 * at boot (memblock), so all of it counts as boot pages. */
static void show_memmap(struct seq_file *s, struct machine *m)
{
	unsigned long bytes = m->max_pfn * sizeof(struct page);

	seq_printf(s, "nr_memmap_pages %lu\n", 0UL);
	seq_printf(s, "nr_memmap_boot_pages %lu\n", (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT);
}

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
	show_dirty_limits(s, m);
	show_memmap(s, m);
	for (size_t i = 0; i < sizeof(vm_events) / sizeof(vm_events[0]); i++) {
		const struct vm_event_name *e = &vm_events[i];

		if ((e->flags & NUMA_ONLY) && !m->arch.x86_64)
			continue;
		if (e->flags & ZONES)
			show_zone_events(s, m, e);
		else
			seq_printf(s, "%s %lu\n", e->name, e->item == NONE ? 0UL : vm_event(m, e->item));
	}
	seq_printf(s, "nr_unstable %lu\n", 0UL);	/* the legacy line Linux keeps printing */
	return 0;
}
