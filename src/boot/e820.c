/* The kernel's copy of the BIOS memory map (cf. arch/i386/kernel/setup.c of
 * 2.4, the seed's setup_memory_region / copy_e820_map / add_memory_region /
 * print_memory_map, and arch/x86/kernel/e820.c of 6.x for sanitize, the
 * range removal and the print format).
 *
 * Owns m->e820, m->e820_firmware and m->e820_who. Invariants once
 * setup_memory_region() has run: m->e820.nr_map <= E820MAX; after a
 * sanitize the entries are sorted by address, do not overlap, have no zero
 * size and never wrap past 2^64; adjacent entries of one type are merged
 * (except E820_PRAM, which Linux keeps apart). */
#include "internal.h"

/*
 * sanitize_e820_map() works on change points: every entry contributes its
 * start and its end. Sorted by address (a start before an end at the same
 * address, so touching entries of one type merge), a sweep keeps the set of
 * entries covering the current address; the covering type is the largest
 * type number in the set (1 = usable loses to every other type). Each time
 * that type changes, the running output entry is closed and a new one begins.
 *
 *   in:   1111111111______      out: 111122222211____  (the '2' of the input
 *         ____222222______           overlapped the '1's and wins there)
 *         __________11____
 */
struct change_member {
	const struct e820entry *pbios;	/* the entry this point belongs to */
	u64 addr;			/* its start or its end */
};

static bool cp_is_end(const struct change_member *cp)
{
	return cp->addr != cp->pbios->addr;
}

/* Order: address, then starts before ends (cf. cpcompare()). */
static bool cp_before(const struct change_member *a, const struct change_member *b)
{
	if (a->addr != b->addr)
		return a->addr < b->addr;
	return !cp_is_end(a) && cp_is_end(b);
}

static void sort_change_points(struct change_member **cp, int n)
{
	/* Insertion sort: at most 2 * E820_X_MAX points, stable. */
	for (int i = 1; i < n; i++) {
		struct change_member *x = cp[i];
		int j = i - 1;

		while (j >= 0 && cp_before(x, cp[j])) {
			cp[j + 1] = cp[j];
			j--;
		}
		cp[j + 1] = x;
	}
}

static u32 overlap_type(const struct e820entry *const *list, int n)
{
	u32 type = 0;

	for (int i = 0; i < n; i++)
		if (list[i]->type > type)
			type = list[i]->type;
	return type;
}

/**
 * sanitize_e820_map - remove overlaps from a BIOS memory map, in place
 * @m: the machine (unused; every core function takes it)
 * @biosmap: the entries; rewritten sorted, merged and without overlaps
 * @max_nr: the capacity of @biosmap (at most E820_X_MAX)
 * @pnr_map: in: the number of entries; out: the number after sanitizing
 *
 * Where entries overlap, the higher type number wins; adjacent entries of
 * one type merge; zero-length entries vanish. As in Linux, a map with fewer
 * than two entries, or with an entry whose end wraps past 2^64, is refused
 * and left unchanged.
 *
 * Return: 0, or -1 when the map was refused.
 */
int sanitize_e820_map(struct machine *m, struct e820entry *biosmap, int max_nr, int *pnr_map)
{
	struct change_member cp_list[2 * E820_X_MAX], *cp[2 * E820_X_MAX];
	const struct e820entry *overlap[E820_X_MAX];
	struct e820entry new_bios[E820_X_MAX];
	int old_nr = *pnr_map, chg_nr = 0, nr_overlap = 0, new_nr = 0;
	u32 last_type = 0;
	u64 last_addr = 0;

	(void)m;
	if (old_nr < 2)
		return -1;
	if (old_nr > max_nr || max_nr > E820_X_MAX)
		return -1;
	for (int i = 0; i < old_nr; i++)
		if (biosmap[i].addr + biosmap[i].size < biosmap[i].addr)
			return -1;

	for (int i = 0; i < old_nr; i++) {
		if (biosmap[i].size == 0)
			continue;
		cp_list[chg_nr] = (struct change_member){ &biosmap[i], biosmap[i].addr };
		cp[chg_nr] = &cp_list[chg_nr];
		chg_nr++;
		cp_list[chg_nr] = (struct change_member){ &biosmap[i], biosmap[i].addr + biosmap[i].size };
		cp[chg_nr] = &cp_list[chg_nr];
		chg_nr++;
	}
	sort_change_points(cp, chg_nr);

	for (int c = 0; c < chg_nr; c++) {
		u32 type;

		if (!cp_is_end(cp[c])) {
			overlap[nr_overlap++] = cp[c]->pbios;
		} else {
			for (int i = 0; i < nr_overlap; i++)
				if (overlap[i] == cp[c]->pbios)
					overlap[i] = overlap[nr_overlap - 1];
			nr_overlap--;
		}
		type = overlap_type(overlap, nr_overlap);
		if (type == last_type && type != E820_PRAM)
			continue;
		if (last_type != 0) {
			new_bios[new_nr].size = cp[c]->addr - last_addr;
			/* Move on only if the entry got a size. */
			if (new_bios[new_nr].size != 0 && ++new_nr >= max_nr)
				break;
		}
		if (type != 0) {
			new_bios[new_nr].addr = cp[c]->addr;
			new_bios[new_nr].type = type;
			last_addr = cp[c]->addr;
		}
		last_type = type;
	}
	mm_memcpy(biosmap, new_bios, (size_t)new_nr * sizeof(*biosmap));
	*pnr_map = new_nr;
	return 0;
}

/**
 * add_memory_region - append an entry to the kernel's e820 table
 * @m: the machine
 * @start: physical start
 * @size: length in bytes
 * @type: enum e820_type (or any firmware type number)
 *
 * The table holds E820MAX entries; one more is refused with the kernel's
 * "Ooops! Too many entries in the memory map!" and the table is unchanged.
 * The entry is appended: callers sanitize when order matters.
 *
 * Return: 0, or -E2BIG when the table is full.
 */
int add_memory_region(struct machine *m, u64 start, u64 size, u32 type)
{
	int x = m->e820.nr_map;

	if (x >= E820MAX) {
		pr_err(m, "Ooops! Too many entries in the memory map!\n");
		return -E2BIG;
	}
	m->e820.map[x] = (struct e820entry){ .addr = start, .size = size, .type = type };
	m->e820.nr_map++;
	return 0;
}

/**
 * copy_e820_map - copy a sanitized BIOS map into the kernel's table
 * @m: the machine; m->e820 should be empty
 * @biosmap: the BIOS entries
 * @nr_map: how many
 *
 * Some BIOSes call the 640 KiB - 1 MiB hole RAM: a RAM entry reaching into
 * [0xA0000, 0x100000) is cut around it (the part below 640K and the part
 * from 1M stay). Entries beyond E820MAX are dropped by add_memory_region()
 * with its error, as in Linux.
 *
 * Return: 0; -1 for fewer than two entries or an entry that wraps past 2^64
 * (the caller then builds the fallback map; entries already added remain).
 */
int copy_e820_map(struct machine *m, const struct e820entry *biosmap, int nr_map)
{
	if (nr_map < 2)
		return -1;
	for (int i = 0; i < nr_map; i++) {
		u64 start = biosmap[i].addr;
		u64 size = biosmap[i].size;
		u64 end = start + size;
		u32 type = biosmap[i].type;

		if (start > end)
			return -1;
		if (type == E820_RAM && start < HIGH_MEMORY && end > 0xA0000ULL) {
			if (start < 0xA0000ULL)
				add_memory_region(m, start, 0xA0000ULL - start, type);
			if (end <= HIGH_MEMORY)
				continue;
			start = HIGH_MEMORY;
			size = end - start;
		}
		add_memory_region(m, start, size, type);
	}
	return 0;
}

/**
 * e820_type_name - the boot log's name of an e820 type
 * @type: the type number
 *
 * "usable", "reserved", "ACPI data", "ACPI NVS", "unusable",
 * "persistent (type 7)", "persistent (type 12)" (cf. e820_print_type()).
 *
 * Return: the name, or NULL for a type Linux prints as "type N".
 */
const char *e820_type_name(u32 type)
{
	switch (type) {
	case E820_RAM:
		return "usable";
	case E820_RESERVED:
		return "reserved";
	case E820_ACPI:
		return "ACPI data";
	case E820_NVS:
		return "ACPI NVS";
	case E820_UNUSABLE:
		return "unusable";
	case E820_PMEM:
		return "persistent (type 7)";
	case E820_PRAM:
		return "persistent (type 12)";
	default:
		return NULL;
	}
}

/* "usable", ..., or "type N" into buf. */
static const char *e820_type_str(u32 type, char *buf, size_t len)
{
	const char *name = e820_type_name(type);

	if (name)
		return name;
	machine_snprintf(buf, len, "type %u", type);
	return buf;
}

/**
 * print_memory_map - print the kernel's e820 table to the log
 * @m: the machine
 * @who: the line prefix: "BIOS-e820", "BIOS-e801", "BIOS-88" or "user"
 *
 * One line per entry in Linux's format, end inclusive:
 * "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable".
 */
void print_memory_map(struct machine *m, const char *who)
{
	char buf[24];

	for (int i = 0; i < m->e820.nr_map; i++) {
		const struct e820entry *e = &m->e820.map[i];

		pr_info(m, "%s: [mem 0x%016llx-0x%016llx] %s\n", who,
			(unsigned long long)e->addr,
			(unsigned long long)(e->addr + e->size - 1),
			e820_type_str(e->type, buf, sizeof(buf)));
	}
}

/* Insert an entry after index i, keeping the table's order. */
static int e820_insert_after(struct machine *m, int i, u64 start, u64 size, u32 type)
{
	struct e820map *map = &m->e820;

	if (map->nr_map >= E820MAX) {
		pr_err(m, "Ooops! Too many entries in the memory map!\n");
		return -E2BIG;
	}
	for (int j = map->nr_map; j > i + 1; j--)
		map->map[j] = map->map[j - 1];
	map->map[i + 1] = (struct e820entry){ .addr = start, .size = size, .type = type };
	map->nr_map++;
	return 0;
}

static void e820_drop_empty(struct machine *m)
{
	struct e820map *map = &m->e820;
	int n = 0;

	for (int i = 0; i < map->nr_map; i++)
		if (map->map[i].size)
			map->map[n++] = map->map[i];
	map->nr_map = n;
}

/**
 * e820_remove_range - cut [start, start + size) out of the e820 table
 * @m: the machine
 * @start: physical start
 * @size: length; clamped so the range ends at 2^64 - 1 at most
 * @type: with @checktype, only entries of this type are cut
 * @checktype: see @type
 *
 * Logs "e820: remove [mem ...]" as Linux does (cf. e820__range_remove()).
 * An entry covering the whole range is split in two; emptied entries are
 * dropped. The table's order is kept.
 */
void e820_remove_range(struct machine *m, u64 start, u64 size, u32 type, bool checktype)
{
	char buf[24];
	u64 end;

	if (size > ~0ULL - start)
		size = ~0ULL - start;
	end = start + size;
	pr_debug(m, "e820: remove [mem 0x%08llx-0x%08llx] %s\n", (unsigned long long)start,
		 (unsigned long long)(end - 1),
		 checktype ? e820_type_str(type, buf, sizeof(buf)) : "");

	for (int i = 0; i < m->e820.nr_map; i++) {
		struct e820entry *e = &m->e820.map[i];
		u64 e_end = e->addr + e->size, lo, hi;

		if (checktype && e->type != type)
			continue;
		if (e->addr >= start && e_end <= end) {
			e->size = 0;
			continue;
		}
		if (e->addr < start && e_end > end) {
			e->size = start - e->addr;
			e820_insert_after(m, i, end, e_end - end, e->type);
			i++;
			continue;
		}
		lo = max(start, e->addr);
		hi = min(end, e_end);
		if (lo >= hi)
			continue;
		e->size -= hi - lo;
		if (e->addr >= lo)
			e->addr = hi;
	}
	e820_drop_empty(m);
}

/**
 * e820_all_mapped - is [start, end) covered by entries of one type?
 * @m: the machine
 * @start: physical start
 * @end: physical end, exclusive
 * @type: the type, or 0 for any
 *
 * Needs a sorted table (after sanitize), as Linux's does.
 *
 * Return: true when every byte of the range is covered.
 */
bool e820_all_mapped(struct machine *m, u64 start, u64 end, u32 type)
{
	if (start >= end)
		return false;
	for (int i = 0; i < m->e820.nr_map; i++) {
		const struct e820entry *e = &m->e820.map[i];

		if (type && e->type != type)
			continue;
		if (e->addr >= end || e->addr + e->size <= start)
			continue;
		/* Covered up to this entry's end: go on from there. */
		if (e->addr <= start)
			start = e->addr + e->size;
		if (start >= end)
			return true;
	}
	return false;
}

/**
 * page_is_ram - does page frame @pfn lie wholly in an E820_RAM entry?
 * @m: the machine
 * @pfn: the page frame
 *
 * Partial pages at an entry's edges do not count (PFN_UP of the start,
 * PFN_DOWN of the end), as in Linux.
 *
 * Return: true for a usable RAM page.
 */
bool page_is_ram(struct machine *m, unsigned long pfn)
{
	for (int i = 0; i < m->e820.nr_map; i++) {
		const struct e820entry *e = &m->e820.map[i];

		if (e->type != E820_RAM)
			continue;
		if (pfn >= PFN_UP(e->addr) && pfn < PFN_DOWN(e->addr + e->size))
			return true;
	}
	return false;
}

/**
 * e820_end_of_ram_pfn - one past the highest whole RAM page
 * @m: the machine
 *
 * The seed's max_pfn loop: over E820_RAM entries, PFN_UP of the start and
 * PFN_DOWN of the end; entries without a whole page are skipped.
 *
 * Return: the highest end pfn, 0 when the map has no RAM page.
 */
unsigned long e820_end_of_ram_pfn(struct machine *m)
{
	unsigned long max_pfn = 0;

	for (int i = 0; i < m->e820.nr_map; i++) {
		const struct e820entry *e = &m->e820.map[i];
		unsigned long start, end;

		if (e->type != E820_RAM)
			continue;
		start = PFN_UP(e->addr);
		end = PFN_DOWN(e->addr + e->size);
		if (start >= end)
			continue;
		if (end > max_pfn)
			max_pfn = end;
	}
	return max_pfn;
}

/* The pseudo map of 2.4 when the BIOS gave no usable e820 map: RAM from 0
 * to LOWMEMSIZE() and from 1 MiB up. The size above 1 MiB is what the e801
 * BIOS call reported (desc.alt_mem_k), or mem= when the command line has it
 * (2.4's "mem=XXX defines a memory region from HIGH_MEM to <mem>"). Without
 * either, the int 15h/88 answer would be next; the description does not
 * carry one, so only the low entry is made. */
static const char *e820_fallback_map(struct machine *m)
{
	u64 mem_limit = cmdline_early_mem_limit(m);
	u64 kib = m->desc.alt_mem_k, high = 0;
	const char *who = kib ? "BIOS-e801" : "BIOS-88";

	if (kib)
		high = kib > ((~0ULL - HIGH_MEMORY) >> 10) ? ~0ULL - HIGH_MEMORY : kib << 10;
	if (mem_limit > HIGH_MEMORY)
		high = mem_limit - HIGH_MEMORY;
	m->e820.nr_map = 0;
	add_memory_region(m, 0, LOWMEMSIZE(), E820_RAM);
	if (high)	/* nothing known above 1 MiB: no empty entry */
		add_memory_region(m, HIGH_MEMORY, high, E820_RAM);
	return who;
}

/**
 * setup_memory_region - build the kernel's e820 table from the BIOS map
 * @m: the machine; reads m->desc.e820
 *
 * The seed's four steps: sanitize_e820_map() a copy of the BIOS map,
 * copy_e820_map() it into m->e820; if that fails, build the two-entry
 * pseudo map (who "BIOS-e801" or "BIOS-88"); print
 * "BIOS-provided physical RAM map:" and the table. m->e820_firmware keeps
 * this table for later comparison with mem=/memmap= edits.
 *
 * Return: 0 (a usable table always results, possibly with no RAM in it).
 */
int setup_memory_region(struct machine *m)
{
	struct e820entry biosmap[E820_X_MAX];
	int nr = m->desc.nr_e820;
	const char *who = "BIOS-e820";

	if (nr < 0)
		nr = 0;
	if (nr > E820_X_MAX)
		nr = E820_X_MAX;
	mm_memcpy(biosmap, m->desc.e820, (size_t)nr * sizeof(biosmap[0]));
	sanitize_e820_map(m, biosmap, E820_X_MAX, &nr);
	m->e820.nr_map = 0;
	if (copy_e820_map(m, biosmap, nr) < 0)
		who = e820_fallback_map(m);
	pr_info(m, "BIOS-provided physical RAM map:\n");
	print_memory_map(m, who);
	m->e820_firmware = m->e820;
	m->e820_who = who;
	return 0;
}
