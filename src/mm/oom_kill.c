/* The OOM killer (cf. mm/oom_kill.c, Linux 6.x: oom_badness,
 * select_bad_process, dump_header, dump_tasks, __oom_kill_process,
 * out_of_memory, pagefault_out_of_memory; fs/proc/base.c proc_oom_score,
 * __set_oom_adj).
 *
 * When reclaim makes no progress, the process with the highest badness
 * (resident pages + swap entries + page-table pages, plus oom_score_adj
 * thousandths of RAM+swap) is killed with SIGKILL. OOM_SCORE_ADJ_MIN
 * (-1000) protects a task; kernel threads (no mm) and dying tasks are
 * skipped. mmkit has no unsimulated init to protect: its pid 1 is an
 * ordinary process (mmkit_spawn's tasks are children of the absent init).
 *
 * Killing: Linux sends SIGKILL and lets the oom_reaper free the victim's
 * memory while the victim dies. mmkit kills and exits the victim at once
 * (exit_mmap frees every page) when no lock is held (the page-fault
 * path's pagefault_out_of_memory, sysrq); an out_of_memory() from inside
 * an allocation, whose caller may hold the victim's locks, picks and
 * reports the victim and leaves it pending (m->reclaim.oom_victim_pid):
 * the allocation fails, and the next safe point (the end of the fault,
 * kswapd_run_pending) kills it. A pending victim stops a new selection,
 * as tsk_is_oom_victim() aborts select_bad_process.
 *
 * Invariant: a pending victim's pid names a live task or is cleared at
 * the next safe point. */
#include "mm/internal_vmscan.h"
#include "mm/page_alloc.h"

#define LONG_MIN_ (-__LONG_MAX__ - 1L)

/* The swap slots counted for OOM (RAM + swap, cf. totalram_pages() +
 * total_swap_pages). */
static unsigned long oom_totalpages(struct machine *m)
{
	long swap = __atomic_load_n(&m->swap.total_swap_pages, __ATOMIC_RELAXED);

	return m->totalram_pages + (swap > 0 ? (unsigned long)swap : 0);
}

/* Kernel threads and dead tasks are never chosen (cf. oom_unkillable_task). */
static bool oom_unkillable_task(const struct task_struct *p)
{
	return (p->flags & PF_KTHREAD) || p->state != TASK_RUNNING || p->exit_state;
}

/**
 * oom_badness() - how much killing @p would free, in pages, biased by its
 *	oom_score_adj (cf. oom_badness)
 * @m: the machine
 * @p: a task
 * @totalpages: RAM + swap pages
 *
 * Returns LONG_MIN for a task that must not be killed.
 */
long oom_badness(struct machine *m, struct task_struct *p, unsigned long totalpages)
{
	struct mm_struct *mm = p->mm;
	long points, adj;

	(void)m;
	if (oom_unkillable_task(p) || !mm)
		return LONG_MIN_;
	adj = p->oom_score_adj;
	if (adj == OOM_SCORE_ADJ_MIN)
		return LONG_MIN_;
	points = (long)(get_mm_rss(mm) + get_mm_counter(mm, MM_SWAPENTS) +
			mm->pgtables_bytes / PAGE_SIZE);
	adj *= (long)(totalpages / 1000);	/* normalize to oom_score_adj units */
	return points + adj;
}

/**
 * oom_score() - /proc/PID/oom_score: the badness scaled to 0..2000 then
 *	by 2/3 (cf. proc_oom_score)
 * @m: the machine
 * @p: the task
 */
unsigned long oom_score(struct machine *m, struct task_struct *p)
{
	unsigned long totalpages = oom_totalpages(m);
	long badness = oom_badness(m, p, totalpages);

	if (badness == LONG_MIN_)
		return 0;
	return (unsigned long)((1000 + badness * 1000 / (long)totalpages) * 2 / 3);
}

/* The pending victim, if it still lives. */
static struct task_struct *pending_victim(struct machine *m)
{
	int pid = m->reclaim.oom_victim_pid;
	struct task_struct *t;

	if (!pid)
		return NULL;
	t = find_task_by_pid(m, pid);
	if (!t || t->exit_state || !t->mm)
		m->reclaim.oom_victim_pid = 0;
	return m->reclaim.oom_victim_pid ? t : NULL;
}

/* Pick the thread-group leader with the highest badness; ties go to the
 * later task (cf. select_bad_process, oom_evaluate_task). */
static void select_bad_process(struct machine *m, struct oom_control *oc)
{
	struct task_struct *p;

	oc->chosen = NULL;
	oc->chosen_points = LONG_MIN_;
	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(p, &m->sched.tasks, tasks) {
		long points;

		if (p->pid != p->tgid)
			continue;	/* for_each_process: leaders */
		points = oom_badness(m, p, oc->totalpages);
		if (points == LONG_MIN_ || points < oc->chosen_points)
			continue;
		oc->chosen = p;
		oc->chosen_points = points;
	}
	spin_unlock(&m->sched.tasklist_lock);
}

/* The task list as dump_tasks prints it (vm.oom_dump_tasks). */
static void dump_tasks(struct machine *m)
{
	struct task_struct *p;

	pr_info(m, "Tasks state (memory values in pages):\n");
	pr_info(m, "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem "
		   "pgtables_bytes swapents oom_score_adj name\n");
	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(p, &m->sched.tasks, tasks) {
		struct mm_struct *mm = p->mm;

		if (oom_unkillable_task(p) || !mm || p->pid != p->tgid)
			continue;
		pr_info(m, "[%7d] %5u %5d %8lu %8lu %8lu %8lu %9lu %8lu %8lu         %5hd %s\n",
			p->pid, p->uid, p->tgid, mm->total_vm, get_mm_rss(mm),
			get_mm_counter(mm, MM_ANONPAGES), get_mm_counter(mm, MM_FILEPAGES),
			get_mm_counter(mm, MM_SHMEMPAGES), mm->pgtables_bytes,
			get_mm_counter(mm, MM_SWAPENTS), p->oom_score_adj, p->comm);
	}
	spin_unlock(&m->sched.tasklist_lock);
}

/* The first block of show_mem (cf. __show_free_areas). */
static void show_mem_summary(struct machine *m)
{
	const pg_data_t *pgdat = &m->node;
	unsigned long free = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		free += zone_page_state(&m->node.node_zones[z], NR_FREE_PAGES);
	pr_info(m, "Mem-Info:\n");
	pr_info(m, "active_anon:%lu inactive_anon:%lu isolated_anon:%lu\n"
		   " active_file:%lu inactive_file:%lu isolated_file:%lu\n"
		   " unevictable:%lu dirty:%lu writeback:%lu\n"
		   " slab_reclaimable:%lu slab_unreclaimable:%lu\n"
		   " mapped:%lu shmem:%lu pagetables:%lu\n"
		   " sec_pagetables:%lu bounce:%lu\n"
		   " kernel_misc_reclaimable:%lu\n"
		   " free:%lu free_pcp:%lu free_cma:%lu\n",
		node_page_state(pgdat, NR_ACTIVE_ANON), node_page_state(pgdat, NR_INACTIVE_ANON),
		node_page_state(pgdat, NR_ISOLATED_ANON), node_page_state(pgdat, NR_ACTIVE_FILE),
		node_page_state(pgdat, NR_INACTIVE_FILE), node_page_state(pgdat, NR_ISOLATED_FILE),
		node_page_state(pgdat, NR_UNEVICTABLE), node_page_state(pgdat, NR_FILE_DIRTY),
		node_page_state(pgdat, NR_WRITEBACK), node_page_state(pgdat, NR_SLAB_RECLAIMABLE_B),
		node_page_state(pgdat, NR_SLAB_UNRECLAIMABLE_B), node_page_state(pgdat, NR_FILE_MAPPED),
		node_page_state(pgdat, NR_SHMEM), node_page_state(pgdat, NR_PAGETABLE),
		node_page_state(pgdat, NR_SECONDARY_PAGETABLE), 0UL,
		node_page_state(pgdat, NR_KERNEL_MISC_RECLAIMABLE), free, 0UL, 0UL);
	pr_info(m, "%lu pages RAM\n", pgdat->node_present_pages);
	pr_info(m, "%lu pages HighMem/MovableOnly\n",
		m->node.node_zones[ZONE_HIGHMEM].present_pages);
	pr_info(m, "%lu pages reserved\n", pgdat->node_present_pages - m->totalram_pages);
}

/* What Linux prints before a kill (cf. dump_header, without the stack). */
static void dump_header(struct machine *m, struct oom_control *oc)
{
	struct task_struct *cur = get_current(m);
	short adj = cur ? cur->oom_score_adj : 0;
	char names[256];

	format_gfp_flags(names, sizeof(names), oc->gfp_mask);
	pr_warn(m, "%s invoked oom-killer: gfp_mask=%#x(%s), order=%d, oom_score_adj=%hd\n",
		cur ? cur->comm : m->comm, oc->gfp_mask, names, oc->order, adj);
	show_mem_summary(m);
	if (m->reclaim.sysctl_oom_dump_tasks)
		dump_tasks(m);
}

/* Kill @victim now: SIGKILL, the group exits and exit_mmap frees its
 * memory (what the oom_reaper and the exit do together). Other processes
 * sharing its mm die too (cf. __oom_kill_process). */
static void oom_kill_now(struct machine *m, struct task_struct *victim)
{
	struct mm_struct *mm = victim->mm;
	char comm[TASK_COMM_LEN];
	int pid = victim->pid;
	struct task_struct *p;

	mm_memcpy(comm, victim->comm, sizeof(comm));
	if (m->reclaim.oom_victim_pid == pid)
		m->reclaim.oom_victim_pid = 0;
	force_sig_fault_to_task(m, SIGKILL, SI_KERNEL, 0, victim);
	do {	/* processes in other thread groups sharing the mm */
		struct task_struct *found = NULL;

		spin_lock(&m->sched.tasklist_lock);
		list_for_each_entry(p, &m->sched.tasks, tasks)
			if (p->mm == mm && !(p->flags & PF_KTHREAD) && !p->exit_state) {
				found = p;
				break;
			}
		spin_unlock(&m->sched.tasklist_lock);
		if (!found)
			break;
		force_sig_fault_to_task(m, SIGKILL, SI_KERNEL, 0, found);
	} while (1);
	pr_info(m, "oom_reaper: reaped process %d (%s), now anon-rss:0kB, file-rss:0kB, "
		   "shmem-rss:0kB\n", pid, comm);
}

/* Report the kill with Linux's words, count it, kill now or leave the
 * victim pending (cf. oom_kill_process, __oom_kill_process). */
static void oom_kill_process(struct machine *m, struct oom_control *oc)
{
	struct task_struct *victim = oc->chosen;
	struct mm_struct *mm = victim->mm;
	const unsigned int k = PAGE_SHIFT - 10;

	dump_header(m, oc);
	pr_info(m, "oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,"
		   "mems_allowed=0,global_oom,task_memcg=/,task=%s,pid=%d,uid=%u\n",
		victim->comm, victim->pid, victim->uid);
	count_vm_events(m, OOM_KILL, 1);
	m->reclaim.nr_oom_kills++;
	pr_err(m, "Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, "
		  "file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd\n",
	       victim->pid, victim->comm, mm->total_vm << k,
	       get_mm_counter(mm, MM_ANONPAGES) << k, get_mm_counter(mm, MM_FILEPAGES) << k,
	       get_mm_counter(mm, MM_SHMEMPAGES) << k, victim->uid, mm->pgtables_bytes >> 10,
	       victim->oom_score_adj);
	m->reclaim.oom_victim_pid = victim->pid;
	if (oc->kill_now)
		oom_kill_now(m, victim);
}

/**
 * out_of_memory() - kill the process whose death frees the most memory
 *	(cf. out_of_memory)
 * @m: the machine
 * @oc: the request (gfp_mask, order; kill_now when no lock is held)
 *
 * Returns true when a victim was chosen (or one is already dying), false
 * when nothing can be killed ("Out of memory and no killable processes...").
 */
bool out_of_memory(struct machine *m, struct oom_control *oc)
{
	struct task_struct *victim = pending_victim(m);

	if (victim) {	/* tsk_is_oom_victim: wait for it */
		if (oc->kill_now)
			oom_kill_now(m, victim);
		return true;
	}
	/* a request that may not use the file system cannot count on
	 * reclaim; it fails without a kill (pagefault's gfp 0 goes on) */
	if (oc->gfp_mask && !(oc->gfp_mask & __GFP_FS))
		return true;
	oc->totalpages = oom_totalpages(m);
	select_bad_process(m, oc);
	if (!oc->chosen) {
		dump_header(m, oc);
		pr_warn(m, "Out of memory and no killable processes...\n");
		return false;
	}
	oom_kill_process(m, oc);
	return true;
}

/**
 * oom_reap_pending() - kill a pending OOM victim (a safe point: no lock
 *	held)
 * @m: the machine
 *
 * Returns true when a victim died.
 */
bool oom_reap_pending(struct machine *m)
{
	struct task_struct *victim = pending_victim(m);

	if (!victim)
		return false;
	oom_kill_now(m, victim);
	return true;
}

/**
 * mmkit_oom_kill() - the OOM killer on demand, as sysrq-f (order -1)
 * @m: the machine
 *
 * Returns true when a task was killed.
 */
bool mmkit_oom_kill(struct machine *m)
{
	struct oom_control oc = { .gfp_mask = GFP_KERNEL, .order = -1, .kill_now = true };
	unsigned long before = m->reclaim.nr_oom_kills;

	out_of_memory(m, &oc);
	return m->reclaim.nr_oom_kills != before;
}

/**
 * mmkit_set_oom_score_adj() - write /proc/PID/oom_score_adj (cf. __set_oom_adj)
 * @m: the machine
 * @tsk: the task (its whole thread group changes)
 * @adj: -1000..1000
 *
 * Lowering the value below 0 and below the current one needs
 * CAP_SYS_RESOURCE in the current task (Linux keeps oom_score_adj_min for
 * the same rule). Returns 0, -EINVAL, -EACCES or -ESRCH.
 */
int mmkit_set_oom_score_adj(struct machine *m, struct task_struct *tsk, int adj)
{
	struct task_struct *p;

	if (!tsk)
		return -ESRCH;
	if (adj < OOM_SCORE_ADJ_MIN || adj > OOM_SCORE_ADJ_MAX)
		return -EINVAL;
	if (adj < 0 && adj < tsk->oom_score_adj && !capable(m, CAP_SYS_RESOURCE))
		return -EACCES;
	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(p, &m->sched.tasks, tasks)
		if (p->tgid == tsk->tgid)
			p->oom_score_adj = (short)adj;
	spin_unlock(&m->sched.tasklist_lock);
	tsk->oom_score_adj = (short)adj;
	return 0;
}
