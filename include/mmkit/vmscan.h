/* Page reclaim: LRU aging, kswapd, direct reclaim, replacement policies
 * and the OOM killer (cf. include/linux/swap.h, mm/vmscan.c,
 * include/linux/oom.h). Owned by src/mm/swap.c (LRU add/move),
 * src/mm/vmscan.c (shrinking, kswapd), src/mm/vmscan_policy.c (CLOCK,
 * LRU, FIFO, OPT) and src/mm/oom_kill.c. docs/reclaim.md tells the story. */
#ifndef MMKIT_VMSCAN_H
#define MMKIT_VMSCAN_H

#include <mmkit/sched.h>
#include <mmkit/types.h>

struct machine;

/* Replacement policies a machine can run (vm.mmkit_reclaim_policy). */
enum reclaim_policy {
	RECLAIM_LINUX,		/* active/inactive lists, second chance (default) */
	RECLAIM_CLOCK,		/* one list, second chance on the reference bit */
	RECLAIM_LRU,		/* one list in exact recency order (every access moves its page) */
	RECLAIM_FIFO,		/* one list in load order, no second chance */
	RECLAIM_OPT,		/* Belady: trace replay only (needs the future) */
	NR_RECLAIM_POLICIES
};

/* task->flags (cf. include/linux/sched.h). */
#ifndef PF_MEMALLOC
#define PF_EXITING 0x00000004
#define PF_MEMALLOC 0x00000800	/* reclaiming: allocations may dip into reserves, never recurse */
#define PF_KSWAPD 0x00020000
#define PF_KTHREAD 0x00200000
#endif

/* oom_score_adj bounds (cf. include/uapi/linux/oom.h). */
#define OOM_SCORE_ADJ_MIN (-1000)
#define OOM_SCORE_ADJ_MAX 1000

/* The reclaim state (m->reclaim); filled by src/mm/vmscan.c. */
struct reclaim_state {
	enum reclaim_policy policy;
	int sysctl_swappiness;		/* vm.swappiness: 60 */
	bool kswapd_wanted;		/* woken: runs at the next safe point */
	bool kswapd_running;		/* balance_pgdat in progress (no recursion) */
	unsigned int kswapd_order;
	int kswapd_highest_zoneidx;
	unsigned long kswapd_runs;	/* balance_pgdat passes done */
	struct task_struct *kswapd;	/* "kswapd0": a kernel thread, off the task list */
	struct task_struct kswapd_storage;
	/* mmkit's memory.max-like knob: evictable LRU pages allowed resident
	 * (0: no limit); a not-present user fault first reclaims one page by
	 * the policy when the limit is reached */
	unsigned long max_resident;
	/* the policy wants every user access reported (LRU, CLOCK) */
	bool track_access;
	/* the OOM killer's victim awaiting a safe point to die (pid, 0: none) */
	int oom_victim_pid;
	unsigned long nr_oom_kills;
	int sysctl_oom_dump_tasks;	/* vm.oom_dump_tasks: 1 */
};

/* The name of a policy ("linux", "clock", "lru", "fifo", "opt"). */
const char *reclaim_policy_name(enum reclaim_policy policy);

/* Parse a policy name; -EINVAL for an unknown one. */
int reclaim_policy_parse(const char *name);

/* Select the machine's replacement policy by name (the description key
 * `reclaim POLICY` does the same at boot). "opt" is refused (-EINVAL): it
 * needs the future and exists only for trace replay. Returns 0. */
int mmkit_set_reclaim_policy(struct machine *m, const char *name);

/* Limit the evictable user pages resident at once (memory.max-like; 0 =
 * no limit). Returns 0. */
int mmkit_set_max_resident(struct machine *m, unsigned long pages);

/* Run kswapd now if it was woken (the deterministic kswapd: called at the
 * end of page faults and user accesses, where no lock is held), and reap
 * a pending OOM victim. Returns true when anything ran. */
bool kswapd_run_pending(struct machine *m);

/* Set a task's oom_score_adj (/proc/PID/oom_score_adj): -EINVAL outside
 * -1000..1000, -EACCES lowering it without CAP_SYS_RESOURCE (as Linux's
 * __set_oom_adj). Returns 0. */
int mmkit_set_oom_score_adj(struct machine *m, struct task_struct *tsk, int adj);

/* The badness of a task (cf. oom_badness): LONG_MIN when it cannot be
 * killed. */
long oom_badness(struct machine *m, struct task_struct *p, unsigned long totalpages);

/* /proc/PID/oom_score's value. */
unsigned long oom_score(struct machine *m, struct task_struct *p);

/* Trigger the OOM killer as sysrq-f does (order -1): kill the task with
 * the highest badness now. Returns true when a task was killed. */
bool mmkit_oom_kill(struct machine *m);

/* Offline replacement simulation over a reference string (page numbers),
 * for trace replay and for checking the kernel path: the faults policy
 * takes with @frames frames. OPT is Belady's (evict the page used
 * farthest in the future); FIFO, LRU and CLOCK follow the kernel's
 * policies exactly. Returns the faults, or -EINVAL/-ENOMEM. */
long reclaim_simulate(enum reclaim_policy policy, const unsigned long *refs, size_t n,
		      size_t frames);

#endif
