/* Benchmark: the slab allocator's fast path against user-space mallocs.
 *
 * Workloads (each a pair -- alloc then free at once -- and a batch of 32
 * allocations freed in order):
 *   cache64    kmem_cache_alloc + kmem_cache_free of 64-byte objects
 *   cache256   the same with 256-byte objects
 *   kmalloc    kmalloc + kfree of mixed sizes (8 .. 2048, kernel-like mix)
 * beside malloc + free of the same sizes with glibc, jemalloc and mimalloc,
 * all measured in this run (jemalloc and mimalloc through dlopen), single
 * threaded and with two threads (mmkit: CPUs 0 and 1). Every block gets
 * one byte written. Figures are ns per alloc+free (best of 5 runs; with
 * two threads, wall time per operation of one thread) and mmkit's ratio to
 * each peer (< 1: mmkit faster).
 *
 *   taskset -c 1 build/slab-rel/bench/bench_slab
 *   taskset -c 0,1 build/slab-rel/bench/bench_slab      (two threads) */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mmkit/mmkit.h>
#include <mmkit/slab.h>

#include "bench.h"

#define BATCH 32
#define NSIZES 4096
#define REPEAT 5

struct peer {
	const char *name;
	void *(*alloc)(size_t size);
	void (*release)(void *p);
};

enum workload { W_CACHE64, W_CACHE256, W_KMALLOC, NR_WORKLOADS };
static const char *const workload_names[NR_WORKLOADS] = { "cache64", "cache256", "kmalloc" };

static struct machine *mach;
static struct kmem_cache *cache64, *cache256;
static size_t sizes[NSIZES];
static struct peer peers[3];
static int nr_peers;
static long iters = 4000000;

struct job {
	int peer;	/* -1: mmkit */
	enum workload w;
	bool batch;
	unsigned int cpu;
	pthread_barrier_t *barrier;
	double ns;
};

static size_t workload_size(enum workload w, long i)
{
	if (w == W_CACHE64)
		return 64;
	if (w == W_CACHE256)
		return 256;
	return sizes[i & (NSIZES - 1)];
}

static inline void *mm_alloc(enum workload w, size_t size)
{
	if (w == W_CACHE64)
		return kmem_cache_alloc(mach, cache64, GFP_KERNEL);
	if (w == W_CACHE256)
		return kmem_cache_alloc(mach, cache256, GFP_KERNEL);
	return kmalloc(mach, size, GFP_KERNEL);
}

static inline void mm_free(enum workload w, void *p)
{
	if (w == W_CACHE64)
		kmem_cache_free(mach, cache64, p);
	else if (w == W_CACHE256)
		kmem_cache_free(mach, cache256, p);
	else
		kfree(mach, p);
}

static void run_mmkit(struct job *j)
{
	void *objs[BATCH];

	if (!j->batch) {
		for (long i = 0; i < iters; i++) {
			char *p = mm_alloc(j->w, workload_size(j->w, i));

			*(volatile char *)p = (char)i;
			mm_free(j->w, p);
		}
		return;
	}
	for (long i = 0; i < iters; i += BATCH) {
		for (int k = 0; k < BATCH; k++) {
			objs[k] = mm_alloc(j->w, workload_size(j->w, i + k));
			*(volatile char *)objs[k] = (char)k;
		}
		for (int k = 0; k < BATCH; k++)
			mm_free(j->w, objs[k]);
	}
}

static void run_peer(struct job *j)
{
	struct peer *pe = &peers[j->peer];
	void *objs[BATCH];

	if (!j->batch) {
		for (long i = 0; i < iters; i++) {
			char *p = pe->alloc(workload_size(j->w, i));

			*(volatile char *)p = (char)i;
			pe->release(p);
		}
		return;
	}
	for (long i = 0; i < iters; i += BATCH) {
		for (int k = 0; k < BATCH; k++) {
			objs[k] = pe->alloc(workload_size(j->w, i + k));
			*(volatile char *)objs[k] = (char)k;
		}
		for (int k = 0; k < BATCH; k++)
			pe->release(objs[k]);
	}
}

static void *thread_main(void *arg)
{
	struct job *j = arg;
	double t0;

	mmkit_set_cpu(j->cpu);
	j->ns = 1e30;
	for (int r = 0; r < REPEAT; r++) {
		if (j->barrier)
			pthread_barrier_wait(j->barrier);
		t0 = now_ns();
		if (j->peer < 0)
			run_mmkit(j);
		else
			run_peer(j);
		t0 = (now_ns() - t0) / (double)iters;
		if (t0 < j->ns)
			j->ns = t0;
	}
	return NULL;
}

/* ns per alloc+free with nthreads running the same job at once. */
static double measure(int peer, enum workload w, bool batch, int nthreads)
{
	struct job jobs[2];
	pthread_t t[2];
	pthread_barrier_t barrier;
	double worst = 0;

	if (nthreads > 1)
		pthread_barrier_init(&barrier, NULL, (unsigned int)nthreads);
	for (int i = 0; i < nthreads; i++) {
		jobs[i] = (struct job){ .peer = peer, .w = w, .batch = batch, .cpu = (unsigned int)i,
					.barrier = nthreads > 1 ? &barrier : NULL };
		pthread_create(&t[i], NULL, thread_main, &jobs[i]);
	}
	for (int i = 0; i < nthreads; i++) {
		pthread_join(t[i], NULL);
		if (jobs[i].ns > worst)
			worst = jobs[i].ns;
	}
	if (nthreads > 1)
		pthread_barrier_destroy(&barrier);
	return worst;
}

static void load_peer(const char *name, const char *lib, const char *a, const char *f)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "bench_slab: %s not loaded: %s\n", name, dlerror());
		return;
	}
	peers[nr_peers].name = name;
	*(void **)&peers[nr_peers].alloc = dlsym(h, a);
	*(void **)&peers[nr_peers].release = dlsym(h, f);
	if (peers[nr_peers].alloc && peers[nr_peers].release)
		nr_peers++;
	else
		fprintf(stderr, "bench_slab: %s: %s/%s not found\n", name, a, f);
}

/* A kernel-like size mix: mostly small, some up to 2 KiB. */
static void make_sizes(void)
{
	static const size_t common[] = { 8, 16, 24, 32, 40, 64, 96, 128, 192, 256, 512, 1024, 2048 };
	unsigned long long s = 88172645463325252ULL;

	for (int i = 0; i < NSIZES; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		sizes[i] = (s % 4) ? common[(s >> 8) % 9] : 1 + (s >> 16) % 2048;
	}
}

static int boot(int nr_cpus)
{
	struct machine_desc d;

	mmkit_desc_default(&d);
	d.nr_cpus = (unsigned int)nr_cpus;
	mach = mmkit_machine_create(&d);
	if (!mach)
		return -1;
	mach->debug_vm = 0;
	if (mmkit_boot(mach)) {
		fprintf(stderr, "bench_slab: boot failed\n%s\n", mmkit_log_text(mach, NULL));
		return -1;
	}
	cache64 = kmem_cache_create(mach, "bench64", 64, 0, 0, NULL);
	cache256 = kmem_cache_create(mach, "bench256", 256, 0, 0, NULL);
	return cache64 && cache256 ? 0 : -1;
}

int main(int argc, char **argv)
{
	cpu_set_t set;
	int nthreads;

	/* jemalloc uses initial-exec TLS: dlopen needs room in the static
	 * TLS block, which glibc grants through a tunable read at startup */
	if (!getenv("BENCH_SLAB_REEXEC")) {
		const char *old = getenv("GLIBC_TUNABLES");
		char tun[512];

		snprintf(tun, sizeof(tun), "%s%sglibc.rtld.optional_static_tls=65536",
			 old ? old : "", old ? ":" : "");
		setenv("GLIBC_TUNABLES", tun, 1);
		setenv("BENCH_SLAB_REEXEC", "1", 1);
		execv("/proc/self/exe", argv);
	}
	if (argc > 1)
		iters = atol(argv[1]);
	sched_getaffinity(0, sizeof(set), &set);
	nthreads = CPU_COUNT(&set) >= 2 ? 2 : 1;
	make_sizes();
	peers[nr_peers++] = (struct peer){ "glibc", malloc, free };
	load_peer("jemalloc", "libjemalloc.so.2", "malloc", "free");
	load_peer("mimalloc", "libmimalloc.so.2", "mi_malloc", "mi_free");
	if (boot(nthreads))
		return 1;

	printf("ns per alloc+free, best of %d x %ld; ratio = mmkit / peer (< 1: mmkit faster)\n",
	       REPEAT, iters);
	for (int nt = 1; nt <= nthreads; nt++) {
		printf("\n%d thread%s\n%-18s %8s", nt, nt > 1 ? "s (CPUs 0 and 1)" : "", "workload",
		       "mmkit");
		for (int p = 0; p < nr_peers; p++)
			printf(" %9s", peers[p].name);
		for (int p = 0; p < nr_peers; p++) {
			char h[16];

			snprintf(h, sizeof(h), "/%s", peers[p].name);
			printf(" %10s", h);
		}
		printf("\n");
		for (int w = 0; w < NR_WORKLOADS; w++) {
			for (int batch = 0; batch <= 1; batch++) {
				double mm = measure(-1, (enum workload)w, batch, nt), pv[3];
				char label[32];

				snprintf(label, sizeof(label), "%s %s", workload_names[w],
					 batch ? "batch32" : "pair");
				for (int p = 0; p < nr_peers; p++)
					pv[p] = measure(p, (enum workload)w, batch, nt);
				printf("%-18s %8.2f", label, mm);
				for (int p = 0; p < nr_peers; p++)
					printf(" %9.2f", pv[p]);
				for (int p = 0; p < nr_peers; p++)
					printf(" %10.2f", mm / pv[p]);
				printf("\n");
			}
		}
	}
	if (mmkit_check(mach))
		fprintf(stderr, "bench_slab: invariant checker found problems\n");
	mmkit_machine_destroy(mach);
	return 0;
}
