/* Watermarks and the page allocator's reserves (cf. mm/page_alloc.c,
 * Linux 6.x): the watermark check itself, the free counts,
 * min_free_kbytes, the per-zone watermarks min/low/high/promo, the
 * lowmem_reserve ("protection") of each zone against fallback from higher
 * zones, totalreserve_pages, the per-CPU lists' batch and high, and
 * si_mem_available. All formulas are Linux's, worked through in the
 * comments; they are recomputed whenever a tunable changes.
 * Invariant after setup_per_zone_wmarks: min <= low <= high <= promo in
 * every zone, and each per-CPU list's high >= 4 * batch >= 4. */
#include "mm/page_alloc.h"

#define MIN_PERCPU_PAGELIST_HIGH_FRACTION 8

/**
 * __zone_watermark_ok - may an allocation take 2^order pages from this zone?
 * @z: the zone
 * @order: the request
 * @mark: the watermark in force (min, low or high)
 * @highest_zoneidx: the highest zone the request may use; its lowmem_reserve
 *                   entry is kept back on top of the mark
 * @alloc_flags: ALLOC_* (reserves lower the mark)
 * @free_pages: the zone's free pages
 *
 * Returns true when free pages stay above mark + lowmem_reserve after the
 * request and, for order > 0, a free block of at least that order exists
 * (cf. __zone_watermark_ok()).
 */
bool __zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
			 int highest_zoneidx, unsigned int alloc_flags, long free_pages)
{
	long min = (long)mark;

	free_pages -= (1L << order) - 1;
	if (unlikely(alloc_flags & ALLOC_RESERVES)) {
		if (alloc_flags & ALLOC_MIN_RESERVE) {
			min -= min / 2;
			if (alloc_flags & ALLOC_NON_BLOCK)
				min -= min / 4;
		}
		if (alloc_flags & ALLOC_OOM)
			min -= min / 2;
	}
	if (free_pages <= min + z->lowmem_reserve[highest_zoneidx])
		return false;
	if (!order)
		return true;
	for (unsigned int o = order; o < NR_PAGE_ORDERS; o++)
		if (__atomic_load_n(&z->free_area[o].nr_free, __ATOMIC_RELAXED))	/* READ_ONCE */
			return true;
	return false;
}

/**
 * zone_watermark_ok - __zone_watermark_ok with the zone's own free count
 * @z: the zone
 * @order: the request
 * @mark: the watermark
 * @highest_zoneidx: the highest zone the request may use
 * @alloc_flags: ALLOC_*
 */
bool zone_watermark_ok(struct zone *z, unsigned int order, unsigned long mark,
		       int highest_zoneidx, unsigned int alloc_flags)
{
	return __zone_watermark_ok(z, order, mark, highest_zoneidx, alloc_flags,
				   (long)zone_page_state(z, NR_FREE_PAGES));
}

/**
 * nr_free_pages - free pages on every zone's buddy lists
 * @m: the machine
 */
unsigned long nr_free_pages(struct machine *m)
{
	unsigned long sum = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		sum += zone_page_state(&m->node.node_zones[z], NR_FREE_PAGES);
	return sum;
}

/**
 * nr_free_zone_pages - managed pages above the high watermark
 * @m: the machine
 * @high_zoneidx: count the zones a request of this highest zone may use
 */
unsigned long nr_free_zone_pages(struct machine *m, int high_zoneidx)
{
	struct zone *const *zp = m->node.node_zonelists[high_zoneidx].zones;
	unsigned long sum = 0;

	for (; *zp; zp++) {
		unsigned long size = (*zp)->managed_pages, high = high_wmark_pages(*zp);

		if (size > high)
			sum += size - high;
	}
	return sum;
}

static unsigned long int_sqrt(unsigned long x)
{
	unsigned long r = 0, bit = 1UL << 62;

	while (bit > x)
		bit >>= 2;
	while (bit) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return r;
}

/**
 * nr_free_buffer_pages - lowmem pages above the high watermarks
 * @m: the machine
 *
 * Managed pages of the zones GFP_USER may use (all but HIGHMEM and
 * MOVABLE), each less its high watermark (cf. nr_free_buffer_pages()).
 */
unsigned long nr_free_buffer_pages(struct machine *m)
{
	return nr_free_zone_pages(m, gfp_zone(m, GFP_USER));
}

/**
 * calculate_min_free_kbytes - size the min watermark from lowmem
 * @m: the machine
 *
 * min_free_kbytes = sqrt(lowmem_kbytes * 16), clamped to [128, 262144]:
 * 16 MiB of lowmem gives 512 KiB, 128 MiB 1448 KiB, 1 GiB 4096 KiB
 * (cf. calculate_min_free_kbytes()).
 */
void calculate_min_free_kbytes(struct machine *m)
{
	unsigned long lowmem_kbytes = nr_free_buffer_pages(m) * (PAGE_SIZE >> 10);
	unsigned long kb = int_sqrt(lowmem_kbytes * 16);

	m->min_free_kbytes = (int)clamp(kb, 128UL, 262144UL);
}

/**
 * calculate_totalreserve_pages - pages the allocator keeps back
 * @m: the machine
 *
 * Per zone: the largest lowmem_reserve it keeps against higher zones plus
 * its high watermark, at most its managed pages (cf.
 * calculate_totalreserve_pages()). MemAvailable subtracts this.
 */
void calculate_totalreserve_pages(struct machine *m)
{
	pg_data_t *pgdat = &m->node;

	pgdat->totalreserve_pages = 0;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		long max = 0;

		for (int j = i; j < MAX_NR_ZONES; j++)
			if (zone->lowmem_reserve[j] > max)
				max = zone->lowmem_reserve[j];
		max += (long)high_wmark_pages(zone);
		if (max > (long)zone->managed_pages)
			max = (long)zone->managed_pages;
		pgdat->totalreserve_pages += (unsigned long)max;
	}
}

/* (x / d) * n + ((x % d) * n) / d without overflow (cf. mult_frac()). */
static unsigned long mult_frac(unsigned long x, unsigned long n, unsigned long d)
{
	return (x / d) * n + ((x % d) * n) / d;
}

/*
 * pages_min = min_free_kbytes in pages, shared among the lowmem zones by
 * managed size. A highmem (or movable) zone instead gets managed/1024
 * clamped to [SWAP_CLUSTER_MAX, 128]. Each further mark adds
 * max(share / 4, managed * watermark_scale_factor / 10000):
 *	low = min + d, high = low + d, promo = high + d
 * (cf. __setup_per_zone_wmarks()).
 */
static void __setup_per_zone_wmarks(struct machine *m)
{
	unsigned long pages_min = (unsigned long)m->min_free_kbytes >> (PAGE_SHIFT - 10);
	unsigned long lowmem_pages = 0;

	for (int i = 0; i < MAX_NR_ZONES; i++)
		if (!is_highmem_idx(i) && i != ZONE_MOVABLE)
			lowmem_pages += m->node.node_zones[i].managed_pages;
	for (int i = 0; i < MAX_NR_ZONES; i++) {
		struct zone *zone = &m->node.node_zones[i];
		unsigned long managed = zone->managed_pages;
		u64 tmp = lowmem_pages ? (u64)pages_min * managed / lowmem_pages : 0;

		if (!zone->configured)
			continue;
		spin_lock(&zone->lock);
		if (is_highmem_idx(i) || i == ZONE_MOVABLE)
			zone->_watermark[WMARK_MIN] = clamp(managed / 1024, SWAP_CLUSTER_MAX, 128UL);
		else
			zone->_watermark[WMARK_MIN] = (unsigned long)tmp;
		tmp = max(tmp >> 2, (u64)mult_frac(managed, (unsigned long)m->watermark_scale_factor,
						   10000));
		zone->watermark_boost = 0;
		zone->_watermark[WMARK_LOW] = min_wmark_pages(zone) + (unsigned long)tmp;
		zone->_watermark[WMARK_HIGH] = low_wmark_pages(zone) + (unsigned long)tmp;
		zone->_watermark[WMARK_PROMO] = high_wmark_pages(zone) + (unsigned long)tmp;
		spin_unlock(&zone->lock);
	}
}

/*
 * Zone i keeps back, from requests that could have used zone j > i, the
 * managed pages of zones i+1..j divided by lowmem_reserve_ratio[i]
 * (DMA 256, DMA32 256, NORMAL 32; 0 or an empty zone: nothing). On an
 * i386 with 1 GiB (Normal 213,502 pages, HighMem 32,768 managed): DMA keeps
 * 213502 / 256 = 833 pages from Normal requests and (213502 + 32768) / 256
 * = 961 from HighMem ones; Normal keeps 32768 / 32 = 1024 from HighMem
 * ones (cf. setup_per_zone_lowmem_reserve()).
 */
static void setup_per_zone_lowmem_reserve(struct machine *m)
{
	pg_data_t *pgdat = &m->node;

	for (int i = 0; i < MAX_NR_ZONES - 1; i++) {
		struct zone *zone = &pgdat->node_zones[i];
		int ratio = m->lowmem_reserve_ratio[i];
		bool clear = ratio <= 0 || !zone->managed_pages;
		unsigned long managed_pages = 0;

		for (int j = i + 1; j < MAX_NR_ZONES; j++) {
			managed_pages += pgdat->node_zones[j].managed_pages;
			zone->lowmem_reserve[j] = clear ? 0 : (long)(managed_pages / (unsigned long)ratio);
		}
	}
	calculate_totalreserve_pages(m);
}

/*
 * Pages moved between a per-CPU list and the buddy lists at once: about
 * 0.1% of the zone, at most 1 MiB, divided by 4, then rounded to
 * 2^n - 1 (63 for zones of 256 MiB or more) to avoid cache aliasing
 * (cf. zone_batchsize()).
 */
static int zone_batchsize(const struct zone *zone)
{
	unsigned long batch = min(zone->managed_pages >> 10, (unsigned long)(SZ_1M / PAGE_SIZE));
	unsigned long x;

	batch /= 4;
	if (batch < 1)
		batch = 1;
	x = batch + batch / 2;
	return (int)((1UL << (63 - __builtin_clzl(x))) - 1);
}

/*
 * high: the zone's low watermark (or managed / high_fraction) split across
 * the node's CPUs, at least 4 * batch (cf. zone_highsize()).
 */
static int zone_highsize(const struct machine *m, const struct zone *zone, int batch,
			 int high_fraction)
{
	unsigned long total_pages = high_fraction ? zone->managed_pages / (unsigned long)high_fraction
						  : low_wmark_pages(zone);
	unsigned long nr_split_cpus = pcp_nr_cpus(m);
	long high = (long)(total_pages / nr_split_cpus);

	return (int)max(high, (long)batch << 2);
}

/**
 * zone_pcp_update - size every CPU's list of a zone from its current marks
 * @m: the machine
 * @zone: the zone
 *
 * batch = max(1, zone_batchsize); high_min from the low watermark,
 * high_max from MIN_PERCPU_PAGELIST_HIGH_FRACTION, both equal to the
 * fraction's value when percpu_pagelist_high_fraction is set
 * (cf. zone_set_pageset_high_and_batch()). Linux tunes high between the
 * two as the list is used; mmkit keeps high = high_min.
 */
void zone_pcp_update(struct machine *m, struct zone *zone)
{
	int batch = max(1, zone_batchsize(zone)), high_min, high_max;
	int fraction = m->percpu_pagelist_high_fraction;

	if (fraction) {
		high_min = zone_highsize(m, zone, batch, fraction);
		high_max = high_min;
	} else {
		high_min = zone_highsize(m, zone, batch, 0);
		high_max = zone_highsize(m, zone, batch, MIN_PERCPU_PAGELIST_HIGH_FRACTION);
	}
	zone->pageset_batch = batch;
	zone->pageset_high_min = high_min;
	zone->pageset_high_max = high_max;
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		struct per_cpu_pages *pcp = &zone->pageset[cpu];

		pcp->batch = batch;
		pcp->high_min = high_min;
		pcp->high_max = high_max;
		pcp->high = high_min;
	}
}

/**
 * setup_per_cpu_pageset - initialise every zone's per-CPU lists
 * @m: the machine
 *
 * Empty lists, sized by zone_pcp_update (before the watermarks exist,
 * high is 4 * batch; setup_per_zone_wmarks sizes them again).
 */
void setup_per_cpu_pageset(struct machine *m)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->node.node_zones[z];

		for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
			INIT_LIST_HEAD(&zone->pageset[cpu].list);
			spin_lock_init(&zone->pageset[cpu].lock);
			zone->pageset[cpu].count = 0;
		}
		zone_pcp_update(m, zone);
	}
}

/**
 * setup_per_zone_wmarks - compute every zone's watermarks and reserves
 * @m: the machine; m->min_free_kbytes, watermark_scale_factor,
 *     lowmem_reserve_ratio and percpu_pagelist_high_fraction as set
 *
 * Watermarks, then the per-CPU lists' high (which follows the low mark),
 * the vmstat thresholds, lowmem_reserve and totalreserve_pages: the part of
 * Linux's init_per_zone_wmark_min after min_free_kbytes, which mem_init
 * computed. Call again after changing a tunable.
 */
void setup_per_zone_wmarks(struct machine *m)
{
	__setup_per_zone_wmarks(m);
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->node.node_zones[z];

		zone_pcp_update(m, zone);
		zone->stat_threshold = populated_zone(zone) ? calculate_normal_threshold(m, zone) : 0;
	}
	setup_per_zone_lowmem_reserve(m);
}

/**
 * si_mem_available - memory available for new work without swapping
 * @m: the machine
 *
 * Free pages less totalreserve_pages, plus the page cache and reclaimable
 * slab that can go, each less min(half of it, the sum of low watermarks)
 * (cf. si_mem_available()). Returns pages, never negative.
 */
long si_mem_available(struct machine *m)
{
	pg_data_t *pgdat = &m->node;
	unsigned long wmark_low = 0, pagecache, reclaimable;
	long available;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		wmark_low += low_wmark_pages(&pgdat->node_zones[z]);
	available = (long)nr_free_pages(m) - (long)pgdat->totalreserve_pages;
	pagecache = node_page_state(pgdat, NR_ACTIVE_FILE) + node_page_state(pgdat, NR_INACTIVE_FILE);
	pagecache -= min(pagecache / 2, wmark_low);
	available += (long)pagecache;
	/* mmkit keeps the slab counters in pages (see enum node_stat_item) */
	reclaimable = node_page_state(pgdat, NR_SLAB_RECLAIMABLE_B) +
		      node_page_state(pgdat, NR_KERNEL_MISC_RECLAIMABLE);
	reclaimable -= min(reclaimable / 2, wmark_low);
	available += (long)reclaimable;
	return available < 0 ? 0 : available;
}
