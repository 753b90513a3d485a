/* Internals of the page allocator shared by its files (cf. mm/internal.h,
 * the page-allocator part): src/mm/page_alloc.c (buddy lists, per-CPU
 * lists, alloc/free), page_alloc_debug.c (bad_page, dump_page, poisoning,
 * warn_alloc), page_alloc_check.c (the invariant checker),
 * page_alloc_wmark.c (watermark checks, reserves, pcp sizing), mm_init.c
 * (zones, zonelists, mem_map, mem_init) and vmstat.c (counter names).
 * Tests and benchmarks may include it to reach the buddy lists directly. */
#ifndef MMKIT_MM_PAGE_ALLOC_H
#define MMKIT_MM_PAGE_ALLOC_H

#include "internal.h"

/* The allocator's own flags (cf. ALLOC_* in mm/internal.h, Linux 6.x). The
 * low two bits index the watermark; __GFP_HIGH doubles as ALLOC_MIN_RESERVE
 * and __GFP_KSWAPD_RECLAIM as ALLOC_KSWAPD, as in Linux. */
#define ALLOC_WMARK_MIN WMARK_MIN
#define ALLOC_WMARK_LOW WMARK_LOW
#define ALLOC_WMARK_HIGH WMARK_HIGH
#define ALLOC_NO_WATERMARKS 0x04u	/* don't check watermarks at all */
#define ALLOC_WMARK_MASK (ALLOC_NO_WATERMARKS - 1)
#define ALLOC_OOM 0x08u
#define ALLOC_NON_BLOCK 0x10u		/* caller cannot block: dip deeper */
#define ALLOC_MIN_RESERVE 0x20u		/* __GFP_HIGH: half of the min reserve */
#define ALLOC_CPUSET 0x40u
#define ALLOC_CMA 0x80u
#define ALLOC_NOFRAGMENT 0x100u
#define ALLOC_HIGHATOMIC 0x200u
#define ALLOC_KSWAPD 0x800u		/* wake kswapd (== __GFP_KSWAPD_RECLAIM) */
#define ALLOC_RESERVES (ALLOC_NON_BLOCK | ALLOC_MIN_RESERVE | ALLOC_HIGHATOMIC | ALLOC_OOM)

/* Free-page-internal flags (cf. fpi_t). */
#define FPI_NONE 0u
#define FPI_TO_TAIL 0x2u	/* put the block at the tail of its free list */

/* The kernel config as mmkit models it per arch: x86_64 has CONFIG_NUMA
 * (numa_* counters, node= in page flags) and SPARSEMEM with 128 MiB
 * sections; i386 is FLATMEM without NUMA. */
static inline bool config_numa(const struct machine *m)
{
	return m->arch.x86_64;
}

#define PAGES_PER_SECTION (1UL << (27 - PAGE_SHIFT))

/* The CPUs that have per-CPU page lists (cf. nr_cpu_ids): desc.nr_cpus
 * within [1, NR_CPUS], since a machine_desc built in C is not range-checked
 * and zone->pageset has NR_CPUS entries. */
static inline unsigned int pcp_nr_cpus(const struct machine *m)
{
	return clamp(m->desc.nr_cpus, 1u, (unsigned int)NR_CPUS);
}

/* This CPU's index into zone->pageset; CPU 0 stands in for an
 * mmkit_set_cpu() beyond the machine's CPUs. */
static inline unsigned int pcp_this_cpu(const struct machine *m)
{
	unsigned int cpu = smp_processor_id(m);

	return cpu < pcp_nr_cpus(m) ? cpu : 0;
}

/* in mm/mm_init.c */
extern const char *const zone_names[MAX_NR_ZONES];
int zone_config_idx(const struct machine *m, int zid);
unsigned long lowmem_end_pfn(const struct machine *m);
void build_all_zonelists(struct machine *m);

/* in mm/page_alloc.c */
struct page *rmqueue_buddy(struct machine *m, struct zone *zone, unsigned int order, gfp_t gfp);
void __free_pages_ok(struct machine *m, struct page *page, unsigned int order);
void free_pcppages_bulk(struct machine *m, struct zone *zone, int count,
			struct per_cpu_pages *pcp);

/* in mm/page_alloc_debug.c */
const char *page_bad_reason(const struct page *page, unsigned long flags);
void dump_page(struct machine *m, const struct page *page, const char *reason);
void kernel_poison_pages(struct machine *m, struct page *page, unsigned int nr);
bool check_poison_pages(struct machine *m, struct page *page, unsigned int nr);
void warn_alloc(struct machine *m, gfp_t gfp_mask, unsigned int order);
int format_gfp_flags(char *buf, size_t size, gfp_t gfp);
int check_page_alloc_local(struct machine *m, struct zone *zone, unsigned long pfn,
			   unsigned int order);

/* in mm/page_alloc_wmark.c */
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags);
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages);
void calculate_min_free_kbytes(struct machine *m);
void setup_per_cpu_pageset(struct machine *m);
void zone_pcp_update(struct machine *m, struct zone *zone);
void calculate_totalreserve_pages(struct machine *m);
unsigned long nr_free_buffer_pages(struct machine *m);
long si_mem_available(struct machine *m);

/* in mm/vmstat.c */
const char *zone_stat_name(int item);
const char *node_stat_name(int item);
const char *numa_stat_name(int item);
bool node_stat_shown(const struct machine *m, int item);
int calculate_normal_threshold(const struct machine *m, const struct zone *zone);

#endif
