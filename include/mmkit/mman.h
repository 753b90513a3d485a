/* The memory-mapping syscalls of a simulated process and their flags
 * (cf. include/uapi/asm-generic/mman-common.h, include/uapi/linux/mman.h,
 * mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c, mm/mlock.c,
 * mm/msync.c).
 *
 * Every value is Linux's. A host program may include <sys/mman.h> too, but
 * before this header: the definitions below are skipped when the host's
 * exist (they are equal), while the host's would collide with ours.
 *
 * The syscalls act on the task current on the calling host thread's
 * simulated CPU (see <mmkit/sched.h>: mmkit_set_current()). Each returns
 * what the raw syscall returns: an address or 0, or -errno (an unsigned
 * value > -4096UL, IS_ERR_VALUE). With no current task they return -ESRCH. */
#ifndef MMKIT_MMAN_H
#define MMKIT_MMAN_H

#include <mmkit/types.h>

struct machine;

/* protections (mmap, mprotect) */
#ifndef PROT_READ
#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define PROT_NONE	0x0
#define PROT_GROWSDOWN	0x01000000
#define PROT_GROWSUP	0x02000000
#endif
#ifndef PROT_SEM
#define PROT_SEM	0x8	/* accepted and ignored on x86 */
#endif

/* mmap flags */
#ifndef MAP_SHARED
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_TYPE
#define MAP_TYPE	0x0f
#endif
#ifndef MAP_FIXED
#define MAP_FIXED	0x10
#endif
#ifndef MAP_ANONYMOUS
#define MAP_ANONYMOUS	0x20
#endif
#ifndef MAP_32BIT
#define MAP_32BIT	0x40
#endif
#ifndef MAP_GROWSDOWN
#define MAP_GROWSDOWN	0x00100
#define MAP_DENYWRITE	0x00800
#define MAP_EXECUTABLE	0x01000
#define MAP_LOCKED	0x02000
#define MAP_NORESERVE	0x04000
#define MAP_POPULATE	0x08000
#define MAP_NONBLOCK	0x10000
#define MAP_STACK	0x20000
#define MAP_HUGETLB	0x40000
#endif
#ifndef MAP_SYNC
#define MAP_SYNC	0x80000
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE	0x08
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED 0x4000000
#endif
/* The flags MAP_SHARED has always ignored silently (cf. LEGACY_MAP_MASK). */
#define LEGACY_MAP_MASK (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | \
			 MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED |    \
			 MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

/* mremap flags */
#ifndef MREMAP_MAYMOVE
#define MREMAP_MAYMOVE	1
#define MREMAP_FIXED	2
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* msync flags */
#ifndef MS_ASYNC
#define MS_ASYNC	1
#define MS_SYNC		4
#define MS_INVALIDATE	2
#endif

/* mlockall flags, mlock2 flags */
#ifndef MCL_CURRENT
#define MCL_CURRENT	1
#define MCL_FUTURE	2
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT	4
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT	1U
#endif

/* madvise advice */
#ifndef MADV_NORMAL
#define MADV_NORMAL	  0
#define MADV_RANDOM	  1
#define MADV_SEQUENTIAL  2
#define MADV_WILLNEED	  3
#define MADV_DONTNEED	  4
#endif
#ifndef MADV_FREE
#define MADV_FREE	  8
#endif
#ifndef MADV_REMOVE
#define MADV_REMOVE	  9
#define MADV_DONTFORK	  10
#define MADV_DOFORK	  11
#define MADV_MERGEABLE	  12
#define MADV_UNMERGEABLE 13
#define MADV_HUGEPAGE	  14
#define MADV_NOHUGEPAGE  15
#define MADV_DONTDUMP	  16
#define MADV_DODUMP	  17
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK  18
#define MADV_KEEPONFORK  19
#endif
#ifndef MADV_COLD
#define MADV_COLD        20
#define MADV_PAGEOUT     21
#endif
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED 24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_HWPOISON
#define MADV_HWPOISON	  100
#define MADV_SOFT_OFFLINE 101
#endif


/* VMA flags, vm_area_struct.vm_flags (cf. include/linux/mm.h, x86_64 values). */
typedef unsigned long vm_flags_t;

#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL	/* limits for mprotect() etc: VM_READ may be set */
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL	/* maps show 's' */
#define VM_GROWSDOWN	0x00000100UL	/* a stack: grows down on faults below it */
#define VM_UFFD_MISSING	0x00000200UL
#define VM_PFNMAP	0x00000400UL	/* raw page frames, no struct page */
#define VM_UFFD_WP	0x00001000UL
#define VM_LOCKED	0x00002000UL	/* mlock()ed */
#define VM_IO		0x00004000UL	/* memory-mapped I/O */
#define VM_SEQ_READ	0x00008000UL	/* MADV_SEQUENTIAL */
#define VM_RAND_READ	0x00010000UL	/* MADV_RANDOM */
#define VM_DONTCOPY	0x00020000UL	/* MADV_DONTFORK: fork leaves it out */
#define VM_DONTEXPAND	0x00040000UL	/* mremap() may not grow it */
#define VM_LOCKONFAULT	0x00080000UL	/* mlock2(MLOCK_ONFAULT) */
#define VM_ACCOUNT	0x00100000UL	/* charged to vm_committed_as */
#define VM_NORESERVE	0x00200000UL	/* MAP_NORESERVE: not charged */
#define VM_HUGETLB	0x00400000UL
#define VM_SYNC		0x00800000UL
#define VM_ARCH_1	0x01000000UL
#define VM_WIPEONFORK	0x02000000UL	/* MADV_WIPEONFORK */
#define VM_DONTDUMP	0x04000000UL	/* MADV_DONTDUMP */
#define VM_SOFTDIRTY	0x08000000UL	/* never blocks a merge */
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL	/* MADV_HUGEPAGE */
#define VM_NOHUGEPAGE	0x40000000UL	/* MADV_NOHUGEPAGE */
#define VM_MERGEABLE	0x80000000UL	/* MADV_MERGEABLE (KSM) */

#define VM_STACK	VM_GROWSDOWN
#define VM_ACCESS_FLAGS	(VM_READ | VM_WRITE | VM_EXEC)
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
/* Mappings that are never merged, mlocked or expanded (cf. VM_SPECIAL). */
#define VM_SPECIAL	(VM_IO | VM_DONTEXPAND | VM_PFNMAP | VM_MIXEDMAP)
/* What brk, the bss and the stack get (x86: VM_DATA_FLAGS_TSK_EXEC
 * without READ_IMPLIES_EXEC). */
#define VM_DATA_DEFAULT_FLAGS (VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC)
#define VM_STACK_DEFAULT_FLAGS VM_DATA_DEFAULT_FLAGS
#define VM_STACK_FLAGS	(VM_STACK | VM_STACK_DEFAULT_FLAGS | VM_ACCOUNT)
#define VM_STACK_INCOMPLETE_SETUP (VM_RAND_READ | VM_SEQ_READ)
/* Flags a merge may ignore (cf. VM_IGNORE_MERGE). */
#define VM_IGNORE_MERGE	VM_SOFTDIRTY

/* True when a syscall's return value is an error (cf. IS_ERR_VALUE). */
#define MMKIT_IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)

/* mmap(2) on x86_64 (byte offset) and mmap2 / mmap_pgoff (page offset).
 * Anonymous mappings only: mmkit has no file descriptors yet, so any
 * mapping without MAP_ANONYMOUS fails with -EBADF as fget() would. */
long sys_mmap(struct machine *m, unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, unsigned long fd, unsigned long off);
long sys_mmap_pgoff(struct machine *m, unsigned long addr, unsigned long len,
		    unsigned long prot, unsigned long flags, unsigned long fd,
		    unsigned long pgoff);
long sys_munmap(struct machine *m, unsigned long addr, unsigned long len);
long sys_mprotect(struct machine *m, unsigned long start, unsigned long len,
		  unsigned long prot);
long sys_mremap(struct machine *m, unsigned long addr, unsigned long old_len,
		unsigned long new_len, unsigned long flags, unsigned long new_addr);
/* The raw brk: returns the new break, or the old one when it refuses. */
long sys_brk(struct machine *m, unsigned long brk);
long sys_madvise(struct machine *m, unsigned long start, unsigned long len, int behavior);
long sys_mlock(struct machine *m, unsigned long start, unsigned long len);
long sys_mlock2(struct machine *m, unsigned long start, unsigned long len, int flags);
long sys_munlock(struct machine *m, unsigned long start, unsigned long len);
long sys_mlockall(struct machine *m, int flags);
long sys_munlockall(struct machine *m);
long sys_msync(struct machine *m, unsigned long start, unsigned long len, int flags);

#endif
