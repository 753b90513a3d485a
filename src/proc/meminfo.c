/* /proc/meminfo (cf. meminfo_proc_show() in fs/proc/meminfo.c, Linux 6.18,
 * with hugetlb_report_meminfo and x86's arch_report_meminfo): every line of
 * the 6.18 file in order; HighTotal/HighFree/LowTotal/LowFree after Mlocked
 * when the kernel has CONFIG_HIGHMEM. Values come from the live counters
 * with meminfo_proc_show's formulas: Buffers = the page caches of block
 * devices (nr_blockdev_pages), Cached = NR_FILE_PAGES - swap cache -
 * Buffers, KReclaimable = SReclaimable + NR_KERNEL_MISC_RECLAIMABLE, CommitLimit =
 * vm_commit_limit() (RAM * overcommit_ratio + swap), Committed_AS = the
 * commit charge. What mmkit has no subsystem for (percpu, zswap,
 * hugetlb, bounce) reads 0. */
#include "mm/page_alloc.h"
#include "mm/vma.h"
#include "proc/seq.h"

static void show_val_kb(struct seq_file *s, const char *label, unsigned long pages)
{
	seq_printf(s, "%s%8lu kB\n", label, pages << (PAGE_SHIFT - 10));
}

static unsigned long node_pages(struct machine *m, enum node_stat_item item)
{
	return node_page_state(&m->node, item);
}

static unsigned long zone_sum(struct machine *m, enum zone_stat_item item, bool high_only)
{
	unsigned long sum = 0;

	for (int z = 0; z < MAX_NR_ZONES; z++)
		if (!high_only || is_highmem_idx(z))
			sum += zone_page_state(&m->node.node_zones[z], item);
	return sum;
}

/* VMALLOC_TOTAL >> 10: x86_64's 32 TiB area less a byte (Linux prints
 * VMALLOC_END - VMALLOC_START there), i386's the area between the direct
 * map's gap and the pkmap/fixmap areas. */
static unsigned long vmalloc_total_kb(struct machine *m)
{
	return m->arch.x86_64 ? ((32ULL << 40) - 1) >> 10 : vmalloc_total_bytes(m) >> 10;
}

static void meminfo_lru(struct seq_file *s, struct machine *m)
{
	unsigned long aa = node_pages(m, NR_ACTIVE_ANON), ia = node_pages(m, NR_INACTIVE_ANON);
	unsigned long af = node_pages(m, NR_ACTIVE_FILE), inf = node_pages(m, NR_INACTIVE_FILE);

	show_val_kb(s, "Active:         ", aa + af);
	show_val_kb(s, "Inactive:       ", ia + inf);
	show_val_kb(s, "Active(anon):   ", aa);
	show_val_kb(s, "Inactive(anon): ", ia);
	show_val_kb(s, "Active(file):   ", af);
	show_val_kb(s, "Inactive(file): ", inf);
	show_val_kb(s, "Unevictable:    ", node_pages(m, NR_UNEVICTABLE));
	show_val_kb(s, "Mlocked:        ", zone_sum(m, NR_MLOCK, false));
}

static void meminfo_kernel(struct seq_file *s, struct machine *m)
{
	unsigned long sreclaimable = node_pages(m, NR_SLAB_RECLAIMABLE_B);
	unsigned long sunreclaim = node_pages(m, NR_SLAB_UNRECLAIMABLE_B);
	long committed = __atomic_load_n(&m->vm.vm_committed_as, __ATOMIC_RELAXED);

	show_val_kb(s, "Dirty:          ", node_pages(m, NR_FILE_DIRTY));
	show_val_kb(s, "Writeback:      ", node_pages(m, NR_WRITEBACK));
	show_val_kb(s, "AnonPages:      ", node_pages(m, NR_ANON_MAPPED));
	show_val_kb(s, "Mapped:         ", node_pages(m, NR_FILE_MAPPED));
	show_val_kb(s, "Shmem:          ", node_pages(m, NR_SHMEM));
	show_val_kb(s, "KReclaimable:   ",
		    sreclaimable + node_pages(m, NR_KERNEL_MISC_RECLAIMABLE));
	show_val_kb(s, "Slab:           ", sreclaimable + sunreclaim);
	show_val_kb(s, "SReclaimable:   ", sreclaimable);
	show_val_kb(s, "SUnreclaim:     ", sunreclaim);
	seq_printf(s, "KernelStack:    %8lu kB\n", node_pages(m, NR_KERNEL_STACK_KB));
	show_val_kb(s, "PageTables:     ", node_pages(m, NR_PAGETABLE));
	show_val_kb(s, "SecPageTables:  ", node_pages(m, NR_SECONDARY_PAGETABLE));
	show_val_kb(s, "NFS_Unstable:   ", 0);
	show_val_kb(s, "Bounce:         ", 0);
	show_val_kb(s, "WritebackTmp:   ", 0);
	/* vm_commit_limit(): overcommit_ratio of RAM plus swap; the commit
	 * charge of every VM_ACCOUNT mapping (vm_memory_committed) */
	show_val_kb(s, "CommitLimit:    ", vm_commit_limit(m));
	show_val_kb(s, "Committed_AS:   ", committed < 0 ? 0 : (unsigned long)committed);
	seq_printf(s, "VmallocTotal:   %8lu kB\n", vmalloc_total_kb(m));
	show_val_kb(s, "VmallocUsed:    ", vmalloc_nr_pages(m));
	show_val_kb(s, "VmallocChunk:   ", 0);
	show_val_kb(s, "Percpu:         ", 0);
}

static void meminfo_huge(struct seq_file *s, struct machine *m)
{
	bool pmd_2m = m->arch.x86_64 || m->arch.pae;

	show_val_kb(s, "AnonHugePages:  ", node_pages(m, NR_ANON_THPS));
	show_val_kb(s, "ShmemHugePages: ", node_pages(m, NR_SHMEM_THPS));
	show_val_kb(s, "ShmemPmdMapped: ", node_pages(m, NR_SHMEM_PMDMAPPED));
	show_val_kb(s, "FileHugePages:  ", node_pages(m, NR_FILE_THPS));
	show_val_kb(s, "FilePmdMapped:  ", node_pages(m, NR_FILE_PMDMAPPED));
	show_val_kb(s, "Balloon:        ", node_pages(m, NR_BALLOON_PAGES));
	seq_printf(s,
		   "HugePages_Total:   %5lu\n"
		   "HugePages_Free:    %5lu\n"
		   "HugePages_Rsvd:    %5lu\n"
		   "HugePages_Surp:    %5lu\n"
		   "Hugepagesize:   %8lu kB\n",
		   0UL, 0UL, 0UL, 0UL, pmd_2m ? 2048UL : 4096UL);
	seq_printf(s, "Hugetlb:        %8lu kB\n", 0UL);
	seq_printf(s, "DirectMap4k:    %8llu kB\n", (unsigned long long)(m->pgtables.direct_map_4k >> 10));
	if (pmd_2m)
		seq_printf(s, "DirectMap2M:    %8llu kB\n", (unsigned long long)(m->pgtables.direct_map_large >> 10));
	else
		seq_printf(s, "DirectMap4M:    %8llu kB\n", (unsigned long long)(m->pgtables.direct_map_large >> 10));
}

/**
 * meminfo_show - render /proc/meminfo
 * @s: the buffer
 * @m: the machine
 *
 * Returns 0, or -ENODEV before boot built the zones.
 */
int meminfo_show(struct seq_file *s, struct machine *m)
{
	unsigned long totalram = m->totalram_pages, freeram = zone_sum(m, NR_FREE_PAGES, false);
	unsigned long buffers = nr_blockdev_pages(m);
	long cached = (long)node_pages(m, NR_FILE_PAGES) - (long)node_pages(m, NR_SWAPCACHE) -
		      (long)buffers;
	struct swap_sysinfo swap;

	if (!m->mem_map)
		return -ENODEV;
	show_val_kb(s, "MemTotal:       ", totalram);
	show_val_kb(s, "MemFree:        ", freeram);
	show_val_kb(s, "MemAvailable:   ", (unsigned long)si_mem_available(m));
	show_val_kb(s, "Buffers:        ", buffers);
	show_val_kb(s, "Cached:         ", cached < 0 ? 0 : (unsigned long)cached);
	show_val_kb(s, "SwapCached:     ", node_pages(m, NR_SWAPCACHE));
	meminfo_lru(s, m);
	if (m->node.node_zones[ZONE_HIGHMEM].configured) {
		unsigned long freehigh = zone_sum(m, NR_FREE_PAGES, true);

		show_val_kb(s, "HighTotal:      ", m->totalhigh_pages);
		show_val_kb(s, "HighFree:       ", freehigh);
		show_val_kb(s, "LowTotal:       ", totalram - m->totalhigh_pages);
		show_val_kb(s, "LowFree:        ", freeram - freehigh);
	}
	si_swapinfo(m, &swap);
	show_val_kb(s, "SwapTotal:      ", swap.totalswap);
	show_val_kb(s, "SwapFree:       ", swap.freeswap);
	show_val_kb(s, "Zswap:          ", 0);
	show_val_kb(s, "Zswapped:       ", 0);
	meminfo_kernel(s, m);
	meminfo_huge(s, m);
	return 0;
}
