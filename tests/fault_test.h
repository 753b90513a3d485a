/* Helpers shared by the page-fault tests (test_fault*.c, test_signal.c,
 * test_cow.c): read a user pte, count page allocations, catch signals. */
#ifndef MMKIT_TESTS_FAULT_TEST_H
#define MMKIT_TESTS_FAULT_TEST_H

#include "vma_test.h"

#include <mmkit/mmu.h>
#include <mmkit/signal.h>

#include "mm/memory.h"

/* The pte mapping addr in the current task's mm (0 if no table). */
static inline pte_t ft_pte(struct machine *m, unsigned long addr)
{
	ptep_t *ptep = pte_offset_user(m, vt_mm(m), addr);

	return ptep ? ptep_get(m, ptep) : __pte(0);
}

static inline struct page *ft_page(struct machine *m, unsigned long addr)
{
	pte_t pte = ft_pte(m, addr);

	assert_true(pte_val(pte) & _PAGE_PRESENT);
	return pte_page(m, pte);
}

/* One byte of the current task's memory, read or written as the program
 * would (through the MMU; the access must succeed). */
static inline char peek(struct machine *m, unsigned long addr)
{
	char c = 0;

	assert_int_equal(mmkit_read(m, addr, &c, 1), 0);
	return c;
}

static inline void poke(struct machine *m, unsigned long addr, char c)
{
	assert_int_equal(mmkit_write(m, addr, &c, 1), 0);
}

/* Pages handed out by the buddy allocator so far (PGALLOC_*). */
static inline unsigned long ft_allocs(struct machine *m)
{
	unsigned long n = 0;

	for (int i = PGALLOC_DMA; i <= PGALLOC_DEVICE; i++)
		n += vm_event(m, i);
	return n;
}

/* Write-fault one page of a separate mapping, so the "anon_vma" and
 * "anon_vma_chain" slab caches have a slab before a test counts pages. */
static inline void ft_warm_caches(struct machine *m)
{
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), PROT_READ | PROT_WRITE,
						   MAP_PRIVATE);
	char c = 1;

	assert_int_equal(mmkit_write(m, addr, &c, 1), 0);
}

static inline unsigned long ft_table_pages(struct machine *m)
{
	return vt_mm(m)->pgtables_bytes / PAGE_SIZE;
}

/* A handler that records what it got. */
struct ft_caught {
	int calls;
	struct mmkit_siginfo info;
	struct task_struct *tsk;
};

static inline void ft_handler(struct machine *m, struct task_struct *tsk,
			      const struct mmkit_siginfo *info, void *arg)
{
	struct ft_caught *c = arg;

	(void)m;
	c->calls++;
	c->info = *info;
	c->tsk = tsk;
}

static inline unsigned long ft_rss(struct machine *m, int member)
{
	return get_mm_counter(vt_mm(m), member);
}

#endif
