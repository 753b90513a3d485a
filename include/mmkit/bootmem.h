/* The boot-time allocator: a bitmap over low memory, one bit a page frame,
 * set = reserved (cf. mm/bootmem.c of 2.4-4.x, include/linux/bootmem.h). */
#ifndef MMKIT_BOOTMEM_H
#define MMKIT_BOOTMEM_H

#include <mmkit/types.h>

typedef struct bootmem_data {
	unsigned long node_min_pfn;	/* first pfn the bitmap covers */
	unsigned long node_low_pfn;	/* one past the last pfn it covers */
	u8 *node_bootmem_map;		/* the bitmap, in simulated RAM */
	phys_addr_t bitmap_phys;	/* where the bitmap lives */
	unsigned long bitmap_bytes;
	unsigned long last_end_off;	/* byte after the last allocation (for merging) */
	unsigned long hint_idx;		/* where the next search starts */
	bool active;			/* between init_bootmem and free_all_bootmem */
} bootmem_data_t;

struct machine;

/* in boot/bootmem.c -- see there for the contracts */
unsigned long bootmem_bootmap_pages(unsigned long pages);
unsigned long init_bootmem(struct machine *m, unsigned long start, unsigned long pages);
void free_bootmem(struct machine *m, phys_addr_t addr, unsigned long size);
int reserve_bootmem(struct machine *m, phys_addr_t addr, unsigned long size);
void *__alloc_bootmem(struct machine *m, unsigned long size, unsigned long align,
		      phys_addr_t goal);
void *__alloc_bootmem_nopanic(struct machine *m, unsigned long size,
			      unsigned long align, phys_addr_t goal);
#define alloc_bootmem(m, x) __alloc_bootmem(m, x, SMP_CACHE_BYTES, 0x1000000)
#define alloc_bootmem_low(m, x) __alloc_bootmem(m, x, SMP_CACHE_BYTES, 0)
#define alloc_bootmem_pages(m, x) __alloc_bootmem(m, x, PAGE_SIZE, 0x1000000)
#define alloc_bootmem_low_pages(m, x) __alloc_bootmem(m, x, PAGE_SIZE, 0)
unsigned long free_all_bootmem(struct machine *m);
bool bootmem_page_reserved(struct machine *m, unsigned long pfn);

#define SMP_CACHE_BYTES 64

#endif
