/* The VMA layer's internal interface (cf. mm/vma.h, mm/internal.h),
 * sectioned by the file that defines each part. Public types are in
 * <mmkit/mm_types.h>, the syscalls in <mmkit/mman.h>, processes in
 * <mmkit/sched.h>.
 *
 * Locking: every function here expects the caller to hold the mm's mmap
 * lock (for writing when it changes VMAs). Functions named __x skip checks
 * their callers already made. */
#ifndef MMKIT_MM_VMA_H
#define MMKIT_MM_VMA_H

#include <mmkit/mm_types.h>
#include <mmkit/mman.h>
#include <mmkit/sched.h>

#include "internal.h"

/* personality bits (cf. include/uapi/linux/personality.h; kept out of the
 * public headers, where they would clash with <sys/personality.h>) */
#ifndef ADDR_COMPAT_LAYOUT
#define ADDR_COMPAT_LAYOUT 0x0200000	/* legacy bottom-up mmap layout */
#define READ_IMPLIES_EXEC 0x0400000
#endif

#ifndef MAX_ERRNO
#define MAX_ERRNO 4095
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
#endif

#ifndef PAGE_ALIGN
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)
#endif
#ifndef PAGE_ALIGNED
#define PAGE_ALIGNED(x) IS_ALIGNED((unsigned long)(x), PAGE_SIZE)
#endif
#ifndef offset_in_page
#define offset_in_page(x) ((unsigned long)(x) & ~PAGE_MASK)
#endif
#ifndef PHYS_PFN
#define PHYS_PFN(x) ((unsigned long)((x) >> PAGE_SHIFT))
#endif
#define SIZE_128M (128UL << 20)
#define PMD_SIZE_THP (2UL << 20)	/* HPAGE_PMD_SIZE of the 64-bit and PAE formats */

/* User-space arithmetic wraps at the machine's word size, as in the real
 * kernel: 32 bits on i386 (the syscall arguments are 32-bit registers). */
static inline unsigned long uword(const struct machine *m, unsigned long x)
{
	return m->desc.arch == MMKIT_ARCH_X86_64 ? x : (unsigned long)(u32)x;
}

static inline unsigned long vma_pages(const struct vm_area_struct *vma)
{
	return (vma->vm_end - vma->vm_start) >> PAGE_SHIFT;
}

/* A VMA with no backing object: private anonymous memory (cf.
 * vma_is_anonymous; shared anonymous memory is shmem, with vm_ops). */
static inline bool vma_is_anonymous(const struct vm_area_struct *vma)
{
	return !vma->vm_ops;
}

static inline bool vma_is_accessible(const struct vm_area_struct *vma)
{
	return vma->vm_flags & VM_ACCESS_FLAGS;
}

/* How vm_stat_account() classes a mapping (cf. mm/internal.h). */
static inline bool is_exec_mapping(vm_flags_t flags)
{
	return (flags & (VM_EXEC | VM_WRITE | VM_STACK)) == VM_EXEC;
}

static inline bool is_stack_mapping(vm_flags_t flags)
{
	return (flags & VM_STACK) == VM_STACK;
}

static inline bool is_data_mapping(vm_flags_t flags)
{
	return (flags & (VM_WRITE | VM_SHARED | VM_STACK)) == VM_WRITE;
}

/* The lowest address a VMA keeps free below itself: a stack
 * (VM_GROWSDOWN) reserves stack_guard_gap (cf. vm_start_gap). */
static inline unsigned long vm_start_gap(const struct machine *m,
					 const struct vm_area_struct *vma)
{
	unsigned long start = vma->vm_start;

	if (vma->vm_flags & VM_GROWSDOWN) {
		start -= m->vm.stack_guard_gap;
		if (start > vma->vm_start)
			start = 0;
	}
	return start;
}

/* x86 has no VM_GROWSUP: the end gap is the end. */
static inline unsigned long vm_end_gap(const struct vm_area_struct *vma)
{
	return vma->vm_end;
}

#define for_each_vma(mm, vma) for ((vma) = (mm)->mmap; (vma); (vma) = (vma)->vm_next)

/* the mmap lock (cf. include/linux/mmap_lock.h) */
static inline void mmap_read_lock(struct mm_struct *mm) { down_read(&mm->mmap_lock); }
static inline void mmap_read_unlock(struct mm_struct *mm) { up_read(&mm->mmap_lock); }
static inline void mmap_write_lock(struct mm_struct *mm) { down_write(&mm->mmap_lock); }
static inline void mmap_write_unlock(struct mm_struct *mm) { up_write(&mm->mmap_lock); }

/* in kernel/sched.c */
bool capable(struct machine *m, int cap);
unsigned long rlimit(struct machine *m, unsigned int limit);
unsigned long rlimit_max(struct machine *m, unsigned int limit);
/* The current task's mm for a syscall, or NULL (the caller returns -ESRCH). */
struct mm_struct *current_mm(struct machine *m);
/* What runs on cpu (cf. cpu_curr / rq->curr). A CPU sets its own; exit_mm
 * clears another's (whose host thread must then be quiet), so both sides
 * are single atomic accesses. */
static inline struct task_struct *cpu_curr(struct machine *m, unsigned int cpu)
{
	return __atomic_load_n(&m->sched.curr[cpu], __ATOMIC_RELAXED);
}
static inline void set_cpu_curr(struct machine *m, unsigned int cpu, struct task_struct *tsk)
{
	__atomic_store_n(&m->sched.curr[cpu], tsk, __ATOMIC_RELAXED);
}

/* in mm/mmap_layout.c */
unsigned long arch_task_size(const struct machine *m);
/* x86_64's DEFAULT_MAP_WINDOW (47-bit); TASK_SIZE on i386. */
unsigned long arch_default_map_window(const struct machine *m);
bool arch_is_64bit(const struct machine *m);
void arch_pick_mmap_layout(struct machine *m, struct mm_struct *mm, const struct rlimit *rlim_stack);
unsigned long get_unmapped_area(struct machine *m, struct mm_struct *mm, struct file *file,
				unsigned long addr, unsigned long len, unsigned long pgoff,
				unsigned long flags, vm_flags_t vm_flags);

/* in mm/maple_tree.c: creates the "maple_node" cache (called by mmap_init) */
void maple_tree_init(struct machine *m);

/* in mm/vma_tree.c: the maple tree and the ordered list */
int vma_tree_preallocate(struct machine *m, struct mm_struct *mm);
void vma_tree_destroy(struct machine *m, struct mm_struct *mm);
struct vm_area_struct *find_vma(struct machine *m, struct mm_struct *mm, unsigned long addr);
struct vm_area_struct *find_vma_prev(struct machine *m, struct mm_struct *mm,
				     unsigned long addr, struct vm_area_struct **pprev);
struct vm_area_struct *find_vma_intersection(struct machine *m, struct mm_struct *mm,
					     unsigned long start_addr, unsigned long end_addr);
struct vm_area_struct *vma_lookup(struct machine *m, struct mm_struct *mm, unsigned long addr);
void __vma_link(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma);
void __vma_unlink(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma);
void vma_set_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		   unsigned long end, unsigned long pgoff);
void vma_gap_update(struct machine *m, struct vm_area_struct *vma);

struct vm_unmapped_area_info {
#define VM_UNMAPPED_AREA_TOPDOWN 1
	unsigned long flags;
	unsigned long length;
	unsigned long low_limit;
	unsigned long high_limit;
	unsigned long align_mask;
	unsigned long align_offset;
	unsigned long start_gap;
};
unsigned long vm_unmapped_area(struct machine *m, struct mm_struct *mm,
			       struct vm_unmapped_area_info *info);
int vma_tree_validate(struct machine *m, struct mm_struct *mm);

/* in mm/vma.c: VMA objects, split, merge, unmap */
struct vm_area_struct *vm_area_alloc(struct machine *m, struct mm_struct *mm);
struct vm_area_struct *vm_area_dup(struct machine *m, struct vm_area_struct *orig);
void vm_area_free(struct machine *m, struct vm_area_struct *vma);
void get_file(struct file *file);
void fput(struct machine *m, struct file *file);
int vma_link(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma);
void remove_vma(struct machine *m, struct vm_area_struct *vma);
int __split_vma(struct machine *m, struct vm_area_struct *vma, unsigned long addr, int new_below);
int split_vma(struct machine *m, struct vm_area_struct *vma, unsigned long addr, int new_below);

enum vma_merge_state {
	VMA_MERGE_START,
	VMA_MERGE_ERROR_NOMEM,
	VMA_MERGE_NOMERGE,
	VMA_MERGE_SUCCESS,
};

/* A proposed range and its properties, for the merge functions (cf.
 * struct vma_merge_struct). */
struct vma_merge_struct {
	struct mm_struct *mm;
	struct vm_area_struct *prev;
	struct vm_area_struct *next;	/* new_range: caller sets; existing_range: found */
	struct vm_area_struct *middle;	/* the VMA being modified (existing range) */
	unsigned long start, end;
	unsigned long pgoff;
	vm_flags_t flags;
	struct file *file;
	struct anon_vma *anon_vma;
	/* mremap: the VMA the new range is copied from (its pages move into
	 * the range), cf. vma_merge_copied_range */
	struct vm_area_struct *copied_from;
	bool just_expand;		/* brk: only expand prev, never merge next */
	enum vma_merge_state state;
};

struct vm_area_struct *vma_merge_new_range(struct machine *m, struct vma_merge_struct *vmg);
struct vm_area_struct *vma_modify_flags(struct machine *m, struct vm_area_struct *prev,
					struct vm_area_struct *vma, unsigned long start,
					unsigned long end, vm_flags_t new_flags);
struct vm_area_struct *vma_merge_extend(struct machine *m, struct vm_area_struct *vma,
					unsigned long delta);
struct vm_area_struct *copy_vma(struct machine *m, struct vm_area_struct **vmap,
				unsigned long addr, unsigned long len, unsigned long pgoff);
int do_vmi_align_munmap(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
			unsigned long start, unsigned long end);
int do_munmap(struct machine *m, struct mm_struct *mm, unsigned long start, unsigned long len);
/* The gather step of an unmap, without the unmap: splits at start and end
 * and adds up what the range holds. MAP_FIXED uses it to learn what it
 * replaces before committing. */
struct vma_munmap_struct {
	struct vm_area_struct *first;	/* first VMA inside [start, end) after the splits */
	struct vm_area_struct *prev, *next;	/* neighbours outside the range */
	unsigned long start, end;
	int vma_count;
	unsigned long nr_pages, locked_vm, nr_accounted, exec_vm, stack_vm, data_vm;
};
int vms_gather_munmap_vmas(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
			   unsigned long start, unsigned long end, struct vma_munmap_struct *vms);
void vms_complete_munmap_vmas(struct machine *m, struct mm_struct *mm,
			      struct vma_munmap_struct *vms);
void exit_mmap(struct machine *m, struct mm_struct *mm);

/* in mm/mmap.c: mmap, page protections, stack growth */
void mmap_init(struct machine *m);
pgprot_t vm_get_page_prot(const struct machine *m, vm_flags_t vm_flags);
void vma_set_page_prot(struct machine *m, struct vm_area_struct *vma);
unsigned long do_mmap(struct machine *m, struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, vm_flags_t vm_flags, unsigned long pgoff,
		      unsigned long *populate);
int expand_downwards(struct machine *m, struct vm_area_struct *vma, unsigned long address);

/* in mm/util.c: accounting and limits */
void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages);
bool may_expand_vm(struct machine *m, struct mm_struct *mm, vm_flags_t flags,
		   unsigned long npages);
bool mlock_future_ok(struct machine *m, struct mm_struct *mm, vm_flags_t flags,
		     unsigned long bytes);
bool can_do_mlock(struct machine *m);
int security_vm_enough_memory_mm(struct machine *m, struct mm_struct *mm, long pages);
void vm_acct_memory(struct machine *m, long pages);
void vm_unacct_memory(struct machine *m, long pages);
unsigned long vm_commit_limit(struct machine *m);
void update_hiwater_vm(struct mm_struct *mm);

/* in mm/brk.c */
int do_brk_flags(struct machine *m, struct mm_struct *mm, struct vm_area_struct *brkvma,
		 unsigned long addr, unsigned long len, vm_flags_t flags);
int vm_brk_flags(struct machine *m, struct mm_struct *mm, unsigned long addr,
		 unsigned long request, vm_flags_t flags);

/* in mm/shmem.c: the object behind MAP_SHARED|MAP_ANONYMOUS */
int shmem_zero_setup(struct machine *m, struct vm_area_struct *vma);

/* in mm/mlock.c */
int __mm_populate(struct machine *m, struct mm_struct *mm, unsigned long start,
		  unsigned long len, bool ignore_errors);

/* What the VMA layer asks of the page tables, each in its Linux home. */
/* in mm/memory_unmap.c */
void zap_vma_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		   unsigned long end);
void free_pgtables(struct machine *m, struct mm_struct *mm, unsigned long addr,
		   unsigned long end, unsigned long floor, unsigned long ceiling);
/* in mm/memory_copy.c */
int copy_page_range(struct machine *m, struct vm_area_struct *dst_vma,
		    struct vm_area_struct *src_vma);
/* in mm/mprotect.c */
long change_protection(struct machine *m, struct vm_area_struct *vma, unsigned long start,
		       unsigned long end);
/* in mm/mremap.c */
unsigned long move_page_tables(struct machine *m, struct vm_area_struct *vma,
			       unsigned long old_addr, struct vm_area_struct *new_vma,
			       unsigned long new_addr, unsigned long len);
/* in mm/gup.c */
long populate_vma_page_range(struct machine *m, struct vm_area_struct *vma,
			     unsigned long start, unsigned long end);
long faultin_page_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			unsigned long end, bool write);
/* in mm/mlock.c */
void mlock_vma_pages_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			   unsigned long end, vm_flags_t newflags);
/* in mm/madvise.c */
void madvise_free_pte_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end);
void madvise_willneed_range(struct machine *m, struct vm_area_struct *vma, unsigned long start,
			    unsigned long end);
/* in mm/pgtable_user.c */
int pgd_alloc_user(struct machine *m, struct mm_struct *mm);
void pgd_free_user(struct machine *m, struct mm_struct *mm);
/* in arch/x86/tlb.c */
void switch_mm(struct machine *m, struct mm_struct *prev, struct mm_struct *next);

/* in kernel/fork.c */
void proc_caches_init(struct machine *m);
struct mm_struct *mm_alloc(struct machine *m);
void mmput(struct machine *m, struct mm_struct *mm);
void mmdrop(struct machine *m, struct mm_struct *mm);

/* in mm/vma_check.c (listed in mm/debug.c's checkers) */
int check_vmas(struct machine *m);

#endif
