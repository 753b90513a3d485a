/* What the two shadow-model stress tests share (test_stress_shadow.c and
 * test_integrity.c): the seeded random numbers a failure replays with,
 * and the kernel side's pool of allocations (alloc_pages, kmalloc,
 * vmalloc) that each fills with a position-dependent pattern and checks
 * when it frees it: user-memory activity, reclaim and swap must never
 * change a kernel byte. */
#ifndef MMKIT_TESTS_STRESS_COMMON_H
#define MMKIT_TESTS_STRESS_COMMON_H

#include "helpers.h"

#include <mmkit/vmalloc.h>

/* ---- random numbers (xorshift64*) ---- */

struct rng {
	u64 s;
};

static inline u64 rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

static inline unsigned long rn(struct rng *r, unsigned long n)
{
	return n ? (unsigned long)(rnd(r) % n) : 0;
}

/* ---- the kernel side's allocations ---- */

#define KPOOL_MAX 48

struct kobj {
	int type;		/* 0 pages, 1 kmalloc, 2 vmalloc */
	void *ptr;		/* kmalloc/vmalloc address */
	struct page *page;	/* alloc_pages */
	unsigned long size;	/* bytes */
	u8 pat;
};

/* What a pool allocates; each test sizes it to its machines. */
struct kpool {
	int max;			/* objects held at most (<= KPOOL_MAX) */
	unsigned int orders;		/* alloc_pages orders 0 .. orders-1 */
	unsigned long vmalloc_max;	/* vmalloc sizes 1 .. vmalloc_max bytes */
	gfp_t page_gfp[2];		/* alloc_pages picks one of these */
	gfp_t kmalloc_gfp;
	struct kobj k[KPOOL_MAX];
	int n;
};

/* The object's bytes: the host mapping of its frames, lowmem or not. */
static inline u8 *kobj_bytes(struct machine *m, const struct kobj *k)
{
	return k->type == 0 ? phys_to_host(m, page_to_phys(m, k->page)) : k->ptr;
}

static inline u8 kobj_byte(const struct kobj *k, unsigned long i)
{
	return (u8)(k->pat + i % 251);	/* a shifted copy would not match */
}

/* Should the next kernel operation free (rather than allocate)? */
static inline bool kpool_pick_free(struct kpool *p, struct rng *r)
{
	return p->n && (p->n == p->max || rn(r, 2));
}

/* A random type (0-2) and fill pattern for the next object: drawn by the
 * caller, so a test keeps the order of its draws (a recorded seed replays). */
static inline struct kobj kpool_draw(struct rng *r)
{
	struct kobj k;

	k.type = (int)rn(r, 3);
	k.pat = (u8)(1 + rn(r, 255));
	k.ptr = NULL;
	k.page = NULL;
	k.size = 0;
	return k;
}

/* Allocate object @k (kpool_draw's type and pattern) with a random size
 * and fill it. Returns the object held, or NULL when the allocator said no
 * (allowed under pressure). */
static inline struct kobj *kpool_alloc(struct machine *m, struct kpool *p, struct rng *r,
				       struct kobj k)
{
	u8 *b;

	if (k.type == 0) {
		unsigned int order = (unsigned int)rn(r, p->orders);

		k.page = alloc_pages(m, p->page_gfp[rn(r, 2)], order);
		k.size = PAGE_SIZE << order;
		if (!k.page)
			return NULL;
	} else {
		k.size = k.type == 1 ? 1 + rn(r, 8192) : 1 + rn(r, p->vmalloc_max);
		k.ptr = k.type == 1 ? kmalloc(m, k.size, p->kmalloc_gfp) : vmalloc(m, k.size);
		if (!k.ptr)
			return NULL;
	}
	b = kobj_bytes(m, &k);
	for (unsigned long i = 0; i < k.size; i++)
		b[i] = kobj_byte(&k, i);
	p->k[p->n] = k;
	return &p->k[p->n++];
}

/* Check object @idx and free it. Returns the offset of its first changed
 * byte, or -1 when it was intact. */
static inline long kpool_free(struct machine *m, struct kpool *p, int idx)
{
	struct kobj *k = &p->k[idx];
	const u8 *b = kobj_bytes(m, k);
	long bad = -1;

	for (unsigned long i = 0; i < k->size && bad < 0; i++)
		if (b[i] != kobj_byte(k, i))
			bad = (long)i;
	if (k->type == 0)
		__free_pages(m, k->page, (unsigned int)__builtin_ctzl(k->size >> PAGE_SHIFT));
	else if (k->type == 1)
		kfree(m, k->ptr);
	else
		vfree(m, k->ptr);
	p->k[idx] = p->k[--p->n];
	return bad;
}

#endif
