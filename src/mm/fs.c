/* The simulated file system: inodes over host files, open files, the
 * per-process fd table, and the syscalls that name files (cf.
 * fs/inode.c, fs/file_table.c, fs/file.c, fs/open.c, fs/namei.c
 * do_unlinkat, fs/sync.c, fs/stat.c; the backing store is
 * src/machine/hostfile.c).
 *
 * One flat namespace under the machine's host directory (m->fs.root):
 * "/a/b" is ROOT/a/b. Paths are normalised ("." and ".." resolved
 * lexically, never above the root). An inode is created on the first open
 * of a path and kept in m->fs.inodes (the inode cache) with its page cache
 * after the last close, as Linux keeps it, until the name is unlinked and
 * the last reference goes, or the machine is destroyed. The host file is
 * opened read-write when the host allows it, whatever the open's mode, so
 * writeback can always reach it.
 *
 * References: an inode's i_count counts its struct files (and new_inode's
 * caller); a struct file's f_count its fd-table slots and transient users
 * (f_nr_fds of them) plus the VMAs mapping it; the last fput iputs the
 * inode. A files_struct is shared by CLONE_FILES (threads), copied by
 * fork, put by exit (closing everything).
 *
 * Invariants: an inode with i_nlink > 0 is found by its path; an unlinked
 * inode is freed when i_count drops to 0; every slot of an fd table holds
 * one reference (f_nr_fds) of its file. */
#include "mm/filemap.h"

/* ---- the host file as the backing store ---- */

/* Fill a page from the host file (cf. a filesystem's read_folio). */
static int hostfs_readpage(struct machine *m, struct file *file, struct page *page)
{
	struct inode *inode = page_file_mapping(page)->host;
	long long pos = (long long)page->index << PAGE_SHIFT;
	void *kaddr = kmap_atomic(m, page);
	long n = machine_file_pread(m, inode->i_host, kaddr, PAGE_SIZE, pos);

	(void)file;
	if (n >= 0 && (unsigned long)n < PAGE_SIZE)
		mm_memset((char *)kaddr + n, 0, PAGE_SIZE - (unsigned long)n);
	kunmap_atomic(m, kaddr);
	if (n < 0) {
		unlock_page(m, page);
		return -EIO;
	}
	SetPageUptodate(page);
	/* pgpgin as /proc/vmstat shows it: KiB (Linux counts sectors, shows /2) */
	count_vm_events(m, PGPGIN, PAGE_SIZE >> 10);
	unlock_page(m, page);
	return 0;
}

/* Write a page (locked, dirty bit cleared) to the host file, up to i_size
 * (cf. a filesystem's writepage); unlocks it. */
static int hostfs_writepage(struct machine *m, struct page *page, struct writeback_control *wbc)
{
	struct address_space *mapping = page_file_mapping(page);
	struct inode *inode = mapping->host;
	long long pos = (long long)page->index << PAGE_SHIFT, isize = inode->i_size;
	unsigned long len;
	void *kaddr;
	long n;
	int err = 0;

	(void)wbc;
	if (pos >= isize) {	/* truncated meanwhile: nothing to write */
		unlock_page(m, page);
		return 0;
	}
	len = isize - pos < (long long)PAGE_SIZE ? (unsigned long)(isize - pos) : PAGE_SIZE;
	set_page_writeback(m, page);
	kaddr = kmap_atomic(m, page);
	n = machine_file_pwrite(m, inode->i_host, kaddr, len, pos);
	kunmap_atomic(m, kaddr);
	if (n != (long)len) {
		err = n == -ENOSPC ? -ENOSPC : -EIO;
		__atomic_fetch_or(&mapping->flags, 1UL << (err == -ENOSPC ? AS_ENOSPC : AS_EIO),
				  __ATOMIC_RELAXED);
		pr_err(m, "Buffer I/O error on dev sda1, logical block %llu, lost async page write\n",
		       (unsigned long long)page->index);
	}
	count_vm_events(m, PGPGOUT, PAGE_SIZE >> 10);
	end_page_writeback(m, page);
	unlock_page(m, page);
	return err;
}

const struct address_space_operations hostfs_aops = {
	.readpage = hostfs_readpage,
	.writepage = hostfs_writepage,
};

/* ---- inodes ---- */

/**
 * inode_init_mapping() - initialise an address_space owned by @host (cf.
 *	address_space_init_once, inode_init_always)
 * @mapping: the mapping
 * @host: its inode
 * @a_ops: what reads and writes its pages
 */
void inode_init_mapping(struct address_space *mapping, struct inode *host,
			const struct address_space_operations *a_ops)
{
	mm_memset(mapping, 0, sizeof(*mapping));
	mapping->host = host;
	xa_init(&mapping->i_pages);
	spin_lock_init(&mapping->i_mmap_lock);
	INIT_LIST_HEAD(&mapping->i_mmap);
	mapping->a_ops = a_ops;
}

static struct inode *alloc_inode(struct machine *m, const struct address_space_operations *a_ops)
{
	struct inode *inode = kzalloc(m, sizeof(*inode), GFP_KERNEL);

	if (!inode)
		return NULL;
	inode->i_mapping = &inode->i_data;
	inode_init_mapping(&inode->i_data, inode, a_ops);
	spin_lock_init(&inode->i_lock);
	INIT_LIST_HEAD(&inode->i_files);
	inode->i_host = -1;
	inode->i_count = 1;
	inode->i_dev = m->fs.s_dev;
	return inode;
}

static void inode_add(struct machine *m, struct inode *inode)
{
	spin_lock(&m->fs.inode_lock);
	list_add_tail(&inode->i_list, &m->fs.inodes);
	m->fs.nr_inodes++;
	spin_unlock(&m->fs.inode_lock);
}

/**
 * new_inode() - an anonymous inode: an empty page cache, no host file, no
 *	name (cf. new_inode; shmem builds on it)
 * @m: the machine
 * @a_ops: its mapping's operations (may be NULL)
 *
 * i_count 1, i_nlink 0 (the last iput frees it), i_mode S_IFREG, a fresh
 * i_ino. Returns NULL without memory.
 */
struct inode *new_inode(struct machine *m, const struct address_space_operations *a_ops)
{
	struct inode *inode = alloc_inode(m, a_ops);

	if (!inode)
		return NULL;
	inode->i_mode = MMKIT_S_IFREG | 0600;
	inode->i_ino = __atomic_add_fetch(&m->fs.next_ino, 1, __ATOMIC_RELAXED);
	inode_add(m, inode);
	return inode;
}

/**
 * ihold() - take another reference on an inode someone holds (cf. ihold)
 * @inode: the inode
 */
void ihold(struct inode *inode)
{
	__atomic_fetch_add(&inode->i_count, 1, __ATOMIC_RELAXED);
}

/* Free an inode nobody references and no name reaches (cf. evict). */
static void evict(struct machine *m, struct inode *inode)
{
	spin_lock(&m->fs.inode_lock);
	list_del(&inode->i_list);
	m->fs.nr_inodes--;
	spin_unlock(&m->fs.inode_lock);
	inode->i_state |= I_FREEING;
	if (inode->i_evict)
		inode->i_evict(m, inode);
	truncate_inode_pages(m, &inode->i_data, 0);
	xa_destroy(m, &inode->i_data.i_pages);
	if (inode->i_host >= 0)
		machine_file_close(m, inode->i_host);
	kfree(m, inode);
}

/**
 * iput() - drop a reference to an inode (cf. iput)
 * @m: the machine
 * @inode: the inode
 *
 * The last reference to an unlinked (or anonymous) inode frees it with
 * its pages; a named inode stays cached with its pages.
 */
void iput(struct machine *m, struct inode *inode)
{
	if (__atomic_sub_fetch(&inode->i_count, 1, __ATOMIC_ACQ_REL))
		return;
	if (!inode->i_nlink)
		evict(m, inode);
}

/* The cached inode of a (normalised) path, referenced; NULL if none. */
static struct inode *ilookup(struct machine *m, const char *path)
{
	struct inode *inode, *found = NULL;

	spin_lock(&m->fs.inode_lock);
	list_for_each_entry(inode, &m->fs.inodes, i_list)
		if (inode->i_nlink && inode->i_host >= 0 && !mm_strcmp(inode->i_path, path)) {
			ihold(inode);
			found = inode;
			break;
		}
	spin_unlock(&m->fs.inode_lock);
	return found;
}

/* Resolve "." and ".." lexically into an absolute path in @out. 0,
 * -ENOENT (empty), -ENAMETOOLONG. *@trailing_slash: the path ended in '/'. */
static int normalize_path(const char *path, char *out, bool *trailing_slash)
{
	size_t len = 0, n;

	if (!*path)
		return -ENOENT;
	n = mm_strlen(path);
	if (n >= FS_PATH_MAX)
		return -ENAMETOOLONG;
	*trailing_slash = path[n - 1] == '/';
	out[0] = '\0';
	while (*path) {
		const char *c;

		while (*path == '/')
			path++;
		for (c = path; *c && *c != '/'; c++)
			;
		n = (size_t)(c - path);
		if (n == 2 && path[0] == '.' && path[1] == '.') {
			while (len && out[len - 1] != '/')
				len--;
			if (len)
				len--;
			out[len] = '\0';
		} else if (n && !(n == 1 && path[0] == '.')) {
			if (n > 255)
				return -ENAMETOOLONG;
			out[len++] = '/';
			mm_memcpy(out + len, path, n);
			len += n;
			out[len] = '\0';
		}
		path = c;
	}
	if (!len) {
		out[0] = '/';
		out[1] = '\0';
	}
	return 0;
}

static bool inode_is_dir(const struct inode *inode)
{
	return (inode->i_mode & MMKIT_S_IFMT) == MMKIT_S_IFDIR;
}

/* Open the host file of @path and make its inode (cf. lookup + d_instantiate). */
static struct inode *inode_from_host(struct machine *m, const char *path, int flags,
				     unsigned int mode, int *err)
{
	struct machine_file_stat st;
	struct inode *inode, *raced;
	int fh = machine_file_open(m, path, O_RDWR | (flags & (O_CREAT | O_EXCL)), mode, &st);

	if (fh == -EACCES || fh == -EISDIR || fh == -EROFS)
		fh = machine_file_open(m, path, O_RDONLY | (flags & (O_CREAT | O_EXCL)), mode, &st);
	if (fh < 0) {
		*err = fh;
		return NULL;
	}
	raced = ilookup(m, path);	/* another CPU opened it meanwhile */
	if (raced || !(inode = alloc_inode(m, &hostfs_aops))) {
		machine_file_close(m, fh);
		*err = -ENOMEM;
		return raced;
	}
	inode->i_ino = st.ino;
	inode->i_mode = st.mode;
	inode->i_size = st.size;
	inode->i_nlink = 1;
	inode->i_host = fh;
	if (bdev_index(m, path) >= 0)
		bdev_setup_inode(m, inode, bdev_index(m, path));
	mm_memcpy(inode->i_path, path, mm_strlen(path) + 1);
	inode_add(m, inode);
	return inode;
}

/* The size changes to @length (cf. do_truncate, truncate_setsize). */
static int inode_truncate(struct machine *m, struct inode *inode, long long length)
{
	long long old;
	int err;

	/* inode_newsize_ok: shrinking an active swap file would let swap-out
	 * scribble on freed blocks */
	if (length < inode->i_size && is_swapfile_ino(m, inode->i_ino))
		return -ETXTBSY;
	err = machine_file_truncate(m, inode->i_host, length);
	if (err)
		return err;
	spin_lock(&inode->i_lock);
	old = inode->i_size;
	inode->i_size = length;
	spin_unlock(&inode->i_lock);
	if (length < old)
		truncate_pagecache(m, inode, length);
	return 0;
}

/* ---- open files ---- */

/**
 * alloc_file() - a struct file for @inode, which it references (cf.
 *	alloc_file_pseudo)
 * @m: the machine
 * @inode: the inode (the file takes a reference: ihold)
 * @name: the path /proc/PID/maps shows
 * @flags: O_* of the open
 * @fops: release hook for the owner's private_data, or NULL
 *
 * f_count is 1; the caller owns that reference (fd_install_new() makes it
 * an fd-table one). NULL without memory.
 */
struct file *alloc_file(struct machine *m, struct inode *inode, const char *name,
			unsigned int flags, const struct file_operations *fops)
{
	struct file *file = kzalloc(m, sizeof(*file), GFP_KERNEL);
	size_t n = mm_strlen(name);

	if (!file)
		return NULL;
	ihold(inode);
	file->f_op = fops;
	file->f_inode = inode;
	file->f_mapping = inode->i_mapping;
	file->f_flags = flags;
	file->f_mode = ((flags & O_ACCMODE) == O_RDONLY || (flags & O_ACCMODE) == O_RDWR ? FMODE_READ : 0) |
		       ((flags & O_ACCMODE) == O_WRONLY || (flags & O_ACCMODE) == O_RDWR ? FMODE_WRITE : 0);
	file->f_count = 1;
	file->f_ino = inode->i_ino;
	file->f_dev = inode->i_dev;
	file->f_size = (unsigned long)inode->i_size;
	if (n >= sizeof(file->f_path))
		n = sizeof(file->f_path) - 1;
	mm_memcpy(file->f_path, name, n);
	file->f_path[n] = '\0';
	file_ra_state_init(m, &file->f_ra);
	spin_lock(&inode->i_lock);
	list_add_tail(&file->f_ilist, &inode->i_files);
	spin_unlock(&inode->i_lock);
	return file;
}

/**
 * file_release_inode() - the last fput of a file with an inode: unlist it
 *	and drop its inode reference (cf. __fput's dput/iput)
 * @m: the machine
 * @file: the file being freed
 */
void file_release_inode(struct machine *m, struct file *file)
{
	struct inode *inode = file->f_inode;

	if (!inode)
		return;
	spin_lock(&inode->i_lock);
	list_del(&file->f_ilist);
	spin_unlock(&inode->i_lock);
	file->f_inode = NULL;
	iput(m, inode);
}

/* ---- the syscalls that name files ---- */

static const struct file_operations hostfs_file_ops = { .mmap = generic_file_mmap };
static const struct file_operations hostfs_dir_ops = { .mmap = NULL };	/* mmap: -ENODEV */

/* The inode of @path opened as @flags asks, referenced. */
static struct inode *open_inode(struct machine *m, const char *path, int flags,
				unsigned int mode, int *err)
{
	struct inode *inode = ilookup(m, path);

	if (inode && (flags & O_CREAT) && (flags & O_EXCL)) {
		iput(m, inode);
		*err = -EEXIST;
		return NULL;
	}
	if (!inode)
		inode = inode_from_host(m, path, flags, mode, err);
	return inode;
}

/* The checks of may_open/do_open on the inode found. */
static int open_check(struct machine *m, struct inode *inode, int flags, bool trailing_slash)
{
	int acc = flags & O_ACCMODE;

	(void)m;
	if (inode_is_dir(inode)) {
		if (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC)))
			return -EISDIR;
		return 0;
	}
	if ((flags & O_DIRECTORY) || trailing_slash)
		return -ENOTDIR;
	return 0;
}

/**
 * sys_open() - open(2) on the simulated file system (cf. do_sys_open)
 * @m: the machine
 * @path: the path (a kernel string; relative paths start at "/")
 * @flags: O_RDONLY/O_WRONLY/O_RDWR | O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
 *	O_DIRECTORY, O_CLOEXEC ...
 * @mode: permissions of a created file
 *
 * Returns the lowest free fd, or -errno: -EFAULT (NULL path), -ENOENT,
 * -EEXIST (O_CREAT|O_EXCL), -EISDIR (a directory for writing), -ENOTDIR,
 * -ENAMETOOLONG, -EMFILE (RLIMIT_NOFILE), -EACCES (the host refuses).
 */
long sys_open(struct machine *m, const char *path, int flags, unsigned int mode)
{
	struct files_struct *files = current_files(m);
	char norm[FS_PATH_MAX];
	bool slash = false;
	struct inode *inode;
	struct file *file;
	int err, fd;

	if (!get_current(m))
		return -ESRCH;
	if (!m->fs.ready || !files)
		return -ENOMEM;
	spin_lock(&files->file_lock);	/* EMFILE comes before the lookup */
	fd = find_free_fd(m, files);
	spin_unlock(&files->file_lock);
	if (fd < 0)
		return fd;
	if (!path)
		return -EFAULT;
	err = normalize_path(path, norm, &slash);
	if (err)
		return err;
	if (slash && (flags & O_CREAT))
		return -EISDIR;
	inode = open_inode(m, norm, flags, mode & 07777, &err);
	if (!inode)
		return err;
	err = open_check(m, inode, flags, slash);
	if (!err && (flags & O_TRUNC) && inode->i_size && !MMKIT_S_ISBLK(inode->i_mode))
		err = inode_truncate(m, inode, 0);	/* may_open drops O_TRUNC for devices */
	file = err ? NULL : alloc_file(m, inode, norm, (unsigned int)flags,
				       inode_is_dir(inode) ? &hostfs_dir_ops : &hostfs_file_ops);
	iput(m, inode);	/* the file holds its own reference */
	if (!file)
		return err ? err : -ENOMEM;
	fd = fd_install_new(m, file, (unsigned int)flags);
	if (fd < 0)
		fput(m, file);
	return fd;
}

/**
 * sys_close() - close(2)
 * @m: the machine
 * @fd: the fd
 *
 * Dirty pages stay in the cache (close does not write them, as on Linux's
 * local filesystems). Returns 0 or -EBADF.
 */
long sys_close(struct machine *m, unsigned int fd)
{
	struct task_struct *tsk = get_current(m);
	struct files_struct *files = tsk ? tsk->files : NULL;
	struct file *file = NULL;

	if (!tsk)
		return -ESRCH;
	if (!files)
		return -EBADF;
	spin_lock(&files->file_lock);
	if (fd < files->max_fds && (file = files->fd[fd])) {
		files->fd[fd] = NULL;
		if (fd < files->next_fd)
			files->next_fd = fd;
	}
	spin_unlock(&files->file_lock);
	if (!file)
		return -EBADF;
	fput_fd(m, file);
	return 0;
}

/**
 * sys_dup() - dup(2): the lowest free fd for the same open file
 * @m: the machine
 * @fd: an open fd
 */
long sys_dup(struct machine *m, unsigned int fd)
{
	int err = 0, newfd;
	struct file *file = fget_err(m, fd, &err);

	if (!file)
		return err;
	newfd = fd_install_new(m, file, 0);	/* takes fget's reference */
	if (newfd < 0)
		fput_fd(m, file);
	return newfd;
}

static bool exceeds_fsize(struct machine *m, long long length)
{
	struct task_struct *tsk = get_current(m);
	unsigned long lim = tsk ? tsk->rlim[RLIMIT_FSIZE].rlim_cur : ~0UL;

	return lim != ~0UL && length >= 0 && (unsigned long long)length > lim;
}

/**
 * sys_ftruncate() - ftruncate(2): set the size; shrinking unmaps and drops
 *	the pages past it (cf. do_sys_ftruncate)
 * @m: the machine
 * @fd: an fd open for writing
 * @length: the new size
 *
 * Returns 0, -EINVAL (negative, not open for writing, not a regular
 * file), -EBADF, -EFBIG (RLIMIT_FSIZE).
 */
long sys_ftruncate(struct machine *m, unsigned int fd, long long length)
{
	struct file *file;
	int err = 0;

	if (length < 0)
		return -EINVAL;
	file = fget_err(m, fd, &err);
	if (!file)
		return err;
	if (inode_is_dir(file->f_inode) || !(file->f_mode & FMODE_WRITE) ||
	    MMKIT_S_ISBLK(file->f_inode->i_mode))
		err = -EINVAL;	/* not a regular file open for writing */
	else if (exceeds_fsize(m, length))
		err = -EFBIG;
	else
		err = inode_truncate(m, file->f_inode, length);
	fput_fd(m, file);
	return err;
}

/**
 * sys_truncate() - truncate(2) by path
 * @m: the machine
 * @path: the file
 * @length: the new size
 */
long sys_truncate(struct machine *m, const char *path, long long length)
{
	char norm[FS_PATH_MAX];
	struct inode *inode;
	bool slash;
	int err;

	if (!path)
		return -EFAULT;
	if (length < 0)
		return -EINVAL;
	err = normalize_path(path, norm, &slash);
	if (err)
		return err;
	inode = open_inode(m, norm, 0, 0, &err);
	if (!inode)
		return err;
	if (inode_is_dir(inode))
		err = -EISDIR;
	else if (MMKIT_S_ISBLK(inode->i_mode))
		err = -EINVAL;	/* vfs_truncate: not a regular file */
	else if (exceeds_fsize(m, length))
		err = -EFBIG;
	else
		err = inode_truncate(m, inode, length);
	iput(m, inode);
	return err;
}

/**
 * vfs_fsync_range() - write bytes [@start, @end] of @file back and flush
 *	the host file (cf. vfs_fsync_range)
 * @m: the machine
 * @file: the open file
 * @start: first byte
 * @end: last byte, inclusive
 * @datasync: fdatasync (the same here)
 */
int vfs_fsync_range(struct machine *m, struct file *file, long long start, long long end,
		    int datasync)
{
	struct inode *inode = file->f_inode;
	int err, err2 = 0;

	(void)datasync;
	if (!inode)
		return -EINVAL;
	err = filemap_write_and_wait_range(m, file->f_mapping, start, end);
	if (inode->i_host >= 0)
		err2 = machine_file_fsync(m, inode->i_host);
	return err ? err : err2;
}

/* fsync/fdatasync of the whole file (cf. do_fsync). */
static long do_fsync(struct machine *m, unsigned int fd, int datasync)
{
	int err = 0;
	struct file *file = fget_err(m, fd, &err);

	if (!file)
		return err;
	err = vfs_fsync_range(m, file, 0, MAX_LFS_FILESIZE, datasync);
	fput_fd(m, file);
	return err;
}

/**
 * sys_fsync() - fsync(2)
 * @m: the machine
 * @fd: an open fd
 *
 * Returns 0, -EBADF, or the write error met since the last check (-EIO).
 */
long sys_fsync(struct machine *m, unsigned int fd)
{
	return do_fsync(m, fd, 0);
}

/**
 * sys_fdatasync() - fdatasync(2)
 * @m: the machine
 * @fd: an open fd
 */
long sys_fdatasync(struct machine *m, unsigned int fd)
{
	return do_fsync(m, fd, 1);
}

/**
 * sys_sync() - sync(2): write every dirty page back
 * @m: the machine
 */
long sys_sync(struct machine *m)
{
	sync_filesystems(m);
	return 0;
}

/* " (deleted)" after the names of the inode's open files, as d_path
 * shows an unlinked dentry. */
static void mark_files_deleted(struct inode *inode)
{
	struct file *file;

	spin_lock(&inode->i_lock);
	list_for_each_entry(file, &inode->i_files, f_ilist) {
		size_t n = mm_strlen(file->f_path);

		if (n + 11 <= sizeof(file->f_path))
			mm_memcpy(file->f_path + n, " (deleted)", 11);
	}
	spin_unlock(&inode->i_lock);
}

/**
 * sys_unlink() - unlink(2): remove the name; an open or mapped file lives
 *	on until its last reference (cf. do_unlinkat)
 * @m: the machine
 * @path: the file
 *
 * Returns 0, -ENOENT, -EISDIR (a directory), -ENOTDIR, -EFAULT (NULL),
 * -EPERM (an active swap file, or a disk's node).
 */
long sys_unlink(struct machine *m, const char *path)
{
	char norm[FS_PATH_MAX];
	struct inode *inode;
	bool slash;
	int err;

	if (!path)
		return -EFAULT;
	err = normalize_path(path, norm, &slash);
	if (err)
		return err;
	if (bdev_index(m, norm) >= 0)
		return -EPERM;	/* mmkit: a disk's node stays (there is no mknod) */
	inode = ilookup(m, norm);
	if (slash) {
		/* "name/" must be a directory: a file stays, ENOTDIR (or
		 * ENOENT when there is nothing), cf. do_unlinkat */
		struct machine_file_stat hs;
		int fh = inode ? 0 : machine_file_open(m, norm, O_RDONLY, 0, &hs);

		if (inode)
			iput(m, inode);
		else if (fh >= 0)
			machine_file_close(m, fh);
		return fh < 0 ? fh : -ENOTDIR;
	}
	if (m->swap.nr_swapfiles) {	/* may_delete: IS_SWAPFILE is EPERM */
		struct machine_file_stat hs;
		int fh = machine_file_open(m, norm, O_RDONLY, 0, &hs);

		if (fh >= 0) {
			machine_file_close(m, fh);
			if (is_swapfile_ino(m, hs.ino)) {
				if (inode)
					iput(m, inode);
				return -EPERM;
			}
		}
	}
	err = machine_file_unlink(m, norm);
	if (inode) {
		if (!err) {
			inode->i_nlink = 0;
			mark_files_deleted(inode);
		}
		iput(m, inode);	/* the last reference frees it now */
	}
	return err;
}

/**
 * sys_fstat() - fstat(2)'s device, inode, mode, links and size
 * @m: the machine
 * @fd: an open fd
 * @st: filled (a kernel buffer)
 */
long sys_fstat(struct machine *m, unsigned int fd, struct mmkit_stat *st)
{
	struct machine_file_stat hs = { 0 };
	int err = 0;
	struct file *file = fget_err(m, fd, &err);
	struct inode *inode;

	if (!file)
		return err;
	inode = file->f_inode;
	if (inode->i_host >= 0)
		machine_file_fstat(m, inode->i_host, &hs);
	st->st_dev = inode->i_dev;
	st->st_ino = inode->i_ino;
	st->st_mode = inode->i_mode;
	st->st_nlink = inode->i_nlink;
	st->st_size = MMKIT_S_ISBLK(inode->i_mode) ? 0 : inode->i_size;
	st->st_rdev = inode->i_rdev;
	st->st_blksize = PAGE_SIZE;
	st->st_blocks = hs.blocks;
	fput_fd(m, file);
	return 0;
}

/**
 * mmkit_fsize() - i_size of the file behind @fd
 * @m: the machine
 * @fd: an open fd
 */
long long mmkit_fsize(struct machine *m, unsigned int fd)
{
	int err = 0;
	struct file *file = fget_err(m, fd, &err);
	long long size;

	if (!file)
		return err;
	size = file->f_inode ? file->f_inode->i_size : 0;
	fput_fd(m, file);
	return size;
}

/* ---- setup and teardown ---- */

/**
 * vfs_caches_init() - set up the simulated file system: the host
 *	directory (`files` in the machine description, or a temporary one),
 *	read-ahead and fault-around defaults (cf. vfs_caches_init)
 * @m: the machine, at boot
 *
 * Returns 0 or the host's -errno for a `files` directory that is not one.
 */
int vfs_caches_init(struct machine *m)
{
	int err;

	if (m->fs.ready)
		return 0;
	spin_lock_init(&m->fs.inode_lock);
	INIT_LIST_HEAD(&m->fs.inodes);
	m->fs.read_ahead_kb = 128;
	m->fs.fault_around_bytes = 65536;
	m->fs.s_dev = MKDEV(8, 1);
	m->fs.next_ino = 0;
	err = machine_files_init(m);
	if (err) {
		pr_err(m, "VFS: cannot use files directory %s (error %d)\n", m->desc.files, err);
		return err;
	}
	for (int i = 0; i < m->desc.nr_disks; i++) {
		err = machine_disk_init(m, m->desc.disks[i].name, m->desc.disks[i].bytes);
		if (err) {
			pr_err(m, "virtio_blk: cannot back /dev/%s (error %d)\n",
			       m->desc.disks[i].name, err);
			return err;
		}
		pr_info(m, "virtio_blk virtio%d: [%s] %llu 512-byte logical blocks (%llu MB/%llu MiB)\n",
			i, m->desc.disks[i].name,
			(unsigned long long)(m->desc.disks[i].bytes >> 9),
			(unsigned long long)(m->desc.disks[i].bytes / 1000000),
			(unsigned long long)(m->desc.disks[i].bytes >> 20));
	}
	m->fs.ready = true;
	return 0;
}

/**
 * fs_shutdown() - at machine destroy: write every dirty page to its host
 *	file, close the host files, remove a temporary directory
 * @m: the machine
 */
void fs_shutdown(struct machine *m)
{
	struct inode *inode;

	if (!m->fs.ready)
		return;
	sync_filesystems(m);
	spin_lock(&m->fs.inode_lock);
	list_for_each_entry(inode, &m->fs.inodes, i_list)
		if (inode->i_host >= 0) {
			machine_file_close(m, inode->i_host);
			inode->i_host = -1;
		}
	spin_unlock(&m->fs.inode_lock);
	machine_files_release(m);
	m->fs.ready = false;
}
