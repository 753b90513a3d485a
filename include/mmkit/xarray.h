/* A sparse array of pointers indexed by unsigned long (cf.
 * include/linux/xarray.h): the index of the page cache (mapping->i_pages),
 * the swap cache and shmem's swap entries. A radix tree of 64-slot nodes
 * from the "radix_tree_node" slab cache, owned by src/mm/xarray.c.
 *
 * Entries are pointers aligned to 4 bytes, or value entries made by
 * xa_mk_value() (bit 0 set: shmem keeps swap entries this way, as Linux
 * does). NULL means absent: storing NULL erases. Internally a node is
 * referenced with its low bits 10, so values and pointers never look like one.
 *
 * Locking: the caller holds xa->xa_lock around every call that changes
 * the array, and around loads whose result it dereferences; a store that
 * needs a node allocates it with the gfp the caller passes (under the lock,
 * pass a mask without __GFP_DIRECT_RECLAIM: reclaim takes these locks).
 *
 * Invariants (xa_check): every node's count is its non-NULL slots; a node
 * is never empty (erase frees it, and a root with only slot 0 in use is
 * replaced by that child); a child's shift is its parent's minus
 * XA_CHUNK_SHIFT and leaves have shift 0; nr_entries is the entries present. */
#ifndef MMKIT_XARRAY_H
#define MMKIT_XARRAY_H

#include <mmkit/spinlock.h>
#include <mmkit/gfp.h>
#include <mmkit/types.h>

struct machine;

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1UL << XA_CHUNK_SHIFT)

struct xa_node {
	unsigned char shift;	/* bits of index below this node's slots */
	unsigned char offset;	/* slot in the parent */
	unsigned char count;	/* non-NULL slots */
	struct xa_node *parent;
	void *slots[XA_CHUNK_SIZE];
};

struct xarray {
	spinlock_t xa_lock;
	void *xa_head;		/* NULL, the entry at index 0, or the root node (tagged) */
	unsigned long nr_entries;
};

static inline void xa_init(struct xarray *xa)
{
	spin_lock_init(&xa->xa_lock);
	xa->xa_head = NULL;
	xa->nr_entries = 0;
}

static inline bool xa_empty(const struct xarray *xa)
{
	return xa->xa_head == NULL;
}

#define xa_lock(xa) spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa) spin_unlock(&(xa)->xa_lock)

/* Value entries: an integer stored in place of a pointer. */
static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}
static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}
static inline bool xa_is_value(const void *entry)
{
	return (unsigned long)entry & 1;
}

/* Errors a store returns in place of the old entry (cf. xa_err). */
#define XA_ERROR_ENOMEM ((void *)(~0UL - 45))	/* ...ffd2: low bits 10, never a node */
static inline bool xa_is_err(const void *entry)
{
	return entry == XA_ERROR_ENOMEM;
}
static inline int xa_err(const void *entry)
{
	return xa_is_err(entry) ? -12 : 0;
}

/* Create the node cache (boot; else on first use). */
void radix_tree_init(struct machine *m);
/* The entry at @index, or NULL. */
void *xa_load(const struct xarray *xa, unsigned long index);
/* Store @entry at @index (NULL erases); returns the old entry, or
 * XA_ERROR_ENOMEM with nothing changed when a node could not be
 * allocated with @gfp. */
void *xa_store(struct machine *m, struct xarray *xa, unsigned long index, void *entry,
	       gfp_t gfp);
/* Erase @index; returns the old entry. Never allocates. */
void *xa_erase(struct machine *m, struct xarray *xa, unsigned long index);
/* The first entry at an index in [*index, max], which is stored back in
 * *index; NULL (and *index unchanged) when there is none. */
void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max);
/* Free every node; entries are forgotten, not freed (their owner frees
 * them first). */
void xa_destroy(struct machine *m, struct xarray *xa);
/* The invariants above; 0 or the number of violations (printed). */
int xa_check(struct machine *m, const struct xarray *xa, const char *who);

/* Visit every entry at an index in [start, last] in order. The body may
 * erase the entry it is at. */
#define xa_for_each_range(xa, idx, entry, start, last)                         \
	for ((idx) = (start), (entry) = xa_find((xa), &(idx), (last)); (entry);  \
	     (entry) = ((idx) >= (last) ? NULL                                   \
			: ((idx)++, xa_find((xa), &(idx), (last)))))
#define xa_for_each(xa, idx, entry) xa_for_each_range(xa, idx, entry, 0, ~0UL)

#endif
