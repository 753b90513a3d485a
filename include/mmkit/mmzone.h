/* Memory zones and the node that holds them (cf. include/linux/mmzone.h).
 * Invariant: zone->free_area[o].nr_free equals the number of blocks on
 * free_area[o].free_list, and the zone's NR_FREE_PAGES counter equals
 * sum(nr_free << o) plus nothing else (pcp pages are counted as allocated,
 * as in Linux). */
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
#define pageblock_order MAX_PAGE_ORDER

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

enum zone_stat_item {
	NR_FREE_PAGES,
	NR_ZONE_INACTIVE_ANON,
	NR_ZONE_ACTIVE_ANON,
	NR_ZONE_INACTIVE_FILE,
	NR_ZONE_ACTIVE_FILE,
	NR_ZONE_UNEVICTABLE,
	NR_ZONE_WRITE_PENDING,
	NR_MLOCK,
	NR_BOUNCE,
	NR_ZSPAGES,
	NR_FREE_CMA_PAGES,
	NR_VM_ZONE_STAT_ITEMS
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

/* Per-CPU list of order-0 pages (cf. struct per_cpu_pages). */
struct per_cpu_pages {
	int count;	/* pages on the list */
	int high;	/* drain to the buddy lists above this */
	int batch;	/* pages moved to/from the buddy lists at once */
	int high_min;
	int high_max;
	struct list_head list;
};

struct pglist_data;

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
	unsigned long vm_numa_event[NR_VM_NUMA_EVENT_ITEMS];
	unsigned long pgalloc;	/* pages handed out from this zone (vmstat pgalloc_*) */
};

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
	int nr_zones;	/* highest populated zone index + 1 */
	struct page *node_mem_map;
	unsigned long node_start_pfn;
	unsigned long node_present_pages;
	unsigned long node_spanned_pages;
	int node_id;
	unsigned long totalreserve_pages;
} pg_data_t;

#endif
