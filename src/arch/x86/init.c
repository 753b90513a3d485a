/* The kernel's virtual layout and its boot-time page tables (cf.
 * arch/i386/kernel/head.S and arch/i386/mm/init.c of 2.4/2.6,
 * arch/x86/mm/init_32.c, init_64.c, asm/fixmap.h, asm/pgtable_32_areas.h).
 *
 * i386 (both formats), top of the 4 GiB space down:
 *
 *   FIXADDR_TOP 0xfffff000  fixmap: fix_to_virt(i) = FIXADDR_TOP - i * 4K
 *   FIXADDR_START           ... incl. KM_TYPE_NR kmap_atomic slots per CPU
 *   PKMAP_BASE + LAST_PKMAP pages      (HIGHMEM: pkmap, one pte page)
 *   PKMAP_BASE = (FIXADDR_START - (LAST_PKMAP + 1) pages) & PMD_MASK
 *   VMALLOC_END = PKMAP_BASE - 2 pages (FIXADDR_START - 2 pages w/o HIGHMEM)
 *   VMALLOC_START = high_memory + 8 MiB (VMALLOC_OFFSET)
 *   high_memory = PAGE_OFFSET + max_low_pfn pages
 *   PAGE_OFFSET 0xc0000000  direct map of low memory
 *
 * x86_64: direct map at PAGE_OFFSET (all RAM), vmalloc at 0xffffc90000000000
 * (32 TiB), the kernel image at __START_KERNEL_map 0xffffffff80000000.
 *
 * Boot: early_pgtable_init() is head.S (swapper_pg_dir with 0-8 MiB mapped
 * at 0 and PAGE_OFFSET); paging_init() maps all low memory at PAGE_OFFSET
 * (large pages unless "mem=nopentium"), builds the pkmap and fixmap tables,
 * clears the user half (zap_low_mappings) and reserves the host window.
 * Invariant after paging_init: swapper_pg_dir's user half is empty and
 * every direct-map address translates to itself minus PAGE_OFFSET. */
#include "arch/x86/pgtable.h"

#define ULL(x) ((unsigned long long)(x))
#define VMALLOC_OFFSET (8 * SZ_1M)
#define FIXADDR_TOP_32 0xfffff000ULL
#define MAX_IO_APICS 64
#define VMALLOC_START_64 0xffffc90000000000ULL
#define VMALLOC_SIZE_64 (32ULL << 40)
#define START_KERNEL_MAP_64 0xffffffff80000000ULL

/* The i386 fixed addresses, a 2.6-era subset (cf. enum fixed_addresses). */
enum {
	FIX_HOLE,
	FIX_VDSO,
	FIX_DBGP_BASE,
	FIX_EARLYCON_MEM_BASE,
	FIX_APIC_BASE,
	FIX_IO_APIC_BASE_0,
	FIX_IO_APIC_BASE_END = FIX_IO_APIC_BASE_0 + MAX_IO_APICS - 1,
	FIX_KMAP_BEGIN_IDX,
	/* then FIX_KMAP_END, FIX_PCIE_MCFG, FIX_TEXT_POKE1, FIX_TEXT_POKE0 */
	NR_FIX_AFTER_KMAP = 3,
};

/**
 * fix_to_virt - the virtual address of fixmap slot idx (cf. __fix_to_virt)
 * @m: machine @idx: a fixed_addresses index below m->pgtables.nr_fixmap
 */
u64 fix_to_virt(const struct machine *m, unsigned int idx)
{
	return m->pgtables.fixaddr_top - ((u64)idx << PAGE_SHIFT);
}

/**
 * virt_to_fix - the fixmap index of a fixmap address (cf. __virt_to_fix)
 * @m: machine @vaddr: an address in [FIXADDR_START, FIXADDR_TOP]
 */
unsigned int virt_to_fix(const struct machine *m, u64 vaddr)
{
	return (unsigned int)((m->pgtables.fixaddr_top - (vaddr & PAGE_MASK)) >> PAGE_SHIFT);
}

static unsigned int nr_cpus_config(const struct machine *m)
{
	return clamp(m->desc.nr_cpus, 1u, (unsigned int)NR_CPUS);
}

static int layout_32(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	u64 end_guard;

	pt->fixaddr_top = FIXADDR_TOP_32;
	pt->fix_kmap_begin = FIX_KMAP_BEGIN_IDX;
	pt->fix_kmap_end = FIX_KMAP_BEGIN_IDX - 1;
	if (m->arch.highmem)
		pt->fix_kmap_end += KM_TYPE_NR * nr_cpus_config(m);
	pt->nr_fixmap = pt->fix_kmap_end + 1 + NR_FIX_AFTER_KMAP;
	pt->fixaddr_start = pt->fixaddr_top - ((u64)pt->nr_fixmap << PAGE_SHIFT);
	if (m->arch.highmem) {
		pt->last_pkmap = pt_ptrs(m, PT_PTE);
		pt->pkmap_base = (pt->fixaddr_start - PAGE_SIZE * (pt->last_pkmap + 1)) &
				 PMD_MASK_M(m);
		end_guard = pt->pkmap_base;
	} else {
		end_guard = pt->fixaddr_start;
	}
	pt->vmalloc_start = pt->high_memory + VMALLOC_OFFSET;
	pt->vmalloc_end = end_guard - 2 * PAGE_SIZE;
	pt->window_start = pt->vmalloc_start;
	pt->window_end = 1ULL << 32;
	return pt->vmalloc_start < pt->vmalloc_end ? 0 : -EINVAL;
}

static int layout_64(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	u64 win = ALIGN(2 * m->ram_bytes + 512 * SZ_1M, (u64)SZ_1G);

	pt->vmalloc_start = VMALLOC_START_64;
	pt->vmalloc_end = VMALLOC_START_64 + VMALLOC_SIZE_64 - 1;
	pt->start_kernel_map = START_KERNEL_MAP_64;
	pt->window_start = pt->vmalloc_start;
	pt->window_end = pt->vmalloc_start + min(win, VMALLOC_SIZE_64);
	return 0;
}

/**
 * kernel_vm_layout_init - compute the kernel virtual layout of m
 * @m: machine with m->arch and max_low_pfn/max_pfn set (after setup_arch)
 *
 * Fills PAGE_OFFSET, high_memory, VMALLOC_START/END, PKMAP_BASE,
 * LAST_PKMAP, FIXADDR_START/TOP and the window range in m->pgtables.
 * Return: 0, or -EINVAL when low memory leaves no room for vmalloc.
 */
int kernel_vm_layout_init(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	unsigned long low = m->arch.x86_64 ? m->max_pfn : m->max_low_pfn;
	int ret;

	pgtable_select_format(m);
	pt->page_offset = m->arch.page_offset;
	pt->high_memory = pt->page_offset + PFN_PHYS(low);
	ret = m->arch.x86_64 ? layout_64(m) : layout_32(m);
	if (ret)
		pr_err(m, "vmalloc area does not fit: high_memory 0x%llx, VMALLOC_END 0x%llx\n",
		       (unsigned long long)pt->high_memory, (unsigned long long)pt->vmalloc_end);
	return ret;
}

/**
 * early_pgtable_init - build the boot page tables of head.S (seed 001)
 * @m: machine after kernel_vm_layout_init
 *
 * swapper_pg_dir maps physical 0-8 MiB twice: at 0 (identity, so the code
 * that enables paging keeps running) and at PAGE_OFFSET.
 * Return: 0 or -ENOMEM/-EINVAL.
 */
int early_pgtable_init(struct machine *m)
{
	if (!m->pgtables.fmt)
		pgtable_select_format(m);
	return pgt_fmt(m)->head_tables(m);
}

static bool overlaps_text(const struct machine *m, phys_addr_t start, phys_addr_t end)
{
	return start < m->kimage.etext && m->kimage.text < end;
}

/* Map [phys, end) at va with 4 KiB ptes inside one pmd. */
static int map_ptes(struct machine *m, pmdp_t *pmd, u64 va, phys_addr_t phys, phys_addr_t end)
{
	pmd_t old = pmdp_get(m, pmd);

	if (pmd_none(m, old) || pmd_leaf(m, old)) {
		phys_addr_t t = pgtable_alloc_page(m);

		if (!t)
			return -ENOMEM;
		pmd_populate_kernel(m, pmd, t);
	}
	for (; phys < end; phys += PAGE_SIZE, va += PAGE_SIZE) {
		pgprot_t prot = overlaps_text(m, phys, phys + PAGE_SIZE) ? PAGE_KERNEL_EXEC : PAGE_KERNEL;

		set_pte(m, pte_offset_kernel(m, pmd, va), pfn_pte(m, PFN_DOWN(phys), prot));
	}
	return 0;
}

/* Report the page sizes of a mapping as init_memory_mapping does:
 * " [mem 0x...-0x...] page 4k" per run of one size. */
struct size_run {
	phys_addr_t start, end;
	bool large;
};

static void size_run_add(struct machine *m, struct size_run *r, phys_addr_t start,
			 phys_addr_t end, bool large)
{
	if (r->end == start && r->large == large && r->end > r->start) {
		r->end = end;
		return;
	}
	if (r->end > r->start) {
		if (r->large)
			m->pgtables.direct_map_large += r->end - r->start;
		else
			m->pgtables.direct_map_4k += r->end - r->start;
	}
	if (r->end > r->start)
		pr_debug(m, " [mem 0x%08llx-0x%08llx] page %s\n", ULL(r->start), ULL(r->end - 1),
			 !r->large ? "4k" : PMD_SIZE_M(m) == 4 * SZ_1M ? "4M" : "2M");
	r->start = start;
	r->end = end;
	r->large = large;
}

/*
 * Map physical [start, end) at base + phys (cf. kernel_physical_mapping_init):
 * a large page wherever a whole aligned one fits (not the first, as Linux
 * keeps the low megabytes in 4 KiB pages), 4 KiB ptes elsewhere.
 */
static int map_range(struct machine *m, u64 base, phys_addr_t start, phys_addr_t end,
		     struct size_run *run)
{
	u64 large = PMD_SIZE_M(m);
	phys_addr_t phys = start;

	while (phys < end) {
		u64 va = base + phys;
		pudp_t *pud = pud_alloc_k(m, p4d_offset(m, pgd_offset_k(m, va), va), va);
		pmdp_t *pmd = pud ? pmd_alloc_k(m, pud, va) : NULL;
		phys_addr_t next = min(ALIGN_DOWN(phys, large) + large, end);
		bool big = m->pgtables.pse && phys && IS_ALIGNED(phys, large) && phys + large <= end;

		if (!pmd)
			return -ENOMEM;
		if (big) {
			pgprot_t prot = overlaps_text(m, phys, next) ? PAGE_KERNEL_LARGE_EXEC
								      : PAGE_KERNEL_LARGE;
			set_pmd(m, pmd, pfn_pmd(m, PFN_DOWN(phys), prot));
		} else if (map_ptes(m, pmd, va, phys, next)) {
			return -ENOMEM;
		}
		if (run)
			size_run_add(m, run, phys, next, big);
		phys = next;
	}
	return 0;
}

/* The physical ranges the direct map covers: on i386 all of [0, max_low_pfn)
 * holes included; on x86_64 the ISA megabyte and each E820_RAM range below
 * max_pfn (cf. init_range_memory_mapping). Return: the number of ranges. */
static int direct_ranges(const struct machine *m, phys_addr_t r[][2], int max_nr)
{
	phys_addr_t top = m->pgtables.high_memory - m->pgtables.page_offset;
	int n = 0;

	if (!m->arch.x86_64) {
		r[0][0] = 0;
		r[0][1] = top;
		return 1;
	}
	r[n][0] = 0;
	r[n++][1] = min((phys_addr_t)SZ_1M, top);
	for (int i = 0; i < m->e820.nr_map && n < max_nr; i++) {
		const struct e820entry *e = &m->e820.map[i];
		phys_addr_t s = max(PFN_PHYS(PFN_UP(e->addr)), (phys_addr_t)SZ_1M);
		phys_addr_t t = min(PFN_PHYS(PFN_DOWN(e->addr + e->size)), top);

		if (e->type != E820_RAM || s >= t)
			continue;
		r[n][0] = s;
		r[n++][1] = t;
	}
	return n;
}

/* Drop head.S's 0-8 MiB entries at PAGE_OFFSET, so the direct map gets
 * fresh tables as 2.4's pagetable_init does (pg0/pg1 keep their values and
 * serve only the identity map until zap_low_mappings). */
static void head_unlink_kernel(struct machine *m)
{
	u64 base = m->pgtables.page_offset;

	for (u64 va = base; va < base + 8 * SZ_1M; va += PMD_SIZE_M(m)) {
		pgdp_t *pgd = pgd_offset_k(m, va);
		p4dp_t *p4d = p4d_offset(m, pgd, va);
		pudp_t *pud;

		if (p4d_none(m, p4dp_get(m, p4d)))
			continue;
		pud = pud_offset(m, p4d, va);
		if (!pud_none(m, pudp_get(m, pud)))
			pt_write(m, pmd_offset(m, pud, va), 0);
	}
}

#define MAX_DIRECT_RANGES (E820MAX + 1)

static int direct_map_init(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	phys_addr_t ranges[MAX_DIRECT_RANGES][2];
	int n = direct_ranges(m, ranges, MAX_DIRECT_RANGES);
	int ret = 0;

	head_unlink_kernel(m);
	for (int i = 0; i < n && !ret; i++) {
		struct size_run run = { 0, 0, false };

		pr_debug(m, "init_memory_mapping: [mem 0x%08llx-0x%08llx]\n", ULL(ranges[i][0]),
			 ULL(ranges[i][1] - 1));
		ret = map_range(m, pt->page_offset, ranges[i][0], ranges[i][1], &run);
		size_run_add(m, &run, 0, 0, false);
	}
	if (!ret && pt->start_kernel_map)	/* x86_64: the kernel image again */
		ret = map_range(m, pt->start_kernel_map, 0, ALIGN(m->kimage.end, PMD_SIZE_M(m)), NULL);
	return ret;
}

/* Allocate the pte tables covering [start, end) (cf. page_table_range_init). */
static int page_table_range_init(struct machine *m, u64 start, u64 end)
{
	for (u64 va = start & PMD_MASK_M(m); va < end; va += PMD_SIZE_M(m)) {
		if (!kernel_pte_alloc(m, va))
			return -ENOMEM;
	}
	return 0;
}

static int fixmap_pkmap_init(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	ptep_t *pte;

	if (m->arch.x86_64)
		return 0;
	pt->nr_fixmap_tables = (unsigned int)((pt->fixaddr_top - (pt->fixaddr_start & PMD_MASK_M(m))) /
					      PMD_SIZE_M(m)) + 1;
	if (page_table_range_init(m, pt->fixaddr_start, pt->fixaddr_top + PAGE_SIZE))
		return -ENOMEM;
	if (!pt->last_pkmap)
		return 0;
	pte = kernel_pte_alloc(m, pt->pkmap_base);
	if (!pte)
		return -ENOMEM;
	pt->pkmap_page_table = pt_slot_phys(m, pte) & PAGE_MASK;
	return 0;
}

/* x86_64: give the vmalloc window its pud tables now, so no top-level
 * kernel entry changes after boot (cf. preallocate_vmalloc_pages). */
static int preallocate_vmalloc_pages(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;

	if (!m->arch.x86_64)
		return 0;
	for (u64 va = pt->window_start; va < pt->window_end; va += PGDIR_SIZE_M(m)) {
		if (!pud_alloc_k(m, p4d_offset(m, pgd_offset_k(m, va), va), va))
			return -ENOMEM;
	}
	return 0;
}

/* Remove the identity mapping of head.S: the user half of swapper_pg_dir
 * is empty from now on (cf. zap_low_mappings). */
static void zap_low_mappings(struct machine *m)
{
	for (unsigned int i = 0; i < kernel_pgd_boundary(m); i++)
		pt_write(m, m->ram + m->pgtables.swapper_pg_dir + (u64)i * pgt_fmt(m)->entry_size, 0);
	flush_tlb_all(m);
}

/**
 * paging_init - set up the kernel page tables (cf. paging_init, 2.4/2.6 i386)
 * @m: machine after setup_arch, while bootmem is active
 *
 * Builds head.S's swapper_pg_dir, then maps all low memory at PAGE_OFFSET,
 * the fixmap and pkmap page tables (i386), the vmalloc top level (x86_64),
 * clears the user half and reserves the host window for vmalloc/kmap.
 * Page-table pages come from bootmem. Return: 0, -ENOMEM or -EINVAL.
 */
int paging_init(struct machine *m)
{
	int ret = kernel_vm_layout_init(m);

	if (ret)
		return ret;
	/* mem=nopentium (i386 only) clears X86_FEATURE_PSE: 4 KiB pages only */
	m->pgtables.pse = m->arch.x86_64 || !cmdline_find_option(m, "mem=nopentium", NULL);
	ret = early_pgtable_init(m);
	if (!ret)
		ret = direct_map_init(m);
	if (!ret)
		ret = fixmap_pkmap_init(m);
	if (!ret)
		ret = preallocate_vmalloc_pages(m);
	if (ret) {
		pr_err(m, "paging_init: out of memory for kernel page tables\n");
		return ret;
	}
	zap_low_mappings(m);
	kmap_init(m);
	ret = kwindow_init(m);
	if (ret)
		return ret;
	m->pgtables.ready = true;
	return 0;
}

/**
 * print_kernel_vm_layout - print "virtual kernel memory layout" as i386 mem_init does
 * @m: machine after paging_init (prints nothing on x86_64, as Linux)
 */
void print_kernel_vm_layout(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	u64 text = pt->page_offset + m->kimage.text, etext = pt->page_offset + m->kimage.etext;
	u64 data = pt->page_offset + m->kimage.sdata, edata = pt->page_offset + m->kimage.edata;

	if (m->arch.x86_64)
		return;
	pr_info(m, "virtual kernel memory layout:\n");
	pr_info(m, "    fixmap  : 0x%08llx - 0x%08llx   (%4llu kB)\n", ULL(pt->fixaddr_start),
		ULL(pt->fixaddr_top), ULL(pt->fixaddr_top - pt->fixaddr_start) >> 10);
	if (pt->last_pkmap)
		pr_info(m, "    pkmap   : 0x%08llx - 0x%08llx   (%4llu kB)\n", ULL(pt->pkmap_base),
			ULL(pt->pkmap_base + pt->last_pkmap * PAGE_SIZE),
			ULL(pt->last_pkmap * PAGE_SIZE) >> 10);
	pr_info(m, "    vmalloc : 0x%08llx - 0x%08llx   (%4llu MB)\n", ULL(pt->vmalloc_start),
		ULL(pt->vmalloc_end), ULL(pt->vmalloc_end - pt->vmalloc_start) >> 20);
	pr_info(m, "    lowmem  : 0x%08llx - 0x%08llx   (%4llu MB)\n", ULL(pt->page_offset),
		ULL(pt->high_memory), ULL(pt->high_memory - pt->page_offset) >> 20);
	pr_info(m, "      .data : 0x%08llx - 0x%08llx   (%4llu kB)\n", ULL(data), ULL(edata),
		ULL(edata - data) >> 10);
	pr_info(m, "      .text : 0x%08llx - 0x%08llx   (%4llu kB)\n", ULL(text), ULL(etext),
		ULL(etext - text) >> 10);
}

/* Every pgd on pgd_list carries swapper_pg_dir's kernel half. */
static int check_pgd_list(struct machine *m)
{
	unsigned int esize = pgt_fmt(m)->entry_size, first = kernel_pgd_boundary(m);
	size_t off = (size_t)first * esize, n = (size_t)(pt_ptrs(m, PT_PGD) - first) * esize;
	struct page *page;
	int bad = 0;

	list_for_each_entry(page, &m->pgtables.pgd_list, lru) {
		if (mm_memcmp(m->ram + page_to_phys(m, page) + off,
			      m->ram + m->pgtables.swapper_pg_dir + off, n)) {
			pr_err(m, "pgtable: pgd %#llx differs from swapper_pg_dir in the kernel half\n",
			       (unsigned long long)page_to_phys(m, page));
			bad++;
		}
	}
	return bad;
}

/* The direct map translates va to va - PAGE_OFFSET (one probe per pmd, or
 * every page at debug level 3). */
static int check_direct_map(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	u64 step = m->debug_vm >= 3 ? PAGE_SIZE : PMD_SIZE_M(m);
	phys_addr_t ranges[MAX_DIRECT_RANGES][2];
	int n = direct_ranges(m, ranges, MAX_DIRECT_RANGES), bad = 0;

	for (int i = 0; i < n; i++) {
		for (phys_addr_t x = ranges[i][0]; x < ranges[i][1] && bad < 8;
		     x = min(ALIGN_DOWN(x, step) + step, ranges[i][1])) {
			phys_addr_t phys = slow_virt_to_phys(m, pt->page_offset + x);

			if (phys == x)
				continue;
			pr_err(m, "pgtable: direct map %#llx -> %#llx, expected %#llx\n",
			       ULL(pt->page_offset + x), ULL(phys), ULL(x));
			bad++;
		}
	}
	return bad;
}

/**
 * check_pgtables - the kernel page-table checker (run by mmkit_check)
 * @m: machine
 *
 * Checks: swapper_pg_dir's user half is empty; the direct map translates
 * each address to itself minus PAGE_OFFSET; each registered process pgd has
 * the kernel half of swapper_pg_dir. Return: the number of violations.
 */
int check_pgtables(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	unsigned int esize;
	int bad = 0;

	if (!pt->ready)
		return 0;
	esize = pgt_fmt(m)->entry_size;
	for (unsigned int i = 0; i < kernel_pgd_boundary(m); i++) {
		if (pt_read(m, m->ram + pt->swapper_pg_dir + (u64)i * esize)) {
			pr_err(m, "pgtable: swapper_pg_dir user entry %u is set\n", i);
			bad++;
		}
	}
	bad += check_direct_map(m);
	bad += check_pgd_list(m);
	return bad;
}
