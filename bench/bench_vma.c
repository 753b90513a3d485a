/* Benchmark: the VMA layer.
 *
 *   find_vma   lookups in an address space of 1k, 100k and 1M VMAs (one
 *              page each, one-page holes between, so none merge): uniformly
 *              random addresses (half land in a hole and return the next
 *              VMA), and fault-like runs of 16 lookups in one VMA (the
 *              mmap_cache hint answers 15 of them). Target: <= 100 ns at 1M.
 *              "VMA untouched" uses only the pointer find_vma() returns,
 *              which isolates the tree walk from the caller's read of the
 *              VMA (a cache miss of its own at 1M VMAs; find_vma itself
 *              reads only tree nodes).
 *   mmap       mmap(NULL, 4 KiB, rw, private anonymous) + munmap of it, in a
 *              process with the exec-like layout plus 64 mappings, beside
 *              the host kernel's own mmap + munmap syscalls measured in the
 *              same run: the ratio is mmkit / host (< 1: mmkit faster).
 * Figures are ns per operation, the best of 5 runs.
 *
 *   cmake -S . -B build/vma-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   cmake --build build/vma-rel --target bench_vma
 *   taskset -c 1 build/vma-rel/bench/bench_vma [N...]
 * With arguments, only the find_vma lines for N VMAs run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <mmkit/mmkit.h>

#include "bench.h"

#include "mm/maple_tree.h"
#include "mm/vma.h"

#define BASE 0x100000000UL
#ifndef NLOOKUPS		/* -DNLOOKUPS=... -DREPEAT=1: short runs under cachegrind */
#define NLOOKUPS (1UL << 22)
#endif
#ifndef REPEAT
#define REPEAT 5
#endif

static const char machine_text[] =
	"name bench-x86_64\n"
	"arch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable\n";

static struct machine *boot(void)
{
	return bench_boot(machine_text);
}

/* n one-page VMAs at BASE, BASE + 2 pages, ... Returns ns per mmap. */
static double populate(struct machine *m, unsigned long n)
{
	double t0 = now_ns();

	for (unsigned long i = 0; i < n; i++) {
		long r = sys_mmap(m, BASE + 2 * i * PAGE_SIZE, PAGE_SIZE, PROT_READ,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

		if (r < 0 && r > -4096) {
			fprintf(stderr, "mmap %lu failed: %ld\n", i, r);
			exit(1);
		}
	}
	return (now_ns() - t0) / (double)n;
}

/* ns per find_vma(); touch: the caller reads the VMA found (as callers do),
 * else only its address is used, which isolates the tree walk. */
static double bench_find_vma(struct machine *m, struct mm_struct *mm, const unsigned long *addrs,
			     bool touch)
{
	double best = 1e30;
	unsigned long sink = 0;

	for (int r = 0; r < REPEAT; r++) {
		double t0 = now_ns();

		for (unsigned long i = 0; i < NLOOKUPS; i++) {
			struct vm_area_struct *vma = find_vma(m, mm, addrs[i]);

			sink += touch ? (vma ? vma->vm_start : 0) : (unsigned long)vma;
		}
		best = min(best, (now_ns() - t0) / NLOOKUPS);
	}
	if (sink == 42)
		printf("\n");
	return best;
}

static void run_find_vma(struct machine *m, unsigned long n)
{
	struct task_struct *tsk = mmkit_spawn(m, "bench", &(struct mmkit_exec_layout){ .privileged = true });
	unsigned long *addrs = malloc(NLOOKUPS * sizeof(*addrs));
	double ns_mmap, ns_random, ns_walk, ns_runs, ns_unmap, t0;
	unsigned int height, nodes;

	mmkit_set_current(m, tsk);
	ns_mmap = populate(m, n);
	height = tsk->mm->mm_mt.ma_height;
	nodes = tsk->mm->mm_mt.ma_nodes;
	/* uniformly random addresses: half in VMAs, half in the holes */
	for (unsigned long i = 0; i < NLOOKUPS; i++)
		addrs[i] = BASE + rnd() % (2 * n * PAGE_SIZE);
	ns_random = bench_find_vma(m, tsk->mm, addrs, true);
	ns_walk = bench_find_vma(m, tsk->mm, addrs, false);
	/* fault-like: runs of 16 lookups inside one VMA, then a random other one */
	for (unsigned long i = 0; i < NLOOKUPS; i += 16) {
		unsigned long vma = BASE + 2 * (rnd() % n) * PAGE_SIZE;

		for (unsigned long j = 0; j < 16; j++)
			addrs[i + j] = vma + rnd() % PAGE_SIZE;
	}
	ns_runs = bench_find_vma(m, tsk->mm, addrs, true);
	t0 = now_ns();
	sys_munmap(m, BASE, 2 * n * PAGE_SIZE);
	ns_unmap = (now_ns() - t0) / (double)n;
	printf("find_vma %8lu VMAs: random %6.1f ns (VMA untouched %6.1f), runs of 16 %5.1f ns"
	       "  (maple tree height %u, %u nodes = %.1f MiB; mmap FIXED %.0f ns,"
	       " munmap %.0f ns per VMA)\n",
	       n, ns_random, ns_walk, ns_runs, height, nodes,
	       nodes * (double)MAPLE_NODE_SIZE / (1 << 20), ns_mmap, ns_unmap);
	free(addrs);
	mmkit_exit(m, tsk, 0);
}

static double bench_mmkit_pairs(struct machine *m, long iters)
{
	double best = 1e30;

	for (int r = 0; r < REPEAT; r++) {
		double t0 = now_ns();

		for (long i = 0; i < iters; i++) {
			long a = sys_mmap(m, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
					  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			sys_munmap(m, (unsigned long)a, PAGE_SIZE);
		}
		best = min(best, (now_ns() - t0) / (double)iters);
	}
	return best;
}

static double bench_host_pairs(long iters)
{
	double best = 1e30;

	for (int r = 0; r < REPEAT; r++) {
		double t0 = now_ns();

		for (long i = 0; i < iters; i++) {
			void *a = mmap(NULL, PAGE_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			munmap(a, PAGE_SIZE);
		}
		best = min(best, (now_ns() - t0) / (double)iters);
	}
	return best;
}

static void run_mmap_pairs(struct machine *m)
{
	struct task_struct *tsk = mmkit_spawn(m, "bench", NULL);
	long iters = 1000000;
	double mm_ns, host_ns;

	mmkit_set_current(m, tsk);
	for (int i = 0; i < 64; i++)	/* a process-like number of mappings */
		sys_mmap(m, 0, PAGE_SIZE * (1 + i % 3), i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mm_ns = bench_mmkit_pairs(m, iters);
	host_ns = bench_host_pairs(iters / 4);
	printf("mmap+munmap  mmkit %6.1f ns/pair   host kernel %7.1f ns/pair   ratio %.3f\n",
	       mm_ns, host_ns, mm_ns / host_ns);
	mmkit_exit(m, tsk, 0);
}

int main(int argc, char **argv)
{
	struct machine *m = boot();

	mmap_init(m);
	m->vm.sysctl_max_map_count = 4 << 20;
	if (argc > 1) {		/* bench_vma N...: only find_vma at these sizes (for perf stat) */
		for (int i = 1; i < argc; i++)
			run_find_vma(m, strtoul(argv[i], NULL, 0));
		mmkit_machine_destroy(m);
		return 0;
	}
	run_find_vma(m, 1000);
	run_find_vma(m, 100000);
	run_find_vma(m, 1000000);
	run_mmap_pairs(m);
	mmkit_machine_destroy(m);
	return 0;
}
