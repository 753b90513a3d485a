/* Zones, zonelists, mem_map and the hand-over from boot memory (cf. mm/mm_init.c:
 * free_area_init, memmap_init, mem_init_print_info; arch/x86/mm/init*.c:
 * zone_sizes_init, mem_init). free_area_init sizes the zones from the e820
 * RAM ranges, places mem_map in simulated RAM with bootmem and marks every
 * page reserved; mem_init frees what bootmem does not hold (free_all_bootmem)
 * and the high memory above it to the buddy allocator.
 * Invariants after mem_init: every pfn < max_pfn has a struct page whose
 * zone bits name the zone spanning it (holes: the zone below them); a page
 * is PageReserved exactly when the buddy allocator never got it; zone
 * present/managed pages are RAM pages / pages handed over;
 * totalram_pages == sum(managed_pages). */
#include "mm/page_alloc.h"

const char *const zone_names[MAX_NR_ZONES] = {
	[ZONE_DMA] = "DMA",	    [ZONE_DMA32] = "DMA32",	[ZONE_NORMAL] = "Normal",
	[ZONE_HIGHMEM] = "HighMem", [ZONE_MOVABLE] = "Movable", [ZONE_DEVICE] = "Device",
};

/* Linux's sysctl_lowmem_reserve_ratio defaults, per zone. */
static const int default_lowmem_reserve_ratio[MAX_NR_ZONES] = {
	[ZONE_DMA] = 256, [ZONE_DMA32] = 256, [ZONE_NORMAL] = 32,
};

/* RAM as memblock would hold it: e820 RAM entries page-rounded (start up,
 * end down), clipped to max_pfn, sorted, adjacent ones merged. */
struct ram_ranges {
	int nr;
	unsigned long start[E820MAX], end[E820MAX];
};

static void collect_ram_ranges(struct machine *m, struct ram_ranges *r)
{
	r->nr = 0;
	for (int i = 0; i < m->e820.nr_map && i < E820MAX; i++) {
		const struct e820entry *e = &m->e820.map[i];
		unsigned long s, t;
		int j;

		if (e->type != E820_RAM)
			continue;
		s = PFN_UP(e->addr);
		t = PFN_DOWN(e->addr + e->size);
		if (t > m->max_pfn)
			t = m->max_pfn;
		if (s >= t)
			continue;
		for (j = r->nr; j > 0 && r->start[j - 1] > s; j--) {
			r->start[j] = r->start[j - 1];
			r->end[j] = r->end[j - 1];
		}
		r->start[j] = s;
		r->end[j] = t;
		r->nr++;
	}
	for (int i = 1; i < r->nr; i++) {
		if (r->start[i] > r->end[i - 1])
			continue;
		if (r->end[i] > r->end[i - 1])
			r->end[i - 1] = r->end[i];
		for (int j = i + 1; j < r->nr; j++) {
			r->start[j - 1] = r->start[j];
			r->end[j - 1] = r->end[j];
		}
		r->nr--;
		i--;
	}
}

/**
 * zone_config_idx - a zone's index in Linux's enum for this kernel config
 * @m: the machine
 * @zid: mmkit's ZONE_* (which lists every zone any config has)
 *
 * i386: DMA 0, Normal 1, HighMem 2, Movable 3 (2 without HIGHMEM);
 * x86_64: DMA 0, DMA32 1, Normal 2, Movable 3, Device 4.
 */
int zone_config_idx(const struct machine *m, int zid)
{
	int idx = 0;

	for (int z = 0; z < zid && z < MAX_NR_ZONES; z++)
		idx += m->node.node_zones[z].configured;
	return idx;
}

/**
 * lowmem_end_pfn - the end of the directly mapped memory
 * @m: the machine
 *
 * max_low_pfn on i386, max_pfn on x86_64 (everything is mapped).
 */
unsigned long lowmem_end_pfn(const struct machine *m)
{
	if (m->arch.x86_64 || m->max_low_pfn > m->max_pfn)
		return m->max_pfn;
	return m->max_low_pfn;
}

/* The zones this kernel config has, and the end pfn the arch gives each
 * (cf. zone_sizes_init()): DMA below 16 MiB, DMA32 below 4 GiB, Normal to
 * the end of low memory, HighMem to max_pfn. Movable and Device end where
 * their predecessor does: always empty here. */
static void zone_config(struct machine *m, unsigned long max_zone_pfn[MAX_NR_ZONES])
{
	const struct arch_layout *a = &m->arch;
	unsigned long low = lowmem_end_pfn(m);
	unsigned long dma = a->max_dma_pfn ? a->max_dma_pfn : PFN_DOWN(SZ_16M);
	unsigned long dma32 = a->max_dma32_pfn ? a->max_dma32_pfn : PFN_DOWN(SZ_4G);
	bool x86_64 = a->x86_64;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->node.node_zones[z];

		zone->name = zone_names[z];
		zone->zone_pgdat = &m->node;
		max_zone_pfn[z] = 0;
	}
	m->node.node_zones[ZONE_DMA].configured = true;
	m->node.node_zones[ZONE_DMA32].configured = x86_64;
	m->node.node_zones[ZONE_NORMAL].configured = true;
	m->node.node_zones[ZONE_HIGHMEM].configured = !x86_64 && a->highmem;
	m->node.node_zones[ZONE_MOVABLE].configured = true;
	m->node.node_zones[ZONE_DEVICE].configured = x86_64;
	max_zone_pfn[ZONE_DMA] = min(dma, low);
	if (x86_64)
		max_zone_pfn[ZONE_DMA32] = min(dma32, low);
	max_zone_pfn[ZONE_NORMAL] = low;
	if (m->node.node_zones[ZONE_HIGHMEM].configured)
		max_zone_pfn[ZONE_HIGHMEM] = m->max_pfn;
}

/* The possible range of each zone, from the first RAM pfn up (cf. the
 * arch_zone_{lowest,highest}_possible_pfn of free_area_init()), and the
 * "Zone ranges:" block of the boot log. */
static void zone_ranges(struct machine *m, const struct ram_ranges *r,
			unsigned long lo[MAX_NR_ZONES], unsigned long hi[MAX_NR_ZONES])
{
	unsigned long max_zone_pfn[MAX_NR_ZONES];
	unsigned long start = r->nr ? r->start[0] : 0;

	zone_config(m, max_zone_pfn);
	pr_info(m, "Zone ranges:\n");
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		lo[z] = hi[z] = 0;
		if (!m->node.node_zones[z].configured || z == ZONE_MOVABLE)
			continue;
		lo[z] = start;
		hi[z] = max(max_zone_pfn[z], start);
		start = hi[z];
		if (lo[z] == hi[z])
			pr_info(m, "  %-8s empty\n", zone_names[z]);
		else
			pr_info(m, "  %-8s [mem 0x%016llx-0x%016llx]\n", zone_names[z],
				(unsigned long long)PFN_PHYS(lo[z]),
				(unsigned long long)PFN_PHYS(hi[z]) - 1);
	}
	pr_info(m, "Movable zone start for each node\n");
	pr_info(m, "Early memory node ranges\n");
	for (int i = 0; i < r->nr; i++)
		pr_info(m, "  node %3d: [mem 0x%016llx-0x%016llx]\n", 0,
			(unsigned long long)PFN_PHYS(r->start[i]),
			(unsigned long long)PFN_PHYS(r->end[i]) - 1);
}

/* Span and RAM of each zone within the node (cf. calculate_node_totalpages()). */
static void size_zones(struct machine *m, const struct ram_ranges *r,
		       const unsigned long lo[MAX_NR_ZONES], const unsigned long hi[MAX_NR_ZONES])
{
	pg_data_t *pgdat = &m->node;
	unsigned long node_start = r->nr ? r->start[0] : 0, node_end = r->nr ? r->end[r->nr - 1] : 0;

	pgdat->node_start_pfn = node_start;
	pgdat->node_spanned_pages = node_end - node_start;
	pgdat->node_present_pages = 0;
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &pgdat->node_zones[z];
		unsigned long s = max(lo[z], node_start), e = min(hi[z], node_end);

		zone->zone_start_pfn = 0;
		zone->spanned_pages = zone->present_pages = zone->managed_pages = 0;
		if (!zone->configured || s >= e)
			continue;
		zone->zone_start_pfn = s;
		zone->spanned_pages = e - s;
		for (int i = 0; i < r->nr; i++) {
			unsigned long a = max(r->start[i], s), b = min(r->end[i], e);

			if (a < b)
				zone->present_pages += b - a;
		}
		pgdat->node_present_pages += zone->present_pages;
	}
	pr_info(m, "Initmem setup node 0 [mem 0x%016llx-0x%016llx]\n",
		(unsigned long long)PFN_PHYS(node_start),
		node_end ? (unsigned long long)PFN_PHYS(node_end) - 1 : 0ULL);
}

/* The zone a pfn belongs to for its struct page: the one spanning it, or
 * for a hole the highest zone starting at or below it. */
static int zone_of_pfn(struct machine *m, unsigned long pfn)
{
	int zid = ZONE_DMA;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &m->node.node_zones[z];

		if (zone->spanned_pages && zone->zone_start_pfn <= pfn)
			zid = z;
	}
	return zid;
}

/* Every struct page starts reserved, refcount 1, unmapped, in its zone
 * (cf. __init_single_page() and init_unavailable_range()). */
static void memmap_init_pages(struct machine *m)
{
	unsigned long pfn = 0;

	while (pfn < m->max_pfn) {
		int zid = zone_of_pfn(m, pfn);
		const struct zone *next = NULL;
		unsigned long end = m->max_pfn;

		for (int z = zid + 1; z < MAX_NR_ZONES && !next; z++)
			if (m->node.node_zones[z].spanned_pages)
				next = &m->node.node_zones[z];
		if (next && next->zone_start_pfn < end)
			end = next->zone_start_pfn;
		for (; pfn < end; pfn++) {
			struct page *page = pfn_to_page(m, pfn);

			mm_memset(page, 0, sizeof(*page));
			page->flags = (1UL << PG_reserved) | ((unsigned long)zid << ZONES_PGSHIFT);
			INIT_LIST_HEAD(&page->lru);
			page->_mapcount = -1;
			page->_refcount = 1;
		}
	}
}

/* Pfns of [a, b) that have a memory map: all of them with FLATMEM (i386);
 * with SPARSEMEM (x86_64) only those in 128 MiB sections holding RAM. */
static unsigned long valid_pfns(struct machine *m, const struct ram_ranges *r, unsigned long a,
				unsigned long b)
{
	unsigned long n = 0;

	if (!m->arch.x86_64)
		return b > a ? b - a : 0;
	for (unsigned long s = a & ~(PAGES_PER_SECTION - 1); s < b; s += PAGES_PER_SECTION) {
		unsigned long se = s + PAGES_PER_SECTION;
		bool present = false;

		for (int i = 0; i < r->nr && !present; i++)
			present = r->start[i] < se && r->end[i] > s;
		if (present)
			n += min(se, b) - max(s, a);
	}
	return n;
}

static void report_unavailable(struct machine *m, const struct ram_ranges *r, unsigned long a,
			       unsigned long b, int zid)
{
	unsigned long n = valid_pfns(m, r, a, b);

	if (n)
		pr_info(m, "On node 0, zone %s: %lu pages in unavailable ranges\n", zone_names[zid], n);
}

/* The holes between RAM ranges, each counted against the zone of the RAM
 * after it, and the tail of the last section against the highest zone
 * (cf. memmap_init()). */
static void memmap_report_holes(struct machine *m, const struct ram_ranges *r)
{
	unsigned long hole_pfn = 0, end_pfn = 0;
	int zone_id = 0;

	for (int i = 0; i < r->nr; i++) {
		for (int z = 0; z < MAX_NR_ZONES; z++) {
			const struct zone *zone = &m->node.node_zones[z];
			unsigned long s, e;

			if (!populated_zone(zone))
				continue;
			s = clamp(r->start[i], zone->zone_start_pfn, zone_end_pfn(zone));
			e = clamp(r->end[i], zone->zone_start_pfn, zone_end_pfn(zone));
			zone_id = z;
			if (s >= e)
				continue;
			if (hole_pfn < s)
				report_unavailable(m, r, hole_pfn, s, z);
			hole_pfn = e;
		}
		end_pfn = r->end[i];
	}
	if (m->arch.x86_64)
		end_pfn = ALIGN(end_pfn, PAGES_PER_SECTION);
	if (hole_pfn < end_pfn)
		report_unavailable(m, r, hole_pfn, end_pfn, zone_id);
}

/**
 * build_all_zonelists - the fallback order of every request
 * @m: the machine
 *
 * node_zonelists[z] lists the populated zones at or below z, highest first
 * (HIGHMEM -> NORMAL -> DMA32 -> DMA). Also fills the gfp_zone table for
 * this kernel config.
 */
void build_all_zonelists(struct machine *m)
{
	pg_data_t *pgdat = &m->node;
	bool highmem = pgdat->node_zones[ZONE_HIGHMEM].configured;
	bool dma32 = pgdat->node_zones[ZONE_DMA32].configured;
	signed char *t = pgdat->gfp_zone_table;

	for (int hz = 0; hz < MAX_NR_ZONES; hz++) {
		int n = 0;

		for (int z = hz; z >= 0; z--)
			if (populated_zone(&pgdat->node_zones[z]))
				pgdat->node_zonelists[hz].zones[n++] = &pgdat->node_zones[z];
		pgdat->node_zonelists[hz].zones[n] = NULL;
	}
	for (int i = 0; i < 16; i++)
		t[i] = -EINVAL;
	t[0] = ZONE_NORMAL;
	t[___GFP_DMA] = ZONE_DMA;
	t[___GFP_HIGHMEM] = highmem ? ZONE_HIGHMEM : ZONE_NORMAL;
	t[___GFP_DMA32] = dma32 ? ZONE_DMA32 : ZONE_NORMAL;
	t[___GFP_MOVABLE] = ZONE_NORMAL;
	t[___GFP_MOVABLE | ___GFP_DMA] = ZONE_DMA;
	t[___GFP_MOVABLE | ___GFP_HIGHMEM] = ZONE_MOVABLE;
	t[___GFP_MOVABLE | ___GFP_DMA32] = dma32 ? ZONE_DMA32 : ZONE_NORMAL;
}

static void zones_init(struct machine *m)
{
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		struct zone *zone = &m->node.node_zones[z];

		spin_lock_init(&zone->lock);
		for (int o = 0; o < NR_PAGE_ORDERS; o++) {
			INIT_LIST_HEAD(&zone->free_area[o].free_list);
			zone->free_area[o].nr_free = 0;
		}
	}
	setup_per_cpu_pageset(m);
	build_all_zonelists(m);
}

/* Tunables a fresh machine gets (a caller may set them before boot). */
static void page_alloc_defaults(struct machine *m)
{
	bool ratios_set = false;

	m->pageblock_order = (m->arch.x86_64 || m->arch.pae) ? 9 : 10;
	if (!m->watermark_scale_factor)
		m->watermark_scale_factor = 10;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		ratios_set |= m->lowmem_reserve_ratio[z] != 0;
	if (!ratios_set)
		for (int z = 0; z < MAX_NR_ZONES; z++)
			m->lowmem_reserve_ratio[z] = default_lowmem_reserve_ratio[z];
}

/**
 * free_area_init - size the zones and build mem_map
 * @m: the machine after setup_arch (max_pfn, max_low_pfn, e820, bootmem)
 *
 * Prints the zone ranges, the early memory ranges and the node as Linux
 * 6.x does, sizes each zone (spanned and present pages), allocates one
 * struct page per pfn below max_pfn from bootmem (above 16 MiB when it
 * can), marks every page reserved, reports the holes and builds the
 * zonelists. Returns 0, or -ENOMEM when mem_map does not fit in bootmem.
 */
int free_area_init(struct machine *m)
{
	unsigned long lo[MAX_NR_ZONES], hi[MAX_NR_ZONES];
	unsigned long size = m->max_pfn * sizeof(struct page);
	struct ram_ranges r;
	void *map;

	page_alloc_defaults(m);
	collect_ram_ranges(m, &r);
	zone_ranges(m, &r, lo, hi);
	size_zones(m, &r, lo, hi);
	map = __alloc_bootmem_nopanic(m, PFN_ALIGN(size), PAGE_SIZE, SZ_16M);
	if (!map) {
		pr_emerg(m, "Kernel panic - not syncing: Failed to allocate %lu bytes for "
			    "node 0 memory map\n", size);
		return -ENOMEM;
	}
	m->mem_map = map;
	m->mem_map_phys = __pa(m, map);
	m->node.node_mem_map = map;
	memmap_init_pages(m);
	memmap_report_holes(m, &r);
	zones_init(m);
	return 0;
}

/* Free the RAM above what bootmem covered (high memory on i386): largest
 * aligned blocks first (cf. add_highpages_with_active_regions()). */
static void free_highpages(struct machine *m, unsigned long from)
{
	struct ram_ranges r;

	collect_ram_ranges(m, &r);
	for (int i = 0; i < r.nr; i++) {
		unsigned long pfn = max(r.start[i], from), end = r.end[i];

		while (pfn < end) {
			unsigned int order = pfn ? (unsigned int)__builtin_ctzl(pfn) : MAX_PAGE_ORDER;

			if (order > MAX_PAGE_ORDER)
				order = MAX_PAGE_ORDER;
			while (pfn + (1UL << order) > end)
				order--;
			if (zone_spans_pfn(page_zone(m, pfn_to_page(m, pfn)), pfn))
				__free_pages_bootmem(m, pfn_to_page(m, pfn), order);
			pfn += 1UL << order;
		}
	}
}

/* "Memory: 118452K/130552K available (2048K kernel code, ...)" (cf.
 * mem_init_print_info()); rodata inside text or data is not counted twice. */
static void mem_init_print_info(struct machine *m)
{
	const struct kernel_image *k = &m->kimage;
	unsigned long physpages = m->node.node_present_pages;
	u64 codesize = k->etext - k->text, datasize = k->edata - k->sdata;
	u64 rosize = k->end_rodata - k->start_rodata, bss = k->bss_stop - k->bss_start;
	char high[48] = "";

	if (k->start_rodata >= k->text && k->start_rodata < k->etext && codesize > rosize)
		codesize -= rosize;
	if (k->start_rodata >= k->sdata && k->start_rodata < k->edata && datasize > rosize)
		datasize -= rosize;
	if (m->node.node_zones[ZONE_HIGHMEM].configured)
		machine_snprintf(high, sizeof(high), ", %luK highmem", m->totalhigh_pages << 2);
	pr_info(m, "Memory: %luK/%luK available (%lluK kernel code, %lluK rwdata, %lluK rodata, "
		   "%luK init, %lluK bss, %luK reserved, %luK cma-reserved%s)\n",
		nr_free_pages(m) << 2, physpages << 2, (unsigned long long)codesize >> 10,
		(unsigned long long)datasize >> 10, (unsigned long long)rosize >> 10, 0UL,
		(unsigned long long)bss >> 10, (physpages - m->totalram_pages) << 2, 0UL, high);
}

/**
 * mem_init - give all free memory to the buddy allocator
 * @m: the machine after free_area_init
 *
 * free_all_bootmem() hands over the low memory bootmem did not keep; the
 * RAM above bootmem's reach (high memory) follows. Sets totalram_pages,
 * totalhigh_pages and reserved_pages, prints the "Memory:" line, sizes the
 * per-CPU lists and min_free_kbytes (setup_per_zone_wmarks does the rest).
 * Returns 0.
 */
int mem_init(struct machine *m)
{
	unsigned long bootmem_end = m->bdata.node_low_pfn;

	if (!bootmem_end || bootmem_end > lowmem_end_pfn(m))
		bootmem_end = lowmem_end_pfn(m);
	free_all_bootmem(m);
	free_highpages(m, bootmem_end);
	m->totalram_pages = 0;
	for (int z = 0; z < MAX_NR_ZONES; z++)
		m->totalram_pages += m->node.node_zones[z].managed_pages;
	m->totalhigh_pages = m->node.node_zones[ZONE_HIGHMEM].managed_pages;
	m->reserved_pages = m->node.node_present_pages - m->totalram_pages;
	mem_init_print_info(m);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		zone_pcp_update(m, &m->node.node_zones[z]);
	calculate_min_free_kbytes(m);
	return 0;
}
