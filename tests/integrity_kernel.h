/* The kernel side of the integrity run (issue 7: "the kernel side doing
 * random kmalloc/vmalloc/page allocations, on machines small enough to
 * force reclaim and swap"): up to NKOBJ allocations held at once,
 * kmalloc (up to 8 KiB), vmalloc (1-8 pages) and alloc_pages (order 0-2),
 * each with GFP_KERNEL | __GFP_NORETRY (direct reclaim, no OOM kill). Each
 * is filled with a pattern and checked when freed: reclaim, swap and
 * compaction of user memory must never touch kernel memory. A failure
 * under pressure is allowed (NULL), a corrupted byte is not. */
#ifndef MMKIT_TESTS_INTEGRITY_KERNEL_H
#define MMKIT_TESTS_INTEGRITY_KERNEL_H

#include "integrity_model.h"

#define KGFP (GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)

static unsigned char *kobj_bytes(struct ist *st, struct ikobj *k)
{
	return k->kind == 2 ? page_address(st->m, k->pg) : k->p;
}

static void kobj_free(struct ist *st, int i)
{
	struct ikobj *k = &st->kobj[i];
	unsigned char *b = kobj_bytes(st, k);

	for (unsigned long j = 0; j < k->len; j++)
		if (b[j] != (unsigned char)(k->pat + j % 251)) {
			fail_report(st, "kernel allocation corrupted");
			break;
		}
	if (k->kind == 0)
		kfree(st->m, k->p);
	else if (k->kind == 1)
		vfree(st->m, k->p);
	else
		__free_pages(st->m, k->pg, k->order);
	st->kobj[i] = st->kobj[--st->nkobj];
}

/* Allocate or free one kernel object. */
static void kernel_op(struct ist *st)
{
	struct ikobj k = { .kind = (int)rn(&st->r, 3), .pat = (unsigned char)rn(&st->r, 256) };
	unsigned char *b;

	if (st->nkobj == NKOBJ || (st->nkobj && rn(&st->r, 2))) {
		int i = (int)rn(&st->r, (unsigned long)st->nkobj);

		note(st, "kernel free %d (kind %d, %lu bytes)", i, st->kobj[i].kind, st->kobj[i].len);
		kobj_free(st, i);
		return;
	}
	if (k.kind == 0) {
		k.len = 1 + rn(&st->r, 8192);
		k.p = kmalloc(st->m, k.len, KGFP);
	} else if (k.kind == 1) {
		k.len = PG(1 + rn(&st->r, 8));
		k.p = vmalloc(st->m, k.len);
	} else {
		k.order = (unsigned int)rn(&st->r, 3);
		k.len = PG(1UL << k.order);
		k.pg = alloc_pages(st->m, KGFP, k.order);	/* lowmem: page_address works */
	}
	note(st, "kernel alloc kind %d, %lu bytes%s", k.kind, k.len,
	     (k.kind == 2 ? !k.pg : !k.p) ? " (failed)" : "");
	if (k.kind == 2 ? !k.pg : !k.p) {
		st->stats[IS_KFAIL]++;
		return;
	}
	b = kobj_bytes(st, &k);
	for (unsigned long j = 0; j < k.len; j++)
		b[j] = (unsigned char)(k.pat + j % 251);
	st->kobj[st->nkobj++] = k;
	st->stats[IS_KALLOC]++;
}

/* At the end: everything held is checked and freed. */
static void kernel_finish(struct ist *st)
{
	while (st->nkobj)
		kobj_free(st, st->nkobj - 1);
}

#endif
