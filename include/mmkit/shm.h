/* System V shared memory (cf. ipc/shm.c, include/uapi/linux/shm.h).
 * Owned by src/mm/shm.c; the pages are shmem's (src/mm/shmem.c). */
#ifndef MMKIT_SHM_H
#define MMKIT_SHM_H

#include <mmkit/list.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

/* The IPC namespace's shm state (m->ipc); filled by src/mm/shm.c. */
struct ipc_state {
	spinlock_t shm_lock;
	struct list_head shm_segments;
	int shm_nr;
};

#endif
