/* Page allocator benchmark: ns per alloc+free pair for
 *   - order 0 through the per-CPU lists (alloc_page + __free_page),
 *   - order 0 through the buddy lists, bypassing the per-CPU lists
 *     (rmqueue_buddy + __free_pages_ok: split and merge under zone->lock),
 *   - order 3 (alloc_pages + __free_pages; order > 0 never uses the lists),
 * each printed beside a bare free-list pop+push (list_del + list_add on a
 * list of struct pages) measured in the same run, and the ratio.
 * Run a Release build pinned to one CPU:
 *	taskset -c 1 build/pagealloc-rel/bench/bench_page_alloc [iterations] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"

#include "mm/page_alloc.h"

#define barrier() __asm__ __volatile__("" ::: "memory")

/* The floor: one pop from the head of a free list and one push back. */
static double bench_bare(struct page *pages, int nr, long iters)
{
	struct list_head list;
	double t0;

	INIT_LIST_HEAD(&list);
	for (int i = 0; i < nr; i++)
		list_add_tail(&pages[i].lru, &list);
	t0 = now_ns();
	for (long i = 0; i < iters; i++) {
		struct page *p = list_first_entry(&list, struct page, lru);

		list_del(&p->lru);
		barrier();
		list_add(&p->lru, &list);
		barrier();
	}
	return (now_ns() - t0) / (double)iters;
}

static double bench_pcp(struct machine *m, long iters)
{
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		struct page *p = alloc_page(m, GFP_KERNEL);

		barrier();
		__free_page(m, p);
	}
	return (now_ns() - t0) / (double)iters;
}

static double bench_buddy0(struct machine *m, struct zone *zone, long iters)
{
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		struct page *p = rmqueue_buddy(m, zone, 0, GFP_KERNEL);

		barrier();
		if (put_page_testzero(p))
			__free_pages_ok(m, p, 0);
	}
	return (now_ns() - t0) / (double)iters;
}

static double bench_order3(struct machine *m, long iters)
{
	double t0 = now_ns();

	for (long i = 0; i < iters; i++) {
		struct page *p = alloc_pages(m, GFP_KERNEL, 3);

		barrier();
		__free_pages(m, p, 3);
	}
	return (now_ns() - t0) / (double)iters;
}

static void report(const char *what, double ns, double bare)
{
	printf("%-34s %7.2f ns/pair   bare pop+push %5.2f ns   ratio %5.2fx\n", what, ns, bare,
	       ns / bare);
}

int main(int argc, char **argv)
{
	long iters = argc > 1 ? atol(argv[1]) : 20000000;
	struct machine_desc d;
	struct machine *m;
	struct zone *zone;
	struct page *bare_pages = calloc(64, sizeof(*bare_pages));
	double bare, t;

	mmkit_desc_default(&d);
	m = mmkit_machine_create(&d);
	if (!m || !bare_pages || mmkit_boot(m)) {
		fprintf(stderr, "bench_page_alloc: boot failed\n");
		return 1;
	}
	m->debug_vm = 0;
	zone = &m->node.node_zones[ZONE_NORMAL];
	printf("machine: %s, %lu pages managed; %ld pairs each\n", d.name, m->totalram_pages, iters);

	/* Warm up and pre-fault: first touches of simulated RAM cost microseconds. */
	bench_bare(bare_pages, 64, iters / 10);
	bench_pcp(m, iters / 10);
	bench_buddy0(m, zone, iters / 10);
	bench_order3(m, iters / 100);

	bare = bench_bare(bare_pages, 64, iters);
	t = bench_pcp(m, iters);
	report("order-0 via per-CPU lists", t, bare);
	bare = bench_bare(bare_pages, 64, iters);
	t = bench_buddy0(m, zone, iters);
	report("order-0 via buddy lists (no pcp)", t, bare);
	bare = bench_bare(bare_pages, 64, iters);
	t = bench_order3(m, iters / 4);
	report("order-3 via buddy lists", t, bare);
	if (mmkit_check(m))
		fprintf(stderr, "bench_page_alloc: invariant check failed\n");
	mmkit_machine_destroy(m);
	free(bare_pages);
	return 0;
}
