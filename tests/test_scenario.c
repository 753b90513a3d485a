/* The scenario language through the library API (<mmkit/scenario.h>):
 * parse errors name FILE:LINE:COL and the reason; runs print each command
 * and its result, stop on unexpected failures with status 1, accept
 * expected ones, refuse misuse of kernel objects without touching the
 * machine, and print the same bytes every time. The shipped examples are
 * compared with their golden files by tests/cli/scenarios.sh. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/scenario.h>

#include "helpers.h"
#include "sim/scenario_internal.h"

static char err[1024];

static int parse(const char *text, struct mmkit_scenario **sc)
{
	return mmkit_scenario_parse(text, "t.mms", sc, err, sizeof(err));
}

static void assert_parse_error(const char *text, const char *msg)
{
	struct mmkit_scenario *sc = (void *)1;

	assert_int_equal(parse(text, &sc), -EINVAL);
	assert_null(sc);
	if (!strstr(err, msg))
		fail_msg("error '%s' lacks '%s'", err, msg);
}

/* Run text; *out gets stdout, *errout stderr. Returns the run's status. */
static int run(const char *text, char **out, char **errout, bool json)
{
	struct mmkit_scenario *sc;
	size_t olen, elen;
	struct mmkit_scenario_opts o = { .json = json,
					 .machines_dir = MMKIT_SOURCE_DIR "/examples/machines" };
	int ret;

	assert_int_equal(parse(text, &sc), 0);
	o.out = open_memstream(out, &olen);
	o.err = open_memstream(errout, &elen);
	ret = mmkit_scenario_run(sc, &o);
	fclose(o.out);
	fclose(o.err);
	mmkit_scenario_free(sc);
	return ret;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("output lacks '%s':\n%s", needle, text);
}

static void test_parse_unknown_command_names_line_and_column(void **state)
{
	(void)state;
	assert_parse_error("boot\n  # comment\n   frobnicate 1\n",
			   "t.mms:3:4: unknown command 'frobnicate'");
}

static void test_parse_bad_number(void **state)
{
	(void)state;
	assert_parse_error("mmap 0 4X rw- private,anonymous\n", "t.mms:1:8: bad number '4X'");
}

static void test_parse_undefined_variable(void **state)
{
	(void)state;
	assert_parse_error("$a = brk 0\nmunmap $b+4K 4K\n", "t.mms:2:8: undefined variable $b");
}

static void test_parse_variable_used_in_its_own_assignment_is_undefined(void **state)
{
	(void)state;
	assert_parse_error("$a = brk $a\n", "t.mms:1:10: undefined variable $a");
}

static void test_parse_wrong_argument_count(void **state)
{
	(void)state;
	assert_parse_error("mprotect 0 4K\n", "t.mms:1:1: 'mprotect' takes 3 arguments, got 2");
	assert_parse_error("mmap 0\n", "'mmap' takes 4 to 6 arguments, got 1");
}

static void test_parse_bad_flags(void **state)
{
	(void)state;
	assert_parse_error("mmap 0 4K rwz private\n", "t.mms:1:11: bad protection 'rwz'");
	assert_parse_error("mmap 0 4K rw- private,bogus\n", "bad mmap flags 'private,bogus'");
	assert_parse_error("madvise 0 4K sometimes\n", "bad madvise advice 'sometimes'");
	assert_parse_error("$p = alloc_pages 0 GFP_NOPE\n", "bad gfp mask 'GFP_NOPE'");
}

static void test_parse_unterminated_string(void **state)
{
	(void)state;
	assert_parse_error("write 0x1000 \"abc\n", "t.mms:1:14: unterminated string");
}

static void test_parse_assignment_of_valueless_command(void **state)
{
	(void)state;
	assert_parse_error("$x = check\n", "t.mms:1:6: 'check' returns no value to assign");
}

static void test_parse_expect_names(void **state)
{
	(void)state;
	assert_parse_error("brk 0\nexpect errno ENOTREAL\n", "t.mms:2:14: unknown errno name");
	assert_parse_error("brk 0\nexpect signal SIGFOO\n", "unknown signal name 'SIGFOO'");
}

static void test_parse_accepts_flag_spellings(void **state)
{
	struct mmkit_scenario *sc;

	(void)state;
	assert_int_equal(parse("$a = mmap 0 64K rw- private,anonymous\n"
			       "$b = mmap 0 64K PROT_READ|PROT_WRITE MAP_PRIVATE|MAP_ANONYMOUS\n"
			       "$c = mmap 0x1000 1M 3 0x22 -1 0\n"
			       "madvise $a 4K MADV_DONTNEED\n"
			       "$p = alloc_pages 2 GFP_HIGHUSER|__GFP_ZERO\n", &sc), 0);
	assert_int_equal(mmkit_scenario_nr_commands(sc), 5);
	mmkit_scenario_free(sc);
}

/* gfp words may leave out GFP_ or __GFP_, and mix with full names. */
static void test_gfp_words_take_either_prefix(void **state)
{
	unsigned long v;

	(void)state;
	assert_int_equal(scn_parse_gfp("kernel|zero", &v), 0);
	assert_int_equal(v, GFP_KERNEL | __GFP_ZERO);
	assert_int_equal(scn_parse_gfp("GFP_HIGHUSER,nowarn", &v), 0);
	assert_int_equal(v, GFP_HIGHUSER | __GFP_NOWARN);
	assert_int_equal(scn_parse_gfp("kernel|", &v), -EINVAL);
	assert_int_equal(scn_parse_gfp("nope", &v), -EINVAL);
	assert_int_equal(scn_parse_gfp("", &v), -EINVAL);
}

static void test_parse_accepts_every_example(void **state)
{
	DIR *d = opendir(MMKIT_SOURCE_DIR "/examples/scenarios");
	struct dirent *e;
	int n = 0;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d))) {
		struct mmkit_scenario *sc;
		char path[1024];

		if (!strstr(e->d_name, ".mms"))
			continue;
		snprintf(path, sizeof(path), "%s/examples/scenarios/%s", MMKIT_SOURCE_DIR, e->d_name);
		if (mmkit_scenario_load(path, &sc, err, sizeof(err)))
			fail_msg("%s", err);
		assert_true(mmkit_scenario_nr_commands(sc) > 0);
		mmkit_scenario_free(sc);
		n++;
	}
	closedir(d);
	assert_true(n >= 9);
}

static void test_run_numbers_take_binary_suffixes(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("echo 64K 0x10 1M+4K 2G-1\n", &out, &eout, false), 0);
	assert_has(out, "0x10000 0x10 0x101000 0x7fffffff\n");
	free(out);
	free(eout);
}

/* A leading 0 means octal, as in C (file and shm modes): 0644 is 420,
 * and a digit 8 or 9 after it is an error, not a decimal. */
static void test_run_numbers_with_a_leading_zero_are_octal(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("echo 0644 0600 0\n", &out, &eout, false), 0);
	assert_has(out, "0x1a4 0x180 0x0\n");
	free(out);
	free(eout);
	assert_parse_error("mmap 0 08K rw- private,anonymous\n", "t.mms:1:8: bad number '08K'");
}

static void test_run_mmap_prints_the_address_and_faults(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("spawn p\n$a = mmap 0 64K rw- private,anonymous\n"
			     "write $a+4K \"hi\"\nread $a+4K 2 expect \"hi\"\n",
			     &out, &eout, false), 0);
	assert_has(out, "> $a = mmap 0 64K rw- private,anonymous\n$a = 0xb7ff0000\n");
	assert_has(out, "wrote 2 bytes at 0xb7ff1000: 1 page fault\n");
	assert_has(out, "as expected\n");
	free(out);
	free(eout);
}

static void test_run_unexpected_errno_stops_with_status_1(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("spawn p\nmunmap 0x1001 4K\necho not reached\n", &out, &eout, false), 1);
	assert_has(out, "= -1 EINVAL (Invalid argument)\n");
	assert_has(eout, "t.mms:2:1: 'munmap' failed with errno EINVAL");
	assert_null(strstr(out, "not reached"));
	free(out);
	free(eout);
}

static void test_run_expected_errno_goes_on(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("spawn p\nmunmap 0x1001 4K\nexpect errno EINVAL\necho reached\n",
			     &out, &eout, false), 0);
	assert_has(out, "reached\n");
	free(out);
	free(eout);
}

static void test_run_expect_of_wrong_outcome_fails(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("spawn p\nbrk 0\nexpect errno ENOMEM\n", &out, &eout, false), 1);
	assert_has(eout, "t.mms:3:1: expected errno ENOMEM from 'brk' (line 2), got success");
	free(out);
	free(eout);
}

static void test_run_fatal_signal_is_reported_and_expectable(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("spawn p\nwrite 0x1000 \"x\"\nexpect signal SIGSEGV\nread 0 1\n",
			     &out, &eout, false), 1);
	assert_has(out, "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x1000} ---\n"
			"+++ p (pid 1) killed by SIGSEGV +++\n");
	/* the killed process is no longer current */
	assert_has(eout, "t.mms:4:1: 'read' needs a current process");
	free(out);
	free(eout);
}

static void test_run_double_free_is_refused(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("$p = alloc_pages 1\nfree_pages $p 1\nfree_pages $p 1\n",
			     &out, &eout, false), 1);
	assert_has(eout, "t.mms:3:12: $p was freed on line 2");
	free(out);
	free(eout);
}

static void test_run_kfree_of_a_page_is_refused(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("$p = alloc_pages 0\nkfree $p\n", &out, &eout, false), 1);
	assert_has(eout, "t.mms:2:7: $p does not hold a kmalloc object");
	free(out);
	free(eout);
}

static void test_run_unknown_machine(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("machine nosuch\nboot\n", &out, &eout, false), 1);
	assert_has(eout, "t.mms:1:9: no machine 'nosuch'");
	free(out);
	free(eout);
}

static void test_run_output_is_the_same_every_time(void **state)
{
	static const char text[] = "spawn p\n$a = mmap 0 1M rw- private,anonymous\n"
				   "write $a 100K random 42\nread $a 100K expect random 42\n"
				   "fork p c\nswitch c\ntouch $a 64K write\n$k = kmalloc 200\n"
				   "$v = vmalloc 10K\nshow /proc/vmallocinfo\nshow /proc/c/smaps\n"
				   "show counters\n";
	char *out1, *out2, *e1, *e2;

	(void)state;
	assert_int_equal(run(text, &out1, &e1, false), 0);
	assert_int_equal(run(text, &out2, &e2, false), 0);
	assert_string_equal(out1, out2);
	assert_has(out1, "as expected\n");
	free(out1);
	free(out2);
	free(e1);
	free(e2);
}

static void test_run_json_prints_one_object_per_command(void **state)
{
	char *out, *eout;

	(void)state;
	assert_int_equal(run("spawn p\n$a = mmap 0 4K rw- private,anonymous\nmunmap 1 1\n"
			     "expect errno EINVAL\n", &out, &eout, true), 0);
	assert_has(out, "{\"line\":2,\"command\":\"$a = mmap 0 4K rw- private,anonymous\","
			"\"status\":\"ok\",\"value\":3087003648,");
	assert_has(out, "{\"line\":3,\"command\":\"munmap 1 1\",\"status\":\"errno\",\"errno\":\"EINVAL\"");
	free(out);
	free(eout);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_unknown_command_names_line_and_column),
		cmocka_unit_test(test_parse_bad_number),
		cmocka_unit_test(test_parse_undefined_variable),
		cmocka_unit_test(test_parse_variable_used_in_its_own_assignment_is_undefined),
		cmocka_unit_test(test_parse_wrong_argument_count),
		cmocka_unit_test(test_parse_bad_flags),
		cmocka_unit_test(test_parse_unterminated_string),
		cmocka_unit_test(test_parse_assignment_of_valueless_command),
		cmocka_unit_test(test_parse_expect_names),
		cmocka_unit_test(test_parse_accepts_flag_spellings),
		cmocka_unit_test(test_gfp_words_take_either_prefix),
		cmocka_unit_test(test_parse_accepts_every_example),
		cmocka_unit_test(test_run_numbers_take_binary_suffixes),
		cmocka_unit_test(test_run_numbers_with_a_leading_zero_are_octal),
		cmocka_unit_test(test_run_mmap_prints_the_address_and_faults),
		cmocka_unit_test(test_run_unexpected_errno_stops_with_status_1),
		cmocka_unit_test(test_run_expected_errno_goes_on),
		cmocka_unit_test(test_run_expect_of_wrong_outcome_fails),
		cmocka_unit_test(test_run_fatal_signal_is_reported_and_expectable),
		cmocka_unit_test(test_run_double_free_is_refused),
		cmocka_unit_test(test_run_kfree_of_a_page_is_refused),
		cmocka_unit_test(test_run_unknown_machine),
		cmocka_unit_test(test_run_output_is_the_same_every_time),
		cmocka_unit_test(test_run_json_prints_one_object_per_command),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
