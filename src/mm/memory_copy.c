/* Copying a VMA's page tables into a child at fork (cf. mm/memory.c
 * copy_page_range, copy_pte_range, copy_present_pte, vma_needs_copy).
 *
 * Each present PTE of the parent's VMA is copied into the child's tables
 * (allocated as needed). The page it maps gains a mapper and a reference
 * (page_dup_rmap + get_page) and counts in the child's rss. In a COW
 * mapping (private, may be written: is_cow_mapping) a writable PTE is
 * write-protected in BOTH parent and child, so the first write of either
 * faults and copies (or reuses the page when it has a single mapper again).
 * A shared mapping's PTE is copied as it is, only marked clean in the child.
 * The child's PTEs are old (not Accessed). The zero page is copied without
 * counts. A swap pte is copied as it is, its slot gaining a reference
 * (swap_duplicate) and the child's MM_SWAPENTS one; a poisoned PTE marker
 * is copied as it is, with no slot and no counter (copy_pte_marker: the
 * child gets SIGBUS there too). The caller (dup_mmap) flushes the parent's TLB once at the end.
 *
 * Linux copies no PTEs where a later fault would find the same page again
 * (vma_needs_copy: no anon_vma and not PFNMAP). mmkit's shared anonymous
 * memory has no page cache yet (shmem gets one with the page-cache issue),
 * so a mapping whose vm_ops has no fault handler is copied too: its PTEs
 * are the only record of its pages.
 *
 * Invariant: after copy_page_range() every page mapped by the child's PTEs
 * has its mapcount and refcount raised once per PTE, and no writable PTE of
 * a COW mapping maps a page shared with another PTE. */
#include "mm/pagewalk.h"
#include "mm/swap.h"

/* Does fork copy this VMA's PTEs? (cf. vma_needs_copy) */
static bool vma_needs_copy(const struct vm_area_struct *src_vma)
{
	if (src_vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	if (src_vma->anon_vma)
		return true;
	/* mmkit: no page cache behind this mapping yet (see above) */
	return src_vma->vm_ops && !src_vma->vm_ops->fault;
}

struct copy_ptes {
	struct vm_area_struct *dst_vma;
	bool is_cow;
	long rss[NR_MM_COUNTERS];	/* added to the child's counters at the end */
	ptep_t *dst_table;		/* the child's pte slot of dst_region, or NULL */
	unsigned long dst_region;	/* PMD_SIZE region of dst_table */
};

/* The child's pte slot for addr, allocating its tables (cf. pte_alloc_map). */
static ptep_t *copy_dst_pte(struct machine *m, struct copy_ptes *cp, unsigned long addr)
{
	unsigned long region = addr & (unsigned long)PMD_MASK_M(m);
	ptep_t *first;

	if (cp->dst_table && cp->dst_region == region)
		return (ptep_t *)((u8 *)cp->dst_table +
				  (u64)pte_index(m, addr) * pgt_fmt(m)->entry_size);
	first = pte_alloc_user(m, cp->dst_vma->vm_mm, region);
	if (!first)
		return NULL;
	cp->dst_table = first;
	cp->dst_region = region;
	return (ptep_t *)((u8 *)first + (u64)pte_index(m, addr) * pgt_fmt(m)->entry_size);
}

/* Copy one pte into the child (cf. copy_present_pte). */
static int copy_pte_entry(struct mm_walk *walk, ptep_t *src_pte, unsigned long addr)
{
	struct copy_ptes *cp = walk->private;
	struct machine *m = walk->m;
	pte_t pte = ptep_get(m, src_pte);
	struct page *page;
	ptep_t *dst_pte;

	if (pte_none(pte))
		return 0;
	dst_pte = copy_dst_pte(m, cp, addr);
	if (!dst_pte)
		return -ENOMEM;
	if (is_pte_marker(m, pte)) {	/* copy_pte_marker: POISONED and GUARD go over */
		pte_marker marker = pte_marker_get(pte_to_swp_entry(m, pte)) &
				    (PTE_MARKER_POISONED | PTE_MARKER_GUARD);

		if (!marker)
			return 0;
		pte = make_pte_marker(m, marker);
	} else if (is_swap_pte(pte)) {	/* copy_nonpresent_pte: one more pte names the slot */
		int err = swap_duplicate(m, pte_to_swp_entry(m, pte));

		if (err)
			return err == -ENOMEM ? -ENOMEM : -EIO;
		cp->rss[MM_SWAPENTS]++;
	} else if (pte_present(pte)) {
		page = vm_normal_page(m, walk->vma, addr, pte);
		if (page) {
			get_page(page);
			page_dup_rmap(m, page);
			cp->rss[mm_counter(page)]++;
		}
		if (cp->is_cow && pte_write(pte)) {
			set_pte(m, src_pte, pte_wrprotect(pte));	/* ptep_set_wrprotect */
			pte = pte_wrprotect(pte);
		}
		if (walk->vma->vm_flags & VM_SHARED)
			pte = pte_mkclean(pte);
		pte = pte_mkold(pte);
	}
	VM_WARN_ON(m, !pte_none(ptep_get(m, dst_pte)));
	set_pte(m, dst_pte, pte);
	return 0;
}

static const struct mm_walk_ops copy_ptes_ops = {
	.pte_entry = copy_pte_entry,
};

/**
 * copy_page_range() - copy @src_vma's PTEs into the child's @dst_vma at fork
 *	(cf. copy_page_range)
 * @m: the machine
 * @dst_vma: the child's copy of @src_vma, linked into the child's mm
 * @src_vma: the parent's VMA
 *
 * Returns 0, or -ENOMEM when a page table of the child could not be
 * allocated (what was copied stays: the caller tears the child down). The
 * parent's write-protected PTEs need a TLB flush: dup_mmap does
 * flush_tlb_mm(parent) once all VMAs are copied.
 */
int copy_page_range(struct machine *m, struct vm_area_struct *dst_vma,
		    struct vm_area_struct *src_vma)
{
	struct copy_ptes cp = { .dst_vma = dst_vma, .is_cow = is_cow_mapping(src_vma->vm_flags) };
	int err, i;

	if (!vma_needs_copy(src_vma))
		return 0;
	err = walk_page_range(m, src_vma->vm_mm, src_vma->vm_start, src_vma->vm_end,
			      &copy_ptes_ops, src_vma, &cp, NULL);
	for (i = 0; i < NR_MM_COUNTERS; i++)
		if (cp.rss[i])
			add_mm_counter(dst_vma->vm_mm, i, cp.rss[i]);
	return err;
}
