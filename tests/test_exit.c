/* How tasks end (src/kernel/sched.c, exit_mmap in src/mm/vma.c and
 * src/mm/memory_unmap.c): every page and page table of an exited address
 * space returns, a forked child stays a zombie until its parent reaps it
 * with a Linux wait status, orphans are reaped, a fatal signal's status is
 * the signal number. */
#include <sys/wait.h>

#include "fault_test.h"

static unsigned long free_now(struct machine *m)
{
	drain_all_pages(m);
	return nr_free_pages(m);
}

/* One process lifetime: spawn, map and write 32 pages here and there,
 * exit. */
static void one_life(struct machine *m)
{
	struct task_struct *tsk = vt_spawn(m, false);
	unsigned long heap = tsk->mm->brk;
	char c = 'l';

	assert_int_equal(vt_map_fixed(m, AREA, PG(16), RW), (long)AREA);
	for (int i = 0; i < 16; i++)
		assert_int_equal(mmkit_write(m, AREA + PG(i), &c, 1), 0);
	assert_int_equal(sys_brk(m, heap + PG(16)), (long)(heap + PG(16)));
	for (int i = 0; i < 16; i++)
		assert_int_equal(mmkit_write(m, heap + PG(i), &c, 1), 0);
	assert_int_equal(mmkit_write(m, tsk->mm->start_stack - 64, &c, 1), 0);
	assert_true(tsk->mm->pgtables_bytes >= 3 * PAGE_SIZE);
	mmkit_exit(m, tsk, 0);
}

/* After exit the free page count and NR_PAGETABLE are back where they
 * were (the first lifetime warms the slab caches). */
static void check_exit_returns_everything(struct machine *m)
{
	unsigned long f0, t0;

	one_life(m);
	f0 = free_now(m);
	t0 = node_page_state(&m->node, NR_PAGETABLE);
	one_life(m);
	assert_int_equal(node_page_state(&m->node, NR_PAGETABLE), t0);
	assert_int_equal(free_now(m), f0);
	assert_true(list_empty(&m->vm.mm_list));
	assert_null(get_current(m));
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_exit_returns_every_page_and_page_table(void **state)
{
	(void)state;
	check_exit_returns_everything(test_boot_default());
}

/* The same with 4-level (x86_64: pud and pmd tables too) and PAE tables. */
static void test_exit_returns_every_table_on_x86_64(void **state)
{
	(void)state;
	check_exit_returns_everything(test_boot_text(vt_x86_64_machine));
}

static void test_exit_returns_every_table_on_pae(void **state)
{
	(void)state;
	check_exit_returns_everything(test_boot_text("name pae\narch i386-pae\n"
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n"));
}

/* A forked child that exits is a zombie: not a live task, but its parent
 * reaps it with status (code << 8). */
static void test_exited_child_is_zombie_until_reaped(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child = mmkit_fork(m, parent);
	pid_t pid;
	int status = -1;

	(void)state;
	assert_non_null(child);
	pid = child->pid;
	assert_int_equal(mmkit_wait(m, pid, &status), 0);	/* still running */
	mmkit_exit(m, child, 3);
	assert_null(find_task_by_pid(m, pid));
	assert_int_equal(m->sched.nr_tasks, 1);
	assert_int_equal(child->exit_state, EXIT_ZOMBIE);
	assert_int_equal(mmkit_wait(m, pid, &status), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	assert_int_equal(status, 3 << 8);
	assert_int_equal(mmkit_wait(m, pid, &status), -ECHILD);
	vt_done(m);
}

/* wait(-1) reaps any zombie; with none and no children, -ECHILD. */
static void test_wait_any_child_and_no_child(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m);
	struct task_struct *a = mmkit_fork(m, parent), *b = mmkit_fork(m, parent);
	pid_t bpid = b->pid;

	(void)state;
	assert_non_null(a);
	mmkit_exit(m, b, 0);
	assert_int_equal(mmkit_wait(m, -1, NULL), bpid);
	assert_int_equal(mmkit_wait(m, -1, NULL), 0);	/* a lives on */
	mmkit_exit(m, a, 1);
	assert_true(mmkit_wait(m, -1, NULL) > 0);
	assert_int_equal(mmkit_wait(m, -1, NULL), -ECHILD);
	vt_done(m);
}

/* A fatal signal's status is the signal number (WIFSIGNALED). */
static void test_killed_child_status_is_the_signal(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child = mmkit_fork(m, parent);
	pid_t pid = child->pid;
	int status = 0;

	(void)state;
	do_group_exit(m, child, SIGSEGV);
	assert_int_equal(mmkit_wait(m, pid, &status), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
	vt_done(m);
}

/* A parent that exits first hands its children to init: a zombie child is
 * reaped then, a live one when it exits (nothing is left behind). */
static void test_parent_exit_reaps_orphans(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m);
	struct task_struct *zombie = mmkit_fork(m, parent), *live = mmkit_fork(m, parent);

	(void)state;
	mmkit_exit(m, zombie, 0);
	mmkit_exit(m, parent, 0);
	assert_null(live->real_parent);
	assert_int_equal(m->sched.nr_tasks, 1);
	mmkit_exit(m, live, 0);
	assert_int_equal(m->sched.nr_tasks, 0);
	vt_done(m);
}

/* A thread group ends together: exit of one thread with mmkit_exit ends
 * its siblings, and the mm goes with the last of them. */
static void test_exit_ends_the_whole_thread_group(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *leader = get_current(m), *t1, *t2;
	unsigned long flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;

	(void)state;
	t1 = mmkit_clone(m, leader, flags);
	t2 = mmkit_clone(m, leader, flags);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_int_equal(leader->mm->mm_users, 3);
	assert_int_equal(m->sched.nr_tasks, 3);
	mmkit_exit(m, t1, 0);
	assert_int_equal(m->sched.nr_tasks, 0);
	assert_true(list_empty(&m->vm.mm_list));
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_returns_every_page_and_page_table),
		cmocka_unit_test(test_exit_returns_every_table_on_x86_64),
		cmocka_unit_test(test_exit_returns_every_table_on_pae),
		cmocka_unit_test(test_exited_child_is_zombie_until_reaped),
		cmocka_unit_test(test_wait_any_child_and_no_child),
		cmocka_unit_test(test_killed_child_status_is_the_signal),
		cmocka_unit_test(test_parent_exit_reaps_orphans),
		cmocka_unit_test(test_exit_ends_the_whole_thread_group),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
