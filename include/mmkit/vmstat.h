/* Event counters shown in /proc/vmstat (cf. include/linux/vm_event_item.h).
 * Later subsystems add their items here, in Linux's order. */
#ifndef MMKIT_VMSTAT_H
#define MMKIT_VMSTAT_H

enum vm_event_item {
	PGPGIN,
	PGPGOUT,
	PSWPIN,
	PSWPOUT,
	PGALLOC_DMA,
	PGALLOC_DMA32,
	PGALLOC_NORMAL,
	PGALLOC_HIGH,
	PGALLOC_MOVABLE,
	PGALLOC_DEVICE,
	ALLOCSTALL_DMA,		/* direct reclaim entered, by the request's highest zone */
	ALLOCSTALL_DMA32,
	ALLOCSTALL_NORMAL,
	ALLOCSTALL_HIGH,
	ALLOCSTALL_MOVABLE,
	ALLOCSTALL_DEVICE,
	PGFREE,
	PGACTIVATE,
	PGDEACTIVATE,
	PGFAULT,
	PGMAJFAULT,
	PGREFILL,
	PGSTEAL_KSWAPD,
	PGSTEAL_DIRECT,
	PGSTEAL_KHUGEPAGED,
	PGSTEAL_PROACTIVE,
	PGSCAN_KSWAPD,
	PGSCAN_DIRECT,
	PGSCAN_KHUGEPAGED,
	PGSCAN_PROACTIVE,
	PGSCAN_DIRECT_THROTTLE,
	PGSCAN_ANON,
	PGSCAN_FILE,
	PGSTEAL_ANON,
	PGSTEAL_FILE,
	PGINODESTEAL,
	SLABS_SCANNED,
	KSWAPD_INODESTEAL,
	KSWAPD_LOW_WMARK_HIT_QUICKLY,
	KSWAPD_HIGH_WMARK_HIT_QUICKLY,
	PAGEOUTRUN,
	PGROTATED,
	OOM_KILL,
	UNEVICTABLE_PGCULLED,	/* culled to the unevictable list by reclaim */
	UNEVICTABLE_PGSCANNED,
	UNEVICTABLE_PGRESCUED,
	UNEVICTABLE_PGMLOCKED,
	UNEVICTABLE_PGMUNLOCKED,
	UNEVICTABLE_PGCLEARED,	/* still mlocked when freed */
	UNEVICTABLE_PGSTRANDED,
	DROP_PAGECACHE,		/* echo 1 > /proc/sys/vm/drop_caches */
	DROP_SLAB,		/* echo 2 > /proc/sys/vm/drop_caches */
	PGLAZYFREE,		/* MADV_FREE moved an anonymous page to the file list */
	PGLAZYFREED,		/* reclaim dropped a MADV_FREE page */
	NR_VM_EVENT_ITEMS
};

/* The first of a per-zone group of items: item + zone index (cf.
 * __count_zid_vm_events). */
#define ALLOCSTALL ALLOCSTALL_DMA

#endif
