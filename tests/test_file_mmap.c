/* File mappings: mmap errno as the host kernel gives it, shared pages
 * between processes, fault-around and read-around, SIGBUS past EOF,
 * truncate unmapping, MAP_PRIVATE COW never reaching the file, MAP_SHARED
 * writes reaching the host file (msync, fsync, destroy), read()/write()
 * coherent with mappings, write-notify, /proc/PID/maps. */
#include <sys/mman.h>

#include "file_test.h"

static long fmap(struct machine *m, unsigned long len, unsigned long prot, unsigned long flags,
		 int fd, unsigned long off)
{
	return sys_mmap(m, 0, len, prot, flags, (unsigned long)fd, off);
}

/* ---- errno compared with the host kernel ---- */

struct map_case {
	const char *what;
	const char *path;
	int oflags;		/* -1: a bad fd */
	unsigned long prot, flags, off;
};

static long host_map(const char *dir, const struct map_case *c)
{
	char p[512];
	int fd = 999;
	void *a;
	long r;

	snprintf(p, sizeof(p), "%s/%s", dir, c->path);
	if (c->oflags >= 0)
		fd = open(p, c->oflags);
	assert_true(fd >= 0);
	a = mmap(NULL, 8192, (int)c->prot, (int)c->flags, fd, (off_t)c->off);
	r = a == MAP_FAILED ? -errno : 0;
	if (a != MAP_FAILED)
		munmap(a, 8192);
	if (fd != 999)
		close(fd);
	return r;
}

static long mmkit_map(struct machine *m, const struct map_case *c)
{
	int fd = c->oflags >= 0 ? (int)sys_open(m, c->path, c->oflags, 0) : 999;
	long r;

	assert_true(fd >= 0);
	r = fmap(m, 8192, c->prot, c->flags, fd, c->off);
	if (!MMKIT_IS_ERR_VALUE(r)) {
		sys_munmap(m, (unsigned long)r, 8192);
		r = 0;
	}
	if (fd != 999)
		sys_close(m, (unsigned int)fd);
	return r;
}

static void test_mmap_errno_matches_host_kernel(void **state)
{
	static const struct map_case cases[] = {
		{ "bad fd", "f", -1, PROT_READ, MAP_PRIVATE, 0 },
		{ "shared writable of O_RDONLY", "f", O_RDONLY, PROT_READ | PROT_WRITE, MAP_SHARED, 0 },
		{ "shared read-only of O_RDONLY", "f", O_RDONLY, PROT_READ, MAP_SHARED, 0 },
		{ "private writable of O_RDONLY", "f", O_RDONLY, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0 },
		{ "private of O_WRONLY", "f", O_WRONLY, PROT_READ, MAP_PRIVATE, 0 },
		{ "shared of O_WRONLY", "f", O_WRONLY, PROT_WRITE, MAP_SHARED, 0 },
		{ "shared writable of O_RDWR", "f", O_RDWR, PROT_READ | PROT_WRITE, MAP_SHARED, 0 },
		{ "a directory", "d", O_RDONLY, PROT_READ, MAP_PRIVATE, 0 },
		{ "no map type", "f", O_RDWR, PROT_READ, 0, 0 },
		{ "validate with an unknown flag", "f", O_RDWR, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, 0 },
		{ "legacy shared ignores it", "f", O_RDWR, PROT_READ, MAP_SHARED | 0x800000, 0 },
		{ "unaligned offset", "f", O_RDWR, PROT_READ, MAP_SHARED, 100 },
		{ "past EOF is fine", "f", O_RDWR, PROT_READ, MAP_SHARED, 1UL << 20 },
	};
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	char host[256], p[512];
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(host, sizeof(host), "%s/mmkit-host.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(host));
	fl_host_create(&f, "f", 5000);
	snprintf(p, sizeof(p), "%s/f", host);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/d", host);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/d", f.dir);
	mkdir(p, 0755);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		long want = host_map(host, &cases[i]), got = mmkit_map(m, &cases[i]);

		if (want != got)
			fprintf(stderr, "%s: host %ld, mmkit %ld\n", cases[i].what, want, got);
		assert_int_equal(got, want);
	}
	nftw(host, fl_rm, 8, FTW_DEPTH | FTW_PHYS);
	fl_done(m, &f);
}

static void test_mprotect_write_on_shared_readonly_fd_is_eacces(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	long a;
	int fd;

	(void)state;
	fl_host_create(&f, "f", 8192);
	fd = (int)sys_open(m, "f", O_RDONLY, 0);
	a = fmap(m, 8192, PROT_READ, MAP_SHARED, fd, 0);
	assert_false(MMKIT_IS_ERR_VALUE(a));
	assert_int_equal(sys_mprotect(m, (unsigned long)a, 8192, PROT_READ | PROT_WRITE), -EACCES);
	a = fmap(m, 8192, PROT_READ, MAP_PRIVATE, fd, 0);
	assert_int_equal(sys_mprotect(m, (unsigned long)a, 8192, PROT_READ | PROT_WRITE), 0);
	sys_close(m, fd);
	fl_done(m, &f);
}

/* ---- faults ---- */

static void test_read_fault_reads_around_and_fault_around_maps_16_pages(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	unsigned long maj0, a;
	int fd;

	(void)state;
	fl_host_create(&f, "big", PG(64));
	fd = (int)sys_open(m, "big", O_RDONLY, 0);
	a = (unsigned long)fmap(m, PG(64), PROT_READ, MAP_SHARED, fd, 0);
	maj0 = vm_event(m, PGMAJFAULT);
	/* cold: a major fault, read-around of ra_pages = 32 from 0 */
	assert_int_equal((unsigned char)peek(m, a + 5), fl_pattern(5));
	assert_int_equal(vm_event(m, PGMAJFAULT) - maj0, 1);
	assert_int_equal(fl_mapping(m, fd)->nrpages, 32);
	assert_int_equal(ft_rss(m, MM_FILEPAGES), 1);
	/* next fault: fault-around maps the aligned 16-page window */
	assert_int_equal((unsigned char)peek(m, a + PG(1)), fl_pattern(PG(1)));
	assert_int_equal(ft_rss(m, MM_FILEPAGES), 16);
	assert_int_equal(vm_event(m, PGMAJFAULT) - maj0, 1);
	/* [16, 32) but the read-ahead marker (24 = 0 + 32 - 32/4) */
	peek(m, a + PG(17));
	assert_int_equal(ft_rss(m, MM_FILEPAGES), 31);
	assert_true(pte_none(ft_pte(m, a + PG(24))));
	/* the marker's fault starts the next window: 32..63 */
	assert_int_equal((unsigned char)peek(m, a + PG(24)), fl_pattern(PG(24)));
	assert_int_equal(fl_mapping(m, fd)->nrpages, 64);
	assert_int_equal(vm_event(m, PGMAJFAULT) - maj0, 1);
	assert_int_equal(meminfo_kb(m, "Mapped:"), 32 * 4);
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_access_past_eof_is_sigbus(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct ft_caught caught = { 0 };
	unsigned long a;
	char c;
	int fd;

	(void)state;
	fl_host_create(&f, "short", 4096 + 100);
	fd = (int)sys_open(m, "short", O_RDWR, 0);
	a = (unsigned long)fmap(m, PG(4), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGBUS, ft_handler, &caught), 0);
	assert_int_equal(peek(m, a + 4096 + 200), 0);	/* the EOF page: zeroes past EOF */
	assert_int_not_equal(mmkit_read(m, a + PG(2), &c, 1), 0);
	assert_int_equal(caught.calls, 1);
	assert_int_equal(caught.info.signo, SIGBUS);
	assert_int_equal(caught.info.addr, a + PG(2));
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_two_processes_share_the_cached_page(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct task_struct *p1 = get_current(m), *p2;
	unsigned long a1, a2, pfn1;
	int fd;

	(void)state;
	fl_host_create(&f, "s", PG(2));
	fd = (int)sys_open(m, "s", O_RDWR, 0);
	a1 = (unsigned long)fmap(m, PG(2), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	poke(m, a1, 'Q');
	pfn1 = pte_pfn(ft_pte(m, a1));
	p2 = vt_spawn(m, false);
	fd = (int)sys_open(m, "s", O_RDONLY, 0);
	a2 = (unsigned long)fmap(m, PG(2), PROT_READ, MAP_SHARED, fd, 0);
	assert_int_equal(peek(m, a2), 'Q');
	assert_int_equal(pte_pfn(ft_pte(m, a2)), pfn1);
	assert_int_equal(page_mapcount(pfn_to_page(m, pfn1)), 2);
	mmkit_set_current(m, p1);
	(void)p2;
	fl_done(m, &f);
}

static void test_private_write_cows_and_never_reaches_the_file(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	unsigned char *host;
	unsigned long a;
	long len;
	int fd;

	(void)state;
	fl_host_create(&f, "p", PG(1));
	fd = (int)sys_open(m, "p", O_RDWR, 0);
	a = (unsigned long)fmap(m, PG(1), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	assert_int_equal((unsigned char)peek(m, a), fl_pattern(0));
	poke(m, a, 'Z');
	assert_true(PageAnon(ft_page(m, a)));
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 1);
	assert_int_equal(ft_rss(m, MM_FILEPAGES), 0);
	assert_int_equal(sys_msync(m, a, PG(1), MS_SYNC), 0);
	assert_int_equal(sys_fsync(m, fd), 0);
	host = fl_host_read(&f, "p", &len);
	assert_int_equal(host[0], fl_pattern(0));
	free(host);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 1, 0), 1);	/* the cache is untouched */
	assert_int_equal((unsigned char)peek(m, f.ubuf), fl_pattern(0));
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_shared_write_reaches_the_file_at_msync_and_reprotects(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	unsigned char *host;
	unsigned long a, dirty0;
	long len;
	int fd;

	(void)state;
	fl_host_create(&f, "w", PG(2));
	fd = (int)sys_open(m, "w", O_RDWR, 0);
	a = (unsigned long)fmap(m, PG(2), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	dirty0 = meminfo_kb(m, "Dirty:");
	peek(m, a);
	assert_false(pte_write(ft_pte(m, a)));	/* write-notify: read-only at first */
	poke(m, a, 'S');
	assert_true(pte_write(ft_pte(m, a)));
	assert_int_equal(meminfo_kb(m, "Dirty:") - dirty0, 4);
	host = fl_host_read(&f, "w", &len);
	assert_int_equal(host[0], fl_pattern(0));	/* not yet written */
	free(host);
	assert_int_equal(sys_msync(m, a, PG(2), MS_SYNC), 0);
	host = fl_host_read(&f, "w", &len);
	assert_int_equal(host[0], 'S');
	assert_int_equal(len, PG(2));
	free(host);
	assert_int_equal(meminfo_kb(m, "Dirty:"), dirty0);
	assert_false(pte_write(ft_pte(m, a)));	/* cleaned and write-protected */
	poke(m, a + 1, 'T');	/* the next store faults and dirties again */
	assert_int_equal(meminfo_kb(m, "Dirty:") - dirty0, 4);
	assert_int_equal(sys_munmap(m, a, PG(2)), 0);	/* dirty stays in the cache */
	assert_int_equal(meminfo_kb(m, "Dirty:") - dirty0, 4);
	assert_int_equal(sys_fsync(m, fd), 0);
	host = fl_host_read(&f, "w", &len);
	assert_memory_equal(host, "ST", 2);
	free(host);
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_shared_write_reaches_the_file_at_destroy(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	char dir[256];
	unsigned char *host;
	unsigned long a;
	long len;
	int fd;

	(void)state;
	fl_host_create(&f, "d", PG(1));
	fd = (int)sys_open(m, "d", O_RDWR, 0);
	a = (unsigned long)fmap(m, PG(1), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	poke(m, a + 10, 'D');
	strcpy(dir, f.dir);
	vt_done(m);
	host = fl_host_read(&f, "d", &len);
	assert_int_equal(host[10], 'D');
	free(host);
	nftw(dir, fl_rm, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_read_write_are_coherent_with_a_shared_mapping(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	unsigned long a;
	char b[8];
	int fd;

	(void)state;
	fl_host_create(&f, "c", PG(2));
	fd = (int)sys_open(m, "c", O_RDWR, 0);
	a = (unsigned long)fmap(m, PG(2), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_int_equal(sys_lseek(m, fd, 4096, SEEK_SET), 4096);
	assert_int_equal(fl_write(m, &f, fd, "written", 7), 7);
	assert_int_equal(mmkit_read(m, a + 4096, b, 7), 0);
	assert_memory_equal(b, "written", 7);
	assert_int_equal(mmkit_write(m, a + 100, "mapped", 6), 0);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 6, 100), 6);
	assert_int_equal(mmkit_read(m, f.ubuf, b, 6), 0);
	assert_memory_equal(b, "mapped", 6);
	/* read() straight into the mapping of the same file */
	assert_int_equal(sys_pread64(m, fd, a + 200, 6, 100), 6);
	assert_int_equal(mmkit_read(m, a + 200, b, 6), 0);
	assert_memory_equal(b, "mapped", 6);
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_truncate_unmaps_pages_and_cows_past_eof(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct ft_caught caught = { 0 };
	unsigned long s, p;
	char c;
	int fd;

	(void)state;
	fl_host_create(&f, "t", PG(4));
	fd = (int)sys_open(m, "t", O_RDWR, 0);
	s = (unsigned long)fmap(m, PG(4), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	p = (unsigned long)fmap(m, PG(4), PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	for (int i = 0; i < 4; i++)
		peek(m, s + PG(i));
	poke(m, p + PG(3), 'c');	/* a private COW copy past the coming EOF */
	assert_int_equal(sys_ftruncate(m, fd, 100), 0);
	assert_int_equal(fl_mapping(m, fd)->nrpages, 1);
	for (int i = 1; i < 4; i++) {
		assert_true(pte_none(ft_pte(m, s + PG(i))));
		assert_true(pte_none(ft_pte(m, p + PG(i))));
	}
	assert_false(pte_none(ft_pte(m, s)));
	assert_int_equal(peek(m, s + 200), 0);	/* the EOF page's tail was zeroed */
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGBUS, ft_handler, &caught), 0);
	assert_int_not_equal(mmkit_read(m, s + PG(1), &c, 1), 0);
	assert_int_not_equal(mmkit_read(m, p + PG(3), &c, 1), 0);
	assert_int_equal(caught.calls, 2);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 0);
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_unlink_while_mapped_keeps_data_and_maps_shows_deleted(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	char path[64], *maps, line[256];
	struct mmkit_stat st;
	unsigned long a, inodes;
	int fd;

	(void)state;
	fl_host_create(&f, "u", PG(1));
	fd = (int)sys_open(m, "/u", O_RDWR, 0);
	assert_int_equal(sys_fstat(m, fd, &st), 0);
	a = (unsigned long)fmap(m, PG(1), PROT_READ, MAP_SHARED, fd, 0);
	snprintf(path, sizeof(path), "/proc/%d/maps", get_current(m)->pid);
	maps = test_proc(m, path);
	snprintf(line, sizeof(line), "%08lx-%08lx r--s 00000000 08:01 %lu", a, a + PG(1), st.st_ino);
	assert_non_null(strstr(maps, line));
	assert_non_null(strstr(strstr(maps, line), " /u\n"));
	free(maps);
	assert_int_equal(sys_close(m, fd), 0);
	inodes = m->fs.nr_inodes;
	assert_int_equal(sys_unlink(m, "u"), 0);
	assert_int_equal((unsigned char)peek(m, a + 3), fl_pattern(3));
	maps = test_proc(m, path);
	assert_non_null(strstr(maps, "/u (deleted)\n"));
	free(maps);
	assert_int_equal(m->fs.nr_inodes, inodes);	/* the mapping holds it */
	assert_int_equal(sys_munmap(m, a, PG(1)), 0);
	assert_int_equal(m->fs.nr_inodes, inodes - 1);
	fl_done(m, &f);
}

static void test_fork_shares_file_pages_and_i_mmap(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct task_struct *parent = get_current(m), *child;
	struct address_space *mapping;
	struct vm_area_struct *vma;
	unsigned long a;
	int fd, n = 0;

	(void)state;
	fl_host_create(&f, "k", PG(2));
	fd = (int)sys_open(m, "k", O_RDWR, 0);
	mapping = fl_mapping(m, fd);
	a = (unsigned long)fmap(m, PG(2), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	poke(m, a, 'P');
	child = mmkit_fork(m, parent);
	list_for_each_entry(vma, &mapping->i_mmap, shared)
		n++;
	assert_int_equal(n, 2);
	mmkit_set_current(m, child);
	assert_int_equal(peek(m, a), 'P');
	poke(m, a + 1, 'C');
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	assert_int_equal(peek(m, a + 1), 'C');
	assert_int_equal(sys_mprotect(m, a + PG(1), PG(1), PROT_READ), 0);	/* split */
	n = 0;
	list_for_each_entry(vma, &mapping->i_mmap, shared)
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(mapping->i_mmap_writable, 2);
	sys_close(m, fd);
	fl_done(m, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmap_errno_matches_host_kernel),
		cmocka_unit_test(test_mprotect_write_on_shared_readonly_fd_is_eacces),
		cmocka_unit_test(test_read_fault_reads_around_and_fault_around_maps_16_pages),
		cmocka_unit_test(test_access_past_eof_is_sigbus),
		cmocka_unit_test(test_two_processes_share_the_cached_page),
		cmocka_unit_test(test_private_write_cows_and_never_reaches_the_file),
		cmocka_unit_test(test_shared_write_reaches_the_file_at_msync_and_reprotects),
		cmocka_unit_test(test_shared_write_reaches_the_file_at_destroy),
		cmocka_unit_test(test_read_write_are_coherent_with_a_shared_mapping),
		cmocka_unit_test(test_truncate_unmaps_pages_and_cows_past_eof),
		cmocka_unit_test(test_unlink_while_mapped_keeps_data_and_maps_shows_deleted),
		cmocka_unit_test(test_fork_shares_file_pages_and_i_mmap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
