/* shmem under real reclaim (src/mm/shmem*.c with vmscan.c, swap*.c): on
 * a 32 MiB machine with a swap file, a SysV segment and a
 * MAP_SHARED|MAP_ANONYMOUS region that together exceed RAM go through
 * shrink_page_list's shmem route (unmap, a_ops->writepage =
 * shmem_writepage, then the swap-cache page is freed), every byte reads
 * back, /proc/meminfo's Shmem / SwapCached / SwapFree and /proc/vmstat's
 * pswpout move as Linux's, swapoff brings shmem back (shmem_unuse),
 * SHM_LOCKed segments stay resident and unevictable, and once everything
 * is removed, detached and exited swap_map is all zero and Shmem is 0. */
#include <mmkit/shm.h>
#include <mmkit/swap.h>

#include "fault_test.h"
#include "mm/shmem_fs.h"
#include "mm/swap.h"

/* 32 MiB, i386: ZONE_DMA and 16 MiB of ZONE_NORMAL (as test_vmscan). */
static const char small_machine[] =
	"name shmem-32m\n"
	"arch i386\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000001ffffff] usable\n";

#define SHARED_AREA 0x10000000UL
#define PRIVATE_AREA 0x30000000UL

static struct machine *boot_small(unsigned long swap_mb)
{
	struct machine *m = test_boot_text(small_machine);

	if (swap_mb) {
		assert_int_equal(mmkit_mkswap(m, "/swapfile", swap_mb << 20), 0);
		assert_int_equal(sys_swapon(m, "/swapfile", 0), 0);
	}
	vt_spawn(m, true);
	return m;
}

/* A pattern per region, page and byte. */
static unsigned char pat(int region, unsigned long i)
{
	return (unsigned char)(i * 7 + 3 + region * 101);
}

static void fill(struct machine *m, int region, unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++) {
		unsigned char buf[32];

		mm_memset(buf, pat(region, i), sizeof(buf));
		assert_int_equal(mmkit_write(m, addr + PG(i) + 64, buf, sizeof(buf)), 0);
	}
}

static void check(struct machine *m, int region, unsigned long addr, unsigned long pages)
{
	for (unsigned long i = 0; i < pages; i++) {
		unsigned char buf[32];

		assert_int_equal(mmkit_read(m, addr + PG(i) + 64, buf, sizeof(buf)), 0);
		for (size_t k = 0; k < sizeof(buf); k++)
			if (buf[k] != pat(region, i))
				fail_msg("region %d page %lu byte %zu: %u, want %u", region, i, k,
					 buf[k], pat(region, i));
	}
}

static struct shmem_inode_info *info_at(struct machine *m, unsigned long addr)
{
	return SHMEM_I(vt_vma(m, addr)->vm_file->f_inode);
}

static struct swap_info_struct *area0(struct machine *m)
{
	return m->swap.swap_info[0];
}

/* Every slot of the area is free (swap_map all zero). */
static void assert_swap_map_zero(struct machine *m)
{
	struct swap_info_struct *si = area0(m);

	assert_int_equal(si->inuse_pages, 0);
	for (unsigned long off = 1; off < si->max; off++)
		if (si->swap_map[off] && si->swap_map[off] != SWAP_MAP_BAD)
			fail_msg("swap_map[%lu] = %#x", off, si->swap_map[off]);
}

/* A segment and a shared anonymous region of 3/4 RAM each are written,
 * then read back: reclaim wrote shmem pages to swap (pswpout, the
 * objects' swap entries, SwapFree below SwapTotal, Shmem below what was
 * written) and every byte comes back, with major faults. */
static void test_segment_and_shared_anon_beyond_ram_swap_and_read_back(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long pages = 3 * m->totalram_pages / 4;
	unsigned long pswpout = vm_event(m, PSWPOUT), majflt = vm_event(m, PGMAJFAULT);
	long id, seg;

	(void)state;
	id = sys_shmget(m, IPC_PRIVATE, PG(pages), 0600);
	assert_true(id >= 0);
	seg = sys_shmat(m, (int)id, 0, 0);
	assert_false(IS_ERR_VALUE(seg));
	assert_int_equal(vt_map(m, SHARED_AREA, PG(pages), RW, MAP_SHARED | MAP_FIXED),
			 (long)SHARED_AREA);
	fill(m, 0, (unsigned long)seg, pages);
	fill(m, 1, SHARED_AREA, pages);

	assert_true(vm_event(m, PSWPOUT) > pswpout);
	assert_true(info_at(m, (unsigned long)seg)->swapped + info_at(m, SHARED_AREA)->swapped > 0);
	assert_true(meminfo_kb(m, "SwapFree:") < meminfo_kb(m, "SwapTotal:"));
	assert_true(meminfo_kb(m, "Shmem:") < 2 * pages * 4);
	/* Shmem counts exactly the objects' resident pages */
	assert_int_equal(meminfo_kb(m, "Shmem:"),
			 4 * (vt_vma(m, (unsigned long)seg)->vm_file->f_mapping->nrpages +
			      vt_vma(m, SHARED_AREA)->vm_file->f_mapping->nrpages));

	check(m, 0, (unsigned long)seg, pages);
	check(m, 1, SHARED_AREA, pages);
	assert_true(vm_event(m, PGMAJFAULT) > majflt);
	assert_true(vm_event(m, PSWPIN) > 0);
	assert_clean(m);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* The swapped-out shmem pages are reported as the segment's swap in
 * shmctl(SHM_INFO) and /proc/sysvipc/shm's swap column (bytes), and
 * rss + swap covers every page written. */
static void test_shm_info_reports_swapped_segment_pages(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long pages = 3 * m->totalram_pages / 2;
	struct mmkit_shm_info si;
	long id, seg;
	char *text, want[64];

	(void)state;
	id = sys_shmget(m, IPC_PRIVATE, PG(pages), 0600);
	seg = sys_shmat(m, (int)id, 0, 0);
	fill(m, 0, (unsigned long)seg, pages);
	assert_true(sys_shmctl(m, 0, SHM_INFO, &si) >= 0);
	assert_true(si.shm_swp > 0);
	assert_int_equal(si.shm_rss + si.shm_swp, pages);
	assert_int_equal(si.shm_swp, info_at(m, (unsigned long)seg)->swapped);
	text = test_proc(m, "/proc/sysvipc/shm");
	snprintf(want, sizeof(want), " %10lu %10lu\n", si.shm_rss * 4096, si.shm_swp * 4096);
	assert_non_null(strstr(text, want));
	free(text);
	check(m, 0, (unsigned long)seg, pages);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* After pressure swapped shmem out, swapoff reads every page back into
 * its object (shmem_unuse): no swap entry left, SwapFree back to
 * SwapTotal, Shmem the whole segment, SwapCached 0, data intact. The
 * shared anonymous region is unmapped first so that the segment fits. */
static void test_swapoff_brings_shmem_back(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long pages = 3 * m->totalram_pages / 4;
	long id, seg;

	(void)state;
	id = sys_shmget(m, IPC_PRIVATE, PG(pages / 2), 0600);
	seg = sys_shmat(m, (int)id, 0, 0);
	assert_int_equal(vt_map(m, SHARED_AREA, PG(pages), RW, MAP_SHARED | MAP_FIXED),
			 (long)SHARED_AREA);
	fill(m, 0, (unsigned long)seg, pages / 2);
	fill(m, 1, SHARED_AREA, pages);
	fill(m, 2, SHARED_AREA, pages / 4);	/* the segment's pages age out */
	assert_true(info_at(m, (unsigned long)seg)->swapped > 0);
	assert_int_equal(sys_munmap(m, SHARED_AREA, PG(pages)), 0);

	assert_int_equal(sys_swapoff(m, "/swapfile"), 0);
	assert_int_equal(info_at(m, (unsigned long)seg)->swapped, 0);
	assert_int_equal(vt_vma(m, (unsigned long)seg)->vm_file->f_mapping->nrpages, pages / 2);
	assert_int_equal(meminfo_kb(m, "SwapTotal:"), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached:"), 0);
	assert_int_equal(meminfo_kb(m, "Shmem:"), 4 * (pages / 2));
	check(m, 0, (unsigned long)seg, pages / 2);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* A SHM_LOCKed segment is never written to swap: under pressure from
 * private anonymous memory larger than RAM its pages stay resident (the
 * same frames), land on the unevictable list, and only the private
 * pages are swapped. SHM_UNLOCK makes them evictable again. */
static void test_shm_locked_segment_never_swapped(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long seg_pages = m->totalram_pages / 4, pages = 5 * m->totalram_pages / 4;
	unsigned long pfn0;
	long id, seg;

	(void)state;
	id = sys_shmget(m, IPC_PRIVATE, PG(seg_pages), 0600);
	seg = sys_shmat(m, (int)id, 0, 0);
	assert_int_equal(sys_shmctl(m, (int)id, SHM_LOCK, NULL), 0);
	fill(m, 0, (unsigned long)seg, seg_pages);
	pfn0 = page_to_pfn(m, ft_page(m, (unsigned long)seg));
	assert_int_equal(vt_map_fixed(m, PRIVATE_AREA, PG(pages), RW), (long)PRIVATE_AREA);
	fill(m, 1, PRIVATE_AREA, pages);
	fill(m, 2, PRIVATE_AREA, pages / 2);

	assert_true(vm_event(m, PSWPOUT) > 0);
	assert_int_equal(info_at(m, (unsigned long)seg)->swapped, 0);
	assert_int_equal(vt_vma(m, (unsigned long)seg)->vm_file->f_mapping->nrpages, seg_pages);
	assert_true(meminfo_kb(m, "Unevictable:") > 0);
	check(m, 0, (unsigned long)seg, seg_pages);
	assert_int_equal(page_to_pfn(m, ft_page(m, (unsigned long)seg)), pfn0);

	/* unlocked, the segment is evictable again and pressure swaps it */
	assert_int_equal(sys_shmctl(m, (int)id, SHM_UNLOCK, NULL), 0);
	assert_int_equal(meminfo_kb(m, "Unevictable:"), 0);
	fill(m, 1, PRIVATE_AREA, pages);
	fill(m, 2, PRIVATE_AREA, pages / 2);
	assert_true(info_at(m, (unsigned long)seg)->swapped > 0);
	check(m, 0, (unsigned long)seg, seg_pages);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* A child inherits the attach and the shared region across fork; pages
 * the child reads back after they were swapped are the parent's data,
 * and the parent sees the child's writes made after swapping. */
static void test_fork_shares_swapped_shmem(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long pages = 3 * m->totalram_pages / 4;
	struct task_struct *parent = get_current(m), *child;
	long id, seg;

	(void)state;
	id = sys_shmget(m, IPC_PRIVATE, PG(pages), 0600);
	seg = sys_shmat(m, (int)id, 0, 0);
	assert_int_equal(vt_map(m, SHARED_AREA, PG(pages), RW, MAP_SHARED | MAP_FIXED),
			 (long)SHARED_AREA);
	fill(m, 0, (unsigned long)seg, pages);
	fill(m, 1, SHARED_AREA, pages);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	check(m, 0, (unsigned long)seg, pages);
	check(m, 1, SHARED_AREA, pages);
	fill(m, 3, (unsigned long)seg, pages);
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	check(m, 3, (unsigned long)seg, pages);
	check(m, 1, SHARED_AREA, pages);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* IPC_RMID, detach and exit free every slot the shmem objects held:
 * swap_map all zero, SwapFree = SwapTotal, Shmem and SwapCached 0. */
static void test_rmid_detach_exit_free_all_slots(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long pages = 3 * m->totalram_pages / 4;
	long id, seg;

	(void)state;
	id = sys_shmget(m, IPC_PRIVATE, PG(pages), 0600);
	seg = sys_shmat(m, (int)id, 0, 0);
	assert_int_equal(vt_map(m, SHARED_AREA, PG(pages), RW, MAP_SHARED | MAP_FIXED),
			 (long)SHARED_AREA);
	fill(m, 0, (unsigned long)seg, pages);
	fill(m, 1, SHARED_AREA, pages);
	assert_true(area0(m)->inuse_pages > 0);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	assert_int_equal(sys_shmdt(m, (unsigned long)seg), 0);
	mmkit_exit(m, get_current(m), 0);

	assert_swap_map_zero(m);
	assert_int_equal(meminfo_kb(m, "SwapFree:"), meminfo_kb(m, "SwapTotal:"));
	assert_int_equal(meminfo_kb(m, "Shmem:"), 0);
	assert_int_equal(meminfo_kb(m, "SwapCached:"), 0);
	assert_true(list_empty(&m->ipc.shmem_inodes));
	vt_done(m);
}

/* A segment nobody attaches any more keeps its swapped data: the
 * creator exits, a new process attaches it and reads everything back. */
static void test_unattached_segment_keeps_swapped_data(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long pages = 3 * m->totalram_pages / 2;
	long id, seg;

	(void)state;
	id = sys_shmget(m, 0x5eed, PG(pages), IPC_CREAT | 0600);
	seg = sys_shmat(m, (int)id, 0, 0);
	fill(m, 0, (unsigned long)seg, pages);
	mmkit_exit(m, get_current(m), 0);
	vt_spawn(m, true);
	assert_int_equal(sys_shmget(m, 0x5eed, 0, 0), id);
	seg = sys_shmat(m, (int)id, 0, SHM_RDONLY);
	assert_false(IS_ERR_VALUE(seg));
	check(m, 0, (unsigned long)seg, pages);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	assert_int_equal(sys_shmdt(m, (unsigned long)seg), 0);
	assert_swap_map_zero(m);
	vt_done(m);
}

/* msync(MS_SYNC) and sync do not send shmem to swap (only reclaim
 * does, cf. shmem_writeout's for_reclaim check): the pages stay in the
 * object, no slot is used, no pswpout. */
static void test_msync_and_sync_leave_shmem_resident(void **state)
{
	struct machine *m = boot_small(32);
	unsigned long pswpout = vm_event(m, PSWPOUT);
	struct address_space *mapping;

	(void)state;
	assert_int_equal(vt_map(m, SHARED_AREA, PG(8), RW, MAP_SHARED | MAP_FIXED),
			 (long)SHARED_AREA);
	fill(m, 1, SHARED_AREA, 8);
	assert_int_equal(sys_madvise(m, SHARED_AREA, PG(4), MADV_DONTNEED), 0);
	assert_int_equal(sys_msync(m, SHARED_AREA, PG(8), MS_SYNC), 0);
	sync_filesystems(m);
	mapping = vt_vma(m, SHARED_AREA)->vm_file->f_mapping;
	assert_int_equal(mapping->nrpages, 8);
	assert_int_equal(info_at(m, SHARED_AREA)->swapped, 0);
	assert_int_equal(area0(m)->inuse_pages, 0);
	assert_int_equal(vm_event(m, PSWPOUT), pswpout);
	check(m, 1, SHARED_AREA, 8);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_segment_and_shared_anon_beyond_ram_swap_and_read_back),
		cmocka_unit_test(test_shm_info_reports_swapped_segment_pages),
		cmocka_unit_test(test_swapoff_brings_shmem_back),
		cmocka_unit_test(test_shm_locked_segment_never_swapped),
		cmocka_unit_test(test_fork_shares_swapped_shmem),
		cmocka_unit_test(test_rmid_detach_exit_free_all_slots),
		cmocka_unit_test(test_unattached_segment_keeps_swapped_data),
		cmocka_unit_test(test_msync_and_sync_leave_shmem_resident),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
