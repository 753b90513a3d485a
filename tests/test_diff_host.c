/* Differential test against the host kernel: the same seeded random
 * sequence of mmap, munmap, mprotect, mremap, madvise, mlock2(ONFAULT),
 * munlock and msync calls runs in a forked child process of the host and
 * in an mmkit process, and after every call the return value (address or
 * -errno) and the layout of the test window (ranges, permissions, file
 * offsets, which shmem object) must be the same. The host is the judge.
 *
 * The window: the child reserves WINDOW_PAGES with a PROT_NONE mapping and
 * fills every free gap above it (up to its mmap_base), so a mapping placed
 * without MAP_FIXED lands in a hole of the window or below the window,
 * never above. The mmkit process reserves the same addresses and gets
 * mmap_base = the window's end. All ranges the calls touch lie strictly
 * inside the window (the first and last page stay reserved) or are
 * lengths that fail before touching anything. A call that places a mapping
 * outside the window must do so on both sides; it is unmapped again.
 * No call faults pages in: pages would give VMAs an anon_vma and change
 * which of them may merge, and mmkit has no page-fault handler yet.
 *
 * MMKIT_DIFF_SEQUENCES=n runs n sequences (default 4000); MMKIT_DIFF_SEED=s
 * replays one; MMKIT_DIFF_STATS=1 prints how often each call succeeded or
 * failed with each errno. A failure prints the seed, the calls so far and both
 * layouts. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "mm/vma.h"

#define WINDOW_PAGES 2048UL
#define HOT_PAGES 256UL		/* most calls aim at the window's low end */
#define MAX_OPS 40
#define MAX_VMAS 160
#define OUTSIDE (-99999L)	/* a result placed outside the window */

enum op_kind { OP_MMAP, OP_MUNMAP, OP_MPROTECT, OP_MREMAP, OP_MADVISE, OP_MLOCK2,
	       OP_MUNLOCK, OP_MSYNC, NR_OPS };

static const char *const op_names[] = { "mmap", "munmap", "mprotect", "mremap", "madvise",
					"mlock2", "munlock", "msync" };

struct op {
	enum op_kind kind;
	unsigned long a[5];
};

struct vrec {
	unsigned long start, end, off, ino;
	char perms[5];
};

struct snapshot {
	long ret;
	int nvma;
	struct vrec v[MAX_VMAS];
};

/* What the child writes for the parent, per sequence. */
struct host_result {
	int nops_done;
	struct snapshot snap[MAX_OPS + 1];	/* [0]: before the first call */
};

/* One child runs a batch of sequences (a fork costs milliseconds here);
 * the whole batch lives in a MAP_SHARED region. */
#define BATCH 32
struct batch {
	unsigned long window;	/* 0: the child failed to set up */
	int nseq;
	u64 seed[BATCH];
	int nops[BATCH];
	struct op ops[BATCH][MAX_OPS];
	struct host_result res[BATCH];
};

static u64 rng;

static u64 rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned long pick(unsigned long n)
{
	return n ? (unsigned long)(rnd() % n) : 0;
}

/* A page index inside the window interior [1, WINDOW_PAGES - 1). */
static unsigned long pick_page(void)
{
	return 1 + (pick(4) ? pick(HOT_PAGES) : pick(WINDOW_PAGES - 2));
}

/* A length in pages for a range starting at page p, staying inside. */
static unsigned long pick_len(unsigned long p)
{
	unsigned long room = WINDOW_PAGES - 1 - p;
	unsigned long n = pick(8) ? 1 + pick(16) : 1 + pick(room);

	return n > room ? room : n;
}

static unsigned long pick_prot(void)
{
	static const unsigned long prots[] = {
		PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
		PROT_READ | PROT_WRITE | PROT_EXEC, PROT_WRITE, PROT_EXEC,
	};
	unsigned long prot = prots[pick(ARRAY_SIZE(prots))];

	if (!pick(40))
		prot |= 0x10;	/* invalid */
	if (!pick(60))
		prot |= PROT_SEM;
	return prot;
}

/* An address at page p; now and then off by a few bytes. */
static unsigned long at(unsigned long w, unsigned long p)
{
	return w + p * PAGE_SIZE + (pick(30) ? 0 : 1 + pick(PAGE_SIZE - 1));
}

/* A byte length of n pages; now and then a few bytes short or 0, or one
 * that wraps (fails before anything is touched). */
static unsigned long bytes(unsigned long n)
{
	switch (pick(40)) {
	case 0:
		return 0;
	case 1:
		return n * PAGE_SIZE - 1 - pick(PAGE_SIZE - 1);
	case 2:
		return ~0UL - pick(PAGE_SIZE);
	default:
		return n * PAGE_SIZE;
	}
}

static void gen_mmap(struct op *op, unsigned long w)
{
	unsigned long p = pick_page(), n = pick_len(p), flags = MAP_ANONYMOUS;
	unsigned long r = pick(100);

	flags |= r < 80 ? MAP_PRIVATE : r < 96 ? MAP_SHARED : r < 98 ? MAP_SHARED_VALIDATE : 0;
	r = pick(100);
	if (r < 45)
		flags |= MAP_FIXED;
	else if (r < 70)
		flags |= MAP_FIXED_NOREPLACE;
	if (!pick(8))
		flags |= MAP_NORESERVE;
	if (!pick(20))
		flags |= MAP_GROWSDOWN;
	if (!pick(30))
		flags |= MAP_STACK;
	op->kind = OP_MMAP;
	op->a[0] = r >= 95 ? 0 : at(w, p);
	op->a[1] = bytes(n);
	if (!(flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && !pick(6))
		op->a[1] = (1 + pick(2)) * (2UL << 20);	/* THP-aligned placement */
	op->a[2] = pick_prot();
	op->a[3] = flags;
	/* The offset is ignored for anonymous memory, but still checked. */
	switch (pick(40)) {
	case 0: op->a[4] = pick(1000) * PAGE_SIZE; break;
	case 1: op->a[4] = 1 + pick(PAGE_SIZE - 1); break;
	case 2: op->a[4] = ~0UL & PAGE_MASK; break;
	default: op->a[4] = 0; break;
	}
}

static void gen_range(struct op *op, enum op_kind kind, unsigned long w)
{
	unsigned long p = pick_page();

	op->kind = kind;
	op->a[0] = at(w, p);
	op->a[1] = bytes(pick_len(p));
}

static void gen_mremap(struct op *op, unsigned long w)
{
	unsigned long p = pick_page(), n = pick_len(p), q = pick_page(), flags = 0;
	unsigned long r = pick(100), new_n = pick(3) ? 1 + pick(24) : n;

	if (r < 70)
		flags |= MREMAP_MAYMOVE;
	if (r >= 40 && r < 75)
		flags |= MREMAP_FIXED;
	if (r >= 75 && r < 90)
		flags |= MREMAP_DONTUNMAP | MREMAP_MAYMOVE | (pick(2) ? MREMAP_FIXED : 0);
	if (r >= 98)
		flags |= 8;	/* invalid */
	if (flags & MREMAP_DONTUNMAP || (!pick(3) && (flags & MREMAP_FIXED)))
		new_n = n;
	if (new_n > WINDOW_PAGES - 1 - q)
		new_n = WINDOW_PAGES - 1 - q;
	if (!new_n)
		new_n = 1;
	op->kind = OP_MREMAP;
	op->a[0] = at(w, p);
	op->a[1] = pick(30) ? n * PAGE_SIZE : 0;
	op->a[2] = pick(40) ? new_n * PAGE_SIZE : (pick(2) ? 0 : ~0UL - PAGE_SIZE);
	op->a[3] = flags;
	op->a[4] = w + q * PAGE_SIZE + (pick(40) ? 0 : 0x800);
	/* Growing a range in place must stay inside the window. */
	if (op->a[2] > op->a[1] && p + op->a[2] / PAGE_SIZE > WINDOW_PAGES - 1 &&
	    op->a[2] != ~0UL - PAGE_SIZE)
		op->a[2] = op->a[1];
}

static void gen_madvise(struct op *op, unsigned long w)
{
	static const int advice[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
		MADV_FREE, MADV_DONTFORK, MADV_DOFORK, MADV_DONTDUMP, MADV_DODUMP,
		MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_COLD,
		MADV_PAGEOUT, MADV_DONTNEED_LOCKED, 77,
	};

	gen_range(op, OP_MADVISE, w);
	op->a[2] = (unsigned long)advice[pick(ARRAY_SIZE(advice))];
}

static void gen_op(struct op *op, unsigned long w)
{
	unsigned long r = pick(100);

	memset(op, 0, sizeof(*op));
	if (r < 34) {
		gen_mmap(op, w);
	} else if (r < 50) {
		gen_range(op, OP_MUNMAP, w);
	} else if (r < 66) {
		gen_range(op, OP_MPROTECT, w);
		op->a[2] = pick_prot() | (pick(25) ? 0 : pick(2) ? PROT_GROWSDOWN : PROT_GROWSUP);
	} else if (r < 82) {
		gen_mremap(op, w);
	} else if (r < 90) {
		gen_madvise(op, w);
	} else if (r < 94) {
		gen_range(op, OP_MLOCK2, w);
		op->a[2] = pick(20) ? MLOCK_ONFAULT : 2;
	} else if (r < 97) {
		gen_range(op, OP_MUNLOCK, w);
	} else {
		static const int msf[] = { MS_ASYNC, MS_SYNC, MS_ASYNC | MS_INVALIDATE,
					   MS_SYNC | MS_INVALIDATE, MS_ASYNC | MS_SYNC, 8 };

		gen_range(op, OP_MSYNC, w);
		op->a[2] = (unsigned long)msf[pick(ARRAY_SIZE(msf))];
	}
}

/* Where a successful call put a mapping, and how long, or 0. */
static unsigned long placed_len(const struct op *op, long ret)
{
	if (ret < 0 && ret > -4096)
		return 0;
	if (op->kind == OP_MMAP)
		return PAGE_ALIGN(op->a[1]);
	if (op->kind == OP_MREMAP)
		return PAGE_ALIGN(op->a[2]);
	return 0;
}

static bool inside(unsigned long w, unsigned long addr, unsigned long len)
{
	return addr >= w && addr + len <= w + WINDOW_PAGES * PAGE_SIZE && addr + len > addr;
}

/* ---- the host side (runs in the child: raw syscalls, no malloc) ---- */

static long raw(long nr, long a, long b, long c, long d, long e, long f)
{
	long r = syscall(nr, a, b, c, d, e, f);

	return r == -1 ? -errno : r;
}

static long host_call(const struct op *op)
{
	const unsigned long *a = op->a;

	switch (op->kind) {
	case OP_MMAP:
		return raw(SYS_mmap, (long)a[0], (long)a[1], (long)a[2], (long)a[3], -1, (long)a[4]);
	case OP_MUNMAP:
		return raw(SYS_munmap, (long)a[0], (long)a[1], 0, 0, 0, 0);
	case OP_MPROTECT:
		return raw(SYS_mprotect, (long)a[0], (long)a[1], (long)a[2], 0, 0, 0);
	case OP_MREMAP:
		return raw(SYS_mremap, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], 0);
	case OP_MADVISE:
		return raw(SYS_madvise, (long)a[0], (long)a[1], (long)a[2], 0, 0, 0);
	case OP_MLOCK2:
		return raw(SYS_mlock2, (long)a[0], (long)a[1], (long)a[2], 0, 0, 0);
	case OP_MUNLOCK:
		return raw(SYS_munlock, (long)a[0], (long)a[1], 0, 0, 0, 0);
	default:
		return raw(SYS_msync, (long)a[0], (long)a[1], (long)a[2], 0, 0, 0);
	}
}

static unsigned long hexnum(const char **p)
{
	unsigned long v = 0;

	for (;; (*p)++) {
		char c = **p;

		if (c >= '0' && c <= '9')
			v = v * 16 + (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (unsigned long)(c - 'a' + 10);
		else
			return v;
	}
}

static unsigned long decnum(const char **p)
{
	unsigned long v = 0;

	for (; **p >= '0' && **p <= '9'; (*p)++)
		v = v * 10 + (unsigned long)(**p - '0');
	return v;
}

/* The VMAs of a maps text clipped to the window. */
static void parse_maps(const char *text, unsigned long w, struct snapshot *s)
{
	unsigned long wend = w + WINDOW_PAGES * PAGE_SIZE;
	const char *p = text;

	s->nvma = 0;
	while (*p) {
		struct vrec v = { 0 };

		v.start = hexnum(&p);
		p++;
		v.end = hexnum(&p);
		p++;
		memcpy(v.perms, p, 4);
		p += 5;
		v.off = hexnum(&p);
		p++;
		hexnum(&p);
		p++;
		hexnum(&p);
		p++;
		v.ino = decnum(&p);
		while (*p && *p != '\n')
			p++;
		if (*p)
			p++;
		if (v.end <= w || v.start >= wend || s->nvma == MAX_VMAS)
			continue;
		v.start = max(v.start, w);
		v.end = min(v.end, wend);
		s->v[s->nvma++] = v;
	}
}

static char maps_buf[1 << 22];

static void host_snapshot(unsigned long w, struct snapshot *s)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	size_t n = 0;
	ssize_t r;

	while (fd >= 0 && (r = read(fd, maps_buf + n, sizeof(maps_buf) - 1 - n)) > 0)
		n += (size_t)r;
	if (fd >= 0)
		close(fd);
	maps_buf[n] = '\0';
	parse_maps(maps_buf, w, s);
}

/* Take every free page above the window (up to mmap_base), so top-down
 * placement can only use the window's holes or the space below it. */
static void host_fill_above(unsigned long w)
{
	unsigned long wend = w + WINDOW_PAGES * PAGE_SIZE;

	for (unsigned long size = 1UL << 34; size >= PAGE_SIZE; size >>= 1) {
		for (;;) {
			long p = raw(SYS_mmap, 0, (long)size, PROT_NONE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

			if (p < 0 && p > -4096)
				break;
			if ((unsigned long)p < wend) {
				raw(SYS_munmap, p, (long)size, 0, 0, 0, 0);
				break;
			}
		}
	}
}

static void host_run(const struct op *ops, int nops, unsigned long w, struct host_result *res)
{
	host_snapshot(w, &res->snap[0]);
	for (int i = 0; i < nops; i++) {
		struct op op = ops[i];
		long ret;
		unsigned long len;

		/* The generator used window 0: relocate the addresses. */
		if (op.a[0] || op.kind != OP_MMAP)
			op.a[0] += w;
		if (op.kind == OP_MREMAP)
			op.a[4] += w;
		ret = host_call(&op);
		len = placed_len(&op, ret);
		if (len && !inside(w, (unsigned long)ret, len)) {
			raw(SYS_munmap, ret, (long)len, 0, 0, 0, 0);
			ret = OUTSIDE;
		}
		res->snap[i + 1].ret = ret;
		host_snapshot(w, &res->snap[i + 1]);
		res->nops_done = i + 1;
	}
}

static void host_child(struct batch *b)
{
	long w = raw(SYS_mmap, 0, (long)(WINDOW_PAGES * PAGE_SIZE), PROT_NONE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (w < 0 && w > -4096)
		_exit(2);
	host_fill_above((unsigned long)w);
	b->window = (unsigned long)w;
	for (int k = 0; k < b->nseq; k++) {
		if (k) {	/* a fresh window at the same place */
			raw(SYS_munmap, w, (long)(WINDOW_PAGES * PAGE_SIZE), 0, 0, 0, 0);
			if (raw(SYS_mmap, w, (long)(WINDOW_PAGES * PAGE_SIZE), PROT_NONE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != w)
				_exit(3);
		}
		host_run(b->ops[k], b->nops[k], (unsigned long)w, &b->res[k]);
	}
	_exit(0);
}

/* ---- the mmkit side ---- */

static long mmkit_call(struct machine *m, const struct op *op)
{
	const unsigned long *a = op->a;

	switch (op->kind) {
	case OP_MMAP:
		return sys_mmap(m, a[0], a[1], a[2], a[3], (unsigned long)-1, a[4]);
	case OP_MUNMAP:
		return sys_munmap(m, a[0], a[1]);
	case OP_MPROTECT:
		return sys_mprotect(m, a[0], a[1], a[2]);
	case OP_MREMAP:
		return sys_mremap(m, a[0], a[1], a[2], a[3], a[4]);
	case OP_MADVISE:
		return sys_madvise(m, a[0], a[1], (int)a[2]);
	case OP_MLOCK2:
		return sys_mlock2(m, a[0], a[1], (int)a[2]);
	case OP_MUNLOCK:
		return sys_munlock(m, a[0], a[1]);
	default:
		return sys_msync(m, a[0], a[1], (int)a[2]);
	}
}

static void mmkit_snapshot(struct machine *m, unsigned long w, struct snapshot *s)
{
	char *text = test_proc(m, "/proc/self/maps");

	parse_maps(text, w, s);
	free(text);
}

static void print_op(FILE *f, int i, const struct op *op)
{
	fprintf(f, "  #%d %s(%#lx, %#lx, %#lx, %#lx, %#lx)\n", i, op_names[op->kind], op->a[0],
		op->a[1], op->a[2], op->a[3], op->a[4]);
}

static void print_snapshot(FILE *f, const char *who, const struct snapshot *s)
{
	fprintf(f, "  %s: ret %ld (%#lx)\n", who, s->ret, (unsigned long)s->ret);
	for (int i = 0; i < s->nvma; i++)
		fprintf(f, "    %lx-%lx %s %08lx ino %lu\n", s->v[i].start, s->v[i].end,
			s->v[i].perms, s->v[i].off, s->v[i].ino);
}

static void print_ops(const struct op *ops, int last, unsigned long w)
{
	for (int j = 0; j <= last; j++) {
		struct op o = ops[j];

		if (o.a[0] || o.kind != OP_MMAP)
			o.a[0] += w;
		if (o.kind == OP_MREMAP)
			o.a[4] += w;
		print_op(stderr, j, &o);
	}
}

/* Shmem inode numbers differ between the two: compare the order in which
 * each object first appears. */
struct ino_map {
	unsigned long from[64];
	int n;
};

static unsigned long ino_class(struct ino_map *map, unsigned long ino)
{
	if (!ino)
		return 0;
	for (int i = 0; i < map->n; i++)
		if (map->from[i] == ino)
			return (unsigned long)i + 1;
	if (map->n < 64)
		map->from[map->n++] = ino;
	return (unsigned long)map->n;
}

static bool snapshots_equal(const struct snapshot *h, const struct snapshot *k,
			    struct ino_map *hm, struct ino_map *km)
{
	if (h->ret != k->ret || h->nvma != k->nvma)
		return false;
	for (int i = 0; i < h->nvma; i++) {
		const struct vrec *a = &h->v[i], *b = &k->v[i];

		if (a->start != b->start || a->end != b->end || memcmp(a->perms, b->perms, 4) ||
		    a->off != b->off || ino_class(hm, a->ino) != ino_class(km, b->ino))
			return false;
	}
	return true;
}

static const char diff_machine[] =
	"name diff-x86_64\n"
	"arch x86_64\n"
	"cpus 1\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable\n";

static void gen_sequence(struct batch *b, int k, u64 seed)
{
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	b->seed[k] = seed;
	b->nops[k] = 10 + (int)pick(MAX_OPS - 10);
	for (int i = 0; i < b->nops[k]; i++)
		gen_op(&b->ops[k][i], 0);
	b->res[k].nops_done = 0;
}

/* Run the batch on the host; returns 0, or 1 when the child died. */
static int run_host_batch(struct batch *b)
{
	int status;
	pid_t pid;

	b->window = 0;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		host_child(b);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	for (int k = 0; k < b->nseq; k++)
		if (b->res[k].nops_done != b->nops[k]) {
			fprintf(stderr, "seed %llu: host child died (status %#x) after %d calls\n",
				(unsigned long long)b->seed[k], status, b->res[k].nops_done);
			break;
		}
	return 1;
}

/* How often each call succeeded, went outside, or failed with each errno. */
static unsigned long stats[NR_OPS][3 + 128];

static void count_result(enum op_kind kind, long ret)
{
	if (ret == OUTSIDE)
		stats[kind][1]++;
	else if (ret < 0 && ret > -128)
		stats[kind][3 - ret]++;
	else
		stats[kind][0]++;
}

static void print_stats(void)
{
	for (int k = 0; k < NR_OPS; k++) {
		fprintf(stderr, "  %-8s ok %lu outside %lu", op_names[k], stats[k][0], stats[k][1]);
		for (int e = 1; e < 125; e++)
			if (stats[k][3 + e])
				fprintf(stderr, " E%d:%lu", e, stats[k][3 + e]);
		fputc('\n', stderr);
	}
}

/* Replay sequence k of the batch in mmkit; returns 0 when both sides
 * agree, else 1 (reported). */
static int run_mmkit_sequence(struct machine *m, struct batch *b, int k)
{
	const struct op *ops = b->ops[k];
	const struct host_result *res = &b->res[k];
	struct ino_map hm = { .n = 0 }, km = { .n = 0 };
	struct mmkit_exec_layout layout = { .privileged = geteuid() == 0 };
	unsigned long long seed = b->seed[k];
	unsigned long w = b->window;
	struct task_struct *tsk;
	int nops = b->nops[k], bad = 0;

	tsk = mmkit_spawn(m, "diff", &layout);
	assert_non_null(tsk);
	mmkit_set_current(m, tsk);
	assert_int_equal(sys_mmap(m, w, WINDOW_PAGES * PAGE_SIZE, PROT_NONE,
				  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0), (long)w);
	tsk->mm->mmap_base = w + WINDOW_PAGES * PAGE_SIZE;

	for (int i = 0; i < nops && !bad; i++) {
		struct op op = ops[i];
		struct snapshot snap;
		unsigned long len;
		long ret;

		if (op.a[0] || op.kind != OP_MMAP)
			op.a[0] += w;
		if (op.kind == OP_MREMAP)
			op.a[4] += w;
		ret = mmkit_call(m, &op);
		len = placed_len(&op, ret);
		if (len && !inside(w, (unsigned long)ret, len)) {
			assert_int_equal(sys_munmap(m, (unsigned long)ret, len), 0);
			ret = OUTSIDE;
		}
		snap.ret = ret;
		count_result(op.kind, ret);
		mmkit_snapshot(m, w, &snap);
		if (!snapshots_equal(&res->snap[i + 1], &snap, &hm, &km)) {
			fprintf(stderr, "MISMATCH seed %llu (MMKIT_DIFF_SEED=%llu replays it) at call #%d; window %#lx\n",
				seed, seed, i, w);
			print_ops(ops, i, w);
			print_snapshot(stderr, "host before", &res->snap[i]);
			print_snapshot(stderr, "host ", &res->snap[i + 1]);
			print_snapshot(stderr, "mmkit", &snap);
			bad = 1;
		} else if (check_vmas(m) || (i == nops - 1 && mmkit_check(m))) {
			size_t loglen;
			const char *log = mmkit_log_text(m, &loglen);

			fprintf(stderr, "seed %llu: invariant checker failed after call #%d\n%s\n",
				seed, i, loglen > 2000 ? log + loglen - 2000 : log);
			print_ops(ops, i, w);
			bad = 1;
		}
	}
	mmkit_exit(m, tsk, 0);
	return bad;
}

/* Generate, run on the host, replay in mmkit: seeds [first, first + n). */
static unsigned long run_seeds(struct machine *m, struct batch *b, u64 first, unsigned long n)
{
	unsigned long failures = 0;

	for (unsigned long done = 0; done < n && failures < 5;) {
		b->nseq = (int)min(n - done, (unsigned long)BATCH);
		for (int k = 0; k < b->nseq; k++)
			gen_sequence(b, k, first + done + (u64)k);
		if (run_host_batch(b))
			return failures + 1;
		for (int k = 0; k < b->nseq && failures < 5; k++)
			failures += (unsigned long)run_mmkit_sequence(m, b, k);
		done += (unsigned long)b->nseq;
	}
	return failures;
}

static void test_diff_against_host(void **state)
{
	const char *env_n = getenv("MMKIT_DIFF_SEQUENCES"), *env_seed = getenv("MMKIT_DIFF_SEED");
	unsigned long n = env_n ? strtoul(env_n, NULL, 0) : 4000;
	struct batch *b = mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			       -1, 0);
	struct machine *m = test_boot_text(diff_machine);
	unsigned long failures;

	(void)state;
	assert_true(b != MAP_FAILED);
	if (env_seed)
		failures = run_seeds(m, b, strtoull(env_seed, NULL, 0), 1);
	else
		failures = run_seeds(m, b, 1, n);
	if (getenv("MMKIT_DIFF_STATS"))
		print_stats();
	assert_int_equal(m->vm.vm_committed_as, m->vm.vm_committed_leaked);
	assert_clean(m);
	mmkit_machine_destroy(m);
	munmap(b, sizeof(*b));
	assert_int_equal(failures, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_diff_against_host),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
