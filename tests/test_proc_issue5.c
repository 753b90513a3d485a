/* /proc/meminfo and /proc/vmstat with the page cache, swap, shmem and
 * reclaim running (src/proc/meminfo.c, src/proc/vmstat.c): every line of
 * Linux 6.18 in its order, and the issue-5 lines moving with real
 * activity as meminfo_proc_show / vmstat_show compute them. */
#include "file_test.h"

#include <mmkit/swap.h>
#include <mmkit/vmstat.h>

/* The value of "NAME N" in /proc/vmstat. */
static unsigned long vmstat_value(struct machine *m, const char *name)
{
	char *text = test_proc(m, "/proc/vmstat"), key[96], *p;
	unsigned long v = ~0UL;

	snprintf(key, sizeof(key), "\n%s ", name);
	p = strstr(text, key);
	if (p)
		v = strtoul(p + strlen(key), NULL, 10);
	free(text);
	assert_true(v != ~0UL);
	return v;
}

/* The kB of the meminfo line LABEL (matched at a line's start). */
static unsigned long mi(struct machine *m, const char *label)
{
	char *text = test_proc(m, "/proc/meminfo"), key[64], *p;
	unsigned long v;

	snprintf(key, sizeof(key), "\n%s:", label);
	p = strncmp(text, key + 1, strlen(key + 1)) ? strstr(text, key) : text - 1;
	assert_non_null(p);
	v = strtoul(p + strlen(key), NULL, 10);
	free(text);
	return v;
}

/* The first word of each line of @text, joined by '\n'. */
static char *first_words(const char *text, char stop)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	for (const char *p = text; *p;) {
		while (*p && *p != stop && *p != '\n')
			*o++ = *p++;
		const char *nl;

		*o++ = '\n';
		nl = strchr(p, '\n');
		p = nl ? nl + 1 : p + strlen(p);
	}
	*o = '\0';
	return out;
}

static void assert_same_lines(struct machine *m, const char *view, const char *ref, char stop)
{
	char path[512], *ours = test_proc(m, view), *theirs, *a, *b;

	snprintf(path, sizeof(path), "%s/proc/%s", MMKIT_REFERENCE_DIR, ref);
	theirs = test_read_file(path);
	assert_non_null(theirs);
	a = first_words(ours, stop);
	b = first_words(theirs, stop);
	assert_string_equal(a, b);
	free(a);
	free(b);
	free(ours);
	free(theirs);
}

/* x86_64 (NUMA, DMA32, no HIGHMEM) is the reference guest's config. */
static void test_vmstat_has_linux_lines_in_order(void **state)
{
	struct machine *m = test_boot_example("pc-x86_64-16g");

	(void)state;
	assert_same_lines(m, "/proc/vmstat", "vmstat", ' ');
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_meminfo_has_linux_lines_in_order(void **state)
{
	struct machine *m = test_boot_example("pc-x86_64-16g");

	(void)state;
	assert_same_lines(m, "/proc/meminfo", "meminfo", ':');
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* read(2) fills the page cache: Cached = nr_file_pages (no swap cache,
 * no buffers) and grows by the pages read. */
static void test_file_read_raises_cached(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	unsigned long cached = mi(m, "Cached"), files = vmstat_value(m, "nr_file_pages");
	char buf[4096];
	long fd;

	(void)state;
	fl_host_create(&f, "data", PG(32));
	fd = sys_open(m, "/data", O_RDONLY, 0);
	assert_true(fd >= 0);
	for (int i = 0; i < 32; i++)
		assert_int_equal(fl_read(m, &f, (int)fd, buf, sizeof(buf)), 4096);
	assert_true(vmstat_value(m, "nr_file_pages") >= files + 32);
	assert_int_equal(mi(m, "Cached") - cached,
			 (vmstat_value(m, "nr_file_pages") - files) * 4);
	assert_int_equal(mi(m, "Active(file)") + mi(m, "Inactive(file)"),
			 vmstat_value(m, "nr_file_pages") * 4);
	assert_true(vmstat_value(m, "pgpgin") >= 32 * 4);	/* KiB read from the disk */
	assert_int_equal(sys_close(m, (unsigned int)fd), 0);
	fl_done(m, &f);
}

/* write(2) dirties cache pages (Dirty, nr_dirty, nr_dirtied); fsync
 * writes them (nr_written, pgpgout) and Dirty is back to 0. */
static void test_dirtying_raises_dirty(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	static char data[PG(4)];
	unsigned long dirtied = vmstat_value(m, "nr_dirtied");
	long fd;

	(void)state;
	memset(data, 'x', sizeof(data));
	fd = sys_open(m, "/out", O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(fl_write(m, &f, (int)fd, data, sizeof(data)), (long)sizeof(data));
	assert_int_equal(mi(m, "Dirty"), 16);
	assert_int_equal(vmstat_value(m, "nr_dirty"), 4);
	assert_int_equal(vmstat_value(m, "nr_dirtied") - dirtied, 4);
	assert_true(vmstat_value(m, "nr_zone_write_pending") >= 4);
	assert_int_equal(sys_fsync(m, (unsigned int)fd), 0);
	assert_int_equal(mi(m, "Dirty"), 0);
	assert_int_equal(mi(m, "Writeback"), 0);
	assert_true(vmstat_value(m, "nr_written") >= 4);
	assert_int_equal(sys_close(m, (unsigned int)fd), 0);
	fl_done(m, &f);
}

/* Swap-out lowers SwapFree by the pages written (pswpout) and raises
 * pgsteal/pgscan; swap-in is a major fault counted by pswpin, and a page
 * read back stays in the swap cache (SwapCached = nr_swapcached) while
 * its slot is kept. CommitLimit grows by the swap area. */
static void test_swap_moves_swap_lines(void **state)
{
	struct machine *m = test_boot_text("name small\narch i386\nhighmem no\n"
					   "e820 0x0 0x9fc00 usable\n"
					   "e820 0x100000 0xf00000 usable\n");
	unsigned long limit = mi(m, "CommitLimit"), out, free_kb, maj;
	long a;

	(void)state;
	assert_int_equal(mmkit_mkswap(m, "/swapfile", 32UL << 20), 0);
	assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	assert_int_equal(mi(m, "SwapTotal"), 32 * 1024 - 4);
	assert_int_equal(mi(m, "SwapFree"), 32 * 1024 - 4);
	assert_int_equal(mi(m, "CommitLimit"), limit + 32 * 1024 - 4);
	vt_spawn(m, false);
	a = vt_map(m, 0, 24UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_false(MMKIT_IS_ERR_VALUE(a));
	for (unsigned long off = 0; off < (24UL << 20); off += 4096)
		poke(m, (unsigned long)a + off, (char)(off >> 12));
	out = vmstat_value(m, "pswpout");
	free_kb = mi(m, "SwapFree");
	assert_true(out > 0);
	assert_true(vmstat_value(m, "pgsteal_kswapd") + vmstat_value(m, "pgsteal_direct") >= out);
	assert_true(vmstat_value(m, "pgscan_kswapd") + vmstat_value(m, "pgscan_direct") >= out);
	assert_true(free_kb <= 32 * 1024 - 4 - 4 * (out - 3 * 1024));	/* slots in use */
	assert_true(free_kb < 32 * 1024 - 4);
	maj = vmstat_value(m, "pgmajfault");
	assert_int_equal(peek(m, (unsigned long)a), 0);	/* the first page went out first */
	assert_true(vmstat_value(m, "pgmajfault") > maj);
	assert_true(vmstat_value(m, "pswpin") > 0);
	assert_int_equal(mi(m, "SwapCached"), vmstat_value(m, "nr_swapcached") * 4);
	assert_int_equal(mi(m, "Cached"),
			 (vmstat_value(m, "nr_file_pages") - vmstat_value(m, "nr_swapcached")) * 4);
	assert_true(mi(m, "SwapCached") > 0);
	vt_done(m);
}

/* MAP_SHARED|MAP_ANONYMOUS pages are shmem: Shmem, nr_shmem and Cached
 * (shmem is in the page cache) grow by the pages touched. */
static void test_shmem_raises_shmem(void **state)
{
	struct machine *m = vt_boot();
	unsigned long shmem = mi(m, "Shmem"), cached = mi(m, "Cached");
	long a;

	(void)state;
	a = vt_map(m, 0, PG(8), PROT_READ | PROT_WRITE, MAP_SHARED);
	assert_false(MMKIT_IS_ERR_VALUE(a));
	for (int i = 0; i < 8; i++)
		poke(m, (unsigned long)a + PG(i), 1);
	assert_int_equal(mi(m, "Shmem") - shmem, 32);
	assert_int_equal(vmstat_value(m, "nr_shmem") * 4, mi(m, "Shmem"));
	assert_int_equal(mi(m, "Cached") - cached, 32);
	assert_int_equal(sys_munmap(m, (unsigned long)a, PG(8)), 0);
	assert_int_equal(mi(m, "Shmem"), shmem);
	vt_done(m);
}

/* Committed_AS is the commit charge: a private writable mapping charges
 * its pages at mmap, munmap gives them back. */
static void test_committed_as_follows_the_charge(void **state)
{
	struct machine *m = vt_boot();
	unsigned long before = mi(m, "Committed_AS");
	long a;

	(void)state;
	assert_int_equal(before, (unsigned long)m->vm.vm_committed_as * 4);
	a = vt_map(m, 0, 1UL << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_false(MMKIT_IS_ERR_VALUE(a));
	assert_int_equal(mi(m, "Committed_AS") - before, 1024);
	assert_int_equal(sys_munmap(m, (unsigned long)a, 1UL << 20), 0);
	assert_int_equal(mi(m, "Committed_AS"), before);
	/* CommitLimit: overcommit_ratio (50) percent of RAM, no swap */
	assert_int_equal(mi(m, "CommitLimit"), m->totalram_pages * 50 / 100 * 4);
	vt_done(m);
}

/* Mlocked and Unevictable follow mlock; AnonPages the anonymous rss. */
static void test_mlock_moves_unevictable(void **state)
{
	struct machine *m = vt_boot();
	unsigned long unev = mi(m, "Unevictable"), mlocked = mi(m, "Mlocked");
	unsigned long anon = mi(m, "AnonPages");
	long a;

	(void)state;
	a = vt_map(m, 0, PG(4), PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_false(MMKIT_IS_ERR_VALUE(a));
	for (int i = 0; i < 4; i++)
		poke(m, (unsigned long)a + PG(i), 1);
	assert_int_equal(mi(m, "AnonPages") - anon, 16);
	assert_int_equal(sys_mlock(m, (unsigned long)a, PG(4)), 0);
	assert_int_equal(mi(m, "Unevictable") - unev, 16);
	assert_int_equal(mi(m, "Mlocked") - mlocked, 16);
	assert_int_equal(sys_munlock(m, (unsigned long)a, PG(4)), 0);
	assert_int_equal(mi(m, "Unevictable"), unev);
	assert_int_equal(mi(m, "Mlocked"), mlocked);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmstat_has_linux_lines_in_order),
		cmocka_unit_test(test_meminfo_has_linux_lines_in_order),
		cmocka_unit_test(test_file_read_raises_cached),
		cmocka_unit_test(test_dirtying_raises_dirty),
		cmocka_unit_test(test_swap_moves_swap_lines),
		cmocka_unit_test(test_shmem_raises_shmem),
		cmocka_unit_test(test_committed_as_follows_the_charge),
		cmocka_unit_test(test_mlock_moves_unevictable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
