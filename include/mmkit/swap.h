/* Swap (cf. include/linux/swap.h, include/linux/swapops.h; seed 003:
 * "换出的页在页表项中记录交换区号和偏移"). Owned by src/mm/swapfile.c (swap
 * areas, slots, swapon/swapoff, /proc/swaps), src/mm/swap_state.c (the
 * swap cache), src/mm/page_io.c (reading and writing slots) and
 * src/mm/memory_swap.c (do_swap_page); the PTE encoding is the
 * architecture's (src/arch/x86). */
#ifndef MMKIT_SWAP_H
#define MMKIT_SWAP_H

#include <mmkit/spinlock.h>
#include <mmkit/types.h>

/* A swap slot: area type and page offset (cf. swp_entry_t). */
typedef struct {
	unsigned long val;
} swp_entry_t;

#define MAX_SWAPFILES 32

/* The swap areas (m->swap); filled by src/mm/swapfile.c. */
struct swap_info_struct;
struct swap_state {
	spinlock_t swap_lock;
	struct swap_info_struct *swap_info[MAX_SWAPFILES];
	int nr_swapfiles;
	long nr_swap_pages;		/* free slots, all areas */
	long total_swap_pages;
};

#endif
