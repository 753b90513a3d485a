/* Kernel page tables (src/arch/x86). */
#ifndef MMKIT_PGTABLE_H
#define MMKIT_PGTABLE_H

#include <mmkit/types.h>

struct kernel_pgtables {
	int unused;	/* placeholder until the subsystem lands */
};

#endif
