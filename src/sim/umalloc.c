/* malloc inside a simulated process: a boundary-tag allocator in the
 * style of glibc's ptmalloc main arena (cf. glibc malloc/malloc.c
 * _int_malloc, _int_free, sysmalloc, systrim, munmap_chunk, mremap_chunk),
 * running on the current task and keeping ALL of its state in the task's
 * memory, reached through the MMU (mmkit_read/mmkit_write).
 *
 * Layout (SZ = the simulated word: 4 on i386, 8 on x86_64):
 *
 *   start_brk                                                    brk
 *   | arena header (12 words) | chunk | chunk | ... | top chunk |
 *
 *   chunk p:  [prev_size][size|flags][user data ...............]
 *             p          p+SZ        p+2SZ = the address malloc returns
 *   flags: PREV_INUSE (1) the chunk below is in use; IS_MMAPPED (2).
 *   A free chunk has fd/bk (free-list links) at p+2SZ/p+3SZ and its size
 *   again in the next chunk's prev_size (the boundary tag); an in-use
 *   chunk's user data may run into the next chunk's prev_size field.
 *   Chunk sizes are multiples of 2*SZ, at least MINSIZE = 4*SZ.
 *
 * The arena header holds a magic, the top chunk, the head of the one free
 * list (glibc's bin trick: the header itself is the list head's fake
 * chunk, so its fd/bk land on words 2 and 3), the heap end and counters.
 *
 * Policy, glibc's defaults with a fixed threshold (as after mallopt
 * M_MMAP_THRESHOLD, which turns glibc's dynamic threshold off):
 *  - chunks >= 128 KiB (M_MMAP_THRESHOLD) are mmapped alone, freed with
 *    munmap, resized with mremap;
 *  - smaller ones: first fit on the free list, else split from top, else
 *    the heap grows with brk by the shortfall + 128 KiB (M_TOP_PAD),
 *    page-rounded -- so the first 1 KiB malloc makes a 132 KiB [heap];
 *    if brk refuses, the chunk is mmapped instead;
 *  - free coalesces with free neighbours and top; when top reaches 128 KiB
 *    (M_TRIM_THRESHOLD), brk gives back all but M_TOP_PAD of it.
 *
 * Invariants: no two free chunks are adjacent; a chunk is in use iff the
 * next chunk's PREV_INUSE bit is set; the top chunk is never on the free
 * list and ends at the heap end (arena A_END == mm->brk while nobody else
 * moves the break). */
#include <errno.h>
#include <string.h>

#include <mmkit/mmu.h>
#include <mmkit/umalloc.h>

#include "mm/vma.h"

#define UMALLOC_MAGIC 0x6d6b6d61UL	/* "amkm" */

#define PREV_INUSE 0x1UL
#define IS_MMAPPED 0x2UL
#define SIZE_BITS 0x7UL

/* arena header words */
enum {
	A_MAGIC, A_TOP, A_FD, A_BK, A_END,
	A_BRK_CALLS, A_MMAP_CALLS, A_MUNMAP_CALLS, A_MREMAP_CALLS,
	A_NR_MMAPPED, A_MMAPPED_BYTES, A_SPARE,
	A_WORDS
};

/* One allocator call: the task's word size, its arena, the first error. */
struct uctx {
	struct machine *m;
	unsigned long sz;	/* SIZE_SZ */
	unsigned long base;	/* the arena header (start_brk); 0: none */
	int err;
};

static unsigned long minsize(const struct uctx *c) { return 4 * c->sz; }
static unsigned long malign_mask(const struct uctx *c) { return 2 * c->sz - 1; }
static unsigned long chunk2mem(const struct uctx *c, unsigned long p) { return p + 2 * c->sz; }
static unsigned long mem2chunk(const struct uctx *c, unsigned long mem) { return mem - 2 * c->sz; }

/* Read/write one word of user memory; the first failure sticks in c->err
 * (the task took SIGSEGV) and later accesses do nothing. */
static unsigned long uget(struct uctx *c, unsigned long addr)
{
	u64 v = 0;

	if (!c->err && mmkit_read(c->m, addr, &v, c->sz))
		c->err = -EFAULT;
	return c->err ? 0 : (unsigned long)v;
}

static void uput(struct uctx *c, unsigned long addr, unsigned long val)
{
	u64 v = val;

	if (!c->err && mmkit_write(c->m, addr, &v, c->sz))
		c->err = -EFAULT;
}

/* read, write, add to a word of the arena header */
static unsigned long aget(struct uctx *c, int w)
{
	return uget(c, c->base + (unsigned long)w * c->sz);
}

static void aput(struct uctx *c, int w, unsigned long v)
{
	uput(c, c->base + (unsigned long)w * c->sz, v);
}

static void ainc(struct uctx *c, int w, long d)
{
	aput(c, w, aget(c, w) + (unsigned long)d);
}

/* chunk fields */
static unsigned long head(struct uctx *c, unsigned long p) { return uget(c, p + c->sz); }
static void set_head(struct uctx *c, unsigned long p, unsigned long v) { uput(c, p + c->sz, v); }
static unsigned long chunksize(struct uctx *c, unsigned long p)
{
	return head(c, p) & ~SIZE_BITS;
}
static unsigned long prev_size(struct uctx *c, unsigned long p) { return uget(c, p); }
static void set_foot(struct uctx *c, unsigned long p, unsigned long size) { uput(c, p + size, size); }
static unsigned long fd(struct uctx *c, unsigned long p) { return uget(c, p + 2 * c->sz); }
static unsigned long bk(struct uctx *c, unsigned long p) { return uget(c, p + 3 * c->sz); }
static void set_fd(struct uctx *c, unsigned long p, unsigned long v) { uput(c, p + 2 * c->sz, v); }
static void set_bk(struct uctx *c, unsigned long p, unsigned long v) { uput(c, p + 3 * c->sz, v); }

/* The first chunk: right after the header. */
static unsigned long first_chunk(const struct uctx *c) { return c->base + A_WORDS * c->sz; }

/* The chunk size a request needs (cf. request2size); 0 if it cannot fit
 * the simulated address space. */
static unsigned long request2size(const struct uctx *c, size_t req)
{
	unsigned long limit = c->sz == 8 ? ~0UL >> 1 : 0x7fffffffUL;

	if (req > limit - 2 * minsize(c))
		return 0;
	if (req + c->sz + malign_mask(c) < minsize(c))
		return minsize(c);
	return (req + c->sz + malign_mask(c)) & ~malign_mask(c);
}

/* Set up the call: the current task's word size and arena (if any). */
static int uctx_init(struct uctx *c, struct machine *m)
{
	struct mm_struct *mm = current_mm(m);

	*c = (struct uctx){ .m = m, .sz = arch_is_64bit(m) ? 8 : 4 };
	if (!mm)
		return -ESRCH;
	if (mm->brk > mm->start_brk) {
		c->base = mm->start_brk;
		if (aget(c, A_MAGIC) != UMALLOC_MAGIC)
			c->base = 0;	/* a heap umalloc did not make */
	}
	return c->err;
}

/* ---- the free list (one bin; the header is its head chunk) ---- */

static void bin_insert(struct uctx *c, unsigned long p)
{
	unsigned long h = c->base, first = fd(c, h);

	set_fd(c, p, first);
	set_bk(c, p, h);
	set_bk(c, first, p);
	set_fd(c, h, p);
}

static void bin_unlink(struct uctx *c, unsigned long p)
{
	unsigned long f = fd(c, p), b = bk(c, p);

	if (bk(c, f) != p || fd(c, b) != p) {	/* "corrupted double-linked list" */
		c->err = c->err ? c->err : -EINVAL;
		return;
	}
	set_bk(c, f, b);
	set_fd(c, b, f);
}

/* ---- growing and shrinking the heap ---- */

static long do_brk(struct uctx *c, unsigned long addr)
{
	if (c->base)
		ainc(c, A_BRK_CALLS, 1);
	return sys_brk(c->m, addr);
}

/* The first heap: brk(0), then brk(end) for header + nb + pad (cf. the
 * first sysmalloc of the main arena). */
static int arena_create(struct uctx *c, unsigned long nb)
{
	long start = sys_brk(c->m, 0), end;
	unsigned long top, want;

	if (MMKIT_IS_ERR_VALUE(start))
		return (int)start;
	want = PAGE_ALIGN(A_WORDS * c->sz + nb + UMALLOC_TOP_PAD + minsize(c));
	end = sys_brk(c->m, (unsigned long)start + want);
	if ((unsigned long)end != (unsigned long)start + want)
		return -ENOMEM;
	c->base = (unsigned long)start;
	top = first_chunk(c);
	aput(c, A_MAGIC, UMALLOC_MAGIC);
	aput(c, A_TOP, top);
	aput(c, A_FD, c->base);
	aput(c, A_BK, c->base);
	aput(c, A_END, (unsigned long)end);
	aput(c, A_BRK_CALLS, 2);
	set_head(c, top, ((unsigned long)end - top) | PREV_INUSE);
	return c->err;
}

/* Grow top so that it holds nb + MINSIZE (cf. sysmalloc's contiguous
 * MORECORE path). Returns 0, or -ENOMEM when brk refuses. */
static int sysmalloc_brk(struct uctx *c, unsigned long nb)
{
	unsigned long top = aget(c, A_TOP), end = aget(c, A_END);
	unsigned long tsize = chunksize(c, top);
	unsigned long incr = PAGE_ALIGN(nb + UMALLOC_TOP_PAD + minsize(c) - tsize);

	if ((unsigned long)do_brk(c, end + incr) != end + incr)
		return -ENOMEM;
	aput(c, A_END, end + incr);
	set_head(c, top, (tsize + incr) | PREV_INUSE);
	return c->err;
}

/* Give back all but M_TOP_PAD of a large top (cf. systrim). */
static void systrim(struct uctx *c)
{
	unsigned long top = aget(c, A_TOP), end = aget(c, A_END);
	unsigned long tsize = chunksize(c, top), area = tsize - minsize(c) - 1, extra;

	if (area <= UMALLOC_TOP_PAD)
		return;
	extra = (area - UMALLOC_TOP_PAD) & PAGE_MASK;
	if (!extra || (unsigned long)do_brk(c, end - extra) != end - extra)
		return;
	aput(c, A_END, end - extra);
	set_head(c, top, (tsize - extra) | PREV_INUSE);
}

/* ---- mmapped chunks ---- */

static unsigned long mmap_chunk(struct uctx *c, unsigned long nb)
{
	unsigned long size = PAGE_ALIGN(nb + c->sz);
	long p = sys_mmap(c->m, 0, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			  (unsigned long)-1, 0);

	if (MMKIT_IS_ERR_VALUE(p))
		return 0;
	set_head(c, (unsigned long)p, size | IS_MMAPPED);	/* prev_size 0: no offset */
	if (c->base) {
		ainc(c, A_MMAP_CALLS, 1);
		ainc(c, A_NR_MMAPPED, 1);
		ainc(c, A_MMAPPED_BYTES, (long)size);
	}
	return c->err ? 0 : chunk2mem(c, (unsigned long)p);
}

static int munmap_chunk(struct uctx *c, unsigned long p)
{
	unsigned long off = prev_size(c, p), total = chunksize(c, p) + off;

	if (c->err || ((p - off) | total) & ~PAGE_MASK)
		return -EINVAL;	/* "munmap_chunk(): invalid pointer" */
	if (sys_munmap(c->m, p - off, total))
		return -EINVAL;
	if (c->base && aget(c, A_NR_MMAPPED)) {	/* counted since the arena exists */
		ainc(c, A_MUNMAP_CALLS, 1);
		ainc(c, A_NR_MMAPPED, -1);
		ainc(c, A_MMAPPED_BYTES, -(long)min(total, aget(c, A_MMAPPED_BYTES)));
	}
	return 0;
}

/* ---- heap chunks ---- */

/* Mark the first nb bytes of free chunk p (size bytes, off the list) in
 * use and put a remainder of at least MINSIZE back on the list. */
static void use_chunk(struct uctx *c, unsigned long p, unsigned long size, unsigned long nb)
{
	unsigned long flags = head(c, p) & PREV_INUSE;

	if (size - nb >= minsize(c)) {
		unsigned long rem = p + nb;

		set_head(c, p, nb | flags);
		set_head(c, rem, (size - nb) | PREV_INUSE);
		set_foot(c, rem, size - nb);
		bin_insert(c, rem);
	} else {
		set_head(c, p + size, head(c, p + size) | PREV_INUSE);
	}
}

/* A heap chunk of nb bytes: first fit, else top, else a larger heap. */
static unsigned long int_malloc(struct uctx *c, unsigned long nb)
{
	unsigned long h = c->base, top, tsize, limit;

	limit = (aget(c, A_END) - c->base) / minsize(c) + 1;
	for (unsigned long p = fd(c, h); p != h && limit-- && !c->err; p = fd(c, p)) {
		unsigned long size = chunksize(c, p);

		if (size >= nb) {
			bin_unlink(c, p);
			use_chunk(c, p, size, nb);
			return c->err ? 0 : chunk2mem(c, p);
		}
	}
	top = aget(c, A_TOP);
	tsize = chunksize(c, top);
	if (tsize < nb + minsize(c)) {
		if (sysmalloc_brk(c, nb))
			return c->err ? 0 : mmap_chunk(c, nb);	/* brk refused: mmap instead */
		tsize = chunksize(c, top);
	}
	set_head(c, top, nb | (head(c, top) & PREV_INUSE));
	aput(c, A_TOP, top + nb);
	set_head(c, top + nb, (tsize - nb) | PREV_INUSE);
	return c->err ? 0 : chunk2mem(c, top);
}

/* Is p a live heap chunk? (cf. the checks of _int_free) */
static bool heap_chunk_ok(struct uctx *c, unsigned long p, unsigned long size)
{
	unsigned long top = aget(c, A_TOP);

	if (!c->base || p < first_chunk(c) || (chunk2mem(c, p) & malign_mask(c)))
		return false;	/* "free(): invalid pointer" */
	if (size < minsize(c) || p + size > top || p + size < p)
		return false;	/* "free(): invalid size" */
	return head(c, p + size) & PREV_INUSE;	/* else "double free or corruption" */
}

/* Free heap chunk p: coalesce both ways, then maybe trim (cf. _int_free). */
static void int_free(struct uctx *c, unsigned long p, unsigned long size)
{
	unsigned long next = p + size, top = aget(c, A_TOP);

	if (!(head(c, p) & PREV_INUSE)) {
		unsigned long prev = prev_size(c, p);

		p -= prev;
		size += prev;
		bin_unlink(c, p);
	}
	if (next == top) {
		size += chunksize(c, top);
		set_head(c, p, size | PREV_INUSE);
		aput(c, A_TOP, p);
		if (size >= UMALLOC_TRIM_THRESHOLD)
			systrim(c);
		return;
	}
	if (!(head(c, next + chunksize(c, next)) & PREV_INUSE)) {
		size += chunksize(c, next);	/* next is free: absorb it */
		bin_unlink(c, next);
	} else {
		set_head(c, next, head(c, next) & ~PREV_INUSE);
	}
	set_head(c, p, size | PREV_INUSE);
	set_foot(c, p, size);
	bin_insert(c, p);
}

/**
 * umalloc() - malloc(@size) in the current task
 * @m: the machine
 * @size: bytes
 *
 * Returns the user address, or 0.
 */
unsigned long umalloc(struct machine *m, size_t size)
{
	struct uctx c;
	unsigned long nb, mem;

	if (uctx_init(&c, m))
		return 0;
	nb = request2size(&c, size);
	if (!nb)
		return 0;
	if (nb >= UMALLOC_MMAP_THRESHOLD)
		return mmap_chunk(&c, nb);
	if (!c.base && arena_create(&c, nb))
		return c.err ? 0 : mmap_chunk(&c, nb);
	mem = int_malloc(&c, nb);
	return c.err ? 0 : mem;
}

/**
 * ufree() - free(@addr) in the current task
 * @m: the machine
 * @addr: what umalloc, ucalloc or urealloc returned, or 0
 *
 * Returns 0, or -EINVAL for an address that is not a live chunk.
 */
int ufree(struct machine *m, unsigned long addr)
{
	struct uctx c;
	unsigned long p, hd;

	if (!addr)
		return 0;
	if (uctx_init(&c, m))
		return -ESRCH;
	p = mem2chunk(&c, addr);
	hd = head(&c, p);
	if (c.err)
		return -EINVAL;
	if (hd & IS_MMAPPED)
		return munmap_chunk(&c, p);
	if (!heap_chunk_ok(&c, p, hd & ~SIZE_BITS))
		return -EINVAL;
	int_free(&c, p, hd & ~SIZE_BITS);
	return c.err ? -EINVAL : 0;
}

/**
 * umalloc_usable_size() - the bytes usable at @addr (cf. malloc_usable_size)
 * @m: the machine
 * @addr: a live allocation, or 0
 */
size_t umalloc_usable_size(struct machine *m, unsigned long addr)
{
	struct uctx c;
	unsigned long hd;

	if (!addr || uctx_init(&c, m))
		return 0;
	hd = head(&c, mem2chunk(&c, addr));
	if (c.err)
		return 0;
	return (hd & ~SIZE_BITS) - (hd & IS_MMAPPED ? 2 * c.sz : c.sz);
}

/* Copy n bytes of user memory from src to dst through the MMU. */
static int ucopy(struct machine *m, unsigned long dst, unsigned long src, size_t n)
{
	char buf[4096];

	while (n) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		if (mmkit_read(m, src, buf, k) || mmkit_write(m, dst, buf, k))
			return -EFAULT;
		src += k, dst += k, n -= k;
	}
	return 0;
}

/* Resize a heap chunk in place: shrink, or grow into top or a free next. */
static bool heap_resize(struct uctx *c, unsigned long p, unsigned long size, unsigned long nb)
{
	unsigned long next = p + size, top = aget(c, A_TOP), nsize = chunksize(c, next);

	if (size >= nb) {
		if (size - nb >= minsize(c)) {	/* free the tail */
			set_head(c, p, nb | (head(c, p) & PREV_INUSE));
			set_head(c, p + nb, (size - nb) | PREV_INUSE);
			int_free(c, p + nb, size - nb);
		}
		return true;
	}
	if (next == top && size + nsize >= nb + minsize(c)) {
		set_head(c, p, nb | (head(c, p) & PREV_INUSE));
		aput(c, A_TOP, p + nb);
		set_head(c, p + nb, (size + nsize - nb) | PREV_INUSE);
		return true;
	}
	if (next != top && size + nsize >= nb && !(head(c, next + nsize) & PREV_INUSE)) {
		bin_unlink(c, next);
		set_head(c, p, (size + nsize) | (head(c, p) & PREV_INUSE));
		set_head(c, p + size + nsize, head(c, p + size + nsize) | PREV_INUSE);
		return heap_resize(c, p, size + nsize, nb);	/* trims the excess */
	}
	return false;
}

/* Resize an mmapped chunk with mremap (cf. mremap_chunk). */
static unsigned long mremap_chunk(struct uctx *c, unsigned long p, unsigned long nb)
{
	unsigned long off = prev_size(c, p), size = chunksize(c, p);
	unsigned long nsize = PAGE_ALIGN(nb + off + c->sz);
	long np;

	if (nsize == size + off)
		return p;
	np = sys_mremap(c->m, p - off, size + off, nsize, MREMAP_MAYMOVE, 0);
	if (MMKIT_IS_ERR_VALUE(np))
		return 0;
	set_head(c, (unsigned long)np + off, (nsize - off) | IS_MMAPPED);
	if (c->base) {
		ainc(c, A_MREMAP_CALLS, 1);
		ainc(c, A_MMAPPED_BYTES, (long)nsize - (long)(size + off));
	}
	return (unsigned long)np + off;
}

/**
 * urealloc() - realloc(@addr, @size) in the current task
 * @m: the machine
 * @addr: a live allocation, or 0 (then this is umalloc)
 * @size: the new size; 0 frees @addr and returns 0
 *
 * Returns the (possibly moved) address, or 0 with @addr left as it was.
 */
unsigned long urealloc(struct machine *m, unsigned long addr, size_t size)
{
	struct uctx c;
	unsigned long p, hd, nb, mem;

	if (!addr)
		return umalloc(m, size);
	if (!size) {
		ufree(m, addr);
		return 0;
	}
	if (uctx_init(&c, m))
		return 0;
	p = mem2chunk(&c, addr);
	hd = head(&c, p);
	nb = request2size(&c, size);
	if (c.err || !nb)
		return 0;
	if (hd & IS_MMAPPED) {
		unsigned long np = mremap_chunk(&c, p, nb);

		if (np)
			return c.err ? 0 : chunk2mem(&c, np);
	} else {
		if (!heap_chunk_ok(&c, p, hd & ~SIZE_BITS))
			return 0;	/* "realloc(): invalid pointer" */
		if (nb < UMALLOC_MMAP_THRESHOLD && heap_resize(&c, p, hd & ~SIZE_BITS, nb))
			return c.err ? 0 : addr;
	}
	mem = umalloc(m, size);
	if (!mem)
		return 0;
	if (ucopy(m, mem, addr, min(size, umalloc_usable_size(m, addr))) || ufree(m, addr))
		return 0;
	return mem;
}

/**
 * ucalloc() - calloc(@n, @size) in the current task
 * @m: the machine
 * @n: elements
 * @size: bytes each
 *
 * Returns the address of n * size zeroed bytes, or 0 (also on overflow).
 */
unsigned long ucalloc(struct machine *m, size_t n, size_t size)
{
	static const char zeros[4096];
	unsigned long mem, hd;
	size_t total, done;
	struct uctx c;

	if (size && n > (arch_is_64bit(m) ? ~0UL : 0xffffffffUL) / size)
		return 0;
	total = n * size;
	mem = umalloc(m, total);
	if (!mem || uctx_init(&c, m))
		return 0;
	hd = head(&c, mem2chunk(&c, mem));
	if (hd & IS_MMAPPED)
		return mem;	/* fresh anonymous pages are zero already */
	for (done = 0; done < total && !c.err; done += sizeof(zeros)) {
		size_t k = total - done < sizeof(zeros) ? total - done : sizeof(zeros);

		if (mmkit_write(m, mem + done, zeros, k))
			return 0;
	}
	return c.err ? 0 : mem;
}

/**
 * umalloc_stats() - what the current task's allocator holds and has done
 * @m: the machine
 * @st: filled in
 *
 * Returns 0, or -ESRCH without a current task, -EFAULT if the arena
 * could not be read.
 */
int umalloc_stats(struct machine *m, struct umalloc_stats *st)
{
	struct uctx c;
	unsigned long h, limit;

	memset(st, 0, sizeof(*st));
	if (uctx_init(&c, m))
		return -ESRCH;
	if (!c.base)
		return 0;
	h = c.base;
	st->brk_calls = aget(&c, A_BRK_CALLS);
	st->mmap_calls = aget(&c, A_MMAP_CALLS);
	st->munmap_calls = aget(&c, A_MUNMAP_CALLS);
	st->mremap_calls = aget(&c, A_MREMAP_CALLS);
	st->nr_mmapped = aget(&c, A_NR_MMAPPED);
	st->mmapped_bytes = aget(&c, A_MMAPPED_BYTES);
	st->arena_bytes = aget(&c, A_END) - c.base;
	st->top_bytes = chunksize(&c, aget(&c, A_TOP));
	limit = st->arena_bytes / minsize(&c) + 1;
	for (unsigned long p = fd(&c, h); p != h && limit-- && !c.err; p = fd(&c, p)) {
		st->free_bytes += chunksize(&c, p);
		st->nr_free_chunks++;
	}
	return c.err;
}
