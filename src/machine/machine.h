/* The seam between the freestanding core (src/mm, src/boot, src/arch) and
 * the host. The core reaches the host only through what is declared here;
 * an embedding (a hobby kernel) reimplements these and nothing else.
 * Implemented in src/machine/{ram,printk,host}.c. */
#ifndef MMKIT_MACHINE_SEAM_H
#define MMKIT_MACHINE_SEAM_H

#include <stdarg.h>

#include <mmkit/machine.h>

/* Reserve host memory for bytes of simulated RAM, zero-filled and lazily
 * backed (nothing is committed until touched). Precondition: m->ram is NULL.
 * Returns 0, or -ENOMEM when the host cannot reserve the range. */
int machine_ram_reserve(struct machine *m, u64 bytes);

/* Give back the RAM reservation. Safe on a machine without one. */
void machine_ram_release(struct machine *m);

/* Tell the host the pages [phys, phys+len) hold nothing worth keeping:
 * the host may drop their backing (they read back as zero). */
void machine_ram_discard(struct machine *m, phys_addr_t phys, u64 len);

/* The kernel window (src/machine/window.c): host address space reserved to
 * mirror the part of the kernel's virtual space where vmalloc, kmap and
 * fixmap pages live. A frame of RAM aliased into it is the same memory as
 * m->ram + phys, so those kernel addresses are real C pointers. Every
 * remap is one host call (several us, up to ~17 us): callers batch
 * physically contiguous runs. */

/* Reserve bytes of host address space, inaccessible and uncommitted.
 * Precondition: bytes is a nonzero multiple of PAGE_SIZE.
 * Returns the base, or NULL when the host has no room. */
void *machine_window_reserve(struct machine *m, u64 bytes);

/* Release a reservation (with every alias in it). Precondition: base and
 * bytes as machine_window_reserve returned/was given them. */
void machine_window_release(struct machine *m, void *base, u64 bytes);

/* Alias RAM [phys, phys + len) read-write at addr, prefaulted (the host
 * page tables are filled at once, so first touches cost no host fault).
 * Preconditions: addr, phys
 * and len page-aligned, len > 0, [addr, addr + len) inside a reservation,
 * phys + len <= m->ram_bytes. Returns 0, or -ENOMEM when the host refuses
 * (e.g. its map count limit). */
int machine_window_map(struct machine *m, void *addr, phys_addr_t phys, u64 len);

/* Make [addr, addr + len) inaccessible again, dropping any alias there.
 * Preconditions as machine_window_map. Returns 0 or -ENOMEM. */
int machine_window_unmap(struct machine *m, void *addr, u64 len);

/* Whether the host page at addr is an alias of RAM frame phys (page-aligned
 * both): 1 yes, 0 it is accessible but maps other memory, -EFAULT it is not
 * accessible. Never faults. Probes by changing one byte at m->ram + phys and
 * restoring it: no other thread may use that frame meanwhile. */
int machine_window_probe(struct machine *m, const void *addr, phys_addr_t phys);

/* Format like vsnprintf: at most size bytes including the NUL. Returns the
 * length the full output would have. Supports the C99 conversions. */
int machine_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int machine_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parse an unsigned number like strtoull (base 0: 0x, 0 and decimal). */
unsigned long long machine_strtoull(const char *s, char **end, int base);

/* The simulated CPU this host thread runs as (mmkit_set_cpu()); each host
 * thread is one CPU, 0 unless set. */
extern _Thread_local unsigned int mmkit_current_cpu __attribute__((tls_model("initial-exec")));
static inline unsigned int smp_processor_id(const struct machine *m)
{
	(void)m;
	return mmkit_current_cpu;
}

/* ---- host files (src/machine/hostfile.c): the backing store of the
 * simulated file system (src/mm/fs.c) and of swap files. Paths are
 * relative to m->fs.root (a leading '/' is ignored); the host's errno is
 * returned negated (the host is Linux: the same values). Handles are host
 * file descriptors. ---- */

/* What machine_file_open reports about the file it opened. */
struct machine_file_stat {
	unsigned long ino;
	unsigned int mode;		/* S_IFREG / S_IFDIR and permissions (Linux values) */
	long long size;
	long long blocks;		/* 512-byte blocks allocated */
};

/* Set m->fs.root: m->desc.files, which must be a directory, or a fresh
 * temporary directory (mkdtemp under $TMPDIR or /tmp) removed by
 * machine_files_release(). 0 or -errno. */
int machine_files_init(struct machine *m);
/* Remove the temporary root (with everything in it); keep a given one. */
void machine_files_release(struct machine *m);
/* Open @path with O_* (Linux values: O_ACCMODE, O_CREAT, O_EXCL,
 * O_DIRECTORY, O_NOFOLLOW are honoured; a directory is opened read-only);
 * the handle (>= 0) or -errno. */
int machine_file_open(struct machine *m, const char *path, int flags, unsigned int mode,
		      struct machine_file_stat *st);
/* Bytes read (short at EOF) / written, or -errno. Retries partial I/O. */
long machine_file_pread(struct machine *m, int fh, void *buf, unsigned long len, long long off);
long machine_file_pwrite(struct machine *m, int fh, const void *buf, unsigned long len,
			 long long off);
/* The file's size in bytes, or -errno. */
long long machine_file_size(struct machine *m, int fh);
int machine_file_fstat(struct machine *m, int fh, struct machine_file_stat *st);
int machine_file_truncate(struct machine *m, int fh, long long size);
int machine_file_fsync(struct machine *m, int fh);
int machine_file_close(struct machine *m, int fh);
int machine_file_unlink(struct machine *m, const char *path);
/* Make the host file ROOT/dev/NAME behind a disk exactly @bytes long
 * (created, sparse, if missing; its data kept otherwise). 0 or -errno. */
int machine_disk_init(struct machine *m, const char *name, u64 bytes);

/* Byte helpers: compiler builtins, which the host (or a kernel) provides. */
#define mm_memset(d, c, n) __builtin_memset(d, c, n)
#define mm_memcpy(d, s, n) __builtin_memcpy(d, s, n)
#define mm_memcmp(a, b, n) __builtin_memcmp(a, b, n)
#define mm_strlen(s) __builtin_strlen(s)
#define mm_strcmp(a, b) __builtin_strcmp(a, b)
#define mm_strncmp(a, b, n) __builtin_strncmp(a, b, n)

#endif
