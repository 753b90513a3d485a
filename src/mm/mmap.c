/* mmap(2) and munmap(2), and the machine-wide setup of the VMA layer
 * (cf. mm/mmap.c do_mmap, mm/vma.c __mmap_region, mm/util.c
 * vm_mmap_pgoff, arch/x86/mm/pgprot.c protection_map).
 *
 * A new mapping first takes over the VMAs it replaces (MAP_FIXED): they
 * are split at its edges and gathered; then the limits are checked
 * (RLIMIT_AS, RLIMIT_DATA, the commit charge) counting the replaced pages
 * as freed; only then are the old VMAs unmapped and the new range merged
 * with a neighbour or given a VMA of its own. A failed check leaves the
 * splits done, as Linux does.
 *
 * Invariant: after every call the VMAs and counters of the mm are
 * consistent (check_vmas) whether the call succeeded or not. */
#include "mm/memory.h"
#include "mm/shmem_fs.h"

/**
 * mmap_init() - set up the VMA layer: vm.* sysctl defaults and the slab
 *	caches (cf. mmap_init, proc_caches_init, init_user_reserve)
 * @m: a booted machine
 *
 * Called once by mmkit_boot() after the slab allocator is up; idempotent.
 */
void mmap_init(struct machine *m)
{
	unsigned long free_kbytes;

	if (m->vm.ready)
		return;
	m->vm.sysctl_max_map_count = DEFAULT_MAX_MAP_COUNT;
	m->vm.mmap_min_addr = 65536;
	m->vm.stack_guard_gap = 256UL << PAGE_SHIFT;
	m->vm.sysctl_overcommit_memory = OVERCOMMIT_GUESS;
	m->vm.sysctl_overcommit_ratio = 50;
	free_kbytes = nr_free_pages(m) << (PAGE_SHIFT - 10);
	m->vm.sysctl_user_reserve_kbytes = min(free_kbytes / 32, 1UL << 17);
	m->vm.sysctl_admin_reserve_kbytes = min(free_kbytes / 32, 1UL << 13);
	spin_lock_init(&m->vm.mmlist_lock);
	INIT_LIST_HEAD(&m->vm.mm_list);
	spin_lock_init(&m->sched.tasklist_lock);
	INIT_LIST_HEAD(&m->sched.tasks);
	vmscan_init(m);
	proc_caches_init(m);
	anon_vma_init(m);
	maple_tree_init(m);
	radix_tree_init(m);
	shmem_init(m);
	m->vm.ready = true;
}

/**
 * vm_get_page_prot() - the pte protection for vm_flags (cf. x86's
 *	protection_map): private writable mappings start read-only (COW)
 * @m: the machine (the 2-level format has no NX bit)
 * @vm_flags: the VMA's flags
 */
pgprot_t vm_get_page_prot(const struct machine *m, vm_flags_t vm_flags)
{
	static const pgprot_t protection_map[16] = {
		[VM_NONE] = PAGE_NONE,
		[VM_READ] = PAGE_READONLY,
		[VM_WRITE] = PAGE_COPY,
		[VM_WRITE | VM_READ] = PAGE_COPY,
		[VM_EXEC] = PAGE_READONLY_EXEC,
		[VM_EXEC | VM_READ] = PAGE_READONLY_EXEC,
		[VM_EXEC | VM_WRITE] = PAGE_COPY_EXEC,
		[VM_EXEC | VM_WRITE | VM_READ] = PAGE_COPY_EXEC,
		[VM_SHARED] = PAGE_NONE,
		[VM_SHARED | VM_READ] = PAGE_READONLY,
		[VM_SHARED | VM_WRITE] = PAGE_SHARED,
		[VM_SHARED | VM_WRITE | VM_READ] = PAGE_SHARED,
		[VM_SHARED | VM_EXEC] = PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_READ] = PAGE_READONLY_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE] = PAGE_SHARED_EXEC,
		[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ] = PAGE_SHARED_EXEC,
	};
	pgprot_t prot = protection_map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)];

	if (m->desc.arch == MMKIT_ARCH_I386)
		prot = __pgprot(pgprot_val(prot) & ~_PAGE_NX);
	return prot;
}

/**
 * vma_set_page_prot() - recompute vm_page_prot from vm_flags
 * @m: the machine
 * @vma: the VMA
 *
 * A shared writable mapping whose backer wants to see the first write
 * (page_mkwrite) gets the read-only private protection (writenotify).
 */
void vma_set_page_prot(struct machine *m, struct vm_area_struct *vma)
{
	vm_flags_t flags = vma->vm_flags;

	if ((flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED) && vma->vm_ops &&
	    vma->vm_ops->page_mkwrite)
		flags &= ~VM_SHARED;
	vma->vm_page_prot = vm_get_page_prot(m, flags);
}

static vm_flags_t calc_vm_prot_bits(unsigned long prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

static vm_flags_t calc_vm_flag_bits(struct machine *m, unsigned long flags)
{
	vm_flags_t vm_flags = (flags & MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
			      (flags & MAP_LOCKED ? VM_LOCKED : 0) |
			      (flags & MAP_SYNC ? VM_SYNC : 0);

	/* MAP_STACK implies VM_NOHUGEPAGE where THP is configured. */
	if ((flags & MAP_STACK) && m->desc.arch != MMKIT_ARCH_I386)
		vm_flags |= VM_NOHUGEPAGE;
	return vm_flags;
}

/* Private writable memory is charged to the commit limit (cf.
 * accountable_mapping). */
static bool accountable_mapping(vm_flags_t vm_flags)
{
	return (vm_flags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) == VM_WRITE;
}

/* Give a file mapping's new VMA its file: a reference, the file's mmap
 * operation (vm_ops), the i_mmap link (cf. __mmap_new_file_vma). */
static int mmap_new_file_vma(struct machine *m, struct vm_area_struct *vma, struct file *file)
{
	int err;

	vma->vm_file = file;
	get_file(file);
	err = file->f_op->mmap(m, file, vma);
	if (err) {
		vma->vm_file = NULL;
		fput(m, file);
		return err;
	}
	return 0;
}

/* Give the new range a VMA of its own (cf. __mmap_new_vma). */
static int mmap_new_vma(struct machine *m, struct mm_struct *mm, struct file *file,
			unsigned long addr, unsigned long end, vm_flags_t vm_flags,
			unsigned long pgoff, struct vm_area_struct **vmap)
{
	struct vm_area_struct *vma = vm_area_alloc(m, mm);
	int err;

	if (!vma)
		return -ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = end;
	vma->vm_pgoff = pgoff;
	vma->vm_flags = vm_flags;
	if (file)
		err = mmap_new_file_vma(m, vma, file);
	else
		err = vm_flags & VM_SHARED ? shmem_zero_setup(m, vma) : 0;
	if (err) {
		vm_area_free(m, vma);
		return err;
	}
	vma_link(m, mm, vma);
	vma_link_file(m, vma);	/* on the file's i_mmap */
	*vmap = vma;
	return 0;
}

/* Charge and check the limits for a mapping replacing vms's pages (cf.
 * __mmap_prepare). Returns the pages charged, or -errno. */
static long mmap_prepare_charge(struct machine *m, struct mm_struct *mm,
				struct vma_munmap_struct *vms, unsigned long pglen,
				vm_flags_t *vm_flags)
{
	long charged = 0;

	if (!may_expand_vm(m, mm, *vm_flags, pglen - vms->nr_pages))
		return -ENOMEM;
	if (accountable_mapping(*vm_flags)) {
		charged = (long)(pglen - vms->nr_accounted);
		if (charged && security_vm_enough_memory_mm(m, mm, charged))
			return -ENOMEM;
		vms->nr_accounted = 0;	/* the charge moves to the new VMA */
		*vm_flags |= VM_ACCOUNT;
	}
	return charged;
}

/**
 * mmap_region() - map [@addr, @addr + @len), replacing what is there
 * @m: the machine
 * @mm: the address space, write-locked
 * @file: the file mapped, or NULL
 * @addr: page-aligned start, checked by get_unmapped_area()
 * @len: page-aligned length
 * @vm_flags: the mapping's flags
 * @pgoff: vm_pgoff for it
 *
 * Returns @addr, or -ENOMEM (limits, commit charge, no memory).
 */
static unsigned long mmap_region(struct machine *m, struct mm_struct *mm, struct file *file,
				 unsigned long addr, unsigned long len, vm_flags_t vm_flags,
				 unsigned long pgoff)
{
	struct vma_munmap_struct vms = { .start = addr, .end = addr + len };
	struct vm_area_struct *vma = NULL, *old;
	unsigned long pglen = len >> PAGE_SHIFT;
	long charged;
	int err;

	old = find_vma_intersection(m, mm, addr, addr + len);
	if (old) {
		err = vms_gather_munmap_vmas(m, mm, old, addr, addr + len, &vms);
		if (err)
			return err;
	} else {
		vms.next = find_vma_prev(m, mm, addr, &vms.prev);
	}
	charged = mmap_prepare_charge(m, mm, &vms, pglen, &vm_flags);
	if (charged < 0)
		return charged;
	/* Past this point the old mappings go (zapped, closed, freed): a
	 * failure below leaves a hole, as in Linux (vms_abort_munmap_vmas). */
	vms_complete_munmap_vmas(m, mm, &vms);
	if (vms.prev || vms.next) {
		struct vma_merge_struct vmg = {
			.mm = mm, .prev = vms.prev, .next = vms.next,
			.start = addr, .end = addr + len, .pgoff = pgoff,
			.flags = vm_flags, .file = file,
		};

		/* Shared anonymous memory gets its own shmem object: never merges. */
		if (file || !(vm_flags & VM_SHARED))
			vma = vma_merge_new_range(m, &vmg);
	}
	if (!vma) {
		err = mmap_new_vma(m, mm, file, addr, addr + len, vm_flags, pgoff, &vma);
		if (err) {
			if (charged)
				vm_unacct_memory(m, charged);
			return err;
		}
	}
	vm_stat_account(mm, vma->vm_flags, (long)pglen);
	if (vm_flags & VM_LOCKED) {
		if (vm_flags & VM_SPECIAL)
			vma->vm_flags &= ~VM_LOCKED_MASK;
		else
			mm->locked_vm += pglen;
	}
	vma_set_page_prot(m, vma);
	return addr;
}

/* Check prot and flags of an anonymous mapping and derive its vm_flags
 * and pgoff (the part of do_mmap before placement). */
static long mmap_anon_flags(struct machine *m, struct mm_struct *mm, unsigned long addr,
			    unsigned long prot, unsigned long flags, vm_flags_t *vm_flags,
			    unsigned long *pgoff)
{
	switch (flags & MAP_TYPE) {
	case MAP_SHARED:
		if (*vm_flags & VM_GROWSDOWN)
			return -EINVAL;
		*pgoff = 0;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		break;
	case MAP_PRIVATE:
		*pgoff = addr >> PAGE_SHIFT;	/* anon_vma's index base */
		break;
	default:	/* MAP_SHARED_VALIDATE, MAP_DROPPABLE (not built), 0 */
		return -EINVAL;
	}
	if ((flags & MAP_NORESERVE) && m->vm.sysctl_overcommit_memory != OVERCOMMIT_NEVER)
		*vm_flags |= VM_NORESERVE;
	(void)mm;
	(void)prot;
	return 0;
}

/* Can @len bytes from page @pgoff of the file be mapped? (cf.
 * file_mmap_ok: regular files up to MAX_LFS_FILESIZE, others to ULONG_MAX) */
static bool file_mmap_ok(const struct file *file, unsigned long pgoff, unsigned long len)
{
	const struct inode *inode = file->f_inode;
	u64 maxsize = inode && (inode->i_mode & MMKIT_S_IFMT) == MMKIT_S_IFREG ?
			      (u64)MAX_LFS_FILESIZE : (u64)~0UL;

	if (len > maxsize)
		return false;
	maxsize -= len;
	return pgoff <= (maxsize >> PAGE_SHIFT);
}

/* Check prot and flags of a file mapping against the open file and derive
 * its vm_flags (the file part of do_mmap): -EOVERFLOW, -EOPNOTSUPP
 * (MAP_SHARED_VALIDATE with an unknown flag), -EACCES (MAP_SHARED +
 * PROT_WRITE on a file not open for writing; any mapping of a file not
 * open for reading), -ENODEV (no mmap: a directory), -EINVAL. */
static long mmap_file_flags(struct file *file, unsigned long prot, unsigned long *flags,
			    unsigned long pgoff, unsigned long len, vm_flags_t *vm_flags)
{
	if (!file_mmap_ok(file, pgoff, len))
		return -EOVERFLOW;
	switch (*flags & MAP_TYPE) {
	case MAP_SHARED:
		*flags &= LEGACY_MAP_MASK;	/* old MAP_SHARED ignores unknown flags */
		/* fallthrough */
	case MAP_SHARED_VALIDATE:
		if (*flags & ~(unsigned long)LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		if ((prot & PROT_WRITE) && !(file->f_mode & FMODE_WRITE))
			return -EACCES;
		*vm_flags |= VM_SHARED | VM_MAYSHARE;
		if (!(file->f_mode & FMODE_WRITE))
			*vm_flags &= ~(VM_MAYWRITE | VM_SHARED);
		/* fallthrough */
	case MAP_PRIVATE:
		if (!(file->f_mode & FMODE_READ))
			return -EACCES;
		if (!file->f_op || !file->f_op->mmap)
			return -ENODEV;
		if (*vm_flags & VM_GROWSDOWN)
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * do_mmap() - mmap() with the mmap lock held (cf. do_mmap)
 * @m: the machine
 * @mm: the current task's address space, write-locked
 * @file: the file to map (referenced by the caller); NULL for anonymous memory
 * @addr: hint, or the address with MAP_FIXED / MAP_FIXED_NOREPLACE
 * @len: length in bytes, rounded up to pages
 * @prot: PROT_*
 * @flags: MAP_*
 * @vm_flags: extra vm_flags for the VMA
 * @pgoff: file offset in pages
 * @populate: set to the bytes to populate (MAP_POPULATE, VM_LOCKED), or 0
 *
 * Returns the address, or -errno as mmap(2) does: -EINVAL (len 0, unaligned
 * MAP_FIXED, bad map type), -ENOMEM (length overflow, vm.max_map_count, no
 * room, limits), -EOVERFLOW (offset wraps), -EEXIST (MAP_FIXED_NOREPLACE
 * over a mapping), -EPERM (below vm.mmap_min_addr, MAP_LOCKED without
 * RLIMIT_MEMLOCK), -EAGAIN (MAP_LOCKED over RLIMIT_MEMLOCK).
 */
unsigned long do_mmap(struct machine *m, struct mm_struct *mm, struct file *file,
		      unsigned long addr, unsigned long len, unsigned long prot,
		      unsigned long flags, vm_flags_t vm_flags, unsigned long pgoff,
		      unsigned long *populate)
{
	struct task_struct *tsk = get_current(m);
	long err;

	*populate = 0;
	if (!len)
		return -EINVAL;
	if ((prot & PROT_READ) && tsk && (tsk->personality & READ_IMPLIES_EXEC))
		prot |= PROT_EXEC;
	if (flags & MAP_FIXED_NOREPLACE)
		flags |= MAP_FIXED;
	if (!(flags & MAP_FIXED)) {
		addr &= PAGE_MASK;	/* round_hint_to_min */
		if (addr && addr < m->vm.mmap_min_addr)
			addr = PAGE_ALIGN(m->vm.mmap_min_addr);
	}
	len = uword(m, PAGE_ALIGN(len));
	if (!len)
		return -ENOMEM;
	if (uword(m, pgoff + (len >> PAGE_SHIFT)) < pgoff)
		return -EOVERFLOW;
	if (mm->map_count > m->vm.sysctl_max_map_count)
		return -ENOMEM;
	vm_flags |= calc_vm_prot_bits(prot) | calc_vm_flag_bits(m, flags) | mm->def_flags |
		    VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	addr = get_unmapped_area(m, mm, file, addr, len, pgoff, flags, vm_flags);
	if (IS_ERR_VALUE(addr))
		return addr;
	if ((flags & MAP_FIXED_NOREPLACE) && find_vma_intersection(m, mm, addr, addr + len))
		return -EEXIST;
	if ((flags & MAP_LOCKED) && !can_do_mlock(m))
		return -EPERM;
	if (!mlock_future_ok(m, mm, vm_flags, len))
		return -EAGAIN;
	if (file)
		err = mmap_file_flags(file, prot, &flags, pgoff, len, &vm_flags);
	else
		err = mmap_anon_flags(m, mm, addr, prot, flags, &vm_flags, &pgoff);
	if (err)
		return err;
	addr = mmap_region(m, mm, file, addr, len, vm_flags, pgoff);
	if (!IS_ERR_VALUE(addr) &&
	    ((vm_flags & VM_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE))
		*populate = len;
	return addr;
}

/**
 * sys_mmap_pgoff() - mmap2: map with a page offset (cf. ksys_mmap_pgoff)
 * @m: the machine
 * @addr: hint or fixed address
 * @len: length
 * @prot: PROT_*
 * @flags: MAP_*
 * @fd: file descriptor; ignored with MAP_ANONYMOUS
 * @pgoff: offset in pages
 *
 * Without MAP_ANONYMOUS @fd names an open file of the simulated file
 * system (-EBADF otherwise); the VMA takes its own reference. MAP_HUGETLB
 * fails with -EINVAL (no hugetlbfs).
 */
long sys_mmap_pgoff(struct machine *m, unsigned long addr, unsigned long len,
		    unsigned long prot, unsigned long flags, unsigned long fd,
		    unsigned long pgoff)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long ret, populate;
	struct file *file = NULL;

	if (!mm)
		return -ESRCH;
	addr = uword(m, addr);
	len = uword(m, len);
	flags = uword(m, flags);
	pgoff = uword(m, pgoff);
	if (!(flags & MAP_ANONYMOUS)) {
		file = fget(m, (unsigned int)fd);
		if (!file)
			return -EBADF;
	}
	if (flags & MAP_HUGETLB) {
		if (file)
			fput_fd(m, file);
		return -EINVAL;
	}
	mmap_write_lock(mm);
	ret = do_mmap(m, mm, file, addr, len, prot, flags, 0, pgoff, &populate);
	mmap_write_unlock(mm);
	if (file)
		fput_fd(m, file);
	if (populate)
		__mm_populate(m, mm, ret, populate, true);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return (long)ret;
}

/**
 * sys_mmap() - mmap(2) as x86_64 defines it: the offset in bytes
 * @m: the machine
 * @addr: hint or fixed address
 * @len: length
 * @prot: PROT_*
 * @flags: MAP_*
 * @fd: file descriptor
 * @off: byte offset; must be page-aligned
 */
long sys_mmap(struct machine *m, unsigned long addr, unsigned long len, unsigned long prot,
	      unsigned long flags, unsigned long fd, unsigned long off)
{
	off = uword(m, off);
	if (off & ~PAGE_MASK)
		return -EINVAL;
	return sys_mmap_pgoff(m, addr, len, prot, flags, fd, off >> PAGE_SHIFT);
}

/**
 * sys_munmap() - munmap(2)
 * @m: the machine
 * @addr: page-aligned start
 * @len: length, rounded up to pages
 *
 * Returns 0 (also over a hole), -EINVAL, or -ENOMEM when a split would
 * pass vm.max_map_count.
 */
long sys_munmap(struct machine *m, unsigned long addr, unsigned long len)
{
	struct mm_struct *mm = current_mm(m);
	int ret;

	if (!mm)
		return -ESRCH;
	mmap_write_lock(mm);
	ret = do_munmap(m, mm, uword(m, addr), uword(m, len));
	mmap_write_unlock(mm);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return ret;
}

/* May the stack grow by grow pages to size bytes? (cf. acct_stack_growth) */
static int acct_stack_growth(struct machine *m, struct vm_area_struct *vma, unsigned long size,
			     unsigned long grow)
{
	struct mm_struct *mm = vma->vm_mm;

	if (!may_expand_vm(m, mm, vma->vm_flags, grow))
		return -ENOMEM;
	if (size > rlimit(m, RLIMIT_STACK))
		return -ENOMEM;
	if (!mlock_future_ok(m, mm, vma->vm_flags, grow << PAGE_SHIFT))
		return -ENOMEM;
	if (security_vm_enough_memory_mm(m, mm, (long)grow))
		return -ENOMEM;
	return 0;
}

/**
 * expand_downwards() - grow a VM_GROWSDOWN VMA down to cover @address
 *	(stack growth, for the page-fault handler)
 * @m: the machine
 * @vma: the stack VMA, its mm write-locked
 * @address: the faulting address below vma->vm_start
 *
 * Refuses (-ENOMEM) to come within stack_guard_gap of an accessible VMA
 * below, to pass RLIMIT_STACK, RLIMIT_AS or the commit limit; -EPERM below
 * vm.mmap_min_addr; -EFAULT if @vma is not a stack.
 */
int expand_downwards(struct machine *m, struct vm_area_struct *vma, unsigned long address)
{
	struct mm_struct *mm = vma->vm_mm;
	struct vm_area_struct *prev = vma->vm_prev;
	unsigned long size, grow;
	int err;

	if (!(vma->vm_flags & VM_GROWSDOWN))
		return -EFAULT;
	address &= PAGE_MASK;
	if (address < m->vm.mmap_min_addr)
		return -EPERM;
	if (prev && !(prev->vm_flags & VM_GROWSDOWN) && vma_is_accessible(prev) &&
	    address - prev->vm_end < m->vm.stack_guard_gap)
		return -ENOMEM;
	if (address >= vma->vm_start)
		return 0;
	/* anon_vma_prepare(vma): the rmap issue's */
	size = vma->vm_end - address;
	grow = (vma->vm_start - address) >> PAGE_SHIFT;
	if (grow > vma->vm_pgoff)
		return -ENOMEM;
	err = acct_stack_growth(m, vma, size, grow);
	if (err)
		return err;
	if (vma->vm_flags & VM_LOCKED)
		mm->locked_vm += grow;
	vm_stat_account(mm, vma->vm_flags, (long)grow);
	vma_set_range(m, vma, address, vma->vm_end, vma->vm_pgoff - grow);
	return 0;
}
