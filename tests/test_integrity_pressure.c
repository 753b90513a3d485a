/* Data integrity at the edges of memory (issue 5): swapoff when the
 * swapped data cannot fit in RAM fails with ENOMEM and leaves the area
 * active and consistent with every byte intact; swapoff with room brings
 * everything back (pages shared by fork come back as one page, shmem
 * pages too); and without swap, a process growing beyond memory makes the
 * OOM killer take the process with the largest oom_badness, one holding
 * file, shmem and anonymous memory, while the rest of the machine keeps
 * its data and goes on. */
#include "file_test.h"

#include <mmkit/swap.h>
#include <mmkit/vmscan.h>

#include "mm/swap.h"

#define AREA_A 0x10000000UL
#define AREA_S 0x20000000UL	/* shared anonymous (shmem) */
#define AREA_F 0x28000000UL	/* a file */
#define AREA_H 0x30000000UL	/* the hog */

static unsigned long free_settled(struct machine *m)
{
	shrink_slab_caches(m);
	drain_all_pages(m);
	return nr_free_pages(m);
}

/* i386 with @mb MiB of RAM, files in a fresh directory, no swap yet; a
 * privileged process runs. *@free0: the free pages before it (the
 * "radix_tree_node" cache made already). */
static struct machine *ip_boot_free(struct ft_files *f, unsigned long mb, unsigned long *free0)
{
	struct xarray xa;
	struct mmkit_exec_layout l = { .privileged = true };
	const char *tmp = getenv("TMPDIR");
	char text[512];
	struct machine *m;

	snprintf(f->dir, sizeof(f->dir), "%s/mmkit-pressure.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(text, sizeof(text),
		 "name pressure\narch i386\nhighmem yes\n"
		 "e820 0x0 0x9fc00 usable\ne820 0x100000 %#lx usable\nfiles %s\n",
		 (mb << 20) - 0x100000, f->dir);
	m = test_boot_text(text);
	xa_init(&xa);
	xa_store(m, &xa, 1000, &xa, GFP_KERNEL);
	xa_destroy(m, &xa);
	*free0 = free_settled(m);
	mmkit_set_current(m, mmkit_spawn(m, "pressure", &l));
	return m;
}

static struct machine *ip_boot(struct ft_files *f, unsigned long mb)
{
	unsigned long free0;

	return ip_boot_free(f, mb, &free0);
}

static unsigned char pat(unsigned long base, unsigned long i)
{
	return (unsigned char)((base >> 20) + i * 7 + 1);
}

/* Write one byte at the start and end of each page of [base, base+pages). */
static void fill(struct machine *m, unsigned long base, unsigned long pages, int salt)
{
	for (unsigned long i = 0; i < pages; i++) {
		poke(m, base + PG(i), (char)(pat(base, i) + salt));
		poke(m, base + PG(i) + PAGE_SIZE - 1, (char)(pat(base, i) ^ salt));
	}
}

static void check(struct machine *m, unsigned long base, unsigned long pages, int salt)
{
	for (unsigned long i = 0; i < pages; i++) {
		assert_int_equal(peek(m, base + PG(i)), (char)(pat(base, i) + salt));
		assert_int_equal(peek(m, base + PG(i) + PAGE_SIZE - 1), (char)(pat(base, i) ^ salt));
	}
}

static struct swap_info_struct *the_area(struct machine *m)
{
	for (int t = 0; t < m->swap.nr_swapfiles; t++)
		if (m->swap.swap_info[t] && (m->swap.swap_info[t]->flags & SWP_WRITEOK))
			return m->swap.swap_info[t];
	return NULL;
}

/* Twice the RAM in anonymous and shmem memory, most of it in swap:
 * swapoff cannot bring it in and answers ENOMEM. The area is still
 * active (SWP_WRITEOK, /proc/swaps, SwapTotal), the checker finds the
 * counts consistent, and every byte reads back; after the process gives
 * back enough memory, swapoff succeeds and nothing names the area. */
static void test_swapoff_enomem_keeps_area_active_and_data_intact(void **state)
{
	struct ft_files f;
	struct machine *m = ip_boot(&f, 16);
	unsigned long anon = 2 * m->totalram_pages, shm = m->totalram_pages / 4;
	unsigned long total_kb;
	char *swaps;

	(void)state;
	assert_int_equal(mmkit_mkswap(m, "/swapfile", 64UL << 20), 0);
	assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	total_kb = meminfo_kb(m, "SwapTotal:");
	assert_int_equal(vt_map_fixed(m, AREA_A, PG(anon), RW), (long)AREA_A);
	assert_int_equal(sys_mmap(m, AREA_S, PG(shm), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
				  -1UL, 0), (long)AREA_S);
	fill(m, AREA_S, shm, 3);
	fill(m, AREA_A, anon, 0);
	assert_true(the_area(m)->inuse_pages > m->totalram_pages);

	assert_int_equal(sys_swapoff(m, "/swapfile"), -ENOMEM);
	assert_non_null(the_area(m));
	assert_int_equal(meminfo_kb(m, "SwapTotal:"), total_kb);
	swaps = test_proc(m, "/proc/swaps");
	assert_non_null(strstr(swaps, "/swapfile"));
	free(swaps);
	assert_clean(m);
	check(m, AREA_A, anon, 0);
	check(m, AREA_S, shm, 3);
	assert_clean(m);

	/* with room, swapoff succeeds and brings the rest back */
	assert_int_equal(sys_munmap(m, AREA_A + PG(m->totalram_pages / 4),
				    PG(anon - m->totalram_pages / 4)), 0);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_null(the_area(m));
	assert_int_equal(meminfo_kb(m, "SwapTotal:"), 0);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 0);
	assert_int_equal(total_swapcache_pages(m), 0);
	check(m, AREA_A, m->totalram_pages / 4, 0);
	check(m, AREA_S, shm, 3);
	assert_clean(m);
	fl_done(m, &f);
}

/* Pages a parent and its child share after fork (one swap slot, count 2)
 * and shmem pages, all swapped out: swapoff succeeds, both processes read
 * every byte, a page they still share is one frame in both, and a write
 * after swapoff breaks COW as usual (the other keeps its bytes). */
static void test_swapoff_brings_back_fork_shared_and_shmem_pages(void **state)
{
	struct ft_files f;
	struct machine *m = ip_boot(&f, 16);
	struct task_struct *parent = get_current(m), *child;
	unsigned long n = 512, shm = 256, hog = 3 * m->totalram_pages / 2;
	pid_t cpid;

	(void)state;
	assert_int_equal(mmkit_mkswap(m, "/swapfile", 64UL << 20), 0);
	assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	assert_int_equal(vt_map_fixed(m, AREA_A, PG(n), RW), (long)AREA_A);
	assert_int_equal(sys_mmap(m, AREA_S, PG(shm), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
				  -1UL, 0), (long)AREA_S);
	fill(m, AREA_A, n, 0);
	fill(m, AREA_S, shm, 5);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	cpid = child->pid;
	/* the parent's hog pushes everything out */
	assert_int_equal(vt_map_fixed(m, AREA_H, PG(hog), RW), (long)AREA_H);
	fill(m, AREA_H, hog, 9);
	assert_int_equal(sys_munmap(m, AREA_H, PG(hog)), 0);
	assert_true(ft_rss(m, MM_SWAPENTS) > n / 2);
	mmkit_set_current(m, child);
	assert_true(ft_rss(m, MM_SWAPENTS) > n / 2);
	assert_true(vm_event(m, PSWPOUT) > n + shm / 2);

	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 0);
	assert_int_equal(total_swapcache_pages(m), 0);
	check(m, AREA_A, n, 0);
	check(m, AREA_S, shm, 5);
	for (unsigned long i = 0; i < n; i++) {
		struct page *page = ft_page(m, AREA_A + PG(i));

		mmkit_set_current(m, parent);
		assert_ptr_equal(ft_page(m, AREA_A + PG(i)), page);	/* still shared */
		mmkit_set_current(m, child);
	}
	fill(m, AREA_A, n, 1);		/* the child writes: COW */
	mmkit_set_current(m, parent);
	assert_int_equal(ft_rss(m, MM_SWAPENTS), 0);
	check(m, AREA_A, n, 0);
	check(m, AREA_S, shm, 5);
	assert_clean(m);
	mmkit_exit(m, child, 0);
	assert_int_equal(mmkit_wait(m, cpid, NULL), cpid);
	fl_done(m, &f);
}

/* The value after @label in the kill line (kB). */
static unsigned long kill_field(struct machine *m, const char *label)
{
	char *log = log_plain(m), *p = strstr(log, "Out of memory: Killed process");
	unsigned long v;

	assert_non_null(p);
	p = strstr(p, label);
	assert_non_null(p);
	v = strtoul(p + strlen(label), NULL, 10);
	free(log);
	return v;
}

/* No swap. A keeper (file MAP_SHARED pages written, shmem, anonymous),
 * a big process holding file, shmem and anonymous memory, and a hog that
 * grows beyond memory: the OOM killer takes the big one (the largest
 * oom_badness), its line shows its shmem-rss, its shmem goes with it;
 * the keeper's bytes are intact (the file's too, after msync), the
 * checker is clean, a new process gets memory, and after everything
 * exits and the files go, the free pages are back. */
static void test_oom_with_file_shmem_and_anon_kills_largest(void **state)
{
	struct ft_files f;
	unsigned long free0;
	struct machine *m = ip_boot_free(&f, 32, &free0);
	struct task_struct *keeper = get_current(m), *big, *hog;
	struct mmkit_exec_layout l = { .privileged = false };
	unsigned long avail, big_shm, big_anon, shmem_kb, kt0 = m->pgtables.nr_kernel_tables;
	long totalpages, len;
	unsigned char *host;
	int kfd, bfd, big_pid;

	(void)state;
	fl_host_create(&f, "keep", PG(256));
	fl_host_create(&f, "bigfile", PG(1024));
	kfd = (int)sys_open(m, "keep", O_RDWR, 0);
	assert_int_equal(sys_mmap(m, AREA_F, PG(256), RW, MAP_SHARED | MAP_FIXED, (unsigned long)kfd,
				  0), (long)AREA_F);
	assert_int_equal(sys_mmap(m, AREA_S, PG(64), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
				  -1UL, 0), (long)AREA_S);
	assert_int_equal(vt_map_fixed(m, AREA_A, PG(64), RW), (long)AREA_A);
	fill(m, AREA_F, 256, 2);
	fill(m, AREA_S, 64, 4);
	fill(m, AREA_A, 64, 6);
	shmem_kb = meminfo_kb(m, "Shmem:");

	avail = nr_free_pages(m);
	big_shm = avail * 3 / 10;
	big_anon = avail * 3 / 10;
	big = mmkit_spawn(m, "big", &l);
	mmkit_set_current(m, big);
	big_pid = big->pid;
	bfd = (int)sys_open(m, "bigfile", O_RDONLY, 0);
	assert_int_equal(sys_mmap(m, AREA_F, PG(1024), PROT_READ, MAP_SHARED | MAP_FIXED,
				  (unsigned long)bfd, 0), (long)AREA_F);
	for (unsigned long i = 0; i < 1024; i++)
		peek(m, AREA_F + PG(i));
	assert_int_equal(sys_mmap(m, AREA_S, PG(big_shm), RW, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED,
				  -1UL, 0), (long)AREA_S);
	fill(m, AREA_S, big_shm, 1);
	assert_int_equal(vt_map_fixed(m, AREA_A, PG(big_anon), RW), (long)AREA_A);
	fill(m, AREA_A, big_anon, 1);
	totalpages = (long)m->totalram_pages;
	assert_true(oom_badness(m, big, (unsigned long)totalpages) >
		    oom_badness(m, keeper, (unsigned long)totalpages));

	hog = mmkit_spawn(m, "hog", &l);
	mmkit_set_current(m, hog);
	assert_int_equal(vt_map_fixed(m, AREA_H, PG(avail * 6 / 10), RW), (long)AREA_H);
	fill(m, AREA_H, avail * 6 / 10, 0);
	assert_ptr_equal(get_current(m), hog);
	assert_null(find_task_by_pid(m, big_pid));
	assert_int_equal(vm_event(m, OOM_KILL), 1);
	{
		char head[64];

		snprintf(head, sizeof(head), "Killed process %d (big) total-vm:", big_pid);
		assert_log_has(m, head);
	}
	assert_int_equal(kill_field(m, "shmem-rss:"), big_shm * 4);
	assert_true(kill_field(m, "anon-rss:") >= big_anon * 4);
	assert_int_equal(meminfo_kb(m, "Shmem:"), shmem_kb);	/* its shmem went with it */
	assert_clean(m);

	/* the keeper is intact and its file gets its bytes */
	mmkit_set_current(m, keeper);
	check(m, AREA_F, 256, 2);
	check(m, AREA_S, 64, 4);
	check(m, AREA_A, 64, 6);
	assert_int_equal(sys_msync(m, AREA_F, PG(256), MS_SYNC), 0);
	host = fl_host_read(&f, "keep", &len);
	assert_int_equal(len, (long)PG(256));
	for (unsigned long i = 0; i < 256; i++)
		assert_int_equal(host[PG(i)], (unsigned char)(pat(AREA_F, i) + 2));
	free(host);

	/* the machine goes on */
	mmkit_exit(m, hog, 0);
	mmkit_set_current(m, mmkit_spawn(m, "after", &l));
	assert_int_equal(vt_map_fixed(m, AREA_H, PG(avail / 2), RW), (long)AREA_H);
	fill(m, AREA_H, avail / 2, 3);
	check(m, AREA_H, avail / 2, 3);
	mmkit_exit(m, get_current(m), 0);
	mmkit_exit(m, keeper, 0);
	assert_int_equal(m->sched.nr_tasks, 0);
	mmkit_set_current(m, mmkit_spawn(m, "cleanup", &l));
	assert_int_equal(sys_unlink(m, "keep"), 0);
	assert_int_equal(sys_unlink(m, "bigfile"), 0);
	mmkit_exit(m, get_current(m), 0);
	assert_clean(m);
	assert_int_equal(free_settled(m) + (m->pgtables.nr_kernel_tables - kt0), free0);
	mmkit_set_current(m, mmkit_spawn(m, "last", &l));
	fl_done(m, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swapoff_enomem_keeps_area_active_and_data_intact),
		cmocka_unit_test(test_swapoff_brings_back_fork_shared_and_shmem_pages),
		cmocka_unit_test(test_oom_with_file_shmem_and_anon_kills_largest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
