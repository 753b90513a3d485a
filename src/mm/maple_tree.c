/* The maple tree: the B+tree that indexes an mm's VMAs (cf. lib/maple_tree.c,
 * Linux 6.1+). src/mm/vma_tree.c builds the VMA API on it; the node layout
 * is in src/mm/maple_tree.h.
 *
 * Leaves hold VMAs in address order keyed by vm_end (VMAs never overlap, so
 * vm_end order is address order); internal nodes hold, per child, its
 * highest vm_end (pivot) and its largest free gap. All leaves are at the
 * same depth. Linux's maple tree stores the free ranges as NULL entries;
 * here a gap is implicit (a VMA's vm_start minus its predecessor's vm_end),
 * so a VMA that grows or shrinks in place changes pivots and gaps but never
 * the tree's shape, and needs no node.
 *
 * Nodes come from the "maple_node" slab cache. An insert needs at most
 * height + 1 new nodes (a split on every level and a new root); they are
 * allocated before the tree changes (mt_preallocate, cf. mas_preallocate)
 * and kept on mt->ma_alloc, so an insert never fails halfway. Erasing
 * needs no node: an underfull node borrows from or merges with a sibling.
 * A full node first pushes entries into a sibling with room (cf.
 * mas_push_data) and splits only when both are full, so address-ordered
 * inserts leave nodes full rather than half full (1M ascending VMAs: 6
 * levels, 14.8 VMAs per leaf, against 8 levels and 8.5 without).
 *
 * Invariants (mt_validate): a non-root node holds at least half its slots,
 * an internal root at least 2; pivots strictly increase; unused pivots are
 * MAPLE_PIVOT_NONE and unused slots NULL; every internal pivot and gap
 * equals its child's; a leaf's pivot is its VMA's vm_end; children point
 * back to their parent; the leaves in order list the mm's VMAs exactly as
 * the vm_next list does; ma_nodes counts the nodes; find_vma()'s hint
 * (mm->mmap_cache_slot), if set, names a slot in use of one of its leaves. */
#include <mmkit/slab.h>

#include "mm/maple_tree.h"
#include "mm/vma.h"

/* One entry of a node, for moving entries between nodes. */
struct mn_entry {
	unsigned long pivot;
	void *slot;
	unsigned long gap;	/* internal nodes only */
};

/**
 * maple_tree_init() - create the "maple_node" slab cache (once)
 * @m: the machine; its slab allocator must be up
 *
 * Nodes are 256 bytes and 256-byte aligned, as Linux's (maple_tree_init).
 */
void maple_tree_init(struct machine *m)
{
	if (!m->vm.maple_node_cachep)
		m->vm.maple_node_cachep = kmem_cache_create(m, "maple_node",
							    sizeof(struct maple_node),
							    sizeof(struct maple_node),
							    SLAB_PANIC, NULL);
}

/**
 * mt_preallocate() - make sure @mt holds @count spare nodes
 * @m: the machine
 * @mt: the tree
 * @count: how many nodes the next change may need
 *
 * Returns 0, or -ENOMEM (the spare nodes gathered so far are kept).
 */
int mt_preallocate(struct machine *m, struct maple_tree *mt, unsigned int count)
{
	while (mt->ma_nr_alloc < count) {
		struct maple_node *n;

		if (!m->vm.maple_node_cachep)
			return -ENOMEM;
		n = kmem_cache_alloc(m, m->vm.maple_node_cachep, GFP_KERNEL);
		if (!n)
			return -ENOMEM;
		n->parent = mt->ma_alloc;
		mt->ma_alloc = n;
		mt->ma_nr_alloc++;
	}
	return 0;
}

static void mn_clear(struct maple_node *n, unsigned int i)
{
	if (n->leaf) {
		n->pivot[i] = MAPLE_PIVOT_NONE;
		n->mr64.slot[i] = NULL;
	} else {
		n->pivot[i] = MAPLE_PIVOT_NONE;
		n->ma64.slot[i] = NULL;
		n->ma64.gap[i] = 0;
	}
}

/* A cleared node from the spare nodes (the caller preallocated them). */
static struct maple_node *mn_alloc(struct machine *m, struct maple_tree *mt, bool leaf)
{
	struct maple_node *n = mt->ma_alloc;

	if (VM_WARN_ON(m, !n))
		return NULL;
	mt->ma_alloc = n->parent;
	mt->ma_nr_alloc--;
	mt->ma_nodes++;
	n->leaf = leaf;
	n->nr = 0;
	n->parent = NULL;
	for (unsigned int i = 0; i < mn_slots(n); i++)
		mn_clear(n, i);
	return n;
}

static void mn_free(struct machine *m, struct maple_tree *mt, struct maple_node *n)
{
	mt->ma_nodes--;
	kmem_cache_free(m, m->vm.maple_node_cachep, n);
}

static void mn_free_subtree(struct machine *m, struct maple_tree *mt, struct maple_node *n,
			    unsigned int depth)
{
	if (!n->leaf && depth < MAPLE_HEIGHT_MAX)
		for (unsigned int i = 0; i < n->nr && i < MAPLE_ARANGE64_SLOTS; i++)
			if (n->ma64.slot[i])
				mn_free_subtree(m, mt, n->ma64.slot[i], depth + 1);
	mn_free(m, mt, n);
}

/**
 * mt_destroy() - free every node of @mt and its spare nodes
 * @m: the machine
 * @mt: the tree; the VMAs it indexes are not touched
 */
void mt_destroy(struct machine *m, struct maple_tree *mt)
{
	if (mt->ma_root)
		mn_free_subtree(m, mt, mt->ma_root, 1);
	while (mt->ma_alloc) {
		struct maple_node *n = mt->ma_alloc;

		mt->ma_alloc = n->parent;
		kmem_cache_free(m, m->vm.maple_node_cachep, n);
	}
	mt->ma_root = NULL;
	mt->ma_height = 0;
	mt->ma_nr_alloc = 0;
}

/**
 * mt_descend() - the leaf and offset of the first VMA ending above @key
 * @mt: the tree
 * @key: an address
 * @off: gets the offset in the leaf; the leaf's nr if every VMA of the
 *	tree ends at or below @key (the leaf is then the last one)
 *
 * Returns the leaf, or NULL for an empty tree.
 */
struct maple_node *mt_descend(const struct maple_tree *mt, unsigned long key, unsigned int *off)
{
	struct maple_node *n = mt->ma_root;
	unsigned int o;

	if (!n)
		return NULL;
	while (!n->leaf) {
		o = mn_offset(n->pivot, MAPLE_ARANGE64_SLOTS, key);
		n = n->ma64.slot[min(o, n->nr - 1u)];
	}
	*off = min(mn_offset(n->pivot, MAPLE_RANGE64_SLOTS, key), (unsigned int)n->nr);
	return n;
}

static inline unsigned long mn_max(const struct maple_node *n)
{
	return n->pivot[n->nr - 1];
}

/**
 * mn_gap() - the largest free gap before a VMA under @n
 * @n: a node with at least one entry
 *
 * A leaf computes it from its VMAs and their predecessors on the list.
 */
unsigned long mn_gap(const struct maple_node *n)
{
	unsigned long gap = 0;

	if (!n->leaf) {
		for (unsigned int i = 0; i < n->nr; i++)
			gap = max(gap, n->ma64.gap[i]);
		return gap;
	}
	for (unsigned int i = 0; i < n->nr; i++) {
		const struct vm_area_struct *v = n->mr64.slot[i];
		unsigned long prev_end = i ? n->pivot[i - 1] :
					 v->vm_prev ? v->vm_prev->vm_end : 0;

		gap = max(gap, v->vm_start - prev_end);
	}
	return gap;
}

static unsigned int mn_index(const struct maple_node *p, const struct maple_node *child)
{
	unsigned int i = 0;

	while (i + 1 < p->nr && p->ma64.slot[i] != child)
		i++;
	return i;
}

/* Refresh the parent's pivot and gap for child @i. */
static void mn_refresh_child(struct maple_node *p, unsigned int i)
{
	const struct maple_node *child = p->ma64.slot[i];

	p->pivot[i] = mn_max(child);
	p->ma64.gap[i] = mn_gap(child);
}

/**
 * mt_update_up() - refresh the pivots and gaps on the path from @n to the root
 * @n: a node whose entries (or whose VMAs' bounds) changed
 */
void mt_update_up(struct maple_node *n)
{
	for (struct maple_node *p = n->parent; p; n = p, p = p->parent)
		mn_refresh_child(p, mn_index(p, n));
}

static void mn_get(const struct maple_node *n, unsigned int i, struct mn_entry *e)
{
	if (n->leaf) {
		*e = (struct mn_entry){ n->pivot[i], n->mr64.slot[i], 0 };
	} else {
		*e = (struct mn_entry){ n->pivot[i], n->ma64.slot[i], n->ma64.gap[i] };
	}
}

static void mn_set(struct maple_node *n, unsigned int i, const struct mn_entry *e)
{
	if (n->leaf) {
		n->pivot[i] = e->pivot;
		n->mr64.slot[i] = e->slot;
	} else {
		n->pivot[i] = e->pivot;
		n->ma64.slot[i] = e->slot;
		n->ma64.gap[i] = e->gap;
		((struct maple_node *)e->slot)->parent = n;
	}
}

/* Remove entry @off, closing the hole. */
static void mn_remove(struct maple_node *n, unsigned int off)
{
	struct mn_entry e;

	for (unsigned int i = off; i + 1 < n->nr; i++) {
		mn_get(n, i + 1, &e);
		mn_set(n, i, &e);
	}
	mn_clear(n, --n->nr);
}

/* A new root above the two halves of a split root. */
static int mn_new_root(struct machine *m, struct maple_tree *mt, struct maple_node *left,
		       struct maple_node *right)
{
	struct maple_node *root = mn_alloc(m, mt, false);
	struct mn_entry e;

	if (!root)
		return -ENOMEM;
	e = (struct mn_entry){ mn_max(left), left, mn_gap(left) };
	mn_set(root, 0, &e);
	e = (struct mn_entry){ mn_max(right), right, mn_gap(right) };
	mn_set(root, 1, &e);
	root->nr = 2;
	mt->ma_root = root;
	mt->ma_height++;
	return 0;
}

/* @n is full and tmp[0 .. total-1] are its entries with the new one at
 * @off: instead of splitting, move some of them into a sibling with room
 * (cf. mas_push_data). An append (prepend) fills the left (right) sibling,
 * so address-ordered inserts leave full nodes behind; otherwise half the
 * room is taken. Returns false if neither sibling has room. */
static bool mn_push(struct maple_node *n, const struct mn_entry *tmp, unsigned int total,
		    unsigned int off)
{
	struct maple_node *p = n->parent, *s;
	unsigned int slots = mn_slots(n), i, j, k;
	struct mn_entry t;

	if (!p)
		return false;
	i = mn_index(p, n);
	s = i ? p->ma64.slot[i - 1] : NULL;
	if (s && s->nr < slots) {		/* tmp[0 .. k-1] go left */
		k = off + 1 == total ? slots - s->nr : (slots - s->nr + 1u) / 2;
		for (j = 0; j < k; j++)
			mn_set(s, s->nr + j, &tmp[j]);
		s->nr = (unsigned char)(s->nr + k);
		for (j = 0; j < slots; j++)
			if (j < total - k)
				mn_set(n, j, &tmp[k + j]);
			else
				mn_clear(n, j);
		n->nr = (unsigned char)(total - k);
		mn_refresh_child(p, i - 1);
		mn_refresh_child(p, i);
		return true;
	}
	s = i + 1u < p->nr ? p->ma64.slot[i + 1] : NULL;
	if (!s || s->nr == slots)
		return false;
	k = off == 0 ? slots - s->nr : (slots - s->nr + 1u) / 2;	/* tmp[total-k ..] go right */
	for (j = s->nr; j-- > 0;) {
		mn_get(s, j, &t);
		mn_set(s, j + k, &t);
	}
	for (j = 0; j < k; j++)
		mn_set(s, j, &tmp[total - k + j]);
	s->nr = (unsigned char)(s->nr + k);
	for (j = 0; j < slots; j++)
		if (j < total - k)
			mn_set(n, j, &tmp[j]);
		else
			mn_clear(n, j);
	n->nr = (unsigned char)(total - k);
	mn_refresh_child(p, i);
	mn_refresh_child(p, i + 1);
	return true;
}

/* Put @e at @off in @n; when @n is full, push entries into a sibling or
 * split @n (and its ancestors). The split falls right after the new entry
 * as far as both halves keep their minimum. */
static int mn_insert(struct machine *m, struct maple_tree *mt, struct maple_node *n,
		     unsigned int off, const struct mn_entry *e)
{
	struct mn_entry tmp[MAPLE_RANGE64_SLOTS + 1], t;
	unsigned int total = n->nr + 1u, split, i;
	struct maple_node *right, *p;

	if (n->nr < mn_slots(n)) {
		for (i = n->nr; i > off; i--) {
			mn_get(n, i - 1, &t);
			mn_set(n, i, &t);
		}
		mn_set(n, off, e);
		n->nr++;
		return 0;
	}
	for (i = 0; i < total; i++) {
		if (i == off)
			tmp[i] = *e;
		else
			mn_get(n, i - (i > off), &tmp[i]);
	}
	if (mn_push(n, tmp, total, off))
		return 0;
	right = mn_alloc(m, mt, n->leaf);
	if (!right)
		return -ENOMEM;
	split = clamp(off + 1, mn_min_slots(n), total - mn_min_slots(n));
	for (i = 0; i < mn_slots(n); i++)
		if (i < split)
			mn_set(n, i, &tmp[i]);
		else
			mn_clear(n, i);
	n->nr = (unsigned char)split;
	for (i = split; i < total; i++)
		mn_set(right, i - split, &tmp[i]);
	right->nr = (unsigned char)(total - split);
	p = n->parent;
	if (!p)
		return mn_new_root(m, mt, n, right);
	i = mn_index(p, n);
	mn_refresh_child(p, i);
	t = (struct mn_entry){ mn_max(right), right, mn_gap(right) };
	return mn_insert(m, mt, p, i + 1, &t);
}

/**
 * mt_insert() - insert @vma at @off of @leaf
 * @m: the machine
 * @mt: the tree, holding height + 1 spare nodes
 * @leaf: the leaf mt_descend() gave for @vma's vm_start (NULL: empty tree)
 * @off: the offset it gave
 * @vma: the VMA, already on the mm's list (leaf gaps read the list)
 *
 * Pivots and gaps above the leaf are the caller's to refresh
 * (mt_update_up). Returns 0, or -ENOMEM if the spare nodes ran out.
 */
int mt_insert(struct machine *m, struct maple_tree *mt, struct maple_node *leaf,
	      unsigned int off, struct vm_area_struct *vma)
{
	struct mn_entry e = { vma->vm_end, vma, 0 };

	if (!mt->ma_root) {
		leaf = mn_alloc(m, mt, true);
		if (!leaf)
			return -ENOMEM;
		mt->ma_root = leaf;
		mt->ma_height = 1;
		off = 0;
	}
	return mn_insert(m, mt, leaf, off, &e);
}

/* Move one entry from sibling @from into @n (at its front if @from is the
 * left sibling, else at its end). */
static void mn_borrow(struct maple_node *n, struct maple_node *from, bool from_left)
{
	struct mn_entry e, t;

	if (from_left) {
		mn_get(from, from->nr - 1u, &e);
		mn_clear(from, --from->nr);
		for (unsigned int i = n->nr; i > 0; i--) {
			mn_get(n, i - 1, &t);
			mn_set(n, i, &t);
		}
		mn_set(n, 0, &e);
	} else {
		mn_get(from, 0, &e);
		mn_remove(from, 0);
		mn_set(n, n->nr, &e);
	}
	n->nr++;
}

/* Restore the fill invariant at @n after it lost an entry. */
static void mn_rebalance(struct machine *m, struct maple_tree *mt, struct maple_node *n)
{
	struct maple_node *p = n->parent, *left, *right;
	unsigned int i, li;
	struct mn_entry e;

	if (!p) {
		if (!n->nr) {
			mn_free(m, mt, n);
			mt->ma_root = NULL;
			mt->ma_height = 0;
		} else if (!n->leaf && n->nr == 1) {	/* the root's only child takes its place */
			mt->ma_root = n->ma64.slot[0];
			mt->ma_root->parent = NULL;
			mt->ma_height--;
			mn_free(m, mt, n);
		}
		return;
	}
	if (n->nr >= mn_min_slots(n)) {
		mt_update_up(n);
		return;
	}
	i = mn_index(p, n);
	li = i ? i - 1 : 0;
	left = p->ma64.slot[li];
	right = p->ma64.slot[li + 1];
	if (left != n && left->nr > mn_min_slots(left)) {
		mn_borrow(n, left, true);
	} else if (right != n && right->nr > mn_min_slots(right)) {
		mn_borrow(n, right, false);
	} else {	/* merge right into left: at most 2 * min - 1 entries */
		for (unsigned int k = 0; k < right->nr; k++) {
			mn_get(right, k, &e);
			mn_set(left, left->nr + k, &e);
		}
		left->nr = (unsigned char)(left->nr + right->nr);
		mn_free(m, mt, right);
		mn_refresh_child(p, li);
		mn_remove(p, li + 1);
		mn_rebalance(m, mt, p);
		return;
	}
	mn_refresh_child(p, li);
	mn_refresh_child(p, li + 1);
	mt_update_up(p);
}

/**
 * mt_erase() - remove entry @off of @leaf
 * @m: the machine
 * @mt: the tree
 * @leaf: the leaf holding the VMA
 * @off: its offset; the VMA must already be off the mm's list
 *
 * Refreshes the pivots and gaps from the leaf up; the successor's leaf,
 * whose gap grew, is the caller's.
 */
void mt_erase(struct machine *m, struct maple_tree *mt, struct maple_node *leaf,
	      unsigned int off)
{
	mn_remove(leaf, off);
	mn_rebalance(m, mt, leaf);
}

struct mt_walk {
	struct machine *m;
	struct mm_struct *mm;
	struct vm_area_struct *expect;	/* the VMA the list says comes next */
	unsigned int height, nodes;
	int count, bad;
	unsigned long hint;		/* mm->mmap_cache_slot */
	bool hint_found;
};

static void mt_report(struct mt_walk *w, const struct maple_node *n, const char *what)
{
	pr_err(w->m, "BUG: VMA tree of mm %p: %s (node %p)\n", (void *)w->mm, what,
	       (const void *)n);
	w->bad++;
}

static void mn_check_leaf(struct mt_walk *w, const struct maple_node *n)
{
	if ((w->hint & ~(MAPLE_NODE_SIZE - 1UL)) == (unsigned long)n)
		w->hint_found = (w->hint & (MAPLE_NODE_SIZE - 1UL)) < n->nr;
	for (unsigned int i = 0; i < n->nr; i++) {
		struct vm_area_struct *v = n->mr64.slot[i];

		if (!v) {
			mt_report(w, n, "empty slot in use");
			continue;
		}
		if (v != w->expect)
			mt_report(w, n, "in-order VMA is not the list's next");
		if (n->pivot[i] != v->vm_end)
			mt_report(w, n, "pivot is not the VMA's vm_end");
		w->expect = v->vm_next;
		w->count++;
	}
}

static void mn_check(struct mt_walk *w, struct maple_node *n, const struct maple_node *parent,
		     unsigned int depth)
{
	unsigned int slots = mn_slots(n), i;
	void **slot = mn_slot_array(n);

	w->nodes++;
	if (n->parent != parent)
		mt_report(w, n, "parent link wrong");
	if (n->leaf != (depth == w->height))
		mt_report(w, n, "leaves not all at the tree's height");
	if (n->nr > slots || !n->nr || (parent && n->nr < mn_min_slots(n)) ||
	    (!parent && !n->leaf && n->nr < 2)) {
		mt_report(w, n, "node fill out of bounds");
		if (n->nr > slots || !n->nr)
			return;
	}
	for (i = 0; i < slots; i++) {
		if (i >= n->nr && (n->pivot[i] != MAPLE_PIVOT_NONE || slot[i] ||
				   (!n->leaf && n->ma64.gap[i])))
			mt_report(w, n, "unused slot not cleared");
		if (i && i < n->nr && n->pivot[i] <= n->pivot[i - 1])
			mt_report(w, n, "pivots out of order");
	}
	if (n->leaf) {
		mn_check_leaf(w, n);
		return;
	}
	if (depth >= w->height)
		return;
	for (i = 0; i < n->nr; i++) {
		struct maple_node *child = n->ma64.slot[i];
		int bad = w->bad;

		if (!child) {
			mt_report(w, n, "empty slot in use");
			continue;
		}
		mn_check(w, child, n, depth + 1);
		if (w->bad != bad)
			continue;	/* the child's numbers are not to be trusted */
		if (n->pivot[i] != mn_max(child))
			mt_report(w, n, "pivot is not the child's highest vm_end");
		if (n->ma64.gap[i] != mn_gap(child))
			mt_report(w, n, "gap is not the child's largest gap");
	}
}

/**
 * mt_validate() - check the structure of @mm's tree against its VMA list
 * @m: the machine
 * @mm: the address space; its list must be sound
 * @count: gets the number of VMAs in the tree
 *
 * Returns the number of violations, each reported in the kernel log.
 */
int mt_validate(struct machine *m, struct mm_struct *mm, int *count)
{
	struct maple_tree *mt = &mm->mm_mt;
	struct mt_walk w = { .m = m, .mm = mm, .expect = mm->mmap, .height = mt->ma_height,
			     .hint = mm->mmap_cache_slot };
	unsigned int spare = 0;

	if (!mt->ma_root != !mt->ma_height || mt->ma_height > MAPLE_HEIGHT_MAX)
		mt_report(&w, mt->ma_root, "height does not match the root");
	else if (mt->ma_root)
		mn_check(&w, mt->ma_root, NULL, 1);
	if (w.expect)
		mt_report(&w, NULL, "the list has VMAs the tree lacks");
	if (w.hint && !w.hint_found)
		mt_report(&w, NULL, "find_vma hint is not a slot of the tree");
	if (w.nodes != mt->ma_nodes)
		mt_report(&w, NULL, "ma_nodes is not the number of nodes");
	for (struct maple_node *n = mt->ma_alloc; n && spare <= mt->ma_nr_alloc; n = n->parent)
		spare++;
	if (spare != mt->ma_nr_alloc)
		mt_report(&w, mt->ma_alloc, "ma_nr_alloc is not the number of spare nodes");
	*count = w.count;
	return w.bad;
}
