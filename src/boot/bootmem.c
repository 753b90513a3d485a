/* The boot-time allocator (cf. mm/bootmem.c of 2.6.27-3.x): one bit per
 * page frame of low memory, set = reserved, in a bitmap that lives in
 * simulated RAM right after the kernel image (_end).
 *
 * Owns m->bdata. Invariants while active (init_bootmem .. free_all_bootmem):
 * the bitmap covers pfns [node_min_pfn, node_low_pfn) and its padding bits
 * stay set; every page outside E820_RAM, of the kernel image, of the bitmap
 * and of every allocation is set; bdata.last_end_off is the byte after the
 * last allocation, bdata.hint_idx the page where the next search begins.
 * After free_all_bootmem() every clear bit's page belongs to the buddy
 * allocator and the allocator refuses further calls. */
#include "internal.h"

#define BITS_PER_LONG 64

static bool bm_test(const bootmem_data_t *b, unsigned long idx)
{
	return (b->node_bootmem_map[idx >> 3] >> (idx & 7)) & 1;
}

static void bm_set(bootmem_data_t *b, unsigned long idx)
{
	b->node_bootmem_map[idx >> 3] |= (u8)(1u << (idx & 7));
}

static void bm_clear(bootmem_data_t *b, unsigned long idx)
{
	b->node_bootmem_map[idx >> 3] &= (u8)~(1u << (idx & 7));
}

/* 64 bits of the map from idx (a multiple of 64), bit i = page idx + i. */
static u64 bm_word(const bootmem_data_t *b, unsigned long idx)
{
	u64 w = 0;

	for (int i = 7; i >= 0; i--)
		w = (w << 8) | b->node_bootmem_map[(idx >> 3) + (unsigned long)i];
	return w;
}

/* The first clear bit in [idx, end), or end. Skips full bytes. */
static unsigned long bm_next_zero(const bootmem_data_t *b, unsigned long end, unsigned long idx)
{
	while (idx < end) {
		if ((idx & 7) == 0 && b->node_bootmem_map[idx >> 3] == 0xff) {
			idx += 8;
			continue;
		}
		if (!bm_test(b, idx))
			return idx;
		idx++;
	}
	return end;
}

/* Bytes of bitmap for pages frames: a bit each, rounded to a long. */
static unsigned long bootmap_bytes(unsigned long pages)
{
	return ALIGN(DIV_ROUND_UP(pages, 8), sizeof(long));
}

/**
 * bootmem_bootmap_pages - pages the bitmap for @pages page frames needs
 * @pages: number of page frames covered
 *
 * Return: PAGE_ALIGN(bytes) / PAGE_SIZE, bytes rounded up to a long.
 */
unsigned long bootmem_bootmap_pages(unsigned long pages)
{
	return PFN_UP(bootmap_bytes(pages));
}

static bool bootmem_usable(struct machine *m, const char *fn)
{
	if (m->bdata.active)
		return true;
	pr_warn(m, "bootmem: %s() called while the boot allocator is not active\n", fn);
	return false;
}

/**
 * init_bootmem - start the boot allocator over page frames [0, @pages)
 * @m: the machine; m->ram must hold the bitmap
 * @start: the pfn where the bitmap goes (the first page after _end)
 * @pages: the end of low memory (max_low_pfn); pfns from it up are not
 *	covered
 *
 * Every page starts reserved: the caller frees the RAM it finds
 * (free_bootmem) and then reserves what is in use. Sets min_low_pfn and
 * max_low_pfn as Linux does.
 *
 * Return: the bitmap's size in bytes, or 0 if it does not fit in RAM.
 */
unsigned long init_bootmem(struct machine *m, unsigned long start, unsigned long pages)
{
	bootmem_data_t *b = &m->bdata;
	unsigned long bytes = bootmap_bytes(pages);

	if (!m->ram || pages == 0 || PFN_PHYS(start) + bytes > m->ram_bytes) {
		pr_err(m, "bootmem: no room for a %lu-byte bitmap at pfn %#lx\n", bytes, start);
		return 0;
	}
	mm_memset(b, 0, sizeof(*b));
	b->node_min_pfn = 0;
	b->node_low_pfn = pages;
	b->bitmap_phys = PFN_PHYS(start);
	b->bitmap_bytes = bytes;
	b->node_bootmem_map = m->ram + b->bitmap_phys;
	b->active = true;
	mm_memset(b->node_bootmem_map, 0xff, bytes);
	m->min_low_pfn = start;
	m->max_low_pfn = pages;
	return bytes;
}

/* [sidx, eidx) must lie inside the bitmap. */
static bool bootmem_range_ok(struct machine *m, const char *what, phys_addr_t addr,
			     unsigned long size, unsigned long sidx, unsigned long eidx)
{
	if (size && addr + size > addr && eidx <= m->bdata.node_low_pfn && sidx <= eidx)
		return true;
	pr_err(m, "bootmem: %s of [mem 0x%08llx-0x%08llx] outside low memory (max_low_pfn %#lx)\n",
	       what, (unsigned long long)addr, (unsigned long long)(addr + size - 1),
	       m->bdata.node_low_pfn);
	return false;
}

/**
 * free_bootmem - mark the whole pages inside a range free
 * @m: the machine
 * @addr: physical start; a partial first page stays reserved
 * @size: length; a partial last page stays reserved
 *
 * Freeing a page that is already free is a bug (Linux BUG()s): it is
 * reported, and the rest of the range is still freed. A range beyond
 * low memory is reported and ignored.
 */
void free_bootmem(struct machine *m, phys_addr_t addr, unsigned long size)
{
	bootmem_data_t *b = &m->bdata;
	unsigned long sidx = PFN_UP(addr), eidx = PFN_DOWN(addr + size);
	bool warned = false;

	if (!bootmem_usable(m, "free_bootmem"))
		return;
	if (!bootmem_range_ok(m, "free", addr, size, min(sidx, eidx), eidx))
		return;
	if (b->hint_idx > sidx)
		b->hint_idx = sidx;
	for (unsigned long idx = sidx; idx < eidx; idx++) {
		if (!bm_test(b, idx) && !warned) {
			pr_err(m, "bootmem: freeing free page %#lx (PFN %lx)\n",
			       (unsigned long)PFN_PHYS(idx), idx);
			warned = true;
		}
		bm_clear(b, idx);
	}
}

/**
 * reserve_bootmem - mark every page a range touches reserved
 * @m: the machine
 * @addr: physical start (its page is reserved even if partly used)
 * @size: length (the last, partial page is reserved too)
 *
 * A page reserved twice is reported as the 2.6 kernel's debug build does
 * ("hm, page 00001000 reserved twice.") and stays reserved.
 *
 * Return: 0, or -EINVAL for an empty range or one beyond low memory.
 */
int reserve_bootmem(struct machine *m, phys_addr_t addr, unsigned long size)
{
	bootmem_data_t *b = &m->bdata;
	unsigned long sidx = PFN_DOWN(addr), eidx = PFN_UP(addr + size);

	if (!bootmem_usable(m, "reserve_bootmem"))
		return -EINVAL;
	if (!bootmem_range_ok(m, "reserve", addr, size, sidx, eidx))
		return -EINVAL;
	for (unsigned long idx = sidx; idx < eidx; idx++) {
		if (bm_test(b, idx))
			printk(m, "hm, page %08lx reserved twice.\n", (unsigned long)PFN_PHYS(idx));
		bm_set(b, idx);
	}
	return 0;
}

/* Mark [sidx, eidx) reserved; the caller checked it is free (Linux's
 * BOOTMEM_EXCLUSIVE reserve: a page already set is a bug). */
static void bm_reserve(struct machine *m, unsigned long sidx, unsigned long eidx)
{
	bootmem_data_t *b = &m->bdata;

	for (unsigned long idx = sidx; idx < eidx; idx++) {
		VM_WARN_ON(m, bm_test(b, idx));
		bm_set(b, idx);
	}
}

/* The first free run of PFN_UP(size) pages at an index that is a multiple
 * of step, searching [sidx, midx). Returns midx when there is none. */
static unsigned long find_free_run(const bootmem_data_t *b, unsigned long sidx,
				   unsigned long midx, unsigned long npages, unsigned long step)
{
	for (;;) {
		unsigned long eidx, i;

		sidx = ALIGN(bm_next_zero(b, midx, sidx), step);
		eidx = sidx + npages;
		if (sidx >= midx || eidx > midx || eidx < sidx)
			return midx;
		for (i = sidx; i < eidx; i++)
			if (bm_test(b, i))
				break;
		if (i == eidx)
			return sidx;
		/* The run hit a reserved page: go on after it, aligned. */
		sidx = ALIGN(i, step);
		if (sidx == i)
			sidx += step;
	}
}

/* One attempt from goal (cf. alloc_bootmem_core()). The search starts at
 * goal, or where the last allocation ended if that is further; when that
 * fails it starts over from the start of memory. A small allocation that
 * begins in the page right after a partially used one shares that page. */
static void *alloc_bootmem_core(struct machine *m, unsigned long size, unsigned long align,
				phys_addr_t goal)
{
	bootmem_data_t *b = &m->bdata;
	unsigned long min = b->node_min_pfn, max = b->node_low_pfn;
	unsigned long step = max(align >> PAGE_SHIFT, 1UL), npages = PFN_UP(size);
	unsigned long start, sidx, fallback = 0;
	unsigned long goal_pfn = PFN_DOWN(goal);
	u64 start_off, end_off;
	bool merge;

	if (max <= min || size > PFN_PHYS(max - min))
		return NULL;
	start = (goal_pfn && min < goal_pfn && goal_pfn < max) ? ALIGN(goal_pfn, step) : ALIGN(min, step);
	sidx = start - min;
	if (b->hint_idx > sidx) {
		fallback = sidx + 1;	/* +1: sidx may be 0 */
		sidx = ALIGN(b->hint_idx, step);
	}
	sidx = find_free_run(b, sidx, max - min, npages, step);
	if (sidx >= max - min && fallback)
		sidx = find_free_run(b, ALIGN(fallback - 1, step), max - min, npages, step);
	if (sidx >= max - min)
		return NULL;

	if ((b->last_end_off & (PAGE_SIZE - 1)) && PFN_DOWN(b->last_end_off) + 1 == sidx)
		start_off = ALIGN((u64)b->last_end_off, (u64)align);
	else
		start_off = PFN_PHYS(sidx);
	merge = PFN_DOWN(start_off) < sidx;
	end_off = start_off + size;
	b->last_end_off = end_off;
	b->hint_idx = PFN_UP(end_off);
	bm_reserve(m, PFN_DOWN(start_off) + merge, PFN_UP(end_off));
	mm_memset(m->ram + PFN_PHYS(min) + start_off, 0, size);
	return m->ram + PFN_PHYS(min) + start_off;
}

/**
 * __alloc_bootmem_nopanic - allocate zeroed boot memory, quietly
 * @m: the machine
 * @size: bytes (> 0)
 * @align: a power of two (0 means SMP_CACHE_BYTES)
 * @goal: physical address to search from first; 0 for none. If nothing
 *	fits from goal up, the search restarts from the start of memory.
 *
 * First fit in low memory. Pages are reserved; a small allocation may
 * share the last page of the previous one.
 *
 * Return: the kernel (host) address m->ram + phys, or NULL without a
 * message when nothing fits.
 */
void *__alloc_bootmem_nopanic(struct machine *m, unsigned long size, unsigned long align,
			      phys_addr_t goal)
{
	void *p;

	if (!bootmem_usable(m, "__alloc_bootmem"))
		return NULL;
	if (!align)
		align = SMP_CACHE_BYTES;
	if (size == 0 || (align & (align - 1))) {
		pr_err(m, "bootmem: bad allocation request (size %lu, align %#lx)\n", size, align);
		return NULL;
	}
	if (goal && m->bdata.node_low_pfn <= PFN_DOWN(goal))
		goal = 0;
	p = alloc_bootmem_core(m, size, align, goal);
	if (!p && goal)
		p = alloc_bootmem_core(m, size, align, 0);
	return p;
}

/**
 * __alloc_bootmem - allocate zeroed boot memory
 * @m: the machine
 * @size: bytes
 * @align: a power of two
 * @goal: preferred lowest physical address
 *
 * As __alloc_bootmem_nopanic(). Linux panics when nothing fits; mmkit
 * logs the same alert, "bootmem alloc of N bytes failed!", and returns
 * NULL so the caller can fail the boot.
 *
 * Return: the zeroed memory's kernel address, or NULL.
 */
void *__alloc_bootmem(struct machine *m, unsigned long size, unsigned long align,
		      phys_addr_t goal)
{
	void *p = __alloc_bootmem_nopanic(m, size, align, goal);

	if (!p && m->bdata.active)
		printk(m, KERN_ALERT "bootmem alloc of %lu bytes failed!\n", size);
	return p;
}

/**
 * free_all_bootmem - hand the free low memory to the buddy allocator
 * @m: the machine; mem_map must exist
 *
 * Every clear bit's page goes to __free_pages_bootmem(): 64 at a time as
 * one order-6 block where a whole aligned word of the map is free, one by
 * one elsewhere; then the bitmap's own pages (cf. free_all_bootmem_core()).
 * The allocator is inactive afterwards.
 *
 * Return: the number of pages freed (bitmap pages included).
 */
unsigned long free_all_bootmem(struct machine *m)
{
	bootmem_data_t *b = &m->bdata;
	unsigned long start = b->node_min_pfn, end = b->node_low_pfn, count = 0;
	unsigned long map_pfn, map_pages;
	bool aligned = !(start & (BITS_PER_LONG - 1));

	if (!bootmem_usable(m, "free_all_bootmem"))
		return 0;
	if (VM_WARN_ON(m, !m->mem_map))
		return 0;
	for (; start < end; start += BITS_PER_LONG) {
		u64 vec = ~bm_word(b, start - b->node_min_pfn);

		if (aligned && vec == ~0ULL && start + BITS_PER_LONG <= end) {
			__free_pages_bootmem(m, pfn_to_page(m, start), 6);
			count += BITS_PER_LONG;
			continue;
		}
		for (unsigned long off = 0; vec && off < BITS_PER_LONG; off++, vec >>= 1)
			if ((vec & 1) && start + off < end) {
				__free_pages_bootmem(m, pfn_to_page(m, start + off), 0);
				count++;
			}
	}
	map_pfn = PFN_DOWN(b->bitmap_phys);
	map_pages = bootmem_bootmap_pages(b->node_low_pfn - b->node_min_pfn);
	b->active = false;
	b->node_bootmem_map = NULL;
	for (unsigned long i = 0; i < map_pages; i++)
		__free_pages_bootmem(m, pfn_to_page(m, map_pfn + i), 0);
	return count + map_pages;
}

/**
 * bootmem_page_reserved - is a low page kept from the buddy allocator?
 * @m: the machine
 * @pfn: the page frame
 *
 * While bootmem is active: its bit. After free_all_bootmem() the bitmap is
 * gone; the pages it kept are exactly those still PageReserved in mem_map,
 * so that is the answer. Pages bootmem never covered (high memory, or
 * before init_bootmem) are not bootmem-reserved.
 *
 * Return: true if the page is reserved.
 */
bool bootmem_page_reserved(struct machine *m, unsigned long pfn)
{
	const bootmem_data_t *b = &m->bdata;

	if (pfn < b->node_min_pfn || pfn >= b->node_low_pfn)
		return false;
	if (b->active)
		return bm_test(b, pfn - b->node_min_pfn);
	if (m->mem_map && pfn < m->max_pfn)
		return PageReserved(pfn_to_page(m, pfn));
	return false;
}
