/* Walking the user page tables of a range (cf. include/linux/pagewalk.h,
 * mm/pagewalk.c walk_page_range): the one loop over pgd -> p4d -> pud ->
 * pmd -> pte that zap, change_protection, move_page_tables, mlock, MADV_FREE,
 * fork's copy and the checker share. Folded levels pass through as the
 * asm-generic "nopXd" headers make them.
 *
 * Invariant: the walk never allocates and never frees a table; it visits
 * only tables that exist, in increasing address order. */
#ifndef MMKIT_MM_PAGEWALK_H
#define MMKIT_MM_PAGEWALK_H

#include "mm/memory.h"

struct mm_walk;

/* What a walk does at each entry (cf. struct mm_walk_ops). */
struct mm_walk_ops {
	/* Every pte slot of [addr, next) in an existing pte table, none or
	 * not; a nonzero return stops the walk and is returned. */
	int (*pte_entry)(struct mm_walk *walk, ptep_t *pte, unsigned long addr);
	/* After the last pte of one pte table in the range (may be NULL):
	 * where a walk flushes what it gathered. */
	void (*pte_table_done)(struct mm_walk *walk, unsigned long start, unsigned long end);
	/* A table entry that is bad (cf. pmd_clear_bad): reported and cleared
	 * by the walker before this is called (may be NULL). */
	void (*bad_entry)(struct mm_walk *walk, enum pt_level level, unsigned long addr);
};

/* One walk in progress (cf. struct mm_walk). */
struct mm_walk {
	struct machine *m;
	const struct mm_walk_ops *ops;
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* the VMA walked, or NULL for a whole-mm walk */
	void *private;
	unsigned long nr_tables;	/* tables below the pgd visited (every level) */
};

int walk_page_range(struct machine *m, struct mm_struct *mm, unsigned long start,
		    unsigned long end, const struct mm_walk_ops *ops, struct vm_area_struct *vma,
		    void *private, unsigned long *nr_tables);

/* The pte slot after ptep in its table. */
static inline ptep_t *pte_next(const struct machine *m, ptep_t *ptep)
{
	return (ptep_t *)((u8 *)ptep + pgt_fmt(m)->entry_size);
}

/* A private mapping that may become writable: its pages are shared
 * copy-on-write after fork (cf. is_cow_mapping). */
static inline bool is_cow_mapping(vm_flags_t flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}

#endif
