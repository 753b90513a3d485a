/* Shared test helpers (see helpers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

const struct e820entry qemu_128m[QEMU_128M_ENTRIES] = {
	{ 0, 0x9fc00, E820_RAM },
	{ 0x9fc00, 0x400, E820_RESERVED },
	{ 0xf0000, 0x10000, E820_RESERVED },
	{ 0x100000, 0x7ee0000, E820_RAM },
	{ 0x7fe0000, 0x20000, E820_RESERVED },
	{ 0xfeffc000, 0x4000, E820_RESERVED },
	{ 0xfffc0000, 0x40000, E820_RESERVED },
};

struct machine *test_machine_new(enum mmkit_arch arch, bool highmem,
				 const struct e820entry *map, int n, const char *cmdline)
{
	struct machine_desc d;
	struct machine *m;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "test");
	d.arch = arch;
	d.nr_cpus = 1;
	d.highmem = highmem;
	d.nr_e820 = n;
	if (n)
		memcpy(d.e820, map, (size_t)n * sizeof(*map));
	snprintf(d.cmdline, sizeof(d.cmdline), "%s", cmdline ? cmdline : "");
	m = mmkit_machine_create(&d);
	assert_non_null(m);
	m->debug_vm = 2;
	return m;
}

int test_try_boot(const char *desc_text, struct machine **out)
{
	struct machine_desc d;
	char err[256];
	struct machine *m;
	int ret;

	ret = mmkit_desc_parse(&d, desc_text, "<test>", err, sizeof(err));
	if (ret) {
		fprintf(stderr, "desc: %s\n", err);
		*out = NULL;
		return ret;
	}
	m = mmkit_machine_create(&d);
	assert_non_null(m);
	m->debug_vm = 2;
	ret = mmkit_boot(m);
	*out = m;
	return ret;
}

static void dump_log(struct machine *m)
{
	size_t len;
	const char *log = mmkit_log_text(m, &len);

	fprintf(stderr, "---- kernel log (last 4000 bytes) ----\n%s\n",
		len > 4000 ? log + len - 4000 : log);
}

struct machine *test_boot_text(const char *desc_text)
{
	struct machine *m;
	int ret = test_try_boot(desc_text, &m);

	if (ret && m)
		dump_log(m);
	assert_int_equal(ret, 0);
	return m;
}

struct machine *test_boot_default(void)
{
	struct machine_desc d;
	struct machine *m;

	mmkit_desc_default(&d);
	m = mmkit_machine_create(&d);
	assert_non_null(m);
	m->debug_vm = 2;
	if (mmkit_boot(m))
		dump_log(m);
	assert_true(m->booted);
	return m;
}

struct machine *test_boot_example(const char *name)
{
	char path[512], err[256];
	struct machine_desc d;
	struct machine *m;
	int ret;

	snprintf(path, sizeof(path), "%s/examples/machines/%s.machine", MMKIT_SOURCE_DIR, name);
	ret = mmkit_desc_load(&d, path, err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s\n", err);
	assert_int_equal(ret, 0);
	m = mmkit_machine_create(&d);
	assert_non_null(m);
	m->debug_vm = 2;
	ret = mmkit_boot(m);
	if (ret)
		dump_log(m);
	assert_int_equal(ret, 0);
	return m;
}

char *test_proc(struct machine *m, const char *path)
{
	char *out = NULL;
	size_t len;

	assert_int_equal(mmkit_proc_read(m, path, &out, &len), 0);
	assert_non_null(out);
	assert_int_equal(strlen(out), len);
	return out;
}

unsigned long meminfo_kb(struct machine *m, const char *label)
{
	char *text = test_proc(m, "/proc/meminfo");
	char *line = strstr(text, label);
	unsigned long v;

	assert_non_null(line);
	v = strtoul(line + strlen(label), NULL, 10);
	free(text);
	return v;
}

char *test_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

bool test_log_contains(struct machine *m, const char *needle)
{
	return strstr(mmkit_log_text(m, NULL), needle) != NULL;
}

void test_assert_clean(struct machine *m)
{
	int bad = mmkit_check(m);

	if (bad)
		dump_log(m);
	assert_int_equal(bad, 0);
}

char *log_plain(struct machine *m)
{
	const char *s = mmkit_log_text(m, NULL);
	char *out = malloc(strlen(s) + 1), *o = out;

	assert_non_null(out);
	while (*s) {
		if (*s == '[') {
			const char *e = strstr(s, "] ");

			if (e)
				s = e + 2;
		}
		while (*s && *s != '\n')
			*o++ = *s++;
		if (*s)
			*o++ = *s++;
	}
	*o = '\0';
	return out;
}

void assert_log_has(struct machine *m, const char *text)
{
	char *log = log_plain(m);

	if (!strstr(log, text))
		fail_msg("log lacks:\n%s\n---- log ----\n%s", text, log);
	free(log);
}

void assert_log_lacks(struct machine *m, const char *text)
{
	char *log = log_plain(m);

	if (strstr(log, text))
		fail_msg("log has:\n%s\n---- log ----\n%s", text, log);
	free(log);
}

int count_in_log(struct machine *m, const char *needle)
{
	const char *s = mmkit_log_text(m, NULL);
	int n = 0;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}
