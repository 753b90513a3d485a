/* Page-table pages and the operations every format shares: allocating a
 * table (bootmem during boot, the buddy allocator after), linking it into
 * the level above, walking an address down to its frame, copying the
 * kernel's entries into a new pgd and keeping copies in sync, and the TLB
 * flush hooks (cf. arch/x86/mm/pgtable.c, mm/memory.c __pte_alloc_kernel,
 * arch/x86/mm/tlb.c).
 *
 * Invariants: a table page is zeroed before it is linked; after paging_init
 * a kernel table page from the buddy allocator has PG_table set and is never
 * freed (as in Linux, kernel page tables stay); every pgd on pgd_list holds
 * the same kernel-half entries as swapper_pg_dir. */
#include "arch/x86/pgtable.h"

/**
 * pgtable_select_format - pick the page-table format of m's configuration
 * @m: a machine whose m->arch was set by setup_arch (or by a test)
 *
 * i386 without PAE uses the 2-level format, i386-pae the 3-level one,
 * x86_64 the 4-level one. Return: 0.
 */
int pgtable_select_format(struct machine *m)
{
	if (m->arch.x86_64)
		m->pgtables.fmt = &pgtable_4level_format;
	else if (m->arch.pae)
		m->pgtables.fmt = &pgtable_3level_format;
	else
		m->pgtables.fmt = &pgtable_2level_format;
	if (!m->pgtables.pgd_list.next)
		INIT_LIST_HEAD(&m->pgtables.pgd_list);
	return 0;
}

/**
 * kernel_vm_should_fail - fault injection for the kernel-VM allocations
 * @m: the machine
 *
 * Counts one allocation; true when it is the m->pgtables.fail_nth-th one
 * (0 disables injection). Tests use it to fail allocation N = 1, 2, ...
 * and check that nothing leaks.
 */
bool kernel_vm_should_fail(struct machine *m)
{
	if (!m->pgtables.fail_nth)
		return false;
	return ++m->pgtables.nr_allocs == m->pgtables.fail_nth;
}

/**
 * pgtable_alloc_page - allocate one zeroed page-table page
 * @m: the machine
 *
 * While bootmem is active the page comes from it (like alloc_bootmem_low_pages
 * in 2.4's pagetable_init); afterwards from the buddy allocator, lowmem only
 * (cf. GFP_PGTABLE_KERNEL), marked PG_table.
 * Return: the table's physical address, or 0 when memory is exhausted.
 */
phys_addr_t pgtable_alloc_page(struct machine *m)
{
	struct page *page;
	void *p;

	if (m->bdata.active) {
		p = __alloc_bootmem_nopanic(m, PAGE_SIZE, PAGE_SIZE, 0);
		if (!p)
			return 0;
		mm_memset(p, 0, PAGE_SIZE);
		m->pgtables.nr_boot_tables++;
		return __pa(m, p);
	}
	if (kernel_vm_should_fail(m))
		return 0;
	page = alloc_page(m, GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return 0;
	SetPageTable(page);
	mm_memset(page_address(m, page), 0, PAGE_SIZE);
	m->pgtables.nr_kernel_tables++;
	return page_to_phys(m, page);
}

/**
 * pgtable_free_page - give back a page-table page from pgtable_alloc_page
 * @m: the machine
 * @table: its physical address; must come from the buddy allocator and be
 *         unlinked from every table
 */
void pgtable_free_page(struct machine *m, phys_addr_t table)
{
	struct page *page = pfn_to_page(m, PFN_DOWN(table));

	if (VM_WARN_ON(m, !PageTable(page)))
		return;
	ClearPageTable(page);
	m->pgtables.nr_kernel_tables--;
	__free_page(m, page);
}

/* A write into the kernel half of swapper_pg_dir after boot must reach the
 * copies in every process's pgd. */
static void pt_write_upper(struct machine *m, void *slot, u64 val)
{
	phys_addr_t phys = pt_slot_phys(m, slot);

	pt_write(m, slot, val);
	if (m->pgtables.ready && (phys & PAGE_MASK) == m->pgtables.swapper_pg_dir)
		arch_sync_kernel_entry(m, phys);
}

/** set_pgd - write a pgd entry (see pgtable.h for slots). @m: machine @pgdp: slot @pgd: value */
void set_pgd(struct machine *m, pgdp_t *pgdp, pgd_t pgd)
{
	pt_write_upper(m, pgdp, pgd_val(pgd));
}

/** set_p4d - write a p4d entry. @m: machine @p4dp: slot @p4d: value */
void set_p4d(struct machine *m, p4dp_t *p4dp, p4d_t p4d)
{
	pt_write_upper(m, p4dp, p4d_val(p4d));
}

/** set_pud - write a pud entry. @m: machine @pudp: slot @pud: value */
void set_pud(struct machine *m, pudp_t *pudp, pud_t pud)
{
	pt_write_upper(m, pudp, pud_val(pud));
}

/** set_pmd - write a pmd entry. @m: machine @pmdp: slot @pmd: value */
void set_pmd(struct machine *m, pmdp_t *pmdp, pmd_t pmd)
{
	pt_write_upper(m, pmdp, pmd_val(pmd));
}

/* The flags of an entry pointing at a lower table: the top table of the
 * PAE format (PDPTE) may carry only P; every other table entry is
 * _PAGE_TABLE, as Linux's pXd_populate writes it. */
static u64 table_flags(const struct machine *m, enum pt_level l)
{
	enum pt_level top = PT_PGD;

	while (top < PT_PTE && pgt_fmt(m)->folded[top + 1])
		top++;
	return l == top ? pgt_fmt(m)->top_table_flags : _PAGE_TABLE;
}

/**
 * p4d_populate - point a p4d entry at a pud table
 * @m: machine @p4d: the slot @pud_table: physical address of the table
 */
void p4d_populate(struct machine *m, p4dp_t *p4d, phys_addr_t pud_table)
{
	set_p4d(m, p4d, __p4d(pud_table | table_flags(m, PT_P4D)));
}

/**
 * pud_populate - point a pud entry at a pmd table
 * @m: machine @pud: the slot @pmd_table: physical address of the table
 */
void pud_populate(struct machine *m, pudp_t *pud, phys_addr_t pmd_table)
{
	set_pud(m, pud, __pud(pmd_table | table_flags(m, PT_PUD)));
}

/**
 * pmd_populate - point a pmd entry at a pte table
 * @m: machine @pmd: the slot @pte_table: physical address of the table
 */
void pmd_populate(struct machine *m, pmdp_t *pmd, phys_addr_t pte_table)
{
	set_pmd(m, pmd, __pmd(pte_table | table_flags(m, PT_PMD)));
}

/**
 * pud_alloc_k - the kernel pud slot for addr, allocating its table if needed
 * @m: machine @p4d: the p4d slot above @addr: the address
 * Return: the slot, or NULL when no table page could be allocated.
 */
pudp_t *pud_alloc_k(struct machine *m, p4dp_t *p4d, u64 addr)
{
	if (p4d_none(m, p4dp_get(m, p4d))) {
		phys_addr_t t = pgtable_alloc_page(m);

		if (!t)
			return NULL;
		spin_lock(&m->pgtables.page_table_lock);
		if (p4d_none(m, p4dp_get(m, p4d))) {
			p4d_populate(m, p4d, t);
			t = 0;
		}
		spin_unlock(&m->pgtables.page_table_lock);
		if (t)	/* another CPU linked one first */
			pgtable_free_page(m, t);
	}
	return pud_offset(m, p4d, addr);
}

/**
 * pmd_alloc_k - the kernel pmd slot for addr, allocating its table if needed
 * @m: machine @pud: the pud slot above @addr: the address
 * Return: the slot, or NULL when no table page could be allocated.
 */
pmdp_t *pmd_alloc_k(struct machine *m, pudp_t *pud, u64 addr)
{
	if (pud_none(m, pudp_get(m, pud))) {
		phys_addr_t t = pgtable_alloc_page(m);

		if (!t)
			return NULL;
		spin_lock(&m->pgtables.page_table_lock);
		if (pud_none(m, pudp_get(m, pud))) {
			pud_populate(m, pud, t);
			t = 0;
		}
		spin_unlock(&m->pgtables.page_table_lock);
		if (t)
			pgtable_free_page(m, t);
	}
	return pmd_offset(m, pud, addr);
}

/**
 * pte_alloc_kernel - the kernel pte slot for addr, allocating its table if needed
 * @m: machine @pmd: the pmd slot above (must not be a large page) @addr: the address
 * Return: the slot, or NULL when no table page could be allocated.
 */
ptep_t *pte_alloc_kernel(struct machine *m, pmdp_t *pmd, u64 addr)
{
	if (pmd_none(m, pmdp_get(m, pmd))) {
		phys_addr_t t = pgtable_alloc_page(m);

		if (!t)
			return NULL;
		spin_lock(&m->pgtables.page_table_lock);
		if (pmd_none(m, pmdp_get(m, pmd))) {
			pmd_populate_kernel(m, pmd, t);
			t = 0;
		}
		spin_unlock(&m->pgtables.page_table_lock);
		if (t)
			pgtable_free_page(m, t);
	}
	return pte_offset_kernel(m, pmd, addr);
}

/**
 * kernel_pte_alloc - the pte slot of kernel address addr in swapper_pg_dir,
 *                    allocating the missing tables on the way
 * @m: machine @addr: a kernel address outside the large-page direct map
 * Return: the slot, or NULL when a table could not be allocated (tables
 * allocated on the way stay linked, as Linux keeps kernel page tables).
 */
ptep_t *kernel_pte_alloc(struct machine *m, u64 addr)
{
	pgdp_t *pgd = pgd_offset_k(m, addr);
	p4dp_t *p4d = p4d_offset(m, pgd, addr);
	pudp_t *pud = pud_alloc_k(m, p4d, addr);
	pmdp_t *pmd;

	if (!pud)
		return NULL;
	pmd = pmd_alloc_k(m, pud, addr);
	if (!pmd || VM_WARN_ON(m, pmd_leaf(m, pmdp_get(m, pmd))))
		return NULL;
	return pte_alloc_kernel(m, pmd, addr);
}

/**
 * pmd_lookup - the pmd slot of addr in the tables rooted at pgd, without allocating
 * @m: machine @pgd: physical address of a pgd page @addr: the address
 * Return: the slot, or NULL when a level above it is missing or a large page.
 */
pmdp_t *pmd_lookup(struct machine *m, phys_addr_t pgd, u64 addr)
{
	pgdp_t *pgdp = pgd_offset_pgd(m, pgd, addr);
	p4dp_t *p4d;
	pudp_t *pud;

	if (pgd_none(m, pgdp_get(m, pgdp)))
		return NULL;
	p4d = p4d_offset(m, pgdp, addr);
	if (p4d_none(m, p4dp_get(m, p4d)))
		return NULL;
	pud = pud_offset(m, p4d, addr);
	if (pud_none(m, pudp_get(m, pud)) || pud_leaf(m, pudp_get(m, pud)))
		return NULL;
	return pmd_offset(m, pud, addr);
}

/**
 * kernel_pte_lookup - the pte slot of kernel address addr, without allocating
 * @m: machine @addr: the address
 * Return: the slot, or NULL when a level above is missing or a large page.
 */
ptep_t *kernel_pte_lookup(struct machine *m, u64 addr)
{
	pmdp_t *pmd = pmd_lookup(m, m->pgtables.swapper_pg_dir, addr);

	if (!pmd || pmd_none(m, pmdp_get(m, pmd)) || pmd_leaf(m, pmdp_get(m, pmd)))
		return NULL;
	return pte_offset_kernel(m, pmd, addr);
}

/* Step one level down in a walk; false when the walk ends here. */
static bool walk_step(struct machine *m, enum pt_level l, void **slot, u64 va,
		      struct pgtable_walk *w)
{
	u64 v = pt_read(m, *slot);

	w->level = l;
	w->entry = v;
	w->entry_phys = pt_slot_phys(m, *slot);
	if (pt_stub(m, l))
		return true;
	if (!(v & _PAGE_PRESENT))
		return false;
	if (pt_leaf(m, l, v)) {
		w->shift = pt_shift(m, l);
		w->phys = PFN_PHYS(pt_leaf_pfn(m, l, v)) + (va & ~pt_mask(m, l));
		return false;
	}
	if (pt_bad(m, l, v) || pt_table_phys(v) + PAGE_SIZE > m->ram_bytes) {
		w->bad = true;
		return false;
	}
	return true;
}

/**
 * pgtable_walk - translate va through the page tables rooted at pgd
 * @m: machine
 * @pgd: physical address of a pgd page (m->pgtables.swapper_pg_dir for the kernel)
 * @va: the virtual address
 * @w: filled with where the walk ended (see struct pgtable_walk)
 *
 * Reads the tables as the MMU does, without setting Accessed/Dirty.
 * Return: true when va is mapped (w->phys holds the physical address).
 */
bool pgtable_walk(struct machine *m, phys_addr_t pgd, u64 va, struct pgtable_walk *w)
{
	void *slot = pgd_offset_pgd(m, pgd, va);
	enum pt_level l;

	mm_memset(w, 0, sizeof(*w));
	w->phys = PHYS_NONE;
	for (l = PT_PGD; l < PT_PTE; l++) {
		if (!walk_step(m, l, &slot, va, w))
			return w->phys != PHYS_NONE;
		slot = pt_lower_slot(m, l + 1, slot, va);
	}
	w->level = PT_PTE;
	w->entry = pt_read(m, slot);
	w->entry_phys = pt_slot_phys(m, slot);
	if (!(w->entry & _PAGE_PRESENT))
		return false;
	w->shift = PAGE_SHIFT;
	w->phys = (w->entry & PTE_PFN_MASK) + (va & ~PAGE_MASK);
	return true;
}

/**
 * slow_virt_to_phys - the physical address a kernel virtual address maps to
 * @m: machine @va: a kernel virtual address (direct map, vmalloc, pkmap, fixmap)
 * Return: the physical address, or PHYS_NONE when va is not mapped.
 */
phys_addr_t slow_virt_to_phys(struct machine *m, u64 va)
{
	struct pgtable_walk w;

	if (!pgtable_walk(m, m->pgtables.swapper_pg_dir, va, &w))
		return PHYS_NONE;
	return w.phys;
}

/**
 * kernel_pgd_boundary - index of the first kernel pgd entry (KERNEL_PGD_BOUNDARY)
 * @m: machine
 * Return: pgd_index(PAGE_OFFSET): 768 (2-level), 3 (PAE), 273 (4-level).
 */
unsigned int kernel_pgd_boundary(const struct machine *m)
{
	return pgd_index(m, m->pgtables.page_offset);
}

/**
 * pgd_clone_kernel - copy the kernel entries of swapper_pg_dir into a new pgd
 * @m: machine
 * @pgd: physical address of the new pgd page; its user half is left alone
 *
 * What every new process's pgd does (cf. pgd_ctor/clone_pgd_range): the
 * kernel half (from KERNEL_PGD_BOUNDARY) is shared through these entries.
 */
void pgd_clone_kernel(struct machine *m, phys_addr_t pgd)
{
	unsigned int esize = pgt_fmt(m)->entry_size;
	unsigned int first = kernel_pgd_boundary(m);
	unsigned int n = pt_ptrs(m, PT_PGD) - first;

	mm_memcpy(m->ram + pgd + (u64)first * esize,
		  m->ram + m->pgtables.swapper_pg_dir + (u64)first * esize, (size_t)n * esize);
}

/**
 * pgd_list_add - register a process pgd for kernel-entry sync (cf. pgd_list_add)
 * @m: machine @pgd_page: the pgd's page; its lru links it in m->pgtables.pgd_list
 *
 * Only the 2-level format needs it: there a kernel page table added after
 * boot (vmalloc) appears as a new pgd entry, which is copied to every pgd
 * on the list. PAE shares the kernel pmd; x86_64 preallocates the top
 * level of the vmalloc area at boot. Takes page_table_lock (pgd_lock).
 */
void pgd_list_add(struct machine *m, struct page *pgd_page)
{
	spin_lock(&m->pgtables.page_table_lock);
	list_add(&pgd_page->lru, &m->pgtables.pgd_list);
	spin_unlock(&m->pgtables.page_table_lock);
}

/** pgd_list_del - unregister a pgd added by pgd_list_add. @m: machine @pgd_page: its page */
void pgd_list_del(struct machine *m, struct page *pgd_page)
{
	spin_lock(&m->pgtables.page_table_lock);
	list_del(&pgd_page->lru);
	spin_unlock(&m->pgtables.page_table_lock);
}

/**
 * pgd_ctor - prepare a new process pgd: the kernel half copied from
 *            swapper_pg_dir and, on the 2-level format, registered for sync
 * @m: machine
 * @pgd_page: the new pgd's page (its user half is left as it is)
 *
 * Copy and registration happen under one lock, so no kernel entry added
 * meanwhile is missed (cf. pgd_ctor). Undo with pgd_dtor.
 */
void pgd_ctor(struct machine *m, struct page *pgd_page)
{
	spin_lock(&m->pgtables.page_table_lock);
	pgd_clone_kernel(m, page_to_phys(m, pgd_page));
	if (pgt_fmt(m)->levels == 2)
		list_add(&pgd_page->lru, &m->pgtables.pgd_list);
	spin_unlock(&m->pgtables.page_table_lock);
}

/** pgd_dtor - undo pgd_ctor before the pgd page is freed. @m: machine @pgd_page: its page */
void pgd_dtor(struct machine *m, struct page *pgd_page)
{
	if (pgt_fmt(m)->levels == 2)
		pgd_list_del(m, pgd_page);
}

/**
 * arch_sync_kernel_entry - copy one kernel entry of swapper_pg_dir to every pgd on pgd_list
 * @m: machine @entry_phys: physical address of the entry in swapper_pg_dir
 *
 * Called with page_table_lock held (by the populate that wrote the entry).
 */
void arch_sync_kernel_entry(struct machine *m, phys_addr_t entry_phys)
{
	phys_addr_t off = entry_phys & ~PAGE_MASK;
	u64 v = pt_read(m, m->ram + entry_phys);
	struct page *page;

	if (off < (u64)kernel_pgd_boundary(m) * pgt_fmt(m)->entry_size)
		return;
	list_for_each_entry(page, &m->pgtables.pgd_list, lru)
		pt_write(m, m->ram + page_to_phys(m, page) + off, v);
}

static void tlb_flush(struct machine *m, enum tlb_flush_kind kind, u64 start, u64 end)
{
	__atomic_fetch_add(&m->pgtables.nr_tlb_flush[kind], 1, __ATOMIC_RELAXED);	/* vm_event */
	if (m->pgtables.tlb_flush)
		m->pgtables.tlb_flush(m, kind, start, end);
}

/**
 * flush_tlb_kernel_range - drop cached translations of [start, end) on every CPU
 * @m: machine @start: first kernel address @end: end (exclusive)
 */
void flush_tlb_kernel_range(struct machine *m, u64 start, u64 end)
{
	tlb_flush(m, TLB_FLUSH_KERNEL_RANGE, start, end);
}

/**
 * __flush_tlb_one_kernel - drop the cached translation of one kernel page on this CPU
 * @m: machine @addr: the kernel address
 */
void __flush_tlb_one_kernel(struct machine *m, u64 addr)
{
	tlb_flush(m, TLB_FLUSH_ONE, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE);
}

/** flush_tlb_all - drop every cached translation on every CPU. @m: machine */
void flush_tlb_all(struct machine *m)
{
	tlb_flush(m, TLB_FLUSH_ALL, 0, ~0ULL);
}
