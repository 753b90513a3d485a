/* The plots of `mmkit report` and `mmkit trace replay --report`: line
 * charts written as SVG (tools/report_svg.c), the scenario report
 * (tools/report.c) and the trace-replay report (tools/report_trace.c). */
#ifndef MMKIT_TOOLS_REPORT_H
#define MMKIT_TOOLS_REPORT_H

#include <stdio.h>

/* One line of a chart: a value per point. */
struct chart_series {
	const char *name;
	const double *v;
};

/* A line chart: nser series over npts points (steps or windows). */
struct chart {
	const char *title, *ylabel, *xlabel;
	const char *xfirst, *xlast;	/* labels under the first and last point */
	int nser, npts;
	const struct chart_series *ser;
};

void xml_escape(FILE *f, const char *s);
void svg_chart(FILE *f, const struct chart *c);
int svg_write(const char *dir, const char *name, const struct chart *c);
FILE *html_begin(const char *dir, const char *title);
int html_end(FILE *f, const char *dir);
int report_mkdir(const char *dir);

struct mmkit_replay_stats;

/**
 * report_replay() - write DIR/index.html and the replay's SVG plots (working
 *	set, faults, swap traffic, TLB hit rate and RSS per window)
 * @dir: the report directory (created if missing)
 * @trace: the trace's path (the title)
 * @machine: the machine's name
 * @st: the replay's results
 *
 * Returns 0, or 1 with the error on stderr.
 */
int report_replay(const char *dir, const char *trace, const char *machine,
		  const struct mmkit_replay_stats *st);

#endif
