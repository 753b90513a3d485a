/* The x86_64 4-level format (cf. asm/pgtable_64.h, asm/pgtable_64_types.h):
 * 64-bit entries, four 512-entry levels (PML4 = pgd read as the p4d, which
 * folds into it; PDPT = pud; PD = pmd; PT = pte), 48-bit virtual addresses
 * sign-extended to 64:
 *
 *   47     39 38     30 29     21 20     12 11      0
 *   | pgd    |  pud    |  pmd    |  pte    | offset  |  512 GiB / 1 GiB / 2 MiB
 *
 * NX is bit 63; PSE entries map 1 GiB (pud) or 2 MiB (pmd). */
#include "arch/x86/pgtable.h"

/*
 * The x86_64 boot tables (cf. head_64.S early_top_pgt): 0-8 MiB mapped with
 * four 2 MiB pages at 0 (identity) and at PAGE_OFFSET, from bootmem.
 */
static int head_tables_4level(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	u64 addrs[2] = { 0, pt->page_offset };
	phys_addr_t pgd = pgtable_alloc_page(m);

	if (!pgd)
		return -ENOMEM;
	pt->swapper_pg_dir = pgd;
	for (int a = 0; a < 2; a++) {
		phys_addr_t pud = pgtable_alloc_page(m), pmd = pgtable_alloc_page(m);
		u64 va = addrs[a];

		if (!pud || !pmd)
			return -ENOMEM;
		((u64 *)(m->ram + pgd))[pgd_index(m, va)] = pud | _PAGE_TABLE;
		((u64 *)(m->ram + pud))[pud_index(m, va)] = pmd | _PAGE_TABLE;
		for (u64 i = 0; i < 4; i++)
			((u64 *)(m->ram + pmd))[pmd_index(m, va) + i] =
				(i << 21) | PDE_IDENT_ATTR | _PAGE_PSE;
	}
	pt->pg0 = pt->pg1 = 0;
	pt->empty_zero_page = pgtable_alloc_page(m);
	return pt->empty_zero_page ? 0 : -ENOMEM;
}

const struct pgtable_format pgtable_4level_format = {
	.name = "4-level",
	.levels = 4,
	.entry_size = 8,
	.shift = { [PT_PGD] = 39, [PT_P4D] = 39, [PT_PUD] = 30, [PT_PMD] = 21, [PT_PTE] = 12 },
	.ptrs = { [PT_PGD] = 512, [PT_P4D] = 1, [PT_PUD] = 512, [PT_PMD] = 512, [PT_PTE] = 512 },
	.folded = { [PT_P4D] = true },
	.leaf_levels = (1u << PT_PMD) | (1u << PT_PUD),
	.supported_pte_mask = ~0ULL,
	.top_table_flags = _PAGE_TABLE,
	.head_tables = head_tables_4level,
};
