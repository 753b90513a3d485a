/* The swap invariant checker (cf. CONFIG_DEBUG_VM; run from
 * check_user_memory, so after every test step at debug_vm 2). See the
 * invariants in mm/swap.h. The per-slot pte counts go to si->check_map,
 * allocated at swapon when debug_vm is on, so the checker itself never
 * allocates. Shmem's swap entries (value entries in the i_pages of the
 * objects on m->ipc.shmem_inodes) are counted with the ptes, so each
 * slot's count must equal its references exactly. The machine must be
 * quiescent. */
#include "mm/shmem_fs.h"
#include "mm/swap.h"

#define BAD_MAX 20

/* Report a violation (the first BAD_MAX of a check); evaluates to 1. */
#define bad(m, nbad, fmt, ...)                                          \
	({                                                              \
		if ((nbad) < BAD_MAX)                                   \
			pr_err(m, fmt, ##__VA_ARGS__);                  \
		1;                                                      \
	})

/**
 * swap_check_begin() - zero the per-slot pte counters
 * @m: the machine
 */
void swap_check_begin(struct machine *m)
{
	for (int t = 0; t < m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = m->swap.swap_info[t];

		if (si && si->check_map && si->max)
			mm_memset(si->check_map, 0, si->max * sizeof(*si->check_map));
	}
}

/**
 * swap_check_pte() - count a swap pte naming @entry
 * @m: the machine
 * @entry: its entry
 *
 * Returns 0, or 1 when the entry names no area, a bad offset or a free slot.
 */
int swap_check_pte(struct machine *m, swp_entry_t entry)
{
	struct swap_info_struct *si = swp_swap_info(m, entry);
	unsigned long off = swp_offset(entry);

	if (!si || !(si->flags & SWP_USED) || !off || off >= si->max)
		return 1;
	if (!(si->swap_map[off] & ~SWAP_HAS_CACHE) || si->swap_map[off] == SWAP_MAP_BAD)
		return 1;
	if (si->check_map)
		si->check_map[off]++;
	return 0;
}

/* Count the swap entries shmem objects hold, like swap ptes (the
 * references shmem_writepage took with swap_duplicate). */
static int count_shmem_entries(struct machine *m)
{
	struct shmem_inode_info *info;
	int n = 0;

	spin_lock(&m->ipc.shmem_lock);
	list_for_each_entry(info, &m->ipc.shmem_inodes, swaplist) {
		struct address_space *mapping = info->inode->i_mapping;
		unsigned long index;
		void *entry;

		xa_lock(&mapping->i_pages);
		xa_for_each(&mapping->i_pages, index, entry)
			if (xa_is_value(entry) && swap_check_pte(m, (swp_entry_t){ xa_to_value(entry) }))
				n += bad(m, n, "BUG: shmem ino %lu index %lx: bad swap entry %lx\n",
					 (unsigned long)info->inode->i_ino, index, xa_to_value(entry));
		xa_unlock(&mapping->i_pages);
	}
	spin_unlock(&m->ipc.shmem_lock);
	return n;
}

/* The counts of one slot against its ptes and the swap cache. */
static int check_slot(struct machine *m, struct swap_info_struct *si, unsigned long off, int nbad)
{
	unsigned char map = si->swap_map[off];
	unsigned long count = map & SWAP_COUNT_MASK;
	struct page *page = xa_load(&si->swap_cache.i_pages, off);
	int n = 0;

	if (map & COUNT_CONTINUED) {
		void *v = xa_load(&si->swap_cont, off);

		count += v ? xa_to_value(v) : 0;
	}
	if (si->check_map) {
		unsigned long ptes = si->check_map[off];

		if (count != ptes)
			n += bad(m, nbad + n, "BUG: swap slot %u:%lx: count %lu but %lu swap ptes\n",
				 si->type, off, count, ptes);
	}
	if (!!(map & SWAP_HAS_CACHE) != !!page)
		n += bad(m, nbad + n, "BUG: swap slot %lx: SWAP_HAS_CACHE %d and the cache differ\n",
			 off, !!(map & SWAP_HAS_CACHE));
	if (page && (!PageSwapCache(page) || page->private != swp_entry(si->type, off).val))
		n += bad(m, nbad + n, "BUG: swap slot %lx: cache page pfn %lx is not its page\n", off,
			 page_to_pfn(m, page));
	return n;
}

/* One area: the slot counts, the counters and the clusters. */
static int check_area(struct machine *m, struct swap_info_struct *si, int nbad)
{
	unsigned long inuse = 0, nr_free_clusters = 0;
	int n = 0;

	for (unsigned long off = 1; off < si->max; off++) {
		if (si->swap_map[off])
			inuse++;
		n += check_slot(m, si, off, nbad + n);
	}
	if (inuse != si->inuse_pages)
		n += bad(m, nbad + n, "BUG: swap area: inuse_pages %lu, %lu slots in use\n",
			 (unsigned long)si->inuse_pages, inuse);
	for (unsigned long c = 0; c * SWAPFILE_CLUSTER < si->max; c++) {
		unsigned long used = 0, end = (c + 1) * SWAPFILE_CLUSTER;

		for (unsigned long off = c * SWAPFILE_CLUSTER; off < end && off < si->max; off++)
			used += si->swap_map[off] != 0;
		if (used != si->cluster_info[c].count)
			n += bad(m, nbad + n, "BUG: swap cluster %lu: count %u, %lu slots in use\n",
				 c, si->cluster_info[c].count, used);
		if (si->cluster_info[c].free && used)
			n += bad(m, nbad + n, "BUG: swap cluster %lu on the free list with %lu slots\n",
				 c, used);
		nr_free_clusters += si->cluster_info[c].free;
	}
	if (nr_free_clusters != si->nr_free_clusters)
		n += bad(m, nbad + n, "BUG: swap area: %lu free clusters, %lu counted\n",
			 si->nr_free_clusters, nr_free_clusters);
	return n;
}

/**
 * swap_check_end() - compare the counted swap ptes with swap_map and check
 *	the areas' counters (see mm/swap.h)
 * @m: the machine
 *
 * Returns the number of violations, each reported.
 */
int swap_check_end(struct machine *m)
{
	long free = 0, total = 0;
	int n = count_shmem_entries(m);

	for (int t = 0; t < m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = m->swap.swap_info[t];

		if (!si || !si->max)
			continue;
		n += check_area(m, si, n);
		if (si->flags & SWP_WRITEOK) {
			free += si->pages - si->inuse_pages;
			total += si->pages;
		} else {
			free -= si->inuse_pages;	/* swapoff subtracted all its pages */
		}
	}
	if (free != m->swap.nr_swap_pages || total != m->swap.total_swap_pages)
		n += bad(m, n, "BUG: nr_swap_pages %ld total_swap_pages %ld, areas say %ld %ld\n",
			 m->swap.nr_swap_pages, m->swap.total_swap_pages, free, total);
	return n;
}
