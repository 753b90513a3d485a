/* Helpers shared by the file and page-cache tests (test_file_*.c,
 * test_filemap.c): a machine whose simulated file system is a fresh host
 * directory the test can look into, a user buffer in the current process,
 * and read()/write() through it. */
#ifndef MMKIT_TESTS_FILE_TEST_H
#define MMKIT_TESTS_FILE_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault_test.h"

#include <mmkit/fs.h>

#include "mm/filemap.h"

#define UBUF_PAGES 64UL

struct ft_files {
	char dir[256];		/* the host directory (files DIR) */
	unsigned long ubuf;	/* UBUF_PAGES of user memory in the current task */
};

static inline int fl_rm(const char *p, const struct stat *sb, int f, struct FTW *w)
{
	(void)sb;
	(void)f;
	(void)w;
	return remove(p);
}

/* Boot an i386 machine with 64 MiB of lowmem and 64 MiB of highmem (page
 * cache pages are highmem: read and written through kmap_atomic), files in
 * a fresh host directory, and run a process with a user buffer. @extra:
 * more description lines. */
static inline struct machine *fl_boot_with(struct ft_files *f, const char *extra)
{
	char text[1024];
	const char *tmp = getenv("TMPDIR");
	struct machine *m;

	snprintf(f->dir, sizeof(f->dir), "%s/mmkit-test-files.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(text, sizeof(text),
		 "name files\narch i386\nhighmem yes\n"
		 "e820 0x0 0x9fc00 usable\ne820 0x100000 0x3f00000 usable\n"
		 "e820 0x40000000 0x4000000 usable\nfiles %s\n%s",
		 f->dir, extra ? extra : "");
	m = test_boot_text(text);
	vt_spawn(m, false);
	f->ubuf = (unsigned long)vt_map(m, 0, PG(UBUF_PAGES), PROT_READ | PROT_WRITE, MAP_PRIVATE);
	assert_false(MMKIT_IS_ERR_VALUE(f->ubuf));
	return m;
}

static inline struct machine *fl_boot(struct ft_files *f)
{
	return fl_boot_with(f, NULL);
}

/* Destroy the machine (vt_done) and remove the host directory. */
static inline void fl_done(struct machine *m, struct ft_files *f)
{
	vt_done(m);
	nftw(f->dir, fl_rm, 8, FTW_DEPTH | FTW_PHYS);
}

/* ROOT/name on the host. */
static inline void fl_host_path(const struct ft_files *f, const char *name, char *buf, size_t n)
{
	snprintf(buf, n, "%s/%s", f->dir, name[0] == '/' ? name + 1 : name);
}

/* Create a host file of @len bytes: byte i is pattern(i). */
static inline unsigned char fl_pattern(unsigned long i)
{
	return (unsigned char)(i * 7 + i / 4096 + 1);
}

static inline void fl_host_create(const struct ft_files *f, const char *name, unsigned long len)
{
	char p[512];
	unsigned char *buf = malloc(len ? len : 1);
	int fd;

	for (unsigned long i = 0; i < len; i++)
		buf[i] = fl_pattern(i);
	fl_host_path(f, name, p, sizeof(p));
	fd = open(p, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	free(buf);
}

/* The host file's bytes (malloc'd, *len set); NULL if it does not exist. */
static inline unsigned char *fl_host_read(const struct ft_files *f, const char *name, long *len)
{
	char p[512];
	struct stat st;
	unsigned char *buf;
	int fd;

	fl_host_path(f, name, p, sizeof(p));
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	fstat(fd, &st);
	buf = malloc((size_t)st.st_size + 1);
	*len = (long)read(fd, buf, (size_t)st.st_size);
	close(fd);
	return buf;
}

/* write(2) @len bytes of @data through the user buffer. */
static inline long fl_write(struct machine *m, struct ft_files *f, int fd, const void *data,
			    unsigned long len)
{
	assert_true(len <= PG(UBUF_PAGES));
	assert_int_equal(mmkit_write(m, f->ubuf, data, len), 0);
	return sys_write(m, (unsigned int)fd, f->ubuf, len);
}

/* read(2) up to @len bytes into @out through the user buffer. */
static inline long fl_read(struct machine *m, struct ft_files *f, int fd, void *out,
			   unsigned long len)
{
	long n = sys_read(m, (unsigned int)fd, f->ubuf, len);

	if (n > 0)
		assert_int_equal(mmkit_read(m, f->ubuf, out, (size_t)n), 0);
	return n;
}

/* The page cache of the file behind @fd. */
static inline struct address_space *fl_mapping(struct machine *m, int fd)
{
	struct file *file = fget(m, (unsigned int)fd);
	struct address_space *mapping;

	assert_non_null(file);
	mapping = file->f_mapping;
	fput_fd(m, file);
	return mapping;
}

static inline unsigned long fl_node(struct machine *m, enum node_stat_item item)
{
	return node_page_state(&m->node, item);
}

#endif
