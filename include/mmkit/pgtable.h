/* Kernel page tables (src/arch/x86): the hardware bits of an x86 page-table
 * entry, the kernel's protection values built from them, and the state the
 * kernel keeps about its own page tables (cf. asm/pgtable_types.h,
 * asm/pgtable_32_types.h, asm/fixmap.h, init_mm.pgd).
 *
 * The tables themselves are real x86 entries in simulated RAM: 32-bit
 * entries for i386 (2 levels, 10/10/12), 64-bit for PAE (3 levels, 2/9/9/12)
 * and x86_64 (4 levels, 9/9/9/9/12). The walkers and the pgd/pud/pmd/pte
 * helpers are in src/arch/x86/pgtable.h. */
#ifndef MMKIT_PGTABLE_H
#define MMKIT_PGTABLE_H

#include <mmkit/list.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

/* Bits of a page-table entry as the hardware defines them (Intel SDM 4.3-4.5). */
#define _PAGE_BIT_PRESENT 0	/* P: the entry maps something */
#define _PAGE_BIT_RW 1		/* R/W: writes allowed */
#define _PAGE_BIT_USER 2	/* U/S: user mode (CPL 3) may access */
#define _PAGE_BIT_PWT 3		/* page write-through */
#define _PAGE_BIT_PCD 4		/* page cache disabled */
#define _PAGE_BIT_ACCESSED 5	/* A: set by the CPU on any access */
#define _PAGE_BIT_DIRTY 6	/* D: set by the CPU on a write (leaf entries) */
#define _PAGE_BIT_PSE 7		/* PS: a 4 MiB / 2 MiB / 1 GiB page (pmd, pud) */
#define _PAGE_BIT_PAT 7		/* PAT: in a 4 KiB pte the same bit selects PAT */
#define _PAGE_BIT_GLOBAL 8	/* G: survives a CR3 switch (with CR4.PGE) */
#define _PAGE_BIT_SOFTW1 9	/* available to software: Linux's _PAGE_SPECIAL */
#define _PAGE_BIT_SOFTW2 10
#define _PAGE_BIT_SOFTW3 11
#define _PAGE_BIT_PAT_LARGE 12	/* PAT in a large (PSE) entry */
#define _PAGE_BIT_NX 63		/* execute disable: PAE and x86_64 only */

#define _PAGE_PRESENT (1ULL << _PAGE_BIT_PRESENT)
#define _PAGE_RW (1ULL << _PAGE_BIT_RW)
#define _PAGE_USER (1ULL << _PAGE_BIT_USER)
#define _PAGE_PWT (1ULL << _PAGE_BIT_PWT)
#define _PAGE_PCD (1ULL << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED (1ULL << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY (1ULL << _PAGE_BIT_DIRTY)
#define _PAGE_PSE (1ULL << _PAGE_BIT_PSE)
#define _PAGE_PAT (1ULL << _PAGE_BIT_PAT)
#define _PAGE_GLOBAL (1ULL << _PAGE_BIT_GLOBAL)
#define _PAGE_SPECIAL (1ULL << _PAGE_BIT_SOFTW1)
#define _PAGE_PAT_LARGE (1ULL << _PAGE_BIT_PAT_LARGE)
#define _PAGE_NX (1ULL << _PAGE_BIT_NX)
/* A not-present user pte that still describes a mapping (PROT_NONE) reuses G. */
#define _PAGE_PROTNONE _PAGE_GLOBAL

/* Physical frame bits of an entry: 12..51 (the 32-bit formats zero-extend). */
#define PTE_PFN_MASK 0x000ffffffffff000ULL
#define PTE_FLAGS_MASK (~PTE_PFN_MASK)

/* Entries that point at a lower-level table (cf. _PAGE_TABLE, _KERNPG_TABLE). */
#define _PAGE_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
/* A PAE page-directory-pointer entry may carry only P (and PWT/PCD). */
#define _PAGE_PDPTE _PAGE_PRESENT

/* A protection: the flag bits of a pte (cf. pgprot_t). NX is dropped by
 * mk_pte on the 2-level format, which has no room for it. */
typedef struct {
	u64 pgprot;
} pgprot_t;

#define __pgprot(x) ((pgprot_t){ (x) })
#define pgprot_val(p) ((p).pgprot)

#define __PAGE_KERNEL_EXEC (_PAGE_PRESENT | _PAGE_RW | _PAGE_DIRTY | _PAGE_ACCESSED | _PAGE_GLOBAL)
#define __PAGE_KERNEL (__PAGE_KERNEL_EXEC | _PAGE_NX)
#define __PAGE_KERNEL_RO (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL | _PAGE_NX)
#define __PAGE_KERNEL_RX (_PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_GLOBAL)
#define __PAGE_KERNEL_NOCACHE (__PAGE_KERNEL | _PAGE_PCD | _PAGE_PWT)
#define __PAGE_KERNEL_LARGE (__PAGE_KERNEL | _PAGE_PSE)
#define __PAGE_KERNEL_LARGE_EXEC (__PAGE_KERNEL_EXEC | _PAGE_PSE)

#define PAGE_KERNEL __pgprot(__PAGE_KERNEL)
#define PAGE_KERNEL_EXEC __pgprot(__PAGE_KERNEL_EXEC)
#define PAGE_KERNEL_RO __pgprot(__PAGE_KERNEL_RO)
#define PAGE_KERNEL_RX __pgprot(__PAGE_KERNEL_RX)
#define PAGE_KERNEL_NOCACHE __pgprot(__PAGE_KERNEL_NOCACHE)
#define PAGE_KERNEL_LARGE __pgprot(__PAGE_KERNEL_LARGE)
#define PAGE_KERNEL_LARGE_EXEC __pgprot(__PAGE_KERNEL_LARGE_EXEC)

/* User protections (cf. PAGE_SHARED, PAGE_COPY, PAGE_READONLY, PAGE_NONE). */
#define PAGE_NONE __pgprot(_PAGE_PROTNONE | _PAGE_ACCESSED)
#define PAGE_SHARED __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC __pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_READONLY PAGE_COPY
#define PAGE_READONLY_EXEC PAGE_COPY_EXEC

/* The boot page tables of head.S (seed 001): entries "007" = P|RW|USER. */
#define PTE_IDENT_ATTR_2LEVEL (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)
/* 2.6's head_32.S for PAE: pte P|RW, pmd P|RW|A|D, pdpte P. */
#define PTE_IDENT_ATTR (_PAGE_PRESENT | _PAGE_RW)
#define PDE_IDENT_ATTR (_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PGD_IDENT_ATTR _PAGE_PRESENT

/* Per-CPU kmap_atomic slots (cf. KM_TYPE_NR of asm-generic/kmap_types.h). */
#define KM_TYPE_NR 20
/* LAST_PKMAP is PTRS_PER_PTE: 1024 (2-level) or 512 (PAE). */
#define LAST_PKMAP_MAX 1024

struct machine;
struct pgtable_format;

/* One kind of TLB flush, counted for the views and tests. */
enum tlb_flush_kind {
	TLB_FLUSH_KERNEL_RANGE,	/* flush_tlb_kernel_range() */
	TLB_FLUSH_ONE,		/* __flush_tlb_one_kernel(): one kernel address */
	TLB_FLUSH_ALL,		/* flush_tlb_all() */
	NR_TLB_FLUSH_KINDS
};

/* Called on every kernel TLB flush with [start, end) (start 0, end ~0 for
 * all). The software MMU installs it; until then flushes are only counted. */
typedef void (*kernel_tlb_flush_fn)(struct machine *m, enum tlb_flush_kind kind,
				    u64 start, u64 end);

/* The kernel's virtual layout and its page tables. Addresses are x86
 * virtual addresses (u64 even for i386). Filled by paging_init(). */
struct kernel_pgtables {
	const struct pgtable_format *fmt;	/* 2-level, PAE or 4-level: from m->arch */
	bool ready;			/* paging_init() done: swapper_pg_dir is the live table */
	bool pse;			/* large pages for the direct map (not "mem=nopentium") */

	/* swapper_pg_dir (init_mm.pgd) and the head.S tables (seed 001) */
	phys_addr_t swapper_pg_dir;
	phys_addr_t pg0, pg1;		/* i386: the two boot page tables, 0-8 MiB */
	phys_addr_t empty_zero_page;
	spinlock_t page_table_lock;	/* init_mm.page_table_lock: linking new kernel tables */
	unsigned long nr_boot_tables;	/* page-table pages taken from bootmem */
	unsigned long nr_kernel_tables;	/* kernel page-table pages taken from the buddy allocator */
	u64 direct_map_4k, direct_map_large;	/* bytes of direct map per page size (DirectMap*) */

	/* the virtual layout (cf. asm/pgtable_32_types.h, asm/fixmap.h) */
	u64 page_offset;		/* PAGE_OFFSET */
	u64 high_memory;		/* end of the direct map */
	u64 vmalloc_start, vmalloc_end;	/* VMALLOC_START, VMALLOC_END (exclusive) */
	u64 pkmap_base;			/* PKMAP_BASE (i386 HIGHMEM), 0 otherwise */
	unsigned int last_pkmap;	/* LAST_PKMAP: PTRS_PER_PTE, 0 without HIGHMEM */
	u64 fixaddr_top, fixaddr_start;	/* FIXADDR_TOP, FIXADDR_START (i386) */
	unsigned int nr_fixmap;		/* __end_of_fixed_addresses */
	unsigned int fix_kmap_begin, fix_kmap_end;	/* FIX_KMAP_BEGIN..END */
	u64 start_kernel_map;		/* x86_64: __START_KERNEL_map, else 0 */
	phys_addr_t pkmap_page_table;	/* the pte page of the PKMAP area */
	unsigned int nr_fixmap_tables;	/* pte pages under the fixmap */

	/* user pgds that copied the kernel entries (cf. pgd_list): synced when
	 * a kernel pgd entry appears later (i386 2-level only) */
	struct list_head pgd_list;

	/* the host window: a host mapping mirroring [window_start, window_end)
	 * of the kernel virtual space, where vmalloc, pkmap and fixmap pages are
	 * aliased to their frames so the addresses are real C pointers */
	u8 *window;
	u64 window_start, window_end;
	unsigned long nr_window_maps, nr_window_unmaps;	/* host remap calls */

	/* TLB: the flush hook and how often each flush ran */
	kernel_tlb_flush_fn tlb_flush;
	unsigned long nr_tlb_flush[NR_TLB_FLUSH_KINDS];

	/* fault injection for tests: fail the Nth page allocation made by the
	 * kernel-VM code (kernel and user page tables, pgds, vmalloc pages and
	 * bookkeeping); 0 = off */
	unsigned long fail_nth;
	unsigned long nr_allocs;	/* allocations counted towards fail_nth */
};

#endif
