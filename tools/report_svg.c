/* Line charts as SVG, written directly (no plotting dependency), and the
 * HTML page around them: what `mmkit report` (tools/report.c) and
 * `mmkit trace replay --report` (tools/report_trace.c) draw with.
 *
 * A chart is a few named series over the same points (scenario steps or
 * replay windows); each series is one <polyline> with its name in the
 * legend (a <text class="legend">), so tests can find a series by name.
 *
 * Linux counterpart: none. Invariants: the output is well-formed XML
 * (text is escaped, non-ASCII bytes dropped) and depends only on the
 * values; a chart with no points still has its axes. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "report.h"

static const char *const colors[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
	"#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8",
};

#define W 760
#define H 320
#define L 70	/* left margin */
#define R 170	/* right margin (legend) */
#define T 30
#define B 40

/**
 * xml_escape() - write @s to @f with &, <, >, " escaped and bytes outside
 *	printable ASCII dropped
 * @f: where
 * @s: the text
 */
void xml_escape(FILE *f, const char *s)
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

static double chart_max(const struct chart *c)
{
	double max = 0;

	for (int k = 0; k < c->nser; k++)
		for (int i = 0; i < c->npts; i++)
			if (c->ser[k].v[i] > max)
				max = c->ser[k].v[i];
	return max > 0 ? max : 1;
}

static void svg_axes(FILE *f, const struct chart *c, double max)
{
	fprintf(f, "<title>");
	xml_escape(f, c->title);
	fprintf(f, "</title>\n<text x=\"%d\" y=\"18\" font-size=\"14\">", L);
	xml_escape(f, c->title);
	fprintf(f, "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
		L, H - B, W - R, H - B);
	fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
		L, T, L, H - B);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.6g</text>\n", L - 4, T + 4, max);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", L - 4, H - B + 4);
	fprintf(f, "<text x=\"12\" y=\"%d\" transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">",
		(T + H - B) / 2, (T + H - B) / 2);
	xml_escape(f, c->ylabel);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (L + W - R) / 2, H - 8);
	xml_escape(f, c->xlabel);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\">", L, H - B + 14);
	xml_escape(f, c->xfirst ? c->xfirst : "");
	fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", W - R, H - B + 14);
	xml_escape(f, c->xlast ? c->xlast : "");
	fputs("</text>\n", f);
}

/**
 * svg_chart() - write @c as one <svg> element
 * @f: where
 * @c: the chart
 */
void svg_chart(FILE *f, const struct chart *c)
{
	double max = chart_max(c);
	double xs = c->npts > 1 ? (double)(W - L - R) / (c->npts - 1) : 0;
	double ys = (double)(H - T - B) / max;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
	svg_axes(f, c, max);
	for (int k = 0; k < c->nser; k++) {
		const char *col = colors[k % (int)(sizeof(colors) / sizeof(colors[0]))];

		fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", col);
		for (int i = 0; i < c->npts; i++)
			fprintf(f, "%s%.1f,%.1f", i ? " " : "", L + i * xs,
				H - B - c->ser[k].v[i] * ys);
		fprintf(f, "\"/>\n<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/>"
			"<text class=\"legend\" x=\"%d\" y=\"%d\">", W - R + 12, T + k * 16, col,
			W - R + 26, T + k * 16 + 9);
		xml_escape(f, c->ser[k].name);
		fputs("</text>\n", f);
	}
	if (!c->nser)
		fprintf(f, "<text x=\"%d\" y=\"%d\">(nothing to plot)</text>\n", L + 10, T + 20);
	fputs("</svg>\n", f);
}

/**
 * svg_write() - write @c to DIR/NAME as a standalone SVG file
 * @dir: the report directory
 * @name: the file name
 * @c: the chart
 *
 * Returns 0, or 1 with the error on stderr.
 */
int svg_write(const char *dir, const char *name, const struct chart *c)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		goto fail;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	svg_chart(f, c);
	if (fclose(f))
		goto fail;
	return 0;
fail:
	fprintf(stderr, "mmkit: report: %s: %s\n", path, strerror(errno));
	return 1;
}

/**
 * html_begin() - create DIR/index.html and write its head and title
 * @dir: the report directory
 * @title: the page's title (escaped here)
 *
 * Returns the open file, or NULL with the error on stderr.
 */
FILE *html_begin(const char *dir, const char *title)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/index.html", dir);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mmkit: report: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n"
	      "<head><meta charset=\"utf-8\"/><title>mmkit report: ", f);
	xml_escape(f, title);
	fputs("</title></head>\n<body>\n<h1>mmkit report: ", f);
	xml_escape(f, title);
	fputs("</h1>\n", f);
	return f;
}

/**
 * html_end() - close the page opened by html_begin()
 * @f: the page
 * @dir: the report directory (for the error message)
 *
 * Returns 0, or 1 with the error on stderr.
 */
int html_end(FILE *f, const char *dir)
{
	fputs("</body>\n</html>\n", f);
	if (fclose(f)) {
		fprintf(stderr, "mmkit: report: %s/index.html: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}

/**
 * report_mkdir() - create the report directory (an existing one is fine)
 * @dir: the directory
 *
 * Returns 0, or 1 with the error on stderr.
 */
int report_mkdir(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "mmkit: report: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	return 0;
}
