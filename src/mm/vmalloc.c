/* vmalloc: virtually contiguous kernel memory (cf. mm/vmalloc.c).
 *
 * The three steps of seed 003: find a free range of [VMALLOC_START,
 * VMALLOC_END) (a vmap_area, with one unmapped guard page after it), take
 * pages one by one from the buddy allocator (highmem allowed), and map them
 * with ptes in the kernel page tables; vfree undoes all three. The host
 * window mirrors the ptes, so the returned address is a real C pointer.
 *
 * Bookkeeping of the busy ranges is in vmap_area.c (AVL tree + ordered
 * list + object pool). A page array of more than a page
 * (counting the simulated pointer size) is itself vmalloc'ed ("vpages").
 * Unlike Linux, freed ranges are reused at once (no lazy purge).
 *
 * Invariants (check_vmalloc): areas sorted, non-overlapping, inside
 * [VMALLOC_START, alloc_end); the tree holds exactly the listed areas;
 * page i of an area is mapped by exactly the pte at addr + i pages; the
 * guard page is unmapped; nr_vmalloc_pages is the sum of nr_pages. */
#include "mm/page_alloc.h"
#include "mm/vmap_area.h"

/* ---- messages ---- */

/* warn_alloc() for vmalloc: "comm: <msg>, mode:0x..(FLAGS), nodemask=(null)". */
__attribute__((format(printf, 3, 4)))
static void vm_warn_alloc(struct machine *m, gfp_t gfp, const char *fmt, ...)
{
	char msg[160], flags[160];
	va_list ap;

	if (gfp & __GFP_NOWARN)
		return;
	va_start(ap, fmt);
	machine_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	format_gfp_flags(flags, sizeof(flags), gfp);
	pr_warn(m, "%s: %s, mode:%#x(%s), nodemask=(null),cpuset=/,mems_allowed=0\n", m->comm, msg,
		gfp, flags);
}

static void vm_warn(struct machine *m, const char *func, const char *msg, u64 va, const void *ptr)
{
	pr_warn(m, "------------[ cut here ]------------\n");
	if (va)
		pr_err(m, "%s (%0*llx)\n", msg, m->arch.x86_64 ? 16 : 8, (unsigned long long)va);
	else
		pr_err(m, "%s (%p)\n", msg, ptr);
	pr_warn(m, "WARNING: CPU: %u PID: 0 at mm/vmalloc.c %s\n", smp_processor_id(m), func);
}

/* ---- areas ---- */

/* The mapped size of an area: all of it but the guard page. */
static unsigned long get_vm_area_size(const struct vm_struct *vm)
{
	return (vm->flags & VM_NO_GUARD) ? vm->size : vm->size - PAGE_SIZE;
}

static struct vm_struct *__get_vm_area_node(struct machine *m, unsigned long size,
					    unsigned long align, unsigned long flags, u64 start,
					    u64 end, gfp_t gfp, const char *caller)
{
	struct vmap_area *va;

	size = PFN_ALIGN(size);
	if (!size)
		return NULL;
	if (!(flags & VM_NO_GUARD))
		size += PAGE_SIZE;
	va = alloc_vmap_area(m, size, align, start, min(end, m->vmalloc.alloc_end), gfp);
	if (!va)
		return NULL;
	va->vm.addr = va->va_start;
	va->vm.size = size;
	va->vm.flags = flags;
	va->vm.caller = caller;
	return &va->vm;
}

/* ---- ptes ---- */

/* Clear the ptes of [start, end), flush the TLB and the window. */
static void vunmap_range(struct machine *m, u64 start, u64 end)
{
	for (u64 addr = start; addr < end; addr += PAGE_SIZE) {
		ptep_t *ptep = kernel_pte_lookup(m, addr);

		if (ptep)
			pte_clear(m, ptep);
	}
	flush_tlb_kernel_range(m, start, end);
	kwindow_sync(m, start, end);
}

/* Map pages at [start, end) (cf. vmap_pages_range). On failure nothing
 * stays mapped. Return: 0 or -ENOMEM (-EBUSY for a pte already in use). */
static int vmap_pages_range(struct machine *m, u64 start, u64 end, pgprot_t prot,
			    struct page **pages)
{
	u64 addr = start;
	int ret = -ENOMEM;

	for (unsigned long i = 0; addr < end; addr += PAGE_SIZE, i++) {
		ptep_t *ptep = kernel_pte_alloc(m, addr);

		if (!ptep || VM_WARN_ON(m, !pages[i]))
			goto out_unmap;
		if (VM_WARN_ON(m, !pte_none(ptep_get(m, ptep)))) {
			ret = -EBUSY;
			goto out_unmap;
		}
		set_pte(m, ptep, mk_pte(m, pages[i], prot));
	}
	if (!kwindow_sync(m, start, end))
		return 0;
out_unmap:
	if (addr > start)
		vunmap_range(m, start, addr);
	return ret;
}

/* ---- page arrays ---- */

static unsigned long sim_array_size(const struct machine *m, unsigned int nr)
{
	return (unsigned long)nr * (m->arch.x86_64 ? 8 : 4);
}

static unsigned int host_array_order(unsigned int nr)
{
	return (unsigned long)nr * sizeof(struct page *) > PAGE_SIZE ? 1 : 0;
}

static int alloc_page_array(struct machine *m, struct vm_struct *vm, unsigned int nr, gfp_t gfp)
{
	gfp_t nested_gfp = (gfp & (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_NOWARN)) | __GFP_ZERO;
	struct page *page;

	if (sim_array_size(m, nr) > PAGE_SIZE) {
		vm->pages = __vmalloc_node_range(m, (unsigned long)nr * sizeof(struct page *), 1,
						 m->pgtables.vmalloc_start, m->pgtables.vmalloc_end,
						 nested_gfp, PAGE_KERNEL, 0, NUMA_NO_NODE, vm->caller);
		vm->pages_vmalloced = vm->pages != NULL;
	} else if (!kernel_vm_should_fail(m)) {
		page = alloc_pages(m, GFP_KERNEL | __GFP_NOWARN, host_array_order(nr));
		vm->pages = page ? page_address(m, page) : NULL;
	}
	if (vm->pages)
		mm_memset(vm->pages, 0, (size_t)nr * sizeof(struct page *));
	return vm->pages ? 0 : -ENOMEM;
}

static void free_page_array(struct machine *m, struct vm_struct *vm, unsigned int nr)
{
	if (!vm->pages)
		return;
	if (vm->pages_vmalloced)
		vfree(m, vm->pages);
	else
		__free_pages(m, virt_to_page(m, vm->pages), host_array_order(nr));
	vm->pages = NULL;
}

/* ---- vmalloc / vfree ---- */

/* Order the pages by frame (a shell sort: the core has no qsort). Any order
 * is a valid vmalloc mapping; ascending frames let kwindow_sync alias
 * physically contiguous runs with one host call each. */
static void sort_pages_by_pfn(struct page **pages, unsigned int nr)
{
	for (unsigned int gap = nr / 2; gap; gap /= 2) {
		for (unsigned int i = gap; i < nr; i++) {
			struct page *p = pages[i];
			unsigned int j = i;

			for (; j >= gap && pages[j - gap] > p; j -= gap)
				pages[j] = pages[j - gap];
			pages[j] = p;
		}
	}
}

/* Unmap the area holding addr, unlink it, free its pages and array. */
static void __vfree_area(struct machine *m, struct vmap_area *va, bool free_pages)
{
	struct vm_struct *vm = &va->vm;
	unsigned int nr_array = (unsigned int)(get_vm_area_size(vm) >> PAGE_SHIFT);

	vunmap_range(m, vm->addr, vm->addr + get_vm_area_size(vm));
	if (free_pages) {
		for (unsigned int i = 0; i < vm->nr_pages; i++)
			__free_page(m, vm->pages[i]);
		__atomic_sub_fetch(&m->vmalloc.nr_vmalloc_pages, vm->nr_pages, __ATOMIC_RELAXED);
		free_page_array(m, vm, nr_array);
	}
	free_vmap_area(m, va);
}

static u64 __vmalloc_area_node(struct machine *m, struct vm_struct *area, gfp_t gfp,
			       pgprot_t prot)
{
	unsigned long size = get_vm_area_size(area);
	unsigned int nr = (unsigned int)(size >> PAGE_SHIFT);
	u64 addr = area->addr;

	if (!(gfp & (__GFP_DMA | __GFP_DMA32)))
		gfp |= __GFP_HIGHMEM;
	if (alloc_page_array(m, area, nr, gfp)) {
		vm_warn_alloc(m, gfp, "vmalloc error: size %lu, failed to allocated page array size %lu",
			      size, sim_array_size(m, nr));
		free_vmap_area(m, container_of(area, struct vmap_area, vm));
		return 0;
	}
	while (area->nr_pages < nr) {
		struct page *page = kernel_vm_should_fail(m) ? NULL : alloc_page(m, gfp | __GFP_NOWARN);

		if (!page)
			break;
		area->pages[area->nr_pages++] = page;
	}
	__atomic_add_fetch(&m->vmalloc.nr_vmalloc_pages, area->nr_pages, __ATOMIC_RELAXED);
	sort_pages_by_pfn(area->pages, area->nr_pages);
	if (area->nr_pages != nr) {
		vm_warn_alloc(m, gfp, "vmalloc error: size %lu, failed to allocate pages",
			      (unsigned long)area->nr_pages * PAGE_SIZE);
		goto fail;
	}
	if (vmap_pages_range(m, addr, addr + size, prot, area->pages)) {
		vm_warn_alloc(m, gfp, "vmalloc error: size %lu, failed to map pages",
			      (unsigned long)area->nr_pages * PAGE_SIZE);
		goto fail;
	}
	return addr;
fail:
	__vfree_area(m, container_of(area, struct vmap_area, vm), true);
	return 0;
}

/**
 * __vmalloc_node_range - allocate virtually contiguous memory
 * @m: machine
 * @size: bytes (rounded up to pages)
 * @align: alignment of the start address (at least a page)
 * @start: lowest address of the range to allocate in
 * @end: end of the range (clipped to the host window)
 * @gfp_mask: flags for the page allocator (zone modifiers other than DMA/DMA32 ignored)
 * @prot: protection of the ptes (PAGE_KERNEL)
 * @vm_flags: extra vm_struct flags (VM_NO_GUARD, VM_USERMAP)
 * @node: NUMA_NO_NODE (one node)
 * @caller: who asks, shown in /proc/vmallocinfo; must outlive the area
 *          (a string literal or __func__)
 *
 * size 0 is a WARN and NULL; more pages than totalram_pages, no room for
 * the range, no memory for the pages or tables: the kernel's message and
 * NULL, with everything taken so far given back.
 * Return: the kernel address (a real C pointer), or NULL.
 */
void *__vmalloc_node_range(struct machine *m, unsigned long size, unsigned long align,
			   u64 start, u64 end, gfp_t gfp_mask, pgprot_t prot,
			   unsigned long vm_flags, int node, const char *caller)
{
	struct vm_struct *area;
	u64 addr;

	(void)node;
	if (!m->vmalloc.ready)
		return NULL;
	if (!size) {
		vm_warn(m, "__vmalloc_node_range_noprof", "vmalloc of 0 bytes", 0, NULL);
		return NULL;
	}
	if ((size >> PAGE_SHIFT) > m->totalram_pages) {
		vm_warn_alloc(m, gfp_mask, "vmalloc error: size %lu, exceeds total pages", size);
		return NULL;
	}
	area = __get_vm_area_node(m, size, align, VM_ALLOC | VM_UNINITIALIZED | vm_flags, start,
				  end, gfp_mask, caller);
	if (!area) {
		vm_warn_alloc(m, gfp_mask, "vmalloc error: size %lu, vm_struct allocation failed",
			      size);
		return NULL;
	}
	addr = __vmalloc_area_node(m, area, gfp_mask, prot);
	if (!addr)
		return NULL;
	area->flags &= ~VM_UNINITIALIZED;
	return kva_to_ptr(m, addr);
}

/**
 * __vmalloc_caller - vmalloc with gfp flags (cf. __vmalloc)
 * @m: machine @size: bytes @gfp_mask: GFP_KERNEL, optionally | __GFP_ZERO
 * @caller: name shown in /proc/vmallocinfo
 * Return: the address, or NULL.
 */
void *__vmalloc_caller(struct machine *m, unsigned long size, gfp_t gfp_mask, const char *caller)
{
	return __vmalloc_node_range(m, size, 1, m->pgtables.vmalloc_start, m->pgtables.vmalloc_end,
				    gfp_mask, PAGE_KERNEL, 0, NUMA_NO_NODE, caller);
}

/**
 * vmalloc_caller - allocate size bytes of virtually contiguous memory
 * @m: machine @size: bytes @caller: name shown in /proc/vmallocinfo
 * (vmalloc(m, size) passes the calling function's name.)
 * Return: the address (uninitialized memory), or NULL.
 */
void *vmalloc_caller(struct machine *m, unsigned long size, const char *caller)
{
	return __vmalloc_caller(m, size, GFP_KERNEL, caller);
}

/**
 * vzalloc_caller - vmalloc, zero-filled
 * @m: machine @size: bytes @caller: name shown in /proc/vmallocinfo
 * Return: the address, or NULL.
 */
void *vzalloc_caller(struct machine *m, unsigned long size, const char *caller)
{
	return __vmalloc_caller(m, size, GFP_KERNEL | __GFP_ZERO, caller);
}

/**
 * vmalloc_32_caller - vmalloc of pages a 32-bit device can address
 * @m: machine @size: bytes @caller: name shown in /proc/vmallocinfo
 *
 * x86_64 takes the pages from ZONE_DMA32 (GFP_VMALLOC32); on i386 every
 * page is below 4 GiB already (PAE beyond 4 GiB is highmem) and it is
 * plain GFP_KERNEL, as in Linux.
 * Return: the address, or NULL.
 */
void *vmalloc_32_caller(struct machine *m, unsigned long size, const char *caller)
{
	gfp_t gfp = m->arch.x86_64 ? (GFP_KERNEL | __GFP_DMA32) : GFP_KERNEL;

	return __vmalloc_caller(m, size, gfp, caller);
}

/* The busy area starting at ptr, after Linux's checks (cf. remove_vm_area). */
static struct vmap_area *lookup_for_free(struct machine *m, const void *ptr, const char *func,
					 const char *what)
{
	u64 va = ptr_to_kva(m, ptr);
	struct vmap_area *area;

	if ((uintptr_t)ptr & (PAGE_SIZE - 1))
		vm_warn(m, func, !mm_strcmp(func, "vfree") ? "Trying to vfree() bad address"
							    : "Trying to vunmap() bad address",
			va, ptr);
	area = va ? claim_vmap_area(m, va) : NULL;
	if (!area) {
		vm_warn(m, func, what, va, ptr);
		return NULL;
	}
	return area;
}

/**
 * vfree - release memory allocated by vmalloc
 * @m: machine
 * @addr: the address vmalloc returned; NULL is a no-op
 *
 * Unmaps the area (ptes cleared, TLB and window flushed), frees its pages
 * and its page array, and releases the range. An address that does not
 * start an area gets Linux's "Trying to vfree() nonexistent vm area" warning.
 */
void vfree(struct machine *m, const void *addr)
{
	struct vmap_area *va;

	if (!addr)
		return;
	va = lookup_for_free(m, addr, "vfree", "Trying to vfree() nonexistent vm area");
	if (va)
		__vfree_area(m, va, true);
}

/**
 * vunmap - release a mapping obtained by vmap (the pages stay the caller's)
 * @m: machine @addr: the address vmap returned; NULL is a no-op
 */
void vunmap(struct machine *m, const void *addr)
{
	struct vmap_area *va;

	if (!addr)
		return;
	va = lookup_for_free(m, addr, "vunmap", "Trying to vunmap() nonexistent vm area");
	if (va)
		__vfree_area(m, va, false);
}

/**
 * vmap_caller - map an array of pages into virtually contiguous space
 * @m: machine
 * @pages: count pages (any zone; each must be non-NULL)
 * @count: number of pages
 * @flags: vm_struct flags (VM_MAP is usual; VM_NO_GUARD is refused as in Linux)
 * @prot: protection (NX is added, as pgprot_nx does)
 * @caller: name shown in /proc/vmallocinfo
 * Return: the address, or NULL (count 0, more than totalram_pages, no room,
 * no page-table memory).
 */
void *vmap_caller(struct machine *m, struct page **pages, unsigned int count,
		  unsigned long flags, pgprot_t prot, const char *caller)
{
	struct vm_struct *area;

	if (!m->vmalloc.ready)
		return NULL;
	if (flags & VM_NO_GUARD) {
		vm_warn(m, "vmap", "vmap with VM_NO_GUARD", 0, NULL);
		flags &= ~VM_NO_GUARD;
	}
	if (count > m->totalram_pages)
		return NULL;
	area = __get_vm_area_node(m, (unsigned long)count << PAGE_SHIFT, 1, flags,
				  m->pgtables.vmalloc_start, m->pgtables.vmalloc_end, GFP_KERNEL,
				  caller);
	if (!area)
		return NULL;
	if (vmap_pages_range(m, area->addr, area->addr + get_vm_area_size(area),
			     __pgprot(pgprot_val(prot) | _PAGE_NX), pages)) {
		free_vmap_area(m, container_of(area, struct vmap_area, vm));
		return NULL;
	}
	return kva_to_ptr(m, area->addr);
}

/**
 * vmalloc_to_page - the page mapped at a vmalloc (or any kernel) address
 * @m: machine @addr: a pointer vmalloc/vmap/kmap returned, or into such memory
 * Return: the page, or NULL when nothing is mapped there.
 */
struct page *vmalloc_to_page(struct machine *m, const void *addr)
{
	u64 va = ptr_to_kva(m, addr);
	struct pgtable_walk w;

	if (!va || !pgtable_walk(m, m->pgtables.swapper_pg_dir, va, &w) ||
	    !pfn_valid(m, PFN_DOWN(w.phys)))
		return NULL;
	return pfn_to_page(m, PFN_DOWN(w.phys));
}

/**
 * vmalloc_to_pfn - the frame mapped at a vmalloc address
 * @m: machine @addr: as for vmalloc_to_page
 * Return: the pfn, or 0 when nothing is mapped there.
 */
unsigned long vmalloc_to_pfn(struct machine *m, const void *addr)
{
	struct page *page = vmalloc_to_page(m, addr);

	return page ? page_to_pfn(m, page) : 0;
}

/**
 * is_vmalloc_addr - whether addr lies in [VMALLOC_START, VMALLOC_END)
 * @m: machine @addr: any pointer
 */
bool is_vmalloc_addr(const struct machine *m, const void *addr)
{
	u64 va = ptr_to_kva(m, addr);

	return va >= m->pgtables.vmalloc_start && va < m->pgtables.vmalloc_end;
}

/**
 * find_vm_area - the vm_struct of the area containing addr
 * @m: machine @addr: a pointer into a vmalloc/vmap area
 * Return: the vm_struct, or NULL.
 */
struct vm_struct *find_vm_area(struct machine *m, const void *addr)
{
	struct vmap_area *va = find_vmap_area(m, ptr_to_kva(m, addr));

	return va ? &va->vm : NULL;
}

/** vmalloc_nr_pages - pages held by vmalloc areas (meminfo VmallocUsed). @m: machine */
unsigned long vmalloc_nr_pages(const struct machine *m)
{
	return m->vmalloc.nr_vmalloc_pages;
}

/** vmalloc_total_bytes - VMALLOC_END - VMALLOC_START (meminfo VmallocTotal). @m: machine */
u64 vmalloc_total_bytes(const struct machine *m)
{
	return m->pgtables.vmalloc_end - m->pgtables.vmalloc_start;
}

/**
 * vmalloc_init - make vmalloc usable (after paging_init and mem_init)
 * @m: machine
 * Return: 0, or -EINVAL when paging_init did not run.
 */
int vmalloc_init(struct machine *m)
{
	struct vmalloc_state *vs = &m->vmalloc;

	if (!m->pgtables.ready)
		return -EINVAL;
	INIT_LIST_HEAD(&vs->busy);
	INIT_LIST_HEAD(&vs->pool);
	vs->root = NULL;
	vs->alloc_end = min(m->pgtables.vmalloc_end, m->pgtables.window_end);
	vs->ready = true;
	return 0;
}

/* ---- the checker ---- */

static int check_area_ptes(struct machine *m, const struct vmap_area *va)
{
	const struct vm_struct *vm = &va->vm;
	u64 end = vm->addr + get_vm_area_size(vm);
	int bad = 0;

	for (u64 a = vm->addr; a < va->va_end; a += PAGE_SIZE) {
		ptep_t *ptep = kernel_pte_lookup(m, a);
		pte_t pte = ptep ? ptep_get(m, ptep) : __pte(0);
		unsigned long i = (unsigned long)((a - vm->addr) >> PAGE_SHIFT);
		bool want = a < end;

		if (want != !pte_none(pte) ||
		    (want && (vm->flags & VM_ALLOC) && i < vm->nr_pages &&
		     pte_pfn(pte) != page_to_pfn(m, vm->pages[i]))) {
			pr_err(m, "vmalloc: area %#llx page %lu: pte %#llx\n",
			       (unsigned long long)vm->addr, i, (unsigned long long)pte_val(pte));
			return 1;
		}
		if (m->debug_vm >= 3 || (m->debug_vm >= 2 && a == vm->addr && want))
			bad += kwindow_check_page(m, a, want ? PFN_PHYS(pte_pfn(pte)) : PHYS_NONE);
	}
	if (bad)
		pr_err(m, "vmalloc: area %#llx: host window does not mirror its ptes\n",
		       (unsigned long long)vm->addr);
	return bad ? 1 : 0;
}

/**
 * check_vmalloc - the vmalloc checker (run by mmkit_check)
 * @m: machine
 * Return: the number of violations, each reported in the log.
 */
int check_vmalloc(struct machine *m)
{
	struct vmalloc_state *vs = &m->vmalloc;
	unsigned long listed = 0, treed = 0, pages = 0;
	const struct vmap_area *va;
	u64 prev_end = m->pgtables.vmalloc_start;
	int bad = 0;

	if (!vs->ready)
		return 0;
	list_for_each_entry(va, &vs->busy, list) {
		listed++;
		pages += va->vm.nr_pages;
		if (va->va_start < prev_end || va->va_end <= va->va_start || va->va_end > vs->alloc_end ||
		    va->vm.addr != va->va_start || va->vm.size != va->va_end - va->va_start ||
		    __find_vmap_area(m, va->va_start) != va) {
			pr_err(m, "vmalloc: area %#llx-%#llx misplaced (previous end %#llx)\n",
			       (unsigned long long)va->va_start, (unsigned long long)va->va_end,
			       (unsigned long long)prev_end);
			bad++;
		}
		prev_end = va->va_end;
		bad += check_area_ptes(m, va);
	}
	bad += va_tree_check(m, vs->root, &treed);
	if (listed != vs->nr_areas || treed != vs->nr_areas || pages != vs->nr_vmalloc_pages) {
		pr_err(m, "vmalloc: %lu areas listed, %lu in the tree, %lu counted; %lu pages, %lu counted\n",
		       listed, treed, vs->nr_areas, pages, vs->nr_vmalloc_pages);
		bad++;
	}
	return bad;
}
