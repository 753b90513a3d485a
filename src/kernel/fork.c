/* Creating tasks and address spaces: fork and clone, and the mm_struct's
 * life (cf. kernel/fork.c mm_alloc, mmput, mmdrop, dup_mm, dup_mmap,
 * copy_process, kernel_clone, proc_caches_init; seed 002: "clone派生一个
 * 线程 ... 共享内存,即mm_struct结构,派生后系统会累加mm_struct中的引用计数").
 *
 * An mm has two counts: mm_users (tasks using it; threads share one) and
 * mm_count (references to the struct; all users together hold one). The
 * last mmput() tears the mappings down (exit_mmap); the last mmdrop()
 * frees the page global directory and the struct.
 *
 * fork copies the address space (dup_mm): a new mm with the parent's
 * layout, each VMA duplicated except VM_DONTCOPY ones (a VM_WIPEONFORK VMA
 * comes over empty), VM_LOCKED dropped in the child (locks are not
 * inherited), each VM_ACCOUNT VMA charged again to the commit limit, the
 * child's VMAs given their own anon_vma (anon_vma_fork), and the page
 * tables copied (copy_page_range: private writable pages write-protected in
 * both, shared copy-on-write). The parent's TLB is flushed once at the end.
 * clone(CLONE_VM) shares the mm instead (mm_users + 1).
 *
 * Invariants: every live mm is on m->vm.mm_list (mmlist_lock) exactly once;
 * a failed fork leaves the parent as it was (but for write-protected PTEs,
 * as in Linux) and nothing allocated behind. */
#include "arch/x86/mmu.h"
#include "mm/memory.h"

/**
 * proc_caches_init() - create the "mm_struct", "vm_area_struct" and
 *	"task_struct" slab caches (once)
 * @m: the machine; its slab allocator must be up
 */
void proc_caches_init(struct machine *m)
{
	const slab_flags_t flags = SLAB_HWCACHE_ALIGN | SLAB_PANIC | SLAB_ACCOUNT;

	if (!m->vm.mm_cachep)
		m->vm.mm_cachep = kmem_cache_create(m, "mm_struct", sizeof(struct mm_struct),
						    L1_CACHE_BYTES, flags, NULL);
	if (!m->vm.vm_area_cachep)
		m->vm.vm_area_cachep = kmem_cache_create(m, "vm_area_struct",
							 sizeof(struct vm_area_struct), 0, flags,
							 NULL);
	if (!m->vm.task_struct_cachep)
		m->vm.task_struct_cachep = kmem_cache_create(m, "task_struct",
							     sizeof(struct task_struct),
							     L1_CACHE_BYTES, flags, NULL);
}

/**
 * mm_alloc() - a new, empty address space (cf. mm_alloc, mm_init)
 * @m: the machine
 *
 * Its page global directory is allocated (pgd_alloc); the layout is the
 * caller's (exec). Returns NULL without memory.
 */
struct mm_struct *mm_alloc(struct machine *m)
{
	struct mm_struct *mm;

	if (!m->vm.mm_cachep)
		return NULL;
	mm = kmem_cache_zalloc(m, m->vm.mm_cachep, GFP_KERNEL);
	if (!mm)
		return NULL;
	mm->mm_users = 1;
	mm->mm_count = 1;
	init_rwsem(&mm->mmap_lock);
	spin_lock_init(&mm->page_table_lock);
	mm->task_size = arch_task_size(m);
	if (pgd_alloc_user(m, mm)) {
		kmem_cache_free(m, m->vm.mm_cachep, mm);
		return NULL;
	}
	spin_lock(&m->vm.mmlist_lock);
	list_add_tail(&mm->mm_list, &m->vm.mm_list);
	spin_unlock(&m->vm.mmlist_lock);
	return mm;
}

/**
 * mmdrop() - drop a reference to the struct; the last frees it
 * @m: the machine
 * @mm: the address space
 */
void mmdrop(struct machine *m, struct mm_struct *mm)
{
	VM_WARN_ON(m, mm->mm_count <= 0);
	if (__atomic_sub_fetch(&mm->mm_count, 1, __ATOMIC_ACQ_REL))	/* atomic_dec_and_test */
		return;
	VM_WARN_ON(m, mm->map_count || mm->mmap);
	destroy_context(m, mm);	/* no CPU keeps its pgd in CR3 */
	pgd_free_user(m, mm);
	spin_lock(&m->vm.mmlist_lock);
	list_del(&mm->mm_list);
	spin_unlock(&m->vm.mmlist_lock);
	kmem_cache_free(m, m->vm.mm_cachep, mm);
}

/**
 * mmput() - a task stops using @mm; the last user tears its mappings down
 * @m: the machine
 * @mm: the address space
 */
void mmput(struct machine *m, struct mm_struct *mm)
{
	VM_WARN_ON(m, mm->mm_users <= 0);
	if (__atomic_sub_fetch(&mm->mm_users, 1, __ATOMIC_ACQ_REL))	/* atomic_dec_and_test */
		return;
	exit_mmap(m, mm);
	mmdrop(m, mm);
}

/* ---- fork: copying an address space ---- */

/* Duplicate one VMA of oldmm into mm (the loop body of dup_mmap). */
static int dup_one_vma(struct machine *m, struct mm_struct *mm, struct mm_struct *oldmm,
		       struct vm_area_struct *mpnt)
{
	long charge = 0;
	struct vm_area_struct *tmp;
	int err;

	if (mpnt->vm_flags & VM_ACCOUNT) {
		charge = (long)vma_pages(mpnt);
		if (security_vm_enough_memory_mm(m, oldmm, charge))
			return -ENOMEM;
	}
	tmp = vm_area_dup(m, mpnt);
	if (!tmp)
		goto fail_nomem;
	tmp->vm_mm = mm;
	if (tmp->vm_flags & VM_WIPEONFORK)
		unlink_anon_vmas(m, tmp);	/* the child starts with no anon memory here */
	else if (anon_vma_fork(m, tmp, mpnt))
		goto fail_free;
	tmp->vm_flags &= ~VM_LOCKED_MASK;
	if (tmp->vm_file)
		get_file(tmp->vm_file);
	if (tmp->vm_ops && tmp->vm_ops->open)
		tmp->vm_ops->open(m, tmp);
	err = vma_link(m, mm, tmp);
	if (err) {
		remove_vma(m, tmp);
		goto fail_uncharge;
	}
	if (!(tmp->vm_flags & VM_WIPEONFORK))
		return copy_page_range(m, tmp, mpnt);
	return 0;
fail_free:
	vm_area_free(m, tmp);
fail_nomem:
	err = -ENOMEM;
fail_uncharge:
	vm_unacct_memory(m, charge);
	return err;
}

/* Copy oldmm's VMAs and page tables into the new mm (cf. dup_mmap). */
static int dup_mmap(struct machine *m, struct mm_struct *mm, struct mm_struct *oldmm)
{
	struct vm_area_struct *mpnt;
	int err = 0;

	mmap_write_lock(oldmm);
	mmap_write_lock(mm);
	mm->total_vm = oldmm->total_vm;
	mm->data_vm = oldmm->data_vm;
	mm->exec_vm = oldmm->exec_vm;
	mm->stack_vm = oldmm->stack_vm;
	for_each_vma(oldmm, mpnt) {
		if (mpnt->vm_flags & VM_DONTCOPY) {
			vm_stat_account(mm, mpnt->vm_flags, -(long)vma_pages(mpnt));
			continue;
		}
		err = dup_one_vma(m, mm, oldmm, mpnt);
		if (err)
			break;
	}
	if (err) {
		/* exit_mmap tears down what was copied; the counters of the
		 * VMAs not copied go with it */
		mm->total_vm = mm->data_vm = mm->exec_vm = mm->stack_vm = 0;
		for_each_vma(mm, mpnt)
			vm_stat_account(mm, mpnt->vm_flags, (long)vma_pages(mpnt));
	}
	mmap_write_unlock(mm);
	flush_tlb_mm(m, oldmm);	/* the parent's PTEs were write-protected */
	mmap_write_unlock(oldmm);
	return err;
}

/**
 * dup_mm() - a copy of @oldmm for a child at fork (cf. dup_mm, mm_init)
 * @m: the machine
 * @tsk: the child, the new mm's owner
 * @oldmm: the parent's address space
 *
 * The layout (code, data, brk, stack, arguments, mmap base, flags) is the
 * parent's; locked_vm, pinned_vm, the rss counters and page tables start
 * empty and are rebuilt by the copy; mlockall(MCL_FUTURE) is not inherited
 * (def_flags keeps only VM_NOHUGEPAGE, VM_INIT_DEF_MASK). Returns the mm,
 * or NULL without memory (nothing is left allocated).
 */
static struct mm_struct *dup_mm(struct machine *m, struct task_struct *tsk,
				 struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc(m);

	if (!mm)
		return NULL;
	mm->owner = tsk;
	mm->mmap_base = oldmm->mmap_base;
	mm->mmap_legacy_base = oldmm->mmap_legacy_base;
	mm->task_size = oldmm->task_size;
	mm->flags = oldmm->flags;	/* MMF_INIT_MASK: MMF_TOPDOWN */
	mm->def_flags = oldmm->def_flags & VM_NOHUGEPAGE;
	mm->start_code = oldmm->start_code;
	mm->end_code = oldmm->end_code;
	mm->start_data = oldmm->start_data;
	mm->end_data = oldmm->end_data;
	mm->start_brk = oldmm->start_brk;
	mm->brk = oldmm->brk;
	mm->start_stack = oldmm->start_stack;
	mm->arg_start = oldmm->arg_start;
	mm->arg_end = oldmm->arg_end;
	mm->env_start = oldmm->env_start;
	mm->env_end = oldmm->env_end;
	if (dup_mmap(m, mm, oldmm)) {
		mmput(m, mm);
		return NULL;
	}
	mm->hiwater_rss = get_mm_rss(mm);
	mm->hiwater_vm = mm->total_vm;
	return mm;
}

/* ---- fork and clone: copying a task ---- */

/* A copy of parent with a fresh identity (cf. dup_task_struct and the
 * resets of copy_process); not yet on any list. */
static struct task_struct *dup_task_struct(struct machine *m, struct task_struct *parent,
					   unsigned long clone_flags)
{
	struct task_struct *p = kmem_cache_alloc(m, m->vm.task_struct_cachep, GFP_KERNEL);

	if (!p)
		return NULL;
	spin_lock(&m->sched.tasklist_lock);	/* parent's list links change under it */
	*p = *parent;
	spin_unlock(&m->sched.tasklist_lock);
	p->pid = __atomic_add_fetch(&m->sched.last_pid, 1, __ATOMIC_RELAXED);
	p->tgid = (clone_flags & CLONE_THREAD) ? parent->tgid : p->pid;
	p->state = TASK_RUNNING;
	p->exit_state = 0;
	p->exit_code = 0;
	p->exit_signal = (clone_flags & CLONE_THREAD) ? -1 : (int)(clone_flags & 0xff);
	p->min_flt = p->maj_flt = 0;
	p->dead_min_flt = p->dead_maj_flt = p->cmin_flt = p->cmaj_flt = 0;
	p->mm = p->active_mm = NULL;
	p->last_siginfo = (struct mmkit_siginfo){ 0 };
	INIT_LIST_HEAD(&p->children);
	INIT_LIST_HEAD(&p->sibling);
	INIT_LIST_HEAD(&p->tasks);
	p->real_parent = (clone_flags & (CLONE_PARENT | CLONE_THREAD)) ? parent->real_parent
								      : parent;
	return p;
}

/* Give p its address space: parent's shared, or a copy (cf. copy_mm). */
static int copy_mm(struct machine *m, struct task_struct *p, struct task_struct *parent,
		   unsigned long clone_flags)
{
	struct mm_struct *oldmm = parent->mm;

	if (!oldmm)
		return 0;	/* a kernel thread */
	if (clone_flags & CLONE_VM) {
		__atomic_fetch_add(&oldmm->mm_users, 1, __ATOMIC_RELAXED);	/* mmget */
		p->mm = p->active_mm = oldmm;
		return 0;
	}
	p->mm = p->active_mm = dup_mm(m, p, oldmm);
	return p->mm ? 0 : -ENOMEM;
}

/**
 * kernel_clone() - create a child of @parent (cf. kernel_clone, copy_process)
 * @m: the machine
 * @parent: a live task
 * @clone_flags: CLONE_* | the exit signal in the low byte (SIGCHLD for fork)
 *
 * See <mmkit/sched.h>. The copy runs in @parent's context (its rlimits and
 * capabilities apply to the commit charge), as fork runs in the caller.
 * Returns the child's pid or -errno.
 */
long kernel_clone(struct machine *m, struct task_struct *parent, unsigned long clone_flags)
{
	unsigned int cpu = smp_processor_id(m);
	struct task_struct *p, *saved;
	int err;

	if (!m->booted || !m->vm.ready || cpu >= NR_CPUS)
		return -EINVAL;
	if ((clone_flags & CLONE_THREAD) && !(clone_flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((clone_flags & CLONE_SIGHAND) && !(clone_flags & CLONE_VM))
		return -EINVAL;
	if (!parent || parent->exit_state || parent->state != TASK_RUNNING)
		return -ESRCH;
	p = dup_task_struct(m, parent, clone_flags);
	if (!p)
		return -ENOMEM;
	saved = cpu_curr(m, cpu);
	set_cpu_curr(m, cpu, parent);	/* fork runs as the parent */
	err = copy_files(m, clone_flags, parent, p);	/* the fd table (src/mm/fs.c) */
	if (!err) {
		err = copy_mm(m, p, parent, clone_flags);
		if (err)
			exit_files(m, p);
	}
	set_cpu_curr(m, cpu, saved);
	if (err) {
		kmem_cache_free(m, m->vm.task_struct_cachep, p);
		return err;
	}
	spin_lock(&m->sched.tasklist_lock);
	if (!(clone_flags & CLONE_THREAD) && p->real_parent)
		list_add_tail(&p->sibling, &p->real_parent->children);
	list_add_tail(&p->tasks, &m->sched.tasks);
	m->sched.nr_tasks++;
	spin_unlock(&m->sched.tasklist_lock);
	if (m->debug_vm >= 2) {
		check_vmas(m);
		check_user_memory(m);
	}
	return p->pid;
}

/**
 * mmkit_clone() - clone(2) for @parent, returning the child
 * @m: the machine
 * @parent: a live task
 * @clone_flags: CLONE_* (and the exit signal in the low byte)
 *
 * Returns the child, or NULL for any error kernel_clone() reports.
 */
struct task_struct *mmkit_clone(struct machine *m, struct task_struct *parent,
				unsigned long clone_flags)
{
	long pid = kernel_clone(m, parent, clone_flags);

	return pid > 0 ? find_task_by_pid(m, (pid_t)pid) : NULL;
}

/**
 * mmkit_fork() - fork(2) for @parent
 * @m: the machine
 * @parent: a live task with an address space
 *
 * Returns the child (not current anywhere), or NULL without memory.
 */
struct task_struct *mmkit_fork(struct machine *m, struct task_struct *parent)
{
	return mmkit_clone(m, parent, SIGCHLD);
}
