/* Signals the memory manager forces on simulated tasks (cf. kernel/signal.c
 * force_sig_fault, force_sig_fault_to_task, sigaction; kernel/exit.c
 * do_group_exit; seed 000: "内核将SIGSEGV信号放入到进程的task_struct里面,
 * 待进程从内核态切换到用户态时候检查到这个信号就会终止运行").
 *
 * A simulated program has no user stack and no return to user mode, so
 * delivery happens at once: the handler a program installed with
 * mmkit_sigaction() is called synchronously, or the default action (for
 * SIGSEGV, SIGBUS and SIGKILL: terminate) ends the task's thread group with
 * do_group_exit(), the signal number as the wait status (WTERMSIG; no core
 * dump: RLIMIT_CORE is 0), as get_signal() does. The caller must hold no lock of the task's mm: exit
 * tears the address space down.
 *
 * Invariants: a handler table never holds SIGKILL or SIGSTOP;
 * m->signal.nr_fatal[] counts every task killed by a signal. */
#include <mmkit/signal.h>

#include "mm/vma.h"

static bool sig_valid(int sig)
{
	return sig > 0 && sig < MMKIT_NSIG;
}

/**
 * mmkit_sigaction() - install or remove a task's handler for a signal
 * @m: the machine
 * @tsk: the task
 * @sig: 1..31, not SIGKILL or SIGSTOP
 * @fn: the handler, or NULL for the default action
 * @arg: passed to @fn
 *
 * See <mmkit/signal.h>. Returns 0 or -EINVAL (as sigaction(2) for an
 * invalid signal or one that cannot be caught).
 */
int mmkit_sigaction(struct machine *m, struct task_struct *tsk, int sig, mmkit_sighandler_t fn,
		    void *arg)
{
	(void)m;
	if (!tsk || !sig_valid(sig) || sig == SIGKILL || sig == SIGSTOP)
		return -EINVAL;
	tsk->sighand[sig].handler = fn;
	tsk->sighand[sig].arg = fn ? arg : NULL;
	return 0;
}

/**
 * mmkit_last_fatal_signal() - the record of the last task killed by a signal
 * @m: the machine
 */
const struct mmkit_fatal_signal *mmkit_last_fatal_signal(const struct machine *m)
{
	return &m->signal.last_fatal;
}

/**
 * unhandled_signal() - will @sig take its default action on @tsk? (cf.
 *	unhandled_signal: decides whether show_signal_msg prints)
 * @tsk: the task
 * @sig: the signal
 */
bool unhandled_signal(const struct task_struct *tsk, int sig)
{
	return !sig_valid(sig) || !tsk->sighand[sig].handler;
}

/* The default action of SIGSEGV/SIGBUS/SIGKILL: the task dies. Recorded
 * in the machine first: the exit may free the task. */
static void sig_kill_task(struct machine *m, struct task_struct *tsk,
			  const struct mmkit_siginfo *info)
{
	struct mmkit_fatal_signal *last = &m->signal.last_fatal;

	__atomic_fetch_add(&m->signal.nr_fatal[info->signo], 1, __ATOMIC_RELAXED);
	last->pid = tsk->pid;
	mm_memcpy(last->comm, tsk->comm, sizeof(last->comm));
	last->info = *info;
	do_group_exit(m, tsk, info->signo);	/* wait status: WTERMSIG == signo */
}

/**
 * force_sig_fault_to_task() - deliver a fault signal to @tsk now
 * @m: the machine
 * @sig: SIGSEGV, SIGBUS or SIGKILL
 * @code: si_code (SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR, SI_KERNEL)
 * @addr: si_addr
 * @tsk: a live task; its mm must not be locked by the caller
 *
 * A handler runs (SIGKILL has none) with the siginfo, which is also kept in
 * tsk->last_siginfo; otherwise the task is killed and freed. Returns true
 * when the task was killed (the caller must not touch it again).
 */
bool force_sig_fault_to_task(struct machine *m, int sig, int code, unsigned long addr,
			     struct task_struct *tsk)
{
	struct mmkit_siginfo info = { .signo = sig, .code = code, .addr = addr };
	struct mmkit_sigaction *ka;

	if (VM_WARN_ON(m, !tsk || !sig_valid(sig)))
		return false;
	ka = &tsk->sighand[sig];
	if (sig == SIGKILL || !ka->handler) {
		sig_kill_task(m, tsk, &info);
		return true;
	}
	tsk->last_siginfo = info;
	__atomic_fetch_add(&m->signal.nr_handled[sig], 1, __ATOMIC_RELAXED);
	ka->handler(m, tsk, &info, ka->arg);
	return false;
}

/**
 * force_sig_fault() - deliver a fault signal to the current task (cf.
 *	force_sig_fault)
 * @m: the machine
 * @sig: the signal
 * @code: si_code
 * @addr: the faulting address
 *
 * Without a current task (kernel context) there is no one to signal.
 * Returns true when the current task was killed.
 */
bool force_sig_fault(struct machine *m, int sig, int code, unsigned long addr)
{
	struct task_struct *tsk = get_current(m);

	if (!tsk)
		return false;
	return force_sig_fault_to_task(m, sig, code, addr, tsk);
}

/**
 * printk_ratelimit() - may a rate-limited message print now? A burst of 10
 *	per 5 s of simulated time; when a new interval starts after
 *	suppressions, "@func: N callbacks suppressed" is logged first (cf.
 *	__printk_ratelimit, ___ratelimit)
 * @m: the machine
 * @func: the caller's name, for the suppression message
 */
bool printk_ratelimit(struct machine *m, const char *func)
{
	struct signal_state *s = &m->signal;
	const u64 interval = 5ULL * 1000000000ULL;

	if (!s->rs_started || m->clock_ns - s->rs_begin >= interval) {
		if (s->rs_missed)
			printk(m, KERN_WARNING "%s: %u callbacks suppressed\n", func,
			       s->rs_missed);
		s->rs_started = true;
		s->rs_begin = m->clock_ns;
		s->rs_printed = 0;
		s->rs_missed = 0;
	}
	if (s->rs_printed < 10) {
		s->rs_printed++;
		return true;
	}
	s->rs_missed++;
	return false;
}
