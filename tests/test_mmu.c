/* The software MMU (src/arch/x86/mmu.c, tlb.c): translations through the
 * real page tables of the three formats, Accessed/Dirty bits, every page-
 * fault error code, NX where the format has it, the TLB (hits, stale
 * entries until a flush, address-space tags across CR3 switches, global
 * kernel entries) and flushes reaching every CPU.
 *
 * User PTEs are built by hand (pte_alloc_user + set_pte) inside an
 * anonymous VMA of a spawned task, on frames the test allocates, and are
 * cleared again before the task exits. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include "arch/x86/mmu.h"

#define VA 0x50000000UL		/* inside the test VMA on every arch */
#define NPAGES 64
#define NFRAMES 8
#define UPTE (_PAGE_PRESENT | _PAGE_RW | _PAGE_USER)	/* "007", no A/D */

enum { I386, PAE, X86_64, NR_ARCHS };

static const char *const machine_text[NR_ARCHS] = {
	"name mmu-i386\narch i386\ncpus 2\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n",
	"name mmu-pae\narch i386-pae\ncpus 2\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n",
	"name mmu-x86_64\narch x86_64\ncpus 2\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n",
};

/* A booted machine running one process with a VMA at VA. */
struct fx {
	struct machine *m;
	struct task_struct *tsk;
	struct mm_struct *mm;
	struct page *frames[NFRAMES];	/* frames the tests map */
	ptep_t *ptes[NPAGES];		/* hand-built PTEs, cleared at the end */
	struct mm_struct *pte_mm[NPAGES];
	int nr_ptes;
};

static struct task_struct *spawn_with_vma(struct machine *m)
{
	struct task_struct *tsk = mmkit_spawn(m, "mmu", NULL);
	long r;

	assert_non_null(tsk);
	mmkit_set_current(m, tsk);
	r = sys_mmap(m, VA, NPAGES * PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, (unsigned long)-1, 0);
	assert_int_equal(r, (long)VA);
	return tsk;
}

static void fx_init(struct fx *f, int arch)
{
	int i;

	memset(f, 0, sizeof(*f));
	f->m = test_boot_text(machine_text[arch]);
	f->tsk = spawn_with_vma(f->m);
	f->mm = f->tsk->mm;
	for (i = 0; i < NFRAMES; i++) {
		f->frames[i] = alloc_page(f->m, GFP_KERNEL);
		assert_non_null(f->frames[i]);
	}
}

static unsigned long pfn(struct fx *f, int i)
{
	return page_to_pfn(f->m, f->frames[i]);
}

/* Map va -> frame i of mm with raw entry flags. */
static ptep_t *map_in(struct fx *f, struct mm_struct *mm, unsigned long va, int i, u64 flags)
{
	ptep_t *ptep = pte_alloc_user(f->m, mm, va);

	assert_non_null(ptep);
	assert_true(f->nr_ptes < NPAGES);
	f->pte_mm[f->nr_ptes] = mm;
	f->ptes[f->nr_ptes++] = ptep;
	set_pte(f->m, ptep, __pte(PFN_PHYS(pfn(f, i)) | flags));
	return ptep;
}

#define map(f, va, i, flags) map_in(f, (f)->mm, va, i, flags)

static void fx_done(struct fx *f)
{
	struct machine *m = f->m;
	int i;

	mmkit_set_cpu(0);
	for (i = 0; i < f->nr_ptes; i++)
		pte_clear(m, f->ptes[i]);
	for (i = 0; i < NFRAMES; i++)
		__free_page(m, f->frames[i]);
	assert_clean(m);
	while (m->sched.nr_tasks)
		mmkit_exit(m, list_first_entry(&m->sched.tasks, struct task_struct, tasks), 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

#define cpu_mmu(m, n) (&(m)->mmu.cpu[n])

/* Translate, expecting success; returns the physical address. */
static phys_addr_t xlate(struct machine *m, u64 va, unsigned int access)
{
	phys_addr_t phys = PHYS_NONE;
	unsigned int err = 0xdead;

	if (mmu_translate(m, va, access, &phys, &err)) {
		fprintf(stderr, "va %#llx access %#x faulted: error code %#x\n",
			(unsigned long long)va, access, err);
		fail();
	}
	return phys;
}

/* Translate, expecting a page fault; returns the error code. */
static unsigned int xfault(struct machine *m, u64 va, unsigned int access)
{
	phys_addr_t phys = 0;
	unsigned int err = 0xdead;

	if (!mmu_translate(m, va, access, &phys, &err)) {
		fprintf(stderr, "va %#llx access %#x translated to %#llx\n",
			(unsigned long long)va, access, (unsigned long long)phys);
		fail();
	}
	return err;
}

#define m_page_offset(m) ((m)->pgtables.page_offset)

#define pte_now(f, ptep) pte_val(ptep_get((f)->m, ptep))

/* ---- translations and A/D bits ---- */

/* A user read maps VA+off to frame + off and sets A (not D) in the pte. */
static void test_read_translates_and_sets_accessed_only(void **state)
{
	struct fx f;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		ptep_t *ptep = map(&f, VA, 0, UPTE);

		assert_int_equal(xlate(f.m, VA + 0x123, X86_PF_USER), PFN_PHYS(pfn(&f, 0)) + 0x123);
		assert_int_equal(pte_now(&f, ptep), PFN_PHYS(pfn(&f, 0)) | UPTE | _PAGE_ACCESSED);
		fx_done(&f);
	}
}

/* A write sets A and D in the pte; D appears only in the leaf. */
static void test_write_sets_dirty_in_leaf(void **state)
{
	struct fx f;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		ptep_t *ptep = map(&f, VA, 0, UPTE);
		pmdp_t *pmdp = pmd_offset_user(f.m, f.mm, VA);

		/* the pmd entry: clear its A and D to see what the walk sets */
		set_pmd(f.m, pmdp, __pmd(pmd_val(pmdp_get(f.m, pmdp)) &
					  ~(_PAGE_ACCESSED | _PAGE_DIRTY)));
		xlate(f.m, VA, X86_PF_USER | X86_PF_WRITE);
		assert_true(pte_now(&f, ptep) & _PAGE_DIRTY);
		assert_true(pte_now(&f, ptep) & _PAGE_ACCESSED);
		assert_true(pmd_val(pmdp_get(f.m, pmdp)) & _PAGE_ACCESSED);
		assert_false(pmd_val(pmdp_get(f.m, pmdp)) & _PAGE_DIRTY);
		fx_done(&f);
	}
}

/* The PAE PDPTE has no A bit: the walk leaves it as it is (P only). */
static void test_pae_pdpte_is_not_written(void **state)
{
	struct fx f;
	u64 before;
	void *pdpte;

	(void)state;
	fx_init(&f, PAE);
	map(&f, VA, 0, UPTE);
	pdpte = pgd_offset_pgd(f.m, f.mm->pgd, VA);
	before = pt_read(f.m, pdpte);
	assert_int_equal(before & PTE_FLAGS_MASK, _PAGE_PRESENT);
	xlate(f.m, VA, X86_PF_USER | X86_PF_WRITE);
	assert_int_equal(pt_read(f.m, pdpte), before);
	fx_done(&f);
}

/* A write hitting an entry filled by a read (D clear) walks again and sets D. */
static void test_write_hit_on_clean_entry_walks_to_set_dirty(void **state)
{
	struct fx f;
	struct mmu_cpu *c;
	unsigned long walks;
	ptep_t *ptep;

	(void)state;
	fx_init(&f, I386);
	c = cpu_mmu(f.m, 0);
	ptep = map(&f, VA, 0, UPTE);
	xlate(f.m, VA, X86_PF_USER);
	walks = c->nr_walks;
	xlate(f.m, VA, X86_PF_USER);	/* a hit */
	assert_int_equal(c->nr_walks, walks);
	assert_false(pte_now(&f, ptep) & _PAGE_DIRTY);
	xlate(f.m, VA, X86_PF_USER | X86_PF_WRITE);
	assert_int_equal(c->nr_walks, walks + 1);
	assert_true(pte_now(&f, ptep) & _PAGE_DIRTY);
	xlate(f.m, VA, X86_PF_USER | X86_PF_WRITE);	/* now a hit */
	assert_int_equal(c->nr_walks, walks + 1);
	fx_done(&f);
}

/* The second translation of a page is a TLB hit, counted. */
static void test_second_access_is_a_counted_tlb_hit(void **state)
{
	struct fx f;
	struct mmu_cpu *c;
	unsigned long hits, n;

	(void)state;
	fx_init(&f, X86_64);
	c = cpu_mmu(f.m, 0);
	map(&f, VA, 0, UPTE);
	hits = c->nr_tlb_hits;
	n = mmu_nr_translations(c);
	xlate(f.m, VA, X86_PF_USER);
	assert_int_equal(c->nr_tlb_hits, hits);
	xlate(f.m, VA + 8, X86_PF_USER);
	assert_int_equal(c->nr_tlb_hits, hits + 1);
	assert_int_equal(mmu_nr_translations(c), n + 2);
	fx_done(&f);
}

/* ---- error codes ---- */

/* Not present: the code is the access (W, U), without P. */
static void test_not_present_error_codes(void **state)
{
	struct fx f;
	unsigned long faults;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		faults = cpu_mmu(f.m, 0)->nr_faults;
		assert_int_equal(xfault(f.m, VA, X86_PF_USER), X86_PF_USER);
		assert_int_equal(xfault(f.m, VA, X86_PF_USER | X86_PF_WRITE),
				 X86_PF_USER | X86_PF_WRITE);
		assert_int_equal(xfault(f.m, VA, 0), 0);
		assert_int_equal(xfault(f.m, VA, X86_PF_WRITE), X86_PF_WRITE);
		/* a pte table exists but the pte is empty: the same */
		map(&f, VA + PAGE_SIZE, 0, UPTE);
		assert_int_equal(xfault(f.m, VA, X86_PF_USER), X86_PF_USER);
		assert_int_equal(cpu_mmu(f.m, 0)->nr_faults, faults + 5);
		fx_done(&f);
	}
}

/* Writes to a read-only page fault with PROT|WRITE, from the kernel too
 * (CR0.WP = 1); reads are fine and do not set D. */
static void test_write_to_readonly_page_faults_in_both_modes(void **state)
{
	struct fx f;
	ptep_t *ptep;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		ptep = map(&f, VA, 0, _PAGE_PRESENT | _PAGE_USER);
		assert_int_equal(xfault(f.m, VA, X86_PF_USER | X86_PF_WRITE),
				 X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
		assert_int_equal(xfault(f.m, VA, X86_PF_WRITE), X86_PF_PROT | X86_PF_WRITE);
		assert_false(pte_now(&f, ptep) & (_PAGE_DIRTY | _PAGE_ACCESSED));
		xlate(f.m, VA, X86_PF_USER);
		assert_false(pte_now(&f, ptep) & _PAGE_DIRTY);
		fx_done(&f);
	}
}

/* User access to a supervisor page (US clear in the pte, or in the pmd
 * above it) faults with PROT|USER; the kernel may use it. */
static void test_user_access_to_supervisor_page_faults(void **state)
{
	struct fx f;
	pmdp_t *pmdp;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		map(&f, VA, 0, _PAGE_PRESENT | _PAGE_RW);
		assert_int_equal(xfault(f.m, VA, X86_PF_USER), X86_PF_PROT | X86_PF_USER);
		assert_int_equal(xlate(f.m, VA, X86_PF_WRITE), PFN_PHYS(pfn(&f, 0)));
		/* US only in the pte, not the pmd: still supervisor */
		map(&f, VA + PAGE_SIZE, 1, UPTE);
		pmdp = pmd_offset_user(f.m, f.mm, VA);
		set_pmd(f.m, pmdp, __pmd(pmd_val(pmdp_get(f.m, pmdp)) & ~_PAGE_USER));
		assert_int_equal(xfault(f.m, VA + PAGE_SIZE, X86_PF_USER | X86_PF_WRITE),
				 X86_PF_PROT | X86_PF_USER | X86_PF_WRITE);
		set_pmd(f.m, pmdp, __pmd(pmd_val(pmdp_get(f.m, pmdp)) | _PAGE_USER));
		fx_done(&f);
	}
}

/* RW clear in the pmd makes every page under it read-only (AND of levels). */
static void test_readonly_upper_level_wins(void **state)
{
	struct fx f;
	pmdp_t *pmdp;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		map(&f, VA, 0, UPTE);
		pmdp = pmd_offset_user(f.m, f.mm, VA);
		set_pmd(f.m, pmdp, __pmd(pmd_val(pmdp_get(f.m, pmdp)) & ~_PAGE_RW));
		assert_int_equal(xfault(f.m, VA, X86_PF_USER | X86_PF_WRITE),
				 X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
		xlate(f.m, VA, X86_PF_USER);
		set_pmd(f.m, pmdp, __pmd(pmd_val(pmdp_get(f.m, pmdp)) | _PAGE_RW));
		fx_done(&f);
	}
}

/* PAE and 4-level: a fetch from an NX page faults with INSTR|PROT(|USER);
 * NX in the pmd covers the pages below it. */
static void test_fetch_from_nx_page_faults_with_instr(void **state)
{
	struct fx f;
	pmdp_t *pmdp;

	(void)state;
	for (int a = PAE; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		map(&f, VA, 0, UPTE | _PAGE_NX);
		assert_int_equal(xfault(f.m, VA, X86_PF_USER | X86_PF_INSTR),
				 X86_PF_PROT | X86_PF_USER | X86_PF_INSTR);
		assert_int_equal(xfault(f.m, VA, X86_PF_INSTR), X86_PF_PROT | X86_PF_INSTR);
		xlate(f.m, VA, X86_PF_USER);	/* reading it is fine */
		map(&f, VA + PAGE_SIZE, 1, UPTE);
		xlate(f.m, VA + PAGE_SIZE, X86_PF_USER | X86_PF_INSTR);
		/* not present: INSTR is reported too */
		assert_int_equal(xfault(f.m, VA + 2 * PAGE_SIZE, X86_PF_USER | X86_PF_INSTR),
				 X86_PF_USER | X86_PF_INSTR);
		pmdp = pmd_offset_user(f.m, f.mm, VA);
		set_pmd(f.m, pmdp, __pmd(pmd_val(pmdp_get(f.m, pmdp)) | _PAGE_NX));
		flush_tlb_mm(f.m, f.mm);
		assert_int_equal(xfault(f.m, VA + PAGE_SIZE, X86_PF_USER | X86_PF_INSTR),
				 X86_PF_PROT | X86_PF_USER | X86_PF_INSTR);
		set_pmd(f.m, pmdp, __pmd(pmd_val(pmdp_get(f.m, pmdp)) & ~_PAGE_NX));
		fx_done(&f);
	}
}

/* 2-level i386 has no NX: every present page is executable, and a fetch
 * fault does not report INSTR (the I/D bit needs NXE). */
static void test_i386_has_no_nx_and_no_instr_bit(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, I386);
	map(&f, VA, 0, UPTE);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER | X86_PF_INSTR), PFN_PHYS(pfn(&f, 0)));
	assert_int_equal(xfault(f.m, VA + PAGE_SIZE, X86_PF_USER | X86_PF_INSTR), X86_PF_USER);
	fx_done(&f);
}

/* A reserved bit in a present entry faults with RSVD|PROT (PAE: bit 52;
 * 4-level: PS in a PML4E). */
static void test_reserved_bits_fault_with_rsvd(void **state)
{
	struct fx f;
	void *pml4e;
	u64 v;

	(void)state;
	fx_init(&f, PAE);
	map(&f, VA, 0, UPTE | (1ULL << 52));
	assert_int_equal(xfault(f.m, VA, X86_PF_USER),
			 X86_PF_PROT | X86_PF_RSVD | X86_PF_USER);
	fx_done(&f);

	fx_init(&f, X86_64);
	map(&f, VA, 0, UPTE);
	pml4e = pgd_offset_pgd(f.m, f.mm->pgd, VA);
	v = pt_read(f.m, pml4e);
	pt_write(f.m, pml4e, v | _PAGE_PSE);
	assert_int_equal(xfault(f.m, VA, 0), X86_PF_PROT | X86_PF_RSVD);
	pt_write(f.m, pml4e, v);
	fx_done(&f);
}

/* The kernel's direct map: PAGE_OFFSET + phys gives phys in kernel mode;
 * user mode faults with PROT|USER (seed: "物理地址为x时，虚地址为x+PAGE_OFFSET"). */
static void test_kernel_direct_map_translates_in_kernel_mode_only(void **state)
{
	struct fx f;
	u64 va;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		va = m_page_offset(f.m) + 0x234567;
		assert_int_equal(xlate(f.m, va, 0), 0x234567);
		assert_int_equal(xlate(f.m, va, X86_PF_WRITE), 0x234567);
		assert_int_equal(xfault(f.m, va, X86_PF_USER), X86_PF_PROT | X86_PF_USER);
		assert_int_equal(xfault(f.m, va, X86_PF_USER | X86_PF_WRITE),
				 X86_PF_PROT | X86_PF_USER | X86_PF_WRITE);
		fx_done(&f);
	}
}

/* ---- the TLB: stale until flushed ---- */

/* Changing a PTE without a flush leaves the old translation visible; the
 * flush makes the new one visible. */
static void test_changed_pte_is_stale_until_flush_tlb_page(void **state)
{
	struct fx f;
	struct vm_area_struct *vma;
	ptep_t *ptep;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		vma = vma_lookup(f.m, f.mm, VA);
		ptep = map(&f, VA, 0, UPTE);
		assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
		set_pte(f.m, ptep, __pte(PFN_PHYS(pfn(&f, 1)) | UPTE));
		assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
		flush_tlb_page(f.m, vma, VA + 5);
		assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
		/* cleared: still translates until flushed, then faults */
		pte_clear(f.m, ptep);
		assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
		flush_tlb_page(f.m, vma, VA);
		assert_int_equal(xfault(f.m, VA, X86_PF_USER), X86_PF_USER);
		fx_done(&f);
	}
}

/* An access the stale entry does not allow walks, faults, and the fault
 * drops the entry for that address (SDM 4.10.4.1). */
static void test_fault_drops_the_stale_entry(void **state)
{
	struct fx f;
	ptep_t *ptep;

	(void)state;
	fx_init(&f, X86_64);
	ptep = map(&f, VA, 0, _PAGE_PRESENT | _PAGE_USER);
	xlate(f.m, VA, X86_PF_USER);
	pte_clear(f.m, ptep);
	xlate(f.m, VA, X86_PF_USER);	/* stale, still there */
	assert_int_equal(xfault(f.m, VA, X86_PF_USER | X86_PF_WRITE), X86_PF_USER | X86_PF_WRITE);
	assert_int_equal(xfault(f.m, VA, X86_PF_USER), X86_PF_USER);
	fx_done(&f);
}

/* flush_tlb_range drops exactly the pages of the range (up to 33 pages);
 * a longer range flushes the whole mm (Linux's ceiling), as flush_tlb_mm. */
static void test_flush_tlb_range_and_mm(void **state)
{
	struct fx f;
	struct vm_area_struct *vma;
	unsigned long all;
	ptep_t *p[4];
	int i;

	(void)state;
	fx_init(&f, PAE);
	vma = vma_lookup(f.m, f.mm, VA);
	for (i = 0; i < 4; i++) {
		p[i] = map(&f, VA + i * PAGE_SIZE, 0, UPTE);
		xlate(f.m, VA + i * PAGE_SIZE, X86_PF_USER);
		set_pte(f.m, p[i], __pte(PFN_PHYS(pfn(&f, 1)) | UPTE));
	}
	flush_tlb_range(f.m, vma, VA + PAGE_SIZE, VA + 3 * PAGE_SIZE);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
	assert_int_equal(xlate(f.m, VA + PAGE_SIZE, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
	assert_int_equal(xlate(f.m, VA + 2 * PAGE_SIZE, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
	assert_int_equal(xlate(f.m, VA + 3 * PAGE_SIZE, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
	all = cpu_mmu(f.m, 0)->nr_flush_all;
	flush_tlb_range(f.m, vma, VA + 4 * PAGE_SIZE, VA + 40 * PAGE_SIZE);	/* VA not in it */
	assert_int_equal(cpu_mmu(f.m, 0)->nr_flush_all, all + 1);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
	set_pte(f.m, p[0], __pte(PFN_PHYS(pfn(&f, 2)) | UPTE));
	set_pte(f.m, p[3], __pte(PFN_PHYS(pfn(&f, 2)) | UPTE));
	flush_tlb_mm(f.m, f.mm);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 2)));
	assert_int_equal(xlate(f.m, VA + 3 * PAGE_SIZE, X86_PF_USER), PFN_PHYS(pfn(&f, 2)));
	fx_done(&f);
}

/* ---- address spaces and CPUs ---- */

/* Two processes map VA to different frames: each CR3 load shows its own,
 * no flush is needed (tagged entries), and both stay cached. */
static void test_processes_isolated_across_cr3_switch(void **state)
{
	struct fx f;
	struct task_struct *b;
	struct mmu_cpu *c;
	unsigned long walks;

	(void)state;
	fx_init(&f, X86_64);
	c = cpu_mmu(f.m, 0);
	b = spawn_with_vma(f.m);	/* b is current now */
	assert_int_not_equal(b->mm->context.ctx_id, f.mm->context.ctx_id);
	map_in(&f, f.mm, VA, 0, UPTE);
	map_in(&f, b->mm, VA, 1, UPTE);
	assert_int_equal(c->cr3, b->mm->pgd);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
	mmkit_set_current(f.m, f.tsk);
	assert_int_equal(c->cr3, f.mm->pgd);
	assert_ptr_equal(c->loaded_mm, f.mm);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
	walks = c->nr_walks;
	mmkit_set_current(f.m, b);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
	mmkit_set_current(f.m, f.tsk);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
	assert_int_equal(c->nr_walks, walks);	/* both were TLB hits */
	fx_done(&f);
}

/* A flush on CPU 0 reaches CPU 1, which loaded the mm (a shootdown),
 * even after CPU 1 switched to another mm: its entries are tagged. */
static void test_flush_reaches_every_cpu_that_loaded_the_mm(void **state)
{
	struct fx f;
	struct vm_area_struct *vma;
	ptep_t *ptep;
	unsigned long remote;

	(void)state;
	fx_init(&f, I386);
	vma = vma_lookup(f.m, f.mm, VA);
	ptep = map(&f, VA, 0, UPTE);
	mmkit_set_cpu(1);
	mmkit_set_current(f.m, f.tsk);	/* a thread of the same process on CPU 1 */
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
	mmkit_set_cpu(0);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
	assert_int_equal(f.mm->context.cpu_mask, 3);

	set_pte(f.m, ptep, __pte(PFN_PHYS(pfn(&f, 1)) | UPTE));
	remote = f.m->mmu.nr_tlb_remote_flush;
	flush_tlb_page(f.m, vma, VA);
	assert_int_equal(f.m->mmu.nr_tlb_remote_flush, remote + 1);
	assert_int_equal(cpu_mmu(f.m, 1)->nr_flush_received, 1);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));
	mmkit_set_cpu(1);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 1)));

	/* CPU 1 runs another process; its cached entry of mm still gets flushed */
	spawn_with_vma(f.m);
	mmkit_set_cpu(0);
	set_pte(f.m, ptep, __pte(PFN_PHYS(pfn(&f, 2)) | UPTE));
	flush_tlb_page(f.m, vma, VA);
	assert_int_equal(cpu_mmu(f.m, 1)->nr_flush_received, 2);
	mmkit_set_cpu(1);
	mmkit_set_current(f.m, f.tsk);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 2)));
	mmkit_set_current(f.m, NULL);
	mmkit_set_cpu(0);
	fx_done(&f);
}

/* Global kernel entries survive CR3 switches; a kernel flush drops them. */
static void test_global_kernel_entry_survives_switch_until_kernel_flush(void **state)
{
	struct fx f;
	struct mmu_cpu *c;
	unsigned long walks;
	u64 va;

	(void)state;
	fx_init(&f, X86_64);
	c = cpu_mmu(f.m, 0);
	va = m_page_offset(f.m) + 0x345000;
	xlate(f.m, va, 0);
	spawn_with_vma(f.m);	/* switch_mm to another mm */
	walks = c->nr_walks;
	assert_int_equal(xlate(f.m, va, 0), 0x345000);
	assert_int_equal(c->nr_walks, walks);
	flush_tlb_kernel_range(f.m, va, va + PAGE_SIZE);
	assert_int_equal(xlate(f.m, va, 0), 0x345000);
	assert_int_equal(c->nr_walks, walks + 1);
	flush_tlb_all(f.m);
	xlate(f.m, va, 0);
	assert_int_equal(c->nr_walks, walks + 2);
	fx_done(&f);
}

/* A flush of any address inside a large page drops every cached piece of
 * it (the direct map uses 2 MiB pages on x86_64, 4 MiB on i386). */
static void test_flush_inside_large_page_drops_its_pieces(void **state)
{
	struct fx f;
	struct mmu_cpu *c;
	unsigned long walks;
	u64 base;

	(void)state;
	for (int a = 0; a < NR_ARCHS; a++) {
		fx_init(&f, a);
		if (!f.m->pgtables.pse) {
			fx_done(&f);
			continue;
		}
		c = cpu_mmu(f.m, 0);
		base = m_page_offset(f.m) + 0x400000;	/* 4 MiB aligned */
		xlate(f.m, base + 0x1000, 0);
		walks = c->nr_walks;
		__flush_tlb_one_kernel(f.m, base + 0x3000);	/* an uncached piece */
		xlate(f.m, base + 0x1000, 0);
		assert_int_equal(c->nr_walks, walks + 1);
		fx_done(&f);
	}
}

/* Address-space ids: given on the first load, unique, and an idle CPU
 * (no current task) translates with swapper_pg_dir. */
static void test_asids_unique_and_idle_cpu_uses_swapper(void **state)
{
	struct fx f;
	struct task_struct *b;

	(void)state;
	fx_init(&f, PAE);
	b = spawn_with_vma(f.m);
	assert_true(f.mm->context.ctx_id != 0);
	assert_true(b->mm->context.ctx_id > f.mm->context.ctx_id);
	assert_int_equal(cpu_mmu(f.m, 0)->asid, b->mm->context.ctx_id);
	mmkit_set_current(f.m, NULL);
	assert_int_equal(cpu_mmu(f.m, 0)->cr3, f.m->pgtables.swapper_pg_dir);
	assert_int_equal(cpu_mmu(f.m, 0)->asid, 0);
	assert_null(cpu_mmu(f.m, 0)->loaded_mm);
	mmkit_set_current(f.m, f.tsk);
	fx_done(&f);
}

/* destroy_context() unloads the mm from every CPU still holding it. */
static void test_destroy_context_unloads_the_mm(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, I386);
	map(&f, VA, 0, UPTE);
	xlate(f.m, VA, X86_PF_USER);
	destroy_context(f.m, f.mm);
	assert_null(cpu_mmu(f.m, 0)->loaded_mm);
	assert_int_equal(cpu_mmu(f.m, 0)->cr3, f.m->pgtables.swapper_pg_dir);
	assert_int_equal(xfault(f.m, VA, X86_PF_USER), X86_PF_USER);
	switch_mm(f.m, NULL, f.mm);	/* a new id on the next load */
	assert_true(f.mm->context.ctx_id != 0);
	assert_int_equal(xlate(f.m, VA, X86_PF_USER), PFN_PHYS(pfn(&f, 0)));
	fx_done(&f);
}

/* Addresses the format cannot translate fault as not present. */
static void test_untranslatable_addresses_fault(void **state)
{
	struct fx f;

	(void)state;
	fx_init(&f, X86_64);
	assert_int_equal(xfault(f.m, 0x0000800000000000ULL, X86_PF_USER), X86_PF_USER);
	fx_done(&f);
	fx_init(&f, I386);
	assert_int_equal(xfault(f.m, 0x100000000ULL + VA, 0), 0);
	fx_done(&f);
}

/* CPU 1 translates VA in a loop while CPU 0 keeps remapping it to the
 * next frame (version k -> frame k % NFRAMES) and flushing, then
 * publishing k. A translation made after seeing version k1 and before
 * seeing k2 must map a version in [k1, k2 + 1]: a stale entry surviving a
 * flush (a fill racing with the shootdown) would show an older one. */
struct race {
	struct fx *f;
	unsigned long published;	/* the last version flushed */
	bool stop, ready;
	unsigned long checked, stale;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	struct machine *m = r->f->m;
	phys_addr_t phys;
	unsigned int err;

	mmkit_set_cpu(1);
	__atomic_store_n(&r->ready, true, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
		unsigned long k1 = __atomic_load_n(&r->published, __ATOMIC_ACQUIRE), k2, v;
		int idx;

		if (mmu_translate(m, VA, X86_PF_USER, &phys, &err))
			continue;
		k2 = __atomic_load_n(&r->published, __ATOMIC_ACQUIRE);
		if (k2 + 1 - k1 >= NFRAMES - 1)
			continue;	/* the writer ran too far ahead to tell */
		for (idx = 0; idx < NFRAMES; idx++)
			if (phys == PFN_PHYS(pfn(r->f, idx)))
				break;
		for (v = k1; v <= k2 + 1 && v % NFRAMES != (unsigned long)idx; v++)
			;
		__atomic_store_n(&r->checked, r->checked + 1, __ATOMIC_RELAXED);
		if (v > k2 + 1)
			r->stale++;
	}
	return NULL;
}

static void test_concurrent_fill_never_survives_a_shootdown(void **state)
{
	struct fx f;
	struct race r = { .f = &f };
	struct vm_area_struct *vma;
	pthread_t t;
	ptep_t *ptep;
	unsigned long k;

	(void)state;
	fx_init(&f, X86_64);
	vma = vma_lookup(f.m, f.mm, VA);
	ptep = map(&f, VA, 0, UPTE);
	mmkit_set_cpu(1);
	mmkit_set_current(f.m, f.tsk);	/* CPU 1 runs the same mm */
	mmkit_set_cpu(0);
	assert_int_equal(pthread_create(&t, NULL, race_reader, &r), 0);
	while (!__atomic_load_n(&r.ready, __ATOMIC_ACQUIRE))
		;
	for (k = 1; k <= 2000000 && __atomic_load_n(&r.checked, __ATOMIC_RELAXED) < 200000; k++) {
		set_pte(f.m, ptep, __pte(PFN_PHYS(pfn(&f, (int)(k % NFRAMES))) | UPTE));
		flush_tlb_page(f.m, vma, VA);
		__atomic_store_n(&r.published, k, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&r.stop, true, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	assert_int_equal(r.stale, 0);
	assert_true(r.checked > 0);
	mmkit_set_cpu(1);
	mmkit_set_current(f.m, NULL);
	fx_done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_translates_and_sets_accessed_only),
		cmocka_unit_test(test_write_sets_dirty_in_leaf),
		cmocka_unit_test(test_pae_pdpte_is_not_written),
		cmocka_unit_test(test_write_hit_on_clean_entry_walks_to_set_dirty),
		cmocka_unit_test(test_second_access_is_a_counted_tlb_hit),
		cmocka_unit_test(test_not_present_error_codes),
		cmocka_unit_test(test_write_to_readonly_page_faults_in_both_modes),
		cmocka_unit_test(test_user_access_to_supervisor_page_faults),
		cmocka_unit_test(test_readonly_upper_level_wins),
		cmocka_unit_test(test_fetch_from_nx_page_faults_with_instr),
		cmocka_unit_test(test_i386_has_no_nx_and_no_instr_bit),
		cmocka_unit_test(test_reserved_bits_fault_with_rsvd),
		cmocka_unit_test(test_kernel_direct_map_translates_in_kernel_mode_only),
		cmocka_unit_test(test_changed_pte_is_stale_until_flush_tlb_page),
		cmocka_unit_test(test_fault_drops_the_stale_entry),
		cmocka_unit_test(test_flush_tlb_range_and_mm),
		cmocka_unit_test(test_processes_isolated_across_cr3_switch),
		cmocka_unit_test(test_flush_reaches_every_cpu_that_loaded_the_mm),
		cmocka_unit_test(test_global_kernel_entry_survives_switch_until_kernel_flush),
		cmocka_unit_test(test_flush_inside_large_page_drops_its_pieces),
		cmocka_unit_test(test_asids_unique_and_idle_cpu_uses_swapper),
		cmocka_unit_test(test_destroy_context_unloads_the_mm),
		cmocka_unit_test(test_untranslatable_addresses_fault),
		cmocka_unit_test(test_concurrent_fill_never_survives_a_shootdown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
