/* Block devices (cf. block/bdev.c, block/fops.c): the disks of the
 * machine description (`disk NAME SIZE`) appear as /dev/NAME, block
 * special files backed by the host files ROOT/dev/NAME (created at boot by
 * machine_disks_init). A device has a fixed size: writes stop at its end
 * (ENOSPC past it, as blkdev_write_iter), truncation is refused (EINVAL,
 * as for any file that is not regular), O_TRUNC is ignored (may_open), and
 * its page cache is what /proc/meminfo calls Buffers (nr_blockdev_pages).
 * Swap on a disk is a "partition" in /proc/swaps.
 *
 * Invariant: a block device inode's i_size is its disk's size. */
#include "mm/filemap.h"

/**
 * bdev_index() - which disk @path names
 * @m: the machine
 * @path: a path of the simulated file system ("/dev/vda"; leading
 *	slashes optional, as the host seam takes them)
 *
 * Returns the index in m->desc.disks, or -1 when @path is no disk.
 */
int bdev_index(const struct machine *m, const char *path)
{
	while (*path == '/')
		path++;
	if (mm_strncmp(path, "dev/", 4))
		return -1;
	for (int i = 0; i < m->desc.nr_disks; i++)
		if (!mm_strcmp(path + 4, m->desc.disks[i].name))
			return i;
	return -1;
}

/**
 * bdev_setup_inode() - make @inode the block device of disk @index:
 *	mode brw-rw----, rdev VIRTBLK_MAJOR:16*index, the disk's size
 * @m: the machine
 * @inode: a fresh inode of /dev/NAME
 * @index: bdev_index()'s answer
 */
void bdev_setup_inode(struct machine *m, struct inode *inode, int index)
{
	inode->i_mode = MMKIT_S_IFBLK | 0660;
	inode->i_rdev = MKDEV(VIRTBLK_MAJOR, 16 * (unsigned int)index);
	inode->i_size = (long long)m->desc.disks[index].bytes;
}

/**
 * nr_blockdev_pages() - pages in the page caches of block devices, what
 *	/proc/meminfo shows as Buffers (cf. nr_blockdev_pages)
 * @m: the machine
 */
unsigned long nr_blockdev_pages(struct machine *m)
{
	unsigned long pages = 0;
	struct inode *inode;

	if (!m->fs.ready)
		return 0;
	spin_lock(&m->fs.inode_lock);
	list_for_each_entry(inode, &m->fs.inodes, i_list)
		if (MMKIT_S_ISBLK(inode->i_mode))
			pages += __atomic_load_n(&inode->i_data.nrpages, __ATOMIC_RELAXED);
	spin_unlock(&m->fs.inode_lock);
	return pages;
}
