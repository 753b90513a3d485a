/* Helpers for the page allocator's tests: empty a zone's free lists into a
 * holding array so a test starts from a free-list shape it draws itself,
 * read a free list back as pfns, and compare /proc text by shape. */
#ifndef MMKIT_TEST_PAGE_ALLOC_H
#define MMKIT_TEST_PAGE_ALLOC_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "mm/page_alloc.h"

/* An x86_64 machine with 2 CPUs: 1 GiB below 4 GiB (DMA, DMA32), 1 GiB above (Normal). */
#define X86_64_2CPU                                                      \
	"arch x86_64\ncpus 2\n"                                          \
	"e820 0 0x9fc00 usable\n"                                        \
	"e820 0x100000 0x3ff00000 usable\n"                              \
	"e820 0x100000000 0x40000000 usable\n"

static inline struct zone *zone_of(struct machine *m, int zid)
{
	return &m->node.node_zones[zid];
}

struct held_blocks {
	size_t nr, cap;
	struct page **page;
	unsigned int *order;
};

static inline void held_add(struct held_blocks *h, struct page *page, unsigned int order)
{
	if (h->nr == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 256;
		h->page = realloc(h->page, h->cap * sizeof(*h->page));
		h->order = realloc(h->order, h->cap * sizeof(*h->order));
		assert_non_null(h->page);
		assert_non_null(h->order);
	}
	h->page[h->nr] = page;
	h->order[h->nr++] = order;
}

/* Take every free block of the zone (per-CPU lists drained first) so its
 * free lists are empty; the blocks go to h. */
static inline void zone_isolate(struct machine *m, struct zone *zone, struct held_blocks *h)
{
	drain_all_pages(m);
	for (int o = MAX_PAGE_ORDER; o >= 0; o--) {
		struct page *p;

		while ((p = rmqueue_buddy(m, zone, (unsigned int)o, 0)) != NULL)
			held_add(h, p, (unsigned int)o);
	}
	assert_int_equal(zone_page_state(zone, NR_FREE_PAGES), 0);
}

/* Give back everything in h (frees bypass the per-CPU lists). */
static inline void held_release(struct machine *m, struct held_blocks *h)
{
	for (size_t i = 0; i < h->nr; i++)
		__free_pages(m, h->page[i], h->order[i]);
	drain_all_pages(m);
	free(h->page);
	free(h->order);
	memset(h, 0, sizeof(*h));
}

/* Take the first held block of this order out of h (the test now owns it). */
static inline struct page *held_take(struct held_blocks *h, unsigned int order)
{
	for (size_t i = 0; i < h->nr; i++) {
		if (h->order[i] != order)
			continue;
		struct page *p = h->page[i];

		h->page[i] = h->page[h->nr - 1];
		h->order[i] = h->order[h->nr - 1];
		h->nr--;
		return p;
	}
	fail_msg("no held block of order %u", order);
	return NULL;
}

/* Free straight to the buddy lists, as if the per-CPU lists did not exist. */
static inline void buddy_free(struct machine *m, struct page *page, unsigned int order)
{
	if (put_page_testzero(page))
		__free_pages_ok(m, page, order);
}

/* The pfns on zone->free_area[order], head first; returns how many. */
static inline size_t free_list_pfns(struct machine *m, struct zone *zone, unsigned int order,
				    unsigned long *out, size_t max)
{
	struct page *page;
	size_t n = 0;

	list_for_each_entry(page, &zone->free_area[order].free_list, lru) {
		if (n < max)
			out[n] = page_to_pfn(m, page);
		n++;
	}
	return n;
}

/* Assert free_area[order] holds exactly the listed pfns, head first. */
#define assert_free_list(m, zone, order, ...)                                          \
	do {                                                                           \
		const unsigned long want_[] = { __VA_ARGS__ };                         \
		unsigned long got_[64];                                                \
		size_t n_ = free_list_pfns(m, zone, order, got_, 64);                  \
		assert_int_equal(n_, ARRAY_SIZE(want_));                               \
		for (size_t i_ = 0; i_ < n_; i_++)                                     \
			assert_int_equal(got_[i_], want_[i_]);                         \
	} while (0)

#define assert_free_list_empty(m, zone, order) \
	assert_int_equal((zone)->free_area[order].nr_free, 0)

/* Text with every run of digits replaced by one 'N' (zoneinfo: numbers
 * are left-aligned, so the rest of the line keeps its place). */
static inline char *shape_digits(const char *text)
{
	char *out = malloc(strlen(text) + 1), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p;) {
		if (*p >= '0' && *p <= '9') {
			*o++ = 'N';
			while (*p >= '0' && *p <= '9')
				p++;
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

/* Text with every right-aligned number field (spaces then digits) replaced
 * by "#COL", COL being the column where it ends: meminfo's %8lu and
 * buddyinfo's %6lu keep their columns whatever the value. */
static inline char *shape_rjust(const char *text)
{
	size_t cap = 4 * strlen(text) + 16, col = 0;
	char *out = malloc(cap), *o = out;

	assert_non_null(out);
	for (const char *p = text; *p;) {
		const char *q = p;

		while (*q == ' ')
			q++;
		if (*q >= '0' && *q <= '9') {
			while (*q >= '0' && *q <= '9')
				q++;
			col += (size_t)(q - p);
			o += sprintf(o, "#%zu", col);
			p = q;
			continue;
		}
		col = *p == '\n' ? 0 : col + 1;
		*o++ = *p++;
	}
	*o = '\0';
	return out;
}

static inline char *reference_file(const char *name)
{
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/proc/%s", MMKIT_REFERENCE_DIR, name);
	text = test_read_file(path);
	assert_non_null(text);
	return text;
}

/* Value of "label value" in a view, or -1. */
static inline long view_value(const char *text, const char *label)
{
	const char *p = strstr(text, label);

	return p ? strtol(p + strlen(label), NULL, 10) : -1;
}

#endif
