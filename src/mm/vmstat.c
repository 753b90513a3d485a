/* Names and thresholds of the vm counters (cf. mm/vmstat.c: vmstat_text,
 * calculate_normal_threshold). The counters themselves live in the zones
 * (zone->vm_stat), the node (pgdat->vm_stat) and the per-CPU m->vm_event_cpu rows (vm_event()); the views
 * in src/proc print them with these names, in Linux 6.18's order. */
#include "mm/page_alloc.h"

static const char *const zone_stat_names[NR_VM_ZONE_STAT_ITEMS] = {
	[NR_FREE_PAGES] = "nr_free_pages",
	[NR_FREE_PAGES_BLOCKS] = "nr_free_pages_blocks",
	[NR_ZONE_INACTIVE_ANON] = "nr_zone_inactive_anon",
	[NR_ZONE_ACTIVE_ANON] = "nr_zone_active_anon",
	[NR_ZONE_INACTIVE_FILE] = "nr_zone_inactive_file",
	[NR_ZONE_ACTIVE_FILE] = "nr_zone_active_file",
	[NR_ZONE_UNEVICTABLE] = "nr_zone_unevictable",
	[NR_ZONE_WRITE_PENDING] = "nr_zone_write_pending",
	[NR_MLOCK] = "nr_mlock",
	[NR_ZSPAGES] = "nr_zspages",
	[NR_FREE_CMA_PAGES] = "nr_free_cma",
};

static const char *const numa_stat_names[NR_VM_NUMA_EVENT_ITEMS] = {
	[NUMA_HIT] = "numa_hit",
	[NUMA_MISS] = "numa_miss",
	[NUMA_FOREIGN] = "numa_foreign",
	[NUMA_INTERLEAVE_HIT] = "numa_interleave",
	[NUMA_LOCAL] = "numa_local",
	[NUMA_OTHER] = "numa_other",
};

static const char *const node_stat_names[NR_VM_NODE_STAT_ITEMS] = {
	[NR_INACTIVE_ANON] = "nr_inactive_anon",
	[NR_ACTIVE_ANON] = "nr_active_anon",
	[NR_INACTIVE_FILE] = "nr_inactive_file",
	[NR_ACTIVE_FILE] = "nr_active_file",
	[NR_UNEVICTABLE] = "nr_unevictable",
	[NR_SLAB_RECLAIMABLE_B] = "nr_slab_reclaimable",
	[NR_SLAB_UNRECLAIMABLE_B] = "nr_slab_unreclaimable",
	[NR_ISOLATED_ANON] = "nr_isolated_anon",
	[NR_ISOLATED_FILE] = "nr_isolated_file",
	[WORKINGSET_NODES] = "workingset_nodes",
	[WORKINGSET_REFAULT_ANON] = "workingset_refault_anon",
	[WORKINGSET_REFAULT_FILE] = "workingset_refault_file",
	[WORKINGSET_ACTIVATE_ANON] = "workingset_activate_anon",
	[WORKINGSET_ACTIVATE_FILE] = "workingset_activate_file",
	[WORKINGSET_RESTORE_ANON] = "workingset_restore_anon",
	[WORKINGSET_RESTORE_FILE] = "workingset_restore_file",
	[WORKINGSET_NODERECLAIM] = "workingset_nodereclaim",
	[NR_ANON_MAPPED] = "nr_anon_pages",
	[NR_FILE_MAPPED] = "nr_mapped",
	[NR_FILE_PAGES] = "nr_file_pages",
	[NR_FILE_DIRTY] = "nr_dirty",
	[NR_WRITEBACK] = "nr_writeback",
	[NR_SHMEM] = "nr_shmem",
	[NR_SHMEM_THPS] = "nr_shmem_hugepages",
	[NR_SHMEM_PMDMAPPED] = "nr_shmem_pmdmapped",
	[NR_FILE_THPS] = "nr_file_hugepages",
	[NR_FILE_PMDMAPPED] = "nr_file_pmdmapped",
	[NR_ANON_THPS] = "nr_anon_transparent_hugepages",
	[NR_VMSCAN_WRITE] = "nr_vmscan_write",
	[NR_VMSCAN_IMMEDIATE] = "nr_vmscan_immediate_reclaim",
	[NR_DIRTIED] = "nr_dirtied",
	[NR_WRITTEN] = "nr_written",
	[NR_THROTTLED_WRITTEN] = "nr_throttled_written",
	[NR_KERNEL_MISC_RECLAIMABLE] = "nr_kernel_misc_reclaimable",
	[NR_FOLL_PIN_ACQUIRED] = "nr_foll_pin_acquired",
	[NR_FOLL_PIN_RELEASED] = "nr_foll_pin_released",
	[NR_KERNEL_STACK_KB] = "nr_kernel_stack",
	[NR_PAGETABLE] = "nr_page_table_pages",
	[NR_SECONDARY_PAGETABLE] = "nr_sec_page_table_pages",
	[NR_IOMMU_PAGES] = "nr_iommu_pages",
	[NR_SWAPCACHE] = "nr_swapcached",
	[PGPROMOTE_SUCCESS] = "pgpromote_success",
	[PGPROMOTE_CANDIDATE] = "pgpromote_candidate",
	[PGPROMOTE_CANDIDATE_NRL] = "pgpromote_candidate_nrl",
	[PGDEMOTE_KSWAPD] = "pgdemote_kswapd",
	[PGDEMOTE_DIRECT] = "pgdemote_direct",
	[PGDEMOTE_KHUGEPAGED] = "pgdemote_khugepaged",
	[PGDEMOTE_PROACTIVE] = "pgdemote_proactive",
	[NR_HUGETLB] = "nr_hugetlb",
	[NR_BALLOON_PAGES] = "nr_balloon_pages",
	[NR_KERNEL_FILE_PAGES] = "nr_kernel_file_pages",
};

/**
 * zone_stat_name - /proc name of a zone counter
 * @item: enum zone_stat_item
 */
const char *zone_stat_name(int item)
{
	return zone_stat_names[item];
}

/**
 * node_stat_name - /proc name of a node counter
 * @item: enum node_stat_item
 */
const char *node_stat_name(int item)
{
	return node_stat_names[item];
}

/**
 * numa_stat_name - /proc name of a NUMA event counter
 * @item: enum numa_stat_item
 */
const char *numa_stat_name(int item)
{
	return numa_stat_names[item];
}

/**
 * node_stat_shown - does this kernel config have the node counter?
 * @m: the machine
 * @item: enum node_stat_item
 *
 * The pgpromote_* counters exist only with CONFIG_NUMA_BALANCING, which
 * mmkit's x86_64 config has and its i386 configs do not.
 */
bool node_stat_shown(const struct machine *m, int item)
{
	if (item >= PGPROMOTE_SUCCESS && item <= PGPROMOTE_CANDIDATE_NRL)
		return config_numa(m);
	return true;
}

static int fls_ul(unsigned long x)
{
	return x ? 64 - __builtin_clzl(x) : 0;
}

/**
 * calculate_normal_threshold - the per-CPU counter drift Linux allows
 * @m: the machine (its CPU count)
 * @zone: the zone (its managed size, in 128 MiB units)
 *
 * Returns 2 * fls(cpus) * (1 + fls(managed >> 15)), at most 125. mmkit's
 * counters are exact; /proc/zoneinfo prints the value as Linux would.
 */
int calculate_normal_threshold(const struct machine *m, const struct zone *zone)
{
	unsigned long mem = zone->managed_pages >> (27 - PAGE_SHIFT);
	int threshold = 2 * fls_ul(pcp_nr_cpus(m)) * (1 + fls_ul(mem));

	return threshold < 125 ? threshold : 125;
}
