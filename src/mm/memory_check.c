/* The invariant checker of user memory (CONFIG_DEBUG_VM; registered in
 * mm/debug.c, run by mmkit_check() and so after every test step at
 * debug_vm 2): it walks every user PTE of every live mm (cf. check_mm's
 * "BUG: Bad rss-counter state", print_bad_pte, and the mapcount sanity
 * checks of mm/debug_vm_pgtable.c).
 *
 * Checked, per mm: each rss_stat counter equals its present PTEs of that
 * kind (mm_counter); pgtables_bytes is PAGE_SIZE per table page below the
 * pgd; every set PTE lies inside a VMA; a writable PTE in a private VMA maps
 * a page with one mapper, never the zero page; an anonymous page belongs to
 * an anon_vma its VMA is linked to, and holds one reference per mapping
 * plus GUP's and the swap cache's; a non-present pte is a swap entry of a
 * slot in use or a poisoned PTE marker (no slot, no counter, only where
 * anonymous pages were), and (mm/swapfile.c's swap_check_end) each slot's count is
 * the swap ptes naming it (at least, when shmem also holds entries), and
 * SWAP_HAS_CACHE matches the swap cache.
 * Across all mms: every mapped
 * page's mapcount equals the number of PTEs mapping it, and no anonymous
 * page has a mapcount without a PTE.
 *
 * The per-page PTE counts need a counter per page, and the checker must
 * not allocate (it runs when memory is short, and an allocation would move
 * the counters tests compare). So it borrows the page itself: a first pass
 * subtracts each PTE from _mapcount and marks the page with a spare flag
 * bit (PG_memcheck); a second pass finds _mapcount back at -1 exactly when
 * the counts agreed, and restores it. The machine must be quiescent (as for
 * every checker): no CPU may fault or unmap meanwhile. */
#include "mm/pagewalk.h"
#include "mm/gup.h"
#include "mm/swap.h"

/* A flag bit no page uses: above the page flags, below the allocation
 * order kept in page->flags. Set only during check_user_memory(). */
#define PG_memcheck (ALLOC_ORDER_PGSHIFT - 1)
_Static_assert(__NR_PAGEFLAGS < PG_memcheck, "PG_memcheck must be a spare bit");

enum memcheck_pass { PASS_MM, PASS_COUNT, PASS_VERIFY };

struct memcheck {
	enum memcheck_pass pass;
	struct vm_area_struct *vma;	/* cursor: the first VMA ending above the last pte */
	long rss[NR_MM_COUNTERS];
	int bad;
};

static void report(struct machine *m, struct memcheck *c, struct mm_struct *mm,
		   unsigned long addr, pte_t pte, const char *what)
{
	if (c->bad++ < 20)
		pr_err(m, "BUG: mm %p: pte %llx at %lx: %s\n", (void *)mm,
		       (unsigned long long)pte_val(pte), addr, what);
}

/* The VMA holding addr, moving the cursor forward (ptes come in order). */
static struct vm_area_struct *memcheck_vma(struct memcheck *c, unsigned long addr)
{
	while (c->vma && c->vma->vm_end <= addr)
		c->vma = c->vma->vm_next;
	return c->vma && c->vma->vm_start <= addr ? c->vma : NULL;
}

/* Pass 1 for one pte: the per-mm checks. */
static void memcheck_mm_pte(struct mm_walk *walk, struct memcheck *c, unsigned long addr,
			    pte_t pte, struct vm_area_struct *vma)
{
	struct machine *m = walk->m;
	struct page *page;

	if (!vma) {
		report(m, c, walk->mm, addr, pte, "set outside every VMA");
		return;
	}
	if (!pte_present(pte)) {
		if (!is_swap_pte(pte)) {
			report(m, c, walk->mm, addr, pte, "neither present nor a swap entry");
			return;
		}
		if (is_pte_marker(m, pte)) {	/* no slot, no counter */
			if (pte_marker_get(pte_to_swp_entry(m, pte)) != PTE_MARKER_POISONED)
				report(m, c, walk->mm, addr, pte, "a PTE marker mmkit never makes");
			else if (!vma->anon_vma)
				report(m, c, walk->mm, addr, pte, "a poisoned marker where no anon page was");
			return;
		}
		if (non_swap_entry(pte_to_swp_entry(m, pte))) {
			report(m, c, walk->mm, addr, pte, "a swap entry of no area");
			return;
		}
		c->rss[MM_SWAPENTS]++;
		if (swap_check_pte(m, pte_to_swp_entry(m, pte)))
			report(m, c, walk->mm, addr, pte, "a swap entry of a free or bad slot");
		return;
	}
	page = vm_normal_page(m, vma, addr, pte);
	if (!page) {
		if (is_zero_pfn(m, pte_pfn(pte)) && pte_write(pte))
			report(m, c, walk->mm, addr, pte, "the zero page mapped writable");
		return;
	}
	c->rss[mm_counter(page)]++;
	if (page_mapcount(page) < 1)
		report(m, c, walk->mm, addr, pte, "maps a page with no mapcount");
	if (pte_write(pte) && !(vma->vm_flags & VM_SHARED) && page_mapcount(page) != 1)
		report(m, c, walk->mm, addr, pte,
		       "writable in a private VMA but the page has other mappers");
	if (PageAnon(page) &&
	    !anon_vma_linked(vma, (const struct anon_vma *)((unsigned long)page->mapping &
							     ~PAGE_MAPPING_ANON)))
		report(m, c, walk->mm, addr, pte,
		       "an anonymous page of an anon_vma its VMA is not linked to");
	if (PageAnon(page) &&
	    page_count(page) != page_mapcount(page) + gup_refs(m, page) + PageSwapCache(page))
		report(m, c, walk->mm, addr, pte,
		       "an anonymous page whose refcount is not its mapcount");
}

static int memcheck_pte_entry(struct mm_walk *walk, ptep_t *ptep, unsigned long addr)
{
	struct memcheck *c = walk->private;
	pte_t pte = ptep_get(walk->m, ptep);
	struct vm_area_struct *vma;
	struct page *page;

	if (pte_none(pte))
		return 0;
	vma = memcheck_vma(c, addr);
	if (c->pass == PASS_MM) {
		memcheck_mm_pte(walk, c, addr, pte, vma);
		return 0;
	}
	if (!vma || !pte_present(pte))
		return 0;
	page = vm_normal_page(walk->m, vma, addr, pte);
	if (!page)
		return 0;
	if (c->pass == PASS_COUNT) {
		page->flags |= 1UL << PG_memcheck;
		page->_mapcount--;
		return 0;
	}
	if (page->flags & (1UL << PG_memcheck)) {	/* the first pte of this page */
		page->flags &= ~(1UL << PG_memcheck);
		if (page->_mapcount != -1)
			report(walk->m, c, walk->mm, addr, pte,
			       "its page's mapcount differs from the ptes mapping it");
	}
	page->_mapcount++;
	return 0;
}

static const struct mm_walk_ops memcheck_ops = {
	.pte_entry = memcheck_pte_entry,
};

/* Walk every user pte of mm for one pass; returns the tables below the pgd. */
static unsigned long memcheck_walk(struct machine *m, struct mm_struct *mm, struct memcheck *c)
{
	unsigned long tables;

	c->vma = mm->mmap;
	walk_page_range(m, mm, 0, mm->task_size, &memcheck_ops, NULL, c, &tables);
	return tables;
}

/* Pass 1 for one mm: counters and placement. */
static void check_mm_ptes(struct machine *m, struct mm_struct *mm, struct memcheck *c)
{
	static const char *const names[NR_MM_COUNTERS] = {
		"MM_FILEPAGES", "MM_ANONPAGES", "MM_SWAPENTS", "MM_SHMEMPAGES"
	};
	unsigned long tables;

	for (int i = 0; i < NR_MM_COUNTERS; i++)
		c->rss[i] = 0;
	c->pass = PASS_MM;
	tables = memcheck_walk(m, mm, c);
	for (int i = 0; i < NR_MM_COUNTERS; i++)
		if (mm->rss_stat[i] != c->rss[i] && c->bad++ < 20)
			pr_err(m, "BUG: Bad rss-counter state mm:%p type:%s val:%ld ptes:%ld\n",
			       (void *)mm, names[i], mm->rss_stat[i], c->rss[i]);
	if (mm->pgtables_bytes != tables * PAGE_SIZE && c->bad++ < 20)
		pr_err(m, "BUG: mm %p: pgtables_bytes %lu, %lu table pages below the pgd\n",
		       (void *)mm, mm->pgtables_bytes, tables);
}

/* An anonymous page must not claim mappers no pte provides. */
static void check_unmapped_anon(struct machine *m, struct memcheck *c)
{
	for (unsigned long pfn = 0; pfn < m->max_pfn; pfn++) {
		struct page *page = pfn_to_page(m, pfn);

		if ((page->flags & (1UL << PG_memcheck)) || !PageAnon(page) ||
		    page_mapcount(page) <= 0)
			continue;
		if (c->bad++ < 20)
			pr_err(m, "BUG: anonymous page pfn %lx has mapcount %d but no pte maps it\n",
			       pfn, page_mapcount(page));
	}
}

/**
 * check_user_memory() - check the user page tables of every live mm against
 *	the rss counters, pgtables_bytes, the VMAs and the pages' mapcounts
 * @m: the machine (quiescent)
 *
 * Returns the number of violations, each reported in the kernel log.
 */
int check_user_memory(struct machine *m)
{
	struct memcheck c = { .bad = 0 };
	struct mm_struct *mm;

	if (!m->vm.ready || !m->pgtables.ready || !m->mem_map)
		return 0;
	swap_check_begin(m);
	list_for_each_entry(mm, &m->vm.mm_list, mm_list)
		check_mm_ptes(m, mm, &c);
	c.bad += swap_check_end(m);
	c.pass = PASS_COUNT;
	list_for_each_entry(mm, &m->vm.mm_list, mm_list)
		memcheck_walk(m, mm, &c);
	check_unmapped_anon(m, &c);
	c.pass = PASS_VERIFY;
	list_for_each_entry(mm, &m->vm.mm_list, mm_list)
		memcheck_walk(m, mm, &c);
	return c.bad;
}
