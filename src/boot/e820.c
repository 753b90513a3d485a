/* STUB: replaced by the boot work (issue 2). */
#include "internal.h"
int sanitize_e820_map(struct machine *m, struct e820entry *biosmap, int max_nr, int *pnr_map) { return -1; }
int copy_e820_map(struct machine *m, const struct e820entry *biosmap, int nr_map) { return -1; }
int add_memory_region(struct machine *m, u64 start, u64 size, u32 type) { return -ENOSYS; }
void e820_remove_range(struct machine *m, u64 start, u64 size, u32 type, bool checktype) { }
void print_memory_map(struct machine *m, const char *who) { }
int setup_memory_region(struct machine *m) { return -ENOSYS; }
const char *e820_type_name(u32 type) { return "?"; }
bool e820_all_mapped(struct machine *m, u64 start, u64 end, u32 type) { return false; }
bool page_is_ram(struct machine *m, unsigned long pfn) { return false; }
