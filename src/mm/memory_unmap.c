/* Tearing user mappings down: clearing the PTEs of a range and freeing the
 * page tables that only covered unmapped space (cf. mm/memory.c
 * zap_pte_range/unmap_page_range/zap_page_range_single, free_pgtables,
 * free_pgd_range and the free_p?d_range helpers; mm/mmu_gather.c).
 *
 * zap_vma_range() clears every PTE of the range. A present PTE gives its
 * page back: the page's mapcount drops (page_remove_rmap), the mm's rss
 * counter of its kind drops (mm_counter), and the reference the mapping
 * held is put. Pages are gathered and only put after the TLB flush of the
 * range, so no CPU can still reach a page the allocator has handed out again
 * (mmu_gather's order). The shared zero page is "special": no counts. A
 * swap pte gives its slot reference back (free_swap_and_cache, which also
 * drops a swap-cache page nobody needs any more) and MM_SWAPENTS drops. A
 * PTE marker (a poisoned page swapoff left) names no slot: it is just
 * cleared, no counter moves (zap_nonpresent_ptes' poisoned branch).
 *
 * free_pgtables() frees the pte/pmd/pud tables lying wholly in the empty
 * space [floor, ceiling) between the VMAs that remain, with Linux's rules:
 * a table is freed only if the whole region its parent entry covers is
 * inside [floor, ceiling) (rounded as free_pgd_range rounds them), so a
 * table still used by a neighbouring VMA stays.
 *
 * Invariants: after zap_vma_range() no PTE of the range is set; after
 * exit_mmap() (zap of every VMA, free_pgtables over all of user space) pgtables_bytes is 0. */
#include "mm/pagewalk.h"
#include "mm/swap.h"

#define ZAP_BATCH 64	/* pages gathered before a flush (cf. MMU_GATHER_BUNDLE) */

/* What a zap has gathered (cf. struct mmu_gather). */
struct zap_details {
	struct page *pages[ZAP_BATCH];
	unsigned int nr;
	bool flush;			/* a present pte was cleared since the last flush */
	unsigned long start, end;	/* the range cleared since the last flush */
};

/* Flush the TLB for what was cleared, then put the gathered pages; an
 * unmapped swap-cache page gives its slot back if no pte names it (cf.
 * tlb_flush_mmu, free_pages_and_swap_cache). */
static void zap_flush(struct machine *m, struct vm_area_struct *vma, struct zap_details *d)
{
	if (d->flush)
		flush_tlb_range(m, vma, d->start, d->end);
	for (unsigned int i = 0; i < d->nr; i++) {
		struct page *page = d->pages[i];

		/* free_swap_cache: an unmapped page keeps no slot for nobody */
		if (PageSwapCache(page) && page_mapcount(page) <= 0 && trylock_page(page)) {
			try_to_free_swap(m, page);
			unlock_page(m, page);
		}
		put_page(m, page);
	}
	d->nr = 0;
	d->flush = false;
}

/* Clear one pte (cf. zap_present_ptes). */
static int zap_pte_entry(struct mm_walk *walk, ptep_t *ptep, unsigned long addr)
{
	struct zap_details *d = walk->private;
	struct vm_area_struct *vma = walk->vma;
	struct machine *m = walk->m;
	pte_t pte = ptep_get(m, ptep);
	struct page *page;

	if (pte_none(pte))
		return 0;
	pte_clear(m, ptep);
	if (!pte_present(pte)) {
		if (is_pte_marker(m, pte))	/* no slot, no counter */
			return 0;
		if (is_swap_pte(pte)) {	/* the slot loses this pte's reference */
			free_swap_and_cache(m, pte_to_swp_entry(m, pte));
			dec_mm_counter(walk->mm, MM_SWAPENTS);
			return 0;
		}
		pr_err(m, "BUG: Bad page map in process %s  pte:%08llx\n", m->comm,
		       (unsigned long long)pte_val(pte));
		return 0;
	}
	if (!d->flush || addr < d->start)
		d->start = addr;
	if (!d->flush || addr + PAGE_SIZE > d->end)
		d->end = addr + PAGE_SIZE;
	d->flush = true;
	page = vm_normal_page(m, vma, addr, pte);
	if (!page)
		return 0;	/* the zero page: never counted */
	if (!PageAnon(page) && pte_dirty(pte))
		set_page_dirty(m, page);	/* writeback is the page cache's (page-writeback.c) */
	dec_mm_counter(walk->mm, mm_counter(page));
	page_remove_rmap(m, page, vma);
	if (page_mapcount(page) < 0)
		pr_err(m, "BUG: Bad page map in process %s  pte:%08llx pmd:%08llx\n", m->comm,
		       (unsigned long long)pte_val(pte), 0ULL);
	if (!page_mapcount(page))
		munlock_page(m, page);	/* the last mapping went (munlock_vma_folio) */
	d->pages[d->nr++] = page;
	if (d->nr == ZAP_BATCH)
		zap_flush(m, vma, d);
	return 0;
}

static const struct mm_walk_ops zap_walk_ops = {
	.pte_entry = zap_pte_entry,
};

/**
 * zap_vma_range() - remove the PTEs of [@start, @end) within @vma, dropping
 *	the rss counters and page references they held (cf. zap_page_range_single,
 *	unmap_vmas)
 * @m: the machine
 * @vma: the VMA
 * @start: page-aligned start, within @vma
 * @end: page-aligned end, within @vma
 *
 * The range's TLB entries are flushed before any page is freed. Page tables
 * stay (free_pgtables() takes them when the VMA goes).
 */
void zap_vma_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		   unsigned long end)
{
	struct zap_details d = { .nr = 0 };

	if (VM_WARN_ON(m, start < vma->vm_start || end > vma->vm_end || start > end))
		return;
	update_hiwater_rss(vma->vm_mm);
	walk_page_range(m, vma->vm_mm, start, end, &zap_walk_ops, vma, &d, NULL);
	zap_flush(m, vma, &d);
}

/* ---- freeing page tables (cf. free_pgd_range) ---- */

struct free_range {
	struct mm_struct *mm;
	unsigned long floor, ceiling;
};

/* A pte table about to be freed must be empty: zap cleared it. */
static void check_pte_table_empty(struct machine *m, phys_addr_t table, unsigned long addr)
{
	for (unsigned int i = 0; i < pt_ptrs(m, PT_PTE); i++) {
		u64 v = pt_read(m, m->ram + table + (u64)i * pgt_fmt(m)->entry_size);

		if (v) {
			pr_err(m, "BUG: freeing a page table with pte %llx at %lx\n",
			       (unsigned long long)v, addr + i * PAGE_SIZE);
			return;
		}
	}
}

/* Free the level-l table below the entry at slot, which covers
 * [start & mask of the level above, ...), if that region lies inside
 * [floor, ceiling) (the tail of free_pmd_range/free_pud_range/free_p4d_range;
 * pte tables are always freed: free_pgd_range's rounding made sure). */
static void free_table(struct machine *m, struct free_range *fr, enum pt_level l, void *slot,
		       unsigned long start, unsigned long end)
{
	unsigned long ceiling = fr->ceiling;
	phys_addr_t table;

	if (pgt_fmt(m)->folded[l])
		return;
	if (l != PT_PTE) {
		start &= (unsigned long)pt_mask(m, l - 1);
		if (start < fr->floor)
			return;
		if (ceiling) {
			ceiling &= (unsigned long)pt_mask(m, l - 1);
			if (!ceiling)
				return;
		}
		if (end - 1 > ceiling - 1)
			return;
	}
	table = pt_table_phys(pt_read(m, slot));
	if (l == PT_PTE && m->debug_vm)
		check_pte_table_empty(m, table, start);
	pt_write(m, slot, 0);
	user_pgtable_free(m, fr->mm, table);
}

/* Free what lies below the level-(l-1) entry at slot for [addr, end), then
 * the level-l table itself (free_p4d_range .. free_pte_range). */
static void free_level(struct machine *m, struct free_range *fr, enum pt_level l, void *slot,
		       unsigned long addr, unsigned long end)
{
	unsigned long start = addr, next;
	void *p;

	if (l < PT_PTE) {
		p = pt_lower_slot(m, l, slot, addr);
		do {
			u64 v = pt_read(m, p);

			next = (unsigned long)pt_addr_end(m, l, addr, end);
			if (!pt_none(m, l, v)) {
				if (pt_bad(m, l, v) || pt_leaf(m, l, v))
					pt_write(m, p, 0);	/* pXd_none_or_clear_bad */
				else
					free_level(m, fr, l + 1, p, addr, next);
			}
			p = (u8 *)p + pgt_fmt(m)->entry_size;
		} while (addr = next, addr != end);
	}
	free_table(m, fr, l, slot, start, end);
}

/* Free the tables of [addr, end) within [floor, ceiling) (cf. free_pgd_range). */
static void free_pgd_range(struct machine *m, struct mm_struct *mm, unsigned long addr,
			   unsigned long end, unsigned long floor, unsigned long ceiling)
{
	const unsigned long pmd_size = (unsigned long)PMD_SIZE_M(m), pmd_mask = ~(pmd_size - 1);
	struct free_range fr = { .mm = mm, .floor = floor, .ceiling = ceiling };
	unsigned long next;
	pgdp_t *pgd;

	/* The pte table covering [addr & PMD_MASK, +PMD_SIZE) may be freed
	 * only if nothing below floor shares it; likewise at the ceiling. */
	addr &= pmd_mask;
	if (addr < floor) {
		addr += pmd_size;
		if (!addr)
			return;
	}
	if (ceiling) {
		ceiling &= pmd_mask;
		if (!ceiling)
			return;
	}
	if (end - 1 > ceiling - 1)
		end -= pmd_size;
	if (addr > end - 1)
		return;
	pgd = pgd_offset_pgd(m, mm->pgd, addr);
	do {
		next = (unsigned long)pt_addr_end(m, PT_PGD, addr, end);
		if (!pgd_none(m, pgdp_get(m, pgd)))
			free_level(m, &fr, PT_P4D, pgd, addr, next);
		pgd = (pgdp_t *)((u8 *)pgd + pgt_fmt(m)->entry_size);
	} while (addr = next, addr != end);
}

/**
 * free_pgtables() - free the page tables that only covered the unmapped
 *	range [@addr, @end), within the gap [@floor, @ceiling) the unmap left
 *	(cf. free_pgtables, free_pgd_range)
 * @m: the machine
 * @mm: the address space; the VMAs of the range are already unlinked and
 *	zapped, so no VMA lies in [@floor, @ceiling)
 * @addr: start of the unmapped VMAs
 * @end: end of the unmapped VMAs
 * @floor: the end of the VMA below the range, or 0 (FIRST_USER_ADDRESS)
 * @ceiling: the start of the VMA above it, or 0 for the top of user space
 *	(USER_PGTABLES_CEILING)
 *
 * Linux calls free_pgd_range(vma->vm_start, vma->vm_end, floor, ceiling)
 * for each VMA that went; as nothing else lies between floor and ceiling,
 * one call over their span frees the same tables: a pte table only when
 * its PMD_SIZE region is inside the gap, a pmd table only when its PUD_SIZE
 * region is, and so on up. A table shared with a neighbour stays. Walking
 * only the unmapped span (not the whole gap) keeps munmap's cost
 * proportional to what was mapped.
 */
void free_pgtables(struct machine *m, struct mm_struct *mm, unsigned long addr,
		   unsigned long end, unsigned long floor, unsigned long ceiling)
{
	if (!mm->pgd || addr >= end)
		return;
	free_pgd_range(m, mm, addr, end, floor, ceiling);
}
