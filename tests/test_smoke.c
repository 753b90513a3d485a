/* Smoke test: the library links and a machine object can be created. */
#include "helpers.h"

static void test_create_destroy(void **state)
{
	struct machine_desc d;
	struct machine *m;

	(void)state;
	mmkit_desc_default(&d);
	m = mmkit_machine_create(&d);
	assert_non_null(m);
	assert_false(m->booted);
	mmkit_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_destroy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
