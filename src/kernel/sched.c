/* The process table and what runs on each simulated CPU (cf.
 * kernel/sched/core.c context_switch, kernel/pid.c, kernel/exit.c,
 * include/linux/sched/signal.h rlimit(), kernel/capability.c capable()).
 *
 * `current` is per simulated CPU: m->sched.curr[smp_processor_id(m)],
 * where the CPU is the calling host thread's (mmkit_set_cpu). Syscalls act
 * on it; with no current task they fail with -ESRCH.
 *
 * Invariants: every live task is on m->sched.tasks (tasklist_lock) exactly once and
 * nr_tasks counts them; a CPU's current task is live; pids are unique and
 * increase. */
#include "mm/vma.h"

/**
 * get_current() - the task running on this CPU, or NULL
 * @m: the machine
 */
struct task_struct *get_current(struct machine *m)
{
	unsigned int cpu = smp_processor_id(m);

	return cpu < NR_CPUS ? m->sched.curr[cpu] : NULL;
}

/**
 * current_mm() - the current task's address space, or NULL
 * @m: the machine
 */
struct mm_struct *current_mm(struct machine *m)
{
	struct task_struct *tsk = get_current(m);

	return tsk ? tsk->mm : NULL;
}

/**
 * capable() - does the current task have capability @cap?
 * @m: the machine
 * @cap: CAP_*
 *
 * Kernel context (no current task) has every capability.
 */
bool capable(struct machine *m, int cap)
{
	struct task_struct *tsk = get_current(m);

	return !tsk || ((tsk->cap_effective >> cap) & 1);
}

/**
 * rlimit() - the current task's soft limit @limit (RLIM_INFINITY without one)
 * @m: the machine
 * @limit: RLIMIT_*
 */
unsigned long rlimit(struct machine *m, unsigned int limit)
{
	struct task_struct *tsk = get_current(m);

	return tsk && limit < RLIM_NLIMITS ? tsk->rlim[limit].rlim_cur : RLIM_INFINITY;
}

/**
 * rlimit_max() - the current task's hard limit @limit
 * @m: the machine
 * @limit: RLIMIT_*
 */
unsigned long rlimit_max(struct machine *m, unsigned int limit)
{
	struct task_struct *tsk = get_current(m);

	return tsk && limit < RLIM_NLIMITS ? tsk->rlim[limit].rlim_max : RLIM_INFINITY;
}

/**
 * mmkit_set_current() - context switch: run @tsk on this CPU
 * @m: the machine
 * @tsk: a live task, or NULL to idle
 */
void mmkit_set_current(struct machine *m, struct task_struct *tsk)
{
	unsigned int cpu = smp_processor_id(m);
	struct task_struct *prev;

	if (cpu >= NR_CPUS)
		return;
	prev = m->sched.curr[cpu];
	if (prev == tsk)
		return;
	if (!tsk || tsk->mm)
		switch_mm(m, prev ? prev->active_mm : NULL, tsk ? tsk->mm : NULL);
	if (tsk && !tsk->mm)
		tsk->active_mm = prev ? prev->active_mm : NULL;	/* lazy TLB */
	m->sched.curr[cpu] = tsk;
	m->sched.nr_context_switches++;
}

/**
 * find_task_by_pid() - the live task with @pid, or NULL
 * @m: the machine
 * @pid: the pid
 */
struct task_struct *find_task_by_pid(struct machine *m, pid_t pid)
{
	struct task_struct *tsk;

	struct task_struct *found = NULL;

	if (!m->vm.ready)
		return NULL;
	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(tsk, &m->sched.tasks, tasks)
		if (tsk->pid == pid) {
			found = tsk;
			break;
		}
	spin_unlock(&m->sched.tasklist_lock);
	return found;
}

/**
 * mmkit_exit() - end @tsk (cf. do_exit): drop its mm (the last user tears
 *	the address space down: exit_mmap) and remove it from the table
 * @m: the machine
 * @tsk: a live task
 * @code: its exit code
 */
void mmkit_exit(struct machine *m, struct task_struct *tsk, int code)
{
	struct mm_struct *mm = tsk->mm;
	unsigned int cpu;

	tsk->exit_code = code;
	tsk->state = TASK_DEAD;
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (m->sched.curr[cpu] == tsk)
			m->sched.curr[cpu] = NULL;
	tsk->mm = NULL;
	tsk->active_mm = NULL;
	if (mm)
		mmput(m, mm);
	spin_lock(&m->sched.tasklist_lock);
	list_del(&tsk->tasks);
	m->sched.nr_tasks--;
	spin_unlock(&m->sched.tasklist_lock);
	kmem_cache_free(m, m->vm.task_struct_cachep, tsk);
	if (m->debug_vm >= 2)
		check_vmas(m);
}
