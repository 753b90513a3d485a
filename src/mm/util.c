/* Address-space accounting: the per-mm page counters, the rlimits that
 * bound them, and the machine-wide commit charge with its overcommit
 * policy (cf. mm/util.c __vm_enough_memory, mm/mmap.c may_expand_vm and
 * vm_stat_account, mm/mlock.c can_do_mlock).
 *
 * Invariants: m->vm.vm_committed_as is the page sum of every VM_ACCOUNT
 * VMA of every live mm (plus charges of operations in flight); each mm's
 * total_vm/exec_vm/stack_vm/data_vm follow vm_stat_account()'s classes. */
#include "mm/vma.h"

/**
 * vm_stat_account() - add @npages (may be negative) of a mapping with
 *	@flags to @mm's counters
 * @mm: the address space
 * @flags: the mapping's vm_flags
 * @npages: pages added (< 0: removed)
 *
 * A page counts in total_vm and in at most one of exec_vm (executable,
 * not writable), stack_vm (VM_STACK) and data_vm (private writable).
 */
void vm_stat_account(struct mm_struct *mm, vm_flags_t flags, long npages)
{
	mm->total_vm += npages;
	if (is_exec_mapping(flags))
		mm->exec_vm += npages;
	else if (is_stack_mapping(flags))
		mm->stack_vm += npages;
	else if (is_data_mapping(flags))
		mm->data_vm += npages;
}

/**
 * update_hiwater_vm() - remember total_vm's peak (VmPeak)
 * @mm: the address space
 */
void update_hiwater_vm(struct mm_struct *mm)
{
	if (mm->hiwater_vm < mm->total_vm)
		mm->hiwater_vm = mm->total_vm;
}

/**
 * may_expand_vm() - may @mm map @npages more pages with @flags?
 * @m: the machine
 * @mm: the address space (of the current task: its rlimits apply)
 * @flags: the new pages' vm_flags
 * @npages: how many
 *
 * RLIMIT_AS bounds total_vm; RLIMIT_DATA bounds data_vm, except when it is
 * 0 and the hard limit allows (the Valgrind workaround), or with the
 * ignore_rlimit_data boot option (which still warns once).
 */
bool may_expand_vm(struct machine *m, struct mm_struct *mm, vm_flags_t flags,
		   unsigned long npages)
{
	unsigned long data_lim;

	if (mm->total_vm + npages > rlimit(m, RLIMIT_AS) >> PAGE_SHIFT)
		return false;
	data_lim = rlimit(m, RLIMIT_DATA);
	if (is_data_mapping(flags) && mm->data_vm + npages > data_lim >> PAGE_SHIFT) {
		struct task_struct *tsk = get_current(m);

		if (data_lim == 0 && mm->data_vm + npages <= rlimit_max(m, RLIMIT_DATA) >> PAGE_SHIFT)
			return true;
		if (!m->vm.warned_data_rlimit) {
			m->vm.warned_data_rlimit = true;
			pr_warn(m, "%s (%d): VmData %lu exceed data ulimit %lu. Update limits%s.\n",
				tsk ? tsk->comm : "", tsk ? tsk->pid : 0,
				(mm->data_vm + npages) << PAGE_SHIFT, data_lim,
				m->vm.ignore_rlimit_data ? "" : " or use boot option ignore_rlimit_data");
		}
		if (!m->vm.ignore_rlimit_data)
			return false;
	}
	return true;
}

/**
 * mlock_future_ok() - may @mm lock @bytes more (when @flags has VM_LOCKED)?
 * @m: the machine
 * @mm: the address space
 * @flags: the mapping's vm_flags
 * @bytes: bytes to be locked
 *
 * RLIMIT_MEMLOCK bounds locked_vm unless the task has CAP_IPC_LOCK.
 */
bool mlock_future_ok(struct machine *m, struct mm_struct *mm, vm_flags_t flags,
		     unsigned long bytes)
{
	unsigned long locked_pages;

	if (!(flags & VM_LOCKED) || capable(m, CAP_IPC_LOCK))
		return true;
	locked_pages = (bytes >> PAGE_SHIFT) + mm->locked_vm;
	return locked_pages <= rlimit(m, RLIMIT_MEMLOCK) >> PAGE_SHIFT;
}

/**
 * can_do_mlock() - may the current task lock memory at all?
 * @m: the machine
 *
 * Yes with a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK.
 */
bool can_do_mlock(struct machine *m)
{
	return rlimit(m, RLIMIT_MEMLOCK) != 0 || capable(m, CAP_IPC_LOCK);
}

/**
 * vm_acct_memory() - add @pages to the commit charge (Committed_AS)
 * @m: the machine
 * @pages: pages
 */
void vm_acct_memory(struct machine *m, long pages)
{
	__atomic_fetch_add(&m->vm.vm_committed_as, pages, __ATOMIC_RELAXED);
}

/**
 * vm_unacct_memory() - take @pages off the commit charge
 * @m: the machine
 * @pages: pages
 */
void vm_unacct_memory(struct machine *m, long pages)
{
	long left = __atomic_sub_fetch(&m->vm.vm_committed_as, pages, __ATOMIC_RELAXED);

	VM_WARN_ON(m, left < 0);
}

/**
 * vm_commit_limit() - CommitLimit, in pages
 * @m: the machine
 *
 * overcommit_kbytes if set, else overcommit_ratio percent of RAM; plus swap.
 */
unsigned long vm_commit_limit(struct machine *m)
{
	unsigned long allowed;

	if (m->vm.sysctl_overcommit_kbytes)
		allowed = m->vm.sysctl_overcommit_kbytes >> (PAGE_SHIFT - 10);
	else
		allowed = m->totalram_pages * (unsigned long)m->vm.sysctl_overcommit_ratio / 100;
	return allowed + m->vm.total_swap_pages;
}

/* Charge pages, or refuse with -ENOMEM per vm.overcommit_memory (cf.
 * __vm_enough_memory): ALWAYS never refuses; GUESS refuses only a single
 * request larger than RAM + swap; NEVER keeps the total under
 * CommitLimit, less the admin reserve for non-root and a user reserve. */
static int __vm_enough_memory(struct machine *m, struct mm_struct *mm, long pages,
			      bool cap_sys_admin)
{
	long allowed;

	vm_acct_memory(m, pages);
	if (m->vm.sysctl_overcommit_memory == OVERCOMMIT_ALWAYS)
		return 0;
	if (m->vm.sysctl_overcommit_memory == OVERCOMMIT_GUESS) {
		if ((unsigned long)pages <= m->totalram_pages + m->vm.total_swap_pages)
			return 0;
		goto error;
	}
	allowed = (long)vm_commit_limit(m);
	if (!cap_sys_admin)
		allowed -= (long)(m->vm.sysctl_admin_reserve_kbytes >> (PAGE_SHIFT - 10));
	if (mm) {
		long reserve = (long)(m->vm.sysctl_user_reserve_kbytes >> (PAGE_SHIFT - 10));

		allowed -= min((long)(mm->total_vm / 32), reserve);
	}
	if (__atomic_load_n(&m->vm.vm_committed_as, __ATOMIC_RELAXED) < allowed)
		return 0;
error:
	{
		struct task_struct *tsk = get_current(m);

		pr_warn(m, "__vm_enough_memory: pid: %d, comm: %s, bytes: %lu not enough memory for the allocation\n",
			tsk ? tsk->pid : 0, tsk ? tsk->comm : "",
			(unsigned long)pages << PAGE_SHIFT);
	}
	vm_unacct_memory(m, pages);
	return -ENOMEM;
}

/**
 * security_vm_enough_memory_mm() - charge @pages for @mm, or -ENOMEM
 * @m: the machine
 * @mm: the address space
 * @pages: pages to charge
 *
 * Root (CAP_SYS_ADMIN) may dip into the admin reserve.
 */
int security_vm_enough_memory_mm(struct machine *m, struct mm_struct *mm, long pages)
{
	return __vm_enough_memory(m, mm, pages, capable(m, CAP_SYS_ADMIN));
}
