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

/* PG_mlocked with its zone's NR_MLOCK count ("Mlocked:" in meminfo)
 * (cf. mlock_folio, munlock_folio). */
static inline void mlock_page(struct machine *m, struct page *page)
{
	if (!PageMlocked(page)) {
		SetPageMlocked(page);
		__mod_zone_page_state(page_zone(m, page), NR_MLOCK, 1);
	}
}

static inline void munlock_page(struct machine *m, struct page *page)
{
	if (PageMlocked(page)) {
		ClearPageMlocked(page);
		__mod_zone_page_state(page_zone(m, page), NR_MLOCK, -1);
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

#endif
