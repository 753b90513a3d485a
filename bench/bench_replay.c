/* Benchmark: trace replay (src/sim/trace_replay.c) on a TLB-friendly
 * synthetic trace: 8-byte loads and stores walking 256 pages (one per TLB
 * set) sequentially, 16M references, written with the trace writer.
 *
 *   decode  mmkit_trace_read() alone: zstd + varint/delta decoding
 *   replay  mmkit_replay(): decode + MMU (TLB fast path) + working set
 *   host    the peer, same run: the host touching the same addresses of a
 *           host buffer in a plain loop (the decoded references replayed
 *           as real 8-byte loads/stores)
 * Figures are million references per second, the median of 5 runs; the
 * ratio is replay / host. Target (issue 6): replay >= 100M refs/s.
 *
 *   cmake -S . -B build/trace-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   cmake --build build/trace-rel --target bench_replay
 *   taskset -c 1 build/trace-rel/bench/bench_replay */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmkit/mman.h>
#include <mmkit/mmkit.h>
#include <mmkit/trace.h>

#include "bench.h"

#define BASE 0x10000000UL
#define NPAGES 256
#define NREFS (16UL << 20)
#define RUNS 5

static const char machine_text[] =
	"name bench-replay\narch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000001fffffff] usable\n";

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench_replay: %s: %s\n", what, err);
	exit(1);
}

static void write_trace(const char *path)
{
	struct mmkit_trace_call map = {
		.kind = MMKIT_TRACE_MAP, .nargs = 4,
		.args = { BASE, NPAGES * 4096UL, PROT_READ | PROT_WRITE, MAP_PRIVATE },
	};
	char err[512];
	struct mmkit_trace_writer *w =
		mmkit_trace_create(path, MMKIT_TRACE_ARCH_X86_64, 0, err, sizeof(err));

	if (!w || mmkit_trace_write_call(w, &map))
		die("create", w ? mmkit_trace_writer_error(w) : err);
	for (unsigned long i = 0; i < NREFS; i++) {
		unsigned long off = (i * 8) % (NPAGES * 4096UL);

		if (mmkit_trace_write_ref(w, (i & 3) == 3 ? MMKIT_TRACE_STORE : MMKIT_TRACE_LOAD,
					  BASE + off, 8))
			die("write", mmkit_trace_writer_error(w));
	}
	if (mmkit_trace_finish(w, err, sizeof(err)))
		die("finish", err);
}

static struct mmkit_trace_reader *open_trace(const char *path)
{
	char err[512];
	struct mmkit_trace_reader *r = mmkit_trace_open(path, err, sizeof(err));

	if (!r)
		die("open", err);
	return r;
}

/* Decode the whole trace; optionally keep the references. */
static double time_decode(const char *path, struct mmkit_trace_ref *keep)
{
	static struct mmkit_trace_ref buf[1024];
	struct mmkit_trace_reader *r = open_trace(path);
	struct mmkit_trace_call c;
	unsigned long total = 0;
	double t0 = now_ns();
	int ended;
	long n;

	while ((n = mmkit_trace_read(r, buf, 1024, &c, &ended)) > 0 || ended) {
		if (keep)
			memcpy(keep + total, buf, n * sizeof(*buf));
		total += n;
	}
	if (n < 0)
		die("decode", mmkit_trace_error(r));
	mmkit_trace_close(r);
	if (total != NREFS)
		die("decode", "wrong reference count");
	return NREFS / ((now_ns() - t0) / 1e9) / 1e6;
}

static double time_replay(const char *path, uint64_t *hits)
{
	struct machine *m = bench_boot(machine_text);
	struct mmkit_trace_reader *r = open_trace(path);
	struct mmkit_replay_opts o = { .window = 1UL << 20 };
	struct mmkit_replay_stats st;
	char err[512];
	double t0 = now_ns(), dt;

	if (mmkit_replay(m, r, &o, &st, err, sizeof(err)))
		die("replay", err);
	dt = now_ns() - t0;
	/* each page: a read fault (the zero page), then a write (COW) fault */
	if (st.refs != NREFS || st.minflt != 2 * NPAGES)
		die("replay", "unexpected reference or fault count");
	*hits = st.tlb_hits;
	mmkit_replay_free(&st);
	mmkit_trace_close(r);
	mmkit_machine_destroy(m);
	return NREFS / (dt / 1e9) / 1e6;
}

/* The peer: the same references as real loads/stores on a host buffer. */
static double time_host(const struct mmkit_trace_ref *refs, uint8_t *buf, uint64_t *sink)
{
	uint64_t sum = 0, x;
	double t0 = now_ns();

	for (unsigned long i = 0; i < NREFS; i++) {
		uint8_t *p = buf + (refs[i].addr - BASE);

		if (refs[i].kind == MMKIT_TRACE_STORE) {
			memcpy(p, &i, 8);
		} else {
			memcpy(&x, p, 8);
			sum += x;
		}
	}
	*sink += sum;
	return NREFS / ((now_ns() - t0) / 1e9) / 1e6;
}

int main(void)
{
	char path[] = "/tmp/bench_replay-XXXXXX";
	struct mmkit_trace_ref *refs = malloc(NREFS * sizeof(*refs));
	uint8_t *buf = calloc(NPAGES, 4096);
	double dec[RUNS], rep[RUNS], host[RUNS];
	uint64_t sink = 0, hits = 0;
	int fd = mkstemp(path);

	if (fd < 0 || !refs || !buf)
		die("setup", "no memory or temp file");
	close(fd);
	write_trace(path);
	time_decode(path, refs);
	for (int i = 0; i < RUNS; i++) {
		dec[i] = time_decode(path, NULL);
		rep[i] = time_replay(path, &hits);
		host[i] = time_host(refs, buf, &sink);
	}
	unlink(path);
	printf("bench_replay: %lu references over %d pages, TLB hits %.2f%% (median of %d)\n",
	       NREFS, NPAGES, 100.0 * hits / NREFS, RUNS);
	printf("  decode  %8.1f M refs/s\n", median_of(dec, RUNS));
	printf("  replay  %8.1f M refs/s   (target >= 100)\n", median_of(rep, RUNS));
	printf("  host    %8.1f M refs/s   (plain loop, same addresses)\n", median_of(host, RUNS));
	printf("  ratio   replay/host = %.3f\n", median_of(rep, RUNS) / median_of(host, RUNS));
	free(refs);
	free(buf);
	return sink == 42;	/* keep the loads */
}
