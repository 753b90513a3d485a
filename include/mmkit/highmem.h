/* High memory: temporary kernel mappings of pages the direct map does not
 * reach (cf. include/linux/highmem.h, mm/highmem.c, arch/x86/mm/highmem_32.c).
 * i386 with CONFIG_HIGHMEM (and PAE) only; elsewhere every page is lowmem
 * and kmap() returns its direct-map address.
 *
 * kmap/kunmap: LAST_PKMAP permanent slots at PKMAP_BASE with use counts.
 * kmap_atomic/kunmap_atomic: KM_TYPE_NR per-CPU fixmap slots, used as a
 * stack. The returned pointers are real C pointers (via the host window). */
#ifndef MMKIT_HIGHMEM_H
#define MMKIT_HIGHMEM_H

#include <mmkit/list.h>
#include <mmkit/mmzone.h>
#include <mmkit/pgtable.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

#define PA_HASH_ORDER 7

struct machine;
struct page;

/* A highmem page with a pkmap address (cf. struct page_address_map). */
struct page_address_map {
	struct page *page;
	u64 virtual;
	struct list_head list;
};

struct pkmap_state {
	spinlock_t kmap_lock;		/* pkmap_count, page_address_htable, pkmap ptes */
	/* pkmap_count[i]: 0 free and flushed, 1 free but its pte (and TLB
	 * entries) still there, n > 1: n - 1 users (cf. pkmap_count) */
	int pkmap_count[LAST_PKMAP_MAX];
	unsigned int last_pkmap_nr;
	/* page -> pkmap address (cf. page_address_htable) */
	struct list_head page_address_htable[1 << PA_HASH_ORDER];
	struct page_address_map page_address_maps[LAST_PKMAP_MAX];
	struct list_head page_address_pool;
	/* per-CPU stack depth of kmap_atomic slots (cf. __kmap_atomic_idx) */
	int kmap_atomic_idx[NR_CPUS];
	unsigned long nr_kmap_fail;	/* kmap() calls that found the area full */
	unsigned long nr_flush_all_zero;	/* flush_all_zero_pkmaps() runs */
	bool ready;
};

/* in mm/highmem.c -- see there for the contracts */
void *kmap(struct machine *m, struct page *page);
void kunmap(struct machine *m, struct page *page);
void *kmap_atomic(struct machine *m, struct page *page);
void kunmap_atomic(struct machine *m, const void *addr);
struct page *kmap_to_page(struct machine *m, const void *addr);
unsigned int nr_free_highpages(struct machine *m);

#endif
