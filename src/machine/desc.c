/* Machine descriptions: the built-in default machine and the parser of the
 * small text format in docs/machine-format.md (what the firmware and boot
 * loader would hand the kernel: arch, CPUs, the e820 map, the command line).
 * Host-side code (libc allowed). Every error names FILE:LINE:COL and the
 * reason; a failed parse leaves the caller's description untouched. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmkit/mmkit.h>
#include <mmkit/vmscan.h>

struct desc_parser {
	struct machine_desc d;
	const char *file;
	int line;
	const char *line_start;
	char *err;
	size_t errlen;
	bool have_map;		/* an e820 line replaced the default map */
	u64 ram_size;		/* "ram SIZE": generate a PC map of that size */
	bool have_e801;
};

static int perr(struct desc_parser *p, const char *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct desc_parser *p, const char *at, const char *fmt, ...)
{
	int col = at ? (int)(at - p->line_start) + 1 : 1;
	int n = snprintf(p->err, p->errlen, "%s:%d:%d: ", p->file, p->line, col);
	va_list ap;

	if (n >= 0 && (size_t)n < p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Parse a number with an optional K/M/G/T suffix (binary units, as the
 * kernel's memparse). Returns false on junk or overflow. */
static bool parse_size(const char *s, const char **end, u64 *out)
{
	char *e;
	unsigned long long v;
	int shift = 0;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &e, 0);
	if (errno == ERANGE)
		return false;
	switch (*e) {
	case 'T': case 't': shift = 40; e++; break;
	case 'G': case 'g': shift = 30; e++; break;
	case 'M': case 'm': shift = 20; e++; break;
	case 'K': case 'k': shift = 10; e++; break;
	}
	if (shift && v > (~0ULL >> shift))
		return false;
	*out = v << shift;
	*end = e;
	return true;
}

static bool parse_hex(const char *s, const char **end, u64 *out)
{
	char *e;

	if (!isxdigit((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &e, 16);
	if (errno == ERANGE)
		return false;
	*end = e;
	return true;
}

static const struct {
	const char *name;
	u32 type;
} e820_names[] = {
	{ "usable", E820_RAM },
	{ "reserved", E820_RESERVED },
	{ "ACPI data", E820_ACPI },
	{ "ACPI NVS", E820_NVS },
	{ "unusable", E820_UNUSABLE },
	{ "soft reserved", 0xefffffff },
};

/* "usable", "ACPI data", "type 12", "persistent (type 7)" or a number. */
static bool parse_e820_type(const char *s, const char **end, u32 *type)
{
	u64 v;

	for (size_t i = 0; i < ARRAY_SIZE(e820_names); i++) {
		size_t n = strlen(e820_names[i].name);

		if (strncmp(s, e820_names[i].name, n) == 0 &&
		    !isalnum((unsigned char)s[n])) {
			*type = e820_names[i].type;
			*end = s + n;
			return true;
		}
	}
	if (strncmp(s, "persistent (type ", 17) == 0 || strncmp(s, "type ", 5) == 0) {
		const char *q = s + (s[0] == 'p' ? 17 : 5);

		if (!parse_size(q, end, &v) || v > 0xffffffffULL)
			return false;
		if (s[0] == 'p') {
			if (**end != ')')
				return false;
			(*end)++;
		}
		*type = (u32)v;
		return true;
	}
	if (isdigit((unsigned char)*s) && parse_size(s, end, &v) && v <= 0xffffffffULL) {
		*type = (u32)v;
		return true;
	}
	return false;
}

static int add_entry(struct desc_parser *p, const char *at, u64 addr, u64 size, u32 type)
{
	if (!p->have_map) {
		p->d.nr_e820 = 0;
		p->have_map = true;
	}
	if (p->d.nr_e820 >= E820_X_MAX)
		return perr(p, at, "more than %d e820 entries", E820_X_MAX);
	p->d.e820[p->d.nr_e820++] = (struct e820entry){ addr, size, type };
	return 0;
}

static int expect_end(struct desc_parser *p, const char *s)
{
	s = skip_ws(s);
	if (*s)
		return perr(p, s, "unexpected text '%s'", s);
	return 0;
}

/* BIOS-e820: [mem 0xSTART-0xEND] TYPE   (end inclusive, Linux >= 3.x)
 * BIOS-e820: START - END (TYPE)          (end exclusive, Linux 2.x) */
static int parse_bios_e820(struct desc_parser *p, const char *s)
{
	const char *e;
	u64 start, end;
	u32 type;

	s = skip_ws(s);
	if (strncmp(s, "[mem ", 5) == 0) {
		s += 5;
		if (strncmp(s, "0x", 2) != 0 || !parse_hex(s + 2, &e, &start))
			return perr(p, s, "expected 0x<start> in [mem 0x<start>-0x<end>]");
		s = e;
		if (strncmp(s, "-0x", 3) != 0 || !parse_hex(s + 3, &e, &end))
			return perr(p, s, "expected -0x<end> in [mem 0x<start>-0x<end>]");
		s = e;
		if (*s != ']')
			return perr(p, s, "expected ']'");
		if (end < start && end + 1 != start)
			return perr(p, s, "end 0x%llx is below start 0x%llx",
				    (unsigned long long)end, (unsigned long long)start);
		s = skip_ws(s + 1);
		if (!parse_e820_type(s, &e, &type))
			return perr(p, s, "unknown e820 type '%s'", s);
		if (expect_end(p, e))
			return -EINVAL;
		return add_entry(p, s, start, end - start + 1, type);
	}
	if (!parse_hex(s, &e, &start))
		return perr(p, s, "expected '[mem 0x<start>-0x<end>] <type>' or '<start> - <end> (<type>)'");
	s = skip_ws(e);
	if (*s != '-')
		return perr(p, s, "expected '-' between start and end");
	s = skip_ws(s + 1);
	if (!parse_hex(s, &e, &end))
		return perr(p, s, "expected the end address");
	s = skip_ws(e);
	if (*s != '(')
		return perr(p, s, "expected '(<type>)'");
	if (!parse_e820_type(s + 1, &e, &type) || *e != ')')
		return perr(p, s + 1, "unknown e820 type in '%s'", s);
	if (expect_end(p, e + 1))
		return -EINVAL;
	if (end < start)
		return perr(p, s, "end 0x%llx is below start 0x%llx",
			    (unsigned long long)end, (unsigned long long)start);
	return add_entry(p, s, start, end - start, type);
}

/* e820 START SIZE TYPE: a raw firmware entry, any values (even wrapping). */
static int parse_raw_e820(struct desc_parser *p, const char *s)
{
	const char *e;
	u64 start, size;
	u32 type;

	if (!parse_size(s, &e, &start))
		return perr(p, s, "expected the start address");
	s = skip_ws(e);
	if (!parse_size(s, &e, &size))
		return perr(p, s, "expected the size");
	s = skip_ws(e);
	if (!parse_e820_type(s, &e, &type))
		return perr(p, s, "unknown e820 type '%s'", s);
	if (expect_end(p, e))
		return -EINVAL;
	return add_entry(p, s, start, size, type);
}

/* disk NAME SIZE: a block device /dev/NAME of SIZE bytes (vda, sdb ...). */
static int parse_disk(struct desc_parser *p, const char *s)
{
	const char *e = s;
	size_t len;
	u64 size;

	while (*e && !isspace((unsigned char)*e))
		e++;
	len = (size_t)(e - s);
	if (!len || len >= sizeof(p->d.disks[0].name))
		return perr(p, s, "disk needs a name of 1 to %zu characters (e.g. vda)",
			    sizeof(p->d.disks[0].name) - 1);
	for (const char *c = s; c < e; c++)
		if (!isalnum((unsigned char)*c))
			return perr(p, c, "disk names are letters and digits");
	for (int i = 0; i < p->d.nr_disks; i++)
		if (strlen(p->d.disks[i].name) == len && !strncmp(p->d.disks[i].name, s, len))
			return perr(p, s, "disk %.*s given twice", (int)len, s);
	if (p->d.nr_disks == MMKIT_MAX_DISKS)
		return perr(p, s, "at most %d disks", MMKIT_MAX_DISKS);
	e = skip_ws(e);
	if (!parse_size(e, &e, &size) || *skip_ws(e) || size < SZ_1M || (size & (PAGE_SIZE - 1)))
		return perr(p, e, "disk size must be a multiple of 4K of at least 1M (e.g. 64M)");
	memcpy(p->d.disks[p->d.nr_disks].name, s, len);
	p->d.disks[p->d.nr_disks].name[len] = '\0';
	p->d.disks[p->d.nr_disks++].bytes = size;
	return 0;
}

static int parse_kernel(struct desc_parser *p, const char *s)
{
	static const char *const keys[] = { "text", "code", "rodata", "data", "bss" };
	u64 *fields[] = { &p->d.kernel_text_phys, &p->d.kernel_text_size,
			  &p->d.kernel_rodata_size, &p->d.kernel_data_size,
			  &p->d.kernel_bss_size };

	while (*(s = skip_ws(s))) {
		const char *eq = strchr(s, '='), *e;
		size_t i;

		if (!eq)
			return perr(p, s, "expected key=value (text, code, rodata, data, bss)");
		for (i = 0; i < ARRAY_SIZE(keys); i++)
			if ((size_t)(eq - s) == strlen(keys[i]) && !strncmp(s, keys[i], strlen(keys[i])))
				break;
		if (i == ARRAY_SIZE(keys))
			return perr(p, s, "unknown kernel field '%.*s'", (int)(eq - s), s);
		if (!parse_size(eq + 1, &e, fields[i]) || (*e && *e != ' ' && *e != '\t'))
			return perr(p, eq + 1, "bad size for '%s'", keys[i]);
		s = e;
	}
	return 0;
}

static int parse_line(struct desc_parser *p, char *line)
{
	const char *s = skip_ws(line), *e;
	char key[32];
	size_t n = 0;
	u64 v;

	/* A pasted dmesg line: drop the "[    0.000000] " stamp. */
	if (*s == '[' && strncmp(s, "[mem", 4) != 0) {
		const char *close = strchr(s, ']');

		if (close)
			s = skip_ws(close + 1);
	}
	if (!*s)
		return 0;
	if (strncmp(s, "BIOS-e820:", 10) == 0)
		return parse_bios_e820(p, s + 10);
	while (s[n] && s[n] != ' ' && s[n] != '\t' && n < sizeof(key) - 1) {
		key[n] = s[n];
		n++;
	}
	key[n] = '\0';
	e = skip_ws(s + n);
	if (!strcmp(key, "name")) {
		if (strlen(e) >= sizeof(p->d.name))
			return perr(p, e, "name longer than %zu characters", sizeof(p->d.name) - 1);
		strcpy(p->d.name, e);
	} else if (!strcmp(key, "arch")) {
		if (!strcmp(e, "i386"))
			p->d.arch = MMKIT_ARCH_I386;
		else if (!strcmp(e, "i386-pae"))
			p->d.arch = MMKIT_ARCH_I386_PAE;
		else if (!strcmp(e, "x86_64"))
			p->d.arch = MMKIT_ARCH_X86_64;
		else
			return perr(p, e, "unknown arch '%s' (i386, i386-pae or x86_64)", e);
	} else if (!strcmp(key, "cpus")) {
		if (!parse_size(e, &e, &v) || *skip_ws(e) || v < 1 || v > NR_CPUS)
			return perr(p, s + n, "cpus must be a number from 1 to %d", NR_CPUS);
		p->d.nr_cpus = (unsigned int)v;
	} else if (!strcmp(key, "highmem")) {
		if (!strcmp(e, "yes") || !strcmp(e, "y"))
			p->d.highmem = true;
		else if (!strcmp(e, "no") || !strcmp(e, "n"))
			p->d.highmem = false;
		else
			return perr(p, e, "highmem must be yes or no");
	} else if (!strcmp(key, "cmdline")) {
		if (strlen(e) >= sizeof(p->d.cmdline))
			return perr(p, e, "command line longer than %d bytes", COMMAND_LINE_SIZE - 1);
		strcpy(p->d.cmdline, e);
	} else if (!strcmp(key, "kernel")) {
		return parse_kernel(p, e);
	} else if (!strcmp(key, "ram")) {
		if (!parse_size(e, &e, &v) || *skip_ws(e) || v < SZ_1M)
			return perr(p, s + n, "ram must be a size of at least 1M (e.g. 64M, 2G)");
		p->ram_size = v;
	} else if (!strcmp(key, "e801")) {
		if (!parse_size(e, &e, &v) || *skip_ws(e))
			return perr(p, s + n, "e801 must be a size (memory above 1 MiB)");
		p->d.alt_mem_k = v >> 10;
		p->have_e801 = true;
	} else if (!strcmp(key, "e820")) {
		return parse_raw_e820(p, e);
	} else if (!strcmp(key, "files")) {
		if (!*e)
			return perr(p, e, "files needs a host directory");
		if (strlen(e) >= sizeof(p->d.files))
			return perr(p, e, "files path longer than %zu characters",
				    sizeof(p->d.files) - 1);
		strcpy(p->d.files, e);
	} else if (!strcmp(key, "reclaim")) {
		int pol = reclaim_policy_parse(e);

		if (pol == RECLAIM_OPT)
			return perr(p, e, "reclaim policy 'opt' needs the future: trace replay only "
				    "(mmkit trace replay --policy opt)");
		if (pol < 0 || strlen(e) >= sizeof(p->d.reclaim))
			return perr(p, e, "unknown reclaim policy '%s' (linux, clock, lru or fifo)", e);
		strcpy(p->d.reclaim, e);
	} else if (!strcmp(key, "disk")) {
		return parse_disk(p, e);
	} else if (!strcmp(key, "max_resident")) {
		char *end;
		unsigned long pages;

		errno = 0;
		pages = strtoul(e, &end, 10);
		if (!isdigit((unsigned char)*e) || errno || *skip_ws(end))
			return perr(p, s + n, "max_resident must be a number of pages (0: no limit)");
		p->d.max_resident = pages;
	} else {
		return perr(p, s, "unknown key '%s'", key);
	}
	return 0;
}

/* The map QEMU's PC gives a guest with size bytes of RAM: RAM below
 * 640K, the EBDA and BIOS ROM reserved, RAM from 1 MiB up to 3 GiB (less
 * the top 128K of ACPI/firmware data), the rest above 4 GiB. */
static void pc_map(struct machine_desc *d, u64 size)
{
	u64 below_4g = size > 0xc0000000ULL ? 0xc0000000ULL : size;
	int n = 0;

	d->e820[n++] = (struct e820entry){ 0, 0x9fc00, E820_RAM };
	d->e820[n++] = (struct e820entry){ 0x9fc00, 0x400, E820_RESERVED };
	d->e820[n++] = (struct e820entry){ 0xf0000, 0x10000, E820_RESERVED };
	if (size > 0xc0000000ULL) {
		d->e820[n++] = (struct e820entry){ 0x100000, below_4g - 0x100000, E820_RAM };
	} else {
		d->e820[n++] = (struct e820entry){ 0x100000, below_4g - 0x120000, E820_RAM };
		d->e820[n++] = (struct e820entry){ below_4g - 0x20000, 0x20000, E820_RESERVED };
	}
	d->e820[n++] = (struct e820entry){ 0xfeffc000, 0x4000, E820_RESERVED };
	d->e820[n++] = (struct e820entry){ 0xfffc0000, 0x40000, E820_RESERVED };
	if (size > below_4g)
		d->e820[n++] = (struct e820entry){ SZ_4G, size - below_4g, E820_RAM };
	d->nr_e820 = n;
}

/* BIOS e801: the RAM contiguous from 1 MiB, in KiB. */
static u64 e801_from_map(const struct machine_desc *d)
{
	for (int i = 0; i < d->nr_e820; i++) {
		const struct e820entry *e = &d->e820[i];

		if (e->type == E820_RAM && e->addr <= SZ_1M && e->addr + e->size > SZ_1M &&
		    e->addr + e->size > e->addr)
			return (e->addr + e->size - SZ_1M) >> 10;
	}
	return 0;
}

void mmkit_desc_default(struct machine_desc *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->name, "pc-i386-128m");
	d->arch = MMKIT_ARCH_I386;
	d->nr_cpus = 1;
	d->highmem = true;
	pc_map(d, 128 * SZ_1M);
	d->alt_mem_k = e801_from_map(d);
}

int mmkit_desc_parse(struct machine_desc *d, const char *text, const char *filename,
		     char *err, size_t errlen)
{
	struct desc_parser *p = calloc(1, sizeof(*p));
	const char *s = text;
	int ret = 0;

	if (!p)
		return -ENOMEM;
	mmkit_desc_default(&p->d);
	p->d.name[0] = '\0';
	p->file = filename ? filename : "<text>";
	p->err = err;
	p->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
	while (*s && !ret) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *line = strndup(s, len), *c;

		if (!line) {
			ret = -ENOMEM;
			break;
		}
		p->line++;
		p->line_start = line;
		/* '#' starts a comment at the line start or after a blank, so
		 * "memmap=64M#0x1000000" on a cmdline line survives. */
		for (c = line; *c; c++)
			if (*c == '#' && (c == line || c[-1] == ' ' || c[-1] == '\t')) {
				*c = '\0';
				break;
			}
		while (c > line && (c[-1] == ' ' || c[-1] == '\t' || c[-1] == '\r'))
			*--c = '\0';
		for (c = line; *c && !ret; c++)
			if ((unsigned char)*c < 0x20 && *c != '\t')
				ret = perr(p, c, "control character 0x%02x", (unsigned char)*c);
		if (!ret)
			ret = parse_line(p, line);
		free(line);
		s = nl ? nl + 1 : s + len;
	}
	if (!ret && p->ram_size) {
		if (p->have_map) {
			p->line = 0;
			p->line_start = NULL;
			ret = perr(p, NULL, "give either 'ram' or an e820 map, not both");
		} else {
			pc_map(&p->d, p->ram_size);
		}
	}
	if (!ret) {
		if (!p->have_e801)
			p->d.alt_mem_k = e801_from_map(&p->d);
		if (!p->d.name[0])
			snprintf(p->d.name, sizeof(p->d.name), "%s", p->file);
		*d = p->d;
	}
	free(p);
	return ret;
}

int mmkit_desc_load(struct machine_desc *d, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return ret;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > (1 << 20) || fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: not a readable machine file (at most 1 MiB)", path);
		fclose(f);
		return -EINVAL;
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		snprintf(err, errlen, "%s: read error", path);
		free(buf);
		fclose(f);
		return -EIO;
	}
	buf[n] = '\0';
	fclose(f);
	if (strlen(buf) != (size_t)n) {
		snprintf(err, errlen, "%s: contains a NUL byte", path);
		free(buf);
		return -EINVAL;
	}
	ret = mmkit_desc_parse(d, buf, path, err, errlen);
	free(buf);
	return ret;
}
