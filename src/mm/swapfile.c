/* Swap areas and their slots (cf. mm/swapfile.c: swapon, swapoff,
 * read_swap_header, setup_swap_map, folio_alloc_swap, cluster allocation,
 * swap_duplicate, swap_free, free_swap_and_cache, si_swapinfo).
 *
 * An area is a file of the simulated file system (src/machine/hostfile.c)
 * with mkswap's header in page 0. Its slots 1..max-1 hold pages; each has
 * a use count in swap_map[] (see mm/swap.h). Slots are handed out by
 * clusters of SWAPFILE_CLUSTER (256) as Linux 6.x does: each CPU takes a
 * whole free cluster and allocates from it in order, so the pages one CPU
 * swaps out lie together in the file; when no free cluster is left, a scan
 * from cluster_next finds any free slot. Areas are used by priority: the
 * highest first, equal ones in turn (a CPU keeps its cluster's area until
 * the cluster is used up, as swap_alloc_fast). swapon without
 * SWAP_FLAG_PREFER gives -2, -3, ... (least_priority), and swapoff of such
 * an area raises those after it, as Linux.
 *
 * Locking: m->swap.swap_lock guards the area table, the counts and every
 * swap_map (one lock: areas are few and the simulated machine small). It
 * nests inside the page table lock (try_to_unmap duplicates entries under
 * it) and is never held across I/O or allocation of pages.
 *
 * Invariants: see mm/swap.h (check_swap). */
#include <mmkit/vmalloc.h>

#include "mm/swap.h"

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))

static const char Bad_file[] = "Bad swap file entry ";
static const char Unused_offset[] = "Unused swap offset entry ";
static const char Bad_offset[] = "Bad swap offset entry ";

/* The area of @entry (cf. swp_swap_info). */
struct swap_info_struct *swp_swap_info(struct machine *m, swp_entry_t entry)
{
	unsigned int type = swp_type(entry);

	return type < MAX_SWAPFILES ? m->swap.swap_info[type] : NULL;
}

/* Check @entry and return its area, printing Linux's message when it is
 * bad (cf. _swap_info_get). The caller holds swap_lock. */
static struct swap_info_struct *swap_info_get(struct machine *m, swp_entry_t entry,
					      const char *func)
{
	struct swap_info_struct *si = swp_swap_info(m, entry);
	unsigned long offset = swp_offset(entry);

	if (!entry.val)
		return NULL;
	if (!si || !(si->flags & SWP_USED)) {
		pr_err(m, "%s: %s%08lx\n", func, Bad_file, entry.val);
		return NULL;
	}
	if (offset >= si->max || !offset) {
		pr_err(m, "%s: %s%08lx\n", func, Bad_offset, entry.val);
		return NULL;
	}
	if (!si->swap_map[offset]) {
		pr_err(m, "%s: %s%08lx\n", func, Unused_offset, entry.val);
		return NULL;
	}
	return si;
}

/* ---- slot counts ---- */

static unsigned long slot_extra(struct swap_info_struct *si, unsigned long offset)
{
	void *v = xa_load(&si->swap_cont, offset);

	return v ? xa_to_value(v) : 0;
}

/* The references of a slot, the cache excluded. */
static int slot_count(struct swap_info_struct *si, unsigned long offset)
{
	unsigned char map = si->swap_map[offset];
	int count = map & SWAP_COUNT_MASK;

	if (count == SWAP_MAP_BAD)
		return 0;
	if (map & COUNT_CONTINUED)
		count += (int)slot_extra(si, offset);
	return count;
}

/* A slot is taken: the range counters (cf. swap_range_alloc). */
static void swap_range_alloc(struct machine *m, struct swap_info_struct *si,
			     unsigned long offset)
{
	struct swap_cluster_info *ci = &si->cluster_info[offset / SWAPFILE_CLUSTER];

	if (ci->free) {
		list_del(&ci->list);
		ci->free = false;
		si->nr_free_clusters--;
	}
	ci->count++;
	si->inuse_pages++;
	m->swap.nr_swap_pages--;
	if (offset == si->lowest_bit)
		si->lowest_bit++;
	if (offset == si->highest_bit)
		si->highest_bit--;
	if (si->inuse_pages == si->pages) {
		si->lowest_bit = si->max;
		si->highest_bit = 0;
	}
}

/* A slot became free (cf. swap_range_free). */
static void swap_range_free(struct machine *m, struct swap_info_struct *si,
			    unsigned long offset)
{
	struct swap_cluster_info *ci = &si->cluster_info[offset / SWAPFILE_CLUSTER];

	if (offset < si->lowest_bit)
		si->lowest_bit = (unsigned int)offset;
	if (offset > si->highest_bit)
		si->highest_bit = (unsigned int)offset;
	si->inuse_pages--;
	m->swap.nr_swap_pages++;	/* also while swapped off: see swapon.c */
	if (!--ci->count) {
		list_add_tail(&ci->list, &si->free_clusters);
		ci->free = true;
		si->nr_free_clusters++;
	}
}

/* Drop @usage (1 reference, or SWAP_HAS_CACHE) from a slot; frees it at 0
 * (cf. swap_entry_put_locked). */
static unsigned char swap_entry_put_locked(struct machine *m, struct swap_info_struct *si,
					   unsigned long offset, unsigned char usage)
{
	unsigned char map = si->swap_map[offset];
	unsigned char count = map & SWAP_COUNT_MASK, has_cache = map & SWAP_HAS_CACHE;
	unsigned char cont = map & COUNT_CONTINUED;

	if (usage == SWAP_HAS_CACHE) {
		VM_WARN_ON(m, !has_cache);
		has_cache = 0;
	} else if (cont) {
		unsigned long extra = slot_extra(si, offset) - 1;

		if (extra)
			xa_store(m, &si->swap_cont, offset, xa_mk_value(extra), GFP_ATOMIC);
		else {
			xa_erase(m, &si->swap_cont, offset);
			cont = 0;
		}
	} else if (VM_WARN_ON(m, !count)) {
		return map;
	} else {
		count--;
	}
	map = count | has_cache | cont;
	si->swap_map[offset] = map;
	if (!map)
		swap_range_free(m, si, offset);
	return map;
}

/* Add @usage to a slot in use (cf. __swap_duplicate). */
static int __swap_duplicate(struct machine *m, swp_entry_t entry, unsigned char usage)
{
	struct swap_info_struct *si;
	unsigned long offset = swp_offset(entry);
	unsigned char map, count, has_cache;
	int err = 0;

	spin_lock(&m->swap.swap_lock);
	si = swap_info_get(m, entry, "swap_duplicate");
	if (!si) {
		spin_unlock(&m->swap.swap_lock);
		return usage == SWAP_HAS_CACHE ? -ENOENT : -EINVAL;
	}
	map = si->swap_map[offset];
	count = map & SWAP_COUNT_MASK;
	has_cache = map & SWAP_HAS_CACHE;
	if (usage == SWAP_HAS_CACHE) {
		if (has_cache)
			err = -EEXIST;
		else if (!count)
			err = -ENOENT;
		else
			si->swap_map[offset] = map | SWAP_HAS_CACHE;
	} else if (count == SWAP_MAP_BAD || (!count && !has_cache)) {
		err = -ENOENT;
	} else if (count < SWAP_MAP_MAX) {
		si->swap_map[offset] = map + 1;
	} else {	/* add_swap_count_continuation */
		void *old = xa_store(m, &si->swap_cont, offset,
				     xa_mk_value(slot_extra(si, offset) + 1), GFP_ATOMIC);

		if (xa_is_err(old))
			err = -ENOMEM;
		else
			si->swap_map[offset] = map | COUNT_CONTINUED;
	}
	spin_unlock(&m->swap.swap_lock);
	return err;
}

/**
 * swap_duplicate() - one more swap pte or shmem entry names @entry (cf.
 *	swap_duplicate)
 * @m: the machine
 * @entry: a slot in use
 *
 * Returns 0, -EINVAL for a bad entry (reported), -ENOENT for a free slot,
 * -ENOMEM when the count needs a continuation and there is no memory.
 */
int swap_duplicate(struct machine *m, swp_entry_t entry)
{
	return __swap_duplicate(m, entry, 1);
}

/**
 * swapcache_prepare() - claim @entry for a page about to enter the swap
 *	cache (cf. swapcache_prepare)
 * @m: the machine
 * @entry: a slot with references
 *
 * Returns 0 (SWAP_HAS_CACHE set), -EEXIST (another page has it) or -ENOENT
 * (the slot is free: nobody needs the page any more).
 */
int swapcache_prepare(struct machine *m, swp_entry_t entry)
{
	return __swap_duplicate(m, entry, SWAP_HAS_CACHE);
}

static void swap_entry_put(struct machine *m, swp_entry_t entry, unsigned char usage,
			   const char *func)
{
	struct swap_info_struct *si;

	spin_lock(&m->swap.swap_lock);
	si = swap_info_get(m, entry, func);
	if (si)
		swap_entry_put_locked(m, si, swp_offset(entry), usage);
	spin_unlock(&m->swap.swap_lock);
}

/**
 * swapcache_clear() - drop SWAP_HAS_CACHE of a slot swapcache_prepare()
 *	claimed but whose page never entered the cache (cf. swapcache_clear)
 * @m: the machine
 * @entry: the slot
 */
void swapcache_clear(struct machine *m, swp_entry_t entry)
{
	swap_entry_put(m, entry, SWAP_HAS_CACHE, "swapcache_clear");
}

/**
 * put_swap_page() - the swap cache no longer holds @entry's page (cf.
 *	put_swap_folio): the slot loses SWAP_HAS_CACHE, and is free if no pte
 *	names it
 * @m: the machine
 * @page: the page (unused; Linux's signature)
 * @entry: its slot
 */
void put_swap_page(struct machine *m, struct page *page, swp_entry_t entry)
{
	(void)page;
	swap_entry_put(m, entry, SWAP_HAS_CACHE, "put_swap_folio");
}

/**
 * swap_free() - a swap pte or shmem entry naming @entry is gone (cf.
 *	swap_free)
 * @m: the machine
 * @entry: the slot
 */
void swap_free(struct machine *m, swp_entry_t entry)
{
	swap_entry_put(m, entry, 1, "swap_free");
}

/**
 * __swap_count() - the swap ptes and shmem entries naming @entry (cf.
 *	swp_swapcount)
 * @m: the machine
 * @entry: a slot
 */
int __swap_count(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(m, entry);
	unsigned long offset = swp_offset(entry);
	int count = 0;

	spin_lock(&m->swap.swap_lock);
	if (si && (si->flags & SWP_USED) && offset && offset < si->max)
		count = slot_count(si, offset);
	spin_unlock(&m->swap.swap_lock);
	return count;
}

/**
 * page_swapcount() - __swap_count() of a swap-cache page's slot (cf.
 *	folio_swapcount)
 * @m: the machine
 * @page: a page with PG_swapcache
 */
int page_swapcount(struct machine *m, struct page *page)
{
	if (!PageSwapCache(page))
		return 0;
	return __swap_count(m, (swp_entry_t){ page->private });
}

/**
 * try_to_free_swap() - free a swap-cache page's slot if no pte or shmem
 *	entry names it any more (cf. folio_free_swap)
 * @m: the machine
 * @page: a locked page
 *
 * The page leaves the swap cache (it is the only copy now, so it is
 * dirtied). Returns true if it did. Not while under writeback.
 */
bool try_to_free_swap(struct machine *m, struct page *page)
{
	if (!PageSwapCache(page) || PageWriteback(page))
		return false;
	if (page_swapcount(m, page))
		return false;
	delete_from_swap_cache(m, page);
	SetPageDirty(page);
	return true;
}

/**
 * free_swap_and_cache() - swap_free(), and when only the swap cache still
 *	holds the slot and its page is mapped nowhere, drop that page too
 *	(cf. free_swap_and_cache)
 * @m: the machine
 * @entry: the slot of a swap pte being zapped
 */
void free_swap_and_cache(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si;
	unsigned long offset = swp_offset(entry);
	unsigned char map = 0;
	struct page *page;

	spin_lock(&m->swap.swap_lock);
	si = swap_info_get(m, entry, "free_swap_and_cache");
	if (si)
		map = swap_entry_put_locked(m, si, offset, 1);
	spin_unlock(&m->swap.swap_lock);
	if (map != SWAP_HAS_CACHE)
		return;
	page = lookup_swap_cache(m, entry);
	if (!page)
		return;
	if (trylock_page(page)) {
		if (page_mapcount(page) <= 0 && !PageWriteback(page))
			try_to_free_swap(m, page);
		unlock_page(m, page);
	}
	put_page(m, page);
}

/* ---- allocating slots ---- */

/* A free slot in [start, end) of one cluster, or 0. */
static unsigned long scan_cluster(struct swap_info_struct *si, unsigned long start,
				  unsigned long end)
{
	if (end > si->max)
		end = si->max;
	for (unsigned long off = start; off < end; off++)
		if (!si->swap_map[off])
			return off;
	return 0;
}

/* The next slot for this CPU: its cluster, a new free cluster, or a scan
 * (cf. cluster_alloc_swap_entry, scan_swap_map_try_ssd_cluster). 0: full. */
static unsigned long scan_swap_map_slot(struct swap_info_struct *si, unsigned int cpu)
{
	unsigned long next = si->percpu_next[cpu], off = 0, start;

	if (next != SWAP_NEXT_INVALID)
		off = scan_cluster(si, next, (next / SWAPFILE_CLUSTER + 1) * SWAPFILE_CLUSTER);
	if (!off && !list_empty(&si->free_clusters)) {
		struct swap_cluster_info *ci =
			list_first_entry(&si->free_clusters, struct swap_cluster_info, list);

		start = (unsigned long)(ci - si->cluster_info) * SWAPFILE_CLUSTER;
		off = scan_cluster(si, start, start + SWAPFILE_CLUSTER);
	}
	if (!off && si->inuse_pages < si->pages) {	/* no free cluster: scan */
		off = scan_cluster(si, si->cluster_next, si->highest_bit + 1UL);
		if (!off)
			off = scan_cluster(si, si->lowest_bit, si->highest_bit + 1UL);
		if (off)
			si->cluster_next = (unsigned int)off + 1;
	}
	if (!off) {
		si->percpu_next[cpu] = SWAP_NEXT_INVALID;
		return 0;
	}
	next = off + 1;
	si->percpu_next[cpu] = next % SWAPFILE_CLUSTER ? (unsigned int)next : SWAP_NEXT_INVALID;
	return off;
}

/* The area to try next: highest priority first, equal priorities in
 * turn (cf. the plist_requeue of swap_alloc_slow). */
static struct swap_info_struct *next_avail_area(struct machine *m, u32 tried)
{
	struct swap_info_struct *best = NULL;

	for (int t = 0; t < m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = m->swap.swap_info[t];

		if (!si || !(si->flags & SWP_WRITEOK) || (tried & (1u << t)) ||
		    si->inuse_pages >= si->pages)
			continue;
		if (!best || si->prio > best->prio ||
		    (si->prio == best->prio && si->alloc_seq < best->alloc_seq))
			best = si;
	}
	return best;
}

/* Take @off of @si for the swap cache. */
static swp_entry_t take_slot(struct machine *m, struct swap_info_struct *si, unsigned long off)
{
	si->swap_map[off] = SWAP_HAS_CACHE;
	swap_range_alloc(m, si, off);
	return swp_entry(si->type, off);
}

/**
 * get_swap_page() - a free slot for @page, SWAP_HAS_CACHE set (cf.
 *	folio_alloc_swap, swap_alloc_fast, swap_alloc_slow)
 * @m: the machine
 * @page: the page to be swapped (unused; Linux's signature)
 *
 * Returns the entry, or val 0 when every area is full (or none exists).
 */
swp_entry_t get_swap_page(struct machine *m, struct page *page)
{
	unsigned int cpu = smp_processor_id(m) % NR_CPUS;
	struct swap_state *ss = &m->swap;
	struct swap_info_struct *si;
	swp_entry_t entry = { 0 };
	unsigned long off;
	u32 tried = 0;

	(void)page;
	spin_lock(&ss->swap_lock);
	if (ss->nr_swap_pages <= 0)
		goto out;
	/* the fast path: this CPU's cluster in the area it last used */
	si = ss->percpu_si[cpu] ? ss->swap_info[ss->percpu_si[cpu] - 1] : NULL;
	if (si && (si->flags & SWP_WRITEOK) && si->percpu_next[cpu] != SWAP_NEXT_INVALID) {
		off = scan_swap_map_slot(si, cpu);
		if (off) {
			entry = take_slot(m, si, off);
			goto out;
		}
	}
	while ((si = next_avail_area(m, tried))) {
		tried |= 1u << si->type;
		si->alloc_seq = ++ss->alloc_seq;
		off = scan_swap_map_slot(si, cpu);
		if (off) {
			ss->percpu_si[cpu] = (int)si->type + 1;
			entry = take_slot(m, si, off);
			break;
		}
	}
out:
	spin_unlock(&ss->swap_lock);
	return entry;
}

/**
 * vm_swap_full() - more than half of the swap space is in use (cf.
 *	vm_swap_full): swap-cache pages then give their slots back early
 * @m: the machine
 */
bool vm_swap_full(struct machine *m)
{
	return m->swap.nr_swap_pages * 2 < m->swap.total_swap_pages;
}

/**
 * get_nr_swap_pages() - free slots in every area (cf. get_nr_swap_pages)
 * @m: the machine
 */
long get_nr_swap_pages(struct machine *m)
{
	return __atomic_load_n(&m->swap.nr_swap_pages, __ATOMIC_RELAXED);
}

/**
 * si_swapinfo() - SwapTotal and SwapFree in pages (cf. si_swapinfo): the
 *	free slots of areas being swapped off count as free, as Linux's
 * @m: the machine
 * @val: filled
 */
void si_swapinfo(struct machine *m, struct swap_sysinfo *val)
{
	long nr_to_be_unused = 0;

	spin_lock(&m->swap.swap_lock);
	for (int t = 0; t < m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = m->swap.swap_info[t];

		if (si && (si->flags & SWP_USED) && !(si->flags & SWP_WRITEOK))
			nr_to_be_unused += si->inuse_pages;
	}
	val->freeswap = (unsigned long)(m->swap.nr_swap_pages + nr_to_be_unused);
	val->totalswap = (unsigned long)(m->swap.total_swap_pages + nr_to_be_unused);
	spin_unlock(&m->swap.swap_lock);
}
