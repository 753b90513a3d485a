/* High-memory mappings (cf. mm/highmem.c, arch/x86/mm/highmem_32.c of
 * 2.6-5.x): the permanent kmap area and the per-CPU kmap_atomic slots.
 *
 * pkmap: LAST_PKMAP slots at PKMAP_BASE, one pte page (pkmap_page_table).
 * pkmap_count[i] is 0 (free, pte clear), 1 (free, pte and TLB entries still
 * there: reusable only after flush_all_zero_pkmaps) or 1 + the number of
 * kmap users. A highmem page with a slot is in page_address_htable.
 * When every slot is busy Linux sleeps until a kunmap; mmkit has no other
 * thread to wait for, so kmap() fails: it returns NULL with a message.
 *
 * kmap_atomic: KM_TYPE_NR fixmap slots per CPU at
 * fix_to_virt(FIX_KMAP_BEGIN + type + KM_TYPE_NR * cpu), taken and released
 * as a stack (kunmap_atomic must name the most recent slot).
 *
 * Pointers handed out are real: each mapped slot's host window page aliases
 * the page's frame (kwindow_sync), and a released slot is inaccessible.
 * A lowmem page maps to its direct-map address without using any slot.
 * Invariants (check_highmem): pkmap_count[i] == 0 <=> pkmap pte i clear;
 * the htable holds exactly the slots with a count; kmap_atomic slots below
 * each CPU's stack depth are mapped, the others clear. */
#include "arch/x86/pgtable.h"

#ifndef pr_crit
#define pr_crit(m, fmt, ...) printk(m, KERN_CRIT fmt, ##__VA_ARGS__)
#endif

static bool highmem_configured(const struct machine *m)
{
	return m->pgtables.last_pkmap != 0 && m->highmem.ready;
}

static u64 PKMAP_ADDR(const struct machine *m, unsigned int nr)
{
	return m->pgtables.pkmap_base + ((u64)nr << PAGE_SHIFT);
}

static unsigned int PKMAP_NR(const struct machine *m, u64 virt)
{
	return (unsigned int)((virt - m->pgtables.pkmap_base) >> PAGE_SHIFT);
}

static bool is_pkmap_addr(const struct machine *m, u64 va)
{
	return m->pgtables.last_pkmap && va >= m->pgtables.pkmap_base &&
	       va < PKMAP_ADDR(m, m->pgtables.last_pkmap);
}

static ptep_t *pkmap_pte(struct machine *m, unsigned int nr)
{
	return (ptep_t *)(m->ram + m->pgtables.pkmap_page_table + (u64)nr * pgt_fmt(m)->entry_size);
}

/**
 * kmap_init - set up the pkmap bookkeeping (called by paging_init)
 * @m: machine whose layout is known
 */
void kmap_init(struct machine *m)
{
	struct pkmap_state *h = &m->highmem;

	for (unsigned int i = 0; i < ARRAY_SIZE(h->page_address_htable); i++)
		INIT_LIST_HEAD(&h->page_address_htable[i]);
	INIT_LIST_HEAD(&h->page_address_pool);
	for (unsigned int i = 0; i < m->pgtables.last_pkmap; i++)
		list_add_tail(&h->page_address_maps[i].list, &h->page_address_pool);
	h->ready = true;
}

static struct list_head *page_slot(struct machine *m, const struct page *page)
{
	unsigned long pfn = page_to_pfn(m, page);

	return &m->highmem.page_address_htable[(pfn * 0x9e3779b1UL >> 8) &
					       ((1u << PA_HASH_ORDER) - 1)];
}

/* The pkmap address of a highmem page, 0 when it has none. */
static u64 pkmap_page_address(struct machine *m, const struct page *page)
{
	struct page_address_map *pam;

	list_for_each_entry(pam, page_slot(m, page), list) {
		if (pam->page == page)
			return pam->virtual;
	}
	return 0;
}

/* Record (virtual != 0) or forget the pkmap address of page (cf. set_page_address). */
static void set_page_address(struct machine *m, struct page *page, u64 virtual)
{
	struct pkmap_state *h = &m->highmem;
	struct page_address_map *pam;

	if (virtual) {
		if (VM_WARN_ON(m, list_empty(&h->page_address_pool)))
			return;
		pam = list_first_entry(&h->page_address_pool, struct page_address_map, list);
		pam->page = page;
		pam->virtual = virtual;
		list_move(&pam->list, page_slot(m, page));
		return;
	}
	list_for_each_entry(pam, page_slot(m, page), list) {
		if (pam->page == page) {
			list_move(&pam->list, &h->page_address_pool);
			return;
		}
	}
}

/* Clear every slot whose count is 1 (unused, pte still set), then flush
 * the TLB once for the whole area (cf. flush_all_zero_pkmaps). */
static void flush_all_zero_pkmaps(struct machine *m)
{
	struct pkmap_state *h = &m->highmem;
	unsigned int i, run = 0;
	bool need_flush = false, in_run = false;

	h->nr_flush_all_zero++;
	for (i = 0; i <= m->pgtables.last_pkmap; i++) {
		bool zap = i < m->pgtables.last_pkmap && h->pkmap_count[i] == 1;

		if (zap) {
			ptep_t *ptep = pkmap_pte(m, i);

			h->pkmap_count[i] = 0;
			VM_WARN_ON(m, pte_none(ptep_get(m, ptep)));
			set_page_address(m, pte_page(m, ptep_get(m, ptep)), 0);
			pte_clear(m, ptep);
			need_flush = true;
			if (!in_run)
				run = i;
			in_run = true;
		} else if (in_run) {
			kwindow_sync(m, PKMAP_ADDR(m, run), PKMAP_ADDR(m, i));
			in_run = false;
		}
	}
	if (need_flush)
		flush_tlb_kernel_range(m, PKMAP_ADDR(m, 0), PKMAP_ADDR(m, m->pgtables.last_pkmap));
}

/* Find a free slot for page and map it there; 0 when all are in use. */
static u64 map_new_virtual(struct machine *m, struct page *page)
{
	struct pkmap_state *h = &m->highmem;
	unsigned int last = m->pgtables.last_pkmap, count = last;
	u64 vaddr;

	for (;;) {
		h->last_pkmap_nr = (h->last_pkmap_nr + 1) & (last - 1);
		if (!h->last_pkmap_nr) {
			flush_all_zero_pkmaps(m);
			count = last;
		}
		if (!h->pkmap_count[h->last_pkmap_nr])
			break;
		if (--count)
			continue;
		/* Linux sleeps on pkmap_map_wait here until a kunmap frees a slot. */
		h->nr_kmap_fail++;
		pr_err(m, "kmap: all %u pkmap entries are in use, cannot map pfn %#lx (no sleeping in mmkit: kunmap a page first)\n",
		       last, page_to_pfn(m, page));
		return 0;
	}
	vaddr = PKMAP_ADDR(m, h->last_pkmap_nr);
	set_pte(m, pkmap_pte(m, h->last_pkmap_nr), mk_pte(m, page, PAGE_KERNEL));
	if (kwindow_sync(m, vaddr, vaddr + PAGE_SIZE)) {
		pte_clear(m, pkmap_pte(m, h->last_pkmap_nr));
		kwindow_sync(m, vaddr, vaddr + PAGE_SIZE);
		pr_err(m, "kmap: host window refused the mapping\n");
		return 0;
	}
	h->pkmap_count[h->last_pkmap_nr] = 1;
	set_page_address(m, page, vaddr);
	return vaddr;
}

static void *kmap_high(struct machine *m, struct page *page)
{
	u64 vaddr;

	spin_lock(&m->highmem.kmap_lock);
	vaddr = pkmap_page_address(m, page);
	if (!vaddr)
		vaddr = map_new_virtual(m, page);
	if (vaddr) {
		m->highmem.pkmap_count[PKMAP_NR(m, vaddr)]++;
		VM_WARN_ON(m, m->highmem.pkmap_count[PKMAP_NR(m, vaddr)] < 2);
	}
	spin_unlock(&m->highmem.kmap_lock);
	return vaddr ? kva_to_ptr(m, vaddr) : NULL;
}

/**
 * kmap - map a page into the kernel's address space until kunmap
 * @m: machine
 * @page: any page
 *
 * A lowmem page needs no mapping: its direct-map address is returned. A
 * highmem page gets (or shares) a pkmap slot; its use count goes up.
 * Return: the kernel address (a real pointer), or NULL when every pkmap
 * slot is in use (Linux would sleep; see the file comment).
 */
void *kmap(struct machine *m, struct page *page)
{
	if (!PageHighMem(m, page) || !highmem_configured(m))
		return page_address(m, page);
	return kmap_high(m, page);
}

/**
 * kunmap - drop a mapping made by kmap
 * @m: machine
 * @page: the page given to kmap
 *
 * The slot stays mapped (count 1) until flush_all_zero_pkmaps reclaims it.
 * Unmapping a page that is not kmapped is a bug; it is reported and ignored.
 */
void kunmap(struct machine *m, struct page *page)
{
	const char *bug = NULL;
	u64 vaddr;
	int *count;

	if (!PageHighMem(m, page) || !highmem_configured(m))
		return;
	spin_lock(&m->highmem.kmap_lock);
	vaddr = pkmap_page_address(m, page);
	count = vaddr ? &m->highmem.pkmap_count[PKMAP_NR(m, vaddr)] : NULL;
	if (!count)
		bug = "is not kmapped";
	else if (*count <= 1)
		bug = "has no kmap user";
	else
		--*count;	/* 1: unused, reclaimed by flush_all_zero_pkmaps */
	spin_unlock(&m->highmem.kmap_lock);
	if (bug)
		pr_crit(m, "kernel BUG at mm/highmem.c: kunmap_high: pfn %#lx %s\n",
			page_to_pfn(m, page), bug);
}

static u64 kmap_atomic_vaddr(const struct machine *m, unsigned int cpu, int type)
{
	return fix_to_virt(m, m->pgtables.fix_kmap_begin + (unsigned int)type + KM_TYPE_NR * cpu);
}

/**
 * kmap_atomic - map a page in a per-CPU slot, without sleeping
 * @m: machine
 * @page: any page
 *
 * Lowmem pages return their direct-map address and take no slot. A highmem
 * page takes the next of this CPU's KM_TYPE_NR fixmap slots (a stack).
 * Return: the kernel address, or NULL when all of this CPU's slots are in
 * use (Linux BUGs there).
 */
void *kmap_atomic(struct machine *m, struct page *page)
{
	unsigned int cpu = smp_processor_id(m);
	int *depth = &m->highmem.kmap_atomic_idx[cpu];
	ptep_t *ptep;
	u64 vaddr;

	if (!PageHighMem(m, page) || !highmem_configured(m))
		return page_address(m, page);
	if (*depth >= KM_TYPE_NR) {
		pr_crit(m, "kernel BUG at mm/highmem.c: kmap_atomic: CPU %u has all %d slots in use\n",
			cpu, KM_TYPE_NR);
		return NULL;
	}
	vaddr = kmap_atomic_vaddr(m, cpu, *depth);
	ptep = kernel_pte_lookup(m, vaddr);
	if (VM_WARN_ON(m, !ptep || !pte_none(ptep_get(m, ptep))))
		return NULL;
	set_pte(m, ptep, mk_pte(m, page, PAGE_KERNEL));
	if (kwindow_sync(m, vaddr, vaddr + PAGE_SIZE)) {
		pte_clear(m, ptep);
		kwindow_sync(m, vaddr, vaddr + PAGE_SIZE);
		pr_err(m, "kmap_atomic: host window refused the mapping\n");
		return NULL;
	}
	(*depth)++;
	return kva_to_ptr(m, vaddr);
}

static bool is_kmap_atomic_addr(const struct machine *m, u64 va)
{
	const struct kernel_pgtables *pt = &m->pgtables;

	return pt->fix_kmap_end >= pt->fix_kmap_begin && va >= fix_to_virt(m, pt->fix_kmap_end) &&
	       va < fix_to_virt(m, pt->fix_kmap_begin) + PAGE_SIZE;
}

/**
 * kunmap_atomic - release the slot kmap_atomic returned
 * @m: machine
 * @addr: the address kmap_atomic returned (or any address in that page)
 *
 * Must be this CPU's most recent kmap_atomic slot; anything else is
 * reported (WARNING) and ignored. A lowmem address is a no-op.
 */
void kunmap_atomic(struct machine *m, const void *addr)
{
	unsigned int cpu = smp_processor_id(m);
	int *depth = &m->highmem.kmap_atomic_idx[cpu];
	u64 vaddr = ptr_to_kva(m, addr) & PAGE_MASK;
	ptep_t *ptep;

	if (vaddr >= m->pgtables.page_offset && vaddr < m->pgtables.high_memory)
		return;
	if (!is_kmap_atomic_addr(m, vaddr)) {
		pr_crit(m, "kernel BUG at mm/highmem.c: kunmap_atomic: %p is not a kmap_atomic address\n",
			addr);
		return;
	}
	if (*depth <= 0 || vaddr != kmap_atomic_vaddr(m, cpu, *depth - 1)) {
		pr_warn(m, "------------[ cut here ]------------\n");
		pr_warn(m, "kunmap_atomic: %#llx is not CPU %u's last kmap_atomic slot (%#llx)\n",
			(unsigned long long)vaddr, cpu,
			*depth > 0 ? (unsigned long long)kmap_atomic_vaddr(m, cpu, *depth - 1) : 0ULL);
		pr_warn(m, "WARNING: CPU: %u PID: 0 at mm/highmem.c kunmap_atomic\n", cpu);
		return;
	}
	ptep = kernel_pte_lookup(m, vaddr);
	pte_clear(m, ptep);
	__flush_tlb_one_kernel(m, vaddr);
	kwindow_sync(m, vaddr, vaddr + PAGE_SIZE);
	(*depth)--;
}

/**
 * kmap_to_page - the page behind a kmap, kmap_atomic or direct-map address
 * @m: machine @addr: a kernel address
 * Return: the page, or NULL for an address none of these maps.
 */
struct page *kmap_to_page(struct machine *m, const void *addr)
{
	u64 va = ptr_to_kva(m, addr);
	ptep_t *ptep;

	if (!va)
		return NULL;
	if (is_pkmap_addr(m, va) || is_kmap_atomic_addr(m, va)) {
		ptep = kernel_pte_lookup(m, va & PAGE_MASK);
		if (!ptep || !(pte_val(ptep_get(m, ptep)) & _PAGE_PRESENT))
			return NULL;
		return pte_page(m, ptep_get(m, ptep));
	}
	if (va >= m->pgtables.page_offset && va < m->pgtables.high_memory)
		return virt_to_page(m, addr);
	return NULL;
}

/**
 * nr_free_highpages - free pages in ZONE_HIGHMEM (cf. nr_free_highpages)
 * @m: machine
 */
unsigned int nr_free_highpages(struct machine *m)
{
	struct zone *z = &m->node.node_zones[ZONE_HIGHMEM];

	return z->configured ? (unsigned int)zone_page_state(z, NR_FREE_PAGES) : 0;
}

static int check_pkmap_slot(struct machine *m, unsigned int i, unsigned int *mapped)
{
	int count = m->highmem.pkmap_count[i];
	pte_t pte = ptep_get(m, pkmap_pte(m, i));
	struct page *page;

	if (count == 0) {
		if (pte_none(pte))
			return 0;
		pr_err(m, "highmem: pkmap slot %u has count 0 but pte %#llx\n", i,
		       (unsigned long long)pte_val(pte));
		return 1;
	}
	page = pte_page(m, pte);
	(*mapped)++;
	if (count < 0 || !(pte_val(pte) & _PAGE_PRESENT) || !pfn_valid(m, pte_pfn(pte)) ||
	    pkmap_page_address(m, page) != PKMAP_ADDR(m, i)) {
		pr_err(m, "highmem: pkmap slot %u: count %d, pte %#llx, page address %#llx\n", i,
		       count, (unsigned long long)pte_val(pte),
		       (unsigned long long)(pfn_valid(m, pte_pfn(pte)) ? pkmap_page_address(m, page) : 0));
		return 1;
	}
	if (m->debug_vm >= 3 && kwindow_check_page(m, PKMAP_ADDR(m, i), PFN_PHYS(pte_pfn(pte)))) {
		pr_err(m, "highmem: pkmap slot %u: window does not alias pfn %#lx\n", i, pte_pfn(pte));
		return 1;
	}
	return 0;
}

static int check_kmap_atomic(struct machine *m)
{
	int bad = 0;

	for (unsigned int cpu = 0; cpu < clamp(m->desc.nr_cpus, 1u, (unsigned int)NR_CPUS); cpu++) {
		int depth = m->highmem.kmap_atomic_idx[cpu];

		for (int t = 0; t < KM_TYPE_NR; t++) {
			ptep_t *ptep = kernel_pte_lookup(m, kmap_atomic_vaddr(m, cpu, t));
			bool present = ptep && !pte_none(ptep_get(m, ptep));

			if (present != (t < depth)) {
				pr_err(m, "highmem: CPU %u kmap_atomic slot %d %s but stack depth is %d\n",
				       cpu, t, present ? "mapped" : "clear", depth);
				bad++;
			}
		}
	}
	return bad;
}

/**
 * check_highmem - the pkmap/kmap_atomic checker (run by mmkit_check)
 * @m: machine
 * Return: the number of violations, each reported in the log.
 */
int check_highmem(struct machine *m)
{
	unsigned int mapped = 0, hashed = 0;
	struct page_address_map *pam;
	int bad = 0;

	if (!highmem_configured(m))
		return 0;
	for (unsigned int i = 0; i < m->pgtables.last_pkmap; i++)
		bad += check_pkmap_slot(m, i, &mapped);
	for (unsigned int b = 0; b < (1u << PA_HASH_ORDER); b++)
		list_for_each_entry(pam, &m->highmem.page_address_htable[b], list)
			hashed++;
	if (hashed != mapped) {
		pr_err(m, "highmem: %u pages in page_address_htable, %u pkmap slots mapped\n", hashed,
		       mapped);
		bad++;
	}
	return bad + check_kmap_atomic(m);
}
