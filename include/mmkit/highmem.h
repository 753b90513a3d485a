/* High-memory mapping state: pkmap and kmap_atomic (src/mm/highmem.c). */
#ifndef MMKIT_HIGHMEM_H
#define MMKIT_HIGHMEM_H

#include <mmkit/types.h>

struct pkmap_state {
	int unused;	/* placeholder until the subsystem lands */
};

#endif
