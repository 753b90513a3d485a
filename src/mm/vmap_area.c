/* The busy ranges of the vmalloc space (cf. the vmap_area part of
 * mm/vmalloc.c): vmap_area objects from a pool of buddy pages (a page goes
 * back when its last object is freed), an AVL tree by va_start for lookup,
 * and an address-ordered list for the first-fit search of a free range.
 * Invariants: the tree and the list hold the same areas; in-order the tree
 * is sorted by va_start and every node's heights differ by at most one;
 * listed areas never overlap. */
#include "mm/vmap_area.h"

#define VA_POISON 0x6b

/* ---- vmap_area objects: a tiny pool on buddy pages ---- */

struct va_pool_page {
	struct list_head list;	/* in vmalloc_state.pool while it has free objects */
	void *free;		/* free objects, chained through their first word */
	unsigned int inuse;
};

#define VA_OBJ_SIZE ALIGN(sizeof(struct vmap_area), 16)
#define VA_POOL_HDR ALIGN(sizeof(struct va_pool_page), 16)

static struct vmap_area *va_pool_alloc(struct machine *m)
{
	struct vmalloc_state *vs = &m->vmalloc;
	struct va_pool_page *hdr;
	void *obj;

	if (list_empty(&vs->pool)) {
		struct page *page;

		if (kernel_vm_should_fail(m))
			return NULL;
		page = alloc_page(m, GFP_KERNEL | __GFP_NOWARN);
		if (!page)
			return NULL;
		hdr = page_address(m, page);
		hdr->free = NULL;
		hdr->inuse = 0;
		for (size_t off = PAGE_SIZE - VA_OBJ_SIZE; off >= VA_POOL_HDR; off -= VA_OBJ_SIZE) {
			obj = (u8 *)hdr + off;
			*(void **)obj = hdr->free;
			hdr->free = obj;
		}
		list_add(&hdr->list, &vs->pool);
		vs->nr_pool_pages++;
	}
	hdr = list_first_entry(&vs->pool, struct va_pool_page, list);
	obj = hdr->free;
	hdr->free = *(void **)obj;
	hdr->inuse++;
	if (!hdr->free)
		list_del(&hdr->list);
	mm_memset(obj, 0, sizeof(struct vmap_area));
	return obj;
}

static void va_pool_free(struct machine *m, struct vmap_area *va)
{
	struct va_pool_page *hdr = (struct va_pool_page *)((uintptr_t)va & ~(uintptr_t)(PAGE_SIZE - 1));

	if (m->debug_vm)
		mm_memset(va, VA_POISON, sizeof(*va));
	if (!hdr->free)
		list_add(&hdr->list, &m->vmalloc.pool);
	*(void **)va = hdr->free;
	hdr->free = va;
	if (--hdr->inuse)
		return;
	list_del(&hdr->list);
	m->vmalloc.nr_pool_pages--;
	__free_page(m, virt_to_page(m, hdr));
}

/* ---- the AVL tree of busy areas, keyed by va_start ---- */

static int va_height(const struct vmap_area *n)
{
	return n ? n->height : 0;
}

static void va_fix(struct vmap_area *n)
{
	n->height = 1 + max(va_height(n->left), va_height(n->right));
}

static struct vmap_area *va_rotate_right(struct vmap_area *y)
{
	struct vmap_area *x = y->left;

	y->left = x->right;
	x->right = y;
	va_fix(y);
	va_fix(x);
	return x;
}

static struct vmap_area *va_rotate_left(struct vmap_area *x)
{
	struct vmap_area *y = x->right;

	x->right = y->left;
	y->left = x;
	va_fix(x);
	va_fix(y);
	return y;
}

static struct vmap_area *va_balance(struct vmap_area *n)
{
	int bf;

	va_fix(n);
	bf = va_height(n->left) - va_height(n->right);
	if (bf > 1) {
		if (va_height(n->left->left) < va_height(n->left->right))
			n->left = va_rotate_left(n->left);
		return va_rotate_right(n);
	}
	if (bf < -1) {
		if (va_height(n->right->right) < va_height(n->right->left))
			n->right = va_rotate_right(n->right);
		return va_rotate_left(n);
	}
	return n;
}

static struct vmap_area *va_tree_insert(struct vmap_area *root, struct vmap_area *va)
{
	if (!root) {
		va->left = va->right = NULL;
		va->height = 1;
		return va;
	}
	if (va->va_start < root->va_start)
		root->left = va_tree_insert(root->left, va);
	else
		root->right = va_tree_insert(root->right, va);
	return va_balance(root);
}

static struct vmap_area *va_tree_pop_min(struct vmap_area *n, struct vmap_area **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = va_tree_pop_min(n->left, min);
	return va_balance(n);
}

static struct vmap_area *va_tree_erase(struct vmap_area *root, struct vmap_area *va)
{
	struct vmap_area *min;

	if (!root)
		return NULL;
	if (va->va_start < root->va_start) {
		root->left = va_tree_erase(root->left, va);
	} else if (va->va_start > root->va_start) {
		root->right = va_tree_erase(root->right, va);
	} else {
		if (!root->right)
			return root->left;
		root->right = va_tree_pop_min(root->right, &min);
		min->left = root->left;
		min->right = root->right;
		return va_balance(min);
	}
	return va_balance(root);
}

/**
 * __find_vmap_area - the busy area containing addr (cf. __find_vmap_area)
 * @m: machine (caller holds m->vmalloc.lock, or is the only thread)
 * @addr: a virtual address
 * Return: the area, or NULL.
 */
struct vmap_area *__find_vmap_area(struct machine *m, u64 addr)
{
	struct vmap_area *n = m->vmalloc.root;

	while (n) {
		if (addr < n->va_start)
			n = n->left;
		else if (addr >= n->va_end)
			n = n->right;
		else
			return n;
	}
	return NULL;
}

/**
 * find_vmap_area - the busy area containing addr, under vmap_area_lock
 * @m: machine @addr: a virtual address
 * Return: the area, or NULL.
 */
struct vmap_area *find_vmap_area(struct machine *m, u64 addr)
{
	struct vmap_area *va;

	spin_lock(&m->vmalloc.lock);
	va = __find_vmap_area(m, addr);
	spin_unlock(&m->vmalloc.lock);
	return va;
}

/**
 * claim_vmap_area - find the area starting at addr and mark it being freed
 * @m: machine @addr: the start address given to vfree/vunmap
 *
 * One of two racing vfree calls of the same address wins; the area stays
 * in place (its range reserved) until free_vmap_area, so nobody maps into
 * it while its ptes are being cleared. Return: the area, or NULL when no
 * area starts at addr or it is already being freed.
 */
struct vmap_area *claim_vmap_area(struct machine *m, u64 addr)
{
	struct vmap_area *va;

	spin_lock(&m->vmalloc.lock);
	va = __find_vmap_area(m, addr);
	if (!va || va->va_start != addr || va->freeing)
		va = NULL;
	else
		va->freeing = true;
	spin_unlock(&m->vmalloc.lock);
	return va;
}

/* ---- finding a free range ---- */

static u64 find_gap(struct machine *m, u64 size, u64 align, u64 vstart, u64 vend,
		    struct list_head **before)
{
	u64 addr = ALIGN(vstart, align);
	struct vmap_area *va;

	*before = &m->vmalloc.busy;
	list_for_each_entry(va, &m->vmalloc.busy, list) {
		if (va->va_end <= addr)
			continue;
		if (addr + size <= va->va_start) {
			*before = &va->list;
			break;
		}
		addr = ALIGN(va->va_end, align);
	}
	if (addr < vstart || addr + size < addr || addr + size > vend)
		return 0;
	return addr;
}

/**
 * alloc_vmap_area - reserve a free range of size bytes in [vstart, vend)
 * @m: machine @size: bytes (page multiple, guard included) @align: alignment
 * @vstart: lowest address @vend: end of the range @gfp: __GFP_NOWARN silences the warning
 *
 * First fit in address order (cf. alloc_vmap_area). Return: the area,
 * linked in the list and the tree, or NULL (no object memory, or no room:
 * "vmalloc_node_range for size N failed: Address range restricted ...").
 */
struct vmap_area *alloc_vmap_area(struct machine *m, u64 size, u64 align, u64 vstart,
					 u64 vend, gfp_t gfp)
{
	struct list_head *before;
	struct vmap_area *va;
	u64 addr;

	spin_lock(&m->vmalloc.lock);
	va = va_pool_alloc(m);
	if (!va)
		goto out_unlock;
	addr = find_gap(m, size, max(align, (u64)PAGE_SIZE), vstart, vend, &before);
	if (!addr) {
		va_pool_free(m, va);
		va = NULL;
		if (!(gfp & __GFP_NOWARN))
			pr_warn(m, "vmalloc_node_range for size %llu failed: Address range restricted to %#llx - %#llx\n",
				(unsigned long long)size, (unsigned long long)vstart,
				(unsigned long long)vend);
		goto out_unlock;
	}
	va->va_start = addr;
	va->va_end = addr + size;
	list_add_tail(&va->list, before);
	m->vmalloc.root = va_tree_insert(m->vmalloc.root, va);
	m->vmalloc.nr_areas++;
out_unlock:
	spin_unlock(&m->vmalloc.lock);
	return va;
}

/**
 * free_vmap_area - unlink an area and give its object back
 * @m: machine @va: an area from alloc_vmap_area
 */
void free_vmap_area(struct machine *m, struct vmap_area *va)
{
	spin_lock(&m->vmalloc.lock);
	m->vmalloc.root = va_tree_erase(m->vmalloc.root, va);
	list_del(&va->list);
	m->vmalloc.nr_areas--;
	va_pool_free(m, va);
	spin_unlock(&m->vmalloc.lock);
}

/**
 * va_tree_check - check the AVL tree under n (order and balance)
 * @m: machine @n: subtree root @count: incremented per node
 * Return: the number of bad nodes, each reported.
 */
int va_tree_check(struct machine *m, const struct vmap_area *n, unsigned long *count)
{
	int bad = 0, hl, hr;

	if (!n)
		return 0;
	bad += va_tree_check(m, n->left, count);
	bad += va_tree_check(m, n->right, count);
	(*count)++;
	hl = va_height(n->left);
	hr = va_height(n->right);
	if ((n->left && n->left->va_start >= n->va_start) ||
	    (n->right && n->right->va_start <= n->va_start) || n->height != 1 + max(hl, hr) ||
	    hl - hr > 1 || hr - hl > 1) {
		pr_err(m, "vmalloc: tree node %#llx out of order or unbalanced\n",
		       (unsigned long long)n->va_start);
		bad++;
	}
	return bad;
}
