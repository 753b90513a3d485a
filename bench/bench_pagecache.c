/* Benchmark: page-cache hits.
 *
 *   mmkit   a 64 MiB file of the simulated file system, written through
 *           sys_write so that all of it is in the page cache; then
 *           (1) find_get_page + put_page (the xarray lookup and the page
 *               reference, cf. filemap_get_folio) at sequential and random
 *               indices;
 *           (2) sys_pread64 of 4 KiB at sequential and random page-aligned
 *               offsets into a user buffer of the process (the fd lookup,
 *               generic_file_read's cache lookup, mark_page_accessed and the
 *               copy to user memory through the MMU).
 *   host    the host kernel's page-cache hit path, in the same run: pread of
 *           4 KiB from a 64 MiB host file in the same directory, read once
 *           before so it is cached, at the same offsets.
 * Figures: lookups (or preads) per second and ns each, median of 5 runs
 * of 1M operations after a warm-up; ratios are mmkit / host in operations
 * per second. The random indices are the same sequence on both sides.
 *
 *   cmake -S . -B build/rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   cmake --build build/rel --target bench_pagecache
 *   taskset -c 1 build/rel/bench/bench_pagecache */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmkit/fs.h>
#include <mmkit/mmkit.h>
#include <mmkit/mmu.h>

#include "bench.h"

#include "mm/memory.h"

#define FILE_PAGES 16384UL	/* 64 MiB */
#define OPS 1000000UL
#define RUNS 5
#define CHUNK (1UL << 20)

static const char machine_text[] =
	"name bench-pagecache\n"
	"arch x86_64\n"
	"ram 512M\n";

static unsigned long idx[OPS];	/* the page indices of one run */

static void make_indices(bool random)
{
	for (unsigned long i = 0; i < OPS; i++)
		idx[i] = random ? rnd() % FILE_PAGES : i % FILE_PAGES;
}

/* ns per find_get_page + put_page. */
static double lookup_run(struct machine *m, struct address_space *mapping)
{
	double t0 = now_ns();

	for (unsigned long i = 0; i < OPS; i++) {
		struct page *page = find_get_page(m, mapping, idx[i]);

		if (!page)
			return -1;
		put_page(m, page);
	}
	return (now_ns() - t0) / OPS;
}

/* ns per sys_pread64 of 4 KiB into the user buffer at ubuf. */
static double pread_run(struct machine *m, unsigned int fd, unsigned long ubuf)
{
	double t0 = now_ns();

	for (unsigned long i = 0; i < OPS; i++)
		if (sys_pread64(m, fd, ubuf, 4096, (long long)(idx[i] * 4096)) != 4096)
			return -1;
	return (now_ns() - t0) / OPS;
}

/* ns per host pread of 4 KiB. */
static double host_run(int fd)
{
	static char buf[4096];
	double t0 = now_ns();

	for (unsigned long i = 0; i < OPS; i++)
		if (pread(fd, buf, 4096, (off_t)(idx[i] * 4096)) != 4096)
			return -1;
	return (now_ns() - t0) / OPS;
}

/* The simulated file, written through sys_write from a user buffer. */
static long make_file(struct machine *m, unsigned long *ubuf)
{
	long fd, addr = sys_mmap(m, 0, CHUNK, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, (unsigned long)-1, 0);
	static unsigned char chunk[CHUNK];

	if (MMKIT_IS_ERR_VALUE(addr))
		return -1;
	for (size_t i = 0; i < CHUNK; i++)
		chunk[i] = (unsigned char)(i * 7);
	if (mmkit_write(m, (unsigned long)addr, chunk, CHUNK))
		return -1;
	fd = sys_open(m, "/big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (unsigned long off = 0; off < FILE_PAGES * 4096; off += CHUNK)
		if (sys_write(m, (unsigned int)fd, (unsigned long)addr, CHUNK) != (long)CHUNK)
			return -1;
	*ubuf = (unsigned long)addr;
	return fd;
}

static int host_file(const char *path)
{
	static char buf[CHUNK];
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	memset(buf, 7, sizeof(buf));
	for (unsigned long off = 0; off < FILE_PAGES * 4096; off += CHUNK)
		if (pwrite(fd, buf, CHUNK, (off_t)off) != (ssize_t)CHUNK)
			return -1;
	for (unsigned long off = 0; off < FILE_PAGES * 4096; off += CHUNK)
		if (pread(fd, buf, CHUNK, (off_t)off) != (ssize_t)CHUNK)	/* cached */
			return -1;
	return fd;
}

static void report(const char *what, double *mk, double *host)
{
	double a = median_of(mk, RUNS), b = median_of(host, RUNS);

	printf("  %-26s %11.0f /s %8.1f ns   host pread %11.0f /s %8.1f ns   ratio %.2f\n",
	       what, 1e9 / a, a, 1e9 / b, b, b / a);
}

int main(void)
{
	struct machine *m = bench_boot(machine_text);
	struct task_struct *tsk = mmkit_spawn(m, "bench", NULL);
	struct address_space *mapping;
	struct file *file;
	unsigned long ubuf = 0;
	double lk[RUNS], pr[RUNS], host[RUNS];
	char path[512];
	long fd;
	int hfd;

	if (!tsk)
		return 1;
	mmkit_set_current(m, tsk);
	fd = make_file(m, &ubuf);
	snprintf(path, sizeof(path), "%s/host-peer", m->fs.root);
	hfd = host_file(path);
	if (fd < 0 || hfd < 0 || !(file = fget(m, (unsigned int)fd))) {
		fprintf(stderr, "setup failed\n%s", mmkit_log_text(m, NULL));
		return 1;
	}
	mapping = file->f_mapping;
	fput_fd(m, file);
	printf("page-cache hits: %lu-page (64 MiB) file, all cached (nrpages %lu), %lu ops per "
	       "run, median of %d\n", FILE_PAGES, mapping->nrpages, OPS, RUNS);
	for (int random = 0; random <= 1; random++) {
		make_indices(random);
		if (lookup_run(m, mapping) < 0 || pread_run(m, (unsigned int)fd, ubuf) < 0 ||
		    host_run(hfd) < 0) {	/* warm-up */
			fprintf(stderr, "warm-up failed\n%s", mmkit_log_text(m, NULL));
			return 1;
		}
		for (int r = 0; r < RUNS; r++) {
			lk[r] = lookup_run(m, mapping);
			pr[r] = pread_run(m, (unsigned int)fd, ubuf);
			host[r] = host_run(hfd);
			if (lk[r] < 0 || pr[r] < 0 || host[r] < 0)
				return 1;
		}
		printf(" %s indices\n", random ? "random" : "sequential");
		report("find_get_page+put_page", lk, host);
		report("sys_pread64 4 KiB", pr, host);
	}
	close(hfd);
	unlink(path);
	sys_close(m, (unsigned int)fd);
	mmkit_exit(m, tsk, 0);
	mmkit_machine_destroy(m);
	return 0;
}
