/* read()/write() and the other file syscalls on the simulated file system:
 * data through the page cache to the host file, Linux's errno for bad
 * input (compared with the host kernel on real files), read-ahead window
 * sizes, dirty/writeback accounting, unlink of an open file, fd tables
 * across fork and exit. */
#include "file_test.h"

/* ---- errno compared with the host kernel ---- */

enum rw_op { OP_OPEN, OP_READ, OP_WRITE, OP_LSEEK, OP_FTRUNCATE, OP_PREAD, OP_UNLINK, OP_CLOSE };

struct rw_case {
	const char *what;
	enum rw_op op;
	const char *path;	/* OP_OPEN/OP_UNLINK */
	int flags;		/* OP_OPEN: open flags; others: how the fd is opened (-1: bad fd) */
	long long arg;		/* lseek offset / ftruncate length / pread pos */
	int whence;
	bool bad_buffer;
};

/* Set up the same tree on both sides: "file" (100 bytes), "dir/". */
static void make_tree(const char *dir)
{
	char p[512];
	int fd;

	snprintf(p, sizeof(p), "%s/file", dir);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789", 100), 100);
	close(fd);
	snprintf(p, sizeof(p), "%s/dir", dir);
	mkdir(p, 0755);
}

static long host_case(const char *dir, const struct rw_case *c)
{
	char p[512], buf[64];
	long r;
	int fd = -1;

	if (c->path && !*c->path)
		p[0] = '\0';	/* the empty path */
	else
		snprintf(p, sizeof(p), "%s/%s", dir, c->path ? c->path : "file");
	if (c->op != OP_OPEN && c->op != OP_UNLINK && c->flags >= 0) {
		fd = open(p, c->flags);
		assert_true(fd >= 0);
	} else if (c->op != OP_OPEN && c->op != OP_UNLINK) {
		fd = 999;
	}
	switch (c->op) {
	case OP_OPEN: r = open(p, c->flags, 0644); break;
	case OP_READ: r = read(fd, c->bad_buffer ? (void *)8 : buf, sizeof(buf)); break;
	case OP_WRITE: r = write(fd, c->bad_buffer ? (void *)8 : buf, sizeof(buf)); break;
	case OP_LSEEK: r = lseek(fd, (off_t)c->arg, c->whence); break;
	case OP_FTRUNCATE: r = ftruncate(fd, (off_t)c->arg); break;
	case OP_PREAD: r = pread(fd, buf, sizeof(buf), (off_t)c->arg); break;
	case OP_UNLINK: r = unlink(p); break;
	default: r = close(fd); break;
	}
	if (r < 0)
		r = -errno;
	else if (c->op == OP_OPEN)
		close((int)r);
	if (fd >= 0 && fd != 999 && c->op != OP_CLOSE)
		close(fd);
	return r < 0 ? r : 0;
}

static long mmkit_case(struct machine *m, struct ft_files *f, const struct rw_case *c)
{
	unsigned long buf = c->bad_buffer ? 8 : f->ubuf;
	const char *path = c->path ? c->path : "file";
	long r;
	int fd = -1;

	if (c->op != OP_OPEN && c->op != OP_UNLINK)
		fd = c->flags >= 0 ? (int)sys_open(m, path, c->flags, 0) : 999;
	if (c->op != OP_OPEN && c->op != OP_UNLINK && c->flags >= 0)
		assert_true(fd >= 0);
	switch (c->op) {
	case OP_OPEN: r = sys_open(m, path, c->flags, 0644); break;
	case OP_READ: r = sys_read(m, (unsigned int)fd, buf, 64); break;
	case OP_WRITE: r = sys_write(m, (unsigned int)fd, buf, 64); break;
	case OP_LSEEK: r = (long)sys_lseek(m, (unsigned int)fd, c->arg, (unsigned int)c->whence); break;
	case OP_FTRUNCATE: r = sys_ftruncate(m, (unsigned int)fd, c->arg); break;
	case OP_PREAD: r = sys_pread64(m, (unsigned int)fd, buf, 64, c->arg); break;
	case OP_UNLINK: r = sys_unlink(m, path); break;
	default: r = sys_close(m, (unsigned int)fd); break;
	}
	if (c->op == OP_OPEN && r >= 0)
		sys_close(m, (unsigned int)r);
	if (fd >= 0 && fd != 999 && c->op != OP_CLOSE)
		sys_close(m, (unsigned int)fd);
	return r < 0 ? r : 0;
}

static void test_errno_matches_host_kernel(void **state)
{
	static const struct rw_case cases[] = {
		{ "open missing", OP_OPEN, "missing", O_RDONLY, 0, 0, false },
		{ "open missing dir component", OP_OPEN, "nodir/x", O_RDONLY | O_CREAT, 0, 0, false },
		{ "O_CREAT|O_EXCL existing", OP_OPEN, "file", O_RDWR | O_CREAT | O_EXCL, 0, 0, false },
		{ "open dir O_RDWR", OP_OPEN, "dir", O_RDWR, 0, 0, false },
		{ "open dir O_WRONLY", OP_OPEN, "dir", O_WRONLY, 0, 0, false },
		{ "open dir O_RDONLY", OP_OPEN, "dir", O_RDONLY, 0, 0, false },
		{ "O_DIRECTORY on a file", OP_OPEN, "file", O_RDONLY | O_DIRECTORY, 0, 0, false },
		{ "file as a directory", OP_OPEN, "file/x", O_RDONLY, 0, 0, false },
		{ "empty path", OP_OPEN, "", O_RDONLY, 0, 0, false },
		/* the file must stay: the cases below open it */
		{ "unlink a file with a trailing slash", OP_UNLINK, "file/", 0, 0, 0, false },
		{ "read bad fd", OP_READ, NULL, -1, 0, 0, false },
		{ "read O_WRONLY fd", OP_READ, NULL, O_WRONLY, 0, 0, false },
		{ "read a directory", OP_READ, "dir", O_RDONLY, 0, 0, false },
		{ "read into a bad buffer", OP_READ, NULL, O_RDONLY, 0, 0, true },
		{ "write O_RDONLY fd", OP_WRITE, NULL, O_RDONLY, 0, 0, false },
		{ "write from a bad buffer", OP_WRITE, NULL, O_RDWR, 0, 0, true },
		{ "lseek bad whence", OP_LSEEK, NULL, O_RDONLY, 0, 7, false },
		{ "lseek negative", OP_LSEEK, NULL, O_RDONLY, -1, SEEK_SET, false },
		{ "lseek SEEK_DATA past EOF", OP_LSEEK, NULL, O_RDONLY, 100, SEEK_DATA, false },
		{ "lseek SEEK_HOLE past EOF", OP_LSEEK, NULL, O_RDONLY, 200, SEEK_HOLE, false },
		{ "lseek bad fd", OP_LSEEK, NULL, -1, 0, SEEK_SET, false },
		{ "ftruncate O_RDONLY fd", OP_FTRUNCATE, NULL, O_RDONLY, 10, 0, false },
		{ "ftruncate negative", OP_FTRUNCATE, NULL, O_RDWR, -1, 0, false },
		{ "ftruncate bad fd", OP_FTRUNCATE, NULL, -1, 0, 0, false },
		{ "pread negative", OP_PREAD, NULL, O_RDONLY, -1, 0, false },
		{ "unlink missing", OP_UNLINK, "missing", 0, 0, 0, false },
		{ "unlink a directory", OP_UNLINK, "dir", 0, 0, 0, false },
		{ "close bad fd", OP_CLOSE, NULL, -1, 0, 0, false },
	};
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	char host[256];
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(host, sizeof(host), "%s/mmkit-host.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(host));
	make_tree(host);
	make_tree(f.dir);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		long want = host_case(host, &cases[i]);
		long got = mmkit_case(m, &f, &cases[i]);

		if (want != got)
			fprintf(stderr, "%s: host %ld, mmkit %ld\n", cases[i].what, want, got);
		assert_int_equal(got, want);
	}
	nftw(host, fl_rm, 8, FTW_DEPTH | FTW_PHYS);
	fl_done(m, &f);
}

/* ---- data ---- */

static void test_write_then_read_round_trip_through_user_memory(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	char data[10000], back[10000];
	int fd = (int)sys_open(m, "/data", O_RDWR | O_CREAT, 0644);

	(void)state;
	assert_int_equal(fd, 0);	/* the lowest free fd: no stdio here */
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)fl_pattern(i);
	assert_int_equal(fl_write(m, &f, fd, data, sizeof(data)), sizeof(data));
	assert_int_equal(mmkit_fsize(m, fd), sizeof(data));
	assert_int_equal(sys_lseek(m, fd, 0, SEEK_CUR), sizeof(data));
	assert_int_equal(sys_lseek(m, fd, 0, SEEK_SET), 0);
	memset(back, 0, sizeof(back));
	assert_int_equal(fl_read(m, &f, fd, back, sizeof(back)), sizeof(back));
	assert_memory_equal(back, data, sizeof(data));
	assert_int_equal(fl_read(m, &f, fd, back, 10), 0);	/* EOF */
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 5, 4094), 5);
	assert_int_equal(mmkit_read(m, f.ubuf, back, 5), 0);
	assert_memory_equal(back, data + 4094, 5);
	assert_int_equal(sys_close(m, fd), 0);
	fl_done(m, &f);
}

static void test_dirty_pages_reach_the_host_file_at_fsync(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	char data[3 * 4096];
	unsigned long dirty0 = meminfo_kb(m, "Dirty:"), written0 = fl_node(m, NR_WRITTEN);
	unsigned long pgpgout0 = vm_event(m, PGPGOUT);
	unsigned char *host;
	long len = -1;
	int fd = (int)sys_open(m, "out", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	(void)state;
	memset(data, 'x', sizeof(data));
	assert_int_equal(fl_write(m, &f, fd, data, sizeof(data)), sizeof(data));
	/* in the page cache only: dirty, the host file still empty */
	assert_int_equal(meminfo_kb(m, "Dirty:") - dirty0, 12);
	host = fl_host_read(&f, "out", &len);
	assert_int_equal(len, 0);
	free(host);
	assert_int_equal(sys_fsync(m, fd), 0);
	assert_int_equal(meminfo_kb(m, "Dirty:"), dirty0);
	assert_int_equal(meminfo_kb(m, "\nWriteback:"), 0);
	assert_int_equal(fl_node(m, NR_WRITTEN) - written0, 3);
	assert_int_equal(vm_event(m, PGPGOUT) - pgpgout0, 12);	/* KiB, as /proc/vmstat */
	host = fl_host_read(&f, "out", &len);
	assert_int_equal(len, sizeof(data));
	assert_memory_equal(host, data, sizeof(data));
	free(host);
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_close_keeps_pages_cached_and_destroy_writes_them(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	char dir[256];
	unsigned long cached0 = meminfo_kb(m, "\nCached:");
	int fd = (int)sys_open(m, "kept", O_RDWR | O_CREAT, 0644);
	unsigned char *host;
	long len;

	(void)state;
	assert_int_equal(fl_write(m, &f, fd, "hello", 5), 5);
	assert_int_equal(sys_close(m, fd), 0);
	/* Linux keeps the inode and its page cached after close, dirty */
	assert_int_equal(meminfo_kb(m, "\nCached:") - cached0, 4);
	assert_int_equal(meminfo_kb(m, "Dirty:"), 4);
	strcpy(dir, f.dir);
	vt_done(m);	/* destroy: the dirty page reaches the file */
	host = fl_host_read(&f, "kept", &len);
	assert_int_equal(len, 5);
	assert_memory_equal(host, "hello", 5);
	free(host);
	nftw(dir, fl_rm, 8, FTW_DEPTH | FTW_PHYS);
}

static void test_append_and_partial_page_writes_keep_old_bytes(void **state)
{
	struct ft_files f;
	struct machine *m;
	unsigned char got[8192];
	int fd;

	(void)state;
	m = fl_boot(&f);
	fl_host_create(&f, "old", 6000);
	fd = (int)sys_open(m, "old", O_RDWR | O_APPEND, 0);
	assert_int_equal(fl_write(m, &f, fd, "ABC", 3), 3);
	assert_int_equal(mmkit_fsize(m, fd), 6003);
	assert_int_equal(sys_pwrite64(m, fd, f.ubuf, 3, 10), 3);	/* O_APPEND: appends */
	assert_int_equal(mmkit_fsize(m, fd), 6006);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 6006, 0), 6006);
	assert_int_equal(mmkit_read(m, f.ubuf, got, 6006), 0);
	for (int i = 0; i < 6000; i++)
		assert_int_equal(got[i], fl_pattern((unsigned long)i));
	assert_memory_equal(got + 6000, "ABCABC", 6);
	sys_close(m, fd);
	fl_done(m, &f);
}

/* ---- read-ahead ---- */

static void test_sequential_reads_grow_the_readahead_window_as_linux(void **state)
{
	struct ft_files f;
	struct machine *m;
	struct address_space *mapping;
	unsigned long pgpgin0;
	char b[4096];
	int fd;

	(void)state;
	m = fl_boot(&f);
	fl_host_create(&f, "big", 1 << 20);
	fd = (int)sys_open(m, "big", O_RDONLY, 0);
	mapping = fl_mapping(m, fd);
	pgpgin0 = vm_event(m, PGPGIN);
	/* a 1-page read at 0: get_init_ra_size(1, 32) = 4 pages, async 3 */
	assert_int_equal(fl_read(m, &f, fd, b, 4096), 4096);
	assert_int_equal(mapping->nrpages, 4);
	assert_int_equal(vm_event(m, PGPGIN) - pgpgin0, 16);
	/* page 1 is the marker: the next window, 8 pages from 4 */
	assert_int_equal(fl_read(m, &f, fd, b, 4096), 4096);
	assert_int_equal(mapping->nrpages, 12);
	for (int i = 2; i < 5; i++)	/* page 4 is the marker: 16 from 12 */
		assert_int_equal(fl_read(m, &f, fd, b, 4096), 4096);
	assert_int_equal(mapping->nrpages, 28);
	for (int i = 5; i < 13; i++)	/* page 12: then the maximum, 32 */
		assert_int_equal(fl_read(m, &f, fd, b, 4096), 4096);
	assert_int_equal(mapping->nrpages, 60);
	for (int i = 0; i < 4096; i++)
		assert_int_equal((unsigned char)b[i], fl_pattern(12UL * 4096 + (unsigned long)i));
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_large_first_read_uses_the_maximum_window(void **state)
{
	struct ft_files f;
	struct machine *m;
	int fd;

	(void)state;
	m = fl_boot(&f);
	fl_host_create(&f, "big", 1 << 20);
	fd = (int)sys_open(m, "big", O_RDONLY, 0);
	/* 64 KiB at 0: 16 pages, get_init_ra_size(16, 32) = 32 (> max/4) */
	assert_int_equal(sys_read(m, fd, f.ubuf, 65536), 65536);
	assert_int_equal(fl_mapping(m, fd)->nrpages, 32);
	assert_int_equal(get_current(m)->files->fd[fd]->f_ra.async_size, 16);
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_random_small_read_reads_only_its_page(void **state)
{
	struct ft_files f;
	struct machine *m;
	int fd;

	(void)state;
	m = fl_boot(&f);
	fl_host_create(&f, "big", 1 << 20);
	fd = (int)sys_open(m, "big", O_RDONLY, 0);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 100, 100 * 4096), 100);
	assert_int_equal(fl_mapping(m, fd)->nrpages, 1);	/* no stream behind it */
	sys_close(m, fd);
	fl_done(m, &f);
}

/* read() marks the page accessed as Linux's filemap_read does: the
 * first read leaves it inactive and referenced, a second read() of the
 * same page from another position activates it, but a read continuing in
 * the page the previous one ended in does not count again. */
static void test_read_marks_the_page_accessed_once_per_visit(void **state)
{
	struct ft_files f;
	struct machine *m;
	struct page *page;
	int fd;

	(void)state;
	m = fl_boot(&f);
	fl_host_create(&f, "acc", 8 * 4096);
	fd = (int)sys_open(m, "acc", O_RDONLY, 0);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 100, 5 * 4096), 100);
	page = find_get_page(m, fl_mapping(m, fd), 5);
	assert_non_null(page);
	assert_true(PageReferenced(page));
	assert_false(PageActive(page));
	/* pread does not move f_pos but read-ahead state remembers the end:
	 * continuing in the same page is the same visit */
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 100, 5 * 4096 + 100), 100);
	assert_false(PageActive(page));
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 10, 0), 10);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 10, 5 * 4096), 10);
	assert_true(PageActive(page));
	put_page(m, page);
	sys_close(m, fd);
	fl_done(m, &f);
}

static void test_read_stops_at_eof_and_readahead_too(void **state)
{
	struct ft_files f;
	struct machine *m;
	int fd;

	(void)state;
	m = fl_boot(&f);
	fl_host_create(&f, "small", 5000);
	fd = (int)sys_open(m, "small", O_RDONLY, 0);
	assert_int_equal(sys_read(m, fd, f.ubuf, 65536), 5000);
	assert_int_equal(fl_mapping(m, fd)->nrpages, 2);
	sys_close(m, fd);
	fl_done(m, &f);
}

/* read()/write() with kernel addresses or ranges past TASK_SIZE: EFAULT,
 * nothing copied either way (the file keeps its size, kernel memory its
 * bytes), as copy_to_user/copy_from_user give it. */
static void test_read_write_with_kernel_buffers_is_efault(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	unsigned long kaddr = m->arch.page_offset + 0x100000;	/* the kernel image */
	unsigned char before[64], after[64];
	int fd;

	(void)state;
	fl_host_create(&f, "k", 4096);
	memcpy(before, m->ram + 0x100000, sizeof(before));
	fd = (int)sys_open(m, "k", O_RDWR, 0);
	assert_int_equal(sys_pread64(m, fd, kaddr, 64, 0), -EFAULT);
	assert_int_equal(sys_pread64(m, fd, 0xbffffff0UL, 64, 0), -EFAULT);	/* runs past TASK_SIZE */
	memcpy(after, m->ram + 0x100000, sizeof(after));
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(sys_pwrite64(m, fd, kaddr, 64, 4096), -EFAULT);
	assert_int_equal(mmkit_fsize(m, (unsigned int)fd), 4096);
	sys_close(m, fd);
	fl_done(m, &f);
}

/* ---- names, references, fd tables ---- */

static void test_unlinked_open_file_lives_until_close(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	unsigned long inodes, cached;
	char b[5];
	long len;
	int fd = (int)sys_open(m, "gone", O_RDWR | O_CREAT, 0644);

	(void)state;
	assert_int_equal(fl_write(m, &f, fd, "data!", 5), 5);
	inodes = m->fs.nr_inodes;
	cached = meminfo_kb(m, "\nCached:");
	assert_int_equal(sys_unlink(m, "gone"), 0);
	assert_null(fl_host_read(&f, "gone", &len));
	assert_int_equal(sys_open(m, "gone", O_RDONLY, 0), -ENOENT);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 5, 0), 5);	/* still readable */
	assert_int_equal(mmkit_read(m, f.ubuf, b, 5), 0);
	assert_memory_equal(b, "data!", 5);
	assert_int_equal(sys_fsync(m, fd), 0);
	assert_int_equal(sys_close(m, fd), 0);	/* the last reference: freed */
	assert_int_equal(m->fs.nr_inodes, inodes - 1);
	assert_int_equal(cached - meminfo_kb(m, "\nCached:"), 4);
	fl_done(m, &f);
}

static void test_fork_shares_the_open_file_and_its_offset(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct task_struct *parent = get_current(m), *child;
	int fd = (int)sys_open(m, "shared", O_RDWR | O_CREAT, 0644);

	(void)state;
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_ptr_not_equal(child->files, parent->files);
	assert_ptr_equal(child->files->fd[fd], parent->files->fd[fd]);
	mmkit_set_current(m, child);
	assert_int_equal(fl_write(m, &f, fd, "abc", 3), 3);
	assert_int_equal(sys_close(m, fd), 0);
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	assert_int_equal(sys_lseek(m, fd, 0, SEEK_CUR), 3);	/* one open file */
	assert_int_equal(sys_close(m, fd), 0);
	assert_int_equal(sys_close(m, fd), -EBADF);
	fl_done(m, &f);
}

static void test_clone_files_shares_the_table(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct task_struct *parent = get_current(m), *thread;
	int fd;

	(void)state;
	thread = mmkit_clone(m, parent, CLONE_VM | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD);
	assert_non_null(thread);
	assert_ptr_equal(thread->files, parent->files);
	fd = (int)sys_open(m, "t", O_RDWR | O_CREAT, 0644);
	mmkit_set_current(m, thread);
	assert_int_equal(sys_close(m, fd), 0);	/* the thread sees the parent's fd */
	mmkit_set_current(m, parent);
	assert_int_equal(sys_close(m, fd), -EBADF);
	fl_done(m, &f);
}

/* exec closes the O_CLOEXEC fds and keeps the others; a process sharing
 * the table through CLONE_FILES (not a thread) keeps every fd, because
 * exec first gives the exec'ing task a copy (unshare_files). */
static void test_exec_closes_cloexec_fds_in_its_own_copy(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	struct task_struct *parent = get_current(m), *sharer;
	int keep, shut;

	(void)state;
	keep = (int)sys_open(m, "k", O_RDWR | O_CREAT, 0644);
	shut = (int)sys_open(m, "c", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	sharer = mmkit_clone(m, parent, CLONE_FILES);
	assert_non_null(sharer);
	assert_ptr_equal(sharer->files, parent->files);
	assert_int_equal(mmkit_exec(m, parent, "new", NULL), 0);
	assert_ptr_not_equal(parent->files, sharer->files);
	mmkit_set_current(m, parent);
	assert_int_equal(sys_lseek(m, keep, 0, SEEK_CUR), 0);
	assert_int_equal(sys_lseek(m, shut, 0, SEEK_CUR), -EBADF);
	assert_int_equal(sys_open(m, "c", O_RDONLY, 0), shut);	/* lowest free again */
	mmkit_set_current(m, sharer);
	assert_int_equal(sys_lseek(m, shut, 0, SEEK_CUR), 0);	/* untouched */
	mmkit_exit(m, sharer, 0);
	mmkit_set_current(m, parent);
	fl_done(m, &f);
}

static void test_rlimit_nofile_gives_emfile(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);

	(void)state;
	get_current(m)->rlim[RLIMIT_NOFILE].rlim_cur = 3;
	for (int i = 0; i < 3; i++)
		assert_int_equal(sys_open(m, "x", O_RDWR | O_CREAT, 0644), i);
	assert_int_equal(sys_open(m, "x", O_RDONLY, 0), -EMFILE);
	assert_int_equal(sys_open(m, "missing", O_RDONLY, 0), -EMFILE);	/* before the lookup */
	assert_int_equal(sys_close(m, 1), 0);
	assert_int_equal(sys_open(m, "x", O_RDONLY, 0), 1);
	fl_done(m, &f);	/* exit closes the rest */
}

static void test_files_key_must_name_a_directory(void **state)
{
	struct machine *m = NULL;

	(void)state;
	assert_int_equal(test_try_boot("name f\nfiles /nonexistent/mmkit-dir\n", &m), -ENOENT);
	assert_true(test_log_contains(m, "VFS: cannot use files directory /nonexistent/mmkit-dir"));
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_matches_host_kernel),
		cmocka_unit_test(test_write_then_read_round_trip_through_user_memory),
		cmocka_unit_test(test_dirty_pages_reach_the_host_file_at_fsync),
		cmocka_unit_test(test_close_keeps_pages_cached_and_destroy_writes_them),
		cmocka_unit_test(test_append_and_partial_page_writes_keep_old_bytes),
		cmocka_unit_test(test_sequential_reads_grow_the_readahead_window_as_linux),
		cmocka_unit_test(test_large_first_read_uses_the_maximum_window),
		cmocka_unit_test(test_random_small_read_reads_only_its_page),
		cmocka_unit_test(test_read_marks_the_page_accessed_once_per_visit),
		cmocka_unit_test(test_read_stops_at_eof_and_readahead_too),
		cmocka_unit_test(test_read_write_with_kernel_buffers_is_efault),
		cmocka_unit_test(test_unlinked_open_file_lives_until_close),
		cmocka_unit_test(test_fork_shares_the_open_file_and_its_offset),
		cmocka_unit_test(test_clone_files_shares_the_table),
		cmocka_unit_test(test_exec_closes_cloexec_fds_in_its_own_copy),
		cmocka_unit_test(test_rlimit_nofile_gives_emfile),
		cmocka_unit_test(test_files_key_must_name_a_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
