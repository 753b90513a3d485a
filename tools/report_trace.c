/* The report of a trace replay (`mmkit trace replay TRACE --report DIR`,
 * `mmkit report TRACE -o DIR`): per window of N references, the working
 * set (distinct pages touched), the process's RSS, its minor and major
 * faults, the swap traffic and the TLB hit rate, as SVG plots
 * (DIR/workingset.svg, faults.svg, swap.svg, tlb.svg) and DIR/index.html
 * with the plots and a table of the windows.
 *
 * Linux counterpart: none (the numbers are the task's min_flt/maj_flt,
 * /proc/vmstat's pswpin/pswpout and the simulated TLB's counters).
 * Invariant: the output depends only on the replay's results. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <mmkit/trace.h>

#include "report.h"

enum { WS_PAGES, WS_RSS, F_MINOR, F_MAJOR, SW_IN, SW_OUT, TLB_HIT, NR_SERIES };

static const char *const names[NR_SERIES] = {
	"working set (pages touched)", "resident (RSS pages)", "minor", "major",
	"pswpin", "pswpout", "TLB hit rate %",
};

static const char *const files[4] = { "workingset.svg", "faults.svg", "swap.svg", "tlb.svg" };

static double value(const struct mmkit_replay_window *w, int k)
{
	uint64_t lookups = w->tlb_hits + w->tlb_misses;

	switch (k) {
	case WS_PAGES: return (double)w->pages;
	case WS_RSS: return (double)w->rss;
	case F_MINOR: return (double)(w->faults - w->majflt);
	case F_MAJOR: return (double)w->majflt;
	case SW_IN: return (double)w->pswpin;
	case SW_OUT: return (double)w->pswpout;
	default: return lookups ? 100.0 * (double)w->tlb_hits / (double)lookups : 0;
	}
}

static void html_windows(FILE *f, const struct mmkit_replay_stats *st)
{
	fputs("<h2>Windows</h2>\n<table border=\"1\">\n<tr><th>window</th><th>references</th>", f);
	for (int k = 0; k < NR_SERIES; k++)
		fprintf(f, "<th>%s</th>", names[k]);
	fputs("</tr>\n", f);
	for (uint64_t i = 0; i < st->nr_windows; i++) {
		fprintf(f, "<tr><td>%" PRIu64 "</td><td>%" PRIu64 "</td>", i, (i + 1) * st->window);
		for (int k = 0; k < NR_SERIES; k++)
			fprintf(f, k == TLB_HIT ? "<td>%.2f</td>" : "<td>%.0f</td>",
				value(&st->windows[i], k));
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void html_summary(FILE *f, const char *machine, const struct mmkit_replay_stats *st)
{
	uint64_t tr = st->tlb_hits + st->tlb_misses;

	fputs("<p>Replayed on <code>", f);
	xml_escape(f, machine);
	fprintf(f, "</code>: %" PRIu64 " references, %" PRIu64 " distinct pages; page faults: "
		"minor %" PRIu64 ", major %" PRIu64 "; swap: %" PRIu64 " pages in, %" PRIu64
		" out; TLB hit rate %.2f%%. One point per window of %" PRIu64
		" references.</p>\n", st->refs, st->pages_touched, st->minflt, st->majflt,
		st->pswpin, st->pswpout, tr ? 100.0 * st->tlb_hits / tr : 0.0, st->window);
}

int report_replay(const char *dir, const char *trace, const char *machine,
		  const struct mmkit_replay_stats *st)
{
	int n = (int)st->nr_windows, ret = 0;
	double *v = calloc((size_t)NR_SERIES * (size_t)n + 1, sizeof(*v));
	struct chart_series ser[NR_SERIES];
	struct chart c[4];
	char last[32];
	FILE *f;

	if (!v) {
		fprintf(stderr, "mmkit: report: out of host memory\n");
		return 1;
	}
	for (int k = 0; k < NR_SERIES; k++) {
		for (int i = 0; i < n; i++)
			v[(size_t)k * n + i] = value(&st->windows[i], k);
		ser[k] = (struct chart_series){ names[k], v + (size_t)k * n };
	}
	snprintf(last, sizeof(last), "%" PRIu64, st->nr_windows * st->window);
	c[0] = (struct chart){ "Working set and resident pages per window", "pages",
			       "references", "0", last, 2, n, ser + WS_PAGES };
	c[1] = (struct chart){ "Page faults per window", "faults", "references", "0", last, 2, n,
			       ser + F_MINOR };
	c[2] = (struct chart){ "Swap traffic per window", "pages", "references", "0", last, 2, n,
			       ser + SW_IN };
	c[3] = (struct chart){ "TLB hit rate per window", "%", "references", "0", last, 1, n,
			       ser + TLB_HIT };
	if (report_mkdir(dir)) {
		free(v);
		return 1;
	}
	for (int i = 0; i < 4; i++)
		ret |= svg_write(dir, files[i], &c[i]);
	f = html_begin(dir, trace);
	if (f) {
		html_summary(f, machine, st);
		for (int i = 0; i < 4; i++)
			svg_chart(f, &c[i]);
		html_windows(f, st);
		ret |= html_end(f, dir);
	} else {
		ret = 1;
	}
	free(v);
	return ret;
}
