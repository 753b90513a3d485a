/* Block devices (src/mm/block_dev.c): the description's `disk NAME SIZE`
 * is /dev/NAME, a block special file of a fixed size backed by the host
 * file ROOT/dev/NAME: fstat says so (S_IFBLK, rdev 254:16*i, size 0), the
 * end of the device is ENOSPC for write, ftruncate is EINVAL and O_TRUNC
 * is ignored, its page cache is Buffers in /proc/meminfo (not Cached), and
 * swap on it is a "partition" in /proc/swaps. Also: an active swap file
 * is protected as IS_SWAPFILE makes it. */
#include "file_test.h"

#include <mmkit/swap.h>

#define DISKS "disk vda 16M\ndisk vdb 2M\n"

static void test_disk_key_parse_errors(void **state)
{
	static const struct { const char *text, *msg; } bad[] = {
		{ "disk\n", "disk needs a name" },
		{ "disk v-a 16M\n", "disk names are letters and digits" },
		{ "disk vda 16\n", "disk size must be a multiple of 4K of at least 1M" },
		{ "disk vda 16M\ndisk vda 2M\n", "disk vda given twice" },
		{ "disk a 1M\ndisk b 1M\ndisk c 1M\ndisk d 1M\ndisk e 1M\n", "at most 4 disks" },
	};
	struct machine_desc d;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_not_equal(mmkit_desc_parse(&d, bad[i].text, "t.machine", err,
							   sizeof(err)), 0);
		if (!strstr(err, bad[i].msg))
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, err, bad[i].msg);
	}
	assert_int_equal(mmkit_desc_parse(&d, DISKS, "t.machine", err, sizeof(err)), 0);
	assert_int_equal(d.nr_disks, 2);
	assert_string_equal(d.disks[1].name, "vdb");
	assert_int_equal(d.disks[1].bytes, 2 << 20);
}

static void test_disk_is_a_block_device_of_fixed_size(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot_with(&f, DISKS);
	struct mmkit_stat st;
	char host[512];
	struct stat sb;
	int fd;

	(void)state;
	fl_host_path(&f, "dev/vda", host, sizeof(host));
	assert_int_equal(stat(host, &sb), 0);
	assert_int_equal(sb.st_size, 16 << 20);
	assert_true(test_log_contains(m, "virtio_blk virtio0: [vda] 32768 512-byte logical blocks (16 MB/16 MiB)"));
	fd = (int)sys_open(m, "/dev/vda", O_RDWR | O_TRUNC, 0);
	assert_true(fd >= 0);
	assert_int_equal(sys_fstat(m, fd, &st), 0);
	assert_int_equal(st.st_mode, 060660);
	assert_int_equal(st.st_rdev, MKDEV(254, 0));
	assert_int_equal(st.st_size, 0);
	assert_int_equal(sys_lseek(m, fd, 0, SEEK_END), 16 << 20);
	/* the last bytes fit, then the device is full */
	assert_int_equal(sys_lseek(m, fd, (16 << 20) - 3, SEEK_SET), (16 << 20) - 3);
	assert_int_equal(fl_write(m, &f, fd, "abcdef", 6), 3);
	assert_int_equal(fl_write(m, &f, fd, "x", 1), -ENOSPC);
	assert_int_equal(sys_ftruncate(m, fd, 4096), -EINVAL);
	assert_int_equal(sys_truncate(m, "/dev/vda", 4096), -EINVAL);
	assert_int_equal(sys_unlink(m, "/dev/vda"), -EPERM);
	assert_int_equal(sys_fsync(m, fd), 0);
	assert_int_equal(stat(host, &sb), 0);
	assert_int_equal(sb.st_size, 16 << 20);	/* still the disk's size */
	sys_close(m, fd);
	fd = (int)sys_open(m, "/dev/vdb", O_RDONLY, 0);
	assert_int_equal(sys_fstat(m, fd, &st), 0);
	assert_int_equal(st.st_rdev, MKDEV(254, 16));
	sys_close(m, fd);
	fl_done(m, &f);
}

/* Pages of a block device's page cache are Buffers, not Cached. */
static void test_device_page_cache_is_buffers(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot_with(&f, DISKS);
	unsigned long buf0, cached0;
	int fd;

	(void)state;
	fl_host_create(&f, "plain", 8 * 4096);
	buf0 = meminfo_kb(m, "\nBuffers:");
	cached0 = meminfo_kb(m, "\nCached:");
	assert_int_equal(buf0, 0);
	fd = (int)sys_open(m, "/dev/vdb", O_RDONLY, 0);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 100, 1 << 20), 100);
	assert_int_equal(meminfo_kb(m, "\nBuffers:"), fl_mapping(m, fd)->nrpages * 4);
	assert_true(fl_mapping(m, fd)->nrpages > 0);
	assert_int_equal(meminfo_kb(m, "\nCached:"), cached0);
	sys_close(m, fd);
	fd = (int)sys_open(m, "plain", O_RDONLY, 0);
	assert_int_equal(sys_pread64(m, fd, f.ubuf, 100, 0), 100);
	assert_true(meminfo_kb(m, "\nCached:") > cached0);
	sys_close(m, fd);
	fl_done(m, &f);
}

/* mkswap on the whole disk, swapon: a partition in /proc/swaps (the
 * kernel's "%*s%s\t%lu..." with "partition" in place of "file\t"). */
static void test_swap_on_a_disk_is_a_partition(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot_with(&f, DISKS);
	char *swaps;

	(void)state;
	assert_int_equal(mmkit_mkswap(m, "/dev/vdb", 4 << 20), -EINVAL);	/* larger than it */
	assert_int_equal(mmkit_mkswap(m, "/dev/vdb", 0), 0);
	assert_int_equal(sys_swapon(m, "/dev/vdb", 0), 0);
	swaps = test_proc(m, "/proc/swaps");
	assert_non_null(strstr(swaps, "/dev/vdb                                partition\t2044\t\t0\t\t-2\n"));
	free(swaps);
	assert_int_equal(sys_swapoff(m, "/dev/vdb"), 0);
	fl_done(m, &f);
}

/* An active swap file is IS_SWAPFILE: unlink is EPERM (may_delete), a
 * write or a shrinking truncate is ETXTBSY (generic_write_checks_count,
 * inode_newsize_ok); after swapoff all three work again. */
static void test_active_swap_file_is_protected(void **state)
{
	struct ft_files f;
	struct machine *m = fl_boot(&f);
	int fd;

	(void)state;
	assert_int_equal(mmkit_mkswap(m, "/swapfile", 64 * 4096), 0);
	assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	fd = (int)sys_open(m, "/swapfile", O_RDWR, 0);
	assert_true(fd >= 0);
	assert_int_equal(fl_write(m, &f, fd, "x", 1), -ETXTBSY);
	assert_int_equal(sys_ftruncate(m, fd, 4096), -ETXTBSY);
	assert_int_equal(sys_truncate(m, "/swapfile", 0), -ETXTBSY);
	assert_int_equal(sys_ftruncate(m, fd, 128 * 4096), 0);	/* growing is allowed */
	assert_int_equal(sys_unlink(m, "/swapfile"), -EPERM);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_int_equal(fl_write(m, &f, fd, "x", 1), 1);
	assert_int_equal(sys_ftruncate(m, fd, 4096), 0);
	assert_int_equal(sys_close(m, fd), 0);
	assert_int_equal(sys_unlink(m, "/swapfile"), 0);
	fl_done(m, &f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disk_key_parse_errors),
		cmocka_unit_test(test_disk_is_a_block_device_of_fixed_size),
		cmocka_unit_test(test_device_page_cache_is_buffers),
		cmocka_unit_test(test_swap_on_a_disk_is_a_partition),
		cmocka_unit_test(test_active_swap_file_is_protected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
