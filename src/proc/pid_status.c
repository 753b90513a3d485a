/* /proc/PID/status: a process in "Label:\tvalue" lines (cf. fs/proc/
 * array.c proc_pid_status, task_state, task_sig, task_cap, task_seccomp,
 * task_cpus_allowed, task_context_switch_counts; fs/proc/task_mmu.c
 * task_mem; kernel/cgroup/cpuset.c cpuset_task_status_allowed).
 *
 * The memory lines come from the mm_struct exactly as task_mem() computes
 * them, each "%8lu kB" after the tab:
 *   VmPeak  max(hiwater_vm, total_vm)   VmSize  total_vm
 *   VmLck   locked_vm                   VmPin   pinned_vm
 *   VmHWM   max(hiwater_rss, rss)       VmRSS   anon + file + shmem pages
 *   RssAnon/RssFile/RssShmem            the rss counters
 *   VmData  data_vm    VmStk stack_vm   VmPTE   pgtables_bytes
 *   VmExe   the page-rounded [start_code, end_code), at most exec_vm
 *   VmLib   the rest of exec_vm         VmSwap  MM_SWAPENTS
 * A kernel thread (no mm) has none of them.
 *
 * The rest is what a simulated process has: no files (FDSize is the
 * initial fd table, BITS_PER_LONG), no supplementary groups, gid = uid,
 * each process its own process group and session, one node, the
 * machine's CPUs, a CPU that does not speculate, and no THP (mmkit is a
 * kernel without CONFIG_TRANSPARENT_HUGEPAGE: THP_enabled 0). */
#include "mm/memory.h"
#include "proc/seq.h"

#define CAP_LAST_CAP 40		/* CAP_CHECKPOINT_RESTORE (6.x) */
#define CAP_FULL_SET ((1ULL << (CAP_LAST_CAP + 1)) - 1)

/* The state with its name (cf. task_state_array). */
static const char *task_state_name(const struct task_struct *tsk)
{
	switch (task_state_char(tsk)) {
	case 'Z':
		return "Z (zombie)";
	case 'X':
		return "X (dead)";
	}
	return "R (running)";
}

/* Threads of @tsk's group: the live tasks sharing its tgid. */
static int task_nr_threads(struct machine *m, const struct task_struct *tsk)
{
	struct task_struct *t;
	int n = 0;

	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry(t, &m->sched.tasks, tasks)
		if (t->tgid == tsk->tgid)
			n++;
	spin_unlock(&m->sched.tasklist_lock);
	return n ? n : 1;
}

/* comm with '\n' and '\\' escaped (cf. proc_task_name(..., true)). */
static void seq_put_comm_escaped(struct seq_file *s, const char *comm)
{
	for (const char *c = comm; *c; c++) {
		if (*c == '\n')
			seq_puts(s, "\\n");
		else if (*c == '\\')
			seq_puts(s, "\\\\");
		else
			seq_putc(s, *c);
	}
}

/* The ids and state (cf. task_state). */
static void task_state(struct seq_file *s, struct machine *m, const struct task_struct *tsk)
{
	unsigned int uid = tsk->uid;

	seq_puts(s, "Umask:\t0022\n");
	seq_printf(s, "State:\t%s\n", task_state_name(tsk));
	seq_printf(s, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", tsk->tgid,
		   tsk->pid, task_ppid(tsk));
	seq_printf(s, "Uid:\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid);
	seq_printf(s, "Gid:\t%u\t%u\t%u\t%u\n", uid, uid, uid, uid);
	seq_printf(s, "FDSize:\t%d\n", arch_is_64bit(m) ? 64 : 32);
	seq_puts(s, "Groups:\t \n");	/* no groups, then Linux's trailing space */
	seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", tsk->tgid, tsk->pid,
		   tsk->tgid, tsk->tgid);
	seq_printf(s, "Kthread:\t%d\n", tsk->mm == NULL);
}

static void seq_put_kb(struct seq_file *s, const char *label, unsigned long kb)
{
	seq_printf(s, "%s:\t%8lu kB\n", label, kb);
}

#define PAGES_KB(x) ((x) << (PAGE_SHIFT - 10))

/**
 * task_mem() - the Vm and Rss lines of /proc/PID/status for @mm
 * @s: the output
 * @mm: the address space
 */
void task_mem(struct seq_file *s, struct mm_struct *mm)
{
	unsigned long anon = get_mm_counter(mm, MM_ANONPAGES);
	unsigned long file = get_mm_counter(mm, MM_FILEPAGES);
	unsigned long shmem = get_mm_counter(mm, MM_SHMEMPAGES);
	unsigned long total_vm = mm->total_vm, hiwater_vm = total_vm;
	unsigned long total_rss = anon + file + shmem, hiwater_rss = total_rss;
	unsigned long text, lib, exec = mm->exec_vm << PAGE_SHIFT;

	if (hiwater_vm < mm->hiwater_vm)
		hiwater_vm = mm->hiwater_vm;
	if (hiwater_rss < mm->hiwater_rss)
		hiwater_rss = mm->hiwater_rss;
	/* split the executable pages between the program's text and libraries */
	text = PAGE_ALIGN(mm->end_code) - (mm->start_code & PAGE_MASK);
	if (text > exec)
		text = exec;
	lib = exec - text;

	seq_put_kb(s, "VmPeak", PAGES_KB(hiwater_vm));
	seq_put_kb(s, "VmSize", PAGES_KB(total_vm));
	seq_put_kb(s, "VmLck", PAGES_KB(mm->locked_vm));
	seq_put_kb(s, "VmPin", PAGES_KB(mm->pinned_vm));
	seq_put_kb(s, "VmHWM", PAGES_KB(hiwater_rss));
	seq_put_kb(s, "VmRSS", PAGES_KB(total_rss));
	seq_put_kb(s, "RssAnon", PAGES_KB(anon));
	seq_put_kb(s, "RssFile", PAGES_KB(file));
	seq_put_kb(s, "RssShmem", PAGES_KB(shmem));
	seq_put_kb(s, "VmData", PAGES_KB(mm->data_vm));
	seq_put_kb(s, "VmStk", PAGES_KB(mm->stack_vm));
	seq_put_kb(s, "VmExe", text >> 10);
	seq_put_kb(s, "VmLib", lib >> 10);
	seq_put_kb(s, "VmPTE", mm->pgtables_bytes >> 10);
	seq_put_kb(s, "VmSwap", PAGES_KB(get_mm_counter(mm, MM_SWAPENTS)));
	seq_put_kb(s, "HugetlbPages", 0);	/* hugetlb_report_usage */
}

/* A bitmap of @nbits bits as %*pb prints it: 32-bit chunks in hex, most
 * significant first, comma-separated, the first one only as wide as its
 * bits need (cf. bitmap_string). @bits holds the low 64 bits; the rest are 0. */
static void seq_put_bitmap(struct seq_file *s, u64 bits, unsigned int nbits)
{
	unsigned int chunk = nbits % 32 ? nbits % 32 : 32;
	bool first = true;

	for (int i = (int)((nbits + 31) / 32 * 32) - 32; i >= 0; i -= 32) {
		u64 mask = (1ULL << chunk) - 1;
		u64 val = i < 64 ? (bits >> i) & mask : 0;

		seq_printf(s, "%s%0*llx", first ? "" : ",", (int)((chunk + 3) / 4),
			   (unsigned long long)val);
		first = false;
		chunk = 32;
	}
}

/* Signals, capabilities, seccomp, CPUs and nodes, context switches. */
static void task_rest(struct seq_file *s, struct machine *m, const struct task_struct *tsk)
{
	unsigned int cpus = m->desc.nr_cpus ? m->desc.nr_cpus : 1;
	u64 cap_eff = tsk->cap_effective & CAP_FULL_SET;
	static const char no_sigs[] = "0000000000000000";

	seq_printf(s, "Threads:\t%d\n", task_nr_threads(m, tsk));
	seq_printf(s, "SigQ:\t0/%lu\n", uword(m, tsk->rlim[RLIMIT_SIGPENDING].rlim_cur));
	seq_printf(s, "SigPnd:\t%s\nShdPnd:\t%s\nSigBlk:\t%s\nSigIgn:\t%s\n", no_sigs, no_sigs,
		   no_sigs, no_sigs);
	seq_printf(s, "SigCgt:\t%016llx\n", (unsigned long long)task_sigcatch(tsk));
	seq_printf(s, "CapInh:\t%016llx\n", 0ULL);
	seq_printf(s, "CapPrm:\t%016llx\n", (unsigned long long)cap_eff);
	seq_printf(s, "CapEff:\t%016llx\n", (unsigned long long)cap_eff);
	seq_printf(s, "CapBnd:\t%016llx\n", CAP_FULL_SET);
	seq_printf(s, "CapAmb:\t%016llx\n", 0ULL);
	seq_puts(s, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	seq_puts(s, "Speculation_Store_Bypass:\tnot vulnerable\n");
	seq_puts(s, "SpeculationIndirectBranch:\tnot affected\n");
	seq_puts(s, "Cpus_allowed:\t");
	seq_put_bitmap(s, cpus >= 64 ? ~0ULL : (1ULL << cpus) - 1, cpus);
	if (cpus == 1)
		seq_puts(s, "\nCpus_allowed_list:\t0\n");
	else
		seq_printf(s, "\nCpus_allowed_list:\t0-%u\n", cpus - 1);
	/* MAX_NUMNODES: 1 << NODES_SHIFT (10) on x86_64, 1 without NUMA on i386 */
	seq_puts(s, "Mems_allowed:\t");
	seq_put_bitmap(s, 1, arch_is_64bit(m) ? 1024 : 1);
	seq_puts(s, "\nMems_allowed_list:\t0\n");
	seq_puts(s, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

/**
 * pid_status_show() - render /proc/PID/status of @tsk
 * @s: the output
 * @m: the machine
 * @tsk: the task
 *
 * Returns 0.
 */
int pid_status_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;

	seq_puts(s, "Name:\t");
	seq_put_comm_escaped(s, tsk->comm);
	seq_putc(s, '\n');
	task_state(s, m, tsk);
	if (mm) {
		mmap_read_lock(mm);
		task_mem(s, mm);
		mmap_read_unlock(mm);
		seq_puts(s, "CoreDumping:\t0\nTHP_enabled:\t0\n");
		seq_printf(s, "untag_mask:\t%#lx\n", uword(m, ~0UL));
	}
	task_rest(s, m, tsk);
	return 0;
}
