/* Benchmark: a reclaim-heavy workload under each replacement policy,
 * compared with Belady's OPT on the same reference string.
 *
 *   mmkit   a process whose resident user pages are limited to FRAMES
 *           (mmkit_set_max_resident, memory.max-like) on a machine with a
 *           swap file writes one byte to each page of a reference string
 *           (mmkit_write through the MMU): every miss is a page fault that
 *           first reclaims one page by the policy (swap-out) and then maps
 *           the page (a zero page the first time, a swap-in after). Run once
 *           per kernel policy: linux, clock, lru, fifo, each on a fresh
 *           machine.
 *   peer    OPT: reclaim_simulate (src/sim/opt.c) on the same string with
 *           the same frames, the fewest faults any policy can take; the
 *           oracle's models of FIFO/LRU/CLOCK are printed beside the
 *           kernel's counts (they agree when the kernel follows the policy
 *           exactly).
 * Workloads (page numbers generated here, deterministic):
 *   loop     sweeps over an array of 1.5 x FRAMES pages (LRU's worst case)
 *   hotcold  90% of references to 64 hot pages, 10% to 2048 cold ones
 *   phases   four phases, each looping over its own 200-page working set
 *            plus 32 shared pages, with random jumps
 * Figures: faults, faults / OPT's, and the time per fault (the whole run's
 * time over its faults: reclaim + swap I/O + the fault itself).
 *
 *   cmake -S . -B build/rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   cmake --build build/rel --target bench_reclaim
 *   taskset -c 1 build/rel/bench/bench_reclaim */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <mmkit/mmkit.h>
#include <mmkit/mmu.h>
#include <mmkit/swap.h>
#include <mmkit/vmscan.h>

#include "bench.h"

#include "mm/vma.h"

#define FRAMES 256UL
#define NREFS 60000UL
#define AREA_PAGES 4096UL

static const char machine_text[] =
	"name bench-reclaim\n"
	"arch x86_64\n"
	"ram 256M\n";

static unsigned long refs[NREFS];

static void gen_loop(void)
{
	for (unsigned long i = 0; i < NREFS; i++)
		refs[i] = i % (FRAMES * 3 / 2);
}

static void gen_hotcold(void)
{
	for (unsigned long i = 0; i < NREFS; i++)
		refs[i] = rnd() % 10 ? rnd() % 64 : 64 + rnd() % 2048;
}

static void gen_phases(void)
{
	for (unsigned long i = 0; i < NREFS; i++) {
		unsigned long phase = i / (NREFS / 4), r = rnd() % 100;

		if (r < 10)
			refs[i] = 3000 + rnd() % 32;	/* shared */
		else if (r < 15)
			refs[i] = phase * 200 + rnd() % 200;	/* a jump */
		else
			refs[i] = phase * 200 + i % 200;	/* the loop */
	}
}

struct result {
	long faults, majflt;
	double ns;
};

/* Run refs under @policy with FRAMES frames on a fresh machine. */
static int kernel_run(const char *policy, struct result *res)
{
	struct machine *m = bench_boot(machine_text);
	struct task_struct *tsk;
	unsigned long f0, j0;
	long addr;
	double t0;

	if (mmkit_mkswap(m, "/swapfile", 64UL << 20) || sys_swapon(m, "/swapfile", 0))
		return -1;
	tsk = mmkit_spawn(m, "bench", NULL);
	if (!tsk)
		return -1;
	mmkit_set_current(m, tsk);
	/* what the process has resident already stays out of the count */
	if (sys_mlockall(m, MCL_CURRENT))
		return -1;
	addr = sys_mmap(m, 0, AREA_PAGES * 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, (unsigned long)-1, 0);
	if (MMKIT_IS_ERR_VALUE(addr) || mmkit_set_reclaim_policy(m, policy))
		return -1;
	mmkit_set_max_resident(m, FRAMES);
	f0 = vm_event(m, PGFAULT);
	j0 = vm_event(m, PGMAJFAULT);
	t0 = now_ns();
	for (unsigned long i = 0; i < NREFS; i++) {
		unsigned char v = (unsigned char)refs[i];

		if (mmkit_write(m, (unsigned long)addr + refs[i] * 4096, &v, 1))
			return -1;
	}
	res->ns = now_ns() - t0;
	res->faults = (long)(vm_event(m, PGFAULT) - f0);
	res->majflt = (long)(vm_event(m, PGMAJFAULT) - j0);
	mmkit_exit(m, tsk, 0);
	mmkit_machine_destroy(m);
	return 0;
}

static int workload(const char *name, void (*gen)(void))
{
	static const char *const policies[] = { "linux", "clock", "lru", "fifo" };
	long opt;

	gen();
	opt = reclaim_simulate(RECLAIM_OPT, refs, NREFS, FRAMES);
	printf(" %s\n", name);
	for (int p = 0; p < 4; p++) {
		struct result r;
		int pol = reclaim_policy_parse(policies[p]);
		long model = p ? reclaim_simulate((enum reclaim_policy)pol, refs, NREFS, FRAMES) : -1;
		char mbuf[24] = "-";

		if (kernel_run(policies[p], &r)) {
			fprintf(stderr, "%s/%s failed\n", name, policies[p]);
			return -1;
		}
		if (model >= 0)
			snprintf(mbuf, sizeof(mbuf), "%ld", model);
		printf("  %-6s %8ld faults (%6ld major)  %5.2fx OPT   oracle %8s   %6.2f us/fault\n",
		       policies[p], r.faults, r.majflt, (double)r.faults / opt, mbuf,
		       r.ns / 1e3 / (r.faults ? r.faults : 1));
	}
	printf("  %-6s %8ld faults                   1.00x OPT   (reclaim_simulate)\n", "opt", opt);
	return 0;
}

int main(void)
{
	printf("reclaim: %lu references, %lu frames, stores through the MMU\n", NREFS, FRAMES);
	if (workload("loop (384-page array swept repeatedly)", gen_loop) ||
	    workload("hotcold (90% to 64 hot pages, 10% to 2048 cold)", gen_hotcold) ||
	    workload("phases (4 x 200-page loops + 32 shared, random jumps)", gen_phases))
		return 1;
	return 0;
}
