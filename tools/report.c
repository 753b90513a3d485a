/* `mmkit report SCENARIO -o DIR`: run a scenario and plot what it did to
 * memory, sampled after every command: the buddy allocator's free blocks
 * by order (fragmentation) and memory by type (free, anon, slab, page
 * tables). Writes DIR/buddy.svg, DIR/memory.svg and DIR/index.html (the
 * plots inline, then the steps); SVG written directly, no dependency.
 *
 * Linux counterpart: none (the numbers are /proc/buddyinfo's and
 * /proc/meminfo's). Invariants: the output depends only on the scenario
 * and machine, and every file is well-formed XML (tests/cli/report.sh). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mmkit/mmkit.h>
#include <mmkit/scenario.h>

#include "tools.h"

#ifndef MMKIT_MACHINES_DIR
#define MMKIT_MACHINES_DIR "examples/machines"
#endif

enum { MEM_FREE, MEM_ANON, MEM_SLAB, MEM_PGTABLE, NR_MEM_TYPES };

static const char *const mem_names[NR_MEM_TYPES] = { "free", "anon", "slab", "page tables" };
static const char *const colors[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8",
};

struct sample {
	unsigned long nr_free[NR_PAGE_ORDERS];	/* free blocks per order, all zones */
	unsigned long kb[NR_MEM_TYPES];
	char cmd[96];
};

struct report {
	struct sample *s;
	int n, cap;
	bool oom;
};

static void sample_step(struct machine *m, int index, const char *src, void *arg)
{
	struct report *r = arg;
	struct sample *s;

	if (index < 0)
		return;
	if (r->n == r->cap) {
		int cap = r->cap ? 2 * r->cap : 64;
		struct sample *ns = realloc(r->s, (size_t)cap * sizeof(*ns));

		if (!ns) {
			r->oom = true;
			return;
		}
		r->s = ns;
		r->cap = cap;
	}
	s = &r->s[r->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->cmd, sizeof(s->cmd), "%s", src ? src : "");
	for (int z = 0; z < MAX_NR_ZONES; z++) {
		const struct zone *zone = &m->node.node_zones[z];

		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			s->nr_free[o] += zone->free_area[o].nr_free;
		s->kb[MEM_FREE] += zone_page_state(zone, NR_FREE_PAGES) << (PAGE_SHIFT - 10);
	}
	s->kb[MEM_ANON] = node_page_state(&m->node, NR_ANON_MAPPED) << (PAGE_SHIFT - 10);
	s->kb[MEM_SLAB] = (node_page_state(&m->node, NR_SLAB_RECLAIMABLE_B) +
			   node_page_state(&m->node, NR_SLAB_UNRECLAIMABLE_B)) << (PAGE_SHIFT - 10);
	s->kb[MEM_PGTABLE] = node_page_state(&m->node, NR_PAGETABLE) << (PAGE_SHIFT - 10);
}

static void xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7f)
				fputc(*s, f);
		}
	}
}

/* A line plot of @nser series over the samples; get() gives one value. */
struct plot {
	const char *title, *ylabel;
	int nser;
	const char *const *names;
	unsigned long (*get)(const struct sample *s, int ser);
};

static unsigned long get_order(const struct sample *s, int ser) { return s->nr_free[ser]; }
static unsigned long get_mem(const struct sample *s, int ser) { return s->kb[ser]; }

#define W 760
#define H 320
#define L 70	/* left margin */
#define R 150	/* right margin (legend) */
#define T 30
#define B 40

static void svg_plot(FILE *f, const struct report *r, const struct plot *p)
{
	unsigned long max = 1;
	double xs, ys;

	for (int i = 0; i < r->n; i++)
		for (int k = 0; k < p->nser; k++)
			if (p->get(&r->s[i], k) > max)
				max = p->get(&r->s[i], k);
	xs = r->n > 1 ? (double)(W - L - R) / (r->n - 1) : 0;
	ys = (double)(H - T - B) / (double)max;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
	fprintf(f, "<title>");
	xml_escape(f, p->title);
	fprintf(f, "</title>\n<text x=\"%d\" y=\"18\" font-size=\"14\">", L);
	xml_escape(f, p->title);
	fprintf(f, "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
		L, H - B, W - R, H - B);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
		L, T, L, H - B);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%lu</text>\n", L - 4, T + 4, max);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", L - 4, H - B + 4);
	fprintf(f, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">",
		(T + H - B) / 2, (T + H - B) / 2);
	xml_escape(f, p->ylabel);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">step (command)</text>\n",
		(L + W - R) / 2, H - 8);
	fprintf(f, "<text x=\"%d\" y=\"%d\">1</text>\n", L, H - B + 14);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%d</text>\n", W - R, H - B + 14, r->n);
	for (int k = 0; k < p->nser; k++) {
		const char *c = colors[k % (int)(sizeof(colors) / sizeof(colors[0]))];

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", c);
		for (int i = 0; i < r->n; i++)
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", L + i * xs,
				H - B - (double)p->get(&r->s[i], k) * ys);
		fprintf(f, "\"/>\n<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text x=\"%d\" y=\"%d\">", W - R + 12, T + k * 16, c, W - R + 26, T + k * 16 + 9);
		xml_escape(f, p->names[k]);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n", f);
}

static int write_svg(const char *dir, const char *name, const struct report *r,
		     const struct plot *p)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		goto fail;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	svg_plot(f, r, p);
	if (fclose(f))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "mmkit: report: %s: %s\n", path, strerror(errno));
	return 1;
}

static int write_html(const char *dir, const char *scenario, const struct report *r,
		      const struct plot *plots, int nplots)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/index.html", dir);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mmkit: report: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	      "<head><meta charset=\"utf-8\"/><title>mmkit report: ", f);
	xml_escape(f, scenario);
	fputs("</title></head>\n<body>\n<h1>mmkit report: ", f);
	xml_escape(f, scenario);
	fprintf(f, "</h1>\n<p>%d steps, sampled after each command.</p>\n", r->n);
	for (int i = 0; i < nplots; i++)
		svg_plot(f, r, &plots[i]);
	fputs("<h2>Steps</h2>\n<table border=\"1\">\n<tr><th>step</th><th>command</th>"
	      "<th>free kB</th><th>anon kB</th><th>slab kB</th><th>page tables kB</th>"
	      "<th>free blocks by order</th></tr>\n", f);
	for (int i = 0; i < r->n; i++) {
		const struct sample *s = &r->s[i];

		fprintf(f, "<tr><td>%d</td><td><code>", i + 1);
		xml_escape(f, s->cmd);
		fputs("</code></td>", f);
		for (int k = 0; k < NR_MEM_TYPES; k++)
			fprintf(f, "<td>%lu</td>", s->kb[k]);
		fputs("<td>", f);
		for (int o = 0; o < NR_PAGE_ORDERS; o++)
			fprintf(f, "%s%lu", o ? " " : "", s->nr_free[o]);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n</body>\n</html>\n", f);
	if (fclose(f)) {
		fprintf(stderr, "mmkit: report: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

static int make_report(const char *scenario, const char *dir, const char *machine)
{
	static char order_names[NR_PAGE_ORDERS][16];
	static const char *order_ptrs[NR_PAGE_ORDERS];
	struct report r = { 0 };
	struct mmkit_scenario_opts ro = {
		.machines_dir = machines_dir(), .machine = machine,
		.step = sample_step, .step_arg = &r,
	};
	struct mmkit_scenario *sc;
	char err[1024];
	int ret;

	for (int o = 0; o < NR_PAGE_ORDERS; o++) {
		snprintf(order_names[o], sizeof(order_names[o]), "order %d", o);
		order_ptrs[o] = order_names[o];
	}
	const struct plot plots[] = {
		{ "Buddy allocator: free blocks by order", "free blocks", NR_PAGE_ORDERS,
		  order_ptrs, get_order },
		{ "Memory by type", "kB", NR_MEM_TYPES, mem_names, get_mem },
	};

	if (mmkit_scenario_load(scenario, &sc, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	ro.out = fopen("/dev/null", "w");
	ret = ro.out ? mmkit_scenario_run(sc, &ro) : 1;
	if (ro.out)
		fclose(ro.out);
	mmkit_scenario_free(sc);
	if (r.oom || !r.n) {
		fprintf(stderr, "mmkit: report: %s\n", r.oom ? "out of host memory" :
			"the scenario ran no command on a booted machine");
		free(r.s);
		return 1;
	}
	if (ret)
		fprintf(stderr, "mmkit: report: the scenario stopped at step %d; plotting up to there\n",
			r.n);
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "mmkit: report: %s: %s\n", dir, strerror(errno));
		free(r.s);
		return 1;
	}
	ret |= write_svg(dir, "buddy.svg", &r, &plots[0]);
	ret |= write_svg(dir, "memory.svg", &r, &plots[1]);
	ret |= write_html(dir, scenario, &r, plots, 2);
	free(r.s);
	return ret ? 1 : 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "machine", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = NULL, *machine = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "o:m:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o': dir = optarg; break;
		case 'm': machine = optarg; break;
		case 'h': printf("usage: %s\n", REPORT_USAGE); return 0;
		default: fprintf(stderr, "usage: %s\n", REPORT_USAGE); return 2;
		}
	}
	if (argc - optind != 1 || !dir) {
		fprintf(stderr, "usage: %s\n", REPORT_USAGE);
		return 2;
	}
	return make_report(argv[optind], dir, machine);
}
