/* Subcommands of the mmkit command that live outside tools/mmkit.c:
 * `mmkit proc export` (tools/proc_export.c), the `mmkit help TOPIC`
 * mechanism topics (tools/help_topics.c). */
#ifndef MMKIT_TOOLS_H
#define MMKIT_TOOLS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct machine_desc;

/* in tools/mmkit.c: where shipped machines live, and loading one by path
 * or name (NULL: the built-in default); 0, or 1 with the error printed */
const char *machines_dir(void);
int load_machine(const char *spec, struct machine_desc *d);

#define PROC_USAGE \
	"mmkit proc export DIR [--machine MACHINE] [--scenario FILE] [--cmdline ARGS] [--json]\n\n" \
	"Boots MACHINE (or runs the scenario FILE on it, its output discarded) and\n" \
	"writes the simulated machine's /proc tree into DIR: meminfo, vmstat,\n" \
	"buddyinfo, zoneinfo, slabinfo, vmallocinfo, iomem, swaps, stat, uptime,\n" \
	"loadavg, cpuinfo, sys/kernel/pid_max, self, and PID/{maps,smaps,\n" \
	"smaps_rollup,status,stat,statm,cmdline,comm,environ} for every process.\n" \
	"Bind-mounted over /proc in a private mount namespace, procps tools (free,\n" \
	"vmstat, slabtop, pmap, ps) read it unchanged. See docs/proc-export.md.\n\n" \
	"    -m, --machine MACHINE  the machine to boot (default: built-in or the scenario's)\n" \
	"    -s, --scenario FILE    run FILE first; export the state it leaves\n" \
	"    -c, --cmdline ARGS     append ARGS to the kernel command line (no --scenario)\n" \
	"    -j, --json             print {dir, scenario, status, files, errors, pids}"

/**
 * cmd_proc() - `mmkit proc SUBCOMMAND ...` (only `export` today)
 * @argc: argument count, argv[0] is "proc"
 * @argv: arguments
 *
 * Returns the process exit status: 0, 1 on failure, 2 on a usage error.
 */
int cmd_proc(int argc, char **argv);

#define REPORT_USAGE \
	"mmkit report SCENARIO -o DIR [--machine MACHINE] [--json]\n" \
	"       mmkit report TRACE -o DIR [--machine MACHINE] [--json]\n\n" \
	"Runs SCENARIO (its output discarded), sampling the machine after every\n" \
	"command, and writes DIR/index.html with SVG plots over the scenario's\n" \
	"steps (also as DIR/buddy.svg, memory.svg, faults.svg, rss.svg): the buddy\n" \
	"allocator's free blocks by order; memory by type (free, anon, file, shmem,\n" \
	"slab, page tables, swap); minor and major page faults per step; each\n" \
	"process's RSS. Given a trace (mmkit trace record), it replays it as\n" \
	"'mmkit trace replay TRACE --report DIR' does: working set, faults, swap\n" \
	"traffic, TLB hit rate and RSS per window of references. See docs/report.md.\n\n" \
	"    -o, --output DIR       where to write the report (created if missing)\n" \
	"    -m, --machine MACHINE  boot MACHINE instead of the scenario's 'machine' line\n" \
	"    -j, --json             print the samples as one JSON object"

/**
 * cmd_report() - `mmkit report SCENARIO -o DIR`
 * @argc: argument count, argv[0] is "report"
 * @argv: arguments
 *
 * Returns the process exit status: 0, 1 on failure, 2 on a usage error.
 */
int cmd_report(int argc, char **argv);

/* `mmkit trace replay` (tools/trace_replay_cmd.c), argv[0] "replay" */
int trace_replay(int argc, char **argv);

/**
 * mmkit_help_topic() - print `mmkit help TOPIC` for a mechanism topic
 * @topic: buddy, slab, vmalloc, kmap, paging, cow, stack, brk, mmu
 *
 * Returns 0 when @topic is a mechanism topic (text printed), -1 otherwise.
 */
int mmkit_help_topic(const char *topic);

/**
 * mmkit_help_topics_list() - print the topic names, one per line, indented
 */
void mmkit_help_topics_list(void);

/* ---- --json forms of boot, cat, machines (tools/json_cmds.c) ---- */

int json_boot(const struct machine_desc *d, bool check);
int json_cat(const struct machine_desc *d, char **files, int n);
int json_machines(void);

/**
 * mmkit_help_topic_json() - `mmkit help TOPIC --json`: {"topic", "title",
 *	"text", "doc", "scenario", "run"}
 * @topic: the topic
 *
 * Returns 0 when @topic is a mechanism topic (JSON printed), -1 otherwise.
 */
int mmkit_help_topic_json(const char *topic);

/**
 * mmkit_help_topics_json() - print the topics as a JSON array of
 *	{"topic", "title", "doc", "scenario"} objects (no newline)
 */
void mmkit_help_topics_json(void);

/* ---- progress bars and JSON strings (tools/progress.c) ---- */

enum progress_mode { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };

/* One progress bar on stderr; see tools/progress.c for when it shows. */
struct progress {
	const char *label, *unit;
	uint64_t total;		/* 0: unknown */
	double t0, last;	/* start, last draw (CLOCK_MONOTONIC seconds) */
	bool enabled, forced, drawn;
};

void progress_set_mode(enum progress_mode mode);
bool progress_enabled(bool json);
void progress_start(struct progress *p, const char *label, const char *unit, uint64_t total,
		    bool json);
void progress_update(struct progress *p, uint64_t done);
void progress_end(struct progress *p, uint64_t done);
void json_string(FILE *f, const char *s);
void json_string_n(FILE *f, const char *s, size_t len);

#endif
