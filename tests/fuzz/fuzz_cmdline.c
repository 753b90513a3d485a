/* libFuzzer harness: the kernel command line (mem=, memmap=, highmem=, and
 * anything else) and the boot it gives. The first byte picks the machine
 * (i386 64 MiB, i386 1 GiB with HIGHMEM, i386 PAE with RAM above 4 GiB,
 * x86_64 256 MiB); the rest, up to its first NUL, is the command line.
 *
 * Whatever the bytes: the boot returns 0 or -errno (never a positive
 * value, never a crash or sanitizer report); a machine that booted has a
 * clean invariant checker (before and after a process ran) and a
 * process can map, write and read back a page. Command
 * lines whose numbers would make the machine huge (more than 6 GiB of
 * RAM declared) are skipped to keep each run cheap, except on the
 * non-PAE i386, which cannot address more than 4 GiB anyway. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mman.h>
#include <mmkit/mmkit.h>
#include <mmkit/mmu.h>
#include <mmkit/sched.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const machines[] = {
	"arch i386\nhighmem yes\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved\n"
	"BIOS-e820: [mem 0x0000000000100000-0x0000000003fdffff] usable\n"
	"BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved\n",
	"arch i386\nhighmem yes\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000003fffffff] usable\n",
	"arch i386-pae\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable\n"
	"BIOS-e820: [mem 0x0000000100000000-0x000000010fffffff] usable\n",
	"arch x86_64\n"
	"BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
	"BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable\n",
};

/* A memparse-like reading of every number in s: true when one exceeds
 * limit (or overflows). */
static bool has_huge_number(const char *s, unsigned long long limit)
{
	for (const char *p = s; *p; p++) {
		unsigned long long v = 0;
		int shift = 0;
		bool hex = false;

		if (*p < '0' || *p > '9')
			continue;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
			hex = true;
			p += 2;
		}
		for (;; p++) {
			int dg;

			if (*p >= '0' && *p <= '9')
				dg = *p - '0';
			else if (hex && *p >= 'a' && *p <= 'f')
				dg = *p - 'a' + 10;
			else if (hex && *p >= 'A' && *p <= 'F')
				dg = *p - 'A' + 10;
			else
				break;
			if (v > (~0ULL >> 5))
				return true;
			v = v * (hex ? 16 : 10) + (unsigned long long)dg;
		}
		switch (*p) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': case 'p': case 'P': case 'e': case 'E': return v != 0;
		default: break;
		}
		if (shift && v > (limit >> shift))
			return true;
		if (v > limit)
			return true;
		if (!*p)
			break;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct machine_desc d;
	struct machine *m;
	struct task_struct *t;
	char err[256], line[COMMAND_LINE_SIZE];
	unsigned int which;
	size_t n;
	int ret;

	if (size < 1 || size > sizeof(line))
		return 0;
	which = data[0] % 4;
	n = size - 1;
	memcpy(line, data + 1, n);
	line[n] = '\0';
	if (which != 0 && has_huge_number(line, 6ULL << 30))
		return 0;
	if (mmkit_desc_parse(&d, machines[which], "fuzz", err, sizeof(err)))
		abort();
	memcpy(d.cmdline, line, strlen(line) + 1);
	m = mmkit_machine_create(&d);
	if (!m)
		return 0;
	ret = mmkit_boot(m);
	if (ret > 0)
		abort();
	if (ret == 0) {
		if (mmkit_check(m))
			abort();
		/* the booted machine works: a process maps, writes, reads back */
		t = mmkit_spawn(m, "fz", NULL);
		if (t) {
			long a;
			char c = 'x', back = 0;

			mmkit_set_current(m, t);
			a = sys_mmap(m, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				     -1UL, 0);
			if (!MMKIT_IS_ERR_VALUE(a) && mmkit_write(m, (unsigned long)a + 4097, &c, 1) == 0) {
				if (mmkit_read(m, (unsigned long)a + 4097, &back, 1) || back != 'x')
					abort();
			}
			mmkit_exit(m, t, 0);
		}
		if (mmkit_check(m))
			abort();
	}
	mmkit_machine_destroy(m);
	return 0;
}
