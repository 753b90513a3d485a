/* Memory accesses through the MMU: a simulated program's loads, stores and
 * instruction fetches (mmkit_read/mmkit_write/mmkit_fetch), and the
 * kernel's access to user memory (cf. arch/x86/include/asm/uaccess.h,
 * lib/usercopy.c, include/asm-generic/access_ok.h).
 *
 * Both go page by page: translate the address as the CPU would (user mode,
 * or supervisor mode for copy_*_user); on a page fault enter
 * do_page_fault() with the error code and retry the access if it returns
 * 0 (the handler mapped the page), up to MMU_FAULT_RETRIES times. Bytes
 * live at m->ram + phys for every frame, highmem included.
 *
 * Invariants: after a failed user access the task is not touched again (a
 * fatal signal may have freed it); copy_from_user/copy_to_user never fault
 * on a range access_ok() rejects, and copy_from_user zeroes what it could
 * not copy, as Linux's does. */
#include "arch/x86/mmu.h"
#include "mm/internal_vmscan.h"

/* Faults one access may take before mmkit gives up on it. */
#define MMU_FAULT_RETRIES 4

/**
 * mmu_sync_current() - make sure CR3 and the address-space id are the
 *	current task's (its mm may have changed since it was switched to,
 *	e.g. by exec, or the CPU may still hold an exited task's mm)
 * @m: the machine
 */
void mmu_sync_current(struct machine *m)
{
	struct task_struct *tsk = get_current(m);
	unsigned int cpu = smp_processor_id(m);
	struct mmu_cpu *c;

	if (!tsk || !tsk->mm || cpu >= NR_CPUS)
		return;
	c = &m->mmu.cpu[cpu];
	/* the id too: a new mm may reuse a freed one's struct and pgd page */
	if (c->loaded_mm != tsk->mm || c->cr3 != tsk->mm->pgd ||
	    c->asid != tsk->mm->context.ctx_id)
		switch_mm(m, NULL, tsk->mm);
}

/* Translate addr for access, entering the fault handler like the CPU
 * does. Returns 0 with *phys, or -EFAULT (the fault was not resolved). */
static int access_page(struct machine *m, unsigned long addr, unsigned int access,
		       phys_addr_t *phys)
{
	unsigned int error_code, tries;

	for (tries = 0;; tries++) {
		if (!mmu_translate(m, addr, access, phys, &error_code))
			return 0;
		if (tries == MMU_FAULT_RETRIES) {
			pr_warn(m, "mmkit: page fault at %#lx (error_code %#x) still unresolved after %u retries\n",
				addr, error_code, MMU_FAULT_RETRIES);
			return -EFAULT;
		}
		if (do_page_fault(m, addr, error_code))
			return -EFAULT;
	}
}

/* Copy len bytes between buf and virtual address addr, page by page, with
 * access (X86_PF_WRITE: into addr). Returns the bytes not copied. */
static size_t mmu_copy(struct machine *m, unsigned long addr, u8 *buf, size_t len,
		       unsigned int access)
{
	phys_addr_t phys;
	size_t chunk;

	addr = uword(m, addr);	/* i386: 32-bit linear addresses wrap */
	while (len) {
		chunk = min(len, PAGE_SIZE - (addr & ~PAGE_MASK));
		if (access_page(m, addr, access, &phys))
			return len;
		/* the LRU policy's exact recency: every access, TLB hits too */
		if (unlikely(__atomic_load_n(&m->reclaim.track_access, __ATOMIC_RELAXED)))
			lru_note_access(m, phys);
		if (access & X86_PF_WRITE)
			mm_memcpy(m->ram + phys, buf, chunk);
		else
			mm_memcpy(buf, m->ram + phys, chunk);
		addr = uword(m, addr + chunk);
		buf += chunk;
		len -= chunk;
	}
	return 0;
}

/* A user-mode access of the current task. */
static int user_access(struct machine *m, unsigned long addr, u8 *buf, size_t len,
		       unsigned int access)
{
	struct task_struct *tsk = get_current(m);

	if (!tsk || !tsk->mm)
		return -ESRCH;
	int ret;

	mmu_sync_current(m);
	ret = mmu_copy(m, addr, buf, len, access | X86_PF_USER) ? -EFAULT : 0;
	kswapd_run_pending(m);	/* a safe point: the access holds no lock */
	return ret;
}

/**
 * mmkit_read() - the current task reads @len bytes at @addr (see <mmkit/mmu.h>)
 * @m: the machine
 * @addr: user virtual address
 * @buf: where the bytes go
 * @len: how many
 *
 * Return: 0, -EFAULT (the task got a signal and may be gone), or -ESRCH.
 */
int mmkit_read(struct machine *m, unsigned long addr, void *buf, size_t len)
{
	return user_access(m, addr, buf, len, 0);
}

/**
 * mmkit_write() - the current task writes @len bytes at @addr
 * @m: the machine
 * @addr: user virtual address
 * @buf: the bytes
 * @len: how many
 *
 * Return: 0, -EFAULT (the task got a signal and may be gone), or -ESRCH.
 */
int mmkit_write(struct machine *m, unsigned long addr, const void *buf, size_t len)
{
	return user_access(m, addr, (u8 *)buf, len, X86_PF_WRITE);
}

/**
 * mmkit_fetch() - the current task fetches @len bytes of instructions at @addr
 * @m: the machine
 * @addr: user virtual address
 * @buf: where the bytes go
 * @len: how many
 *
 * Return: 0, -EFAULT (e.g. an NX page: the task got SIGSEGV), or -ESRCH.
 */
int mmkit_fetch(struct machine *m, unsigned long addr, void *buf, size_t len)
{
	return user_access(m, addr, buf, len, X86_PF_INSTR);
}

/**
 * access_ok() - could [@addr, @addr + @size) be user memory? (cf. access_ok)
 * @m: the machine
 * @addr: start
 * @size: length
 *
 * True when the range ends at or below TASK_SIZE without wrapping; says
 * nothing about whether it is mapped.
 */
bool access_ok(struct machine *m, unsigned long addr, unsigned long size)
{
	unsigned long limit = arch_task_size(m);

	return size <= limit && addr <= limit - size;
}

/* A supervisor-mode copy on behalf of the current task; no mm: nothing. */
static unsigned long kernel_copy(struct machine *m, unsigned long uaddr, u8 *kbuf,
				 unsigned long n, unsigned int access)
{
	struct task_struct *tsk = get_current(m);

	if (!n)
		return 0;
	if (!tsk || !tsk->mm || !access_ok(m, uaddr, n))
		return n;
	mmu_sync_current(m);
	return mmu_copy(m, uaddr, kbuf, n, access);
}

/**
 * copy_from_user() - copy @n bytes from user address @from into @to
 * @m: the machine
 * @to: kernel buffer
 * @from: user address of the current task
 * @n: bytes
 *
 * Faults are taken in kernel mode (no X86_PF_USER); what could not be
 * copied is zero-filled in @to.
 * Return: the number of bytes NOT copied (0 on success).
 */
unsigned long copy_from_user(struct machine *m, void *to, unsigned long from, unsigned long n)
{
	unsigned long left = kernel_copy(m, from, to, n, 0);

	if (left)
		mm_memset((u8 *)to + (n - left), 0, left);
	return left;
}

/**
 * copy_to_user() - copy @n bytes from @from to user address @to
 * @m: the machine
 * @to: user address of the current task
 * @from: kernel buffer
 * @n: bytes
 *
 * Return: the number of bytes NOT copied (0 on success).
 */
unsigned long copy_to_user(struct machine *m, unsigned long to, const void *from,
			   unsigned long n)
{
	return kernel_copy(m, to, (u8 *)from, n, X86_PF_WRITE);
}
