/* read(2), write(2), pread64, pwrite64 and lseek(2) on the simulated file
 * system (cf. fs/read_write.c ksys_read, vfs_read, vfs_write,
 * generic_file_llseek; mm/filemap.c generic_write_checks).
 *
 * The bytes go through the page cache (src/mm/filemap.c) and the user
 * memory of the current task (copy_to_user / copy_from_user), so they are
 * coherent with every mapping of the file. Checks come in Linux's order:
 * the fd (EBADF), its mode (EBADF), a directory (EISDIR), the buffer
 * (EFAULT via access_ok), the position (EINVAL), the size limits
 * (EFBIG).
 *
 * Invariant: f_pos only moves by the bytes actually transferred. */
#include "mm/filemap.h"

static bool file_is_dir(const struct file *file)
{
	return file->f_inode && (file->f_inode->i_mode & MMKIT_S_IFMT) == MMKIT_S_IFDIR;
}

/* vfs_read's checks and the read itself at *pos. */
static long vfs_read(struct machine *m, struct file *file, unsigned long buf,
		     unsigned long count, long long *pos)
{
	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	if (!file->f_inode || !file->f_inode->i_data.a_ops)
		return -EINVAL;
	if (!access_ok(m, buf, count))
		return -EFAULT;
	if (file_is_dir(file))
		return -EISDIR;
	if (*pos < 0)
		return -EINVAL;
	return filemap_read(m, file, buf, count, pos);
}

/* generic_write_checks: O_APPEND, MAX_LFS_FILESIZE, RLIMIT_FSIZE. The
 * bytes allowed, or -EFBIG. */
static long write_checks(struct machine *m, struct file *file, long long *pos,
			 unsigned long count)
{
	struct task_struct *tsk = get_current(m);
	unsigned long limit = tsk ? tsk->rlim[RLIMIT_FSIZE].rlim_cur : ~0UL;

	if (is_swapfile_ino(m, file->f_inode->i_ino))
		return -ETXTBSY;	/* generic_write_checks_count: IS_SWAPFILE */
	if (file->f_flags & O_APPEND)
		*pos = file->f_inode->i_size;
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	if (MMKIT_S_ISBLK(file->f_inode->i_mode)) {	/* blkdev_write_iter */
		long long size = file->f_inode->i_size;

		if (*pos >= size)
			return -ENOSPC;
		if ((long long)count > size - *pos)
			count = (unsigned long)(size - *pos);
		return (long)count;
	}
	if (limit != ~0UL) {
		if ((unsigned long long)*pos >= limit)
			return -EFBIG;	/* Linux also sends SIGXFSZ */
		if (count > limit - (unsigned long)*pos)
			count = limit - (unsigned long)*pos;
	}
	if (*pos >= MAX_LFS_FILESIZE)
		return -EFBIG;
	if ((long long)count > MAX_LFS_FILESIZE - *pos)
		count = (unsigned long)(MAX_LFS_FILESIZE - *pos);
	return (long)count;
}

/* vfs_write's checks and the write itself at *pos. */
static long vfs_write(struct machine *m, struct file *file, unsigned long buf,
		      unsigned long count, long long *pos)
{
	long n;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (!file->f_inode || !file->f_inode->i_data.a_ops || file_is_dir(file))
		return -EINVAL;
	if (!access_ok(m, buf, count))
		return -EFAULT;
	if (*pos < 0)
		return -EINVAL;
	if (!count)
		return 0;
	n = write_checks(m, file, pos, count);
	if (n <= 0)
		return n;
	return generic_perform_write(m, file, buf, (unsigned long)n, pos);
}

/* read/write: @rw at f_pos, which moves by what was done (cf. ksys_read,
 * ksys_write). */
static long ksys_rw(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count,
		    long (*rw)(struct machine *, struct file *, unsigned long, unsigned long,
			       long long *))
{
	int err = 0;
	struct file *file = fget_err(m, fd, &err);
	long long pos;
	long ret;

	if (!file)
		return err;
	pos = (long long)file->f_pos;
	ret = rw(m, file, uword(m, buf), uword(m, count), &pos);
	if (ret >= 0)
		file->f_pos = (u64)pos;
	fput_fd(m, file);
	return ret;
}

/**
 * sys_read() - read(2)
 * @m: the machine
 * @fd: an fd open for reading
 * @buf: user address in the current task
 * @count: bytes (at most MAX_RW_COUNT are read)
 *
 * Returns the bytes read (0 at EOF), or -EBADF, -EISDIR, -EFAULT, -EIO.
 */
long sys_read(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count)
{
	return ksys_rw(m, fd, buf, count, vfs_read);
}

/**
 * sys_write() - write(2)
 * @m: the machine
 * @fd: an fd open for writing
 * @buf: user address in the current task
 * @count: bytes
 *
 * Returns the bytes written, or -EBADF, -EFAULT, -EFBIG (RLIMIT_FSIZE,
 * the maximum file size), -ENOMEM.
 */
long sys_write(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count)
{
	return ksys_rw(m, fd, buf, count, vfs_write);
}

/* pread64/pwrite64: @rw at @pos, f_pos untouched (cf. ksys_pread64,
 * ksys_pwrite64). */
static long ksys_prw(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count,
		     long long pos,
		     long (*rw)(struct machine *, struct file *, unsigned long, unsigned long,
				long long *))
{
	int err = 0;
	struct file *file;
	long ret;

	if (pos < 0)
		return -EINVAL;
	file = fget_err(m, fd, &err);
	if (!file)
		return err;
	ret = rw(m, file, uword(m, buf), uword(m, count), &pos);
	fput_fd(m, file);
	return ret;
}

/**
 * sys_pread64() - pread64(2): read at @pos without moving f_pos
 * @m: the machine
 * @fd: an fd open for reading
 * @buf: user address
 * @count: bytes
 * @pos: file offset; negative is -EINVAL
 */
long sys_pread64(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count,
		 long long pos)
{
	return ksys_prw(m, fd, buf, count, pos, vfs_read);
}

/**
 * sys_pwrite64() - pwrite64(2): write at @pos without moving f_pos (with
 *	O_APPEND Linux appends whatever @pos says, and so does mmkit)
 * @m: the machine
 * @fd: an fd open for writing
 * @buf: user address
 * @count: bytes
 * @pos: file offset; negative is -EINVAL
 */
long sys_pwrite64(struct machine *m, unsigned int fd, unsigned long buf, unsigned long count,
		  long long pos)
{
	return ksys_prw(m, fd, buf, count, pos, vfs_write);
}

/**
 * sys_lseek() - lseek(2) (cf. generic_file_llseek)
 * @m: the machine
 * @fd: an open fd
 * @offset: the offset
 * @whence: SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE
 *
 * Returns the new position, or -EBADF, -EINVAL (bad whence, a negative
 * or too large result), -ENXIO (SEEK_DATA/SEEK_HOLE at or past EOF).
 */
long long sys_lseek(struct machine *m, unsigned int fd, long long offset, unsigned int whence)
{
	int err = 0;
	struct file *file = fget_err(m, fd, &err);
	long long isize, pos;

	if (!file)
		return err;
	isize = file->f_inode ? file->f_inode->i_size : 0;
	switch (whence) {
	case SEEK_SET: pos = offset; break;
	case SEEK_CUR: pos = (long long)file->f_pos + offset; break;
	case SEEK_END: pos = isize + offset; break;
	case SEEK_DATA: pos = offset < 0 || offset >= isize ? -ENXIO : offset; break;
	case SEEK_HOLE: pos = offset < 0 || offset >= isize ? -ENXIO : isize; break;
	default: pos = -EINVAL; break;
	}
	if (pos == -ENXIO && (whence == SEEK_DATA || whence == SEEK_HOLE))
		err = -ENXIO;
	else if (whence > SEEK_HOLE || pos < 0 || pos > MAX_LFS_FILESIZE)
		err = -EINVAL;
	if (!err)
		file->f_pos = (u64)pos;
	fput_fd(m, file);
	return err ? err : pos;
}
