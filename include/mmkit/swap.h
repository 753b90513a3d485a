/* Swap (cf. include/linux/swap.h, include/linux/swapops.h,
 * include/uapi/linux/swap.h; seed 003: "换出的页在页表项中记录交换区号和
 * 偏移"). Owned by src/mm/swapfile.c (swap areas, slots, swapon/swapoff,
 * si_swapinfo), src/mm/swap_state.c (the swap cache), src/mm/page_io.c
 * (reading and writing slots), src/mm/memory_swap.c (do_swap_page) and
 * src/mm/swap_unuse.c (swapoff's try_to_unuse); the PTE encoding is the
 * architecture's (src/arch/x86/pgtable_swap.c). The internal interface is
 * src/mm/swap.h; /proc/swaps is src/proc/swaps.c.
 *
 * A swap entry names one page-sized slot: the area (its type, the index in
 * m->swap.swap_info[]) and the page offset in it. Offset 0 is the header
 * page and never names a slot, so no valid entry is all zero. */
#ifndef MMKIT_SWAP_H
#define MMKIT_SWAP_H

#include <mmkit/mmzone.h>
#include <mmkit/spinlock.h>
#include <mmkit/types.h>

struct machine;

/* A swap slot: area type and page offset (cf. swp_entry_t). */
typedef struct {
	unsigned long val;
} swp_entry_t;

/* Bits of the type in an entry (cf. MAX_SWAPFILES_SHIFT): 5 on every
 * architecture, so 32 types. The highest is not an area: it is the PTE
 * marker type (cf. SWP_PTE_MARKER_NUM, always 1 since Linux 6.2), so at
 * most 31 areas. mmkit has no device-private, migration or hwpoison
 * entries (SWP_DEVICE_NUM, SWP_MIGRATION_NUM, SWP_HWPOISON_NUM are 0). */
#define MAX_SWAPFILES_SHIFT 5
#define SWP_PTE_MARKER_NUM 1
#define MAX_SWAPFILES ((1 << MAX_SWAPFILES_SHIFT) - SWP_PTE_MARKER_NUM)
/* The type of PTE markers (cf. SWP_PTE_MARKER = MAX_SWAPFILES +
 * SWP_HWPOISON_NUM + SWP_MIGRATION_NUM + SWP_DEVICE_NUM): 31. */
#define SWP_PTE_MARKER MAX_SWAPFILES

/* The arch-independent layout of an entry (cf. include/linux/swapops.h):
 * the type in the 5 bits below the top one of an xarray value (so an entry
 * fits in xa_mk_value: BITS_PER_XA_VALUE = 63 here), the offset below it. */
#define BITS_PER_XA_VALUE 63
#define SWP_TYPE_SHIFT (BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT)
#define SWP_OFFSET_MASK ((1UL << SWP_TYPE_SHIFT) - 1)

static inline swp_entry_t swp_entry(unsigned long type, unsigned long offset)
{
	return (swp_entry_t){ (type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK) };
}

static inline unsigned int swp_type(swp_entry_t entry)
{
	return (unsigned int)(entry.val >> SWP_TYPE_SHIFT);
}

static inline unsigned long swp_offset(swp_entry_t entry)
{
	return entry.val & SWP_OFFSET_MASK;
}

/* swapon(2) flags (cf. include/uapi/linux/swap.h). */
#define SWAP_FLAG_PREFER 0x8000		/* set if swap priority specified */
#define SWAP_FLAG_PRIO_MASK 0x7fff
#define SWAP_FLAG_PRIO_SHIFT 0
#define SWAP_FLAG_DISCARD 0x10000	/* enable discard for swap */
#define SWAP_FLAG_DISCARD_ONCE 0x20000	/* discard swap area at swapon-time */
#define SWAP_FLAG_DISCARD_PAGES 0x40000	/* discard page-clusters after use */
#define SWAP_FLAGS_VALID                                                     \
	(SWAP_FLAG_PRIO_MASK | SWAP_FLAG_PREFER | SWAP_FLAG_DISCARD |         \
	 SWAP_FLAG_DISCARD_ONCE | SWAP_FLAG_DISCARD_PAGES)

/* The first page of a swap area as mkswap writes it (cf. union
 * swap_header): the magic "SWAPSPACE2" in the last 10 bytes of the page,
 * and after 1024 bytes of boot-block room the version (1), the last usable
 * page, and the bad pages (none for a file). Little-endian on x86. */
#define SWAP_HEADER_MAGIC "SWAPSPACE2"
#define MAX_SWAP_BADPAGES ((PAGE_SIZE - 1024 - 512 - 10) / sizeof(u32))
union swap_header {
	struct {
		char reserved[PAGE_SIZE - 10];
		char magic[10];		/* SWAP-SPACE or SWAPSPACE2 */
	} magic;
	struct {
		char bootbits[1024];	/* space for disklabel etc. */
		u32 version;
		u32 last_page;
		u32 nr_badpages;
		unsigned char sws_uuid[16];
		unsigned char sws_volume[16];
		u32 padding[117];
		u32 badpages[1];
	} info;
};

/* The swap areas (m->swap); filled by src/mm/swapfile.c. */
struct swap_info_struct;
struct swap_state {
	spinlock_t swap_lock;		/* swap_info[], the avail list, the counts */
	struct swap_info_struct *swap_info[MAX_SWAPFILES];
	int nr_swapfiles;		/* types ever used (the highest + 1) */
	long nr_swap_pages;		/* free slots, all areas (get_nr_swap_pages) */
	long total_swap_pages;		/* usable slots, all areas */
	int least_priority;		/* the last default priority given (-1 at boot; 0: not yet set) */
	unsigned long alloc_seq;	/* turns of equal-priority areas */
	int percpu_si[NR_CPUS];		/* each CPU's current area: type + 1, 0 none */
	/* test knob: fail the Nth swap read (1 = the next one), 0 = off */
	unsigned long fail_read_nth;
	/* swapoff's hook for shmem's swap entries (H: shmem_unuse);
	 * returns 0 or -ENOMEM */
	int (*shmem_unuse)(struct machine *m, unsigned int type);
};

/* What si_swapinfo() reports (the swap part of struct sysinfo). */
struct swap_sysinfo {
	unsigned long totalswap;	/* pages */
	unsigned long freeswap;		/* pages */
};

/**
 * sys_swapon() - start swapping to the file @path of the simulated file
 *	system (cf. SYSCALL_DEFINE2(swapon))
 * @m: the machine
 * @path: the file, with a header as mkswap writes it
 * @swap_flags: SWAP_FLAG_PREFER | priority, SWAP_FLAG_DISCARD*
 *
 * Returns 0, or -EINVAL (bad flags, no signature, bad header, empty),
 * -EBUSY (already a swap area), -ENOENT, -EPERM (32 areas), -ENOMEM.
 */
long sys_swapon(struct machine *m, const char *path, int swap_flags);

/**
 * sys_swapoff() - stop swapping to @path, bringing every page it holds
 *	back into memory (cf. SYSCALL_DEFINE1(swapoff))
 * @m: the machine
 * @path: the file given to swapon
 *
 * Returns 0, -EINVAL when @path is not an active swap area, -ENOENT when
 * it does not exist, -ENOMEM when memory ran out (the area stays active).
 */
long sys_swapoff(struct machine *m, const char *path);
bool is_swapfile_ino(struct machine *m, unsigned long ino);

/**
 * mmkit_mkswap() - write a swap file of @bytes (rounded down to pages) at
 *	@path of the simulated file system, with the header mkswap(8) writes
 *	(version 1, last_page = pages - 1, no bad pages)
 * @m: the machine
 * @path: the file (created or truncated), or a disk /dev/NAME (never
 *	truncated; the swap area is its first @bytes, 0: the whole disk)
 * @bytes: its size
 *
 * Returns 0 or -errno (-EINVAL below 10 pages, as mkswap refuses).
 */
int mmkit_mkswap(struct machine *m, const char *path, unsigned long bytes);

/* SwapTotal/SwapFree in pages (cf. si_swapinfo). */
void si_swapinfo(struct machine *m, struct swap_sysinfo *val);

#endif
