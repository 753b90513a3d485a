/* The BIOS memory map (cf. arch/x86/include/asm/e820/types.h and the 2.4
 * setup.c that the seed walks through). The kernel keeps its own sanitized,
 * sorted, non-overlapping copy in m->e820 (at most E820MAX entries). */
#ifndef MMKIT_E820_H
#define MMKIT_E820_H

#include <mmkit/types.h>

/* The kernel's table holds at most E820MAX entries (add_memory_region). */
#define E820MAX 32
/* A machine description may list more, so the limit can be exercised. */
#define E820_X_MAX 128

/* Where the 2.4 kernel looks: the BIOS hole is [640K, 1M). */
#define HIGH_MEMORY 0x100000ULL
/* The low RAM of the fallback pseudo map (2.4's LOWMEMSIZE(): 636 KiB, a
 * page short of 640K so the EBDA below it survives). */
#define LOWMEMSIZE() 0x9f000ULL

enum e820_type {
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
	E820_UNUSABLE = 5,
	E820_PMEM = 7,
	E820_PRAM = 12,		/* legacy persistent memory (memmap=nn!ss) */
	E820_TYPE_MAX
};

struct e820entry {
	u64 addr;	/* start of memory segment */
	u64 size;	/* size of memory segment */
	u32 type;	/* enum e820_type */
};

struct e820map {
	int nr_map;
	struct e820entry map[E820MAX];
};

struct machine;

/* in boot/e820.c -- see there for the contracts */
int sanitize_e820_map(struct machine *m, struct e820entry *biosmap, int max_nr, int *pnr_map);
int copy_e820_map(struct machine *m, const struct e820entry *biosmap, int nr_map);
int add_memory_region(struct machine *m, u64 start, u64 size, u32 type);
void e820_remove_range(struct machine *m, u64 start, u64 size, u32 type, bool checktype);
void print_memory_map(struct machine *m, const char *who);
int setup_memory_region(struct machine *m);
const char *e820_type_name(u32 type);
bool e820_all_mapped(struct machine *m, u64 start, u64 end, u32 type);
bool page_is_ram(struct machine *m, unsigned long pfn);
unsigned long e820_end_of_ram_pfn(struct machine *m);

#endif
