/* The maple tree's node layout and the operations src/mm/vma_tree.c builds
 * the VMA API on (cf. include/linux/maple_tree.h, lib/maple_tree.c).
 *
 * A node is 256 bytes (4 cache lines, 256-aligned), as Linux's maple_node.
 * A leaf holds up to MAPLE_RANGE64_SLOTS VMAs in address order; pivot[i]
 * is slot[i]'s vm_end. An internal node holds up to MAPLE_ARANGE64_SLOTS
 * children; pivot[i] is the highest vm_end under child i and gap[i] the
 * largest free gap (vm_start minus the previous VMA's vm_end) before a VMA
 * under child i. Unused pivots are ULONG_MAX and unused slots NULL, so a
 * lookup counts the pivots <= addr without reading nr. */
#ifndef MMKIT_MM_MAPLE_TREE_H
#define MMKIT_MM_MAPLE_TREE_H

#include <mmkit/mm_types.h>

#include "internal.h"

/* -DMAPLE_NODE_SIZE=512 builds 31-VMA leaves and 20-child internal nodes:
 * one level fewer, but 1.5-2x slower lookups on the test VM (docs/
 * address-space.md, Speed). Nodes are aligned to their size, so a leaf
 * pointer has room for a slot offset in its low bits (find_vma's hint). */
#ifndef MAPLE_NODE_SIZE
#define MAPLE_NODE_SIZE 256
#endif
/* 16 bytes per leaf entry, 24 per internal one, 16 for nr, leaf, parent */
#define MAPLE_RANGE64_SLOTS ((MAPLE_NODE_SIZE - 16) / 16)	/* leaf entries */
#define MAPLE_ARANGE64_SLOTS ((MAPLE_NODE_SIZE - 16) / 24)	/* internal entries */
#define MAPLE_HEIGHT_MAX 31
#define MAPLE_PIVOT_NONE (~0UL)	/* an unused pivot */

struct maple_node {
	union {
		/* both kinds: pivot[0 .. nr-1] are in use */
		unsigned long pivot[MAPLE_RANGE64_SLOTS];
		struct {	/* a leaf (maple_range_64) */
			unsigned long pivots[MAPLE_RANGE64_SLOTS];
			void *slot[MAPLE_RANGE64_SLOTS];	/* struct vm_area_struct * */
		} mr64;
		struct {	/* an internal node (maple_arange_64) */
			unsigned long pivots[MAPLE_ARANGE64_SLOTS];
			void *slot[MAPLE_ARANGE64_SLOTS];	/* struct maple_node * */
			unsigned long gap[MAPLE_ARANGE64_SLOTS];
		} ma64;
	};
	unsigned char nr;		/* entries in use */
	bool leaf;
	struct maple_node *parent;	/* NULL for the root; the reserve's chain */
};

/* Pivots are always read and written through ->pivot, one array type for
 * both kinds of node, so the compiler never mixes two array bounds for
 * the same memory. */
_Static_assert(sizeof(struct maple_node) == MAPLE_NODE_SIZE, "maple_node fills its size");

static inline unsigned int mn_slots(const struct maple_node *n)
{
	return n->leaf ? MAPLE_RANGE64_SLOTS : MAPLE_ARANGE64_SLOTS;
}

/* The fewest entries a node other than the root may hold. */
static inline unsigned int mn_min_slots(const struct maple_node *n)
{
	return mn_slots(n) / 2;
}

static inline void **mn_slot_array(struct maple_node *n)
{
	return n->leaf ? n->mr64.slot : n->ma64.slot;
}

/* How many of the node's pivots are <= key: the offset of the first entry
 * ending above key (cnt pivots are read; unused ones never count). */
static inline unsigned int mn_offset(const unsigned long *pivot, unsigned int cnt,
				     unsigned long key)
{
	unsigned int off = 0;

	for (unsigned int i = 0; i < cnt; i++)
		off += pivot[i] <= key;
	return off;
}

int mt_preallocate(struct machine *m, struct maple_tree *mt, unsigned int count);
void mt_destroy(struct machine *m, struct maple_tree *mt);
struct maple_node *mt_descend(const struct maple_tree *mt, unsigned long key, unsigned int *off);
unsigned long mn_gap(const struct maple_node *n);
void mt_update_up(struct maple_node *n);
int mt_insert(struct machine *m, struct maple_tree *mt, struct maple_node *leaf,
	      unsigned int off, struct vm_area_struct *vma);
void mt_erase(struct machine *m, struct maple_tree *mt, struct maple_node *leaf,
	      unsigned int off);
int mt_validate(struct machine *m, struct mm_struct *mm, int *count);

#endif
