/* STUB: replaced by the boot work (issue 2). */
#include "internal.h"
int setup_arch(struct machine *m) { return -ENOSYS; }
void arch_layout_init(struct machine *m) { }
