/* malloc inside a simulated process (src/sim/umalloc.c): chunks below
 * M_MMAP_THRESHOLD come from a heap grown with brk, larger ones from their
 * own mmap; boundary tags and free lists live in the process's memory.
 *
 * Default i386 image: the heap starts at 0x08051000; the word is 4 bytes,
 * chunks are multiples of 8, the arena header takes 48 bytes. The first
 * small malloc grows the heap by header + chunk + 128 KiB (M_TOP_PAD) +
 * MINSIZE, page-rounded: 132 KiB, the size of a fresh glibc [heap]. */
#include <mmkit/umalloc.h>

#include "vma_test.h"

#define START_BRK 0x08051000UL
#define HEAP0 (132UL * 1024)

static struct umalloc_stats stats(struct machine *m)
{
	struct umalloc_stats st;

	assert_int_equal(umalloc_stats(m, &st), 0);
	return st;
}

static bool in_heap(struct machine *m, unsigned long a)
{
	return a >= vt_mm(m)->start_brk && a < vt_mm(m)->brk;
}

static void fill(struct machine *m, unsigned long a, size_t n, u8 seed)
{
	u8 buf[512];

	for (size_t done = 0; done < n; done += sizeof(buf)) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

		for (size_t i = 0; i < k; i++)
			buf[i] = (u8)(seed + done + i);
		assert_int_equal(mmkit_write(m, a + done, buf, k), 0);
	}
}

static void check_fill(struct machine *m, unsigned long a, size_t n, u8 seed)
{
	u8 buf[512];

	for (size_t done = 0; done < n; done += sizeof(buf)) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

		assert_int_equal(mmkit_read(m, a + done, buf, k), 0);
		for (size_t i = 0; i < k; i++)
			assert_int_equal(buf[i], (u8)(seed + done + i));
	}
}

static void test_small_malloc_grows_heap_with_brk(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	unsigned long a;
	char *maps, line[128];

	(void)state;
	assert_int_equal(mm->brk, START_BRK);
	a = umalloc(m, 1024);
	assert_int_equal(a, START_BRK + 48 + 8);	/* header, then the chunk's two words */
	assert_int_equal(mm->brk, START_BRK + HEAP0);
	maps = test_proc(m, "/proc/self/maps");
	snprintf(line, sizeof(line), "%08lx-%08lx rw-p 00000000 00:00 0          [heap]\n",
		 START_BRK, START_BRK + HEAP0);
	assert_non_null(strstr(maps, line));
	free(maps);
	assert_int_equal(stats(m).brk_calls, 2);	/* brk(0), brk(end) */
	assert_int_equal(stats(m).mmap_calls, 0);
	assert_int_equal(stats(m).arena_bytes, HEAP0);
	/* a second small one fits in top: no more brk */
	assert_true(in_heap(m, umalloc(m, 4000)));
	assert_int_equal(stats(m).brk_calls, 2);
	vt_done(m);
}

static void test_large_malloc_gets_own_mapping_and_free_unmaps_it(void **state)
{
	struct machine *m = vt_boot();
	int vmas = vt_mm(m)->map_count;
	unsigned long a = umalloc(m, 100), b, start;
	struct vm_area_struct *vma;
	char *maps, line[128];

	(void)state;
	assert_true(in_heap(m, a));
	vmas = vt_mm(m)->map_count;
	b = umalloc(m, 200 * 1024);
	assert_false(in_heap(m, b));
	vma = vt_vma(m, b);
	assert_non_null(vma);
	start = vma->vm_start;
	assert_int_equal(b, start + 8);	/* prev_size and size words before it */
	assert_int_equal(vma->vm_end - start, 204 * 1024);	/* chunk + word, page-rounded */
	assert_int_equal(vt_mm(m)->map_count, vmas + 1);
	maps = test_proc(m, "/proc/self/maps");
	snprintf(line, sizeof(line), "%08lx-%08lx rw-p 00000000 00:00 0 \n", start,
		 start + 204 * 1024);
	assert_non_null(strstr(maps, line));
	free(maps);
	assert_int_equal(stats(m).mmap_calls, 1);
	assert_int_equal(stats(m).nr_mmapped, 1);
	assert_int_equal(stats(m).mmapped_bytes, 204 * 1024);
	assert_int_equal(ufree(m, b), 0);
	assert_null(vt_vma(m, start));
	assert_int_equal(vt_mm(m)->map_count, vmas);
	assert_int_equal(stats(m).munmap_calls, 1);
	assert_int_equal(stats(m).nr_mmapped, 0);
	vt_done(m);
}

static void test_threshold_is_on_the_chunk_size(void **state)
{
	struct machine *m = vt_boot();

	(void)state;
	umalloc(m, 1);
	/* chunk = request + 4, rounded to 8: 131068 -> 131072 >= threshold */
	assert_false(in_heap(m, umalloc(m, 131068)));
	assert_true(in_heap(m, umalloc(m, 131060)));	/* chunk 131064 */
	assert_int_equal(stats(m).mmap_calls, 1);
	vt_done(m);
}

static void test_data_written_reads_back(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a[16];

	(void)state;
	for (int i = 0; i < 16; i++) {
		a[i] = umalloc(m, 100 + 700 * (size_t)i);
		assert_true(a[i] != 0);
		fill(m, a[i], 100 + 700 * (size_t)i, (u8)i);
	}
	for (int i = 0; i < 16; i += 2)
		assert_int_equal(ufree(m, a[i]), 0);
	for (int i = 0; i < 16; i += 2) {	/* reuse the holes */
		a[i] = umalloc(m, 50);
		fill(m, a[i], 50, 0xa0);
	}
	for (int i = 1; i < 16; i += 2)
		check_fill(m, a[i], 100 + 700 * (size_t)i, (u8)i);
	for (int i = 0; i < 16; i += 2)
		check_fill(m, a[i], 50, 0xa0);
	vt_done(m);
}

static void test_free_coalesces_neighbours(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a = umalloc(m, 1000), b = umalloc(m, 1000), c = umalloc(m, 1000);
	unsigned long guard = umalloc(m, 16);

	(void)state;
	assert_true(guard != 0);
	assert_int_equal(ufree(m, a), 0);
	assert_int_equal(ufree(m, c), 0);
	assert_int_equal(stats(m).nr_free_chunks, 2);
	assert_int_equal(ufree(m, b), 0);	/* joins both */
	assert_int_equal(stats(m).nr_free_chunks, 1);
	assert_int_equal(stats(m).free_bytes, 3 * 1008);
	/* the merged chunk serves a request none of the three could */
	assert_int_equal(umalloc(m, 2500), a);
	vt_done(m);
}

static void test_free_into_top_trims_the_break(void **state)
{
	struct machine *m = vt_boot();
	struct mm_struct *mm = vt_mm(m);
	unsigned long a = umalloc(m, 100 * 1024), b = umalloc(m, 100 * 1024);
	unsigned long grown = mm->brk;

	(void)state;
	assert_true(in_heap(m, a) && in_heap(m, b));
	assert_true(grown > START_BRK + HEAP0);
	fill(m, b, 100 * 1024, 3);
	assert_int_equal(ufree(m, a), 0);
	assert_int_equal(mm->brk, grown);	/* a is not next to top */
	assert_int_equal(ufree(m, b), 0);	/* b + a + top: trimmed to M_TOP_PAD */
	assert_true(mm->brk < grown);
	assert_int_equal(mm->brk, START_BRK + HEAP0);
	assert_int_equal(stats(m).arena_bytes, HEAP0);
	assert_int_equal(stats(m).nr_free_chunks, 0);
	assert_int_equal(vt_vma(m, START_BRK)->vm_end, START_BRK + HEAP0);
	vt_done(m);
}

static void test_free_rejects_invalid_and_double_free(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a = umalloc(m, 64);

	(void)state;
	umalloc(m, 64);	/* keeps a off top */
	assert_int_equal(ufree(m, a + 8), -EINVAL);
	assert_int_equal(ufree(m, a), 0);
	assert_int_equal(ufree(m, a), -EINVAL);	/* "double free or corruption" */
	assert_int_equal(ufree(m, 0), 0);
	vt_done(m);
}

static void test_realloc_grows_in_place_then_moves(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a = umalloc(m, 100), b, c;

	(void)state;
	fill(m, a, 100, 7);
	b = urealloc(m, a, 5000);	/* a is next to top: grows in place */
	assert_int_equal(b, a);
	check_fill(m, b, 100, 7);
	umalloc(m, 10);
	c = urealloc(m, b, 9000);	/* blocked now: moves */
	assert_true(c != b && in_heap(m, c));
	check_fill(m, c, 100, 7);
	assert_int_equal(urealloc(m, c, 0), 0);
	vt_done(m);
}

static void test_realloc_of_mmapped_chunk_uses_mremap(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a, b;

	(void)state;
	umalloc(m, 1);
	a = umalloc(m, 200 * 1024);
	fill(m, a, 4096, 9);
	b = urealloc(m, a, 600 * 1024);
	assert_true(b != 0);
	check_fill(m, b, 4096, 9);
	assert_int_equal(stats(m).mremap_calls, 1);
	assert_int_equal(stats(m).mmapped_bytes, 604 * 1024);
	assert_int_equal(vt_vma(m, b)->vm_end - vt_vma(m, b)->vm_start, 604 * 1024);
	assert_int_equal(ufree(m, b), 0);
	assert_int_equal(stats(m).nr_mmapped, 0);
	vt_done(m);
}

static void test_calloc_returns_zeroed_memory(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a = umalloc(m, 3000), b;

	(void)state;
	fill(m, a, 3000, 0x55);
	umalloc(m, 8);
	assert_int_equal(ufree(m, a), 0);
	b = ucalloc(m, 30, 100);
	assert_int_equal(b, a);	/* the same chunk, now zeroed */
	for (int i = 0; i < 3000; i += 4) {
		u32 v = 1;

		assert_int_equal(mmkit_read(m, b + (unsigned long)i, &v, 4), 0);
		assert_int_equal(v, 0);
	}
	assert_int_equal(ucalloc(m, 0x10000, 0x10000), 0);	/* overflows 32 bits */
	vt_done(m);
}

static void test_x86_64_uses_8_byte_words(void **state)
{
	struct machine *m = test_boot_text(vt_x86_64_machine);
	unsigned long start, a, b;

	(void)state;
	vt_spawn(m, false);
	start = vt_mm(m)->start_brk;
	a = umalloc(m, 24);
	assert_int_equal(a, start + 96 + 16);	/* 12-word header, 2-word chunk head */
	b = umalloc(m, 24);
	assert_int_equal(b - a, 32);	/* 24 + 8 rounded to 16: MINSIZE 32 */
	assert_int_equal(umalloc_usable_size(m, a), 24);
	assert_int_equal(vt_mm(m)->brk - start, HEAP0);
	vt_done(m);
}

static void test_refused_brk_falls_back_to_mmap(void **state)
{
	struct machine *m = vt_boot();
	unsigned long a;

	(void)state;
	get_current(m)->rlim[RLIMIT_DATA].rlim_cur = 0;	/* brk may not grow */
	a = umalloc(m, 1000);
	assert_true(a != 0);
	assert_false(in_heap(m, a));
	assert_int_equal(vt_mm(m)->brk, START_BRK);
	assert_int_equal(ufree(m, a), 0);
	assert_null(vt_vma(m, a));
	vt_done(m);
}

static void test_fork_copies_the_allocator_state(void **state)
{
	struct machine *m = vt_boot();
	struct task_struct *parent = get_current(m), *child;
	unsigned long a = umalloc(m, 500), b = umalloc(m, 500), c;

	(void)state;
	fill(m, a, 500, 1);
	child = mmkit_fork(m, parent);
	assert_non_null(child);
	mmkit_set_current(m, child);
	assert_int_equal(ufree(m, a), 0);	/* the child's own copy of the free list */
	c = umalloc(m, 400);
	assert_int_equal(c, a);
	fill(m, c, 400, 2);
	assert_int_equal(stats(m).nr_free_chunks, 1);	/* the 96-byte remainder */
	mmkit_set_current(m, parent);
	check_fill(m, a, 500, 1);	/* copy-on-write kept the parent's bytes */
	assert_int_equal(stats(m).nr_free_chunks, 0);
	assert_int_equal(ufree(m, b), 0);
	vt_done(m);
}

static void test_heap_pages_are_the_process_memory(void **state)
{
	struct machine *m = vt_boot();
	char *smaps;

	(void)state;
	umalloc(m, 64);	/* writes the header and two chunk heads: one page */
	smaps = test_proc(m, "/proc/self/smaps");
	assert_non_null(strstr(smaps, "[heap]\n"
				      "Size:                132 kB\n"
				      "KernelPageSize:        4 kB\n"
				      "MMUPageSize:           4 kB\n"
				      "Rss:                   4 kB\n"));
	free(smaps);
	vt_done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_malloc_grows_heap_with_brk),
		cmocka_unit_test(test_large_malloc_gets_own_mapping_and_free_unmaps_it),
		cmocka_unit_test(test_threshold_is_on_the_chunk_size),
		cmocka_unit_test(test_data_written_reads_back),
		cmocka_unit_test(test_free_coalesces_neighbours),
		cmocka_unit_test(test_free_into_top_trims_the_break),
		cmocka_unit_test(test_free_rejects_invalid_and_double_free),
		cmocka_unit_test(test_realloc_grows_in_place_then_moves),
		cmocka_unit_test(test_realloc_of_mmapped_chunk_uses_mremap),
		cmocka_unit_test(test_calloc_returns_zeroed_memory),
		cmocka_unit_test(test_x86_64_uses_8_byte_words),
		cmocka_unit_test(test_refused_brk_falls_back_to_mmap),
		cmocka_unit_test(test_fork_copies_the_allocator_state),
		cmocka_unit_test(test_heap_pages_are_the_process_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
