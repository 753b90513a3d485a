/* Progress bars for the mmkit command's long operations (trace record,
 * convert and replay, report, run) and the JSON string writer every
 * command's --json output shares.
 *
 * A bar goes to stderr, never stdout, so it never mixes with results or
 * JSON. When it shows (progress_enabled):
 *   - `--no-progress` or MMKIT_PROGRESS=0: never;
 *   - `--progress` or MMKIT_PROGRESS=1: always, from the first update;
 *   - otherwise (auto): only when stderr is a terminal, not in --json mode
 *     and not under CI (the CI variable set), and only once the operation
 *     has run for a second: short commands print nothing.
 * Updates are throttled to 10 a second. The line is
 *   "\rLABEL: PCT% [BAR] DONE/TOTAL UNIT (RATE UNIT/s)"
 * (without PCT, BAR and /TOTAL when the total is unknown), numbers with a
 * K/M/G suffix (x1000) above 9999; progress_end() draws it one last time
 * at 100% and ends the line.
 *
 * Linux counterpart: none. Invariant: nothing is written when disabled;
 * at most one draw per 100 ms besides the final one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tools.h"

#define PROGRESS_INTERVAL 0.1	/* seconds between draws: 10 a second */
#define PROGRESS_DELAY 1.0	/* auto mode: nothing before a second */
#define BAR_WIDTH 24

/* The command line's choice; a process-wide CLI setting, not machine state. */
static enum progress_mode cli_mode = PROGRESS_AUTO;

/**
 * progress_set_mode() - record --progress / --no-progress from the command line
 * @mode: PROGRESS_ON, PROGRESS_OFF or PROGRESS_AUTO
 */
void progress_set_mode(enum progress_mode mode)
{
	cli_mode = mode;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The mode after the command line and MMKIT_PROGRESS. */
static enum progress_mode effective_mode(void)
{
	const char *env = getenv("MMKIT_PROGRESS");

	if (cli_mode != PROGRESS_AUTO)
		return cli_mode;
	if (env && *env)
		return strcmp(env, "0") ? PROGRESS_ON : PROGRESS_OFF;
	return PROGRESS_AUTO;
}

/**
 * progress_enabled() - whether a command in @json mode shows progress bars
 * @json: the command prints JSON
 *
 * Returns true when forced on, or in auto mode when stderr is a terminal,
 * @json is false and CI is not set.
 */
bool progress_enabled(bool json)
{
	enum progress_mode mode = effective_mode();
	const char *ci = getenv("CI");

	if (mode != PROGRESS_AUTO)
		return mode == PROGRESS_ON;
	return !json && isatty(2) && !(ci && *ci);
}

/**
 * progress_start() - begin a progress bar
 * @p: the bar
 * @label: what is going on ("replaying")
 * @unit: what is counted ("refs")
 * @total: the count when done, 0 when unknown
 * @json: the command prints JSON (auto mode shows nothing then)
 */
void progress_start(struct progress *p, const char *label, const char *unit, uint64_t total,
		    bool json)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->unit = unit;
	p->total = total;
	p->enabled = progress_enabled(json);
	p->forced = effective_mode() == PROGRESS_ON;
	p->t0 = now_s();
	p->last = p->t0 - PROGRESS_INTERVAL;
}

/* 1234 -> "1234", 123456 -> "123.5K", 2500000000 -> "2.5G" */
static void human(char *buf, size_t len, double v)
{
	static const char sfx[] = "KMGT";
	int i = -1;

	if (v < 9999.5) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	while (v >= 999.95 && i < 3) {
		v /= 1000;
		i++;
	}
	snprintf(buf, len, "%.1f%c", v, sfx[i]);
}

static void draw(struct progress *p, uint64_t done, double t, bool final)
{
	char d[32], tot[32], rate[32], bar[BAR_WIDTH + 1];
	double dt = t - p->t0;

	human(d, sizeof(d), (double)done);
	human(rate, sizeof(rate), dt > 0 ? done / dt : 0.0);
	if (p->total) {
		unsigned int pct = final || done >= p->total ? 100 :
				   (unsigned int)(100.0 * done / p->total);
		int fill = (int)(pct * BAR_WIDTH / 100);

		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(BAR_WIDTH - fill));
		bar[BAR_WIDTH] = 0;
		human(tot, sizeof(tot), (double)p->total);
		fprintf(stderr, "\r%s: %3u%% [%s] %s/%s %s (%s %s/s)%s", p->label, pct, bar, d, tot,
			p->unit, rate, p->unit, final ? "\n" : "   ");
	} else {
		fprintf(stderr, "\r%s: %s %s (%s %s/s)%s", p->label, d, p->unit, rate, p->unit,
			final ? "\n" : "   ");
	}
	fflush(stderr);
	p->drawn = true;
}

/**
 * progress_update() - report @done units; draws at most 10 times a second
 * @p: the bar
 * @done: units done so far
 */
void progress_update(struct progress *p, uint64_t done)
{
	double t;

	if (!p->enabled)
		return;
	t = now_s();
	if (t - p->last < PROGRESS_INTERVAL)
		return;
	if (!p->forced && t - p->t0 < PROGRESS_DELAY)
		return;
	p->last = t;
	draw(p, done, t, false);
}

/**
 * progress_end() - finish the bar: a last draw at @done (100% when the
 *	total is known and reached) and a newline, if it showed at all
 * @p: the bar
 * @done: units done
 */
void progress_end(struct progress *p, uint64_t done)
{
	if (!p->enabled || (!p->drawn && !p->forced && now_s() - p->t0 < PROGRESS_DELAY))
		return;
	draw(p, done, now_s(), true);
}

/**
 * json_string() - write @s to @f as a JSON string literal (quotes, \\, control
 *	characters escaped; other bytes as they are)
 * @f: where
 * @s: the string (NULL writes null)
 */
void json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/**
 * json_string_n() - json_string() on the @len bytes at @s (may hold NULs)
 * @f: where
 * @s: the bytes
 * @len: how many
 */
void json_string_n(FILE *f, const char *s, size_t len)
{
	char *copy = malloc(len + 1);

	if (!copy) {
		fputs("null", f);
		return;
	}
	for (size_t i = 0; i < len; i++)
		copy[i] = s[i] ? s[i] : ' ';
	copy[len] = 0;
	json_string(f, copy);
	free(copy);
}
