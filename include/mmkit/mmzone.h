/* Memory zones and the node that holds them (cf. include/linux/mmzone.h).
 * Invariant: zone->free_area[o].nr_free equals the number of blocks on
 * free_area[o].free_list, and the zone's NR_FREE_PAGES counter equals
 * sum(nr_free << o) plus nothing else (pcp pages are counted as allocated,
 * as in Linux). Counters here are exact: mmkit updates zone->vm_stat
 * directly instead of through per-CPU deltas (the printed "vm stats
 * threshold" is Linux's value, kept for the view). */
#ifndef MMKIT_MMZONE_H
#define MMKIT_MMZONE_H

#include <mmkit/list.h>
#include <mmkit/page.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

/* free_area[0..MAX_ORDER-1]: blocks of 1, 2, ..., 1024 pages (seed: 11 lists). */
#define MAX_ORDER 11
#define NR_PAGE_ORDERS MAX_ORDER
#define MAX_PAGE_ORDER (MAX_ORDER - 1)
#define MAX_ORDER_NR_PAGES (1UL << MAX_PAGE_ORDER)
/* pageblock_order is per machine (m->pageblock_order): HUGETLB_PAGE_ORDER,
 * 10 on i386 (4 MiB pages), 9 with PAE and on x86_64 (2 MiB pages). */

/* Reclaim works in batches of this many pages; also the floor of a highmem
 * zone's min watermark (cf. include/linux/swap.h). */
#define SWAP_CLUSTER_MAX 32UL

#define NR_CPUS 64
#define MAX_NUMNODES 1

enum zone_type {
	ZONE_DMA,	/* < 16 MiB: ISA DMA */
	ZONE_DMA32,	/* < 4 GiB: x86_64 only */
	ZONE_NORMAL,	/* directly mapped: to max_low_pfn */
	ZONE_HIGHMEM,	/* i386 only: above max_low_pfn, kmap to reach */
	ZONE_MOVABLE,	/* present in the config, always empty here */
	ZONE_DEVICE,	/* x86_64 config only, always empty here */
	MAX_NR_ZONES
};

enum zone_watermarks {
	WMARK_MIN,
	WMARK_LOW,
	WMARK_HIGH,
	WMARK_PROMO,
	NR_WMARK
};

/* Per-zone counters, in /proc/zoneinfo's order (cf. enum zone_stat_item). */
enum zone_stat_item {
	NR_FREE_PAGES,
	NR_FREE_PAGES_BLOCKS,	/* free pages in blocks of pageblock_order or more */
	NR_ZONE_LRU_BASE,
	NR_ZONE_INACTIVE_ANON = NR_ZONE_LRU_BASE,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS
};

/* Per-node counters, in the "per-node stats" order of /proc/zoneinfo
 * (cf. enum node_stat_item, Linux 6.18). Pages unless the name says bytes
 * (_B) or KiB (_KB). Subsystems that track one update it; the rest stay 0. */
enum node_stat_item {
	NR_LRU_BASE,
	NR_INACTIVE_ANON = NR_LRU_BASE,
	NR_ACTIVE_ANON,
	NR_INACTIVE_FILE,
	NR_ACTIVE_FILE,
	NR_UNEVICTABLE,
	NR_SLAB_RECLAIMABLE_B,	/* Linux keeps the two slab items in bytes; mmkit in pages */
	NR_SLAB_UNRECLAIMABLE_B,
	NR_ISOLATED_ANON,
	NR_ISOLATED_FILE,
	WORKINGSET_NODES,
	WORKINGSET_REFAULT_ANON,
	WORKINGSET_REFAULT_FILE,
	WORKINGSET_ACTIVATE_ANON,
	WORKINGSET_ACTIVATE_FILE,
	WORKINGSET_RESTORE_ANON,
	WORKINGSET_RESTORE_FILE,
	WORKINGSET_NODERECLAIM,
	NR_ANON_MAPPED,
	NR_FILE_MAPPED,
	NR_FILE_PAGES,
	NR_FILE_DIRTY,
	NR_WRITEBACK,
	NR_SHMEM,
	NR_SHMEM_THPS,
	NR_SHMEM_PMDMAPPED,
	NR_FILE_THPS,
	NR_FILE_PMDMAPPED,
	NR_ANON_THPS,
	NR_VMSCAN_WRITE,
	NR_VMSCAN_IMMEDIATE,
	NR_DIRTIED,
	NR_WRITTEN,
	NR_THROTTLED_WRITTEN,
	NR_KERNEL_MISC_RECLAIMABLE,
	NR_FOLL_PIN_ACQUIRED,
	NR_FOLL_PIN_RELEASED,
	NR_KERNEL_STACK_KB,
	NR_PAGETABLE,
	NR_SECONDARY_PAGETABLE,
	NR_IOMMU_PAGES,
	NR_SWAPCACHE,
	PGPROMOTE_SUCCESS,	/* CONFIG_NUMA_BALANCING: x86_64 only */
	PGPROMOTE_CANDIDATE,
	PGPROMOTE_CANDIDATE_NRL,
	PGDEMOTE_KSWAPD,
	PGDEMOTE_DIRECT,
	PGDEMOTE_KHUGEPAGED,
	PGDEMOTE_PROACTIVE,
	NR_HUGETLB,
	NR_BALLOON_PAGES,
	NR_KERNEL_FILE_PAGES,
	NR_VM_NODE_STAT_ITEMS
};

enum numa_stat_item {
	NUMA_HIT,
	NUMA_MISS,
	NUMA_FOREIGN,
	NUMA_INTERLEAVE_HIT,
	NUMA_LOCAL,
	NUMA_OTHER,
	NR_VM_NUMA_EVENT_ITEMS
};

struct free_area {
	struct list_head free_list;
	unsigned long nr_free;	/* blocks of this order, not pages */
};

/* Per-CPU list of order-0 pages (cf. struct per_cpu_pages). Its own CPU
 * takes lock around every use; drain_all_pages takes it from another CPU
 * (Linux 6.x's pcp->lock, taken before zone->lock). */
struct per_cpu_pages {
	spinlock_t lock;
	int count;	/* pages on the list */
	int high;	/* drain batch pages to the buddy lists when count reaches it */
	int batch;	/* pages moved to/from the buddy lists at once */
	int high_min;	/* zone_highsize() from the low watermark */
	int high_max;	/* zone_highsize() at MIN_PERCPU_PAGELIST_HIGH_FRACTION */
	struct list_head list;	/* order-0 pages, hottest first */
	/* NUMA allocation events counted by this CPU (per_cpu_zonestats) */
	unsigned long vm_numa_event[NR_VM_NUMA_EVENT_ITEMS];
};

struct pglist_data;

/* The LRU lists (cf. enum lru_list, struct lruvec; seed 003's
 * active_list/inactive_list). mmkit keeps them per zone, as Linux 2.6 did;
 * owned by src/mm/swap.c (adding, moving) and src/mm/vmscan.c (aging,
 * reclaim). NR_ZONE_INACTIVE_ANON + lru counts each list's pages. */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};

struct lruvec {
	spinlock_t lru_lock;
	struct list_head lists[NR_LRU_LISTS];
	unsigned long nr_scanned;	/* pages scanned since the last reclaim success */
};

struct zone {
	/* read-mostly */
	unsigned long _watermark[NR_WMARK];
	unsigned long watermark_boost;
	long lowmem_reserve[MAX_NR_ZONES];	/* pages kept back from fallback allocations */
	struct pglist_data *zone_pgdat;
	struct per_cpu_pages pageset[NR_CPUS];
	int pageset_batch;
	int pageset_high_min;
	int pageset_high_max;
	int stat_threshold;	/* calculate_normal_threshold(), for the view */
	unsigned long zone_start_pfn;
	unsigned long spanned_pages;	/* end - start, holes included */
	unsigned long present_pages;	/* RAM pages in the span */
	unsigned long managed_pages;	/* present minus boot-time reservations */
	const char *name;
	bool configured;	/* the zone exists in this kernel config */
	/* written often */
	spinlock_t lock;
	struct free_area free_area[NR_PAGE_ORDERS];
	long vm_stat[NR_VM_ZONE_STAT_ITEMS];
	struct lruvec lruvec;	/* LRU lists of the zone's user pages (mm/swap.c, vmscan.c) */
};

/* A zone's NUMA event count: the sum of its CPUs' (cf. zone_numa_event_state). */
static inline unsigned long zone_numa_event(const struct zone *zone, int item)
{
	unsigned long sum = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += __atomic_load_n(&zone->pageset[cpu].vm_numa_event[item], __ATOMIC_RELAXED);
	return sum;
}

static inline unsigned long zone_end_pfn(const struct zone *zone)
{
	return zone->zone_start_pfn + zone->spanned_pages;
}

static inline bool zone_spans_pfn(const struct zone *zone, unsigned long pfn)
{
	return zone->zone_start_pfn <= pfn && pfn < zone_end_pfn(zone);
}

static inline bool populated_zone(const struct zone *zone)
{
	return zone->present_pages != 0;
}

static inline bool managed_zone(const struct zone *zone)
{
	return zone->managed_pages != 0;
}

#define min_wmark_pages(z) ((z)->_watermark[WMARK_MIN] + (z)->watermark_boost)
#define low_wmark_pages(z) ((z)->_watermark[WMARK_LOW] + (z)->watermark_boost)
#define high_wmark_pages(z) ((z)->_watermark[WMARK_HIGH] + (z)->watermark_boost)
#define promo_wmark_pages(z) ((z)->_watermark[WMARK_PROMO] + (z)->watermark_boost)
#define wmark_pages(z, i) ((z)->_watermark[i] + (z)->watermark_boost)

/* Zones an allocation may use, best first; NULL-terminated (cf. struct zonelist). */
struct zonelist {
	struct zone *zones[MAX_NR_ZONES + 1];
};

typedef struct pglist_data {
	struct zone node_zones[MAX_NR_ZONES];
	/* node_zonelists[z]: fallback order for a request whose highest zone is z
	 * (HIGHMEM -> NORMAL -> DMA32 -> DMA) */
	struct zonelist node_zonelists[MAX_NR_ZONES];
	/* gfp_zone() of each __GFP_DMA/HIGHMEM/DMA32/MOVABLE combination for
	 * this config (cf. GFP_ZONE_TABLE); -EINVAL where Linux has GFP_ZONE_BAD */
	signed char gfp_zone_table[16];
	int nr_zones;	/* highest populated zone index + 1 */
	struct page *node_mem_map;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;
	unsigned long totalreserve_pages;	/* high watermarks + lowmem reserves */
	int kswapd_failures;	/* reclaim passes that freed nothing */
	long vm_stat[NR_VM_NODE_STAT_ITEMS];
} pg_data_t;

/* The zone's index in its node (cf. zone_idx()). */
static inline int zone_idx(const struct zone *zone)
{
	return (int)(zone - zone->zone_pgdat->node_zones);
}

static inline bool is_highmem_idx(int idx)
{
	return idx == ZONE_HIGHMEM;
}

static inline bool is_highmem(const struct zone *zone)
{
	return is_highmem_idx(zone_idx(zone));
}

/* Counter updates: the caller holds zone->lock where the counter guards a
 * list (NR_FREE_PAGES, NR_FREE_PAGES_BLOCKS). The counters are atomic, as
 * Linux's zone->vm_stat and pgdat->vm_stat (atomic_long_t) are: the
 * watermark checks and the views read them without the lock, and other
 * counters change under other locks, from every CPU. */
static inline void __mod_zone_page_state(struct zone *zone, enum zone_stat_item item, long delta)
{
	__atomic_fetch_add(&zone->vm_stat[item], delta, __ATOMIC_RELAXED);
}

static inline unsigned long zone_page_state(const struct zone *zone, enum zone_stat_item item)
{
	long x = __atomic_load_n(&zone->vm_stat[item], __ATOMIC_RELAXED);

	return x < 0 ? 0 : (unsigned long)x;
}

static inline void __mod_node_page_state(struct pglist_data *pgdat, enum node_stat_item item,
					 long delta)
{
	__atomic_fetch_add(&pgdat->vm_stat[item], delta, __ATOMIC_RELAXED);
}

static inline unsigned long node_page_state(const struct pglist_data *pgdat,
					    enum node_stat_item item)
{
	long x = __atomic_load_n(&pgdat->vm_stat[item], __ATOMIC_RELAXED);

	return x < 0 ? 0 : (unsigned long)x;
}

#endif
