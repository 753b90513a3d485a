/* The VMA layer's invariant checker (CONFIG_DEBUG_VM; run by mmkit_check()
 * and, at debug_vm >= 2, after every memory syscall): it walks every live
 * address space and every task (cf. validate_mm, mm/debug.c).
 *
 * Checked: the tree and list (vma_tree_validate: order, no overlap, the
 * maple tree's nodes -- fill, pivots, gaps, parent links, leaves == list --
 * and map_count); total_vm, locked_vm, data_vm, exec_vm,
 * stack_vm equal the page sums over the VMAs of each class; vm_page_prot
 * matches vm_flags; VM_LOCKED never on VM_SPECIAL; each file's f_count is
 * the number of VMAs mapping it; Committed_AS equals the VM_ACCOUNT pages
 * plus what shmem objects charged; every allocated VMA is linked into a live
 * address space (none leaked); the process table is consistent. */
#include "mm/shmem_fs.h"

struct vma_sums {
	unsigned long total, locked, data, exec, stack, accounted;
};

static void vma_sums_add(struct vma_sums *s, const struct vm_area_struct *vma)
{
	unsigned long n = vma_pages(vma);

	s->total += n;
	if (vma->vm_flags & VM_LOCKED)
		s->locked += n;
	if (vma->vm_flags & VM_ACCOUNT)
		s->accounted += n;
	if (is_exec_mapping(vma->vm_flags))
		s->exec += n;
	else if (is_stack_mapping(vma->vm_flags))
		s->stack += n;
	else if (is_data_mapping(vma->vm_flags))
		s->data += n;
}

static int check_counter(struct machine *m, struct mm_struct *mm, const char *name,
			 unsigned long have, unsigned long want)
{
	if (have == want)
		return 0;
	pr_err(m, "BUG: mm %p: %s is %lu, the VMAs hold %lu pages\n", (void *)mm, name, have,
	       want);
	return 1;
}

/* Per-VMA checks; adds each shmem file's charge once (at its first VMA). */
static int check_one_vma(struct machine *m, struct mm_struct *mm, struct vm_area_struct *vma,
			 unsigned long *file_charge)
{
	int bad = 0;

	if (pgprot_val(vma->vm_page_prot) != pgprot_val(vm_get_page_prot(m, vma->vm_flags)) &&
	    !((vma->vm_flags & VM_SHARED) && vma->vm_ops && vma->vm_ops->page_mkwrite)) {
		pr_err(m, "BUG: mm %p: VMA %lx-%lx: vm_page_prot %llx does not match vm_flags %lx\n",
		       (void *)mm, vma->vm_start, vma->vm_end,
		       (unsigned long long)pgprot_val(vma->vm_page_prot), vma->vm_flags);
		bad++;
	}
	if ((vma->vm_flags & VM_LOCKED) && (vma->vm_flags & VM_SPECIAL)) {
		pr_err(m, "BUG: mm %p: VMA %lx-%lx: VM_LOCKED on a VM_SPECIAL mapping\n",
		       (void *)mm, vma->vm_start, vma->vm_end);
		bad++;
	}
	if (vma->vm_file) {
		struct vm_area_struct *v;
		struct mm_struct *o;
		int refs = 0;
		bool first = true;

		list_for_each_entry(o, &m->vm.mm_list, mm_list)
			for_each_vma(o, v)
				if (v->vm_file == vma->vm_file) {
					if (refs++ == 0 && v != vma)
						first = false;
				}
		/* f_count: the VMAs plus fd-table slots and transient users */
		if (refs + vma->vm_file->f_nr_fds != vma->vm_file->f_count) {
			pr_err(m, "BUG: file %s ino %lu: f_count %d, mapped by %d VMAs, %d fds\n",
			       vma->vm_file->f_path, vma->vm_file->f_ino, vma->vm_file->f_count, refs,
			       vma->vm_file->f_nr_fds);
			bad++;
		}
		if (first)
			*file_charge += vma->vm_file->f_acct_pages;
	}
	return bad;
}

static int check_mm(struct machine *m, struct mm_struct *mm, unsigned long *accounted)
{
	struct vma_sums s = { 0 };
	struct vm_area_struct *vma;
	int bad = vma_tree_validate(m, mm);

	if (bad)
		return bad;	/* the list may be unsafe to walk further */
	if (mm->mm_users < 0 || mm->mm_count <= 0) {
		pr_err(m, "BUG: mm %p: mm_users %d, mm_count %d\n", (void *)mm, mm->mm_users,
		       mm->mm_count);
		bad++;
	}
	for_each_vma(mm, vma) {
		vma_sums_add(&s, vma);
		bad += check_one_vma(m, mm, vma, accounted);
	}
	*accounted += s.accounted;
	bad += check_counter(m, mm, "total_vm", mm->total_vm, s.total);
	bad += check_counter(m, mm, "locked_vm", mm->locked_vm, s.locked);
	bad += check_counter(m, mm, "data_vm", mm->data_vm, s.data);
	bad += check_counter(m, mm, "exec_vm", mm->exec_vm, s.exec);
	bad += check_counter(m, mm, "stack_vm", mm->stack_vm, s.stack);
	return bad;
}

static int check_tasks(struct machine *m)
{
	struct task_struct *tsk;
	int n = 0, bad = 0;

	list_for_each_entry(tsk, &m->sched.tasks, tasks) {
		struct mm_struct *mm;
		bool found = !tsk->mm;

		n++;
		list_for_each_entry(mm, &m->vm.mm_list, mm_list)
			if (mm == tsk->mm)
				found = true;
		if (!found) {
			pr_err(m, "BUG: task %d (%s): mm %p is not a live mm\n", tsk->pid, tsk->comm,
			       (void *)tsk->mm);
			bad++;
		}
	}
	if (n != m->sched.nr_tasks) {
		pr_err(m, "BUG: %d tasks on the list, nr_tasks %d\n", n, m->sched.nr_tasks);
		bad++;
	}
	return bad;
}

/**
 * check_vmas() - check every address space and the process table
 * @m: the machine
 *
 * Returns the number of violations, each reported in the kernel log.
 */
int check_vmas(struct machine *m)
{
	unsigned long accounted = 0;
	struct mm_struct *mm;
	int bad = 0;

	if (!m->vm.ready)
		return 0;
	long nr_vmas = 0;

	list_for_each_entry(mm, &m->vm.mm_list, mm_list) {
		bad += check_mm(m, mm, &accounted);
		nr_vmas += mm->map_count;
	}
	if (nr_vmas != m->vm.nr_vmas) {
		pr_err(m, "BUG: %ld VMAs allocated, %ld linked into address spaces\n",
		       m->vm.nr_vmas, nr_vmas);
		bad++;
	}
	accounted += shm_committed_pages(m);	/* SysV segments, attached or not */
	if (!bad && (long)accounted + m->vm.vm_committed_leaked != m->vm.vm_committed_as) {
		pr_err(m, "BUG: Committed_AS is %ld pages, mappings charge %lu (+%ld leaked by mremap)\n",
		       m->vm.vm_committed_as, accounted, m->vm.vm_committed_leaked);
		bad++;
	}
	return bad + check_tasks(m);
}
