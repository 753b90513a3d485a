/* Security of the model (issue 7): a user process never reads or writes
 * kernel memory or another process's pages, whatever it passes; and
 * regression scenarios for three classic Linux mm bugs, each showing how
 * mmkit behaves correctly:
 *
 *  - CVE-2020-29374 (COW after fork leaks the parent's later writes
 *    through a read-only GUP pin taken by the child, e.g. with vmsplice):
 *    do_wp_page reused a page whose mapcount was 1 although a pin held
 *    another reference. mmkit reuses only when the refcount is 1.
 *  - CVE-2016-5195 "Dirty COW": a FOLL_FORCE write (/proc/self/mem) to a
 *    read-only private mapping, raced with MADV_DONTNEED, ended up
 *    writing the original page. mmkit's GUP only follows a read-only pte
 *    for a FOLL_FORCE write when the page is already exclusively ours
 *    (can_follow_write_pte), so every retry after a DONTNEED faults a new
 *    private page again.
 *  - StackRot, CVE-2023-3269: stack expansion under the mmap lock held
 *    only for reading let a concurrent munmap free a VMA that a fault was
 *    still using. mmkit drops the read lock, takes it for writing and
 *    looks the VMA up again before expanding.
 *
 * The races are modelled by interleaving the other thread's step
 * deterministically through m->test_hook. */
#include <sys/wait.h>

#include "fault_test.h"
#include "mm/gup.h"

/* ---- user accesses never reach kernel memory ---- */

/* A kernel object's x86 virtual address and the bytes behind it. */
struct kobj {
	u8 *p;
	unsigned long va;
};

static struct kobj kernel_secret(struct machine *m)
{
	struct kobj k;

	k.p = kmalloc(m, 64, GFP_KERNEL);
	assert_non_null(k.p);
	memset(k.p, 0x5a, 64);
	k.va = (unsigned long)kernel_va(m, k.p);
	return k;
}

static void assert_secret_intact(struct machine *m, struct kobj k)
{
	for (int i = 0; i < 64; i++)
		assert_int_equal(k.p[i], 0x5a);
	kfree(m, k.p);
}

/* mmkit_read/mmkit_write of kernel addresses fault with SIGSEGV: no byte
 * of the kernel is read or changed. */
static void run_user_access_of_kernel_memory_faults(struct machine *m)
{
	struct task_struct *t = vt_spawn(m, false);
	struct kobj k = kernel_secret(m);
	struct ft_caught c = { 0 };
	unsigned long ts = t->mm->task_size;
	u8 buf[64];
	const unsigned long addrs[] = { k.va, ts, ts + 4096, -1UL - 63, m->arch.page_offset };

	assert_int_equal(mmkit_sigaction(m, t, SIGSEGV, ft_handler, &c), 0);
	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
		memset(buf, 0, sizeof(buf));
		assert_int_equal(mmkit_read(m, addrs[i], buf, sizeof(buf)), -EFAULT);
		for (size_t j = 0; j < sizeof(buf); j++)
			assert_int_equal(buf[j], 0);
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(mmkit_write(m, addrs[i], buf, sizeof(buf)), -EFAULT);
		assert_int_equal(c.info.signo, SIGSEGV);
	}
	assert_int_equal(c.calls, 2 * (int)ARRAY_SIZE(addrs));
	assert_secret_intact(m, k);
	vt_done(m);
}

static void test_user_access_of_kernel_memory_faults_i386(void **state)
{
	(void)state;
	run_user_access_of_kernel_memory_faults(test_boot_default());
}

static void test_user_access_of_kernel_memory_faults_x86_64(void **state)
{
	(void)state;
	run_user_access_of_kernel_memory_faults(test_boot_text(vt_x86_64_machine));
}

/* An access that starts in user memory and runs over TASK_SIZE stops at
 * the boundary: the user page is read, the kernel page is not. */
static void test_access_across_task_size_stops_at_the_boundary(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *t = vt_spawn(m, false);
	unsigned long ts = t->mm->task_size;
	struct ft_caught c = { 0 };
	u8 buf[2 * 4096];

	(void)state;
	assert_int_equal(mmkit_sigaction(m, t, SIGSEGV, ft_handler, &c), 0);
	/* the page below TASK_SIZE is the top of the stack area: map it */
	sys_munmap(m, ts - PG(1), PG(1));
	assert_int_equal(vt_map_fixed(m, ts - PG(1), PG(1), RW), (long)(ts - PG(1)));
	assert_int_equal(mmkit_read(m, ts - PG(1), buf, sizeof(buf)), -EFAULT);
	assert_int_equal(c.info.addr, ts);
	assert_int_equal(c.info.code, SEGV_MAPERR);
	/* i386 linear addresses wrap: 0xfffffff0 + 32 wraps to page 0, which
	 * is not mapped either; nothing of the kernel in between is read */
	assert_int_equal(mmkit_read(m, 0xfffffff0UL, buf, 32), -EFAULT);
	vt_done(m);
}

/* copy_from_user/copy_to_user of kernel addresses or wrapping ranges copy
 * nothing (access_ok refuses: EFAULT for their callers), zero the kernel
 * buffer, send no signal and leave kernel memory alone. */
static void test_copy_user_of_kernel_addresses_is_efault(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *t = vt_spawn(m, false);
	struct kobj k = kernel_secret(m);
	unsigned long ts = t->mm->task_size;
	u8 buf[64];

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	memset(buf, 1, sizeof(buf));
	assert_int_equal(copy_from_user(m, buf, k.va, sizeof(buf)), sizeof(buf));
	for (size_t j = 0; j < sizeof(buf); j++)
		assert_int_equal(buf[j], 0);	/* zero-filled, never the secret */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(copy_to_user(m, k.va, buf, sizeof(buf)), sizeof(buf));
	assert_int_equal(copy_to_user(m, ts - 8, buf, 16), 16);
	/* addr + n wraps past the top of the address space */
	assert_int_equal(copy_from_user(m, buf, -16UL, 32), 32);
	assert_int_equal(copy_to_user(m, -16UL, buf, 32), 32);
	assert_false(access_ok(m, AREA, -1UL));
	assert_false(access_ok(m, ts - 8, 16));
	assert_false(access_ok(m, k.va, 1));
	assert_true(access_ok(m, AREA, PG(1)));
	assert_int_equal(m->signal.nr_fatal[SIGSEGV], 0);
	assert_non_null(find_task_by_pid(m, t->pid));
	assert_secret_intact(m, k);
	vt_done(m);
}

/* The memory syscalls refuse kernel ranges and wrapping lengths with
 * Linux's errno and change nothing there. */
static void test_syscalls_refuse_kernel_ranges(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *t = vt_spawn(m, false);
	unsigned long ts = t->mm->task_size;
	struct kobj k = kernel_secret(m);

	(void)state;
	assert_int_equal(vt_map_fixed(m, ts, PG(1), RW), -ENOMEM);
	assert_int_equal(vt_map_fixed(m, ts - PG(1), PG(2), RW), -ENOMEM);
	assert_int_equal(vt_map_fixed(m, k.va & PAGE_MASK, PG(1), RW), -ENOMEM);
	assert_int_equal(sys_munmap(m, ts, PG(1)), -EINVAL);
	assert_int_equal(sys_munmap(m, k.va & PAGE_MASK, PG(1)), -EINVAL);
	assert_int_equal(sys_munmap(m, AREA, -PG(1)), -EINVAL);
	assert_int_equal(sys_mprotect(m, ts, PG(1), PROT_READ | PROT_WRITE), -ENOMEM);
	assert_int_equal(sys_mprotect(m, AREA, -PG(1), PROT_READ), -ENOMEM);
	assert_true(sys_madvise(m, k.va & PAGE_MASK, PG(1), MADV_DONTNEED) < 0);
	assert_int_equal(sys_madvise(m, AREA, -PG(1), MADV_DONTNEED), -EINVAL);
	assert_int_equal(sys_mlock(m, ts, PG(1)), -ENOMEM);
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	assert_int_equal(sys_mremap(m, AREA, PG(1), PG(2), MREMAP_MAYMOVE | MREMAP_FIXED,
				    ts - PG(1)), -EINVAL);
	assert_int_equal(sys_mremap(m, AREA, PG(1), -PG(1), MREMAP_MAYMOVE, 0), -EINVAL);	/* new_len > TASK_SIZE */
	assert_int_equal(sys_brk(m, ts + PG(1)), (long)t->mm->brk);	/* refused: old break */
	assert_secret_intact(m, k);
	vt_done(m);
}

/* Another process's pages: not mapped in us (SIGSEGV), and memory a
 * process freed reaches the next one zeroed. */
static void test_other_process_pages_are_unreachable(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *a = vt_spawn(m, false), *b;
	struct ft_caught c = { 0 };
	char secret[32] = "the secret of process a", got[32];

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(64), RW), (long)AREA);
	for (int i = 0; i < 64; i++)
		assert_int_equal(mmkit_write(m, AREA + PG(i), secret, sizeof(secret)), 0);
	b = vt_spawn(m, false);
	assert_int_equal(mmkit_sigaction(m, b, SIGSEGV, ft_handler, &c), 0);
	assert_int_equal(mmkit_read(m, AREA, got, sizeof(got)), -EFAULT);
	assert_int_equal(c.info.code, SEGV_MAPERR);
	mmkit_exit(m, a, 0);	/* its 64 pages go back to the allocator */
	mmkit_set_current(m, b);
	assert_int_equal(vt_map_fixed(m, AREA, PG(256), RW), (long)AREA);
	for (int i = 0; i < 256; i++) {
		memset(got, 1, sizeof(got));
		assert_int_equal(mmkit_read(m, AREA + PG(i), got, sizeof(got)), 0);
		for (size_t j = 0; j < sizeof(got); j++)
			assert_int_equal(got[j], 0);
	}
	vt_done(m);
}

/* ---- CVE-2020-29374: COW after fork with a read-only pin ---- */

static void page_bytes(struct machine *m, struct page *p, char *out, size_t n)
{
	memcpy(out, phys_to_host(m, page_to_phys(m, p)), n);
}

/* The child pins the page it shares with its parent (read-only, as
 * vmsplice does) and unmaps its own mapping; the parent then writes. The
 * page now has one mapper but two references: the parent must copy, so
 * the pinned page keeps the old bytes and never shows the parent's new
 * ones. */
static void test_cve_2020_29374_pin_does_not_see_parent_writes(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *parent = vt_spawn(m, false), *child;
	struct page *pinned;
	char buf[16];

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	assert_int_equal(mmkit_write(m, AREA, "old data", 9), 0);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	assert_int_equal(pin_user_pages(m, AREA, 1, 0, &pinned), 1);
	assert_true(page_maybe_dma_pinned(pinned));
	assert_int_equal(sys_munmap(m, AREA, PG(1)), 0);	/* or MADV_DONTNEED */
	assert_int_equal(page_mapcount(pinned), 1);		/* the parent's pte alone */
	assert_clean(m);					/* the pin is accounted */
	mmkit_set_current(m, parent);
	assert_int_equal(mmkit_write(m, AREA, "new secret", 11), 0);
	assert_ptr_not_equal(ft_page(m, AREA), pinned);		/* COW copied: no reuse */
	page_bytes(m, pinned, buf, 9);
	assert_string_equal(buf, "old data");
	assert_int_equal(mmkit_read(m, AREA, buf, 11), 0);
	assert_string_equal(buf, "new secret");
	mmkit_set_current(m, child);
	unpin_user_page(m, pinned);	/* the last reference: the page is freed */
	assert_int_equal(m->gup.nr, 0);
	mmkit_set_current(m, parent);
	vt_done(m);
}

/* Without a pin the same sequence reuses the page (refcount 1): the fix
 * costs nothing in the common case. */
static void test_cow_reuses_page_without_extra_references(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *parent = vt_spawn(m, false), *child;
	struct page *p;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	poke(m, AREA, 'a');
	p = ft_page(m, AREA);
	child = mmkit_fork(m, parent);
	mmkit_set_current(m, child);
	assert_int_equal(sys_munmap(m, AREA, PG(1)), 0);
	mmkit_set_current(m, parent);
	poke(m, AREA, 'b');
	assert_ptr_equal(ft_page(m, AREA), p);
	vt_done(m);
}

/* A get_user_pages reference (FOLL_GET) blocks reuse the same way. */
static void test_gup_reference_blocks_cow_reuse(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *t = vt_spawn(m, false);
	struct page *p;

	(void)state;
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), PROT_READ), (long)AREA);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), RW), 0);
	poke(m, AREA, 'x');
	assert_int_equal(get_user_pages(m, AREA, 1, 0, &p), 1);
	assert_int_equal(page_count(p), 2);
	assert_int_equal(gup_refs(m, p), 1);
	assert_clean(m);
	put_user_page_ref(m, p);
	assert_int_equal(page_count(p), 1);
	(void)t;
	vt_done(m);
}

/* GUP refuses what the VMA forbids unless FOLL_FORCE, as Linux does. */
static void test_gup_checks_vma_flags(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p;

	(void)state;
	vt_spawn(m, false);
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), PROT_READ), (long)AREA);
	assert_int_equal(vt_map_fixed(m, AREA + PG(1), PG(1), PROT_NONE), (long)(AREA + PG(1)));
	assert_int_equal(get_user_pages(m, AREA, 1, FOLL_WRITE, &p), -EFAULT);
	assert_int_equal(get_user_pages(m, AREA + PG(1), 1, 0, &p), -EFAULT);
	assert_int_equal(get_user_pages(m, AREA + PG(2), 1, 0, &p), -EFAULT);	/* no VMA */
	assert_int_equal(get_user_pages(m, AREA + 1, 1, 0, &p), -EINVAL);
	assert_int_equal(pin_user_pages(m, AREA, 1, FOLL_GET, &p), -EINVAL);
	assert_int_equal(get_user_pages(m, AREA, 1, 0, &p), 1);	/* the zero page */
	put_user_page_ref(m, p);
	vt_done(m);
}

/* ---- CVE-2016-5195: Dirty COW ---- */

struct dirtycow {
	unsigned long addr;
	int rounds;		/* DONTNEEDs left to race in */
	int ran;
};

/* The racing thread: MADV_DONTNEED drops the private copy between the
 * write fault and GUP's retry. */
static void dirtycow_madvise(struct machine *m, int where, void *arg)
{
	struct dirtycow *d = arg;

	if (where != MMKIT_HOOK_GUP_RETRY || d->rounds == 0)
		return;
	d->rounds--;
	d->ran++;
	assert_int_equal(sys_madvise(m, d->addr, PG(1), MADV_DONTNEED), 0);
}

/* The parent's page (standing for a read-only file's page cache) is
 * shared with the child, which has it mapped read-only and private. The
 * child writes it with FOLL_FORCE (what /proc/self/mem does) while its
 * other thread keeps calling MADV_DONTNEED: the write lands in a private
 * page of the child, the original never changes. */
static void run_dirty_cow(int rounds)
{
	struct machine *m = test_boot_default();
	struct task_struct *parent = vt_spawn(m, false), *child;
	struct dirtycow d = { .addr = AREA, .rounds = rounds };
	struct page *orig, *got;
	char buf[16];

	assert_int_equal(vt_map_fixed(m, AREA, PG(1), RW), (long)AREA);
	assert_int_equal(mmkit_write(m, AREA, "ROOT:x:0:0", 11), 0);
	assert_int_equal(sys_mprotect(m, AREA, PG(1), PROT_READ), 0);
	orig = ft_page(m, AREA);
	child = mmkit_fork(m, parent);
	mmkit_set_current(m, child);
	m->test_hook = dirtycow_madvise;
	m->test_hook_arg = &d;
	assert_int_equal(get_user_pages(m, AREA, 1, FOLL_WRITE | FOLL_FORCE, &got), 1);
	m->test_hook = NULL;
	assert_int_equal(d.ran, rounds);
	assert_ptr_not_equal(got, orig);
	memcpy(phys_to_host(m, page_to_phys(m, got)), "EVIL:x:0:0", 11);
	put_user_page_ref(m, got);
	/* the child sees its private copy; its mapping stays read-only */
	assert_int_equal(mmkit_read(m, AREA, buf, 11), 0);
	assert_string_equal(buf, "EVIL:x:0:0");
	assert_false(pte_write(ft_pte(m, AREA)));
	/* the original page and the parent never change */
	page_bytes(m, orig, buf, 11);
	assert_string_equal(buf, "ROOT:x:0:0");
	mmkit_set_current(m, parent);
	assert_ptr_equal(ft_page(m, AREA), orig);
	assert_int_equal(mmkit_read(m, AREA, buf, 11), 0);
	assert_string_equal(buf, "ROOT:x:0:0");
	assert_clean(m);
	vt_done(m);
}

static void test_cve_2016_5195_force_write_cows(void **state)
{
	(void)state;
	run_dirty_cow(0);
}

static void test_cve_2016_5195_force_write_raced_with_dontneed(void **state)
{
	(void)state;
	run_dirty_cow(3);
}

/* A plain (non-FOLL_FORCE) write GUP of a read-only mapping is refused. */
static void test_gup_write_without_force_is_efault(void **state)
{
	struct machine *m = test_boot_default();
	struct page *p;

	(void)state;
	vt_spawn(m, false);
	assert_int_equal(vt_map_fixed(m, AREA, PG(1), PROT_READ), (long)AREA);
	assert_int_equal(get_user_pages(m, AREA, 1, FOLL_WRITE, &p), -EFAULT);
	vt_done(m);
}

/* ---- CVE-2023-3269: StackRot ---- */

struct stackrot {
	unsigned long stack_start;
	int unlocked_calls, locked_calls;
	int lock_count_locked;	/* mmap_lock.count seen while expanding */
	bool unmap;
};

static void stackrot_hook(struct machine *m, int where, void *arg)
{
	struct stackrot *s = arg;
	struct mm_struct *mm = get_current(m)->mm;

	if (where == MMKIT_HOOK_STACK_UNLOCKED) {
		s->unlocked_calls++;
		/* the fault holds no mmap lock here: another thread may munmap */
		assert_int_equal(mm->mmap_lock.count, 0);
		if (s->unmap)
			assert_int_equal(sys_munmap(m, s->stack_start, PG(1)), 0);
	} else if (where == MMKIT_HOOK_STACK_LOCKED) {
		s->locked_calls++;
		s->lock_count_locked = mm->mmap_lock.count;
	}
}

/* Growing the stack on a fault happens with the mmap lock held for
 * writing (count -1), never under the read lock. */
static void test_cve_2023_3269_stack_expansion_takes_write_lock(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *t = vt_spawn(m, false);
	struct vm_area_struct *stack = vt_vma(m, t->mm->start_stack);
	struct stackrot s = { .stack_start = stack->vm_start };
	unsigned long below = stack->vm_start - PG(2);

	(void)state;
	m->test_hook = stackrot_hook;
	m->test_hook_arg = &s;
	poke(m, below, 's');
	m->test_hook = NULL;
	assert_int_equal(s.unlocked_calls, 1);
	assert_int_equal(s.locked_calls, 1);
	assert_int_equal(s.lock_count_locked, -1);
	assert_int_equal(vt_vma(m, below)->vm_start, below);
	assert_int_equal(t->mm->mmap_lock.count, 0);
	vt_done(m);
}

/* Another thread unmaps the stack between the fault's read lock and its
 * write lock: the fault looks the VMA up again, finds none, and fails
 * with SIGSEGV (SEGV_MAPERR); the freed VMA is never used or grown. */
static void test_cve_2023_3269_fault_never_uses_unmapped_stack_vma(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *t = vt_spawn(m, false);
	struct vm_area_struct *stack = vt_vma(m, t->mm->start_stack);
	unsigned long start = stack->vm_start, end = stack->vm_end;
	struct stackrot s = { .unmap = true };
	struct ft_caught c = { 0 };
	unsigned long nr_vmas;
	char x = 0;

	(void)state;
	/* unmap all of the stack VMA in the hook */
	assert_int_equal(mmkit_sigaction(m, t, SIGSEGV, ft_handler, &c), 0);
	s.stack_start = start;
	m->test_hook = stackrot_hook;
	m->test_hook_arg = &s;
	/* the hook unmaps the first page only; then the whole VMA */
	s.unmap = false;
	m->test_hook = NULL;
	assert_int_equal(sys_munmap(m, start + PG(1), end - start - PG(1)), 0);
	nr_vmas = (unsigned long)t->mm->map_count;
	s.unmap = true;
	m->test_hook = stackrot_hook;
	assert_int_equal(mmkit_read(m, start - PG(1), &x, 1), -EFAULT);
	m->test_hook = NULL;
	assert_int_equal(s.unlocked_calls, 1);
	assert_int_equal(s.locked_calls, 0);	/* no VMA found again: nothing expanded */
	assert_int_equal(c.calls, 1);
	assert_int_equal(c.info.code, SEGV_MAPERR);
	assert_int_equal(c.info.addr, start - PG(1));
	assert_null(vt_vma(m, start - PG(1)));
	assert_null(vt_vma(m, start));
	assert_int_equal((unsigned long)t->mm->map_count, nr_vmas - 1);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_access_of_kernel_memory_faults_i386),
		cmocka_unit_test(test_user_access_of_kernel_memory_faults_x86_64),
		cmocka_unit_test(test_access_across_task_size_stops_at_the_boundary),
		cmocka_unit_test(test_copy_user_of_kernel_addresses_is_efault),
		cmocka_unit_test(test_syscalls_refuse_kernel_ranges),
		cmocka_unit_test(test_other_process_pages_are_unreachable),
		cmocka_unit_test(test_cve_2020_29374_pin_does_not_see_parent_writes),
		cmocka_unit_test(test_cow_reuses_page_without_extra_references),
		cmocka_unit_test(test_gup_reference_blocks_cow_reuse),
		cmocka_unit_test(test_gup_checks_vma_flags),
		cmocka_unit_test(test_cve_2016_5195_force_write_cows),
		cmocka_unit_test(test_cve_2016_5195_force_write_raced_with_dontneed),
		cmocka_unit_test(test_gup_write_without_force_is_efault),
		cmocka_unit_test(test_cve_2023_3269_stack_expansion_takes_write_lock),
		cmocka_unit_test(test_cve_2023_3269_fault_never_uses_unmapped_stack_vma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
