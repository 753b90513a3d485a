/* A growing text buffer for /proc views (cf. include/linux/seq_file.h).
 * src/proc is host-side code and may use libc. */
#ifndef MMKIT_PROC_SEQ_H
#define MMKIT_PROC_SEQ_H

#include <stddef.h>

#include "internal.h"

struct seq_file {
	char *buf;
	size_t count;
	size_t size;
	int error;	/* -ENOMEM once an append failed */
};

void seq_printf(struct seq_file *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_puts(struct seq_file *s, const char *str);
void seq_putc(struct seq_file *s, char c);

/* One /proc file: its path and the function that writes its text. */
struct proc_entry {
	const char *path;
	int (*show)(struct seq_file *s, struct machine *m);
};

/* in proc/NAME.c -- each view */
int buddyinfo_show(struct seq_file *s, struct machine *m);
int zoneinfo_show(struct seq_file *s, struct machine *m);
int meminfo_show(struct seq_file *s, struct machine *m);
int iomem_show(struct seq_file *s, struct machine *m);
int slabinfo_show(struct seq_file *s, struct machine *m);
int vmallocinfo_show(struct seq_file *s, struct machine *m);
int vmstat_show(struct seq_file *s, struct machine *m);
int swaps_show(struct seq_file *s, struct machine *m);
int sysvipc_shm_show(struct seq_file *s, struct machine *m);

/* One per-process file, /proc/PID/NAME (and /proc/self/NAME). */
struct proc_pid_entry {
	const char *name;
	int (*show)(struct seq_file *s, struct machine *m, struct task_struct *tsk);
};

/* in proc/pid_maps.c */
int pid_maps_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);

/* in proc/pid_smaps.c */
int pid_smaps_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);
int pid_smaps_rollup_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);

/* in proc/pid_status.c */
struct mm_struct;
int pid_status_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);
void task_mem(struct seq_file *s, struct mm_struct *mm);

/* in proc/pid_oom.c */
int pid_oom_score_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);
int pid_oom_score_adj_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);

/* in proc/pid_stat.c */
int pid_stat_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);
int pid_statm_show(struct seq_file *s, struct machine *m, struct task_struct *tsk);
int task_ppid(const struct task_struct *tsk);
char task_state_char(const struct task_struct *tsk);
unsigned long long task_sigcatch(const struct task_struct *tsk);

#endif
