/* Swap entries in ptes (src/arch/x86/pgtable_swap.c): Linux's bit layouts
 * on the three formats, the round trip, and the largest area each allows. */
#include "fault_test.h"
#include "mm/swap.h"

static const char pae_machine[] =
	"name pae\narch i386-pae\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable\n";

/* 2-level: type in bits 1-5, offset from bit 9:
 *   swp_entry(1, 0x1234) -> 0x1234 << 9 | 1 << 1 = 0x00246802 */
static void test_swap_pte_2level_layout_is_linux(void **state)
{
	struct machine *m = test_boot_default();
	swp_entry_t e = swp_entry(1, 0x1234);
	pte_t pte = swp_entry_to_pte(m, e);

	(void)state;
	assert_int_equal(pte_val(pte), 0x246802);
	assert_true(is_swap_pte(pte));
	assert_false(pte_present(pte));
	assert_int_equal(pte_to_swp_entry(m, pte).val, e.val);
	assert_int_equal(pte_val(swp_entry_to_pte(m, swp_entry(31, 0x7fffff))), 0xfffffe3e);
	assert_int_equal(max_swapfile_size(m), 1UL << 23);
	mmkit_machine_destroy(m);
}

/* PAE and x86_64: type in bits 59-63, offset inverted in bits 9-58:
 *   swp_entry(1, 0x1234) -> ~0x1234 << 14 >> 5 | 1 << 59 = 0x0fffffffffdb9600 */
static void check_inverted_layout(struct machine *m, unsigned long max)
{
	pte_t pte = swp_entry_to_pte(m, swp_entry(1, 0x1234));

	assert_int_equal(pte_val(pte), 0x0fffffffffdb9600ULL);
	assert_true(is_swap_pte(pte));
	assert_int_equal(swp_type(pte_to_swp_entry(m, pte)), 1);
	assert_int_equal(swp_offset(pte_to_swp_entry(m, pte)), 0x1234);
	assert_int_equal(pte_val(swp_entry_to_pte(m, swp_entry(0, 1))), 0x07fffffffffffc00ULL);
	assert_int_equal(pte_val(pte) & 0x1ff, 0);	/* P, PROTNONE and the low bits clear */
	for (unsigned long t = 0; t < 32; t += 31) {
		swp_entry_t e = swp_entry(t, max - 1);

		assert_int_equal(pte_to_swp_entry(m, swp_entry_to_pte(m, e)).val, e.val);
	}
	assert_int_equal(max_swapfile_size(m), max);
}

static void test_swap_pte_pae_layout_is_linux(void **state)
{
	struct machine *m = test_boot_text(pae_machine);

	(void)state;
	check_inverted_layout(m, 1UL << 26);
	mmkit_machine_destroy(m);
}

static void test_swap_pte_x86_64_layout_is_linux(void **state)
{
	struct machine *m = test_boot_text(vt_x86_64_machine);

	(void)state;
	check_inverted_layout(m, 1UL << 50);
	mmkit_machine_destroy(m);
}

/* Every type and a spread of offsets survive the round trip (2-level). */
static void test_swap_pte_round_trip_2level(void **state)
{
	struct machine *m = test_boot_default();

	(void)state;
	for (unsigned long t = 0; t < 32; t++)
		for (unsigned long off = 1; off < (1UL << 23); off = off * 3 + 1) {
			swp_entry_t e = swp_entry(t, off);
			pte_t pte = swp_entry_to_pte(m, e);

			assert_true(is_swap_pte(pte));
			assert_int_equal(pte_to_swp_entry(m, pte).val, e.val);
		}
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swap_pte_2level_layout_is_linux),
		cmocka_unit_test(test_swap_pte_pae_layout_is_linux),
		cmocka_unit_test(test_swap_pte_x86_64_layout_is_linux),
		cmocka_unit_test(test_swap_pte_round_trip_2level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
