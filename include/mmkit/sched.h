/* Simulated processes: a minimal task_struct, resource limits, the
 * per-CPU current task and the process lifecycle (cf. include/linux/sched.h,
 * include/uapi/linux/resource.h, include/uapi/linux/sched.h; seed 000:
 * "task_struct可以看做是进程的档案 ... mm_strcut成员"; seed 002: "系统调用
 * clone派生一个线程 ... 共享内存,即mm_struct结构,派生后系统会累加mm_struct中的
 * 引用计数").
 *
 * A task is created with an exec-like address space (mmkit_spawn), or by
 * fork/clone from another (mmkit_fork, mmkit_clone), given a new image
 * (mmkit_exec), made current on a simulated CPU (mmkit_set_current), and
 * ended (mmkit_exit, do_exit, do_group_exit). A forked child whose parent
 * lives stays a zombie after exit until the parent reaps it (mmkit_wait);
 * a task without a parent (mmkit_spawn's are children of the unsimulated
 * init) and a thread are reaped at once. The syscalls of <mmkit/mman.h>
 * act on the current task of the calling host thread's CPU (mmkit_set_cpu
 * in <mmkit/mmkit.h>). docs/fork-exec-exit.md tells the whole story. */
#ifndef MMKIT_SCHED_H
#define MMKIT_SCHED_H

#include <mmkit/list.h>
#include <mmkit/mm_types.h>
#include <mmkit/mmzone.h>
#include <mmkit/signal.h>
#include <mmkit/types.h>

struct machine;
struct files_struct;

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

/* task->exit_state (cf. include/linux/sched.h). */
#define EXIT_DEAD 0x0010
#define EXIT_ZOMBIE 0x0020

/* clone() flags (cf. include/uapi/linux/sched.h); the host's <sched.h>
 * has the same values. */
#ifndef CLONE_VM
#define CLONE_VM 0x00000100		/* share the address space */
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800	/* share signal handlers (needs CLONE_VM) */
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000		/* same parent as the caller */
#define CLONE_THREAD 0x00010000		/* same thread group (needs CLONE_SIGHAND) */
#endif
#ifndef SIGCHLD
#define SIGCHLD 17
#endif

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
	/* group leader only (Linux keeps these in signal_struct): the faults
	 * of the group's threads that have exited, and of reaped children
	 * with their own reaped children (cminflt/cmajflt) */
	unsigned long dead_min_flt, dead_maj_flt;
	unsigned long cmin_flt, cmaj_flt;
	/* signals (src/kernel/signal.c, <mmkit/signal.h>) */
	struct mmkit_sigaction sighand[MMKIT_NSIG];	/* NULL handler: default action */
	struct mmkit_siginfo last_siginfo;	/* what the last handler run was given */
	struct list_head tasks;		/* on m->sched.tasks while alive */
	/* the lifecycle (src/kernel/fork.c, sched.c) */
	int exit_state;			/* 0 alive; EXIT_ZOMBIE until reaped */
	int exit_signal;		/* what the parent is sent: SIGCHLD; -1 for a thread */
	struct task_struct *real_parent;	/* NULL: a child of init, reaped at exit */
	struct list_head children;	/* its children, live and zombie */
	struct list_head sibling;	/* on real_parent->children */
	/* open files (include/mmkit/fs.h); NULL: none yet */
	struct files_struct *files;
	/* OOM killer (src/mm/oom_kill.c): /proc/PID/oom_score_adj, -1000..1000 */
	short oom_score_adj;
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

/* End tsk as exit(2) does with status code (cf. sys_exit_group): its
 * wait status is (code & 0xff) << 8. Every thread of its group ends too.
 * The address space is torn down when its last user goes (exit_mmap: every
 * page back to the allocator, every page table freed). If tsk was current
 * anywhere, that CPU idles. Unless a live parent has to reap it, the task
 * is freed at once: do not use tsk afterwards. */
void mmkit_exit(struct machine *m, struct task_struct *tsk, int code);

/* End tsk alone with wait status code, Linux-encoded: (status << 8) for
 * an exit, the signal number for a kill (cf. do_exit). */
void do_exit(struct machine *m, struct task_struct *tsk, long code);

/* End tsk's whole thread group with wait status code (cf. do_group_exit):
 * what a fatal signal does, with the signal number as code. */
void do_group_exit(struct machine *m, struct task_struct *tsk, int code);

/* Reap a zombie child of the current task (cf. wait4 with WNOHANG): pid > 0
 * that child, -1 any child. Returns the reaped pid with *status (may be
 * NULL) set to its wait status (WIFEXITED/WEXITSTATUS, WIFSIGNALED/WTERMSIG
 * of <sys/wait.h> decode it); 0 when the child has not exited yet; -ECHILD
 * when there is no such child (or no current task). */
pid_t mmkit_wait(struct machine *m, pid_t pid, int *status);

/* fork(2) for parent (cf. kernel_clone with SIGCHLD): a child with a new
 * pid, the same comm, credentials, rlimits and signal handlers, and a copy
 * of the address space: the VMAs (not VM_DONTCOPY ones; VM_WIPEONFORK ones
 * empty; none VM_LOCKED) and their page tables, private writable pages
 * shared copy-on-write (write-protected in both). The child is not made
 * current. Returns NULL when memory (or the commit limit) runs out. */
struct task_struct *mmkit_fork(struct machine *m, struct task_struct *parent);

/* clone(2) for parent with clone_flags (CLONE_VM shares the address space,
 * mm_users + 1; CLONE_THREAD also joins parent's thread group: same tgid,
 * reaped at exit; CLONE_PARENT gives it parent's parent). Returns the new
 * pid, or -EINVAL (CLONE_THREAD without CLONE_SIGHAND, CLONE_SIGHAND
 * without CLONE_VM), -ENOMEM, -ESRCH (parent not alive). */
long kernel_clone(struct machine *m, struct task_struct *parent, unsigned long clone_flags);

/* kernel_clone() returning the task, or NULL on any error. */
struct task_struct *mmkit_clone(struct machine *m, struct task_struct *parent,
				unsigned long clone_flags);

/* execve(2) for tsk (cf. begin_new_exec, exec_mmap): a new address space
 * built from layout (NULL: defaults; layout->privileged is ignored, the
 * task keeps its credentials; rlimit_stack 0: the task's RLIMIT_STACK),
 * the old one dropped (mmput), comm set (NULL: kept), the other threads of
 * its group ended (de_thread), handlers reset to the default. If tsk is
 * current on this CPU the new pgd is loaded. Returns 0 or -ENOMEM/-EINVAL,
 * the old address space untouched on failure. */
int mmkit_exec(struct machine *m, struct task_struct *tsk, const char *comm,
	       const struct mmkit_exec_layout *layout);

/* The live task with this pid, or NULL. */
struct task_struct *find_task_by_pid(struct machine *m, pid_t pid);

#endif
