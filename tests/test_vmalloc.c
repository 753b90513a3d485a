/* vmalloc: areas with guard pages in [VMALLOC_START, VMALLOC_END), pages
 * one by one from the buddy allocator mapped by real ptes, pointers that
 * work in C, Linux's messages on errors, /proc/vmallocinfo, no leaks under
 * fault injection and random stress. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "arch/x86/pgtable.h"

static struct machine *boot_mem(const char *arch, unsigned long long ram)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "name t\narch %s\ncpus 1\nhighmem yes\n"
		 "e820 0x0 0x9fc00 usable\ne820 0x100000 0x%llx usable\n",
		 arch, ram - 0x100000);
	return test_boot_text(text);
}

static struct machine *boot(const char *arch)
{
	return boot_mem(arch, 128ULL << 20);
}

static void destroy(struct machine *m)
{
	kwindow_release(m);
	mmkit_machine_destroy(m);
}

/* Free pages per zone, with the per-CPU lists drained first. */
static void free_counts(struct machine *m, long out[MAX_NR_ZONES])
{
	drain_all_pages(m);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		out[z] = m->node.node_zones[z].vm_stat[NR_FREE_PAGES];
}

static const char *archs[] = { "i386", "i386-pae", "x86_64" };

/* Data written through the vmalloc pointer is in the pages' frames. */
static void test_vmalloc_pointer_writes_reach_frames(void **state)
{
	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(archs); a++) {
		struct machine *m = boot(archs[a]);
		size_t size = 5 * PAGE_SIZE + 100;
		u8 *p;

		m->debug_vm = 3;	/* the checker probes every window page */
		p = vmalloc(m, size);

		assert_non_null(p);
		assert_true(is_vmalloc_addr(m, p));
		for (size_t i = 0; i < size; i++)
			p[i] = (u8)(i * 7 + 3);
		for (size_t i = 0; i < size; i += 97) {
			struct page *page = vmalloc_to_page(m, p + i);
			u8 *frame = phys_to_host(m, page_to_phys(m, page));

			assert_int_equal(frame[i % PAGE_SIZE], (u8)(i * 7 + 3));
		}
		assert_clean(m);
		vfree(m, p);
		assert_int_equal(m->vmalloc.nr_areas, 0);
		assert_clean(m);
		destroy(m);
	}
}

/* Areas are laid out from VMALLOC_START with one guard page after each;
 * each page's pte is pfn | PAGE_KERNEL (no NX on 2-level), the guard's none. */
static void test_vmalloc_area_layout_and_ptes(void **state)
{
	struct machine *m = boot("i386");
	struct machine *pae = boot("i386-pae");
	u8 *a = vmalloc(m, 3 * PAGE_SIZE), *b = vmalloc(m, PAGE_SIZE), *c = vmalloc(pae, PAGE_SIZE);
	u64 va = ptr_to_kva(m, a);
	ptep_t *ptep;

	(void)state;
	assert_true(va == m->pgtables.vmalloc_start);
	assert_true(ptr_to_kva(m, b) == va + 4 * PAGE_SIZE);
	for (int i = 0; i < 3; i++) {
		ptep = kernel_pte_lookup(m, va + i * PAGE_SIZE);
		assert_non_null(ptep);
		assert_int_equal(pte_val(ptep_get(m, ptep)),
				 page_to_phys(m, vmalloc_to_page(m, a + i * PAGE_SIZE)) | 0x163);
	}
	assert_true(pte_none(ptep_get(m, kernel_pte_lookup(m, va + 3 * PAGE_SIZE))));
	assert_null(vmalloc_to_page(m, a + 3 * PAGE_SIZE));
	ptep = kernel_pte_lookup(pae, ptr_to_kva(pae, c));
	assert_true(pte_val(ptep_get(pae, ptep)) ==
		    (page_to_phys(pae, vmalloc_to_page(pae, c)) | 0x163 | _PAGE_NX));
	vfree(m, a);
	vfree(m, b);
	vfree(pae, c);
	destroy(m);
	destroy(pae);
}

/* GFP_KERNEL | __GFP_HIGHMEM: on a machine with high memory the pages
 * come from ZONE_HIGHMEM; they need not be contiguous. */
static void test_vmalloc_uses_highmem_pages(void **state)
{
	struct machine *m = boot_mem("i386", 1280ULL << 20);
	u8 *p;

	(void)state;
	assert_true(m->max_pfn > m->max_low_pfn);
	p = vmalloc(m, 16 * PAGE_SIZE);
	assert_non_null(p);
	for (int i = 0; i < 16; i++)
		assert_true(PageHighMem(m, vmalloc_to_page(m, p + i * PAGE_SIZE)));
	memset(p, 0x5a, 16 * PAGE_SIZE);
	assert_int_equal(*(u8 *)phys_to_host(m, page_to_phys(m, vmalloc_to_page(m, p + 15 * PAGE_SIZE)) + 4095),
			 0x5a);
	vfree(m, p);
	assert_clean(m);
	destroy(m);
}

/* vmalloc(0): WARN and NULL, as __vmalloc_node_range's WARN_ON_ONCE(!size). */
static void test_vmalloc_zero_size_warns(void **state)
{
	struct machine *m = boot("i386");

	(void)state;
	assert_null(vmalloc(m, 0));
	assert_true(test_log_contains(m, "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c __vmalloc_node_range_noprof"));
	assert_int_equal(m->vmalloc.nr_areas, 0);
	destroy(m);
}

/* More pages than totalram_pages: warn_alloc's "exceeds total pages". */
static void test_vmalloc_too_large(void **state)
{
	struct machine *m = boot("i386");
	unsigned long size = (m->totalram_pages + 1) * PAGE_SIZE;
	char want[160];

	(void)state;
	assert_null(vmalloc(m, size));
	snprintf(want, sizeof(want),
		 "vmalloc error: size %lu, exceeds total pages, mode:0xcc0(GFP_KERNEL), nodemask=(null)",
		 size);
	assert_true(test_log_contains(m, want));
	destroy(m);
}

/* No room in the range: "Address range restricted" then the vm_struct
 * allocation failure, and nothing held. */
static void test_vmalloc_range_full(void **state)
{
	struct machine *m = boot("i386");
	u64 start = m->pgtables.vmalloc_start;
	char want[200];
	long before[MAX_NR_ZONES], after[MAX_NR_ZONES];

	(void)state;
	free_counts(m, before);
	assert_null(__vmalloc_node_range(m, 3 * PAGE_SIZE, 1, start, start + 3 * PAGE_SIZE, GFP_KERNEL,
					 PAGE_KERNEL, 0, NUMA_NO_NODE, "test"));
	snprintf(want, sizeof(want),
		 "vmalloc_node_range for size 16384 failed: Address range restricted to %#llx - %#llx",
		 (unsigned long long)start, (unsigned long long)(start + 3 * PAGE_SIZE));
	assert_true(test_log_contains(m, want));
	assert_true(test_log_contains(m, "vmalloc error: size 12288, vm_struct allocation failed, mode:0xcc0(GFP_KERNEL)"));
	free_counts(m, after);
	assert_memory_equal(before, after, sizeof(before));
	destroy(m);
}

/* vfree of an address that does not start an area: Linux's warning, nothing freed. */
static void test_vfree_nonexistent_area_warns(void **state)
{
	struct machine *m = boot("i386");
	u8 *p = vmalloc(m, 2 * PAGE_SIZE);
	char want[120];

	(void)state;
	vfree(m, p + PAGE_SIZE);
	snprintf(want, sizeof(want), "Trying to vfree() nonexistent vm area (%08llx)",
		 (unsigned long long)ptr_to_kva(m, p + PAGE_SIZE));
	assert_true(test_log_contains(m, want));
	vfree(m, p + 1);
	assert_true(test_log_contains(m, "Trying to vfree() bad address"));
	vfree(m, page_address(m, pfn_to_page(m, 0x200)));
	vfree(m, NULL);
	assert_int_equal(m->vmalloc.nr_areas, 1);
	vunmap(m, p + PAGE_SIZE);
	assert_true(test_log_contains(m, "Trying to vunmap() nonexistent vm area"));
	vfree(m, p);
	vfree(m, p);	/* double free: the area is gone */
	assert_int_equal(m->vmalloc.nr_areas, 0);
	assert_clean(m);
	destroy(m);
}

/* vzalloc hands out zeroed memory even where an earlier vmalloc wrote. */
static void test_vzalloc_zeroes(void **state)
{
	struct machine *m = boot("i386-pae");
	u8 *p = vmalloc(m, 8 * PAGE_SIZE);

	(void)state;
	memset(p, 0xee, 8 * PAGE_SIZE);
	vfree(m, p);
	p = vzalloc(m, 8 * PAGE_SIZE);
	assert_non_null(p);
	for (size_t i = 0; i < 8 * PAGE_SIZE; i++)
		assert_int_equal(p[i], 0);
	vfree(m, p);
	destroy(m);
}

/* After vfree the pointer no longer works: the window page is inaccessible. */
static void test_vfree_unmaps_window(void **state)
{
	struct machine *m = boot("i386");
	u8 *p = vmalloc(m, PAGE_SIZE);
	u64 va = ptr_to_kva(m, p);
	unsigned long flushes = m->pgtables.nr_tlb_flush[TLB_FLUSH_KERNEL_RANGE];

	(void)state;
	assert_int_equal(kwindow_check_page(m, va, slow_virt_to_phys(m, va)), 0);
	vfree(m, p);
	assert_true(slow_virt_to_phys(m, va) == PHYS_NONE);
	assert_int_equal(machine_window_probe(m, p, 0), -EFAULT);
	assert_int_equal(m->pgtables.nr_tlb_flush[TLB_FLUSH_KERNEL_RANGE], flushes + 1);
	destroy(m);
}

/* vmap maps the caller's pages (any zone) and vunmap leaves them allocated. */
static void test_vmap_vunmap(void **state)
{
	struct machine *m = boot_mem("i386", 1280ULL << 20);
	struct page *pages[3] = {
		alloc_page(m, GFP_KERNEL), alloc_page(m, GFP_HIGHUSER), alloc_page(m, GFP_KERNEL),
	};
	u8 *p = vmap(m, pages, 3, VM_MAP, PAGE_KERNEL);
	char *info;

	(void)state;
	assert_non_null(p);
	p[PAGE_SIZE + 10] = 0x42;
	assert_int_equal(*((u8 *)phys_to_host(m, page_to_phys(m, pages[1])) + 10), 0x42);
	assert_ptr_equal(vmalloc_to_page(m, p + 2 * PAGE_SIZE), pages[2]);
	info = test_proc(m, "/proc/vmallocinfo");
	assert_non_null(strstr(info, "   16384 test_vmap_vunmap vmap\n"));
	free(info);
	assert_clean(m);
	vunmap(m, p);
	assert_int_equal(page_count(pages[1]), 1);
	assert_null(vmap(m, pages, 0, VM_MAP, PAGE_KERNEL));
	for (int i = 0; i < 3; i++)
		__free_page(m, pages[i]);
	assert_clean(m);
	destroy(m);
}

/* vmalloc_to_page of a direct-map address finds the page too. */
static void test_vmalloc_to_page_direct_map(void **state)
{
	struct machine *m = boot("x86_64");
	struct page *page = pfn_to_page(m, 0x1234);

	(void)state;
	assert_ptr_equal(vmalloc_to_page(m, page_address(m, page)), page);
	assert_int_equal(vmalloc_to_pfn(m, page_address(m, page)), 0x1234);
	assert_false(is_vmalloc_addr(m, page_address(m, page)));
	destroy(m);
}

/* /proc/vmallocinfo: Linux's line format, 8 hex digits on i386, 16 and
 * N0= on x86_64; size and end include the guard page. */
static void test_vmallocinfo_format(void **state)
{
	struct machine *m = boot("i386");
	struct machine *m64 = boot("x86_64");
	void *p = vmalloc_caller(m, 4 * PAGE_SIZE, "kernel_clone+0xb8/0x400");
	void *q = vmalloc_caller(m64, 4 * PAGE_SIZE, "kernel_clone+0xb8/0x400");
	char want[200], *info;

	(void)state;
	snprintf(want, sizeof(want), "0x%08llx-0x%08llx   20480 kernel_clone+0xb8/0x400 pages=4 vmalloc\n",
		 (unsigned long long)ptr_to_kva(m, p), (unsigned long long)ptr_to_kva(m, p) + 20480);
	info = test_proc(m, "/proc/vmallocinfo");
	assert_string_equal(info, want);
	free(info);
	snprintf(want, sizeof(want),
		 "0x%016llx-0x%016llx   20480 kernel_clone+0xb8/0x400 pages=4 vmalloc N0=4\n",
		 (unsigned long long)ptr_to_kva(m64, q), (unsigned long long)ptr_to_kva(m64, q) + 20480);
	info = test_proc(m64, "/proc/vmallocinfo");
	assert_string_equal(info, want);
	free(info);
	vfree(m, p);
	vfree(m64, q);
	destroy(m);
	destroy(m64);
}

/* A page array bigger than a page is vmalloc'ed itself ("vpages"): on
 * i386 above 1024 pages (4-byte pointers), on x86_64 above 512. */
static void test_vmalloc_large_array_vpages(void **state)
{
	struct machine *m = boot("i386");
	void *small = vmalloc(m, 1024 * PAGE_SIZE), *big = vmalloc(m, 1025 * PAGE_SIZE);
	char *info;

	(void)state;
	assert_false(find_vm_area(m, small)->pages_vmalloced);
	assert_true(find_vm_area(m, big)->pages_vmalloced);
	assert_true(is_vmalloc_addr(m, find_vm_area(m, big)->pages));
	assert_int_equal(m->vmalloc.nr_areas, 3);
	info = test_proc(m, "/proc/vmallocinfo");
	assert_non_null(strstr(info, " pages=1025 vmalloc vpages\n"));
	free(info);
	assert_clean(m);
	vfree(m, big);
	vfree(m, small);
	assert_int_equal(m->vmalloc.nr_areas, 0);
	assert_clean(m);
	destroy(m);
}

/* vmalloc_32 on x86_64 takes pages below 4 GiB (ZONE_DMA32). */
static void test_vmalloc_32_below_4g(void **state)
{
	struct machine *m = boot_mem("x86_64", 5ULL << 30);
	u8 *p = vmalloc_32(m, 64 * PAGE_SIZE), *q = vmalloc(m, 64 * PAGE_SIZE);

	(void)state;
	for (int i = 0; i < 64; i++)
		assert_true(page_to_phys(m, vmalloc_to_page(m, p + i * PAGE_SIZE)) < SZ_4G);
	assert_true(page_to_phys(m, vmalloc_to_page(m, q)) >= SZ_4G);	/* ZONE_NORMAL first */
	vfree(m, p);
	vfree(m, q);
	destroy(m);
}

/* Fail allocation N = 1, 2, ... of a vmalloc with a vmalloc'ed page array
 * (1030 pages on i386): each failure gives back every page (kernel page
 * tables excepted: they stay, as in Linux) and leaves no area. */
static void test_vmalloc_fail_nth_no_leak(void **state)
{
	struct machine *m = boot("i386");
	long before[MAX_NR_ZONES], after[MAX_NR_ZONES];
	unsigned long n;

	(void)state;
	for (n = 1;; n++) {
		unsigned long tables = m->pgtables.nr_kernel_tables;
		void *p;

		free_counts(m, before);
		m->pgtables.fail_nth = n;
		m->pgtables.nr_allocs = 0;
		p = vmalloc(m, 1030 * PAGE_SIZE);
		m->pgtables.fail_nth = 0;
		if (p) {
			vfree(m, p);
			break;
		}
		assert_int_equal(m->vmalloc.nr_areas, 0);
		free_counts(m, after);
		after[ZONE_NORMAL] += (long)(m->pgtables.nr_kernel_tables - tables);
		assert_memory_equal(before, after, sizeof(before));
		if (n % 128 == 1)
			assert_clean(m);
	}
	assert_true(n > 1030);
	assert_true(test_log_contains(m, "vmalloc error: size 4218880, failed to allocated page array size 4120"));
	assert_true(test_log_contains(m, "vmalloc error: size 0, failed to allocate pages"));
	assert_true(test_log_contains(m, "vmalloc error: size 4218880, failed to map pages"));
	assert_true(test_log_contains(m, "vmalloc error: size 4218880, vm_struct allocation failed"));
	assert_clean(m);
	destroy(m);
}

/* Random vmalloc/vzalloc/vmap sizes and frees with the checker on; after
 * freeing everything the buddy free counts equal those before (plus the
 * kernel page-table pages, which stay). */
static void test_vmalloc_stress_free_counts(void **state)
{
	(void)state;
	for (size_t a = 0; a < ARRAY_SIZE(archs); a++) {
		struct machine *m = boot_mem(archs[a], 256ULL << 20);
		long before[MAX_NR_ZONES], after[MAX_NR_ZONES];
		unsigned long tables = m->pgtables.nr_kernel_tables;
		void *live[64] = { 0 };
		u64 seed = 42 + a;

		free_counts(m, before);
		for (int step = 0; step < 600; step++) {
			unsigned int slot, pages;

			seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
			slot = (unsigned int)(seed >> 33) % 64;
			pages = (seed >> 12) % 8 == 0 ? (unsigned int)(seed >> 40) % 1500 + 1
						       : (unsigned int)(seed >> 40) % 40 + 1;
			if (live[slot]) {
				vfree(m, live[slot]);
				live[slot] = NULL;
			} else {
				live[slot] = (seed & 1) ? vzalloc(m, pages * PAGE_SIZE - (seed >> 50) % 100)
							: vmalloc(m, pages * PAGE_SIZE);
				assert_non_null(live[slot]);
				memset(live[slot], (int)slot, PAGE_SIZE);
			}
			if (step % 50 == 0)
				assert_clean(m);
		}
		for (int i = 0; i < 64; i++) {
			if (live[i])
				assert_int_equal(*(u8 *)live[i], i);
			vfree(m, live[i]);
		}
		assert_int_equal(m->vmalloc.nr_areas, 0);
		assert_int_equal(m->vmalloc.nr_pool_pages, 0);
		assert_int_equal(vmalloc_nr_pages(m), 0);
		free_counts(m, after);
		after[m->arch.x86_64 ? ZONE_DMA32 : ZONE_NORMAL] +=
			(long)(m->pgtables.nr_kernel_tables - tables);
		assert_memory_equal(before, after, sizeof(before));
		assert_clean(m);
		destroy(m);
	}
}

struct worker {
	struct machine *m;
	unsigned int cpu;
	int failures;
};

static void *vmalloc_worker(void *arg)
{
	struct worker *w = arg;
	u64 seed = w->cpu + 7;

	mmkit_set_cpu(w->cpu);
	for (int i = 0; i < 400; i++) {
		unsigned int pages;
		struct page *hp;
		u8 *p, *k;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		pages = (unsigned int)(seed >> 40) % 24 + 1;
		p = vmalloc(w->m, pages * PAGE_SIZE);
		if (!p) {
			w->failures++;
			continue;
		}
		memset(p, (int)w->cpu, pages * PAGE_SIZE);
		hp = alloc_page(w->m, GFP_HIGHUSER);
		k = hp ? kmap(w->m, hp) : NULL;
		if (k)
			memcpy(k, p, PAGE_SIZE);
		if (k && (k[100] != w->cpu || p[pages * PAGE_SIZE - 1] != w->cpu))
			w->failures++;
		if (k)
			kunmap(w->m, hp);
		if (hp)
			__free_page(w->m, hp);
		vfree(w->m, p);
	}
	return NULL;
}

/* Two simulated CPUs (host threads) vmalloc, kmap and free at once: no
 * area is lost or shared, and everything comes back. */
static void test_vmalloc_two_cpus(void **state)
{
	char text[256];
	struct machine *m;
	struct worker w[2];
	pthread_t t[2];
	long before[MAX_NR_ZONES], after[MAX_NR_ZONES];
	unsigned long tables;

	(void)state;
	snprintf(text, sizeof(text), "name t\narch i386\ncpus 2\nhighmem yes\n"
		 "e820 0x0 0x9fc00 usable\ne820 0x100000 0x4ff00000 usable\n");
	m = test_boot_text(text);
	m->debug_vm = 0;	/* the checker is not thread-safe; run it after */
	tables = m->pgtables.nr_kernel_tables;
	free_counts(m, before);
	for (unsigned int i = 0; i < 2; i++) {
		w[i] = (struct worker){ m, i, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, vmalloc_worker, &w[i]), 0);
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	mmkit_set_cpu(0);
	assert_int_equal(w[0].failures + w[1].failures, 0);
	assert_int_equal(m->vmalloc.nr_areas, 0);
	m->debug_vm = 2;
	assert_clean(m);
	free_counts(m, after);
	after[ZONE_NORMAL] += (long)(m->pgtables.nr_kernel_tables - tables);
	assert_memory_equal(before, after, sizeof(before));
	destroy(m);
}

/* The checker notices a pte that no longer maps the area's page, and a
 * window page that does not mirror its pte. */
static void test_checker_detects_broken_mapping(void **state)
{
	struct machine *m = boot("i386");
	u8 *p = vmalloc(m, 2 * PAGE_SIZE);
	u64 va = ptr_to_kva(m, p);
	ptep_t *ptep = kernel_pte_lookup(m, va + PAGE_SIZE);
	pte_t saved = ptep_get(m, ptep);

	(void)state;
	pte_clear(m, ptep);
	assert_true(mmkit_check(m) > 0);
	assert_true(test_log_contains(m, "vmalloc: area"));
	set_pte(m, ptep, saved);
	assert_clean(m);
	machine_window_unmap(m, p, PAGE_SIZE);	/* the window lies about page 0 */
	assert_true(mmkit_check(m) > 0);
	assert_true(test_log_contains(m, "host window does not mirror its ptes"));
	kwindow_sync(m, va, va + PAGE_SIZE);
	assert_clean(m);
	vfree(m, p);
	destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmalloc_pointer_writes_reach_frames),
		cmocka_unit_test(test_vmalloc_area_layout_and_ptes),
		cmocka_unit_test(test_vmalloc_uses_highmem_pages),
		cmocka_unit_test(test_vmalloc_zero_size_warns),
		cmocka_unit_test(test_vmalloc_too_large),
		cmocka_unit_test(test_vmalloc_range_full),
		cmocka_unit_test(test_vfree_nonexistent_area_warns),
		cmocka_unit_test(test_vzalloc_zeroes),
		cmocka_unit_test(test_vfree_unmaps_window),
		cmocka_unit_test(test_vmap_vunmap),
		cmocka_unit_test(test_vmalloc_to_page_direct_map),
		cmocka_unit_test(test_vmallocinfo_format),
		cmocka_unit_test(test_vmalloc_large_array_vpages),
		cmocka_unit_test(test_vmalloc_32_below_4g),
		cmocka_unit_test(test_vmalloc_fail_nth_no_leak),
		cmocka_unit_test(test_vmalloc_stress_free_counts),
		cmocka_unit_test(test_checker_detects_broken_mapping),
		cmocka_unit_test(test_vmalloc_two_cpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
