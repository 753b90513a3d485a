/* Creating a process with an exec-like address space, and exec replacing a
 * task's address space with a new one (cf. fs/exec.c bprm_mm_init/
 * setup_arg_pages/begin_new_exec/exec_mmap/de_thread, fs/binfmt_elf.c
 * load_elf_binary; seed 001's 3 GiB user / 1 GiB kernel split).
 *
 * The new address space gets, from low to high:
 *   text   r-xp  [start_code, end_code)      (no file yet: anonymous)
 *   data   rw-p  [start_data, end_data)
 *   bss    rw-p  up to the page-rounded end of the bss (vm_brk_flags;
 *                it merges with the data, both being anonymous)
 *   heap         start_brk = brk = that page-rounded end; empty until brk()
 *   mmap area    top-down from mmap_base = TASK_SIZE - max(128 MiB,
 *                RLIMIT_STACK + stack_guard_gap)
 *   [stack] rw-p VM_GROWSDOWN, ending at STACK_TOP (= TASK_SIZE): the
 *                argument pages plus 128 KiB (setup_arg_pages' stack_expand)
 * No randomization (as with `setarch -R`), so layouts are reproducible.
 *
 * mmkit_exec() builds the same layout in a fresh mm, in the task's context
 * (its RLIMIT_STACK and capabilities), and only then swaps it in: the old mm
 * is dropped with mmput (torn down if the task was its last user), the
 * other threads of the group end (de_thread), signal handlers return to
 * their defaults, and the new pgd is loaded if the task runs on this CPU.
 *
 * Invariant: on failure nothing is left behind (the task and mm are freed;
 * a failed exec leaves the task's old address space untouched). */
#include "arch/x86/mmu.h"
#include "mm/memory.h"

#define STACK_EXPAND (128UL * 1024)	/* setup_arg_pages' stack_expand */

/* max_threads as fork_init's set_max_threads computes it: the threads
 * whose stacks (THREAD_SIZE: 16 KiB on x86_64, 8 KiB on i386) fit in an
 * eighth of RAM, at least 20. init's RLIMIT_NPROC and RLIMIT_SIGPENDING
 * are half of it (what /proc/PID/status shows as SigQ's limit). */
static unsigned long max_threads(const struct machine *m)
{
	unsigned long thread_size = arch_is_64bit(m) ? 16384 : 8192;
	unsigned long threads = (unsigned long)((u64)m->totalram_pages * PAGE_SIZE /
						((u64)thread_size * 8));

	return threads < 20 ? 20 : threads;
}

static void task_init_rlimits(struct machine *m, struct task_struct *tsk,
			      unsigned long rlimit_stack)
{
	unsigned long half = max_threads(m) / 2;

	for (int i = 0; i < RLIM_NLIMITS; i++)
		tsk->rlim[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	tsk->rlim[RLIMIT_STACK] = (struct rlimit){ rlimit_stack, RLIM_INFINITY };
	tsk->rlim[RLIMIT_CORE] = (struct rlimit){ 0, RLIM_INFINITY };
	tsk->rlim[RLIMIT_NOFILE] = (struct rlimit){ 1024, 4096 };
	tsk->rlim[RLIMIT_MEMLOCK] = (struct rlimit){ MLOCK_LIMIT, MLOCK_LIMIT };
	tsk->rlim[RLIMIT_MSGQUEUE] = (struct rlimit){ 819200, 819200 };
	tsk->rlim[RLIMIT_SIGPENDING] = (struct rlimit){ half, half };
	tsk->rlim[RLIMIT_NPROC] = (struct rlimit){ half, half };
	tsk->rlim[RLIMIT_NICE] = (struct rlimit){ 0, 0 };
	tsk->rlim[RLIMIT_RTPRIO] = (struct rlimit){ 0, 0 };
}

/* Copy comm into tsk->comm, truncated to TASK_COMM_LEN - 1 (cf. __set_task_comm). */
static void set_task_comm(struct task_struct *tsk, const char *comm)
{
	size_t n = comm ? mm_strlen(comm) : 0;

	if (n >= TASK_COMM_LEN)
		n = TASK_COMM_LEN - 1;
	if (n)
		mm_memcpy(tsk->comm, comm, n);
	tsk->comm[n] = '\0';
}

/* Fill the zero fields of a layout with the arch's defaults. */
static void exec_layout_defaults(struct machine *m, struct mmkit_exec_layout *l)
{
	if (!l->text_start)
		l->text_start = arch_is_64bit(m) ? 0x400000UL : 0x08048000UL;
	if (!l->text_size)
		l->text_size = 0x8000;
	if (!l->data_start)
		l->data_start = PAGE_ALIGN(l->text_start + l->text_size);
	if (!l->data_size)
		l->data_size = 0x1000;
	if (!l->stack_top)
		l->stack_top = arch_task_size(m);	/* STACK_TOP */
	if (!l->arg_size)
		l->arg_size = PAGE_SIZE;
	if (!l->rlimit_stack)
		l->rlimit_stack = _STK_LIM;
}

/* The stack VMA: the argument pages, then grown by 128 KiB within
 * RLIMIT_STACK (cf. __bprm_mm_init, setup_arg_pages). */
static int setup_stack(struct machine *m, struct mm_struct *mm, const struct mmkit_exec_layout *l)
{
	unsigned long top = l->stack_top & PAGE_MASK, stack_size = PAGE_ALIGN(l->arg_size);
	unsigned long expand, rlim_stack = rlimit(m, RLIMIT_STACK) & PAGE_MASK;
	struct vm_area_struct *vma;

	if (stack_size >= top || find_vma_intersection(m, mm, top - stack_size, top))
		return -EINVAL;
	vma = vm_area_alloc(m, mm);
	if (!vma)
		return -ENOMEM;
	vma->vm_start = top - stack_size;
	vma->vm_end = top;
	vma->vm_pgoff = vma->vm_start >> PAGE_SHIFT;
	vma->vm_flags = VM_STACK_FLAGS | mm->def_flags;
	vma_set_page_prot(m, vma);
	if (security_vm_enough_memory_mm(m, mm, (long)vma_pages(vma))) {
		vm_area_free(m, vma);
		return -ENOMEM;
	}
	vma_link(m, mm, vma);
	vm_stat_account(mm, vma->vm_flags, (long)vma_pages(vma));
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += vma_pages(vma);
	mm->start_stack = (top - l->arg_size) & ~15UL;
	mm->arg_start = mm->start_stack;
	mm->arg_end = mm->env_start = mm->start_stack + l->arg_size / 2;
	mm->env_end = top - sizeof(void *);
	expand = min(rlim_stack, stack_size + STACK_EXPAND);
	if (expand > stack_size)
		return expand_downwards(m, vma, top - expand);
	return 0;
}

/* One fixed private anonymous mapping of the image (cf. elf_map). */
static int map_segment(struct machine *m, struct mm_struct *mm, unsigned long start,
		       unsigned long size, unsigned long prot)
{
	unsigned long populate, addr;

	if (!size)
		return 0;
	addr = do_mmap(m, mm, NULL, start & PAGE_MASK, size + offset_in_page(start), prot,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, 0, 0, &populate);
	return IS_ERR_VALUE(addr) ? (int)addr : 0;
}

/* Build the image, heap and stack of mm (cf. load_elf_binary). */
static int exec_mmap_layout(struct machine *m, struct mm_struct *mm,
			    const struct mmkit_exec_layout *l)
{
	struct rlimit rlim_stack = { l->rlimit_stack, RLIM_INFINITY };
	unsigned long elf_bss, elf_brk;
	int err;

	arch_pick_mmap_layout(m, mm, &rlim_stack);
	err = setup_stack(m, mm, l);
	if (err)
		return err;
	mmap_write_lock(mm);
	err = map_segment(m, mm, l->text_start, l->text_size, PROT_READ | PROT_EXEC);
	if (!err)
		err = map_segment(m, mm, l->data_start, l->data_size, PROT_READ | PROT_WRITE);
	mmap_write_unlock(mm);
	if (err)
		return err;
	mm->start_code = l->text_start;
	mm->end_code = l->text_start + l->text_size;
	mm->start_data = l->data_start;
	mm->end_data = l->data_start + l->data_size;
	elf_bss = mm->end_data;
	elf_brk = elf_bss + l->bss_size;
	/* The bss past the data's last page is anonymous memory (set_brk). */
	if (PAGE_ALIGN(elf_brk) > PAGE_ALIGN(elf_bss)) {
		err = vm_brk_flags(m, mm, PAGE_ALIGN(elf_bss),
				   PAGE_ALIGN(elf_brk) - PAGE_ALIGN(elf_bss), 0);
		if (err)
			return err;
	}
	mm->start_brk = mm->brk = PAGE_ALIGN(elf_brk);
	return 0;
}

static struct task_struct *task_alloc(struct machine *m, const char *comm,
				      const struct mmkit_exec_layout *l)
{
	struct task_struct *tsk = kmem_cache_zalloc(m, m->vm.task_struct_cachep, GFP_KERNEL);

	if (!tsk)
		return NULL;
	tsk->pid = tsk->tgid = __atomic_add_fetch(&m->sched.last_pid, 1, __ATOMIC_RELAXED);
	set_task_comm(tsk, comm);
	tsk->state = TASK_RUNNING;
	tsk->exit_signal = SIGCHLD;
	INIT_LIST_HEAD(&tsk->children);
	INIT_LIST_HEAD(&tsk->sibling);
	INIT_LIST_HEAD(&tsk->tasks);
	tsk->uid = l->privileged ? 0 : 1000;
	tsk->cap_effective = l->privileged ? ~0ULL : 0;
	task_init_rlimits(m, tsk, l->rlimit_stack);
	return tsk;
}

/**
 * mmkit_spawn() - create a process with an exec-like layout
 * @m: a booted machine
 * @comm: its name (truncated to 15 characters)
 * @layout: the image's layout, or NULL for the defaults
 *
 * See <mmkit/sched.h>. The layout is built in the new task's context (its
 * rlimits and capabilities apply), as exec runs in the task it replaces.
 */
struct task_struct *mmkit_spawn(struct machine *m, const char *comm,
				const struct mmkit_exec_layout *layout)
{
	struct mmkit_exec_layout l = layout ? *layout : (struct mmkit_exec_layout){ 0 };
	unsigned int cpu = smp_processor_id(m);
	struct task_struct *tsk, *saved;
	int err;

	if (!m->booted || cpu >= NR_CPUS)
		return NULL;
	exec_layout_defaults(m, &l);
	tsk = task_alloc(m, comm, &l);
	if (!tsk)
		goto nomem;
	tsk->mm = tsk->active_mm = mm_alloc(m);
	if (!tsk->mm) {
		kmem_cache_free(m, m->vm.task_struct_cachep, tsk);
		goto nomem;
	}
	tsk->mm->owner = tsk;
	saved = cpu_curr(m, cpu);
	set_cpu_curr(m, cpu, tsk);	/* exec runs as the new task */
	err = exec_mmap_layout(m, tsk->mm, &l);
	set_cpu_curr(m, cpu, saved);
	if (err) {
		pr_err(m, "mmkit_spawn: %s: cannot build the address space: error %d\n",
		       tsk->comm, err);
		mmput(m, tsk->mm);
		kmem_cache_free(m, m->vm.task_struct_cachep, tsk);
		return NULL;
	}
	spin_lock(&m->sched.tasklist_lock);
	list_add_tail(&tsk->tasks, &m->sched.tasks);
	m->sched.nr_tasks++;
	spin_unlock(&m->sched.tasklist_lock);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return tsk;
nomem:
	pr_err(m, "mmkit_spawn: %s: out of memory\n", comm ? comm : "");
	return NULL;
}

/* exec by a thread that is not its group's leader takes the leader's place:
 * its pid, parent and children (cf. de_thread); the leader goes quietly. */
static void de_thread_take_leader(struct machine *m, struct task_struct *tsk)
{
	struct task_struct *leader = find_task_by_pid(m, tsk->tgid), *child, *next;

	if (!leader || leader == tsk)
		return;
	spin_lock(&m->sched.tasklist_lock);
	list_for_each_entry_safe(child, next, &leader->children, sibling) {
		list_move_tail(&child->sibling, &tsk->children);
		child->real_parent = tsk;
	}
	tsk->real_parent = leader->real_parent;
	if (!list_empty(&leader->sibling)) {
		list_add(&tsk->sibling, &leader->sibling);	/* its place in the parent's list */
		list_del_init(&leader->sibling);
	}
	tsk->exit_signal = leader->exit_signal;
	leader->exit_signal = -1;	/* nobody waits for the old leader */
	leader->real_parent = NULL;
	spin_unlock(&m->sched.tasklist_lock);
	do_exit(m, leader, SIGKILL);
	tsk->pid = tsk->tgid;
}

/* End the other threads of tsk's group (cf. de_thread, zap_other_threads). */
static void de_thread(struct machine *m, struct task_struct *tsk)
{
	struct task_struct *t;
	bool again = true;

	de_thread_take_leader(m, tsk);
	while (again) {
		again = false;
		list_for_each_entry(t, &m->sched.tasks, tasks)
			if (t != tsk && t->tgid == tsk->tgid) {
				do_exit(m, t, SIGKILL);
				again = true;
				break;
			}
	}
}

/* Swap the new mm in (cf. exec_mmap). */
static void exec_mmap(struct machine *m, struct task_struct *tsk, struct mm_struct *mm)
{
	struct mm_struct *old = tsk->mm;
	struct task_struct *t;

	tsk->mm = tsk->active_mm = mm;
	if (get_current(m) == tsk)
		switch_mm(m, old, mm);
	if (!old)
		return;
	if (old->owner == tsk) {	/* mm_update_next_owner */
		old->owner = NULL;
		list_for_each_entry(t, &m->sched.tasks, tasks)
			if (t->mm == old)
				old->owner = t;
	}
	mmput(m, old);
}

/**
 * mmkit_exec() - execve(2) for @tsk: a new address space, comm and image
 * @m: a booted machine
 * @tsk: a live task
 * @comm: the new name (NULL keeps it)
 * @layout: the new image's layout, or NULL for the defaults
 *
 * See <mmkit/sched.h>. Returns 0, -EINVAL (@tsk not alive, or the layout
 * does not fit) or -ENOMEM; on failure @tsk keeps its address space.
 */
int mmkit_exec(struct machine *m, struct task_struct *tsk, const char *comm,
	       const struct mmkit_exec_layout *layout)
{
	struct mmkit_exec_layout l = layout ? *layout : (struct mmkit_exec_layout){ 0 };
	unsigned int cpu = smp_processor_id(m);
	struct task_struct *saved;
	struct mm_struct *mm;
	int err;

	if (!m->booted || cpu >= NR_CPUS || !tsk || tsk->exit_state ||
	    tsk->state != TASK_RUNNING)
		return -EINVAL;
	if (!l.rlimit_stack)
		l.rlimit_stack = tsk->rlim[RLIMIT_STACK].rlim_cur;
	exec_layout_defaults(m, &l);
	mm = mm_alloc(m);
	if (!mm)
		return -ENOMEM;
	mm->owner = tsk;
	saved = cpu_curr(m, cpu);
	set_cpu_curr(m, cpu, tsk);	/* exec runs as the task */
	err = exec_mmap_layout(m, mm, &l);
	set_cpu_curr(m, cpu, saved);
	if (err) {
		mmput(m, mm);
		return err;
	}
	de_thread(m, tsk);
	err = unshare_files(m, tsk);
	if (err) {
		mmput(m, mm);
		return err;
	}
	exec_mmap(m, tsk, mm);
	do_close_on_exec(m, tsk->files);
	if (comm)
		set_task_comm(tsk, comm);
	for (int sig = 0; sig < MMKIT_NSIG; sig++)	/* flush_signal_handlers */
		tsk->sighand[sig] = (struct mmkit_sigaction){ NULL, NULL };
	if (m->debug_vm >= 2) {
		check_vmas(m);
		check_user_memory(m);
	}
	return 0;
}
