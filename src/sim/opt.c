/* Offline page replacement over a reference string: Belady's OPT (evict
 * the resident page whose next use is farthest in the future, or never),
 * and FIFO, LRU and CLOCK exactly as the kernel's policies
 * (src/mm/vmscan_policy.c) order their one list, so the kernel path can be
 * checked against them (tests/test_policy.c) and trace replay can report
 * what OPT would have done (tools/trace_cmd.c, src/sim/trace_replay.c).
 *
 * The model of the kernel's list: a new page enters at the head; FIFO
 * evicts the tail; LRU moves a page to the head on every access and
 * evicts the tail; CLOCK gives the tail page a second chance (clear its
 * reference bit, move it to the head) while its bit is set; a page's bit
 * is set by every access, the one that loads it included.
 *
 * O(n * frames) time: fine for replayed traces of a few million
 * references and small frame counts; OPT precomputes each reference's
 * next use in O(n) with a hash of the page numbers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/vmscan.h>

struct frame {
	unsigned long page;
	size_t next_use;	/* OPT: index of the next reference, n = never */
	bool ref;		/* CLOCK's reference bit */
};

/* next[i]: the index of the next reference to refs[i]'s page after i, or n. */
static size_t *next_uses(const unsigned long *refs, size_t n)
{
	size_t cap = 16, *next, *slot_idx;
	unsigned long *slot_page;

	while (cap < 2 * n)
		cap <<= 1;
	next = malloc(n * sizeof(*next));
	slot_idx = malloc(cap * sizeof(*slot_idx));
	slot_page = malloc(cap * sizeof(*slot_page));
	if (!next || !slot_idx || !slot_page) {
		free(next), free(slot_idx), free(slot_page);
		return NULL;
	}
	for (size_t i = 0; i < cap; i++)
		slot_idx[i] = n;	/* empty */
	for (size_t i = n; i-- > 0;) {
		size_t h = (size_t)(refs[i] * 0x9E3779B97F4A7C15ULL) & (cap - 1);

		while (slot_idx[h] != n && slot_page[h] != refs[i])
			h = (h + 1) & (cap - 1);
		next[i] = slot_idx[h];	/* n when never seen later */
		slot_idx[h] = i;
		slot_page[h] = refs[i];
	}
	free(slot_idx);
	free(slot_page);
	return next;
}

/* The frame index to evict: frames[0] is the list's tail (oldest), the
 * last used one the head. */
static size_t pick_victim(enum reclaim_policy policy, struct frame *f, size_t used)
{
	size_t v = 0;

	switch (policy) {
	case RECLAIM_OPT:
		for (size_t i = 1; i < used; i++)
			if (f[i].next_use > f[v].next_use)
				v = i;
		return v;
	case RECLAIM_CLOCK:
		while (f[0].ref) {	/* second chance: to the head, bit cleared */
			struct frame t = f[0];

			memmove(f, f + 1, (used - 1) * sizeof(*f));
			t.ref = false;
			f[used - 1] = t;
		}
		return 0;
	default:	/* FIFO, LRU: the tail */
		return 0;
	}
}

/**
 * reclaim_simulate() - faults of @policy over @refs with @frames frames
 *	(see <mmkit/vmscan.h>)
 * @policy: RECLAIM_OPT, _FIFO, _LRU or _CLOCK (RECLAIM_LINUX: -EINVAL)
 * @refs: the page numbers referenced, in order
 * @n: how many
 * @frames: frames available (> 0)
 */
long reclaim_simulate(enum reclaim_policy policy, const unsigned long *refs, size_t n,
		      size_t frames)
{
	struct frame *f;
	size_t *next = NULL, used = 0;
	long faults = 0;

	if (!frames || policy == RECLAIM_LINUX || (unsigned int)policy >= NR_RECLAIM_POLICIES)
		return -EINVAL;
	f = calloc(frames, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (policy == RECLAIM_OPT && n && !(next = next_uses(refs, n))) {
		free(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		size_t j;

		for (j = 0; j < used && f[j].page != refs[i]; j++)
			;
		if (j < used) {	/* a hit */
			f[j].ref = true;
			if (next)
				f[j].next_use = next[i];
			if (policy == RECLAIM_LRU) {	/* to the head */
				struct frame t = f[j];

				memmove(f + j, f + j + 1, (used - j - 1) * sizeof(*f));
				f[used - 1] = t;
			}
			continue;
		}
		faults++;
		if (used == frames) {
			size_t v = pick_victim(policy, f, used);

			memmove(f + v, f + v + 1, (used - v - 1) * sizeof(*f));
			used--;
		}
		f[used].page = refs[i];
		f[used].ref = true;
		f[used].next_use = next ? next[i] : n;
		used++;
	}
	free(next);
	free(f);
	return faults;
}
