/* The memory options of the kernel command line (cf. lib/cmdline.c memparse,
 * kernel/params.c next_arg, init/main.c do_early_param, and the early
 * parameters of arch/x86/kernel/e820.c and arch/x86/mm/init_32.c):
 *
 *   mem=SIZE        drop RAM above SIZE from the e820 table
 *   mem=exactmap    (2.4 spelling) start an empty table, memmap= fills it
 *   mem=nopentium   i386 only: no 4 MiB pages (nothing to do here)
 *   memmap=exactmap the same as mem=exactmap
 *   memmap=nn@ss    add RAM,       memmap=nn#ss  add ACPI data,
 *   memmap=nn$ss    add reserved,  memmap=nn!ss  add persistent (type 12),
 *   memmap=nn       as mem=nn; several may be given, separated by commas
 *   highmem=SIZE    i386: make SIZE of the RAM high memory
 *
 * Owns m->cmdline. Stricter than Linux on one point, on purpose: Linux warns
 * "Malformed early option 'X'" and boots on; mmkit warns the same way, also
 * for values Linux would half-accept (trailing junk, overflow, a memmap=
 * entry Linux silently skips), and then refuses to boot (-EINVAL), so a typo
 * never boots a machine different from the one asked for. */
#include "internal.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/* simple_strtoull with base 0: "0x" hex (when a hex digit follows), "0"
 * octal, else decimal. *overflow is set when the value exceeds 64 bits. */
static u64 parse_ull(const char *s, const char **end, bool *overflow)
{
	unsigned int base = 10;
	u64 v = 0;
	int d;

	if (s[0] == '0') {
		if ((s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
			base = 16;
			s += 2;
		} else {
			base = 8;
		}
	}
	while ((d = digit_value(*s)) < (int)base) {
		if (v > (~0ULL - (u64)d) / base)
			*overflow = true;
		v = v * base + (u64)d;
		s++;
	}
	*end = s;
	return v;
}

/* memparse, also reporting whether the value overflowed 64 bits. */
static u64 memparse_checked(const char *ptr, char **retptr, bool *overflow)
{
	const char *end;
	u64 v = parse_ull(ptr, &end, overflow);
	unsigned int shift = 0;

	switch (*end) {
	case 'E': case 'e': shift = 60; break;
	case 'P': case 'p': shift = 50; break;
	case 'T': case 't': shift = 40; break;
	case 'G': case 'g': shift = 30; break;
	case 'M': case 'm': shift = 20; break;
	case 'K': case 'k': shift = 10; break;
	default: break;
	}
	if (shift) {
		if (v > (~0ULL >> shift))
			*overflow = true;
		v <<= shift;
		end++;
	}
	if (retptr)
		*retptr = (char *)end;
	return v;
}

/**
 * memparse - parse a size with an optional binary suffix
 * @ptr: the text: a number (0x hex, 0 octal, else decimal), then an
 *	optional K, M, G, T, P or E (any case) multiplying by 2^10 ... 2^60
 * @retptr: if not NULL, set to the first character not consumed
 *
 * As Linux's memparse(): no digits give 0 with *retptr == ptr.
 *
 * Return: the value in bytes (wrapped modulo 2^64 on overflow).
 */
u64 memparse(const char *ptr, char **retptr)
{
	bool overflow = false;

	return memparse_checked(ptr, retptr, &overflow);
}

/* A whole-string size: digits, an optional suffix, nothing after. */
static bool parse_size_exact(const char *s, u64 *out)
{
	bool overflow = false;
	char *end;

	*out = memparse_checked(s, &end, &overflow);
	return end != s && *end == '\0' && !overflow;
}

/* Split the next "param[=val]" off args (cf. next_arg() in kernel/params.c):
 * arguments are separated by blanks outside double quotes; quotes around
 * the whole argument or the value are dropped. Returns the rest. */
static char *next_arg(char *args, char **param, char **val)
{
	bool in_quote = false, quoted = false;
	size_t i, equals = 0;

	if (*args == '"') {
		args++;
		in_quote = quoted = true;
	}
	for (i = 0; args[i]; i++) {
		if (is_space(args[i]) && !in_quote)
			break;
		if (!equals && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	*val = NULL;
	if (equals) {
		args[equals] = '\0';
		*val = args + equals + 1;
		if (**val == '"') {
			(*val)++;
			if (args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i])
		args[i++] = '\0';
	args += i;
	while (is_space(*args))
		args++;
	return args;
}

/* '-' and '_' are the same in parameter names (cf. parameq()). */
static bool parameq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char ca = *a == '-' ? '_' : *a, cb = *b == '-' ? '_' : *b;

		if (ca != cb)
			return false;
	}
	return *a == *b;
}

static void copy_cmdline(struct machine *m, char *buf)
{
	size_t n = 0;

	while (n < COMMAND_LINE_SIZE - 1 && m->desc.cmdline[n]) {
		buf[n] = m->desc.cmdline[n];
		n++;
	}
	buf[n] = '\0';
}

/* Calls fn for each argument before "--"; stops at a nonzero return. */
static int for_each_arg(struct machine *m, int (*fn)(struct machine *m, char *param, char *val,
						     void *arg), void *arg)
{
	char buf[COMMAND_LINE_SIZE], *args = buf, *param, *val;
	int ret = 0;

	copy_cmdline(m, buf);
	while (is_space(*args))
		args++;
	while (*args && !ret) {
		args = next_arg(args, &param, &val);
		if (!val && !mm_strcmp(param, "--"))
			break;
		ret = fn(m, param, val, arg);
	}
	return ret;
}

static void note_mem_limit(struct machine *m, u64 size)
{
	if (!m->cmdline.mem_limit || size < m->cmdline.mem_limit)
		m->cmdline.mem_limit = size;
}

/* The RAM above size goes (cf. parse_memopt: e820__range_remove). */
static void limit_ram(struct machine *m, u64 size)
{
	note_mem_limit(m, size);
	e820_remove_range(m, size, ~0ULL - size, E820_RAM, true);
}

static void exactmap(struct machine *m)
{
	m->e820.nr_map = 0;
	m->cmdline.user_defined = true;
}

/* mem=: see the file comment. Returns 0 or -EINVAL. */
static int parse_memopt(struct machine *m, char *p)
{
	u64 size;

	if (!p)
		return -EINVAL;
	if (!mm_strcmp(p, "nopentium")) {
		if (!m->arch.x86_64)
			return 0;
		pr_warn(m, "mem=nopentium ignored! (only supported on x86_32)\n");
		return -EINVAL;
	}
	if (!mm_strcmp(p, "exactmap")) {
		exactmap(m);
		return 0;
	}
	/* mem=0 would remove all memory: Linux refuses it as invalid. */
	if (!parse_size_exact(p, &size) || size == 0)
		return -EINVAL;
	m->cmdline.user_defined = true;
	limit_ram(m, size);
	return 0;
}

/* One memmap= entry. The whole entry is checked before the table changes. */
static int parse_memmap_one(struct machine *m, char *p)
{
	bool overflow = false;
	char *end, *s_end;
	u64 size, start;
	u32 type;

	if (!mm_strcmp(p, "exactmap")) {
		exactmap(m);
		return 0;
	}
	size = memparse_checked(p, &end, &overflow);
	if (end == p || overflow)
		return -EINVAL;
	if (*end == '\0') {
		m->cmdline.user_defined = true;
		limit_ram(m, size);
		return 0;
	}
	switch (*end) {
	case '@': type = E820_RAM; break;
	case '#': type = E820_ACPI; break;
	case '$': type = E820_RESERVED; break;
	case '!': type = E820_PRAM; break;
	default: return -EINVAL;
	}
	start = memparse_checked(end + 1, &s_end, &overflow);
	if (s_end == end + 1 || *s_end != '\0' || overflow || start + size < start)
		return -EINVAL;
	m->cmdline.user_defined = true;
	add_memory_region(m, start, size, type);
	return 0;
}

/* memmap=: comma-separated entries; every bad one is reported as one
 * malformed option (Linux skips them silently). */
static int parse_memmap_opt(struct machine *m, char *str)
{
	int ret = 0;

	if (!str || !*str)
		return -EINVAL;
	while (str) {
		char *k = __builtin_strchr(str, ',');

		if (k)
			*k++ = '\0';
		if (parse_memmap_one(m, str))
			ret = -EINVAL;
		str = k;
	}
	return ret;
}

/* highmem=SIZE: the number of pages to put in ZONE_HIGHMEM. */
static int parse_highmem(struct machine *m, char *p)
{
	u64 size;

	if (!p || !parse_size_exact(p, &size))
		return -EINVAL;
	m->cmdline.highmem_pages = (long)(size >> PAGE_SHIFT);
	return 0;
}

static int do_early_param(struct machine *m, char *param, char *val, void *arg)
{
	int *nr_bad = arg, ret;

	if (parameq(param, "mem"))
		ret = parse_memopt(m, val);
	else if (parameq(param, "memmap"))
		ret = parse_memmap_opt(m, val);
	else if (parameq(param, "highmem") && !m->arch.x86_64)
		ret = parse_highmem(m, val);	/* an early param of 32-bit x86 only */
	else
		return 0;
	if (ret) {
		pr_warn(m, "Malformed early option '%s'\n", param);
		(*nr_bad)++;
	}
	return 0;
}

/* The end of e820 parsing (cf. e820__finish_early_params()). */
static int finish_e820_parsing(struct machine *m)
{
	int nr = m->e820.nr_map;

	if (!m->cmdline.user_defined)
		return 0;
	if (sanitize_e820_map(m, m->e820.map, E820MAX, &nr) < 0) {
		pr_emerg(m, "Kernel panic - not syncing: Invalid user supplied memory map\n");
		return -EINVAL;
	}
	m->e820.nr_map = nr;
	pr_info(m, "user-defined physical RAM map:\n");
	print_memory_map(m, "user");
	m->e820_who = "user";
	return 0;
}

/**
 * parse_mem_cmdline - apply mem=, memmap= and highmem= from the command line
 * @m: the machine; reads m->desc.cmdline, edits m->e820, sets m->cmdline
 *
 * Options are applied in command-line order, as Linux's early parameters
 * are. When mem= or memmap= changed the table, it is sanitized and printed
 * as "user-defined physical RAM map:" with who "user". A table the user's
 * options left with fewer than two entries is fatal in Linux ("Invalid user
 * supplied memory map"), and here.
 *
 * Return: 0; -EINVAL after "Malformed early option '...'" for each bad
 * option (m->e820 is then the firmware map again), or for an invalid
 * user-defined map.
 */
int parse_mem_cmdline(struct machine *m)
{
	int nr_bad = 0;

	m->cmdline.mem_limit = 0;
	m->cmdline.highmem_pages = -1;
	m->cmdline.user_defined = false;
	for_each_arg(m, do_early_param, &nr_bad);
	if (nr_bad) {
		pr_err(m, "mmkit: %d malformed memory option%s on the command line, not booting\n",
		       nr_bad, nr_bad == 1 ? "" : "s");
		/* Leave the firmware's map, not a half-applied one. */
		m->e820 = m->e820_firmware;
		return -EINVAL;
	}
	return finish_e820_parsing(m);
}

static int find_mem_limit(struct machine *m, char *param, char *val, void *arg)
{
	u64 *limit = arg, size;

	if (parameq(param, "mem") && val && parse_size_exact(val, &size) && size &&
	    (!*limit || size < *limit))
		*limit = size;
	return 0;
}

/**
 * cmdline_early_mem_limit - the smallest valid mem=SIZE on the command line
 * @m: the machine
 *
 * For the fallback map, which setup_memory_region() builds before the
 * command line is parsed. Changes nothing and reports nothing.
 *
 * Return: the size in bytes, or 0 when no valid mem=SIZE is given.
 */
u64 cmdline_early_mem_limit(struct machine *m)
{
	u64 limit = 0;

	for_each_arg(m, find_mem_limit, &limit);
	return limit;
}

/**
 * cmdline_find_option - find "key" or "key=value" on the kernel command line
 * @m: the machine
 * @key: the option name; a whole word such as "mem=nopentium" also works
 * @val: set to the value after '=' (or the end of key), up to the next
 *	space, pointing into m->desc.cmdline; may be NULL
 *
 * For subsystems that read one option of their own after boot parsing
 * (slub_debug=, mem=nopentium). Returns true when the option is present.
 */
bool cmdline_find_option(const struct machine *m, const char *key, const char **val)
{
	size_t klen = mm_strlen(key);

	for (const char *p = m->desc.cmdline; *p;) {
		while (*p == ' ')
			p++;
		if (!mm_strncmp(p, key, klen) && (p[klen] == '=' || p[klen] == ' ' || !p[klen])) {
			if (val)
				*val = p[klen] == '=' ? p + klen + 1 : p + klen;
			return true;
		}
		while (*p && *p != ' ')
			p++;
	}
	return false;
}
