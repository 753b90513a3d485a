/* Page reclaim: LRU aging, kswapd, direct reclaim, replacement policies
 * and the OOM killer (cf. include/linux/swap.h, mm/vmscan.c,
 * include/linux/oom.h). Owned by src/mm/swap.c (LRU add/move),
 * src/mm/vmscan.c (shrinking, kswapd), src/mm/vmscan_policy.c (CLOCK,
 * LRU, FIFO, OPT) and src/mm/oom_kill.c. */
#ifndef MMKIT_VMSCAN_H
#define MMKIT_VMSCAN_H

#include <mmkit/types.h>

/* Replacement policies a machine can run (vm.mmkit_reclaim_policy). */
enum reclaim_policy {
	RECLAIM_LINUX,		/* active/inactive lists, second chance (default) */
	RECLAIM_CLOCK,
	RECLAIM_LRU,
	RECLAIM_FIFO,
	RECLAIM_OPT,		/* Belady: trace replay only (needs the future) */
	NR_RECLAIM_POLICIES
};

/* The reclaim state (m->reclaim); filled by src/mm/vmscan.c. */
struct reclaim_state {
	enum reclaim_policy policy;
	int sysctl_swappiness;		/* vm.swappiness: 60 */
	bool kswapd_wanted;		/* woken: runs at the next safe point */
	unsigned int kswapd_order;
	int kswapd_highest_zoneidx;
};

#endif
