/* Memory-reference traces of real programs: the compact binary format
 * (docs/trace-format.md), its writer and reader (src/sim/trace_write.c,
 * trace_read.c) and the replay of a trace through the simulated MMU and
 * page-fault handler (src/sim/trace_replay.c, docs/trace-replay.md).
 *
 * No Linux counterpart: Linux has no trace replayer. The records mirror
 * what valgrind's lackey reports (I/L/S/M references) plus the memory
 * syscalls (x86_64 syscall numbers) and the mappings a program starts
 * with. The trace code links libzstd; the core library does not. */
#ifndef MMKIT_TRACE_H
#define MMKIT_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct machine;

#define MMKIT_TRACE_MAGIC "MMKTRACE"
#define MMKIT_TRACE_VERSION 1
#define MMKIT_TRACE_HEADER_SIZE 56

/* The recording host's architecture (header field arch). */
enum mmkit_trace_arch {
	MMKIT_TRACE_ARCH_UNKNOWN = 0,
	MMKIT_TRACE_ARCH_X86_64 = 1,
	MMKIT_TRACE_ARCH_I386 = 2,
};

/* Header flags. */
#define MMKIT_TRACE_MAPS_INFERRED 0x1	/* initial mappings guessed from references */

/* Record kinds. The four references first: kind < MMKIT_TRACE_SYSCALL. */
enum mmkit_trace_kind {
	MMKIT_TRACE_FETCH = 0,	/* instruction fetch (lackey I) */
	MMKIT_TRACE_LOAD = 1,	/* data load (L) */
	MMKIT_TRACE_STORE = 2,	/* data store (S) */
	MMKIT_TRACE_MODIFY = 3,	/* load then store of the same bytes (M) */
	MMKIT_TRACE_SYSCALL = 4,	/* a memory syscall: mmkit_trace_call() */
	MMKIT_TRACE_MAP = 5,	/* an initial mapping: mmkit_trace_call() */
	MMKIT_TRACE_NR_KINDS
};

/* x86_64 numbers of the syscalls a trace records. */
#define MMKIT_NR_MMAP 9
#define MMKIT_NR_MPROTECT 10
#define MMKIT_NR_MUNMAP 11
#define MMKIT_NR_BRK 12
#define MMKIT_NR_MREMAP 25

struct mmkit_trace_header {
	uint32_t version;
	uint32_t arch;		/* enum mmkit_trace_arch */
	uint32_t flags;		/* MMKIT_TRACE_* */
	uint64_t nr_refs;	/* reference records */
	uint64_t nr_syscalls;	/* syscall records */
	uint64_t nr_maps;	/* initial-mapping records */
	uint64_t payload_bytes;	/* uncompressed record bytes */
};

/* One memory reference: 16 bytes, what the replay loop streams over. */
struct mmkit_trace_ref {
	uint64_t addr;
	uint32_t size;		/* bytes, >= 1 */
	uint32_t kind;		/* MMKIT_TRACE_FETCH..MODIFY */
};

/* A syscall (MMKIT_TRACE_SYSCALL: nr, args, result as the kernel returned
 * it: >= 0 or -errno) or an initial mapping (MMKIT_TRACE_MAP: args[0]
 * start, args[1] length, args[2] PROT_*, args[3] MAP_* flags). */
struct mmkit_trace_call {
	uint32_t kind;
	uint32_t nr;
	uint32_t nargs;		/* <= 6 */
	uint64_t args[6];
	int64_t result;
};

struct mmkit_trace_writer;
struct mmkit_trace_reader;

/**
 * mmkit_trace_create() - start writing a trace file
 * @path: the file to create (truncated); must be seekable
 * @arch: enum mmkit_trace_arch of the recording host
 * @flags: MMKIT_TRACE_* header flags
 * @err: where a failure's reason goes
 * @errlen: its size
 * Return: the writer, or NULL with @err set.
 */
struct mmkit_trace_writer *mmkit_trace_create(const char *path, unsigned int arch,
					      unsigned int flags, char *err, size_t errlen);
/* Append a reference; 0 or -1 with the reason in mmkit_trace_writer_error(). */
int mmkit_trace_write_ref(struct mmkit_trace_writer *w, unsigned int kind, uint64_t addr,
			  uint32_t size);
/* Append a syscall or initial mapping record. */
int mmkit_trace_write_call(struct mmkit_trace_writer *w, const struct mmkit_trace_call *c);
/* Set header flags before finishing (e.g. MMKIT_TRACE_MAPS_INFERRED). */
void mmkit_trace_set_flags(struct mmkit_trace_writer *w, unsigned int flags);
const char *mmkit_trace_writer_error(const struct mmkit_trace_writer *w);
/* Finish the stream, write the header and close; frees w. 0 or -1 (@err). */
int mmkit_trace_finish(struct mmkit_trace_writer *w, char *err, size_t errlen);

/**
 * mmkit_trace_open() - open a trace file for reading
 * @path: the file
 * @err: where a failure's reason goes ("FILE: offset N: reason")
 * @errlen: its size
 * Return: the reader (header checked), or NULL with @err set.
 */
struct mmkit_trace_reader *mmkit_trace_open(const char *path, char *err, size_t errlen);
/* The same on len bytes at buf (copied), named name in messages. */
struct mmkit_trace_reader *mmkit_trace_open_mem(const void *buf, size_t len, const char *name,
						char *err, size_t errlen);
const struct mmkit_trace_header *mmkit_trace_get_header(const struct mmkit_trace_reader *r);
/**
 * mmkit_trace_read() - decode the next records
 * @r: the reader
 * @refs: room for @max references
 * @max: its size, >= 1
 * @call: set when the batch ends at a syscall or mapping record
 *
 * Fills @refs with consecutive references; stops at @max, at the end, or
 * after a syscall/mapping record, which goes to *@call (and *@ended = 1).
 * Return: references stored (>= 0), or -1 on corrupt/truncated input
 * (mmkit_trace_error()). 0 with no call pending means the end of the trace.
 */
long mmkit_trace_read(struct mmkit_trace_reader *r, struct mmkit_trace_ref *refs, size_t max,
		      struct mmkit_trace_call *call, int *ended);
const char *mmkit_trace_error(const struct mmkit_trace_reader *r);
void mmkit_trace_close(struct mmkit_trace_reader *r);

/* ---- replay (src/sim/trace_replay.c) ---- */

struct mmkit_replay_opts {
	uint64_t window;	/* references per working-set window; 0: 100000 */
	/* keep the page reference string (the page number of each replayed
	 * reference, consecutive repeats collapsed, skipped references left
	 * out) in mmkit_replay_stats.pages, for the OPT oracle */
	int record_pages;
	/* optional: called every 64K references with the count so far (the
	 * mmkit command's progress bar) */
	void (*progress)(void *arg, uint64_t refs);
	void *progress_arg;
};

struct mmkit_replay_window {
	uint64_t pages;		/* distinct pages touched in the window */
	uint64_t faults;	/* page faults (minor + major) in the window */
	uint64_t majflt;	/* of which major (swap-ins, file reads) */
	uint64_t pswpin, pswpout;	/* swap traffic in the window (pages) */
	uint64_t tlb_hits, tlb_misses;	/* TLB lookups in the window */
	uint64_t rss;		/* the process's resident pages at the window's end */
};

struct mmkit_replay_stats {
	uint64_t refs, by_kind[4];
	uint64_t syscalls, syscalls_failed, syscalls_differ, maps, maps_failed;
	uint64_t minflt, majflt;	/* the replaying task's min_flt/maj_flt */
	uint64_t tlb_hits, tlb_misses;
	uint64_t unmapped;	/* references outside every VMA: skipped */
	uint64_t denied;	/* references the VMA's protection forbids: skipped */
	uint64_t pages_touched;	/* distinct pages over the whole run */
	uint64_t pswpin, pswpout;	/* swap traffic during the replay (pages) */
	uint64_t *pages;	/* the reference string (record_pages); malloc'd */
	uint64_t nr_pages;
	uint64_t window;
	uint64_t nr_windows;
	struct mmkit_replay_window *windows;	/* malloc'd; mmkit_replay_free() */
	char meminfo[4096];	/* the machine's /proc/meminfo after the run */
};

/**
 * mmkit_replay() - replay a trace in a fresh process of a booted machine
 * @m: the machine (x86_64 for x86_64 traces)
 * @r: an open trace
 * @o: options, may be NULL
 * @st: the results (zeroed here)
 * @err: reason on failure
 * @errlen: its size
 * Return: 0, or -1 (bad trace, wrong arch, no memory) with @err set.
 */
int mmkit_replay(struct machine *m, struct mmkit_trace_reader *r,
		 const struct mmkit_replay_opts *o, struct mmkit_replay_stats *st, char *err,
		 size_t errlen);
/* Free what mmkit_replay() allocated in st. */
void mmkit_replay_free(struct mmkit_replay_stats *st);

#endif
