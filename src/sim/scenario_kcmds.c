/* Scenario commands on the kernel side: the page allocator, slab caches,
 * kmalloc, vmalloc, kmap (cf. mm/page_alloc.c, mm/slab_common.c,
 * mm/vmalloc.c, mm/highmem.c), plus `cpu`, `show` and `check`.
 *
 * Kernel objects are held in typed variables (a page, a cache, an object,
 * an area) so that a scenario cannot hand kfree a page or free twice: the
 * scenario stops with FILE:LINE:COL instead, and the machine stays
 * consistent. Kernel addresses print as the simulated CPU sees them
 * (PAGE_OFFSET + phys, vmalloc and pkmap addresses), never as host
 * pointers. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/highmem.h>
#include <mmkit/slab.h>
#include <mmkit/vmalloc.h>

#include "internal.h"
#include "machine/machine.h"
#include "sim/scenario_internal.h"

/* The x86 virtual address of a kernel pointer into RAM or the host window. */
static uint64_t host_to_kva(const struct machine *m, const void *p)
{
	const uint8_t *b = p;
	uint64_t wlen = m->pgtables.window_end - m->pgtables.window_start;

	if (b >= m->ram && b < m->ram + m->ram_bytes)
		return m->arch.page_offset + (uint64_t)(b - m->ram);
	if (m->pgtables.window && b >= m->pgtables.window && b < m->pgtables.window + wlen)
		return m->pgtables.window_start + (uint64_t)(b - m->pgtables.window);
	return 0;
}

int scn_cmd_cpu(struct scn_run *r, const struct scn_cmd *c)
{
	unsigned int cpu = (unsigned int)c->arg[0].e.off;
	struct task_struct *t;

	if (cpu >= r->desc.nr_cpus)
		return scn_fail(r, c->arg[0].col, "%s has %u CPU%s", r->machine_name,
				r->desc.nr_cpus, r->desc.nr_cpus == 1 ? "" : "s");
	mmkit_set_cpu(cpu);
	t = get_current(r->m);
	if (t)
		scn_printf(r, "CPU %u: pid %d current\n", cpu, t->pid);
	else
		scn_printf(r, "CPU %u: idle\n", cpu);
	return 0;
}

static int eval_gfp(const struct scn_cmd *c, int i, gfp_t dflt, gfp_t *gfp)
{
	*gfp = c->nargs > i ? (gfp_t)c->arg[i].flags : dflt;
	return 0;
}

int scn_cmd_alloc_pages(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t order = scn_eval(r, &c->arg[0]);
	struct page *page;
	gfp_t gfp;

	if (r->failed)
		return -1;
	if (order > MAX_PAGE_ORDER + 1)
		return scn_fail(r, c->arg[0].col, "order %" PRIu64 " is far above MAX_PAGE_ORDER (%d)",
				order, MAX_PAGE_ORDER);
	eval_gfp(c, 1, GFP_KERNEL, &gfp);
	page = alloc_pages(r->m, gfp, (unsigned int)order);
	if (!page)
		return scn_errno_result(r, "alloc_pages", -ENOMEM);
	scn_set_value(r, SCN_VAL_PAGE, page_to_pfn(r->m, page), page);
	r->res.value.order = (unsigned int)order;
	snprintf(r->res.note, sizeof(r->res.note), "order %u, %lu page%s, zone %s",
		 (unsigned int)order, 1UL << order, order ? "s" : "", page_zone(r->m, page)->name);
	return 0;
}

int scn_cmd_free_pages(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *v = scn_kernel_var(r, &c->arg[0], SCN_VAL_PAGE, "a page from alloc_pages");
	uint64_t order;

	if (!v)
		return -1;
	order = v->order;
	if (c->nargs > 1) {
		order = scn_eval(r, &c->arg[1]);
		if (r->failed)
			return -1;
		if (order != v->order)
			return scn_fail(r, c->arg[1].col, "$%s was allocated with order %u, not %"
					PRIu64, r->sc->var_names[c->arg[0].e.var], v->order, order);
	}
	__free_pages(r->m, v->ptr, (unsigned int)order);
	v->freed_line = r->cmd->line;
	return 0;
}

int scn_cmd_kmalloc(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t size = scn_eval(r, &c->arg[0]);
	void *p;
	gfp_t gfp;

	if (r->failed)
		return -1;
	eval_gfp(c, 1, GFP_KERNEL, &gfp);
	p = kmalloc(r->m, (size_t)size, gfp);
	if (!p)
		return scn_errno_result(r, "kmalloc", -ENOMEM);
	if (p == ZERO_SIZE_PTR) {
		scn_set_value(r, SCN_VAL_KOBJ, (uint64_t)(uintptr_t)ZERO_SIZE_PTR, p);
		snprintf(r->res.note, sizeof(r->res.note), "ZERO_SIZE_PTR");
		return 0;
	}
	scn_set_value(r, SCN_VAL_KOBJ, host_to_kva(r->m, p), p);
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		snprintf(r->res.note, sizeof(r->res.note), "%s, ksize %zu",
			 kmem_cache_name(kmalloc_slab(r->m, (size_t)size, gfp)), ksize(r->m, p));
	else
		snprintf(r->res.note, sizeof(r->res.note), "from the page allocator, ksize %zu",
			 ksize(r->m, p));
	return 0;
}

int scn_cmd_kfree(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *v = scn_kernel_var(r, &c->arg[0], SCN_VAL_KOBJ, "a kmalloc object");

	if (!v)
		return -1;
	kfree(r->m, v->ptr);
	v->freed_line = r->cmd->line;
	return 0;
}

/* The constructor `kmem_cache_create ... ctor` installs: stamps each new
 * object with "ctor" (objects are at least 4 bytes then). */
static void scn_ctor(void *obj)
{
	memcpy(obj, "ctor", 4);
}

int scn_cmd_cache_create(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t size = scn_eval(r, &c->arg[1]), align = 0;
	slab_flags_t flags = 0;
	void (*ctor)(void *obj) = NULL;
	struct kmem_cache *s;

	if (r->failed)
		return -1;
	for (int i = 2; i < c->nargs; i++) {
		const char *o = c->arg[i].text;

		if (!strcmp(o, "ctor"))
			ctor = scn_ctor;
		else if (!strcmp(o, "hwcache_align"))
			flags |= SLAB_HWCACHE_ALIGN;
		else
			scn_parse_number(o + 6, &align);
	}
	if (ctor && size < 4)
		return scn_fail(r, c->arg[1].col, "a cache with a ctor needs objects of 4 bytes or more");
	if (size > UINT32_MAX || align > UINT32_MAX)
		return scn_errno_result(r, "kmem_cache_create", -EINVAL);
	s = kmem_cache_create(r->m, c->arg[0].text, (unsigned int)size, (unsigned int)align,
			      flags, ctor);
	if (!s)
		return scn_errno_result(r, "kmem_cache_create", -ENOMEM);
	scn_set_value(r, SCN_VAL_CACHE, 0, s);
	snprintf(r->res.note, sizeof(r->res.note), "object size %u, slot %u, %u per slab of %u page%s",
		 s->object_size, s->size, s->num, 1U << s->gfporder, s->gfporder ? "s" : "");
	return 0;
}

int scn_cmd_cache_alloc(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *v = scn_kernel_var(r, &c->arg[0], SCN_VAL_CACHE, "a kmem_cache");
	void *p;

	if (!v)
		return -1;
	p = kmem_cache_alloc(r->m, v->ptr, GFP_KERNEL);
	if (!p)
		return scn_errno_result(r, "kmem_cache_alloc", -ENOMEM);
	scn_set_value(r, SCN_VAL_KOBJ, host_to_kva(r->m, p), p);
	r->res.value.order = (unsigned int)c->arg[0].e.var;	/* the cache it came from */
	return 0;
}

int scn_cmd_cache_free(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *s = scn_kernel_var(r, &c->arg[0], SCN_VAL_CACHE, "a kmem_cache");
	struct scn_val *o = s ? scn_kernel_var(r, &c->arg[1], SCN_VAL_KOBJ, "a slab object") : NULL;

	if (!o)
		return -1;
	kmem_cache_free(r->m, s->ptr, o->ptr);
	o->freed_line = r->cmd->line;
	return 0;
}

int scn_cmd_cache_destroy(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *s = scn_kernel_var(r, &c->arg[0], SCN_VAL_CACHE, "a kmem_cache");
	int ret;

	if (!s)
		return -1;
	ret = kmem_cache_destroy(r->m, s->ptr);
	if (ret)
		return scn_errno_result(r, "kmem_cache_destroy", ret);
	s->freed_line = r->cmd->line;
	return 0;
}

int scn_cmd_vmalloc(struct scn_run *r, const struct scn_cmd *c)
{
	uint64_t size = scn_eval(r, &c->arg[0]);
	void *p;

	if (r->failed)
		return -1;
	p = vmalloc_caller(r->m, (unsigned long)size, "scenario_vmalloc");
	if (!p)
		return scn_errno_result(r, "vmalloc", -ENOMEM);
	scn_set_value(r, SCN_VAL_VMALLOC, host_to_kva(r->m, p), p);
	snprintf(r->res.note, sizeof(r->res.note), "%u page%s, first at pfn 0x%lx",
		 find_vm_area(r->m, p)->nr_pages, find_vm_area(r->m, p)->nr_pages == 1 ? "" : "s",
		 vmalloc_to_pfn(r->m, p));
	return 0;
}

int scn_cmd_vfree(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *v = scn_kernel_var(r, &c->arg[0], SCN_VAL_VMALLOC, "a vmalloc area");

	if (!v)
		return -1;
	vfree(r->m, v->ptr);
	v->freed_line = r->cmd->line;
	return 0;
}

int scn_cmd_kmap(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *v = scn_kernel_var(r, &c->arg[0], SCN_VAL_PAGE, "a page from alloc_pages");
	void *p;

	if (!v)
		return -1;
	p = kmap(r->m, v->ptr);
	if (!p)
		return scn_errno_result(r, "kmap", -ENOMEM);
	scn_set_value(r, SCN_VAL_KMAP, host_to_kva(r->m, p), p);
	snprintf(r->res.note, sizeof(r->res.note), "%s",
		 PageHighMem(r->m, v->ptr) ? "highmem: a pkmap slot" : "lowmem: its direct-map address");
	return 0;
}

int scn_cmd_kunmap(struct scn_run *r, const struct scn_cmd *c)
{
	struct scn_val *v = scn_kernel_var(r, &c->arg[0], SCN_VAL_PAGE, "a page from alloc_pages");

	if (!v)
		return -1;
	kunmap(r->m, v->ptr);
	return 0;
}

/* /proc/NAME/... with a scenario process name becomes /proc/PID/... */
static void proc_path(struct scn_run *r, const char *in, char *out, size_t len)
{
	const char *p = in + 6, *slash = strchr(p, '/');

	snprintf(out, len, "%s", in);
	if (!slash || (*p >= '0' && *p <= '9'))
		return;
	for (int i = r->nr_procs - 1; i >= 0; i--)
		if (strlen(r->procs[i].name) == (size_t)(slash - p) &&
		    !strncmp(r->procs[i].name, p, (size_t)(slash - p))) {
			snprintf(out, len, "/proc/%d%s", r->procs[i].pid, slash);
			return;
		}
}

struct scn_counter {
	const char *name;
	int event;		/* vm_event index, or -1 */
};

static const struct scn_counter counters[] = {
	{ "nr_free_pages", -1 }, { "pgalloc_dma", PGALLOC_DMA }, { "pgalloc_normal", PGALLOC_NORMAL },
	{ "pgalloc_high", PGALLOC_HIGH }, { "pgfree", PGFREE }, { "pgfault", PGFAULT },
	{ "pgmajfault", PGMAJFAULT }, { "minflt", -1 }, { "majflt", -1 }, { NULL, 0 },
};

static bool counter_value(struct scn_run *r, const struct scn_counter *k, unsigned long *v)
{
	struct task_struct *t = get_current(r->m);

	if (k->event >= 0)
		*v = vm_event(r->m, k->event);
	else if (!strcmp(k->name, "nr_free_pages"))
		*v = nr_free_pages(r->m);
	else if (!t)
		return false;
	else
		*v = !strcmp(k->name, "minflt") ? t->min_flt : t->maj_flt;
	return true;
}

static int show_counters(struct scn_run *r, const struct scn_cmd *c)
{
	unsigned long v;

	if (c->nargs == 1) {
		for (const struct scn_counter *k = counters; k->name; k++)
			if (counter_value(r, k, &v))
				scn_printf(r, "%s %lu\n", k->name, v);
		return 0;
	}
	for (int i = 1; i < c->nargs; i++) {
		const struct scn_counter *k = counters;

		while (k->name && strcmp(k->name, c->arg[i].text))
			k++;
		if (!k->name)
			return scn_fail(r, c->arg[i].col, "unknown counter '%s' (nr_free_pages "
					"pgalloc_dma pgalloc_normal pgalloc_high pgfree pgfault "
					"pgmajfault minflt majflt)", c->arg[i].text);
		if (!counter_value(r, k, &v))
			return scn_fail(r, c->arg[i].col, "%s needs a current process", k->name);
		scn_printf(r, "%s %lu\n", k->name, v);
	}
	return 0;
}

/* Does the line contain the word (^WORD: start with it)? */
static bool line_matches(const char *line, size_t n, const struct scn_arg *w)
{
	if (w->len > 1 && w->text[0] == '^')
		return n >= w->len - 1 && !memcmp(line, w->text + 1, w->len - 1);
	return memmem(line, n, w->text, w->len) != NULL;
}

/* The lines of text that contain one of the words after the path (all
 * lines when there are none; ^WORD: the lines that start with WORD). */
static void show_lines(struct scn_run *r, const struct scn_cmd *c, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	if (c->nargs == 1) {
		scn_write(r, text, len);
		return;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		for (int i = 1; i < c->nargs; i++)
			if (line_matches(p, n, &c->arg[i])) {
				scn_write(r, p, n);
				break;
			}
		p += n;
	}
}

int scn_cmd_show(struct scn_run *r, const struct scn_cmd *c)
{
	const char *what = c->arg[0].text;
	char path[256];
	size_t len;
	char *text;
	int ret;

	if (!strcmp(what, "counters"))
		return show_counters(r, c);
	if (!strcmp(what, "log") || !strcmp(what, "dmesg")) {
		const char *log = mmkit_log_text(r->m, &len);
		size_t from = !strcmp(what, "log") ? r->log_mark : 0;

		if (from > len)
			from = len;
		scn_write(r, log + from, len - from);
		r->log_mark = len;
		return 0;
	}
	proc_path(r, what, path, sizeof(path));
	ret = mmkit_proc_read(r->m, path, &text, &len);
	if (ret)
		return scn_errno_result(r, "show", ret);
	show_lines(r, c, text, len);
	free(text);
	return 0;
}

int scn_cmd_check(struct scn_run *r, const struct scn_cmd *c)
{
	int bad = mmkit_check(r->m);

	(void)c;
	if (bad) {
		size_t len;
		const char *log = mmkit_log_text(r->m, &len);

		scn_write(r, log + r->log_mark, len - r->log_mark);
		r->log_mark = len;
		return scn_fail(r, 0, "%d invariant violation%s (the kernel log above says which)",
				bad, bad == 1 ? "" : "s");
	}
	scn_printf(r, "invariants hold\n");
	return 0;
}
