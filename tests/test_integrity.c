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
 * the areas in the middle of it all; and (issue 7) System V shm: shmget
 * (IPC_PRIVATE and keyed), shmat, shmdt, IPC_RMID, SHM_LOCK/SHM_UNLOCK,
 * attachments inherited by fork and dropped at exit (tests/integrity_shm.h).
 *
 * The shadow model knows nothing of mmkit: per process, a slot per window
 * page {private anonymous object (copy-on-write, shared by fork), or a
 * page of a backing object (a file, a shmem object, a SysV segment)
 * shared, or privately mapped with a COW copy once written}; per segment
 * its id, key, size, SHM_DEST and SHM_LOCKED (tests/integrity_model.h).
 * It predicts every byte read. After each operation its range reads back
 * as predicted; every VERIFY_EVERY operations every mapped byte and every
 * file byte (pread) is compared; every CHECK_EVERY operations
 * mmkit_check() must be clean; after msync the host file holds the range,
 * after fsync the whole file. IPC_STAT of every segment matches the model
 * after each shm operation and at every full verify; a removed segment
 * dies with its last mapping and its id is EINVAL from then on.
 *
 * At the end: everything exits; a new process attaches each surviving
 * segment, reads it back, removes and detaches it (SHM_INFO: no segment
 * left); every slot of both swap areas is free (swap_map all zero) and
 * the swap cache is empty; /proc/meminfo's Shmem is 0; after sync the
 * host files hold exactly what MAP_SHARED and write() wrote, byte for
 * byte, and their sizes; the files are unlinked (their page cache goes)
 * and the free page count is back to its boot value (vmalloc's kernel
 * page tables aside, which Linux keeps too).
 *
 * Environment: MMKIT_INTEGRITY_SEED (replay one seed), MMKIT_INTEGRITY_OPS
 * (operations per machine), MMKIT_INTEGRITY_SECONDS (rounds of fresh seeds
 * for that long: the check-stress target). Seeds are printed. */
#include "integrity_model.h"
#include "integrity_shm.h"
#include "integrity_kernel.h"

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
	dst->att = src->att;	/* a SysV attach grows as itself */
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
	unsigned long dice = rn(&st->r, 220);
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
	else if (dice >= 200)
		shm_op(st, pi, dice - 200);
	else
		kernel_op(st);
	shm_reap(st);
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
}


static void finish(struct ist *st, unsigned long free0, unsigned long kt0)
{
	verify_all(st);
	kernel_finish(st);
	for (int i = MAX_PROCS - 1; i >= 0; i--)
		if (st->p[i].alive)
			ip_exit(st, i);
	ICHECK(st, st->m->sched.nr_tasks == 0, "%d tasks left", st->m->sched.nr_tasks);
	spawn(st);
	shm_finish(st, 0);
	check_swap_empty(st);
	ICHECK(st, meminfo_kb(st->m, "Shmem:") == 0, "Shmem: %lu kB", meminfo_kb(st->m, "Shmem:"));
	/* the host files hold what MAP_SHARED and write() wrote */
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
	ICHECK(st, meminfo_kb(st->m, "Shmem:") == 0, "Shmem: %lu kB", meminfo_kb(st->m, "Shmem:"));
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
	if (getenv("MMKIT_INTEGRITY_DEBUG"))
		debug_dump_end(st);
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
	st->dead_id = -1;
	printf("integrity: %s seed %#llx ops %lu\n", c->name, (unsigned long long)seed, nops);
	fflush(stdout);
	make_files(st);
	boot(st, c);
	kernel_init(st);
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
	       "%lu mlock %lu swapoff %lu swapoff-ENOMEM %lu shmget %lu shmat %lu shmdt %lu shmctl "
	       "%lu segments died %lu kernel allocations (%lu failed); pswpin %lu pswpout %lu "
	       "pgmajfault %lu pgsteal_file %lu\n",
	       c->name, st->stats[IS_READ], st->stats[IS_WRITE], st->stats[IS_FILL], st->stats[IS_MMAP],
	       st->stats[IS_MUNMAP], st->stats[IS_MREMAP], st->stats[IS_FORK], st->stats[IS_EXIT],
	       st->stats[IS_PWRITE], st->stats[IS_PREAD], st->stats[IS_TRUNC], st->stats[IS_MSYNC],
	       st->stats[IS_FSYNC], st->stats[IS_MADV], st->stats[IS_MLOCK], st->stats[IS_SWAPOFF],
	       st->stats[IS_ENOMEM], st->stats[IS_SHMGET], st->stats[IS_SHMAT], st->stats[IS_SHMDT],
	       st->stats[IS_SHMCTL], st->stats[IS_SHMDIED], st->stats[IS_KALLOC], st->stats[IS_KFAIL],
	       vm_event(st->m, PSWPIN), vm_event(st->m, PSWPOUT),
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
