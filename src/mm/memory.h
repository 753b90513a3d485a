/* The page-level half of address spaces: user page tables, resident-set
 * counters, page faults, anonymous reverse mapping, TLB flushes of user
 * addresses and the kernel's access to user memory (cf. mm/internal.h,
 * include/linux/mm.h, include/linux/rmap.h, asm/tlbflush.h, asm/uaccess.h).
 * Sectioned by the file that defines each part.
 *
 * Invariants (checked by check_user_memory() in mm/memory_check.c):
 *  - every mm's rss_stat[] equals the present user PTEs of each kind;
 *  - every page's _mapcount + 1 equals the user PTEs mapping it (the zero
 *    page excepted: it is never counted, as Linux's is "special");
 *  - a page mapped by a writable PTE in a private VMA has one mapper;
 *  - pgtables_bytes is PAGE_SIZE per user page-table page below the pgd,
 *    and an mm with no VMAs left has none. */
#ifndef MMKIT_MM_MEMORY_H
#define MMKIT_MM_MEMORY_H

#include <mmkit/mmu.h>

#include "arch/x86/pgtable.h"
#include "mm/vma.h"

/* ---- resident-set counters (cf. include/linux/mm.h) ---- */

static inline unsigned long get_mm_counter(const struct mm_struct *mm, int member)
{
	long v = __atomic_load_n(&mm->rss_stat[member], __ATOMIC_RELAXED);

	return v < 0 ? 0 : (unsigned long)v;
}

static inline void add_mm_counter(struct mm_struct *mm, int member, long value)
{
	__atomic_fetch_add(&mm->rss_stat[member], value, __ATOMIC_RELAXED);
}

static inline void inc_mm_counter(struct mm_struct *mm, int member) { add_mm_counter(mm, member, 1); }
static inline void dec_mm_counter(struct mm_struct *mm, int member) { add_mm_counter(mm, member, -1); }

static inline unsigned long get_mm_rss(const struct mm_struct *mm)
{
	return get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_ANONPAGES) +
	       get_mm_counter(mm, MM_SHMEMPAGES);
}

/* Faults on several CPUs (mmap_lock held for read) raise the peak at once:
 * an atomic maximum (Linux tolerates the race; mmkit keeps the peak). */
static inline void update_hiwater_rss(struct mm_struct *mm)
{
	unsigned long rss = get_mm_rss(mm);
	unsigned long old = __atomic_load_n(&mm->hiwater_rss, __ATOMIC_RELAXED);

	while (old < rss && !__atomic_compare_exchange_n(&mm->hiwater_rss, &old, rss, true,
							 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* An anonymous page's mapping is its anon_vma with bit 0 set
 * (cf. PAGE_MAPPING_ANON, PageAnon). */
#define PAGE_MAPPING_ANON 0x1UL
static inline bool PageAnon(const struct page *page)
{
	return ((unsigned long)page->mapping & PAGE_MAPPING_ANON) != 0;
}

/* The rss counter a page belongs to (cf. mm_counter). */
static inline int mm_counter(const struct page *page)
{
	if (PageAnon(page))
		return MM_ANONPAGES;
	return PageSwapBacked(page) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

/* in mm/swap.c: the LRU side of mlock (the unevictable list) */
void lru_mlock_page(struct machine *m, struct page *page);
void lru_munlock_page(struct machine *m, struct page *page);

/* PG_mlocked with its zone's NR_MLOCK count ("Mlocked:" in meminfo); a
 * page on the LRU moves to the unevictable list and back (cf. mlock_folio,
 * munlock_folio). */
static inline void mlock_page(struct machine *m, struct page *page)
{
	if (!PageMlocked(page)) {
		SetPageMlocked(page);
		__mod_zone_page_state(page_zone(m, page), NR_MLOCK, 1);
		lru_mlock_page(m, page);
	}
}

static inline void munlock_page(struct machine *m, struct page *page)
{
	if (PageMlocked(page)) {
		ClearPageMlocked(page);
		__mod_zone_page_state(page_zone(m, page), NR_MLOCK, -1);
		lru_munlock_page(m, page);
	}
}

/* ---- in mm/pgtable_user.c: user page tables ---- */

/* pgd_alloc_user() and pgd_free_user() are declared in mm/vma.h */
ptep_t *pte_alloc_user(struct machine *m, struct mm_struct *mm, unsigned long addr);
ptep_t *pte_offset_user(struct machine *m, struct mm_struct *mm, unsigned long addr);
pmdp_t *pmd_offset_user(struct machine *m, struct mm_struct *mm, unsigned long addr);
void user_pgtable_free(struct machine *m, struct mm_struct *mm, phys_addr_t table);
bool is_zero_pfn(const struct machine *m, unsigned long pfn);
unsigned long zero_pfn(const struct machine *m);

/* ---- in mm/memory.c and arch/x86/fault.c: page faults ---- */

/* What a fault handler reports (cf. enum vm_fault_reason). */
#define VM_FAULT_OOM 0x000001
#define VM_FAULT_SIGBUS 0x000002
#define VM_FAULT_MAJOR 0x000004
#define VM_FAULT_HWPOISON 0x000010
#define VM_FAULT_SIGSEGV 0x000040
#define VM_FAULT_NOPAGE 0x000100
#define VM_FAULT_LOCKED 0x000200
#define VM_FAULT_RETRY 0x000400
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON)

/* How a fault was taken (cf. enum fault_flag). */
#define FAULT_FLAG_WRITE 0x01
#define FAULT_FLAG_MKWRITE 0x02
#define FAULT_FLAG_ALLOW_RETRY 0x04
#define FAULT_FLAG_RETRY_NOWAIT 0x08
#define FAULT_FLAG_KILLABLE 0x10
#define FAULT_FLAG_TRIED 0x20
#define FAULT_FLAG_USER 0x40
#define FAULT_FLAG_REMOTE 0x80
#define FAULT_FLAG_INSTRUCTION 0x100

/* One fault in progress (cf. struct vm_fault). */
struct vm_fault {
	struct vm_area_struct *vma;
	gfp_t gfp_mask;
	unsigned long pgoff;		/* the page's offset in vma's object */
	unsigned long address;		/* page-aligned faulting address */
	unsigned long real_address;	/* the faulting address itself */
	unsigned int flags;		/* FAULT_FLAG_* */
	pmdp_t *pmd;
	ptep_t *pte;
	pte_t orig_pte;
	struct page *cow_page;
	struct page *page;		/* ->fault returns the page here */
};

vm_fault_t handle_mm_fault(struct machine *m, struct vm_area_struct *vma, unsigned long address,
			   unsigned int flags);
/* The CPU's page-fault entry (cf. exc_page_fault/do_user_addr_fault):
 * returns 0 when the fault was resolved (retry the access), or -EFAULT
 * when it was not: a user-mode access has then had SIGSEGV/SIGBUS
 * delivered to the current task; a kernel-mode access to a user address
 * takes the exception fixup (copy_*_user returns the bytes not copied). */
int do_page_fault(struct machine *m, unsigned long address, unsigned int error_code);

/* Drop a reference to a user page; the last one clears an anonymous
 * page's mapping (as free_pages_prepare does in Linux) and frees it
 * (cf. put_page/folio_put). */
void put_page(struct machine *m, struct page *page);
/* The page a present pte maps, or NULL for special ptes (the zero page)
 * and frames without a struct page (cf. vm_normal_page). */
struct page *vm_normal_page(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			    pte_t pte);

/* Write fault on a present read-only pte (vmf->orig_pte): reuse or copy
 * the page. Called with the page table lock held; returns without it
 * (cf. do_wp_page; do_swap_page goes on to it for a shared page). */
vm_fault_t do_wp_page(struct machine *m, struct vm_fault *vmf);

/* ---- in mm/memory_swap.c: faults on swap entries ---- */

/* A non-present, non-none pte: a swap entry (cf. do_swap_page). Called
 * without the page table lock; returns VM_FAULT_MAJOR when it read the
 * page from swap. */
vm_fault_t do_swap_page(struct machine *m, struct vm_fault *vmf);

/* ---- in mm/swap.c: the LRU lists ---- */

/* A new anonymous page of @vma joins an LRU list (the unevictable one if
 * @vma is locked) (cf. folio_add_lru_vma). */
void lru_cache_add_inactive_or_unevictable(struct machine *m, struct page *page,
					   struct vm_area_struct *vma);
/* A page joins its inactive (or unevictable) LRU list (cf. folio_add_lru). */
void lru_cache_add(struct machine *m, struct page *page);
/* A page's last reference is going: take it off its LRU list and clear
 * PG_mlocked (cf. __page_cache_release). */
void __page_cache_release(struct machine *m, struct page *page);
/* Boot: empty LRU lists, reclaim defaults (vm.swappiness 60) (cf.
 * lruvec_init, kswapd_init). */
void vmscan_init(struct machine *m);

/* ---- in mm/gup.c: populate_vma_page_range() (declared in mm/vma.h) ---- */

/* ---- in mm/rmap.c: anonymous reverse mapping ---- */

void anon_vma_init(struct machine *m);
int anon_vma_prepare(struct machine *m, struct vm_area_struct *vma);
int anon_vma_clone(struct machine *m, struct vm_area_struct *dst, struct vm_area_struct *src);
int anon_vma_fork(struct machine *m, struct vm_area_struct *vma, struct vm_area_struct *pvma);
void unlink_anon_vmas(struct machine *m, struct vm_area_struct *vma);
bool anon_vma_linked(const struct vm_area_struct *vma, const struct anon_vma *anon_vma);
void page_add_new_anon_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma,
			    unsigned long address);
void page_add_file_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma);
void page_move_anon_rmap(struct page *page, struct vm_area_struct *vma);
unsigned long linear_page_index(const struct vm_area_struct *vma, unsigned long address);
void page_dup_rmap(struct machine *m, struct page *page);
void page_remove_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma);

/* ---- in mm/rmap.c: the page side of the reverse map (rmap walks) ---- */

/* One link between a VMA and an anon_vma (cf. struct anon_vma_chain). */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct list_head same_vma;	/* on vma->anon_vma_chain */
	struct list_head same_anon_vma;	/* on anon_vma->head (under the root's lock) */
};

/* page_add_new_anon_rmap_flags: the page is mapped by this pte only (else
 * it belongs to the root anon_vma, the oldest one every VMA of the fork
 * tree is linked to; cf. RMAP_EXCLUSIVE, __folio_set_anon). */
#define RMAP_EXCLUSIVE 0x1
void page_add_new_anon_rmap_flags(struct machine *m, struct page *page,
				  struct vm_area_struct *vma, unsigned long address, int flags);
/* One more pte maps an anonymous page that already has its anon_vma (a
 * swap-cache page mapped again; cf. folio_add_anon_rmap_pte). */
void page_add_anon_rmap(struct machine *m, struct page *page, struct vm_area_struct *vma,
			unsigned long address);
/* The page's anon_vma (mapping without PAGE_MAPPING_ANON), or NULL. */
struct anon_vma *page_anon_vma(const struct page *page);
/* Where @page would be mapped in @vma, or -EFAULT (as unsigned long) when
 * @vma does not cover its index (cf. vma_address). */
unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma);

/* What rmap_walk() does (cf. struct rmap_walk_control). */
struct rmap_walk_control {
	void *arg;
	/* called for each VMA that may map @page, at the address it would be
	 * mapped at; return false to stop the walk */
	bool (*rmap_one)(struct machine *m, struct page *page, struct vm_area_struct *vma,
			 unsigned long address, void *arg);
	/* after each rmap_one: true stops the walk (may be NULL) */
	bool (*done)(struct machine *m, struct page *page, void *arg);
	/* true skips a VMA (may be NULL) */
	bool (*invalid_vma)(struct vm_area_struct *vma, void *arg);
};
/* Visit every VMA that may map @page: an anonymous page's anon_vma's
 * chains, a file page's mapping->i_mmap (cf. rmap_walk). The anon_vma
 * root's lock or the mapping's i_mmap_lock is held during the walk. */
void rmap_walk(struct machine *m, struct page *page, struct rmap_walk_control *rwc);
/* The pte mapping @page at @address of @vma, or NULL (cf.
 * page_vma_mapped_walk for one small page). */
ptep_t *page_vma_mapped_pte(struct machine *m, struct page *page, struct vm_area_struct *vma,
			    unsigned long address);
/* Test and clear the Accessed bit of every pte mapping @page (with TLB
 * flushes); returns how many were set. *vm_flags gets VM_LOCKED when a
 * locked VMA maps it (the walk then stops) (cf. folio_referenced). */
int page_referenced(struct machine *m, struct page *page, int is_locked,
		    unsigned long *vm_flags);

/* try_to_unmap() flags (cf. enum ttu_flags) */
#define TTU_SPLIT_HUGE_PMD 0x4
#define TTU_IGNORE_MLOCK 0x8
#define TTU_SYNC 0x10
#define TTU_HWPOISON 0x20
#define TTU_BATCH_FLUSH 0x40
#define TTU_RMAP_LOCKED 0x80
/* Unmap @page (locked) from every pte: an anonymous page must be in the
 * swap cache and each pte becomes its swap entry (swap_duplicate,
 * MM_ANONPAGES -> MM_SWAPENTS); a file page's ptes are cleared. A dirty
 * pte dirties the page. A VM_LOCKED VMA stops it (the page gets
 * PG_mlocked). Returns true when no pte maps the page any more (cf.
 * try_to_unmap). */
bool try_to_unmap(struct machine *m, struct page *page, unsigned int flags);
/* Write-protect and clean every shared-mapping pte of the file @page
 * (cf. folio_mkclean); returns how many ptes were dirty or writable. */
int page_mkclean(struct machine *m, struct page *page);

/* ---- in arch/x86/tlb.c: TLB flushes of user addresses ---- */

void flush_tlb_page(struct machine *m, struct vm_area_struct *vma, unsigned long addr);
void flush_tlb_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		     unsigned long end);
void flush_tlb_mm(struct machine *m, struct mm_struct *mm);

/* ---- in arch/x86/uaccess.c: the kernel's access to user memory ---- */

bool access_ok(struct machine *m, unsigned long addr, unsigned long size);
/* Both return the bytes NOT copied (0 on success), as Linux's do. */
unsigned long copy_from_user(struct machine *m, void *to, unsigned long from, unsigned long n);
unsigned long copy_to_user(struct machine *m, unsigned long to, const void *from,
			   unsigned long n);

/* ---- in kernel/signal.c: signals forced by the fault path ---- */

bool force_sig_fault(struct machine *m, int sig, int code, unsigned long addr);
bool force_sig_fault_to_task(struct machine *m, int sig, int code, unsigned long addr,
			     struct task_struct *tsk);
bool unhandled_signal(const struct task_struct *tsk, int sig);
bool printk_ratelimit(struct machine *m, const char *func);

/* ---- in mm/memory_check.c ---- */

int check_user_memory(struct machine *m);
/* in mm/lru_check.c: the LRU lists vs their pages and counters */
int check_lru(struct machine *m);

#endif
