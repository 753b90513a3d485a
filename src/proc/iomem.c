/* /proc/iomem (cf. kernel/resource.c r_show, arch/x86/kernel/e820.c
 * e820__reserve_resources, and the kernel's code/rodata/data/bss resources
 * of arch/x86/kernel/setup.c). The tree is built from the live state on each
 * read: one top-level line per entry of the kernel's e820 table, the kernel
 * image's sections nested (two spaces per level) under the System RAM entry
 * that holds them. Addresses are printed %0*llx with width 8, end inclusive. */
#include "proc/seq.h"

struct iomem_res {
	u64 start, end;	/* end inclusive */
	const char *name;
};

/* The resource name of an e820 type (cf. e820_type_to_string()). */
static const char *e820_iomem_name(u32 type)
{
	switch (type) {
	case E820_RAM:
		return "System RAM";
	case E820_ACPI:
		return "ACPI Tables";
	case E820_NVS:
		return "ACPI Non-volatile Storage";
	case E820_UNUSABLE:
		return "Unusable memory";
	case E820_PRAM:
		return "Persistent Memory (legacy)";
	case E820_PMEM:
		return "Persistent Memory";
	case E820_RESERVED:
		return "Reserved";
	default:
		return "Unknown E820 type";
	}
}

static void iomem_line(struct seq_file *s, int depth, const struct iomem_res *r)
{
	seq_printf(s, "%*s%0*llx-%0*llx : %s\n", depth * 2, "", 8, (unsigned long long)r->start,
		   8, (unsigned long long)r->end, r->name);
}

/* The kernel image sections that lie inside [start, end]. */
static void iomem_kernel(struct seq_file *s, struct machine *m, u64 start, u64 end)
{
	const struct kernel_image *k = &m->kimage;
	const struct iomem_res res[] = {
		{ k->text, k->etext - 1, "Kernel code" },
		{ k->start_rodata, k->end_rodata - 1, "Kernel rodata" },
		{ k->sdata, k->edata - 1, "Kernel data" },
		{ k->bss_start, k->bss_stop - 1, "Kernel bss" },
	};

	if (!k->end)
		return;	/* setup_arch has not laid the image out */
	for (size_t i = 0; i < ARRAY_SIZE(res); i++)
		if (res[i].end >= res[i].start && res[i].start >= start && res[i].end <= end)
			iomem_line(s, 1, &res[i]);
}

/**
 * iomem_show - write /proc/iomem
 * @s: the output
 * @m: the machine
 *
 * Without PAE an i386 kernel's resource_size_t is 32 bits, so entries
 * ending above 4 GiB are left out, as Linux leaves them.
 *
 * Return: 0.
 */
int iomem_show(struct seq_file *s, struct machine *m)
{
	bool res32 = !m->arch.x86_64 && !m->arch.pae && m->e820.nr_map;

	for (int i = 0; i < m->e820.nr_map; i++) {
		const struct e820entry *e = &m->e820.map[i];
		struct iomem_res r = { e->addr, e->addr + e->size - 1, e820_iomem_name(e->type) };

		if (!e->size || (res32 && r.end > 0xffffffffULL))
			continue;
		iomem_line(s, 0, &r);
		if (e->type == E820_RAM)
			iomem_kernel(s, m, r.start, r.end);
	}
	return 0;
}
