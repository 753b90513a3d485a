/* libFuzzer harness: the scenario parser, then a run of what it accepts.
 * Whatever the bytes, parsing returns 0 or an error naming "fuzz:LINE:COL",
 * and a run ends with status 0 or 1 -- never a crash, leak or corrupted
 * machine (runs stop at the first failure, so they stay short). The
 * machine is the built-in default: `machine` lines only name shipped
 * files that the fuzzer cannot reach. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/scenario.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmkit_scenario_opts o = { .machines_dir = "/nonexistent" };
	struct mmkit_scenario *sc;
	char err[1024];
	char *text;
	int ret;

	if (size > 4096)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = mmkit_scenario_parse(text, "fuzz", &sc, err, sizeof(err));
	free(text);
	if (ret) {
		if (strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	o.out = fopen("/dev/null", "w");
	o.err = o.out;
	if (!o.out) {
		mmkit_scenario_free(sc);
		return 0;
	}
	ret = mmkit_scenario_run(sc, &o);
	fclose(o.out);
	mmkit_scenario_free(sc);
	if (ret != 0 && ret != 1)
		abort();
	return 0;
}
