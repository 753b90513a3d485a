/* Shared by the trace writer and reader (src/sim/trace_write.c,
 * trace_read.c): the varint/zigzag coding of the record payload and the
 * header layout of docs/trace-format.md. No Linux counterpart.
 *
 * Invariant: trace_put_varint() writes at most TRACE_VARINT_MAX bytes and
 * trace_zigzag()/trace_unzigzag() are inverse bijections on u64. */
#ifndef MMKIT_SIM_TRACE_INTERNAL_H
#define MMKIT_SIM_TRACE_INTERNAL_H

#include <stdint.h>
#include <string.h>

#include <mmkit/trace.h>

#define TRACE_VARINT_MAX 10
#define TRACE_TAG_END 6			/* kind field of the end record */
#define TRACE_TAG_KIND_MASK 0x07
#define TRACE_TAG_SIZE_SHIFT 3		/* reference sizes 1..15 live in bits 3-6 */
#define TRACE_TAG_SIZE_MAX 15
#define TRACE_TAG_RESERVED 0x80

/* Signed deltas as small unsigned numbers: 0,-1,1,-2,... -> 0,1,2,3,... */
static inline uint64_t trace_zigzag(uint64_t delta)
{
	return (delta << 1) ^ (uint64_t)((int64_t)delta >> 63);
}

static inline uint64_t trace_unzigzag(uint64_t z)
{
	return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1);
}

/* LEB128: 7 bits a byte, low first, high bit = more. Returns bytes written. */
static inline unsigned int trace_put_varint(uint8_t *p, uint64_t v)
{
	unsigned int n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static inline void trace_put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t trace_get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Header: magic[8] version:u16 arch:u16 flags:u32 nr_refs:u64
 * nr_syscalls:u64 nr_maps:u64 payload_bytes:u64 compressed_bytes:u64. */
#define TRACE_HDR_VERSION 8
#define TRACE_HDR_ARCH 10
#define TRACE_HDR_FLAGS 12
#define TRACE_HDR_REFS 16
#define TRACE_HDR_SYSCALLS 24
#define TRACE_HDR_MAPS 32
#define TRACE_HDR_PAYLOAD 40
#define TRACE_HDR_COMPRESSED 48

#endif
