/* The page allocator's reports and debug checks (cf. bad_page() and
 * warn_alloc() in mm/page_alloc.c, dump_page() in mm/debug.c, the %pGg and
 * %pGp formats of lib/vsprintf.c, mm/page_poison.c, show_free_areas() in
 * mm/show_mem.c), and check_page_alloc, the CONFIG_DEBUG_VM checker of the
 * buddy allocator's invariants (listed at the top of page_alloc.c).
 * Reports only read and print; the one thing they change is the counters
 * (m->nr_bad_pages, m->nr_poison_errors) and their rate-limit state. */
#include "mm/page_alloc.h"

#define NSEC_PER_SEC 1000000000ULL

/* ---- page state ----------------------------------------------------- */

/**
 * page_bad_reason - why a page is not in the state its caller expects
 * @page: the page
 * @flags: PAGE_FLAGS_CHECK_AT_FREE or PAGE_FLAGS_CHECK_AT_PREP
 *
 * Returns Linux's reason text (the last failing test wins, as in Linux),
 * or NULL when the page is clean: mapcount -1, no mapping, refcount 0 and
 * none of flags set.
 */
const char *page_bad_reason(const struct page *page, unsigned long flags)
{
	const char *bad_reason = NULL;

	if (page->_mapcount != -1)
		bad_reason = "nonzero mapcount";
	if (page->mapping)
		bad_reason = "non-NULL mapping";
	if (page->_refcount != 0)
		bad_reason = "nonzero _refcount";
	if (page->flags & flags) {
		if (flags == PAGE_FLAGS_CHECK_AT_PREP)
			bad_reason = "PAGE_FLAGS_CHECK_AT_PREP flag(s) set";
		else
			bad_reason = "PAGE_FLAGS_CHECK_AT_FREE flag(s) set";
	}
	return bad_reason;
}

/* Page flags by name, in the order %pGp prints them (cf.
 * __def_pageflag_names). PG_buddy, PG_table and PG_slab are page types in
 * Linux 6.x and print on their own page_type line; PG_poisoned is mmkit's
 * debug mark. */
static const struct {
	int bit;
	const char *name;
} pageflag_names[] = {
	{ PG_locked, "locked" },	 { PG_referenced, "referenced" },
	{ PG_uptodate, "uptodate" },	 { PG_dirty, "dirty" },
	{ PG_lru, "lru" },		 { PG_head, "head" },
	{ PG_active, "active" },	 { PG_workingset, "workingset" },
	{ PG_reserved, "reserved" },	 { PG_private, "private" },
	{ PG_writeback, "writeback" },	 { PG_swapbacked, "swapbacked" },
	{ PG_swapcache, "swapcache" },	 { PG_unevictable, "unevictable" },
	{ PG_mlocked, "mlocked" },
};

/* "0x...(name|name|node=0|zone=N)" (cf. format_page_flags()). */
static void format_page_flags(struct machine *m, char *buf, size_t size, unsigned long flags)
{
	size_t n = (size_t)machine_snprintf(buf, size, "0x%lx(", flags);

	for (size_t i = 0; i < ARRAY_SIZE(pageflag_names) && n < size; i++)
		if (flags & (1UL << pageflag_names[i].bit))
			n += (size_t)machine_snprintf(buf + n, size - n, "%s|", pageflag_names[i].name);
	if (n < size && config_numa(m))
		n += (size_t)machine_snprintf(buf + n, size - n, "node=0|");
	if (n < size)
		machine_snprintf(buf + n, size - n, "zone=%d)",
				 zone_config_idx(m, (int)((flags >> ZONES_PGSHIFT) & ZONES_MASK)));
}

/**
 * dump_page - print a page's state in the form of Linux's dump_page()
 * @m: the machine
 * @page: the page
 * @reason: printed as "page dumped because: REASON" (may be NULL)
 */
void dump_page(struct machine *m, const struct page *page, const char *reason)
{
	const unsigned long *raw = (const unsigned long *)page;
	int ptr_width = m->arch.x86_64 ? 16 : 8;
	char flags[256];
	const char *type = NULL;
	size_t words = sizeof(*page) / sizeof(unsigned long);

	if (PageBuddy(page))
		type = "f0(buddy)";
	else if (PageTable(page))
		type = "f2(table)";
	else if (PageSlab(page))
		type = "f5(slab)";
	pr_warn(m, "page: refcount:%d mapcount:%d mapping:%0*lx index:0x%lx pfn:0x%lx\n",
		page_count(page), type ? 0 : page_mapcount(page), ptr_width,
		(unsigned long)(uintptr_t)page->mapping, page->index, page_to_pfn(m, page));
	format_page_flags(m, flags, sizeof(flags), page->flags);
	pr_warn(m, "flags: %s\n", flags);
	if (type)
		pr_warn(m, "page_type: %s\n", type);
	for (size_t i = 0; i < words; i += 4) {
		char line[96];
		size_t n = 0;

		for (size_t j = i; j < words && j < i + 4; j++)
			n += (size_t)machine_snprintf(line + n, sizeof(line) - n, "%s%016lx",
						      j > i ? " " : "", raw[j]);
		pr_warn(m, "raw: %s\n", line);
	}
	if (reason)
		pr_warn(m, "page dumped because: %s\n", reason);
}

/**
 * bad_page - report a page found in a state it must not be in
 * @m: the machine
 * @page: the page
 * @reason: what is wrong, printed after the page dump
 *
 * Prints "BUG: Bad page state in process COMM  pfn:PFN" and the dump, a
 * burst of 60 reports a (simulated) minute as Linux does, and counts every
 * report in m->nr_bad_pages. The page is left as it is: the caller leaks it
 * rather than risk the free lists.
 */
void bad_page(struct machine *m, struct page *page, const char *reason)
{
	m->nr_bad_pages++;
	if (m->bad_page_shown == 60) {
		if (m->clock_ns < m->bad_page_resume) {
			m->bad_page_unshown++;
			return;
		}
		if (m->bad_page_unshown) {
			printk(m, KERN_ALERT "BUG: Bad page state: %lu messages suppressed\n",
				 m->bad_page_unshown);
			m->bad_page_unshown = 0;
		}
		m->bad_page_shown = 0;
	}
	if (m->bad_page_shown++ == 0)
		m->bad_page_resume = m->clock_ns + 60 * NSEC_PER_SEC;
	printk(m, KERN_ALERT "BUG: Bad page state in process %s  pfn:%05lx\n", m->comm,
		 page_to_pfn(m, page));
	dump_page(m, page, reason);
}

/* ---- poisoning ------------------------------------------------------ */

/**
 * kernel_poison_pages - fill freed pages with PAGE_POISON and mark them
 * @m: the machine
 * @page: the first page
 * @nr: how many pages
 */
void kernel_poison_pages(struct machine *m, struct page *page, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		mm_memset(phys_to_host(m, page_to_phys(m, page + i)), PAGE_POISON, PAGE_SIZE);
		SetPagePoisoned(page + i);
	}
}

/* "ADDR: aa aa ...  ascii" rows of 16 (cf. print_hex_dump(DUMP_PREFIX_ADDRESS)). */
static void print_hex_dump(struct machine *m, u64 va, const u8 *p, size_t len)
{
	int width = m->arch.x86_64 ? 16 : 8;

	for (size_t off = 0; off < len; off += 16) {
		char hex[64], ascii[20];
		size_t n = 0, row = len - off < 16 ? len - off : 16;

		for (size_t j = 0; j < row; j++) {
			u8 c = p[off + j];

			n += (size_t)machine_snprintf(hex + n, sizeof(hex) - n, j ? " %02x" : "%02x", c);
			ascii[j] = (c >= 0x20 && c < 0x7f) ? (char)c : '.';
		}
		ascii[row] = '\0';
		pr_err(m, "%0*llx: %-49s%s\n", width, (unsigned long long)(va + off), hex, ascii);
	}
}

static void check_poison_mem(struct machine *m, struct page *page)
{
	const u8 *mem = phys_to_host(m, page_to_phys(m, page));
	size_t start, end;

	for (start = 0; start < PAGE_SIZE && mem[start] == PAGE_POISON; start++)
		;
	if (start == PAGE_SIZE)
		return;
	for (end = PAGE_SIZE - 1; end > start && mem[end] == PAGE_POISON; end--)
		;
	if (++m->nr_poison_errors > 10)	/* cf. DEFINE_RATELIMIT_STATE(5 * HZ, 10) */
		return;
	if (start == end && __builtin_popcount((unsigned int)(mem[start] ^ PAGE_POISON)) == 1)
		pr_err(m, "pagealloc: single bit error\n");
	else
		pr_err(m, "pagealloc: memory corruption\n");
	print_hex_dump(m, m->arch.page_offset + page_to_phys(m, page) + start, mem + start,
		       end - start + 1);
	dump_page(m, page, "pagealloc: corrupted page details");
}

/**
 * check_poison_pages - verify pages poisoned at free still hold PAGE_POISON
 * @m: the machine
 * @page: the first page
 * @nr: how many pages
 *
 * Reports each changed page ("pagealloc: memory corruption") and clears
 * the poisoned mark. Returns true when every page was intact.
 */
bool check_poison_pages(struct machine *m, struct page *page, unsigned int nr)
{
	unsigned long before = m->nr_poison_errors;

	for (unsigned int i = 0; i < nr; i++) {
		if (!PagePoisoned(page + i))
			continue;
		check_poison_mem(m, page + i);
		ClearPagePoisoned(page + i);
	}
	return m->nr_poison_errors == before;
}

/* ---- allocation failures -------------------------------------------- */

/* Named gfp masks, composites first (cf. __def_gfpflag_names). */
static const struct {
	gfp_t mask;
	const char *name;
} gfpflag_names[] = {
	{ GFP_TRANSHUGE, "GFP_TRANSHUGE" },
	{ GFP_TRANSHUGE_LIGHT, "GFP_TRANSHUGE_LIGHT" },
	{ GFP_HIGHUSER_MOVABLE, "GFP_HIGHUSER_MOVABLE" },
	{ GFP_HIGHUSER, "GFP_HIGHUSER" },
	{ GFP_USER, "GFP_USER" },
	{ GFP_KERNEL_ACCOUNT, "GFP_KERNEL_ACCOUNT" },
	{ GFP_KERNEL, "GFP_KERNEL" },
	{ GFP_NOFS, "GFP_NOFS" },
	{ GFP_ATOMIC, "GFP_ATOMIC" },
	{ GFP_NOIO, "GFP_NOIO" },
	{ GFP_NOWAIT, "GFP_NOWAIT" },
	{ GFP_DMA, "GFP_DMA" },
	{ __GFP_HIGHMEM, "__GFP_HIGHMEM" },
	{ GFP_DMA32, "GFP_DMA32" },
	{ __GFP_HIGH, "__GFP_HIGH" },
	{ __GFP_IO, "__GFP_IO" },
	{ __GFP_FS, "__GFP_FS" },
	{ __GFP_NOWARN, "__GFP_NOWARN" },
	{ __GFP_RETRY_MAYFAIL, "__GFP_RETRY_MAYFAIL" },
	{ __GFP_NOFAIL, "__GFP_NOFAIL" },
	{ __GFP_NORETRY, "__GFP_NORETRY" },
	{ __GFP_COMP, "__GFP_COMP" },
	{ __GFP_ZERO, "__GFP_ZERO" },
	{ __GFP_NOMEMALLOC, "__GFP_NOMEMALLOC" },
	{ __GFP_MEMALLOC, "__GFP_MEMALLOC" },
	{ __GFP_HARDWALL, "__GFP_HARDWALL" },
	{ __GFP_THISNODE, "__GFP_THISNODE" },
	{ __GFP_RECLAIMABLE, "__GFP_RECLAIMABLE" },
	{ __GFP_MOVABLE, "__GFP_MOVABLE" },
	{ __GFP_ACCOUNT, "__GFP_ACCOUNT" },
	{ __GFP_WRITE, "__GFP_WRITE" },
	{ __GFP_RECLAIM, "__GFP_RECLAIM" },
	{ __GFP_DIRECT_RECLAIM, "__GFP_DIRECT_RECLAIM" },
	{ __GFP_KSWAPD_RECLAIM, "__GFP_KSWAPD_RECLAIM" },
	{ __GFP_ZEROTAGS, "__GFP_ZEROTAGS" },
};

/**
 * format_gfp_flags - render a gfp mask as Linux's %pGg does
 * @buf: where to write
 * @size: its size
 * @gfp: the mask
 *
 * Names joined by '|', each name taking its bits, leftover bits in hex:
 * 0xcc0 gives "GFP_KERNEL", 0x2820 "GFP_ATOMIC|__GFP_NOWARN", 0 gives "".
 * Returns the length written (like snprintf).
 */
int format_gfp_flags(char *buf, size_t size, gfp_t gfp)
{
	size_t n = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; gfp && i < ARRAY_SIZE(gfpflag_names); i++) {
		gfp_t mask = gfpflag_names[i].mask;

		if ((gfp & mask) != mask)
			continue;
		gfp &= ~mask;
		n += (size_t)machine_snprintf(buf + (n < size ? n : size), n < size ? size - n : 0,
					      "%s%s", gfpflag_names[i].name, gfp ? "|" : "");
	}
	if (gfp)
		n += (size_t)machine_snprintf(buf + (n < size ? n : size), n < size ? size - n : 0,
					      "0x%x", gfp);
	return (int)n;
}

/* The zone part of the Mem-Info report (cf. show_free_areas()); free blocks
 * are listed without the migratetype letters, mmkit has no migratetypes. */
static void show_free_areas(struct machine *m, int max_zone_idx)
{
#define FMT_ZONE                                                                         \
	"Node 0 %s free:%lukB boost:%lukB min:%lukB low:%lukB high:%lukB"                   \
	" reserved_highatomic:0KB free_highatomic:0KB active_anon:0kB inactive_anon:0kB"   \
	" active_file:0kB inactive_file:0kB unevictable:0kB writepending:0kB zspages:0kB"  \
	" present:%lukB managed:%lukB mlocked:0kB bounce:0kB free_pcp:%lukB local_pcp:%lukB" \
	" free_cma:0kB\n"
	unsigned long free_pcp = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		for (unsigned int cpu = 0; cpu < pcp_nr_cpus(m); cpu++)
			free_pcp += (unsigned long)m->node.node_zones[z].pageset[cpu].count;
	pr_warn(m, "active_anon:0 inactive_anon:0 isolated_anon:0\n"
		   " active_file:0 inactive_file:0 isolated_file:0\n"
		   " unevictable:0 dirty:0 writeback:0\n"
		   " slab_reclaimable:0 slab_unreclaimable:0\n"
		   " mapped:0 shmem:0 pagetables:0\n"
		   " sec_pagetables:0 bounce:0\n"
		   " kernel_misc_reclaimable:0\n"
		   " free:%lu free_pcp:%lu free_cma:0\n",
		nr_free_pages(m), free_pcp);
	for (int z = 0; z <= max_zone_idx; z++) {
		struct zone *zone = &m->node.node_zones[z];
		unsigned long pcp = 0, total = 0;
		char line[512];
		size_t n = 0;

		if (!populated_zone(zone))
			continue;
		for (unsigned int cpu = 0; cpu < pcp_nr_cpus(m); cpu++)
			pcp += (unsigned long)zone->pageset[cpu].count;
		pr_warn(m, FMT_ZONE, zone->name, zone_page_state(zone, NR_FREE_PAGES) << 2,
			zone->watermark_boost << 2, min_wmark_pages(zone) << 2,
			low_wmark_pages(zone) << 2, high_wmark_pages(zone) << 2,
			zone->present_pages << 2, zone->managed_pages << 2, pcp << 2,
			(unsigned long)zone->pageset[pcp_this_cpu(m)].count << 2);
		for (int j = 0; j < MAX_NR_ZONES; j++)
			if (m->node.node_zones[j].configured)
				n += (size_t)machine_snprintf(line + n, sizeof(line) - n, " %ld",
							      zone->lowmem_reserve[j]);
		pr_warn(m, "lowmem_reserve[]:%s\n", line);
		n = 0;
		for (unsigned int o = 0; o < NR_PAGE_ORDERS; o++) {
			n += (size_t)machine_snprintf(line + n, sizeof(line) - n, "%lu*%lukB ",
						      zone->free_area[o].nr_free, 4UL << o);
			total += zone->free_area[o].nr_free << o;
		}
		pr_warn(m, "Node 0 %s: %s= %lukB\n", zone->name, line, total << 2);
	}
}

/* The rate limit of warn_alloc: one report per 10 simulated seconds
 * (cf. DEFINE_RATELIMIT_STATE(nopage_rs, 10 * HZ, 1)). */
static bool warn_alloc_ratelimit(struct machine *m)
{
	if (!m->warn_alloc_rs_begin || m->clock_ns >= m->warn_alloc_rs_begin + 10 * NSEC_PER_SEC) {
		if (m->warn_alloc_rs_missed)
			pr_warn(m, "warn_alloc: %u callbacks suppressed\n", m->warn_alloc_rs_missed);
		m->warn_alloc_rs_begin = m->clock_ns ? m->clock_ns : 1;
		m->warn_alloc_rs_printed = 0;
		m->warn_alloc_rs_missed = 0;
	}
	if (m->warn_alloc_rs_printed < 1) {
		m->warn_alloc_rs_printed++;
		return true;
	}
	m->warn_alloc_rs_missed++;
	return false;
}

/**
 * warn_alloc - report a failed page allocation as Linux does
 * @m: the machine
 * @gfp_mask: the request's mask (nothing is printed with __GFP_NOWARN)
 * @order: the request's order
 *
 * "COMM: page allocation failure: order:N, mode:0x...(NAMES),
 * nodemask=(null),cpuset=/,mems_allowed=0", then the Mem-Info summary:
 * watermarks, lowmem_reserve and free blocks of each zone the request
 * could use. Rate-limited to one report per 10 simulated seconds.
 */
void warn_alloc(struct machine *m, gfp_t gfp_mask, unsigned int order)
{
	char names[512];
	int zid;

	if (gfp_mask & __GFP_NOWARN)
		return;
	if ((gfp_mask & __GFP_DMA) && !m->node.node_zones[ZONE_DMA].managed_pages)
		return;
	if (!warn_alloc_ratelimit(m))
		return;
	format_gfp_flags(names, sizeof(names), gfp_mask);
	pr_warn(m, "%s: page allocation failure: order:%u, mode:0x%x(%s), "
		   "nodemask=(null),cpuset=/,mems_allowed=0\n",
		m->comm, order, gfp_mask, names);
	pr_warn(m, "Mem-Info:\n");
	zid = gfp_zone(m, gfp_mask);
	show_free_areas(m, zid < 0 ? MAX_NR_ZONES - 1 : zid);
	pr_warn(m, "%lu pages RAM\n", m->node.node_present_pages);
	pr_warn(m, "%lu pages HighMem/MovableOnly\n", m->node.node_zones[ZONE_HIGHMEM].present_pages);
	pr_warn(m, "%lu pages reserved\n", m->node.node_present_pages - m->totalram_pages);
}
