/* The kernel side of the integrity run (issue 7: "the kernel side doing
 * random kmalloc/vmalloc/page allocations, on machines small enough to
 * force reclaim and swap"): stress_common.h's pool, up to 16 allocations
 * held at once, each with GFP_KERNEL | __GFP_NORETRY (direct reclaim, no
 * OOM kill). A failure under pressure is allowed (NULL), a changed byte
 * is not. */
#ifndef MMKIT_TESTS_INTEGRITY_KERNEL_H
#define MMKIT_TESTS_INTEGRITY_KERNEL_H

#include "integrity_model.h"

#define KGFP (GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN)

static void kernel_init(struct ist *st)
{
	st->kp = (struct kpool){ .max = 16, .orders = 3, .vmalloc_max = PG(8),
				 .page_gfp = { KGFP, KGFP }, .kmalloc_gfp = KGFP };
}

static void kobj_free(struct ist *st, int i)
{
	if (kpool_free(st->m, &st->kp, i) >= 0)
		fail_report(st, "kernel allocation corrupted");
}

/* Allocate or free one kernel object. */
static void kernel_op(struct ist *st)
{
	struct kobj *k;

	if (kpool_pick_free(&st->kp, &st->r)) {
		int i = (int)rn(&st->r, (unsigned long)st->kp.n);

		note(st, "kernel free %d (type %d, %lu bytes)", i, st->kp.k[i].type,
		     st->kp.k[i].size);
		kobj_free(st, i);
		return;
	}
	k = kpool_alloc(st->m, &st->kp, &st->r, kpool_draw(&st->r));
	if (!k) {
		note(st, "kernel alloc failed");
		st->stats[IS_KFAIL]++;
		return;
	}
	note(st, "kernel alloc type %d, %lu bytes", k->type, k->size);
	st->stats[IS_KALLOC]++;
}

/* At the end: everything held is checked and freed. */
static void kernel_finish(struct ist *st)
{
	while (st->kp.n)
		kobj_free(st, st->kp.n - 1);
}

#endif
