/* The kernel window: the host mirror of the upper kernel virtual space
 * [window_start, window_end) (i386: VMALLOC_START..4 GiB, covering vmalloc,
 * pkmap and fixmap; x86_64: the start of the vmalloc area). Kernel page
 * tables are the truth; after changing ptes in the window, the changer
 * calls kwindow_sync(), which makes each host page alias exactly the frame
 * its pte maps (and inaccessible when it maps nothing), one host call per
 * run of physically contiguous frames.
 *
 * Conversions (a kernel address in C is a host pointer):
 *   direct map  va in [PAGE_OFFSET, high_memory)  <->  m->ram + (va - PAGE_OFFSET)
 *   window      va in [window_start, window_end)  <->  window + (va - window_start)
 * Invariant: for every window page, host alias == pte (checked per area by
 * the vmalloc and highmem checkers with kwindow_check_page). */
#include "arch/x86/pgtable.h"

/**
 * kwindow_init - reserve the host window for m's kernel layout
 * @m: machine after kernel_vm_layout_init
 * Return: 0, or -ENOMEM when the host cannot reserve the range.
 */
int kwindow_init(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;
	u64 size = pt->window_end - pt->window_start;

	if (pt->window)
		return 0;
	pt->window = machine_window_reserve(m, size);
	if (!pt->window) {
		pr_err(m, "kwindow: cannot reserve %llu MiB of host address space\n",
		       (unsigned long long)(size >> 20));
		return -ENOMEM;
	}
	return 0;
}

/**
 * kwindow_release - give back the host window (safe to call twice)
 * @m: machine
 */
void kwindow_release(struct machine *m)
{
	struct kernel_pgtables *pt = &m->pgtables;

	if (!pt->window)
		return;
	machine_window_release(m, pt->window, pt->window_end - pt->window_start);
	pt->window = NULL;
}

/**
 * kva_to_ptr - the C pointer of kernel virtual address va
 * @m: machine @va: a direct-map or window (vmalloc/pkmap/fixmap) address
 * Return: the pointer, or NULL when va is in neither (or the window is not set up).
 */
void *kva_to_ptr(const struct machine *m, u64 va)
{
	const struct kernel_pgtables *pt = &m->pgtables;

	if (va >= pt->page_offset && va < pt->high_memory)
		return m->ram + (va - pt->page_offset);
	if (pt->window && va >= pt->window_start && va < pt->window_end)
		return pt->window + (va - pt->window_start);
	if (pt->start_kernel_map && va >= pt->start_kernel_map &&
	    va - pt->start_kernel_map < min(m->ram_bytes, (u64)SZ_1G / 2))
		return m->ram + (va - pt->start_kernel_map);
	return NULL;
}

/**
 * ptr_to_kva - the kernel virtual address of a C pointer
 * @m: machine @ptr: a pointer into lowmem RAM or into the window
 * Return: the x86 virtual address, or 0 when ptr is neither (e.g. a
 * highmem frame through m->ram, which has no kernel address).
 */
u64 ptr_to_kva(const struct machine *m, const void *ptr)
{
	const struct kernel_pgtables *pt = &m->pgtables;
	const u8 *p = ptr;

	if (p >= m->ram && p < m->ram + m->ram_bytes) {
		u64 phys = (u64)(p - m->ram);

		return phys < pt->high_memory - pt->page_offset ? pt->page_offset + phys : 0;
	}
	if (pt->window && p >= pt->window && p < pt->window + (pt->window_end - pt->window_start))
		return pt->window_start + (u64)(p - pt->window);
	return 0;
}

/**
 * kwindow_contains - whether [va, va + len) lies inside the window
 * @m: machine @va: start @len: length in bytes
 */
bool kwindow_contains(const struct machine *m, u64 va, u64 len)
{
	const struct kernel_pgtables *pt = &m->pgtables;

	return pt->window && va >= pt->window_start && va <= pt->window_end &&
	       len <= pt->window_end - va;
}

/* The frame the kernel pte of va maps, or PHYS_NONE. */
static phys_addr_t window_pte_phys(struct machine *m, u64 va)
{
	ptep_t *ptep = kernel_pte_lookup(m, va);
	pte_t pte;
	phys_addr_t phys;

	if (!ptep)
		return PHYS_NONE;
	pte = ptep_get(m, ptep);
	if (!(pte_val(pte) & _PAGE_PRESENT))
		return PHYS_NONE;
	phys = PFN_PHYS(pte_pfn(pte));
	return phys < m->ram_bytes ? phys : PHYS_NONE;
}

static int window_apply(struct machine *m, u64 va, phys_addr_t phys, u64 len)
{
	struct kernel_pgtables *pt = &m->pgtables;
	void *host = pt->window + (va - pt->window_start);

	if (phys == PHYS_NONE) {
		__atomic_fetch_add(&pt->nr_window_unmaps, 1, __ATOMIC_RELAXED);
		return machine_window_unmap(m, host, len);
	}
	__atomic_fetch_add(&pt->nr_window_maps, 1, __ATOMIC_RELAXED);
	return machine_window_map(m, host, phys, len);
}

/**
 * kwindow_sync - make the window mirror the kernel ptes of [start, end)
 * @m: machine
 * @start: first address (page-aligned, inside the window)
 * @end: end (page-aligned, inside the window)
 *
 * Walks the ptes and remaps the host pages in runs: each run of present
 * ptes with consecutive frames is one alias, each run of absent ones one
 * unmapping. Return: 0, -EINVAL for a range outside the window, or -ENOMEM
 * when the host refused a mapping (pages before it are already mirrored).
 */
int kwindow_sync(struct machine *m, u64 start, u64 end)
{
	u64 va = start;

	if (start >= end || !kwindow_contains(m, start, end - start) ||
	    ((start | end) & ~PAGE_MASK))
		return -EINVAL;
	while (va < end) {
		u64 run = va;
		phys_addr_t phys = window_pte_phys(m, va);
		int ret;

		for (va += PAGE_SIZE; va < end; va += PAGE_SIZE) {
			phys_addr_t next = window_pte_phys(m, va);

			if (phys == PHYS_NONE ? next != PHYS_NONE : next != phys + (va - run))
				break;
		}
		ret = window_apply(m, run, phys, va - run);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * kwindow_check_page - whether the window page of va aliases frame phys
 * @m: machine @va: a page-aligned window address
 * @phys: the frame its pte maps, or PHYS_NONE for "must be inaccessible"
 * Return: 0 when the window agrees, 1 when it does not.
 */
int kwindow_check_page(struct machine *m, u64 va, phys_addr_t phys)
{
	void *host = kva_to_ptr(m, va);
	int r;

	if (!host)
		return 1;
	if (phys == PHYS_NONE)
		return machine_window_probe(m, host, 0) == -EFAULT ? 0 : 1;
	r = machine_window_probe(m, host, phys);
	return r == 1 ? 0 : 1;
}
