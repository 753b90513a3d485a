/* Simulated CPUs on host threads (docs/threads.md): one host thread per CPU
 * of a 4-CPU i386 machine with HIGHMEM runs the kernel allocators and user
 * processes at the same time as the others. Built with -fsanitize=thread
 * (the "tsan" preset) this is the race detector's workload; in the ASan
 * build it checks the same results. Each test checks, after joining: the
 * invariant checker is clean, every page is back (free pages and kernel
 * page tables as before), and every byte written reads back. The
 * phases: pages (per-CPU lists, zone->lock, running out), slab, vmalloc,
 * kmap, a process per CPU, forked pairs breaking COW on two CPUs, and one
 * thread group faulting while a thread remaps (mmap_lock, page_table_lock,
 * TLB shootdowns).
 *
 * Worker threads never call cmocka's assert_* (it longjmps to the main
 * thread's frame): they count failures, and the main thread asserts 0.
 * The per-operation checker (debug_vm 2) walks shared state unlocked, so
 * the concurrent phases run at debug_vm 1 and mmkit_check() runs after. */
#include <pthread.h>

#include "fault_test.h"

#include <mmkit/highmem.h>
#include <mmkit/slab.h>
#include <mmkit/vmalloc.h>

#define NCPUS 4
#define ROUNDS 800	/* per thread and test: seconds under TSan, not minutes */

/* 64 MiB low, 64 MiB high (above 896 MiB): GFP_HIGHUSER pages are highmem. */
static const char machine_text[] = "name threads\narch i386\ncpus 4\nhighmem yes\n"
				   "e820 0x0 0x9fc00 usable\n"
				   "e820 0x100000 0x3f00000 usable\n"
				   "e820 0x40000000 0x4000000 usable\n";

struct worker {
	struct machine *m;
	unsigned int cpu;
	u32 rng;
	int errors;
	struct task_struct *tsk;	/* the task this CPU runs, if any */
	void *shared;			/* per test */
};

#define CHECK(w, cond)                                                                   \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "cpu %u: %s:%d: %s\n", (w)->cpu, __FILE__, __LINE__, \
				#cond);                                                  \
			(w)->errors++;                                                   \
		}                                                                        \
	} while (0)

static u32 rnd(struct worker *w)
{
	w->rng ^= w->rng << 13;
	w->rng ^= w->rng >> 17;
	w->rng ^= w->rng << 5;
	return w->rng;
}

static pthread_barrier_t barrier;

/* Empty the per-CPU page lists and slab arrays of every CPU (all quiet)
 * and count what the kernel holds: pages not free minus page tables
 * made for the kernel (those stay, as in Linux). */
static unsigned long settled_used(struct machine *m)
{
	unsigned long managed = 0;

	shrink_slab_caches(m);
	drain_all_pages(m);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		managed += m->node.node_zones[z].managed_pages;
	return managed - nr_free_pages(m) - m->pgtables.nr_kernel_tables;
}

static struct machine *boot(void)
{
	struct machine *m = test_boot_text(machine_text);

	assert_int_equal(m->desc.nr_cpus, NCPUS);
	assert_true(m->node.node_zones[ZONE_HIGHMEM].managed_pages > 0);
	return m;
}

/* Run fn on NCPUS host threads, thread i as CPU i, with the per-operation
 * checker off; then check the invariants. Returns the failures counted. */
static int run_cpus(struct worker *w, void *(*fn)(void *))
{
	struct machine *m = w[0].m;
	pthread_t t[NCPUS];
	int errors = 0;

	m->debug_vm = 1;
	assert_int_equal(pthread_barrier_init(&barrier, NULL, NCPUS), 0);
	for (int i = 0; i < NCPUS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, fn, &w[i]), 0);
	for (int i = 0; i < NCPUS; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		errors += w[i].errors;
	}
	pthread_barrier_destroy(&barrier);
	mmkit_set_cpu(0);
	m->debug_vm = 2;
	assert_int_equal(mmkit_check(m), 0);
	return errors;
}

static void init_workers(struct worker *w, struct machine *m, void *shared)
{
	for (int i = 0; i < NCPUS; i++)
		w[i] = (struct worker){ .m = m, .cpu = (unsigned int)i, .rng = 2463534242u + 977u * (u32)i,
					.shared = shared };
}

/* ---- pages: per-CPU lists and zone->lock ---------------------------- */

#define NPAGES 24

/* Mixed orders 0-3 from ZONE_NORMAL and HIGHMEM; lowmem blocks carry a
 * pattern checked before the free. Half of what is left at the end is
 * freed by the next CPU (a page freed on another CPU than it came from). */
static void *pages_worker(void *arg)
{
	struct worker *w = arg;
	struct machine *m = w->m;
	struct page **slots = (struct page **)w->shared + w->cpu * NPAGES;
	unsigned int orders[NPAGES] = { 0 };

	mmkit_set_cpu(w->cpu);
	for (int r = 0; r < ROUNDS * 4; r++) {
		int i = (int)(rnd(w) % NPAGES);
		unsigned int order = rnd(w) % 4 ? 0 : rnd(w) % 4;
		bool high = rnd(w) % 3 == 0;

		if (slots[i]) {
			if (!PageHighMem(m, slots[i]))
				CHECK(w, *(u32 *)page_address(m, slots[i]) == (w->cpu << 16 | (u32)i));
			__free_pages(m, slots[i], orders[i]);
			slots[i] = NULL;
			continue;
		}
		slots[i] = alloc_pages(m, high ? GFP_HIGHUSER : GFP_KERNEL, order);
		CHECK(w, slots[i] != NULL);
		orders[i] = order;
		if (slots[i] && !PageHighMem(m, slots[i]))
			*(u32 *)page_address(m, slots[i]) = w->cpu << 16 | (u32)i;
	}
	pthread_barrier_wait(&barrier);
	/* free the next CPU's even slots and our own odd ones */
	for (int i = 0; i < NPAGES; i++) {
		unsigned int owner = i % 2 ? w->cpu : (w->cpu + 1) % NCPUS;
		struct page **s = (struct page **)w->shared + owner * NPAGES + i;

		if (*s)
			__free_pages(m, *s, page_alloc_order(*s));
		*s = NULL;
	}
	return NULL;
}

static void test_cpus_allocate_and_free_pages_at_once(void **state)
{
	struct machine *m = boot();
	struct page **slots = calloc(NCPUS * NPAGES, sizeof(*slots));
	struct worker w[NCPUS];
	unsigned long before = settled_used(m);

	(void)state;
	init_workers(w, m, slots);
	assert_int_equal(run_cpus(w, pages_worker), 0);
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
	free(slots);
}

/* Every CPU allocates lowmem pages until the allocator gives up: the slow
 * path drains every CPU's per-CPU list (drain_all_pages) while the other
 * CPUs allocate from and free to theirs. Then each frees what it got. */
static void *exhaust_worker(void *arg)
{
	struct worker *w = arg;
	struct machine *m = w->m;
	struct list_head got;
	struct page *page, *next;
	unsigned long n = 0;

	mmkit_set_cpu(w->cpu);
	INIT_LIST_HEAD(&got);
	pthread_barrier_wait(&barrier);
	while ((page = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, 0)) != NULL) {
		list_add(&page->lru, &got);
		n++;
	}
	pthread_barrier_wait(&barrier);	/* all CPUs ran out */
	list_for_each_entry_safe(page, next, &got, lru) {
		list_del(&page->lru);
		__free_pages(m, page, 0);
	}
	*(unsigned long *)((char *)w->shared + w->cpu * sizeof(unsigned long)) = n;
	return NULL;
}

static void test_cpus_run_out_of_pages_at_once(void **state)
{
	struct machine *m = boot();
	unsigned long got[NCPUS] = { 0 }, total = 0;
	struct worker w[NCPUS];
	unsigned long before = settled_used(m), low_free = 0;

	(void)state;
	for (int z = 0; z <= ZONE_NORMAL; z++)
		low_free += zone_page_state(&m->node.node_zones[z], NR_FREE_PAGES);
	init_workers(w, m, got);
	assert_int_equal(run_cpus(w, exhaust_worker), 0);
	for (int i = 0; i < NCPUS; i++)
		total += got[i];
	/* all lowmem but the reserves below the min watermarks went */
	assert_true(total > low_free / 2 && total <= low_free);
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* ---- slab: per-CPU arrays, shared array and node list_lock ---------- */

#define NOBJS 32

struct slab_shared {
	struct kmem_cache *cache;
	void *objs[NCPUS][NOBJS];	/* cache objects; freed by the next CPU */
};

static void *slab_worker(void *arg)
{
	struct worker *w = arg;
	struct machine *m = w->m;
	struct slab_shared *sh = w->shared;
	void *mine[NOBJS] = { 0 };
	size_t size[NOBJS] = { 0 };
	void **objs = sh->objs[w->cpu];

	mmkit_set_cpu(w->cpu);
	for (int r = 0; r < ROUNDS * 4; r++) {
		int i = (int)(rnd(w) % NOBJS);

		if (mine[i]) {
			CHECK(w, ((u8 *)mine[i])[size[i] - 1] == (u8)(w->cpu + i));
			kfree(m, mine[i]);
			mine[i] = NULL;
		} else {
			size[i] = 8 + rnd(w) % 2048;
			mine[i] = kmalloc(m, size[i], GFP_KERNEL);
			CHECK(w, mine[i] != NULL);
			if (mine[i])
				((u8 *)mine[i])[size[i] - 1] = (u8)(w->cpu + i);
		}
		i = (int)(rnd(w) % NOBJS);
		if (objs[i]) {
			CHECK(w, *(u32 *)objs[i] == w->cpu);
			kmem_cache_free(m, sh->cache, objs[i]);
			objs[i] = NULL;
		} else {
			objs[i] = kmem_cache_alloc(m, sh->cache, GFP_KERNEL);
			CHECK(w, objs[i] != NULL);
			if (objs[i])
				*(u32 *)objs[i] = w->cpu;
		}
	}
	for (int i = 0; i < NOBJS; i++)
		kfree(m, mine[i]);
	pthread_barrier_wait(&barrier);
	/* objects allocated on the previous CPU are freed on this one */
	objs = sh->objs[(w->cpu + NCPUS - 1) % NCPUS];
	for (int i = 0; i < NOBJS; i++) {
		if (objs[i])
			kmem_cache_free(m, sh->cache, objs[i]);
		objs[i] = NULL;
	}
	return NULL;
}

static void test_cpus_share_slab_caches(void **state)
{
	struct machine *m = boot();
	struct slab_shared *sh = calloc(1, sizeof(*sh));
	struct worker w[NCPUS];
	unsigned long before = settled_used(m);

	(void)state;
	sh->cache = kmem_cache_create(m, "threads_test", 96, 0, SLAB_HWCACHE_ALIGN, NULL);
	assert_non_null(sh->cache);
	init_workers(w, m, sh);
	assert_int_equal(run_cpus(w, slab_worker), 0);
	assert_int_equal(kmem_cache_destroy(m, sh->cache), 0);
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
	free(sh);
}

/* ---- vmalloc (vmap_area_lock) and kmap (kmap_lock) ------------------ */

static void *vmalloc_worker(void *arg)
{
	struct worker *w = arg;
	struct machine *m = w->m;
	u8 *areas[4] = { 0 };
	unsigned long len[4] = { 0 };

	mmkit_set_cpu(w->cpu);
	for (int r = 0; r < ROUNDS; r++) {
		int i = (int)(rnd(w) % 4);
		u8 tag = (u8)(w->cpu << 4 | (unsigned int)i);

		if (areas[i]) {
			CHECK(w, areas[i][0] == tag && areas[i][len[i] - 1] == tag);
			vfree(m, areas[i]);
			areas[i] = NULL;
			continue;
		}
		len[i] = PG(1 + rnd(w) % 6);
		areas[i] = vmalloc(m, len[i]);
		CHECK(w, areas[i] != NULL);
		if (areas[i])
			areas[i][0] = areas[i][len[i] - 1] = tag;
	}
	for (int i = 0; i < 4; i++)
		vfree(m, areas[i]);
	return NULL;
}

static void test_cpus_vmalloc_and_vfree_at_once(void **state)
{
	struct machine *m = boot();
	struct worker w[NCPUS];
	unsigned long before = settled_used(m);

	(void)state;
	init_workers(w, m, NULL);
	assert_int_equal(run_cpus(w, vmalloc_worker), 0);
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* kmap (the shared pkmap slots) and kmap_atomic (this CPU's fixmap slots)
 * of highmem pages: what was written through one mapping reads back
 * through the next. */
static void *kmap_worker(void *arg)
{
	struct worker *w = arg;
	struct machine *m = w->m;
	struct page *pages[8];

	mmkit_set_cpu(w->cpu);
	for (int i = 0; i < 8; i++) {
		pages[i] = alloc_pages(m, GFP_HIGHUSER, 0);
		CHECK(w, pages[i] && PageHighMem(m, pages[i]));
		if (!pages[i])
			return NULL;
	}
	for (int r = 0; r < ROUNDS; r++) {
		int i = r % 8;
		u32 *p = kmap(m, pages[i]);

		CHECK(w, p != NULL);
		if (!p)
			continue;
		if (r >= 8)
			CHECK(w, p[i] == (u32)(w->cpu << 16 | (r - 8)));
		p[i] = w->cpu << 16 | (u32)r;
		kunmap(m, pages[i]);
		p = kmap_atomic(m, pages[i]);
		CHECK(w, p[i] == (u32)(w->cpu << 16 | r));
		kunmap_atomic(m, p);
	}
	for (int i = 0; i < 8; i++)
		__free_pages(m, pages[i], 0);
	return NULL;
}

static void test_cpus_kmap_highmem_at_once(void **state)
{
	struct machine *m = boot();
	struct worker w[NCPUS];
	unsigned long before = settled_used(m);

	(void)state;
	init_workers(w, m, NULL);
	assert_int_equal(run_cpus(w, kmap_worker), 0);
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* ---- processes: tasklist_lock, mmap_lock, page_table_lock, TLB ------ */

/* Each CPU runs its own process: mmap, write, fork, the child reads the
 * parent's data (copy-on-write shared) and writes its own copy, exits,
 * the parent reaps it and still sees its own data, munmap. */
static void *process_worker(void *arg)
{
	struct worker *w = arg;
	struct machine *m = w->m;
	struct task_struct *tsk;

	mmkit_set_cpu(w->cpu);
	tsk = mmkit_spawn(m, "cpu", NULL);
	CHECK(w, tsk != NULL);
	if (!tsk)
		return NULL;
	mmkit_set_current(m, tsk);
	for (int r = 0; r < ROUNDS / 8; r++) {
		long addr = vt_map(m, 0, PG(4), RW, MAP_PRIVATE);
		u32 v = w->cpu << 16 | (u32)r, got = 0, c = ~v;
		struct task_struct *child;
		int status = -1;

		CHECK(w, !MMKIT_IS_ERR_VALUE(addr));
		if (MMKIT_IS_ERR_VALUE(addr))
			break;
		for (int p = 0; p < 4; p++)
			CHECK(w, mmkit_write(m, addr + PG(p), &v, sizeof(v)) == 0);
		child = mmkit_fork(m, tsk);
		CHECK(w, child != NULL);
		if (child) {
			mmkit_set_current(m, child);
			CHECK(w, mmkit_read(m, addr + PG(r % 4), &got, sizeof(got)) == 0 && got == v);
			CHECK(w, mmkit_write(m, addr + PG(r % 4), &c, sizeof(c)) == 0);
			mmkit_exit(m, child, r & 0x7f);
			mmkit_set_current(m, tsk);
			CHECK(w, mmkit_wait(m, -1, &status) > 0 && status == (r & 0x7f) << 8);
		}
		for (int p = 0; p < 4; p++)
			CHECK(w, mmkit_read(m, addr + PG(p), &got, sizeof(got)) == 0 && got == v);
		CHECK(w, sys_munmap(m, (unsigned long)addr, PG(4)) == 0);
	}
	mmkit_exit(m, tsk, 0);
	return NULL;
}

static void test_each_cpu_runs_its_own_process(void **state)
{
	struct machine *m = boot();
	struct worker w[NCPUS];
	unsigned long before = settled_used(m);

	(void)state;
	init_workers(w, m, NULL);
	assert_int_equal(run_cpus(w, process_worker), 0);
	assert_int_equal(m->sched.nr_tasks, 0);
	assert_true(list_empty(&m->vm.mm_list));
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Two processes share copy-on-write pages after a fork and break the
 * sharing on two CPUs at once (CPUs 0/1 one pair, 2/3 another): the
 * page's refcount, mapcount and anon_vma are shared across mms, each mm's
 * page tables under its own page_table_lock. Each side then reads only its
 * own data; the parent's pre-fork data is never lost. */
#define COW_PAGES 32

static void *cow_worker(void *arg)
{
	struct worker *w = arg;
	struct machine *m = w->m;
	unsigned long addr = *(unsigned long *)w->shared;

	mmkit_set_cpu(w->cpu);
	mmkit_set_current(m, w->tsk);
	pthread_barrier_wait(&barrier);
	for (int r = 0; r < 4; r++)
		for (int p = 0; p < COW_PAGES; p++) {
			u32 v = w->cpu << 16 | (u32)(r * COW_PAGES + p), got = 0;
			int at = (p * 7 + (int)w->cpu * 5) % COW_PAGES;	/* differing orders */

			if (r == 0) {
				CHECK(w, mmkit_read(m, addr + PG(at) + 64, &got, 4) == 0 &&
					 got == 0xc0c0c0c0u);
				got = 0;
			}
			CHECK(w, mmkit_write(m, addr + PG(at), &v, sizeof(v)) == 0);
			CHECK(w, mmkit_read(m, addr + PG(at), &got, sizeof(got)) == 0 && got == v);
		}
	pthread_barrier_wait(&barrier);
	mmkit_set_current(m, NULL);
	return NULL;
}

static void test_forked_processes_break_cow_on_two_cpus(void **state)
{
	struct machine *m = boot();
	unsigned long before = settled_used(m), addr[2];
	struct worker w[NCPUS];
	u8 fill[PG(COW_PAGES)];

	(void)state;
	memset(fill, 0xc0, sizeof(fill));
	init_workers(w, m, NULL);
	for (int pair = 0; pair < 2; pair++) {
		struct task_struct *parent = vt_spawn(m, false);

		addr[pair] = (unsigned long)vt_map(m, 0, PG(COW_PAGES), RW, MAP_PRIVATE);
		assert_int_equal(mmkit_write(m, addr[pair], fill, sizeof(fill)), 0);
		w[2 * pair].tsk = parent;
		w[2 * pair + 1].tsk = mmkit_fork(m, parent);
		assert_non_null(w[2 * pair + 1].tsk);
		w[2 * pair].shared = w[2 * pair + 1].shared = &addr[pair];
	}
	mmkit_set_current(m, NULL);
	assert_int_equal(run_cpus(w, cow_worker), 0);
	for (int i = 0; i < NCPUS; i += 2) {
		mmkit_exit(m, w[i + 1].tsk, 0);	/* a zombie until its parent goes */
		mmkit_exit(m, w[i].tsk, 0);
	}
	assert_int_equal(m->sched.nr_tasks, 0);
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* One process, one thread per CPU. CPUs 0-2 fault and write their own
 * word of each page of a shared area (mmap_lock read, page_table_lock)
 * and read a second area that CPU 3 keeps mprotect()ing between
 * read-only and read-write; CPU 3 also maps, writes, protects and unmaps
 * areas of its own (mmap_lock write, TLB shootdowns to CPUs 0-2). */
#define SHARED_PAGES 32
#define TOGGLE_PAGES 8

struct group {
	unsigned long shared, toggle;
};

static void faulter(struct worker *w, const struct group *g)
{
	struct machine *m = w->m;
	u32 last[SHARED_PAGES] = { 0 };

	for (int r = 1; r <= ROUNDS; r++) {
		int p = (int)(rnd(w) % SHARED_PAGES);
		unsigned long at = g->shared + PG(p) + w->cpu * sizeof(u32);
		u32 v = (u32)r, got = 0;
		u8 b = 0;

		CHECK(w, mmkit_write(m, at, &v, sizeof(v)) == 0);
		last[p] = v;
		CHECK(w, mmkit_read(m, g->toggle + PG(r % TOGGLE_PAGES), &b, 1) == 0 && b == 0x5a);
		CHECK(w, mmkit_read(m, at, &got, sizeof(got)) == 0 && got == v);
	}
	pthread_barrier_wait(&barrier);	/* every CPU stopped writing */
	for (int p = 0; p < SHARED_PAGES; p++) {
		u32 got = ~0u;

		CHECK(w, mmkit_read(m, g->shared + PG(p) + w->cpu * sizeof(u32), &got,
				    sizeof(got)) == 0 && got == last[p]);
	}
}

static void remapper(struct worker *w, const struct group *g)
{
	struct machine *m = w->m;

	for (int r = 0; r < ROUNDS; r++) {
		long addr = vt_map(m, 0, PG(2), RW, MAP_PRIVATE);
		u32 v = (u32)r, got = 0;

		CHECK(w, !MMKIT_IS_ERR_VALUE(addr));
		if (MMKIT_IS_ERR_VALUE(addr))
			break;
		CHECK(w, mmkit_write(m, addr + PG(1), &v, sizeof(v)) == 0);
		CHECK(w, sys_mprotect(m, addr, PG(2), PROT_READ) == 0);
		CHECK(w, mmkit_read(m, addr + PG(1), &got, sizeof(got)) == 0 && got == v);
		CHECK(w, sys_munmap(m, addr, PG(2)) == 0);
		CHECK(w, sys_mprotect(m, g->toggle, PG(TOGGLE_PAGES), r % 2 ? RW : PROT_READ) == 0);
	}
	pthread_barrier_wait(&barrier);
}

static void *group_worker(void *arg)
{
	struct worker *w = arg;

	mmkit_set_cpu(w->cpu);
	mmkit_set_current(w->m, w->tsk);
	pthread_barrier_wait(&barrier);	/* all four CPUs run the mm */
	if (w->cpu == NCPUS - 1)
		remapper(w, w->shared);
	else
		faulter(w, w->shared);
	return NULL;
}

static void test_thread_group_faults_while_a_thread_remaps(void **state)
{
	struct machine *m = boot();
	unsigned long before = settled_used(m), flushes;
	struct worker w[NCPUS];
	struct task_struct *leader;
	struct group g;
	u8 pattern[PG(TOGGLE_PAGES)];

	(void)state;
	leader = vt_spawn(m, false);
	g.shared = (unsigned long)vt_map(m, 0, PG(SHARED_PAGES), RW, MAP_PRIVATE);
	g.toggle = (unsigned long)vt_map(m, 0, PG(TOGGLE_PAGES), RW, MAP_PRIVATE);
	memset(pattern, 0x5a, sizeof(pattern));
	assert_int_equal(mmkit_write(m, g.toggle, pattern, sizeof(pattern)), 0);
	init_workers(w, m, &g);
	w[0].tsk = leader;
	for (int i = 1; i < NCPUS; i++) {
		w[i].tsk = mmkit_clone(m, leader, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD);
		assert_non_null(w[i].tsk);
		assert_int_equal(w[i].tsk->tgid, leader->pid);
	}
	flushes = m->mmu.nr_tlb_remote_flush;
	assert_int_equal(run_cpus(w, group_worker), 0);
	assert_true(m->mmu.nr_tlb_remote_flush > flushes + ROUNDS);
	mmkit_exit(m, leader, 0);	/* the whole group */
	assert_int_equal(m->sched.nr_tasks, 0);
	assert_int_equal(settled_used(m), before);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpus_allocate_and_free_pages_at_once),
		cmocka_unit_test(test_cpus_run_out_of_pages_at_once),
		cmocka_unit_test(test_cpus_share_slab_caches),
		cmocka_unit_test(test_cpus_vmalloc_and_vfree_at_once),
		cmocka_unit_test(test_cpus_kmap_highmem_at_once),
		cmocka_unit_test(test_each_cpu_runs_its_own_process),
		cmocka_unit_test(test_forked_processes_break_cow_on_two_cpus),
		cmocka_unit_test(test_thread_group_faults_while_a_thread_remaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
