/* malloc's two paths inside a simulated process, as seed 000 tells them:
 * below 128 KiB the heap grows with brk (the [heap] VMA gets longer),
 * at or above it malloc takes a fresh anonymous mmap of its own, which
 * free unmaps. Pages appear only when the program touches them (VmRSS).
 *
 *   build/<dir>/example_malloc_demo          (i386, the default machine)
 *   build/<dir>/example_malloc_demo x86_64 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>
#include <mmkit/mman.h>
#include <mmkit/mmu.h>
#include <mmkit/sched.h>
#include <mmkit/umalloc.h>

static void show(struct machine *m, const char *what)
{
	char *maps, *status;
	const char *rss;

	printf("\n--- %s\n", what);
	if (mmkit_proc_read(m, "/proc/self/maps", &maps, NULL) ||
	    mmkit_proc_read(m, "/proc/self/status", &status, NULL))
		return;
	fputs(maps, stdout);
	rss = strstr(status, "VmRSS:");
	if (rss)
		printf("%.*s", (int)(strchr(rss, '\n') - rss + 1), rss);
	free(maps);
	free(status);
}

static void stats(struct machine *m)
{
	struct umalloc_stats st;

	if (umalloc_stats(m, &st))
		return;
	printf("umalloc: %lu brk calls, %lu mmap, %lu munmap; arena %lu KiB (top %lu KiB), "
	       "%lu mmapped chunk(s) %lu KiB\n",
	       st.brk_calls, st.mmap_calls, st.munmap_calls, st.arena_bytes >> 10,
	       st.top_bytes >> 10, st.nr_mmapped, st.mmapped_bytes >> 10);
}

int main(int argc, char **argv)
{
	struct machine_desc d;
	struct machine *m;
	struct task_struct *tsk;
	unsigned long small, big;
	char msg[32] = "";

	mmkit_desc_default(&d);
	if (argc > 1 && strcmp(argv[1], "x86_64") == 0)
		d.arch = MMKIT_ARCH_X86_64;
	m = mmkit_machine_create(&d);
	if (!m || mmkit_boot(m)) {
		fprintf(stderr, "boot failed\n");
		return 1;
	}
	tsk = mmkit_spawn(m, "malloc_demo", NULL);
	if (!tsk)
		return 1;
	mmkit_set_current(m, tsk);
	show(m, "a fresh process: the heap is empty (brk == start_brk)");

	small = umalloc(m, 1024);
	printf("\nmalloc(1024) = %#lx: below M_MMAP_THRESHOLD, from the heap; brk now %#lx\n",
	       small, tsk->mm->brk);
	mmkit_write(m, small, "hello, heap", 12);
	mmkit_read(m, small, msg, 12);
	printf("wrote and read back \"%s\"\n", msg);
	stats(m);
	show(m, "after malloc(1024): [heap] is 132 KiB (the chunk + M_TOP_PAD), one page touched");

	big = umalloc(m, 200 * 1024);
	printf("\nmalloc(200 KiB) = %#lx: at or above M_MMAP_THRESHOLD, its own mmap\n", big);
	stats(m);
	show(m, "after malloc(200 KiB): a new 204 KiB anonymous mapping; only its first page\n"
		"    (the chunk header) is resident");

	ufree(m, big);
	printf("\nfree(%#lx): munmap\n", big);
	stats(m);
	show(m, "after free of the big chunk: the mapping is gone");

	ufree(m, small);
	printf("\nfree(%#lx): back into top; top < M_TRIM_THRESHOLD, so brk stays\n", small);
	stats(m);
	mmkit_exit(m, tsk, 0);
	mmkit_machine_destroy(m);
	return 0;
}
