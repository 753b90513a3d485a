/* vmalloc state (src/mm/vmalloc.c). */
#ifndef MMKIT_VMALLOC_H
#define MMKIT_VMALLOC_H

#include <mmkit/types.h>

struct vmalloc_state {
	int unused;	/* placeholder until the subsystem lands */
};

#endif
