/* Swap entries in x86 page-table entries (cf. the "Encode and de-code a
 * swap entry" parts of arch/x86/include/asm/pgtable-2level.h,
 * pgtable-3level.h, pgtable_64.h and pgtable-invert.h; mm/swapfile.c
 * generic_max_swapfile_size). A swap pte is neither none nor present:
 * P (bit 0) and PROTNONE (G, bit 8) are clear, so the MMU faults on it and
 * pte_present() says no. The layouts are Linux's bit for bit:
 *
 *   2-level (32-bit pte, 32-bit unsigned long)
 *     31                          9 8 7 6 5       1 0
 *     |          offset            |0|E|0|  type   |0|
 *   PAE (64-bit pte) and x86_64: the type in the top 5 bits, the offset
 *   inverted in bits 9..58 (so a swap pte's "pfn" bits point at the top of
 *   physical memory: the L1TF mitigation), bits 0..8 clear:
 *     63   59 58                          9 8        0
 *     | type | ~offset                     |0 0000 0000|
 *
 * E (the exclusive marker of PG_anon_exclusive) is not kept in entries
 * and mmkit does not set it. On the 32-bit formats the arch-independent
 * entry is an unsigned long of 32 bits, which caps the offset at 26 bits
 * (PAE) or 23 bits (2-level, what the pte holds): max_swapfile_size()
 * computes the cap as Linux does, by the round trip of the largest offset.
 *
 * Invariant: for every type < 32 and offset < max_swapfile_size(m),
 * pte_to_swp_entry(swp_entry_to_pte(e)) == e and the pte is a swap pte. */
#include "mm/swap.h"

#define SWP_TYPE_BITS 5
#define SWP_TYPE_MASK ((1U << SWP_TYPE_BITS) - 1)
#define _SWP_TYPE_SHIFT (_PAGE_BIT_PRESENT + 1)	/* 2-level: type at bit 1 */
#define SWP_OFFSET_FIRST_BIT (_PAGE_BIT_GLOBAL + 1)	/* _PAGE_BIT_PROTNONE + 1 = 9 */
/* PAE and x86_64: the offset is shifted up past the type, then down */
#define SWP_OFFSET_SHIFT_INV (SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS)	/* 14 */
/* The 32-bit arch-independent entry: type above 26 offset bits
 * (BITS_PER_XA_VALUE 31 - MAX_SWAPFILES_SHIFT). */
#define SWP_OFFSET_BITS_32 (31 - MAX_SWAPFILES_SHIFT)

static bool fmt_is_2level(const struct machine *m)
{
	return pgt_fmt(m)->levels == 2;
}

static bool arch_is_32bit(const struct machine *m)
{
	return pgt_fmt(m)->levels < 4;
}

/* The inverted 64-bit form of PAE and x86_64 (cf. __swp_pteval_entry /
 * x86_64 __swp_entry). */
static u64 swp_pteval_inverted(u64 type, u64 offset)
{
	return (~offset << SWP_OFFSET_SHIFT_INV >> SWP_TYPE_BITS) | (type << (64 - SWP_TYPE_BITS));
}

/**
 * swp_entry_to_pte() - the swap pte holding @entry (cf. swp_entry_to_pte)
 * @m: the machine (its page-table format)
 * @entry: a swap entry
 */
pte_t swp_entry_to_pte(const struct machine *m, swp_entry_t entry)
{
	u64 type = swp_type(entry), offset = swp_offset(entry);

	if (fmt_is_2level(m)) {
		u32 v = (u32)((type & SWP_TYPE_MASK) << _SWP_TYPE_SHIFT) |
			(u32)(offset << SWP_OFFSET_FIRST_BIT);

		return __pte(v);
	}
	if (arch_is_32bit(m))
		offset &= (1UL << SWP_OFFSET_BITS_32) - 1;
	return __pte(swp_pteval_inverted(type & SWP_TYPE_MASK, offset));
}

/**
 * pte_to_swp_entry() - the swap entry a swap pte holds (cf. pte_to_swp_entry)
 * @m: the machine
 * @pte: a pte for which is_swap_pte() holds
 */
swp_entry_t pte_to_swp_entry(const struct machine *m, pte_t pte)
{
	u64 v = pte_val(pte);

	if (fmt_is_2level(m))
		return swp_entry((v >> _SWP_TYPE_SHIFT) & SWP_TYPE_MASK, (u32)v >> SWP_OFFSET_FIRST_BIT);
	return swp_entry(v >> (64 - SWP_TYPE_BITS), ~v << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT_INV);
}

/**
 * max_swapfile_size() - the most slots one swap area can have (cf.
 *	generic_max_swapfile_size / arch_max_swapfile_size without L1TF's
 *	MAX_PA/2 cap: the simulated CPU does not have the bug)
 * @m: the machine
 *
 * The largest offset an arch-independent entry holds, through a pte and
 * back, plus one: 2-level 2^23 (32 GiB), PAE 2^26 (256 GiB), x86_64 2^50.
 */
unsigned long max_swapfile_size(const struct machine *m)
{
	unsigned long offset = SWP_OFFSET_MASK;	/* swp_entry(0, ~0UL) */

	if (arch_is_32bit(m))
		offset &= (1UL << SWP_OFFSET_BITS_32) - 1;
	if (fmt_is_2level(m))	/* the 32-bit __swp_entry drops what passes bit 31 */
		offset = (u32)(offset << SWP_OFFSET_FIRST_BIT) >> SWP_OFFSET_FIRST_BIT;
	return swp_offset(pte_to_swp_entry(m, swp_entry_to_pte(m, swp_entry(0, offset)))) + 1;
}
