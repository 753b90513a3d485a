/* STUB: replaced by the page-allocator work (issue 2). */
#include "internal.h"
struct page *__alloc_pages(struct machine *m, gfp_t gfp_mask, unsigned int order) { return NULL; }
struct page *alloc_pages(struct machine *m, gfp_t gfp_mask, unsigned int order) { return NULL; }
unsigned long __get_free_pages(struct machine *m, gfp_t gfp_mask, unsigned int order) { return 0; }
unsigned long get_zeroed_page(struct machine *m, gfp_t gfp_mask) { return 0; }
void __free_pages(struct machine *m, struct page *page, unsigned int order) { }
void free_pages(struct machine *m, unsigned long addr, unsigned int order) { }
void drain_local_pages(struct machine *m) { }
void drain_all_pages(struct machine *m) { }
int gfp_zone(struct machine *m, gfp_t flags) { return ZONE_NORMAL; }
void __free_pages_bootmem(struct machine *m, struct page *page, unsigned int order) { }
void setup_per_zone_wmarks(struct machine *m) { }
void bad_page(struct machine *m, struct page *page, const char *reason) { }
int check_page_alloc(struct machine *m) { return 0; }
unsigned long nr_free_pages(struct machine *m) { return 0; }
unsigned long nr_free_zone_pages(struct machine *m, int high_zoneidx) { return 0; }
