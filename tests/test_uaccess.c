/* Memory accesses through the MMU (src/arch/x86/uaccess.c): a simulated
 * program's mmkit_read/mmkit_write/mmkit_fetch with demand faults, the
 * SIGSEGV cases with the hardware error code in the "segfault at" line,
 * and the kernel's access_ok/copy_from_user/copy_to_user. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/signal.h>

#include "helpers.h"

#include "arch/x86/mmu.h"

#define AREA 0x50000000UL
#define PG(n) ((unsigned long)(n) * PAGE_SIZE)

static const char i386_text[] =
	"name ua-i386\narch i386\nhighmem yes\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable\n";	/* 1 GiB: highmem */
static const char x86_64_text[] =
	"name ua-x86_64\narch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";

static struct task_struct *run(struct machine *m)
{
	struct task_struct *tsk = mmkit_spawn(m, "ua", NULL);

	assert_non_null(tsk);
	mmkit_set_current(m, tsk);
	return tsk;
}

static void map_anon(struct machine *m, unsigned long addr, unsigned long len, unsigned long prot)
{
	long r = sys_mmap(m, addr, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			  (unsigned long)-1, 0);

	assert_int_equal(r, (long)addr);
}

static void done(struct machine *m)
{
	assert_clean(m);
	while (m->sched.nr_tasks)
		mmkit_exit(m, list_first_entry(&m->sched.tasks, struct task_struct, tasks), 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static phys_addr_t phys_of(struct machine *m, unsigned long va)
{
	phys_addr_t phys;
	unsigned int err;

	assert_int_equal(mmu_translate(m, va, X86_PF_USER, &phys, &err), 0);
	return phys;
}

/* A write across a page boundary demand-faults both pages; the bytes are
 * in the frames the page tables name and read back unchanged. */
static void test_write_read_back_across_pages(void **state)
{
	const char *texts[] = { i386_text, x86_64_text };
	char out[6000], in[6000];

	(void)state;
	for (int a = 0; a < 2; a++) {
		struct machine *m = test_boot_text(texts[a]);
		struct task_struct *tsk = run(m);
		unsigned long flt = tsk->min_flt;

		map_anon(m, AREA, PG(3), PROT_READ | PROT_WRITE);
		for (size_t i = 0; i < sizeof(out); i++)
			out[i] = (char)(i * 7 + 1);
		assert_int_equal(mmkit_write(m, AREA + 3000, out, sizeof(out)), 0);
		assert_true(tsk->min_flt >= flt + 2);
		memset(in, 0, sizeof(in));
		assert_int_equal(mmkit_read(m, AREA + 3000, in, sizeof(in)), 0);
		assert_memory_equal(in, out, sizeof(out));
		assert_memory_equal(m->ram + phys_of(m, AREA + 3000), out, PAGE_SIZE - 3000);
		assert_memory_equal(m->ram + phys_of(m, AREA + PAGE_SIZE), out + PAGE_SIZE - 3000,
				    PAGE_SIZE);
		done(m);
	}
}

/* Untouched anonymous memory reads as zeros. */
static void test_fresh_anonymous_memory_reads_zero(void **state)
{
	struct machine *m = test_boot_text(x86_64_text);
	char buf[64], zero[64] = { 0 };

	(void)state;
	run(m);
	map_anon(m, AREA, PG(1), PROT_READ | PROT_WRITE);
	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(mmkit_read(m, AREA + 100, buf, sizeof(buf)), 0);
	assert_memory_equal(buf, zero, sizeof(buf));
	done(m);
}

/* A user read of a kernel address: SIGSEGV, error 5 (PROT|USER). */
static void test_user_read_of_kernel_address_segfaults(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *tsk = run(m);
	pid_t pid = tsk->pid;
	char c;

	(void)state;
	assert_int_equal(mmkit_read(m, 0xc0001000UL, &c, 1), -EFAULT);
	assert_null(find_task_by_pid(m, pid));
	assert_int_equal(mmkit_last_fatal_signal(m)->info.signo, SIGSEGV);
	assert_int_equal(mmkit_last_fatal_signal(m)->info.addr, 0xc0001000UL);
	assert_true(test_log_contains(m, "segfault at c0001000 ip 00000000 sp 00000000 error 5"));
	done(m);
}

/* A write to a read-only mapping: SIGSEGV SEGV_ACCERR, error 6 (the page
 * was never touched: not present, write, user). */
static void test_write_to_readonly_mapping_segfaults(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *tsk = run(m);
	pid_t pid = tsk->pid;
	char c = 1;

	(void)state;
	map_anon(m, AREA, PG(1), PROT_READ);
	assert_int_equal(mmkit_write(m, AREA + 8, &c, 1), -EFAULT);
	assert_null(find_task_by_pid(m, pid));
	assert_int_equal(mmkit_last_fatal_signal(m)->info.code, SEGV_ACCERR);
	assert_true(test_log_contains(m, "segfault at 50000008 ip 00000000 sp 00000000 error 6"));
	done(m);
}

/* x86_64 has NX: fetching from a mapping without PROT_EXEC segfaults. As
 * in Linux, the first (not-present) fault maps the page, readable but NX;
 * the retried fetch then faults with error 0x15 (PROT|USER|INSTR) and
 * access_error refuses it. i386 without PAE cannot forbid the fetch. */
static void test_fetch_needs_exec_only_where_nx_exists(void **state)
{
	struct machine *m = test_boot_text(x86_64_text);
	pid_t pid = run(m)->pid;
	char buf[16];

	(void)state;
	map_anon(m, AREA, PG(1), PROT_READ | PROT_WRITE);
	assert_int_equal(mmkit_fetch(m, AREA, buf, sizeof(buf)), -EFAULT);
	assert_null(find_task_by_pid(m, pid));
	assert_int_equal(mmkit_last_fatal_signal(m)->info.code, SEGV_ACCERR);
	assert_true(test_log_contains(m, "segfault at 50000000 ip 0000000050000000 "
				      "sp 0000000000000000 error 15"));
	done(m);

	m = test_boot_default();
	run(m);
	map_anon(m, AREA, PG(1), PROT_READ | PROT_WRITE);
	assert_int_equal(mmkit_fetch(m, AREA, buf, sizeof(buf)), 0);
	done(m);
}

/* The text of an exec-like image can be fetched. */
static void test_fetch_from_text(void **state)
{
	struct machine *m = test_boot_text(x86_64_text);
	struct task_struct *tsk = run(m);
	char buf[32];

	(void)state;
	assert_int_equal(mmkit_fetch(m, tsk->mm->start_code, buf, sizeof(buf)), 0);
	done(m);
}

/* Without a current task there is nobody to access memory. */
static void test_no_current_task_is_esrch(void **state)
{
	struct machine *m = test_boot_default();
	char c;

	(void)state;
	assert_int_equal(mmkit_read(m, AREA, &c, 1), -ESRCH);
	assert_int_equal(mmkit_write(m, AREA, &c, 1), -ESRCH);
	assert_int_equal(mmkit_fetch(m, AREA, &c, 1), -ESRCH);
	done(m);
}

/* A PTE built by hand onto a highmem frame: the bytes are at m->ram + phys,
 * reads and writes go there, and the write sets D. */
static void test_access_through_prebuilt_pte_to_highmem_frame(void **state)
{
	struct machine *m = test_boot_text(i386_text);
	struct task_struct *tsk = run(m);
	struct page *page = alloc_page(m, GFP_HIGHUSER);
	phys_addr_t phys;
	ptep_t *ptep;
	char buf[8];

	(void)state;
	map_anon(m, AREA, PG(1), PROT_READ | PROT_WRITE);
	assert_non_null(page);
	assert_true(PageHighMem(m, page));
	phys = page_to_phys(m, page);
	memcpy(m->ram + phys + 16, "highmem", 8);
	ptep = pte_alloc_user(m, tsk->mm, AREA);
	assert_non_null(ptep);
	set_pte(m, ptep, __pte(phys | _PAGE_PRESENT | _PAGE_RW | _PAGE_USER));
	assert_int_equal(mmkit_read(m, AREA + 16, buf, 8), 0);
	assert_string_equal(buf, "highmem");
	assert_int_equal(mmkit_write(m, AREA + 100, "x", 1), 0);
	assert_int_equal(m->ram[phys + 100], 'x');
	assert_true(pte_val(ptep_get(m, ptep)) & _PAGE_DIRTY);
	pte_clear(m, ptep);
	flush_tlb_mm(m, tsk->mm);
	__free_page(m, page);
	done(m);
}

/* CR0.WP: a kernel write to the read-only zero page that a read mapped
 * faults (PROT|WRITE, supervisor) and is resolved by COW; the zero page
 * stays zero. */
static void test_copy_to_user_breaks_cow_of_zero_page(void **state)
{
	struct machine *m = test_boot_default();
	char c = 0, buf[4];

	(void)state;
	run(m);
	map_anon(m, AREA, PG(1), PROT_READ | PROT_WRITE);
	assert_int_equal(mmkit_read(m, AREA, &c, 1), 0);
	assert_int_equal(phys_of(m, AREA) >> PAGE_SHIFT, zero_pfn(m));
	assert_int_equal(copy_to_user(m, AREA + 1, "abc", 3), 0);
	assert_true(phys_of(m, AREA) >> PAGE_SHIFT != zero_pfn(m));
	assert_int_equal(mmkit_read(m, AREA, buf, 4), 0);
	assert_memory_equal(buf, "\0abc", 4);
	assert_int_equal(m->ram[PFN_PHYS(zero_pfn(m)) + 1], 0);
	done(m);
}

/* ---- the kernel side ---- */

/* access_ok: the range must end at or below TASK_SIZE and not wrap. */
static void test_access_ok_limits(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	assert_true(access_ok(m, 0xbffff000UL, 0x1000));
	assert_false(access_ok(m, 0xbffff000UL, 0x1001));
	assert_false(access_ok(m, 0xc0000000UL, 1));
	assert_true(access_ok(m, 0, 0));
	assert_true(access_ok(m, 0xc0000000UL, 0));
	assert_false(access_ok(m, ~0UL - 3, 8));	/* wraps */
	done(m);
	m = test_boot_text(x86_64_text);
	assert_true(access_ok(m, 0x7ffffffff000UL - 16, 16));
	assert_false(access_ok(m, 0x7ffffffff000UL - 16, 17));
	assert_false(access_ok(m, 0xffff888000000000UL, 1));
	done(m);
}

/* copy_to_user then copy_from_user through kernel-mode demand faults. */
static void test_copy_to_and_from_user_round_trip(void **state)
{
	struct machine *m = test_boot_text(x86_64_text);
	char out[5000], in[5000];

	(void)state;
	run(m);
	map_anon(m, AREA, PG(2), PROT_READ | PROT_WRITE);
	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i ^ 0x3c);
	assert_int_equal(copy_to_user(m, AREA + 1000, out, sizeof(out)), 0);
	assert_int_equal(copy_from_user(m, in, AREA + 1000, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));
	/* the program sees what the kernel wrote */
	assert_int_equal(mmkit_read(m, AREA + 1000, in, sizeof(in)), 0);
	assert_memory_equal(in, out, sizeof(out));
	done(m);
}

/* A copy running into an unmapped page stops there: it returns the bytes
 * not copied, zero-fills them in the destination, and sends no signal. */
static void test_copy_from_user_stops_at_hole_and_zero_fills(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *tsk = run(m);
	char buf[30];

	(void)state;
	map_anon(m, AREA, PG(1), PROT_READ | PROT_WRITE);
	assert_int_equal(mmkit_write(m, AREA + PAGE_SIZE - 10, "0123456789", 10), 0);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(copy_from_user(m, buf, AREA + PAGE_SIZE - 10, sizeof(buf)), 20);
	assert_memory_equal(buf, "0123456789", 10);
	for (int i = 10; i < 30; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(copy_to_user(m, AREA + PAGE_SIZE - 4, buf, 8), 4);
	assert_non_null(find_task_by_pid(m, tsk->pid));
	done(m);
}

/* Kernel addresses and wrapping ranges are refused before any access:
 * nothing is translated, all bytes are reported not copied. */
static void test_copy_of_kernel_or_wrapping_range_touches_nothing(void **state)
{
	struct machine *m = test_boot_default();
	struct mmu_cpu *c = &m->mmu.cpu[0];
	unsigned long n;
	char buf[16];

	(void)state;
	run(m);
	n = mmu_nr_translations(c);
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(copy_from_user(m, buf, 0xc0000000UL, sizeof(buf)), sizeof(buf));
	for (int i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(copy_to_user(m, 0xbffffff8UL, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(copy_to_user(m, ~0UL - 4, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(mmu_nr_translations(c), n);
	assert_int_equal(copy_from_user(m, buf, AREA, 0), 0);
	done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_read_back_across_pages),
		cmocka_unit_test(test_fresh_anonymous_memory_reads_zero),
		cmocka_unit_test(test_user_read_of_kernel_address_segfaults),
		cmocka_unit_test(test_write_to_readonly_mapping_segfaults),
		cmocka_unit_test(test_fetch_needs_exec_only_where_nx_exists),
		cmocka_unit_test(test_fetch_from_text),
		cmocka_unit_test(test_no_current_task_is_esrch),
		cmocka_unit_test(test_access_through_prebuilt_pte_to_highmem_frame),
		cmocka_unit_test(test_copy_to_user_breaks_cow_of_zero_page),
		cmocka_unit_test(test_access_ok_limits),
		cmocka_unit_test(test_copy_to_and_from_user_round_trip),
		cmocka_unit_test(test_copy_from_user_stops_at_hole_and_zero_fills),
		cmocka_unit_test(test_copy_of_kernel_or_wrapping_range_touches_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
