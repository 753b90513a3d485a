/* Machine-description parser: every key, both boot-log e820 forms, the raw
 * form, and that each bad input gets FILE:LINE:COL and a reason while the
 * caller's description stays untouched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#include <mmkit/vmscan.h>

static struct machine_desc parse_ok(const char *text)
{
	struct machine_desc d;
	char err[256];
	int ret = mmkit_desc_parse(&d, text, "t.machine", err, sizeof(err));

	if (ret)
		fprintf(stderr, "unexpected error: %s\n", err);
	assert_int_equal(ret, 0);
	return d;
}

static void parse_err(const char *text, const char *want)
{
	struct machine_desc d;
	char err[256];

	memset(&d, 0x5a, sizeof(d));
	assert_int_equal(mmkit_desc_parse(&d, text, "t.machine", err, sizeof(err)), -EINVAL);
	if (!strstr(err, want))
		fprintf(stderr, "got '%s', want '%s'\n", err, want);
	assert_non_null(strstr(err, want));
	/* untouched on error */
	assert_int_equal(((unsigned char *)&d)[0], 0x5a);
	assert_int_equal(((unsigned char *)&d)[sizeof(d) - 1], 0x5a);
}

static void test_default_is_i386_128m_qemu_map(void **state)
{
	struct machine_desc d;
	u64 ram = 0;

	(void)state;
	mmkit_desc_default(&d);
	assert_int_equal(d.arch, MMKIT_ARCH_I386);
	assert_int_equal(d.nr_cpus, 1);
	assert_true(d.highmem);
	assert_int_equal(d.nr_e820, 7);
	for (int i = 0; i < d.nr_e820; i++)
		if (d.e820[i].type == E820_RAM)
			ram += d.e820[i].size;
	/* 639K below the EBDA plus 1 MiB..128 MiB-128K */
	assert_int_equal(ram, 0x9fc00 + (0x7fe0000 - 0x100000));
	assert_int_equal(d.e820[3].addr, 0x100000);
	assert_int_equal(d.e820[3].addr + d.e820[3].size, 0x7fe0000);
	assert_int_equal(d.alt_mem_k, (0x7fe0000 - 0x100000) >> 10);
}

static void test_modern_e820_lines_end_inclusive(void **state)
{
	struct machine_desc d = parse_ok(
		"arch x86_64\n"
		"[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
		"BIOS-e820: [mem 0x000000000009fc00-0x00000000000fffff] reserved\n"
		"BIOS-e820: [mem 0x0000000000100000-0x00000000bfffffff] usable\n"
		"BIOS-e820: [mem 0x00000000c0000000-0x00000000c0000fff] ACPI data\n"
		"BIOS-e820: [mem 0x00000000c0001000-0x00000000c0001fff] ACPI NVS\n"
		"BIOS-e820: [mem 0x00000000c0002000-0x00000000c0002fff] unusable\n"
		"BIOS-e820: [mem 0x00000000c0003000-0x00000000c0003fff] persistent (type 12)\n");

	(void)state;
	assert_int_equal(d.arch, MMKIT_ARCH_X86_64);
	assert_int_equal(d.nr_e820, 7);
	assert_int_equal(d.e820[0].addr, 0);
	assert_int_equal(d.e820[0].size, 0x9fc00);
	assert_int_equal(d.e820[1].type, E820_RESERVED);
	assert_int_equal(d.e820[2].size, 0xbff00000);
	assert_int_equal(d.e820[3].type, E820_ACPI);
	assert_int_equal(d.e820[4].type, E820_NVS);
	assert_int_equal(d.e820[5].type, E820_UNUSABLE);
	assert_int_equal(d.e820[6].type, 12);
}

static void test_legacy_e820_lines_end_exclusive(void **state)
{
	struct machine_desc d = parse_ok(
		" BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)\n"
		" BIOS-e820: 00000000000f0000 - 0000000000100000 (reserved)\n"
		" BIOS-e820: 0000000000100000 - 0000000004000000 (usable)\n");

	(void)state;
	assert_int_equal(d.nr_e820, 3);
	assert_int_equal(d.e820[0].size, 0x9fc00);
	assert_int_equal(d.e820[1].addr, 0xf0000);
	assert_int_equal(d.e820[1].size, 0x10000);
	assert_int_equal(d.e820[2].size, 0x3f00000);
	assert_int_equal(d.alt_mem_k, 0x3f00000 >> 10);
}

static void test_raw_entries_keep_garbage_for_the_kernel(void **state)
{
	/* The firmware may report nonsense; the kernel's sanitizer judges it. */
	struct machine_desc d = parse_ok("e820 0xfffffffffffff000 0x2000 usable\n"
					 "e820 0x100000 0 reserved\n"
					 "e820 16M 48M 1\n");

	(void)state;
	assert_int_equal(d.nr_e820, 3);
	assert_true(d.e820[0].addr + d.e820[0].size < d.e820[0].addr);
	assert_int_equal(d.e820[1].size, 0);
	assert_int_equal(d.e820[2].addr, 16 * SZ_1M);
	assert_int_equal(d.e820[2].type, E820_RAM);
}

static void test_keys_and_comments(void **state)
{
	struct machine_desc d = parse_ok("# a comment\n"
					 "name  box   # trailing comment\n"
					 "arch i386-pae\n"
					 "cpus 4\n"
					 "highmem no\n"
					 "cmdline mem=64M memmap=1M#0x2000000 highmem=512M\n"
					 "kernel text=1M code=3M rodata=1M data=256K bss=128K\n"
					 "e801 63M\n"
					 "ram 256M\n");

	(void)state;
	assert_string_equal(d.name, "box");
	assert_int_equal(d.arch, MMKIT_ARCH_I386_PAE);
	assert_int_equal(d.nr_cpus, 4);
	assert_false(d.highmem);
	assert_string_equal(d.cmdline, "mem=64M memmap=1M#0x2000000 highmem=512M");
	assert_int_equal(d.kernel_text_phys, SZ_1M);
	assert_int_equal(d.kernel_text_size, 3 * SZ_1M);
	assert_int_equal(d.kernel_rodata_size, SZ_1M);
	assert_int_equal(d.kernel_data_size, 256 * SZ_1K);
	assert_int_equal(d.kernel_bss_size, 128 * SZ_1K);
	assert_int_equal(d.alt_mem_k, 63 * 1024);
	assert_int_equal(d.e820[3].addr + d.e820[3].size, 256 * SZ_1M - 0x20000);
}

static void test_ram_above_3g_goes_above_4g(void **state)
{
	struct machine_desc d = parse_ok("ram 8G\n");
	u64 ram = 0;

	(void)state;
	for (int i = 0; i < d.nr_e820; i++)
		if (d.e820[i].type == E820_RAM)
			ram += d.e820[i].size;
	assert_int_equal(ram, 8 * SZ_1G - 0x100000 + 0x9fc00);
	assert_int_equal(d.e820[d.nr_e820 - 1].addr, SZ_4G);
	assert_int_equal(d.e820[d.nr_e820 - 1].size, 5 * SZ_1G);
}

static void test_errors_name_file_line_column(void **state)
{
	(void)state;
	parse_err("arch i386\nfoo bar\n", "t.machine:2:1: unknown key 'foo'");
	parse_err("arch sparc\n", "t.machine:1:6: unknown arch 'sparc'");
	parse_err("cpus 0\n", "t.machine:1:5: cpus must be a number from 1 to 64");
	parse_err("cpus 65\n", "cpus must be a number from 1 to 64");
	parse_err("cpus two\n", "cpus must be");
	parse_err("highmem maybe\n", "t.machine:1:9: highmem must be yes or no");
	parse_err("BIOS-e820: [mem 0x1000-0x0fff] usable\nBIOS-e820: [mem 0x2000-0x1000] usable\n",
		  "t.machine:2:30: end 0x1000 is below start 0x2000");
	parse_err("BIOS-e820: [mem 0x0-0xfff] usabel\n", "t.machine:1:28: unknown e820 type 'usabel'");
	parse_err("BIOS-e820: [mem 0x0-0xfff usable\n", "expected ']'");
	parse_err("BIOS-e820: [mem zz-0xfff] usable\n", "expected 0x<start>");
	parse_err("BIOS-e820: 0000 - 1000 usable\n", "expected '(<type>)'");
	parse_err("BIOS-e820: 2000 - 1000 (usable)\n", "is below start");
	parse_err("e820 0x0 0x1000 usable extra\n", "unexpected text 'extra'");
	parse_err("e820 0x0 0x1000\n", "unknown e820 type ''");
	parse_err("e820 0x0 99999999999999999999 usable\n", "expected the size");
	parse_err("ram 16T\nram 512K\n", "t.machine:2:4: ram must be a size of at least 1M");
	parse_err("ram 1G\ne820 0 4096 usable\n", "give either 'ram' or an e820 map, not both");
	parse_err("kernel text=1M code=lots\n", "bad size for 'code'");
	parse_err("kernel colour=red\n", "unknown kernel field 'colour'");
	parse_err("name ok\x01\n", "control character 0x01");
}

static void test_more_than_128_firmware_entries_rejected(void **state)
{
	char *text = malloc(200 * 64), *p = text;

	(void)state;
	for (int i = 0; i < 129; i++)
		p += sprintf(p, "e820 %d 4096 usable\n", i * 8192);
	parse_err(text, "t.machine:129:");
	parse_err(text, "more than 128 e820 entries");
	free(text);
}

static void test_load_reports_missing_file(void **state)
{
	struct machine_desc d;
	char err[256];

	(void)state;
	assert_int_equal(mmkit_desc_load(&d, "/nonexistent/x.machine", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/x.machine: No such file or directory"));
}

static void test_every_example_machine_parses(void **state)
{
	static const char *const names[] = { "pc-i386-64m", "pc-i386-2g", "pc-i386-pae-8g",
					     "pc-x86_64-16g", "pc-i386-legacy" };
	char path[512], err[256];
	struct machine_desc d;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), "%s/examples/machines/%s.machine", MMKIT_SOURCE_DIR, names[i]);
		assert_int_equal(mmkit_desc_load(&d, path, err, sizeof(err)), 0);
		assert_string_equal(d.name, names[i]);
		assert_true(d.nr_e820 >= 3);
	}
}

/* `reclaim POLICY` and `max_resident N` are parsed, checked, and applied at
 * boot (mmkit_set_reclaim_policy, mmkit_set_max_resident). */
static void test_reclaim_policy_key(void **state)
{
	struct machine_desc d;
	struct machine *m;

	(void)state;
	d = parse_ok("reclaim fifo\nmax_resident 64\n");
	assert_string_equal(d.reclaim, "fifo");
	assert_int_equal(d.max_resident, 64);
	d = parse_ok("name x\n");
	assert_string_equal(d.reclaim, "");
	assert_int_equal(d.max_resident, 0);
	parse_err("reclaim lfu\n", "t.machine:1:9: unknown reclaim policy 'lfu' (linux, clock, lru or fifo)");
	parse_err("reclaim opt\n", "t.machine:1:9: reclaim policy 'opt' needs the future");
	parse_err("max_resident 12x\n", "t.machine:1:13: max_resident must be a number of pages");
	parse_err("max_resident -1\n", "max_resident must be a number of pages");

	m = test_boot_text("reclaim LRU\nmax_resident 100\n");
	assert_int_equal(m->reclaim.policy, RECLAIM_LRU);
	assert_true(m->reclaim.track_access);
	assert_int_equal(m->reclaim.max_resident, 100);
	mmkit_machine_destroy(m);
	m = test_boot_text("name plain\n");
	assert_int_equal(m->reclaim.policy, RECLAIM_LINUX);
	assert_int_equal(m->reclaim.max_resident, 0);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_i386_128m_qemu_map),
		cmocka_unit_test(test_modern_e820_lines_end_inclusive),
		cmocka_unit_test(test_legacy_e820_lines_end_exclusive),
		cmocka_unit_test(test_raw_entries_keep_garbage_for_the_kernel),
		cmocka_unit_test(test_keys_and_comments),
		cmocka_unit_test(test_ram_above_3g_goes_above_4g),
		cmocka_unit_test(test_errors_name_file_line_column),
		cmocka_unit_test(test_more_than_128_firmware_entries_rejected),
		cmocka_unit_test(test_load_reports_missing_file),
		cmocka_unit_test(test_every_example_machine_parses),
		cmocka_unit_test(test_reclaim_policy_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
