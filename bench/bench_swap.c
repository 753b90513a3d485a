/* Benchmark: swap-out and swap-in throughput.
 *
 *   mmkit   a machine with 64 MiB of RAM and a 320 MiB swap file; a process
 *           maps 256 MiB of private anonymous memory and writes every page
 *           (4 KiB through the MMU, mmkit_write): the faults allocate, the
 *           allocator wakes kswapd and enters direct reclaim, which swaps the
 *           older pages out (add_to_swap, try_to_unmap, swap_writepage: a
 *           4 KiB pwrite to the host file). Then it reads every page back:
 *           each one a major fault (do_swap_page, swap_readpage: a 4 KiB
 *           pread), while reclaim keeps swapping others out.
 *   host    the same host calls done sequentially on a host file of the same
 *           size in the same directory, in the same run: pwrite of 4 KiB
 *           blocks (then fdatasync, timed apart), pread of 4 KiB blocks
 *           from the host's page cache (what mmkit's swap-ins hit, since its
 *           swap file was just written) and, after posix_fadvise(DONTNEED),
 *           from the disk.
 * Figures: MiB/s and pages/s; swap-out is the pages written to swap
 * (pswpout) over the write phase's time, swap-in the pages read (pswpin)
 * over the read phase's; median of 3 rounds after a warm-up. Every page is
 * checked after the read-back.
 *
 *   cmake -S . -B build/rel -G Ninja -DCMAKE_BUILD_TYPE=Release
 *   cmake --build build/rel --target bench_swap
 *   taskset -c 1 build/rel/bench/bench_swap */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <mmkit/mmkit.h>
#include <mmkit/mmu.h>
#include <mmkit/swap.h>

#include "bench.h"

#include "mm/vma.h"

#define NPAGES 65536UL		/* 256 MiB, four times the RAM */
#define SWAP_BYTES (320UL << 20)
#define ROUNDS 3
#define MIB(pages, ns) ((pages) * 4096.0 / (1 << 20) / ((ns) / 1e9))

static const char machine_text[] =
	"name bench-swap\n"
	"arch x86_64\n"
	"ram 64M\n";

struct figures {
	double out_ns, in_ns;		/* the write and read phases */
	unsigned long pswpout, pswpin;	/* pages moved in each */
};

static void fill(unsigned char *buf, unsigned long i, unsigned int round)
{
	for (size_t k = 0; k < 4096; k += 8) {
		unsigned long v = i * 0x9e3779b97f4a7c15UL + k + round;

		memcpy(buf + k, &v, 8);
	}
}

/* One mmkit round; 0 or -1. */
static int mmkit_round(struct machine *m, unsigned int round, struct figures *f)
{
	unsigned long len = NPAGES * 4096UL, out0, in0;
	long addr = sys_mmap(m, 0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     (unsigned long)-1, 0);
	unsigned char buf[4096], want[4096];
	double t0;

	if (MMKIT_IS_ERR_VALUE(addr))
		return -1;
	out0 = vm_event(m, PSWPOUT);
	t0 = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++) {
		fill(buf, i, round);
		if (mmkit_write(m, (unsigned long)addr + i * 4096, buf, 4096))
			return -1;
	}
	f->out_ns = now_ns() - t0;
	f->pswpout = vm_event(m, PSWPOUT) - out0;
	in0 = vm_event(m, PSWPIN);
	t0 = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++) {
		if (mmkit_read(m, (unsigned long)addr + i * 4096, buf, 4096))
			return -1;
		fill(want, i, round);
		if (memcmp(buf, want, 4096)) {
			fprintf(stderr, "page %lu read back wrong\n", i);
			return -1;
		}
	}
	f->in_ns = now_ns() - t0;
	f->pswpin = vm_event(m, PSWPIN) - in0;
	return sys_munmap(m, (unsigned long)addr, len) ? -1 : 0;
}

/* The host file's sequential 4 KiB pwrite/pread bandwidth, ns for NPAGES. */
struct host_figures {
	double write_ns, fsync_ns, read_ns, cold_ns;
};

static int host_round(const char *path, struct host_figures *h)
{
	unsigned char buf[4096];
	double t0;
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	t0 = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++) {
		fill(buf, i, 0);
		if (pwrite(fd, buf, 4096, (off_t)(i * 4096)) != 4096)
			goto fail;
	}
	h->write_ns = now_ns() - t0;
	t0 = now_ns();
	fdatasync(fd);
	h->fsync_ns = now_ns() - t0;
	t0 = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++)
		if (pread(fd, buf, 4096, (off_t)(i * 4096)) != 4096)
			goto fail;
	h->read_ns = now_ns() - t0;
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	t0 = now_ns();
	for (unsigned long i = 0; i < NPAGES; i++)
		if (pread(fd, buf, 4096, (off_t)(i * 4096)) != 4096)
			goto fail;
	h->cold_ns = now_ns() - t0;
	close(fd);
	unlink(path);
	return 0;
fail:
	close(fd);
	unlink(path);
	return -1;
}

static int cmp_fig(const void *a, const void *b)
{
	return cmp_double(a, b);
}

int main(void)
{
	struct machine *m = bench_boot(machine_text);
	struct task_struct *tsk;
	struct figures f[ROUNDS], warm;
	struct host_figures h[ROUNDS], hw;
	double out[ROUNDS], in[ROUNDS], hwr[ROUNDS], hfs[ROUNDS], hrd[ROUNDS], hcold[ROUNDS];
	char path[512];

	if (mmkit_mkswap(m, "/swapfile", SWAP_BYTES) || sys_swapon(m, "/swapfile", 0)) {
		fprintf(stderr, "swapon failed\n%s", mmkit_log_text(m, NULL));
		return 1;
	}
	tsk = mmkit_spawn(m, "bench", NULL);
	if (!tsk)
		return 1;
	mmkit_set_current(m, tsk);
	snprintf(path, sizeof(path), "%s/host-peer", m->fs.root);
	if (mmkit_round(m, 99, &warm) || host_round(path, &hw)) {
		fprintf(stderr, "warm-up failed\n%s", mmkit_log_text(m, NULL));
		return 1;
	}
	for (int r = 0; r < ROUNDS; r++) {
		if (mmkit_round(m, (unsigned int)r, &f[r]) || host_round(path, &h[r])) {
			fprintf(stderr, "round %d failed\n", r);
			return 1;
		}
		out[r] = MIB(f[r].pswpout, f[r].out_ns);
		in[r] = MIB(f[r].pswpin, f[r].in_ns);
		hwr[r] = MIB(NPAGES, h[r].write_ns);
		hfs[r] = MIB(NPAGES, h[r].write_ns + h[r].fsync_ns);
		hrd[r] = MIB(NPAGES, h[r].read_ns);
		hcold[r] = MIB(NPAGES, h[r].cold_ns);
	}
	qsort(out, ROUNDS, sizeof(double), cmp_fig);
	qsort(in, ROUNDS, sizeof(double), cmp_fig);
	qsort(hwr, ROUNDS, sizeof(double), cmp_fig);
	qsort(hfs, ROUNDS, sizeof(double), cmp_fig);
	qsort(hrd, ROUNDS, sizeof(double), cmp_fig);
	qsort(hcold, ROUNDS, sizeof(double), cmp_fig);
	printf("swap: %lu MiB written and read back on %s (64 MiB RAM, %lu MiB swap), "
	       "median of %d\n", NPAGES / 256, m->desc.name, SWAP_BYTES >> 20, ROUNDS);
	printf("  last round: pswpout %lu, pswpin %lu pages, kswapd runs %lu, allocstall %lu\n",
	       f[ROUNDS - 1].pswpout, f[ROUNDS - 1].pswpin, m->reclaim.kswapd_runs,
	       vm_event(m, ALLOCSTALL_NORMAL) + vm_event(m, ALLOCSTALL_DMA32) +
	       vm_event(m, ALLOCSTALL_DMA));
	printf("  mmkit swap-out   %8.1f MiB/s %9.0f pages/s\n", out[ROUNDS / 2],
	       out[ROUNDS / 2] * 256);
	printf("  mmkit swap-in    %8.1f MiB/s %9.0f pages/s\n", in[ROUNDS / 2],
	       in[ROUNDS / 2] * 256);
	printf("  host pwrite 4K   %8.1f MiB/s %9.0f pages/s  (+fdatasync: %.1f MiB/s)\n",
	       hwr[ROUNDS / 2], hwr[ROUNDS / 2] * 256, hfs[ROUNDS / 2]);
	printf("  host pread 4K    %8.1f MiB/s %9.0f pages/s  (page cache warm)\n",
	       hrd[ROUNDS / 2], hrd[ROUNDS / 2] * 256);
	printf("  host pread cold  %8.1f MiB/s %9.0f pages/s  (after POSIX_FADV_DONTNEED)\n",
	       hcold[ROUNDS / 2], hcold[ROUNDS / 2] * 256);
	printf("  ratio  swap-out/pwrite %.3f (/pwrite+fdatasync %.3f), swap-in/pread %.3f "
	       "(/cold pread %.3f)\n", out[ROUNDS / 2] / hwr[ROUNDS / 2],
	       out[ROUNDS / 2] / hfs[ROUNDS / 2], in[ROUNDS / 2] / hrd[ROUNDS / 2],
	       in[ROUNDS / 2] / hcold[ROUNDS / 2]);
	mmkit_exit(m, tsk, 0);
	mmkit_machine_destroy(m);
	return 0;
}
