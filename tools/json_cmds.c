/* The --json forms of `mmkit boot`, `mmkit cat` and `mmkit machines`: one
 * JSON object on stdout per command, the shapes documented in mmkit(1)
 * (docs/mmkit.1, JSON OUTPUT). Errors still go to stderr and the exit
 * status is the human form's.
 *
 * Linux counterpart: none. Invariant: stdout holds exactly one JSON
 * document (tests/cli/json.sh parses each). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>

#include "tools.h"

static const char *arch_name(enum mmkit_arch arch)
{
	return arch == MMKIT_ARCH_X86_64 ? "x86_64" : arch == MMKIT_ARCH_I386_PAE ? "i386-pae" :
	       "i386";
}

/* The usable RAM of the e820 map as the BIOS reports it, in kB. */
static unsigned long long usable_kb(const struct machine_desc *d)
{
	unsigned long long kb = 0;

	for (int i = 0; i < d->nr_e820; i++)
		if (d->e820[i].type == E820_RAM)
			kb += d->e820[i].size >> 10;
	return kb;
}

/* "name", "arch", "cpus", "cmdline" of @d, without the braces. */
static void desc_fields(const struct machine_desc *d)
{
	printf("\"machine\": ");
	json_string(stdout, d->name);
	printf(", \"arch\": \"%s\", \"cpus\": %u, \"highmem\": %s, \"e820_usable_kB\": %llu, "
	       "\"cmdline\": ", arch_name(d->arch), d->nr_cpus, d->highmem ? "true" : "false",
	       usable_kb(d));
	json_string(stdout, d->cmdline);
}

/* The kernel log as an array of lines. */
static void log_lines(const struct machine *m)
{
	size_t len;
	const char *text = mmkit_log_text(m, &len), *end = text + len;
	int first = 1;

	printf("[");
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);

		printf("%s\n  ", first ? "" : ",");
		json_string_n(stdout, text, n);
		first = 0;
		text += n + (nl ? 1 : 0);
	}
	printf("]");
}

/**
 * json_boot() - `mmkit boot --json`: boot @d and print
 *	{"machine", "arch", "cpus", "highmem", "e820_usable_kB", "cmdline",
 *	 "booted", "error", "totalram_kB", "violations", "log": [LINES]}
 * @d: the machine
 * @check: run the invariant checker (violations is null without it)
 *
 * Returns the exit status: 0, or 1 when it does not boot or has violations.
 */
int json_boot(const struct machine_desc *d, bool check)
{
	struct machine *m = mmkit_machine_create(d);
	int ret, bad = 0;

	if (!m) {
		fprintf(stderr, "mmkit: out of host memory\n");
		return 1;
	}
	ret = mmkit_boot(m);
	if (!ret && check)
		bad = mmkit_check(m);
	printf("{");
	desc_fields(d);
	printf(",\n \"booted\": %s, \"error\": ", ret ? "false" : "true");
	json_string(stdout, ret ? strerror(-ret) : NULL);
	printf(", \"totalram_kB\": %lu, \"violations\": ", ret ? 0 :
	       m->totalram_pages << (PAGE_SHIFT - 10));
	if (check && !ret)
		printf("%d", bad);
	else
		printf("null");
	printf(",\n \"log\": ");
	log_lines(m);
	printf("}\n");
	mmkit_machine_destroy(m);
	if (ret)
		fprintf(stderr, "mmkit: %s failed to boot: %s\n", d->name, strerror(-ret));
	return ret || bad ? 1 : 0;
}

/**
 * json_cat() - `mmkit cat --json`: boot @d and print {"machine", ...,
 *	"files": {"/proc/meminfo": "TEXT", ...}, "errors": {"/proc/x": "reason"}}
 * @d: the machine
 * @files: the /proc paths
 * @n: how many
 *
 * Returns the exit status: 0, or 1 when it does not boot or a file failed.
 */
int json_cat(const struct machine_desc *d, char **files, int n)
{
	struct machine *m = mmkit_machine_create(d);
	int ret, status = 0, first = 1;

	if (!m || (ret = mmkit_boot(m))) {
		fprintf(stderr, "mmkit: %s failed to boot\n", d->name);
		if (m)
			mmkit_machine_destroy(m);
		return 1;
	}
	printf("{");
	desc_fields(d);
	printf(",\n \"files\": {");
	for (int i = 0; i < n; i++) {
		char *text;
		size_t len;

		if (mmkit_proc_read(m, files[i], &text, &len)) {
			status = 1;
			continue;
		}
		printf("%s\n  ", first ? "" : ",");
		json_string(stdout, files[i]);
		printf(": ");
		json_string_n(stdout, text, len);
		free(text);
		first = 0;
	}
	printf("},\n \"errors\": {");
	first = 1;
	for (int i = 0; i < n; i++) {
		char *text;
		size_t len;
		int err = mmkit_proc_read(m, files[i], &text, &len);

		if (!err) {
			free(text);
			continue;
		}
		fprintf(stderr, "mmkit: cat: %s: %s\n", files[i],
			err == -ENOENT ? "No such file (see 'mmkit help cat')" : strerror(-err));
		printf("%s", first ? "" : ", ");
		json_string(stdout, files[i]);
		printf(": ");
		json_string(stdout, strerror(-err));
		first = 0;
	}
	printf("}}\n");
	mmkit_machine_destroy(m);
	return status;
}

/**
 * json_machines() - `mmkit machines --json`: {"dir": DIR, "machines":
 *	[{"name", "machine", "arch", "cpus", "highmem", "e820_usable_kB",
 *	  "cmdline"}, ...]}, sorted by name; files that do not parse are left
 *	out with the error on stderr
 *
 * Returns the exit status: 0, or 1 when the directory cannot be read.
 */
int json_machines(void)
{
	struct dirent **list;
	int n = scandir(machines_dir(), &list, NULL, alphasort), first = 1;

	if (n < 0) {
		fprintf(stderr, "mmkit: %s: %s\n", machines_dir(), strerror(errno));
		return 1;
	}
	printf("{\"dir\": ");
	json_string(stdout, machines_dir());
	printf(", \"machines\": [");
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);
		struct machine_desc d;
		char path[4096], err[512];

		if (len > 8 && !strcmp(name + len - 8, ".machine")) {
			snprintf(path, sizeof(path), "%s/%s", machines_dir(), name);
			if (mmkit_desc_load(&d, path, err, sizeof(err))) {
				fprintf(stderr, "mmkit: %s\n", err);
			} else {
				char nm[256];

				snprintf(nm, sizeof(nm), "%.*s", (int)(len - 8), name);
				printf("%s\n  {\"name\": ", first ? "" : ",");
				json_string(stdout, nm);
				printf(", ");
				desc_fields(&d);
				printf("}");
				first = 0;
			}
		}
		free(list[i]);
	}
	free(list);
	printf("]}\n");
	return 0;
}
