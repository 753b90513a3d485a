/* The simulated CPUs' memory-management unit and how simulated programs
 * touch memory (cf. arch/x86/include/asm/trap_pf.h, asm/tlbflush.h,
 * asm/uaccess.h; seed 001: "CR3 ... 页目录 ... MMU").
 *
 * Each simulated CPU has a CR3 (the physical address of the page global
 * directory it translates with, loaded by switch_mm()) and a TLB caching
 * translations. A program running as the current task of a CPU reads,
 * writes and fetches its memory with mmkit_read/mmkit_write/mmkit_fetch:
 * every byte goes through the MMU, which walks the real x86 page tables in
 * simulated RAM, sets their Accessed and Dirty bits, checks RW/US/NX and
 * raises a page fault (do_page_fault) with the hardware's error code when
 * the walk fails. */
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
#define X86_PF_INSTR 0x10	/* the access was an instruction fetch */

/* One CPU's MMU: what CR3 holds and its TLB (the software-MMU code in
 * src/arch/x86/mmu.c and tlb.c owns the layout of the TLB). */
struct mmu_cpu {
	phys_addr_t cr3;		/* the pgd this CPU translates with; 0: none */
	struct mm_struct *loaded_mm;	/* the mm whose pgd is in cr3 (cf. cpu_tlbstate.loaded_mm) */
	unsigned long nr_translations;	/* mmu_translate() calls */
	unsigned long nr_tlb_hits;
	unsigned long nr_faults;	/* page faults raised */
};

struct mmu_state {
	struct mmu_cpu cpu[NR_CPUS];
};

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
