/* The i386 2-level format (cf. asm/pgtable-2level.h, asm/pgtable-2level_types.h):
 * 32-bit entries, a 1024-entry page directory (the pgd, read as the pmd
 * since pud/pmd/p4d fold into it) and 1024-entry page tables:
 *
 *   31        22 21        12 11         0
 *   | pgd index |  pte index |   offset   |     4 MiB per pgd entry
 *
 * No NX bit (bit 63 does not exist in a 32-bit entry). A PSE pgd entry maps
 * 4 MiB. Also the boot tables of head.S as seed 001 shows them. */
#include "arch/x86/pgtable.h"

/* head.S (seed 001, 启用分页机制): swapper_pg_dir at _text+0x1000, pg0 at
 * _text+0x2000, pg1 at _text+0x3000, empty_zero_page at _text+0x4000. */
#define HEAD_SWAPPER_OFF 0x1000
#define HEAD_PG0_OFF 0x2000
#define HEAD_PG1_OFF 0x3000
#define HEAD_ZERO_PAGE_OFF 0x4000
#define HEAD_END_OFF 0x5000

/*
 * Fill pg0 and pg1 with entries 0x007, 0x1007, 0x2007, ... (PRESENT+RW+USER,
 * "007 doesn't mean with right to kill"): 2048 pages, 0-8 MiB. Then
 * swapper_pg_dir gets 0x00102007 and 0x00103007 (for a kernel at 1 MiB) in
 * entries 0 and 1 (the identity map) and again in entries 768 and 769
 * (PAGE_OFFSET); the 766 and 254 entries between and after stay zero.
 */
static int head_tables_2level(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	phys_addr_t text = m->kimage.text;
	unsigned int k = pgd_index(m, pt->page_offset);
	u32 *pg, *pgd;

	if (text + HEAD_END_OFF > m->kimage.end || text + HEAD_END_OFF > m->ram_bytes)
		return -EINVAL;
	pt->swapper_pg_dir = text + HEAD_SWAPPER_OFF;
	pt->pg0 = text + HEAD_PG0_OFF;
	pt->pg1 = text + HEAD_PG1_OFF;
	pt->empty_zero_page = text + HEAD_ZERO_PAGE_OFF;
	pg = (u32 *)(m->ram + pt->pg0);	/* pg0 and pg1 are adjacent: 2048 entries */
	for (u32 i = 0; i < 2048; i++)
		pg[i] = (i << PAGE_SHIFT) | (u32)PTE_IDENT_ATTR_2LEVEL;
	mm_memset(m->ram + pt->empty_zero_page, 0, PAGE_SIZE);
	pgd = (u32 *)(m->ram + pt->swapper_pg_dir);
	mm_memset(pgd, 0, PAGE_SIZE);
	pgd[0] = pgd[k] = (u32)(pt->pg0 | PTE_IDENT_ATTR_2LEVEL);
	pgd[1] = pgd[k + 1] = (u32)(pt->pg1 | PTE_IDENT_ATTR_2LEVEL);
	return 0;
}

const struct pgtable_format pgtable_2level_format = {
	.name = "2-level",
	.levels = 2,
	.entry_size = 4,
	.shift = { [PT_PGD] = 22, [PT_P4D] = 22, [PT_PUD] = 22, [PT_PMD] = 22, [PT_PTE] = 12 },
	.ptrs = { [PT_PGD] = 1024, [PT_P4D] = 1, [PT_PUD] = 1, [PT_PMD] = 1, [PT_PTE] = 1024 },
	.folded = { [PT_P4D] = true, [PT_PUD] = true, [PT_PMD] = true },
	.leaf_levels = 1u << PT_PMD,
	.supported_pte_mask = 0xffffffffULL,
	.top_table_flags = _PAGE_TABLE,
	.head_tables = head_tables_2level,
};
