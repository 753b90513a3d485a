/* Signals a simulated process can receive from the memory manager: SIGSEGV
 * and SIGBUS from the page-fault handler, SIGKILL from the out-of-memory
 * path (cf. include/uapi/asm-generic/signal.h, include/uapi/asm-generic/
 * siginfo.h, kernel/signal.c force_sig_fault; seed 000: "内核将SIGSEGV信号
 * 放入到进程的task_struct里面 ... 终止运行出现Segment Fault").
 *
 * A simulated program is C code calling mmkit_read/mmkit_write on behalf of
 * a task; it has no user-mode stack to run a signal frame on. So a handler
 * is a C callback with an argument, installed per task and signal with
 * mmkit_sigaction(). When the kernel forces a signal on the current task:
 *   - with a handler: the siginfo is recorded on the task and the callback
 *     runs (synchronously, before the faulting access returns -EFAULT);
 *   - without one: the default action of these signals kills the task
 *     and its threads (do_group_exit with the signal number: wait() sees
 *     WIFSIGNALED, WTERMSIG == the signal; no core: RLIMIT_CORE is 0).
 * Every kill is recorded in the machine (m->signal): a count per signal and
 * the last fatal signal's pid, comm, si_code and address, which tests read
 * after the task is gone.
 *
 * Invariants: a task's handler table never holds SIGKILL or SIGSTOP;
 * nr_fatal[] only grows. */
#ifndef MMKIT_SIGNAL_H
#define MMKIT_SIGNAL_H

#include <mmkit/types.h>

struct machine;
struct task_struct;

/* Signal numbers (x86, cf. include/uapi/asm-generic/signal.h). The host's
 * <signal.h> defines the same names with the same values. */
#ifndef SIGSEGV
#define SIGBUS 7
#define SIGKILL 9
#define SIGSEGV 11
#define SIGSTOP 19
#endif
/* The standard signals 1..31 (real-time signals are not simulated). */
#define MMKIT_NSIG 32

/* si_code values (cf. include/uapi/asm-generic/siginfo.h). */
#ifndef SEGV_MAPERR
#define SEGV_MAPERR 1	/* address not mapped to object */
#define SEGV_ACCERR 2	/* invalid permissions for mapped object */
#define BUS_ADRERR 2	/* non-existent physical address */
#endif
#ifndef SI_KERNEL
#define SI_KERNEL 0x80	/* sent by the kernel (the OOM killer's SIGKILL) */
#endif

/* What a signal tells its handler (the fields of siginfo_t it uses). */
struct mmkit_siginfo {
	int signo;
	int code;		/* SEGV_MAPERR, SEGV_ACCERR, BUS_ADRERR, SI_KERNEL */
	unsigned long addr;	/* the faulting user address */
};

/* A simulated program's signal handler: runs on the task that got the
 * signal, with the argument given to mmkit_sigaction(). */
typedef void (*mmkit_sighandler_t)(struct machine *m, struct task_struct *tsk,
				   const struct mmkit_siginfo *info, void *arg);

/* One entry of a task's handler table (cf. struct k_sigaction). */
struct mmkit_sigaction {
	mmkit_sighandler_t handler;	/* NULL: SIG_DFL */
	void *arg;
};

/* The last fatal signal (kept after the task is freed). */
struct mmkit_fatal_signal {
	int pid;
	char comm[16];
	struct mmkit_siginfo info;
};

/* Machine-wide signal bookkeeping (m->signal). */
struct signal_state {
	unsigned long nr_fatal[MMKIT_NSIG];	/* tasks killed, by signal */
	unsigned long nr_handled[MMKIT_NSIG];	/* signals a handler received */
	struct mmkit_fatal_signal last_fatal;	/* pid 0: none yet */
	/* printk_ratelimit() for show_signal_msg: a burst of 10 per 5 s of
	 * simulated time (cf. printk_ratelimit_state) */
	bool rs_started;
	u64 rs_begin;
	unsigned int rs_printed, rs_missed;
};

/**
 * mmkit_sigaction() - install (or with @fn NULL, remove) @tsk's handler for
 *	@sig (cf. sigaction(2))
 * @m: the machine
 * @tsk: the task
 * @sig: 1..31, not SIGKILL or SIGSTOP
 * @fn: the handler, or NULL for the default action
 * @arg: passed to @fn
 *
 * Returns 0 or -EINVAL.
 */
int mmkit_sigaction(struct machine *m, struct task_struct *tsk, int sig, mmkit_sighandler_t fn,
		    void *arg);

/**
 * mmkit_last_fatal_signal() - what killed the most recently killed task
 * @m: the machine
 *
 * Returns the record (pid 0 when no task was killed by a signal yet).
 */
const struct mmkit_fatal_signal *mmkit_last_fatal_signal(const struct machine *m);

#endif
