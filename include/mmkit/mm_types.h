/* Address spaces: mm_struct and vm_area_struct (cf. include/linux/mm_types.h,
 * seed 002: "struct mm_struct ... mmap ... mmap_avl ... mmap_sem").
 *
 * A process's address space is an mm_struct; each mapped range of it is a
 * vm_area_struct (VMA). The VMAs of an mm are kept twice, as the seed
 * describes: on a list ordered by address (mm->mmap, vm_next/vm_prev) and
 * in a tree for O(log n) lookups. The seed's tree is 2.4's AVL tree; mmkit
 * models Linux 6.1+'s maple tree instead (mm->mm_mt, src/mm/maple_tree.c):
 * the same O(log n) contract with wide nodes, so a lookup touches a few
 * nodes instead of ~20 VMAs.
 *
 * Invariants (checked by check_vmas() in src/mm/debug.c):
 *  - VMAs are page-aligned, non-empty, non-overlapping; the list is sorted
 *    by address and visits exactly the tree's in-order sequence;
 *  - map_count is the number of VMAs;
 *  - total_vm, locked_vm, data_vm, exec_vm, stack_vm are the page sums of
 *    the VMAs of each kind (vm_stat_account());
 *  - the maple tree's nodes are well formed (vma_tree_validate). */
#ifndef MMKIT_MM_TYPES_H
#define MMKIT_MM_TYPES_H

#include <mmkit/list.h>
#include <mmkit/mman.h>
#include <mmkit/pgtable.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

struct machine;
struct kmem_cache;
struct task_struct;
struct vm_fault;
struct vm_area_struct;
struct maple_node;

typedef unsigned int vm_fault_t;

/* The mmap lock: a reader-writer spin lock on compiler atomics (Linux's
 * mmap_lock is a sleeping rw_semaphore; mmkit's simulated CPUs are host
 * threads, which spin). count > 0: that many readers; -1: one writer. */
struct rw_semaphore {
	int count;
};

static inline void init_rwsem(struct rw_semaphore *sem)
{
	sem->count = 0;
}

static inline bool down_read_trylock(struct rw_semaphore *sem)
{
	int c = __atomic_load_n(&sem->count, __ATOMIC_RELAXED);

	return c >= 0 && __atomic_compare_exchange_n(&sem->count, &c, c + 1, false,
						     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void down_read(struct rw_semaphore *sem)
{
	while (!down_read_trylock(sem))
		__builtin_ia32_pause();
}

static inline void up_read(struct rw_semaphore *sem)
{
	__atomic_fetch_sub(&sem->count, 1, __ATOMIC_RELEASE);
}

static inline bool down_write_trylock(struct rw_semaphore *sem)
{
	int c = 0;

	return __atomic_compare_exchange_n(&sem->count, &c, -1, false, __ATOMIC_ACQUIRE,
					   __ATOMIC_RELAXED);
}

static inline void down_write(struct rw_semaphore *sem)
{
	while (!down_write_trylock(sem))
		__builtin_ia32_pause();
}

static inline void up_write(struct rw_semaphore *sem)
{
	__atomic_store_n(&sem->count, 0, __ATOMIC_RELEASE);
}

static inline bool rwsem_is_write_locked(struct rw_semaphore *sem)
{
	return __atomic_load_n(&sem->count, __ATOMIC_RELAXED) < 0;
}

/* An open file (cf. struct file): the open-file table entry behind a file
 * descriptor and every VMA mapping it. Files of the simulated file system
 * (src/mm/filemap.c, include/mmkit/fs.h) have an inode and a page cache
 * (f_mapping); a shmem object (shared anonymous memory, SysV shm) too. */
#define FMODE_READ 0x1u
#define FMODE_WRITE 0x2u
#define MINORBITS 20
#define MKDEV(ma, mi) (((u32)(ma) << MINORBITS) | (u32)(mi))
#define MAJOR(dev) ((unsigned int)((dev) >> MINORBITS))
#define MINOR(dev) ((unsigned int)((dev) & ((1u << MINORBITS) - 1)))

struct file;
/* What a file's owner does with it (cf. struct file_operations). */
struct file_operations {
	/* the last reference went: free what private_data holds */
	void (*release)(struct machine *m, struct file *file);
	/* set up a new VMA mapping the file (vm_ops); NULL: mmap gives
	 * -ENODEV (cf. f_op->mmap) */
	int (*mmap)(struct machine *m, struct file *file, struct vm_area_struct *vma);
};

struct inode;
struct address_space;

/* A file's read-ahead state (cf. struct file_ra_state, mm/readahead.c):
 * the window [start, start + size) was read, async_size pages before its
 * end carry the PG_readahead marker (kept in mmkit as the index
 * start + size - async_size: the marker page). */
struct file_ra_state {
	unsigned long start;
	unsigned int size;
	unsigned int async_size;
	unsigned int ra_pages;		/* the maximum window (read_ahead_kb) */
	unsigned int mmap_miss;		/* mmap cache misses (cf. MMAP_LOTSAMISS) */
	long long prev_pos;		/* last read's end, bytes; -1 none */
};

struct file {
	const struct file_operations *f_op;	/* NULL: nothing to release */
	struct inode *f_inode;		/* NULL for objects without one */
	struct address_space *f_mapping;	/* the page cache of f_inode */
	u64 f_pos;			/* read/write position */
	unsigned int f_flags;		/* O_* given to open */
	void *private_data;	/* the object's state (shmem: its pages) */
	int f_count;		/* references: one per VMA mapping it */
	unsigned int f_mode;	/* FMODE_READ | FMODE_WRITE */
	unsigned long f_ino;	/* inode number, as /proc/PID/maps prints it */
	u32 f_dev;		/* device of the inode's superblock */
	unsigned long f_size;	/* bytes */
	unsigned long f_acct_pages;	/* shmem: pages charged to Committed_AS */
	char f_path[256];	/* the path /proc/PID/maps prints */
	struct file_ra_state f_ra;	/* read-ahead (page-cache files) */
	struct list_head f_ilist;	/* on f_inode->i_files (src/mm/fs.c) */
	int f_nr_fds;		/* of f_count: fd-table slots and transient users
				 * (the rest are VMAs: vma_check counts them) */
};

/* Placeholder for the reverse map of anonymous pages (cf. struct anon_vma,
 * mm/rmap.c): the page-fault issue creates these. VMA merging already
 * honours them exactly as Linux does (is_mergeable_anon_vma()). */
struct anon_vma {
	spinlock_t lock;		/* guards head (the root's lock is used, as Linux's rwsem) */
	struct list_head head;		/* the anon_vma_chains linking VMAs to it (rmap walks) */
	struct anon_vma *root;
	struct anon_vma *parent;	/* the anon_vma fork cloned from (itself for a root) */
	int refcount;			/* one per anon_vma_chain linking a VMA to it */
};

/* What a VMA's backing object can do (cf. struct vm_operations_struct).
 * Every hook takes the machine first, as every mmkit function does. */
struct vm_operations_struct {
	void (*open)(struct machine *m, struct vm_area_struct *vma);
	/* A VMA with close() is never merged away (can_merge_remove_vma). */
	void (*close)(struct machine *m, struct vm_area_struct *vma);
	int (*may_split)(struct machine *m, struct vm_area_struct *vma, unsigned long addr);
	int (*mremap)(struct machine *m, struct vm_area_struct *new_vma);
	vm_fault_t (*fault)(struct machine *m, struct vm_fault *vmf);
	vm_fault_t (*page_mkwrite)(struct machine *m, struct vm_fault *vmf);
	/* map the cached pages [start_pgoff, end_pgoff] around a read fault
	 * (fault-around); VM_FAULT_NOPAGE when the faulting pte got one */
	vm_fault_t (*map_pages)(struct machine *m, struct vm_fault *vmf, unsigned long start_pgoff,
				unsigned long end_pgoff);
	const char *(*name)(struct vm_area_struct *vma);
};

/* One mapped range [vm_start, vm_end) of an address space. */
struct vm_area_struct {
	/* what find_vma() reads, together in the first cache line */
	unsigned long vm_start;
	unsigned long vm_end;		/* first byte after the range */

	/* the address-ordered list (seed: "mmap ... 按基址从小到大排列") */
	struct vm_area_struct *vm_next, *vm_prev;

	struct mm_struct *vm_mm;
	pgprot_t vm_page_prot;		/* vm_get_page_prot(vm_flags) */
	vm_flags_t vm_flags;
	unsigned long vm_pgoff;		/* file offset in pages; anonymous: vm_start >> PAGE_SHIFT at mmap */
	struct file *vm_file;
	const struct vm_operations_struct *vm_ops;
	void *vm_private_data;
	struct anon_vma *anon_vma;	/* NULL until the first write fault (rmap issue) */
	struct list_head anon_vma_chain;	/* empty until rmap exists */
	/* on vm_file->f_mapping->i_mmap when the file has a page cache
	 * (cf. vma->shared.rb; file rmap walks); empty otherwise */
	struct list_head shared;
};

/* Resident-set counters (cf. enum NR_MM_COUNTERS). */
enum {
	MM_FILEPAGES,
	MM_ANONPAGES,
	MM_SWAPENTS,
	MM_SHMEMPAGES,
	NR_MM_COUNTERS
};

/* mm->flags bits (cf. MMF_*). */
#define MMF_TOPDOWN 31	/* get_unmapped_area searches down from mmap_base */

/* The arch part of an address space (cf. mm_context_t, asm/mmu.h): the id
 * tagging its TLB entries (PCID-like; ids are never reused) and the CPUs
 * that may cache its translations. Owned by src/arch/x86/tlb.c. */
typedef struct {
	u64 ctx_id;		/* address-space id; 0: none yet (given on first switch_mm) */
	phys_addr_t ctx_pgd;	/* the pgd ctx_id was given with (a copied mm gets its own) */
	u64 cpu_mask;		/* CPUs that loaded it (cf. mm_cpumask): its flushes reach them */
} mm_context_t;

/* The index of an mm's VMAs (cf. struct maple_tree): a B+tree of 256-byte
 * nodes from the "maple_node" slab cache, owned by src/mm/maple_tree.c.
 * Nodes a change may need are allocated beforehand (vma_tree_preallocate,
 * cf. mas_preallocate) and kept in ma_alloc until used. */
struct maple_tree {
	struct maple_node *ma_root;		/* NULL when the mm has no VMA */
	unsigned int ma_height;			/* levels; 1: the root is a leaf; 0: empty */
	unsigned int ma_nodes;			/* nodes in the tree */
	struct maple_node *ma_alloc;		/* preallocated nodes, chained by ->parent */
	unsigned int ma_nr_alloc;		/* how many */
};

/* A process's address space (cf. struct mm_struct; seed 002 lists count,
 * pgd, start_code .. start_mmap, rss, total_vm, locked_vm, def_flags, mmap,
 * mmap_avl, mmap_sem; mm_mt takes mmap_avl's place as in Linux 6.1+). */
struct mm_struct {
	struct vm_area_struct *mmap;		/* the VMA list, lowest address first */
	struct maple_tree mm_mt;		/* the VMA tree */
	struct vm_area_struct *mmap_cache;	/* last find_vma() hit (2.4's mmap_cache) */
	unsigned long mmap_cache_slot;		/* its leaf | offset in mm_mt, 0: none (vma_tree.c) */
	unsigned long highest_vm_end;		/* vm_end of the last VMA, 0 if none */
	int map_count;				/* number of VMAs */

	unsigned long mmap_base;		/* top of the top-down mmap area */
	unsigned long mmap_legacy_base;		/* bottom of the bottom-up area (TASK_UNMAPPED_BASE) */
	unsigned long task_size;		/* TASK_SIZE: end of user space */
	unsigned long flags;			/* MMF_* */

	phys_addr_t pgd;			/* page global directory (what CR3 holds); 0 until the page-table issue allocates it */
	int mm_users;				/* tasks using this mm (threads share it) */
	int mm_count;				/* references to the struct; mm_users counts as one */
	struct rw_semaphore mmap_lock;		/* seed: mmap_sem; guards the VMAs */
	spinlock_t page_table_lock;

	unsigned long hiwater_rss;		/* peak rss, pages */
	unsigned long hiwater_vm;		/* peak total_vm, pages */
	unsigned long total_vm;			/* pages mapped */
	unsigned long locked_vm;		/* pages with VM_LOCKED */
	unsigned long pinned_vm;
	unsigned long data_vm;			/* private writable, not stack */
	unsigned long exec_vm;			/* executable, not writable, not stack */
	unsigned long stack_vm;			/* VM_STACK */
	vm_flags_t def_flags;			/* added to new VMAs: VM_LOCKED after mlockall(MCL_FUTURE) */

	unsigned long start_code, end_code, start_data, end_data;
	unsigned long start_brk, brk, start_stack;
	unsigned long arg_start, arg_end, env_start, env_end;

	long rss_stat[NR_MM_COUNTERS];		/* resident pages by kind (page-fault issue) */
	unsigned long pgtables_bytes;		/* page-table memory (page-table issue) */

	mm_context_t context;			/* MMU id and CPUs (arch/x86/tlb.c) */
	struct task_struct *owner;		/* the task that created it */
	struct list_head mm_list;		/* on m->vm.mm_list: every live mm */
};

/* vm.overcommit_memory values (cf. OVERCOMMIT_*). */
#define OVERCOMMIT_GUESS 0
#define OVERCOMMIT_ALWAYS 1
#define OVERCOMMIT_NEVER 2

#define DEFAULT_MAX_MAP_COUNT 65530	/* USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN */

/* The machine-wide state of the VMA layer: vm.* sysctls, the commit
 * charge and the slab caches (m->vm). The counters are updated with atomic
 * operations: simulated CPUs change different address spaces at once. */
struct vm_state {
	bool ready;				/* mmap_init() ran */
	int sysctl_max_map_count;		/* vm.max_map_count: 65530 */
	unsigned long mmap_min_addr;		/* vm.mmap_min_addr: 65536 */
	unsigned long stack_guard_gap;		/* stack_guard_gap=: 256 pages */
	int sysctl_overcommit_memory;		/* vm.overcommit_memory: OVERCOMMIT_GUESS */
	int sysctl_overcommit_ratio;		/* vm.overcommit_ratio: 50 */
	unsigned long sysctl_overcommit_kbytes;
	unsigned long sysctl_user_reserve_kbytes;	/* min(3% of free, 128 MiB) */
	unsigned long sysctl_admin_reserve_kbytes;	/* min(3% of free, 8 MiB) */
	int sysctl_legacy_va_layout;		/* vm.legacy_va_layout: bottom-up mmap */
	bool ignore_rlimit_data;		/* boot option ignore_rlimit_data */
	long vm_committed_as;			/* pages charged (Committed_AS) */
	long vm_committed_leaked;		/* of which no mapping holds: Linux's mremap
						 * shrink-and-move charges the shrunk pages
						 * again and never gives them back */
	unsigned long total_swap_pages;		/* swap issue; 0 for now */

	struct kmem_cache *vm_area_cachep;	/* "vm_area_struct" */
	struct kmem_cache *maple_node_cachep;	/* "maple_node": VMA tree nodes */
	struct kmem_cache *mm_cachep;		/* "mm_struct" */
	struct kmem_cache *task_struct_cachep;	/* "task_struct" */
	struct kmem_cache *anon_vma_cachep;	/* "anon_vma" (mm/rmap.c) */
	struct kmem_cache *anon_vma_chain_cachep;	/* "anon_vma_chain" */
	struct kmem_cache *radix_tree_node_cachep;	/* "radix_tree_node": xarray nodes (mm/xarray.c) */
	long nr_anon_vmas;			/* anon_vmas allocated and not yet freed */
	spinlock_t mmlist_lock;			/* mm_list */
	struct list_head mm_list;		/* every live mm_struct */
	unsigned long next_shmem_ino;		/* inode numbers of shmem objects */
	unsigned long nr_vm_area_allocs;	/* vm_area_alloc() calls, for fault injection */
	long nr_vmas;				/* VMAs allocated and not yet freed */
	unsigned long fail_nth_vma_alloc;	/* tests: fail the Nth vm_area_alloc(); 0 = off */
	bool warned_data_rlimit;		/* pr_warn_once state */
	bool warned_mremap_dup;
};

#endif
