/* The OOM killer (src/mm/oom_kill.c): oom_badness as Linux 6.x computes
 * it, /proc/PID/oom_score and oom_score_adj, the victim (the largest
 * process, OOM_SCORE_ADJ_MIN never), Linux's "Killed process" line, the
 * victim's memory all freed, and the machine running on. The machine has
 * no swap: anonymous memory cannot be reclaimed, so running out of it
 * ends in the OOM killer. */
#include <limits.h>

#include "fault_test.h"

#include "mm/internal_vmscan.h"

/* 32 MiB, i386: ZONE_DMA and 16 MiB of ZONE_NORMAL. */
static const char oom_machine[] =
	"name oom-32m\n"
	"arch i386\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000001ffffff] usable\n";

#define BIG_AREA 0x10000000UL

static struct task_struct *spawn(struct machine *m, const char *comm, bool privileged)
{
	struct mmkit_exec_layout l = { .privileged = privileged };
	struct task_struct *tsk = mmkit_spawn(m, comm, &l);

	assert_non_null(tsk);
	mmkit_set_current(m, tsk);
	return tsk;
}

/* Map and write @pages pages of anonymous memory at BIG_AREA. */
static void touch_pages(struct machine *m, unsigned long pages)
{
	assert_int_equal(vt_map_fixed(m, BIG_AREA, PG(pages), RW), (long)BIG_AREA);
	for (unsigned long i = 0; i < pages; i++)
		poke(m, BIG_AREA + PG(i), (char)i);
}

static unsigned long totalpages(struct machine *m)
{
	return m->totalram_pages + (unsigned long)m->swap.total_swap_pages;
}

/* Linux's formula, written out: rss + swap entries + page-table pages,
 * plus oom_score_adj * (totalpages / 1000). */
static void test_oom_badness_is_linux_formula(void **state)
{
	struct machine *m = test_boot_text(oom_machine);
	struct task_struct *t = spawn(m, "proc", true);
	struct mm_struct *mm;
	long expect;

	(void)state;
	touch_pages(m, 100);
	mm = t->mm;
	expect = (long)(get_mm_rss(mm) + get_mm_counter(mm, MM_SWAPENTS) +
			mm->pgtables_bytes / PAGE_SIZE);
	assert_true(get_mm_rss(mm) >= 100);
	assert_int_equal(oom_badness(m, t, totalpages(m)), expect);
	assert_int_equal(mmkit_set_oom_score_adj(m, t, 500), 0);
	assert_int_equal(oom_badness(m, t, totalpages(m)),
			 expect + 500 * (long)(totalpages(m) / 1000));
	assert_int_equal(mmkit_set_oom_score_adj(m, t, -1000), 0);
	assert_true(oom_badness(m, t, totalpages(m)) == LONG_MIN);
	vt_done(m);
}

/* /proc/PID/oom_score: (1000 + badness * 1000 / totalpages) * 2 / 3;
 * /proc/PID/oom_score_adj: the value. */
static void test_proc_oom_score_and_adj(void **state)
{
	struct machine *m = test_boot_text(oom_machine);
	struct task_struct *t = spawn(m, "proc", true);
	char path[64], expect[32], *text;
	long badness;

	(void)state;
	touch_pages(m, 200);
	assert_int_equal(mmkit_set_oom_score_adj(m, t, 300), 0);
	badness = oom_badness(m, t, totalpages(m));
	snprintf(expect, sizeof(expect), "%ld\n",
		 (1000 + badness * 1000 / (long)totalpages(m)) * 2 / 3);
	snprintf(path, sizeof(path), "/proc/%d/oom_score", t->pid);
	text = test_proc(m, path);
	assert_string_equal(text, expect);
	free(text);
	snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", t->pid);
	text = test_proc(m, path);
	assert_string_equal(text, "300\n");
	free(text);
	assert_int_equal(mmkit_set_oom_score_adj(m, t, -1000), 0);
	snprintf(path, sizeof(path), "/proc/%d/oom_score", t->pid);
	text = test_proc(m, path);
	assert_string_equal(text, "0\n");
	free(text);
	vt_done(m);
}

/* -EINVAL outside -1000..1000; an unprivileged task may not lower it
 * below 0 (CAP_SYS_RESOURCE), but may raise it. */
static void test_oom_score_adj_limits(void **state)
{
	struct machine *m = test_boot_text(oom_machine);
	struct task_struct *t = spawn(m, "user", false);

	(void)state;
	assert_int_equal(mmkit_set_oom_score_adj(m, t, 1001), -EINVAL);
	assert_int_equal(mmkit_set_oom_score_adj(m, t, -1001), -EINVAL);
	assert_int_equal(mmkit_set_oom_score_adj(m, t, -1), -EACCES);
	assert_int_equal(mmkit_set_oom_score_adj(m, t, 100), 0);
	assert_int_equal(t->oom_score_adj, 100);
	vt_done(m);
}

/* The exact line __oom_kill_process prints for @t. */
static void expected_kill_line(char *buf, size_t size, struct task_struct *t)
{
	struct mm_struct *mm = t->mm;

	snprintf(buf, size,
		 "Out of memory: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB, "
		 "file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd\n",
		 t->pid, t->comm, mm->total_vm * 4, get_mm_counter(mm, MM_ANONPAGES) * 4,
		 get_mm_counter(mm, MM_FILEPAGES) * 4, get_mm_counter(mm, MM_SHMEMPAGES) * 4,
		 t->uid, mm->pgtables_bytes >> 10, t->oom_score_adj);
}

/* Three processes; the one that runs out of memory is not the largest:
 * the largest dies with Linux's line, its memory comes back, and the
 * allocating process goes on. */
static void test_oom_kills_the_largest_process(void **state)
{
	struct machine *m = test_boot_text(oom_machine);
	struct task_struct *small, *big, *hog;
	unsigned long avail, hog_pages;
	char line[512];
	int big_pid, small_pid;

	(void)state;
	small = spawn(m, "small", false);
	touch_pages(m, 64);
	avail = nr_free_pages(m);
	big = spawn(m, "big", false);
	touch_pages(m, avail * 6 / 10);
	big_pid = big->pid;
	small_pid = small->pid;
	expected_kill_line(line, sizeof(line), big);
	hog = spawn(m, "hog", false);
	hog_pages = avail * 6 / 10;	/* needs some of big's memory */
	touch_pages(m, hog_pages);
	assert_ptr_equal(get_current(m), hog);
	assert_null(find_task_by_pid(m, big_pid));
	assert_non_null(find_task_by_pid(m, small_pid));
	assert_int_equal(vm_event(m, OOM_KILL), 1);
	assert_log_has(m, line);
	assert_log_has(m, "invoked oom-killer: gfp_mask=");
	assert_log_has(m, "oom_reaper: reaped process");
	assert_int_equal(get_mm_counter(hog->mm, MM_ANONPAGES) >= hog_pages, true);
	assert_clean(m);
	/* the machine runs on: a new process gets memory */
	spawn(m, "after", false);
	touch_pages(m, 16);
	vt_done(m);
}

/* OOM_SCORE_ADJ_MIN protects the largest process: the next one (here the
 * allocating process itself) dies instead, and the protected one lives. */
static void test_oom_score_adj_min_protects(void **state)
{
	struct machine *m = test_boot_text(oom_machine);
	struct task_struct *big, *hog;
	unsigned long avail;
	int big_pid, hog_pid;
	char line[512];

	(void)state;
	avail = nr_free_pages(m);
	big = spawn(m, "big", true);
	touch_pages(m, avail * 6 / 10);
	assert_int_equal(mmkit_set_oom_score_adj(m, big, OOM_SCORE_ADJ_MIN), 0);
	big_pid = big->pid;
	hog = spawn(m, "hog", false);
	hog_pid = hog->pid;
	assert_int_equal(vt_map_fixed(m, BIG_AREA, PG(avail), RW), (long)BIG_AREA);
	for (unsigned long i = 0; i < avail; i++) {
		char c = 1;

		if (mmkit_write(m, BIG_AREA + PG(i), &c, 1)) {
			assert_null(find_task_by_pid(m, hog_pid));	/* the victim */
			break;
		}
		expected_kill_line(line, sizeof(line), hog);
	}
	assert_null(get_current(m));
	assert_non_null(find_task_by_pid(m, big_pid));
	assert_int_equal(vm_event(m, OOM_KILL), 1);
	assert_log_has(m, "Out of memory: Killed process ");
	assert_log_has(m, line);
	assert_log_lacks(m, " (big) total-vm:");
	assert_int_equal(m->sched.nr_tasks, 1);
	assert_clean(m);
	mmkit_set_current(m, big);
	vt_done(m);
}

/* sysrq-f: the OOM killer on demand kills the largest process now. */
static void test_oom_kill_on_demand(void **state)
{
	struct machine *m = test_boot_text(oom_machine);
	struct task_struct *a, *b;
	int a_pid, b_pid;

	(void)state;
	a = spawn(m, "a", false);
	touch_pages(m, 10);
	b = spawn(m, "b", false);
	touch_pages(m, 50);
	a_pid = a->pid;
	b_pid = b->pid;
	assert_true(mmkit_oom_kill(m));
	assert_null(find_task_by_pid(m, b_pid));
	assert_non_null(find_task_by_pid(m, a_pid));
	assert_log_has(m, "invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1");
	mmkit_set_current(m, a);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_badness_is_linux_formula),
		cmocka_unit_test(test_proc_oom_score_and_adj),
		cmocka_unit_test(test_oom_score_adj_limits),
		cmocka_unit_test(test_oom_kills_the_largest_process),
		cmocka_unit_test(test_oom_score_adj_min_protects),
		cmocka_unit_test(test_oom_kill_on_demand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
