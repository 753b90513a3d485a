/* libFuzzer harness: the machine-description parser, then a boot of what
 * it accepts. Whatever the bytes, parsing must return 0 or -EINVAL with a
 * message, and a boot must either succeed with a clean invariant checker
 * or fail with an errno: never crash, leak or corrupt. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_desc d;
	struct machine *m;
	char err[256];
	char *text;
	int ret;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ret = mmkit_desc_parse(&d, text, "fuzz", err, sizeof(err));
	free(text);
	if (ret) {
		if (ret != -EINVAL || strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	/* Keep each boot cheap: at most 4 GiB of simulated RAM, few CPUs. */
	for (int i = 0; i < d.nr_e820; i++)
		if (d.e820[i].addr > (8ULL << 30) || d.e820[i].size > (4ULL << 30))
			return 0;
	m = mmkit_machine_create(&d);
	if (!m)
		return 0;
	ret = mmkit_boot(m);
	if (ret == 0 && mmkit_check(m) != 0)
		abort();
	if (ret > 0)
		abort();
	mmkit_machine_destroy(m);
	return 0;
}
