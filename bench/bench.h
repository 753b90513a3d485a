/* What every benchmark needs: a monotonic clock, a fast deterministic
 * random sequence, medians, and a booted machine with the invariant
 * checker off (benchmarks measure speed; the tests check behaviour). */
#ifndef MMKIT_BENCH_H
#define MMKIT_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mmkit/mmkit.h>

static inline double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* xorshift64: the same sequence every run. */
static unsigned long long bench_rng = 0x9e3779b97f4a7c15ULL;

static inline unsigned long long rnd(void)
{
	bench_rng ^= bench_rng << 13;
	bench_rng ^= bench_rng >> 7;
	bench_rng ^= bench_rng << 17;
	return bench_rng;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n figures (sorts them). */
static inline double median_of(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

/* Boot the machine described by text, or exit with the reason. */
static inline struct machine *bench_boot(const char *text)
{
	struct machine_desc d;
	char err[256];
	struct machine *m;

	if (mmkit_desc_parse(&d, text, "bench", err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}
	m = mmkit_machine_create(&d);
	if (!m || mmkit_boot(m)) {
		fprintf(stderr, "boot failed\n%s", m ? mmkit_log_text(m, NULL) : "");
		exit(1);
	}
	m->debug_vm = 0;
	return m;
}

#endif
