/* Reclaim of file pages (src/mm/vmscan.c with the page cache of
 * src/mm/filemap.c): clean file pages are dropped under memory pressure
 * and read again on the next access (a major fault, pgpgin), dirty
 * MAP_SHARED pages are written back by reclaim before they are freed (the
 * host file has the bytes, nr_vmscan_write and nr_written move), mlocked
 * file pages stay, and a page of a file mapped by two processes is
 * unmapped from both (try_to_unmap through the i_mmap rmap walk) and
 * faulted back into both.
 *
 * The machine: i386, 24 MiB of RAM, no swap, files in a fresh host
 * directory. The pressure is anonymous memory written page by page: with
 * no swap only the file pages can make room. */
#include "file_test.h"

#include <mmkit/vmscan.h>

#include "mm/internal_vmscan.h"

#define FILE_PAGES 2048UL	/* 8 MiB: a third of the RAM */
#define FILE_AREA 0x20000000UL
#define PRESSURE_AREA 0x30000000UL

/* i386, 24 MiB, files in f->dir; a privileged process (mlock) with a
 * user buffer. */
static struct machine *rf_boot(struct ft_files *f)
{
	struct mmkit_exec_layout l = { .privileged = true };
	const char *tmp = getenv("TMPDIR");
	char text[512];
	struct machine *m;

	snprintf(f->dir, sizeof(f->dir), "%s/mmkit-reclaim-file.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(text, sizeof(text),
		 "name reclaim-file\narch i386\nhighmem yes\n"
		 "e820 0x0 0x9fc00 usable\ne820 0x100000 0x1700000 usable\nfiles %s\n", f->dir);
	m = test_boot_text(text);
	mmkit_set_current(m, mmkit_spawn(m, "rf", &l));
	f->ubuf = (unsigned long)vt_map(m, 0, PG(UBUF_PAGES), RW, MAP_PRIVATE);
	assert_false(MMKIT_IS_ERR_VALUE(f->ubuf));
	return m;
}

/* Map the file @name (FILE_PAGES of fl_pattern) at FILE_AREA. */
static int rf_map(struct machine *m, const char *name, unsigned long prot, unsigned long flags)
{
	int fd = (int)sys_open(m, name, O_RDWR, 0);

	assert_true(fd >= 0);
	assert_int_equal(sys_mmap(m, FILE_AREA, PG(FILE_PAGES), prot, flags | MAP_FIXED,
				  (unsigned long)fd, 0), (long)FILE_AREA);
	return fd;
}

/* Byte @off of page @i as the test writes it over the pattern. */
static unsigned char rf_new(unsigned long i, unsigned long off)
{
	return (unsigned char)(0xa5 ^ i ^ (off * 13));
}

/* Write @pages of anonymous memory page by page (no swap: the page cache
 * pays). */
static void rf_pressure(struct machine *m, unsigned long pages)
{
	assert_int_equal(vt_map_fixed(m, PRESSURE_AREA, PG(pages), RW), (long)PRESSURE_AREA);
	for (unsigned long i = 0; i < pages; i++)
		poke(m, PRESSURE_AREA + PG(i), (char)(i + 1));
}

/* Anonymous pages enough to push three quarters of the file out. */
static unsigned long rf_pressure_pages(struct machine *m)
{
	return nr_free_pages(m) + FILE_PAGES * 3 / 4;
}

static unsigned long resident(struct machine *m, struct address_space *mapping)
{
	unsigned long n = 0;

	for (unsigned long i = 0; i < FILE_PAGES; i++) {
		struct page *page = find_get_page(m, mapping, i);

		if (page) {
			n++;
			put_page(m, page);
		}
	}
	return n;
}

static void rf_check_pattern(struct machine *m, unsigned long i, bool new)
{
	unsigned char buf[PAGE_SIZE];

	assert_int_equal(mmkit_read(m, FILE_AREA + PG(i), buf, PAGE_SIZE), 0);
	for (unsigned long k = 0; k < PAGE_SIZE; k++)
		if (buf[k] != (new ? rf_new(i, k) : fl_pattern(PG(i) + k))) {
			fprintf(stderr, "page %lu byte %lu: %#x\n", i, k, buf[k]);
			fail();
		}
}

/* Clean file pages are simply dropped under pressure (pgsteal_file,
 * nothing written) and read again on the next access: a major fault that
 * counts pgpgin, the bytes intact. */
static void test_clean_file_pages_dropped_and_reread(void **state)
{
	struct ft_files f;
	struct machine *m = rf_boot(&f);
	struct address_space *mapping;
	unsigned long majflt, pgpgin, before;
	int fd;

	(void)state;
	fl_host_create(&f, "clean", PG(FILE_PAGES));
	fd = rf_map(m, "clean", PROT_READ, MAP_SHARED);
	mapping = fl_mapping(m, fd);
	for (unsigned long i = 0; i < FILE_PAGES; i++)
		assert_int_equal((unsigned char)peek(m, FILE_AREA + PG(i)), fl_pattern(PG(i)));
	assert_int_equal(resident(m, mapping), FILE_PAGES);
	before = vm_event(m, PGSTEAL_FILE);
	rf_pressure(m, rf_pressure_pages(m));
	assert_true(vm_event(m, PGSTEAL_FILE) > before);
	assert_true(resident(m, mapping) < FILE_PAGES / 2);
	assert_int_equal(fl_node(m, NR_VMSCAN_WRITE), 0);	/* clean: nothing written */
	assert_clean(m);
	majflt = vm_event(m, PGMAJFAULT);
	pgpgin = vm_event(m, PGPGIN);
	for (unsigned long i = 0; i < FILE_PAGES; i++)
		rf_check_pattern(m, i, false);
	assert_true(vm_event(m, PGMAJFAULT) > majflt);
	/* pgpgin counts 1 KiB blocks: at least the dropped half came back */
	assert_true(vm_event(m, PGPGIN) - pgpgin >= (FILE_PAGES / 2) * (PAGE_SIZE / 1024));
	sys_close(m, (unsigned int)fd);
	fl_done(m, &f);
}

/* Dirty MAP_SHARED pages are written to the file by reclaim before they
 * are freed: every page no longer cached has its new bytes in the host
 * file although nobody called msync; nr_vmscan_write and nr_written move;
 * read again, every page has the new bytes. */
static void test_dirty_shared_pages_written_back_before_freed(void **state)
{
	struct ft_files f;
	struct machine *m = rf_boot(&f);
	struct address_space *mapping;
	unsigned long written, vmscan_write, gone = 0;
	unsigned char *host;
	long len;
	int fd;

	(void)state;
	fl_host_create(&f, "dirty", PG(FILE_PAGES));
	fd = rf_map(m, "dirty", RW, MAP_SHARED);
	mapping = fl_mapping(m, fd);
	for (unsigned long i = 0; i < FILE_PAGES; i++) {
		unsigned char buf[PAGE_SIZE];

		for (unsigned long k = 0; k < PAGE_SIZE; k++)
			buf[k] = rf_new(i, k);
		assert_int_equal(mmkit_write(m, FILE_AREA + PG(i), buf, PAGE_SIZE), 0);
	}
	written = fl_node(m, NR_WRITTEN);
	vmscan_write = fl_node(m, NR_VMSCAN_WRITE);
	rf_pressure(m, rf_pressure_pages(m));
	assert_true(fl_node(m, NR_VMSCAN_WRITE) > vmscan_write);
	assert_true(fl_node(m, NR_WRITTEN) > written);
	host = fl_host_read(&f, "dirty", &len);
	assert_non_null(host);
	assert_int_equal(len, (long)PG(FILE_PAGES));
	for (unsigned long i = 0; i < FILE_PAGES; i++) {
		struct page *page = find_get_page(m, mapping, i);

		if (page) {
			put_page(m, page);
			continue;
		}
		gone++;
		for (unsigned long k = 0; k < PAGE_SIZE; k++)
			assert_int_equal(host[PG(i) + k], rf_new(i, k));
	}
	free(host);
	assert_true(gone > FILE_PAGES / 2);
	assert_clean(m);
	for (unsigned long i = 0; i < FILE_PAGES; i++)
		rf_check_pattern(m, i, true);
	/* and msync makes the rest reach the file */
	assert_int_equal(sys_msync(m, FILE_AREA, PG(FILE_PAGES), MS_SYNC), 0);
	host = fl_host_read(&f, "dirty", &len);
	for (unsigned long i = 0; i < FILE_PAGES; i++)
		for (unsigned long k = 0; k < PAGE_SIZE; k += 511)
			assert_int_equal(host[PG(i) + k], rf_new(i, k));
	free(host);
	sys_close(m, (unsigned int)fd);
	fl_done(m, &f);
}

/* Mlocked file pages stay through the pressure: same frames, still in
 * the page cache, unevictable, bytes intact. */
static void test_mlocked_file_pages_survive(void **state)
{
	struct ft_files f;
	struct machine *m = rf_boot(&f);
	unsigned long pfn[64];
	int fd;

	(void)state;
	fl_host_create(&f, "locked", PG(FILE_PAGES));
	fd = rf_map(m, "locked", PROT_READ, MAP_SHARED);
	assert_int_equal(sys_mlock(m, FILE_AREA, PG(64)), 0);
	for (int i = 0; i < 64; i++)
		pfn[i] = page_to_pfn(m, ft_page(m, FILE_AREA + PG(i)));
	for (unsigned long i = 64; i < FILE_PAGES; i++)
		peek(m, FILE_AREA + PG(i));
	rf_pressure(m, rf_pressure_pages(m));
	assert_true(vm_event(m, PGSTEAL_FILE) > 0);
	for (int i = 0; i < 64; i++) {
		struct page *page = ft_page(m, FILE_AREA + PG(i));

		assert_int_equal(page_to_pfn(m, page), pfn[i]);
		assert_true(PageUnevictable(page));
		assert_true(PageMlocked(page));
		rf_check_pattern(m, (unsigned long)i, false);
	}
	assert_int_equal(meminfo_kb(m, "Mlocked:"), 256);
	assert_clean(m);
	sys_close(m, (unsigned int)fd);
	fl_done(m, &f);
}

/* A page of a file both a parent and its child map: try_to_unmap clears
 * both ptes (the i_mmap walk finds both VMAs), the dirty bit of the
 * writer's pte moves to the page, and the next accesses fault the same
 * cached page back into both. */
static void test_shared_file_page_unmapped_from_both_and_faulted_back(void **state)
{
	struct ft_files f;
	struct machine *m = rf_boot(&f);
	struct task_struct *parent = get_current(m), *child;
	const unsigned long a = FILE_AREA + PG(5);
	struct page *page;
	int fd;

	(void)state;
	fl_host_create(&f, "two", PG(FILE_PAGES));
	fd = rf_map(m, "two", RW, MAP_SHARED);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	poke(m, a, 'P');		/* the parent writes: its pte is dirty */
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, a), 'P');
	page = ft_page(m, a);
	mmkit_set_current(m, parent);
	assert_ptr_equal(ft_page(m, a), page);
	assert_int_equal(page_mapcount(page), 2);

	get_page(page);
	lock_page(m, page);
	assert_true(try_to_unmap(m, page, 0));
	assert_int_equal(page_mapcount(page), 0);
	assert_true(PageDirty(page));		/* moved from the parent's pte */
	assert_false(pte_val(ft_pte(m, a)) & _PAGE_PRESENT);
	mmkit_set_current(m, child);
	assert_false(pte_val(ft_pte(m, a)) & _PAGE_PRESENT);
	unlock_page(m, page);
	assert_clean(m);

	/* both fault the cached page back */
	assert_int_equal(peek(m, a), 'P');
	assert_ptr_equal(ft_page(m, a), page);
	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, a), 'P');
	assert_ptr_equal(ft_page(m, a), page);
	assert_int_equal(page_mapcount(page), 2);
	put_page(m, page);
	assert_clean(m);
	{
		pid_t pid = child->pid;

		mmkit_exit(m, child, 0);
		assert_int_equal(mmkit_wait(m, pid, NULL), pid);
	}
	sys_close(m, (unsigned int)fd);
	fl_done(m, &f);
}

/* The same through reclaim: both processes' ptes of the file go under
 * pressure (the pages are freed, not just unmapped) and each process
 * reads every byte back with major faults. */
static void test_file_shared_by_two_processes_reclaimed_and_reread(void **state)
{
	struct ft_files f;
	struct machine *m = rf_boot(&f);
	struct task_struct *parent = get_current(m), *child;
	unsigned long majflt;
	int fd;

	(void)state;
	fl_host_create(&f, "both", PG(FILE_PAGES));
	fd = rf_map(m, "both", PROT_READ, MAP_SHARED);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	for (unsigned long i = 0; i < FILE_PAGES; i++) {
		mmkit_set_current(m, parent);
		peek(m, FILE_AREA + PG(i));
		mmkit_set_current(m, child);
		peek(m, FILE_AREA + PG(i));
	}
	assert_int_equal(get_mm_counter(parent->mm, MM_FILEPAGES), FILE_PAGES);
	assert_int_equal(get_mm_counter(child->mm, MM_FILEPAGES), FILE_PAGES);
	mmkit_set_current(m, parent);
	rf_pressure(m, rf_pressure_pages(m));
	assert_true(get_mm_counter(parent->mm, MM_FILEPAGES) < FILE_PAGES / 2);
	assert_true(get_mm_counter(child->mm, MM_FILEPAGES) < FILE_PAGES / 2);
	assert_clean(m);
	/* room again for the whole file */
	assert_int_equal(sys_munmap(m, PRESSURE_AREA, PG(1UL << 14)), 0);
	majflt = vm_event(m, PGMAJFAULT);
	mmkit_set_current(m, child);
	for (unsigned long i = 0; i < FILE_PAGES; i++)
		rf_check_pattern(m, i, false);
	assert_true(vm_event(m, PGMAJFAULT) > majflt);
	mmkit_set_current(m, parent);
	for (unsigned long i = 0; i < FILE_PAGES; i++) {
		struct page *page;

		rf_check_pattern(m, i, false);
		page = ft_page(m, FILE_AREA + PG(i));
		mmkit_set_current(m, child);
		assert_ptr_equal(ft_page(m, FILE_AREA + PG(i)), page);	/* one copy, both map it */
		mmkit_set_current(m, parent);
	}
	assert_clean(m);
	{
		pid_t pid = child->pid;

		mmkit_exit(m, child, 0);
		assert_int_equal(mmkit_wait(m, pid, NULL), pid);
	}
	sys_close(m, (unsigned int)fd);
	fl_done(m, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_file_pages_dropped_and_reread),
		cmocka_unit_test(test_dirty_shared_pages_written_back_before_freed),
		cmocka_unit_test(test_mlocked_file_pages_survive),
		cmocka_unit_test(test_shared_file_page_unmapped_from_both_and_faulted_back),
		cmocka_unit_test(test_file_shared_by_two_processes_reclaimed_and_reread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
