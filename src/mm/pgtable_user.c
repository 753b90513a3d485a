/* User page tables: a process's page global directory and the tables
 * below it (cf. arch/x86/mm/pgtable.c pgd_alloc/pgd_free, mm/memory.c
 * __pte_alloc/__pmd_alloc/__pud_alloc, include/linux/mm.h
 * mm_inc_nr_ptes; seed 001: "每个进程都有自己的页目录 ... 内核部分是共享的").
 *
 * A new pgd gets an empty user half and a copy of swapper_pg_dir's kernel
 * half (pgd_ctor), so every process sees the same kernel. The tables below
 * the pgd are allocated on the first fault that needs them, from lowmem
 * (no CONFIG_HIGHPTE), zeroed, marked PG_table and counted in the node's
 * NR_PAGETABLE and in mm->pgtables_bytes (VmPTE). The shared zero page
 * (empty_zero_page) is what read faults on anonymous memory map.
 *
 * Invariants: a user table page is PG_table, referenced by exactly one
 * entry of its mm's tables; mm->pgtables_bytes is PAGE_SIZE per table
 * page below the pgd (checked in mm/memory_check.c). */
#include "mm/memory.h"

/* One zeroed table page for @mm, or 0 without memory (GFP_PGTABLE_USER). */
static phys_addr_t user_pgtable_alloc(struct machine *m, struct mm_struct *mm)
{
	/* m->pgtables.fail_nth covers user tables too (fault-injection tests) */
	struct page *page = kernel_vm_should_fail(m) ? NULL :
			    alloc_page(m, GFP_KERNEL | __GFP_NOWARN);

	if (!page)
		return 0;
	SetPageTable(page);
	mm_memset(page_address(m, page), 0, PAGE_SIZE);
	__mod_node_page_state(&m->node, NR_PAGETABLE, 1);
	__atomic_fetch_add(&mm->pgtables_bytes, PAGE_SIZE, __ATOMIC_RELAXED);
	return page_to_phys(m, page);
}

/**
 * user_pgtable_free() - free a user page-table page below the pgd, already
 *	unlinked from its parent entry (cf. pte_free/pmd_free/pud_free)
 * @m: the machine
 * @mm: the address space it belonged to
 * @table: its physical address
 */
void user_pgtable_free(struct machine *m, struct mm_struct *mm, phys_addr_t table)
{
	struct page *page = pfn_to_page(m, PFN_DOWN(table));

	if (VM_WARN_ON(m, !PageTable(page)))
		return;
	ClearPageTable(page);
	__mod_node_page_state(&m->node, NR_PAGETABLE, -1);
	__atomic_fetch_sub(&mm->pgtables_bytes, PAGE_SIZE, __ATOMIC_RELAXED);
	__free_page(m, page);
}

static bool user_table_install(struct machine *m, struct mm_struct *mm, enum pt_level l,
			       void *slot);

/* The user pgd slots: those below KERNEL_PGD_BOUNDARY. */
static void *user_pgd_slot(struct machine *m, struct mm_struct *mm, unsigned int i)
{
	return m->ram + mm->pgd + (u64)i * pgt_fmt(m)->entry_size;
}

/* PAE: free the pmd tables still linked in the user pgd slots
 * (cf. pgd_mop_up_pmds). */
static void pgd_mop_up_pmds(struct machine *m, struct mm_struct *mm)
{
	for (unsigned int i = 0; i < kernel_pgd_boundary(m); i++) {
		void *slot = user_pgd_slot(m, mm, i);
		u64 v = pt_read(m, slot);

		if (!(v & _PAGE_PRESENT))
			continue;
		pt_write(m, slot, 0);
		user_pgtable_free(m, mm, pt_table_phys(v));
	}
}

/* PAE: the CPU loads all four PDPTEs when CR3 is written, so Linux
 * allocates the user pmd tables with the pgd (cf. preallocate_pmds,
 * pgd_prepopulate_pmd); they count in VmPTE from the start. */
static int preallocate_pmds(struct machine *m, struct mm_struct *mm)
{
	for (unsigned int i = 0; i < kernel_pgd_boundary(m); i++)
		if (!user_table_install(m, mm, PT_PUD, user_pgd_slot(m, mm, i))) {
			pgd_mop_up_pmds(m, mm);
			return -ENOMEM;
		}
	return 0;
}

/**
 * pgd_alloc_user() - give a new address space its page global directory,
 *	user half empty, kernel half copied from swapper_pg_dir (cf. pgd_alloc)
 * @m: the machine
 * @mm: the new address space
 *
 * Returns 0 or -ENOMEM.
 */
int pgd_alloc_user(struct machine *m, struct mm_struct *mm)
{
	struct page *page;

	mm->pgd = 0;
	if (!m->pgtables.ready || kernel_vm_should_fail(m))
		return -ENOMEM;
	page = alloc_page(m, GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return -ENOMEM;
	SetPageTable(page);
	mm_memset(page_address(m, page), 0, PAGE_SIZE);
	pgd_ctor(m, page);
	mm->pgd = page_to_phys(m, page);
	if (pgt_fmt(m)->levels == 3 && preallocate_pmds(m, mm)) {
		pgd_free_user(m, mm);
		return -ENOMEM;
	}
	return 0;
}

/**
 * pgd_free_user() - free @mm's page global directory (cf. pgd_free)
 * @m: the machine
 * @mm: a dying address space whose lower tables are all freed
 */
void pgd_free_user(struct machine *m, struct mm_struct *mm)
{
	struct page *page;

	if (!mm->pgd)
		return;
	page = pfn_to_page(m, PFN_DOWN(mm->pgd));
	if (pgt_fmt(m)->levels == 3)
		pgd_mop_up_pmds(m, mm);
	VM_WARN_ON(m, mm->pgtables_bytes != 0);
	pgd_dtor(m, page);
	ClearPageTable(page);
	__free_page(m, page);
	mm->pgd = 0;
}

/* Link a new table under the entry at @slot of level @l, unless another
 * CPU did first (cf. __pte_alloc's pmd_install under page_table_lock). */
static bool user_table_install(struct machine *m, struct mm_struct *mm, enum pt_level l,
			       void *slot)
{
	phys_addr_t t = user_pgtable_alloc(m, mm);

	if (!t)
		return false;
	spin_lock(&mm->page_table_lock);
	if (pt_none(m, l, pt_read(m, slot))) {
		if (l == PT_P4D)
			p4d_populate(m, slot, t);
		else if (l == PT_PUD)
			pud_populate(m, slot, t);
		else
			pmd_populate(m, slot, t);
		t = 0;
	}
	spin_unlock(&mm->page_table_lock);
	if (t)
		user_pgtable_free(m, mm, t);
	return true;
}

/**
 * pte_alloc_user() - the pte slot of @addr in @mm, allocating the missing
 *	tables on the way (cf. pud_alloc, pmd_alloc, pte_alloc)
 * @m: the machine
 * @mm: the address space
 * @addr: a user address
 *
 * Returns the slot, or NULL when a table page could not be allocated
 * (tables allocated on the way stay, as Linux leaves them to free_pgtables).
 */
ptep_t *pte_alloc_user(struct machine *m, struct mm_struct *mm, unsigned long addr)
{
	pgdp_t *pgd = pgd_offset_pgd(m, mm->pgd, addr);
	p4dp_t *p4d = p4d_offset(m, pgd, addr);
	pudp_t *pud;
	pmdp_t *pmd;

	if (p4d_none(m, p4dp_get(m, p4d)) && !user_table_install(m, mm, PT_P4D, p4d))
		return NULL;
	pud = pud_offset(m, p4d, addr);
	if (pud_none(m, pudp_get(m, pud)) && !user_table_install(m, mm, PT_PUD, pud))
		return NULL;
	pmd = pmd_offset(m, pud, addr);
	if (pmd_none(m, pmdp_get(m, pmd)) && !user_table_install(m, mm, PT_PMD, pmd))
		return NULL;
	if (VM_WARN_ON(m, pmd_leaf(m, pmdp_get(m, pmd))))
		return NULL;
	return pte_offset_kernel(m, pmd, addr);
}

/**
 * pmd_offset_user() - the pmd slot of @addr in @mm without allocating
 * @m: the machine
 * @mm: the address space
 * @addr: a user address
 *
 * Returns the slot, or NULL when a level above it is missing.
 */
pmdp_t *pmd_offset_user(struct machine *m, struct mm_struct *mm, unsigned long addr)
{
	return mm->pgd ? pmd_lookup(m, mm->pgd, addr) : NULL;
}

/**
 * pte_offset_user() - the pte slot of @addr in @mm without allocating
 * @m: the machine
 * @mm: the address space
 * @addr: a user address
 *
 * Returns the slot, or NULL when its page table does not exist.
 */
ptep_t *pte_offset_user(struct machine *m, struct mm_struct *mm, unsigned long addr)
{
	pmdp_t *pmd = pmd_offset_user(m, mm, addr);

	if (!pmd || pmd_none(m, pmdp_get(m, pmd)) || pmd_leaf(m, pmdp_get(m, pmd)))
		return NULL;
	return pte_offset_kernel(m, pmd, addr);
}

/**
 * zero_pfn() - the frame of the shared zero page (cf. my_zero_pfn)
 * @m: the machine
 */
unsigned long zero_pfn(const struct machine *m)
{
	return (unsigned long)PFN_DOWN(m->pgtables.empty_zero_page);
}

/**
 * is_zero_pfn() - is @pfn the shared zero page?
 * @m: the machine
 * @pfn: a frame
 */
bool is_zero_pfn(const struct machine *m, unsigned long pfn)
{
	return pfn == zero_pfn(m);
}
