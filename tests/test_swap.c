/* Swap areas (src/mm/swapon.c, swapfile.c, src/proc/swaps.c): swapon and
 * swapoff errors as Linux reports them, /proc/swaps byte for byte, the
 * header checks, priorities and the cluster allocator. */
#include "swap_test.h"

#include <mmkit/fs.h>

/* A file of @bytes zero bytes (no swap signature). */
static void write_zero_file(struct machine *m, const char *path, unsigned long bytes)
{
	struct machine_file_stat st;
	static char zero[PAGE_SIZE];
	int fh = machine_file_open(m, path, O_RDWR | O_CREAT | O_TRUNC, 0600, &st);

	assert_true(fh >= 0);
	for (unsigned long off = 0; off < bytes; off += PAGE_SIZE)
		assert_int_equal(machine_file_pwrite(m, fh, zero, PAGE_SIZE, (long long)off),
				 PAGE_SIZE);
	machine_file_close(m, fh);
}

/* Rewrite one u32 of a swap header (offset in bytes). */
static void poke_header(struct machine *m, const char *path, long long off, u32 v)
{
	struct machine_file_stat st;
	int fh = machine_file_open(m, path, O_RDWR, 0, &st);

	assert_true(fh >= 0);
	assert_int_equal(machine_file_pwrite(m, fh, &v, 4, off), 4);
	machine_file_close(m, fh);
}

static void test_swapon_of_a_missing_file_is_enoent(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_int_equal(sys_swapon(m, "/nosuchfile", 0), -ENOENT);
	assert_int_equal(sys_swapoff(m, "/nosuchfile"), -ENOENT);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_swapon_without_signature_is_einval(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	write_zero_file(m, "/zeros", PG(16));
	assert_int_equal(sys_swapon(m, "/zeros", 0), -EINVAL);
	assert_log_has(m, "Unable to find swap-space signature\n");
	assert_int_equal(m->swap.total_swap_pages, 0);
	assert_null(m->swap.swap_info[0]);
	mmkit_machine_destroy(m);
}

static void test_swapon_of_a_bad_header_is_einval(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_int_equal(mmkit_mkswap(m, "/v2", PG(16)), 0);
	poke_header(m, "/v2", 1024, 2);	/* version */
	assert_int_equal(sys_swapon(m, "/v2", 0), -EINVAL);
	assert_log_has(m, "Unable to handle swap header version 2\n");
	assert_int_equal(mmkit_mkswap(m, "/long", PG(16)), 0);
	poke_header(m, "/long", 1028, 16);	/* last_page past the end of the file */
	assert_int_equal(sys_swapon(m, "/long", 0), -EINVAL);
	assert_log_has(m, "Swap area shorter than signature indicates\n");
	assert_int_equal(mmkit_mkswap(m, "/empty", PG(16)), 0);
	poke_header(m, "/empty", 1028, 0);
	assert_int_equal(sys_swapon(m, "/empty", 0), -EINVAL);
	assert_log_has(m, "Empty swap-file\n");
	assert_int_equal(mmkit_mkswap(m, "/bad", PG(16)), 0);
	poke_header(m, "/bad", 1032, 1);	/* nr_badpages: none allowed in a file */
	assert_int_equal(sys_swapon(m, "/bad", 0), -EINVAL);
	assert_int_equal(sys_swapon(m, "/bad", 0x80000), -EINVAL);	/* unknown flag */
	assert_int_equal(mmkit_mkswap(m, "/tiny", PG(9)), -EINVAL);	/* mkswap: < 40 KiB */
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* A size not a multiple of the page: the partial page is not used. */
static void test_swapon_ignores_a_partial_last_page(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_int_equal(mmkit_mkswap(m, "/odd", PG(16) + 100), 0);
	assert_int_equal(sys_swapon(m, "/odd", 0), 0);
	assert_int_equal(m->swap.total_swap_pages, 15);
	assert_int_equal(sys_swapoff(m, "/odd"), 0);
	mmkit_machine_destroy(m);
}

static void test_swapon_twice_is_ebusy_and_swapoff_twice_einval(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	st_swapon(m, "/swapfile", 64, 0);
	assert_int_equal(sys_swapon(m, "swapfile", 0), -EBUSY);	/* the same file */
	assert_int_equal(m->swap.total_swap_pages, 63);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_int_equal(sys_swapoff(m, "/swapfile"), -EINVAL);
	assert_int_equal(m->swap.total_swap_pages, 0);
	assert_int_equal(m->vm.total_swap_pages, 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_swapoff_of_a_non_swap_file_is_einval(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	write_zero_file(m, "/data", PG(4));
	assert_int_equal(sys_swapoff(m, "/data"), -EINVAL);
	mmkit_machine_destroy(m);
}

static void test_swapon_past_max_swapfiles_is_eperm(void **state)
{
	struct machine *m = test_boot_default();
	char path[32];

	(void)state;
	for (int i = 0; i < MAX_SWAPFILES; i++) {
		snprintf(path, sizeof(path), "/s%d", i);
		st_swapon(m, path, 10, 0);
	}
	assert_int_equal(mmkit_mkswap(m, "/s32", PG(10)), 0);
	assert_int_equal(sys_swapon(m, "/s32", 0), -EPERM);
	for (int i = 0; i < MAX_SWAPFILES; i++) {
		snprintf(path, sizeof(path), "/s%d", i);
		assert_int_equal(sys_swapoff(m, path), 0);
	}
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* /proc/swaps of a 64 MiB /swapfile as swap_show() prints it: the path
 * padded with 40 - len = 31 spaces, "file\t", then tab-separated numbers
 * (../shared/reference/proc/swaps has 14 spaces there: not what the
 * kernel's "%*s" with width 40 - len gives), and the kernel's line. */
static void test_proc_swaps_matches_linux(void **state)
{
	struct machine *m = test_boot_default();
	char *text;

	(void)state;
	text = test_proc(m, "/proc/swaps");
	assert_string_equal(text, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	free(text);
	st_swapon(m, "/swapfile", 16384, 0);
	text = test_proc(m, "/proc/swaps");
	assert_string_equal(text, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
				  "/swapfile                               file\t\t65532\t\t0\t\t-2\n");
	assert_log_has(m, "Adding 65532k swap on /swapfile.  Priority:-2 extents:1 across:65532k \n");
	assert_int_equal(meminfo_kb(m, "SwapTotal:"), 65532);
	assert_int_equal(meminfo_kb(m, "SwapFree:"), 65532);
	free(text);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	mmkit_machine_destroy(m);
}

/* Default priorities -2, -3, -4; swapoff of -2 moves the others up. */
static void test_swap_default_priorities_as_linux(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	st_swapon(m, "/a", 16, 0);
	st_swapon(m, "/b", 16, 0);
	st_swapon(m, "/c", 16, SWAP_FLAG_PREFER | 7);
	st_swapon(m, "/d", 16, 0);
	assert_int_equal(m->swap.swap_info[0]->prio, -2);
	assert_int_equal(m->swap.swap_info[1]->prio, -3);
	assert_int_equal(m->swap.swap_info[2]->prio, 7);
	assert_int_equal(m->swap.swap_info[3]->prio, -4);
	assert_int_equal(sys_swapoff(m, "/a"), 0);
	assert_int_equal(m->swap.swap_info[1]->prio, -2);
	assert_int_equal(m->swap.swap_info[3]->prio, -3);
	assert_int_equal(m->swap.swap_info[2]->prio, 7);
	st_swapon(m, "/a", 16, 0);	/* type 0 again, the next default */
	assert_int_equal(m->swap.swap_info[0]->prio, -4);
	assert_int_equal(sys_swapoff(m, "/a"), 0);
	assert_int_equal(sys_swapoff(m, "/b"), 0);
	assert_int_equal(sys_swapoff(m, "/c"), 0);
	assert_int_equal(sys_swapoff(m, "/d"), 0);
	mmkit_machine_destroy(m);
}

/* Slots come from the highest priority area until it is full. */
static void test_swap_allocation_follows_priority(void **state)
{
	struct machine *m = test_boot_default();
	swp_entry_t e[20];

	(void)state;
	st_swapon(m, "/low", 16, SWAP_FLAG_PREFER | 1);
	st_swapon(m, "/high", 11, SWAP_FLAG_PREFER | 5);	/* 10 slots */
	for (int i = 0; i < 20; i++) {
		e[i] = get_swap_page(m, NULL);
		assert_int_not_equal(e[i].val, 0);
		assert_int_equal(swp_type(e[i]), i < 10 ? 1 : 0);
		assert_int_equal(st_map(m, e[i]), SWAP_HAS_CACHE);
	}
	assert_int_equal(get_nr_swap_pages(m), 25 - 20);
	for (int i = 0; i < 20; i++)
		put_swap_page(m, NULL, e[i]);
	assert_int_equal(get_nr_swap_pages(m), 25);
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/low"), 0);
	assert_int_equal(sys_swapoff(m, "/high"), 0);
	mmkit_machine_destroy(m);
}

/* One CPU's slots are consecutive in its cluster: free clusters are taken
 * first (cluster 0 holds the header), so CPU 0 starts at 256 and goes on
 * into cluster 2; CPU 1 then takes the next free cluster, 3. */
static void test_swap_cluster_allocation_is_contiguous(void **state)
{
	struct machine *m = test_boot_default();
	swp_entry_t e;

	(void)state;
	st_swapon(m, "/swapfile", 1024, 0);
	for (unsigned long i = 0; i < 300; i++) {
		e = get_swap_page(m, NULL);
		assert_int_equal(swp_offset(e), SWAPFILE_CLUSTER + i);
	}
	mmkit_set_cpu(1);
	e = get_swap_page(m, NULL);
	assert_int_equal(swp_offset(e), 3 * SWAPFILE_CLUSTER);
	mmkit_set_cpu(0);
	e = get_swap_page(m, NULL);
	assert_int_equal(swp_offset(e), SWAPFILE_CLUSTER + 300);
	assert_int_equal(swp_swap_info(m, e)->inuse_pages, 302);
	for (unsigned long i = 0; i <= 300; i++)
		put_swap_page(m, NULL, swp_entry(0, SWAPFILE_CLUSTER + i));
	put_swap_page(m, NULL, swp_entry(0, 3 * SWAPFILE_CLUSTER));
	assert_int_equal(swp_swap_info(m, e)->nr_free_clusters, 3);
	assert_clean(m);
	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swapon_of_a_missing_file_is_enoent),
		cmocka_unit_test(test_swapon_without_signature_is_einval),
		cmocka_unit_test(test_swapon_of_a_bad_header_is_einval),
		cmocka_unit_test(test_swapon_ignores_a_partial_last_page),
		cmocka_unit_test(test_swapon_twice_is_ebusy_and_swapoff_twice_einval),
		cmocka_unit_test(test_swapoff_of_a_non_swap_file_is_einval),
		cmocka_unit_test(test_swapon_past_max_swapfiles_is_eperm),
		cmocka_unit_test(test_proc_swaps_matches_linux),
		cmocka_unit_test(test_swap_default_priorities_as_linux),
		cmocka_unit_test(test_swap_allocation_follows_priority),
		cmocka_unit_test(test_swap_cluster_allocation_is_contiguous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
