/* Frame <-> struct page <-> address conversions (cf. include/linux/mm.h,
 * asm/page.h). In mmkit the kernel's C view of its direct map is the host
 * mapping of simulated RAM: a lowmem page's kernel address is
 * m->ram + PFN_PHYS(pfn); the x86 virtual address the simulated CPU uses for
 * it is PAGE_OFFSET + PFN_PHYS(pfn) (kernel_va()). */
#ifndef MMKIT_MM_H
#define MMKIT_MM_H

#include <mmkit/machine.h>

static inline unsigned long page_to_pfn(const struct machine *m, const struct page *page)
{
	return (unsigned long)(page - m->mem_map);
}

static inline struct page *pfn_to_page(const struct machine *m, unsigned long pfn)
{
	return m->mem_map + pfn;
}

static inline bool pfn_valid(const struct machine *m, unsigned long pfn)
{
	return pfn < m->max_pfn;
}

static inline phys_addr_t page_to_phys(const struct machine *m, const struct page *page)
{
	return PFN_PHYS(page_to_pfn(m, page));
}

/* Host pointer to the bytes at physical address phys (any RAM, high or low). */
static inline void *phys_to_host(const struct machine *m, phys_addr_t phys)
{
	return m->ram + phys;
}

/* __va: the kernel address of a directly mapped physical address. */
static inline void *__va(const struct machine *m, phys_addr_t phys)
{
	return m->ram + phys;
}

/* __pa: the physical address behind a kernel (direct-map) address. */
static inline phys_addr_t __pa(const struct machine *m, const void *addr)
{
	return (phys_addr_t)((const u8 *)addr - m->ram);
}

static inline struct page *virt_to_page(const struct machine *m, const void *addr)
{
	return pfn_to_page(m, PFN_DOWN(__pa(m, addr)));
}

static inline bool PageHighMem(const struct machine *m, const struct page *page)
{
	(void)m;
	return page_zonenum(page) == ZONE_HIGHMEM;
}

/* The kernel address of a page, or NULL for a high-memory page, which has
 * none until kmap() gives it one (cf. page_address()). */
static inline void *page_address(const struct machine *m, const struct page *page)
{
	if (PageHighMem(m, page))
		return NULL;
	return m->ram + page_to_phys(m, page);
}

static inline struct zone *page_zone(struct machine *m, const struct page *page)
{
	return &m->node.node_zones[page_zonenum(page)];
}

/* The x86 virtual address of a direct-map kernel address, as the simulated
 * CPU and the /proc views see it. */
static inline u64 kernel_va(const struct machine *m, const void *addr)
{
	return m->arch.page_offset + __pa(m, addr);
}

#endif
