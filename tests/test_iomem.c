/* /proc/iomem after setup_arch(): one line per e820 entry, the kernel's
 * sections nested two spaces under the System RAM that holds them, in
 * kernel/resource.c's "%0*llx-%0*llx : %s" with width 8. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define M(x) ((u64)(x) << 20)
#define G(x) ((u64)(x) << 30)

static struct machine *setup_machine(enum mmkit_arch arch, bool highmem,
				     const struct e820entry *map, int n, const char *cmdline)
{
	struct machine *m = test_machine_new(arch, highmem, map, n, cmdline);
	int ret;

	ret = setup_arch(m);
	if (ret)
		fail_msg("setup_arch: %d\n%s", ret, mmkit_log_text(m, NULL));
	return m;
}

static void assert_iomem(struct machine *m, const char *expected)
{
	char *text = test_proc(m, "/proc/iomem");

	if (strcmp(text, expected))
		fail_msg("/proc/iomem:\n%s\nexpected:\n%s", text, expected);
	free(text);
}


/* i386 defaults: code 2M, rodata 512K, data 512K, bss 256K from 1 MiB. */
static void test_iomem_i386_128m(void **state)
{
	struct machine *m = setup_machine(MMKIT_ARCH_I386, true, qemu_128m, 7, NULL);

	(void)state;
	assert_iomem(m,
		"00000000-0009fbff : System RAM\n"
		"0009fc00-0009ffff : Reserved\n"
		"000f0000-000fffff : Reserved\n"
		"00100000-07fdffff : System RAM\n"
		"  00100000-002fffff : Kernel code\n"
		"  00300000-0037ffff : Kernel rodata\n"
		"  00380000-003fffff : Kernel data\n"
		"  00400000-0043ffff : Kernel bss\n"
		"07fe0000-07ffffff : Reserved\n"
		"feffc000-feffffff : Reserved\n"
		"fffc0000-ffffffff : Reserved\n");
	mmkit_machine_destroy(m);
}

static bool reference_has_line(const char *ref, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = ref; (p = strstr(p, line)); p += n)
		if ((p == ref || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* The reference guest's map: every line mmkit prints for it (but the bss,
 * which the reference places after init sections mmkit does not model)
 * and page 0, see below) appears in /work/shared/reference/proc/iomem. */
static void test_iomem_x86_64_lines_match_reference(void **state)
{
	const struct e820entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x9fc00, 0x60400, E820_RESERVED },
		{ 0x100000, 0xbff00000, E820_RAM },
		{ 0xeec00000, 0x10000000, E820_RESERVED },
		{ G(4), 0x540000000ULL, E820_RAM },
	};
	struct machine *m = setup_machine(MMKIT_ARCH_X86_64, false, map, 5, NULL);
	char *ref = test_read_file(MMKIT_REFERENCE_DIR "/proc/iomem");
	char *text = test_proc(m, "/proc/iomem"), *line, *save = NULL;
	int n = 0;

	(void)state;
	if (!ref)
		skip();
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		/* Modern kernels make page 0 "Reserved" in e820 itself; the
		 * seed's kernel reserves it in bootmem only. */
		if (strstr(line, "Kernel bss") || !strncmp(line, "00000000-", 9))
			continue;
		if (!reference_has_line(ref, line))
			fail_msg("not in the reference: '%s'", line);
		n++;
	}
	assert_int_equal(n, 7);
	free(text);
	free(ref);
	mmkit_machine_destroy(m);
}

static void test_iomem_names_every_e820_type(void **state)
{
	const struct e820entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x100000, 0x3f00000, E820_RAM },
		{ 0x4000000, 0x10000, E820_ACPI },
		{ 0x4010000, 0x10000, E820_NVS },
		{ 0x4020000, 0x10000, E820_UNUSABLE },
		{ 0x4030000, 0x10000, E820_PMEM },
		{ 0x4040000, 0x10000, 9 },
	};
	struct machine *m = setup_machine(MMKIT_ARCH_I386_PAE, true, map, 7, "memmap=1M!0x5000000");

	(void)state;
	assert_iomem(m,
		"00000000-0009fbff : System RAM\n"
		"00100000-03ffffff : System RAM\n"
		"  00100000-002fffff : Kernel code\n"
		"  00300000-0037ffff : Kernel rodata\n"
		"  00380000-003fffff : Kernel data\n"
		"  00400000-0043ffff : Kernel bss\n"
		"04000000-0400ffff : ACPI Tables\n"
		"04010000-0401ffff : ACPI Non-volatile Storage\n"
		"04020000-0402ffff : Unusable memory\n"
		"04030000-0403ffff : Persistent Memory\n"
		"04040000-0404ffff : Unknown E820 type\n"
		"05000000-050fffff : Persistent Memory (legacy)\n");
	mmkit_machine_destroy(m);
}

/* PAE: resources are 64-bit, addresses above 4G widen past 8 digits. */
static void test_iomem_pae_shows_ram_above_4g(void **state)
{
	const struct e820entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x100000, 0xbfee0000, E820_RAM },
		{ G(4), G(5), E820_RAM },
	};
	struct machine *m = setup_machine(MMKIT_ARCH_I386_PAE, true, map, 3, NULL);
	char *text = test_proc(m, "/proc/iomem");

	(void)state;
	assert_non_null(strstr(text, "\n100000000-23fffffff : System RAM\n"));
	free(text);
	mmkit_machine_destroy(m);
}

/* Without PAE, resource_size_t is 32-bit: Linux skips what ends above 4G. */
static void test_iomem_non_pae_omits_ram_above_4g(void **state)
{
	const struct e820entry map[] = {
		{ 0, 0x9fc00, E820_RAM },
		{ 0x100000, 0xbfee0000, E820_RAM },
		{ G(4), G(1), E820_RAM },
	};
	struct machine *m = setup_machine(MMKIT_ARCH_I386, true, map, 3, NULL);
	char *text = test_proc(m, "/proc/iomem");

	(void)state;
	assert_null(strstr(text, "100000000"));
	assert_non_null(strstr(text, "00100000-bffdffff : System RAM\n"));
	free(text);
	mmkit_machine_destroy(m);
}

/* mem= edits the map /proc/iomem shows. */
static void test_iomem_shows_the_user_defined_map(void **state)
{
	struct machine *m = setup_machine(MMKIT_ARCH_I386, true, qemu_128m, 7, "mem=32M");
	char *text = test_proc(m, "/proc/iomem");

	(void)state;
	assert_non_null(strstr(text, "\n00100000-01ffffff : System RAM\n"));
	free(text);
	mmkit_machine_destroy(m);
}

static void test_iomem_before_boot_is_empty(void **state)
{
	struct machine_desc d;
	struct machine *m;
	char *text;

	(void)state;
	memset(&d, 0, sizeof(d));
	m = mmkit_machine_create(&d);
	text = test_proc(m, "/proc/iomem");
	assert_string_equal(text, "");
	free(text);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iomem_i386_128m),
		cmocka_unit_test(test_iomem_x86_64_lines_match_reference),
		cmocka_unit_test(test_iomem_names_every_e820_type),
		cmocka_unit_test(test_iomem_pae_shows_ram_above_4g),
		cmocka_unit_test(test_iomem_non_pae_omits_ram_above_4g),
		cmocka_unit_test(test_iomem_shows_the_user_defined_map),
		cmocka_unit_test(test_iomem_before_boot_is_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
