/* Shared test helpers: boot a machine from description text, read /proc
 * views and reference files, assert the invariant checker is clean. */
#ifndef MMKIT_TEST_HELPERS_H
#define MMKIT_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "internal.h"

/* Boot the machine described by desc_text (the machine-file format);
 * fails the test if parsing or boot fails. Checker level 2 (every op). */
struct machine *test_boot_text(const char *desc_text);
/* Boot the built-in default machine (i386, 128 MiB). */
struct machine *test_boot_default(void);
/* Boot examples/machines/NAME.machine from the source tree. */
struct machine *test_boot_example(const char *name);
/* Parse desc_text, create and boot; return the boot result, machine in *out. */
int test_try_boot(const char *desc_text, struct machine **out);

/* The e820 map of the built-in default machine (QEMU's 128 MiB PC). */
#define QEMU_128M_ENTRIES 7
extern const struct e820entry qemu_128m[QEMU_128M_ENTRIES];
/* A powered-off machine (created, not booted, checker level 2) of arch with
 * the n-entry firmware map and cmdline (NULL: empty). */
struct machine *test_machine_new(enum mmkit_arch arch, bool highmem,
				 const struct e820entry *map, int n, const char *cmdline);

/* Render a /proc view; the caller frees it. Fails the test on error. */
char *test_proc(struct machine *m, const char *path);
/* The number after label in /proc/meminfo (kB for most lines). */
unsigned long meminfo_kb(struct machine *m, const char *label);
/* Read a whole file (NULL if missing); the caller frees it. */
char *test_read_file(const char *path);
/* True when the kernel log contains needle. */
bool test_log_contains(struct machine *m, const char *needle);
/* The log without its "[    0.000000] " stamps, as text is compared with
 * what Linux prints; the caller frees it. */
char *log_plain(struct machine *m);
/* Fail the test, printing the log, unless the stamp-less log has (lacks) text. */
void assert_log_has(struct machine *m, const char *text);
void assert_log_lacks(struct machine *m, const char *text);
/* How often needle occurs in the kernel log. */
int count_in_log(struct machine *m, const char *needle);
/* Fail the test (printing the log tail) if mmkit_check() finds anything. */
void test_assert_clean(struct machine *m);

#define assert_clean(m) test_assert_clean(m)

#endif
