/* Processes (src/kernel) and /proc/PID/maps (src/proc/pid_maps.c): the
 * exec-like layout, its exact maps text on i386 and x86_64, the stack's
 * growth within RLIMIT_STACK and the guard gap, and exit tearing every
 * mapping down. */
#include <pthread.h>

#include "vma_test.h"

/* Default i386 image: text 32 KiB at 0x08048000, 4 KiB data, no bss; the
 * stack is one argument page plus 128 KiB below 0xc0000000. */
static const char i386_maps[] =
	"08048000-08050000 r-xp 00000000 00:00 0 \n"
	"08050000-08051000 rw-p 00000000 00:00 0 \n"
	"bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]\n";

static void test_spawn_gives_exec_like_layout(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	char *maps = test_proc(m, "/proc/self/maps");

	(void)state;
	assert_string_equal(maps, i386_maps);
	free(maps);
	assert_int_equal(mm->start_code, 0x08048000UL);
	assert_int_equal(mm->end_code, 0x08050000UL);
	assert_int_equal(mm->start_data, 0x08050000UL);
	assert_int_equal(mm->end_data, 0x08051000UL);
	assert_int_equal(mm->start_brk, 0x08051000UL);
	assert_int_equal(mm->brk, 0x08051000UL);
	assert_int_equal(mm->mmap_base, 0xb8000000UL);
	assert_true(mm->start_stack > 0xbffdf000UL && mm->start_stack < 0xc0000000UL);
	assert_true(vt_vma(m, 0xbffff000UL)->vm_flags & VM_GROWSDOWN);
	/* 8 text pages exec, data + stack pages by kind */
	assert_int_equal(mm->exec_vm, 8);
	assert_int_equal(mm->stack_vm, 33);
	assert_int_equal(mm->data_vm, 1);
	assert_int_equal(mm->total_vm, 42);
	vt_done(m);
}

static void test_maps_on_x86_64_puts_path_at_column_74(void **state)
{
	struct machine *m = test_boot_text(vt_x86_64_machine);
	char *maps, *line;

	(void)state;
	vt_spawn(m, false);
	vt_map(m, 0, PG(1), RW, MAP_SHARED);
	maps = test_proc(m, "/proc/self/maps");
	line = strstr(maps, "/dev/zero (deleted)");
	assert_non_null(line);
	while (line > maps && line[-1] != '\n')
		line--;
	/* The reference: the path starts at column 74 (byte 73). */
	assert_int_equal(strstr(line, "/dev/zero") - line, 73);
	assert_non_null(strstr(maps, "7ffff7ffe000-7ffff7fff000 rw-s 00000000 00:01 1                          /dev/zero (deleted)\n"));
	assert_non_null(strstr(maps, "00400000-00408000 r-xp 00000000 00:00 0 \n"));
	assert_non_null(strstr(maps, "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"));
	/* The gate page comes last, as in the reference file. */
	assert_non_null(strstr(maps, "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n"));
	free(maps);
	vt_done(m);
}

static void test_maps_of_other_pids_and_unknown_pid(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *a = get_current(m), *b = vt_spawn(m, false);
	char path[64], *out = NULL;
	size_t len;

	(void)state;
	vt_map(m, AREA, PG(1), RW, MAP_PRIVATE | MAP_FIXED);	/* in b only */
	snprintf(path, sizeof(path), "/proc/%d/maps", a->pid);
	out = test_proc(m, path);
	assert_null(strstr(out, "50000000-"));
	free(out);
	snprintf(path, sizeof(path), "/proc/%d/maps", b->pid);
	out = test_proc(m, path);
	assert_non_null(strstr(out, "50000000-50001000 rw-p"));
	free(out);
	assert_ptr_equal(find_task_by_pid(m, b->pid), b);
	assert_int_equal(mmkit_proc_read(m, "/proc/999/maps", &out, &len), -ENOENT);
	assert_int_equal(mmkit_proc_read(m, "/proc/self/smaps_nope", &out, &len), -ENOENT);
	vt_done(m);
}

static void test_exit_tears_down_every_vma(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	long committed_before;

	(void)state;
	committed_before = m->vm.vm_committed_as;
	vt_map(m, 0, PG(16), RW, MAP_PRIVATE);
	vt_map(m, 0, PG(4), RW, MAP_SHARED);
	sys_brk(m, sys_brk(m, 0) + PG(3));
	assert_true(m->vm.vm_committed_as > committed_before);
	mmkit_exit(m, tsk, 0);
	assert_null(get_current(m));
	assert_int_equal(m->vm.nr_vmas, 0);
	assert_int_equal(m->vm.vm_committed_as, 0);
	assert_int_equal(m->sched.nr_tasks, 0);
	vt_done(m);
}

static void test_stack_grows_down_within_rlimit_stack(void **state)
{
	struct machine *m = vt_boot();
	struct vm_area_struct *stack = vt_vma(m, 0xbffff000UL);
	unsigned long start = stack->vm_start, stack_vm = vt_mm(m)->stack_vm;

	(void)state;
	mmap_write_lock(vt_mm(m));
	assert_int_equal(expand_downwards(m, stack, start - PG(3) + 5), 0);
	assert_int_equal(stack->vm_start, start - PG(3));
	assert_int_equal(vt_mm(m)->stack_vm, stack_vm + 3);
	/* 8 MiB RLIMIT_STACK */
	assert_int_equal(expand_downwards(m, stack, 0xc0000000UL - (8UL << 20) - PG(1)), -ENOMEM);
	mmap_write_unlock(vt_mm(m));
	vt_done(m);
}

static void test_stack_keeps_guard_gap_from_mapping_below(void **state)
{
	struct machine *m = vt_boot();
	struct vm_area_struct *stack = vt_vma(m, 0xbffff000UL);
	unsigned long start = stack->vm_start;

	(void)state;
	vt_map_fixed(m, start - PG(300), PG(1), RW);
	mmap_write_lock(vt_mm(m));
	/* 256 pages of guard gap must stay between the stack and what is below. */
	assert_int_equal(expand_downwards(m, stack, start - PG(42)), 0);
	assert_int_equal(expand_downwards(m, stack, start - PG(44)), -ENOMEM);
	mmap_write_unlock(vt_mm(m));
	/* An inaccessible mapping below does not count. */
	sys_mprotect(m, start - PG(300), PG(1), PROT_NONE);
	mmap_write_lock(vt_mm(m));
	assert_int_equal(expand_downwards(m, stack, start - PG(44)), 0);
	mmap_write_unlock(vt_mm(m));
	vt_done(m);
}

static void test_spawn_rejects_overlapping_layout(void **state)
{
	struct machine *m = test_boot_default();
	struct mmkit_exec_layout l = { .text_start = 0x08048000, .text_size = 0x2000,
				       .data_start = 0x08049000, .data_size = 0x1000 };

	(void)state;
	assert_null(mmkit_spawn(m, "bad", &l));
	assert_true(test_log_contains(m, "mmkit_spawn: bad: cannot build the address space: error -17"));
	assert_int_equal(m->vm.nr_vmas, 0);
	vt_done(m);
}

static void test_context_switch_changes_current(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *a = get_current(m), *b = vt_spawn(m, false);

	(void)state;
	assert_ptr_equal(get_current(m), b);
	vt_map_fixed(m, AREA, PG(1), RW);
	mmkit_set_current(m, a);
	/* a's address space does not see b's mapping. */
	assert_null(vt_vma(m, AREA));
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), PROT_READ), AREA);
	assert_int_equal(vt_vma(m, AREA)->vm_flags & VM_ACCESS_FLAGS, VM_READ);
	vt_done(m);
}

struct cpu_job {
	struct machine *m;
	struct task_struct *tsk;
	unsigned int cpu;
	long failures;
};

static void *cpu_worker(void *arg)
{
	struct cpu_job *job = arg;
	struct machine *m = job->m;

	mmkit_set_cpu(job->cpu);
	mmkit_set_current(m, job->tsk);
	for (int i = 0; i < 3000; i++) {
		long a = vt_map(m, 0, PG(1 + i % 4), i % 3 ? RW : PROT_READ, MAP_PRIVATE);

		if (a < 0 && a > -4096)
			job->failures++;
		else if (i % 2 && sys_munmap(m, (unsigned long)a, PG(1 + i % 4)))
			job->failures++;
		if (sys_mprotect(m, (unsigned long)a, PG(1), PROT_READ) && !(i % 2))
			job->failures++;
	}
	mmkit_set_current(m, NULL);
	return NULL;
}

/* Two host threads as two simulated CPUs, each running its own process:
 * the shared counters (Committed_AS, VMA count) stay exact. */
static void test_two_cpus_run_two_processes_at_once(void **state)
{
	struct machine *m = test_boot_text("arch i386\ncpus 2\n"
					   "BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)\n"
					   "BIOS-e820: 0000000000100000 - 0000000008000000 (usable)\n");
	struct cpu_job jobs[2];
	pthread_t threads[2];

	(void)state;
	m->debug_vm = 0;	/* the checker walks every mm: run it at the end */
	for (unsigned int cpu = 0; cpu < 2; cpu++) {
		jobs[cpu] = (struct cpu_job){ .m = m, .cpu = cpu };
		jobs[cpu].tsk = mmkit_spawn(m, cpu ? "b" : "a", NULL);
		assert_non_null(jobs[cpu].tsk);
	}
	for (unsigned int cpu = 0; cpu < 2; cpu++)
		assert_int_equal(pthread_create(&threads[cpu], NULL, cpu_worker, &jobs[cpu]), 0);
	for (unsigned int cpu = 0; cpu < 2; cpu++) {
		pthread_join(threads[cpu], NULL);
		assert_int_equal(jobs[cpu].failures, 0);
	}
	mmkit_set_cpu(0);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spawn_gives_exec_like_layout),
		cmocka_unit_test(test_maps_on_x86_64_puts_path_at_column_74),
		cmocka_unit_test(test_maps_of_other_pids_and_unknown_pid),
		cmocka_unit_test(test_exit_tears_down_every_vma),
		cmocka_unit_test(test_stack_grows_down_within_rlimit_stack),
		cmocka_unit_test(test_stack_keeps_guard_gap_from_mapping_below),
		cmocka_unit_test(test_spawn_rejects_overlapping_layout),
		cmocka_unit_test(test_context_switch_changes_current),
		cmocka_unit_test(test_two_cpus_run_two_processes_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
