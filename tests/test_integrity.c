/* Data integrity under heavy swapping, with a shadow model (issues 5 and 7).
 *
 * Processes write known bytes into private anonymous, shared anonymous
 * (shmem), file MAP_SHARED and file MAP_PRIVATE mappings of a window, on a
 * machine with far less RAM than they use (or a resident-page limit) and
 * two swap files. A deterministic random sequence of operations runs:
 * reads and writes through the MMU, whole-page fills, mmap/munmap, fork
 * (COW), exit, mremap (move, grow, shrink), madvise(MADV_DONTNEED), mlock
 * and munlock of a few pages, msync(MS_SYNC), pread/pwrite/lseek+read/
 * write on the mapped files, ftruncate (never below the mapped part: the
 * mapped pages stay inside i_size), fsync, and swapoff + swapon of one of
 * the areas in the middle of it all.
 *
 * The shadow model knows nothing of mmkit: per process, a slot per window
 * page {private anonymous object (copy-on-write, shared by fork), or a
 * page of a backing object (a file, a shmem object) shared, or privately
 * mapped with a COW copy once written}. It predicts every byte read. After
 * each operation its range reads back as predicted; every VERIFY_EVERY
 * operations every mapped byte and every file byte (pread) is compared;
 * every CHECK_EVERY operations mmkit_check() must be clean; after msync
 * the host file holds the range, after fsync the whole file.
 *
 * At the end: everything exits; every slot of both swap areas is free
 * (swap_map all zero) and the swap cache is empty; after sync the host
 * files hold exactly what MAP_SHARED and write() wrote, byte for byte,
 * and their sizes; the files are unlinked (their page cache goes) and the
 * free page count is back to its boot value (vmalloc's kernel page tables
 * aside, which Linux keeps too).
 *
 * Environment: MMKIT_INTEGRITY_SEED (replay one seed), MMKIT_INTEGRITY_OPS
 * (operations per machine), MMKIT_INTEGRITY_SECONDS (rounds of fresh seeds
 * for that long: the check-stress target). Seeds are printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file_test.h"

#include <mmkit/swap.h>
#include <mmkit/vmscan.h>

#include "mm/swap.h"

#define W_BASE 0x50000000UL	/* the window */
#define W_PAGES 1536
#define UB_BASE 0x40000000UL	/* each process's I/O buffer */
#define UB_PAGES 8
#define NFILES 3
#define FMAP_PAGES 192		/* mapped part of a file: always inside i_size */
#define FMAX_PAGES 256		/* sizes stay within [FMAP_PAGES, FMAX_PAGES] pages */
#define MAX_PROCS 4
#define NAREAS 2
#define MAX_LOCKED 48
#define CHECK_EVERY 64
#define VERIFY_EVERY 500

/* ---- random numbers (xorshift64*) ---- */

struct rng {
	u64 s;
};

static u64 rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static unsigned long rn(struct rng *r, unsigned long n)
{
	return n ? (unsigned long)(rnd(r) % n) : 0;
}

static void rand_bytes(struct rng *r, u8 *buf, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		u64 v = rnd(r);

		memcpy(buf + i, &v, min(len - i, (size_t)8));
	}
}

/* ---- the shadow model ---- */

/* A private page's bytes (NULL data: zeros), shared copy-on-write by fork. */
struct sobj {
	int refs;
	u8 *data;
};

/* Pages shared by every mapping of them: a file or a shmem object. */
struct backing {
	int refs;			/* slots (shmem objects are freed at 0) */
	bool file;
	unsigned long npages;
	u8 *data;			/* npages * PAGE_SIZE */
};

enum { S_NONE, S_ANON, S_SHARED, S_PRIV };

struct slot {
	u8 kind;
	bool locked;
	struct backing *b;		/* S_SHARED, S_PRIV */
	unsigned long pgoff;
	struct sobj *cow;		/* S_ANON: the page; S_PRIV: the COW copy or NULL */
};

struct iproc {
	struct task_struct *tsk;
	pid_t pid;
	int parent;
	bool alive;
	int fd[NFILES];
	struct slot *s;			/* W_PAGES */
};

enum { IS_READ, IS_WRITE, IS_FILL, IS_MMAP, IS_MUNMAP, IS_MREMAP, IS_FORK, IS_EXIT, IS_PWRITE,
       IS_PREAD, IS_TRUNC, IS_MSYNC, IS_FSYNC, IS_MADV, IS_MLOCK, IS_SWAPOFF, IS_ENOMEM,
       IS_NSTATS };

struct ist {
	struct machine *m;
	struct rng r;
	const char *mname;
	u64 seed;
	unsigned long op;
	char last[16][160];
	char dir[256];
	struct iproc p[MAX_PROCS];
	struct backing files[NFILES];
	long long fsize[NFILES];
	bool area_on[NAREAS];
	unsigned long stats[IS_NSTATS];
};

static const char *const file_names[NFILES] = { "data0", "data1", "data2" };
static const char *const area_names[NAREAS] = { "/swap0", "/swap1" };

static void note(struct ist *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct ist *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->last[st->op % 16], sizeof(st->last[0]), fmt, ap);
	va_end(ap);
}

static void fail_report(struct ist *st, const char *what)
{
	if (getenv("MMKIT_INTEGRITY_DEBUG")) {
		char *log = log_plain(st->m);
		size_t n = strlen(log);

		fprintf(stderr, "---- log tail ----\n%s\n", n > 6000 ? log + n - 6000 : log);
		free(log);
	}
	fprintf(stderr, "integrity FAILED on %s seed %#llx at op %lu: %s\n", st->mname,
		(unsigned long long)st->seed, st->op, what);
	for (unsigned long i = st->op > 15 ? st->op - 15 : 0; i <= st->op; i++)
		fprintf(stderr, "  op %lu: %s\n", i, st->last[i % 16]);
	fprintf(stderr, "replay: MMKIT_INTEGRITY_SEED=%#llx\n", (unsigned long long)st->seed);
	fail();
}

#define ICHECK(st, cond, ...)                                                      \
	do {                                                                       \
		if (!(cond)) {                                                     \
			char __b[1024];                                             \
			snprintf(__b, sizeof(__b), __VA_ARGS__);                   \
			fail_report(st, __b);                                      \
		}                                                                  \
	} while (0)

static struct sobj *sobj_new(const u8 *copy)
{
	struct sobj *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	o->refs = 1;
	if (copy) {
		o->data = malloc(PAGE_SIZE);
		assert_non_null(o->data);
		memcpy(o->data, copy, PAGE_SIZE);
	}
	return o;
}

static void sobj_put(struct sobj *o)
{
	if (o && --o->refs == 0) {
		free(o->data);
		free(o);
	}
}

static void backing_put(struct backing *b)
{
	if (b && --b->refs == 0 && !b->file) {
		free(b->data);
		free(b);
	}
}

static void slot_clear(struct slot *sl)
{
	sobj_put(sl->cow);
	backing_put(sl->b);
	memset(sl, 0, sizeof(*sl));
}

static u8 *bpage(const struct slot *sl)
{
	return sl->b->data + sl->pgoff * PAGE_SIZE;
}

/* What the page reads as (NULL: zeros). */
static const u8 *slot_rdata(const struct slot *sl)
{
	switch (sl->kind) {
	case S_ANON:
		return sl->cow->data;
	case S_PRIV:
		return sl->cow ? sl->cow->data : bpage(sl);
	default:
		return bpage(sl);
	}
}

/* Split a COW object shared with another process (fork). */
static void cow_split(struct slot *sl)
{
	if (sl->cow->refs > 1) {
		struct sobj *n = sobj_new(sl->cow->data);

		sl->cow->refs--;
		sl->cow = n;
	}
	if (!sl->cow->data) {
		sl->cow->data = calloc(1, PAGE_SIZE);
		assert_non_null(sl->cow->data);
	}
}

/* The page's bytes for writing (a private file page gets its COW copy). */
static u8 *slot_wdata(struct slot *sl)
{
	if (sl->kind == S_SHARED)
		return bpage(sl);
	if (sl->kind == S_PRIV && !sl->cow)
		sl->cow = sobj_new(bpage(sl));
	cow_split(sl);
	return sl->cow->data;
}

/* A write fault without a write (populate of a writable private mapping:
 * MAP_POPULATE, mlock, mremap growing a locked VMA): COW, same bytes. */
static void slot_populate(struct slot *sl)
{
	if (sl->kind == S_PRIV && !sl->cow)
		sl->cow = sobj_new(bpage(sl));
}

static void slot_set(struct slot *sl, u8 kind, struct backing *b, unsigned long pgoff)
{
	slot_clear(sl);
	sl->kind = kind;
	sl->b = b;
	sl->pgoff = pgoff;
	if (b)
		b->refs++;
	if (kind == S_ANON)
		sl->cow = sobj_new(NULL);
}

static struct slot *wslot(struct ist *st, int pi, unsigned long i)
{
	return &st->p[pi].s[i];
}

/* ---- processes ---- */

static int free_proc(struct ist *st)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (!st->p[i].alive)
			return i;
	return -1;
}

static int nr_alive(struct ist *st)
{
	int n = 0;

	for (int i = 0; i < MAX_PROCS; i++)
		n += st->p[i].alive;
	return n;
}

static void use(struct ist *st, int pi)
{
	mmkit_set_current(st->m, st->p[pi].tsk);
}

static void spawn(struct ist *st)
{
	struct mmkit_exec_layout l = { .privileged = true };
	int i = free_proc(st);
	struct iproc *p;

	if (i < 0)
		return;
	p = &st->p[i];
	memset(p, 0, sizeof(*p));
	p->tsk = mmkit_spawn(st->m, "integrity", &l);
	ICHECK(st, p->tsk, "spawn failed");
	p->pid = p->tsk->pid;
	p->parent = -1;
	p->alive = true;
	p->s = calloc(W_PAGES, sizeof(struct slot));
	assert_non_null(p->s);
	use(st, i);
	ICHECK(st, sys_mmap(st->m, UB_BASE, PG(UB_PAGES), RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			    -1UL, 0) == (long)UB_BASE, "ubuf mmap");
	for (int f = 0; f < NFILES; f++) {
		p->fd[f] = (int)sys_open(st->m, file_names[f], O_RDWR, 0);
		ICHECK(st, p->fd[f] >= 0, "open %s: %d", file_names[f], p->fd[f]);
	}
}

static void do_fork(struct ist *st, int pi)
{
	int i = free_proc(st);
	struct iproc *c;

	if (i < 0)
		return;
	note(st, "fork of pid %d", st->p[pi].pid);
	c = &st->p[i];
	memset(c, 0, sizeof(*c));
	c->tsk = mmkit_fork(st->m, st->p[pi].tsk);
	ICHECK(st, c->tsk, "fork failed");
	c->pid = c->tsk->pid;
	c->parent = pi;
	c->alive = true;
	memcpy(c->fd, st->p[pi].fd, sizeof(c->fd));
	c->s = malloc(W_PAGES * sizeof(struct slot));
	assert_non_null(c->s);
	memcpy(c->s, st->p[pi].s, W_PAGES * sizeof(struct slot));
	for (int j = 0; j < W_PAGES; j++) {
		if (c->s[j].cow)
			c->s[j].cow->refs++;
		if (c->s[j].b)
			c->s[j].b->refs++;
		c->s[j].locked = false;	/* VM_LOCKED is not inherited */
	}
	st->stats[IS_FORK]++;
}

static void ip_exit(struct ist *st, int pi)
{
	struct iproc *p = &st->p[pi];
	int status = -1;

	note(st, "exit pid %d", p->pid);
	mmkit_exit(st->m, p->tsk, 3);
	p->alive = false;
	for (int j = 0; j < MAX_PROCS; j++)
		if (st->p[j].alive && st->p[j].parent == pi)
			st->p[j].parent = -1;
	if (p->parent >= 0) {
		use(st, p->parent);
		ICHECK(st, mmkit_wait(st->m, p->pid, &status) == p->pid, "wait %d", p->pid);
		ICHECK(st, status == 3 << 8, "status %#x", status);
	}
	ICHECK(st, find_task_by_pid(st->m, p->pid) == NULL, "pid %d still there", p->pid);
	for (int j = 0; j < W_PAGES; j++)
		slot_clear(&p->s[j]);
	free(p->s);
	p->s = NULL;
	st->stats[IS_EXIT]++;
}

/* ---- checking ---- */

static void verify_slots(struct ist *st, int pi, unsigned long first, unsigned long n)
{
	u8 *buf = malloc(PAGE_SIZE);
	static const u8 zero[PAGE_SIZE];

	assert_non_null(buf);
	use(st, pi);
	for (unsigned long i = first; i < first + n && i < W_PAGES; i++) {
		const struct slot *sl = wslot(st, pi, i);
		const u8 *exp;
		int ret;

		if (sl->kind == S_NONE)
			continue;
		exp = slot_rdata(sl) ? slot_rdata(sl) : zero;
		ret = mmkit_read(st->m, W_BASE + PG(i), buf, PAGE_SIZE);
		ICHECK(st, ret == 0, "pid %d read page %lu: %d", st->p[pi].pid, i, ret);
		if (memcmp(buf, exp, PAGE_SIZE)) {
			size_t k = 0;

			while (buf[k] == exp[k])
				k++;
			ICHECK(st, 0, "pid %d %#lx (slot kind %d pgoff %lu cow %d): byte %#x, expected %#x",
			       st->p[pi].pid, W_BASE + PG(i) + k, sl->kind, sl->pgoff, sl->cow != NULL,
			       buf[k], exp[k]);
		}
	}
	free(buf);
}

/* pread the host file and compare [off, off + len) with the shadow. */
static void host_compare(struct ist *st, int fi, long long off, long long len)
{
	char path[512];
	u8 *buf = malloc((size_t)len + 1);
	int fd;
	ssize_t n;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", st->m->fs.root, file_names[fi]);
	fd = open(path, O_RDONLY);
	ICHECK(st, fd >= 0, "host open %s", path);
	n = pread(fd, buf, (size_t)len, off);
	close(fd);
	ICHECK(st, n == len, "host pread %s %lld+%lld: %zd", path, off, len, n);
	if (memcmp(buf, st->files[fi].data + off, (size_t)len)) {
		long long k = 0;

		while (buf[k] == st->files[fi].data[off + k])
			k++;
		ICHECK(st, 0, "host %s byte %lld is %#x, expected %#x", file_names[fi], off + k,
		       buf[k], st->files[fi].data[off + k]);
	}
	free(buf);
}

static long long host_size(struct ist *st, int fi)
{
	char path[512];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", st->m->fs.root, file_names[fi]);
	ICHECK(st, stat(path, &sb) == 0, "stat %s", path);
	return (long long)sb.st_size;
}

/* Every byte of the file through pread(2) in process pi. */
static void verify_file(struct ist *st, int pi, int fi)
{
	u8 *buf = malloc(PG(UB_PAGES));
	long long size = st->fsize[fi];

	assert_non_null(buf);
	use(st, pi);
	ICHECK(st, mmkit_fsize(st->m, (unsigned int)st->p[pi].fd[fi]) == size, "i_size %lld, expected %lld",
	       mmkit_fsize(st->m, (unsigned int)st->p[pi].fd[fi]), size);
	for (long long off = 0; off < size + 1; off += (long long)PG(UB_PAGES)) {
		long want = (long)min((long long)PG(UB_PAGES), size - off);
		long n = sys_pread64(st->m, (unsigned int)st->p[pi].fd[fi], UB_BASE, PG(UB_PAGES), off);

		ICHECK(st, n == want, "pread %s at %lld: %ld, expected %ld", file_names[fi], off, n, want);
		if (n <= 0)
			break;
		ICHECK(st, mmkit_read(st->m, UB_BASE, buf, (size_t)n) == 0, "ubuf read");
		ICHECK(st, !memcmp(buf, st->files[fi].data + off, (size_t)n), "pread %s at %lld: bytes differ",
		       file_names[fi], off);
	}
	free(buf);
}

static void verify_all(struct ist *st)
{
	int last = -1;

	for (int i = 0; i < MAX_PROCS; i++) {
		if (!st->p[i].alive)
			continue;
		verify_slots(st, i, 0, W_PAGES);
		last = i;
	}
	for (int f = 0; f < NFILES && last >= 0; f++)
		verify_file(st, last, f);
}

/* ---- operations on the window ---- */

/* A random mapped slot of process pi (or -1 after a few misses). */
static long rand_mapped(struct ist *st, int pi)
{
	for (int t = 0; t < 8; t++) {
		unsigned long i = rn(&st->r, W_PAGES);

		if (wslot(st, pi, i)->kind != S_NONE)
			return (long)i;
	}
	return -1;
}

/* The run of mapped slots from i, at most max long. */
static unsigned long mapped_run(struct ist *st, int pi, unsigned long i, unsigned long max)
{
	unsigned long n = 0;

	while (i + n < W_PAGES && n < max && wslot(st, pi, i + n)->kind != S_NONE)
		n++;
	return n;
}

static void do_write(struct ist *st, int pi, bool fill)
{
	long i = rand_mapped(st, pi);
	unsigned long n, off, len;
	u8 *buf;

	if (i < 0)
		return;
	n = mapped_run(st, pi, (unsigned long)i, fill ? 1 + rn(&st->r, 64) : 2);
	off = fill ? 0 : rn(&st->r, PAGE_SIZE);
	len = fill ? PG(n) : 1 + rn(&st->r, rn(&st->r, 4) ? 64 : PG(n) - off);
	len = min(len, PG(n) - off);
	buf = malloc(len);
	assert_non_null(buf);
	rand_bytes(&st->r, buf, len);
	note(st, "pid %d %s %#lx+%lu", st->p[pi].pid, fill ? "fill" : "write", W_BASE + PG(i) + off, len);
	use(st, pi);
	ICHECK(st, mmkit_write(st->m, W_BASE + PG(i) + off, buf, len) == 0, "write failed");
	for (unsigned long done = 0; done < len;) {
		unsigned long a = PG(i) + off + done, chunk = min(len - done, PAGE_SIZE - (a & ~PAGE_MASK));

		memcpy(slot_wdata(wslot(st, pi, a >> PAGE_SHIFT)) + (a & ~PAGE_MASK), buf + done, chunk);
		done += chunk;
	}
	free(buf);
	verify_slots(st, pi, (unsigned long)i, n);
	st->stats[fill ? IS_FILL : IS_WRITE]++;
}

static void do_read(struct ist *st, int pi)
{
	long i = rand_mapped(st, pi);

	if (i < 0)
		return;
	note(st, "pid %d read page %#lx", st->p[pi].pid, W_BASE + PG(i));
	verify_slots(st, pi, (unsigned long)i, mapped_run(st, pi, (unsigned long)i, 4));
	st->stats[IS_READ]++;
}

static void ip_mmap(struct ist *st, int pi)
{
	unsigned long f = rn(&st->r, W_PAGES), n = 1 + rn(&st->r, min(64UL, W_PAGES - f));
	unsigned long dice = rn(&st->r, 100), pgoff = 0, flags = MAP_FIXED;
	bool populate = rn(&st->r, 4) == 0;
	struct backing *b = NULL;
	u8 kind;
	int fi = (int)rn(&st->r, NFILES);
	long fd = -1, ret;

	if (dice < 40) {
		kind = S_ANON;
		flags |= MAP_PRIVATE | MAP_ANONYMOUS;
	} else if (dice < 60) {
		kind = S_SHARED;
		flags |= MAP_SHARED | MAP_ANONYMOUS;
		b = calloc(1, sizeof(*b));
		assert_non_null(b);
		b->npages = n;
		b->data = calloc(n, PAGE_SIZE);
		assert_non_null(b->data);
	} else {
		kind = dice < 85 ? S_SHARED : S_PRIV;
		flags |= kind == S_SHARED ? MAP_SHARED : MAP_PRIVATE;
		b = &st->files[fi];
		pgoff = rn(&st->r, FMAP_PAGES - n + 1);
		fd = st->p[pi].fd[fi];
	}
	if (populate)
		flags |= MAP_POPULATE;
	note(st, "pid %d mmap %#lx+%lu kind %d %s pgoff %lu%s", st->p[pi].pid, W_BASE + PG(f), n, kind,
	     fd >= 0 ? file_names[fi] : "anon", pgoff, populate ? " populate" : "");
	use(st, pi);
	ret = sys_mmap(st->m, W_BASE + PG(f), PG(n), RW, flags, (unsigned long)fd, PG(pgoff));
	ICHECK(st, ret == (long)(W_BASE + PG(f)), "mmap returned %ld", ret);
	for (unsigned long j = 0; j < n; j++) {
		slot_set(wslot(st, pi, f + j), kind, b, pgoff + j);
		if (populate)
			slot_populate(wslot(st, pi, f + j));
	}
	if (b && !b->file && !b->refs)
		backing_put(b);
	st->stats[IS_MMAP]++;
}

static void ip_munmap(struct ist *st, int pi)
{
	unsigned long f = rn(&st->r, W_PAGES), n = 1 + rn(&st->r, min(48UL, W_PAGES - f));

	note(st, "pid %d munmap %#lx+%lu", st->p[pi].pid, W_BASE + PG(f), n);
	use(st, pi);
	ICHECK(st, sys_munmap(st->m, W_BASE + PG(f), PG(n)) == 0, "munmap");
	for (unsigned long j = f; j < f + n; j++)
		slot_clear(wslot(st, pi, j));
	st->stats[IS_MUNMAP]++;
}

/* The kernel's VMA around window page i, if it lies inside the window. */
static bool ip_vma_pages(struct ist *st, unsigned long i, unsigned long *vf, unsigned long *vn)
{
	struct vm_area_struct *vma = vma_lookup(st->m, get_current(st->m)->mm, W_BASE + PG(i));

	if (!vma || vma->vm_start < W_BASE || vma->vm_end > W_BASE + PG(W_PAGES))
		return false;
	*vf = (vma->vm_start - W_BASE) >> PAGE_SHIFT;
	*vn = (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
	return true;
}

/* New slot j of a grown range continuing from src (same object). */
static bool grow_slot(struct slot *dst, const struct slot *src, unsigned long j)
{
	if (src->kind == S_ANON) {
		slot_set(dst, S_ANON, NULL, 0);
	} else {
		unsigned long limit = src->b->file ? FMAP_PAGES : src->b->npages;

		if (src->pgoff + j >= limit)
			return false;
		slot_set(dst, src->kind, src->b, src->pgoff + j);
	}
	dst->locked = src->locked;
	if (dst->locked)
		slot_populate(dst);
	return true;
}

static void do_mremap(struct ist *st, int pi)
{
	unsigned long i = rn(&st->r, W_PAGES), vf, vn, of, on, nn, nf;
	struct slot *moved, first;
	long ret, want;

	use(st, pi);
	if (wslot(st, pi, i)->kind == S_NONE || !ip_vma_pages(st, i, &vf, &vn))
		return;
	of = vf + rn(&st->r, vn);
	on = 1 + rn(&st->r, vf + vn - of);
	nn = 1 + rn(&st->r, 24);
	first = *wslot(st, pi, of + on - 1);
	if (first.kind != S_ANON && first.pgoff + (nn > on ? nn - on : 0) >=
					    (first.b->file ? FMAP_PAGES : first.b->npages))
		return;	/* would grow past the object: SIGBUS land */
	if (rn(&st->r, 2)) {
		want = (long)(W_BASE + PG(of));
		if (nn > on) {
			if (of + on != vf + vn || of + nn > W_PAGES)
				return;
			for (unsigned long j = of + on; j < of + nn; j++)
				if (wslot(st, pi, j)->kind != S_NONE)
					want = -ENOMEM;
		}
		note(st, "pid %d mremap %#lx %lu -> %lu pages in place", st->p[pi].pid, W_BASE + PG(of),
		     on, nn);
		ret = sys_mremap(st->m, W_BASE + PG(of), PG(on), PG(nn), 0, 0);
		ICHECK(st, ret == want, "mremap returned %ld, expected %ld", ret, want);
		if (want < 0)
			return;
		for (unsigned long j = of + nn; j < of + on; j++)
			slot_clear(wslot(st, pi, j));
		for (unsigned long j = on; j < nn; j++)
			grow_slot(wslot(st, pi, of + j), &first, j - on + 1);
		st->stats[IS_MREMAP]++;
		return;
	}
	nf = rn(&st->r, W_PAGES - nn + 1);
	if (nf < of + on && of < nf + nn)
		return;	/* overlapping: EINVAL (the other stress checks errnos) */
	note(st, "pid %d mremap %#lx %lu -> %#lx %lu pages", st->p[pi].pid, W_BASE + PG(of), on,
	     W_BASE + PG(nf), nn);
	ret = sys_mremap(st->m, W_BASE + PG(of), PG(on), PG(nn), MREMAP_MAYMOVE | MREMAP_FIXED,
			 W_BASE + PG(nf));
	ICHECK(st, ret == (long)(W_BASE + PG(nf)), "mremap returned %ld", ret);
	moved = calloc(nn, sizeof(*moved));
	assert_non_null(moved);
	for (unsigned long j = 0; j < min(on, nn); j++) {
		moved[j] = *wslot(st, pi, of + j);
		memset(wslot(st, pi, of + j), 0, sizeof(struct slot));
	}
	for (unsigned long j = on; j < nn; j++)
		grow_slot(&moved[j], &first, j - on + 1);
	for (unsigned long j = of + nn; j < of + on; j++)
		slot_clear(wslot(st, pi, j));
	for (unsigned long j = 0; j < nn; j++) {
		slot_clear(wslot(st, pi, nf + j));
		*wslot(st, pi, nf + j) = moved[j];
	}
	free(moved);
	verify_slots(st, pi, nf, nn);
	st->stats[IS_MREMAP]++;
}

/* A run of mapped, unlocked (or any) slots; false if none was found. */
static bool pick_run(struct ist *st, int pi, unsigned long *f, unsigned long *n, unsigned long max)
{
	long i = rand_mapped(st, pi);

	if (i < 0)
		return false;
	*f = (unsigned long)i;
	*n = mapped_run(st, pi, *f, 1 + rn(&st->r, max));
	return true;
}

static void do_madvise(struct ist *st, int pi)
{
	unsigned long f, n;

	if (!pick_run(st, pi, &f, &n, 24))
		return;
	for (unsigned long j = f; j < f + n; j++)
		if (wslot(st, pi, j)->locked)
			return;	/* EINVAL on a locked VMA: the other stress checks it */
	note(st, "pid %d madvise DONTNEED %#lx+%lu", st->p[pi].pid, W_BASE + PG(f), n);
	use(st, pi);
	ICHECK(st, sys_madvise(st->m, W_BASE + PG(f), PG(n), MADV_DONTNEED) == 0, "madvise");
	for (unsigned long j = f; j < f + n; j++) {
		struct slot *sl = wslot(st, pi, j);

		if (sl->kind == S_ANON) {
			sobj_put(sl->cow);
			sl->cow = sobj_new(NULL);
		} else if (sl->kind == S_PRIV) {
			sobj_put(sl->cow);
			sl->cow = NULL;
		}
	}
	verify_slots(st, pi, f, n);
	st->stats[IS_MADV]++;
}

static unsigned long nr_locked(struct ist *st)
{
	unsigned long n = 0;

	for (int i = 0; i < MAX_PROCS; i++)
		for (unsigned long j = 0; st->p[i].alive && j < W_PAGES; j++)
			n += st->p[i].s[j].locked;
	return n;
}

static void do_mlock(struct ist *st, int pi)
{
	bool lock = rn(&st->r, 2) && nr_locked(st) < MAX_LOCKED;
	unsigned long f, n;
	long ret;

	if (!pick_run(st, pi, &f, &n, 4))
		return;
	note(st, "pid %d %s %#lx+%lu", st->p[pi].pid, lock ? "mlock" : "munlock", W_BASE + PG(f), n);
	use(st, pi);
	ret = lock ? sys_mlock(st->m, W_BASE + PG(f), PG(n)) : sys_munlock(st->m, W_BASE + PG(f), PG(n));
	ICHECK(st, ret == 0, "mlock/munlock returned %ld", ret);
	for (unsigned long j = f; j < f + n; j++) {
		wslot(st, pi, j)->locked = lock;
		if (lock)
			slot_populate(wslot(st, pi, j));
	}
	verify_slots(st, pi, f, n);
	st->stats[IS_MLOCK]++;
}

/* msync(MS_SYNC) part of a file MAP_SHARED VMA: the host file has it. */
static void do_msync(struct ist *st, int pi)
{
	long i = rand_mapped(st, pi);
	unsigned long vf, vn, n;
	struct slot *sl;
	long ret;
	int fi;

	if (i < 0)
		return;
	sl = wslot(st, pi, (unsigned long)i);
	use(st, pi);
	if (sl->kind != S_SHARED || !sl->b->file || !ip_vma_pages(st, (unsigned long)i, &vf, &vn))
		return;
	fi = (int)(sl->b - st->files);
	n = 1 + rn(&st->r, 16);
	n = min(vf + vn - (unsigned long)i, n);
	note(st, "pid %d msync %#lx+%lu (%s pgoff %lu)", st->p[pi].pid, W_BASE + PG(i), n,
	     file_names[fi], sl->pgoff);
	ret = sys_msync(st->m, W_BASE + PG(i), PG(n), MS_SYNC);
	ICHECK(st, ret == 0, "msync returned %ld", ret);
	host_compare(st, fi, (long long)PG(sl->pgoff), (long long)PG(n));
	st->stats[IS_MSYNC]++;
}

/* ---- file syscalls ---- */

#define FMAX_BYTES ((long long)PG(FMAX_PAGES))

static void do_pwrite(struct ist *st, int pi)
{
	int fi = (int)rn(&st->r, NFILES);
	unsigned int fd = (unsigned int)st->p[pi].fd[fi];
	unsigned long len = 1 + rn(&st->r, rn(&st->r, 3) ? 256 : PG(3));
	long long off = (long long)rn(&st->r, (unsigned long)(FMAX_BYTES - (long long)len + 1));
	bool plain = rn(&st->r, 3) == 0;
	u8 *buf = malloc(len);
	long ret;

	assert_non_null(buf);
	rand_bytes(&st->r, buf, len);
	note(st, "pid %d %s %s %lld+%lu", st->p[pi].pid, plain ? "lseek+write" : "pwrite",
	     file_names[fi], off, len);
	use(st, pi);
	ICHECK(st, mmkit_write(st->m, UB_BASE, buf, len) == 0, "ubuf write");
	if (plain) {
		ICHECK(st, sys_lseek(st->m, fd, off, SEEK_SET) == off, "lseek");
		ret = sys_write(st->m, fd, UB_BASE, len);
	} else {
		ret = sys_pwrite64(st->m, fd, UB_BASE, len, off);
	}
	ICHECK(st, ret == (long)len, "write returned %ld, expected %lu", ret, len);
	memcpy(st->files[fi].data + off, buf, len);
	if (off + (long long)len > st->fsize[fi])
		st->fsize[fi] = off + (long long)len;
	free(buf);
	st->stats[IS_PWRITE]++;
}

static void do_pread(struct ist *st, int pi)
{
	int fi = (int)rn(&st->r, NFILES);
	unsigned int fd = (unsigned int)st->p[pi].fd[fi];
	unsigned long len = 1 + rn(&st->r, PG(3));
	long long off = (long long)rn(&st->r, (unsigned long)FMAX_BYTES + 64);
	long want = (long)max(0LL, min((long long)len, st->fsize[fi] - off)), ret;
	bool plain = rn(&st->r, 3) == 0;
	u8 *buf = malloc(len);

	assert_non_null(buf);
	note(st, "pid %d %s %s %lld+%lu", st->p[pi].pid, plain ? "lseek+read" : "pread",
	     file_names[fi], off, len);
	use(st, pi);
	if (plain) {
		ICHECK(st, sys_lseek(st->m, fd, off, SEEK_SET) == off, "lseek");
		ret = sys_read(st->m, fd, UB_BASE, len);
	} else {
		ret = sys_pread64(st->m, fd, UB_BASE, len, off);
	}
	ICHECK(st, ret == want, "read returned %ld, expected %ld", ret, want);
	if (want > 0) {
		ICHECK(st, mmkit_read(st->m, UB_BASE, buf, (size_t)want) == 0, "ubuf read");
		for (long k = 0; k < want; k++)
			ICHECK(st, buf[k] == st->files[fi].data[off + k], "read %s byte %lld: %#x, expected %#x",
			       file_names[fi], off + k, buf[k], st->files[fi].data[off + k]);
	}
	free(buf);
	st->stats[IS_PREAD]++;
}

static void do_truncate(struct ist *st, int pi)
{
	int fi = (int)rn(&st->r, NFILES);
	long long size = (long long)PG(FMAP_PAGES) +
			 (long long)rn(&st->r, (unsigned long)(FMAX_BYTES - (long long)PG(FMAP_PAGES)) + 1);

	note(st, "pid %d ftruncate %s %lld (was %lld)", st->p[pi].pid, file_names[fi], size,
	     st->fsize[fi]);
	use(st, pi);
	ICHECK(st, sys_ftruncate(st->m, (unsigned int)st->p[pi].fd[fi], size) == 0, "ftruncate");
	if (size < st->fsize[fi])	/* what lies past i_size reads as zeros later */
		memset(st->files[fi].data + size, 0, (size_t)(FMAX_BYTES - size));
	st->fsize[fi] = size;
	st->stats[IS_TRUNC]++;
}

static void do_fsync(struct ist *st, int pi)
{
	int fi = (int)rn(&st->r, NFILES);

	note(st, "pid %d fsync %s", st->p[pi].pid, file_names[fi]);
	use(st, pi);
	ICHECK(st, sys_fsync(st->m, (unsigned int)st->p[pi].fd[fi]) == 0, "fsync");
	ICHECK(st, host_size(st, fi) == st->fsize[fi], "host size %lld, expected %lld", host_size(st, fi),
	       st->fsize[fi]);
	host_compare(st, fi, 0, st->fsize[fi]);
	st->stats[IS_FSYNC]++;
}

/* ---- swap areas ---- */

static struct swap_info_struct *area(struct ist *st, int a)
{
	for (int t = 0; t < st->m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = st->m->swap.swap_info[t];

		if (si && (si->flags & SWP_WRITEOK) && !strcmp(si->path, area_names[a]))
			return si;
	}
	return NULL;
}

/* swapoff one area: 0 (everything came back) or -ENOMEM (the area stays
 * active); an area that is off is turned back on. */
static void do_swap(struct ist *st)
{
	int a = (int)rn(&st->r, NAREAS);
	long ret;

	if (st->area_on[a] && !st->area_on[1 - a])
		a = 1 - a;	/* never both off: the data would not fit */
	if (!st->area_on[a]) {
		note(st, "swapon %s", area_names[a]);
		ICHECK(st, sys_swapon(st->m, area_names[a], 0) == 0, "swapon");
		st->area_on[a] = true;
		return;
	}
	note(st, "swapoff %s (inuse %u)", area_names[a], area(st, a)->inuse_pages);
	ret = sys_swapoff(st->m, area_names[a]);
	ICHECK(st, ret == 0 || ret == -ENOMEM, "swapoff returned %ld", ret);
	if (ret == 0) {
		ICHECK(st, area(st, a) == NULL, "area still listed");
		st->area_on[a] = false;
		st->stats[IS_SWAPOFF]++;
	} else {
		ICHECK(st, area(st, a) != NULL, "area gone after ENOMEM");
		st->stats[IS_ENOMEM]++;
	}
	ICHECK(st, mmkit_check(st->m) == 0, "checker after swapoff");
}

/* ---- the run ---- */

static int rand_proc(struct ist *st)
{
	int i;

	do
		i = (int)rn(&st->r, MAX_PROCS);
	while (!st->p[i].alive);
	return i;
}

static void one_op(struct ist *st)
{
	unsigned long dice = rn(&st->r, 200);
	int pi;

	if (!nr_alive(st))
		spawn(st);
	pi = rand_proc(st);
	if (dice < 28)
		do_read(st, pi);
	else if (dice < 58)
		do_write(st, pi, false);
	else if (dice < 98)
		do_write(st, pi, true);
	else if (dice < 118)
		ip_mmap(st, pi);
	else if (dice < 122)
		ip_munmap(st, pi);
	else if (dice < 132)
		do_mremap(st, pi);
	else if (dice < 137)
		do_fork(st, pi);
	else if (dice < 139 && nr_alive(st) == MAX_PROCS)
		ip_exit(st, pi);
	else if (dice < 140)
		spawn(st);
	else if (dice < 152)
		do_pwrite(st, pi);
	else if (dice < 162)
		do_pread(st, pi);
	else if (dice < 165)
		do_truncate(st, pi);
	else if (dice < 173)
		do_msync(st, pi);
	else if (dice < 175)
		do_fsync(st, pi);
	else if (dice < 183)
		do_madvise(st, pi);
	else if (dice < 190)
		do_mlock(st, pi);
	else if (dice < 193)
		do_swap(st);
	else
		note(st, "nothing");
}

struct icfg {
	const char *name;
	const char *desc;		/* e820 and arch lines */
	unsigned long swap_mb;		/* each of the two areas */
	unsigned long max_resident;	/* 0: the RAM is the limit */
};

static const struct icfg configs[] = {
	{ "i386-10m", "arch i386\nhighmem yes\ne820 0x0 0x9fc00 usable\ne820 0x100000 0x900000 usable\n",
	  24, 0 },
	{ "x86_64-resident-512",
	  "arch x86_64\ne820 0x0 0x9fc00 usable\ne820 0x100000 0x3f00000 usable\n", 24, 512 },
	{ "i386-pae-resident-384",
	  "arch i386-pae\ne820 0x0 0x9fc00 usable\ne820 0x100000 0x3f00000 usable\n", 24, 384 },
};

static unsigned long free_settled(struct machine *m)
{
	shrink_slab_caches(m);
	drain_all_pages(m);
	return nr_free_pages(m);
}

static void make_files(struct ist *st)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(st->dir, sizeof(st->dir), "%s/mmkit-integrity.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(st->dir));
	for (int f = 0; f < NFILES; f++) {
		char path[512];
		int fd;

		st->files[f].file = true;
		st->files[f].npages = FMAX_PAGES;
		st->files[f].data = calloc(FMAX_PAGES, PAGE_SIZE);
		assert_non_null(st->files[f].data);
		st->fsize[f] = (long long)PG(FMAP_PAGES) + (long long)rn(&st->r, PG(FMAX_PAGES - FMAP_PAGES));
		rand_bytes(&st->r, st->files[f].data, (size_t)st->fsize[f]);
		snprintf(path, sizeof(path), "%s/%s", st->dir, file_names[f]);
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, st->files[f].data, (size_t)st->fsize[f]), st->fsize[f]);
		close(fd);
	}
}

static void boot(struct ist *st, const struct icfg *c)
{
	char text[1024];

	snprintf(text, sizeof(text), "name integrity\n%sfiles %s\n", c->desc, st->dir);
	st->m = test_boot_text(text);
	st->m->debug_vm = 1;	/* cheap checks always; the full checker every CHECK_EVERY */
	for (int a = 0; a < NAREAS; a++) {
		assert_int_equal(mmkit_mkswap(st->m, area_names[a], c->swap_mb << 20), 0);
		assert_int_equal(sys_swapon(st->m, area_names[a], 0), 0);
		st->area_on[a] = true;
	}
	if (c->max_resident)
		assert_int_equal(mmkit_set_max_resident(st->m, c->max_resident), 0);
	/* the "radix_tree_node" cache is made on first use (Linux makes it at
	 * boot): make it before the free pages are counted */
	{
		struct xarray xa;

		xa_init(&xa);
		xa_store(st->m, &xa, 1000, st, GFP_KERNEL);
		xa_destroy(st->m, &xa);
	}
}

/* Everything has exited: no slot in use, nothing in the swap cache. */
static void check_swap_empty(struct ist *st)
{
	for (int a = 0; a < NAREAS; a++) {
		struct swap_info_struct *si = area(st, a);

		if (!si)
			continue;
		ICHECK(st, si->inuse_pages == 0, "%s: %u slots in use", area_names[a], si->inuse_pages);
		for (unsigned int k = 1; k < si->max; k++)
			ICHECK(st, si->swap_map[k] == 0 || si->swap_map[k] == SWAP_MAP_BAD,
			       "%s: swap_map[%u] = %#x", area_names[a], k, si->swap_map[k]);
	}
	ICHECK(st, total_swapcache_pages(st->m) == 0, "%lu pages in the swap cache",
	       total_swapcache_pages(st->m));
	ICHECK(st, st->m->swap.nr_swap_pages == st->m->swap.total_swap_pages, "nr_swap_pages %ld of %ld",
	       st->m->swap.nr_swap_pages, st->m->swap.total_swap_pages);
}

static void finish(struct ist *st, unsigned long free0, unsigned long kt0)
{
	verify_all(st);
	for (int i = MAX_PROCS - 1; i >= 0; i--)
		if (st->p[i].alive)
			ip_exit(st, i);
	ICHECK(st, st->m->sched.nr_tasks == 0, "%d tasks left", st->m->sched.nr_tasks);
	check_swap_empty(st);
	/* the host files hold what MAP_SHARED and write() wrote */
	spawn(st);
	use(st, 0);
	ICHECK(st, sys_sync(st->m) == 0, "sync");
	for (int f = 0; f < NFILES; f++) {
		ICHECK(st, host_size(st, f) == st->fsize[f], "host %s size %lld, expected %lld",
		       file_names[f], host_size(st, f), st->fsize[f]);
		host_compare(st, f, 0, st->fsize[f]);
	}
	/* unlinked and closed, the files' page cache goes: no page is lost */
	for (int f = 0; f < NFILES; f++)
		ICHECK(st, sys_unlink(st->m, file_names[f]) == 0, "unlink");
	ip_exit(st, 0);
	for (int a = 0; a < NAREAS; a++)
		if (!st->area_on[a])
			ICHECK(st, sys_swapon(st->m, area_names[a], 0) == 0, "swapon at the end");
	ICHECK(st, mmkit_check(st->m) == 0, "checker after the run");
	{
		char *log = log_plain(st->m);
		bool warned = strstr(log, "WARNING") || strstr(log, "Fix your code") ||
			      strstr(log, "BUG") || strstr(log, "Out of memory");

		free(log);
		ICHECK(st, !warned, "the kernel log has a warning, a BUG or an OOM kill");
	}
	ICHECK(st, node_page_state(&st->m->node, NR_FILE_PAGES) == 0, "%lu file pages left",
	       node_page_state(&st->m->node, NR_FILE_PAGES));
	kt0 = st->m->pgtables.nr_kernel_tables - kt0;
	free_settled(st->m);
	if (getenv("MMKIT_INTEGRITY_DEBUG")) {
		char *a = test_proc(st->m, "/proc/meminfo"), *b = test_proc(st->m, "/proc/slabinfo");
		char *c = test_proc(st->m, "/proc/vmstat");

		fprintf(stderr, "%s\n%s\n%s\n", a, b, c);
		{
			size_t len;
			const char *log = mmkit_log_text(st->m, &len);
			const char *w = strstr(log, "WARNING");

			fprintf(stderr, "first warning: %.2000s\n", w ? w - 200 : "none");
		}
		for (struct list_head *l = st->m->fs.inodes.next; l != &st->m->fs.inodes; l = l->next) {
			struct inode *ino = list_entry(l, struct inode, i_list);

			fprintf(stderr, "inode %lu '%s' count %d nlink %u nrpages %lu entries %lu\n",
				ino->i_ino, ino->i_path, ino->i_count, ino->i_nlink, ino->i_data.nrpages,
				ino->i_data.i_pages.nr_entries);
		}
		for (int t = 0; t < st->m->swap.nr_swapfiles; t++) {
			struct swap_info_struct *si = st->m->swap.swap_info[t];

			if (si)
				fprintf(stderr, "area %d %s cache %lu cont %lu\n", t, si->path,
					si->swap_cache.i_pages.nr_entries, si->swap_cont.nr_entries);
		}
		free(a);
		free(b);
		free(c);
	}
	ICHECK(st, free_settled(st->m) + kt0 == free0,
	       "free pages %lu + %lu new kernel page tables, at the start %lu", nr_free_pages(st->m),
	       kt0, free0);
}

static unsigned long integrity_run(const struct icfg *c, u64 seed, unsigned long nops)
{
	struct ist *st = calloc(1, sizeof(*st));
	unsigned long free0, kt0, ops;

	assert_non_null(st);
	st->mname = c->name;
	st->seed = seed;
	st->r.s = seed ? seed : 1;
	printf("integrity: %s seed %#llx ops %lu\n", c->name, (unsigned long long)seed, nops);
	fflush(stdout);
	make_files(st);
	boot(st, c);
	free0 = free_settled(st->m);
	if (getenv("MMKIT_INTEGRITY_DEBUG")) {
		char *a = test_proc(st->m, "/proc/meminfo"), *b = test_proc(st->m, "/proc/slabinfo");

		fprintf(stderr, "%s\n%s\n", a, b);
		free(a);
		free(b);
	}
	kt0 = st->m->pgtables.nr_kernel_tables;
	for (st->op = 0; st->op < nops; st->op++) {
		one_op(st);
		if (st->op % CHECK_EVERY == CHECK_EVERY - 1 && mmkit_check(st->m))
			fail_report(st, "mmkit_check() found violations (see the kernel log)");
		if (st->op % VERIFY_EVERY == VERIFY_EVERY - 1)
			verify_all(st);
		if (getenv("MMKIT_INTEGRITY_DEBUG") && st->op % 100 == 0) {
			unsigned long mapped = 0;

			for (int i = 0; i < MAX_PROCS; i++)
				for (unsigned long j = 0; st->p[i].alive && j < W_PAGES; j++)
					mapped += st->p[i].s[j].kind != S_NONE;
			printf("op %lu: free %lu, mapped slots %lu, alive %d\n", st->op,
			       nr_free_pages(st->m), mapped, nr_alive(st));
		}
	}
	finish(st, free0, kt0);
	printf("integrity: %s ok: %lu reads %lu writes %lu fills %lu mmap %lu munmap %lu mremap "
	       "%lu fork %lu exit %lu pwrite %lu pread %lu ftruncate %lu msync %lu fsync %lu madvise "
	       "%lu mlock %lu swapoff %lu swapoff-ENOMEM; pswpin %lu pswpout %lu pgmajfault %lu "
	       "pgsteal_file %lu\n",
	       c->name, st->stats[IS_READ], st->stats[IS_WRITE], st->stats[IS_FILL], st->stats[IS_MMAP],
	       st->stats[IS_MUNMAP], st->stats[IS_MREMAP], st->stats[IS_FORK], st->stats[IS_EXIT],
	       st->stats[IS_PWRITE], st->stats[IS_PREAD], st->stats[IS_TRUNC], st->stats[IS_MSYNC],
	       st->stats[IS_FSYNC], st->stats[IS_MADV], st->stats[IS_MLOCK], st->stats[IS_SWAPOFF],
	       st->stats[IS_ENOMEM], vm_event(st->m, PSWPIN), vm_event(st->m, PSWPOUT),
	       vm_event(st->m, PGMAJFAULT), vm_event(st->m, PGSTEAL_FILE));
	if (nops >= 1000)	/* the default runs must really swap */
		ICHECK(st, vm_event(st->m, PSWPOUT) > 0 && vm_event(st->m, PSWPIN) > 0,
		       "no swapping happened");
	mmkit_machine_destroy(st->m);
	nftw(st->dir, fl_rm, 8, FTW_DEPTH | FTW_PHYS);
	for (int f = 0; f < NFILES; f++)
		free(st->files[f].data);
	ops = st->op;
	free(st);
	return ops;
}

static u64 env_u64(const char *name, u64 dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : dflt;
}

/* Fixed seeds by default (the CTest run is reproducible); MMKIT_INTEGRITY_SECONDS
 * runs fresh ones. */
static void integrity_config(int ci, unsigned long dflt_ops)
{
	u64 seed = env_u64("MMKIT_INTEGRITY_SEED", 0x5eed0000ULL + (u64)ci);
	unsigned long nops = (unsigned long)env_u64("MMKIT_INTEGRITY_OPS", dflt_ops);
	u64 secs = env_u64("MMKIT_INTEGRITY_SECONDS", 0);
	unsigned long total = 0, runs = 0;
	time_t end;

	if (!secs || getenv("MMKIT_INTEGRITY_SEED")) {
		integrity_run(&configs[ci], seed, nops);
		return;
	}
	seed = ((u64)time(NULL) << 16) ^ (u64)(ci + 1) * 0x9e3779b97f4a7c15ULL;
	end = time(NULL) + (time_t)(secs / 3 ? secs / 3 : 1);
	while (time(NULL) < end) {
		total += integrity_run(&configs[ci], seed, nops);
		runs++;
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	}
	printf("integrity: %s %lu operations in %lu runs\n", configs[ci].name, total, runs);
}

static void test_integrity_i386_small_ram(void **state)
{
	(void)state;
	integrity_config(0, 4000);
}

static void test_integrity_x86_64_resident_limit(void **state)
{
	(void)state;
	integrity_config(1, 3000);
}

static void test_integrity_pae_resident_limit(void **state)
{
	(void)state;
	integrity_config(2, 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integrity_i386_small_ram),
		cmocka_unit_test(test_integrity_x86_64_resident_limit),
		cmocka_unit_test(test_integrity_pae_resident_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
