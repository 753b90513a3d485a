/* STUB: replaced by the page-allocator work (issue 2). */
#include "internal.h"
int free_area_init(struct machine *m) { return -ENOSYS; }
int mem_init(struct machine *m) { return -ENOSYS; }
