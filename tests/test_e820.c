/* e820: sanitize_e820_map (overlaps, duplicates, zero length, wrap past
 * 2^64), copy_e820_map (the 640K-1M fix), add_memory_region (E820MAX),
 * setup_memory_region (printed map, fallback pseudo map), the range
 * removal and the lookups. Expected maps are worked out by hand from
 * Linux's rules: the higher type wins an overlap, touching entries of one
 * type merge, RAM in [0xA0000, 0x100000) is cut out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define K(x) ((u64)(x) << 10)
#define M(x) ((u64)(x) << 20)
#define G(x) ((u64)(x) << 30)

/* ---- helpers ---- */

static struct machine *new_machine(const struct e820entry *map, int n, const char *cmdline)
{
	return test_machine_new(MMKIT_ARCH_I386, true, map, n, cmdline);
}

static void assert_entry(const struct e820entry *e, u64 addr, u64 size, u32 type)
{
	if (e->addr != addr || e->size != size || e->type != type)
		fail_msg("entry {%#llx, %#llx, %u}, expected {%#llx, %#llx, %u}",
			 (unsigned long long)e->addr, (unsigned long long)e->size, e->type,
			 (unsigned long long)addr, (unsigned long long)size, type);
}

/* Run sanitize on map[n] (capacity E820_X_MAX); returns its result. */
static int sanitize(struct e820entry *map, int *n)
{
	struct machine *m = new_machine(NULL, 0, NULL);
	int ret = sanitize_e820_map(m, map, E820_X_MAX, n);

	mmkit_machine_destroy(m);
	return ret;
}

/* ---- sanitize_e820_map ---- */

static void test_sanitize_refuses_a_single_entry(void **state)
{
	struct e820entry map[E820_X_MAX] = { { 0, M(64), E820_RAM } };
	int n = 1;

	(void)state;
	assert_int_equal(sanitize(map, &n), -1);
	assert_int_equal(n, 1);
	assert_entry(&map[0], 0, M(64), E820_RAM);
}

static void test_sanitize_refuses_an_entry_wrapping_past_2_64(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0, K(640), E820_RAM },
		{ 0xfffffffffffff000ULL, 0x2000, E820_RESERVED },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), -1);
	assert_int_equal(n, 2);
	assert_entry(&map[1], 0xfffffffffffff000ULL, 0x2000, E820_RESERVED);
}

/* addr + size == 2^64 is 0 in 64 bits, below addr: Linux refuses it too. */
static void test_sanitize_refuses_an_entry_ending_at_2_64(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0, K(640), E820_RAM },
		{ 0xfffffffffffff000ULL, 0x1000, E820_RESERVED },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), -1);
}

/*   RAM       [0x00000, 0x10000)   1111111111______
 *   reserved  [0x08000, 0x18000)   _____22222222___
 *   result                         11111222222222__ */
static void test_sanitize_partial_overlap_higher_type_wins(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0, 0x10000, E820_RAM },
		{ 0x8000, 0x10000, E820_RESERVED },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 2);
	assert_entry(&map[0], 0, 0x8000, E820_RAM);
	assert_entry(&map[1], 0x8000, 0x10000, E820_RESERVED);
}

/* A higher type inside a lower one splits it in three. */
static void test_sanitize_contained_higher_type_splits_lower(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0, M(1), E820_RAM },
		{ 0x40000, 0x10000, E820_ACPI },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 3);
	assert_entry(&map[0], 0, 0x40000, E820_RAM);
	assert_entry(&map[1], 0x40000, 0x10000, E820_ACPI);
	assert_entry(&map[2], 0x50000, M(1) - 0x50000, E820_RAM);
}

/* A lower type inside a higher one disappears. */
static void test_sanitize_contained_lower_type_vanishes(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0x40000, 0x10000, E820_RAM },
		{ 0, M(1), E820_RESERVED },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 1);
	assert_entry(&map[0], 0, M(1), E820_RESERVED);
}

/*   RAM   [0x00000, 0x30000)  111111
 *   ACPI  [0x08000, 0x28000)  _33333
 *   NVS   [0x10000, 0x20000)  __44__
 *   result: 1 3 4 4 3 1 by 0x8000 steps (NVS=4 beats ACPI=3 beats RAM=1) */
static void test_sanitize_three_way_overlap(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0, 0x30000, E820_RAM },
		{ 0x10000, 0x10000, E820_NVS },
		{ 0x8000, 0x20000, E820_ACPI },
	};
	int n = 3;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 5);
	assert_entry(&map[0], 0, 0x8000, E820_RAM);
	assert_entry(&map[1], 0x8000, 0x8000, E820_ACPI);
	assert_entry(&map[2], 0x10000, 0x10000, E820_NVS);
	assert_entry(&map[3], 0x20000, 0x8000, E820_ACPI);
	assert_entry(&map[4], 0x28000, 0x8000, E820_RAM);
}

static void test_sanitize_identical_duplicates_become_one(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ M(1), M(63), E820_RAM },
		{ M(1), M(63), E820_RAM },
		{ M(1), M(63), E820_RAM },
	};
	int n = 3;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 1);
	assert_entry(&map[0], M(1), M(63), E820_RAM);
}

static void test_sanitize_duplicate_range_takes_the_higher_type(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ M(1), M(1), E820_UNUSABLE },
		{ M(1), M(1), E820_RAM },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 1);
	assert_entry(&map[0], M(1), M(1), E820_UNUSABLE);
}

static void test_sanitize_merges_adjacent_entries_of_one_type(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ M(1), M(1), E820_RAM },
		{ M(2), M(2), E820_RAM },
		{ M(4), M(4), E820_RAM },
	};
	int n = 3;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 1);
	assert_entry(&map[0], M(1), M(7), E820_RAM);
}

static void test_sanitize_keeps_adjacent_entries_of_different_types(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ M(1), M(1), E820_RAM },
		{ M(2), M(1), E820_RESERVED },
		{ M(3), M(1), E820_RAM },
	};
	int n = 3;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 3);
	assert_entry(&map[1], M(2), M(1), E820_RESERVED);
}

static void test_sanitize_drops_zero_length_entries(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0, K(640), E820_RAM },
		{ M(2), 0, E820_RESERVED },
		{ M(1), M(15), E820_RAM },
		{ M(8), 0, E820_NVS },
	};
	int n = 4;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 2);
	assert_entry(&map[0], 0, K(640), E820_RAM);
	assert_entry(&map[1], M(1), M(15), E820_RAM);
}

static void test_sanitize_sorts_by_address(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ G(4), G(1), E820_RAM },
		{ M(1), M(127), E820_RAM },
		{ 0, K(639), E820_RAM },
		{ 0xfffc0000, 0x40000, E820_RESERVED },
	};
	int n = 4;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 4);
	assert_entry(&map[0], 0, K(639), E820_RAM);
	assert_entry(&map[1], M(1), M(127), E820_RAM);
	assert_entry(&map[2], 0xfffc0000, 0x40000, E820_RESERVED);
	assert_entry(&map[3], G(4), G(1), E820_RAM);
}

/* Linux never merges legacy persistent memory (e820_nomerge()). */
static void test_sanitize_does_not_merge_persistent_memory(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ G(1), M(512), E820_PRAM },
		{ G(1) + M(512), M(512), E820_PRAM },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 2);
	assert_entry(&map[0], G(1), M(512), E820_PRAM);
	assert_entry(&map[1], G(1) + M(512), M(512), E820_PRAM);
}

/* An unknown type number (9) outranks every standard type. */
static void test_sanitize_unknown_type_number_outranks_lower(void **state)
{
	struct e820entry map[E820_X_MAX] = {
		{ 0, M(2), E820_NVS },
		{ M(1), M(2), 9 },
	};
	int n = 2;

	(void)state;
	assert_int_equal(sanitize(map, &n), 0);
	assert_int_equal(n, 2);
	assert_entry(&map[0], 0, M(1), E820_NVS);
	assert_entry(&map[1], M(1), M(2), 9);
}

/* ---- copy_e820_map and add_memory_region ---- */

static void test_copy_splits_ram_across_the_640k_hole(void **state)
{
	const struct e820entry bios[] = {
		{ 0, M(64), E820_RAM },
		{ 0xffff0000, 0x10000, E820_RESERVED },
	};
	struct machine *m = new_machine(NULL, 0, NULL);

	(void)state;
	assert_int_equal(copy_e820_map(m, bios, 2), 0);
	assert_int_equal(m->e820.nr_map, 3);
	assert_entry(&m->e820.map[0], 0, 0xA0000, E820_RAM);
	assert_entry(&m->e820.map[1], M(1), M(63), E820_RAM);
	assert_entry(&m->e820.map[2], 0xffff0000, 0x10000, E820_RESERVED);
	mmkit_machine_destroy(m);
}

static void test_copy_drops_ram_inside_the_640k_hole(void **state)
{
	const struct e820entry bios[] = {
		{ 0, K(640), E820_RAM },
		{ 0xA0000, 0x60000, E820_RAM },	/* all of 640K-1M */
		{ M(1), M(15), E820_RAM },
	};
	struct machine *m = new_machine(NULL, 0, NULL);

	(void)state;
	assert_int_equal(copy_e820_map(m, bios, 3), 0);
	assert_int_equal(m->e820.nr_map, 2);
	assert_entry(&m->e820.map[0], 0, K(640), E820_RAM);
	assert_entry(&m->e820.map[1], M(1), M(15), E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_copy_keeps_ram_ending_before_640k_and_reserved_in_hole(void **state)
{
	const struct e820entry bios[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0xf0000, 0x10000, E820_RESERVED },
		{ 0xc0000, 0x50000, E820_RAM },	/* from 768K into 1M+64K */
	};
	struct machine *m = new_machine(NULL, 0, NULL);

	(void)state;
	assert_int_equal(copy_e820_map(m, bios, 3), 0);
	assert_int_equal(m->e820.nr_map, 3);
	assert_entry(&m->e820.map[0], 0, 0x9fc00, E820_RAM);
	assert_entry(&m->e820.map[1], 0xf0000, 0x10000, E820_RESERVED);
	assert_entry(&m->e820.map[2], M(1), 0x10000, E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_copy_refuses_fewer_than_two_entries(void **state)
{
	const struct e820entry bios[] = { { 0, M(64), E820_RAM } };
	struct machine *m = new_machine(NULL, 0, NULL);

	(void)state;
	assert_int_equal(copy_e820_map(m, bios, 1), -1);
	assert_int_equal(copy_e820_map(m, bios, 0), -1);
	assert_int_equal(m->e820.nr_map, 0);
	mmkit_machine_destroy(m);
}

static void test_copy_refuses_a_wrapping_entry(void **state)
{
	const struct e820entry bios[] = {
		{ 0, K(640), E820_RAM },
		{ ~0ULL - 0xfff, 0x2000, E820_RAM },
	};
	struct machine *m = new_machine(NULL, 0, NULL);

	(void)state;
	assert_int_equal(copy_e820_map(m, bios, 2), -1);
	mmkit_machine_destroy(m);
}

static void test_add_memory_region_refuses_entry_33(void **state)
{
	struct machine *m = new_machine(NULL, 0, NULL);

	(void)state;
	for (int i = 0; i < E820MAX; i++)
		assert_int_equal(add_memory_region(m, M(2 * i), M(1), E820_RAM), 0);
	assert_int_equal(add_memory_region(m, G(1), M(1), E820_RAM), -E2BIG);
	assert_int_equal(m->e820.nr_map, E820MAX);
	assert_entry(&m->e820.map[E820MAX - 1], M(2 * (E820MAX - 1)), M(1), E820_RAM);
	assert_log_has(m, "Ooops! Too many entries in the memory map!\n");
	mmkit_machine_destroy(m);
}

/* ---- setup_memory_region ---- */


static void test_setup_memory_region_prints_the_map_as_linux(void **state)
{
	struct machine *m = new_machine(qemu_128m, 7, NULL);

	(void)state;
	assert_int_equal(setup_memory_region(m), 0);
	assert_int_equal(m->e820.nr_map, 7);
	assert_string_equal(m->e820_who, "BIOS-e820");
	assert_log_has(m,
		"BIOS-provided physical RAM map:\n"
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
		"BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved\n"
		"BIOS-e820: [mem 0x0000000000100000-0x0000000007fdffff] usable\n"
		"BIOS-e820: [mem 0x0000000007fe0000-0x0000000007ffffff] reserved\n"
		"BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved\n"
		"BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved\n");
	mmkit_machine_destroy(m);
}

/* The first lines of /work/shared/reference/proc/e820-boot-log, rebuilt
 * from the map they describe, must come out byte for byte. */
static void test_setup_memory_region_matches_reference_boot_log(void **state)
{
	const struct e820entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x60400, E820_RESERVED },
		{ 0x100000, 0xbff00000, E820_RAM },
		{ 0xeec00000, 0x10000000, E820_RESERVED },
		{ 0x100000000ULL, 0x540000000ULL, E820_RAM },
	};
	struct machine *m = new_machine(map, 5, NULL);
	char *ref = test_read_file(MMKIT_REFERENCE_DIR "/proc/e820-boot-log");
	char *log, *end;

	(void)state;
	if (!ref)
		skip();
	setup_memory_region(m);
	/* The reference's first five lines are the map. */
	end = ref;
	for (int i = 0; i < 5; i++)
		end = strchr(end, '\n') + 1;
	*end = '\0';
	log = strstr(mmkit_log_text(m, NULL), "[    0.000000] BIOS-e820:");
	assert_non_null(log);
	assert_memory_equal(log, ref, strlen(ref));
	free(ref);
	mmkit_machine_destroy(m);
}

static void test_setup_memory_region_prints_every_type_name(void **state)
{
	const struct e820entry map[] = {
		{ 0, K(640), E820_RAM },
		{ M(1), M(1), E820_ACPI },
		{ M(2), M(1), E820_NVS },
		{ M(3), M(1), E820_UNUSABLE },
		{ M(4), M(1), E820_PMEM },
		{ M(5), M(1), E820_PRAM },
		{ M(6), M(1), 9 },
	};
	struct machine *m = new_machine(map, 7, NULL);

	(void)state;
	setup_memory_region(m);
	assert_log_has(m,
		"BIOS-e820: [mem 0x0000000000100000-0x00000000001fffff] ACPI data\n"
		"BIOS-e820: [mem 0x0000000000200000-0x00000000002fffff] ACPI NVS\n"
		"BIOS-e820: [mem 0x0000000000300000-0x00000000003fffff] unusable\n"
		"BIOS-e820: [mem 0x0000000000400000-0x00000000004fffff] persistent (type 7)\n"
		"BIOS-e820: [mem 0x0000000000500000-0x00000000005fffff] persistent (type 12)\n"
		"BIOS-e820: [mem 0x0000000000600000-0x00000000006fffff] type 9\n");
	mmkit_machine_destroy(m);
}

static void test_setup_memory_region_sanitizes_an_overlapping_bios_map(void **state)
{
	const struct e820entry map[] = {
		{ M(1), M(63), E820_RAM },
		{ 0, K(639), E820_RAM },
		{ M(32), M(1), E820_RESERVED },	/* inside the RAM */
		{ M(1), M(63), E820_RAM },	/* duplicate */
	};
	struct machine *m = new_machine(map, 4, NULL);

	(void)state;
	setup_memory_region(m);
	assert_int_equal(m->e820.nr_map, 4);
	assert_log_has(m,
		"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x0000000000100000-0x0000000001ffffff] usable\n"
		"BIOS-e820: [mem 0x0000000002000000-0x00000000020fffff] reserved\n"
		"BIOS-e820: [mem 0x0000000002100000-0x0000000003ffffff] usable\n");
	mmkit_machine_destroy(m);
}

static void test_setup_memory_region_keeps_32_of_40_entries(void **state)
{
	struct e820entry map[40];
	struct machine *m;

	(void)state;
	for (int i = 0; i < 40; i++)	/* alternating types: nothing merges */
		map[i] = (struct e820entry){ M(i), M(1), i % 2 ? E820_RESERVED : E820_RAM };
	m = new_machine(map, 40, NULL);
	setup_memory_region(m);
	assert_int_equal(m->e820.nr_map, E820MAX);
	assert_entry(&m->e820.map[31], M(31), M(1), E820_RESERVED);
	assert_int_equal(count_in_log(m, "Ooops! Too many entries in the memory map!"), 8);
	mmkit_machine_destroy(m);
}

/* One entry only: 2.4 fakes 0-LOWMEMSIZE() and 1M up from the e801 size. */
static void test_setup_memory_region_falls_back_to_e801_map(void **state)
{
	const struct e820entry map[] = { { 0, M(64), E820_RAM } };
	struct machine *m = new_machine(map, 1, NULL);

	(void)state;
	m->desc.alt_mem_k = 63 * 1024;	/* 63 MiB above 1 MiB */
	setup_memory_region(m);
	assert_string_equal(m->e820_who, "BIOS-e801");
	assert_int_equal(m->e820.nr_map, 2);
	assert_entry(&m->e820.map[0], 0, 0x9f000, E820_RAM);
	assert_entry(&m->e820.map[1], M(1), M(63), E820_RAM);
	assert_log_has(m,
		"BIOS-provided physical RAM map:\n"
		"BIOS-e801: [mem 0x0000000000000000-0x000000000009efff] usable\n"
		"BIOS-e801: [mem 0x0000000000100000-0x0000000003ffffff] usable\n");
	mmkit_machine_destroy(m);
}

static void test_setup_memory_region_falls_back_on_wrap_around(void **state)
{
	const struct e820entry map[] = {
		{ 0, K(639), E820_RAM },
		{ M(1), M(31), E820_RAM },
		{ 0xfffffffffffff000ULL, 0x100000, E820_RESERVED },
	};
	struct machine *m = new_machine(map, 3, NULL);

	(void)state;
	m->desc.alt_mem_k = 31 * 1024;
	setup_memory_region(m);
	assert_string_equal(m->e820_who, "BIOS-e801");
	assert_int_equal(m->e820.nr_map, 2);
	assert_entry(&m->e820.map[1], M(1), M(31), E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_setup_memory_region_fallback_takes_mem_from_cmdline(void **state)
{
	const struct e820entry map[] = { { 0, M(64), E820_RAM } };
	struct machine *m = new_machine(map, 1, "root=/dev/sda1 mem=48M");

	(void)state;
	m->desc.alt_mem_k = 0;	/* the e801 call failed too */
	setup_memory_region(m);
	assert_string_equal(m->e820_who, "BIOS-88");
	assert_entry(&m->e820.map[1], M(1), M(47), E820_RAM);
	assert_log_has(m, "BIOS-88: [mem 0x0000000000100000-0x0000000002ffffff] usable\n");
	mmkit_machine_destroy(m);
}

/* Neither e801 nor mem=: only the low 636K is known, and no empty entry. */
static void test_setup_memory_region_fallback_without_any_size(void **state)
{
	const struct e820entry map[] = { { 0, M(64), E820_RAM } };
	struct machine *m = new_machine(map, 1, NULL);

	(void)state;
	m->desc.alt_mem_k = 0;
	setup_memory_region(m);
	assert_string_equal(m->e820_who, "BIOS-88");
	assert_int_equal(m->e820.nr_map, 1);
	assert_log_has(m, "BIOS-provided physical RAM map:\n"
			  "BIOS-88: [mem 0x0000000000000000-0x000000000009efff] usable\n");
	mmkit_machine_destroy(m);
}

static void test_setup_memory_region_with_no_map_at_all(void **state)
{
	struct machine *m = new_machine(NULL, 0, NULL);

	(void)state;
	m->desc.alt_mem_k = 15 * 1024;
	assert_int_equal(setup_memory_region(m), 0);
	assert_string_equal(m->e820_who, "BIOS-e801");
	assert_entry(&m->e820.map[1], M(1), M(15), E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_setup_memory_region_keeps_a_map_without_ram(void **state)
{
	const struct e820entry map[] = {
		{ 0, K(640), E820_RESERVED },
		{ M(1), M(63), E820_UNUSABLE },
	};
	struct machine *m = new_machine(map, 2, NULL);

	(void)state;
	setup_memory_region(m);
	assert_string_equal(m->e820_who, "BIOS-e820");
	assert_int_equal(m->e820.nr_map, 2);
	assert_int_equal(e820_end_of_ram_pfn(m), 0);
	mmkit_machine_destroy(m);
}

/* ---- removal and lookups ---- */

static void test_remove_range_splits_an_entry_and_logs_it(void **state)
{
	struct machine *m = new_machine(qemu_128m, 7, NULL);

	(void)state;
	setup_memory_region(m);
	e820_remove_range(m, M(16), M(16), E820_RAM, true);
	assert_int_equal(m->e820.nr_map, 8);
	assert_entry(&m->e820.map[3], M(1), M(15), E820_RAM);
	assert_entry(&m->e820.map[4], M(32), 0x7fe0000 - M(32), E820_RAM);
	assert_entry(&m->e820.map[5], 0x7fe0000, 0x20000, E820_RESERVED);
	assert_log_has(m, "e820: remove [mem 0x01000000-0x01ffffff] usable\n");
	mmkit_machine_destroy(m);
}

static void test_remove_range_checktype_spares_other_types(void **state)
{
	struct machine *m = new_machine(qemu_128m, 7, NULL);

	(void)state;
	setup_memory_region(m);
	e820_remove_range(m, M(64), ~0ULL - M(64), E820_RAM, true);
	assert_int_equal(m->e820.nr_map, 7);
	assert_entry(&m->e820.map[3], M(1), M(63), E820_RAM);
	assert_entry(&m->e820.map[6], 0xfffc0000, 0x40000, E820_RESERVED);
	assert_log_has(m, "e820: remove [mem 0x04000000-0xfffffffffffffffe] usable\n");
	e820_remove_range(m, 0x9f000, 0x62000, 0, false);	/* any type */
	/* RAM [0, 0x9fc00) loses its tail, both reserved entries in the
	 * hole go, RAM from 1M loses its first page. */
	assert_int_equal(m->e820.nr_map, 5);
	assert_entry(&m->e820.map[0], 0, 0x9f000, E820_RAM);
	assert_entry(&m->e820.map[1], M(1) + 0x1000, M(63) - 0x1000, E820_RAM);
	mmkit_machine_destroy(m);
}

static void test_page_is_ram_excludes_partial_pages(void **state)
{
	struct machine *m = new_machine(qemu_128m, 7, NULL);

	(void)state;
	setup_memory_region(m);
	assert_true(page_is_ram(m, 0));
	assert_true(page_is_ram(m, 0x9e));
	assert_false(page_is_ram(m, 0x9f));	/* RAM ends at 0x9fc00 */
	assert_false(page_is_ram(m, 0xa0));
	assert_true(page_is_ram(m, 0x100));
	assert_true(page_is_ram(m, 0x7fdf));
	assert_false(page_is_ram(m, 0x7fe0));
	assert_false(page_is_ram(m, 0xfeffc));
	mmkit_machine_destroy(m);
}

static void test_e820_all_mapped_needs_full_cover(void **state)
{
	struct machine *m = new_machine(qemu_128m, 7, NULL);

	(void)state;
	setup_memory_region(m);
	assert_true(e820_all_mapped(m, M(1), M(2), E820_RAM));
	assert_true(e820_all_mapped(m, 0, 0x9fc00, E820_RAM));
	assert_false(e820_all_mapped(m, 0, 0x9fc01, E820_RAM));
	assert_false(e820_all_mapped(m, 0x9f000, M(2), E820_RAM));
	assert_true(e820_all_mapped(m, 0x9f000, 0xa0000, 0));	/* RAM then reserved */
	assert_false(e820_all_mapped(m, 0x7f00000, 0x8000000 + 1, 0));
	mmkit_machine_destroy(m);
}

static void test_e820_type_name_names_linux_types(void **state)
{
	(void)state;
	assert_string_equal(e820_type_name(E820_RAM), "usable");
	assert_string_equal(e820_type_name(E820_RESERVED), "reserved");
	assert_string_equal(e820_type_name(E820_ACPI), "ACPI data");
	assert_string_equal(e820_type_name(E820_NVS), "ACPI NVS");
	assert_string_equal(e820_type_name(E820_UNUSABLE), "unusable");
	assert_string_equal(e820_type_name(E820_PRAM), "persistent (type 12)");
	assert_null(e820_type_name(6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sanitize_refuses_a_single_entry),
		cmocka_unit_test(test_sanitize_refuses_an_entry_wrapping_past_2_64),
		cmocka_unit_test(test_sanitize_refuses_an_entry_ending_at_2_64),
		cmocka_unit_test(test_sanitize_partial_overlap_higher_type_wins),
		cmocka_unit_test(test_sanitize_contained_higher_type_splits_lower),
		cmocka_unit_test(test_sanitize_contained_lower_type_vanishes),
		cmocka_unit_test(test_sanitize_three_way_overlap),
		cmocka_unit_test(test_sanitize_identical_duplicates_become_one),
		cmocka_unit_test(test_sanitize_duplicate_range_takes_the_higher_type),
		cmocka_unit_test(test_sanitize_merges_adjacent_entries_of_one_type),
		cmocka_unit_test(test_sanitize_keeps_adjacent_entries_of_different_types),
		cmocka_unit_test(test_sanitize_drops_zero_length_entries),
		cmocka_unit_test(test_sanitize_sorts_by_address),
		cmocka_unit_test(test_sanitize_does_not_merge_persistent_memory),
		cmocka_unit_test(test_sanitize_unknown_type_number_outranks_lower),
		cmocka_unit_test(test_copy_splits_ram_across_the_640k_hole),
		cmocka_unit_test(test_copy_drops_ram_inside_the_640k_hole),
		cmocka_unit_test(test_copy_keeps_ram_ending_before_640k_and_reserved_in_hole),
		cmocka_unit_test(test_copy_refuses_fewer_than_two_entries),
		cmocka_unit_test(test_copy_refuses_a_wrapping_entry),
		cmocka_unit_test(test_add_memory_region_refuses_entry_33),
		cmocka_unit_test(test_setup_memory_region_prints_the_map_as_linux),
		cmocka_unit_test(test_setup_memory_region_matches_reference_boot_log),
		cmocka_unit_test(test_setup_memory_region_prints_every_type_name),
		cmocka_unit_test(test_setup_memory_region_sanitizes_an_overlapping_bios_map),
		cmocka_unit_test(test_setup_memory_region_keeps_32_of_40_entries),
		cmocka_unit_test(test_setup_memory_region_falls_back_to_e801_map),
		cmocka_unit_test(test_setup_memory_region_falls_back_on_wrap_around),
		cmocka_unit_test(test_setup_memory_region_fallback_takes_mem_from_cmdline),
		cmocka_unit_test(test_setup_memory_region_fallback_without_any_size),
		cmocka_unit_test(test_setup_memory_region_with_no_map_at_all),
		cmocka_unit_test(test_setup_memory_region_keeps_a_map_without_ram),
		cmocka_unit_test(test_remove_range_splits_an_entry_and_logs_it),
		cmocka_unit_test(test_remove_range_checktype_spares_other_types),
		cmocka_unit_test(test_page_is_ram_excludes_partial_pages),
		cmocka_unit_test(test_e820_all_mapped_needs_full_cover),
		cmocka_unit_test(test_e820_type_name_names_linux_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
