/* Benchmark: the software MMU (src/arch/x86/mmu.c, tlb.c).
 *
 *   hit     mmu_translate() of user addresses whose pages are all in the
 *           TLB (256 pages, one per set), beside the host's own plain
 *           8-byte loads at the same offsets of a host buffer, measured in
 *           the same run: the ratio is mmkit / host. Target: <= 3 ns.
 *   hit+ld  the translation plus the 8-byte load from m->ram + phys: what
 *           a simulated program's load costs.
 *   walk    TLB misses: 64 pages that all index the same set, visited
 *           round robin, so every translation walks the 4-level tables
 *           (A/D already set, as in steady state) and refills the set.
 *   read    mmkit_read() of 8 bytes (current task, page-by-page loop).
 * Figures are ns per translation, the median of 7 runs.
 *
 *   cmake -S . -B build/mmu-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   cmake --build build/mmu-rel --target bench_tlb
 *   taskset -c 1 build/mmu-rel/bench/bench_tlb */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mmkit/mmkit.h>

#include "bench.h"

#include "arch/x86/mmu.h"

#define BASE 0x100000000UL
#define NHIT 256		/* pages of the hit test: one per TLB set */
#define NWALK 64		/* pages of the walk test: all in one set */
#define NADDR 4096		/* addresses per pass */
#define PASSES 2000
#define RUNS 7

static const char machine_text[] =
	"name bench-x86_64\n"
	"arch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable\n";

static double median(double *v)
{
	return median_of(v, RUNS);
}

static struct machine *boot(void)
{
	return bench_boot(machine_text);
}

/* Map va to a fresh frame with a user read-write pte, A and D set. */
static void map_page(struct machine *m, struct mm_struct *mm, unsigned long va)
{
	struct page *page = alloc_page(m, GFP_KERNEL);
	ptep_t *ptep = pte_alloc_user(m, mm, va);

	if (!page || !ptep) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	set_pte(m, ptep, __pte(page_to_phys(m, page) | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER |
			       _PAGE_ACCESSED | _PAGE_DIRTY));
}

/* ns per translation of the addresses in va[] (PASSES passes). */
static double time_translate(struct machine *m, const unsigned long *va, unsigned int access,
			     u64 *sink)
{
	phys_addr_t phys, sum = 0;
	unsigned int err;
	double t0 = now_ns();

	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < NADDR; i++) {
			if (mmu_translate(m, va[i], access, &phys, &err))
				exit(2);
			sum += phys;
		}
	*sink += sum;
	return (now_ns() - t0) / ((double)PASSES * NADDR);
}

static double time_translate_load(struct machine *m, const unsigned long *va, u64 *sink)
{
	phys_addr_t phys;
	unsigned int err;
	u64 sum = 0, x;
	double t0 = now_ns();

	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < NADDR; i++) {
			if (mmu_translate(m, va[i], X86_PF_USER, &phys, &err))
				exit(2);
			memcpy(&x, m->ram + phys, sizeof(x));
			sum += x;
		}
	*sink += sum;
	return (now_ns() - t0) / ((double)PASSES * NADDR);
}

/* The host's peer: plain loads at the same offsets of a host buffer. */
static double time_host_loads(const u8 *buf, const unsigned long *off, u64 *sink)
{
	u64 sum = 0, x;
	double t0 = now_ns();

	for (int p = 0; p < PASSES; p++)
		for (int i = 0; i < NADDR; i++) {
			memcpy(&x, buf + off[i], sizeof(x));
			sum += x;
		}
	*sink += sum;
	return (now_ns() - t0) / ((double)PASSES * NADDR);
}

static double time_mmkit_read(struct machine *m, const unsigned long *va, u64 *sink)
{
	u64 sum = 0, x;
	double t0 = now_ns();

	for (int p = 0; p < PASSES / 4; p++)
		for (int i = 0; i < NADDR; i++) {
			if (mmkit_read(m, va[i], &x, sizeof(x)))
				exit(3);
			sum += x;
		}
	*sink += sum;
	return (now_ns() - t0) / ((double)(PASSES / 4) * NADDR);
}

int main(void)
{
	static unsigned long hit_va[NADDR], hit_off[NADDR], walk_va[NADDR];
	double hit[RUNS], host[RUNS], hitld[RUNS], walk[RUNS], rd[RUNS];
	struct machine *m = boot();
	struct task_struct *tsk = mmkit_spawn(m, "bench", NULL);
	struct mmu_cpu *c = &m->mmu.cpu[0];
	unsigned long walks0, hits0, n0;
	u8 *buf = calloc(NHIT, PAGE_SIZE);
	u64 sink = 0;

	if (!tsk || !buf)
		return 1;
	mmkit_set_current(m, tsk);
	if (sys_mmap(m, BASE, (unsigned long)NWALK * TLB_SETS * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (unsigned long)-1, 0) != (long)BASE)
		return 1;
	for (int i = 0; i < NHIT; i++)
		map_page(m, tsk->mm, BASE + i * PAGE_SIZE);
	for (int i = 1; i < NWALK; i++)	/* page 0 is mapped above */
		map_page(m, tsk->mm, BASE + (unsigned long)i * TLB_SETS * PAGE_SIZE);
	for (int i = 0; i < NADDR; i++) {
		hit_off[i] = (rnd() % NHIT) * PAGE_SIZE + (rnd() % (PAGE_SIZE / 8)) * 8;
		hit_va[i] = BASE + hit_off[i];
		walk_va[i] = BASE + (unsigned long)(i % NWALK) * TLB_SETS * PAGE_SIZE + 8;
	}
	memset(buf, 1, (size_t)NHIT * PAGE_SIZE);	/* fault the host buffer in */
	time_translate_load(m, hit_va, &sink);		/* warm up: fault RAM in, fill the TLB */

	for (int r = 0; r < RUNS; r++) {
		host[r] = time_host_loads(buf, hit_off, &sink);
		hits0 = c->nr_tlb_hits;
		n0 = mmu_nr_translations(c);
		hit[r] = time_translate(m, hit_va, X86_PF_USER, &sink);
		/* the walk test evicts set 0: one refill per run is expected */
		if (mmu_nr_translations(c) - n0 - (c->nr_tlb_hits - hits0) > TLB_WAYS)
			fprintf(stderr, "warning: misses in the hit test\n");
		hitld[r] = time_translate_load(m, hit_va, &sink);
		walks0 = c->nr_walks;
		walk[r] = time_translate(m, walk_va, X86_PF_USER, &sink);
		if (c->nr_walks - walks0 + TLB_WAYS < (unsigned long)PASSES * NADDR)
			fprintf(stderr, "warning: hits in the walk test\n");
		rd[r] = time_mmkit_read(m, hit_va, &sink);
	}
	printf("TLB: %d sets x %d ways; x86_64 4-level tables; median of %d runs\n", TLB_SETS,
	       TLB_WAYS, RUNS);
	printf("  TLB hit translation   %6.2f ns   host plain load %6.2f ns   ratio %.2f\n",
	       median(hit), median(host), median(hit) / median(host));
	printf("  hit + 8-byte load     %6.2f ns\n", median(hitld));
	printf("  TLB miss (4-level walk + fill) %6.2f ns\n", median(walk));
	printf("  mmkit_read 8 bytes    %6.2f ns\n", median(rd));
	printf("(checksum %llx)\n", (unsigned long long)sink);
	free(buf);
	return 0;
}
