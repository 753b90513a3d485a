/* High memory: kmap/kunmap in the PKMAP area with use counts and
 * flush_all_zero_pkmaps, kmap exhaustion failing clearly, kmap_atomic's
 * per-CPU fixmap stack, lowmem pages needing no slot, and real pointers
 * that write the page's frame. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "arch/x86/pgtable.h"

/* i386 with 64 MiB of low RAM and 64 MiB above 896 MiB: every
 * GFP_HIGHUSER page is highmem. lowmb/highmb choose the sizes. */
static struct machine *boot_hm(const char *arch, int cpus, unsigned long long high_base)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "name t\narch %s\ncpus %d\nhighmem yes\n"
		 "e820 0x0 0x9fc00 usable\ne820 0x100000 0x3f00000 usable\n"
		 "e820 0x%llx 0x4000000 usable\n",
		 arch, cpus, high_base);
	return test_boot_text(text);
}

static struct machine *boot(const char *arch)
{
	return boot_hm(arch, 1, 0x40000000ULL);
}

static void destroy(struct machine *m)
{
	kwindow_release(m);
	mmkit_machine_destroy(m);
}

static u8 *frame(struct machine *m, struct page *page)
{
	return phys_to_host(m, page_to_phys(m, page));
}

static int pkmap_in_use(struct machine *m)
{
	int n = 0;

	for (unsigned int i = 0; i < m->pgtables.last_pkmap; i++)
		n += m->highmem.pkmap_count[i] != 0;
	return n;
}

/* A lowmem page maps to its direct-map address, no slot used. */
static void test_kmap_lowmem_uses_direct_map(void **state)
{
	struct machine *m = boot("i386");
	struct page *page = alloc_page(m, GFP_KERNEL);

	(void)state;
	assert_false(PageHighMem(m, page));
	assert_ptr_equal(kmap(m, page), page_address(m, page));
	assert_ptr_equal(kmap_atomic(m, page), page_address(m, page));
	assert_int_equal(pkmap_in_use(m), 0);
	assert_int_equal(m->highmem.kmap_atomic_idx[0], 0);
	kunmap_atomic(m, page_address(m, page));
	kunmap(m, page);
	__free_page(m, page);
	destroy(m);
}

/* kmap of a highmem page: a PKMAP slot whose pte maps the page's frame
 * (pfn | PAGE_KERNEL), count 2 while in use, 1 after kunmap, and a
 * pointer that writes the frame. */
static void test_kmap_highmem_page(void **state)
{
	struct machine *m = boot("i386");
	struct page *page = alloc_page(m, GFP_HIGHUSER);
	u8 *p;
	u64 va;
	unsigned int nr;

	(void)state;
	m->debug_vm = 3;	/* the checker probes the window of every slot */
	assert_true(PageHighMem(m, page));
	assert_null(page_address(m, page));
	p = kmap(m, page);
	assert_non_null(p);
	va = ptr_to_kva(m, p);
	assert_true(va >= m->pgtables.pkmap_base && va < m->pgtables.pkmap_base + 1024 * PAGE_SIZE);
	nr = (unsigned int)((va - m->pgtables.pkmap_base) >> PAGE_SHIFT);
	assert_int_equal(m->highmem.pkmap_count[nr], 2);
	assert_int_equal(pte_val(ptep_get(m, kernel_pte_lookup(m, va))), page_to_phys(m, page) | 0x163);
	strcpy((char *)p, "written through kmap");
	assert_string_equal((char *)frame(m, page), "written through kmap");
	assert_ptr_equal(kmap_to_page(m, p + 100), page);
	assert_ptr_equal(kmap(m, page), p);	/* same page, same slot */
	assert_int_equal(m->highmem.pkmap_count[nr], 3);
	assert_clean(m);
	kunmap(m, page);
	kunmap(m, page);
	assert_int_equal(m->highmem.pkmap_count[nr], 1);
	assert_ptr_equal(kmap(m, page), p);	/* still mapped: reused without a remap */
	kunmap(m, page);
	assert_clean(m);
	__free_page(m, page);
	destroy(m);
}

/* All LAST_PKMAP slots in use: kmap returns NULL with a message; after one
 * kunmap, flush_all_zero_pkmaps frees that slot and kmap succeeds. */
static void test_kmap_exhaustion(void **state)
{
	const char *archs[] = { "i386", "i386-pae" };

	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(archs); a++) {
		struct machine *m = boot(archs[a]);
		unsigned int last = m->pgtables.last_pkmap;
		struct page **pages = calloc(last + 1, sizeof(*pages));
		unsigned long flushes;
		char want[100];

		for (unsigned int i = 0; i <= last; i++)
			pages[i] = alloc_page(m, GFP_HIGHUSER);
		for (unsigned int i = 0; i < last; i++)
			assert_non_null(kmap(m, pages[i]));
		assert_int_equal(pkmap_in_use(m), last);
		assert_null(kmap(m, pages[last]));
		snprintf(want, sizeof(want), "kmap: all %u pkmap entries are in use", last);
		assert_true(test_log_contains(m, want));
		assert_int_equal(m->highmem.nr_kmap_fail, 1);
		assert_clean(m);

		kunmap(m, pages[7]);
		flushes = m->pgtables.nr_tlb_flush[TLB_FLUSH_KERNEL_RANGE];
		assert_non_null(kmap(m, pages[last]));
		assert_int_equal(m->pgtables.nr_tlb_flush[TLB_FLUSH_KERNEL_RANGE], flushes + 1);
		assert_clean(m);
		for (unsigned int i = 0; i <= last; i++) {
			if (i != 7)
				kunmap(m, pages[i]);
			__free_page(m, pages[i]);
		}
		free(pages);
		destroy(m);
	}
}

/* flush_all_zero_pkmaps runs when the search wraps to slot 0 and clears
 * every count-1 slot: pte none, window page inaccessible, page forgotten.
 *   kmap(A) -> slot 1, kunmap(A): count 1; kmap others -> slots 2..last-1;
 *   the next kmap wraps: slot 1 cleared, the new page takes slot 0. */
static void test_flush_all_zero_pkmaps_clears(void **state)
{
	struct machine *m = boot("i386-pae");
	unsigned int last = m->pgtables.last_pkmap;
	struct page **pages = calloc(last, sizeof(*pages));
	struct page *a = alloc_page(m, GFP_HIGHUSER);
	u8 *pa = kmap(m, a), *p0;
	u64 va = ptr_to_kva(m, pa);

	(void)state;
	assert_true(va == m->pgtables.pkmap_base + PAGE_SIZE);
	kunmap(m, a);
	for (unsigned int i = 2; i < last; i++) {
		pages[i] = alloc_page(m, GFP_HIGHUSER);
		assert_non_null(kmap(m, pages[i]));
	}
	assert_int_equal(m->highmem.nr_flush_all_zero, 0);
	assert_int_equal(m->highmem.pkmap_count[1], 1);
	pages[0] = alloc_page(m, GFP_HIGHUSER);
	p0 = kmap(m, pages[0]);
	assert_true(ptr_to_kva(m, p0) == m->pgtables.pkmap_base);
	assert_int_equal(m->highmem.nr_flush_all_zero, 1);
	assert_int_equal(m->highmem.pkmap_count[1], 0);
	assert_true(pte_none(ptep_get(m, kernel_pte_lookup(m, va))));
	assert_int_equal(machine_window_probe(m, pa, 0), -EFAULT);
	assert_null(kmap_to_page(m, pa));
	assert_clean(m);
	for (unsigned int i = 0; i < last; i++) {
		if (!pages[i])
			continue;
		kunmap(m, pages[i]);
		__free_page(m, pages[i]);
	}
	__free_page(m, a);
	free(pages);
	destroy(m);
}

/* kmap_atomic: this CPU's slots from FIX_KMAP_BEGIN, nested as a stack,
 * frames written through them, ptes cleared on kunmap_atomic. */
static void test_kmap_atomic_stack(void **state)
{
	struct machine *m = boot("i386");
	struct page *a = alloc_page(m, GFP_HIGHUSER), *b = alloc_page(m, GFP_HIGHUSER);
	u8 *pa = kmap_atomic(m, a), *pb = kmap_atomic(m, b);
	u64 va = ptr_to_kva(m, pa), vb = ptr_to_kva(m, pb);
	unsigned long one = m->pgtables.nr_tlb_flush[TLB_FLUSH_ONE];

	(void)state;
	assert_true(va == fix_to_virt(m, m->pgtables.fix_kmap_begin));
	assert_true(vb == fix_to_virt(m, m->pgtables.fix_kmap_begin + 1));
	assert_true(vb == va - PAGE_SIZE);
	assert_int_equal(m->highmem.kmap_atomic_idx[0], 2);
	pa[0] = 0x11;
	pb[4095] = 0x22;
	assert_int_equal(frame(m, a)[0], 0x11);
	assert_int_equal(frame(m, b)[4095], 0x22);
	assert_ptr_equal(kmap_to_page(m, pb), b);
	assert_clean(m);
	kunmap_atomic(m, pb);
	kunmap_atomic(m, pa);
	assert_int_equal(m->highmem.kmap_atomic_idx[0], 0);
	assert_true(pte_none(ptep_get(m, kernel_pte_lookup(m, va))));
	assert_int_equal(machine_window_probe(m, pa, 0), -EFAULT);
	assert_int_equal(m->pgtables.nr_tlb_flush[TLB_FLUSH_ONE], one + 2);
	assert_clean(m);
	__free_page(m, a);
	__free_page(m, b);
	destroy(m);
}

/* kunmap_atomic of a slot that is not the last one: WARNING, nothing changes. */
static void test_kunmap_atomic_out_of_order(void **state)
{
	struct machine *m = boot("i386");
	struct page *a = alloc_page(m, GFP_HIGHUSER), *b = alloc_page(m, GFP_HIGHUSER);
	u8 *pa = kmap_atomic(m, a), *pb = kmap_atomic(m, b);

	(void)state;
	kunmap_atomic(m, pa);
	assert_true(test_log_contains(m, "is not CPU 0's last kmap_atomic slot"));
	assert_true(test_log_contains(m, "WARNING: CPU: 0 PID: 0 at mm/highmem.c kunmap_atomic"));
	assert_int_equal(m->highmem.kmap_atomic_idx[0], 2);
	pa[1] = 1;	/* still mapped */
	assert_clean(m);
	kunmap_atomic(m, pb);
	kunmap_atomic(m, pa);
	kunmap_atomic(m, pa);	/* nothing left: reported */
	assert_int_equal(m->highmem.kmap_atomic_idx[0], 0);
	assert_clean(m);
	__free_page(m, a);
	__free_page(m, b);
	destroy(m);
}

/* KM_TYPE_NR nested kmap_atomic calls fill the CPU's slots; one more fails. */
static void test_kmap_atomic_slots_exhausted(void **state)
{
	struct machine *m = boot("i386");
	struct page *page = alloc_page(m, GFP_HIGHUSER);
	void *p[KM_TYPE_NR];

	(void)state;
	for (int i = 0; i < KM_TYPE_NR; i++)
		assert_non_null(p[i] = kmap_atomic(m, page));
	assert_null(kmap_atomic(m, page));
	assert_true(test_log_contains(m, "kmap_atomic: CPU 0 has all 20 slots in use"));
	assert_clean(m);
	for (int i = KM_TYPE_NR - 1; i >= 0; i--)
		kunmap_atomic(m, p[i]);
	assert_clean(m);
	__free_page(m, page);
	destroy(m);
}

/* Each CPU has its own KM_TYPE_NR slots. */
static void test_kmap_atomic_per_cpu(void **state)
{
	struct machine *m = boot_hm("i386", 2, 0x40000000ULL);
	struct page *page = alloc_page(m, GFP_HIGHUSER);
	u8 *p0, *p1;

	(void)state;
	p0 = kmap_atomic(m, page);
	mmkit_set_cpu(1);
	p1 = kmap_atomic(m, page);
	assert_true(ptr_to_kva(m, p1) == fix_to_virt(m, m->pgtables.fix_kmap_begin + KM_TYPE_NR));
	p1[5] = 0x77;
	assert_int_equal(p0[5], 0x77);	/* two aliases of one frame */
	assert_int_equal(m->highmem.kmap_atomic_idx[1], 1);
	assert_clean(m);
	kunmap_atomic(m, p1);
	mmkit_set_cpu(0);
	kunmap_atomic(m, p0);
	assert_clean(m);
	__free_page(m, page);
	destroy(m);
}

/* kunmap of a page nobody kmapped is reported as the kernel BUG it is. */
static void test_kunmap_unmapped_page_reported(void **state)
{
	struct machine *m = boot("i386");
	struct page *page = alloc_page(m, GFP_HIGHUSER);

	(void)state;
	kunmap(m, page);
	assert_true(test_log_contains(m, "kernel BUG at mm/highmem.c: kunmap_high"));
	assert_int_equal(pkmap_in_use(m), 0);
	assert_clean(m);
	__free_page(m, page);
	destroy(m);
}

/* PAE: a highmem frame above 4 GiB gets a 64-bit pte and is reachable. */
static void test_pae_kmap_above_4g(void **state)
{
	struct machine *m = boot_hm("i386-pae", 1, 0x100000000ULL);
	struct page *page = alloc_page(m, GFP_HIGHUSER);
	u8 *p;

	(void)state;
	assert_true(page_to_phys(m, page) >= SZ_4G);
	p = kmap(m, page);
	assert_non_null(p);
	assert_true(pte_val(ptep_get(m, kernel_pte_lookup(m, ptr_to_kva(m, p)))) ==
		    (page_to_phys(m, page) | 0x163 | _PAGE_NX));
	p[123] = 0x9c;
	assert_int_equal(frame(m, page)[123], 0x9c);
	kunmap(m, page);
	assert_clean(m);
	__free_page(m, page);
	destroy(m);
}

/* x86_64 has no high memory: kmap is the direct map. */
static void test_x86_64_kmap_is_direct_map(void **state)
{
	struct machine *m = boot("x86_64");
	struct page *page = alloc_page(m, GFP_HIGHUSER);

	(void)state;
	assert_false(PageHighMem(m, page));
	assert_ptr_equal(kmap(m, page), page_address(m, page));
	assert_ptr_equal(kmap_atomic(m, page), page_address(m, page));
	kunmap_atomic(m, page_address(m, page));
	kunmap(m, page);
	assert_ptr_equal(kmap_to_page(m, page_address(m, page)), page);
	__free_page(m, page);
	destroy(m);
}

/* The checker notices a pkmap count without a pte and a stray atomic slot. */
static void test_checker_detects_pkmap_mismatch(void **state)
{
	struct machine *m = boot("i386");
	struct page *page = alloc_page(m, GFP_HIGHUSER);
	ptep_t *ptep = kernel_pte_lookup(m, fix_to_virt(m, m->pgtables.fix_kmap_begin + 3));

	(void)state;
	m->highmem.pkmap_count[5] = 2;
	assert_true(mmkit_check(m) > 0);
	assert_true(test_log_contains(m, "highmem: pkmap slot 5"));
	m->highmem.pkmap_count[5] = 0;
	assert_clean(m);
	set_pte(m, ptep, mk_pte(m, page, PAGE_KERNEL));
	assert_true(mmkit_check(m) > 0);
	assert_true(test_log_contains(m, "kmap_atomic slot 3 mapped but stack depth is 0"));
	pte_clear(m, ptep);
	assert_clean(m);
	__free_page(m, page);
	destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmap_lowmem_uses_direct_map),
		cmocka_unit_test(test_kmap_highmem_page),
		cmocka_unit_test(test_kmap_exhaustion),
		cmocka_unit_test(test_flush_all_zero_pkmaps_clears),
		cmocka_unit_test(test_kmap_atomic_stack),
		cmocka_unit_test(test_kunmap_atomic_out_of_order),
		cmocka_unit_test(test_kmap_atomic_slots_exhausted),
		cmocka_unit_test(test_kmap_atomic_per_cpu),
		cmocka_unit_test(test_kunmap_unmapped_page_reported),
		cmocka_unit_test(test_pae_kmap_above_4g),
		cmocka_unit_test(test_x86_64_kmap_is_direct_map),
		cmocka_unit_test(test_checker_detects_pkmap_mismatch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
