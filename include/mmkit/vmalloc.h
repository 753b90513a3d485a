/* vmalloc: virtually contiguous kernel memory from non-contiguous pages
 * (cf. include/linux/vmalloc.h, mm/vmalloc.c). The area lies between
 * VMALLOC_START and VMALLOC_END (m->pgtables); each allocation is a
 * vmap_area with a guard page after it, its pages are mapped by real ptes
 * in the kernel page tables, and the returned pointer is a real C pointer
 * (the host window aliases each frame there). */
#ifndef MMKIT_VMALLOC_H
#define MMKIT_VMALLOC_H

#include <mmkit/gfp.h>
#include <mmkit/list.h>
#include <mmkit/pgtable.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

/* vm_struct flags (Linux 6.x values). */
#define VM_IOREMAP 0x00000001		/* ioremap() and friends */
#define VM_ALLOC 0x00000002		/* vmalloc() */
#define VM_MAP 0x00000004		/* vmap()ed pages */
#define VM_USERMAP 0x00000008		/* suitable for remap_vmalloc_range */
#define VM_DMA_COHERENT 0x00000010	/* dma_alloc_coherent */
#define VM_UNINITIALIZED 0x00000020	/* vm_struct is not fully initialized */
#define VM_NO_GUARD 0x00000040		/* don't add guard page */
#define VM_MAP_PUT_PAGES 0x00000200	/* put pages and free array in vfree */

#define NUMA_NO_NODE (-1)

struct machine;
struct page;

/* One mapped area (cf. struct vm_struct). addr is the x86 virtual address;
 * size includes the guard page. */
struct vm_struct {
	u64 addr;
	unsigned long size;
	unsigned long flags;
	struct page **pages;		/* VM_ALLOC: the pages, one per small page */
	unsigned int nr_pages;
	phys_addr_t phys_addr;
	const char *caller;		/* who asked: shown by /proc/vmallocinfo */
	bool pages_vmalloced;		/* the page array itself is vmalloc'ed (vpages) */
	bool pages_from_pool;		/* the page array came from the area pool */
};

/* A busy range of the vmalloc space (cf. struct vmap_area): in an AVL tree
 * by va_start for lookup and in an address-ordered list for the free-range
 * search and /proc/vmallocinfo. */
struct vmap_area {
	u64 va_start, va_end;
	struct vmap_area *left, *right;
	int height;
	bool freeing;			/* vfree/vunmap in progress: not findable */
	struct list_head list;
	struct vm_struct vm;
};

struct vmalloc_state {
	spinlock_t lock;		/* vmap_area_lock: tree, list, pool */
	struct vmap_area *root;		/* AVL tree of busy areas */
	struct list_head busy;		/* the same areas, by address */
	struct list_head pool;		/* pool pages with free vmap_area slots */
	unsigned long nr_areas;
	unsigned long nr_pool_pages;
	unsigned long nr_vmalloc_pages;	/* pages held by vmalloc areas (VmallocUsed) */
	u64 alloc_end;			/* min(VMALLOC_END, end of the host window) */
	bool ready;
};

/* in mm/vmalloc.c -- see there for the contracts. caller names the
 * allocator's user in /proc/vmallocinfo (Linux prints a symbol there). */
void *__vmalloc_node_range(struct machine *m, unsigned long size, unsigned long align,
			   u64 start, u64 end, gfp_t gfp_mask, pgprot_t prot,
			   unsigned long vm_flags, int node, const char *caller);
void *__vmalloc_caller(struct machine *m, unsigned long size, gfp_t gfp_mask, const char *caller);
void *vmalloc_caller(struct machine *m, unsigned long size, const char *caller);
void *vzalloc_caller(struct machine *m, unsigned long size, const char *caller);
void *vmalloc_32_caller(struct machine *m, unsigned long size, const char *caller);
void *vmap_caller(struct machine *m, struct page **pages, unsigned int count,
		  unsigned long flags, pgprot_t prot, const char *caller);
#define __vmalloc(m, size, gfp) __vmalloc_caller(m, size, gfp, __func__)
#define vmalloc(m, size) vmalloc_caller(m, size, __func__)
#define vzalloc(m, size) vzalloc_caller(m, size, __func__)
#define vmalloc_32(m, size) vmalloc_32_caller(m, size, __func__)
#define vmap(m, pages, count, flags, prot) vmap_caller(m, pages, count, flags, prot, __func__)
void vfree(struct machine *m, const void *addr);
void vunmap(struct machine *m, const void *addr);
struct page *vmalloc_to_page(struct machine *m, const void *addr);
unsigned long vmalloc_to_pfn(struct machine *m, const void *addr);
bool is_vmalloc_addr(const struct machine *m, const void *addr);
struct vm_struct *find_vm_area(struct machine *m, const void *addr);
unsigned long vmalloc_nr_pages(const struct machine *m);
u64 vmalloc_total_bytes(const struct machine *m);

#endif
