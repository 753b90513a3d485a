/* `mmkit report SCENARIO -o DIR`: run a scenario and plot what it did to
 * memory, sampled after every command: the buddy allocator's free blocks
 * by order (fragmentation), memory by type (free, anon, file, shmem, slab,
 * page tables, swap), page faults per step (minor, major) and each
 * process's RSS. Writes DIR/{buddy,memory,faults,rss}.svg and
 * DIR/index.html (the plots inline, then the steps); SVG written directly
 * (tools/report_svg.c). A trace file instead of a scenario is replayed and
 * plotted by `mmkit trace replay --report` (tools/report_trace.c).
 *
 * Linux counterpart: none (the numbers are /proc/buddyinfo's,
 * /proc/meminfo's, /proc/vmstat's pgfault/pgmajfault and
 * /proc/PID/status's VmRSS). Invariants: the output depends only on the
 * scenario and machine, and every file is well-formed XML
 * (tests/cli/report.sh). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>
#include <mmkit/scenario.h>
#include <mmkit/sched.h>
#include <mmkit/swap.h>
#include <mmkit/trace.h>

#include "report.h"
#include "tools.h"

enum { MEM_FREE, MEM_ANON, MEM_FILE, MEM_SHMEM, MEM_SLAB, MEM_PGTABLE, MEM_SWAP, NR_MEM_TYPES };

static const char *const mem_names[NR_MEM_TYPES] = {
	"free", "anon", "file", "shmem", "slab", "page tables", "swap",
};
/* their JSON keys */
static const char *const mem_keys[NR_MEM_TYPES] = {
	"free_kB", "anon_kB", "file_kB", "shmem_kB", "slab_kB", "pagetables_kB", "swap_kB",
};

struct sample {
	unsigned long nr_free[NR_PAGE_ORDERS];	/* free blocks per order, all zones */
	unsigned long kb[NR_MEM_TYPES];
	unsigned long minflt, majflt;		/* faults during this step */
	char cmd[96];
};

/* One process's RSS over the steps (0 before it exists and after it exits). */
struct proc_rss {
	pid_t pid;
	char name[48];		/* "COMM (PID)" */
	double *kb;		/* [cap] */
};

struct report {
	struct sample *s;
	int n, cap;
	struct proc_rss *procs;
	int nprocs;
	unsigned long pgfault0, pgmajfault0;	/* vmstat at the previous step */
	bool oom;
	struct progress bar;
};

static int grow(struct report *r)
{
	int cap = r->cap ? 2 * r->cap : 64;
	struct sample *ns = realloc(r->s, (size_t)cap * sizeof(*ns));

	if (!ns)
		return -1;
	r->s = ns;
	for (int p = 0; p < r->nprocs; p++) {
		double *kb = realloc(r->procs[p].kb, (size_t)cap * sizeof(*kb));

		if (!kb)
			return -1;
		memset(kb + r->cap, 0, (size_t)(cap - r->cap) * sizeof(*kb));
		r->procs[p].kb = kb;
	}
	r->cap = cap;
	return 0;
}

static struct proc_rss *find_proc(struct report *r, const struct task_struct *t)
{
	struct proc_rss *np;

	for (int p = 0; p < r->nprocs; p++)
		if (r->procs[p].pid == t->pid)
			return &r->procs[p];
	np = realloc(r->procs, (size_t)(r->nprocs + 1) * sizeof(*np));
	if (!np)
		return NULL;
	r->procs = np;
	np = &r->procs[r->nprocs];
	np->pid = t->pid;
	snprintf(np->name, sizeof(np->name), "%.*s (%d)", (int)sizeof(t->comm), t->comm, t->pid);
	np->kb = calloc((size_t)r->cap, sizeof(*np->kb));
	if (!np->kb)
		return NULL;
	r->nprocs++;
	return np;
}

static void sample_procs(struct report *r, struct machine *m, int i)
{
	struct task_struct *t;

	list_for_each_entry(t, &m->sched.tasks, tasks) {
		struct proc_rss *p;
		long rss = 0;

		if (!t->mm || t->exit_state)
			continue;
		for (int k = 0; k < NR_MM_COUNTERS; k++)
			if (k != MM_SWAPENTS && t->mm->rss_stat[k] > 0)
				rss += t->mm->rss_stat[k];
		p = find_proc(r, t);
		if (!p) {
			r->oom = true;
			return;
		}
		p->kb[i] = (double)rss * (PAGE_SIZE >> 10);
	}
}

static void sample_mem(struct sample *s, struct machine *m)
{
	const struct pglist_data *pgdat = &m->node;
	struct swap_sysinfo swap;
	unsigned long file, shmem;

	for (int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &pgdat->node_zones[z];

		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			s->nr_free[o] += zone->free_area[o].nr_free;
		s->kb[MEM_FREE] += zone_page_state(zone, NR_FREE_PAGES);
	}
	shmem = node_page_state(pgdat, NR_SHMEM);
	file = node_page_state(pgdat, NR_FILE_PAGES) - node_page_state(pgdat, NR_SWAPCACHE);
	s->kb[MEM_ANON] = node_page_state(pgdat, NR_ANON_MAPPED);
	s->kb[MEM_FILE] = file > shmem ? file - shmem : 0;	/* Cached - Shmem */
	s->kb[MEM_SHMEM] = shmem;
	s->kb[MEM_SLAB] = node_page_state(pgdat, NR_SLAB_RECLAIMABLE_B) +
			  node_page_state(pgdat, NR_SLAB_UNRECLAIMABLE_B);
	s->kb[MEM_PGTABLE] = node_page_state(pgdat, NR_PAGETABLE);
	si_swapinfo(m, &swap);
	s->kb[MEM_SWAP] = swap.totalswap - swap.freeswap;
	for (int k = 0; k < NR_MEM_TYPES; k++)
		s->kb[k] <<= PAGE_SHIFT - 10;
}

static void sample_step(struct machine *m, int index, const char *src, void *arg)
{
	struct report *r = arg;
	struct sample *s;
	unsigned long pgfault = vm_event(m, PGFAULT), pgmaj = vm_event(m, PGMAJFAULT);

	if (index < 0 || r->oom)
		return;
	if (r->n == r->cap && grow(r)) {
		r->oom = true;
		return;
	}
	if (!r->n) {	/* the faults of the first step: from boot */
		r->pgfault0 = 0;
		r->pgmajfault0 = 0;
	}
	s = &r->s[r->n];
	memset(s, 0, sizeof(*s));
	snprintf(s->cmd, sizeof(s->cmd), "%s", src ? src : "");
	sample_mem(s, m);
	s->majflt = pgmaj - r->pgmajfault0;
	s->minflt = (pgfault - r->pgfault0) - s->majflt;
	r->pgfault0 = pgfault;
	r->pgmajfault0 = pgmaj;
	sample_procs(r, m, r->n);
	r->n++;
	progress_update(&r->bar, (uint64_t)r->n);
}

/* The four charts' data, as doubles per series. */
struct charts {
	double *v;			/* [nseries * n] */
	struct chart_series *ser;
	char order_names[NR_PAGE_ORDERS][16];
	char last[16];
	struct chart c[4];
};

static const char *const chart_files[4] = { "buddy.svg", "memory.svg", "faults.svg", "rss.svg" };

static int build_charts(struct charts *ch, const struct report *r)
{
	int nser = NR_PAGE_ORDERS + NR_MEM_TYPES + 2 + r->nprocs, k = 0;
	double *col;

	ch->v = calloc((size_t)nser * (size_t)r->n + 1, sizeof(double));
	ch->ser = calloc((size_t)nser, sizeof(*ch->ser));
	if (!ch->v || !ch->ser)
		return -1;
	snprintf(ch->last, sizeof(ch->last), "%d", r->n);
	for (int o = 0; o < NR_PAGE_ORDERS; o++, k++) {
		snprintf(ch->order_names[o], sizeof(ch->order_names[o]), "order %d", o);
		ch->ser[k].name = ch->order_names[o];
		col = ch->v + (size_t)k * r->n;
		for (int i = 0; i < r->n; i++)
			col[i] = (double)r->s[i].nr_free[o];
		ch->ser[k].v = col;
	}
	for (int t = 0; t < NR_MEM_TYPES; t++, k++) {
		ch->ser[k].name = mem_names[t];
		col = ch->v + (size_t)k * r->n;
		for (int i = 0; i < r->n; i++)
			col[i] = (double)r->s[i].kb[t];
		ch->ser[k].v = col;
	}
	for (int t = 0; t < 2; t++, k++) {
		ch->ser[k].name = t ? "major" : "minor";
		col = ch->v + (size_t)k * r->n;
		for (int i = 0; i < r->n; i++)
			col[i] = (double)(t ? r->s[i].majflt : r->s[i].minflt);
		ch->ser[k].v = col;
	}
	for (int p = 0; p < r->nprocs; p++, k++)
		ch->ser[k] = (struct chart_series){ r->procs[p].name, r->procs[p].kb };
	ch->c[0] = (struct chart){ "Buddy allocator: free blocks by order", "free blocks",
				   "step (command)", "1", ch->last, NR_PAGE_ORDERS, r->n,
				   ch->ser };
	ch->c[1] = (struct chart){ "Memory by type", "kB", "step (command)", "1", ch->last,
				   NR_MEM_TYPES, r->n, ch->ser + NR_PAGE_ORDERS };
	ch->c[2] = (struct chart){ "Page faults per step", "faults", "step (command)", "1",
				   ch->last, 2, r->n, ch->ser + NR_PAGE_ORDERS + NR_MEM_TYPES };
	ch->c[3] = (struct chart){ "Resident set size per process", "kB", "step (command)", "1",
				   ch->last, r->nprocs, r->n,
				   ch->ser + NR_PAGE_ORDERS + NR_MEM_TYPES + 2 };
	return 0;
}

static void html_steps(FILE *f, const struct report *r)
{
	fputs("<h2>Steps</h2>\n<table border=\"1\">\n<tr><th>step</th><th>command</th>", f);
	for (int k = 0; k < NR_MEM_TYPES; k++)
		fprintf(f, "<th>%s kB</th>", mem_names[k]);
	fputs("<th>minor faults</th><th>major faults</th><th>free blocks by order</th></tr>\n", f);
	for (int i = 0; i < r->n; i++) {
		const struct sample *s = &r->s[i];

		fprintf(f, "<tr><td>%d</td><td><code>", i + 1);
		xml_escape(f, s->cmd);
		fputs("</code></td>", f);
		for (int k = 0; k < NR_MEM_TYPES; k++)
			fprintf(f, "<td>%lu</td>", s->kb[k]);
		fprintf(f, "<td>%lu</td><td>%lu</td><td>", s->minflt, s->majflt);
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			fprintf(f, "%s%lu", o ? " " : "", s->nr_free[o]);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static int write_report(const char *dir, const char *scenario, const struct report *r)
{
	struct charts ch = { 0 };
	FILE *f;
	int ret = 0;

	if (build_charts(&ch, r)) {
		fprintf(stderr, "mmkit: report: out of host memory\n");
		ret = 1;
		goto out;
	}
	for (int i = 0; i < 4; i++)
		ret |= svg_write(dir, chart_files[i], &ch.c[i]);
	f = html_begin(dir, scenario);
	if (!f) {
		ret = 1;
		goto out;
	}
	fprintf(f, "<p>%d steps, sampled after each command.</p>\n", r->n);
	for (int i = 0; i < 4; i++)
		svg_chart(f, &ch.c[i]);
	html_steps(f, r);
	ret |= html_end(f, dir);
out:
	free(ch.v);
	free(ch.ser);
	return ret;
}

static void print_json(const char *dir, const char *scenario, const struct report *r, int status)
{
	printf("{\"scenario\": ");
	json_string(stdout, scenario);
	printf(", \"dir\": ");
	json_string(stdout, dir);
	printf(", \"status\": %d, \"steps\": %d,\n \"files\": [\"index.html\"", status, r->n);
	for (int i = 0; i < 4; i++)
		printf(", \"%s\"", chart_files[i]);
	printf("],\n \"samples\": [");
	for (int i = 0; i < r->n; i++) {
		const struct sample *s = &r->s[i];

		printf("%s\n  {\"step\": %d, \"command\": ", i ? "," : "", i + 1);
		json_string(stdout, s->cmd);
		for (int k = 0; k < NR_MEM_TYPES; k++)
			printf(", \"%s\": %lu", mem_keys[k], s->kb[k]);
		printf(", \"minflt\": %lu, \"majflt\": %lu, \"nr_free\": [", s->minflt, s->majflt);
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			printf("%s%lu", o ? ", " : "", s->nr_free[o]);
		printf("], \"rss_kB\": {");
		for (int p = 0, first = 1; p < r->nprocs; p++) {
			if (!r->procs[p].kb[i])
				continue;
			printf("%s", first ? "" : ", ");
			json_string(stdout, r->procs[p].name);
			printf(": %.0f", r->procs[p].kb[i]);
			first = 0;
		}
		printf("}}");
	}
	printf("]}\n");
}

static void report_free(struct report *r)
{
	for (int p = 0; p < r->nprocs; p++)
		free(r->procs[p].kb);
	free(r->procs);
	free(r->s);
}

static int make_report(const char *scenario, const char *dir, const char *machine, bool json)
{
	struct report r = { 0 };
	struct mmkit_scenario_opts ro = {
		.machines_dir = machines_dir(), .machine = machine,
		.step = sample_step, .step_arg = &r,
	};
	struct mmkit_scenario *sc;
	char err[1024];
	int ret;

	if (mmkit_scenario_load(scenario, &sc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	progress_start(&r.bar, "report", "steps", (uint64_t)mmkit_scenario_nr_commands(sc), json);
	ro.out = fopen("/dev/null", "w");
	ret = ro.out ? mmkit_scenario_run(sc, &ro) : 1;
	if (ro.out)
		fclose(ro.out);
	mmkit_scenario_free(sc);
	progress_end(&r.bar, (uint64_t)r.n);
	if (r.oom || !r.n) {
		fprintf(stderr, "mmkit: report: %s\n", r.oom ? "out of host memory" :
			"the scenario ran no command on a booted machine");
		report_free(&r);
		return 1;
	}
	if (ret)
		fprintf(stderr, "mmkit: report: the scenario stopped at step %d; plotting up to there\n",
			r.n);
	if (report_mkdir(dir)) {
		report_free(&r);
		return 1;
	}
	ret |= write_report(dir, scenario, &r);
	if (json)
		print_json(dir, scenario, &r, ret ? 1 : 0);
	report_free(&r);
	return ret ? 1 : 0;
}

/* A trace (its magic) is reported by `mmkit trace replay --report`. */
static bool is_trace(const char *path)
{
	char magic[8];
	FILE *f = fopen(path, "rb");
	bool yes;

	if (!f)
		return false;
	yes = fread(magic, 1, 8, f) == 8 && !memcmp(magic, MMKIT_TRACE_MAGIC, 8);
	fclose(f);
	return yes;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "machine", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = NULL, *machine = NULL;
	bool json = false;
	int opt;

	while ((opt = getopt_long(argc, argv, "o:m:jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': dir = optarg; break;
		case 'm': machine = optarg; break;
		case 'j': json = true; break;
		case 'h': printf("usage: %s\n", REPORT_USAGE); return 0;
		default: fprintf(stderr, "usage: %s\n", REPORT_USAGE); return 2;
		}
	}
	if (argc - optind != 1 || !dir) {
		fprintf(stderr, "usage: %s\n", REPORT_USAGE);
		return 2;
	}
	if (is_trace(argv[optind])) {
		char *args[] = { "replay", argv[optind], "--report", (char *)dir,
				 machine ? "--machine" : NULL, (char *)machine, NULL, NULL };

		if (json)
			args[machine ? 6 : 4] = "--json";
		return trace_replay(machine ? (json ? 7 : 6) : (json ? 5 : 4), args);
	}
	return make_report(argv[optind], dir, machine, json);
}
