/* fork, clone and exec (src/kernel/fork.c, src/mm/memory_copy.c,
 * src/kernel/exec.c): the child's copy of the address space, copy-on-write
 * sharing of private pages (write-protected in BOTH parent and child),
 * shared mappings, VM_DONTCOPY / VM_WIPEONFORK / VM_LOCKED, commit
 * accounting, threads sharing the mm, exec replacing it. Pages are touched
 * through the software MMU as a program would. */
#include <sys/wait.h>

#include "fault_test.h"

static void put_byte(struct machine *m, struct task_struct *tsk, unsigned long addr, char c)
{
	mmkit_set_current(m, tsk);
	assert_int_equal(mmkit_write(m, addr, &c, 1), 0);
}

static char get_byte(struct machine *m, struct task_struct *tsk, unsigned long addr)
{
	char c = 0;

	mmkit_set_current(m, tsk);
	assert_int_equal(mmkit_read(m, addr, &c, 1), 0);
	return c;
}

static pte_t pte_of(struct machine *m, struct task_struct *tsk, unsigned long addr)
{
	ptep_t *ptep = pte_offset_user(m, tsk->mm, addr);

	return ptep ? ptep_get(m, ptep) : __pte(0);
}

/* After fork, a written private page:
 *   parent pte: present, read-only     child pte: present, read-only, old
 *   page: mapcount 2, refcount 2       child rss: MM_ANONPAGES + 1 */
static void test_fork_write_protects_private_pages_in_both(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(2), RW, MAP_PRIVATE);
	struct page *page;

	(void)state;
	put_byte(m, parent, addr, 'p');
	assert_true(pte_write(pte_of(m, parent, addr)));
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_int_not_equal(child->pid, parent->pid);
	assert_string_equal(child->comm, parent->comm);
	assert_ptr_not_equal(child->mm, parent->mm);
	assert_false(pte_write(pte_of(m, parent, addr)));
	assert_false(pte_write(pte_of(m, child, addr)));
	assert_false(pte_young(pte_of(m, child, addr)));
	assert_int_equal(pte_pfn(pte_of(m, parent, addr)), pte_pfn(pte_of(m, child, addr)));
	page = pte_page(m, pte_of(m, parent, addr));
	assert_int_equal(page_mapcount(page), 2);
	assert_int_equal(page_count(page), 2);
	assert_int_equal(get_mm_counter(child->mm, MM_ANONPAGES),
			 get_mm_counter(parent->mm, MM_ANONPAGES));
	assert_int_equal(child->mm->total_vm, parent->mm->total_vm);
	assert_int_equal(child->mm->map_count, parent->mm->map_count);
	assert_int_equal(child->mm->brk, parent->mm->brk);
	mmkit_set_current(m, parent);
	vt_done(m);
}

/* A write after fork copies: each side sees its own data, the page the
 * other keeps drops to one mapper. */
static void test_fork_cow_gives_each_side_its_own_data(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);

	(void)state;
	put_byte(m, parent, addr, 'p');
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	put_byte(m, child, addr, 'c');
	assert_int_equal(get_byte(m, parent, addr), 'p');
	assert_int_equal(get_byte(m, child, addr), 'c');
	assert_int_not_equal(pte_pfn(pte_of(m, parent, addr)), pte_pfn(pte_of(m, child, addr)));
	assert_int_equal(page_mapcount(pte_page(m, pte_of(m, parent, addr))), 1);
	mmkit_set_current(m, parent);
	assert_clean(m);
	vt_done(m);
}

/* MAP_SHARED anonymous memory stays shared and writable: the parent's pte
 * keeps RW, and a write by either side is seen by the other. */
static void test_fork_shared_anon_stays_shared_and_writable(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_SHARED);

	(void)state;
	put_byte(m, parent, addr, 'p');
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_true(pte_write(pte_of(m, parent, addr)));
	assert_int_equal(get_byte(m, child, addr), 'p');
	put_byte(m, child, addr, 'c');
	assert_true(pte_write(pte_of(m, child, addr)));
	assert_int_equal(pte_pfn(pte_of(m, parent, addr)), pte_pfn(pte_of(m, child, addr)));
	assert_int_equal(get_byte(m, parent, addr), 'c');
	vt_done(m);
}

/* MADV_DONTFORK: the child has no VMA there and total_vm without it. */
static void test_fork_skips_dontcopy_vma(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(3), RW), (long)AREA);
	put_byte(m, parent, AREA, 'p');
	assert_int_equal(sys_madvise(m, AREA, PG(3), MADV_DONTFORK), 0);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_null(vma_lookup(m, child->mm, AREA));
	assert_int_equal(child->mm->total_vm, parent->mm->total_vm - 3);
	assert_int_equal(child->mm->data_vm, parent->mm->data_vm - 3);
	assert_int_equal(pte_val(pte_of(m, child, AREA)), 0);
	assert_true(pte_write(pte_of(m, parent, AREA)));	/* not shared: no COW */
	vt_done(m);
}

/* MADV_WIPEONFORK: the child gets the VMA empty (reads zero). */
static void test_fork_wipeonfork_vma_is_empty_in_child(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	put_byte(m, parent, AREA, 'p');
	assert_int_equal(sys_madvise(m, AREA, PG(1), MADV_WIPEONFORK), 0);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_non_null(vma_lookup(m, child->mm, AREA));
	assert_int_equal(pte_val(pte_of(m, child, AREA)), 0);
	assert_int_equal(get_byte(m, child, AREA), 0);
	assert_int_equal(get_byte(m, parent, AREA), 'p');
	vt_done(m);
}

/* Locks are not inherited: VM_LOCKED is cleared in the child, its
 * locked_vm is 0, and mlockall(MCL_FUTURE) does not carry over. */
static void test_fork_clears_vm_locked_in_child(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(2), RW), (long)AREA);
	assert_int_equal(sys_mlock(m, AREA, PG(2)), 0);
	assert_int_equal(sys_mlockall(m, MCL_FUTURE), 0);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_true(vma_lookup(m, parent->mm, AREA)->vm_flags & VM_LOCKED);
	assert_false(vma_lookup(m, child->mm, AREA)->vm_flags & VM_LOCKED);
	assert_int_equal(child->mm->locked_vm, 0);
	assert_false(child->mm->def_flags & VM_LOCKED);
	mmkit_set_current(m, parent);
	vt_done(m);
}

/* Each VM_ACCOUNT VMA is charged again for the child (Committed_AS). */
static void test_fork_charges_private_writable_memory_again(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long accounted = 0;
	long before;

	(void)state;
	vt_map(m, 0, PG(16), RW, MAP_PRIVATE);
	for (struct vm_area_struct *v = parent->mm->mmap; v; v = v->vm_next)
		if ((v->vm_flags & (VM_ACCOUNT | VM_DONTCOPY)) == VM_ACCOUNT)
			accounted += vma_pages(v);
	before = m->vm.vm_committed_as;
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	assert_int_equal(m->vm.vm_committed_as - before, (long)accounted);
	mmkit_exit(m, child, 0);
	assert_int_equal(m->vm.vm_committed_as, before);
	vt_done(m);
}

/* clone(CLONE_VM): one mm, two users; the thread's exit keeps it. */
static void test_clone_vm_shares_mm_and_thread_exit_keeps_it(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *thread;
	unsigned long addr = (unsigned long)vt_map(m, 0, PG(1), RW, MAP_PRIVATE);
	unsigned long flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;

	(void)state;
	thread = mmkit_clone(m, parent, flags);
	assert_non_null(thread);
	assert_ptr_equal(thread->mm, parent->mm);
	assert_int_equal(parent->mm->mm_users, 2);
	assert_int_equal(thread->tgid, parent->tgid);
	assert_int_not_equal(thread->pid, parent->pid);
	put_byte(m, thread, addr, 't');
	assert_true(pte_write(pte_of(m, parent, addr)));	/* no COW between threads */
	assert_int_equal(get_byte(m, parent, addr), 't');
	mmkit_set_current(m, thread);
	do_exit(m, thread, 0);
	assert_null(get_current(m));
	assert_int_equal(parent->mm->mm_users, 1);
	assert_int_equal(get_byte(m, parent, addr), 't');
	assert_int_equal(mmkit_wait(m, -1, NULL), -ECHILD);	/* threads are not waited for */
	vt_done(m);
}

/* clone's flag rules, as copy_process checks them. */
static void test_clone_rejects_thread_without_sighand_or_vm(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m);

	(void)state;
	assert_int_equal(kernel_clone(m, parent, CLONE_VM | CLONE_THREAD), -EINVAL);
	assert_int_equal(kernel_clone(m, parent, CLONE_SIGHAND), -EINVAL);
	assert_int_equal(m->sched.nr_tasks, 1);
	vt_done(m);
}

/* exec: a new mm with the default image, the old one gone with its pages. */
static void test_exec_replaces_the_address_space(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *tsk = get_current(m);
	struct mm_struct *old = tsk->mm;
	char *maps;

	(void)state;
	vt_map_fixed(m, AREA, PG(2), RW);
	put_byte(m, tsk, AREA, 'x');
	assert_int_equal(mmkit_exec(m, tsk, "newprog", NULL), 0);
	assert_ptr_not_equal(tsk->mm, old);
	assert_string_equal(tsk->comm, "newprog");
	assert_null(vma_lookup(m, tsk->mm, AREA));
	assert_int_equal(get_mm_rss(tsk->mm), 0);
	assert_ptr_equal(get_current(m), tsk);
	maps = test_proc(m, "/proc/self/maps");
	assert_string_equal(maps, "08048000-08050000 r-xp 00000000 00:00 0 \n"
				  "08050000-08051000 rw-p 00000000 00:00 0 \n"
				  "bffdf000-c0000000 rw-p 00000000 00:00 0          [stack]\n");
	free(maps);
	vt_done(m);
}

/* exec by a process sharing its mm with a CLONE_VM child leaves the child
 * the old mm. */
static void test_exec_drops_only_its_reference_to_a_shared_mm(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	struct mm_struct *old = parent->mm;

	(void)state;
	child = mmkit_clone(m, parent, CLONE_VM | SIGCHLD);
	assert_non_null(child);
	assert_int_equal(old->mm_users, 2);
	assert_int_equal(mmkit_exec(m, child, NULL, NULL), 0);
	assert_ptr_equal(parent->mm, old);
	assert_int_equal(old->mm_users, 1);
	assert_ptr_not_equal(child->mm, old);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_write_protects_private_pages_in_both),
		cmocka_unit_test(test_fork_cow_gives_each_side_its_own_data),
		cmocka_unit_test(test_fork_shared_anon_stays_shared_and_writable),
		cmocka_unit_test(test_fork_skips_dontcopy_vma),
		cmocka_unit_test(test_fork_wipeonfork_vma_is_empty_in_child),
		cmocka_unit_test(test_fork_clears_vm_locked_in_child),
		cmocka_unit_test(test_fork_charges_private_writable_memory_again),
		cmocka_unit_test(test_clone_vm_shares_mm_and_thread_exit_keeps_it),
		cmocka_unit_test(test_clone_rejects_thread_without_sighand_or_vm),
		cmocka_unit_test(test_exec_replaces_the_address_space),
		cmocka_unit_test(test_exec_drops_only_its_reference_to_a_shared_mm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
