/* The per-process views /proc/PID/{smaps,smaps_rollup,status,stat,statm}
 * (src/proc/pid_smaps.c, pid_status.c, pid_stat.c): their structure line
 * by line against the Linux 6.18 reference files, and their numbers
 * against the mm_struct and the page tables after known operations.
 *
 * The page-level tests build PTEs by hand (pte_alloc_user + set_pte, with
 * the mapcount, refcount and rss counter a fault would give), so the
 * accounting is checked independently of the fault path; those machines
 * are destroyed without tearing the hand-made mappings down. */
#include <ctype.h>

#include "vma_test.h"
#include "mm/memory.h"
#include <mmkit/signal.h>

static const char x86_64_2cpu[] =
	"arch x86_64\ncpus 2\n"
	"e820 0 0x9fc00 usable\n"
	"e820 0x100000 0x7f00000 usable\n";

static char *reference(const char *name)
{
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/proc/%s", MMKIT_REFERENCE_DIR, name);
	text = test_read_file(path);
	assert_non_null(text);
	return text;
}

/* The @n-th line (0-based) of @text, without its newline; the caller frees. */
static char *line_at(const char *text, int n)
{
	const char *p = text, *eol;

	for (; n > 0 && p; n--) {
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	assert_non_null(p);
	eol = strchr(p, '\n');
	return strndup(p, eol ? (size_t)(eol - p) : strlen(p));
}

/* The text's shape: every run of spaces followed by digits becomes as many
 * '#', so right-aligned fields of equal width compare equal. */
static char *shape(const char *text)
{
	char *out = strdup(text), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p;) {
		const char *q = p;

		while (*q == ' ')
			q++;
		if (isdigit((unsigned char)*q)) {
			while (isdigit((unsigned char)*q))
				q++;
			while (p < q)
				*o++ = '#', p++;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* The block of @text from the line starting with @head up to (excluding)
 * the next line that starts with a hex address, or the end. */
static char *block_after(const char *text, const char *head_suffix)
{
	const char *start = strstr(text, head_suffix), *end;

	assert_non_null(start);
	start = strchr(start, '\n') + 1;
	for (end = start; *end; end = strchr(end, '\n') + 1)
		if (isxdigit((unsigned char)end[0]) && strchr(end, '-') &&
		    strchr(end, '-') < strchr(end, '\n') && strchr(end, '-') - end >= 8)
			break;
	return strndup(start, (size_t)(end - start));
}

static struct machine *boot_x86_64_task(bool privileged)
{
	struct machine *m = test_boot_text(x86_64_2cpu);

	vt_spawn(m, privileged);
	return m;
}

/* The number after "label" on its line in a view, in the view's unit. */
static unsigned long view_num(const char *text, const char *label)
{
	const char *p = strstr(text, label);

	assert_non_null(p);
	p += strlen(label);
	while (*p == ' ' || *p == '\t')
		p++;
	return strtoul(p, NULL, 10);
}

/* ---- hand-made page tables ------------------------------------------ */

static struct anon_vma test_anon_vma;

/* A fresh page, anonymous (swap-backed, anon_vma mapping) or file-like. */
static struct page *hand_page(struct machine *m, bool anon)
{
	struct page *page = alloc_page(m, GFP_KERNEL);

	assert_non_null(page);
	page->_refcount = 0;	/* each mapping below takes one reference */
	if (anon) {
		page->mapping = (void *)((unsigned long)&test_anon_vma | PAGE_MAPPING_ANON);
		SetPageSwapBacked(page);
	}
	return page;
}

/* Map @page at @addr of the current mm with extra pte @bits, as a fault
 * would: mapcount, a reference and the rss counter follow the PTE. */
static void hand_map(struct machine *m, unsigned long addr, struct page *page, u64 bits)
{
	struct mm_struct *mm = vt_mm(m);
	ptep_t *pte = pte_alloc_user(m, mm, addr);

	assert_non_null(pte);
	set_pte(m, pte, __pte(((u64)page_to_pfn(m, page) << PAGE_SHIFT) | _PAGE_PRESENT |
			      _PAGE_USER | bits));
	page->_mapcount++;
	page->_refcount++;
	inc_mm_counter(mm, mm_counter(page));
	update_hiwater_rss(mm);
}

/* The smaps block of the VMA starting at @start, as text. */
static char *smaps_block(struct machine *m, unsigned long start)
{
	char *smaps = test_proc(m, "/proc/self/smaps"), head[32], *b;

	snprintf(head, sizeof(head), "%08lx-", start);
	assert_non_null(strstr(smaps, head));
	b = block_after(strstr(smaps, head), "");
	free(smaps);
	return b;
}

/* ---- smaps: format ---------------------------------------------------- */

static void test_smaps_block_matches_reference_format(void **state)
{
	struct machine *m = boot_x86_64_task(false);
	unsigned long heap = sys_brk(m, 0);
	char *ref = reference("PID-smaps"), *ours, *a, *b;

	(void)state;
	sys_brk(m, heap + PG(33));
	ours = smaps_block(m, heap);
	a = shape(ours);
	b = block_after(ref, "[heap]\n");
	free(ours);
	ours = shape(b);
	assert_string_equal(a, ours);	/* labels, widths, " kB", THPeligible, VmFlags */
	free(a), free(b), free(ours), free(ref);
	vt_done(m);
}

static void test_smaps_headers_are_the_maps_lines(void **state)
{
	struct machine *m = boot_x86_64_task(false);
	char *maps = test_proc(m, "/proc/self/maps"), *smaps = test_proc(m, "/proc/self/smaps");
	const char *p = smaps;
	int n = 0;

	(void)state;
	/* every maps line, the [vsyscall] gate last, heads a 25-line block */
	for (const char *l = maps; *l; l = strchr(l, '\n') + 1, n++) {
		size_t len = (size_t)(strchr(l, '\n') - l) + 1;

		assert_memory_equal(p, l, len);
		for (int i = 0; i < 25; i++)
			p = strchr(p, '\n') + 1;
	}
	assert_int_equal(*p, '\0');
	assert_int_equal(n, vt_mm(m)->map_count + 1);
	assert_non_null(strstr(smaps, "[vsyscall]\nSize:                  4 kB\n"));
	assert_non_null(strstr(smaps, "Locked:                0 kB\nTHPeligible:           0\n"
				      "VmFlags: ex \n"));
	free(maps), free(smaps);
	vt_done(m);
}

static void test_smaps_i386_has_no_gate_block(void **state)
{
	struct machine *m = vt_boot();
	char *smaps = test_proc(m, "/proc/self/smaps");

	(void)state;
	assert_null(strstr(smaps, "vsyscall"));
	assert_non_null(strstr(smaps, "bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]\n"
				      "Size:                132 kB\n"));
	free(smaps);
	vt_done(m);
}

static void test_smaps_vmflags_in_bit_order(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(2), RW, MAP_PRIVATE);
	long sh = vt_map(m, 0, PG(1), PROT_READ, MAP_SHARED);
	char *b;

	(void)state;
	assert_int_equal(sys_mlock(m, (unsigned long)a, PG(1)), 0);
	assert_int_equal(sys_madvise(m, (unsigned long)a + PG(1), PG(1), MADV_DONTFORK), 0);
	b = smaps_block(m, (unsigned long)a);
	assert_non_null(strstr(b, "VmFlags: rd wr mr mw me lo ac \n"));
	free(b);
	b = smaps_block(m, (unsigned long)a + PG(1));
	assert_non_null(strstr(b, "VmFlags: rd wr mr mw me dc ac \n"));
	free(b);
	b = smaps_block(m, (unsigned long)sh);
	assert_non_null(strstr(b, "VmFlags: rd sh mr mw me ms \n"));
	free(b);
	b = smaps_block(m, vt_mm(m)->mmap->vm_start);	/* the text */
	assert_non_null(strstr(b, "VmFlags: rd ex mr mw me \n"));
	free(b);
	vt_done(m);
}

static void test_smaps_rollup_matches_reference_format(void **state)
{
	struct machine *m = boot_x86_64_task(false);
	char *ours = test_proc(m, "/proc/self/smaps_rollup"), *ref = reference("PID-smaps_rollup");
	char *a = shape(strchr(ours, '\n') + 1), *b = shape(strchr(ref, '\n') + 1);
	char *h = line_at(ours, 0), *rh = line_at(ref, 0);

	(void)state;
	assert_string_equal(a, b);
	assert_int_equal(strlen(h), strlen(rh));	/* "[rollup]" at column 74 */
	assert_string_equal(h + strlen(h) - 9, " [rollup]");
	free(ours), free(ref), free(a), free(b), free(h), free(rh);
	vt_done(m);
}

static void test_smaps_rollup_spans_first_to_last_vma(void **state)
{
	struct machine *m = vt_boot();
	char *text = test_proc(m, "/proc/self/smaps_rollup");

	(void)state;
	assert_non_null(strstr(text, "08048000-c0000000 ---p 00000000 00:00 0          [rollup]\n"
				     "Rss:                   0 kB\n"));
	free(text);
	vt_done(m);
}

/* ---- smaps: accounting ------------------------------------------------ */

static void test_smaps_private_dirty_anon_page(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(4), RW, MAP_PRIVATE);
	char *b;

	(void)state;
	hand_map(m, (unsigned long)a, hand_page(m, true), _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY);
	hand_map(m, (unsigned long)a + PG(2), hand_page(m, true), 0);	/* clean, not young */
	b = smaps_block(m, (unsigned long)a);
	assert_int_equal(view_num(b, "Rss:"), 8);
	assert_int_equal(view_num(b, "Pss:"), 8);
	assert_int_equal(view_num(b, "Pss_Dirty:"), 4);
	assert_int_equal(view_num(b, "Private_Dirty:"), 4);
	assert_int_equal(view_num(b, "Private_Clean:"), 4);
	assert_int_equal(view_num(b, "Shared_Clean:"), 0);
	assert_int_equal(view_num(b, "Referenced:"), 4);
	assert_int_equal(view_num(b, "Anonymous:"), 8);
	assert_int_equal(view_num(b, "LazyFree:"), 0);
	free(b);
	mmkit_machine_destroy(m);
}

static void test_smaps_pss_divides_shared_page_by_mapcount(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(3), PROT_READ, MAP_PRIVATE);
	long b1 = vt_map(m, 0, PG(1), RW, MAP_PRIVATE);	/* RW: no merge with a */
	struct page *page = hand_page(m, false);
	char *b, *r;

	(void)state;
	/* one file-like page mapped three times: 4096/3 bytes of Pss each */
	hand_map(m, (unsigned long)a, page, 0);
	hand_map(m, (unsigned long)a + PG(1), page, 0);
	hand_map(m, (unsigned long)b1, page, _PAGE_ACCESSED);
	assert_int_equal(page_mapcount(page), 3);
	b = smaps_block(m, (unsigned long)a);
	assert_int_equal(view_num(b, "Rss:"), 8);
	assert_int_equal(view_num(b, "Pss:"), 2);	/* 2 * (4096 << 12) / 3 >> 12 >> 10 */
	assert_int_equal(view_num(b, "Shared_Clean:"), 8);
	assert_int_equal(view_num(b, "Private_Clean:"), 0);
	assert_int_equal(view_num(b, "Anonymous:"), 0);
	free(b);
	b = smaps_block(m, (unsigned long)b1);
	assert_int_equal(view_num(b, "Pss:"), 1);
	assert_int_equal(view_num(b, "Referenced:"), 4);
	free(b);
	r = test_proc(m, "/proc/self/smaps_rollup");
	assert_int_equal(view_num(r, "Rss:"), 12);
	/* 3 * ((4096 << 12) / 3) >> 12 = 4095 bytes: Linux's truncation, 3 kB */
	assert_int_equal(view_num(r, "Pss:"), 3);
	assert_int_equal(view_num(r, "Pss_File:"), 3);
	assert_int_equal(view_num(r, "Pss_Anon:"), 0);
	free(r);
	mmkit_machine_destroy(m);
}

static void test_smaps_zero_page_counts_nothing(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(1), PROT_READ, MAP_PRIVATE);
	ptep_t *pte;
	char *b;

	(void)state;
	pte = pte_alloc_user(m, vt_mm(m), (unsigned long)a);
	set_pte(m, pte, pte_mkspecial(pfn_pte(m, zero_pfn(m), __pgprot(_PAGE_PRESENT | _PAGE_USER |
									   _PAGE_ACCESSED))));
	b = smaps_block(m, (unsigned long)a);
	assert_int_equal(view_num(b, "Rss:"), 0);
	assert_int_equal(view_num(b, "Referenced:"), 0);
	free(b);
	mmkit_machine_destroy(m);
}

static void test_smaps_locked_is_pss_of_locked_vma(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(2), RW, MAP_PRIVATE);
	char *b;

	(void)state;
	assert_int_equal(sys_mlock(m, (unsigned long)a, PG(2)), 0);	/* faults both in */
	b = smaps_block(m, (unsigned long)a);
	assert_int_equal(view_num(b, "Rss:"), 8);
	assert_int_equal(view_num(b, "Locked:"), 8);
	assert_non_null(strstr(b, " lo "));
	free(b);
	vt_done(m);
}

/* Write one byte to each of @n pages from @addr, read one from each of
 * the @r pages after them. */
static void touch(struct machine *m, unsigned long addr, int n, int r)
{
	u8 v = 1;

	for (int i = 0; i < n; i++)
		assert_int_equal(mmkit_write(m, addr + PG(i), &v, 1), 0);
	for (int i = n; i < n + r; i++)
		assert_int_equal(mmkit_read(m, addr + PG(i), &v, 1), 0);
}

static void test_smaps_counts_faulted_pages_not_the_zero_page(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(8), RW, MAP_PRIVATE);
	char *b;

	(void)state;
	touch(m, (unsigned long)a, 3, 2);	/* 3 demand-zero pages, 2 zero-page reads */
	b = smaps_block(m, (unsigned long)a);
	assert_int_equal(view_num(b, "Size:"), 32);
	assert_int_equal(view_num(b, "Rss:"), 12);
	assert_int_equal(view_num(b, "Pss:"), 12);
	assert_int_equal(view_num(b, "Pss_Dirty:"), 12);
	assert_int_equal(view_num(b, "Private_Dirty:"), 12);
	assert_int_equal(view_num(b, "Shared_Clean:"), 0);
	assert_int_equal(view_num(b, "Referenced:"), 12);
	assert_int_equal(view_num(b, "Anonymous:"), 12);
	free(b);
	vt_done(m);
}

static void test_smaps_fork_shares_pages_until_cow(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	long a = vt_map(m, 0, PG(4), RW, MAP_PRIVATE);
	char *b;

	(void)state;
	touch(m, (unsigned long)a, 4, 0);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	b = smaps_block(m, (unsigned long)a);
	assert_int_equal(view_num(b, "Rss:"), 16);
	assert_int_equal(view_num(b, "Pss:"), 8);	/* each page mapped twice */
	assert_int_equal(view_num(b, "Shared_Dirty:"), 16);
	assert_int_equal(view_num(b, "Private_Dirty:"), 0);
	free(b);
	mmkit_set_current(m, child);
	touch(m, (unsigned long)a, 1, 0);	/* the child copies page 0 */
	mmkit_set_current(m, parent);
	b = smaps_block(m, (unsigned long)a);
	assert_int_equal(view_num(b, "Pss:"), 4 + 3 * 2);
	assert_int_equal(view_num(b, "Private_Dirty:"), 4);
	assert_int_equal(view_num(b, "Shared_Dirty:"), 12);
	free(b);
	vt_done(m);
}

static void test_smaps_rollup_rss_is_mm_rss(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(8), RW, MAP_PRIVATE);
	char *r;

	(void)state;
	for (int i = 0; i < 5; i++)
		hand_map(m, (unsigned long)a + PG(i), hand_page(m, true), _PAGE_RW | _PAGE_DIRTY);
	r = test_proc(m, "/proc/self/smaps_rollup");
	assert_int_equal(view_num(r, "Rss:"), get_mm_rss(vt_mm(m)) * 4);
	assert_int_equal(view_num(r, "Rss:"), 20);
	assert_int_equal(view_num(r, "Pss_Anon:"), 20);
	assert_int_equal(view_num(r, "Pss_Dirty:"), 20);
	free(r);
	mmkit_machine_destroy(m);
}

/* ---- status ------------------------------------------------------------ */

/* The labels of a status text, one per line. */
static char *labels(const char *text)
{
	char *out = calloc(1, strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		size_t n = (size_t)(strchr(p, ':') - p) + 1;

		memcpy(o, p, n);
		o += n;
		*o++ = '\n';
	}
	return out;
}

static void test_status_labels_match_reference(void **state)
{
	struct machine *m = boot_x86_64_task(false);
	char *ours = test_proc(m, "/proc/self/status"), *ref = reference("PID-status");
	char *a = labels(ours), *b = labels(ref);

	(void)state;
	assert_string_equal(a, b);
	free(ours), free(ref), free(a), free(b);
	vt_done(m);
}

/* SigQ's limit is RLIMIT_SIGPENDING, which init gets from fork_init's
 * max_threads / 2: the 16 KiB (x86_64) thread stacks that fit in an
 * eighth of RAM (the reference machine's 24 GiB give 0/96365). */
static void test_status_sigq_limit_is_half_max_threads(void **state)
{
	struct machine *m = boot_x86_64_task(false);
	char *ours = test_proc(m, "/proc/self/status");
	unsigned long limit = m->totalram_pages * 4096UL / (16384UL * 8) / 2;
	char want[64];

	(void)state;
	assert_true(limit > 0);
	snprintf(want, sizeof(want), "SigQ:\t0/%lu\n", limit);
	assert_non_null(strstr(ours, want));
	free(ours);
	vt_done(m);
}

static void test_status_kb_lines_match_reference_format(void **state)
{
	struct machine *m = boot_x86_64_task(false);
	char *ours = test_proc(m, "/proc/self/status"), *ref = reference("PID-status");
	const char *from_o = strstr(ours, "VmPeak:"), *from_r = strstr(ref, "VmPeak:");
	char *a = strndup(from_o, (size_t)(strstr(from_o, "CoreDumping:") - from_o));
	char *b = strndup(from_r, (size_t)(strstr(from_r, "CoreDumping:") - from_r));
	char *sa = shape(a), *sb = shape(b);

	(void)state;
	assert_string_equal(sa, sb);	/* "VmRSS:\t%8lu kB" and friends */
	assert_non_null(strstr(ours, "Name:\tvt\nUmask:\t0022\nState:\tR (running)\n"));
	assert_non_null(strstr(ours, "Groups:\t \n"));
	assert_non_null(strstr(ours, "untag_mask:\t0xffffffffffffffff\n"));
	assert_non_null(strstr(ours, "Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\n"));
	/* 1024 nodes (NODES_SHIFT 10), node 0 set: the reference's line exactly */
	assert_memory_equal(strstr(ours, "Mems_allowed:"), strstr(ref, "Mems_allowed:"),
			    strlen("Mems_allowed:\t") + 32 * 9);
	free(ours), free(ref), free(a), free(b), free(sa), free(sb);
	vt_done(m);
}

static void test_status_vm_lines_follow_mm(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	long a = vt_map(m, 0, PG(16), RW, MAP_PRIVATE);
	char *s;

	(void)state;
	assert_int_equal(sys_mlock(m, (unsigned long)a, PG(3)), 0);	/* 3 pages in */
	sys_brk(m, sys_brk(m, 0) + PG(2));
	touch(m, (unsigned long)a + PG(8), 2, 0);
	s = test_proc(m, "/proc/self/status");
	assert_int_equal(view_num(s, "VmSize:"), mm->total_vm * 4);
	assert_int_equal(view_num(s, "VmPeak:"), mm->total_vm * 4);
	assert_int_equal(view_num(s, "VmLck:"), 12);
	assert_int_equal(view_num(s, "VmRSS:"), 20);
	assert_int_equal(view_num(s, "RssAnon:"), 20);
	assert_int_equal(view_num(s, "RssFile:"), 0);
	assert_int_equal(view_num(s, "VmHWM:"), 20);
	assert_int_equal(view_num(s, "VmData:"), mm->data_vm * 4);
	assert_int_equal(view_num(s, "VmStk:"), 132);	/* one arg page + 128 KiB */
	assert_int_equal(view_num(s, "VmExe:"), 32);	/* the default i386 text */
	assert_int_equal(view_num(s, "VmLib:"), 0);
	assert_int_equal(view_num(s, "VmPTE:"), mm->pgtables_bytes >> 10);
	assert_true(mm->pgtables_bytes > 0);
	assert_non_null(strstr(s, "Uid:\t1000\t1000\t1000\t1000\n"));
	assert_non_null(strstr(s, "CapEff:\t0000000000000000\n"));
	free(s);
	vt_done(m);
}

static void test_status_peaks_keep_high_water_marks(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	unsigned long before = mm->total_vm;
	long a = vt_map(m, 0, PG(64), RW, MAP_PRIVATE);
	char *s;

	(void)state;
	assert_int_equal(sys_munmap(m, (unsigned long)a, PG(64)), 0);
	mm->hiwater_rss = 7;	/* what update_hiwater_rss left before a zap */
	s = test_proc(m, "/proc/self/status");
	assert_int_equal(view_num(s, "VmSize:"), before * 4);
	assert_int_equal(view_num(s, "VmPeak:"), mm->hiwater_vm * 4);
	assert_true(mm->hiwater_vm >= before + 64);
	assert_int_equal(view_num(s, "VmHWM:"), 28);
	assert_int_equal(view_num(s, "VmRSS:"), 0);
	free(s);
	vt_done(m);
}

static void test_status_root_has_every_capability(void **state)
{
	struct machine *m = test_boot_default();
	char *s;

	(void)state;
	vt_spawn(m, true);
	s = test_proc(m, "/proc/self/status");
	assert_non_null(strstr(s, "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"));
	assert_non_null(strstr(s, "CapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\n"
				  "CapBnd:\t000001ffffffffff\n"));
	assert_non_null(strstr(s, "untag_mask:\t0xffffffff\n"));
	assert_non_null(strstr(s, "FDSize:\t32\n"));
	free(s);
	vt_done(m);
}

/* ---- stat and statm --------------------------------------------------- */

static void test_stat_has_52_fields_with_mm_values(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	struct mm_struct *mm = tsk->mm;
	char *s, *tok, *save = NULL;
	unsigned long f[53] = { 0 };
	int n = 0;

	(void)state;
	tsk->min_flt = 12345;
	tsk->maj_flt = 7;
	s = test_proc(m, "/proc/self/stat");
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_non_null(strstr(s, " (vt) R "));
	for (tok = strtok_r(s, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save))
		if (++n <= 52)
			f[n] = strtoul(tok, NULL, 10);
	assert_int_equal(n, 52);
	assert_int_equal(f[1], tsk->pid);
	assert_int_equal(f[10], 12345);	/* minflt */
	assert_int_equal(f[12], 7);	/* majflt */
	assert_int_equal(f[23], mm->total_vm * PAGE_SIZE);	/* vsize, bytes */
	assert_int_equal(f[24], get_mm_rss(mm));
	assert_int_equal(f[25], 0xffffffffUL);	/* RLIM_INFINITY of i386 */
	assert_int_equal(f[26], mm->start_code);
	assert_int_equal(f[27], mm->end_code);
	assert_int_equal(f[28], mm->start_stack);
	assert_int_equal(f[38], 17);	/* SIGCHLD */
	assert_int_equal(f[45], mm->start_data);
	assert_int_equal(f[47], mm->start_brk);
	assert_int_equal(f[51], mm->env_end);
	free(s);
	vt_done(m);
}

static void test_statm_matches_reference_shape_and_mm(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	long a = vt_map(m, 0, PG(4), RW, MAP_PRIVATE);
	long sh = vt_map(m, 0, PG(4), RW, MAP_SHARED);
	char *s, *st, *ref = reference("PID-statm"), expect[128];

	(void)state;
	touch(m, (unsigned long)a, 2, 0);	/* two anonymous pages */
	touch(m, (unsigned long)sh, 1, 0);	/* one shmem page: counted as shared */
	s = test_proc(m, "/proc/self/statm");
	snprintf(expect, sizeof(expect), "%lu 3 1 8 0 %lu 0\n", mm->total_vm,
		 mm->data_vm + mm->stack_vm);
	assert_string_equal(s, expect);
	st = test_proc(m, "/proc/self/status");
	assert_int_equal(view_num(st, "RssShmem:"), 4);
	assert_int_equal(view_num(st, "RssAnon:"), 8);
	/* seven numbers, single spaces, a newline: the reference's shape */
	assert_int_equal(strspn(ref, "0123456789 \n"), strlen(ref));
	free(s), free(st), free(ref);
	vt_done(m);
}

static void test_stat_counts_minor_faults(void **state)
{
	struct machine *m = vt_boot();
	long a = vt_map(m, 0, PG(10), RW, MAP_PRIVATE);
	unsigned long before = get_current(m)->min_flt;
	char *s, *p;
	int field = 1;

	(void)state;
	touch(m, (unsigned long)a, 6, 4);	/* 6 write faults, 4 read faults */
	assert_int_equal(get_current(m)->min_flt - before, 10);
	s = test_proc(m, "/proc/self/stat");
	for (p = strchr(s, ')') + 2, field = 3; field < 10; field++)
		p = strchr(p, ' ') + 1;
	assert_int_equal(strtoul(p, NULL, 10), get_current(m)->min_flt);	/* field 10 */
	free(s);
	vt_done(m);
}

/* Field n (1-based) of /proc/PATH/stat. */
static unsigned long stat_field(struct machine *m, const char *path, int n)
{
	char *s = test_proc(m, path), *p = strchr(s, ')') + 2;
	unsigned long v;

	for (int field = 3; field < n; field++)
		p = strchr(p, ' ') + 1;
	v = strtoul(p, NULL, 10);
	free(s);
	return v;
}

/* /proc/PID/stat counts the whole thread group's faults, threads gone
 * included, and a reaped child's in cminflt (do_task_stat with whole = 1,
 * __exit_signal, wait_task_zombie). */
static void test_stat_sums_threads_and_reaped_children(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *leader = get_current(m), *thread, *child;
	long a = vt_map(m, 0, PG(16), RW, MAP_PRIVATE);
	unsigned long own, group;
	pid_t cpid;
	int status;

	(void)state;
	touch(m, (unsigned long)a, 2, 0);
	thread = mmkit_clone(m, leader, CLONE_VM | CLONE_SIGHAND | CLONE_THREAD);
	assert_non_null(thread);
	mmkit_set_current(m, thread);
	touch(m, (unsigned long)a + PG(2), 3, 0);	/* the thread's 3 faults */
	mmkit_set_current(m, leader);
	own = leader->min_flt;
	group = stat_field(m, "/proc/self/stat", 10);
	assert_int_equal(group, own + 3);
	do_exit(m, thread, 0);	/* the thread alone (pthread_exit) */
	assert_int_equal(stat_field(m, "/proc/self/stat", 10), group);	/* its faults stay */
	child = mmkit_fork(m, leader);
	assert_non_null(child);
	cpid = child->pid;
	mmkit_set_current(m, child);
	touch(m, (unsigned long)a + PG(8), 4, 0);	/* 4 demand-zero faults */
	mmkit_set_current(m, leader);
	assert_int_equal(stat_field(m, "/proc/self/stat", 11), 0);	/* not reaped yet */
	mmkit_exit(m, child, 0);
	assert_int_equal(mmkit_wait(m, cpid, &status), cpid);
	assert_int_equal(stat_field(m, "/proc/self/stat", 11), 4);	/* cminflt */
	assert_int_equal(stat_field(m, "/proc/self/stat", 10), group);	/* minflt unchanged */
	vt_done(m);
}

static void segv_handler(struct machine *m, struct task_struct *tsk,
			 const struct mmkit_siginfo *info, void *arg)
{
	(void)m, (void)tsk, (void)info, (void)arg;
}

static void test_status_and_stat_show_parent_and_handlers(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child = mmkit_fork(m, parent);
	char path[64], *s;

	(void)state;
	assert_non_null(child);
	assert_int_equal(mmkit_sigaction(m, child, SIGSEGV, segv_handler, NULL), 0);
	snprintf(path, sizeof(path), "/proc/%d/status", child->pid);
	s = test_proc(m, path);
	snprintf(path, sizeof(path), "Pid:\t%d\nPPid:\t%d\n", child->pid, parent->pid);
	assert_non_null(strstr(s, path));
	assert_non_null(strstr(s, "SigCgt:\t0000000000000400\n"));	/* bit 11 - 1 */
	free(s);
	snprintf(path, sizeof(path), "/proc/%d/stat", child->pid);
	s = test_proc(m, path);
	snprintf(path, sizeof(path), "%d (vt) R %d ", child->pid, parent->pid);
	assert_memory_equal(s, path, strlen(path));
	free(s);
	vt_done(m);
}

static void test_pid_files_are_listed_and_readable_by_pid(void **state)
{
	struct machine *m = vt_boot();
	const char *const *files = mmkit_proc_files();
	const char *want[] = { "smaps", "smaps_rollup", "stat", "statm", "status" };
	char path[64], *a, *b;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		bool found = false;

		snprintf(path, sizeof(path), "/proc/PID/%s", want[i]);
		for (const char *const *f = files; *f; f++)
			found |= strcmp(*f, path) == 0;
		assert_true(found);
		snprintf(path, sizeof(path), "/proc/%d/%s", get_current(m)->pid, want[i]);
		a = test_proc(m, path);
		snprintf(path, sizeof(path), "/proc/self/%s", want[i]);
		b = test_proc(m, path);
		assert_string_equal(a, b);
		free(a), free(b);
	}
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smaps_block_matches_reference_format),
		cmocka_unit_test(test_smaps_headers_are_the_maps_lines),
		cmocka_unit_test(test_smaps_i386_has_no_gate_block),
		cmocka_unit_test(test_smaps_vmflags_in_bit_order),
		cmocka_unit_test(test_smaps_rollup_matches_reference_format),
		cmocka_unit_test(test_smaps_rollup_spans_first_to_last_vma),
		cmocka_unit_test(test_smaps_private_dirty_anon_page),
		cmocka_unit_test(test_smaps_pss_divides_shared_page_by_mapcount),
		cmocka_unit_test(test_smaps_zero_page_counts_nothing),
		cmocka_unit_test(test_smaps_locked_is_pss_of_locked_vma),
		cmocka_unit_test(test_smaps_counts_faulted_pages_not_the_zero_page),
		cmocka_unit_test(test_smaps_fork_shares_pages_until_cow),
		cmocka_unit_test(test_smaps_rollup_rss_is_mm_rss),
		cmocka_unit_test(test_status_labels_match_reference),
		cmocka_unit_test(test_status_sigq_limit_is_half_max_threads),
		cmocka_unit_test(test_status_kb_lines_match_reference_format),
		cmocka_unit_test(test_status_vm_lines_follow_mm),
		cmocka_unit_test(test_status_peaks_keep_high_water_marks),
		cmocka_unit_test(test_status_root_has_every_capability),
		cmocka_unit_test(test_stat_has_52_fields_with_mm_values),
		cmocka_unit_test(test_statm_matches_reference_shape_and_mm),
		cmocka_unit_test(test_stat_counts_minor_faults),
		cmocka_unit_test(test_stat_sums_threads_and_reaped_children),
		cmocka_unit_test(test_status_and_stat_show_parent_and_handlers),
		cmocka_unit_test(test_pid_files_are_listed_and_readable_by_pid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
