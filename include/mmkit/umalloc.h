/* malloc for simulated programs: a small user-space allocator that runs
 * "inside" the current task of the calling thread's simulated CPU, the
 * way glibc's ptmalloc runs inside a Linux process (seed 000: "malloc实质
 * 上会调用brk或者mmap系统调用, 一般来说当malloc的空间小于128K时候调用brk
 * ... 而大于128K时候则调用mmap").
 *
 * Requests whose chunk is below M_MMAP_THRESHOLD (128 KiB) come from the
 * heap, grown with brk(2); larger ones get their own anonymous mmap(2),
 * which free() unmaps. Every byte of the allocator's state -- the arena
 * header at the start of the heap, chunk headers, free lists -- lives in
 * the process's own memory and is read and written through the MMU
 * (mmkit_read/mmkit_write), so it faults pages in, shows up in
 * /proc/PID/smaps and is copied by fork like a real process's malloc
 * state. See docs/malloc.md. */
#ifndef MMKIT_UMALLOC_H
#define MMKIT_UMALLOC_H

#include <mmkit/types.h>

struct machine;

#define UMALLOC_MMAP_THRESHOLD (128UL * 1024)	/* M_MMAP_THRESHOLD default */
#define UMALLOC_TRIM_THRESHOLD (128UL * 1024)	/* M_TRIM_THRESHOLD default */
#define UMALLOC_TOP_PAD (128UL * 1024)		/* M_TOP_PAD (DEFAULT_TOP_PAD) */

/* What the allocator of the current task has done (cf. mallinfo2 and
 * malloc_stats). */
struct umalloc_stats {
	unsigned long brk_calls;	/* brk(2) calls, brk(0) included */
	unsigned long mmap_calls;	/* mmap(2) calls (chunks >= the threshold) */
	unsigned long munmap_calls;
	unsigned long mremap_calls;	/* realloc of mmapped chunks */
	unsigned long arena_bytes;	/* heap obtained with brk (mallinfo arena) */
	unsigned long top_bytes;	/* the top chunk: releasable by trimming */
	unsigned long nr_mmapped;	/* live mmapped chunks (hblks) */
	unsigned long mmapped_bytes;	/* their bytes (hblkhd) */
	unsigned long free_bytes;	/* in free chunks other than top (fordblks - top) */
	unsigned long nr_free_chunks;	/* on the free list (ordblks - 1) */
};

/* Allocate size bytes in the current task; returns the user address or 0
 * (no current task, out of memory, or the task died on a fault). */
unsigned long umalloc(struct machine *m, size_t size);
/* Free what umalloc/ucalloc/urealloc returned (0 is ignored). Returns 0,
 * or -EINVAL for a pointer that is not a live chunk (glibc aborts with
 * "free(): invalid pointer" / "double free or corruption"). */
int ufree(struct machine *m, unsigned long addr);
/* Resize: grows or shrinks in place when it can (mremap for mmapped
 * chunks), else allocates, copies and frees. urealloc(m, 0, n) is
 * umalloc(m, n); urealloc(m, a, 0) frees a and returns 0. */
unsigned long urealloc(struct machine *m, unsigned long addr, size_t size);
/* n * size zeroed bytes, 0 on overflow. */
unsigned long ucalloc(struct machine *m, size_t n, size_t size);
/* The usable bytes of a live chunk (cf. malloc_usable_size), 0 for 0. */
size_t umalloc_usable_size(struct machine *m, unsigned long addr);
/* Fill *st from the current task's arena. Returns 0, or -ESRCH without a
 * current task (a task that never called umalloc has all zeros). */
int umalloc_stats(struct machine *m, struct umalloc_stats *st);

#endif
