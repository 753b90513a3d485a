/* The x86 page-fault entry (cf. arch/x86/mm/fault.c exc_page_fault,
 * do_user_addr_fault, do_kern_addr_fault, access_error, bad_area*,
 * show_signal_msg, do_sigbus; mm/memory.c lock_mm_and_find_vma; seed 000:
 * "如果不存在则触发缺页异常然后进入到内核态,接着会在mm_strcut里面的
 * vm_area_struct的AVL树里面查找是否存在并验证权限是否正确 ... 当然,进程栈的
 * 扩张是这个流程的意外情况").
 *
 * The software MMU calls do_page_fault() with the faulting address and the
 * hardware error code (X86_PF_*) when a walk fails; copy_from_user and
 * copy_to_user call it for kernel-mode accesses to user memory.
 *
 *   kernel address      user mode: SIGSEGV SEGV_MAPERR (error code gets
 *                       X86_PF_PROT, as sanitize_error_code does); kernel
 *                       mode: the oops report, -EFAULT
 *   user address        mmap lock (read) -> find_vma -> below a
 *                       VM_GROWSDOWN VMA: expand the stack (write lock,
 *                       then downgraded) -> access_error -> handle_mm_fault
 *   failure             user mode: SIGSEGV (MAPERR: no VMA / stack could
 *                       not grow; ACCERR: the VMA forbids the access),
 *                       SIGBUS BUS_ADRERR, or the OOM kill; kernel mode
 *                       (no X86_PF_USER): -EFAULT, the exception fixup
 *                       that makes copy_*_user return the bytes not copied
 * The mmap lock is always released before a signal is delivered: the
 * default action tears the address space down.
 *
 * Simulated programs have no registers, so the "segfault at" line shows
 * ip = the faulting address for an instruction fetch (that is where the
 * CPU was) and 0 otherwise, and sp = 0; there are no code bytes to dump,
 * so show_opcodes' "Code:" line is left out.
 *
 * Invariant: do_page_fault returns with no mmap lock held. */
#include <mmkit/signal.h>

#include "mm/internal_vmscan.h"
#include "mm/memory.h"

/* Is @address in the kernel's part of the address space? (cf.
 * fault_in_kernel_space: address >= TASK_SIZE_MAX) */
static bool fault_in_kernel_space(struct machine *m, unsigned long address)
{
	return address >= arch_task_size(m);
}

/* Turn our write lock into a read lock without letting a writer in
 * between (cf. mmap_write_downgrade/downgrade_write). */
static void mmap_write_downgrade(struct mm_struct *mm)
{
	__atomic_store_n(&mm->mmap_lock.count, 1, __ATOMIC_RELEASE);
}

/* Take the mmap lock for reading and find the VMA for @address, growing a
 * stack down to it when it lies below one (cf. lock_mm_and_find_vma).
 * Returns the VMA with the lock held for reading, or NULL with the lock
 * released. */
static struct vm_area_struct *lock_mm_and_find_vma(struct machine *m, struct mm_struct *mm,
						   unsigned long address)
{
	struct vm_area_struct *vma;

	mmap_read_lock(mm);
	vma = find_vma(m, mm, address);
	if (likely(vma && vma->vm_start <= address))
		return vma;
	if (!vma || !(vma->vm_flags & VM_GROWSDOWN)) {
		mmap_read_unlock(mm);
		return NULL;
	}
	/* Growing the stack changes the VMA: that needs the lock for writing
	 * (Linux has no upgrade either: drop and retake, then look again). */
	mmap_read_unlock(mm);
	if (m->test_hook)
		m->test_hook(m, MMKIT_HOOK_STACK_UNLOCKED, m->test_hook_arg);
	mmap_write_lock(mm);
	vma = find_vma(m, mm, address);
	if (!vma)
		goto fail;
	if (m->test_hook)
		m->test_hook(m, MMKIT_HOOK_STACK_LOCKED, m->test_hook_arg);
	if (vma->vm_start > address &&
	    (!(vma->vm_flags & VM_GROWSDOWN) || expand_downwards(m, vma, address)))
		goto fail;
	mmap_write_downgrade(mm);
	return vma;
fail:
	mmap_write_unlock(mm);
	return NULL;
}

/* Does the VMA forbid this access? (cf. access_error) Instruction fetches
 * are not checked here, as on x86: a page of a readable non-exec VMA gets
 * an NX pte, and the fetch then faults again as a protection fault. */
static bool access_error(unsigned int error_code, const struct vm_area_struct *vma)
{
	if (error_code & X86_PF_WRITE)
		return !(vma->vm_flags & VM_WRITE);	/* write, present and not present */
	if (error_code & X86_PF_PROT)
		return true;				/* read, present */
	return !vma_is_accessible(vma);			/* read, not present */
}

/* "error 6" etc.: what user space is told (cf. sanitize_error_code). */
static unsigned long sanitize_error_code(struct machine *m, unsigned long address,
					 unsigned int error_code)
{
	if (fault_in_kernel_space(m, address))
		error_code |= X86_PF_PROT;	/* kernel addresses are always protection faults */
	return error_code;
}

/* " in file[start+size]" when ip lies in a file mapping (cf. print_vma_addr). */
static void print_vma_addr(struct machine *m, struct mm_struct *mm, unsigned long ip)
{
	struct vm_area_struct *vma;
	const char *name;

	if (!mm || !down_read_trylock(&mm->mmap_lock))
		return;
	vma = find_vma(m, mm, ip);
	if (vma && vma->vm_start <= ip && vma->vm_file) {
		name = vma->vm_file->f_path;
		for (const char *p = name; *p; p++)
			if (*p == '/')
				name = p + 1;	/* kbasename */
		printk(m, KERN_CONT " in %s[%lx+%lx]", name, vma->vm_start,
		       vma->vm_end - vma->vm_start);
	}
	mmap_read_unlock(mm);
}

/* The kernel's line for an unhandled SIGSEGV (cf. show_signal_msg). */
static void show_signal_msg(struct machine *m, struct task_struct *tsk, unsigned long error_code,
			    unsigned long address)
{
	int width = arch_is_64bit(m) ? 16 : 8;	/* %px: a whole pointer */
	unsigned long ip = (error_code & X86_PF_INSTR) ? address : 0, sp = 0;
	unsigned int cpu = smp_processor_id(m);

	if (!unhandled_signal(tsk, SIGSEGV) || !printk_ratelimit(m, "show_signal_msg"))
		return;
	printk(m, "%s%s[%d]: segfault at %lx ip %0*lx sp %0*lx error %lx",
	       tsk->pid > 1 ? KERN_INFO : KERN_EMERG, tsk->comm, tsk->pid, address, width, ip,
	       width, sp, error_code);
	print_vma_addr(m, tsk->mm, ip);
	printk(m, KERN_CONT " likely on CPU %u (core %u, socket 0)\n", cpu, cpu);
}

/* The oops report of a kernel-mode fault nothing can fix (cf.
 * show_fault_oops). mmkit does not halt: the access fails with -EFAULT. */
static int page_fault_oops(struct machine *m, unsigned long address, unsigned int error_code)
{
	int width = arch_is_64bit(m) ? 16 : 8;

	if (address < PAGE_SIZE)
		printk(m, KERN_ALERT "BUG: kernel NULL pointer dereference, address: %0*lx\n",
		       width, address);
	else
		printk(m, KERN_ALERT "BUG: unable to handle page fault for address: %0*lx\n",
		       width, address);
	printk(m, KERN_ALERT "#PF: %s %s in %s mode\n",
	       (error_code & X86_PF_USER) ? "user" : "supervisor",
	       (error_code & X86_PF_INSTR) ? "instruction fetch" :
	       (error_code & X86_PF_WRITE) ? "write access" : "read access",
	       (error_code & X86_PF_USER) ? "user" : "kernel");
	printk(m, KERN_ALERT "#PF: error_code(0x%04x) - %s\n", error_code,
	       !(error_code & X86_PF_PROT) ? "not-present page" :
	       (error_code & X86_PF_RSVD) ? "reserved bit violation" : "permissions violation");
	return -EFAULT;
}

/* A bad access with no mmap lock held (cf. __bad_area_nosemaphore). */
static int bad_area_nosemaphore(struct machine *m, unsigned int error_code,
				unsigned long address, int si_code)
{
	struct task_struct *tsk = get_current(m);
	unsigned long ec;

	if (!(error_code & X86_PF_USER) || !tsk)
		return -EFAULT;		/* kernelmode_fixup_or_oops: the fixup */
	ec = sanitize_error_code(m, address, error_code);
	show_signal_msg(m, tsk, ec, address);
	force_sig_fault(m, SIGSEGV, si_code, address);
	return -EFAULT;
}

/* Out of memory in a user fault (cf. pagefault_out_of_memory, as Linux
 * had it before 5.16: the OOM killer with no gfp context). No lock is held
 * here, so the victim (chosen now, or left pending by the allocation
 * that failed) dies at once and its memory is freed. Returns true when
 * the current task survived: the access is retried. */
static bool pagefault_out_of_memory(struct machine *m)
{
	struct task_struct *tsk = get_current(m);
	struct oom_control oc = { .gfp_mask = 0, .order = 0, .kill_now = true };

	unsigned long kills = m->reclaim.nr_oom_kills;
	bool pending = m->reclaim.oom_victim_pid != 0;

	if (!tsk || !tsk->mm)
		return false;
	out_of_memory(m, &oc);
	if (get_current(m) != tsk)
		return false;	/* the current task was the victim */
	return pending || m->reclaim.nr_oom_kills != kills;
}

/* handle_mm_fault failed (cf. mm_fault_error). No lock held. */
static int mm_fault_error(struct machine *m, unsigned int error_code, unsigned long address,
			  vm_fault_t fault)
{
	if (!(error_code & X86_PF_USER))
		return -EFAULT;		/* kernelmode_fixup_or_oops */
	if (fault & VM_FAULT_OOM)
		return pagefault_out_of_memory(m) ? 0 : -EFAULT;
	else if (fault & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON))
		force_sig_fault(m, SIGBUS, BUS_ADRERR, address);	/* do_sigbus */
	else
		return bad_area_nosemaphore(m, error_code, address, SEGV_MAPERR);
	return -EFAULT;
}

/* A fault on a kernel address (cf. do_kern_addr_fault). */
static int do_kern_addr_fault(struct machine *m, unsigned int error_code, unsigned long address)
{
	if (error_code & X86_PF_USER)
		return bad_area_nosemaphore(m, error_code, address, SEGV_MAPERR);
	return page_fault_oops(m, address, error_code);
}

/* A fault on a user address (cf. do_user_addr_fault). */
static int do_user_addr_fault(struct machine *m, unsigned int error_code, unsigned long address)
{
	struct task_struct *tsk = get_current(m);
	struct mm_struct *mm = tsk ? tsk->mm : NULL;
	unsigned int flags = FAULT_FLAG_ALLOW_RETRY | FAULT_FLAG_KILLABLE;
	struct vm_area_struct *vma;
	vm_fault_t fault;

	if (!mm)	/* a kernel thread touching user memory */
		return bad_area_nosemaphore(m, error_code, address, SEGV_MAPERR);
	if (error_code & X86_PF_RSVD) {	/* cf. pgtable_bad */
		printk(m, KERN_ALERT "%s: Corrupted page table at address %lx\n", tsk->comm,
		       address);
		if (error_code & X86_PF_USER)
			force_sig_fault(m, SIGKILL, SI_KERNEL, 0);
		return -EFAULT;
	}
	if (error_code & X86_PF_USER)
		flags |= FAULT_FLAG_USER;
	if (error_code & X86_PF_WRITE)
		flags |= FAULT_FLAG_WRITE;
	if (error_code & X86_PF_INSTR)
		flags |= FAULT_FLAG_INSTRUCTION;

	vma = lock_mm_and_find_vma(m, mm, address);
	if (unlikely(!vma))
		return bad_area_nosemaphore(m, error_code, address, SEGV_MAPERR);
	if (unlikely(access_error(error_code, vma))) {
		mmap_read_unlock(mm);	/* bad_area_access_error */
		return bad_area_nosemaphore(m, error_code, address, SEGV_ACCERR);
	}
	fault = handle_mm_fault(m, vma, address, flags);
	mmap_read_unlock(mm);
	if (likely(!(fault & VM_FAULT_ERROR)))
		return 0;
	return mm_fault_error(m, error_code, address, fault);
}

/**
 * do_page_fault() - the CPU's page-fault exception (cf. exc_page_fault)
 * @m: the machine
 * @address: the faulting linear address (CR2)
 * @error_code: the hardware error code, X86_PF_* (X86_PF_USER for an
 *	access from user mode; without it, a kernel access such as
 *	copy_from_user)
 *
 * Runs on behalf of the current task of this CPU. Returns 0 when the fault
 * was resolved (retry the access), or -EFAULT when it was not: a user-mode
 * access has then had SIGSEGV, SIGBUS or SIGKILL forced on the current
 * task (which, without a handler, is gone); a kernel-mode access takes the
 * exception fixup (copy_*_user stops and reports the bytes not copied).
 */
int do_page_fault(struct machine *m, unsigned long address, unsigned int error_code)
{
	int ret;

	address = uword(m, address);
	if (unlikely(fault_in_kernel_space(m, address)))
		return do_kern_addr_fault(m, error_code, address);
	/* the resident limit: make room before a page is mapped (a user
	 * access holds no lock; a kernel one, copy_*_user, may) */
	if (unlikely(m->reclaim.max_resident) && (error_code & X86_PF_USER) &&
	    !(error_code & X86_PF_PROT))
		reclaim_to_limit(m);
	ret = do_user_addr_fault(m, error_code, address);
	if (error_code & X86_PF_USER)
		kswapd_run_pending(m);	/* a safe point: no lock held */
	return ret;
}
