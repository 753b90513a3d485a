/* The LRU lists: adding pages, moving them between lists, taking them off
 * (cf. mm/swap.c: folio_add_lru, folio_mark_accessed, __page_cache_release).
 * Placeholder until reclaim lands: nothing is on a list yet. */
#include "mm/memory.h"

/**
 * lru_cache_add_inactive_or_unevictable() - a new anonymous page joins the
 *	LRU (cf. folio_add_lru_vma)
 * @m: the machine
 * @page: the page
 * @vma: the VMA it was mapped in
 */
void lru_cache_add_inactive_or_unevictable(struct machine *m, struct page *page,
					   struct vm_area_struct *vma)
{
	(void)m, (void)page, (void)vma;
}

/**
 * lru_cache_add() - a page joins its LRU list (cf. folio_add_lru)
 * @m: the machine
 * @page: the page
 */
void lru_cache_add(struct machine *m, struct page *page)
{
	(void)m, (void)page;
}

/**
 * __page_cache_release() - the last reference is going: off the LRU,
 *	never mlocked (cf. __page_cache_release)
 * @m: the machine
 * @page: the page
 */
void __page_cache_release(struct machine *m, struct page *page)
{
	munlock_page(m, page);
}
