/* `mmkit trace`: record a real program's memory references with valgrind's
 * lackey into an mmkit trace, and replay a trace on a simulated machine
 * (docs/trace-format.md, docs/trace-replay.md).
 *
 *   mmkit trace record [-o FILE] -- PROGRAM ARGS
 *   mmkit trace convert LOG [-o FILE] [--maps STDERR]
 *   mmkit trace info TRACE
 *   mmkit trace replay ... (tools/trace_replay_cmd.c)
 *
 * Recording runs valgrind --tool=lackey --trace-mem=yes --trace-syscalls=yes
 * -d -d with its log in a temporary directory, then converts the log: the
 * "tell tool about" lines of -d -d are the initial mappings; I/L/S/M lines
 * the references; SYSCALL lines of mmap/munmap/mprotect/mremap/brk the
 * syscalls (an "[async] ..." line completes on the next line). `convert`
 * does the conversion alone, on a lackey log from elsewhere or written by
 * hand (a reference string for the policy comparison). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mmkit/mman.h>
#include <mmkit/mmkit.h>
#include <mmkit/trace.h>
#include "tools.h"

#ifndef MMKIT_MACHINES_DIR
#define MMKIT_MACHINES_DIR "examples/machines"
#endif

int cmd_trace(int argc, char **argv);
int trace_replay(int argc, char **argv);

const char trace_usage[] =
	"mmkit trace record [-o FILE] -- PROGRAM [ARGS...]\n"
	"       mmkit trace convert LOG [-o FILE] [--maps STDERR]\n"
	"       mmkit trace info TRACE [--json]\n"
	"       mmkit trace replay TRACE [--machine M] [--ram SIZE] [--window N] [--json]\n"
	"                          [--policy P] [--frames N] [--swap SIZE] [--compare-policies]\n"
	"                          [--report DIR]\n\n"
	"record runs PROGRAM under valgrind's lackey (valgrind must be installed) and\n"
	"writes its memory references, memory syscalls (mmap, munmap, mprotect, mremap,\n"
	"brk) and initial mappings to FILE (default PROGRAM.mmtrace), a zstd-compressed\n"
	"delta-encoded trace (docs/trace-format.md). Addresses are valgrind's layout.\n"
	"convert turns a lackey log (\"I  ADDR,SIZE\", \" L|S|M ADDR,SIZE\" lines; with\n"
	"--maps, valgrind -d -d's stderr for the initial mappings) into a trace.\n"
	"info prints a trace's header: architecture, records, sizes.\n\n"
	"replay boots the machine (default: a built-in x86_64 PC with --ram of RAM,\n"
	"1G unless given), replays the mappings and syscalls at their recorded\n"
	"addresses and every reference through the MMU and the fault handler, and\n"
	"prints references, minor/major faults, swap traffic, the TLB hit rate, the\n"
	"pages touched in each window of N references (default 100000) and\n"
	"/proc/meminfo after the run. File mappings replay as anonymous memory.\n"
	"--policy selects the reclaim policy (linux, clock, lru, fifo); with --frames N\n"
	"the process may keep only N pages resident (a swap file of --swap bytes, 64M\n"
	"by default, takes the rest), so the faults are the policy's. --policy opt\n"
	"runs Belady's OPT oracle on the trace's page reference string instead.\n"
	"--compare-policies (with --frames) prints every policy's faults beside OPT's.\n"
	"--swap without --frames adds the swap file anyway: with a small --ram,\n"
	"reclaim swaps for real. --report DIR writes SVG plots of the windows\n"
	"(working set, RSS, faults, swap traffic, TLB hit rate) and DIR/index.html.\n\n"
	"    -o, --output FILE   the trace to write (record, convert)\n"
	"        --maps STDERR   valgrind -d -d output with the initial mappings (convert)\n"
	"    -m, --machine M     a .machine file or shipped name (replay)\n"
	"    -r, --ram SIZE      RAM of the built-in machine, or mem=SIZE for --machine\n"
	"    -w, --window N      references per working-set window\n"
	"    -p, --policy P      linux, clock, lru, fifo or opt\n"
	"    -f, --frames N      resident user pages allowed (mmkit_set_max_resident)\n"
	"    -s, --swap SIZE     swap file (default 64M with --frames; none otherwise)\n"
	"        --report DIR    plots of the replay into DIR (replay)\n"
	"    -c, --compare-policies  every policy with --frames N, and OPT\n"
	"    -j, --json          one JSON object on stdout (record, convert, info, replay;\n"
	"                        record sends the program's own output to stderr)";

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- record ---- */

struct conv {
	struct mmkit_trace_writer *w;
	struct mmkit_trace_call pending;	/* an [async] syscall awaiting its result */
	int has_pending;
	uint64_t lines, refs, calls;
};

static int memory_syscall(unsigned long nr)
{
	return nr == MMKIT_NR_MMAP || nr == MMKIT_NR_MUNMAP || nr == MMKIT_NR_MPROTECT ||
	       nr == MMKIT_NR_MREMAP || nr == MMKIT_NR_BRK;
}

/* "Success(0x4835000)" / "Failure(0xc)" -> result; 0 when found. */
static int parse_result(const char *s, int64_t *res)
{
	const char *p;

	if ((p = strstr(s, "Success(")))
		*res = (int64_t)strtoull(p + 8, NULL, 0);
	else if ((p = strstr(s, "Failure(")))
		*res = -(int64_t)strtoull(p + 8, NULL, 0);
	else
		return -1;
	return 0;
}

/* A SYSCALL[pid,tid](nr) line. */
static int conv_syscall(struct conv *cv, const char *line)
{
	const char *p = strchr(line, '(');
	struct mmkit_trace_call c = { .kind = MMKIT_TRACE_SYSCALL };
	unsigned long nr;
	char *end;

	if (!p)
		return 0;
	nr = strtoul(p + 1, &end, 10);
	if (!memory_syscall(nr))
		return 0;
	c.nr = (uint32_t)nr;
	if (strstr(end, " ... [async] --> ")) {	/* the result of a pending call */
		if (!cv->has_pending || cv->pending.nr != c.nr ||
		    parse_result(end, &cv->pending.result))
			return 0;
		cv->has_pending = 0;
		cv->calls++;
		return mmkit_trace_write_call(cv->w, &cv->pending);
	}
	p = strstr(end, " ( ");
	if (!p)
		return 0;
	p += 3;
	while (c.nargs < 6 && *p && *p != ')') {
		c.args[c.nargs++] = strtoull(p, &end, 0);
		if (end == p)
			break;
		p = end;
		while (*p == ',' || *p == ' ')
			p++;
	}
	if (parse_result(p, &c.result)) {
		cv->pending = c;	/* "--> [async] ...": the result follows */
		cv->has_pending = 1;
		return 0;
	}
	cv->calls++;
	return mmkit_trace_write_call(cv->w, &c);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch |= 0x20;
	return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* "I  0401ab70,3" or " L 1ffefff8d8,8"; 1 when it was a reference. */
static int conv_ref(struct conv *cv, const char *line)
{
	static const char kinds[] = "ILSM";
	const char *k = line[0] == 'I' ? line : line[0] == ' ' ? line + 1 : NULL;
	const char *p;
	uint64_t addr = 0;
	uint32_t size = 0;
	int d;

	if (!k || !strchr(kinds, *k) || !*k || k[1] != ' ')
		return 0;
	for (p = k + 1; *p == ' '; p++)
		;
	for (; (d = hexval(*p)) >= 0; p++)
		addr = addr << 4 | (unsigned int)d;
	if (*p++ != ',')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++)
		size = size * 10 + (uint32_t)(*p - '0');
	if (!size)
		return 0;
	cv->refs++;
	if (mmkit_trace_write_ref(cv->w, (unsigned int)(strchr(kinds, *k) - kinds), addr, size))
		return -1;
	return 1;
}

/* The initial mappings: "tell tool about 0000108000-0000109fff r--". */
static int conv_maps(struct conv *cv, const char *errpath, FILE *passthru)
{
	FILE *f = fopen(errpath, "r");
	char line[1024];
	unsigned long long sp = 0;
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "tell tool about ");
		unsigned long long start, end;
		char perm[4];

		if (!p) {
			p = strstr(line, "initial_SP=");
			if (p)
				sp = strtoull(p + 11, NULL, 16);
			/* the program's own stderr shares the file with valgrind's */
			else if (strncmp(line, "--", 2) && strncmp(line, "==", 2) &&
				 !strstr(line, "/tmp/vgdb-pipe"))
				fputs(line, passthru);
			continue;
		}
		if (sscanf(p + 16, "%llx-%llx %3s", &start, &end, perm) != 3 || end < start)
			continue;
		struct mmkit_trace_call c = {
			.kind = MMKIT_TRACE_MAP, .nargs = 4,
			.args = { start, end + 1 - start,
				  (perm[0] == 'r' ? PROT_READ : 0) |
				  (perm[1] == 'w' ? PROT_WRITE : 0) |
				  (perm[2] == 'x' ? PROT_EXEC : 0),
				  MAP_PRIVATE },
		};
		/* valgrind grows the client stack itself, without a syscall */
		if (sp >= start && sp <= end)
			c.args[3] |= MAP_GROWSDOWN;
		if (mmkit_trace_write_call(cv->w, &c)) {
			fclose(f);
			return -1;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* What record and convert print: a line on stderr, or JSON on stdout. */
static void convert_summary(const char *out, const struct conv *cv, int nmaps, bool json,
			    double seconds)
{
	if (!json) {
		fprintf(stderr, "mmkit: %s: %" PRIu64 " references, %" PRIu64 " memory syscalls, "
			"%d initial mappings\n", out, cv->refs, cv->calls, nmaps);
		return;
	}
	printf("{\"output\": ");
	json_string(stdout, out);
	printf(", \"references\": %" PRIu64 ", \"syscalls\": %" PRIu64
	       ", \"initial_mappings\": %d, \"maps_inferred\": %s, \"log_lines\": %" PRIu64
	       ", \"seconds\": %.3f}\n", cv->refs, cv->calls, nmaps, nmaps ? "false" : "true",
	       cv->lines, seconds);
}

static int convert(const char *logpath, const char *errpath, const char *out, bool json)
{
	struct utsname u;
	unsigned int arch = MMKIT_TRACE_ARCH_UNKNOWN;
	struct conv cv = { 0 };
	char err[600], *line = NULL;
	size_t cap = 0;
	int nmaps, ret = 1;
	double t0 = mono_s();
	struct progress bar;
	struct stat sb;
	uint64_t bytes = 0;
	ssize_t len;
	FILE *log;

	if (!uname(&u))
		arch = !strcmp(u.machine, "x86_64") ? MMKIT_TRACE_ARCH_X86_64 :
		       (u.machine[0] == 'i' && !strcmp(u.machine + 2, "86")) ? MMKIT_TRACE_ARCH_I386 :
		       MMKIT_TRACE_ARCH_UNKNOWN;
	if (arch == MMKIT_TRACE_ARCH_UNKNOWN) {
		fprintf(stderr, "mmkit: trace record: unsupported host architecture %s\n", u.machine);
		return 1;
	}
	log = fopen(logpath, "r");
	if (!log) {
		fprintf(stderr, "mmkit: trace record: %s: %s\n", logpath, strerror(errno));
		return 1;
	}
	cv.w = mmkit_trace_create(out, arch, 0, err, sizeof(err));
	if (!cv.w) {
		fprintf(stderr, "mmkit: trace record: %s\n", err);
		fclose(log);
		return 1;
	}
	nmaps = conv_maps(&cv, errpath, stderr);
	if (nmaps < 0)
		goto fail;
	if (!nmaps) {
		fprintf(stderr, "mmkit: trace record: valgrind reported no initial mappings; "
			"replay will infer them from the first references\n");
		mmkit_trace_set_flags(cv.w, MMKIT_TRACE_MAPS_INFERRED);
	}
	progress_start(&bar, "converting", "bytes", fstat(fileno(log), &sb) ? 0 :
		       (uint64_t)sb.st_size, json);
	while ((len = getline(&line, &cap, log)) > 0) {
		int r = conv_ref(&cv, line);

		if (r < 0 || (!r && !strncmp(line, "SYSCALL[", 8) && conv_syscall(&cv, line)))
			goto fail;
		bytes += (uint64_t)len;
		if (!(++cv.lines & 0xffff))
			progress_update(&bar, bytes);
	}
	progress_end(&bar, bytes);
	free(line);
	fclose(log);
	if (mmkit_trace_finish(cv.w, err, sizeof(err))) {
		fprintf(stderr, "mmkit: trace record: %s\n", err);
		return 1;
	}
	convert_summary(out, &cv, nmaps, json, mono_s() - t0);
	return 0;
fail:
	fprintf(stderr, "mmkit: trace record: %s\n", mmkit_trace_writer_error(cv.w));
	free(line);
	fclose(log);
	mmkit_trace_finish(cv.w, err, sizeof(err));
	return ret;
}

static int have_valgrind(void)
{
	const char *path = getenv("PATH");
	char buf[4096], *dirs, *d, *save = NULL;
	int found = 0;

	if (!path || !(dirs = strdup(path)))
		return 0;
	for (d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/valgrind", *d ? d : ".");
		found = access(buf, X_OK) == 0;
	}
	free(dirs);
	return found;
}

/* Run valgrind on argv, showing the log's growth on a terminal. */
static int run_lackey(char **argv, int argc, const char *logpath, const char *errpath,
		      bool json)
{
	char logopt[4200];
	char **args = calloc(argc + 8, sizeof(*args));
	int status, n = 0;
	struct progress bar;
	uint64_t lines = 0;
	pid_t pid;

	if (!args)
		return -1;
	snprintf(logopt, sizeof(logopt), "--log-file=%s", logpath);
	args[n++] = "valgrind";
	args[n++] = "--tool=lackey";
	args[n++] = "--trace-mem=yes";
	args[n++] = "--trace-syscalls=yes";
	args[n++] = "-d";
	args[n++] = "-d";
	args[n++] = logopt;
	for (int i = 0; i < argc; i++)
		args[n++] = argv[i];
	pid = fork();
	if (pid == 0) {
		/* --json: stdout is the JSON's; the program's output goes to stderr */
		if (json && dup2(2, 1) < 0)
			_exit(127);
		if (!freopen(errpath, "w", stderr))
			_exit(127);
		execvp("valgrind", args);
		_exit(127);
	}
	free(args);
	if (pid < 0)
		return -1;
	progress_start(&bar, "recording", "lines", 0, json);
	while (waitpid(pid, &status, bar.enabled ? WNOHANG : 0) == 0) {
		struct stat sb;

		usleep(100000);
		if (!stat(logpath, &sb))	/* lackey lines average ~14 bytes */
			lines = (uint64_t)sb.st_size / 14;
		progress_update(&bar, lines);
	}
	progress_end(&bar, lines);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return -1;
	return 0;
}

static int trace_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char dir[] = "/tmp/mmkit-trace-XXXXXX", logpath[64], errpath[64], out[4096];
	const char *output = NULL, *base;
	bool json = false;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+o:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': output = optarg; break;
		case 'j': json = true; break;
		case 'h': printf("usage: %s\n", trace_usage); return 0;
		default: fprintf(stderr, "usage: %s\n", trace_usage); return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: %s\n", trace_usage);
		return 2;
	}
	if (!have_valgrind()) {
		fprintf(stderr, "mmkit: trace record needs valgrind (its lackey tool) in PATH; "
			"on Debian: apt-get install valgrind\n");
		return 1;
	}
	base = strrchr(argv[optind], '/') ? strrchr(argv[optind], '/') + 1 : argv[optind];
	snprintf(out, sizeof(out), "%s", output ? output : base);
	if (!output)
		strncat(out, ".mmtrace", sizeof(out) - strlen(out) - 1);
	if (!mkdtemp(dir)) {
		fprintf(stderr, "mmkit: trace record: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	snprintf(logpath, sizeof(logpath), "%s/lackey.log", dir);
	snprintf(errpath, sizeof(errpath), "%s/valgrind.err", dir);
	if (run_lackey(argv + optind, argc - optind, logpath, errpath, json)) {
		fprintf(stderr, "mmkit: trace record: cannot run valgrind\n");
		ret = 1;
	} else {
		ret = convert(logpath, errpath, out, json);
	}
	unlink(logpath);
	unlink(errpath);
	rmdir(dir);
	return ret;
}

/* `mmkit trace convert LOG [-o FILE] [--maps STDERR]`. */
static int trace_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "maps", required_argument, NULL, 'M' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *output = NULL, *maps = "/nonexistent/no-initial-mappings";
	bool json = false;
	char out[4096];
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': output = optarg; break;
		case 'j': json = true; break;
		case 'M': maps = optarg; break;
		case 'h': printf("usage: %s\n", trace_usage); return 0;
		default: fprintf(stderr, "usage: %s\n", trace_usage); return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: %s\n", trace_usage);
		return 2;
	}
	snprintf(out, sizeof(out), "%s%s", output ? output : argv[optind],
		 output ? "" : ".mmtrace");
	return convert(argv[optind], maps, out, json);
}

/* `mmkit trace info TRACE [--json]`: the header, without replaying. */
static int trace_info(int argc, char **argv)
{
	const struct mmkit_trace_header *h;
	struct mmkit_trace_reader *r;
	const char *path = NULL;
	bool json = false;
	char err[600];
	struct stat sb;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			json = true;
		else if (!path && argv[i][0] != '-')
			path = argv[i];
		else
			path = NULL, i = argc;
	}
	if (!path || (argc != 2 + json)) {
		fprintf(stderr, "usage: %s\n", trace_usage);
		return 2;
	}
	r = mmkit_trace_open(path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "mmkit: trace info: %s\n", err);
		return 1;
	}
	h = mmkit_trace_get_header(r);
	if (stat(path, &sb))
		sb.st_size = 0;
	if (json) {
		printf("{\"trace\": ");
		json_string(stdout, path);
		printf(", \"version\": %u, \"arch\": \"%s\", \"maps_inferred\": %s, "
		       "\"references\": %" PRIu64 ", \"syscalls\": %" PRIu64
		       ", \"initial_mappings\": %" PRIu64 ", \"payload_bytes\": %" PRIu64
		       ", \"file_bytes\": %lld}\n", h->version,
		       h->arch == MMKIT_TRACE_ARCH_X86_64 ? "x86_64" : "i386",
		       h->flags & MMKIT_TRACE_MAPS_INFERRED ? "true" : "false", h->nr_refs,
		       h->nr_syscalls, h->nr_maps, h->payload_bytes, (long long)sb.st_size);
	} else {
		printf("trace          %s (version %u, %s%s)\n", path, h->version,
		       h->arch == MMKIT_TRACE_ARCH_X86_64 ? "x86_64" : "i386",
		       h->flags & MMKIT_TRACE_MAPS_INFERRED ? ", initial mappings inferred" : "");
		printf("records        %" PRIu64 " references, %" PRIu64 " syscalls, %" PRIu64
		       " initial mappings\n", h->nr_refs, h->nr_syscalls, h->nr_maps);
		printf("size           %lld bytes (%" PRIu64 " uncompressed, %.2f bytes a reference)\n",
		       (long long)sb.st_size, h->payload_bytes,
		       h->nr_refs ? (double)sb.st_size / h->nr_refs : 0.0);
	}
	mmkit_trace_close(r);
	return 0;
}


/**
 * cmd_trace() - the `mmkit trace` command: record, convert or replay
 * @argc: arguments after "mmkit"
 * @argv: argv[0] is "trace"
 * Return: the exit status.
 */
int cmd_trace(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "record"))
		return trace_record(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "convert"))
		return trace_convert(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "info"))
		return trace_info(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "replay"))
		return trace_replay(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: %s\n", trace_usage);
		return 0;
	}
	fprintf(stderr, "usage: %s\n", trace_usage);
	return 2;
}
