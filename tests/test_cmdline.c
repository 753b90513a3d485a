/* The memory options of the command line: memparse, mem=, memmap=,
 * highmem=, and the reports of malformed values. Each test runs
 * setup_memory_region() on a known map and then parse_mem_cmdline(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define K(x) ((u64)(x) << 10)
#define M(x) ((u64)(x) << 20)
#define G(x) ((u64)(x) << 30)


static struct machine *machine_with(enum mmkit_arch arch, const char *cmdline)
{
	struct machine *m = test_machine_new(arch, true, qemu_128m, QEMU_128M_ENTRIES, cmdline);

	arch_layout_init(m);
	setup_memory_region(m);
	return m;
}

static void assert_entry(const struct e820entry *e, u64 addr, u64 size, u32 type)
{
	if (e->addr != addr || e->size != size || e->type != type)
		fail_msg("entry {%#llx, %#llx, %u}, expected {%#llx, %#llx, %u}",
			 (unsigned long long)e->addr, (unsigned long long)e->size, e->type,
			 (unsigned long long)addr, (unsigned long long)size, type);
}

/* Field by field: struct e820entry has padding after type. */
static void assert_map_is_qemu_128m(const struct machine *m)
{
	assert_int_equal(m->e820.nr_map, (int)ARRAY_SIZE(qemu_128m));
	for (size_t i = 0; i < ARRAY_SIZE(qemu_128m); i++)
		assert_entry(&m->e820.map[i], qemu_128m[i].addr, qemu_128m[i].size,
			     qemu_128m[i].type);
}

/* parse_mem_cmdline must refuse cmdline with one "Malformed early option"
 * line for param, and leave the firmware map as it was. */
static void assert_malformed(enum mmkit_arch arch, const char *cmdline, const char *param)
{
	struct machine *m = machine_with(arch, cmdline);
	char line[64];

	assert_int_equal(parse_mem_cmdline(m), -EINVAL);
	snprintf(line, sizeof(line), "Malformed early option '%s'\n", param);
	assert_log_has(m, line);
	assert_map_is_qemu_128m(m);
	mmkit_machine_destroy(m);
}

/* ---- memparse ---- */

static void test_memparse_suffixes_are_binary(void **state)
{
	(void)state;
	assert_int_equal(memparse("4k", NULL), K(4));
	assert_int_equal(memparse("64M", NULL), M(64));
	assert_int_equal(memparse("3g", NULL), G(3));
	assert_int_equal(memparse("2T", NULL), 2ULL << 40);
	assert_int_equal(memparse("1P", NULL), 1ULL << 50);
	assert_int_equal(memparse("1E", NULL), 1ULL << 60);
	assert_int_equal(memparse("12345", NULL), 12345);
}

static void test_memparse_prefixes_pick_the_base(void **state)
{
	(void)state;
	assert_int_equal(memparse("0x1000", NULL), 0x1000);
	assert_int_equal(memparse("0X1fK", NULL), K(0x1f));
	assert_int_equal(memparse("010", NULL), 8);	/* octal */
	assert_int_equal(memparse("0", NULL), 0);
}

static void test_memparse_reports_where_it_stopped(void **state)
{
	const char *s = "64M@16M", *junk = "abc", *ox = "0xg";
	char *end;

	(void)state;
	assert_int_equal(memparse(s, &end), M(64));
	assert_ptr_equal(end, s + 3);
	assert_int_equal(memparse(junk, &end), 0);
	assert_ptr_equal(end, junk);
	/* "0x" without a hex digit is the octal 0, stopping at the 'x' */
	assert_int_equal(memparse(ox, &end), 0);
	assert_ptr_equal(end, ox + 1);
}

/* ---- mem= ---- */

static void test_mem_trims_ram_above_the_limit(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "root=/dev/sda1 mem=64M quiet");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->cmdline.mem_limit, M(64));
	assert_true(m->cmdline.user_defined);
	assert_string_equal(m->e820_who, "user");
	/* RAM above 64M goes; the reserved entries above it stay. */
	assert_int_equal(m->e820.nr_map, 7);
	assert_entry(&m->e820.map[3], M(1), M(63), E820_RAM);
	assert_entry(&m->e820.map[4], 0x7fe0000, 0x20000, E820_RESERVED);
	assert_log_has(m,
		"e820: remove [mem 0x04000000-0xfffffffffffffffe] usable\n"
		"user-defined physical RAM map:\n"
		"user: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"user: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
		"user: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n"
		"user: [mem 0x0000000000100000-0x0000000003ffffff] usable\n"
		"user: [mem 0x0000000007fe0000-0x0000000007ffffff] reserved\n");
	mmkit_machine_destroy(m);
}

static void test_mem_above_ram_changes_nothing_but_prints_user_map(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "mem=4G");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_map_is_qemu_128m(m);
	assert_log_has(m, "user-defined physical RAM map:\n");
	mmkit_machine_destroy(m);
}

static void test_no_memory_option_prints_no_user_map(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "root=/dev/sda1 console=ttyS0");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_false(m->cmdline.user_defined);
	assert_int_equal(m->cmdline.highmem_pages, -1);
	assert_int_equal(m->cmdline.mem_limit, 0);
	assert_string_equal(m->e820_who, "BIOS-e820");
	assert_null(strstr(mmkit_log_text(m, NULL), "user-defined"));
	mmkit_machine_destroy(m);
}

static void test_mem_value_may_be_quoted(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "mem=\"32M\"");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_entry(&m->e820.map[3], M(1), M(31), E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_options_after_double_dash_belong_to_init(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "quiet -- mem=32M");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_false(m->cmdline.user_defined);
	assert_map_is_qemu_128m(m);
	mmkit_machine_destroy(m);
}

static void test_mem_nopentium_is_accepted_on_i386(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "mem=nopentium");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_false(m->cmdline.user_defined);
	mmkit_machine_destroy(m);
}

static void test_mem_nopentium_is_refused_on_x86_64(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_X86_64, "mem=nopentium");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), -EINVAL);
	assert_log_has(m, "mem=nopentium ignored! (only supported on x86_32)\n"
			  "Malformed early option 'mem'\n");
	mmkit_machine_destroy(m);
}

/* ---- memmap= ---- */

static void test_exactmap_builds_the_map_from_memmap(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386,
					 "memmap=exactmap memmap=640K@0 memmap=63M@1M");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->e820.nr_map, 2);
	assert_entry(&m->e820.map[0], 0, K(640), E820_RAM);
	assert_entry(&m->e820.map[1], M(1), M(63), E820_RAM);
	assert_log_has(m,
		"user-defined physical RAM map:\n"
		"user: [mem 0x0000000000000000-0x000000000009ffff] usable\n"
		"user: [mem 0x0000000000100000-0x0000000003ffffff] usable\n");
	mmkit_machine_destroy(m);
}

/* The 2.4 spelling, and memmap= entries in one comma-separated option,
 * given out of order: the sanitize sorts them. */
static void test_mem_exactmap_and_comma_separated_memmap(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "mem=exactmap memmap=31M@1M,636K@0");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->e820.nr_map, 2);
	assert_entry(&m->e820.map[0], 0, K(636), E820_RAM);
	assert_entry(&m->e820.map[1], M(1), M(31), E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_memmap_types_acpi_reserved_persistent(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386,
					 "memmap=1M#0x9000000 memmap=2M$0xa000000 memmap=16M!0x10000000");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_log_has(m,
		"user: [mem 0x0000000007fe0000-0x0000000007ffffff] reserved\n"
		"user: [mem 0x0000000009000000-0x00000000090fffff] ACPI data\n"
		"user: [mem 0x000000000a000000-0x000000000a1fffff] reserved\n"
		"user: [mem 0x0000000010000000-0x0000000010ffffff] persistent (type 12)\n");
	mmkit_machine_destroy(m);
}

/* memmap=1M$32M over RAM: the higher type (reserved) wins the overlap. */
static void test_memmap_reserved_over_ram_splits_it(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "memmap=1M$32M");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->e820.nr_map, 9);
	assert_entry(&m->e820.map[3], M(1), M(31), E820_RAM);
	assert_entry(&m->e820.map[4], M(32), M(1), E820_RESERVED);
	assert_entry(&m->e820.map[5], M(33), 0x7fe0000 - M(33), E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_memmap_size_alone_limits_like_mem(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "memmap=16M");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->cmdline.mem_limit, M(16));
	assert_entry(&m->e820.map[3], M(1), M(15), E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_exactmap_with_one_entry_is_an_invalid_user_map(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "memmap=exactmap memmap=64M@0");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), -EINVAL);
	assert_log_has(m, "Kernel panic - not syncing: Invalid user supplied memory map\n");
	mmkit_machine_destroy(m);
}

static void test_memmap_past_32_entries_reports_too_many(void **state)
{
	char cmdline[1024] = "memmap=exactmap";
	struct machine *m;

	(void)state;
	for (int i = 0; i < 33; i++) {
		size_t n = strlen(cmdline);

		snprintf(cmdline + n, sizeof(cmdline) - n, " memmap=1M@%dM", 2 * i);
	}
	m = machine_with(MMKIT_ARCH_I386, cmdline);
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->e820.nr_map, E820MAX);
	assert_log_has(m, "Ooops! Too many entries in the memory map!\n");
	mmkit_machine_destroy(m);
}

/* ---- highmem= ---- */

static void test_highmem_sets_highmem_pages(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "highmem=512M");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->cmdline.highmem_pages, M(512) >> PAGE_SHIFT);
	assert_false(m->cmdline.user_defined);
	mmkit_machine_destroy(m);
}

/* highmem= is an early parameter of 32-bit x86 only. */
static void test_highmem_is_not_an_option_on_x86_64(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_X86_64, "highmem=junk");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), 0);
	assert_int_equal(m->cmdline.highmem_pages, -1);
	mmkit_machine_destroy(m);
}

/* ---- malformed values ---- */

static void test_malformed_mem_values_are_refused(void **state)
{
	(void)state;
	assert_malformed(MMKIT_ARCH_I386, "mem=foo", "mem");
	assert_malformed(MMKIT_ARCH_I386, "mem=", "mem");
	assert_malformed(MMKIT_ARCH_I386, "mem", "mem");
	assert_malformed(MMKIT_ARCH_I386, "mem=0", "mem");
	assert_malformed(MMKIT_ARCH_I386, "mem=64Q", "mem");
	assert_malformed(MMKIT_ARCH_I386, "mem=64M,", "mem");
	assert_malformed(MMKIT_ARCH_I386, "mem=99999999999999999999", "mem");
	assert_malformed(MMKIT_ARCH_I386, "mem=16777216T", "mem");	/* 2^64 */
}

static void test_malformed_memmap_values_are_refused(void **state)
{
	(void)state;
	assert_malformed(MMKIT_ARCH_I386, "memmap", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=junk", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=64M@", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=64M@1Mx", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=64M^1G", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=8K@0xfffffffffffff000", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=1M$16M,bogus", "memmap");
	assert_malformed(MMKIT_ARCH_I386, "memmap=exactmapx", "memmap");
}

static void test_malformed_highmem_values_are_refused(void **state)
{
	(void)state;
	assert_malformed(MMKIT_ARCH_I386, "highmem", "highmem");
	assert_malformed(MMKIT_ARCH_I386, "highmem=lots", "highmem");
	assert_malformed(MMKIT_ARCH_I386, "highmem=512MB", "highmem");
}

static void test_every_malformed_option_is_reported(void **state)
{
	struct machine *m = machine_with(MMKIT_ARCH_I386, "mem=foo memmap=64M@ highmem=1G");

	(void)state;
	assert_int_equal(parse_mem_cmdline(m), -EINVAL);
	assert_log_has(m, "Malformed early option 'mem'\n"
			  "Malformed early option 'memmap'\n"
			  "mmkit: 2 malformed memory options on the command line, not booting\n");
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memparse_suffixes_are_binary),
		cmocka_unit_test(test_memparse_prefixes_pick_the_base),
		cmocka_unit_test(test_memparse_reports_where_it_stopped),
		cmocka_unit_test(test_mem_trims_ram_above_the_limit),
		cmocka_unit_test(test_mem_above_ram_changes_nothing_but_prints_user_map),
		cmocka_unit_test(test_no_memory_option_prints_no_user_map),
		cmocka_unit_test(test_mem_value_may_be_quoted),
		cmocka_unit_test(test_options_after_double_dash_belong_to_init),
		cmocka_unit_test(test_mem_nopentium_is_accepted_on_i386),
		cmocka_unit_test(test_mem_nopentium_is_refused_on_x86_64),
		cmocka_unit_test(test_exactmap_builds_the_map_from_memmap),
		cmocka_unit_test(test_mem_exactmap_and_comma_separated_memmap),
		cmocka_unit_test(test_memmap_types_acpi_reserved_persistent),
		cmocka_unit_test(test_memmap_reserved_over_ram_splits_it),
		cmocka_unit_test(test_memmap_size_alone_limits_like_mem),
		cmocka_unit_test(test_exactmap_with_one_entry_is_an_invalid_user_map),
		cmocka_unit_test(test_memmap_past_32_entries_reports_too_many),
		cmocka_unit_test(test_highmem_sets_highmem_pages),
		cmocka_unit_test(test_highmem_is_not_an_option_on_x86_64),
		cmocka_unit_test(test_malformed_mem_values_are_refused),
		cmocka_unit_test(test_malformed_memmap_values_are_refused),
		cmocka_unit_test(test_malformed_highmem_values_are_refused),
		cmocka_unit_test(test_every_malformed_option_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
