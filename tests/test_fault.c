/* The page-fault handler's successful paths (src/mm/memory.c,
 * src/arch/x86/fault.c, src/mm/gup.c): demand-zero faults, the shared zero
 * page, replacing it on the first write, fault accounting, populating
 * (MAP_POPULATE, mlock), highmem user pages and shared anonymous memory.
 * Accesses go through the software MMU (mmkit_read/mmkit_write), as a
 * program's would; results are read back from the real PTEs. */
#include "fault_test.h"

/* Private anonymous memory read before it is written:
 *   pte -> empty_zero_page, read-only, _PAGE_SPECIAL, user
 * and no page is allocated except page tables. */
static void test_read_fault_maps_zero_page_and_allocates_nothing(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(4), RW, MAP_PRIVATE);
	struct page *zp = pfn_to_page(m, zero_pfn(m));
	int zref = page_count(zp), zmap = zp->_mapcount;
	unsigned long a0 = ft_allocs(m), t0 = ft_table_pages(m);
	u32 v = 0xdeadbeef;
	pte_t pte;

	(void)state;
	assert_int_equal(mmkit_read(m, addr + 8, &v, sizeof(v)), 0);
	assert_int_equal(v, 0);
	pte = ft_pte(m, addr);
	assert_int_equal(pte_pfn(pte), zero_pfn(m));
	assert_true(pte_special(pte));
	assert_false(pte_write(pte));
	assert_true(pte_user(pte));
	assert_int_equal(ft_allocs(m) - a0, ft_table_pages(m) - t0);
	assert_int_equal(get_mm_rss(vt_mm(m)), 0);
	assert_int_equal(page_count(zp), zref);	/* special: never counted */
	assert_int_equal(zp->_mapcount, zmap);
	assert_null(vt_vma(m, addr)->anon_vma);	/* reads need no anon_vma */
	vt_done(m);
}

/* A write fault allocates exactly one page, zeroed, anonymous, mapped
 * writable and dirty once; rss goes to 1. */
static void test_write_fault_allocates_one_zeroed_page(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(4), RW, MAP_PRIVATE);
	unsigned long a0, t0;
	static char buf[PAGE_SIZE];
	struct page *page;
	char c = 'x';
	pte_t pte;

	(void)state;
	ft_warm_caches(m);
	a0 = ft_allocs(m);
	t0 = ft_table_pages(m);
	assert_int_equal(mmkit_write(m, addr + 100, &c, 1), 0);
	assert_int_equal(ft_allocs(m) - a0, 1 + (ft_table_pages(m) - t0));
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 2);	/* with the warm-up page */
	assert_true(vt_mm(m)->hiwater_rss >= 1);
	pte = ft_pte(m, addr);
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	assert_false(pte_special(pte));
	page = ft_page(m, addr);
	assert_true(PageAnon(page));
	assert_ptr_equal((char *)page->mapping - PAGE_MAPPING_ANON, vt_vma(m, addr)->anon_vma);
	assert_int_equal(page->index, addr >> PAGE_SHIFT);	/* linear_page_index */
	assert_int_equal(page_mapcount(page), 1);
	assert_int_equal(page_count(page), 1);
	assert_int_equal(mmkit_read(m, addr, buf, PAGE_SIZE), 0);
	for (unsigned long i = 0; i < PAGE_SIZE; i++)
		assert_int_equal(buf[i], i == 100 ? 'x' : 0);
	vt_done(m);
}

/* Read, then write: the zero page is replaced by a new zeroed page. */
static void test_write_after_read_replaces_zero_page(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	unsigned long a0;
	u64 v = 0;

	(void)state;
	ft_warm_caches(m);
	assert_int_equal(mmkit_read(m, addr, &v, sizeof(v)), 0);
	assert_int_equal(pte_pfn(ft_pte(m, addr)), zero_pfn(m));
	a0 = ft_allocs(m);
	v = 0x1122334455667788ULL;
	assert_int_equal(mmkit_write(m, addr + 16, &v, sizeof(v)), 0);
	assert_int_equal(ft_allocs(m) - a0, 1);
	assert_int_not_equal(pte_pfn(ft_pte(m, addr)), zero_pfn(m));
	assert_true(pte_write(ft_pte(m, addr)));
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 2);
	v = 1;
	assert_int_equal(mmkit_read(m, addr, &v, sizeof(v)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(mmkit_read(m, addr + 16, &v, sizeof(v)), 0);
	assert_int_equal(v, 0x1122334455667788ULL);
	vt_done(m);
}

/* read p0, write p0, write p1: three minor faults, three PGFAULT events;
 * a fourth access to a present writable page takes none. */
static void test_faults_are_counted_as_minflt_and_pgfault(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_PRIVATE);
	unsigned long min0 = tsk->min_flt, maj0 = tsk->maj_flt;
	unsigned long pg0 = vm_event(m, PGFAULT), pgmaj0 = vm_event(m, PGMAJFAULT);
	char c = 1;

	(void)state;
	assert_int_equal(mmkit_read(m, addr, &c, 1), 0);
	assert_int_equal(mmkit_write(m, addr, &c, 1), 0);
	assert_int_equal(mmkit_write(m, addr + PG(1), &c, 1), 0);
	assert_int_equal(tsk->min_flt - min0, 3);
	assert_int_equal(vm_event(m, PGFAULT) - pg0, 3);
	assert_int_equal(tsk->maj_flt, maj0);
	assert_int_equal(vm_event(m, PGMAJFAULT), pgmaj0);
	assert_int_equal(mmkit_write(m, addr + 1, &c, 1), 0);
	assert_int_equal(tsk->min_flt - min0, 3);
	assert_int_equal(vm_event(m, PGFAULT) - pg0, 3);
	vt_done(m);
}

/* MAP_POPULATE on private writable memory write-faults every page (GUP
 * counts them as the task's minor faults); on read-only memory it maps the
 * zero page everywhere. */
static void test_map_populate_faults_every_page_in(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	unsigned long min0 = tsk->min_flt, addr, ro;

	(void)state;
	addr = (unsigned long)vt_map(m, 0, PG(4), RW, MAP_PRIVATE | MAP_POPULATE);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 4);
	for (int i = 0; i < 4; i++) {
		assert_true(pte_write(ft_pte(m, addr + PG(i))));
		assert_int_not_equal(pte_pfn(ft_pte(m, addr + PG(i))), zero_pfn(m));
	}
	assert_int_equal(tsk->min_flt - min0, 4);
	ro = (unsigned long)vt_map(m, 0, PG(3), PROT_READ, MAP_PRIVATE | MAP_POPULATE);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pte_pfn(ft_pte(m, ro + PG(i))), zero_pfn(m));
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 4);
	vt_done(m);
}

/* mlock faults the whole range in; a second populate allocates nothing. */
static void test_mlock_faults_range_in_once(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(3), RW, MAP_PRIVATE);
	unsigned long a0;

	(void)state;
	assert_int_equal(sys_mlock(m, addr, PG(3)), 0);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 3);
	a0 = ft_allocs(m);
	assert_int_equal(sys_madvise(m, addr, PG(3), MADV_POPULATE_WRITE), 0);
	assert_int_equal(ft_allocs(m), a0);
	vt_done(m);
}

/* get_user_pages refuses PROT_NONE: populate reports -EFAULT, maps nothing. */
static void test_populate_prot_none_is_efault(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), PROT_NONE, MAP_PRIVATE);
	struct mm_struct *mm = vt_mm(m);
	long ret;

	(void)state;
	mmap_read_lock(mm);
	ret = populate_vma_page_range(m, vt_vma(m, addr), addr, addr + PG(2));
	mmap_read_unlock(mm);
	assert_int_equal(ret, -EFAULT);
	assert_int_equal(pte_val(ft_pte(m, addr)), 0);
	vt_done(m);
}

/* 1 GiB i386 with HIGHMEM: user pages come from ZONE_HIGHMEM first
 * (GFP_HIGHUSER_MOVABLE) and are zeroed through kmap_atomic. */
static const char highmem_machine[] =
	"name fault-highmem\n"
	"arch i386\n"
	"highmem yes\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable\n";

static void test_write_fault_uses_highmem_page_zeroed(void **state)
{
	struct machine *m = test_boot_text(highmem_machine);
	unsigned long addr;
	static unsigned char buf[PAGE_SIZE];
	struct page *page;

	(void)state;
	vt_spawn(m, false);
	addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	buf[0] = 0x5a;
	assert_int_equal(mmkit_write(m, addr + PG(1) - 1, buf, 1), 0);
	page = ft_page(m, addr);
	assert_true(PageHighMem(m, page));
	assert_int_equal(mmkit_read(m, addr, buf, PAGE_SIZE), 0);
	for (unsigned long i = 0; i < PAGE_SIZE - 1; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(buf[PAGE_SIZE - 1], 0x5a);
	vt_done(m);
}

/* MAP_SHARED|MAP_ANONYMOUS: both reads and writes map the object's page
 * (shmem allocates on read too); it counts as RssShmem and Shmem, and the
 * object keeps a reference besides the pte's. */
static void test_shared_anon_fault_maps_object_page(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_SHARED);
	long shmem0 = m->node.vm_stat[NR_SHMEM];
	struct page *page;
	char c = 'S';

	(void)state;
	assert_int_equal(mmkit_write(m, addr, &c, 1), 0);
	assert_int_equal(mmkit_read(m, addr + PG(1), &c, 1), 0);
	assert_int_equal(c, 0);
	assert_int_equal(ft_rss(m, MM_SHMEMPAGES), 2);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 0);
	assert_int_equal(m->node.vm_stat[NR_SHMEM] - shmem0, 2);
	page = ft_page(m, addr);
	assert_false(PageAnon(page));
	assert_ptr_equal(page->mapping, vt_vma(m, addr)->vm_file->f_mapping);
	assert_int_equal(page->index, 0);
	assert_int_equal(page_count(page), 2);	/* the object's + the pte's */
	assert_int_equal(page_mapcount(page), 1);
	assert_true(pte_write(ft_pte(m, addr)));
	assert_true(pte_write(ft_pte(m, addr + PG(1))));	/* shared: no COW */
	vt_done(m);
}

/* A shared anonymous mapping grown by mremap is bigger than its object:
 * touching the part beyond is SIGBUS BUS_ADRERR (shmem_fault past i_size). */
static void test_shared_anon_beyond_object_is_sigbus(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_SHARED);
	struct ft_caught caught = { 0 };
	long grown;
	char c = 1;

	(void)state;
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGBUS, ft_handler, &caught), 0);
	grown = sys_mremap(m, addr, PG(1), PG(2), MREMAP_MAYMOVE, 0);
	assert_false(IS_ERR_VALUE(grown));
	assert_int_equal(mmkit_write(m, (unsigned long)grown, &c, 1), 0);
	assert_int_equal(mmkit_write(m, (unsigned long)grown + PG(1), &c, 1), -EFAULT);
	assert_int_equal(caught.calls, 1);
	assert_int_equal(caught.info.signo, SIGBUS);
	assert_int_equal(caught.info.code, BUS_ADRERR);
	assert_int_equal(caught.info.addr, (unsigned long)grown + PG(1));
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_fault_maps_zero_page_and_allocates_nothing),
		cmocka_unit_test(test_write_fault_allocates_one_zeroed_page),
		cmocka_unit_test(test_write_after_read_replaces_zero_page),
		cmocka_unit_test(test_faults_are_counted_as_minflt_and_pgfault),
		cmocka_unit_test(test_map_populate_faults_every_page_in),
		cmocka_unit_test(test_mlock_faults_range_in_once),
		cmocka_unit_test(test_populate_prot_none_is_efault),
		cmocka_unit_test(test_write_fault_uses_highmem_page_zeroed),
		cmocka_unit_test(test_shared_anon_fault_maps_object_page),
		cmocka_unit_test(test_shared_anon_beyond_object_is_sigbus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
