/* Scenario names for Linux constants: PROT_*, MAP_*, MADV_*, GFP masks,
 * MREMAP_*, MS_*, MCL_*, MLOCK_*, O_*, SEEK_*, IPC_* and SHM_*, errno and
 * signal names (cf.
 * include/uapi/asm-generic/mman-common.h, include/linux/gfp_types.h,
 * include/uapi/asm-generic/errno-base.h, errno.h, signal.h).
 *
 * Names are matched case-insensitively, with or without their Linux
 * prefix ("MAP_PRIVATE", "private"); flag sets join names with ',' or '|'.
 * Invariant: every value is Linux's. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <mmkit/fs.h>
#include <mmkit/mman.h>
#include <mmkit/shm.h>

#include "sim/scenario_internal.h"

struct scn_name {
	const char *name;
	unsigned long value;
};

#define N(prefix, x) { #x, prefix##x }

static const struct scn_name prot_names[] = {
	{ "READ", PROT_READ }, { "WRITE", PROT_WRITE }, { "EXEC", PROT_EXEC },
	{ "NONE", PROT_NONE }, { "SEM", PROT_SEM }, { "GROWSDOWN", PROT_GROWSDOWN },
	{ "GROWSUP", PROT_GROWSUP }, { NULL, 0 },
};

static const struct scn_name map_names[] = {
	{ "SHARED", MAP_SHARED }, { "PRIVATE", MAP_PRIVATE },
	{ "SHARED_VALIDATE", MAP_SHARED_VALIDATE }, { "FIXED", MAP_FIXED },
	{ "ANONYMOUS", MAP_ANONYMOUS }, { "ANON", MAP_ANONYMOUS }, { "32BIT", MAP_32BIT },
	{ "GROWSDOWN", MAP_GROWSDOWN }, { "DENYWRITE", MAP_DENYWRITE },
	{ "EXECUTABLE", MAP_EXECUTABLE }, { "LOCKED", MAP_LOCKED },
	{ "NORESERVE", MAP_NORESERVE }, { "POPULATE", MAP_POPULATE },
	{ "NONBLOCK", MAP_NONBLOCK }, { "STACK", MAP_STACK }, { "HUGETLB", MAP_HUGETLB },
	{ "SYNC", MAP_SYNC }, { "FIXED_NOREPLACE", MAP_FIXED_NOREPLACE },
	{ "UNINITIALIZED", MAP_UNINITIALIZED }, { "DROPPABLE", MAP_DROPPABLE }, { NULL, 0 },
};

static const struct scn_name madv_names[] = {
	{ "NORMAL", MADV_NORMAL }, { "RANDOM", MADV_RANDOM },
	{ "SEQUENTIAL", MADV_SEQUENTIAL }, { "WILLNEED", MADV_WILLNEED },
	{ "DONTNEED", MADV_DONTNEED }, { "FREE", MADV_FREE }, { "REMOVE", MADV_REMOVE },
	{ "DONTFORK", MADV_DONTFORK }, { "DOFORK", MADV_DOFORK },
	{ "MERGEABLE", MADV_MERGEABLE }, { "UNMERGEABLE", MADV_UNMERGEABLE },
	{ "HUGEPAGE", MADV_HUGEPAGE }, { "NOHUGEPAGE", MADV_NOHUGEPAGE },
	{ "DONTDUMP", MADV_DONTDUMP }, { "DODUMP", MADV_DODUMP },
	{ "WIPEONFORK", MADV_WIPEONFORK }, { "KEEPONFORK", MADV_KEEPONFORK },
	{ "COLD", MADV_COLD }, { "PAGEOUT", MADV_PAGEOUT },
	{ "POPULATE_READ", MADV_POPULATE_READ }, { "POPULATE_WRITE", MADV_POPULATE_WRITE },
	{ "DONTNEED_LOCKED", MADV_DONTNEED_LOCKED }, { "COLLAPSE", MADV_COLLAPSE },
	{ "HWPOISON", MADV_HWPOISON }, { "SOFT_OFFLINE", MADV_SOFT_OFFLINE }, { NULL, 0 },
};

static const struct scn_name gfp_names[] = {
	{ "GFP_KERNEL", GFP_KERNEL }, { "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT }, { "GFP_NOWAIT", GFP_NOWAIT },
	{ "GFP_NOIO", GFP_NOIO }, { "GFP_NOFS", GFP_NOFS }, { "GFP_USER", GFP_USER },
	{ "GFP_DMA", GFP_DMA }, { "GFP_DMA32", GFP_DMA32 }, { "GFP_HIGHUSER", GFP_HIGHUSER },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE },
	{ "__GFP_DMA", __GFP_DMA }, { "__GFP_HIGHMEM", __GFP_HIGHMEM },
	{ "__GFP_DMA32", __GFP_DMA32 }, { "__GFP_MOVABLE", __GFP_MOVABLE },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE }, { "__GFP_HIGH", __GFP_HIGH },
	{ "__GFP_IO", __GFP_IO }, { "__GFP_FS", __GFP_FS }, { "__GFP_ZERO", __GFP_ZERO },
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM },
	{ "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM }, { "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL }, { "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_NORETRY", __GFP_NORETRY }, { "__GFP_COMP", __GFP_COMP },
	{ "__GFP_ACCOUNT", __GFP_ACCOUNT }, { NULL, 0 },
};

static const struct scn_name mremap_names[] = {
	{ "MAYMOVE", MREMAP_MAYMOVE }, { "FIXED", MREMAP_FIXED },
	{ "DONTUNMAP", MREMAP_DONTUNMAP }, { NULL, 0 },
};
static const struct scn_name msync_names[] = {
	{ "ASYNC", MS_ASYNC }, { "SYNC", MS_SYNC }, { "INVALIDATE", MS_INVALIDATE }, { NULL, 0 },
};
static const struct scn_name mcl_names[] = {
	{ "CURRENT", MCL_CURRENT }, { "FUTURE", MCL_FUTURE }, { "ONFAULT", MCL_ONFAULT },
	{ NULL, 0 },
};
static const struct scn_name mlock2_names[] = { { "ONFAULT", MLOCK_ONFAULT }, { NULL, 0 } };
static const struct scn_name open_names[] = {
	{ "RDONLY", O_RDONLY }, { "WRONLY", O_WRONLY }, { "RDWR", O_RDWR }, { "CREAT", O_CREAT },
	{ "EXCL", O_EXCL }, { "NOCTTY", O_NOCTTY }, { "TRUNC", O_TRUNC }, { "APPEND", O_APPEND },
	{ "NONBLOCK", O_NONBLOCK }, { "DSYNC", O_DSYNC }, { "DIRECT", O_DIRECT },
	{ "LARGEFILE", O_LARGEFILE }, { "DIRECTORY", O_DIRECTORY }, { "NOFOLLOW", O_NOFOLLOW },
	{ "NOATIME", O_NOATIME }, { "CLOEXEC", O_CLOEXEC }, { "SYNC", O_SYNC }, { "PATH", O_PATH },
	{ NULL, 0 },
};
static const struct scn_name whence_names[] = {
	{ "SET", SEEK_SET }, { "CUR", SEEK_CUR }, { "END", SEEK_END }, { "DATA", SEEK_DATA },
	{ "HOLE", SEEK_HOLE }, { NULL, 0 },
};
static const struct scn_name ipc_names[] = {	/* shmget and shmat flags */
	{ "IPC_CREAT", IPC_CREAT }, { "IPC_EXCL", IPC_EXCL }, { "SHM_HUGETLB", SHM_HUGETLB },
	{ "SHM_NORESERVE", SHM_NORESERVE }, { "SHM_RDONLY", SHM_RDONLY }, { "SHM_RND", SHM_RND },
	{ "SHM_REMAP", SHM_REMAP }, { "SHM_EXEC", SHM_EXEC }, { NULL, 0 },
};
static const struct scn_name shmctl_names[] = {
	{ "IPC_RMID", IPC_RMID }, { "IPC_SET", IPC_SET }, { "IPC_STAT", IPC_STAT },
	{ "IPC_INFO", IPC_INFO }, { "SHM_LOCK", SHM_LOCK }, { "SHM_UNLOCK", SHM_UNLOCK },
	{ "SHM_STAT", SHM_STAT }, { "SHM_INFO", SHM_INFO }, { "SHM_STAT_ANY", SHM_STAT_ANY },
	{ NULL, 0 },
};

/* Match word (len bytes) against table, with or without prefix. */
static int lookup(const struct scn_name *t, const char *prefix, const char *w, size_t len,
		  unsigned long *v)
{
	size_t pl = prefix ? strlen(prefix) : 0;

	if (pl && len > pl && !strncasecmp(w, prefix, pl)) {
		w += pl;
		len -= pl;
	}
	for (; t->name; t++)
		if (strlen(t->name) == len && !strncasecmp(t->name, w, len)) {
			*v = t->value;
			return 0;
		}
	return -EINVAL;
}

typedef int (*word_lookup_fn)(const struct scn_name *t, const char *prefix, const char *w,
			      size_t len, unsigned long *v);

/* NAME[,|NAME]... ORed together, each word matched by fn. */
static int parse_set_with(const struct scn_name *t, const char *prefix, const char *s,
			  unsigned long *out, word_lookup_fn fn)
{
	unsigned long v = 0, one;

	if (!*s)
		return -EINVAL;
	for (;;) {
		size_t len = strcspn(s, ",|");

		if (!len || fn(t, prefix, s, len, &one))
			return -EINVAL;
		v |= one;
		s += len;
		if (!*s)
			break;
		s++;
	}
	*out = v;
	return 0;
}

static int parse_set(const struct scn_name *t, const char *prefix, const char *s,
		     unsigned long *out)
{
	return parse_set_with(t, prefix, s, out, lookup);
}

/**
 * scn_parse_prot() - "rw-" (ls -l style, as /proc/PID/maps prints it),
 *	"none", or PROT_* names
 * @s: the word
 * @out: the PROT_* bits
 *
 * Returns 0 or -EINVAL.
 */
int scn_parse_prot(const char *s, unsigned long *out)
{
	if (strlen(s) == 3 && strchr("r-", s[0]) && strchr("w-", s[1]) && strchr("x-", s[2])) {
		*out = (s[0] == 'r' ? PROT_READ : 0) | (s[1] == 'w' ? PROT_WRITE : 0) |
		       (s[2] == 'x' ? PROT_EXEC : 0);
		return 0;
	}
	return parse_set(prot_names, "PROT_", s, out);
}

/**
 * scn_parse_mapflags() - MAP_* names joined by ',' or '|'
 * @s: the word
 * @out: the flags
 *
 * Returns 0 or -EINVAL.
 */
int scn_parse_mapflags(const char *s, unsigned long *out)
{
	return parse_set(map_names, "MAP_", s, out);
}

/**
 * scn_parse_madvise() - one MADV_* name
 * @s: the word
 * @out: the advice
 *
 * Returns 0 or -EINVAL.
 */
int scn_parse_madvise(const char *s, unsigned long *out)
{
	return lookup(madv_names, "MADV_", s, strlen(s), out);
}

/* One gfp word: the name as given, or with GFP_ or __GFP_ in front. */
static int gfp_lookup(const struct scn_name *t, const char *prefix, const char *w, size_t len,
		      unsigned long *v)
{
	char name[64];

	if (len > 40)
		return -EINVAL;
	if (!lookup(t, prefix, w, len, v))
		return 0;
	snprintf(name, sizeof(name), "GFP_%.*s", (int)len, w);
	if (!lookup(t, prefix, name, len + 4, v))
		return 0;
	snprintf(name, sizeof(name), "__GFP_%.*s", (int)len, w);
	return lookup(t, prefix, name, len + 6, v);
}

/**
 * scn_parse_gfp() - GFP_* and __GFP_* names joined by ',' or '|' (the
 *	prefix may be left out: "kernel|zero")
 * @s: the word
 * @out: the gfp mask
 *
 * Returns 0 or -EINVAL.
 */
int scn_parse_gfp(const char *s, unsigned long *out)
{
	return parse_set_with(gfp_names, NULL, s, out, gfp_lookup);
}

/**
 * scn_parse_simple_flags() - the flags of mremap (MREMAP_*), msync (MS_*),
 *	mlockall (MCL_*), open (O_*), lseek (SEEK_*), shmget/shmat (IPC_*,
 *	SHM_*: full names), shmctl commands, or mlock2 (MLOCK_*)
 * @s: the word
 * @what: "mremap", "msync", "mlockall", "open", "whence", "ipc", "shmctl"
 *	or "mlock2"
 * @out: the flags
 *
 * Returns 0 or -EINVAL.
 */
int scn_parse_simple_flags(const char *s, const char *what, unsigned long *out)
{
	if (!strcmp(what, "mremap"))
		return parse_set(mremap_names, "MREMAP_", s, out);
	if (!strcmp(what, "msync"))
		return parse_set(msync_names, "MS_", s, out);
	if (!strcmp(what, "mlockall"))
		return parse_set(mcl_names, "MCL_", s, out);
	if (!strcmp(what, "open"))
		return parse_set(open_names, "O_", s, out);
	if (!strcmp(what, "whence"))
		return parse_set(whence_names, "SEEK_", s, out);
	if (!strcmp(what, "ipc"))	/* full names: IPC_ and SHM_ both occur */
		return parse_set(ipc_names, NULL, s, out);
	if (!strcmp(what, "shmctl"))
		return parse_set(shmctl_names, NULL, s, out);
	return parse_set(mlock2_names, "MLOCK_", s, out);
}

static const struct scn_name errno_names[] = {
	N(, EPERM), N(, ENOENT), N(, ESRCH), N(, EINTR), N(, EIO), N(, ENXIO), N(, E2BIG),
	N(, ENOEXEC), N(, EBADF), N(, ECHILD), N(, EAGAIN), N(, ENOMEM), N(, EACCES),
	N(, EFAULT), N(, ENOTBLK), N(, EBUSY), N(, EEXIST), N(, EXDEV), N(, ENODEV),
	N(, ENOTDIR), N(, EISDIR), N(, EINVAL), N(, ENFILE), N(, EMFILE), N(, ENOTTY),
	N(, ETXTBSY), N(, EFBIG), N(, ENOSPC), N(, ESPIPE), N(, EROFS), N(, EMLINK),
	N(, EPIPE), N(, EDOM), N(, ERANGE), N(, EDEADLK), N(, ENAMETOOLONG), N(, ENOLCK),
	N(, ENOSYS), N(, ENOTEMPTY), N(, ELOOP), N(, EOVERFLOW), N(, EOPNOTSUPP),
	N(, ETIMEDOUT), N(, EHWPOISON), N(, EIDRM), { NULL, 0 },
};

/**
 * scn_errno_name() - "ENOMEM" for ENOMEM
 * @err: a positive errno
 *
 * Returns the name, or "E?" for a number the table lacks.
 */
const char *scn_errno_name(int err)
{
	for (const struct scn_name *t = errno_names; t->name; t++)
		if ((int)t->value == err)
			return t->name;
	return "E?";
}

/**
 * scn_errno_value() - ENOMEM for "ENOMEM"
 * @name: the name
 *
 * Returns the errno, or 0 for an unknown name.
 */
int scn_errno_value(const char *name)
{
	unsigned long v;

	return lookup(errno_names, NULL, name, strlen(name), &v) ? 0 : (int)v;
}

static const char *const signal_names[MMKIT_NSIG] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM",
	[15] = "SIGTERM", [16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT",
	[19] = "SIGSTOP", [20] = "SIGTSTP", [21] = "SIGTTIN", [22] = "SIGTTOU",
	[23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ", [26] = "SIGVTALRM",
	[27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR", [31] = "SIGSYS",
};

/**
 * scn_signal_name() - "SIGSEGV" for 11
 * @sig: the signal number
 */
const char *scn_signal_name(int sig)
{
	return sig > 0 && sig < MMKIT_NSIG ? signal_names[sig] : "SIG?";
}

/**
 * scn_signal_value() - 11 for "SIGSEGV" or "SEGV"
 * @name: the name
 *
 * Returns the number, or 0 for an unknown name.
 */
int scn_signal_value(const char *name)
{
	if (!strncasecmp(name, "SIG", 3))
		name += 3;
	for (int i = 1; i < MMKIT_NSIG; i++)
		if (!strcasecmp(signal_names[i] + 3, name))
			return i;
	return 0;
}
