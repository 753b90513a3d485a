/* The VMA maple tree and list (src/mm/vma_tree.c, src/mm/maple_tree.c).
 * Most tests drive the tree directly: VMAs come from an array and the mm
 * is a bare struct, while the nodes come from the booted machine's
 * "maple_node" cache. Every test checks the invariants (vma_tree_validate)
 * and compares lookups and free-range searches against brute force over
 * the ordered list. The last tests go through the syscalls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>
#include <mmkit/slab.h>

#include "helpers.h"
#include "mm/maple_tree.h"
#include "mm/vma.h"

#define GUARD (256UL << PAGE_SHIFT)

struct fixture {
	struct machine *m;
	struct mm_struct mm;
	struct vm_area_struct *v;
	int n;
};

static u64 rng_state;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct fixture *fixture_new(int n)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = test_boot_default();
	assert_int_equal(f->m->vm.stack_guard_gap, GUARD);
	assert_int_equal(f->m->vm.mmap_min_addr, 65536);
	f->mm.task_size = 0xC0000000UL;
	f->v = calloc((size_t)n, sizeof(*f->v));
	assert_non_null(f->v);
	f->n = n;
	rng_state = 0x9e3779b97f4a7c15ULL;
	return f;
}

/* Forget every VMA and give the nodes back. */
static void fixture_reset(struct fixture *f)
{
	mt_destroy(f->m, &f->mm.mm_mt);
	f->mm = (struct mm_struct){ .task_size = 0xC0000000UL };
}

static void fixture_free(struct fixture *f)
{
	fixture_reset(f);
	mmkit_machine_destroy(f->m);
	free(f->v);
	free(f);
}

/* Node i covers [base + 3i pages, base + 3i + 2 pages): a 1-page hole after each. */
static void node_init(struct fixture *f, int i, unsigned long base)
{
	struct vm_area_struct *v = &f->v[i];

	memset(v, 0, sizeof(*v));
	v->vm_mm = &f->mm;
	v->vm_start = base + (unsigned long)i * 3 * PAGE_SIZE;
	v->vm_end = v->vm_start + 2 * PAGE_SIZE;
	v->vm_flags = VM_READ | VM_WRITE;
	INIT_LIST_HEAD(&v->anon_vma_chain);
}

static void link_node(struct fixture *f, struct vm_area_struct *v)
{
	assert_int_equal(vma_tree_preallocate(f->m, &f->mm), 0);
	__vma_link(f->m, &f->mm, v);
	f->mm.map_count++;
}

static void unlink_node(struct fixture *f, struct vm_area_struct *v)
{
	__vma_unlink(f->m, &f->mm, v);
	f->mm.map_count--;
}

static void assert_valid(struct fixture *f)
{
	int bad = vma_tree_validate(f->m, &f->mm);

	if (bad)
		fprintf(stderr, "%s", mmkit_log_text(f->m, NULL));
	assert_int_equal(bad, 0);
}

static void shuffle(int *a, int n)
{
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(rnd() % (u64)(i + 1)), t = a[i];

		a[i] = a[j];
		a[j] = t;
	}
}

static int *perm(int n)
{
	int *a = malloc(sizeof(int) * (size_t)n);

	assert_non_null(a);
	for (int i = 0; i < n; i++)
		a[i] = i;
	shuffle(a, n);
	return a;
}

/* Address-ordered inserts push into the left sibling before splitting
 * (mas_push_data), so every node but the last two of its level is full:
 * 4096 VMAs take 4096 / 15 + 2 leaves, 4 levels, and about one internal
 * node per 10 leaves (halving the fill, as a split alone does, would
 * need 455 leaves). */
static void test_ascending_inserts_fill_nodes(void **state)
{
	struct fixture *f = fixture_new(4096);
	unsigned int leaves = 4096 / MAPLE_RANGE64_SLOTS + 2;

	(void)state;
	for (int i = 0; i < f->n; i++) {
		node_init(f, i, 0x10000000);
		link_node(f, &f->v[i]);
	}
	assert_valid(f);
	assert_int_equal(f->mm.mm_mt.ma_height, 4);
	assert_true(f->mm.mm_mt.ma_nodes <= leaves + leaves / (MAPLE_ARANGE64_SLOTS - 2) + 3);
	assert_ptr_equal(f->mm.mmap, &f->v[0]);
	assert_int_equal(f->mm.highest_vm_end, f->v[f->n - 1].vm_end);
	fixture_free(f);
}

/* Top-down mmaps insert in descending order: the mirror image, pushing
 * into the right sibling. */
static void test_descending_inserts_fill_nodes(void **state)
{
	struct fixture *f = fixture_new(4096);
	unsigned int leaves = 4096 / MAPLE_RANGE64_SLOTS + 2;

	(void)state;
	for (int i = f->n; i-- > 0;) {
		node_init(f, i, 0x10000000);
		link_node(f, &f->v[i]);
	}
	assert_valid(f);
	assert_int_equal(f->mm.mm_mt.ma_height, 4);
	assert_true(f->mm.mm_mt.ma_nodes <= leaves + leaves / (MAPLE_ARANGE64_SLOTS - 2) + 3);
	assert_ptr_equal(f->mm.mmap, &f->v[0]);
	fixture_free(f);
}

static void test_random_inserts_give_address_ordered_list(void **state)
{
	struct fixture *f = fixture_new(2000);
	int *order = perm(f->n), i = 0;
	struct vm_area_struct *v;

	(void)state;
	for (int k = 0; k < f->n; k++) {
		node_init(f, order[k], 0x10000000);
		link_node(f, &f->v[order[k]]);
		if (k % 97 == 0)
			assert_valid(f);
	}
	assert_valid(f);
	for (v = f->mm.mmap; v; v = v->vm_next, i++)
		assert_ptr_equal(v, &f->v[i]);
	assert_int_equal(i, f->n);
	free(order);
	fixture_free(f);
}

/* The first VMA ending above addr, the slow way. */
static struct vm_area_struct *linear_find_vma(struct mm_struct *mm, unsigned long addr)
{
	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		if (v->vm_end > addr)
			return v;
	return NULL;
}

static void test_find_vma_matches_linear_scan(void **state)
{
	struct fixture *f = fixture_new(1000);
	int *order = perm(f->n);

	(void)state;
	for (int k = 0; k < f->n; k++) {
		node_init(f, order[k], 0x10000000);
		link_node(f, &f->v[order[k]]);
	}
	for (int k = 0; k < 20000; k++) {
		unsigned long addr = 0x10000000 - 4 * PAGE_SIZE +
				     rnd() % ((unsigned long)f->n * 3 * PAGE_SIZE + 8 * PAGE_SIZE);
		struct vm_area_struct *want = linear_find_vma(&f->mm, addr), *prev;

		assert_ptr_equal(find_vma(f->m, &f->mm, addr), want);
		assert_ptr_equal(find_vma_prev(f->m, &f->mm, addr, &prev), want);
		assert_ptr_equal(prev, want ? want->vm_prev : &f->v[f->n - 1]);
		assert_ptr_equal(vma_lookup(f->m, &f->mm, addr),
				 want && want->vm_start <= addr ? want : NULL);
		assert_ptr_equal(find_vma_intersection(f->m, &f->mm, addr, addr + PAGE_SIZE),
				 want && want->vm_start < addr + PAGE_SIZE ? want : NULL);
	}
	free(order);
	fixture_free(f);
}

/* find_vma() remembers its answer as a leaf slot; the next lookup that
 * the slot answers (the VMA, or the hole below it down to the previous
 * VMA in the leaf) is served from the leaf's pivots without a descent.
 * Linking or unlinking forgets it; the checker rejects a stale one. */
static void test_find_vma_hint_answers_from_the_leaf(void **state)
{
	struct fixture *f = fixture_new(64);
	struct vm_area_struct *v = NULL;
	struct maple_node *leaf = NULL;
	unsigned int off = 0;
	unsigned long end;

	(void)state;
	for (int i = 0; i < f->n; i++) {
		node_init(f, i, 0x10000000);
		link_node(f, &f->v[i]);
	}
	for (int i = 0; i < f->n && !off; i++) {	/* a VMA not first in its leaf */
		v = &f->v[i];
		leaf = mt_descend(&f->mm.mm_mt, v->vm_start, &off);
	}
	assert_ptr_equal(find_vma(f->m, &f->mm, v->vm_start), v);
	assert_int_equal(f->mm.mmap_cache_slot, (unsigned long)leaf | off);
	assert_valid(f);
	/* With the descent disabled, only the hint can answer. */
	end = f->mm.highest_vm_end;
	f->mm.highest_vm_end = 0;
	assert_ptr_equal(find_vma(f->m, &f->mm, v->vm_end - 1), v);
	assert_ptr_equal(find_vma(f->m, &f->mm, v->vm_start - 1), v);	/* the hole below */
	assert_null(find_vma(f->m, &f->mm, v->vm_end));
	assert_null(find_vma(f->m, &f->mm, v->vm_prev->vm_end - 1));
	f->mm.highest_vm_end = end;

	assert_ptr_equal(find_vma(f->m, &f->mm, v->vm_start), v);
	unlink_node(f, &f->v[f->n - 1]);
	assert_int_equal(f->mm.mmap_cache_slot, 0);
	assert_ptr_equal(find_vma(f->m, &f->mm, v->vm_start), v);
	leaf = mt_descend(&f->mm.mm_mt, f->v[f->n - 2].vm_start, &off);
	f->mm.mmap_cache_slot = (unsigned long)leaf | (leaf->nr + 0u);
	assert_true(vma_tree_validate(f->m, &f->mm) > 0);
	assert_true(test_log_contains(f->m, "find_vma hint is not a slot of the tree"));
	f->mm.mmap_cache_slot = 0;
	assert_valid(f);
	fixture_free(f);
}

static void test_find_vma_in_empty_tree_is_null(void **state)
{
	struct fixture *f = fixture_new(1);
	struct vm_area_struct *prev = (void *)1;

	(void)state;
	assert_null(find_vma(f->m, &f->mm, 0x1000));
	assert_null(find_vma_prev(f->m, &f->mm, 0x1000, &prev));
	assert_null(prev);
	assert_valid(f);
	fixture_free(f);
}

/* Unlinking merges and frees nodes until the last VMA takes the root. */
static void test_random_unlinks_keep_invariants_and_free_nodes(void **state)
{
	struct fixture *f = fixture_new(1500);
	int *order = perm(f->n);

	(void)state;
	for (int k = 0; k < f->n; k++) {
		node_init(f, k, 0x10000000);
		link_node(f, &f->v[k]);
	}
	for (int k = 0; k < f->n; k++) {
		unlink_node(f, &f->v[order[k]]);
		if (k % 53 == 0 || k > f->n - 10)
			assert_valid(f);
		assert_null(vma_lookup(f->m, &f->mm, f->v[order[k]].vm_start));
	}
	assert_null(f->mm.mmap);
	assert_null(f->mm.mm_mt.ma_root);
	assert_int_equal(f->mm.mm_mt.ma_nodes, 0);
	assert_int_equal(f->mm.mm_mt.ma_height, 0);
	assert_int_equal(f->mm.highest_vm_end, 0);
	free(order);
	fixture_free(f);
}

static void test_interleaved_link_unlink_keep_invariants(void **state)
{
	struct fixture *f = fixture_new(600);
	bool *in = calloc((size_t)f->n, sizeof(bool));

	(void)state;
	for (int k = 0; k < f->n; k++)
		node_init(f, k, 0x20000000);
	for (int step = 0; step < 20000; step++) {
		int i = (int)(rnd() % (u64)f->n);

		if (in[i])
			unlink_node(f, &f->v[i]);
		else
			link_node(f, &f->v[i]);
		in[i] = !in[i];
		if (step % 401 == 0)
			assert_valid(f);
	}
	assert_valid(f);
	free(in);
	fixture_free(f);
}

/* Brute force over the list, Linux 6.x's rule: take the highest (lowest)
 * gap with room inside the limits; if the VMA above it is a stack whose
 * guard gap reaches into it, search again below that guard gap (above
 * that stack). */
static unsigned long brute_topdown(struct fixture *f, unsigned long len, unsigned long low,
				   unsigned long high)
{
	low = max(low, f->m->vm.mmap_min_addr);
	for (;;) {
		unsigned long best_end = 0, prev_end = 0;
		struct vm_area_struct *best_next = NULL;
		bool found = false;

		for (struct vm_area_struct *v = f->mm.mmap;; v = v->vm_next) {
			unsigned long gap_end = v ? v->vm_start : ~0UL;
			unsigned long lo = max(prev_end, low), hi = min(gap_end, high);

			if (hi > lo && hi - lo >= len) {
				found = true;
				best_end = hi;
				best_next = v;
			}
			if (!v)
				break;
			prev_end = v->vm_end;
		}
		if (!found)
			return -ENOMEM;
		if (best_next && (best_next->vm_flags & VM_GROWSDOWN) &&
		    vm_start_gap(f->m, best_next) < best_end) {
			high = vm_start_gap(f->m, best_next);
			continue;
		}
		return best_end - len;
	}
}

static unsigned long brute_bottomup(struct fixture *f, unsigned long len, unsigned long low,
				    unsigned long high)
{
	low = max(low, f->m->vm.mmap_min_addr);
	for (;;) {
		unsigned long prev_end = 0, start = 0;
		struct vm_area_struct *next = NULL, *v;
		bool found = false;

		for (v = f->mm.mmap;; v = v->vm_next) {
			unsigned long gap_end = v ? v->vm_start : ~0UL;
			unsigned long lo = max(prev_end, low), hi = min(gap_end, high);

			if (hi > lo && hi - lo >= len) {
				found = true;
				start = lo;
				next = v;
				break;
			}
			if (!v)
				break;
			prev_end = v->vm_end;
		}
		if (!found)
			return -ENOMEM;
		if (next && (next->vm_flags & VM_GROWSDOWN) &&
		    vm_start_gap(f->m, next) < start + len - 1) {
			low = next->vm_end;
			continue;
		}
		return start;
	}
}

/* Random VMAs of 1-8 pages with random holes; some are stacks. */
static void random_layout(struct fixture *f, int count, unsigned long base)
{
	unsigned long addr = base;

	for (int i = 0; i < count; i++) {
		struct vm_area_struct *v = &f->v[i];

		memset(v, 0, sizeof(*v));
		INIT_LIST_HEAD(&v->anon_vma_chain);
		v->vm_mm = &f->mm;
		addr += (rnd() % 4 == 0 ? rnd() % 600 : rnd() % 3) * PAGE_SIZE;
		v->vm_start = addr;
		addr += (1 + rnd() % 8) * PAGE_SIZE;
		v->vm_end = addr;
		v->vm_flags = VM_READ | (rnd() % 10 == 0 ? VM_GROWSDOWN : 0);
	}
	for (int i = count - 1; i >= 0; i--)	/* reverse order: every insert at offset 0 */
		link_node(f, &f->v[i]);
}

static void test_unmapped_area_matches_brute_force(void **state)
{
	struct fixture *f = fixture_new(400);

	(void)state;
	for (int round = 0; round < 30; round++) {
		fixture_reset(f);
		random_layout(f, 200 + round * 5, 0x40000000);
		assert_valid(f);
		for (int k = 0; k < 400; k++) {
			unsigned long len = (1 + rnd() % (k % 2 ? 300 : 6)) * PAGE_SIZE;
			unsigned long low = 0x40000000 + (rnd() % 0x1000) * PAGE_SIZE;
			unsigned long high = low + (rnd() % 0x20000) * PAGE_SIZE;
			struct vm_unmapped_area_info info = {
				.length = len, .low_limit = low, .high_limit = high,
			};

			assert_int_equal(vm_unmapped_area(f->m, &f->mm, &info),
					 brute_bottomup(f, len, low, high));
			info.flags = VM_UNMAPPED_AREA_TOPDOWN;
			assert_int_equal(vm_unmapped_area(f->m, &f->mm, &info),
					 brute_topdown(f, len, low, high));
		}
	}
	fixture_free(f);
}

/* A stack's guard gap is not free: nothing may be placed right below it. */
static void test_unmapped_area_keeps_stack_guard_gap(void **state)
{
	struct fixture *f = fixture_new(2);
	struct vm_unmapped_area_info info = {
		.flags = VM_UNMAPPED_AREA_TOPDOWN, .length = PAGE_SIZE,
		.low_limit = PAGE_SIZE, .high_limit = 0xB0000000UL,
	};

	(void)state;
	node_init(f, 0, 0xA0000000UL);
	f->v[0].vm_flags |= VM_GROWSDOWN;
	link_node(f, &f->v[0]);
	/* Highest fit: the top of the area, above the stack. */
	assert_int_equal(vm_unmapped_area(f->m, &f->mm, &info), 0xB0000000UL - PAGE_SIZE);
	/* Below the stack: the guard gap is skipped. */
	info.high_limit = 0xA0000000UL + PAGE_SIZE;
	assert_int_equal(vm_unmapped_area(f->m, &f->mm, &info), 0xA0000000UL - GUARD - PAGE_SIZE);
	/* Even a hole whose own upper neighbour is no stack is skipped when it
	 * lies within a stack's guard gap above (Linux 6.x restarts the search
	 * below the guard gap). */
	node_init(f, 1, 0xA0000000UL - 8 * PAGE_SIZE);	/* 2 pages, 6 pages below the stack */
	link_node(f, &f->v[1]);
	info.high_limit = 0xA0000000UL;
	assert_int_equal(vm_unmapped_area(f->m, &f->mm, &info), 0xA0000000UL - GUARD - PAGE_SIZE);
	fixture_free(f);
}

static void test_vma_set_range_updates_pivots_and_gaps(void **state)
{
	struct fixture *f = fixture_new(512);

	(void)state;
	for (int i = 0; i < f->n; i++) {
		node_init(f, i, 0x10000000);
		link_node(f, &f->v[i]);
	}
	for (int i = 0; i < f->n; i++) {
		struct vm_area_struct *v = &f->v[i];

		/* Shrink every other VMA, grow the rest into their hole. */
		if (i % 2)
			vma_set_range(f->m, v, v->vm_start + PAGE_SIZE, v->vm_end, 0);
		else
			vma_set_range(f->m, v, v->vm_start, v->vm_end + PAGE_SIZE, 0);
		if (i % 31 == 0 || i == f->n - 1)
			assert_valid(f);
	}
	/* The last VMA grows: the top of the tree and highest_vm_end follow. */
	vma_set_range(f->m, &f->v[f->n - 1], f->v[f->n - 1].vm_start,
		      f->v[f->n - 1].vm_end + 16 * PAGE_SIZE, 0);
	assert_valid(f);
	assert_ptr_equal(find_vma(f->m, &f->mm, f->mm.highest_vm_end - 1), &f->v[f->n - 1]);
	fixture_free(f);
}

/* The checker notices a damaged node: a pivot, a gap, a parent link. */
static void test_validate_reports_damaged_nodes(void **state)
{
	struct fixture *f = fixture_new(200);
	struct maple_node *root, *leaf;
	unsigned long saved;

	(void)state;
	for (int i = 0; i < f->n; i++) {
		node_init(f, i, 0x10000000);
		link_node(f, &f->v[i]);
	}
	root = f->mm.mm_mt.ma_root;
	assert_false(root->leaf);
	leaf = mt_descend(&f->mm.mm_mt, f->v[0].vm_start, &(unsigned int){ 0 });

	saved = leaf->pivot[1];
	leaf->pivot[1] += PAGE_SIZE;
	assert_true(vma_tree_validate(f->m, &f->mm) > 0);
	assert_true(test_log_contains(f->m, "pivot is not the VMA's vm_end"));
	leaf->pivot[1] = saved;

	saved = root->ma64.gap[0];
	root->ma64.gap[0] = 0;
	assert_true(vma_tree_validate(f->m, &f->mm) > 0);
	assert_true(test_log_contains(f->m, "gap is not the child's largest gap"));
	root->ma64.gap[0] = saved;

	leaf->parent = NULL;
	assert_true(vma_tree_validate(f->m, &f->mm) > 0);
	assert_true(test_log_contains(f->m, "parent link wrong"));
	for (struct maple_node *n = root; !n->leaf; n = n->ma64.slot[0])
		((struct maple_node *)n->ma64.slot[0])->parent = n;
	assert_valid(f);
	fixture_free(f);
}

/* Preallocation is the only step that can fail; when it does, nothing
 * changed, and the insert goes through once memory is back. */
static void test_failed_preallocation_changes_nothing(void **state)
{
	struct fixture *f = fixture_new(64);
	unsigned int spare;

	(void)state;
	for (int i = 0; i < MAPLE_RANGE64_SLOTS; i++) {	/* one full leaf */
		node_init(f, i, 0x10000000);
		link_node(f, &f->v[i]);
	}
	/* Use up the spare nodes, then make the next slab allocation fail. */
	spare = f->mm.mm_mt.ma_nr_alloc;
	assert_int_equal(spare, 2);
	mt_destroy(f->m, &(struct maple_tree){ .ma_alloc = f->mm.mm_mt.ma_alloc });
	f->mm.mm_mt.ma_alloc = NULL;
	f->mm.mm_mt.ma_nr_alloc = 0;
	failslab_set_nth(f->m, 1);
	assert_int_equal(vma_tree_preallocate(f->m, &f->mm), -ENOMEM);
	failslab_set_nth(f->m, 0);
	assert_valid(f);
	assert_int_equal(f->mm.mm_mt.ma_height, 1);
	node_init(f, MAPLE_RANGE64_SLOTS, 0x10000000);
	link_node(f, &f->v[MAPLE_RANGE64_SLOTS]);	/* splits the leaf: needs 2 nodes */
	assert_int_equal(f->mm.mm_mt.ma_height, 2);
	assert_valid(f);
	fixture_free(f);
}

/* Through the syscalls: mmap fails with ENOMEM when the tree nodes cannot
 * be allocated, leaving every address space consistent; exit frees the
 * nodes. */
static void test_mmap_fails_cleanly_when_nodes_run_out(void **state)
{
	struct machine *m = test_boot_default();
	struct task_struct *tsk = mmkit_spawn(m, "tree", NULL);
	int failed = 0;

	(void)state;
	mmkit_set_current(m, tsk);
	for (unsigned long n = 1; n <= 400; n++) {
		long r;

		failslab_set_nth(m, n % 3 + 1);
		r = sys_mmap(m, 0x20000000UL + 2 * n * PAGE_SIZE, PAGE_SIZE, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		failslab_set_nth(m, 0);
		if (r == -ENOMEM)
			failed++;
		else
			assert_int_equal(r, 0x20000000UL + 2 * n * PAGE_SIZE);
		assert_int_equal(check_vmas(m), 0);
	}
	assert_true(failed > 0);
	mmkit_exit(m, tsk, 0);
	assert_int_equal(m->vm.nr_vmas, 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascending_inserts_fill_nodes),
		cmocka_unit_test(test_descending_inserts_fill_nodes),
		cmocka_unit_test(test_random_inserts_give_address_ordered_list),
		cmocka_unit_test(test_find_vma_matches_linear_scan),
		cmocka_unit_test(test_find_vma_hint_answers_from_the_leaf),
		cmocka_unit_test(test_find_vma_in_empty_tree_is_null),
		cmocka_unit_test(test_random_unlinks_keep_invariants_and_free_nodes),
		cmocka_unit_test(test_interleaved_link_unlink_keep_invariants),
		cmocka_unit_test(test_unmapped_area_matches_brute_force),
		cmocka_unit_test(test_unmapped_area_keeps_stack_guard_gap),
		cmocka_unit_test(test_vma_set_range_updates_pivots_and_gaps),
		cmocka_unit_test(test_validate_reports_damaged_nodes),
		cmocka_unit_test(test_failed_preallocation_changes_nothing),
		cmocka_unit_test(test_mmap_fails_cleanly_when_nodes_run_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
