/* The simulated machine: its description (what the firmware and boot loader
 * hand over) and the whole kernel state that runs on it. All state lives
 * here, so two machines can live in one process. */
#ifndef MMKIT_MACHINE_H
#define MMKIT_MACHINE_H

#include <mmkit/bootmem.h>
#include <mmkit/e820.h>
#include <mmkit/fs.h>
#include <mmkit/highmem.h>
#include <mmkit/mm_types.h>
#include <mmkit/mmu.h>
#include <mmkit/mmzone.h>
#include <mmkit/page.h>
#include <mmkit/pgtable.h>
#include <mmkit/shm.h>
#include <mmkit/signal.h>
#include <mmkit/slab.h>
#include <mmkit/swap.h>
#include <mmkit/types.h>
#include <mmkit/vmalloc.h>
#include <mmkit/vmscan.h>
#include <mmkit/vmstat.h>

enum mmkit_arch {
	MMKIT_ARCH_I386,	/* 2-level page tables, 4 GiB physical at most */
	MMKIT_ARCH_I386_PAE,	/* 3-level, 64-bit entries, 64 GiB physical */
	MMKIT_ARCH_X86_64,	/* 4-level, no high memory */
};

#define COMMAND_LINE_SIZE 2048
#define MMKIT_MAX_DISKS 4
#define MMKIT_LOG_SIZE (1u << 20)

/* What a machine description file gives (examples/machines/NAME.machine). */
struct machine_desc {
	char name[64];
	enum mmkit_arch arch;
	unsigned int nr_cpus;
	bool highmem;		/* CONFIG_HIGHMEM; i386 only, PAE implies it */
	int nr_e820;
	struct e820entry e820[E820_X_MAX];	/* the map as the BIOS reports it */
	char cmdline[COMMAND_LINE_SIZE];
	char files[256];	/* host directory of the simulated file system; "": a temp dir */
	char reclaim[16];	/* reclaim policy (linux, clock, lru, fifo); "": linux */
	unsigned long max_resident;	/* evictable user pages allowed resident; 0: no limit */
	/* block devices /dev/NAME backed by host files ROOT/dev/NAME (`disk`) */
	int nr_disks;
	struct { char name[16]; u64 bytes; } disks[MMKIT_MAX_DISKS];
	u64 alt_mem_k;		/* BIOS e801: KiB of memory above 1 MiB, for the fallback map */
	/* the kernel image, laid out from _text: code, rodata, data, bss */
	u64 kernel_text_phys;
	u64 kernel_text_size, kernel_rodata_size, kernel_data_size, kernel_bss_size;
};

/* Virtual layout constants of the configured kernel (cf. asm/page.h). */
struct arch_layout {
	u64 page_offset;		/* PAGE_OFFSET: start of the direct map */
	u64 vmalloc_reserve;		/* VMALLOC_RESERVE (i386: 128 MiB) */
	unsigned long maxmem_pfn;	/* MAXMEM_PFN: most lowmem the direct map holds */
	unsigned long max_nonpae_pfn;	/* 1 << 20: the first pfn above 4 GiB */
	unsigned long max_dma_pfn;	/* 16 MiB */
	unsigned long max_dma32_pfn;	/* 4 GiB */
	bool pae, highmem, x86_64;
};

/* The kernel image symbols, physical (cf. _text, _etext, _edata, _end). */
struct kernel_image {
	phys_addr_t text, etext, start_rodata, end_rodata, sdata, edata, bss_start, bss_stop, end;
};

/* Options the kernel command line set (cf. parse_mem_cmdline). */
struct cmdline_mem {
	u64 mem_limit;		/* mem=: 0 when not given */
	long highmem_pages;	/* highmem=: -1 when not given */
	bool user_defined;	/* mem=exactmap / memmap= changed the map */
};

struct mmkit_log {
	char buf[MMKIT_LOG_SIZE];
	size_t len;
	size_t dropped;		/* bytes that did not fit */
	bool at_line_start;
	spinlock_t lock;	/* appends from several CPUs (cf. logbuf_lock) */
};

/* The process table and what runs where (m->sched; tasks are struct
 * task_struct of <mmkit/sched.h>, src/kernel). */
struct task_struct;
struct sched_state {
	spinlock_t tasklist_lock;	/* tasks, nr_tasks */
	struct list_head tasks;		/* every live task, oldest first */
	int nr_tasks;
	int last_pid;			/* pids count up from 1 */
	struct task_struct *curr[NR_CPUS];	/* current on each simulated CPU */
	unsigned long nr_context_switches;
};

struct machine {
	struct machine_desc desc;

	/* host side (src/machine) */
	u8 *ram;		/* page frame N lives at ram + N * PAGE_SIZE */
	u64 ram_bytes;		/* bytes reserved for ram */
	int ram_fd;		/* host memfd behind ram, so windows can alias frames */
	u64 clock_ns;		/* simulated time since power-on */
	char comm[16];		/* current->comm, for messages */
	int debug_vm;		/* 0: off; 1: cheap checks; 2: full checker after each operation */
	struct mmkit_log log;

	/* boot (src/boot) */
	struct arch_layout arch;
	struct kernel_image kimage;
	struct cmdline_mem cmdline;
	struct e820map e820;		/* the kernel's sanitized copy */
	struct e820map e820_firmware;	/* before mem=/memmap= edits (for iomem) */
	const char *e820_who;		/* "BIOS-e820" or "user" */
	unsigned long start_pfn;	/* first pfn after the kernel image */
	unsigned long max_pfn;		/* highest RAM pfn + 1 */
	unsigned long max_low_pfn;	/* end of the direct-mapped (low) memory */
	unsigned long min_low_pfn;
	unsigned long highstart_pfn, highend_pfn;
	bootmem_data_t bdata;
	bool booted;

	/* physical memory (src/mm/page_alloc.c) */
	struct page *mem_map;		/* pfn 0 .. max_pfn-1 */
	phys_addr_t mem_map_phys;
	pg_data_t node;
	unsigned long totalram_pages;	/* pages handed to the buddy allocator */
	unsigned long totalhigh_pages;
	unsigned long reserved_pages;	/* present pages kept by boot */
	int min_free_kbytes;
	int watermark_scale_factor;
	int lowmem_reserve_ratio[MAX_NR_ZONES];
	int percpu_pagelist_high_fraction;
	/* event counters, one row per CPU (cf. DEFINE_PER_CPU vm_event_states):
	 * each CPU adds to its own row without a locked instruction; read the
	 * machine-wide figure with vm_event() */
	unsigned long vm_event_cpu[NR_CPUS][NR_VM_EVENT_ITEMS];
	unsigned long nr_bad_pages;	/* bad_page() reports */
	unsigned long nr_alloc_failures;
	bool page_poisoning;		/* fill freed pages with PAGE_POISON */
	unsigned int pageblock_order;	/* 10 on i386, 9 with PAE and on x86_64 */
	/* report rate limits on the simulated clock (cf. DEFINE_RATELIMIT_STATE):
	 * warn_alloc one per 10 s, bad_page a burst of 60 a minute */
	u64 warn_alloc_rs_begin;
	unsigned int warn_alloc_rs_printed, warn_alloc_rs_missed;
	u64 bad_page_resume;
	unsigned long bad_page_shown, bad_page_unshown;
	unsigned long nr_poison_errors;	/* poisoned pages found changed on allocation */

	/* kernel page tables (src/arch/x86) */
	struct kernel_pgtables pgtables;
	/* the simulated CPUs' MMUs: CR3 and TLB (src/arch/x86/mmu.c, tlb.c) */
	struct mmu_state mmu;
	/* kernel allocators (src/mm/slab.c, vmalloc.c, highmem.c) */
	struct slab_state slab;
	struct vmalloc_state vmalloc;
	struct pkmap_state highmem;

	/* processes and their address spaces (src/kernel, src/mm/mmap.c and
	 * friends): the process table, current per CPU, vm.* sysctls */
	struct sched_state sched;
	struct vm_state vm;
	/* files and the page cache (src/mm/fs.c, filemap.c), swap areas
	 * (src/mm/swapfile.c), reclaim (src/mm/vmscan.c), SysV shm (src/mm/shm.c) */
	struct fs_state fs;
	struct swap_state swap;
	struct reclaim_state reclaim;
	struct ipc_state ipc;
	/* signals the kernel forced on tasks (src/kernel/signal.c) */
	struct signal_state signal;
	/* A test's hook into the fault and GUP paths, to interleave another
	 * thread's step deterministically (tests/test_cve.c): called with
	 * where = MMKIT_HOOK_* and test_hook_arg; NULL: none. */
	void (*test_hook)(struct machine *m, int where, void *arg);
	void *test_hook_arg;
	/* References get_user_pages/pin_user_pages handed out and not yet put
	 * (src/mm/gup.c), per page frame, so the checker can tell them from
	 * leaked references (pins count GUP_PIN_COUNTING_BIAS each). */
	struct {
		int nr;
		struct { unsigned long pfn; long refs; } ref[64];
	} gup;
};

/* Where machine.test_hook is called. */
enum {
	MMKIT_HOOK_STACK_UNLOCKED,	/* fault below a stack: read lock dropped, write lock not yet taken */
	MMKIT_HOOK_STACK_LOCKED,	/* fault below a stack: write lock held, before expand_downwards */
	MMKIT_HOOK_GUP_RETRY,		/* get_user_pages: a fault done, mmap lock dropped, before the retry */
};

/* The machine-wide count of event item: every CPU's row summed
 * (cf. all_vm_events, /proc/vmstat). */
static inline unsigned long vm_event(const struct machine *m, enum vm_event_item item)
{
	unsigned long sum = 0;

	for (int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += __atomic_load_n(&m->vm_event_cpu[cpu][item], __ATOMIC_RELAXED);
	return sum;
}

#endif
