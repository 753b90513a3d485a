/* The page-fault handler's failures and the stack (src/arch/x86/fault.c):
 * SIGSEGV with SEGV_MAPERR / SEGV_ACCERR and the kernel's "segfault at"
 * line, user access to kernel addresses, NX on the formats that have it,
 * stack growth within RLIMIT_STACK and the guard gap, kernel-mode faults
 * (exception fixup, oops report). After every kill the machine must be
 * consistent (assert_clean). */
#include "fault_test.h"

/* The line show_signal_msg prints for the i386 default machine's task. */
static void assert_segfault_line(struct machine *m, pid_t pid, unsigned long addr,
				 unsigned long ip, unsigned int error)
{
	char line[160];

	snprintf(line, sizeof(line),
		 "vt[%d]: segfault at %lx ip %08lx sp 00000000 error %x likely on CPU 0 (core 0, socket 0)\n",
		 pid, addr, ip, error);
	assert_log_has(m, line);
}

/* Expect the current task to have been killed by SIGSEGV with code at addr. */
static void assert_killed(struct machine *m, pid_t pid, int code, unsigned long addr)
{
	const struct mmkit_fatal_signal *f = mmkit_last_fatal_signal(m);

	assert_int_equal(f->pid, pid);
	assert_string_equal(f->comm, "vt");
	assert_int_equal(f->info.signo, SIGSEGV);
	assert_int_equal(f->info.code, code);
	assert_int_equal(f->info.addr, addr);
	assert_null(get_current(m));
	assert_null(find_task_by_pid(m, pid));
	assert_clean(m);
}

/* Nothing mapped there: SEGV_MAPERR, "error 4" (user read, not present).
 * The bad area is found before handle_mm_fault: no PGFAULT is counted. */
static void test_unmapped_read_is_segv_maperr(void **state)
{
	struct machine *m = vt_boot();
	pid_t pid = get_current(m)->pid;
	unsigned long pg0 = vm_event(m, PGFAULT);
	u32 v;

	(void)state;
	assert_int_equal(mmkit_read(m, AREA, &v, sizeof(v)), -EFAULT);
	assert_segfault_line(m, pid, AREA, 0, 4);
	assert_killed(m, pid, SEGV_MAPERR, AREA);
	assert_int_equal(m->signal.nr_fatal[SIGSEGV], 1);
	assert_int_equal(vm_event(m, PGFAULT), pg0);
	vt_done(m);
}

/* A write to PROT_READ memory: SEGV_ACCERR, "error 6" (user write). */
static void test_write_to_readonly_is_segv_accerr(void **state)
{
	struct machine *m = vt_boot();
	pid_t pid = get_current(m)->pid;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), PROT_READ, MAP_PRIVATE);
	char c = 1;

	(void)state;
	assert_int_equal(mmkit_write(m, addr + 3, &c, 1), -EFAULT);
	assert_segfault_line(m, pid, addr + 3, 0, 6);
	assert_killed(m, pid, SEGV_ACCERR, addr + 3);
	vt_done(m);
}

/* The text is r-x: a store into it is ACCERR as well; after a read mapped
 * the page, the same store is a protection fault, "error 7". */
static void test_write_to_present_text_is_error_7(void **state)
{
	struct machine *m = vt_boot();
	pid_t pid = get_current(m)->pid;
	char c = 1;

	(void)state;
	assert_int_equal(mmkit_read(m, 0x08048000UL, &c, 1), 0);
	assert_int_equal(mmkit_write(m, 0x08048010UL, &c, 1), -EFAULT);
	assert_segfault_line(m, pid, 0x08048010UL, 0, 7);
	assert_killed(m, pid, SEGV_ACCERR, 0x08048010UL);
	vt_done(m);
}

/* PROT_NONE allows nothing: a read is ACCERR too. */
static void test_read_of_prot_none_is_segv_accerr(void **state)
{
	struct machine *m = vt_boot();
	pid_t pid = get_current(m)->pid;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), PROT_NONE, MAP_PRIVATE);
	char c;

	(void)state;
	assert_int_equal(mmkit_read(m, addr, &c, 1), -EFAULT);
	assert_segfault_line(m, pid, addr, 0, 4);
	assert_killed(m, pid, SEGV_ACCERR, addr);
	vt_done(m);
}

/* User mode touching the kernel's direct map: SEGV_MAPERR (Linux's
 * bad_area_nosemaphore for kernel addresses), "error 5": user, and
 * protection, which sanitize_error_code sets for every kernel address. */
static void test_user_access_to_kernel_address_is_segv(void **state)
{
	struct machine *m = vt_boot();
	pid_t pid = get_current(m)->pid;
	u32 v;

	(void)state;
	assert_int_equal(mmkit_read(m, 0xc0100000UL, &v, sizeof(v)), -EFAULT);
	assert_segfault_line(m, pid, 0xc0100000UL, 0, 5);
	assert_killed(m, pid, SEGV_MAPERR, 0xc0100000UL);
	vt_done(m);
}

static const char pae_machine[] =
	"name fault-pae\n"
	"arch i386-pae\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";

/* PAE has NX: fetching from rw- memory maps the page (an NX pte), then
 * the retried fetch is a protection fault: ACCERR, "error 15" (PROT |
 * USER | INSTR), and ip is where the fetch was. */
static void test_fetch_from_noexec_is_accerr_with_nx(void **state)
{
	struct machine *m = test_boot_text(pae_machine);
	unsigned long addr;
	pid_t pid;
	char c;

	(void)state;
	pid = vt_spawn(m, false)->pid;
	addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	assert_int_equal(mmkit_fetch(m, addr + 4, &c, 1), -EFAULT);
	assert_segfault_line(m, pid, addr + 4, addr + 4, 0x15);
	assert_killed(m, pid, SEGV_ACCERR, addr + 4);
	vt_done(m);
}

/* The 2-level format has no NX bit: the same fetch succeeds (as on a
 * non-PAE i386, where readable implies executable). */
static void test_fetch_from_noexec_succeeds_without_nx(void **state)
{
	struct machine *m = vt_boot();
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	char c = 1;

	(void)state;
	assert_int_equal(mmkit_fetch(m, addr, &c, 1), 0);
	assert_int_equal(c, 0);
	assert_non_null(get_current(m));
	vt_done(m);
}

/* [stack] is bffdf000-c0000000: a store 64 KiB below it grows it down. */
static void test_stack_grows_down_within_rlimit(void **state)
{
	struct machine *m = vt_boot();
	unsigned long below = 0xbffdf000UL - 0x10000, stack_vm = vt_mm(m)->stack_vm;
	char c = 7;

	(void)state;
	assert_int_equal(mmkit_write(m, below + 8, &c, 1), 0);
	assert_int_equal(vt_vma(m, 0xbffff000UL)->vm_start, below);
	assert_int_equal(vt_mm(m)->stack_vm, stack_vm + 16);
	assert_int_equal(ft_rss(m, MM_ANONPAGES), 1);
	assert_non_null(get_current(m));
	vt_done(m);
}

/* Growing the stack past RLIMIT_STACK (8 MiB) fails: SEGV_MAPERR, and
 * the stack VMA is unchanged. */
static void test_stack_beyond_rlimit_is_segv(void **state)
{
	struct machine *m = vt_boot();
	pid_t pid = get_current(m)->pid;
	unsigned long addr = 0xc0000000UL - (8UL << 20) - PG(1);
	char c = 1;

	(void)state;
	assert_int_equal(mmkit_write(m, addr, &c, 1), -EFAULT);
	assert_segfault_line(m, pid, addr, 0, 6);
	assert_killed(m, pid, SEGV_MAPERR, addr);
	vt_done(m);
}

/* A mapping 300 pages below the stack: the stack may not come within
 * stack_guard_gap (256 pages) of it. A fault 200 pages above it is
 * SEGV_MAPERR; one exactly 256 pages above it grows the stack. */
static void test_stack_growth_stops_at_guard_gap(void **state)
{
	struct machine *m = vt_boot();
	unsigned long stack = 0xbffdf000UL, prev_end = stack - PG(300);
	struct ft_caught caught = { 0 };
	char c = 1;

	(void)state;
	assert_int_equal(vt_map_fixed(m, prev_end - PG(1), PG(1), RW), (long)(prev_end - PG(1)));
	assert_int_equal(mmkit_sigaction(m, get_current(m), SIGSEGV, ft_handler, &caught), 0);
	assert_int_equal(mmkit_write(m, prev_end + PG(200), &c, 1), -EFAULT);
	assert_int_equal(caught.calls, 1);
	assert_int_equal(caught.info.code, SEGV_MAPERR);
	assert_int_equal(caught.info.addr, prev_end + PG(200));
	assert_int_equal(vt_vma(m, 0xbffff000UL)->vm_start, stack);
	assert_int_equal(mmkit_write(m, prev_end + PG(256), &c, 1), 0);
	assert_int_equal(vt_vma(m, 0xbffff000UL)->vm_start, prev_end + PG(256));
	assert_int_equal(caught.calls, 1);
	vt_done(m);
}

/* A kernel-mode access (copy_from_user) to an unmapped user address takes
 * the exception fixup: bytes not copied, no signal, no message. */
static void test_kernel_mode_user_fault_is_fixup_not_signal(void **state)
{
	struct machine *m = vt_boot();
	char buf[16];

	(void)state;
	assert_int_equal(copy_from_user(m, buf, AREA, sizeof(buf)), sizeof(buf));
	assert_int_equal(do_page_fault(m, AREA, X86_PF_WRITE), -EFAULT);
	assert_non_null(get_current(m));
	assert_int_equal(m->signal.nr_fatal[SIGSEGV], 0);
	assert_log_lacks(m, "segfault at");
	vt_done(m);
}

/* A kernel-mode fault on a kernel address nothing maps: the oops report
 * in Linux's words (mmkit does not halt; the access fails). */
static void test_kernel_mode_kernel_fault_reports_oops(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	assert_int_equal(do_page_fault(m, 0xf8000000UL, X86_PF_WRITE), -EFAULT);
	assert_log_has(m, "BUG: unable to handle page fault for address: f8000000\n");
	assert_log_has(m, "#PF: supervisor write access in kernel mode\n");
	assert_log_has(m, "#PF: error_code(0x0002) - not-present page\n");
	assert_non_null(get_current(m));
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unmapped_read_is_segv_maperr),
		cmocka_unit_test(test_write_to_readonly_is_segv_accerr),
		cmocka_unit_test(test_write_to_present_text_is_error_7),
		cmocka_unit_test(test_read_of_prot_none_is_segv_accerr),
		cmocka_unit_test(test_user_access_to_kernel_address_is_segv),
		cmocka_unit_test(test_fetch_from_noexec_is_accerr_with_nx),
		cmocka_unit_test(test_fetch_from_noexec_succeeds_without_nx),
		cmocka_unit_test(test_stack_grows_down_within_rlimit),
		cmocka_unit_test(test_stack_beyond_rlimit_is_segv),
		cmocka_unit_test(test_stack_growth_stops_at_guard_gap),
		cmocka_unit_test(test_kernel_mode_user_fault_is_fixup_not_signal),
		cmocka_unit_test(test_kernel_mode_kernel_fault_reports_oops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
