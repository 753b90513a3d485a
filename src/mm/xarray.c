/* The xarray: a radix tree of 64-slot nodes (cf. lib/xarray.c,
 * lib/radix-tree.c; seed 003's page cache hash is replaced by it, as
 * Linux 2.6 replaced page_hash_table by the per-mapping radix tree).
 *
 * A tree of height h covers indices [0, 64^h); the head holds the entry at
 * index 0 directly while nothing else is present. Stores grow the tree at
 * the top (the old root becomes slot 0 of a new root) and allocate the
 * missing nodes on the way down; erases free nodes that become empty and
 * shrink the tree while the root uses only slot 0. Nodes come from the
 * "radix_tree_node" slab cache.
 *
 * Invariants: see include/mmkit/xarray.h; checked by xa_check(). */
#include "mm/memory.h"

#include <mmkit/xarray.h>

static inline bool xa_is_node(const void *entry)
{
	return ((unsigned long)entry & 3) == 2;
}

static inline struct xa_node *xa_to_node(const void *entry)
{
	return (struct xa_node *)((unsigned long)entry - 2);
}

static inline void *xa_mk_node(const struct xa_node *node)
{
	return (void *)((unsigned long)node | 2);
}

/* The bits of an index a node spans: its slots cover (index & mask). */
static inline unsigned long node_span_mask(const struct xa_node *node)
{
	unsigned int bits = node->shift + XA_CHUNK_SHIFT;

	return bits >= 8 * sizeof(long) ? ~0UL : (1UL << bits) - 1;
}

static inline unsigned int node_offset(const struct xa_node *node, unsigned long index)
{
	return (unsigned int)(index >> node->shift) & (XA_CHUNK_SIZE - 1);
}

/**
 * radix_tree_init() - create the "radix_tree_node" slab cache at boot (cf.
 *	radix_tree_init in start_kernel), so the first page-cache or swap-cache
 *	insert does not allocate a cache (a machine not booted through
 *	mmap_init gets it on first use)
 * @m: the machine
 */
void radix_tree_init(struct machine *m)
{
	if (__atomic_load_n(&m->vm.radix_tree_node_cachep, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&m->vm.mmlist_lock);
	if (!m->vm.radix_tree_node_cachep)
		__atomic_store_n(&m->vm.radix_tree_node_cachep,
				 kmem_cache_create(m, "radix_tree_node", sizeof(struct xa_node), 0,
						   SLAB_PANIC | SLAB_RECLAIM_ACCOUNT, NULL),
				 __ATOMIC_RELEASE);
	spin_unlock(&m->vm.mmlist_lock);
}

static struct xa_node *xa_node_alloc(struct machine *m, gfp_t gfp, unsigned int shift)
{
	struct xa_node *node;

	radix_tree_init(m);
	if (!m->vm.radix_tree_node_cachep)
		return NULL;
	node = kmem_cache_zalloc(m, m->vm.radix_tree_node_cachep, gfp);
	if (node)
		node->shift = (unsigned char)shift;
	return node;
}

static void xa_node_free(struct machine *m, struct xa_node *node)
{
	kmem_cache_free(m, m->vm.radix_tree_node_cachep, node);
}

/**
 * xa_load() - the entry at @index (cf. xa_load)
 * @xa: the array
 * @index: the index
 *
 * Returns the entry or NULL.
 */
void *xa_load(const struct xarray *xa, unsigned long index)
{
	void *entry = xa->xa_head;
	struct xa_node *node;

	if (!xa_is_node(entry))
		return index == 0 ? entry : NULL;
	node = xa_to_node(entry);
	if (index & ~node_span_mask(node))
		return NULL;
	for (;;) {
		entry = node->slots[node_offset(node, index)];
		if (!node->shift || !entry)
			return entry;
		node = entry;
	}
}

/* Drop the root while it uses slot 0 only (cf. xas_shrink). */
static void xa_shrink(struct machine *m, struct xarray *xa)
{
	while (xa_is_node(xa->xa_head)) {
		struct xa_node *node = xa_to_node(xa->xa_head);
		void *child = node->slots[0];

		if (node->count != 1 || !child)
			return;
		if (node->shift) {
			((struct xa_node *)child)->parent = NULL;
			xa->xa_head = xa_mk_node(child);
		} else {
			xa->xa_head = child;
		}
		xa_node_free(m, node);
	}
}

/* Free @node and its ancestors while they are empty (cf. xas_delete_node). */
static void xa_delete_empty(struct machine *m, struct xarray *xa, struct xa_node *node)
{
	while (node && !node->count) {
		struct xa_node *parent = node->parent;

		if (parent) {
			parent->slots[node->offset] = NULL;
			parent->count--;
		} else {
			xa->xa_head = NULL;
		}
		xa_node_free(m, node);
		node = parent;
	}
	xa_shrink(m, xa);
}

/* Make the root span @index (cf. xas_expand). Returns false without memory. */
static bool xa_expand(struct machine *m, struct xarray *xa, unsigned long index, gfp_t gfp)
{
	for (;;) {
		void *head = xa->xa_head;
		struct xa_node *node;
		unsigned int shift = 0;

		if (xa_is_node(head)) {
			node = xa_to_node(head);
			if (!(index & ~node_span_mask(node)))
				return true;
			shift = node->shift + XA_CHUNK_SHIFT;
		} else if (!head) {
			if (!index)
				return true;
			/* an empty array: one root tall enough, no empty
			 * leaf below it (that one would never be freed) */
			while (shift + XA_CHUNK_SHIFT < 8 * sizeof(long) &&
			       (index >> (shift + XA_CHUNK_SHIFT)))
				shift += XA_CHUNK_SHIFT;
		}
		node = xa_node_alloc(m, gfp, shift);
		if (!node)
			return false;
		if (xa_is_node(head)) {
			xa_to_node(head)->parent = node;
			node->slots[0] = xa_to_node(head);
			node->count = 1;
		} else if (head) {
			node->slots[0] = head;	/* the entry at index 0 */
			node->count = 1;
		}
		xa->xa_head = xa_mk_node(node);
	}
}

/**
 * xa_store() - store @entry at @index (cf. xa_store)
 * @m: the machine
 * @xa: the array, its lock held
 * @index: the index
 * @entry: the entry (NULL erases)
 * @gfp: for the nodes the store needs
 *
 * Returns the old entry, or XA_ERROR_ENOMEM with the array unchanged.
 */
void *xa_store(struct machine *m, struct xarray *xa, unsigned long index, void *entry,
	       gfp_t gfp)
{
	struct xa_node *node;
	void *old;
	unsigned int off;

	if (!entry)
		return xa_erase(m, xa, index);
	VM_WARN_ON(m, xa_is_node(entry));
	if (!xa_expand(m, xa, index, gfp)) {
		xa_shrink(m, xa);
		return XA_ERROR_ENOMEM;
	}
	if (!xa_is_node(xa->xa_head)) {	/* index 0 stored in the head */
		old = xa->xa_head;
		xa->xa_head = entry;
		if (!old)
			xa->nr_entries++;
		return old;
	}
	node = xa_to_node(xa->xa_head);
	while (node->shift) {
		struct xa_node *child;

		off = node_offset(node, index);
		child = node->slots[off];
		if (!child) {
			child = xa_node_alloc(m, gfp, node->shift - XA_CHUNK_SHIFT);
			if (!child) {
				xa_delete_empty(m, xa, node);
				return XA_ERROR_ENOMEM;
			}
			child->parent = node;
			child->offset = (unsigned char)off;
			node->slots[off] = child;
			node->count++;
		}
		node = child;
	}
	off = node_offset(node, index);
	old = node->slots[off];
	node->slots[off] = entry;
	if (!old) {
		node->count++;
		xa->nr_entries++;
	}
	return old;
}

/**
 * xa_erase() - remove the entry at @index (cf. xa_erase)
 * @m: the machine
 * @xa: the array, its lock held
 * @index: the index
 *
 * Returns the entry that was there, or NULL.
 */
void *xa_erase(struct machine *m, struct xarray *xa, unsigned long index)
{
	void *head = xa->xa_head, *old;
	struct xa_node *node;
	unsigned int off;

	if (!xa_is_node(head)) {
		if (index || !head)
			return NULL;
		xa->xa_head = NULL;
		xa->nr_entries--;
		return head;
	}
	node = xa_to_node(head);
	if (index & ~node_span_mask(node))
		return NULL;
	while (node->shift) {
		node = node->slots[node_offset(node, index)];
		if (!node)
			return NULL;
	}
	off = node_offset(node, index);
	old = node->slots[off];
	if (!old)
		return NULL;
	node->slots[off] = NULL;
	node->count--;
	xa->nr_entries--;
	xa_delete_empty(m, xa, node);
	return old;
}

/**
 * xa_find() - the first entry at an index in [*@index, @max] (cf. xa_find)
 * @xa: the array
 * @index: where to start; set to the entry's index when one is found
 * @max: the last index to look at
 *
 * Returns the entry, or NULL with *@index unchanged.
 */
void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max)
{
	void *head = xa->xa_head;
	unsigned long idx = *index;
	struct xa_node *node;

	if (idx > max)
		return NULL;
	if (!xa_is_node(head)) {
		if (idx || !head)
			return NULL;
		return head;
	}
	node = xa_to_node(head);
	if (idx & ~node_span_mask(node))
		return NULL;
	for (;;) {
		unsigned int off = node_offset(node, idx);
		unsigned long base = idx & ~node_span_mask(node);

		while (off < XA_CHUNK_SIZE && !node->slots[off])
			off++;
		if (off == XA_CHUNK_SIZE) {
			/* nothing left here: continue after this node's span */
			unsigned long next = base + node_span_mask(node) + 1;

			if (next == 0 || next > max)
				return NULL;
			/* up to the ancestor whose span holds next */
			do {
				node = node->parent;
				if (!node)
					return NULL;
			} while ((next & ~node_span_mask(node)) != (base & ~node_span_mask(node)));
			idx = next;
			continue;
		}
		{
			unsigned long slot_base = base | ((unsigned long)off << node->shift);

			if (slot_base > idx)
				idx = slot_base;
		}
		if (idx > max)
			return NULL;
		if (!node->shift) {
			*index = idx;
			return node->slots[off];
		}
		node = node->slots[off];
	}
}

static void xa_free_nodes(struct machine *m, struct xa_node *node)
{
	if (node->shift)
		for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++)
			if (node->slots[i])
				xa_free_nodes(m, node->slots[i]);
	xa_node_free(m, node);
}

/**
 * xa_destroy() - free every node of @xa, forgetting its entries (cf.
 *	xa_destroy)
 * @m: the machine
 * @xa: the array
 */
void xa_destroy(struct machine *m, struct xarray *xa)
{
	if (xa_is_node(xa->xa_head))
		xa_free_nodes(m, xa_to_node(xa->xa_head));
	xa->xa_head = NULL;
	xa->nr_entries = 0;
}

static unsigned long xa_check_node(struct machine *m, const struct xa_node *node,
				   const char *who, int *bad)
{
	unsigned long entries = 0;
	unsigned int count = 0;

	for (unsigned int i = 0; i < XA_CHUNK_SIZE; i++) {
		const struct xa_node *child = node->slots[i];

		if (!child)
			continue;
		count++;
		if (!node->shift) {
			entries++;
			continue;
		}
		if (child->parent != node || child->offset != i ||
		    child->shift + XA_CHUNK_SHIFT != node->shift) {
			printk(m, KERN_ERR "%s: xarray node links broken at slot %u\n", who, i);
			(*bad)++;
			continue;
		}
		entries += xa_check_node(m, child, who, bad);
	}
	if (count != node->count || !count) {
		printk(m, KERN_ERR "%s: xarray node count %u, %u slots in use\n", who,
		       node->count, count);
		(*bad)++;
	}
	return entries;
}

/**
 * xa_check() - verify @xa's invariants (CONFIG_DEBUG_VM-style)
 * @m: the machine
 * @xa: the array, its lock held
 * @who: named in the report
 *
 * Returns 0, or the number of violations found (each printed).
 */
int xa_check(struct machine *m, const struct xarray *xa, const char *who)
{
	unsigned long entries;
	int bad = 0;

	if (!xa_is_node(xa->xa_head)) {
		entries = xa->xa_head != NULL;
	} else {
		const struct xa_node *root = xa_to_node(xa->xa_head);

		if (root->parent) {
			printk(m, KERN_ERR "%s: xarray root has a parent\n", who);
			bad++;
		}
		if (root->count == 1 && root->slots[0]) {
			printk(m, KERN_ERR "%s: xarray root not shrunk\n", who);
			bad++;
		}
		entries = xa_check_node(m, root, who, &bad);
	}
	if (entries != xa->nr_entries) {
		printk(m, KERN_ERR "%s: xarray holds %lu entries, nr_entries %lu\n", who, entries,
		       xa->nr_entries);
		bad++;
	}
	return bad;
}
