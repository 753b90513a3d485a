/* STUB: replaced by the boot work (issue 2). */
#include "internal.h"
unsigned long bootmem_bootmap_pages(unsigned long pages) { return 0; }
unsigned long init_bootmem(struct machine *m, unsigned long start, unsigned long pages) { return 0; }
void free_bootmem(struct machine *m, phys_addr_t addr, unsigned long size) { }
int reserve_bootmem(struct machine *m, phys_addr_t addr, unsigned long size) { return -ENOSYS; }
void *__alloc_bootmem(struct machine *m, unsigned long size, unsigned long align, phys_addr_t goal) { return NULL; }
void *__alloc_bootmem_nopanic(struct machine *m, unsigned long size, unsigned long align, phys_addr_t goal) { return NULL; }
unsigned long free_all_bootmem(struct machine *m) { return 0; }
bool bootmem_page_reserved(struct machine *m, unsigned long pfn) { return true; }
