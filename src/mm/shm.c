/* System V shared memory: shmget, shmat, shmdt, shmctl (cf. ipc/shm.c,
 * ipc/util.c ipcget/ipcperms/ipc_idr_alloc). The segments' memory is a
 * shmem object (mm/shmem.c) named "SYSV%08x" after the key, whose inode
 * number is the shmid, as /proc/PID/maps shows it.
 *
 * Ids are Linux's: the slot index allocated cyclically below shmmni, plus
 * a sequence number (bumped each time the cyclic allocation wraps) times
 * 32768 (IPCMNI, ipcmni_extend off). A segment is destroyed by IPC_RMID
 * when nothing is attached, else marked SHM_DEST with its key made
 * IPC_PRIVATE and destroyed at the last detach (munmap, shmdt, exit).
 * Each attach is a file of its own ("the clone", cf. alloc_file_clone)
 * sharing the segment's page cache; every VMA of it counts in shm_nattch
 * (fork and split call ->open, unmapping ->close).
 *
 * Times are seconds of the simulated clock (m->clock_ns); uids are the
 * tasks' (0 or 1000), gids equal them.
 *
 * Invariants: m->ipc.shm_segments is sorted by index and holds shm_nr
 * segments; shm_tot is the sum of their pages; shm_nattch is the number
 * of VMAs mapping the segment; a segment with SHM_DEST has key 0. */
#include "mm/shmem_fs.h"

#define IPCMNI_SHIFT 15
#define IPCMNI (1 << IPCMNI_SHIFT)
#define IPCID_SEQ_MAX (0x7fffffff >> IPCMNI_SHIFT)
#define S_IRWXUGO 0777
#define S_IRUGO 0444
#define S_IWUGO 0222
#define S_IXUGO 0111
#define CAP_IPC_OWNER 15

/* A segment (cf. struct shmid_kernel + struct kern_ipc_perm). */
struct shmid_kernel {
	struct list_head list;		/* on m->ipc.shm_segments, by idx */
	s32 key;
	int id, idx;
	u32 uid, gid, cuid, cgid, mode;
	u32 seq;
	struct file *shm_file;		/* the shmem object */
	unsigned long shm_nattch;
	unsigned long shm_segsz;
	s64 shm_atim, shm_dtim, shm_ctim;
	pid_t shm_cprid, shm_lprid;
};

/* What an attach file points at (cf. struct shm_file_data). */
struct shm_file_data {
	int id;
	struct file *file;		/* the segment's object */
};

static const struct vm_operations_struct shm_vm_ops;

static s64 shm_now(struct machine *m)
{
	return (s64)(m->clock_ns / 1000000000ULL);
}

static pid_t shm_tgid(struct machine *m)
{
	struct task_struct *tsk = get_current(m);

	return tsk ? tsk->tgid : 0;
}

static u32 shm_euid(struct machine *m)
{
	struct task_struct *tsk = get_current(m);

	return tsk ? tsk->uid : 0;
}

/* May the current task access @shp for @flag's rwx bits? (cf. ipcperms):
 * owner or creator bits, else group, else other; CAP_IPC_OWNER overrides. */
static bool ipcperms(struct machine *m, const struct shmid_kernel *shp, int flag)
{
	u32 uid = shm_euid(m);
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = (int)shp->mode;

	if (uid == shp->cuid || uid == shp->uid)
		granted >>= 6;
	else if (uid == shp->cgid || uid == shp->gid)
		granted >>= 3;
	return !((requested & ~granted & 0007) && !capable(m, CAP_IPC_OWNER));
}

/* The segment at slot @idx, or NULL. Called with shm_lock held. */
static struct shmid_kernel *shm_find_idx(struct machine *m, int idx)
{
	struct shmid_kernel *shp;

	list_for_each_entry(shp, &m->ipc.shm_segments, list)
		if (shp->idx == idx)
			return shp;
	return NULL;
}

/* The segment @id names, its sequence checked (cf.
 * ipc_obtain_object_check): NULL means -EINVAL. */
static struct shmid_kernel *shm_obtain_check(struct machine *m, int id)
{
	struct shmid_kernel *shp;

	if (id < 0)
		return NULL;
	shp = shm_find_idx(m, id & (IPCMNI - 1));
	return shp && shp->id == id ? shp : NULL;
}

static struct shmid_kernel *shm_find_key(struct machine *m, s32 key)
{
	struct shmid_kernel *shp;

	list_for_each_entry(shp, &m->ipc.shm_segments, list)
		if (shp->key == key && !(shp->mode & SHM_DEST))
			return shp;
	return NULL;
}

/* Take the next slot cyclically and link @shp there (cf. ipc_idr_alloc,
 * ipc_addid). -ENOSPC at shmmni. Called with shm_lock held. */
static int shm_addid(struct machine *m, struct shmid_kernel *shp)
{
	struct ipc_state *ipc = &m->ipc;
	struct list_head *pos;
	int idx, limit = min(ipc->shm_ctlmni, IPCMNI);

	if (ipc->shm_nr >= limit)
		return -ENOSPC;
	idx = ipc->shm_last_idx + 1;
	for (int tries = 0; tries < limit; tries++, idx++) {
		if (idx >= limit)
			idx = 0;
		if (!shm_find_idx(m, idx))
			break;
	}
	if (idx <= ipc->shm_last_idx && ++ipc->shm_seq > IPCID_SEQ_MAX)
		ipc->shm_seq = 0;
	ipc->shm_last_idx = idx;
	shp->idx = idx;
	shp->seq = (u32)ipc->shm_seq;
	shp->id = (ipc->shm_seq << IPCMNI_SHIFT) + idx;
	list_for_each(pos, &ipc->shm_segments)
		if (list_entry(pos, struct shmid_kernel, list)->idx > idx)
			break;
	list_add_tail(&shp->list, pos);
	ipc->shm_nr++;
	return 0;
}

/* Create a segment (cf. newseg). Returns the id or -errno. Called with
 * shm_lock held (the ids' rwsem in Linux). */
static long shm_newseg(struct machine *m, s32 key, unsigned long size, int shmflg)
{
	struct ipc_state *ipc = &m->ipc;
	unsigned long numpages = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct shmid_kernel *shp;
	char name[32];
	int err;

	if (size < MMKIT_SHMMIN || size > ipc->shm_ctlmax)
		return -EINVAL;
	if (ipc->shm_tot + numpages < ipc->shm_tot || ipc->shm_tot + numpages > ipc->shm_ctlall)
		return -ENOSPC;
	shp = kzalloc(m, sizeof(*shp), GFP_KERNEL);
	if (!shp)
		return -ENOMEM;
	shp->key = key;
	shp->mode = (u32)shmflg & S_IRWXUGO;
	shp->uid = shp->cuid = shp->gid = shp->cgid = shm_euid(m);
	machine_snprintf(name, sizeof(name), "/SYSV%08x (deleted)", (u32)key);
	shp->shm_file = shmem_kernel_file_setup(m, name, size,
						(shmflg & SHM_NORESERVE) &&
						m->vm.sysctl_overcommit_memory != OVERCOMMIT_NEVER
						? VM_NORESERVE : 0, &err);
	if (!shp->shm_file) {
		kfree(m, shp);
		return err;
	}
	shp->shm_cprid = shm_tgid(m);
	shp->shm_ctim = shm_now(m);
	shp->shm_segsz = size;
	err = shm_addid(m, shp);
	if (err) {
		fput(m, shp->shm_file);
		kfree(m, shp);
		return err;
	}
	/* "shmid gets reported as inode# in /proc/pid/maps" */
	shp->shm_file->f_ino = shp->shm_file->f_inode->i_ino = (unsigned long)shp->id;
	ipc->shm_tot += numpages;
	return shp->id;
}

/* The segment goes: its id, its charge of shm_tot, its object (cf.
 * shm_destroy). Called with shm_lock held; returns with it dropped. */
static void shm_destroy(struct machine *m, struct shmid_kernel *shp)
{
	struct file *file = shp->shm_file;

	m->ipc.shm_tot -= (shp->shm_segsz + PAGE_SIZE - 1) >> PAGE_SHIFT;
	list_del(&shp->list);
	m->ipc.shm_nr--;
	spin_unlock(&m->ipc.shm_lock);
	shmem_lock(m, file, 0);
	fput(m, file);
	kfree(m, shp);
}

/* Last detach of a removed segment? (cf. shm_may_destroy; shm_rmid_forced 0) */
static bool shm_may_destroy(const struct shmid_kernel *shp)
{
	return shp->shm_nattch == 0 && (shp->mode & SHM_DEST);
}

/**
 * sys_shmget() - shmget(2): the segment of @key, created with IPC_CREAT
 *	(cf. ksys_shmget, ipcget_public, ipcget_new)
 * @m: the machine
 * @key: IPC_PRIVATE or a key
 * @size: bytes (an existing segment must be at least this big)
 * @shmflg: IPC_CREAT, IPC_EXCL, SHM_NORESERVE, permission bits
 *
 * Returns the shmid, or -ENOENT (no such key, no IPC_CREAT), -EEXIST
 * (IPC_CREAT|IPC_EXCL and it exists), -EINVAL (size below SHMMIN, above
 * shmmax, or above an existing segment's), -EACCES (mode), -ENOSPC
 * (shmall pages or shmmni segments), -ENOMEM (Committed_AS).
 */
long sys_shmget(struct machine *m, s32 key, unsigned long size, int shmflg)
{
	struct shmid_kernel *shp;
	long ret;

	if (!get_current(m))
		return -ESRCH;
	size = uword(m, size);
	spin_lock(&m->ipc.shm_lock);
	if (key == IPC_PRIVATE) {
		ret = shm_newseg(m, key, size, shmflg);
	} else if (!(shp = shm_find_key(m, key))) {
		ret = (shmflg & IPC_CREAT) ? shm_newseg(m, key, size, shmflg) : -ENOENT;
	} else if ((shmflg & IPC_CREAT) && (shmflg & IPC_EXCL)) {
		ret = -EEXIST;
	} else if (shp->shm_segsz < size) {
		ret = -EINVAL;	/* shm_more_checks */
	} else {
		ret = ipcperms(m, shp, shmflg) ? shp->id : -EACCES;
	}
	spin_unlock(&m->ipc.shm_lock);
	return ret;
}

/* One more VMA maps the segment (cf. __shm_open): attach time, last pid,
 * nattch. */
static void shm_open(struct machine *m, struct vm_area_struct *vma)
{
	struct shm_file_data *sfd = vma->vm_file->private_data;
	struct shmid_kernel *shp;

	spin_lock(&m->ipc.shm_lock);
	shp = shm_find_idx(m, sfd->id & (IPCMNI - 1));
	if (!VM_WARN_ON(m, !shp || shp->shm_file != sfd->file)) {
		shp->shm_atim = shm_now(m);
		shp->shm_lprid = shm_tgid(m);
		shp->shm_nattch++;
	}
	spin_unlock(&m->ipc.shm_lock);
}

/* A VMA of the segment went (cf. shm_close): detach time, last pid,
 * nattch; the last detach of a removed segment destroys it. */
static void shm_close(struct machine *m, struct vm_area_struct *vma)
{
	struct shm_file_data *sfd = vma->vm_file->private_data;
	struct shmid_kernel *shp;

	spin_lock(&m->ipc.shm_lock);
	shp = shm_find_idx(m, sfd->id & (IPCMNI - 1));
	if (VM_WARN_ON(m, !shp || shp->shm_file != sfd->file)) {
		spin_unlock(&m->ipc.shm_lock);
		return;
	}
	shp->shm_lprid = shm_tgid(m);
	shp->shm_dtim = shm_now(m);
	shp->shm_nattch--;
	if (shm_may_destroy(shp))
		shm_destroy(m, shp);
	else
		spin_unlock(&m->ipc.shm_lock);
}

static vm_fault_t shm_fault(struct machine *m, struct vm_fault *vmf)
{
	return shmem_fault(m, vmf);
}

static const struct vm_operations_struct shm_vm_ops = {
	.open = shm_open,	/* fork, split */
	.close = shm_close,
	.fault = shm_fault,
};

/* The attach file is gone: drop the segment's object (cf. shm_release). */
static void shm_release(struct machine *m, struct file *file)
{
	struct shm_file_data *sfd = file->private_data;

	fput(m, sfd->file);
	kfree(m, sfd);
	file->private_data = NULL;
}

/* f_op->mmap of an attach file (cf. shm_mmap): the segment object's own
 * mmap, then shm_vm_ops in front of it and one more in nattch. */
static int shm_mmap(struct machine *m, struct file *file, struct vm_area_struct *vma)
{
	struct shm_file_data *sfd = file->private_data;
	int err = sfd->file->f_op->mmap(m, sfd->file, vma);

	if (err)
		return err;
	vma->vm_ops = &shm_vm_ops;
	shm_open(m, vma);
	return 0;
}

static const struct file_operations shm_file_operations = {
	.release = shm_release,
	.mmap = shm_mmap,
};

/* A file for one attach, sharing @base's object (cf. alloc_file_clone). */
static struct file *shm_file_clone(struct machine *m, struct file *base, int id,
				   unsigned int f_mode)
{
	struct shm_file_data *sfd = kzalloc(m, sizeof(*sfd), GFP_KERNEL);
	struct file *file;

	if (!sfd)
		return NULL;
	file = alloc_file(m, base->f_inode, base->f_path,
			  f_mode & FMODE_WRITE ? O_RDWR : O_RDONLY, &shm_file_operations);
	if (!file) {
		kfree(m, sfd);
		return NULL;
	}
	get_file(base);
	sfd->id = id;
	sfd->file = base;
	file->private_data = sfd;
	file->f_mode = f_mode;
	file->f_ino = base->f_ino;
	file->f_dev = base->f_dev;
	file->f_size = base->f_size;
	return file;
}

/* Map the attach file (do_mmap -> shm_mmap gives the VMA shm_vm_ops and
 * counts it in nattch). Returns the address or -errno. */
static long shm_map(struct machine *m, struct mm_struct *mm, struct file *file,
		    unsigned long addr, unsigned long size, unsigned long prot,
		    unsigned long flags)
{
	unsigned long populate;

	return (long)do_mmap(m, mm, file, addr, size, prot, flags, 0, 0, &populate);
}

/* The attach address *@addr: checked and rounded (cf. do_shmat's first
 * part). 0, or -EINVAL for an unaligned address without SHM_RND, a null
 * one after rounding with SHM_REMAP, or SHM_REMAP without an address.
 * The address stays unsigned: one in the top 4 KiB of a 64-bit space is
 * not an errno (the id and range checks reject it later, as Linux's). */
static int shm_attach_addr(unsigned long *addr, int shmflg)
{
	if (*addr) {
		if (*addr & (MMKIT_SHMLBA - 1)) {
			if (!(shmflg & SHM_RND))
				return -EINVAL;
			*addr &= ~(MMKIT_SHMLBA - 1);
			if (!*addr && (shmflg & SHM_REMAP))
				return -EINVAL;
		}
	} else if (shmflg & SHM_REMAP) {
		return -EINVAL;
	}
	return 0;
}

/**
 * sys_shmat() - shmat(2): attach segment @shmid (cf. do_shmat)
 * @m: the machine
 * @shmid: the segment
 * @shmaddr: where (0: the kernel chooses); rounded down to SHMLBA with
 *	SHM_RND
 * @shmflg: SHM_RDONLY, SHM_RND, SHM_REMAP, SHM_EXEC
 *
 * Returns the address, or -EINVAL (bad id or address, an address over a
 * mapping without SHM_REMAP), -EACCES (mode), -EIDRM (being destroyed),
 * -ENOMEM.
 */
long sys_shmat(struct machine *m, int shmid, unsigned long shmaddr, int shmflg)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long flags = MAP_SHARED, prot, size, addr = uword(m, shmaddr);
	struct shmid_kernel *shp;
	struct file *file, *base;
	unsigned int f_mode;
	int acc_mode;
	long ret;

	if (!mm)
		return -ESRCH;
	if (shmid < 0)
		return -EINVAL;
	ret = shm_attach_addr(&addr, shmflg);
	if (ret)
		return ret;
	if (addr)
		flags |= MAP_FIXED;
	if (shmflg & SHM_RDONLY) {
		prot = PROT_READ;
		acc_mode = S_IRUGO;
		f_mode = FMODE_READ;
	} else {
		prot = PROT_READ | PROT_WRITE;
		acc_mode = S_IRUGO | S_IWUGO;
		f_mode = FMODE_READ | FMODE_WRITE;
	}
	if (shmflg & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc_mode |= S_IXUGO;
	}
	spin_lock(&m->ipc.shm_lock);
	shp = shm_obtain_check(m, shmid);
	if (!shp) {
		spin_unlock(&m->ipc.shm_lock);
		return -EINVAL;
	}
	if (!ipcperms(m, shp, acc_mode)) {
		spin_unlock(&m->ipc.shm_lock);
		return -EACCES;
	}
	base = shp->shm_file;
	shp->shm_nattch++;	/* keeps it while we map (cf. do_shmat) */
	size = base->f_size;
	spin_unlock(&m->ipc.shm_lock);

	ret = -ENOMEM;
	file = shm_file_clone(m, base, shmid, f_mode);
	if (file) {
		mmap_write_lock(mm);
		if (addr && !(shmflg & SHM_REMAP) &&
		    (uword(m, addr + size) < addr || find_vma_intersection(m, mm, addr, addr + size)))
			ret = -EINVAL;
		else
			ret = shm_map(m, mm, file, addr, size, prot, flags);
		mmap_write_unlock(mm);
		fput(m, file);	/* the VMA holds its own reference */
	}
	spin_lock(&m->ipc.shm_lock);
	shp->shm_nattch--;
	if (shm_may_destroy(shp))
		shm_destroy(m, shp);
	else
		spin_unlock(&m->ipc.shm_lock);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return ret;
}

/* Does @vma map a segment at the offset @addr would give it? */
static bool shm_vma_at(const struct vm_area_struct *vma, unsigned long addr)
{
	return vma->vm_ops == &shm_vm_ops &&
	       (vma->vm_start - addr) / PAGE_SIZE == vma->vm_pgoff;
}

/**
 * sys_shmdt() - shmdt(2): detach the segment attached at @shmaddr (cf.
 *	ksys_shmdt): every piece of it left by mprotect/munmap that starts
 *	at its offset from @shmaddr
 * @m: the machine
 * @shmaddr: the address shmat returned
 *
 * Returns 0, or -EINVAL when @shmaddr is unaligned or no segment was
 * attached there.
 */
long sys_shmdt(struct machine *m, unsigned long shmaddr)
{
	struct mm_struct *mm = current_mm(m);
	unsigned long addr = uword(m, shmaddr), size = 0;
	struct vm_area_struct *vma, *next;
	struct file *file = NULL;
	long ret = -EINVAL;

	if (!mm)
		return -ESRCH;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	mmap_write_lock(mm);
	for (vma = find_vma(m, mm, addr); vma; vma = next) {
		next = vma->vm_next;
		if (shm_vma_at(vma, addr)) {
			file = vma->vm_file;
			size = PAGE_ALIGN(file->f_size);
			do_munmap(m, mm, vma->vm_start, vma->vm_end - vma->vm_start);
			ret = 0;
			vma = next;
			break;
		}
	}
	/* the other pieces of the same attach, within its size */
	for (; vma && vma->vm_end - addr <= size; vma = next) {
		next = vma->vm_next;
		if (shm_vma_at(vma, addr) && vma->vm_file == file)
			do_munmap(m, mm, vma->vm_start, vma->vm_end - vma->vm_start);
	}
	mmap_write_unlock(mm);
	if (m->debug_vm >= 2)
		check_vmas(m);
	return ret;
}

/* Fill @ds from @shp (cf. shmctl_stat). */
static void shm_fill_stat(const struct shmid_kernel *shp, struct mmkit_shmid_ds *ds)
{
	mm_memset(ds, 0, sizeof(*ds));
	ds->shm_perm.key = shp->key;
	ds->shm_perm.uid = shp->uid;
	ds->shm_perm.gid = shp->gid;
	ds->shm_perm.cuid = shp->cuid;
	ds->shm_perm.cgid = shp->cgid;
	ds->shm_perm.mode = shp->mode;
	ds->shm_perm.seq = shp->seq;
	ds->shm_segsz = shp->shm_segsz;
	ds->shm_atime = shp->shm_atim;
	ds->shm_dtime = shp->shm_dtim;
	ds->shm_ctime = shp->shm_ctim;
	ds->shm_cpid = shp->shm_cprid;
	ds->shm_lpid = shp->shm_lprid;
	ds->shm_nattch = shp->shm_nattch;
}

/* The highest index in use, 0 when none (cf. ipc_get_maxidx). */
static int shm_maxidx(struct machine *m)
{
	struct shmid_kernel *shp;
	int max = 0;

	list_for_each_entry(shp, &m->ipc.shm_segments, list)
		max = shp->idx;
	return max;
}

/* IPC_STAT, SHM_STAT, SHM_STAT_ANY (cf. shmctl_stat). */
static long shmctl_stat(struct machine *m, int shmid, int cmd, struct mmkit_shmid_ds *ds)
{
	struct shmid_kernel *shp;
	long ret;

	spin_lock(&m->ipc.shm_lock);
	if (cmd == IPC_STAT)
		shp = shm_obtain_check(m, shmid);
	else
		shp = shm_find_idx(m, shmid & (IPCMNI - 1));
	if (!shp)
		ret = -EINVAL;
	else if (cmd != SHM_STAT_ANY && !ipcperms(m, shp, S_IRUGO))
		ret = -EACCES;
	else if (!ds)
		ret = -EFAULT;
	else {
		shm_fill_stat(shp, ds);
		ret = cmd == IPC_STAT ? 0 : shp->id;
	}
	spin_unlock(&m->ipc.shm_lock);
	return ret;
}

/* IPC_RMID and IPC_SET: the owner, the creator or CAP_SYS_ADMIN (cf.
 * shmctl_down, ipcctl_obtain_check, ipc_update_perm, do_shm_rmid). */
static long shmctl_down(struct machine *m, int shmid, int cmd, const struct mmkit_shmid_ds *ds)
{
	struct shmid_kernel *shp;
	u32 euid = shm_euid(m);

	if (cmd == IPC_SET && !ds)
		return -EFAULT;
	spin_lock(&m->ipc.shm_lock);
	shp = shm_obtain_check(m, shmid);
	if (!shp) {
		spin_unlock(&m->ipc.shm_lock);
		return -EINVAL;
	}
	if (euid != shp->cuid && euid != shp->uid && !capable(m, CAP_SYS_ADMIN)) {
		spin_unlock(&m->ipc.shm_lock);
		return -EPERM;
	}
	if (cmd == IPC_SET) {
		shp->uid = ds->shm_perm.uid;
		shp->gid = ds->shm_perm.gid;
		shp->mode = (shp->mode & ~S_IRWXUGO) | (ds->shm_perm.mode & S_IRWXUGO);
		shp->shm_ctim = shm_now(m);
	} else if (shp->shm_nattch) {
		shp->mode |= SHM_DEST;
		shp->key = IPC_PRIVATE;	/* ipc_set_key_private: not found any more */
	} else {
		shm_destroy(m, shp);
		return 0;
	}
	spin_unlock(&m->ipc.shm_lock);
	return 0;
}

/* SHM_LOCK / SHM_UNLOCK (cf. shmctl_do_lock). */
static long shmctl_do_lock(struct machine *m, int shmid, int cmd)
{
	struct shmid_kernel *shp;
	u32 euid = shm_euid(m);
	long err = 0;

	spin_lock(&m->ipc.shm_lock);
	shp = shm_obtain_check(m, shmid);
	if (!shp) {
		err = -EINVAL;
	} else if (!capable(m, CAP_IPC_LOCK) &&
		   ((euid != shp->uid && euid != shp->cuid) ||
		    (cmd == SHM_LOCK && !rlimit(m, RLIMIT_MEMLOCK)))) {
		err = -EPERM;
	} else if (cmd == SHM_LOCK) {
		err = shmem_lock(m, shp->shm_file, 1);
		if (!err)
			shp->mode |= SHM_LOCKED;
	} else if (shp->mode & SHM_LOCKED) {
		shmem_lock(m, shp->shm_file, 0);
		shp->mode &= ~SHM_LOCKED;
	}
	spin_unlock(&m->ipc.shm_lock);
	return err;
}

/* IPC_INFO and SHM_INFO (cf. shmctl_ipc_info, shmctl_shm_info). */
static long shmctl_info(struct machine *m, int cmd, void *buf)
{
	struct ipc_state *ipc = &m->ipc;
	struct shmid_kernel *shp;
	long ret;

	if (!buf)
		return -EFAULT;
	spin_lock(&ipc->shm_lock);
	if (cmd == IPC_INFO) {
		struct mmkit_shminfo *info = buf;

		info->shmmni = info->shmseg = (unsigned long)ipc->shm_ctlmni;
		info->shmmax = ipc->shm_ctlmax;
		info->shmall = ipc->shm_ctlall;
		info->shmmin = MMKIT_SHMMIN;
	} else {
		struct mmkit_shm_info *info = buf;

		mm_memset(info, 0, sizeof(*info));
		info->used_ids = ipc->shm_nr;
		list_for_each_entry(shp, &ipc->shm_segments, list) {
			info->shm_rss += shmem_nrpages(shp->shm_file);
			info->shm_swp += shmem_swapped(shp->shm_file);
		}
		info->shm_tot = ipc->shm_tot;
	}
	ret = shm_maxidx(m);
	spin_unlock(&ipc->shm_lock);
	return ret;
}

/**
 * sys_shmctl() - shmctl(2) (cf. ksys_shmctl)
 * @m: the machine
 * @shmid: the segment (an index for SHM_STAT/SHM_STAT_ANY)
 * @cmd: IPC_STAT, IPC_SET, IPC_RMID, IPC_INFO, SHM_INFO, SHM_STAT,
 *	SHM_STAT_ANY, SHM_LOCK, SHM_UNLOCK
 * @buf: see <mmkit/shm.h>
 *
 * Returns 0; the highest index in use (IPC_INFO, SHM_INFO); the shmid
 * (SHM_STAT*); or -EINVAL (bad command or id), -EACCES (IPC_STAT without
 * read permission), -EPERM (IPC_SET/IPC_RMID/SHM_LOCK by another user),
 * -ENOMEM (SHM_LOCK over RLIMIT_MEMLOCK), -EFAULT (no buffer).
 */
long sys_shmctl(struct machine *m, int shmid, int cmd, void *buf)
{
	if (!get_current(m))
		return -ESRCH;
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SHM_INFO:
		return shmctl_info(m, cmd, buf);
	case SHM_STAT:
	case SHM_STAT_ANY:
	case IPC_STAT:
		return shmctl_stat(m, shmid, cmd, buf);
	case IPC_SET:
	case IPC_RMID:
		return shmctl_down(m, shmid, cmd, buf);
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shmctl_do_lock(m, shmid, cmd);
	default:
		return -EINVAL;
	}
}

/**
 * shm_committed_pages() - Committed_AS pages the SysV segments hold
 * @m: the machine
 */
unsigned long shm_committed_pages(struct machine *m)
{
	struct shmid_kernel *shp;
	unsigned long pages = 0;

	if (!m->ipc.ready)
		return 0;
	spin_lock(&m->ipc.shm_lock);
	list_for_each_entry(shp, &m->ipc.shm_segments, list)
		pages += shp->shm_file->f_acct_pages;
	spin_unlock(&m->ipc.shm_lock);
	return pages;
}

/**
 * shm_proc_entry() - the @pos-th segment in index order, for
 *	/proc/sysvipc/shm (cf. sysvipc_find_ipc)
 * @m: the machine
 * @pos: 0, 1, ...
 * @e: filled
 *
 * Returns 0, or -ENOENT past the last segment.
 */
int shm_proc_entry(struct machine *m, int pos, struct shm_proc_info *e)
{
	struct shmid_kernel *shp;
	int ret = -ENOENT;

	if (!m->ipc.ready)
		return ret;
	spin_lock(&m->ipc.shm_lock);
	list_for_each_entry(shp, &m->ipc.shm_segments, list) {
		if (pos--)
			continue;
		shm_fill_stat(shp, &e->ds);
		e->id = shp->id;
		e->rss = shmem_nrpages(shp->shm_file);
		e->swap = shmem_swapped(shp->shm_file);
		ret = 0;
		break;
	}
	spin_unlock(&m->ipc.shm_lock);
	return ret;
}
