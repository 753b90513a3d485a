/* The i386 PAE 3-level format (cf. asm/pgtable-3level.h,
 * asm/pgtable-3level_types.h): 64-bit entries, a 4-entry page-directory-
 * pointer table (the pgd, read as the pud since p4d/pud fold into it),
 * 512-entry page directories (pmd) and page tables (pte):
 *
 *   31 30 29       21 20       12 11        0
 *   |pgd|  pmd index | pte index |  offset   |   1 GiB per pgd, 2 MiB per pmd
 *
 * NX is bit 63. A PDPTE carries only P (the other low bits are reserved
 * there). A PSE pmd maps 2 MiB. Physical addresses up to 64 GiB. */
#include "arch/x86/pgtable.h"

/*
 * The PAE boot tables (2.6's head_32.S for PAE): a pgd, one pmd for the
 * identity map (pgd 0) and one for PAGE_OFFSET (pgd 3, which stays the
 * kernel pmd), and four pte pages mapping 0-8 MiB with P|RW (0x003),
 * referenced from both pmds with P|RW|A|D (0x063); pgd entries carry P (0x001).
 * All from bootmem.
 */
static int head_tables_3level(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	phys_addr_t pgd = pgtable_alloc_page(m);
	phys_addr_t pmd0 = pgtable_alloc_page(m);
	phys_addr_t pmdk = pgtable_alloc_page(m);
	unsigned int k = pgd_index(m, pt->page_offset);
	unsigned int kpmd = pmd_index(m, pt->page_offset);
	phys_addr_t ptes[4];
	u64 *pmd;

	if (!pgd || !pmd0 || !pmdk)
		return -ENOMEM;
	for (int i = 0; i < 4; i++) {
		u64 *pte;

		ptes[i] = pgtable_alloc_page(m);
		if (!ptes[i])
			return -ENOMEM;
		pte = (u64 *)(m->ram + ptes[i]);
		for (u64 j = 0; j < 512; j++)
			pte[j] = (((u64)i * 512 + j) << PAGE_SHIFT) | PTE_IDENT_ATTR;
	}
	for (int i = 0; i < 4; i++) {
		pmd = (u64 *)(m->ram + pmd0);
		pmd[i] = ptes[i] | PDE_IDENT_ATTR;
		pmd = (u64 *)(m->ram + pmdk);
		pmd[kpmd + i] = ptes[i] | PDE_IDENT_ATTR;
	}
	((u64 *)(m->ram + pgd))[0] = pmd0 | PGD_IDENT_ATTR;
	((u64 *)(m->ram + pgd))[k] = pmdk | PGD_IDENT_ATTR;
	pt->swapper_pg_dir = pgd;
	pt->pg0 = ptes[0];
	pt->pg1 = ptes[1];
	pt->empty_zero_page = pgtable_alloc_page(m);
	return pt->empty_zero_page ? 0 : -ENOMEM;
}

const struct pgtable_format pgtable_3level_format = {
	.name = "3-level PAE",
	.levels = 3,
	.entry_size = 8,
	.shift = { [PT_PGD] = 30, [PT_P4D] = 30, [PT_PUD] = 30, [PT_PMD] = 21, [PT_PTE] = 12 },
	.ptrs = { [PT_PGD] = 4, [PT_P4D] = 1, [PT_PUD] = 1, [PT_PMD] = 512, [PT_PTE] = 512 },
	.folded = { [PT_P4D] = true, [PT_PUD] = true },
	.leaf_levels = 1u << PT_PMD,
	.supported_pte_mask = ~0ULL,
	.top_table_flags = _PAGE_PDPTE,
	.head_tables = head_tables_3level,
};
