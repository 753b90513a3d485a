/* The trace reader: header check, streaming zstd decompression and the
 * decoding of the varint payload (docs/trace-format.md). No Linux
 * counterpart.
 *
 * Invariants: every byte of untrusted input is bounds-checked before use;
 * any inconsistency (bad magic/version, zstd error, overlong varint,
 * unknown record, counts that disagree with the header, missing end
 * record, trailing bytes) fails with "FILE: offset N: reason" where N is
 * the file offset the decompressor had reached; once failed, the reader
 * only returns -1. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "sim/trace_internal.h"

struct mmkit_trace_reader {
	FILE *f;
	char *name;
	void *mem;		/* the copy behind an in-memory trace */
	ZSTD_DCtx *dctx;
	uint8_t *in, *out;
	size_t in_size, in_len, in_pos;
	size_t out_size, out_len, pos;
	uint64_t file_off;	/* file bytes handed to the decompressor */
	uint64_t payload_off;	/* payload bytes before out[0] */
	int eof, frame_done, ended, failed;
	int hdr_ok;		/* the header passed: errors are in the payload */
	uint64_t prev[4];
	uint64_t nr_refs, nr_syscalls, nr_maps;
	struct mmkit_trace_header hdr;
	char err[512];
};

static int rerr(struct mmkit_trace_reader *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return -1;
	n = snprintf(r->err, sizeof(r->err), "%s: offset %llu: ", r->name,
		     (unsigned long long)r->file_off);
	va_start(ap, fmt);
	n += vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	if (n < (int)sizeof(r->err) && r->hdr_ok)	/* say where in the payload */
		snprintf(r->err + n, sizeof(r->err) - n, " (payload byte %llu)",
			 (unsigned long long)(r->payload_off + r->pos));
	r->failed = 1;
	return -1;
}

/* Decompress more payload into out. 1: data; 0: clean end of frame; -1. */
static int refill(struct mmkit_trace_reader *r)
{
	r->payload_off += r->out_len;
	r->out_len = r->pos = 0;
	while (!r->frame_done) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = { r->out, r->out_size, 0 };
		size_t ret;

		if (r->in_pos == r->in_len && !r->eof) {
			r->in_len = fread(r->in, 1, r->in_size, r->f);
			r->in_pos = 0;
			if (!r->in_len)
				r->eof = 1;
		}
		if (r->in_pos == r->in_len && r->eof)
			return rerr(r, "truncated: the compressed stream ends early");
		in = (ZSTD_inBuffer){ r->in, r->in_len, r->in_pos };
		ret = ZSTD_decompressStream(r->dctx, &out, &in);
		r->file_off += in.pos - r->in_pos;
		r->in_pos = in.pos;
		if (ZSTD_isError(ret))
			return rerr(r, "corrupt compressed data (zstd: %s)", ZSTD_getErrorName(ret));
		if (ret == 0)
			r->frame_done = 1;
		if (out.pos) {
			r->out_len = out.pos;
			return 1;
		}
	}
	return 0;
}

static int get_byte(struct mmkit_trace_reader *r, uint8_t *b)
{
	if (r->pos == r->out_len) {
		int ret = refill(r);

		if (ret <= 0)
			return ret < 0 ? -1 : rerr(r, "truncated: no end record");
	}
	*b = r->out[r->pos++];
	return 0;
}

static int get_varint(struct mmkit_trace_reader *r, uint64_t *v)
{
	uint64_t x = 0;
	uint8_t b = 0;

	for (unsigned int i = 0; i < TRACE_VARINT_MAX; i++) {
		if (get_byte(r, &b))
			return -1;
		if (i == TRACE_VARINT_MAX - 1 && b > 1)
			return rerr(r, "varint overflows 64 bits");
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return rerr(r, "varint longer than %d bytes", TRACE_VARINT_MAX);
}

static int check_header(struct mmkit_trace_reader *r, const uint8_t *h, size_t len)
{
	struct mmkit_trace_header *hd = &r->hdr;

	if (len < MMKIT_TRACE_HEADER_SIZE) {
		r->file_off = len;
		return rerr(r, "truncated header (%zu of %d bytes)", len, MMKIT_TRACE_HEADER_SIZE);
	}
	if (memcmp(h, MMKIT_TRACE_MAGIC, 8))
		return rerr(r, "not an mmkit trace (bad magic)");
	hd->version = (uint32_t)trace_get_le(h + TRACE_HDR_VERSION, 2);
	hd->arch = (uint32_t)trace_get_le(h + TRACE_HDR_ARCH, 2);
	hd->flags = (uint32_t)trace_get_le(h + TRACE_HDR_FLAGS, 4);
	hd->nr_refs = trace_get_le(h + TRACE_HDR_REFS, 8);
	hd->nr_syscalls = trace_get_le(h + TRACE_HDR_SYSCALLS, 8);
	hd->nr_maps = trace_get_le(h + TRACE_HDR_MAPS, 8);
	hd->payload_bytes = trace_get_le(h + TRACE_HDR_PAYLOAD, 8);
	r->file_off = TRACE_HDR_VERSION;
	if (hd->version != MMKIT_TRACE_VERSION)
		return rerr(r, "unsupported trace version %u (this mmkit reads %d)", hd->version,
			    MMKIT_TRACE_VERSION);
	r->file_off = TRACE_HDR_ARCH;
	if (hd->arch != MMKIT_TRACE_ARCH_X86_64 && hd->arch != MMKIT_TRACE_ARCH_I386)
		return rerr(r, "unknown architecture %u", hd->arch);
	r->file_off = TRACE_HDR_FLAGS;
	if (hd->flags & ~(uint32_t)MMKIT_TRACE_MAPS_INFERRED)
		return rerr(r, "unknown header flags %#x", hd->flags);
	r->file_off = MMKIT_TRACE_HEADER_SIZE;
	return 0;
}

static struct mmkit_trace_reader *open_stream(FILE *f, void *mem, const char *name, char *err,
					      size_t errlen)
{
	struct mmkit_trace_reader *r = calloc(1, sizeof(*r));
	uint8_t h[MMKIT_TRACE_HEADER_SIZE];
	size_t n;

	if (!r || !(r->name = strdup(name))) {
		free(r);
		fclose(f);
		free(mem);
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	r->f = f;
	r->mem = mem;
	r->in_size = ZSTD_DStreamInSize();
	r->out_size = ZSTD_DStreamOutSize();
	r->in = malloc(r->in_size);
	r->out = malloc(r->out_size);
	r->dctx = ZSTD_createDCtx();
	if (!r->in || !r->out || !r->dctx) {
		snprintf(err, errlen, "%s: out of memory", name);
		mmkit_trace_close(r);
		return NULL;
	}
	n = fread(h, 1, sizeof(h), f);
	if (check_header(r, h, n)) {
		snprintf(err, errlen, "%s", r->err);
		mmkit_trace_close(r);
		return NULL;
	}
	r->hdr_ok = 1;
	return r;
}

/**
 * mmkit_trace_open() - open a trace file (see include/mmkit/trace.h)
 * @path: the file
 * @err: reason on failure
 * @errlen: its size
 * Return: the reader or NULL.
 */
struct mmkit_trace_reader *mmkit_trace_open(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	return open_stream(f, NULL, path, err, errlen);
}

/**
 * mmkit_trace_open_mem() - open a trace held in memory
 * @buf: its bytes (copied)
 * @len: how many
 * @name: the name used in messages
 * @err: reason on failure
 * @errlen: its size
 * Return: the reader or NULL.
 */
struct mmkit_trace_reader *mmkit_trace_open_mem(const void *buf, size_t len, const char *name,
						char *err, size_t errlen)
{
	void *copy = malloc(len ? len : 1);
	FILE *f;

	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	if (len < MMKIT_TRACE_HEADER_SIZE) {
		snprintf(err, errlen, "%s: offset %zu: truncated header (%zu of %d bytes)", name,
			 len, len, MMKIT_TRACE_HEADER_SIZE);
		free(copy);
		return NULL;
	}
	memcpy(copy, buf, len);
	f = fmemopen(copy, len, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		free(copy);
		return NULL;
	}
	return open_stream(f, copy, name, err, errlen);
}

/**
 * mmkit_trace_get_header() - the checked header of an open trace
 * @r: the reader
 * Return: the header.
 */
const struct mmkit_trace_header *mmkit_trace_get_header(const struct mmkit_trace_reader *r)
{
	return &r->hdr;
}

/**
 * mmkit_trace_error() - why the reader failed
 * @r: the reader
 * Return: "FILE: offset N: reason", or "" when it did not.
 */
const char *mmkit_trace_error(const struct mmkit_trace_reader *r)
{
	return r->err;
}

/**
 * mmkit_trace_close() - free a reader
 * @r: the reader (may be NULL)
 */
void mmkit_trace_close(struct mmkit_trace_reader *r)
{
	if (!r)
		return;
	if (r->f)
		fclose(r->f);
	ZSTD_freeDCtx(r->dctx);
	free(r->in);
	free(r->out);
	free(r->mem);
	free(r->name);
	free(r);
}

/* After the end record: the frame and the file must end here too. */
static int check_end(struct mmkit_trace_reader *r, uint64_t total)
{
	const struct mmkit_trace_header *h = &r->hdr;
	uint64_t seen = r->nr_refs + r->nr_syscalls + r->nr_maps;
	int ret;

	if (total != seen)
		return rerr(r, "end record counts %llu records, the trace has %llu",
			    (unsigned long long)total, (unsigned long long)seen);
	if (r->nr_refs != h->nr_refs || r->nr_syscalls != h->nr_syscalls ||
	    r->nr_maps != h->nr_maps)
		return rerr(r, "record counts differ from the header's");
	if (r->pos != r->out_len || (ret = refill(r)) > 0)
		return rerr(r, "data after the end record");
	if (ret < 0)
		return -1;
	if (r->payload_off != h->payload_bytes)
		return rerr(r, "payload is %llu bytes, the header says %llu",
			    (unsigned long long)r->payload_off,
			    (unsigned long long)h->payload_bytes);
	if (r->in_pos != r->in_len || fgetc(r->f) != EOF)
		return rerr(r, "trailing bytes after the compressed stream");
	r->ended = 1;
	return 0;
}

static int read_call(struct mmkit_trace_reader *r, unsigned int kind,
		     struct mmkit_trace_call *c)
{
	uint64_t v;
	uint8_t nargs = 0;

	memset(c, 0, sizeof(*c));
	c->kind = kind;
	if (get_varint(r, &v))
		return -1;
	if (v > UINT32_MAX)
		return rerr(r, "syscall number %llu out of range", (unsigned long long)v);
	c->nr = (uint32_t)v;
	if (get_byte(r, &nargs))
		return -1;
	if (nargs > 6)
		return rerr(r, "%u syscall arguments (at most 6)", nargs);
	c->nargs = nargs;
	for (unsigned int i = 0; i < nargs; i++)
		if (get_varint(r, &c->args[i]))
			return -1;
	if (get_varint(r, &v))
		return -1;
	c->result = (int64_t)trace_unzigzag(v);
	if (kind == MMKIT_TRACE_SYSCALL ? ++r->nr_syscalls > r->hdr.nr_syscalls
					: ++r->nr_maps > r->hdr.nr_maps)
		return rerr(r, "more %s records than the header's count",
			    kind == MMKIT_TRACE_SYSCALL ? "syscall" : "mapping");
	return 0;
}

/* One reference whose tag was read, slow path (near a buffer edge). */
static int read_ref_slow(struct mmkit_trace_reader *r, uint8_t tag, struct mmkit_trace_ref *ref)
{
	unsigned int kind = tag & TRACE_TAG_KIND_MASK;
	uint64_t size = tag >> TRACE_TAG_SIZE_SHIFT, z;

	if (!size) {
		if (get_varint(r, &size))
			return -1;
		if (!size || size > UINT32_MAX)
			return rerr(r, "reference size %llu out of range",
				    (unsigned long long)size);
	}
	if (get_varint(r, &z))
		return -1;
	r->prev[kind] += trace_unzigzag(z);
	ref->addr = r->prev[kind];
	ref->size = (uint32_t)size;
	ref->kind = kind;
	return 0;
}

/* Fast path: a reference with an inline size, all bytes in out. */
static inline int read_ref_fast(struct mmkit_trace_reader *r, uint8_t tag,
				struct mmkit_trace_ref *ref)
{
	const uint8_t *p = r->out + r->pos;
	unsigned int kind = tag & TRACE_TAG_KIND_MASK;
	uint64_t z = 0;
	unsigned int i;

	for (i = 0; i < TRACE_VARINT_MAX - 1; i++) {
		z |= (uint64_t)(p[i] & 0x7f) << (7 * i);
		if (!(p[i] & 0x80))
			break;
	}
	if (i == TRACE_VARINT_MAX - 1)
		return 1;	/* 10-byte varint: let the slow path check it */
	r->pos += i + 1;
	r->prev[kind] += trace_unzigzag(z);
	ref->addr = r->prev[kind];
	ref->size = tag >> TRACE_TAG_SIZE_SHIFT;
	ref->kind = kind;
	return 0;
}

/**
 * mmkit_trace_read() - decode references up to the next call record
 * @r: the reader
 * @refs: room for @max references
 * @max: its size
 * @call: where a syscall/mapping record goes
 * @ended: set to 1 when *@call was filled, else 0
 * Return: references stored, or -1 (mmkit_trace_error()).
 */
long mmkit_trace_read(struct mmkit_trace_reader *r, struct mmkit_trace_ref *refs, size_t max,
		      struct mmkit_trace_call *call, int *ended)
{
	size_t n = 0;
	uint8_t tag = 0;
	uint64_t v;

	*ended = 0;
	if (r->failed)
		return -1;
	while (n < max && !r->ended) {
		if (r->out_len - r->pos > 1 + TRACE_VARINT_MAX) {
			tag = r->out[r->pos];
			if ((tag & 0x84) == 0 && (tag >> TRACE_TAG_SIZE_SHIFT)) {
				r->pos++;
				if (!read_ref_fast(r, tag, &refs[n]))
					goto counted;
				r->pos--;
			}
		}
		if (get_byte(r, &tag))
			return -1;
		if (tag & TRACE_TAG_RESERVED)
			return rerr(r, "reserved bit set in record tag %#x", tag);
		switch (tag & TRACE_TAG_KIND_MASK) {
		case MMKIT_TRACE_FETCH: case MMKIT_TRACE_LOAD:
		case MMKIT_TRACE_STORE: case MMKIT_TRACE_MODIFY:
			if (read_ref_slow(r, tag, &refs[n]))
				return -1;
			break;
		case MMKIT_TRACE_SYSCALL: case MMKIT_TRACE_MAP:
			if (tag >> TRACE_TAG_SIZE_SHIFT)
				return rerr(r, "bad call record tag %#x", tag);
			if (read_call(r, tag, call))
				return -1;
			*ended = 1;
			return (long)n;
		case TRACE_TAG_END:
			if (tag >> TRACE_TAG_SIZE_SHIFT)
				return rerr(r, "bad end record tag %#x", tag);
			if (get_varint(r, &v) || check_end(r, v))
				return -1;
			return (long)n;
		default:
			return rerr(r, "unknown record kind %u", tag & TRACE_TAG_KIND_MASK);
		}
counted:
		if (++r->nr_refs > r->hdr.nr_refs)
			return rerr(r, "more references than the header's count");
		n++;
	}
	return (long)n;
}
