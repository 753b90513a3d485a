/* The simulated CPUs' memory-management unit and how simulated programs
 * touch memory (cf. arch/x86/include/asm/trap_pf.h, asm/tlbflush.h,
 * asm/uaccess.h; Intel SDM vol. 3 ch. 4; seed 001: "CR3 ... 页目录 ... MMU").
 *
 * Each simulated CPU has a CR3 (the physical address of the page global
 * directory it translates with, loaded by switch_mm()) and a TLB caching
 * translations. A program running as the current task of a CPU reads,
 * writes and fetches its memory with mmkit_read/mmkit_write/mmkit_fetch:
 * every byte goes through the MMU, which walks the real x86 page tables in
 * simulated RAM, sets their Accessed and Dirty bits, checks RW/US/NX and
 * raises a page fault (do_page_fault) with the hardware's error code when
 * the walk fails.
 *
 * The TLB (src/arch/x86/mmu.c, tlb.c; docs/mmu.md) is 2-way set-associative,
 * TLB_SETS sets of 4 KiB translations, tagged with the page's virtual
 * address and the address-space id of the mm that filled it (PCID-like:
 * a CR3 switch flushes nothing). Global (G) entries match every id.
 *
 * Invariants: an entry is valid iff its tag is nonzero (so a zeroed struct
 * is an empty TLB); an entry with TLB_PERM_WRITE was filled from a leaf
 * whose Dirty bit was set; only the owning CPU fills its TLB, other CPUs
 * only invalidate entries (a shootdown), after bumping its flush_gen. */
#ifndef MMKIT_MMU_H
#define MMKIT_MMU_H

#include <mmkit/mmzone.h>
#include <mmkit/types.h>

struct machine;
struct mm_struct;

/* The page-fault error code the CPU pushes (cf. enum x86_pf_error_code). */
#define X86_PF_PROT 0x1		/* 0: page not present; 1: protection violation */
#define X86_PF_WRITE 0x2	/* the access was a write */
#define X86_PF_USER 0x4		/* the access came from user mode (CPL 3) */
#define X86_PF_RSVD 0x8		/* a reserved bit was set in an entry */
#define X86_PF_INSTR 0x10	/* the access was an instruction fetch (PAE/4-level: NXE) */

/* TLB geometry: TLB_SETS sets of TLB_WAYS ways, indexed by the low bits of
 * the virtual page number. */
#define TLB_SETS 256
#define TLB_WAYS 2
#define TLB_ENTRIES (TLB_SETS * TLB_WAYS)

/* What a TLB entry allows, in X86_PF_* positions so that an access hits when
 * (access & ~perm & TLB_PERM_NEED) == 0. */
#define TLB_PERM_WRITE X86_PF_WRITE	/* writable at every level and Dirty set */
#define TLB_PERM_USER X86_PF_USER	/* user-accessible at every level */
#define TLB_PERM_EXEC X86_PF_INSTR	/* no level has NX */
#define TLB_PERM_NEED (TLB_PERM_WRITE | TLB_PERM_USER | TLB_PERM_EXEC)
#define TLB_GLOBAL 0x100		/* from a G leaf: matches every address-space id */
#define TLB_LARGE 0x200			/* a 4 KiB piece of a 2 MiB/4 MiB/1 GiB page */

/* One cached translation of a 4 KiB virtual page. Written only by the CPU
 * that owns the TLB, except tag, which other CPUs may clear. */
struct tlb_entry {
	u64 tag;		/* virtual page address | 1; 0: invalid */
	u64 asid;		/* address-space id of the mm that filled it */
	u64 pa;			/* physical page address */
	u32 perm;		/* TLB_PERM_* | TLB_GLOBAL | TLB_LARGE */
	u8 shift;		/* page size of the leaf: 12, 21, 22 or 30 */
	u8 victim;		/* (way 0 only) the way the next fill of this set replaces */
	u16 pad;
};

struct tlb_set {
	struct tlb_entry way[TLB_WAYS];
};

/* One CPU's MMU: what CR3 holds and its counters (its TLB is
 * m->mmu.tlb[cpu]; the stride is a power of two for the fast path). */
struct mmu_cpu {
	/* the fast path reads these */
	u64 asid;			/* address-space id of the loaded mm; 0: swapper_pg_dir */
	unsigned long nr_tlb_hits;	/* translations the TLB answered */
	unsigned long nr_tlb_misses;	/* translations that walked or faulted */
	phys_addr_t cr3;		/* the pgd this CPU translates with; 0: swapper_pg_dir */
	struct mm_struct *loaded_mm;	/* the mm whose pgd is in cr3, NULL: init_mm (cf. cpu_tlbstate.loaded_mm) */

	unsigned long nr_faults;	/* page faults raised */
	unsigned long nr_walks;		/* page-table walks (misses, D-bit updates, retries) */
	unsigned long nr_cr3_loads;	/* switch_mm() loads */
	/* flushes this CPU executed (cf. NR_TLB_LOCAL_FLUSH_ONE/_ALL,
	 * NR_TLB_REMOTE_FLUSH_RECEIVED) */
	unsigned long nr_flush_one, nr_flush_all, nr_flush_received;
	u64 flush_gen;			/* bumped before other CPUs invalidate entries here */
	bool has_large, has_large_user;	/* may hold TLB_LARGE entries (any / non-global) */
} __attribute__((aligned(128)));

struct mmu_state {
	bool ready;			/* mmu_init() ran */
	u64 next_asid;			/* the last address-space id given out */
	u64 active_cpus;		/* CPUs that may hold TLB entries: kernel flushes reach these */
	unsigned long nr_tlb_remote_flush;	/* flushes that reached other CPUs (shootdowns) */
	u64 rsvd[5][2];			/* reserved bits of an entry at level l, [PS] */
	struct mmu_cpu cpu[NR_CPUS];
	struct tlb_set tlb[NR_CPUS][TLB_SETS] __attribute__((aligned(64)));
};

/* mmu_translate() calls on a CPU so far. */
static inline unsigned long mmu_nr_translations(const struct mmu_cpu *c)
{
	return c->nr_tlb_hits + c->nr_tlb_misses;
}

/* Read len bytes at user address addr of the current task (of the calling
 * thread's CPU) into buf, as the program itself would: through the MMU,
 * faulting pages in as needed. Returns 0, or -EFAULT when an access could
 * not be satisfied: the task then got SIGSEGV (SEGV_MAPERR/SEGV_ACCERR)
 * and, without a handler, was killed (so it is no longer current). -ESRCH
 * without a current task. */
int mmkit_read(struct machine *m, unsigned long addr, void *buf, size_t len);

/* Write len bytes from buf at user address addr of the current task. */
int mmkit_write(struct machine *m, unsigned long addr, const void *buf, size_t len);

/* Fetch len bytes of instructions at addr (checks execute permission: NX). */
int mmkit_fetch(struct machine *m, unsigned long addr, void *buf, size_t len);

#endif
