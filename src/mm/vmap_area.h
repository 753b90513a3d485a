/* vmap_area bookkeeping (src/mm/vmap_area.c), used by src/mm/vmalloc.c. */
#ifndef MMKIT_MM_VMAP_AREA_H
#define MMKIT_MM_VMAP_AREA_H

#include "arch/x86/pgtable.h"

struct vmap_area *alloc_vmap_area(struct machine *m, u64 size, u64 align, u64 vstart, u64 vend,
				  gfp_t gfp);
void free_vmap_area(struct machine *m, struct vmap_area *va);
struct vmap_area *__find_vmap_area(struct machine *m, u64 addr);
struct vmap_area *find_vmap_area(struct machine *m, u64 addr);
struct vmap_area *claim_vmap_area(struct machine *m, u64 addr);
int va_tree_check(struct machine *m, const struct vmap_area *n, unsigned long *count);

#endif
