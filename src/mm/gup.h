/* get_user_pages / pin_user_pages: the kernel taking references on user
 * pages (cf. include/linux/mm.h, mm/gup.c, Documentation/core-api/
 * pin_user_pages.rst). Implemented in src/mm/gup.c.
 *
 * Invariant: every reference handed out is in m->gup until it is put back
 * (put_user_page_ref/unpin_user_page), so the checker's "an anonymous
 * page's refcount is its mapcount" reads "its mapcount + gup_refs()". */
#ifndef MMKIT_MM_GUP_H
#define MMKIT_MM_GUP_H

#include "mm/memory.h"

/* gup_flags (cf. enum foll_flags in include/linux/mm_types.h, mm/internal.h) */
#define FOLL_WRITE	0x01		/* check the pte is writable */
#define FOLL_GET	0x02		/* take a reference on the page */
#define FOLL_FORCE	0x08		/* ignore the VMA's protection (ptrace, /proc/PID/mem) */
#define FOLL_REMOTE	0x2000		/* not current's mm */
#define FOLL_PIN	0x4000		/* pin: GUP_PIN_COUNTING_BIAS references (pin_user_pages) */

/* What one pin adds to a small page's refcount (cf. GUP_PIN_COUNTING_BIAS). */
#define GUP_PIN_COUNTING_BIAS 1024

long get_user_pages_remote(struct machine *m, struct mm_struct *mm, unsigned long start,
			   unsigned long nr_pages, unsigned int gup_flags, struct page **pages);
long get_user_pages(struct machine *m, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
long pin_user_pages(struct machine *m, unsigned long start, unsigned long nr_pages,
		    unsigned int gup_flags, struct page **pages);
void put_user_page_ref(struct machine *m, struct page *page);
void unpin_user_page(struct machine *m, struct page *page);
void unpin_user_pages(struct machine *m, struct page **pages, unsigned long npages);
bool page_maybe_dma_pinned(const struct page *page);
long gup_refs(const struct machine *m, const struct page *page);

#endif
