/* Kernel page tables: the three x86 formats bit by bit, head.S's
 * swapper_pg_dir (seed 001), paging_init's direct map, the i386 layout
 * (fixmap, pkmap, vmalloc), walking and kernel-entry cloning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "arch/x86/pgtable.h"

/* A machine with RAM and a layout but no boot: enough for the encoders
 * and head.S's tables, which need no allocator on i386. */
static struct machine *handmade(enum mmkit_arch arch, u64 ram_mb)
{
	struct machine_desc d;
	struct machine *m;

	mmkit_desc_default(&d);
	d.arch = arch;
	m = mmkit_machine_create(&d);
	assert_non_null(m);
	arch_layout_init(m);
	assert_int_equal(machine_ram_reserve(m, ram_mb << 20), 0);
	m->kimage.text = 0x100000;
	m->kimage.etext = 0x300000;
	m->kimage.end = 0x400000;
	m->max_pfn = m->max_low_pfn = (unsigned long)PFN_DOWN(ram_mb << 20);
	assert_int_equal(kernel_vm_layout_init(m), 0);
	return m;
}

static void destroy(struct machine *m)
{
	kwindow_release(m);
	mmkit_machine_destroy(m);
}

static u32 entry32(struct machine *m, phys_addr_t table, unsigned int i)
{
	return ((u32 *)(m->ram + table))[i];
}

/* head.S: swapper_pg_dir at 0x101000 holds 0x00102007, 0x00103007 in
 * entries 0, 1 (identity) and 768, 769 (PAGE_OFFSET); 1020 zeros. */
static void test_head_swapper_pg_dir_entries(void **state)
{
	struct machine *m = handmade(MMKIT_ARCH_I386, 32);
	phys_addr_t pgd;

	(void)state;
	assert_int_equal(early_pgtable_init(m), 0);
	pgd = m->pgtables.swapper_pg_dir;
	assert_int_equal(pgd, 0x101000);
	assert_int_equal(m->pgtables.pg0, 0x102000);
	assert_int_equal(m->pgtables.pg1, 0x103000);
	assert_int_equal(m->pgtables.empty_zero_page, 0x104000);
	assert_int_equal(entry32(m, pgd, 0), 0x00102007);
	assert_int_equal(entry32(m, pgd, 1), 0x00103007);
	assert_int_equal(entry32(m, pgd, 768), 0x00102007);
	assert_int_equal(entry32(m, pgd, 769), 0x00103007);
	for (unsigned int i = 0; i < 1024; i++) {
		if (i != 0 && i != 1 && i != 768 && i != 769)
			assert_int_equal(entry32(m, pgd, i), 0);
	}
	destroy(m);
}

/* pg0 and pg1: 0x007, 0x1007, 0x2007, ... up to 0x7ff007 (2048 pages). */
static void test_head_pg0_pg1_entries(void **state)
{
	struct machine *m = handmade(MMKIT_ARCH_I386, 32);

	(void)state;
	assert_int_equal(early_pgtable_init(m), 0);
	assert_int_equal(entry32(m, m->pgtables.pg0, 0), 0x007);
	assert_int_equal(entry32(m, m->pgtables.pg0, 1), 0x1007);
	assert_int_equal(entry32(m, m->pgtables.pg0, 2), 0x2007);
	assert_int_equal(entry32(m, m->pgtables.pg0, 1023), 0x3ff007);
	assert_int_equal(entry32(m, m->pgtables.pg1, 0), 0x400007);
	assert_int_equal(entry32(m, m->pgtables.pg1, 1023), 0x7ff007);
	destroy(m);
}

/* The boot tables map 0-8 MiB at 0 and at 0xc0000000, nothing beyond. */
static void test_head_maps_8m_twice(void **state)
{
	struct machine *m = handmade(MMKIT_ARCH_I386, 32);
	phys_addr_t pgd;
	struct pgtable_walk w;

	(void)state;
	assert_int_equal(early_pgtable_init(m), 0);
	pgd = m->pgtables.swapper_pg_dir;
	assert_true(pgtable_walk(m, pgd, 0x123456, &w));
	assert_int_equal(w.phys, 0x123456);
	assert_int_equal(w.level, PT_PTE);
	assert_true(pgtable_walk(m, pgd, 0xc07ffffe, &w));
	assert_int_equal(w.phys, 0x7ffffe);
	assert_false(pgtable_walk(m, pgd, 0x800000, &w));
	assert_int_equal(w.level, PT_PMD);
	assert_false(pgtable_walk(m, pgd, 0xc0800000, &w));
	destroy(m);
}

/* Index widths: 10/10/12, 2/9/9/12, 9/9/9/9/12. */
static void test_format_geometry(void **state)
{
	struct machine *m32 = handmade(MMKIT_ARCH_I386, 16);
	struct machine *pae = handmade(MMKIT_ARCH_I386_PAE, 16);
	struct machine *m64 = handmade(MMKIT_ARCH_X86_64, 16);

	(void)state;
	assert_int_equal(pgt_fmt(m32)->entry_size, 4);
	assert_int_equal(pgd_index(m32, 0xc0000000), 768);
	assert_int_equal(pte_index(m32, 0xc0401000), 1);
	assert_int_equal(PMD_SIZE_M(m32), 4 * SZ_1M);
	assert_int_equal(PTRS_PER_PTE_M(m32), 1024);
	assert_int_equal(kernel_pgd_boundary(m32), 768);

	assert_int_equal(pgt_fmt(pae)->entry_size, 8);
	assert_int_equal(pgd_index(pae, 0xc0000000), 3);
	assert_int_equal(PTRS_PER_PGD_M(pae), 4);
	assert_int_equal(pmd_index(pae, 0xc0600000), 3);
	assert_int_equal(PMD_SIZE_M(pae), 2 * SZ_1M);
	assert_int_equal(PTRS_PER_PTE_M(pae), 512);

	assert_int_equal(pgd_index(m64, 0xffff888000000000ULL), 273);
	assert_int_equal(pud_index(m64, 0xffffffff80000000ULL), 510);
	assert_int_equal(pgd_index(m64, 0xffffc90000000000ULL), 402);
	assert_int_equal(pt_size(m64, PT_PUD), SZ_1G);
	destroy(m32);
	destroy(pae);
	destroy(m64);
}

/* mk_pte writes pfn << 12 | prot; the 2-level format drops NX. */
static void test_pte_encoding_bits(void **state)
{
	struct machine *m32 = handmade(MMKIT_ARCH_I386, 16);
	struct machine *pae = handmade(MMKIT_ARCH_I386_PAE, 16);
	pte_t pte;

	(void)state;
	pte = pfn_pte(m32, 0x1234, PAGE_KERNEL);
	assert_int_equal(pte_val(pte), 0x01234163);	/* P RW A D G */
	assert_int_equal(pte_pfn(pte), 0x1234);
	assert_true(pte_present(pte) && pte_write(pte) && pte_dirty(pte) && pte_young(pte));
	assert_true(pte_global(pte) && pte_exec(pte) && !pte_user(pte));
	pte = pfn_pte(pae, 0x1234, PAGE_KERNEL);
	assert_true(pte_val(pte) == 0x8000000001234163ULL);
	assert_false(pte_exec(pte));
	pte = pfn_pte(pae, 0x123456, PAGE_SHARED);	/* above 4 GiB: PAE reaches it */
	assert_true(pte_val(pte) == (0x8000000000000000ULL | (0x123456ULL << 12) | 0x027));
	pte = pte_wrprotect(pte_mkold(pte_mkclean(pfn_pte(m32, 1, PAGE_KERNEL))));
	assert_int_equal(pte_val(pte), 0x1000 | 0x101);	/* P G */
	assert_int_equal(pte_val(pte_mkdirty(pte_mkyoung(pte_mkwrite(pte)))), 0x1163);
	assert_int_equal(pmd_val(pfn_pmd(m32, 0x400, PAGE_KERNEL_LARGE)), 0x004001e3);
	destroy(m32);
	destroy(pae);
}

/* 2-level: p4d, pud and pmd fold into the pgd entry, which reads as a pmd. */
static void test_folded_levels_pass_through(void **state)
{
	struct machine *m = handmade(MMKIT_ARCH_I386, 16);
	struct machine *pae = handmade(MMKIT_ARCH_I386_PAE, 16);
	pgdp_t *pgd;
	pudp_t *pud;

	(void)state;
	assert_int_equal(early_pgtable_init(m), 0);
	pgd = pgd_offset_k(m, 0xd0000000);
	pud = pud_offset(m, p4d_offset(m, pgd, 0xd0000000), 0xd0000000);
	assert_ptr_equal(pmd_offset(m, pud, 0xd0000000), pgd);
	assert_false(pgd_none(m, pgdp_get(m, pgd)));	/* a folded level is never none */
	assert_true(pud_present(m, pudp_get(m, pud)));
	assert_true(pmd_none(m, pmdp_get(m, (pmdp_t *)pgd)));	/* the real entry is empty */
	assert_true(pud_none(pae, __pud(0)));		/* PAE: the pud is the PDPTE */
	assert_false(pmd_none(pae, __pmd(0x1000 | _PAGE_TABLE)));
	assert_false(pmd_bad(pae, __pmd(0x1000 | _PAGE_TABLE)));
	assert_true(pmd_bad(pae, __pmd(0x1000 | _PAGE_TABLE | _PAGE_GLOBAL)));
	assert_true(pmd_leaf(pae, __pmd(0x200000 | __PAGE_KERNEL_LARGE)));
	destroy(m);
	destroy(pae);
}

/* ---- after a full boot ---- */

static struct machine *boot(const char *arch, const char *extra)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "name t\narch %s\ncpus 1\nhighmem yes\n%s\n"
		 "e820 0x0 0x9fc00 usable\ne820 0x100000 0x%x usable\n",
		 arch, extra, 0x7f00000);
	return test_boot_text(text);
}

/* Every direct-map address translates to itself minus PAGE_OFFSET. */
static void test_direct_map_random_addresses(void **state)
{
	const char *archs[] = { "i386", "i386-pae", "x86_64" };

	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(archs); a++) {
		struct machine *m = boot(archs[a], "");
		u64 seed = 12345;

		for (int i = 0; i < 2000; i++) {
			u64 phys;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			phys = (seed >> 20) % PFN_PHYS(m->max_low_pfn);
			assert_true(slow_virt_to_phys(m, m->arch.page_offset + phys) == phys);
		}
		assert_true(slow_virt_to_phys(m, m->pgtables.high_memory) == PHYS_NONE ||
			    m->arch.x86_64);
		assert_clean(m);
		destroy(m);
	}
}

/* After paging_init the identity map is gone (zap_low_mappings). */
static void test_user_half_cleared(void **state)
{
	struct machine *m = boot("i386", "");

	(void)state;
	for (unsigned int i = 0; i < 768; i++)
		assert_int_equal(entry32(m, m->pgtables.swapper_pg_dir, i), 0);
	assert_true(slow_virt_to_phys(m, 0x100000) == PHYS_NONE);
	/* pg0 keeps head.S's entries; it is no longer referenced */
	assert_int_equal(entry32(m, m->pgtables.pg0, 5), 0x5007);
	destroy(m);
}

/* With PSE the direct map uses 4 MiB pages except for the first 4 MiB;
 * the kernel text stays executable, data is NX where the format has NX. */
static void test_direct_map_large_pages(void **state)
{
	struct machine *m = boot("i386", "");
	struct machine *pae = boot("i386-pae", "");
	struct pgtable_walk w;

	(void)state;
	assert_int_equal(entry32(m, m->pgtables.swapper_pg_dir, 769), 0x004001e3);
	assert_true(pgtable_walk(m, m->pgtables.swapper_pg_dir, 0xc0400123, &w));
	assert_int_equal(w.shift, 22);
	assert_true(pgtable_walk(m, m->pgtables.swapper_pg_dir, 0xc0123000, &w));
	assert_int_equal(w.shift, 12);
	assert_int_equal(w.entry, 0x00123163);
	assert_true(pgtable_walk(pae, pae->pgtables.swapper_pg_dir, 0xc0600000, &w));
	assert_int_equal(w.shift, 21);
	assert_true(w.entry == (0x8000000000600000ULL | __PAGE_KERNEL_LARGE));
	assert_true(pgtable_walk(pae, pae->pgtables.swapper_pg_dir, 0xc0000000 + 0x100000, &w));
	assert_true(w.entry == (0x100000 | __PAGE_KERNEL_EXEC));	/* _text: no NX */
	assert_true(pgtable_walk(pae, pae->pgtables.swapper_pg_dir, 0xc0000000 + 0x9e000, &w));
	assert_true(w.entry & _PAGE_NX);
	destroy(m);
	destroy(pae);
}

/* mem=nopentium: no 4 MiB pages, every direct-map address through a pte. */
static void test_nopentium_uses_4k_pages(void **state)
{
	struct machine *m = boot("i386", "cmdline mem=nopentium");
	struct pgtable_walk w;

	(void)state;
	assert_false(m->pgtables.pse);
	assert_true(pgtable_walk(m, m->pgtables.swapper_pg_dir, 0xc4000000, &w));
	assert_int_equal(w.shift, 12);
	assert_int_equal(w.entry, 0x04000163);
	assert_clean(m);
	destroy(m);
}

/* i386 layout: FIXADDR_TOP 0xfffff000, PKMAP_BASE 0xff800000 (2-level) /
 * 0xffc00000 (PAE), VMALLOC_END 2 pages below, VMALLOC_START 8 MiB above
 * high_memory. */
static void test_i386_layout(void **state)
{
	struct machine *m = boot("i386", "");
	struct machine *pae = boot("i386-pae", "");
	struct kernel_pgtables *pt = &m->pgtables;

	(void)state;
	assert_true(pt->fixaddr_top == 0xfffff000);
	assert_int_equal(pt->last_pkmap, 1024);
	assert_true(pt->pkmap_base == 0xff800000);
	assert_true(pt->vmalloc_end == 0xff7fe000);
	assert_true(pt->high_memory == 0xc0000000ULL + PFN_PHYS(m->max_low_pfn));
	assert_true(pt->vmalloc_start == pt->high_memory + 8 * SZ_1M);
	assert_true(fix_to_virt(m, 0) == 0xfffff000);
	assert_int_equal(virt_to_fix(m, fix_to_virt(m, pt->fix_kmap_begin)), pt->fix_kmap_begin);
	assert_int_equal(pt->fix_kmap_end - pt->fix_kmap_begin + 1, KM_TYPE_NR);
	assert_true(pt->fixaddr_start == 0xfffff000 - ((u64)pt->nr_fixmap << 12));
	assert_non_null(kernel_pte_lookup(m, pt->pkmap_base));
	assert_non_null(kernel_pte_lookup(m, fix_to_virt(m, pt->fix_kmap_end)));
	assert_true((pt_slot_phys(m, kernel_pte_lookup(m, pt->pkmap_base)) & PAGE_MASK) ==
		    pt->pkmap_page_table);
	assert_int_equal(pae->pgtables.last_pkmap, 512);
	assert_true(pae->pgtables.pkmap_base == 0xffc00000);
	assert_true(pae->pgtables.vmalloc_end == 0xffbfe000);
	assert_true(test_log_contains(m, "    pkmap   : 0xff800000 - 0xffc00000   (4096 kB)\n"));
	destroy(m);
	destroy(pae);
}

/* x86_64: the direct map at 0xffff888000000000, the kernel image at
 * 0xffffffff80000000, vmalloc from 0xffffc90000000000. */
static void test_x86_64_layout(void **state)
{
	struct machine *m = boot("x86_64", "");

	(void)state;
	assert_true(m->pgtables.vmalloc_start == 0xffffc90000000000ULL);
	assert_true(m->pgtables.vmalloc_end == 0xffffe8ffffffffffULL);
	assert_true(slow_virt_to_phys(m, 0xffff888000000000ULL + 0x1234567) == 0x1234567);
	assert_true(slow_virt_to_phys(m, 0xffffffff80000000ULL + m->kimage.text) == m->kimage.text);
	assert_int_equal(m->pgtables.last_pkmap, 0);
	destroy(m);
}

/* A new pgd gets swapper_pg_dir's kernel half; with pgd_list a kernel
 * table added later (2-level) reaches it too. */
static void test_pgd_clone_and_sync(void **state)
{
	struct machine *m = boot("i386", "");
	struct page *pg = alloc_page(m, GFP_KERNEL);
	phys_addr_t pgd = page_to_phys(m, pg);
	u64 va = m->pgtables.vmalloc_start + 16 * SZ_1M;

	(void)state;
	memset(m->ram + pgd, 0, PAGE_SIZE);
	pgd_clone_kernel(m, pgd);
	pgd_list_add(m, pg);
	assert_memory_equal(m->ram + pgd + 768 * 4, m->ram + m->pgtables.swapper_pg_dir + 768 * 4,
			    256 * 4);
	assert_int_equal(entry32(m, pgd, pgd_index(m, va)), 0);
	assert_non_null(kernel_pte_alloc(m, va));
	assert_int_not_equal(entry32(m, pgd, pgd_index(m, va)), 0);
	assert_int_equal(entry32(m, pgd, pgd_index(m, va)),
			 entry32(m, m->pgtables.swapper_pg_dir, pgd_index(m, va)));
	assert_clean(m);
	pgd_list_del(m, pg);
	__free_page(m, pg);
	destroy(m);
}

/* Walking an unmapped address stops at the missing level. */
static void test_walk_stops_at_missing_level(void **state)
{
	struct machine *m = boot("x86_64", "");
	struct pgtable_walk w;

	(void)state;
	assert_false(pgtable_walk(m, m->pgtables.swapper_pg_dir, 0x00007f0000000000ULL, &w));
	assert_int_equal(w.level, PT_P4D);
	assert_true(w.phys == PHYS_NONE);
	assert_false(pgtable_walk(m, m->pgtables.swapper_pg_dir, m->pgtables.vmalloc_start, &w));
	assert_int_equal(w.level, PT_PUD);	/* the pud table was preallocated */
	destroy(m);
}

/* The TLB hook sees every kernel flush. */
static unsigned long hook_calls;
static void count_hook(struct machine *m, enum tlb_flush_kind kind, u64 start, u64 end)
{
	(void)m;
	(void)kind;
	(void)start;
	(void)end;
	hook_calls++;
}

static void test_tlb_flush_hook(void **state)
{
	struct machine *m = boot("i386", "");
	unsigned long before = m->pgtables.nr_tlb_flush[TLB_FLUSH_ALL];

	(void)state;
	m->pgtables.tlb_flush = count_hook;
	flush_tlb_all(m);
	flush_tlb_kernel_range(m, 0xd0000000, 0xd0001000);
	__flush_tlb_one_kernel(m, 0xd0000000);
	assert_int_equal(hook_calls, 3);
	assert_int_equal(m->pgtables.nr_tlb_flush[TLB_FLUSH_ALL], before + 1);
	destroy(m);
}

/* The checker notices a user entry left in swapper_pg_dir and a pgd on
 * pgd_list whose kernel half went stale. */
static void test_checker_detects_pgd_damage(void **state)
{
	struct machine *m = boot("i386", "");
	struct page *pg = alloc_page(m, GFP_KERNEL);
	u32 *swapper = (u32 *)(m->ram + m->pgtables.swapper_pg_dir);

	(void)state;
	swapper[3] = 0x00102007;
	assert_true(mmkit_check(m) > 0);
	assert_true(test_log_contains(m, "swapper_pg_dir user entry 3 is set"));
	swapper[3] = 0;
	memset(m->ram + page_to_phys(m, pg), 0, PAGE_SIZE);
	pgd_list_add(m, pg);
	assert_true(mmkit_check(m) > 0);
	assert_true(test_log_contains(m, "differs from swapper_pg_dir in the kernel half"));
	pgd_clone_kernel(m, page_to_phys(m, pg));
	assert_clean(m);
	pgd_list_del(m, pg);
	__free_page(m, pg);
	destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_head_swapper_pg_dir_entries),
		cmocka_unit_test(test_head_pg0_pg1_entries),
		cmocka_unit_test(test_head_maps_8m_twice),
		cmocka_unit_test(test_format_geometry),
		cmocka_unit_test(test_pte_encoding_bits),
		cmocka_unit_test(test_folded_levels_pass_through),
		cmocka_unit_test(test_direct_map_random_addresses),
		cmocka_unit_test(test_user_half_cleared),
		cmocka_unit_test(test_direct_map_large_pages),
		cmocka_unit_test(test_nopentium_uses_4k_pages),
		cmocka_unit_test(test_i386_layout),
		cmocka_unit_test(test_x86_64_layout),
		cmocka_unit_test(test_pgd_clone_and_sync),
		cmocka_unit_test(test_walk_stops_at_missing_level),
		cmocka_unit_test(test_tlb_flush_hook),
		cmocka_unit_test(test_checker_detects_pgd_damage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
