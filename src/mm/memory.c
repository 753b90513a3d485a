/* Resolving a page fault on a VMA (cf. mm/memory.c handle_mm_fault,
 * __handle_mm_fault, handle_pte_fault, do_anonymous_page, do_fault,
 * do_wp_page, wp_page_copy, mm_account_fault; seed 000: "之后使用时候才会
 * 触发缺页异常然后分配对应物理页", seed 003: "用户进程总是先获得一个虚拟
 * 内存区的使用权,最终通过缺页异常获得一块真正的物理内存").
 *
 * The caller (do_page_fault, populate_vma_page_range) holds the mm's mmap
 * lock for reading and has checked the access against the VMA. Here:
 *   pte none, anonymous VMA   do_anonymous_page: a read maps the shared
 *                             zero page read-only (special: no refcount,
 *                             no mapcount, not in rss); a write maps a new
 *                             zeroed page (GFP_HIGHUSER_MOVABLE, zeroed
 *                             through kmap_atomic: it may be highmem)
 *   pte none, object VMA      do_fault: vm_ops->fault supplies the page
 *                             (read: map it; private write: copy it; shared
 *                             write: map it writable and dirty)
 *   present, write, read-only do_wp_page: shared mapping -> make writable;
 *                             private -> reuse the page when ours is the
 *                             only reference (Linux 6.x rule), else copy it
 *                             (the zero page "copies" as a zeroed page)
 *   present, allowed          a spurious/access-bit fault: set young (and
 *                             dirty for a write)
 * Page-table entries change under mm->page_table_lock (Linux's pte lock);
 * memory is allocated outside it and the pte is re-checked (pte_same)
 * before it is changed, so two CPUs faulting the same address agree.
 *
 * Invariants: rss counters, page _mapcount and _refcount change exactly
 * with the PTEs; every change to a present pte is followed by a TLB flush
 * of that address (flush_tlb_page). */
#include "mm/memory.h"
#include "mm/swap.h"

/**
 * put_page() - drop a reference to a user page; the last frees it
 * @m: the machine
 * @page: the page
 *
 * An anonymous page loses its anon_vma pointer on the way (Linux's
 * free_pages_prepare clears PageAnon mappings).
 */
void put_page(struct machine *m, struct page *page)
{
	int left = __atomic_sub_fetch(&page->_refcount, 1, __ATOMIC_ACQ_REL);

	if (VM_WARN_ON(m, left < 0) || left)
		return;
	__page_cache_release(m, page);	/* off its LRU list, never mlocked */
	if (PageAnon(page))
		page->mapping = NULL;
	set_page_count(page, 1);	/* __free_page drops the last one itself */
	__free_page(m, page);
}

/**
 * vm_normal_page() - the struct page a pte maps, NULL for the zero page
 *	and other special mappings (cf. vm_normal_page)
 * @m: the machine
 * @vma: the VMA
 * @addr: the address
 * @pte: a present pte
 */
struct page *vm_normal_page(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	(void)vma;
	(void)addr;
	if (pte_special(pte) || is_zero_pfn(m, pfn) || !pfn_valid(m, pfn))
		return NULL;
	return pfn_to_page(m, pfn);
}

static void count_vm_event(struct machine *m, enum vm_event_item item)
{
	count_vm_events(m, item, 1);
}

/* Zero a user page through a temporary mapping (cf. clear_user_highpage). */
static void clear_user_highpage(struct machine *m, struct page *page)
{
	void *kaddr = kmap_atomic(m, page);

	mm_memset(kaddr, 0, PAGE_SIZE);
	kunmap_atomic(m, kaddr);
}

/* Copy a user page, either may be highmem (cf. copy_user_highpage). */
static void copy_user_highpage(struct machine *m, struct page *to, struct page *from)
{
	void *vfrom = kmap_atomic(m, from);
	void *vto = kmap_atomic(m, to);

	mm_memcpy(vto, vfrom, PAGE_SIZE);
	kunmap_atomic(m, vto);
	kunmap_atomic(m, vfrom);
}

/* A zeroed page for anonymous memory (cf. vma_alloc_zeroed_movable_folio). */
static struct page *alloc_zeroed_user_highpage(struct machine *m)
{
	struct page *page = alloc_page(m, GFP_HIGHUSER_MOVABLE);

	if (page)
		clear_user_highpage(m, page);
	return page;
}

/* Writable if the VMA allows writes (cf. maybe_mkwrite). */
static pte_t maybe_mkwrite(pte_t pte, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

static bool pte_same(pte_t a, pte_t b)
{
	return pte_val(a) == pte_val(b);
}

/* Change a present pte and tell the TLBs (cf. ptep_set_access_flags,
 * ptep_clear_flush). x86 would need no flush for a pure upgrade (a
 * faulting access drops the TLB entries of its address); the software MMU
 * is told anyway so it need not model that rule. */
static void set_pte_flush(struct machine *m, struct vm_fault *vmf, pte_t entry)
{
	set_pte(m, vmf->pte, entry);
	flush_tlb_page(m, vmf->vma, vmf->address);
}

/* Private anonymous memory, first touch (cf. do_anonymous_page). */
static vm_fault_t do_anonymous_page(struct machine *m, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *page;
	pte_t entry;

	if (vma->vm_flags & VM_SHARED)	/* a shared mapping without ->fault */
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		/* Use the zero page for reads. */
		entry = pte_mkspecial(pfn_pte(m, zero_pfn(m), vma->vm_page_prot));
		spin_lock(&mm->page_table_lock);
		if (pte_none(ptep_get(m, vmf->pte)))
			set_pte(m, vmf->pte, entry);
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	if (anon_vma_prepare(m, vma))
		return VM_FAULT_OOM;
	page = alloc_zeroed_user_highpage(m);
	if (!page)
		return VM_FAULT_OOM;
	SetPageUptodate(page);	/* __folio_mark_uptodate: the swap cache relies on it */
	entry = mk_pte(m, page, vma->vm_page_prot);
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	spin_lock(&mm->page_table_lock);
	if (!pte_none(ptep_get(m, vmf->pte))) {	/* another CPU got here first */
		spin_unlock(&mm->page_table_lock);
		put_page(m, page);
		return 0;
	}
	inc_mm_counter(mm, MM_ANONPAGES);
	page_add_new_anon_rmap(m, page, vma, vmf->address);
	lru_cache_add_inactive_or_unevictable(m, page, vma);
	set_pte(m, vmf->pte, entry);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/* Map vmf->page (whose reference becomes the pte's) at the faulting
 * address (cf. finish_fault, set_pte_range). @anon: the page is a private
 * copy, new anonymous memory. Returns 0, or VM_FAULT_NOPAGE when the pte
 * was filled meanwhile (the caller drops the page). */
static vm_fault_t finish_fault(struct machine *m, struct vm_fault *vmf, struct page *page,
			       bool anon)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	pte_t entry = mk_pte(m, page, vma->vm_page_prot);

	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	spin_lock(&mm->page_table_lock);
	if (!pte_none(ptep_get(m, vmf->pte))) {
		spin_unlock(&mm->page_table_lock);
		return VM_FAULT_NOPAGE;
	}
	if (anon) {
		SetPageUptodate(page);	/* __folio_mark_uptodate of do_cow_fault's copy */
		inc_mm_counter(mm, MM_ANONPAGES);
		page_add_new_anon_rmap(m, page, vma, vmf->address);
		lru_cache_add_inactive_or_unevictable(m, page, vma);
	} else {
		inc_mm_counter(mm, mm_counter(page));
		page_add_file_rmap(m, page, vma);
	}
	set_pte(m, vmf->pte, entry);
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/* Ask the object for the page (cf. __do_fault): vmf->page, referenced. */
static vm_fault_t __do_fault(struct machine *m, struct vm_fault *vmf)
{
	vm_fault_t ret;

	vmf->page = NULL;
	ret = vmf->vma->vm_ops->fault(m, vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (VM_WARN_ON(m, !vmf->page))
		return VM_FAULT_SIGBUS;
	return ret;
}

/* Map the cached pages around a read fault: fault_around_bytes (64 KiB,
 * 16 pages) aligned, clipped to the VMA and the fault's pte table (cf.
 * do_fault_around). VM_FAULT_NOPAGE when the faulting pte got its page. */
static vm_fault_t do_fault_around(struct machine *m, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned long nr_pages = m->fs.fault_around_bytes >> PAGE_SHIFT;
	unsigned long ptrs = PTRS_PER_PTE_M(m);
	unsigned long pte_off = (vmf->address >> PAGE_SHIFT) & (ptrs - 1);
	unsigned long vma_off = vmf->pgoff - vma->vm_pgoff;
	unsigned long from_pte, to_pte;

	from_pte = max(pte_off & ~(nr_pages - 1), pte_off - min(pte_off, vma_off));
	to_pte = min(min(from_pte + nr_pages, ptrs), pte_off + vma_pages(vma) - vma_off) - 1;
	return vma->vm_ops->map_pages(m, vmf, vmf->pgoff + from_pte - pte_off,
				      vmf->pgoff + to_pte - pte_off);
}

/* Read fault on an object: map its page, after fault-around had its try
 * (cf. do_read_fault, should_fault_around). */
static vm_fault_t do_read_fault(struct machine *m, struct vm_fault *vmf)
{
	vm_fault_t ret;

	if (vmf->vma->vm_ops->map_pages && (m->fs.fault_around_bytes >> PAGE_SHIFT) > 1) {
		ret = do_fault_around(m, vmf);
		if (ret)
			return 0;	/* VM_FAULT_NOPAGE: the page is mapped */
	}
	ret = __do_fault(m, vmf);

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (finish_fault(m, vmf, vmf->page, false))
		put_page(m, vmf->page);
	return ret;
}

/* Write fault on a private mapping of an object: map a private copy of
 * its page (cf. do_cow_fault). */
static vm_fault_t do_cow_fault(struct machine *m, struct vm_fault *vmf)
{
	struct page *new;
	vm_fault_t ret;

	if (anon_vma_prepare(m, vmf->vma))
		return VM_FAULT_OOM;
	new = alloc_page(m, GFP_HIGHUSER_MOVABLE);
	if (!new)
		return VM_FAULT_OOM;
	ret = __do_fault(m, vmf);
	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY)) {
		put_page(m, new);
		return ret;
	}
	copy_user_highpage(m, new, vmf->page);
	put_page(m, vmf->page);
	if (finish_fault(m, vmf, new, true))
		put_page(m, new);
	return ret;
}

/* Write fault on a shared mapping: map the object's page writable and
 * dirty (cf. do_shared_fault, do_page_mkwrite, fault_dirty_shared_page). */
static vm_fault_t do_shared_fault(struct machine *m, struct vm_fault *vmf)
{
	const struct vm_operations_struct *ops = vmf->vma->vm_ops;
	vm_fault_t ret = __do_fault(m, vmf), tmp;

	if (ret & (VM_FAULT_ERROR | VM_FAULT_NOPAGE | VM_FAULT_RETRY))
		return ret;
	if (ops->page_mkwrite) {
		tmp = ops->page_mkwrite(m, vmf);
		if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
			put_page(m, vmf->page);
			return tmp;
		}
	}
	set_page_dirty(m, vmf->page);	/* fault_dirty_shared_page */
	if (finish_fault(m, vmf, vmf->page, false))
		put_page(m, vmf->page);
	return ret;
}

/* First touch of a page of an object-backed VMA (cf. do_fault). */
static vm_fault_t do_fault(struct machine *m, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (!vma->vm_ops->fault)
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(m, vmf);
	if (!(vma->vm_flags & VM_SHARED))
		return do_cow_fault(m, vmf);
	return do_shared_fault(m, vmf);
}

/* Can a private write reuse @page instead of copying it? Only when the
 * pte we hold is its sole reference: no other mapping (fork), no pin. A
 * swap-cache page counts the cache's reference too: if no swap pte names
 * its slot any more, it leaves the cache and is ours alone (cf.
 * wp_can_reuse_anon_folio; no KSM, and the LRU holds no reference here).
 * Called with the page table lock held. */
static bool wp_can_reuse_anon_page(struct machine *m, struct page *page,
				   struct vm_area_struct *vma)
{
	if (page_count(page) > 1 + (int)PageSwapCache(page))
		return false;
	if (PageSwapCache(page)) {
		if (!trylock_page(page))
			return false;
		try_to_free_swap(m, page);
		unlock_page(m, page);
	}
	if (__atomic_load_n(&page->_refcount, __ATOMIC_ACQUIRE) != 1)
		return false;
	page_move_anon_rmap(page, vma);
	return true;
}

/* Make the pte writable in place (cf. wp_page_reuse). Called and
 * returns with the page table lock held. */
static void wp_page_reuse(struct machine *m, struct vm_fault *vmf)
{
	pte_t entry = pte_mkyoung(vmf->orig_pte);

	entry = maybe_mkwrite(pte_mkdirty(entry), vmf->vma);
	set_pte_flush(m, vmf, entry);
}

/* Replace the pte's page with a private copy (cf. wp_page_copy). @old is
 * the mapped page with an extra reference (NULL for the zero page), which
 * this drops. Called without the page table lock. */
static vm_fault_t wp_page_copy(struct machine *m, struct vm_fault *vmf, struct page *old)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *new = NULL;
	pte_t entry;

	if (anon_vma_prepare(m, vma))
		goto oom;
	if (!old) {
		new = alloc_zeroed_user_highpage(m);
	} else {
		new = alloc_page(m, GFP_HIGHUSER_MOVABLE);
		if (new)
			copy_user_highpage(m, new, old);
	}
	if (!new)
		goto oom;
	SetPageUptodate(new);	/* __folio_mark_uptodate */
	spin_lock(&mm->page_table_lock);
	if (pte_same(ptep_get(m, vmf->pte), vmf->orig_pte)) {
		if (!old) {
			inc_mm_counter(mm, MM_ANONPAGES);
		} else if (!PageAnon(old)) {
			dec_mm_counter(mm, mm_counter(old));
			inc_mm_counter(mm, MM_ANONPAGES);
		}
		entry = maybe_mkwrite(pte_mkdirty(mk_pte(m, new, vma->vm_page_prot)), vma);
		/* ptep_clear_flush: no CPU may keep using the old page */
		pte_clear(m, vmf->pte);
		flush_tlb_page(m, vma, vmf->address);
		page_add_new_anon_rmap(m, new, vma, vmf->address);
		lru_cache_add_inactive_or_unevictable(m, new, vma);
		set_pte(m, vmf->pte, entry);
		if (old) {
			page_remove_rmap(m, old, vma);
			put_page(m, old);	/* the old pte's reference */
		}
		new = NULL;
	}
	spin_unlock(&mm->page_table_lock);
	if (new)	/* the pte changed meanwhile: nothing to do */
		put_page(m, new);
	if (old)
		put_page(m, old);
	return 0;
oom:
	if (old)
		put_page(m, old);
	return VM_FAULT_OOM;
}

/* Write to a read-only pte of a shared mapping: tell the object first
 * (page_mkwrite: write-notify dirties the page), then make the pte
 * writable (cf. wp_page_shared, fault_dirty_shared_page). Called with the
 * page table lock held; returns without it. */
static vm_fault_t wp_page_shared(struct machine *m, struct vm_fault *vmf, struct page *page)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	vm_fault_t tmp;

	if (!page) {
		wp_page_reuse(m, vmf);
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	get_page(page);
	if (vma->vm_ops && vma->vm_ops->page_mkwrite) {
		spin_unlock(&mm->page_table_lock);
		vmf->page = page;
		tmp = vma->vm_ops->page_mkwrite(m, vmf);
		if (tmp & (VM_FAULT_ERROR | VM_FAULT_NOPAGE)) {
			put_page(m, page);
			return tmp & VM_FAULT_ERROR;
		}
		spin_lock(&mm->page_table_lock);
		if (!pte_same(ptep_get(m, vmf->pte), vmf->orig_pte)) {
			spin_unlock(&mm->page_table_lock);
			put_page(m, page);
			return 0;
		}
	}
	wp_page_reuse(m, vmf);
	spin_unlock(&mm->page_table_lock);
	set_page_dirty(m, page);
	put_page(m, page);
	return 0;
}

/* Write to a present read-only pte (cf. do_wp_page). Called with the
 * page table lock held; returns without it. */
vm_fault_t do_wp_page(struct machine *m, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	struct page *page = vm_normal_page(m, vma, vmf->address, vmf->orig_pte);

	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE))
		return wp_page_shared(m, vmf, page);	/* never copy */
	if (page && PageAnon(page) && wp_can_reuse_anon_page(m, page, vma)) {
		wp_page_reuse(m, vmf);
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	if (page)
		get_page(page);
	spin_unlock(&mm->page_table_lock);
	return wp_page_copy(m, vmf, page);
}

/* A PROT_NONE pte in a VMA that allows access again: rebuild it with the
 * VMA's protection (cf. do_numa_page's pte_modify). */
static vm_fault_t do_protnone_page(struct machine *m, struct vm_fault *vmf)
{
	const u64 keep = PTE_PFN_MASK | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_SPECIAL;
	struct mm_struct *mm = vmf->vma->vm_mm;
	pte_t entry;

	spin_lock(&mm->page_table_lock);
	if (pte_same(ptep_get(m, vmf->pte), vmf->orig_pte)) {
		entry = __pte((pte_val(vmf->orig_pte) & keep) |
			      pgprot_massage(m, vmf->vma->vm_page_prot));
		set_pte_flush(m, vmf, entry);
	}
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/* The pte level (cf. handle_pte_fault). */
static vm_fault_t handle_pte_fault(struct machine *m, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct mm_struct *mm = vma->vm_mm;
	pte_t entry;

	vmf->orig_pte = ptep_get(m, vmf->pte);
	if (pte_none(vmf->orig_pte))
		return vma_is_anonymous(vma) ? do_anonymous_page(m, vmf) : do_fault(m, vmf);
	if (!pte_present(vmf->orig_pte))
		return do_swap_page(m, vmf);
	if (!(pte_val(vmf->orig_pte) & _PAGE_PRESENT) && vma_is_accessible(vma))
		return do_protnone_page(m, vmf);
	spin_lock(&mm->page_table_lock);
	if (!pte_same(ptep_get(m, vmf->pte), vmf->orig_pte)) {
		spin_unlock(&mm->page_table_lock);
		return 0;
	}
	entry = vmf->orig_pte;
	if (vmf->flags & FAULT_FLAG_WRITE) {
		if (!pte_write(entry))
			return do_wp_page(m, vmf);
		entry = pte_mkdirty(entry);
	}
	entry = pte_mkyoung(entry);
	if (!pte_same(entry, vmf->orig_pte) || (vmf->flags & FAULT_FLAG_WRITE))
		set_pte_flush(m, vmf, entry);	/* or flush_tlb_fix_spurious_fault */
	spin_unlock(&mm->page_table_lock);
	return 0;
}

/* Walk down, allocating the missing tables (cf. __handle_mm_fault). */
static vm_fault_t __handle_mm_fault(struct machine *m, struct vm_area_struct *vma,
				    unsigned long address, unsigned int flags)
{
	struct vm_fault vmf = {
		.vma = vma,
		.address = address & PAGE_MASK,
		.real_address = address,
		.flags = flags,
		.pgoff = linear_page_index(vma, address),
		.gfp_mask = GFP_HIGHUSER_MOVABLE,
	};

	vmf.pte = pte_alloc_user(m, vma->vm_mm, address);
	if (!vmf.pte)
		return VM_FAULT_OOM;
	vmf.pmd = pmd_offset_user(m, vma->vm_mm, address);
	return handle_pte_fault(m, &vmf);
}

/* Count the fault (cf. mm_account_fault): PGFAULT for every fault, also
 * failed ones; per task min_flt/maj_flt for successful ones. A handler
 * returning VM_FAULT_MAJOR (swap-in, file read) must not count PGMAJFAULT
 * itself: it is counted here. */
static void mm_account_fault(struct machine *m, unsigned int flags, vm_fault_t ret)
{
	struct task_struct *tsk = get_current(m);
	bool major;

	if (ret & VM_FAULT_RETRY)
		return;
	count_vm_event(m, PGFAULT);
	if (ret & VM_FAULT_ERROR)
		return;
	major = (ret & VM_FAULT_MAJOR) || (flags & FAULT_FLAG_TRIED);
	if (ret & VM_FAULT_MAJOR)
		count_vm_event(m, PGMAJFAULT);
	if (!tsk)
		return;
	if (major)
		tsk->maj_flt++;
	else
		tsk->min_flt++;
}

/**
 * handle_mm_fault() - resolve a fault at @address in @vma (cf.
 *	handle_mm_fault)
 * @m: the machine
 * @vma: the VMA containing @address; the access already checked against
 *	its flags (access_error / check_vma_flags)
 * @address: the faulting address
 * @flags: FAULT_FLAG_*
 *
 * The mm's mmap lock is held for reading. Returns 0 (the access can be
 * retried), or VM_FAULT_* bits: VM_FAULT_OOM when memory for a page or
 * page table ran out, VM_FAULT_SIGBUS for a page the object cannot supply.
 * Counts the fault (PGFAULT, the current task's min_flt/maj_flt) and
 * updates the rss high-water mark.
 */
vm_fault_t handle_mm_fault(struct machine *m, struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags)
{
	vm_fault_t ret;

	if (VM_WARN_ON(m, address < vma->vm_start || address >= vma->vm_end))
		ret = VM_FAULT_SIGSEGV;
	else
		ret = __handle_mm_fault(m, vma, address, flags);
	mm_account_fault(m, flags, ret);
	if (!(ret & VM_FAULT_ERROR))
		update_hiwater_rss(vma->vm_mm);
	return ret;
}
