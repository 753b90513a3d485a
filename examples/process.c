/* A simulated process: map memory, touch it through the MMU (demand-zero
 * fault), fork (copy-on-write), let the child write its own copy, and
 * check that the parent still sees its data. Exits 1 if mmkit did not
 * behave as Linux does. Built as example_process and run by ctest.
 *
 *   build/release/example_process */
#include <stdio.h>
#include <string.h>

#include <mmkit/mman.h>
#include <mmkit/mmkit.h>
#include <mmkit/mmu.h>
#include <mmkit/sched.h>

int main(void)
{
	struct machine_desc d;
	struct machine *m;
	struct task_struct *p, *c;
	char buf[6] = "";
	int status = -1;
	pid_t cpid;
	long a;

	mmkit_desc_default(&d);
	m = mmkit_machine_create(&d);
	if (!m || mmkit_boot(m))
		return 1;
	p = mmkit_spawn(m, "demo", NULL);	/* text, data, heap, stack */
	mmkit_set_current(m, p);		/* load its pgd into CR3 */
	a = sys_mmap(m, 0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mmkit_write(m, a, "hello", 6);		/* page fault: a zeroed page */
	c = mmkit_fork(m, p);			/* both PTEs now read-only */
	mmkit_set_current(m, c);
	mmkit_write(m, a, "child", 6);		/* COW fault: the child's own copy */
	cpid = c->pid;
	mmkit_exit(m, c, 0);			/* a zombie until the parent waits */
	mmkit_set_current(m, p);
	mmkit_read(m, a, buf, 6);
	mmkit_wait(m, cpid, &status);
	printf("parent reads \"%s\" at %#lx; child %d exited with status %d\n", buf, a, cpid,
	       status);
	mmkit_machine_destroy(m);
	return strcmp(buf, "hello") != 0 || status != 0;
}
