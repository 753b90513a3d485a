/* Slab allocator and kmalloc state (src/mm/slab.c). */
#ifndef MMKIT_SLAB_H
#define MMKIT_SLAB_H

#include <mmkit/types.h>

struct slab_state {
	int unused;	/* placeholder until the subsystem lands */
};

#endif
