/* The open-file table of a process (cf. fs/file.c: alloc_fd, fd_install,
 * fget, dup_fd, copy_files, exit_files, close_files).
 *
 * A files_struct holds max_fds slots (NR_OPEN_DEFAULT = 64 at first,
 * doubled as needed up to RLIMIT_NOFILE, past which it is -EMFILE) and a
 * close-on-exec bitmap; fds are handed out lowest first. It is shared by
 * CLONE_FILES (threads), copied by fork (the copies reference the same
 * struct files, so offsets are shared) and put at exit, the last user
 * closing everything. A task gets its table at its first open.
 *
 * Invariant: every occupied slot holds one reference of its file, counted
 * in f_count and in f_nr_fds (as is every transient fget). */
#include "mm/filemap.h"

/* ---- the fd table ---- */

static struct files_struct *alloc_files(struct machine *m, unsigned int nr)
{
	struct files_struct *files = kzalloc(m, sizeof(*files), GFP_KERNEL);

	if (!files)
		return NULL;
	files->fd = kcalloc(m, nr, sizeof(*files->fd), GFP_KERNEL);
	files->close_on_exec = kcalloc(m, (nr + 63) / 64, sizeof(unsigned long), GFP_KERNEL);
	if (!files->fd || !files->close_on_exec) {
		kfree(m, files->fd);
		kfree(m, files->close_on_exec);
		kfree(m, files);
		return NULL;
	}
	files->count = 1;
	files->max_fds = nr;
	spin_lock_init(&files->file_lock);
	return files;
}

static void free_files(struct machine *m, struct files_struct *files)
{
	kfree(m, files->fd);
	kfree(m, files->close_on_exec);
	kfree(m, files);
}

/**
 * current_files() - the current task's fd table, made on first use
 * @m: the machine
 *
 * NULL without a task or memory.
 */
struct files_struct *current_files(struct machine *m)
{
	struct task_struct *tsk = get_current(m);

	if (!tsk)
		return NULL;
	if (!tsk->files)
		tsk->files = alloc_files(m, NR_OPEN_DEFAULT);
	return tsk->files;
}

static unsigned long nofile_limit(struct machine *m)
{
	struct task_struct *tsk = get_current(m);

	return tsk ? tsk->rlim[RLIMIT_NOFILE].rlim_cur : NR_OPEN_DEFAULT;
}

/* Grow the table to hold fd @nr; called with file_lock held (allocates
 * atomically). 0 or -ENOMEM. */
static int expand_files(struct machine *m, struct files_struct *files, unsigned int nr)
{
	unsigned int n = files->max_fds;
	struct file **fd;
	unsigned long *cloexec;

	while (n <= nr)
		n *= 2;
	fd = kcalloc(m, n, sizeof(*fd), GFP_ATOMIC);
	cloexec = kcalloc(m, (n + 63) / 64, sizeof(unsigned long), GFP_ATOMIC);
	if (!fd || !cloexec) {
		kfree(m, fd);
		kfree(m, cloexec);
		return -ENOMEM;
	}
	mm_memcpy(fd, files->fd, files->max_fds * sizeof(*fd));
	mm_memcpy(cloexec, files->close_on_exec, (files->max_fds + 63) / 64 * sizeof(unsigned long));
	kfree(m, files->fd);
	kfree(m, files->close_on_exec);
	files->fd = fd;
	files->close_on_exec = cloexec;
	files->max_fds = n;
	return 0;
}

/**
 * find_free_fd() - the lowest free fd below RLIMIT_NOFILE, growing the table
 * @m: the machine
 * @files: the table, file_lock held
 *
 * Returns the fd, -EMFILE or -ENOMEM.
 */
int find_free_fd(struct machine *m, struct files_struct *files)
{
	unsigned long limit = nofile_limit(m);
	unsigned int fd;

	for (fd = files->next_fd; fd < files->max_fds && files->fd[fd]; fd++)
		;
	if (fd >= limit)
		return -EMFILE;
	if (fd >= files->max_fds && expand_files(m, files, fd))
		return -ENOMEM;
	return (int)fd;
}

/**
 * fd_install_new() - give @file the lowest free fd of the current task
 *	(cf. get_unused_fd_flags + fd_install)
 * @m: the machine
 * @file: the file; its caller's reference becomes the fd's
 * @flags: O_CLOEXEC is remembered
 *
 * Returns the fd, -EMFILE (RLIMIT_NOFILE), -ENOMEM, -ESRCH (no task).
 */
int fd_install_new(struct machine *m, struct file *file, unsigned int flags)
{
	struct files_struct *files = current_files(m);
	int fd;

	if (!files)
		return get_current(m) ? -ENOMEM : -ESRCH;
	spin_lock(&files->file_lock);
	fd = find_free_fd(m, files);
	if (fd >= 0) {
		files->fd[fd] = file;
		if (flags & O_CLOEXEC)
			files->close_on_exec[fd / 64] |= 1UL << (fd % 64);
		else
			files->close_on_exec[fd / 64] &= ~(1UL << (fd % 64));
		files->next_fd = (unsigned int)fd + 1;
		file->f_nr_fds++;
	}
	spin_unlock(&files->file_lock);
	return fd;
}

/**
 * fget() - the open file behind @fd, referenced (cf. fget)
 * @m: the machine
 * @fd: a file descriptor of the current task
 *
 * Returns NULL when @fd is not open. Drop with fput_fd().
 */
struct file *fget(struct machine *m, unsigned int fd)
{
	struct task_struct *tsk = get_current(m);
	struct files_struct *files = tsk ? tsk->files : NULL;
	struct file *file = NULL;

	if (!files)
		return NULL;
	spin_lock(&files->file_lock);
	if (fd < files->max_fds && (file = files->fd[fd])) {
		file->f_count++;
		file->f_nr_fds++;
	}
	spin_unlock(&files->file_lock);
	return file;
}

/**
 * fget_err() - fget(), with -EBADF in *@err when @fd is not open
 * @m: the machine
 * @fd: the fd
 * @err: set on failure
 */
struct file *fget_err(struct machine *m, unsigned int fd, int *err)
{
	struct file *file = fget(m, fd);

	if (!file)
		*err = get_current(m) ? -EBADF : -ESRCH;
	return file;
}

/**
 * fput_fd() - drop what fget() took
 * @m: the machine
 * @file: the file
 */
void fput_fd(struct machine *m, struct file *file)
{
	file->f_nr_fds--;
	fput(m, file);
}

/**
 * dup_fd() - a copy of a table for fork (cf. dup_fd)
 * @m: the machine
 * @oldf: the parent's table
 * @errorp: -ENOMEM on failure
 */
struct files_struct *dup_fd(struct machine *m, struct files_struct *oldf, int *errorp)
{
	struct files_struct *newf = alloc_files(m, oldf->max_fds);

	if (!newf) {
		*errorp = -ENOMEM;
		return NULL;
	}
	spin_lock(&oldf->file_lock);
	for (unsigned int fd = 0; fd < oldf->max_fds; fd++) {
		struct file *file = oldf->fd[fd];

		if (file) {
			file->f_count++;
			file->f_nr_fds++;
			newf->fd[fd] = file;
		}
	}
	mm_memcpy(newf->close_on_exec, oldf->close_on_exec,
		  (oldf->max_fds + 63) / 64 * sizeof(unsigned long));
	spin_unlock(&oldf->file_lock);
	return newf;
}

/**
 * copy_files() - give a new task its fd table: the parent's shared with
 *	CLONE_FILES, else a copy (cf. copy_files)
 * @m: the machine
 * @clone_flags: CLONE_*
 * @parent: the parent
 * @tsk: the child (tsk->files is the parent's pointer, copied)
 *
 * Returns 0 or -ENOMEM.
 */
int copy_files(struct machine *m, unsigned long clone_flags, struct task_struct *parent,
	       struct task_struct *tsk)
{
	int err = 0;

	if ((clone_flags & CLONE_FILES) && !parent->files)
		parent->files = alloc_files(m, NR_OPEN_DEFAULT);	/* so both see one table */
	tsk->files = parent->files;
	if (!tsk->files)
		return 0;
	if (clone_flags & CLONE_FILES) {
		__atomic_fetch_add(&tsk->files->count, 1, __ATOMIC_RELAXED);
		return 0;
	}
	tsk->files = dup_fd(m, parent->files, &err);
	return err;
}

/**
 * exit_files() - the task lets go of its fd table; the last user closes
 *	every file (cf. exit_files, close_files)
 * @m: the machine
 * @tsk: the exiting task
 */
void exit_files(struct machine *m, struct task_struct *tsk)
{
	struct files_struct *files = tsk->files;

	tsk->files = NULL;
	if (!files || __atomic_sub_fetch(&files->count, 1, __ATOMIC_ACQ_REL))
		return;
	for (unsigned int fd = 0; fd < files->max_fds; fd++)
		if (files->fd[fd])
			fput_fd(m, files->fd[fd]);
	free_files(m, files);
}


/**
 * unshare_files() - give @tsk a table of its own if another process
 *	shares it (exec, cf. unshare_files)
 * @m: the machine
 * @tsk: the task about to exec (its threads already gone)
 *
 * Returns 0 or -ENOMEM (the table is then left shared).
 */
int unshare_files(struct machine *m, struct task_struct *tsk)
{
	struct files_struct *old = tsk->files, *copy;
	int err = 0;

	if (!old || __atomic_load_n(&old->count, __ATOMIC_ACQUIRE) == 1)
		return 0;
	copy = dup_fd(m, old, &err);
	if (!copy)
		return err;
	exit_files(m, tsk);	/* drops our use of the shared one */
	tsk->files = copy;
	return 0;
}

/**
 * do_close_on_exec() - close the fds opened with O_CLOEXEC (cf.
 *	do_close_on_exec)
 * @m: the machine
 * @files: the exec'ing task's own table (unshare_files ran)
 */
void do_close_on_exec(struct machine *m, struct files_struct *files)
{
	if (!files)
		return;
	for (unsigned int fd = 0; fd < files->max_fds; fd++) {
		struct file *file;

		if (!(files->close_on_exec[fd / 64] & (1UL << (fd % 64))))
			continue;
		files->close_on_exec[fd / 64] &= ~(1UL << (fd % 64));
		spin_lock(&files->file_lock);
		file = files->fd[fd];
		files->fd[fd] = NULL;
		if (fd < files->next_fd)
			files->next_fd = fd;
		spin_unlock(&files->file_lock);
		if (file)
			fput_fd(m, file);
	}
}
