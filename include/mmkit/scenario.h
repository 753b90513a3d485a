/* Scenarios: small scripts that drive a simulated machine (src/sim/
 * scenario_parse.c, scenario_run.c, scenario_cmds.c; docs/scenarios.md;
 * `mmkit run FILE`).
 *
 * A scenario is text, one command a line, `#` comments:
 *
 *	machine pc-i386-64m
 *	boot
 *	spawn demo
 *	$a = mmap 0 64K rw- private,anonymous
 *	touch $a 64K write
 *	show /proc/self/smaps
 *
 * It is parsed completely before anything runs (syntax errors, wrong
 * argument counts and undefined variables are found up front), then run
 * command by command. Every command's result is printed; a failing syscall
 * or a fatal signal stops the run unless the next line `expect`s it.
 * Nothing printed depends on the host (no host addresses, no timings), so
 * a scenario's output is the same on every run: tests keep it as a golden
 * file.
 *
 * Errors read "FILE:LINE:COL: reason". */
#ifndef MMKIT_SCENARIO_H
#define MMKIT_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

struct mmkit_scenario;
struct machine;

/* How to run a scenario. Zero-initialised means: print to stdout, human
 * format, machines looked up in "examples/machines". */
struct mmkit_scenario_opts {
	FILE *out;			/* results (NULL: stdout) */
	FILE *err;			/* FILE:LINE:COL errors (NULL: stderr) */
	const char *machines_dir;	/* where `machine NAME` finds NAME.machine */
	const char *machine;		/* overrides the scenario's `machine` line */
	bool json;			/* one JSON object per command instead of text */
	/* optional observer (mmkit proc export, mmkit report): called with the
	 * live machine after each command that ran (@index its position, @src
	 * the command as written), and once more with @index -1 just before
	 * the machine is destroyed. Not called before the machine boots. */
	void (*step)(struct machine *m, int index, const char *src, void *arg);
	void *step_arg;
};

/**
 * mmkit_scenario_parse() - parse a scenario from text
 * @text: the scenario, NUL-terminated
 * @filename: names the source in errors (and anchors relative machine paths)
 * @out: receives the parsed scenario on success
 * @err: receives "FILE:LINE:COL: reason" on failure
 * @errlen: size of @err
 *
 * Returns 0, -EINVAL for a scenario with an error, -ENOMEM.
 */
int mmkit_scenario_parse(const char *text, const char *filename, struct mmkit_scenario **out,
			 char *err, size_t errlen);

/**
 * mmkit_scenario_load() - read and parse a scenario file
 * @path: the file
 * @out: receives the parsed scenario on success
 * @err: receives the reason on failure
 * @errlen: size of @err
 *
 * Returns 0 or -errno (-ENOENT and friends from reading, -EINVAL from parsing).
 */
int mmkit_scenario_load(const char *path, struct mmkit_scenario **out, char *err, size_t errlen);

/**
 * mmkit_scenario_run() - run a parsed scenario on a fresh machine
 * @sc: the scenario
 * @opts: output streams and options (NULL: defaults)
 *
 * Boots the machine the scenario names (or @opts->machine, or the built-in
 * default), runs every command and destroys the machine. Returns 0 when
 * every command succeeded or failed as expected, 1 when the scenario
 * stopped on an error (printed to @opts->err as FILE:LINE:COL: reason).
 */
int mmkit_scenario_run(struct mmkit_scenario *sc, const struct mmkit_scenario_opts *opts);

/**
 * mmkit_scenario_free() - release a parsed scenario
 * @sc: the scenario (NULL is ignored)
 */
void mmkit_scenario_free(struct mmkit_scenario *sc);

/**
 * mmkit_scenario_nr_commands() - how many commands a parsed scenario has
 * @sc: the scenario
 */
int mmkit_scenario_nr_commands(const struct mmkit_scenario *sc);

/**
 * mmkit_scenario_usage() - the usage line of the @i-th scenario command
 * @i: 0, 1, ...
 *
 * Returns the line ("mmap ADDR LEN PROT FLAGS [FD OFFSET]"), or NULL past
 * the last command.
 */
const char *mmkit_scenario_usage(int i);

#ifdef __cplusplus
}
#endif

#endif
