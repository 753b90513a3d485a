/* The VMAs of an address space: an AVL tree plus the address-ordered list
 * (cf. Linux 2.4's mm/mmap_avl.c and the augmented rbtree of mm/mmap.c in
 * 3.x-5.x, which the maple tree replaced in 6.1; seed 002: "mmap_avl ...
 * 利用AVL树可以将查找的代价控制在O(logN)的水平上").
 *
 * Each VMA is a tree node keyed by vm_start (VMAs never overlap, so
 * vm_start order is address order). Each node also stores vm_avl_gap: the
 * largest free gap that ends at a VMA of its subtree, where the gap before
 * a VMA v is v->vm_start - v->vm_prev->vm_end. That lets get_unmapped_area()
 * skip whole subtrees without room, as the rbtree's rb_subtree_gap and the
 * maple tree's gap tracking do: both searches are O(log n). A stack's
 * guard gap is applied after a gap is found, as Linux 6.x does: if the VMA
 * above the chosen gap is a stack whose guard gap reaches into it, the
 * search starts over below that guard gap (unmapped_area_topdown).
 *
 * mm->mmap_cache remembers the last VMA find_vma() found containing its
 * address; unlinking a VMA clears it.
 *
 * Invariants (vma_tree_validate): in-order traversal == the vm_next list;
 * parent links agree with child links; height = 1 + max(child heights);
 * |height(left) - height(right)| <= 1; vm_avl_gap = max(own gap, children's
 * vm_avl_gap); mm->highest_vm_end = vm_end of the last VMA. */
#include "mm/vma.h"

static inline int avl_height(const struct vm_area_struct *v)
{
	return v ? v->vm_avl_height : 0;
}

static inline unsigned long avl_gap(const struct vm_area_struct *v)
{
	return v ? v->vm_avl_gap : 0;
}

/* The free gap just below v (cf. vma_compute_gap). */
static unsigned long vma_own_gap(const struct vm_area_struct *v)
{
	return v->vm_start - (v->vm_prev ? v->vm_prev->vm_end : 0);
}

static void avl_update(const struct machine *m, struct vm_area_struct *v)
{
	unsigned long gap = vma_own_gap(v);

	v->vm_avl_height = 1 + max(avl_height(v->vm_avl_left), avl_height(v->vm_avl_right));
	gap = max(gap, avl_gap(v->vm_avl_left));
	gap = max(gap, avl_gap(v->vm_avl_right));
	v->vm_avl_gap = gap;
}

static void avl_replace_child(struct mm_struct *mm, struct vm_area_struct *parent,
			      struct vm_area_struct *old, struct vm_area_struct *new)
{
	if (!parent)
		mm->mmap_avl = new;
	else if (parent->vm_avl_left == old)
		parent->vm_avl_left = new;
	else
		parent->vm_avl_right = new;
	if (new)
		new->vm_avl_parent = parent;
}

/*      x                y
 *     / \              / \
 *    a   y    ==>     x   c
 *       / \          / \
 *      b   c        a   b          */
static struct vm_area_struct *avl_rotate_left(const struct machine *m, struct mm_struct *mm,
					      struct vm_area_struct *x)
{
	struct vm_area_struct *y = x->vm_avl_right;

	x->vm_avl_right = y->vm_avl_left;
	if (y->vm_avl_left)
		y->vm_avl_left->vm_avl_parent = x;
	avl_replace_child(mm, x->vm_avl_parent, x, y);
	y->vm_avl_left = x;
	x->vm_avl_parent = y;
	avl_update(m, x);
	avl_update(m, y);
	return y;
}

/* The mirror image of avl_rotate_left. */
static struct vm_area_struct *avl_rotate_right(const struct machine *m, struct mm_struct *mm,
					       struct vm_area_struct *x)
{
	struct vm_area_struct *y = x->vm_avl_left;

	x->vm_avl_left = y->vm_avl_right;
	if (y->vm_avl_right)
		y->vm_avl_right->vm_avl_parent = x;
	avl_replace_child(mm, x->vm_avl_parent, x, y);
	y->vm_avl_right = x;
	x->vm_avl_parent = y;
	avl_update(m, x);
	avl_update(m, y);
	return y;
}

/* Recompute n and restore the AVL balance at n; returns the subtree root. */
static struct vm_area_struct *avl_rebalance(const struct machine *m, struct mm_struct *mm,
					    struct vm_area_struct *n)
{
	int balance;

	avl_update(m, n);
	balance = avl_height(n->vm_avl_left) - avl_height(n->vm_avl_right);
	if (balance > 1) {
		struct vm_area_struct *l = n->vm_avl_left;

		if (avl_height(l->vm_avl_left) < avl_height(l->vm_avl_right))
			avl_rotate_left(m, mm, l);
		n = avl_rotate_right(m, mm, n);
	} else if (balance < -1) {
		struct vm_area_struct *r = n->vm_avl_right;

		if (avl_height(r->vm_avl_right) < avl_height(r->vm_avl_left))
			avl_rotate_right(m, mm, r);
		n = avl_rotate_left(m, mm, n);
	}
	return n;
}

/* Rebalance every node from n up to the root (O(log n)). */
static void avl_fixup_upwards(const struct machine *m, struct mm_struct *mm,
			      struct vm_area_struct *n)
{
	while (n) {
		n = avl_rebalance(m, mm, n);
		n = n->vm_avl_parent;
	}
}

/* v's own gap changed (its vm_start or its predecessor's vm_end moved):
 * recompute the subtree gaps on v's path to the root. */
static void avl_gap_propagate(const struct machine *m, struct vm_area_struct *v)
{
	while (v) {
		avl_update(m, v);
		v = v->vm_avl_parent;
	}
}

/**
 * vma_gap_update() - refresh the gap bookkeeping around @vma
 * @m: the machine
 * @vma: a linked VMA whose vm_start or vm_end changed in place
 *
 * Both @vma's gap and its successor's depend on the change.
 */
void vma_gap_update(struct machine *m, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;

	avl_gap_propagate(m, vma);
	if (vma->vm_next)
		avl_gap_propagate(m, vma->vm_next);
	else
		mm->highest_vm_end = vm_end_gap(vma);
}

/**
 * vma_set_range() - move a linked VMA's bounds in place
 * @m: the machine
 * @vma: the VMA, linked into its mm
 * @start: new vm_start
 * @end: new vm_end
 * @pgoff: new vm_pgoff
 *
 * The caller keeps the VMAs non-overlapping, so address order (and the
 * tree's shape) does not change; only the gaps do.
 */
void vma_set_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, unsigned long pgoff)
{
	VM_WARN_ON(m, vma->vm_prev && vma->vm_prev->vm_end > start);
	VM_WARN_ON(m, vma->vm_next && vma->vm_next->vm_start < end);
	vma->vm_start = start;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	vma_gap_update(m, vma);
}

/**
 * __vma_link() - insert @vma into its mm's tree and list
 * @m: the machine
 * @mm: the address space
 * @vma: the VMA; it must not overlap any linked VMA
 *
 * Does not count it in map_count (vma_link() does).
 */
void __vma_link(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct **link = &mm->mmap_avl, *parent = NULL, *prev = NULL;

	while (*link) {
		parent = *link;
		if (vma->vm_start < parent->vm_start) {
			link = &parent->vm_avl_left;
		} else {
			prev = parent;
			link = &parent->vm_avl_right;
		}
	}
	vma->vm_avl_left = vma->vm_avl_right = NULL;
	vma->vm_avl_parent = parent;
	vma->vm_avl_height = 1;
	*link = vma;

	vma->vm_prev = prev;
	vma->vm_next = prev ? prev->vm_next : mm->mmap;
	if (prev)
		prev->vm_next = vma;
	else
		mm->mmap = vma;
	if (vma->vm_next)
		vma->vm_next->vm_prev = vma;
	else
		mm->highest_vm_end = vm_end_gap(vma);

	avl_fixup_upwards(m, mm, vma);
	if (vma->vm_next)
		avl_gap_propagate(m, vma->vm_next);
}

/**
 * __vma_unlink() - take @vma out of its mm's tree and list
 * @m: the machine
 * @mm: the address space
 * @vma: a linked VMA
 *
 * Does not touch map_count.
 */
void __vma_unlink(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma->vm_next, *prev = vma->vm_prev, *fix;

	if (mm->mmap_cache == vma)
		mm->mmap_cache = NULL;
	if (prev)
		prev->vm_next = next;
	else
		mm->mmap = next;
	if (next)
		next->vm_prev = prev;
	else
		mm->highest_vm_end = prev ? vm_end_gap(prev) : 0;

	if (vma->vm_avl_left && vma->vm_avl_right) {
		/* Two children: the in-order successor (the list's next, the
		 * leftmost node of the right subtree) takes vma's place. */
		struct vm_area_struct *s = next;

		if (s->vm_avl_parent != vma) {
			fix = s->vm_avl_parent;
			fix->vm_avl_left = s->vm_avl_right;
			if (s->vm_avl_right)
				s->vm_avl_right->vm_avl_parent = fix;
			s->vm_avl_right = vma->vm_avl_right;
			vma->vm_avl_right->vm_avl_parent = s;
		} else {
			fix = s;
		}
		s->vm_avl_left = vma->vm_avl_left;
		vma->vm_avl_left->vm_avl_parent = s;
		avl_replace_child(mm, vma->vm_avl_parent, vma, s);
	} else {
		struct vm_area_struct *child = vma->vm_avl_left ? vma->vm_avl_left
								 : vma->vm_avl_right;

		fix = vma->vm_avl_parent;
		avl_replace_child(mm, fix, vma, child);
	}
	avl_fixup_upwards(m, mm, fix);
	if (next)
		avl_gap_propagate(m, next);
	vma->vm_avl_left = vma->vm_avl_right = vma->vm_avl_parent = NULL;
	vma->vm_next = vma->vm_prev = NULL;
}

/**
 * find_vma() - the first VMA ending above @addr
 * @m: the machine
 * @mm: the address space
 * @addr: a user address
 *
 * Returns the VMA containing @addr, or else the next one above it, or NULL.
 * O(log n): one descent of the AVL tree, unless the VMA of the last hit
 * (mm->mmap_cache, as in Linux 2.4) contains @addr.
 */
struct vm_area_struct *find_vma(struct machine *m, struct mm_struct *mm, unsigned long addr)
{
	/* Readers share the hint: relaxed atomics (the mmap lock orders the rest). */
	struct vm_area_struct *v = __atomic_load_n(&mm->mmap_cache, __ATOMIC_RELAXED), *best = NULL;

	(void)m;
	if (v && v->vm_start <= addr && v->vm_end > addr)
		return v;	/* faults come in runs on one VMA */
	for (v = mm->mmap_avl; v;) {
		if (v->vm_end > addr) {
			best = v;
			if (v->vm_start <= addr) {
				__atomic_store_n(&mm->mmap_cache, v, __ATOMIC_RELAXED);
				break;
			}
			v = v->vm_avl_left;
		} else {
			v = v->vm_avl_right;
		}
	}
	return best;
}

static struct vm_area_struct *vma_last(struct mm_struct *mm)
{
	struct vm_area_struct *v = mm->mmap_avl;

	while (v && v->vm_avl_right)
		v = v->vm_avl_right;
	return v;
}

/**
 * find_vma_prev() - find_vma(), and the VMA before the result
 * @m: the machine
 * @mm: the address space
 * @addr: a user address
 * @pprev: gets the VMA before the returned one (the last VMA when none is
 *	returned), or NULL
 */
struct vm_area_struct *find_vma_prev(struct machine *m, struct mm_struct *mm,
				     unsigned long addr, struct vm_area_struct **pprev)
{
	struct vm_area_struct *vma = find_vma(m, mm, addr);

	*pprev = vma ? vma->vm_prev : vma_last(mm);
	return vma;
}

/**
 * find_vma_intersection() - the first VMA overlapping [@start_addr, @end_addr)
 * @m: the machine
 * @mm: the address space
 * @start_addr: inclusive start
 * @end_addr: exclusive end, above @start_addr
 */
struct vm_area_struct *find_vma_intersection(struct machine *m, struct mm_struct *mm,
					     unsigned long start_addr, unsigned long end_addr)
{
	struct vm_area_struct *vma = find_vma(m, mm, start_addr);

	if (vma && end_addr <= vma->vm_start)
		vma = NULL;
	return vma;
}

/**
 * vma_lookup() - the VMA containing @addr, or NULL
 * @m: the machine
 * @mm: the address space
 * @addr: a user address
 */
struct vm_area_struct *vma_lookup(struct machine *m, struct mm_struct *mm, unsigned long addr)
{
	struct vm_area_struct *vma = find_vma(m, mm, addr);

	if (vma && addr < vma->vm_start)
		vma = NULL;
	return vma;
}

static inline unsigned long gap_before(const struct vm_area_struct *v)
{
	return v->vm_prev ? v->vm_prev->vm_end : 0;
}

/* The lowest free gap [*start, *end) of at least length bytes inside
 * [low, high), clipped to it; *next gets the VMA right above the gap (NULL
 * above the last VMA). Returns false if there is none (cf.
 * mas_empty_area). */
static bool gap_lowest(struct mm_struct *mm, unsigned long length, unsigned long low,
		       unsigned long high, unsigned long *start, struct vm_area_struct **next)
{
	unsigned long low_limit = low + length, high_limit = high - length;
	unsigned long gap_start, gap_end;
	struct vm_area_struct *v = mm->mmap_avl;

	if (high < length || low > high_limit)
		return false;
	if (!v || v->vm_avl_gap < length)
		goto check_highest;
	for (;;) {
		gap_end = v->vm_start;
		if (gap_end >= low_limit && v->vm_avl_left && v->vm_avl_left->vm_avl_gap >= length) {
			v = v->vm_avl_left;
			continue;
		}
		gap_start = gap_before(v);
check_current:
		if (gap_start > high_limit)
			return false;
		if (gap_end >= low_limit && gap_end - gap_start >= length)
			goto found;
		if (v->vm_avl_right && v->vm_avl_right->vm_avl_gap >= length) {
			v = v->vm_avl_right;
			continue;
		}
		for (;;) {	/* climb to the next node in address order */
			struct vm_area_struct *child = v;

			v = v->vm_avl_parent;
			if (!v)
				goto check_highest;
			if (child == v->vm_avl_left) {
				gap_start = gap_before(v);
				gap_end = v->vm_start;
				goto check_current;
			}
		}
	}
check_highest:
	gap_start = mm->highest_vm_end;
	v = NULL;
	if (gap_start > high_limit)
		return false;
found:
	*start = max(gap_start, low);
	*next = v;
	return true;
}

/* The highest free gap of at least length bytes inside [low, high); *end
 * gets its end clipped to high (cf. mas_empty_area_rev). */
static bool gap_highest(struct mm_struct *mm, unsigned long length, unsigned long low,
			unsigned long high, unsigned long *end, struct vm_area_struct **next)
{
	unsigned long low_limit = low + length, high_limit = high - length;
	unsigned long gap_start, gap_end;
	struct vm_area_struct *v;

	if (high < length || low > high_limit)
		return false;
	gap_start = mm->highest_vm_end;
	if (gap_start <= high_limit) {
		*end = high;
		*next = NULL;
		return true;
	}
	v = mm->mmap_avl;
	if (!v || v->vm_avl_gap < length)
		return false;
	for (;;) {
		gap_start = gap_before(v);
		if (gap_start <= high_limit && v->vm_avl_right &&
		    v->vm_avl_right->vm_avl_gap >= length) {
			v = v->vm_avl_right;
			continue;
		}
check_current:
		gap_end = v->vm_start;
		if (gap_end < low_limit)
			return false;	/* every gap from here down ends too low */
		if (gap_start <= high_limit && gap_end - gap_start >= length) {
			*end = min(gap_end, high);
			*next = v;
			return true;
		}
		if (v->vm_avl_left && v->vm_avl_left->vm_avl_gap >= length) {
			v = v->vm_avl_left;
			continue;
		}
		for (;;) {	/* climb to the previous node in address order */
			struct vm_area_struct *child = v;

			v = v->vm_avl_parent;
			if (!v)
				return false;
			if (child == v->vm_avl_right) {
				gap_start = gap_before(v);
				goto check_current;
			}
		}
	}
}

/* The lowest fitting range in [low_limit, high_limit) (cf. unmapped_area). */
static unsigned long unmapped_area(struct machine *m, struct mm_struct *mm,
				   struct vm_unmapped_area_info *info)
{
	unsigned long length = info->length + info->align_mask + info->start_gap;
	unsigned long low_limit = max(info->low_limit, m->vm.mmap_min_addr), gap;
	struct vm_area_struct *next;

	if (length < info->length)
		return -ENOMEM;
	for (;;) {
		if (!gap_lowest(mm, length, low_limit, info->high_limit, &gap, &next))
			return -ENOMEM;
		gap += info->start_gap;
		gap += (info->align_offset - gap) & info->align_mask;
		/* A stack above the gap keeps its guard gap free: look past it. */
		if (next && (next->vm_flags & VM_GROWSDOWN) &&
		    vm_start_gap(m, next) < gap + length - 1) {
			low_limit = next->vm_end;
			continue;
		}
		return gap;
	}
}

/* The highest fitting range in [low_limit, high_limit) (cf.
 * unmapped_area_topdown). */
static unsigned long unmapped_area_topdown(struct machine *m, struct mm_struct *mm,
					   struct vm_unmapped_area_info *info)
{
	unsigned long length = info->length + info->align_mask + info->start_gap;
	unsigned long low_limit = max(info->low_limit, m->vm.mmap_min_addr);
	unsigned long high_limit = info->high_limit, gap_end, gap;
	struct vm_area_struct *next;

	if (length < info->length)
		return -ENOMEM;
	for (;;) {
		if (!gap_highest(mm, length, low_limit, high_limit, &gap_end, &next))
			return -ENOMEM;
		gap = gap_end - info->length;
		gap -= (gap - info->align_offset) & info->align_mask;
		/* A stack above the gap keeps its guard gap free: search below
		 * the guard gap, whatever lies between (as Linux 6.x does). */
		if (next && (next->vm_flags & VM_GROWSDOWN) && vm_start_gap(m, next) < gap_end) {
			high_limit = vm_start_gap(m, next);
			continue;
		}
		return gap;
	}
}

/**
 * vm_unmapped_area() - find a free range for a new mapping
 * @m: the machine
 * @mm: the address space
 * @info: length, limits, alignment; VM_UNMAPPED_AREA_TOPDOWN picks the
 *	highest fitting range, else the lowest
 *
 * Never returns a range below vm.mmap_min_addr or inside a stack's guard
 * gap. Returns the start address, or -ENOMEM.
 */
unsigned long vm_unmapped_area(struct machine *m, struct mm_struct *mm,
			       struct vm_unmapped_area_info *info)
{
	if (info->flags & VM_UNMAPPED_AREA_TOPDOWN)
		return unmapped_area_topdown(m, mm, info);
	return unmapped_area(m, mm, info);
}

struct avl_walk {
	struct vm_area_struct *expect;	/* next VMA the list says comes */
	int count;
	int bad;
};

static void avl_report(struct machine *m, struct mm_struct *mm, struct vm_area_struct *v,
		       const char *what)
{
	pr_err(m, "BUG: VMA tree of mm %p: %s at %lx-%lx\n", (void *)mm, what,
	       v ? v->vm_start : 0UL, v ? v->vm_end : 0UL);
}

static int avl_check(struct machine *m, struct mm_struct *mm, struct vm_area_struct *v,
		     struct avl_walk *w)
{
	int hl, hr;
	unsigned long gap;

	if (!v)
		return 0;
	if (v->vm_avl_left && v->vm_avl_left->vm_avl_parent != v)
		avl_report(m, mm, v, "left child's parent link wrong"), w->bad++;
	if (v->vm_avl_right && v->vm_avl_right->vm_avl_parent != v)
		avl_report(m, mm, v, "right child's parent link wrong"), w->bad++;
	hl = avl_check(m, mm, v->vm_avl_left, w);
	if (v != w->expect)
		avl_report(m, mm, v, "in-order node is not the list's next"), w->bad++;
	w->expect = v->vm_next;
	w->count++;
	hr = avl_check(m, mm, v->vm_avl_right, w);
	if (v->vm_avl_height != 1 + max(hl, hr))
		avl_report(m, mm, v, "height wrong"), w->bad++;
	if (hl - hr > 1 || hr - hl > 1)
		avl_report(m, mm, v, "unbalanced"), w->bad++;
	gap = max(vma_own_gap(v), max(avl_gap(v->vm_avl_left), avl_gap(v->vm_avl_right)));
	if (v->vm_avl_gap != gap)
		avl_report(m, mm, v, "subtree gap wrong"), w->bad++;
	return 1 + max(hl, hr);
}

/**
 * vma_tree_validate() - check the tree and list invariants of @mm
 * @m: the machine
 * @mm: the address space
 *
 * Reports each violation in the kernel log; returns how many it found.
 */
int vma_tree_validate(struct machine *m, struct mm_struct *mm)
{
	struct avl_walk w = { .expect = mm->mmap };
	struct vm_area_struct *v, *prev = NULL;
	int n = 0;

	for (v = mm->mmap; v && n <= mm->map_count; prev = v, v = v->vm_next, n++) {
		if (v->vm_prev != prev)
			avl_report(m, mm, v, "vm_prev wrong"), w.bad++;
		if (v->vm_start >= v->vm_end || !PAGE_ALIGNED(v->vm_start) ||
		    !PAGE_ALIGNED(v->vm_end))
			avl_report(m, mm, v, "empty or unaligned VMA"), w.bad++;
		if (prev && prev->vm_end > v->vm_start)
			avl_report(m, mm, v, "VMAs overlap or are out of order"), w.bad++;
		if (v->vm_mm != mm)
			avl_report(m, mm, v, "vm_mm wrong"), w.bad++;
	}
	if (mm->mmap_avl && mm->mmap_avl->vm_avl_parent)
		avl_report(m, mm, mm->mmap_avl, "root has a parent"), w.bad++;
	avl_check(m, mm, mm->mmap_avl, &w);
	if (w.expect)
		avl_report(m, mm, w.expect, "list has VMAs the tree lacks"), w.bad++;
	if (n != mm->map_count || w.count != mm->map_count) {
		pr_err(m, "BUG: mm %p: map_count %d, list %d, tree %d\n", (void *)mm,
		       mm->map_count, n, w.count);
		w.bad++;
	}
	if (mm->mmap_cache && mm->mmap_cache->vm_mm != mm)
		avl_report(m, mm, mm->mmap_cache, "mmap_cache is not a VMA of this mm"), w.bad++;
	if (mm->highest_vm_end != (prev ? vm_end_gap(prev) : 0))
		avl_report(m, mm, prev, "highest_vm_end wrong"), w.bad++;
	return w.bad;
}
