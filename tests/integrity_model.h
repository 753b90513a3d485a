/* The shadow model of tests/test_integrity.c (issues 5 and 7): random
 * numbers, the model's pages (private COW objects, backing objects: files,
 * shmem objects, SysV shm segments) and processes, failure reports, and
 * the checks that compare mmkit's memory and the host files with it.
 * Included by test_integrity.c only (static functions). */
#ifndef MMKIT_TESTS_INTEGRITY_MODEL_H
#define MMKIT_TESTS_INTEGRITY_MODEL_H


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "file_test.h"
#include "stress_common.h"

#include <mmkit/swap.h>
#include <mmkit/vmscan.h>

#include <mmkit/shm.h>

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
#define MAX_SEGS 6		/* SysV shm segments alive at once */
#define SEG_MAX_PAGES 48
#define SEG_MAX_LOCKED 64	/* pages of SHM_LOCKed segments */
#define SHM_KEY0 0x1e7e0000	/* keyed segments: SHM_KEY0 + 0..2 */

/* ---- random bytes (the generator is stress_common.h's) ---- */

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
	int att;			/* SysV shm: which shmat (its file), else 0 */
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

/* A SysV shm segment: its pages are a backing the segment holds one
 * reference to (the attached slots hold the others); key IPC_PRIVATE
 * after IPC_RMID; size in bytes. Removed, it dies with its last mapping. */
struct iseg {
	struct backing *b;		/* NULL: a free entry */
	int id;
	s32 key;
	unsigned long size;
	bool removed;			/* SHM_DEST */
	bool locked;			/* SHM_LOCKED */
};

enum { IS_READ, IS_WRITE, IS_FILL, IS_MMAP, IS_MUNMAP, IS_MREMAP, IS_FORK, IS_EXIT, IS_PWRITE,
       IS_PREAD, IS_TRUNC, IS_MSYNC, IS_FSYNC, IS_MADV, IS_MLOCK, IS_SWAPOFF, IS_ENOMEM,
       IS_SHMGET, IS_SHMAT, IS_SHMDT, IS_SHMCTL, IS_SHMDIED, IS_KALLOC, IS_KFAIL, IS_NSTATS };

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
	struct iseg seg[MAX_SEGS];
	int next_att;			/* the last attach's number */
	int dead_id;			/* the last destroyed segment's id, or -1 */
	struct kpool kp;		/* kernel allocations held (integrity_kernel.h) */
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

/* The first live process, or -1. */
static int any_alive(struct ist *st)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (st->p[i].alive)
			return i;
	return -1;
}

/* How many live processes map segment s somewhere in their window. */
static int seg_mappers(struct ist *st, const struct iseg *s)
{
	int n = 0;

	for (int i = 0; i < MAX_PROCS; i++) {
		for (unsigned long j = 0; st->p[i].alive && j < W_PAGES; j++) {
			if (st->p[i].s[j].b == s->b) {
				n++;
				break;
			}
		}
	}
	return n;
}

/* IPC_STAT of every live segment matches the model (size, key, mode with
 * SHM_DEST and SHM_LOCKED, attached or not: shm_nattch counts VMAs, at
 * least one per mapping process); the last destroyed id is EINVAL. */
static void shm_verify(struct ist *st)
{
	struct mmkit_shmid_ds ds;
	int pi = any_alive(st);

	if (pi < 0)
		return;
	use(st, pi);
	for (int k = 0; k < MAX_SEGS; k++) {
		const struct iseg *s = &st->seg[k];
		u32 mode = 0600u | (s->removed ? SHM_DEST : 0) | (s->locked ? SHM_LOCKED : 0);
		long ret;
		int mappers;

		if (!s->b)
			continue;
		ret = sys_shmctl(st->m, s->id, IPC_STAT, &ds);
		ICHECK(st, ret == 0, "IPC_STAT of segment %d: %ld", s->id, ret);
		ICHECK(st, ds.shm_segsz == s->size && ds.shm_perm.key == s->key && ds.shm_perm.mode == mode,
		       "segment %d: size %lu key %#x mode %#o, expected %lu %#x %#o", s->id,
		       ds.shm_segsz, ds.shm_perm.key, ds.shm_perm.mode, s->size, s->key, mode);
		mappers = seg_mappers(st, s);
		ICHECK(st, (ds.shm_nattch == 0) == (s->b->refs == 1) && ds.shm_nattch >= (unsigned long)mappers,
		       "segment %d: shm_nattch %lu, mapped by %d processes (%d pages)", s->id,
		       ds.shm_nattch, mappers, s->b->refs - 1);
	}
	if (st->dead_id >= 0) {
		long ret = sys_shmctl(st->m, st->dead_id, IPC_STAT, &ds);

		ICHECK(st, ret == -EINVAL, "IPC_STAT of destroyed segment %d: %ld", st->dead_id, ret);
	}
}

/* A segment removed with IPC_RMID dies with its last mapping (the last
 * shmdt, munmap, mremap over it, exit): the model drops it and the
 * kernel must not know the id any more (shm_verify). */
static void shm_reap(struct ist *st)
{
	for (int k = 0; k < MAX_SEGS; k++) {
		struct iseg *s = &st->seg[k];

		if (!s->b || !s->removed || s->b->refs > 1)
			continue;
		st->dead_id = s->id;
		backing_put(s->b);
		memset(s, 0, sizeof(*s));
		st->stats[IS_SHMDIED]++;
	}
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
	shm_verify(st);
}

/* The active swap area a, or NULL. */
static struct swap_info_struct *area(struct ist *st, int a)
{
	for (int t = 0; t < st->m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = st->m->swap.swap_info[t];

		if (si && (si->flags & SWP_WRITEOK) && !strcmp(si->path, area_names[a]))
			return si;
	}
	return NULL;
}

/* Every process that mapped anything has exited and every segment is
 * gone: no slot in use, nothing in the swap cache. */
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

/* MMKIT_INTEGRITY_DEBUG: /proc files, the first warning, inodes and swap
 * caches left at the end. */
static void debug_dump_end(struct ist *st)
{
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

#endif
