/* `mmkit help TOPIC` for the memory-management mechanisms: a few lines on
 * each, pointing at the docs file that explains it and the example
 * scenario that shows it (examples/scenarios/NAME.mms, `mmkit run`).
 *
 * Linux counterpart: none (the topics name mm/ subsystems: page_alloc.c,
 * slub.c, vmalloc.c, highmem.c, memory.c, mmap.c). Invariant: every docs
 * file and scenario named here exists (tests/cli/help_topics.sh checks). */
#include <stdio.h>
#include <string.h>

#include "tools.h"

struct help_topic {
	const char *name;
	const char *title;
	const char *text;
	const char *doc;
	const char *scenario;	/* examples/scenarios/NAME.mms, or NULL: */
	const char *run;	/* the command line that shows it */
};

static const struct help_topic topics[] = {
	{ "buddy", "the buddy allocator (mm/page_alloc.c)",
	  "Free physical pages sit in per-zone free_area[order] lists of 2^order\n"
	  "pages. alloc_pages splits a bigger block until the order fits; freeing\n"
	  "merges a block with its buddy (pfn ^ (1 << order)) while both are free.\n"
	  "Watch it in /proc/buddyinfo and /proc/zoneinfo.",
	  "docs/page_alloc.md", "buddy", NULL },
	{ "slab", "the slab allocator and kmalloc (mm/slub.c)",
	  "A kmem_cache carves pages from the buddy allocator into equal objects;\n"
	  "slabs are full, partial or free, and allocations come from partial slabs\n"
	  "first. kmalloc uses the kmalloc-N caches. Watch it in /proc/slabinfo.",
	  "docs/slab.md", "slab", NULL },
	{ "vmalloc", "vmalloc (mm/vmalloc.c)",
	  "vmalloc maps scattered pages at contiguous addresses between\n"
	  "VMALLOC_START and VMALLOC_END, with a guard page after each area.\n"
	  "Watch it in /proc/vmallocinfo and VmallocUsed in /proc/meminfo.",
	  "docs/kernel-vm.md", "vmalloc", NULL },
	{ "kmap", "highmem and kmap (mm/highmem.c)",
	  "On i386, memory above 896 MiB is ZONE_HIGHMEM with no permanent kernel\n"
	  "address; kmap maps such a page into the pkmap area (kmap_local_page into\n"
	  "the per-CPU fixmap slots) until kunmap.",
	  "docs/kernel-vm.md", "kmap", NULL },
	{ "paging", "demand paging (mm/memory.c)",
	  "mmap only creates a vm_area_struct; the first access to a page faults,\n"
	  "and handle_mm_fault allocates and maps it (the zero page for a read of\n"
	  "anonymous memory). Watch Rss in /proc/PID/smaps grow with the touches.",
	  "docs/page-faults.md", "demand-paging", NULL },
	{ "cow", "copy-on-write after fork (mm/memory.c do_wp_page)",
	  "fork copies the page tables, not the pages: both processes map the\n"
	  "anonymous pages read-only, and the first write by either one faults and\n"
	  "gets a private copy (or reuses the page when it is the last mapper).",
	  "docs/fork-exec-exit.md", "cow-fork", NULL },
	{ "stack", "stack growth and SIGSEGV (mm/mmap.c expand_stack)",
	  "An access just below the VM_GROWSDOWN stack VMA, within RLIMIT_STACK and\n"
	  "outside the stack guard gap, grows the stack; an access to an unmapped\n"
	  "address elsewhere gets SIGSEGV with si_code SEGV_MAPERR (SEGV_ACCERR for\n"
	  "a protection violation).",
	  "docs/page-faults.md", "stack-segv", NULL },
	{ "brk", "brk vs mmap at the 128 KiB threshold (mm/mmap.c, glibc malloc)",
	  "malloc serves requests below M_MMAP_THRESHOLD (128 KiB) from the heap\n"
	  "grown with brk; larger ones get their own anonymous mmap, returned to\n"
	  "the kernel by free. Watch [heap] and the anonymous VMAs in /proc/PID/maps.",
	  "docs/malloc.md", "brk-mmap", NULL },
	{ "mmu", "the software MMU and TLB (arch/x86/mm)",
	  "Every user access walks the process's page tables from CR3 (2 or 3\n"
	  "levels on i386, 4 on x86_64) through the TLB; a missing or read-only PTE\n"
	  "raises a page fault. mprotect changes PTEs and flushes the TLB.",
	  "docs/mmu.md", "mprotect-mremap-mlock", NULL },
	{ "bootmem", "memory detection and boot (arch/x86/kernel/e820.c, setup.c, mm/memblock.c)",
	  "setup_arch reads the BIOS e820 map, sanitizes it (overlaps, sorting),\n"
	  "applies mem=/memmap=, finds max_low_pfn and highstart_pfn, reserves the\n"
	  "kernel image in the boot-time allocator and builds the direct map; then\n"
	  "free_area_init sizes the zones and the free pages go to the buddy\n"
	  "allocator. Watch the kernel log and /proc/iomem, /proc/zoneinfo.",
	  "docs/boot.md", NULL, "mmkit boot pc-i386-2g" },
	{ "vma", "the process address space: mm_struct and vm_area_struct (mm/mmap.c)",
	  "Each process's mm_struct holds its page tables (pgd) and the sorted\n"
	  "vm_area_structs covering [start, end) with flags and protections; mmap,\n"
	  "munmap, mprotect and mremap split, merge and move them; find_vma maps an\n"
	  "address to its area. Watch /proc/PID/maps and /proc/PID/smaps.",
	  "docs/address-space.md", "mprotect-mremap-mlock", NULL },
	{ "shm", "System V shared memory and shmem (ipc/shm.c, mm/shmem.c)",
	  "shmget creates a segment backed by a shmem file; every shmat maps the\n"
	  "same pages (MAP_SHARED), counted as Shmem in meminfo and swappable to\n"
	  "swap. shmctl(IPC_RMID) destroys it when the last attach is gone.",
	  "docs/shmem.md", "shm", NULL },
	{ "pagecache", "the page cache and file mappings (mm/filemap.c)",
	  "read(2) and file faults look pages up by (inode, offset) in the file's\n"
	  "page cache and read missing ones from the disk (with read-ahead); every\n"
	  "MAP_SHARED mapping of the file maps those same pages, MAP_PRIVATE copies\n"
	  "on write. Dirty pages reach the file at msync/fsync or reclaim; truncate\n"
	  "unmaps pages past the end (SIGBUS). Watch Cached, Dirty, Mapped in meminfo.",
	  "docs/files.md", "page-cache", NULL },
	{ "swap", "swap areas, swap entries and swap-in (mm/swapfile.c, mm/memory.c)",
	  "mkswap + swapon add a swap area; reclaim writes anonymous pages to its\n"
	  "slots and every PTE mapping a page gets the swap entry (type + offset).\n"
	  "The next access is a major fault (do_swap_page) reading it back through\n"
	  "the swap cache. Watch /proc/swaps, SwapFree, pswpin/pswpout, pgmajfault.",
	  "docs/swap.md", "swap", NULL },
	{ "oom", "the OOM killer (mm/oom_kill.c)",
	  "When reclaim frees nothing, the process with the highest oom_badness\n"
	  "(rss + swap entries + page tables, shifted by oom_score_adj) is killed\n"
	  "with SIGKILL and its memory freed; the log says \"Out of memory: Killed\n"
	  "process\". oom_score_adj -1000 exempts a process (/proc/PID/oom_score 0).",
	  "docs/reclaim.md", "oom", NULL },
	{ "replacement", "page replacement on the real fault path (mm/vmscan.c)",
	  "The textbook reference string 1,2,3,4,1,2,5,1,2,3,4,5 written by a\n"
	  "process limited to N resident pages (max_resident) under fifo, lru,\n"
	  "clock and linux: FIFO takes 9 faults with 3 frames and 10 with 4\n"
	  "(Belady's anomaly), LRU 10 and 8.",
	  "docs/reclaim.md", "reclaim-policies", NULL },
	{ "policies", "page replacement policies and Belady's OPT (mm/vmscan.c)",
	  "Reclaim takes pages from the tail of the inactive LRU lists. The policy\n"
	  "decides which: linux (active/inactive lists, second chance), clock (the\n"
	  "Accessed bit), lru (exact recency), fifo (load order). With a resident\n"
	  "limit of N frames and swap, a trace replays with exactly N frames; OPT\n"
	  "(evict the page used farthest in the future) runs offline on the trace's\n"
	  "page reference string. Select one with `reclaim POLICY` in a machine file.",
	  "docs/reclaim.md", NULL,
	  "mmkit trace replay TRACE --compare-policies --frames N" },
};

int mmkit_help_topic(const char *topic)
{
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		const struct help_topic *t = &topics[i];

		if (strcmp(topic, t->name))
			continue;
		printf("%s: %s\n\n%s\n\n", t->name, t->title, t->text);
		printf("Read:  %s\n", t->doc);
		if (t->scenario)
			printf("Run:   mmkit run examples/scenarios/%s.mms\n", t->scenario);
		else
			printf("Run:   %s\n", t->run);
		return 0;
	}
	return -1;
}

void mmkit_help_topics_list(void)
{
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
		printf("   %-10s %s\n", topics[i].name, topics[i].title);
}

/* The topic as JSON fields, without braces. */
static void topic_fields(const struct help_topic *t, bool text)
{
	printf("\"topic\": ");
	json_string(stdout, t->name);
	printf(", \"title\": ");
	json_string(stdout, t->title);
	if (text) {
		printf(", \"text\": ");
		json_string(stdout, t->text);
	}
	printf(", \"doc\": ");
	json_string(stdout, t->doc);
	printf(", \"scenario\": ");
	if (t->scenario)
		printf("\"examples/scenarios/%s.mms\"", t->scenario);
	else
		printf("null");
	printf(", \"run\": ");
	if (t->scenario)
		printf("\"mmkit run examples/scenarios/%s.mms\"", t->scenario);
	else
		json_string(stdout, t->run);
}

int mmkit_help_topic_json(const char *topic)
{
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		if (strcmp(topic, topics[i].name))
			continue;
		printf("{");
		topic_fields(&topics[i], true);
		printf("}\n");
		return 0;
	}
	return -1;
}

void mmkit_help_topics_json(void)
{
	printf("[");
	for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		printf("%s\n  {", i ? "," : "");
		topic_fields(&topics[i], false);
		printf("}");
	}
	printf("]");
}
