/* /proc/PID/smaps and /proc/PID/smaps_rollup: what each VMA of a process
 * (and all of them together) has resident, found by walking its page
 * tables (cf. fs/proc/task_mmu.c show_smap, show_smaps_rollup,
 * smap_gather_stats, smaps_pte_range, smaps_account, __show_smap).
 *
 * Per VMA: the /proc/PID/maps line (rendered by pid_maps.c, so the two
 * files can never disagree), then "Label:" padded to 16 columns, the value
 * in kB right-aligned in 8 and " kB" -- Size, KernelPageSize, MMUPageSize,
 * Rss, Pss, Pss_Dirty, Shared/Private_Clean/Dirty, Referenced, Anonymous,
 * KSM, LazyFree, AnonHugePages, ShmemPmdMapped, FilePmdMapped,
 * Shared_Hugetlb, Private_Hugetlb (label 17 columns, value 7), Swap,
 * SwapPss, Locked -- then THPeligible and VmFlags (two-letter mnemonics in
 * bit order, each followed by a space). The rollup has one "[rollup]"
 * header from the first VMA's start to the last VMA's end, adds Pss_Anon,
 * Pss_File and Pss_Shmem, and has no THPeligible/VmFlags.
 *
 * Accounting, as Linux's smaps_account: a present PTE whose page is normal
 * (not the zero page, not special: vm_normal_page) counts PAGE_SIZE of Rss.
 * A page with one reference is private and its whole size is Pss; else
 * the page's mapcount decides: Pss gets PAGE_SIZE / mapcount in fixed
 * point (PSS_SHIFT bits of fraction) and the page is Shared when mapcount
 * >= 2. Dirty = PTE dirty bit or PG_dirty; Referenced = PTE accessed bit or
 * PG_referenced; Locked = the Pss of VM_LOCKED VMAs. mmkit has no THP,
 * hugetlb, KSM or swap yet: those lines are 0, THPeligible is 0.
 *
 * Invariant: Rss of all VMAs together equals get_mm_rss() (the rss
 * counters count exactly the present PTEs of normal pages). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/memory.h"
#include "mm/swap.h"
#include "proc/seq.h"

#define PSS_SHIFT 12

/* What one VMA, or the whole mm, has (cf. struct mem_size_stats). */
struct mem_size_stats {
	unsigned long resident;
	unsigned long shared_clean, shared_dirty;
	unsigned long private_clean, private_dirty;
	unsigned long referenced, anonymous, lazyfree, ksm;
	unsigned long anonymous_thp, shmem_thp, file_thp;
	unsigned long swap, shared_hugetlb, private_hugetlb;
	u64 pss, pss_anon, pss_file, pss_shmem, pss_dirty, pss_locked, swap_pss;
};

/* The page a present PTE maps, or NULL for the zero page and other
 * special or struct-page-less frames (cf. vm_normal_page). */
static struct page *smaps_normal_page(struct machine *m, const struct vm_area_struct *vma,
				      pte_t pte)
{
	unsigned long pfn = pte_pfn(pte);

	if (pte_special(pte) || is_zero_pfn(m, pfn) || pfn >= m->max_pfn)
		return NULL;
	if (vma->vm_flags & VM_PFNMAP)
		return NULL;
	return pfn_to_page(m, pfn);
}

/* Add @size bytes (@pss of them, fixed point) to the kind of @page
 * (cf. smaps_page_accumulate). */
static void smaps_page_accumulate(struct mem_size_stats *mss, const struct page *page,
				  unsigned long size, u64 pss, bool dirty, bool locked,
				  bool private)
{
	mss->pss += pss;
	if (PageAnon(page))
		mss->pss_anon += pss;
	else if (PageSwapBacked(page))
		mss->pss_shmem += pss;
	else
		mss->pss_file += pss;
	if (locked)
		mss->pss_locked += pss;
	if (dirty || PageDirty(page)) {
		mss->pss_dirty += pss;
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else {
		if (private)
			mss->private_clean += size;
		else
			mss->shared_clean += size;
	}
}

/* One present PTE mapping @page (cf. smaps_account for a small page). */
static void smaps_account(struct mem_size_stats *mss, struct page *page, bool young,
			  bool dirty, bool locked)
{
	u64 pss = (u64)PAGE_SIZE << PSS_SHIFT;
	int mapcount;

	if (PageAnon(page)) {
		mss->anonymous += PAGE_SIZE;
		if (!PageSwapBacked(page) && !dirty && !PageDirty(page))
			mss->lazyfree += PAGE_SIZE;	/* MADV_FREE'd and still clean */
	}
	mss->resident += PAGE_SIZE;
	if (young || PageReferenced(page))
		mss->referenced += PAGE_SIZE;
	/* A single reference means a single mapping: private, all of it ours. */
	if (page_count(page) == 1) {
		smaps_page_accumulate(mss, page, PAGE_SIZE, pss, dirty, locked, true);
		return;
	}
	mapcount = page_mapcount(page);
	if (mapcount >= 2)
		pss /= (u64)mapcount;
	smaps_page_accumulate(mss, page, PAGE_SIZE, pss, dirty, locked, mapcount < 2);
}

/* A swap pte: Swap, and SwapPss shared among the ptes naming the slot
 * (cf. smaps_pte_entry's is_swap_pte branch; swp_swapcount). */
static void smaps_swap(struct machine *m, struct mem_size_stats *mss, pte_t pte)
{
	int mapcount = __swap_count(m, pte_to_swp_entry(m, pte));
	u64 pss = (u64)PAGE_SIZE << PSS_SHIFT;

	mss->swap += PAGE_SIZE;
	mss->swap_pss += mapcount >= 2 ? pss / (u64)mapcount : pss;
}

/* Walk the PTEs of [@addr, @end), all under one pmd (cf. smaps_pte_range). */
static void smaps_pte_range(struct machine *m, struct vm_area_struct *vma, unsigned long addr,
			    unsigned long end, struct mem_size_stats *mss)
{
	bool locked = vma->vm_flags & VM_LOCKED;
	ptep_t *ptep = pte_offset_user(m, vma->vm_mm, addr);

	if (!ptep)
		return;
	/* the slots of one table are consecutive entries */
	for (; addr < end; addr += PAGE_SIZE) {
		pte_t pte = ptep_get(m, ptep);
		struct page *page;

		ptep = (ptep_t *)((u8 *)ptep + pgt_fmt(m)->entry_size);

		if (is_swap_pte(pte)) {	/* a PTE marker is no swap (!non_swap_entry) */
			if (!non_swap_entry(pte_to_swp_entry(m, pte)))
				smaps_swap(m, mss, pte);
			continue;
		}
		if (!pte_present(pte))
			continue;
		page = smaps_normal_page(m, vma, pte);
		if (page)
			smaps_account(mss, page, pte_young(pte), pte_dirty(pte), locked);
	}
}

/* Gather the stats of one VMA into @mss (cf. smap_gather_stats). */
static void smap_gather_stats(struct machine *m, struct vm_area_struct *vma,
			      struct mem_size_stats *mss)
{
	unsigned long addr = vma->vm_start, next;

	if (!vma->vm_mm->pgd)
		return;
	for (; addr < vma->vm_end; addr = next) {
		next = (unsigned long)pt_addr_end(m, PT_PMD, addr, vma->vm_end);
		smaps_pte_range(m, vma, addr, next, mss);
	}
}

/* "Label:" padded to @lwidth columns, @bytes in kB right-aligned in @width. */
static void smap_kb(struct seq_file *s, const char *label, int lwidth, int width, u64 bytes)
{
	seq_printf(s, "%-*s%*llu kB\n", lwidth, label, width, (unsigned long long)(bytes >> 10));
}

/* The counters both files print (cf. __show_smap). */
static void __show_smap(struct seq_file *s, const struct mem_size_stats *mss, bool rollup)
{
	smap_kb(s, "Rss:", 16, 8, mss->resident);
	smap_kb(s, "Pss:", 16, 8, mss->pss >> PSS_SHIFT);
	smap_kb(s, "Pss_Dirty:", 16, 8, mss->pss_dirty >> PSS_SHIFT);
	if (rollup) {
		/* per VMA two of these are 0 and the third equals Pss */
		smap_kb(s, "Pss_Anon:", 16, 8, mss->pss_anon >> PSS_SHIFT);
		smap_kb(s, "Pss_File:", 16, 8, mss->pss_file >> PSS_SHIFT);
		smap_kb(s, "Pss_Shmem:", 16, 8, mss->pss_shmem >> PSS_SHIFT);
	}
	smap_kb(s, "Shared_Clean:", 16, 8, mss->shared_clean);
	smap_kb(s, "Shared_Dirty:", 16, 8, mss->shared_dirty);
	smap_kb(s, "Private_Clean:", 16, 8, mss->private_clean);
	smap_kb(s, "Private_Dirty:", 16, 8, mss->private_dirty);
	smap_kb(s, "Referenced:", 16, 8, mss->referenced);
	smap_kb(s, "Anonymous:", 16, 8, mss->anonymous);
	smap_kb(s, "KSM:", 16, 8, mss->ksm);
	smap_kb(s, "LazyFree:", 16, 8, mss->lazyfree);
	smap_kb(s, "AnonHugePages:", 16, 8, mss->anonymous_thp);
	smap_kb(s, "ShmemPmdMapped:", 16, 8, mss->shmem_thp);
	smap_kb(s, "FilePmdMapped:", 16, 8, mss->file_thp);
	smap_kb(s, "Shared_Hugetlb:", 16, 8, mss->shared_hugetlb);
	smap_kb(s, "Private_Hugetlb:", 17, 7, mss->private_hugetlb);
	smap_kb(s, "Swap:", 16, 8, mss->swap);
	smap_kb(s, "SwapPss:", 16, 8, mss->swap_pss >> PSS_SHIFT);
	smap_kb(s, "Locked:", 16, 8, mss->pss_locked >> PSS_SHIFT);
}

/* VmFlags mnemonics by bit (cf. show_smap_vma_flags); bit 11 is unused. */
static const char vm_flag_mnemonics[32][3] = {
	"rd", "wr", "ex", "sh", "mr", "mw", "me", "ms", "gd", "um", "pf", "",
	"uw", "lo", "io", "sr", "rr", "dc", "de", "lf", "ac", "nr", "ht", "sf",
	"ar", "wf", "dd", "sd", "mm", "hg", "nh", "mg",
};

static void show_smap_vma_flags(struct seq_file *s, vm_flags_t flags)
{
	seq_puts(s, "VmFlags: ");
	for (unsigned int i = 0; i < 32; i++)
		if (vm_flag_mnemonics[i][0] && (flags & (1UL << i))) {
			seq_puts(s, vm_flag_mnemonics[i]);
			seq_putc(s, ' ');
		}
	seq_putc(s, '\n');
}

/* One VMA's block below its maps line (cf. show_smap). */
static void show_smap(struct seq_file *s, unsigned long size, vm_flags_t flags,
		      const struct mem_size_stats *mss)
{
	smap_kb(s, "Size:", 16, 8, size);
	smap_kb(s, "KernelPageSize:", 16, 8, PAGE_SIZE);
	smap_kb(s, "MMUPageSize:", 16, 8, PAGE_SIZE);
	__show_smap(s, mss, false);
	seq_printf(s, "%-16s%8u\n", "THPeligible:", 0u);
	show_smap_vma_flags(s, flags);
}

/* Copy the next line of @text (advancing it) into @s. */
static void seq_put_line(struct seq_file *s, const char **text)
{
	const char *eol = strchr(*text, '\n');
	size_t n = eol ? (size_t)(eol - *text) + 1 : strlen(*text);
	char line[512];

	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, *text, n);
	line[n] = '\0';
	seq_puts(s, line);
	*text += n;
}

/**
 * pid_smaps_show() - render /proc/PID/smaps of @tsk
 * @s: the output
 * @m: the machine
 * @tsk: the task; a kernel thread (no mm) has an empty file
 *
 * Returns 0 or -ENOMEM.
 */
int pid_smaps_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;
	struct seq_file maps = { 0 };
	struct vm_area_struct *vma;
	const char *line;
	int ret;

	if (!mm)
		return 0;
	mmap_read_lock(mm);
	ret = pid_maps_show(&maps, m, tsk);	/* a nested read lock: no writer can be in */
	if (!ret)
		ret = maps.error;
	line = maps.buf ? maps.buf : "";
	for_each_vma(mm, vma) {
		struct mem_size_stats mss = { 0 };

		if (ret || !*line)
			break;
		smap_gather_stats(m, vma, &mss);
		seq_put_line(s, &line);
		show_smap(s, vma->vm_end - vma->vm_start, vma->vm_flags, &mss);
	}
	mmap_read_unlock(mm);
	if (!ret && *line) {	/* the gate VMA: [vsyscall] on x86_64, exec-only */
		struct mem_size_stats none = { 0 };

		seq_put_line(s, &line);
		show_smap(s, PAGE_SIZE, VM_EXEC, &none);
	}
	free(maps.buf);
	return ret;
}

/* The rollup header: a maps line for [start, end) named [rollup]. */
static void show_rollup_header(struct seq_file *s, struct machine *m, unsigned long start,
			       unsigned long end)
{
	int width = 25 + (arch_is_64bit(m) ? 8 : 4) * 6 - 1;
	char head[96];
	int n;

	n = snprintf(head, sizeof(head), "%08lx-%08lx ---p 00000000 00:00 0 ", start, end);
	seq_puts(s, head);
	for (; n < width; n++)
		seq_putc(s, ' ');
	seq_puts(s, " [rollup]\n");
}

/**
 * pid_smaps_rollup_show() - render /proc/PID/smaps_rollup of @tsk: the
 *	sums over every VMA (the gate page is not a VMA of the mm)
 * @s: the output
 * @m: the machine
 * @tsk: the task
 *
 * Returns 0, or -ESRCH for a task without an mm (as Linux's read fails).
 */
int pid_smaps_rollup_show(struct seq_file *s, struct machine *m, struct task_struct *tsk)
{
	struct mm_struct *mm = tsk->mm;
	struct mem_size_stats mss = { 0 };
	unsigned long start = 0, end = 0;
	struct vm_area_struct *vma;

	if (!mm)
		return -ESRCH;
	mmap_read_lock(mm);
	if (mm->mmap)
		start = mm->mmap->vm_start;
	for_each_vma(mm, vma) {
		smap_gather_stats(m, vma, &mss);
		end = vma->vm_end;
	}
	mmap_read_unlock(mm);
	show_rollup_header(s, m, start, end);
	__show_smap(s, &mss, true);
	return 0;
}
