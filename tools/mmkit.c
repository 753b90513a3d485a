/* The mmkit command: boot a simulated machine and look at it.
 *
 *   mmkit boot [MACHINE] [--cmdline ARGS]    boot and print the kernel log
 *   mmkit cat [-m MACHINE] /proc/FILE...     boot and print /proc views
 *   mmkit machines                           list the shipped machines
 *   mmkit run SCENARIO [--machine M] [--json] run a scenario (docs/scenarios.md)
 *   mmkit help [COMMAND]                     help, git style
 *
 * Every command takes --json (one JSON object on stdout, documented in
 * docs/mmkit.1) and, anywhere before a "--", --progress / --no-progress
 * (tools/progress.c).
 *
 * MACHINE is a path to a .machine file or the name of a shipped one
 * (examples/machines/NAME.machine); without it, the built-in default. */
#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmkit/mmkit.h>
#include <mmkit/scenario.h>

#include "tools.h"

#ifndef MMKIT_MACHINES_DIR
#define MMKIT_MACHINES_DIR "examples/machines"
#endif

struct command {
	const char *name;
	const char *summary;
	const char *usage;
	int (*run)(int argc, char **argv);
};

static const struct command *find_command(const char *name);

/* Where the shipped machine files are: $MMKIT_MACHINES, the source tree
 * the binary was built from, or the install location. */
/**
 * machines_dir() - where shipped machines are: $MMKIT_MACHINES or the
 *	source tree's examples/machines
 */
const char *machines_dir(void)
{
	const char *env = getenv("MMKIT_MACHINES");

	return env && *env ? env : MMKIT_MACHINES_DIR;
}

/**
 * load_machine() - load MACHINE (a path or a shipped name) into @d, with
 *	the error on stderr
 * @spec: the machine, or NULL for the built-in default
 * @d: filled
 *
 * Returns 0, or 1 when it cannot be loaded.
 */
int load_machine(const char *spec, struct machine_desc *d)
{
	char path[4096], err[512];
	int ret;

	if (!spec) {
		mmkit_desc_default(d);
		return 0;
	}
	if (strchr(spec, '/') || access(spec, R_OK) == 0)
		snprintf(path, sizeof(path), "%s", spec);
	else
		snprintf(path, sizeof(path), "%s/%s.machine", machines_dir(), spec);
	ret = mmkit_desc_load(d, path, err, sizeof(err));
	if (ret) {
		if (ret == -ENOENT && !strchr(spec, '/'))
			fprintf(stderr, "mmkit: no machine '%s' (a .machine file, or one of "
				"'mmkit machines')\n", spec);
		else
			fprintf(stderr, "mmkit: %s\n", err);
		return 1;
	}
	return 0;
}

static int append_cmdline(struct machine_desc *d, const char *extra)
{
	size_t len = strlen(d->cmdline);

	if (len + 1 + strlen(extra) >= sizeof(d->cmdline)) {
		fprintf(stderr, "mmkit: kernel command line longer than %zu bytes\n",
			sizeof(d->cmdline) - 1);
		return 1;
	}
	if (len)
		d->cmdline[len++] = ' ';
	strcpy(d->cmdline + len, extra);
	return 0;
}

/* Boot d; on failure print the log and the reason, return NULL. */
static struct machine *boot_machine(const struct machine_desc *d, bool print_log_on_fail)
{
	struct machine *m = mmkit_machine_create(d);
	int ret;

	if (!m) {
		fprintf(stderr, "mmkit: out of host memory\n");
		return NULL;
	}
	ret = mmkit_boot(m);
	if (ret) {
		if (print_log_on_fail)
			fputs(mmkit_log_text(m, NULL), stdout);
		fprintf(stderr, "mmkit: %s failed to boot: %s\n", d->name, strerror(-ret));
		mmkit_machine_destroy(m);
		return NULL;
	}
	return m;
}

static int usage_error(const char *cmd)
{
	const struct command *c = find_command(cmd);

	fprintf(stderr, "usage: %s\n", c->usage);
	return 2;
}

static int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cmdline", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *extra = NULL;
	struct machine_desc d;
	struct machine *m;
	bool check = false, json = false;
	int opt, bad = 0;

	while ((opt = getopt_long(argc, argv, "c:kjh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': extra = optarg; break;
		case 'k': check = true; break;
		case 'j': json = true; break;
		case 'h': printf("usage: %s\n", find_command("boot")->usage); return 0;
		default: return usage_error("boot");
		}
	}
	if (argc - optind > 1)
		return usage_error("boot");
	if (load_machine(optind < argc ? argv[optind] : NULL, &d))
		return 1;
	if (extra && append_cmdline(&d, extra))
		return 1;
	if (json)
		return json_boot(&d, check);
	m = boot_machine(&d, true);
	if (!m)
		return 1;
	if (check)
		bad = mmkit_check(m);
	fputs(mmkit_log_text(m, NULL), stdout);
	if (bad)
		fprintf(stderr, "mmkit: %d invariant violations (see the log)\n", bad);
	mmkit_machine_destroy(m);
	return bad ? 1 : 0;
}

static int cmd_cat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *spec = NULL, *extra = NULL;
	struct machine_desc d;
	struct machine *m;
	bool json = false;
	int opt, status = 0;

	while ((opt = getopt_long(argc, argv, "m:c:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': spec = optarg; break;
		case 'c': extra = optarg; break;
		case 'j': json = true; break;
		case 'h': printf("usage: %s\n", find_command("cat")->usage); return 0;
		default: return usage_error("cat");
		}
	}
	if (optind == argc)
		return usage_error("cat");
	if (load_machine(spec, &d) || (extra && append_cmdline(&d, extra)))
		return 1;
	if (json)
		return json_cat(&d, argv + optind, argc - optind);
	m = boot_machine(&d, false);
	if (!m)
		return 1;
	for (int i = optind; i < argc; i++) {
		char *text;
		size_t len;
		int ret = mmkit_proc_read(m, argv[i], &text, &len);

		if (ret) {
			fprintf(stderr, "mmkit: cat: %s: %s\n", argv[i],
				ret == -ENOENT ? "No such file (see 'mmkit help cat')" : strerror(-ret));
			status = 1;
			continue;
		}
		fwrite(text, 1, len, stdout);
		free(text);
	}
	mmkit_machine_destroy(m);
	return status;
}

static int cmd_machines(int argc, char **argv)
{
	struct dirent **list;
	int n;

	if (argc == 2 && (!strcmp(argv[1], "--json") || !strcmp(argv[1], "-j")))
		return json_machines();
	if (argc > 1)
		return usage_error("machines");
	n = scandir(machines_dir(), &list, NULL, alphasort);
	if (n < 0) {
		fprintf(stderr, "mmkit: %s: %s\n", machines_dir(), strerror(errno));
		return 1;
	}
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		size_t len = strlen(name);

		if (len > 8 && !strcmp(name + len - 8, ".machine"))
			printf("%.*s\n", (int)(len - 8), name);
		free(list[i]);
	}
	free(list);
	return 0;
}

/* The progress bar of a long scenario: one tick per command. */
static void run_step(struct machine *m, int index, const char *src, void *arg)
{
	(void)m;
	(void)src;
	if (index >= 0)
		progress_update(arg, (uint64_t)index + 1);
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct mmkit_scenario_opts ro = { .machines_dir = machines_dir() };
	struct mmkit_scenario *sc;
	struct progress bar;
	char err[1024];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "m:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': ro.machine = optarg; break;
		case 'j': ro.json = true; break;
		case 'h': printf("usage: %s\n", find_command("run")->usage); return 0;
		default: return usage_error("run");
		}
	}
	if (argc - optind != 1)
		return usage_error("run");
	ret = mmkit_scenario_load(argv[optind], &sc, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* auto mode: no bar over the results on the same terminal */
	progress_start(&bar, "running", "commands", (uint64_t)mmkit_scenario_nr_commands(sc),
		       ro.json || isatty(1));
	ro.step = run_step;
	ro.step_arg = &bar;
	ret = mmkit_scenario_run(sc, &ro);
	progress_end(&bar, (uint64_t)mmkit_scenario_nr_commands(sc));
	mmkit_scenario_free(sc);
	return ret;
}

static int cmd_help(int argc, char **argv);
int cmd_trace(int argc, char **argv);	/* tools/trace_cmd.c */
extern const char trace_usage[];

static const struct command commands[] = {
	{ "boot", "Boot a machine and print its kernel log",
	  "mmkit boot [MACHINE] [--cmdline ARGS] [--check] [--json]\n\n"
	  "Boots MACHINE (a .machine file or a name from 'mmkit machines'; the\n"
	  "built-in i386 128 MiB PC when omitted) through setup_arch, bootmem and\n"
	  "the buddy allocator, then prints the kernel log as dmesg would.\n\n"
	  "    -c, --cmdline ARGS  append ARGS to the kernel command line (mem=, memmap=, highmem=)\n"
	  "    -k, --check         run the invariant checker after boot; exit 1 on violations\n"
	  "    -j, --json          print the machine, the result and the log lines as JSON",
	  cmd_boot },
	{ "cat", "Boot a machine and print /proc files",
	  "mmkit cat [-m MACHINE] [--cmdline ARGS] [--json] /proc/FILE...\n\n"
	  "Prints the simulated machine's /proc views in Linux's exact formats.\n"
	  "Files: see 'mmkit help proc'.\n\n"
	  "    -m, --machine MACHINE  the machine to boot (default: built-in)\n"
	  "    -c, --cmdline ARGS     append ARGS to the kernel command line\n"
	  "    -j, --json             print {machine, ..., files: {PATH: TEXT}, errors: {}}",
	  cmd_cat },
	{ "machines", "List the shipped machine descriptions",
	  "mmkit machines [--json]\n\n"
	  "Lists the machines under $MMKIT_MACHINES (default " MMKIT_MACHINES_DIR ").\n"
	  "--json gives each one's arch, CPUs, highmem, usable e820 RAM and cmdline.",
	  cmd_machines },
	{ "run", "Run a scenario: a script of syscalls, allocations and /proc views",
	  "mmkit run SCENARIO [--machine MACHINE] [--json]\n\n"
	  "Runs the scenario file (one command a line; see 'mmkit help scenario' and\n"
	  "docs/scenarios.md) on a freshly booted machine and prints each command\n"
	  "('> COMMAND') with its result. The output is the same on every run.\n"
	  "Exits 1 when a command fails unexpectedly or the file has an error\n"
	  "(reported as FILE:LINE:COL: reason), 0 otherwise.\n\n"
	  "    -m, --machine MACHINE  boot MACHINE instead of the scenario's 'machine' line\n"
	  "    -j, --json             print one JSON object per command instead",
	  cmd_run },
	{ "trace", "Record a real program's memory trace (valgrind) and replay it", trace_usage, cmd_trace },
	{ "proc", "Write the simulated machine's /proc tree into a directory", PROC_USAGE, cmd_proc },
	{ "report", "Plot a scenario's memory over its steps as an HTML page", REPORT_USAGE, cmd_report },
	{ "help", "Show help for mmkit or one of its commands",
	  "mmkit help [COMMAND|proc|scenario|TOPIC] [--json]\n\n"
	  "TOPIC is a mechanism: bootmem buddy slab vmalloc kmap vma paging cow stack\n"
	  "brk mmu pagecache swap shm oom replacement policies (see docs/seeds.md for\n"
	  "the map from the seed notes' topics).\n\n"
	  "Global options, before any '--': --progress / --no-progress force the\n"
	  "progress bars of long commands on or off (default: only on a terminal,\n"
	  "never in --json mode or with CI set; MMKIT_PROGRESS=1/0 does the same).", cmd_help },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void main_usage(FILE *f)
{
	fprintf(f, "usage: mmkit [--version] [--help] <command> [<args>]\n\n"
		   "mmkit is the Linux memory manager in user space: a simulated x86 machine\n"
		   "whose RAM is real bytes, booted through e820, bootmem and the buddy allocator.\n\n"
		   "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "   %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nSee 'mmkit help <command>' for more on a command.\n");
}

/* 'mmkit help scenario': the language on one screen. */
static int help_scenario(void)
{
	printf("Scenario files ('mmkit run FILE'): one command a line, '#' comments,\n"
	       "variables ($name = COMMAND ...). Numbers: 4096, 0x1000, 64K, 2M, 1G;\n"
	       "expressions: NUMBER, $var, $var+NUMBER, $var-NUMBER. Full text: docs/scenarios.md.\n\n"
	       "Commands:\n");
	for (int i = 0; mmkit_scenario_usage(i); i++)
		printf("   %s\n", mmkit_scenario_usage(i));
	printf("\nAfter a command, 'expect errno ENOMEM', 'expect signal SIGSEGV' or 'expect ok'\n"
	       "checks its outcome; a failure that is not expected stops the run.\n"
	       "PROT: rw- or read,write or PROT_READ|PROT_WRITE. FLAGS: private,anonymous or\n"
	       "MAP_PRIVATE|MAP_ANONYMOUS. GFP: GFP_KERNEL, GFP_HIGHUSER|__GFP_ZERO, ...\n"
	       "show /proc/NAME/maps names a process by its scenario name.\n");
	return 0;
}

/* `mmkit help [TOPIC|COMMAND] --json`. */
static int help_json(const char *what)
{
	const struct command *c;

	if (!what) {
		printf("{\"version\": \"0.1.0\", \"commands\": [");
		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
			printf("%s\n  {\"command\": \"%s\", \"summary\": ", i ? "," : "",
			       commands[i].name);
			json_string(stdout, commands[i].summary);
			printf("}");
		}
		printf("],\n \"topics\": ");
		mmkit_help_topics_json();
		printf("}\n");
		return 0;
	}
	if (!mmkit_help_topic_json(what))
		return 0;
	c = find_command(what);
	if (!c) {
		fprintf(stderr, "mmkit: no help for '%s'. See 'mmkit --help'.\n", what);
		return 1;
	}
	printf("{\"command\": \"%s\", \"summary\": ", c->name);
	json_string(stdout, c->summary);
	printf(", \"usage\": ");
	json_string(stdout, c->usage);
	printf("}\n");
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	const struct command *c;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") && strcmp(argv[i], "-j"))
			continue;
		if (argc > 3)
			return usage_error("help");
		return help_json(argc == 3 ? argv[3 - i] : NULL);
	}
	if (argc < 2) {
		main_usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "proc")) {
		const char *const *files = mmkit_proc_files();

		printf("The /proc files mmkit renders, in Linux 6.18's formats:\n");
		for (; *files; files++)
			printf("   %s\n", *files);
		printf("\nPID files exist for the processes a program spawns (mmkit_spawn);\n"
		       "a freshly booted machine has none.\n");
		return 0;
	}
	if (!strcmp(argv[1], "scenario"))
		return help_scenario();
	if (!mmkit_help_topic(argv[1]))
		return 0;
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "mmkit: no help for '%s'. See 'mmkit --help'.\n", argv[1]);
		return 1;
	}
	printf("usage: %s\n", c->usage);
	return 0;
}

/* Take --progress / --no-progress out of argv (up to a "--": what
 * follows is a traced program's). Returns the new argc. */
static int strip_global_options(int argc, char **argv)
{
	int out = 1, in = 1;

	for (; in < argc; in++) {
		if (!strcmp(argv[in], "--"))
			break;
		if (!strcmp(argv[in], "--progress"))
			progress_set_mode(PROGRESS_ON);
		else if (!strcmp(argv[in], "--no-progress"))
			progress_set_mode(PROGRESS_OFF);
		else
			argv[out++] = argv[in];
	}
	while (in < argc)
		argv[out++] = argv[in++];
	argv[out] = NULL;
	return out;
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(1, argv);
	if (!strcmp(argv[1], "--version")) {
		printf("mmkit version 0.1.0\n");
		return 0;
	}
	argc = strip_global_options(argc, argv);
	if (argc < 2) {
		main_usage(stderr);
		return 2;
	}
	c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "mmkit: '%s' is not an mmkit command. See 'mmkit --help'.\n", argv[1]);
		return 2;
	}
	return c->run(argc - 1, argv + 1);
}
