/* slub_debug for the slab allocator (cf. the debug half of mm/slub.c and
 * Documentation/mm/slub.rst): red zones, poisoning, alloc/free tracking,
 * double-free and bad-pointer detection, and their reports in SLUB's words
 * (the 5.x wording with "INFO:" lines:
 *   BUG kmalloc-64 (Not tainted): Redzone overwritten
 *   INFO: 0xc7a3b040-0xc7a3b043 @offset=64. First byte 0x0 instead of 0xcc
 *   INFO: Slab 0x... objects=.. used=.. fp=0x... flags=0x...
 *   INFO: Object 0x... @offset=... fp=0x(null)
 *   FIX kmalloc-64: Restoring 0x...-0x...=0xcc).
 *
 * A debug cache (any of SLAB_RED_ZONE, SLAB_POISON, SLAB_STORE_USER,
 * SLAB_CONSISTENCY_CHECKS) has no per-CPU arrays, so every alloc and free
 * passes here under the node lock. Object slot:
 *   [left red zone | object | right red zone .. inuse | tracks | padding]
 * Red zones hold 0xcc while allocated, 0xbb while free; a poisoned free
 * object holds 0x6b with a final 0xa5; padding holds 0x5a.
 * Unlike SLUB, which checks only with F, every debug cache checks what its
 * patterns can tell. A corrupted free object makes its slab "all used", a
 * refused free leaks the object: nothing damaged is handed out again.
 *
 * Also here: slub_debug= parsing and check_slab(), the invariant checker. */
#include "mm/slab.h"

/* ---- printing helpers ----------------------------------------------------- */

/**
 * slab_kva - the address to print for a pointer
 * @m: the machine
 * @p: a host pointer
 *
 * The x86 virtual address for simulated RAM, the host address otherwise.
 */
unsigned long long slab_kva(const struct machine *m, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)m->ram;

	if (m->ram && off < m->ram_bytes)
		return m->arch.page_offset + off;
	return (unsigned long long)(uintptr_t)p;
}

/**
 * slab_kva_width - hex digits of a kernel pointer (8 on i386, 16 on x86_64)
 * @m: the machine
 */
int slab_kva_width(const struct machine *m)
{
	return m->arch.x86_64 ? 16 : 8;
}

#define KVA(m, p) slab_kva_width(m), slab_kva(m, p)

/* print_tainted(): after the first BUG the kernel carries TAINT_BAD_PAGE. */
static const char *print_tainted(const struct machine *m)
{
	return m->slab.tainted ? "Tainted: G    B              " : "Not tainted";
}

/**
 * slab_dump_stack - the header dump_stack() prints
 * @m: the machine
 */
void slab_dump_stack(struct machine *m)
{
	pr_err(m, "CPU: %u PID: 0 Comm: %s %s 6.18.0-mmkit #1\n", smp_processor_id(m), m->comm,
	       print_tainted(m));
}

/**
 * __slab_warn - a WARN() with Linux's framing
 * @m: the machine
 * @file: source file (printed from "mm/")
 * @line: source line
 * @func: function
 * @fmt: the message
 */
void __slab_warn(struct machine *m, const char *file, int line, const char *func,
		 const char *fmt, ...)
{
	const char *src = __builtin_strstr(file, "src/");
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	machine_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_warn(m, "------------[ cut here ]------------\n");
	pr_warn(m, "%s", msg);
	pr_warn(m, "WARNING: CPU: %u PID: 0 at %s:%d %s\n", smp_processor_id(m),
		src ? src + 4 : file, line, func);
	slab_dump_stack(m);
	pr_warn(m, "---[ end trace 0000000000000000 ]---\n");
}

/* "BUG <cache> (<taint>): <what>" (cf. slab_bug). */
static void slab_bug(struct machine *m, struct kmem_cache *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void slab_bug(struct machine *m, struct kmem_cache *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	machine_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err(m, "=============================================================================\n");
	pr_err(m, "BUG %s (%s): %s\n", c->name, print_tainted(m), msg);
	pr_err(m, "-----------------------------------------------------------------------------\n\n");
	m->slab.tainted = true;
	m->slab.nr_debug_reports++;
	c->errors++;
}

/**
 * slab_fix - report what the allocator did about a corruption ("FIX ...")
 * @m: the machine
 * @c: the cache
 * @fmt: what was done
 */
void slab_fix(struct machine *m, struct kmem_cache *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	machine_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err(m, "FIX %s: %s\n", c->name, msg);
}

/* A hex dump like print_hex_dump(DUMP_PREFIX_ADDRESS, 16, 1, ascii). */
static void print_section(struct machine *m, const char *text, const u8 *addr, unsigned int len)
{
	for (unsigned int off = 0; off < len; off += 16) {
		unsigned int n = min(16U, len - off), lx = 0;
		char line[80];

		for (unsigned int j = 0; j < n; j++)
			lx += (unsigned int)machine_snprintf(line + lx, sizeof(line) - lx, "%02x ",
							     addr[off + j]);
		lx--;	/* no space after the last byte */
		while (lx < 49)
			line[lx++] = ' ';
		for (unsigned int j = 0; j < n; j++) {
			u8 ch = addr[off + j];

			line[lx++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '.';
		}
		line[lx] = '\0';
		pr_err(m, "%s%0*llx: %s\n", text, KVA(m, addr + off), line);
	}
}

static struct track *get_track(struct kmem_cache *c, void *objp, enum track_item item)
{
	return (struct track *)((u8 *)objp + c->track_offset) + item;
}

static void set_track(struct machine *m, struct kmem_cache *c, void *objp, enum track_item item,
		      unsigned long addr)
{
	struct track *t = get_track(c, objp, item);

	t->addr = addr;
	t->cpu = smp_processor_id(m);
	t->pid = 0;
	t->when = slab_jiffies(m);
}

static void print_tracking(struct machine *m, struct kmem_cache *c, void *objp)
{
	static const char *const what[] = { "Allocated", "Freed" };

	if (!(c->flags & SLAB_STORE_USER))
		return;
	for (int i = TRACK_ALLOC; i <= TRACK_FREE; i++) {
		struct track *t = get_track(c, objp, (enum track_item)i);

		if (t->addr)
			pr_err(m, "INFO: %s in 0x%lx age=%lu cpu=%u pid=%d\n", what[i], t->addr,
			       slab_jiffies(m) - t->when, t->cpu, t->pid);
	}
}

static void print_page_info(struct machine *m, struct kmem_cache *c, struct page *page)
{
	pr_err(m, "INFO: Slab 0x%0*llx objects=%u used=%u fp=0x%0*llx flags=0x%04lx\n",
	       KVA(m, page), c->num, page->inuse, KVA(m, page->freelist), page->flags);
}

/* Everything known about an object (cf. print_trailer). */
static void print_trailer(struct machine *m, struct kmem_cache *c, struct page *page, u8 *p)
{
	u8 *addr = slab_address(m, page);
	unsigned int off, slot_end = c->size - c->obj_offset;

	print_tracking(m, c, p);
	print_page_info(m, c, page);
	pr_err(m, "INFO: Object 0x%0*llx @offset=%tu fp=0x(null)\n\n", KVA(m, p), p - addr);
	if (c->flags & SLAB_RED_ZONE)
		print_section(m, "Redzone ", p - c->obj_offset, c->obj_offset);
	else if (p > addr + 16)
		print_section(m, "Bytes b4 ", p - 16, 16);
	print_section(m, "Object ", p, min(c->object_size, (unsigned int)PAGE_SIZE));
	if (c->flags & SLAB_RED_ZONE)
		print_section(m, "Redzone ", p + c->object_size, c->inuse - c->object_size);
	off = c->track_offset ? c->track_offset + 2 * (unsigned int)sizeof(struct track) : c->inuse;
	if (off < slot_end)
		print_section(m, "Padding ", p + off, slot_end - off);
	slab_dump_stack(m);
}

/**
 * object_err - report a bad object (cf. object_err)
 * @m: the machine
 * @c: the cache
 * @page: the slab's head page
 * @objp: the object
 * @reason: what is wrong ("Object already free", ...)
 */
void object_err(struct machine *m, struct kmem_cache *c, struct page *page, void *objp,
		const char *reason)
{
	slab_bug(m, c, "%s", reason);
	print_trailer(m, c, page, objp);
}

/**
 * slab_err - report a bad slab or pointer (cf. slab_err)
 * @m: the machine
 * @c: the cache
 * @page: the slab's head page
 * @fmt: what is wrong
 */
void slab_err(struct machine *m, struct kmem_cache *c, struct page *page, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	machine_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	slab_bug(m, c, "%s", msg);
	print_page_info(m, c, page);
	slab_dump_stack(m);
}

/**
 * slab_bad_free - report a free that must not happen, and ignore it
 * @m: the machine
 * @c: the cache the caller named (NULL from kfree)
 * @objp: the pointer
 * @func: "kmem_cache_free", "kfree", or "double" for a double free
 *
 * The wording is Linux's: a double free is "Object already free"; a pointer
 * into a slab that is not an object start "Invalid object pointer"; an
 * object of another cache "Wrong slab cache"; anything else "Object is not
 * a Slab page". The object is left as it was (not freed, not reused).
 */
void slab_bad_free(struct machine *m, struct kmem_cache *c, const void *objp, const char *func)
{
	struct page *page = virt_to_slab_page(m, objp);
	struct kmem_cache *owner = page ? page->slab_cache : NULL;

	m->slab.nr_bad_frees++;
	if (!mm_strcmp(func, "double")) {
		page = slab_head(m, c, page);
		object_err(m, c, page, (void *)objp, "Object already free");
		return;
	}
	if ((uintptr_t)objp - (uintptr_t)m->ram >= ((uintptr_t)m->max_low_pfn << PAGE_SHIFT)) {
		slab_warn(m, "virt_to_phys used for non-linear address: %p\n", objp);
		return;
	}
	if (!owner) {
		slab_warn(m, "virt_to_cache: Object is not a Slab page!\n");
		return;
	}
	if (c && owner != c) {
		slab_warn(m, "%s: Wrong slab cache. %s but object is from %s\n", func, c->name,
			  owner->name);
		return;
	}
	slab_err(m, owner, slab_head(m, owner, page), "Invalid object pointer 0x%0*llx",
		 slab_kva_width(m), slab_kva(m, objp));
}

/* ---- the checks ------------------------------------------------------------ */

static u8 *memchr_inv(u8 *start, u8 value, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		if (start[i] != value)
			return start + i;
	return NULL;
}

/* Report and repair bytes in [start, start+bytes) that are not value
 * (cf. check_bytes_and_report). Returns true when all were right. */
static bool check_bytes_and_report(struct machine *m, struct kmem_cache *c, struct page *page,
				   u8 *object, const char *what, u8 *start, u8 value,
				   unsigned int bytes)
{
	u8 *fault = memchr_inv(start, value, bytes), *end = start + bytes;

	if (!fault)
		return true;
	while (end > fault && end[-1] == value)
		end--;
	slab_bug(m, c, "%s overwritten", what);
	pr_err(m, "INFO: 0x%0*llx-0x%0*llx @offset=%tu. First byte 0x%x instead of 0x%x\n",
	       KVA(m, fault), KVA(m, end - 1), fault - slab_address(m, page), fault[0], value);
	print_trailer(m, c, page, object);
	slab_fix(m, c, "Restoring 0x%0*llx-0x%0*llx=0x%x", KVA(m, fault), KVA(m, end - 1), value);
	mm_memset(fault, value, (size_t)(end - fault));
	return false;
}

static unsigned int pad_offset(const struct kmem_cache *c)
{
	return c->track_offset ? c->track_offset + 2 * (unsigned int)sizeof(struct track) : c->inuse;
}

/* Red zones, poison and padding of one object (cf. check_object); val is
 * the red zone byte it should carry. */
static bool check_object(struct machine *m, struct kmem_cache *c, struct page *page, u8 *p,
			 u8 val)
{
	unsigned int pad = pad_offset(c), slot_end = c->size - c->obj_offset;

	if (c->flags & SLAB_RED_ZONE) {
		if (!check_bytes_and_report(m, c, page, p, "Redzone", p - c->obj_offset, val,
					    c->obj_offset))
			return false;
		if (!check_bytes_and_report(m, c, page, p, "Redzone", p + c->object_size, val,
					    c->inuse - c->object_size))
			return false;
	}
	if (c->flags & SLAB_POISON) {
		if (val != SLUB_RED_ACTIVE && slab_poisons(c) &&
		    (!check_bytes_and_report(m, c, page, p, "Poison", p, POISON_FREE,
					     c->object_size - 1) ||
		     !check_bytes_and_report(m, c, page, p, "Poison", p + c->object_size - 1,
					     POISON_END, 1)))
			return false;
		/* padding repairs itself; it does not make the object bad */
		if (pad < slot_end)
			check_bytes_and_report(m, c, page, p, "Object padding", p + pad,
					       POISON_INUSE, slot_end - pad);
	}
	return true;
}

static void init_object(struct kmem_cache *c, u8 *p, u8 val)
{
	if (c->flags & SLAB_RED_ZONE)
		mm_memset(p - c->obj_offset, val, c->obj_offset);
	if (slab_poisons(c)) {
		mm_memset(p, POISON_FREE, c->object_size - 1);
		p[c->object_size - 1] = POISON_END;
	}
	if (c->flags & SLAB_RED_ZONE)
		mm_memset(p + c->object_size, val, c->inuse - c->object_size);
}

/**
 * slab_debug_init_obj - lay the debug patterns of a new slab's object
 * @m: the machine
 * @c: a debug cache
 * @objp: the object
 */
void slab_debug_init_obj(struct machine *m, struct kmem_cache *c, void *objp)
{
	unsigned int pad = pad_offset(c), slot_end = c->size - c->obj_offset;
	u8 *p = objp;

	if ((c->flags & SLAB_POISON) && pad < slot_end)
		mm_memset(p + pad, POISON_INUSE, slot_end - pad);
	if (c->flags & SLAB_STORE_USER)
		mm_memset(p + c->track_offset, 0, 2 * sizeof(struct track));
	init_object(c, p, SLUB_RED_INACTIVE);
}

static bool on_freelist(struct kmem_cache *c, struct page *page, unsigned int objnr)
{
	if (!page->freelist)
		return false;
	for (unsigned int i = page->inuse; i < c->num; i++)
		if (get_free_obj(page, i) == objnr)
			return true;
	return false;
}

/**
 * alloc_debug_processing - check an object leaving its slab
 * @m: the machine
 * @c: a debug cache
 * @page: the slab's head page (node lock held)
 * @objp: the object
 * @caller: the allocating code
 *
 * A free object whose red zone or poison was overwritten (a write past a
 * neighbour, a use after free) is reported. Returns false then: the caller
 * marks the slab used and allocates elsewhere.
 */
bool alloc_debug_processing(struct machine *m, struct kmem_cache *c, struct page *page,
			    void *objp, unsigned long caller)
{
	if (!check_object(m, c, page, objp, SLUB_RED_INACTIVE))
		return false;
	if (c->flags & SLAB_STORE_USER)
		set_track(m, c, objp, TRACK_ALLOC, caller);
	init_object(c, objp, SLUB_RED_ACTIVE);
	return true;
}

/**
 * check_free_object - the checker's look at a free object of a debug cache
 * @m: the machine
 * @c: the cache
 * @page: the slab's head page (node lock held)
 * @objp: a free object
 *
 * Returns false (after reporting and repairing) when its patterns are broken.
 */
bool check_free_object(struct machine *m, struct kmem_cache *c, struct page *page, void *objp)
{
	return check_object(m, c, page, objp, SLUB_RED_INACTIVE);
}

/**
 * free_debug_processing - check an object coming back
 * @m: the machine
 * @c: a debug cache
 * @page: the slab's head page (node lock held)
 * @objp: the object, known to be an object of c
 * @caller: the freeing code
 *
 * Reports a double free ("Object already free") and a red zone written
 * past ("Redzone overwritten"). Returns false when the object must not be
 * freed; else poisons it and returns true.
 */
bool free_debug_processing(struct machine *m, struct kmem_cache *c, struct page *page,
			   void *objp, unsigned long caller)
{
	if (on_freelist(c, page, obj_to_index(m, c, page, objp))) {
		object_err(m, c, page, objp, "Object already free");
		return false;
	}
	if (!check_object(m, c, page, objp, SLUB_RED_ACTIVE))
		return false;
	if (c->flags & SLAB_STORE_USER)
		set_track(m, c, objp, TRACK_FREE, caller);
	init_object(c, objp, SLUB_RED_INACTIVE);
	return true;
}

/* ---- slub_debug= ------------------------------------------------------------ */

static slab_flags_t parse_slub_debug_flags(struct machine *m, const char *s, const char **end)
{
	slab_flags_t flags = 0;

	if (!*s || *s == ',' || *s == ' ') {
		*end = s;
		return SLAB_DEBUG_FLAGS;	/* "slub_debug" alone: FZPU */
	}
	for (; *s && *s != ',' && *s != ' '; s++) {
		switch (*s | 0x20) {
		case 'f': flags |= SLAB_CONSISTENCY_CHECKS; break;
		case 'z': flags |= SLAB_RED_ZONE; break;
		case 'p': flags |= SLAB_POISON; break;
		case 'u': flags |= SLAB_STORE_USER; break;
		case 't': flags |= SLAB_TRACE; break;
		case 'a': case 'o': break;
		case '-': flags = 0; break;
		default:
			pr_err(m, "slub_debug option '%c' unknown. skipped\n", *s);
		}
	}
	*end = s;
	return flags;
}

/**
 * slub_debug_setup - read slub_debug= and slab_max_order= (boot)
 * @m: the machine
 *
 * slub_debug[=FZPU-][,cache,cache*]: debug flags for every cache, or only
 * the named ones ('*' ends a prefix). Flags set in m->slab.slub_debug
 * before boot are kept.
 */
void slub_debug_setup(struct machine *m)
{
	const char *val, *end;

	if (cmdline_find_option(m, "slab_max_order", &val)) {
		int order = (int)machine_strtoull(val, NULL, 0);

		m->slab.slab_max_order = clamp(order, 0, MAX_PAGE_ORDER);
	}
	if (!cmdline_find_option(m, "slub_debug", &val) &&
	    !cmdline_find_option(m, "slab_debug", &val))
		return;
	m->slab.slub_debug |= parse_slub_debug_flags(m, val, &end);
	if (*end == ',') {
		size_t n = 0;

		for (end++; *end && *end != ' ' && n + 1 < sizeof(m->slab.slub_debug_slabs); end++)
			m->slab.slub_debug_slabs[n++] = *end;
		m->slab.slub_debug_slabs[n] = '\0';
	}
}

/* Does name match "a,b,pre*"? */
static bool slub_debug_match(const char *list, const char *name)
{
	size_t nlen = mm_strlen(name);

	while (*list) {
		const char *e = list;
		size_t len;

		while (*e && *e != ',')
			e++;
		len = (size_t)(e - list);
		if (len && list[len - 1] == '*') {
			if (nlen >= len - 1 && !mm_strncmp(list, name, len - 1))
				return true;
		} else if (len == nlen && !mm_strncmp(list, name, len)) {
			return true;
		}
		list = *e ? e + 1 : e;
	}
	return false;
}

/**
 * kmem_cache_flags - the flags a new cache gets from slub_debug
 * @m: the machine
 * @size: object size
 * @flags: the creator's flags
 * @name: the cache name
 */
slab_flags_t kmem_cache_flags(struct machine *m, unsigned int size, slab_flags_t flags,
			      const char *name)
{
	const char *list = m->slab.slub_debug_slabs;

	(void)size;
	if (!list[0] || slub_debug_match(list, name))
		flags |= m->slab.slub_debug;
	return flags;
}
