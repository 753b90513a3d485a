/* The memory part of setup_arch() (cf. arch/i386/kernel/setup.c of 2.4 and
 * 2.6, which the seed walks through, and arch/x86/mm/init_32.c):
 *
 *   setup_memory_region()   the BIOS map -> m->e820, printed
 *   parse_mem_cmdline()     mem= / memmap= / highmem=
 *   start_pfn = PFN_UP(__pa(&_end))            first page after the kernel
 *   max_pfn   = highest whole E820_RAM page + 1
 *   max_low_pfn: capped at MAXMEM_PFN (896 MiB on i386), with the
 *               HIGHMEM / PAE decisions and their warnings
 *   init_bootmem(start_pfn, max_low_pfn), free the low RAM to it, reserve
 *   the kernel image + bitmap and page 0.
 *
 * Owns m->arch, m->kimage, start_pfn, max_pfn, max_low_pfn, min_low_pfn,
 * highstart_pfn and highend_pfn. Invariants after a successful setup_arch():
 * start_pfn < max_low_pfn <= max_pfn; on i386 max_low_pfn <= MAXMEM_PFN; the
 * kernel image and the bootmem bitmap lie in E820_RAM below max_low_pfn;
 * m->ram holds PFN_PHYS(max_pfn) bytes. */
#include "internal.h"

#define pages_to_mb(x) ((x) >> (20 - PAGE_SHIFT))

#define I386_PAGE_OFFSET 0xC0000000ULL
#define I386_VMALLOC_RESERVE (128ULL << 20)
/* MAXMEM = -PAGE_OFFSET - VMALLOC_RESERVE in 32-bit arithmetic: 896 MiB. */
#define I386_MAXMEM ((1ULL << 32) - I386_PAGE_OFFSET - I386_VMALLOC_RESERVE)
#define X86_64_PAGE_OFFSET 0xffff888000000000ULL
#define X86_64_MAX_PHYSMEM_BITS 46	/* 4-level paging: 64 TiB */
#define PAE_MAX_PHYSMEM_BITS 36		/* PAE: 64 GiB */

/**
 * arch_layout_init - fill m->arch with the configured kernel's constants
 * @m: the machine; reads m->desc.arch and m->desc.highmem
 *
 * i386 (3G/1G split): PAGE_OFFSET 0xC0000000, VMALLOC_RESERVE 128 MiB,
 * MAXMEM_PFN = PFN_DOWN(-PAGE_OFFSET - VMALLOC_RESERVE) = 0x38000 (896 MiB),
 * MAX_NONPAE_PFN = 1 << 20. i386-pae implies HIGHMEM. x86_64: the direct
 * map at 0xffff888000000000 covers all RAM (no high memory); ZONE_DMA32
 * ends at 4 GiB. ZONE_DMA ends at 16 MiB everywhere.
 */
void arch_layout_init(struct machine *m)
{
	struct arch_layout *a = &m->arch;

	mm_memset(a, 0, sizeof(*a));
	a->max_nonpae_pfn = 1UL << 20;
	a->max_dma_pfn = PFN_DOWN(SZ_16M);
	a->max_dma32_pfn = PFN_DOWN(SZ_4G);
	if (m->desc.arch == MMKIT_ARCH_X86_64) {
		a->x86_64 = true;
		a->page_offset = X86_64_PAGE_OFFSET;
		a->vmalloc_reserve = 0;	/* vmalloc has its own 32 TiB area */
		a->maxmem_pfn = 1UL << (X86_64_MAX_PHYSMEM_BITS - PAGE_SHIFT);
		return;
	}
	a->page_offset = I386_PAGE_OFFSET;
	a->vmalloc_reserve = I386_VMALLOC_RESERVE;
	a->maxmem_pfn = PFN_DOWN(I386_MAXMEM);
	a->pae = m->desc.arch == MMKIT_ARCH_I386_PAE;
	a->highmem = m->desc.highmem || a->pae;
}

/* The kernel image laid out from _text (cf. vmlinux.lds): code, then
 * rodata, data and bss, each page aligned on i386; on x86_64 rodata and
 * data start on 2 MiB boundaries. Sizes left 0 in the description get
 * defaults: a 2.6-era i386 kernel, or the 6.18 x86_64 kernel of
 * /work/shared/reference/proc/iomem. Returns -EINVAL if it wraps. */
static int kernel_image_init(struct machine *m)
{
	const struct machine_desc *d = &m->desc;
	struct kernel_image *k = &m->kimage;
	bool x86_64 = m->arch.x86_64;
	u64 big = x86_64 ? 2 * SZ_1M : PAGE_SIZE;
	u64 code = d->kernel_text_size ? d->kernel_text_size : x86_64 ? 0x1276508 : 2 * SZ_1M;
	u64 ro = d->kernel_rodata_size ? d->kernel_rodata_size : x86_64 ? 0xa0d000 : 512 * SZ_1K;
	u64 data = d->kernel_data_size ? d->kernel_data_size : x86_64 ? 0x27c180 : 512 * SZ_1K;
	u64 bss = d->kernel_bss_size ? d->kernel_bss_size : x86_64 ? 0x124000 : 256 * SZ_1K;

	k->text = d->kernel_text_phys ? d->kernel_text_phys : x86_64 ? SZ_16M : HIGH_MEMORY;
	if (code > (1ULL << 40) || ro > (1ULL << 40) || data > (1ULL << 40) ||
	    bss > (1ULL << 40) || k->text > (1ULL << 60)) {
		pr_emerg(m, "Kernel panic - not syncing: kernel image does not fit the address space\n");
		return -EINVAL;
	}
	k->etext = k->text + code;
	k->start_rodata = ALIGN(k->etext, big);
	k->end_rodata = k->start_rodata + ro;
	k->sdata = ALIGN(k->end_rodata, big);
	k->edata = k->sdata + data;
	k->bss_start = ALIGN(k->edata, PAGE_SIZE);
	k->bss_stop = k->bss_start + bss;
	k->end = ALIGN(k->bss_stop, PAGE_SIZE);
	return 0;
}

/* The highest pfn the paging mode can reach (cf. MAX_ARCH_PFN); i386
 * without PAE is left to find_max_low_pfn(), whose warnings the seed shows. */
static void find_max_pfn(struct machine *m)
{
	unsigned long limit = 0;

	m->max_pfn = e820_end_of_ram_pfn(m);
	if (m->arch.x86_64)
		limit = 1UL << (X86_64_MAX_PHYSMEM_BITS - PAGE_SHIFT);
	else if (m->arch.pae)
		limit = 1UL << (PAE_MAX_PHYSMEM_BITS - PAGE_SHIFT);
	if (limit && m->max_pfn > limit) {
		pr_info(m, "e820: last_pfn = %#lx max_arch_pfn = %#lx\n", m->max_pfn, limit);
		m->max_pfn = limit;
	}
}

/* More RAM than the direct map holds: the rest is high memory (if the
 * kernel has it), as much of it as highmem= allows. */
static unsigned long highmem_pfn_init(struct machine *m, long *highmem_pages)
{
	const struct arch_layout *a = &m->arch;
	unsigned long maxmem_pfn = a->maxmem_pfn;

	if (*highmem_pages == -1)
		*highmem_pages = (long)(m->max_pfn - maxmem_pfn);
	if ((unsigned long)*highmem_pages + maxmem_pfn < m->max_pfn)
		m->max_pfn = maxmem_pfn + (unsigned long)*highmem_pages;
	if ((unsigned long)*highmem_pages + maxmem_pfn > m->max_pfn) {
		printk(m, "only %luMB highmem pages available, ignoring highmem size of %luMB.\n",
		       pages_to_mb(m->max_pfn - maxmem_pfn),
		       pages_to_mb((unsigned long)*highmem_pages));
		*highmem_pages = 0;
	}
	if (!a->highmem) {
		/* Maximum memory usable is what is directly addressable. */
		pr_warn(m, "Warning only %ldMB will be used.\n",
			(long)((maxmem_pfn << PAGE_SHIFT) >> 20));
		if (m->max_pfn > a->max_nonpae_pfn)
			pr_warn(m, "Use a PAE enabled kernel.\n");
		else
			pr_warn(m, "Use a HIGHMEM enabled kernel.\n");
		m->max_pfn = maxmem_pfn;
	} else if (!a->pae && m->max_pfn > a->max_nonpae_pfn) {
		m->max_pfn = a->max_nonpae_pfn;
		pr_warn(m, "Warning only 4GB will be used.\n");
		pr_warn(m, "Use a PAE enabled kernel.\n");
	}
	return maxmem_pfn;
}

/* All RAM fits the direct map; highmem= may still carve high memory out. */
static unsigned long lowmem_pfn_init(struct machine *m, long *highmem_pages)
{
	unsigned long max_low_pfn = m->max_pfn;
	unsigned long hp;

	if (*highmem_pages == -1)
		*highmem_pages = 0;
	hp = (unsigned long)*highmem_pages;
	if (!m->arch.highmem) {
		if (hp)
			pr_err(m, "ignoring highmem size on non-highmem kernel!\n");
		return max_low_pfn;
	}
	if (hp >= m->max_pfn) {
		pr_err(m, "highmem size specified (%luMB) is bigger than pages available (%luMB)!.\n",
		       pages_to_mb(hp), pages_to_mb(m->max_pfn));
		hp = 0;
	}
	if (hp && max_low_pfn - hp < PFN_DOWN(64 * SZ_1M)) {
		pr_err(m, "highmem size %luMB results in smaller than 64MB lowmem, ignoring it.\n",
		       pages_to_mb(hp));
		hp = 0;
	}
	*highmem_pages = (long)hp;
	return max_low_pfn - hp;
}

/* i386: the end of low memory, max_pfn possibly cut (cf. 2.6's
 * find_max_low_pfn(), the seed's step 5). x86_64 maps all RAM directly. */
static void find_max_low_pfn(struct machine *m)
{
	long highmem_pages = m->cmdline.highmem_pages;

	if (m->arch.x86_64) {
		m->max_low_pfn = m->max_pfn;
		m->highstart_pfn = m->highend_pfn = m->max_pfn;
		return;
	}
	if (m->max_pfn > m->arch.maxmem_pfn)
		m->max_low_pfn = highmem_pfn_init(m, &highmem_pages);
	else
		m->max_low_pfn = lowmem_pfn_init(m, &highmem_pages);
	m->cmdline.highmem_pages = highmem_pages;

	m->highstart_pfn = m->highend_pfn = m->max_pfn;
	if (m->max_pfn > m->max_low_pfn)
		m->highstart_pfn = m->max_low_pfn;
	if (m->arch.highmem)
		pr_notice(m, "%ldMB HIGHMEM available.\n",
			  (long)pages_to_mb(m->highend_pfn - m->highstart_pfn));
	pr_notice(m, "%ldMB LOWMEM available.\n", (long)pages_to_mb(m->max_low_pfn));
}

/* Hand the whole RAM pages below max_low_pfn to bootmem (cf.
 * register_bootmem_low_pages()): start rounded up, end down. */
static void register_bootmem_low_pages(struct machine *m)
{
	for (int i = 0; i < m->e820.nr_map; i++) {
		const struct e820entry *e = &m->e820.map[i];
		unsigned long curr_pfn, last_pfn;

		if (e->type != E820_RAM)
			continue;
		curr_pfn = PFN_UP(e->addr);
		if (curr_pfn >= m->max_low_pfn)
			continue;
		last_pfn = PFN_DOWN(e->addr + e->size);
		if (last_pfn > m->max_low_pfn)
			last_pfn = m->max_low_pfn;
		if (last_pfn <= curr_pfn)
			continue;
		free_bootmem(m, PFN_PHYS(curr_pfn), PFN_PHYS(last_pfn - curr_pfn));
	}
}

/* The kernel image and the bitmap after it must be usable low RAM. */
static int check_kernel_fits(struct machine *m)
{
	unsigned long map_end_pfn = m->start_pfn + bootmem_bootmap_pages(m->max_low_pfn);
	phys_addr_t end = PFN_PHYS(map_end_pfn);

	if (map_end_pfn <= m->max_low_pfn && e820_all_mapped(m, m->kimage.text, end, E820_RAM))
		return 0;
	pr_emerg(m, "Kernel panic - not syncing: not enough usable low RAM for the kernel "
		 "image and the bootmem bitmap [mem 0x%08llx-0x%08llx] (max_low_pfn %#lx)\n",
		 (unsigned long long)m->kimage.text, (unsigned long long)end - 1,
		 m->max_low_pfn);
	return -ENOMEM;
}

/* setup_memory() of 2.6: the boot allocator over low memory. */
static int setup_bootmem(struct machine *m)
{
	unsigned long bootmap_size;
	int ret;

	ret = machine_ram_reserve(m, PFN_PHYS(m->max_pfn));
	if (ret) {
		pr_emerg(m, "Kernel panic - not syncing: the host cannot back %llu MiB of RAM\n",
			 (unsigned long long)(PFN_PHYS(m->max_pfn) >> 20));
		return ret;
	}
	bootmap_size = init_bootmem(m, m->start_pfn, m->max_low_pfn);
	if (!bootmap_size)
		return -ENOMEM;
	register_bootmem_low_pages(m);
	/* The kernel and the bitmap: from _text to the bitmap's last page. */
	reserve_bootmem(m, m->kimage.text,
			PFN_PHYS(m->start_pfn) + bootmap_size + PAGE_SIZE - 1 - m->kimage.text);
	/* Page 0: a special BIOS page on many boxes. */
	reserve_bootmem(m, 0, PAGE_SIZE);
	return 0;
}

/**
 * setup_arch - find the machine's memory and start the boot allocator
 * @m: a powered-off machine (m->ram NULL)
 *
 * The seed's walk through setup_arch(); see the file comment for the
 * steps. Prints the BIOS map, any user-defined map, the highmem warnings
 * and "NNNMB HIGHMEM/LOWMEM available." as the kernel does.
 *
 * Return: 0; -EINVAL for a malformed memory option, an invalid
 * user-defined map or an impossible kernel image; -ENOMEM when there is
 * no usable RAM, too little low RAM for the kernel and the bitmap, or the
 * host cannot reserve the RAM. The log says why.
 */
int setup_arch(struct machine *m)
{
	int ret;

	arch_layout_init(m);
	ret = kernel_image_init(m);
	if (ret)
		return ret;
	setup_memory_region(m);
	ret = parse_mem_cmdline(m);
	if (ret)
		return ret;

	/* Partially used pages are not usable: round up. */
	m->start_pfn = PFN_UP(m->kimage.end);
	find_max_pfn(m);
	if (!m->max_pfn) {
		pr_emerg(m, "Kernel panic - not syncing: no usable RAM in the e820 memory map\n");
		return -ENOMEM;
	}
	find_max_low_pfn(m);
	m->min_low_pfn = m->start_pfn;
	ret = check_kernel_fits(m);
	if (ret)
		return ret;
	return setup_bootmem(m);
}
