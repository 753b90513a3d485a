/* Signals forced by the fault path (src/kernel/signal.c, <mmkit/signal.h>):
 * handlers installed with mmkit_sigaction get the siginfo and the task
 * lives; without one the task dies with the signal (wait status WTERMSIG);
 * show_signal_msg is rate limited as printk_ratelimit is. */
#include "fault_test.h"

static void test_handler_receives_siginfo_and_task_lives(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	struct ft_caught caught = { 0 };
	u32 v;

	(void)state;
	assert_int_equal(mmkit_sigaction(m, tsk, SIGSEGV, ft_handler, &caught), 0);
	assert_int_equal(mmkit_read(m, AREA + 12, &v, sizeof(v)), -EFAULT);
	assert_int_equal(caught.calls, 1);
	assert_ptr_equal(caught.tsk, tsk);
	assert_int_equal(caught.info.signo, SIGSEGV);
	assert_int_equal(caught.info.code, SEGV_MAPERR);
	assert_int_equal(caught.info.addr, AREA + 12);
	assert_memory_equal(&tsk->last_siginfo, &caught.info, sizeof(caught.info));
	assert_ptr_equal(get_current(m), tsk);
	assert_int_equal(m->signal.nr_handled[SIGSEGV], 1);
	assert_int_equal(m->signal.nr_fatal[SIGSEGV], 0);
	assert_log_lacks(m, "segfault at");	/* only unhandled signals are reported */
	vt_done(m);
}

static void test_sigaction_rejects_uncatchable_signals(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	struct ft_caught caught = { 0 };

	(void)state;
	assert_int_equal(mmkit_sigaction(m, tsk, SIGKILL, ft_handler, &caught), -EINVAL);
	assert_int_equal(mmkit_sigaction(m, tsk, SIGSTOP, ft_handler, &caught), -EINVAL);
	assert_int_equal(mmkit_sigaction(m, tsk, 0, ft_handler, &caught), -EINVAL);
	assert_int_equal(mmkit_sigaction(m, tsk, MMKIT_NSIG, ft_handler, &caught), -EINVAL);
	assert_int_equal(mmkit_sigaction(m, tsk, SIGBUS, ft_handler, &caught), 0);
	vt_done(m);
}

static void test_removed_handler_restores_default_action(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	struct ft_caught caught = { 0 };
	pid_t pid = tsk->pid;
	char c = 0;

	(void)state;
	assert_int_equal(mmkit_sigaction(m, tsk, SIGSEGV, ft_handler, &caught), 0);
	assert_int_equal(mmkit_sigaction(m, tsk, SIGSEGV, NULL, NULL), 0);
	assert_int_equal(mmkit_write(m, AREA, &c, 1), -EFAULT);
	assert_int_equal(caught.calls, 0);
	assert_int_equal(mmkit_last_fatal_signal(m)->pid, pid);
	assert_int_equal(m->signal.nr_fatal[SIGSEGV], 1);
	assert_null(find_task_by_pid(m, pid));
	assert_clean(m);
	vt_done(m);
}

/* A forked child killed by SIGSEGV: its parent reaps wait status 11
 * (WIFSIGNALED, WTERMSIG == SIGSEGV, no core). */
static void test_killed_child_wait_status_is_the_signal(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child = mmkit_fork(m, parent);
	pid_t pid;
	int status = -1;
	char c;

	(void)state;
	assert_non_null(child);
	pid = child->pid;
	mmkit_set_current(m, child);
	assert_int_equal(mmkit_read(m, AREA, &c, 1), -EFAULT);
	assert_null(get_current(m));
	mmkit_set_current(m, parent);
	assert_int_equal(mmkit_wait(m, pid, &status), pid);
	assert_int_equal(status, SIGSEGV);
	assert_clean(m);
	vt_done(m);
}

/* printk_ratelimit: 10 "segfault at" lines per 5 s; the 11th is
 * suppressed and counted, and reported when the next interval starts. */
static void test_segfault_lines_are_rate_limited(void **state)
{
	struct machine *m = test_boot_default();
	char c;

	(void)state;
	for (int i = 0; i < 11; i++) {
		vt_spawn(m, false);
		assert_int_equal(mmkit_read(m, AREA, &c, 1), -EFAULT);
	}
	assert_int_equal(count_in_log(m, "segfault at"), 10);
	assert_int_equal(m->signal.nr_fatal[SIGSEGV], 11);
	m->clock_ns += 5ULL * 1000000000ULL;
	vt_spawn(m, false);
	assert_int_equal(mmkit_read(m, AREA, &c, 1), -EFAULT);
	assert_log_has(m, "show_signal_msg: 1 callbacks suppressed\n");
	assert_int_equal(count_in_log(m, "segfault at"), 11);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handler_receives_siginfo_and_task_lives),
		cmocka_unit_test(test_sigaction_rejects_uncatchable_signals),
		cmocka_unit_test(test_removed_handler_restores_default_action),
		cmocka_unit_test(test_killed_child_wait_status_is_the_signal),
		cmocka_unit_test(test_segfault_lines_are_rate_limited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
