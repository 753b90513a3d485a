/* swapon(2) and swapoff(2), and the mkswap helper (cf. mm/swapfile.c
 * SYSCALL_DEFINE2(swapon), read_swap_header, setup_swap_map,
 * enable_swap_info, SYSCALL_DEFINE1(swapoff), reinsert_swap_info;
 * util-linux mkswap). The slot allocator is mm/swapfile.c, try_to_unuse
 * mm/swap_unuse.c.
 *
 * An area's file is opened through the host seam and kept open while the
 * area is active; two paths name the same area when the host file is the
 * same inode (Linux compares the mapping). swapon checks the header as
 * read_swap_header does, with the same kernel messages and EINVAL; a file
 * that is already an area gives EBUSY; the 32nd area EPERM (MAX_SWAPFILES
 * is 31: type 31 is the PTE marker type).
 *
 * Invariant: an area with SWP_WRITEOK counts its free slots in
 * nr_swap_pages and all its usable slots in total_swap_pages (and
 * m->vm.total_swap_pages, which overcommit reads); one being swapped off
 * counts in neither. */
#include <mmkit/vmalloc.h>

#include "mm/swap.h"

#define K(pages) ((unsigned long)(pages) << (PAGE_SHIFT - 10))
#define S_IFMT_LINUX 0170000
#define S_IFREG_LINUX 0100000
#define S_IFDIR_LINUX 0040000

static void swap_state_init(struct machine *m)
{
	if (!m->swap.least_priority)
		m->swap.least_priority = -1;
}

/* A free type (cf. alloc_swap_info): -EPERM when all MAX_SWAPFILES (31) are taken. */
static struct swap_info_struct *alloc_swap_info(struct machine *m, int *err)
{
	struct swap_info_struct *si = kzalloc(m, sizeof(*si), GFP_KERNEL);
	int type;

	*err = -ENOMEM;
	if (!si)
		return NULL;
	spin_lock(&m->swap.swap_lock);
	for (type = 0; type < MAX_SWAPFILES; type++)
		if (!m->swap.swap_info[type])
			break;
	if (type >= MAX_SWAPFILES) {
		spin_unlock(&m->swap.swap_lock);
		kfree(m, si);
		*err = -EPERM;
		return NULL;
	}
	si->type = (unsigned int)type;
	si->flags = SWP_USED;
	si->file = -1;
	m->swap.swap_info[type] = si;
	if (type >= m->swap.nr_swapfiles)
		m->swap.nr_swapfiles = type + 1;
	spin_unlock(&m->swap.swap_lock);
	spin_lock_init(&si->lock);
	xa_init(&si->swap_cont);
	xa_init(&si->swap_cache.i_pages);
	spin_lock_init(&si->swap_cache.i_mmap_lock);
	INIT_LIST_HEAD(&si->swap_cache.i_mmap);
	INIT_LIST_HEAD(&si->free_clusters);
	return si;
}

/* Give the type back and free what swapon set up. */
static void free_swap_info(struct machine *m, struct swap_info_struct *si)
{
	spin_lock(&m->swap.swap_lock);
	m->swap.swap_info[si->type] = NULL;
	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		if (m->swap.percpu_si[cpu] == (int)si->type + 1)
			m->swap.percpu_si[cpu] = 0;
	spin_unlock(&m->swap.swap_lock);
	if (si->file >= 0)
		machine_file_close(m, si->file);
	xa_destroy(m, &si->swap_cont);
	xa_destroy(m, &si->swap_cache.i_pages);
	if (si->swap_map)
		vfree(m, si->swap_map);
	if (si->cluster_info)
		vfree(m, si->cluster_info);
	if (si->check_map)
		vfree(m, si->check_map);
	kfree(m, si);
}

/* The usable pages the header describes, or 0 (cf. read_swap_header). */
static unsigned long read_swap_header(struct machine *m, const union swap_header *h,
				      long long size)
{
	unsigned long maxpages = max_swapfile_size(m), last_page, filepages;

	if (mm_memcmp(SWAP_HEADER_MAGIC, h->magic.magic, 10)) {
		pr_err(m, "Unable to find swap-space signature\n");
		return 0;
	}
	if (h->info.version != 1) {
		pr_warn(m, "Unable to handle swap header version %d\n", (int)h->info.version);
		return 0;
	}
	last_page = h->info.last_page;
	if (!last_page) {
		pr_warn(m, "Empty swap-file\n");
		return 0;
	}
	if (last_page > maxpages)
		pr_warn(m, "Truncating oversized swap area, only using %luk out of %luk\n",
			K(maxpages), K(last_page));
	if (maxpages > last_page) {
		maxpages = last_page + 1;
		if ((unsigned int)maxpages == 0)	/* si->max is an unsigned int */
			maxpages = 0xffffffffUL;
	}
	filepages = (unsigned long)(size >> PAGE_SHIFT);
	if (filepages && maxpages > filepages) {
		pr_warn(m, "Swap area shorter than signature indicates\n");
		return 0;
	}
	if (h->info.nr_badpages)	/* a regular file has none (S_ISREG) */
		return 0;
	return maxpages;
}

/* swap_map, the clusters and the counters for @maxpages slots (cf.
 * setup_swap_map, setup_swap_clusters_info). 0 or -errno. */
static int setup_swap_map(struct machine *m, struct swap_info_struct *si,
			  unsigned long maxpages)
{
	unsigned long nr_clusters = (maxpages + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;

	si->swap_map = vzalloc(m, maxpages);
	si->cluster_info = vzalloc(m, nr_clusters * sizeof(*si->cluster_info));
	if (!si->swap_map || !si->cluster_info)
		return -ENOMEM;
	if (m->debug_vm) {
		si->check_map = vzalloc(m, maxpages * sizeof(*si->check_map));
		if (!si->check_map)
			return -ENOMEM;
	}
	si->max = (unsigned int)maxpages;
	si->swap_map[0] = SWAP_MAP_BAD;	/* the header */
	si->cluster_info[0].count = 1;
	si->pages = (unsigned int)(maxpages - 1);
	si->inuse_pages = 0;
	si->lowest_bit = 1;
	si->highest_bit = (unsigned int)(maxpages - 1);
	si->cluster_next = 1;
	for (unsigned long i = 0; i < nr_clusters; i++) {
		struct swap_cluster_info *ci = &si->cluster_info[i];

		if (ci->count)
			continue;
		list_add_tail(&ci->list, &si->free_clusters);
		ci->free = true;
		si->nr_free_clusters++;
	}
	if (!si->pages) {
		pr_warn(m, "Empty swap-file\n");
		return -EINVAL;
	}
	return 0;
}

/* The area @path names (same host inode), or NULL. Caller holds swap_lock. */
static struct swap_info_struct *find_area(struct machine *m, unsigned long ino, bool writeok)
{
	for (int t = 0; t < m->swap.nr_swapfiles; t++) {
		struct swap_info_struct *si = m->swap.swap_info[t];

		if (si && si->ino == ino && si->max && (!writeok || (si->flags & SWP_WRITEOK)))
			return si;
	}
	return NULL;
}

/**
 * is_swapfile_ino() - is the host file @ino an active swap area (Linux's
 *	IS_SWAPFILE(inode): unlink is EPERM, write and shrinking truncate
 *	ETXTBSY while it is)
 * @m: the machine
 * @ino: the host inode number (inode->i_ino of the simulated fs)
 */
bool is_swapfile_ino(struct machine *m, unsigned long ino)
{
	bool ret;

	if (!m->swap.nr_swapfiles)
		return false;
	spin_lock(&m->swap.swap_lock);
	ret = find_area(m, ino, false) != NULL;
	spin_unlock(&m->swap.swap_lock);
	return ret;
}

/* The name /proc/swaps shows: absolute in the simulated file system. */
static void set_swap_path(struct swap_info_struct *si, const char *path)
{
	size_t n = 0;

	while (*path == '/')
		path++;
	si->path[n++] = '/';
	while (*path && n < sizeof(si->path) - 1)
		si->path[n++] = *path++;
	si->path[n] = '\0';
}

/* Make the area usable with @prio (cf. enable_swap_info/_enable_swap_info). */
static void enable_swap_info(struct machine *m, struct swap_info_struct *si, int prio)
{
	spin_lock(&m->swap.swap_lock);
	if (prio >= 0)
		si->prio = (short)prio;
	else
		si->prio = (short)--m->swap.least_priority;
	si->flags |= SWP_WRITEOK;
	m->swap.nr_swap_pages += si->pages - si->inuse_pages;
	m->swap.total_swap_pages += si->pages;
	m->vm.total_swap_pages = (unsigned long)m->swap.total_swap_pages;
	spin_unlock(&m->swap.swap_lock);
}

/* Open and check @path; the handle, or -errno. */
static int open_swap_file(struct machine *m, const char *path, struct machine_file_stat *st)
{
	int fh;

	if (!path)
		return -EFAULT;
	if (!*path)
		return -ENOENT;
	if (!m->fs.root[0])
		return -ENOENT;	/* no file system */
	fh = machine_file_open(m, path, O_RDWR, 0, st);
	if (fh >= 0 && (st->mode & S_IFMT_LINUX) == S_IFDIR_LINUX) {
		machine_file_close(m, fh);
		return -EISDIR;	/* open(O_RDWR) of a directory */
	}
	return fh;
}

long sys_swapon(struct machine *m, const char *path, int swap_flags)
{
	struct machine_file_stat st;
	struct swap_info_struct *si;
	union swap_header *h = NULL;
	unsigned long maxpages;
	int err, prio = -1;
	long got;

	if (swap_flags & ~SWAP_FLAGS_VALID)
		return -EINVAL;
	swap_state_init(m);
	si = alloc_swap_info(m, &err);
	if (!si)
		return err;
	err = open_swap_file(m, path, &st);
	if (err < 0)
		goto bad_swap;
	si->file = err;
	si->ino = st.ino;
	err = -EINVAL;
	if ((st.mode & S_IFMT_LINUX) != S_IFREG_LINUX)
		goto bad_swap;
	if (bdev_index(m, path) >= 0)
		si->flags |= SWP_BLKDEV;	/* a disk: /proc/swaps says partition */
	spin_lock(&m->swap.swap_lock);
	err = find_area(m, st.ino, false) ? -EBUSY : 0;	/* IS_SWAPFILE(inode) */
	spin_unlock(&m->swap.swap_lock);
	if (err)
		goto bad_swap;
	err = -ENOMEM;
	h = kzalloc(m, PAGE_SIZE, GFP_KERNEL);
	if (!h)
		goto bad_swap;
	got = machine_file_pread(m, si->file, h, PAGE_SIZE, 0);	/* past EOF: zeros */
	if (got < 0) {
		err = (int)got;
		goto bad_swap;
	}
	maxpages = read_swap_header(m, h, st.size);
	err = -EINVAL;
	if (!maxpages)
		goto bad_swap;
	err = setup_swap_map(m, si, maxpages);
	if (err)
		goto bad_swap;
	set_swap_path(si, path);
	if (swap_flags & SWAP_FLAG_PREFER)
		prio = (swap_flags & SWAP_FLAG_PRIO_MASK) >> SWAP_FLAG_PRIO_SHIFT;
	enable_swap_info(m, si, prio);
	pr_info(m, "Adding %luk swap on %s.  Priority:%d extents:%d across:%lluk %s%s%s%s\n",
		K(si->pages), si->path, si->prio, 1, (unsigned long long)K(si->pages),
		(si->flags & SWP_SOLIDSTATE) ? "SS" : "",
		(si->flags & SWP_DISCARDABLE) ? "D" : "",
		(si->flags & SWP_AREA_DISCARD) ? "s" : "",
		(si->flags & SWP_PAGE_DISCARD) ? "c" : "");
	kfree(m, h);
	return 0;
bad_swap:
	if (h)
		kfree(m, h);
	free_swap_info(m, si);
	return err;
}

/* swapoff failed: the area takes slots again (cf. reinsert_swap_info). */
static void reinsert_swap_info(struct machine *m, struct swap_info_struct *si)
{
	spin_lock(&m->swap.swap_lock);
	si->flags |= SWP_WRITEOK;
	m->swap.nr_swap_pages += si->pages;
	m->swap.total_swap_pages += si->pages;
	m->vm.total_swap_pages = (unsigned long)m->swap.total_swap_pages;
	spin_unlock(&m->swap.swap_lock);
}

/* Stop allocating from @si; default priorities below it move up. */
static void disable_swap_info(struct machine *m, struct swap_info_struct *si)
{
	spin_lock(&m->swap.swap_lock);
	if (si->prio < 0) {
		for (int t = 0; t < m->swap.nr_swapfiles; t++) {
			struct swap_info_struct *o = m->swap.swap_info[t];

			if (o && o != si && (o->flags & SWP_WRITEOK) && o->prio < si->prio)
				o->prio++;
		}
		m->swap.least_priority++;
	}
	si->flags &= ~SWP_WRITEOK;
	m->swap.nr_swap_pages -= si->pages;
	m->swap.total_swap_pages -= si->pages;
	m->vm.total_swap_pages = (unsigned long)m->swap.total_swap_pages;
	spin_unlock(&m->swap.swap_lock);
}

long sys_swapoff(struct machine *m, const char *path)
{
	struct machine_file_stat st;
	struct swap_info_struct *si;
	int fh, err;
	short prio;

	swap_state_init(m);
	fh = open_swap_file(m, path, &st);
	if (fh < 0)
		return fh;
	machine_file_close(m, fh);
	spin_lock(&m->swap.swap_lock);
	si = find_area(m, st.ino, true);
	spin_unlock(&m->swap.swap_lock);
	if (!si)
		return -EINVAL;
	prio = si->prio;
	disable_swap_info(m, si);
	err = try_to_unuse(m, si->type);
	if (err) {
		/* the priorities of the others moved up: give this one a
		 * fresh default below them, as reinsert_swap_info does */
		spin_lock(&m->swap.swap_lock);
		si->prio = prio >= 0 ? prio : (short)--m->swap.least_priority;
		spin_unlock(&m->swap.swap_lock);
		reinsert_swap_info(m, si);
		return err;
	}
	VM_WARN_ON(m, si->inuse_pages || si->swap_cache.nrpages);
	free_swap_info(m, si);
	return 0;
}

int mmkit_mkswap(struct machine *m, const char *path, unsigned long bytes)
{
	int disk = path ? bdev_index(m, path) : -1;
	unsigned long pages;
	struct machine_file_stat st;
	union swap_header *h;
	long done = 0;
	int fh;

	if (disk >= 0) {	/* a disk: never truncated; 0 means all of it */
		if (!bytes)
			bytes = (unsigned long)m->desc.disks[disk].bytes;
		if (bytes > m->desc.disks[disk].bytes)
			return -EINVAL;	/* mkswap: "size ... is larger than device size" */
	}
	pages = bytes / PAGE_SIZE;

	if (pages < 10)
		return -EINVAL;	/* mkswap: "swap space needs to be at least 40 KiB" */
	if (pages - 1 > 0xffffffffUL)
		return -EFBIG;
	if (!m->fs.root[0])
		return -ENOENT;
	fh = machine_file_open(m, path, disk >= 0 ? O_RDWR : O_RDWR | O_CREAT | O_TRUNC, 0600, &st);
	if (fh < 0)
		return fh;
	h = kzalloc(m, PAGE_SIZE, GFP_KERNEL);
	if (!h) {
		machine_file_close(m, fh);
		return -ENOMEM;
	}
	/* the whole file written (a hole would be refused by swapon) */
	for (unsigned long p = 1; p < pages && done >= 0; p++)
		done = machine_file_pwrite(m, fh, h, PAGE_SIZE, (long long)(p * PAGE_SIZE));
	h->info.version = 1;
	h->info.last_page = (u32)(pages - 1);
	h->info.nr_badpages = 0;
	mm_memcpy(h->magic.magic, SWAP_HEADER_MAGIC, 10);
	if (done >= 0)
		done = machine_file_pwrite(m, fh, h, PAGE_SIZE, 0);
	kfree(m, h);
	machine_file_close(m, fh);
	return done < 0 ? (int)done : 0;
}
