/* libFuzzer harness: random sequences of memory syscalls, user accesses,
 * forks, clones, exits and kernel allocations on a small i386 machine
 * (64 MiB) or, when the first byte is odd, an x86_64 one (64 MiB); and
 * (issue 5) the file syscalls on the simulated file system (open, close,
 * read, write, pread64, pwrite64, lseek, ftruncate, fsync, fdatasync,
 * unlink, sync), file mmap (MAP_SHARED/MAP_PRIVATE of an fd, then msync,
 * mremap, munmap as above) and swapon/swapoff of a small swap file that
 * every run starts with; and (issue 7) System V shm: shmget (IPC_PRIVATE,
 * small keys, raw keys; sizes from 0 to ~0; IPC_CREAT/IPC_EXCL/
 * SHM_NORESERVE/SHM_HUGETLB and random modes), shmat (ids returned
 * earlier or raw, wild addresses, SHM_RDONLY/SHM_RND/SHM_REMAP/SHM_EXEC),
 * shmdt (addresses shmat returned, or wild), shmctl IPC_RMID, IPC_STAT,
 * SHM_LOCK, SHM_UNLOCK (and unknown commands).
 *
 * The input is a byte program: each operation is an opcode byte followed
 * by argument bytes (see next_op). Addresses come from a table of
 * interesting values (the test window, TASK_SIZE and around, kernel
 * addresses, wrapping values) plus page offsets and raw bytes; lengths
 * likewise (0, 1, pages, ~0, values that wrap).
 *
 * Whatever the bytes: no crash, no sanitizer report, every syscall returns
 * a value or -errno (never a positive error, never an errno outside
 * 1..4095), mmkit_read/mmkit_write return 0, -EFAULT or -ESRCH,
 * mmkit_check() is clean after every operation, kernel allocations keep
 * their bytes (no user access reaches them), after every shm call each
 * segment's shm_nattch equals the SysV VMAs mapping it in every mm (none
 * left SHM_DEST with nothing attached) and SHM_INFO agrees with
 * SHM_STAT_ANY's walk; at the end every segment is removed (used_ids 0,
 * NR_SHMEM 0, no shmem object left) and once every process has exited
 * the free page count is back to where it started: otherwise abort(). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/fs.h>
#include <mmkit/mman.h>
#include <mmkit/mmkit.h>
#include <mmkit/mmu.h>
#include <mmkit/sched.h>
#include <mmkit/shm.h>
#include <mmkit/signal.h>
#include <mmkit/slab.h>
#include <mmkit/swap.h>
#include <mmkit/vmalloc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define WIN 0x50000000UL
#define MAXP 6
#define MAXK 16
#define MAXS 8		/* shm ids and attach addresses remembered */

static const char i386_64m[] =
	"name fuzz-i386\narch i386\nhighmem yes\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable\n";
static const char x86_64_64m[] =
	"name fuzz-x86_64\narch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable\n";

struct in {
	const uint8_t *p;
	size_t n;
};

static unsigned int byte(struct in *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}

static unsigned long word(struct in *in)
{
	unsigned long v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | byte(in);
	return v;
}

struct fz {
	struct machine *m;
	struct task_struct *t[MAXP];
	struct { void *ptr; struct page *page; unsigned int order; int type; } k[MAXK];
	int nk;
	int caught;
	int shmid[MAXS];		/* ids shmget returned (ring) */
	unsigned long shmaddr[MAXS];	/* addresses shmat returned (ring) */
	unsigned int nshmid, nshmaddr;
};

static unsigned long task_size(struct fz *f)
{
	struct task_struct *t = get_current(f->m);

	return t && t->mm ? t->mm->task_size : 0xc0000000UL;
}

/* An address: mostly the window, sometimes the edges of user space. */
static unsigned long addr_arg(struct fz *f, struct in *in)
{
	unsigned int sel = byte(in), pg = byte(in);
	unsigned long ts = task_size(f);

	switch (sel % 12) {
	case 0: return 0;
	case 1: return ts - (unsigned long)(pg % 8) * 4096;
	case 2: return ts + (unsigned long)pg * 4096;
	case 3: return -1UL - pg;
	case 4: return word(in);
	case 5: return WIN + (unsigned long)pg * 4096 + (sel >> 4);	/* maybe unaligned */
	case 6: { struct task_struct *t = get_current(f->m);
		  return t && t->mm ? t->mm->brk + (unsigned long)(pg % 16) * 4096 : 0; }
	case 7: { struct task_struct *t = get_current(f->m);
		  return t && t->mm ? t->mm->start_stack - (unsigned long)pg * 4096 : 0; }
	default: return WIN + (unsigned long)(pg % 64) * 4096;
	}
}

static unsigned long len_arg(struct in *in)
{
	unsigned int sel = byte(in), v = byte(in);

	switch (sel % 10) {
	case 0: return 0;
	case 1: return -1UL - v;
	case 2: return (unsigned long)v << 20;
	case 3: return v;
	case 4: return 0x80000000UL + v;
	default: return (unsigned long)(v % 16 + 1) * 4096;
	}
}

static void check_ret(long r)
{
	if (getenv("MMKIT_FUZZ_TRACE"))
		fprintf(stderr, "  -> %ld\n", r);
	/* a syscall answers a value or -errno with 0 < errno < 4096 */
	if (r < 0 && r < -4095)
		abort();
}

static void handler(struct machine *m, struct task_struct *tsk, const struct mmkit_siginfo *info,
		    void *arg)
{
	(void)m;
	(void)tsk;
	if (info->signo != SIGSEGV && info->signo != SIGBUS)
		abort();
	++*(int *)arg;
}

static int slot_free(struct fz *f)
{
	for (int i = 0; i < MAXP; i++)
		if (!f->t[i])
			return i;
	return -1;
}

/* Forget tasks the kernel has freed (killed by a signal, ended as threads). */
static void forget_dead(struct fz *f)
{
	for (int i = 0; i < MAXP; i++)
		if (f->t[i] && find_task_by_pid(f->m, f->t[i]->pid) != f->t[i])
			f->t[i] = NULL;
}

static void new_task(struct fz *f, struct task_struct *t, bool catch_segv)
{
	int i = slot_free(f);

	if (!t)
		return;
	if (i < 0) {
		mmkit_exit(f->m, t, 0);
		return;
	}
	f->t[i] = t;
	if (catch_segv)
		mmkit_sigaction(f->m, t, SIGSEGV, handler, &f->caught);
}

static void kernel_op(struct fz *f, struct in *in)
{
	unsigned int sel = byte(in), v = byte(in);

	if (f->nk && (sel & 1 || f->nk == MAXK)) {
		int i = (int)(v % (unsigned int)f->nk);

		if (f->k[i].type == 0)
			__free_pages(f->m, f->k[i].page, f->k[i].order);
		else if (f->k[i].type == 1)
			kfree(f->m, f->k[i].ptr);
		else
			vfree(f->m, f->k[i].ptr);
		f->k[i] = f->k[--f->nk];
		return;
	}
	f->k[f->nk].type = (int)(sel >> 1) % 3;
	switch (f->k[f->nk].type) {
	case 0:
		f->k[f->nk].order = v % 4;
		f->k[f->nk].page = alloc_pages(f->m, (sel & 2) ? GFP_HIGHUSER : GFP_KERNEL,
					       f->k[f->nk].order);
		if (f->k[f->nk].page)
			f->nk++;
		break;
	case 1:
		f->k[f->nk].ptr = kmalloc(f->m, (size_t)v * 37 + 1, GFP_KERNEL);
		if (f->k[f->nk].ptr)
			f->nk++;
		break;
	default:
		f->k[f->nk].ptr = vmalloc(f->m, (unsigned long)v * 512 + 1);
		if (f->k[f->nk].ptr)
			f->nk++;
		break;
	}
}

static void access_op(struct fz *f, struct in *in, bool write)
{
	unsigned long a = addr_arg(f, in);
	size_t len = len_arg(in) % 9000;
	uint8_t *buf = calloc(1, len + 1);
	int r;

	if (!buf)
		return;
	r = write ? mmkit_write(f->m, a, buf, len) : mmkit_read(f->m, a, buf, len);
	free(buf);
	if (r != 0 && r != -EFAULT && r != -ESRCH)
		abort();
}

/* The SysV attach VMAs of segment @id in every mm (tasks sharing an mm
 * count it once). */
static unsigned long shm_vmas(struct machine *m, int id)
{
	struct mm_struct *seen[64];
	struct task_struct *t;
	unsigned long n = 0;
	int nseen = 0;

	list_for_each_entry(t, &m->sched.tasks, tasks) {
		bool dup = false;

		if (!t->mm)
			continue;
		for (int i = 0; i < nseen; i++)
			dup |= seen[i] == t->mm;
		if (dup || nseen == 64)
			continue;
		seen[nseen++] = t->mm;
		for (struct vm_area_struct *v = t->mm->mmap; v; v = v->vm_next)
			n += v->vm_file && v->vm_file->f_ino == (unsigned long)id &&
			     !strncmp(v->vm_file->f_path, "/SYSV", 5);
	}
	return n;
}

/* Every segment (SHM_STAT_ANY by index): shm_nattch is its VMAs, none is
 * SHM_DEST with nothing attached; SHM_INFO's counts agree. */
static void shm_invariants(struct fz *f)
{
	struct mmkit_shm_info si;
	struct mmkit_shmid_ds ds;
	unsigned long tot = 0;
	long maxidx = sys_shmctl(f->m, 0, SHM_INFO, &si);
	int used = 0;

	if (maxidx < 0)
		abort();
	for (long idx = 0; idx <= maxidx && si.used_ids; idx++) {
		long id = sys_shmctl(f->m, (int)idx, SHM_STAT_ANY, &ds);

		if (id == -EINVAL)
			continue;
		if (id < 0 || ds.shm_nattch != shm_vmas(f->m, (int)id) ||
		    (ds.shm_perm.mode & SHM_DEST && !ds.shm_nattch)) {
			fprintf(stderr, "segment %ld: %ld, nattch %lu, %lu VMAs, mode %#o\n", idx, id,
				ds.shm_nattch, shm_vmas(f->m, (int)id), ds.shm_perm.mode);
			abort();
		}
		used++;
		tot += (ds.shm_segsz + 4095) / 4096;
	}
	if (used != si.used_ids || tot != si.shm_tot || si.shm_rss + si.shm_swp > si.shm_tot) {
		fprintf(stderr, "SHM_INFO: %d ids %lu pages (rss %lu swap %lu); found %d, %lu\n",
			si.used_ids, si.shm_tot, si.shm_rss, si.shm_swp, used, tot);
		abort();
	}
}

static int shmid_arg(struct fz *f, struct in *in)
{
	unsigned int sel = byte(in);

	if (sel < 192 && f->nshmid)
		return f->shmid[sel % (f->nshmid < MAXS ? f->nshmid : MAXS)];
	switch (sel % 4) {
	case 0: return 0;
	case 1: return -1;
	case 2: return 32768 + (int)(sel % 8);
	default: return (int)word(in);
	}
}

static void shm_op(struct fz *f, struct in *in)
{
	static const int cmds[] = { IPC_RMID, IPC_STAT, SHM_LOCK, SHM_UNLOCK, IPC_INFO, SHM_INFO, 99 };
	struct machine *m = f->m;
	unsigned int sel = byte(in);
	union { struct mmkit_shmid_ds ds; struct mmkit_shminfo info; struct mmkit_shm_info si; } buf;
	long r;

	switch (sel % 4) {
	case 0: { unsigned int k = byte(in), fl = byte(in), mode = byte(in);
		s32 key = k < 128 ? IPC_PRIVATE : k < 250 ? (s32)(k % 4) : (s32)word(in);
		unsigned long size = len_arg(in);

		r = sys_shmget(m, key, size, (fl & 1 ? IPC_CREAT : 0) | (fl & 2 ? IPC_EXCL : 0) |
				 (fl & 4 ? SHM_NORESERVE : 0) | (fl & 8 ? SHM_HUGETLB : 0) |
				 (int)(fl & 16 ? 0600 : (mode * 7) & 0777));
		check_ret(r);
		if (r >= 0)
			f->shmid[f->nshmid++ % MAXS] = (int)r;
		break; }
	case 1: { int id = shmid_arg(f, in);
		unsigned int fl = byte(in);
		unsigned long a = fl & 128 ? 0 : addr_arg(f, in);

		int flg = (fl & 1 ? SHM_RDONLY : 0) | (fl & 2 ? SHM_RND : 0) | (fl & 4 ? SHM_REMAP : 0) |
			  (fl & 8 ? SHM_EXEC : 0);

		if (getenv("MMKIT_FUZZ_TRACE"))
			fprintf(stderr, "  shmat %d %#lx %#o\n", id, a, (unsigned int)flg);
		r = sys_shmat(m, id, a, flg);
		check_ret(r);
		if (r >= 0)
			f->shmaddr[f->nshmaddr++ % MAXS] = (unsigned long)r;
		break; }
	case 2: { unsigned int s2 = byte(in);

		if (s2 & 1 && f->nshmaddr)
			r = sys_shmdt(m, f->shmaddr[(s2 >> 1) % (f->nshmaddr < MAXS ? f->nshmaddr : MAXS)]);
		else
			r = sys_shmdt(m, addr_arg(f, in));
		check_ret(r);
		break; }
	default: { int id = shmid_arg(f, in);

		memset(&buf, 0, sizeof(buf));
		r = sys_shmctl(m, id, cmds[byte(in) % (sizeof(cmds) / sizeof(cmds[0]))], &buf);
		check_ret(r);
		break; }
	}
	shm_invariants(f);
}

/* Paths of the simulated file system: the files every run starts with,
 * the swap file, and names that do not resolve. */
static const char *const paths[] = { "f0", "f1", "/f2", "swap", "", "nodir/x", "f0/", "new",
				     "..", "/" };
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

static unsigned int fd_arg(struct in *in)
{
	unsigned int v = byte(in);

	return v < 224 ? v % 8 : v;	/* mostly the fds a task may hold */
}

static long long pos_arg(struct in *in)
{
	unsigned int sel = byte(in);

	switch (sel % 6) {
	case 0: return 0;
	case 1: return -1 - (long long)byte(in);
	case 2: return (long long)word(in) << 20;
	case 3: return 0x7fffffffffffffffLL - byte(in);
	default: return (long long)byte(in) * 4096 + byte(in);
	}
}

static void file_op(struct fz *f, struct in *in, unsigned int op)
{
	struct machine *m = f->m;
	unsigned long a, l;
	unsigned int fd;

	if (!get_current(m))
		return;	/* the file syscalls need a task */
	switch (op) {
	case 0: { static const int fl[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR | O_CREAT,
					    O_RDWR | O_TRUNC, O_WRONLY | O_APPEND, O_CREAT | O_EXCL,
					    O_RDONLY | O_DIRECTORY, O_RDWR | O_CREAT | O_TRUNC };
		unsigned int pi = byte(in) % NPATHS;

		if (getenv("MMKIT_FUZZ_TRACE"))
			fprintf(stderr, "  open %s\n", paths[pi]);
		check_ret(sys_open(m, paths[pi], fl[byte(in) % 9], 0600));
		break; }
	case 1: check_ret(sys_close(m, fd_arg(in))); break;
	case 2: fd = fd_arg(in); a = addr_arg(f, in); l = len_arg(in) % 70000;
		if (byte(in) & 1)
			check_ret(sys_read(m, fd, a, l));
		else
			check_ret(sys_pread64(m, fd, a, l, pos_arg(in)));
		break;
	case 3: fd = fd_arg(in); a = addr_arg(f, in); l = len_arg(in) % 70000;
		if (byte(in) & 1)
			check_ret(sys_write(m, fd, a, l));
		else
			check_ret(sys_pwrite64(m, fd, a, l, pos_arg(in) % (1LL << 24)));
		break;
	case 4: { long long pos, r;
		unsigned int whence;

		fd = fd_arg(in);
		pos = pos_arg(in);
		whence = byte(in) % 6;
		r = sys_lseek(m, fd, pos, whence);
		if (r < 0 && r < -4095)
			abort();
		break; }
	case 5: fd = fd_arg(in); check_ret(sys_ftruncate(m, fd, pos_arg(in) % (1LL << 24))); break;
	case 6: fd = fd_arg(in); check_ret(byte(in) & 1 ? sys_fsync(m, fd) : sys_fdatasync(m, fd));
		break;
	case 7: check_ret(sys_unlink(m, paths[byte(in) % NPATHS])); break;
	case 8: case 9: case 10: {	/* file mmap */
		unsigned int fl = byte(in), prot;
		unsigned long flags = (fl & 1 ? MAP_SHARED : MAP_PRIVATE) | (fl & 2 ? MAP_FIXED : 0) |
				      (fl & 4 ? MAP_POPULATE : 0), off;

		fd = fd_arg(in);
		a = addr_arg(f, in);
		l = len_arg(in);
		prot = byte(in) & 7;
		off = (unsigned long)(byte(in) % 8) * 4096;
		check_ret(sys_mmap(m, flags & MAP_FIXED ? a & ~4095UL : a, l, prot, flags, fd, off));
		break; }
	case 11: { unsigned int sel = byte(in), pi = byte(in) % 4, prio = byte(in);

		check_ret(sel & 1 ? sys_swapoff(m, paths[pi])
				  : sys_swapon(m, paths[pi], (int)(prio << 8 | (sel & 2 ? 0x8000 : 0))));
		break; }
	case 13: shm_op(f, in); break;
	default: check_ret(sys_sync(m)); break;
	}
}

static unsigned long fz_free_pages(struct machine *m);

static void next_op(struct fz *f, struct in *in)
{
	struct machine *m = f->m;
	unsigned int op = byte(in);
	unsigned int who = byte(in) % MAXP;
	unsigned long a, l;

	forget_dead(f);
	if (f->t[who])
		mmkit_set_current(m, f->t[who]);
	if (getenv("MMKIT_FUZZ_TRACE"))	/* replaying a crash: which operations ran */
		fprintf(stderr, "op %u (case %u) task %d free %lu\n", op % 36,
			op % 36 >= 22 ? op % 36 - 22 : op % 22, f->t[who] ? f->t[who]->pid : 0,
			fz_free_pages(m));
	if (op % 36 >= 22) {
		file_op(f, in, op % 36 - 22);
		if (mmkit_check(m))
			abort();
		return;
	}
	switch (op % 22) {
	case 0: a = addr_arg(f, in); l = len_arg(in);
		check_ret(sys_mmap(m, a, l, byte(in) & 7, (word(in) & 0x1fffff) | MAP_ANONYMOUS,
				   -1UL, 0));
		break;
	case 1: a = addr_arg(f, in); l = len_arg(in);
		check_ret(sys_mmap(m, a & ~4095UL, l, byte(in) & 7,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1UL, 0));
		break;
	case 2: a = addr_arg(f, in); check_ret(sys_munmap(m, a, len_arg(in))); break;
	case 3: a = addr_arg(f, in); l = len_arg(in);
		check_ret(sys_mprotect(m, a, l, byte(in) % 8 | (byte(in) == 7 ? PROT_GROWSDOWN : 0)));
		break;
	case 4: { unsigned long a2 = addr_arg(f, in), ol = len_arg(in), nl = len_arg(in);
		check_ret(sys_mremap(m, a2, ol, nl, byte(in) % 8, addr_arg(f, in)));
		break; }
	case 5: check_ret(sys_brk(m, addr_arg(f, in))); break;
	case 6: { static const int adv[] = { MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL,
					     MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
					     MADV_DONTFORK, MADV_DOFORK, MADV_WIPEONFORK,
					     MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
					     MADV_POPULATE_READ, MADV_POPULATE_WRITE,
					     MADV_DONTNEED_LOCKED, MADV_HUGEPAGE, MADV_DONTDUMP, 99 };
		a = addr_arg(f, in); l = len_arg(in);
		check_ret(sys_madvise(m, a, l, adv[byte(in) % (sizeof(adv) / sizeof(adv[0]))]));
		break; }
	case 7: a = addr_arg(f, in); check_ret(sys_mlock(m, a, len_arg(in))); break;
	case 8: a = addr_arg(f, in); check_ret(sys_munlock(m, a, len_arg(in))); break;
	case 9: check_ret(sys_mlockall(m, (int)(byte(in) % 8))); break;
	case 10: check_ret(sys_munlockall(m)); break;
	case 11: a = addr_arg(f, in); l = len_arg(in); check_ret(sys_msync(m, a, l, (int)byte(in) % 8));
		break;
	case 12: case 13: case 14: access_op(f, in, false); break;
	case 15: case 16: access_op(f, in, true); break;
	case 17: if (f->t[who]) new_task(f, mmkit_fork(m, f->t[who]), byte(in) & 1); break;
	case 18: if (f->t[who]) {
			static const unsigned long fl[] = { CLONE_VM | SIGCHLD,
				CLONE_VM | CLONE_SIGHAND | CLONE_THREAD, CLONE_THREAD, SIGCHLD };
			new_task(f, mmkit_clone(m, f->t[who], fl[byte(in) % 4]), true);
		}
		break;
	case 19: if (f->t[who]) { mmkit_exit(m, f->t[who], 0); f->t[who] = NULL; }
		if (get_current(m))
			while (mmkit_wait(m, -1, NULL) > 0)
				;
		break;
	case 20: new_task(f, mmkit_spawn(m, "fz", NULL), byte(in) & 1); break;
	default: kernel_op(f, in); break;
	}
	if (mmkit_check(m))
		abort();
}

/* Make the lazily created "radix_tree_node" cache before counting pages. */
static void fz_warm(struct fz *f)
{
	struct xarray xa;

	xa_init(&xa);
	xa_store(f->m, &xa, 1000, &xa, GFP_KERNEL);
	xa_destroy(f->m, &xa);
}

/* f0, f1 and /f2 with a few pages of bytes, written by the first task. */
static void fz_make_files(struct fz *f)
{
	static const unsigned char page[4096] = { 1, 2, 3 };
	unsigned long buf;

	mmkit_set_current(f->m, f->t[0]);
	buf = (unsigned long)sys_mmap(f->m, 0, 4096, PROT_READ | PROT_WRITE,
						    MAP_PRIVATE | MAP_ANONYMOUS, -1UL, 0);

	if (mmkit_write(f->m, buf, page, sizeof(page)))
		abort();
	for (int i = 0; i < 3; i++) {
		long fd = sys_open(f->m, paths[i], O_RDWR | O_CREAT, 0644);

		if (fd < 0)
			abort();
		for (int p = 0; p <= i; p++)
			if (sys_pwrite64(f->m, (unsigned int)fd, buf, 4096, (long long)p * 4096 * 3) != 4096)
				abort();
		sys_close(f->m, (unsigned int)fd);
	}
	sys_munmap(f->m, buf, 4096);
}

/* After every task exited: IPC_RMID every segment left (nothing is
 * attached any more, so each goes at once); then no segment, no Shmem
 * and no shmem object may be left. */
static void fz_remove_segments(struct fz *f)
{
	struct mmkit_shm_info si;
	struct mmkit_shmid_ds ds;
	long maxidx = sys_shmctl(f->m, 0, SHM_INFO, &si);

	for (long idx = 0; idx <= maxidx; idx++) {
		long id = sys_shmctl(f->m, (int)idx, SHM_STAT_ANY, &ds);

		if (id >= 0 && (ds.shm_nattch || sys_shmctl(f->m, (int)id, IPC_RMID, NULL))) {
			fprintf(stderr, "segment %ld: nattch %lu after every exit, or IPC_RMID failed\n",
				id, ds.shm_nattch);
			abort();
		}
	}
	shm_invariants(f);
	if (sys_shmctl(f->m, 0, SHM_INFO, &si) < 0 || si.used_ids || si.shm_tot ||
	    node_page_state(&f->m->node, NR_SHMEM) || !list_empty(&f->m->ipc.shmem_inodes)) {
		fprintf(stderr, "shm leak: %d segments, %lu pages, NR_SHMEM %lu\n", si.used_ids,
			si.shm_tot, node_page_state(&f->m->node, NR_SHMEM));
		abort();
	}
}

/* After every task exited: remove the segments, unlink what the run may
 * have made (their page cache goes with the last close) and turn the
 * swap area off. */
static void fz_remove_files(struct fz *f)
{
	struct task_struct *t = mmkit_spawn(f->m, "fz-end", NULL);

	if (!t)
		abort();
	mmkit_set_current(f->m, t);
	fz_remove_segments(f);
	sys_swapoff(f->m, "swap");
	for (unsigned int i = 0; i < NPATHS; i++)
		sys_unlink(f->m, paths[i]);	/* the swap file too: a cached inode stays */
	mmkit_exit(f->m, t, 0);
	if (mmkit_check(f->m))
		abort();
}

/* After fz_remove_files: no file inode may be left (they are all
 * unlinked and closed); directories opened by the run ("/", "..") stay in
 * the inode cache as Linux keeps them. Returns whether any did. */
static bool fz_dirs_cached(struct fz *f)
{
	bool dirs = false;

	for (struct list_head *l = f->m->fs.inodes.next; l != &f->m->fs.inodes; l = l->next) {
		struct inode *inode = list_entry(l, struct inode, i_list);

		if ((inode->i_mode & MMKIT_S_IFMT) != MMKIT_S_IFDIR) {
			fprintf(stderr, "inode %lu (%s) left, i_count %d\n", inode->i_ino,
				inode->i_path, inode->i_count);
			abort();
		}
		dirs = true;
	}
	return dirs;
}

static unsigned long fz_free_pages(struct machine *m)
{
	unsigned long n = 0;

	shrink_slab_caches(m);
	drain_all_pages(m);
	for (int z = 0; z < MAX_NR_ZONES; z++)
		n += (unsigned long)m->node.node_zones[z].vm_stat[NR_FREE_PAGES];
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_desc d;
	struct fz f = { 0 };
	struct in in = { data, size };
	unsigned long free0, kt0;
	char err[128];

	if (size > 4096)
		return 0;
	if (mmkit_desc_parse(&d, byte(&in) & 1 ? x86_64_64m : i386_64m, "fuzz", err, sizeof(err)))
		abort();
	f.m = mmkit_machine_create(&d);
	if (!f.m || mmkit_boot(f.m))
		abort();
	/* the swap file and the files every run starts with: swapoff and
	 * unlink at the end give their memory back */
	fz_warm(&f);
	free0 = fz_free_pages(f.m);
	kt0 = f.m->pgtables.nr_kernel_tables;
	if (mmkit_mkswap(f.m, "swap", 64 * 4096) || sys_swapon(f.m, "swap", 0))
		abort();
	new_task(&f, mmkit_spawn(f.m, "fz", NULL), true);
	fz_make_files(&f);
	while (in.n)
		next_op(&f, &in);
	/* everyone exits; parents reap */
	forget_dead(&f);
	for (int i = 0; i < MAXP; i++) {
		forget_dead(&f);
		if (f.t[i]) {
			mmkit_exit(f.m, f.t[i], 0);
			f.t[i] = NULL;
		}
	}
	while (f.m->sched.nr_tasks) {
		struct task_struct *t = list_first_entry(&f.m->sched.tasks, struct task_struct, tasks);

		mmkit_exit(f.m, t, 0);
	}
	fz_remove_files(&f);
	while (f.nk) {
		in.n = 1;	/* force frees */
		in.p = (const uint8_t *)"\x01";
		kernel_op(&f, &in);
	}
	if (mmkit_check(f.m))
		abort();
	/* an area whose file was unlinked while active cannot be named any
	 * more: its swap_map stays, so the count is not comparable */
	if (!f.m->swap.total_swap_pages && !fz_dirs_cached(&f) &&
	    fz_free_pages(f.m) + (f.m->pgtables.nr_kernel_tables - kt0) != free0) {
		fprintf(stderr, "page leak: %lu free, %lu at the start\n", fz_free_pages(f.m), free0);
		abort();
	}
	mmkit_machine_destroy(f.m);
	return 0;
}
