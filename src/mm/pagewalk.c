/* Walking the user page tables of a range (cf. mm/pagewalk.c): see
 * mm/pagewalk.h. A level's entries are visited from the slot of the first
 * address; a missing table skips the whole region its entry covers, so a
 * sparse terabyte costs a few reads. A bad table entry (a leaf where a table
 * belongs, stray bits) is reported as Linux's pmd_clear_bad does and cleared.
 *
 * Invariant: no table is allocated or freed here. */
#include "mm/pagewalk.h"

/* Report and clear a bad table entry (cf. pgd_clear_bad, pmd_clear_bad). */
static void walk_clear_bad(struct mm_walk *walk, enum pt_level l, void *slot, unsigned long addr)
{
	static const char *const names[] = { "pgd", "p4d", "pud", "pmd", "pte" };
	struct machine *m = walk->m;

	pr_err(m, "mm/pgtable-generic.c: bad %s %016llx (address %lx)\n", names[l],
	       (unsigned long long)pt_read(m, slot), addr);
	pt_write(m, slot, 0);
	if (walk->ops->bad_entry)
		walk->ops->bad_entry(walk, l, addr);
}

/* Visit the level-l entries of [addr, end) starting at slot. */
static int walk_level(struct mm_walk *walk, enum pt_level l, void *slot, unsigned long addr,
		      unsigned long end)
{
	struct machine *m = walk->m;
	unsigned long start = addr, next;
	int err = 0;

	if (l == PT_PTE) {
		for (; addr != end; addr += PAGE_SIZE, slot = pte_next(m, slot)) {
			err = walk->ops->pte_entry(walk, slot, addr);
			if (err)
				break;
		}
		if (walk->ops->pte_table_done)
			walk->ops->pte_table_done(walk, start, addr);
		return err;
	}
	do {
		u64 v = pt_read(m, slot);

		next = (unsigned long)pt_addr_end(m, l, addr, end);
		if (pt_none(m, l, v))
			goto skip;
		if (pt_bad(m, l, v) || pt_leaf(m, l, v)) {
			walk_clear_bad(walk, l, slot, addr);
			goto skip;
		}
		if (!pgt_fmt(m)->folded[l + 1])
			walk->nr_tables++;
		err = walk_level(walk, l + 1, pt_lower_slot(m, l + 1, slot, addr), addr, next);
		if (err)
			return err;
skip:
		slot = (u8 *)slot + pgt_fmt(m)->entry_size;
	} while (addr = next, addr != end);
	return 0;
}

/**
 * walk_page_range() - call @ops for the user page tables of [@start, @end)
 *	of @mm (cf. walk_page_range)
 * @m: the machine
 * @mm: the address space; its mmap lock held
 * @start: page-aligned start
 * @end: page-aligned end, above @start (at most TASK_SIZE)
 * @ops: what to do at each pte
 * @vma: passed to @ops in walk->vma (may be NULL)
 * @private: passed to @ops in walk->private
 * @nr_tables: if not NULL, gets the number of table pages below the pgd the
 *	walk went through (tables of every level, each counted once per walk
 *	only when the range visits it once: whole-mm walks)
 *
 * Returns 0, or the first nonzero value a callback returned.
 */
int walk_page_range(struct machine *m, struct mm_struct *mm, unsigned long start,
		    unsigned long end, const struct mm_walk_ops *ops, struct vm_area_struct *vma,
		    void *private, unsigned long *nr_tables)
{
	struct mm_walk walk = { .m = m, .ops = ops, .mm = mm, .vma = vma, .private = private };
	int err;

	if (nr_tables)
		*nr_tables = 0;
	if (!mm->pgd || start >= end)
		return 0;
	err = walk_level(&walk, PT_PGD, pgd_offset_pgd(m, mm->pgd, start), start, end);
	if (nr_tables)
		*nr_tables = walk.nr_tables;
	return err;
}
