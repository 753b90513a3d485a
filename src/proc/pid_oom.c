/* /proc/PID/oom_score and /proc/PID/oom_score_adj (cf. fs/proc/base.c
 * proc_oom_score, oom_score_adj_read, Linux 6.18): one number and a
 * newline each. The score is oom_badness scaled as Linux does
 * ((1000 + badness * 1000 / totalpages) * 2 / 3, 0 for an unkillable
 * task); writing oom_score_adj is mmkit_set_oom_score_adj(). */
#include "mm/internal_vmscan.h"
#include "proc/seq.h"

/**
 * pid_oom_score_show - render /proc/PID/oom_score
 * @s: the buffer
 * @m: the machine
 * @tsk: the task
 */
int pid_oom_score_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	seq_printf(s, "%lu\n", oom_score(m, tsk));
	return 0;
}

/**
 * pid_oom_score_adj_show - render /proc/PID/oom_score_adj
 * @s: the buffer
 * @m: the machine
 * @tsk: the task
 */
int pid_oom_score_adj_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	(void)m;
	seq_printf(s, "%hd\n", tsk->oom_score_adj);
	return 0;
}
