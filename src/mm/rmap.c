/* Reverse mapping of anonymous pages, the VMA side (cf. mm/rmap.c:
 * anon_vma_prepare, anon_vma_clone, anon_vma_fork, unlink_anon_vmas,
 * folio_add_new_anon_rmap, folio_add_file_rmap_ptes, folio_remove_rmap_ptes,
 * folio_move_anon_rmap).
 *
 * An anonymous page records where it is mapped the way Linux does:
 * page->mapping is its anon_vma with PAGE_MAPPING_ANON (bit 0) set and
 * page->index its linear page index (vm_pgoff + the page offset in the VMA),
 * so the page's address in any VMA of that anon_vma is computable. A VMA is
 * linked to every anon_vma its pages may belong to by anon_vma_chain
 * entries on vma->anon_vma_chain: one for its own anon_vma, plus, for a VMA
 * created by fork, one for each anon_vma of the parent's VMA (fork gives the
 * child VMA a new anon_vma whose root and parent are the parent's, as
 * Linux). Hence a VMA's chain is singular exactly when it never went
 * through fork, which is what VMA merging asks (is_mergeable_anon_vma).
 *
 * Each chain entry is also on its anon_vma's head list (same_anon_vma):
 * the anon_vma side, which rmap walks follow from a page to every VMA that
 * may map it (Linux keeps an interval tree there; a list gives the same
 * answers). The lists of a fork tree are guarded by its root's lock, as
 * Linux's root rwsem. The page side (rmap_walk, try_to_unmap,
 * page_referenced, page_mkclean) is mm/rmap_walk.c. Not here: anon_vma
 * reuse on fork.
 *
 * Invariants: anon_vma->refcount is the number of chain entries pointing
 * at it plus, for a root, the anon_vmas whose root it is (an anon_vma is
 * freed when the last VMA linked to it goes, a root only after its
 * descendants, as Linux's get_anon_vma(root) in anon_vma_fork); every
 * chain entry is on its anon_vma's head list; if
 * vma->anon_vma is set, one entry of vma's chain points at it; every
 * mapped page has _mapcount + 1 == the PTEs mapping it, and NR_ANON_MAPPED
 * / NR_FILE_MAPPED count the mapped pages of each kind. */
#include "mm/memory.h"

static void mod_node_stat(struct machine *m, enum node_stat_item item, long delta)
{
	__atomic_fetch_add(&m->node.vm_stat[item], delta, __ATOMIC_RELAXED);
}

/**
 * anon_vma_init() - create the "anon_vma" and "anon_vma_chain" slab caches
 *	(cf. anon_vma_init); called on first use if boot did not
 * @m: the machine
 */
void anon_vma_init(struct machine *m)
{
	const slab_flags_t flags = SLAB_PANIC | SLAB_ACCOUNT;

	if (__atomic_load_n(&m->vm.anon_vma_chain_cachep, __ATOMIC_ACQUIRE))
		return;
	spin_lock(&m->vm.mmlist_lock);
	if (!m->vm.anon_vma_cachep)
		m->vm.anon_vma_cachep = kmem_cache_create(m, "anon_vma", sizeof(struct anon_vma),
							  0, flags | SLAB_TYPESAFE_BY_RCU, NULL);
	if (!m->vm.anon_vma_chain_cachep)
		__atomic_store_n(&m->vm.anon_vma_chain_cachep,
				 kmem_cache_create(m, "anon_vma_chain",
						   sizeof(struct anon_vma_chain), 0, flags, NULL),
				 __ATOMIC_RELEASE);
	spin_unlock(&m->vm.mmlist_lock);
}

static struct anon_vma *anon_vma_alloc(struct machine *m)
{
	struct anon_vma *anon_vma;

	anon_vma_init(m);
	if (!m->vm.anon_vma_cachep)
		return NULL;
	anon_vma = kmem_cache_zalloc(m, m->vm.anon_vma_cachep, GFP_KERNEL);
	if (!anon_vma)
		return NULL;
	spin_lock_init(&anon_vma->lock);
	INIT_LIST_HEAD(&anon_vma->head);
	anon_vma->root = anon_vma;
	anon_vma->parent = anon_vma;
	__atomic_fetch_add(&m->vm.nr_anon_vmas, 1, __ATOMIC_RELAXED);
	return anon_vma;
}

static void put_anon_vma(struct machine *m, struct anon_vma *anon_vma)
{
	int left = __atomic_sub_fetch(&anon_vma->refcount, 1, __ATOMIC_ACQ_REL);

	VM_WARN_ON(m, left < 0);
	if (left)
		return;
	VM_WARN_ON(m, !list_empty(&anon_vma->head));
	__atomic_fetch_sub(&m->vm.nr_anon_vmas, 1, __ATOMIC_RELAXED);
	if (anon_vma->root != anon_vma)
		put_anon_vma(m, anon_vma->root);	/* the descendant's hold */
	kmem_cache_free(m, m->vm.anon_vma_cachep, anon_vma);
}

/* Link @vma to @anon_vma with @avc, on both lists (cf. anon_vma_chain_link);
 * the caller holds anon_vma->root->lock. */
static void anon_vma_chain_link(struct vm_area_struct *vma, struct anon_vma_chain *avc,
				struct anon_vma *anon_vma)
{
	avc->vma = vma;
	avc->anon_vma = anon_vma;
	__atomic_fetch_add(&anon_vma->refcount, 1, __ATOMIC_RELAXED);
	list_add_tail(&avc->same_vma, &vma->anon_vma_chain);
	list_add_tail(&avc->same_anon_vma, &anon_vma->head);
}

/* The lock guarding the head lists of @anon_vma's fork tree (cf.
 * anon_vma_lock_write). */
static void anon_vma_lock(struct anon_vma *anon_vma)
{
	spin_lock(&anon_vma->root->lock);
}

static void anon_vma_unlock(struct anon_vma *anon_vma)
{
	spin_unlock(&anon_vma->root->lock);
}

static struct anon_vma_chain *anon_vma_chain_alloc(struct machine *m)
{
	anon_vma_init(m);
	if (!m->vm.anon_vma_chain_cachep)
		return NULL;
	return kmem_cache_zalloc(m, m->vm.anon_vma_chain_cachep, GFP_KERNEL);
}

/* Would a and b (a just below b) be one VMA but for their protections?
 * Then they may share an anon_vma (cf. anon_vma_compatible). */
static bool anon_vma_compatible(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && a->vm_file == b->vm_file &&
	       !((a->vm_flags ^ b->vm_flags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) &&
	       b->vm_pgoff == a->vm_pgoff + ((b->vm_start - a->vm_start) >> PAGE_SHIFT);
}

/* old's anon_vma, if a and b are compatible and old never went through
 * fork (cf. reusable_anon_vma). */
static struct anon_vma *reusable_anon_vma(const struct vm_area_struct *old,
					  const struct vm_area_struct *a,
					  const struct vm_area_struct *b)
{
	const struct list_head *chain = &old->anon_vma_chain;

	if (!anon_vma_compatible(a, b) || !old->anon_vma)
		return NULL;
	if (list_empty(chain) || chain->next != chain->prev)
		return NULL;
	return old->anon_vma;
}

/* A neighbour's anon_vma @vma can share, so that an mprotect undoing a
 * split can merge the pieces again (cf. find_mergeable_anon_vma). */
static struct anon_vma *find_mergeable_anon_vma(struct vm_area_struct *vma)
{
	struct anon_vma *anon_vma = NULL;

	if (vma->vm_next)
		anon_vma = reusable_anon_vma(vma->vm_next, vma, vma->vm_next);
	if (!anon_vma && vma->vm_prev)
		anon_vma = reusable_anon_vma(vma->vm_prev, vma->vm_prev, vma);
	return anon_vma;
}

/**
 * anon_vma_prepare() - make sure @vma has an anon_vma before its first
 *	anonymous page is mapped (cf. anon_vma_prepare/__anon_vma_prepare)
 * @m: the machine
 * @vma: the VMA (its mm's mmap lock held at least for reading)
 *
 * Shares a compatible neighbour's anon_vma when there is one, else
 * allocates a new one. Returns 0 or -ENOMEM.
 */
int anon_vma_prepare(struct machine *m, struct vm_area_struct *vma)
{
	struct mm_struct *mm = vma->vm_mm;
	struct anon_vma *anon_vma, *allocated = NULL;
	struct anon_vma_chain *avc;

	if (__atomic_load_n(&vma->anon_vma, __ATOMIC_ACQUIRE))
		return 0;
	avc = anon_vma_chain_alloc(m);
	if (!avc)
		return -ENOMEM;
	anon_vma = find_mergeable_anon_vma(vma);
	if (!anon_vma) {
		anon_vma = allocated = anon_vma_alloc(m);
		if (!anon_vma) {
			kmem_cache_free(m, m->vm.anon_vma_chain_cachep, avc);
			return -ENOMEM;
		}
	}
	anon_vma_lock(anon_vma);	/* before the page table lock, as rmap walks */
	spin_lock(&mm->page_table_lock);
	if (!vma->anon_vma) {
		anon_vma_chain_link(vma, avc, anon_vma);
		__atomic_store_n(&vma->anon_vma, anon_vma, __ATOMIC_RELEASE);
		avc = NULL;
		allocated = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	anon_vma_unlock(anon_vma);
	if (avc)	/* another CPU prepared it first */
		kmem_cache_free(m, m->vm.anon_vma_chain_cachep, avc);
	if (allocated) {
		__atomic_fetch_sub(&m->vm.nr_anon_vmas, 1, __ATOMIC_RELAXED);
		kmem_cache_free(m, m->vm.anon_vma_cachep, allocated);
	}
	return 0;
}

/**
 * anon_vma_clone() - link @dst to every anon_vma @src is linked to (cf.
 *	anon_vma_clone: split, merge, mremap copy and fork)
 * @m: the machine
 * @dst: a VMA whose chain is empty
 * @src: the VMA it was copied from
 *
 * dst->anon_vma is left as the caller set it. Returns 0, or -ENOMEM with
 * whatever was linked undone and dst->anon_vma cleared.
 */
int anon_vma_clone(struct machine *m, struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *pavc, *avc;

	list_for_each_entry(pavc, &src->anon_vma_chain, same_vma) {
		avc = anon_vma_chain_alloc(m);
		if (!avc) {
			unlink_anon_vmas(m, dst);
			return -ENOMEM;
		}
		anon_vma_lock(pavc->anon_vma);
		anon_vma_chain_link(dst, avc, pavc->anon_vma);
		anon_vma_unlock(pavc->anon_vma);
	}
	return 0;
}

/**
 * anon_vma_fork() - give a child's copy of a VMA its own anon_vma (cf.
 *	anon_vma_fork)
 * @m: the machine
 * @vma: the child's VMA, made by vm_area_dup() from @pvma (so already
 *	linked to @pvma's anon_vmas, and vma->anon_vma still @pvma's)
 * @pvma: the parent's VMA
 *
 * The new anon_vma's root is the parent's root and its parent the parent's
 * anon_vma; pages the child faults in later belong to it, the pages it
 * shares with the parent stay with the parent's. The child's chain then has
 * more than one entry, so it never merges with a VMA without an anon_vma.
 * A caller that wants no anon memory in the child (VM_WIPEONFORK) calls
 * unlink_anon_vmas() instead. Returns 0 or -ENOMEM.
 */
int anon_vma_fork(struct machine *m, struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma *anon_vma;
	struct anon_vma_chain *avc;

	if (!pvma->anon_vma) {
		vma->anon_vma = NULL;
		return 0;
	}
	if (list_empty(&vma->anon_vma_chain) && anon_vma_clone(m, vma, pvma))
		return -ENOMEM;
	vma->anon_vma = NULL;
	avc = anon_vma_chain_alloc(m);
	anon_vma = avc ? anon_vma_alloc(m) : NULL;
	if (!anon_vma) {
		if (avc)
			kmem_cache_free(m, m->vm.anon_vma_chain_cachep, avc);
		unlink_anon_vmas(m, vma);
		return -ENOMEM;
	}
	anon_vma->root = pvma->anon_vma->root;
	anon_vma->parent = pvma->anon_vma;
	__atomic_fetch_add(&anon_vma->root->refcount, 1, __ATOMIC_RELAXED);
	anon_vma_lock(anon_vma);
	anon_vma_chain_link(vma, avc, anon_vma);
	anon_vma_unlock(anon_vma);
	vma->anon_vma = anon_vma;
	return 0;
}

/**
 * unlink_anon_vmas() - drop every chain entry of @vma; an anon_vma goes
 *	when no VMA is linked to it any more (cf. unlink_anon_vmas)
 * @m: the machine
 * @vma: a VMA being freed (or giving up its anonymous memory)
 *
 * Idempotent: vm_area_free() calls it, and free_pgtables() may before.
 */
void unlink_anon_vmas(struct machine *m, struct vm_area_struct *vma)
{
	struct anon_vma_chain *avc, *next;

	list_for_each_entry_safe(avc, next, &vma->anon_vma_chain, same_vma) {
		list_del(&avc->same_vma);
		anon_vma_lock(avc->anon_vma);
		list_del(&avc->same_anon_vma);
		anon_vma_unlock(avc->anon_vma);
		put_anon_vma(m, avc->anon_vma);
		kmem_cache_free(m, m->vm.anon_vma_chain_cachep, avc);
	}
	vma->anon_vma = NULL;
}

/**
 * anon_vma_linked() - is @vma linked to @anon_vma by its chain? An
 *	anonymous page mapped in @vma must belong to one of those (the
 *	invariant rmap walks rely on; checked by check_user_memory)
 * @vma: the VMA
 * @anon_vma: the anon_vma of a page it maps
 */
bool anon_vma_linked(const struct vm_area_struct *vma, const struct anon_vma *anon_vma)
{
	const struct anon_vma_chain *avc;

	list_for_each_entry(avc, &vma->anon_vma_chain, same_vma)
		if (avc->anon_vma == anon_vma)
			return true;
	return false;
}

/**
 * linear_page_index() - @address's page index in @vma's object (cf.
 *	linear_page_index)
 * @vma: the VMA
 * @address: an address in it
 */
unsigned long linear_page_index(const struct vm_area_struct *vma, unsigned long address)
{
	return ((address - vma->vm_start) >> PAGE_SHIFT) + vma->vm_pgoff;
}

/**
 * page_add_new_anon_rmap() - a freshly allocated page becomes anonymous
 *	memory of @vma at @address, mapped once (cf. folio_add_new_anon_rmap)
 * @m: the machine
 * @page: the new page (refcount 1, unmapped)
 * @vma: the VMA; its anon_vma must exist (anon_vma_prepare)
 * @address: where it is being mapped
 */
void page_add_new_anon_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma,
			    unsigned long address)
{
	page_add_new_anon_rmap_flags(m, page, vma, address, RMAP_EXCLUSIVE);
}

/**
 * page_add_new_anon_rmap_flags() - page_add_new_anon_rmap() for a page
 *	that may be shared (cf. folio_add_new_anon_rmap with its rmap flags)
 * @m: the machine
 * @page: the page (unmapped, not yet anonymous: e.g. just read from swap)
 * @vma: the VMA; its anon_vma must exist
 * @address: where it is being mapped
 * @flags: RMAP_EXCLUSIVE when no other pte can map it later; without it
 *	the page gets the root anon_vma of @vma's fork tree, the one every
 *	process that may share it (a swap slot shared after fork) is linked
 *	to (cf. __folio_set_anon: "the _oldest_ possible anon_vma")
 */
void page_add_new_anon_rmap_flags(struct machine *m, struct page *page,
				  struct vm_area_struct *vma, unsigned long address, int flags)
{
	struct anon_vma *anon_vma = vma->anon_vma;

	VM_WARN_ON(m, !anon_vma);
	VM_WARN_ON(m, page->_mapcount != -1);
	if (!(flags & RMAP_EXCLUSIVE))
		anon_vma = anon_vma->root;
	SetPageSwapBacked(page);
	page->mapping = (void *)((unsigned long)anon_vma | PAGE_MAPPING_ANON);
	page->index = linear_page_index(vma, address);
	__atomic_store_n(&page->_mapcount, 0, __ATOMIC_RELAXED);
	mod_node_stat(m, NR_ANON_MAPPED, 1);
	if (vma->vm_flags & VM_LOCKED)
		mlock_page(m, page);	/* mlock_new_folio: a locked VMA's new page */
}

/**
 * page_add_anon_rmap() - one more pte maps an anonymous page that already
 *	belongs to an anon_vma (cf. folio_add_anon_rmap_pte)
 * @m: the machine
 * @page: the page (a reference for the new pte already taken)
 * @vma: the VMA mapping it; linked to the page's anon_vma
 * @address: where
 */
void page_add_anon_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma,
			unsigned long address)
{
	VM_WARN_ON(m, !PageAnon(page));
	VM_WARN_ON(m, page->index != linear_page_index(vma, address));
	if (__atomic_add_fetch(&page->_mapcount, 1, __ATOMIC_RELAXED) == 0)
		mod_node_stat(m, NR_ANON_MAPPED, 1);
	if (vma->vm_flags & VM_LOCKED)
		mlock_page(m, page);
}

/**
 * page_add_file_rmap() - one more PTE maps a page of a file or shmem object
 *	(cf. folio_add_file_rmap_ptes)
 * @m: the machine
 * @page: the page (a reference for the new PTE already taken)
 * @vma: the VMA mapping it
 */
void page_add_file_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma)
{
	if (__atomic_add_fetch(&page->_mapcount, 1, __ATOMIC_RELAXED) == 0)
		mod_node_stat(m, NR_FILE_MAPPED, 1);
	if (vma->vm_flags & VM_LOCKED)
		mlock_page(m, page);	/* mlock_vma_folio */
}

/**
 * page_dup_rmap() - fork copies a PTE mapping @page (cf. folio_dup_file_rmap_pte /
 *	folio_try_dup_anon_rmap_pte); the caller takes the page reference
 * @m: the machine
 * @page: a mapped page
 */
void page_dup_rmap(struct machine *m, struct page *page)
{
	int old = __atomic_fetch_add(&page->_mapcount, 1, __ATOMIC_RELAXED);

	VM_WARN_ON(m, old < 0);
}

/**
 * page_remove_rmap() - one PTE mapping @page is gone (cf.
 *	folio_remove_rmap_pte); the caller then drops its reference (put_page)
 * @m: the machine
 * @page: a mapped page
 * @vma: the VMA it was mapped in
 */
void page_remove_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma)
{
	int left = __atomic_sub_fetch(&page->_mapcount, 1, __ATOMIC_RELAXED);

	(void)vma;
	if (VM_WARN_ON(m, left < -1))
		return;
	if (left == -1)
		mod_node_stat(m, PageAnon(page) ? NR_ANON_MAPPED : NR_FILE_MAPPED, -1);
}

/**
 * page_move_anon_rmap() - a COW fault reuses @page for @vma alone: make it
 *	belong to @vma's own anon_vma (cf. folio_move_anon_rmap)
 * @page: an anonymous page mapped once
 * @vma: the VMA keeping it
 */
void page_move_anon_rmap(struct page *page, struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		page->mapping = (void *)((unsigned long)vma->anon_vma | PAGE_MAPPING_ANON);
}
