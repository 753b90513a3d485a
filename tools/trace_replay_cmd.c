/* `mmkit trace replay`: replay a trace on a simulated machine and report
 * what the kernel did (docs/trace-replay.md), optionally under a reclaim
 * policy with a resident-page limit, with Belady's OPT as the offline
 * oracle on the trace's page reference string, or all policies side by
 * side (--compare-policies).
 *
 *   mmkit trace replay TRACE [--machine M] [--ram SIZE] [--window N]
 *         [--policy P] [--frames N] [--swap SIZE] [--compare-policies] [--json]
 *
 * A policy run boots a fresh machine, selects the policy
 * (mmkit_set_reclaim_policy), adds a swap file of --swap bytes (mkswap +
 * swapon in the simulated file system) and limits the evictable user pages
 * to --frames (mmkit_set_max_resident), so the process runs with exactly N
 * frames and its faults are the policy's. OPT needs the future: the trace
 * is replayed once without a limit to record its page reference string,
 * and reclaim_simulate() counts OPT's faults on it.
 *
 * Invariant: the output depends only on the trace, the machine and the
 * options (each policy run boots its own machine). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>
#include <mmkit/swap.h>
#include <mmkit/trace.h>
#include <mmkit/vmscan.h>
#include "report.h"
#include "tools.h"

extern const char trace_usage[];

#define REPLAY_SWAP_DEFAULT (64ULL << 20)
#define REPLAY_SWAPFILE "/mmkit-replay.swap"

/* What the command line asked for. */
struct replay_args {
	const char *path, *spec, *ram;
	const char *policy;		/* NULL: the machine's (linux) */
	unsigned long frames;		/* resident limit; 0: none */
	unsigned long long swap;	/* swap file bytes for a policy run */
	struct mmkit_replay_opts ro;
	const char *report;		/* --report DIR */
	int json, compare, swap_given;
};

/* One replay's results and what it ran on. */
struct replay_result {
	struct machine_desc d;
	struct mmkit_trace_header h;
	struct mmkit_replay_stats st;
};

static int parse_size(const char *s, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	switch (*end) {
	case 'K': case 'k': *v <<= 10; end++; break;
	case 'M': case 'm': *v <<= 20; end++; break;
	case 'G': case 'g': *v <<= 30; end++; break;
	}
	return errno || *end || !*v ? -1 : 0;
}

static int replay_machine(const char *spec, const char *ram, struct machine_desc *d)
{
	char text[512], err[512];
	unsigned long long bytes = 1ULL << 30;

	if (ram && parse_size(ram, &bytes)) {
		fprintf(stderr, "mmkit: trace replay: bad --ram '%s' (e.g. 512M, 2G)\n", ram);
		return -1;
	}
	if (!spec) {
		/* the x86_64 kernel image and bootmem bitmap sit at 16M..~52M */
		if (bytes < (56ULL << 20)) {
			fprintf(stderr, "mmkit: trace replay: --ram below 56M (the built-in x86_64 "
				"machine's kernel image ends near 52M)\n");
			return -1;
		}
		snprintf(text, sizeof(text), "name replay-x86_64\narch x86_64\n"
			 "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
			 "BIOS-e820: [mem 0x0000000000100000-0x%016llx] usable\n", bytes - 1);
		if (mmkit_desc_parse(d, text, "replay", err, sizeof(err))) {
			fprintf(stderr, "mmkit: %s\n", err);
			return -1;
		}
		return 0;
	}
	if (load_machine(spec, d))
		return -1;
	if (ram) {
		size_t len = strlen(d->cmdline);

		snprintf(d->cmdline + len, sizeof(d->cmdline) - len, "%smem=%s", len ? " " : "", ram);
	}
	return 0;
}

/* Select the policy, add swap and the resident limit on a booted machine. */
static int setup_policy(struct machine *m, const struct replay_args *a, const char *policy)
{
	long err;

	if (policy && mmkit_set_reclaim_policy(m, policy)) {
		fprintf(stderr, "mmkit: trace replay: unknown policy '%s' "
			"(linux, clock, lru, fifo or opt)\n", policy);
		return -1;
	}
	if (!a->frames && !a->swap_given)
		return 0;
	err = mmkit_mkswap(m, REPLAY_SWAPFILE, (unsigned long)a->swap);
	if (!err)
		err = sys_swapon(m, REPLAY_SWAPFILE, 0);
	if (err) {
		fprintf(stderr, "mmkit: trace replay: cannot add %llu bytes of swap: %s\n",
			a->swap, strerror((int)-err));
		return -1;
	}
	if (a->frames)
		mmkit_set_max_resident(m, a->frames);
	return 0;
}

static void replay_progress(void *arg, uint64_t refs)
{
	progress_update(arg, refs);
}

/* Replay the trace once on a fresh machine under @policy (NULL: the
 * machine's) with a->frames frames (0: no limit). 0, or 1 with the error
 * printed; res->st is for mmkit_replay_free() either way. */
static int replay_once(const struct replay_args *a, const char *policy, unsigned long frames,
		       int record, struct replay_result *res)
{
	struct replay_args pa = *a;
	struct mmkit_trace_reader *r;
	struct machine *m;
	struct progress bar;
	char err[600], label[64];
	int ret = 1;

	memset(&res->st, 0, sizeof(res->st));
	pa.frames = frames;
	pa.ro.record_pages = record;
	r = mmkit_trace_open(a->path, err, sizeof(err));
	if (!r) {
		fprintf(stderr, "mmkit: trace replay: %s\n", err);
		return 1;
	}
	res->h = *mmkit_trace_get_header(r);
	snprintf(label, sizeof(label), "replaying%s%s%s", policy ? " (" : "", policy ? policy : "",
		 policy ? ")" : "");
	progress_start(&bar, label, "refs", res->h.nr_refs, a->json);
	pa.ro.progress = replay_progress;
	pa.ro.progress_arg = &bar;
	if (replay_machine(a->spec, a->ram, &res->d)) {
		mmkit_trace_close(r);
		return 1;
	}
	m = mmkit_machine_create(&res->d);
	if (!m || mmkit_boot(m)) {
		fprintf(stderr, "mmkit: trace replay: %s failed to boot\n", res->d.name);
		goto out;
	}
	m->debug_vm = 0;	/* a replay is long: the checker runs in the tests */
	if (setup_policy(m, &pa, policy))
		goto out;
	ret = mmkit_replay(m, r, &pa.ro, &res->st, err, sizeof(err));
	progress_end(&bar, res->st.refs);
	if (ret)
		fprintf(stderr, "mmkit: trace replay: %s\n", err);
	ret = ret ? 1 : 0;
out:
	if (m)
		mmkit_machine_destroy(m);
	mmkit_trace_close(r);
	return ret;
}

/* Faults of @policy on the recorded reference string with @frames frames. */
static long oracle(enum reclaim_policy policy, const struct mmkit_replay_stats *st,
		   unsigned long frames)
{
	unsigned long *refs;
	long faults;

	if (sizeof(unsigned long) == sizeof(uint64_t))
		return reclaim_simulate(policy, (const unsigned long *)(const void *)st->pages,
					st->nr_pages, frames);
	refs = malloc((st->nr_pages + 1) * sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	for (uint64_t i = 0; i < st->nr_pages; i++)
		refs[i] = (unsigned long)st->pages[i];
	faults = reclaim_simulate(policy, refs, st->nr_pages, frames);
	free(refs);
	return faults;
}

/* The meminfo lines worth a summary, value in kB. */
static const char *const meminfo_keys[] = {
	"MemTotal", "MemFree", "MemAvailable", "AnonPages", "PageTables", "Slab", NULL,
};

static long long meminfo_value(const char *meminfo, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\n%s:", key);
	p = !strncmp(meminfo, pat + 1, strlen(pat + 1)) ? meminfo - 1 : strstr(meminfo, pat);
	return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

static const char *const kind_names[4] = { "fetch", "load", "store", "modify" };

static const char *arch_name(const struct mmkit_trace_header *h)
{
	return h->arch == MMKIT_TRACE_ARCH_X86_64 ? "x86_64" : "i386";
}

/* The policy part of the JSON object (after "machine"). */
static void json_policy(const struct replay_args *a, long opt)
{
	printf(" \"policy\": ");
	if (a->policy)
		json_string(stdout, a->policy);
	else
		printf("\"linux\"");
	printf(", \"frames\": %lu,", a->frames);
	if (opt >= 0)
		printf(" \"opt_faults\": %ld,", opt);
	printf("\n");
}

static void print_json(const struct replay_args *a, const struct replay_result *res, long opt)
{
	const struct mmkit_replay_stats *st = &res->st;
	uint64_t tr = st->tlb_hits + st->tlb_misses;

	printf("{\"trace\": ");
	json_string(stdout, a->path);
	printf(", \"arch\": \"%s\", \"machine\": ", arch_name(&res->h));
	json_string(stdout, res->d.name);
	printf(", \"swap_kB\": %llu,\n", a->swap_given || a->frames ? a->swap >> 10 : 0);
	json_policy(a, opt);
	printf(" \"references\": %" PRIu64 ",", st->refs);
	for (int k = 0; k < 4; k++)
		printf(" \"%s\": %" PRIu64 ",", kind_names[k], st->by_kind[k]);
	printf("\n \"syscalls\": %" PRIu64 ", \"syscalls_failed_on_host\": %" PRIu64
	       ", \"syscalls_differ\": %" PRIu64 ", \"initial_mappings\": %" PRIu64
	       ", \"initial_mappings_failed\": %" PRIu64 ",\n", st->syscalls, st->syscalls_failed,
	       st->syscalls_differ, st->maps, st->maps_failed);
	printf(" \"minflt\": %" PRIu64 ", \"majflt\": %" PRIu64 ", \"pswpin\": %" PRIu64
	       ", \"pswpout\": %" PRIu64 ", \"tlb_hits\": %" PRIu64 ", \"tlb_misses\": %" PRIu64
	       ", \"tlb_hit_rate\": %.6f,\n", st->minflt, st->majflt, st->pswpin, st->pswpout,
	       st->tlb_hits, st->tlb_misses, tr ? (double)st->tlb_hits / tr : 0.0);
	printf(" \"unmapped\": %" PRIu64 ", \"denied\": %" PRIu64 ", \"pages_touched\": %" PRIu64
	       ", \"window\": %" PRIu64 ",\n \"windows\": [", st->unmapped, st->denied,
	       st->pages_touched, st->window);
	for (uint64_t i = 0; i < st->nr_windows; i++) {
		const struct mmkit_replay_window *w = &st->windows[i];
		uint64_t wt = w->tlb_hits + w->tlb_misses;

		printf("%s{\"pages\": %" PRIu64 ", \"faults\": %" PRIu64 ", \"major\": %" PRIu64
		       ", \"pswpin\": %" PRIu64 ", \"pswpout\": %" PRIu64 ", \"tlb_hit_rate\": %.6f"
		       ", \"rss\": %" PRIu64 "}", i ? ",\n  " : "", w->pages, w->faults, w->majflt,
		       w->pswpin, w->pswpout, wt ? (double)w->tlb_hits / wt : 0.0, w->rss);
	}
	printf("],\n \"meminfo_kB\": {");
	for (int i = 0; meminfo_keys[i]; i++)
		printf("%s\"%s\": %lld", i ? ", " : "", meminfo_keys[i],
		       meminfo_value(st->meminfo, meminfo_keys[i]));
	printf("}}\n");
}

static void print_policy_line(const struct replay_args *a, const struct replay_result *res,
			      long opt)
{
	if (opt >= 0) {
		printf("policy         opt (Belady's oracle on %" PRIu64 " page references): "
		       "%ld faults with %lu frames\n", res->st.nr_pages, opt, a->frames);
		printf("               (the faults below: the replay without a limit)\n");
	} else if (a->policy || a->frames) {
		printf("policy         %s, ", a->policy ? a->policy : "linux");
		if (a->frames)
			printf("%lu frames (resident user pages), %llu kB swap\n", a->frames,
			       a->swap >> 10);
		else
			printf("no resident limit\n");
	}
}

static void print_human(const struct replay_args *a, const struct replay_result *res, long opt)
{
	const struct mmkit_replay_stats *st = &res->st;
	uint64_t tr = st->tlb_hits + st->tlb_misses;

	printf("trace          %s (%s%s)\n", a->path, arch_name(&res->h),
	       res->h.flags & MMKIT_TRACE_MAPS_INFERRED ? ", initial mappings inferred" : "");
	printf("machine        %s", res->d.name);
	if (a->swap_given || a->frames)
		printf(", %llu kB swap", a->swap >> 10);
	printf("\n");
	print_policy_line(a, res, opt);
	printf("references     %" PRIu64 " (fetch %" PRIu64 ", load %" PRIu64 ", store %" PRIu64
	       ", modify %" PRIu64 ")\n", st->refs, st->by_kind[0], st->by_kind[1],
	       st->by_kind[2], st->by_kind[3]);
	printf("mappings       %" PRIu64 " initial (%" PRIu64 " failed)\n", st->maps,
	       st->maps_failed);
	printf("syscalls       %" PRIu64 " (%" PRIu64 " failed on the host, skipped; %" PRIu64
	       " with another result here)\n", st->syscalls, st->syscalls_failed,
	       st->syscalls_differ);
	printf("page faults    minor %" PRIu64 ", major %" PRIu64 "\n", st->minflt, st->majflt);
	printf("swap           %" PRIu64 " pages in, %" PRIu64 " pages out\n", st->pswpin,
	       st->pswpout);
	printf("TLB            %" PRIu64 " hits, %" PRIu64 " misses, hit rate %.2f%%\n",
	       st->tlb_hits, st->tlb_misses, tr ? 100.0 * st->tlb_hits / tr : 0.0);
	printf("skipped        %" PRIu64 " outside every VMA, %" PRIu64
	       " against the protection\n", st->unmapped, st->denied);
	printf("pages touched  %" PRIu64 " (%" PRIu64 " kB)\n", st->pages_touched,
	       st->pages_touched * 4);
	printf("working set    per window of %" PRIu64 " references:\n", st->window);
	printf("  %8s %8s %8s %8s %8s %8s %7s %8s\n", "window", "pages", "faults", "major",
	       "swpin", "swpout", "TLB%", "rss");
	for (uint64_t i = 0; i < st->nr_windows; i++) {
		const struct mmkit_replay_window *w = &st->windows[i];
		uint64_t wt = w->tlb_hits + w->tlb_misses;

		printf("  %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64
		       " %7.2f %8" PRIu64 "\n", i, w->pages, w->faults, w->majflt, w->pswpin,
		       w->pswpout, wt ? 100.0 * w->tlb_hits / wt : 0.0, w->rss);
	}
	printf("meminfo        (after the run, the process still alive)\n");
	for (int i = 0; meminfo_keys[i]; i++)
		printf("  %-13s %10lld kB\n", meminfo_keys[i],
		       meminfo_value(st->meminfo, meminfo_keys[i]));
}

/* --policy P [--frames N]: one run (opt: a run to record the string, then
 * the oracle). */
static int replay_single(const struct replay_args *a)
{
	bool opt = a->policy && reclaim_policy_parse(a->policy) == RECLAIM_OPT;
	struct replay_result res;
	long opt_faults = -1;
	int ret;

	ret = replay_once(a, opt ? NULL : a->policy, opt ? 0 : a->frames, opt, &res);
	if (!ret && opt) {
		opt_faults = oracle(RECLAIM_OPT, &res.st, a->frames);
		if (opt_faults < 0) {
			fprintf(stderr, "mmkit: trace replay: the OPT oracle failed: %s\n",
				strerror((int)-opt_faults));
			ret = 1;
		}
	}
	if (!ret && a->report)
		ret = report_replay(a->report, a->path, res.d.name, &res.st);
	if (!ret && a->json)
		print_json(a, &res, opt_faults);
	else if (!ret)
		print_human(a, &res, opt_faults);
	mmkit_replay_free(&res.st);
	return ret;
}

/* One row of --compare-policies. */
struct policy_row {
	const char *name;
	uint64_t minflt, majflt, pswpin, pswpout;
	long model;		/* the oracle's count for this policy; -1: none (linux) */
};

static void print_compare(const struct replay_args *a, const struct replay_result *res,
			  const struct policy_row *rows, int n, long opt)
{
	if (a->json) {
		printf("{\"trace\": ");
		json_string(stdout, a->path);
		printf(", \"machine\": ");
		json_string(stdout, res->d.name);
		printf(", \"frames\": %lu, \"references\": %" PRIu64
		       ", \"page_references\": %" PRIu64 ", \"pages_touched\": %" PRIu64
		       ",\n \"policies\": [", a->frames, res->st.refs, res->st.nr_pages,
		       res->st.pages_touched);
		for (int i = 0; i < n; i++) {
			uint64_t f = rows[i].minflt + rows[i].majflt;

			printf("%s\n  {\"policy\": \"%s\", \"faults\": %" PRIu64 ", \"minflt\": %" PRIu64
			       ", \"majflt\": %" PRIu64 ", \"pswpin\": %" PRIu64 ", \"pswpout\": %"
			       PRIu64 ", \"oracle_faults\": ", i ? "," : "", rows[i].name, f,
			       rows[i].minflt, rows[i].majflt, rows[i].pswpin, rows[i].pswpout);
			if (rows[i].model >= 0)
				printf("%ld", rows[i].model);
			else
				printf("null");
			printf(", \"ratio_to_opt\": %.4f}", opt ? (double)f / opt : 0.0);
		}
		printf(",\n  {\"policy\": \"opt\", \"faults\": %ld, \"oracle_faults\": %ld, "
		       "\"ratio_to_opt\": 1.0000}]}\n", opt, opt);
		return;
	}
	printf("trace          %s (%s)\n", a->path, arch_name(&res->h));
	printf("machine        %s, %lu frames (resident user pages), %llu kB swap\n",
	       res->d.name, a->frames, a->swap >> 10);
	printf("references     %" PRIu64 ", %" PRIu64 " page references (repeats collapsed), "
	       "%" PRIu64 " pages\n", res->st.refs, res->st.nr_pages, res->st.pages_touched);
	printf("\n%-8s %10s %10s %10s %10s %10s %10s %8s\n", "policy", "faults", "minor", "major",
	       "pswpin", "pswpout", "oracle", "x OPT");
	for (int i = 0; i < n; i++) {
		uint64_t f = rows[i].minflt + rows[i].majflt;
		char model[24] = "-";

		if (rows[i].model >= 0)
			snprintf(model, sizeof(model), "%ld", rows[i].model);
		printf("%-8s %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64 " %10" PRIu64
		       " %10s %8.2f\n", rows[i].name, f, rows[i].minflt, rows[i].majflt,
		       rows[i].pswpin, rows[i].pswpout, model, opt ? (double)f / opt : 0.0);
	}
	printf("%-8s %10ld %10s %10s %10s %10s %10ld %8.2f\n", "opt", opt, "-", "-", "-", "-", opt,
	       1.0);
	printf("\nfaults: the replaying process's minor + major faults under each kernel\n"
	       "policy; oracle: reclaim_simulate on the page reference string (OPT is\n"
	       "Belady's, the others model the kernel's lists).\n");
}

/* --compare-policies: every kernel policy on its own machine, then OPT. */
static int replay_compare(const struct replay_args *a)
{
	static const char *const names[] = { "linux", "clock", "lru", "fifo" };
	struct policy_row rows[4];
	struct replay_result res, first;
	long opt;
	int ret = 0;

	for (int i = 0; i < 4 && !ret; i++) {
		ret = replay_once(a, names[i], a->frames, i == 0, &res);
		rows[i] = (struct policy_row){ .name = names[i], .minflt = res.st.minflt,
					       .majflt = res.st.majflt, .pswpin = res.st.pswpin,
					       .pswpout = res.st.pswpout, .model = -1 };
		if (i == 0)
			first = res;	/* keeps the reference string */
		else
			mmkit_replay_free(&res.st);
	}
	if (ret) {
		mmkit_replay_free(&first.st);
		return ret;
	}
	opt = oracle(RECLAIM_OPT, &first.st, a->frames);
	for (int i = 1; i < 4; i++)
		rows[i].model = oracle((enum reclaim_policy)reclaim_policy_parse(names[i]),
				       &first.st, a->frames);
	if (opt < 0) {
		fprintf(stderr, "mmkit: trace replay: the OPT oracle failed: %s\n",
			strerror((int)-opt));
		ret = 1;
	} else {
		print_compare(a, &first, rows, 4, opt);
	}
	mmkit_replay_free(&first.st);
	return ret;
}

static int bad_option(const char *what, const char *arg)
{
	fprintf(stderr, "mmkit: trace replay: bad %s '%s'\n", what, arg);
	return 2;
}

/**
 * trace_replay() - `mmkit trace replay TRACE [options]`
 * @argc: arguments, argv[0] is "replay"
 * @argv: the arguments
 * Return: the exit status (0, 1 on a failed replay, 2 on bad usage).
 */
int trace_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "machine", required_argument, NULL, 'm' },
		{ "ram", required_argument, NULL, 'r' },
		{ "window", required_argument, NULL, 'w' },
		{ "policy", required_argument, NULL, 'p' },
		{ "frames", required_argument, NULL, 'f' },
		{ "swap", required_argument, NULL, 's' },
		{ "compare-policies", no_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "report", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct replay_args a = { .swap = REPLAY_SWAP_DEFAULT };
	unsigned long long v;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "m:r:w:p:f:s:cjh", opts, NULL)) != -1) {
		switch (opt) {
		case 'm': a.spec = optarg; break;
		case 'r': a.ram = optarg; break;
		case 'w':
			if (parse_size(optarg, &v))
				return bad_option("--window", optarg);
			a.ro.window = v;
			break;
		case 'p':
			if (reclaim_policy_parse(optarg) < 0) {
				fprintf(stderr, "mmkit: trace replay: unknown policy '%s' "
					"(linux, clock, lru, fifo or opt)\n", optarg);
				return 2;
			}
			a.policy = optarg;
			break;
		case 'f':
			if (parse_size(optarg, &v))
				return bad_option("--frames", optarg);
			a.frames = (unsigned long)v;
			break;
		case 's':
			if (parse_size(optarg, &v))
				return bad_option("--swap", optarg);
			a.swap = v;
			a.swap_given = 1;
			break;
		case 'R': a.report = optarg; break;
		case 'c': a.compare = 1; break;
		case 'j': a.json = 1; break;
		case 'h': printf("usage: %s\n", trace_usage); return 0;
		default: fprintf(stderr, "usage: %s\n", trace_usage); return 2;
		}
	}
	if (argc - optind != 1) {
		fprintf(stderr, "usage: %s\n", trace_usage);
		return 2;
	}
	a.path = argv[optind];
	if ((a.compare || (a.policy && reclaim_policy_parse(a.policy) == RECLAIM_OPT)) &&
	    !a.frames) {
		fprintf(stderr, "mmkit: trace replay: %s needs --frames N\n",
			a.compare ? "--compare-policies" : "--policy opt");
		return 2;
	}
	if (a.compare && a.report) {
		fprintf(stderr, "mmkit: trace replay: --report plots one replay; "
			"drop --compare-policies\n");
		return 2;
	}
	if (a.compare && a.policy) {
		fprintf(stderr, "mmkit: trace replay: --compare-policies runs every policy; "
			"drop --policy\n");
		return 2;
	}
	return a.compare ? replay_compare(&a) : replay_single(&a);
}
