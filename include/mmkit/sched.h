/* Simulated processes: a minimal task_struct, resource limits and the
 * per-CPU current task (cf. include/linux/sched.h, include/uapi/linux/
 * resource.h; seed 000: "task_struct可以看做是进程的档案 ... mm_strcut成员").
 *
 * A task is created with an exec-like address space (mmkit_spawn), made
 * current on a simulated CPU (mmkit_set_current), and torn down by
 * mmkit_exit. The syscalls of <mmkit/mman.h> act on the current task of
 * the calling host thread's CPU (mmkit_set_cpu in <mmkit/mmkit.h>). */
#ifndef MMKIT_SCHED_H
#define MMKIT_SCHED_H

#include <mmkit/list.h>
#include <mmkit/mm_types.h>
#include <mmkit/mmzone.h>
#include <mmkit/types.h>

struct machine;

/* Resource limits (cf. include/uapi/asm-generic/resource.h). The host's
 * <sys/resource.h> declares the same names with the same values: a program
 * that wants both includes it first. */
#ifndef RLIMIT_CPU
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIM_NLIMITS 16
#endif
#ifndef RLIM_INFINITY
#define RLIM_INFINITY (~0UL)
#endif

#define _STK_LIM (8UL * 1024 * 1024)	/* default RLIMIT_STACK */
#define MLOCK_LIMIT (8UL * 1024 * 1024)	/* default RLIMIT_MEMLOCK (6.x) */

#ifndef _SYS_RESOURCE_H	/* glibc's has the same layout */
struct rlimit {
	unsigned long rlim_cur;
	unsigned long rlim_max;
};
#endif

/* Capabilities the memory syscalls consult (cf. include/uapi/linux/capability.h). */
#ifndef CAP_IPC_LOCK
#define CAP_IPC_LOCK 14		/* mlock beyond RLIMIT_MEMLOCK */
#define CAP_SYS_RAWIO 17	/* map below vm.mmap_min_addr */
#define CAP_SYS_ADMIN 21	/* overcommit admin reserve */
#define CAP_SYS_RESOURCE 24
#endif

typedef int pid_t;

#define TASK_COMM_LEN 16

enum task_state {
	TASK_RUNNING,
	TASK_DEAD,
};

/* A simulated process or thread (cf. struct task_struct). */
struct task_struct {
	pid_t pid;
	pid_t tgid;			/* the thread-group leader's pid */
	char comm[TASK_COMM_LEN];
	enum task_state state;
	int exit_code;
	unsigned int flags;		/* PF_* */
	unsigned int personality;	/* PER_* | ADDR_COMPAT_LAYOUT | READ_IMPLIES_EXEC ... */
	u32 uid;
	u64 cap_effective;		/* 1 << CAP_*: what capable() answers */
	struct mm_struct *mm;		/* NULL for a kernel thread */
	struct mm_struct *active_mm;
	struct rlimit rlim[RLIM_NLIMITS];
	unsigned long min_flt, maj_flt;	/* page faults without and with I/O (/proc/PID/stat) */
	struct list_head tasks;		/* on m->sched.tasks */
};

/* The task running on the calling host thread's simulated CPU (Linux's
 * `current`), or NULL when none was made current. Defined in
 * src/kernel/sched.c. */
struct task_struct *get_current(struct machine *m);

/* What an exec-like image looks like: the ELF loader would read these from
 * the program headers. Zero fields take defaults for the machine's arch
 * (i386: text at 0x08048000; x86_64: 0x400000). */
struct mmkit_exec_layout {
	unsigned long text_start, text_size;	/* r-x */
	unsigned long data_start, data_size;	/* rw-; data_start 0: page after text */
	unsigned long bss_size;			/* zero-fill after the data */
	unsigned long stack_top;		/* 0: STACK_TOP (TASK_SIZE) */
	unsigned long arg_size;			/* bytes of argv/envp on the stack; 0: one page */
	unsigned long rlimit_stack;		/* 0: 8 MiB */
	bool privileged;			/* root with every capability; else uid 1000, none */
};

/* Create a process named comm with an exec-like address space: text, data,
 * bss, an empty heap starting at the page-rounded end of the bss, the mmap
 * area below the stack gap, and a [stack] VMA with VM_GROWSDOWN (cf.
 * load_elf_binary, setup_arg_pages, arch_pick_mmap_layout). layout may be
 * NULL for the defaults. Returns the task, or NULL on failure (reported in
 * the kernel log). The task is not made current. */
struct task_struct *mmkit_spawn(struct machine *m, const char *comm,
				const struct mmkit_exec_layout *layout);

/* Make tsk current on the calling thread's simulated CPU (a context
 * switch: switch_mm() loads its pgd once the page tables exist). tsk may be
 * NULL to leave the CPU idle. */
void mmkit_set_current(struct machine *m, struct task_struct *tsk);

/* End tsk with exit code code (cf. do_exit): its address space is torn
 * down when its last user goes (exit_mmap), every VMA is freed and the task
 * leaves the process table. If it was current anywhere, that CPU idles. */
void mmkit_exit(struct machine *m, struct task_struct *tsk, int code);

/* The live task with this pid, or NULL. */
struct task_struct *find_task_by_pid(struct machine *m, pid_t pid);

#endif
