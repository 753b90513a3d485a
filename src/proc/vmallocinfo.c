/* /proc/vmallocinfo (cf. vmalloc_info_show in mm/vmalloc.c, Linux 6.x):
 * one line per vmalloc/vmap area in address order,
 *   0x<start>-0x<end> <size %7ld> <caller> pages=N phys=... vmalloc vmap vpages N0=N
 * Addresses print as %px does (8 hex digits on i386, 16 on x86_64), i.e.
 * what root sees with kptr_restrict=1; size and end include the guard page.
 * The caller is the name given to vmalloc (Linux prints a symbol+offset).
 * N0= appears on x86_64 only (CONFIG_NUMA, as the page allocator models). */
#include "proc/seq.h"

static void show_area(struct seq_file *s, struct machine *m, const struct vm_struct *v)
{
	int w = m->arch.x86_64 ? 16 : 8;

	seq_printf(s, "0x%0*llx-0x%0*llx %7ld", w, (unsigned long long)v->addr, w,
		   (unsigned long long)(v->addr + v->size), (long)v->size);
	if (v->caller)
		seq_printf(s, " %s", v->caller);
	if (v->nr_pages)
		seq_printf(s, " pages=%d", (int)v->nr_pages);
	if (v->phys_addr)
		seq_printf(s, " phys=0x%0*llx", (m->arch.pae || m->arch.x86_64) ? 16 : 8,
			   (unsigned long long)v->phys_addr);
	if (v->flags & VM_IOREMAP)
		seq_puts(s, " ioremap");
	if (v->flags & VM_ALLOC)
		seq_puts(s, " vmalloc");
	if (v->flags & VM_MAP)
		seq_puts(s, " vmap");
	if (v->flags & VM_USERMAP)
		seq_puts(s, " user");
	if (v->flags & VM_DMA_COHERENT)
		seq_puts(s, " dma-coherent");
	if (v->pages_vmalloced)
		seq_puts(s, " vpages");
	if (m->arch.x86_64 && v->nr_pages)
		seq_printf(s, " N0=%u", v->nr_pages);
	seq_putc(s, '\n');
}

int vmallocinfo_show(struct seq_file *s, struct machine *m)
{
	const struct vmap_area *va;

	if (!m->vmalloc.ready)
		return 0;
	list_for_each_entry(va, &m->vmalloc.busy, list) {
		if (va->vm.flags & VM_UNINITIALIZED)
			continue;
		show_area(s, m, &va->vm);
	}
	return 0;
}
