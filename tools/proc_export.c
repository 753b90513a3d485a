/* `mmkit proc export DIR`: the simulated machine's /proc tree as files.
 *
 * Linux counterpart: none (it is what fs/proc would show); the files are
 * the library's /proc views (mmkit_proc_read, src/proc) plus the few
 * extra files procps needs to run unchanged with DIR bind-mounted over
 * /proc: stat, uptime, loadavg, cpuinfo, sys/kernel/pid_max, self and
 * PID/{cmdline,comm,environ}. docs/proc-export.md lists each file and
 * where its numbers come from.
 *
 * Invariants: everything written is derived from the live machine (no
 * host values), so an export is the same on every run; a view that fails
 * leaves no file and makes the export exit 1. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mmkit/mmkit.h>
#include <mmkit/scenario.h>
#include <mmkit/sched.h>

#include "tools.h"

#ifndef MMKIT_MACHINES_DIR
#define MMKIT_MACHINES_DIR "examples/machines"
#endif

#define USER_HZ 100
#define PID_MAX_DEFAULT 32768	/* Linux's default, 0x8000 */

struct exporter {
	const char *dir;
	int errors;
	int files;		/* files written */
	int pids[64];		/* the PID directories written (the first 64) */
	int nr_pids;
	bool done;
};

static int mkdir_one(struct exporter *x, const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST) {
		fprintf(stderr, "mmkit: proc export: %s: %s\n", path, strerror(errno));
		x->errors++;
		return -1;
	}
	return 0;
}

/* Write DIR/REL with LEN bytes of DATA. */
static void put_file(struct exporter *x, const char *rel, const char *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", x->dir, rel);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "mmkit: proc export: %s: %s\n", path, strerror(errno));
		x->errors++;
	} else {
		x->files++;
	}
}

static void put_text(struct exporter *x, const char *rel, const char *text)
{
	put_file(x, rel, text, strlen(text));
}

/* Render the library view /proc/VIEW into DIR/REL. */
static void put_view(struct exporter *x, struct machine *m, const char *view, const char *rel)
{
	char *text;
	size_t len;
	int ret = mmkit_proc_read(m, view, &text, &len);

	if (ret) {
		fprintf(stderr, "mmkit: proc export: %s: %s\n", view, strerror(-ret));
		x->errors++;
		return;
	}
	put_file(x, rel, text, len);
	free(text);
}

static int nr_running(struct machine *m, int *total, pid_t *last)
{
	struct task_struct *t;
	int running = 0;

	*total = 0;
	*last = 0;
	list_for_each_entry(t, &m->sched.tasks, tasks) {
		(*total)++;
		if (t->pid > *last)
			*last = t->pid;
		if (!t->exit_state && t->state == TASK_RUNNING)
			running++;
	}
	return running;
}

/* /proc/stat (fs/proc/stat.c): the CPUs idled since power-on, in USER_HZ
 * ticks of the simulated clock; no interrupts or context switches. */
static void put_stat(struct exporter *x, struct machine *m)
{
	unsigned long long ticks = m->clock_ns / (1000000000ULL / USER_HZ);
	unsigned int cpus = m->desc.nr_cpus ? m->desc.nr_cpus : 1;
	char buf[8192];
	size_t n = 0;
	int total, running;
	pid_t last;

	running = nr_running(m, &total, &last);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "cpu  0 0 0 %llu 0 0 0 0 0 0\n",
			      ticks * cpus);
	for (unsigned int c = 0; c < cpus && n < sizeof(buf) - 128; c++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "cpu%u 0 0 0 %llu 0 0 0 0 0 0\n",
				      c, ticks);
	snprintf(buf + n, sizeof(buf) - n,
		 "intr 0\nctxt 0\nbtime 0\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n"
		 "softirq 0 0 0 0 0 0 0 0 0 0 0\n", (int)last, running);
	put_text(x, "stat", buf);
}

/* /proc/uptime and /proc/loadavg from the simulated clock and task list. */
static void put_times(struct exporter *x, struct machine *m)
{
	unsigned long long cs = m->clock_ns / 10000000ULL;	/* centiseconds */
	unsigned int cpus = m->desc.nr_cpus ? m->desc.nr_cpus : 1;
	char buf[256];
	int total, running;
	pid_t last;

	snprintf(buf, sizeof(buf), "%llu.%02llu %llu.%02llu\n", cs / 100, cs % 100,
		 cs * cpus / 100, cs * cpus % 100);
	put_text(x, "uptime", buf);
	running = nr_running(m, &total, &last);
	snprintf(buf, sizeof(buf), "0.00 0.00 0.00 %d/%d %d\n", running, total, (int)last);
	put_text(x, "loadavg", buf);
	snprintf(buf, sizeof(buf), "%d\n", PID_MAX_DEFAULT);
	put_text(x, "sys/kernel/pid_max", buf);
}

/* /proc/cpuinfo: the fields procps and most tools parse, per CPU. */
static void put_cpuinfo(struct exporter *x, struct machine *m)
{
	unsigned int cpus = m->desc.nr_cpus ? m->desc.nr_cpus : 1;
	size_t cap = 512 * (size_t)cpus + 1, n = 0;
	char *buf = malloc(cap);

	if (!buf) {
		x->errors++;
		return;
	}
	buf[0] = '\0';
	for (unsigned int c = 0; c < cpus; c++)
		n += (size_t)snprintf(buf + n, cap - n,
				      "processor\t: %u\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n"
				      "model\t\t: 6\nmodel name\t: mmkit simulated x86 (%s)\n"
				      "physical id\t: 0\nsiblings\t: %u\ncore id\t\t: %u\n"
				      "cpu cores\t: %u\nflags\t\t: fpu pse pge%s\n\n",
				      c, m->desc.name, cpus, c, cpus,
				      m->arch.x86_64 ? " pae lm nx" : m->arch.pae ? " pae nx" : "");
	put_text(x, "cpuinfo", buf);
	free(buf);
}

static const char *const pid_views[] = {
	"maps", "smaps", "smaps_rollup", "status", "stat", "statm", "oom_score", "oom_score_adj",
};

/* DIR/PID/: the library's per-process views plus cmdline, comm, environ
 * (procps reads them; mmkit keeps no argv, so cmdline is comm NUL). */
static void put_pid(struct exporter *x, struct machine *m, struct task_struct *t)
{
	char rel[64], view[64], buf[TASK_COMM_LEN + 2], path[4096];

	snprintf(path, sizeof(path), "%s/%d", x->dir, (int)t->pid);
	if (mkdir_one(x, path))
		return;
	snprintf(path, sizeof(path), "%s/%d/task", x->dir, (int)t->pid);
	mkdir_one(x, path);
	for (size_t i = 0; i < sizeof(pid_views) / sizeof(pid_views[0]); i++) {
		snprintf(view, sizeof(view), "/proc/%d/%s", (int)t->pid, pid_views[i]);
		snprintf(rel, sizeof(rel), "%d/%s", (int)t->pid, pid_views[i]);
		put_view(x, m, view, rel);
	}
	snprintf(rel, sizeof(rel), "%d/cmdline", (int)t->pid);
	snprintf(buf, sizeof(buf), "%s", t->comm);
	put_file(x, rel, buf, t->exit_state ? 0 : strlen(buf) + 1);
	snprintf(rel, sizeof(rel), "%d/comm", (int)t->pid);
	snprintf(buf, sizeof(buf), "%s\n", t->comm);
	put_text(x, rel, buf);
	snprintf(rel, sizeof(rel), "%d/environ", (int)t->pid);
	put_file(x, rel, "", 0);
}

/* /proc/self: the current task, else the first one; absent with no tasks. */
static void put_self(struct exporter *x, struct machine *m)
{
	struct task_struct *t = get_current(m);
	char path[4096], target[16];

	if (!t && !list_empty(&m->sched.tasks))
		t = list_entry(m->sched.tasks.next, struct task_struct, tasks);
	snprintf(path, sizeof(path), "%s/self", x->dir);
	unlink(path);
	if (!t)
		return;
	snprintf(target, sizeof(target), "%d", (int)t->pid);
	if (symlink(target, path)) {
		fprintf(stderr, "mmkit: proc export: %s: %s\n", path, strerror(errno));
		x->errors++;
	}
}

static const char *const machine_views[] = {
	"meminfo", "vmstat", "buddyinfo", "zoneinfo", "slabinfo",
	"vmallocinfo", "iomem", "swaps", "sysvipc/shm",
};

static void export_tree(struct exporter *x, struct machine *m)
{
	char path[4096], view[64];
	struct task_struct *t;

	snprintf(path, sizeof(path), "%s/sys", x->dir);
	mkdir_one(x, path);
	snprintf(path, sizeof(path), "%s/sys/kernel", x->dir);
	mkdir_one(x, path);
	snprintf(path, sizeof(path), "%s/sysvipc", x->dir);
	mkdir_one(x, path);
	for (size_t i = 0; i < sizeof(machine_views) / sizeof(machine_views[0]); i++) {
		snprintf(view, sizeof(view), "/proc/%s", machine_views[i]);
		put_view(x, m, view, machine_views[i]);
	}
	put_stat(x, m);
	put_times(x, m);
	put_cpuinfo(x, m);
	list_for_each_entry(t, &m->sched.tasks, tasks) {
		put_pid(x, m, t);
		if (x->nr_pids < (int)(sizeof(x->pids) / sizeof(x->pids[0])))
			x->pids[x->nr_pids++] = (int)t->pid;
	}
	put_self(x, m);
	x->done = true;
}

static void export_step(struct machine *m, int index, const char *src, void *arg)
{
	(void)src;
	if (index == -1)
		export_tree(arg, m);
}

static int export_booted(struct exporter *x, const char *spec, const char *extra)
{
	struct machine_desc d;
	struct machine *m;
	int ret;

	if (load_machine(spec, &d))
		return 1;
	if (extra) {
		size_t len = strlen(d.cmdline);

		if (len + 2 + strlen(extra) > sizeof(d.cmdline)) {
			fprintf(stderr, "mmkit: kernel command line too long\n");
			return 1;
		}
		snprintf(d.cmdline + len, sizeof(d.cmdline) - len, "%s%s", len ? " " : "", extra);
	}
	m = mmkit_machine_create(&d);
	if (!m) {
		fprintf(stderr, "mmkit: out of host memory\n");
		return 1;
	}
	ret = mmkit_boot(m);
	if (ret)
		fprintf(stderr, "mmkit: %s failed to boot: %s\n", d.name, strerror(-ret));
	else
		export_tree(x, m);
	mmkit_machine_destroy(m);
	return ret ? 1 : 0;
}

static int export_scenario(struct exporter *x, const char *file, const char *spec)
{
	struct mmkit_scenario_opts ro = {
		.machines_dir = machines_dir(), .machine = spec,
		.step = export_step, .step_arg = x,
	};
	struct mmkit_scenario *sc;
	char err[1024];
	int ret;

	ret = mmkit_scenario_load(file, &sc, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ro.out = fopen("/dev/null", "w");
	if (!ro.out) {
		mmkit_scenario_free(sc);
		return 1;
	}
	ret = mmkit_scenario_run(sc, &ro);
	fclose(ro.out);
	mmkit_scenario_free(sc);
	if (!x->done) {
		fprintf(stderr, "mmkit: proc export: %s never booted the machine\n", file);
		return 1;
	}
	return ret;
}

/* --json: {"dir", "scenario", "status", "files", "errors", "pids": [...]} */
static void print_json(const struct exporter *x, const char *scenario, int status)
{
	printf("{\"dir\": ");
	json_string(stdout, x->dir);
	printf(", \"scenario\": ");
	json_string(stdout, scenario);
	printf(", \"status\": %d, \"files\": %d, \"errors\": %d, \"pids\": [", status,
	       x->files, x->errors);
	for (int i = 0; i < x->nr_pids; i++)
		printf("%s%d", i ? ", " : "", x->pids[i]);
	printf("]}\n");
}

static int proc_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "scenario", required_argument, NULL, 's' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *spec = NULL, *scenario = NULL, *extra = NULL;
	struct exporter x = { 0 };
	bool json = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "m:s:c:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
		case 'm': spec = optarg; break;
		case 's': scenario = optarg; break;
		case 'c': extra = optarg; break;
		case 'h': printf("usage: %s\n", PROC_USAGE); return 0;
		default: fprintf(stderr, "usage: %s\n", PROC_USAGE); return 2;
		}
	}
	if (argc - optind != 1 || (scenario && extra)) {
		fprintf(stderr, "usage: %s\n", PROC_USAGE);
		return 2;
	}
	x.dir = argv[optind];
	if (mkdir_one(&x, x.dir))
		return 1;
	ret = scenario ? export_scenario(&x, scenario, spec) : export_booted(&x, spec, extra);
	ret = ret ? ret : x.errors ? 1 : 0;
	if (json)
		print_json(&x, scenario, ret);
	return ret;
}

int cmd_proc(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "export"))
		return proc_export(argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: %s\n", PROC_USAGE);
		return 0;
	}
	fprintf(stderr, "usage: %s\n", PROC_USAGE);
	return 2;
}
