/* SysV shm operations of tests/test_integrity.c (issue 7): shmget
 * (IPC_PRIVATE and keyed: found, EEXIST, EINVAL, ENOENT), shmat into the
 * window (SHM_RND, SHM_REMAP, EINVAL over a mapping or unaligned),
 * shmdt (ksys_shmdt's rule: the first VMA from the address whose offset
 * from it is its vm_pgoff, then that attach's other such pieces within
 * the segment's size), shmctl IPC_RMID (the segment dies at its last
 * detach), SHM_LOCK and SHM_UNLOCK; each predicted by the shadow model
 * (tests/integrity_model.h). Attached pages are S_SHARED slots of the
 * segment's backing, so every read and write through any attachment of
 * any process is checked like the other shared mappings, and fork, exit,
 * munmap and mremap act on them as on those. Included by
 * test_integrity.c only. */
#ifndef MMKIT_TESTS_INTEGRITY_SHM_H
#define MMKIT_TESTS_INTEGRITY_SHM_H

#include "integrity_model.h"

static struct iseg *seg_free_entry(struct ist *st)
{
	for (int k = 0; k < MAX_SEGS; k++)
		if (!st->seg[k].b)
			return &st->seg[k];
	return NULL;
}

static struct iseg *seg_by_key(struct ist *st, s32 key)
{
	for (int k = 0; k < MAX_SEGS; k++)
		if (st->seg[k].b && st->seg[k].key == key)
			return &st->seg[k];
	return NULL;
}

/* A random live segment, or NULL. */
static struct iseg *seg_pick(struct ist *st)
{
	unsigned long k0 = rn(&st->r, MAX_SEGS);

	for (unsigned long k = 0; k < MAX_SEGS; k++)
		if (st->seg[(k0 + k) % MAX_SEGS].b)
			return &st->seg[(k0 + k) % MAX_SEGS];
	return NULL;
}

static unsigned long seg_pages(const struct iseg *s)
{
	return (s->size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

static void do_shmget(struct ist *st, int pi)
{
	s32 key = rn(&st->r, 3) ? (s32)(SHM_KEY0 + rn(&st->r, 3)) : IPC_PRIVATE;
	unsigned long size = PG(1 + rn(&st->r, SEG_MAX_PAGES)), sel = rn(&st->r, 3);
	int flg = 0600 | (sel ? IPC_CREAT : 0) | (sel == 2 ? IPC_EXCL : 0);
	struct iseg *s = key == IPC_PRIVATE ? NULL : seg_by_key(st, key);
	long ret, want;

	if (rn(&st->r, 3) == 0)
		size -= rn(&st->r, PAGE_SIZE);	/* not a whole number of pages */
	if (s)
		want = sel == 2 ? -EEXIST : size > s->size ? -EINVAL : s->id;
	else if (key != IPC_PRIVATE && !sel)
		want = -ENOENT;
	else if (!seg_free_entry(st))
		return;
	else
		want = 0;	/* a new id */
	note(st, "pid %d shmget %#x %lu %#o", st->p[pi].pid, (unsigned int)key, size, (unsigned int)flg);
	use(st, pi);
	ret = sys_shmget(st->m, key, size, flg);
	if (s || want < 0) {
		ICHECK(st, ret == want, "shmget returned %ld, expected %ld", ret, want);
	} else {
		ICHECK(st, ret >= 0 && ret != st->dead_id, "shmget returned %ld", ret);
		for (int k = 0; k < MAX_SEGS; k++)
			ICHECK(st, !st->seg[k].b || st->seg[k].id != ret, "shmget: id %ld in use", ret);
		s = seg_free_entry(st);
		s->id = (int)ret;
		s->key = key;
		s->size = size;
		s->b = calloc(1, sizeof(*s->b));
		assert_non_null(s->b);
		s->b->refs = 1;
		s->b->npages = seg_pages(s);
		s->b->data = calloc(s->b->npages, PAGE_SIZE);
		assert_non_null(s->b->data);
	}
	st->stats[IS_SHMGET]++;
}

/* Whether any of [f, f + n) is mapped. */
static bool window_used(struct ist *st, int pi, unsigned long f, unsigned long n)
{
	for (unsigned long j = f; j < f + n; j++)
		if (wslot(st, pi, j)->kind != S_NONE)
			return true;
	return false;
}

static void do_shmat(struct ist *st, int pi)
{
	struct iseg *s = seg_pick(st);
	unsigned long n, f, addr, sel = rn(&st->r, 8);
	int flg = rn(&st->r, 3) ? 0 : SHM_REMAP;
	long ret, want;

	use(st, pi);
	if (!s) {
		if (st->dead_id >= 0)
			ICHECK(st, sys_shmat(st->m, st->dead_id, W_BASE, 0) == -EINVAL, "shmat dead id");
		return;
	}
	n = seg_pages(s);
	f = rn(&st->r, W_PAGES - n + 1);
	addr = W_BASE + PG(f);
	if (sel < 2)
		addr += 1 + rn(&st->r, PAGE_SIZE - 1);
	if (sel == 0)
		flg |= SHM_RND;	/* rounded down to SHMLBA */
	if (sel == 1)
		want = -EINVAL;	/* unaligned */
	else if (!(flg & SHM_REMAP) && window_used(st, pi, f, n))
		want = -EINVAL;	/* over a mapping */
	else
		want = (long)(W_BASE + PG(f));
	note(st, "pid %d shmat %d at %#lx (%lu pages) flags %#o", st->p[pi].pid, s->id, addr, n,
	     (unsigned int)flg);
	ret = sys_shmat(st->m, s->id, addr, flg);
	ICHECK(st, ret == want, "shmat returned %#lx, expected %#lx", ret, want);
	if (ret < 0)
		return;
	st->next_att++;
	for (unsigned long j = 0; j < n; j++) {
		slot_set(wslot(st, pi, f + j), S_SHARED, s->b, j);
		wslot(st, pi, f + j)->att = st->next_att;
	}
	verify_slots(st, pi, f, n);
	st->stats[IS_SHMAT]++;
}

/* ksys_shmdt at window page f: which attach goes, and which of its pages. */
static void do_shmdt(struct ist *st, int pi)
{
	unsigned long f = rn(&st->r, W_PAGES), i = rn(&st->r, W_PAGES), gone = 0;
	const struct slot *sl = wslot(st, pi, i);
	struct backing *b = NULL;
	int att = 0;
	long ret;

	if (sl->att && sl->pgoff <= i && rn(&st->r, 4))
		f = i - sl->pgoff;	/* where an attach starts, mostly */
	for (unsigned long j = f; j < W_PAGES && !att; j++) {
		sl = wslot(st, pi, j);
		if (sl->att && sl->pgoff == j - f) {
			att = sl->att;
			b = sl->b;
		}
	}
	note(st, "pid %d shmdt %#lx (attach %d)", st->p[pi].pid, W_BASE + PG(f), att);
	use(st, pi);
	ret = sys_shmdt(st->m, W_BASE + PG(f));
	ICHECK(st, ret == (att ? 0 : -EINVAL), "shmdt returned %ld", ret);
	for (unsigned long j = f; att && j < W_PAGES && j < f + b->npages; j++) {
		sl = wslot(st, pi, j);
		if (sl->att == att && sl->pgoff == j - f) {
			slot_clear(wslot(st, pi, j));
			gone++;
		}
	}
	ICHECK(st, !att || gone, "shmdt: nothing detached in the model");
	st->stats[IS_SHMDT]++;
}

static unsigned long seg_locked_pages(struct ist *st)
{
	unsigned long n = 0;

	for (int k = 0; k < MAX_SEGS; k++)
		if (st->seg[k].b && st->seg[k].locked)
			n += st->seg[k].b->npages;
	return n;
}

/* IPC_RMID (twice is fine: SHM_DEST stays), SHM_LOCK, SHM_UNLOCK. */
static void do_shmctl(struct ist *st, int pi)
{
	struct iseg *s = seg_pick(st);
	int cmd = rn(&st->r, 3) ? IPC_RMID : SHM_LOCK;
	long ret;

	if (!s)
		return;
	if (cmd == SHM_LOCK && (s->locked || seg_locked_pages(st) + s->b->npages > SEG_MAX_LOCKED))
		cmd = SHM_UNLOCK;
	note(st, "pid %d shmctl %d %s", st->p[pi].pid, s->id,
	     cmd == IPC_RMID ? "IPC_RMID" : cmd == SHM_LOCK ? "SHM_LOCK" : "SHM_UNLOCK");
	use(st, pi);
	ret = sys_shmctl(st->m, s->id, cmd, NULL);
	ICHECK(st, ret == 0, "shmctl returned %ld", ret);
	if (cmd == IPC_RMID) {
		s->removed = true;
		s->key = IPC_PRIVATE;
	} else {
		s->locked = cmd == SHM_LOCK;
	}
	st->stats[IS_SHMCTL]++;
}

static void shm_op(struct ist *st, int pi, unsigned long dice)
{
	if (dice < 5)
		do_shmget(st, pi);
	else if (dice < 12)
		do_shmat(st, pi);
	else if (dice < 16)
		do_shmdt(st, pi);
	else
		do_shmctl(st, pi);
	shm_reap(st);
	shm_verify(st);
}

/* At the end, every process gone: process pi attaches each surviving
 * segment (detached ones keep their bytes, swapped or not), reads it
 * back, removes and detaches it; then no segment and no Shmem is left. */
static void shm_finish(struct ist *st, int pi)
{
	struct mmkit_shm_info si;
	u8 *buf = malloc(PAGE_SIZE);

	assert_non_null(buf);
	shm_reap(st);
	use(st, pi);
	for (int k = 0; k < MAX_SEGS; k++) {
		struct iseg *s = &st->seg[k];
		long addr;

		if (!s->b)
			continue;
		note(st, "end: segment %d", s->id);
		addr = sys_shmat(st->m, s->id, W_BASE, 0);
		ICHECK(st, addr == (long)W_BASE, "end: shmat %d returned %ld", s->id, addr);
		for (unsigned long j = 0; j < s->b->npages; j++) {
			ICHECK(st, mmkit_read(st->m, W_BASE + PG(j), buf, PAGE_SIZE) == 0, "end: read");
			ICHECK(st, !memcmp(buf, s->b->data + PG(j), PAGE_SIZE),
			       "end: segment %d page %lu differs", s->id, j);
		}
		ICHECK(st, sys_shmctl(st->m, s->id, IPC_RMID, NULL) == 0, "end: IPC_RMID");
		ICHECK(st, sys_shmdt(st->m, W_BASE) == 0, "end: shmdt");
		s->removed = true;
		shm_reap(st);
		shm_verify(st);
	}
	free(buf);
	ICHECK(st, sys_shmctl(st->m, 0, SHM_INFO, &si) >= 0 && si.used_ids == 0 && si.shm_tot == 0,
	       "end: %d segments, %lu pages left", si.used_ids, si.shm_tot);
}

#endif
