/* Helpers shared by the VMA-layer tests (test_vma*.c, test_mmap*.c,
 * test_mprotect.c, test_mremap.c, test_brk.c, test_madvise.c,
 * test_mlock.c): boot a machine, run a process on CPU 0, and render the
 * layout of a range compactly for exact comparisons. */
#ifndef MMKIT_TESTS_VMA_TEST_H
#define MMKIT_TESTS_VMA_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mm/vma.h"

#define PG(n) ((unsigned long)(n) * PAGE_SIZE)
/* A free area of the default i386 layout, for MAP_FIXED tests. */
#define AREA 0x50000000UL

static const char vt_x86_64_machine[] =
	"name vt-x86_64\n"
	"arch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000007ffffff] usable\n";

/* A process made current on this CPU: uid 1000 without capabilities, or
 * root with all of them. */
static inline struct task_struct *vt_spawn(struct machine *m, bool privileged)
{
	struct mmkit_exec_layout l = { .privileged = privileged };
	struct task_struct *tsk = mmkit_spawn(m, "vt", &l);

	assert_non_null(tsk);
	mmkit_set_current(m, tsk);
	return tsk;
}

/* Boot the default machine (i386, 128 MiB) and run an unprivileged process. */
static inline struct machine *vt_boot(void)
{
	struct machine *m = test_boot_default();

	vt_spawn(m, false);
	return m;
}

/* Check the invariants, exit every task (all VMAs must go) and destroy. */
static inline void vt_done(struct machine *m)
{
	assert_clean(m);
	while (m->sched.nr_tasks) {
		struct task_struct *tsk = list_first_entry(&m->sched.tasks, struct task_struct, tasks);

		mmkit_exit(m, tsk, 0);
	}
	assert_int_equal(m->vm.vm_committed_as, m->vm.vm_committed_leaked);
	assert_true(list_empty(&m->vm.mm_list));
	assert_int_equal(m->vm.nr_vmas, 0);	/* every VMA went back to its cache */
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static inline struct mm_struct *vt_mm(struct machine *m)
{
	return get_current(m)->mm;
}

static inline struct vm_area_struct *vt_vma(struct machine *m, unsigned long addr)
{
	return vma_lookup(m, vt_mm(m), addr);
}

/* "start-end perms" for each VMA overlapping [lo, hi), one per line. */
static inline char *vt_layout(struct machine *m, unsigned long lo, unsigned long hi)
{
	char *buf = calloc(1, 1 << 16);
	size_t n = 0;

	assert_non_null(buf);
	for (struct vm_area_struct *v = vt_mm(m)->mmap; v; v = v->vm_next) {
		if (v->vm_end <= lo || v->vm_start >= hi)
			continue;
		n += (size_t)snprintf(buf + n, (1 << 16) - n, "%lx-%lx %c%c%c%c\n", v->vm_start,
				      v->vm_end, v->vm_flags & VM_READ ? 'r' : '-',
				      v->vm_flags & VM_WRITE ? 'w' : '-',
				      v->vm_flags & VM_EXEC ? 'x' : '-',
				      v->vm_flags & VM_MAYSHARE ? 's' : 'p');
	}
	return buf;
}

#define assert_layout(m, lo, hi, expected)                                            \
	do {                                                                          \
		char *__l = vt_layout(m, lo, hi);                                     \
		if (strcmp(__l, expected))                                            \
			fprintf(stderr, "layout:\n%sexpected:\n%s", __l, expected);   \
		assert_string_equal(__l, expected);                                   \
		free(__l);                                                            \
	} while (0)

/* mmap shorthands */
static inline long vt_map(struct machine *m, unsigned long addr, unsigned long len,
			  unsigned long prot, unsigned long flags)
{
	return sys_mmap(m, addr, len, prot, flags | MAP_ANONYMOUS, (unsigned long)-1, 0);
}

static inline long vt_map_fixed(struct machine *m, unsigned long addr, unsigned long len,
				unsigned long prot)
{
	return vt_map(m, addr, len, prot, MAP_PRIVATE | MAP_FIXED);
}

#define RW (PROT_READ | PROT_WRITE)

#endif
