/* The process table, what runs on each simulated CPU, and how tasks end
 * (cf. kernel/sched/core.c context_switch, kernel/pid.c, kernel/exit.c
 * do_exit/exit_mm/exit_notify/forget_original_parent/release_task/wait4,
 * include/linux/sched/signal.h rlimit(), kernel/capability.c capable()).
 *
 * `current` is per simulated CPU: m->sched.curr[smp_processor_id(m)],
 * where the CPU is the calling host thread's (mmkit_set_cpu). Syscalls act
 * on it; with no current task they fail with -ESRCH.
 *
 * A task that ends drops its mm (the last user tears it down: exit_mmap)
 * and leaves the task list. If its parent lives and it is not a thread, it
 * stays a zombie (EXIT_ZOMBIE, on the parent's children list, exit_code
 * holding its wait status) until the parent reaps it (mmkit_wait); else it
 * is freed at once (release_task), as init reaps orphans. Its own children
 * are handed to init: zombies among them are reaped, the others will be
 * reaped when they end.
 *
 * Invariants: every live task is on m->sched.tasks (tasklist_lock) exactly
 * once and nr_tasks counts them; a zombie is on its parent's children list
 * only; a CPU's current task is live; pids are unique and increase. */
#include "mm/memory.h"

/**
 * get_current() - the task running on this CPU, or NULL
 * @m: the machine
 */
struct task_struct *get_current(struct machine *m)
{
	unsigned int cpu = smp_processor_id(m);

	return cpu < NR_CPUS ? cpu_curr(m, cpu) : NULL;
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
	prev = cpu_curr(m, cpu);
	if (prev == tsk)
		return;
	if (!tsk || tsk->mm)
		switch_mm(m, prev ? prev->active_mm : NULL, tsk ? tsk->mm : NULL);
	if (tsk && !tsk->mm)
		tsk->active_mm = prev ? prev->active_mm : NULL;	/* lazy TLB */
	set_cpu_curr(m, cpu, tsk);
	__atomic_fetch_add(&m->sched.nr_context_switches, 1, __ATOMIC_RELAXED);	/* rq->nr_switches */
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

/* Another task using mm takes ownership when its owner goes (cf.
 * mm_update_next_owner, which walks the tasks under tasklist_lock). */
static void mm_update_next_owner(struct machine *m, struct mm_struct *mm,
				 struct task_struct *leaving)
{
	struct task_struct *t;

	if (mm->owner != leaving)
		return;
	mm->owner = NULL;
	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(t, &m->sched.tasks, tasks)
		if (t != leaving && t->mm == mm) {
			mm->owner = t;
			break;
		}
	spin_unlock(&m->sched.tasklist_lock);
}

/* The task stops using its address space (cf. exit_mm). */
static void exit_mm(struct machine *m, struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;
	unsigned int cpu;

	if (get_current(m) == tsk)
		mmkit_set_current(m, NULL);	/* this CPU idles on init_mm */
	for (cpu = 0; cpu < NR_CPUS; cpu++)
		if (cpu_curr(m, cpu) == tsk)
			set_cpu_curr(m, cpu, NULL);	/* destroy_context unloads it */
	spin_lock(&m->sched.tasklist_lock);	/* task_lock: mm_update_next_owner reads t->mm */
	tsk->mm = NULL;
	spin_unlock(&m->sched.tasklist_lock);
	tsk->active_mm = NULL;
	if (!mm)
		return;
	mm_update_next_owner(m, mm, tsk);
	mmput(m, mm);
}

/* A thread other than the leader leaves its fault counts to the group
 * (cf. __exit_signal: sig->min_flt += tsk->min_flt). tasklist_lock held. */
static void fold_thread_faults(struct machine *m, struct task_struct *tsk)
{
	struct task_struct *t;

	if (tsk->pid == tsk->tgid)
		return;
	list_for_each_entry(t, &m->sched.tasks, tasks)
		if (t->pid == tsk->tgid) {
			t->dead_min_flt += tsk->min_flt + tsk->dead_min_flt;
			t->dead_maj_flt += tsk->maj_flt + tsk->dead_maj_flt;
			return;
		}
}

/* Free a task that nobody will wait for any more (cf. release_task). */
static void release_task(struct machine *m, struct task_struct *tsk)
{
	list_del_init(&tsk->sibling);
	tsk->exit_state = EXIT_DEAD;
	kmem_cache_free(m, m->vm.task_struct_cachep, tsk);
}

/* Hand tsk's children to init: zombies are reaped, the rest will be when
 * they end (cf. forget_original_parent, reparent_leader). */
static void forget_original_parent(struct machine *m, struct task_struct *tsk)
{
	struct task_struct *child, *next;

	list_for_each_entry_safe(child, next, &tsk->children, sibling) {
		list_del_init(&child->sibling);
		child->real_parent = NULL;
		if (child->exit_state == EXIT_ZOMBIE)
			release_task(m, child);
	}
}

/**
 * do_exit() - end @tsk alone with wait status @code (cf. do_exit)
 * @m: the machine
 * @tsk: a live task
 * @code: the Linux wait status: exit status << 8, or a signal number
 *
 * See <mmkit/sched.h>. @tsk is freed unless it stays a zombie.
 */
void do_exit(struct machine *m, struct task_struct *tsk, long code)
{
	struct task_struct *parent;

	if (VM_WARN_ON(m, tsk->exit_state || tsk->state != TASK_RUNNING))
		return;
	tsk->exit_code = (int)code;
	tsk->state = TASK_DEAD;
	exit_mm(m, tsk);
	exit_files(m, tsk);	/* closes its files when it was the last user */
	spin_lock(&m->sched.tasklist_lock);
	list_del_init(&tsk->tasks);
	m->sched.nr_tasks--;
	fold_thread_faults(m, tsk);
	forget_original_parent(m, tsk);
	parent = tsk->real_parent;
	/* exit_notify: a child with a live parent waits to be reaped */
	if (tsk->exit_signal >= 0 && parent && !parent->exit_state && !list_empty(&tsk->sibling))
		tsk->exit_state = EXIT_ZOMBIE;
	else
		release_task(m, tsk);
	spin_unlock(&m->sched.tasklist_lock);
	if (m->debug_vm >= 2) {
		check_vmas(m);
		check_user_memory(m);
	}
}

/**
 * do_group_exit() - end every thread of @tsk's group, then @tsk, with wait
 *	status @code (cf. do_group_exit, zap_other_threads)
 * @m: the machine
 * @tsk: a live task
 * @code: the Linux wait status
 */
void do_group_exit(struct machine *m, struct task_struct *tsk, int code)
{
	struct task_struct *t, *found;

	do {	/* zap_other_threads: find each under tasklist_lock, end it outside */
		found = NULL;
		spin_lock(&m->sched.tasklist_lock);
		list_for_each_entry(t, &m->sched.tasks, tasks)
			if (t != tsk && t->tgid == tsk->tgid) {
				found = t;
				break;
			}
		spin_unlock(&m->sched.tasklist_lock);
		if (found)
			do_exit(m, found, code);
	} while (found);
	do_exit(m, tsk, code);
}

/**
 * mmkit_exit() - exit(2)/exit_group(2): end @tsk's thread group with status
 *	@code (cf. sys_exit_group)
 * @m: the machine
 * @tsk: a live task
 * @code: the exit status; the wait status is (@code & 0xff) << 8
 */
void mmkit_exit(struct machine *m, struct task_struct *tsk, int code)
{
	do_group_exit(m, tsk, (code & 0xff) << 8);
}

/* Does child match wait's pid argument? */
static bool wait_matches(const struct task_struct *child, pid_t pid)
{
	return pid == -1 || child->pid == pid;
}

/**
 * mmkit_wait() - reap a zombie child of the current task (cf. wait4 with
 *	WNOHANG)
 * @m: the machine
 * @pid: the child's pid, or -1 for any child
 * @status: if not NULL, gets the child's wait status
 *
 * Returns the reaped pid, 0 when a matching child lives on, -ECHILD when
 * there is none (or no current task).
 */
pid_t mmkit_wait(struct machine *m, pid_t pid, int *status)
{
	struct task_struct *cur = get_current(m), *child;
	pid_t ret = -ECHILD;

	if (!cur)
		return -ECHILD;
	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(child, &cur->children, sibling) {
		if (!wait_matches(child, pid))
			continue;
		if (child->exit_state != EXIT_ZOMBIE) {
			ret = 0;
			continue;
		}
		ret = child->pid;
		if (status)
			*status = child->exit_code;
		/* wait_task_zombie: the child's and its reaped children's faults */
		cur->cmin_flt += child->min_flt + child->dead_min_flt + child->cmin_flt;
		cur->cmaj_flt += child->maj_flt + child->dead_maj_flt + child->cmaj_flt;
		release_task(m, child);
		break;
	}
	spin_unlock(&m->sched.tasklist_lock);
	return ret;
}
