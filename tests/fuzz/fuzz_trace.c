/* libFuzzer harness: the trace reader (src/sim/trace_read.c), then a replay
 * of what it accepts on a small x86_64 machine. Whatever the bytes, opening
 * and reading must end in records or a "NAME: offset N: reason" error, and
 * a replay must leave the invariant checker clean: never crash or leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>
#include <mmkit/trace.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char machine_text[] =
	"name fuzz-trace\narch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000003ffffff] usable\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmkit_trace_reader *r;
	struct mmkit_replay_stats st;
	struct machine_desc d;
	struct machine *m;
	char err[600];

	if (size > 65536)
		return 0;
	r = mmkit_trace_open_mem(data, size, "fuzz", err, sizeof(err));
	if (!r) {
		if (strncmp(err, "fuzz: ", 6))
			abort();
		return 0;
	}
	if (mmkit_desc_parse(&d, machine_text, "fuzz", err, sizeof(err)))
		abort();
	m = mmkit_machine_create(&d);
	if (!m || mmkit_boot(m))
		abort();
	if (mmkit_replay(m, r, NULL, &st, err, sizeof(err)) &&
	    mmkit_trace_get_header(r)->arch == MMKIT_TRACE_ARCH_X86_64 &&
	    strncmp(err, "fuzz: offset ", 13) && strncmp(err, "replay: ", 8))
		abort();
	mmkit_replay_free(&st);
	if (mmkit_check(m))
		abort();
	mmkit_trace_close(r);
	mmkit_machine_destroy(m);
	return 0;
}
