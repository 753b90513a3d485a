/* /proc/PID/stat and /proc/PID/statm: a process on one line (cf.
 * fs/proc/array.c do_task_stat, proc_pid_statm; fs/proc/task_mmu.c
 * task_statm).
 *
 * stat has Linux's 52 space-separated fields, "pid (comm) state ppid ...";
 * the memory ones are minflt (10) and majflt (12) from the task's fault
 * counters, vsize (23, bytes: total_vm), rss (24, pages: get_mm_rss),
 * rsslim (25: RLIMIT_RSS), startcode/endcode/startstack (26-28),
 * start_data .. env_end (45-51). Times are 0 (the simulated clock does not
 * charge tasks), esp/eip 0 (Linux shows them only for a dumping task),
 * sigcatch the signals with a handler, the priority 20 and nice 0 of
 * SCHED_OTHER.
 *
 * statm is seven page counts: size (total_vm), resident (rss), shared
 * (file + shmem rss), text (the page-rounded code), 0, data (data_vm +
 * stack_vm), 0. A kernel thread has zeros. */
#include "mm/memory.h"
#include "proc/seq.h"

/**
 * task_ppid() - the pid of @tsk's parent (cf. task_ppid_nr_ns): 0 for a
 *	process mmkit_spawn made (nobody forked it, as for init)
 * @tsk: the task
 */
int task_ppid(const struct task_struct *tsk)
{
	return tsk->real_parent ? tsk->real_parent->tgid : 0;
}

/**
 * task_state_char() - the state letter of @tsk (cf. task_state_array):
 *	R running, Z zombie (exited, not yet reaped), X dead
 * @tsk: the task
 */
char task_state_char(const struct task_struct *tsk)
{
	if (tsk->exit_state & EXIT_ZOMBIE)
		return 'Z';
	if ((tsk->exit_state & EXIT_DEAD) || tsk->state == TASK_DEAD)
		return 'X';
	return 'R';
}

/**
 * task_sigcatch() - the signals @tsk has a handler for, bit (sig - 1)
 * @tsk: the task
 */
unsigned long long task_sigcatch(const struct task_struct *tsk)
{
	unsigned long long mask = 0;

	for (int sig = 1; sig < MMKIT_NSIG; sig++)
		if (tsk->sighand[sig].handler)
			mask |= 1ULL << (sig - 1);
	return mask;
}

/* The CPU @tsk runs on, or 0 (cf. task_cpu). */
static unsigned int task_cpu(struct machine *m, const struct task_struct *tsk)
{
	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_curr(m, cpu) == tsk)
			return cpu;
	return 0;
}

/* The group's faults, as /proc/PID/stat sums them (do_task_stat with
 * whole = 1): every live thread's plus those of threads gone, which the
 * leader keeps (signal_struct in Linux); the children's from the leader. */
struct group_faults {
	unsigned long min_flt, maj_flt, cmin_flt, cmaj_flt;
};

static struct group_faults task_group_faults(struct machine *m, const struct task_struct *tsk)
{
	struct group_faults f = { 0 };
	struct task_struct *t;
	bool leader_seen = false;

	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(t, &m->sched.tasks, tasks) {
		if (t->tgid != tsk->tgid)
			continue;
		f.min_flt += t->min_flt;
		f.maj_flt += t->maj_flt;
		if (t->pid == t->tgid) {
			leader_seen = true;
			f.min_flt += t->dead_min_flt;
			f.maj_flt += t->dead_maj_flt;
			f.cmin_flt = t->cmin_flt;
			f.cmaj_flt = t->cmaj_flt;
		}
	}
	spin_unlock(&m->sched.tasklist_lock);
	if (!leader_seen) {	/* a zombie, no longer on the list */
		f.min_flt += tsk->min_flt + tsk->dead_min_flt;
		f.maj_flt += tsk->maj_flt + tsk->dead_maj_flt;
		f.cmin_flt = tsk->cmin_flt;
		f.cmaj_flt = tsk->cmaj_flt;
	}
	return f;
}

static int task_threads(struct machine *m, const struct task_struct *tsk)
{
	struct task_struct *t;
	int n = 0;

	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(t, &m->sched.tasks, tasks)
		n += t->tgid == tsk->tgid;
	spin_unlock(&m->sched.tasklist_lock);
	return n ? n : 1;
}

/* Fields 23-28: vsize rss rsslim startcode endcode startstack. */
static void stat_mm_head(struct seq_file *s, struct machine *m, const struct task_struct *tsk,
			 const struct mm_struct *mm)
{
	unsigned long rsslim = uword(m, tsk->rlim[RLIMIT_RSS].rlim_cur);

	if (!mm) {
		seq_printf(s, " 0 0 %lu 0 0 0", rsslim);
		return;
	}
	seq_printf(s, " %lu %lu %lu %lu %lu %lu", mm->total_vm << PAGE_SHIFT, get_mm_rss(mm),
		   rsslim, mm->start_code, mm->end_code, mm->start_stack);
}

/* Fields 45-51: start_data end_data start_brk arg_start arg_end env_start env_end. */
static void stat_mm_tail(struct seq_file *s, const struct mm_struct *mm)
{
	if (!mm) {
		seq_puts(s, " 0 0 0 0 0 0 0");
		return;
	}
	seq_printf(s, " %lu %lu %lu %lu %lu %lu %lu", mm->start_data, mm->end_data, mm->start_brk,
		   mm->arg_start, mm->arg_end, mm->env_start, mm->env_end);
}

/**
 * pid_stat_show() - render /proc/PID/stat of @tsk
 * @s: the output
 * @m: the machine
 * @tsk: the task
 *
 * Returns 0.
 */
int pid_stat_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;
	struct group_faults f = task_group_faults(m, tsk);

	/* 1-9: pid (comm) state ppid pgrp session tty_nr tpgid flags */
	seq_printf(s, "%d (%s) %c %d %d %d 0 -1 %u", tsk->pid, tsk->comm, task_state_char(tsk),
		   task_ppid(tsk), tsk->tgid, tsk->tgid, tsk->flags);
	/* 10-13: minflt cminflt majflt cmajflt; 14-17: utime stime cutime cstime */
	seq_printf(s, " %lu %lu %lu %lu 0 0 0 0", f.min_flt, f.cmin_flt, f.maj_flt, f.cmaj_flt);
	/* 18-22: priority nice num_threads itrealvalue starttime */
	seq_printf(s, " 20 0 %d 0 0", task_threads(m, tsk));
	if (mm)
		mmap_read_lock(mm);
	stat_mm_head(s, m, tsk, mm);
	/* 29-44: kstkesp kstkeip signal blocked sigignore sigcatch wchan nswap
	 * cnswap exit_signal processor rt_priority policy blkio_ticks gtime cgtime */
	seq_printf(s, " 0 0 0 0 0 %llu 0 0 0 %d %u 0 0 0 0 0",
		   (unsigned long long)(task_sigcatch(tsk) & 0x7fffffffULL), tsk->exit_signal,
		   task_cpu(m, tsk));
	stat_mm_tail(s, mm);
	if (mm)
		mmap_read_unlock(mm);
	/* 52: exit_code */
	seq_printf(s, " %d\n", tsk->exit_code);
	return 0;
}

/**
 * pid_statm_show() - render /proc/PID/statm of @tsk (page counts)
 * @s: the output
 * @m: the machine
 * @tsk: the task
 *
 * Returns 0.
 */
int pid_statm_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;
	unsigned long size = 0, resident = 0, shared = 0, text = 0, data = 0;

	(void)m;
	if (mm) {
		mmap_read_lock(mm);
		shared = get_mm_counter(mm, MM_FILEPAGES) + get_mm_counter(mm, MM_SHMEMPAGES);
		text = (PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK)) >> PAGE_SHIFT;
		data = mm->data_vm + mm->stack_vm;
		resident = shared + get_mm_counter(mm, MM_ANONPAGES);
		size = mm->total_vm;
		mmap_read_unlock(mm);
	}
	seq_printf(s, "%lu %lu %lu %lu 0 %lu 0\n", size, resident, shared, text, data);
	return 0;
}
