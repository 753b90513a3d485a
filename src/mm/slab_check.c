/* The slab allocator's invariant checker (cf. SLUB's validate_slab and
 * SLAB's check_slabp under CONFIG_DEBUG_SLAB), run by mmkit_check().
 *
 * For every cache: each slab sits on the list its fill level says, its
 * pages are PageSlab and point to the cache, its colour offset is one the
 * cache can produce, its freelist is where the cache keeps it and holds
 * distinct indexes < num; the node's counters equal what the lists hold;
 * every per-CPU and shared array entry is an object of the cache that its
 * slab counts as in use, and no object is in two arrays. In a debug cache
 * every free object's red zones and poison are intact; a damaged one is
 * reported as slub_debug would and its slab taken out of use.
 *
 * The checker takes locks with trylock and skips what is busy (it may run
 * from inside the page allocator while this thread holds a lock), and
 * assumes no other CPU is inside the slab allocator meanwhile. */
#include "mm/slab.h"

enum slab_list_kind { LIST_FULL, LIST_PARTIAL, LIST_FREE };

struct check_ctx {
	struct machine *m;
	struct kmem_cache *c;
	int bad;
	unsigned long slabs, free_objects;
	u64 seen[(SLAB_OBJ_MAX_NUM + 1) / 64];	/* free indexes of the slab being checked */
};

static void check_report(struct check_ctx *x, struct page *page, const char *what)
{
	if (page)
		pr_err(x->m, "check_slab: %s: slab at pfn %#lx: %s\n", x->c->name,
		       page_to_pfn(x->m, page), what);
	else
		pr_err(x->m, "check_slab: %s: %s\n", x->c->name, what);
	x->bad++;
}

static bool freelist_in_place(struct check_ctx *x, struct page *page)
{
	struct machine *m = x->m;
	struct kmem_cache *c = x->c;
	struct page *fp;

	if (OBJFREELIST_SLAB(c)) {
		if (page->inuse == c->num)
			return !page->freelist;
		fp = virt_to_slab_page(m, page->freelist);
		return fp && slab_head(m, c, fp) == page && slab_obj_valid(m, c, page, page->freelist);
	}
	if (OFF_SLAB(c)) {
		fp = virt_to_slab_page(m, page->freelist);
		return fp && fp->slab_cache == c->freelist_cache;
	}
	return (u8 *)page->freelist ==
	       slab_address(m, page) + (PAGE_SIZE << c->gfporder) - c->freelist_size;
}

/* The slab's pages, colour and freelist; fills x->seen with its free indexes. */
static void check_one_slab(struct check_ctx *x, struct page *page, enum slab_list_kind kind)
{
	struct machine *m = x->m;
	struct kmem_cache *c = x->c;
	unsigned int nr = 1U << c->gfporder;

	for (unsigned int i = 0; i < nr; i++)
		if (!PageSlab(&page[i]) || page[i].slab_cache != c)
			check_report(x, page, "page not PageSlab of this cache");
	if (page_to_pfn(m, page) & (nr - 1))
		check_report(x, page, "slab not aligned to its order");
	if ((kind == LIST_FULL && page->inuse != c->num) ||
	    (kind == LIST_PARTIAL && (page->inuse == 0 || page->inuse >= c->num)) ||
	    (kind == LIST_FREE && page->inuse != 0))
		check_report(x, page, "inuse does not match its list");
	if (page->s_mem_off % c->colour_off ||
	    page->s_mem_off > (c->colour ? c->colour - 1 : 0) * c->colour_off)
		check_report(x, page, "colour offset out of range");
	if (!freelist_in_place(x, page)) {
		check_report(x, page, "freelist not where the cache keeps it");
		return;
	}
	mm_memset(x->seen, 0, sizeof(u64) * ((c->num + 63) / 64));
	if (page->inuse > c->num || !page->freelist)
		return;
	for (unsigned int i = page->inuse; i < c->num; i++) {
		unsigned int idx = get_free_obj(page, i);

		if (idx >= c->num || (x->seen[idx / 64] >> (idx % 64) & 1)) {
			check_report(x, page, "free index out of range or repeated");
			return;
		}
		x->seen[idx / 64] |= 1ULL << (idx % 64);
	}
	if (OBJFREELIST_SLAB(c) && page->inuse < c->num &&
	    get_free_obj(page, c->num - 1) != obj_to_index(m, c, page, page->freelist))
		check_report(x, page, "freelist holder is not the last free object");
}

/* Debug caches: a free object with broken patterns takes its slab out of use. */
static void validate_free_objects(struct check_ctx *x, struct list_head *head, bool free_list)
{
	struct machine *m = x->m;
	struct kmem_cache *c = x->c;
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, head, slab_list) {
		bool damaged = false;

		if (!page->freelist || page->inuse >= c->num)
			continue;
		for (unsigned int i = page->inuse; i < c->num; i++) {
			unsigned int idx = get_free_obj(page, i);

			if (idx >= c->num)
				break;
			if (!check_free_object(m, c, page, index_to_obj(m, c, page, idx)))
				damaged = true;
		}
		if (damaged) {
			x->bad++;
			if (free_list)
				c->node[0].free_slabs--;
			mark_slab_used(m, c, page);
		}
	}
}

static void walk_list(struct check_ctx *x, struct list_head *head, enum slab_list_kind kind,
		      unsigned long *count)
{
	struct page *page;

	*count = 0;
	list_for_each_entry(page, head, slab_list) {
		check_one_slab(x, page, kind);
		(*count)++;
		x->slabs++;
		if (page->inuse <= x->c->num)
			x->free_objects += x->c->num - page->inuse;
	}
}

/* Is entry free in its slab's freelist (it must not be)? */
static bool free_in_slab(struct check_ctx *x, struct page *head, void *entry)
{
	unsigned int idx = obj_to_index(x->m, x->c, head, entry);

	if (!head->freelist)
		return false;
	for (unsigned int i = head->inuse; i < x->c->num; i++)
		if (get_free_obj(head, i) == idx)
			return true;
	return false;
}

static void check_array(struct check_ctx *x, struct array_cache *ac, const char *name)
{
	struct machine *m = x->m;
	struct kmem_cache *c = x->c;

	if (!ac)
		return;
	if (ac->avail > ac->limit) {
		check_report(x, NULL, name);
		return;
	}
	for (unsigned int i = 0; i < ac->avail; i++) {
		struct page *page = virt_to_slab_page(m, ac->entry[i]), *head;

		if (!page || page->slab_cache != c) {
			check_report(x, NULL, "array entry is not an object of this cache");
			continue;
		}
		head = slab_head(m, c, page);
		if (!slab_obj_valid(m, c, head, ac->entry[i]))
			check_report(x, head, "array entry is not an object start");
		else if (!head->inuse || free_in_slab(x, head, ac->entry[i]))
			check_report(x, head, "array entry is free in its slab too");
	}
}

/* No object in two array slots (quadratic; arrays are short). */
static void check_array_duplicates(struct check_ctx *x)
{
	struct kmem_cache *c = x->c;
	unsigned int nr = x->m->slab.nr_cpu_ids + 1;

	for (unsigned int a = 0; a < nr; a++) {
		struct array_cache *aa = a < nr - 1 ? cpu_cache_get(c, a) : c->node[0].shared;

		for (unsigned int i = 0; aa && i < aa->avail && i < aa->limit; i++) {
			for (unsigned int b = a; b < nr; b++) {
				struct array_cache *bb = b < nr - 1 ? cpu_cache_get(c, b)
								    : c->node[0].shared;

				for (unsigned int j = (a == b ? i + 1 : 0);
				     bb && j < bb->avail && j < bb->limit; j++)
					if (aa->entry[i] == bb->entry[j])
						check_report(x, NULL, "object in two array slots");
			}
		}
	}
}

static int check_cache(struct machine *m, struct kmem_cache *c)
{
	struct kmem_cache_node *n = &c->node[0];
	struct check_ctx ctx = { .m = m, .c = c }, *x = &ctx;
	unsigned long nfull, npartial, nfree;

	if (!spin_trylock(&n->list_lock))
		return 0;
	if (kmem_cache_debug(c)) {
		validate_free_objects(x, &n->slabs_partial, false);
		validate_free_objects(x, &n->slabs_free, true);
	}
	walk_list(x, &n->slabs_full, LIST_FULL, &nfull);
	walk_list(x, &n->slabs_partial, LIST_PARTIAL, &npartial);
	walk_list(x, &n->slabs_free, LIST_FREE, &nfree);
	if (x->slabs != n->total_slabs || nfree != n->free_slabs)
		check_report(x, NULL, "slab counters do not match the lists");
	if (x->free_objects != n->free_objects)
		check_report(x, NULL, "free_objects does not match the slabs");
	for (unsigned int cpu = 0; cpu < m->slab.nr_cpu_ids; cpu++) {
		struct array_cache *ac = cpu_cache_get(c, cpu);

		if (c->cpu_cache == m->slab.boot_cpu_cache && (ac->avail || ac->limit))
			check_report(x, NULL, "boot array in use");
		check_array(x, ac, "per-CPU array holds more than its limit");
	}
	check_array(x, n->shared, "shared array holds more than its limit");
	check_array_duplicates(x);
	spin_unlock(&n->list_lock);
	return x->bad;
}

/**
 * check_slab - the slab allocator's invariant checker
 * @m: the machine
 *
 * Returns the number of violations, each reported in the kernel log.
 */
int check_slab(struct machine *m)
{
	struct kmem_cache *c;
	int bad = 0;

	if (m->slab.state == SLAB_DOWN || !spin_trylock(&m->slab.slab_mutex))
		return 0;
	list_for_each_entry(c, &m->slab.slab_caches, list)
		bad += check_cache(m, c);
	spin_unlock(&m->slab.slab_mutex);
	return bad;
}
