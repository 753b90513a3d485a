/* SysV shared memory (src/mm/shm.c): shmget/shmat/shmdt/shmctl with
 * Linux's errno (compared with the host kernel's where the host allows),
 * segments shared between processes, the IPC_RMID lifecycle, nattch
 * across fork and exit, /proc/sysvipc/shm and the maps name. */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include <mmkit/shm.h>

#include "fault_test.h"

#define KEY 0x00001234

/* The host's errno for a call (0 on success). */
static int host_errno(long ret)
{
	return ret == -1 ? errno : 0;
}

/* A key nobody else uses on the host. */
static key_t host_key(void)
{
	return (key_t)(0x6d6b0000 | (getpid() & 0xffff));
}

/* shmget's argument errors are the host kernel's: size 0 and size above
 * an existing segment EINVAL, a missing key ENOENT, IPC_EXCL on an
 * existing key EEXIST. */
static void test_shmget_errno_matches_host(void **state)
{
	struct machine *m = vt_boot();
	key_t hk = host_key();
	int hid;
	long id;

	(void)state;
	assert_int_equal(-sys_shmget(m, IPC_PRIVATE, 0, 0600), host_errno(shmget(IPC_PRIVATE, 0, 0600)));
	assert_int_equal(-sys_shmget(m, KEY, 4096, 0600), host_errno(shmget(hk, 4096, 0600)));
	hid = shmget(hk, 8192, IPC_CREAT | 0600);
	assert_true(hid >= 0);
	id = sys_shmget(m, KEY, 8192, IPC_CREAT | 0600);
	assert_true(id >= 0);
	assert_int_equal(-sys_shmget(m, KEY, 4096, IPC_CREAT | IPC_EXCL | 0600),
			 host_errno(shmget(hk, 4096, IPC_CREAT | IPC_EXCL | 0600)));
	assert_int_equal(-sys_shmget(m, KEY, 3 * 4096, 0600), host_errno(shmget(hk, 3 * 4096, 0600)));
	assert_int_equal(sys_shmget(m, KEY, 100, 0), id);	/* smaller is fine */
	assert_true(shmget(hk, 100, 0) == hid);
	assert_int_equal(-sys_shmctl(m, (int)id, 99, NULL), host_errno(shmctl(hid, 99, NULL)));
	assert_int_equal(-sys_shmctl(m, -1, IPC_RMID, NULL), host_errno(shmctl(-1, IPC_RMID, NULL)));
	assert_int_equal(shmctl(hid, IPC_RMID, NULL), 0);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	assert_int_equal(-sys_shmctl(m, (int)id, IPC_STAT, NULL), EINVAL);
	vt_done(m);
}

/* shmat/shmdt argument errors as the host's: an unaligned address
 * without SHM_RND, SHM_REMAP without an address, a bad id, shmdt where
 * nothing is attached. */
static void test_shmat_shmdt_errno_matches_host(void **state)
{
	struct machine *m = vt_boot();
	int hid = shmget(IPC_PRIVATE, 4096, 0600);
	long id = sys_shmget(m, IPC_PRIVATE, 4096, 0600);

	(void)state;
	assert_true(hid >= 0 && id >= 0);
	assert_int_equal(-sys_shmat(m, (int)id, 0x50000123, 0),
			 host_errno((long)shmat(hid, (void *)0x50000123, 0)));
	assert_int_equal(-sys_shmat(m, (int)id, 0, SHM_REMAP),
			 host_errno((long)shmat(hid, NULL, SHM_REMAP)));
	assert_int_equal(-sys_shmat(m, -5, 0, 0), host_errno((long)shmat(-5, NULL, 0)));
	assert_int_equal(-sys_shmat(m, (int)id + 1, 0, 0), host_errno((long)shmat(hid + 1, NULL, 0)));
	assert_int_equal(-sys_shmdt(m, 0x50000000), host_errno(shmdt((void *)0x50000000)));
	assert_int_equal(-sys_shmdt(m, 0x50000001), host_errno(shmdt((void *)0x50000001)));
	shmctl(hid, IPC_RMID, NULL);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* SHM_RND rounds the address down to SHMLBA; attaching over a mapping
 * needs SHM_REMAP. */
static void test_shmat_rnd_and_remap(void **state)
{
	struct machine *m = vt_boot();
	long id = sys_shmget(m, IPC_PRIVATE, PG(2), 0600);

	(void)state;
	assert_int_equal(sys_shmat(m, (int)id, AREA + 0x123, SHM_RND), AREA);
	assert_int_equal(sys_shmat(m, (int)id, AREA, 0), -EINVAL);
	assert_int_equal(sys_shmat(m, (int)id, AREA, SHM_REMAP), AREA);
	assert_int_equal(sys_shmdt(m, AREA), 0);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* On x86_64 an address in the top page of the 64-bit space, rounded by
 * SHM_RND, is an address and not an errno (the syscall fuzzer saw -4096
 * returned): a bad id is EINVAL, the wrapping range EINVAL, SHM_REMAP
 * there ENOMEM (do_mmap), each as the host kernel's. */
static void test_shmat_top_page_address_x86_64(void **state)
{
	static const char desc[] =
		"name shm-x86_64\n"
		"arch x86_64\n"
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";
	struct machine *m = test_boot_text(desc);
	const unsigned long top = -0x100UL;	/* SHM_RND: 0xfffffffffffff000 */
	int hid = shmget(IPC_PRIVATE, 4096, 0600);
	long id;

	(void)state;
	vt_spawn(m, true);
	id = sys_shmget(m, IPC_PRIVATE, 4096, 0600);
	assert_true(hid >= 0 && id >= 0);
	assert_int_equal(sys_shmat(m, (int)id + 1, top, SHM_RND | SHM_REMAP), -EINVAL);
	assert_int_equal(-sys_shmat(m, (int)id + 1, top, SHM_RND | SHM_REMAP),
			 host_errno((long)shmat(hid + 1, (void *)top, SHM_RND | SHM_REMAP)));
	assert_int_equal(sys_shmat(m, (int)id, top, SHM_RND), -EINVAL);
	assert_int_equal(-sys_shmat(m, (int)id, top, SHM_RND),
			 host_errno((long)shmat(hid, (void *)top, SHM_RND)));
	assert_int_equal(sys_shmat(m, (int)id, top, SHM_RND | SHM_REMAP), -ENOMEM);
	assert_int_equal(-sys_shmat(m, (int)id, top, SHM_RND | SHM_REMAP),
			 host_errno((long)shmat(hid, (void *)top, SHM_RND | SHM_REMAP)));
	shmctl(hid, IPC_RMID, NULL);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* Two processes attaching the same segment map the same physical page
 * and see each other's writes. */
static void test_segment_shared_by_two_processes(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *a = get_current(m), *b;
	long id = sys_shmget(m, KEY, PG(1), IPC_CREAT | 0666);
	long pa, pb;
	unsigned long pfn;

	(void)state;
	pa = sys_shmat(m, (int)id, 0, 0);
	assert_false(IS_ERR_VALUE(pa));
	poke(m, (unsigned long)pa, 'A');
	pfn = pte_pfn(ft_pte(m, (unsigned long)pa));
	b = vt_spawn(m, false);
	assert_int_equal(sys_shmget(m, KEY, 0, 0), id);
	pb = sys_shmat(m, (int)id, 0, 0);
	assert_false(IS_ERR_VALUE(pb));
	assert_int_equal(peek(m, (unsigned long)pb), 'A');
	assert_int_equal(pte_pfn(ft_pte(m, (unsigned long)pb)), pfn);
	poke(m, (unsigned long)pb, 'B');
	mmkit_set_current(m, a);
	assert_int_equal(peek(m, (unsigned long)pa), 'B');
	(void)b;
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

static unsigned long nattch(struct machine *m, long id)
{
	struct mmkit_shmid_ds ds;

	assert_int_equal(sys_shmctl(m, (int)id, IPC_STAT, &ds), 0);
	return ds.shm_nattch;
}

/* shm_nattch counts attaches: fork inherits them (+1), the child's exit
 * drops them, shmdt drops one; atime/dtime/lpid follow. */
static void test_nattch_follows_attach_fork_exit_detach(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	long id = sys_shmget(m, IPC_PRIVATE, PG(1), 0600);
	struct mmkit_shmid_ds ds;
	long addr;

	(void)state;
	assert_int_equal(nattch(m, id), 0);
	m->clock_ns = 5000000000ULL;
	addr = sys_shmat(m, (int)id, 0, 0);
	assert_int_equal(nattch(m, id), 1);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_int_equal(nattch(m, id), 2);
	m->clock_ns = 7000000000ULL;
	mmkit_set_current(m, child);
	mmkit_exit(m, child, 0);
	mmkit_set_current(m, parent);
	assert_int_equal(nattch(m, id), 1);
	assert_int_equal(sys_shmdt(m, (unsigned long)addr), 0);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_STAT, &ds), 0);
	assert_int_equal(ds.shm_nattch, 0);
	assert_int_equal(ds.shm_atime, 5);
	assert_int_equal(ds.shm_dtime, 7);
	assert_int_equal(ds.shm_cpid, parent->tgid);
	assert_int_equal(ds.shm_lpid, parent->tgid);
	assert_int_equal(ds.shm_segsz, PG(1));
	assert_int_equal(ds.shm_perm.mode, 0600);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* IPC_RMID on an attached segment marks it SHM_DEST and makes its key
 * private (shmget by key: ENOENT) but keeps it until the last detach;
 * then it is gone (EINVAL) and its Shmem pages are freed. */
static void test_rmid_destroys_at_last_detach(void **state)
{
	struct machine *m = vt_boot();
	long id = sys_shmget(m, KEY, PG(2), IPC_CREAT | 0600);
	long shmem0 = m->node.vm_stat[NR_SHMEM];
	struct mmkit_shmid_ds ds;
	long addr;

	(void)state;
	addr = sys_shmat(m, (int)id, 0, 0);
	poke(m, (unsigned long)addr, 1);
	poke(m, (unsigned long)addr + PG(1), 2);
	assert_int_equal(m->node.vm_stat[NR_SHMEM] - shmem0, 2);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	assert_int_equal(sys_shmget(m, KEY, PG(1), 0600), -ENOENT);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_STAT, &ds), 0);
	assert_int_equal(ds.shm_perm.mode, SHM_DEST | 0600);
	assert_int_equal(ds.shm_perm.key, IPC_PRIVATE);
	assert_int_equal(peek(m, (unsigned long)addr + PG(1)), 2);
	assert_int_equal(sys_shmdt(m, (unsigned long)addr), 0);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_STAT, &ds), -EINVAL);
	assert_int_equal(m->node.vm_stat[NR_SHMEM], shmem0);
	vt_done(m);
}

/* A segment outlives its creator's exit and keeps its data. */
static void test_segment_outlives_detach_and_exit(void **state)
{
	struct machine *m = vt_boot();
	long id = sys_shmget(m, KEY, PG(1), IPC_CREAT | 0666);
	long addr = sys_shmat(m, (int)id, 0, 0);

	(void)state;
	poke(m, (unsigned long)addr + 10, 'x');
	mmkit_exit(m, get_current(m), 0);
	vt_spawn(m, false);
	addr = sys_shmat(m, (int)sys_shmget(m, KEY, 0, 0), 0, SHM_RDONLY);
	assert_false(IS_ERR_VALUE(addr));
	assert_int_equal(peek(m, (unsigned long)addr + 10), 'x');
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* Permissions: another user gets EACCES on a 0600 segment (shmget and
 * shmat) and EPERM on IPC_RMID; root passes (CAP_IPC_OWNER). */
static void test_permissions_eacces_eperm(void **state)
{
	struct machine *m = test_boot_default();
	long id;

	(void)state;
	vt_spawn(m, true);
	id = sys_shmget(m, KEY, PG(1), IPC_CREAT | 0600);
	assert_true(id >= 0);
	vt_spawn(m, false);
	assert_int_equal(sys_shmget(m, KEY, PG(1), 0600), -EACCES);
	assert_int_equal(sys_shmget(m, KEY, PG(1), 0), id);
	assert_int_equal(sys_shmat(m, (int)id, 0, SHM_RDONLY), -EACCES);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), -EPERM);
	vt_spawn(m, true);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* Limits: SHMMNI segments, shmmax (the i386 default: ULONG_MAX - 2^24)
 * and IPC_INFO's report. */
static void test_limits_and_ipc_info(void **state)
{
	struct machine *m = vt_boot();
	struct mmkit_shminfo info;
	struct mmkit_shm_info si;

	(void)state;
	assert_int_equal(sys_shmctl(m, 0, IPC_INFO, &info), 0);
	assert_int_equal(info.shmmax, 0xfeffffffUL);
	assert_int_equal(info.shmall, 0xfeffffffUL);
	assert_int_equal(info.shmmni, 4096);
	assert_int_equal(info.shmseg, 4096);
	assert_int_equal(info.shmmin, 1);
	assert_int_equal(sys_shmget(m, IPC_PRIVATE, 0xff000000UL, 0600), -EINVAL);
	m->ipc.shm_ctlmni = 2;
	assert_int_equal(sys_shmget(m, IPC_PRIVATE, 1, 0600), 0);
	assert_int_equal(sys_shmget(m, IPC_PRIVATE, 4097, 0600), 1);
	assert_int_equal(sys_shmget(m, IPC_PRIVATE, 1, 0600), -ENOSPC);
	assert_int_equal(sys_shmctl(m, 0, SHM_INFO, &si), 1);
	assert_int_equal(si.used_ids, 2);
	assert_int_equal(si.shm_tot, 3);
	assert_int_equal(sys_shmctl(m, 0, IPC_RMID, NULL), 0);
	/* the slot is reused only after the cyclic allocation wraps */
	assert_int_equal(sys_shmget(m, IPC_PRIVATE, 1, 0600), 32768 + 0);
	assert_int_equal(sys_shmctl(m, 1, IPC_RMID, NULL), 0);
	assert_int_equal(sys_shmctl(m, 32768, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* /proc/sysvipc/shm: the 32-bit kernel's header and one line per
 * segment, as Linux prints them; /proc/PID/maps names the attach
 * "/SYSV%08x (deleted)" with the shmid as inode. */
static void test_proc_sysvipc_shm_and_maps_name(void **state)
{
	struct machine *m = vt_boot();
	long id, addr;
	char line[512], *text, *maps;

	(void)state;
	m->clock_ns = 1795443568ULL * 1000000000ULL;
	id = sys_shmget(m, KEY, 10000, IPC_CREAT | 0640);
	addr = sys_shmat(m, (int)id, 0, 0);
	poke(m, (unsigned long)addr, 1);
	poke(m, (unsigned long)addr + PG(1), 1);
	text = test_proc(m, "/proc/sysvipc/shm");
	snprintf(line, sizeof(line),
		 "       key      shmid perms       size  cpid  lpid nattch   uid   gid  cuid  cgid"
		 "      atime      dtime      ctime        rss       swap\n"
		 "      4660 %10ld   640      10000 %5d %5d      1  1000  1000  1000  1000 1795443568"
		 "          0 1795443568       8192          0\n",
		 id, get_current(m)->tgid, get_current(m)->tgid);
	assert_string_equal(text, line);
	free(text);
	maps = test_proc(m, "/proc/self/maps");
	snprintf(line, sizeof(line), "%08lx-%08lx rw-s 00000000 00:01 %-10ld /SYSV00001234 (deleted)\n",
		 addr, addr + PG(3), id);
	assert_non_null(strstr(maps, line));
	free(maps);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	text = test_proc(m, "/proc/sysvipc/shm");
	assert_non_null(strstr(text, "         0          0  1640"));
	free(text);
	vt_done(m);
}

/* On x86_64 the size, rss and swap columns are %21lu (BITS_PER_LONG 64),
 * the header widened to match: byte for byte the host kernel's header
 * (Linux 6.18 x86_64) when the host has /proc/sysvipc/shm. */
static void test_proc_sysvipc_shm_x86_64_widths(void **state)
{
	static const char desc[] =
		"name shm-x86_64\n"
		"arch x86_64\n"
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";
	struct machine *m = test_boot_text(desc);
	char *text, host[512], line[512];
	long id, addr;
	FILE *hf;

	(void)state;
	vt_spawn(m, true);
	m->clock_ns = 1795443568ULL * 1000000000ULL;
	id = sys_shmget(m, KEY, 10000, IPC_CREAT | 0640);
	addr = sys_shmat(m, (int)id, 0, 0);
	poke(m, (unsigned long)addr, 1);
	text = test_proc(m, "/proc/sysvipc/shm");
	snprintf(line, sizeof(line),
		 "       key      shmid perms                  size  cpid  lpid nattch   uid   gid"
		 "  cuid  cgid      atime      dtime      ctime                   rss"
		 "                  swap\n"
		 "      4660 %10ld   640                 10000 %5d %5d      1     0     0     0     0"
		 " 1795443568          0 1795443568                  4096                     0\n",
		 id, get_current(m)->tgid, get_current(m)->tgid);
	assert_string_equal(text, line);
	hf = fopen("/proc/sysvipc/shm", "r");
	if (hf && sizeof(long) == 8 && fgets(host, sizeof(host), hf)) {
		size_t n = strcspn(text, "\n") + 1;

		assert_int_equal(strlen(host), n);
		assert_memory_equal(host, text, n);
	}
	if (hf)
		fclose(hf);
	free(text);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	vt_done(m);
}

/* Shmem in /proc/meminfo counts the segment's touched pages; SHM_LOCK
 * sets SHM_LOCKED and makes the mapping unevictable. */
static void test_meminfo_shmem_and_shm_lock(void **state)
{
	struct machine *m = test_boot_default();
	unsigned long before;
	struct mmkit_shmid_ds ds;
	long id, addr;

	(void)state;
	vt_spawn(m, true);
	before = meminfo_kb(m, "Shmem:");
	id = sys_shmget(m, IPC_PRIVATE, PG(4), 0600);
	addr = sys_shmat(m, (int)id, 0, 0);
	for (int i = 0; i < 3; i++)
		poke(m, (unsigned long)addr + PG(i), 1);
	assert_int_equal(meminfo_kb(m, "Shmem:") - before, 12);
	assert_int_equal(sys_shmctl(m, (int)id, SHM_LOCK, NULL), 0);
	assert_int_equal(sys_shmctl(m, (int)id, IPC_STAT, &ds), 0);
	assert_int_equal(ds.shm_perm.mode, SHM_LOCKED | 0600);
	assert_true(vt_vma(m, (unsigned long)addr)->vm_file->f_mapping->flags &
		    (1UL << AS_UNEVICTABLE));
	assert_int_equal(sys_shmctl(m, (int)id, SHM_UNLOCK, NULL), 0);
	assert_false(vt_vma(m, (unsigned long)addr)->vm_file->f_mapping->flags &
		     (1UL << AS_UNEVICTABLE));
	assert_int_equal(sys_shmctl(m, (int)id, IPC_RMID, NULL), 0);
	assert_int_equal(sys_shmdt(m, (unsigned long)addr), 0);
	assert_int_equal(meminfo_kb(m, "Shmem:"), before);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shmget_errno_matches_host),
		cmocka_unit_test(test_shmat_shmdt_errno_matches_host),
		cmocka_unit_test(test_shmat_rnd_and_remap),
		cmocka_unit_test(test_shmat_top_page_address_x86_64),
		cmocka_unit_test(test_segment_shared_by_two_processes),
		cmocka_unit_test(test_nattch_follows_attach_fork_exit_detach),
		cmocka_unit_test(test_rmid_destroys_at_last_detach),
		cmocka_unit_test(test_segment_outlives_detach_and_exit),
		cmocka_unit_test(test_permissions_eacces_eperm),
		cmocka_unit_test(test_limits_and_ipc_info),
		cmocka_unit_test(test_proc_sysvipc_shm_and_maps_name),
		cmocka_unit_test(test_proc_sysvipc_shm_x86_64_widths),
		cmocka_unit_test(test_meminfo_shmem_and_shm_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
