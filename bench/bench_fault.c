/* Benchmark: demand-zero page faults.
 *
 *   mmkit   a process maps 128 MiB of private anonymous memory and writes
 *           one byte to each page through the MMU (mmkit_write): every
 *           write misses the TLB, walks to an empty PTE and takes a page
 *           fault that allocates, zeroes and maps a page (do_page_fault ->
 *           handle_mm_fault -> do_anonymous_page); then munmap frees it all.
 *   host    the same on the host kernel, measured in the same run: mmap
 *           128 MiB anonymous (MADV_NOHUGEPAGE, so each 4 KiB page is one
 *           minor fault, not one per 2 MiB), write a byte per page, munmap.
 * Figures: faults per second and ns per fault, the median of 7 runs after
 * a warm-up; the ratio is mmkit / host in faults per second (target >= 2).
 *
 * Host page faults are kept out of the mmkit timing: the simulated RAM
 * (a lazily backed host mapping) is populated once before timing
 * (MADV_POPULATE_WRITE, else one write per host page); the host's own
 * faults are what its side measures.
 *
 *   cmake -S . -B build/views-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   cmake --build build/views-rel --target bench_fault
 *   taskset -c 1 build/views-rel/bench/bench_fault */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <mmkit/mmkit.h>
#include <mmkit/mmu.h>

#include "bench.h"

#include "mm/vma.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define NPAGES (32768UL)	/* 128 MiB */
#define RUNS 7

static const char machine_text[] =
	"name bench-fault\n"
	"arch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable\n";

static struct machine *boot(void)
{
	return bench_boot(machine_text);
}

/* Back every page of the simulated RAM with host memory now, without
 * changing a byte of it. */
static void prefault_ram(struct machine *m)
{
	volatile u8 *ram = m->ram;

	if (madvise(m->ram, m->ram_bytes, MADV_POPULATE_WRITE) == 0)
		return;
	for (u64 off = 0; off < m->ram_bytes; off += 4096)
		ram[off] = ram[off];
}

/* One mmkit run: ns per fault, or a negative value on failure. */
static double mmkit_run(struct machine *m)
{
	unsigned long len = NPAGES * PAGE_SIZE, before = vm_event(m, PGFAULT);
	long addr = sys_mmap(m, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     (unsigned long)-1, 0);
	const u8 one = 1;
	double t0, t1;

	if (MMKIT_IS_ERR_VALUE(addr))
		return -1;
	t0 = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++)
		if (mmkit_write(m, (unsigned long)addr + i * PAGE_SIZE, &one, 1))
			return -1;
	t1 = now_ns();
	if (vm_event(m, PGFAULT) - before != NPAGES) {
		fprintf(stderr, "expected %lu faults, counted %lu\n", NPAGES,
			vm_event(m, PGFAULT) - before);
		return -1;
	}
	if (sys_munmap(m, (unsigned long)addr, len))
		return -1;
	return (t1 - t0) / NPAGES;
}

/* One host run: ns per minor fault. */
static double host_run(void)
{
	size_t len = NPAGES * 4096;
	volatile char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	double t0, t1;

	if (p == MAP_FAILED)
		return -1;
	madvise((void *)p, len, MADV_NOHUGEPAGE);
	t0 = now_ns();
	for (size_t i = 0; i < NPAGES; i++)
		p[i * 4096] = 1;
	t1 = now_ns();
	munmap((void *)p, len);
	return (t1 - t0) / NPAGES;
}

int main(void)
{
	struct machine *m = boot();
	struct task_struct *tsk = mmkit_spawn(m, "bench", NULL);
	double mk[RUNS], host[RUNS];

	if (!tsk) {
		fprintf(stderr, "spawn failed\n");
		return 1;
	}
	mmkit_set_current(m, tsk);
	prefault_ram(m);
	if (mmkit_run(m) < 0 || host_run() < 0) {	/* warm-up */
		fprintf(stderr, "warm-up failed\n%s", mmkit_log_text(m, NULL));
		return 1;
	}
	for (int r = 0; r < RUNS; r++) {
		mk[r] = mmkit_run(m);
		host[r] = host_run();
		if (mk[r] < 0 || host[r] < 0) {
			fprintf(stderr, "run %d failed\n", r);
			return 1;
		}
	}
	qsort(mk, RUNS, sizeof(double), cmp_double);
	qsort(host, RUNS, sizeof(double), cmp_double);
	printf("demand-zero faults, %lu pages per run, median of %d runs\n", NPAGES, RUNS);
	printf("  mmkit  %10.0f faults/s  %8.1f ns/fault  (min %.1f, max %.1f)\n",
	       1e9 / mk[RUNS / 2], mk[RUNS / 2], mk[0], mk[RUNS - 1]);
	printf("  host   %10.0f faults/s  %8.1f ns/fault  (min %.1f, max %.1f)\n",
	       1e9 / host[RUNS / 2], host[RUNS / 2], host[0], host[RUNS - 1]);
	printf("  ratio  %.2fx the host's rate (target >= 2x)\n", host[RUNS / 2] / mk[RUNS / 2]);
	mmkit_exit(m, tsk, 0);
	mmkit_machine_destroy(m);
	return 0;
}
