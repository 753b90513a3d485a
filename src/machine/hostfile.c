/* Host files: the backing store of the simulated file system (src/mm/fs.c)
 * and of swap files, in a host directory (m->fs.root). Host-side code
 * (libc allowed); the core reaches it through src/machine/machine.h.
 *
 * The root is the machine description's `files DIR`, or a fresh temporary
 * directory (mkdtemp under $TMPDIR or /tmp) that machine_files_release()
 * removes with everything in it. Paths given by the core are relative to
 * the root; a leading '/' is ignored, and the core has already removed
 * ".." components (fs.c normalises paths), so nothing escapes the root.
 *
 * Invariant: every handle returned is a host fd the core closes with
 * machine_file_close(). Errors are the host's errno, negated. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* root + "/" + path, or -ENAMETOOLONG. */
static int host_path(struct machine *m, const char *path, char *buf, size_t size)
{
	int n;

	while (*path == '/')
		path++;
	n = snprintf(buf, size, "%s/%s", m->fs.root, path);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static void fill_stat(const struct stat *sb, struct machine_file_stat *st)
{
	if (!st)
		return;
	st->ino = (unsigned long)sb->st_ino;
	st->mode = (unsigned int)sb->st_mode;
	st->size = (long long)sb->st_size;
	st->blocks = (long long)sb->st_blocks;
}

int machine_files_init(struct machine *m)
{
	const char *tmp = getenv("TMPDIR");
	struct stat sb;
	int n;

	if (m->desc.files[0]) {
		if (stat(m->desc.files, &sb))
			return -errno;
		if (!S_ISDIR(sb.st_mode))
			return -ENOTDIR;
		n = snprintf(m->fs.root, sizeof(m->fs.root), "%s", m->desc.files);
		m->fs.root_is_temp = false;
		return n < (int)sizeof(m->fs.root) ? 0 : -ENAMETOOLONG;
	}
	if (!tmp || !*tmp)
		tmp = "/tmp";
	n = snprintf(m->fs.root, sizeof(m->fs.root), "%s/mmkit-files.XXXXXX", tmp);
	if (n < 0 || n >= (int)sizeof(m->fs.root))
		return -ENAMETOOLONG;
	if (!mkdtemp(m->fs.root)) {
		m->fs.root[0] = '\0';
		return -errno;
	}
	m->fs.root_is_temp = true;
	return 0;
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void machine_files_release(struct machine *m)
{
	if (m->fs.root_is_temp && m->fs.root[0])
		nftw(m->fs.root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	m->fs.root_is_temp = false;
	m->fs.root[0] = '\0';
}

int machine_file_open(struct machine *m, const char *path, int flags, unsigned int mode,
		      struct machine_file_stat *st)
{
	char buf[512];
	struct stat sb;
	int hflags = 0, fd, err = host_path(m, path, buf, sizeof(buf));

	if (err)
		return err;
	switch (flags & 3) {
	case 0: hflags = O_RDONLY; break;
	case 1: hflags = O_WRONLY; break;
	default: hflags = O_RDWR; break;
	}
	if (flags & 0100)
		hflags |= O_CREAT;
	if (flags & 0200)
		hflags |= O_EXCL;
	if (flags & 0200000)
		hflags |= O_DIRECTORY;
	if (flags & 0400000)
		hflags |= O_NOFOLLOW;
	fd = open(buf, hflags | O_CLOEXEC, (mode_t)mode);
	if (fd < 0 && errno == EISDIR && (hflags & O_ACCMODE) != O_RDONLY)
		return -EISDIR;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb)) {
		err = -errno;
		close(fd);
		return err;
	}
	fill_stat(&sb, st);
	return fd;
}

long machine_file_pread(struct machine *m, int fh, void *buf, unsigned long len, long long off)
{
	unsigned long done = 0;

	(void)m;
	while (done < len) {
		ssize_t n = pread(fh, (char *)buf + done, len - done, (off_t)(off + (long long)done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (long)done : -errno;
		if (n == 0)
			break;
		done += (unsigned long)n;
	}
	return (long)done;
}

long machine_file_pwrite(struct machine *m, int fh, const void *buf, unsigned long len,
			 long long off)
{
	unsigned long done = 0;

	(void)m;
	while (done < len) {
		ssize_t n = pwrite(fh, (const char *)buf + done, len - done,
				   (off_t)(off + (long long)done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return done ? (long)done : (n < 0 ? -errno : -EIO);
		done += (unsigned long)n;
	}
	return (long)done;
}

int machine_file_fstat(struct machine *m, int fh, struct machine_file_stat *st)
{
	struct stat sb;

	(void)m;
	if (fstat(fh, &sb))
		return -errno;
	fill_stat(&sb, st);
	return 0;
}

long long machine_file_size(struct machine *m, int fh)
{
	struct machine_file_stat st;
	int err = machine_file_fstat(m, fh, &st);

	return err ? err : st.size;
}

int machine_file_truncate(struct machine *m, int fh, long long size)
{
	(void)m;
	return ftruncate(fh, (off_t)size) ? -errno : 0;
}

int machine_file_fsync(struct machine *m, int fh)
{
	(void)m;
	return fsync(fh) ? -errno : 0;
}

int machine_file_close(struct machine *m, int fh)
{
	(void)m;
	return close(fh) ? -errno : 0;
}

int machine_file_unlink(struct machine *m, const char *path)
{
	char buf[512];
	int err = host_path(m, path, buf, sizeof(buf));

	if (err)
		return err;
	return unlink(buf) ? -errno : 0;
}

int machine_disk_init(struct machine *m, const char *name, u64 bytes)
{
	char buf[512];
	struct stat sb;
	int fd, n, err = 0;

	n = snprintf(buf, sizeof(buf), "%s/dev", m->fs.root);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%s/dev/%s", m->fs.root, name);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -ENAMETOOLONG;
	fd = open(buf, O_RDWR | O_CREAT | O_CLOEXEC, 0660);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb))
		err = -errno;
	else if (!S_ISREG(sb.st_mode))
		err = -EINVAL;
	else if ((u64)sb.st_size != bytes && ftruncate(fd, (off_t)bytes))
		err = -errno;
	close(fd);
	return err;
}
