/* setup_arch(): max_pfn, max_low_pfn, highstart/highend, start_pfn, the
 * HIGHMEM/PAE decisions and their exact warnings, highmem=, the boot
 * allocator it leaves behind, and the boots that must fail cleanly.
 * Expected numbers come from the seed's formulas:
 *   MAXMEM_PFN = PFN_DOWN(-PAGE_OFFSET - VMALLOC_RESERVE) (32-bit)
 *   max_pfn    = max over RAM entries of PFN_DOWN(addr + size)
 *   start_pfn  = PFN_UP(__pa(&_end)),  pages_to_mb(x) = x >> 8 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define K(x) ((u64)(x) << 10)
#define M(x) ((u64)(x) << 20)
#define G(x) ((u64)(x) << 30)

#define PAGE_OFFSET_32 0xC0000000ULL
#define VMALLOC_RESERVE_32 M(128)
#define MAXMEM_PFN PFN_DOWN((1ULL << 32) - PAGE_OFFSET_32 - VMALLOC_RESERVE_32)
#define MAX_NONPAE_PFN (1UL << 20)
#define pages_to_mb(x) ((unsigned long)(x) >> 8)

/* A PC map: 0-0x9fc00 RAM, BIOS area reserved, RAM from 1M to low_end,
 * the firmware at the top of 4G, and RAM [4G, 4G + high) if high. */
static int pc_map(struct e820entry *map, u64 low_end, u64 high)
{
	int n = 0;

	map[n++] = (struct e820entry){ 0, 0x9fc00, E820_RAM };
	map[n++] = (struct e820entry){ 0x9fc00, 0x400, E820_RESERVED };
	map[n++] = (struct e820entry){ 0xf0000, 0x10000, E820_RESERVED };
	map[n++] = (struct e820entry){ M(1), low_end - M(1), E820_RAM };
	map[n++] = (struct e820entry){ 0xfffc0000, 0x40000, E820_RESERVED };
	if (high)
		map[n++] = (struct e820entry){ G(4), high, E820_RAM };
	return n;
}

static struct machine *machine_of(enum mmkit_arch arch, bool highmem, const struct e820entry *map,
				  int n, const char *cmdline)
{
	return test_machine_new(arch, highmem, map, n, cmdline);
}

/* An i386 PC with RAM up to low_end below 4G and high above it. */
static struct machine *pc(enum mmkit_arch arch, bool highmem, u64 low_end, u64 high,
			  const char *cmdline)
{
	struct e820entry map[8];
	int n = pc_map(map, low_end, high);

	return machine_of(arch, highmem, map, n, cmdline);
}

static void assert_setup_ok(struct machine *m)
{
	int ret = setup_arch(m);

	if (ret) {
		char *log = log_plain(m);

		fail_msg("setup_arch: %d\n%s", ret, log);
	}
}

/* ---- layout ---- */

static void test_i386_layout_constants(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(64), 0, NULL);

	(void)state;
	arch_layout_init(m);
	assert_int_equal(m->arch.page_offset, 0xC0000000);
	assert_int_equal(m->arch.vmalloc_reserve, M(128));
	assert_int_equal(m->arch.maxmem_pfn, 0x38000);	/* 896 MiB */
	assert_int_equal(m->arch.maxmem_pfn, MAXMEM_PFN);
	assert_int_equal(m->arch.max_nonpae_pfn, 1 << 20);
	assert_int_equal(m->arch.max_dma_pfn, PFN_DOWN(M(16)));
	assert_true(m->arch.highmem);
	assert_false(m->arch.pae);
	mmkit_machine_destroy(m);
}

static void test_pae_implies_highmem(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386_PAE, false, M(64), 0, NULL);

	(void)state;
	arch_layout_init(m);
	assert_true(m->arch.pae);
	assert_true(m->arch.highmem);
	mmkit_machine_destroy(m);
}

static void test_x86_64_layout_constants(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_X86_64, true, M(64), 0, NULL);

	(void)state;
	arch_layout_init(m);
	assert_int_equal(m->arch.page_offset, 0xffff888000000000ULL);
	assert_false(m->arch.highmem);
	assert_true(m->arch.x86_64);
	assert_int_equal(m->arch.max_dma32_pfn, PFN_DOWN(G(4)));
	mmkit_machine_destroy(m);
}

/* i386: _text at 1 MiB; sections page aligned; _end page aligned. */
static void test_i386_kernel_image_from_description(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(64), 0, NULL);
	const struct kernel_image *k = &m->kimage;

	(void)state;
	m->desc.kernel_text_size = 0x2a3456;
	m->desc.kernel_rodata_size = 0x81234;
	m->desc.kernel_data_size = 0x40010;
	m->desc.kernel_bss_size = 0x30001;
	assert_setup_ok(m);
	assert_int_equal(k->text, 0x100000);
	assert_int_equal(k->etext, 0x3a3456);
	assert_int_equal(k->start_rodata, 0x3a4000);
	assert_int_equal(k->end_rodata, 0x425234);
	assert_int_equal(k->sdata, 0x426000);
	assert_int_equal(k->edata, 0x466010);
	assert_int_equal(k->bss_start, 0x467000);
	assert_int_equal(k->bss_stop, 0x497001);
	assert_int_equal(k->end, 0x498000);
	assert_int_equal(m->start_pfn, PFN_UP(0x497001));
	mmkit_machine_destroy(m);
}

/* x86_64 defaults: the 6.18 kernel of the reference /proc/iomem
 * (Kernel code 01000000-02276507, rodata 02400000-02e0cfff,
 * data 03000000-0327c17f). */
static void test_x86_64_default_kernel_image_matches_reference(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_X86_64, false, G(2), 0, NULL);
	const struct kernel_image *k = &m->kimage;

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(k->text, 0x1000000);
	assert_int_equal(k->etext - 1, 0x2276507);
	assert_int_equal(k->start_rodata, 0x2400000);
	assert_int_equal(k->end_rodata - 1, 0x2e0cfff);
	assert_int_equal(k->sdata, 0x3000000);
	assert_int_equal(k->edata - 1, 0x327c17f);
	assert_int_equal(m->start_pfn, PFN_UP(k->end));
	mmkit_machine_destroy(m);
}

/* ---- the machines of the issue ---- */

/* 64 MiB (RAM to 0x3fe0000): all low memory. */
static void test_i386_64m_is_all_lowmem(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x3fe0000, 0, NULL);

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, PFN_DOWN(0x3fe0000));
	assert_int_equal(m->max_low_pfn, PFN_DOWN(0x3fe0000));
	assert_int_equal(m->highstart_pfn, m->max_pfn);
	assert_int_equal(m->highend_pfn, m->max_pfn);
	assert_int_equal(m->start_pfn, PFN_UP(m->kimage.end));
	assert_int_equal(m->min_low_pfn, m->start_pfn);
	assert_int_equal(m->ram_bytes, PFN_PHYS(m->max_pfn));
	assert_log_has(m, "0MB HIGHMEM available.\n63MB LOWMEM available.\n");
	assert_log_lacks(m, "Warning");
	assert_log_lacks(m, "reserved twice");
	mmkit_machine_destroy(m);
}

/* 2 GiB with HIGHMEM: low memory stops at 896 MiB, the rest is high. */
static void test_i386_2g_highmem_splits_at_896m(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x7ffe0000, 0, NULL);
	unsigned long max_pfn = PFN_DOWN(0x7ffe0000);
	char line[64];

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, max_pfn);
	assert_int_equal(m->max_low_pfn, MAXMEM_PFN);
	assert_int_equal(m->highstart_pfn, MAXMEM_PFN);
	assert_int_equal(m->highend_pfn, max_pfn);
	snprintf(line, sizeof(line), "%luMB HIGHMEM available.\n896MB LOWMEM available.\n",
		 pages_to_mb(max_pfn - MAXMEM_PFN));
	assert_log_has(m, line);
	assert_log_has(m, "1151MB HIGHMEM available.\n");
	assert_log_lacks(m, "Warning");
	mmkit_machine_destroy(m);
}

static void test_i386_2g_without_highmem_warns_and_uses_896m(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, false, 0x7ffe0000, 0, NULL);

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, MAXMEM_PFN);
	assert_int_equal(m->max_low_pfn, MAXMEM_PFN);
	assert_int_equal(m->highstart_pfn, m->highend_pfn);
	assert_log_has(m, "Warning only 896MB will be used.\n"
			  "Use a HIGHMEM enabled kernel.\n"
			  "896MB LOWMEM available.\n");
	assert_log_lacks(m, "HIGHMEM available");
	mmkit_machine_destroy(m);
}

/* PAE, 8 GiB: 3 GiB below the PCI hole, 5 GiB from 4 GiB up. */
static void test_pae_8g_keeps_memory_above_4g(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386_PAE, true, 0xbffe0000, G(5), NULL);
	unsigned long max_pfn = PFN_DOWN(G(4) + G(5));
	char line[64];

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, max_pfn);
	assert_int_equal(m->max_low_pfn, MAXMEM_PFN);
	assert_int_equal(m->highstart_pfn, MAXMEM_PFN);
	assert_int_equal(m->highend_pfn, max_pfn);
	snprintf(line, sizeof(line), "%luMB HIGHMEM available.\n", pages_to_mb(max_pfn - MAXMEM_PFN));
	assert_log_has(m, line);
	assert_log_has(m, "8320MB HIGHMEM available.\n896MB LOWMEM available.\n");
	assert_log_lacks(m, "Warning");
	mmkit_machine_destroy(m);
}

/* HIGHMEM without PAE, 5 GiB: only the first 4 GiB can be addressed. */
static void test_i386_5g_highmem_without_pae_uses_4g(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, G(3), G(2), NULL);

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, MAX_NONPAE_PFN);
	assert_int_equal(m->max_low_pfn, MAXMEM_PFN);
	assert_int_equal(m->highend_pfn, MAX_NONPAE_PFN);
	assert_log_has(m, "Warning only 4GB will be used.\n"
			  "Use a PAE enabled kernel.\n"
			  "3200MB HIGHMEM available.\n"
			  "896MB LOWMEM available.\n");
	mmkit_machine_destroy(m);
}

static void test_i386_5g_without_highmem_asks_for_pae(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, false, G(3), G(2), NULL);

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, MAXMEM_PFN);
	assert_log_has(m, "Warning only 896MB will be used.\n"
			  "Use a PAE enabled kernel.\n");
	assert_log_lacks(m, "4GB");
	mmkit_machine_destroy(m);
}

/* x86_64 with 16 GiB and holes (examples/machines/pc-x86_64-16g). */
static void test_x86_64_16g_with_holes_is_all_direct_mapped(void **state)
{
	const struct e820entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x60400, E820_RESERVED },
		{ 0x100000, 0x7fef0000, E820_RAM },
		{ 0x7fff0000, 0xb000, E820_ACPI },
		{ 0x7fffb000, 0x5000, E820_NVS },
		{ 0x80000000, 0x40000000, E820_RAM },
		{ 0xe0000000, 0x10000000, E820_RESERVED },
		{ 0xfec00000, 0x1000, E820_RESERVED },
		{ 0xfee00000, 0x1000, E820_RESERVED },
		{ 0xfffc0000, 0x40000, E820_RESERVED },
		{ G(4), G(13), E820_RAM },
	};
	struct machine *m = machine_of(MMKIT_ARCH_X86_64, false, map, (int)ARRAY_SIZE(map), NULL);

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, PFN_DOWN(G(17)));
	assert_int_equal(m->max_low_pfn, m->max_pfn);
	assert_int_equal(m->start_pfn, PFN_UP(m->kimage.end));
	assert_true(m->start_pfn > PFN_DOWN(M(16)));
	assert_log_lacks(m, "HIGHMEM");
	assert_log_lacks(m, "LOWMEM");
	/* the holes are reserved in bootmem, the RAM around them free */
	assert_true(bootmem_page_reserved(m, PFN_DOWN(0x7fff0000)));
	assert_true(bootmem_page_reserved(m, PFN_DOWN(0xc0000000)));
	assert_false(bootmem_page_reserved(m, PFN_DOWN(0xbffff000)));
	assert_false(bootmem_page_reserved(m, PFN_DOWN(G(17)) - 1));
	mmkit_machine_destroy(m);
}

/* The seed's legacy map: the BIOS calls 0-1M RAM; the hole is cut out. */
static void test_legacy_map_claiming_640k_to_1m_is_fixed(void **state)
{
	const struct e820entry map[] = {
		{ 0, M(1), E820_RAM },
		{ M(1), M(63), E820_RAM },
		{ 0xffff0000, 0x10000, E820_RESERVED },
	};
	struct machine *m = machine_of(MMKIT_ARCH_I386, true, map, 3, NULL);

	(void)state;
	assert_setup_ok(m);
	assert_log_has(m, "BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable\n"
			  "BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable\n");
	assert_int_equal(m->max_pfn, PFN_DOWN(M(64)));
	assert_false(page_is_ram(m, PFN_DOWN(0xA0000)));
	assert_true(bootmem_page_reserved(m, PFN_DOWN(0xA0000)));
	mmkit_machine_destroy(m);
}

/* A one-entry map: the e801 pseudo map is what boots. */
static void test_fallback_map_boots(void **state)
{
	const struct e820entry map[] = { { 0, M(32), E820_RAM } };
	struct machine *m = machine_of(MMKIT_ARCH_I386, true, map, 1, NULL);

	(void)state;
	m->desc.alt_mem_k = 31 * 1024;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, PFN_DOWN(M(1) + K(31 * 1024)));
	assert_log_has(m, "BIOS-e801: [mem 0x0000000000100000-0x0000000001ffffff] usable\n");
	mmkit_machine_destroy(m);
}

static void test_mem_limits_max_pfn(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x7ffe0000, 0, "mem=64M");

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, PFN_DOWN(M(64)));
	assert_int_equal(m->max_low_pfn, PFN_DOWN(M(64)));
	assert_log_has(m, "0MB HIGHMEM available.\n64MB LOWMEM available.\n");
	mmkit_machine_destroy(m);
}

/* ---- highmem= ---- */

static void test_highmem_option_limits_highmem(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x7ffe0000, 0, "highmem=512M");
	unsigned long highmem_pages = PFN_DOWN(M(512));

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, MAXMEM_PFN + highmem_pages);
	assert_int_equal(m->max_low_pfn, MAXMEM_PFN);
	assert_log_has(m, "512MB HIGHMEM available.\n896MB LOWMEM available.\n");
	mmkit_machine_destroy(m);
}

static void test_highmem_option_larger_than_highmem_is_ignored(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x7ffe0000, 0, "highmem=3G");
	unsigned long max_pfn = PFN_DOWN(0x7ffe0000);
	char line[128];

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, max_pfn);
	snprintf(line, sizeof(line),
		 "only %luMB highmem pages available, ignoring highmem size of 3072MB.\n",
		 pages_to_mb(max_pfn - MAXMEM_PFN));
	assert_log_has(m, line);
	assert_int_equal(m->cmdline.highmem_pages, 0);
	mmkit_machine_destroy(m);
}

/* All RAM is low, but highmem= carves the top 32 MiB out as high. */
static void test_highmem_option_makes_highmem_on_small_machine(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(512), 0, "highmem=32M");

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_pfn, PFN_DOWN(M(512)));
	assert_int_equal(m->max_low_pfn, PFN_DOWN(M(512)) - PFN_DOWN(M(32)));
	assert_int_equal(m->highstart_pfn, m->max_low_pfn);
	assert_log_has(m, "32MB HIGHMEM available.\n480MB LOWMEM available.\n");
	mmkit_machine_destroy(m);
}

static void test_highmem_option_bigger_than_memory_is_refused(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x3fe0000, 0, "highmem=512M");

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_low_pfn, m->max_pfn);
	assert_log_has(m, "highmem size specified (512MB) is bigger than pages available (63MB)!.\n");
	mmkit_machine_destroy(m);
}

static void test_highmem_option_leaving_under_64m_lowmem_is_refused(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(512), 0, "highmem=480M");

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_low_pfn, PFN_DOWN(M(512)));
	assert_log_has(m, "highmem size 480MB results in smaller than 64MB lowmem, ignoring it.\n");
	mmkit_machine_destroy(m);
}

static void test_highmem_option_on_non_highmem_kernel_is_ignored(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, false, M(512), 0, "highmem=32M");

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->max_low_pfn, PFN_DOWN(M(512)));
	assert_log_has(m, "ignoring highmem size on non-highmem kernel!\n");
	mmkit_machine_destroy(m);
}

/* ---- bootmem as setup_arch leaves it ---- */

static void test_setup_reserves_page0_kernel_bitmap_and_holes(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x3fe0000, 0, NULL);
	unsigned long map_pages, pfn, reserved_end;

	(void)state;
	assert_setup_ok(m);
	map_pages = bootmem_bootmap_pages(m->max_low_pfn);
	assert_int_equal(map_pages, 1);	/* 0x3fe0 bits = 0x7fc bytes */
	assert_int_equal(m->bdata.bitmap_phys, PFN_PHYS(m->start_pfn));
	assert_true(bootmem_page_reserved(m, 0));
	assert_false(bootmem_page_reserved(m, 1));
	assert_false(bootmem_page_reserved(m, 0x9e));
	assert_true(bootmem_page_reserved(m, 0x9f));	/* RAM ends at 0x9fc00 */
	for (pfn = 0xa0; pfn < 0x100; pfn++)
		assert_true(bootmem_page_reserved(m, pfn));
	/* The seed's reserve_bootmem(HIGH_MEMORY, PFN_PHYS(start_pfn) +
	 * bootmap_size + PAGE_SIZE-1 - HIGH_MEMORY) rounds up twice: one
	 * page past the bitmap stays reserved, as in Linux. */
	reserved_end = PFN_UP(PFN_PHYS(m->start_pfn) + m->bdata.bitmap_bytes + PAGE_SIZE - 1);
	assert_int_equal(reserved_end, m->start_pfn + map_pages + 1);
	for (pfn = 0x100; pfn < reserved_end; pfn++)
		assert_true(bootmem_page_reserved(m, pfn));
	assert_false(bootmem_page_reserved(m, reserved_end));
	assert_false(bootmem_page_reserved(m, m->max_low_pfn - 1));
	mmkit_machine_destroy(m);
}

static void test_setup_bootmem_covers_only_lowmem(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, 0x7ffe0000, 0, NULL);

	(void)state;
	assert_setup_ok(m);
	assert_int_equal(m->bdata.node_low_pfn, MAXMEM_PFN);
	assert_int_equal(m->bdata.bitmap_bytes, MAXMEM_PFN / 8);
	assert_false(bootmem_page_reserved(m, MAXMEM_PFN - 1));
	assert_false(bootmem_page_reserved(m, MAXMEM_PFN));	/* not bootmem's */
	mmkit_machine_destroy(m);
}

/* ---- boots that must fail with a reason ---- */

static void test_no_usable_ram_fails_boot(void **state)
{
	const struct e820entry map[] = {
		{ 0, K(640), E820_RESERVED },
		{ M(1), M(63), E820_UNUSABLE },
	};
	struct machine *m = machine_of(MMKIT_ARCH_I386, true, map, 2, NULL);

	(void)state;
	assert_int_equal(setup_arch(m), -ENOMEM);
	assert_log_has(m, "Kernel panic - not syncing: no usable RAM in the e820 memory map\n");
	assert_null(m->ram);
	mmkit_machine_destroy(m);
}

static void test_too_little_ram_for_the_kernel_fails_boot(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(3), 0, NULL);

	(void)state;
	assert_int_equal(setup_arch(m), -ENOMEM);
	assert_log_has(m, "Kernel panic - not syncing: not enough usable low RAM for the kernel");
	mmkit_machine_destroy(m);
}

static void test_kernel_over_a_hole_fails_boot(void **state)
{
	const struct e820entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ M(1), M(1), E820_RAM },
		{ M(2), M(1), E820_RESERVED },	/* inside the kernel image */
		{ M(3), M(61), E820_RAM },
	};
	struct machine *m = machine_of(MMKIT_ARCH_I386, true, map, 4, NULL);

	(void)state;
	assert_int_equal(setup_arch(m), -ENOMEM);
	assert_log_has(m, "not enough usable low RAM for the kernel image");
	mmkit_machine_destroy(m);
}

static void test_mem_below_the_kernel_fails_boot(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(64), 0, "mem=2M");

	(void)state;
	assert_int_equal(setup_arch(m), -ENOMEM);
	assert_log_has(m, "not enough usable low RAM for the kernel image");
	mmkit_machine_destroy(m);
}

static void test_malformed_option_fails_boot(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(64), 0, "mem=lots");

	(void)state;
	assert_int_equal(setup_arch(m), -EINVAL);
	assert_log_has(m, "Malformed early option 'mem'\n");
	assert_null(m->ram);
	mmkit_machine_destroy(m);
}

static void test_invalid_user_map_fails_boot(void **state)
{
	struct machine *m = pc(MMKIT_ARCH_I386, true, M(64), 0, "memmap=exactmap memmap=32M@0");

	(void)state;
	assert_int_equal(setup_arch(m), -EINVAL);
	assert_log_has(m, "Kernel panic - not syncing: Invalid user supplied memory map\n");
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_i386_layout_constants),
		cmocka_unit_test(test_pae_implies_highmem),
		cmocka_unit_test(test_x86_64_layout_constants),
		cmocka_unit_test(test_i386_kernel_image_from_description),
		cmocka_unit_test(test_x86_64_default_kernel_image_matches_reference),
		cmocka_unit_test(test_i386_64m_is_all_lowmem),
		cmocka_unit_test(test_i386_2g_highmem_splits_at_896m),
		cmocka_unit_test(test_i386_2g_without_highmem_warns_and_uses_896m),
		cmocka_unit_test(test_pae_8g_keeps_memory_above_4g),
		cmocka_unit_test(test_i386_5g_highmem_without_pae_uses_4g),
		cmocka_unit_test(test_i386_5g_without_highmem_asks_for_pae),
		cmocka_unit_test(test_x86_64_16g_with_holes_is_all_direct_mapped),
		cmocka_unit_test(test_legacy_map_claiming_640k_to_1m_is_fixed),
		cmocka_unit_test(test_fallback_map_boots),
		cmocka_unit_test(test_mem_limits_max_pfn),
		cmocka_unit_test(test_highmem_option_limits_highmem),
		cmocka_unit_test(test_highmem_option_larger_than_highmem_is_ignored),
		cmocka_unit_test(test_highmem_option_makes_highmem_on_small_machine),
		cmocka_unit_test(test_highmem_option_bigger_than_memory_is_refused),
		cmocka_unit_test(test_highmem_option_leaving_under_64m_lowmem_is_refused),
		cmocka_unit_test(test_highmem_option_on_non_highmem_kernel_is_ignored),
		cmocka_unit_test(test_setup_reserves_page0_kernel_bitmap_and_holes),
		cmocka_unit_test(test_setup_bootmem_covers_only_lowmem),
		cmocka_unit_test(test_no_usable_ram_fails_boot),
		cmocka_unit_test(test_too_little_ram_for_the_kernel_fails_boot),
		cmocka_unit_test(test_kernel_over_a_hole_fails_boot),
		cmocka_unit_test(test_mem_below_the_kernel_fails_boot),
		cmocka_unit_test(test_malformed_option_fails_boot),
		cmocka_unit_test(test_invalid_user_map_fails_boot),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
