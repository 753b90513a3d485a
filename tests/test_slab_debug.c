/* slub_debug: red zones, poisoning, tracking, double and bad frees, per
 * cache and from the command line. Each corruption is reported in SLUB's
 * words naming the cache and the object, counted, and the damaged object
 * is never handed out again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mm/slab.h"

#define DBG_ALL (SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER | SLAB_CONSISTENCY_CHECKS)

static char *kaddr(struct machine *m, const void *p, char *buf)
{
	sprintf(buf, "0x%08llx", (unsigned long long)kernel_va(m, p));
	return buf;
}

static bool log_has(struct machine *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool log_has(struct machine *m, const char *fmt, ...)
{
	char needle[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(needle, sizeof(needle), fmt, ap);
	va_end(ap);
	if (!test_log_contains(m, needle)) {
		fprintf(stderr, "log lacks: %s\n", needle);
		return false;
	}
	return true;
}

/* Allocate every object the cache can give from its current slabs plus a
 * few more, and assert bad is never among them; frees them again. */
static void assert_never_handed_out(struct machine *m, struct kmem_cache *c, void *bad)
{
	unsigned int n = 3 * c->num;
	void **objs = calloc(n, sizeof(void *));

	for (unsigned int i = 0; i < n; i++) {
		objs[i] = kmem_cache_alloc(m, c, GFP_KERNEL);
		assert_non_null(objs[i]);
		assert_ptr_not_equal(objs[i], bad);
	}
	for (unsigned int i = 0; i < n; i++)
		kmem_cache_free(m, c, objs[i]);
	free(objs);
}

static void test_debug_cache_layout(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_layout", 64, 0, DBG_ALL, NULL);

	(void)state;
	/* left red zone one word, object, one more word of right red zone
	 * (64 is word aligned), two tracks of 24 bytes */
	assert_int_equal(c->obj_offset, 8);
	assert_int_equal(c->inuse, 72);
	assert_int_equal(c->track_offset, 72);
	assert_int_equal(c->size, 8 + 72 + 48);
	assert_int_equal(c->limit, 0);	/* no per-CPU arrays: every op is checked */
	assert_false(OBJFREELIST_SLAB(c));
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	mmkit_machine_destroy(m);
}

static void test_free_object_is_poisoned(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_poison", 40, 0, DBG_ALL, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL);

	(void)state;
	assert_int_equal(p[-1], SLUB_RED_ACTIVE);
	assert_int_equal(p[40], SLUB_RED_ACTIVE);
	memset(p, 0x11, 40);
	kmem_cache_free(m, c, p);
	for (int i = 0; i < 39; i++)
		assert_int_equal(p[i], POISON_FREE);
	assert_int_equal(p[39], POISON_END);
	assert_int_equal(p[-1], SLUB_RED_INACTIVE);
	assert_int_equal(p[40], SLUB_RED_INACTIVE);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* A write one byte past the object: reported at free with the byte's
 * address and offset in the slab; the object is not freed (leaked). */
static void test_write_past_object_is_reported_at_free(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_over", 64, 0, DBG_ALL, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL);
	u8 *slab = page_address(m, slab_head(m, c, virt_to_page(m, p)));
	char a[32], b[32];

	(void)state;
	p[64] = 0x00;
	kmem_cache_free(m, c, p);
	assert_true(log_has(m, "BUG dbg_over (Not tainted): Redzone overwritten"));
	assert_true(log_has(m, "INFO: %s-%s @offset=%td. First byte 0x0 instead of 0xcc",
			    kaddr(m, p + 64, a), kaddr(m, p + 64, b), p + 64 - slab));
	assert_true(log_has(m, "INFO: Object %s @offset=%td fp=0x(null)", kaddr(m, p, a), p - slab));
	assert_true(log_has(m, "FIX dbg_over: Restoring %s-%s=0xcc", kaddr(m, p + 64, a),
			    kaddr(m, p + 64, b)));
	assert_true(log_has(m, "FIX dbg_over: Object at %s not freed", kaddr(m, p, a)));
	assert_int_equal(m->slab.nr_debug_reports, 1);
	assert_int_equal(c->errors, 1);
	assert_true(m->slab.tainted);
	assert_never_handed_out(m, c, p);
	assert_clean(m);
	/* the leaked object keeps the cache busy, as in Linux */
	assert_int_equal(kmem_cache_destroy(m, c), -EBUSY);
	mmkit_machine_destroy(m);
}

static void test_write_before_object_hits_left_redzone(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_under", 32, 0, SLAB_RED_ZONE, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL);

	(void)state;
	p[-2] = 0x77;
	kmem_cache_free(m, c, p);
	assert_true(log_has(m, "BUG dbg_under (Not tainted): Redzone overwritten"));
	assert_true(log_has(m, "First byte 0x77 instead of 0xcc"));
	assert_never_handed_out(m, c, p);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_double_free_is_reported_and_ignored(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_double", 128, 0, DBG_ALL, NULL);
	void *p = kmem_cache_alloc(m, c, GFP_KERNEL), *q, *r;
	char a[32];

	(void)state;
	kmem_cache_free(m, c, p);
	kmem_cache_free(m, c, p);
	assert_true(log_has(m, "BUG dbg_double (Not tainted): Object already free"));
	assert_true(log_has(m, "INFO: Object %s", kaddr(m, p, a)));
	assert_true(log_has(m, "INFO: Allocated in 0x"));
	assert_true(log_has(m, "INFO: Freed in 0x"));
	assert_int_equal(m->slab.nr_bad_frees, 1);
	/* freed once only: two allocations give two objects */
	q = kmem_cache_alloc(m, c, GFP_KERNEL);
	r = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_ptr_not_equal(q, r);
	kmem_cache_free(m, c, q);
	kmem_cache_free(m, c, r);
	assert_clean(m);
	assert_int_equal(kmem_cache_destroy(m, c), 0);
	mmkit_machine_destroy(m);
}

/* Without debug flags the per-CPU array still catches the trivial case. */
static void test_double_free_in_array_is_reported(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "plain_double", 128, 0, 0, NULL);
	void *p = kmem_cache_alloc(m, c, GFP_KERNEL), *q, *r;

	(void)state;
	kmem_cache_free(m, c, p);
	kmem_cache_free(m, c, p);
	assert_true(log_has(m, "BUG plain_double (Not tainted): Object already free"));
	q = kmem_cache_alloc(m, c, GFP_KERNEL);
	r = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_ptr_not_equal(q, r);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* Use after free: the poison is checked when the object is handed out
 * next; its slab's free objects are taken out of use. */
static void test_use_after_free_is_caught_at_next_alloc(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_uaf", 96, 0, DBG_ALL, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL), *q;
	u8 *slab = page_address(m, slab_head(m, c, virt_to_page(m, p)));
	char a[32], b[32];

	(void)state;
	kmem_cache_free(m, c, p);
	p[10] = 0x42;
	p[11] = 0x43;
	q = kmem_cache_alloc(m, c, GFP_KERNEL);
	assert_non_null(q);
	assert_ptr_not_equal(q, p);
	assert_true(log_has(m, "BUG dbg_uaf (Not tainted): Poison overwritten"));
	assert_true(log_has(m, "INFO: %s-%s @offset=%td. First byte 0x42 instead of 0x6b",
			    kaddr(m, p + 10, a), kaddr(m, p + 11, b), p + 10 - slab));
	assert_true(log_has(m, "FIX dbg_uaf: Marking all objects used"));
	assert_never_handed_out(m, c, p);
	kmem_cache_free(m, c, q);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_use_after_free_is_caught_by_the_checker(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_uaf2", 200, 0, SLAB_POISON, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL), *keep = kmem_cache_alloc(m, c, GFP_KERNEL);

	(void)state;
	kmem_cache_free(m, c, p);
	p[199] = 0;	/* the end marker 0xa5 */
	assert_int_equal(mmkit_check(m), 1);
	assert_true(log_has(m, "BUG dbg_uaf2 (Not tainted): Poison overwritten"));
	assert_true(log_has(m, "First byte 0x0 instead of 0xa5"));
	assert_int_equal(mmkit_check(m), 0);	/* repaired and out of use */
	assert_never_handed_out(m, c, p);
	kmem_cache_free(m, c, keep);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_second_report_shows_taint(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_taint", 64, 0, SLAB_RED_ZONE, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL), *q = kmem_cache_alloc(m, c, GFP_KERNEL);

	(void)state;
	p[64] = 1;
	q[64] = 1;
	kmem_cache_free(m, c, p);
	kmem_cache_free(m, c, q);
	assert_true(log_has(m, "BUG dbg_taint (Not tainted): Redzone overwritten"));
	assert_true(log_has(m, "BUG dbg_taint (Tainted: G    B"));
	assert_int_equal(m->slab.nr_debug_reports, 2);
	mmkit_machine_destroy(m);
}

static void test_free_into_wrong_cache_is_refused(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *a = kmem_cache_create(m, "cache_a", 64, 0, 0, NULL);
	struct kmem_cache *b = kmem_cache_create(m, "cache_b", 64, 0, 0, NULL);
	void *p = kmem_cache_alloc(m, a, GFP_KERNEL);

	(void)state;
	kmem_cache_free(m, b, p);
	assert_true(log_has(m, "kmem_cache_free: Wrong slab cache. cache_b but object is from cache_a"));
	assert_int_equal(m->slab.nr_bad_frees, 1);
	assert_int_equal(cpu_cache_get(b, 0)->avail, 0);
	kmem_cache_free(m, a, p);	/* the right free still works */
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_free_of_non_slab_pointer_is_refused(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "cache_c", 64, 0, 0, NULL);
	struct page *page = alloc_pages(m, GFP_KERNEL, 0);
	int stack_var;

	(void)state;
	kmem_cache_free(m, c, page_address(m, page));
	assert_true(log_has(m, "virt_to_cache: Object is not a Slab page!"));
	kmem_cache_free(m, c, &stack_var);
	assert_true(log_has(m, "virt_to_phys used for non-linear address"));
	assert_int_equal(m->slab.nr_bad_frees, 2);
	__free_pages(m, page, 0);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_free_of_pointer_inside_object_is_refused(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "cache_mid", 64, 0, 0, NULL);
	u8 *p = kmem_cache_alloc(m, c, GFP_KERNEL);
	char a[32];

	(void)state;
	kmem_cache_free(m, c, p + 8);
	assert_true(log_has(m, "BUG cache_mid (Not tainted): Invalid object pointer %s",
			    kaddr(m, p + 8, a)));
	assert_true(log_has(m, "INFO: Slab 0x"));
	assert_int_equal(cpu_cache_get(c, 0)->avail, BATCHREFILL_LIMIT - 1);
	kmem_cache_free(m, c, p);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

/* slub_debug on the command line: every cache, kmalloc ones included. */
static void test_slub_debug_cmdline_covers_kmalloc(void **state)
{
	struct machine *m = test_boot_text("cmdline slub_debug\n");
	struct kmem_cache *k64 = m->slab.kmalloc_caches[KMALLOC_NORMAL][6];
	u8 *p;

	(void)state;
	assert_int_equal(k64->flags & SLAB_DEBUG_FLAGS, SLAB_DEBUG_FLAGS);
	p = kmalloc(m, 64, GFP_KERNEL);
	assert_ptr_equal(virt_to_page(m, p)->slab_cache, k64);
	p[64] = 'x';
	kfree(m, p);
	assert_true(log_has(m, "BUG kmalloc-64 (Not tainted): Redzone overwritten"));
	assert_true(log_has(m, "First byte 0x78 instead of 0xcc"));
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_slub_debug_cmdline_selects_caches(void **state)
{
	struct machine *m = test_boot_text("cmdline slub_debug=P,kmalloc-128,dbg_*\n");
	struct kmem_cache *c = kmem_cache_create(m, "dbg_sel", 64, 0, 0, NULL);
	struct kmem_cache *d = kmem_cache_create(m, "other", 64, 0, 0, NULL);

	(void)state;
	assert_int_equal(m->slab.kmalloc_caches[KMALLOC_NORMAL][7]->flags & SLAB_DEBUG_FLAGS,
			 SLAB_POISON);
	assert_int_equal(m->slab.kmalloc_caches[KMALLOC_NORMAL][6]->flags & SLAB_DEBUG_FLAGS, 0);
	assert_int_equal(c->flags & SLAB_DEBUG_FLAGS, SLAB_POISON);
	assert_int_equal(d->flags & SLAB_DEBUG_FLAGS, 0);
	mmkit_machine_destroy(m);
}

/* The global switch in m->slab, set before boot. */
static void test_global_debug_field_before_boot(void **state)
{
	struct machine_desc d;
	struct machine *m;
	u8 *p;

	(void)state;
	mmkit_desc_default(&d);
	m = mmkit_machine_create(&d);
	m->debug_vm = 2;
	m->slab.slub_debug = SLAB_RED_ZONE | SLAB_POISON;
	assert_int_equal(mmkit_boot(m), 0);
	assert_true(m->slab.kmalloc_caches[KMALLOC_NORMAL][5]->flags & SLAB_RED_ZONE);
	p = kmalloc(m, 32, GFP_KERNEL);
	kfree(m, p);
	p[0] = 0;
	p = kmalloc(m, 32, GFP_KERNEL);
	assert_true(log_has(m, "BUG kmalloc-32 (Not tainted): Poison overwritten"));
	kfree(m, p);
	assert_clean(m);
	mmkit_machine_destroy(m);
}

static void test_debug_cache_slabinfo_has_no_arrays(void **state)
{
	struct machine *m = test_boot_default();
	struct kmem_cache *c = kmem_cache_create(m, "dbg_info", 64, 0, SLAB_RED_ZONE, NULL);
	char *info, want[256];

	(void)state;
	kmem_cache_alloc(m, c, GFP_KERNEL);
	info = test_proc(m, "/proc/slabinfo");
	/* one object active (no array took a batch); 80-byte slots with the
	 * freelist on the slab: 4096 / (80 + 2) = 49 a page */
	snprintf(want, sizeof(want), "\n%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : "
		 "slabdata %6lu %6lu %6lu\n", "dbg_info", 1UL, 49UL, 80U, 49U, 1, 0U, 0U, 0U,
		 1UL, 1UL, 0UL);
	assert_non_null(strstr(info, want));
	free(info);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debug_cache_layout),
		cmocka_unit_test(test_free_object_is_poisoned),
		cmocka_unit_test(test_write_past_object_is_reported_at_free),
		cmocka_unit_test(test_write_before_object_hits_left_redzone),
		cmocka_unit_test(test_double_free_is_reported_and_ignored),
		cmocka_unit_test(test_double_free_in_array_is_reported),
		cmocka_unit_test(test_use_after_free_is_caught_at_next_alloc),
		cmocka_unit_test(test_use_after_free_is_caught_by_the_checker),
		cmocka_unit_test(test_second_report_shows_taint),
		cmocka_unit_test(test_free_into_wrong_cache_is_refused),
		cmocka_unit_test(test_free_of_non_slab_pointer_is_refused),
		cmocka_unit_test(test_free_of_pointer_inside_object_is_refused),
		cmocka_unit_test(test_slub_debug_cmdline_covers_kmalloc),
		cmocka_unit_test(test_slub_debug_cmdline_selects_caches),
		cmocka_unit_test(test_global_debug_field_before_boot),
		cmocka_unit_test(test_debug_cache_slabinfo_has_no_arrays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
