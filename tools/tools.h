/* Subcommands of the mmkit command that live outside tools/mmkit.c:
 * `mmkit proc export` (tools/proc_export.c), the `mmkit help TOPIC`
 * mechanism topics (tools/help_topics.c). */
#ifndef MMKIT_TOOLS_H
#define MMKIT_TOOLS_H

struct machine_desc;

/* in tools/mmkit.c: where shipped machines live, and loading one by path
 * or name (NULL: the built-in default); 0, or 1 with the error printed */
const char *machines_dir(void);
int load_machine(const char *spec, struct machine_desc *d);

#define PROC_USAGE \
	"mmkit proc export DIR [--machine MACHINE] [--scenario FILE] [--cmdline ARGS]\n\n" \
	"Boots MACHINE (or runs the scenario FILE on it, its output discarded) and\n" \
	"writes the simulated machine's /proc tree into DIR: meminfo, vmstat,\n" \
	"buddyinfo, zoneinfo, slabinfo, vmallocinfo, iomem, swaps, stat, uptime,\n" \
	"loadavg, cpuinfo, sys/kernel/pid_max, self, and PID/{maps,smaps,\n" \
	"smaps_rollup,status,stat,statm,cmdline,comm,environ} for every process.\n" \
	"Bind-mounted over /proc in a private mount namespace, procps tools (free,\n" \
	"vmstat, slabtop, pmap, ps) read it unchanged. See docs/proc-export.md.\n\n" \
	"    -m, --machine MACHINE  the machine to boot (default: built-in or the scenario's)\n" \
	"    -s, --scenario FILE    run FILE first; export the state it leaves\n" \
	"    -c, --cmdline ARGS     append ARGS to the kernel command line (no --scenario)"

/**
 * cmd_proc() - `mmkit proc SUBCOMMAND ...` (only `export` today)
 * @argc: argument count, argv[0] is "proc"
 * @argv: arguments
 *
 * Returns the process exit status: 0, 1 on failure, 2 on a usage error.
 */
int cmd_proc(int argc, char **argv);

#define REPORT_USAGE \
	"mmkit report SCENARIO -o DIR [--machine MACHINE]\n\n" \
	"Runs SCENARIO (its output discarded), sampling the machine after every\n" \
	"command, and writes DIR/index.html with SVG plots (also DIR/buddy.svg and\n" \
	"DIR/memory.svg): the buddy allocator's free blocks by order, and memory\n" \
	"by type (free, anon, slab, page tables), over the scenario's steps.\n\n" \
	"    -o, --output DIR       where to write the report (created if missing)\n" \
	"    -m, --machine MACHINE  boot MACHINE instead of the scenario's 'machine' line"

/**
 * cmd_report() - `mmkit report SCENARIO -o DIR`
 * @argc: argument count, argv[0] is "report"
 * @argv: arguments
 *
 * Returns the process exit status: 0, 1 on failure, 2 on a usage error.
 */
int cmd_report(int argc, char **argv);

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

#endif
