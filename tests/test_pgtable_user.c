/* User page tables (src/mm/pgtable_user.c): what a new process's pgd holds
 * and what VmPTE and NR_PAGETABLE count, per format. PAE preallocates the
 * user pmd tables with the pgd, as Linux's pgd_alloc does (the CPU loads
 * all PDPTEs at a CR3 write); 2-level and 4-level allocate every table on
 * the first fault that needs it. */
#include <stdio.h>
#include <string.h>

#include "fault_test.h"

/* VmPTE of the current task, in kB, from /proc/self/status. */
static unsigned long vmpte_kb(struct machine *m)
{
	char *text = test_proc(m, "/proc/self/status");
	char *line = strstr(text, "VmPTE:");
	unsigned long kb;

	assert_non_null(line);
	kb = strtoul(line + strlen("VmPTE:"), NULL, 10);
	free(text);
	return kb;
}

static struct task_struct *spawn_on(struct machine *m)
{
	struct task_struct *tsk = mmkit_spawn(m, "pt", NULL);

	assert_non_null(tsk);
	mmkit_set_current(m, tsk);
	return tsk;
}

static void test_pae_pgd_comes_with_three_user_pmds(void **state)
{
	struct machine *m = test_boot_example("pc-i386-pae-8g");
	struct task_struct *tsk;
	unsigned long tables = m->node.vm_stat[NR_PAGETABLE];

	(void)state;
	tsk = spawn_on(m);
	assert_int_equal(vmpte_kb(m), 12);
	assert_int_equal(m->node.vm_stat[NR_PAGETABLE], tables + 3);
	for (unsigned int i = 0; i < 3; i++) {
		u64 pdpte = pt_read(m, m->ram + tsk->mm->pgd + i * 8);

		assert_int_equal(pdpte & 0xfff, _PAGE_PRESENT);	/* a PDPTE carries only P */
	}
	mmkit_exit(m, tsk, 0);
	assert_int_equal(m->node.vm_stat[NR_PAGETABLE], tables);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_x86_64_and_2level_pgds_start_empty(void **state)
{
	const char *machines[] = { "pc-x86_64-16g", "pc-i386-64m" };

	(void)state;
	for (unsigned int i = 0; i < 2; i++) {
		struct machine *m = test_boot_example(machines[i]);
		struct task_struct *tsk = spawn_on(m);

		assert_int_equal(vmpte_kb(m), 0);
		poke(m, tsk->mm->start_data, 1);	/* one fault: the tables down to a pte table */
		assert_true(vmpte_kb(m) >= 4);
		mmkit_exit(m, tsk, 0);
		assert_clean(m);
		mmkit_machine_destroy(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pae_pgd_comes_with_three_user_pmds),
		cmocka_unit_test(test_x86_64_and_2level_pgds_start_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
