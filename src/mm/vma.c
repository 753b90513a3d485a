/* VMA objects and the operations that reshape them: allocate, split,
 * merge, unmap (cf. mm/vma.c).
 *
 * Merging follows Linux 6.x exactly, since the layout user space sees in
 * /proc/PID/maps depends on it: two VMAs merge only when adjacent, with
 * flags equal except VM_SOFTDIRTY, the same file (or none) with
 * contiguous vm_pgoff, compatible anon_vmas (is_mergeable_anon_vma) and no
 * VM_SPECIAL flag; a VMA whose vm_ops has close() is never merged away.
 * A new range merges with prev, next or both (vma_merge_new_range); a
 * modified range of an existing VMA merges only if it touches that VMA's
 * start (with prev) or end (with next), else the VMA is split
 * (vma_modify).
 *
 * Invariant: every function leaves the tree, list, map_count and the
 * mm's page counters consistent (check_vmas), also when it fails. */
#include "mm/memory.h"
#include "mm/vma.h"

/**
 * vm_area_alloc() - a zeroed VMA for @mm from the vm_area_struct cache
 * @m: the machine
 * @mm: the address space it will belong to
 *
 * Returns NULL when memory runs out (or the test's fail_nth_vma_alloc hits).
 */
struct vm_area_struct *vm_area_alloc(struct machine *m, struct mm_struct *mm)
{
	struct vm_area_struct *vma;

	unsigned long nth = __atomic_add_fetch(&m->vm.nr_vm_area_allocs, 1, __ATOMIC_RELAXED);

	if (m->vm.fail_nth_vma_alloc && nth == m->vm.fail_nth_vma_alloc)
		return NULL;
	vma = kmem_cache_zalloc(m, m->vm.vm_area_cachep, GFP_KERNEL);
	if (!vma)
		return NULL;
	/* the tree nodes linking it may need (tree issue: cf. vma_iter_prealloc) */
	if (mm && vma_tree_preallocate(m, mm)) {
		kmem_cache_free(m, m->vm.vm_area_cachep, vma);
		return NULL;
	}
	__atomic_fetch_add(&m->vm.nr_vmas, 1, __ATOMIC_RELAXED);
	vma->vm_mm = mm;
	INIT_LIST_HEAD(&vma->anon_vma_chain);
	INIT_LIST_HEAD(&vma->shared);
	return vma;
}

/**
 * vm_area_dup() - a copy of @orig, not linked anywhere
 * @m: the machine
 * @orig: the VMA to copy
 *
 * The copy shares orig's anon_vma and is linked to every anon_vma orig is
 * (anon_vma_clone). Returns NULL without memory.
 */
struct vm_area_struct *vm_area_dup(struct machine *m, struct vm_area_struct *orig)
{
	struct vm_area_struct *new = vm_area_alloc(m, orig->vm_mm);

	if (!new)
		return NULL;
	*new = *orig;
	new->vm_next = new->vm_prev = NULL;
	INIT_LIST_HEAD(&new->anon_vma_chain);
	INIT_LIST_HEAD(&new->shared);
	if (anon_vma_clone(m, new, orig)) {	/* rmap issue */
		vm_area_free(m, new);
		return NULL;
	}
	vma_link_file(m, new);	/* on orig's file's i_mmap (split, fork, mremap) */
	return new;
}

/**
 * vm_area_free() - give a VMA back to its cache
 * @m: the machine
 * @vma: an unlinked VMA
 */
void vm_area_free(struct machine *m, struct vm_area_struct *vma)
{
	unlink_anon_vmas(m, vma);	/* rmap issue: drop its anon_vma references */
	vma_unlink_file(m, vma);	/* off its file's i_mmap */
	__atomic_fetch_sub(&m->vm.nr_vmas, 1, __ATOMIC_RELAXED);
	kmem_cache_free(m, m->vm.vm_area_cachep, vma);
}

/**
 * get_file() - take a reference on @file (one per VMA that maps it)
 * @file: the file
 */
void get_file(struct file *file)
{
	file->f_count++;
}

/**
 * fput() - drop a reference on @file; the last one frees it
 * @m: the machine
 * @file: the file
 */
void fput(struct machine *m, struct file *file)
{
	VM_WARN_ON(m, file->f_count <= 0);
	if (--file->f_count)
		return;
	if (file->f_acct_pages)
		vm_unacct_memory(m, (long)file->f_acct_pages);	/* shmem_unacct_size */
	if (file->f_op && file->f_op->release)
		file->f_op->release(m, file);	/* page-fault issue: shmem pages */
	file_release_inode(m, file);	/* the inode reference (src/mm/fs.c) */
	kfree(m, file);
}

/**
 * vma_link() - insert @vma into @mm and count it
 * @m: the machine
 * @mm: the address space
 * @vma: the VMA; the range must be free
 *
 * Returns 0, or -ENOMEM when the tree nodes cannot be preallocated
 * (vm_area_alloc() did it for @vma's own mm; fork links copies into
 * another). Nothing changes on failure (cf. vma_iter_prealloc).
 */
int vma_link(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	if (vma_tree_preallocate(m, mm))
		return -ENOMEM;
	__vma_link(m, mm, vma);
	mm->map_count++;
	return 0;
}

/**
 * remove_vma() - close and free an unlinked VMA
 * @m: the machine
 * @vma: the VMA
 */
void remove_vma(struct machine *m, struct vm_area_struct *vma)
{
	if (vma->vm_ops && vma->vm_ops->close)
		vma->vm_ops->close(m, vma);
	if (vma->vm_file)
		fput(m, vma->vm_file);
	vm_area_free(m, vma);
}

/**
 * __split_vma() - split @vma at @addr into two VMAs
 * @m: the machine
 * @vma: the VMA; vm_start < addr < vm_end
 * @addr: page-aligned split point
 * @new_below: nonzero: the new VMA is the part below @addr, and @vma keeps
 *	the part above; zero: the reverse
 *
 * Skips the vm.max_map_count check (split_vma() makes it). Returns 0,
 * -ENOMEM, or what vm_ops->may_split refuses with.
 */
int __split_vma(struct machine *m, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *new;
	int err;

	VM_WARN_ON(m, vma->vm_start >= addr || vma->vm_end <= addr);
	if (vma->vm_ops && vma->vm_ops->may_split) {
		err = vma->vm_ops->may_split(m, vma, addr);
		if (err)
			return err;
	}
	new = vm_area_dup(m, vma);
	if (!new)
		return -ENOMEM;
	if (new_below) {
		new->vm_end = addr;
	} else {
		new->vm_start = addr;
		new->vm_pgoff += (addr - vma->vm_start) >> PAGE_SHIFT;
	}
	if (new->vm_file)
		get_file(new->vm_file);
	if (new->vm_ops && new->vm_ops->open)
		new->vm_ops->open(m, new);

	/* Shrink vma first so the two never overlap in the tree. */
	if (new_below)
		vma_set_range(m, vma, addr, vma->vm_end,
			      vma->vm_pgoff + ((addr - new->vm_start) >> PAGE_SHIFT));
	else
		vma_set_range(m, vma, vma->vm_start, addr, vma->vm_pgoff);
	return vma_link(m, mm, new);
}

/**
 * split_vma() - __split_vma() unless @vma's mm is at vm.max_map_count
 * @m: the machine
 * @vma: the VMA
 * @addr: split point
 * @new_below: as for __split_vma()
 *
 * Returns 0 or -ENOMEM.
 */
int split_vma(struct machine *m, struct vm_area_struct *vma, unsigned long addr, int new_below)
{
	if (vma->vm_mm->map_count >= m->vm.sysctl_max_map_count)
		return -ENOMEM;
	return __split_vma(m, vma, addr, new_below);
}

/* Same flags (but soft-dirty), same file: cf. is_mergeable_vma. */
static bool is_mergeable_vma(const struct vma_merge_struct *vmg, bool merge_next)
{
	const struct vm_area_struct *vma = merge_next ? vmg->next : vmg->prev;

	if ((vma->vm_flags ^ vmg->flags) & ~VM_IGNORE_MERGE)
		return false;
	return vma->vm_file == vmg->file;
}

/* Was @vma cloned by fork (its anon_vma_chain has more than one link)?
 * (cf. vma_had_uncowed_parents) */
static bool vma_had_uncowed_parents(const struct vm_area_struct *vma)
{
	return vma && vma->anon_vma && vma->anon_vma_chain.next != vma->anon_vma_chain.prev;
}

/* May the range (anon_vma src_anon, from VMA src if it is an existing one,
 * copied from VMA copied_from by mremap) merge into tgt? A NULL anon_vma on
 * either side is compatible unless the side that has one was cloned by fork
 * (cf. is_mergeable_anon_vma, Linux 6.19 / 6.18.y with copied_from). */
static bool is_mergeable_anon_vma(const struct anon_vma *src_anon,
				  const struct vm_area_struct *tgt,
				  const struct vm_area_struct *src,
				  const struct vm_area_struct *copied_from)
{
	if (!tgt->anon_vma && src_anon)	/* tgt will take src's anon_vma */
		return !vma_had_uncowed_parents(src) && !vma_had_uncowed_parents(copied_from);
	if (tgt->anon_vma && !src_anon)
		return !vma_had_uncowed_parents(tgt);
	return src_anon == tgt->anon_vma;
}

static bool are_anon_vmas_compatible(const struct vm_area_struct *a,
				     const struct vm_area_struct *b)
{
	return !a->anon_vma || !b->anon_vma || a->anon_vma == b->anon_vma;
}

/* Can the proposed range go right in front of next? */
static bool can_vma_merge_before(const struct vma_merge_struct *vmg)
{
	unsigned long pglen = PHYS_PFN(vmg->end - vmg->start);

	return is_mergeable_vma(vmg, true) &&
	       is_mergeable_anon_vma(vmg->anon_vma, vmg->next, vmg->middle, vmg->copied_from) &&
	       vmg->next->vm_pgoff == vmg->pgoff + pglen;
}

/* Can the proposed range go right behind prev? */
static bool can_vma_merge_after(const struct vma_merge_struct *vmg)
{
	return is_mergeable_vma(vmg, false) &&
	       is_mergeable_anon_vma(vmg->anon_vma, vmg->prev, vmg->middle, vmg->copied_from) &&
	       vmg->prev->vm_pgoff + vma_pages(vmg->prev) == vmg->pgoff;
}

static bool can_vma_merge_left(const struct vma_merge_struct *vmg)
{
	return vmg->prev && vmg->prev->vm_end == vmg->start && can_vma_merge_after(vmg);
}

static bool can_vma_merge_right(const struct vma_merge_struct *vmg, bool can_merge_left)
{
	if (!vmg->next || vmg->end != vmg->next->vm_start || !can_vma_merge_before(vmg))
		return false;
	if (!can_merge_left)
		return true;
	/* prev and next must also suit each other. */
	return are_anon_vmas_compatible(vmg->prev, vmg->next);
}

/* A VMA with a close() hook keeps its identity: never merged away. */
static bool can_merge_remove_vma(const struct vm_area_struct *vma)
{
	return !vma->vm_ops || !vma->vm_ops->close;
}

/* When a merge grows dst over src's pages, dst needs src's anon_vma (cf.
 * dup_anon_vma). Returns 0, or -ENOMEM with dst unchanged: the merge must
 * not happen then, or dst would map pages of an anon_vma it is not linked
 * to (fork would not copy them, the anon_vma could go before them). */
static int dup_anon_vma(struct machine *m, struct vm_area_struct *dst,
			struct vm_area_struct *src)
{
	if (src->anon_vma && !dst->anon_vma) {
		dst->anon_vma = src->anon_vma;
		return anon_vma_clone(m, dst, src);	/* clears dst->anon_vma on failure */
	}
	return 0;
}

/* Free a VMA a merge swallowed: no close() (it has none), drop the file. */
static void merge_remove_vma(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma)
{
	__vma_unlink(m, mm, vma);
	mm->map_count--;
	if (vma->vm_file)
		fput(m, vma->vm_file);
	vm_area_free(m, vma);
}

/* Expand vmg->middle to [vmg->start, vmg->end), swallowing vmg->next when
 * the new end is next's end (cf. vma_expand). The expanded VMA takes the
 * anon_vma of next and of the VMA an mremap copies from (copied_from):
 * their pages end up in it. */
static int vma_expand(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vm_area_struct *vma = vmg->middle, *next = vmg->next;
	bool remove_next = next && vma != next && vmg->end == next->vm_end;

	if (remove_next && dup_anon_vma(m, vma, next))
		return -ENOMEM;
	if (vmg->copied_from && dup_anon_vma(m, vma, vmg->copied_from))
		return -ENOMEM;
	if (remove_next) {
		VM_WARN_ON(m, !can_merge_remove_vma(next));
		merge_remove_vma(m, vmg->mm, next);
	}
	vma_set_range(m, vma, vmg->start, vmg->end, vmg->pgoff);
	return 0;
}

/**
 * vma_merge_new_range() - merge a range about to be mapped with its neighbours
 * @m: the machine
 * @vmg: the range [start, end) (empty, or about to be), its properties,
 *	and its neighbours prev and next
 *
 *   Proposed:       |-----|  or  |-----|   or      |-----|
 *   Existing:  |----|                  |----|  |----|     |----|
 *              expand prev      expand next    expand prev, remove next
 *
 * Returns the VMA that now covers the range, or NULL if none could.
 */
struct vm_area_struct *vma_merge_new_range(struct machine *m, struct vma_merge_struct *vmg)
{
	struct vm_area_struct *prev = vmg->prev, *next = vmg->next;
	unsigned long start = vmg->start, end = vmg->end, pgoff = vmg->pgoff;
	unsigned long pglen = PHYS_PFN(end - start);
	bool can_merge_left, can_merge_right;

	vmg->state = VMA_MERGE_NOMERGE;
	vmg->middle = NULL;
	if ((vmg->flags & VM_SPECIAL) || (!prev && !next))
		return NULL;
	can_merge_left = can_vma_merge_left(vmg);
	can_merge_right = !vmg->just_expand && can_vma_merge_right(vmg, can_merge_left);

	if (can_merge_right) {
		vmg->end = next->vm_end;
		vmg->middle = next;
		vmg->pgoff = next->vm_pgoff - pglen;
	}
	if (can_merge_left) {
		vmg->start = prev->vm_start;
		vmg->middle = prev;
		vmg->pgoff = prev->vm_pgoff;
		/* Cannot remove next: just merge with prev. */
		if (can_merge_right && !can_merge_remove_vma(next))
			vmg->end = end;
	}
	if (vmg->middle) {
		if (!vma_expand(m, vmg)) {
			vmg->state = VMA_MERGE_SUCCESS;
			return vmg->middle;
		}
		vmg->state = VMA_MERGE_ERROR_NOMEM;	/* callers map a new VMA instead */
	}
	vmg->middle = NULL;
	vmg->start = start;
	vmg->end = end;
	vmg->pgoff = pgoff;
	return NULL;
}

/* Carry out a merge of an existing range: see vma_merge_existing_range. */
static struct vm_area_struct *commit_existing_merge(struct machine *m,
						    struct vma_merge_struct *vmg,
						    bool merge_left, bool merge_right,
						    bool delete_vma, bool delete_next)
{
	struct mm_struct *mm = vmg->mm;
	struct vm_area_struct *vma = vmg->middle, *prev = vmg->prev, *next = vmg->next;
	unsigned long start = vmg->start, end = vmg->end;

	if (merge_left && merge_right) {
		/*         |<----->|
		 * |-------*********-------|
		 *   prev     vma     next
		 *  extend   delete  delete      */
		if (dup_anon_vma(m, prev, next->anon_vma ? next : vma))
			return NULL;
		end = next->vm_end;
		merge_remove_vma(m, mm, vma);
		if (delete_next)
			merge_remove_vma(m, mm, next);
		vma_set_range(m, prev, prev->vm_start, end, prev->vm_pgoff);
		return prev;
	}
	if (merge_left) {
		/*         |<----->| OR |<--------->|
		 * |-------*************
		 *   prev       vma
		 *  extend shrink/delete         */
		if (dup_anon_vma(m, prev, vma))
			return NULL;
		if (delete_vma)
			merge_remove_vma(m, mm, vma);
		else
			vma_set_range(m, vma, end, vma->vm_end,
				      vma->vm_pgoff + PHYS_PFN(end - vma->vm_start));
		vma_set_range(m, prev, prev->vm_start, end, prev->vm_pgoff);
		return prev;
	}
	/*     |<----->| OR |<--------->|
	 * *************-------|
	 *      vma       next
	 * shrink/delete extend          */
	if (dup_anon_vma(m, next, vma))
		return NULL;
	if (delete_vma)
		merge_remove_vma(m, mm, vma);
	else
		vma_set_range(m, vma, vma->vm_start, start, vma->vm_pgoff);
	vma_set_range(m, next, start, next->vm_end, next->vm_pgoff - PHYS_PFN(next->vm_start - start));
	return next;
}

/* The range [start, end) of vmg->middle is getting vmg's properties: merge
 * it into prev and/or next where it touches them (cf.
 * vma_merge_existing_range). vmg->prev is middle itself when the range
 * starts inside it. Returns the merged VMA or NULL. */
static struct vm_area_struct *vma_merge_existing_range(struct machine *m,
						       struct vma_merge_struct *vmg)
{
	struct vm_area_struct *vma = vmg->middle;
	bool left_side = vmg->start == vma->vm_start;
	bool right_side = vmg->end == vma->vm_end;
	bool merge_left, merge_right = false, delete_vma, delete_next;

	vmg->state = VMA_MERGE_NOMERGE;
	vmg->next = NULL;
	if ((vmg->flags & VM_SPECIAL) || (!left_side && !right_side))
		return NULL;
	merge_left = left_side && can_vma_merge_left(vmg);
	if (right_side) {
		vmg->next = vma->vm_next;
		merge_right = can_vma_merge_right(vmg, merge_left);
	}
	if (!merge_left && !merge_right)
		return NULL;
	delete_vma = left_side && right_side;
	if (delete_vma && !can_merge_remove_vma(vma))
		return NULL;
	delete_next = merge_left && merge_right;
	if (delete_next && !can_merge_remove_vma(vmg->next)) {
		delete_next = false;
		merge_right = false;
	}
	vmg->state = VMA_MERGE_SUCCESS;
	vma = commit_existing_merge(m, vmg, merge_left, merge_right, delete_vma, delete_next);
	if (!vma)
		vmg->state = VMA_MERGE_ERROR_NOMEM;	/* dup_anon_vma: nothing changed */
	return vma;
}

/**
 * vma_modify_flags() - give [@start, @end) of @vma the flags @new_flags'
 *	VMA shape: merge with a neighbour if that makes it identical, else
 *	split @vma so the range is a VMA of its own
 * @m: the machine
 * @prev: the VMA before @vma, or @vma itself if @start is inside it
 * @vma: the VMA holding the range
 * @start: range start, page-aligned, within @vma
 * @end: range end, within @vma
 * @new_flags: the flags the range will have
 *
 * The caller sets the flags on the returned VMA. Returns the VMA that now
 * is exactly the range (or contains it, after a merge), or ERR_PTR(-ENOMEM)
 * when a split hits vm.max_map_count or memory runs out.
 */
struct vm_area_struct *vma_modify_flags(struct machine *m, struct vm_area_struct *prev,
					struct vm_area_struct *vma, unsigned long start,
					unsigned long end, vm_flags_t new_flags)
{
	struct vma_merge_struct vmg = {
		.mm = vma->vm_mm,
		.prev = prev,
		.middle = vma,
		.start = start,
		.end = end,
		.pgoff = vma->vm_pgoff + ((start - vma->vm_start) >> PAGE_SHIFT),
		.flags = new_flags,
		.file = vma->vm_file,
		.anon_vma = vma->anon_vma,
	};
	struct vm_area_struct *merged;
	int err;

	merged = vma_merge_existing_range(m, &vmg);
	if (merged)
		return merged;
	if (vmg.state == VMA_MERGE_ERROR_NOMEM)
		return ERR_PTR(-ENOMEM);	/* cf. vma_modify's vmg_nomem() */
	if (vma->vm_start < start) {
		err = split_vma(m, vma, start, 1);
		if (err)
			return ERR_PTR(err);
	}
	if (vma->vm_end > end) {
		err = split_vma(m, vma, end, 0);
		if (err)
			return ERR_PTR(err);
	}
	return vma;
}

/**
 * vma_merge_extend() - grow @vma by @delta bytes at its end, merging with
 *	the next VMA if that makes them adjacent and identical
 * @m: the machine
 * @vma: the VMA
 * @delta: bytes; [vm_end, vm_end + delta) must be free
 *
 * Returns the grown VMA, or NULL if it cannot merge (VM_SPECIAL).
 */
struct vm_area_struct *vma_merge_extend(struct machine *m, struct vm_area_struct *vma,
					unsigned long delta)
{
	struct vma_merge_struct vmg = {
		.mm = vma->vm_mm,
		.prev = vma,
		.next = vma->vm_next,
		.start = vma->vm_end,
		.end = vma->vm_end + delta,
		.pgoff = vma->vm_pgoff + vma_pages(vma),
		.flags = vma->vm_flags,
		.file = vma->vm_file,
		.anon_vma = vma->anon_vma,
	};

	return vma_merge_new_range(m, &vmg);
}

/**
 * copy_vma() - a VMA like *@vmap at [@addr, @addr + @len), for mremap
 * @m: the machine
 * @vmap: the source VMA; updated if the copy merged into it
 * @addr: destination start, a free range
 * @len: destination length
 * @pgoff: vm_pgoff for the destination
 *
 * An anonymous VMA never written to (no anon_vma) takes the pgoff of its
 * new address, so it can merge with neighbours there, as Linux does.
 * Returns the destination VMA (possibly a merged neighbour), or NULL.
 */
struct vm_area_struct *copy_vma(struct machine *m, struct vm_area_struct **vmap,
				unsigned long addr, unsigned long len, unsigned long pgoff)
{
	struct vm_area_struct *vma = *vmap, *new_vma, *prev;
	struct mm_struct *mm = vma->vm_mm;
	unsigned long vma_start = vma->vm_start;
	struct vma_merge_struct vmg = {
		.mm = mm,
		.start = addr,
		.end = addr + len,
		.flags = vma->vm_flags,
		.file = vma->vm_file,
		.anon_vma = vma->anon_vma,
		.copied_from = vma,	/* cf. vma_merge_copied_range */
	};

	if (vma_is_anonymous(vma) && !vma->anon_vma)
		pgoff = addr >> PAGE_SHIFT;
	new_vma = find_vma_prev(m, mm, addr, &prev);
	if (new_vma && new_vma->vm_start < addr + len)
		return NULL;	/* the caller made room: cannot happen */
	vmg.prev = prev;
	vmg.next = new_vma;
	vmg.pgoff = pgoff;
	new_vma = vma_merge_new_range(m, &vmg);
	if (new_vma) {
		/* The source itself may have grown over the destination. */
		if (vma_start >= new_vma->vm_start && vma_start < new_vma->vm_end)
			*vmap = new_vma;
		return new_vma;
	}
	new_vma = vm_area_dup(m, vma);
	if (!new_vma)
		return NULL;
	new_vma->vm_start = addr;
	new_vma->vm_end = addr + len;
	new_vma->vm_pgoff = pgoff;
	if (new_vma->vm_file)
		get_file(new_vma->vm_file);
	if (new_vma->vm_ops && new_vma->vm_ops->open)
		new_vma->vm_ops->open(m, new_vma);
	vma_link(m, mm, new_vma);
	return new_vma;
}

/* Add vma's pages to what an unmap of vms removes. */
static void vms_account(struct vma_munmap_struct *vms, const struct vm_area_struct *vma)
{
	unsigned long nrpages = vma_pages(vma);

	vms->vma_count++;
	vms->nr_pages += nrpages;
	if (vma->vm_flags & VM_LOCKED)
		vms->locked_vm += nrpages;
	if (vma->vm_flags & VM_ACCOUNT)
		vms->nr_accounted += nrpages;
	if (is_exec_mapping(vma->vm_flags))
		vms->exec_vm += nrpages;
	else if (is_stack_mapping(vma->vm_flags))
		vms->stack_vm += nrpages;
	else if (is_data_mapping(vma->vm_flags))
		vms->data_vm += nrpages;
}

/**
 * vms_gather_munmap_vmas() - prepare to unmap [@start, @end)
 * @m: the machine
 * @mm: the address space
 * @vma: the first VMA overlapping the range
 * @start: page-aligned start
 * @end: page-aligned end
 * @vms: filled with the VMAs' neighbours and page counts
 *
 * Splits the VMAs that straddle @start or @end so the range is whole VMAs,
 * which stay linked. A split at @start that leaves a piece on both sides
 * fails with -ENOMEM at vm.max_map_count (munmap may go one above it
 * briefly otherwise, as Linux lets it). A failure leaves splits done so far.
 */
int vms_gather_munmap_vmas(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
			   unsigned long start, unsigned long end, struct vma_munmap_struct *vms)
{
	struct vm_area_struct *next;
	int err;

	*vms = (struct vma_munmap_struct){ .start = start, .end = end };
	if (start > vma->vm_start) {
		if (end < vma->vm_end && mm->map_count >= m->vm.sysctl_max_map_count)
			return -ENOMEM;
		err = __split_vma(m, vma, start, 1);
		if (err)
			return err;
	}
	vms->prev = vma->vm_prev;
	vms->first = vma;
	for (next = vma; next && next->vm_start < end; next = next->vm_next) {
		if (next->vm_end > end) {
			err = __split_vma(m, next, end, 0);
			if (err)
				return err;
		}
		vms_account(vms, next);
		vms->next = next->vm_next;
	}
	return 0;
}

/* Unlink the gathered VMAs; they stay chained through vm_next. */
static struct vm_area_struct *vms_detach(struct machine *m, struct mm_struct *mm,
					 struct vma_munmap_struct *vms)
{
	struct vm_area_struct *vma = vms->first, *head = NULL, **tail = &head;
	int i;

	for (i = 0; i < vms->vma_count; i++) {
		struct vm_area_struct *next = vma->vm_next;

		__vma_unlink(m, mm, vma);
		*tail = vma;
		tail = &vma->vm_next;
		vma = next;
	}
	return head;
}

/**
 * vms_complete_munmap_vmas() - unmap what vms_gather_munmap_vmas() gathered
 * @m: the machine
 * @mm: the address space
 * @vms: the gathered range
 *
 * Unlinks the VMAs, zaps their page-table range and frees the page tables
 * between the neighbours, updates the mm's counters and the commit charge,
 * then closes and frees the VMAs.
 */
void vms_complete_munmap_vmas(struct machine *m, struct mm_struct *mm,
			      struct vma_munmap_struct *vms)
{
	struct vm_area_struct *vma, *next;

	if (!vms->vma_count)
		return;
	vma = vms_detach(m, mm, vms);
	mm->map_count -= vms->vma_count;
	mm->locked_vm -= vms->locked_vm;
	for (next = vma; next; next = next->vm_next)
		zap_vma_range(m, next, next->vm_start, next->vm_end);
	free_pgtables(m, mm, vms->start, vms->end, vms->prev ? vms->prev->vm_end : 0,
		      vms->next ? vms->next->vm_start : 0);
	update_hiwater_vm(mm);
	mm->total_vm -= vms->nr_pages;
	VM_WARN_ON(m, vms->exec_vm > mm->exec_vm);
	VM_WARN_ON(m, vms->stack_vm > mm->stack_vm);
	VM_WARN_ON(m, vms->data_vm > mm->data_vm);
	mm->exec_vm -= vms->exec_vm;
	mm->stack_vm -= vms->stack_vm;
	mm->data_vm -= vms->data_vm;
	for (; vma; vma = next) {
		next = vma->vm_next;
		vma->vm_next = NULL;
		remove_vma(m, vma);
	}
	vm_unacct_memory(m, vms->nr_accounted);
}

/**
 * do_vmi_align_munmap() - unmap the page-aligned range [@start, @end)
 * @m: the machine
 * @mm: the address space
 * @vma: the first VMA overlapping the range
 * @start: start
 * @end: end
 *
 * Returns 0, or -ENOMEM (a split failed; earlier splits remain).
 */
int do_vmi_align_munmap(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
			unsigned long start, unsigned long end)
{
	struct vma_munmap_struct vms;
	int err;

	err = vms_gather_munmap_vmas(m, mm, vma, start, end, &vms);
	if (err)
		return err;
	vms_complete_munmap_vmas(m, mm, &vms);
	return 0;
}

/**
 * do_munmap() - munmap(2) without the lock: unmap [@start, @start + @len)
 * @m: the machine
 * @mm: the address space
 * @start: page-aligned start
 * @len: length, rounded up to pages
 *
 * Returns 0 (also when nothing was mapped there), -EINVAL for an unaligned
 * start, an empty range or one past TASK_SIZE, -ENOMEM when a split fails.
 */
int do_munmap(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long end;
	struct vm_area_struct *vma;

	if (offset_in_page(start) || start > mm->task_size || len > mm->task_size - start)
		return -EINVAL;
	end = start + PAGE_ALIGN(len);
	if (end == start)
		return -EINVAL;
	vma = find_vma_intersection(m, mm, start, end);
	if (!vma)
		return 0;
	return do_vmi_align_munmap(m, mm, vma, start, end);
}

/**
 * exit_mmap() - tear down every mapping of a dying @mm (cf. exit_mmap)
 * @m: the machine
 * @mm: the address space; its last user is gone
 */
void exit_mmap(struct machine *m, struct mm_struct *mm)
{
	struct vm_area_struct *vma, *next;
	unsigned long nr_accounted = 0;
	int count = 0;

	mmap_write_lock(mm);
	for_each_vma(mm, vma)
		zap_vma_range(m, vma, vma->vm_start, vma->vm_end);
	free_pgtables(m, mm, 0, mm->task_size, 0, 0);
	for (vma = mm->mmap; vma; vma = next) {
		next = vma->vm_next;
		if (vma->vm_flags & VM_ACCOUNT)
			nr_accounted += vma_pages(vma);
		__vma_unlink(m, mm, vma);
		remove_vma(m, vma);
		count++;
	}
	VM_WARN_ON(m, count != mm->map_count);
	mm->map_count = 0;
	vma_tree_destroy(m, mm);	/* tree issue: the spare nodes (cf. __mt_destroy) */
	mm->total_vm = mm->locked_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = 0;
	mmap_write_unlock(mm);
	vm_unacct_memory(m, nr_accounted);
}
