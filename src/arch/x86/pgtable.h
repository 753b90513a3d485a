/* x86 page tables in simulated RAM: the three formats behind one interface
 * (cf. arch/x86/include/asm/pgtable.h, pgtable-2level.h, pgtable-3level.h,
 * pgtable_64.h, include/asm-generic/pgtable-nop4d.h/-nopud.h/-nopmd.h).
 *
 * Linux's five levels pgd -> p4d -> pud -> pmd -> pte are kept; a format
 * folds the levels it does not have, exactly as the asm-generic "nopXd"
 * headers do: the folded level's *_offset() passes the pointer through, and
 * the level above it answers "never none, always present" (so the real entry
 * is read through the lowest name of a folded chain):
 *
 *   format       index bits        real levels (entry)      folded
 *   2-level      10/10/12          pmd (PDE, 32-bit), pte    p4d pud pmd
 *   3-level PAE  2/9/9/12          pud (PDPTE), pmd, pte      p4d pud
 *   4-level      9/9/9/9/12        p4d (PML4E), pud, pmd, pte p4d
 *
 * A slot (pgdp_t * ... ptep_t *) is the host address of one entry in a
 * table page in RAM. Entries are 4 or 8 bytes depending on the format, so
 * slot types are incomplete: read them with pXdp_get(), write them with
 * set_pXd(), step with the *_offset() helpers. Values (pgd_t ... pte_t) are
 * always held in 64 bits; 2-level values fit in the low 32.
 *
 * Invariant: a present non-leaf entry points at a table page inside RAM;
 * a 2-level entry never has bits above 31 set. */
#ifndef MMKIT_ARCH_X86_PGTABLE_H
#define MMKIT_ARCH_X86_PGTABLE_H

#include "internal.h"

enum pt_level { PT_PGD, PT_P4D, PT_PUD, PT_PMD, PT_PTE, NR_PT_LEVELS };

/* One page-table format (src/arch/x86/pgtable_{2,3,4}level.c). */
struct pgtable_format {
	const char *name;
	unsigned int levels;			/* 2, 3 or 4 hardware levels */
	unsigned int entry_size;		/* 4 or 8 bytes */
	unsigned int shift[NR_PT_LEVELS];	/* bits below each level's index */
	unsigned int ptrs[NR_PT_LEVELS];	/* entries per table (1: folded) */
	bool folded[NR_PT_LEVELS];		/* *_offset() passes the pointer through */
	unsigned int leaf_levels;		/* 1 << level where a PS entry may map */
	u64 supported_pte_mask;			/* __supported_pte_mask */
	u64 top_table_flags;			/* flags of an entry in the top table */
	/* head.S: build swapper_pg_dir mapping 0-8 MiB at 0 and PAGE_OFFSET */
	int (*head_tables)(struct machine *m);
};

extern const struct pgtable_format pgtable_2level_format;
extern const struct pgtable_format pgtable_3level_format;
extern const struct pgtable_format pgtable_4level_format;

typedef struct { u64 pgd; } pgd_t;
typedef struct { u64 p4d; } p4d_t;
typedef struct { u64 pud; } pud_t;
typedef struct { u64 pmd; } pmd_t;
typedef struct { u64 pte; } pte_t;

#define pgd_val(x) ((x).pgd)
#define p4d_val(x) ((x).p4d)
#define pud_val(x) ((x).pud)
#define pmd_val(x) ((x).pmd)
#define pte_val(x) ((x).pte)
#define __pgd(x) ((pgd_t){ (x) })
#define __p4d(x) ((p4d_t){ (x) })
#define __pud(x) ((pud_t){ (x) })
#define __pmd(x) ((pmd_t){ (x) })
#define __pte(x) ((pte_t){ (x) })

/* Slots: where an entry lives (incomplete on purpose, see above). */
typedef struct pgd_slot pgdp_t;
typedef struct p4d_slot p4dp_t;
typedef struct pud_slot pudp_t;
typedef struct pmd_slot pmdp_t;
typedef struct pte_slot ptep_t;

/* "No physical address": what a walk of an unmapped address yields. */
#define PHYS_NONE (~(phys_addr_t)0)

/* ---- format geometry (PGDIR_SHIFT, PMD_SIZE, PTRS_PER_PTE, ...) ---- */

static inline const struct pgtable_format *pgt_fmt(const struct machine *m)
{
	return m->pgtables.fmt;
}

static inline unsigned int pt_shift(const struct machine *m, enum pt_level l)
{
	return pgt_fmt(m)->shift[l];
}

static inline u64 pt_size(const struct machine *m, enum pt_level l)
{
	return 1ULL << pgt_fmt(m)->shift[l];
}

static inline u64 pt_mask(const struct machine *m, enum pt_level l)
{
	return ~(pt_size(m, l) - 1);
}

static inline unsigned int pt_ptrs(const struct machine *m, enum pt_level l)
{
	return pgt_fmt(m)->ptrs[l];
}

static inline unsigned int pt_index(const struct machine *m, enum pt_level l, u64 addr)
{
	return (unsigned int)((addr >> pt_shift(m, l)) & (pt_ptrs(m, l) - 1));
}

/* The level's predicates are stubs when the level below is folded into it. */
static inline bool pt_stub(const struct machine *m, enum pt_level l)
{
	return l < PT_PTE && pgt_fmt(m)->folded[l + 1];
}

#define PGDIR_SHIFT_M(m) pt_shift(m, PT_PGD)
#define PMD_SHIFT_M(m) pt_shift(m, PT_PMD)
#define PMD_SIZE_M(m) pt_size(m, PT_PMD)
#define PMD_MASK_M(m) pt_mask(m, PT_PMD)
#define PGDIR_SIZE_M(m) pt_size(m, PT_PGD)
#define PTRS_PER_PTE_M(m) pt_ptrs(m, PT_PTE)
#define PTRS_PER_PGD_M(m) pt_ptrs(m, PT_PGD)

static inline unsigned int pgd_index(const struct machine *m, u64 a) { return pt_index(m, PT_PGD, a); }
static inline unsigned int pud_index(const struct machine *m, u64 a) { return pt_index(m, PT_PUD, a); }
static inline unsigned int pmd_index(const struct machine *m, u64 a) { return pt_index(m, PT_PMD, a); }
static inline unsigned int pte_index(const struct machine *m, u64 a) { return pt_index(m, PT_PTE, a); }

/* The end of the level-l region holding addr, or end if that comes first
 * (cf. pgd_addr_end/pmd_addr_end; safe against wrap at the top of space). */
static inline u64 pt_addr_end(const struct machine *m, enum pt_level l, u64 addr, u64 end)
{
	u64 boundary = (addr + pt_size(m, l)) & pt_mask(m, l);

	return boundary - 1 < end - 1 ? boundary : end;
}

/* ---- reading and writing entries ---- */

/* Entries are read and written whole, once (Linux's READ_ONCE in
 * ptep_get/pmdp_get and WRITE_ONCE in native_set_pte/set_pmd): other CPUs
 * walk the tables while one changes them. The write releases and the read
 * acquires, so a table populated into its parent is seen zeroed (the
 * smp_wmb() before pmd_populate in Linux's pmd_install). Plain moves on x86. */
static inline u64 pt_read(const struct machine *m, const void *slot)
{
	if (pgt_fmt(m)->entry_size == 4)
		return __atomic_load_n((const u32 *)slot, __ATOMIC_ACQUIRE);
	return __atomic_load_n((const u64 *)slot, __ATOMIC_ACQUIRE);
}

static inline void pt_write(struct machine *m, void *slot, u64 val)
{
	if (pgt_fmt(m)->entry_size == 4) {
		VM_WARN_ON(m, val >> 32);
		__atomic_store_n((u32 *)slot, (u32)val, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n((u64 *)slot, val, __ATOMIC_RELEASE);
	}
}

/* The physical address of a slot, and the slot at a physical address. */
static inline phys_addr_t pt_slot_phys(const struct machine *m, const void *slot)
{
	return (phys_addr_t)((const u8 *)slot - m->ram);
}

static inline void *pt_phys_slot(const struct machine *m, phys_addr_t phys)
{
	return m->ram + phys;
}

static inline pgd_t pgdp_get(const struct machine *m, const pgdp_t *p) { return __pgd(pt_read(m, p)); }
static inline p4d_t p4dp_get(const struct machine *m, const p4dp_t *p) { return __p4d(pt_read(m, p)); }
static inline pud_t pudp_get(const struct machine *m, const pudp_t *p) { return __pud(pt_read(m, p)); }
static inline pmd_t pmdp_get(const struct machine *m, const pmdp_t *p) { return __pmd(pt_read(m, p)); }
static inline pte_t ptep_get(const struct machine *m, const ptep_t *p) { return __pte(pt_read(m, p)); }

void set_pgd(struct machine *m, pgdp_t *pgdp, pgd_t pgd);
void set_p4d(struct machine *m, p4dp_t *p4dp, p4d_t p4d);
void set_pud(struct machine *m, pudp_t *pudp, pud_t pud);
void set_pmd(struct machine *m, pmdp_t *pmdp, pmd_t pmd);
static inline void set_pte(struct machine *m, ptep_t *ptep, pte_t pte) { pt_write(m, ptep, pte_val(pte)); }
static inline void pte_clear(struct machine *m, ptep_t *ptep) { pt_write(m, ptep, 0); }
static inline void pmd_clear(struct machine *m, pmdp_t *pmdp) { set_pmd(m, pmdp, __pmd(0)); }

/* ---- upper-level predicates (stubs on folded levels, as asm-generic) ---- */

static inline bool pt_none(const struct machine *m, enum pt_level l, u64 v)
{
	return !pt_stub(m, l) && v == 0;
}

static inline bool pt_present(const struct machine *m, enum pt_level l, u64 v)
{
	return pt_stub(m, l) || (v & _PAGE_PRESENT);
}

static inline bool pt_leaf(const struct machine *m, enum pt_level l, u64 v)
{
	return !pt_stub(m, l) && (pgt_fmt(m)->leaf_levels & (1u << l)) &&
	       (v & (_PAGE_PRESENT | _PAGE_PSE)) == (_PAGE_PRESENT | _PAGE_PSE);
}

/* Not a valid pointer to a lower table (cf. pmd_bad): missing P, or bits a
 * table entry never has (PS, PCD, PWT, G, software bits). */
static inline bool pt_bad(const struct machine *m, enum pt_level l, u64 v)
{
	if (pt_stub(m, l))
		return false;
	return !(v & _PAGE_PRESENT) ||
	       ((v & PTE_FLAGS_MASK) & ~(_KERNPG_TABLE | _PAGE_USER | _PAGE_NX)) != 0;
}

static inline bool pgd_none(const struct machine *m, pgd_t v) { return pt_none(m, PT_PGD, pgd_val(v)); }
static inline bool p4d_none(const struct machine *m, p4d_t v) { return pt_none(m, PT_P4D, p4d_val(v)); }
static inline bool pud_none(const struct machine *m, pud_t v) { return pt_none(m, PT_PUD, pud_val(v)); }
static inline bool pmd_none(const struct machine *m, pmd_t v) { return pt_none(m, PT_PMD, pmd_val(v)); }
static inline bool pgd_present(const struct machine *m, pgd_t v) { return pt_present(m, PT_PGD, pgd_val(v)); }
static inline bool p4d_present(const struct machine *m, p4d_t v) { return pt_present(m, PT_P4D, p4d_val(v)); }
static inline bool pud_present(const struct machine *m, pud_t v) { return pt_present(m, PT_PUD, pud_val(v)); }
static inline bool pmd_present(const struct machine *m, pmd_t v) { return pt_present(m, PT_PMD, pmd_val(v)); }
static inline bool pgd_bad(const struct machine *m, pgd_t v) { return pt_bad(m, PT_PGD, pgd_val(v)); }
static inline bool p4d_bad(const struct machine *m, p4d_t v) { return pt_bad(m, PT_P4D, p4d_val(v)); }
static inline bool pud_bad(const struct machine *m, pud_t v) { return pt_bad(m, PT_PUD, pud_val(v)); }
static inline bool pmd_bad(const struct machine *m, pmd_t v) { return pt_bad(m, PT_PMD, pmd_val(v)); }
static inline bool pud_leaf(const struct machine *m, pud_t v) { return pt_leaf(m, PT_PUD, pud_val(v)); }
static inline bool pmd_leaf(const struct machine *m, pmd_t v) { return pt_leaf(m, PT_PMD, pmd_val(v)); }

/* ---- walking down: *_offset ---- */

/* The slot for addr in the level-l table below the entry at upper. */
static inline void *pt_lower_slot(const struct machine *m, enum pt_level l, const void *upper,
				  u64 addr)
{
	phys_addr_t table;

	if (pgt_fmt(m)->folded[l])
		return (void *)upper;
	table = pt_read(m, upper) & PTE_PFN_MASK;
	return m->ram + table + (u64)pt_index(m, l, addr) * pgt_fmt(m)->entry_size;
}

/* The pgd slot for addr in the pgd page at physical address pgd. */
static inline pgdp_t *pgd_offset_pgd(const struct machine *m, phys_addr_t pgd, u64 addr)
{
	return (pgdp_t *)(m->ram + pgd + (u64)pgd_index(m, addr) * pgt_fmt(m)->entry_size);
}

/* The kernel's pgd slot for addr (swapper_pg_dir, init_mm.pgd). */
static inline pgdp_t *pgd_offset_k(const struct machine *m, u64 addr)
{
	return pgd_offset_pgd(m, m->pgtables.swapper_pg_dir, addr);
}

static inline p4dp_t *p4d_offset(const struct machine *m, pgdp_t *pgd, u64 addr)
{
	return (p4dp_t *)pt_lower_slot(m, PT_P4D, pgd, addr);
}

static inline pudp_t *pud_offset(const struct machine *m, p4dp_t *p4d, u64 addr)
{
	return (pudp_t *)pt_lower_slot(m, PT_PUD, p4d, addr);
}

static inline pmdp_t *pmd_offset(const struct machine *m, pudp_t *pud, u64 addr)
{
	return (pmdp_t *)pt_lower_slot(m, PT_PMD, pud, addr);
}

static inline ptep_t *pte_offset_kernel(const struct machine *m, pmdp_t *pmd, u64 addr)
{
	return (ptep_t *)pt_lower_slot(m, PT_PTE, pmd, addr);
}

/* ---- ptes (the same on every format) ---- */

static inline bool pte_none(pte_t pte) { return pte_val(pte) == 0; }
static inline bool pte_present(pte_t pte) { return pte_val(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_write(pte_t pte) { return pte_val(pte) & _PAGE_RW; }
static inline bool pte_dirty(pte_t pte) { return pte_val(pte) & _PAGE_DIRTY; }
static inline bool pte_young(pte_t pte) { return pte_val(pte) & _PAGE_ACCESSED; }
static inline bool pte_user(pte_t pte) { return pte_val(pte) & _PAGE_USER; }
static inline bool pte_global(pte_t pte) { return pte_val(pte) & _PAGE_GLOBAL; }
static inline bool pte_special(pte_t pte) { return pte_val(pte) & _PAGE_SPECIAL; }
static inline bool pte_exec(pte_t pte) { return !(pte_val(pte) & _PAGE_NX); }
static inline u64 pte_flags(pte_t pte) { return pte_val(pte) & PTE_FLAGS_MASK; }
static inline unsigned long pte_pfn(pte_t pte) { return (unsigned long)((pte_val(pte) & PTE_PFN_MASK) >> PAGE_SHIFT); }
static inline pgprot_t pte_pgprot(pte_t pte) { return __pgprot(pte_flags(pte)); }
static inline pte_t pte_mkwrite(pte_t pte) { return __pte(pte_val(pte) | _PAGE_RW); }
static inline pte_t pte_wrprotect(pte_t pte) { return __pte(pte_val(pte) & ~_PAGE_RW); }
static inline pte_t pte_mkdirty(pte_t pte) { return __pte(pte_val(pte) | _PAGE_DIRTY); }
static inline pte_t pte_mkclean(pte_t pte) { return __pte(pte_val(pte) & ~_PAGE_DIRTY); }
static inline pte_t pte_mkyoung(pte_t pte) { return __pte(pte_val(pte) | _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t pte) { return __pte(pte_val(pte) & ~_PAGE_ACCESSED); }
static inline pte_t pte_mkspecial(pte_t pte) { return __pte(pte_val(pte) | _PAGE_SPECIAL); }

/* Keep only the bits the format has (cf. massage_pgprot: no NX on 2-level). */
static inline u64 pgprot_massage(const struct machine *m, pgprot_t prot)
{
	return pgprot_val(prot) & pgt_fmt(m)->supported_pte_mask;
}

static inline pte_t pfn_pte(const struct machine *m, unsigned long pfn, pgprot_t prot)
{
	return __pte(((u64)pfn << PAGE_SHIFT) | pgprot_massage(m, prot));
}

static inline pte_t mk_pte(const struct machine *m, const struct page *page, pgprot_t prot)
{
	return pfn_pte(m, page_to_pfn(m, page), prot);
}

static inline struct page *pte_page(const struct machine *m, pte_t pte)
{
	return pfn_to_page(m, pte_pfn(pte));
}

/* A large (PSE) pmd mapping pfn, which must be PMD_SIZE aligned. */
static inline pmd_t pfn_pmd(const struct machine *m, unsigned long pfn, pgprot_t prot)
{
	return __pmd(((u64)pfn << PAGE_SHIFT) | pgprot_massage(m, prot) | _PAGE_PSE);
}

/* The first frame a leaf entry at level l maps. */
static inline unsigned long pt_leaf_pfn(const struct machine *m, enum pt_level l, u64 v)
{
	return (unsigned long)((v & PTE_PFN_MASK & pt_mask(m, l)) >> PAGE_SHIFT);
}

static inline unsigned long pmd_pfn(const struct machine *m, pmd_t pmd)
{
	if (pmd_leaf(m, pmd))
		return pt_leaf_pfn(m, PT_PMD, pmd_val(pmd));
	return (unsigned long)((pmd_val(pmd) & PTE_PFN_MASK) >> PAGE_SHIFT);
}

/* The table a present non-leaf entry points at. */
static inline phys_addr_t pt_table_phys(u64 v)
{
	return v & PTE_PFN_MASK;
}

/* ---- in arch/x86/pgtable.c ---- */

int pgtable_select_format(struct machine *m);
bool kernel_vm_should_fail(struct machine *m);
phys_addr_t pgtable_alloc_page(struct machine *m);
void pgtable_free_page(struct machine *m, phys_addr_t table);
void p4d_populate(struct machine *m, p4dp_t *p4d, phys_addr_t pud_table);
void pud_populate(struct machine *m, pudp_t *pud, phys_addr_t pmd_table);
void pmd_populate(struct machine *m, pmdp_t *pmd, phys_addr_t pte_table);
#define pmd_populate_kernel pmd_populate
pudp_t *pud_alloc_k(struct machine *m, p4dp_t *p4d, u64 addr);
pmdp_t *pmd_alloc_k(struct machine *m, pudp_t *pud, u64 addr);
ptep_t *pte_alloc_kernel(struct machine *m, pmdp_t *pmd, u64 addr);
ptep_t *kernel_pte_alloc(struct machine *m, u64 addr);
pmdp_t *pmd_lookup(struct machine *m, phys_addr_t pgd, u64 addr);
ptep_t *kernel_pte_lookup(struct machine *m, u64 addr);

/* The outcome of a page-table walk. */
struct pgtable_walk {
	enum pt_level level;	/* where the walk ended: the leaf, or the missing/bad level */
	u64 entry;		/* the entry there */
	phys_addr_t entry_phys;	/* where that entry lives */
	phys_addr_t phys;	/* the translation (PHYS_NONE when not present) */
	unsigned int shift;	/* the page size mapped: 12, 21, 22 or 30 */
	bool bad;		/* a table entry pointed outside RAM or had stray bits */
};
bool pgtable_walk(struct machine *m, phys_addr_t pgd, u64 va, struct pgtable_walk *w);
phys_addr_t slow_virt_to_phys(struct machine *m, u64 va);

unsigned int kernel_pgd_boundary(const struct machine *m);
void pgd_clone_kernel(struct machine *m, phys_addr_t pgd);
void pgd_list_add(struct machine *m, struct page *pgd_page);
void pgd_list_del(struct machine *m, struct page *pgd_page);
void pgd_ctor(struct machine *m, struct page *pgd_page);
void pgd_dtor(struct machine *m, struct page *pgd_page);
void arch_sync_kernel_entry(struct machine *m, phys_addr_t entry_phys);

void flush_tlb_kernel_range(struct machine *m, u64 start, u64 end);
void __flush_tlb_one_kernel(struct machine *m, u64 addr);
void flush_tlb_all(struct machine *m);

/* ---- in arch/x86/init.c ---- */

int kernel_vm_layout_init(struct machine *m);
int early_pgtable_init(struct machine *m);
int paging_init(struct machine *m);
u64 fix_to_virt(const struct machine *m, unsigned int idx);
unsigned int virt_to_fix(const struct machine *m, u64 vaddr);
void print_kernel_vm_layout(struct machine *m);
int check_pgtables(struct machine *m);

/* ---- in mm/highmem.c ---- */

void kmap_init(struct machine *m);
int check_highmem(struct machine *m);

/* ---- in mm/vmalloc.c ---- */

int vmalloc_init(struct machine *m);
int check_vmalloc(struct machine *m);

/* ---- in arch/x86/kwindow.c: the host mirror of the kernel's upper space ---- */

int kwindow_init(struct machine *m);
void kwindow_release(struct machine *m);
void *kva_to_ptr(const struct machine *m, u64 va);
u64 ptr_to_kva(const struct machine *m, const void *ptr);
bool kwindow_contains(const struct machine *m, u64 va, u64 len);
int kwindow_sync(struct machine *m, u64 start, u64 end);
int kwindow_check_page(struct machine *m, u64 va, phys_addr_t phys);

#endif
