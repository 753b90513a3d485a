/* Swap, the internal interface (cf. mm/swap.h, include/linux/swap.h,
 * include/linux/swapops.h, arch/x86/include/asm/pgtable-2level.h,
 * pgtable-3level.h, pgtable_64.h). Sectioned by the file that defines
 * each part. (Not to be confused with src/mm/swap.c, the LRU lists, whose
 * declarations are in mm/memory.h and mmkit/vmscan.h.)
 *
 * A slot's use count lives in si->swap_map[offset] as Linux keeps it: the
 * number of swap ptes and shmem entries naming the slot in the low six bits
 * (at most SWAP_MAP_MAX there; beyond, COUNT_CONTINUED is set and the rest
 * is kept in si->swap_cont, as the continuation pages of Linux keep it),
 * plus SWAP_HAS_CACHE while a page for the slot is in the swap cache (or
 * is being read into it). A slot is free when its byte is 0.
 *
 * Invariants (check_swap): inuse_pages is the nonzero bytes of swap_map
 * below max, minus the header slot; nr_swap_pages + the in-use slots of
 * every writable area == total_swap_pages; each cluster's count is its
 * nonzero bytes, a cluster on the free list has count 0; a swap-cache page
 * has PG_swapcache, its entry in page->private, is at that offset in its
 * area's cache, and its slot has SWAP_HAS_CACHE. */
#ifndef MMKIT_MM_SWAP_H
#define MMKIT_MM_SWAP_H

#include <mmkit/fs.h>
#include <mmkit/swap.h>
#include <mmkit/xarray.h>

#include "mm/memory.h"

/* ---- in arch/x86/pgtable_swap.c: swap entries in ptes ---- */

/* The non-present pte holding @entry, in the machine's format (cf.
 * swp_entry_to_pte, __swp_entry_to_pte). */
pte_t swp_entry_to_pte(const struct machine *m, swp_entry_t entry);
/* The entry a swap pte holds (cf. pte_to_swp_entry, __pte_to_swp_entry). */
swp_entry_t pte_to_swp_entry(const struct machine *m, pte_t pte);
/* The most pages one area can have (cf. generic_max_swapfile_size: the
 * largest offset that survives the trip entry -> pte -> entry, plus 1). */
unsigned long max_swapfile_size(const struct machine *m);

/* A pte that is neither none nor present: a swap entry (cf. is_swap_pte). */
static inline bool is_swap_pte(pte_t pte)
{
	return !pte_none(pte) && !pte_present(pte);
}

/* ---- non-swap entries: PTE markers (cf. include/linux/swapops.h) ----
 *
 * A PTE marker is a swap pte of type SWP_PTE_MARKER (no area) whose offset
 * holds marker bits, in the architecture's swap pte encoding. It names no
 * slot: no swap_map reference, not in MM_SWAPENTS or any rss counter, not
 * Swap: in smaps. mmkit makes one kind, PTE_MARKER_POISONED, left by
 * swapoff where a slot could not be read (unuse_pte): a fault on it is
 * VM_FAULT_HWPOISON (handle_pte_marker), fork copies it, zap and MADV_FREE
 * clear it, mprotect and mremap leave or move it as any swap pte. */
typedef unsigned long pte_marker;

#define PTE_MARKER_UFFD_WP (1UL << 0)	/* userfaultfd write-protect (unused) */
#define PTE_MARKER_POISONED (1UL << 1)	/* the data is lost (swapin error) */
#define PTE_MARKER_GUARD (1UL << 2)	/* MADV_GUARD_INSTALL (unused) */
#define PTE_MARKER_MASK ((1UL << 3) - 1)

/* An entry of no swap area: a marker (cf. non_swap_entry). */
static inline bool non_swap_entry(swp_entry_t entry)
{
	return swp_type(entry) >= MAX_SWAPFILES;
}

static inline swp_entry_t make_pte_marker_entry(pte_marker marker)
{
	return swp_entry(SWP_PTE_MARKER, marker);
}

static inline bool is_pte_marker_entry(swp_entry_t entry)
{
	return swp_type(entry) == SWP_PTE_MARKER;
}

static inline pte_marker pte_marker_get(swp_entry_t entry)
{
	return swp_offset(entry) & PTE_MARKER_MASK;
}

/* The marker swapoff and shmem leave for data a read error lost (cf.
 * make_poisoned_swp_entry). */
static inline swp_entry_t make_poisoned_swp_entry(void)
{
	return make_pte_marker_entry(PTE_MARKER_POISONED);
}

static inline bool is_poisoned_swp_entry(swp_entry_t entry)
{
	return is_pte_marker_entry(entry) && (pte_marker_get(entry) & PTE_MARKER_POISONED);
}

/* A pte holding a marker (cf. is_pte_marker). */
static inline bool is_pte_marker(const struct machine *m, pte_t pte)
{
	return is_swap_pte(pte) && is_pte_marker_entry(pte_to_swp_entry(m, pte));
}

/* The pte holding @marker (cf. make_pte_marker). */
static inline pte_t make_pte_marker(const struct machine *m, pte_marker marker)
{
	return swp_entry_to_pte(m, make_pte_marker_entry(marker));
}

/* ---- swap_map values (cf. include/linux/swap.h) ---- */

#define SWAP_HAS_CACHE 0x40	/* a page of the slot is in the swap cache */
#define COUNT_CONTINUED 0x80	/* the count goes on in swap_cont */
#define SWAP_MAP_MAX 0x3e	/* the most references the byte itself holds */
#define SWAP_MAP_BAD 0x3f	/* a bad page, or the header */
#define SWAP_COUNT_MASK 0x3f

#define SWAPFILE_CLUSTER 256	/* slots per cluster (cf. SWAPFILE_CLUSTER) */
#define SWAP_NEXT_INVALID 0	/* a CPU has no current cluster */

/* si->flags (cf. enum SWP_*) */
#define SWP_USED (1UL << 0)		/* the type is taken */
#define SWP_WRITEOK (1UL << 1)		/* slots may be allocated */
#define SWP_DISCARDABLE (1UL << 2)
#define SWP_DISCARDING (1UL << 3)
#define SWP_SOLIDSTATE (1UL << 4)
#define SWP_CONTINUED (1UL << 5)
#define SWP_BLKDEV (1UL << 6)
#define SWP_ACTIVATED (1UL << 7)
#define SWP_FS_OPS (1UL << 8)
#define SWP_AREA_DISCARD (1UL << 9)
#define SWP_PAGE_DISCARD (1UL << 10)

/* One cluster of SWAPFILE_CLUSTER slots (cf. struct swap_cluster_info). */
struct swap_cluster_info {
	unsigned int count;		/* slots in use */
	bool free;			/* on si->free_clusters */
	struct list_head list;		/* on si->free_clusters */
};

/* One swap area (cf. struct swap_info_struct). */
struct swap_info_struct {
	unsigned long flags;		/* SWP_* */
	short prio;			/* higher is used first */
	unsigned int type;		/* its index in m->swap.swap_info[] */
	unsigned int max;		/* slots, the header included (last_page + 1) */
	unsigned char *swap_map;	/* use count of each slot (see above) */
	struct xarray swap_cont;	/* offset -> xa_mk_value(count above SWAP_MAP_MAX) */
	struct swap_cluster_info *cluster_info;	/* max / SWAPFILE_CLUSTER, rounded up */
	struct list_head free_clusters;	/* clusters with no slot in use */
	unsigned long nr_free_clusters;
	unsigned int percpu_next[NR_CPUS];	/* each CPU's next slot in its cluster */
	unsigned int lowest_bit, highest_bit;	/* the free slots lie in between */
	unsigned int cluster_next;	/* where the fallback scan starts */
	unsigned int pages;		/* usable slots: max - 1 - bad pages */
	unsigned int inuse_pages;	/* slots in use */
	unsigned long alloc_seq;	/* when it was last picked among equals */
	char path[256];			/* the file, as /proc/swaps shows it */
	int file;			/* the open file (host seam handle) */
	unsigned long ino;		/* its host inode: the same file, the same area */
	spinlock_t lock;		/* swap_map, clusters, the counters */
	/* the swap cache of this area (cf. swapper_spaces): i_pages maps an
	 * offset to the page caching that slot */
	struct address_space swap_cache;
	unsigned long nr_reads, nr_writes;	/* pages read and written */
	unsigned int *check_map;	/* debug_vm: swap ptes per slot, counted by the checker */
};

/* ---- in mm/swapfile.c: areas and slots ---- */

/* The area of @entry, or NULL (cf. swp_swap_info / get_swap_device
 * without the reference). */
struct swap_info_struct *swp_swap_info(struct machine *m, swp_entry_t entry);
/* A free slot, its swap_map set to SWAP_HAS_CACHE, from the highest
 * priority area with room; val 0 when there is none (cf. folio_alloc_swap). */
swp_entry_t get_swap_page(struct machine *m, struct page *page);
/* Give back a slot get_swap_page() returned whose page did not make it
 * into the swap cache, or drop SWAP_HAS_CACHE (cf. put_swap_folio). */
void put_swap_page(struct machine *m, struct page *page, swp_entry_t entry);
/* One more swap pte / shmem entry names @entry (cf. swap_duplicate):
 * 0, or -EINVAL for a bad or free entry. */
int swap_duplicate(struct machine *m, swp_entry_t entry);
/* Claim the right to read @entry into the swap cache: SWAP_HAS_CACHE
 * set (cf. swapcache_prepare). 0, -EEXIST when another page has it, -ENOENT
 * when the slot is free. */
int swapcache_prepare(struct machine *m, swp_entry_t entry);
/* Drop SWAP_HAS_CACHE of a slot swapcache_prepare() claimed (cf. swapcache_clear). */
void swapcache_clear(struct machine *m, swp_entry_t entry);
/* One swap pte / shmem entry naming @entry is gone (cf. swap_free). */
void swap_free(struct machine *m, swp_entry_t entry);
/* swap_free(), and drop the swap cache's page too when nothing else
 * needs it (cf. free_swap_and_cache). */
void free_swap_and_cache(struct machine *m, swp_entry_t entry);
/* The references (swap ptes, shmem entries) to @entry, cache excluded
 * (cf. __swap_count / swp_swapcount). */
int __swap_count(struct machine *m, swp_entry_t entry);
/* The same for a swap-cache page (cf. folio_swapcount / page_swapcount). */
int page_swapcount(struct machine *m, struct page *page);
/* If @page is in the swap cache and no swap pte names its slot any more,
 * take it out and free the slot (cf. folio_free_swap). True if it did. */
bool try_to_free_swap(struct machine *m, struct page *page);
/* Half the swap space in use (cf. vm_swap_full). */
bool vm_swap_full(struct machine *m);
long get_nr_swap_pages(struct machine *m);
/* ---- in mm/swap_check.c: the invariant checker ---- */

/* check_user_memory() brackets its pte walk with these: begin zeroes the
 * per-slot counters, swap_check_pte() counts one swap pte (nonzero when
 * its slot is bad or free), end compares the counts with swap_map and
 * checks the invariants above; returns the violations (reported). */
void swap_check_begin(struct machine *m);
int swap_check_pte(struct machine *m, swp_entry_t entry);
int swap_check_end(struct machine *m);

/* ---- in mm/swap_state.c: the swap cache ---- */

/* The swap cache @entry's area keeps (cf. swap_address_space). */
struct address_space *swap_address_space(struct machine *m, swp_entry_t entry);
/* Put @page (locked, not in any cache) in the swap cache at @entry,
 * whose slot has SWAP_HAS_CACHE: PG_swapcache, page->private = entry, a
 * reference for the cache, NR_SWAPCACHE (cf. add_to_swap_cache). 0 or
 * -ENOMEM / -EEXIST. */
int add_to_swap_cache(struct machine *m, struct page *page, swp_entry_t entry, gfp_t gfp);
/* Take @page out of the swap cache without touching the slot or the
 * cache's reference (cf. __delete_from_swap_cache). */
void __delete_from_swap_cache(struct machine *m, struct page *page, swp_entry_t entry);
/* Take @page (locked, unmapped or not) out of the swap cache: the slot
 * loses SWAP_HAS_CACHE and the cache its reference (cf.
 * delete_from_swap_cache). */
void delete_from_swap_cache(struct machine *m, struct page *page);
/* The swap cache's page for @entry with a reference taken, or NULL
 * (cf. swap_cache_get_folio / lookup_swap_cache). */
struct page *lookup_swap_cache(struct machine *m, swp_entry_t entry);
/* The page for @entry in the swap cache, reading it from the area if it
 * was not there (*new_page: it was read now); referenced; NULL on no memory
 * or a freed slot, or ERR (see swap_readpage) (cf. read_swap_cache_async).
 * *err gets 0, -ENOMEM, -ENOENT or -EIO. */
struct page *read_swap_cache_async(struct machine *m, swp_entry_t entry, gfp_t gfp,
				   bool *new_page, int *err);
/* Give the anonymous @page (locked) a slot and put it in the swap cache,
 * dirty so it will be written (cf. add_to_swap / folio_alloc_swap).
 * 0, or -ENOMEM when no slot or no memory. */
int add_to_swap(struct machine *m, struct page *page);
/* Pages in every swap cache (cf. total_swapcache_pages). */
unsigned long total_swapcache_pages(struct machine *m);

/* ---- in mm/page_io.c: reading and writing slots ---- */

struct writeback_control;
/* Write the swap-cache @page (locked) to its slot (cf. swap_writepage):
 * PSWPOUT, PGPGOUT. 0, or -EIO with the page dirty again. */
int swap_writepage(struct machine *m, struct page *page, struct writeback_control *wbc);
/* Read the swap-cache @page (locked, not uptodate) from its slot (cf.
 * swap_read_folio): PG_uptodate, PSWPIN, PGPGIN. 0 or -EIO. */
int swap_readpage(struct machine *m, struct page *page);

/* ---- in mm/swap_unuse.c: swapoff ---- */

/* Bring every page of area @type back in and point every swap pte and
 * shmem entry naming it at the page (cf. try_to_unuse). 0 or -ENOMEM. */
int try_to_unuse(struct machine *m, unsigned int type);

#endif
