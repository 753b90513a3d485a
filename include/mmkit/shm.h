/* System V shared memory and shmem (cf. ipc/shm.c, include/uapi/linux/shm.h,
 * include/uapi/linux/ipc.h, include/linux/shmem_fs.h). Owned by
 * src/mm/shm.c (segments, shmget/shmat/shmdt/shmctl) and src/mm/shmem.c
 * (the shmem objects behind them and behind MAP_SHARED|MAP_ANONYMOUS);
 * /proc/sysvipc/shm is src/proc/sysvipc_shm.c.
 *
 * Every value is Linux's. A host program may include <sys/ipc.h> and
 * <sys/shm.h> too, but before this header: the constants below are
 * skipped when the host's exist (they are equal). The structures carry a
 * mmkit_ prefix so they never collide with the host's.
 *
 * The syscalls act on the task current on the calling host thread's
 * simulated CPU and return what the raw syscall returns (-errno on error;
 * -ESRCH with no current task). Buffers are host pointers (the kernel's
 * copy of struct shmid64_ds, not the user's). */
#ifndef MMKIT_SHM_H
#define MMKIT_SHM_H

#include <mmkit/list.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

struct machine;

/* ipc.h: keys, flags and commands */
#ifndef IPC_PRIVATE
#define IPC_PRIVATE 0
#endif
#ifndef IPC_CREAT
#define IPC_CREAT 00001000
#define IPC_EXCL 00002000
#define IPC_NOWAIT 00004000
#endif
#ifndef IPC_RMID
#define IPC_RMID 0
#define IPC_SET 1
#define IPC_STAT 2
#endif
#ifndef IPC_INFO
#define IPC_INFO 3
#endif

/* shm.h: shmat flags, shmctl commands, mode bits */
#ifndef SHM_RDONLY
#define SHM_RDONLY 010000
#define SHM_RND 020000
#endif
#ifndef SHM_REMAP
#define SHM_REMAP 040000
#endif
#ifndef SHM_EXEC
#define SHM_EXEC 0100000
#endif
#ifndef SHM_LOCK
#define SHM_LOCK 11
#define SHM_UNLOCK 12
#endif
#ifndef SHM_STAT
#define SHM_STAT 13
#define SHM_INFO 14
#endif
#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SHM_DEST
#define SHM_DEST 01000		/* destroyed at the last detach */
#define SHM_LOCKED 02000	/* SHM_LOCK: never swapped */
#endif
#ifndef SHM_NORESERVE
#define SHM_NORESERVE 010000	/* shmget: no swap reservation */
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif

/* Limits (include/uapi/linux/shm.h): SHMMAX and SHMALL are
 * ULONG_MAX - 2^24 of the machine's word (bytes, pages). */
#define MMKIT_SHMMIN 1UL
#define MMKIT_SHMMNI 4096
#define MMKIT_SHMLBA 4096UL	/* x86: PAGE_SIZE */

/* struct ipc64_perm, as IPC_STAT fills it. */
struct mmkit_ipc_perm {
	s32 key;
	u32 uid, gid, cuid, cgid;
	u32 mode;
	u32 seq;
};

/* struct shmid64_ds: IPC_STAT/SHM_STAT fill it, IPC_SET reads
 * shm_perm.uid, gid and the low 9 bits of mode. Times in seconds of the
 * simulated clock (m->clock_ns). */
struct mmkit_shmid_ds {
	struct mmkit_ipc_perm shm_perm;
	unsigned long shm_segsz;
	s64 shm_atime, shm_dtime, shm_ctime;
	s32 shm_cpid, shm_lpid;
	unsigned long shm_nattch;
};

/* struct shminfo64 (IPC_INFO). */
struct mmkit_shminfo {
	unsigned long shmmax, shmmin, shmmni, shmseg, shmall;
};

/* struct shm_info (SHM_INFO): pages. */
struct mmkit_shm_info {
	int used_ids;
	unsigned long shm_tot, shm_rss, shm_swp;
	unsigned long swap_attempts, swap_successes;
};

/* The IPC namespace's shm state and shmem's list of objects (m->ipc);
 * filled by src/mm/shm.c and src/mm/shmem.c (shmem_init at boot). */
struct ipc_state {
	spinlock_t shm_lock;		/* guards the segments and counters below */
	struct list_head shm_segments;	/* struct shmid_kernel, by id */
	int shm_nr;			/* segments in use (ids->in_use) */
	int shm_last_idx;		/* cyclic id allocation (ipc_idr_alloc) */
	int shm_seq;			/* the id's sequence number */
	unsigned long shm_tot;		/* pages of all segments */
	unsigned long shm_ctlmax;	/* kernel.shmmax: bytes */
	unsigned long shm_ctlall;	/* kernel.shmall: pages */
	int shm_ctlmni;			/* kernel.shmmni: segments */
	/* shmem (cf. shmem_swaplist): every live shmem object, for swapoff */
	spinlock_t shmem_lock;
	struct list_head shmem_inodes;
	unsigned long next_shmem_ino;	/* SysV objects' private inode numbers */
	bool ready;
};

long sys_shmget(struct machine *m, s32 key, unsigned long size, int shmflg);
long sys_shmat(struct machine *m, int shmid, unsigned long shmaddr, int shmflg);
long sys_shmdt(struct machine *m, unsigned long shmaddr);
/* IPC_STAT/SHM_STAT/SHM_STAT_ANY/IPC_SET: buf is a struct mmkit_shmid_ds;
 * IPC_INFO: struct mmkit_shminfo; SHM_INFO: struct mmkit_shm_info;
 * IPC_RMID, SHM_LOCK, SHM_UNLOCK: buf unused (may be NULL). */
long sys_shmctl(struct machine *m, int shmid, int cmd, void *buf);

#endif
