/* The VMAs of an address space: the maple tree plus the address-ordered
 * list (cf. mm/mmap.c and mm/vma.c of Linux 6.1+; the tree itself is
 * src/mm/maple_tree.c).
 *
 * Seed 002 describes Linux 2.4's AVL tree ("mmap_avl ... 利用AVL树可以将
 * 查找的代价控制在O(logN)的水平上"). mmkit models Linux 6.1+'s maple tree
 * here instead, behind the same functions and the same O(log n) contract:
 * a binary tree of VMAs costs one dependent load per level, ~20 levels of
 * 150-byte VMAs scattered over memory at 1M VMAs, while a B+tree of
 * 256-byte nodes with 10-15 entries each is 6 levels of compact nodes,
 * and a lookup reads node memory only until the VMA it returns. Linux
 * replaced 2.4's AVL tree with an rbtree in 2.6 and the rbtree with the
 * maple tree in 6.1 for the same reason (and for RCU lookups).
 *
 * Each internal node keeps the largest free gap under each child (the gap
 * before a VMA v is v->vm_start - v->vm_prev->vm_end), so
 * get_unmapped_area() skips subtrees without room, in O(log n). A stack's
 * guard gap is applied after a gap is found, as Linux 6.x does: if the VMA
 * above the chosen gap is a stack whose guard gap reaches into it, the
 * search starts over below that guard gap (unmapped_area_topdown).
 *
 * Inserting may need new nodes: vma_tree_preallocate() (called by
 * vm_area_alloc() and vma_link(), so every path that links a VMA has a
 * failure exit before it changes anything) reserves them, as
 * mas_preallocate does.
 * Unlinking and moving a VMA's bounds in place need none.
 *
 * mm->mmap_cache remembers the last VMA find_vma() returned (Linux 2.4's
 * mmap_cache) and mm->mmap_cache_slot its leaf and offset, as a maple
 * state remembers its node; the next lookup checks the leaf's pivots, not
 * the VMA, so a miss of the hint costs no read of a cold VMA. Linking and
 * unlinking clear both.
 *
 * Invariants (vma_tree_validate): the list is sorted, non-overlapping,
 * with vm_prev links right; the tree is well formed (mt_validate) and its
 * leaves list the same VMAs in the same order; map_count counts them;
 * mm->highest_vm_end is the last VMA's vm_end. */
#include "mm/maple_tree.h"
#include "mm/vma.h"

/* Forget find_vma()'s hint: the tree is about to change shape. */
static void vma_hint_clear(struct mm_struct *mm)
{
	__atomic_store_n(&mm->mmap_cache_slot, 0UL, __ATOMIC_RELAXED);
	__atomic_store_n(&mm->mmap_cache, NULL, __ATOMIC_RELAXED);
}

/**
 * vma_tree_preallocate() - reserve the tree nodes the next insert may need
 * @m: the machine
 * @mm: the address space (mmap lock held for writing)
 *
 * Called by vm_area_alloc() and again by vma_link() (a no-op then, but
 * fork links copies allocated for another mm), before anything changes.
 * Returns 0 or -ENOMEM (cf. vma_iter_prealloc).
 */
int vma_tree_preallocate(struct machine *m, struct mm_struct *mm)
{
	return mt_preallocate(m, &mm->mm_mt, mm->mm_mt.ma_height + 1);
}

/**
 * vma_tree_destroy() - free the tree's nodes, spare ones included
 * @m: the machine
 * @mm: the address space, its VMAs unlinked (exit_mmap; cf. __mt_destroy)
 */
void vma_tree_destroy(struct machine *m, struct mm_struct *mm)
{
	VM_WARN_ON(m, mm->mm_mt.ma_root);
	mt_destroy(m, &mm->mm_mt);
	vma_hint_clear(mm);
}

/* The leaf and offset of a linked VMA. The descent uses the predecessor's
 * end, which is exact even while the VMA's own pivot is stale (its bounds
 * just moved). */
static struct maple_node *vma_leaf(struct machine *m, struct mm_struct *mm,
				   struct vm_area_struct *vma, unsigned int *off)
{
	unsigned long key = vma->vm_prev ? vma->vm_prev->vm_end : 0;
	struct maple_node *leaf = mt_descend(&mm->mm_mt, key, off);

	if (VM_WARN_ON(m, !leaf || *off >= leaf->nr || leaf->mr64.slot[*off] != vma))
		return NULL;
	return leaf;
}

/* @vma's gap changed (its predecessor moved): refresh its leaf's path. */
static void vma_refresh_gap(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	unsigned int off;
	struct maple_node *leaf = vma_leaf(m, mm, vma, &off);

	if (leaf)
		mt_update_up(leaf);
}

/**
 * vma_gap_update() - refresh the tree after @vma's bounds moved in place
 * @m: the machine
 * @vma: a linked VMA whose vm_start or vm_end changed, still between its
 *	neighbours
 *
 * Both @vma's pivot and gap and its successor's gap depend on the change.
 */
void vma_gap_update(struct machine *m, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned int off;
	struct maple_node *leaf = vma_leaf(m, mm, vma, &off);

	if (!leaf)
		return;
	leaf->pivot[off] = vma->vm_end;
	mt_update_up(leaf);
	if (vma->vm_next)
		vma_refresh_gap(m, mm, vma->vm_next);
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
 * tree's shape) does not change; only pivots and gaps do.
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
 * @mm: the address space, with the nodes preallocated (vma_tree_preallocate)
 * @vma: the VMA; it must not overlap any linked VMA
 *
 * Does not count it in map_count (vma_link() does).
 */
void __vma_link(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct maple_tree *mt = &mm->mm_mt;
	struct vm_area_struct *prev = NULL, *next = NULL;
	struct maple_node *leaf;
	unsigned int off = 0;

	if (VM_WARN_ON(m, vma_tree_preallocate(m, mm)))
		return;	/* a caller that did not preallocate, out of memory */
	vma_hint_clear(mm);
	leaf = mt_descend(mt, vma->vm_start, &off);
	if (leaf && off < leaf->nr) {
		next = leaf->mr64.slot[off];
		prev = next->vm_prev;
	} else if (leaf) {
		prev = leaf->mr64.slot[leaf->nr - 1];
		next = prev->vm_next;
	}
	VM_WARN_ON(m, next && next->vm_start < vma->vm_end);
	vma->vm_prev = prev;
	vma->vm_next = next;
	if (prev)
		prev->vm_next = vma;
	else
		mm->mmap = vma;
	if (next)
		next->vm_prev = vma;
	else
		mm->highest_vm_end = vm_end_gap(vma);

	if (VM_WARN_ON(m, mt_insert(m, mt, leaf, off, vma)))
		return;
	vma_refresh_gap(m, mm, vma);
	if (next)
		vma_refresh_gap(m, mm, next);
}

/**
 * __vma_unlink() - take @vma out of its mm's tree and list
 * @m: the machine
 * @mm: the address space
 * @vma: a linked VMA
 *
 * Needs no memory. Does not touch map_count.
 */
void __vma_unlink(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *next = vma->vm_next, *prev = vma->vm_prev;
	unsigned int off;
	struct maple_node *leaf = vma_leaf(m, mm, vma, &off);

	vma_hint_clear(mm);
	if (prev)
		prev->vm_next = next;
	else
		mm->mmap = next;
	if (next)
		next->vm_prev = prev;
	else
		mm->highest_vm_end = prev ? vm_end_gap(prev) : 0;
	vma->vm_next = vma->vm_prev = NULL;
	if (!leaf)
		return;
	mt_erase(m, &mm->mm_mt, leaf, off);
	if (next)
		vma_refresh_gap(m, mm, next);
}

/* The hint find_vma() left: the VMA at @hint's leaf and offset, if that
 * is still find_vma()'s answer for @addr, i.e. @addr lies above the end
 * of the previous VMA in the leaf and below this one's end. Only the
 * leaf's pivots are read (hot: the last descent ended there), not the
 * VMA, and with a single branch: a random @addr falls above or below the
 * range at random, and a mispredicted branch here would discard the
 * descent the CPU already started. At offset 0 the lower bound is in
 * another node, so the hint never answers. */
static struct vm_area_struct *vma_hint(unsigned long hint, unsigned long addr)
{
	const struct maple_node *leaf = (const void *)(hint & ~(MAPLE_NODE_SIZE - 1UL));
	unsigned int off = hint & (MAPLE_NODE_SIZE - 1UL);
	unsigned long hi = leaf->pivot[off], lo = leaf->pivot[off ? off - 1 : 0];

	return addr - lo < hi - lo ? leaf->mr64.slot[off] : NULL;
}

/**
 * find_vma() - the first VMA ending above @addr
 * @m: the machine
 * @mm: the address space
 * @addr: a user address
 *
 * Returns the VMA containing @addr, or else the next one above it, or NULL.
 * O(log n): one descent of the maple tree, reading only its nodes, unless
 * the last lookup's answer (mm->mmap_cache, as in Linux 2.4) is again the
 * answer. The hint is kept as the leaf slot of that VMA
 * (mm->mmap_cache_slot), like a maple state remembering its node, so
 * checking it reads the leaf's pivots (hot) rather than the VMA (a cache
 * miss of its own in a large address space).
 */
struct vm_area_struct *find_vma(struct machine *m, struct mm_struct *mm, unsigned long addr)
{
	/* Readers share the hint: relaxed atomics (the mmap lock orders the rest). */
	unsigned long hint = __atomic_load_n(&mm->mmap_cache_slot, __ATOMIC_RELAXED);
	const struct maple_node *n;
	struct vm_area_struct *v;
	unsigned int off;

	(void)m;
	if (hint && (v = vma_hint(hint, addr)))
		return v;	/* faults come in runs on one VMA */
	if (addr >= mm->highest_vm_end)
		return NULL;	/* also the empty tree */
	n = mm->mm_mt.ma_root;
	/* Below the root, some pivot is > addr; the levels say which node
	 * is a leaf, so the descent reads nothing but pivots and slots. */
	for (unsigned int h = mm->mm_mt.ma_height; h > 1; h--)
		n = n->ma64.slot[mn_offset(n->pivot, MAPLE_ARANGE64_SLOTS, addr)];
	off = mn_offset(n->pivot, MAPLE_RANGE64_SLOTS, addr);
	v = n->mr64.slot[off];
	__atomic_store_n(&mm->mmap_cache, v, __ATOMIC_RELAXED);
	__atomic_store_n(&mm->mmap_cache_slot, (unsigned long)n | off, __ATOMIC_RELAXED);
	return v;
}

static struct vm_area_struct *vma_last(struct mm_struct *mm)
{
	const struct maple_node *n = mm->mm_mt.ma_root;

	if (!n)
		return NULL;
	while (!n->leaf)
		n = n->ma64.slot[n->nr - 1];
	return n->mr64.slot[n->nr - 1];
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

/* The first VMA under @n, in address order, with a gap of at least
 * @length below it that ends at or above @low_limit. Only subtrees that
 * straddle low_limit can be entered in vain, so this is O(log n). */
static struct vm_area_struct *gap_first(const struct maple_node *n, unsigned long length,
					unsigned long low_limit)
{
	if (n->leaf) {
		for (unsigned int k = 0; k < n->nr; k++) {
			struct vm_area_struct *v = n->mr64.slot[k];

			if (n->pivot[k] <= low_limit || v->vm_start < low_limit)
				continue;
			if (v->vm_start - (k ? n->pivot[k - 1] : gap_before(v)) >= length)
				return v;
		}
		return NULL;
	}
	for (unsigned int i = 0; i < n->nr; i++) {
		struct vm_area_struct *v;

		if (n->ma64.gap[i] < length || n->pivot[i] <= low_limit)
			continue;
		v = gap_first(n->ma64.slot[i], length, low_limit);
		if (v)
			return v;
	}
	return NULL;
}

/* The last VMA under @n, in address order, with a gap of at least @length
 * below it that starts at or below @high_limit (the mirror of gap_first). */
static struct vm_area_struct *gap_last(const struct maple_node *n, unsigned long length,
				       unsigned long high_limit)
{
	if (n->leaf) {
		for (unsigned int k = n->nr; k-- > 0;) {
			struct vm_area_struct *v = n->mr64.slot[k];
			unsigned long prev_end = k ? n->pivot[k - 1] : gap_before(v);

			if (prev_end <= high_limit && v->vm_start - prev_end >= length)
				return v;
		}
		return NULL;
	}
	for (unsigned int i = n->nr; i-- > 0;) {
		struct vm_area_struct *v;

		/* Child i's gaps start at pivot[i - 1] or above. */
		if (n->ma64.gap[i] < length || (i && n->pivot[i - 1] > high_limit))
			continue;
		v = gap_last(n->ma64.slot[i], length, high_limit);
		if (v)
			return v;
	}
	return NULL;
}

/* The lowest free gap of at least length bytes inside [low, high): *start
 * gets its start clipped to low, *next the VMA right above it (NULL above
 * the last VMA). Returns false if there is none (cf. mas_empty_area). */
static bool gap_lowest(struct mm_struct *mm, unsigned long length, unsigned long low,
		       unsigned long high, unsigned long *start, struct vm_area_struct **next)
{
	unsigned long low_limit = low + length, high_limit = high - length, gap_start;
	struct vm_area_struct *v = NULL;

	if (high < length || low > high_limit)
		return false;
	if (mm->mm_mt.ma_root)
		v = gap_first(mm->mm_mt.ma_root, length, low_limit);
	gap_start = v ? gap_before(v) : mm->highest_vm_end;
	if (gap_start > high_limit)
		return false;
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
	struct vm_area_struct *v = NULL;

	if (high < length || low > high_limit)
		return false;
	if (mm->highest_vm_end <= high_limit) {
		*end = high;
		*next = NULL;
		return true;
	}
	if (mm->mm_mt.ma_root)
		v = gap_last(mm->mm_mt.ma_root, length, high_limit);
	if (!v || v->vm_start < low_limit)
		return false;	/* every lower gap ends lower still */
	*end = min(v->vm_start, high);
	*next = v;
	return true;
}

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


static void vma_report(struct machine *m, struct mm_struct *mm, struct vm_area_struct *v,
		       const char *what)
{
	pr_err(m, "BUG: VMA tree of mm %p: %s at %lx-%lx\n", (void *)mm, what,
	       v ? v->vm_start : 0UL, v ? v->vm_end : 0UL);
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
	struct vm_area_struct *v, *prev = NULL;
	int n = 0, count = 0, bad = 0;

	for (v = mm->mmap; v && n <= mm->map_count; prev = v, v = v->vm_next, n++) {
		if (v->vm_prev != prev)
			vma_report(m, mm, v, "vm_prev wrong"), bad++;
		if (v->vm_start >= v->vm_end || !PAGE_ALIGNED(v->vm_start) ||
		    !PAGE_ALIGNED(v->vm_end))
			vma_report(m, mm, v, "empty or unaligned VMA"), bad++;
		if (prev && prev->vm_end > v->vm_start)
			vma_report(m, mm, v, "VMAs overlap or are out of order"), bad++;
		if (v->vm_mm != mm)
			vma_report(m, mm, v, "vm_mm wrong"), bad++;
	}
	if (n > mm->map_count || bad) {
		pr_err(m, "BUG: mm %p: VMA list broken or longer than map_count %d\n",
		       (void *)mm, mm->map_count);
		return bad + 1;	/* the tree's checks walk the list */
	}
	bad += mt_validate(m, mm, &count);
	if (n != mm->map_count || count != mm->map_count) {
		pr_err(m, "BUG: mm %p: map_count %d, list %d, tree %d\n", (void *)mm,
		       mm->map_count, n, count);
		bad++;
	}
	if (mm->mmap_cache && mm->mmap_cache->vm_mm != mm)
		vma_report(m, mm, mm->mmap_cache, "mmap_cache is not a VMA of this mm"), bad++;
	if (mm->highest_vm_end != (prev ? vm_end_gap(prev) : 0))
		vma_report(m, mm, prev, "highest_vm_end wrong"), bad++;
	return bad;
}
